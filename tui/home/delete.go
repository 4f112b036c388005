package home

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store/demo"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

// Dialog ids of the home screen.
const (
	deleteDialogID = "home/delete"
	demoDialogID   = "home/demo"
)

type deletedMsg struct {
	eng assessments.Engagement
	err error
}

// openDelete asks for the engagement's name in a dialog drawn by the root. The name may be
// typed in any case, with a plain hyphen for any dash.
func (m *Model) openDelete(e assessments.Engagement) tea.Cmd {
	m.deleting = &e
	d := dialog.NewForm(m.c.Styles, deleteDialogID, Address,
		"Delete "+common.OneLine(e.Name)+"?",
		"Its results, risks, AI systems and evidence records go with it, and this cannot be undone "+
			"(the change history keeps a row). Type the engagement's name to delete it: any case, - for a dash.",
		form.Values{},
		form.Field{Key: "name", Label: "Name", Kind: form.Text, Limit: assessments.MaxNameLen + 20})
	// Typed text here is not work: esc cancels at once.
	d.Inner().SetQuietLeave(true)
	d.Inner().SetSaveLabel("delete")
	return common.OpenDialog(d)
}

// nameMatches is the delete confirmation's rule.
func nameMatches(typed, name string) bool {
	t := fold(typed)
	return t != "" && t == fold(name)
}

func (m *Model) submitDelete(v form.Values) tea.Cmd {
	fail := func(msg string) tea.Cmd {
		return common.Send(deleteDialogID, func() tea.Msg { return dialog.FailMsg{Errors: map[string]string{"name": msg}} })
	}
	if m.deleting == nil {
		return common.CloseDialog(deleteDialogID)
	}
	e := *m.deleting
	if !nameMatches(v["name"], e.Name) {
		return fail("That is not the engagement's name; nothing was deleted.")
	}
	c := m.c
	return common.Send(Address, func() tea.Msg { return deletedMsg{eng: e, err: c.Store.DeleteEngagement(c.Ctx, e.ID)} })
}

func (m *Model) handleDeleted(msg deletedMsg) tea.Cmd {
	if msg.err != nil {
		err := fmt.Sprintf("Could not delete it: %v", msg.err)
		return tea.Batch(common.Send(deleteDialogID, func() tea.Msg { return dialog.FailMsg{Errors: map[string]string{"name": err}} }), m.load())
	}
	m.deleting = nil
	return tea.Batch(common.Send(deleteDialogID, func() tea.Msg { return dialog.DoneMsg{} }),
		m.load(), m.info("Deleted "+msg.eng.Name+"."))
}

type (
	// addDemoMsg is the yes of "add another copy of the demo?".
	addDemoMsg  struct{}
	demoDoneMsg struct {
		eng assessments.Engagement
		err error
	}
)

// hasDemo reports whether the demo engagement (or a copy of it) is in the workspace.
func (m *Model) hasDemo() bool {
	for _, it := range m.items {
		if it.eng.Name == demo.Name || strings.HasPrefix(it.eng.Name, demo.Name+" (") {
			return true
		}
	}
	return false
}

// demoName is the name the next copy of the demo gets: the demo's own name the first
// time, then "… (2)", "… (3)".
func (m *Model) demoName() string {
	taken := map[string]bool{}
	for _, it := range m.items {
		taken[it.eng.Name] = true
	}
	if !taken[demo.Name] {
		return demo.Name
	}
	for n := 2; ; n++ {
		if name := fmt.Sprintf("%s (%d)", demo.Name, n); !taken[name] {
			return name
		}
	}
}

// askDemo adds the demo, asking first when it is already in the workspace.
func (m *Model) askDemo() tea.Cmd {
	if !m.loaded || m.busy != "" {
		return nil
	}
	if !m.hasDemo() {
		return m.addDemo()
	}
	return common.OpenDialog(dialog.NewConfirm(m.c.Styles, demoDialogID, Address, "Add another demo engagement?",
		"The demo engagement is already in this workspace. Add another copy?", addDemoMsg{}))
}

func (m *Model) addDemo() tea.Cmd {
	if m.busy != "" {
		return nil
	}
	m.busy = "Adding the demo engagement…"
	c, name := m.c, m.demoName()
	return common.Send(Address, func() tea.Msg {
		e, err := demo.Create(c.Ctx, c.Store, c.Catalogs, demo.Options{Name: name})
		return demoDoneMsg{eng: e, err: err}
	})
}
