package aisystems

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

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

// harness drives the tab as the workbench's root does: keys go to the front dialog when
// one is open, else to the tab; addressed results are delivered to their owner; status
// messages and help toggles are recorded.
type harness struct {
	t *testing.T
	m *Model
	c *common.Common
	s *store.Store
	e assessments.Engagement

	// host is the root's stand-in: dialogs, addressed results, the status line.
	host *tuitest.Host
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
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Client", Standards: []string{catalogs.ISO27001, catalogs.ISO42001}})
	if err != nil {
		t.Fatal(err)
	}
	if withFixture {
		addFixture(t, s, e)
	}
	c := &common.Common{Ctx: ctx, Store: s, Catalogs: set, Styles: common.NewStyles(true), Keys: common.DefaultKeyMap(),
		Width: w, Height: h, Now: func() time.Time { return clock }, NoTimers: true, Undo: &common.UndoStack{}}
	m := New(c, e).(*Model)
	m.SetSize(w, h)
	hs := &harness{t: t, m: m, c: c, s: s, e: e, host: tuitest.NewHost(m)}
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
		Roles: []assessments.AIRole{assessments.RoleProvider}, Stage: assessments.StageOperation, DataSources: "De-identified X-rays from partner trusts",
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
	// Lens is a class IIa medical device: high-risk through Art. 6(1), approved.
	r := assessments.NewAIActRecord(lens)
	for _, q := range catalogs.MustEUAIAct().Questions {
		switch q.Kind {
		case catalogs.KindProhibited, catalogs.KindAnnexIProduct, catalogs.KindAnnexIII, catalogs.KindTransparency, catalogs.KindGPAIProvider:
			r.Answers[q.ID] = assessments.AIActAnswer{Answer: assessments.AnswerNo}
		}
	}
	r.Answers["hr_annex_i_product"] = assessments.AIActAnswer{Answer: assessments.AnswerYes, Note: "Medical device software, EU MDR class IIa."}
	r.Answers["hr_annex_i_assessment"] = assessments.AIActAnswer{Answer: assessments.AnswerYes, Note: "A notified body assesses class IIa."}
	r.Decision, r.Approver, r.DecisionDate, r.Rationale = assessments.DecisionApprove, "Dr Helen Carver", "2025-11-20", "High-risk as a medical device."
	r.LastStep = assessments.ActStepResult
	if _, err := s.CreateAIActRecord(ctx, r); err != nil {
		t.Fatal(err)
	}
	bot, err := s.CreateAISystem(ctx, assessments.AISystem{EngagementID: e.ID, Name: "Medivance Assist",
		Purpose: "Answers patients' questions about appointments and hands over to staff.", Type: "generative",
		Roles: []assessments.AIRole{assessments.RoleProvider}, Stage: assessments.StageVerify, Automation: assessments.AutomationOnTheLoop,
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

// run executes a command and everything that follows from it, as the root would.
func (h *harness) run(cmd tea.Cmd) { h.host.Run(cmd) }

func (h *harness) deliver(msg tea.Msg) tea.Cmd { return h.host.Deliver(msg) }

// keyMsg builds a key press from its name ("j", "enter", "pgdown", "alt+down"...).
func keyMsg(k string) tea.KeyPressMsg { return tuitest.Key(k) }

// press sends keys by name.
func (h *harness) press(keys ...string) {
	for _, k := range keys {
		h.run(h.host.Deliver(keyMsg(k)))
	}
}

func (h *harness) typeText(s string) {
	for _, k := range tuitest.Keys(s) {
		h.run(h.host.Deliver(k))
	}
}

func (h *harness) paste(s string) { h.run(h.host.Deliver(tea.PasteMsg{Content: s})) }

// view is the tab with the front dialog, as plain text.
func (h *harness) view() string {
	v := tuitest.Plain(h.m.View())
	if n := h.host.Dialogs.Len(); n > 0 {
		v += "\n[dialog]\n" + tuitest.Plain(h.host.Dialogs.Front().View(h.c.Width, h.c.Height))
	}
	return v
}

// dialog is the front dialog's text without its box, its lines joined; "" when none is
// open.
func (h *harness) dialog() string {
	n := h.host.Dialogs.Len()
	if n == 0 {
		return ""
	}
	var parts []string
	for _, l := range strings.Split(tuitest.Plain(h.host.Dialogs.Front().View(h.c.Width, h.c.Height)), "\n") {
		l = strings.Trim(l, "│╭╮╰╯─ ")
		if l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " ")
}

func (h *harness) stored(id string) assessments.ImpactAssessment {
	h.t.Helper()
	a, err := h.s.ImpactAssessment(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return a
}

func (h *harness) system(name string) assessments.AISystem {
	h.t.Helper()
	sys, err := h.s.FindAISystem(context.Background(), h.e.ID, name)
	if err != nil {
		h.t.Fatal(err)
	}
	return sys
}

func (h *harness) versions(name string) []assessments.ImpactAssessment {
	h.t.Helper()
	v, err := h.s.ImpactAssessments(context.Background(), h.system(name).ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return v
}

// undo runs the newest undo entry as the root's z does.
func (h *harness) undo() {
	h.t.Helper()
	e, ok := h.c.Undo.Pop()
	if !ok {
		h.t.Fatal("nothing to undo")
	}
	msg, err := e.Run(context.Background())
	if err != nil {
		h.t.Fatalf("undo %s: %v", e.Label, err)
	}
	h.run(func() tea.Msg { return common.Envelope{To: e.To, Msg: msg} })
}

func contains(t *testing.T, v string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(v, w) {
			t.Fatalf("view lacks %q:\n%s", w, v)
		}
	}
}
