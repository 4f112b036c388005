package home

import (
	"charm.land/bubbles/v2/key"

	"github.com/annex-grc/annex/tui/common"
)

// keyMap is the home screen's keys; the same bindings drive handling and help.
type keyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Open, New, Edit, Delete, Demo         key.Binding
	Filter, ClearFilter, Quit             key.Binding
	// While the filter is typed.
	FilterDone, FilterCancel, FilterUp, FilterDown key.Binding
}

func newKeyMap(k common.KeyMap) keyMap {
	return keyMap{
		Up: k.Up, Down: k.Down, PageUp: k.PageUp, PageDown: k.PageDown, Home: k.Home, End: k.End,
		Open:   k.Open,
		New:    k.New,
		Edit:   k.Edit,
		Delete: k.Delete,
		Demo:   key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "add the demo")),
		Filter: k.Filter,
		// esc clears a kept filter; with no filter it does nothing here (it never quits).
		ClearFilter:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Quit:         key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		FilterDone:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
		FilterCancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		FilterUp:     key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "up")),
		FilterDown:   key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "down")),
	}
}
