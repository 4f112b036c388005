package home

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/store/demo"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/tuitest"
)

var fixedNow = time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC)

// harness is the home screen under a small stand-in for the root: it keeps the dialog
// stack (keys go to the front dialog first), delivers addressed results, and records the
// status line and the screens home asks for.
type harness struct {
	t       *testing.T
	m       *Model
	s       *store.Store
	c       *common.Common
	w, h    int
	dialogs common.Dialogs // the root's own stack type
	status  string
	isErr   bool
	opened  []assessments.Engagement
	backs   int
	infos   int
}

func openStore(t testing.TB) *store.Store {
	t.Helper()
	dir := t.TempDir()
	s, err := store.Open(context.Background(), filepath.Join(dir, "ws.db"), store.Options{Author: "tester", Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func addDemo(t testing.TB, s *store.Store) assessments.Engagement {
	t.Helper()
	e, err := demo.Create(context.Background(), s, catalogs.MustBuiltin(), demo.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func newCommon(s *store.Store, w, h int) *common.Common {
	return &common.Common{Ctx: context.Background(), Store: s, Catalogs: catalogs.MustBuiltin(), Styles: common.NewStyles(true),
		Keys: common.DefaultKeyMap(), Width: w, Height: h, Now: func() time.Time { return fixedNow }, NoTimers: true,
		Undo: &common.UndoStack{}, Prefs: &common.Prefs{Advance: true}}
}

// newHarness opens home on s at w×h (the body the root gives it is two lines shorter).
func newHarness(t *testing.T, s *store.Store, w, h int) *harness {
	t.Helper()
	t.Setenv("HOME", filepath.Dir(s.Path())) // the header shows the workspace as ~/ws.db
	c := newCommon(s, w, h)
	hs := &harness{t: t, m: New(c), s: s, c: c, w: w, h: h}
	hs.m.SetSize(w, h-2)
	hs.run(hs.m.Init())
	return hs
}

func (h *harness) envelope(env common.Envelope) tea.Cmd { return h.update(env) }

func (h *harness) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.OpenDialogMsg:
		return h.dialogs.Open(msg.Dialog)
	case common.CloseDialogMsg:
		h.dialogs.Close(msg.ID)
		return nil
	case common.Envelope:
		if cmd, ok := h.dialogs.Deliver(msg, h.envelope); ok {
			return cmd
		}
		if msg.To != Address {
			h.t.Errorf("a result for %q reached the home screen's harness", msg.To)
			return nil
		}
		_, cmd := h.m.Update(msg.Msg)
		return cmd
	case common.InfoMsg:
		h.status, h.isErr = msg.Text, false
		h.infos++
		return nil
	case common.ErrMsg:
		h.status, h.isErr = msg.Err.Error(), true
		return nil
	case common.OpenEngagementMsg:
		h.opened = append(h.opened, msg.Engagement)
		h.status = "" // the root clears the status line when a screen opens
		return nil
	case common.BackMsg:
		h.backs++
		return nil
	case common.ToggleHelpMsg:
		return nil
	case tea.KeyPressMsg, tea.PasteMsg:
		if h.dialogs.Len() > 0 {
			return h.dialogs.Input(msg, h.envelope)
		}
	}
	_, cmd := h.m.Update(msg)
	return cmd
}

func (h *harness) run(cmd tea.Cmd) { tuitest.Run(h.update, cmd) }

// keys presses each key and draws the screen after it, as the program does.
func (h *harness) keys(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.run(h.update(tuitest.Key(k)))
		_ = h.screen()
	}
}

func (h *harness) typeText(s string) {
	for _, k := range tuitest.Keys(s) {
		h.run(h.update(k))
		_ = h.screen()
	}
}

func (h *harness) paste(s string) {
	h.run(h.update(tea.PasteMsg{Content: s}))
	_ = h.screen()
}

func (h *harness) dialog() common.Dialog {
	if h.dialogs.Len() == 0 {
		return nil
	}
	return h.dialogs.Front()
}

// screen draws what the root would: the body, a dialog over it, the status line and the
// short help with the root's "? all keys".
func (h *harness) screen() string {
	body := strings.Split(h.m.View(), "\n")
	for len(body) < h.h-2 {
		body = append(body, "")
	}
	body = body[:h.h-2]
	if d := h.dialog(); d != nil {
		box := strings.Split(d.View(h.w, h.h-2), "\n")
		for i, l := range box {
			if 2+i < len(body) {
				body[2+i] = l
			}
		}
	}
	km := h.m.KeyMap()
	if d := h.dialog(); d != nil {
		km = d.KeyMap()
	}
	hm := help.New()
	hm.SetWidth(h.w)
	status := ""
	if h.status != "" {
		status = common.Truncate("✓ "+h.status, h.w)
	}
	return tuitest.Plain(strings.Join(body, "\n") + "\n" + status + "\n" + hm.ShortHelpView(append(km.ShortHelp(), h.c.Keys.Help)))
}

func (h *harness) engagements() []assessments.Engagement {
	h.t.Helper()
	engs, err := h.s.Engagements(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return engs
}
