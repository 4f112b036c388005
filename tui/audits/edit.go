package audits

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

// The audit notes and interviewees of a checklist item are typed in place, as the gap
// analysis's notes are: a dialog.InPlace, a one-field tui/form that saves on its own when
// the field is left, after a pause in typing, and when the program ends.

const (
	fieldNotes        = "notes"
	fieldInterviewees = "interviewees"
)

var fieldLabels = map[string]string{fieldNotes: "Audit notes", fieldInterviewees: "Interviewees"}

// editor is the field open in place, keyed by the checklist item's requirement.
type editor = dialog.InPlace[assessments.ControlRef]

func fieldValue(it assessments.ChecklistItem, field string) string {
	if field == fieldInterviewees {
		return it.Interviewees
	}
	return it.Notes
}

func setField(it assessments.ChecklistItem, field, v string) assessments.ChecklistItem {
	if field == fieldInterviewees {
		it.Interviewees = v
	} else {
		it.Notes = v
	}
	return it
}

func editorHeight(m *Model, field string) int {
	if field == fieldNotes {
		return max(6, min(14, m.height/3+4))
	}
	return 4
}

func (w *walk) startEdit(m *Model, field string) tea.Cmd {
	c := w.selectedKey()
	if c.Ref == "" {
		return nil
	}
	spec := form.Field{Key: field, Label: fieldLabels[field], Kind: form.Text, Limit: assessments.MaxTextLen,
		Placeholder: "who was interviewed, with their role"}
	if field == fieldNotes {
		spec = form.Field{Key: field, Label: fieldLabels[field], Kind: form.MultiLine, Limit: assessments.MaxTextLen,
			Lines: max(4, min(10, m.height/3)), Placeholder: "what you saw, asked and were shown"}
	}
	e := dialog.NewInPlace(m.c, m.Address(), c, spec, fieldValue(w.item(c), field), m.people, dialog.InPlaceOwner{
		Check: func(v string) string {
			var ve *assessments.ValidationError
			if errors.As(setField(w.item(c), field, v).Validate(), &ve) {
				return ve.Message
			}
			return ""
		},
		Save:  func(v string) tea.Cmd { return w.enqueue(m, editOp(c, field, v)) },
		Leave: w.closeEdit,
	})
	w.edit = e
	w.focus = focusDetail
	w.version++
	e.Form.SetSize(m.detailWidth(), editorHeight(m, field))
	return e.Form.Focus(field)
}

func (w *walk) editKey(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	e, k := w.edit, m.keys
	switch {
	case key.Matches(msg, k.LeaveEdit), key.Matches(msg, k.NextField):
		return e.Commit()
	case key.Matches(msg, k.SaveEdit):
		return e.Save(false)
	case key.Matches(msg, k.EnterLeaves) && e.Field != fieldNotes:
		return e.Commit()
	case key.Matches(msg, k.SaveNext):
		return w.move(m, 1)
	case key.Matches(msg, k.SavePrev):
		return w.move(m, -1)
	}
	return e.Type(msg)
}

// editOp is the save of v into the field of the item c.
func editOp(c assessments.ControlRef, field, v string) itemOp {
	return itemOp{key: c, what: strings.ToLower(fieldLabels[field]), text: v, apply: func(it assessments.ChecklistItem) assessments.ChecklistItem {
		return setField(it, field, v)
	}}
}

func (w *walk) closeEdit() {
	w.edit = nil
	w.focus = focusList
	w.version++
}

// keepTyped makes sure a field whose save failed still holds what was typed: the editor
// stays open (or opens again on its item) with the text and the reason; on a conflict a
// dialog shows the other value and asks: keep mine, take theirs, or edit.
func (w *walk) keepTyped(m *Model, msg itemSavedMsg) tea.Cmd {
	var field string
	for f, l := range fieldLabels {
		if strings.ToLower(l) == msg.op.what {
			field = f
		}
	}
	if field == "" {
		return nil
	}
	typed := msg.op.text
	if w.edit.Is(msg.op.key, field) {
		typed = w.edit.Value()
	} else {
		if w.edit != nil {
			return nil
		}
		for i, r := range w.rows {
			if r.heading == "" && w.reqs[r.idx].Ref == msg.op.key {
				w.cursor = i
			}
		}
		w.startEdit(m, field)
		if w.edit == nil {
			return nil
		}
		w.edit.Form.Set(field, typed)
		w.edit.Saved = fieldValue(msg.before, field)
	}
	return w.edit.Failed(m.label(msg.op.key), typed, msg.err)
}

// resolveConflict acts on the conflict dialog's answer.
func (w *walk) resolveConflict(m *Model, a dialog.ConflictAnswer[assessments.ControlRef]) tea.Cmd {
	return w.edit.Resolve(a, fieldValue(w.item(a.Key), a.Field),
		m.label(a.Key)+": kept the other "+strings.ToLower(fieldLabels[a.Field]))
}

func (w *walk) editorLines(m *Model, dw int) []string {
	e := w.edit
	e.Form.SetSize(dw, editorHeight(m, e.Field))
	return append([]string{""}, strings.Split(e.View(e.Label, dw), "\n")...)
}

// AutosaveTick is the message the pause timer sends for the open editor (tests use it).
func (m *Model) AutosaveTick() tea.Msg {
	if m.walk == nil {
		return nil
	}
	return m.walk.edit.Tick()
}

// flush saves an open field's text and the queued changes synchronously (program end).
func (w *walk) flush(m *Model) error {
	if e := w.edit; e.Pending() {
		w.queue = append(w.queue, editOp(e.Key, e.Field, e.Value()))
	}
	var errs []error
	for _, op := range w.queue {
		before := w.item(op.key)
		var saved assessments.ChecklistItem
		var err error
		switch op.what {
		case "conclusion":
			var got store.Concluded
			got, err = m.c.Store.Conclude(context.Background(), m.c.Catalogs, before, op.conclusion)
			saved = got.Item
		case "evidence":
			saved, err = m.c.Store.ExamineEvidence(context.Background(), before, op.evidence)
		default:
			saved, err = m.c.Store.SaveChecklistItem(context.Background(), before, op.apply(before))
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", m.label(op.key), err))
			continue
		}
		w.items[op.key] = saved
		if w.edit != nil && w.edit.Key == op.key {
			w.edit.Saved = fieldValue(saved, w.edit.Field)
		}
	}
	w.queue = nil
	return errors.Join(errs...)
}

// unsaved reports an open field whose text cannot be saved as it stands.
func (w *walk) unsaved(m *Model) string {
	e := w.edit
	if e == nil {
		return ""
	}
	return e.Unsaved(m.label(e.Key), setField(w.item(e.Key), e.Field, e.Value()).Validate())
}
