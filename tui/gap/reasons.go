package gap

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

// reasonLabels are the inclusion reasons a Statement of Applicability cites.
var reasonLabels = map[assessments.InclusionReason]string{
	assessments.ReasonRiskTreatment:    "risk treatment",
	assessments.ReasonLegal:            "legal or regulatory requirement",
	assessments.ReasonContractual:      "contractual obligation",
	assessments.ReasonBusiness:         "business need",
	assessments.ReasonImpactAssessment: "AI system impact assessment",
}

// startReasons opens the inclusion reasons of the selected requirement in a dialog.
func (m *Model) startReasons() tea.Cmd {
	req, ok := m.selected()
	if !ok {
		return nil
	}
	items := make([]form.Option, len(assessments.InclusionReasons))
	for i, r := range assessments.InclusionReasons {
		items[i] = form.Option{Value: string(r), Label: reasonLabels[r]}
	}
	var chosen []string
	for _, r := range m.result(req.Ref).Reasons {
		chosen = append(chosen, string(r))
	}
	ref := req.Ref
	return common.OpenDialog(dialog.NewPick(m.c.Styles, "reasons", m.Address(),
		fmt.Sprintf("Inclusion reasons for %s %s", m.Title(), ref),
		"space ticks, enter saves. Risks whose treatment links this requirement add their refs on their own.",
		items, true, chosen, func(v []string) tea.Msg { return reasonsChosenMsg{ref: ref, reasons: v} }))
}

// reasonsChosenMsg is the reasons dialog's answer.
type reasonsChosenMsg struct {
	ref     string
	reasons []string
}

func (m *Model) saveReasons(msg reasonsChosenMsg) tea.Cmd {
	var list []assessments.InclusionReason
	for _, v := range msg.reasons {
		list = append(list, assessments.InclusionReason(v))
	}
	return m.enqueue(msg.ref, "reasons", func(r assessments.Result) assessments.Result {
		r.Reasons = list
		return r
	})
}

// reasonsText lists a result's inclusion reasons for the detail pane.
func reasonsText(r assessments.Result) string {
	var out []string
	for _, x := range r.Reasons {
		if l, ok := reasonLabels[x]; ok {
			out = append(out, l)
		}
	}
	return strings.Join(out, " · ")
}
