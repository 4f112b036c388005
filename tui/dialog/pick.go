package dialog

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/form"
)

// Pick is a list in a box: one choice (enter picks) or several (space ticks, enter saves).
// Typed letters filter it; esc closes it with no change.
type Pick struct {
	common.Outcome
	st    *common.Styles
	id    string
	owner string
	title string
	intro string
	list  *form.List
	done  func(values []string) tea.Msg
}

// NewPick builds a pick list; done turns the chosen values into the message the owner gets.
func NewPick(st *common.Styles, id, owner, title, intro string, items []form.Option, multi bool, selected []string, done func([]string) tea.Msg) *Pick {
	return &Pick{st: st, id: id, owner: owner, title: title, intro: intro, list: form.NewList(items, multi, selected, ""), done: done}
}

// ID names the dialog.
func (d *Pick) ID() string { return d.id }

// Update reads the list's keys.
func (d *Pick) Update(msg tea.Msg) (common.Dialog, tea.Cmd) {
	switch msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg:
	default:
		return d, nil
	}
	res, cmd := d.list.Update(msg)
	switch res {
	case form.ListCancel:
		d.Close()
	case form.ListDone:
		var vals []string
		if d.list.Multi() {
			vals = d.list.Ticked()
		} else if it, ok := d.list.Current(); ok {
			vals = []string{it.Value}
		}
		d.Close()
		d.Reply(d.owner, d.done(vals))
	}
	return d, cmd
}

// View draws the intro and the list.
func (d *Pick) View(w, h int) string {
	w = Width(w)
	body := ""
	if d.intro != "" {
		body = wrap(d.intro, w-4) + "\n"
	}
	d.list.SetRows(max(3, min(12, h-6-strings.Count(body, "\n"))))
	body += strings.Join(d.list.Lines(d.st, 0, w-4), "\n")
	return box(d.st, d.title, body, w, h)
}

// KeyMap is the list's keys.
func (d *Pick) KeyMap() help.KeyMap {
	b := d.list.HelpKeys()
	return common.HelpMap{Short: b, Full: [][]key.Binding{b}}
}
