package evidence

import (
	"charm.land/bubbles/v2/key"

	"github.com/annex-grc/annex/tui/common"
)

// keyMap is the Evidence screen's bindings on top of the shared ones; the same bindings
// drive the handling and the help.
type keyMap struct {
	common.KeyMap
	// list
	State, StateBack key.Binding
	Order, Reverse   key.Binding
	ClearFilter      key.Binding
	KeepFilter       key.Binding
	Check            key.Binding
	Export           key.Binding
	Reattach         key.Binding
	// detail
	GotoLink   key.Binding
	LeaveTable key.Binding
	// attach dialog
	Attach, AddNew, Detach key.Binding
	PickUp, PickDown       key.Binding
	PickPgUp, PickPgDown   key.Binding
	Close                  key.Binding
}

func newKeyMap(base common.KeyMap) keyMap {
	return keyMap{
		KeyMap:      base,
		State:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s/S", "state filter")),
		StateBack:   key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "state filter back")),
		Order:       key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "order by")),
		Reverse:     key.NewBinding(key.WithKeys("O"), key.WithHelp("O", "reverse order")),
		ClearFilter: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		KeepFilter:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
		Check:       key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check files")),
		Export:      key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export kept copies")),
		Reattach:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "accept changed file")),
		GotoLink:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "go to requirement")),
		LeaveTable:  key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "back to the list")),
		Attach:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "attach")),
		AddNew:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "add new")),
		Detach:      key.NewBinding(key.WithKeys("ctrl+x"), key.WithHelp("ctrl+x", "detach")),
		PickUp:      key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up")),
		PickDown:    key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down")),
		PickPgUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PickPgDown:  key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Close:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
	}
}
