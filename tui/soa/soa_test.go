package soa

import (
	"context"
	"fmt"
	"math/rand/v2"
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
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
	"github.com/annex-grc/annex/tui/tuitest"
)

var fixedNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

type fixture struct {
	s    *store.Store
	e    assessments.Engagement
	c    *common.Common
	host *tuitest.Host
	w, h int
}

// newFixture opens the SoA screen of a standard of the demo engagement (27001: v1
// approved; 42001: no version).
func newFixture(t *testing.T, w, h int, standard string) *fixture {
	t.Helper()
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
	scr := New(c, e, standard)
	scr.SetSize(w, h)
	f := &fixture{s: s, e: e, c: c, host: tuitest.NewHost(scr), w: w, h: h}
	f.host.Run(scr.Init())
	return f
}

func (f *fixture) model() *Model        { return f.host.Screen.(*Model) }
func (f *fixture) press(keys ...string) { f.host.Keys(keys...) }
func (f *fixture) view() string         { return tuitest.Plain(f.host.Screen.View()) }
func (f *fixture) typeText(s string)    { f.host.Send(tea.PasteMsg{Content: s}) }
func (f *fixture) dialogView() string {
	if d := f.host.Dialogs.Front(); d != nil {
		return tuitest.Plain(d.View(f.w, f.h))
	}
	return ""
}

// dialogText is the front dialog's words on one line (wrapping taken out).
func (f *fixture) dialogText() string {
	var words []string
	for _, l := range strings.Split(f.dialogView(), "\n") {
		words = append(words, strings.Fields(strings.Trim(l, "│╭╮╰╯─ "))...)
	}
	return strings.Join(strings.Fields(strings.ReplaceAll(strings.Join(words, " "), "│", " ")), " ")
}

// changeControls gives two controls a contractual reason, as the gap analysis would.
func (f *fixture) changeControls(t *testing.T, refs ...string) {
	t.Helper()
	ctx := context.Background()
	for _, ref := range refs {
		k := assessments.Key{EngagementID: f.e.ID, Standard: catalogs.ISO27001, Ref: ref}
		before, _ := f.s.Result(ctx, k)
		after := before
		after.Reasons = []assessments.InclusionReason{assessments.ReasonContractual}
		if _, err := f.s.SaveResult(ctx, before, after); err != nil {
			t.Fatal(err)
		}
	}
	f.host.Run(f.model().load())
}

var goldenSizes = []struct{ w, h int }{{80, 24}, {120, 40}}

func goldenViews(t *testing.T, standard string, steps func(t *testing.T, f *fixture), view func(f *fixture) string) {
	for _, size := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			f := newFixture(t, size.w, size.h, standard)
			steps(t, f)
			golden.RequireEqual(t, []byte(view(f)))
		})
	}
}

func TestGoldenVersions(t *testing.T) {
	goldenViews(t, catalogs.ISO27001, func(t *testing.T, f *fixture) { f.press("j") }, (*fixture).view)
}

func TestGoldenNoVersion(t *testing.T) {
	goldenViews(t, catalogs.ISO42001, func(t *testing.T, f *fixture) {}, (*fixture).view)
}

func TestGoldenIssueDialog(t *testing.T) {
	goldenViews(t, catalogs.ISO27001, func(t *testing.T, f *fixture) {
		f.changeControls(t, "A.5.3", "A.7.4")
		f.press("i")
	}, (*fixture).dialogView)
}

func TestGoldenApproveDialog(t *testing.T) {
	goldenViews(t, catalogs.ISO27001, func(t *testing.T, f *fixture) { f.press("i", "ctrl+s", "a") }, (*fixture).dialogView)
}

func TestGoldenDiff(t *testing.T) {
	goldenViews(t, catalogs.ISO27001, func(t *testing.T, f *fixture) {
		f.changeControls(t, "A.5.3", "A.7.4")
		f.press("enter")
	}, (*fixture).view)
}

// TestIssueApproveDiff walks the life of a controlled SoA with keys only: issue v2 after
// two changes, approve it (a name and a date are needed), and see the two controls in the
// changes between v1 and v2.
func TestIssueApproveDiff(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 120, 40, catalogs.ISO27001)
	if !strings.Contains(f.view(), "no change since v1") {
		t.Fatalf("start:\n%s", f.view())
	}
	f.changeControls(t, "A.5.3", "A.7.4")
	if !strings.Contains(f.view(), "2 controls changed since v1") {
		t.Fatalf("after two changes:\n%s", f.view())
	}
	// Approving before anything is issued says what to do.
	f.press("a")
	if f.host.Dialogs.Len() != 0 || !strings.Contains(f.host.Status, "i issues a new version") {
		t.Fatalf("approve without a draft: %q", f.host.Status)
	}
	f.press("i")
	if !strings.Contains(f.dialogText(), "2 controls changed since v1 (applicability, reasons): A.5.3, A.7.4.") {
		t.Fatalf("the proposed summary:\n%s", f.dialogView())
	}
	// A store refusal shows in the dialog, which stays open with the text: a summary of
	// blanks passes the form's own check but not the domain rule.
	f.host.Send(common.Envelope{To: f.model().Address(), Msg: dialog.SubmitMsg{ID: f.model().issueDialogID(), Values: form.Values{fSummary: "   "}}})
	if f.host.Dialogs.Len() != 1 || !strings.Contains(f.dialogText(), "Say what changed") {
		t.Fatalf("blank summary:\n%s", f.dialogView())
	}
	f.press("ctrl+s")
	vs, _ := f.s.SoAVersions(ctx, f.e.ID, catalogs.ISO27001)
	if len(vs) != 2 || vs[0].Version != 2 || vs[0].State != assessments.SoADraft || f.host.Dialogs.Len() != 0 {
		t.Fatalf("after issuing: %d versions, dialogs %d, status %q", len(vs), f.host.Dialogs.Len(), f.host.Status)
	}
	// Approve: the name is required.
	f.press("a", "ctrl+s")
	if f.host.Dialogs.Len() == 0 {
		t.Fatal("approved without a name")
	}
	f.typeText("Daniel Okafor")
	f.press("ctrl+s")
	vs, _ = f.s.SoAVersions(ctx, f.e.ID, catalogs.ISO27001)
	if vs[0].State != assessments.SoAApproved || vs[0].Approver != "Daniel Okafor" || vs[0].ApprovedOn != "2026-03-10" {
		t.Fatalf("after approving: %+v (status %q)", vs[0], f.host.Status)
	}
	if !strings.Contains(f.host.Status, "v2 approved by Daniel Okafor") {
		t.Errorf("status %q", f.host.Status)
	}
	// v2 (row 1) against v1 (the version before it).
	f.press("g", "j", "enter")
	v := f.view()
	if !strings.Contains(v, "v1 (approved) → v2 (approved)") || !strings.Contains(v, "2 controls changed") ||
		!strings.Contains(v, "A.5.3") || !strings.Contains(v, "A.7.4") || !strings.Contains(v, "none → contractual") {
		t.Fatalf("diff v1 → v2:\n%s", v)
	}
	f.press("esc")
	if f.model().diff != nil || f.host.Back {
		t.Fatal("esc in the changes left the screen instead of going back to the versions")
	}
	// Marked comparison: the current draft against v1 (no change since v2, two since v1).
	f.press("G", "m", "g", "enter")
	if v := f.view(); !strings.Contains(v, "v1 (approved) → the current draft") || !strings.Contains(v, "2 controls changed") {
		t.Fatalf("marked diff:\n%s", v)
	}
	f.press("esc", "esc")
	if !f.host.Back {
		t.Error("esc on the versions does not go back")
	}
	if _, problem, err := f.s.VerifyChain(ctx); err != nil || problem != nil {
		t.Errorf("chain: %+v %v", problem, err)
	}
}

func TestWithdrawDraft(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 120, 40, catalogs.ISO42001)
	f.press("d")
	if !strings.Contains(f.host.Status, "no draft to withdraw") {
		t.Errorf("withdraw without a draft: %q", f.host.Status)
	}
	f.press("i", "ctrl+s")
	if vs, _ := f.s.SoAVersions(ctx, f.e.ID, catalogs.ISO42001); len(vs) != 1 || vs[0].ChangeSummary != "First issue." {
		t.Fatalf("v1: %+v", vs)
	}
	f.press("d", "y")
	if vs, _ := f.s.SoAVersions(ctx, f.e.ID, catalogs.ISO42001); len(vs) != 0 {
		t.Fatalf("the draft is still there: %+v", vs)
	}
}

// TestRandomKeys presses seeded random keys and pastes over the screen and its dialogs:
// nothing panics, every frame fits, and the workspace passes its checks.
func TestRandomKeys(t *testing.T) {
	n := 1500
	if testing.Short() {
		n = 300
	}
	special := []string{"enter", "esc", "tab", "up", "down", "left", "right", "space", "backspace", "ctrl+s", "pgdown", "pgup", "home", "end"}
	letters := strings.Split("iadmrjkgGqyn0123456789 tDV?", "")
	pastes := []string{"", "Daniel Okafor", "line one\nline two", "\x1b[31mred\x1b[0m", strings.Repeat("long ", 300), "2026-13-45"}
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			f := newFixture(t, 80+int(seed)*20, 24+int(seed)*8, catalogs.ISO27001)
			rng := rand.New(rand.NewPCG(seed, 7))
			for i := range n {
				var msg tea.Msg
				switch r := rng.IntN(100); {
				case r < 4:
					msg = tea.PasteMsg{Content: pastes[rng.IntN(len(pastes))]}
				case r < 50:
					msg = tuitest.Key(special[rng.IntN(len(special))])
				default:
					msg = tuitest.Key(letters[rng.IntN(len(letters))])
				}
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Fatalf("seed %d key %d (%v): panic %v", seed, i, msg, p)
						}
					}()
					f.host.Back = false
					f.host.Send(msg)
					if i%20 == 0 {
						for j, l := range strings.Split(f.host.Screen.View(), "\n") {
							if j >= f.h || ansi.StringWidth(l) > f.w {
								t.Fatalf("line %d does not fit %dx%d: %q", j, f.w, f.h, ansi.Strip(l))
							}
						}
					}
				}()
			}
			ctx := context.Background()
			if res, err := f.s.IntegrityCheck(ctx); err != nil || res != "ok" {
				t.Fatalf("integrity: %q %v", res, err)
			}
			if _, problem, err := f.s.VerifyChain(ctx); err != nil || problem != nil {
				t.Fatalf("chain: %+v %v", problem, err)
			}
			vs, _ := f.s.SoAVersions(ctx, f.e.ID, catalogs.ISO27001)
			t.Logf("seed %d: %d versions", seed, len(vs))
		})
	}
}
