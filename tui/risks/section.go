package risks

import (
	"context"
	"fmt"
	"strings"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
)

// Section lists, for the gap analysis detail pane, the risks whose treatment links the
// requirement (standard, ref): ref, title, residual level and treatment. It runs inside a
// tea.Cmd. Empty Lines means no risk links it. Warn is set when one of them needs
// attention (review overdue, acceptance stale, retained above the threshold unaccepted).
func Section(ctx context.Context, c *common.Common, e assessments.Engagement, standard, ref string) (common.DetailSection, error) {
	risks, err := c.Store.RisksLinkingRequirement(ctx, e.ID, standard, ref)
	if err != nil {
		return common.DetailSection{}, err
	}
	sec := common.DetailSection{Title: "Linked risks"}
	if len(risks) == 0 {
		return sec, nil
	}
	mx, err := c.Store.RiskMatrix(ctx, e.ID)
	if err != nil {
		return common.DetailSection{}, err
	}
	now := c.Now
	sec.Title = fmt.Sprintf("Linked risks (%d)", len(risks))
	// The Statement of Applicability cites these as the control's inclusion reason.
	if reasons := assessments.InclusionFromRisks(risks, standard, ref); len(reasons) > 0 {
		sec.Lines = append(sec.Lines, "Inclusion reason (SoA): "+strings.Join(reasons, ", "))
	}
	for _, r := range risks {
		level := "not scored"
		if lv, ok := mx.LevelOf(r.EffectiveResidual()); ok {
			level = lv.Name
		}
		line := fmt.Sprintf("%s  %s · residual %s · %s", r.Ref, common.OneLine(r.Title), common.OneLine(level), r.Treatment.Label())
		var flags []string
		if now != nil && r.ReviewOverdue(now()) {
			flags = append(flags, "review overdue")
		}
		if r.AcceptanceStale() {
			flags = append(flags, "acceptance stale")
		}
		if r.NeedsAcceptance(mx) {
			flags = append(flags, "needs acceptance")
		}
		for i, f := range flags {
			if i == 0 {
				line += " · "
			} else {
				line += ", "
			}
			line += "! " + f
			sec.Warn = true
		}
		sec.Lines = append(sec.Lines, line)
	}
	return sec, nil
}
