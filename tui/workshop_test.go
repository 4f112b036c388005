package tui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/engagement"
	"github.com/annex-grc/annex/tui/tuitest"
)

// Issue 10 item 1: after a field is left the focus is back on the list, so j moves to the
// next requirement and the next status key sets that one, not the one edited before.
func TestLeavingAFieldReturnsFocusToTheList(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.app.c.Prefs.Advance = false
	g := h.openGap(catalogs.ISO27001)
	h.run(g.Select("4.1"))
	before41 := h.result(catalogs.ISO27001, "4.1").EffectiveStatus()
	h.keys("e")
	h.typeText(" More context.")
	h.keys("esc", "j", "2")
	if got := g.SelectedRef(); got != "4.2" {
		t.Fatalf("j after leaving the notes moved to %q, want 4.2", got)
	}
	if got := h.result(catalogs.ISO27001, "4.1").EffectiveStatus(); got != before41 {
		t.Fatalf("4.1 was changed to %s by a status key meant for 4.2", got)
	}
	if got := h.result(catalogs.ISO27001, "4.2").EffectiveStatus(); got != assessments.Partial {
		t.Fatalf("4.2 is %s, want partially implemented", got)
	}
	// Focus is said in words: the detail marker and the help bar name the pane.
	h.keys("tab")
	if v := h.view(); !strings.Contains(v, "▶ 4.2") || !strings.Contains(v, "DETAIL") {
		t.Fatalf("focus on the detail is not shown:\n%s", v)
	}
	h.keys("tab")
	if v := h.view(); strings.Contains(v, "▶ 4.2") || !strings.Contains(v, "LIST") {
		t.Fatalf("focus back on the list is not shown:\n%s", v)
	}
}

// Friction: a status key moves on to the next requirement, so a clause group is walked one
// key per requirement; A turns it off.
func TestStatusAdvancesThroughAClauseGroup(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	g := h.openGap(catalogs.ISO42001)
	h.run(g.Select("7.1"))
	h.keys("3", "2", "1", "3")
	for ref, want := range map[string]assessments.Status{"7.1": assessments.Implemented, "7.2": assessments.Partial,
		"7.3": assessments.NotImplemented, "7.4": assessments.Implemented} {
		if got := h.result(catalogs.ISO42001, ref).EffectiveStatus(); got != want {
			t.Errorf("%s is %s, want %s", ref, got, want)
		}
	}
	if g.SelectedRef() != "7.5.1" {
		t.Errorf("cursor on %s after four status keys from 7.1, want 7.5.1", g.SelectedRef())
	}
	h.keys("A", "2")
	if g.SelectedRef() != "7.5.1" || h.result(catalogs.ISO42001, "7.5.1").EffectiveStatus() != assessments.Partial {
		t.Errorf("with advance off the cursor moved or the status was not set (%s)", g.SelectedRef())
	}
}

// Issue 10 item 3: a save that completes while another screen is pushed reaches its tab;
// later status keys in that tab still save.
func TestSaveFinishingUnderAPushedScreenIsNotDropped(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.app.c.Prefs.Advance = false
	g := h.openGap(catalogs.ISO42001)
	h.run(g.Select("A.6.2.2"))
	// The status key returns the save command; push the suggestions screen before it runs.
	save := h.update(tuitest.Key("3"))
	h.keys("x")
	if _, top := h.app.top().(*engagement.Model); top {
		t.Fatal("the suggestions screen did not open")
	}
	h.run(save)
	if got := h.result(catalogs.ISO42001, "A.6.2.2").EffectiveStatus(); got != assessments.Implemented {
		t.Fatalf("stored %s", got)
	}
	h.keys("q")
	if !strings.Contains(h.view(), "● implemented") {
		t.Fatalf("the tab does not show the saved status:\n%s", h.view())
	}
	h.keys("1")
	if got := h.result(catalogs.ISO42001, "A.6.2.2").EffectiveStatus(); got != assessments.NotImplemented {
		t.Fatalf("a later status key did not save (stored %s): the tab is stuck", got)
	}
}

// Issue 10 item 6: maturity cycles not rated, 0 … 5; 0 can be set.
func TestMaturityZeroCanBeSet(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	g := h.openGap(catalogs.ISO27001)
	h.run(g.Select("A.5.9"))
	h.run(h.update(tuitest.Key("0"))) // not assessed, cursor moves on
	h.run(g.Select("A.5.9"))
	start := h.result(catalogs.ISO27001, "A.5.9").Maturity
	for range 7 {
		h.keys("m")
		if m := h.result(catalogs.ISO27001, "A.5.9").Maturity; m != nil && *m == 0 {
			return
		}
	}
	t.Fatalf("maturity 0 never reached from %s", assessments.MaturityLabel(start))
}

// Issue 10 item 7: leaving not applicable drops the justification from the detail.
func TestJustificationGoesWhenNotApplicableGoes(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.app.c.Prefs.Advance = false
	g := h.openGap(catalogs.ISO27001)
	h.run(g.Select("A.7.6"))
	h.keys("4")
	h.typeText("Fully remote company.")
	h.keys("ctrl+s")
	if !strings.Contains(h.view(), "Fully remote company.") {
		t.Fatal("justification not shown while not applicable")
	}
	h.keys("0")
	if strings.Contains(h.view(), "Fully remote company.") {
		t.Fatalf("the old justification still shows:\n%s", h.view())
	}
	if r := h.result(catalogs.ISO27001, "A.7.6"); r.Justification != "" {
		t.Fatalf("stored justification %q after leaving N/A", r.Justification)
	}
	// z brings both back: the undo is an edit in the history, not a deletion.
	n0 := historyLen(t, h)
	h.keys("z")
	r := h.result(catalogs.ISO27001, "A.7.6")
	if r.EffectiveStatus() != assessments.NotApplicable || r.Justification != "Fully remote company." {
		t.Fatalf("undo restored %+v", r)
	}
	if historyLen(t, h) <= n0 {
		t.Fatal("undo did not add history rows")
	}
}

func historyLen(t *testing.T, h *harness) int {
	t.Helper()
	n, problem, err := h.s.VerifyChain(context.Background())
	if err != nil || problem != nil {
		t.Fatalf("chain: %v %v", problem, err)
	}
	return n
}

// Friction: z takes back the last edit; it refuses, with the other value kept, when
// someone else changed the field since.
func TestUndoTakesBackTheLastEdit(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.app.c.Prefs.Advance = false
	g := h.openGap(catalogs.ISO42001)
	h.run(g.Select("A.10.3"))
	was := h.result(catalogs.ISO42001, "A.10.3").EffectiveStatus()
	h.keys("3")
	h.keys("z")
	if got := h.result(catalogs.ISO42001, "A.10.3").EffectiveStatus(); got != was {
		t.Fatalf("after z: %s, want %s", got, was)
	}
	if !strings.Contains(h.view(), "Undone") {
		t.Errorf("no confirmation:\n%s", h.view())
	}
	h.keys("z")
	if !strings.Contains(h.view(), "Nothing to undo") {
		t.Errorf("an empty undo says nothing:\n%s", h.view())
	}
	// Another process changes the field after our edit: undo must not overwrite it.
	h.keys("2")
	k := assessments.Key{EngagementID: g.Address()[:36], Standard: catalogs.ISO42001, Ref: "A.10.3"}
	cur, _ := h.s.Result(context.Background(), k)
	other := cur
	other.Status = assessments.Implemented
	if _, err := h.s.SaveResult(context.Background(), cur, other); err != nil {
		t.Fatal(err)
	}
	h.keys("z")
	if got := h.result(catalogs.ISO42001, "A.10.3").EffectiveStatus(); got != assessments.Implemented {
		t.Fatalf("undo overwrote another process's change: %s", got)
	}
	if !strings.Contains(h.view(), "could not undo") && !strings.Contains(h.view(), "Could not undo") {
		t.Errorf("no message for a refused undo:\n%s", h.view())
	}
}

// Friction: esc clears a filter before it leaves; S cycles the status filter backwards.
func TestEscClearsFilterAndStatusFilterCyclesBothWays(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	g := h.openGap(catalogs.ISO27001)
	h.keys("S")
	if !strings.Contains(h.view(), "status: needs review") {
		t.Fatalf("S from all should go to the last filter:\n%s", h.view())
	}
	h.keys("S")
	if !strings.Contains(h.view(), "status: not applicable") {
		t.Fatalf("S again should go back one:\n%s", h.view())
	}
	h.keys("esc")
	if _, ok := h.app.top().(*engagement.Model); !ok {
		t.Fatal("esc with a filter left the engagement")
	}
	if strings.Contains(h.view(), "status:") {
		t.Fatal("esc did not clear the status filter")
	}
	h.keys("/")
	h.typeText("backup")
	h.keys("enter", "esc")
	if _, ok := h.app.top().(*engagement.Model); !ok || g.SelectedRef() == "" {
		t.Fatal("esc with a text filter left the engagement")
	}
	h.keys("esc")
	if _, ok := h.app.top().(*engagement.Model); ok {
		t.Fatal("esc with no filter should leave the engagement")
	}
}

// Friction: ":" jumps to a requirement of either standard, a tab, or a risk.
func TestJumpBox(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	g := h.openGap(catalogs.ISO27001)
	h.keys(":")
	h.typeText("6.1.4")
	h.keys("enter")
	g42 := h.gap()
	if g42 == g || g42.Standard() != catalogs.ISO42001 || g42.SelectedRef() != "6.1.4" {
		t.Fatalf("jump to 6.1.4 landed on %s %s", g42.Standard(), g42.SelectedRef())
	}
	h.keys(":")
	h.typeText("risks")
	h.keys("enter")
	if eng := h.app.top().(*engagement.Model); eng.ActiveTab().Title() != "Risks" {
		t.Fatalf("jump to the risks tab landed on %s", eng.ActiveTab().Title())
	}
	h.keys(":")
	h.typeText("zzzz")
	h.keys("down", "enter", "esc")
	if h.app.dialogs.Len() != 0 {
		t.Fatal("esc did not close the jump box")
	}
}

// Issue 10 item 13: ? lists each key once and fits 80 columns.
func TestFullHelpListsEachKeyOnceIn80Columns(t *testing.T) {
	h := newHarness(t, 80, 24, true)
	h.openGap(catalogs.ISO27001)
	h.keys("?")
	v := h.app.fullHelpView()
	seen := map[string]bool{}
	for _, l := range strings.Split(v, "\n") {
		if w := ansi.StringWidth(l); w > 80 {
			t.Errorf("help line is %d columns: %q", w, ansi.Strip(l))
		}
	}
	for _, g := range append(h.app.keyMap().FullHelp(), h.app.globalKeys()) {
		for _, b := range g {
			if !b.Enabled() {
				continue
			}
			k := b.Help().Key
			if strings.Count(ansi.Strip(v), k+" ") == 0 {
				t.Errorf("key %q missing from the full help", k)
			}
			seen[k] = true
		}
	}
	for k := range seen {
		if n := countEntries(ansi.Strip(v), k); n > 1 {
			t.Errorf("key %q listed %d times", k, n)
		}
	}
}

func countEntries(v, k string) int {
	n := 0
	for _, l := range strings.Split(v, "\n") {
		for _, cell := range strings.Split(l, "   ") {
			if strings.HasPrefix(strings.TrimSpace(cell), k+" ") {
				n++
			}
		}
	}
	return n
}

// Status messages belong to the tab that made them.
func TestStatusMessageDoesNotFollowToTheNextTab(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	g := h.openGap(catalogs.ISO27001)
	h.run(g.Select("A.5.9"))
	h.keys("3")
	if !strings.Contains(h.view(), "A.5.9: implemented") {
		t.Fatal("no status message")
	}
	h.keys("]")
	if strings.Contains(h.view(), "A.5.9: implemented") {
		t.Fatal("the message followed to the next tab")
	}
}

// Issue 12 item 7: a note whose save fails stays open with every word and the reason.
func TestFailedSaveKeepsTheFieldOpenWithTheText(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	g := h.openGap(catalogs.ISO27001)
	h.run(g.Select("A.5.10"))
	if _, err := h.s.DB().Exec(`CREATE TRIGGER full_disk BEFORE UPDATE ON results BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;
		CREATE TRIGGER full_disk_ins BEFORE INSERT ON results BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;`); err != nil {
		t.Fatal(err)
	}
	h.keys("e")
	h.typeText("Acceptable use policy signed by all staff in onboarding.")
	h.keys("esc")
	if !g.Capturing() {
		t.Fatal("the editor closed although the save failed")
	}
	v := h.view()
	if !strings.Contains(v, "Acceptable use policy signed by all staff") || !strings.Contains(v, "full") {
		t.Fatalf("the text or the reason is not on screen:\n%s", v)
	}
	if _, err := h.s.DB().Exec(`DROP TRIGGER full_disk; DROP TRIGGER full_disk_ins`); err != nil {
		t.Fatal(err)
	}
	h.keys("esc")
	if got := h.result(catalogs.ISO27001, "A.5.10").Notes; !strings.HasSuffix(got, "Acceptable use policy signed by all staff in onboarding.") {
		t.Fatalf("after the disk has room again the note saves: %q", got)
	}
}

// Issue 12 item 7: on a conflict the editor keeps the user's text and shows theirs; the user
// keeps theirs, takes theirs, or edits.
func TestNoteConflictKeepsBothTexts(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want string
	}{{"m", "mine"}, {"t", "theirs"}, {"e", "open"}} {
		t.Run(tc.want, func(t *testing.T) {
			h := newHarness(t, 120, 40, true)
			g := h.openGap(catalogs.ISO27001)
			h.run(g.Select("A.5.11"))
			h.keys("e")
			h.typeText("MINE: assets returned at exit, checked by HR.")
			// Another process saves the note meanwhile.
			engs, _ := h.s.Engagements(context.Background())
			k := assessments.Key{EngagementID: engs[0].ID, Standard: catalogs.ISO27001, Ref: "A.5.11"}
			cur, _ := h.s.Result(context.Background(), k)
			theirs := cur
			theirs.Notes = "THEIRS: return checklist in the leaver ticket."
			if _, err := h.s.SaveResult(context.Background(), cur, theirs); err != nil {
				t.Fatal(err)
			}
			h.keys("esc")
			v := h.view()
			if !strings.Contains(v, "THEIRS: return checklist") || !strings.Contains(v, "MINE: assets returned") {
				t.Fatalf("the conflict does not show both texts:\n%s", v)
			}
			if got := h.result(catalogs.ISO27001, "A.5.11").Notes; got != theirs.Notes {
				t.Fatalf("stored before the user chose: %q", got)
			}
			h.keys(tc.key)
			got := h.result(catalogs.ISO27001, "A.5.11").Notes
			switch tc.want {
			case "mine":
				if !strings.Contains(got, "MINE: assets returned") {
					t.Fatalf("keep mine stored %q", got)
				}
			case "theirs":
				if got != theirs.Notes || g.Capturing() {
					t.Fatalf("take theirs stored %q (editor open %v)", got, g.Capturing())
				}
			case "open":
				if !g.Capturing() || !strings.Contains(h.view(), "MINE: assets returned") || got != theirs.Notes {
					t.Fatalf("edit: editor open %v, stored %q\n%s", g.Capturing(), got, h.view())
				}
			}
		})
	}
}

// Friction: reopening returns to the last engagement, tab and requirement (and keeps the
// advance setting); an engagement deleted since is forgotten.
func TestReopenReturnsToTheLastPlace(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	state := filepath.Join(t.TempDir(), "state.json")
	h.app.UseState(state)
	g := h.openGap(catalogs.ISO42001)
	h.run(g.Select("A.5.2"))
	h.keys("A") // advance off
	if err := h.app.Flush(); err != nil {
		t.Fatal(err)
	}
	a := New(context.Background(), h.s, catalogs.MustBuiltin())
	a.c.NoTimers = true
	a.UseState(state)
	h2 := &harness{t: t, app: a, s: h.s}
	h2.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	h2.run(a.Init())
	h2.send(revealMsg{id: a.openingID})
	g2 := h2.gap()
	if g2.Standard() != catalogs.ISO42001 || g2.SelectedRef() != "A.5.2" {
		t.Fatalf("reopened on %s %s, want ISO 42001 A.5.2", g2.Standard(), g2.SelectedRef())
	}
	if a.c.Prefs.Advance {
		t.Error("the advance setting was not kept")
	}
	// Back on home when it ends: next time it opens on home.
	h2.keys("q")
	_ = a.Flush()
	a3 := New(context.Background(), h.s, catalogs.MustBuiltin())
	a3.UseState(state)
	if a3.resume != nil {
		t.Fatalf("left on home, yet it would reopen %+v", a3.resume)
	}
}
