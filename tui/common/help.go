package common

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// FullHelp draws every key of the groups once (a key listed by two groups shows the first
// time), in as many columns as fit width, so the list fits an 80-column terminal.
func FullHelp(st *Styles, groups [][]key.Binding, width int) string {
	type entry struct{ k, d string }
	var entries []entry
	seen := map[string]bool{}
	for _, g := range groups {
		for _, b := range g {
			if !b.Enabled() || b.Help().Key == "" {
				continue
			}
			h := b.Help()
			id := strings.Join(b.Keys(), " ")
			if seen[id] || seen["help:"+h.Key] {
				continue
			}
			seen[id], seen["help:"+h.Key] = true, true
			entries = append(entries, entry{h.Key, h.Desc})
		}
	}
	if len(entries) == 0 {
		return ""
	}
	kw, dw := 0, 0
	for _, e := range entries {
		kw = max(kw, lipgloss.Width(e.k))
		dw = max(dw, lipgloss.Width(e.d))
	}
	kw, dw = min(kw, 16), min(dw, 24)
	colW := kw + 1 + dw + 3
	cols := max(1, min(len(entries), width/colW))
	rows := (len(entries) + cols - 1) / cols
	lines := make([]string, rows)
	for i, e := range entries {
		r := i % rows
		cell := st.Key.Render(Pad(Truncate(e.k, kw), kw)) + " " + st.Muted.Render(Pad(Truncate(e.d, dw), dw))
		if i/rows < cols-1 {
			cell += "   "
		}
		lines[r] += cell
	}
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " ")
	}
	return strings.Join(lines, "\n")
}
