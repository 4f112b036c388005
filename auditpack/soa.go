package auditpack

import (
	"strings"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

// SoARow is one control of a Statement of Applicability.
type SoARow struct {
	Ref, Title, Group string
	// Applicable is "yes", "no" or "not decided" (nobody assessed the control yet).
	Applicable    string
	Reasons       string // inclusion reasons, with risk refs for risk treatment
	Justification string // why excluded
	Status        assessments.Status
	StatusText    string // never "implemented" for a control nobody assessed
	Owner         string
	TargetDate    string
	Risks         []string
	Evidence      []string
}

// ReasonLabel is the SoA text of an inclusion reason.
func ReasonLabel(r assessments.InclusionReason) string {
	switch r {
	case assessments.ReasonRiskTreatment:
		return "risk treatment"
	case assessments.ReasonLegal:
		return "legal or regulatory"
	case assessments.ReasonContractual:
		return "contractual"
	case assessments.ReasonBusiness:
		return "business need"
	case assessments.ReasonImpactAssessment:
		return "AI impact assessment"
	}
	return string(r)
}

// SoA derives the Statement of Applicability of one standard: its Annex A controls (the
// clauses are mandatory and not part of an SoA), in catalog order.
func SoA(d *Data, c *catalogs.Catalog) []SoARow {
	var out []SoARow
	for _, req := range c.Requirements {
		if req.Kind != catalogs.KindControl {
			continue
		}
		r := d.Result(c.ID, req.Ref)
		st := r.EffectiveStatus()
		row := SoARow{Ref: req.Ref, Title: req.Title, Group: groupTitle(c, req.Group), Status: st, Owner: r.Owner, TargetDate: r.TargetDate,
			Risks: d.risksTreatedBy(c.ID, req.Ref), Evidence: d.evidenceFor(c.ID, req.Ref)}
		row.Applicable = string(assessments.ApplicabilityOf(r, len(row.Risks) > 0))
		switch st {
		case assessments.NotAssessed:
			row.StatusText = "not assessed"
		case assessments.NotApplicable:
			row.Justification = r.Justification
			row.StatusText = "not applicable"
		default:
			row.StatusText = st.Label()
			if r.NeedsReview {
				row.StatusText += " (carried over, to be confirmed)"
			}
		}
		row.Reasons = reasonsText(r.Reasons, row.Risks, d.impactAssessmentsFor(c.ID, req.Ref))
		out = append(out, row)
	}
	return out
}

// reasonsText lists the inclusion reasons; risk treatment names the risks whose treatment
// plan links the control, and an impact assessment reason names the assessments.
func reasonsText(reasons []assessments.InclusionReason, risks, ias []string) string {
	var parts []string
	seen := map[assessments.InclusionReason]bool{}
	add := func(r assessments.InclusionReason) {
		if seen[r] {
			return
		}
		seen[r] = true
		switch {
		case r == assessments.ReasonRiskTreatment && len(risks) > 0:
			parts = append(parts, "risk treatment: "+strings.Join(risks, ", "))
		case r == assessments.ReasonImpactAssessment && len(ias) > 0:
			parts = append(parts, "AI impact assessment: "+strings.Join(ias, ", "))
		default:
			parts = append(parts, ReasonLabel(r))
		}
	}
	if len(risks) > 0 {
		add(assessments.ReasonRiskTreatment)
	}
	for _, r := range reasons {
		add(r)
	}
	return strings.Join(parts, "; ")
}

func groupTitle(c *catalogs.Catalog, id string) string {
	if g, ok := c.Group(id); ok {
		return g.ID + " " + g.Title
	}
	return id
}

// soaHeader is the SoA's columns (CSV and XLSX).
var soaHeader = []string{"Ref", "Title", "Group", "Applicable", "Inclusion reasons", "Exclusion justification",
	"Implementation status", "Owner", "Target date", "Linked risks", "Evidence"}

func (r SoARow) cells() []string {
	return []string{r.Ref, r.Title, r.Group, r.Applicable, r.Reasons, r.Justification, r.StatusText, r.Owner, r.TargetDate,
		strings.Join(r.Risks, ", "), strings.Join(r.Evidence, ", ")}
}

// soaBase is the file name stem of a standard's SoA: "soa-iso27001-2022".
func soaBase(c *catalogs.Catalog) string { return "soa-" + c.ID }
