package risks

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
)

type fieldKind int

const (
	fText fieldKind = iota
	fChoice
	fMulti
)

type option struct{ value, label string }

// field is one line of a form. Its key is the validation field name, so a problem the
// domain reports lands next to the right field.
type field struct {
	key     string
	label   string
	section string // a heading drawn before the field
	kind    fieldKind

	input textinput.Model
	orig  string // the stored value; may hold newlines a one-line input cannot show
	shown string // what the input showed when the form opened

	opts    []option
	sel     int
	initSel int

	multi     []string
	initMulti string
	items     func() []pickItem

	show func(f *form) bool
}

// text is a text field's value: the stored value when the user left the field as shown.
func (fl *field) text() string {
	if fl.input.Value() == fl.shown {
		return fl.orig
	}
	return fl.input.Value()
}

func (fl *field) choice() string {
	if fl.sel < 0 || fl.sel >= len(fl.opts) {
		return ""
	}
	return fl.opts[fl.sel].value
}

// form adds or edits one risk.
type form struct {
	m        *Model
	base     assessments.Risk
	creating bool
	matrix   assessments.Matrix
	fields   []*field
	focus    int
	errs     map[string]string
	banner   string
	saving   bool
	picker   *picker
	width    int
	offset   int
	discard  bool // asking whether to drop the changes
}

func newForm(m *Model, r assessments.Risk, creating bool) *form {
	f := &form{m: m, base: r, creating: creating, matrix: m.matrix.Clone(), errs: map[string]string{}, width: m.width}
	text := func(key, label, value string, limit int) *field {
		ti := newInput()
		ti.Prompt = ""
		ti.CharLimit = limit
		ti.SetValue(value)
		ti.CursorEnd()
		return &field{key: key, label: label, kind: fText, input: ti, orig: value, shown: ti.Value()}
	}
	choice := func(key, label string, opts []option, cur string) *field {
		fl := &field{key: key, label: label, kind: fChoice, opts: opts, sel: -1}
		for i, o := range opts {
			if o.value == cur {
				fl.sel = i
			}
		}
		if fl.sel < 0 {
			// A stored value the form does not offer stays as it is until changed.
			fl.opts = append(fl.opts, option{cur, cur + " (not on this matrix)"})
			fl.sel = len(fl.opts) - 1
		}
		fl.initSel = fl.sel
		return fl
	}
	multi := func(key, label string, values []string, items func() []pickItem) *field {
		v := slices.Clone(values)
		return &field{key: key, label: label, kind: fMulti, multi: v, initMulti: strings.Join(v, ","), items: items}
	}
	scoreOpts := func(labels []string, allowNone bool) []option {
		var o []option
		if allowNone {
			o = append(o, option{"0", "— not scored"})
		}
		for i, l := range labels {
			o = append(o, option{strconv.Itoa(i + 1), fmt.Sprintf("%d %s", i+1, common.OneLine(l))})
		}
		return o
	}
	var scopes, approaches, treatments, statuses []option
	for _, s := range assessments.RiskScopes {
		scopes = append(scopes, option{string(s), s.Label()})
	}
	approaches = append(approaches, option{"", "not stated"})
	for _, a := range assessments.RiskApproaches {
		approaches = append(approaches, option{string(a), a.Label()})
	}
	treatments = append(treatments, option{"", "undecided"})
	for _, t := range assessments.Treatments {
		treatments = append(treatments, option{string(t), string(t)})
	}
	for _, s := range assessments.RiskStatuses {
		statuses = append(statuses, option{string(s), s.Label()})
	}
	mx := f.matrix
	if r.Inherent == (assessments.Score{}) {
		// A new risk starts in the middle of the matrix, to be moved.
		r.Inherent = assessments.Score{Likelihood: (mx.Size + 1) / 2, Consequence: (mx.Size + 1) / 2}
	}
	var by, on, why string
	if a := r.Acceptance; a != nil {
		by, on, why = a.By, a.Date, a.Rationale
	}
	asset := func(f *form) bool { return f.get("approach").choice() != string(assessments.ApproachEvent) }
	event := func(f *form) bool { return f.get("approach").choice() != string(assessments.ApproachAsset) }
	security := func(f *form) bool { return assessments.RiskScope(f.get("scope").choice()).Security() }
	ai := func(f *form) bool { return assessments.RiskScope(f.get("scope").choice()).AI() }

	fs := []*field{
		text("title", "Title", r.Title, assessments.MaxNameLen*2),
		text("description", "Description", r.Description, assessments.MaxTextLen),
		choice("scope", "Scope", scopes, string(r.Scope)),
		text("owner", "Owner", r.Owner, assessments.MaxNameLen*2),
		choice("approach", "Identified", approaches, string(r.Approach)),
		text("source", "Risk source", r.Source, assessments.MaxTextLen),
		text("threat", "Threat", r.Threat, assessments.MaxTextLen),
		text("vulnerability", "Vulnerability", r.Vulnerability, assessments.MaxTextLen),
		text("scenario", "Scenario", r.Scenario, assessments.MaxTextLen),
		text("asset", "Asset or AI system", r.Asset, assessments.MaxNameLen*2),
		choice("ai_system", "AI system", systemOpts(m, r.AISystemID), r.AISystemID),
		multi("properties", "C/I/A concerned", r.Properties, tokenItems(assessments.CIAProperties)),
		multi("objectives", "AI objectives", r.Objectives, tokenItems(catalogs.AnnexCObjectives)),
		multi("sources", "AI risk sources", r.Sources, tokenItems(catalogs.AnnexCRiskSources)),
		text("consequence_org", "To the organisation", r.ConsequenceOrg, assessments.MaxTextLen),
		text("consequence_individuals", "To individuals", r.ConsequenceIndividuals, assessments.MaxTextLen),
		text("consequence_society", "To society", r.ConsequenceSociety, assessments.MaxTextLen),
		choice("inherent_likelihood", "Likelihood", scoreOpts(mx.LikelihoodLabels, false), strconv.Itoa(r.Inherent.Likelihood)),
		choice("inherent_consequence", "Consequence", scoreOpts(mx.ConsequenceLabels, false), strconv.Itoa(r.Inherent.Consequence)),
		text("existing_controls", "Existing controls", r.ExistingControls, assessments.MaxTextLen),
		choice("treatment", "Treatment", treatments, string(r.Treatment)),
		text("treatment_plan", "Treatment plan", r.TreatmentPlan, assessments.MaxTextLen),
		multi("controls", "Linked controls", controlValues(r.Controls), m.controlItems),
		choice("residual_likelihood", "Residual likelihood", scoreOpts(mx.LikelihoodLabels, true), strconv.Itoa(r.Residual.Likelihood)),
		choice("residual_consequence", "Residual consequence", scoreOpts(mx.ConsequenceLabels, true), strconv.Itoa(r.Residual.Consequence)),
		text("accepted_by", "Accepted by", by, assessments.MaxNameLen*2),
		text("accepted_on", "Accepted on", on, 10),
		text("acceptance_rationale", "Why acceptable", why, assessments.MaxTextLen),
		text("review_date", "Review date", r.ReviewDate, 10),
		choice("status", "Status", statuses, string(r.EffectiveStatus())),
	}
	f.fields = fs
	sections := map[string]string{"title": "Risk", "approach": "Identification", "consequence_org": "Consequences",
		"inherent_likelihood": "Inherent risk", "treatment": "Treatment", "residual_likelihood": "Residual risk",
		"accepted_by": "Acceptance of the residual risk", "review_date": "Review"}
	for _, fl := range fs {
		fl.section = sections[fl.key]
	}
	f.get("source").show, f.get("threat").show, f.get("vulnerability").show = asset, asset, asset
	f.get("scenario").show = event
	f.get("ai_system").show = func(f *form) bool { return ai(f) || f.get("ai_system").choice() != "" }
	f.get("properties").show = security
	f.get("objectives").show, f.get("sources").show = ai, ai
	f.get("accepted_on").input.Placeholder = "YYYY-MM-DD (empty: today)"
	f.get("review_date").input.Placeholder = "YYYY-MM-DD"
	f.get("title").input.Placeholder = "what could happen, in a few words"
	f.get("accepted_by").input.Placeholder = "risk owner who accepts what remains"
	f.setWidth(m.width)
	return f
}

// systemOpts are the AI systems of the engagement's inventory; a linked system no longer
// in it stays linked until the user picks another.
func systemOpts(m *Model, cur string) []option {
	opts := []option{{"", "— none"}}
	for _, s := range m.systems {
		opts = append(opts, option{s.ID, common.OneLine(s.Name)})
	}
	if cur != "" && m.systemName(cur) == "" {
		opts = append(opts, option{cur, "a system no longer in the inventory"})
	}
	return opts
}

func tokenItems(tokens []string) func() []pickItem {
	return func() []pickItem {
		out := make([]pickItem, len(tokens))
		for i, t := range tokens {
			out[i] = pickItem{value: t, label: strings.ReplaceAll(t, "_", " ")}
		}
		return out
	}
}

func controlValues(cs []assessments.ControlRef) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}

// controlItems are the Annex A controls of the engagement's standards (both built-in
// catalogs when the engagement names none).
func (m *Model) controlItems() []pickItem {
	stds := m.eng.Standards
	if len(stds) == 0 {
		stds = []string{catalogs.ISO27001, catalogs.ISO42001}
	}
	var out []pickItem
	for _, std := range stds {
		cat, ok := m.c.Catalogs.Get(std)
		if !ok {
			continue
		}
		for _, req := range cat.Requirements {
			if req.Kind != catalogs.KindControl {
				continue
			}
			out = append(out, pickItem{value: std + ":" + req.Ref, label: cat.Short + " " + req.Ref + "  " + req.Title})
		}
	}
	return out
}

func (f *form) get(key string) *field {
	for _, fl := range f.fields {
		if fl.key == key {
			return fl
		}
	}
	panic("risks: no form field " + key)
}

func (f *form) visible(fl *field) bool { return fl.show == nil || fl.show(f) }

func (f *form) setWidth(w int) {
	f.width = w
	for _, fl := range f.fields {
		if fl.kind == fText {
			fl.input.SetWidth(max(10, w-f.labelWidth()-2))
		}
	}
	if f.picker != nil {
		f.picker.filter.SetWidth(max(10, w-12))
	}
}

func (f *form) labelWidth() int {
	if f.width >= 100 {
		return 25
	}
	return 23
}

func (f *form) focused() *field { return f.fields[f.focus] }

// focusCmd focuses the current field's input (blurring the others).
func (f *form) focusCmd() tea.Cmd {
	for i, fl := range f.fields {
		if fl.kind == fText && i != f.focus {
			fl.input.Blur()
		}
	}
	if fl := f.focused(); fl.kind == fText {
		return fl.input.Focus()
	}
	return nil
}

func (f *form) move(delta int) tea.Cmd {
	i := f.focus
	for range f.fields {
		i = (i + delta + len(f.fields)) % len(f.fields)
		if f.visible(f.fields[i]) {
			break
		}
	}
	f.focus = i
	return f.focusCmd()
}

func (f *form) focusField(key string) tea.Cmd {
	for i, fl := range f.fields {
		if fl.key == key && f.visible(fl) {
			f.focus = i
			return f.focusCmd()
		}
	}
	return nil
}

func (f *form) update(msg tea.Msg) tea.Cmd {
	if f.picker != nil {
		var cmd tea.Cmd
		f.picker.filter, cmd = f.picker.filter.Update(msg)
		return cmd
	}
	if fl := f.focused(); fl.kind == fText {
		var cmd tea.Cmd
		fl.input, cmd = fl.input.Update(msg)
		return cmd
	}
	return nil
}

// changed reports whether the user changed a field since the form opened.
func (fl *field) changed() bool {
	switch fl.kind {
	case fText:
		return fl.input.Value() != fl.shown
	case fChoice:
		return fl.sel != fl.initSel
	}
	return strings.Join(fl.multi, ",") != fl.initMulti
}

// rebase moves the form onto the risk as stored now (after another process changed it):
// fields the user changed keep the user's value, the others show the stored one.
func (f *form) rebase(cur assessments.Risk) {
	nf := newForm(f.m, cur, false)
	for i, fl := range f.fields {
		if !fl.changed() {
			continue
		}
		n := nf.fields[i]
		switch fl.kind {
		case fText:
			n.input.SetValue(fl.input.Value())
			n.input.CursorEnd()
		case fChoice:
			if fl.sel < len(n.opts) {
				n.sel = fl.sel
			}
		case fMulti:
			n.multi = slices.Clone(fl.multi)
		}
	}
	nf.focus, nf.offset = f.focus, f.offset
	nf.banner = f.banner + "; the form now shows the stored risk with your changes: ctrl+s saves them"
	*f = *nf
}

// dirty reports whether the user changed anything.
func (f *form) dirty() bool {
	return slices.ContainsFunc(f.fields, (*field).changed)
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// risk builds the risk the form describes and lists its problems on the matrix.
func (f *form) risk() (assessments.Risk, []*assessments.ValidationError) {
	r := f.base
	g := func(k string) string { return f.get(k).text() }
	r.Title, r.Description, r.Owner = strings.TrimSpace(g("title")), g("description"), strings.TrimSpace(g("owner"))
	r.Scope = assessments.RiskScope(f.get("scope").choice())
	r.Approach = assessments.RiskApproach(f.get("approach").choice())
	r.Source, r.Threat, r.Vulnerability, r.Scenario = g("source"), g("threat"), g("vulnerability"), g("scenario")
	r.Asset = strings.TrimSpace(g("asset"))
	r.AISystemID = f.get("ai_system").choice()
	r.Properties = slices.Clone(f.get("properties").multi)
	r.Objectives = slices.Clone(f.get("objectives").multi)
	r.Sources = slices.Clone(f.get("sources").multi)
	r.ConsequenceOrg, r.ConsequenceIndividuals, r.ConsequenceSociety = g("consequence_org"), g("consequence_individuals"), g("consequence_society")
	r.Inherent = assessments.Score{Likelihood: atoi(f.get("inherent_likelihood").choice()), Consequence: atoi(f.get("inherent_consequence").choice())}
	r.ExistingControls = g("existing_controls")
	r.Treatment = assessments.Treatment(f.get("treatment").choice())
	r.TreatmentPlan = g("treatment_plan")
	r.Controls = nil
	var bad []*assessments.ValidationError
	for _, v := range f.get("controls").multi {
		c, err := assessments.ParseControlRef(v)
		if err != nil {
			bad = append(bad, &assessments.ValidationError{Field: "controls", Message: err.Error()})
			continue
		}
		r.Controls = append(r.Controls, c)
	}
	assessments.SortControls(r.Controls)
	r.Residual = assessments.Score{Likelihood: atoi(f.get("residual_likelihood").choice()), Consequence: atoi(f.get("residual_consequence").choice())}
	by, on, why := g("accepted_by"), strings.TrimSpace(g("accepted_on")), g("acceptance_rationale")
	if on == "" && (strings.TrimSpace(by) != "" || strings.TrimSpace(why) != "") {
		on = f.m.now().Format(assessments.DateLayout)
	}
	r.Acceptance = assessments.NextAcceptance(f.base.Acceptance, by, on, why, r.EffectiveResidual())
	r.ReviewDate = strings.TrimSpace(g("review_date"))
	r.Status = assessments.RiskStatus(f.get("status").choice())
	return r, append(bad, r.Problems(f.matrix, assessments.KnownControl(f.m.c.Catalogs))...)
}

// submit validates every field; valid input goes to the store, problems stay next to
// their fields and nothing typed is lost.
func (f *form) submit() tea.Cmd {
	if f.saving {
		return nil
	}
	r, problems := f.risk()
	f.errs = map[string]string{}
	f.banner = ""
	for _, p := range problems {
		if _, ok := f.errs[p.Field]; !ok {
			f.errs[p.Field] = p.Message
		}
	}
	if len(problems) > 0 {
		f.banner = fmt.Sprintf("%d field%s to fix before saving", len(f.errs), plural(len(f.errs)))
		return f.focusField(problems[0].Field)
	}
	if !f.creating && !f.dirty() {
		f.m.form = nil
		return nil
	}
	f.saving = true
	return f.m.saveCmd(f.base, r, f.creating)
}

func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	f := m.form
	if f.picker != nil {
		return f.pickerKey(msg)
	}
	if f.discard {
		switch msg.String() {
		case "y", "Y":
			m.form = nil
		case "n", "N", "esc":
			f.discard = false
		}
		return nil
	}
	fl := f.focused()
	switch msg.String() {
	case "ctrl+s":
		return f.submit()
	case "esc":
		if f.dirty() {
			f.discard = true
			return nil
		}
		m.form = nil
		return nil
	case "tab", "down":
		return f.move(1)
	case "shift+tab", "up":
		return f.move(-1)
	case "enter":
		if fl.kind == fMulti {
			f.openPicker(fl)
			return f.picker.filter.Focus()
		}
		return f.move(1)
	}
	switch fl.kind {
	case fChoice:
		switch msg.String() {
		case "left", "h":
			fl.sel = (fl.sel - 1 + len(fl.opts)) % len(fl.opts)
		case "right", "l", "space":
			fl.sel = (fl.sel + 1) % len(fl.opts)
		}
		return nil
	case fMulti:
		if msg.String() == "space" {
			f.openPicker(fl)
			return f.picker.filter.Focus()
		}
		return nil
	}
	var cmd tea.Cmd
	fl.input, cmd = fl.input.Update(msg)
	return cmd
}

// staleAfterSave reports whether saving would leave the frozen acceptance stale.
func (f *form) staleAfterSave() bool {
	if f.base.Acceptance == nil {
		return false
	}
	r, _ := f.risk()
	return r.Acceptance == f.base.Acceptance && r.AcceptanceStale()
}

// hint is the muted text after a field: the level a score gives, or what the acceptance means.
func (f *form) hint(fl *field) string {
	level := func(l, c string) string {
		if lv, ok := f.matrix.Level(atoi(f.get(l).choice()), atoi(f.get(c).choice())); ok {
			return "level " + lv.Name
		}
		return ""
	}
	switch fl.key {
	case "inherent_consequence":
		return level("inherent_likelihood", "inherent_consequence")
	case "residual_consequence":
		if s := level("residual_likelihood", "residual_consequence"); s != "" {
			return s
		}
		return "not scored: the inherent score stands"
	case "controls":
		return "enter to pick from both catalogs"
	case "acceptance_rationale":
		a := f.base.Acceptance
		if a == nil {
			return ""
		}
		r, _ := f.risk()
		lv, _ := f.matrix.LevelOf(a.Residual)
		if r.Acceptance == a && r.AcceptanceStale() {
			return fmt.Sprintf("STALE: given for %d×%d %s; change who, when or why to accept again", a.Residual.Likelihood, a.Residual.Consequence, lv.Name)
		}
		return fmt.Sprintf("frozen record, given for %d×%d %s", a.Residual.Likelihood, a.Residual.Consequence, lv.Name)
	}
	return ""
}

func (f *form) valueText(fl *field, focused bool) string {
	st := f.m.c.Styles
	switch fl.kind {
	case fText:
		if focused {
			return fl.input.View()
		}
		v := fl.text()
		if v == "" {
			if fl.input.Placeholder != "" {
				return st.Subtle.Render(fl.input.Placeholder)
			}
			return st.Subtle.Render("—")
		}
		return common.OneLine(v)
	case fChoice:
		label := "—"
		if fl.sel >= 0 && fl.sel < len(fl.opts) {
			label = fl.opts[fl.sel].label
		}
		if focused {
			return st.Accent.Render("‹ ") + st.Bold.Render(label) + st.Accent.Render(" ›")
		}
		return label
	default:
		if len(fl.multi) == 0 {
			return st.Subtle.Render("none")
		}
		var parts []string
		for _, v := range fl.multi {
			if c, err := assessments.ParseControlRef(v); err == nil && fl.key == "controls" {
				parts = append(parts, controlLabel(f.m.c.Catalogs, c))
			} else {
				parts = append(parts, strings.ReplaceAll(v, "_", " "))
			}
		}
		return common.OneLine(strings.Join(parts, ", "))
	}
}

type formLine struct {
	text  string
	field int // -1: not a field line
}

func (f *form) lines() []formLine {
	st := f.m.c.Styles
	lw := f.labelWidth()
	var out []formLine
	for i, fl := range f.fields {
		if !f.visible(fl) {
			continue
		}
		if fl.section != "" {
			out = append(out, formLine{st.Header.Render(fl.section), -1})
		}
		focused := i == f.focus
		label := common.Pad("  "+fl.label, lw)
		if focused {
			label = st.Accent.Render(common.Pad("▸ "+fl.label, lw))
		} else if _, bad := f.errs[fl.key]; bad {
			label = st.Error.Render(common.Pad("✗ "+fl.label, lw))
		} else {
			label = st.Label.Render(label)
		}
		line := label + " " + f.valueText(fl, focused)
		if h := f.hint(fl); h != "" {
			hs := st.Subtle
			if strings.HasPrefix(h, "STALE") {
				hs = st.Warn
			}
			line += "  " + hs.Render(h)
		}
		out = append(out, formLine{common.Truncate(line, f.width), i})
		if msg, bad := f.errs[fl.key]; bad {
			out = append(out, formLine{common.Truncate(strings.Repeat(" ", lw+1)+st.Error.Render("↳ "+msg), f.width), i})
		}
	}
	return out
}

func (f *form) view(height int) string {
	if f.picker != nil {
		return f.picker.view(f.m, f.width, height)
	}
	st := f.m.c.Styles
	title := "New risk"
	if !f.creating {
		title = "Edit " + f.base.Ref
	}
	head := st.Title.Render(title)
	if f.creating {
		head += st.Muted.Render("  the reference is given when saved")
	} else {
		head += st.Muted.Render("  " + common.OneLine(f.base.Title))
	}
	top := []string{common.Truncate(head, f.width)}
	switch {
	case f.discard:
		top = append(top, st.Warn.Render(common.Truncate("Discard your changes to this risk? (y/n)", f.width)))
	case f.banner != "":
		top = append(top, st.Error.Render(common.Truncate(f.banner, f.width)))
	case f.saving:
		top = append(top, st.Muted.Render("Saving…"))
	case f.staleAfterSave():
		a := f.base.Acceptance
		msg := fmt.Sprintf("~ residual changed: the acceptance given for %d×%d will show stale; change who, when or why to accept again",
			a.Residual.Likelihood, a.Residual.Consequence)
		if f.base.AcceptanceStale() {
			msg = fmt.Sprintf("~ acceptance stale: given for %d×%d, the residual is now %d×%d; change who, when or why to accept again",
				a.Residual.Likelihood, a.Residual.Consequence, f.base.EffectiveResidual().Likelihood, f.base.EffectiveResidual().Consequence)
		}
		top = append(top, st.Warn.Render(common.Truncate(msg, f.width)))
	default:
		top = append(top, st.Subtle.Render(common.Truncate("ctrl+s saves · esc cancels · tab/↑↓ fields · ←/→ choices · enter opens pick lists", f.width)))
	}
	body := f.lines()
	avail := max(1, height-len(top))
	// Keep the focused field and its message in view.
	first, last := -1, -1
	for i, l := range body {
		if l.field == f.focus {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first >= 0 {
		if first > 0 && body[first-1].field == -1 {
			first-- // show the section heading with its first field
		}
		if first < f.offset {
			f.offset = first
		}
		if last >= f.offset+avail {
			f.offset = last - avail + 1
		}
	}
	f.offset = max(0, min(f.offset, max(0, len(body)-avail)))
	out := top
	for i := f.offset; i < min(len(body), f.offset+avail); i++ {
		out = append(out, body[i].text)
	}
	return strings.Join(out, "\n")
}

// pickItem is one entry of a pick list.
type pickItem struct{ value, label string }

// picker chooses several values from a list filtered as you type.
type picker struct {
	title    string
	field    *field
	items    []pickItem
	chosen   map[string]bool
	filter   textinput.Model
	shown    []int
	cursor   int
	offset   int
	matchKey string
}

func (f *form) openPicker(fl *field) {
	ti := newInput()
	ti.Prompt = "filter: "
	ti.Placeholder = "type a ref or words of a title"
	ti.CharLimit = 100
	ti.SetWidth(max(10, f.width-12))
	p := &picker{title: fl.label, field: fl, items: fl.items(), chosen: map[string]bool{}, filter: ti, matchKey: "\x00"}
	for _, v := range fl.multi {
		p.chosen[v] = true
	}
	p.refilter()
	f.picker = p
}

func (p *picker) refilter() {
	q := strings.ToLower(strings.TrimSpace(p.filter.Value()))
	if q == p.matchKey {
		return
	}
	p.matchKey = q
	p.shown = p.shown[:0]
	words := strings.Fields(q)
	for i, it := range p.items {
		hay := strings.ToLower(it.label + " " + it.value)
		ok := true
		for _, w := range words {
			ok = ok && strings.Contains(hay, w)
		}
		if ok {
			p.shown = append(p.shown, i)
		}
	}
	p.cursor, p.offset = 0, 0
}

// close writes the choice back to the field, in the list's order.
func (p *picker) close() {
	var out []string
	for _, it := range p.items {
		if p.chosen[it.value] {
			out = append(out, it.value)
		}
	}
	// Values the list does not offer (a control of a catalog no longer in scope) stay.
	for _, v := range p.field.multi {
		if p.chosen[v] && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	p.field.multi = out
}

func (f *form) pickerKey(msg tea.KeyPressMsg) tea.Cmd {
	p := f.picker
	switch msg.String() {
	case "esc", "ctrl+s":
		p.close()
		f.picker = nil
		if msg.String() == "ctrl+s" {
			return f.submit()
		}
		return f.focusCmd()
	case "up", "ctrl+p":
		p.cursor = max(0, p.cursor-1)
		return nil
	case "down", "ctrl+n":
		p.cursor = min(len(p.shown)-1, p.cursor+1)
		return nil
	case "pgup":
		p.cursor = max(0, p.cursor-10)
		return nil
	case "pgdown":
		p.cursor = min(len(p.shown)-1, p.cursor+10)
		return nil
	case "enter":
		if p.cursor >= 0 && p.cursor < len(p.shown) {
			v := p.items[p.shown[p.cursor]].value
			p.chosen[v] = !p.chosen[v]
		}
		return nil
	}
	var cmd tea.Cmd
	p.filter, cmd = p.filter.Update(msg)
	p.refilter()
	return cmd
}

func (p *picker) view(m *Model, width, height int) string {
	st := m.c.Styles
	n := 0
	for _, v := range p.chosen {
		if v {
			n++
		}
	}
	lines := []string{
		common.Truncate(st.Title.Render("Pick: "+p.title)+st.Muted.Render(fmt.Sprintf("  %d selected · %d shown", n, len(p.shown))), width),
		p.filter.View(),
	}
	rows := max(1, height-3)
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if p.cursor >= p.offset+rows {
		p.offset = p.cursor - rows + 1
	}
	if len(p.shown) == 0 {
		lines = append(lines, st.Muted.Render("Nothing matches; backspace widens the filter."))
	}
	for i := p.offset; i < min(len(p.shown), p.offset+rows); i++ {
		it := p.items[p.shown[i]]
		box := "[ ] "
		if p.chosen[it.value] {
			box = st.OK.Render("[x] ")
		}
		line := box + common.OneLine(it.label)
		if i == p.cursor {
			line = st.Selected.Render(common.Pad(stripANSI(line), width))
		}
		lines = append(lines, common.Truncate(line, width))
	}
	for len(lines) < height-1 {
		lines = append(lines, "")
	}
	var chosen []string
	for _, it := range p.items {
		if p.chosen[it.value] {
			chosen = append(chosen, strings.SplitN(it.label, "  ", 2)[0])
		}
	}
	foot := "enter selects/unselects · esc done"
	if len(chosen) > 0 {
		foot = "chosen: " + strings.Join(chosen, ", ")
	}
	lines = append(lines, st.Subtle.Render(common.Truncate(foot, width)))
	return strings.Join(lines[:min(len(lines), max(1, height))], "\n")
}
