package risks

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

// The treatment plan of a risk (p in the register): its actions with owner, resources,
// dates, status, the controls they put in place and a corrective action they answer. An
// action is added and edited in a form; nothing is written before ctrl+s.

// Action form field keys: the domain's validation field names.
const (
	aTitle, aOwner, aResources, aStart, aDue = "title", "owner", "resources", "start_date", "due_date"
	aStatus, aControls, aCorrective          = "status", "controls", "corrective_ref"
)

var actionKeys = []string{aTitle, aOwner, aResources, aStart, aDue, aStatus, aControls, aCorrective}

var actionLabels = map[string]string{aTitle: "title", aOwner: "owner", aResources: "resources", aStart: "start date", aDue: "due date",
	aStatus: "status", aControls: "controls", aCorrective: "corrective action"}

// planView is the plan of one risk, open over the register.
type planView struct {
	riskID string
	cursor int
	offset int
	form   *actionForm
}

// actionForm adds or edits one action.
type actionForm struct {
	f        *form.Form
	base     assessments.TreatmentAction
	creating bool
	saving   bool
	banner   string
}

type (
	actionSavedMsg struct {
		before  assessments.TreatmentAction
		action  assessments.TreatmentAction
		keys    []string
		created bool
		undone  bool
		err     error
	}
	actionDeleteMsg  struct{ action assessments.TreatmentAction }
	actionDeletedMsg struct {
		action assessments.TreatmentAction
		err    error
	}
)

// planOf is a risk's plan as loaded.
func (m *Model) planOf(riskID string) []assessments.TreatmentAction { return m.plans[riskID] }

// planState sums up a risk's plan today.
func (m *Model) planState(r assessments.Risk) assessments.PlanState {
	return assessments.PlanOf(r, m.plans[r.ID], m.now())
}

func (m *Model) planRisk() (assessments.Risk, bool) {
	if m.plan == nil {
		return assessments.Risk{}, false
	}
	i := m.riskIndex(m.plan.riskID)
	if i < 0 {
		return assessments.Risk{}, false
	}
	return m.risks[i], true
}

func (m *Model) openPlan(r assessments.Risk) tea.Cmd {
	m.plan = &planView{riskID: r.ID}
	return m.c.LoadPeople(m.Address())
}

func (m *Model) selectedAction() (assessments.TreatmentAction, bool) {
	if m.plan == nil {
		return assessments.TreatmentAction{}, false
	}
	as := m.planOf(m.plan.riskID)
	if m.plan.cursor < 0 || m.plan.cursor >= len(as) {
		return assessments.TreatmentAction{}, false
	}
	return as[m.plan.cursor], true
}

func actionFields(m *Model) []form.Field {
	var statuses []form.Option
	for _, s := range assessments.ActionStatuses {
		statuses = append(statuses, form.Option{Value: string(s), Label: s.Label()})
	}
	return []form.Field{
		{Key: aTitle, Label: "Action", Kind: form.Text, Required: true, Limit: maxName, Placeholder: "what is done, in a few words"},
		{Key: aOwner, Label: "Owner", Kind: form.Person, Limit: maxName, Help: "→ takes a name already used in the workspace"},
		{Key: aResources, Label: "Resources", Kind: form.MultiLine, Lines: 2, Limit: maxText, Placeholder: "people, time, budget, tools"},
		{Key: aStart, Label: "Start", Kind: form.Date, Inline: false},
		{Key: aDue, Label: "Due", Kind: form.Date, Help: "YYYY-MM-DD; not before the start"},
		{Key: aStatus, Label: "Status", Kind: form.Choice, Options: statuses},
		{Key: aControls, Label: "Controls", Kind: form.Multi, Items: m.controlOptions, Help: "the controls of either catalog the action puts in place; enter opens the list"},
		{Key: aCorrective, Label: "Corrective action", Kind: form.Text, Limit: assessments.MaxRefLen, Placeholder: "its reference, if the action answers one"},
	}
}

func actionValues(a assessments.TreatmentAction) form.Values {
	cs := make([]string, len(a.Controls))
	for i, c := range a.Controls {
		cs[i] = c.String()
	}
	return form.Values{aTitle: a.Title, aOwner: a.Owner, aResources: a.Resources, aStart: a.StartDate, aDue: a.DueDate,
		aStatus: string(a.EffectiveStatus()), aControls: form.Join(cs), aCorrective: a.CorrectiveRef}
}

// applyActionValues sets the fields keys from v onto a.
func applyActionValues(a assessments.TreatmentAction, v form.Values, keys []string) assessments.TreatmentAction {
	for _, k := range keys {
		val := v[k]
		switch k {
		case aTitle:
			a.Title = strings.TrimSpace(val)
		case aOwner:
			a.Owner = strings.TrimSpace(val)
		case aResources:
			a.Resources = val
		case aStart:
			a.StartDate = strings.TrimSpace(val)
		case aDue:
			a.DueDate = strings.TrimSpace(val)
		case aStatus:
			a.Status = assessments.ActionStatus(val)
		case aControls:
			a.Controls = nil
			for _, s := range form.Split(val) {
				if c, err := assessments.ParseControlRef(s); err == nil {
					a.Controls = append(a.Controls, c)
				}
			}
			assessments.SortControls(a.Controls)
		case aCorrective:
			a.CorrectiveRef = strings.TrimSpace(val)
		}
	}
	return a
}

func (m *Model) newActionForm(a assessments.TreatmentAction, creating bool) *actionForm {
	af := &actionForm{base: a, creating: creating}
	af.f = form.New(m.c.Styles, actionFields(m)...)
	af.f.SetNow(m.now)
	af.f.Load(actionValues(a))
	af.f.SetPeople(m.people)
	known := assessments.KnownControl(m.c.Catalogs)
	af.f.SetValidator(func(form.Values) map[string]string {
		errs := map[string]string{}
		for _, p := range af.action().Problems(known) {
			errs[p.Field] = p.Message
		}
		return errs
	})
	af.f.SetSize(m.width, max(3, m.height-3))
	return af
}

func (af *actionForm) keys() []string {
	if af.creating {
		return actionKeys
	}
	return af.f.ChangedKeys()
}

func (af *actionForm) action() assessments.TreatmentAction {
	return applyActionValues(af.base, af.f.Values(), af.keys())
}

func (m *Model) planKey(msg tea.KeyPressMsg) tea.Cmd {
	pv := m.plan
	if pv.form != nil {
		af := pv.form
		if af.saving {
			return nil
		}
		act, cmd := af.f.Update(msg)
		switch act {
		case form.Save:
			return tea.Batch(cmd, m.submitAction())
		case form.Leave:
			pv.form = nil
		}
		return cmd
	}
	k := m.keys
	r, ok := m.planRisk()
	switch {
	case key.Matches(msg, k.ClosePlan):
		m.plan = nil
		return nil
	case !ok:
		return nil
	case key.Matches(msg, k.Up):
		pv.cursor--
	case key.Matches(msg, k.Down):
		pv.cursor++
	case key.Matches(msg, k.Home):
		pv.cursor = 0
	case key.Matches(msg, k.End):
		pv.cursor = len(m.planOf(r.ID)) - 1
	case key.Matches(msg, k.New):
		owner := r.Owner
		pv.form = m.newActionForm(assessments.TreatmentAction{RiskID: r.ID, EngagementID: r.EngagementID, Owner: owner,
			Status: assessments.ActionPlanned, Controls: append([]assessments.ControlRef(nil), r.Controls...)}, true)
		return tea.Batch(pv.form.f.Focus(aTitle), m.c.LoadPeople(m.Address()))
	case key.Matches(msg, k.Edit):
		if a, ok := m.selectedAction(); ok {
			pv.form = m.newActionForm(a, false)
			return tea.Batch(pv.form.f.Focus(aTitle), m.c.LoadPeople(m.Address()))
		}
	case key.Matches(msg, k.Delete):
		if a, ok := m.selectedAction(); ok {
			title := "Delete the action " + common.Truncate(common.OneLine(a.Title), 50) + "?"
			q := "It leaves the treatment plan of " + r.Ref + "; the change history keeps a record. To keep it on record, set its status to cancelled instead."
			return common.OpenDialog(dialog.NewConfirm(m.c.Styles, m.Address()+"/delete-action", m.Address(), title, q, actionDeleteMsg{action: a}))
		}
	}
	m.clampPlan()
	return nil
}

func (m *Model) clampPlan() {
	pv := m.plan
	if pv == nil {
		return
	}
	n := len(m.planOf(pv.riskID))
	pv.cursor = max(0, min(pv.cursor, n-1))
	h := m.planRows()
	if pv.cursor < pv.offset {
		pv.offset = pv.cursor
	}
	if pv.cursor >= pv.offset+h {
		pv.offset = pv.cursor - h + 1
	}
	pv.offset = max(0, min(pv.offset, max(0, n-h)))
}

// planRows is how many actions fit under the plan's header, above its detail.
func (m *Model) planRows() int { return max(1, m.height-4-5) }

func (m *Model) submitAction() tea.Cmd {
	af := m.plan.form
	keys := af.keys()
	if !af.creating && len(keys) == 0 {
		m.plan.form = nil
		return common.InfoCmd("Action unchanged")
	}
	af.saving, af.banner = true, ""
	before, after, creating := af.base, af.action(), af.creating
	st, ctx := m.c.Store, m.ctx()
	return m.send(func() tea.Msg {
		var saved assessments.TreatmentAction
		var err error
		if creating {
			saved, err = st.CreateTreatmentAction(ctx, after)
		} else {
			saved, err = st.UpdateTreatmentAction(ctx, before, after)
		}
		return actionSavedMsg{before: before, action: saved, keys: keys, created: creating, err: err}
	})
}

func (m *Model) onActionSaved(msg actionSavedMsg) tea.Cmd {
	var af *actionForm
	if m.plan != nil {
		af = m.plan.form
	}
	if msg.err != nil {
		if af == nil || msg.undone {
			return common.ErrCmd(msg.err)
		}
		af.saving = false
		var ve *assessments.ValidationError
		if errors.As(msg.err, &ve) {
			return tea.Batch(af.f.SetError(ve.Field, ve.Message), common.ErrCmd(msg.err))
		}
		af.banner = msg.err.Error()
		if errors.Is(msg.err, store.ErrConflict) {
			return tea.Batch(m.load(), common.ErrCmd(msg.err))
		}
		return common.ErrCmd(msg.err)
	}
	a := msg.action
	if msg.undone {
		return tea.Batch(m.load(), dataChanged)
	}
	if m.plan != nil {
		m.plan.form = nil
	}
	ref := m.refOf(a.RiskID)
	if msg.created {
		m.notice = ref + ": action added"
	} else {
		m.notice = ref + ": action saved (" + actionFieldNames(msg.keys) + ")"
		m.pushUndo(m.actionUndo(msg.before, a, msg.keys))
	}
	return tea.Batch(m.load(), common.InfoCmd(common.Truncate(m.notice, 78)), dataChanged)
}

// actionUndo takes an edit of an action back through the store's update path.
func (m *Model) actionUndo(before, saved assessments.TreatmentAction, keys []string) common.UndoEntry {
	st := m.c.Store
	label := m.refOf(saved.RiskID) + " action " + actionFieldNames(keys)
	return common.UndoEntry{Label: label, To: m.Address(), Run: func(ctx context.Context) (tea.Msg, error) {
		back, err := st.UpdateTreatmentAction(ctx, saved, applyActionValues(saved, actionValues(before), keys))
		if err != nil {
			return nil, err
		}
		return actionSavedMsg{before: saved, action: back, keys: keys, undone: true}, nil
	}}
}

func actionFieldNames(keys []string) string {
	var names []string
	for _, k := range keys {
		names = append(names, actionLabels[k])
	}
	if len(names) > 3 {
		names = append(names[:2], fmt.Sprintf("%d more", len(names)-2))
	}
	return strings.Join(names, ", ")
}

func (m *Model) refOf(riskID string) string {
	if i := m.riskIndex(riskID); i >= 0 {
		return m.risks[i].Ref
	}
	return "the risk"
}

func (m *Model) deleteActionCmd(a assessments.TreatmentAction) tea.Cmd {
	st, ctx := m.c.Store, m.ctx()
	return m.send(func() tea.Msg { return actionDeletedMsg{action: a, err: st.DeleteTreatmentAction(ctx, a.ID)} })
}

// planView draws the plan of the risk, or its action form.
func (m *Model) planScreen() string {
	st := m.c.Styles
	w := m.width
	r, ok := m.planRisk()
	if !ok {
		return st.Muted.Render("This risk is no longer in the register; esc goes back.")
	}
	if af := m.plan.form; af != nil {
		head := st.Title.Render("New action") + st.Muted.Render("  treatment plan of "+r.Ref+" "+common.OneLine(r.Title))
		if !af.creating {
			head = st.Title.Render("Edit action") + st.Muted.Render("  "+r.Ref+" "+common.OneLine(af.base.Title))
		}
		second := st.Muted.Render("ctrl+s saves · esc leaves (asks when something changed)")
		switch {
		case af.banner != "":
			second = st.Error.Render(common.OneLine(af.banner))
		case af.saving:
			second = st.Muted.Render("Saving…")
		}
		af.f.SetSize(w, max(3, m.height-2))
		return common.Truncate(head, w) + "\n" + common.Truncate(second, w) + "\n" + af.f.View()
	}
	p := m.planState(r)
	lines := []string{common.Truncate(st.Title.Render("Treatment plan of "+r.Ref)+"  "+common.OneLine(r.Title), w)}
	sum := fmt.Sprintf("%s · %s · residual %s", r.Treatment.Label(), p.Progress(), m.scoreText(r.EffectiveResidual()))
	if p.Overdue > 0 {
		sum += fmt.Sprintf(" · %d overdue", p.Overdue)
	}
	lines = append(lines, st.Muted.Render(common.Truncate(sum, w)))
	var warn []string
	if p.Missing {
		warn = append(warn, st.Error.Render("∅ treated modify without actions: n adds the first"))
	}
	if r.UnacceptedAboveThreshold(m.matrix) {
		warn = append(warn, st.Error.Render("? residual above "+common.OneLine(m.matrix.ThresholdName())+" without acceptance"))
	}
	lines = append(lines, common.Truncate(strings.Join(warn, st.Subtle.Render(" · ")), w))
	ws := planLayout(w)
	head := "  " + common.Pad("ACTION", ws[0]) + " " + common.Pad("OWNER", ws[1]) + " " + common.Pad("DUE", ws[2]) + " " + "STATUS"
	lines = append(lines, st.Header.Render(common.Truncate(head, w)))
	as := m.planOf(r.ID)
	n := m.planRows()
	if len(as) == 0 {
		lines = append(lines, st.Muted.Render(common.Truncate("  No action yet. n adds one: what is done, who does it with what, by when.", w)))
	}
	end := min(len(as), m.plan.offset+n)
	for i := m.plan.offset; i < end; i++ {
		lines = append(lines, m.actionLine(as[i], ws, i == m.plan.cursor))
	}
	for len(lines) < 4+n {
		lines = append(lines, "")
	}
	lines = append(lines, st.Subtle.Render(strings.Repeat("─", max(0, w))))
	if a, ok := m.selectedAction(); ok {
		lines = append(lines, common.Truncate(st.Bold.Render(common.OneLine(a.Title)), w))
		dates := "start " + firstOr(a.StartDate, "—") + " · due " + firstOr(a.DueDate, "—") + " · " + a.EffectiveStatus().Label()
		if a.CorrectiveRef != "" {
			dates += " · corrective action " + common.OneLine(a.CorrectiveRef)
		}
		lines = append(lines, st.Muted.Render(common.Truncate(dates, w)))
		lines = append(lines, st.Muted.Render(common.Truncate("resources: "+firstOr(common.OneLine(a.Resources), "—"), w)))
		var cs []string
		for _, c := range a.Controls {
			cs = append(cs, controlLabel(m.c.Catalogs, c))
		}
		lines = append(lines, st.Muted.Render(common.Truncate("controls: "+firstOr(strings.Join(cs, ", "), "—"), w)))
	}
	return strings.Join(lines, "\n")
}

func firstOr(s, alt string) string {
	if strings.TrimSpace(s) == "" {
		return alt
	}
	return s
}

// planLayout gives the widths of the action, owner and due columns (status takes the rest).
func planLayout(w int) []int {
	owner, due := 16, 12
	if w < 100 {
		owner = 12
	}
	return []int{max(10, w-2-owner-due-3-12), owner, due}
}

func (m *Model) actionLine(a assessments.TreatmentAction, ws []int, selected bool) string {
	st := m.c.Styles
	mark := " "
	switch {
	case a.Overdue(m.now()):
		mark = st.Error.Render("!")
	case a.EffectiveStatus() == assessments.ActionDone:
		mark = st.OK.Render("●")
	case a.EffectiveStatus() == assessments.ActionCancelled:
		mark = st.Subtle.Render("–")
	case a.EffectiveStatus() == assessments.ActionInProgress:
		mark = "◐"
	default:
		mark = "○"
	}
	due := firstOr(a.DueDate, "—")
	if a.Overdue(m.now()) {
		due = st.Error.Render(due)
	}
	line := mark + " " + common.Pad(common.Truncate(common.OneLine(a.Title), ws[0]), ws[0]) + " " + common.Pad(common.Truncate(common.OneLine(a.Owner), ws[1]), ws[1]) +
		" " + common.Pad(due, ws[2]) + " " + a.EffectiveStatus().Label()
	line = common.Truncate(line, m.width)
	if selected {
		return st.Selected.Render(common.Pad(ansi.Strip(line), m.width))
	}
	return line
}
