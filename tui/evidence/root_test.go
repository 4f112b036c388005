package evidence_test

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui"
	"github.com/annex-grc/annex/tui/evidence"
	"github.com/annex-grc/annex/tui/tuitest"
)

// workbench is the whole workbench on the evidence fixture, driven by messages.
type workbench struct {
	t *testing.T
	a *tui.App
}

func (w *workbench) send(msg tea.Msg) {
	tuitest.Run(func(m tea.Msg) tea.Cmd { _, cmd := w.a.Update(m); return cmd }, func() tea.Msg { return msg })
}

func (w *workbench) keys(keys ...string) {
	for _, k := range keys {
		w.send(tuitest.Key(k))
	}
}

func (w *workbench) view() string { return tuitest.Plain(w.a.View().Content) }

// line is the first line of the view holding text.
func (w *workbench) line(text string) string {
	for _, l := range strings.Split(w.view(), "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	w.t.Fatalf("no line with %q:\n%s", text, w.view())
	return ""
}

// TestAttachFromTheGapTabThroughTheRoot: v in the gap analysis opens the attach dialog at the
// root, above the tab; keys go to the dialog only; esc closes it with nothing written;
// attaching reloads the gap tab's marks.
func TestAttachFromTheGapTabThroughTheRoot(t *testing.T) {
	s, e, _ := evidence.RootFixture(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	// A.5.9 is implemented with nothing to show for it: the gap list marks it ∅.
	before := assessments.Result{EngagementID: e.ID, Standard: catalogs.ISO27001, Ref: "A.5.9", Status: assessments.NotAssessed}
	after := before
	after.Status = assessments.Implemented
	if _, err := s.SaveResult(ctx, before, after); err != nil {
		t.Fatal(err)
	}
	a := tui.New(ctx, s, catalogs.MustBuiltin())
	a.Common().Now = func() time.Time { return now }
	a.Common().NoTimers = true
	w := &workbench{t: t, a: a}
	w.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	tuitest.Run(func(m tea.Msg) tea.Cmd { _, cmd := a.Update(m); return cmd }, a.Init())
	w.keys("enter", "]") // the engagement, then its ISO 27001 tab
	w.keys("/")
	w.send(tea.PasteMsg{Content: "A.5.9"})
	w.keys("enter")
	if l := w.line("A.5.9    "); !strings.Contains(l, evidence.MarkUnevidenced) {
		t.Fatalf("A.5.9 is not marked as unevidenced: %q", l)
	}
	changes := func() int {
		var n int
		s.DB().QueryRow("SELECT count(*) FROM changes").Scan(&n)
		return n
	}
	n := changes()

	w.keys("v")
	if !strings.Contains(w.view(), "Attach evidence to ISO 27001 A.5.9") {
		t.Fatalf("v did not open the dialog:\n%s", w.view())
	}
	// A status key goes to the dialog's filter, not to the requirement beneath.
	w.keys("3", "j", "k")
	if r, _ := s.Result(ctx, assessments.Key{EngagementID: e.ID, Standard: catalogs.ISO27001, Ref: "A.5.9"}); r.Status != assessments.Implemented {
		t.Fatal("a key reached the gap tab beneath the dialog")
	}
	w.keys("esc")
	if strings.Contains(w.view(), "Attach evidence to") || changes() != n {
		t.Fatalf("esc must close the dialog with nothing written:\n%s", w.view())
	}

	w.keys("v")
	w.send(tea.PasteMsg{Content: "access review"})
	w.keys("enter")
	if strings.Contains(w.view(), "Attach evidence to") {
		t.Fatalf("the dialog stayed open:\n%s", w.view())
	}
	if !strings.Contains(w.view(), "Attached “Access review Q1” to ISO 27001 A.5.9") {
		t.Fatalf("no status:\n%s", w.view())
	}
	if l := w.line("A.5.9    "); strings.Contains(l, evidence.MarkUnevidenced) {
		t.Fatalf("the gap tab did not reload its marks: %q", l)
	}
}

// TestEscClearsTheFilterBeforeLeaving: in the workbench, esc on a filtered evidence list
// clears the filter; only the next esc leaves the engagement.
func TestEscClearsTheFilterBeforeLeaving(t *testing.T) {
	s, _, _ := evidence.RootFixture(t)
	ctx := context.Background()
	a := tui.New(ctx, s, catalogs.MustBuiltin())
	a.Common().Now = func() time.Time { return time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC) }
	a.Common().NoTimers = true
	w := &workbench{t: t, a: a}
	w.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	tuitest.Run(func(m tea.Msg) tea.Cmd { _, cmd := a.Update(m); return cmd }, a.Init())
	w.keys("enter", "[", "[", "[", "[") // the engagement, then Export, Progress, Audits, Evidence
	w.keys("s", "s", "s")               // expired only
	if v := w.view(); !strings.Contains(v, "state: expired") || !strings.Contains(v, "1 of 6") {
		t.Fatalf("not filtered:\n%s", v)
	}
	w.keys("esc")
	if v := w.view(); !strings.Contains(v, "Evidence library") || strings.Contains(v, "state: expired") {
		t.Fatalf("esc must clear the filter and stay:\n%s", v)
	}
	w.keys("esc")
	if v := w.view(); strings.Contains(v, "Evidence library") || !strings.Contains(v, "1 engagement") {
		t.Fatalf("the second esc leaves the engagement:\n%s", v)
	}
}
