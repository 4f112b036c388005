package risks

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/tuitest"
)

// TestRandomKeys presses thousands of seeded random keys and pastes over the tab, its
// forms, pick lists, heat map, matrix settings and dialogs: nothing panics, every frame
// fits the area, and the workspace passes its integrity and chain checks afterwards.
func TestRandomKeys(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 600
	}
	special := []string{"enter", "esc", "tab", "shift+tab", "up", "down", "left", "right", "space", "backspace",
		"ctrl+s", "pgdown", "pgup", "home", "end", "ctrl+u", "ctrl+n", "ctrl+p"}
	letters := strings.Split("abcdefghijklmnopqrstuvwxyzACLOSRA0123456789/<>?:-+=.,_ yn", "")
	pastes := []string{"", "Tomás Silva", "line one\nline two\n", "\x1b[31mred\x1b[0m and \x07 bell", strings.Repeat("long ", 80),
		"A.5.15", "2026-13-45", "😀 wide ✓ text", "\t tabbed\r\n", strings.Repeat("x", 250)}
	for _, seed := range []uint64{1, 2, 3} {
		t.Run("seed"+itoa(int(seed)), func(t *testing.T) {
			f := newFixture(t, 80+int(seed)*20, 24+int(seed)*8, true)
			rng := rand.New(rand.NewPCG(seed, 42))
			for i := range n {
				var msg tea.Msg
				switch r := rng.IntN(100); {
				case r < 3:
					msg = tea.PasteMsg{Content: pastes[rng.IntN(len(pastes))]}
				case r < 45:
					msg = keyMsg(special[rng.IntN(len(special))])
				default:
					msg = keyMsg(letters[rng.IntN(len(letters))])
				}
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Fatalf("seed %d key %d (%v): panic %v\nview:\n%s", seed, i, msg, p, f.view())
						}
					}()
					f.run(func() tea.Msg { return msg })
					if i%25 == 0 {
						f.checkFits(t)
					}
				}()
			}
			ctx := context.Background()
			h, _ := f.s.Changes(ctx, store.ChangeFilter{})
			t.Logf("seed %d: %d risks, %d history rows, %d undo entries, last status %q", seed, len(f.stored()), len(h), f.c.Undo.Len(), f.status)
			tuitest.CheckWorkspace(t, f.s)
		})
	}
}

func (f *fixture) checkFits(t *testing.T) {
	t.Helper()
	v := f.tab.View()
	lines := strings.Split(v, "\n")
	if len(lines) > f.tab.height {
		t.Fatalf("%d lines in a height of %d:\n%s", len(lines), f.tab.height, ansi.Strip(v))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > f.tab.width {
			t.Fatalf("line %d is %d wide in %d: %q", i, w, f.tab.width, ansi.Strip(l))
		}
	}
	if d := f.dialogView(); d != "" {
		for _, l := range strings.Split(d, "\n") {
			if w := ansi.StringWidth(l); w > f.tab.width {
				t.Fatalf("dialog line %d wide in %d: %q", w, f.tab.width, l)
			}
		}
	}
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}
