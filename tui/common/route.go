package common

import (
	"context"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
)

// Envelope carries an async result to its owner (gh-dash's SectionMsg pattern): the root
// delivers it to the dialog or screen whose address is To, wherever that sits in the stack,
// so a save that finishes while another screen is on top still reaches the tab that made it.
// A result whose owner has closed is dropped: what it reports is already on disk, and the
// owner reloads it when opened again.
type Envelope struct {
	To  string
	Msg tea.Msg
}

// Send wraps a command so its message is delivered to the owner at address to. Use it for
// commands that return one message (I/O results), not for batches.
func Send(to string, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		msg := cmd()
		if msg == nil {
			return nil
		}
		return Envelope{To: to, Msg: msg}
	}
}

// Addressed is implemented by screens, tabs and dialogs that receive envelopes.
type Addressed interface{ Address() string }

// Router is implemented by screens that hold addressed parts (the engagement screen holds
// its tabs). Deliver hands the envelope to the part it names; false when none has it.
type Router interface {
	Deliver(env Envelope) (handled bool, cmd tea.Cmd)
}

// TabAddress names a tab of an engagement ("<engagement id>/risks", ".../gap/iso42001").
func TabAddress(engagementID string, parts ...string) string {
	a := engagementID
	for _, p := range parts {
		a += "/" + p
	}
	return a
}

// Dialog is a box drawn above the screens (crush's dialog overlay). The root routes every
// key and paste to the front dialog first, so nothing beneath changes while it is open; a
// dialog reports what the user chose by sending an addressed message to its owner and
// closes itself with CloseDialog. esc closes a dialog with no side effect.
type Dialog interface {
	ID() string
	Update(msg tea.Msg) (Dialog, tea.Cmd)
	// View draws the dialog's box in at most width × height cells.
	View(width, height int) string
	KeyMap() help.KeyMap
}

// OpenDialogMsg asks the root to open a dialog in front.
type OpenDialogMsg struct{ Dialog Dialog }

// CloseDialogMsg asks the root to close the dialog with this id ("" closes the front one).
type CloseDialogMsg struct{ ID string }

// OpenDialog is a command that opens d.
func OpenDialog(d Dialog) tea.Cmd { return func() tea.Msg { return OpenDialogMsg{Dialog: d} } }

// CloseDialog is a command that closes the dialog id.
func CloseDialog(id string) tea.Cmd { return func() tea.Msg { return CloseDialogMsg{ID: id} } }

// ToggleHelpMsg asks the root to show or hide the full key list (a form sends it for ? on
// a field that takes no text).
type ToggleHelpMsg struct{}

// UndoEntry takes back one acknowledged edit. Run writes the reverse edit through the store's
// update path (so another process's later change is a conflict, not overwritten) and returns
// the message its owner (To) reads, as the original save did.
type UndoEntry struct {
	Label string
	To    string
	Run   func(ctx context.Context) (tea.Msg, error)
}

// UndoStack holds the edits made since the workbench opened, newest last.
type UndoStack struct{ entries []UndoEntry }

// Push records an edit that can be taken back.
func (u *UndoStack) Push(e UndoEntry) {
	u.entries = append(u.entries, e)
	if len(u.entries) > 200 {
		u.entries = u.entries[len(u.entries)-200:]
	}
}

// Pop takes the newest entry.
func (u *UndoStack) Pop() (UndoEntry, bool) {
	if len(u.entries) == 0 {
		return UndoEntry{}, false
	}
	e := u.entries[len(u.entries)-1]
	u.entries = u.entries[:len(u.entries)-1]
	return e, true
}

// Len is the number of edits that can be taken back.
func (u *UndoStack) Len() int { return len(u.entries) }

// JumpTarget is one place the jump box (:) can go: a requirement, a risk, an AI system, an
// evidence item or a tab.
type JumpTarget struct {
	Kind  string // "ISO 27001", "risk", "AI system", "evidence", "tab"
	Label string
	// Msg is sent to the screen when the target is chosen.
	Msg tea.Msg
}

// Jumper is implemented by screens and tabs that offer jump targets. JumpTargets runs inside
// a command (it may read the store), so it must only read what does not change under it
// (the engagement, the catalogs, the store handle).
type Jumper interface {
	JumpTargets(ctx context.Context) ([]JumpTarget, error)
}

// GotoMsg asks the engagement screen to show the tab at address Tab and, where the tab is a
// Locator, the item Item in it.
type GotoMsg struct{ Tab, Item string }

// Locator is implemented by tabs that can say where the user is ("A.5.2", "R-003") and go
// back there when the workbench is opened again.
type Locator interface {
	Location() string
	Restore(loc string) tea.Cmd
}

// PeopleMsg brings the names used in the workspace to a form's Person fields.
type PeopleMsg struct{ Names []string }

// LoadPeople reads the workspace's names for the owner at address to.
func (c *Common) LoadPeople(to string) tea.Cmd {
	st, ctx := c.Store, c.Ctx
	return Send(to, func() tea.Msg {
		names, err := st.People(ctx)
		if err != nil {
			return nil // suggestions are a help, not a requirement
		}
		return PeopleMsg{Names: names}
	})
}

// ResultSavedMsg is broadcast after a requirement result is saved, so tabs that show it
// (the other standard's gap analysis: mapped statuses and the coverage figure) stay current.
type ResultSavedMsg struct{ Result assessments.Result }

// ClearStatusMsg asks the root to clear the status line (a message about one tab does not
// belong to the next).
type ClearStatusMsg struct{}

// Outcome is embedded by dialogs to answer at once: the root reads it right after the
// dialog's Update, delivers the replies and closes the dialog before the next key is read.
// (A reply sent through a command would arrive after keys already typed: the key after
// enter in the jump box would act on the requirement it was leaving.)
type Outcome struct {
	replies []Envelope
	closed  bool
}

// Reply queues msg for the owner at address to.
func (o *Outcome) Reply(to string, msg tea.Msg) {
	o.replies = append(o.replies, Envelope{To: to, Msg: msg})
}

// Close asks the root to close the dialog.
func (o *Outcome) Close() { o.closed = true }

// Finish hands the root what the last Update decided, once.
func (o *Outcome) Finish() (replies []Envelope, closed bool) {
	r, c := o.replies, o.closed
	o.replies, o.closed = nil, false
	return r, c
}

// Finisher is implemented by dialogs that embed Outcome.
type Finisher interface {
	Finish() (replies []Envelope, closed bool)
}
