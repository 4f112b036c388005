package assessments

import (
	"strings"
	"time"
	"unicode/utf8"
)

// InclusionReason is why a control is part of the Statement of Applicability.
type InclusionReason string

const (
	ReasonRiskTreatment    InclusionReason = "risk_treatment"
	ReasonLegal            InclusionReason = "legal_regulatory"
	ReasonContractual      InclusionReason = "contractual"
	ReasonBusiness         InclusionReason = "business_need"
	ReasonImpactAssessment InclusionReason = "impact_assessment"
)

// InclusionReasons a user can set by hand (risk treatment is derived from the register too).
var InclusionReasons = []InclusionReason{ReasonRiskTreatment, ReasonLegal, ReasonContractual, ReasonBusiness, ReasonImpactAssessment}

// Result is the gap-analysis answer for one requirement of one engagement.
// A requirement nobody touched has no stored row; it reads as a zero Result with NotAssessed.
type Result struct {
	EngagementID  string
	Standard      string
	Ref           string
	Status        Status
	Maturity      *int // nil = not rated; 0..5 a capability level (MaturityLevel builds one)
	Notes         string
	Owner         string
	TargetDate    string // YYYY-MM-DD or empty
	Justification string // why not applicable; required for NotApplicable
	Reasons       []InclusionReason
	// NeedsReview is set when a status was adopted through the crosswalk and not yet confirmed.
	NeedsReview bool
	// Provenance says where an adopted result came from, e.g. "from ISO 27001 A.5.1".
	Provenance string
	UpdatedAt  time.Time
	UpdatedBy  string
}

// Key identifies a result.
type Key struct{ EngagementID, Standard, Ref string }

// Key returns the result's identity.
func (r Result) Key() Key { return Key{r.EngagementID, r.Standard, r.Ref} }

// EffectiveStatus treats an empty status as not assessed.
func (r Result) EffectiveStatus() Status {
	if r.Status == "" {
		return NotAssessed
	}
	return r.Status
}

// Validate checks the rules a result must meet before it is saved.
func (r Result) Validate() error {
	if !r.EffectiveStatus().Valid() {
		return invalid("status", "Unknown status %q.", r.Status)
	}
	if r.EffectiveStatus() == NotApplicable && strings.TrimSpace(r.Justification) == "" {
		return invalid("justification", "Not applicable needs a justification: say why the requirement is excluded.")
	}
	if r.Maturity != nil && (*r.Maturity < 0 || *r.Maturity > MaxMaturity) {
		return invalid("maturity", "Maturity must be a level from 0 to 5, or not rated.")
	}
	if utf8.RuneCountInString(r.Notes) > MaxTextLen {
		return invalid("notes", "The notes are longer than %d characters.", MaxTextLen)
	}
	if utf8.RuneCountInString(r.Justification) > MaxTextLen {
		return invalid("justification", "The justification is longer than %d characters.", MaxTextLen)
	}
	if utf8.RuneCountInString(r.Owner) > MaxNameLen {
		return invalid("owner", "The owner is longer than %d characters.", MaxNameLen)
	}
	if _, err := ParseDate(r.TargetDate); err != nil {
		return invalid("target_date", "%s", err.Error())
	}
	for _, reason := range r.Reasons {
		ok := false
		for _, known := range InclusionReasons {
			ok = ok || reason == known
		}
		if !ok {
			return invalid("reasons", "Unknown inclusion reason %q.", reason)
		}
	}
	return nil
}
