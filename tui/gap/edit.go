package gap

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
)

const (
	fieldNotes         = "notes"
	fieldOwner         = "owner"
	fieldTargetDate    = "target_date"
	fieldJustification = "justification"
)

var fieldLabels = map[string]string{
	fieldNotes: "Notes", fieldOwner: "Owner", fieldTargetDate: "Target date (YYYY-MM-DD)",
	fieldJustification: "Why is it not applicable?",
}

// autosaveDelay is how long typing must pause before a draft is written, so a crash or a
// killed process loses at most the last moments of typing.
const autosaveDelay = 2 * time.Second

// editor is a field being typed in place in the detail pane.
type editor struct {
	field      string
	ref        string
	multi      bool
	area       textarea.Model
	input      textinput.Model
	saved      string // the stored value; the draft differs while typing
	err        string
	seq        int
	thenStatus assessments.Status
}

type autosaveMsg struct {
	std string
	seq int
}

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

func (e *editor) value() string {
	if e.multi {
		return e.area.Value()
	}
	return e.input.Value()
}

// pasteTooLong refuses, with a message, a paste that would take the field past its limit,
// rather than letting the field cut it silently.
func (e *editor) pasteTooLong(text string) string {
	limit := assessments.MaxNameLen
	if e.multi {
		limit = assessments.MaxTextLen
	}
	have, add := utf8.RuneCountInString(e.value()), utf8.RuneCountInString(text)
	if have+add <= limit {
		return ""
	}
	return fmt.Sprintf("Nothing was pasted: %d characters would make the field longer than %d.", add, limit)
}

func (e *editor) setWidth(w int) {
	w = max(w, 10)
	if e.multi {
		e.area.SetWidth(w)
	} else {
		e.input.SetWidth(w - 2)
	}
}

func (e *editor) update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	if e.multi {
		e.area, cmd = e.area.Update(msg)
	} else {
		e.input, cmd = e.input.Update(msg)
	}
	return cmd
}

func (m *Model) startEdit(field string) tea.Cmd {
	req, ok := m.selected()
	if !ok {
		return nil
	}
	cur := m.result(req.Ref)
	e := &editor{field: field, ref: req.Ref, saved: fieldValue(cur, field)}
	switch field {
	case fieldNotes, fieldJustification:
		e.multi = true
		e.area = textarea.New()
		e.area.ShowLineNumbers = false
		e.area.Prompt = "│ "
		e.area.CharLimit = assessments.MaxTextLen
		e.area.MaxHeight = 0
		e.area.SetHeight(max(4, min(10, m.height/3)))
		e.area.SetValue(e.saved)
	default:
		e.input = textinput.New()
		e.input.Prompt = "› "
		e.input.CharLimit = assessments.MaxNameLen
		e.input.SetValue(e.saved)
		if field == fieldTargetDate {
			e.input.Placeholder = m.c.Now().AddDate(0, 1, 0).Format(assessments.DateLayout)
		}
	}
	m.edit = e
	m.focus = focusDetail
	e.setWidth(m.detailWidth() - 2)
	if e.multi {
		return e.area.Focus()
	}
	return e.input.Focus()
}

func (m *Model) editKey(msg tea.KeyPressMsg) tea.Cmd {
	e := m.edit
	switch msg.String() {
	case "esc":
		return m.commitEdit()
	case "tab":
		cmd := m.commitEdit()
		m.focus = focusList
		return cmd
	case "ctrl+s":
		return m.saveEdit(false)
	case "enter":
		if !e.multi {
			return m.commitEdit()
		}
	case "ctrl+n", "ctrl+p":
		// Workshop flow: save and move on without leaving the keyboard.
		d := 1
		if msg.String() == "ctrl+p" {
			d = -1
		}
		return m.move(d)
	}
	cmd := e.update(msg)
	e.seq++
	seq, std := e.seq, m.std
	return tea.Batch(cmd, m.c.After(autosaveDelay, autosaveMsg{std: std, seq: seq}))
}

func (m *Model) editOp(e *editor) saveOp {
	v, field, then := e.value(), e.field, e.thenStatus
	return saveOp{ref: e.ref, what: field, apply: func(r assessments.Result) assessments.Result {
		r = setField(r, field, v)
		if then != "" && strings.TrimSpace(r.Justification) != "" {
			r.Status = then
		}
		return r
	}}
}

// saveEdit writes the draft; close also leaves the editor, unless validation fails, in
// which case the editor stays open with the message and the typed text.
func (m *Model) saveEdit(close bool) tea.Cmd {
	e := m.edit
	if e == nil {
		return nil
	}
	if e.thenStatus == assessments.NotApplicable && strings.TrimSpace(e.value()) == "" {
		if !close {
			return nil
		}
		e.err = "Not applicable needs a justification: say why the requirement is excluded (ctrl+c quits without it)."
		return nil
	}
	probe := m.editOp(e).apply(m.result(e.ref))
	if err := probe.Validate(); err != nil {
		if ve, ok := err.(*assessments.ValidationError); ok && (ve.Field == e.field || e.field == fieldJustification) {
			e.err = ve.Message
			return nil
		}
	}
	e.err = ""
	if e.value() == e.saved && e.thenStatus == "" {
		if close {
			m.edit = nil
		}
		return nil
	}
	op := m.editOp(e)
	if close {
		m.edit = nil
		if e.thenStatus != "" {
			op.what = "status"
		}
	} else {
		e.saved = e.value()
	}
	return m.enqueueOp(op)
}

// commitEdit saves and leaves the field (esc, tab, moving to another requirement).
func (m *Model) commitEdit() tea.Cmd { return m.saveEdit(true) }

// editorView draws the editor with its label and message.
func (m *Model) editorView(w int) string {
	e := m.edit
	st := m.c.Styles
	var b strings.Builder
	b.WriteString(st.Accent.Render("✎ "+fieldLabels[e.field]) + st.Subtle.Render("  esc saves · ctrl+s saves now") + "\n")
	if e.multi {
		b.WriteString(e.area.View())
	} else {
		b.WriteString(e.input.View())
	}
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
	return autosaveMsg{std: m.std, seq: m.edit.seq}
}

// UnsavedWork reports an open field whose text cannot be saved as it stands (a date that
// is not one, an N/A justification left empty).
func (m *Model) UnsavedWork() string {
	e := m.edit
	if e == nil {
		return ""
	}
	if e.thenStatus == assessments.NotApplicable && strings.TrimSpace(e.value()) == "" {
		return ""
	}
	if err := m.editOp(e).apply(m.result(e.ref)).Validate(); err != nil {
		return strings.ToLower(fieldLabels[e.field][:1]) + fieldLabels[e.field][1:] + " of " + e.ref + " (" + err.Error() + ")"
	}
	return ""
}
