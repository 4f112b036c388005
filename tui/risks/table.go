package risks

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
)

// styles are this package's extra styles, built once per theme from the palette.
type styles struct {
	src      *common.Styles
	heat     [5]lipgloss.Style // heat-map cells by colour step
	heatSel  [5]lipgloss.Style
	heatNone lipgloss.Style // a cell whose level is unknown
	axis     lipgloss.Style
}

func (m *Model) styles() *styles {
	if m.st != nil && m.st.src == m.c.Styles {
		return m.st
	}
	src := m.c.Styles
	st := &styles{src: src}
	fg := lipgloss.Color("#ffffff")
	if src.Dark {
		fg = lipgloss.Color("#0d1117")
	}
	base := lipgloss.NewStyle()
	for i, c := range src.P.Levels {
		st.heat[i] = base.Background(c).Foreground(fg)
		st.heatSel[i] = base.Background(c).Foreground(fg).Bold(true).Underline(true)
		if src.NoColor {
			st.heat[i] = base
			st.heatSel[i] = base.Reverse(true).Bold(true)
		}
	}
	st.heatNone = base.Foreground(src.P.Muted)
	st.axis = base.Foreground(src.P.Muted)
	m.st = st
	return st
}

// column is one column of the register table.
type column struct {
	title string
	cmp   func(m *Model, a, b *assessments.Risk) int
}

func levelKey(mx assessments.Matrix, s assessments.Score) int {
	lv, ok := mx.LevelOf(s)
	if !ok {
		return -1
	}
	// Within a level, the larger score first when descending.
	return lv.Index*100 + s.Likelihood*s.Consequence
}

var columns = []column{
	{"Ref", func(_ *Model, a, b *assessments.Risk) int { return 0 }}, // the tie-break orders by ref
	{"Title", func(_ *Model, a, b *assessments.Risk) int {
		return cmp.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
	}},
	{"Scope", func(_ *Model, a, b *assessments.Risk) int {
		return cmp.Compare(slices.Index(assessments.RiskScopes, a.Scope), slices.Index(assessments.RiskScopes, b.Scope))
	}},
	{"Owner", func(_ *Model, a, b *assessments.Risk) int {
		return cmp.Compare(strings.ToLower(a.Owner), strings.ToLower(b.Owner))
	}},
	{"Inherent", func(m *Model, a, b *assessments.Risk) int {
		return cmp.Compare(levelKey(m.matrix, a.Inherent), levelKey(m.matrix, b.Inherent))
	}},
	{"Residual", func(m *Model, a, b *assessments.Risk) int {
		return cmp.Compare(levelKey(m.matrix, a.Residual), levelKey(m.matrix, b.Residual))
	}},
	{"Treatment", func(_ *Model, a, b *assessments.Risk) int {
		return cmp.Compare(slices.Index(assessments.Treatments, a.Treatment), slices.Index(assessments.Treatments, b.Treatment))
	}},
	{"Status", func(_ *Model, a, b *assessments.Risk) int {
		return cmp.Compare(slices.Index(assessments.RiskStatuses, a.EffectiveStatus()), slices.Index(assessments.RiskStatuses, b.EffectiveStatus()))
	}},
	{"Review", func(_ *Model, a, b *assessments.Risk) int {
		// Undated reviews last.
		switch {
		case a.ReviewDate == b.ReviewDate:
			return 0
		case a.ReviewDate == "":
			return 1
		case b.ReviewDate == "":
			return -1
		}
		return cmp.Compare(a.ReviewDate, b.ReviewDate)
	}},
}

// matches applies the text and facet filters.
func (m *Model) matches(r *assessments.Risk, hay string, words []string) bool {
	if m.scopeF != "" && string(r.Scope) != m.scopeF {
		return false
	}
	if m.statusF != "" && string(r.EffectiveStatus()) != m.statusF {
		return false
	}
	if m.ownerF != "" && strings.TrimSpace(r.Owner) != m.ownerF {
		return false
	}
	if m.levelF != "" {
		lv, ok := m.matrix.LevelOf(r.EffectiveResidual())
		if !ok || lv.Name != m.levelF {
			return false
		}
	}
	for _, word := range words {
		if !strings.Contains(hay, word) {
			return false
		}
	}
	return true
}

// haystack is the lower-case text the filter searches in a risk.
func haystack(r assessments.Risk) string {
	hay := strings.ToLower(strings.Join([]string{r.Ref, r.Title, r.Owner, r.Asset, r.Description, r.Scenario, r.Threat}, "\x00"))
	for _, c := range r.Controls {
		hay += "\x00" + strings.ToLower(c.Ref)
	}
	return hay
}

// rebuild recomputes the visible rows after the data, a filter or the sort changed.
func (m *Model) rebuild() {
	sel := m.selectedID()
	words := strings.Fields(strings.ToLower(m.filter.Value()))
	m.rows = m.rows[:0]
	m.countCache = nil
	for i := range m.risks {
		if m.matches(&m.risks[i], m.hay[i], words) {
			m.rows = append(m.rows, i)
		}
	}
	col := columns[m.sortCol]
	slices.SortStableFunc(m.rows, func(a, b int) int {
		c := col.cmp(m, &m.risks[a], &m.risks[b])
		if c == 0 {
			c = cmp.Compare(m.seq[a], m.seq[b])
		}
		if m.sortDesc {
			return -c
		}
		return c
	})
	if sel != "" {
		for i, ri := range m.rows {
			if m.risks[ri].ID == sel {
				m.cursor = i
			}
		}
	}
	m.clamp()
}

// tableRows is how many risk rows fit.
func (m *Model) tableRows() int { return max(1, m.height-6) }

// layout gives the widths of flag, ref, title, scope, owner, inherent, residual,
// treatment, status and review columns for a width.
func layout(w int) []int {
	if w >= 110 {
		fixed := []int{3, 5, 0, 5, 16, 9, 9, 9, 12, 10}
		return withTitle(fixed, w)
	}
	fixed := []int{3, 5, 0, 5, 10, 4, 4, 6, 8, 10}
	return withTitle(fixed, w)
}

func withTitle(ws []int, w int) []int {
	used := len(ws) - 1 // one space between columns
	for _, x := range ws {
		used += x
	}
	ws[2] = max(8, w-used)
	return ws
}

// levelText names a level in at most w cells: the name if it fits, else initials of a
// multi-word name ("VH"), else the name cut short.
func levelText(name string, w int) string {
	if lipgloss.Width(name) <= w {
		return name
	}
	if words := strings.Fields(name); len(words) > 1 {
		var b strings.Builder
		for _, wd := range words {
			b.WriteString(strings.ToUpper(string([]rune(wd)[:1])))
		}
		if lipgloss.Width(b.String()) <= w {
			return b.String()
		}
	}
	r := []rune(name)
	if w >= 3 && len(r) > w {
		return string(r[:w-1]) + "."
	}
	return string(r[:min(len(r), w)])
}

func (m *Model) levelCell(s assessments.Score, w int) string {
	lv, ok := m.matrix.LevelOf(s)
	if !ok {
		return common.Pad(m.c.Styles.Subtle.Render("—"), w)
	}
	return common.Pad(m.c.Styles.Level[lv.Colour()].Render(levelText(lv.Name, w)), w)
}

func (m *Model) treatmentText(t assessments.Treatment, w int) string {
	if t == "" {
		return m.c.Styles.Subtle.Render(common.Pad("—", w))
	}
	return common.Pad(string(t), w)
}

func (m *Model) statusText(s assessments.RiskStatus, w int) string {
	txt := s.Label()
	if lipgloss.Width(txt) > w {
		txt = s.Short()
	}
	return common.Pad(txt, w)
}

// flags is the three-cell marker column: ! overdue review or plan action, ~ stale
// acceptance, ? residual above the threshold without acceptance, ∅ treated "modify"
// without a plan.
func (m *Model) flags(r assessments.Risk) string {
	st := m.c.Styles
	a, b, c := " ", " ", " "
	p := m.planState(r)
	if r.ReviewOverdue(m.now()) || p.Overdue > 0 {
		a = st.Error.Render("!")
	}
	switch {
	case r.AcceptanceStale():
		b = st.Warn.Render("~")
	case r.UnacceptedAboveThreshold(m.matrix):
		b = st.Error.Render("?")
	}
	if p.Missing {
		c = st.Error.Render("∅")
	}
	return a + b + c
}

func (m *Model) header(ws []int) string {
	titles := []string{"", "Ref", "Title", "Scope", "Owner", "Inherent", "Residual", "Treatment", "Status", "Review"}
	if ws[5] < 8 {
		titles[5], titles[6], titles[7] = "Inh", "Res", "Treat"
	}
	var cells []string
	for i, t := range titles {
		if i > 0 && i-1 == m.sortCol {
			arrow := "▲"
			if m.sortDesc {
				arrow = "▼"
			}
			t = common.Truncate(t, ws[i]-1) + arrow
		}
		cells = append(cells, common.Pad(t, ws[i]))
	}
	return m.c.Styles.Header.Render(strings.Join(cells, " "))
}

// cachedRow draws the risk at index i of the register, reusing the line drawn last time
// unless the data, the width or the theme changed since.
func (m *Model) cachedRow(i int, ws []int, selected bool) string {
	if m.rowCache == nil || m.rowCacheW != m.width || m.rowCacheStyles != m.c.Styles {
		m.rowCache, m.rowCacheW, m.rowCacheStyles = map[int]string{}, m.width, m.c.Styles
	}
	line, ok := m.rowCache[i]
	if !ok {
		line = m.row(m.risks[i], ws)
		m.rowCache[i] = line
	}
	if selected {
		// Inner colours would end the highlight early; the selected row is drawn plain.
		return m.c.Styles.Selected.Render(common.Pad(ansi.Strip(line), m.width))
	}
	return line
}

func (m *Model) row(r assessments.Risk, ws []int) string {
	st := m.c.Styles
	review := r.ReviewDate
	if review == "" {
		review = st.Subtle.Render("—")
	} else if r.ReviewOverdue(m.now()) {
		review = st.Error.Render(review)
	}
	cells := []string{
		m.flags(r),
		common.Pad(r.Ref, ws[1]),
		common.Pad(common.OneLine(r.Title), ws[2]),
		common.Pad(r.Scope.Short(), ws[3]),
		common.Pad(common.OneLine(r.Owner), ws[4]),
		m.levelCell(r.Inherent, ws[5]),
		m.levelCell(r.Residual, ws[6]),
		m.treatmentText(r.Treatment, ws[7]),
		m.statusText(r.EffectiveStatus(), ws[8]),
		common.Pad(review, ws[9]),
	}
	return common.Truncate(strings.Join(cells, " "), m.width)
}

func (m *Model) filterSummary() string {
	var parts []string
	if v := strings.TrimSpace(m.filter.Value()); v != "" && !m.filtering {
		parts = append(parts, fmt.Sprintf("text %q", common.OneLine(v)))
	}
	if m.scopeF != "" {
		parts = append(parts, "scope "+assessments.RiskScope(m.scopeF).Label())
	}
	if m.statusF != "" {
		parts = append(parts, "status "+assessments.RiskStatus(m.statusF).Label())
	}
	if m.ownerF != "" {
		parts = append(parts, "owner "+common.OneLine(m.ownerF))
	}
	if m.levelF != "" {
		parts = append(parts, "residual "+common.OneLine(m.levelF))
	}
	return strings.Join(parts, " · ")
}

func (m *Model) tableView() string {
	st := m.c.Styles
	w := m.width
	var lines []string
	top := st.Title.Render("Risk register") + st.Muted.Render(fmt.Sprintf("  %d of %s · sort %s", len(m.rows), count(len(m.risks), "risk"), strings.ToLower(columns[m.sortCol].title)))
	if m.sortDesc {
		top += st.Muted.Render(" ▼")
	}
	top += st.Muted.Render(fmt.Sprintf(" · %dx%d, accept up to %s", m.matrix.Size, m.matrix.Size, common.OneLine(m.matrix.ThresholdName())))
	lines = append(lines, common.Truncate(top, w))
	switch {
	case m.filtering:
		lines = append(lines, m.filter.View())
	case m.filterSummary() != "":
		lines = append(lines, common.Truncate(st.Accent.Render("filter: ")+m.filterSummary()+st.Subtle.Render("  (esc clears)"), w))
	default:
		lines = append(lines, st.Subtle.Render(common.Truncate("/ text · s status · c scope · o owner · l level (shifted: back) · > sort", w)))
	}
	ws := layout(w)
	lines = append(lines, common.Truncate(m.header(ws), w))
	n := m.tableRows()
	switch {
	case m.loadErr != nil:
		lines = append(lines, st.Error.Render(common.Truncate("Could not read the register: "+m.loadErr.Error(), w)))
	case !m.loaded:
		lines = append(lines, st.Muted.Render("Loading…"))
	case len(m.risks) == 0:
		lines = append(lines, st.Muted.Render(common.Truncate("No risks yet. Press n to record the first one.", w)))
	case len(m.rows) == 0:
		lines = append(lines, st.Muted.Render(common.Truncate("No risk matches the filters; esc clears them.", w)))
	}
	end := min(len(m.rows), m.offset+n)
	for i := m.offset; i < end; i++ {
		lines = append(lines, m.cachedRow(m.rows[i], ws, i == m.cursor))
	}
	for len(lines) < 3+n {
		lines = append(lines, "")
	}
	lines = append(lines, m.detailLines()...)
	return strings.Join(lines[:min(len(lines), max(m.height, 1))], "\n")
}

func controlLabel(set *catalogs.Set, c assessments.ControlRef) string {
	if set != nil {
		if cat, ok := set.Get(c.Standard); ok {
			return cat.Short + " " + c.Ref
		}
	}
	return c.Standard + " " + c.Ref
}

// detailLines are the three lines under the table about the selected risk.
func (m *Model) detailLines() []string {
	st := m.c.Styles
	w := m.width
	r, ok := m.selected()
	if !ok {
		return []string{"", "", st.Subtle.Render(common.Truncate(legend, w))}
	}
	title := st.Bold.Render(r.Ref+" ") + common.OneLine(r.Title)
	summary := fmt.Sprintf("inherent %s → residual %s · %s", m.scoreText(r.Inherent), m.scoreText(r.Residual), r.Treatment.Label())
	if name := m.systemName(r.AISystemID); name != "" {
		summary += " · " + common.OneLine(name)
	}
	if len(r.Controls) > 0 {
		var cs []string
		for _, c := range r.Controls {
			cs = append(cs, controlLabel(m.c.Catalogs, c))
		}
		summary += " · " + strings.Join(cs, ", ")
	}
	var warns []string
	if r.ReviewOverdue(m.now()) {
		warns = append(warns, st.Error.Render("! review overdue since "+r.ReviewDate))
	}
	if r.AcceptanceStale() {
		a := r.Acceptance
		warns = append(warns, st.Warn.Render(fmt.Sprintf("~ acceptance stale: given for %s on %s; residual is now %s; A accepts it again",
			m.scoreText(a.Residual), a.Date, m.scoreText(r.EffectiveResidual()))))
	} else if r.Acceptance != nil {
		warns = append(warns, st.OK.Render("accepted by "+common.OneLine(r.Acceptance.By)+" on "+r.Acceptance.Date))
	}
	if r.NeedsAcceptance(m.matrix) {
		warns = append(warns, st.Error.Render("? retained above "+m.matrix.ThresholdName()+" without acceptance"))
	} else if r.UnacceptedAboveThreshold(m.matrix) && !r.AcceptanceStale() {
		warns = append(warns, st.Error.Render("? residual above "+m.matrix.ThresholdName()+", not accepted (A)"))
	}
	if p := m.planState(r); p.Missing {
		warns = append(warns, st.Error.Render("∅ no treatment actions (p)"))
	} else if p.Overdue > 0 {
		warns = append(warns, st.Error.Render(fmt.Sprintf("! %d action overdue (p)", p.Overdue)))
	} else if p.Actions > 0 {
		warns = append(warns, st.Muted.Render("plan: "+p.Progress()+" (p)"))
	}
	third := st.Subtle.Render(legend)
	if len(warns) > 0 {
		third = strings.Join(warns, st.Subtle.Render(" · "))
	}
	if m.notice != "" && len(warns) == 0 {
		third = st.OK.Render(m.notice) + st.Subtle.Render(" · "+legend)
	}
	return []string{common.Truncate(title, w), st.Muted.Render(common.Truncate(summary, w)), common.Truncate(third, w)}
}

func stripANSI(s string) string { return ansi.Strip(s) }

const legend = "! review or action overdue · ~ acceptance stale · ? above threshold, not accepted · ∅ no plan"
