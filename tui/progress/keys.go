package progress

import (
	"charm.land/bubbles/v2/key"

	"github.com/annex-grc/annex/tui/common"
)

// BaselineKey freezes the engagement as a baseline; the engagement screen binds it in every
// tab (b is free in all of them).
var BaselineKey = key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "new baseline"))

// keyMap is the Progress tab's bindings; the same bindings drive handling and help.
type keyMap struct {
	common.KeyMap
	Compare, CompareNow  key.Binding
	AsOf, Cycle          key.Binding
	Regressions          key.Binding
	StepFilter, StepBack key.Binding
	FilterClear          key.Binding
	Baseline             key.Binding
	ScrollDown, ScrollUp key.Binding
}

func newKeyMap(base common.KeyMap) keyMap {
	return keyMap{
		KeyMap:      base,
		Compare:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "compare two points")),
		CompareNow:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "compare with now")),
		AsOf:        key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "as-of view")),
		Cycle:       key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new cycle from baseline")),
		Regressions: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "regressions only")),
		StepFilter:  key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "filter")),
		StepBack:    key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "filter back")),
		FilterClear: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Baseline:    BaselineKey,
		ScrollDown:  key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll")),
		ScrollUp:    key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll")),
	}
}
