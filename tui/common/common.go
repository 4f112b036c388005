// Package common is what every screen of the workbench shares: the Screen contract, the
// Common handle (store, catalogs, styles, keys, size, clock), and the messages that cross
// screens. It holds no mutable package state.
package common

import (
	"context"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

// Common is handed to every screen. Screens read it; only the root model changes Width,
// Height and Styles (on resize and background detection).
type Common struct {
	Ctx      context.Context
	Store    *store.Store
	Catalogs *catalogs.Set
	Styles   *Styles
	Keys     KeyMap
	Width    int
	Height   int
	Now      func() time.Time
	// NoTimers turns off delayed commands (autosave pauses, status line expiry) so tests
	// can drive screens without waiting on clocks; they send the timer messages themselves.
	NoTimers bool
	// Undo holds the edits made since the workbench opened (z takes the newest back).
	Undo *UndoStack
	// Prefs are the user's workbench settings.
	Prefs *Prefs
}

// Prefs are workbench settings kept between runs.
type Prefs struct {
	// Advance moves the gap-analysis cursor to the next requirement after a status key.
	Advance bool
}

// After returns a command that delivers msg after d, or nil when timers are off.
func (c *Common) After(d time.Duration, msg tea.Msg) tea.Cmd {
	if c.NoTimers {
		return nil
	}
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}

// Screen is a component of the workbench.
type Screen interface {
	Init() tea.Cmd
	Update(msg tea.Msg) (Screen, tea.Cmd)
	View() string
	SetSize(width, height int)
	KeyMap() help.KeyMap
}

// Tab is a screen that lives inside an engagement (dashboard, gap analysis, risks...).
type Tab interface {
	Screen
	// Title is the tab's label.
	Title() string
	// Activate is called each time the tab becomes visible; it returns a command that
	// reloads the tab's data from the store, so edits made in other tabs show.
	Activate() tea.Cmd
	// Capturing is true while a text field or dialog inside the tab has the keyboard;
	// the engagement screen then passes every key (q, tab, 1..9) to the tab.
	Capturing() bool
	// Address names the tab for addressed results (common.TabAddress).
	Address() string
}

// TabFactory builds a tab for an engagement.
type TabFactory func(c *Common, e assessments.Engagement) Tab

// ErrMsg carries an error to show in the status line. Screens return it from commands.
type ErrMsg struct{ Err error }

// InfoMsg carries a short confirmation for the status line ("Saved", "Exported to ...").
type InfoMsg struct{ Text string }

// ErrCmd wraps an error into a command.
func ErrCmd(err error) tea.Cmd { return func() tea.Msg { return ErrMsg{Err: err} } }

// InfoCmd wraps a confirmation into a command.
func InfoCmd(text string) tea.Cmd { return func() tea.Msg { return InfoMsg{Text: text} } }

// OpenEngagementMsg asks the root to open an engagement.
type OpenEngagementMsg struct{ Engagement assessments.Engagement }

// BackMsg asks the root to leave the current screen.
type BackMsg struct{}

// DataChangedMsg tells every open screen that the workspace changed (for example after a
// risk was created from the AI screen); screens reload what they show.
type DataChangedMsg struct{}

// GotoRequirementMsg asks the engagement screen to show a requirement in its gap tab.
type GotoRequirementMsg struct{ Standard, Ref string }

// PushScreenMsg asks the root to open a screen on top of the current one (q returns).
type PushScreenMsg struct{ Screen Screen }

// Capturer is implemented by screens that sometimes hold the keyboard (text fields).
type Capturer interface{ Capturing() bool }

// Flusher is implemented by screens that may hold typed text not yet saved; the root calls
// FlushDrafts when the program ends (quit, terminal closed) so nothing typed is lost.
type Flusher interface{ FlushDrafts() error }

// Preparer is implemented by screens that load what they first show: the root keeps such a
// screen off the display until Prepared reports true (or a moment has passed), so opening
// it draws its content at once instead of a "Loading…" frame first.
type Preparer interface{ Prepared() bool }

// QuitGuard is implemented by screens that can hold typed text the workbench cannot save
// as it stands (a form with a field in error). UnsavedWork describes it in a few words, or
// returns "" when everything typed is saved or savable. The root asks before quitting.
type QuitGuard interface{ UnsavedWork() string }

// EscUser is implemented by tabs that use esc themselves while they do not capture keys
// (an applied filter that esc clears, as everywhere); the engagement screen then hands esc
// to the tab instead of leaving. q still leaves.
type EscUser interface{ UsesEsc() bool }

// ReadOnlyView is implemented by screens that show a past state no edit can reach (the
// engagement as of a baseline); ReadOnlyView says so in a few words. The root does not
// undo the workbench's edits while one is on top.
type ReadOnlyView interface{ ReadOnlyView() string }
