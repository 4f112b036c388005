package dashboard

import (
	"fmt"
	"strings"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
)

// overdueActions are the corrective actions of internal-audit findings past their due date.
func overdueActions(d data, now time.Time) []overdueItem {
	if d.auditErr != nil {
		return nil
	}
	var out []overdueItem
	for _, v := range d.findings {
		for _, a := range v.Actions {
			if !a.Overdue(now) {
				continue
			}
			text := assessments.ActionRef(v.Finding.Ref, a.Seq) + " " + firstLine(a.Action)
			if a.Owner != "" {
				text += " (" + a.Owner + ")"
			}
			out = append(out, overdueItem{date: a.DueDate, what: "Audit action", text: text})
		}
	}
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// auditPanel is the internal audits' panel: open findings by grade, actions found
// ineffective, and requirements marked implemented that an open major nonconformity
// contradicts (each leads to its requirement). Empty when the engagement has no finding.
func (m *Model) auditPanel(w int) ([]string, []overdueItem) {
	st := m.c.Styles
	if m.d.auditErr != nil || len(m.d.findings) == 0 {
		return nil, nil
	}
	f := assessments.FiguresOf(m.d.findings, m.c.Now())
	var grades []string
	for _, g := range assessments.Grades {
		if n := f.OpenByGrade[g]; n > 0 {
			grades = append(grades, fmt.Sprintf("%d %s", n, g.Short()))
		}
	}
	head := fmt.Sprintf("  %d open", f.Open)
	if len(grades) > 0 {
		head += " (" + strings.Join(grades, ", ") + ")"
	}
	head += fmt.Sprintf(" · %d actions to do · %d overdue · %d ineffective", f.Pending, f.Overdue, f.Ineffective)
	lines := []string{st.Header.Render("Internal audit findings") + st.Muted.Render(head)}
	refs := []overdueItem{{}}
	for _, v := range m.d.findings {
		for _, a := range v.Actions {
			if a.EffectiveState() != assessments.CorrectiveIneffective {
				continue
			}
			text := fmt.Sprintf("  %s  %s %s", st.Error.Render(common.Pad("✗ ineffective", 15)), assessments.ActionRef(v.Finding.Ref, a.Seq),
				common.OneLine(firstLine(a.Action)))
			if a.ReviewedBy != "" {
				text += st.Muted.Render(" · reviewed " + a.ReviewedOn + " by " + common.OneLine(a.ReviewedBy))
			}
			lines = append(lines, common.Truncate(text, w))
			refs = append(refs, overdueItem{})
		}
	}
	for _, c := range assessments.Contradictions(m.d.results, m.d.findings) {
		title, short := c.Ref, c.Standard
		if cat, ok := m.c.Catalogs.Get(c.Standard); ok {
			short = cat.Short
			if r, ok := cat.Requirement(c.Ref); ok {
				title = c.Ref + " " + r.Title
			}
		}
		text := "  " + st.Error.Render(common.Pad("⊘ contradiction", 15)) + "  " + short + " " + common.OneLine(title) +
			st.Muted.Render(" · implemented, but a major NC is open")
		lines = append(lines, common.Truncate(text, w))
		refs = append(refs, overdueItem{std: c.Standard, ref: c.Ref, what: "Contradiction"})
	}
	return lines, refs
}
