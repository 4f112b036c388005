package form

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annex-grc/annex/tui/common"
)

// View draws the visible fields in the form's size, scrolled so the focused field shows,
// with a cue where more fields are above or below.
func (f *Form) View() string {
	lines, top, bottom := f.lines()
	h := f.height
	if f.asking {
		h-- // the question takes the last line
	}
	h = max(h, 1)
	// Keep the focused field (from its label to its last line, an open list included) in
	// view, clear of the "more above/below" cues that take the first and last lines.
	hidesTop := func(off int) bool { return top < off || (off > 0 && top == off) }
	if hidesTop(f.offset) {
		f.offset = max(0, top-1)
	}
	if bottom > f.offset+h-1 || (f.offset+h < len(lines) && bottom == f.offset+h-1) {
		f.offset = bottom - h + 1
		if f.offset+h < len(lines) {
			f.offset++
		}
	}
	if hidesTop(f.offset) { // taller than the view: show its start
		f.offset = max(0, top-1)
	}
	f.offset = max(0, min(f.offset, max(0, len(lines)-h)))
	end := min(len(lines), f.offset+h)
	view := window(lines, f.offset, end)
	if f.offset > 0 && len(view) > 0 {
		view[0] = f.st.Subtle.Render(common.Truncate("  ↑ more above", f.width))
	}
	if end < len(lines) && len(view) > 1 {
		view[len(view)-1] = f.st.Subtle.Render(common.Truncate("  ↓ more below (tab moves down)", f.width))
	}
	if f.asking {
		for len(view) < h {
			view = append(view, "")
		}
		view = append(view, f.st.Warn.Render(common.Truncate("Discard changes? y discards, n keeps editing", f.width)))
	}
	return strings.Join(view, "\n")
}

func window(lines []string, from, to int) []string {
	out := make([]string, to-from)
	copy(out, lines[from:to])
	return out
}

// lines draws every visible field; top and bottom are the focused field's first and last
// line.
func (f *Form) lines() (out []string, top, bottom int) {
	st := f.st
	lw := f.labelWidth()
	vw := max(8, f.width-len(f.indent(lw)))
	vals := f.Values()
	for i := 0; i < len(f.fields); {
		// A line holds a field and the inline fields that follow it.
		j := i + 1
		for j < len(f.fields) && f.fields[j].spec.Inline {
			j++
		}
		if !f.visibleIn(i, vals) {
			i = j
			continue
		}
		s := f.fields[i]
		if s.spec.Section != "" {
			if len(out) > 0 {
				out = append(out, "")
			}
			out = append(out, st.Header.Render(common.Truncate(s.spec.Section, f.width)))
		}
		start := len(out)
		if j-i == 1 {
			out = append(out, f.fieldLines(i, lw, vw)...)
		} else {
			out = append(out, f.inlineLine(i, j))
		}
		for k := i; k < j; k++ {
			key := f.fields[k].spec.Key
			if msg, ok := f.errs[key]; ok {
				for _, l := range wrap("! "+msg, vw) {
					out = append(out, f.indent(lw)+st.Error.Render(l))
				}
			}
			if k == f.focus && !f.readOnly {
				if f.pick != nil && f.pick.field == f.fields[k] {
					out = append(out, f.pick.list.Lines(st, len(f.indent(lw)), f.width)...)
				} else if h := f.fields[k].spec.Help; h != "" {
					for _, l := range wrap(h, vw) {
						out = append(out, f.indent(lw)+st.Muted.Render(l))
					}
				}
			}
		}
		if f.focus >= i && f.focus < j {
			top, bottom = start, len(out)-1
			if s.spec.Section != "" && start > 0 {
				top = start - 1 // keep the section title with its first field
			}
		}
		i = j
	}
	return out, top, bottom
}

func (f *Form) indent(lw int) string {
	if f.bare {
		return ""
	}
	return strings.Repeat(" ", lw+1)
}

func wrap(s string, w int) []string {
	return strings.Split(lipgloss.Wrap(common.Inert(s), max(w, 8), " "), "\n")
}

func (f *Form) label(i, w int) string {
	if f.bare {
		return ""
	}
	s := f.fields[i]
	st := f.st
	text := common.Truncate(s.spec.Label, w-2)
	switch {
	case i == f.focus && !f.readOnly:
		return st.Cursor.Render(common.Pad("▸ "+text, w))
	case f.errs[s.spec.Key] != "":
		return st.Error.Render(common.Pad("✗ "+text, w))
	}
	return st.Label.Render(common.Pad("  "+text, w))
}

// fieldLines draws one field on its own line (several for multi-line text).
func (f *Form) fieldLines(i, lw, vw int) []string {
	s := f.fields[i]
	label := f.label(i, lw) + " "
	indent := strings.Repeat(" ", lw+1)
	if f.bare {
		label, indent = "", ""
	}
	focused := i == f.focus && !f.readOnly
	if s.spec.Kind == MultiLine {
		if focused {
			area := strings.Split(s.area.View(), "\n")
			out := []string{label + area[0]}
			for _, l := range area[1:] {
				out = append(out, indent+l)
			}
			return out
		}
		v := strings.TrimRight(s.area.Value(), "\n")
		if v == "" {
			return []string{label + f.placeholder(s, vw)}
		}
		limit := 3
		if f.readOnly {
			limit = 12
		}
		wrapped := wrap(v, vw)
		if len(wrapped) > limit {
			wrapped = append(wrapped[:limit-1], f.st.Subtle.Render("… ("+strconv.Itoa(len(strings.Split(v, "\n")))+" lines)"))
		}
		out := []string{label + wrapped[0]}
		for _, l := range wrapped[1:] {
			out = append(out, indent+l)
		}
		return out
	}
	if f.readOnly && (s.spec.Kind == Text || s.spec.Kind == Person) {
		v := s.input.Value()
		if v == "" {
			return []string{label + f.st.Subtle.Render("–")}
		}
		if s.spec.Secret {
			return []string{common.Truncate(label+mask(v, vw), f.width)}
		}
		wrapped := wrap(v, vw)
		out := []string{label + wrapped[0]}
		for _, l := range wrapped[1:] {
			out = append(out, indent+l)
		}
		return out
	}
	return []string{common.Truncate(label+f.valueCell(i, vw), f.width)}
}

// inlineLine draws a field and the inline fields after it on one line.
func (f *Form) inlineLine(i, j int) string {
	per := f.width / (j - i)
	var cells []string
	for k := i; k < j; k++ {
		lw := min(lipgloss.Width(f.fields[k].spec.Label)+3, per/2)
		if k == i {
			lw = min(f.labelWidth(), per/2)
		}
		cells = append(cells, common.Pad(f.label(k, lw)+" "+f.valueCell(k, per-lw-2), per-1))
	}
	return common.Truncate(strings.Join(cells, " "), f.width)
}

func (f *Form) placeholder(s *state, w int) string {
	if f.readOnly || s.spec.Placeholder == "" {
		return f.st.Subtle.Render("–")
	}
	// Placeholders are italic and dim, and in brackets under NO_COLOR, so they never read
	// as typed values.
	text := s.spec.Placeholder
	if f.st.NoColor {
		text = "(" + text + ")"
	}
	return f.st.Subtle.Italic(true).Render(common.Truncate(text, w))
}

func (f *Form) valueCell(i, w int) string {
	s := f.fields[i]
	st := f.st
	w = max(4, w)
	focused := i == f.focus && !f.readOnly
	switch s.spec.Kind {
	case Text, Date, Person:
		if focused {
			// A Person field shows the suggestion inline after the typed text (→ takes it).
			// The input scrolls its own text; what passes w is padding and the rest of a
			// suggestion, cut without an ellipsis.
			return ansi.Truncate(s.input.View(), w, "")
		}
		if s.input.Value() == "" {
			return f.placeholder(s, w)
		}
		if s.spec.Secret {
			return mask(s.input.Value(), w)
		}
		return common.Truncate(common.OneLine(s.input.Value()), w)
	case Level, Choice:
		label := "–"
		for _, o := range f.options(s) {
			if o.Value == s.value {
				label = common.OneLine(o.Label)
			}
		}
		if focused {
			hint := ""
			if s.spec.Kind == Choice && len(f.options(s)) > 4 {
				hint = st.Subtle.Render("  enter: list")
			}
			return common.Truncate(st.Accent.Render("‹ ")+st.Selected.Render(label)+st.Accent.Render(" ›")+hint, w)
		}
		return common.Truncate(label, w)
	case Multi:
		vals := Split(s.value)
		if len(vals) == 0 {
			text := st.Subtle.Render("none")
			if focused {
				text += st.Subtle.Render("  enter: pick")
			}
			return text
		}
		labels := make([]string, 0, len(vals))
		opts := f.options(s)
		for _, v := range vals {
			l := v
			for _, o := range opts {
				if o.Value == v {
					l = shortLabel(o.Label)
				}
			}
			labels = append(labels, common.OneLine(l))
		}
		text := strings.Join(labels, ", ")
		if focused {
			return common.Truncate(st.Selected.Render(text), w)
		}
		return common.Truncate(text, w)
	}
	return ""
}

// shortLabel is the part of a list label before two spaces ("ISO 27001 A.5.1  Policies" →
// "ISO 27001 A.5.1"), so a picked list stays readable on one line.
func shortLabel(l string) string {
	if a, _, ok := strings.Cut(l, "  "); ok {
		return a
	}
	return l
}

// maskChar stands for each character of a Secret field.
const maskChar = '•'

// mask draws a secret as one mark per character, at most w.
func mask(v string, w int) string {
	return strings.Repeat(string(maskChar), min(utf8.RuneCountInString(v), max(1, w)))
}
