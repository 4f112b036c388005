// Package form is the one form component of the workbench: every form (engagement, risk,
// risk matrix, evidence, AI system, each impact-assessment step) is a list of Fields edited
// through it, so they share one focus ring, one way to show errors and one rule for saving
// and leaving:
//
//   - ctrl+s asks to save (the form checks what it can, the screen validates with the
//     domain and reports errors back with SetErrors);
//   - esc on an unchanged form leaves; on a changed form it asks "discard changes? y/n";
//   - nothing is written before save: the form only edits a map of values.
package form

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
)

// Kind is how a field is edited.
type Kind int

const (
	// Text is one line of typed text.
	Text Kind = iota
	// MultiLine is typed text over several lines (enter starts a new line).
	MultiLine
	// Date is YYYY-MM-DD; t fills in today.
	Date
	// Level is one of a short scale: type its digit or move with ←/→.
	Level
	// Choice is one of a list: ←/→ cycle, enter (or typing) opens the list with a filter.
	Choice
	// Multi is any number of a list, picked in a list with a filter.
	Multi
	// Person is a name, with the names already used in the workspace suggested.
	Person
)

// Option is one value of a Level, Choice or Multi field.
type Option struct{ Value, Label string }

// Values are a form's field values by key. Multi values are joined with commas (Split/Join).
type Values map[string]string

// Split reads a Multi value.
func Split(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// Join writes a Multi value.
func Join(vs []string) string { return strings.Join(vs, ",") }

// AddProblems puts each problem's message next to its field in errs (a validator's
// result), unless the field has a message already: the first one stays.
func AddProblems(errs map[string]string, problems []*assessments.ValidationError) {
	for _, p := range problems {
		if _, seen := errs[p.Field]; !seen {
			errs[p.Field] = p.Message
		}
	}
}

// Field describes one field.
type Field struct {
	Key   string
	Label string
	Kind  Kind
	// Section starts a titled group of fields above this one.
	Section     string
	Placeholder string
	// Help is one line shown under the field while it has the focus.
	Help string
	// Limit caps typed text in characters (0: DefaultLimit). A paste past it is refused
	// with a message, never cut silently.
	Limit int
	// Options are the values of Level and Choice fields (and Multi fields with few values).
	Options []Option
	// Items computes a long option list when it is first needed (linked controls).
	Items func() []Option
	// Show hides the field while it returns false (it keeps its value).
	Show func(Values) bool
	// Required fields must not be empty to save.
	Required bool
	// Inline draws the field on the same line as the one before it.
	Inline bool
	// Lines is the height of a MultiLine field (default 4).
	Lines int
	// Selector marks a field that chooses what the form shows (the area of a per-area
	// form) rather than a value to save: changing it does not make the form changed.
	Selector bool
	// Secret draws a Text field's value masked (a passphrase): one • per character while
	// typed, never the text itself.
	Secret bool
}

// DefaultLimit is the character limit of a field that names none.
const DefaultLimit = 20000

// Action is what a key asked the form's owner to do.
type Action int

const (
	// None: the form handled the message, nothing for the owner to do.
	None Action = iota
	// Save: the user asked to save (ctrl+s) and the form's own checks passed.
	Save
	// Leave: the user left the form; it was unchanged, or the changes were discarded.
	Leave
)

// KeyMap is the form's keys; the same bindings drive handling and help.
type KeyMap struct {
	Next, Prev, Save, Back          key.Binding
	Choose, List, Toggle, Today     key.Binding
	Accept, Yes, No, PickUp, PickDn key.Binding
	PageUp, PageDn                  key.Binding
	// Within a field: tab and shift+tab always move; ↑/↓ move unless a multi-line text
	// uses them; enter moves on from a one-line field; ? on a field that takes no text.
	Tab, BackTab, LineUp, LineDown  key.Binding
	Enter, FieldHelp, Higher, Lower key.Binding
	Digit                           key.Binding
}

// DefaultKeyMap is every form's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Next:      key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		Prev:      key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Save:      key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave")),
		Choose:    key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "choose")),
		List:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "list")),
		Toggle:    key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "tick")),
		Today:     key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "today")),
		Accept:    key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "take suggestion")),
		Yes:       key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "discard")),
		No:        key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "keep editing")),
		PickUp:    key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up")),
		PickDn:    key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down")),
		PageUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDn:    key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Tab:       key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		BackTab:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		LineUp:    key.NewBinding(key.WithKeys("up")),
		LineDown:  key.NewBinding(key.WithKeys("down")),
		Enter:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next field")),
		FieldHelp: key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "all keys")),
		Higher:    key.NewBinding(key.WithKeys("right", "l", "space"), key.WithHelp("→", "higher")),
		Lower:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←", "lower")),
		Digit:     key.NewBinding(key.WithKeys("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("0-9", "level")),
	}
}

type state struct {
	spec  Field
	value string // Level, Choice, Multi: the value; text kinds keep theirs in input/area
	input textinput.Model
	area  textarea.Model
}

// Form edits a map of values through a list of fields.
type Form struct {
	st     *common.Styles
	keys   KeyMap
	fields []*state
	focus  int
	// initial is what Load set: the form is changed when its values differ from it.
	initial Values
	errs    map[string]string
	// own are the fields whose message came from the form's checks (required, dates, the
	// validator): a change anywhere clears those that passed, as a validator's rule may
	// span fields (a residual rating above the inherent one is fixed by either).
	own      map[string]bool
	validate func(Values) map[string]string
	asking   bool // "discard changes? y/n"
	// quiet leaves on esc without asking even when changed (a confirmation prompt, where
	// what was typed is not work to keep).
	quiet bool
	// saveHelp names what ctrl+s does in the help ("create", "export"); "" is "save".
	saveHelp string
	pick     *picker
	people   []string
	readOnly bool
	bare     bool // no label column: a field typed in place under its own heading
	now      func() time.Time

	width, height int
	offset        int
	lw            int // the label column's width for width; 0 until measured
}

// New builds a form over the given fields, empty until Load.
func New(st *common.Styles, fields ...Field) *Form {
	f := &Form{st: st, keys: DefaultKeyMap(), errs: map[string]string{}, initial: Values{}, now: time.Now, width: 80, height: 20}
	for _, sp := range fields {
		s := &state{spec: sp}
		limit := sp.Limit
		if limit <= 0 {
			limit = DefaultLimit
		}
		switch sp.Kind {
		case Text, Date, Person:
			in := textinput.New()
			in.Prompt = ""
			in.Placeholder = sp.Placeholder
			in.CharLimit = limit
			if sp.Kind == Date {
				in.CharLimit = 10
				if in.Placeholder == "" {
					in.Placeholder = "YYYY-MM-DD (t: today)"
				}
			}
			if sp.Kind == Text && sp.Secret {
				in.EchoMode = textinput.EchoPassword
				in.EchoCharacter = maskChar
			}
			if sp.Kind == Person {
				in.ShowSuggestions = true
				in.KeyMap.AcceptSuggestion = key.NewBinding(key.WithDisabled())
				in.KeyMap.NextSuggestion = key.NewBinding(key.WithKeys("ctrl+n"))
				in.KeyMap.PrevSuggestion = key.NewBinding(key.WithKeys("ctrl+p"))
			}
			steady(&in)
			s.input = in
		case MultiLine:
			ta := textarea.New()
			ta.ShowLineNumbers = false
			// A steady cursor, as in one-line fields: a blinking one redraws twice a second.
			tst := ta.Styles()
			tst.Cursor.Blink = false
			ta.SetStyles(tst)
			ta.Prompt = "│ "
			ta.Placeholder = sp.Placeholder
			ta.CharLimit = limit
			ta.MaxHeight = 0
			ta.SetHeight(max(2, sp.Lines))
			if sp.Lines == 0 {
				ta.SetHeight(4)
			}
			s.area = ta
		}
		f.fields = append(f.fields, s)
	}
	return f
}

// steady stops the cursor blinking: an idle form sends no messages and redraws nothing.
func steady(in *textinput.Model) {
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
}

// SetQuietLeave makes esc leave at once even when something was typed (a prompt whose
// text is not work to keep, like the name typed to confirm a deletion).
func (f *Form) SetQuietLeave(quiet bool) { f.quiet = quiet }

// SetSaveLabel names what ctrl+s does in the help when it is more than a save ("create",
// "export", "delete").
func (f *Form) SetSaveLabel(desc string) { f.saveHelp = desc }

// SetNow sets the clock the "today" key reads (tests fix it).
func (f *Form) SetNow(now func() time.Time) { f.now = now }

// SetValidator sets a check run on save (with the form's own checks) and after each change,
// where it only clears the messages of fields that became valid.
func (f *Form) SetValidator(v func(Values) map[string]string) { f.validate = v }

// SetPeople sets the names a Person field suggests.
func (f *Form) SetPeople(names []string) {
	f.people = names
	for _, s := range f.fields {
		if s.spec.Kind == Person {
			s.input.SetSuggestions(names)
		}
	}
}

// SetOptions replaces the options of a Level, Choice or Multi field, for lists whose
// labels follow other fields (a risk matrix's level names). The value is kept.
func (f *Form) SetOptions(k string, opts []Option) {
	if s := f.field(k); s != nil {
		s.spec.Options = opts
		s.spec.Items = nil
	}
}

// SetReadOnly shows the values without editing (an approved, frozen record).
func (f *Form) SetReadOnly(ro bool) {
	f.readOnly = ro
	f.setFocus(f.focus)
}

// ReadOnly reports whether the form only shows its values.
func (f *Form) ReadOnly() bool { return f.readOnly }

// Load sets every field's value and makes that the unchanged state.
func (f *Form) Load(v Values) {
	for _, s := range f.fields {
		f.setValue(s, v[s.spec.Key])
	}
	f.initial = f.Values()
	f.errs = map[string]string{}
	f.own = nil
	f.asking = false
	f.pick = nil
	f.offset = 0
	f.setFocus(f.firstVisible())
}

func (f *Form) setValue(s *state, v string) {
	switch s.spec.Kind {
	case Text, Date, Person:
		s.input.SetValue(hide(v))
		s.input.CursorEnd()
	case MultiLine:
		s.area.SetValue(hide(v))
		s.area.MoveToEnd() // typing adds to what is there
	default:
		s.value = v
	}
}

func (s *state) get() string {
	switch s.spec.Kind {
	case Text, Date, Person:
		return reveal(s.input.Value())
	case MultiLine:
		return reveal(s.area.Value())
	}
	return s.value
}

// Values returns every field's value.
func (f *Form) Values() Values {
	out := Values{}
	for _, s := range f.fields {
		out[s.spec.Key] = s.get()
	}
	return out
}

// Value is one field's value.
func (f *Form) Value(k string) string {
	if s := f.field(k); s != nil {
		return s.get()
	}
	return ""
}

// Set changes a field's value as if typed (the form becomes changed).
func (f *Form) Set(k, v string) {
	if s := f.field(k); s != nil {
		f.setValue(s, v)
		f.recheck(k)
	}
}

// Changed reports whether any value differs from what Load set (selectors aside).
func (f *Form) Changed() bool {
	for _, s := range f.fields {
		if !s.spec.Selector && f.initial[s.spec.Key] != s.get() {
			return true
		}
	}
	return false
}

// ChangedKeys lists the keys whose values differ from what Load set, in field order.
func (f *Form) ChangedKeys() []string {
	var out []string
	for _, s := range f.fields {
		if !s.spec.Selector && f.initial[s.spec.Key] != s.get() {
			out = append(out, s.spec.Key)
		}
	}
	return out
}

// MarkSaved makes the current values the unchanged state (after a save went through).
func (f *Form) MarkSaved() { f.initial = f.Values() }

// SetErrors shows messages next to their fields (replacing earlier ones) and moves the focus
// to the first field in error. Keys no field has are shown under the first field.
func (f *Form) SetErrors(errs map[string]string) tea.Cmd {
	f.errs = map[string]string{}
	f.own = nil
	var first = -1
	for i, s := range f.fields {
		if msg, ok := errs[s.spec.Key]; ok && msg != "" {
			f.errs[s.spec.Key] = msg
			if first < 0 && f.visible(i) {
				first = i
			}
		}
	}
	for k, msg := range errs {
		if f.field(k) == nil && msg != "" && len(f.fields) > 0 {
			f.errs[f.fields[0].spec.Key] = msg
			if first < 0 {
				first = 0
			}
		}
	}
	if first >= 0 {
		return f.setFocus(first)
	}
	return nil
}

// SetError shows one message next to a field.
func (f *Form) SetError(k, msg string) tea.Cmd {
	errs := map[string]string{}
	for kk, v := range f.errs {
		errs[kk] = v
	}
	errs[k] = msg
	return f.SetErrors(errs)
}

// Errors returns the messages shown.
func (f *Form) Errors() map[string]string { return f.errs }

// Asking reports whether the form is asking to discard changes.
func (f *Form) Asking() bool { return f.asking }

// Capturing is true while typed characters go to the form (a text field, a pick list's
// filter, the discard question), so the screens around it must not read them as commands.
func (f *Form) Capturing() bool {
	if f.readOnly {
		return false
	}
	if f.asking || f.pick != nil {
		return true
	}
	s := f.focused()
	if s == nil {
		return false
	}
	switch s.spec.Kind {
	case Text, MultiLine, Date, Person:
		return true
	}
	// Choice, Level and Multi fields take letters and digits too (filters, levels).
	return true
}

// FocusKey is the key of the focused field.
func (f *Form) FocusKey() string {
	if s := f.focused(); s != nil {
		return s.spec.Key
	}
	return ""
}

// Focus moves the focus to the field k.
func (f *Form) Focus(k string) tea.Cmd {
	for i, s := range f.fields {
		if s.spec.Key == k {
			return f.setFocus(i)
		}
	}
	return nil
}

// SetSize sets the drawing area. Only a new width measures the labels and resizes the
// text fields again (a screen may set the size on every frame).
func (f *Form) SetSize(w, h int) {
	w, h = max(w, 20), max(h, 3)
	f.height = h
	if f.lw > 0 && w == f.width {
		return
	}
	f.width, f.lw = w, 0
	f.lw = f.labelWidth()
	vw := max(8, f.width-len(f.indent(f.lw)))
	for _, s := range f.fields {
		switch s.spec.Kind {
		case Text, Date, Person:
			s.input.SetWidth(max(1, vw-1))
		case MultiLine:
			s.area.SetWidth(vw)
		}
	}
}

func (f *Form) field(k string) *state {
	for _, s := range f.fields {
		if s.spec.Key == k {
			return s
		}
	}
	return nil
}

func (f *Form) focused() *state {
	if f.focus < 0 || f.focus >= len(f.fields) {
		return nil
	}
	return f.fields[f.focus]
}

func (f *Form) visible(i int) bool {
	sp := f.fields[i].spec
	return sp.Show == nil || sp.Show(f.Values())
}

// visibleIn is visible with the values read once by the caller (a form of many fields
// would otherwise read every value for each field it draws).
func (f *Form) visibleIn(i int, v Values) bool {
	sp := f.fields[i].spec
	return sp.Show == nil || sp.Show(v)
}

func (f *Form) firstVisible() int {
	for i := range f.fields {
		if f.visible(i) {
			return i
		}
	}
	return 0
}

func (f *Form) setFocus(i int) tea.Cmd {
	if len(f.fields) == 0 {
		return nil
	}
	i = max(0, min(len(f.fields)-1, i))
	for _, s := range f.fields {
		switch s.spec.Kind {
		case Text, Date, Person:
			s.input.Blur()
		case MultiLine:
			s.area.Blur()
		}
	}
	f.focus = i
	f.pick = nil
	if f.readOnly {
		return nil
	}
	s := f.fields[i]
	switch s.spec.Kind {
	case Text, Date, Person:
		return s.input.Focus()
	case MultiLine:
		return s.area.Focus()
	}
	return nil
}

// step moves the focus to the next (or previous) visible field; it stops at the ends.
func (f *Form) step(delta int) tea.Cmd {
	for i := f.focus + delta; i >= 0 && i < len(f.fields); i += delta {
		if f.visible(i) {
			return f.setFocus(i)
		}
	}
	return nil
}

// check runs the form's own checks and the validator.
func (f *Form) check() map[string]string {
	errs := map[string]string{}
	v := f.Values()
	for i, s := range f.fields {
		if !f.visible(i) {
			continue
		}
		val := strings.TrimSpace(v[s.spec.Key])
		if s.spec.Required && val == "" {
			errs[s.spec.Key] = s.spec.Label + " is needed."
			continue
		}
		if s.spec.Kind == Date && val != "" {
			if _, err := time.Parse(time.DateOnly, val); err != nil {
				errs[s.spec.Key] = "Use YYYY-MM-DD, for example " + f.now().Format(time.DateOnly) + " (t: today)."
			}
		}
	}
	if f.validate != nil {
		for k, msg := range f.validate(v) {
			if _, seen := errs[k]; !seen && msg != "" {
				errs[k] = msg
			}
		}
	}
	return errs
}

// recheck clears the message of a field that became valid, and those of the form's own
// checks that now pass (a rule may span fields); it never adds one.
func (f *Form) recheck(k string) {
	_, bad := f.errs[k]
	if !bad && len(f.own) == 0 {
		return
	}
	now := f.check()
	for key := range f.errs {
		if key != k && !f.own[key] {
			continue
		}
		if _, still := now[key]; !still {
			delete(f.errs, key)
			delete(f.own, key)
		}
	}
}

// Update handles a key or a paste. Other messages are ignored.
func (f *Form) Update(msg tea.Msg) (Action, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return f.key(msg)
	case tea.PasteMsg:
		return None, f.paste(msg.Content)
	}
	return None, nil
}

func (f *Form) key(msg tea.KeyPressMsg) (Action, tea.Cmd) {
	k := f.keys
	if f.asking {
		switch {
		case key.Matches(msg, k.Yes):
			f.asking = false
			return Leave, nil
		case key.Matches(msg, k.No):
			f.asking = false
		}
		return None, nil
	}
	if f.pick != nil {
		return None, f.pickKey(msg)
	}
	if f.readOnly {
		switch {
		case key.Matches(msg, k.FieldHelp):
			return None, func() tea.Msg { return common.ToggleHelpMsg{} }
		case key.Matches(msg, k.Back):
			return Leave, nil
		case key.Matches(msg, k.Next):
			return None, f.step(1)
		case key.Matches(msg, k.Prev):
			return None, f.step(-1)
		}
		return None, nil
	}
	switch {
	case key.Matches(msg, k.Save):
		if errs := f.check(); len(errs) > 0 {
			cmd := f.SetErrors(errs)
			f.own = map[string]bool{}
			for key := range f.errs {
				f.own[key] = true
			}
			return None, cmd
		}
		f.errs = map[string]string{}
		f.own = nil
		return Save, nil
	case key.Matches(msg, k.Back):
		if !f.Changed() || f.quiet {
			return Leave, nil
		}
		f.asking = true
		return None, nil
	}
	s := f.focused()
	if s == nil {
		return None, nil
	}
	if key.Matches(msg, k.FieldHelp) && (s.spec.Kind == Level || s.spec.Kind == Choice || s.spec.Kind == Multi) {
		// ? types nothing here: it shows every key, as on any screen.
		return None, func() tea.Msg { return common.ToggleHelpMsg{} }
	}
	// Field movement: tab always; ↑/↓ except inside a multi-line text not at its edge.
	switch {
	case key.Matches(msg, k.Tab):
		return None, f.step(1)
	case key.Matches(msg, k.BackTab):
		return None, f.step(-1)
	}
	if s.spec.Kind == MultiLine {
		switch {
		case key.Matches(msg, k.LineUp) && s.area.Line() == 0:
			return None, f.step(-1)
		case key.Matches(msg, k.LineDown) && s.area.Line() >= s.area.LineCount()-1:
			return None, f.step(1)
		}
	} else {
		switch {
		case key.Matches(msg, k.Next):
			return None, f.step(1)
		case key.Matches(msg, k.Prev):
			return None, f.step(-1)
		}
	}
	before := s.get()
	var cmd tea.Cmd
	switch s.spec.Kind {
	case Text:
		if key.Matches(msg, k.Enter) {
			return None, f.step(1)
		}
		s.input, cmd = s.input.Update(msg)
	case Person:
		switch {
		case key.Matches(msg, k.Enter):
			return None, f.step(1)
		case key.Matches(msg, k.Accept) && s.input.Position() == utf8.RuneCountInString(s.input.Value()) && suggestion(&s.input) != "" &&
			!strings.EqualFold(suggestion(&s.input), s.input.Value()):
			s.input.SetValue(suggestion(&s.input))
			s.input.CursorEnd()
		case key.Matches(msg, s.input.KeyMap.NextSuggestion, s.input.KeyMap.PrevSuggestion) && len(s.input.MatchedSuggestions()) == 0:
			// With nothing suggested the input would step its index to -1 and panic on
			// the next read of the suggestion.
		default:
			s.input, cmd = s.input.Update(msg)
		}
	case Date:
		switch {
		case key.Matches(msg, k.Enter):
			return None, f.step(1)
		case key.Matches(msg, k.Today):
			s.input.SetValue(f.now().Format(time.DateOnly))
			s.input.CursorEnd()
		default:
			s.input, cmd = s.input.Update(msg)
		}
	case MultiLine:
		s.area, cmd = s.area.Update(msg)
	case Level:
		f.levelKey(s, msg)
	case Choice:
		cmd = f.choiceKey(s, msg)
	case Multi:
		if key.Matches(msg, k.List, k.Toggle) || isPrintable(msg) {
			f.openPick(s, printable(msg))
		}
	}
	if s.get() != before {
		f.recheck(s.spec.Key)
	}
	return None, cmd
}

// suggestion is the input's current suggestion, "" when there is none (the input's own
// method panics when its index is out of range).
func suggestion(in *textinput.Model) string {
	if i := in.CurrentSuggestionIndex(); i < 0 || i >= len(in.MatchedSuggestions()) {
		return ""
	}
	return in.CurrentSuggestion()
}

func isPrintable(msg tea.KeyPressMsg) bool { return printable(msg) != "" }

// printable is the text a key types, "" for keys that type nothing (and for space).
func printable(msg tea.KeyPressMsg) string {
	if msg.Mod&(tea.ModCtrl|tea.ModAlt) != 0 || msg.Text == "" || msg.Text == " " {
		return ""
	}
	for _, r := range msg.Text {
		if r < 0x20 || r == 0x7f {
			return ""
		}
	}
	return msg.Text
}

func (f *Form) options(s *state) []Option {
	if len(s.spec.Options) == 0 && s.spec.Items != nil {
		s.spec.Options = s.spec.Items()
	}
	opts := s.spec.Options
	// A stored value the list does not offer stays visible rather than lost.
	if s.spec.Kind != Multi && s.value != "" && !slices.ContainsFunc(opts, func(o Option) bool { return o.Value == s.value }) {
		opts = append(slices.Clip(opts), Option{Value: s.value, Label: s.value + " (not in the list)"})
	}
	return opts
}

func (f *Form) index(s *state) int {
	for i, o := range f.options(s) {
		if o.Value == s.value {
			return i
		}
	}
	return -1
}

func (f *Form) levelKey(s *state, msg tea.KeyPressMsg) {
	opts := f.options(s)
	if len(opts) == 0 {
		return
	}
	i := f.index(s)
	switch k := f.keys; {
	case key.Matches(msg, k.Higher):
		i = min(len(opts)-1, i+1)
	case key.Matches(msg, k.Lower):
		i = max(0, i-1)
	case key.Matches(msg, k.Digit):
		for j, o := range opts {
			if o.Value == msg.Text {
				i = j
			}
		}
	default:
		return
	}
	if i >= 0 {
		s.value = opts[i].Value
	}
}

func (f *Form) choiceKey(s *state, msg tea.KeyPressMsg) tea.Cmd {
	opts := f.options(s)
	if len(opts) == 0 {
		return nil
	}
	i := f.index(s)
	switch {
	case key.Matches(msg, f.keys.Choose) && msg.Code == tea.KeyRight, key.Matches(msg, f.keys.Toggle):
		s.value = opts[(i+1)%len(opts)].Value
	case key.Matches(msg, f.keys.Choose):
		if i <= 0 {
			i = len(opts)
		}
		s.value = opts[i-1].Value
	case key.Matches(msg, f.keys.List):
		f.openPick(s, "")
	case isPrintable(msg):
		f.openPick(s, printable(msg))
	}
	return nil
}

// paste hands pasted text to the focused text field, refusing with a message text that
// would take the field past its limit.
func (f *Form) paste(text string) tea.Cmd {
	if f.readOnly || f.asking {
		return nil
	}
	if f.pick != nil {
		return f.pickKey(tea.PasteMsg{Content: text})
	}
	s := f.focused()
	if s == nil {
		return nil
	}
	limit := s.spec.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	switch s.spec.Kind {
	case Text, Person, Date:
		if s.spec.Kind == Date {
			limit = 10
		}
		if have, add := utf8.RuneCountInString(s.input.Value()), utf8.RuneCountInString(text); have+add > limit {
			f.errs[s.spec.Key] = fmt.Sprintf("Nothing was pasted: %d characters would make %s longer than %d.", add, strings.ToLower(s.spec.Label), limit)
			return nil
		}
		var cmd tea.Cmd
		s.input, cmd = s.input.Update(tea.PasteMsg{Content: hide(text)})
		f.recheck(s.spec.Key)
		return cmd
	case MultiLine:
		if have, add := utf8.RuneCountInString(s.area.Value()), utf8.RuneCountInString(text); have+add > limit {
			f.errs[s.spec.Key] = fmt.Sprintf("Nothing was pasted: %d characters would make %s longer than %d.", add, strings.ToLower(s.spec.Label), limit)
			return nil
		}
		var cmd tea.Cmd
		s.area, cmd = s.area.Update(tea.PasteMsg{Content: hide(text)})
		f.recheck(s.spec.Key)
		return cmd
	}
	return nil
}

// KeyMap is the help for the focused field and the form's rule.
func (f *Form) KeyMap() help.KeyMap {
	k := f.keys
	if f.asking {
		return common.HelpMap{Short: []key.Binding{k.Yes, k.No}}
	}
	if f.pick != nil {
		b := f.pick.list.HelpKeys()
		return common.HelpMap{Short: b, Full: [][]key.Binding{b}}
	}
	if f.readOnly {
		b := []key.Binding{k.Next, k.Prev, withHelp(k.Back, "esc", "back")}
		return common.HelpMap{Short: b, Full: [][]key.Binding{b}}
	}
	var fieldKeys []key.Binding
	if s := f.focused(); s != nil {
		switch s.spec.Kind {
		case Level:
			fieldKeys = []key.Binding{withHelp(k.Choose, "←/→ or digit", "level")}
		case Choice:
			fieldKeys = []key.Binding{k.Choose, k.List}
		case Multi:
			fieldKeys = []key.Binding{withHelp(k.List, "enter", "pick from list")}
		case Date:
			fieldKeys = []key.Binding{k.Today}
		case Person:
			if suggestion(&s.input) != "" {
				fieldKeys = []key.Binding{k.Accept}
			}
		}
	}
	back := withHelp(k.Back, "esc", "leave")
	switch {
	case f.quiet:
		back = withHelp(k.Back, "esc", "cancel")
	case f.Changed():
		back = withHelp(k.Back, "esc", "discard…")
	}
	save := k.Save
	if f.saveHelp != "" {
		save = withHelp(save, "ctrl+s", f.saveHelp)
	}
	// Moving between fields means nothing in a form of one field.
	var move []key.Binding
	if f.visibleCount() > 1 {
		move = []key.Binding{k.Next, k.Prev}
	}
	short := append([]key.Binding{save, back}, fieldKeys...)
	short = append(short, move...)
	return common.HelpMap{Short: short, Full: [][]key.Binding{append([]key.Binding{save, back}, move...), fieldKeys}}
}

func (f *Form) visibleCount() int {
	n := 0
	for i := range f.fields {
		if f.visible(i) {
			n++
		}
	}
	return n
}

func withHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}

// SetBare draws the fields without their label column (one field typed in place under a
// heading of its own).
func (f *Form) SetBare(b bool) { f.bare = b }

func (f *Form) labelWidth() int {
	if f.bare {
		return 0
	}
	if f.lw > 0 {
		return f.lw
	}
	w := 0
	for _, s := range f.fields {
		if !s.spec.Inline {
			w = max(w, lipgloss.Width(s.spec.Label))
		}
	}
	return min(w+3, max(12, f.width/3))
}

// SingleLine is true for a form of one field that is not multi-line text (a dialog then
// submits on enter).
func (f *Form) SingleLine() bool {
	return len(f.fields) == 1 && f.fields[0].spec.Kind != MultiLine
}
