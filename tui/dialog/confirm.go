package dialog

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/tui/common"
)

// Confirm asks a yes/no question. y sends Yes to the owner; n or esc close with no change.
type Confirm struct {
	common.Outcome
	st       *common.Styles
	id       string
	owner    string
	title    string
	question string
	yes      tea.Msg
}

// NewConfirm builds a question whose yes answer delivers msg to owner.
func NewConfirm(st *common.Styles, id, owner, title, question string, yes tea.Msg) *Confirm {
	return &Confirm{st: st, id: id, owner: owner, title: title, question: question, yes: yes}
}

// ID names the dialog.
func (d *Confirm) ID() string { return d.id }

// Update reads y, n and esc.
func (d *Confirm) Update(msg tea.Msg) (common.Dialog, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return d, nil
	}
	switch {
	case key.Matches(k, keyYes):
		d.Close()
		d.Reply(d.owner, d.yes)
	case key.Matches(k, keyNo):
		d.Close()
	}
	return d, nil
}

// View draws the question.
func (d *Confirm) View(w, h int) string {
	w = Width(w)
	body := wrap(d.question, w-4) + "\n\n" + d.st.Key.Render("y") + d.st.Muted.Render(" yes   ") + d.st.Key.Render("n") + d.st.Muted.Render(" no")
	return box(d.st, d.title, body, w, h)
}

// KeyMap is y and n.
func (d *Confirm) KeyMap() help.KeyMap {
	return common.HelpMap{Short: []key.Binding{keyYes, keyNo}, Full: [][]key.Binding{{keyYes, keyNo}}}
}
