package common

import tea "charm.land/bubbletea/v2"

// Dialogs is the stack of open dialogs, front last. The root owns one; test hosts use the
// same type, so the rules below hold in tests exactly as in the workbench:
//   - input (keys, pastes) goes to the front dialog only;
//   - an envelope addressed to a dialog's id reaches that dialog;
//   - what a dialog decides in an Update (Outcome: close, replies) is applied before the
//     next message is read.
type Dialogs struct{ ds []Dialog }

// Len is the number of open dialogs.
func (s *Dialogs) Len() int { return len(s.ds) }

// Front is the dialog that has the keyboard (nil when none is open).
func (s *Dialogs) Front() Dialog {
	if len(s.ds) == 0 {
		return nil
	}
	return s.ds[len(s.ds)-1]
}

// Open puts d in front and runs its Init, if it has one (a dialog that loads data).
func (s *Dialogs) Open(d Dialog) tea.Cmd {
	s.ds = append(s.ds, d)
	if i, ok := d.(interface{ Init() tea.Cmd }); ok {
		return i.Init()
	}
	return nil
}

// Close closes the dialog id ("" the front one).
func (s *Dialogs) Close(id string) {
	for i := len(s.ds) - 1; i >= 0; i-- {
		if id == "" || s.ds[i].ID() == id {
			s.ds = append(s.ds[:i], s.ds[i+1:]...)
			return
		}
	}
}

// Input hands a key or paste to the front dialog; deliver routes its replies.
func (s *Dialogs) Input(msg tea.Msg, deliver func(Envelope) tea.Cmd) tea.Cmd {
	if len(s.ds) == 0 {
		return nil
	}
	return s.update(len(s.ds)-1, msg, deliver)
}

// Deliver hands an envelope to the dialog it names; false when no open dialog has its id.
func (s *Dialogs) Deliver(env Envelope, deliver func(Envelope) tea.Cmd) (tea.Cmd, bool) {
	for i := len(s.ds) - 1; i >= 0; i-- {
		if s.ds[i].ID() == env.To {
			return s.update(i, env.Msg, deliver), true
		}
	}
	return nil, false
}

func (s *Dialogs) update(i int, msg tea.Msg, deliver func(Envelope) tea.Cmd) tea.Cmd {
	next, cmd := s.ds[i].Update(msg)
	s.ds[i] = next
	f, ok := next.(Finisher)
	if !ok {
		return cmd
	}
	replies, closed := f.Finish()
	if closed {
		s.ds = append(s.ds[:i], s.ds[i+1:]...)
	}
	cmds := []tea.Cmd{cmd}
	for _, env := range replies {
		cmds = append(cmds, deliver(env))
	}
	return tea.Batch(cmds...)
}
