package audits

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

var testNow = time.Date(2027, 1, 20, 9, 30, 0, 0, time.UTC)

type fixture struct {
	t    *testing.T
	s    *store.Store
	c    *common.Common
	e    assessments.Engagement
	tab  *Model
	host *tuitest.Host
	w, h int
	done assessments.Audit // the completed audit
	plan assessments.Audit // the planned audit
	ev   assessments.Evidence
}

func cr(std, ref string) assessments.ControlRef {
	return assessments.ControlRef{Standard: std, Ref: ref}
}

// newFixture is a workspace with a fixed clock: a completed audit of 42001 clause 8 and
// A.6 and 27001 A.8.25-A.8.29 (a major NC on 42001 A.6.2.4 carried to 27001 A.8.29 with an
// action in progress, an OFI on 8.4, one conforming), a planned audit whose lead owns a
// requirement in scope, and one evidence file; the tab is driven through tuitest.Host.
func newFixture(t *testing.T, w, h int) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.Open(ctx, filepath.Join(dir, "ws.db"), store.Options{Author: "Priya Raman", Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	set := catalogs.MustBuiltin()
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Northwind Clinic", Organisation: "Northwind Health",
		Standards: []string{catalogs.ISO27001, catalogs.ISO42001}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []assessments.Result{
		{Standard: catalogs.ISO42001, Ref: "A.6.2.4", Status: assessments.Implemented, Owner: "Ravi Patel"},
		{Standard: catalogs.ISO27001, Ref: "A.8.29", Status: assessments.Partial, Owner: "Tomás Silva"},
		{Standard: catalogs.ISO42001, Ref: "8.4", Status: assessments.Partial, Owner: "Amara Nwosu"},
	} {
		r.EngagementID = e.ID
		before := assessments.Result{EngagementID: e.ID, Standard: r.Standard, Ref: r.Ref, Status: assessments.NotAssessed}
		if _, err := s.SaveResult(ctx, before, r); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "validation-report.md")
	if err := os.WriteFile(p, []byte("Validation report, release 4.2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ev, err := s.CreateEvidence(ctx, assessments.Evidence{EngagementID: e.ID, Title: "Validation report 4.2", Kind: assessments.KindDocument,
		Path: p, CollectedOn: "2027-01-06", CollectedBy: "Ravi Patel"}, store.AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	scope, problems := assessments.ParseScope(set, e, "42001 8, 42001 A.6, 27001 A.8.25-A.8.29")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	done, err := s.CreateAudit(ctx, assessments.Audit{EngagementID: e.ID, Title: "AI life cycle and secure development", Type: assessments.AuditInternal,
		Status: assessments.AuditCompleted, Scope: scope, Criteria: "ISO/IEC 42001 and 27001 in scope; release procedure v3",
		Lead: "Priya Raman", Team: []string{"Omar Haddad"}, Auditees: "Ravi Patel (ML lead)", PlannedStart: "2027-01-05", PlannedEnd: "2027-01-07",
		ActualStart: "2027-01-05", ActualEnd: "2027-01-07", Summary: "Release control is weak."})
	if err != nil {
		t.Fatal(err)
	}
	item := func(c assessments.ControlRef) assessments.ChecklistItem {
		return assessments.ChecklistItem{AuditID: done.ID, Standard: c.Standard, Ref: c.Ref, Conclusion: assessments.NotAudited}
	}
	major := item(cr(catalogs.ISO42001, "A.6.2.4"))
	next := major
	next.Notes, next.Population, next.SampleSize, next.Sampled = "Release 4.2 shipped before its validation was signed.", 6, 3, "4.0, 4.1, 4.2"
	if major, err = s.SaveChecklistItem(ctx, major, next); err != nil {
		t.Fatal(err)
	}
	got, err := s.Conclude(ctx, set, major, assessments.MajorNC)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateCorrectiveAction(ctx, assessments.CorrectiveAction{FindingID: got.Finding.ID, Action: "Block releases without a signed validation report",
		Owner: "Ravi Patel", DueDate: "2027-03-01", State: assessments.CorrectiveOpen}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Conclude(ctx, set, item(cr(catalogs.ISO42001, "8.4")), assessments.OFI); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Conclude(ctx, set, item(cr(catalogs.ISO27001, "A.8.25")), assessments.Conforming); err != nil {
		t.Fatal(err)
	}
	plan, err := s.CreateAudit(ctx, assessments.Audit{EngagementID: e.ID, Title: "Model operation", Type: assessments.AuditFollowUp,
		Status: assessments.AuditPlanned, Scope: []assessments.ControlRef{cr(catalogs.ISO42001, "A.6.2.4"), cr(catalogs.ISO42001, "A.6.2.6")},
		Lead: "Ravi Patel", PlannedStart: "2027-03-10", PlannedEnd: "2027-03-10"})
	if err != nil {
		t.Fatal(err)
	}
	c := &common.Common{Ctx: ctx, Store: s, Catalogs: set, Styles: common.NewStyles(true), Keys: common.DefaultKeyMap(),
		Width: w, Height: h, Now: func() time.Time { return testNow }, NoTimers: true, Undo: &common.UndoStack{}, Prefs: &common.Prefs{}}
	f := &fixture{t: t, s: s, c: c, e: e, tab: newModel(c, e), w: w, h: h, done: done, plan: plan, ev: ev}
	f.host = tuitest.NewHost(f.tab)
	f.tab.SetSize(w, h)
	f.host.Run(tea.Batch(f.tab.Init(), f.tab.Activate()))
	return f
}

func (f *fixture) press(keys ...string) { f.t.Helper(); f.host.Keys(keys...) }

func (f *fixture) typeText(s string) {
	for _, k := range tuitest.Keys(s) {
		f.host.Send(k)
	}
}

func (f *fixture) view() string { return tuitest.Plain(f.host.View(f.w, f.h)) }

// filterTo puts the walk's cursor on a ref through the filter.
func (f *fixture) filterTo(ref string) {
	f.t.Helper()
	f.press("/")
	f.typeText(ref)
	f.press("enter")
	if got := f.tab.walk.selectedKey().Ref; got != ref {
		f.t.Fatalf("cursor on %q, want %s", got, ref)
	}
}

func (f *fixture) item(a assessments.Audit, std, ref string) assessments.ChecklistItem {
	f.t.Helper()
	it, err := f.s.ChecklistItem(context.Background(), a.ID, cr(std, ref))
	if err != nil {
		f.t.Fatal(err)
	}
	return it
}

func (f *fixture) findings(a assessments.Audit) []assessments.FindingView {
	f.t.Helper()
	views, err := f.s.FindingViews(context.Background(), f.e.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []assessments.FindingView
	for _, v := range views {
		if v.Finding.AuditID == a.ID {
			out = append(out, v)
		}
	}
	return out
}

func (f *fixture) checkWorkspace() {
	f.t.Helper()
	ctx := context.Background()
	if res, err := f.s.IntegrityCheck(ctx); err != nil || res != "ok" {
		f.t.Fatalf("integrity: %q %v", res, err)
	}
	if _, problem, err := f.s.VerifyChain(ctx); err != nil || problem != nil {
		f.t.Fatalf("chain: %+v %v", problem, err)
	}
}

func contains(t *testing.T, view string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(view, w) {
			t.Errorf("view lacks %q:\n%s", w, view)
		}
	}
}
