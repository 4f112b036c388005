package aisystems

import (
	"charm.land/bubbles/v2/key"

	"github.com/annex-grc/annex/tui/common"
)

// keyMap is the AI systems tab's bindings; the same bindings drive the handling and the
// help, so they cannot disagree.
type keyMap struct {
	common.KeyMap
	// The inventory list and a system's versions.
	Assess, ReAssess, Classify, Close key.Binding
	FilterDone, FilterClear           key.Binding
	FilterUp, FilterDown              key.Binding
	// The impact-assessment wizard (its step forms add their own field keys).
	SaveStep, NextStep, PrevStep, Leave key.Binding
	Steps, Areas                        key.Binding // one entry of the help bar each
	RaiseRisk, NextArea, PrevArea       key.Binding
	// A decided (read-only) version.
	ViewNext, ViewPrev, AreaLeft, AreaRight key.Binding
}

func newKeyMap(base common.KeyMap) keyMap {
	return keyMap{
		KeyMap:      base,
		Assess:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "assess")),
		ReAssess:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "re-assess")),
		Classify:    key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "EU AI Act")),
		Close:       key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "back")),
		FilterDone:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
		FilterClear: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		FilterUp:    key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "up")),
		FilterDown:  key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "down")),
		SaveStep:    key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save, next")),
		Steps:       key.NewBinding(key.WithKeys("pgdown", "pgup"), key.WithHelp("pgdn/pgup", "step")),
		Areas:       key.NewBinding(key.WithKeys("alt+down", "alt+up"), key.WithHelp("alt+↓/↑", "area")),
		NextStep:    key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "next step")),
		PrevStep:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "previous step")),
		Leave:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave")),
		RaiseRisk:   key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "raise risk")),
		NextArea:    key.NewBinding(key.WithKeys("alt+down"), key.WithHelp("alt+↓", "next area")),
		PrevArea:    key.NewBinding(key.WithKeys("alt+up"), key.WithHelp("alt+↑", "previous area")),
		ViewNext:    key.NewBinding(key.WithKeys("pgdown", "right", "l"), key.WithHelp("pgdn/→", "next step")),
		ViewPrev:    key.NewBinding(key.WithKeys("pgup", "left", "h"), key.WithHelp("pgup/←", "previous step")),
		AreaLeft:    key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←", "previous area")),
		AreaRight:   key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→", "next area")),
	}
}
