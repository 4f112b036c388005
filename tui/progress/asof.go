package progress

import (
	"context"
	"fmt"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
)

// AsOf is the engagement as it was at a baseline: the ordinary engagement screen (every
// tab) over a workspace rebuilt from the history and opened read-only (store.OpenAsOf), so
// every screen reads it as it reads any workspace and every edit is refused by the store
// with one sentence. A banner above it says so; q leaves it and removes that workspace.
type AsOf struct {
	c     *common.Common
	a     *store.AsOf
	inner common.Screen
	w, h  int
}

// NewAsOf opens the engagement screen (screen builds it) on the as-of workspace: a Common
// of its own with that store, the baseline's time as its clock and an undo list of its own.
func NewAsOf(c *common.Common, a *store.AsOf, screen func(*common.Common, assessments.Engagement) common.Screen) *AsOf {
	cc := *c
	cc.Store = a.Store
	at := a.Baseline.At
	cc.Now = func() time.Time { return at }
	cc.Undo = &common.UndoStack{}
	return &AsOf{c: c, a: a, inner: screen(&cc, a.Engagement)}
}

// Banner is the line above the engagement.
func (s *AsOf) Banner() string {
	return fmt.Sprintf("AS OF BASELINE %q (%s) · read-only: nothing here can be changed · q returns to now",
		s.a.Baseline.Name, s.a.Baseline.At.Local().Format("2006-01-02 15:04"))
}

// ReadOnlyView tells the root that undo has nothing to take back here.
func (s *AsOf) ReadOnlyView() string {
	return fmt.Sprintf("this is the engagement as of baseline %q, read-only", s.a.Baseline.Name)
}

// Init starts the engagement screen.
func (s *AsOf) Init() tea.Cmd { return s.inner.Init() }

// SetSize gives the engagement all but the banner's line.
func (s *AsOf) SetSize(w, h int) {
	s.w, s.h = w, h
	s.inner.SetSize(w, max(1, h-1))
}

// Update leaves on q (esc where no tab uses it) and hands everything else to the engagement.
func (s *AsOf) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, s.c.Keys.Back) && !s.Capturing() {
		esc := key.Matches(k, s.c.Keys.Cancel)
		if t, ok := s.inner.(interface{ ActiveTab() common.Tab }); !esc || !ok || !usesEsc(t.ActiveTab()) {
			s.close()
			return s, func() tea.Msg { return common.BackMsg{} }
		}
	}
	next, cmd := s.inner.Update(msg)
	s.inner = next
	return s, cmd
}

func usesEsc(t common.Tab) bool {
	u, ok := t.(common.EscUser)
	return ok && u.UsesEsc()
}

func (s *AsOf) close() {
	if s.a != nil {
		_ = s.a.Close()
	}
}

// FlushDrafts removes the as-of workspace when the program ends with the view open.
func (s *AsOf) FlushDrafts() error {
	s.close()
	return nil
}

// View draws the banner and the engagement.
func (s *AsOf) View() string {
	st := s.c.Styles
	return st.Warn.Bold(true).Render(common.Truncate(s.Banner(), s.w)) + "\n" + s.inner.View()
}

// KeyMap is the engagement's.
func (s *AsOf) KeyMap() help.KeyMap { return s.inner.KeyMap() }

// Capturing is the engagement's.
func (s *AsOf) Capturing() bool {
	c, ok := s.inner.(common.Capturer)
	return ok && c.Capturing()
}

// Address is the engagement's (the jump box reports there).
func (s *AsOf) Address() string {
	if a, ok := s.inner.(common.Addressed); ok {
		return a.Address()
	}
	return ""
}

// Deliver hands addressed results to the engagement's tabs.
func (s *AsOf) Deliver(env common.Envelope) (bool, tea.Cmd) {
	if r, ok := s.inner.(common.Router); ok {
		return r.Deliver(env)
	}
	return false, nil
}

// JumpTargets are the engagement's.
func (s *AsOf) JumpTargets(ctx context.Context) ([]common.JumpTarget, error) {
	if j, ok := s.inner.(common.Jumper); ok {
		return j.JumpTargets(ctx)
	}
	return nil, nil
}
