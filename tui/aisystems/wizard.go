package aisystems

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

// wizard walks one impact assessment version step by step. Each step is a form: ctrl+s
// saves it and, when the step is complete, moves on; a step that is well formed but not
// complete is saved as it stands and the missing fields are marked. pgdn and pgup move
// between steps that have no unsaved changes; esc leaves (asking first when something was
// typed). Nothing is written before ctrl+s. A decided version opens read-only.
type wizard struct {
	c        *common.Common
	keys     keyMap
	addr     string // the tab's address: the wizard's results come back there
	sys      assessments.AISystem
	saved    assessments.ImpactAssessment // as stored: the "before" of the next save
	work     assessments.ImpactAssessment // saved with the step's values as typed
	step     assessments.ImpactStep
	area     int // impacts step: the area shown
	form     *form.Form
	readOnly bool
	risks    map[assessments.ImpactArea][]assessments.Risk
	people   []string
	// standards are the engagement's: the measures pick list offers their controls.
	standards []string

	saving  bool
	general string // a problem with the step as a whole
	notice  string // a confirmation (saved, risk raised)
	seq     int
	width   int
	height  int

	// done is set when the wizard has closed; info is what the tab then says.
	done bool
	info string
}

// Messages of the wizard's commands; they come back addressed to the tab.
type (
	stepSavedMsg struct {
		seq     int
		before  assessments.ImpactAssessment
		a       assessments.ImpactAssessment
		err     error
		from    assessments.ImpactStep
		target  assessments.ImpactStep
		advance bool // the step was complete: show target
		exit    bool // close the wizard once saved
		undo    bool // the save took an earlier step save back
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
	// decideMsg is the yes of the decision's confirmation.
	decideMsg struct {
		id  string
		seq int
	}
)

func newWizard(c *common.Common, keys keyMap, addr string, standards []string, sys assessments.AISystem, a assessments.ImpactAssessment,
	risks map[assessments.ImpactArea][]assessments.Risk, w, h int) *wizard {
	wz := &wizard{c: c, keys: keys, addr: addr, standards: standards, sys: sys, saved: a, work: a.Clone(), readOnly: a.Frozen(), risks: risks, width: w, height: h}
	wz.step = a.LastStep
	if !wz.step.Valid() || wz.readOnly {
		wz.step = assessments.StepScope
	}
	wz.buildForm()
	return wz
}

func (w *wizard) send(cmd tea.Cmd) tea.Cmd { return common.Send(w.addr, cmd) }

func (w *wizard) set() *catalogs.Set { return w.c.Catalogs }

// measureOptions lists the controls a measure can name, computed when a pick list first
// opens (the controls of both standards are a long list).
func (w *wizard) measureOptions() []form.Option {
	var linked []string
	for _, im := range w.saved.Impacts {
		for _, m := range im.Measures {
			linked = append(linked, m.String())
		}
	}
	return measureOptions(w.set(), w.standards, linked)
}

func (w *wizard) areaID() assessments.ImpactArea { return assessments.ImpactAreas[w.area] }

func (w *wizard) buildForm() {
	f := form.New(w.c.Styles, stepFields(w.step, w.saved.DerivedClass(), w.measureOptions)...)
	if w.c.Now != nil {
		f.SetNow(w.c.Now)
	}
	step := w.step
	f.SetValidator(func(v form.Values) map[string]string { return w.problems(step, v, assessments.CheckComplete) })
	f.Load(stepValues(w.saved, w.area))
	f.SetPeople(w.people)
	f.SetReadOnly(w.readOnly)
	f.SetSize(w.width, max(3, w.height-4))
	w.form = f
	if w.step == assessments.StepImpacts && !w.readOnly {
		f.Focus(assessments.ImpactField(w.areaID(), "effect"))
	}
	w.refresh()
}

func (w *wizard) setPeople(names []string) {
	w.people = names
	if w.form != nil {
		w.form.SetPeople(names)
	}
}

// problems checks the step as typed: measures that name no requirement, then the domain's
// rule for the step (complete: filled in too). On the last step a decision also needs
// every other step complete.
func (w *wizard) problems(s assessments.ImpactStep, v form.Values, complete bool) map[string]string {
	a, out := fromStep(w.saved, s, v)
	for _, p := range a.CheckStep(s, complete) {
		if _, dup := out[p.Field]; !dup {
			out[p.Field] = p.Message
		}
	}
	if s == assessments.StepDecision && a.Decision != assessments.DecisionNone && out["decision"] == "" {
		var ve *assessments.ValidationError
		if err := a.ReadyForDecision(); errors.As(err, &ve) {
			out["decision"] = ve.Message
		}
	}
	return out
}

// refresh recomputes the working copy from the form, so the area table, the class and the
// progress marks follow every change as it is typed.
func (w *wizard) refresh() {
	w.work, _ = fromStep(w.saved, w.step, w.form.Values())
}

// title names the system, the version and its state.
func (w *wizard) title() string {
	return fmt.Sprintf("%s · impact assessment v%d · %s", common.OneLine(w.sys.Name), w.saved.Version, w.saved.State().Label())
}

func (w *wizard) stepName(s assessments.ImpactStep) string {
	return fmt.Sprintf("step %d of %d", int(s)+1, len(assessments.ImpactSteps))
}

func (w *wizard) close(info string) tea.Cmd {
	w.done, w.info = true, info
	return nil
}

func (w *wizard) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case stepSavedMsg:
		if msg.undo {
			return nil // the tab reloads
		}
		if msg.seq != w.seq {
			return nil
		}
		return w.stepSaved(msg)
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
	case decideMsg:
		if msg.id != w.saved.ID || msg.seq != w.seq || w.readOnly || w.step != assessments.StepDecision {
			return nil
		}
		return w.save(assessments.StepDecision, false, true)
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
		w.notice = fmt.Sprintf("Risk %s added to the register and linked to %s: %s", msg.risk.Ref, common.OneLine(w.sys.Name), common.OneLine(msg.risk.Title))
		return func() tea.Msg { return common.DataChangedMsg{} }
	case tea.PasteMsg:
		if w.saving {
			return nil
		}
		_, cmd := w.form.Update(msg)
		w.refresh()
		return cmd
	case tea.KeyPressMsg:
		return w.key(msg)
	}
	return nil
}

func (w *wizard) key(msg tea.KeyPressMsg) tea.Cmd {
	if w.saving {
		return nil
	}
	if w.readOnly {
		return w.readOnlyKey(msg)
	}
	k := w.keys
	if !w.form.Asking() {
		w.notice = ""
		switch {
		case key.Matches(msg, k.NextStep):
			if w.step == assessments.StepDecision {
				return nil
			}
			return w.move(w.step + 1)
		case key.Matches(msg, k.PrevStep):
			if w.step == assessments.StepScope {
				return nil
			}
			return w.move(w.step - 1)
		case key.Matches(msg, k.RaiseRisk):
			return w.raiseRisk()
		case w.step == assessments.StepImpacts && key.Matches(msg, k.NextArea):
			return w.switchArea(1, true)
		case w.step == assessments.StepImpacts && key.Matches(msg, k.PrevArea):
			return w.switchArea(-1, true)
		}
	}
	act, cmd := w.form.Update(msg)
	if v := w.form.Value(areaKey); w.step == assessments.StepImpacts && v != strconv.Itoa(w.area) {
		w.area, _ = strconv.Atoi(v)
	}
	w.refresh()
	switch act {
	case form.Leave:
		if w.form.Changed() {
			return w.close(fmt.Sprintf("Left %s of %s without saving its changes.", w.stepName(w.step), common.OneLine(w.sys.Name)))
		}
		return w.close("")
	case form.Save:
		w.general = ""
		return tea.Batch(cmd, w.saveComplete())
	}
	if key.Matches(msg, k.SaveStep) && !w.form.Asking() {
		// The form marked what the step still needs; save what is there if it is well formed.
		return tea.Batch(cmd, w.saveDraft())
	}
	if len(w.form.Errors()) == 0 {
		w.general = ""
	}
	return cmd
}

func (w *wizard) readOnlyKey(msg tea.KeyPressMsg) tea.Cmd {
	k := w.keys
	w.notice, w.general = "", ""
	switch {
	case key.Matches(msg, k.Close):
		return w.close("")
	case key.Matches(msg, k.RaiseRisk):
		return w.raiseRisk()
	case w.step == assessments.StepImpacts && key.Matches(msg, k.AreaRight, k.NextArea):
		return w.switchArea(1, false)
	case w.step == assessments.StepImpacts && key.Matches(msg, k.AreaLeft, k.PrevArea):
		return w.switchArea(-1, false)
	case key.Matches(msg, k.ViewNext):
		if w.step < assessments.StepDecision {
			w.step++
			w.buildForm()
		}
		return nil
	case key.Matches(msg, k.ViewPrev):
		if w.step > assessments.StepScope {
			w.step--
			w.buildForm()
		}
		return nil
	}
	_, cmd := w.form.Update(msg) // tab scrolls, ? shows every key
	return cmd
}

// move goes to another step; a step with unsaved changes stays until they are saved or
// the wizard is left.
func (w *wizard) move(target assessments.ImpactStep) tea.Cmd {
	if w.form.Changed() {
		w.general = fmt.Sprintf("Step %d has unsaved changes: ctrl+s saves them and moves on; esc leaves without them.", int(w.step)+1)
		return nil
	}
	w.general = ""
	w.step = target
	w.buildForm()
	return nil
}

// switchArea shows the next (or previous) area of the impacts step.
func (w *wizard) switchArea(delta int, focusEffect bool) tea.Cmd {
	n := len(assessments.ImpactAreas)
	w.area = (w.area + delta + n) % n
	w.form.Set(areaKey, strconv.Itoa(w.area))
	if focusEffect {
		w.form.Focus(assessments.ImpactField(w.areaID(), "effect"))
	}
	w.refresh()
	return nil
}

// saveComplete saves a complete step and moves on. On the last step a decision is
// confirmed first (recording it freezes the version); without one the wizard closes.
func (w *wizard) saveComplete() tea.Cmd {
	if w.step == assessments.StepDecision {
		if w.work.Decision == assessments.DecisionNone {
			return w.save(assessments.StepDecision, false, true)
		}
		return w.askDecision()
	}
	return w.save(w.step+1, true, false)
}

// saveDraft saves a step that is well formed but not complete, and stays on it with the
// missing fields marked; the impacts step shows the first area that needs something.
func (w *wizard) saveDraft() tea.Cmd {
	errs := w.form.Errors()
	if w.step == assessments.StepImpacts {
		w.showFirstAreaInError(errs)
	}
	if w.step == assessments.StepDecision && w.work.Decision != assessments.DecisionNone {
		w.general = "The decision cannot be recorded yet: fix the marked fields."
		return nil
	}
	if p := w.problems(w.step, w.form.Values(), assessments.CheckDraft); len(p) > 0 {
		w.general = fmt.Sprintf("Not saved: step %d has %s; fix the marked fields.", int(w.step)+1, count(len(p), "problem"))
		return nil
	}
	w.general = fmt.Sprintf("Step %d needs %s before moving on.", int(w.step)+1, count(len(errs), "more answer"))
	return w.save(w.step, false, false)
}

// showFirstAreaInError switches to the first area with a message when none is in view.
func (w *wizard) showFirstAreaInError(errs map[string]string) {
	prefix := "impact." + string(w.areaID()) + "."
	for k := range errs {
		if strings.HasPrefix(k, prefix) {
			return
		}
	}
	for i, area := range assessments.ImpactAreas {
		for _, f := range assessments.ImpactFields {
			k := assessments.ImpactField(area, f)
			if _, bad := errs[k]; bad {
				w.area = i
				w.form.Set(areaKey, strconv.Itoa(i))
				w.form.Focus(k)
				w.refresh()
				return
			}
		}
	}
}

func (w *wizard) askDecision() tea.Cmd {
	a := w.work
	title := fmt.Sprintf("%s: %s impact assessment v%d?", common.OneLine(w.sys.Name), decisionVerb(a.Decision), a.Version)
	text := fmt.Sprintf("Record the decision and freeze version %d?\n\n%s by %s on %s. A frozen version no longer changes; r starts version %d.",
		a.Version, upperFirst(a.Decision.Label()), common.OneLine(a.Approver), a.DecisionDate, a.Version+1)
	return common.OpenDialog(dialog.NewConfirm(w.c.Styles, w.addr+"/decide", w.addr, title, text, decideMsg{id: w.saved.ID, seq: w.seq}))
}

func decisionVerb(d assessments.Decision) string {
	switch d {
	case assessments.DecisionReject:
		return "reject"
	case assessments.DecisionConditions:
		return "approve with conditions"
	}
	return "approve"
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// save writes the step as typed. target is the step to show once saved; decide records
// the decision (and closes), exit closes after saving.
func (w *wizard) save(target assessments.ImpactStep, advance, exit bool) tea.Cmd {
	w.seq++
	seq, before, from := w.seq, w.saved, w.step
	after := w.work.Clone()
	if w.step == assessments.StepDecision && !exit {
		after.Decision = before.Decision // only the confirmed close records a decision
	}
	// LastStep is the furthest step reached: resuming goes there, and the steps before it
	// are the ones the progress line may mark done.
	after.LastStep = max(before.LastStep, target)
	w.saving = true
	s, ctx := w.c.Store, w.c.Ctx
	return w.send(func() tea.Msg {
		a, err := s.UpdateImpactAssessment(ctx, before, after)
		return stepSavedMsg{seq: seq, before: before, a: a, err: err, from: from, target: target, advance: advance, exit: exit}
	})
}

func (w *wizard) stepSaved(msg stepSavedMsg) tea.Cmd {
	w.saving = false
	if msg.err != nil {
		general, reload, cmd := saveFailed(w.form, msg.err)
		w.general = general
		if reload {
			w.seq++
			return w.reload()
		}
		return cmd
	}
	w.saved = msg.a
	w.pushUndo(msg.before, msg.a)
	name := common.OneLine(w.sys.Name)
	if msg.a.Frozen() {
		return w.close(fmt.Sprintf("Version %d of %s %s by %s and frozen; next review %s.", msg.a.Version, name, msg.a.State().Label(),
			common.OneLine(msg.a.Approver), orDash(msg.a.NextReview())))
	}
	if msg.exit {
		return w.close(fmt.Sprintf("Saved version %d of %s; it stays a draft until a decision is recorded.", msg.a.Version, name))
	}
	if msg.advance {
		w.step = msg.target
		w.general = ""
		w.buildForm()
		w.notice = fmt.Sprintf("Step %d saved.", int(msg.from)+1)
		return nil
	}
	w.form.MarkSaved()
	w.refresh()
	w.notice = fmt.Sprintf("Step %d saved as it stands; the marked fields are needed to move on.", int(msg.from)+1)
	return nil
}

// pushUndo records how to take a step save back (decisions are not undone: they freeze).
func (w *wizard) pushUndo(before, saved assessments.ImpactAssessment) {
	if w.c.Undo == nil || saved.Frozen() || !contentChanged(before, saved) {
		return
	}
	s, addr := w.c.Store, w.addr
	w.c.Undo.Push(common.UndoEntry{
		Label: fmt.Sprintf("step save of %s impact assessment v%d", common.OneLine(w.sys.Name), saved.Version),
		To:    addr,
		Run: func(ctx context.Context) (tea.Msg, error) {
			back, err := s.UpdateImpactAssessment(ctx, saved, before)
			if err != nil {
				return nil, err
			}
			return stepSavedMsg{a: back, undo: true}, nil
		},
	})
}

func contentChanged(a, b assessments.ImpactAssessment) bool {
	ma, mb := assessments.ImpactAssessmentMap(a), assessments.ImpactAssessmentMap(b)
	for k, v := range ma {
		if k != "last_step" && mb[k] != v {
			return true
		}
	}
	return false
}

func (w *wizard) reload() tea.Cmd {
	seq, s, ctx, id := w.seq, w.c.Store, w.c.Ctx, w.saved.ID
	return w.send(func() tea.Msg {
		a, err := s.ImpactAssessment(ctx, id)
		return currentLoadedMsg{seq: seq, a: a, err: err}
	})
}

// raiseRisk creates a linked AI risk from the area shown, prefilled from its saved ratings.
func (w *wizard) raiseRisk() tea.Cmd {
	if w.step != assessments.StepImpacts {
		w.general = "Go to step 7 (impacts per area) and choose a harm to raise a risk from it."
		return nil
	}
	if !w.readOnly && w.form.Changed() {
		w.general = "Save the step first (ctrl+s): the risk is prefilled from the saved ratings."
		return nil
	}
	im := w.saved.Impact(w.areaID())
	switch {
	case !im.Harm():
		w.general = im.Area.Label() + " is not assessed as a harm; only a harm can raise a risk."
		return nil
	case im.ResidualClass() == assessments.ClassNone:
		w.general = "Rate " + im.Area.Label() + " first (" + im.ResidualHarm().Reason() + "): the risk is prefilled from the residual rating."
		return nil
	}
	w.seq++
	w.saving = true
	seq, s, ctx, id, area, set := w.seq, w.c.Store, w.c.Ctx, w.saved.ID, w.areaID(), w.c.Catalogs
	return w.send(func() tea.Msg {
		r, err := s.CreateRiskFromImpact(ctx, id, area, func(c assessments.ControlRef) string { return controlName(set, c) })
		return riskRaisedMsg{seq: seq, risk: r, area: area, err: err}
	})
}

// flush saves a changed, well-formed step synchronously when the program ends, so nothing
// typed is lost; a decision is never recorded this way.
func (w *wizard) flush(ctx context.Context) error {
	if w.readOnly || w.saving || !w.form.Changed() {
		return nil
	}
	if len(w.problems(w.step, w.form.Values(), assessments.CheckDraft)) > 0 {
		return nil
	}
	after, _ := fromStep(w.saved, w.step, w.form.Values())
	after.Decision = w.saved.Decision
	after.LastStep = max(w.saved.LastStep, w.step)
	saved, err := w.c.Store.UpdateImpactAssessment(ctx, w.saved, after)
	if err == nil {
		w.saved = saved
		w.form.MarkSaved()
	}
	return err
}

// unsavedWork describes a changed step that cannot be saved as it stands.
func (w *wizard) unsavedWork() string {
	if w.readOnly || w.saving || !w.form.Changed() {
		return ""
	}
	p := w.problems(w.step, w.form.Values(), assessments.CheckDraft)
	if len(p) == 0 {
		return ""
	}
	if msg := stepProblem(p, w.step.Fields()); msg != "" {
		return fmt.Sprintf("%s of the impact assessment of %s (%s)", w.stepName(w.step), common.OneLine(w.sys.Name), msg)
	}
	return fmt.Sprintf("%s of the impact assessment of %s", w.stepName(w.step), common.OneLine(w.sys.Name))
}

// keyMap is the wizard's help: the step keys first, then the focused field's.
func (w *wizard) keyMap() help.KeyMap {
	k := w.keys
	if w.readOnly {
		short := []key.Binding{withHelp(k.Steps, "pgdn/pgup", "step")}
		full := []key.Binding{withHelp(k.ViewNext, "pgdn/→", "next step"), withHelp(k.ViewPrev, "pgup/←", "previous step")}
		if w.step == assessments.StepImpacts {
			short = []key.Binding{withHelp(k.AreaRight, "←/→", "area"), k.Steps, k.RaiseRisk}
			full = []key.Binding{k.AreaRight, k.AreaLeft, withHelp(k.NextStep, "pgdn", "next step"), withHelp(k.PrevStep, "pgup", "previous step"), k.RaiseRisk}
		}
		short = append(short, withHelp(k.Close, "esc", "close"), k.ReAssess)
		full = append(full, k.ReAssess, withHelp(k.Close, "esc", "close"))
		return common.HelpMap{Short: short, Full: [][]key.Binding{full}}
	}
	save := k.SaveStep
	if w.step == assessments.StepDecision {
		save = withHelp(k.SaveStep, "ctrl+s", "save, decide")
	}
	before, after := []key.Binding{k.Steps}, []key.Binding(nil)
	groups := [][]key.Binding{{save, k.NextStep, k.PrevStep}}
	if w.step == assessments.StepImpacts {
		before, after = append(before, k.Areas), []key.Binding{k.RaiseRisk}
		groups = append(groups, []key.Binding{k.NextArea, k.PrevArea, k.RaiseRisk})
	}
	inner := w.form.KeyMap()
	if hm, ok := stepEditHelp(inner, save, before, after, groups); ok {
		return hm
	}
	return inner // the form asks a question or shows a pick list
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
