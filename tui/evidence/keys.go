package evidence

import (
	"charm.land/bubbles/v2/key"

	"github.com/annex-grc/annex/tui/common"
)

// keyMap is the Evidence screen's bindings on top of the shared ones.
type keyMap struct {
	common.KeyMap
	Sort, Reverse key.Binding
	Check         key.Binding
	Export        key.Binding
	Reattach      key.Binding
	NextField     key.Binding
	PrevField     key.Binding
	Save          key.Binding
	CycleKind     key.Binding
	Yes, No       key.Binding
	GotoLink      key.Binding
}

func newKeyMap(base common.KeyMap) keyMap {
	return keyMap{
		KeyMap:    base,
		Sort:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort column")),
		Reverse:   key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "reverse sort")),
		Check:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check files")),
		Export:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export kept copies")),
		Reattach:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "accept changed file")),
		NextField: key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Save:      key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),
		CycleKind: key.NewBinding(key.WithKeys("left", "right", "space"), key.WithHelp("←/→", "change kind")),
		Yes:       key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
		No:        key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "no")),
		GotoLink:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "go to requirement")),
	}
}
