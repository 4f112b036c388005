package risks

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
)

// heatScore is the score a risk has in the heat map's current mode. In residual mode a
// risk whose residual is not scored yet stands at its inherent score: nothing reduced it.
func (m *Model) heatScore(r assessments.Risk) assessments.Score {
	if m.heatResid {
		return r.EffectiveResidual()
	}
	return r.Inherent
}

// counts are the open risks per cell, over the rows the table's filters leave: closed
// risks are left out, as in the report. They are computed once per data, filter or mode
// change.
func (m *Model) counts() (cells [][]int, unscored int) {
	if m.countCache == nil {
		m.countCache, m.countUnscored, m.countClosed = m.countCells()
	}
	return m.countCache, m.countUnscored
}

func (m *Model) countCells() (cells [][]int, unscored, closed int) {
	n := m.matrix.Size
	cells = make([][]int, n)
	for i := range cells {
		cells[i] = make([]int, n)
	}
	for _, ri := range m.rows {
		r := &m.risks[ri]
		if r.EffectiveStatus() == assessments.RiskClosed {
			closed++ // the heat map shows what is still at stake, as the report does
			continue
		}
		s := m.heatScore(*r)
		if !m.matrix.InRange(s) {
			continue
		}
		if m.heatResid && !r.Residual.Set() {
			unscored++
		}
		cells[s.Likelihood-1][s.Consequence-1]++
	}
	return cells, unscored, closed
}

// cellRisks are the indexes of the (filtered) open risks in a cell, in table order.
func (m *Model) cellRisks(l, c int) []int {
	var out []int
	for _, ri := range m.rows {
		r := m.risks[ri]
		if r.EffectiveStatus() == assessments.RiskClosed {
			continue
		}
		if s := m.heatScore(r); s.Likelihood == l && s.Consequence == c {
			out = append(out, ri)
		}
	}
	return out
}

func (m *Model) heatKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.CellUp):
		m.heatL = min(m.heatL+1, m.matrix.Size)
	case key.Matches(msg, k.CellDown):
		m.heatL = max(m.heatL-1, 1)
	case key.Matches(msg, k.CellLeft):
		m.heatC = max(m.heatC-1, 1)
	case key.Matches(msg, k.CellRight):
		m.heatC = min(m.heatC+1, m.matrix.Size)
	case key.Matches(msg, k.Mode):
		m.heatResid = !m.heatResid
		m.countCache = nil
	case key.Matches(msg, k.ListCell):
		m.cellRiskIdx = m.cellRisks(m.heatL, m.heatC)
		m.cellCursor, m.cellOffset = 0, 0
		m.view = viewCell
	case key.Matches(msg, k.Close):
		m.view = viewTable
	case key.Matches(msg, k.Matrix):
		return m.openSettings()
	case key.Matches(msg, k.AllKeys):
		return toggleHelp
	}
	return nil
}

func toggleHelp() tea.Msg { return common.ToggleHelpMsg{} }

func (m *Model) cellKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.cellCursor = max(0, m.cellCursor-1)
	case key.Matches(msg, k.Down):
		m.cellCursor = max(0, min(len(m.cellRiskIdx)-1, m.cellCursor+1))
	case key.Matches(msg, k.Edit):
		if r, ok := m.cellSelected(); ok {
			return m.openEdit(r)
		}
	case key.Matches(msg, k.Accept):
		if r, ok := m.cellSelected(); ok {
			return m.openAccept(r)
		}
	case key.Matches(msg, k.Close):
		m.view = viewHeat
	case key.Matches(msg, k.AllKeys):
		return toggleHelp
	}
	return nil
}

func (m *Model) cellSelected() (assessments.Risk, bool) {
	if m.cellCursor >= 0 && m.cellCursor < len(m.cellRiskIdx) {
		return m.risks[m.cellRiskIdx[m.cellCursor]], true
	}
	return assessments.Risk{}, false
}

func (m *Model) modeName() string {
	if m.heatResid {
		return "residual"
	}
	return "inherent"
}

func center(s string, w int) string {
	sw := lipgloss.Width(s)
	if sw >= w {
		return common.Truncate(s, w)
	}
	left := (w - sw) / 2
	return strings.Repeat(" ", left) + s + strings.Repeat(" ", w-sw-left)
}

// heatView draws the heat map, reusing the last frame while nothing it shows changed, and
// the grid lines a move of the selection does not touch.
func (m *Model) heatView() string {
	base := fmt.Sprint(m.width, m.height, m.heatResid)
	if m.countCache == nil || base != m.heatRowsFor || m.heatStyles != m.c.Styles {
		m.heatRows = map[[3]int]string{}
		m.heatRowsFor = base
		m.heatOut = ""
	}
	key := fmt.Sprint(m.heatL, m.heatC)
	if m.countCache != nil && m.heatOut != "" && key == m.heatDrawnFor {
		return m.heatOut
	}
	m.heatOut = m.drawHeat()
	m.heatDrawnFor, m.heatStyles = key, m.c.Styles
	return m.heatOut
}

func (m *Model) drawHeat() string {
	st := m.c.Styles
	ps := m.styles()
	w, h := m.width, m.height
	mx := m.matrix
	n := mx.Size
	cells, unscored := m.counts()

	var lines []string
	other := "inherent"
	if !m.heatResid {
		other = "residual"
	}
	open := len(m.rows) - m.countClosed
	lines = append(lines, common.Truncate(st.Title.Render("Heat map · "+m.modeName()+" risk")+
		st.Muted.Render(fmt.Sprintf("  %s · i shows %s · accept up to %s", count(open, "open risk"), other, common.OneLine(mx.ThresholdName()))), w))
	note := ""
	if m.countClosed > 0 {
		note = st.Subtle.Render(fmt.Sprintf("%s not counted", count(m.countClosed, "closed risk")))
	}
	if f := m.filterSummary(); f != "" {
		if note != "" {
			note += st.Subtle.Render(" · ")
		}
		note += st.Accent.Render("filter: ") + f
	}
	if m.heatResid && unscored > 0 {
		if note != "" {
			note += st.Subtle.Render(" · ")
		}
		its := "its"
		if unscored > 1 {
			its = "their"
		}
		note += st.Subtle.Render(count(unscored, "unscored residual") + " shown at " + its + " inherent score")
	}
	lines = append(lines, common.Truncate(note, w))

	labelW := 0
	for _, l := range mx.LikelihoodLabels {
		labelW = max(labelW, lipgloss.Width(common.OneLine(l)))
	}
	labelW = min(labelW, max(8, w/5)) + 3 // label, space, digit, space
	cellW := max(3, min(18, (w-labelW-(n-1))/n))
	cellH := max(1, min(3, (h-7)/n))

	for l := n; l >= 1; l-- {
		for y := 0; y < cellH; y++ {
			// A grid line changes only when the selection enters or leaves its row.
			selC := 0
			if l == m.heatL {
				selC = m.heatC
			}
			rk := [3]int{l, y, selC}
			if line, ok := m.heatRows[rk]; ok {
				lines = append(lines, line)
				continue
			}
			label := strings.Repeat(" ", labelW)
			if y == (cellH-1)/2 {
				label = common.Pad(common.Truncate(common.OneLine(mx.LikelihoodLabels[l-1]), labelW-3), labelW-3) + fmt.Sprintf(" %d ", l)
				label = ps.axis.Render(label)
			}
			var row []string
			for c := 1; c <= n; c++ {
				row = append(row, m.heatCell(l, c, cells[l-1][c-1], y, cellW, cellH))
			}
			line := common.Truncate(label+strings.Join(row, " "), w)
			m.heatRows[rk] = line
			lines = append(lines, line)
		}
	}
	// Consequence axis: numbers, then labels.
	var nums, labels []string
	for c := 1; c <= n; c++ {
		nums = append(nums, center(fmt.Sprint(c), cellW))
		labels = append(labels, center(common.Truncate(common.OneLine(mx.ConsequenceLabels[c-1]), cellW), cellW))
	}
	pad := strings.Repeat(" ", labelW)
	lines = append(lines, ps.axis.Render(common.Truncate(pad+strings.Join(nums, " "), w)))
	lines = append(lines, ps.axis.Render(common.Truncate(pad+strings.Join(labels, " "), w)))

	lv, _ := mx.Level(m.heatL, m.heatC)
	k := cells[m.heatL-1][m.heatC-1]
	sel := fmt.Sprintf("%s (%d) × %s (%d) = %s · %s", common.OneLine(mx.LikelihoodLabels[m.heatL-1]), m.heatL,
		common.OneLine(mx.ConsequenceLabels[m.heatC-1]), m.heatC, common.OneLine(lv.Name), count(k, "open risk"))
	if k > 0 {
		sel += st.Subtle.Render(" · enter lists them")
	}
	lines = append(lines, common.Truncate(sel, w))
	for len(lines) > h && len(lines) > 0 {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

// count is a number with its noun agreeing ("1 open risk", "2 open risks").
func count(n int, noun string) string { return common.Count(n, noun, noun+"s") }

// heatCell draws line y of the cell at (l, c).
func (m *Model) heatCell(l, c, count, y, cellW, cellH int) string {
	ps := m.styles()
	lv, ok := m.matrix.Level(l, c)
	if !ok {
		return ps.heatNone.Render(strings.Repeat("?", cellW))
	}
	selected := l == m.heatL && c == m.heatC
	num := fmt.Sprint(count)
	if count == 0 {
		num = "·"
	}
	if selected {
		num = "[" + num + "]"
	}
	name := levelText(lv.Name, cellW-2)
	var txt string
	switch {
	case cellH == 1:
		txt = num
		if lipgloss.Width(num)+1+lipgloss.Width(name) <= cellW-2 {
			txt = num + " " + name
		}
	case cellH == 2:
		txt = []string{num, name}[y]
	default:
		txt = []string{"", num, name}[min(y, 2)]
		if y > 2 {
			txt = ""
		}
	}
	style := ps.heat[lv.Colour()]
	if selected {
		style = ps.heatSel[lv.Colour()]
	}
	return style.Render(center(txt, cellW))
}

func (m *Model) cellView() string {
	st := m.c.Styles
	w := m.width
	mx := m.matrix
	lv, _ := mx.Level(m.heatL, m.heatC)
	var lines []string
	lines = append(lines, common.Truncate(st.Title.Render(fmt.Sprintf("%s × %s", common.OneLine(mx.LikelihoodLabels[m.heatL-1]),
		common.OneLine(mx.ConsequenceLabels[m.heatC-1])))+st.Muted.Render(fmt.Sprintf("  %s · %s · %s", common.OneLine(lv.Name),
		m.modeName(), count(len(m.cellRiskIdx), "open risk"))), w))
	lines = append(lines, "")
	if len(m.cellRiskIdx) == 0 {
		lines = append(lines, st.Muted.Render("No open risk in this cell. esc goes back to the heat map."))
	}
	rows := max(1, m.height-3)
	if m.cellCursor < m.cellOffset {
		m.cellOffset = m.cellCursor
	}
	if m.cellCursor >= m.cellOffset+rows {
		m.cellOffset = m.cellCursor - rows + 1
	}
	ownerW := 16
	if w < 100 {
		ownerW = 12
	}
	titleW := max(10, w-4-6-ownerW-3-12-3)
	for i := m.cellOffset; i < min(len(m.cellRiskIdx), m.cellOffset+rows); i++ {
		r := m.risks[m.cellRiskIdx[i]]
		line := m.flags(r) + " " + common.Pad(r.Ref, 6) + common.Pad(common.OneLine(r.Title), titleW) + " " +
			common.Pad(common.OneLine(r.Owner), ownerW) + " " + common.Pad(r.EffectiveStatus().Label(), 12)
		if i == m.cellCursor {
			line = st.Selected.Render(common.Pad(stripANSI(line), w))
		}
		lines = append(lines, common.Truncate(line, w))
	}
	return strings.Join(lines, "\n")
}
