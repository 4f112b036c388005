package gap

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

const (
	fieldNotes         = "notes"
	fieldOwner         = "owner"
	fieldTargetDate    = "target_date"
	fieldJustification = "justification"
)

var fieldLabels = map[string]string{
	fieldNotes: "Notes", fieldOwner: "Owner", fieldTargetDate: "Target date",
	fieldJustification: "Why is it not applicable?",
}

// editor is one field of the selected requirement typed in place in the detail pane (a
// text, multi-line notes, a date with t = today, an owner with the workspace's names
// suggested): a dialog.InPlace keyed by the requirement's ref.
type editor = dialog.InPlace[string]

func fieldValue(r assessments.Result, field string) string {
	switch field {
	case fieldNotes:
		return r.Notes
	case fieldOwner:
		return r.Owner
	case fieldTargetDate:
		return r.TargetDate
	case fieldJustification:
		return r.Justification
	}
	return ""
}

func setField(r assessments.Result, field, v string) assessments.Result {
	switch field {
	case fieldNotes:
		r.Notes = v
	case fieldOwner:
		r.Owner = strings.TrimSpace(v)
	case fieldTargetDate:
		r.TargetDate = strings.TrimSpace(v)
	case fieldJustification:
		r.Justification = v
	}
	return r
}

func (m *Model) startEdit(field string) tea.Cmd {
	req, ok := m.selected()
	if !ok {
		return nil
	}
	cur := m.result(req.Ref)
	spec := form.Field{Key: field, Label: fieldLabels[field], Kind: form.Text, Limit: assessments.MaxNameLen}
	switch field {
	case fieldNotes, fieldJustification:
		spec.Kind, spec.Limit, spec.Lines = form.MultiLine, assessments.MaxTextLen, max(4, min(10, m.height/3))
	case fieldOwner:
		spec.Kind = form.Person
		spec.Placeholder = "who is responsible"
	case fieldTargetDate:
		spec.Kind = form.Date
		spec.Placeholder = "YYYY-MM-DD, t: today"
	}
	ref := req.Ref
	e := dialog.NewInPlace(m.c, m.Address(), ref, spec, fieldValue(cur, field), m.people, dialog.InPlaceOwner{
		Check: func(v string) string {
			err := m.editOp(ref, field, v).apply(m.result(ref)).Validate()
			if ve, ok := err.(*assessments.ValidationError); ok && ve.Field == field {
				return ve.Message
			}
			return ""
		},
		Save:  func(v string) tea.Cmd { return m.enqueueOp(m.editOp(ref, field, v)) },
		Leave: m.closeEdit,
	})
	m.edit = e
	m.focus = focusDetail
	m.dataVersion++
	e.Form.SetSize(m.detailWidth(), spec.Lines+4)
	return tea.Batch(e.Form.Focus(field), m.c.LoadPeople(m.Address()))
}

func (m *Model) editKey(msg tea.KeyPressMsg) tea.Cmd {
	e := m.edit
	k := m.keys
	switch {
	case key.Matches(msg, k.LeaveEdit), key.Matches(msg, k.NextField):
		return e.Commit()
	case key.Matches(msg, k.SaveEdit):
		return e.Save(false)
	case key.Matches(msg, k.EnterLeaves) && e.Field != fieldNotes && e.Field != fieldJustification:
		return e.Commit()
	case key.Matches(msg, k.SaveNext):
		// Workshop flow: save and move on without leaving the keyboard.
		return m.move(1)
	case key.Matches(msg, k.SavePrev):
		return m.move(-1)
	}
	return e.Type(msg)
}

// editOp is the save of v into the field of the requirement ref.
func (m *Model) editOp(ref, field, v string) saveOp {
	return saveOp{ref: ref, what: field, text: v, apply: func(r assessments.Result) assessments.Result {
		return setField(r, field, v)
	}}
}

// keepTyped makes sure a field whose save failed still holds what was typed: the editor
// stays open (or opens again on the field's requirement) with the text and the reason. On a
// conflict a dialog shows the other value and asks: keep mine, take theirs, or edit.
func (m *Model) keepTyped(msg savedMsg) tea.Cmd {
	field := msg.op.what
	if _, isField := fieldLabels[field]; !isField {
		return nil
	}
	typed := msg.op.text
	if m.edit.Is(msg.op.ref, field) {
		typed = m.edit.Value()
	} else {
		if m.edit != nil {
			return nil // another field is open; the message says what failed
		}
		if sel, _ := m.selected(); sel.Ref != msg.op.ref {
			m.Select(msg.op.ref)
		}
		m.startEdit(field)
		m.edit.Form.Set(field, typed)
		m.edit.Saved = fieldValue(msg.before, field)
	}
	return m.edit.Failed(m.Title()+" "+msg.op.ref, typed, msg.err)
}

// resolveConflict acts on the conflict dialog's answer.
func (m *Model) resolveConflict(a dialog.ConflictAnswer[string]) tea.Cmd {
	return m.edit.Resolve(a, fieldValue(m.result(a.Key), a.Field),
		fmt.Sprintf("%s %s: kept the other value of %s", m.Title(), a.Key, strings.ToLower(fieldLabels[a.Field])))
}

// closeEdit leaves the field; the focus returns to the list, so the next key acts on the
// list and a status key on the requirement the list shows.
func (m *Model) closeEdit() {
	m.edit = nil
	m.focus = focusList
	m.dataVersion++
}

// editorView draws the editor with its label and message.
func (m *Model) editorView(w int) string {
	return m.edit.View(m.edit.Label+" of "+m.edit.Key, w)
}

// AutosaveTick is the message the pause timer sends for the open editor (tests use it).
func (m *Model) AutosaveTick() tea.Msg { return m.edit.Tick() }

// UnsavedWork reports an open field whose text cannot be saved as it stands (a date that
// is not one).
func (m *Model) UnsavedWork() string {
	e := m.edit
	if e == nil {
		return ""
	}
	return e.Unsaved(e.Key, m.editOp(e.Key, e.Field, e.Value()).apply(m.result(e.Key)).Validate())
}
