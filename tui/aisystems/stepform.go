package aisystems

import (
	"errors"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/form"
)

// What the two step wizards (the impact assessment and the EU AI Act classification) share
// around their forms: why a step was not saved, the help of a step being edited, and the
// problem a step left unsaved has.

// saveFailed says why a step was not saved. A version frozen or changed elsewhere meanwhile
// is read again (reload: the caller bumps its sequence and reloads); a rule's message goes
// next to its field too; anything else is one sentence.
func saveFailed(f *form.Form, err error) (general string, reload bool, cmd tea.Cmd) {
	var ve *assessments.ValidationError
	var fe *assessments.FrozenError
	var ce *store.ConflictError
	switch {
	case errors.As(err, &fe):
		return fe.Error(), true, nil
	case errors.As(err, &ce):
		return sentence(err) + " ctrl+s saves your version over it.", true, nil
	case errors.As(err, &ve):
		return "Not saved: " + ve.Message, false, f.SetError(ve.Field, ve.Message)
	}
	return "Not saved: " + sentence(err), false, nil
}

// stepEditHelp is the help of a step being edited: save first, then the focused field's own
// keys, the wizard's keys (beforeLeave), esc, and afterLeave; in full, the wizard's groups
// then the form's without its ctrl+s. ok is false while the form asks a question or shows a
// pick list: its own help stands then.
func stepEditHelp(inner help.KeyMap, save key.Binding, beforeLeave, afterLeave []key.Binding, groups [][]key.Binding) (common.HelpMap, bool) {
	fs := inner.ShortHelp()
	if len(fs) == 0 || fs[0].Help().Key != "ctrl+s" {
		return common.HelpMap{}, false
	}
	// The form's short help is save, esc, the field's own keys, then field movement.
	leave, short := fs[1], []key.Binding{save}
	for _, b := range fs[2:] {
		if b.Help().Key != "tab/↓" && b.Help().Key != "shift+tab/↑" {
			short = append(short, b)
		}
	}
	short = append(short, beforeLeave...)
	short = append(short, leave)
	short = append(short, afterLeave...)
	full := groups
	for _, g := range inner.FullHelp() {
		var rest []key.Binding
		for _, b := range g {
			if b.Help().Key != "ctrl+s" {
				rest = append(rest, b)
			}
		}
		full = append(full, rest)
	}
	return common.HelpMap{Short: short, Full: full}, true
}

// stepProblem is the first problem of the step's fields, in their order ("" for none).
func stepProblem(p map[string]string, fields []string) string {
	for _, f := range fields {
		if msg, ok := p[f]; ok {
			return msg
		}
	}
	return ""
}
