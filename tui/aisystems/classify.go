package aisystems

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
)

// The EU AI Act classification on the tab: c classifies the selected system (starts
// version 1, resumes a draft, or asks to re-classify an approved version); the list, the
// preview and the detail show the result with the articles that decided it.

// shownAct is the classification the list shows: the approved version in force, else the
// newest draft.
func (m *Model) shownAct(systemID string) *assessments.AIActRecord {
	l := assessments.LatestAIAct(m.acts[systemID])
	if l.InForce != nil {
		return l.InForce
	}
	return l.Latest
}

// outcome is a stored classification's result, derived once per load.
func (m *Model) outcome(r *assessments.AIActRecord) assessments.AIActOutcome {
	if o, ok := m.outcomes[r.ID]; ok {
		return o
	}
	o := r.Outcome(catalogs.MustEUAIAct())
	if m.outcomes == nil {
		m.outcomes = map[string]assessments.AIActOutcome{}
	}
	m.outcomes[r.ID] = o
	return o
}

// actCell is the result in the list's narrow column.
func (m *Model) actCell(systemID string) string {
	st := m.c.Styles
	r := m.shownAct(systemID)
	if r == nil {
		return st.Subtle.Render("–")
	}
	o := m.outcome(r)
	s := o.Result.Short()
	switch {
	case !r.Frozen() && o.Result == assessments.ActUnsettled:
		s = "in draft"
	case !r.Frozen():
		s += " (draft)"
	}
	switch o.Result {
	case assessments.ActProhibited, assessments.ActHighRisk:
		return st.Level[4].Render(s)
	case assessments.ActTransparency:
		return st.Level[2].Render(s)
	case assessments.ActUnsettled:
		return st.Subtle.Render(s)
	}
	return s
}

// actSummary is the classification in a line: "high-risk (Art. 6(1)(a), Annex I; ...),
// applies from 2028-08-02 · v1 approved".
func (m *Model) actSummary(systemID string) string {
	r := m.shownAct(systemID)
	if r == nil {
		return "not classified yet (c classifies)"
	}
	o := m.outcome(r)
	s := o.String()
	if o.AppliesFrom.ID != "" {
		s += ", applies from " + o.AppliesFrom.AppliesFrom
	}
	return s + fmt.Sprintf(" · v%d %s", r.Version, r.State().Label())
}

// actVersionLine is one classification version in the detail view: the result and its
// date first, the articles after (they give way on a narrow screen).
func (m *Model) actVersionLine(r assessments.AIActRecord) string {
	st := m.c.Styles
	o := m.outcome(&r)
	text := fmt.Sprintf("v%d draft, step %d/%d", r.Version, int(r.LastStep)+1, len(assessments.AIActSteps))
	if r.Frozen() {
		text = fmt.Sprintf("v%d approved %s", r.Version, r.DecisionDate)
	}
	switch o.Result {
	case assessments.ActProhibited, assessments.ActHighRisk:
		text += " · " + st.Level[4].Render(o.Result.Label())
	case assessments.ActUnsettled:
		text += " · " + st.Muted.Render(o.String())
	default:
		text += " · " + o.Result.Label()
	}
	if o.AppliesFrom.ID != "" {
		text += " from " + o.AppliesFrom.AppliesFrom
	}
	if a := o.Articles(); a != "" && o.Result != assessments.ActUnsettled {
		text += st.Muted.Render(" · " + a)
	}
	if r.Frozen() {
		text += st.Muted.Render(" · by " + common.OneLine(r.Approver))
	}
	return text
}

// classify resumes the selected system's draft classification, starts version 1, or asks
// before starting version n+1 of an approved one.
func (m *Model) classify() tea.Cmd {
	la, ok := m.selected()
	if !ok {
		return nil
	}
	l := assessments.LatestAIAct(m.acts[la.System.ID])
	switch {
	case l.Latest == nil:
		return m.startClassification(la.System.ID, "Version 1 started; the operator roles follow from the system's roles.")
	case !l.Latest.Frozen():
		return m.openClassification(la.System, *l.Latest, fmt.Sprintf("Resumed at step %d of %d.", int(l.Latest.LastStep)+1, len(assessments.AIActSteps)))
	}
	return m.askReclassify(la.System.ID)
}

func (m *Model) askReclassify(systemID string) tea.Cmd {
	for _, la := range m.summary.Latest {
		if la.System.ID != systemID {
			continue
		}
		l := assessments.LatestAIAct(m.acts[systemID])
		if l.Latest == nil {
			return m.startClassification(systemID, "")
		}
		name := common.OneLine(la.System.Name)
		if !l.Latest.Frozen() {
			return common.InfoCmd(fmt.Sprintf("EU AI Act classification v%d of %s is still a draft; press c on the list to resume it.", l.Latest.Version, name))
		}
		next := l.Latest.Version + 1
		return common.OpenDialog(dialog.NewConfirm(m.c.Styles, m.Address()+"/reclassify", m.Address(),
			fmt.Sprintf("Re-classify %s: start version %d?", name, next),
			fmt.Sprintf("Version %d is prefilled with every answer of version %d, which stays as the record. Its approval is given afresh.", next, l.Latest.Version),
			reclassifyMsg{systemID: systemID}))
	}
	return nil
}

func (m *Model) startClassification(systemID, info string) tea.Cmd {
	m.opening = true
	s, ctx := m.c.Store, m.c.Ctx
	return m.send(func() tea.Msg {
		r, err := s.StartAIActRecord(ctx, systemID)
		if err != nil {
			return openClassifyMsg{err: err}
		}
		sys, err := s.AISystem(ctx, systemID)
		if err != nil {
			return openClassifyMsg{err: err}
		}
		ias, err := s.ImpactAssessments(ctx, systemID)
		if info == "" {
			info = fmt.Sprintf("Version %d started with every answer of version %d.", r.Version, r.Version-1)
		}
		return openClassifyMsg{sys: sys, r: r, ia: assessments.FRIASource(ias), info: info, err: err}
	})
}

func (m *Model) openClassification(sys assessments.AISystem, r assessments.AIActRecord, info string) tea.Cmd {
	m.opening = true
	s, ctx := m.c.Store, m.c.Ctx
	return m.send(func() tea.Msg {
		cur, err := s.AIActRecord(ctx, r.ID)
		if err != nil {
			return openClassifyMsg{err: err}
		}
		ias, err := s.ImpactAssessments(ctx, sys.ID)
		return openClassifyMsg{sys: sys, r: cur, ia: assessments.FRIASource(ias), info: info, err: err}
	})
}

// classifyDone closes the classification wizard when it is done and says what happened.
func (m *Model) classifyDone(cmd tea.Cmd) tea.Cmd {
	w := m.cwiz
	if w == nil || !w.done {
		return cmd
	}
	m.cwiz = nil
	m.mode = modeDetail
	m.vcursor = len(m.versions[w.sys.ID])
	m.selectAfterLoad(w.sys.ID)
	cmds := []tea.Cmd{cmd, m.load()}
	if w.info != "" {
		cmds = append(cmds, common.InfoCmd(w.info))
	}
	return tea.Batch(cmds...)
}
