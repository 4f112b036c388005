package audits

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
)

// programme is the list of audits by year, with the selected audit (or the programme's
// coverage) beside it.
type programme struct {
	rows         []progRow
	cursor       int
	offset       int
	detailOffset int
	coverage     bool
}

type progRow struct {
	year  int
	audit int // index into Model.audits; -1 for a year heading
}

func (p *programme) rebuild(m *Model) {
	keep := ""
	if a, ok := p.selected(m); ok {
		keep = a.ID
	}
	p.rows = p.rows[:0]
	years, by := assessments.AuditsByYear(m.audits)
	index := map[string]int{}
	for i, a := range m.audits {
		index[a.ID] = i
	}
	for _, y := range years {
		p.rows = append(p.rows, progRow{year: y, audit: -1})
		for _, a := range by[y] {
			p.rows = append(p.rows, progRow{year: y, audit: index[a.ID]})
		}
	}
	if !p.selectAudit(m, keep) {
		p.cursor = 0
		p.step(m, 0)
	}
}

// selected is the audit under the cursor.
func (p *programme) selected(m *Model) (assessments.Audit, bool) {
	if p.cursor < 0 || p.cursor >= len(p.rows) || p.rows[p.cursor].audit < 0 || p.rows[p.cursor].audit >= len(m.audits) {
		return assessments.Audit{}, false
	}
	return m.audits[p.rows[p.cursor].audit], true
}

func (p *programme) selectAudit(m *Model, id string) bool {
	for i, r := range p.rows {
		if r.audit >= 0 && r.audit < len(m.audits) && m.audits[r.audit].ID == id {
			p.cursor = i
			p.clamp(m)
			return true
		}
	}
	return false
}

// step moves the cursor by d audits (0: onto the nearest audit), skipping year headings.
func (p *programme) step(m *Model, d int) {
	var at []int
	cur := -1
	for i, r := range p.rows {
		if r.audit < 0 {
			continue
		}
		if cur < 0 && i >= p.cursor {
			cur = len(at)
		}
		at = append(at, i)
	}
	if len(at) == 0 {
		p.cursor = 0
		return
	}
	if cur < 0 {
		cur = len(at) - 1
	}
	next := at[max(0, min(len(at)-1, cur+d))]
	if next != p.cursor {
		p.detailOffset = 0
	}
	p.cursor = next
	p.clamp(m)
}

func (p *programme) clamp(m *Model) {
	h := m.listHeight()
	top := p.cursor
	if top > 0 && p.rows[top-1].audit < 0 {
		top--
	}
	if top < p.offset {
		p.offset = top
	}
	if p.cursor >= p.offset+h {
		p.offset = p.cursor - h + 1
	}
	p.offset = max(0, min(p.offset, max(0, len(p.rows)-h)))
}

func (m *Model) headerHeight() int { return 2 }

func (m *Model) listHeight() int { return max(1, m.height-m.headerHeight()) }

func (m *Model) listWidth() int { return max(34, min(60, m.width*2/5)) }

func (m *Model) detailWidth() int { return max(20, m.width-m.listWidth()-1) }

type deleteAuditMsg struct{ id, label string }

type auditDeletedMsg struct {
	label string
	err   error
}

func (m *Model) programmeKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	p := &m.prog
	switch {
	case key.Matches(msg, k.Up):
		p.step(m, -1)
	case key.Matches(msg, k.Down):
		p.step(m, 1)
	case key.Matches(msg, k.Home):
		p.cursor = 0
		p.step(m, 0)
	case key.Matches(msg, k.End):
		p.step(m, len(p.rows))
	case key.Matches(msg, k.PageDown):
		p.detailOffset += max(1, m.listHeight()/2)
	case key.Matches(msg, k.PageUp):
		p.detailOffset = max(0, p.detailOffset-max(1, m.listHeight()/2))
	case key.Matches(msg, k.Coverage):
		p.coverage = !p.coverage
		p.detailOffset = 0
	case key.Matches(msg, k.Walk):
		if a, ok := p.selected(m); ok {
			return m.openWalk(a)
		}
	case key.Matches(msg, k.Findings):
		if a, ok := p.selected(m); ok {
			return m.openFindings(a.ID, "", modeProgramme)
		}
	case key.Matches(msg, k.New):
		return m.openAuditForm(nil)
	case key.Matches(msg, k.Edit):
		if a, ok := p.selected(m); ok {
			return m.openAuditForm(&a)
		}
	case key.Matches(msg, k.Delete):
		a, ok := p.selected(m)
		if !ok {
			return nil
		}
		n := len(m.findingsOf(a.ID))
		q := "Its checklist goes with it."
		if n > 0 {
			q = fmt.Sprintf("Its checklist and %s with their corrective actions go with it; the numbers are not handed out again. Risks raised from them stay.", plural(n, "finding", "findings"))
		}
		return common.OpenDialog(dialog.NewConfirm(m.c.Styles, m.Address()+"/delete/"+a.ID, m.Address(),
			"Delete audit "+a.Ref+" "+quote(a.Title)+"?", q, deleteAuditMsg{id: a.ID, label: a.Ref}))
	}
	return nil
}

func (m *Model) programmeMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case deleteAuditMsg:
		c := m.c
		return common.Send(m.Address(), func() tea.Msg {
			return auditDeletedMsg{label: msg.label, err: c.Store.DeleteAudit(c.Ctx, msg.id)}
		}), true
	case auditDeletedMsg:
		if msg.err != nil {
			return tea.Batch(common.ErrCmd(fmt.Errorf("audit %s not deleted: %w", msg.label, msg.err)), m.load()), true
		}
		return tea.Batch(m.load(), common.InfoCmd("Deleted audit "+msg.label), dataChanged), true
	}
	return nil, false
}

func dataChanged() tea.Msg { return common.DataChangedMsg{} }

func (m *Model) programmeHelp() common.HelpMap {
	k := m.keys
	cov := withHelp(k.Coverage, "c", "programme coverage")
	if m.prog.coverage {
		cov = withHelp(k.Coverage, "c", "selected audit")
	}
	return common.HelpMap{
		Short: []key.Binding{k.Walk, k.Findings, k.New, k.Edit, k.Delete, cov, k.Up, k.Down},
		Full: [][]key.Binding{{k.Up, k.Down, k.Home, k.End, withHelp(k.PageDown, "pgdn", "scroll detail"), withHelp(k.PageUp, "pgup", "scroll detail")},
			{k.Walk, k.Findings, cov}, {k.New, k.Edit, k.Delete}},
	}
}

// ---- view ----

func (p *programme) view(m *Model) string {
	st := m.c.Styles
	lw, dw, h := m.listWidth(), m.detailWidth(), m.listHeight()
	header := m.programmeHeader()
	list := p.listLines(m, lw, h)
	var detail []string
	if p.coverage {
		detail = m.coverageLines(dw)
	} else if a, ok := p.selected(m); ok {
		detail = m.auditLines(a, dw)
	} else {
		detail = []string{st.Muted.Render("No audit in the programme yet."), "", st.Muted.Render("n plans the first one: its scope, criteria, dates and team.")}
	}
	p.detailOffset = max(0, min(p.detailOffset, max(0, len(detail)-h)))
	detail = detail[min(p.detailOffset, len(detail)):]
	if len(detail) > h && h > 1 {
		detail = append(detail[:h-1], st.Subtle.Render(fmt.Sprintf("↓ more (pgdn) · %d lines", len(detail)-h+1)))
	}
	return joinPanes(header, list, detail, lw, dw, h, st.Subtle.Render("│"))
}

func (m *Model) programmeHeader() string {
	st := m.c.Styles
	f := assessments.FiguresOf(m.views, m.c.Now())
	line1 := st.Title.Render("Internal audit programme") + "  " + st.Muted.Render(plural(len(m.audits), "audit", "audits")) +
		st.Muted.Render(" · ") + st.Bold.Render(plural(f.Open, "open finding", "open findings"))
	if f.Overdue > 0 {
		line1 += st.Muted.Render(" · ") + st.Error.Render(plural(f.Overdue, "action overdue", "actions overdue"))
	}
	if f.Ineffective > 0 {
		line1 += st.Muted.Render(" · ") + st.Warn.Render(plural(f.Ineffective, "action ineffective", "actions ineffective"))
	}
	var parts, short []string
	for _, pc := range assessments.ProgrammeCoverageOf(m.c.Catalogs, m.eng, m.records, m.c.Now()) {
		parts = append(parts, fmt.Sprintf("%s %d/%d clauses, %d/%d controls", m.short(pc.Standard), pc.Clauses.Covered, pc.Clauses.Total,
			pc.Controls.Covered, pc.Controls.Total))
		short = append(short, fmt.Sprintf("%s %d/%d clauses %d/%d controls", strings.TrimPrefix(m.short(pc.Standard), "ISO "),
			pc.Clauses.Covered, pc.Clauses.Total, pc.Controls.Covered, pc.Controls.Total))
	}
	line2 := st.Info.Render("Audited in the last 12 months: " + strings.Join(parts, " · "))
	if lipgloss.Width(line2) > m.width {
		line2 = st.Info.Render("12 months: " + strings.Join(short, " · "))
	}
	return common.Truncate(line1, m.width) + "\n" + common.Truncate(line2, m.width)
}

func (m *Model) short(std string) string {
	if c, ok := m.c.Catalogs.Get(std); ok {
		return c.Short
	}
	return std
}

func (p *programme) listLines(m *Model, w, h int) []string {
	st := m.c.Styles
	var lines []string
	if len(p.rows) == 0 {
		return []string{st.Muted.Render(common.Pad("No audit yet · n plans one", w))}
	}
	counts := map[string]int{}
	for _, v := range m.views {
		if v.Status != assessments.FindingWithdrawn {
			counts[v.Finding.AuditID]++
		}
	}
	end := min(len(p.rows), p.offset+h)
	for i := p.offset; i < end; i++ {
		r := p.rows[i]
		if r.audit < 0 {
			lines = append(lines, st.Header.Render(common.Pad(fmt.Sprint(r.year), w)))
			continue
		}
		a := m.audits[r.audit]
		s := a.EffectiveStatus()
		n := fmt.Sprintf("%3d", counts[a.ID])
		titleW := w - 2 - len(a.Ref) - 1 - 1 - len(n)
		text := a.Ref + " " + common.Pad(common.Truncate(common.OneLine(a.Title), titleW), titleW) + " " + n
		mark := s.Mark()
		if i == p.cursor {
			lines = append(lines, st.Cursor.Render("›")+mark+st.Selected.Render(common.Pad(text, w-2)))
		} else {
			lines = append(lines, " "+mark+common.Pad(text, w-2))
		}
	}
	return lines
}

// section writes a titled rule across the pane.
func section(st *common.Styles, title string, w int) string {
	return st.Accent.Render("── "+title+" ") + st.Subtle.Render(strings.Repeat("─", max(0, w-lipgloss.Width(title)-4)))
}

// wrapLines wraps text (user text already inert) to w cells.
func wrapLines(s string, w int) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.Split(lipgloss.NewStyle().Width(w).Render(s), "\n")
}

// wrapIndent wraps text to w cells with every line indented.
func wrapIndent(s, indent string, w int) []string {
	lines := wrapLines(s, max(8, w-len(indent)))
	for i := range lines {
		lines[i] = indent + lines[i]
	}
	return lines
}

// auditLines is the selected audit's summary in the detail pane.
func (m *Model) auditLines(a assessments.Audit, w int) []string {
	st := m.c.Styles
	set := m.c.Catalogs
	var out []string
	add := func(l ...string) { out = append(out, l...) }
	add(common.Truncate(st.Title.Render(a.Ref)+"  "+st.Bold.Render(common.OneLine(a.Title)), w))
	dates := func(from, to string) string {
		if from == "" && to == "" {
			return "—"
		}
		return firstNonEmpty(from, "…") + " to " + firstNonEmpty(to, "…")
	}
	add(common.Truncate(st.Muted.Render(a.Type.Label()+" · "+a.EffectiveStatus().Label()), w))
	planned, held := st.Label.Render("Planned ")+dates(a.PlannedStart, a.PlannedEnd), st.Label.Render("Held ")+dates(a.ActualStart, a.ActualEnd)
	if lipgloss.Width(planned)+3+lipgloss.Width(held) <= w {
		add(planned + "   " + held)
	} else {
		add(common.Truncate(planned, w), common.Truncate(held, w))
	}
	add(common.Truncate(st.Label.Render("Lead ")+common.OneLine(a.Lead)+st.Label.Render("   Team ")+firstNonEmpty(common.OneLine(strings.Join(a.Team, ", ")), "—"), w))
	if a.Auditees != "" {
		add(wrapLines(st.Label.Render("Auditees ")+common.Inert(a.Auditees), w)...)
	}
	if ws := assessments.ImpartialityText(assessments.Impartiality(a, m.results), m.label); len(ws) > 0 {
		add("", section(st, "Impartiality (9.2.2 b)", w))
		for _, t := range ws {
			add(wrapLines(st.Warn.Render("⚠ "+common.Inert(t)), w)...)
		}
	}
	add("", section(st, "Scope", w))
	add(wrapLines(assessments.ScopeText(set, a.Scope)+st.Muted.Render(" ("+assessments.ScopeCounts(set, a.Scope)+")"), w)...)
	if a.Processes != "" {
		add(wrapLines(st.Label.Render("Processes ")+common.Inert(a.Processes), w)...)
	}
	if a.Sites != "" {
		add(wrapLines(st.Label.Render("Sites ")+common.Inert(a.Sites), w)...)
	}
	if a.Criteria != "" {
		add("", section(st, "Criteria", w))
		add(wrapLines(common.Inert(a.Criteria), w)...)
	}
	for _, r := range m.records {
		if r.Audit.ID != a.ID {
			continue
		}
		add("", section(st, "Checklist", w))
		add(wrapLines(fmt.Sprintf("%d of %d requirements concluded on · enter walks the checklist", len(r.Audited), len(a.Scope)), w)...)
	}
	fs := m.findingsOf(a.ID)
	add("", section(st, fmt.Sprintf("Findings (%d)", len(fs)), w))
	if len(fs) == 0 {
		add(st.Muted.Render("None."))
	}
	for i, v := range fs {
		if i == 8 {
			add(st.Muted.Render(fmt.Sprintf("… and %d more · f lists them", len(fs)-8)))
			break
		}
		add(m.findingLine(v, w))
	}
	if a.Summary != "" {
		add("", section(st, "Summary", w))
		add(wrapLines(common.Inert(a.Summary), w)...)
	}
	return out
}

// findingLine is one finding in a list: ref, grade, status, first requirement, statement.
func (m *Model) findingLine(v assessments.FindingView, w int) string {
	st := m.c.Styles
	f := v.Finding
	grade := gradeStyle(st, f.Grade).Render(common.Pad(f.Grade.Short(), 12))
	status := common.Pad(string(v.Status), 9)
	if v.Status == assessments.FindingOpen {
		status = st.Bold.Render(status)
	} else {
		status = st.Muted.Render(status)
	}
	return common.Truncate(f.Ref+" "+grade+status+common.OneLine(firstLine(f.Statement)), w)
}

func gradeStyle(st *common.Styles, g assessments.Grade) lipgloss.Style {
	switch g {
	case assessments.GradeMajor:
		return st.Error
	case assessments.GradeMinor:
		return st.Warn
	}
	return st.Info
}

// coverageLines is the programme's coverage: per standard, clauses and controls audited in
// the last twelve months, and which requirements no audit covered.
func (m *Model) coverageLines(w int) []string {
	st := m.c.Styles
	out := []string{st.Title.Render("Programme coverage") + st.Muted.Render(" · last 12 months"), ""}
	for _, pc := range assessments.ProgrammeCoverageOf(m.c.Catalogs, m.eng, m.records, m.c.Now()) {
		name := m.short(pc.Standard)
		out = append(out, section(st, name, w))
		out = append(out, fmt.Sprintf("Clauses  %s %d of %d", st.Bar(pct(pc.Clauses), 12), pc.Clauses.Covered, pc.Clauses.Total),
			fmt.Sprintf("Annex A  %s %d of %d", st.Bar(pct(pc.Controls), 12), pc.Controls.Covered, pc.Controls.Total))
		if len(pc.Uncovered) == 0 {
			out = append(out, st.OK.Render("Every requirement was audited."), "")
			continue
		}
		planned := map[string]bool{}
		for _, r := range pc.Planned {
			planned[r] = true
		}
		var refs []string
		for _, r := range pc.Uncovered {
			if planned[r] {
				r += "°"
			}
			refs = append(refs, r)
		}
		out = append(out, st.Label.Render(fmt.Sprintf("Not audited (%d; ° in a planned audit):", len(pc.Uncovered))))
		out = append(out, wrapLines(strings.Join(refs, " "), w)...)
		out = append(out, "")
	}
	return out
}

func pct(c assessments.CoverageCount) float64 {
	if c.Total == 0 {
		return 0
	}
	return 100 * float64(c.Covered) / float64(c.Total)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}

// joinPanes draws a header above a list and a detail of exactly h lines, side by side.
func joinPanes(header string, list, detail []string, lw, dw, h int, sep string) string {
	var b strings.Builder
	b.WriteString(header)
	for i := 0; i < h; i++ {
		b.WriteByte('\n')
		l, d := "", ""
		if i < len(list) {
			l = list[i]
		}
		if i < len(detail) {
			d = detail[i]
		}
		b.WriteString(common.Pad(l, lw))
		b.WriteString(sep)
		b.WriteString(common.Pad(d, dw))
	}
	return b.String()
}
