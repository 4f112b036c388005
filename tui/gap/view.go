package gap

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
)

func (m *Model) headerHeight() int { return 2 }

func (m *Model) listWidth() int {
	return max(34, min(60, m.width*2/5))
}

func (m *Model) detailWidth() int { return max(20, m.width-m.listWidth()-1) }

// View draws the header, the list and the detail side by side.
func (m *Model) View() string {
	if m.cat == nil {
		return m.c.Styles.Error.Render("The catalog " + m.std + " is not available in this workspace.")
	}
	header := m.headerView()
	lw, dw := m.listWidth(), m.detailWidth()
	h := m.listHeight()
	list := m.listView(lw, h)
	detail := m.detailView(dw, h)
	// Both panes are exactly h lines of fixed width: join them line by line without
	// measuring every cell again (this runs on every key press).
	sep := m.c.Styles.Subtle.Render("│")
	ll, dl := strings.Split(list, "\n"), strings.Split(detail, "\n")
	var b strings.Builder
	b.Grow(len(list) + len(detail) + h*8 + len(header))
	b.WriteString(header)
	for i := 0; i < h; i++ {
		b.WriteByte('\n')
		if i < len(ll) {
			b.WriteString(ll[i])
		}
		b.WriteString(sep)
		if i < len(dl) {
			b.WriteString(dl[i])
		}
	}
	return b.String()
}

func (m *Model) headerView() string {
	st := m.c.Styles
	r := m.readTot
	line1 := st.Title.Render(m.cat.Name) + "  " +
		st.Label.Render("readiness ") + st.Bold.Render(common.Percent(r.Percent())) + "  " +
		st.Label.Render("assessed ") + st.Bold.Render(common.Percent(r.AssessedPercent())) + "  " +
		st.Muted.Render(fmt.Sprintf("%d requirements", r.Total))
	var line2 string
	switch {
	case m.filtering || m.filter.Value() != "":
		line2 = m.filter.View()
		if m.statusFilter != filterAll {
			line2 += st.Accent.Render("  status: " + m.statusFilterLabel())
		}
	case m.statusFilter != filterAll:
		line2 = st.Accent.Render("status: "+m.statusFilterLabel()) + st.Muted.Render("  (s cycles)")
	case m.coverage != nil:
		c := m.coverage
		text := fmt.Sprintf("%s covered by %s work: %d of %d applicable requirements (%s) have an implemented or partially implemented counterpart",
			m.shortOf(c.Standard), m.shortOf(c.By), c.Covered, c.Applicable, common.Percent(c.Percent()))
		if len([]rune(text)) > m.width {
			text = fmt.Sprintf("%s covered by %s work: %d of %d applicable requirements (%s)",
				m.shortOf(c.Standard), m.shortOf(c.By), c.Covered, c.Applicable, common.Percent(c.Percent()))
		}
		line2 = st.Info.Render(text)
	default:
		counts := fmt.Sprintf("%d implemented · %d partial · %d not implemented · %d N/A · %d not assessed",
			r.Counts[assessments.Implemented], r.Counts[assessments.Partial], r.Counts[assessments.NotImplemented],
			r.Counts[assessments.NotApplicable], r.Counts[assessments.NotAssessed])
		line2 = st.Muted.Render(counts)
		if legend := "   ∅ no valid evidence  ! evidence flagged  ? needs review"; len([]rune(counts+legend)) <= m.width {
			line2 += st.Subtle.Render(legend)
		}
	}
	return common.Truncate(line1, m.width) + "\n" + common.Truncate(line2, m.width)
}

func (m *Model) listView(w, h int) string {
	st := m.c.Styles
	lines := make([]string, 0, h)
	if len(m.rows) == 0 {
		lines = append(lines, st.Muted.Render(common.Pad("No requirement matches.", w)))
	}
	end := min(len(m.rows), m.offset+h)
	for i := m.offset; i < end; i++ {
		rw := m.rows[i]
		if rw.group {
			g, _ := m.cat.Group(rw.id)
			pct := common.Percent(m.readGrp[rw.id].Percent())
			title := g.ID + " " + g.Title
			title = common.Truncate(title, w-len(pct)-2)
			lines = append(lines, st.Header.Render(common.Pad(title, w-len(pct)-1))+" "+st.Muted.Render(pct))
			continue
		}
		if i == m.cursor {
			lines = append(lines, m.reqLine(rw.req, w, true))
			continue
		}
		// Unselected rows are cached until the data or the width changes.
		if m.rowCacheKey != [2]int{w, m.dataVersion} {
			m.rowCache = map[string]string{}
			m.rowCacheKey = [2]int{w, m.dataVersion}
		}
		line, ok := m.rowCache[rw.id]
		if !ok {
			line = m.reqLine(rw.req, w, false)
			m.rowCache[rw.id] = line
		}
		lines = append(lines, line)
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", w))
	}
	return strings.Join(lines, "\n")
}

func (m *Model) reqLine(req catalogs.Requirement, w int, selected bool) string {
	st := m.c.Styles
	r := m.result(req.Ref)
	s := r.EffectiveStatus()
	mark := st.Status[s].Render(s.Mark())
	flags := ""
	if r.NeedsReview {
		flags += "?"
	}
	flags += m.marks[req.Ref]
	refW := 8
	titleW := w - 2 - refW - 1 - lipgloss.Width(flags) - 1
	text := common.Pad(req.Ref, refW) + " " + common.Pad(common.Truncate(req.Title, titleW), titleW)
	if flags != "" {
		text += " " + flags
	}
	text = common.Pad(text, w-2)
	cursor := " "
	if selected {
		cursor = "›"
		if m.focus == focusList {
			return st.Cursor.Render(cursor) + mark + st.Selected.Render(text)
		}
		return st.Cursor.Render(cursor) + mark + st.Bold.Render(text)
	}
	return cursor + mark + text
}

func (m *Model) detailView(w, h int) string {
	st := m.c.Styles
	req, ok := m.selected()
	if !ok {
		return common.Pad("", w)
	}
	head := m.detailHead(req, w)
	if m.edit != nil {
		return fitLines(head+"\n"+m.editorView(w), w, h)
	}
	m.detail.SetWidth(w)
	m.detail.SetHeight(max(1, h-lipgloss.Height(head)))
	// The body is rebuilt only when the requirement, the width or the data changes.
	key := fmt.Sprintf("%s/%d/%d", req.Ref, w, m.dataVersion)
	if key != m.detailKey {
		if !strings.HasPrefix(m.detailKey, req.Ref+"/") {
			defer m.detail.GotoTop()
		}
		m.detailKey = key
		m.detail.SetContent(m.detailBody(req, w))
	}
	view := head + "\n" + m.detail.View()
	if m.focus == focusDetail && !m.detail.AtBottom() {
		view = fitLines(view, w, h-1) + "\n" + st.Subtle.Render(common.Pad(fmt.Sprintf("↓ more (%d%%)", int(m.detail.ScrollPercent()*100)), w))
	}
	return fitLines(view, w, h)
}

// fitLines makes text exactly h lines of at most w cells.
func fitLines(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i := range lines {
		lines[i] = common.Pad(lines[i], w)
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", w))
	}
	return strings.Join(lines, "\n")
}

func (m *Model) detailHead(req catalogs.Requirement, w int) string {
	st := m.c.Styles
	r := m.result(req.Ref)
	s := r.EffectiveStatus()
	g, _ := m.cat.Group(req.Group)
	var b strings.Builder
	// The focus is said in words, not only by a colour: keys go to the pane marked ▶.
	marker := st.Subtle.Render("  ")
	if m.focus == focusDetail {
		marker = st.Cursor.Render("▶ ")
	}
	b.WriteString(common.Truncate(marker+st.Title.Render(req.Ref)+"  "+st.Bold.Render(req.Title), w) + "\n")
	b.WriteString(common.Truncate(st.Muted.Render(g.ID+" "+g.Title+" · "+string(req.Kind)), w) + "\n")
	status := st.Status[s].Render(s.Mark() + " " + s.Label())
	mat := assessments.MaturityLabel(r.Maturity)
	b.WriteString(common.Truncate(st.Label.Render("Status ")+status+"   "+st.Label.Render("Maturity ")+mat, w) + "\n")
	owner, target := common.OneLine(r.Owner), r.TargetDate
	if owner == "" {
		owner = st.Subtle.Render("—")
	}
	if target == "" {
		target = st.Subtle.Render("—")
	} else if assessments.Overdue(target, m.c.Now()) && s != assessments.Implemented && s != assessments.NotApplicable {
		target = st.Warn.Render(target + " overdue")
	}
	b.WriteString(common.Truncate(st.Label.Render("Owner ")+owner+"   "+st.Label.Render("Target ")+target, w))
	if r.NeedsReview || r.Provenance != "" {
		b.WriteString("\n")
		if r.NeedsReview {
			b.WriteString(common.Truncate(st.Warn.Render("⚑ needs review ")+st.Muted.Render("— adopted "+common.OneLine(r.Provenance)+" · c confirms"), w))
		} else {
			b.WriteString(common.Truncate(st.Muted.Render("adopted "+common.OneLine(r.Provenance)+", confirmed"), w))
		}
	}
	return b.String()
}

func (m *Model) detailBody(req catalogs.Requirement, w int) string {
	st := m.c.Styles
	r := m.result(req.Ref)
	var b strings.Builder
	section := func(title string) {
		b.WriteString("\n" + st.Accent.Render("── "+title+" ") + st.Subtle.Render(strings.Repeat("─", max(0, w-lipgloss.Width(title)-4))) + "\n")
	}
	wrap := func(s string) string { return lipgloss.NewStyle().Width(w).Render(s) }
	if r.EffectiveStatus() == assessments.NotApplicable {
		section("Justification (not applicable)")
		b.WriteString(wrap(common.Inert(r.Justification)) + "\n")
	}
	if txt := reasonsText(r); txt != "" {
		section("Inclusion reasons")
		b.WriteString(wrap(txt) + "\n")
	}
	section("Notes")
	if r.Notes == "" {
		b.WriteString(st.Subtle.Render("none yet · e to type") + "\n")
	} else {
		b.WriteString(wrap(common.Inert(r.Notes)) + "\n")
	}
	m.writeCatalogFacts(&b, req, w, section)
	if req.Guidance != "" {
		section("Guidance")
		b.WriteString(wrap(req.Guidance) + "\n")
	}
	if len(req.Questions) > 0 {
		section("Ask in the workshop")
		for _, q := range req.Questions {
			b.WriteString(wrap("• "+q) + "\n")
		}
	}
	if len(req.Evidence) > 0 {
		section("Typical evidence")
		for _, e := range req.Evidence {
			b.WriteString(wrap("• "+e) + "\n")
		}
	}
	if a := req.Attributes; a != nil {
		section("ISO/IEC 27002 attributes")
		for _, f := range []struct {
			name string
			v    []string
		}{{"Control type", a.ControlType}, {"Properties", a.SecurityProperties}, {"Concepts", a.CybersecurityConcepts},
			{"Capabilities", a.OperationalCapabilities}, {"Domains", a.SecurityDomains}} {
			b.WriteString(wrap(st.Label.Render(f.name+" ")+hashTags(f.v)) + "\n")
		}
	}
	if g, ok := m.cat.Group(req.Group); ok && g.Objective != "" {
		section("Objective of " + g.ID)
		b.WriteString(wrap(g.Objective) + "\n")
	}
	if ac := req.AnnexC; ac != nil {
		section("Annex C")
		b.WriteString(wrap(st.Label.Render("Objectives ")+strings.ReplaceAll(strings.Join(ac.Objectives, ", "), "_", " ")) + "\n")
		if len(ac.RiskSources) > 0 {
			b.WriteString(wrap(st.Label.Render("Risk sources ")+strings.ReplaceAll(strings.Join(ac.RiskSources, ", "), "_", " ")) + "\n")
		}
	}
	m.mappedSection(&b, req, w, section)
	for _, sec := range m.sections[req.Ref] {
		title := sec.Title
		section(title)
		for _, l := range sec.Lines {
			if sec.Warn {
				b.WriteString(st.Warn.Render(common.Truncate(l, w)) + "\n")
			} else {
				b.WriteString(common.Truncate(l, w) + "\n")
			}
		}
	}
	return b.String()
}

func (m *Model) mappedSection(b *strings.Builder, req catalogs.Requirement, w int, section func(string)) {
	st := m.c.Styles
	maps := m.c.Catalogs.MappingsFor(m.std, req.Ref)
	if len(maps) == 0 {
		if why, ok := m.c.Catalogs.NoCounterpart(m.std, req.Ref); ok {
			section("Crosswalk")
			b.WriteString(lipgloss.NewStyle().Width(w).Render(st.Muted.Render("No counterpart: ")+why) + "\n")
		}
		return
	}
	section("Mapped requirements")
	for _, mp := range maps {
		other, _ := m.c.Catalogs.Get(mp.Standard)
		title := ""
		if other != nil {
			if rq, ok := other.Requirement(mp.Ref); ok {
				title = rq.Title
			}
		}
		status := st.Subtle.Render("not in scope")
		if m.eng.HasStandard(mp.Standard) {
			s := m.results[mp.Standard][mp.Ref].EffectiveStatus()
			status = st.Status[s].Render(s.Mark() + " " + s.Label())
		}
		left := fmt.Sprintf("%s %-7s %-10s ", m.shortOf(mp.Standard), mp.Ref, mp.Relationship)
		room := w - lipgloss.Width(left) - lipgloss.Width(status) - 1
		b.WriteString(left + common.Pad(common.Truncate(title, room), room) + " " + status + "\n")
		b.WriteString(st.Subtle.Render(common.Truncate("  "+mp.Rationale, w)) + "\n")
	}
	if opts := m.adoptOptions(req.Ref); len(opts) > 0 && m.result(req.Ref).EffectiveStatus() == assessments.NotAssessed {
		b.WriteString(st.Info.Render(common.Truncate(fmt.Sprintf("a adopts: %s from %s %s", opts[0].carried.Label(), m.shortOf(opts[0].mapping.Standard), opts[0].mapping.Ref), w)) + "\n")
	}
}

func hashTags(v []string) string {
	out := make([]string, len(v))
	for i, t := range v {
		out[i] = "#" + t
	}
	return strings.Join(out, " ")
}
