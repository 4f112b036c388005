package engagement

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/aisystems"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dashboard"
	"github.com/annex-grc/annex/tui/evidence"
	"github.com/annex-grc/annex/tui/export"
	"github.com/annex-grc/annex/tui/gap"
	"github.com/annex-grc/annex/tui/risks"
	"github.com/annex-grc/annex/tui/suggestions"
)

// before are the tabs left of the gap analyses; after, those right of them.
var (
	before = []common.TabFactory{dashboard.New}
	after  = []common.TabFactory{risks.New, aisystems.New, evidence.New, export.New}
)

// gapExtensions gathers what the other parts add to the gap-analysis detail pane.
func gapExtensions() gap.Extensions {
	return gap.Extensions{
		Sections:    []common.SectionLoader{risks.Section, aisystems.Section, evidence.Section},
		Marks:       []common.RowMarkLoader{evidence.RowMarks},
		Attach:      attachDialog,
		Suggestions: suggestions.New,
	}
}

// screenDialog shows a screen-shaped dialog (the evidence attach screen, until it is a
// common.Dialog itself) in the root's dialog layer: its commands' results come back to it,
// and its close message closes the dialog and reloads the tabs.
type screenDialog struct {
	id  string
	scr common.Screen
}

func attachDialog(c *common.Common, e assessments.Engagement, standard, ref string) common.Dialog {
	return &screenDialog{id: "attach", scr: evidence.NewAttachDialog(c, e, standard, ref)}
}

func (d *screenDialog) ID() string { return d.id }

func (d *screenDialog) wrap(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return common.Send(d.id, cmd)
}

func (d *screenDialog) Update(msg tea.Msg) (common.Dialog, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.BatchMsg:
		var cmds []tea.Cmd
		for _, c := range msg {
			cmds = append(cmds, d.wrap(c))
		}
		return d, tea.Batch(cmds...)
	case common.CloseOverlayMsg:
		return d, tea.Batch(common.CloseDialog(d.id), func() tea.Msg { return common.DataChangedMsg{} })
	case common.ErrMsg, common.InfoMsg:
		return d, func() tea.Msg { return msg }
	}
	next, cmd := d.scr.Update(msg)
	d.scr = next
	return d, d.wrap(cmd)
}

func (d *screenDialog) View(w, h int) string {
	d.scr.SetSize(w-4, h-2)
	return d.scr.View()
}

func (d *screenDialog) KeyMap() help.KeyMap { return d.scr.KeyMap() }
