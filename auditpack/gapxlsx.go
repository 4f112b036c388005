package auditpack

import (
	"strings"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

var gapHeader = []string{"Ref", "Title", "Group", "Kind", "Status", "Maturity", "Owner", "Target date", "Notes",
	"Exclusion justification", "Inclusion reasons", "Needs review", "Provenance", "Updated at (UTC)", "Updated by"}

// sheetName makes a valid, unique sheet name (31 characters, none of []:*?/\).
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '-'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	return s
}

// GapXLSX is the gap-analysis workbook: a summary sheet, then one sheet per standard in
// scope with every requirement (clauses and controls), frozen header, filters and colours.
func GapXLSX(d *Data) ([]byte, error) {
	wb, err := newWorkbook("Gap analysis — "+d.Engagement.Name, d.At)
	if err != nil {
		return nil, err
	}
	sum := table{Name: "Summary", Header: []string{"Standard", "Group", "Requirements", "Applicable", "Readiness %", "Assessed %",
		"Implemented", "Partially implemented", "Not implemented", "Not applicable", "Not assessed"},
		Widths: []float64{14, 40, 13, 11, 12, 11, 12, 12, 12, 12, 12}}
	var sumStyles []map[int]int
	addSum := func(std, group string, r assessments.Readiness, bold bool) {
		sum.Rows = append(sum.Rows, []any{std, group, r.Total, r.Applicable, round1(r.Percent()), round1(r.AssessedPercent()),
			r.Counts[assessments.Implemented], r.Counts[assessments.Partial], r.Counts[assessments.NotImplemented],
			r.Counts[assessments.NotApplicable], r.Counts[assessments.NotAssessed]})
		st := map[int]int{}
		if bold {
			st[0], st[1] = wb.header, wb.header
		}
		sumStyles = append(sumStyles, st)
	}
	for _, c := range d.Standards() {
		total, groups := d.Readiness(c)
		addSum(c.Short, "All requirements", total, true)
		for _, g := range c.Groups {
			if r, ok := groups[g.ID]; ok {
				addSum(c.Short, g.ID+" "+g.Title, r, false)
			}
		}
	}
	sum.Styles = func(i int) map[int]int { return sumStyles[i] }
	if err := wb.sheet(sum); err != nil {
		return nil, err
	}
	for _, c := range d.Standards() {
		t, statuses := gapTable(d, c)
		t.Styles = func(i int) map[int]int { return map[int]int{4: wb.status[statuses[i]]} }
		if err := wb.sheet(t); err != nil {
			return nil, err
		}
	}
	return wb.bytes()
}

func gapTable(d *Data, c *catalogs.Catalog) (table, []assessments.Status) {
	var statuses []assessments.Status
	t := table{Name: sheetName(c.Short), Header: gapHeader,
		Widths: []float64{9, 40, 26, 9, 22, 9, 18, 12, 60, 40, 26, 8, 30, 22, 14}}
	for _, req := range c.Requirements {
		r := d.Result(c.ID, req.Ref)
		st := r.EffectiveStatus()
		maturity := any("")
		if r.Maturity != nil {
			maturity = *r.Maturity
		}
		review := ""
		if r.NeedsReview {
			review = "yes"
		}
		var reasons []string
		for _, x := range r.Reasons {
			reasons = append(reasons, ReasonLabel(x))
		}
		updated := ""
		if !r.UpdatedAt.IsZero() {
			updated = stamp(r.UpdatedAt)
		}
		t.Rows = append(t.Rows, []any{req.Ref, req.Title, groupTitle(c, req.Group), string(req.Kind), st.Label(), maturity, r.Owner,
			r.TargetDate, r.Notes, r.Justification, strings.Join(reasons, "; "), review, r.Provenance, updated, r.UpdatedBy})
		statuses = append(statuses, st)
	}
	return t, statuses
}

func round1(f float64) float64 { return float64(int(f*10+0.5)) / 10 }
