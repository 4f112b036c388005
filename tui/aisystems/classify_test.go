package aisystems

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

// answer chooses an answer for every question of the open step: yes for the ids given,
// no for the others in view.
func (h *harness) answer(yes ...string) {
	h.t.Helper()
	act := catalogs.MustEUAIAct()
	w := h.m.cwiz
	for _, q := range act.StepQuestions(w.step.CatalogStep()) {
		k := assessments.AIActField(q.ID)
		if show := w.questionShown(q); show != nil && !show(h.form().Values()) {
			continue
		}
		want := "no"
		if slices.Contains(yes, q.ID) {
			want = "yes"
		}
		h.choose(k, want)
		if want == "yes" {
			h.set(assessments.AIActNoteField(q.ID), "because "+q.ID)
		}
	}
}

// TestClassifyThroughAnnexIII walks a deployer's classification of the chatbot: every
// Art. 5 practice no, Annex III point 4 yes with profiling (so the Art. 6(3) exemption
// cannot apply), the FRIA fields recorded, approved and frozen; the detail and the list say
// high-risk with the articles.
func TestClassifyThroughAnnexIII(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.press("c") // Medivance Assist, the first in the list
	w := h.m.cwiz
	if w == nil || w.step != assessments.ActStepRoles {
		t.Fatalf("classification did not open at step 1:\n%s", h.view())
	}
	contains(t, h.view(), "EU AI Act classification v1", "step 1 of 8", "Operator roles", "provider")
	h.tick("operator_roles", "deployer")
	h.press("ctrl+s")
	if w.step != assessments.ActStepProhibited {
		t.Fatalf("step 1 not saved: %s\n%s", w.general, h.view())
	}
	// Forward needs every practice answered: the first is marked by its field.
	h.press("ctrl+s")
	contains(t, h.view(), "Art. 5(1)(a): answer yes or no.")
	if w.step != assessments.ActStepProhibited {
		t.Fatal("an unanswered practice let the step through")
	}
	h.answer()
	h.press("ctrl+s")
	if w.step != assessments.ActStepHighRisk {
		t.Fatalf("step 2: %s %v", w.general, w.form.Errors())
	}
	h.answer("hr_employment")
	h.press("ctrl+s")
	contains(t, h.view(), "Not high-risk after all? (Art. 6(3))", "Art. 6(3)(a) Narrow procedural task")
	h.answer("ex_profiling")
	h.press("ctrl+s")
	h.answer()
	h.press("ctrl+s")
	if w.step != assessments.ActStepGPAI {
		t.Fatalf("transparency: %s %v", w.general, w.form.Errors())
	}
	h.answer()
	h.press("ctrl+s")
	if w.step != assessments.ActStepFRIA {
		t.Fatalf("GPAI: %s %v", w.general, w.form.Errors())
	}
	// The FRIA draws on the chatbot's impact assessment and asks for what it lacks.
	contains(t, h.view(), "Art. 27(1) Public body or public service", "From the IA", "version 1, draft")
	h.answer("fr_public")
	h.press("ctrl+s")
	contains(t, h.view(), "Say over what period and how often")
	h.set("fria_notified", "")
	h.focus("fria_period")
	h.typeText("Every hiring round from January 2028")
	h.focus("fria_complaints")
	h.typeText("Candidates write to the HR desk; the HR director decides")
	h.press("ctrl+s")
	if w.step != assessments.ActStepResult {
		t.Fatalf("FRIA: %s %v\n%s", w.general, w.form.Errors(), h.view())
	}
	contains(t, h.view(), "Result", "high-risk", "Annex III point 4; Art. 6(3), last subparagraph", "2027-12-02", "required (Art. 27(1))", "Art. 26")
	h.choose("decision", "approve")
	h.set("approver", "Dana Ruiz")
	h.set("decision_date", "2026-03-02")
	h.focus("rationale")
	h.typeText("Ranks candidates for interviews.")
	h.press("ctrl+s")
	contains(t, h.dialog(), "approve EU AI Act classification v1?", "high-risk (Annex III point 4")
	h.press("y")
	if h.m.cwiz != nil || h.m.mode != modeDetail {
		t.Fatalf("the wizard did not close:\n%s", h.view())
	}
	contains(t, h.host.Status, "approved by Dana Ruiz and frozen: high-risk (Annex III point 4; Art. 6(3), last subparagraph)")
	contains(t, h.view(), "EU AI Act classification versions (1)", "v1 approved 2026-03-02 · high-risk from 2027-12-02 · Annex III point 4")
	recs, err := h.s.AIActRecords(context.Background(), h.system("Medivance Assist").ID)
	if err != nil || len(recs) != 1 || !recs[0].Frozen() || recs[0].FRIAComplaints == "" ||
		!slices.Equal(recs[0].Roles, []assessments.OperatorRole{"provider", "deployer"}) {
		t.Fatalf("stored: %+v %v", recs, err)
	}
	// c on an approved classification asks before starting version 2.
	h.press("c")
	contains(t, h.dialog(), "Re-classify Medivance Assist: start version 2?")
	h.press("y")
	if h.m.cwiz == nil || h.m.cwiz.saved.Version != 2 || h.m.cwiz.saved.Answer("hr_employment").Answer != assessments.AnswerYes {
		t.Fatalf("version 2 not prefilled:\n%s", h.view())
	}
}

// TestClassificationReadOnly opens the approved classification of Lens: no field takes
// a key, the result step states the Annex I route.
func TestClassificationReadOnly(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.press("j", "enter", "j", "enter")
	if h.m.cwiz == nil || !h.m.cwiz.readOnly {
		t.Fatalf("approved classification not read-only:\n%s", h.view())
	}
	for range 7 {
		h.press("pgdown")
	}
	contains(t, h.view(), "high-risk", "Art. 6(1)(a), Annex I; Art. 6(1)(b)", "2028-08-02")
	h.press("x", "ctrl+s")
	if h.m.cwiz.saved.Version != 1 || !h.m.cwiz.readOnly {
		t.Fatal("a key changed an approved classification")
	}
	h.press("esc")
	if h.m.mode != modeDetail {
		t.Fatalf("esc did not close:\n%s", h.view())
	}
}

func TestClassifyGolden(t *testing.T) {
	sizes(t, func(t *testing.T, w, hh int) {
		h := newHarness(t, w, hh, true)
		h.press("c")
		h.tick("operator_roles", "deployer")
		h.press("ctrl+s")
		t.Run("step2", func(t *testing.T) { golden.RequireEqual(t, []byte(h.view())) })
		h.answer()
		h.press("ctrl+s")
		h.answer("hr_essential_services")
		h.press("ctrl+s")
		t.Run("step4", func(t *testing.T) { golden.RequireEqual(t, []byte(h.view())) })
		h.answer("ex_profiling")
		h.press("ctrl+s")
		h.answer("tr_interaction")
		h.press("ctrl+s")
		h.answer()
		h.press("ctrl+s")
		h.answer("fr_public")
		t.Run("step7", func(t *testing.T) { golden.RequireEqual(t, []byte(h.view())) })
		h.press("pgdown")
		h.press("ctrl+s")
		h.focus("fria_period")
		h.typeText("Daily")
		h.focus("fria_complaints")
		h.typeText("Patient liaison")
		h.press("ctrl+s")
		t.Run("step8", func(t *testing.T) { golden.RequireEqual(t, []byte(h.view())) })
		h.press("esc")
		t.Run("detail", func(t *testing.T) { golden.RequireEqual(t, []byte(h.view())) })
	})
}

// TestRolesAreSeveral: the inventory form ticks several roles; the list shows them short.
func TestRolesAreSeveral(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	h.press("n")
	h.typeText("Forecaster")
	h.set("purpose", "Forecasts demand")
	h.tick("roles", "producer", "customer")
	h.press("ctrl+s")
	sys := h.system("Forecaster")
	if !slices.Equal(sys.Roles, []assessments.AIRole{assessments.RoleProducer, assessments.RoleCustomer}) {
		t.Fatalf("roles %v", sys.Roles)
	}
	contains(t, h.view(), "Forecaster · producer, customer/user")
	h.press("esc")
	contains(t, h.view(), "producer +1")
	if strings.Contains(fmt.Sprint(assessments.AIRoles), "subject") {
		t.Fatal("an AI subject is not a role of the organisation")
	}
}
