package evidence

import (
	"fmt"
	"os"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/dustin/go-humanize"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
)

func userHome() (string, error) { return os.UserHomeDir() }

const headerLines = 3 // title, summary or filter, column header

// previewHeight is the space under the table for the selected item at larger sizes.
func (m *Model) previewHeight() int {
	const ph = 9
	// Shown at larger sizes, or when the table leaves the room anyway.
	if m.height >= 30 || m.height-headerLines-1-ph >= max(len(m.rows), 3) {
		return ph
	}
	return 0
}

func (m *Model) tableHeight() int {
	return max(1, m.height-headerLines-1-m.previewHeight())
}

// View draws the current view in the tab's area.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var out string
	switch {
	case m.mode == modeForm && m.ed != nil:
		out = m.formView()
	case m.mode == modeDetail:
		out = m.detailView()
	default:
		out = m.listView()
	}
	return common.Fit(out, m.width, m.height)
}

// sizeForm gives the form the tab less its title and status lines.
func (m *Model) sizeForm() {
	if m.ed != nil {
		m.ed.form.SetSize(m.width, max(3, m.height-3))
	}
}

// formView is the form's title, the form and a line for the save's outcome.
func (m *Model) formView() string {
	st := m.c.Styles
	m.sizeForm()
	head := st.Title.Render(common.Truncate(m.ed.title(), m.width))
	body := common.Fit(m.ed.form.View(), m.width, max(3, m.height-3))
	return head + "\n\n" + body + "\n" + editorStatus(st, m.ed, m.width)
}

// editorStatus is the line under a form: saving, or why the save was refused.
func editorStatus(st *common.Styles, ed *editor, w int) string {
	switch {
	case ed.saving:
		return st.Info.Render(common.Truncate("Saving… (a file is hashed first)", w))
	case ed.general != "":
		return st.Error.Render(common.Truncate("✗ "+common.OneLine(ed.general), w))
	}
	return ""
}

// column widths of the table; the title takes what is left.
const (
	wKind  = 11
	wLinks = 5
	wDate  = 10
	wValid = 11
	wState = 13
)

func (m *Model) titleWidth() int {
	return max(10, m.width-2-(wKind+1)-(wLinks+1)-(wDate+1)-(wValid+1)-(wState+1))
}

func (m *Model) stateStyle(s assessments.EvidenceState) lipgloss.Style {
	st := m.c.Styles
	switch s {
	case assessments.StateExpiring:
		return st.Warn
	case assessments.StateExpired, assessments.StateChanged, assessments.StateMissing:
		return st.Error
	}
	return st.OK
}

func stateMark(s assessments.EvidenceState) string {
	switch s {
	case assessments.StateOK:
		return "✓"
	case assessments.StateExpiring:
		return "◷"
	}
	return "✗"
}

func (m *Model) listView() string {
	st := m.c.Styles
	var b strings.Builder
	// Line 1: counts and sort.
	counts := m.counts
	left := st.Title.Render("Evidence library") + "  " + st.Muted.Render(common.Count(len(m.items), "item", "items"))
	for _, x := range []struct {
		s    assessments.EvidenceState
		name string
	}{{assessments.StateChanged, "changed"}, {assessments.StateMissing, "missing"}, {assessments.StateExpired, "expired"}, {assessments.StateExpiring, "expiring"}} {
		if n := counts[x.s]; n > 0 {
			left += st.Muted.Render(" · ") + m.stateStyle(x.s).Render(fmt.Sprintf("%d %s", n, x.name))
		}
	}
	dir := "↑"
	if m.sortDesc {
		dir = "↓"
	}
	right := st.Muted.Render("by " + sortNames[m.sortBy] + " " + dir)
	b.WriteString(spread(left, right, m.width) + "\n")
	// Line 2: the filters, or the evidenced share per standard.
	switch {
	case m.filtering || m.filtered():
		var parts []string
		if m.state != stateAll {
			parts = append(parts, st.Accent.Render("state: "+stateFilterNames[m.state]))
		}
		tail := st.Muted.Render(fmt.Sprintf("%d of %d", len(m.rows), len(m.items)))
		if !m.filtering {
			tail += st.Muted.Render(" · esc clears")
		}
		parts = append(parts, tail)
		right := strings.Join(parts, "  ")
		line := right
		if m.filtering || strings.TrimSpace(m.filter.Value()) != "" {
			m.filter.SetWidth(max(10, m.width-lipgloss.Width(right)-6))
			line = m.filter.View() + "  " + right
		}
		b.WriteString(common.Truncate(line, m.width) + "\n")
	default:
		b.WriteString(common.Truncate(m.evidenced, m.width) + "\n")
	}
	// Line 3: column header.
	tw := m.titleWidth()
	hdr := "  " + common.Pad("Title", tw) + " " + common.Pad("Kind", wKind) + " " + common.Pad("Links", wLinks) + " " +
		common.Pad("Collected", wDate) + " " + common.Pad("Valid until", wValid) + " " + common.Pad("State", wState)
	b.WriteString(st.Header.Render(common.Truncate(hdr, m.width)) + "\n")
	th := m.tableHeight()
	lines := make([]string, 0, th)
	switch {
	case !m.loaded:
		lines = append(lines, st.Muted.Render("  Loading…"))
	case m.loadErr != nil:
		lines = append(lines, st.Error.Render("  Cannot read the evidence: "+common.OneLine(m.loadErr.Error())))
	case len(m.items) == 0:
		lines = append(lines, st.Muted.Render("  No evidence yet. Press n to add a file, a web address or interview notes."))
	case len(m.rows) == 0:
		lines = append(lines, st.Muted.Render("  Nothing matches the filter; esc clears it."))
	}
	end := min(len(m.rows), m.offset+th)
	for i := m.offset; i < end; i++ {
		lines = append(lines, m.rowView(m.items[m.rows[i]], i == m.cursor, tw))
	}
	for len(lines) < th {
		lines = append(lines, "")
	}
	b.WriteString(strings.Join(lines, "\n"))
	if ph := m.previewHeight(); ph > 0 {
		b.WriteString("\n" + m.previewView(ph))
	}
	b.WriteString("\n" + m.statusLine())
	return b.String()
}

// spread puts left and right on one line of width w.
func spread(left, right string, w int) string {
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 2 {
		return common.Truncate(left, w)
	}
	return left + strings.Repeat(" ", gap) + right
}

func (m *Model) rowView(it assessments.Evidence, selected bool, tw int) string {
	st := m.c.Styles
	state := it.StateAt(m.c.Now())
	text := common.Pad(common.OneLine(it.Title), tw) + " " + common.Pad(string(it.Kind), wKind) + " " +
		common.Pad(fmt.Sprintf("%5d", len(it.Links)), wLinks) + " " + common.Pad(dash(it.CollectedOn), wDate) + " " +
		common.Pad(dash(it.ValidUntil), wValid) + " "
	label := common.Pad(state.Label(), wState)
	cursor := " "
	if selected {
		cursor = st.Cursor.Render("›")
		return cursor + m.stateStyle(state).Render(stateMark(state)) + st.Selected.Render(text) + st.Selected.Render(label)
	}
	return cursor + m.stateStyle(state).Render(stateMark(state)) + text + m.stateStyle(state).Render(label)
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// evidencedLine is the readiness-honesty figure per standard in scope.
func (m *Model) evidencedLine() string {
	st := m.c.Styles
	parts := []string{}
	for _, std := range m.eng.Standards {
		c, ok := m.c.Catalogs.Get(std)
		if !ok {
			continue
		}
		x, _ := assessments.EvidencedByGroup(c, m.results[std], m.items, m.c.Now())
		of := fmt.Sprintf("%d of %d", x.Evidenced, x.Implemented)
		if len(parts) == 0 {
			of += " implemented"
		}
		parts = append(parts, fmt.Sprintf("%s %s (%s)", c.Short, common.Percent(x.Percent()), of))
	}
	if len(parts) == 0 {
		return ""
	}
	return st.Label.Render("Evidenced: ") + st.Muted.Render(strings.Join(parts, " · "))
}

func (m *Model) previewView(h int) string {
	st := m.c.Styles
	lines := []string{st.Subtle.Render(strings.Repeat("─", m.width))}
	it, ok := m.selectedRow()
	if ok {
		lines = append(lines, m.summaryLines(it, m.width)...)
		lines = append(lines, st.Label.Render(fmt.Sprintf("Links (%d)", len(it.Links)))+st.Muted.Render("  enter shows every link"))
		for _, l := range it.Links {
			lines = append(lines, "  "+m.linkText(l, m.width-2))
		}
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// summaryLines describe an item: state, description, file or address.
func (m *Model) summaryLines(it assessments.Evidence, w int) []string {
	st := m.c.Styles
	state := it.StateAt(m.c.Now())
	var lines []string
	stateText := m.stateStyle(state).Render(stateMark(state) + " " + state.Label())
	switch {
	case it.Integrity == assessments.IntegrityChanged || it.Integrity == assessments.IntegrityMissing:
		stateText += st.Muted.Render(" — " + common.OneLine(it.CheckDetail))
	case state == assessments.StateExpired:
		stateText += st.Muted.Render(" — valid until " + it.ValidUntil + " has passed")
	case state == assessments.StateExpiring:
		stateText += st.Muted.Render(" — valid until " + it.ValidUntil)
	}
	lines = append(lines, common.Truncate(st.Bold.Render(common.OneLine(it.Title))+"  "+stateText, w))
	if it.Description != "" {
		lines = append(lines, common.Truncate(st.Muted.Render(common.OneLine(it.Description)), w))
	}
	switch {
	case it.Path != "":
		kept := "copy kept"
		if !it.Kept {
			kept = "path and hash only"
		}
		lines = append(lines, common.Truncate(st.Label.Render("File ")+common.OneLine(it.Path)+st.Muted.Render(fmt.Sprintf("  %s · %s", humanize.IBytes(uint64(it.Size)), kept)), w))
	case it.URL != "":
		lines = append(lines, common.Truncate(st.Label.Render("Web  ")+common.OneLine(it.URL), w))
	}
	return lines
}

// linkText is one link as a line: requirement with its status, or the risk.
func (m *Model) linkText(l assessments.EvidenceLink, w int) string {
	st := m.c.Styles
	switch l.Target {
	case assessments.LinkRequirement:
		short, title := requirementLabel(m.c.Catalogs, l)
		status := m.results[l.Standard][l.Ref].EffectiveStatus()
		s := st.Status[status].Render(status.Mark()) + " " + st.Bold.Render(short) + " " + title
		tail := st.Muted.Render(" · " + status.Label())
		if l.Provenance != "" {
			tail += st.Info.Render(" · " + common.OneLine(l.Provenance))
		}
		return common.Truncate(s+tail, w)
	case assessments.LinkRisk:
		name := m.risks[l.Ref]
		if name == "" {
			name = "(risk no longer in the register)"
		}
		return common.Truncate("⚑ "+st.Bold.Render("Risk")+" "+common.OneLine(name), w)
	}
	name := m.impacts[l.Ref]
	if name == "" {
		name = "(assessment no longer on file)"
	}
	return common.Truncate("◆ "+st.Bold.Render("Impact assessment")+" "+common.OneLine(name), w)
}

// statusLine is the tab's last line: the check in progress, or how the last one went.
func (m *Model) statusLine() string {
	st := m.c.Styles
	switch {
	case m.checking:
		label := "Checking files…"
		if m.checkTotal > 0 {
			label = fmt.Sprintf("Checking files… %d of %d ", m.checkDone, m.checkTotal)
			bw := max(5, min(30, m.width-lipgloss.Width(label)-2))
			return common.Truncate(st.Info.Render(label)+st.Bar(100*float64(m.checkDone)/float64(m.checkTotal), bw), m.width)
		}
		return st.Info.Render(label)
	case m.lastCheck != "" && m.checkBad:
		return common.Truncate(st.Warn.Render(common.OneLine(m.lastCheck)), m.width)
	case m.lastCheck != "":
		return common.Truncate(st.OK.Render(common.OneLine(m.lastCheck)), m.width)
	case m.mode == modeDetail:
		return st.Muted.Render(common.Truncate("↑/↓ choose a link · enter goes to it", m.width))
	}
	return st.Muted.Render(common.Truncate("Files not checked since the workbench opened: c re-hashes them.", m.width))
}

func (m *Model) detailLines() ([]string, int) {
	st := m.c.Styles
	it, ok := m.selected()
	if !ok {
		return []string{st.Muted.Render("This item no longer exists.")}, -1
	}
	w := m.width
	var lines []string
	lines = append(lines, m.summaryLines(it, w)[0])
	meta := st.Label.Render("Kind ") + string(it.Kind)
	if it.CollectedOn != "" || it.CollectedBy != "" {
		meta += st.Label.Render("  Collected ") + dash(it.CollectedOn)
		if it.CollectedBy != "" {
			meta += " by " + common.OneLine(it.CollectedBy)
		}
	}
	meta += st.Label.Render("  Valid until ") + dash(it.ValidUntil)
	lines = append(lines, common.Truncate(meta, w), "")
	if it.Description != "" {
		for _, l := range strings.Split(ansi.Wordwrap(common.Inert(it.Description), max(10, w-2), ""), "\n") {
			lines = append(lines, common.Truncate(l, w))
		}
		lines = append(lines, "")
	}
	if it.Path != "" {
		lines = append(lines, common.Truncate(st.Label.Render("File      ")+common.OneLine(it.Path), w))
		kept := "a copy is kept in the workspace"
		if !it.Kept {
			kept = "linked by path and hash only (no copy kept)"
		}
		lines = append(lines, common.Truncate(st.Label.Render("          ")+fmt.Sprintf("%s · modified %s · %s", humanize.IBytes(uint64(it.Size)), it.ModTime.UTC().Format("2006-01-02 15:04"), kept), w))
		lines = append(lines, common.Truncate(st.Label.Render("SHA-256   ")+it.SHA256, w))
		check := "not checked since it was attached"
		if !it.CheckedAt.IsZero() {
			check = "last checked " + it.CheckedAt.UTC().Format("2006-01-02 15:04") + " UTC: " + string(it.Integrity)
			if it.CheckDetail != "" {
				check += " — " + common.OneLine(it.CheckDetail)
			}
		}
		lines = append(lines, common.Truncate(st.Label.Render("Check     ")+check, w))
	}
	if it.URL != "" {
		lines = append(lines, common.Truncate(st.Label.Render("Address   ")+common.OneLine(it.URL), w))
	}
	lines = append(lines, "", st.Header.Render(fmt.Sprintf("Links (%d)", len(it.Links))))
	if len(it.Links) == 0 {
		lines = append(lines, st.Muted.Render("  Not linked yet: edit (e) and list requirements, or attach it from a requirement (v)."))
	}
	first := len(lines)
	for i, l := range it.Links {
		cur := "  "
		text := m.linkText(l, w-2)
		if i == m.linkCursor {
			cur = st.Cursor.Render("› ")
		}
		lines = append(lines, cur+text)
	}
	if it.Integrity == assessments.IntegrityChanged {
		lines = append(lines, "")
		for _, l := range strings.Split(lipgloss.Wrap("The file differs from the one attached. If the new version is right, press r to accept it.", max(20, w), " "), "\n") {
			lines = append(lines, st.Warn.Render(l))
		}
	}
	return lines, first + m.linkCursor
}

func (m *Model) detailView() string {
	lines, cursorLine := m.detailLines()
	h := max(1, m.height-1)
	// Keep the selected link in view; otherwise honour the scroll offset.
	if cursorLine >= 0 {
		if cursorLine >= m.detailOffset+h {
			m.detailOffset = cursorLine - h + 1
		}
		if cursorLine < m.detailOffset {
			m.detailOffset = cursorLine
		}
	}
	m.detailOffset = max(0, min(m.detailOffset, max(0, len(lines)-h)))
	end := min(len(lines), m.detailOffset+h)
	out := append([]string{}, lines[m.detailOffset:end]...)
	for len(out) < h {
		out = append(out, "")
	}
	return strings.Join(out, "\n") + "\n" + m.statusLine()
}

// linkCounts says what links are: "2 requirements and 1 risk".
func linkCounts(links []assessments.EvidenceLink) string {
	n := map[assessments.LinkTarget]int{}
	for _, l := range links {
		n[l.Target]++
	}
	var parts []string
	for _, x := range []struct {
		t    assessments.LinkTarget
		noun string
	}{{assessments.LinkRequirement, "requirement"}, {assessments.LinkRisk, "risk"}, {assessments.LinkImpactAssessment, "impact assessment"}} {
		if n[x.t] > 0 {
			parts = append(parts, common.Count(n[x.t], x.noun, x.noun+"s"))
		}
	}
	switch len(parts) {
	case 0:
		return "nothing"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
