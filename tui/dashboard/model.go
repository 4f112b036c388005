// Package dashboard is the engagement's first tab: readiness, assessed and evidenced shares
// per standard and group, how much of ISO 42001 the ISO 27001 work covers, the top residual
// risks, the AI systems with their impact class and next review, and what is overdue.
package dashboard

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
)

// Model is the Dashboard tab.
type Model struct {
	c   *common.Common
	eng assessments.Engagement

	width, height int

	d       data
	loaded  bool
	loadErr error
	loadSeq int

	lines  []string // rendered content, rebuilt when data or width change
	offset int

	// targets are the overdue requirements in the content, which tab selects and enter opens.
	targets []target
	sel     int // index into targets; -1 when none is selected

	top, bottom, next, prev, open key.Binding
}

// target is a line of the content that leads to a requirement.
type target struct {
	line     int
	std, ref string
}

// New builds the Dashboard tab of an engagement.
func New(c *common.Common, e assessments.Engagement) common.Tab {
	return &Model{c: c, eng: e, sel: -1,
		top:    key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		bottom: key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		next:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next overdue")),
		prev:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous overdue")),
		open:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open requirement"))}
}

// Title is the tab's label.
func (m *Model) Title() string { return "Dashboard" }

// Init does nothing: Activate loads.
func (m *Model) Init() tea.Cmd { return nil }

// Activate reloads the figures each time the tab shows.
func (m *Model) Activate() tea.Cmd {
	m.loadSeq++
	seq, c, id := m.loadSeq, m.c, m.eng.ID
	return common.Send(m.Address(), func() tea.Msg {
		d, err := load(c.Ctx, c.Store, id)
		return loadedMsg{seq: seq, d: d, err: err}
	})
}

// Prepared: the figures are read (or reading them failed, which the tab then says).
func (m *Model) Prepared() bool { return m.loaded }

// Capturing: the dashboard has no text fields.
func (m *Model) Capturing() bool { return false }

// SetSize is the tab's area.
func (m *Model) SetSize(w, h int) {
	if w != m.width {
		m.width = w
		m.height = h
		m.render()
		return
	}
	m.height = h
	m.clamp()
}

type loadedMsg struct {
	seq int
	d   data
	err error
}

// Update scrolls and takes loaded data.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != m.loadSeq {
			return m, nil
		}
		m.loaded, m.loadErr = true, msg.err
		if msg.err == nil {
			m.d = msg.d
		}
		m.render()
	case tea.KeyPressMsg:
		k := m.c.Keys
		switch {
		case key.Matches(msg, k.Down):
			m.offset++
		case key.Matches(msg, k.Up):
			m.offset--
		case key.Matches(msg, k.PageDown):
			m.offset += m.viewHeight()
		case key.Matches(msg, k.PageUp):
			m.offset -= m.viewHeight()
		case key.Matches(msg, m.top):
			m.offset = 0
		case key.Matches(msg, m.bottom):
			m.offset = len(m.lines)
		case key.Matches(msg, m.next), key.Matches(msg, m.prev):
			if len(m.targets) == 0 {
				return m, nil
			}
			d := 1
			if key.Matches(msg, m.prev) {
				d = -1
			}
			if m.sel < 0 && d < 0 {
				m.sel = 0
			}
			m.sel = (m.sel + d + len(m.targets)) % len(m.targets)
			m.render()
			// Bring the selected line into view.
			line := m.targets[m.sel].line
			if line < m.offset || line >= m.offset+m.viewHeight() {
				m.offset = line - m.viewHeight()/2
			}
		case key.Matches(msg, m.open):
			if m.sel >= 0 && m.sel < len(m.targets) {
				t := m.targets[m.sel]
				return m, func() tea.Msg { return common.GotoRequirementMsg{Standard: t.std, Ref: t.ref} }
			}
		}
		m.clamp()
	}
	return m, nil
}

// KeyMap is scrolling.
func (m *Model) KeyMap() help.KeyMap {
	k := m.c.Keys
	// What matters first: scrolling, then the overdue requirements it can open (the
	// engagement adds ] after these, the root ?; all fit 80 columns).
	short := []key.Binding{k.Down, k.PageDown, m.top}
	if len(m.targets) > 0 {
		short = []key.Binding{k.Down, m.next, m.open}
	}
	return common.HelpMap{Short: short,
		Full: [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, m.top, m.bottom}, {m.next, m.prev, m.open}}}
}

func (m *Model) viewHeight() int { return max(1, m.height-1) }

func (m *Model) clamp() {
	m.offset = max(0, min(m.offset, len(m.lines)-m.viewHeight()))
}

// View shows the visible part of the content and where it is.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.c.Styles
	h := m.viewHeight()
	end := min(len(m.lines), m.offset+h)
	out := make([]string, 0, m.height)
	out = append(out, m.lines[min(m.offset, end):end]...)
	for len(out) < h {
		out = append(out, "")
	}
	status := ""
	if len(m.lines) > h {
		pct := 100 * (m.offset + h) / len(m.lines)
		more := "↓ more below"
		if m.offset+h >= len(m.lines) {
			more = "end"
		}
		status = st.Muted.Render(fmt.Sprintf("%s · %d%% · j/k scroll, pgdn page", more, pct))
	}
	out = append(out, common.Truncate(status, m.width))
	return strings.Join(out, "\n")
}

// render rebuilds the content lines for the current width.
func (m *Model) render() {
	w := max(40, m.width)
	st := m.c.Styles
	var lines []string
	switch {
	case !m.loaded:
		lines = []string{st.Muted.Render("Loading…")}
	case m.loadErr != nil:
		lines = []string{st.Error.Render("Cannot read the engagement: " + common.OneLine(m.loadErr.Error()))}
	default:
		lines = m.content(w)
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = common.Truncate(l, w)
		}
	}
	m.lines = lines
	m.clamp()
}

func (m *Model) content(w int) []string {
	st := m.c.Styles
	now := m.c.Now()
	var figs []standardFigures
	for _, std := range m.eng.Standards {
		if c, ok := m.c.Catalogs.Get(std); ok {
			figs = append(figs, figuresFor(c, m.d, now))
		}
	}
	// At a glance first: the figures of each standard and the crosswalk coverage.
	var lines []string
	if l := m.reconfirmLine(); l != "" {
		lines = append(lines, l, "")
	}
	for i, f := range figs {
		if i > 0 {
			lines = append(lines, "")
		}
		lines = append(lines, m.metrics(f, w)...)
	}
	for _, std := range m.eng.Standards {
		if cov, ok := assessments.CoverageFor(m.c.Catalogs, m.eng, std, m.d.results); ok {
			lines = append(lines, "", st.Info.Render(fmt.Sprintf("%s covered by %s work: %d of %d applicable requirements (%s)",
				m.short(cov.Standard), m.short(cov.By), cov.Covered, cov.Applicable, common.Percent(cov.Percent()))))
		}
	}
	// Risks and AI systems side by side when there is room, else one under the other.
	half := (w - 3) / 2
	wide := w >= 110
	var risks, ai []string
	if m.d.riskErr == nil {
		if wide {
			risks = m.riskPanel(half)
		} else {
			risks = m.riskPanel(w)
		}
	}
	if m.d.aiErr == nil && m.d.impacts.Systems > 0 {
		if wide && len(risks) > 0 {
			ai = m.aiPanel(w - 3 - half)
		} else {
			ai = m.aiPanel(w)
		}
	}
	if wide && len(risks) > 0 && len(ai) > 0 {
		lines = append(lines, "")
		lines = append(lines, sideBySide(risks, ai, half, st.Subtle.Render(" │ "))...)
	} else {
		for _, p := range [][]string{risks, ai} {
			if len(p) > 0 {
				lines = append(lines, "")
				lines = append(lines, p...)
			}
		}
	}
	lines = append(lines, "")
	panel, refs := m.overduePanel(w)
	if ap, arefs := m.auditPanel(w); len(ap) > 0 {
		panel, refs = append(append(panel, ""), ap...), append(append(refs, overdueItem{}), arefs...)
	}
	m.targets = m.targets[:0]
	for i, r := range refs {
		if r.std != "" {
			m.targets = append(m.targets, target{line: len(lines) + i, std: r.std, ref: r.ref})
		}
	}
	if m.sel >= len(m.targets) {
		m.sel = -1
	}
	if m.sel >= 0 {
		i := m.targets[m.sel].line - len(lines)
		panel[i] = st.Cursor.Render("›") + st.Selected.Render(ansi.Strip(panel[i])[1:])
	}
	lines = append(lines, panel...)
	// Then the groups of each standard, side by side when there is room.
	if wide && len(figs) == 2 {
		lines = append(lines, "")
		lines = append(lines, sideBySide(m.groupTable(figs[0], half), m.groupTable(figs[1], w-3-half), half, st.Subtle.Render(" │ "))...)
	} else {
		for _, f := range figs {
			lines = append(lines, "")
			lines = append(lines, m.groupTable(f, w)...)
		}
	}
	return lines
}

func (m *Model) short(id string) string {
	if c, ok := m.c.Catalogs.Get(id); ok {
		return c.Short
	}
	return id
}

func sideBySide(left, right []string, leftW int, sep string) []string {
	n := max(len(left), len(right))
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		var l, r string
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out = append(out, common.Pad(l, leftW)+sep+r)
	}
	return out
}

// metrics: the standard's name and its three figures with bars.
func (m *Model) metrics(f standardFigures, w int) []string {
	st := m.c.Styles
	lines := []string{st.Title.Render(f.catalog.Short) + "  " + st.Muted.Render(common.OneLine(f.catalog.Name))}
	barW := max(10, min(40, w/4))
	metric := func(label string, pct float64, detail string) string {
		return "  " + st.Label.Render(common.Pad(label, 10)) + st.Bar(pct, barW) + " " + st.Bold.Render(fmt.Sprintf("%4s", common.Percent(pct))) +
			"  " + st.Muted.Render(detail)
	}
	r := f.total
	applicable := ""
	if w >= 100 {
		applicable = " applicable"
	}
	lines = append(lines,
		metric("Readiness", r.Percent(), fmt.Sprintf("%d implemented, %d partial of %d%s", r.Counts[assessments.Implemented], r.Counts[assessments.Partial], r.Applicable, applicable)),
		metric("Assessed", r.AssessedPercent(), fmt.Sprintf("%d of %d answered", r.Assessed, r.Total)),
		metric("Evidenced", f.evidenced.Percent(), evidencedText(f.evidenced.Evidenced, f.evidenced.Implemented)))
	if t := m.trendLine(f.catalog); t != "" {
		lines = append(lines, t)
	}
	return lines
}

// evidencedText: "3 of 12 implemented have valid evidence", "1 of 12 … has".
func evidencedText(evidenced, implemented int) string {
	verb := "have"
	if evidenced == 1 {
		verb = "has"
	}
	return fmt.Sprintf("%d of %d implemented %s valid evidence", evidenced, implemented, verb)
}

// groupTable: per group, a readiness bar and the assessed and evidenced shares.
func (m *Model) groupTable(f standardFigures, w int) []string {
	st := m.c.Styles
	const pctW, assW, evW = 4, 8, 10
	gBar := max(6, min(24, (w-2)/5))
	nameW := max(12, w-2-1-gBar-1-pctW-1-assW-1-evW)
	lines := []string{st.Title.Render(f.catalog.Short) + st.Header.Render(" by group")}
	hdr := "  " + common.Pad("", nameW) + " " + common.Pad("Readiness", gBar+1+pctW) + " " + fmt.Sprintf("%*s", assW, "Assessed") + " " + fmt.Sprintf("%*s", evW, "Evidenced")
	lines = append(lines, st.Label.Render(common.Truncate(hdr, w)))
	for _, g := range f.catalog.Groups {
		gr, ok := f.groups[g.ID]
		if !ok || gr.Total == 0 {
			continue
		}
		ev := "—"
		if x := f.evGroups[g.ID]; x.Implemented > 0 {
			ev = fmt.Sprintf("%s of %d", common.Percent(x.Percent()), x.Implemented)
		}
		name := common.Pad(common.Truncate(g.ID+" "+g.Title, nameW), nameW)
		lines = append(lines, "  "+name+" "+st.Bar(gr.Percent(), gBar)+" "+fmt.Sprintf("%*s", pctW, common.Percent(gr.Percent()))+" "+
			fmt.Sprintf("%*s", assW, common.Percent(gr.AssessedPercent()))+" "+fmt.Sprintf("%*s", evW, ev))
	}
	return lines
}

func (m *Model) riskPanel(w int) []string {
	st := m.c.Styles
	ranked := topRisks(m.d.risks, m.d.matrix)
	above, unaccepted := 0, 0
	for _, r := range ranked {
		if r.scored && m.d.matrix.AboveThreshold(r.risk.EffectiveResidual()) {
			above++
		}
		if r.risk.UnacceptedAboveThreshold(m.d.matrix) {
			unaccepted++
		}
	}
	head := st.Header.Render("Top residual risks") + st.Muted.Render(fmt.Sprintf("  %d open · %d above threshold", len(ranked), above))
	if unaccepted > 0 {
		// ? marks the risks above the threshold nobody accepted for their residual.
		long := head + st.Error.Render(fmt.Sprintf(", %d not accepted", unaccepted))
		head = st.Header.Render("Top residual risks") + st.Muted.Render(fmt.Sprintf("  %d open · %d above, ", len(ranked), above)) +
			st.Error.Render(fmt.Sprintf("%d not accepted", unaccepted))
		if lipgloss.Width(long) <= w {
			head = long
		}
	}
	lines := []string{head}
	if len(ranked) == 0 {
		return append(lines, st.Muted.Render("  No open risks in the register."))
	}
	limit := 5
	if m.height >= 36 {
		limit = 8
	}
	levelW := 9
	for _, name := range m.d.matrix.LevelNames {
		levelW = max(levelW, lipgloss.Width(name))
	}
	levelW = min(levelW, 12)
	for i, r := range ranked {
		if i == limit {
			lines = append(lines, st.Muted.Render(fmt.Sprintf("  … and %d more in the Risks tab", len(ranked)-limit)))
			break
		}
		level := st.Muted.Render(common.Pad("not scored", levelW))
		if r.scored {
			level = st.Level[min(4, max(0, r.level.Colour()))].Render(common.Pad(common.Truncate(r.level.Name, levelW), levelW))
		}
		owner := ""
		if r.risk.Owner != "" {
			owner = st.Muted.Render(" · " + common.OneLine(r.risk.Owner))
		}
		flag := " "
		if r.risk.UnacceptedAboveThreshold(m.d.matrix) {
			flag = st.Error.Render("?")
		}
		lines = append(lines, common.Truncate(flag+" "+common.Pad(r.risk.Ref, 6)+" "+level+" "+common.OneLine(r.risk.Title)+owner, w))
	}
	return lines
}

func (m *Model) aiPanel(w int) []string {
	st := m.c.Styles
	sum := m.d.impacts
	head := "  " + common.Count(sum.Systems, "system", "systems")
	for _, x := range []struct {
		n    int
		name string
	}{{sum.Approved, "approved"}, {sum.Drafts, "in draft"}, {sum.Rejected, "rejected"}, {sum.NotAssessed, "not assessed"}} {
		if x.n > 0 {
			head += fmt.Sprintf(" · %d %s", x.n, x.name)
		}
	}
	lines := []string{st.Header.Render("AI systems") + st.Muted.Render(head)}
	nameW := max(12, min(28, w/3))
	for _, la := range sum.Latest {
		name := common.Pad(common.Truncate(common.OneLine(la.System.Name), nameW), nameW)
		var class, review string
		a := la.InForce
		if a == nil {
			a = la.Latest
		}
		switch {
		case a == nil:
			class = st.Muted.Render(common.Pad("—", 7))
			review = st.Warn.Render("not assessed")
		default:
			cl := a.Class()
			label := string(cl)
			if label == "" {
				label = "unrated"
			}
			sty := st.Muted
			switch cl {
			case assessments.ClassLow:
				sty = st.Level[0]
			case assessments.ClassMedium:
				sty = st.Level[2]
			case assessments.ClassHigh:
				sty = st.Level[4]
			}
			class = sty.Render(common.Pad(label, 7))
			switch {
			case la.InForce == nil:
				review = st.Muted.Render(fmt.Sprintf("v%d %s", a.Version, a.State().Label()))
			case la.Overdue:
				review = st.Error.Render("review overdue (" + la.NextReview + ")")
			case la.NextReview != "":
				review = "next review " + la.NextReview
			}
		}
		role := ""
		if w >= 70 {
			role = st.Muted.Render(common.Pad(common.Truncate(assessments.RolesLabel(la.System.Roles), 14), 14)) + " "
		}
		lines = append(lines, common.Truncate("  "+name+" "+role+class+" "+review, w))
	}
	return lines
}

// overduePanel returns its lines and, per line, the requirement it leads to (if any).
func (m *Model) overduePanel(w int) ([]string, []overdueItem) {
	st := m.c.Styles
	now := m.c.Now()
	items := overdueItems(m.c.Catalogs, m.eng, m.d, now)
	changed, missing := 0, 0
	for _, it := range m.d.evidence {
		switch it.StateAt(now) {
		case assessments.StateChanged:
			changed++
		case assessments.StateMissing:
			missing++
		}
	}
	title := st.Header.Render(fmt.Sprintf("Overdue (%d)", len(items)))
	lines := []string{title}
	refs := []overdueItem{{}}
	if changed+missing > 0 {
		lines = append(lines, st.Error.Render(fmt.Sprintf("  ✗ Evidence files changed: %d, missing: %d — check them in the Evidence tab", changed, missing)))
		refs = append(refs, overdueItem{})
	}
	if len(items) == 0 {
		return append(lines, st.OK.Render("  Nothing overdue.")), append(refs, overdueItem{})
	}
	whatW := 16
	// Thousands of lines with a handful of dates and kinds: each styled once, and only the
	// plain text cut to what is left of the width.
	type prefix struct {
		text  string
		width int
	}
	prefixes := map[[2]string]prefix{}
	for _, it := range items {
		p, ok := prefixes[[2]string{it.date, it.what}]
		if !ok {
			p.text = "  " + st.Error.Render(it.date) + "  " + st.Label.Render(common.Pad(it.what, whatW)) + " "
			p.width = lipgloss.Width(p.text)
			prefixes[[2]string{it.date, it.what}] = p
		}
		if p.width < w {
			lines = append(lines, p.text+common.Truncate(common.OneLine(it.text), w-p.width))
		} else {
			lines = append(lines, common.Truncate(p.text+common.OneLine(it.text), w))
		}
		refs = append(refs, it)
	}
	return lines, refs
}

// Address names the tab for addressed results.
func (m *Model) Address() string { return common.TabAddress(m.eng.ID, "dashboard") }
