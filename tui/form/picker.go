package form

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/tui/common"
)

// picker is the list a Choice or Multi field opens under itself: typed letters filter it,
// arrows move, space ticks (Multi), enter picks or closes, esc closes without a change.
type picker struct {
	field  *state
	multi  bool
	items  []Option
	shown  []int // indexes of items that pass the filter
	cursor int   // index into shown; -1 when nothing is shown
	offset int
	filter textinput.Model
	chosen map[string]bool
	// order keeps ticked values in the order they were chosen or loaded.
	order []string
}

const pickRows = 8

func (f *Form) openPick(s *state, typed string) {
	in := textinput.New()
	in.Prompt = "/ "
	in.Placeholder = "type to filter"
	in.CharLimit = 100
	// A width, or the input draws one letter of its placeholder.
	in.SetWidth(max(14, f.width-f.labelWidth()-6))
	steady(&in)
	in.Focus()
	p := &picker{field: s, multi: s.spec.Kind == Multi, items: f.options(s), filter: in, chosen: map[string]bool{}}
	if p.multi {
		for _, v := range Split(s.value) {
			p.chosen[v] = true
			p.order = append(p.order, v)
		}
	}
	p.filter.SetValue(typed)
	p.filter.CursorEnd()
	p.refilter()
	// Start on the current choice.
	for i, idx := range p.shown {
		if !p.multi && p.items[idx].Value == s.value {
			p.cursor = i
		}
	}
	p.clamp()
	f.pick = p
}

// refilter keeps the items whose label or value holds every typed word.
func (p *picker) refilter() {
	words := strings.Fields(strings.ToLower(p.filter.Value()))
	p.shown = p.shown[:0]
	for i, it := range p.items {
		hay := strings.ToLower(it.Label + " " + it.Value)
		ok := true
		for _, w := range words {
			if !strings.Contains(hay, w) {
				ok = false
				break
			}
		}
		if ok {
			p.shown = append(p.shown, i)
		}
	}
	p.cursor = 0
	p.offset = 0
	p.clamp()
}

func (p *picker) clamp() {
	if len(p.shown) == 0 {
		p.cursor, p.offset = -1, 0
		return
	}
	p.cursor = max(0, min(len(p.shown)-1, p.cursor))
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if p.cursor >= p.offset+pickRows {
		p.offset = p.cursor - pickRows + 1
	}
}

func (p *picker) current() (Option, bool) {
	if p.cursor < 0 || p.cursor >= len(p.shown) {
		return Option{}, false
	}
	return p.items[p.shown[p.cursor]], true
}

func (p *picker) value() string {
	// Ticked values in the order of the list, then any kept value the list lacks.
	var out []string
	seen := map[string]bool{}
	for _, it := range p.items {
		if p.chosen[it.Value] {
			out = append(out, it.Value)
			seen[it.Value] = true
		}
	}
	for _, v := range p.order {
		if p.chosen[v] && !seen[v] {
			out = append(out, v)
		}
	}
	return Join(out)
}

func (f *Form) pickKey(msg tea.KeyPressMsg) tea.Cmd {
	p, k := f.pick, f.keys
	switch {
	case key.Matches(msg, k.Back):
		f.pick = nil // closed with no change
		return nil
	case key.Matches(msg, k.PickDn):
		if p.cursor >= 0 {
			p.cursor++
			p.clamp()
		}
		return nil
	case key.Matches(msg, k.PickUp):
		if p.cursor >= 0 {
			p.cursor--
			p.clamp()
		}
		return nil
	case msg.String() == "pgdown":
		if p.cursor >= 0 {
			p.cursor += pickRows
			p.clamp()
		}
		return nil
	case msg.String() == "pgup":
		if p.cursor >= 0 {
			p.cursor -= pickRows
			p.clamp()
		}
		return nil
	case p.multi && key.Matches(msg, k.Toggle):
		if it, ok := p.current(); ok {
			if p.chosen[it.Value] {
				delete(p.chosen, it.Value)
			} else {
				p.chosen[it.Value] = true
				p.order = append(p.order, it.Value)
			}
		}
		return nil
	case key.Matches(msg, k.List):
		s := p.field
		if p.multi {
			s.value = p.value()
		} else if it, ok := p.current(); ok {
			s.value = it.Value
		} else {
			return nil // nothing matches: enter does nothing
		}
		f.pick = nil
		f.recheck(s.spec.Key)
		return nil
	case msg.String() == "tab" || msg.String() == "shift+tab":
		return nil
	}
	before := p.filter.Value()
	var cmd tea.Cmd
	p.filter, cmd = p.filter.Update(msg)
	if p.filter.Value() != before {
		p.refilter()
	}
	return cmd
}

// lines draws the open list, indented under its field.
func (p *picker) lines(st *common.Styles, indent, width int) []string {
	pad := strings.Repeat(" ", indent)
	w := max(10, width-indent)
	out := []string{pad + common.Truncate(p.filter.View(), w)}
	if len(p.shown) == 0 {
		out = append(out, pad+st.Muted.Render("  nothing matches; backspace widens the filter"))
		return out
	}
	end := min(len(p.shown), p.offset+pickRows)
	for i := p.offset; i < end; i++ {
		it := p.items[p.shown[i]]
		mark := "  "
		if p.multi {
			mark = "[ ] "
			if p.chosen[it.Value] {
				mark = "[x] "
			}
		}
		line := common.Truncate(mark+common.OneLine(it.Label), w-2)
		if i == p.cursor {
			out = append(out, pad+st.Selected.Render("▸ "+line))
		} else {
			out = append(out, pad+"  "+line)
		}
	}
	if more := len(p.shown) - end; more > 0 || p.offset > 0 {
		out = append(out, pad+st.Subtle.Render(common.Truncate(moreText(p.offset, more), w)))
	}
	return out
}

func moreText(above, below int) string {
	var parts []string
	if above > 0 {
		parts = append(parts, "↑ "+itoa(above)+" more")
	}
	if below > 0 {
		parts = append(parts, "↓ "+itoa(below)+" more")
	}
	return "  " + strings.Join(parts, "  ")
}

func itoa(n int) string { return strconv.Itoa(n) }
