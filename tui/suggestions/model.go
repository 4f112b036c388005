// Package suggestions is the "crosswalk suggestions" screen: every adoption the crosswalk
// offers an engagement (a requirement nobody assessed yet whose mapped requirement in the
// other standard has a status that carries), to accept or skip one by one. Accepting saves
// the carried status marked needs review with its provenance; skipping is kept in the
// workspace so the suggestion does not come back.
package suggestions

import (
	"errors"
	"fmt"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
)

type keyMap struct {
	common.KeyMap
	Accept, Skip, Reload key.Binding
}

func newKeyMap(base common.KeyMap) keyMap {
	return keyMap{
		KeyMap: base,
		Accept: key.NewBinding(key.WithKeys("a", "enter"), key.WithHelp("a/enter", "accept (needs review)")),
		Skip:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "skip for good")),
		Reload: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload")),
	}
}

// Model is the crosswalk suggestions screen of one engagement.
type Model struct {
	c    *common.Common
	eng  assessments.Engagement
	keys keyMap

	width, height int

	items   []assessments.Suggestion
	skipped int
	loaded  bool
	loadErr error
	seq     int // tags loads; older answers are dropped
	busy    bool

	cursor, offset int
}

// New builds the screen for an engagement. The gap analysis opens it with
// common.PushScreenMsg; esc or q sends common.BackMsg.
func New(c *common.Common, e assessments.Engagement) common.Screen {
	return &Model{c: c, eng: e, keys: newKeyMap(c.Keys), width: c.Width, height: c.Height}
}

type loadedMsg struct {
	seq     int
	items   []assessments.Suggestion
	skipped int
	err     error
}

type acceptedMsg struct {
	sg     assessments.Suggestion
	result assessments.Result
	err    error
}

type skippedMsg struct {
	sg  assessments.Suggestion
	err error
}

// Init loads the suggestions.
func (m *Model) Init() tea.Cmd { return m.load() }

func (m *Model) load() tea.Cmd {
	m.seq++
	seq, c, e := m.seq, m.c, m.eng
	return func() tea.Msg {
		ctx := c.Context()
		items, err := c.Store.Suggestions(ctx, c.Catalogs, e)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		skips, err := c.Store.SuggestionSkips(ctx, e.ID)
		return loadedMsg{seq: seq, items: items, skipped: len(skips), err: err}
	}
}

// SetSize sets the drawing area.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.clamp()
}

// KeyMap returns the help bindings.
func (m *Model) KeyMap() help.KeyMap {
	k := m.keys
	return common.HelpMap{
		Short: []key.Binding{k.Accept, k.Skip, k.Up, k.Down, k.Back},
		Full: [][]key.Binding{
			{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
			{k.Accept, k.Skip, k.Reload},
			{k.Back, k.Quit},
		},
	}
}

// Selected returns the suggestion under the cursor.
func (m *Model) Selected() (assessments.Suggestion, bool) {
	if m.cursor < 0 || m.cursor >= len(m.items) {
		return assessments.Suggestion{}, false
	}
	return m.items[m.cursor], true
}

// Items are the suggestions shown, in order.
func (m *Model) Items() []assessments.Suggestion { return m.items }

// Update handles keys and the answers of the store.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.loaded, m.loadErr = true, msg.err
		if msg.err == nil {
			m.items, m.skipped = msg.items, msg.skipped
		}
		m.clamp()
		return m, nil
	case acceptedMsg:
		m.busy = false
		if msg.err != nil {
			// A stale suggestion (assessed or changed meanwhile) goes away on reload.
			return m, tea.Batch(common.ErrCmd(msg.err), m.load())
		}
		m.removeTarget(msg.sg)
		info := fmt.Sprintf("Adopted %s into %s %s as %s: marked needs review (%s)",
			m.label(msg.sg.From.Standard, msg.sg.From.Ref), m.short(msg.sg.Standard), msg.sg.Ref,
			msg.result.EffectiveStatus().Label(), msg.result.Provenance)
		// Reload: adopting can end or start other suggestions.
		return m, tea.Batch(common.InfoCmd(info), m.load())
	case skippedMsg:
		m.busy = false
		if msg.err != nil {
			return m, common.ErrCmd(msg.err)
		}
		m.removeSkipped(msg.sg)
		return m, common.InfoCmd(fmt.Sprintf("Skipped: %s %s will not be offered %s again",
			m.short(msg.sg.Standard), msg.sg.Ref, m.label(msg.sg.From.Standard, msg.sg.From.Ref)))
	case common.DataChangedMsg:
		return m, m.load()
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	}
	return m, nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Back):
		return func() tea.Msg { return common.BackMsg{} }
	case key.Matches(msg, k.Down):
		m.cursor++
	case key.Matches(msg, k.Up):
		m.cursor--
	case key.Matches(msg, k.PageDown):
		m.cursor += max(1, m.listHeight()-1)
	case key.Matches(msg, k.PageUp):
		m.cursor -= max(1, m.listHeight()-1)
	case key.Matches(msg, k.Home):
		m.cursor = 0
	case key.Matches(msg, k.End):
		m.cursor = len(m.items) - 1
	case key.Matches(msg, k.Reload):
		return m.load()
	case key.Matches(msg, k.Accept):
		return m.accept()
	case key.Matches(msg, k.Skip):
		return m.skip()
	}
	m.clamp()
	return nil
}

func (m *Model) accept() tea.Cmd {
	sg, ok := m.Selected()
	if !ok || m.busy {
		return nil
	}
	m.busy = true
	c, id := m.c, m.eng.ID
	return func() tea.Msg {
		r, err := c.Store.AcceptSuggestion(c.Context(), c.Catalogs, id, sg)
		if errors.Is(err, store.ErrSuggestionStale) {
			err = fmt.Errorf("not adopted: %w; the list was refreshed", err)
		}
		return acceptedMsg{sg: sg, result: r, err: err}
	}
}

func (m *Model) skip() tea.Cmd {
	sg, ok := m.Selected()
	if !ok || m.busy {
		return nil
	}
	m.busy = true
	c, id := m.c, m.eng.ID
	return func() tea.Msg {
		return skippedMsg{sg: sg, err: c.Store.SkipSuggestion(c.Context(), id, sg)}
	}
}

// removeSkipped drops one suggestion from the list, keeping the cursor on the same position.
func (m *Model) removeSkipped(sg assessments.Suggestion) {
	k := store.SkipKeyOf(sg)
	out := m.items[:0]
	for _, x := range m.items {
		if store.SkipKeyOf(x) != k {
			out = append(out, x)
		}
	}
	m.items = out
	m.skipped++
	m.clamp()
}

// removeTarget drops every suggestion for the requirement that was just assessed.
func (m *Model) removeTarget(sg assessments.Suggestion) {
	out := m.items[:0]
	for _, x := range m.items {
		if x.Standard != sg.Standard || x.Ref != sg.Ref {
			out = append(out, x)
		}
	}
	m.items = out
	m.clamp()
}

func (m *Model) clamp() {
	m.cursor = max(0, min(m.cursor, len(m.items)-1))
	h := m.listHeight()
	if h <= 0 {
		m.offset = 0
		return
	}
	// Scrolling counts display rows, which include one heading per standard pair.
	row := m.rowOf(m.cursor)
	m.offset = common.ScrollOffset(m.offset, row, row, h, len(m.displayRows()))
	// Keep the heading of the first visible item in view when there is room.
	if m.offset > 0 && row-m.offset+1 < h {
		if rows := m.displayRows(); m.offset < len(rows) && m.offset > 0 && rows[m.offset-1].heading {
			m.offset--
		}
	}
}

func (m *Model) short(std string) string {
	if c, ok := m.c.Catalogs.Get(std); ok {
		return c.Short
	}
	return std
}

func (m *Model) label(std, ref string) string { return m.short(std) + " " + ref }

func (m *Model) title(std, ref string) string {
	if c, ok := m.c.Catalogs.Get(std); ok {
		if r, ok := c.Requirement(ref); ok {
			return r.Title
		}
	}
	return ""
}
