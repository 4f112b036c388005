// Package risks is the Risks tab of an engagement: the risk register as a sortable,
// filterable table, a form to add and edit risks, the explicit acceptance of a residual
// risk, a heat map of the matrix and the matrix settings. It also gives the gap analysis
// the risks that link a requirement (Section).
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
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
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
	people  []string               // names used in the workspace, suggested in person fields
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
	countClosed   int
	// the last heat-map frame and what it was drawn for
	heatOut      string
	heatDrawnFor string
	heatStyles   *common.Styles
	heatRows     map[[3]int]string // grid lines by likelihood, line and selected column
	heatRowsFor  string
	// hay is each risk's searchable text, lower case, built when the data loads
	hay []string
	seq []int // each risk's number, for ordering by ref
	// rows drawn, by index into risks; cleared when the data changes
	rowCache       map[int]string
	rowCacheW      int
	rowCacheStyles *common.Styles
	// pendingSelect is a risk id to select once it shows (after a save reloads the list);
	// pendingRef a ref to go to once the register has loaded (the jump box, a restore).
	pendingSelect string
	pendingRef    string

	// heat map
	view        viewKind
	heatResid   bool // true: residual, false: inherent
	heatL       int  // selected likelihood 1..Size
	heatC       int  // selected consequence 1..Size
	cellCursor  int
	cellOffset  int
	cellRiskIdx []int

	form     *riskForm
	settings *settings
	notice   string // last result, shown under the table

	// plans are the treatment actions by risk id; plan is the plan of one risk when open (p).
	plans map[string][]assessments.TreatmentAction
	plan  *planView
}

// New builds the Risks tab of an engagement.
func New(c *common.Common, e assessments.Engagement) common.Tab {
	fi := textinput.New()
	st := fi.Styles()
	st.Cursor.Blink = false // a blinking cursor redraws the screen twice a second for nothing
	fi.SetStyles(st)
	fi.Prompt = "/ "
	fi.Placeholder = "ref, title, owner, asset, control…"
	fi.CharLimit = 200
	m := &Model{c: c, eng: e, keys: newKeyMap(c.Keys), filter: fi, heatResid: true,
		matrix: assessments.DefaultMatrix(assessments.DefaultMatrixSize)}
	m.heatL, m.heatC = m.matrix.Size, m.matrix.Size
	return m
}

// Title is the tab label.
func (m *Model) Title() string { return "Risks" }

// Address names the tab for addressed results.
func (m *Model) Address() string { return common.TabAddress(m.eng.ID, "risks") }

// Init loads the register.
func (m *Model) Init() tea.Cmd { return m.load() }

// Activate reloads the register (and the names suggested in person fields) when the tab
// shows.
func (m *Model) Activate() tea.Cmd { return tea.Batch(m.load(), m.c.LoadPeople(m.Address())) }

// Capturing is true while a form, the filter input or a sub-view has the keyboard (q and
// esc then back out of the sub-view instead of leaving the engagement).
func (m *Model) Capturing() bool {
	return m.form != nil || m.settings != nil || m.filtering || m.view != viewTable || m.plan != nil
}

// UsesEsc is true while an applied filter is what esc clears (before it leaves).
func (m *Model) UsesEsc() bool { return !m.Capturing() && m.filterActive() }

// KeyMap is the help for what is on screen.
func (m *Model) KeyMap() help.KeyMap { return m.helpMap() }

// SetSize sets the drawing area.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.filter.SetWidth(max(10, w-20))
	if m.form != nil {
		m.form.setSize(w, h)
	}
	if m.settings != nil {
		m.settings.setSize(w, h)
	}
	m.clamp()
	m.clampPlan()
}

// UnsavedWork reports an open risk or matrix form with changes: nothing is written before
// ctrl+s, so quitting would lose them.
func (m *Model) UnsavedWork() string {
	switch {
	case m.form != nil && (m.form.creating || m.form.f.Changed()):
		if m.form.creating {
			return "the new risk (ctrl+s saves it)"
		}
		return "the changes to " + m.form.base.Ref + " (ctrl+s saves them)"
	case m.settings != nil && m.settings.f.Changed():
		return "the risk matrix changes (ctrl+s saves them)"
	case m.plan != nil && m.plan.form != nil && (m.plan.form.creating || m.plan.form.f.Changed()):
		return "the treatment action being edited (ctrl+s saves it)"
	}
	return ""
}

// Location is the selected risk's ref.
func (m *Model) Location() string {
	if r, ok := m.selected(); ok {
		return r.Ref
	}
	return ""
}

// Restore selects the risk ref in the register (once it has loaded), clearing filters
// that hide it.
func (m *Model) Restore(ref string) tea.Cmd {
	if m.form != nil || m.settings != nil || (m.plan != nil && m.plan.form != nil) {
		return nil // never drop a form the user is typing in
	}
	m.view, m.plan = viewTable, nil
	m.pendingRef = ref
	if m.loaded {
		m.gotoRef()
	}
	return nil
}

func (m *Model) gotoRef() {
	ref := m.pendingRef
	if ref == "" {
		return
	}
	idx := slices.IndexFunc(m.risks, func(r assessments.Risk) bool { return strings.EqualFold(r.Ref, ref) })
	if idx < 0 {
		return // not (yet) in the register: keep waiting for a load that has it
	}
	m.pendingRef = ""
	if !slices.Contains(m.rows, idx) {
		m.clearFilters()
	}
	m.selectID(m.risks[idx].ID)
}

// JumpTargets lists every risk for the jump box (:). It runs in a command.
func (m *Model) JumpTargets(ctx context.Context) ([]common.JumpTarget, error) {
	rs, err := m.c.Store.Risks(ctx, m.eng.ID)
	if err != nil {
		return nil, err
	}
	out := make([]common.JumpTarget, 0, len(rs))
	for _, r := range rs {
		out = append(out, common.JumpTarget{Kind: "risk", Label: r.Ref + " " + common.OneLine(r.Title),
			Msg: common.GotoMsg{Tab: m.Address(), Item: r.Ref}})
	}
	return out, nil
}

// Messages of this tab. Every command's result comes back addressed to the tab
// (common.Send), so none carries what identifies it.
type loadedMsg struct {
	seq     int
	risks   []assessments.Risk
	matrix  assessments.Matrix
	systems []assessments.AISystem
	plans   map[string][]assessments.TreatmentAction
	err     error
}

type savedMsg struct {
	before  assessments.Risk // what the form showed
	risk    assessments.Risk
	keys    []string // the fields written
	created bool
	undone  bool // the reverse edit of an undo
	err     error
}

type rebaseMsg struct {
	risk assessments.Risk
	err  error
}

// deleteMsg is the yes of the delete question.
type deleteMsg struct{ id, ref string }

type deletedMsg struct {
	ref string
	err error
}

type matrixSavedMsg struct {
	matrix assessments.Matrix
	n      int // risks rescaled
	err    error
}

type matrixReloadedMsg struct {
	matrix assessments.Matrix
	err    error
}

// acceptedMsg is the result of saving an acceptance given in the accept dialog.
type acceptedMsg struct {
	dialog string
	before assessments.Risk
	risk   assessments.Risk
	err    error
}

func (m *Model) send(cmd tea.Cmd) tea.Cmd { return common.Send(m.Address(), cmd) }

func (m *Model) ctx() context.Context {
	if m.c.Ctx != nil {
		return m.c.Ctx
	}
	return context.Background()
}

func (m *Model) now() time.Time {
	if m.c.Now != nil {
		return m.c.Now()
	}
	return time.Now()
}

func (m *Model) load() tea.Cmd {
	m.loadSeq++
	seq, st, id, ctx := m.loadSeq, m.c.Store, m.eng.ID, m.ctx()
	return m.send(func() tea.Msg {
		mx, err := st.RiskMatrix(ctx, id)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		rs, err := st.Risks(ctx, id)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		systems, err := st.AISystems(ctx, id)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		plans, err := st.TreatmentActions(ctx, id)
		return loadedMsg{seq: seq, risks: rs, matrix: mx, systems: systems, plans: plans, err: err}
	})
}

func (m *Model) saveCmd(before, after assessments.Risk, keys []string, creating bool) tea.Cmd {
	st, ctx := m.c.Store, m.ctx()
	return m.send(func() tea.Msg {
		var saved assessments.Risk
		var err error
		if creating {
			saved, err = st.CreateRisk(ctx, after)
		} else {
			saved, err = st.UpdateRisk(ctx, before, after)
		}
		return savedMsg{before: before, risk: saved, keys: keys, created: creating, err: err}
	})
}

func (m *Model) rebaseCmd(id string) tea.Cmd {
	st, ctx := m.c.Store, m.ctx()
	return m.send(func() tea.Msg {
		r, err := st.Risk(ctx, id)
		return rebaseMsg{risk: r, err: err}
	})
}

func (m *Model) deleteCmd(id, ref string) tea.Cmd {
	st, ctx := m.c.Store, m.ctx()
	return m.send(func() tea.Msg { return deletedMsg{ref: ref, err: st.DeleteRisk(ctx, id)} })
}

// undoEntry takes an acknowledged edit back through the store's update path: the fields
// the edit wrote go back to what they were, the others stay as stored.
func (m *Model) undoEntry(before, saved assessments.Risk, keys []string) common.UndoEntry {
	st := m.c.Store
	return common.UndoEntry{Label: changeLabel(saved.Ref, keys), To: m.Address(), Run: func(ctx context.Context) (tea.Msg, error) {
		back, err := st.UpdateRisk(ctx, saved, revertValues(saved, before, keys))
		if err != nil {
			return nil, err
		}
		return savedMsg{before: saved, risk: back, keys: keys, undone: true}, nil
	}}
}

func (m *Model) pushUndo(e common.UndoEntry) {
	if m.c.Undo != nil {
		m.c.Undo.Push(e)
	}
}

// Update handles messages and keys.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != m.loadSeq {
			return m, nil // an older load finished after a newer one
		}
		m.loadErr = msg.err
		if msg.err == nil {
			m.loaded = true
			m.systems, m.plans = msg.systems, msg.plans
			m.setData(msg.risks, msg.matrix)
			m.gotoRef()
			m.clampPlan()
		}
		return m, nil
	case common.PeopleMsg:
		m.people = msg.Names
		if m.form != nil {
			m.form.f.SetPeople(msg.Names)
		}
		if m.plan != nil && m.plan.form != nil {
			m.plan.form.f.SetPeople(msg.Names)
		}
		return m, nil
	case actionSavedMsg:
		return m, m.onActionSaved(msg)
	case actionDeleteMsg:
		return m, m.deleteActionCmd(msg.action)
	case actionDeletedMsg:
		if msg.err != nil {
			return m, tea.Batch(m.load(), common.ErrCmd(fmt.Errorf("could not delete the action: %w", msg.err)))
		}
		m.notice = m.refOf(msg.action.RiskID) + ": action deleted"
		return m, tea.Batch(m.load(), common.InfoCmd(m.notice), dataChanged)
	case savedMsg:
		return m, m.onSaved(msg)
	case rebaseMsg:
		if m.form == nil || m.form.base.ID != msg.risk.ID {
			return m, nil
		}
		if msg.err != nil {
			return m, common.ErrCmd(msg.err)
		}
		return m, m.form.rebase(msg.risk)
	case deleteMsg:
		return m, m.deleteCmd(msg.id, msg.ref)
	case deletedMsg:
		if msg.err != nil {
			return m, tea.Batch(m.load(), common.ErrCmd(fmt.Errorf("could not delete %s: %w", msg.ref, msg.err)))
		}
		m.notice = msg.ref + " deleted"
		return m, tea.Batch(m.load(), common.InfoCmd(m.notice), dataChanged)
	case dialog.SubmitMsg:
		return m, m.onAcceptSubmit(msg)
	case acceptedMsg:
		return m, m.onAccepted(msg)
	case matrixSavedMsg:
		return m, m.onMatrixSaved(msg)
	case matrixReloadedMsg:
		if m.settings == nil {
			return m, nil
		}
		if msg.err != nil {
			return m, common.ErrCmd(msg.err)
		}
		m.settings.rebase(msg.matrix)
		return m, nil
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.PasteMsg:
		switch {
		case m.form != nil && !m.form.saving:
			_, cmd := m.form.f.Update(msg)
			return m, cmd
		case m.plan != nil && m.plan.form != nil && !m.plan.form.saving:
			_, cmd := m.plan.form.f.Update(msg)
			return m, cmd
		case m.settings != nil && m.settings.preview == nil:
			_, cmd := m.settings.f.Update(msg)
			m.settings.afterInput()
			return m, cmd
		case m.filtering:
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(tea.PasteMsg{Content: common.OneLine(msg.Content)})
			m.rebuild()
			return m, cmd
		}
	}
	return m, nil
}

func dataChanged() tea.Msg { return common.DataChangedMsg{} }

func (m *Model) onSaved(msg savedMsg) tea.Cmd {
	if msg.err != nil {
		rf := m.form
		if rf == nil || msg.undone {
			return common.ErrCmd(msg.err)
		}
		rf.saving = false
		var ve *assessments.ValidationError
		if errors.As(msg.err, &ve) {
			return tea.Batch(rf.f.SetError(ve.Field, ve.Message), common.ErrCmd(msg.err))
		}
		// The form stays open with everything typed.
		rf.banner = msg.err.Error()
		if errors.Is(msg.err, store.ErrConflict) && !rf.creating {
			// Take in what the other process saved; the user's own changes stay in the
			// form, and a second ctrl+s saves them on top of it.
			return tea.Batch(m.load(), m.rebaseCmd(rf.base.ID), common.ErrCmd(msg.err))
		}
		return common.ErrCmd(msg.err)
	}
	r := msg.risk
	if msg.undone {
		m.selectID(r.ID)
		return tea.Batch(m.load(), dataChanged)
	}
	m.form = nil
	m.selectID(r.ID)
	if msg.created {
		m.notice = r.Ref + " added"
	} else {
		m.notice = r.Ref + " saved: " + fieldNames(msg.keys)
		m.pushUndo(m.undoEntry(msg.before, r, msg.keys))
	}
	return tea.Batch(m.load(), common.InfoCmd(common.Truncate(m.notice, 78)), dataChanged)
}

// setData takes freshly loaded risks and matrix, keeping the selection.
func (m *Model) setData(rs []assessments.Risk, mx assessments.Matrix) {
	sel := m.selectedID()
	if m.pendingSelect != "" {
		sel, m.pendingSelect = m.pendingSelect, ""
	}
	m.risks, m.matrix = rs, mx
	m.rows = m.rows[:0] // they indexed the old list; the selection is kept by id
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
	case m.form != nil:
		return m.formKey(msg)
	case m.settings != nil:
		return m.settingsKey(msg)
	case m.plan != nil:
		return m.planKey(msg)
	case m.view == viewCell:
		return m.cellKey(msg)
	case m.view == viewHeat:
		return m.heatKey(msg)
	case m.filtering:
		return m.filterKey(msg)
	}
	return m.tableKey(msg)
}

func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	rf := m.form
	if rf.saving {
		return nil // the save answers in a moment; keys typed now would be lost with the form
	}
	act, cmd := rf.f.Update(msg)
	switch act {
	case form.Save:
		return tea.Batch(cmd, m.submitForm())
	case form.Leave:
		m.form = nil
	}
	return cmd
}

// submitForm sends the risk the form describes to the store (the form has checked it
// with the domain rules already).
func (m *Model) submitForm() tea.Cmd {
	rf := m.form
	keys := rf.keys()
	if !rf.creating && len(keys) == 0 {
		m.form = nil
		return common.InfoCmd(rf.base.Ref + " unchanged")
	}
	rf.saving, rf.banner = true, ""
	return m.saveCmd(rf.base, rf.risk(), keys, rf.creating)
}

func (m *Model) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.KeepFilter):
		m.filtering = false
		m.filter.Blur()
		return nil
	case key.Matches(msg, k.ClearFilter):
		m.filtering = false
		m.filter.Blur()
		m.filter.SetValue("")
		m.rebuild()
		return nil
	case key.Matches(msg, k.LeaveFilter):
		// Arrows leave the input and move in the list; letters (j, k) are typed.
		m.filtering = false
		m.filter.Blur()
		return m.tableKey(msg)
	}
	before := m.filter.Value()
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	if m.filter.Value() != before {
		m.rebuild()
	}
	return cmd
}

func (m *Model) filterActive() bool {
	return strings.TrimSpace(m.filter.Value()) != "" || m.scopeF != "" || m.statusF != "" || m.ownerF != "" || m.levelF != ""
}

func (m *Model) clearFilters() {
	m.scopeF, m.statusF, m.ownerF, m.levelF = "", "", "", ""
	m.filter.SetValue("")
	m.rebuild()
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
	case key.Matches(msg, k.ClearFilter):
		m.clearFilters()
	case key.Matches(msg, k.SortNext, k.SortPrev):
		d := 1
		if key.Matches(msg, k.SortPrev) {
			d = -1
		}
		m.sortCol = (m.sortCol + d + len(columns)) % len(columns)
		m.sortDesc = false
		m.rebuild()
	case key.Matches(msg, k.Invert):
		m.sortDesc = !m.sortDesc
		m.rebuild()
	case key.Matches(msg, k.Scope, k.ScopeBack):
		var opts []string
		for _, s := range assessments.RiskScopes {
			opts = append(opts, string(s))
		}
		m.scopeF = cycle(m.scopeF, opts, key.Matches(msg, k.ScopeBack))
		m.rebuild()
	case key.Matches(msg, k.Status, k.StatusBack):
		var opts []string
		for _, s := range assessments.RiskStatuses {
			opts = append(opts, string(s))
		}
		m.statusF = cycle(m.statusF, opts, key.Matches(msg, k.StatusBack))
		m.rebuild()
	case key.Matches(msg, k.Owner, k.OwnerBack):
		m.ownerF = cycle(m.ownerF, m.owners(), key.Matches(msg, k.OwnerBack))
		m.rebuild()
	case key.Matches(msg, k.Level, k.LevelBack):
		m.levelF = cycle(m.levelF, m.matrix.LevelNames, key.Matches(msg, k.LevelBack))
		m.rebuild()
	case key.Matches(msg, k.New):
		return m.openNew()
	case key.Matches(msg, k.Edit):
		if r, ok := m.selected(); ok {
			return m.openEdit(r)
		}
	case key.Matches(msg, k.Accept):
		if r, ok := m.selected(); ok {
			return m.openAccept(r)
		}
	case key.Matches(msg, k.Plan):
		if r, ok := m.selected(); ok {
			return m.openPlan(r)
		}
	case key.Matches(msg, k.Delete):
		if r, ok := m.selected(); ok {
			return m.askDelete(r)
		}
	case key.Matches(msg, k.HeatMap):
		m.view = viewHeat
	case key.Matches(msg, k.Matrix):
		return m.openSettings()
	}
	m.clamp()
	return nil
}

func (m *Model) openNew() tea.Cmd {
	if !m.loaded {
		return nil
	}
	m.form = m.newRiskForm(assessments.Risk{EngagementID: m.eng.ID, Scope: assessments.ScopeSecurity, Status: assessments.RiskOpen}, true)
	return tea.Batch(m.form.f.Focus(kTitle), m.c.LoadPeople(m.Address()))
}

func (m *Model) openEdit(r assessments.Risk) tea.Cmd {
	m.form = m.newRiskForm(r, false)
	return tea.Batch(m.form.f.Focus(kTitle), m.c.LoadPeople(m.Address()))
}

func (m *Model) askDelete(r assessments.Risk) tea.Cmd {
	title := fmt.Sprintf("Delete risk %s %s?", r.Ref, common.Truncate(common.OneLine(r.Title), 50))
	q := "Its control links go with it; the change history keeps a record. The reference " + r.Ref + " is not given out again."
	return common.OpenDialog(dialog.NewConfirm(m.c.Styles, m.Address()+"/delete", m.Address(), title, q, deleteMsg{id: r.ID, ref: r.Ref}))
}

// cycle moves a facet filter to the next value (all → first → … → last → all), or to the
// previous one when back is set.
func cycle(cur string, opts []string, back bool) string {
	if len(opts) == 0 {
		return ""
	}
	i := slices.Index(opts, cur)
	if back {
		switch {
		case cur == "" || i < 0:
			return opts[len(opts)-1]
		case i == 0:
			return ""
		}
		return opts[i-1]
	}
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
