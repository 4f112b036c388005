// Package aisystems is the engagement tab of the AI system inventory and its impact
// assessments: the inventory list and form, each system's assessment versions, and the
// step-by-step impact assessment (ISO/IEC 42001 6.1.4, 8.4, A.5).
package aisystems

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
)

type mode int

const (
	modeList mode = iota
	modeDetail
	modeForm
	modeWizard
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
	risks    []assessments.Risk
	loaded   bool
	loadErr  string
	seq      int

	filter    textinput.Model
	filtering bool
	visible   []int // indexes into summary.Latest after the filter
	cursor    int
	offset    int
	vcursor   int // detail view: selected version

	sysForm     *form
	formFor     *assessments.AISystem // nil: a new system
	formDirty   map[string]string     // what the form opened with
	formAsk     bool                  // esc on a form with errors: a second esc discards
	formSaving  bool
	formGeneral string

	wiz       *wizard
	pendingID string
	opening   bool              // a version is being opened or started
	queue     []tea.KeyPressMsg // keys typed while busy

	confirm *confirmation
	status  string
	width   int
	height  int
}

type confirmation struct {
	text string
	yes  func() tea.Cmd
}

// Messages of the tab's commands.
type (
	loadedMsg struct {
		seq      int
		summary  assessments.ImpactSummary
		versions map[string][]assessments.ImpactAssessment
		risks    []assessments.Risk
		err      error
	}
	systemSavedMsg struct {
		sys   assessments.AISystem
		err   error
		isNew bool
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
)

// New builds the tab for an engagement.
func New(c *common.Common, e assessments.Engagement) common.Tab {
	fi := textinput.New()
	fi.Prompt = "/ "
	fi.Placeholder = "filter by name, purpose, owner"
	fi.CharLimit = 200
	staticCursor(&fi)
	return &Model{c: c, eng: e, keys: newKeyMap(c.Keys), filter: fi, width: c.Width, height: c.Height,
		versions: map[string][]assessments.ImpactAssessment{}}
}

// Title is the tab's label.
func (m *Model) Title() string { return "AI systems" }

// Init does nothing: Activate loads.
func (m *Model) Init() tea.Cmd { return nil }

// Activate reloads the inventory.
func (m *Model) Activate() tea.Cmd { return m.load() }

// Capturing is true whenever the tab is not on its plain list: sub-views use q and esc.
func (m *Model) Capturing() bool {
	return m.mode != modeList || m.filtering || m.confirm != nil
}

// SetSize records the size the tab draws in.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	if m.wiz != nil {
		m.wiz.width, m.wiz.height = w, h
	}
}

// FlushDrafts saves an open wizard step or system form whose content is valid.
// UnsavedWork reports a changed AI system form that cannot be saved as it stands.
func (m *Model) UnsavedWork() string {
	if m.mode != modeForm || m.sysForm == nil || m.formSaving || !m.formChanged() {
		return ""
	}
	if after, _ := m.formValue(); after.Validate() != nil {
		return "the AI system form (" + after.Validate().Error() + ")"
	}
	return ""
}

func (m *Model) FlushDrafts() error {
	if m.wiz != nil {
		return m.wiz.flush(m.c.Ctx)
	}
	if m.mode == modeForm && m.sysForm != nil && !m.formSaving {
		after, ok := m.formValue()
		if !ok || after.Validate() != nil || !m.formChanged() {
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
			m.formDirty = map[string]string{}
			m.sysForm.values(m.formDirty)
		}
		return err
	}
	return nil
}

func (m *Model) load() tea.Cmd {
	m.seq++
	seq, s, ctx, id := m.seq, m.c.Store, m.c.Ctx, m.eng.ID
	return func() tea.Msg {
		sum, err := s.ImpactAssessmentStatus(ctx, id)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		versions, err := s.EngagementImpactAssessments(ctx, id)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		risks, err := s.Risks(ctx, id)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		return loadedMsg{seq: seq, summary: sum, versions: versions, risks: risks}
	}
}

func (m *Model) applyFilter() {
	q := strings.ToLower(strings.TrimSpace(m.filter.Value()))
	m.visible = m.visible[:0]
	for i, la := range m.summary.Latest {
		s := la.System
		if q == "" || strings.Contains(strings.ToLower(s.Name+" "+s.Purpose+" "+s.Owner+" "+s.Type), q) {
			m.visible = append(m.visible, i)
		}
	}
	m.cursor = max(0, min(m.cursor, len(m.visible)-1))
}

// selected is the system under the cursor.
func (m *Model) selected() (assessments.LatestAssessment, bool) {
	if m.cursor < 0 || m.cursor >= len(m.visible) {
		return assessments.LatestAssessment{}, false
	}
	return m.summary.Latest[m.visible[m.cursor]], true
}

// selectSystem puts the cursor on a system by id.
func (m *Model) selectSystem(id string) {
	for i, idx := range m.visible {
		if m.summary.Latest[idx].System.ID == id {
			m.cursor = i
		}
	}
}

// Update handles messages and keys; keys queued while busy follow the message that
// ended the wait.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	_, cmd := m.update(msg)
	if _, isKey := msg.(tea.KeyPressMsg); !isKey && len(m.queue) > 0 {
		cmd = tea.Batch(cmd, m.replay())
	}
	return m, cmd
}

func (m *Model) update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		if msg.err != nil {
			m.loadErr = sentence(msg.err)
			return m, nil
		}
		keep := m.pendingID
		if la, ok := m.selected(); ok && keep == "" {
			keep = la.System.ID
		}
		m.pendingID = ""
		m.summary, m.versions, m.risks, m.loaded, m.loadErr = msg.summary, msg.versions, msg.risks, true, ""
		m.applyFilter()
		m.selectSystem(keep)
		if la, ok := m.selected(); ok && keep != "" && la.System.ID != keep && m.filter.Value() != "" {
			// The filter hides the system just saved: clear it so the system shows.
			m.filter.SetValue("")
			m.applyFilter()
			m.selectSystem(keep)
		}
		if m.mode == modeDetail {
			if _, ok := m.selected(); !ok {
				m.mode = modeList
			}
		}
		return m, nil
	case systemSavedMsg:
		m.formSaving = false
		if msg.err != nil {
			var ve *assessments.ValidationError
			if errors.As(msg.err, &ve) && m.sysForm != nil {
				m.sysForm.errs[ve.Field] = ve.Message
				cmd, _ := m.sysForm.focusField(ve.Field)
				m.formGeneral = "Not saved: " + ve.Message
				return m, cmd
			}
			m.formGeneral = "Not saved: " + sentence(msg.err)
			return m, nil
		}
		m.sysForm, m.formFor = nil, nil
		m.mode = modeDetail
		m.selectAfterLoad(msg.sys.ID)
		verb := "Saved"
		if msg.isNew {
			verb = "Added"
		}
		return m, tea.Batch(m.load(), common.InfoCmd(fmt.Sprintf("%s %s. Press a to start its impact assessment.", verb, common.OneLine(msg.sys.Name))))
	case openWizardMsg:
		m.opening = false
		if msg.err != nil {
			m.status = sentence(msg.err)
			return m, common.ErrCmd(msg.err)
		}
		m.wiz = newWizard(m.c, m.keys, msg.sys, msg.a, msg.risks, m.width, m.height)
		m.wiz.notice = msg.info
		m.mode = modeWizard
		return m, m.load()
	case wizardClosedMsg:
		m.wiz = nil
		m.mode = modeDetail
		m.selectAfterLoad(msg.systemID)
		var cmds []tea.Cmd
		cmds = append(cmds, m.load())
		if msg.info != "" {
			m.status = msg.info
			cmds = append(cmds, common.InfoCmd(msg.info))
		}
		return m, tea.Batch(cmds...)
	case reassessMsg:
		return m, m.reassess(msg.systemID)
	case deletedMsg:
		if msg.err != nil {
			m.status = sentence(msg.err)
			return m, common.ErrCmd(msg.err)
		}
		m.status = msg.info
		return m, tea.Batch(m.load(), common.InfoCmd(msg.info))
	case common.DataChangedMsg:
		return m, m.load()
	case tea.PasteMsg:
		switch {
		case m.wiz != nil:
			return m, m.wiz.update(msg)
		case m.mode == modeForm && m.sysForm != nil:
			return m, m.sysForm.paste(msg)
		case m.filtering:
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg)
			m.applyFilter()
			return m, cmd
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.busy() {
			// Keys typed while a save or an open is in flight wait for it: nothing a
			// fast typist presses is lost or sent to the wrong view.
			m.queue = append(m.queue, msg)
			return m, nil
		}
		return m, m.key(msg)
	}
	if m.wiz != nil {
		return m, m.wiz.update(msg)
	}
	return m, nil
}

// busy is true while a command the next keys depend on is running.
func (m *Model) busy() bool {
	return m.opening || m.formSaving || (m.wiz != nil && m.wiz.saving)
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
	m.selectSystem(id)
	m.pendingID = id
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.confirm != nil {
		switch {
		case key.Matches(msg, k.Yes):
			c := m.confirm
			m.confirm = nil
			return c.yes()
		case key.Matches(msg, k.No):
			m.confirm = nil
		}
		return nil
	}
	m.status = ""
	switch m.mode {
	case modeWizard:
		if m.wiz != nil {
			return m.wiz.update(msg)
		}
	case modeForm:
		return m.formKey(msg)
	case modeDetail:
		return m.detailKey(msg)
	}
	return m.listKey(msg)
}

func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.filtering {
		switch msg.String() {
		case "enter":
			m.filtering = false
			m.filter.Blur()
			return nil
		case "esc":
			m.filtering = false
			m.filter.Blur()
			m.filter.SetValue("")
			m.applyFilter()
			return nil
		case "up", "down":
		default:
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg)
			m.applyFilter()
			return cmd
		}
	}
	switch {
	case key.Matches(msg, k.Up):
		m.cursor = max(0, m.cursor-1)
	case key.Matches(msg, k.Down):
		m.cursor = min(len(m.visible)-1, m.cursor+1)
	case key.Matches(msg, k.Home):
		m.cursor = 0
	case key.Matches(msg, k.End):
		m.cursor = len(m.visible) - 1
	case key.Matches(msg, k.Filter):
		m.filtering = true
		return m.filter.Focus()
	case key.Matches(msg, k.New):
		return m.openForm(nil)
	case key.Matches(msg, k.Open):
		if _, ok := m.selected(); ok {
			m.mode, m.vcursor = modeDetail, 0
		}
	case key.Matches(msg, k.Edit):
		if la, ok := m.selected(); ok {
			sys := la.System
			return m.openForm(&sys)
		}
	case key.Matches(msg, k.Delete):
		return m.askDeleteSystem()
	case key.Matches(msg, k.Assess):
		return m.assess()
	case key.Matches(msg, k.ReAssess):
		if la, ok := m.selected(); ok {
			return m.reassess(la.System.ID)
		}
	}
	m.cursor = max(0, m.cursor)
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
	switch {
	case key.Matches(msg, k.Close):
		m.mode = modeList
	case key.Matches(msg, k.Up):
		m.vcursor = max(0, m.vcursor-1)
	case key.Matches(msg, k.Down):
		m.vcursor = min(len(versions)-1, m.vcursor+1)
	case key.Matches(msg, k.Open):
		if m.vcursor >= 0 && m.vcursor < len(versions) {
			return m.openVersion(la.System, versions[m.vcursor], "")
		}
		return m.assess()
	case key.Matches(msg, k.Assess):
		return m.assess()
	case key.Matches(msg, k.ReAssess):
		return m.reassess(la.System.ID)
	case key.Matches(msg, k.Edit):
		sys := la.System
		return m.openForm(&sys)
	case key.Matches(msg, k.Delete):
		if m.vcursor >= 0 && m.vcursor < len(versions) {
			v := versions[m.vcursor]
			if v.Frozen() {
				m.status = fmt.Sprintf("Version %d is %s and kept as a record; only a draft can be deleted.", v.Version, v.State().Label())
				return nil
			}
			s, ctx, id := m.c.Store, m.c.Ctx, v.ID
			m.confirm = &confirmation{text: fmt.Sprintf("Delete draft version %d of %s? Its answers are lost.", v.Version, common.OneLine(la.System.Name)),
				yes: func() tea.Cmd {
					return func() tea.Msg {
						err := s.DeleteImpactAssessment(ctx, id)
						return deletedMsg{info: fmt.Sprintf("Deleted draft version %d.", v.Version), err: err}
					}
				}}
			return nil
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
	s, ctx, sys := m.c.Store, m.c.Ctx, la.System
	text := fmt.Sprintf("Delete %s from the inventory?", common.OneLine(sys.Name))
	if la.Versions > 0 {
		text = fmt.Sprintf("Delete %s and its %d impact assessment version%s? Approved versions go too.", common.OneLine(sys.Name), la.Versions, plural(la.Versions))
	}
	if n := len(m.systemRisks(sys.ID)); n > 0 {
		text += fmt.Sprintf(" Its %d linked risk%s stay in the register, unlinked.", n, plural(n))
	}
	m.confirm = &confirmation{text: text, yes: func() tea.Cmd {
		m.mode = modeList
		return func() tea.Msg {
			err := s.DeleteAISystem(ctx, sys.ID)
			return deletedMsg{info: "Deleted " + common.OneLine(sys.Name) + ".", err: err}
		}
	}}
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
	m.status = fmt.Sprintf("Version %d is %s and frozen; press r to re-assess (version %d, prefilled).",
		la.Latest.Version, la.Latest.State().Label(), la.Latest.Version+1)
	return nil
}

// reassess starts version n+1 of a system, prefilled from version n.
func (m *Model) reassess(systemID string) tea.Cmd {
	for _, la := range m.summary.Latest {
		if la.System.ID != systemID {
			continue
		}
		if la.Latest != nil && !la.Latest.Frozen() {
			m.status = fmt.Sprintf("Version %d is still a draft; press a to resume it.", la.Latest.Version)
			return nil
		}
		info := "Version 1 started, prefilled from the inventory entry."
		if la.Latest != nil {
			info = fmt.Sprintf("Version %d started, prefilled from version %d. Choose its trigger.", la.Latest.Version+1, la.Latest.Version)
		}
		return m.start(systemID, info)
	}
	return nil
}

func (m *Model) start(systemID, info string) tea.Cmd {
	m.opening = true
	s, ctx := m.c.Store, m.c.Ctx
	return func() tea.Msg {
		a, err := s.StartImpactAssessment(ctx, systemID)
		if err != nil {
			return openWizardMsg{err: err}
		}
		sys, err := s.AISystem(ctx, systemID)
		return openWizardMsg{sys: sys, a: a, info: info, err: err}
	}
}

func (m *Model) openVersion(sys assessments.AISystem, a assessments.ImpactAssessment, info string) tea.Cmd {
	m.opening = true
	s, ctx := m.c.Store, m.c.Ctx
	return func() tea.Msg {
		cur, err := s.ImpactAssessment(ctx, a.ID)
		if err != nil {
			return openWizardMsg{err: err}
		}
		risks, err := s.ImpactRisks(ctx, a.ID)
		if err != nil {
			return openWizardMsg{err: err}
		}
		return openWizardMsg{sys: sys, a: cur, risks: risks, info: info}
	}
}

// ---- the inventory form ----

func (m *Model) openForm(sys *assessments.AISystem) tea.Cmd {
	m.sysForm = newForm(m.c.Styles, systemSpecs(), nil)
	m.sysForm.labelW = 22
	values := systemMap(assessments.AISystem{Role: "", Stage: ""})
	if sys != nil {
		cp := *sys
		m.formFor = &cp
		values = systemMap(cp)
	} else {
		m.formFor = nil
	}
	m.sysForm.setValues(values)
	m.formDirty = map[string]string{}
	m.sysForm.values(m.formDirty)
	m.formAsk, m.formGeneral, m.formSaving = false, "", false
	m.mode = modeForm
	return m.sysForm.setFocus(0)
}

func (m *Model) formValue() (assessments.AISystem, bool) {
	vals := map[string]string{}
	m.sysForm.values(vals)
	base := assessments.AISystem{EngagementID: m.eng.ID}
	if m.formFor != nil {
		base = *m.formFor
	}
	return systemFromMap(base, vals), true
}

func (m *Model) formChanged() bool {
	vals := map[string]string{}
	m.sysForm.values(vals)
	for k, v := range vals {
		if m.formDirty[k] != v {
			return true
		}
	}
	return false
}

func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.formSaving {
		return nil
	}
	if msg.String() != "esc" {
		m.formAsk = false
	}
	switch msg.String() {
	case "esc":
		if m.formAsk || !m.formChanged() {
			m.sysForm, m.formFor, m.formAsk = nil, nil, false
			m.mode = modeList
			return nil
		}
		return m.submitForm(true)
	case "ctrl+s":
		return m.submitForm(false)
	case "enter":
		if m.sysForm.focus == len(m.sysForm.fields)-1 {
			return m.submitForm(false)
		}
		return m.sysForm.setFocus(m.sysForm.focus + 1)
	}
	_, cmd, _ := m.sysForm.update(msg)
	return cmd
}

// submitForm validates and saves the form; leaving marks that esc asked for it, so a
// form with errors offers to discard on a second esc.
func (m *Model) submitForm(leaving bool) tea.Cmd {
	after, _ := m.formValue()
	m.sysForm.errs = map[string]string{}
	problems := after.Problems()
	for _, p := range problems {
		m.sysForm.errs[p.Field] = p.Message
	}
	if len(problems) > 0 {
		m.formGeneral = fmt.Sprintf("%d field%s to fix.", len(problems), plural(len(problems)))
		if leaving {
			m.formAsk = true
			m.formGeneral += " Press esc again to leave without saving."
		}
		cmd, _ := m.sysForm.focusField(problems[0].Field)
		return cmd
	}
	m.formSaving = true
	s, ctx, before := m.c.Store, m.c.Ctx, m.formFor
	return func() tea.Msg {
		if before == nil {
			saved, err := s.CreateAISystem(ctx, after)
			return systemSavedMsg{sys: saved, err: err, isNew: true}
		}
		saved, err := s.UpdateAISystem(ctx, *before, after)
		return systemSavedMsg{sys: saved, err: err}
	}
}

// KeyMap is the help of the current view.
func (m *Model) KeyMap() help.KeyMap {
	k := m.keys
	switch {
	case m.confirm != nil:
		return common.HelpMap{Short: []key.Binding{k.Yes, k.No}, Full: [][]key.Binding{{k.Yes, k.No}}}
	case m.mode == modeWizard && m.wiz != nil && m.wiz.readOnly:
		return common.HelpMap{Short: []key.Binding{k.NextStep, k.PrevStep, k.NextField, k.ReAssess, k.RaiseRisk, k.ReadOnlyClose},
			Full: [][]key.Binding{{k.NextStep, k.PrevStep}, {k.NextField, k.PrevField, k.Choose}, {k.ReAssess, k.RaiseRisk, k.ReadOnlyClose}}}
	case m.mode == modeWizard && m.wiz != nil && m.wiz.confirmDecision:
		return common.HelpMap{Short: []key.Binding{k.Yes, k.No}, Full: [][]key.Binding{{k.Yes, k.No}}}
	case m.mode == modeWizard:
		short := []key.Binding{k.NextStep, k.PrevStep, k.NextField, k.Choose}
		if m.wiz != nil && m.wiz.step == assessments.StepImpacts {
			short = append(short, k.RaiseRisk)
		}
		return common.HelpMap{Short: append(short, k.Leave),
			Full: [][]key.Binding{{k.NextStep, k.PrevStep, k.Leave}, {k.NextField, k.PrevField, k.Choose}, {k.RaiseRisk}}}
	case m.mode == modeForm:
		save := key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save"))
		leave := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "save and close"))
		return common.HelpMap{Short: []key.Binding{k.NextField, k.PrevField, k.Choose, save, leave},
			Full: [][]key.Binding{{k.NextField, k.PrevField, k.Choose}, {save, leave}}}
	case m.mode == modeDetail:
		open := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open version"))
		return common.HelpMap{Short: []key.Binding{k.Up, k.Down, open, k.Assess, k.ReAssess, k.Edit, k.Close},
			Full: [][]key.Binding{{k.Up, k.Down, open}, {k.Assess, k.ReAssess, k.Edit, k.Delete, k.Close}}}
	case m.filtering:
		done := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter"))
		clear := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear"))
		return common.HelpMap{Short: []key.Binding{done, clear}, Full: [][]key.Binding{{done, clear}}}
	}
	return common.HelpMap{Short: []key.Binding{k.Up, k.Down, k.Open, k.New, k.Edit, k.Assess, k.Filter},
		Full: [][]key.Binding{{k.Up, k.Down, k.Home, k.End, k.Open, k.Filter}, {k.New, k.Edit, k.Delete}, {k.Assess, k.ReAssess}}}
}

// Address names the tab for addressed results.
func (m *Model) Address() string { return common.TabAddress(m.eng.ID, "aisystems") }
