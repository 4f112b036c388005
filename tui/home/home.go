// Package home is the first screen: the workspace's engagements with their readiness, and
// a welcome that offers a new engagement or the demo when the workspace is empty.
package home

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
)

// Address is where the home screen's results and dialog answers are delivered.
const Address = "home"

// item is one engagement with its readiness per standard.
type item struct {
	eng       assessments.Engagement
	readiness map[string]assessments.Readiness
	hay       string // name and organisation, folded for the filter
}

// Model is the home screen.
type Model struct {
	c     *common.Common
	keys  keyMap
	items []item
	shown []int // indexes into items that pass the filter
	list  cursor

	loaded bool
	seq    int

	filter    textinput.Model
	filtering bool // the filter has the keyboard

	form     *engForm
	deleting *assessments.Engagement // the engagement the delete dialog names
	busy     string

	// away is set when home opened an engagement and cleared when it has the keyboard
	// again: a confirmation that arrives meanwhile belongs to home, not to the screen on top.
	away bool

	// pendingKeep is the engagement the cursor goes to when the list next loads (one just
	// created, saved or added).
	pendingKeep string

	welcomeChoice int
	width, height int
}

// New builds the home screen.
func New(c *common.Common) *Model {
	fi := textinput.New()
	fi.Prompt = "/ "
	fi.Placeholder = "name or organisation"
	fi.CharLimit = 200
	st := fi.Styles()
	st.Cursor.Blink = false
	fi.SetStyles(st)
	m := &Model{c: c, filter: fi, keys: newKeyMap(c.Keys)}
	m.fitFilter()
	return m
}

// fitFilter sizes the filter input to its text (without a width the input draws one letter
// of its placeholder; with a fixed one it pads the count away from the text).
func (m *Model) fitFilter() {
	if v := m.filter.Value(); v != "" {
		m.filter.SetWidth(utf8.RuneCountInString(v) + 1)
		return
	}
	m.filter.SetWidth(utf8.RuneCountInString(m.filter.Placeholder))
}

// Address names the screen for addressed results.
func (m *Model) Address() string { return Address }

type loadedMsg struct {
	seq   int
	items []item
	err   error
}

// Init loads the engagements.
func (m *Model) Init() tea.Cmd { return m.load() }

func (m *Model) load() tea.Cmd {
	m.seq++
	seq, c := m.seq, m.c
	return common.Send(Address, func() tea.Msg {
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
			it := item{eng: e, readiness: map[string]assessments.Readiness{}, hay: fold(e.Name + " " + e.Organisation)}
			for _, std := range e.Standards {
				if cat, ok := c.Catalogs.Get(std); ok {
					it.readiness[std] = assessments.ReadinessFromCounts(len(cat.Requirements), counts[e.ID][std])
				}
			}
			items = append(items, it)
		}
		return loadedMsg{seq: seq, items: items}
	})
}

// UnsavedWork: the engagement form is saved only with ctrl+s, so a changed form is at risk.
func (m *Model) UnsavedWork() string {
	if m.form != nil && m.form.f.Changed() {
		return "the engagement form"
	}
	return ""
}

// Capturing is true while the filter or the engagement form has the keyboard.
func (m *Model) Capturing() bool { return m.filtering || m.form != nil }

// SetSize sets the drawing area.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	if m.form != nil {
		m.form.setSize(w, h)
	}
	m.list.clamp(len(m.shown), m.rows())
}

// rows is how many engagements fit: each takes three lines under a four-line header.
func (m *Model) rows() int { return max(1, (m.height-4)/3) }

// filtered is true while a filter narrows the list (typed or kept).
func (m *Model) filtered() bool { return strings.TrimSpace(m.filter.Value()) != "" }

// applyFilter recomputes the shown rows, keeping the cursor on the engagement keepID when
// it is still shown (the first row otherwise).
func (m *Model) applyFilter(keepID string) {
	words := strings.Fields(fold(m.filter.Value()))
	m.shown = m.shown[:0]
	for i, it := range m.items {
		if matches(it.hay, words) {
			m.shown = append(m.shown, i)
		}
	}
	m.list.cur = 0
	for i, idx := range m.shown {
		if m.items[idx].eng.ID == keepID {
			m.list.cur = i
			break
		}
	}
	m.list.clamp(len(m.shown), m.rows())
}

func matches(hay string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// current is the engagement under the cursor; false when no row is shown.
func (m *Model) current() (item, bool) {
	if m.list.cur < 0 || m.list.cur >= len(m.shown) {
		return item{}, false
	}
	return m.items[m.shown[m.list.cur]], true
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		if msg.err != nil {
			return m, common.ErrCmd(fmt.Errorf("read the engagements: %w", msg.err))
		}
		keep := m.pendingKeep
		m.pendingKeep = ""
		if keep == "" {
			keep = m.currentID()
		}
		row := m.list.cur
		m.items, m.loaded = msg.items, true
		m.applyFilter(keep)
		if keep != "" && m.currentID() != keep {
			// The engagement is gone (deleted here or elsewhere): stay at the same row.
			m.list.cur = row
			m.list.clamp(len(m.shown), m.rows())
		}
		return m, nil
	case demoDoneMsg:
		m.busy = ""
		if msg.err != nil {
			return m, tea.Batch(common.ErrCmd(fmt.Errorf("could not add the demo engagement: %w", msg.err)), m.load())
		}
		m.pendingKeep = msg.eng.ID
		return m, tea.Batch(m.load(), m.info("Added the demo engagement "+msg.eng.Name+"."))
	case addDemoMsg:
		return m, m.addDemo()
	case savedMsg:
		return m, m.handleSaved(msg)
	case common.PeopleMsg:
		if m.form != nil {
			m.form.f.SetPeople(msg.Names)
		}
		return m, nil
	case dialog.SubmitMsg:
		if msg.ID == deleteDialogID {
			return m, m.submitDelete(msg.Values)
		}
		return m, nil
	case deletedMsg:
		return m, m.handleDeleted(msg)
	case common.DataChangedMsg:
		m.away = false
		return m, m.load()
	case tea.KeyPressMsg:
		m.away = false
		return m, m.handleKey(msg)
	case tea.PasteMsg:
		m.away = false
		return m, m.paste(msg)
	}
	return m, nil
}

// currentID is the id of the engagement under the cursor, "" when none.
func (m *Model) currentID() string {
	if it, ok := m.current(); ok {
		return it.eng.ID
	}
	return ""
}

// info is a confirmation for the status line, dropped when another screen is on top.
func (m *Model) info(text string) tea.Cmd {
	if m.away {
		return nil
	}
	return common.InfoCmd(text)
}

func (m *Model) paste(msg tea.PasteMsg) tea.Cmd {
	switch {
	case m.form != nil:
		_, cmd := m.form.f.Update(msg)
		return cmd
	case m.filtering:
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(tea.PasteMsg{Content: common.OneLine(msg.Content)})
		m.applyFilter(m.currentID())
		m.fitFilter()
		return cmd
	}
	return nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case m.form != nil:
		return m.formKey(msg)
	case m.filtering:
		return m.filterKey(msg)
	case !m.loaded:
		if key.Matches(msg, k.Quit) {
			return quit
		}
		return nil
	case len(m.items) == 0:
		return m.welcomeKey(msg)
	}
	rows := m.rows()
	switch {
	case m.filtered() && key.Matches(msg, k.ClearFilter):
		m.filter.SetValue("")
		m.fitFilter()
		m.applyFilter(m.currentID())
	case key.Matches(msg, k.Up):
		m.list.move(-1, len(m.shown), rows)
	case key.Matches(msg, k.Down):
		m.list.move(1, len(m.shown), rows)
	case key.Matches(msg, k.PageUp):
		m.list.move(-rows, len(m.shown), rows)
	case key.Matches(msg, k.PageDown):
		m.list.move(rows, len(m.shown), rows)
	case key.Matches(msg, k.Home):
		m.list.move(-len(m.shown), len(m.shown), rows)
	case key.Matches(msg, k.End):
		m.list.move(len(m.shown), len(m.shown), rows)
	case key.Matches(msg, k.Open):
		if it, ok := m.current(); ok {
			m.away = true
			e := it.eng
			return func() tea.Msg { return common.OpenEngagementMsg{Engagement: e} }
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
			return m.openDelete(it.eng)
		}
	case key.Matches(msg, k.Demo):
		return m.askDemo()
	case key.Matches(msg, k.Filter):
		m.filtering = true
		return m.filter.Focus()
	case key.Matches(msg, k.Quit):
		return quit
	}
	return nil
}

func quit() tea.Msg { return common.BackMsg{} }

// filterKey: typed text narrows the list as it is typed; ↑/↓ move in what is left.
func (m *Model) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	rows := m.rows()
	switch {
	case key.Matches(msg, k.FilterCancel):
		m.filtering = false
		m.filter.Blur()
		m.filter.SetValue("")
		m.fitFilter()
		m.applyFilter(m.currentID())
		return nil
	case key.Matches(msg, k.FilterDone):
		m.filtering = false
		m.filter.Blur()
		return nil
	case key.Matches(msg, k.FilterUp):
		m.list.move(-1, len(m.shown), rows)
		return nil
	case key.Matches(msg, k.FilterDown):
		m.list.move(1, len(m.shown), rows)
		return nil
	}
	before := m.filter.Value()
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	if m.filter.Value() != before {
		m.applyFilter(m.currentID())
		m.fitFilter()
	}
	return cmd
}

func (m *Model) welcomeKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
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
		return m.askDemo()
	case key.Matches(msg, k.New):
		return m.openForm(nil)
	case key.Matches(msg, k.Quit):
		return quit
	}
	return nil
}

// KeyMap lists the keys of the current state, the ones that matter most first.
func (m *Model) KeyMap() help.KeyMap {
	k := m.keys
	switch {
	case m.form != nil:
		return m.form.keyMap()
	case m.filtering:
		b := []key.Binding{k.FilterDone, k.FilterCancel, k.FilterDown, k.FilterUp}
		return common.HelpMap{Short: b, Full: [][]key.Binding{b}}
	case !m.loaded:
		return common.HelpMap{Short: []key.Binding{k.Quit}, Full: [][]key.Binding{{k.Quit}}}
	case len(m.items) == 0:
		open := withHelp(k.Open, "enter", "choose")
		return common.HelpMap{Short: []key.Binding{open, k.Demo, k.New, k.Up, k.Down, k.Quit},
			Full: [][]key.Binding{{open, k.Demo, k.New}, {k.Up, k.Down, k.Quit}}}
	}
	clear := k.ClearFilter
	clear.SetEnabled(m.filtered())
	short := []key.Binding{k.Open, k.New, k.Filter, k.Edit, k.Delete, k.Quit}
	if m.filtered() {
		short = []key.Binding{k.Open, clear, k.Edit, k.Delete, k.New, k.Quit} // fits 80 columns
	}
	return common.HelpMap{
		Short: short,
		Full: [][]key.Binding{{k.Open, k.New, k.Edit, k.Delete, k.Demo},
			{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
			{k.Filter, clear, k.Quit}},
	}
}

// View draws the welcome, the list, or the open form.
func (m *Model) View() string {
	st := m.c.Styles
	if m.form != nil {
		return m.form.view(st)
	}
	w := max(20, m.width)
	lines := []string{common.Truncate(st.Title.Render("annex")+st.Muted.Render("  ISO/IEC 27001 · ISO/IEC 42001 workbench · "+common.OneLine(common.ShortPath(m.c.Store.Path()))), w), ""}
	switch {
	case !m.loaded:
		lines = append(lines, st.Muted.Render("Loading…"))
	case len(m.items) == 0:
		if m.busy != "" {
			lines = append(lines, st.Info.Render(m.busy), "")
		}
		lines = append(lines, m.welcomeLines(w)...)
	default:
		lines = append(lines, m.headerLine(w), "")
		lines = append(lines, m.listLines(w)...)
	}
	return strings.Join(lines, "\n")
}

// headerLine is the count, the filter being typed or kept, or the work in progress.
func (m *Model) headerLine(w int) string {
	st := m.c.Styles
	if m.busy != "" {
		return common.Truncate(st.Info.Render(m.busy), w)
	}
	total := len(m.items)
	if !m.filtering && !m.filtered() {
		return st.Header.Render(common.Count(total, "engagement", "engagements"))
	}
	count := fmt.Sprintf("  %d of %s", len(m.shown), common.Count(total, "engagement", "engagements"))
	in := m.filter.View()
	if !m.filtering {
		in = st.Accent.Render("/ " + common.OneLine(m.filter.Value()))
		count += " · esc clears the filter"
	}
	return common.Truncate(in+st.Muted.Render(count), w)
}

func (m *Model) welcomeLines(w int) []string {
	st := m.c.Styles
	// A readable measure on a wide terminal.
	wrap := func(s string) []string { return strings.Split(lipgloss.Wrap(s, min(w, 88), " "), "\n") }
	out := []string{st.Header.Render("Welcome to annex."), ""}
	out = append(out, wrap("This workspace has no engagement yet. An engagement is one client and scope, with "+
		"ISO/IEC 27001:2022, ISO/IEC 42001:2023, or both in scope. Everything you type is saved at once.")...)
	out = append(out, "")
	choices := []string{
		"Load the demo engagement (Medivance Health, a fictional health-tech company)",
		"Create a new engagement",
	}
	for i, ch := range choices {
		ch = common.Truncate(ch, w-2)
		if i == m.welcomeChoice {
			out = append(out, st.Cursor.Render("› ")+st.Selected.Render(ch))
		} else {
			out = append(out, "  "+ch)
		}
	}
	return out
}

// listLines draws the rows in view: three lines each (name, details, a gap).
func (m *Model) listLines(w int) []string {
	st := m.c.Styles
	if len(m.shown) == 0 {
		return []string{st.Muted.Render(common.Truncate("No engagement matches the filter; backspace widens it, esc clears it.", w))}
	}
	l := m.list
	l.clamp(len(m.shown), m.rows()) // a copy: View changes nothing
	end := min(len(m.shown), l.off+m.rows())
	out := make([]string, 0, 3*(end-l.off))
	for i := l.off; i < end; i++ {
		it := m.items[m.shown[i]]
		name := common.Truncate(common.OneLine(it.eng.Name), w-2)
		if i == l.cur {
			name = st.Cursor.Render("› ") + st.Selected.Render(name)
		} else {
			name = "  " + st.Bold.Render(name)
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
		meta := common.OneLine(it.eng.Organisation)
		if it.eng.Status != "" && it.eng.Status != assessments.EngagementActive {
			meta = strings.TrimPrefix(meta+" · "+statusLabel(it.eng.Status), " · ")
		}
		details := "    " + st.Muted.Render(common.Truncate(meta, max(10, w/3))) + "  " + strings.Join(parts, "   ")
		out = append(out, name, common.Truncate(details, w), "")
	}
	if end < len(m.shown) || l.off > 0 {
		out = append(out, st.Subtle.Render(common.Truncate(fmt.Sprintf("%d–%d of %d", l.off+1, end, len(m.shown)), w)))
	}
	return out
}

// statusLabel is an engagement status in words.
func statusLabel(s assessments.EngagementStatus) string {
	for _, o := range statusOptions {
		if o.Value == string(s) {
			return o.Label
		}
	}
	return strings.ReplaceAll(string(s), "_", " ")
}

// fold is text as the filter and the delete confirmation compare it: lower case, any dash
// as "-", spaces collapsed.
func fold(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\ufe58', '\ufe63', '\uff0d':
			return '-'
		}
		return r
	}, s)
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// cursor is a list position: cur is the selected row, off the first row drawn. Both stay
// in range for any number of rows, zero included.
type cursor struct{ cur, off int }

// clamp brings cur and off into range for n rows of which rows fit.
func (l *cursor) clamp(n, rows int) {
	rows = max(1, rows)
	if n <= 0 {
		l.cur, l.off = 0, 0
		return
	}
	l.cur = max(0, min(n-1, l.cur))
	if l.cur < l.off {
		l.off = l.cur
	}
	if l.cur >= l.off+rows {
		l.off = l.cur - rows + 1
	}
	l.off = max(0, min(l.off, n-rows))
}

// move goes d rows down (up when negative), stopping at the ends.
func (l *cursor) move(d, n, rows int) {
	l.cur += d
	l.clamp(n, rows)
}

func withHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}
