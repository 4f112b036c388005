// Package dialog holds the dialogs the root draws above the screens (see common.Dialog):
// a yes/no confirmation, a text prompt, a form in a box, and the jump box. Each names what
// it acts on in its title and reports the user's choice to its owner as an addressed
// message; esc closes any of them with no side effect. InPlace is a field typed in place in
// a screen that saves on its own and asks through the conflict dialog when its save meets
// another process's change.
package dialog

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"github.com/annex-grc/annex/tui/common"
)

// Keys shared by the dialogs.
var (
	keyConfirm = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm"))
	keySave    = key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save"))
	keyCancel  = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	keyYes     = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes"))
	keyNo      = key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "no"))
	keyDown    = key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down"))
	keyUp      = key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up"))
)

// box draws a dialog: a bordered box with a title line and a body, at most width × height.
func box(st *common.Styles, title, body string, width, height int) string {
	inner := max(10, width-4)
	lines := []string{st.Title.Render(common.Truncate(title, inner))}
	for _, l := range strings.Split(body, "\n") {
		lines = append(lines, common.Truncate(l, inner))
	}
	if len(lines) > height-2 && height > 3 {
		lines = lines[:height-2]
	}
	return st.FocusedBorder.Padding(0, 1).Render(strings.Join(lines, "\n"))
}

// Box draws the frame of a dialog defined in another package, as the dialogs here are
// drawn: a bordered box with a title line and a body, at most width × height.
func Box(st *common.Styles, title, body string, width, height int) string {
	return box(st, title, body, width, height)
}

// Width is the width a dialog takes in a screen of w columns.
func Width(w int) int { return max(30, min(w-4, 76)) }

func wrap(s string, w int) string {
	return lipgloss.Wrap(common.Inert(s), max(w, 10), " ")
}

func itoa(n int) string { return strconv.Itoa(n) }
