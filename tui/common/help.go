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

// ShortHelp draws the help bar: the bindings in order, "key desc" separated by dots, on as
// many lines as lines allows. An entry is never cut: what does not fit is left out and the
// last binding (the "?" that lists every key) is always shown.
func ShortHelp(st *Styles, bindings []key.Binding, width, lines int) string {
	var entries []string
	var last string
	for i, b := range bindings {
		if !b.Enabled() || b.Help().Key == "" {
			continue
		}
		e := st.Key.Render(b.Help().Key) + " " + st.Muted.Render(b.Help().Desc)
		if i == len(bindings)-1 {
			last = e
			continue
		}
		entries = append(entries, e)
	}
	sep := st.Subtle.Render(" • ")
	sepW := lipgloss.Width(sep)
	var out []string
	cur, curW := "", 0
	lastW := lipgloss.Width(last)
	for _, e := range entries {
		w := lipgloss.Width(e)
		room := width
		if len(out) == lines-1 {
			room = width - lastW - sepW // the final line keeps room for the last binding
		}
		switch {
		case curW == 0 && w <= room:
			cur, curW = e, w
		case curW > 0 && curW+sepW+w <= room:
			cur, curW = cur+sep+e, curW+sepW+w
		case len(out) < lines-1:
			out = append(out, cur)
			cur, curW = e, w
		default:
			continue // does not fit: left out, never cut
		}
	}
	if last != "" {
		if curW > 0 {
			cur += sep
		}
		cur += last
	}
	out = append(out, cur)
	for len(out) < lines {
		// The bar keeps its height, so the screen above does not jump between screens.
		out = append([]string{""}, out...)
	}
	return strings.Join(out, "\n")
}
