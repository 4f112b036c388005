package suggestions

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
)

// Layout: two header lines, the column titles, the list, a rule, and the detail of the
// selected suggestion (what would be saved, and the crosswalk's rationale).
const (
	headerLines = 3
	detailLines = 5
	refW        = 8
	relW        = 10
	statusW     = 13
)

// displayRow is a heading (one per pair of standards) or a suggestion.
type displayRow struct {
	heading bool
	label   string
	item    int
}

func (m *Model) displayRows() []displayRow {
	var rows []displayRow
	prev := ""
	for i, sg := range m.items {
		pair := sg.Standard + "\x00" + sg.From.Standard
		if pair != prev {
			n := 0
			for _, x := range m.items[i:] {
				if x.Standard == sg.Standard && x.From.Standard == sg.From.Standard {
					n++
				}
			}
			rows = append(rows, displayRow{heading: true, label: fmt.Sprintf("%s ← %s  (%d)", m.short(sg.Standard), m.short(sg.From.Standard), n)})
			prev = pair
		}
		rows = append(rows, displayRow{item: i})
	}
	return rows
}

// rowOf is the display row of item i.
func (m *Model) rowOf(i int) int {
	for r, row := range m.displayRows() {
		if !row.heading && row.item == i {
			return r
		}
	}
	return 0
}

func (m *Model) listHeight() int { return max(1, m.height-headerLines-1-detailLines) }

func (m *Model) titleW() int { return max(8, m.width-(2+refW+1+1+refW+1+relW+1+statusW+1+statusW)) }

// View draws the screen.
func (m *Model) View() string {
	st := m.c.Styles
	w := m.width
	var b strings.Builder
	title := st.Title.Render("Crosswalk suggestions") + "  " + st.Muted.Render(common.OneLine(m.eng.Name))
	count := ""
	if m.loaded && m.loadErr == nil {
		count = fmt.Sprintf("%d to review · %d skipped", len(m.items), m.skipped)
	}
	b.WriteString(common.Pad(common.Truncate(title, w-len(count)-1), w-len(count)) + st.Muted.Render(count) + "\n")
	b.WriteString(common.Truncate(st.Muted.Render("a/enter adopts the status shown, marked needs review · s skips it for good"), w) + "\n")
	tw := m.titleW()
	head := "  " + common.Pad("REQ", refW) + " " + common.Pad("TITLE", tw) + " " + common.Pad("FROM", refW) + " " +
		common.Pad("LINK", relW) + " " + common.Pad("SOURCE", statusW) + " " + "ADOPTS AS"
	b.WriteString(st.Label.Render(common.Truncate(head, w)) + "\n")

	h := m.listHeight()
	lines := make([]string, 0, h)
	switch {
	case !m.loaded:
		lines = append(lines, st.Muted.Render("Loading suggestions…"))
	case m.loadErr != nil:
		lines = append(lines, wrap(st.Error.Render("Could not load the suggestions: "+common.OneLine(m.loadErr.Error())), w)...)
	case len(m.items) == 0:
		lines = append(lines, st.Bold.Render("No crosswalk suggestions for this engagement."))
		lines = append(lines, wrap(st.Muted.Render(m.emptyHint()), w)...)
	default:
		rows := m.displayRows()
		end := min(len(rows), m.offset+h)
		for _, row := range rows[m.offset:end] {
			if row.heading {
				lines = append(lines, st.Header.Render(common.Truncate(common.OneLine(row.label), w)))
				continue
			}
			lines = append(lines, m.itemLine(m.items[row.item], row.item == m.cursor, w))
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	b.WriteString(strings.Join(lines[:h], "\n") + "\n")
	b.WriteString(st.Subtle.Render(strings.Repeat("─", max(0, w))) + "\n")
	b.WriteString(strings.Join(m.detail(w), "\n"))
	return b.String()
}

func (m *Model) emptyHint() string {
	hint := "A requirement gets a suggestion when nobody assessed it yet and a requirement mapped to it in another standard in scope has a status that carries over."
	if len(m.eng.Standards) < 2 {
		hint = "Only one standard is in scope of this engagement, so the crosswalk has nothing to offer."
	}
	if m.skipped > 0 {
		hint += fmt.Sprintf(" %d skipped suggestions stay hidden.", m.skipped)
	}
	return hint
}

func (m *Model) itemLine(sg assessments.Suggestion, selected bool, w int) string {
	st := m.c.Styles
	tw := m.titleW()
	text := common.Pad(common.OneLine(sg.Ref), refW) + " " +
		common.Pad(common.OneLine(m.title(sg.Standard, sg.Ref)), tw) + " " +
		common.Pad(common.OneLine(sg.From.Ref), refW) + " " +
		common.Pad(string(sg.From.Relationship), relW) + " "
	src := statusCell(st, sg.FromStatus)
	carried := statusCell(st, sg.Carried)
	if selected {
		return common.Truncate(st.Cursor.Render("›")+" "+st.Selected.Render(text)+common.Pad(src, statusW)+" "+carried, w)
	}
	return common.Truncate("  "+text+common.Pad(src, statusW)+" "+carried, w)
}

// statusCell is a status mark and a short label.
func statusCell(st *common.Styles, s assessments.Status) string {
	label := s.Label()
	switch s {
	case assessments.Partial:
		label = "partial"
	case assessments.NotImplemented:
		label = "not impl."
	}
	return st.Status[s].Render(s.Mark()) + " " + label
}

func (m *Model) detail(w int) []string {
	st := m.c.Styles
	sg, ok := m.Selected()
	if !ok {
		return make([]string, detailLines)
	}
	lines := []string{
		common.Truncate(st.Bold.Render(common.OneLine(m.label(sg.Standard, sg.Ref)+"  "+m.title(sg.Standard, sg.Ref))), w),
		common.Truncate(st.Label.Render("from ")+common.OneLine(m.label(sg.From.Standard, sg.From.Ref)+"  "+m.title(sg.From.Standard, sg.From.Ref))+
			"  "+st.Accent.Render("("+string(sg.From.Relationship)+")"), w),
		common.Truncate(fmt.Sprintf("source %s → adopted as %s, needs review",
			st.Status[sg.FromStatus].Render(sg.FromStatus.Label()), st.Status[sg.Carried].Render(sg.Carried.Label())), w),
	}
	rat := wrap(st.Muted.Render(common.OneLine(sg.From.Rationale)), w)
	if len(rat) > detailLines-len(lines) {
		rat = rat[:detailLines-len(lines)]
		rat[len(rat)-1] = common.Truncate(rat[len(rat)-1]+" …", w)
	}
	lines = append(lines, rat...)
	for len(lines) < detailLines {
		lines = append(lines, "")
	}
	return lines
}

func wrap(s string, w int) []string {
	return strings.Split(ansi.Wordwrap(s, max(10, w), " "), "\n")
}
