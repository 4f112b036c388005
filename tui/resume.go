package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/engagement"
	"github.com/annex-grc/annex/tui/laststate"
)

// resumeMsg brings the engagement the user last had open in this workspace.
type resumeMsg struct {
	eng   assessments.Engagement
	place laststate.Place
}

// UseState makes the workbench remember where the user was (the state file at path): the
// gap analysis "advance" setting, and the engagement, tab and item open when it ends, to
// which it returns when opened again on the same workspace.
func (a *App) UseState(path string) {
	a.statePath = path
	st, _ := laststate.Load(path) // a missing or unreadable file: the defaults
	a.c.Prefs.Advance = st.Advance()
	if p, ok := st.Place(a.c.Store.Path()); ok {
		a.resume = &p
	}
}

// resumeCmd reads the engagement to reopen; one deleted since is forgotten quietly.
func (a *App) resumeCmd() tea.Cmd {
	if a.resume == nil {
		return nil
	}
	p, st, ctx := *a.resume, a.c.Store, a.c.Ctx
	a.resume = nil
	return func() tea.Msg {
		e, err := st.Engagement(ctx, p.Engagement)
		if err != nil {
			return nil
		}
		return resumeMsg{eng: e, place: p}
	}
}

// reopen opens the engagement and goes to the tab and item the user left.
func (a *App) reopen(msg resumeMsg) tea.Cmd {
	if a.opening != nil || len(a.stack) > 1 {
		return nil // the user already went somewhere
	}
	cmd := a.open(engagement.New(a.c, msg.eng))
	if msg.place.Tab == "" {
		return cmd
	}
	return tea.Batch(cmd, a.deliver(common.Envelope{To: msg.eng.ID, Msg: common.GotoMsg{Tab: msg.place.Tab, Item: msg.place.Item}}))
}

// saveState records the place and the settings in the state file (when the program ends).
func (a *App) saveState() error {
	if a.statePath == "" {
		return nil
	}
	var place laststate.Place
	for i := len(a.stack) - 1; i >= 0; i-- {
		if e, ok := a.stack[i].(*engagement.Model); ok {
			place.Engagement = e.Engagement().ID
			place.Tab, place.Item = e.Location()
			break
		}
	}
	ws, advance := a.c.Store.Path(), a.c.Prefs.Advance
	return laststate.Update(a.statePath, func(s *laststate.State) {
		s.SetPlace(ws, place)
		s.SetAdvance(advance)
	})
}
