package evidence

import (
	"fmt"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
)

// BenchmarkKeyAndView is one key press (cursor down) and the frame drawn after it, with
// 10,000 items in the library: only the visible rows are drawn.
func BenchmarkKeyAndView(b *testing.B) {
	c := &common.Common{Catalogs: catalogs.MustBuiltin(), Styles: common.NewStyles(true), Keys: common.DefaultKeyMap(),
		Now: func() time.Time { return fixedNow }}
	m := newModel(c, assessments.Engagement{Standards: []string{catalogs.ISO27001, catalogs.ISO42001}})
	m.SetSize(120, 40)
	items := make([]assessments.Evidence, 10000)
	for i := range items {
		items[i] = assessments.Evidence{ID: fmt.Sprint(i), Title: fmt.Sprintf("Workshop note %05d", i), Kind: assessments.KindInterview,
			CollectedOn: "2026-01-01", ValidUntil: fmt.Sprintf("2026-%02d-15", i%12+1),
			Links: []assessments.EvidenceLink{{Target: assessments.LinkRequirement, Standard: catalogs.ISO27001, Ref: "A.5.15"}}}
	}
	m.Update(loadedMsg{seq: m.loadSeq, items: items, results: map[string]map[string]assessments.Result{}})
	down := keyPress("j")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Update(down)
		_ = m.View()
	}
}

// BenchmarkStateFilterKey is s (the next state filter) on 10,000 items: the rows are
// filtered and ordered again, and the frame drawn.
func BenchmarkStateFilterKey(b *testing.B) {
	c := &common.Common{Catalogs: catalogs.MustBuiltin(), Styles: common.NewStyles(true), Keys: common.DefaultKeyMap(),
		Now: func() time.Time { return fixedNow }}
	m := newModel(c, assessments.Engagement{Standards: []string{catalogs.ISO27001, catalogs.ISO42001}})
	m.SetSize(120, 40)
	items := make([]assessments.Evidence, 10000)
	for i := range items {
		items[i] = assessments.Evidence{ID: fmt.Sprint(i), Title: fmt.Sprintf("Workshop note %05d", i), Kind: assessments.KindInterview,
			CollectedOn: "2026-01-01", ValidUntil: fmt.Sprintf("2026-%02d-15", i%12+1)}
	}
	m.Update(loadedMsg{seq: m.loadSeq, items: items, results: map[string]map[string]assessments.Result{}})
	s := keyPress("s")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Update(s)
		_ = m.View()
	}
}
