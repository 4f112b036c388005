package common

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// Fit pads or cuts a view to exactly h lines, each at most w cells.
func Fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = Truncate(l, w)
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// ScrollOffset is the first row to show of a list of total rows in height lines, moved from
// offset as little as it takes to keep the rows from top to cursor in view (top is the
// cursor, or a heading above it that should show with it).
func ScrollOffset(offset, top, cursor, height, total int) int {
	if top < offset {
		offset = top
	}
	if cursor >= offset+height {
		offset = cursor - height + 1
	}
	return max(0, min(offset, max(0, total-height)))
}
