package aisystems

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/tuitest"
)

func TestMain(m *testing.M) {
	// The tab's inputs have a steady cursor, so no command waits on a timer: give store
	// commands ample time on a busy machine instead of dropping them.
	tuitest.Wait = 5 * time.Second
	os.Setenv("NO_COLOR", "1")
	os.Exit(m.Run())
}

var clock = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

type harness struct {
	t *testing.T
	m *Model
	c *common.Common
	s *store.Store
	e assessments.Engagement
}

func newHarness(t *testing.T, w, h int, withFixture bool) *harness {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "ws.db"), store.Options{Author: "tester", Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	set := catalogs.MustBuiltin()
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Client", Standards: []string{catalogs.ISO42001}})
	if err != nil {
		t.Fatal(err)
	}
	if withFixture {
		addFixture(t, s, e)
	}
	c := &common.Common{Ctx: ctx, Store: s, Catalogs: set, Styles: common.NewStyles(true), Keys: common.DefaultKeyMap(),
		Width: w, Height: h, Now: func() time.Time { return clock }}
	m := New(c, e).(*Model)
	m.SetSize(w, h)
	hs := &harness{t: t, m: m, c: c, s: s, e: e}
	hs.run(m.Activate())
	return hs
}

// addFixture stores two systems: Medivance Lens with an approved version 1 and a risk
// raised from its safety harm, and Medivance Assist with a draft left at step 7.
func addFixture(t *testing.T, s *store.Store, e assessments.Engagement) {
	t.Helper()
	ctx := context.Background()
	lens, err := s.CreateAISystem(ctx, assessments.AISystem{EngagementID: e.ID, Name: "Medivance Lens",
		Purpose: "Flags chest X-rays with likely urgent findings so they are read first.", Type: "deep learning",
		Role: assessments.RoleProvider, Stage: assessments.StageOperation, DataSources: "De-identified X-rays from partner trusts",
		PersonalData: true, DeploymentContext: "PACS worklists at partner trusts", Jurisdictions: "United Kingdom",
		Users: "Radiologists", AffectedPeople: "Adult patients", Automation: assessments.AutomationAdvisory,
		HumanOversight: "Every image is still read by a radiologist.", Owner: "Ravi Patel"})
	if err != nil {
		t.Fatal(err)
	}
	a := assessments.NewImpactAssessment(lens)
	a.Scope, a.IntendedUses, a.Misuse, a.FailureModes = "Lens v3 at three trusts", "Worklist triage", "Reading the score as a diagnosis", "Missed findings"
	a.KnownBias, a.ModelKind, a.VulnerableGroups = "Few portable films in training", "CNN classifier", "Frail ward patients"
	for _, area := range assessments.ImpactAreas {
		a.Impacts = append(a.Impacts, assessments.Impact{Area: area, Effect: assessments.EffectNone})
	}
	a.Normalize()
	a.Impacts[0] = assessments.Impact{Area: assessments.AreaFairness, Effect: assessments.EffectHarm, Description: "Ward patients benefit less.",
		Severity: 4, Likelihood: 3, Reversibility: assessments.PartlyReversible, Scale: assessments.ScaleGroup,
		Measures: []assessments.ControlRef{{Standard: catalogs.ISO42001, Ref: "A.6.2.4"}}, ResidualSeverity: 3, ResidualLikelihood: 2}
	a.Impacts[4] = assessments.Impact{Area: assessments.AreaSafety, Effect: assessments.EffectHarm, Description: "A missed pneumothorax is read late.",
		Severity: 5, Likelihood: 3, Reversibility: assessments.PartlyReversible, Scale: assessments.ScaleIndividual,
		Measures:         []assessments.ControlRef{{Standard: catalogs.ISO42001, Ref: "A.6.2.6"}, {Standard: catalogs.ISO27001, Ref: "A.8.16"}},
		ResidualSeverity: 4, ResidualLikelihood: 3}
	a.Decision, a.Approver, a.DecisionDate, a.Rationale = assessments.DecisionApprove, "Dr Helen Carver", "2025-11-02", "Benefits outweigh the residual harm."
	a.LastStep = assessments.StepDecision
	v1, err := s.CreateImpactAssessment(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRiskFromImpact(ctx, v1.ID, assessments.AreaSafety, nil); err != nil {
		t.Fatal(err)
	}
	bot, err := s.CreateAISystem(ctx, assessments.AISystem{EngagementID: e.ID, Name: "Medivance Assist",
		Purpose: "Answers patients' questions about appointments and hands over to staff.", Type: "generative",
		Role: assessments.RoleProvider, Stage: assessments.StageVerify, Automation: assessments.AutomationOnTheLoop,
		HumanOversight: "Staff review flagged conversations daily.", Owner: "Amara Nwosu", PersonalData: true})
	if err != nil {
		t.Fatal(err)
	}
	d := assessments.NewImpactAssessment(bot)
	d.Scope, d.IntendedUses, d.Misuse, d.FailureModes = "Pilot on two portals", "Practical questions", "Taken as medical advice", "Wrong answers"
	d.DataSources, d.KnownBias, d.ModelKind = "Help-centre articles", "English only", "LLM with retrieval"
	d.Jurisdictions, d.DeploymentContext = "United Kingdom", "Patient portal web chat"
	d.Impacts = []assessments.Impact{
		{Area: assessments.AreaSafety, Effect: assessments.EffectHarm, Description: "Advice delays care.", Severity: 4, Likelihood: 3},
		{Area: assessments.AreaPrivacy, Effect: assessments.EffectHarm, Description: "Identifiers reach the vendor.", Severity: 3, Likelihood: 3},
	}
	d.LastStep = assessments.StepImpacts
	if _, err := s.CreateImpactAssessment(ctx, d); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) run(cmd tea.Cmd) {
	tuitest.Run(func(msg tea.Msg) tea.Cmd {
		_, c := h.m.Update(msg)
		return c
	}, cmd)
}

// press sends keys by name ("j", "enter", "pgdown"...).
func (h *harness) press(keys ...string) {
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "pgdown":
			msg = tea.KeyPressMsg{Code: tea.KeyPgDown}
		case "pgup":
			msg = tea.KeyPressMsg{Code: tea.KeyPgUp}
		case "left":
			msg = tea.KeyPressMsg{Code: tea.KeyLeft}
		case "right":
			msg = tea.KeyPressMsg{Code: tea.KeyRight}
		default:
			msg = tuitest.Key(k)
		}
		_, cmd := h.m.Update(msg)
		h.run(cmd)
	}
}

func (h *harness) typeText(s string) {
	for _, k := range tuitest.Keys(s) {
		_, cmd := h.m.Update(k)
		h.run(cmd)
	}
}

func (h *harness) view() string { return tuitest.Plain(h.m.View()) }

// focus moves the wizard's or form's focus to the field named.
func (h *harness) focus(name string) {
	h.t.Helper()
	f := h.m.sysForm
	if h.m.wiz != nil {
		f = h.m.wiz.form
	}
	for i := 0; i < len(f.fields)+1; i++ {
		if f.key(f.fields[f.focus].spec) == name || f.fields[f.focus].spec.name == name {
			return
		}
		h.press("tab")
	}
	h.t.Fatalf("no field %s", name)
}

func (h *harness) set(name, text string) {
	h.t.Helper()
	h.focus(name)
	h.press("ctrl+a")
	_, cmd := h.m.Update(tea.KeyPressMsg{Code: 'k', Mod: tea.ModCtrl}) // clear to end of line
	h.run(cmd)
	h.typeText(text)
}

// choose cycles a choice field until it shows the value.
func (h *harness) choose(name, value string) {
	h.t.Helper()
	h.focus(name)
	f := h.m.sysForm
	if h.m.wiz != nil {
		f = h.m.wiz.form
	}
	for i := 0; i < 12; i++ {
		fs := f.fields[f.focus]
		if fs.spec.opts[fs.idx].value == value {
			return
		}
		h.press("right")
	}
	h.t.Fatalf("field %s never showed %q", name, value)
}

func (h *harness) stored(id string) assessments.ImpactAssessment {
	h.t.Helper()
	a, err := h.s.ImpactAssessment(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return a
}

// addSystem creates a system through the form.
func (h *harness) addSystem(name string) assessments.AISystem {
	h.t.Helper()
	h.press("n")
	h.typeText(name)
	h.set("purpose", "Answers questions")
	h.focus("role")
	h.press("right") // provider
	h.press("esc")
	if h.m.mode == modeForm {
		h.t.Fatalf("form did not save:\n%s", h.view())
	}
	sys, err := h.s.FindAISystem(context.Background(), h.e.ID, name)
	if err != nil {
		h.t.Fatal(err)
	}
	return sys
}

func TestInventoryGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			h := newHarness(t, size[0], size[1], true)
			golden.RequireEqual(t, []byte(h.view()))
		})
	}
}

func TestWizardStepGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			h := newHarness(t, size[0], size[1], true)
			// The chatbot's draft was left at step 7: a resumes there.
			h.press("j") // Medivance Lens is second by name; the chatbot (Assist) first
			h.press("k", "a")
			if h.m.wiz == nil || h.m.wiz.step != assessments.StepImpacts {
				t.Fatalf("did not resume at step 7:\n%s", h.view())
			}
			golden.RequireEqual(t, []byte(h.view()))
		})
	}
}

func TestSystemFormValidatesNextToFields(t *testing.T) {
	h := newHarness(t, 100, 30, false)
	h.press("n")
	h.typeText("Triage bot")
	h.press("esc")
	if h.m.mode != modeForm {
		t.Fatal("a form with errors must stay open")
	}
	v := h.view()
	for _, want := range []string{"Say what the AI system is for", "Choose the organisation's role", "Press esc again"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if got := h.m.sysForm.value("name"); got != "Triage bot" {
		t.Fatalf("typed name lost: %q", got)
	}
	h.set("purpose", "Sorts incoming messages")
	h.focus("role")
	h.press("right", "right", "right") // provider, producer, customer/user
	h.press("esc")
	if h.m.mode != modeDetail {
		t.Fatalf("not saved:\n%s", h.view())
	}
	sys, err := h.s.FindAISystem(context.Background(), h.e.ID, "Triage bot")
	if err != nil || sys.Role != assessments.RoleCustomer || sys.Purpose != "Sorts incoming messages" {
		t.Fatalf("stored %+v %v", sys, err)
	}
	if !strings.Contains(h.view(), "Triage bot") || !strings.Contains(h.view(), "customer/user") {
		t.Fatalf("detail view:\n%s", h.view())
	}
}

func TestWizardForwardBackLeaveResume(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	sys := h.addSystem("Lens")
	h.press("a")
	w := h.m.wiz
	if w == nil || w.step != assessments.StepScope || !strings.Contains(h.view(), "step 1 of 9") {
		t.Fatalf("wizard not at step 1:\n%s", h.view())
	}
	id := w.saved.ID

	// Forward on an incomplete step is blocked, with the message next to the field.
	h.press("pgdown")
	if h.m.wiz.step != assessments.StepScope || h.m.wiz.form.errs["scope"] == "" {
		t.Fatalf("forward not blocked: %v", h.m.wiz.form.errs)
	}
	if !strings.Contains(h.view(), "Describe what the assessment covers") {
		t.Fatalf("message not shown:\n%s", h.view())
	}
	h.set("scope", "Lens in two trusts")
	h.press("pgdown")
	if h.m.wiz.step != assessments.StepSystem {
		t.Fatalf("forward failed: %s\n%s", h.m.wiz.general, h.view())
	}
	if a := h.stored(id); a.Scope != "Lens in two trusts" || a.LastStep != assessments.StepSystem {
		t.Fatalf("step 1 not saved when left: %q step %d", a.Scope, a.LastStep)
	}
	// Back from an incomplete step 2 is allowed and saves what was typed.
	h.set("intended_uses", "Worklist triage")
	h.press("pgup")
	if h.m.wiz.step != assessments.StepScope {
		t.Fatalf("back failed: %s", h.m.wiz.general)
	}
	if a := h.stored(id); a.IntendedUses != "Worklist triage" {
		t.Fatalf("step 2 not saved when left backwards: %q", a.IntendedUses)
	}
	// Forward again, then leave: the wizard closes and the position is kept.
	h.press("pgdown")
	h.set("misuse", "Used as a diagnosis")
	h.press("esc")
	if h.m.wiz != nil || h.m.mode != modeDetail {
		t.Fatalf("esc did not leave:\n%s", h.view())
	}
	a := h.stored(id)
	if a.Misuse != "Used as a diagnosis" || a.LastStep != assessments.StepSystem {
		t.Fatalf("leaving lost the step: %q at %d", a.Misuse, a.LastStep)
	}
	// Resume: a opens the draft where it was left, with what was typed.
	h.press("a")
	if h.m.wiz == nil || h.m.wiz.step != assessments.StepSystem || h.m.wiz.form.value("misuse") != "Used as a diagnosis" {
		t.Fatalf("resume failed:\n%s", h.view())
	}
	if !strings.Contains(h.view(), "Resumed at step 2 of 9") {
		t.Fatalf("no resume notice:\n%s", h.view())
	}
	_ = sys
}

func TestWizardValidationBlocksOnlyTheStepInError(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	h.addSystem("Lens")
	h.press("a")
	id := h.m.wiz.saved.ID
	h.set("scope", "All of it")
	h.press("pgdown")
	for _, f := range []string{"intended_uses", "misuse", "failure_modes"} {
		h.set(f, "something")
	}
	h.press("pgdown")
	if h.m.wiz.step != assessments.StepData {
		t.Fatalf("step 2 complete but not left: %v", h.m.wiz.form.errs)
	}
	// Step 3 misses its known bias: forward is blocked with that one message...
	h.set("data_sources", "PACS")
	h.press("pgdown")
	w := h.m.wiz
	if w.step != assessments.StepData || len(w.form.errs) != 1 || w.form.errs["known_bias"] == "" {
		t.Fatalf("want exactly the known-bias error, got %v", w.form.errs)
	}
	// ...but steps 1 and 2 stay reachable and valid: back works and saves step 3's text.
	h.press("pgup")
	if h.m.wiz.step != assessments.StepSystem || len(h.m.wiz.form.errs) != 0 {
		t.Fatalf("back from the step in error was blocked: %v", h.m.wiz.form.errs)
	}
	if a := h.stored(id); a.DataSources != "PACS" {
		t.Fatalf("step 3 text lost: %q", a.DataSources)
	}
	h.press("pgdown")
	if h.m.wiz.step != assessments.StepData {
		t.Fatal("step 2 should move on")
	}
	// A malformed value blocks even going back (nothing bad is saved).
	h.press("pgdown", "pgup") // stays: known bias still missing (forward), back fine
	h.press("pgdown")
	h.set("known_bias", "none known")
	h.press("pgdown")
	if h.m.wiz.step != assessments.StepModel {
		t.Fatalf("step 3 now complete but not left: %v", h.m.wiz.form.errs)
	}
}

// completeWizard fills every step of the open wizard from step 1 up to the decision.
func completeWizard(h *harness) {
	h.t.Helper()
	h.set("scope", "Pilot")
	h.press("pgdown")
	for _, f := range []string{"intended_uses", "misuse", "failure_modes"} {
		h.set(f, "x")
	}
	h.press("pgdown")
	h.set("known_bias", "none known")
	h.set("data_sources", "PACS")
	h.press("pgdown")
	h.set("model_kind", "CNN")
	h.press("pgdown")
	h.set("jurisdictions", "UK")
	h.set("deployment_context", "Hospitals")
	h.press("pgdown")
	h.set("interested_parties", "Patients")
	h.set("vulnerable_groups", "Children")
	h.press("pgdown")
	if h.m.wiz.step != assessments.StepImpacts {
		h.t.Fatalf("not at impacts: %s %v", h.m.wiz.general, h.m.wiz.form.errs)
	}
	// Safety: a high residual harm; every other area: no material effect.
	for i := range assessments.ImpactAreas {
		h.focus("area")
		for h.m.wiz.area != i {
			h.press("right")
		}
		if assessments.ImpactAreas[i] == assessments.AreaSafety {
			h.choose("impact.safety_health.effect", "harm")
			h.set("impact.safety_health.description", "Missed urgent finding")
			h.choose("impact.safety_health.severity", "5")
			h.choose("impact.safety_health.likelihood", "4")
			h.choose("impact.safety_health.reversibility", "partly_reversible")
			h.choose("impact.safety_health.scale", "individual")
			h.set("impact.safety_health.measures", "42001 A.6.2.4, 27001:A.8.16")
			h.choose("impact.safety_health.residual_severity", "4")
			h.choose("impact.safety_health.residual_likelihood", "3")
			continue
		}
		h.choose(assessments.ImpactField(assessments.ImpactAreas[i], "effect"), "none")
	}
	h.press("pgdown")
	if h.m.wiz.step != assessments.StepClass {
		h.t.Fatalf("impacts not complete: %s %v", h.m.wiz.general, h.m.wiz.form.errs)
	}
	h.press("pgdown")
}

func TestWizardApproveFreezeReassess(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	sys := h.addSystem("Lens")
	h.press("a")
	id := h.m.wiz.saved.ID
	completeWizard(h)
	if h.m.wiz.step != assessments.StepDecision {
		t.Fatalf("not at the decision: %v", h.m.wiz.form.errs)
	}
	h.choose("decision", "approve")
	h.press("pgdown")
	if h.m.wiz.form.errs["approver"] == "" || h.m.wiz.form.errs["rationale"] == "" {
		t.Fatalf("a decision without approver was accepted: %v", h.m.wiz.form.errs)
	}
	h.set("approver", "Dr Ada Obi")
	h.set("decision_date", "2026-03-01")
	h.set("rationale", "Benefits outweigh the residual harm")
	h.press("pgdown")
	if !h.m.wiz.confirmDecision || !strings.Contains(h.view(), "freeze version 1") {
		t.Fatalf("no confirmation before freezing:\n%s", h.view())
	}
	h.press("y")
	a := h.stored(id)
	if a.State() != assessments.ImpactApproved || a.Class() != assessments.ClassHigh || a.NextReview() != "2026-09-01" {
		t.Fatalf("stored: %s %s %s", a.State(), a.Class(), a.NextReview())
	}
	if h.m.wiz != nil || !strings.Contains(h.m.status, "frozen") {
		t.Fatalf("wizard should close with a message: %q", h.m.status)
	}
	// The approved version opens read-only: typing changes nothing.
	h.press("enter")
	w := h.m.wiz
	if w == nil || !w.readOnly || !strings.Contains(h.view(), "Read-only") && !strings.Contains(h.view(), "frozen") {
		t.Fatalf("approved version not read-only:\n%s", h.view())
	}
	h.press("tab", "tab")
	h.typeText("zzz")
	h.press("pgdown", "esc")
	if got := h.stored(id); got.Scope != "Pilot" {
		t.Fatalf("frozen version changed: %q", got.Scope)
	}
	// Re-assess: version 2, prefilled from 1, at step 1 with no trigger.
	h.press("r")
	w = h.m.wiz
	if w == nil || w.saved.Version != 2 || w.readOnly || w.step != assessments.StepScope {
		t.Fatalf("re-assess:\n%s", h.view())
	}
	if w.form.value("scope") != "Pilot" || w.form.value("trigger") != "" || !strings.Contains(h.view(), "prefilled from version 1") {
		t.Fatalf("version 2 not prefilled:\n%s", h.view())
	}
	versions, _ := h.s.ImpactAssessments(context.Background(), sys.ID)
	if len(versions) != 2 || versions[0].Impact(assessments.AreaSafety).ResidualSeverity != 4 {
		t.Fatalf("versions: %d", len(versions))
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
	h.focus("area")
	h.press("left") // fairness: no harm
	for h.m.wiz.areaID() != assessments.AreaFairness {
		h.press("left")
	}
	h.press("ctrl+r")
	if !strings.Contains(h.m.wiz.general, "not assessed as a harm") {
		t.Fatalf("a risk from no harm: %q", h.m.wiz.general)
	}
	h.focus("area")
	for h.m.wiz.areaID() != assessments.AreaSafety {
		h.press("right")
	}
	h.press("ctrl+r")
	if !strings.Contains(h.view(), "Risk R-001 added to the register") {
		t.Fatalf("no confirmation:\n%s", h.view())
	}
	risks, err := h.s.Risks(context.Background(), h.e.ID)
	if err != nil || len(risks) != 1 {
		t.Fatalf("register: %v %v", risks, err)
	}
	r := risks[0]
	if r.AISystemID != sys.ID || r.Scope != assessments.ScopeAI || r.Residual.Consequence != 4 || !strings.Contains(r.Title, "Lens") {
		t.Fatalf("risk not prefilled and linked: %+v", r)
	}
	if !strings.Contains(h.view(), "R-001") {
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

func TestMeasuresParsing(t *testing.T) {
	set := catalogs.MustBuiltin()
	tests := []struct{ in, want, err string }{
		{"42001 A.6.2.4, 27001:A.8.16", "iso42001-2023:A.6.2.4,iso27001-2022:A.8.16", ""},
		{"A.7.4; ISO 27001 A.5.15", "iso42001-2023:A.7.4,iso27001-2022:A.5.15", ""},
		{"A.8.16", "iso27001-2022:A.8.16", ""}, // not in 42001: taken from 27001
		{"iso42001-2023:A.5.4, A.5.4", "iso42001-2023:A.5.4", ""},
		{"", "", ""},
		{"42001 A.99", "", "has no requirement A.99"},
		{"9001 4.1", "", "not a standard annex knows"},
	}
	for _, tt := range tests {
		got, err := parseMeasures(set, tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: want error %q, got %v", tt.in, tt.err, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if back, _ := parseMeasures(set, measuresText(set, got)); back != got {
			t.Errorf("%q does not round-trip: %q", got, back)
		}
	}
}

func TestKeysTypedWhileSavingAreKept(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	h.addSystem("Lens")
	h.press("a")
	h.set("scope", "Pilot")
	// Send pgdown and the next step's typing without running the save in between.
	var cmds []tea.Cmd
	_, cmd := h.m.Update(tea.KeyPressMsg{Code: tea.KeyPgDown})
	cmds = append(cmds, cmd)
	for _, k := range append([]tea.KeyPressMsg{tuitest.Key("tab")}, tuitest.Keys("Worklist triage")...) {
		_, c := h.m.Update(k)
		cmds = append(cmds, c)
	}
	h.run(tea.Batch(cmds...))
	if h.m.wiz.step != assessments.StepSystem || h.m.wiz.form.value("intended_uses") != "Worklist triage" {
		t.Fatalf("keys typed during the save were lost: step %d, %q", h.m.wiz.step, h.m.wiz.form.value("intended_uses"))
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
	// Deleting asks first and names what goes with the system.
	h.press("d")
	if h.m.confirm == nil || !strings.Contains(h.view(), "and its 1 impact assessment version") {
		t.Fatalf("no confirmation:\n%s", h.view())
	}
	h.press("n")
	if list, _ := h.s.AISystems(context.Background(), h.e.ID); len(list) != 2 {
		t.Fatal("n must keep the system")
	}
	// An approved version cannot be deleted; the system can.
	h.press("enter", "d")
	if !strings.Contains(h.m.status, "kept as a record") {
		t.Fatalf("approved version deletable: %q", h.m.status)
	}
	h.press("esc", "d", "y")
	if list, _ := h.s.AISystems(context.Background(), h.e.ID); len(list) != 1 || list[0].Name != "Medivance Assist" {
		t.Fatalf("after delete: %v", list)
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
	h.press("pgdown")
	if h.m.wiz.step != assessments.StepScope || !strings.Contains(h.m.wiz.general, "changed elsewhere") {
		t.Fatalf("conflict not reported: %q", h.m.wiz.general)
	}
	if h.m.wiz.form.value("scope") != "Mine" {
		t.Fatal("the typed scope was lost")
	}
	h.press("pgdown")
	if h.m.wiz.step != assessments.StepSystem || h.stored(id).Scope != "Mine" {
		t.Fatalf("second attempt: step %d, stored %q", h.m.wiz.step, h.stored(id).Scope)
	}
}

func TestGoingBackNeverRecordsADecision(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	h.addSystem("Lens")
	h.press("a")
	id := h.m.wiz.saved.ID
	completeWizard(h)
	h.choose("decision", "approve")
	h.set("approver", "Dr Ada Obi")
	h.set("decision_date", "2026-03-01")
	h.set("rationale", "ok")
	h.press("pgup")
	if a := h.stored(id); a.Frozen() || a.Approver != "Dr Ada Obi" {
		t.Fatalf("going back: frozen %v, approver %q", a.Frozen(), a.Approver)
	}
	h.press("pgdown")
	if h.m.wiz.step != assessments.StepDecision || h.m.wiz.form.value("decision") != "approve" {
		t.Fatalf("the chosen decision was not kept: %q", h.m.wiz.form.value("decision"))
	}
	h.press("esc")
	if a := h.stored(id); a.Frozen() || !strings.Contains(h.m.status, "decision was not recorded") {
		t.Fatalf("leaving recorded a decision or said nothing: %v %q", a.Frozen(), h.m.status)
	}
}

func TestFlushOnQuitKeepsTypedText(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	h.addSystem("Lens")
	h.press("a")
	id := h.m.wiz.saved.ID
	h.set("scope", "Typed but not left")
	if err := h.m.FlushDrafts(); err != nil {
		t.Fatal(err)
	}
	if a := h.stored(id); a.Scope != "Typed but not left" || a.LastStep != assessments.StepScope {
		t.Fatalf("flush lost the text: %q", a.Scope)
	}
	// The system form too.
	h.press("esc", "e")
	h.set("owner", "Amara")
	if err := h.m.FlushDrafts(); err != nil {
		t.Fatal(err)
	}
	if sys, _ := h.s.FindAISystem(context.Background(), h.e.ID, "Lens"); sys.Owner != "Amara" {
		t.Fatalf("form not flushed: %q", sys.Owner)
	}
	// A new, valid entry is created; flushing twice creates it once.
	h.press("esc", "n")
	h.typeText("Bot")
	h.set("purpose", "Chat")
	h.focus("role")
	h.press("right")
	for range 2 {
		if err := h.m.FlushDrafts(); err != nil {
			t.Fatal(err)
		}
	}
	if list, _ := h.s.AISystems(context.Background(), h.e.ID); len(list) != 2 {
		t.Fatalf("new entry flushed %d times", len(list)-1)
	}
}
