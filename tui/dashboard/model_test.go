package dashboard

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/tuitest"
)

var fixedNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// newFixture: an engagement in both standards with results, evidence (one expired), three
// risks (one overdue for review) and two AI systems, one with an approved assessment.
func newFixture(t *testing.T) (*common.Common, assessments.Engagement) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "ws.db"), store.Options{Author: "Priya", Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Northwind Clinic", Standards: []string{catalogs.ISO27001, catalogs.ISO42001}})
	if err != nil {
		t.Fatal(err)
	}
	set := catalogs.MustBuiltin()
	// Every third 27001 requirement implemented, every fifth partial; a few 42001 answers.
	c27, _ := set.Get(catalogs.ISO27001)
	save := func(std, ref string, st assessments.Status, target, owner string) {
		before, err := s.Result(ctx, assessments.Key{EngagementID: e.ID, Standard: std, Ref: ref})
		if err != nil {
			t.Fatal(err)
		}
		after := before
		after.Status, after.TargetDate, after.Owner = st, target, owner
		if st == assessments.NotApplicable {
			after.Justification = "No data centre of our own."
		}
		if _, err := s.SaveResult(ctx, before, after); err != nil {
			t.Fatalf("%s %s: %v", std, ref, err)
		}
	}
	for i, r := range c27.Requirements {
		switch {
		case i%3 == 0:
			save(catalogs.ISO27001, r.Ref, assessments.Implemented, "", "")
		case i%5 == 0:
			save(catalogs.ISO27001, r.Ref, assessments.Partial, "", "")
		}
	}
	save(catalogs.ISO27001, "9.2.2", assessments.NotImplemented, "2026-02-15", "Daniel Okafor")
	save(catalogs.ISO27001, "A.7.5", assessments.NotApplicable, "", "")
	save(catalogs.ISO42001, "A.6.2.4", assessments.Implemented, "", "")
	save(catalogs.ISO42001, "A.5.2", assessments.Partial, "2026-03-01", "Amara Nwosu")
	save(catalogs.ISO42001, "5.2", assessments.NotImplemented, "2026-06-30", "")
	for _, ev := range []assessments.Evidence{
		{Title: "Access review Q1", Kind: assessments.KindInterview, Links: []assessments.EvidenceLink{{Target: assessments.LinkRequirement, Standard: catalogs.ISO27001, Ref: c27.Requirements[0].Ref}, {Target: assessments.LinkRequirement, Standard: catalogs.ISO42001, Ref: "A.6.2.4"}}},
		{Title: "Penetration test 2025", Kind: assessments.KindObservation, ValidUntil: "2026-02-01", Links: []assessments.EvidenceLink{{Target: assessments.LinkRequirement, Standard: catalogs.ISO27001, Ref: c27.Requirements[3].Ref}}},
	} {
		ev.EngagementID = e.ID
		if _, err := s.CreateEvidence(ctx, ev, store.AttachOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	risk := func(title string, inh, res assessments.Score, review string) {
		r := assessments.Risk{EngagementID: e.ID, Title: title, Scope: assessments.ScopeSecurity, Approach: assessments.ApproachEvent,
			Scenario: "It happens.", Owner: "Tomás Silva", Properties: []string{assessments.PropAvailability},
			Inherent: inh, Treatment: assessments.TreatModify, TreatmentPlan: "Fix it", Residual: res, ReviewDate: review,
			Status: assessments.RiskInTreatment, Controls: []assessments.ControlRef{{Standard: catalogs.ISO27001, Ref: "A.8.13"}}}
		if _, err := s.CreateRisk(ctx, r); err != nil {
			t.Fatalf("risk %s: %v", title, err)
		}
	}
	risk("Ransomware encrypts the imaging archive", assessments.Score{Likelihood: 4, Consequence: 5}, assessments.Score{Likelihood: 3, Consequence: 5}, "2026-02-28")
	risk("Laptop lost on a train", assessments.Score{Likelihood: 3, Consequence: 2}, assessments.Score{Likelihood: 2, Consequence: 2}, "2026-09-30")
	risk("Supplier portal leaks referrals", assessments.Score{Likelihood: 3, Consequence: 4}, assessments.Score{Likelihood: 3, Consequence: 3}, "2026-06-30")
	lens, err := s.CreateAISystem(ctx, assessments.AISystem{EngagementID: e.ID, Name: "Northwind Triage", Purpose: "Triage referrals", Type: "classifier",
		Roles: []assessments.AIRole{assessments.RoleProvider}, Stage: assessments.StageOperation, Automation: assessments.AutomationAdvisory, Owner: "Ravi Patel",
		Users: "Nurses", AffectedPeople: "Patients", DataSources: "Referral letters", PersonalData: true, DeploymentContext: "Clinic intake",
		Jurisdictions: "UK", HumanOversight: "A nurse confirms every ranking", ThirdParty: "none"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAISystem(ctx, assessments.AISystem{EngagementID: e.ID, Name: "Booking chatbot", Purpose: "Answer booking questions", Type: "LLM",
		Roles: []assessments.AIRole{assessments.RoleCustomer}, Stage: assessments.StageDesign, Automation: assessments.AutomationAdvisory, Owner: "Lena Fischer"}); err != nil {
		t.Fatal(err)
	}
	a := assessments.NewImpactAssessment(lens)
	a.Scope, a.IntendedUses, a.Misuse, a.FailureModes = "Referral triage", "Order the worklist", "Used to refuse care", "Urgent case ranked low"
	a.KnownBias, a.ModelKind, a.VulnerableGroups = "Few rural cases", "Gradient boosting", "Elderly"
	for i := range a.Impacts {
		a.Impacts[i].Effect = assessments.EffectNone
	}
	a.Impacts[4] = assessments.Impact{Area: assessments.AreaSafety, Effect: assessments.EffectHarm, Description: "An urgent case waits",
		Severity: 5, Likelihood: 4, Reversibility: assessments.PartlyReversible, Scale: assessments.ScaleIndividual,
		Measures:         []assessments.ControlRef{{Standard: catalogs.ISO42001, Ref: "A.6.2.4"}},
		ResidualSeverity: 4, ResidualLikelihood: 3}
	a.Decision, a.Approver, a.DecisionDate, a.Rationale = assessments.DecisionApprove, "Dr Ada Obi", "2025-06-01", "Benefits outweigh the residual harm."
	if _, err := s.CreateImpactAssessment(ctx, a); err != nil {
		t.Fatalf("impact assessment: %v", err)
	}
	c := &common.Common{Ctx: ctx, Store: s, Catalogs: set, Styles: common.NewStyles(true), Keys: common.DefaultKeyMap(),
		Now: func() time.Time { return fixedNow }}
	return c, e
}

func loaded(t *testing.T, c *common.Common, e assessments.Engagement, w, h int) *Model {
	t.Helper()
	m := New(c, e).(*Model)
	m.SetSize(w, h)
	m.Update(open(t, m, m.Activate()))
	if !m.loaded || m.loadErr != nil {
		t.Fatalf("load: %v", m.loadErr)
	}
	return m
}

// open runs a command of the tab and takes its result out of the envelope addressed to
// the tab (the root delivers it so).
func open(t *testing.T, m *Model, cmd tea.Cmd) tea.Msg {
	t.Helper()
	env, ok := cmd().(common.Envelope)
	if !ok || env.To != m.Address() {
		t.Fatalf("the load is not addressed to the tab: %#v", env)
	}
	return env.Msg
}

func keyPress(s string) tea.KeyPressMsg { return tuitest.Key(s) }

func TestGoldenDashboard(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			c, e := newFixture(t)
			m := loaded(t, c, e, size[0], size[1])
			v := m.View()
			lines := strings.Split(v, "\n")
			if len(lines) != size[1] {
				t.Fatalf("%d lines, want %d", len(lines), size[1])
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > size[0] {
					t.Errorf("line %d is %d wide: %q", i+1, w, ansi.Strip(l))
				}
			}
			golden.RequireEqual(t, []byte(ansi.Strip(v)))
		})
	}
}

// TestGoldenDashboardScrolled is the 80x24 view scrolled to its end: the panels below
// the fold are reachable.
func TestGoldenDashboardScrolled(t *testing.T) {
	c, e := newFixture(t)
	m := loaded(t, c, e, 80, 24)
	m.Update(keyPress("G"))
	golden.RequireEqual(t, []byte(ansi.Strip(m.View())))
}

func TestDashboardContent(t *testing.T) {
	c, e := newFixture(t)
	m := loaded(t, c, e, 120, 200) // tall enough to see everything
	v := ansi.Strip(m.View())
	for _, want := range []string{
		"ISO 27001", "ISO 42001", "Readiness", "Assessed", "Evidenced",
		"ISO 42001 covered by ISO 27001 work:", "applicable requirements",
		"Top residual risks", "Ransomware encrypts the imaging archive",
		"AI systems", "Northwind Triage", "high", "Booking chatbot", "not assessed",
		"Overdue (", "Target date", "9.2.2", "Risk review", "Evidence expired", "Penetration test 2025", "Impact review",
	} {
		if !strings.Contains(v, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	// The worst residual risk comes first.
	if strings.Index(v, "Ransomware") > strings.Index(v, "Laptop lost") {
		t.Error("risks not ordered by residual level")
	}
	// Not overdue: a target date in the future, and the implemented requirements.
	if strings.Contains(v, "5.2 ") && strings.Contains(v, "2026-06-30  Target date") {
		t.Error("a future target date is listed as overdue")
	}
}

func TestDashboardScrolls(t *testing.T) {
	c, e := newFixture(t)
	m := loaded(t, c, e, 80, 24)
	if len(m.lines) <= 23 {
		t.Fatalf("fixture too small to scroll: %d lines", len(m.lines))
	}
	first := ansi.Strip(m.View())
	m.Update(keyPress("j"))
	if m.offset != 1 {
		t.Fatalf("offset %d after j", m.offset)
	}
	m.Update(keyPress("pgdown"))
	if m.offset != 24 && m.offset != len(m.lines)-23 {
		t.Fatalf("offset %d after pgdown", m.offset)
	}
	m.Update(keyPress("G"))
	if m.offset != len(m.lines)-23 || !strings.Contains(ansi.Strip(m.View()), "end") {
		t.Fatalf("G: offset %d of %d", m.offset, len(m.lines))
	}
	m.Update(keyPress("g"))
	if ansi.Strip(m.View()) != first {
		t.Fatal("g must return to the top")
	}
	// A resize keeps the content and clamps the offset.
	m.Update(keyPress("G"))
	m.SetSize(80, 60)
	if m.offset != max(0, len(m.lines)-59) {
		t.Fatalf("offset %d after growing", m.offset)
	}
}

func TestStaleLoadDropped(t *testing.T) {
	c, e := newFixture(t)
	m := New(c, e).(*Model)
	m.SetSize(80, 24)
	old := m.Activate()
	fresh := m.Activate()
	m.Update(open(t, m, old))
	if m.loaded {
		t.Fatal("a stale load was taken")
	}
	m.Update(open(t, m, fresh))
	if !m.loaded {
		t.Fatal("the current load was dropped")
	}
}

func TestDashboardOfAnEmptySingleStandardEngagement(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "ws.db"), store.Options{Author: "Priya", Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Solo", Standards: []string{catalogs.ISO27001}})
	if err != nil {
		t.Fatal(err)
	}
	c := &common.Common{Ctx: ctx, Store: s, Catalogs: catalogs.MustBuiltin(), Styles: common.NewStyles(false), Keys: common.DefaultKeyMap(),
		Now: func() time.Time { return fixedNow }}
	m := loaded(t, c, e, 80, 200)
	v := ansi.Strip(m.View())
	for _, want := range []string{"ISO 27001", "0 of 123 answered", "No open risks in the register.", "Nothing overdue."} {
		if !strings.Contains(v, want) {
			t.Errorf("lacks %q:\n%s", want, v)
		}
	}
	for _, not := range []string{"ISO 42001", "covered by", "AI systems"} {
		if strings.Contains(v, not) {
			t.Errorf("shows %q for a 27001-only engagement without AI systems", not)
		}
	}
}

func TestTabSelectsOverdueRequirementsAndEnterGoes(t *testing.T) {
	c, e := newFixture(t)
	m := loaded(t, c, e, 80, 24)
	if _, cmd := m.Update(keyPress("enter")); cmd != nil {
		t.Fatal("enter with nothing selected must do nothing")
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "› 2026-02-15  Target date") {
		t.Fatalf("the first overdue requirement is not selected and in view:\n%s", v)
	}
	_, cmd := m.Update(keyPress("enter"))
	if cmd == nil {
		t.Fatal("enter sent nothing")
	}
	if g, ok := cmd().(common.GotoRequirementMsg); !ok || g.Standard != catalogs.ISO27001 || g.Ref != "9.2.2" {
		t.Fatalf("goto %+v", cmd())
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	_, cmd = m.Update(keyPress("enter"))
	if g := cmd().(common.GotoRequirementMsg); g.Standard != catalogs.ISO42001 || g.Ref != "A.5.2" {
		t.Fatalf("second goto %+v", g)
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
	_, cmd = m.Update(keyPress("enter"))
	if g := cmd().(common.GotoRequirementMsg); g.Ref != "9.2.2" {
		t.Fatalf("shift+tab goto %+v", g)
	}
}

// Counts agree in number: "1 system", "1 of 40 implemented has valid evidence".
func TestCountsAgreeInNumber(t *testing.T) {
	c, e := newFixture(t)
	m := loaded(t, c, e, 120, 200)
	if v := ansi.Strip(m.View()); !strings.Contains(v, "1 of 40 implemented has valid evidence") || strings.Contains(v, "1 of 40 implemented have") {
		t.Errorf("evidenced line disagrees in number:\n%s", v)
	}
	ctx := context.Background()
	s := c.Store
	solo, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Solo AI", Standards: []string{catalogs.ISO42001}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAISystem(ctx, assessments.AISystem{EngagementID: solo.ID, Name: "Triage bot", Purpose: "Sort mail", Type: "LLM",
		Roles: []assessments.AIRole{assessments.RoleCustomer}, Stage: assessments.StageDesign, Automation: assessments.AutomationAdvisory, Owner: "Lena Fischer"}); err != nil {
		t.Fatal(err)
	}
	v := ansi.Strip(loaded(t, c, solo, 120, 200).View())
	if !strings.Contains(v, "1 system · 1 not assessed") || strings.Contains(v, "1 systems") {
		t.Errorf("one AI system:\n%s", v)
	}
}

// The tab's keys are bindings: each listed once in the full help, which fits 80 columns.
func TestHelpListsEachKeyOnce(t *testing.T) {
	c, e := newFixture(t)
	m := loaded(t, c, e, 80, 24)
	seen := map[string]bool{}
	for _, g := range m.KeyMap().FullHelp() {
		for _, b := range g {
			for _, k := range helpKeys(b.Help().Key) { // "g/G" lists g and G
				if seen[k] {
					t.Errorf("%q listed twice", k)
				}
				seen[k] = true
			}
		}
	}
	for _, l := range strings.Split(ansi.Strip(common.FullHelp(c.Styles, m.KeyMap().FullHelp(), 80)), "\n") {
		if ansi.StringWidth(l) > 80 {
			t.Errorf("full help line wider than 80: %q", l)
		}
	}
}

// helpKeys are the keys a help entry names: "↑/k" is ↑ and k; "/" is itself.
func helpKeys(k string) []string {
	if k == "/" {
		return []string{k}
	}
	return strings.Split(k, "/")
}

func TestDashboardListsOverdueTreatmentActions(t *testing.T) {
	c, e := newFixture(t)
	ctx := context.Background()
	risks, err := c.Store.Risks(ctx, e.ID)
	if err != nil || len(risks) == 0 {
		t.Fatalf("no risks: %v", err)
	}
	for _, a := range []assessments.TreatmentAction{
		{RiskID: risks[0].ID, Title: "Immutable backups", Owner: "Tomás Silva", DueDate: fixedNow.AddDate(0, 0, -3).Format(assessments.DateLayout)},
		{RiskID: risks[0].ID, Title: "Restore test done", DueDate: fixedNow.AddDate(0, 0, -9).Format(assessments.DateLayout), Status: assessments.ActionDone},
		{RiskID: risks[0].ID, Title: "Later step", DueDate: fixedNow.AddDate(0, 0, 9).Format(assessments.DateLayout)},
	} {
		if _, err := c.Store.CreateTreatmentAction(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	v := ansi.Strip(loaded(t, c, e, 120, 200).View())
	if !strings.Contains(v, "Treatment action") || !strings.Contains(v, risks[0].Ref+" Immutable backups (Tomás Silva)") {
		t.Errorf("the overdue action is not listed:\n%s", v)
	}
	if strings.Contains(v, "Restore test done") || strings.Contains(v, "Later step") {
		t.Error("a done or future action is listed as overdue")
	}
}
