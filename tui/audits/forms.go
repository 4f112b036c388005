package audits

import (
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/form"
)

// formPane is a form of the tab (audit, finding, corrective action) drawn in the tab's
// area: tui/form does the editing, the pane validates with the domain and saves.
type formPane struct {
	what   string // "audit", "finding", "corrective action"
	title  string
	f      *form.Form
	banner string
	saving bool
	back   mode
	// toValue builds the domain value from the form; check lists its problems by field.
	check func(m *Model, v form.Values) map[string]string
	// save writes the values (the pane's message comes back as formSavedMsg).
	save func(m *Model, v form.Values) tea.Cmd
	// note is drawn above the form (impartiality warnings for an audit).
	note func(m *Model, v form.Values) []string
}

type formSavedMsg struct {
	what    string
	id      string // the saved audit's or finding's id
	text    string // status line
	created bool
	err     error
}

func (p *formPane) resize(w, h int) { p.f.SetSize(w, max(3, h-3)) }

func (p *formPane) problems(m *Model) map[string]string { return p.check(m, p.f.Values()) }

// flush saves the form synchronously when the program ends, if it passes the rules.
func (p *formPane) flush(m *Model) error {
	if len(p.problems(m)) > 0 {
		return nil
	}
	msg := p.save(m, p.f.Values())()
	if env, ok := msg.(common.Envelope); ok {
		msg = env.Msg
	}
	if s, ok := msg.(formSavedMsg); ok && s.err != nil {
		return fmt.Errorf("%s: %w", p.what, s.err)
	}
	return nil
}

func (m *Model) openPane(p *formPane, values form.Values) tea.Cmd {
	p.back = m.mode
	if p.back == modeForm {
		p.back = modeProgramme
	}
	p.f.SetNow(m.c.Now)
	p.f.SetPeople(m.people)
	p.f.SetValidator(func(v form.Values) map[string]string { return p.check(m, v) })
	p.f.Load(values)
	m.pane = p
	m.mode = modeForm
	p.resize(m.width, m.height)
	return m.c.LoadPeople(m.Address())
}

func (m *Model) closePane() {
	if m.pane == nil {
		return
	}
	m.mode = m.pane.back
	m.pane = nil
	if m.mode == modeWalk && m.walk == nil || m.mode == modeFindings && m.finds == nil {
		m.mode = modeProgramme
	}
}

func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	p := m.pane
	if p == nil {
		m.mode = modeProgramme
		return nil
	}
	if p.saving {
		return nil // what is typed now would be marked saved without being saved
	}
	act, cmd := p.f.Update(msg)
	switch act {
	case form.Save:
		p.saving, p.banner = true, ""
		return tea.Batch(cmd, p.save(m, p.f.Values()))
	case form.Leave:
		m.closePane()
	}
	return cmd
}

func (m *Model) formMsg(msg tea.Msg) (tea.Cmd, bool) {
	s, ok := msg.(formSavedMsg)
	if !ok {
		return nil, false
	}
	p := m.pane
	if s.err != nil {
		if p == nil {
			return common.ErrCmd(s.err), true
		}
		p.saving = false
		var ve *assessments.ValidationError
		if errors.As(s.err, &ve) && ve.Field != "" {
			return tea.Batch(p.f.SetError(ve.Field, ve.Message), common.ErrCmd(s.err)), true
		}
		// The form stays open with everything typed; a conflict names the other value.
		p.banner = s.err.Error()
		if errors.Is(s.err, store.ErrConflict) {
			p.banner += " — esc leaves (discarding), or type your value again and save."
		}
		return tea.Batch(common.ErrCmd(s.err), m.load()), true
	}
	if p != nil && p.what == s.what {
		m.closePane()
	}
	if s.what == "audit" {
		m.pending = s.id
	}
	if m.finds != nil && s.what == "finding" {
		m.finds.pendingFinding = s.id
	}
	return tea.Batch(m.load(), common.InfoCmd(common.Truncate(s.text, 78)), dataChanged), true
}

func (p *formPane) view(m *Model) string {
	st := m.c.Styles
	head := st.Title.Render(p.title)
	var lines []string
	if p.note != nil {
		for _, n := range p.note(m, p.f.Values()) {
			wrapped := wrapLines("⚠ "+common.Inert(n), m.width)
			if len(wrapped) > 2 {
				wrapped = append(wrapped[:1], common.Truncate(wrapped[1]+" "+wrapped[2], m.width))
			}
			for _, l := range wrapped {
				lines = append(lines, st.Warn.Render(l))
			}
		}
	}
	if p.banner != "" {
		lines = append(lines, st.Error.Render(common.Truncate("✗ "+p.banner, m.width)))
	}
	if p.saving {
		lines = append(lines, st.Muted.Render("Saving…"))
	}
	room := max(3, m.height-1-len(lines))
	p.f.SetSize(m.width, room)
	out := append([]string{common.Truncate(head, m.width)}, lines...)
	return strings.Join(append(out, p.f.View()), "\n")
}

// ---- the audit form ----

const (
	kTitle, kType, kStatus, kScope, kProcesses, kSites, kCriteria = "title", "type", "status", "scope", "processes", "sites", "criteria"
	kPlannedStart, kPlannedEnd, kActualStart, kActualEnd          = "planned_start", "planned_end", "actual_start", "actual_end"
	kLead, kTeam, kAuditees, kSummary                             = "lead", "team", "auditees", "summary"
)

func (m *Model) openAuditForm(a *assessments.Audit) tea.Cmd {
	var types, statuses []form.Option
	for _, t := range assessments.AuditTypes {
		types = append(types, form.Option{Value: string(t), Label: t.Label()})
	}
	for _, s := range assessments.AuditStatuses {
		statuses = append(statuses, form.Option{Value: string(s), Label: s.Label()})
	}
	text := func(k, label string, lines int) form.Field {
		return form.Field{Key: k, Label: label, Kind: form.MultiLine, Lines: lines, Limit: assessments.MaxTextLen}
	}
	f := form.New(m.c.Styles,
		form.Field{Key: kTitle, Label: "Title", Kind: form.Text, Section: "Audit", Required: true, Limit: assessments.MaxNameLen, Placeholder: "what the audit looks at"},
		form.Field{Key: kType, Label: "Type", Kind: form.Choice, Options: types},
		form.Field{Key: kStatus, Label: "Status", Kind: form.Choice, Options: statuses},
		form.Field{Key: kScope, Label: "Scope", Kind: form.MultiLine, Lines: 2, Limit: 4000, Section: "Scope and criteria",
			Placeholder: "42001 8, 42001 A.6, 27001 A.8.25-A.8.29",
			Help:        "standard and clause, Annex A group, ref or range, separated by commas; the checklist follows it"},
		form.Field{Key: kProcesses, Label: "Processes", Kind: form.Text, Limit: assessments.MaxTextLen},
		form.Field{Key: kSites, Label: "Sites", Kind: form.Text, Limit: assessments.MaxTextLen},
		text(kCriteria, "Criteria", 2),
		form.Field{Key: kPlannedStart, Label: "Planned from", Kind: form.Date, Section: "Dates"},
		form.Field{Key: kPlannedEnd, Label: "to", Kind: form.Date, Inline: true},
		form.Field{Key: kActualStart, Label: "Held from", Kind: form.Date},
		form.Field{Key: kActualEnd, Label: "to", Kind: form.Date, Inline: true},
		form.Field{Key: kLead, Label: "Lead auditor", Kind: form.Person, Section: "People", Required: true, Limit: assessments.MaxNameLen,
			Help: "→ takes a name already used in the workspace"},
		form.Field{Key: kTeam, Label: "Audit team", Kind: form.Text, Limit: 2000, Placeholder: "names, separated by commas"},
		form.Field{Key: kAuditees, Label: "Auditees", Kind: form.Text, Limit: assessments.MaxTextLen, Placeholder: "who is audited, with their roles"},
		text(kSummary, "Summary", 3),
	)
	values := form.Values{kType: string(assessments.AuditInternal), kStatus: string(assessments.AuditPlanned)}
	title := "New audit"
	var base assessments.Audit
	if a != nil {
		base = *a
		title = "Audit " + a.Ref + " " + common.OneLine(a.Title)
		values = form.Values{kTitle: a.Title, kType: string(a.Type), kStatus: string(a.EffectiveStatus()),
			kScope: assessments.ScopeText(m.c.Catalogs, a.Scope), kProcesses: a.Processes, kSites: a.Sites, kCriteria: a.Criteria,
			kPlannedStart: a.PlannedStart, kPlannedEnd: a.PlannedEnd, kActualStart: a.ActualStart, kActualEnd: a.ActualEnd,
			kLead: a.Lead, kTeam: strings.Join(a.Team, ", "), kAuditees: a.Auditees, kSummary: a.Summary}
	}
	creating := a == nil
	p := &formPane{what: "audit", title: title, f: f}
	p.check = func(m *Model, v form.Values) map[string]string {
		_, errs := m.auditFrom(base, v)
		return errs
	}
	p.note = func(m *Model, v form.Values) []string {
		next, _ := m.auditFrom(base, v)
		return assessments.ImpartialityText(assessments.Impartiality(next, m.results), m.label)
	}
	p.save = func(m *Model, v form.Values) tea.Cmd {
		next, errs := m.auditFrom(base, v)
		if len(errs) > 0 {
			return common.Send(m.Address(), func() tea.Msg {
				for _, k := range []string{kTitle, kScope, kPlannedEnd, kActualStart, kActualEnd, kLead, kTeam} {
					if e, ok := errs[k]; ok {
						return formSavedMsg{what: "audit", err: &assessments.ValidationError{Field: k, Message: e}}
					}
				}
				for k, e := range errs {
					return formSavedMsg{what: "audit", err: &assessments.ValidationError{Field: k, Message: e}}
				}
				return nil
			})
		}
		c := m.c
		return common.Send(m.Address(), func() tea.Msg {
			if creating {
				saved, err := c.Store.CreateAudit(c.Ctx, next)
				return formSavedMsg{what: "audit", id: saved.ID, created: true, err: err,
					text: fmt.Sprintf("Planned audit %s %s: %s in scope", saved.Ref, quote(saved.Title), plural(len(saved.Scope), "requirement", "requirements"))}
			}
			saved, err := c.Store.UpdateAudit(c.Ctx, base, next)
			return formSavedMsg{what: "audit", id: saved.ID, err: err, text: "Saved audit " + saved.Ref}
		})
	}
	return m.openPane(p, values)
}

// auditFrom builds an audit from the form's values onto base, with the problems by field.
func (m *Model) auditFrom(base assessments.Audit, v form.Values) (assessments.Audit, map[string]string) {
	a := base
	a.EngagementID = m.eng.ID
	a.Title, a.Type, a.Status = strings.TrimSpace(v[kTitle]), assessments.AuditType(v[kType]), assessments.AuditStatus(v[kStatus])
	a.Processes, a.Sites, a.Criteria = v[kProcesses], v[kSites], v[kCriteria]
	a.PlannedStart, a.PlannedEnd = strings.TrimSpace(v[kPlannedStart]), strings.TrimSpace(v[kPlannedEnd])
	a.ActualStart, a.ActualEnd = strings.TrimSpace(v[kActualStart]), strings.TrimSpace(v[kActualEnd])
	a.Lead, a.Auditees, a.Summary = strings.TrimSpace(v[kLead]), v[kAuditees], v[kSummary]
	a.Team = nil
	for _, n := range strings.Split(v[kTeam], ",") {
		if n = strings.TrimSpace(n); n != "" {
			a.Team = append(a.Team, n)
		}
	}
	errs := map[string]string{}
	scope, problems := assessments.ParseScope(m.c.Catalogs, m.eng, v[kScope])
	a.Scope = scope
	if len(problems) > 0 {
		errs[kScope] = upperFirst(problems[0]) + "."
	}
	for _, p := range a.Problems(m.known()) {
		if _, seen := errs[p.Field]; !seen {
			errs[p.Field] = p.Message
		}
	}
	return a, errs
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ---- the finding form ----

const (
	kGrade, kStatement, kRequirements, kEvidence, kRaisedOn = "grade", "statement", "requirements", "evidence", "raised_on"
)

func (m *Model) openFindingForm(v assessments.FindingView) tea.Cmd {
	var grades []form.Option
	for _, g := range assessments.Grades {
		grades = append(grades, form.Option{Value: string(g), Label: g.Label()})
	}
	f := form.New(m.c.Styles,
		form.Field{Key: kGrade, Label: "Grade", Kind: form.Choice, Options: grades, Section: "Finding " + v.Finding.Ref},
		form.Field{Key: kStatement, Label: "Statement", Kind: form.MultiLine, Lines: 4, Limit: assessments.MaxTextLen,
			Help: "what requirement is not met, and how (a nonconformity), or what was noticed"},
		form.Field{Key: kRequirements, Label: "Requirements", Kind: form.Text, Limit: 4000,
			Help: "the clauses and controls it is graded against, e.g. 42001 A.6.2.4, 27001 A.8.29"},
		form.Field{Key: kEvidence, Label: "Objective evidence", Kind: form.MultiLine, Lines: 4, Limit: assessments.MaxTextLen},
		form.Field{Key: kRaisedOn, Label: "Raised on", Kind: form.Date},
	)
	base := v.Finding
	p := &formPane{what: "finding", title: "Finding " + base.Ref + " · " + base.Grade.Label(), f: f}
	p.check = func(m *Model, vals form.Values) map[string]string {
		_, errs := m.findingValues(base, vals)
		return errs
	}
	p.save = func(m *Model, vals form.Values) tea.Cmd {
		next, errs := m.findingValues(base, vals)
		c := m.c
		return common.Send(m.Address(), func() tea.Msg {
			for _, k := range []string{kGrade, kStatement, kRequirements, kRaisedOn, kEvidence} {
				if e, ok := errs[k]; ok {
					return formSavedMsg{what: "finding", err: &assessments.ValidationError{Field: k, Message: e}}
				}
			}
			saved, err := c.Store.UpdateFinding(c.Ctx, base, next)
			return formSavedMsg{what: "finding", id: saved.ID, err: err, text: "Saved finding " + saved.Ref}
		})
	}
	return m.openPane(p, form.Values{kGrade: string(base.Grade), kStatement: base.Statement,
		kRequirements: assessments.ScopeText(m.c.Catalogs, base.Requirements), kEvidence: base.Evidence, kRaisedOn: base.RaisedOn})
}

func (m *Model) findingValues(base assessments.Finding, v form.Values) (assessments.Finding, map[string]string) {
	f := base
	f.Grade, f.Statement, f.Evidence, f.RaisedOn = assessments.Grade(v[kGrade]), v[kStatement], v[kEvidence], strings.TrimSpace(v[kRaisedOn])
	errs := map[string]string{}
	reqs, problems := assessments.ParseScope(m.c.Catalogs, m.eng, v[kRequirements])
	f.Requirements = orderLike(base.Requirements, reqs)
	if len(problems) > 0 {
		errs[kRequirements] = upperFirst(problems[0]) + "."
	}
	for _, p := range f.Problems(m.known()) {
		if _, seen := errs[p.Field]; !seen {
			errs[p.Field] = p.Message
		}
	}
	return f, errs
}

// orderLike keeps the requirements a finding had first in their order (the answered one
// leads), then the new ones.
func orderLike(had, now []assessments.ControlRef) []assessments.ControlRef {
	in := map[assessments.ControlRef]bool{}
	for _, c := range now {
		in[c] = true
	}
	var out []assessments.ControlRef
	seen := map[assessments.ControlRef]bool{}
	for _, c := range had {
		if in[c] {
			out = append(out, c)
			seen[c] = true
		}
	}
	for _, c := range now {
		if !seen[c] {
			out = append(out, c)
		}
	}
	return out
}

// ---- the corrective action form ----

const (
	kCorrection, kRootCause, kAction, kOwner, kDue, kState, kRisk = "correction", "root_cause", "action", "owner", "due_date", "state", "risk_id"
)

func (m *Model) riskOptions(cur string) []form.Option {
	opts := []form.Option{{Value: "", Label: "— none"}}
	for _, r := range m.risks {
		opts = append(opts, form.Option{Value: r.ID, Label: r.Ref + "  " + common.OneLine(r.Title)})
	}
	if cur != "" && m.riskName(cur) == "" {
		opts = append(opts, form.Option{Value: cur, Label: "a risk no longer in the register"})
	}
	return opts
}

// openActionForm edits a (nil: a new action on the finding).
func (m *Model) openActionForm(v assessments.FindingView, a *assessments.CorrectiveAction) tea.Cmd {
	base := assessments.CorrectiveAction{FindingID: v.Finding.ID, EngagementID: m.eng.ID, State: assessments.CorrectiveOpen}
	creating := a == nil
	if a != nil {
		base = *a
	}
	var states []form.Option
	for _, s := range []assessments.ActionState{assessments.CorrectiveOpen, assessments.CorrectiveInProgress, assessments.CorrectiveDone} {
		states = append(states, form.Option{Value: string(s), Label: s.Label()})
	}
	if st := base.EffectiveState(); st.Reviewed() {
		states = append(states, form.Option{Value: string(st), Label: st.Label()})
	}
	f := form.New(m.c.Styles,
		form.Field{Key: kCorrection, Label: "Correction", Kind: form.MultiLine, Lines: 2, Limit: assessments.MaxTextLen, Section: "On " + v.Finding.Ref,
			Help: "what was done at once to contain the nonconformity"},
		form.Field{Key: kRootCause, Label: "Root cause", Kind: form.MultiLine, Lines: 4, Limit: assessments.MaxTextLen,
			Help: "the why-chain: one answer to \"why?\" per line, each about the line before"},
		form.Field{Key: kAction, Label: "Corrective action", Kind: form.MultiLine, Lines: 3, Limit: assessments.MaxTextLen, Required: true,
			Help: "what removes the cause, so it does not happen again"},
		form.Field{Key: kOwner, Label: "Owner", Kind: form.Person, Limit: assessments.MaxNameLen, Section: "Who and when",
			Help: "→ takes a name already used in the workspace"},
		form.Field{Key: kDue, Label: "Due date", Kind: form.Date},
		form.Field{Key: kState, Label: "State", Kind: form.Choice, Options: states, Help: "V on the action reviews its effectiveness once it is done"},
		form.Field{Key: kRisk, Label: "Risk treatment", Kind: form.Choice, Options: m.riskOptions(base.RiskID),
			Help: "the risk whose treatment this action carries out, if any"},
	)
	title := "New corrective action on " + v.Finding.Ref
	if !creating {
		title = "Corrective action " + assessments.ActionRef(v.Finding.Ref, base.Seq)
	}
	p := &formPane{what: "corrective action", title: title, f: f}
	p.check = func(m *Model, vals form.Values) map[string]string {
		next := actionFrom(base, vals)
		errs := map[string]string{}
		if err := assessments.CheckActionTransition(base.EffectiveState(), next.EffectiveState()); err != nil && !creating {
			errs[kState] = err.Error()
		}
		for _, p := range next.Problems(v.Finding) {
			if _, seen := errs[p.Field]; !seen {
				errs[p.Field] = p.Message
			}
		}
		return errs
	}
	p.save = func(m *Model, vals form.Values) tea.Cmd {
		next := actionFrom(base, vals)
		errs := p.check(m, vals)
		c := m.c
		ref := v.Finding.Ref
		return common.Send(m.Address(), func() tea.Msg {
			for _, k := range []string{kAction, kDue, kState, kRootCause, kOwner} {
				if e, ok := errs[k]; ok {
					return formSavedMsg{what: "corrective action", err: &assessments.ValidationError{Field: k, Message: e}}
				}
			}
			if creating {
				saved, err := c.Store.CreateCorrectiveAction(c.Ctx, next)
				return formSavedMsg{what: "corrective action", id: v.Finding.ID, created: true, err: err,
					text: "Added corrective action " + assessments.ActionRef(ref, saved.Seq)}
			}
			saved, err := c.Store.UpdateCorrectiveAction(c.Ctx, base, next)
			return formSavedMsg{what: "corrective action", id: v.Finding.ID, err: err,
				text: "Saved corrective action " + assessments.ActionRef(ref, saved.Seq)}
		})
	}
	return m.openPane(p, form.Values{kCorrection: base.Correction, kRootCause: strings.Join(base.RootCause, "\n"), kAction: base.Action,
		kOwner: base.Owner, kDue: base.DueDate, kState: string(base.EffectiveState()), kRisk: base.RiskID})
}

func actionFrom(base assessments.CorrectiveAction, v form.Values) assessments.CorrectiveAction {
	a := base
	a.Correction, a.Action, a.Owner = v[kCorrection], v[kAction], strings.TrimSpace(v[kOwner])
	a.DueDate, a.State, a.RiskID = strings.TrimSpace(v[kDue]), assessments.ActionState(v[kState]), v[kRisk]
	a.RootCause = nil
	for _, l := range strings.Split(v[kRootCause], "\n") {
		if l = strings.TrimSpace(l); l != "" {
			a.RootCause = append(a.RootCause, l)
		}
	}
	return a
}
