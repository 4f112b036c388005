package risks

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
)

// benchTab is a tab holding n risks in memory (no store needed to draw).
func benchTab(n int) *Model {
	c := &common.Common{Ctx: context.Background(), Catalogs: catalogs.MustBuiltin(), Styles: common.NewStyles(true),
		Keys: common.DefaultKeyMap(), Now: func() time.Time { return testNow }}
	m := New(c, assessments.Engagement{ID: "e", Standards: []string{catalogs.ISO27001, catalogs.ISO42001}}).(*Model)
	m.SetSize(120, 40)
	rs := make([]assessments.Risk, n)
	for i := range rs {
		rs[i] = assessments.Risk{ID: fmt.Sprint(i), Ref: assessments.RiskRef(i + 1), Title: fmt.Sprintf("Risk number %d of the bench", i),
			Scope: assessments.RiskScopes[i%3], Owner: fmt.Sprintf("Owner %d", i%17), Inherent: sc(i%5+1, (i/5)%5+1),
			Residual: sc(1, (i/5)%5+1), Treatment: assessments.Treatments[i%4], Status: assessments.RiskStatuses[i%4],
			ReviewDate: fmt.Sprintf("2026-%02d-15", i%12+1)}
	}
	m.loaded = true
	m.setData(rs, assessments.DefaultMatrix(5))
	return m
}

// BenchmarkKeyAndDraw is one cursor move and one frame with 10,000 risks in the register.
func BenchmarkKeyAndDraw(b *testing.B) {
	m := benchTab(10_000)
	down := keyMsg("down")
	for b.Loop() {
		m.Update(down)
		_ = m.View()
	}
}

// BenchmarkHeatMapMove is one cell move and one heat-map frame with 10,000 risks.
func BenchmarkHeatMapMove(b *testing.B) {
	m := benchTab(10_000)
	m.view = viewHeat
	left, right := keyMsg("left"), keyMsg("right")
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			m.Update(left)
		} else {
			m.Update(right)
		}
		_ = m.View()
	}
}

// BenchmarkFilterKey is one typed filter character over 10,000 risks (refilter and sort).
func BenchmarkFilterKey(b *testing.B) {
	m := benchTab(10_000)
	m.filtering = true
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			m.Update(keyMsg("9"))
		} else {
			m.Update(keyMsg("backspace"))
		}
		_ = m.View()
	}
}

// BenchmarkFormKey is one character typed into the risk form and one frame, with 10,000
// risks in the register behind it.
func BenchmarkFormKey(b *testing.B) {
	m := benchTab(10_000)
	m.Update(keyMsg("e"))
	if m.form == nil {
		b.Fatal("no form")
	}
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			m.Update(keyMsg("x"))
		} else {
			m.Update(keyMsg("backspace"))
		}
		_ = m.View()
	}
}
