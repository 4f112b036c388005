package aisystems

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

// actWizard walks one EU AI Act classification version step by step, on tui/form like the
// impact wizard: ctrl+s saves the step and, when it is complete, moves on (an incomplete
// step is saved as it stands, its gaps marked); pgdn/pgup move between steps with nothing
// unsaved; esc leaves, asking first when something was typed. Each question is an answer
// and a note under its article; the result is derived from the answers and shown on the
// last step with the articles that decided it, never typed. An approved version opens
// read-only.
type actWizard struct {
	c    *common.Common
	keys keyMap
	addr string
	act  *catalogs.AIAct
	sys  assessments.AISystem
	// ia is the impact assessment the FRIA draws on (nil when the system has none).
	ia    *assessments.ImpactAssessment
	saved assessments.AIActRecord
	work  assessments.AIActRecord
	// outcome is work's derived result, kept in step with work (refresh).
	outcome  assessments.AIActOutcome
	step     assessments.AIActStep
	form     *form.Form
	readOnly bool
	people   []string

	saving  bool
	general string
	notice  string
	seq     int
	width   int
	height  int

	done bool
	info string
}

// Messages of the classification wizard; they come back addressed to the tab.
type (
	actSavedMsg struct {
		seq     int
		before  assessments.AIActRecord
		r       assessments.AIActRecord
		err     error
		from    assessments.AIActStep
		target  assessments.AIActStep
		advance bool
		exit    bool
		undo    bool
	}
	actCurrentMsg struct {
		seq int
		r   assessments.AIActRecord
		err error
	}
	// approveMsg is the yes of the approval's confirmation.
	approveMsg struct {
		id  string
		seq int
	}
)

func newActWizard(c *common.Common, keys keyMap, addr string, sys assessments.AISystem, r assessments.AIActRecord,
	ia *assessments.ImpactAssessment, w, h int) *actWizard {
	wz := &actWizard{c: c, keys: keys, addr: addr, act: catalogs.MustEUAIAct(), sys: sys, ia: ia, saved: r, work: r.Clone(),
		readOnly: r.Frozen(), width: w, height: h}
	wz.step = r.LastStep
	if !wz.step.Valid() || wz.readOnly {
		wz.step = assessments.ActStepRoles
	}
	wz.buildForm()
	return wz
}

func (w *actWizard) send(cmd tea.Cmd) tea.Cmd { return common.Send(w.addr, cmd) }

var answerOpts = []form.Option{{Value: "", Label: "–"}, {Value: "no", Label: "no"}, {Value: "yes", Label: "yes"}}

var approveOpts = []form.Option{{Value: "", Label: "not yet (stays a draft)"}, {Value: string(assessments.DecisionApprove), Label: "approve"}}

// actStepIntro says in one line what a step asks.
func actStepIntro(s assessments.AIActStep) string {
	switch s {
	case assessments.ActStepRoles:
		return "The organisation's roles under the Act decide whose obligations these are (Art. 3)."
	case assessments.ActStepProhibited:
		return "One question per prohibited practice. A yes makes the system prohibited."
	case assessments.ActStepHighRisk:
		return "Art. 6(1): products under Annex I legislation; Art. 6(2): the Annex III areas."
	case assessments.ActStepExemption:
		return "Not high-risk if one condition below holds and the system profiles no one."
	case assessments.ActStepTransparency:
		return "Situations where people must be told they deal with AI or AI-made content."
	case assessments.ActStepGPAI:
		return "Only when the organisation provides a general-purpose AI model."
	case assessments.ActStepFRIA:
		return "Art. 27: drawn from the impact assessment; record here what it asks beyond it."
	case assessments.ActStepResult:
		return "The result follows from the answers. Approving freezes this version."
	}
	return ""
}

// actStepFields are the fields of one step, keyed by the domain's field names.
func (w *actWizard) actStepFields(s assessments.AIActStep) []form.Field {
	switch s {
	case assessments.ActStepRoles:
		return []form.Field{{Key: "operator_roles", Label: "Operator roles", Kind: form.Multi, Options: options(assessments.OperatorRoles, assessments.OperatorRole.Label),
			Help: "one or more: provider (places it on the market under its name), deployer (uses it), importer, distributor, product manufacturer, authorised representative"}}
	case assessments.ActStepResult:
		return []form.Field{
			{Key: "decision", Label: "Approval", Kind: form.Choice, Options: approveOpts},
			{Key: "approver", Label: "Approver", Kind: form.Person, Placeholder: "the accountable person's name", Limit: assessments.MaxNameLen},
			{Key: "decision_date", Label: "Date", Kind: form.Date, Placeholder: "YYYY-MM-DD (t: today)"},
			longText("rationale", "Rationale", "why the classification holds"),
		}
	}
	var out []form.Field
	for _, q := range w.act.StepQuestions(s.CatalogStep()) {
		show := w.questionShown(q)
		out = append(out,
			form.Field{Key: assessments.AIActField(q.ID), Label: "Answer", Kind: form.Choice, Options: answerOpts, Section: q.Label(), Help: q.Ask, Show: show},
			form.Field{Key: assessments.AIActNoteField(q.ID), Label: "Note", Kind: form.Text, Limit: assessments.MaxTextLen, Help: q.Ask, Show: show,
				Placeholder: "what the answer rests on"})
	}
	if s == assessments.ActStepFRIA {
		relevant := func(form.Values) bool { return w.friaRelevant() }
		keep := func(k string) func(form.Values) bool {
			return func(v form.Values) bool { return w.friaRelevant() || v[k] != "" }
		}
		out = append(out,
			form.Field{Key: "fria_period", Label: "Period and frequency", Kind: form.MultiLine, Lines: 2, Limit: assessments.MaxTextLen, Section: "What Art. 27(1) asks beyond the impact assessment",
				Placeholder: "(b) from when, for how long and how often the system is used", Show: keep("fria_period")},
			form.Field{Key: "fria_oversight", Label: "Human oversight", Kind: form.MultiLine, Lines: 2, Limit: assessments.MaxTextLen,
				Placeholder: "(e) who oversees it and how, per the instructions for use", Show: keep("fria_oversight")},
			form.Field{Key: "fria_complaints", Label: "Governance, complaints", Kind: form.MultiLine, Lines: 2, Limit: assessments.MaxTextLen,
				Placeholder: "(f) who acts when a risk materialises; how affected people complain", Show: keep("fria_complaints")},
			form.Field{Key: "fria_notified", Label: "Authority notified", Kind: form.Date, Placeholder: "Art. 27(3): YYYY-MM-DD, empty until notified", Show: func(v form.Values) bool {
				return relevant(v) || v["fria_notified"] != ""
			}},
		)
	}
	return out
}

// questionShown hides the questions an earlier answer makes moot.
func (w *actWizard) questionShown(q catalogs.AIActQuestion) func(form.Values) bool {
	switch q.Kind {
	case catalogs.KindAnnexIAssessment:
		product := assessments.AIActField(w.act.QuestionOfKind(catalogs.KindAnnexIProduct).ID)
		k := assessments.AIActField(q.ID)
		return func(v form.Values) bool { return v[product] == "yes" || v[k] != "" }
	case catalogs.KindExemptionCondition, catalogs.KindProfiling:
		return func(form.Values) bool { return w.anyAnnexIII() }
	case catalogs.KindGPAISystemic, catalogs.KindGPAIOpenSource, catalogs.KindGPAIBefore:
		provider := assessments.AIActField(w.act.QuestionOfKind(catalogs.KindGPAIProvider).ID)
		k := assessments.AIActField(q.ID)
		return func(v form.Values) bool { return v[provider] == "yes" || v[k] != "" }
	case catalogs.KindFRIAPublic, catalogs.KindFRIACreditInsurance:
		return func(form.Values) bool { return w.friaRelevant() }
	}
	return nil
}

func (w *actWizard) anyAnnexIII() bool {
	for _, q := range w.act.KindQuestions(catalogs.KindAnnexIII) {
		if w.work.Answer(q.ID).Answer == assessments.AnswerYes {
			return true
		}
	}
	return false
}

// friaRelevant: the organisation deploys a system high-risk under Art. 6(2).
func (w *actWizard) friaRelevant() bool {
	return w.outcome.FRIA != assessments.FRIANotApplicable
}

func (w *actWizard) values(r assessments.AIActRecord) form.Values {
	v := form.Values{}
	m := assessments.AIActRecordMap(w.act, r)
	for _, k := range w.step.StepFields(w.act) {
		v[k] = m[k]
	}
	return v
}

func (w *actWizard) buildForm() {
	f := form.New(w.c.Styles, w.actStepFields(w.step)...)
	if w.c.Now != nil {
		f.SetNow(w.c.Now)
	}
	step := w.step
	f.SetValidator(func(v form.Values) map[string]string { return w.problems(step, v, assessments.CheckComplete) })
	f.Load(w.values(w.saved))
	f.SetPeople(w.people)
	f.SetReadOnly(w.readOnly)
	f.SetSize(w.width, max(3, w.height-4))
	w.form = f
	w.refresh()
}

func (w *actWizard) setPeople(names []string) {
	w.people = names
	if w.form != nil {
		w.form.SetPeople(names)
	}
}

// fromStep is base with the step's form values applied.
func (w *actWizard) fromStep(base assessments.AIActRecord, s assessments.AIActStep, v form.Values) assessments.AIActRecord {
	m := assessments.AIActRecordMap(w.act, base)
	for _, k := range s.StepFields(w.act) {
		if val, ok := v[k]; ok {
			m[k] = val
		}
	}
	r, err := assessments.AIActRecordFromMap(base, m)
	if err != nil {
		return base
	}
	return r
}

// problems checks the step as typed with the domain's rule; on the last step an approval
// also needs every other step complete and a settled result.
func (w *actWizard) problems(s assessments.AIActStep, v form.Values, complete bool) map[string]string {
	r := w.fromStep(w.saved, s, v)
	out := map[string]string{}
	for _, p := range r.CheckStep(w.act, s, complete) {
		if _, dup := out[p.Field]; !dup {
			out[p.Field] = p.Message
		}
	}
	if s == assessments.ActStepResult && r.Decision != assessments.DecisionNone && out["decision"] == "" {
		var ve *assessments.ValidationError
		if err := r.ReadyForApproval(w.act); errors.As(err, &ve) {
			out["decision"] = ve.Message
		}
	}
	return out
}

// refresh recomputes the working copy and its result from the form, so the summary and
// the fields that depend on earlier answers follow every change.
func (w *actWizard) refresh() {
	w.work = w.fromStep(w.saved, w.step, w.form.Values())
	w.outcome = w.work.Outcome(w.act)
}

func (w *actWizard) title() string {
	return fmt.Sprintf("%s · EU AI Act classification v%d · %s", common.OneLine(w.sys.Name), w.saved.Version, w.saved.State().Label())
}

func (w *actWizard) close(info string) tea.Cmd {
	w.done, w.info = true, info
	return nil
}

func (w *actWizard) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case actSavedMsg:
		if msg.undo || msg.seq != w.seq {
			return nil
		}
		return w.saved_(msg)
	case actCurrentMsg:
		if msg.seq != w.seq || msg.err != nil {
			return nil
		}
		w.saved = msg.r
		if msg.r.Frozen() {
			w.readOnly = true
			w.buildForm()
		}
		return nil
	case approveMsg:
		if msg.id != w.saved.ID || msg.seq != w.seq || w.readOnly || w.step != assessments.ActStepResult {
			return nil
		}
		return w.save(assessments.ActStepResult, false, true)
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

func (w *actWizard) key(msg tea.KeyPressMsg) tea.Cmd {
	if w.saving {
		return nil
	}
	k := w.keys
	if w.readOnly {
		w.notice, w.general = "", ""
		switch {
		case key.Matches(msg, k.Close):
			return w.close("")
		case key.Matches(msg, k.ViewNext):
			if w.step < assessments.ActStepResult {
				w.step++
				w.buildForm()
			}
			return nil
		case key.Matches(msg, k.ViewPrev):
			if w.step > assessments.ActStepRoles {
				w.step--
				w.buildForm()
			}
			return nil
		}
		_, cmd := w.form.Update(msg)
		return cmd
	}
	if !w.form.Asking() {
		w.notice = ""
		switch {
		case key.Matches(msg, k.NextStep):
			if w.step == assessments.ActStepResult {
				return nil
			}
			return w.move(w.step + 1)
		case key.Matches(msg, k.PrevStep):
			if w.step == assessments.ActStepRoles {
				return nil
			}
			return w.move(w.step - 1)
		}
	}
	act, cmd := w.form.Update(msg)
	w.refresh()
	switch act {
	case form.Leave:
		if w.form.Changed() {
			return w.close(fmt.Sprintf("Left step %d of the EU AI Act classification of %s without saving its changes.", int(w.step)+1, common.OneLine(w.sys.Name)))
		}
		return w.close("")
	case form.Save:
		w.general = ""
		return tea.Batch(cmd, w.saveComplete())
	}
	if key.Matches(msg, k.SaveStep) && !w.form.Asking() {
		return tea.Batch(cmd, w.saveDraft())
	}
	if len(w.form.Errors()) == 0 {
		w.general = ""
	}
	return cmd
}

func (w *actWizard) move(target assessments.AIActStep) tea.Cmd {
	if w.form.Changed() {
		w.general = fmt.Sprintf("Step %d has unsaved changes: ctrl+s saves them and moves on; esc leaves without them.", int(w.step)+1)
		return nil
	}
	w.general = ""
	w.step = target
	w.buildForm()
	return nil
}

func (w *actWizard) saveComplete() tea.Cmd {
	if w.step == assessments.ActStepResult {
		if w.work.Decision == assessments.DecisionNone {
			return w.save(assessments.ActStepResult, false, true)
		}
		return w.askApproval()
	}
	return w.save(w.step+1, true, false)
}

func (w *actWizard) saveDraft() tea.Cmd {
	errs := w.form.Errors()
	if w.step == assessments.ActStepResult && w.work.Decision != assessments.DecisionNone {
		w.general = "The classification cannot be approved yet: fix the marked fields."
		return nil
	}
	if p := w.problems(w.step, w.form.Values(), assessments.CheckDraft); len(p) > 0 {
		w.general = fmt.Sprintf("Not saved: step %d has %s; fix the marked fields.", int(w.step)+1, count(len(p), "problem"))
		return nil
	}
	w.general = fmt.Sprintf("Step %d needs %s before moving on.", int(w.step)+1, count(len(errs), "more answer"))
	return w.save(w.step, false, false)
}

func (w *actWizard) askApproval() tea.Cmd {
	r := w.work
	o := r.Outcome(w.act)
	title := fmt.Sprintf("%s: approve EU AI Act classification v%d?", common.OneLine(w.sys.Name), r.Version)
	text := fmt.Sprintf("Result: %s.\n\nApproved by %s on %s. An approved version no longer changes; c starts version %d.",
		o.String(), common.OneLine(r.Approver), r.DecisionDate, r.Version+1)
	return common.OpenDialog(dialog.NewConfirm(w.c.Styles, w.addr+"/approve", w.addr, title, text, approveMsg{id: w.saved.ID, seq: w.seq}))
}

func (w *actWizard) save(target assessments.AIActStep, advance, exit bool) tea.Cmd {
	w.seq++
	seq, before, from := w.seq, w.saved, w.step
	after := w.work.Clone()
	if w.step == assessments.ActStepResult && !exit {
		after.Decision = before.Decision // only the confirmed close records an approval
	}
	after.LastStep = max(before.LastStep, target)
	w.saving = true
	s, ctx := w.c.Store, w.c.Ctx
	return w.send(func() tea.Msg {
		r, err := s.UpdateAIActRecord(ctx, before, after)
		return actSavedMsg{seq: seq, before: before, r: r, err: err, from: from, target: target, advance: advance, exit: exit}
	})
}

func (w *actWizard) saved_(msg actSavedMsg) tea.Cmd {
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
	w.saved = msg.r
	w.pushUndo(msg.before, msg.r)
	name := common.OneLine(w.sys.Name)
	if msg.r.Frozen() {
		return w.close(fmt.Sprintf("EU AI Act classification v%d of %s approved by %s and frozen: %s.", msg.r.Version, name,
			common.OneLine(msg.r.Approver), msg.r.Outcome(w.act).String()))
	}
	if msg.exit {
		return w.close(fmt.Sprintf("Saved EU AI Act classification v%d of %s; it stays a draft until approved.", msg.r.Version, name))
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

func (w *actWizard) pushUndo(before, saved assessments.AIActRecord) {
	if w.c.Undo == nil || saved.Frozen() {
		return
	}
	mb, ms := assessments.AIActRecordMap(w.act, before), assessments.AIActRecordMap(w.act, saved)
	changed := false
	for k, v := range mb {
		if k != "last_step" && ms[k] != v {
			changed = true
		}
	}
	if !changed {
		return
	}
	s, addr := w.c.Store, w.addr
	w.c.Undo.Push(common.UndoEntry{
		Label: fmt.Sprintf("step save of %s EU AI Act classification v%d", common.OneLine(w.sys.Name), saved.Version),
		To:    addr,
		Run: func(ctx context.Context) (tea.Msg, error) {
			back, err := s.UpdateAIActRecord(ctx, saved, before)
			if err != nil {
				return nil, err
			}
			return actSavedMsg{r: back, undo: true}, nil
		},
	})
}

func (w *actWizard) reload() tea.Cmd {
	seq, s, ctx, id := w.seq, w.c.Store, w.c.Ctx, w.saved.ID
	return w.send(func() tea.Msg {
		r, err := s.AIActRecord(ctx, id)
		return actCurrentMsg{seq: seq, r: r, err: err}
	})
}

// flush saves a changed, well-formed step when the program ends; never an approval.
func (w *actWizard) flush(ctx context.Context) error {
	if w.readOnly || w.saving || !w.form.Changed() {
		return nil
	}
	if len(w.problems(w.step, w.form.Values(), assessments.CheckDraft)) > 0 {
		return nil
	}
	after := w.fromStep(w.saved, w.step, w.form.Values())
	after.Decision = w.saved.Decision
	after.LastStep = max(w.saved.LastStep, w.step)
	saved, err := w.c.Store.UpdateAIActRecord(ctx, w.saved, after)
	if err == nil {
		w.saved = saved
		w.form.MarkSaved()
	}
	return err
}

func (w *actWizard) unsavedWork() string {
	if w.readOnly || w.saving || !w.form.Changed() {
		return ""
	}
	p := w.problems(w.step, w.form.Values(), assessments.CheckDraft)
	if len(p) == 0 {
		return ""
	}
	if msg := stepProblem(p, w.step.StepFields(w.act)); msg != "" {
		return fmt.Sprintf("step %d of the EU AI Act classification of %s (%s)", int(w.step)+1, common.OneLine(w.sys.Name), msg)
	}
	return fmt.Sprintf("step %d of the EU AI Act classification of %s", int(w.step)+1, common.OneLine(w.sys.Name))
}

func (w *actWizard) keyMap() help.KeyMap {
	k := w.keys
	if w.readOnly {
		short := []key.Binding{withHelp(k.Steps, "pgdn/pgup", "step"), withHelp(k.Close, "esc", "close"), withHelp(k.Classify, "c", "re-classify")}
		full := []key.Binding{withHelp(k.ViewNext, "pgdn/→", "next step"), withHelp(k.ViewPrev, "pgup/←", "previous step"),
			withHelp(k.Classify, "c", "re-classify"), withHelp(k.Close, "esc", "close")}
		return common.HelpMap{Short: short, Full: [][]key.Binding{full}}
	}
	save := k.SaveStep
	if w.step == assessments.ActStepResult {
		save = withHelp(k.SaveStep, "ctrl+s", "save, approve")
	}
	inner := w.form.KeyMap()
	if hm, ok := stepEditHelp(inner, save, []key.Binding{k.Steps}, nil, [][]key.Binding{{save, k.NextStep, k.PrevStep}}); ok {
		return hm
	}
	return inner // the form asks a question or shows a pick list
}

// ---- view ----

func (w *actWizard) stepDone(s assessments.AIActStep) bool {
	switch {
	case s == assessments.ActStepResult:
		return w.saved.Frozen()
	case !w.saved.Frozen() && s >= w.saved.LastStep:
		return false
	}
	return len(w.work.CheckStep(w.act, s, assessments.CheckComplete)) == 0
}

func (w *actWizard) view(width, h int) []string {
	st := w.c.Styles
	n := len(assessments.AIActSteps)
	right := fmt.Sprintf("step %d of %d", int(w.step)+1, n)
	title := st.Title.Render(common.Truncate(w.title(), width-len(right)-2))
	gap := max(1, width-lipgloss.Width(title)-len(right))
	out := []string{title + strings.Repeat(" ", gap) + st.Header.Render(right)}
	var marks []string
	for _, s := range assessments.AIActSteps {
		num := fmt.Sprint(int(s) + 1)
		switch {
		case s == w.step:
			marks = append(marks, st.Cursor.Render("["+num+"]"))
		case w.stepDone(s):
			marks = append(marks, st.OK.Render(num+"✓"))
		default:
			marks = append(marks, st.Subtle.Render(num+"·"))
		}
	}
	out = append(out, common.Truncate(strings.Join(marks, " ")+"  "+st.Header.Render(w.step.Title()), width))
	intro := actStepIntro(w.step)
	switch {
	case w.step == assessments.ActStepExemption && !w.anyAnnexIII():
		intro = "No Annex III area applies (step 3), so there is nothing to exempt: pgdn goes on."
	case w.step == assessments.ActStepFRIA && !w.friaRelevant():
		intro = "Art. 27 asks this of a deployer of a high-risk Annex III system; nothing to record here: pgdn goes on."
	}
	out = append(out, st.Muted.Render(common.Truncate(intro, width)))
	switch {
	case w.saving:
		out = append(out, st.Muted.Render("Saving…"))
	case w.general != "":
		out = append(out, st.Error.Render(common.Truncate(w.general, width)))
	case w.notice != "":
		out = append(out, st.OK.Render(common.Truncate(w.notice, width)))
	case w.readOnly:
		out = append(out, st.Warn.Render(common.Truncate(fmt.Sprintf("Read-only: approved by %s on %s. c re-classifies (version %d).",
			common.OneLine(w.saved.Approver), w.saved.DecisionDate, w.saved.Version+1), width)))
	case w.form.Changed():
		out = append(out, st.Muted.Render(common.Truncate("Not saved yet: ctrl+s saves this step.", width)))
	default:
		out = append(out, "")
	}
	room := max(3, h-len(out))
	var extra []string
	switch w.step {
	case assessments.ActStepResult:
		extra = w.resultSummary(width)
	case assessments.ActStepFRIA:
		if w.friaRelevant() {
			extra = w.friaSummary(width)
		}
	}
	w.form.SetSize(width, room)
	lines := strings.Split(w.form.View(), "\n")
	if len(extra) > 0 && len(lines)+1+len(extra) > room {
		// The summary is what these steps are for: it keeps up to half the room.
		extra = extra[:min(len(extra), max(2, room/2))]
		w.form.SetSize(width, max(3, room-len(extra)-1))
		lines = strings.Split(w.form.View(), "\n")
	}
	out = append(out, lines...)
	if len(extra) > 0 {
		out = append(append(out, ""), extra...)
	}
	return out
}

// resultSummary is the derived result with the answers that decided it and what follows.
func (w *actWizard) resultSummary(width int) []string {
	st := w.c.Styles
	o := w.outcome
	label := func(s string) string { return st.Label.Render(common.Pad(s, 14)) }
	res := o.Result.Label()
	switch o.Result {
	case assessments.ActProhibited, assessments.ActHighRisk:
		res = st.Level[4].Render(res)
	case assessments.ActTransparency:
		res = st.Level[2].Render(res)
	case assessments.ActUnsettled:
		res = st.Warn.Render(res)
	}
	out := []string{label("Result") + res}
	if o.Result == assessments.ActUnsettled {
		out = append(out, label("To answer")+st.Muted.Render(strings.Join(o.Unsettled, "; ")))
	} else if a := o.Articles(); a != "" {
		out = append(out, label("Decided by")+a)
	}
	if o.AppliesFrom.ID != "" {
		out = append(out, label("Applies from")+o.AppliesFrom.AppliesFrom+st.Muted.Render(" · "+o.AppliesFrom.Title))
	}
	if o.FRIA != assessments.FRIANotApplicable {
		out = append(out, label("Art. 27 FRIA")+o.FRIA.Label())
	}
	citeW := 0
	for _, d := range o.Duties {
		if d.Ours {
			citeW = max(citeW, min(16, lipgloss.Width(d.Obligation.Cite)))
		}
	}
	ours := 0
	for _, d := range o.Duties {
		if !d.Ours {
			continue
		}
		if ours == 0 {
			out = append(out, st.Header.Render("Obligations of the organisation"))
		}
		ours++
		out = append(out, st.Muted.Render("from "+d.Milestone.AppliesFrom)+"  "+common.Pad(common.Truncate(d.Obligation.Cite, citeW), citeW)+" "+d.Obligation.Title)
	}
	if ours == 0 && o.Result != assessments.ActUnsettled {
		out = append(out, label("Obligations")+st.Muted.Render("none for the roles recorded"))
	}
	for i, l := range out {
		out[i] = common.Truncate(l, width)
	}
	return out
}

// friaSummary shows what the FRIA takes from the impact assessment.
func (w *actWizard) friaSummary(width int) []string {
	st := w.c.Styles
	o := w.outcome
	f := assessments.BuildFRIA(o.FRIA, w.work, w.ia)
	label := func(s string) string { return st.Label.Render(common.Pad(s, 18)) }
	out := []string{label("Art. 27(1)") + o.FRIA.Label()}
	if f.Source == nil {
		return append(out, label("From the IA")+st.Warn.Render("no impact assessment yet: (a), (c), (d) and (f) come from it"))
	}
	out = append(out, label("From the IA")+fmt.Sprintf("version %d, %s", f.Source.Version, f.Source.State().Label()),
		label("(a) processes")+common.OneLine(orDash(strings.ReplaceAll(f.Processes, "\n\n", " · "))),
		label("(c) people")+common.OneLine(orDash(strings.ReplaceAll(f.Persons, "\n\n", " · "))))
	var harms []string
	for _, h := range f.Harms {
		harms = append(harms, fmt.Sprintf("%s %s", areaShort(h.Area), h.Class.Class.Label()))
	}
	out = append(out, label("(d) harms")+orDash(strings.Join(harms, " · ")))
	for i, l := range out {
		out[i] = common.Truncate(l, width)
	}
	return out
}
