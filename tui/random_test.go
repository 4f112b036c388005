package tui

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/tui/engagement"
	"github.com/annex-grc/annex/tui/tuitest"
)

// randomKeys are what a person might press anywhere: letters, digits, navigation, the
// form and dialog keys. ctrl+c is left out (it quits); everything else is fair.
var randomKeys = func() []string {
	keys := []string{"enter", "esc", "tab", "shift+tab", "up", "down", "space", "backspace",
		"ctrl+s", "ctrl+n", "ctrl+p", "ctrl+u", "ctrl+d", "/", "?", ":", "[", "]", "left", "right", "pgup", "pgdown"}
	for _, r := range "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.,;'" {
		keys = append(keys, string(r))
	}
	return keys
}()

var randomPastes = []string{
	"pasted \x1b]0;pwned\x07 title \x1b[31mred\x1b[0m",
	"Ünïcödé — Łukasz Jiří Δοκιμή Проверка 東京",
	"line one\nline two\r\nline three",
	"2027-02-30",
	strings.Repeat("long paste ", 400),
	"",
}

// pressRandom sends n random keys (and the odd paste) to the app, drawing after each, and
// fails on a panic with the seed and the last keys.
func pressRandom(t *testing.T, h *harness, rng *rand.Rand, n int, avoid map[string]bool) {
	t.Helper()
	t.Chdir(t.TempDir()) // a pack exported under a relative name lands here, not in the source tree
	var last []string
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic %v after keys %q\n%s", r, last, debug.Stack())
		}
	}()
	for i := 0; i < n; i++ {
		var msg tea.Msg
		var name string
		if rng.IntN(40) == 0 {
			p := randomPastes[rng.IntN(len(randomPastes))]
			msg, name = tea.PasteMsg{Content: p}, "paste"
		} else {
			name = randomKeys[rng.IntN(len(randomKeys))]
			if avoid[name] {
				continue
			}
			msg = tuitest.Key(name)
		}
		last = append(last, name)
		if len(last) > 30 {
			last = last[1:]
		}
		h.send(msg)
		_ = h.app.render()
		if i%97 == 0 {
			h.send(tea.WindowSizeMsg{Width: 80 + rng.IntN(60), Height: 24 + rng.IntN(20)})
		}
	}
}

// TestRandomKeysOnEveryScreen: seeded random keys on the home screen (empty and with the
// demo) and on every tab of the demo engagement find no panic, and leave a workspace whose
// file and history check out.
func TestRandomKeysOnEveryScreen(t *testing.T) {
	// Commands that wait (cursor blinks, timers) are dropped after a short while here.
	defer func(w time.Duration) { tuitest.Wait = w }(tuitest.Wait)
	tuitest.Wait = 30 * time.Millisecond
	keysPerScreen := 1000
	if testing.Short() {
		keysPerScreen = 300
	}
	// Longer campaigns by hand: ANNEX_RANDOM_KEYS=5000 ANNEX_RANDOM_SEED=42 go test -run TestRandomKeys ./tui/
	if n, err := strconv.Atoi(os.Getenv("ANNEX_RANDOM_KEYS")); err == nil && n > 0 {
		keysPerScreen = n
	}
	var base uint64
	if n, err := strconv.ParseUint(os.Getenv("ANNEX_RANDOM_SEED"), 10, 64); err == nil {
		base = n
		t.Logf("seed base %d", base)
	}
	t.Run("home-empty", func(t *testing.T) {
		h := newHarness(t, 100, 30, false)
		pressRandom(t, h, rand.New(rand.NewPCG(base+1, 1)), keysPerScreen, map[string]bool{"D": true})
		tuitest.CheckWorkspace(t, h.s)
	})
	probe := newHarness(t, 120, 40, true)
	probe.keys("enter")
	eng := probe.app.top().(*engagement.Model)
	var titles []string
	for i := 0; ; i++ {
		titles = append(titles, eng.ActiveTab().Title())
		probe.keys("]")
		if eng.ActiveTab().Title() == titles[0] || i > 20 {
			break
		}
	}
	for i, title := range titles {
		t.Run(fmt.Sprintf("tab-%s", strings.ReplaceAll(title, " ", "-")), func(t *testing.T) {
			h := newHarness(t, 120, 40, true)
			h.keys("enter")
			e := h.app.top().(*engagement.Model)
			h.run(must(e.SelectTab(title)))
			// Leaving the engagement or adding demos is part of the walk, but rarely.
			avoid := map[string]bool{"D": true}
			pressRandom(t, h, rand.New(rand.NewPCG(base+uint64(i+2), 7)), keysPerScreen, avoid)
			tuitest.CheckWorkspace(t, h.s)
		})
	}
}

func must(cmd tea.Cmd, ok bool) tea.Cmd {
	if !ok {
		panic("no such tab")
	}
	return cmd
}
