package progress

import (
	"fmt"
	"math"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/auditpack"
	"github.com/annex-grc/annex/tui/common"
)

// listRows is how many list lines the tab gives the points before the comparison.
func (m *Model) listRows() int {
	return max(2, min(len(m.points), m.height/4))
}

// bodyHeight is the height of the comparison's scrolling part.
func (m *Model) bodyHeight() int {
	// header, list, blank, compare title, summary, filter line; the last line says where it is.
	return max(1, m.height-(1+m.listRows()+1+3)-1)
}

func (m *Model) clampOffset() {
	m.offset = max(0, min(m.offset, len(m.lines)-m.bodyHeight()))
}

// View draws the list of baselines and the comparison.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.c.Styles
	w := m.width
	var out []string
	switch {
	case !m.loaded:
		return fit([]string{st.Muted.Render("Loading…")}, w, m.height)
	case m.loadErr != nil:
		return fit([]string{st.Error.Render("Cannot read the baselines: " + common.OneLine(m.loadErr.Error()))}, w, m.height)
	case len(m.points) <= 1:
		return fit(m.emptyView(w), w, m.height)
	}
	out = append(out, m.listHeader(w))
	out = append(out, m.listView(w)...)
	// The line between the list and the comparison says where the current cycle stands.
	cycle := ""
	if m.reconf.Cycle != nil {
		cycle = common.Truncate(st.Warn.Render(fmt.Sprintf("↻ Cycle %q: %d of %d requirements still to re-confirm", common.OneLine(m.reconf.Cycle.Name), m.pending, m.total)), w)
		if m.pending == 0 {
			cycle = common.Truncate(st.OK.Render(fmt.Sprintf("↻ Cycle %q: every requirement re-confirmed", common.OneLine(m.reconf.Cycle.Name))), w)
		}
	}
	out = append(out, cycle)
	out = append(out, m.compareHead(w)...)
	m.buildLines(w)
	m.clampOffset()
	h := m.bodyHeight()
	end := min(len(m.lines), m.offset+h)
	body := append([]string{}, m.lines[min(m.offset, end):end]...)
	for len(body) < h {
		body = append(body, "")
	}
	out = append(out, body...)
	status := ""
	if len(m.lines) > h {
		more := "↓ more below"
		if m.offset+h >= len(m.lines) {
			more = "end"
		}
		status = st.Muted.Render(fmt.Sprintf("%s · %d%% · tab to the comparison, j/k scroll", more, 100*min(len(m.lines), m.offset+h)/len(m.lines)))
	}
	out = append(out, status)
	return fit(out, w, m.height)
}

func fit(lines []string, w, h int) string {
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = common.Truncate(l, w)
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

func (m *Model) emptyView(w int) []string {
	st := m.c.Styles
	return []string{
		st.Header.Render("No baseline yet"),
		"",
		common.Truncate("A baseline freezes the engagement as it is under a name — \"Gap workshop 1\", \"Pre-audit\",", w),
		common.Truncate("\"Stage 1\" — so that you can later see what moved since, and open it exactly as it was.", w),
		"",
		st.Key.Render("b") + " freezes one now.",
	}
}

// short names a standard by its catalog's short name.
func (m *Model) short(std string) string {
	if c, ok := m.c.Catalogs.Get(std); ok {
		return c.Short
	}
	return std
}

const (
	dateW = 10
	rowW  = 9
	pctW  = 10
)

func (m *Model) nameWidth(w int) int {
	return max(14, min(34, w-2-dateW-1-rowW-1-len(m.eng.Standards)*(pctW+1)-12))
}

func (m *Model) listHeader(w int) string {
	st := m.c.Styles
	nameW := m.nameWidth(w)
	head := st.Header.Render(common.Pad(fmt.Sprintf("Baselines (%d)", len(m.points)-1), nameW+2)) + " " +
		st.Label.Render(common.Pad("Date", dateW)+" "+common.Pad("Row", rowW))
	for _, std := range m.eng.Standards {
		head += " " + st.Label.Render(fmt.Sprintf("%*s", pctW, common.Truncate(m.short(std), pctW)))
	}
	return common.Truncate(head, w)
}

// listView draws the points around the cursor, with a readiness sparkline on the now row.
func (m *Model) listView(w int) []string {
	st := m.c.Styles
	nameW := m.nameWidth(w)
	rows := m.listRows()
	top := max(0, min(m.cursor-rows/2, len(m.points)-rows))
	var out []string
	for i := top; i < min(len(m.points), top+rows); i++ {
		p := m.points[i]
		name, date, row := "now", "", ""
		if p.b != nil {
			name = p.b.Name
			if p.b.IsCycle() {
				name = "↻ " + name
			}
			date = p.b.At.Local().Format(assessments.DateLayout)
			row = fmt.Sprintf("row %d", p.b.Seq)
		}
		line := common.Pad(common.Truncate(common.OneLine(name), nameW), nameW) + " " + common.Pad(date, dateW) + " " + common.Pad(row, rowW)
		for _, std := range m.eng.Standards {
			r, ok := p.readiness[std]
			cell := "—"
			if ok {
				cell = common.Percent(r.Percent())
			}
			line += " " + fmt.Sprintf("%*s", pctW, cell)
		}
		extra := ""
		switch {
		case p.problem != "":
			extra = "  " + st.Error.Render("✗ anchor does not hold: "+p.problem)
		case p.b == nil:
			extra = "  " + st.Muted.Render(m.sparklines())
		case sameBaseline(p.b, m.from) || (m.to != nil && sameBaseline(p.b, m.to)):
			extra = "  " + st.Info.Render("◆ compared")
		}
		cursor := " "
		if i == m.cursor {
			cursor = "›"
			if m.focus == focusList {
				out = append(out, common.Truncate(st.Cursor.Render(cursor)+" "+st.Selected.Render(line)+extra, w))
				continue
			}
			out = append(out, common.Truncate(st.Cursor.Render(cursor)+" "+st.Bold.Render(line)+extra, w))
			continue
		}
		out = append(out, common.Truncate(cursor+" "+line+extra, w))
	}
	return out
}

// sparklines are each standard's readiness across the baselines and now.
func (m *Model) sparklines() string {
	var parts []string
	for _, std := range m.eng.Standards {
		var vals []float64
		for _, p := range m.points {
			if p.b != nil && p.b.IsCycle() {
				continue // a cycle starts from a baseline already in the trend
			}
			if r, ok := p.readiness[std]; ok {
				vals = append(vals, r.Percent())
			}
		}
		parts = append(parts, m.short(std)+" "+assessments.Sparkline(vals))
	}
	return strings.Join(parts, "  ")
}

// compareHead is the comparison's title, its summary and the filter in use.
func (m *Model) compareHead(w int) []string {
	st := m.c.Styles
	from, to := "now", "now"
	if m.from != nil {
		from = fmt.Sprintf("%s (%s)", common.OneLine(m.from.Name), m.from.At.Local().Format(assessments.DateLayout))
	}
	if m.to != nil {
		to = fmt.Sprintf("%s (%s)", common.OneLine(m.to.Name), m.to.At.Local().Format(assessments.DateLayout))
	}
	title := st.Title.Render("Compare") + " " + from + " → " + to
	if m.focus == focusCompare {
		title = st.Cursor.Render("› ") + title
	}
	switch {
	case m.comparing && m.cmp == nil:
		return []string{common.Truncate(title, w), st.Muted.Render("Rebuilding the baseline from the change history…"), ""}
	case m.cmpErr != nil:
		return []string{common.Truncate(title, w), st.Error.Render(common.Truncate("Cannot compare: "+common.OneLine(m.cmpErr.Error()), w)), ""}
	case m.cmp == nil:
		return []string{common.Truncate(title, w), "", ""}
	}
	c := m.cmp
	summary := fmt.Sprintf("%s %d improved  %s %d regressed  %s %d new  %s %d unchanged",
		st.OK.Render(assessments.Improved.Mark()), c.Count(assessments.Improved),
		st.Error.Render(assessments.Regressed.Mark()), c.Count(assessments.Regressed),
		st.Info.Render(assessments.New.Mark()), c.Count(assessments.New),
		st.Muted.Render(assessments.Unchanged.Mark()), c.Count(assessments.Unchanged))
	shown := len(m.shown())
	f := filters[m.filter]
	filterLine := st.Label.Render("Requirements: ") + st.Accent.Render(f.name) + st.Muted.Render(fmt.Sprintf(" (%d)", shown)) +
		st.Muted.Render(" · s/S filter · r regressions only")
	if m.filter != 0 {
		filterLine += st.Muted.Render(" · esc clears")
	}
	return []string{common.Truncate(title, w), common.Truncate("  "+summary, w), common.Truncate("  "+filterLine, w)}
}

// shown are the requirements the filter keeps.
func (m *Model) shown() []assessments.RequirementChange {
	if m.cmp == nil {
		return nil
	}
	keep := filters[m.filter].keep
	var out []assessments.RequirementChange
	for _, r := range m.cmp.Requirements {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// buildLines draws the comparison's scrolling part once per comparison, filter and width.
func (m *Model) buildLines(w int) {
	key := fmt.Sprintf("%d/%d/%d/%p", w, m.filter, m.cmpSeq, m.cmp)
	if key == m.linesKey {
		return
	}
	m.linesKey = key
	m.lines = nil
	if m.cmp == nil {
		return
	}
	st := m.c.Styles
	c := m.cmp
	var lines []string
	add := func(s string) { lines = append(lines, common.Truncate(s, w)) }
	// Figures per standard, then the groups that moved.
	for _, sp := range c.Standards {
		t := sp.Total
		line := "  " + st.Bold.Render(common.Pad(sp.Short, 10)) + " readiness " + figure(t.From.Percent(), t.To.Percent(), st) +
			"   evidenced " + figure(t.EvFrom.Percent(), t.EvTo.Percent(), st)
		if !t.InScopeBefore {
			line += st.Muted.Render("  (not in scope then)")
		}
		add(line)
	}
	add("")
	list := m.shown()
	add(st.Header.Render(fmt.Sprintf("Requirements — %s (%d)", filters[m.filter].name, len(list))))
	if len(list) == 0 {
		add(st.Muted.Render("  None."))
	}
	refW := 18
	statusW := 46
	titleW := max(10, w-2-2-refW-1-statusW-1)
	if w < 100 {
		statusW = 0
		titleW = max(10, w-2-2-refW-1)
	}
	for _, r := range list {
		mark := classMark(r.Class, st)
		line := "  " + mark + " " + common.Pad(r.Short+" "+r.Ref, refW) + " " + common.Pad(common.Truncate(r.Title, titleW), titleW)
		change := r.From.Label() + " → " + r.To.Label()
		if !r.StatusChanged() {
			change = r.To.Label()
		}
		if statusW > 0 {
			line += " " + change
			add(line)
		} else {
			add(line)
			add("       " + change)
		}
		if r.OwnerChanged() {
			add(st.Muted.Render("       owner " + dash(r.OwnerFrom) + " → " + dash(r.OwnerTo)))
		}
		if r.TargetChanged() {
			add(st.Muted.Render("       target date " + dash(r.TargetFrom) + " → " + dash(r.TargetTo)))
		}
	}
	nameW := max(20, min(44, w-2-18-2))
	if w >= 100 {
		nameW = min(44, w-2-18-14-18)
	}
	var moved []string
	for _, sp := range c.Standards {
		for _, g := range sp.Groups {
			if g.ReadinessDelta() == 0 && g.EvidencedDelta() == 0 {
				continue
			}
			line := "  " + common.Pad(common.Truncate(sp.Short+" "+g.ID+" "+g.Title, nameW), nameW) + " " + figure(g.From.Percent(), g.To.Percent(), st)
			if w >= 100 {
				line += "   evidenced " + figure(g.EvFrom.Percent(), g.EvTo.Percent(), st)
			}
			moved = append(moved, line)
		}
	}
	if len(moved) > 0 {
		add("")
		add(st.Header.Render("Groups that moved"))
		for _, l := range moved {
			add(l)
		}
	}
	if len(c.Risks) > 0 {
		add("")
		add(st.Header.Render(fmt.Sprintf("Risks (%d)", len(c.Risks))))
		for _, r := range c.Risks {
			add("  " + common.Pad(r.Ref, 6) + " " + common.OneLine(r.Title) + st.Muted.Render(" — "+auditpack.RiskChangeText(r)))
		}
	}
	if len(c.Evidence) > 0 {
		add("")
		add(st.Header.Render(fmt.Sprintf("Evidence (%d)", len(c.Evidence))))
		for _, e := range c.Evidence {
			line := "  " + common.Pad(e.Kind, 8) + " " + common.OneLine(e.Title)
			if e.Detail != "" {
				line += st.Muted.Render(" (" + common.OneLine(e.Detail) + ")")
			}
			add(line)
		}
	}
	if len(c.Approvals) > 0 {
		add("")
		add(st.Header.Render(fmt.Sprintf("Impact assessments approved (%d)", len(c.Approvals))))
		for _, a := range c.Approvals {
			add(fmt.Sprintf("  %s version %d — %s %s", common.OneLine(a.System), a.Version, a.Decision.Label(), a.Date))
		}
	}
	m.lines = lines
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return common.OneLine(s)
}

func classMark(c assessments.ChangeClass, st *common.Styles) string {
	switch c {
	case assessments.Improved:
		return st.OK.Render(c.Mark())
	case assessments.Regressed:
		return st.Error.Render(c.Mark())
	case assessments.New:
		return st.Info.Render(c.Mark())
	}
	return st.Muted.Render(c.Mark())
}

// figure is "62% → 71% +9" with the change coloured; the change is that of the figures as
// shown (13.6% → 14.3% reads 14% → 14% ±0, not +1).
func figure(from, to float64, st *common.Styles) string {
	delta := math.Round(to) - math.Round(from)
	d := "±0"
	sty := st.Muted
	switch {
	case delta >= 0.5:
		d, sty = fmt.Sprintf("+%.0f", delta), st.OK
	case delta <= -0.5:
		d, sty = fmt.Sprintf("%.0f", delta), st.Error
	}
	return fmt.Sprintf("%4s → %4s ", common.Percent(from), common.Percent(to)) + sty.Render(fmt.Sprintf("%-4s", d))
}
