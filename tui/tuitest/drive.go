// Package tuitest drives bubbletea models in tests without a terminal: it runs the commands
// a model returns and feeds their messages back, dropping commands that wait (ticks).
package tuitest

import (
	"reflect"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Wait is how long a command may run before it is treated as a timer and dropped.
var Wait = 500 * time.Millisecond

// Run executes cmd and every command that follows from the messages it produces, applying
// each message to update. It returns the messages delivered, for assertions.
func Run(update func(tea.Msg) tea.Cmd, cmd tea.Cmd) []tea.Msg {
	var delivered []tea.Msg
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0 && steps < 10000; steps++ {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg, ok := exec(c)
		if !ok || msg == nil {
			continue
		}
		switch m := msg.(type) {
		case tea.BatchMsg:
			queue = append(queue, m...)
			continue
		}
		if isSequence(msg) {
			for _, sc := range sequenceCmds(msg) {
				queue = append(queue, sc)
			}
			continue
		}
		if _, quit := msg.(tea.QuitMsg); quit {
			delivered = append(delivered, msg)
			continue
		}
		delivered = append(delivered, msg)
		queue = append(queue, update(msg))
	}
	return delivered
}

func exec(c tea.Cmd) (tea.Msg, bool) {
	ch := make(chan tea.Msg, 1)
	go func() { ch <- c() }()
	select {
	case m := <-ch:
		return m, true
	case <-time.After(Wait):
		return nil, false
	}
}

// bubbletea's sequenceMsg is unexported; reach its commands by reflection.
func isSequence(msg tea.Msg) bool {
	t := reflect.TypeOf(msg)
	return t != nil && t.Kind() == reflect.Slice && strings.HasSuffix(t.String(), "sequenceMsg")
}

func sequenceCmds(msg tea.Msg) []tea.Cmd {
	v := reflect.ValueOf(msg)
	out := make([]tea.Cmd, 0, v.Len())
	for i := 0; i < v.Len(); i++ {
		if c, ok := v.Index(i).Interface().(tea.Cmd); ok {
			out = append(out, c)
		}
	}
	return out
}

// Key builds a key press from a key name as msg.String() prints it ("j", "enter", "ctrl+s").
func Key(s string) tea.KeyPressMsg {
	if rest, ok := strings.CutPrefix(s, "alt+"); ok && len(rest) > 0 {
		k := Key(rest)
		k.Mod |= tea.ModAlt
		k.Text = ""
		return k
	}
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "delete":
		return tea.KeyPressMsg{Code: tea.KeyDelete}
	}
	if strings.HasPrefix(s, "ctrl+") {
		return tea.KeyPressMsg{Code: rune(s[5]), Mod: tea.ModCtrl}
	}
	r := []rune(s)
	if len(r) == 1 && r[0] >= 'A' && r[0] <= 'Z' {
		return tea.KeyPressMsg{Code: r[0] + ('a' - 'A'), ShiftedCode: r[0], Text: s, Mod: tea.ModShift}
	}
	return tea.KeyPressMsg{Code: r[0], Text: s}
}

// Keys are key presses for each rune of a typed text.
func Keys(text string) []tea.KeyPressMsg {
	var out []tea.KeyPressMsg
	for _, r := range text {
		if r == '\n' {
			out = append(out, Key("enter"))
			continue
		}
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

// Plain strips styling from a view for golden files and assertions.
func Plain(s string) string {
	lines := strings.Split(ansi.Strip(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}
