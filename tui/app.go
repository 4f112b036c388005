package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/engagement"
	"github.com/annex-grc/annex/tui/home"
)

// App is the root model: it owns the screen stack, the window size, the theme, the status
// line and the help bar, and routes every message to the screen on top.
type App struct {
	c        *common.Common
	stack    []common.Screen
	help     help.Model
	fullHelp bool
	status   string
	isErr    bool
	statusID int
	// quitArmed is set after a ctrl+c that found unsaved work; a second ctrl+c quits.
	quitArmed bool
}

// New builds the root model on an open workspace.
func New(ctx context.Context, s *store.Store, set *catalogs.Set) *App {
	c := &common.Common{Ctx: ctx, Store: s, Catalogs: set, Styles: common.NewStyles(true), Keys: common.DefaultKeyMap(), Now: time.Now}
	a := &App{c: c, help: help.New()}
	a.applyHelpStyles()
	a.stack = []common.Screen{home.New(c)}
	return a
}

// Common exposes the shared handle (tests use it to size and inspect).
func (a *App) Common() *common.Common { return a.c }

func (a *App) top() common.Screen { return a.stack[len(a.stack)-1] }

// Init starts the home screen and asks the terminal for its background colour.
func (a *App) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, a.top().Init())
}

type clearStatusMsg struct{ id int }

func (a *App) setStatus(text string, isErr bool) tea.Cmd {
	a.status, a.isErr = text, isErr
	a.statusID++
	id := a.statusID
	return a.c.After(6*time.Second, clearStatusMsg{id})
}

func (a *App) applyHelpStyles() {
	st := a.c.Styles
	a.help.Styles.ShortKey = st.Key
	a.help.Styles.FullKey = st.Key
	a.help.Styles.ShortDesc = st.Muted
	a.help.Styles.FullDesc = st.Muted
	a.help.Styles.ShortSeparator = st.Subtle
	a.help.Styles.FullSeparator = st.Subtle
	a.help.Styles.Ellipsis = st.Subtle
}

// Update routes a message.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.c.Width, a.c.Height = msg.Width, msg.Height
		a.help.SetWidth(msg.Width)
		for _, s := range a.stack {
			s.SetSize(a.bodySize())
		}
		return a, nil
	case tea.BackgroundColorMsg:
		*a.c.Styles = *common.NewStyles(msg.IsDark())
		a.applyHelpStyles()
		return a, nil
	case clearStatusMsg:
		if msg.id == a.statusID {
			a.status = ""
		}
		return a, nil
	case common.ErrMsg:
		return a, a.setStatus(errorSentence(msg.Err), true)
	case common.InfoMsg:
		return a, a.setStatus(msg.Text, false)
	case common.OpenEngagementMsg:
		scr := engagement.New(a.c, msg.Engagement)
		return a, a.push(scr)
	case common.PushScreenMsg:
		return a, a.push(msg.Screen)
	case common.BackMsg:
		if len(a.stack) == 1 {
			return a, tea.Quit
		}
		a.stack = a.stack[:len(a.stack)-1]
		a.fullHelp = false
		// The screen below reloads: the one we left may have changed data.
		return a, a.route(common.DataChangedMsg{})
	case tea.KeyPressMsg:
		if msg.String() == "ctrl+c" {
			if w := a.unsavedWork(); w != "" && !a.quitArmed {
				a.quitArmed = true
				return a, a.setStatus("Not saved yet: "+w+". Press ctrl+c again to quit and lose it, or any other key to go back.", true)
			}
			return a, tea.Quit
		}
		a.quitArmed = false
		if !a.capturing() && key.Matches(msg, a.c.Keys.Help) {
			a.fullHelp = !a.fullHelp
			return a, nil
		}
		if a.fullHelp && !a.capturing() && msg.String() == "esc" {
			a.fullHelp = false
			return a, nil
		}
	}
	return a, a.route(msg)
}

func (a *App) push(s common.Screen) tea.Cmd {
	s.SetSize(a.bodySize())
	a.stack = append(a.stack, s)
	a.fullHelp = false
	return s.Init()
}

func (a *App) route(msg tea.Msg) tea.Cmd {
	next, cmd := a.top().Update(msg)
	a.stack[len(a.stack)-1] = next
	return cmd
}

func (a *App) capturing() bool {
	if c, ok := a.top().(common.Capturer); ok {
		return c.Capturing()
	}
	return false
}

// bodySize is the space screens get: the window less the status and help lines.
func (a *App) bodySize() (int, int) {
	h := a.c.Height - 2
	if a.fullHelp {
		h = a.c.Height - 2 - a.fullHelpHeight()
	}
	return a.c.Width, max(h, 1)
}

func (a *App) fullHelpHeight() int {
	return lipgloss.Height(a.help.FullHelpView(a.top().KeyMap().FullHelp()))
}

// TooSmall reports whether the terminal is below the workbench's minimum size.
func (a *App) TooSmall() bool {
	return a.c.Width < common.MinWidth || a.c.Height < common.MinHeight
}

// View draws the top screen, the status line and the help bar.
func (a *App) View() tea.View {
	v := tea.NewView(a.render())
	v.AltScreen = true
	v.WindowTitle = "annex"
	return v
}

func (a *App) render() string {
	st := a.c.Styles
	if a.c.Width == 0 {
		return ""
	}
	if a.TooSmall() {
		msg := fmt.Sprintf("annex needs a terminal of at least %d×%d.\nThis one is %d×%d: please enlarge the window.\n\nctrl+c quits.",
			common.MinWidth, common.MinHeight, a.c.Width, a.c.Height)
		return lipgloss.Place(a.c.Width, a.c.Height, lipgloss.Center, lipgloss.Center, st.Warn.Render(msg))
	}
	w, h := a.bodySize()
	a.top().SetSize(w, h)
	body := fitHeight(a.top().View(), w, h)
	status := ""
	if a.status != "" {
		if a.isErr {
			status = st.Error.Render(common.Truncate("✗ "+common.OneLine(a.status), w))
		} else {
			status = st.OK.Render(common.Truncate("✓ "+common.OneLine(a.status), w))
		}
	}
	var helpView string
	if a.fullHelp {
		helpView = a.help.FullHelpView(a.top().KeyMap().FullHelp())
	} else {
		helpView = a.help.ShortHelpView(append(a.top().KeyMap().ShortHelp(), a.c.Keys.Help))
	}
	return body + "\n" + status + "\n" + fitHeight(helpView, w, lipgloss.Height(helpView))
}

// fitHeight pads or cuts a view to exactly h lines, each at most w cells.
func fitHeight(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = common.Truncate(l, w)
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// errorSentence is the status-line text of an error: its message, starting upper-case.
func errorSentence(err error) string {
	s := err.Error()
	if s == "" {
		return "Something went wrong."
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Flush saves typed text still open in any screen (called when the program ends).
func (a *App) Flush() error {
	// The program's context may be cancelled by now (a signal ended it); the last saves
	// must still go through.
	a.c.Ctx = context.Background()
	var errs []error
	for _, s := range a.stack {
		if f, ok := s.(common.Flusher); ok {
			if err := f.FlushDrafts(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
