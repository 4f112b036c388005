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
// with a draft and every third with an approved version; every other system has an EU AI
// Act classification (approved high-risk, or a draft).
func benchTab(n int) *Model {
	c := &common.Common{Ctx: context.Background(), Catalogs: catalogs.MustBuiltin(), Styles: common.NewStyles(true),
		Keys: common.DefaultKeyMap(), Now: func() time.Time { return clock }}
	m := New(c, assessments.Engagement{ID: "e", Standards: []string{catalogs.ISO42001}}).(*Model)
	m.SetSize(120, 36)
	var systems []assessments.AISystem
	versions := map[string][]assessments.ImpactAssessment{}
	acts := map[string][]assessments.AIActRecord{}
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
		if i%2 == 0 {
			r := benchRecord(s)
			if i%4 == 0 {
				r.Decision, r.Approver, r.DecisionDate, r.Rationale = assessments.DecisionApprove, "Dr Ada Obi", "2026-01-10", "ok"
			}
			acts[s.ID] = []assessments.AIActRecord{r}
		}
	}
	m.loaded_(loadedMsg{seq: m.seq, summary: assessments.SummarizeImpacts(systems, versions, clock), versions: versions, acts: acts})
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

// benchRecord is a deployer's high-risk classification (Annex III point 4, profiling).
func benchRecord(s assessments.AISystem) assessments.AIActRecord {
	r := assessments.NewAIActRecord(s)
	r.ID, r.Roles = "r"+s.ID, []assessments.OperatorRole{"deployer"}
	for _, q := range catalogs.MustEUAIAct().Questions {
		switch q.Kind {
		case catalogs.KindProhibited, catalogs.KindAnnexIProduct, catalogs.KindAnnexIII, catalogs.KindTransparency, catalogs.KindGPAIProvider:
			r.Answers[q.ID] = assessments.AIActAnswer{Answer: assessments.AnswerNo}
		}
	}
	r.Answers["hr_employment"] = assessments.AIActAnswer{Answer: assessments.AnswerYes, Note: "ranks candidates"}
	r.Answers["ex_profiling"] = assessments.AIActAnswer{Answer: assessments.AnswerYes}
	r.Answers["fr_public"] = assessments.AIActAnswer{Answer: assessments.AnswerYes}
	r.Answers["fr_credit_insurance"] = assessments.AIActAnswer{Answer: assessments.AnswerNo}
	return r
}

// benchClassify opens the classification wizard of a draft at a step, on a tab of 10 systems.
func benchClassify(step assessments.AIActStep) *Model {
	m := benchTab(10)
	la := m.summary.Latest[2]
	r := benchRecord(la.System)
	r.LastStep = step
	m.Update(openClassifyMsg{sys: la.System, r: r})
	return m
}

// BenchmarkClassifyKey is one character typed into a note on the high-risk step (the
// form of the ten Art. 6 questions) and the frame.
func BenchmarkClassifyKey(b *testing.B) {
	m := benchClassify(assessments.ActStepHighRisk)
	m.cwiz.form.Focus(assessments.AIActNoteField("hr_employment"))
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

// BenchmarkClassifyFRIAKey is one character typed on the FRIA step (its fields show only
// for a deployer of a high-risk system, so every frame asks the derivation) and the frame
// with the summary drawn from the impact assessment.
func BenchmarkClassifyFRIAKey(b *testing.B) {
	m := benchClassify(assessments.ActStepFRIA)
	m.cwiz.form.Focus("fria_period")
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
