package engagement

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/tuitest"
)

func newScreen(t *testing.T) *Model {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "ws.db"), store.Options{Author: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Northwind", Standards: []string{catalogs.ISO27001}})
	if err != nil {
		t.Fatal(err)
	}
	c := &common.Common{Ctx: ctx, Store: s, Catalogs: catalogs.MustBuiltin(), Styles: common.NewStyles(true), Keys: common.DefaultKeyMap(),
		Width: 80, Height: 24, Now: time.Now, NoTimers: true, Undo: &common.UndoStack{}, Prefs: &common.Prefs{Advance: true}}
	m := New(c, e)
	m.SetSize(80, 22)
	return m
}

func (m *Model) press(k string) tea.Cmd {
	_, cmd := m.Update(tuitest.Key(k))
	return cmd
}

// The tab bar's keys are bindings: ] and [ switch, q leaves, each listed once, and a tab
// holding the keyboard (the Export options being edited) gets them as text.
func TestTabKeysAndHelp(t *testing.T) {
	m := newScreen(t)
	seen := map[string]int{}
	for _, g := range m.KeyMap().FullHelp() {
		for _, b := range g {
			seen[b.Help().Key]++
		}
	}
	for _, k := range []string{"]", "[", "q"} {
		if seen[k] != 1 {
			t.Errorf("full help lists %q %d times, want once", k, seen[k])
		}
	}
	for _, l := range strings.Split(ansi.Strip(common.FullHelp(m.c.Styles, m.KeyMap().FullHelp(), 80)), "\n") {
		if ansi.StringWidth(l) > 80 {
			t.Errorf("full help line wider than 80: %q", l)
		}
	}
	if !strings.Contains(ansi.Strip(m.View()), "[ ] switch") {
		t.Errorf("the tab bar does not say how to switch:\n%s", ansi.Strip(m.View()))
	}
	// Go to the Export tab with [ (it wraps to the last tab).
	m.press("[")
	if m.ActiveTab().Title() != "Export" {
		t.Fatalf("[ from the first tab shows %q", m.ActiveTab().Title())
	}
	m.press("e") // edit the options: the tab holds the keyboard
	if !m.Capturing() {
		t.Fatal("editing the export options does not hold the keyboard")
	}
	m.press("]")
	if m.ActiveTab().Title() != "Export" {
		t.Fatal("] switched tabs while the options were edited")
	}
	if cmd := m.press("q"); cmd != nil {
		if _, back := cmd().(common.BackMsg); back {
			t.Fatal("q left the engagement while the options were edited")
		}
	}
}
