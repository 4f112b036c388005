package tuitest

import tea "charm.land/bubbletea/v2"

// Root drives a whole program (the workbench's root model, tui.App) by messages, as the
// terminal would: what its commands produce is fed back until nothing is left.
type Root struct{ Model tea.Model }

// NewRoot drives m.
func NewRoot(m tea.Model) *Root { return &Root{Model: m} }

func (r *Root) update(msg tea.Msg) tea.Cmd {
	next, cmd := r.Model.Update(msg)
	r.Model = next
	return cmd
}

// Run executes cmd (Init's, for one) and everything that follows.
func (r *Root) Run(cmd tea.Cmd) { Run(r.update, cmd) }

// Send delivers messages (window sizes, keys, pastes) and runs what follows.
func (r *Root) Send(msgs ...tea.Msg) {
	for _, msg := range msgs {
		r.Run(func() tea.Msg { return msg })
	}
}

// Keys presses keys by name ("j", "enter", "ctrl+s").
func (r *Root) Keys(keys ...string) {
	for _, k := range keys {
		r.Send(Key(k))
	}
}

// View is the program's view as plain text.
func (r *Root) View() string { return Plain(r.Model.View().Content) }
