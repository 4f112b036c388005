package progress_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
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
	"github.com/annex-grc/annex/store/demo"
	"github.com/annex-grc/annex/tui"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/engagement"
	"github.com/annex-grc/annex/tui/progress"
	"github.com/annex-grc/annex/tui/tuitest"
)

var fixedNow = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

type fixture struct {
	t    *testing.T
	s    *store.Store
	e    assessments.Engagement
	c    *common.Common
	tab  *progress.Model
	host *tuitest.Host
}

// newFixture is the demo engagement (two earlier baselines) with the Progress tab loaded
// in a host standing in for the root, at w×h.
func newFixture(t *testing.T, w, h int) *fixture {
	t.Helper()
	t.Setenv("TZ", "UTC")
	t.Setenv("TMPDIR", t.TempDir())
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "ws.db"), store.Options{Author: "tester", Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e, err := demo.Create(ctx, s, catalogs.MustBuiltin(), demo.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	c := &common.Common{Ctx: ctx, Store: s, Catalogs: catalogs.MustBuiltin(), Styles: common.NewStyles(true), Keys: common.DefaultKeyMap(),
		Width: w, Height: h, Now: func() time.Time { return fixedNow }, NoTimers: true, Undo: &common.UndoStack{}, Prefs: &common.Prefs{}}
	tab := progress.New(c, e, progress.Options{Screen: func(c *common.Common, e assessments.Engagement) common.Screen { return engagement.New(c, e) }})
	tab.SetSize(w, h)
	f := &fixture{t: t, s: s, e: e, c: c, tab: tab, host: tuitest.NewHost(tab)}
	f.host.Run(tab.Activate())
	return f
}

func (f *fixture) view() string { return ansi.Strip(f.host.View(f.c.Width, f.c.Height)) }

// setStatus saves a status as another screen would, behind the tab's back.
func (f *fixture) setStatus(std, ref string, st assessments.Status) {
	f.t.Helper()
	ctx := context.Background()
	r, _ := f.s.Result(ctx, assessments.Key{EngagementID: f.e.ID, Standard: std, Ref: ref})
	after := r
	after.Status = st
	if st == assessments.NotApplicable {
		after.Justification = "Not ours"
	}
	if _, err := f.s.SaveResult(ctx, r, after); err != nil {
		f.t.Fatal(err)
	}
}

func TestGoldenProgress(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := newFixture(t, size[0], size[1])
			v := f.tab.View()
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

// TestCompareRegressionsAndPick: the latest baseline is compared with now on opening; five
// statuses changed since (two regressions) show; r keeps the regressions, esc clears; c
// picks two baselines.
func TestCompareRegressionsAndPick(t *testing.T) {
	f := newFixture(t, 120, 40)
	v := f.view()
	if !strings.Contains(v, "Compare Pre-audit (2026-02-28) → now") || !strings.Contains(v, "6 improved  ▼ 3 regressed") {
		t.Fatalf("the latest baseline is not compared with now:\n%s", v)
	}
	if _, err := f.s.CreateBaseline(context.Background(), f.e.ID, "Stage 1"); err != nil {
		t.Fatal(err)
	}
	f.setStatus(catalogs.ISO27001, "A.5.1", assessments.NotImplemented) // implemented → regressed
	f.setStatus(catalogs.ISO27001, "A.5.15", assessments.Partial)       // implemented → regressed
	f.setStatus(catalogs.ISO27001, "A.5.7", assessments.Implemented)    // not implemented → improved
	f.setStatus(catalogs.ISO27001, "4.4", assessments.Partial)          // not assessed → new
	f.setStatus(catalogs.ISO42001, "5.2", assessments.Partial)          // not implemented → improved
	f.host.Run(f.tab.Activate())
	v = f.view()
	if !strings.Contains(v, "Compare Stage 1") || !strings.Contains(v, "2 improved  ▼ 2 regressed  + 1 new") {
		t.Fatalf("after five edits:\n%s", v)
	}
	f.host.Keys("r")
	v = f.view()
	if !strings.Contains(v, "Requirements: regressed (2)") || !strings.Contains(v, "▼ ISO 27001 A.5.1 ") || strings.Contains(v, "▲ ISO 27001 A.5.7") {
		t.Fatalf("r does not keep the regressions:\n%s", v)
	}
	if !f.tab.UsesEsc() {
		t.Fatal("esc must clear the filter before it leaves")
	}
	f.host.Keys("esc")
	if v := f.view(); !strings.Contains(v, "Requirements: changes (5)") {
		t.Fatalf("esc did not clear the filter:\n%s", v)
	}
	f.host.Keys("s", "s", "s")
	if v := f.view(); !strings.Contains(v, "Requirements: new (1)") {
		t.Fatalf("s steps the filter:\n%s", v)
	}
	f.host.Keys("S", "S", "S")
	if v := f.view(); !strings.Contains(v, "Requirements: changes") {
		t.Fatalf("S steps back:\n%s", v)
	}

	// c: from the workshop to the pre-audit check.
	f.host.Keys("c")
	if v := f.view(); !strings.Contains(v, "Compare from…") || !strings.Contains(v, demo.BaselineWorkshop) {
		t.Fatalf("c does not ask for the earlier point:\n%s", v)
	}
	f.host.Keys("enter") // the workshop (first)
	if v := f.view(); !strings.Contains(v, "…compare to") || strings.Contains(v, demo.BaselineWorkshop+" · ") {
		t.Fatalf("the later point is asked among the later ones:\n%s", v)
	}
	f.host.Keys("up", "up", "enter") // Pre-audit
	v = f.view()
	if !strings.Contains(v, "Compare Gap workshop 1 (2026-01-24) → Pre-audit (2026-02-28)") || !strings.Contains(v, "▼ 1 regressed") {
		t.Fatalf("workshop → pre-audit:\n%s", v)
	}
	if len(f.host.Unaddressed) > 0 {
		t.Errorf("results without an address: %v", f.host.Unaddressed)
	}
}

// TestNewBaselineAndCycle: b asks for a name, refuses a taken one with a sentence beside
// the field, freezes a new one; n starts a cycle from the selected baseline.
func TestNewBaselineAndCycle(t *testing.T) {
	f := newFixture(t, 120, 40)
	f.host.Keys("b")
	if v := f.view(); !strings.Contains(v, "New baseline") {
		t.Fatalf("b opened no dialog:\n%s", v)
	}
	for _, k := range tuitest.Keys(demo.BaselinePreAudit) {
		f.host.Send(k)
	}
	f.host.Keys("enter")
	if v := f.view(); !strings.Contains(v, "already has a baseline named") {
		t.Fatalf("a taken name was not refused beside the field:\n%s", v)
	}
	for range demo.BaselinePreAudit {
		f.host.Keys("backspace")
	}
	for _, k := range tuitest.Keys("Stage 1") {
		f.host.Send(k)
	}
	f.host.Keys("enter")
	if f.host.Dialogs.Len() != 0 || !strings.Contains(f.host.Status, `Baseline "Stage 1" frozen at row`) {
		t.Fatalf("dialog open %d, status %q", f.host.Dialogs.Len(), f.host.Status)
	}
	list, _ := f.s.Baselines(context.Background(), f.e.ID)
	if len(list) != 3 || list[2].Name != "Stage 1" {
		t.Fatalf("baselines %+v", list)
	}
	if v := f.view(); !strings.Contains(v, "Baselines (3)") {
		t.Fatalf("the list did not reload:\n%s", v)
	}
	// n on the selected baseline.
	f.host.Keys("home")
	f.host.Keys("n")
	if v := f.view(); !strings.Contains(v, "New cycle from "+demo.BaselineWorkshop) {
		t.Fatalf("n opened no cycle dialog:\n%s", v)
	}
	for _, k := range tuitest.Keys("Year 2") {
		f.host.Send(k)
	}
	f.host.Keys("enter")
	v := f.view()
	if !strings.Contains(v, `↻ Cycle "Year 2": 193 of 193 requirements still to re-confirm`) {
		t.Fatalf("the cycle is not shown:\n%s", v)
	}
	rc, _ := f.s.Reconfirmation(context.Background(), f.e.ID)
	if rc.Cycle == nil || rc.Cycle.Name != "Year 2" || rc.Cycle.FromID != list[0].ID {
		t.Fatalf("cycle %+v", rc.Cycle)
	}
}

// workbench is the whole workbench (the real root) on the fixture's workspace.
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

// TestOpenAsOf: o opens every tab of the engagement as it was at the baseline, read-only
// with a banner; an edit there is refused by the store; z does not undo a live edit; q
// leaves and removes the rebuilt workspace.
func TestOpenAsOf(t *testing.T) {
	f := newFixture(t, 120, 40)
	a := tui.New(context.Background(), f.s, catalogs.MustBuiltin())
	a.Common().Now = func() time.Time { return fixedNow }
	a.Common().NoTimers = true
	w := &workbench{t: t, a: a}
	w.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	tuitest.Run(func(m tea.Msg) tea.Cmd { _, cmd := a.Update(m); return cmd }, a.Init())
	w.keys("enter", "[", "[") // the engagement, Export, Progress
	if v := w.view(); !strings.Contains(v, "Baselines (2)") {
		t.Fatalf("not on the Progress tab:\n%s", v)
	}
	// A live edit the root could undo.
	w.keys("]", "]", "2") // Export, Dashboard… then back below
	w.keys("[", "[")
	w.keys("home", "o")
	v := w.view()
	if !strings.Contains(v, `AS OF BASELINE "Gap workshop 1"`) || !strings.Contains(v, "read-only") || !strings.Contains(v, "56%") {
		t.Fatalf("as-of view:\n%s", v)
	}
	dir := os.Getenv("TMPDIR")
	entries, _ := os.ReadDir(dir)
	if len(entries) == 0 {
		t.Fatal("no as-of workspace")
	}
	// Every tab draws under the banner; an edit in the gap analysis is refused.
	w.keys("]")
	w.keys("3")
	if v := w.view(); !strings.Contains(v, "read-only (it shows the engagement as it was at baseline") {
		t.Fatalf("an edit as of a baseline:\n%s", v)
	}
	for i := 0; i < 8; i++ {
		w.keys("]")
		if v := w.view(); !strings.Contains(v, "AS OF BASELINE") {
			t.Fatalf("tab %d lost the banner:\n%s", i, v)
		}
	}
	w.keys("z")
	if v := w.view(); !strings.Contains(v, "Nothing to undo: this is the engagement as of baseline") {
		t.Fatalf("z in the as-of view:\n%s", v)
	}
	w.keys("q")
	if v := w.view(); strings.Contains(v, "AS OF BASELINE") || !strings.Contains(v, "Baselines (2)") {
		t.Fatalf("q did not return to now:\n%s", v)
	}
	entries, _ = os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "annex-as-of-") {
			t.Fatalf("%s stays after leaving", e.Name())
		}
	}
	r, _ := f.s.Result(context.Background(), assessments.Key{EngagementID: f.e.ID, Standard: catalogs.ISO27001, Ref: "4.1"})
	if r.Status != assessments.Implemented {
		t.Fatal("the live engagement changed")
	}
}

// TestRandomKeys: seeded random keys on the tab find no panic and leave a sound workspace.
func TestRandomKeys(t *testing.T) {
	defer func(w time.Duration) { tuitest.Wait = w }(tuitest.Wait)
	tuitest.Wait = 50 * time.Millisecond
	f := newFixture(t, 100, 30)
	keys := []string{"j", "k", "up", "down", "enter", "tab", "c", "r", "s", "S", "esc", "g", "G", "pgup", "pgdown", "b", "n", "x", "a", "1", "space", "backspace"}
	rng := rand.New(rand.NewPCG(3, 5))
	n := 600
	if testing.Short() {
		n = 200
	}
	for i := 0; i < n; i++ {
		f.host.Keys(keys[rng.IntN(len(keys))])
		if rng.IntN(50) == 0 {
			f.tab.SetSize(80+rng.IntN(60), 24+rng.IntN(20))
		}
		_ = f.tab.View()
	}
	ctx := context.Background()
	if res, err := f.s.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity_check %q %v", res, err)
	}
	if _, p, err := f.s.VerifyChain(ctx); err != nil || p != nil {
		t.Fatalf("chain %v %v", p, err)
	}
	if rep, err := f.s.ReplayHistory(ctx); err != nil || len(rep.Problems) > 0 {
		t.Fatalf("replay %v %v", err, rep.Problems)
	}
	_ = tea.KeyPressMsg{}
}

// TestReconfirmInTheGapAnalysis: after a new cycle starts, the gap list marks every
// requirement ↻; c re-confirms one as it stands and an edit re-confirms another; the
// dashboard counts what is left.
func TestReconfirmInTheGapAnalysis(t *testing.T) {
	f := newFixture(t, 120, 40)
	ctx := context.Background()
	pre, _ := f.s.Baseline(ctx, f.e.ID, demo.BaselinePreAudit)
	if _, err := f.s.StartCycle(ctx, f.e.ID, "Year 2", pre.ID); err != nil {
		t.Fatal(err)
	}
	a := tui.New(ctx, f.s, catalogs.MustBuiltin())
	a.Common().Now = func() time.Time { return fixedNow }
	a.Common().NoTimers = true
	w := &workbench{t: t, a: a}
	w.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	tuitest.Run(func(m tea.Msg) tea.Cmd { _, cmd := a.Update(m); return cmd }, a.Init())
	w.keys("enter")
	if v := w.view(); !strings.Contains(v, `↻ Cycle "Year 2": 193 of 193 requirements still to re-confirm`) {
		t.Fatalf("the dashboard does not count what is left:\n%s", v)
	}
	// The dashboard's trend: readiness per standard across the baselines and now.
	if v := w.view(); !strings.Contains(v, `Trend     ▄▅▅  56% at "Gap workshop 1" → 63% now · +1 since "Pre-audit"`) {
		t.Fatalf("no trend on the dashboard:\n%s", v)
	}
	w.keys("]") // ISO 27001
	line := func(ref string) string {
		for _, l := range strings.Split(w.view(), "\n") {
			for _, mark := range []string{"○", "✗", "◐", "●", "–"} {
				if strings.Contains(l, mark+ref+strings.Repeat(" ", 9-len(ref))) {
					return l
				}
			}
		}
		t.Fatalf("no line for %s:\n%s", ref, w.view())
		return ""
	}
	if !strings.Contains(line("4.1"), progress.ReconfirmMark) || !strings.Contains(line("4.2"), progress.ReconfirmMark) {
		t.Fatalf("the requirements are not marked to re-confirm:\n%s", w.view())
	}
	w.keys("c") // 4.1 re-confirmed as it stands
	if v := w.view(); !strings.Contains(v, "ISO 27001 4.1 re-confirmed as it stands.") || strings.Contains(line("4.1"), progress.ReconfirmMark) {
		t.Fatalf("c did not re-confirm 4.1:\n%s", v)
	}
	w.keys("j", "1") // 4.2 edited: not implemented already? then to implemented
	w.keys("k", "3")
	if strings.Contains(line("4.2"), progress.ReconfirmMark) {
		t.Fatalf("an edit did not clear the mark:\n%s", w.view())
	}
	w.keys("[") // the dashboard
	if v := w.view(); !strings.Contains(v, `191 of 193 requirements still to re-confirm`) {
		t.Fatalf("the dashboard count did not follow:\n%s", v)
	}
}
