package evidence

import (
	"context"
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
)

// field is one row of the evidence form.
type field int

const (
	fTitle field = iota
	fKind
	fPath
	fURL
	fDescription
	fCollectedOn
	fCollectedBy
	fValidUntil
	fLinks
	nFields
)

var fieldNames = [nFields]string{"title", "kind", "path", "url", "description", "collected_on", "collected_by", "valid_until", "links"}

var fieldLabels = [nFields]string{"Title", "Kind", "File path", "Web address", "Description", "Collected on", "Collected by", "Valid until", "Links"}

// form edits one evidence item, new or existing. Nothing typed is lost when saving fails:
// the text stays and each problem shows under its field.
type form struct {
	c      *common.Common
	eng    assessments.Engagement
	keys   keyMap
	before *assessments.Evidence // nil for a new item
	inputs [nFields]textinput.Model
	// desc holds the description: it may run over several lines, which a one-line field
	// would fold into one and so change on save.
	desc  textarea.Model
	kind  assessments.EvidenceKind
	focus field
	// errs maps a field name to its message; general is a problem of the whole form.
	errs    map[string]string
	general string
	tried   bool
	saving  bool
	discard bool // asking whether to drop unsaved text
	initial [nFields]string
	width   int
	seq     int
	// risks maps a risk ref to its id, so the links field can name risks too;
	// nil where the register is not loaded (the attach dialog).
	risks map[string]string
}

func newForm(c *common.Common, e assessments.Engagement, keys keyMap, item *assessments.Evidence, preset []assessments.EvidenceLink, risks map[string]string) *form {
	f := &form{c: c, eng: e, keys: keys, before: item, errs: map[string]string{}, kind: assessments.KindDocument, risks: risks}
	placeholders := [nFields]string{
		fTitle: "what it is, e.g. Access review Q3", fPath: "e.g. ~/client/evidence/access-review.xlsx",
		fURL: "e.g. https://intranet.example/policy", fDescription: "what it shows, where it came from",
		fCollectedOn: "YYYY-MM-DD", fCollectedBy: "who collected it", fValidUntil: "YYYY-MM-DD (empty: no expiry)",
		fLinks: "e.g. A.5.15, iso42001-2023:A.5.2, risk:R-001",
	}
	limits := [nFields]int{fTitle: assessments.MaxNameLen, fPath: 4096, fURL: 4096, fDescription: 10000,
		fCollectedOn: 10, fCollectedBy: assessments.MaxNameLen, fValidUntil: 10, fLinks: 4000}
	for i := range f.inputs {
		in := newInput()
		in.Prompt = ""
		in.Placeholder = placeholders[i]
		in.CharLimit = limits[i]
		f.inputs[i] = in
	}
	f.desc = newTextarea()
	f.desc.Placeholder = placeholders[fDescription]
	var links []assessments.EvidenceLink
	if item != nil {
		f.kind = item.Kind
		// Stored text is shown inert: an escape sequence in a title must not reach the
		// terminal through the field. value() maps untouched fields back to the original.
		f.inputs[fTitle].SetValue(common.Inert(item.Title))
		f.inputs[fPath].SetValue(common.Inert(item.Path))
		f.inputs[fURL].SetValue(common.Inert(item.URL))
		f.desc.SetValue(common.Inert(item.Description))
		f.inputs[fCollectedOn].SetValue(common.Inert(item.CollectedOn))
		f.inputs[fCollectedBy].SetValue(common.Inert(item.CollectedBy))
		f.inputs[fValidUntil].SetValue(common.Inert(item.ValidUntil))
		links = item.Links
	} else {
		f.inputs[fCollectedOn].SetValue(c.Now().Format(assessments.DateLayout))
		f.inputs[fCollectedBy].SetValue(c.Store.Author())
		links = preset
	}
	var refs []string
	for _, l := range links {
		switch l.Target {
		case assessments.LinkRequirement:
			refs = append(refs, assessments.RequirementRefText(c.Catalogs, e, l))
		case assessments.LinkRisk:
			for ref, id := range risks {
				if id == l.Ref {
					refs = append(refs, "risk:"+ref)
				}
			}
		}
	}
	f.inputs[fLinks].SetValue(strings.Join(refs, ", "))
	for i := range f.inputs {
		f.initial[i] = f.inputs[i].Value()
	}
	f.initial[fKind] = string(f.kind)
	f.initial[fDescription] = f.desc.Value()
	f.focusField(fTitle)
	return f
}

func (f *form) title() string {
	if f.before == nil {
		return "New evidence"
	}
	return "Edit evidence"
}

func (f *form) focusField(i field) tea.Cmd {
	for j := range f.inputs {
		f.inputs[j].Blur()
	}
	f.desc.Blur()
	f.focus = i
	switch i {
	case fKind:
		return nil
	case fDescription:
		return f.desc.Focus()
	}
	return f.inputs[i].Focus()
}

// text is the current value of a field.
func (f *form) text(i field) string {
	switch i {
	case fKind:
		return string(f.kind)
	case fDescription:
		return f.desc.Value()
	}
	return f.inputs[i].Value()
}

// dirty is true when something differs from what the form opened with.
func (f *form) dirty() bool {
	for i := field(0); i < nFields; i++ {
		if f.text(i) != f.initial[i] {
			return true
		}
	}
	return false
}

// value builds the item the form describes and the requirement links it lists.
func (f *form) value() (assessments.Evidence, []assessments.EvidenceLink, []string) {
	var e assessments.Evidence
	if f.before != nil {
		e = *f.before
	}
	e.EngagementID = f.eng.ID
	e.Kind = f.kind
	// keep returns the stored value when the field still shows it untouched.
	keep := func(typed, stored string, trim bool) string {
		if f.before != nil && typed == common.Inert(stored) {
			return stored
		}
		if trim {
			return strings.TrimSpace(typed)
		}
		return typed
	}
	var before assessments.Evidence
	if f.before != nil {
		before = *f.before
	}
	e.Title = keep(f.inputs[fTitle].Value(), before.Title, true)
	e.Path = keep(f.inputs[fPath].Value(), before.Path, true)
	e.URL = keep(f.inputs[fURL].Value(), before.URL, true)
	e.Description = keep(f.desc.Value(), before.Description, false)
	e.CollectedOn = keep(f.inputs[fCollectedOn].Value(), before.CollectedOn, true)
	e.CollectedBy = keep(f.inputs[fCollectedBy].Value(), before.CollectedBy, true)
	e.ValidUntil = keep(f.inputs[fValidUntil].Value(), before.ValidUntil, true)
	links, problems := f.parseLinks(f.inputs[fLinks].Value())
	return e, links, problems
}

// parseLinks reads requirement refs and, where the register is loaded, risk refs
// ("risk:R-001").
func (f *form) parseLinks(text string) ([]assessments.EvidenceLink, []string) {
	var reqs []string
	var links []assessments.EvidenceLink
	var problems []string
	for _, tok := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		prefix, ref, ok := strings.Cut(tok, ":")
		if !ok || !strings.EqualFold(prefix, "risk") {
			reqs = append(reqs, tok)
			continue
		}
		id, found := f.risks[strings.ToUpper(strings.TrimSpace(ref))]
		switch {
		case f.risks == nil:
			problems = append(problems, "link risks from the Evidence tab")
		case !found:
			problems = append(problems, "the engagement has no risk "+ref)
		default:
			links = append(links, assessments.EvidenceLink{Target: assessments.LinkRisk, Ref: id})
		}
	}
	rl, rp := assessments.ParseRequirementRefs(f.c.Catalogs, f.eng, strings.Join(reqs, ","))
	return append(rl, links...), append(rp, problems...)
}

// validate fills errs from the domain rules; it does no I/O.
func (f *form) validate() bool {
	f.errs = map[string]string{}
	e, _, problems := f.value()
	e.Links = nil
	for _, p := range e.Problems() {
		f.errs[p.Field] = p.Message
	}
	if len(problems) > 0 {
		f.errs["links"] = strings.Join(problems, "; ")
	}
	return len(f.errs) == 0
}

// formSavedMsg carries the outcome of saving a form.
type formSavedMsg struct {
	form *form // the form that saved: another screen's form may be saving too
	seq  int
	item assessments.Evidence
	err  error
	// current is the stored item when the save was refused because of a conflict.
	current *assessments.Evidence
}

// update handles a key; it returns a command and whether the form is finished (closed).
func (f *form) update(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if f.saving {
		return nil, false
	}
	if f.discard {
		switch msg.String() {
		case "y":
			return nil, true
		case "n", "esc":
			f.discard = false
		}
		return nil, false
	}
	switch {
	case msg.String() == "esc":
		if f.dirty() {
			f.discard = true
			return nil, false
		}
		return nil, true
	case key.Matches(msg, f.keys.Save):
		return f.save(), false
	case f.focus == fDescription && msg.String() != "tab" && msg.String() != "shift+tab":
		// In the description enter starts a new line and the arrows move in the text.
		var cmd tea.Cmd
		f.desc, cmd = f.desc.Update(msg)
		if f.tried {
			f.validate()
		}
		return cmd, false
	case msg.String() == "enter":
		if f.focus == nFields-1 {
			return f.save(), false
		}
		return f.focusField(f.focus + 1), false
	case msg.String() == "tab" || msg.String() == "down":
		return f.focusField((f.focus + 1) % nFields), false
	case msg.String() == "shift+tab" || msg.String() == "up":
		return f.focusField((f.focus + nFields - 1) % nFields), false
	}
	if f.focus == fKind {
		f.cycleKind(msg.String())
	} else {
		var cmd tea.Cmd
		f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
		if f.tried {
			f.validate()
		}
		return cmd, false
	}
	if f.tried {
		f.validate()
	}
	return nil, false
}

func (f *form) cycleKind(k string) {
	kinds := assessments.EvidenceKinds
	idx := 0
	for i, x := range kinds {
		if x == f.kind {
			idx = i
		}
	}
	switch k {
	case "right", "space":
		f.kind = kinds[(idx+1)%len(kinds)]
	case "left":
		f.kind = kinds[(idx+len(kinds)-1)%len(kinds)]
	default:
		// The six kinds start with six different letters.
		for _, x := range kinds {
			if len(k) == 1 && strings.HasPrefix(string(x), k) {
				f.kind = x
			}
		}
	}
}

// paste sends pasted text to the focused field.
func (f *form) paste(msg tea.PasteMsg) tea.Cmd {
	if f.focus == fKind || f.saving {
		return nil
	}
	var cmd tea.Cmd
	if f.focus == fDescription {
		f.desc, cmd = f.desc.Update(msg)
		return cmd
	}
	f.inputs[f.focus], cmd = f.inputs[f.focus].Update(msg)
	return cmd
}

// save validates and, when the form is sound, returns the command that writes it.
func (f *form) save() tea.Cmd {
	f.tried = true
	f.general = ""
	if !f.validate() {
		for i := field(0); i < nFields; i++ {
			if f.errs[fieldNames[i]] != "" {
				return f.focusField(i)
			}
		}
		return nil
	}
	e, links, _ := f.value()
	f.saving = true
	f.seq++
	seq := f.seq
	c, before := f.c, f.before
	return func() tea.Msg {
		item, err := saveEvidence(c.Ctx, c.Store, before, e, links)
		msg := formSavedMsg{form: f, seq: seq, item: item, err: err}
		if errors.Is(err, store.ErrConflict) && before != nil {
			if cur, err := c.Store.EvidenceItem(c.Ctx, before.ID); err == nil {
				msg.current = &cur
			}
		}
		return msg
	}
}

// saved takes the outcome of save; it returns true when the form is done.
func (f *form) saved(msg formSavedMsg) bool {
	if msg.form != f || msg.seq != f.seq {
		return false
	}
	f.saving = false
	if msg.err == nil {
		return true
	}
	var ve *assessments.ValidationError
	if errors.As(msg.err, &ve) && ve.Field != "" {
		f.errs[ve.Field] = ve.Message
		for i := field(0); i < nFields; i++ {
			if fieldNames[i] == ve.Field {
				f.focusField(i)
			}
		}
		return false
	}
	f.general = msg.err.Error()
	if msg.current != nil {
		// What the user typed stays; the next save compares with what is stored now.
		f.before = msg.current
	}
	return false
}

// saveEvidence creates or updates an item and brings its requirement links in line with
// links. It runs inside a tea.Cmd.
func saveEvidence(ctx context.Context, s *store.Store, before *assessments.Evidence, after assessments.Evidence, links []assessments.EvidenceLink) (assessments.Evidence, error) {
	if before == nil {
		after.Links = links
		return s.CreateEvidence(ctx, after, store.AttachOptions{})
	}
	after.Links = before.Links
	saved, err := s.UpdateEvidence(ctx, *before, after, store.AttachOptions{})
	if err != nil {
		return saved, err
	}
	want := map[string]bool{}
	for _, l := range links {
		want[l.String()] = true
	}
	have := map[string]bool{}
	for _, l := range saved.Links {
		// Impact assessment links are made from the assessment; the form leaves them be.
		if l.Target == assessments.LinkImpactAssessment {
			continue
		}
		have[l.String()] = true
		if !want[l.String()] {
			if err := s.UnlinkEvidence(ctx, saved.ID, l); err != nil {
				return saved, err
			}
		}
	}
	var add []assessments.EvidenceLink
	for _, l := range links {
		if !have[l.String()] {
			add = append(add, l)
		}
	}
	if len(add) > 0 {
		if _, err := s.LinkEvidence(ctx, saved.ID, add...); err != nil {
			return saved, err
		}
	}
	return s.EvidenceItem(ctx, saved.ID)
}

// view draws the form in w×h cells, scrolled so the focused field shows.
func (f *form) view(w, h int) string {
	st := f.c.Styles
	labelW := 14
	inW := max(10, w-labelW-2)
	var lines []string
	focusLine := 0
	lines = append(lines, st.Title.Render(f.title())+st.Muted.Render("  tab/↑↓ move · enter next · ctrl+s save · esc cancel"))
	lines = append(lines, "")
	for i := field(0); i < nFields; i++ {
		if i == f.focus {
			focusLine = len(lines)
		}
		label := common.Pad(fieldLabels[i], labelW)
		if i == f.focus {
			label = st.Cursor.Render("› ") + st.Accent.Render(label)
		} else {
			label = "  " + st.Label.Render(label)
		}
		switch i {
		case fKind:
			lines = append(lines, common.Truncate(label+f.kindView(i == f.focus), w))
		case fDescription:
			f.desc.SetWidth(inW - 1)
			f.desc.SetHeight(f.descHeight(h))
			for j, l := range strings.Split(f.desc.View(), "\n") {
				if j > 0 {
					label = strings.Repeat(" ", labelW+2)
				}
				lines = append(lines, common.Truncate(label+l, w))
			}
		default:
			f.inputs[i].SetWidth(inW - 1)
			lines = append(lines, common.Truncate(label+f.inputs[i].View(), w))
		}
		if msg := f.errs[fieldNames[i]]; msg != "" {
			lines = append(lines, common.Truncate(strings.Repeat(" ", labelW+2)+st.Error.Render("✗ "+common.OneLine(msg)), w))
		} else if i == f.focus {
			if hint := f.hint(i); hint != "" {
				lines = append(lines, common.Truncate(strings.Repeat(" ", labelW+2)+st.Muted.Render(hint), w))
			}
		}
	}
	lines = append(lines, "")
	switch {
	case f.saving:
		lines = append(lines, st.Info.Render("Saving… (hashing the file)"))
	case f.discard:
		lines = append(lines, st.Warn.Render("Discard what you typed? y discards · n keeps editing"))
	case f.general != "":
		lines = append(lines, common.Truncate(st.Error.Render(common.OneLine(f.general)), w))
	}
	// Scroll so the focused field is visible.
	start := 0
	if len(lines) > h && h > 0 {
		start = min(max(0, focusLine-h/2), len(lines)-h)
	}
	end := min(len(lines), start+max(h, 1))
	out := lines[start:end]
	for len(out) < h {
		out = append(out, "")
	}
	return strings.Join(out, "\n")
}

func (f *form) kindView(focused bool) string {
	st := f.c.Styles
	var parts []string
	for _, k := range assessments.EvidenceKinds {
		if k == f.kind {
			if focused {
				parts = append(parts, st.Selected.Render(string(k)))
			} else {
				parts = append(parts, st.Bold.Render(string(k)))
			}
			continue
		}
		parts = append(parts, st.Muted.Render(string(k)))
	}
	return strings.Join(parts, " ")
}

func (f *form) hint(i field) string {
	switch i {
	case fKind:
		if f.kind.NeedsFile() {
			return "←/→ or first letter · a " + string(f.kind) + " is a file: give its path"
		}
		if f.kind == assessments.KindLink {
			return "←/→ or first letter · a link needs a web address"
		}
		return "←/→ or first letter · notes need no file"
	case fPath:
		return "the file is hashed; a copy up to 50 MB is kept in the workspace"
	case fLinks:
		return "refs separated by commas; qualify refs found in both standards; risk:R-001 links a risk"
	case fDescription:
		return "enter starts a new line · tab moves on"
	}
	return ""
}

// descHeight gives the description three lines when the form has room, else one.
func (f *form) descHeight(h int) int {
	switch {
	case h >= 18:
		return 3
	case h >= 15:
		return 2
	}
	return 1
}

// newTextarea is a multi-line field with a steady cursor and no line numbers.
func newTextarea() textarea.Model {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.MaxHeight = 0 // no cap on lines: the description may be long
	ta.Prompt = ""
	ta.CharLimit = assessments.MaxTextLen
	st := ta.Styles()
	st.Cursor.Blink = false
	ta.SetStyles(st)
	return ta
}

// newInput is a text field with a steady cursor: a blinking one would redraw the screen
// twice a second for nothing.
func newInput() textinput.Model {
	in := textinput.New()
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
	return in
}
