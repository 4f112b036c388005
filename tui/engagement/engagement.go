// Package engagement is the screen of one engagement: a header, a tab bar and the tabs
// (dashboard, one gap analysis per standard in scope, risks, AI systems, evidence, export).
package engagement

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/gap"
)

// Model is the engagement screen.
type Model struct {
	c      *common.Common
	eng    assessments.Engagement
	tabs   []common.Tab
	active int
	width  int
	height int
	// later are the loads started once the tab on display has its data (see Init).
	later []tea.Cmd
	// access is what the connected role may do here (a team workspace's grant): an auditor or
	// viewer sees "read only" in the header, and the database refuses its edits.
	access store.Access
}

// accessMsg carries the connected role's access to the engagement.
type accessMsg struct {
	id     string
	access store.Access
}

// New builds the screen with every tab the engagement has.
func New(c *common.Common, e assessments.Engagement) *Model {
	m := &Model{c: c, eng: e}
	ext := gapExtensions()
	for _, f := range before {
		m.tabs = append(m.tabs, f(c, e))
	}
	for _, std := range e.Standards {
		if _, ok := c.Catalogs.Get(std); ok {
			m.tabs = append(m.tabs, gap.New(c, e, std, ext))
		}
	}
	for _, f := range after {
		m.tabs = append(m.tabs, f(c, e))
	}
	// Open on the first gap analysis tab when there is no dashboard before it.
	return m
}

// Init loads the first tab.
func (m *Model) Init() tea.Cmd {
	if len(m.tabs) == 0 {
		return nil
	}
	c, id := m.c, m.eng.ID
	access := func() tea.Msg {
		a, err := c.Store.Access(c.Ctx, id)
		if err != nil {
			return nil // the header just says nothing; every edit is still checked by the database
		}
		return accessMsg{id: id, access: a}
	}
	first := tea.Batch(m.tabs[m.active].Init(), m.tabs[m.active].Activate(), common.Send(m.Address(), access))
	// The gap analyses load too (the header shows their coverage figure), once the tab on
	// display has its data and is drawn: on a large engagement their reads would slow the
	// first view.
	var gaps []tea.Cmd
	for i, t := range m.tabs {
		if _, ok := t.(*gap.Model); ok && i != m.active {
			gaps = append(gaps, t.Init())
		}
	}
	if !m.Prepared() {
		m.later = gaps
		return first
	}
	return tea.Batch(append(gaps, first)...)
}

// Prepared reports whether the tab the screen opens on has its data (see common.Preparer).
func (m *Model) Prepared() bool {
	if len(m.tabs) == 0 {
		return true
	}
	if p, ok := m.tabs[m.active].(common.Preparer); ok {
		return p.Prepared()
	}
	return true
}

// coverageText is the header's "covered by the other standard's work" figure.
func (m *Model) coverageText() string {
	for _, t := range m.tabs {
		g, ok := t.(*gap.Model)
		if !ok || g.Coverage() == nil {
			continue
		}
		c := g.Coverage()
		by, of := c.By, c.Standard
		if cat, ok := m.c.Catalogs.Get(c.By); ok {
			by = cat.Short
		}
		if cat, ok := m.c.Catalogs.Get(c.Standard); ok {
			of = cat.Short
		}
		return fmt.Sprintf("%s covered by %s work: %d of %d (%s)", of, by, c.Covered, c.Applicable, common.Percent(c.Percent()))
	}
	return ""
}

// Capturing is true while the active tab holds the keyboard.
func (m *Model) Capturing() bool {
	return len(m.tabs) > 0 && m.tabs[m.active].Capturing()
}

// SetSize sizes the header and the active tab.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	for _, t := range m.tabs {
		t.SetSize(w, max(1, h-2))
	}
}

// KeyMap is the active tab's help plus tab switching.
func (m *Model) KeyMap() help.KeyMap {
	if len(m.tabs) == 0 {
		return common.HelpMap{Short: []key.Binding{m.c.Keys.Back}}
	}
	inner := m.tabs[m.active].KeyMap()
	if m.Capturing() {
		return inner
	}
	nav := []key.Binding{m.c.Keys.NextTab, m.c.Keys.PrevTab, m.c.Keys.Back}
	for _, k := range screenKeys {
		nav = append(nav, k.binding)
	}
	full := append([][]key.Binding{}, inner.FullHelp()...)
	full = append(full, nav)
	return common.HelpMap{Short: append(inner.ShortHelp(), m.c.Keys.NextTab), Full: full}
}

// ActiveTab returns the visible tab (tests use it).
func (m *Model) ActiveTab() common.Tab { return m.tabs[m.active] }

// SelectTab shows the tab with the given title; false when there is none.
func (m *Model) SelectTab(title string) (tea.Cmd, bool) {
	for i, t := range m.tabs {
		if t.Title() == title {
			return m.switchTo(i), true
		}
	}
	return nil, false
}

func (m *Model) switchTo(i int) tea.Cmd {
	if i < 0 || i >= len(m.tabs) || i == m.active {
		return nil
	}
	var cmds []tea.Cmd
	if f, ok := m.tabs[m.active].(common.Flusher); ok {
		if err := f.FlushDrafts(); err != nil {
			cmds = append(cmds, common.ErrCmd(err))
		}
	}
	m.active = i
	cmds, m.later = append(cmds, m.later...), nil
	cmds = append(cmds, func() tea.Msg { return common.ClearStatusMsg{} })
	return tea.Batch(append(cmds, m.tabs[i].Activate())...)
}

// Update routes keys to the active tab unless they switch tabs or leave.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if !m.Capturing() {
			switch {
			case key.Matches(msg, m.c.Keys.NextTab):
				return m, m.switchTo((m.active + 1) % len(m.tabs))
			case key.Matches(msg, m.c.Keys.PrevTab):
				return m, m.switchTo((m.active - 1 + len(m.tabs)) % len(m.tabs))
			case m.screenKey(msg) != nil:
				return m, m.screenKey(msg).run(m.c, m.eng)
			case key.Matches(msg, m.c.Keys.Cancel) && usesEsc(m.tabs[m.active]):
				// The tab clears its filter with esc (below).
			case key.Matches(msg, m.c.Keys.Back):
				if f, ok := m.tabs[m.active].(common.Flusher); ok {
					if err := f.FlushDrafts(); err != nil {
						return m, common.ErrCmd(err)
					}
				}
				return m, func() tea.Msg { return common.BackMsg{} }
			}
		}
	case common.GotoMsg:
		for i, t := range m.tabs {
			if t.Address() == msg.Tab {
				cmd := m.switchTo(i)
				if l, ok := t.(common.Locator); ok && msg.Item != "" {
					cmd = tea.Batch(cmd, l.Restore(msg.Item))
				}
				return m, cmd
			}
		}
		return m, nil
	case common.GotoRequirementMsg:
		for i, t := range m.tabs {
			if g, ok := t.(*gap.Model); ok && g.Standard() == msg.Standard {
				cmd := m.switchTo(i)
				return m, tea.Batch(cmd, g.Select(msg.Ref))
			}
		}
		return m, nil
	case common.DataChangedMsg:
		return m, m.tabs[m.active].Activate()
	case accessMsg:
		if msg.id == m.eng.ID {
			m.access = msg.access
		}
		return m, nil
	}
	if len(m.tabs) == 0 {
		return m, nil
	}
	// Input goes to the visible tab only; async results go to every tab, and each drops
	// what is not its own.
	switch msg.(type) {
	case tea.KeyPressMsg, tea.KeyReleaseMsg, tea.PasteMsg, tea.PasteStartMsg, tea.PasteEndMsg, tea.MouseMsg:
		next, cmd := m.tabs[m.active].Update(msg)
		m.tabs[m.active] = next.(common.Tab)
		return m, cmd
	}
	var cmds []tea.Cmd
	for i, t := range m.tabs {
		next, cmd := t.Update(msg)
		m.tabs[i] = next.(common.Tab)
		cmds = append(cmds, cmd)
	}
	if m.later != nil && m.Prepared() {
		cmds, m.later = append(cmds, m.later...), nil
	}
	return m, tea.Batch(cmds...)
}

// screenKey is the engagement-wide key msg presses, or nil.
func (m *Model) screenKey(msg tea.KeyPressMsg) *screenKey {
	for i := range screenKeys {
		if key.Matches(msg, screenKeys[i].binding) {
			return &screenKeys[i]
		}
	}
	return nil
}

// usesEsc is true when the visible tab wants esc for itself (to clear its filter).
func usesEsc(t common.Tab) bool {
	u, ok := t.(common.EscUser)
	return ok && u.UsesEsc()
}

// Address names the screen for addressed messages (the jump box reports here).
func (m *Model) Address() string { return m.eng.ID }

// Engagement is the engagement the screen shows.
func (m *Model) Engagement() assessments.Engagement { return m.eng }

// Deliver hands an addressed result to the tab it names, visible or not.
func (m *Model) Deliver(env common.Envelope) (bool, tea.Cmd) {
	for i, t := range m.tabs {
		if t.Address() == env.To {
			next, cmd := t.Update(env.Msg)
			m.tabs[i] = next.(common.Tab)
			return true, cmd
		}
	}
	return false, nil
}

// JumpTargets lists the tabs and what each tab offers (requirements, risks, AI systems,
// evidence). It runs in a command.
func (m *Model) JumpTargets(ctx context.Context) ([]common.JumpTarget, error) {
	var out []common.JumpTarget
	for _, t := range m.tabs {
		out = append(out, common.JumpTarget{Kind: "tab", Label: t.Title(), Msg: common.GotoMsg{Tab: t.Address()}})
	}
	// The visible tab's targets first: "A.5.2" typed in the ISO 42001 tab lists 42001's
	// A.5.2 before 27001's.
	for k := range m.tabs {
		t := m.tabs[(m.active+k)%len(m.tabs)]
		if j, ok := t.(common.Jumper); ok {
			more, err := j.JumpTargets(ctx)
			if err != nil {
				return out, err
			}
			out = append(out, more...)
		}
	}
	return out, nil
}

// Location is where the user is: the visible tab and the item in it.
func (m *Model) Location() (tab, item string) {
	if len(m.tabs) == 0 {
		return "", ""
	}
	t := m.tabs[m.active]
	if l, ok := t.(common.Locator); ok {
		item = l.Location()
	}
	return t.Address(), item
}

// UnsavedWork reports typed text a tab could not save as it stands.
func (m *Model) UnsavedWork() string {
	var parts []string
	for _, t := range m.tabs {
		if g, ok := t.(common.QuitGuard); ok {
			if w := g.UnsavedWork(); w != "" {
				parts = append(parts, w)
			}
		}
	}
	return strings.Join(parts, "; ")
}

// FlushDrafts saves what any tab still holds.
func (m *Model) FlushDrafts() error {
	for _, t := range m.tabs {
		if f, ok := t.(common.Flusher); ok {
			if err := f.FlushDrafts(); err != nil {
				return err
			}
		}
	}
	return nil
}

// View draws the engagement header, the tab bar and the active tab.
func (m *Model) View() string {
	st := m.c.Styles
	title := st.Title.Render(common.OneLine(m.eng.Name))
	if m.eng.Organisation != "" {
		title += st.Muted.Render(" · " + common.OneLine(m.eng.Organisation))
	}
	if m.access != "" && !m.access.Writes() {
		title += st.Warn.Render(" · read only (" + string(m.access) + ")")
	}
	if cov := m.coverageText(); cov != "" {
		// Right-aligned when there is room; dropped on a narrow terminal (the gap tab shows it).
		if gapW := m.width - lipgloss.Width(title) - lipgloss.Width(cov); gapW >= 3 {
			title += strings.Repeat(" ", gapW) + st.Info.Render(cov)
		}
	}
	var tabs []string
	for i, t := range m.tabs {
		if i == m.active {
			tabs = append(tabs, st.TabActive.Render(t.Title()))
		} else {
			tabs = append(tabs, st.TabInactive.Render(t.Title()))
		}
	}
	k := m.c.Keys
	keys := k.PrevTab.Help().Key + " " + k.NextTab.Help().Key + " switch"
	spaced, narrow := strings.Join(tabs, st.Subtle.Render(" │ ")), strings.Join(tabs, st.Subtle.Render("│"))
	wide, short := st.Subtle.Render("   "+keys), st.Subtle.Render(" "+keys)
	var bar string
	switch {
	case lipgloss.Width(spaced)+lipgloss.Width(wide) <= m.width:
		bar = spaced + wide
	case lipgloss.Width(narrow)+lipgloss.Width(short) <= m.width:
		// Many tabs on a narrow screen: closer tabs, and the bar still says how to switch.
		bar = narrow + short
	case lipgloss.Width(spaced) <= m.width:
		bar = spaced
	default:
		bar = narrow
	}
	body := ""
	if len(m.tabs) > 0 {
		body = m.tabs[m.active].View()
	}
	return common.Truncate(title, m.width) + "\n" + common.Truncate(bar, m.width) + "\n" + body
}
