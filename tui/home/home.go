// Package home is the first screen: the workspace's engagements with their readiness, and
// a welcome that offers a new engagement or the demo when the workspace is empty.
package home

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store/demo"
	"github.com/annex-grc/annex/tui/common"
)

// item is one engagement with its readiness per standard.
type item struct {
	eng       assessments.Engagement
	readiness map[string]assessments.Readiness
}

type keyMap struct {
	common.KeyMap
	Demo key.Binding
}

// Model is the home screen.
type Model struct {
	c      *common.Common
	keys   keyMap
	items  []item
	shown  []int // indexes into items after the filter
	cursor int
	offset int
	loaded bool
	seq    int

	filter    textinput.Model
	filtering bool

	form    *form
	confirm *deleteConfirm
	busy    string

	welcomeChoice int
	width, height int
}

// New builds the home screen.
func New(c *common.Common) *Model {
	fi := textinput.New()
	fi.Prompt = "/ "
	fi.Placeholder = "name or organisation"
	fi.CharLimit = 200
	return &Model{c: c, filter: fi, keys: keyMap{KeyMap: c.Keys,
		Demo: key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "add demo engagement"))}}
}

type loadedMsg struct {
	seq   int
	items []item
	err   error
}

type demoDoneMsg struct {
	eng assessments.Engagement
	err error
}

// Init loads the engagements.
func (m *Model) Init() tea.Cmd { return m.load() }

func (m *Model) load() tea.Cmd {
	m.seq++
	seq, c := m.seq, m.c
	return func() tea.Msg {
		engs, err := c.Store.Engagements(c.Ctx)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		counts, err := c.Store.StatusCounts(c.Ctx)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		items := make([]item, 0, len(engs))
		for _, e := range engs {
			it := item{eng: e, readiness: map[string]assessments.Readiness{}}
			for _, std := range e.Standards {
				if cat, ok := c.Catalogs.Get(std); ok {
					it.readiness[std] = assessments.ReadinessFromCounts(len(cat.Requirements), counts[e.ID][std])
				}
			}
			items = append(items, it)
		}
		return loadedMsg{seq: seq, items: items}
	}
}

func (m *Model) addDemo() tea.Cmd {
	if m.busy != "" {
		return nil
	}
	m.busy = "Adding the demo engagement…"
	c := m.c
	return func() tea.Msg {
		e, err := demo.Create(c.Ctx, c.Store, c.Catalogs, demo.Options{})
		return demoDoneMsg{eng: e, err: err}
	}
}

// UnsavedWork: the engagement form is saved only with ctrl+s, so a changed form is at risk.
func (m *Model) UnsavedWork() string {
	if m.form != nil && m.form.dirty() {
		return "the engagement form"
	}
	return ""
}

// Capturing is true while the filter, a form or the delete confirmation has the keyboard.
func (m *Model) Capturing() bool { return m.filtering || m.form != nil || m.confirm != nil }

// SetSize sets the drawing area.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	if m.form != nil {
		m.form.setWidth(w)
	}
}

// KeyMap lists the keys of the current state.
func (m *Model) KeyMap() help.KeyMap {
	k := m.keys
	switch {
	case m.form != nil:
		return m.form.keyMap()
	case m.confirm != nil:
		return common.HelpMap{Short: []key.Binding{k.Confirm, k.Cancel}}
	case len(m.items) == 0:
		return common.HelpMap{Short: []key.Binding{k.Up, k.Down, k.Open, k.New, k.Demo, k.Quit},
			Full: [][]key.Binding{{k.Up, k.Down, k.Open}, {k.New, k.Demo, k.Quit}}}
	}
	return common.HelpMap{
		Short: []key.Binding{k.Up, k.Down, k.Open, k.New, k.Edit, k.Delete, k.Filter, k.Back},
		Full:  [][]key.Binding{{k.Up, k.Down, k.Home, k.End, k.Open}, {k.New, k.Edit, k.Delete, k.Demo}, {k.Filter, k.Back, k.Quit}},
	}
}

func (m *Model) applyFilter() {
	keep := -1
	if m.cursor >= 0 && m.cursor < len(m.shown) {
		keep = m.shown[m.cursor]
	}
	m.shown = m.shown[:0]
	q := strings.TrimSpace(m.filter.Value())
	if q == "" {
		for i := range m.items {
			m.shown = append(m.shown, i)
		}
	} else {
		src := make([]string, len(m.items))
		for i, it := range m.items {
			src[i] = it.eng.Name + " " + it.eng.Organisation
		}
		for _, f := range fuzzy.Find(q, src) {
			m.shown = append(m.shown, f.Index)
		}
	}
	m.cursor = 0
	for i, idx := range m.shown {
		if idx == keep {
			m.cursor = i
		}
	}
}

func (m *Model) current() (item, bool) {
	if m.cursor < 0 || m.cursor >= len(m.shown) {
		return item{}, false
	}
	return m.items[m.shown[m.cursor]], true
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		if msg.err != nil {
			return m, common.ErrCmd(msg.err)
		}
		m.items, m.loaded = msg.items, true
		m.applyFilter()
		return m, nil
	case demoDoneMsg:
		m.busy = ""
		if msg.err != nil {
			return m, tea.Batch(common.ErrCmd(msg.err), m.load())
		}
		return m, tea.Batch(m.load(), common.InfoCmd("Added the demo engagement "+msg.eng.Name))
	case savedMsg:
		return m, m.handleSaved(msg)
	case deletedMsg:
		if msg.err != nil {
			return m, common.ErrCmd(msg.err)
		}
		return m, tea.Batch(m.load(), common.InfoCmd("Deleted "+msg.name))
	case common.DataChangedMsg:
		return m, m.load()
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	}
	if m.form != nil {
		return m, m.form.update(msg)
	}
	if m.confirm != nil {
		var cmd tea.Cmd
		m.confirm.input, cmd = m.confirm.input.Update(msg)
		return m, cmd
	}
	if m.filtering {
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		m.applyFilter()
		return m, cmd
	}
	return m, nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case m.form != nil:
		return m.formKey(msg)
	case m.confirm != nil:
		return m.confirmKey(msg)
	case m.filtering:
		switch msg.String() {
		case "enter", "tab", "down", "up":
			m.filtering = false
			m.filter.Blur()
			return nil
		case "esc":
			m.filtering = false
			m.filter.Blur()
			m.filter.SetValue("")
			m.applyFilter()
			return nil
		}
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		m.applyFilter()
		return cmd
	}
	if m.loaded && len(m.items) == 0 {
		switch {
		case key.Matches(msg, k.Up):
			m.welcomeChoice = 0
		case key.Matches(msg, k.Down):
			m.welcomeChoice = 1
		case key.Matches(msg, k.Open):
			if m.welcomeChoice == 0 {
				return m.addDemo()
			}
			return m.openForm(nil)
		case key.Matches(msg, k.Demo):
			return m.addDemo()
		case key.Matches(msg, k.New):
			return m.openForm(nil)
		case key.Matches(msg, k.Back):
			return func() tea.Msg { return common.BackMsg{} }
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Up):
		m.cursor = max(0, m.cursor-1)
	case key.Matches(msg, k.Down):
		m.cursor = max(0, min(len(m.shown)-1, m.cursor+1)) // an empty list (a filter matching nothing) keeps 0
	case key.Matches(msg, k.Home):
		m.cursor = 0
	case key.Matches(msg, k.End):
		m.cursor = max(0, len(m.shown)-1)
	case key.Matches(msg, k.Open):
		if it, ok := m.current(); ok {
			return func() tea.Msg { return common.OpenEngagementMsg{Engagement: it.eng} }
		}
	case key.Matches(msg, k.New):
		return m.openForm(nil)
	case key.Matches(msg, k.Edit):
		if it, ok := m.current(); ok {
			e := it.eng
			return m.openForm(&e)
		}
	case key.Matches(msg, k.Delete):
		if it, ok := m.current(); ok {
			m.confirm = newDeleteConfirm(it.eng)
			return m.confirm.input.Focus()
		}
	case key.Matches(msg, k.Demo):
		return m.addDemo()
	case key.Matches(msg, k.Filter):
		m.filtering = true
		return m.filter.Focus()
	case key.Matches(msg, k.Back):
		return func() tea.Msg { return common.BackMsg{} }
	}
	return nil
}

// View draws the welcome, the list, or the open form.
func (m *Model) View() string {
	st := m.c.Styles
	if m.form != nil {
		return m.form.view(m.c.Styles, m.width, m.height)
	}
	var b strings.Builder
	b.WriteString(st.Title.Render("annex") + st.Muted.Render("  ISO/IEC 27001 · ISO/IEC 42001 workbench · "+common.OneLine(common.ShortPath(m.c.Store.Path()))) + "\n\n")
	if !m.loaded {
		b.WriteString(st.Muted.Render("Loading…"))
		return b.String()
	}
	if m.busy != "" {
		b.WriteString(st.Info.Render(m.busy) + "\n\n")
	}
	if len(m.items) == 0 {
		b.WriteString(m.welcomeView())
		return b.String()
	}
	if m.confirm != nil {
		b.WriteString(m.confirm.view(st, m.width) + "\n\n")
	} else if m.filtering || m.filter.Value() != "" {
		b.WriteString(m.filter.View() + "\n\n")
	} else {
		b.WriteString(st.Header.Render(fmt.Sprintf("Engagements (%d)", len(m.items))) + "\n\n")
	}
	b.WriteString(m.listView())
	return b.String()
}

func (m *Model) welcomeView() string {
	st := m.c.Styles
	var b strings.Builder
	b.WriteString(st.Header.Render("Welcome to annex.") + "\n\n")
	b.WriteString("This workspace has no engagement yet. An engagement is one client and scope, with\n")
	b.WriteString("ISO/IEC 27001:2022, ISO/IEC 42001:2023, or both in scope. Everything you type is saved at once.\n\n")
	choices := []string{
		"Load the demo engagement (Medivance Health, a fictional health-tech company)",
		"Create a new engagement",
	}
	for i, ch := range choices {
		if i == m.welcomeChoice {
			b.WriteString(st.Cursor.Render("› ") + st.Selected.Render(ch) + "\n")
		} else {
			b.WriteString("  " + ch + "\n")
		}
	}
	b.WriteString("\n" + st.Muted.Render("enter chooses · n new engagement · D demo · ctrl+c quits"))
	return b.String()
}

func (m *Model) listView() string {
	st := m.c.Styles
	rowsAvail := max(1, (m.height-5)/3)
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+rowsAvail {
		m.offset = m.cursor - rowsAvail + 1
	}
	var b strings.Builder
	if len(m.shown) == 0 {
		b.WriteString(st.Muted.Render("No engagement matches the filter."))
	}
	for i := m.offset; i < len(m.shown) && i < m.offset+rowsAvail; i++ {
		it := m.items[m.shown[i]]
		sel := i == m.cursor
		name := common.OneLine(it.eng.Name)
		org := common.OneLine(it.eng.Organisation)
		line1 := common.Truncate(name, m.width-4)
		if sel {
			line1 = st.Cursor.Render("› ") + st.Selected.Render(line1)
		} else {
			line1 = "  " + st.Bold.Render(line1)
		}
		var parts []string
		for _, std := range it.eng.Standards {
			r := it.readiness[std]
			short := std
			if cat, ok := m.c.Catalogs.Get(std); ok {
				short = cat.Short
			}
			parts = append(parts, fmt.Sprintf("%s %s %s", short, st.Bar(r.Percent(), 10), common.Percent(r.Percent())))
		}
		meta := org
		if it.eng.Status != "" && it.eng.Status != assessments.EngagementActive {
			meta += " · " + strings.ReplaceAll(string(it.eng.Status), "_", " ")
		}
		line2 := "    " + st.Muted.Render(common.Truncate(meta, m.width/3)) + "  " + strings.Join(parts, "   ")
		b.WriteString(line1 + "\n" + common.Truncate(line2, m.width) + "\n\n")
	}
	return b.String()
}
