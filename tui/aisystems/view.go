package aisystems

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
)

// View draws the current view in exactly the tab's size.
func (m *Model) View() string {
	w, h := max(20, m.width), max(5, m.height)
	var lines []string
	switch {
	case m.mode == modeWizard && m.wiz != nil:
		lines = m.wiz.view(w, h)
	case m.mode == modeClassify && m.cwiz != nil:
		lines = m.cwiz.view(w, h)
	case m.mode == modeForm && m.sysForm != nil:
		lines = m.formView(w, h)
	case m.mode == modeDetail:
		lines = m.detailView(w, h)
	default:
		lines = m.listView(w, h)
	}
	return fit(lines, w, h)
}

// fit pads or cuts lines to exactly h lines of at most w cells.
func fit(lines []string, w, h int) string { return common.Fit(strings.Join(lines, "\n"), w, h) }

// bottom places the footer lines at the bottom of h lines.
func bottom(body []string, footer []string, h int) []string {
	room := h - len(footer)
	if len(body) > room {
		body = body[:max(0, room)]
	}
	for len(body) < room {
		body = append(body, "")
	}
	return append(body, footer...)
}

func (m *Model) footer(w int) []string {
	if m.loadErr != "" {
		return []string{m.c.Styles.Error.Render(common.Truncate("Could not load the inventory: "+m.loadErr, w))}
	}
	return nil
}

func (m *Model) classCell(c assessments.ImpactClass) string {
	st := m.c.Styles
	switch c {
	case assessments.ClassHigh:
		return st.Level[4].Render("high")
	case assessments.ClassMedium:
		return st.Level[2].Render("medium")
	case assessments.ClassLow:
		return st.Level[0].Render("low")
	}
	return st.Subtle.Render("–")
}

func stateShort(a *assessments.ImpactAssessment) string {
	if a == nil {
		return "not assessed"
	}
	s := a.State().Label()
	if a.State() == assessments.ImpactConditional {
		s = "approved (cond.)"
	}
	if a.State() == assessments.ImpactDraft {
		s = fmt.Sprintf("draft, step %d/%d", int(a.LastStep)+1, len(assessments.ImpactSteps))
	}
	return fmt.Sprintf("v%d %s", a.Version, s)
}

func (m *Model) listView(w, h int) []string {
	st := m.c.Styles
	sum := m.summary
	var out []string
	head := "AI system inventory · " + common.Count(sum.Systems, "system", "systems")
	var facts []string
	if sum.Approved > 0 {
		facts = append(facts, fmt.Sprintf("%d approved", sum.Approved))
	}
	if sum.Drafts > 0 {
		facts = append(facts, fmt.Sprintf("%d in draft", sum.Drafts))
	}
	if sum.NotAssessed > 0 {
		facts = append(facts, fmt.Sprintf("%d not assessed", sum.NotAssessed))
	}
	if sum.Overdue > 0 {
		facts = append(facts, st.Warn.Render(common.Count(sum.Overdue, "review", "reviews")+" overdue"))
	}
	line := st.Header.Render(head)
	if len(facts) > 0 {
		line += st.Muted.Render(" · ") + strings.Join(facts, st.Muted.Render(" · "))
	}
	out = append(out, line)
	if m.filtering || m.filter.Value() != "" {
		out = append(out, m.filter.View())
	}
	if !m.loaded {
		return bottom(append(out, st.Muted.Render("Loading…")), m.footer(w), h)
	}
	if len(sum.Latest) == 0 {
		out = append(out, "",
			st.Muted.Render("No AI systems yet. ISO/IEC 42001 starts from knowing which AI systems the organisation"),
			st.Muted.Render("provides, develops or uses. Press n to add the first one."))
		return bottom(out, m.footer(w), h)
	}
	// Columns: name flexes; the EU AI Act result and the owner appear when there is room
	// (the stage is in the preview and the detail).
	roleW, assessW, classW, reviewW := 14, 22, 7, 12
	actW, ownerW := 0, 0
	if w >= 100 {
		actW = 17
	}
	if w >= 120 {
		ownerW = 16
	}
	nameW := w - 2 - roleW - assessW - classW - reviewW - 4
	if actW > 0 {
		nameW -= actW + 1
	}
	if ownerW > 0 {
		nameW -= ownerW + 1
	}
	nameW = max(10, nameW)
	cols := func(name, role, assess, class, act, review, owner string) string {
		s := common.Pad(name, nameW) + " " + common.Pad(role, roleW) + " " + common.Pad(assess, assessW) + " " + common.Pad(class, classW) + " "
		if actW > 0 {
			s += common.Pad(act, actW) + " "
		}
		s += common.Pad(review, reviewW)
		if ownerW > 0 {
			s += " " + common.Pad(owner, ownerW)
		}
		return s
	}
	out = append(out, st.Muted.Render("  "+cols("NAME", "ROLES", "ASSESSMENT", "CLASS", "EU AI ACT", "NEXT REVIEW", "OWNER")))
	preview := m.preview(w)
	rows := max(1, h-len(out)-len(preview)-len(m.footer(w))-1)
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+rows {
		m.offset = m.cursor - rows + 1
	}
	if len(m.visible) == 0 {
		out = append(out, st.Muted.Render("  No system matches the filter."))
	}
	for i := m.offset; i < len(m.visible) && i < m.offset+rows; i++ {
		la := m.summary.Latest[m.visible[i]]
		class := st.Subtle.Render("–")
		if la.Latest != nil && la.Latest.ClassSettled() {
			class = m.classCell(la.Latest.Class())
		}
		review := orDash(la.NextReview)
		if la.Overdue {
			review = st.Warn.Render(review + " !")
		}
		row := cols(common.OneLine(la.System.Name), rolesShort(la.System.Roles), stateShort(la.Latest), class, m.actCell(la.System.ID), review, common.OneLine(la.System.Owner))
		if i == m.cursor {
			out = append(out, st.Cursor.Render("▸ ")+st.Selected.Render(common.Pad(ansiStripPad(row), w-2)))
		} else {
			out = append(out, "  "+row)
		}
	}
	return bottom(append(out, preview...), m.footer(w), h)
}

// ansiStripPad drops inner styling so the selection background covers the whole row.
func ansiStripPad(s string) string { return ansi.Strip(s) }

// preview shows the selected system under the list.
func (m *Model) preview(w int) []string {
	st := m.c.Styles
	la, ok := m.selected()
	if !ok {
		return nil
	}
	s := la.System
	out := []string{st.Subtle.Render(strings.Repeat("─", w))}
	kv := func(label, v string) string {
		if strings.TrimSpace(v) == "" {
			v = st.Subtle.Render("–")
		} else {
			v = common.OneLine(v)
		}
		return st.Label.Render(common.Pad(label, 16)) + v
	}
	out = append(out, kv("Purpose", s.Purpose))
	personal := "no personal data"
	if s.PersonalData {
		personal = "personal data"
	}
	out = append(out, kv("Automation", s.Automation.Label()+" · "+personal))
	out = append(out, kv("Human oversight", s.HumanOversight))
	out = append(out, kv("EU AI Act", m.actSummary(s.ID)))
	if m.height >= 30 {
		out = append(out, kv("Type", s.Type), kv("Data", s.DataSources), kv("Deployment", s.DeploymentContext),
			kv("Users", s.Users), kv("Affected people", s.AffectedPeople), kv("Third parties", s.ThirdParty))
	}
	linked := m.systemRisks(s.ID)
	if len(linked) > 0 {
		var refs []string
		for _, r := range linked {
			refs = append(refs, r.Ref)
		}
		out = append(out, kv("Linked risks", strings.Join(refs, ", ")))
	}
	return out
}

func (m *Model) systemRisks(id string) []assessments.Risk {
	var out []assessments.Risk
	for _, r := range m.risks {
		if r.AISystemID == id {
			out = append(out, r)
		}
	}
	return out
}

func (m *Model) detailView(w, h int) []string {
	st := m.c.Styles
	la, ok := m.selected()
	if !ok {
		return nil
	}
	s := la.System
	var out []string
	title := st.Title.Render(common.OneLine(s.Name)) + st.Muted.Render(" · "+assessments.RolesLabel(s.Roles))
	if s.Stage != "" {
		title += st.Muted.Render(" · " + s.Stage.Label())
	}
	out = append(out, title)
	kv := func(label, v string) string {
		if strings.TrimSpace(v) == "" {
			v = st.Subtle.Render("–")
		} else {
			v = common.OneLine(v)
		}
		return st.Label.Render(common.Pad(label, 20)) + v
	}
	personal := "no"
	if s.PersonalData {
		personal = "yes"
	}
	fields := []string{
		kv("Purpose", s.Purpose), kv("Type", s.Type), kv("Data sources", s.DataSources),
		kv("Data categories", strings.TrimSpace(s.DataCategories+" (personal data: "+personal+")")), kv("Deployment", s.DeploymentContext),
		kv("Jurisdictions", s.Jurisdictions), kv("Users", s.Users), kv("Affected people", s.AffectedPeople),
		kv("Automation", s.Automation.Label()), kv("Human oversight", s.HumanOversight), kv("Third parties", s.ThirdParty),
		kv("Owner", s.Owner),
	}
	versions := m.versions[s.ID]
	acts := m.acts[s.ID]
	linked := m.systemRisks(s.ID)
	// The versions and risks matter most: the inventory fields give way when short of room.
	need := 2 + max(1, len(versions)) + 2 + max(1, len(acts)) + 2 + max(1, len(linked)) + len(m.footer(w)) + 1
	room := max(3, h-need)
	if len(fields) > room {
		fields = fields[:room]
	}
	out = append(out, fields...)
	out = append(out, "", st.Header.Render(fmt.Sprintf("Impact assessment versions (%d)", len(versions))))
	if len(versions) == 0 {
		out = append(out, st.Muted.Render("  None yet. Press a to start version 1, prefilled from this entry."))
	}
	now := m.c.Now()
	for i, v := range versions {
		text := stateShort(&v)
		switch {
		case v.Frozen():
			text += fmt.Sprintf(" %s by %s", v.DecisionDate, common.OneLine(v.Approver))
		default:
			text += " · saved " + v.UpdatedAt.Format(assessments.DateLayout)
		}
		if v.ClassSettled() {
			text += " · class " + m.classCell(v.Class())
			if c := v.Derivation().Cite(); c != "" && v.ClassOverride == assessments.ClassNone {
				text += st.Muted.Render(" (" + c + ")")
			}
		}
		if nr := v.NextReview(); nr != "" {
			if v.ReviewOverdue(now) && la.InForce != nil && la.InForce.ID == v.ID {
				text += " · " + st.Warn.Render("review overdue since "+nr)
			} else {
				text += " · review " + nr
			}
		}
		if i == m.vcursor {
			out = append(out, st.Cursor.Render("▸ ")+text)
		} else {
			out = append(out, "  "+text)
		}
	}
	out = append(out, "", st.Header.Render(fmt.Sprintf("EU AI Act classification versions (%d)", len(acts))))
	if len(acts) == 0 {
		out = append(out, st.Muted.Render("  None yet. Press c to classify the system under the EU AI Act."))
	}
	for i, r := range acts {
		text := m.actVersionLine(r)
		if len(versions)+i == m.vcursor {
			out = append(out, st.Cursor.Render("▸ ")+text)
		} else {
			out = append(out, "  "+text)
		}
	}
	out = append(out, "", st.Header.Render(fmt.Sprintf("Risks linked to this system (%d)", len(linked))))
	if len(linked) == 0 {
		out = append(out, st.Muted.Render("  None. From a harm in step 7 of an assessment, ctrl+r raises one."))
	}
	for _, r := range linked {
		out = append(out, fmt.Sprintf("  %s %s %s", st.Accent.Render(r.Ref), common.OneLine(r.Title), st.Muted.Render("("+r.EffectiveStatus().Label()+")")))
	}
	return bottom(out, m.footer(w), h)
}

func (m *Model) formView(w, h int) []string {
	st := m.c.Styles
	title := "New AI system"
	if m.formFor != nil {
		title = "Edit " + common.OneLine(m.formFor.Name)
	}
	out := []string{st.Title.Render(common.Truncate(title, w-30)) + st.Muted.Render(" · AI system inventory entry")}
	switch {
	case m.formSaving:
		out = append(out, st.Muted.Render("Saving…"))
	case m.formGeneral != "":
		out = append(out, st.Error.Render(common.Truncate(m.formGeneral, w)))
	default:
		out = append(out, st.Muted.Render(common.Truncate("ctrl+s saves; nothing is written before.", w)))
	}
	out = append(out, "")
	m.sysForm.SetSize(w, max(3, h-len(out)))
	return append(out, strings.Split(m.sysForm.View(), "\n")...)
}

// listRows is how many systems the list shows at once (page keys move by it).
func (m *Model) listRows() int { return max(1, m.height-8) }

// ---- the wizard ----

func (w *wizard) view(width, h int) []string {
	st := w.c.Styles
	n := len(assessments.ImpactSteps)
	right := fmt.Sprintf("step %d of %d", int(w.step)+1, n)
	title := st.Title.Render(common.Truncate(w.title(), width-len(right)-2))
	gap := max(1, width-lipgloss.Width(title)-len(right))
	out := []string{title + strings.Repeat(" ", gap) + st.Header.Render(right)}

	var marks []string
	for _, s := range assessments.ImpactSteps {
		num := fmt.Sprint(int(s) + 1)
		switch {
		case s == w.step:
			marks = append(marks, st.Cursor.Render("["+num+"]"))
		case stepDone(w.work, w.saved, s):
			marks = append(marks, st.OK.Render(num+"✓"))
		default:
			marks = append(marks, st.Subtle.Render(num+"·"))
		}
	}
	out = append(out, strings.Join(marks, " ")+"  "+st.Header.Render(w.step.Title()))
	out = append(out, st.Muted.Render(common.Truncate(stepIntro(w.step), width)))

	switch {
	case w.saving:
		out = append(out, st.Muted.Render("Saving…"))
	case w.general != "":
		out = append(out, st.Error.Render(common.Truncate(w.general, width)))
	case w.notice != "":
		out = append(out, st.OK.Render(common.Truncate(w.notice, width)))
	case w.readOnly:
		out = append(out, st.Warn.Render(common.Truncate(fmt.Sprintf("Read-only: %s by %s on %s. r re-assesses (version %d).",
			w.saved.State().Label(), common.OneLine(w.saved.Approver), w.saved.DecisionDate, w.saved.Version+1), width)))
	case w.form.Changed():
		out = append(out, st.Muted.Render(common.Truncate("Not saved yet: ctrl+s saves this step.", width)))
	default:
		out = append(out, "")
	}

	room := max(3, h-len(out))
	// The summary under the form: the area table, squeezed to a grid or a line when the
	// terminal is short; the class and review dates on step 8.
	var extras [][]string
	switch w.step {
	case assessments.StepImpacts:
		extras = [][]string{w.areaSummary(width), w.areaGrid(width), {w.areaOneLine()}}
	case assessments.StepClass:
		extras = [][]string{w.classSummary(width)}
	}
	// Draw the form in all the room first; only when the summary does not fit under it
	// is the form drawn again, shorter (it scrolls to its focus).
	w.form.SetSize(width, room)
	lines := strings.Split(w.form.View(), "\n")
	var extra []string
	for i, e := range extras {
		if len(lines)+1+len(e) <= room || i == len(extras)-1 {
			extra = e
			break
		}
	}
	if len(extra) > 0 && len(lines)+1+len(extra) > room {
		w.form.SetSize(width, max(3, room-len(extra)-1))
		lines = strings.Split(w.form.View(), "\n")
	}
	out = append(out, lines...)
	if len(extra) > 0 {
		out = append(append(out, ""), extra...)
	}
	return out
}

func (w *wizard) areaSummary(width int) []string {
	st := w.c.Styles
	areaW := max(16, min(32, width-52))
	out := []string{st.Muted.Render("  " + common.Pad("AREA", areaW) + common.Pad("EFFECT", 20) + common.Pad("S×L", 6) + common.Pad("RESID.", 8) + "CLASS   RISKS")}
	for i, im := range w.work.Impacts {
		sl, res := "", ""
		if im.Harm() {
			sl = fmt.Sprintf("%s×%s", rate(im.Severity), rate(im.Likelihood))
			res = fmt.Sprintf("%s×%s", rate(im.ResidualSeverity), rate(im.ResidualLikelihood))
		}
		class := st.Subtle.Render("–")
		if c := im.ResidualClass(); c != assessments.ClassNone {
			class = w.classCell(c)
		}
		var refs []string
		for _, r := range w.risks[im.Area] {
			refs = append(refs, r.Ref)
		}
		riskCell := strings.Join(refs, ",")
		if riskCell == "" && im.ResidualClass() == assessments.ClassHigh {
			riskCell = st.Warn.Render("ctrl+r")
		}
		mark := "  "
		if i == w.area {
			mark = st.Cursor.Render("▸ ")
		}
		effect := im.Effect.Label()
		if im.Effect == assessments.EffectUnassessed {
			effect = st.Subtle.Render(effect)
		}
		line := mark + common.Pad(common.Truncate(im.Area.Label(), areaW-1), areaW) + common.Pad(effect, 20) + common.Pad(sl, 6) + common.Pad(res, 8) +
			common.Pad(class, 8) + riskCell
		out = append(out, common.Truncate(line, width))
	}
	return out
}

// areaShort names an area in a narrow cell.
func areaShort(a assessments.ImpactArea) string {
	switch a {
	case assessments.AreaTransparency:
		return "Transparency"
	case assessments.AreaPrivacy:
		return "Privacy/security"
	case assessments.AreaSafety:
		return "Safety/health"
	case assessments.AreaEconomic:
		return "Economic/societal"
	}
	return a.Label()
}

// areaGrid is the area summary in two columns of five, for small terminals.
func (w *wizard) areaGrid(width int) []string {
	st := w.c.Styles
	col := width / 2
	cell := func(i int) string {
		im := w.work.Impacts[i]
		mark := "  "
		if i == w.area {
			mark = st.Cursor.Render("▸ ")
		}
		s := mark + common.Pad(areaShort(im.Area), 18)
		switch {
		case im.Effect == assessments.EffectUnassessed:
			s += st.Subtle.Render("not assessed")
		case im.Harm():
			s += "harm"
			if c := im.ResidualClass(); c != assessments.ClassNone {
				s += " " + w.classCell(c)
			}
		default:
			s += im.Effect.Label()
		}
		var refs []string
		for _, r := range w.risks[im.Area] {
			refs = append(refs, r.Ref)
		}
		if len(refs) > 0 {
			s += " " + st.Accent.Render(strings.Join(refs, ","))
		}
		return common.Pad(common.Truncate(s, col-1), col)
	}
	half := (len(w.work.Impacts) + 1) / 2
	var out []string
	for i := 0; i < half; i++ {
		line := cell(i)
		if i+half < len(w.work.Impacts) {
			line += cell(i + half)
		}
		out = append(out, line)
	}
	return out
}

// areaOneLine is the area summary squeezed into one line for small terminals.
func (w *wizard) areaOneLine() string {
	st := w.c.Styles
	done := 0
	for _, im := range w.work.Impacts {
		if im.Effect != assessments.EffectUnassessed {
			done++
		}
	}
	im := w.work.Impact(w.areaID())
	s := fmt.Sprintf("%d of %d areas assessed", done, len(assessments.ImpactAreas))
	if c := im.ResidualClass(); c != assessments.ClassNone {
		s += " · this area's residual: " + string(c)
	}
	var refs []string
	for _, r := range w.risks[im.Area] {
		refs = append(refs, r.Ref)
	}
	if len(refs) > 0 {
		s += " · risk " + strings.Join(refs, ", ")
	} else if im.ResidualClass() == assessments.ClassHigh {
		s += " · ctrl+r raises a risk"
	}
	return st.Muted.Render(s)
}

// classSummary says which rule set the class ("high: severity 4, irreversible"), the
// rule's reasoning, the other harms' classes, and the review that follows.
func (w *wizard) classSummary(width int) []string {
	st := w.c.Styles
	a := w.work
	d := a.Derivation()
	label := func(s string) string { return st.Label.Render(common.Pad(s, 18)) }
	var out []string
	// add writes a labelled value wrapped under its label, so the rule is read whole.
	add := func(l, v string) {
		lines := strings.Split(lipgloss.Wrap(v, max(20, width-18), " "), "\n")
		out = append(out, label(l)+lines[0])
		for _, x := range lines[1:] {
			out = append(out, strings.Repeat(" ", 18)+x)
		}
	}
	switch {
	case d.Class == assessments.ClassNone:
		add("Class rules give", st.Warn.Render("not settled")+st.Muted.Render(" · "+d.Unsettled))
	default:
		why := d.Harm.Reason()
		if d.Area != "" {
			why += " (" + d.Area.Label() + ")"
		} else {
			why = "no area is assessed as a harm"
		}
		add("Class rules give", w.classCell(d.Class)+": "+why+st.Muted.Render(" · rule "+d.Cite()))
		for _, id := range strings.Split(d.Cite(), "+") {
			for _, r := range assessments.ClassRules {
				if r.ID == id {
					add("  "+r.ID, st.Muted.Render(r.When+". "+r.Why))
				}
			}
		}
	}
	var others []string
	for _, im := range a.Impacts {
		if h := im.ResidualHarm(); h.Class != assessments.ClassNone && im.Area != d.Area {
			others = append(others, fmt.Sprintf("%s %s (%s)", areaShort(im.Area), h.Class, h.Cite()))
		}
	}
	if len(others) > 0 {
		add("Other harms", st.Muted.Render(strings.Join(others, " · ")))
	}
	inForce := label("Class in force") + w.classCell(a.Class())
	switch {
	case a.ClassOverride != assessments.ClassNone:
		inForce += st.Muted.Render(" · set by hand")
	}
	if a.Class() != assessments.ClassNone {
		inForce += st.Muted.Render(fmt.Sprintf(" · reviewed every %d months", assessments.ReviewMonths(a.Class())))
	}
	out = append(out, inForce)
	next := a.NextReview()
	switch {
	case next != "":
	case a.Class() == assessments.ClassNone:
		next = "follows once the class is settled"
	default:
		next = fmt.Sprintf("%d months after the decision date", assessments.ReviewMonths(a.Class()))
	}
	out = append(out, label("Next review")+next)
	for i, l := range out {
		out[i] = common.Truncate(l, width)
	}
	return out
}

func (w *wizard) classCell(c assessments.ImpactClass) string {
	st := w.c.Styles
	switch c {
	case assessments.ClassHigh:
		return st.Level[4].Render("high")
	case assessments.ClassMedium:
		return st.Level[2].Render("medium")
	case assessments.ClassLow:
		return st.Level[0].Render("low")
	}
	return st.Subtle.Render("–")
}

func rate(n int) string {
	if n == 0 {
		return "–"
	}
	return fmt.Sprint(n)
}

// stepDone is what the progress line marks with ✓: a step the wizard has been saved past
// (or a decided version's) whose required content is there; the class once the impacts
// are complete too; the decision once recorded. A step prefilled from the inventory is not
// done before someone has gone through it.
func stepDone(work, saved assessments.ImpactAssessment, s assessments.ImpactStep) bool {
	switch {
	case s == assessments.StepDecision:
		return saved.Frozen()
	case !saved.Frozen() && s >= saved.LastStep:
		return false
	case s == assessments.StepClass:
		return work.ClassSettled() && len(work.CheckStep(s, assessments.CheckComplete)) == 0
	}
	return len(work.CheckStep(s, assessments.CheckComplete)) == 0
}

// rolesShort is the roles in a narrow column: "provider", "provider +1".
func rolesShort(rs []assessments.AIRole) string {
	rs = assessments.SortRoles(rs)
	switch len(rs) {
	case 0:
		return "–"
	case 1:
		return rs[0].Label()
	}
	return fmt.Sprintf("%s +%d", rs[0].Label(), len(rs)-1)
}
