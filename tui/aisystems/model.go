// Package aisystems is the engagement tab of the AI system inventory and its impact
// assessments: the inventory list and form, each system's assessment versions, and the
// step-by-step impact assessment (ISO/IEC 42001 6.1.4, 8.4, A.5).
package aisystems

import (
	"context"
	"errors"
	"fmt"
	"strings"

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

type mode int

const (
	modeList mode = iota
	modeDetail
	modeForm
	modeWizard
	modeClassify
)

// Model is the "AI systems" tab.
type Model struct {
	c    *common.Common
	eng  assessments.Engagement
	keys keyMap

	mode    mode
	summary assessments.ImpactSummary
	// versions holds every version per system id, newest first.
	versions map[string][]assessments.ImpactAssessment
	// acts holds every EU AI Act classification version per system id, newest first.
	acts map[string][]assessments.AIActRecord
	// outcomes caches each classification's derived result by record id until the next
	// load (a frame asks for the visible rows' results).
	outcomes map[string]assessments.AIActOutcome
	risks    []assessments.Risk
	loaded   bool
	loadErr  string
	seq      int

	filter    textinput.Model
	filtering bool
	visible   []int    // indexes into summary.Latest after the filter
	hay       []string // per system, the lower-case text the filter searches
	cursor    int
	offset    int
	vcursor   int // detail view: selected version (impact versions, then classifications)

	sysForm     *form.Form
	formFor     *assessments.AISystem // nil: a new system
	formFrom    mode                  // the view the form returns to
	formSaving  bool
	formGeneral string
	people      []string

	wiz       *wizard
	cwiz      *actWizard // the EU AI Act classification wizard
	pendingID string
	opening   bool              // a version is being opened or started
	queue     []tea.KeyPressMsg // keys typed while busy

	width  int
	height int
}

// Messages of the tab's commands. Every command's result comes back addressed to the
// tab (common.Send), wherever the tab is.
type (
	loadedMsg struct {
		seq      int
		summary  assessments.ImpactSummary
		versions map[string][]assessments.ImpactAssessment
		acts     map[string][]assessments.AIActRecord
		risks    []assessments.Risk
		err      error
	}
	systemSavedMsg struct {
		sys   assessments.AISystem
		prev  *assessments.AISystem // what was stored before; nil for a new system
		err   error
		isNew bool
		undo  bool // the save took an earlier edit back
	}
	openWizardMsg struct {
		sys   assessments.AISystem
		a     assessments.ImpactAssessment
		risks map[assessments.ImpactArea][]assessments.Risk
		info  string
		err   error
	}
	deletedMsg struct {
		info string
		err  error
	}
	// The yes answers of the tab's confirmations.
	deleteSystemMsg  struct{ id, name string }
	deleteVersionMsg struct {
		id, name string
		version  int
	}
	reassessMsg struct{ systemID string }
	// The EU AI Act classification: a version opened or started, the yes answers.
	openClassifyMsg struct {
		sys  assessments.AISystem
		r    assessments.AIActRecord
		ia   *assessments.ImpactAssessment
		info string
		err  error
	}
	reclassifyMsg struct{ systemID string }
	deleteActMsg  struct {
		id, name string
		version  int
	}
)

// New builds the tab for an engagement.
func New(c *common.Common, e assessments.Engagement) common.Tab {
	fi := textinput.New()
	fi.Prompt = "/ "
	fi.Placeholder = "filter by name, purpose, owner"
	fi.CharLimit = 200
	st := fi.Styles()
	st.Cursor.Blink = false
	fi.SetStyles(st)
	return &Model{c: c, eng: e, keys: newKeyMap(c.Keys), filter: fi, width: c.Width, height: c.Height,
		versions: map[string][]assessments.ImpactAssessment{}, acts: map[string][]assessments.AIActRecord{}}
}

// Title is the tab's label.
func (m *Model) Title() string { return "AI systems" }

// Address names the tab for addressed results.
func (m *Model) Address() string { return common.TabAddress(m.eng.ID, "aisystems") }

// send wraps a command so its result comes back to this tab.
func (m *Model) send(cmd tea.Cmd) tea.Cmd { return common.Send(m.Address(), cmd) }

// Init does nothing: Activate loads.
func (m *Model) Init() tea.Cmd { return nil }

// Activate reloads the inventory.
func (m *Model) Activate() tea.Cmd { return m.load() }

// Capturing is true whenever the tab is not on its plain list (sub-views use q and esc),
// and while a filter is typed or applied (esc clears it).
func (m *Model) Capturing() bool {
	return m.mode != modeList || m.filtering
}

// UsesEsc is true while a filter is applied: esc on the list clears it before it leaves.
func (m *Model) UsesEsc() bool { return m.mode == modeList && !m.filtering && m.filter.Value() != "" }

// SetSize records the size the tab draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	if m.wiz != nil {
		m.wiz.width, m.wiz.height = w, h
	}
	if m.cwiz != nil {
		m.cwiz.width, m.cwiz.height = w, h
	}
	if m.sysForm != nil {
		m.sysForm.SetSize(w, max(3, h-3))
	}
}

// UnsavedWork reports a changed form that cannot be saved as it stands.
func (m *Model) UnsavedWork() string {
	if m.wiz != nil {
		return m.wiz.unsavedWork()
	}
	if m.cwiz != nil {
		return m.cwiz.unsavedWork()
	}
	if m.mode != modeForm || m.sysForm == nil || m.formSaving || !m.sysForm.Changed() {
		return ""
	}
	if err := m.formValue().Validate(); err != nil {
		return "the AI system form (" + err.Error() + ")"
	}
	return ""
}

// FlushDrafts saves, when the program ends, an open wizard step or system form whose
// content is valid, so nothing typed is lost.
func (m *Model) FlushDrafts() error {
	if m.wiz != nil {
		return m.wiz.flush(m.c.Ctx)
	}
	if m.cwiz != nil {
		return m.cwiz.flush(m.c.Ctx)
	}
	if m.mode != modeForm || m.sysForm == nil || m.formSaving || !m.sysForm.Changed() {
		return nil
	}
	after := m.formValue()
	if after.Validate() != nil {
		return nil
	}
	var saved assessments.AISystem
	var err error
	if m.formFor == nil {
		saved, err = m.c.Store.CreateAISystem(m.c.Ctx, after)
	} else {
		saved, err = m.c.Store.UpdateAISystem(m.c.Ctx, *m.formFor, after)
	}
	if err == nil {
		m.formFor = &saved
		m.sysForm.MarkSaved()
	}
	return err
}

func (m *Model) load() tea.Cmd {
	m.seq++
	seq, s, ctx, id := m.seq, m.c.Store, m.c.Ctx, m.eng.ID
	return m.send(func() tea.Msg {
		sum, err := s.ImpactAssessmentStatus(ctx, id)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		versions, err := s.EngagementImpactAssessments(ctx, id)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		acts, err := s.EngagementAIActRecords(ctx, id)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		risks, err := s.Risks(ctx, id)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		return loadedMsg{seq: seq, summary: sum, versions: versions, acts: acts, risks: risks}
	})
}

func (m *Model) applyFilter() {
	q := strings.ToLower(strings.TrimSpace(m.filter.Value()))
	if len(m.hay) != len(m.summary.Latest) {
		m.hay = make([]string, len(m.summary.Latest))
		for i, la := range m.summary.Latest {
			s := la.System
			m.hay[i] = strings.ToLower(s.Name + " " + s.Purpose + " " + s.Owner + " " + s.Type)
		}
	}
	m.visible = m.visible[:0]
	for i := range m.summary.Latest {
		if q == "" || strings.Contains(m.hay[i], q) {
			m.visible = append(m.visible, i)
		}
	}
	m.cursor = max(0, min(m.cursor, len(m.visible)-1))
}

func (m *Model) clearFilter() {
	m.filtering = false
	m.filter.Blur()
	m.filter.SetValue("")
	m.applyFilter()
}

// selected is the system under the cursor.
func (m *Model) selected() (assessments.LatestAssessment, bool) {
	if m.cursor < 0 || m.cursor >= len(m.visible) {
		return assessments.LatestAssessment{}, false
	}
	return m.summary.Latest[m.visible[m.cursor]], true
}

// selectSystem puts the cursor on a system by id; false when the list does not show it.
func (m *Model) selectSystem(id string) bool {
	for i, idx := range m.visible {
		if m.summary.Latest[idx].System.ID == id {
			m.cursor = i
			return true
		}
	}
	return false
}

// showSystem selects a system, clearing a filter that hides it.
func (m *Model) showSystem(id string) bool {
	if m.selectSystem(id) {
		return true
	}
	if m.filter.Value() != "" {
		m.clearFilter()
		return m.selectSystem(id)
	}
	return false
}

// Update handles messages and keys; keys queued while busy follow the message that
// ended the wait.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	cmd := m.update(msg)
	if _, isKey := msg.(tea.KeyPressMsg); !isKey && len(m.queue) > 0 {
		cmd = tea.Batch(cmd, m.replay())
	}
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loadedMsg:
		return m.loaded_(msg)
	case systemSavedMsg:
		return m.systemSaved(msg)
	case openWizardMsg:
		m.opening = false
		if msg.err != nil {
			return common.ErrCmd(msg.err)
		}
		m.wiz = newWizard(m.c, m.keys, m.Address(), m.eng.Standards, msg.sys, msg.a, msg.risks, m.width, m.height)
		m.wiz.notice = msg.info
		m.wiz.setPeople(m.people)
		m.mode = modeWizard
		return tea.Batch(m.load(), m.c.LoadPeople(m.Address()))
	case openClassifyMsg:
		m.opening = false
		if msg.err != nil {
			return common.ErrCmd(msg.err)
		}
		m.cwiz = newActWizard(m.c, m.keys, m.Address(), msg.sys, msg.r, msg.ia, m.width, m.height)
		m.cwiz.notice = msg.info
		m.cwiz.setPeople(m.people)
		m.mode = modeClassify
		return tea.Batch(m.load(), m.c.LoadPeople(m.Address()))
	case reclassifyMsg:
		if m.cwiz != nil && m.cwiz.readOnly {
			m.cwiz = nil
		}
		return m.startClassification(msg.systemID, "")
	case deleteActMsg:
		s, ctx, d := m.c.Store, m.c.Ctx, msg
		return m.send(func() tea.Msg {
			err := s.DeleteAIActRecord(ctx, d.id)
			return deletedMsg{info: fmt.Sprintf("Deleted draft EU AI Act classification v%d of %s.", d.version, d.name), err: err}
		})
	case actSavedMsg:
		if msg.undo {
			return m.load()
		}
	case common.PeopleMsg:
		m.people = msg.Names
		if m.sysForm != nil {
			m.sysForm.SetPeople(msg.Names)
		}
		if m.wiz != nil {
			m.wiz.setPeople(msg.Names)
		}
		if m.cwiz != nil {
			m.cwiz.setPeople(msg.Names)
		}
		return nil
	case deleteSystemMsg:
		s, ctx, id, name := m.c.Store, m.c.Ctx, msg.id, msg.name
		if m.mode == modeDetail {
			m.mode = modeList
		}
		return m.send(func() tea.Msg {
			err := s.DeleteAISystem(ctx, id)
			return deletedMsg{info: "Deleted AI system " + name + ".", err: err}
		})
	case deleteVersionMsg:
		s, ctx, d := m.c.Store, m.c.Ctx, msg
		return m.send(func() tea.Msg {
			err := s.DeleteImpactAssessment(ctx, d.id)
			return deletedMsg{info: fmt.Sprintf("Deleted draft version %d of %s.", d.version, d.name), err: err}
		})
	case deletedMsg:
		if msg.err != nil {
			return tea.Batch(m.load(), common.ErrCmd(msg.err))
		}
		return tea.Batch(m.load(), common.InfoCmd(msg.info))
	case reassessMsg:
		if m.wiz != nil && m.wiz.readOnly {
			m.wiz = nil
		}
		return m.start(msg.systemID, "")
	case stepSavedMsg:
		if msg.undo {
			return m.load()
		}
	case common.DataChangedMsg:
		return m.load()
	case tea.PasteMsg:
		switch {
		case m.wiz != nil:
			return m.wizardDone(m.wiz.update(msg))
		case m.cwiz != nil:
			return m.classifyDone(m.cwiz.update(msg))
		case m.mode == modeForm && m.sysForm != nil:
			_, cmd := m.sysForm.Update(msg)
			return cmd
		case m.filtering:
			msg.Content = common.OneLine(msg.Content)
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg)
			m.applyFilter()
			return cmd
		}
		return nil
	case tea.KeyPressMsg:
		if m.busy() {
			// Keys typed while a save or an open is in flight wait for it: nothing a
			// fast typist presses is lost or sent to the wrong view.
			m.queue = append(m.queue, msg)
			return nil
		}
		return m.key(msg)
	}
	if m.wiz != nil {
		return m.wizardDone(m.wiz.update(msg))
	}
	if m.cwiz != nil {
		return m.classifyDone(m.cwiz.update(msg))
	}
	return nil
}

func (m *Model) loaded_(msg loadedMsg) tea.Cmd {
	if msg.seq != m.seq {
		return nil // a newer load is on its way
	}
	if msg.err != nil {
		m.loadErr = sentence(msg.err)
		return nil
	}
	keep := m.pendingID
	if la, ok := m.selected(); ok && keep == "" {
		keep = la.System.ID
	}
	m.pendingID = ""
	m.summary, m.versions, m.acts, m.risks, m.loaded, m.loadErr = msg.summary, msg.versions, msg.acts, msg.risks, true, ""
	m.outcomes = map[string]assessments.AIActOutcome{}
	m.hay = nil
	m.applyFilter()
	if keep != "" {
		m.showSystem(keep)
	}
	if m.mode == modeDetail {
		if _, ok := m.selected(); !ok {
			m.mode = modeList
		}
	}
	return nil
}

// busy is true while a command the next keys depend on is running.
func (m *Model) busy() bool {
	return m.opening || m.formSaving || (m.wiz != nil && m.wiz.saving) || (m.cwiz != nil && m.cwiz.saving)
}

// replay hands the queued keys over once nothing is in flight.
func (m *Model) replay() tea.Cmd {
	var cmds []tea.Cmd
	for len(m.queue) > 0 && !m.busy() {
		k := m.queue[0]
		m.queue = m.queue[1:]
		cmds = append(cmds, m.key(k))
	}
	return tea.Batch(cmds...)
}

// selectAfterLoad selects a system now and again once the next load arrives (a new
// system is not in the list yet).
func (m *Model) selectAfterLoad(id string) {
	m.showSystem(id)
	m.pendingID = id
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	switch m.mode {
	case modeWizard:
		if m.wiz != nil {
			if m.wiz.readOnly && key.Matches(msg, m.keys.ReAssess) {
				return m.askReassess(m.wiz.sys.ID)
			}
			return m.wizardDone(m.wiz.update(msg))
		}
		m.mode = modeDetail
	case modeClassify:
		if m.cwiz != nil {
			if m.cwiz.readOnly && key.Matches(msg, m.keys.Classify) {
				return m.askReclassify(m.cwiz.sys.ID)
			}
			return m.classifyDone(m.cwiz.update(msg))
		}
		m.mode = modeDetail
	case modeForm:
		return m.formKey(msg)
	case modeDetail:
		return m.detailKey(msg)
	}
	return m.listKey(msg)
}

// wizardDone closes the wizard when it is done and says what happened.
func (m *Model) wizardDone(cmd tea.Cmd) tea.Cmd {
	w := m.wiz
	if w == nil || !w.done {
		return cmd
	}
	m.wiz = nil
	m.mode = modeDetail
	m.vcursor = 0
	m.selectAfterLoad(w.sys.ID)
	cmds := []tea.Cmd{cmd, m.load()}
	if w.info != "" {
		cmds = append(cmds, common.InfoCmd(w.info))
	}
	return tea.Batch(cmds...)
}

func helpCmd() tea.Msg { return common.ToggleHelpMsg{} }

func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.filtering {
		switch {
		case key.Matches(msg, k.FilterDone):
			m.filtering = false
			m.filter.Blur()
			if m.filter.Value() == "" {
				m.applyFilter()
			}
		case key.Matches(msg, k.FilterClear):
			m.clearFilter()
		case key.Matches(msg, k.FilterUp):
			m.cursor = max(0, m.cursor-1)
		case key.Matches(msg, k.FilterDown):
			m.cursor = max(0, min(len(m.visible)-1, m.cursor+1))
		default:
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg) // typed text
			m.applyFilter()
			return cmd
		}
		return nil
	}
	switch {
	case m.filter.Value() != "" && key.Matches(msg, k.FilterClear):
		m.clearFilter()
	case key.Matches(msg, k.Help):
		return helpCmd
	case key.Matches(msg, k.Up):
		m.cursor = max(0, m.cursor-1)
	case key.Matches(msg, k.Down):
		m.cursor = max(0, min(len(m.visible)-1, m.cursor+1))
	case key.Matches(msg, k.PageUp):
		m.cursor = max(0, m.cursor-m.listRows())
	case key.Matches(msg, k.PageDown):
		m.cursor = max(0, min(len(m.visible)-1, m.cursor+m.listRows()))
	case key.Matches(msg, k.Home):
		m.cursor = 0
	case key.Matches(msg, k.End):
		m.cursor = max(0, len(m.visible)-1)
	case key.Matches(msg, k.Filter):
		m.filtering = true
		return m.filter.Focus()
	case key.Matches(msg, k.New):
		return m.openForm(nil, modeList)
	case key.Matches(msg, k.Open):
		if _, ok := m.selected(); ok {
			m.mode, m.vcursor = modeDetail, 0
		}
	case key.Matches(msg, k.Edit):
		if la, ok := m.selected(); ok {
			sys := la.System
			return m.openForm(&sys, modeList)
		}
	case key.Matches(msg, k.Delete):
		return m.askDeleteSystem()
	case key.Matches(msg, k.Assess):
		return m.assess()
	case key.Matches(msg, k.ReAssess):
		if la, ok := m.selected(); ok {
			return m.askReassess(la.System.ID)
		}
	case key.Matches(msg, k.Classify):
		return m.classify()
	}
	return nil
}

func (m *Model) detailKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	la, ok := m.selected()
	if !ok {
		m.mode = modeList
		return nil
	}
	versions := m.versions[la.System.ID]
	acts := m.acts[la.System.ID]
	act := func() (assessments.AIActRecord, bool) {
		i := m.vcursor - len(versions)
		if i < 0 || i >= len(acts) {
			return assessments.AIActRecord{}, false
		}
		return acts[i], true
	}
	switch {
	case key.Matches(msg, k.Close):
		m.mode = modeList
	case key.Matches(msg, k.Help):
		return helpCmd
	case key.Matches(msg, k.Up):
		m.vcursor = max(0, m.vcursor-1)
	case key.Matches(msg, k.Down):
		m.vcursor = max(0, min(len(versions)+len(acts)-1, m.vcursor+1))
	case key.Matches(msg, k.Classify):
		return m.classify()
	case key.Matches(msg, k.Open):
		if m.vcursor >= 0 && m.vcursor < len(versions) {
			return m.openVersion(la.System, versions[m.vcursor], "")
		}
		if r, ok := act(); ok {
			return m.openClassification(la.System, r, "")
		}
		return m.assess()
	case key.Matches(msg, k.Assess):
		return m.assess()
	case key.Matches(msg, k.ReAssess):
		return m.askReassess(la.System.ID)
	case key.Matches(msg, k.Edit):
		sys := la.System
		return m.openForm(&sys, modeDetail)
	case key.Matches(msg, k.New):
		return m.openForm(nil, modeList)
	case key.Matches(msg, k.Delete):
		if r, ok := act(); ok {
			name := common.OneLine(la.System.Name)
			if r.Frozen() {
				return common.InfoCmd(fmt.Sprintf("EU AI Act classification v%d of %s is approved and kept as a record; only a draft can be deleted.", r.Version, name))
			}
			return common.OpenDialog(dialog.NewConfirm(m.c.Styles, m.Address()+"/delete-act", m.Address(),
				fmt.Sprintf("Delete draft EU AI Act classification v%d of %s?", r.Version, name),
				"Its answers are lost; the history keeps a row saying it was deleted.",
				deleteActMsg{id: r.ID, name: name, version: r.Version}))
		}
		if m.vcursor >= 0 && m.vcursor < len(versions) {
			v := versions[m.vcursor]
			name := common.OneLine(la.System.Name)
			if v.Frozen() {
				return common.InfoCmd(fmt.Sprintf("Version %d of %s is %s and kept as a record; only a draft can be deleted.", v.Version, name, v.State().Label()))
			}
			return common.OpenDialog(dialog.NewConfirm(m.c.Styles, m.Address()+"/delete-version", m.Address(),
				fmt.Sprintf("Delete draft version %d of %s?", v.Version, name),
				"Its answers are lost; the history keeps a row saying it was deleted.",
				deleteVersionMsg{id: v.ID, name: name, version: v.Version}))
		}
		return m.askDeleteSystem()
	}
	return nil
}

func (m *Model) askDeleteSystem() tea.Cmd {
	la, ok := m.selected()
	if !ok {
		return nil
	}
	sys := la.System
	name := common.OneLine(sys.Name)
	text := "The entry leaves the inventory; the history keeps a row saying so."
	if la.Versions > 0 {
		text = fmt.Sprintf("%s %s with it, approved ones included.", count(la.Versions, "impact assessment version"), verb(la.Versions, "goes", "go"))
	}
	if n := len(m.systemRisks(sys.ID)); n > 0 {
		text += fmt.Sprintf(" %s %s in the register, unlinked.", count(n, "linked risk"), verb(n, "stays", "stay"))
	}
	return common.OpenDialog(dialog.NewConfirm(m.c.Styles, m.Address()+"/delete", m.Address(),
		"Delete AI system "+name+"?", text, deleteSystemMsg{id: sys.ID, name: name}))
}

// askReassess asks before starting version n+1 of a system, prefilled from version n.
func (m *Model) askReassess(systemID string) tea.Cmd {
	for _, la := range m.summary.Latest {
		if la.System.ID != systemID {
			continue
		}
		name := common.OneLine(la.System.Name)
		if la.Latest == nil {
			return m.start(systemID, "Version 1 started, prefilled from the inventory entry.")
		}
		if !la.Latest.Frozen() {
			return common.InfoCmd(fmt.Sprintf("Version %d of %s is still a draft; press a to resume it.", la.Latest.Version, name))
		}
		next := la.Latest.Version + 1
		return common.OpenDialog(dialog.NewConfirm(m.c.Styles, m.Address()+"/reassess", m.Address(),
			fmt.Sprintf("Re-assess %s: start version %d?", name, next),
			fmt.Sprintf("Version %d is prefilled from version %d (%s), which stays as the record. Its trigger and decision are chosen afresh.",
				next, la.Latest.Version, la.Latest.State().Label()),
			reassessMsg{systemID: systemID}))
	}
	return nil
}

// assess resumes the draft of the selected system, or starts its first version.
func (m *Model) assess() tea.Cmd {
	la, ok := m.selected()
	if !ok {
		return nil
	}
	switch {
	case la.Latest == nil:
		return m.start(la.System.ID, "Version 1 started, prefilled from the inventory entry.")
	case !la.Latest.Frozen():
		return m.openVersion(la.System, *la.Latest, fmt.Sprintf("Resumed at step %d of %d.", int(la.Latest.LastStep)+1, len(assessments.ImpactSteps)))
	}
	m.mode = modeDetail
	return common.InfoCmd(fmt.Sprintf("Version %d of %s is %s and frozen; press r to re-assess (version %d, prefilled).",
		la.Latest.Version, common.OneLine(la.System.Name), la.Latest.State().Label(), la.Latest.Version+1))
}

func (m *Model) start(systemID, info string) tea.Cmd {
	m.opening = true
	s, ctx := m.c.Store, m.c.Ctx
	return m.send(func() tea.Msg {
		a, err := s.StartImpactAssessment(ctx, systemID)
		if err != nil {
			return openWizardMsg{err: err}
		}
		sys, err := s.AISystem(ctx, systemID)
		if info == "" {
			info = fmt.Sprintf("Version %d started, prefilled from version %d. Choose its trigger.", a.Version, a.Version-1)
		}
		return openWizardMsg{sys: sys, a: a, info: info, err: err}
	})
}

func (m *Model) openVersion(sys assessments.AISystem, a assessments.ImpactAssessment, info string) tea.Cmd {
	m.opening = true
	s, ctx := m.c.Store, m.c.Ctx
	return m.send(func() tea.Msg {
		cur, err := s.ImpactAssessment(ctx, a.ID)
		if err != nil {
			return openWizardMsg{err: err}
		}
		risks, err := s.ImpactRisks(ctx, a.ID)
		if err != nil {
			return openWizardMsg{err: err}
		}
		return openWizardMsg{sys: sys, a: cur, risks: risks, info: info}
	})
}

// ---- the inventory form ----

func (m *Model) openForm(sys *assessments.AISystem, from mode) tea.Cmd {
	f := form.New(m.c.Styles, systemFields()...)
	if m.c.Now != nil {
		f.SetNow(m.c.Now)
	}
	values := systemValues(assessments.AISystem{})
	m.formFor = nil
	if sys != nil {
		cp := *sys
		m.formFor = &cp
		values = systemValues(cp)
	}
	f.SetValidator(func(v form.Values) map[string]string {
		errs := map[string]string{}
		for _, p := range systemFromValues(m.formBase(), v).Problems() {
			if _, dup := errs[p.Field]; !dup {
				errs[p.Field] = p.Message
			}
		}
		return errs
	})
	f.Load(values)
	f.SetPeople(m.people)
	m.sysForm = f
	m.formFrom, m.formGeneral, m.formSaving = from, "", false
	m.mode = modeForm
	m.SetSize(m.width, m.height)
	return m.c.LoadPeople(m.Address())
}

func (m *Model) formBase() assessments.AISystem {
	if m.formFor != nil {
		return *m.formFor
	}
	return assessments.AISystem{EngagementID: m.eng.ID}
}

func (m *Model) formValue() assessments.AISystem {
	return systemFromValues(m.formBase(), m.sysForm.Values())
}

func (m *Model) closeForm() {
	m.sysForm, m.formFor, m.formGeneral = nil, nil, ""
	m.mode = m.formFrom
	if m.mode == modeDetail {
		if _, ok := m.selected(); !ok {
			m.mode = modeList
		}
	}
}

func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	act, cmd := m.sysForm.Update(msg)
	switch act {
	case form.Leave:
		m.closeForm()
		return cmd
	case form.Save:
		return tea.Batch(cmd, m.submitForm())
	}
	switch n := len(m.sysForm.Errors()); {
	case n == 0:
		m.formGeneral = ""
	case key.Matches(msg, m.keys.SaveStep) && !m.sysForm.Asking():
		m.formGeneral = fmt.Sprintf("Not saved: %s to fix.", count(n, "field"))
	}
	return cmd
}

// submitForm validates with the domain rule and saves; the form stays open with every
// value as typed until the store says it is saved.
func (m *Model) submitForm() tea.Cmd {
	after := m.formValue()
	if problems := after.Problems(); len(problems) > 0 {
		errs := map[string]string{}
		for _, p := range problems {
			if _, dup := errs[p.Field]; !dup {
				errs[p.Field] = p.Message
			}
		}
		m.formGeneral = fmt.Sprintf("Not saved: %s to fix.", count(len(errs), "field"))
		return m.sysForm.SetErrors(errs)
	}
	m.formSaving, m.formGeneral = true, ""
	s, ctx, before := m.c.Store, m.c.Ctx, m.formFor
	return m.send(func() tea.Msg {
		if before == nil {
			saved, err := s.CreateAISystem(ctx, after)
			return systemSavedMsg{sys: saved, err: err, isNew: true}
		}
		saved, err := s.UpdateAISystem(ctx, *before, after)
		return systemSavedMsg{sys: saved, prev: before, err: err}
	})
}

func (m *Model) systemSaved(msg systemSavedMsg) tea.Cmd {
	if msg.undo {
		m.selectAfterLoad(msg.sys.ID)
		return m.load()
	}
	m.formSaving = false
	if msg.err != nil {
		if m.sysForm == nil {
			return common.ErrCmd(msg.err)
		}
		var ve *assessments.ValidationError
		var ce *store.ConflictError
		switch {
		case errors.As(msg.err, &ve):
			m.formGeneral = "Not saved: " + ve.Message
			return m.sysForm.SetError(ve.Field, ve.Message)
		case errors.As(msg.err, &ce):
			m.formGeneral = "Not saved: " + sentence(msg.err) + " esc leaves; the list shows what is stored."
		default:
			m.formGeneral = "Not saved: " + sentence(msg.err)
		}
		return nil
	}
	m.sysForm, m.formFor, m.formGeneral = nil, nil, ""
	m.mode = modeDetail
	m.vcursor = 0
	m.selectAfterLoad(msg.sys.ID)
	name := common.OneLine(msg.sys.Name)
	info := fmt.Sprintf("Saved AI system %s.", name)
	if msg.isNew {
		info = fmt.Sprintf("Added AI system %s. Press a to start its impact assessment.", name)
	} else if msg.prev != nil {
		m.pushSystemUndo(*msg.prev, msg.sys)
	}
	return tea.Batch(m.load(), common.InfoCmd(info))
}

// pushSystemUndo records how to take an acknowledged edit back: the reverse edit goes
// through the store's update path, so a later change made elsewhere is a conflict.
func (m *Model) pushSystemUndo(prev, saved assessments.AISystem) {
	if m.c.Undo == nil || systemValuesEqual(prev, saved) {
		return
	}
	s := m.c.Store
	m.c.Undo.Push(common.UndoEntry{
		Label: "edit of AI system " + common.OneLine(saved.Name),
		To:    m.Address(),
		Run: func(ctx context.Context) (tea.Msg, error) {
			back, err := s.UpdateAISystem(ctx, saved, prev)
			if err != nil {
				return nil, err
			}
			return systemSavedMsg{sys: back, undo: true}, nil
		},
	})
}

func systemValuesEqual(a, b assessments.AISystem) bool {
	va, vb := systemValues(a), systemValues(b)
	for k, v := range va {
		if vb[k] != v {
			return false
		}
	}
	return true
}

// ---- jump box and location ----

// JumpTargets lists every AI system of the engagement (the jump box's "AI system" rows).
func (m *Model) JumpTargets(ctx context.Context) ([]common.JumpTarget, error) {
	list, err := m.c.Store.AISystems(ctx, m.eng.ID)
	if err != nil {
		return nil, err
	}
	out := make([]common.JumpTarget, 0, len(list))
	for _, s := range list {
		out = append(out, common.JumpTarget{Kind: "AI system", Label: common.OneLine(s.Name),
			Msg: common.GotoMsg{Tab: m.Address(), Item: s.ID}})
	}
	return out, nil
}

// Location is the selected system's id.
func (m *Model) Location() string {
	if la, ok := m.selected(); ok {
		return la.System.ID
	}
	return ""
}

// Restore selects a system by id (the jump box and a reopened workbench come here).
func (m *Model) Restore(loc string) tea.Cmd {
	if loc == "" || m.mode == modeForm || m.mode == modeWizard || m.mode == modeClassify {
		return nil
	}
	m.mode = modeList
	if m.loaded && m.showSystem(loc) {
		return nil
	}
	m.pendingID = loc
	if m.filter.Value() != "" {
		m.clearFilter()
	}
	return m.load()
}

// ---- help ----

// KeyMap is the help of the current view, the keys that matter first (the help bar keeps
// as many as it shows whole).
func (m *Model) KeyMap() help.KeyMap { return m.keyMap() }

func (m *Model) keyMap() help.KeyMap {
	k := m.keys
	switch {
	case m.mode == modeWizard && m.wiz != nil:
		return m.wiz.keyMap()
	case m.mode == modeClassify && m.cwiz != nil:
		return m.cwiz.keyMap()
	case m.mode == modeForm && m.sysForm != nil:
		return m.sysForm.KeyMap()
	case m.mode == modeDetail:
		open := withHelp(k.Open, "enter", "open version")
		del := withHelp(k.Delete, "d", "delete draft/system")
		short := []key.Binding{open, k.Assess, k.ReAssess, k.Classify, k.Edit, k.Up, k.Down, k.Close}
		return common.HelpMap{Short: short, Full: [][]key.Binding{{open, k.Up, k.Down}, {k.Assess, k.ReAssess, k.Classify, k.Edit, k.New, del, k.Close}}}
	case m.filtering:
		b := []key.Binding{k.FilterDone, k.FilterClear, k.FilterUp, k.FilterDown}
		return common.HelpMap{Short: b, Full: [][]key.Binding{b}}
	}
	short := []key.Binding{k.Open, k.New, k.Assess, k.Classify, k.Edit, k.Filter, k.Up, k.Down}
	if m.filter.Value() != "" {
		short = append([]key.Binding{k.FilterClear}, short...)
	}
	return common.HelpMap{Short: short,
		Full: [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}, {k.Open, k.Filter, k.FilterClear}, {k.New, k.Edit, k.Delete}, {k.Assess, k.ReAssess, k.Classify}}}
}

func withHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// count writes "1 item", "2 items".
func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
