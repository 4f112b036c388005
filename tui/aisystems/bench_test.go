package aisystems

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/tuitest"
)

// benchTab is a tab holding n AI systems in memory (no store needed to draw), every third
// with a draft and every third with an approved version.
func benchTab(n int) *Model {
	c := &common.Common{Ctx: context.Background(), Catalogs: catalogs.MustBuiltin(), Styles: common.NewStyles(true),
		Keys: common.DefaultKeyMap(), Now: func() time.Time { return clock }}
	m := New(c, assessments.Engagement{ID: "e", Standards: []string{catalogs.ISO42001}}).(*Model)
	m.SetSize(120, 36)
	var systems []assessments.AISystem
	versions := map[string][]assessments.ImpactAssessment{}
	for i := range n {
		s := assessments.AISystem{ID: fmt.Sprint(i), EngagementID: "e", Name: fmt.Sprintf("System %05d", i), Purpose: "Sorts the queue of the bench",
			Roles: []assessments.AIRole{assessments.AIRoles[i%4]}, Stage: assessments.LifecycleStages[i%8], Owner: fmt.Sprintf("Owner %d", i%17)}
		systems = append(systems, s)
		switch i % 3 {
		case 1:
			a := assessments.NewImpactAssessment(s)
			a.ID, a.LastStep = "a"+s.ID, assessments.StepData
			versions[s.ID] = []assessments.ImpactAssessment{a}
		case 2:
			a := assessments.NewImpactAssessment(s)
			a.ID, a.Decision, a.Approver, a.DecisionDate = "a"+s.ID, assessments.DecisionApprove, "Dr Ada Obi", "2026-01-10"
			versions[s.ID] = []assessments.ImpactAssessment{a}
		}
	}
	m.loaded_(loadedMsg{seq: m.seq, summary: assessments.SummarizeImpacts(systems, versions, clock), versions: versions})
	return m
}

// BenchmarkKeyAndDraw is one cursor move and one frame with 10,000 systems in the inventory.
func BenchmarkKeyAndDraw(b *testing.B) {
	m := benchTab(10_000)
	down, up := tuitest.Key("j"), tuitest.Key("k")
	for i := 0; b.Loop(); i++ {
		if i%200 < 100 {
			m.Update(down)
		} else {
			m.Update(up)
		}
		_ = m.View()
	}
}

// BenchmarkFilterKey is one typed filter character over 10,000 systems, and the frame.
func BenchmarkFilterKey(b *testing.B) {
	m := benchTab(10_000)
	m.Update(tuitest.Key("/"))
	typed, erase := tuitest.Key("7"), tuitest.Key("backspace")
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			m.Update(typed)
		} else {
			m.Update(erase)
		}
		_ = m.View()
	}
}

// BenchmarkWizardKey is one character typed into an impact description (step 7, the form
// of every area's fields) and the frame with the area table.
func BenchmarkWizardKey(b *testing.B) {
	m := benchTab(10)
	la := m.summary.Latest[1]
	a := *la.Latest
	a.LastStep = assessments.StepImpacts
	m.Update(openWizardMsg{sys: la.System, a: a})
	m.wiz.update(tuitest.Key("right")) // harm: every field of the area shows
	m.wiz.form.Focus(assessments.ImpactField(assessments.AreaFairness, "description"))
	typed, erase := tuitest.Key("x"), tuitest.Key("backspace")
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			m.Update(typed)
		} else {
			m.Update(erase)
		}
		_ = m.View()
	}
}
