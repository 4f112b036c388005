package dialog

import (
	"errors"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/form"
)

// AutosaveDelay is how long typing must pause before a draft is written, so a crash or a
// killed process loses at most the last moments of typing.
const AutosaveDelay = 2 * time.Second

// InPlace is one field of a record typed in place in a screen's detail pane (the gap
// analysis's notes, owner, target date and justification; a checklist item's audit notes
// and interviewees). It is a one-field tui/form that, unlike a form, saves on its own: when
// the field is left, after a pause in typing, and when the program ends. A save that fails
// keeps the editor open with the typed text and the reason; on a conflict a dialog shows
// theirs beside it and asks: keep mine, take theirs, or edit.
//
// K names the record (a requirement's ref, a checklist item's ControlRef). The screen that
// owns the field says, in InPlaceOwner, how it checks, saves and leaves it.
type InPlace[K comparable] struct {
	Key   K
	Field string
	Label string // the field's label, as the form shows it
	Form  *form.Form
	Saved string // the stored value; the draft differs while typing
	Err   string // why the last save did not go through
	// Seq counts the changes typed: an autosave timer for an older one does nothing.
	Seq int
	// Conflict is set while the user decides between their text and another process's:
	// nothing saves this field until then.
	Conflict bool

	c     *common.Common
	owner string
	do    InPlaceOwner
}

// InPlaceOwner is what the screen that owns an in-place field does for it.
type InPlaceOwner struct {
	// Check says why value cannot be saved as it stands ("" when it can); the editor then
	// stays open with the message.
	Check func(value string) string
	// Save queues the save of value.
	Save func(value string) tea.Cmd
	// Leave drops the editor and gives the focus back.
	Leave func()
}

// AutosaveMsg is the pause timer's message, addressed to the owner of the field.
type AutosaveMsg struct{ Seq int }

// ConflictAnswer is the conflict dialog's answer, sent to the owner of the field.
type ConflictAnswer[K comparable] struct {
	Key    K
	Field  string
	Mine   string
	Choice ConflictChoice
}

// NewInPlace opens spec's field of the record key, holding stored, for the screen at the
// address owner. The caller sizes and focuses the form.
func NewInPlace[K comparable](c *common.Common, owner string, key K, spec form.Field, stored string, people []string, do InPlaceOwner) *InPlace[K] {
	f := form.New(c.Styles, spec)
	f.SetBare(true)
	f.SetNow(c.Now)
	f.SetPeople(people)
	e := &InPlace[K]{Key: key, Field: spec.Key, Label: spec.Label, Form: f, Saved: stored, c: c, owner: owner, do: do}
	f.Load(form.Values{spec.Key: stored})
	return e
}

// Value is the text in the field.
func (e *InPlace[K]) Value() string { return e.Form.Value(e.Field) }

// Dirty is true while the text differs from the stored value.
func (e *InPlace[K]) Dirty() bool { return e.Value() != e.Saved }

// Pending is true when the text should be written at program end: it changed and no
// conflict waits for the user's answer.
func (e *InPlace[K]) Pending() bool { return e != nil && e.Dirty() && !e.Conflict }

// Is reports whether e is the open editor of key's field (false when no field is open).
func (e *InPlace[K]) Is(key K, field string) bool {
	return e != nil && e.Key == key && e.Field == field
}

// Type hands a key or a paste to the field; when it changed the text, the pause timer
// starts again.
func (e *InPlace[K]) Type(msg tea.Msg) tea.Cmd {
	before := e.Value()
	_, cmd := e.Form.Update(msg)
	if e.Value() == before {
		return cmd
	}
	e.Seq++
	return tea.Batch(cmd, e.c.After(AutosaveDelay, common.Envelope{To: e.owner, Msg: AutosaveMsg{Seq: e.Seq}}))
}

// Tick is the message the pause timer sends for the open editor (tests use it); nil when
// no field is open.
func (e *InPlace[K]) Tick() tea.Msg {
	if e == nil {
		return nil
	}
	return AutosaveMsg{Seq: e.Seq}
}

// Autosave saves the draft when msg is the timer of the last change and the text is not
// saved yet.
func (e *InPlace[K]) Autosave(msg AutosaveMsg) tea.Cmd {
	if e == nil || msg.Seq != e.Seq || !e.Dirty() {
		return nil
	}
	return e.Save(false)
}

// Save writes the draft; close also leaves the field, unless the text cannot be saved as
// it stands, in which case the editor stays open with the message and the typed text.
// Nothing is saved while a conflict waits for the user's answer.
func (e *InPlace[K]) Save(close bool) tea.Cmd {
	if e == nil || e.Conflict {
		return nil
	}
	if problem := e.do.Check(e.Value()); problem != "" {
		e.Err = problem
		return nil
	}
	e.Err = ""
	v := e.Value()
	if v == e.Saved {
		if close {
			e.do.Leave()
		}
		return nil
	}
	if close {
		e.do.Leave()
	} else {
		e.Saved = v
	}
	return e.do.Save(v)
}

// Commit saves and leaves the field (esc, tab, moving to another record).
func (e *InPlace[K]) Commit() tea.Cmd { return e.Save(true) }

// Failed shows why a save of the field did not go through; typed is the text it holds.
// On a conflict it opens a dialog that shows theirs beside typed, titled with the record's
// name, and nothing saves the field until the user answers (Resolve).
func (e *InPlace[K]) Failed(name, typed string, err error) tea.Cmd {
	e.Err = err.Error()
	var ce *store.ConflictError
	if !errors.As(err, &ce) {
		return nil
	}
	e.Conflict = true
	key, field := e.Key, e.Field
	return common.OpenDialog(NewConflict(e.c.Styles, e.owner+"/conflict", e.owner,
		e.Label+" of "+name+" was changed elsewhere", typed, ce.Theirs,
		func(c ConflictChoice) tea.Msg {
			return ConflictAnswer[K]{Key: key, Field: field, Choice: c, Mine: typed}
		}))
}

// Resolve acts on the conflict dialog's answer. The record was reloaded when the conflict
// was reported and stored is the field's value in it now, so "keep mine" saves over it,
// knowingly; "take theirs" leaves the field with took in the status line.
func (e *InPlace[K]) Resolve(a ConflictAnswer[K], stored, took string) tea.Cmd {
	if !e.Is(a.Key, a.Field) {
		return nil
	}
	e.Conflict = false
	e.Saved = stored
	switch a.Choice {
	case KeepMine:
		e.Form.Set(a.Field, a.Mine)
		return e.Commit()
	case TakeTheirs:
		e.Form.Set(a.Field, stored)
		e.Err = ""
		e.do.Leave()
		return common.InfoCmd(took)
	}
	// Edit: keep typing, starting from mine; the save goes over what is stored now.
	e.Err = "Changed elsewhere: saving now replaces their text with yours."
	return nil
}

// Unsaved describes the field when its text cannot be saved as it stands (err is what the
// record's rules say of it), or is "".
func (e *InPlace[K]) Unsaved(name string, err error) string {
	what := strings.ToLower(e.Label) + " of " + name
	switch {
	case e.Conflict:
		return what + " (changed elsewhere; yours is not saved)"
	case err != nil:
		return what + " (" + err.Error() + ")"
	}
	return ""
}

// View draws the heading, the field and, below it, why it is not saved or that the draft
// will be.
func (e *InPlace[K]) View(heading string, width int) string {
	st := e.c.Styles
	var b strings.Builder
	b.WriteString(st.Accent.Render("✎ "+heading) + st.Subtle.Render("  esc saves and leaves") + "\n")
	b.WriteString(e.Form.View())
	if e.Err != "" {
		b.WriteString("\n" + st.Error.Render(common.Truncate("✗ "+e.Err, width)))
	} else if e.Dirty() {
		b.WriteString("\n" + st.Subtle.Render("draft: saved when you pause or leave the field"))
	}
	return b.String()
}
