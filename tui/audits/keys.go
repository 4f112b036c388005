package audits

import (
	"charm.land/bubbles/v2/key"

	"github.com/annex-grc/annex/tui/common"
)

// keyMap is the Audits tab's bindings on top of the shared ones; the same bindings drive
// handling and help.
type keyMap struct {
	common.KeyMap
	// programme
	Walk, Findings, Coverage key.Binding
	// checklist walk
	Conclusion                 [6]key.Binding
	ConclusionAny              key.Binding // help only: "0-5 conclusion"
	NextItem, PrevItem         key.Binding
	Notes, Interviewees        key.Binding
	Sampling, Examine          key.Binding
	OpenFinding, AllFindings   key.Binding
	ConclFilter, ConclFilterBk key.Binding
	ScrollDown, ScrollUp       key.Binding
	// in a field typed in place
	SaveEdit, LeaveEdit, NextField key.Binding
	SaveNext, SavePrev             key.Binding
	EnterLeaves                    key.Binding // enter in a one-line field
	// in a filter being typed
	FilterDone, FilterClear key.Binding
	FilterDown, FilterUp    key.Binding
	// findings
	NewAction, Advance, StepBack, Review key.Binding
	RaiseRisk, LinkRisk                  key.Binding
	Leave                                key.Binding
}

func newKeyMap(base common.KeyMap) keyMap {
	k := keyMap{
		KeyMap:        base,
		Walk:          key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "walk the checklist")),
		Findings:      key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "findings")),
		Coverage:      key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "programme coverage")),
		ConclusionAny: key.NewBinding(key.WithKeys("0", "1", "2", "3", "4", "5"), key.WithHelp("0-5", "conclusion")),
		NextItem:      key.NewBinding(key.WithKeys("J", "ctrl+n"), key.WithHelp("J", "next item")),
		PrevItem:      key.NewBinding(key.WithKeys("K", "ctrl+p"), key.WithHelp("K", "previous item")),
		Notes:         key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "audit notes")),
		Interviewees:  key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "interviewees")),
		Sampling:      key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "sampling")),
		Examine:       key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "evidence examined")),
		OpenFinding:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "its finding")),
		AllFindings:   key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "all findings")),
		ConclFilter:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s/S", "conclusion filter")),
		ConclFilterBk: key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "conclusion filter back")),
		ScrollDown:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll")),
		ScrollUp:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll")),
		SaveEdit:      key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save now")),
		LeaveEdit:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "save and leave")),
		NextField:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "save, back to list")),
		SaveNext:      key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "save, next item")),
		SavePrev:      key.NewBinding(key.WithKeys("ctrl+p"), key.WithHelp("ctrl+p", "save, previous")),
		FilterDone:    key.NewBinding(key.WithKeys("enter", "tab"), key.WithHelp("enter", "keep filter")),
		FilterClear:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		FilterDown:    key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "keep filter, down")),
		FilterUp:      key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "keep filter, up")),
		EnterLeaves:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save and leave")),
		NewAction:     key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new corrective action")),
		Advance:       key.NewBinding(key.WithKeys(">"), key.WithHelp(">", "action: next state")),
		StepBack:      key.NewBinding(key.WithKeys("<"), key.WithHelp("<", "action: previous state")),
		Review:        key.NewBinding(key.WithKeys("V"), key.WithHelp("V", "review effectiveness")),
		RaiseRisk:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "raise a risk")),
		LinkRisk:      key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "link risk treatment")),
		Leave:         key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "back")),
	}
	labels := []string{"not audited", "conforming", "major NC", "minor NC", "observation", "OFI"}
	for i := range k.Conclusion {
		d := string(rune('0' + i))
		k.Conclusion[i] = key.NewBinding(key.WithKeys(d), key.WithHelp(d, labels[i]))
	}
	return k
}

func withHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}
