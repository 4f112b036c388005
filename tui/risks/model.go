// Package risks is the Risks tab of an engagement: the risk register as a sortable,
// filterable table, a form to add and edit risks, a heat map of the matrix and the matrix
// settings. It also gives the gap analysis the risks that link a requirement (Section).
package risks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
)

type viewKind int

const (
	viewTable viewKind = iota
	viewHeat
	viewCell // the risks of one heat-map cell
)

// Model is the Risks tab.
type Model struct {
	c    *common.Common
	eng  assessments.Engagement
	keys keyMap
	st   *styles

	width, height int

	risks   []assessments.Risk
	matrix  assessments.Matrix
	systems []assessments.AISystem // the engagement's AI inventory, for the AI system link
	loaded  bool
	loadSeq int
	loadErr error

	// table
	rows      []int // indexes into risks after filter and sort
	cursor    int
	offset    int
	sortCol   int
	sortDesc  bool
	filter    textinput.Model
	filtering bool
	scopeF    string // "" = all
	statusF   string
	ownerF    string
	levelF    string
	// heat-map counts of the current rows and mode; nil when they must be recounted
	countCache    [][]int
	countUnscored int
	// the last heat-map frame and what it was drawn for
	heatOut      string
	heatDrawnFor string
	heatStyles   *common.Styles
	// hay is each risk's searchable text, lower case, built when the data loads
	hay []string
	seq []int // each risk's number, for ordering by ref
	// rows drawn, by index into risks; cleared when the data changes
	rowCache       map[int]string
	rowCacheW      int
	rowCacheStyles *common.Styles
	// pendingSelect is a risk to select once it shows (after a save reloads the list).
	pendingSelect string

	// heat map
	view        viewKind
	heatResid   bool // true: residual, false: inherent
	heatL       int  // selected likelihood 1..Size
	heatC       int  // selected consequence 1..Size
	cellCursor  int
	cellOffset  int
	cellRiskIdx []int

	form     *form
	settings *settings
	confirm  *confirm
	notice   string // last result shown in the tab's own status line
}

// confirm is a yes/no question shown over the tab.
type confirm struct {
	question string
	yes      tea.Cmd
}

// New builds the Risks tab of an engagement.
func New(c *common.Common, e assessments.Engagement) common.Tab {
	fi := newInput()
	fi.Prompt = "/ "
	fi.Placeholder = "ref, title, owner, asset…"
	fi.CharLimit = 200
	m := &Model{c: c, eng: e, keys: newKeyMap(c.Keys), filter: fi, heatResid: true,
		matrix: assessments.DefaultMatrix(assessments.DefaultMatrixSize)}
	m.heatL, m.heatC = m.matrix.Size, m.matrix.Size
	return m
}

// Title is the tab label.
func (m *Model) Title() string { return "Risks" }

// Init loads the register.
func (m *Model) Init() tea.Cmd { return m.load() }

// Activate reloads the register when the tab shows.
func (m *Model) Activate() tea.Cmd { return m.load() }

// Capturing is true while a field, dialog or sub-view has the keyboard (q and esc then
// back out of the sub-view instead of leaving the engagement).
func (m *Model) Capturing() bool {
	return m.form != nil || m.settings != nil || m.confirm != nil || m.filtering || m.view != viewTable
}

// KeyMap is the help for what is on screen.
func (m *Model) KeyMap() help.KeyMap { return m.helpMap() }

// SetSize sets the drawing area.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.filter.SetWidth(max(10, w-20))
	if m.form != nil {
		m.form.setWidth(w)
	}
	if m.settings != nil {
		m.settings.setWidth(w)
	}
	m.clamp()
}

// FlushDrafts saves an open form whose content is valid, so quitting loses nothing typed.
// UnsavedWork reports a changed risk form that cannot be saved as it stands.
func (m *Model) UnsavedWork() string {
	if m.form == nil || !m.form.dirty() {
		return ""
	}
	if _, problems := m.form.risk(); len(problems) > 0 {
		return "the risk form (" + problems[0].Message + ")"
	}
	return ""
}

func (m *Model) FlushDrafts() error {
	if m.form == nil || !m.form.dirty() {
		return nil
	}
	after, problems := m.form.risk()
	if len(problems) > 0 {
		return fmt.Errorf("the risk form has problems (%s); fix them or press esc to discard", problems[0].Message)
	}
	_, err := m.save(m.form.base, after, m.form.creating)
	return err
}

// Messages of this tab; the engagement screen hands every message to every tab, so each
// carries what identifies it as ours.
type loadedMsg struct {
	eng     string
	seq     int
	risks   []assessments.Risk
	matrix  assessments.Matrix
	systems []assessments.AISystem
	err     error
}

type savedMsg struct {
	eng     string
	risk    assessments.Risk
	created bool
	err     error
}

type rebaseMsg struct {
	eng  string
	risk assessments.Risk
	err  error
}

type deletedMsg struct {
	eng, ref string
	err      error
}

type matrixSavedMsg struct {
	eng    string
	matrix assessments.Matrix
	n      int // risks rescaled
	err    error
}

func (m *Model) load() tea.Cmd {
	m.loadSeq++
	seq, c, id := m.loadSeq, m.c, m.eng.ID
	return func() tea.Msg {
		ctx := c.Ctx
		if ctx == nil {
			ctx = context.Background()
		}
		mx, err := c.Store.RiskMatrix(ctx, id)
		if err != nil {
			return loadedMsg{eng: id, seq: seq, err: err}
		}
		rs, err := c.Store.Risks(ctx, id)
		if err != nil {
			return loadedMsg{eng: id, seq: seq, err: err}
		}
		systems, err := c.Store.AISystems(ctx, id)
		return loadedMsg{eng: id, seq: seq, risks: rs, matrix: mx, systems: systems, err: err}
	}
}

func (m *Model) now() time.Time {
	if m.c.Now != nil {
		return m.c.Now()
	}
	return time.Now()
}

func (m *Model) ctx() context.Context {
	if m.c.Ctx != nil {
		return m.c.Ctx
	}
	return context.Background()
}

func (m *Model) save(before, after assessments.Risk, creating bool) (assessments.Risk, error) {
	if creating {
		return m.c.Store.CreateRisk(m.ctx(), after)
	}
	return m.c.Store.UpdateRisk(m.ctx(), before, after)
}

func (m *Model) saveCmd(before, after assessments.Risk, creating bool) tea.Cmd {
	id := m.eng.ID
	return func() tea.Msg {
		saved, err := m.save(before, after, creating)
		return savedMsg{eng: id, risk: saved, created: creating, err: err}
	}
}

func (m *Model) rebaseCmd(id string) tea.Cmd {
	c, eng := m.c, m.eng.ID
	ctx := m.ctx()
	return func() tea.Msg {
		r, err := c.Store.Risk(ctx, id)
		return rebaseMsg{eng: eng, risk: r, err: err}
	}
}

func (m *Model) deleteCmd(r assessments.Risk) tea.Cmd {
	c, id := m.c, m.eng.ID
	ctx := m.ctx()
	return func() tea.Msg {
		return deletedMsg{eng: id, ref: r.Ref, err: c.Store.DeleteRisk(ctx, r.ID)}
	}
}

func (m *Model) saveMatrixCmd(before, after assessments.Matrix, n int) tea.Cmd {
	c, id := m.c, m.eng.ID
	ctx := m.ctx()
	return func() tea.Msg {
		saved, err := c.Store.SaveRiskMatrix(ctx, id, before, after)
		return matrixSavedMsg{eng: id, matrix: saved, n: n, err: err}
	}
}

// Update handles messages and keys.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.eng != m.eng.ID || msg.seq != m.loadSeq {
			return m, nil // stale or another engagement's
		}
		m.loadErr = msg.err
		if msg.err == nil {
			m.loaded = true
			m.systems = msg.systems
			m.setData(msg.risks, msg.matrix)
		}
		return m, nil
	case savedMsg:
		if msg.eng != m.eng.ID {
			return m, nil
		}
		return m, m.onSaved(msg)
	case rebaseMsg:
		if msg.eng != m.eng.ID || m.form == nil || m.form.base.ID != msg.risk.ID {
			return m, nil
		}
		if msg.err != nil {
			return m, common.ErrCmd(msg.err)
		}
		m.form.rebase(msg.risk)
		return m, m.form.focusCmd()
	case deletedMsg:
		if msg.eng != m.eng.ID {
			return m, nil
		}
		if msg.err != nil {
			return m, common.ErrCmd(msg.err)
		}
		m.notice = msg.ref + " deleted"
		return m, tea.Batch(m.load(), common.InfoCmd(msg.ref+" deleted"))
	case matrixSavedMsg:
		if msg.eng != m.eng.ID {
			return m, nil
		}
		if msg.err != nil {
			if m.settings != nil {
				m.settings.err = msg.err.Error()
				m.settings.preview = nil
			}
			return m, common.ErrCmd(msg.err)
		}
		m.settings = nil
		text := "Risk matrix saved"
		if msg.n > 0 {
			text = fmt.Sprintf("Risk matrix saved; %d risks rescaled", msg.n)
		}
		m.notice = text
		return m, tea.Batch(m.load(), common.InfoCmd(text))
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	}
	// Cursor blink and other component messages go to the focused input.
	if m.form != nil {
		return m, m.form.update(msg)
	}
	if m.filtering {
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m *Model) onSaved(msg savedMsg) tea.Cmd {
	if msg.err != nil {
		var ve *assessments.ValidationError
		if m.form != nil {
			m.form.saving = false
			if errors.As(msg.err, &ve) {
				m.form.errs = map[string]string{ve.Field: ve.Message}
				m.form.focusField(ve.Field)
				return nil
			}
			m.form.banner = msg.err.Error()
			if errors.Is(msg.err, store.ErrConflict) {
				// Take in what the other process saved; the user's own changes stay in the
				// form, and a second ctrl+s saves them on top of it.
				return tea.Batch(m.load(), m.rebaseCmd(m.form.base.ID), common.ErrCmd(msg.err))
			}
		}
		return common.ErrCmd(msg.err)
	}
	m.form = nil
	verb := "saved"
	if msg.created {
		verb = "added"
	}
	m.notice = fmt.Sprintf("%s %s", msg.risk.Ref, verb)
	m.selectID(msg.risk.ID)
	return tea.Batch(m.load(), common.InfoCmd(m.notice), func() tea.Msg { return common.DataChangedMsg{} })
}

// setData takes freshly loaded risks and matrix, keeping the selection.
func (m *Model) setData(rs []assessments.Risk, mx assessments.Matrix) {
	sel := m.selectedID()
	if m.pendingSelect != "" {
		sel, m.pendingSelect = m.pendingSelect, ""
	}
	m.risks, m.matrix = rs, mx
	m.rowCache = nil
	m.hay, m.seq = make([]string, len(rs)), make([]int, len(rs))
	for i, r := range rs {
		m.hay[i], m.seq[i] = haystack(r), assessments.RiskSeq(r.Ref)
	}
	m.heatL = min(max(m.heatL, 1), mx.Size)
	m.heatC = min(max(m.heatC, 1), mx.Size)
	m.rebuild()
	if sel != "" {
		m.selectID(sel)
		m.pendingSelect = ""
	}
	if m.view == viewCell {
		m.cellRiskIdx = m.cellRisks(m.heatL, m.heatC)
		m.cellCursor = min(m.cellCursor, max(0, len(m.cellRiskIdx)-1))
	}
}

// systemName is the name of a linked AI system ("" when unknown).
func (m *Model) systemName(id string) string {
	for _, s := range m.systems {
		if s.ID == id {
			return s.Name
		}
	}
	return ""
}

func (m *Model) selectedID() string {
	if r, ok := m.selected(); ok {
		return r.ID
	}
	return ""
}

func (m *Model) selected() (assessments.Risk, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return assessments.Risk{}, false
	}
	return m.risks[m.rows[m.cursor]], true
}

func (m *Model) selectID(id string) {
	for i, ri := range m.rows {
		if m.risks[ri].ID == id {
			m.cursor = i
			m.clamp()
			return
		}
	}
	m.pendingSelect = id
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case m.confirm != nil:
		return m.confirmKey(msg)
	case m.form != nil:
		return m.formKey(msg)
	case m.settings != nil:
		return m.settingsKey(msg)
	case m.view == viewCell:
		return m.cellKey(msg)
	case m.view == viewHeat:
		return m.heatKey(msg)
	case m.filtering:
		return m.filterKey(msg)
	}
	return m.tableKey(msg)
}

func (m *Model) confirmKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "y", "Y":
		cmd := m.confirm.yes
		m.confirm = nil
		return cmd
	case "n", "N", "esc", "q":
		m.confirm = nil
	}
	return nil
}

func (m *Model) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "enter":
		m.filtering = false
		m.filter.Blur()
		return nil
	case "esc":
		m.filtering = false
		m.filter.Blur()
		m.filter.SetValue("")
		m.rebuild()
		return nil
	case "up", "down":
		m.filtering = false
		m.filter.Blur()
		return m.tableKey(msg)
	}
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	m.rebuild()
	return cmd
}

func (m *Model) tableKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.cursor--
	case key.Matches(msg, k.Down):
		m.cursor++
	case key.Matches(msg, k.PageUp):
		m.cursor -= m.tableRows()
	case key.Matches(msg, k.PageDown):
		m.cursor += m.tableRows()
	case key.Matches(msg, k.Home):
		m.cursor = 0
	case key.Matches(msg, k.End):
		m.cursor = len(m.rows) - 1
	case key.Matches(msg, k.Filter):
		m.filtering = true
		return m.filter.Focus()
	case key.Matches(msg, k.Sort):
		m.sortCol = (m.sortCol + 1) % len(columns)
		m.sortDesc = false
		m.rebuild()
	case key.Matches(msg, k.Reverse):
		m.sortDesc = !m.sortDesc
		m.rebuild()
	case key.Matches(msg, k.Scope):
		var opts []string
		for _, s := range assessments.RiskScopes {
			opts = append(opts, string(s))
		}
		m.scopeF = cycle(m.scopeF, opts)
		m.rebuild()
	case key.Matches(msg, k.Status):
		var opts []string
		for _, s := range assessments.RiskStatuses {
			opts = append(opts, string(s))
		}
		m.statusF = cycle(m.statusF, opts)
		m.rebuild()
	case key.Matches(msg, k.Owner):
		m.ownerF = cycle(m.ownerF, m.owners())
		m.rebuild()
	case key.Matches(msg, k.LevelKey):
		m.levelF = cycle(m.levelF, m.matrix.LevelNames)
		m.rebuild()
	case key.Matches(msg, k.ClearFilters):
		m.scopeF, m.statusF, m.ownerF, m.levelF = "", "", "", ""
		m.filter.SetValue("")
		m.rebuild()
	case key.Matches(msg, k.New):
		if !m.loaded {
			return nil
		}
		m.form = newForm(m, assessments.Risk{EngagementID: m.eng.ID, Scope: assessments.ScopeSecurity, Status: assessments.RiskOpen}, true)
		return m.form.focusCmd()
	case key.Matches(msg, k.Edit), key.Matches(msg, k.Open):
		if r, ok := m.selected(); ok {
			m.form = newForm(m, r, false)
			return m.form.focusCmd()
		}
	case key.Matches(msg, k.Delete):
		if r, ok := m.selected(); ok {
			m.confirm = &confirm{question: fmt.Sprintf("Delete %s %q? Its control links go with it; the history keeps a record.",
				r.Ref, common.Truncate(common.OneLine(r.Title), 40)), yes: m.deleteCmd(r)}
		}
	case key.Matches(msg, k.HeatMap):
		m.view = viewHeat
	case key.Matches(msg, k.Matrix):
		if m.loaded {
			m.settings = newSettings(m, m.matrix)
			return m.settings.focusCmd()
		}
	}
	m.clamp()
	return nil
}

// cycle moves a facet filter to the next value: all → first → … → last → all.
func cycle(cur string, opts []string) string {
	if len(opts) == 0 {
		return ""
	}
	i := slices.Index(opts, cur)
	if cur == "" {
		return opts[0]
	}
	if i < 0 || i == len(opts)-1 {
		return ""
	}
	return opts[i+1]
}

func (m *Model) owners() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range m.risks {
		o := strings.TrimSpace(r.Owner)
		if o != "" && !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return out
}

func (m *Model) clamp() {
	m.cursor = min(m.cursor, len(m.rows)-1)
	m.cursor = max(m.cursor, 0)
	n := m.tableRows()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if n > 0 && m.cursor >= m.offset+n {
		m.offset = m.cursor - n + 1
	}
	m.offset = max(0, min(m.offset, max(0, len(m.rows)-n)))
}

// newInput is a one-line input with a steady cursor: a blinking one redraws the screen
// twice a second for nothing.
func newInput() textinput.Model {
	ti := textinput.New()
	st := ti.Styles()
	st.Cursor.Blink = false
	ti.SetStyles(st)
	return ti
}

// Address names the tab for addressed results.
func (m *Model) Address() string { return common.TabAddress(m.eng.ID, "risks") }
