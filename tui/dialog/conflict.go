package dialog

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/tui/common"
)

// ConflictChoice is the answer to a conflict.
type ConflictChoice int

const (
	// KeepMine saves what the user typed over the other value.
	KeepMine ConflictChoice = iota
	// TakeTheirs drops what the user typed for the other value.
	TakeTheirs
	// EditMine goes back to the field with the user's text.
	EditMine
)

var (
	keyMine   = key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "keep mine"))
	keyTheirs = key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "take theirs"))
	keyEdit   = key.NewBinding(key.WithKeys("e", "esc"), key.WithHelp("e/esc", "edit mine"))
)

// Conflict shows what the user typed beside what another process saved meanwhile and asks
// which to keep. Nothing is decided by esc: it goes back to editing with the user's text.
type Conflict struct {
	common.Outcome
	st           *common.Styles
	id, owner    string
	title        string
	mine, theirs string
	done         func(ConflictChoice) tea.Msg
}

// NewConflict builds the dialog; done turns the choice into the owner's message.
func NewConflict(st *common.Styles, id, owner, title, mine, theirs string, done func(ConflictChoice) tea.Msg) *Conflict {
	return &Conflict{st: st, id: id, owner: owner, title: title, mine: mine, theirs: theirs, done: done}
}

// ID names the dialog.
func (d *Conflict) ID() string { return d.id }

// Update reads m, t and e.
func (d *Conflict) Update(msg tea.Msg) (common.Dialog, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return d, nil
	}
	var c ConflictChoice
	switch {
	case key.Matches(k, keyMine):
		c = KeepMine
	case key.Matches(k, keyTheirs):
		c = TakeTheirs
	case key.Matches(k, keyEdit):
		c = EditMine
	default:
		return d, nil
	}
	d.Close()
	d.Reply(d.owner, d.done(c))
	return d, nil
}

// View shows both texts, each cut to a few lines.
func (d *Conflict) View(w, h int) string {
	w = Width(w)
	room := max(2, (h-10)/2)
	show := func(s string) string {
		lines := strings.Split(wrap(s, w-6), "\n")
		if len(lines) > room {
			lines = append(lines[:room-1], d.st.Subtle.Render("… ("+itoa(len([]rune(s)))+" characters)"))
		}
		if strings.TrimSpace(s) == "" {
			lines = []string{d.st.Subtle.Render("(empty)")}
		}
		return "  " + strings.Join(lines, "\n  ")
	}
	body := d.st.Label.Render("Theirs (saved now):") + "\n" + show(d.theirs) + "\n\n" +
		d.st.Label.Render("Yours (not saved yet):") + "\n" + show(d.mine) + "\n\n" +
		d.st.Key.Render("m") + d.st.Muted.Render(" keep mine   ") + d.st.Key.Render("t") + d.st.Muted.Render(" take theirs   ") +
		d.st.Key.Render("e") + d.st.Muted.Render(" edit mine")
	return box(d.st, d.title, body, w, h)
}

// KeyMap is m, t and e.
func (d *Conflict) KeyMap() help.KeyMap {
	b := []key.Binding{keyMine, keyTheirs, keyEdit}
	return common.HelpMap{Short: b, Full: [][]key.Binding{b}}
}
