package gap

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
)

// reasonLabels are the inclusion reasons a Statement of Applicability cites.
var reasonLabels = map[assessments.InclusionReason]string{
	assessments.ReasonRiskTreatment:    "risk treatment",
	assessments.ReasonLegal:            "legal or regulatory requirement",
	assessments.ReasonContractual:      "contractual obligation",
	assessments.ReasonBusiness:         "business need",
	assessments.ReasonImpactAssessment: "AI system impact assessment",
}

// reasonsPicker toggles the inclusion reasons of the selected requirement.
type reasonsPicker struct {
	ref    string
	cursor int
	chosen map[assessments.InclusionReason]bool
}

func (m *Model) startReasons() tea.Cmd {
	req, ok := m.selected()
	if !ok {
		return nil
	}
	p := &reasonsPicker{ref: req.Ref, chosen: map[assessments.InclusionReason]bool{}}
	for _, r := range m.result(req.Ref).Reasons {
		p.chosen[r] = true
	}
	m.reasons = p
	return nil
}

func (m *Model) reasonsKey(msg tea.KeyPressMsg) tea.Cmd {
	p := m.reasons
	switch msg.String() {
	case "esc", "q":
		m.reasons = nil
	case "j", "down":
		p.cursor = min(p.cursor+1, len(assessments.InclusionReasons)-1)
	case "k", "up":
		p.cursor = max(p.cursor-1, 0)
	case "space", "x":
		r := assessments.InclusionReasons[p.cursor]
		p.chosen[r] = !p.chosen[r]
	case "enter":
		m.reasons = nil
		var list []assessments.InclusionReason
		for _, r := range assessments.InclusionReasons {
			if p.chosen[r] {
				list = append(list, r)
			}
		}
		return m.enqueue(p.ref, "reasons", func(r assessments.Result) assessments.Result {
			r.Reasons = list
			return r
		})
	}
	return nil
}

func (m *Model) reasonsView(w int) string {
	st := m.c.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Inclusion reasons for "+m.reasons.ref) + "\n")
	b.WriteString(st.Muted.Render("space toggles · enter saves · esc cancels") + "\n")
	b.WriteString(st.Subtle.Render("Risks whose treatment links this requirement add their refs on their own.") + "\n\n")
	for i, r := range assessments.InclusionReasons {
		box := "[ ] "
		if m.reasons.chosen[r] {
			box = "[x] "
		}
		line := common.Pad(box+reasonLabels[r], w-2)
		if i == m.reasons.cursor {
			b.WriteString(st.Cursor.Render("› ") + st.Selected.Render(line) + "\n")
		} else {
			b.WriteString("  " + line + "\n")
		}
	}
	return b.String()
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
