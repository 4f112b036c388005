// Package audits is the engagement's internal audit tab (27001 and 42001 9.2, 10.2): the
// audit programme with its coverage, the checklist walked per requirement with conclusions
// in one key, findings and their corrective actions. It also supplies the gap-analysis
// detail pane with the open findings on a requirement (Section) and marks requirements
// marked implemented that an open major nonconformity contradicts (RowMarks).
package audits

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
)

type mode int

const (
	modeProgramme mode = iota
	modeWalk
	modeFindings
	modeForm
)

// Model is the Audits tab.
type Model struct {
	c    *common.Common
	eng  assessments.Engagement
	keys keyMap

	width, height int
	mode          mode

	loaded  bool
	loadErr error
	loadSeq int
	audits  []assessments.Audit
	records []assessments.AuditRecord
	views   []assessments.FindingView
	results map[string]map[string]assessments.Result
	library []assessments.Evidence
	risks   []assessments.Risk
	people  []string

	prog  programme
	walk  *walk
	finds *findingsPane
	pane  *formPane

	// pending is the audit to select once the next load arrives.
	pending string
}

// New builds the Audits tab of an engagement.
func New(c *common.Common, e assessments.Engagement) common.Tab { return newModel(c, e) }

func newModel(c *common.Common, e assessments.Engagement) *Model {
	return &Model{c: c, eng: e, keys: newKeyMap(c.Keys), results: map[string]map[string]assessments.Result{}}
}

// Title is the tab's label.
func (m *Model) Title() string { return "Audits" }

// Address names the tab for addressed results.
func (m *Model) Address() string { return common.TabAddress(m.eng.ID, "audits") }

// Init does nothing: Activate loads.
func (m *Model) Init() tea.Cmd { return nil }

// Activate reloads the programme each time the tab shows.
func (m *Model) Activate() tea.Cmd { return m.load() }

// Capturing is true everywhere but the programme list: in the checklist walk, the findings
// and the forms, esc and q go back a level rather than leave the engagement.
func (m *Model) Capturing() bool { return m.mode != modeProgramme }

// SetSize is the tab's area.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	if m.walk != nil {
		m.walk.resize(m)
	}
	if m.pane != nil {
		m.pane.resize(w, h)
	}
}

type loadedMsg struct {
	seq     int
	audits  []assessments.Audit
	records []assessments.AuditRecord
	views   []assessments.FindingView
	results map[string]map[string]assessments.Result
	library []assessments.Evidence
	risks   []assessments.Risk
	err     error
}

func (m *Model) load() tea.Cmd {
	m.loadSeq++
	seq, c, id := m.loadSeq, m.c, m.eng.ID
	return tea.Batch(common.Send(m.Address(), func() tea.Msg {
		msg := loadedMsg{seq: seq}
		if msg.records, msg.err = c.Store.AuditRecords(c.Ctx, id); msg.err != nil {
			return msg
		}
		for _, r := range msg.records {
			msg.audits = append(msg.audits, r.Audit)
		}
		if msg.views, msg.err = c.Store.FindingViews(c.Ctx, id); msg.err != nil {
			return msg
		}
		if msg.results, msg.err = c.Store.Results(c.Ctx, id); msg.err != nil {
			return msg
		}
		// The library and the register only name things here; a problem there hides names.
		msg.library, _ = c.Store.Evidence(c.Ctx, id)
		msg.risks, _ = c.Store.Risks(c.Ctx, id)
		return msg
	}), m.c.LoadPeople(m.Address()))
}

// Update handles keys and the results of the tab's commands.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != m.loadSeq {
			return m, nil
		}
		m.loaded, m.loadErr = true, msg.err
		if msg.err != nil {
			return m, nil
		}
		m.audits, m.records, m.views, m.results, m.library, m.risks = msg.audits, msg.records, msg.views, msg.results, msg.library, msg.risks
		if m.results == nil {
			m.results = map[string]map[string]assessments.Result{}
		}
		m.prog.rebuild(m)
		if m.pending != "" {
			m.prog.selectAudit(m, m.pending)
			m.pending = ""
		}
		var cmd tea.Cmd
		if m.walk != nil {
			cmd = m.walk.refreshAudit(m)
		}
		if m.finds != nil {
			m.finds.rebuild(m)
		}
		return m, cmd
	case common.PeopleMsg:
		m.people = msg.Names
		if m.pane != nil {
			m.pane.f.SetPeople(msg.Names)
		}
		if m.walk != nil && m.walk.edit != nil {
			m.walk.edit.f.SetPeople(msg.Names)
		}
		return m, nil
	case common.DataChangedMsg:
		return m, m.load()
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	case tea.PasteMsg:
		return m, m.paste(msg)
	}
	if cmd, ok := m.walkMsg(msg); ok {
		return m, cmd
	}
	if cmd, ok := m.findingsMsg(msg); ok {
		return m, cmd
	}
	if cmd, ok := m.formMsg(msg); ok {
		return m, cmd
	}
	if cmd, ok := m.programmeMsg(msg); ok {
		return m, cmd
	}
	return m, nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	switch m.mode {
	case modeForm:
		return m.formKey(msg)
	case modeWalk:
		return m.walkKey(msg)
	case modeFindings:
		return m.findingsKey(msg)
	}
	return m.programmeKey(msg)
}

func (m *Model) paste(msg tea.PasteMsg) tea.Cmd {
	switch {
	case m.mode == modeForm && m.pane != nil:
		if m.pane.saving {
			return nil
		}
		_, cmd := m.pane.f.Update(msg)
		return cmd
	case m.mode == modeWalk && m.walk != nil:
		return m.walk.paste(m, msg)
	}
	return nil
}

// KeyMap lists the keys of the current view for the help bar.
func (m *Model) KeyMap() help.KeyMap {
	switch m.mode {
	case modeForm:
		if m.pane != nil {
			return m.pane.f.KeyMap()
		}
	case modeWalk:
		if m.walk != nil {
			return m.walk.helpMap(m)
		}
	case modeFindings:
		return m.findingsHelp()
	}
	return m.programmeHelp()
}

// View draws the current view.
func (m *Model) View() string {
	st := m.c.Styles
	switch {
	case m.width <= 0 || m.height <= 0:
		return ""
	case !m.loaded:
		return st.Muted.Render("Loading the audit programme…")
	case m.loadErr != nil:
		return st.Error.Render(common.Truncate("Cannot read the audit programme: "+common.OneLine(m.loadErr.Error()), m.width))
	}
	switch m.mode {
	case modeForm:
		if m.pane != nil {
			return m.pane.view(m)
		}
	case modeWalk:
		if m.walk != nil {
			return m.walk.view(m)
		}
	case modeFindings:
		if m.finds != nil {
			return m.finds.view(m)
		}
	}
	return m.prog.view(m)
}

// audit finds an audit by id.
func (m *Model) audit(id string) (assessments.Audit, bool) {
	for _, a := range m.audits {
		if a.ID == id {
			return a, true
		}
	}
	return assessments.Audit{}, false
}

// findingsOf lists an audit's findings (withdrawn ones last), the most serious first.
func (m *Model) findingsOf(auditID string) []assessments.FindingView {
	var out, withdrawn []assessments.FindingView
	for _, v := range m.views {
		if v.Finding.AuditID != auditID {
			continue
		}
		if v.Status == assessments.FindingWithdrawn {
			withdrawn = append(withdrawn, v)
		} else {
			out = append(out, v)
		}
	}
	return append(out, withdrawn...)
}

// findingFrom is the finding a checklist item raised.
func (m *Model) findingFrom(auditID string, c assessments.ControlRef) (assessments.FindingView, bool) {
	for _, v := range m.views {
		if v.Finding.AuditID == auditID && v.Finding.Source == c {
			return v, true
		}
	}
	return assessments.FindingView{}, false
}

// label names a requirement: "ISO 42001 A.6.2.4".
func (m *Model) label(c assessments.ControlRef) string {
	if cat, ok := m.c.Catalogs.Get(c.Standard); ok {
		return cat.Short + " " + c.Ref
	}
	return c.Standard + " " + c.Ref
}

func (m *Model) labels(refs []assessments.ControlRef) string {
	out := make([]string, len(refs))
	for i, c := range refs {
		out[i] = m.label(c)
	}
	return strings.Join(out, ", ")
}

func (m *Model) riskName(id string) string {
	for _, r := range m.risks {
		if r.ID == id {
			return r.Ref + " " + r.Title
		}
	}
	return ""
}

func (m *Model) known() func(std, ref string) bool {
	k := assessments.KnownControl(m.c.Catalogs)
	return func(std, ref string) bool { return m.eng.HasStandard(std) && k(std, ref) }
}

// FlushDrafts saves what is typed in place in the checklist when the program ends; an open
// form is saved if it passes the rules.
func (m *Model) FlushDrafts() error {
	var errs []error
	if m.walk != nil {
		errs = append(errs, m.walk.flush(m))
	}
	if m.pane != nil && m.pane.f.Changed() && !m.pane.saving {
		errs = append(errs, m.pane.flush(m))
	}
	return errors.Join(errs...)
}

// UnsavedWork reports typed text that cannot be saved as it stands.
func (m *Model) UnsavedWork() string {
	if m.walk != nil {
		if w := m.walk.unsaved(m); w != "" {
			return w
		}
	}
	if m.pane != nil && m.pane.f.Changed() && len(m.pane.problems(m)) > 0 {
		return "the " + m.pane.what + " form (a field needs fixing)"
	}
	return ""
}

// UsesEsc: the programme list uses esc for nothing; the other views capture it.
func (m *Model) UsesEsc() bool { return false }

// JumpTargets lists the audits and findings for the jump box.
func (m *Model) JumpTargets(ctx context.Context) ([]common.JumpTarget, error) {
	audits, err := m.c.Store.Audits(ctx, m.eng.ID)
	if err != nil {
		return nil, err
	}
	findings, err := m.c.Store.Findings(ctx, m.eng.ID)
	if err != nil {
		return nil, err
	}
	addr := m.Address()
	var out []common.JumpTarget
	for _, a := range audits {
		out = append(out, common.JumpTarget{Kind: "audit", Label: a.Ref + " " + common.OneLine(a.Title), Msg: common.GotoMsg{Tab: addr, Item: a.ID}})
	}
	for _, f := range findings {
		out = append(out, common.JumpTarget{Kind: "finding", Label: f.Ref + " " + f.Grade.Short() + " " + common.OneLine(firstLine(f.Statement)),
			Msg: common.GotoMsg{Tab: addr, Item: "finding:" + f.ID}})
	}
	return out, nil
}

// Location is the selected audit (or "finding:<id>" in the findings).
func (m *Model) Location() string {
	if m.mode == modeFindings && m.finds != nil {
		if v, ok := m.finds.selected(m); ok {
			return "finding:" + v.Finding.ID
		}
	}
	if m.walk != nil {
		return m.walk.audit.ID
	}
	if a, ok := m.prog.selected(m); ok {
		return a.ID
	}
	return ""
}

// Restore goes to an audit or a finding. An open form stays open.
func (m *Model) Restore(loc string) tea.Cmd {
	if loc == "" || m.mode == modeForm {
		return nil
	}
	if id, ok := strings.CutPrefix(loc, "finding:"); ok {
		for _, v := range m.views {
			if v.Finding.ID == id {
				return m.openFindings(v.Finding.AuditID, id, modeProgramme)
			}
		}
		return nil
	}
	m.closeWalk()
	m.finds = nil
	m.mode = modeProgramme
	if !m.prog.selectAudit(m, loc) {
		m.pending = loc
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func quote(s string) string { return "“" + common.OneLine(s) + "”" }

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
