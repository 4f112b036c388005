package gap

import (
	"charm.land/bubbles/v2/key"

	"github.com/annex-grc/annex/tui/common"
)

// keyMap is the gap-analysis screen's bindings; the same bindings drive handling and help.
type keyMap struct {
	common.KeyMap
	Status                [5]key.Binding
	StatusAny             key.Binding // help only: "0-4 status"
	NextReq, PrevReq      key.Binding
	EditNotes, EditOwner  key.Binding
	EditDate, EditJustif  key.Binding
	Maturity              key.Binding
	Reasons               key.Binding
	StatusFilter          key.Binding
	StatusFilterBack      key.Binding
	Adopt, ConfirmReview  key.Binding
	Suggestions, Evidence key.Binding
	SoA                   key.Binding
	Advance               key.Binding
	ScrollDown, ScrollUp  key.Binding
	// In a field being typed.
	SaveEdit, LeaveEdit, NextField key.Binding
	SaveNext, SavePrev             key.Binding
	// In the filter being typed.
	FilterDone, FilterClear key.Binding
	FilterDown, FilterUp    key.Binding
	EnterLeaves             key.Binding // enter leaves a one-line field
}

func newKeyMap(base common.KeyMap) keyMap {
	return keyMap{
		KeyMap: base,
		Status: [5]key.Binding{
			key.NewBinding(key.WithKeys("0"), key.WithHelp("0", "not assessed")),
			key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "not implemented")),
			key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "partial")),
			key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "implemented")),
			key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "not applicable…")),
		},
		StatusAny:        key.NewBinding(key.WithKeys("0", "1", "2", "3", "4"), key.WithHelp("0-4", "status")),
		NextReq:          key.NewBinding(key.WithKeys("J", "ctrl+n"), key.WithHelp("J", "next requirement")),
		PrevReq:          key.NewBinding(key.WithKeys("K", "ctrl+p"), key.WithHelp("K", "previous requirement")),
		EditNotes:        key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "notes")),
		EditOwner:        key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "owner")),
		EditDate:         key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "target date")),
		EditJustif:       key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "N/A justification")),
		Maturity:         key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "maturity –,0-5")),
		Reasons:          key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "inclusion reasons")),
		StatusFilter:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "status filter")),
		StatusFilterBack: key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "status filter back")),
		Adopt:            key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "adopt mapped")),
		ConfirmReview:    key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "confirm adopted / re-confirm")),
		Suggestions:      key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "crosswalk suggestions")),
		Evidence:         key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "attach evidence")),
		SoA:              key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "SoA versions")),
		Advance:          key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "move on after status")),
		ScrollDown:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll")),
		ScrollUp:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll")),
		SaveEdit:         key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save now")),
		LeaveEdit:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "save and leave")),
		NextField:        key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "save, back to list")),
		SaveNext:         key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "save, next requirement")),
		SavePrev:         key.NewBinding(key.WithKeys("ctrl+p"), key.WithHelp("ctrl+p", "save, previous")),
		FilterDone:       key.NewBinding(key.WithKeys("enter", "tab"), key.WithHelp("enter", "keep filter")),
		FilterClear:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		FilterDown:       key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "to the list")),
		FilterUp:         key.NewBinding(key.WithKeys("up")),
		EnterLeaves:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save and leave")),
	}
}

func (m *Model) helpMap() common.HelpMap {
	k := m.keys
	if m.edit != nil {
		b := []key.Binding{k.LeaveEdit, k.SaveEdit, k.NextField, k.SaveNext, k.SavePrev}
		b = append(b, m.edit.f.KeyMap().ShortHelp()...)
		return common.HelpMap{Short: b[:5], Full: [][]key.Binding{b}}
	}
	if m.filtering {
		b := []key.Binding{k.FilterDone, k.FilterClear, k.FilterDown}
		return common.HelpMap{Short: b, Full: [][]key.Binding{b}}
	}
	// The focus comes first, so the help bar always says where keys go.
	focus := key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "LIST → detail"))
	nav := []key.Binding{k.Up, k.Down}
	if m.focus == focusDetail {
		focus = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "DETAIL → list"))
		nav = []key.Binding{k.ScrollDown, k.ScrollUp}
	}
	clear := k.Back
	if m.filterActive() {
		clear = k.FilterClear
	}
	return common.HelpMap{
		Short: []key.Binding{focus, k.StatusAny, k.EditNotes, k.EditOwner, k.EditDate, k.Maturity, k.Reasons, k.Evidence,
			k.Adopt, k.Filter, k.StatusFilter, clear},
		Full: [][]key.Binding{
			append(nav, k.NextReq, k.PrevReq, k.Home, k.End, k.PageUp, k.PageDown, focus),
			{k.Status[0], k.Status[1], k.Status[2], k.Status[3], k.Status[4], k.Advance},
			{k.EditNotes, k.EditOwner, k.EditDate, k.EditJustif, k.Maturity, k.Reasons, k.Evidence},
			{k.Filter, k.StatusFilter, k.StatusFilterBack, k.Adopt, k.ConfirmReview, k.Suggestions, k.SoA},
			{k.NextTab, k.PrevTab, clear},
		},
	}
}
