package assessments

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// AIRole is a role the organisation holds towards an AI system (ISO/IEC 42001 clause 4.1
// asks the organisation to determine its roles; the roles follow ISO/IEC 22989). An
// organisation often holds several: it produces a model, provides the system built on it
// and uses it itself. An AI subject and a relevant authority are interested parties, not
// roles of the organisation: they belong under affected people and interested parties.
type AIRole string

const (
	RoleProvider AIRole = "provider"
	RoleProducer AIRole = "producer"
	RoleCustomer AIRole = "customer" // customer or user
	RolePartner  AIRole = "partner"
)

// AIRoles in the order a form offers them.
var AIRoles = []AIRole{RoleProvider, RoleProducer, RoleCustomer, RolePartner}

// Label is the role as a person reads it.
func (r AIRole) Label() string {
	if r == RoleCustomer {
		return "customer/user"
	}
	return string(r)
}

// ParseAIRole accepts the stored token or the label ("customer/user", "user").
func ParseAIRole(s string) (AIRole, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "customer/user", "user", "customer":
		return RoleCustomer, true
	}
	for _, r := range AIRoles {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// LegacyRole reads the single role annex kept before an AI system could hold several.
// "subject" was offered then; an organisation that keeps a system in its inventory uses
// it, so it becomes customer/user (the people the system concerns are affected people).
func LegacyRole(s string) []AIRole {
	if s == "subject" {
		return []AIRole{RoleCustomer}
	}
	if s == "" {
		return nil
	}
	return []AIRole{AIRole(s)}
}

// SortRoles puts roles in AIRoles order without repeats; unknown roles follow, kept so
// that validation can name them.
func SortRoles(rs []AIRole) []AIRole {
	var out []AIRole
	for _, r := range AIRoles {
		if slices.Contains(rs, r) {
			out = append(out, r)
		}
	}
	for _, r := range rs {
		if !validRole(r) && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// RolesText writes roles as stored and recorded: "provider,customer".
func RolesText(rs []AIRole) string {
	parts := make([]string, 0, len(rs))
	for _, r := range SortRoles(rs) {
		parts = append(parts, string(r))
	}
	return strings.Join(parts, ",")
}

// ParseRoles reads what RolesText wrote.
func ParseRoles(s string) []AIRole {
	var out []AIRole
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, AIRole(p))
		}
	}
	return SortRoles(out)
}

// RolesLabel is the roles as a person reads them: "provider, customer/user".
func RolesLabel(rs []AIRole) string {
	if len(rs) == 0 {
		return "not stated"
	}
	parts := make([]string, 0, len(rs))
	for _, r := range SortRoles(rs) {
		parts = append(parts, r.Label())
	}
	return strings.Join(parts, ", ")
}

// HasRole reports whether the organisation holds the role.
func (a AISystem) HasRole(r AIRole) bool { return slices.Contains(a.Roles, r) }

// LifecycleStage is where an AI system stands in its life cycle (ISO/IEC 22989 stages).
type LifecycleStage string

const (
	StageInception   LifecycleStage = "inception"
	StageDesign      LifecycleStage = "design_development"
	StageVerify      LifecycleStage = "verification_validation"
	StageDeployment  LifecycleStage = "deployment"
	StageOperation   LifecycleStage = "operation_monitoring"
	StageReEvaluate  LifecycleStage = "re_evaluation"
	StageRetirement  LifecycleStage = "retirement"
	StageUnspecified LifecycleStage = ""
)

// LifecycleStages in life-cycle order; the empty stage means "not stated".
var LifecycleStages = []LifecycleStage{StageUnspecified, StageInception, StageDesign, StageVerify, StageDeployment, StageOperation, StageReEvaluate, StageRetirement}

// Label is the stage as a person reads it.
func (s LifecycleStage) Label() string {
	switch s {
	case StageUnspecified:
		return "not stated"
	case StageInception:
		return "inception"
	case StageDesign:
		return "design and development"
	case StageVerify:
		return "verification and validation"
	case StageDeployment:
		return "deployment"
	case StageOperation:
		return "operation and monitoring"
	case StageReEvaluate:
		return "re-evaluation"
	case StageRetirement:
		return "retirement"
	}
	return string(s)
}

// Automation is how far the system acts without a person deciding.
type Automation string

const (
	AutomationUnspecified Automation = ""
	AutomationAdvisory    Automation = "advisory"      // a person decides; the system informs
	AutomationInTheLoop   Automation = "human_in_loop" // a person confirms each output
	AutomationOnTheLoop   Automation = "human_on_loop" // the system acts; a person supervises and can intervene
	AutomationFull        Automation = "autonomous"    // the system acts without a person in the decision
)

// Automations in order of increasing autonomy; the empty level means "not stated".
var Automations = []Automation{AutomationUnspecified, AutomationAdvisory, AutomationInTheLoop, AutomationOnTheLoop, AutomationFull}

// Label is the level as a person reads it.
func (a Automation) Label() string {
	switch a {
	case AutomationUnspecified:
		return "not stated"
	case AutomationAdvisory:
		return "advisory (a person decides)"
	case AutomationInTheLoop:
		return "human in the loop"
	case AutomationOnTheLoop:
		return "human on the loop"
	case AutomationFull:
		return "autonomous"
	}
	return string(a)
}

// AISystemTypes are the kinds a form suggests; the type is free text, so a consultant can
// name what the client calls it.
var AISystemTypes = []string{"machine learning", "deep learning", "generative", "rule-based", "statistical", "hybrid"}

// AISystem is one entry of an engagement's AI system inventory.
type AISystem struct {
	ID                string
	EngagementID      string
	Name              string
	Purpose           string
	Type              string
	Roles             []AIRole // one or more, in AIRoles order
	Stage             LifecycleStage
	DataSources       string
	DataCategories    string
	PersonalData      bool
	DeploymentContext string
	Jurisdictions     string
	Users             string
	AffectedPeople    string
	Automation        Automation
	HumanOversight    string
	ThirdParty        string // third-party models or services the system relies on
	Owner             string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	UpdatedBy         string
}

// AISystemFields are the inventory fields in form order; ValidationError.Field uses these names.
var AISystemFields = []string{"name", "purpose", "type", "roles", "stage", "data_sources", "data_categories", "personal_data",
	"deployment_context", "jurisdictions", "users", "affected_people", "automation", "human_oversight", "third_party", "owner"}

// Validate checks an AI system before it is saved. It returns a *ValidationError naming
// the first field to fix; Problems lists all of them.
func (a AISystem) Validate() error {
	if p := a.Problems(); len(p) > 0 {
		return p[0]
	}
	return nil
}

// Problems lists every field that must be fixed, in form order.
func (a AISystem) Problems() []*ValidationError {
	var out []*ValidationError
	add := func(field, format string, args ...any) {
		out = append(out, invalid(field, format, args...).(*ValidationError))
	}
	switch {
	case strings.TrimSpace(a.Name) == "":
		add("name", "The AI system needs a name.")
	case utf8.RuneCountInString(a.Name) > MaxNameLen:
		add("name", "The name is longer than %d characters.", MaxNameLen)
	}
	if strings.TrimSpace(a.Purpose) == "" {
		add("purpose", "Say what the AI system is for, in a sentence.")
	}
	if utf8.RuneCountInString(a.Type) > MaxNameLen {
		add("type", "The type is longer than %d characters.", MaxNameLen)
	}
	switch {
	case len(a.Roles) == 0:
		add("roles", "Choose the organisation's roles: provider, producer, customer/user or partner (one or more).")
	default:
		for _, r := range a.Roles {
			if !validRole(r) {
				add("roles", "Unknown role %q: use provider, producer, customer/user or partner (an AI subject is an interested party: record it under affected people).", r)
				break
			}
		}
	}
	if !validStage(a.Stage) {
		add("stage", "Unknown life-cycle stage %q.", a.Stage)
	}
	if !validAutomation(a.Automation) {
		add("automation", "Unknown level of automation %q.", a.Automation)
	}
	for _, f := range []struct {
		field, label, v string
	}{
		{"purpose", "purpose", a.Purpose}, {"data_sources", "data sources", a.DataSources}, {"data_categories", "data categories", a.DataCategories},
		{"deployment_context", "deployment context", a.DeploymentContext}, {"jurisdictions", "jurisdictions", a.Jurisdictions},
		{"users", "users", a.Users}, {"affected_people", "affected people", a.AffectedPeople},
		{"human_oversight", "human oversight", a.HumanOversight}, {"third_party", "third-party models and services", a.ThirdParty},
	} {
		if utf8.RuneCountInString(f.v) > MaxTextLen {
			add(f.field, "The %s text is longer than %d characters.", f.label, MaxTextLen)
		}
	}
	if utf8.RuneCountInString(a.Owner) > MaxNameLen {
		add("owner", "The owner is longer than %d characters.", MaxNameLen)
	}
	return out
}

func validRole(r AIRole) bool {
	for _, x := range AIRoles {
		if x == r {
			return true
		}
	}
	return false
}

func validStage(s LifecycleStage) bool {
	for _, x := range LifecycleStages {
		if x == s {
			return true
		}
	}
	return false
}

func validAutomation(a Automation) bool {
	for _, x := range Automations {
		if x == a {
			return true
		}
	}
	return false
}
