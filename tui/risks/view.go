package risks

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/annex-grc/annex/tui/common"
)

// View draws the tab in its area.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var out string
	switch {
	case m.form != nil:
		out = m.formView(m.form)
	case m.settings != nil:
		out = m.settings.view()
	case m.plan != nil:
		out = m.planScreen()
	case m.view == viewCell:
		out = m.cellView()
	case m.view == viewHeat:
		out = m.heatView()
	default:
		out = m.tableView()
	}
	// Never more lines, nor wider ones, than the area has. The table's rows are cut to
	// width when drawn and cached, so only the other views pay for the check.
	lines := strings.Split(out, "\n")
	if len(lines) > m.height {
		lines = lines[:m.height]
	}
	if m.form != nil || m.settings != nil || m.view != viewTable || m.plan != nil {
		for i, l := range lines {
			if lipgloss.Width(l) > m.width {
				lines[i] = common.Truncate(l, m.width)
			}
		}
	}
	return strings.Join(lines, "\n")
}
