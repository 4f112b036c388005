package audits

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

// The audit notes and interviewees of a checklist item are typed in place, as the gap
// analysis's notes are (tui/gap/edit.go): a one-field tui/form that saves on its own when
// the field is left, after a pause in typing, and when the program ends.

const (
	fieldNotes        = "notes"
	fieldInterviewees = "interviewees"
)

var fieldLabels = map[string]string{fieldNotes: "Audit notes", fieldInterviewees: "Interviewees"}

// autosaveDelay is how long typing must pause before a draft is written.
const autosaveDelay = 2 * time.Second

type editor struct {
	field string
	key   assessments.ControlRef
	f     *form.Form
	saved string // the stored value; the draft differs while typing
	err   string // why the last save did not go through
	seq   int
	// conflict is set while the user decides between their text and another process's.
	conflict bool
}

type autosaveMsg struct{ seq int }

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

func (e *editor) value() string { return e.f.Value(e.field) }

func (e *editor) height(m *Model) int {
	if e.field == fieldNotes {
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
	f := form.New(m.c.Styles, spec)
	f.SetBare(true)
	f.SetNow(m.c.Now)
	f.SetPeople(m.people)
	e := &editor{field: field, key: c, f: f, saved: fieldValue(w.item(c), field)}
	f.Load(form.Values{field: e.saved})
	w.edit = e
	w.focus = focusDetail
	w.version++
	f.SetSize(m.detailWidth(), e.height(m))
	return f.Focus(field)
}

func (w *walk) editKey(m *Model, msg tea.KeyPressMsg) tea.Cmd {
	e, k := w.edit, m.keys
	switch {
	case key.Matches(msg, k.LeaveEdit), key.Matches(msg, k.NextField):
		return w.commitEdit(m)
	case key.Matches(msg, k.SaveEdit):
		return w.saveEdit(m, false)
	case msg.String() == "enter" && e.field != fieldNotes:
		return w.commitEdit(m)
	case key.Matches(msg, k.SaveNext):
		return w.move(m, 1)
	case key.Matches(msg, k.SavePrev):
		return w.move(m, -1)
	}
	before := e.value()
	_, cmd := e.f.Update(msg)
	if e.value() == before {
		return cmd
	}
	e.seq++
	return tea.Batch(cmd, m.c.After(autosaveDelay, common.Envelope{To: m.Address(), Msg: autosaveMsg{seq: e.seq}}))
}

func (w *walk) editOp(e *editor) itemOp {
	v, field := e.value(), e.field
	return itemOp{key: e.key, what: strings.ToLower(fieldLabels[field]), text: v, apply: func(it assessments.ChecklistItem) assessments.ChecklistItem {
		return setField(it, field, v)
	}}
}

// saveEdit writes the draft; close also leaves the editor, unless the text cannot be saved
// as it stands (then it stays open with the message and the typed text).
func (w *walk) saveEdit(m *Model, close bool) tea.Cmd {
	e := w.edit
	if e == nil || e.conflict {
		return nil
	}
	if err := setField(w.item(e.key), e.field, e.value()).Validate(); err != nil {
		var ve *assessments.ValidationError
		if errors.As(err, &ve) {
			e.err = ve.Message
			return nil
		}
	}
	e.err = ""
	if e.value() == e.saved {
		if close {
			w.closeEdit()
		}
		return nil
	}
	op := w.editOp(e)
	if close {
		w.closeEdit()
	} else {
		e.saved = e.value()
	}
	return w.enqueue(m, op)
}

func (w *walk) closeEdit() {
	w.edit = nil
	w.focus = focusList
	w.version++
}

func (w *walk) commitEdit(m *Model) tea.Cmd { return w.saveEdit(m, true) }

// keepTyped makes sure a field whose save failed still holds what was typed: the editor
// stays open (or opens again on its item) with the text and the reason; on a conflict a
// dialog shows the other value and asks: keep mine, take theirs, or edit.
func (w *walk) keepTyped(m *Model, msg itemSavedMsg, ce *store.ConflictError) tea.Cmd {
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
	if w.edit != nil && w.edit.key == msg.op.key && w.edit.field == field {
		typed = w.edit.value()
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
		w.edit.f.Set(field, typed)
		w.edit.saved = fieldValue(msg.before, field)
	}
	w.edit.err = msg.err.Error()
	if ce == nil {
		return nil
	}
	w.edit.conflict = true
	c := msg.op.key
	return common.OpenDialog(dialog.NewConflict(m.c.Styles, m.Address()+"/conflict", m.Address(),
		fmt.Sprintf("%s of %s was changed elsewhere", fieldLabels[field], m.label(c)), typed, ce.Theirs,
		func(choice dialog.ConflictChoice) tea.Msg {
			return conflictChoiceMsg{key: c, field: field, choice: choice, mine: typed}
		}))
}

type conflictChoiceMsg struct {
	key    assessments.ControlRef
	field  string
	mine   string
	choice dialog.ConflictChoice
}

// resolveConflict acts on the conflict dialog's answer. The items were reloaded when the
// conflict was reported, so "keep mine" saves over what is stored now, knowingly.
func (w *walk) resolveConflict(m *Model, msg conflictChoiceMsg) tea.Cmd {
	e := w.edit
	if e == nil || e.key != msg.key || e.field != msg.field {
		return nil
	}
	stored := fieldValue(w.item(msg.key), msg.field)
	e.conflict = false
	e.saved = stored
	switch msg.choice {
	case dialog.KeepMine:
		e.f.Set(msg.field, msg.mine)
		return w.commitEdit(m)
	case dialog.TakeTheirs:
		e.f.Set(msg.field, stored)
		e.err = ""
		w.closeEdit()
		return common.InfoCmd(m.label(msg.key) + ": kept the other " + strings.ToLower(fieldLabels[msg.field]))
	}
	e.err = "Changed elsewhere: saving now replaces their text with yours."
	return nil
}

func (w *walk) editorLines(m *Model, dw int) []string {
	e := w.edit
	st := m.c.Styles
	e.f.SetSize(dw, e.height(m))
	out := []string{"", st.Accent.Render("✎ "+fieldLabels[e.field]) + st.Subtle.Render("  esc saves and leaves")}
	out = append(out, strings.Split(e.f.View(), "\n")...)
	switch {
	case e.err != "":
		out = append(out, st.Error.Render(common.Truncate("✗ "+e.err, dw)))
	case e.value() != e.saved:
		out = append(out, st.Subtle.Render("draft: saved when you pause or leave the field"))
	}
	return out
}

// AutosaveTick is the message the pause timer sends for the open editor (tests use it).
func (m *Model) AutosaveTick() tea.Msg {
	if m.walk == nil || m.walk.edit == nil {
		return nil
	}
	return autosaveMsg{seq: m.walk.edit.seq}
}

// flush saves an open field's text and the queued changes synchronously (program end).
func (w *walk) flush(m *Model) error {
	if w.edit != nil && w.edit.value() != w.edit.saved && !w.edit.conflict {
		w.queue = append(w.queue, w.editOp(w.edit))
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
		if w.edit != nil && w.edit.key == op.key {
			w.edit.saved = fieldValue(saved, w.edit.field)
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
	name := strings.ToLower(fieldLabels[e.field]) + " of " + m.label(e.key)
	if e.conflict {
		return name + " (changed elsewhere; yours is not saved)"
	}
	if err := setField(w.item(e.key), e.field, e.value()).Validate(); err != nil {
		return name + " (" + err.Error() + ")"
	}
	return ""
}
