package dashboard

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
)

// TestInternalAuditPanel: overdue corrective actions join the overdue list, an action
// found ineffective and a requirement marked implemented that an open major NC contradicts
// show in the audit panel, and tab then enter goes to that requirement.
func TestInternalAuditPanel(t *testing.T) {
	c, e := newFixture(t)
	ctx := context.Background()
	s := c.Store
	a, err := s.CreateAudit(ctx, assessments.Audit{EngagementID: e.ID, Title: "AI life cycle", Type: assessments.AuditInternal,
		Scope: []assessments.ControlRef{{Standard: catalogs.ISO42001, Ref: "A.6.2.4"}, {Standard: catalogs.ISO42001, Ref: "8.4"}},
		Lead:  "Omar Haddad", Status: assessments.AuditCompleted, ActualStart: "2026-02-01", ActualEnd: "2026-02-02"})
	if err != nil {
		t.Fatal(err)
	}
	item := func(ref string) assessments.ChecklistItem {
		return assessments.ChecklistItem{AuditID: a.ID, Standard: catalogs.ISO42001, Ref: ref, Conclusion: assessments.NotAudited}
	}
	major, err := s.Conclude(ctx, c.Catalogs, item("A.6.2.4"), assessments.MajorNC)
	if err != nil {
		t.Fatal(err)
	}
	minor, _ := s.Conclude(ctx, c.Catalogs, item("8.4"), assessments.MinorNC)
	// Raised at the audit, a month ago.
	for _, f := range []*assessments.Finding{major.Finding, minor.Finding} {
		next := *f
		next.RaisedOn = "2026-02-02"
		if *f, err = s.UpdateFinding(ctx, *f, next); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreateCorrectiveAction(ctx, assessments.CorrectiveAction{FindingID: major.Finding.ID, Action: "Gate the releases", Owner: "Ravi Patel", DueDate: "2026-03-09"}); err != nil {
		t.Fatal(err)
	}
	ca, _ := s.CreateCorrectiveAction(ctx, assessments.CorrectiveAction{FindingID: minor.Finding.ID, Action: "Redo the impact assessment", State: assessments.CorrectiveDone})
	rev, err := assessments.ReviewAction(ca, *minor.Finding, false, "Omar Haddad", "2026-03-09", "Still a draft.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateCorrectiveAction(ctx, ca, rev); err != nil {
		t.Fatal(err)
	}
	m := loaded(t, c, e, 120, 60)
	v := ansi.Strip(strings.Join(m.lines, "\n"))
	for _, want := range []string{"2026-03-09  Audit action     " + major.Finding.Ref + "/1 Gate the releases (Ravi Patel)",
		"Internal audit findings  2 open (1 major NC, 1 minor NC) · 2 actions to do · 1 overdue · 1 ineffective",
		"✗ ineffective    " + minor.Finding.Ref + "/1 Redo the impact assessment · reviewed 2026-03-09 by Omar Haddad",
		"⊘ contradiction  ISO 42001 A.6.2.4 AI system verification and validation · implemented, but a major NC is open"} {
		if !strings.Contains(v, want) {
			t.Errorf("dashboard lacks %q:\n%s", want, v)
		}
	}
	// tab walks the requirements: the overdue 27001 9.2.2, 42001 A.5.2, then the contradiction.
	for range 3 {
		m.Update(tea.KeyPressMsg{Code: tea.KeyTab})
	}
	_, cmd := m.Update(keyPress("enter"))
	if g, ok := cmd().(common.GotoRequirementMsg); !ok || g.Standard != catalogs.ISO42001 || g.Ref != "A.6.2.4" {
		t.Fatalf("goto %+v", cmd())
	}
}
