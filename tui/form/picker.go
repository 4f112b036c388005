package form

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/annex-grc/annex/tui/common"
)

// List is a pick list with a filter: typed letters filter it, arrows move, space ticks
// (multi), enter picks or closes, esc closes without a change. A Choice or Multi field
// opens one under itself; dialog.Pick shows one in a box.
type List struct {
	multi  bool
	items  []Option
	shown  []int // indexes of items that pass the filter
	cursor int   // index into shown; -1 when nothing is shown
	offset int
	rows   int
	filter textinput.Model
	chosen map[string]bool
	// order keeps ticked values in the order they were chosen or loaded.
	order []string
	keys  KeyMap
}

// ListResult is what a key did to a list.
type ListResult int

const (
	// ListOpen: the list stays open.
	ListOpen ListResult = iota
	// ListDone: enter picked (single) or confirmed the ticks (multi).
	ListDone
	// ListCancel: esc closed the list; nothing changes.
	ListCancel
)

// NewList builds a list over items with the values in selected ticked (multi) or under the
// cursor (single), and typed already in its filter.
func NewList(items []Option, multi bool, selected []string, typed string) *List {
	in := textinput.New()
	in.Prompt = "/ "
	in.Placeholder = "type to filter"
	in.CharLimit = 100
	steady(&in)
	in.Focus()
	l := &List{multi: multi, items: items, filter: in, chosen: map[string]bool{}, rows: 8, keys: DefaultKeyMap()}
	for _, v := range selected {
		if v != "" && !l.chosen[v] {
			l.chosen[v] = true
			l.order = append(l.order, v)
		}
	}
	l.filter.SetValue(typed)
	l.filter.CursorEnd()
	l.refilter()
	if !multi && len(selected) == 1 {
		for i, idx := range l.shown {
			if l.items[idx].Value == selected[0] {
				l.cursor = i
			}
		}
	}
	l.clamp()
	return l
}

// SetRows sets how many rows the list draws.
func (l *List) SetRows(n int) {
	l.rows = max(1, n)
	l.clamp()
}

// refilter keeps the items whose label or value holds every typed word.
func (l *List) refilter() {
	words := strings.Fields(strings.ToLower(l.filter.Value()))
	l.shown = l.shown[:0]
	for i, it := range l.items {
		hay := strings.ToLower(it.Label + " " + it.Value)
		ok := true
		for _, w := range words {
			if !strings.Contains(hay, w) {
				ok = false
				break
			}
		}
		if ok {
			l.shown = append(l.shown, i)
		}
	}
	l.cursor, l.offset = 0, 0
	l.clamp()
}

func (l *List) clamp() {
	if len(l.shown) == 0 {
		l.cursor, l.offset = -1, 0
		return
	}
	l.cursor = max(0, min(len(l.shown)-1, l.cursor))
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+l.rows {
		l.offset = l.cursor - l.rows + 1
	}
}

// Current is the item under the cursor; false when nothing matches the filter.
func (l *List) Current() (Option, bool) {
	if l.cursor < 0 || l.cursor >= len(l.shown) {
		return Option{}, false
	}
	return l.items[l.shown[l.cursor]], true
}

// Ticked lists the ticked values in the order of the list, then any kept value the list
// lacks (a multi list).
func (l *List) Ticked() []string {
	var out []string
	seen := map[string]bool{}
	for _, it := range l.items {
		if l.chosen[it.Value] {
			out = append(out, it.Value)
			seen[it.Value] = true
		}
	}
	for _, v := range l.order {
		if l.chosen[v] && !seen[v] {
			out = append(out, v)
		}
	}
	return out
}

// Update handles a key or a paste.
func (l *List) Update(msg tea.Msg) (ListResult, tea.Cmd) {
	if p, ok := msg.(tea.PasteMsg); ok {
		l.filter.SetValue(l.filter.Value() + common.OneLine(p.Content))
		l.refilter()
		return ListOpen, nil
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return ListOpen, nil
	}
	keys := l.keys
	move := func(d int) {
		if l.cursor >= 0 {
			l.cursor += d
			l.clamp()
		}
	}
	switch {
	case key.Matches(k, keys.Back):
		return ListCancel, nil
	case key.Matches(k, keys.PickDn):
		move(1)
		return ListOpen, nil
	case key.Matches(k, keys.PickUp):
		move(-1)
		return ListOpen, nil
	case key.Matches(k, keys.PageDn):
		move(l.rows)
		return ListOpen, nil
	case key.Matches(k, keys.PageUp):
		move(-l.rows)
		return ListOpen, nil
	case l.multi && key.Matches(k, keys.Toggle):
		if it, ok := l.Current(); ok {
			if l.chosen[it.Value] {
				delete(l.chosen, it.Value)
			} else {
				l.chosen[it.Value] = true
				l.order = append(l.order, it.Value)
			}
		}
		return ListOpen, nil
	case key.Matches(k, keys.List):
		if !l.multi {
			if _, ok := l.Current(); !ok {
				return ListOpen, nil // nothing matches: enter does nothing
			}
		}
		return ListDone, nil
	case key.Matches(k, keys.Next, keys.Prev):
		return ListOpen, nil
	}
	before := l.filter.Value()
	var cmd tea.Cmd
	l.filter, cmd = l.filter.Update(k)
	if l.filter.Value() != before {
		l.refilter()
	}
	return ListOpen, cmd
}

// Lines draws the filter and the visible rows, indented by indent cells.
func (l *List) Lines(st *common.Styles, indent, width int) []string {
	pad := strings.Repeat(" ", indent)
	w := max(10, width-indent)
	// An input without a width shows one cell of its placeholder.
	l.filter.SetWidth(max(1, w-lipgloss.Width(l.filter.Prompt)-1))
	out := []string{pad + common.Truncate(l.filter.View(), w)}
	if len(l.shown) == 0 {
		out = append(out, pad+st.Muted.Render("  nothing matches; backspace widens the filter"))
		return out
	}
	end := min(len(l.shown), l.offset+l.rows)
	for i := l.offset; i < end; i++ {
		it := l.items[l.shown[i]]
		mark := ""
		if l.multi {
			mark = "[ ] "
			if l.chosen[it.Value] {
				mark = "[x] "
			}
		}
		line := common.Truncate(mark+common.OneLine(it.Label), w-2)
		if i == l.cursor {
			out = append(out, pad+st.Selected.Render("▸ "+line))
		} else {
			out = append(out, pad+"  "+line)
		}
	}
	if more := len(l.shown) - end; more > 0 || l.offset > 0 {
		var parts []string
		if l.offset > 0 {
			parts = append(parts, "↑ "+strconv.Itoa(l.offset)+" more")
		}
		if more > 0 {
			parts = append(parts, "↓ "+strconv.Itoa(more)+" more")
		}
		out = append(out, pad+st.Subtle.Render(common.Truncate("  "+strings.Join(parts, "  "), w)))
	}
	return out
}

// HelpKeys are the list's keys for a help bar.
func (l *List) HelpKeys() []key.Binding {
	k := l.keys
	b := []key.Binding{k.PickDn, k.PickUp}
	if l.multi {
		b = append(b, k.Toggle, withHelp(k.List, "enter", "done"))
	} else {
		b = append(b, withHelp(k.List, "enter", "pick"))
	}
	return append(b, withHelp(k.Back, "esc", "close list"))
}

// picker is a field's open list.
type picker struct {
	field *state
	list  *List
}

func (f *Form) openPick(s *state, typed string) {
	sel := []string{s.value}
	if s.spec.Kind == Multi {
		sel = Split(s.value)
	}
	f.pick = &picker{field: s, list: NewList(f.options(s), s.spec.Kind == Multi, sel, typed)}
}

func (f *Form) pickKey(msg tea.Msg) tea.Cmd {
	p := f.pick
	res, cmd := p.list.Update(msg)
	switch res {
	case ListCancel:
		f.pick = nil
	case ListDone:
		s := p.field
		if p.list.multi {
			s.value = Join(p.list.Ticked())
		} else if it, ok := p.list.Current(); ok {
			s.value = it.Value
		}
		f.pick = nil
		f.recheck(s.spec.Key)
	}
	return cmd
}

// Multi reports whether the list ticks several values.
func (l *List) Multi() bool { return l.multi }
