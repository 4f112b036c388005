package audits

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

// findingsPane lists an audit's findings with the selected one beside them: its statement,
// requirements, objective evidence and corrective actions (tab moves into the actions).
type findingsPane struct {
	auditID        string
	list           []assessments.FindingView
	cursor, offset int
	onActions      bool
	act            int
	detailOffset   int
	actLine        int // the line of the selected action in the detail, to keep it in view
	from           mode
	pendingFinding string
}

func (m *Model) openFindings(auditID, findingID string, from mode) tea.Cmd {
	if from == modeFindings || from == modeForm {
		from = modeProgramme
	}
	p := &findingsPane{auditID: auditID, from: from, pendingFinding: findingID}
	m.finds = p
	m.mode = modeFindings
	p.rebuild(m)
	return nil
}

func (p *findingsPane) rebuild(m *Model) {
	keep := p.pendingFinding
	if keep == "" {
		if v, ok := p.selected(m); ok {
			keep = v.Finding.ID
		}
	}
	p.pendingFinding = ""
	p.list = m.findingsOf(p.auditID)
	p.cursor = min(p.cursor, max(0, len(p.list)-1))
	for i, v := range p.list {
		if v.Finding.ID == keep {
			p.cursor = i
		}
	}
	if v, ok := p.selected(m); ok {
		p.act = min(p.act, max(0, len(v.Actions)-1))
		if len(v.Actions) == 0 {
			p.onActions = false
		}
	}
	p.clamp(m)
}

func (p *findingsPane) selected(m *Model) (assessments.FindingView, bool) {
	if p.cursor < 0 || p.cursor >= len(p.list) {
		return assessments.FindingView{}, false
	}
	return p.list[p.cursor], true
}

func (p *findingsPane) action(m *Model) (assessments.FindingView, assessments.CorrectiveAction, bool) {
	v, ok := p.selected(m)
	if !ok || p.act < 0 || p.act >= len(v.Actions) {
		return v, assessments.CorrectiveAction{}, false
	}
	return v, v.Actions[p.act], true
}

func (p *findingsPane) clamp(m *Model) {
	h := m.listHeight()
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if p.cursor >= p.offset+h {
		p.offset = p.cursor - h + 1
	}
	p.offset = max(0, min(p.offset, max(0, len(p.list)-h)))
}

func (p *findingsPane) move(m *Model, d int) {
	if p.onActions {
		if v, ok := p.selected(m); ok {
			p.act = max(0, min(len(v.Actions)-1, p.act+d))
		}
		return
	}
	next := max(0, min(len(p.list)-1, p.cursor+d))
	if next != p.cursor {
		p.act, p.detailOffset = 0, 0
	}
	p.cursor = next
	p.clamp(m)
}

// Messages of the findings view.
type (
	actionSavedMsg struct {
		text   string
		dialog string
		err    error
	}
	raiseRiskMsg  struct{ findingID, ref string }
	riskRaisedMsg struct {
		finding, risk string
		err           error
	}
	deleteActionMsg  struct{ id, ref string }
	actionDeletedMsg struct {
		ref string
		err error
	}
	linkRiskMsg struct {
		actionID string
		riskID   []string
	}
)

func (m *Model) findingsKey(msg tea.KeyPressMsg) tea.Cmd {
	p, k := m.finds, m.keys
	if p == nil {
		m.mode = modeProgramme
		return nil
	}
	switch {
	case key.Matches(msg, k.Leave):
		if p.onActions {
			p.onActions = false
			return nil
		}
		m.finds = nil
		m.mode = p.from
		if m.mode == modeWalk && m.walk == nil {
			m.mode = modeProgramme
		}
		if m.walk != nil {
			m.walk.version++
		}
		return nil
	case key.Matches(msg, k.Focus):
		if v, ok := p.selected(m); ok && len(v.Actions) > 0 {
			p.onActions = !p.onActions
		} else if ok {
			return common.InfoCmd(v.Finding.Ref + " has no corrective action yet: n adds one.")
		}
	case key.Matches(msg, k.Up):
		p.move(m, -1)
	case key.Matches(msg, k.Down):
		p.move(m, 1)
	case key.Matches(msg, k.Home):
		p.onActions = false
		p.cursor, p.act = 0, 0
		p.clamp(m)
	case key.Matches(msg, k.End):
		p.onActions = false
		p.cursor, p.act = max(0, len(p.list)-1), 0
		p.clamp(m)
	case key.Matches(msg, k.PageDown):
		p.detailOffset += max(1, m.listHeight()/2)
	case key.Matches(msg, k.PageUp):
		p.detailOffset = max(0, p.detailOffset-max(1, m.listHeight()/2))
	case key.Matches(msg, k.Open), key.Matches(msg, k.Edit):
		if p.onActions {
			if v, a, ok := p.action(m); ok {
				return m.openActionForm(v, &a)
			}
			return nil
		}
		if v, ok := p.selected(m); ok {
			return m.openFindingForm(v)
		}
	case key.Matches(msg, k.NewAction):
		if v, ok := p.selected(m); ok {
			if v.Status == assessments.FindingWithdrawn {
				return common.InfoCmd(v.Finding.Ref + " was withdrawn: its conclusion no longer stands.")
			}
			return m.openActionForm(v, nil)
		}
	case key.Matches(msg, k.Advance), key.Matches(msg, k.StepBack):
		return m.stepAction(key.Matches(msg, k.Advance))
	case key.Matches(msg, k.Review):
		return m.askReview()
	case key.Matches(msg, k.LinkRisk):
		return m.askRiskLink()
	case key.Matches(msg, k.RaiseRisk):
		v, ok := p.selected(m)
		if !ok {
			return nil
		}
		if v.Finding.RiskID != "" && m.riskName(v.Finding.RiskID) != "" {
			return common.InfoCmd(v.Finding.Ref + " already raised " + common.OneLine(m.riskName(v.Finding.RiskID)) + ".")
		}
		return common.OpenDialog(dialog.NewConfirm(m.c.Styles, m.Address()+"/raise/"+v.Finding.ID, m.Address(),
			"Raise a risk from "+v.Finding.Ref+"?",
			"A risk goes into the register, prefilled from the finding: its statement as the scenario, its requirements as the treatment's controls, a first score from its grade. Rate and treat it in the Risks tab.",
			raiseRiskMsg{findingID: v.Finding.ID, ref: v.Finding.Ref}))
	case key.Matches(msg, k.Delete):
		v, a, ok := p.action(m)
		if !ok || !p.onActions {
			return common.InfoCmd("Findings follow their checklist conclusions: set the conclusion to conforming (1) to withdraw one. d deletes a corrective action (tab selects them).")
		}
		ref := assessments.ActionRef(v.Finding.Ref, a.Seq)
		return common.OpenDialog(dialog.NewConfirm(m.c.Styles, m.Address()+"/delete-action/"+a.ID, m.Address(),
			"Delete corrective action "+ref+"?", "The history keeps a record of it.", deleteActionMsg{id: a.ID, ref: ref}))
	}
	return nil
}

// stepAction moves the selected action one state on (open → in progress → done) or back.
func (m *Model) stepAction(forward bool) tea.Cmd {
	v, a, ok := m.finds.action(m)
	if !ok {
		return common.InfoCmd("Select a corrective action first (tab), or n adds one.")
	}
	ref := assessments.ActionRef(v.Finding.Ref, a.Seq)
	next := a
	if forward {
		st, ok := assessments.NextActionState(a.EffectiveState())
		if !ok {
			if a.EffectiveState() == assessments.CorrectiveDone {
				return common.InfoCmd(ref + " is done: V records whether it worked (verified effective or ineffective).")
			}
			return common.InfoCmd(ref + " is " + a.EffectiveState().Label() + ".")
		}
		next.State = st
	} else {
		switch a.EffectiveState() {
		case assessments.CorrectiveInProgress:
			next.State = assessments.CorrectiveOpen
		case assessments.CorrectiveDone:
			next.State = assessments.CorrectiveInProgress
		default:
			return common.InfoCmd(ref + " is " + a.EffectiveState().Label() + "; it does not step back.")
		}
	}
	c := m.c
	return common.Send(m.Address(), func() tea.Msg {
		_, err := c.Store.UpdateCorrectiveAction(c.Ctx, a, next)
		return actionSavedMsg{text: ref + ": " + next.EffectiveState().Label(), err: err}
	})
}

func (m *Model) askReview() tea.Cmd {
	v, a, ok := m.finds.action(m)
	if !ok {
		return common.InfoCmd("Select a corrective action first (tab).")
	}
	ref := assessments.ActionRef(v.Finding.Ref, a.Seq)
	if st := a.EffectiveState(); st != assessments.CorrectiveDone && st != assessments.CorrectiveVerified {
		return common.InfoCmd(ref + " is " + st.Label() + ": an action is reviewed for effectiveness once it is done (> steps it on).")
	}
	verdicts := []form.Option{{Value: "effective", Label: "verified effective: the cause is gone"},
		{Value: "ineffective", Label: "ineffective: reopen the action"}}
	d := dialog.NewForm(m.c.Styles, m.Address()+"/review/"+a.ID, m.Address(), "Effectiveness review of "+ref,
		"Did the action remove the cause? Say who checked, when, and what was checked. The finding closes when all its actions are verified effective.",
		form.Values{"verdict": "effective", "reviewed_by": "", "reviewed_on": m.c.Now().Format(assessments.DateLayout), "review_note": ""},
		form.Field{Key: "verdict", Label: "Verdict", Kind: form.Choice, Options: verdicts},
		form.Field{Key: "reviewed_by", Label: "Reviewed by", Kind: form.Person, Limit: assessments.MaxNameLen, Required: true},
		form.Field{Key: "reviewed_on", Label: "Reviewed on", Kind: form.Date, Required: true},
		form.Field{Key: "review_note", Label: "What was checked", Kind: form.MultiLine, Lines: 4, Limit: assessments.MaxTextLen, Required: true})
	d.Inner().SetPeople(m.people)
	d.Inner().SetNow(m.c.Now)
	return common.OpenDialog(d)
}

func (m *Model) askRiskLink() tea.Cmd {
	v, a, ok := m.finds.action(m)
	if !ok {
		return common.InfoCmd("Select a corrective action first (tab).")
	}
	if len(m.risks) == 0 {
		return common.InfoCmd("The risk register is empty: r raises a risk from the finding.")
	}
	var sel []string
	if a.RiskID != "" {
		sel = []string{a.RiskID}
	}
	d := dialog.NewPick(m.c.Styles, m.Address()+"/link/"+a.ID, m.Address(), "Risk treatment carried out by "+assessments.ActionRef(v.Finding.Ref, a.Seq),
		"Choose the risk whose treatment this action carries out (the first entry removes the link).", m.riskOptions(a.RiskID), false, sel,
		func(ids []string) tea.Msg { return linkRiskMsg{actionID: a.ID, riskID: ids} })
	return common.OpenDialog(d)
}

func (m *Model) findingsMsg(msg tea.Msg) (tea.Cmd, bool) {
	c := m.c
	switch msg := msg.(type) {
	case actionSavedMsg:
		if msg.err != nil {
			cmds := []tea.Cmd{common.ErrCmd(msg.err), m.load()}
			if msg.dialog != "" {
				cmds = append(cmds, failDialog(msg.dialog, msg.err))
			}
			return tea.Batch(cmds...), true
		}
		cmds := []tea.Cmd{m.load(), common.InfoCmd(common.Truncate(msg.text, 78)), dataChanged}
		if msg.dialog != "" {
			cmds = append(cmds, common.Send(msg.dialog, func() tea.Msg { return dialog.DoneMsg{} }))
		}
		return tea.Batch(cmds...), true
	case raiseRiskMsg:
		return common.Send(m.Address(), func() tea.Msg {
			r, err := c.Store.CreateRiskFromFinding(c.Ctx, msg.findingID)
			return riskRaisedMsg{finding: msg.ref, risk: r.Ref, err: err}
		}), true
	case riskRaisedMsg:
		if msg.err != nil {
			return tea.Batch(common.ErrCmd(msg.err), m.load()), true
		}
		return tea.Batch(m.load(), dataChanged, common.InfoCmd("Raised "+msg.risk+" from "+msg.finding+": rate and treat it in the Risks tab")), true
	case deleteActionMsg:
		return common.Send(m.Address(), func() tea.Msg {
			return actionDeletedMsg{ref: msg.ref, err: c.Store.DeleteCorrectiveAction(c.Ctx, msg.id)}
		}), true
	case actionDeletedMsg:
		if msg.err != nil {
			return tea.Batch(common.ErrCmd(msg.err), m.load()), true
		}
		if m.finds != nil {
			m.finds.act = max(0, m.finds.act-1)
		}
		return tea.Batch(m.load(), common.InfoCmd("Deleted corrective action "+msg.ref), dataChanged), true
	case linkRiskMsg:
		v, a, ok := m.finds.action(m)
		if m.finds == nil || !ok || a.ID != msg.actionID {
			return nil, true
		}
		next := a
		next.RiskID = ""
		if len(msg.riskID) > 0 {
			next.RiskID = msg.riskID[0]
		}
		ref := assessments.ActionRef(v.Finding.Ref, a.Seq)
		text := ref + ": no longer linked to a risk"
		if next.RiskID != "" {
			text = ref + " carries out the treatment of " + common.OneLine(m.riskName(next.RiskID))
		}
		return common.Send(m.Address(), func() tea.Msg {
			_, err := c.Store.UpdateCorrectiveAction(c.Ctx, a, next)
			return actionSavedMsg{text: text, err: err}
		}), true
	case dialog.SubmitMsg:
		prefix := m.Address() + "/review/"
		if !strings.HasPrefix(msg.ID, prefix) || m.finds == nil {
			return nil, false
		}
		return m.submitReview(strings.TrimPrefix(msg.ID, prefix), msg), true
	}
	return nil, false
}

func (m *Model) submitReview(actionID string, msg dialog.SubmitMsg) tea.Cmd {
	var v assessments.FindingView
	var a assessments.CorrectiveAction
	found := false
	for _, fv := range m.views {
		for _, x := range fv.Actions {
			if x.ID == actionID {
				v, a, found = fv, x, true
			}
		}
	}
	if !found {
		return failDialog(msg.ID, fmt.Errorf("the action is no longer there"))
	}
	vals := msg.Values
	next, err := assessments.ReviewAction(a, v.Finding, vals["verdict"] == "effective", vals["reviewed_by"], vals["reviewed_on"], vals["review_note"])
	if err != nil {
		return failDialog(msg.ID, err)
	}
	ref := assessments.ActionRef(v.Finding.Ref, a.Seq)
	text := ref + ": verified effective"
	if next.State == assessments.CorrectiveIneffective {
		text = ref + ": found ineffective, reopened"
	} else {
		others := true
		for _, x := range v.Actions {
			if x.ID != a.ID && x.EffectiveState() != assessments.CorrectiveVerified {
				others = false
			}
		}
		if others {
			text += "; " + v.Finding.Ref + " is closed"
		}
	}
	c, id := m.c, msg.ID
	return common.Send(m.Address(), func() tea.Msg {
		_, err := c.Store.UpdateCorrectiveAction(c.Ctx, a, next)
		return actionSavedMsg{text: text, dialog: id, err: err}
	})
}

func (m *Model) findingsHelp() common.HelpMap {
	k := m.keys
	p := m.finds
	back := withHelp(k.Leave, "esc", "back")
	edit := withHelp(k.Edit, "e", "edit finding")
	focus := withHelp(k.Focus, "tab", "FINDINGS → actions")
	if p != nil && p.onActions {
		edit = withHelp(k.Edit, "e", "edit action")
		focus = withHelp(k.Focus, "tab", "ACTIONS → findings")
		back = withHelp(k.Leave, "esc", "to findings")
	}
	return common.HelpMap{
		Short: []key.Binding{focus, edit, k.NewAction, k.Advance, k.Review, k.RaiseRisk, k.LinkRisk, back},
		Full: [][]key.Binding{{k.Up, k.Down, k.Home, k.End, focus, withHelp(k.PageDown, "pgdn", "scroll detail")},
			{edit, k.NewAction, k.Advance, k.StepBack, k.Review}, {k.RaiseRisk, k.LinkRisk, withHelp(k.Delete, "d", "delete action"), back}},
	}
}

// ---- view ----

func (p *findingsPane) view(m *Model) string {
	st := m.c.Styles
	lw, dw, h := m.listWidth(), m.detailWidth(), m.listHeight()
	a, _ := m.audit(p.auditID)
	open, closed, noted := 0, 0, 0
	for _, v := range p.list {
		switch v.Status {
		case assessments.FindingOpen:
			open++
		case assessments.FindingClosed:
			closed++
		case assessments.FindingNoted:
			noted++
		}
	}
	header := common.Truncate(st.Title.Render("Findings of "+a.Ref)+"  "+st.Bold.Render(common.OneLine(a.Title)), m.width) + "\n" +
		common.Truncate(st.Muted.Render(fmt.Sprintf("%s · %d open · %d closed · %d noted", plural(len(p.list), "finding", "findings"), open, closed, noted)), m.width)
	var list []string
	if len(p.list) == 0 {
		list = []string{st.Muted.Render("No finding yet."), st.Muted.Render("A conclusion 2 to 5 in the"), st.Muted.Render("checklist raises one.")}
	}
	end := min(len(p.list), p.offset+h)
	for i := p.offset; i < end; i++ {
		v := p.list[i]
		f := v.Finding
		grade := gradeStyle(st, f.Grade).Render(common.Pad(shortGrade(f.Grade), 5))
		text := common.Pad(strings.TrimPrefix(f.Ref, "F-"+a.Ref+"-"), 4) + grade + " " + common.Pad(string(v.Status), 9) + " " + common.OneLine(firstLine(f.Statement))
		text = common.Pad(common.Truncate(text, lw-1), lw-1)
		if i == p.cursor {
			if p.onActions {
				list = append(list, st.Cursor.Render("›")+st.Bold.Render(text))
			} else {
				list = append(list, st.Cursor.Render("›")+st.Selected.Render(text))
			}
		} else {
			list = append(list, " "+text)
		}
	}
	var detail []string
	if v, ok := p.selected(m); ok {
		detail = p.detailLines(m, v, dw)
	}
	if p.onActions && (p.actLine < p.detailOffset || p.actLine >= p.detailOffset+h-2) {
		p.detailOffset = max(0, p.actLine-2)
	}
	p.detailOffset = max(0, min(p.detailOffset, max(0, len(detail)-h)))
	detail = detail[p.detailOffset:]
	return joinPanes(header, list, detail, lw, dw, h, st.Subtle.Render("│"))
}

func shortGrade(g assessments.Grade) string {
	switch g {
	case assessments.GradeMajor:
		return "MAJ"
	case assessments.GradeMinor:
		return "MIN"
	case assessments.GradeObservation:
		return "OBS"
	}
	return "OFI"
}

func (p *findingsPane) detailLines(m *Model, v assessments.FindingView, w int) []string {
	st := m.c.Styles
	f := v.Finding
	var out []string
	add := func(l ...string) { out = append(out, l...) }
	add(common.Truncate(st.Title.Render(f.Ref)+"  "+gradeStyle(st, f.Grade).Render(f.Grade.Label())+st.Muted.Render(" · "+string(v.Status)), w))
	from := ""
	if f.Source.Ref != "" {
		from = " · from " + m.label(f.Source)
	}
	add(common.Truncate(st.Muted.Render("Raised "+f.RaisedOn+from), w))
	if v.Status == assessments.FindingClosed {
		add(st.OK.Render("Closed " + assessments.ClosedOn(v.Actions) + ": every action verified effective"))
	}
	add(wrapLines(st.Label.Render("Requirements ")+m.labels(f.Requirements), w)...)
	if f.RiskID != "" {
		if name := m.riskName(f.RiskID); name != "" {
			add(common.Truncate(st.Label.Render("Raised risk ")+common.OneLine(name), w))
		}
	}
	add("", section(st, "Statement", w))
	add(wrapLines(common.Inert(f.Statement), w)...)
	if strings.TrimSpace(f.Evidence) != "" {
		add("", section(st, "Objective evidence", w))
		add(wrapLines(common.Inert(f.Evidence), w)...)
	}
	title := fmt.Sprintf("Corrective actions (%d)", len(v.Actions))
	add("", section(st, title, w))
	if len(v.Actions) == 0 {
		if f.Grade.Nonconformity() {
			add(st.Warn.Render("None yet: a nonconformity needs one (n adds it)."))
		} else {
			add(st.Muted.Render("None asked; n adds one if the auditee takes action."))
		}
	}
	now := m.c.Now()
	for i, a := range v.Actions {
		stateSty := st.Value
		switch a.EffectiveState() {
		case assessments.CorrectiveVerified:
			stateSty = st.OK
		case assessments.CorrectiveIneffective:
			stateSty = st.Error
		}
		due := ""
		if a.DueDate != "" {
			due = " · due " + a.DueDate
			if a.Overdue(now) {
				due = st.Error.Render(due + " overdue")
			}
		}
		state := a.EffectiveState().Label()
		if a.EffectiveState() == assessments.CorrectiveVerified {
			state = "verified"
		}
		line := fmt.Sprintf("%d ", a.Seq) + stateSty.Render(common.Pad(state, 12)) + common.OneLine(firstNonEmpty(a.Owner, "unassigned")) + due
		cursor := "  "
		if i == p.act {
			p.actLine = len(out)
		}
		if i == p.act && p.onActions {
			cursor = st.Cursor.Render("› ")
			line = st.Selected.Render(common.Pad(common.Truncate(line, w-2), w-2))
		}
		add(common.Truncate(cursor+line, w))
		add(wrapIndent(common.Inert(a.Action), "    ", w)...)
		if i == p.act {
			if a.Correction != "" {
				add(wrapIndent(st.Label.Render("Correction ")+common.Inert(a.Correction), "    ", w)...)
			}
			if len(a.RootCause) > 0 {
				add(wrapIndent(st.Label.Render("Why ")+common.Inert(strings.Join(a.RootCause, " → ")), "    ", w)...)
			}
			if a.RiskID != "" {
				add(common.Truncate(st.Label.Render("    Risk treatment ")+common.OneLine(m.riskName(a.RiskID)), w))
			}
			if a.ReviewedBy != "" {
				add(wrapIndent(st.Label.Render("Review ")+common.Inert(fmt.Sprintf("%s on %s: %s", a.ReviewedBy, a.ReviewedOn, a.ReviewNote)), "    ", w)...)
			}
		}
	}
	return out
}
