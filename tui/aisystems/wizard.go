package aisystems

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
)

// wizard walks one impact assessment version step by step. Each step is saved when it is
// left (forward, back or out); forward needs the step complete, back and out only well
// formed. A decided version opens read-only.
type wizard struct {
	c        *common.Common
	keys     keyMap
	sys      assessments.AISystem
	saved    assessments.ImpactAssessment // as stored: the "before" of the next save
	work     assessments.ImpactAssessment // with the edits of the steps left so far
	step     assessments.ImpactStep
	area     int // impacts step: the area shown
	form     *form
	readOnly bool
	// pendingDecision keeps a decision chosen on the last step while the user goes back:
	// a decision is recorded only when the last step is finished.
	pendingDecision assessments.ImpactAssessment
	hasPending      bool
	risks           map[assessments.ImpactArea][]assessments.Risk

	confirmDecision bool // asking before a decision freezes the version
	confirmDiscard  bool // esc pressed on a step with errors: a second esc leaves without saving it
	saving          bool
	general         string // a message about the whole step
	notice          string // a confirmation (saved, risk raised)
	seq             int
	width, height   int
}

// Messages of the wizard's commands.
type (
	stepSavedMsg struct {
		seq    int
		a      assessments.ImpactAssessment
		err    error
		from   assessments.ImpactStep
		target assessments.ImpactStep
		exit   bool
		raise  bool // raise a risk from the current area once saved
	}
	currentLoadedMsg struct {
		seq int
		a   assessments.ImpactAssessment
		err error
	}
	riskRaisedMsg struct {
		seq  int
		risk assessments.Risk
		area assessments.ImpactArea
		err  error
	}
	// wizardClosedMsg tells the tab the wizard is done; info is the status line text.
	wizardClosedMsg struct {
		systemID string
		info     string
	}
	// reassessMsg asks the tab to start the next version of the system.
	reassessMsg struct{ systemID string }
)

func newWizard(c *common.Common, keys keyMap, sys assessments.AISystem, a assessments.ImpactAssessment,
	risks map[assessments.ImpactArea][]assessments.Risk, w, h int) *wizard {
	wz := &wizard{c: c, keys: keys, sys: sys, saved: a, work: a.Clone(), readOnly: a.Frozen(), risks: risks, width: w, height: h}
	wz.step = a.LastStep
	if !wz.step.Valid() || wz.readOnly {
		wz.step = assessments.StepScope
	}
	wz.buildForm()
	return wz
}

func (w *wizard) areaID() assessments.ImpactArea { return assessments.ImpactAreas[w.area] }

func (w *wizard) buildForm() {
	specs := stepSpecs(w.step, w.c.Catalogs, w.work.DerivedClass())
	w.form = newForm(w.c.Styles, specs, func(s fieldSpec) string {
		if w.step == assessments.StepImpacts && s.name != "area" {
			return assessments.ImpactField(w.areaID(), s.name)
		}
		return s.name
	})
	w.form.readOnly = w.readOnly
	w.form.labelW = 22
	w.loadForm()
	w.form.setFocus(0)
	if w.step == assessments.StepImpacts && !w.readOnly {
		w.form.setFocus(1) // the effect of the first area
	}
}

func (w *wizard) loadForm() {
	m := assessments.ImpactAssessmentMap(w.work)
	m["area"] = strconv.Itoa(w.area)
	if w.step == assessments.StepDecision && w.hasPending {
		m["decision"] = string(w.pendingDecision.Decision)
	}
	w.form.setValues(m)
}

// collect reads the form into the working copy; it returns the fields whose text did not
// convert (measures), by field name.
func (w *wizard) collect() map[string]string {
	if w.readOnly {
		return nil
	}
	m := assessments.ImpactAssessmentMap(w.work)
	problems := w.form.values(m)
	delete(m, "area")
	next, err := assessments.ImpactAssessmentFromMap(w.work, m)
	if err != nil {
		problems["general"] = err.Error()
		return problems
	}
	w.work = next
	return problems
}

// title names the system, the version and its state.
func (w *wizard) title() string {
	state := w.saved.State().Label()
	return fmt.Sprintf("%s · impact assessment v%d · %s", common.OneLine(w.sys.Name), w.saved.Version, state)
}

func (w *wizard) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case stepSavedMsg:
		if msg.seq != w.seq {
			return nil
		}
		return w.saved_(msg)
	case currentLoadedMsg:
		if msg.seq != w.seq || msg.err != nil {
			return nil
		}
		w.saved = msg.a
		if msg.a.Frozen() {
			w.readOnly, w.work = true, msg.a.Clone()
			w.buildForm()
		}
		return nil
	case riskRaisedMsg:
		if msg.seq != w.seq {
			return nil
		}
		w.saving = false
		if msg.err != nil {
			w.general = sentence(msg.err)
			return nil
		}
		if w.risks == nil {
			w.risks = map[assessments.ImpactArea][]assessments.Risk{}
		}
		w.risks[msg.area] = append(w.risks[msg.area], msg.risk)
		w.notice = fmt.Sprintf("✓ Risk %s added to the register and linked to %s: %s", msg.risk.Ref, common.OneLine(w.sys.Name), common.OneLine(msg.risk.Title))
		return tea.Batch(common.InfoCmd(fmt.Sprintf("Risk %s added to the risk register", msg.risk.Ref)),
			func() tea.Msg { return common.DataChangedMsg{} })
	case tea.PasteMsg:
		if !w.saving && !w.confirmDecision {
			return w.form.paste(msg)
		}
		return nil
	case tea.KeyPressMsg:
		return w.key(msg)
	}
	return nil
}

func (w *wizard) key(msg tea.KeyPressMsg) tea.Cmd {
	if w.saving {
		return nil
	}
	k := w.keys
	if w.confirmDecision {
		switch {
		case key.Matches(msg, k.Yes):
			w.confirmDecision = false
			return w.save(w.step, true, false)
		case key.Matches(msg, k.No):
			w.confirmDecision = false
			w.notice = "Decision not recorded; the version stays a draft."
		}
		return nil
	}
	if msg.String() != "esc" {
		w.confirmDiscard = false
	}
	w.notice = ""
	switch {
	case key.Matches(msg, k.NextStep):
		if w.step == assessments.StepDecision {
			return w.finish()
		}
		return w.leave(w.step+1, false)
	case key.Matches(msg, k.PrevStep):
		if w.step == assessments.StepScope {
			return nil
		}
		return w.leave(w.step-1, false)
	case key.Matches(msg, k.RaiseRisk), w.readOnly && msg.String() == "R":
		return w.raiseRisk()
	case w.readOnly && key.Matches(msg, k.ReAssess):
		id := w.sys.ID
		return func() tea.Msg { return reassessMsg{systemID: id} }
	case w.readOnly && (msg.String() == "right" || msg.String() == "l") && w.step != assessments.StepImpacts:
		if w.step < assessments.StepDecision {
			return w.leave(w.step+1, false)
		}
		return nil
	case w.readOnly && (msg.String() == "left" || msg.String() == "h") && w.step != assessments.StepImpacts:
		if w.step > assessments.StepScope {
			return w.leave(w.step-1, false)
		}
		return nil
	case msg.String() == "esc", w.readOnly && msg.String() == "q":
		if w.confirmDiscard {
			return w.close("Left without saving the last changes of step " + strconv.Itoa(int(w.step)+1) + ".")
		}
		return w.leave(w.step, true)
	case msg.String() == "enter":
		if w.form.focus == len(w.form.fields)-1 {
			if w.step == assessments.StepDecision {
				return w.finish()
			}
			return w.leave(w.step+1, false)
		}
		return w.form.setFocus(w.form.focus + 1)
	}
	if w.readOnly {
		switch msg.String() {
		case "j":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		case "k":
			msg = tea.KeyPressMsg{Code: tea.KeyUp}
		}
	}
	changed, cmd, _ := w.form.update(msg)
	if changed == "area" {
		w.switchArea()
	}
	return cmd
}

// switchArea keeps what was typed for the area left and shows the chosen one.
func (w *wizard) switchArea() {
	next, _ := strconv.Atoi(w.form.value("area"))
	if !w.readOnly {
		// The form still holds the old area's values under the old keys; the area
		// field already shows the new one, so read before switching.
		w.form.fields[0].idx = w.area
		problems := w.collect()
		w.form.fields[0].idx = next
		for k, v := range problems {
			w.form.errs[k] = v
		}
	}
	w.area = next
	focus := w.form.focus
	w.loadForm()
	w.form.setFocus(focus)
}

func (w *wizard) close(info string) tea.Cmd {
	id := w.sys.ID
	return func() tea.Msg { return wizardClosedMsg{systemID: id, info: info} }
}

// leave saves the step and moves to target (or closes the wizard when exit).
func (w *wizard) leave(target assessments.ImpactStep, exit bool) tea.Cmd {
	if w.readOnly {
		if exit {
			return w.close("")
		}
		w.step = target
		w.buildForm()
		return nil
	}
	forward := !exit && target > w.step
	if !w.check(forward) {
		if exit {
			w.confirmDiscard = true
			w.general += " Press esc again to leave without saving this step."
		}
		return nil
	}
	if w.step == assessments.StepDecision && w.work.Decision != assessments.DecisionNone {
		// Going back or out never records a decision; keep it for when the user returns.
		w.pendingDecision, w.hasPending = w.work, true
		w.work.Decision = w.saved.Decision
	}
	return w.save(target, false, exit)
}

// check validates the current step; complete for a forward move. It fills the form's
// messages and, on the impacts step, shows the first area in error.
func (w *wizard) check(complete bool) bool {
	problems := w.collect()
	w.form.errs = map[string]string{}
	w.general = ""
	if g, ok := problems["general"]; ok {
		w.general = g
		return false
	}
	for k, v := range problems {
		w.form.errs[k] = v
	}
	probe := w.work
	if w.step == assessments.StepDecision && !complete {
		// Leaving the last step backwards records no decision, so none is checked.
		probe.Decision = assessments.DecisionNone
	}
	for _, p := range probe.CheckStep(w.step, complete) {
		if _, dup := w.form.errs[p.Field]; !dup {
			w.form.errs[p.Field] = p.Message
		}
	}
	if len(w.form.errs) == 0 {
		return true
	}
	n := len(w.form.errs)
	w.general = fmt.Sprintf("Step %d has %d problem%s; fix the marked fields.", int(w.step)+1, n, plural(n))
	first := ""
	for _, f := range w.form.fields {
		if _, bad := w.form.errs[w.form.key(f.spec)]; bad && first == "" {
			first = w.form.key(f.spec)
		}
	}
	if w.step == assessments.StepImpacts && first == "" {
		// The first problem is in another area: show that area.
		for i, area := range assessments.ImpactAreas {
			for k := range w.form.errs {
				if strings.HasPrefix(k, "impact."+string(area)+".") && first == "" {
					first = k
					w.area = i
				}
			}
		}
		w.loadForm()
	}
	w.form.focusField(first)
	return false
}

// finish leaves the last step forward: with a decision it asks first, as recording it
// freezes the version; without one the version stays a draft.
func (w *wizard) finish() tea.Cmd {
	if w.readOnly {
		return w.close("")
	}
	if !w.check(true) {
		return nil
	}
	if w.work.Decision == assessments.DecisionNone {
		return w.save(assessments.StepDecision, false, true)
	}
	if err := w.work.ReadyForDecision(); err != nil {
		var ve *assessments.ValidationError
		if errors.As(err, &ve) {
			w.form.errs["decision"] = ve.Message
		}
		w.general = "The assessment is not complete yet."
		return nil
	}
	w.confirmDecision = true
	return nil
}

// save writes the working copy; target is the step to show next.
func (w *wizard) save(target assessments.ImpactStep, decide, exit bool) tea.Cmd {
	w.seq++
	seq, before, after, from := w.seq, w.saved, w.work.Clone(), w.step
	after.LastStep = target
	if exit && !decide {
		after.LastStep = w.step
	}
	if decide {
		after.LastStep = assessments.StepDecision
		exit = true
	}
	w.saving = true
	s, ctx := w.c.Store, w.c.Ctx
	return func() tea.Msg {
		a, err := s.UpdateImpactAssessment(ctx, before, after)
		return stepSavedMsg{seq: seq, a: a, err: err, from: from, target: target, exit: exit}
	}
}

func (w *wizard) saved_(msg stepSavedMsg) tea.Cmd {
	w.saving = false
	if msg.err != nil {
		var ve *assessments.ValidationError
		var fe *assessments.FrozenError
		var ce *store.ConflictError
		switch {
		case errors.As(msg.err, &fe):
			w.general = fe.Error()
			w.seq++
			return w.reload()
		case errors.As(msg.err, &ce):
			w.general = sentence(msg.err) + " Move on again to save your version over it."
			w.seq++
			return w.reload()
		case errors.As(msg.err, &ve):
			w.form.errs[ve.Field] = ve.Message
			w.general = "Not saved: " + ve.Message
		default:
			w.general = "Not saved: " + sentence(msg.err)
		}
		return nil
	}
	w.saved = msg.a
	if !msg.exit || msg.raise {
		// Keep the pending decision and the area shown.
		w.work = msg.a.Clone()
	}
	if msg.a.Frozen() {
		w.hasPending = false
		return w.close(fmt.Sprintf("Version %d %s by %s and frozen; next review %s.", msg.a.Version, msg.a.State().Label(),
			common.OneLine(msg.a.Approver), orDash(msg.a.NextReview())))
	}
	if msg.raise {
		return w.createRisk()
	}
	if msg.exit {
		switch {
		case w.step == assessments.StepDecision && w.hasPending:
			return w.close(fmt.Sprintf("Saved; the decision was not recorded. Version %d stays a draft until step 9 is finished with pgdn and confirmed.", msg.a.Version))
		case w.step == assessments.StepDecision:
			return w.close(fmt.Sprintf("Saved. Version %d stays a draft until a decision is recorded.", msg.a.Version))
		}
		return w.close(fmt.Sprintf("Saved step %d of %d; press a to resume.", int(w.step)+1, len(assessments.ImpactSteps)))
	}
	w.step = msg.target
	w.general = ""
	w.buildForm()
	w.notice = fmt.Sprintf("Step %d saved.", int(msg.from)+1)
	return nil
}

func (w *wizard) reload() tea.Cmd {
	seq, s, ctx, id := w.seq, w.c.Store, w.c.Ctx, w.saved.ID
	return func() tea.Msg {
		a, err := s.ImpactAssessment(ctx, id)
		return currentLoadedMsg{seq: seq, a: a, err: err}
	}
}

// raiseRisk creates a linked AI risk from the area shown, once its step is saved.
func (w *wizard) raiseRisk() tea.Cmd {
	if w.step != assessments.StepImpacts {
		w.general = "Go to step 7 (impacts per area) and choose a harm to raise a risk from it."
		return nil
	}
	if !w.readOnly {
		w.collect()
	}
	im := w.work.Impact(w.areaID())
	switch {
	case !im.Harm():
		w.general = im.Area.Label() + " is not assessed as a harm; only a harm can raise a risk."
		return nil
	case im.ResidualClass() == assessments.ClassNone:
		w.general = "Rate the residual severity and likelihood of " + im.Area.Label() + " first: the risk is prefilled from them."
		return nil
	}
	if w.readOnly {
		return w.createRisk()
	}
	if !w.check(false) {
		return nil
	}
	w.seq++
	seq, before, after := w.seq, w.saved, w.work.Clone()
	after.LastStep = w.step
	w.saving = true
	s, ctx := w.c.Store, w.c.Ctx
	return func() tea.Msg {
		a, err := s.UpdateImpactAssessment(ctx, before, after)
		return stepSavedMsg{seq: seq, a: a, err: err, target: after.LastStep, raise: true}
	}
}

func (w *wizard) createRisk() tea.Cmd {
	w.seq++
	w.saving = true
	seq, s, ctx, id, area, set := w.seq, w.c.Store, w.c.Ctx, w.saved.ID, w.areaID(), w.c.Catalogs
	return func() tea.Msg {
		r, err := s.CreateRiskFromImpact(ctx, id, area, func(c assessments.ControlRef) string { return controlName(set, c) })
		return riskRaisedMsg{seq: seq, risk: r, area: area, err: err}
	}
}

// flush saves the working copy synchronously when the program ends (nothing typed is
// lost). A step that is not well formed is left as it is on screen.
func (w *wizard) flush(ctx context.Context) error {
	if w.readOnly || w.saving {
		return nil
	}
	w.collect()
	work := w.work.Clone()
	if w.step == assessments.StepDecision {
		work.Decision = w.saved.Decision
	}
	work.LastStep = w.step
	if len(work.CheckStep(w.step, assessments.CheckDraft)) > 0 {
		return nil
	}
	saved, err := w.c.Store.UpdateImpactAssessment(ctx, w.saved, work)
	if err == nil {
		w.saved = saved
	}
	return err
}

func controlName(set *catalogs.Set, c assessments.ControlRef) string {
	if set != nil {
		if cat, ok := set.Get(c.Standard); ok {
			if r, ok := cat.Requirement(c.Ref); ok {
				return cat.Short + " " + c.Ref + " " + r.Title
			}
			return cat.Short + " " + c.Ref
		}
	}
	return c.Standard + " " + c.Ref
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// sentence is an error as one readable line.
func sentence(err error) string {
	s := strings.ReplaceAll(err.Error(), "\n", " ")
	if s == "" {
		return "Something went wrong."
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
