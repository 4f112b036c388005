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
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/engagement"
	"github.com/annex-grc/annex/tui/home"
	"github.com/annex-grc/annex/tui/laststate"
)

// App is the root model: it owns the screen stack, the window size, the theme, the status
// line and the help bar, and routes every message to the screen on top.
type App struct {
	c     *common.Common
	stack []common.Screen
	// dialogs are drawn above the screens, the last in front; keys go to it first.
	dialogs  common.Dialogs
	fullHelp bool
	status   string
	isErr    bool
	statusID int
	// quitArmed is set after a ctrl+c that found unsaved work; a second ctrl+c quits.
	quitArmed bool
	// early carries the result of the first screen's load when Prefetch started it.
	early chan tea.Msg
	// opening is a screen being prepared off the display (common.Preparer): it gets the
	// results of its loads and is pushed once it is prepared, or after openWait.
	opening   common.Screen
	openingID int
	typed     []tea.Msg // input that came while opening was prepared (typeAhead)
	// statePath is the file that remembers where the user was ("" in tests); resume is the
	// place to return to at start.
	statePath string
	resume    *laststate.Place
}

// openWait is how long an opening screen may load before it is shown with what it has.
const openWait = 250 * time.Millisecond

type revealMsg struct{ id int }

// New builds the root model on an open workspace.
func New(ctx context.Context, s *store.Store, set *catalogs.Set) *App {
	c := &common.Common{Ctx: ctx, Store: s, Catalogs: set, Styles: common.NewStyles(true), Keys: common.DefaultKeyMap(), Now: time.Now,
		Undo: &common.UndoStack{}, Prefs: &common.Prefs{Advance: true}}
	a := &App{c: c}
	a.stack = []common.Screen{home.New(c)}
	return a
}

// Common exposes the shared handle (tests use it to size and inspect).
func (a *App) Common() *common.Common { return a.c }

func (a *App) top() common.Screen { return a.stack[len(a.stack)-1] }

// Init starts the home screen and asks the terminal for its background colour.
func (a *App) Init() tea.Cmd {
	if a.early != nil {
		early := a.early
		return tea.Batch(tea.RequestBackgroundColor, func() tea.Msg { return <-early }, a.resumeCmd())
	}
	return tea.Batch(tea.RequestBackgroundColor, a.top().Init(), a.resumeCmd())
}

// Prefetch starts the home screen's load (the command its Init returns) at once, before
// the program runs: the workspace query then overlaps the terminal's set-up, and the
// first frame bubbletea draws (one frame interval after it starts) already shows the
// engagements. Init hands the result over as the command's message, so the screen takes
// it in Update as usual. Call it once, before Init.
func (a *App) Prefetch() {
	cmd := a.top().Init()
	if cmd == nil {
		return
	}
	a.early = make(chan tea.Msg, 1)
	go func() { a.early <- cmd() }()
}

type clearStatusMsg struct{ id int }

func (a *App) setStatus(text string, isErr bool) tea.Cmd {
	a.status, a.isErr = text, isErr
	a.statusID++
	id := a.statusID
	return a.c.After(6*time.Second, clearStatusMsg{id})
}

// Update routes a message: input goes to the front dialog when one is open, else to the
// top screen; addressed results go to their owner wherever it sits.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.c.Width, a.c.Height = msg.Width, msg.Height
		for _, s := range a.stack {
			s.SetSize(a.bodySize())
		}
		if a.opening != nil {
			a.opening.SetSize(a.bodySize())
		}
		return a, nil
	case tea.BackgroundColorMsg:
		*a.c.Styles = *common.NewStyles(msg.IsDark())
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
	case common.Envelope:
		return a, a.deliver(msg)
	case common.OpenDialogMsg:
		a.fullHelp = false
		return a, a.dialogs.Open(msg.Dialog)
	case common.CloseDialogMsg:
		a.dialogs.Close(msg.ID)
		return a, nil
	case common.ClearStatusMsg:
		a.status = ""
		return a, nil
	case common.ToggleHelpMsg:
		a.fullHelp = !a.fullHelp
		return a, nil
	case common.OpenEngagementMsg:
		if a.opening != nil {
			return a, nil // one is on its way (enter pressed twice)
		}
		return a, a.open(engagement.New(a.c, msg.Engagement))
	case resumeMsg:
		return a, a.reopen(msg)
	case revealMsg:
		if a.opening != nil && msg.id == a.openingID {
			return a, a.reveal()
		}
		return a, nil
	case common.PushScreenMsg:
		return a, a.push(msg.Screen)
	case common.BackMsg:
		if len(a.stack) == 1 {
			return a, tea.Quit
		}
		a.stack = a.stack[:len(a.stack)-1]
		a.fullHelp = false
		a.status = ""
		// The screen below reloads: the one we left may have changed data.
		return a, a.route(common.DataChangedMsg{})
	case tea.KeyPressMsg:
		if key.Matches(msg, a.c.Keys.Quit) {
			if w := a.unsavedWork(); w != "" && !a.quitArmed {
				a.quitArmed = true
				return a, a.setStatus("Not saved yet: "+w+". Press ctrl+c again to quit and lose it, or any other key to go back.", true)
			}
			return a, tea.Quit
		}
		a.quitArmed = false
		if a.dialogs.Len() > 0 {
			return a, a.toDialog(msg)
		}
		if a.opening != nil {
			a.typeAhead(msg)
			return a, nil
		}
		if !a.capturing() {
			switch {
			case key.Matches(msg, a.c.Keys.Help):
				a.fullHelp = !a.fullHelp
				return a, nil
			case a.fullHelp && key.Matches(msg, a.c.Keys.Cancel):
				a.fullHelp = false
				return a, nil
			case key.Matches(msg, a.c.Keys.Undo):
				if v, ok := a.top().(common.ReadOnlyView); ok {
					return a, a.setStatus("Nothing to undo: "+v.ReadOnlyView()+".", false)
				}
				return a, a.undo()
			case key.Matches(msg, a.c.Keys.Jump):
				return a, a.openJump()
			}
		}
	case tea.PasteMsg, tea.PasteStartMsg, tea.PasteEndMsg, tea.KeyReleaseMsg:
		if a.dialogs.Len() > 0 {
			return a, a.toDialog(msg)
		}
		if a.opening != nil {
			a.typeAhead(msg)
			return a, nil
		}
	}
	return a, a.route(msg)
}

// toDialog hands input to the front dialog.
func (a *App) toDialog(msg tea.Msg) tea.Cmd { return a.dialogs.Input(msg, a.deliver) }

// deliver hands an addressed result to its owner: a dialog, a screen, or a part of a
// screen (a tab), wherever it is in the stack. An owner that has closed gets nothing: the
// result is already on disk and shows when the owner is opened again.
func (a *App) deliver(env common.Envelope) tea.Cmd {
	if cmd, ok := a.dialogs.Deliver(env, a.deliver); ok {
		return cmd
	}
	if a.opening != nil {
		if ad, ok := a.opening.(common.Addressed); ok && ad.Address() == env.To {
			return a.prepare(env.Msg)
		}
		if r, ok := a.opening.(common.Router); ok {
			if handled, cmd := r.Deliver(env); handled {
				return tea.Batch(cmd, a.revealIfPrepared())
			}
		}
	}
	for i := len(a.stack) - 1; i >= 0; i-- {
		s := a.stack[i]
		if ad, ok := s.(common.Addressed); ok && ad.Address() == env.To {
			next, cmd := s.Update(env.Msg)
			a.stack[i] = next
			return cmd
		}
		if r, ok := s.(common.Router); ok {
			if handled, cmd := r.Deliver(env); handled {
				return cmd
			}
		}
	}
	return nil
}

// undo takes back the newest edit made since the workbench opened, through the store's
// update path: the history gains a row for the reverse edit; nothing is removed from it.
func (a *App) undo() tea.Cmd {
	e, ok := a.c.Undo.Pop()
	if !ok {
		return a.setStatus("Nothing to undo since the workbench opened.", false)
	}
	ctx := a.c.Ctx
	return func() tea.Msg {
		msg, err := e.Run(ctx)
		if err != nil {
			return common.ErrMsg{Err: fmt.Errorf("could not undo %s: %w", e.Label, err)}
		}
		return tea.BatchMsg{
			func() tea.Msg { return common.Envelope{To: e.To, Msg: msg} },
			common.InfoCmd("Undone: " + e.Label),
		}
	}
}

// openJump opens the jump box over the top screen's targets.
func (a *App) openJump() tea.Cmd {
	j, ok := a.top().(common.Jumper)
	if !ok {
		return a.setStatus("Open an engagement to jump to a requirement, risk, AI system or evidence.", false)
	}
	owner := ""
	if ad, ok := a.top().(common.Addressed); ok {
		owner = ad.Address()
	}
	return tea.Sequence(common.OpenDialog(dialog.NewJump(a.c.Styles, owner, nil)), dialog.Load(a.c.Ctx, j))
}

func (a *App) push(s common.Screen) tea.Cmd {
	s.SetSize(a.bodySize())
	a.stack = append(a.stack, s)
	a.fullHelp = false
	return s.Init()
}

// open shows a screen: at once, or, for a common.Preparer, once it has loaded what it first
// shows (at most openWait later). Until then the screen below stays on display, the opening
// screen gets every message that is not input, its loads' results among them, and what the
// user types waits for it (typeAhead): enter then ] opens the engagement and then switches
// its tab, however long the opening took.
func (a *App) open(s common.Screen) tea.Cmd {
	p, ok := s.(common.Preparer)
	if !ok {
		a.status = "" // a message about the last screen does not belong to this one
		return a.push(s)
	}
	s.SetSize(a.bodySize())
	a.opening = s
	a.openingID++
	cmd := s.Init()
	if p.Prepared() {
		return tea.Batch(cmd, a.reveal())
	}
	return tea.Batch(cmd, a.c.After(openWait, revealMsg{a.openingID}))
}

// reveal pushes the opening screen and hands it what was typed while it opened.
func (a *App) reveal() tea.Cmd {
	s := a.opening
	a.opening = nil
	s.SetSize(a.bodySize())
	a.stack = append(a.stack, s)
	a.fullHelp = false
	a.status = "" // a message about the last screen does not belong to this one
	if len(a.typed) == 0 {
		return nil
	}
	cmds := make([]tea.Cmd, len(a.typed))
	for i, m := range a.typed {
		cmds[i] = func() tea.Msg { return m }
	}
	a.typed = nil
	return tea.Sequence(cmds...)
}

// typeAheadLimit bounds what is kept while a screen opens (a held key repeats fast).
const typeAheadLimit = 64

// typeAhead keeps input that arrives while a screen opens, for the screen (ctrl+c is not
// kept: it quits at once). Mouse input still goes to the screen on display.
func (a *App) typeAhead(msg tea.Msg) {
	if len(a.typed) < typeAheadLimit {
		a.typed = append(a.typed, msg)
	}
}

// prepare hands a message to the opening screen and shows it once it is prepared.
func (a *App) prepare(msg tea.Msg) tea.Cmd {
	next, cmd := a.opening.Update(msg)
	a.opening = next
	return tea.Batch(cmd, a.revealIfPrepared())
}

func (a *App) revealIfPrepared() tea.Cmd {
	if p, ok := a.opening.(common.Preparer); !ok || p.Prepared() {
		return a.reveal()
	}
	return nil
}

func (a *App) route(msg tea.Msg) tea.Cmd {
	next, cmd := a.top().Update(msg)
	a.stack[len(a.stack)-1] = next
	if a.opening != nil && !isInput(msg) {
		return tea.Batch(cmd, a.prepare(msg))
	}
	return cmd
}

// isInput tells what the user typed or clicked from the results of commands.
func isInput(msg tea.Msg) bool {
	switch msg.(type) {
	case tea.KeyPressMsg, tea.KeyReleaseMsg, tea.PasteMsg, tea.PasteStartMsg, tea.PasteEndMsg, tea.MouseMsg:
		return true
	}
	return false
}

func (a *App) capturing() bool {
	if a.dialogs.Len() > 0 {
		return true
	}
	if c, ok := a.top().(common.Capturer); ok {
		return c.Capturing()
	}
	return false
}

// bodySize is the space screens get: the window less the status and help lines.
func (a *App) bodySize() (int, int) {
	h := a.c.Height - 1 - lipgloss.Height(a.shortHelpView())
	if a.fullHelp {
		h = a.c.Height - 1 - a.fullHelpHeight()
	}
	if a.readOnlyBanner() != "" {
		h--
	}
	return a.c.Width, max(h, 1)
}

// readOnlyBanner is the line above the screens of a workspace opened read-only ("" when
// it can be written): edits are refused by the store with one sentence on the status line.
func (a *App) readOnlyBanner() string {
	if a.c.Store == nil || !a.c.Store.ReadOnly() {
		return ""
	}
	return "READ-ONLY: " + a.c.Store.ReadOnlyReason() + "; you can look, search and export, but no edit is saved."
}

// shortHelpView is the help bar: the keys that matter on one line, or two on a narrow
// terminal, never cut mid-word.
func (a *App) shortHelpView() string {
	lines := 1
	if a.c.Width < 110 {
		lines = 2
	}
	return common.ShortHelp(a.c.Styles, append(a.keyMap().ShortHelp(), a.c.Keys.Help), a.c.Width, lines)
}

func (a *App) fullHelpHeight() int {
	return lipgloss.Height(a.fullHelpView())
}

// keyMap is the help of what has the keyboard: the front dialog, else the top screen.
func (a *App) keyMap() help.KeyMap {
	if d := a.dialogs.Front(); d != nil {
		return d.KeyMap()
	}
	return a.top().KeyMap()
}

// globalKeys are the root's own keys, listed once at the end of the full help.
func (a *App) globalKeys() []key.Binding {
	k := a.c.Keys
	return []key.Binding{k.Jump, k.Undo, k.Help, k.Quit}
}

func (a *App) fullHelpView() string {
	return common.FullHelp(a.c.Styles, append(a.keyMap().FullHelp(), a.globalKeys()), a.c.Width)
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
	body := common.Fit(a.top().View(), w, h)
	if b := a.readOnlyBanner(); b != "" {
		body = st.Warn.Render(common.Truncate(b, w)) + "\n" + body
	}
	if a.dialogs.Len() > 0 {
		body = a.overlay(body, w, h)
	}
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
		helpView = a.fullHelpView()
	} else {
		helpView = a.shortHelpView()
	}
	return body + "\n" + status + "\n" + common.Fit(helpView, w, lipgloss.Height(helpView))
}

// overlay draws the front dialog centred above the body (crush's dialog overlay).
func (a *App) overlay(body string, w, h int) string {
	box := a.dialogs.Front().View(w, h)
	bw, bh := lipgloss.Width(box), lipgloss.Height(box)
	x, y := max(0, (w-bw)/2), max(0, (h-bh)/3)
	return lipgloss.NewCompositor(
		lipgloss.NewLayer(body),
		lipgloss.NewLayer(box).X(x).Y(y).Z(1),
	).Render()
}

// errorSentence is the status-line text of an error: its message, starting upper-case.
func errorSentence(err error) string {
	s := store.Plain(err).Error() // a lost database server or its refusal, in words
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
	_ = a.saveState() // where the user was is a convenience: failing to note it is no error
	return errors.Join(errs...)
}
