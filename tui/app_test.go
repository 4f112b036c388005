package tui

import (
	"context"
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
	"github.com/annex-grc/annex/store/demo"
	"github.com/annex-grc/annex/tui/engagement"
	"github.com/annex-grc/annex/tui/gap"
	"github.com/annex-grc/annex/tui/tuitest"
)

var fixedNow = time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)

// harness is a root model on a real workspace in a temp folder, driven by messages.
type harness struct {
	t   *testing.T
	app *App
	s   *store.Store
}

func newHarness(t *testing.T, w, h int, withDemo bool) *harness {
	t.Helper()
	return newHarnessAt(t, "", w, h, withDemo)
}

// newHarnessAt is newHarness on the workspace at loc ("" a new file in a temp folder).
func newHarnessAt(t *testing.T, loc string, w, h int, withDemo bool) *harness {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("TMPDIR", home) // views as of a baseline the walk opens are removed with the test
	t.Setenv("NO_COLOR", "")
	ctx := context.Background()
	if loc == "" {
		loc = filepath.Join(home, "ws.db")
	}
	s, err := store.Open(ctx, loc, store.Options{Author: "tester", Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	set := catalogs.MustBuiltin()
	if withDemo {
		if _, err := demo.Create(ctx, s, set, demo.Options{Dir: filepath.Join(home, "demo-evidence")}); err != nil {
			t.Fatal(err)
		}
	}
	a := New(ctx, s, set)
	a.c.Now = func() time.Time { return fixedNow }
	a.c.NoTimers = true
	hs := &harness{t: t, app: a, s: s}
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(a.Init())
	return hs
}

func (h *harness) update(msg tea.Msg) tea.Cmd {
	_, cmd := h.app.Update(msg)
	return cmd
}

func (h *harness) run(cmd tea.Cmd) { tuitest.Run(h.update, cmd) }

func (h *harness) send(msgs ...tea.Msg) {
	for _, m := range msgs {
		h.run(h.update(m))
	}
}

func (h *harness) keys(keys ...string) {
	for _, k := range keys {
		h.send(tuitest.Key(k))
	}
}

// typeText delivers text the way a terminal delivers a paste: one message, not one
// key press per character (each press would wait on the cursor blink timer).
func (h *harness) typeText(s string) { h.send(tea.PasteMsg{Content: s}) }

func (h *harness) view() string { return tuitest.Plain(h.app.render()) }

func (h *harness) gap() *gap.Model {
	h.t.Helper()
	eng, ok := h.app.top().(*engagement.Model)
	if !ok {
		h.t.Fatalf("top screen is %T, not the engagement", h.app.top())
	}
	g, ok := eng.ActiveTab().(*gap.Model)
	if !ok {
		h.t.Fatalf("active tab is %T, not a gap analysis", eng.ActiveTab())
	}
	return g
}

func (h *harness) openGap(standard string) *gap.Model {
	h.t.Helper()
	h.keys("enter")
	eng := h.app.top().(*engagement.Model)
	c, _ := catalogs.MustBuiltin().Get(standard)
	cmd, ok := eng.SelectTab(c.Short)
	if !ok {
		h.t.Fatalf("no tab %s", c.Short)
	}
	h.run(cmd)
	return h.gap()
}

func (h *harness) result(standard, ref string) assessments.Result {
	h.t.Helper()
	engs, err := h.s.Engagements(context.Background())
	if err != nil || len(engs) == 0 {
		h.t.Fatalf("engagements: %v", err)
	}
	r, err := h.s.Result(context.Background(), assessments.Key{EngagementID: engs[0].ID, Standard: standard, Ref: ref})
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

var sizes = []struct {
	name string
	w, h int
}{{"80x24", 80, 24}, {"120x40", 120, 40}}

func TestGoldenHome(t *testing.T) {
	for _, sz := range sizes {
		t.Run("welcome_"+sz.name, func(t *testing.T) {
			h := newHarness(t, sz.w, sz.h, false)
			golden.RequireEqual(t, []byte(h.view()))
		})
		t.Run("list_"+sz.name, func(t *testing.T) {
			h := newHarness(t, sz.w, sz.h, true)
			golden.RequireEqual(t, []byte(h.view()))
		})
	}
}

func TestGoldenGap(t *testing.T) {
	for _, sz := range sizes {
		t.Run("iso42001_"+sz.name, func(t *testing.T) {
			h := newHarness(t, sz.w, sz.h, true)
			g := h.openGap(catalogs.ISO42001)
			h.run(g.Select("A.5.2"))
			golden.RequireEqual(t, []byte(h.view()))
		})
		t.Run("iso27001_"+sz.name, func(t *testing.T) {
			h := newHarness(t, sz.w, sz.h, true)
			h.openGap(catalogs.ISO27001)
			golden.RequireEqual(t, []byte(h.view()))
		})
	}
}

func TestViewsFitTheWindow(t *testing.T) {
	for _, sz := range sizes {
		h := newHarness(t, sz.w, sz.h, true)
		check := func(where string) {
			lines := strings.Split(h.view(), "\n")
			if len(lines) != sz.h {
				t.Errorf("%s at %s: %d lines, want %d", where, sz.name, len(lines), sz.h)
			}
			for i, l := range lines {
				if n := len([]rune(l)); n > sz.w {
					t.Errorf("%s at %s: line %d is %d wide", where, sz.name, i, n)
				}
			}
		}
		check("home")
		h.openGap(catalogs.ISO27001)
		check("gap list")
		h.keys("tab", "J", "J", "e")
		check("gap editing")
	}
}

func TestStatusKeysSaveAtOnce(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.app.c.Prefs.Advance = false // stay on A.7.2 for each key
	g := h.openGap(catalogs.ISO42001)
	h.run(g.Select("A.7.2"))
	for _, tc := range []struct {
		key  string
		want assessments.Status
	}{{"3", assessments.Implemented}, {"2", assessments.Partial}, {"1", assessments.NotImplemented}, {"0", assessments.NotAssessed}} {
		h.keys(tc.key)
		if got := h.result(catalogs.ISO42001, "A.7.2").EffectiveStatus(); got != tc.want {
			t.Errorf("after %s: stored %s, want %s", tc.key, got, tc.want)
		}
		if !strings.Contains(h.view(), tc.want.Label()) {
			t.Errorf("after %s the screen does not show %q", tc.key, tc.want.Label())
		}
	}
}

func TestNotApplicableAsksForJustification(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	g := h.openGap(catalogs.ISO27001)
	h.run(g.Select("A.7.6"))
	h.keys("4")
	if h.app.dialogs.Len() != 1 {
		t.Fatal("N/A without justification did not open the justification dialog")
	}
	if v := h.view(); !strings.Contains(v, "Not applicable: ISO 27001 A.7.6") {
		t.Fatalf("the dialog does not name the requirement:\n%s", v)
	}
	if got := h.result(catalogs.ISO27001, "A.7.6").EffectiveStatus(); got == assessments.NotApplicable {
		t.Fatal("N/A stored before a justification was given")
	}
	// esc on an empty prompt leaves it with no side effect.
	h.keys("esc")
	if h.app.dialogs.Len() != 0 || g.SelectedRef() != "A.7.6" {
		t.Fatalf("esc did not close the prompt (dialogs %d, selected %s)", h.app.dialogs.Len(), g.SelectedRef())
	}
	if got := h.result(catalogs.ISO27001, "A.7.6").EffectiveStatus(); got == assessments.NotApplicable {
		t.Fatal("cancelled prompt stored N/A")
	}
	// While the prompt is open nothing beneath moves: ctrl+n, j, tab, q stay in it.
	h.keys("4")
	h.typeText("No secure areas: fully remote company.")
	h.keys("ctrl+n", "tab", "q", "J")
	if g.SelectedRef() != "A.7.6" || h.app.dialogs.Len() != 1 {
		t.Fatalf("keys reached the list under the prompt: selected %s, dialogs %d", g.SelectedRef(), h.app.dialogs.Len())
	}
	// esc with text asks before discarding; n keeps it.
	h.keys("esc")
	if !strings.Contains(h.view(), "Discard changes?") {
		t.Fatalf("no discard question:\n%s", h.view())
	}
	h.keys("n", "ctrl+s")
	r := h.result(catalogs.ISO27001, "A.7.6")
	if r.EffectiveStatus() != assessments.NotApplicable || !strings.HasPrefix(r.Justification, "No secure areas: fully remote company.") {
		t.Errorf("stored %+v", r)
	}
	if h.app.dialogs.Len() != 0 {
		t.Error("the prompt stayed open after a save")
	}
	if other := h.result(catalogs.ISO27001, "A.7.7"); other.Justification != "" && other.EffectiveStatus() != assessments.NotApplicable {
		t.Errorf("the justification landed on A.7.7: %+v", other)
	}
}

func TestNotesTypedInPlaceAreSavedOnLeave(t *testing.T) {
	h := newHarness(t, 80, 24, true)
	g := h.openGap(catalogs.ISO42001)
	h.run(g.Select("A.9.2"))
	h.keys("e")
	h.typeText("Line one\nLine two")
	// Moving to the next requirement saves the note on the way.
	h.keys("ctrl+n")
	if g.Capturing() {
		t.Fatal("editor still open after moving on")
	}
	if r := h.result(catalogs.ISO42001, "A.9.2"); r.Notes != "Line one\nLine two" {
		t.Errorf("stored notes %q", r.Notes)
	}
}

func TestEscapeSequencesShownInertStoredExactly(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	nasty := "pasted \x1b[2J\x1b]0;owned\x07 text"
	engs, _ := h.s.Engagements(context.Background())
	k := assessments.Key{EngagementID: engs[0].ID, Standard: catalogs.ISO27001, Ref: "A.5.8"}
	before, _ := h.s.Result(context.Background(), k)
	after := before
	after.Notes = nasty
	if _, err := h.s.SaveResult(context.Background(), before, after); err != nil {
		t.Fatal(err)
	}
	g := h.openGap(catalogs.ISO27001)
	h.run(g.Select("A.5.8"))
	raw := h.app.render()
	if strings.Contains(raw, "\x1b[2J") || strings.Contains(raw, "\x1b]0;owned") {
		t.Error("escape sequence from user text reached the terminal")
	}
	if !strings.Contains(h.view(), "pasted ^[[2J^[]0;owned^G text") {
		t.Errorf("escape not shown inert:\n%s", h.view())
	}
	if got := h.result(catalogs.ISO27001, "A.5.8").Notes; got != nasty {
		t.Errorf("stored %q", got)
	}
}

func TestAutosaveWhilePausing(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	g := h.openGap(catalogs.ISO27001)
	h.run(g.Select("A.5.10"))
	h.keys("e")
	h.typeText("draft in progress")
	// The pause timer fires (tests send it: timers are off).
	h.send(g.AutosaveTick())
	if !g.Capturing() {
		t.Fatal("autosave closed the editor")
	}
	if got := h.result(catalogs.ISO27001, "A.5.10").Notes; !strings.HasSuffix(got, "draft in progress") {
		t.Errorf("autosave stored %q", got)
	}
}

func TestFlushSavesOpenDraftOnQuit(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	g := h.openGap(catalogs.ISO27001)
	h.run(g.Select("A.5.7"))
	h.keys("e")
	h.typeText("typed just before the laptop lid closed")
	if err := h.app.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := h.result(catalogs.ISO27001, "A.5.7").Notes; !strings.HasSuffix(got, "typed just before the laptop lid closed") {
		t.Errorf("draft lost on quit: %q", got)
	}
}

func TestFilterAndStatusFilter(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	g := h.openGap(catalogs.ISO27001)
	h.keys("/")
	h.typeText("threat intel")
	h.keys("enter")
	if g.SelectedRef() != "A.5.7" {
		t.Errorf("filter selected %q, want A.5.7", g.SelectedRef())
	}
	h.keys("/", "esc")
	// s cycles: all -> not assessed -> not implemented.
	h.keys("s", "s")
	if !strings.Contains(h.view(), "status: not implemented") {
		t.Fatalf("status filter not shown:\n%s", h.view())
	}
	ref := g.SelectedRef()
	if got := h.result(catalogs.ISO27001, ref).EffectiveStatus(); got != assessments.NotImplemented {
		t.Errorf("status filter shows %s (%s)", ref, got)
	}
}

func TestAdoptFromCrosswalkNeedsReview(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	g := h.openGap(catalogs.ISO27001)
	h.run(g.Select("A.5.1"))
	h.keys("3")
	eng := h.app.top().(*engagement.Model)
	cmd, _ := eng.SelectTab("ISO 42001")
	h.run(cmd)
	g42 := h.gap()
	h.run(g42.Select("A.2.4"))
	h.app.c.Prefs.Advance = false
	h.keys("0") // make sure it is not assessed
	h.keys("a")
	if h.app.dialogs.Len() > 0 { // several sources: pick the first
		h.keys("enter")
	}
	r := h.result(catalogs.ISO42001, "A.2.4")
	if !r.NeedsReview || !strings.HasPrefix(r.Provenance, "from ISO 27001 ") {
		t.Fatalf("adopted result = %+v", r)
	}
	if r.EffectiveStatus() != assessments.Partial {
		t.Errorf("intersects link carried %s, want partially implemented", r.EffectiveStatus())
	}
	if !strings.Contains(h.view(), "needs review") {
		t.Errorf("needs review not shown")
	}
	h.keys("c")
	r = h.result(catalogs.ISO42001, "A.2.4")
	if r.NeedsReview || r.Provenance == "" {
		t.Errorf("after confirm: %+v", r)
	}
}

func TestTooSmallTerminal(t *testing.T) {
	h := newHarness(t, 60, 20, false)
	if v := h.view(); !strings.Contains(v, "at least 80×24") {
		t.Errorf("small terminal view:\n%s", v)
	}
}

func TestNewEngagementFormKeepsTypedTextOnError(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	h.keys("n")
	h.keys("tab") // leave the name empty
	h.typeText("Globex")
	h.keys("ctrl+s")
	v := h.view()
	if !strings.Contains(v, "needs a name") || !strings.Contains(v, "Globex") {
		t.Fatalf("validation message or typed text missing:\n%s", v)
	}
	h.typeText("Globex audit")
	h.keys("ctrl+s")
	engs, _ := h.s.Engagements(context.Background())
	if len(engs) != 1 || engs[0].Name != "Globex audit" || engs[0].Organisation != "Globex" {
		t.Fatalf("engagements = %+v", engs)
	}
	if _, ok := h.app.top().(*engagement.Model); !ok {
		t.Error("a new engagement does not open")
	}
}

func TestDeleteNeedsTheName(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.keys("d")
	h.typeText("wrong")
	h.keys("enter")
	if engs, _ := h.s.Engagements(context.Background()); len(engs) != 1 {
		t.Fatal("deleted with a wrong name")
	}
	h.keys("esc", "d")
	h.typeText(demo.Name)
	h.keys("enter")
	if engs, _ := h.s.Engagements(context.Background()); len(engs) != 0 {
		t.Fatal("not deleted with the right name")
	}
}

func TestMain(m *testing.M) {
	os.Setenv("TZ", "UTC")
	os.Exit(m.Run())
}

func TestFilterByRef(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	g := h.openGap(catalogs.ISO27001)
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"A.5.2", []string{"A.5.2"}},
		{"a.5.2", []string{"A.5.2"}},
		{"6.1", []string{"6.1.1", "6.1.2", "6.1.3"}},
		{"A.8.3", []string{"A.8.3"}},
	} {
		h.keys("/")
		h.typeText(tc.q)
		h.keys("enter")
		v := h.view()
		for _, ref := range tc.want {
			if !strings.Contains(v, ref+" ") {
				t.Errorf("filter %q: %s missing", tc.q, ref)
			}
		}
		if tc.q == "A.5.2" && (strings.Contains(v, "A.5.20") || strings.Contains(v, "A.5.12")) {
			t.Errorf("filter %q shows more than the ref:\n%s", tc.q, v)
		}
		if g.SelectedRef() != tc.want[0] {
			t.Errorf("filter %q selected %s", tc.q, g.SelectedRef())
		}
		h.keys("/", "esc")
	}
}

func TestInclusionReasons(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	g := h.openGap(catalogs.ISO27001)
	h.run(g.Select("A.5.31"))
	h.keys("r", "down", "space", "down", "space", "enter") // legal, contractual
	r := h.result(catalogs.ISO27001, "A.5.31")
	if len(r.Reasons) != 2 || r.Reasons[0] != assessments.ReasonLegal || r.Reasons[1] != assessments.ReasonContractual {
		t.Fatalf("reasons = %v", r.Reasons)
	}
	if !strings.Contains(h.view(), "legal or regulatory requirement · contractual obligation") {
		t.Errorf("reasons not shown:\n%s", h.view())
	}
}

func TestAdoptCarriesEvidence(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	ctx := context.Background()
	engs, _ := h.s.Engagements(ctx)
	// A.5.15 (access control) has demo evidence; it serves 42001 A.3.2? Find a mapped pair with evidence.
	set := catalogs.MustBuiltin()
	var src, dst string
	for _, ref := range []string{"A.5.15", "A.5.18", "A.5.1", "A.8.15"} {
		items, err := h.s.EvidenceFor(ctx, engs[0].ID, catalogs.ISO27001, ref)
		if err != nil || len(items) == 0 {
			continue
		}
		for _, mp := range set.MappingsFor(catalogs.ISO27001, ref) {
			if r := h.result(catalogs.ISO42001, mp.Ref); r.EffectiveStatus() == assessments.NotAssessed {
				src, dst = ref, mp.Ref
				break
			}
		}
		if src != "" {
			break
		}
	}
	if src == "" {
		t.Skip("demo has no evidenced 27001 control mapped to an unassessed 42001 requirement")
	}
	g := h.openGap(catalogs.ISO27001)
	h.run(g.Select(src))
	h.keys("3")
	eng := h.app.top().(*engagement.Model)
	cmd, _ := eng.SelectTab("ISO 42001")
	h.run(cmd)
	g42 := h.gap()
	h.run(g42.Select(dst))
	h.keys("a")
	if h.app.dialogs.Len() > 0 {
		// Pick the option adopting from src.
		h.typeText("27001 " + src + " ")
		h.keys("enter")
	}
	items, err := h.s.EvidenceFor(ctx, engs[0].ID, catalogs.ISO42001, dst)
	if err != nil || len(items) == 0 {
		t.Fatalf("adopting %s into %s linked no evidence (%v)", src, dst, err)
	}
}

func TestQuitAsksWhenTypedTextCannotBeSaved(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	quits := func(cmd tea.Cmd) bool {
		for _, m := range tuitest.Run(h.update, cmd) {
			if _, ok := m.(tea.QuitMsg); ok {
				return true
			}
		}
		return false
	}
	h.keys("n")
	h.typeText("Half-typed engagement")
	if quits(h.update(tuitest.Key("ctrl+c"))) {
		t.Fatal("quit at once with an unsaved engagement form")
	}
	if !strings.Contains(h.view(), "Not saved yet: the engagement form") {
		t.Errorf("no warning:\n%s", h.view())
	}
	// Any other key disarms; ctrl+c asks again.
	h.keys("tab")
	if quits(h.update(tuitest.Key("ctrl+c"))) {
		t.Fatal("the warning did not re-arm")
	}
	if !quits(h.update(tuitest.Key("ctrl+c"))) {
		t.Fatal("a second ctrl+c did not quit")
	}
}

func TestQuitAsksForAnInvalidDate(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	g := h.openGap(catalogs.ISO27001)
	h.run(g.Select("A.5.9"))
	h.keys("t", "ctrl+u")
	h.typeText("31/12/2027")
	cmd := h.update(tuitest.Key("ctrl+c"))
	for _, m := range tuitest.Run(h.update, cmd) {
		if _, ok := m.(tea.QuitMsg); ok {
			t.Fatal("quit with an unsavable target date typed")
		}
	}
	if !strings.Contains(h.view(), "Not saved yet: target date") {
		t.Errorf("no warning:\n%s", h.view())
	}
}

func TestHugePasteRefusedWithMessage(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	g := h.openGap(catalogs.ISO27001)
	h.run(g.Select("A.5.11"))
	before := h.result(catalogs.ISO27001, "A.5.11").Notes
	h.keys("e")
	h.typeText(strings.Repeat("x", assessments.MaxTextLen+1))
	if !strings.Contains(h.view(), "Nothing was pasted") {
		t.Errorf("no message for a huge paste:\n%s", h.view())
	}
	h.keys("esc")
	if got := h.result(catalogs.ISO27001, "A.5.11").Notes; got != before {
		t.Errorf("notes changed by a refused paste: %d characters", len(got))
	}
}

func TestHeaderCoverageFollowsTheOtherStandard(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	g := h.openGap(catalogs.ISO27001)
	h.run(g.Select("A.5.1"))
	h.keys("1")
	before := h.view()
	h.keys("3")
	after := h.view()
	line := func(v string) string { return strings.SplitN(v, "\n", 2)[0] }
	if line(before) == line(after) || !strings.Contains(line(after), "ISO 42001 covered by ISO 27001 work") {
		t.Errorf("header did not follow the 27001 change:\n%s\n%s", line(before), line(after))
	}
}
