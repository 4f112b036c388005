package aisystems

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/form"
	"github.com/annex-grc/annex/tui/tuitest"
)

// form is the open form: the wizard step's or the system form.
func (h *harness) form() *form.Form {
	h.t.Helper()
	switch {
	case h.m.wiz != nil:
		return h.m.wiz.form
	case h.m.cwiz != nil:
		return h.m.cwiz.form
	case h.m.sysForm != nil:
		return h.m.sysForm
	}
	h.t.Fatalf("no form open:\n%s", h.view())
	return nil
}

// focus moves the open form's focus to the field k with tab and shift+tab.
func (h *harness) focus(k string) {
	h.t.Helper()
	for _, dir := range []string{"tab", "shift+tab"} {
		for i := 0; i < 40; i++ {
			if h.form().FocusKey() == k {
				return
			}
			h.press(dir)
		}
	}
	h.t.Fatalf("no field %s in view:\n%s", k, h.view())
}

// set replaces a one-line text field's value by typing.
func (h *harness) set(k, text string) {
	h.t.Helper()
	h.focus(k)
	h.press("ctrl+a", "ctrl+k")
	h.typeText(text)
	if got := h.form().Value(k); got != text {
		h.t.Fatalf("%s holds %q after typing %q", k, got, text)
	}
}

// choose cycles a choice field with → until it holds the value.
func (h *harness) choose(k, value string) {
	h.t.Helper()
	h.focus(k)
	for i := 0; i < 12; i++ {
		if h.form().Value(k) == value {
			return
		}
		h.press("right")
	}
	h.t.Fatalf("field %s never held %q", k, value)
}

// tick opens a pick list field and ticks the items each filter finds first.
func (h *harness) tick(k string, filters ...string) {
	h.t.Helper()
	h.focus(k)
	h.press("enter")
	for _, f := range filters {
		h.typeText(f)
		h.press("space")
		for range f {
			h.press("backspace")
		}
	}
	h.press("enter")
}

// addSystem creates a system through the form.
func (h *harness) addSystem(name string) assessments.AISystem {
	h.t.Helper()
	h.press("n")
	h.typeText(name)
	h.set("purpose", "Answers questions")
	h.tick("roles", "provider")
	h.press("ctrl+s")
	if h.m.mode == modeForm {
		h.t.Fatalf("form did not save:\n%s", h.view())
	}
	return h.system(name)
}

func sizes(t *testing.T, f func(t *testing.T, w, h int)) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) { f(t, size[0], size[1]) })
	}
}

func TestInventoryGolden(t *testing.T) {
	sizes(t, func(t *testing.T, w, hh int) {
		h := newHarness(t, w, hh, true)
		golden.RequireEqual(t, []byte(h.view()))
	})
}

func TestSystemFormGolden(t *testing.T) {
	sizes(t, func(t *testing.T, w, hh int) {
		h := newHarness(t, w, hh, true)
		h.press("j", "e") // Medivance Lens
		h.focus("owner")
		golden.RequireEqual(t, []byte(h.view()))
	})
}

func TestNewSystemFormGolden(t *testing.T) {
	sizes(t, func(t *testing.T, w, hh int) {
		h := newHarness(t, w, hh, false)
		h.press("n")
		h.typeText("Triage bot")
		h.press("ctrl+s")
		golden.RequireEqual(t, []byte(h.view()))
	})
}

func TestDetailGolden(t *testing.T) {
	sizes(t, func(t *testing.T, w, hh int) {
		h := newHarness(t, w, hh, true)
		h.press("j", "enter")
		golden.RequireEqual(t, []byte(h.view()))
	})
}

// TestWizardStepGolden draws each step of the chatbot's draft (left at step 7).
func TestWizardStepGolden(t *testing.T) {
	sizes(t, func(t *testing.T, w, hh int) {
		h := newHarness(t, w, hh, true)
		h.press("a")
		if h.m.wiz == nil || h.m.wiz.step != assessments.StepImpacts {
			t.Fatalf("did not resume at step 7:\n%s", h.view())
		}
		t.Run("step7-resumed", func(t *testing.T) { golden.RequireEqual(t, []byte(h.view())) })
		for range 6 {
			h.press("pgup")
		}
		for s := range assessments.ImpactSteps {
			if h.m.wiz.step != assessments.ImpactStep(s) {
				t.Fatalf("at step %d, want %d:\n%s", h.m.wiz.step+1, s+1, h.view())
			}
			t.Run(fmt.Sprintf("step%d", s+1), func(t *testing.T) { golden.RequireEqual(t, []byte(h.view())) })
			h.press("pgdown")
		}
	})
}

// TestReadOnlyGolden draws an approved version: no cursor, no field to type in.
func TestReadOnlyGolden(t *testing.T) {
	sizes(t, func(t *testing.T, w, hh int) {
		h := newHarness(t, w, hh, true)
		h.press("j", "enter", "enter")
		if h.m.wiz == nil || !h.m.wiz.readOnly || !h.m.wiz.form.ReadOnly() {
			t.Fatalf("approved version not read-only:\n%s", h.view())
		}
		t.Run("step2", func(t *testing.T) {
			h.press("pgdown")
			golden.RequireEqual(t, []byte(h.view()))
		})
		t.Run("step7", func(t *testing.T) {
			h.press("pgdown", "pgdown", "pgdown", "pgdown", "pgdown")
			h.press("right", "right", "right", "right")
			golden.RequireEqual(t, []byte(h.view()))
		})
		t.Run("step8", func(t *testing.T) {
			h.press("pgdown")
			golden.RequireEqual(t, []byte(h.view()))
		})
		t.Run("step9", func(t *testing.T) {
			h.press("pgdown")
			golden.RequireEqual(t, []byte(h.view()))
		})
	})
}

func TestSystemFormValidatesNextToFields(t *testing.T) {
	h := newHarness(t, 100, 30, false)
	h.press("n")
	h.typeText("Triage bot")
	h.press("ctrl+s")
	if h.m.mode != modeForm {
		t.Fatal("a form with errors must stay open")
	}
	contains(t, h.view(), "Say what the AI system is for", "Choose the organisation's roles", "Not saved: 2 fields to fix.")
	if got := h.m.sysForm.Value("name"); got != "Triage bot" {
		t.Fatalf("typed name lost: %q", got)
	}
	h.set("purpose", "Sorts incoming messages")
	if strings.Contains(h.view(), "Say what the AI system is for") {
		t.Fatalf("the fixed field keeps its message:\n%s", h.view())
	}
	h.tick("roles", "customer")
	h.set("owner", "Amara Nwosu")
	h.press("ctrl+s")
	if h.m.mode != modeDetail {
		t.Fatalf("not saved:\n%s", h.view())
	}
	sys := h.system("Triage bot")
	if !slices.Equal(sys.Roles, []assessments.AIRole{assessments.RoleCustomer}) || sys.Purpose != "Sorts incoming messages" || sys.Owner != "Amara Nwosu" {
		t.Fatalf("stored %+v", sys)
	}
	contains(t, h.view(), "Triage bot", "customer/user")
	if !strings.Contains(h.host.Status, "Added AI system Triage bot") {
		t.Fatalf("status %q", h.host.Status)
	}
}

func TestSystemFormSuggestsPeople(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.press("n")
	h.focus("owner")
	h.typeText("Rav")
	h.press("right")
	if got := h.m.sysForm.Value("owner"); got != "Ravi Patel" {
		t.Fatalf("→ must take the suggested owner, got %q", got)
	}
}

func TestSystemFormEscAsksAndWritesNothing(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.press("j", "e")
	h.set("purpose", "Changed but never saved")
	h.press("esc")
	if h.m.mode != modeForm || !strings.Contains(h.view(), "Discard changes?") {
		t.Fatalf("esc on a changed form must ask:\n%s", h.view())
	}
	h.press("n")
	if h.m.sysForm.Value("purpose") != "Changed but never saved" {
		t.Fatal("n must keep what was typed")
	}
	h.press("esc", "y")
	if h.m.mode != modeList {
		t.Fatalf("y must leave:\n%s", h.view())
	}
	if got := h.system("Medivance Lens").Purpose; !strings.HasPrefix(got, "Flags chest X-rays") {
		t.Fatalf("something was written before ctrl+s: %q", got)
	}
	// Unchanged: esc leaves at once.
	h.press("e", "esc")
	if h.m.mode != modeList {
		t.Fatalf("esc on an unchanged form must leave:\n%s", h.view())
	}
}

func TestWizardSaveMovesOnAndResume(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	h.addSystem("Lens")
	h.press("a")
	w := h.m.wiz
	if w == nil || w.step != assessments.StepScope || !strings.Contains(h.view(), "step 1 of 9") {
		t.Fatalf("wizard not at step 1:\n%s", h.view())
	}
	id := w.saved.ID

	// ctrl+s on an incomplete step saves nothing new and marks the field.
	h.press("ctrl+s")
	if h.m.wiz.step != assessments.StepScope || h.m.wiz.form.Errors()["scope"] == "" {
		t.Fatalf("incomplete step moved on: %v", h.m.wiz.form.Errors())
	}
	contains(t, h.view(), "Describe what the assessment covers")
	h.set("scope", "Lens in two trusts")
	// pgdn does not carry unsaved changes away, nor write them.
	h.press("pgdown")
	if h.m.wiz.step != assessments.StepScope || h.stored(id).Scope != "" {
		t.Fatalf("pgdn left a changed step or wrote it: step %d, stored %q", h.m.wiz.step+1, h.stored(id).Scope)
	}
	contains(t, h.view(), "ctrl+s saves them")
	h.press("ctrl+s")
	if h.m.wiz.step != assessments.StepSystem {
		t.Fatalf("ctrl+s on a complete step did not move on: %s\n%s", h.m.wiz.general, h.view())
	}
	if a := h.stored(id); a.Scope != "Lens in two trusts" || a.LastStep != assessments.StepSystem {
		t.Fatalf("step 1 not saved: %q step %d", a.Scope, a.LastStep)
	}
	contains(t, h.view(), "Step 1 saved.")
	// An unchanged step can be left either way.
	h.press("pgup")
	if h.m.wiz.step != assessments.StepScope {
		t.Fatalf("pgup on an unchanged step: %d", h.m.wiz.step+1)
	}
	h.press("pgdown")
	// Leaving with unsaved text asks, and y leaves without it.
	h.set("misuse", "Used as a diagnosis")
	h.press("esc")
	contains(t, h.view(), "Discard changes?")
	h.press("y")
	if h.m.wiz != nil || h.m.mode != modeDetail {
		t.Fatalf("y did not leave:\n%s", h.view())
	}
	if a := h.stored(id); a.Misuse != "" {
		t.Fatalf("discarded text was written: %q", a.Misuse)
	}
	// Resume: a opens the draft at the furthest step reached.
	h.press("a")
	if h.m.wiz == nil || h.m.wiz.step != assessments.StepSystem {
		t.Fatalf("resume failed:\n%s", h.view())
	}
	contains(t, h.view(), "Resumed at step 2 of 9")
}

func TestWizardIncompleteStepSavedWithMarks(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	h.addSystem("Lens")
	h.press("a")
	id := h.m.wiz.saved.ID
	h.set("scope", "All of it")
	h.press("ctrl+s")
	for _, f := range []string{"intended_uses", "misuse", "failure_modes"} {
		h.set(f, "something")
	}
	h.press("ctrl+s")
	if h.m.wiz.step != assessments.StepData {
		t.Fatalf("step 2 complete but not left: %v", h.m.wiz.form.Errors())
	}
	// Step 3 misses its known bias: ctrl+s saves what is there and marks that one field.
	h.set("data_sources", "PACS")
	h.press("ctrl+s")
	w := h.m.wiz
	if w.step != assessments.StepData || len(w.form.Errors()) != 1 || w.form.Errors()["known_bias"] == "" {
		t.Fatalf("want exactly the known-bias message, got %v", w.form.Errors())
	}
	if w.form.FocusKey() != "known_bias" {
		t.Fatalf("focus on %s, want the field in error", w.form.FocusKey())
	}
	if a := h.stored(id); a.DataSources != "PACS" || a.LastStep != assessments.StepData {
		t.Fatalf("step 3 as it stands not saved: %q at %d", a.DataSources, a.LastStep+1)
	}
	h.typeText("none known")
	if len(h.m.wiz.form.Errors()) != 0 {
		t.Fatalf("the fixed field keeps its message: %v", h.m.wiz.form.Errors())
	}
	h.press("ctrl+s")
	if h.m.wiz.step != assessments.StepModel {
		t.Fatalf("step 3 now complete but not left: %v", h.m.wiz.form.Errors())
	}
}

// completeWizard fills every step of the open wizard from step 1 up to the decision.
func completeWizard(h *harness) {
	h.t.Helper()
	h.set("scope", "Pilot")
	h.press("ctrl+s")
	for _, f := range []string{"intended_uses", "misuse", "failure_modes"} {
		h.set(f, "x")
	}
	h.press("ctrl+s")
	h.set("known_bias", "none known")
	h.set("data_sources", "PACS")
	h.press("ctrl+s")
	h.set("model_kind", "CNN")
	h.press("ctrl+s")
	h.set("jurisdictions", "UK")
	h.set("deployment_context", "Hospitals")
	h.press("ctrl+s")
	h.set("interested_parties", "Patients")
	h.set("vulnerable_groups", "Children")
	h.press("ctrl+s")
	if h.m.wiz.step != assessments.StepImpacts {
		h.t.Fatalf("not at impacts: %s %v", h.m.wiz.general, h.m.wiz.form.Errors())
	}
	// Safety: a high residual harm; every other area: no material effect.
	for i, area := range assessments.ImpactAreas {
		for h.m.wiz.area != i {
			h.press("alt+down")
		}
		f := func(name string) string { return assessments.ImpactField(area, name) }
		if area != assessments.AreaSafety {
			h.choose(f("effect"), "none")
			continue
		}
		h.choose(f("effect"), "harm")
		h.set(f("description"), "Missed urgent finding")
		h.focus(f("severity"))
		h.press("5", "tab", "4")
		h.choose(f("reversibility"), "partly_reversible")
		h.choose(f("scale"), "individual")
		h.tick(f("measures"), "A.6.2.4", "A.8.16")
		h.focus(f("residual_severity"))
		h.press("4", "tab", "3")
	}
	h.press("ctrl+s")
	if h.m.wiz.step != assessments.StepClass {
		h.t.Fatalf("impacts not complete: %s %v", h.m.wiz.general, h.m.wiz.form.Errors())
	}
	h.press("ctrl+s")
}

func TestWizardApproveFreezeReassess(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	sys := h.addSystem("Lens")
	h.press("a")
	id := h.m.wiz.saved.ID
	completeWizard(h)
	if h.m.wiz.step != assessments.StepDecision {
		t.Fatalf("not at the decision: %v", h.m.wiz.form.Errors())
	}
	h.choose("decision", "approve")
	h.press("ctrl+s")
	if h.m.wiz.form.Errors()["approver"] == "" || h.m.wiz.form.Errors()["rationale"] == "" || h.dialog() != "" {
		t.Fatalf("a decision without approver was accepted: %v", h.m.wiz.form.Errors())
	}
	h.set("approver", "Dr Ada Obi")
	h.focus("decision_date")
	h.press("t") // today
	h.set("rationale", "Benefits outweigh the residual harm")
	h.press("ctrl+s")
	d := h.dialog()
	if !strings.Contains(d, "Lens: approve impact assessment v1?") || !strings.Contains(d, "freeze version 1?") {
		t.Fatalf("no confirmation naming the system and version:\n%s", h.view())
	}
	// n keeps the version a draft with what was typed.
	h.press("n")
	if h.stored(id).Frozen() || h.m.wiz == nil || h.m.wiz.form.Value("approver") != "Dr Ada Obi" {
		t.Fatal("n must record nothing and keep the step")
	}
	h.press("ctrl+s", "y")
	a := h.stored(id)
	if a.State() != assessments.ImpactApproved || a.Class() != assessments.ClassHigh || a.DecisionDate != "2026-03-02" || a.NextReview() != "2026-09-02" {
		t.Fatalf("stored: %s %s %s %s", a.State(), a.Class(), a.DecisionDate, a.NextReview())
	}
	if h.m.wiz != nil || !strings.Contains(h.host.Status, "frozen") {
		t.Fatalf("wizard should close with a message: %q", h.host.Status)
	}
	// The approved version opens read-only: typing changes nothing.
	h.press("enter")
	w := h.m.wiz
	if w == nil || !w.readOnly {
		t.Fatalf("approved version not read-only:\n%s", h.view())
	}
	contains(t, h.view(), "Read-only")
	h.press("tab", "tab")
	h.typeText("zzz")
	h.paste("pasted")
	h.press("pgdown", "esc")
	if got := h.stored(id); got.Scope != "Pilot" {
		t.Fatalf("frozen version changed: %q", got.Scope)
	}
	// Re-assess asks first, then starts version 2, prefilled from 1, at step 1.
	h.press("r")
	contains(t, h.dialog(), "Re-assess Lens: start version 2?")
	h.press("esc")
	if len(h.versions("Lens")) != 1 || h.dialog() != "" {
		t.Fatal("esc must close the question and start nothing")
	}
	h.press("r", "y")
	w = h.m.wiz
	if w == nil || w.saved.Version != 2 || w.readOnly || w.step != assessments.StepScope {
		t.Fatalf("re-assess:\n%s", h.view())
	}
	if w.form.Value("scope") != "Pilot" || w.form.Value("trigger") != "" {
		t.Fatalf("version 2 not prefilled:\n%s", h.view())
	}
	contains(t, h.view(), "prefilled from version 1")
	versions := h.versions("Lens")
	if len(versions) != 2 || versions[0].Impact(assessments.AreaSafety).ResidualSeverity != 4 {
		t.Fatalf("versions: %d", len(versions))
	}
	_ = sys
}

func TestRejectNamesTheDecision(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	h.addSystem("Lens")
	h.press("a")
	completeWizard(h)
	h.choose("decision", "reject")
	h.set("approver", "Dr Ada Obi")
	h.set("decision_date", "2026-03-01")
	h.set("rationale", "Too risky")
	h.press("ctrl+s")
	contains(t, h.dialog(), "Lens: reject impact assessment v1?", "Reject by Dr Ada Obi on 2026-03-01")
	h.press("y")
	if v := h.versions("Lens"); v[0].State() != assessments.ImpactRejected {
		t.Fatalf("state %s", v[0].State())
	}
}

func TestRaiseRiskFromHighResidualHarm(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	sys := h.addSystem("Lens")
	h.press("a")
	completeWizard(h)
	h.press("pgup", "pgup") // back to the impacts step
	if h.m.wiz.step != assessments.StepImpacts {
		t.Fatalf("not at impacts: %v", h.m.wiz.step)
	}
	for h.m.wiz.areaID() != assessments.AreaFairness {
		h.press("alt+up")
	}
	h.press("ctrl+r")
	if !strings.Contains(h.m.wiz.general, "not assessed as a harm") {
		t.Fatalf("a risk from no harm: %q", h.m.wiz.general)
	}
	for h.m.wiz.areaID() != assessments.AreaSafety {
		h.press("alt+down")
	}
	// Unsaved changes first: the risk is prefilled from what is saved.
	h.set(assessments.ImpactField(assessments.AreaSafety, "description"), "Changed")
	h.press("ctrl+r")
	if !strings.Contains(h.m.wiz.general, "Save the step first") {
		t.Fatalf("risk raised from unsaved ratings: %q", h.m.wiz.general)
	}
	h.press("ctrl+a", "ctrl+k")
	h.typeText("Missed urgent finding")
	h.press("ctrl+r")
	contains(t, h.view(), "Risk R-001 added to the register")
	risks, err := h.s.Risks(context.Background(), h.e.ID)
	if err != nil || len(risks) != 1 {
		t.Fatalf("register: %v %v", risks, err)
	}
	r := risks[0]
	if r.AISystemID != sys.ID || r.Scope != assessments.ScopeAI || r.Residual.Consequence != 4 || !strings.Contains(r.Title, "Lens") {
		t.Fatalf("risk not prefilled and linked: %+v", r)
	}
	if strings.Count(h.view(), "R-001") < 2 {
		t.Fatalf("area table lacks the risk:\n%s", h.view())
	}
	h.press("ctrl+r")
	if !strings.Contains(h.m.wiz.general, "already raised") {
		t.Fatalf("second risk from the same area: %q", h.m.wiz.general)
	}
}

func TestSection(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	ctx := context.Background()
	for _, ref := range []string{"6.1.4", "8.4", "A.5.2", "A.5.3", "A.5.4", "A.5.5"} {
		sec, err := Section(ctx, h.c, h.e, catalogs.ISO42001, ref)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(sec.Lines, "\n")
		for _, want := range []string{"2 AI systems, 2 assessment versions\n1 approved · 1 in draft", "• Medivance Lens: v1 approved 2025-11-02",
			"  class high, by Dr Helen Carver\n  next review 2026-05-02", "• Medivance Assist: v1 draft, step 7 of 9"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: section lacks %q:\n%s", ref, want, text)
			}
		}
	}
	for _, q := range [][2]string{{catalogs.ISO42001, "A.6.2.4"}, {catalogs.ISO27001, "6.1.4"}, {catalogs.ISO42001, "6.1.2"}} {
		sec, err := Section(ctx, h.c, h.e, q[0], q[1])
		if err != nil || len(sec.Lines) != 0 {
			t.Errorf("%s %s: want empty, got %v %v", q[0], q[1], sec.Lines, err)
		}
	}
	// Lines stay short: the detail pane cuts what does not fit.
	sec, _ := Section(ctx, h.c, h.e, catalogs.ISO42001, "8.4")
	for _, l := range sec.Lines {
		if len([]rune(l)) > 48 {
			t.Errorf("line too long for the detail pane: %q", l)
		}
	}
	if sec.Warn {
		t.Error("nothing is overdue or unassessed: no warning")
	}
}

func TestSectionWarnsOfOverdueReviews(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, 120, 40, true)
	late := *h.c
	s, err := store.Open(ctx, h.s.Path(), store.Options{Now: func() time.Time { return clock.AddDate(1, 0, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	late.Store = s
	sec, err := Section(ctx, &late, h.e, catalogs.ISO42001, "6.1.4")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(sec.Lines, "\n")
	if !sec.Warn || !strings.Contains(text, "review overdue since 2026-05-02") || !strings.Contains(text, "1 review overdue") {
		t.Fatalf("overdue not flagged (warn %v):\n%s", sec.Warn, text)
	}
}

// TestMeasuresPickedFromBothCatalogs: a measure is picked from a list that names the
// standard of each control ("ISO 42001 A.6.2.4", "ISO 27001 A.8.16"), so "A.5.5" can no
// longer be ambiguous; the words go in the field beside it.
func TestMeasuresPickedFromBothCatalogs(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.press("a") // the chatbot's draft, step 7
	id := h.m.wiz.saved.ID
	for h.m.wiz.areaID() != assessments.AreaSafety {
		h.press("alt+down")
	}
	k := assessments.ImpactField(assessments.AreaSafety, "measures")
	h.focus(k)
	h.press("enter")
	h.typeText("A.5.5")
	v := h.view()
	contains(t, v, "ISO 42001 A.5.5", "ISO 27001 A.5.5")
	h.press("space")
	for range "A.5.5" {
		h.press("backspace")
	}
	h.typeText("A.8.16") // a space in the filter would tick: words are typed without
	h.press("space", "enter")
	if got := h.form().Value(k); got != "iso42001-2023:A.5.5,iso27001-2022:A.8.16" {
		t.Fatalf("picked %q", got)
	}
	contains(t, h.view(), "ISO 42001 A.5.5, ISO 27001 A.8.16")
	h.set(assessments.ImpactField(assessments.AreaSafety, "measures_note"), "A nurse line takes over flagged chats")
	h.press("ctrl+s")
	got := h.stored(id).Impact(assessments.AreaSafety)
	want := []assessments.ControlRef{{Standard: catalogs.ISO42001, Ref: "A.5.5"}, {Standard: catalogs.ISO27001, Ref: "A.8.16"}}
	if !reflect.DeepEqual(got.Measures, want) || got.MeasuresNote != "A nurse line takes over flagged chats" {
		t.Fatalf("stored measures %v, %q", got.Measures, got.MeasuresNote)
	}
}

func TestKeysTypedWhileSavingAreKept(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	h.addSystem("Lens")
	h.press("a")
	h.set("scope", "Pilot")
	// Send ctrl+s and the next step's typing without running the save in between.
	var cmds []tea.Cmd
	cmds = append(cmds, h.host.Deliver(keyMsg("ctrl+s")))
	for _, k := range append([]tea.KeyPressMsg{tuitest.Key("tab")}, tuitest.Keys("Worklist triage")...) {
		cmds = append(cmds, h.host.Deliver(k))
	}
	h.run(tea.Batch(cmds...))
	if h.m.wiz.step != assessments.StepSystem || h.m.wiz.form.Value("intended_uses") != "Worklist triage" {
		t.Fatalf("keys typed during the save were lost: step %d, %q", h.m.wiz.step+1, h.m.wiz.form.Value("intended_uses"))
	}
}

func TestFilterAndDelete(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.press("/")
	h.typeText("lens")
	h.press("enter")
	if len(h.m.visible) != 1 || !strings.Contains(h.view(), "Medivance Lens") || strings.Contains(h.view(), "Medivance Assist") {
		t.Fatalf("filter:\n%s", h.view())
	}
	// Deleting asks in a dialog that names the system and what goes with it.
	h.press("d")
	contains(t, h.dialog(), "Delete AI system Medivance Lens?", "1 impact assessment version goes with it", "1 linked risk stays in the register")
	h.press("n")
	if list, _ := h.s.AISystems(context.Background(), h.e.ID); len(list) != 2 || h.dialog() != "" {
		t.Fatal("n must keep the system")
	}
	// An approved version cannot be deleted; the system can.
	h.press("enter", "d")
	if !strings.Contains(h.host.Status, "kept as a record") || h.dialog() != "" {
		t.Fatalf("approved version deletable: %q", h.host.Status)
	}
	h.press("esc", "d", "y")
	if list, _ := h.s.AISystems(context.Background(), h.e.ID); len(list) != 1 || list[0].Name != "Medivance Assist" {
		t.Fatalf("after delete: %v", list)
	}
	if !strings.Contains(h.host.Status, "Deleted AI system Medivance Lens.") {
		t.Fatalf("status %q", h.host.Status)
	}
}

func TestDeleteDraftVersionAsks(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.press("enter", "d") // Medivance Assist, its draft version 1
	contains(t, h.dialog(), "Delete draft version 1 of Medivance Assist?")
	h.press("y")
	if v := h.versions("Medivance Assist"); len(v) != 0 {
		t.Fatalf("draft kept: %d", len(v))
	}
}

func TestWizardConflictKeepsWhatWasTyped(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	h.addSystem("Lens")
	h.press("a")
	id := h.m.wiz.saved.ID
	// Another window saves the scope meanwhile.
	cur := h.stored(id)
	theirs := cur.Clone()
	theirs.Scope = "Theirs"
	if _, err := h.s.UpdateImpactAssessment(context.Background(), cur, theirs); err != nil {
		t.Fatal(err)
	}
	h.set("scope", "Mine")
	h.press("ctrl+s")
	if h.m.wiz.step != assessments.StepScope || !strings.Contains(h.m.wiz.general, "changed elsewhere") {
		t.Fatalf("conflict not reported: %q", h.m.wiz.general)
	}
	if h.m.wiz.form.Value("scope") != "Mine" {
		t.Fatal("the typed scope was lost")
	}
	h.press("ctrl+s")
	if h.m.wiz.step != assessments.StepSystem || h.stored(id).Scope != "Mine" {
		t.Fatalf("second attempt: step %d, stored %q", h.m.wiz.step+1, h.stored(id).Scope)
	}
}

func TestFlushOnQuitKeepsTypedText(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	h.addSystem("Lens")
	h.press("a")
	id := h.m.wiz.saved.ID
	h.set("scope", "Typed but not saved")
	if w := h.m.UnsavedWork(); w != "" {
		t.Fatalf("a savable step reported as unsaved work: %q", w)
	}
	if err := h.m.FlushDrafts(); err != nil {
		t.Fatal(err)
	}
	if a := h.stored(id); a.Scope != "Typed but not saved" || a.LastStep != assessments.StepScope {
		t.Fatalf("flush lost the text: %q", a.Scope)
	}
	// The system form too.
	h.press("esc", "e")
	h.set("owner", "Amara")
	if err := h.m.FlushDrafts(); err != nil {
		t.Fatal(err)
	}
	if sys := h.system("Lens"); sys.Owner != "Amara" {
		t.Fatalf("form not flushed: %q", sys.Owner)
	}
	// A new, valid entry is created; flushing twice creates it once.
	h.press("esc", "n")
	h.typeText("Bot")
	h.set("purpose", "Chat")
	h.tick("roles", "provider")
	for range 2 {
		if err := h.m.FlushDrafts(); err != nil {
			t.Fatal(err)
		}
	}
	if list, _ := h.s.AISystems(context.Background(), h.e.ID); len(list) != 2 {
		t.Fatalf("new entry flushed %d times", len(list)-1)
	}
	// A form in error is unsaved work the quit guard names.
	h.set("name", "")
	if w := h.m.UnsavedWork(); !strings.Contains(w, "AI system form") {
		t.Fatalf("unsaved work %q", w)
	}
}

func TestUndoSystemEditAndStepSave(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.press("j", "e")
	h.set("owner", "Someone Else")
	h.press("ctrl+s")
	if h.c.Undo.Len() != 1 || h.system("Medivance Lens").Owner != "Someone Else" {
		t.Fatalf("edit not saved with an undo entry (%d)", h.c.Undo.Len())
	}
	h.undo()
	if got := h.system("Medivance Lens").Owner; got != "Ravi Patel" {
		t.Fatalf("undo left owner %q", got)
	}
	if !strings.Contains(h.view(), "Ravi Patel") {
		t.Fatalf("the tab does not show the undone value:\n%s", h.view())
	}
	// A draft step save.
	h.press("esc", "k", "a") // Medivance Assist's draft
	id := h.m.wiz.saved.ID
	h.press("pgup")
	h.set("interested_parties", "Patients and carers")
	h.press("ctrl+s")
	if h.stored(id).InterestedParties != "Patients and carers" || h.c.Undo.Len() != 1 {
		t.Fatalf("step not saved with an undo entry (%d)", h.c.Undo.Len())
	}
	h.press("esc")
	h.undo()
	if got := h.stored(id).InterestedParties; got != "" {
		t.Fatalf("undo left %q", got)
	}
	// Creations are not undoable.
	h.press("esc")
	h.addSystem("New one")
	if h.c.Undo.Len() != 0 {
		t.Fatalf("a creation pushed an undo entry")
	}
}

func TestJumpTargetsAndRestore(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	var j common.Jumper = h.m
	targets, err := j.JumpTargets(context.Background())
	if err != nil || len(targets) != 2 {
		t.Fatalf("targets %v %v", targets, err)
	}
	var lens common.JumpTarget
	for _, tg := range targets {
		if tg.Kind != "AI system" {
			t.Fatalf("kind %q", tg.Kind)
		}
		if tg.Label == "Medivance Lens" {
			lens = tg
		}
	}
	g, ok := lens.Msg.(common.GotoMsg)
	if !ok || g.Tab != h.m.Address() || g.Item == "" {
		t.Fatalf("target message %#v", lens.Msg)
	}
	// A filter that hides the system is cleared; the cursor lands on it.
	h.press("/")
	h.typeText("assist")
	h.press("enter")
	var l common.Locator = h.m
	h.run(l.Restore(g.Item))
	if la, ok := h.m.selected(); !ok || la.System.Name != "Medivance Lens" || h.m.filter.Value() != "" {
		t.Fatalf("restore did not select the system:\n%s", h.view())
	}
	if l.Location() != g.Item {
		t.Fatalf("location %q", l.Location())
	}
}

func TestCrossFieldMessageClears(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.press("a")
	for h.m.wiz.areaID() != assessments.AreaSafety {
		h.press("alt+down")
	}
	f := func(n string) string { return assessments.ImpactField(assessments.AreaSafety, n) }
	h.focus(f("severity"))
	h.press("2")
	h.focus(f("residual_severity"))
	h.press("3")
	h.press("ctrl+s")
	if h.m.wiz.form.Errors()[f("residual_severity")] == "" {
		t.Fatalf("residual above inherent not marked: %v", h.m.wiz.form.Errors())
	}
	// Raising the inherent severity fixes the residual's message.
	h.focus(f("severity"))
	h.press("4")
	if msg := h.m.wiz.form.Errors()[f("residual_severity")]; msg != "" {
		t.Fatalf("fixed by the other field, message kept: %q", msg)
	}
}

// TestRandomKeys presses thousands of seeded random keys and pastes over the tab, its
// forms, dialogs and the wizard: no panic, and the workspace stays sound.
func TestRandomKeys(t *testing.T) {
	// Seeds 4 and 5 start in the EU AI Act classification wizard.
	for seed := int64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			h := newHarness(t, 80+int(seed%2)*40, 24+int(seed%2)*16, true)
			if seed >= 4 {
				h.press("c")
			}
			keys := []string{"j", "k", "g", "G", "enter", "esc", "q", "n", "e", "d", "a", "r", "y", "/", "tab", "shift+tab",
				"up", "down", "left", "right", "pgdown", "pgup", "ctrl+s", "ctrl+r", "alt+down", "alt+up", "space", "backspace",
				"?", "t", "1", "3", "5", "0", "x", "A", "R", "ctrl+a", "ctrl+k", "[", "]", "z", ":", "c", "c", "l", "h"}
			pastes := []string{"Hello\nworld", "\x1b[31mred\x1b[0m", strings.Repeat("long ", 50), "42001 A.6.2.4", "2026-13-45", "ünïcødé ⏎", ""}
			rnd := uint64(seed) * 0x9E3779B97F4A7C15
			next := func(n int) int {
				rnd ^= rnd << 13
				rnd ^= rnd >> 7
				rnd ^= rnd << 17
				return int(rnd % uint64(n))
			}
			classifying := 0 // keys that reached the EU AI Act classification wizard
			for i := 0; i < 3000; i++ {
				if next(15) == 0 {
					h.paste(pastes[next(len(pastes))])
				} else {
					h.press(keys[next(len(keys))])
				}
				_ = h.view()
				_ = h.m.KeyMap().ShortHelp()
				if h.m.cwiz != nil {
					classifying++
				}
			}
			if seed >= 4 && classifying < 100 {
				t.Errorf("only %d keys reached the classification wizard: the walk tests little there", classifying)
			}
			if err := h.m.FlushDrafts(); err != nil {
				t.Logf("flush: %v", err)
			}
			var res string
			if err := h.s.DB().QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
				t.Fatalf("integrity %q %v", res, err)
			}
			if _, p, err := h.s.VerifyChain(context.Background()); err != nil || p != nil {
				t.Fatalf("chain: %v %v", p, err)
			}
			if len(h.host.Unaddressed) > 0 {
				t.Fatalf("results not addressed to the tab: %v", h.host.Unaddressed)
			}
		})
	}
}
