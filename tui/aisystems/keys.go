package aisystems

import (
	"charm.land/bubbles/v2/key"

	"github.com/annex-grc/annex/tui/common"
)

// keyMap is the AI systems tab's bindings.
type keyMap struct {
	common.KeyMap
	Assess, ReAssess, RaiseRisk     key.Binding
	NextStep, PrevStep, Leave       key.Binding
	NextField, PrevField, Choose    key.Binding
	Yes, No, Close, Left, Right     key.Binding
	StepUp, StepDown, ReadOnlyClose key.Binding
}

func newKeyMap(base common.KeyMap) keyMap {
	return keyMap{
		KeyMap:        base,
		Assess:        key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "assess")),
		ReAssess:      key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "re-assess")),
		RaiseRisk:     key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "raise risk")),
		NextStep:      key.NewBinding(key.WithKeys("pgdown", "ctrl+n"), key.WithHelp("pgdn", "next step")),
		PrevStep:      key.NewBinding(key.WithKeys("pgup", "ctrl+p"), key.WithHelp("pgup", "previous step")),
		Leave:         key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "save and leave")),
		NextField:     key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevField:     key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Choose:        key.NewBinding(key.WithKeys("left", "right", "space"), key.WithHelp("←/→", "choose")),
		Yes:           key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y/enter", "yes")),
		No:            key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "no")),
		Close:         key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "back")),
		Left:          key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←", "previous")),
		Right:         key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→", "next")),
		StepUp:        key.NewBinding(key.WithKeys("up", "k", "shift+tab"), key.WithHelp("↑/k", "up")),
		StepDown:      key.NewBinding(key.WithKeys("down", "j", "tab"), key.WithHelp("↓/j", "down")),
		ReadOnlyClose: key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "close")),
	}
}
