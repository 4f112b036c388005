package home

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/form"
)

// The engagement form's field keys are the domain's (assessments.ValidationError.Field).
const (
	fName         = "name"
	fOrganisation = "organisation"
	fScope        = "scope"
	fStandards    = "standards"
	fLead         = "lead"
	fStart        = "start_date"
	fEnd          = "end_date"
	fStatus       = "status"
)

var statusOptions = []form.Option{
	{Value: string(assessments.EngagementActive), Label: "active"},
	{Value: string(assessments.EngagementOnHold), Label: "on hold"},
	{Value: string(assessments.EngagementClosed), Label: "closed"},
}

// engForm creates or edits an engagement through the one form component.
type engForm struct {
	c       *common.Common
	f       *form.Form
	editing *assessments.Engagement // nil for a new engagement
	saving  bool
	width   int
	height  int
}

func engFields(set *catalogs.Set) []form.Field {
	var stds []form.Option
	for _, c := range set.Catalogs {
		stds = append(stds, form.Option{Value: c.ID, Label: c.Short + "  " + c.Name})
	}
	return []form.Field{
		{Key: fName, Label: "Name", Kind: form.Text, Limit: assessments.MaxNameLen},
		{Key: fOrganisation, Label: "Organisation", Kind: form.Text, Limit: assessments.MaxNameLen},
		{Key: fScope, Label: "Scope", Kind: form.MultiLine, Limit: assessments.MaxTextLen, Lines: 3,
			Placeholder: "the products, sites and teams the management system covers"},
		{Key: fStandards, Label: "Standards in scope", Kind: form.Multi, Options: stds},
		{Key: fLead, Label: "Lead", Kind: form.Person, Limit: assessments.MaxNameLen, Help: "The lead consultant; names used in the workspace are suggested."},
		{Key: fStart, Label: "Start", Kind: form.Date},
		{Key: fEnd, Label: "End", Kind: form.Date},
		{Key: fStatus, Label: "Status", Kind: form.Choice, Options: statusOptions},
	}
}

func engValues(e assessments.Engagement) form.Values {
	status := string(e.Status)
	if status == "" {
		status = string(assessments.EngagementActive)
	}
	return form.Values{
		fName: e.Name, fOrganisation: e.Organisation, fScope: e.Scope, fStandards: form.Join(e.Standards),
		fLead: e.Lead, fStart: e.StartDate, fEnd: e.EndDate, fStatus: status,
	}
}

// apply sets the fields named by keys from v onto e (the rest stay as e has them).
func apply(e assessments.Engagement, v form.Values, keys []string) assessments.Engagement {
	for _, k := range keys {
		switch k {
		case fName:
			e.Name = strings.TrimSpace(v[k])
		case fOrganisation:
			e.Organisation = strings.TrimSpace(v[k])
		case fScope:
			e.Scope = v[k]
		case fStandards:
			e.Standards = form.Split(v[k])
		case fLead:
			e.Lead = strings.TrimSpace(v[k])
		case fStart:
			e.StartDate = strings.TrimSpace(v[k])
		case fEnd:
			e.EndDate = strings.TrimSpace(v[k])
		case fStatus:
			e.Status = assessments.EngagementStatus(v[k])
		}
	}
	return e
}

var allFields = []string{fName, fOrganisation, fScope, fStandards, fLead, fStart, fEnd, fStatus}

func (m *Model) openForm(e *assessments.Engagement) tea.Cmd {
	f := form.New(m.c.Styles, engFields(m.c.Catalogs)...)
	if m.c.Now != nil {
		f.SetNow(m.c.Now)
	}
	known := func(id string) bool { _, ok := m.c.Catalogs.Get(id); return ok }
	f.SetValidator(func(v form.Values) map[string]string {
		err := apply(assessments.Engagement{}, v, allFields).Validate(known)
		var ve *assessments.ValidationError
		if errors.As(err, &ve) {
			return map[string]string{ve.Field: ve.Message}
		}
		return nil
	})
	start := assessments.Engagement{Standards: []string{catalogs.ISO27001, catalogs.ISO42001}, Status: assessments.EngagementActive}
	if e != nil {
		start = *e
	} else {
		f.SetSaveLabel("create")
	}
	f.Load(engValues(start))
	m.form = &engForm{c: m.c, f: f, editing: e}
	m.form.setSize(m.width, m.height)
	return tea.Batch(f.Focus(fName), m.c.LoadPeople(Address))
}

func (ef *engForm) setSize(w, h int) {
	ef.width, ef.height = w, h
	ef.f.SetSize(w, max(3, h-2))
}

func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.form.saving {
		return nil // the save is on its way; keys wait for its answer
	}
	act, cmd := m.form.f.Update(msg)
	switch act {
	case form.Save:
		return tea.Batch(cmd, m.submitForm())
	case form.Leave:
		m.form = nil
		return nil
	}
	return cmd
}

type savedMsg struct {
	eng     assessments.Engagement
	created bool
	fields  []string
	err     error
}

// submitForm saves what the form holds: a new engagement, or the changed fields of an
// existing one (before is what the form loaded, after that plus the changes).
func (m *Model) submitForm() tea.Cmd {
	ef := m.form
	c := m.c
	if ef.editing == nil {
		e := apply(assessments.Engagement{}, ef.f.Values(), allFields)
		ef.saving = true
		return common.Send(Address, func() tea.Msg {
			saved, err := c.Store.CreateEngagement(c.Ctx, e)
			return savedMsg{eng: saved, created: true, err: err}
		})
	}
	changed := ef.f.ChangedKeys()
	if len(changed) == 0 {
		m.form = nil
		return m.info("Nothing to save: " + ef.editing.Name + " is unchanged.")
	}
	before := *ef.editing
	after := apply(before, ef.f.Values(), changed)
	ef.saving = true
	return common.Send(Address, func() tea.Msg {
		saved, err := c.Store.UpdateEngagement(c.Ctx, before, after)
		return savedMsg{eng: saved, fields: changed, err: err}
	})
}

func (m *Model) handleSaved(msg savedMsg) tea.Cmd {
	if m.form == nil {
		return m.load()
	}
	m.form.saving = false
	if msg.err != nil {
		// The form stays open with everything typed.
		var ve *assessments.ValidationError
		if errors.As(msg.err, &ve) {
			return m.form.f.SetError(ve.Field, ve.Message)
		}
		return common.ErrCmd(fmt.Errorf("could not save %s: %w", nameOr(m.form.f.Value(fName)), msg.err))
	}
	m.form = nil
	m.pendingKeep = msg.eng.ID
	if msg.created {
		// The new engagement opens at once; its header names it.
		m.away = true
		eng := msg.eng
		return tea.Batch(m.load(), func() tea.Msg { return common.OpenEngagementMsg{Engagement: eng} })
	}
	return tea.Batch(m.load(), m.info("Saved "+msg.eng.Name+": "+fieldList(msg.fields)+"."))
}

func nameOr(name string) string {
	if strings.TrimSpace(name) == "" {
		return "the engagement"
	}
	return name
}

var fieldWords = map[string]string{
	fName: "name", fOrganisation: "organisation", fScope: "scope", fStandards: "standards",
	fLead: "lead", fStart: "start date", fEnd: "end date", fStatus: "status",
}

// fieldList names the saved fields: "lead", "lead and end date", "name, lead and status".
func fieldList(keys []string) string {
	words := make([]string, 0, len(keys))
	for _, k := range keys {
		words = append(words, fieldWords[k])
	}
	switch len(words) {
	case 0:
		return "nothing changed"
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

func (ef *engForm) keyMap() help.KeyMap { return ef.f.KeyMap() }

func (ef *engForm) view(st *common.Styles) string {
	title := st.Title.Render("New engagement")
	if ef.editing != nil {
		title = st.Title.Render("Edit engagement") + st.Muted.Render(" · "+common.OneLine(ef.editing.Name))
	}
	if ef.saving {
		title += st.Muted.Render("  saving…")
	}
	return common.Truncate(title, max(20, ef.width)) + "\n\n" + ef.f.View()
}
