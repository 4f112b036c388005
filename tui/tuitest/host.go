package tuitest

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/tui/common"
)

// Host stands in for the root model in a tab's tests: it holds one screen and the dialog
// stack (common.Dialogs, the root's own type, so dialogs behave as in the workbench),
// delivers addressed results, and records what the root would show.
type Host struct {
	Screen  common.Screen
	Dialogs common.Dialogs
	// Status is the last status line text; StatusErr says whether it was an error.
	Status    string
	StatusErr bool
	// Back is set when the screen asked to be left; HelpToggles counts ? on non-text fields.
	Back        bool
	HelpToggles int
	// Unaddressed lists the types of results that arrived without an address (each tab
	// addresses its results; a test can assert this stays empty).
	Unaddressed []string
	// OnDataChanged runs for common.DataChangedMsg (the engagement screen reloads the
	// visible tab); nil reloads the screen when it is a Tab.
	OnDataChanged func() tea.Cmd
}

// NewHost hosts scr.
func NewHost(scr common.Screen) *Host { return &Host{Screen: scr} }

// Run executes cmd and everything that follows, as the root would.
func (h *Host) Run(cmd tea.Cmd) { Run(h.Deliver, cmd) }

// Send delivers messages (keys, pastes, results) and runs what follows.
func (h *Host) Send(msgs ...tea.Msg) {
	for _, m := range msgs {
		h.Run(h.Deliver(m))
	}
}

// Keys presses keys by name ("j", "enter", "ctrl+s").
func (h *Host) Keys(keys ...string) {
	for _, k := range keys {
		h.Send(Key(k))
	}
}

func (h *Host) address() string {
	if a, ok := h.Screen.(common.Addressed); ok {
		return a.Address()
	}
	return ""
}

func (h *Host) envelope(env common.Envelope) tea.Cmd {
	if cmd, ok := h.Dialogs.Deliver(env, h.envelope); ok {
		return cmd
	}
	if env.To != h.address() {
		return nil // its owner has closed
	}
	next, cmd := h.Screen.Update(env.Msg)
	h.Screen = next
	return cmd
}

// Deliver is the root's routing for one message.
func (h *Host) Deliver(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.Envelope:
		return h.envelope(msg)
	case common.OpenDialogMsg:
		return h.Dialogs.Open(msg.Dialog)
	case common.CloseDialogMsg:
		h.Dialogs.Close(msg.ID)
		return nil
	case common.InfoMsg:
		h.Status, h.StatusErr = msg.Text, false
		return nil
	case common.ErrMsg:
		h.Status, h.StatusErr = msg.Err.Error(), true
		return nil
	case common.ClearStatusMsg:
		h.Status = ""
		return nil
	case common.ToggleHelpMsg:
		h.HelpToggles++
		return nil
	case common.BackMsg:
		h.Back = true
		return nil
	case common.DataChangedMsg:
		if h.OnDataChanged != nil {
			return h.OnDataChanged()
		}
		if t, ok := h.Screen.(common.Tab); ok {
			return t.Activate()
		}
		return nil
	case tea.KeyPressMsg, tea.PasteMsg:
		if h.Dialogs.Len() > 0 {
			return h.Dialogs.Input(msg, h.envelope)
		}
	default:
		h.Unaddressed = append(h.Unaddressed, fmt.Sprintf("%T", msg))
	}
	next, cmd := h.Screen.Update(msg)
	h.Screen = next
	return cmd
}

// View draws the screen, and the front dialog's box under it when one is open (tests read
// both as text).
func (h *Host) View(w, hgt int) string {
	v := h.Screen.View()
	if d := h.Dialogs.Front(); d != nil {
		v += "\n" + d.View(w, hgt)
	}
	return v
}
