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
	// Open says what the SoA leaves open about the control ("" when decided).
	Open string
}

// ReasonLabel is the SoA text of an inclusion reason.
func ReasonLabel(r assessments.InclusionReason) string { return r.Label() }

// SoAEntries derives the Statement of Applicability of one standard as it stands.
func SoAEntries(d *Data, c *catalogs.Catalog) []assessments.SoAEntry {
	return assessments.DeriveSoA(c, d.Results[c.ID], func(ref string) []string { return d.risksTreatedBy(c.ID, ref) },
		func(ref string) []string { return d.impactAssessmentsFor(c.ID, ref) })
}

// SoA is the Statement of Applicability of one standard as it stands, as rows for the
// files, with the evidence linked to each control.
func SoA(d *Data, c *catalogs.Catalog) []SoARow {
	entries := SoAEntries(d, c)
	out := make([]SoARow, len(entries))
	for i, e := range entries {
		out[i] = soaRow(c, e, d.evidenceFor(c.ID, e.Ref))
	}
	return out
}

// soaRow is an entry as a row of the SoA files.
func soaRow(c *catalogs.Catalog, e assessments.SoAEntry, evidence []string) SoARow {
	group := ""
	if req, ok := c.Requirement(e.Ref); ok {
		group = groupTitle(c, req.Group)
	}
	var open []string
	for _, o := range e.Open() {
		open = append(open, string(o))
	}
	return SoARow{Ref: e.Ref, Title: e.Title, Group: group, Applicable: string(e.Applicability), Reasons: e.ReasonsText(),
		Justification: e.Justification, Status: e.Status, StatusText: e.StatusText(), Owner: e.Owner, TargetDate: e.TargetDate,
		Risks: e.Risks, Evidence: evidence, Open: strings.Join(open, "; ")}
}

func groupTitle(c *catalogs.Catalog, id string) string {
	if g, ok := c.Group(id); ok {
		return g.ID + " " + g.Title
	}
	return id
}

// soaHeader is the SoA's columns (CSV and XLSX).
var soaHeader = []string{"Ref", "Title", "Group", "Applicable", "Inclusion reasons", "Exclusion justification",
	"Implementation status", "Owner", "Target date", "Linked risks", "Evidence", "Open decision"}

func (r SoARow) cells() []string {
	return []string{r.Ref, r.Title, r.Group, r.Applicable, r.Reasons, r.Justification, r.StatusText, r.Owner, r.TargetDate,
		strings.Join(r.Risks, ", "), strings.Join(r.Evidence, ", "), r.Open}
}

// soaBase is the file name stem of a standard's SoA: "soa-iso27001-2022".
func soaBase(c *catalogs.Catalog) string { return "soa-" + c.ID }
