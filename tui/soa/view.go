package soa

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
)

// Layout: a title, the current draft's state, the column titles; the versions; a rule and
// the selected row's detail.
const (
	headerLines = 3
	detailLines = 6
	diffHeader  = 3
	verW        = 14
	stateW      = 9
	whenW       = 30
)

// View draws the screen.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var out string
	if m.diff != nil {
		out = m.diffView()
	} else {
		out = m.versionsView()
	}
	lines := strings.Split(out, "\n")
	if len(lines) > m.height {
		lines = lines[:m.height]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > m.width {
			lines[i] = common.Truncate(l, m.width)
		}
	}
	return strings.Join(lines, "\n")
}

func (m *Model) title() string {
	st := m.c.Styles
	name := m.short()
	if m.cat != nil {
		name = m.cat.Name
	}
	return st.Title.Render("Statement of Applicability · "+name) + "  " + st.Muted.Render(common.OneLine(m.eng.Name))
}

// stateLine says where the current draft stands.
func (m *Model) stateLine() string {
	st := m.c.Styles
	if !m.loaded {
		return st.Muted.Render("Loading…")
	}
	if m.loadErr != nil {
		return st.Error.Render("Could not read the SoA: " + common.OneLine(m.loadErr.Error()))
	}
	s := "Current draft: " + openText(m.current)
	if b := m.base(); b != nil {
		n := len(assessments.DiffSoA(b.Entries, m.current))
		if n == 0 {
			s += fmt.Sprintf(" · no change since v%d", b.Version)
		} else {
			s += fmt.Sprintf(" · %s changed since v%d", countWord(n, "control", "controls"), b.Version)
		}
	} else {
		s += " · no version issued yet (i issues v1)"
	}
	if assessments.OpenTotal(m.current) > 0 {
		return st.Warn.Render(s)
	}
	return st.Muted.Render(s)
}

func (m *Model) summaryW() int { return max(10, m.width-(2+verW+1+stateW+1+whenW+1)) }

func (m *Model) versionsView() string {
	st := m.c.Styles
	w := m.width
	lines := []string{common.Truncate(m.title(), w), common.Truncate(m.stateLine(), w)}
	head := "  " + common.Pad("VERSION", verW) + " " + common.Pad("STATE", stateW) + " " + common.Pad("ISSUED / APPROVED", whenW) + " CHANGE SUMMARY"
	lines = append(lines, st.Label.Render(common.Truncate(head, w)))
	h := m.listHeight()
	if m.loaded && m.loadErr == nil {
		end := min(m.rows(), m.offset+h)
		for row := m.offset; row < end; row++ {
			lines = append(lines, m.rowLine(row))
		}
		if len(m.versions) == 0 && h > 1 {
			lines = append(lines, st.Muted.Render(common.Truncate("  No version issued yet: i issues the SoA as it stands as v1, a approves it.", w)))
		}
	}
	for len(lines) < headerLines+h {
		lines = append(lines, "")
	}
	lines = append(lines, st.Subtle.Render(strings.Repeat("─", max(0, w))))
	lines = append(lines, m.detail()...)
	return strings.Join(lines, "\n")
}

func (m *Model) rowLine(row int) string {
	st := m.c.Styles
	mark := "  "
	if row == m.mark {
		mark = "◆ "
	}
	var ver, state, when, summary string
	if row == 0 {
		ver, state, when = "current draft", "working", "as it stands now"
		summary = "the SoA the gap analysis and the risk register give"
		if n := assessments.OpenTotal(m.current); n > 0 {
			summary = countWord(n, "open decision", "open decisions")
		}
	} else {
		v := m.versions[row-1]
		ver, state = fmt.Sprintf("v%d", v.Version), v.State.Label()
		when = "issued " + v.IssuedAt.UTC().Format(assessments.DateLayout) + " by " + common.OneLine(v.IssuedBy)
		if v.Frozen() {
			when = common.OneLine(v.Approver) + ", " + v.ApprovedOn
		}
		summary = common.OneLine(v.ChangeSummary)
	}
	line := mark + common.Pad(ver, verW) + " " + common.Pad(state, stateW) + " " + common.Pad(common.Truncate(when, whenW), whenW) + " " +
		common.Truncate(summary, m.summaryW())
	line = common.Truncate(line, m.width)
	switch {
	case row == m.cursor:
		return st.Selected.Render(common.Pad(ansi.Strip(line), m.width))
	case row > 0 && m.versions[row-1].Frozen():
		return st.OK.Render(line)
	case row > 0:
		return st.Warn.Render(line)
	}
	return line
}

// detail describes the selected row.
func (m *Model) detail() []string {
	st := m.c.Styles
	w := m.width
	var out []string
	add := func(s string) { out = append(out, common.Truncate(s, w)) }
	if !m.loaded || m.loadErr != nil {
		return out
	}
	if m.cursor == 0 {
		add(st.Bold.Render("Current draft") + st.Muted.Render(fmt.Sprintf("  %d controls · %s", len(m.current), openText(m.current))))
		applicable, excluded, undecided := 0, 0, 0
		for _, e := range m.current {
			switch e.Applicability {
			case assessments.Applicable:
				applicable++
			case assessments.Excluded:
				excluded++
			default:
				undecided++
			}
		}
		add(st.Muted.Render(fmt.Sprintf("%d applicable, %d excluded, %d not decided; \"without a reason\": no inclusion reason given.", applicable, excluded, undecided)))
		add(st.Muted.Render("The audit pack carries it as the current draft, each open decision marked."))
	} else {
		v := m.versions[m.cursor-1]
		head := st.Bold.Render(v.Label()) + st.Muted.Render(fmt.Sprintf("  %d controls · %s", len(v.Entries), openText(v.Entries)))
		add(head)
		if v.Frozen() {
			add(st.OK.Render(fmt.Sprintf("Approved by %s on %s; frozen.", common.OneLine(v.Approver), v.ApprovedOn)) +
				st.Muted.Render(" Issued "+v.IssuedAt.UTC().Format("2006-01-02 15:04")+" by "+common.OneLine(v.IssuedBy)+"."))
		} else {
			add(st.Warn.Render("Draft, issued " + v.IssuedAt.UTC().Format("2006-01-02 15:04") + " by " + common.OneLine(v.IssuedBy) + ": a approves it, i issues it again."))
		}
		for _, l := range wrap(common.OneLine(v.ChangeSummary), w) {
			if len(out) < detailLines-2 {
				add(l)
			}
		}
		add(st.Subtle.Render("contents SHA-256 " + v.Digest()))
	}
	hint := "enter: changes against the version before"
	if m.mark >= 0 && m.mark != m.cursor {
		hint = "enter: changes between " + m.rowName(m.mark) + " and this"
	}
	for len(out) < detailLines-1 {
		out = append(out, "")
	}
	out = append(out[:detailLines-1], st.Subtle.Render(common.Truncate(hint+" · m: compare from here", w)))
	return out
}

func wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Wordwrap(s, w, " "), "\n")
}

// diffLines are the changes drawn for the width, cached.
func (m *Model) diffLines() []string {
	d := m.diff
	if d.lines != nil && d.width == m.width {
		return d.lines
	}
	st := m.c.Styles
	w := m.width
	var out []string
	if len(d.changes) == 0 {
		out = append(out, st.OK.Render("No control differs: the same applicability, reasons, justification and status."))
	}
	label := func(s string) string { return st.Muted.Render(common.Pad(s, 16)) }
	for _, c := range d.changes {
		out = append(out, common.Truncate(st.Bold.Render(common.Pad(c.Ref, 8))+" "+common.OneLine(c.Title), w))
		for _, f := range c.Fields {
			var before, after string
			switch f {
			case assessments.ChangeAdded:
				out = append(out, "         "+label("added")+" "+common.Truncate(c.After.Applicability.Label()+", "+c.After.StatusText(), w-26))
				continue
			case assessments.ChangeRemoved:
				out = append(out, "         "+label("removed"))
				continue
			case assessments.ChangeApplicability:
				before, after = c.Before.Applicability.Label(), c.After.Applicability.Label()
			case assessments.ChangeReasons:
				before, after = orNone(c.Before.ReasonsText()), orNone(c.After.ReasonsText())
			case assessments.ChangeJustification:
				before, after = orNone(common.OneLine(c.Before.Justification)), orNone(common.OneLine(c.After.Justification))
			case assessments.ChangeStatus:
				before, after = c.Before.StatusText(), c.After.StatusText()
			}
			text := st.Error.Render(before) + st.Muted.Render(" → ") + st.OK.Render(after)
			out = append(out, common.Truncate("         "+label(f)+" "+text, w))
		}
	}
	d.lines, d.width = out, w
	return out
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "none"
	}
	return s
}

func (m *Model) diffView() string {
	st := m.c.Styles
	d := m.diff
	w := m.width
	lines := []string{common.Truncate(m.title(), w),
		common.Truncate(st.Header.Render(fmt.Sprintf("%s → %s", d.from, d.to))+st.Muted.Render(fmt.Sprintf("  %s changed", countWord(len(d.changes), "control", "controls"))), w),
		st.Subtle.Render(strings.Repeat("─", max(0, w)))}
	body := m.diffLines()
	h := max(1, m.height-diffHeader)
	end := min(len(body), d.offset+h)
	lines = append(lines, body[d.offset:end]...)
	return strings.Join(lines, "\n")
}
