package risks

import (
	"charm.land/bubbles/v2/key"

	"github.com/annex-grc/annex/tui/common"
)

// keyMap is the risk register's bindings.
type keyMap struct {
	common.KeyMap
	Sort, Reverse                  key.Binding
	Scope, Status, Owner, LevelKey key.Binding
	ClearFilters                   key.Binding
	HeatMap, Inherent, Matrix      key.Binding
	Save, NextField, PrevField     key.Binding
	Choose, Pick, Toggle, Done     key.Binding
	Yes, No                        key.Binding
}

func newKeyMap(base common.KeyMap) keyMap {
	return keyMap{
		KeyMap:       base,
		Sort:         key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort column")),
		Reverse:      key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "reverse sort")),
		Scope:        key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "scope filter")),
		Status:       key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "status filter")),
		Owner:        key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "owner filter")),
		LevelKey:     key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "level filter")),
		ClearFilters: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "clear filters")),
		HeatMap:      key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "heat map")),
		Inherent:     key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "inherent/residual")),
		Matrix:       key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "matrix settings")),
		Save:         key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),
		NextField:    key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevField:    key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Choose:       key.NewBinding(key.WithKeys("left", "right", "space"), key.WithHelp("←/→", "choose")),
		Pick:         key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "pick list")),
		Toggle:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "select/unselect")),
		Done:         key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "done")),
		Yes:          key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
		No:           key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "no")),
	}
}

func (m *Model) helpMap() common.HelpMap {
	k := m.keys
	back := key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "back"))
	switch {
	case m.confirm != nil:
		return common.HelpMap{Short: []key.Binding{k.Yes, k.No}, Full: [][]key.Binding{{k.Yes, k.No}}}
	case m.form != nil && m.form.picker != nil:
		typeHelp := key.NewBinding(key.WithKeys("/"), key.WithHelp("type", "filter"))
		return common.HelpMap{Short: []key.Binding{typeHelp, k.Toggle, k.Up, k.Down, k.Done},
			Full: [][]key.Binding{{typeHelp, k.Toggle, k.Up, k.Down, k.Done}}}
	case m.form != nil:
		cancel := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
		return common.HelpMap{Short: []key.Binding{k.Save, k.NextField, k.PrevField, k.Choose, k.Pick, cancel},
			Full: [][]key.Binding{{k.Save, cancel}, {k.NextField, k.PrevField}, {k.Choose, k.Pick}}}
	case m.settings != nil && m.settings.preview != nil:
		scroll := key.NewBinding(key.WithKeys("j", "k"), key.WithHelp("j/k", "scroll"))
		apply := key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "apply"))
		return common.HelpMap{Short: []key.Binding{apply, k.No, scroll}, Full: [][]key.Binding{{apply, k.No, scroll}}}
	case m.settings != nil:
		cancel := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
		return common.HelpMap{Short: []key.Binding{k.Save, k.NextField, k.PrevField, k.Choose, cancel},
			Full: [][]key.Binding{{k.Save, cancel}, {k.NextField, k.PrevField, k.Choose}}}
	case m.view == viewCell:
		return common.HelpMap{Short: []key.Binding{k.Up, k.Down, k.Open, back},
			Full: [][]key.Binding{{k.Up, k.Down, k.Open, back}}}
	case m.view == viewHeat:
		move := key.NewBinding(key.WithKeys("left", "right", "up", "down"), key.WithHelp("←↑↓→", "cell"))
		open := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "list risks"))
		return common.HelpMap{Short: []key.Binding{move, open, k.Inherent, k.Matrix, back},
			Full: [][]key.Binding{{move, open}, {k.Inherent, k.Matrix, back}}}
	case m.filtering:
		done := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter"))
		clear := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear"))
		return common.HelpMap{Short: []key.Binding{done, clear}, Full: [][]key.Binding{{done, clear}}}
	}
	return common.HelpMap{
		Short: []key.Binding{k.New, k.Edit, k.Delete, k.Filter, k.Sort, k.HeatMap, k.Matrix, k.Back},
		Full: [][]key.Binding{
			{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
			{k.New, k.Edit, k.Open, k.Delete},
			{k.Filter, k.Scope, k.Status, k.Owner, k.LevelKey, k.ClearFilters},
			{k.Sort, k.Reverse, k.HeatMap, k.Matrix},
			{k.NextTab, k.PrevTab, k.Back, k.Quit},
		},
	}
}
