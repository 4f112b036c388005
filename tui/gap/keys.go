package gap

import (
	"charm.land/bubbles/v2/key"

	"github.com/annex-grc/annex/tui/common"
)

// keyMap is the gap-analysis screen's bindings.
type keyMap struct {
	common.KeyMap
	Status                [5]key.Binding
	NextReq, PrevReq      key.Binding
	EditNotes, EditOwner  key.Binding
	EditDate, EditJustif  key.Binding
	Maturity              key.Binding
	Reasons               key.Binding
	StatusFilter          key.Binding
	Adopt, ConfirmReview  key.Binding
	Suggestions, Evidence key.Binding
	SaveEdit, LeaveEdit   key.Binding
}

func newKeyMap(base common.KeyMap) keyMap {
	return keyMap{
		KeyMap: base,
		Status: [5]key.Binding{
			key.NewBinding(key.WithKeys("0"), key.WithHelp("0", "not assessed")),
			key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "not implemented")),
			key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "partial")),
			key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "implemented")),
			key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "not applicable")),
		},
		NextReq:       key.NewBinding(key.WithKeys("J", "ctrl+n"), key.WithHelp("J/K", "next/prev requirement")),
		PrevReq:       key.NewBinding(key.WithKeys("K", "ctrl+p"), key.WithHelp("K", "previous requirement")),
		EditNotes:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "notes")),
		EditOwner:     key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "owner")),
		EditDate:      key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "target date")),
		EditJustif:    key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "N/A justification")),
		Maturity:      key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "maturity 0-5")),
		Reasons:       key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "inclusion reasons")),
		StatusFilter:  key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "status filter")),
		Adopt:         key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "adopt mapped")),
		ConfirmReview: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "confirm adopted")),
		Suggestions:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "crosswalk suggestions")),
		Evidence:      key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "attach evidence")),
		SaveEdit:      key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),
		LeaveEdit:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "save and leave")),
	}
}

func (m *Model) helpMap() common.HelpMap {
	k := m.keys
	if m.edit != nil {
		return common.HelpMap{
			Short: []key.Binding{k.LeaveEdit, k.SaveEdit, k.Focus},
			Full:  [][]key.Binding{{k.LeaveEdit, k.SaveEdit, k.Focus}},
		}
	}
	statusHelp := key.NewBinding(key.WithKeys("0", "1", "2", "3", "4"), key.WithHelp("0-4", "status"))
	return common.HelpMap{
		Short: []key.Binding{statusHelp, k.EditNotes, k.Filter, k.StatusFilter, k.Focus, k.NextReq, k.Adopt, k.Back},
		Full: [][]key.Binding{
			{k.Up, k.Down, k.NextReq, k.PrevReq, k.Home, k.End, k.PageUp, k.PageDown},
			{k.Status[0], k.Status[1], k.Status[2], k.Status[3], k.Status[4], k.Maturity},
			{k.EditNotes, k.EditOwner, k.EditDate, k.EditJustif, k.Reasons, k.Evidence},
			{k.Filter, k.StatusFilter, k.Focus, k.Adopt, k.ConfirmReview, k.Suggestions},
			{k.NextTab, k.PrevTab, k.Back, k.Quit},
		},
	}
}
