package assessments

import (
	"fmt"
	"strings"

	"github.com/annex-grc/annex/catalogs"
)

// Applicability is a control's answer in a Statement of Applicability.
type Applicability string

const (
	// Applicable: the control is included (implemented or not).
	Applicable Applicability = "yes"
	// Excluded: the control is not applicable, with a justification.
	Excluded Applicability = "no"
	// Undecided: nobody has assessed the control and nothing includes it yet.
	Undecided Applicability = "not decided"
)

// Label is the applicability in words: applicable, excluded, not decided.
func (a Applicability) Label() string {
	switch a {
	case Applicable:
		return "applicable"
	case Excluded:
		return "excluded"
	}
	return string(a)
}

// ApplicabilityOf derives a control's applicability from its result and whether a risk
// treatment links it. A reason to include it decides the question even before anyone has
// assessed its implementation: a control a risk treatment relies on is never "not decided".
func ApplicabilityOf(r Result, treatedByRisk bool) Applicability {
	switch r.EffectiveStatus() {
	case NotApplicable:
		return Excluded
	case NotAssessed:
		if treatedByRisk || len(r.Reasons) > 0 {
			return Applicable
		}
		return Undecided
	}
	return Applicable
}

// Label is the Statement of Applicability's text of an inclusion reason.
func (r InclusionReason) Label() string {
	switch r {
	case ReasonRiskTreatment:
		return "risk treatment"
	case ReasonLegal:
		return "legal or regulatory"
	case ReasonContractual:
		return "contractual"
	case ReasonBusiness:
		return "business need"
	case ReasonImpactAssessment:
		return "AI impact assessment"
	}
	return string(r)
}

// SoAEntry is one control of a Statement of Applicability as decided: what the SoA says
// about it, and what a version freezes. Evidence is not part of it: it supports the
// implementation, not the decision.
type SoAEntry struct {
	Ref   string `json:"ref"`
	Title string `json:"title"`
	// Applicability is derived (ApplicabilityOf): included, excluded or not decided.
	Applicability Applicability `json:"applicability"`
	// Reasons are the inclusion reasons set by hand; risk treatment is added when a risk
	// links the control (Risks).
	Reasons []InclusionReason `json:"reasons"`
	// Risks are the refs of the risks whose treatment links the control, in ref order.
	Risks []string `json:"risks"`
	// Assessments name the impact assessments whose measures call for the control ("Lens v1").
	Assessments   []string `json:"assessments"`
	Justification string   `json:"justification"`
	Status        Status   `json:"status"`
	// NeedsReview: the status was carried over through the crosswalk and not confirmed.
	NeedsReview bool   `json:"needs_review"`
	Owner       string `json:"owner"`
	TargetDate  string `json:"target_date"`
}

// SoAEntryOf derives a control's SoA entry from its result, the risks whose treatment
// links it and the impact assessments that call for it.
func SoAEntryOf(ref, title string, r Result, risks, impactAssessments []string) SoAEntry {
	e := SoAEntry{Ref: ref, Title: title, Applicability: ApplicabilityOf(r, len(risks) > 0), Reasons: append([]InclusionReason(nil), r.Reasons...),
		Risks: append([]string(nil), risks...), Assessments: append([]string(nil), impactAssessments...), Status: r.EffectiveStatus(),
		NeedsReview: r.NeedsReview && r.EffectiveStatus() != NotAssessed, Owner: r.Owner, TargetDate: r.TargetDate}
	if e.Status == NotApplicable {
		e.Justification = r.Justification
	}
	return e
}

// ReasonsText lists the inclusion reasons in words: risk treatment names the risks whose
// treatment links the control, an impact assessment reason names the assessments.
func (e SoAEntry) ReasonsText() string {
	var parts []string
	seen := map[InclusionReason]bool{}
	add := func(r InclusionReason) {
		if seen[r] {
			return
		}
		seen[r] = true
		switch {
		case r == ReasonRiskTreatment && len(e.Risks) > 0:
			parts = append(parts, "risk treatment: "+strings.Join(e.Risks, ", "))
		case r == ReasonImpactAssessment && len(e.Assessments) > 0:
			parts = append(parts, "AI impact assessment: "+strings.Join(e.Assessments, ", "))
		default:
			parts = append(parts, r.Label())
		}
	}
	if len(e.Risks) > 0 {
		add(ReasonRiskTreatment)
	}
	for _, r := range e.Reasons {
		add(r)
	}
	return strings.Join(parts, "; ")
}

// HasReason reports whether anything includes the control: a reason set by hand, a risk
// treatment or an impact assessment that calls for it.
func (e SoAEntry) HasReason() bool {
	return len(e.Reasons) > 0 || len(e.Risks) > 0 || len(e.Assessments) > 0
}

// StatusText is the implementation status in words; never "implemented" for a control
// nobody assessed, and a status carried over through the crosswalk says so.
func (e SoAEntry) StatusText() string {
	st := e.Status
	if st == "" {
		st = NotAssessed
	}
	txt := st.Label()
	if e.NeedsReview && st != NotAssessed && st != NotApplicable {
		txt += " (carried over, to be confirmed)"
	}
	return txt
}

// OpenDecision is a question the Statement of Applicability leaves open (27001 6.1.3 d asks
// for the necessary controls, why they are included and why others are excluded).
type OpenDecision string

const (
	// OpenUndecided: nobody has said whether the control applies.
	OpenUndecided OpenDecision = "not decided"
	// OpenNoReason: the control is included but the SoA does not say why.
	OpenNoReason OpenDecision = "applicable without an inclusion reason"
	// OpenNoJustification: the control is excluded but the SoA does not say why.
	OpenNoJustification OpenDecision = "excluded without a justification"
	// OpenExcludedButNeeded: the control is excluded although a risk treatment or an
	// inclusion reason says it is needed.
	OpenExcludedButNeeded OpenDecision = "excluded although a reason includes it"
)

// OpenDecisionKinds in the order the report lists them.
var OpenDecisionKinds = []OpenDecision{OpenUndecided, OpenNoReason, OpenNoJustification, OpenExcludedButNeeded}

// Open lists what the entry leaves open; none for a decided control.
func (e SoAEntry) Open() []OpenDecision {
	switch e.Applicability {
	case Undecided:
		return []OpenDecision{OpenUndecided}
	case Excluded:
		var out []OpenDecision
		if strings.TrimSpace(e.Justification) == "" {
			out = append(out, OpenNoJustification)
		}
		if e.HasReason() {
			out = append(out, OpenExcludedButNeeded)
		}
		return out
	case Applicable:
		if !e.HasReason() {
			return []OpenDecision{OpenNoReason}
		}
	}
	return nil
}

// OpenCounts counts the entries per open decision (an entry may count under two).
func OpenCounts(entries []SoAEntry) map[OpenDecision]int {
	out := map[OpenDecision]int{}
	for _, e := range entries {
		for _, o := range e.Open() {
			out[o]++
		}
	}
	return out
}

// OpenTotal is the number of entries that leave something open.
func OpenTotal(entries []SoAEntry) int {
	n := 0
	for _, e := range entries {
		if len(e.Open()) > 0 {
			n++
		}
	}
	return n
}

// DeriveSoA derives the Statement of Applicability of one standard as it stands: its
// Annex A controls (the clauses are mandatory and not part of an SoA) in catalog order.
// results are the standard's results by ref; risks and impacts give, per ref, the refs of
// the risks whose treatment links the control and the impact assessments that call for it.
func DeriveSoA(c *catalogs.Catalog, results map[string]Result, risks, impacts func(ref string) []string) []SoAEntry {
	var out []SoAEntry
	for _, req := range c.Requirements {
		if req.Kind != catalogs.KindControl {
			continue
		}
		r, ok := results[req.Ref]
		if !ok {
			r = Result{Standard: c.ID, Ref: req.Ref, Status: NotAssessed}
		}
		out = append(out, SoAEntryOf(req.Ref, req.Title, r, risks(req.Ref), impacts(req.Ref)))
	}
	return out
}

// ImpactCalls maps each requirement the measures of an AI system's newest impact
// assessment call for to the assessments that do ("Medivance Lens v2"), in system order.
// assessmentsBySystem lists each system's versions newest first.
func ImpactCalls(systems []AISystem, assessmentsBySystem map[string][]ImpactAssessment) map[ControlRef][]string {
	out := map[ControlRef][]string{}
	for _, sys := range systems {
		list := assessmentsBySystem[sys.ID]
		if len(list) == 0 {
			continue
		}
		a := list[0]
		seen := map[ControlRef]bool{}
		for _, im := range a.Impacts {
			for _, m := range im.Measures {
				if !seen[m] {
					seen[m] = true
					out[m] = append(out[m], fmt.Sprintf("%s v%d", sys.Name, a.Version))
				}
			}
		}
	}
	return out
}
