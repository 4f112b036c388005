package risks

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"

	"github.com/annex-grc/annex/tui/common"
)

// keyMap is every key of the tab; the same bindings drive the handling and the help.
type keyMap struct {
	common.KeyMap
	// register
	Accept                     key.Binding
	ClearFilter                key.Binding
	Status, StatusBack         key.Binding
	Scope, ScopeBack           key.Binding
	Owner, OwnerBack           key.Binding
	Level, LevelBack           key.Binding
	SortNext, SortPrev, Invert key.Binding
	HeatMap, Matrix            key.Binding
	Plan, ClosePlan            key.Binding
	// filter input
	KeepFilter, LeaveFilter key.Binding
	// heat map and its cell list
	CellUp, CellDown, CellLeft, CellRight key.Binding
	Mode, ListCell, Close                 key.Binding
	// matrix rescale preview
	Apply, NoApply key.Binding
	// help inside sub-views that hold the keyboard
	AllKeys key.Binding
}

func newKeyMap(base common.KeyMap) keyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	k := keyMap{
		KeyMap:      base,
		Accept:      b([]string{"A"}, "A", "accept residual…"),
		ClearFilter: b([]string{"esc"}, "esc", "clear filters"),
		Status:      b([]string{"s"}, "s", "status filter"),
		StatusBack:  b([]string{"S"}, "S", "status filter back"),
		Scope:       b([]string{"c"}, "c", "scope filter"),
		ScopeBack:   b([]string{"C"}, "C", "scope filter back"),
		Owner:       b([]string{"o"}, "o", "owner filter"),
		OwnerBack:   b([]string{"O"}, "O", "owner filter back"),
		Level:       b([]string{"l"}, "l", "residual level filter"),
		LevelBack:   b([]string{"L"}, "L", "level filter back"),
		SortNext:    b([]string{">"}, ">", "sort by next column"),
		SortPrev:    b([]string{"<"}, "<", "sort by previous column"),
		Invert:      b([]string{"r"}, "r", "reverse order"),
		HeatMap:     b([]string{"h"}, "h", "heat map"),
		Matrix:      b([]string{"m"}, "m", "matrix settings"),
		Plan:        b([]string{"p"}, "p", "treatment plan"),
		ClosePlan:   b([]string{"esc", "q"}, "esc", "back to the register"),
		KeepFilter:  b([]string{"enter", "tab"}, "enter", "keep filter"),
		LeaveFilter: b([]string{"up", "down"}, "↑/↓", "keep filter and move"),
		CellUp:      b([]string{"up", "k"}, "↑", "likelihood up"),
		CellDown:    b([]string{"down", "j"}, "↓", "likelihood down"),
		CellLeft:    b([]string{"left"}, "←", "consequence down"),
		CellRight:   b([]string{"right"}, "→", "consequence up"),
		Mode:        b([]string{"i"}, "i", "inherent/residual"),
		ListCell:    b([]string{"enter"}, "enter", "list the cell's risks"),
		Close:       b([]string{"esc", "q", "h"}, "esc", "back to the register"),
		Apply:       b([]string{"y"}, "y", "apply and rescale"),
		NoApply:     b([]string{"n", "esc"}, "n", "back to the matrix"),
		AllKeys:     base.Help,
	}
	k.Edit = b([]string{"e", "enter"}, "enter/e", "edit")
	k.New = b([]string{"n"}, "n", "new risk")
	k.Delete = b([]string{"d"}, "d", "delete…")
	k.Filter = b([]string{"/"}, "/", "filter")
	return k
}

func (m *Model) helpMap() help.KeyMap {
	k := m.keys
	switch {
	case m.form != nil:
		return m.form.f.KeyMap()
	case m.settings != nil && m.settings.preview != nil:
		scroll := key.NewBinding(key.WithKeys("down", "up"), key.WithHelp("↑/↓", "scroll"))
		return common.HelpMap{Short: []key.Binding{k.Apply, k.NoApply, scroll}, Full: [][]key.Binding{{k.Apply, k.NoApply, scroll}}}
	case m.settings != nil:
		return m.settings.f.KeyMap()
	case m.plan != nil && m.plan.form != nil:
		return m.plan.form.f.KeyMap()
	case m.plan != nil:
		b := []key.Binding{withHelp(k.New, "n", "new action"), withHelp(k.Edit, "enter/e", "edit"), withHelp(k.Delete, "d", "delete…"),
			k.Up, k.Down, k.ClosePlan}
		return common.HelpMap{Short: b, Full: [][]key.Binding{b, {k.AllKeys}}}
	case m.view == viewCell:
		open := withHelp(k.Edit, "enter/e", "edit")
		back := withHelp(k.Close, "esc", "back to the heat map")
		b := []key.Binding{open, k.Accept, k.Up, k.Down, back}
		return common.HelpMap{Short: b, Full: [][]key.Binding{b, {k.AllKeys}}}
	case m.view == viewHeat:
		move := key.NewBinding(key.WithKeys("up", "down", "left", "right"), key.WithHelp("←↑↓→", "cell"))
		return common.HelpMap{Short: []key.Binding{move, withHelp(k.ListCell, "enter", "list"), withHelp(k.Mode, "i", "inherent/residual"),
			withHelp(k.Matrix, "m", "matrix"), withHelp(k.Close, "esc", "back")},
			Full: [][]key.Binding{{k.CellUp, k.CellDown, k.CellLeft, k.CellRight}, {k.ListCell, k.Mode, k.Matrix, k.Close, k.AllKeys}}}
	case m.filtering:
		clear := withHelp(k.ClearFilter, "esc", "clear")
		return common.HelpMap{Short: []key.Binding{k.KeepFilter, clear}, Full: [][]key.Binding{{k.KeepFilter, clear}}}
	}
	// The short help is one line: the same keys, shorter words.
	short := []key.Binding{withHelp(k.Edit, "enter", "edit"), withHelp(k.New, "n", "new"), withHelp(k.Plan, "p", "plan"), withHelp(k.Accept, "A", "accept…"),
		k.Delete, k.Filter, withHelp(k.Status, "s", "status"), k.HeatMap, withHelp(k.Matrix, "m", "matrix")}
	if m.filterActive() {
		short = append([]key.Binding{k.ClearFilter}, short...)
	}
	return common.HelpMap{
		Short: short,
		Full: [][]key.Binding{
			{k.Edit, k.New, k.Plan, k.Accept, k.Delete},
			{k.Filter, k.ClearFilter, k.Status, k.StatusBack, k.Scope, k.ScopeBack, k.Owner, k.OwnerBack, k.Level, k.LevelBack},
			{k.SortNext, k.SortPrev, k.Invert, k.HeatMap, k.Matrix},
			{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
			{k.NextTab, k.PrevTab, withKeys(k.Back, "q")},
		},
	}
}

// withKeys is a binding shown in the help with only some of its keys (esc has its own
// line there).
func withKeys(b key.Binding, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(b.Help().Key, b.Help().Desc))
}

func withHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}
