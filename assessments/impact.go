package assessments

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Trigger is why an impact assessment is made.
type Trigger string

const (
	TriggerNewSystem Trigger = "new_system"
	TriggerChange    Trigger = "significant_change"
	TriggerPeriodic  Trigger = "periodic_review"
	TriggerIncident  Trigger = "incident"
)

// Triggers in the order a form offers them.
var Triggers = []Trigger{TriggerNewSystem, TriggerChange, TriggerPeriodic, TriggerIncident}

// Label is the trigger as a person reads it.
func (t Trigger) Label() string {
	switch t {
	case "":
		return "not chosen"
	case TriggerNewSystem:
		return "new system"
	case TriggerChange:
		return "significant change"
	case TriggerPeriodic:
		return "periodic review"
	case TriggerIncident:
		return "incident"
	}
	return string(t)
}

// ImpactArea is one area in which an AI system can affect people and society.
type ImpactArea string

const (
	AreaFairness       ImpactArea = "fairness"
	AreaAccountability ImpactArea = "accountability"
	AreaTransparency   ImpactArea = "transparency"
	AreaPrivacy        ImpactArea = "privacy_security"
	AreaSafety         ImpactArea = "safety_health"
	AreaFinancial      ImpactArea = "financial"
	AreaAccessibility  ImpactArea = "accessibility"
	AreaHumanRights    ImpactArea = "human_rights"
	AreaEnvironmental  ImpactArea = "environmental"
	AreaEconomic       ImpactArea = "economic_societal"
)

// ImpactAreas is the fixed list every assessment covers, in this order.
var ImpactAreas = []ImpactArea{AreaFairness, AreaAccountability, AreaTransparency, AreaPrivacy, AreaSafety,
	AreaFinancial, AreaAccessibility, AreaHumanRights, AreaEnvironmental, AreaEconomic}

// Label is the area as a person reads it.
func (a ImpactArea) Label() string {
	switch a {
	case AreaFairness:
		return "Fairness"
	case AreaAccountability:
		return "Accountability"
	case AreaTransparency:
		return "Transparency and explainability"
	case AreaPrivacy:
		return "Privacy and security"
	case AreaSafety:
		return "Safety and health"
	case AreaFinancial:
		return "Financial"
	case AreaAccessibility:
		return "Accessibility"
	case AreaHumanRights:
		return "Human rights"
	case AreaEnvironmental:
		return "Environmental"
	case AreaEconomic:
		return "Economic and societal"
	}
	return string(a)
}

func validArea(a ImpactArea) bool {
	for _, x := range ImpactAreas {
		if x == a {
			return true
		}
	}
	return false
}

// Effect says whether an area brings a benefit, a harm, or nothing material.
type Effect string

const (
	EffectUnassessed Effect = ""
	EffectNone       Effect = "none"
	EffectBenefit    Effect = "benefit"
	EffectHarm       Effect = "harm"
)

// Effects in the order a form cycles through them.
var Effects = []Effect{EffectUnassessed, EffectHarm, EffectBenefit, EffectNone}

// Label is the effect as a person reads it.
func (e Effect) Label() string {
	switch e {
	case EffectUnassessed:
		return "not assessed"
	case EffectNone:
		return "no material effect"
	}
	return string(e)
}

// Reversibility says whether a harm can be undone.
type Reversibility string

const (
	ReversibilityUnstated Reversibility = ""
	Reversible            Reversibility = "reversible"
	PartlyReversible      Reversibility = "partly_reversible"
	Irreversible          Reversibility = "irreversible"
)

// Reversibilities in the order a form cycles through them.
var Reversibilities = []Reversibility{ReversibilityUnstated, Reversible, PartlyReversible, Irreversible}

// Label is the reversibility as a person reads it.
func (r Reversibility) Label() string {
	switch r {
	case ReversibilityUnstated:
		return "not stated"
	case PartlyReversible:
		return "partly reversible"
	}
	return string(r)
}

// ImpactScale says how many people an effect reaches.
type ImpactScale string

const (
	ScaleUnstated   ImpactScale = ""
	ScaleIndividual ImpactScale = "individual"
	ScaleGroup      ImpactScale = "group"
	ScaleSociety    ImpactScale = "society"
)

// ImpactScales in the order a form cycles through them.
var ImpactScales = []ImpactScale{ScaleUnstated, ScaleIndividual, ScaleGroup, ScaleSociety}

// Label is the scale as a person reads it.
func (s ImpactScale) Label() string {
	switch s {
	case ScaleUnstated:
		return "not stated"
	case ScaleIndividual:
		return "individuals"
	case ScaleGroup:
		return "groups of people"
	case ScaleSociety:
		return "society at large"
	}
	return string(s)
}

// impactMeasuresText writes measures as "standard:ref,standard:ref" (how they are stored
// and recorded in the change history).
func impactMeasuresText(refs []ControlRef) string {
	parts := make([]string, len(refs))
	for i, r := range refs {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

// parseImpactMeasures reads what impactMeasuresText wrote.
func parseImpactMeasures(s string) ([]ControlRef, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []ControlRef
	for _, p := range strings.Split(s, ",") {
		c, err := ParseControlRef(strings.TrimSpace(p))
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// ImpactClass is an impact level, and the overall class of an assessment.
type ImpactClass string

const (
	ClassNone   ImpactClass = ""
	ClassLow    ImpactClass = "low"
	ClassMedium ImpactClass = "medium"
	ClassHigh   ImpactClass = "high"
)

// ImpactClasses from lowest to highest.
var ImpactClasses = []ImpactClass{ClassLow, ClassMedium, ClassHigh}

func (c ImpactClass) rank() int {
	switch c {
	case ClassLow:
		return 1
	case ClassMedium:
		return 2
	case ClassHigh:
		return 3
	}
	return 0
}

// ReviewMonths is how long an assessment of a class stays current: high 6 months,
// medium 12, low 36. An unsettled class gets the shortest period: nothing shows it is
// lower.
func ReviewMonths(c ImpactClass) int {
	switch c {
	case ClassLow:
		return 36
	case ClassMedium:
		return 12
	}
	return 6
}

// Impact is the assessment of one area.
type Impact struct {
	Area               ImpactArea
	Effect             Effect
	Description        string
	Severity           int // 1..5, 0 = not rated
	Likelihood         int // 1..5, 0 = not rated
	Reversibility      Reversibility
	Scale              ImpactScale
	Measures           []ControlRef // controls of either standard that reduce the harm
	MeasuresNote       string       // what is done, in words
	ResidualSeverity   int
	ResidualLikelihood int
}

// Harm reports whether the area is assessed as a harm.
func (i Impact) Harm() bool { return i.Effect == EffectHarm }

// Decision is the accountable person's answer to an assessment.
type Decision string

const (
	DecisionNone       Decision = ""
	DecisionApprove    Decision = "approve"
	DecisionConditions Decision = "approve_with_conditions"
	DecisionReject     Decision = "reject"
)

// Decisions in the order a form offers them.
var Decisions = []Decision{DecisionNone, DecisionApprove, DecisionConditions, DecisionReject}

// Label is the decision as a person reads it.
func (d Decision) Label() string {
	switch d {
	case DecisionNone:
		return "no decision yet"
	case DecisionApprove:
		return "approve"
	case DecisionConditions:
		return "approve with conditions"
	case DecisionReject:
		return "reject"
	}
	return string(d)
}

// ImpactState is where a version stands: a draft, or decided (and then frozen).
type ImpactState string

const (
	ImpactDraft       ImpactState = "draft"
	ImpactApproved    ImpactState = "approved"
	ImpactConditional ImpactState = "approved_with_conditions"
	ImpactRejected    ImpactState = "rejected"
)

// Label is the state as a person reads it.
func (s ImpactState) Label() string {
	switch s {
	case ImpactConditional:
		return "approved with conditions"
	case "":
		return "not assessed"
	}
	return string(s)
}

// ImpactAssessment is one version of the impact assessment of one AI system.
type ImpactAssessment struct {
	ID           string
	AISystemID   string
	EngagementID string
	Version      int

	// Step 1: scope and trigger.
	Trigger     Trigger
	TriggerNote string // what changed, or which incident
	Scope       string
	Assessors   string
	// Step 2: system information.
	Purpose      string
	IntendedUses string
	Misuse       string // reasonably foreseeable misuse
	FailureModes string
	// Step 3: data.
	DataSources    string
	DataProvenance string
	DataQuality    string
	KnownBias      string
	// Step 4: model.
	ModelKind     string
	ModelProvider string
	ModelChanges  string // how the model changes over time (retraining, updates)
	// Step 5: deployment environment.
	Geography         string
	Languages         string
	Jurisdictions     string
	DeploymentContext string
	// Step 6: interested parties.
	InterestedParties string
	VulnerableGroups  string
	// Step 7: impacts, one per area in ImpactAreas order.
	Impacts []Impact
	// Step 8: overall class.
	ClassOverride  ImpactClass // "" = follow the rule table (impact_class.go)
	OverrideReason string      // mandatory with an override
	ReviewDate     string      // "" = follows from class and decision date
	// Step 9: decision.
	Decision     Decision
	Approver     string
	DecisionDate string
	Rationale    string
	Conditions   string // mandatory for approve with conditions

	// LastStep is where the wizard was left, so it resumes there.
	LastStep  ImpactStep
	CreatedAt time.Time
	UpdatedAt time.Time
	UpdatedBy string
}

// NewImpactAssessment starts version 1 for a system, prefilled from its inventory entry.
func NewImpactAssessment(sys AISystem) ImpactAssessment {
	a := ImpactAssessment{
		AISystemID: sys.ID, EngagementID: sys.EngagementID, Version: 1, Trigger: TriggerNewSystem,
		Purpose: sys.Purpose, DataSources: sys.DataSources, ModelKind: sys.Type, ModelProvider: sys.ThirdParty,
		Jurisdictions: sys.Jurisdictions, DeploymentContext: sys.DeploymentContext,
	}
	var parties []string
	for _, p := range []string{sys.Users, sys.AffectedPeople} {
		if strings.TrimSpace(p) != "" {
			parties = append(parties, strings.TrimSpace(p))
		}
	}
	a.InterestedParties = strings.Join(parties, "; ")
	a.Normalize()
	return a
}

// ReAssess starts version n+1 from version n: everything assessed is carried over, the
// trigger, decision and explicit review date are cleared so they are decided afresh.
func ReAssess(prev ImpactAssessment) ImpactAssessment {
	next := prev.Clone()
	next.ID = ""
	next.Version = prev.Version + 1
	next.Trigger, next.TriggerNote = "", ""
	next.ReviewDate = ""
	next.Decision, next.Approver, next.DecisionDate, next.Rationale, next.Conditions = DecisionNone, "", "", "", ""
	next.LastStep = StepScope
	next.CreatedAt, next.UpdatedAt, next.UpdatedBy = time.Time{}, time.Time{}, ""
	next.Normalize()
	return next
}

// Clone returns a copy that shares no slices with a, so an edit of the copy (a form's
// "after") leaves the original (its "before") as it was.
func (a ImpactAssessment) Clone() ImpactAssessment {
	c := a
	c.Impacts = make([]Impact, len(a.Impacts))
	for i, im := range a.Impacts {
		im.Measures = append([]ControlRef(nil), im.Measures...)
		c.Impacts[i] = im
	}
	return c
}

// Normalize makes Impacts hold exactly one entry per area, in ImpactAreas order.
func (a *ImpactAssessment) Normalize() {
	by := map[ImpactArea]Impact{}
	for _, im := range a.Impacts {
		by[im.Area] = im
	}
	out := make([]Impact, len(ImpactAreas))
	for i, area := range ImpactAreas {
		im := by[area]
		im.Area = area
		out[i] = im
	}
	a.Impacts = out
}

// Impact returns the assessment of an area (a blank one when missing).
func (a ImpactAssessment) Impact(area ImpactArea) Impact {
	for _, im := range a.Impacts {
		if im.Area == area {
			return im
		}
	}
	return Impact{Area: area}
}

// Derivation is the class the rule table (impact_class.go) gives the worst residual harm,
// with the rule and the area that set it, or why it is not settled yet.
func (a ImpactAssessment) Derivation() ClassDerivation { return DeriveClass(a.Impacts) }

// DerivedClass is the class of the worst residual harm by the rule table; "" while an area
// is not assessed or a harm is not fully rated (never "low" by default).
func (a ImpactAssessment) DerivedClass() ImpactClass { return a.Derivation().Class }

// Class is the overall class: the override when one is given, else the derived class.
func (a ImpactAssessment) Class() ImpactClass {
	if a.ClassOverride != ClassNone {
		return a.ClassOverride
	}
	return a.DerivedClass()
}

// ClassSettled reports whether the assessment has a class: derived from fully rated harms
// of every area, or set by hand with a reason.
func (a ImpactAssessment) ClassSettled() bool { return a.Class() != ClassNone }

// State is draft until a decision is recorded.
func (a ImpactAssessment) State() ImpactState {
	switch a.Decision {
	case DecisionApprove:
		return ImpactApproved
	case DecisionConditions:
		return ImpactConditional
	case DecisionReject:
		return ImpactRejected
	}
	return ImpactDraft
}

// Frozen reports whether the version is decided and may no longer change.
func (a ImpactAssessment) Frozen() bool { return a.Decision != DecisionNone }

// DefaultReviewDate is the decision date plus the class's review period ("" without an
// approval: a draft has no review date yet, a rejected system is not in use).
func (a ImpactAssessment) DefaultReviewDate() string {
	if a.Decision != DecisionApprove && a.Decision != DecisionConditions {
		return ""
	}
	d, err := ParseDate(a.DecisionDate)
	if err != nil || d.IsZero() {
		return ""
	}
	return d.AddDate(0, ReviewMonths(a.Class()), 0).Format(DateLayout)
}

// NextReview is the explicit review date when one is set, else the default.
func (a ImpactAssessment) NextReview() string {
	if a.ReviewDate != "" {
		return a.ReviewDate
	}
	return a.DefaultReviewDate()
}

// ReviewOverdue reports whether an approved version's next review lies before today.
func (a ImpactAssessment) ReviewOverdue(now time.Time) bool {
	if a.State() != ImpactApproved && a.State() != ImpactConditional {
		return false
	}
	return Overdue(a.NextReview(), now)
}

// FrozenError refuses an edit of a decided version.
type FrozenError struct {
	Version  int
	State    ImpactState
	Approver string
	Date     string
}

func (e *FrozenError) Error() string {
	return fmt.Sprintf("Version %d was %s by %s on %s and is frozen; re-assess to start version %d.",
		e.Version, e.State.Label(), e.Approver, e.Date, e.Version+1)
}

// CheckEditable returns a *FrozenError for a decided version.
func (a ImpactAssessment) CheckEditable() error {
	if !a.Frozen() {
		return nil
	}
	return &FrozenError{Version: a.Version, State: a.State(), Approver: a.Approver, Date: a.DecisionDate}
}

// ImpactStep is one page of the guided assessment.
type ImpactStep int

const (
	StepScope ImpactStep = iota
	StepSystem
	StepData
	StepModel
	StepDeployment
	StepParties
	StepImpacts
	StepClass
	StepDecision
)

// ImpactSteps in wizard order.
var ImpactSteps = []ImpactStep{StepScope, StepSystem, StepData, StepModel, StepDeployment, StepParties, StepImpacts, StepClass, StepDecision}

// Title is the step's heading.
func (s ImpactStep) Title() string {
	switch s {
	case StepScope:
		return "Scope and trigger"
	case StepSystem:
		return "System information"
	case StepData:
		return "Data"
	case StepModel:
		return "Model"
	case StepDeployment:
		return "Deployment environment"
	case StepParties:
		return "Interested parties"
	case StepImpacts:
		return "Impacts per area"
	case StepClass:
		return "Overall class and review"
	case StepDecision:
		return "Decision"
	}
	return fmt.Sprintf("step %d", int(s)+1)
}

// Valid reports whether s is a known step.
func (s ImpactStep) Valid() bool { return s >= StepScope && s <= StepDecision }

// ImpactFields are the per-area field names; the full name is "impact.<area>.<field>".
var ImpactFields = []string{"effect", "description", "severity", "likelihood", "reversibility", "scale", "measures", "measures_note", "residual_severity", "residual_likelihood"}

// ImpactField is the full field name of one area's field.
func ImpactField(area ImpactArea, field string) string { return "impact." + string(area) + "." + field }

// Fields are the field names that belong to a step (ValidationError.Field uses them).
func (s ImpactStep) Fields() []string {
	switch s {
	case StepScope:
		return []string{"trigger", "trigger_note", "scope", "assessors"}
	case StepSystem:
		return []string{"purpose", "intended_uses", "misuse", "failure_modes"}
	case StepData:
		return []string{"data_sources", "data_provenance", "data_quality", "known_bias"}
	case StepModel:
		return []string{"model_kind", "model_provider", "model_changes"}
	case StepDeployment:
		return []string{"geography", "languages", "jurisdictions", "deployment_context"}
	case StepParties:
		return []string{"interested_parties", "vulnerable_groups"}
	case StepImpacts:
		var out []string
		for _, a := range ImpactAreas {
			for _, f := range ImpactFields {
				out = append(out, ImpactField(a, f))
			}
		}
		return out
	case StepClass:
		return []string{"class_override", "override_reason", "review_date"}
	case StepDecision:
		return []string{"decision", "approver", "decision_date", "rationale", "conditions"}
	}
	return nil
}

// StepOfField is the step a field belongs to.
func StepOfField(field string) (ImpactStep, bool) {
	if strings.HasPrefix(field, "impact.") {
		return StepImpacts, true
	}
	for _, s := range ImpactSteps {
		for _, f := range s.Fields() {
			if f == field {
				return s, true
			}
		}
	}
	return 0, false
}

// Check modes: a draft must be well-formed; a complete step must also have what the
// assessment needs before a decision.
const (
	CheckDraft    = false
	CheckComplete = true
)

// CheckStep lists every problem of one step. With complete false only malformed input
// counts (lengths, ranges, dates, a class override without its reason, a decision without
// its approver); with complete true the step must also be filled in.
func (a ImpactAssessment) CheckStep(s ImpactStep, complete bool) []*ValidationError {
	var out []*ValidationError
	add := func(field, format string, args ...any) {
		out = append(out, &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	text := func(field, label, v string, required bool, hint string) {
		switch {
		case utf8.RuneCountInString(v) > MaxTextLen:
			add(field, "The %s text is longer than %d characters.", label, MaxTextLen)
		case required && complete && strings.TrimSpace(v) == "":
			add(field, "%s", hint)
		}
	}
	switch s {
	case StepScope:
		switch {
		case a.Trigger == "" && complete:
			add("trigger", "Choose what triggered this assessment.")
		case a.Trigger != "" && !validTrigger(a.Trigger):
			add("trigger", "Unknown trigger %q.", a.Trigger)
		}
		needNote := a.Trigger == TriggerChange || a.Trigger == TriggerIncident
		text("trigger_note", "trigger", a.TriggerNote, needNote, "Say what changed or which incident led to this assessment.")
		text("scope", "scope", a.Scope, true, "Describe what the assessment covers.")
		if utf8.RuneCountInString(a.Assessors) > MaxNameLen {
			add("assessors", "The assessors are longer than %d characters.", MaxNameLen)
		}
	case StepSystem:
		text("purpose", "purpose", a.Purpose, true, "State the system's purpose.")
		text("intended_uses", "intended uses", a.IntendedUses, true, "List the intended uses.")
		text("misuse", "misuse", a.Misuse, true, "Name the reasonably foreseeable misuse (write \"none foreseen\" if you looked and found none).")
		text("failure_modes", "failure modes", a.FailureModes, true, "Describe how the system can fail and what follows.")
	case StepData:
		text("data_sources", "data sources", a.DataSources, true, "Name the data sources.")
		text("data_provenance", "provenance", a.DataProvenance, false, "")
		text("data_quality", "data quality", a.DataQuality, false, "")
		text("known_bias", "known bias", a.KnownBias, true, "Record known bias in the data (write \"none known\" if none was found).")
	case StepModel:
		text("model_kind", "model kind", a.ModelKind, true, "Say what kind of model it is.")
		text("model_provider", "model provider", a.ModelProvider, false, "")
		text("model_changes", "model changes", a.ModelChanges, false, "")
	case StepDeployment:
		text("geography", "geography", a.Geography, false, "")
		text("languages", "languages", a.Languages, false, "")
		text("jurisdictions", "jurisdictions", a.Jurisdictions, true, "Name the jurisdictions the system is used in.")
		text("deployment_context", "deployment context", a.DeploymentContext, true, "Describe where and how the system is used.")
	case StepParties:
		text("interested_parties", "interested parties", a.InterestedParties, true, "List the interested parties the system affects.")
		text("vulnerable_groups", "vulnerable groups", a.VulnerableGroups, true, "Name vulnerable groups (write \"none identified\" if you looked and found none).")
	case StepImpacts:
		for _, im := range a.Impacts {
			out = append(out, im.check(complete)...)
		}
	case StepClass:
		switch {
		case a.ClassOverride != ClassNone && a.ClassOverride.rank() == 0:
			add("class_override", "Unknown class %q: use low, medium or high.", a.ClassOverride)
		case a.ClassOverride != ClassNone && strings.TrimSpace(a.OverrideReason) == "":
			add("override_reason", "Overriding the class from %s to %s needs a reason.", a.DerivedClass().Label(), a.ClassOverride)
		}
		text("override_reason", "reason", a.OverrideReason, false, "")
		if _, err := ParseDate(a.ReviewDate); err != nil {
			add("review_date", "%s", err.Error())
		} else if a.ReviewDate != "" && a.DecisionDate != "" && a.ReviewDate <= a.DecisionDate {
			add("review_date", "The next review must come after the decision date (%s).", a.DecisionDate)
		}
	case StepDecision:
		out = append(out, a.checkDecision()...)
	}
	return out
}

func (a ImpactAssessment) checkDecision() []*ValidationError {
	var out []*ValidationError
	add := func(field, format string, args ...any) {
		out = append(out, &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	valid := false
	for _, d := range Decisions {
		valid = valid || d == a.Decision
	}
	if !valid {
		add("decision", "Unknown decision %q.", a.Decision)
		return out
	}
	if utf8.RuneCountInString(a.Approver) > MaxNameLen {
		add("approver", "The approver's name is longer than %d characters.", MaxNameLen)
	}
	if _, err := ParseDate(a.DecisionDate); err != nil {
		add("decision_date", "%s", err.Error())
	}
	for _, f := range []struct{ field, v string }{{"rationale", a.Rationale}, {"conditions", a.Conditions}} {
		if utf8.RuneCountInString(f.v) > MaxTextLen {
			add(f.field, "The %s is longer than %d characters.", f.field, MaxTextLen)
		}
	}
	if a.Decision == DecisionNone {
		return out
	}
	// A decision is final, so it must be complete whatever the mode.
	if strings.TrimSpace(a.Approver) == "" {
		add("approver", "Name the person who takes the decision.")
	}
	if a.DecisionDate == "" {
		add("decision_date", "Give the date of the decision.")
	}
	if strings.TrimSpace(a.Rationale) == "" {
		add("rationale", "Say why: the rationale is part of the record.")
	}
	if a.Decision == DecisionConditions && strings.TrimSpace(a.Conditions) == "" {
		add("conditions", "List the conditions of the approval.")
	}
	return out
}

func (im Impact) check(complete bool) []*ValidationError {
	var out []*ValidationError
	f := func(name string) string { return ImpactField(im.Area, name) }
	add := func(field, format string, args ...any) {
		out = append(out, &ValidationError{Field: f(field), Message: fmt.Sprintf(format, args...)})
	}
	label := im.Area.Label()
	if !validArea(im.Area) {
		add("effect", "Unknown impact area %q.", im.Area)
		return out
	}
	switch im.Effect {
	case EffectUnassessed, EffectNone, EffectBenefit, EffectHarm:
	default:
		add("effect", "%s: unknown effect %q.", label, im.Effect)
	}
	for _, r := range []struct {
		field string
		v     int
	}{{"severity", im.Severity}, {"likelihood", im.Likelihood}, {"residual_severity", im.ResidualSeverity}, {"residual_likelihood", im.ResidualLikelihood}} {
		if r.v < 0 || r.v > 5 {
			add(r.field, "%s: %s must be between 1 and 5.", label, strings.ReplaceAll(r.field, "_", " "))
		}
	}
	switch im.Reversibility {
	case ReversibilityUnstated, Reversible, PartlyReversible, Irreversible:
	default:
		add("reversibility", "%s: unknown reversibility %q.", label, im.Reversibility)
	}
	switch im.Scale {
	case ScaleUnstated, ScaleIndividual, ScaleGroup, ScaleSociety:
	default:
		add("scale", "%s: unknown scale %q.", label, im.Scale)
	}
	for _, name := range []struct{ field, v string }{{"description", im.Description}, {"measures_note", im.MeasuresNote}} {
		if utf8.RuneCountInString(name.v) > MaxTextLen {
			add(name.field, "%s: the text is longer than %d characters.", label, MaxTextLen)
		}
	}
	for _, m := range im.Measures {
		if m.Standard == "" || m.Ref == "" {
			add("measures", "%s: a measure needs a standard and a ref.", label)
			break
		}
	}
	if len(out) > 0 || !complete {
		return out
	}
	switch im.Effect {
	case EffectUnassessed:
		add("effect", "%s: say whether the system brings a harm, a benefit or no material effect.", label)
	case EffectBenefit:
		if strings.TrimSpace(im.Description) == "" {
			add("description", "%s: describe the benefit.", label)
		}
	case EffectHarm:
		if strings.TrimSpace(im.Description) == "" {
			add("description", "%s: describe the harm.", label)
		}
		for _, r := range []struct {
			field string
			v     int
		}{{"severity", im.Severity}, {"likelihood", im.Likelihood}, {"residual_severity", im.ResidualSeverity}, {"residual_likelihood", im.ResidualLikelihood}} {
			if r.v == 0 {
				add(r.field, "%s: rate the %s from 1 to 5.", label, strings.ReplaceAll(r.field, "_", " "))
			}
		}
		if im.Reversibility == ReversibilityUnstated {
			add("reversibility", "%s: say whether the harm can be reversed.", label)
		}
		if im.Scale == ScaleUnstated {
			add("scale", "%s: say how many people the harm reaches.", label)
		}
		if im.ResidualSeverity > im.Severity && im.Severity > 0 {
			add("residual_severity", "%s: residual severity cannot exceed the severity before measures (%d).", label, im.Severity)
		}
		if im.ResidualLikelihood > im.Likelihood && im.Likelihood > 0 {
			add("residual_likelihood", "%s: residual likelihood cannot exceed the likelihood before measures (%d).", label, im.Likelihood)
		}
		lowered := im.ResidualSeverity < im.Severity || im.ResidualLikelihood < im.Likelihood
		if lowered && len(im.Measures) == 0 && strings.TrimSpace(im.MeasuresNote) == "" {
			add("measures", "%s: the residual is lower than before measures; name the controls or describe the measures.", label)
		}
	}
	return out
}

func validTrigger(t Trigger) bool {
	for _, x := range Triggers {
		if x == t {
			return true
		}
	}
	return false
}

// Validate checks the whole assessment as the store does before every save: every step
// well-formed and, when a decision is recorded, every step complete.
func (a ImpactAssessment) Validate() error {
	if a.Version < 1 {
		return invalid("version", "The version must be 1 or more.")
	}
	if !a.LastStep.Valid() {
		return invalid("last_step", "Unknown wizard step %d.", int(a.LastStep)+1)
	}
	for _, s := range ImpactSteps {
		if p := a.CheckStep(s, CheckDraft); len(p) > 0 {
			return p[0]
		}
	}
	if a.Decision != DecisionNone {
		return a.ReadyForDecision()
	}
	return nil
}

// ReadyForDecision returns a *ValidationError on field "decision" naming the first step
// that is not complete, or nil when a decision can be recorded.
func (a ImpactAssessment) ReadyForDecision() error {
	for _, s := range ImpactSteps[:len(ImpactSteps)-1] {
		if p := a.CheckStep(s, CheckComplete); len(p) > 0 {
			return invalid("decision", "Complete step %d of %d (%s) before a decision: %s", int(s)+1, len(ImpactSteps), s.Title(), p[0].Message)
		}
	}
	return nil
}

// FirstIncomplete is the first step that is not complete (the last step when all are).
func (a ImpactAssessment) FirstIncomplete() ImpactStep {
	for _, s := range ImpactSteps {
		if len(a.CheckStep(s, CheckComplete)) > 0 {
			return s
		}
	}
	return StepDecision
}

// ImpactAssessmentMap flattens an assessment into field → text, the form the store diffs
// and the change history records. Fields are those of ImpactSteps (plus "last_step").
func ImpactAssessmentMap(a ImpactAssessment) map[string]string {
	m := map[string]string{
		"trigger": string(a.Trigger), "trigger_note": a.TriggerNote, "scope": a.Scope, "assessors": a.Assessors,
		"purpose": a.Purpose, "intended_uses": a.IntendedUses, "misuse": a.Misuse, "failure_modes": a.FailureModes,
		"data_sources": a.DataSources, "data_provenance": a.DataProvenance, "data_quality": a.DataQuality, "known_bias": a.KnownBias,
		"model_kind": a.ModelKind, "model_provider": a.ModelProvider, "model_changes": a.ModelChanges,
		"geography": a.Geography, "languages": a.Languages, "jurisdictions": a.Jurisdictions, "deployment_context": a.DeploymentContext,
		"interested_parties": a.InterestedParties, "vulnerable_groups": a.VulnerableGroups,
		"class_override": string(a.ClassOverride), "override_reason": a.OverrideReason, "review_date": a.ReviewDate,
		"decision": string(a.Decision), "approver": a.Approver, "decision_date": a.DecisionDate, "rationale": a.Rationale, "conditions": a.Conditions,
		"last_step": numText(int(a.LastStep)),
	}
	for _, area := range ImpactAreas {
		im := a.Impact(area)
		m[ImpactField(area, "effect")] = string(im.Effect)
		m[ImpactField(area, "description")] = im.Description
		m[ImpactField(area, "severity")] = numText(im.Severity)
		m[ImpactField(area, "likelihood")] = numText(im.Likelihood)
		m[ImpactField(area, "reversibility")] = string(im.Reversibility)
		m[ImpactField(area, "scale")] = string(im.Scale)
		m[ImpactField(area, "measures")] = impactMeasuresText(im.Measures)
		m[ImpactField(area, "measures_note")] = im.MeasuresNote
		m[ImpactField(area, "residual_severity")] = numText(im.ResidualSeverity)
		m[ImpactField(area, "residual_likelihood")] = numText(im.ResidualLikelihood)
	}
	return m
}

// numText writes a rating or step; 0 (not rated, first step) is written as "" so a new
// assessment records only what was filled in.
func numText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// ImpactAssessmentFields lists every field of ImpactAssessmentMap in a stable order.
func ImpactAssessmentFields() []string {
	var out []string
	for _, s := range ImpactSteps {
		out = append(out, s.Fields()...)
	}
	return append(out, "last_step")
}

// ImpactAssessmentFromMap rebuilds the editable content from a map made by
// ImpactAssessmentMap; identity fields (ids, version, times) come from base.
func ImpactAssessmentFromMap(base ImpactAssessment, m map[string]string) (ImpactAssessment, error) {
	a := base
	a.Trigger, a.TriggerNote, a.Scope, a.Assessors = Trigger(m["trigger"]), m["trigger_note"], m["scope"], m["assessors"]
	a.Purpose, a.IntendedUses, a.Misuse, a.FailureModes = m["purpose"], m["intended_uses"], m["misuse"], m["failure_modes"]
	a.DataSources, a.DataProvenance, a.DataQuality, a.KnownBias = m["data_sources"], m["data_provenance"], m["data_quality"], m["known_bias"]
	a.ModelKind, a.ModelProvider, a.ModelChanges = m["model_kind"], m["model_provider"], m["model_changes"]
	a.Geography, a.Languages, a.Jurisdictions, a.DeploymentContext = m["geography"], m["languages"], m["jurisdictions"], m["deployment_context"]
	a.InterestedParties, a.VulnerableGroups = m["interested_parties"], m["vulnerable_groups"]
	a.ClassOverride, a.OverrideReason, a.ReviewDate = ImpactClass(m["class_override"]), m["override_reason"], m["review_date"]
	a.Decision, a.Approver, a.DecisionDate, a.Rationale, a.Conditions = Decision(m["decision"]), m["approver"], m["decision_date"], m["rationale"], m["conditions"]
	num := func(field string) (int, error) {
		v := m[field]
		if v == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, fmt.Errorf("%s %q is not a number", field, v)
		}
		return n, nil
	}
	step, err := num("last_step")
	if err != nil {
		return a, err
	}
	a.LastStep = ImpactStep(step)
	a.Impacts = make([]Impact, len(ImpactAreas))
	for i, area := range ImpactAreas {
		im := Impact{Area: area, Effect: Effect(m[ImpactField(area, "effect")]), Description: m[ImpactField(area, "description")],
			Reversibility: Reversibility(m[ImpactField(area, "reversibility")]), Scale: ImpactScale(m[ImpactField(area, "scale")]),
			MeasuresNote: m[ImpactField(area, "measures_note")]}
		for _, p := range []struct {
			field string
			dst   *int
		}{{"severity", &im.Severity}, {"likelihood", &im.Likelihood}, {"residual_severity", &im.ResidualSeverity}, {"residual_likelihood", &im.ResidualLikelihood}} {
			if *p.dst, err = num(ImpactField(area, p.field)); err != nil {
				return a, err
			}
		}
		if im.Measures, err = parseImpactMeasures(m[ImpactField(area, "measures")]); err != nil {
			return a, err
		}
		a.Impacts[i] = im
	}
	return a, nil
}

// LatestAssessment is one AI system with its newest assessment version, if any.
type LatestAssessment struct {
	System   AISystem
	Latest   *ImpactAssessment // newest version; nil when the system was never assessed
	InForce  *ImpactAssessment // newest approved version (with or without conditions), if any
	Versions int
	// NextReview and Overdue follow the version in force: a re-assessment still in draft
	// does not make an overdue review current.
	NextReview string
	Overdue    bool
}

// ImpactSummary is what the gap analysis and dashboard show about impact assessments.
type ImpactSummary struct {
	Systems     int
	Assessments int // versions in all
	NotAssessed int // systems without any assessment
	Drafts      int // systems whose latest version is a draft
	Approved    int // systems whose latest version is approved (with or without conditions)
	Rejected    int // systems whose latest version is rejected
	Overdue     int // systems whose approved version is past its review date
	Latest      []LatestAssessment
}

// SummarizeImpacts builds the summary from the inventory and each system's versions
// (any order). now decides which reviews are overdue.
func SummarizeImpacts(systems []AISystem, versions map[string][]ImpactAssessment, now time.Time) ImpactSummary {
	var s ImpactSummary
	s.Systems = len(systems)
	for _, sys := range systems {
		la := LatestAssessment{System: sys}
		vs := versions[sys.ID]
		for i := range vs {
			a := &vs[i]
			s.Assessments++
			la.Versions++
			if la.Latest == nil || a.Version > la.Latest.Version {
				la.Latest = a
			}
			if st := a.State(); (st == ImpactApproved || st == ImpactConditional) && (la.InForce == nil || a.Version > la.InForce.Version) {
				la.InForce = a
			}
		}
		if la.InForce != nil {
			la.NextReview = la.InForce.NextReview()
			la.Overdue = la.InForce.ReviewOverdue(now)
		}
		if la.Latest == nil {
			s.NotAssessed++
		} else {
			switch la.Latest.State() {
			case ImpactDraft:
				s.Drafts++
			case ImpactApproved, ImpactConditional:
				s.Approved++
			case ImpactRejected:
				s.Rejected++
			}
		}
		if la.Overdue {
			s.Overdue++
		}
		s.Latest = append(s.Latest, la)
	}
	return s
}

// areaObjectives are the ISO/IEC 42001 Annex C objectives an impact area speaks to.
var areaObjectives = map[ImpactArea][]string{
	AreaFairness:       {"fairness"},
	AreaAccountability: {"accountability"},
	AreaTransparency:   {"transparency_explainability"},
	AreaPrivacy:        {"privacy", "security"},
	AreaSafety:         {"safety"},
	AreaAccessibility:  {"fairness"},
	AreaHumanRights:    {"fairness", "privacy"},
	AreaEnvironmental:  {"environmental_impact"},
}

// RiskFromImpact prefills an AI risk of the register from a harm of an assessment: the
// harm becomes the scenario, the ratings are carried onto the matrix's scale (severity as
// consequence), the measures become existing controls, and the risk is linked to the AI
// system. label names a requirement for the text ("ISO 42001 A.6.2.4"); nil uses
// "standard ref". The caller stores it; the register allocates its ref.
func RiskFromImpact(sys AISystem, a ImpactAssessment, area ImpactArea, matrixSize int, label func(ControlRef) string) (Risk, error) {
	im := a.Impact(area)
	if !im.Harm() {
		return Risk{}, invalid(ImpactField(area, "effect"), "%s is not assessed as a harm, so there is no risk to raise from it.", area.Label())
	}
	if label == nil {
		label = func(c ControlRef) string { return c.Standard + " " + c.Ref }
	}
	summary := strings.TrimSpace(strings.SplitN(strings.TrimSpace(im.Description), "\n", 2)[0])
	title := fmt.Sprintf("%s: %s harm", sys.Name, strings.ToLower(area.Label()))
	if summary != "" {
		title += " — " + summary
	}
	if r := []rune(title); len(r) > 120 {
		title = string(r[:119]) + "…"
	}
	var measures []string
	for _, m := range im.Measures {
		measures = append(measures, label(m))
	}
	existing := strings.Join(measures, "; ")
	if note := strings.TrimSpace(im.MeasuresNote); note != "" {
		if existing != "" {
			existing += "\n"
		}
		existing += note
	}
	r := Risk{
		EngagementID: a.EngagementID,
		Title:        title,
		Description: fmt.Sprintf("Raised from the impact assessment of %s, version %d, area %s: residual severity %d and likelihood %d (%s), %s, reaching %s.",
			sys.Name, a.Version, area.Label(), im.ResidualSeverity, im.ResidualLikelihood, im.ResidualClass(), im.Reversibility.Label(), im.Scale.Label()),
		Scope:            ScopeAI,
		Approach:         ApproachEvent,
		Scenario:         im.Description,
		Asset:            sys.Name,
		AISystemID:       sys.ID,
		Owner:            sys.Owner,
		Objectives:       append([]string(nil), areaObjectives[area]...),
		Inherent:         Score{Likelihood: RescaleValue(im.Likelihood, 5, matrixSize), Consequence: RescaleValue(im.Severity, 5, matrixSize)},
		Residual:         Score{Likelihood: RescaleValue(im.ResidualLikelihood, 5, matrixSize), Consequence: RescaleValue(im.ResidualSeverity, 5, matrixSize)},
		ExistingControls: existing,
		Status:           RiskOpen,
	}
	if r.Inherent.Likelihood == 0 || r.Inherent.Consequence == 0 {
		r.Inherent = r.Residual
	}
	if !r.Residual.Set() {
		r.Residual = Score{}
	}
	if im.Scale == ScaleSociety {
		r.ConsequenceSociety = im.Description
	} else {
		r.ConsequenceIndividuals = im.Description
	}
	return r, nil
}
