package common

import "charm.land/bubbles/v2/key"

// KeyMap holds the bindings shared by all screens. Screens define their own maps for the
// rest and list these in their help.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Open, Back, Quit, Help, Filter        key.Binding
	New, Edit, Delete                     key.Binding
	NextTab, PrevTab, Focus               key.Binding
	Confirm, Cancel                       key.Binding
	Undo, Jump                            key.Binding
}

// DefaultKeyMap returns the workbench's conventions (DESIGN.md §5).
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Home:     key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "first")),
		End:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "last")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:     key.NewBinding(key.WithKeys("q", "esc"), key.WithHelp("q", "back")),
		Quit:     key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "all keys")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		New:      key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new")),
		Edit:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Delete:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete")),
		NextTab:  key.NewBinding(key.WithKeys("]", "ctrl+right"), key.WithHelp("]", "next tab")),
		PrevTab:  key.NewBinding(key.WithKeys("[", "ctrl+left"), key.WithHelp("[", "prev tab")),
		Focus:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "list/detail")),
		Confirm:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Undo:     key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "undo last edit")),
		Jump:     key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "jump to…")),
	}
}

// HelpMap adapts a short list and full groups into a help.KeyMap.
type HelpMap struct {
	Short []key.Binding
	Full  [][]key.Binding
}

func (h HelpMap) ShortHelp() []key.Binding  { return h.Short }
func (h HelpMap) FullHelp() [][]key.Binding { return h.Full }
