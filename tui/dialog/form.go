package dialog

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/form"
)

// SubmitMsg is what a Form dialog sends its owner on save: the dialog's id and the values.
// The owner validates and saves; on an error it calls Fail, and the dialog stays open with
// the text as typed.
type SubmitMsg struct {
	ID     string
	Values form.Values
}

// Form is a small form in a box (the N/A justification, a rename): ctrl+s (or enter on a
// one-line form) submits, esc leaves (asking first when something was typed).
type Form struct {
	common.Outcome
	st    *common.Styles
	id    string
	owner string
	title string
	intro string
	f     *form.Form
	busy  bool
	width int
}

// NewForm builds a dialog over fields, loaded with values, reporting to owner.
func NewForm(st *common.Styles, id, owner, title, intro string, values form.Values, fields ...form.Field) *Form {
	f := form.New(st, fields...)
	f.Load(values)
	d := &Form{st: st, id: id, owner: owner, title: title, intro: intro, f: f}
	return d
}

// Inner is the dialog's form (owners use it to set errors, people or a clock).
func (d *Form) Inner() *form.Form { return d.f }

// ID names the dialog.
func (d *Form) ID() string { return d.id }

// Address lets the owner's replies (errors) reach the dialog.
func (d *Form) Address() string { return d.id }

// FailMsg tells a Form dialog its submission was refused; it shows the messages and stays.
type FailMsg struct {
	Errors map[string]string
}

// DoneMsg tells a Form dialog its submission was saved; it closes.
type DoneMsg struct{}

// Update routes keys to the form.
func (d *Form) Update(msg tea.Msg) (common.Dialog, tea.Cmd) {
	switch msg := msg.(type) {
	case FailMsg:
		d.busy = false
		return d, d.f.SetErrors(msg.Errors)
	case DoneMsg:
		d.Close()
		return d, nil
	case tea.KeyPressMsg:
		if d.busy {
			return d, nil
		}
		if key.Matches(msg, keyConfirm) && d.oneLine() {
			msg = tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
		}
		act, cmd := d.f.Update(msg)
		switch act {
		case form.Save:
			d.busy = true
			d.Reply(d.owner, SubmitMsg{ID: d.id, Values: d.f.Values()})
		case form.Leave:
			d.Close()
		}
		return d, cmd
	case tea.PasteMsg:
		_, cmd := d.f.Update(msg)
		return d, cmd
	}
	return d, nil
}

// oneLine is true for a form of one line of text, where enter submits.
func (d *Form) oneLine() bool { return d.f.SingleLine() }

// View draws the intro and the form.
func (d *Form) View(w, h int) string {
	w = Width(w)
	body := ""
	if d.intro != "" {
		body = wrap(d.intro, w-4) + "\n\n"
	}
	d.f.SetSize(w-4, max(3, min(h-6-strings.Count(body, "\n"), 14)))
	body += d.f.View()
	return box(d.st, d.title, body, w, h)
}

// KeyMap is the form's keys.
func (d *Form) KeyMap() help.KeyMap { return d.f.KeyMap() }
