package audits

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
)

// benchWalk is the checklist of an audit of n requirements (a catalog of n controls in 20
// groups), in memory, with a conclusion on most items and a few findings.
func benchWalk(b *testing.B, n int) *Model {
	set := catalogs.MustBuiltin().Clone()
	cat := &catalogs.Catalog{ID: "bench-2000", Name: "Bench catalog", Short: "Bench"}
	for g := 0; g < 20; g++ {
		cat.Groups = append(cat.Groups, catalogs.Group{ID: fmt.Sprintf("G%d", g+1), Title: fmt.Sprintf("Group %d of the bench", g+1), Kind: catalogs.KindControl})
	}
	for i := 0; i < n; i++ {
		cat.Requirements = append(cat.Requirements, catalogs.Requirement{Ref: fmt.Sprintf("G%d.%d", i%20+1, i/20+1), Title: fmt.Sprintf("Control number %d of the bench catalog", i),
			Group: fmt.Sprintf("G%d", i%20+1), Kind: catalogs.KindControl, Guidance: "Guidance text for the bench.",
			Questions: []string{"Is it done?", "Who checks it?"}})
	}
	set.Add(cat)
	e := assessments.Engagement{ID: "e", Standards: []string{cat.ID}}
	c := &common.Common{Ctx: context.Background(), Catalogs: set, Styles: common.NewStyles(true), Keys: common.DefaultKeyMap(),
		Width: 120, Height: 40, Now: func() time.Time { return testNow }, NoTimers: true}
	m := newModel(c, e)
	m.SetSize(120, 40)
	a := assessments.Audit{ID: "a", EngagementID: "e", Ref: "2027-01", Title: "Bench audit", Type: assessments.AuditInternal, Lead: "Bench"}
	for _, r := range cat.Requirements {
		a.Scope = append(a.Scope, assessments.ControlRef{Standard: cat.ID, Ref: r.Ref})
	}
	m.loaded = true
	m.audits = []assessments.Audit{a}
	m.prog.rebuild(m)
	m.openWalk(a)
	items := map[assessments.ControlRef]assessments.ChecklistItem{}
	for i, c := range a.Scope {
		items[c] = assessments.ChecklistItem{AuditID: "a", Standard: c.Standard, Ref: c.Ref, Conclusion: assessments.Conclusions[i%6],
			Notes: "Notes of the bench item.", Population: 40, SampleSize: 5}
		if i%50 == 0 {
			m.views = append(m.views, assessments.FindingView{Finding: assessments.Finding{ID: fmt.Sprint(i), AuditID: "a", Ref: fmt.Sprintf("F-2027-01-%03d", i/50+1),
				Grade: assessments.GradeMinor, Statement: "Bench finding.", Requirements: []assessments.ControlRef{c}, Source: c}, Status: assessments.FindingOpen})
		}
	}
	m.walk.items, m.walk.loaded = items, true
	m.walk.version++
	m.walk.rebuild(m, assessments.ControlRef{})
	_ = m.View()
	return m
}

// BenchmarkChecklistKey is one j (the cursor moves to the next item, whose detail is built)
// and one frame, in a checklist of 2,000 items.
func BenchmarkChecklistKey(b *testing.B) {
	m := benchWalk(b, 2000)
	down, up := tea.KeyPressMsg{Code: 'j', Text: "j"}, tea.KeyPressMsg{Code: 'k', Text: "k"}
	for i := 0; b.Loop(); i++ {
		if i%400 < 200 {
			m.Update(down)
		} else {
			m.Update(up)
		}
		_ = m.View()
	}
}

// BenchmarkChecklistConclusionFilter is one s (the conclusion filter steps; the rows are
// rebuilt) and one frame, in a checklist of 2,000 items.
func BenchmarkChecklistConclusionFilter(b *testing.B) {
	m := benchWalk(b, 2000)
	s := tea.KeyPressMsg{Code: 's', Text: "s"}
	for b.Loop() {
		m.Update(s)
		_ = m.View()
	}
}
