// Package gap is the gap-analysis tab of one standard: requirements grouped by clause and
// Annex A theme on the left, the selected requirement on the right, status in one key
// stroke, notes typed in place and saved when the field is left.
package gap

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

// Extensions are what other parts of the workbench add to the gap analysis.
type Extensions struct {
	Sections []common.SectionLoader
	Marks    []common.RowMarkLoader
	// Attach builds the evidence dialog for a requirement, drawn by the root (nil: not available).
	Attach func(c *common.Common, e assessments.Engagement, standard, ref string) common.Dialog
	// Suggestions opens the crosswalk suggestions screen (nil: not available).
	Suggestions func(c *common.Common, e assessments.Engagement) common.Screen
	// SoA opens the standard's Statement of Applicability screen: its versions, issue,
	// approve and the changes between two (nil: not available).
	SoA func(c *common.Common, e assessments.Engagement, standard string) common.Screen
	// Reconfirm, when set, re-confirms a requirement as it stands in a new cycle (c on a
	// requirement marked ReconfirmMark with nothing adopted to confirm) and returns the
	// status line's words. Any saved edit of a requirement clears its ReconfirmMark too.
	Reconfirm     func(ctx context.Context, c *common.Common, e assessments.Engagement, standard, ref string) (string, error)
	ReconfirmMark string
}

type focusArea int

const (
	focusList focusArea = iota
	focusDetail
)

// statusFilter values beyond the five statuses.
const (
	filterAll         = -1
	filterNeedsReview = 5 // after the five statuses
)

type row struct {
	group bool
	id    string // group id or requirement ref
	req   catalogs.Requirement
}

// Model is the gap-analysis tab.
type Model struct {
	c    *common.Common
	eng  assessments.Engagement
	std  string
	cat  *catalogs.Catalog
	ext  Extensions
	keys keyMap

	width, height int

	results  map[string]map[string]assessments.Result
	loaded   bool
	loadSeq  int
	readTot  assessments.Readiness
	readGrp  map[string]assessments.Readiness
	coverage *assessments.Coverage
	marks    map[string]string

	rows   []row
	cursor int
	offset int
	focus  focusArea

	filter       textinput.Model
	filtering    bool
	statusFilter int

	detail     viewport.Model
	detailKey  string
	sections   map[string][]common.DetailSection
	sectionSeq int

	edit *editor
	// people are the names used in the workspace, suggested in the owner field.
	people []string

	queue    []saveOp
	inflight bool
	// dataVersion changes whenever results, sections or marks change, so cached views refresh.
	dataVersion int
	rowCache    map[string]string
	rowCacheKey [2]int
}

// New builds the gap tab for one standard of an engagement.
func New(c *common.Common, e assessments.Engagement, standard string, ext Extensions) *Model {
	cat, _ := c.Catalogs.Get(standard)
	fi := textinput.New()
	fi.Prompt = "/ "
	fi.Placeholder = "ref or title"
	fi.CharLimit = 200
	m := &Model{c: c, eng: e, std: standard, cat: cat, ext: ext, keys: newKeyMap(c.Keys),
		filter: fi, statusFilter: filterAll, sections: map[string][]common.DetailSection{},
		results: map[string]map[string]assessments.Result{}, marks: map[string]string{}}
	m.detail = viewport.New()
	m.rebuildRows("")
	return m
}

// Title is the tab label: the standard's short name.
func (m *Model) Title() string {
	if m.cat == nil {
		return m.std
	}
	return m.cat.Short
}

// Standard is the catalog this tab shows.
func (m *Model) Standard() string { return m.std }

// Capturing is true while a text field or the filter has the keyboard.
func (m *Model) Capturing() bool {
	return m.edit != nil || m.filtering
}

// KeyMap returns the help bindings.
func (m *Model) KeyMap() help.KeyMap { return m.helpMap() }

// SetSize sets the tab's drawing area.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.clampOffset()
	if m.edit != nil {
		m.edit.f.SetSize(m.detailWidth(), max(6, min(14, h/3+4)))
	}
}

// Init loads the results.
func (m *Model) Init() tea.Cmd { return m.load() }

// Activate reloads when the tab becomes visible.
func (m *Model) Activate() tea.Cmd { return m.load() }

type loadedMsg struct {
	seq     int
	results map[string]map[string]assessments.Result
	marks   map[string]string
	err     error
}

type sectionsMsg struct {
	seq      int
	ref      string
	sections []common.DetailSection
}

func (m *Model) load() tea.Cmd {
	m.loadSeq++
	seq, c, e, std, ext := m.loadSeq, m.c, m.eng, m.std, m.ext
	return common.Send(m.Address(), func() tea.Msg {
		res, err := c.Store.Results(c.Ctx, e.ID)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		marks := map[string]string{}
		for _, l := range ext.Marks {
			mk, err := l(c.Ctx, c, e, std)
			if err != nil {
				continue // a missing mark must not hide the gap analysis
			}
			for ref, v := range mk {
				marks[ref] += v
			}
		}
		return loadedMsg{seq: seq, results: res, marks: marks}
	})
}

func (m *Model) loadSections() tea.Cmd {
	req, ok := m.selected()
	if !ok || len(m.ext.Sections) == 0 {
		return nil
	}
	m.sectionSeq++
	seq, c, e, std, ref, loaders := m.sectionSeq, m.c, m.eng, m.std, req.Ref, m.ext.Sections
	return common.Send(m.Address(), func() tea.Msg {
		var out []common.DetailSection
		for _, l := range loaders {
			sec, err := l(c.Ctx, c, e, std, ref)
			if err != nil {
				out = append(out, common.DetailSection{Title: "Could not load", Lines: []string{err.Error()}, Warn: true})
				continue
			}
			if len(sec.Lines) > 0 {
				out = append(out, sec)
			}
		}
		return sectionsMsg{seq: seq, ref: ref, sections: out}
	})
}

func (m *Model) stdResults() map[string]assessments.Result {
	r := m.results[m.std]
	if r == nil {
		r = map[string]assessments.Result{}
		m.results[m.std] = r
	}
	return r
}

// result is the stored result of a ref, or a not-assessed one.
func (m *Model) result(ref string) assessments.Result {
	if r, ok := m.stdResults()[ref]; ok {
		return r
	}
	return assessments.Result{EngagementID: m.eng.ID, Standard: m.std, Ref: ref, Status: assessments.NotAssessed}
}

func (m *Model) recompute() {
	if m.cat == nil {
		return
	}
	m.readTot, m.readGrp = assessments.ReadinessByGroup(m.cat, m.stdResults())
	if cov, ok := assessments.CoverageFor(m.c.Catalogs, m.eng, m.std, m.results); ok {
		m.coverage = &cov
	} else {
		m.coverage = nil
	}
}

// rebuildRows applies the text and status filters, keeping the cursor on the same ref.
func (m *Model) rebuildRows(keepRef string) {
	m.rows = m.rows[:0]
	if m.cat == nil {
		return
	}
	q := strings.TrimSpace(m.filter.Value())
	var match map[string]bool
	if q != "" {
		match = m.matchRefs(q)
	}
	lastGroup := ""
	for _, r := range m.cat.Requirements {
		if match != nil && !match[r.Ref] {
			continue
		}
		if !m.passesStatus(r.Ref) {
			continue
		}
		if r.Group != lastGroup {
			m.rows = append(m.rows, row{group: true, id: r.Group})
			lastGroup = r.Group
		}
		m.rows = append(m.rows, row{id: r.Ref, req: r})
	}
	m.cursor = -1
	for i, rw := range m.rows {
		if !rw.group && (rw.id == keepRef || m.cursor < 0) {
			m.cursor = i
			if rw.id == keepRef {
				break
			}
		}
	}
	if m.cursor < 0 {
		m.cursor = 0
	}
	m.clampOffset()
}

// refLike is text that reads as a requirement ref: "A.5.2", "6.1", "a.7".
var refLike = regexp.MustCompile(`^([Aa]\.)?\d+(\.\d+)*\.?$`)

// matchRefs finds requirements for a filter. A ref finds itself and its children
// ("6.1" finds 6.1.1 to 6.1.4; "A.5.2" finds only A.5.2, not A.5.20); other text is
// matched fuzzily against ref and title.
func (m *Model) matchRefs(q string) map[string]bool {
	match := map[string]bool{}
	if refLike.MatchString(q) {
		q = strings.TrimSuffix(strings.ToUpper(q[:1])+q[1:], ".")
		for _, r := range m.cat.Requirements {
			if r.Ref == q || strings.HasPrefix(r.Ref, q+".") {
				match[r.Ref] = true
			}
		}
		return match
	}
	src := make([]string, len(m.cat.Requirements))
	for i, r := range m.cat.Requirements {
		src[i] = r.Ref + " " + r.Title
	}
	for _, f := range fuzzy.Find(q, src) {
		match[m.cat.Requirements[f.Index].Ref] = true
	}
	return match
}

func (m *Model) passesStatus(ref string) bool {
	switch {
	case m.statusFilter == filterAll:
		return true
	case m.statusFilter == filterNeedsReview:
		return m.result(ref).NeedsReview
	default:
		return m.result(ref).EffectiveStatus() == assessments.Statuses[m.statusFilter]
	}
}

func (m *Model) statusFilterLabel() string {
	switch {
	case m.statusFilter == filterAll:
		return ""
	case m.statusFilter == filterNeedsReview:
		return "needs review"
	default:
		return assessments.Statuses[m.statusFilter].Label()
	}
}

// selected is the requirement under the cursor.
func (m *Model) selected() (catalogs.Requirement, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) || m.rows[m.cursor].group {
		return catalogs.Requirement{}, false
	}
	return m.rows[m.cursor].req, true
}

// SelectedRef is the ref under the cursor ("" when none).
func (m *Model) SelectedRef() string {
	r, _ := m.selected()
	return r.Ref
}

// Select moves the cursor to a ref (clearing filters that hide it).
func (m *Model) Select(ref string) tea.Cmd {
	if _, ok := m.cat.Requirement(ref); !ok {
		return common.ErrCmd(fmt.Errorf("%s has no requirement %s", m.Title(), ref))
	}
	m.filter.SetValue("")
	m.statusFilter = filterAll
	m.rebuildRows(ref)
	return m.loadSections()
}

func (m *Model) move(delta int) tea.Cmd {
	if len(m.rows) == 0 {
		return nil
	}
	i := m.cursor
	for {
		i += delta
		if i < 0 || i >= len(m.rows) {
			return nil
		}
		if !m.rows[i].group {
			break
		}
	}
	return m.moveTo(i)
}

func (m *Model) moveTo(i int) tea.Cmd {
	if i < 0 || i >= len(m.rows) {
		return nil
	}
	for i < len(m.rows) && m.rows[i].group {
		i++
	}
	if i >= len(m.rows) {
		return nil
	}
	var cmds []tea.Cmd
	if m.edit != nil {
		cmds = append(cmds, m.commitEdit())
	}
	m.cursor = i
	m.clampOffset()
	m.detail.SetYOffset(0)
	cmds = append(cmds, m.loadSections())
	return tea.Batch(cmds...)
}

func (m *Model) listHeight() int { return max(m.height-m.headerHeight(), 1) }

func (m *Model) clampOffset() {
	if len(m.rows) == 0 {
		m.offset = 0
		return
	}
	h := m.listHeight()
	top := m.cursor
	// Keep the group header above the selected requirement in view.
	if top > 0 && m.rows[top-1].group {
		top--
	}
	if top < m.offset {
		m.offset = top
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = max(0, min(m.offset, max(0, len(m.rows)-h)))
}

// Update handles one message. Results of this tab's commands arrive addressed to it (the
// root delivers them even while another screen is on top); the only broadcasts it reads
// are the saves of the other standard's tab.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != m.loadSeq {
			return m, nil // a newer load is on its way
		}
		if msg.err != nil {
			return m, common.ErrCmd(msg.err)
		}
		keep := m.SelectedRef()
		m.results = msg.results
		if m.results == nil {
			m.results = map[string]map[string]assessments.Result{}
		}
		m.marks = msg.marks
		m.loaded = true
		m.dataVersion++
		m.recompute()
		m.rebuildRows(keep)
		return m, m.loadSections()
	case sectionsMsg:
		if msg.seq == m.sectionSeq {
			m.sections[msg.ref] = msg.sections
			m.dataVersion++
		}
		return m, nil
	case savedMsg:
		return m, m.handleSaved(msg)
	case reconfirmedMsg:
		if msg.err != nil {
			return m, common.ErrCmd(fmt.Errorf("%s %s not re-confirmed: %w", m.Title(), msg.ref, msg.err))
		}
		m.clearReconfirm(msg.ref)
		return m, common.InfoCmd(msg.text)
	case common.ResultSavedMsg:
		// The other standard's tab saved: its status feeds this tab's mapped requirements
		// and coverage figure, so keep the copy current.
		r := msg.Result
		if r.EngagementID == m.eng.ID && r.Standard != m.std {
			if m.results[r.Standard] == nil {
				m.results[r.Standard] = map[string]assessments.Result{}
			}
			m.results[r.Standard][r.Ref] = r
			m.dataVersion++
			m.recompute()
		}
		return m, nil
	case autosaveMsg:
		if m.edit != nil && msg.seq == m.edit.seq && m.edit.value() != m.edit.saved {
			return m, m.saveEdit(false)
		}
		return m, nil
	case adoptChosenMsg:
		i, err := strconv.Atoi(first(msg.chosen))
		if err != nil || i < 0 || i >= len(msg.options) {
			return m, nil
		}
		return m, m.adopt(msg.ref, msg.options[i])
	case reasonsChosenMsg:
		return m, m.saveReasons(msg)
	case conflictChoiceMsg:
		return m, m.resolveConflict(msg)
	case dialog.SubmitMsg:
		return m, m.submitted(msg)
	case common.PeopleMsg:
		m.people = msg.Names
		if m.edit != nil {
			m.edit.f.SetPeople(msg.Names)
		}
		return m, nil
	case common.DataChangedMsg:
		return m, tea.Batch(m.load(), m.loadSections())
	}
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		return m, m.handleKey(kp)
	}
	if m.edit != nil {
		if p, ok := msg.(tea.PasteMsg); ok {
			before := m.edit.value()
			_, cmd := m.edit.f.Update(p)
			if m.edit.value() != before {
				m.edit.seq++
				cmd = tea.Batch(cmd, m.c.After(autosaveDelay, m.wrap(autosaveMsg{seq: m.edit.seq})))
			}
			return m, cmd
		}
		return m, nil
	}
	if m.filtering {
		if p, ok := msg.(tea.PasteMsg); ok {
			keep := m.SelectedRef()
			m.filter.SetValue(m.filter.Value() + common.OneLine(p.Content))
			m.rebuildRows(keep)
			return m, m.loadSections()
		}
	}
	return m, nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func (m *Model) filterActive() bool {
	return m.filter.Value() != "" || m.statusFilter != filterAll
}

// UsesEsc is true while a filter is set: esc on the list clears it before it leaves.
func (m *Model) UsesEsc() bool { return !m.Capturing() && m.filterActive() }

func (m *Model) clearFilter() tea.Cmd {
	m.filter.SetValue("")
	m.statusFilter = filterAll
	m.rebuildRows(m.SelectedRef())
	return tea.Batch(m.loadSections(), common.InfoCmd(m.Title()+": filter cleared"))
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case m.edit != nil:
		return m.editKey(msg)
	case m.filtering:
		switch {
		case key.Matches(msg, k.FilterDone):
			m.filtering = false
			m.filter.Blur()
			return nil
		case key.Matches(msg, k.FilterClear):
			m.filtering = false
			m.filter.Blur()
			m.filter.SetValue("")
			m.rebuildRows(m.SelectedRef())
			return m.loadSections()
		case key.Matches(msg, k.PageDown), key.Matches(msg, k.FilterDown):
			m.filtering = false
			m.filter.Blur()
			return m.move(1)
		case key.Matches(msg, k.FilterUp):
			m.filtering = false
			m.filter.Blur()
			return m.move(-1)
		}
		keep := m.SelectedRef()
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		m.rebuildRows(keep)
		return tea.Batch(cmd, m.loadSections())
	}
	for i, b := range k.Status {
		if key.Matches(msg, b) {
			return m.setStatus(assessments.Statuses[i])
		}
	}
	switch {
	case m.filterActive() && key.Matches(msg, k.FilterClear):
		return m.clearFilter()
	case key.Matches(msg, k.Focus):
		m.dataVersion++ // the selected row's look depends on focus
		if m.focus == focusList {
			m.focus = focusDetail
		} else {
			m.focus = focusList
		}
	case key.Matches(msg, k.NextReq):
		return m.move(1)
	case key.Matches(msg, k.PrevReq):
		return m.move(-1)
	case m.focus == focusDetail && key.Matches(msg, k.ScrollDown):
		m.detail.ScrollDown(1)
	case m.focus == focusDetail && key.Matches(msg, k.ScrollUp):
		m.detail.ScrollUp(1)
	case key.Matches(msg, k.Down):
		return m.move(1)
	case key.Matches(msg, k.Up):
		return m.move(-1)
	case key.Matches(msg, k.PageDown):
		if m.focus == focusDetail {
			m.detail.PageDown()
			return nil
		}
		return m.moveTo(min(len(m.rows)-1, m.cursor+m.listHeight()-1))
	case key.Matches(msg, k.PageUp):
		if m.focus == focusDetail {
			m.detail.PageUp()
			return nil
		}
		return m.moveTo(max(0, m.cursor-m.listHeight()+1))
	case key.Matches(msg, k.Home):
		return m.moveTo(0)
	case key.Matches(msg, k.End):
		return m.moveTo(len(m.rows) - 1)
	case key.Matches(msg, k.Open):
		m.dataVersion++
		m.focus = focusDetail
	case key.Matches(msg, k.Filter):
		m.filtering = true
		m.focus = focusList
		m.dataVersion++
		return m.filter.Focus()
	case key.Matches(msg, k.StatusFilter):
		return m.cycleStatusFilter(1)
	case key.Matches(msg, k.StatusFilterBack):
		return m.cycleStatusFilter(-1)
	case key.Matches(msg, k.EditNotes):
		return m.startEdit(fieldNotes)
	case key.Matches(msg, k.EditOwner):
		return m.startEdit(fieldOwner)
	case key.Matches(msg, k.EditDate):
		return m.startEdit(fieldTargetDate)
	case key.Matches(msg, k.EditJustif):
		return m.startEdit(fieldJustification)
	case key.Matches(msg, k.Maturity):
		return m.cycleMaturity()
	case key.Matches(msg, k.Reasons):
		return m.startReasons()
	case key.Matches(msg, k.Adopt):
		return m.startAdopt()
	case key.Matches(msg, k.ConfirmReview):
		return m.confirmReview()
	case key.Matches(msg, k.Advance):
		m.c.Prefs.Advance = !m.c.Prefs.Advance
		if m.c.Prefs.Advance {
			return common.InfoCmd("After a status key the cursor moves to the next requirement (A turns this off).")
		}
		return common.InfoCmd("After a status key the cursor stays on the requirement (A turns moving on again).")
	case key.Matches(msg, k.SoA):
		if m.ext.SoA == nil || m.cat == nil {
			return common.InfoCmd("The Statement of Applicability is not available in this build.")
		}
		scr := m.ext.SoA(m.c, m.eng, m.std)
		return func() tea.Msg { return common.PushScreenMsg{Screen: scr} }
	case key.Matches(msg, k.Suggestions):
		if m.ext.Suggestions == nil {
			return common.InfoCmd("Crosswalk suggestions are not available in this build.")
		}
		scr := m.ext.Suggestions(m.c, m.eng)
		return func() tea.Msg { return common.PushScreenMsg{Screen: scr} }
	case key.Matches(msg, k.Evidence):
		req, ok := m.selected()
		if !ok || m.ext.Attach == nil {
			return nil
		}
		return common.OpenDialog(m.ext.Attach(m.c, m.eng, m.std, req.Ref))
	}
	return nil
}

// cycleStatusFilter steps the status filter forward (s) or back (S): all, each status,
// needs review.
func (m *Model) cycleStatusFilter(d int) tea.Cmd {
	n := filterNeedsReview + 2 // all, five statuses, needs review
	i := (m.statusFilter + 1 + d + n) % n
	m.statusFilter = i - 1
	m.rebuildRows(m.SelectedRef())
	return m.loadSections()
}

// setStatus sets the selected requirement's status in one stroke, then (by default) moves
// to the next requirement. Not applicable needs a justification: a dialog that names the
// requirement asks for it, and the status follows when it is saved.
func (m *Model) setStatus(st assessments.Status) tea.Cmd {
	req, ok := m.selected()
	if !ok {
		return nil
	}
	cur := m.result(req.Ref)
	if st == assessments.NotApplicable && strings.TrimSpace(cur.Justification) == "" {
		return m.askJustification(req)
	}
	cmd := m.enqueue(req.Ref, "status", func(r assessments.Result) assessments.Result {
		r.Status = st
		if st != assessments.NotApplicable {
			// The justification explains an exclusion; it goes when the exclusion goes
			// (the history keeps it, and z brings it back).
			r.Justification = ""
		}
		return r
	})
	return tea.Batch(cmd, m.advance())
}

// advance moves to the next requirement after a status key when the setting is on.
func (m *Model) advance() tea.Cmd {
	if !m.c.Prefs.Advance {
		return nil
	}
	return m.move(1)
}

// naDialogID names the N/A justification dialog of a requirement.
func (m *Model) naDialogID(ref string) string { return m.Address() + "/na/" + ref }

func (m *Model) askJustification(req catalogs.Requirement) tea.Cmd {
	d := dialog.NewForm(m.c.Styles, m.naDialogID(req.Ref), m.Address(),
		fmt.Sprintf("Not applicable: %s %s %s", m.Title(), req.Ref, req.Title),
		"Say why this requirement is excluded. ctrl+s saves and sets not applicable; esc leaves it as it was.",
		form.Values{fieldJustification: ""},
		form.Field{Key: fieldJustification, Label: "Justification", Kind: form.MultiLine, Required: true,
			Limit: assessments.MaxTextLen, Lines: 5, Placeholder: "why it does not apply here"})
	return common.OpenDialog(d)
}

// submitted saves what a dialog of this tab sent.
func (m *Model) submitted(msg dialog.SubmitMsg) tea.Cmd {
	prefix := m.Address() + "/na/"
	if !strings.HasPrefix(msg.ID, prefix) {
		return nil
	}
	ref, text := strings.TrimPrefix(msg.ID, prefix), msg.Values[fieldJustification]
	op := saveOp{ref: ref, what: "status", dialog: msg.ID, apply: func(r assessments.Result) assessments.Result {
		r.Justification = text
		r.Status = assessments.NotApplicable
		return r
	}}
	cmd := m.enqueueOp(op)
	if sel, _ := m.selected(); sel.Ref == ref {
		cmd = tea.Batch(cmd, m.advance())
	}
	return cmd
}

// cycleMaturity steps the maturity through not rated, 0, 1 … 5.
func (m *Model) cycleMaturity() tea.Cmd {
	req, ok := m.selected()
	if !ok {
		return nil
	}
	return m.enqueue(req.Ref, "maturity", func(r assessments.Result) assessments.Result {
		r.Maturity = assessments.NextMaturity(r.Maturity)
		return r
	})
}

func (m *Model) confirmReview() tea.Cmd {
	req, ok := m.selected()
	if !ok {
		return nil
	}
	if !m.result(req.Ref).NeedsReview {
		if mark := m.ext.ReconfirmMark; m.ext.Reconfirm != nil && mark != "" && strings.Contains(m.marks[req.Ref], mark) {
			c, e, std, ref, run := m.c, m.eng, m.std, req.Ref, m.ext.Reconfirm
			return common.Send(m.Address(), func() tea.Msg {
				text, err := run(c.Ctx, c, e, std, ref)
				return reconfirmedMsg{ref: ref, text: text, err: err}
			})
		}
		return common.InfoCmd(req.Ref + " has nothing adopted to confirm.")
	}
	return m.enqueue(req.Ref, "review", assessments.Confirm)
}

// reconfirmedMsg is the outcome of re-confirming a requirement as it stands.
type reconfirmedMsg struct {
	ref, text string
	err       error
}

// sameAnswer reports whether two results hold the same answer (every field an edit saves).
func sameAnswer(a, b assessments.Result) bool {
	return a.EffectiveStatus() == b.EffectiveStatus() && a.Notes == b.Notes && a.Owner == b.Owner && a.TargetDate == b.TargetDate &&
		a.Justification == b.Justification && a.NeedsReview == b.NeedsReview && a.Provenance == b.Provenance &&
		assessments.MaturityText(a.Maturity) == assessments.MaturityText(b.Maturity) && slices.Equal(a.Reasons, b.Reasons)
}

// clearReconfirm drops a requirement's re-confirm mark: it was edited or re-confirmed.
func (m *Model) clearReconfirm(ref string) {
	if mark := m.ext.ReconfirmMark; mark != "" && strings.Contains(m.marks[ref], mark) {
		m.marks[ref] = strings.ReplaceAll(m.marks[ref], mark, "")
		m.dataVersion++
	}
}

// saveOp is one queued edit: saves run one at a time so each starts from the stored state.
type saveOp struct {
	ref   string
	what  string
	apply func(assessments.Result) assessments.Result
	// extra writes more in the save's own transaction (adopting links the evidence too);
	// it returns how many things it added.
	extra func(ctx context.Context, tx *store.Store, saved assessments.Result) (int, error)
	// text is what was typed, for a save of a field left before the save was acknowledged:
	// if the save fails the field opens again with it, so nothing typed is lost.
	text string
	// dialog is the dialog that asked for the save; it closes when the save goes through
	// and keeps the text with the message when it does not.
	dialog string
	// undo marks the reverse of an earlier edit (it is not itself undoable again).
	undo bool
}

type savedMsg struct {
	op     saveOp
	before assessments.Result
	result assessments.Result
	added  int // what op.extra added
	err    error
}

func (m *Model) enqueue(ref, what string, apply func(assessments.Result) assessments.Result) tea.Cmd {
	return m.enqueueOp(saveOp{ref: ref, what: what, apply: apply})
}

func (m *Model) enqueueOp(op saveOp) tea.Cmd {
	m.queue = append(m.queue, op)
	return m.next()
}

func (m *Model) next() tea.Cmd {
	if m.inflight || len(m.queue) == 0 {
		return nil
	}
	op := m.queue[0]
	m.queue = m.queue[1:]
	before := m.result(op.ref)
	after := op.apply(before)
	if err := after.Validate(); err != nil {
		cmds := []tea.Cmd{common.ErrCmd(fmt.Errorf("%s %s: %w", m.Title(), op.ref, err)), m.next()}
		if op.dialog != "" {
			cmds = append(cmds, failDialog(op.dialog, err))
		}
		return tea.Batch(cmds...)
	}
	m.inflight = true
	c := m.c
	return common.Send(m.Address(), func() tea.Msg {
		var saved assessments.Result
		var added int
		err := c.Store.WithTx(c.Ctx, func(tx *store.Store) error {
			var err error
			if saved, err = tx.SaveResult(c.Ctx, before, after); err != nil || op.extra == nil {
				return err
			}
			added, err = op.extra(c.Ctx, tx, saved)
			return err
		})
		return savedMsg{op: op, before: before, result: saved, added: added, err: err}
	})
}

// failDialog keeps a dialog open with the reason its save did not go through.
func failDialog(id string, err error) tea.Cmd {
	field := fieldJustification
	var ve *assessments.ValidationError
	if errors.As(err, &ve) && ve.Field != "" {
		field = ve.Field
	}
	msg := err.Error()
	if ve != nil {
		msg = ve.Message
	}
	return common.Send(id, func() tea.Msg { return dialog.FailMsg{Errors: map[string]string{field: msg}} })
}

func (m *Model) handleSaved(msg savedMsg) tea.Cmd {
	m.inflight = false
	var cmds []tea.Cmd
	if msg.err != nil {
		var ce *store.ConflictError
		if errors.As(msg.err, &ce) {
			m.queue = nil
			cmds = append(cmds, m.load())
		}
		cmds = append(cmds, m.keepTyped(msg, ce))
		if msg.op.dialog != "" {
			cmds = append(cmds, failDialog(msg.op.dialog, msg.err))
		}
		cmds = append(cmds, common.ErrCmd(fmt.Errorf("%s %s not saved: %w", m.Title(), msg.op.ref, msg.err)))
		return tea.Batch(append(cmds, m.next())...)
	}
	m.stdResults()[msg.result.Ref] = msg.result
	if !sameAnswer(msg.before, msg.result) {
		m.clearReconfirm(msg.result.Ref) // an edit re-confirms too (nothing written: nothing touched)
	}
	m.dataVersion++
	m.recompute()
	if m.edit != nil && m.edit.ref == msg.result.Ref {
		m.edit.saved = fieldValue(msg.result, m.edit.field)
		m.edit.err = ""
	}
	if m.statusFilter != filterAll {
		m.rebuildRows(m.SelectedRef())
	}
	if msg.op.dialog != "" {
		cmds = append(cmds, common.Send(msg.op.dialog, func() tea.Msg { return dialog.DoneMsg{} }))
	}
	saved := msg.result
	cmds = append(cmds, func() tea.Msg { return common.ResultSavedMsg{Result: saved} })
	if !msg.op.undo {
		m.pushUndo(msg)
	}
	name := m.Title() + " " + msg.result.Ref
	switch {
	case msg.op.undo:
	case msg.op.what == "status":
		cmds = append(cmds, common.InfoCmd(fmt.Sprintf("%s: %s", name, msg.result.EffectiveStatus().Label())))
	case msg.op.what == "adopt":
		text := fmt.Sprintf("%s: %s adopted %s; needs review (c confirms)", name, msg.result.EffectiveStatus().Label(), msg.result.Provenance)
		if msg.added > 0 {
			text += "; " + common.Count(msg.added, "evidence item", "evidence items") + " linked"
			cmds = append(cmds, m.loadSections())
		}
		cmds = append(cmds, common.InfoCmd(text))
	case msg.op.what == "review":
		cmds = append(cmds, common.InfoCmd(fmt.Sprintf("%s: adopted result confirmed", name)))
	case msg.op.what == "maturity":
		cmds = append(cmds, common.InfoCmd(fmt.Sprintf("%s: maturity %s", name, assessments.MaturityLabel(msg.result.Maturity))))
	default:
		cmds = append(cmds, common.InfoCmd(fmt.Sprintf("%s: %s saved", name, strings.ReplaceAll(msg.op.what, "_", " "))))
	}
	cmds = append(cmds, m.next())
	return tea.Batch(cmds...)
}

// pushUndo records how to take a saved edit back: the reverse edit through the same update
// path, so a field someone else changed since is a conflict, never overwritten.
func (m *Model) pushUndo(msg savedMsg) {
	before, saved, c, title := msg.before, msg.result, m.c, m.Title()
	if before.Key() != saved.Key() {
		return
	}
	what := strings.ReplaceAll(msg.op.what, "_", " ")
	m.c.Undo.Push(common.UndoEntry{
		Label: fmt.Sprintf("%s of %s %s", what, title, saved.Ref),
		To:    m.Address(),
		Run: func(ctx context.Context) (tea.Msg, error) {
			back, err := c.Store.SaveResult(ctx, saved, restore(saved, before))
			if err != nil {
				return nil, err
			}
			return savedMsg{op: saveOp{ref: saved.Ref, what: msg.op.what, undo: true}, before: saved, result: back}, nil
		},
	})
}

// restore is saved with the fields an edit changed set back to what they were before it.
func restore(saved, before assessments.Result) assessments.Result {
	out := saved
	out.Status, out.Maturity, out.Notes, out.Owner = before.Status, before.Maturity, before.Notes, before.Owner
	out.TargetDate, out.Justification, out.Reasons = before.TargetDate, before.Justification, before.Reasons
	out.NeedsReview, out.Provenance = before.NeedsReview, before.Provenance
	return out
}

// FlushDrafts saves an open editor's text and queued edits synchronously (program end).
func (m *Model) FlushDrafts() error {
	if m.edit != nil && m.edit.value() != m.edit.saved && !m.edit.conflict {
		m.queue = append(m.queue, m.editOp(m.edit))
	}
	var errs []error
	for _, op := range m.queue {
		before := m.result(op.ref)
		saved, err := m.c.Store.SaveResult(context.Background(), before, op.apply(before))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", m.Title(), op.ref, err))
			continue
		}
		m.stdResults()[op.ref] = saved
		if m.edit != nil && m.edit.ref == op.ref {
			m.edit.saved = fieldValue(saved, m.edit.field)
		}
	}
	m.queue = nil
	return errors.Join(errs...)
}

// JumpTargets lists the requirements of this tab's standard for the jump box.
func (m *Model) JumpTargets(context.Context) ([]common.JumpTarget, error) {
	if m.cat == nil {
		return nil, nil
	}
	out := make([]common.JumpTarget, 0, len(m.cat.Requirements))
	for _, r := range m.cat.Requirements {
		out = append(out, common.JumpTarget{Kind: m.cat.Short, Label: r.Ref + " " + r.Title, Msg: common.GotoMsg{Tab: m.Address(), Item: r.Ref}})
	}
	return out, nil
}

// Location is the selected requirement's ref.
func (m *Model) Location() string { return m.SelectedRef() }

// Restore selects a requirement by ref.
func (m *Model) Restore(ref string) tea.Cmd { return m.Select(ref) }

// Coverage is the "covered by the other standard's work" figure of this tab's standard, or
// nil when no crosswalk applies or the results are not loaded yet.
func (m *Model) Coverage() *assessments.Coverage { return m.coverage }

// Address names the tab for addressed results.
func (m *Model) Address() string { return common.TabAddress(m.eng.ID, "gap", m.std) }
