package home

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
)

// form creates or edits an engagement. Every field keeps what was typed when validation
// fails; the message shows next to the field in error.
type form struct {
	editing   *assessments.Engagement // nil for a new engagement
	inputs    map[string]*textinput.Model
	scope     textarea.Model
	catalogs  []*catalogs.Catalog
	chosen    map[string]bool
	stdCursor int
	focus     int
	errs      map[string]string
	asking    bool // esc with unsaved changes asks first
	saving    bool
}

// field order in the form.
var formFields = []string{"name", "organisation", "scope", "standards", "lead", "start_date", "end_date"}

var formLabels = map[string]string{
	"name": "Name", "organisation": "Organisation", "scope": "Scope statement", "standards": "Standards in scope",
	"lead": "Lead consultant", "start_date": "Start date", "end_date": "End date",
}

func newForm(set *catalogs.Set, e *assessments.Engagement) *form {
	f := &form{editing: e, inputs: map[string]*textinput.Model{}, chosen: map[string]bool{}, errs: map[string]string{}}
	for _, name := range []string{"name", "organisation", "lead", "start_date", "end_date"} {
		in := textinput.New()
		in.Prompt = ""
		in.CharLimit = assessments.MaxNameLen
		if strings.HasSuffix(name, "_date") {
			in.Placeholder = "YYYY-MM-DD"
			in.CharLimit = 10
		}
		f.inputs[name] = &in
	}
	f.scope = textarea.New()
	f.scope.ShowLineNumbers = false
	f.scope.Prompt = ""
	f.scope.CharLimit = assessments.MaxTextLen
	f.scope.MaxHeight = 0
	f.scope.SetHeight(3)
	f.catalogs = set.Catalogs
	if e != nil {
		f.inputs["name"].SetValue(e.Name)
		f.inputs["organisation"].SetValue(e.Organisation)
		f.inputs["lead"].SetValue(e.Lead)
		f.inputs["start_date"].SetValue(e.StartDate)
		f.inputs["end_date"].SetValue(e.EndDate)
		f.scope.SetValue(e.Scope)
		for _, s := range e.Standards {
			f.chosen[s] = true
		}
	} else {
		f.chosen[catalogs.ISO27001] = true
		f.chosen[catalogs.ISO42001] = true
	}
	f.focusField(0)
	return f
}

func (f *form) field() string { return formFields[f.focus] }

func (f *form) focusField(i int) tea.Cmd {
	for _, in := range f.inputs {
		in.Blur()
	}
	f.scope.Blur()
	f.focus = (i + len(formFields)) % len(formFields)
	switch name := f.field(); name {
	case "scope":
		return f.scope.Focus()
	case "standards":
		return nil
	default:
		return f.inputs[name].Focus()
	}
}

func (f *form) setWidth(w int) {
	fw := max(20, min(80, w-24))
	for _, in := range f.inputs {
		in.SetWidth(fw)
	}
	f.scope.SetWidth(fw)
}

// engagement builds the engagement the form describes.
func (f *form) engagement() assessments.Engagement {
	var e assessments.Engagement
	if f.editing != nil {
		e = *f.editing
	}
	e.Name = strings.TrimSpace(f.inputs["name"].Value())
	e.Organisation = strings.TrimSpace(f.inputs["organisation"].Value())
	e.Lead = strings.TrimSpace(f.inputs["lead"].Value())
	e.StartDate = strings.TrimSpace(f.inputs["start_date"].Value())
	e.EndDate = strings.TrimSpace(f.inputs["end_date"].Value())
	e.Scope = f.scope.Value()
	e.Standards = nil
	for _, c := range f.catalogs {
		if f.chosen[c.ID] {
			e.Standards = append(e.Standards, c.ID)
		}
	}
	return e
}

func (f *form) dirty() bool {
	now := f.engagement()
	if f.editing == nil {
		return now.Name != "" || now.Organisation != "" || now.Scope != "" || now.Lead != "" || now.StartDate != "" || now.EndDate != ""
	}
	was := *f.editing
	return now.Name != was.Name || now.Organisation != was.Organisation || now.Scope != was.Scope || now.Lead != was.Lead ||
		now.StartDate != was.StartDate || now.EndDate != was.EndDate || strings.Join(now.Standards, ",") != strings.Join(was.Standards, ",")
}

func (f *form) update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch name := f.field(); name {
	case "scope":
		f.scope, cmd = f.scope.Update(msg)
	case "standards":
	default:
		*f.inputs[name], cmd = f.inputs[name].Update(msg)
	}
	return cmd
}

func (f *form) keyMap() common.HelpMap {
	save := key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save"))
	next := key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab/shift+tab", "next/prev field"))
	toggle := key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "toggle standard"))
	esc := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave"))
	return common.HelpMap{Short: []key.Binding{save, next, toggle, esc}, Full: [][]key.Binding{{save, next, toggle, esc}}}
}

type savedMsg struct {
	eng     assessments.Engagement
	created bool
	err     error
}

func (m *Model) openForm(e *assessments.Engagement) tea.Cmd {
	m.form = newForm(m.c.Catalogs, e)
	m.form.setWidth(m.width)
	return m.form.focusField(0)
}

func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	f := m.form
	if f.asking {
		switch msg.String() {
		case "s", "ctrl+s":
			f.asking = false
			return m.submitForm()
		case "d":
			m.form = nil
		case "esc", "n":
			f.asking = false
		}
		return nil
	}
	switch msg.String() {
	case "ctrl+s":
		return m.submitForm()
	case "esc":
		if f.dirty() {
			f.asking = true
			return nil
		}
		m.form = nil
		return nil
	case "tab":
		return f.focusField(f.focus + 1)
	case "shift+tab":
		return f.focusField(f.focus - 1)
	case "enter":
		if f.field() == "scope" {
			break
		}
		if f.focus == len(formFields)-1 {
			return m.submitForm()
		}
		return f.focusField(f.focus + 1)
	}
	if f.field() == "standards" {
		switch msg.String() {
		case "up", "k":
			f.stdCursor = max(0, f.stdCursor-1)
		case "down", "j":
			f.stdCursor = min(len(f.catalogs)-1, f.stdCursor+1)
		case "space", "x":
			id := f.catalogs[f.stdCursor].ID
			f.chosen[id] = !f.chosen[id]
		}
		return nil
	}
	return f.update(msg)
}

func (m *Model) submitForm() tea.Cmd {
	f := m.form
	if f.saving {
		return nil
	}
	e := f.engagement()
	f.errs = map[string]string{}
	known := func(id string) bool { _, ok := m.c.Catalogs.Get(id); return ok }
	if err := e.Validate(known); err != nil {
		var ve *assessments.ValidationError
		if errors.As(err, &ve) {
			f.errs[ve.Field] = ve.Message
			for i, name := range formFields {
				if name == ve.Field {
					return f.focusField(i)
				}
			}
		}
		return common.ErrCmd(err)
	}
	f.saving = true
	c, editing := m.c, f.editing
	return func() tea.Msg {
		if editing == nil {
			saved, err := c.Store.CreateEngagement(c.Ctx, e)
			return savedMsg{eng: saved, created: true, err: err}
		}
		saved, err := c.Store.UpdateEngagement(c.Ctx, *editing, e)
		return savedMsg{eng: saved, err: err}
	}
}

func (m *Model) handleSaved(msg savedMsg) tea.Cmd {
	if m.form != nil {
		m.form.saving = false
	}
	if msg.err != nil {
		// The form stays open with everything typed.
		return common.ErrCmd(msg.err)
	}
	m.form = nil
	if msg.created {
		eng := msg.eng
		return tea.Batch(m.load(), common.InfoCmd("Created "+eng.Name),
			func() tea.Msg { return common.OpenEngagementMsg{Engagement: eng} })
	}
	return tea.Batch(m.load(), common.InfoCmd("Saved "+msg.eng.Name))
}

func (f *form) view(st *common.Styles, w, h int) string {
	var b strings.Builder
	title := "New engagement"
	if f.editing != nil {
		title = "Edit engagement"
	}
	b.WriteString(st.Title.Render(title) + "\n\n")
	for i, name := range formFields {
		label := common.Pad(formLabels[name], 20)
		if i == f.focus {
			label = st.Accent.Render("› " + label)
		} else {
			label = st.Label.Render("  " + label)
		}
		var val string
		switch name {
		case "scope":
			val = f.scope.View()
			if i != f.focus {
				val = common.Truncate(common.OneLine(f.scope.Value()), max(10, w-24))
			}
		case "standards":
			var rows []string
			for j, c := range f.catalogs {
				box := "[ ]"
				if f.chosen[c.ID] {
					box = "[x]"
				}
				row := box + " " + c.Name
				if i == f.focus && j == f.stdCursor {
					row = st.Selected.Render(row)
				}
				rows = append(rows, row)
			}
			val = strings.Join(rows, "\n"+strings.Repeat(" ", 22))
		default:
			val = f.inputs[name].View()
		}
		b.WriteString(label + val + "\n")
		if msg := f.errs[name]; msg != "" {
			b.WriteString(strings.Repeat(" ", 22) + st.Error.Render("✗ "+msg) + "\n")
		}
	}
	b.WriteString("\n")
	if f.asking {
		b.WriteString(st.Warn.Render("You have unsaved changes: s save · d discard · esc keep editing"))
	} else if f.saving {
		b.WriteString(st.Muted.Render("Saving…"))
	} else {
		b.WriteString(st.Muted.Render("ctrl+s saves · tab next field · space toggles a standard · esc leaves"))
	}
	return b.String()
}

// deleteConfirm asks for the engagement's name before deleting it.
type deleteConfirm struct {
	eng   assessments.Engagement
	input textinput.Model
	err   string
}

type deletedMsg struct {
	name string
	err  error
}

func newDeleteConfirm(e assessments.Engagement) *deleteConfirm {
	in := textinput.New()
	in.Prompt = "› "
	in.CharLimit = assessments.MaxNameLen
	return &deleteConfirm{eng: e, input: in}
}

func (m *Model) confirmKey(msg tea.KeyPressMsg) tea.Cmd {
	d := m.confirm
	switch msg.String() {
	case "esc":
		m.confirm = nil
		return nil
	case "enter":
		if d.input.Value() != d.eng.Name {
			d.err = "The name does not match; nothing was deleted."
			return nil
		}
		m.confirm = nil
		c, e := m.c, d.eng
		return func() tea.Msg { return deletedMsg{name: e.Name, err: c.Store.DeleteEngagement(c.Ctx, e.ID)} }
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	d.err = ""
	return cmd
}

func (d *deleteConfirm) view(st *common.Styles, w int) string {
	s := st.Error.Render("Delete "+common.OneLine(d.eng.Name)+" and everything in it?") + "\n" +
		st.Muted.Render("Type its name exactly and press enter; esc cancels.") + "\n" + d.input.View()
	if d.err != "" {
		s += "\n" + st.Error.Render(d.err)
	}
	return s
}
