package aisystems

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/annex-grc/annex/tui/common"
)

// kind is how a field is edited: typed text, or a choice cycled with ←/→ (and digits for
// ratings).
type kind int

const (
	kText kind = iota
	kChoice
)

type option struct{ value, label string }

// fieldSpec describes one field. name is the key of the value map the form edits (and the
// ValidationError.Field the domain reports); key may rewrite it (impact areas).
type fieldSpec struct {
	name        string
	label       string
	kind        kind
	opts        []option
	inline      bool // drawn on the same line as the field before
	placeholder string
	limit       int
	// toText and fromText convert between the stored value and what is typed (measures).
	toText   func(string) string
	fromText func(string) (string, error)
}

type fieldState struct {
	spec  fieldSpec
	input textinput.Model
	idx   int
}

// form edits a map of field values: text fields through text inputs, choices by index.
// It keeps what was typed when validation fails and shows each message under its field.
type form struct {
	st       *common.Styles
	fields   []*fieldState
	focus    int
	errs     map[string]string
	readOnly bool
	key      func(fieldSpec) string
	width    int
	labelW   int
}

func newForm(st *common.Styles, specs []fieldSpec, key func(fieldSpec) string) *form {
	if key == nil {
		key = func(s fieldSpec) string { return s.name }
	}
	f := &form{st: st, errs: map[string]string{}, key: key, labelW: 20}
	for _, sp := range specs {
		fs := &fieldState{spec: sp}
		if sp.kind == kText {
			in := textinput.New()
			in.Prompt = ""
			in.Placeholder = sp.placeholder
			in.CharLimit = sp.limit
			if in.CharLimit == 0 {
				in.CharLimit = 20000
			}
			staticCursor(&in)
			fs.input = in
		}
		f.fields = append(f.fields, fs)
	}
	return f
}

// setValues loads the fields from a value map.
func (f *form) setValues(m map[string]string) {
	for _, fs := range f.fields {
		v := m[f.key(fs.spec)]
		switch fs.spec.kind {
		case kText:
			if fs.spec.toText != nil {
				v = fs.spec.toText(v)
			}
			fs.input.SetValue(v)
			fs.input.CursorStart()
		case kChoice:
			fs.idx = 0
			found := false
			for i, o := range fs.spec.opts {
				if o.value == v {
					fs.idx, found = i, true
				}
			}
			if !found && v != "" { // keep an unknown stored value visible rather than lose it
				fs.spec.opts = append(fs.spec.opts, option{value: v, label: v})
				fs.idx = len(fs.spec.opts) - 1
			}
		}
	}
}

// values writes the fields into m. A text that does not convert leaves m's value as it
// was and is reported in the returned map by field name.
func (f *form) values(m map[string]string) map[string]string {
	problems := map[string]string{}
	for _, fs := range f.fields {
		k := f.key(fs.spec)
		switch fs.spec.kind {
		case kText:
			v := fs.input.Value()
			if fs.spec.fromText != nil {
				conv, err := fs.spec.fromText(v)
				if err != nil {
					problems[k] = err.Error()
					continue
				}
				v = conv
			}
			m[k] = v
		case kChoice:
			if len(fs.spec.opts) > 0 {
				m[k] = fs.spec.opts[fs.idx].value
			}
		}
	}
	return problems
}

func (f *form) value(name string) string {
	for _, fs := range f.fields {
		if fs.spec.name == name {
			if fs.spec.kind == kChoice {
				return fs.spec.opts[fs.idx].value
			}
			return fs.input.Value()
		}
	}
	return ""
}

func (f *form) focused() *fieldState {
	if len(f.fields) == 0 {
		return nil
	}
	return f.fields[f.focus]
}

// setFocus moves the focus to field i (clamped) and returns the cursor's command.
func (f *form) setFocus(i int) tea.Cmd {
	if len(f.fields) == 0 {
		return nil
	}
	i = max(0, min(len(f.fields)-1, i))
	for _, fs := range f.fields {
		if fs.spec.kind == kText {
			fs.input.Blur()
		}
	}
	f.focus = i
	if fs := f.fields[i]; fs.spec.kind == kText && !f.readOnly {
		return fs.input.Focus()
	}
	return nil
}

// focusField moves the focus to the field whose key is k; false when none has it.
func (f *form) focusField(k string) (tea.Cmd, bool) {
	for i, fs := range f.fields {
		if f.key(fs.spec) == k {
			return f.setFocus(i), true
		}
	}
	return nil, false
}

// capturesText is true when the focused field takes typed characters.
func (f *form) capturesText() bool {
	fs := f.focused()
	return fs != nil && fs.spec.kind == kText && !f.readOnly
}

// update handles a key aimed at the fields. It returns the key of the field whose value a
// choice changed ("" for none) and whether the key was used.
func (f *form) update(msg tea.KeyPressMsg) (changed string, cmd tea.Cmd, used bool) {
	fs := f.focused()
	if fs == nil {
		return "", nil, false
	}
	switch msg.String() {
	case "tab", "down":
		return "", f.setFocus((f.focus + 1) % len(f.fields)), true
	case "shift+tab", "up":
		return "", f.setFocus((f.focus - 1 + len(f.fields)) % len(f.fields)), true
	}
	if fs.spec.kind == kChoice {
		n := len(fs.spec.opts)
		if n == 0 {
			return "", nil, false
		}
		prev := fs.idx
		switch s := msg.String(); {
		case s == "right" || s == "space":
			fs.idx = (fs.idx + 1) % n
		case s == "left":
			fs.idx = (fs.idx - 1 + n) % n
		case len(s) == 1 && s[0] >= '0' && s[0] <= '9':
			want := s
			if s == "0" {
				want = ""
			}
			for i, o := range fs.spec.opts {
				if o.value == want {
					fs.idx = i
				}
			}
		default:
			return "", nil, false
		}
		if fs.idx != prev {
			return f.key(fs.spec), nil, true
		}
		return "", nil, true
	}
	if f.readOnly {
		return "", nil, false
	}
	var c tea.Cmd
	fs.input, c = fs.input.Update(msg)
	return "", c, true
}

// paste hands pasted text to the focused text field.
func (f *form) paste(msg tea.PasteMsg) tea.Cmd {
	fs := f.focused()
	if fs == nil || fs.spec.kind != kText || f.readOnly {
		return nil
	}
	var c tea.Cmd
	fs.input, c = fs.input.Update(msg)
	return c
}

// lines draws the form in width cells. It returns the lines and, for each field, the
// line it is on (for scrolling to the focus).
func (f *form) lines(width int) ([]string, []int) {
	st := f.st
	labelW := min(f.labelW, max(10, width/3))
	var out []string
	at := make([]int, len(f.fields))
	for i := 0; i < len(f.fields); {
		// A line holds a field and the inline fields that follow it.
		j := i + 1
		for j < len(f.fields) && f.fields[j].spec.inline {
			j++
		}
		group := f.fields[i:j]
		var line string
		if len(group) == 1 {
			line = f.labelCell(i, labelW) + f.valueCell(i, width-labelW)
		} else {
			per := width / len(group)
			var cells []string
			for k := range group {
				lw := min(lipgloss.Width(group[k].spec.label)+2, per-12)
				if k == 0 {
					lw = labelW
				}
				cells = append(cells, f.labelCell(i+k, lw)+common.Pad(f.valueCell(i+k, per-lw-1), per-lw-1))
			}
			line = strings.Join(cells, " ")
		}
		for k := i; k < j; k++ {
			at[k] = len(out)
		}
		if fs := f.fields[i]; len(group) == 1 && f.readOnly && fs.spec.kind == kText && lipgloss.Width(common.OneLine(fs.input.Value())) > width-labelW {
			// Read-only text is shown whole, wrapped under its label.
			wrapped := strings.Split(lipgloss.Wrap(common.Inert(strings.TrimSpace(fs.input.Value())), width-labelW, " "), "\n")
			if len(wrapped) > 8 {
				wrapped = append(wrapped[:7], "…")
			}
			out = append(out, common.Truncate(f.labelCell(i, labelW)+wrapped[0], width))
			for _, l := range wrapped[1:] {
				out = append(out, strings.Repeat(" ", labelW)+common.Truncate(l, width-labelW))
			}
			i = j
			continue
		}
		out = append(out, common.Truncate(line, width))
		for k := i; k < j; k++ {
			if msg, ok := f.errs[f.key(f.fields[k].spec)]; ok {
				out = append(out, strings.Repeat(" ", labelW)+st.Error.Render(common.Truncate("! "+msg, width-labelW)))
			}
		}
		i = j
	}
	return out, at
}

func (f *form) labelCell(i, w int) string {
	fs := f.fields[i]
	label := common.Truncate(fs.spec.label, w-2)
	style := f.st.Label
	if i == f.focus {
		style = f.st.Cursor
	}
	if _, bad := f.errs[f.key(fs.spec)]; bad {
		style = f.st.Error
	}
	return common.Pad(style.Render(label), w)
}

func (f *form) valueCell(i, w int) string {
	fs := f.fields[i]
	st := f.st
	w = max(4, w)
	focused := i == f.focus
	switch fs.spec.kind {
	case kChoice:
		label := "–"
		if len(fs.spec.opts) > 0 {
			label = fs.spec.opts[fs.idx].label
		}
		if focused {
			if f.readOnly {
				return st.Selected.Render(common.Truncate(label, w))
			}
			return st.Accent.Render("‹ ") + st.Selected.Render(common.Truncate(label, w-4)) + st.Accent.Render(" ›")
		}
		return common.Truncate(label, w)
	}
	v := fs.input.Value()
	if focused && !f.readOnly {
		fs.input.SetWidth(max(1, w-1))
		return fs.input.View()
	}
	if v == "" {
		if f.readOnly {
			return st.Subtle.Render("–")
		}
		return st.Subtle.Render(common.Truncate(fs.spec.placeholder, w))
	}
	text := common.Truncate(common.OneLine(v), w)
	if focused {
		return st.Selected.Render(text)
	}
	return text
}

// staticCursor stops the cursor blinking: a steady cursor needs no timer, so an idle form
// sends no messages and redraws nothing.
func staticCursor(in *textinput.Model) {
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
}
