package assessments

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/annex-grc/annex/catalogs"
)

// RiskScope says which management system a risk belongs to.
type RiskScope string

const (
	ScopeSecurity RiskScope = "security" // information security (27001)
	ScopeAI       RiskScope = "ai"       // AI (42001)
	ScopeBoth     RiskScope = "both"
)

// RiskScopes in display order.
var RiskScopes = []RiskScope{ScopeSecurity, ScopeAI, ScopeBoth}

// Label is the human text of a scope.
func (s RiskScope) Label() string {
	switch s {
	case ScopeSecurity:
		return "information security"
	case ScopeAI:
		return "AI"
	case ScopeBoth:
		return "both"
	}
	return string(s)
}

// Short is the scope in a narrow table cell.
func (s RiskScope) Short() string {
	switch s {
	case ScopeSecurity:
		return "Sec"
	case ScopeAI:
		return "AI"
	case ScopeBoth:
		return "Both"
	}
	return string(s)
}

// Security reports whether the scope covers information security.
func (s RiskScope) Security() bool { return s == ScopeSecurity || s == ScopeBoth }

// AI reports whether the scope covers AI.
func (s RiskScope) AI() bool { return s == ScopeAI || s == ScopeBoth }

// RiskApproach is how a risk was identified: from an asset, threat and vulnerability, or
// from an event scenario (27001 6.1.2 allows either).
type RiskApproach string

const (
	ApproachAsset RiskApproach = "asset"
	ApproachEvent RiskApproach = "event"
)

// RiskApproaches in display order.
var RiskApproaches = []RiskApproach{ApproachAsset, ApproachEvent}

// Label is the human text of an approach.
func (a RiskApproach) Label() string {
	switch a {
	case ApproachAsset:
		return "asset-based"
	case ApproachEvent:
		return "event-based"
	}
	return "not stated"
}

// Treatment is the option chosen for a risk. Empty means not decided yet.
type Treatment string

const (
	TreatModify Treatment = "modify"
	TreatRetain Treatment = "retain"
	TreatAvoid  Treatment = "avoid"
	TreatShare  Treatment = "share"
)

// Treatments in display order.
var Treatments = []Treatment{TreatModify, TreatRetain, TreatAvoid, TreatShare}

// Label is the human text of a treatment.
func (t Treatment) Label() string {
	if t == "" {
		return "undecided"
	}
	return string(t)
}

// RiskStatus is where a risk stands in its life.
type RiskStatus string

const (
	RiskOpen        RiskStatus = "open"
	RiskInTreatment RiskStatus = "in_treatment"
	RiskAccepted    RiskStatus = "accepted"
	RiskClosed      RiskStatus = "closed"
)

// RiskStatuses in display order.
var RiskStatuses = []RiskStatus{RiskOpen, RiskInTreatment, RiskAccepted, RiskClosed}

// Label is the human text of a risk status.
func (s RiskStatus) Label() string {
	switch s {
	case RiskInTreatment:
		return "in treatment"
	case "":
		return string(RiskOpen)
	}
	return string(s)
}

// Short is the status in a narrow table cell.
func (s RiskStatus) Short() string {
	if s == RiskInTreatment {
		return "treating"
	}
	return s.Label()
}

// CIA properties a security risk may concern.
const (
	PropConfidentiality = "confidentiality"
	PropIntegrity       = "integrity"
	PropAvailability    = "availability"
)

// CIAProperties in display order.
var CIAProperties = []string{PropConfidentiality, PropIntegrity, PropAvailability}

// ControlRef names a requirement of a catalog (a control, usually) that a risk treatment
// or an impact measure links. Shared by the risk register and impact assessments.
type ControlRef struct {
	Standard string
	Ref      string
}

// String is "standard:ref", the form kept in the change history.
func (c ControlRef) String() string { return c.Standard + ":" + c.Ref }

// ParseControlRef reads "standard:ref".
func ParseControlRef(s string) (ControlRef, error) {
	std, ref, ok := strings.Cut(s, ":")
	if !ok || std == "" || ref == "" {
		return ControlRef{}, fmt.Errorf("%q is not a control reference; use standard:ref, for example %s:A.5.15", s, catalogs.ISO27001)
	}
	return ControlRef{Standard: std, Ref: ref}, nil
}

// SortControls orders links by standard, then naturally by ref.
func SortControls(cs []ControlRef) {
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].Standard != cs[j].Standard {
			return cs[i].Standard < cs[j].Standard
		}
		return catalogs.CompareRefs(cs[i].Ref, cs[j].Ref) < 0
	})
}

// Acceptance is the risk owner's acceptance of a residual risk. It is frozen once given:
// Residual keeps the score it was given for, so a later change of the residual shows.
type Acceptance struct {
	By        string
	Date      string // YYYY-MM-DD
	Rationale string
	Residual  Score
}

// Risk is one entry of an engagement's risk register.
type Risk struct {
	ID           string
	EngagementID string
	Ref          string // R-001, allocated per engagement by the store
	Title        string
	Description  string
	Scope        RiskScope
	Approach     RiskApproach
	// Asset-based identification.
	Source        string // risk source
	Threat        string
	Vulnerability string
	// Event-based identification.
	Scenario string
	Asset    string // affected asset or AI system, in words
	// AISystemID links an AI system of the inventory once there is one.
	AISystemID string
	Owner      string
	Properties []string // C/I/A concerned (security risks)
	Objectives []string // 42001 Annex C objectives concerned (AI risks)
	Sources    []string // 42001 Annex C risk sources concerned (AI risks)
	// Consequences to the organisation, to individuals and to society.
	ConsequenceOrg         string
	ConsequenceIndividuals string
	ConsequenceSociety     string
	Inherent               Score
	ExistingControls       string
	Treatment              Treatment
	TreatmentPlan          string
	Controls               []ControlRef
	Residual               Score // zero: not scored yet
	Acceptance             *Acceptance
	ReviewDate             string // YYYY-MM-DD or empty
	Status                 RiskStatus
	CreatedAt, UpdatedAt   time.Time
	UpdatedBy              string
}

// EffectiveResidual is what remains of the risk: the residual score once it is scored,
// else the inherent score (nothing has reduced it yet).
func (r Risk) EffectiveResidual() Score {
	if r.Residual.Set() {
		return r.Residual
	}
	return r.Inherent
}

// EffectiveStatus treats an empty status as open.
func (r Risk) EffectiveStatus() RiskStatus {
	if r.Status == "" {
		return RiskOpen
	}
	return r.Status
}

// AcceptanceStale reports whether the risk has an acceptance given for another residual
// score than the one it has now.
func (r Risk) AcceptanceStale() bool {
	return r.Acceptance != nil && r.Acceptance.Residual != r.EffectiveResidual()
}

// NeedsAcceptance is the rule "retaining a risk above the threshold needs acceptance":
// true when the risk is retained, its residual level is above the matrix's threshold and
// it has no acceptance record.
func (r Risk) NeedsAcceptance(m Matrix) bool {
	return r.Treatment == TreatRetain && m.AboveThreshold(r.EffectiveResidual()) && r.Acceptance == nil
}

// ReviewOverdue reports whether the review date has passed and the risk is not closed.
func (r Risk) ReviewOverdue(now time.Time) bool {
	return r.EffectiveStatus() != RiskClosed && Overdue(r.ReviewDate, now)
}

// LinksControl reports whether the risk's treatment links (standard, ref).
func (r Risk) LinksControl(standard, ref string) bool {
	return slices.Contains(r.Controls, ControlRef{Standard: standard, Ref: ref})
}

// RiskSeq reads the number of a ref such as "R-012" (0 when it is not one).
func RiskSeq(ref string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(ref, "R-"))
	if err != nil || !strings.HasPrefix(ref, "R-") {
		return 0
	}
	return n
}

// RiskRef formats the n-th risk reference of an engagement.
func RiskRef(n int) string { return fmt.Sprintf("R-%03d", n) }

// NextAcceptance decides the acceptance record after a form edit. Blank by, date and
// rationale withdraw the acceptance. The same three values keep the existing record as it
// is (frozen, with the residual it was given for). Anything else is a new acceptance,
// given for the residual the risk has now.
func NextAcceptance(prev *Acceptance, by, date, rationale string, residual Score) *Acceptance {
	by, date, rationale = strings.TrimSpace(by), strings.TrimSpace(date), strings.TrimSpace(rationale)
	if by == "" && date == "" && rationale == "" {
		return nil
	}
	if prev != nil && prev.By == by && prev.Date == date && prev.Rationale == rationale {
		return prev
	}
	return &Acceptance{By: by, Date: date, Rationale: rationale, Residual: residual}
}

// AmendAcceptance decides the acceptance record after the risk form is saved. Blank by,
// date and rationale withdraw it. Without an earlier record the values are a first
// acceptance, given for the residual the risk has now. With one, the edit corrects who,
// when or why but keeps the score the acceptance was given for: editing the record never
// accepts a changed residual (AcceptResidual does, as an explicit act), so a stale
// acceptance stays stale.
func AmendAcceptance(prev *Acceptance, by, date, rationale string, residual Score) *Acceptance {
	by, date, rationale = strings.TrimSpace(by), strings.TrimSpace(date), strings.TrimSpace(rationale)
	if by == "" && date == "" && rationale == "" {
		return nil
	}
	if prev == nil {
		return &Acceptance{By: by, Date: date, Rationale: rationale, Residual: residual}
	}
	if prev.By == by && prev.Date == date && prev.Rationale == rationale {
		return prev
	}
	return &Acceptance{By: by, Date: date, Rationale: rationale, Residual: prev.Residual}
}

// AcceptResidual is the explicit acceptance of the residual risk as it stands: a new
// record by a person, on a date, with a reason, given for the risk's effective residual
// score. It replaces any earlier record, stale or not. The record must differ from the
// earlier one in who, when or why (CheckAcceptanceFrozen), so the same words the same day
// for another score are refused with a message next to the rationale.
func (r Risk) AcceptResidual(by, date, rationale string) (Risk, error) {
	by, date, rationale = strings.TrimSpace(by), strings.TrimSpace(date), strings.TrimSpace(rationale)
	switch {
	case by == "":
		return r, invalid("accepted_by", "Say who accepts the residual risk (the risk owner, usually).")
	case utf8.RuneCountInString(by) > MaxNameLen:
		return r, invalid("accepted_by", "The name is longer than %d characters.", MaxNameLen)
	case date == "":
		return r, invalid("accepted_on", "Give the date of the acceptance (YYYY-MM-DD).")
	case rationale == "":
		return r, invalid("acceptance_rationale", "Give the reason the residual risk is acceptable.")
	case utf8.RuneCountInString(rationale) > MaxTextLen:
		return r, invalid("acceptance_rationale", "The rationale is longer than %d characters.", MaxTextLen)
	}
	if _, err := ParseDate(date); err != nil {
		return r, invalid("accepted_on", "%s", err.Error())
	}
	next := &Acceptance{By: by, Date: date, Rationale: rationale, Residual: r.EffectiveResidual()}
	if p := r.Acceptance; p != nil && *p == *next {
		return r, nil // accepted again as it was: nothing changes
	}
	if p := r.Acceptance; p != nil && p.By == by && p.Date == date && p.Rationale == rationale {
		return r, invalid("acceptance_rationale", "This is the reason given for the earlier score on the same day; say why the residual is acceptable now.")
	}
	r.Acceptance = next
	return r, nil
}

// KnownControl reports whether a catalog of the set has the requirement; a nil set
// knows everything (tests, imports checked elsewhere).
func KnownControl(set *catalogs.Set) func(standard, ref string) bool {
	return func(standard, ref string) bool {
		if set == nil {
			return true
		}
		c, ok := set.Get(standard)
		if !ok {
			return false
		}
		_, ok = c.Requirement(ref)
		return ok
	}
}

// Problems lists everything wrong with a risk on a matrix, at most one message per field,
// in the order a form shows the fields. known checks linked controls (nil: not checked).
func (r Risk) Problems(m Matrix, known func(standard, ref string) bool) []*ValidationError {
	var out []*ValidationError
	seen := map[string]bool{}
	add := func(field, format string, a ...any) {
		if seen[field] {
			return
		}
		seen[field] = true
		out = append(out, invalid(field, format, a...).(*ValidationError))
	}
	switch n := utf8.RuneCountInString(r.Title); {
	case strings.TrimSpace(r.Title) == "":
		add("title", "The risk needs a title.")
	case n > MaxNameLen:
		add("title", "The title is longer than %d characters.", MaxNameLen)
	}
	for _, f := range []struct{ field, name, v string }{
		{"description", "description", r.Description}, {"source", "risk source", r.Source}, {"threat", "threat", r.Threat},
		{"vulnerability", "vulnerability", r.Vulnerability}, {"scenario", "scenario", r.Scenario},
		{"consequence_org", "consequence to the organisation", r.ConsequenceOrg},
		{"consequence_individuals", "consequence to individuals", r.ConsequenceIndividuals},
		{"consequence_society", "consequence to society", r.ConsequenceSociety},
		{"existing_controls", "existing controls", r.ExistingControls}, {"treatment_plan", "treatment plan", r.TreatmentPlan},
	} {
		if utf8.RuneCountInString(f.v) > MaxTextLen {
			add(f.field, "The %s is longer than %d characters.", f.name, MaxTextLen)
		}
	}
	for _, f := range []struct{ field, name, v string }{{"asset", "affected asset", r.Asset}, {"owner", "owner", r.Owner}} {
		if utf8.RuneCountInString(f.v) > MaxNameLen {
			add(f.field, "The %s is longer than %d characters.", f.name, MaxNameLen)
		}
	}
	if !slices.Contains(RiskScopes, r.Scope) {
		add("scope", "Choose the scope: information security, AI or both.")
	}
	if r.Approach != "" && !slices.Contains(RiskApproaches, r.Approach) {
		add("approach", "Unknown identification approach %q.", r.Approach)
	}
	checkTokens := func(field, what string, got, allowed []string) {
		for _, v := range got {
			if !slices.Contains(allowed, v) {
				add(field, "%q is not one of the %s.", v, what)
			}
		}
		for i := range got {
			if slices.Contains(got[:i], got[i]) {
				add(field, "%q is listed twice.", got[i])
			}
		}
	}
	checkTokens("properties", "security properties (confidentiality, integrity, availability)", r.Properties, CIAProperties)
	checkTokens("objectives", "ISO/IEC 42001 Annex C objectives", r.Objectives, catalogs.AnnexCObjectives)
	checkTokens("sources", "ISO/IEC 42001 Annex C risk sources", r.Sources, catalogs.AnnexCRiskSources)
	scale := fmt.Sprintf("between 1 and %d (the matrix is %dx%d)", m.Size, m.Size, m.Size)
	if r.Inherent.Likelihood < 1 || r.Inherent.Likelihood > m.Size {
		add("inherent_likelihood", "The inherent likelihood must be %s.", scale)
	}
	if r.Inherent.Consequence < 1 || r.Inherent.Consequence > m.Size {
		add("inherent_consequence", "The inherent consequence must be %s.", scale)
	}
	switch {
	case r.Residual == Score{}:
	case r.Residual.Likelihood < 1 || r.Residual.Likelihood > m.Size:
		add("residual_likelihood", "The residual likelihood must be %s, or both residual values left empty.", scale)
	case r.Residual.Consequence < 1 || r.Residual.Consequence > m.Size:
		add("residual_consequence", "The residual consequence must be %s, or both residual values left empty.", scale)
	}
	if r.Treatment != "" && !slices.Contains(Treatments, r.Treatment) {
		add("treatment", "Unknown treatment %q; choose modify, retain, avoid or share.", r.Treatment)
	}
	for i, c := range r.Controls {
		if strings.TrimSpace(c.Standard) == "" || strings.TrimSpace(c.Ref) == "" || strings.ContainsAny(c.Standard+c.Ref, ":,") {
			add("controls", "A linked control needs a standard and a ref, for example %s A.5.15.", catalogs.ISO27001)
			continue
		}
		if known != nil && !known(c.Standard, c.Ref) {
			add("controls", "%s %s is not a requirement of a catalog annex knows.", c.Standard, c.Ref)
		}
		if slices.Contains(r.Controls[:i], c) {
			add("controls", "%s %s is linked twice.", c.Standard, c.Ref)
		}
	}
	if a := r.Acceptance; a != nil {
		if strings.TrimSpace(a.By) == "" {
			add("accepted_by", "Say who accepted the risk (the risk owner, usually).")
		} else if utf8.RuneCountInString(a.By) > MaxNameLen {
			add("accepted_by", "The name is longer than %d characters.", MaxNameLen)
		}
		if a.Date == "" {
			add("accepted_on", "Give the date of the acceptance (YYYY-MM-DD).")
		} else if _, err := ParseDate(a.Date); err != nil {
			add("accepted_on", "%s", err.Error())
		}
		if strings.TrimSpace(a.Rationale) == "" {
			add("acceptance_rationale", "Give the reason the residual risk is acceptable.")
		} else if utf8.RuneCountInString(a.Rationale) > MaxTextLen {
			add("acceptance_rationale", "The rationale is longer than %d characters.", MaxTextLen)
		}
		if !m.InRange(a.Residual) {
			add("accepted_by", "The acceptance does not record a residual score on this matrix.")
		}
	}
	if r.Treatment == TreatRetain && m.AboveThreshold(r.EffectiveResidual()) && r.Acceptance == nil {
		lv, _ := m.LevelOf(r.EffectiveResidual())
		add("accepted_by", "Retaining a %s risk (above the threshold %s) needs an acceptance: who accepted it, when and why.",
			lv.Name, m.ThresholdName())
	}
	if r.Status != "" && !slices.Contains(RiskStatuses, r.Status) {
		add("status", "Unknown status %q; choose open, in treatment, accepted or closed.", r.Status)
	}
	if r.Status == RiskAccepted && r.Acceptance == nil && m.AboveThreshold(r.EffectiveResidual()) {
		add("status", "A risk above the threshold is accepted only with an acceptance record: who accepted it, when and why.")
	}
	if _, err := ParseDate(r.ReviewDate); err != nil {
		add("review_date", "%s", err.Error())
	}
	if utf8.RuneCountInString(r.AISystemID) > MaxNameLen {
		add("ai_system", "The AI system reference is too long.")
	}
	return out
}

// Validate returns the first problem of a risk on a matrix, or nil.
func (r Risk) Validate(m Matrix, known func(standard, ref string) bool) error {
	if p := r.Problems(m, known); len(p) > 0 {
		return p[0]
	}
	return nil
}

// CheckAcceptanceFrozen refuses an edit that changes an existing acceptance record in
// place. A record may be withdrawn (nil) or replaced by a new one with another signer,
// date or rationale; its residual score is never rewritten by hand.
func CheckAcceptanceFrozen(before, after *Acceptance) error {
	if before == nil || after == nil || *before == *after {
		return nil
	}
	if before.By == after.By && before.Date == after.Date && before.Rationale == after.Rationale {
		return invalid("accepted_by", "The acceptance record is frozen: record a new acceptance (who, when, why) for the new residual instead of changing the old one.")
	}
	return nil
}

// InclusionFromRisks lists the inclusion reasons a requirement takes from the risk
// register: "risk treatment: R-003" for each risk whose treatment links it, in ref order.
func InclusionFromRisks(risks []Risk, standard, ref string) []string {
	var linked []Risk
	for _, r := range risks {
		if r.LinksControl(standard, ref) {
			linked = append(linked, r)
		}
	}
	sort.SliceStable(linked, func(i, j int) bool { return RiskSeq(linked[i].Ref) < RiskSeq(linked[j].Ref) })
	out := make([]string, 0, len(linked))
	for _, r := range linked {
		out = append(out, "risk treatment: "+r.Ref)
	}
	return out
}

// AcceptedNow reports whether the risk has an acceptance given for the residual it has now.
func (r Risk) AcceptedNow() bool { return r.Acceptance != nil && !r.AcceptanceStale() }

// UnacceptedAboveThreshold is the rule "what remains above the acceptance threshold needs
// the owner's acceptance" (27001 6.1.3 f): true for a risk that is not closed, whose
// residual (the inherent score while not re-scored) lies above the matrix's threshold, and
// that has no acceptance given for that residual, whatever its treatment.
func (r Risk) UnacceptedAboveThreshold(m Matrix) bool {
	return r.EffectiveStatus() != RiskClosed && m.AboveThreshold(r.EffectiveResidual()) && !r.AcceptedNow()
}
