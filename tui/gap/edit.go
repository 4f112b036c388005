package gap

import (
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

// autosaveDelay is how long typing must pause before a draft is written, so a crash or a
// killed process loses at most the last moments of typing.
const autosaveDelay = 2 * time.Second

// editor is one field of the selected requirement typed in place in the detail pane. It is
// a one-field tui/form (text, multi-line notes, a date with t = today, an owner with the
// workspace's names suggested); unlike a form it saves on its own: when the field is left,
// after a pause in typing, and when the program ends.
type editor struct {
	field string
	ref   string
	f     *form.Form
	saved string // the stored value; the draft differs while typing
	err   string // why the last save did not go through
	seq   int
	// conflict is set while the user decides between their text and another process's:
	// nothing saves this field until then.
	conflict bool
}

type autosaveMsg struct{ seq int }

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

func (e *editor) value() string { return e.f.Value(e.field) }

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
	f := form.New(m.c.Styles, spec)
	f.SetBare(true)
	f.SetNow(m.c.Now)
	f.SetPeople(m.people)
	e := &editor{field: field, ref: req.Ref, f: f, saved: fieldValue(cur, field)}
	f.Load(form.Values{field: e.saved})
	m.edit = e
	m.focus = focusDetail
	m.dataVersion++
	f.SetSize(m.detailWidth(), spec.Lines+4)
	return tea.Batch(f.Focus(field), m.c.LoadPeople(m.Address()))
}

func (m *Model) editKey(msg tea.KeyPressMsg) tea.Cmd {
	e := m.edit
	k := m.keys
	switch {
	case key.Matches(msg, k.LeaveEdit), key.Matches(msg, k.NextField):
		return m.commitEdit()
	case key.Matches(msg, k.SaveEdit):
		return m.saveEdit(false)
	case key.Matches(msg, k.EnterLeaves) && e.field != fieldNotes && e.field != fieldJustification:
		return m.commitEdit()
	case key.Matches(msg, k.SaveNext):
		// Workshop flow: save and move on without leaving the keyboard.
		return m.move(1)
	case key.Matches(msg, k.SavePrev):
		return m.move(-1)
	}
	before := e.value()
	_, cmd := e.f.Update(msg)
	if e.value() == before {
		return cmd
	}
	e.seq++
	return tea.Batch(cmd, m.c.After(autosaveDelay, m.wrap(autosaveMsg{seq: e.seq})))
}

// wrap addresses a timer's message to this tab.
func (m *Model) wrap(msg tea.Msg) common.Envelope { return common.Envelope{To: m.Address(), Msg: msg} }

func (m *Model) editOp(e *editor) saveOp {
	v, field := e.value(), e.field
	return saveOp{ref: e.ref, what: field, text: v, apply: func(r assessments.Result) assessments.Result {
		return setField(r, field, v)
	}}
}

// keepTyped makes sure a field whose save failed still holds what was typed: the editor
// stays open (or opens again on the field's requirement) with the text and the reason. On a
// conflict a dialog shows the other value and asks: keep mine, take theirs, or edit.
func (m *Model) keepTyped(msg savedMsg, ce *store.ConflictError) tea.Cmd {
	field := msg.op.what
	if _, isField := fieldLabels[field]; !isField {
		return nil
	}
	typed := msg.op.text
	if m.edit != nil && m.edit.ref == msg.op.ref && m.edit.field == field {
		typed = m.edit.value()
	} else {
		if m.edit != nil {
			return nil // another field is open; the message says what failed
		}
		if sel, _ := m.selected(); sel.Ref != msg.op.ref {
			m.Select(msg.op.ref)
		}
		m.startEdit(field)
		m.edit.f.Set(field, typed)
		m.edit.saved = fieldValue(msg.before, field)
	}
	m.edit.err = msg.err.Error()
	if ce == nil {
		return nil
	}
	m.edit.conflict = true
	ref := msg.op.ref
	return common.OpenDialog(dialog.NewConflict(m.c.Styles, m.Address()+"/conflict", m.Address(),
		fmt.Sprintf("%s of %s %s was changed elsewhere", fieldLabels[field], m.Title(), ref), typed, ce.Theirs,
		func(c dialog.ConflictChoice) tea.Msg {
			return conflictChoiceMsg{ref: ref, field: field, choice: c, mine: typed}
		}))
}

// conflictChoiceMsg is the answer of the conflict dialog.
type conflictChoiceMsg struct {
	ref, field string
	mine       string
	choice     dialog.ConflictChoice
}

// resolveConflict acts on the conflict dialog's answer. The result was reloaded when the
// conflict was reported, so "keep mine" saves over what is stored now, knowingly.
func (m *Model) resolveConflict(msg conflictChoiceMsg) tea.Cmd {
	e := m.edit
	if e == nil || e.ref != msg.ref || e.field != msg.field {
		return nil
	}
	stored := fieldValue(m.result(msg.ref), msg.field)
	e.conflict = false
	switch msg.choice {
	case dialog.KeepMine:
		e.saved = stored
		e.f.Set(msg.field, msg.mine)
		return m.commitEdit()
	case dialog.TakeTheirs:
		e.saved = stored
		e.f.Set(msg.field, stored)
		e.err = ""
		m.closeEdit()
		return common.InfoCmd(fmt.Sprintf("%s %s: kept the other value of %s", m.Title(), msg.ref, strings.ToLower(fieldLabels[msg.field])))
	default: // edit: keep typing, starting from mine; the save goes over what is stored now
		e.saved = stored
		e.err = "Changed elsewhere: saving now replaces their text with yours."
		return nil
	}
}

// saveEdit writes the draft; close also leaves the editor, unless the text cannot be saved
// as it stands, in which case the editor stays open with the message and the typed text.
func (m *Model) saveEdit(close bool) tea.Cmd {
	e := m.edit
	if e == nil || e.conflict {
		return nil
	}
	probe := m.editOp(e).apply(m.result(e.ref))
	if err := probe.Validate(); err != nil {
		if ve, ok := err.(*assessments.ValidationError); ok && ve.Field == e.field {
			e.err = ve.Message
			return nil
		}
	}
	e.err = ""
	if e.value() == e.saved {
		if close {
			m.closeEdit()
		}
		return nil
	}
	op := m.editOp(e)
	if close {
		m.closeEdit()
	} else {
		e.saved = e.value()
	}
	return m.enqueueOp(op)
}

// closeEdit leaves the field; the focus returns to the list, so the next key acts on the
// list and a status key on the requirement the list shows.
func (m *Model) closeEdit() {
	m.edit = nil
	m.focus = focusList
	m.dataVersion++
}

// commitEdit saves and leaves the field (esc, tab, moving to another requirement).
func (m *Model) commitEdit() tea.Cmd { return m.saveEdit(true) }

// editorView draws the editor with its label and message.
func (m *Model) editorView(w int) string {
	e := m.edit
	st := m.c.Styles
	var b strings.Builder
	b.WriteString(st.Accent.Render("✎ "+fieldLabels[e.field]+" of "+e.ref) + st.Subtle.Render("  esc saves and leaves") + "\n")
	b.WriteString(e.f.View())
	if e.err != "" {
		b.WriteString("\n" + st.Error.Render(common.Truncate("✗ "+e.err, w)))
	} else if e.value() != e.saved {
		b.WriteString("\n" + st.Subtle.Render("draft: saved when you pause or leave the field"))
	}
	return b.String()
}

// AutosaveTick is the message the pause timer sends for the open editor (tests use it).
func (m *Model) AutosaveTick() tea.Msg {
	if m.edit == nil {
		return nil
	}
	return autosaveMsg{seq: m.edit.seq}
}

// UnsavedWork reports an open field whose text cannot be saved as it stands (a date that
// is not one).
func (m *Model) UnsavedWork() string {
	e := m.edit
	if e == nil {
		return ""
	}
	if e.conflict {
		return strings.ToLower(fieldLabels[e.field]) + " of " + e.ref + " (changed elsewhere; yours is not saved)"
	}
	if err := m.editOp(e).apply(m.result(e.ref)).Validate(); err != nil {
		return strings.ToLower(fieldLabels[e.field][:1]) + fieldLabels[e.field][1:] + " of " + e.ref + " (" + err.Error() + ")"
	}
	return ""
}
