package audits

import (
	"math/rand/v2"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/tui/tuitest"
)

// TestRandomKeysInTheTab: seeded random keys and pastes on every view of the Audits tab
// (programme, checklist, findings, forms, dialogs) find no panic, and leave a workspace
// whose file and history check out. The root's walk (tui/random_test.go) leaves the tab at
// the first q; this one stays in it.
func TestRandomKeysInTheTab(t *testing.T) {
	defer func(w time.Duration) { tuitest.Wait = w }(tuitest.Wait)
	tuitest.Wait = 30 * time.Millisecond
	keys := []string{"enter", "esc", "tab", "shift+tab", "up", "down", "space", "backspace", "ctrl+s", "ctrl+n", "ctrl+p",
		"/", "?", "[", "]", "left", "right", "pgup", "pgdown", ">", "<"}
	for _, r := range "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.,;'" {
		keys = append(keys, string(r))
	}
	pastes := []string{"pasted \x1b]0;pwned\x07 title \x1b[31mred\x1b[0m", "Ünïcödé — Łukasz 東京", "line one\nline two", "2027-02-30",
		strings.Repeat("long paste ", 300), "42001 8, 27001 A.8.25-A.8.29"}
	n := 2500
	if testing.Short() {
		n = 600
	}
	visited := map[mode]int{}
	// Seeds 1 to 3 start on the programme with every key; 4 to 6 start in the checklist and
	// leave out the keys that open forms (which random keys seldom leave), to walk it.
	for seed := uint64(1); seed <= 6; seed++ {
		f := newFixture(t, 100+int(seed)*10, 30+int(seed)*3)
		rng := rand.New(rand.NewPCG(seed, 11))
		avoid := map[string]bool{}
		if seed > 3 {
			f.press("enter")
			avoid = map[string]bool{"n": true, "e": true, "p": true, "V": true, "d": true}
		}
		var last []string
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("seed %d: panic %v after %q\n%s", seed, r, last, debug.Stack())
				}
			}()
			for i := 0; i < n; i++ {
				var msg tea.Msg
				name := "paste"
				if rng.IntN(40) == 0 {
					msg = tea.PasteMsg{Content: pastes[rng.IntN(len(pastes))]}
				} else {
					name = keys[rng.IntN(len(keys))]
					if avoid[name] {
						continue
					}
					msg = tuitest.Key(name)
				}
				last = append(last, name)
				if len(last) > 30 {
					last = last[1:]
				}
				f.host.Send(msg)
				_ = f.view()
				visited[f.tab.mode]++
				if i%97 == 0 {
					w, h := 80+rng.IntN(60), 24+rng.IntN(20)
					f.w, f.h = w, h
					f.tab.SetSize(w, h)
				}
			}
		}()
		f.checkWorkspace()
	}
	for _, md := range []mode{modeProgramme, modeWalk, modeFindings, modeForm} {
		if visited[md] == 0 {
			t.Errorf("the walk never reached mode %d (%v)", md, visited)
		}
	}
	t.Logf("keys per view: %v", visited)
}
