package aisystems

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
)

// sectionRefs are the ISO/IEC 42001 requirements the impact assessments answer.
var sectionRefs = []string{"6.1.4", "8.4", "A.5.2", "A.5.3", "A.5.4", "A.5.5"}

// Section is the gap-analysis detail block for ISO/IEC 42001 6.1.4, 8.4 and A.5.2 to A.5.5:
// how many impact assessments exist, the latest state per AI system, overdue reviews. It
// is empty for every other requirement.
func Section(ctx context.Context, c *common.Common, e assessments.Engagement, standard, ref string) (common.DetailSection, error) {
	sec := common.DetailSection{Title: "AI system impact assessments"}
	if standard != catalogs.ISO42001 || !slices.Contains(sectionRefs, ref) {
		return common.DetailSection{}, nil
	}
	sum, err := c.Store.ImpactAssessmentStatus(ctx, e.ID)
	if err != nil {
		return sec, err
	}
	if sum.Systems == 0 {
		sec.Lines = []string{"No AI systems in the inventory yet; add them in the AI systems tab."}
		sec.Warn = true
		return sec, nil
	}
	// The detail pane is narrow and cuts long lines: one short fact per line.
	sec.Lines = append(sec.Lines, common.Count(sum.Systems, "AI system", "AI systems")+", "+common.Count(sum.Assessments, "assessment version", "assessment versions"))
	var counts []string
	for _, c := range []struct {
		n    int
		what string
	}{{sum.Approved, "approved"}, {sum.Drafts, "in draft"}, {sum.Rejected, "rejected"}, {sum.NotAssessed, "not assessed"}} {
		if c.n > 0 {
			counts = append(counts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	sec.Lines = append(sec.Lines, strings.Join(counts, " · "))
	for _, la := range sum.Latest {
		name := common.OneLine(la.System.Name)
		switch l := la.Latest; {
		case l == nil:
			sec.Lines = append(sec.Lines, "• "+name+": not assessed")
		case l.Frozen():
			sec.Lines = append(sec.Lines, fmt.Sprintf("• %s: v%d %s %s", name, l.Version, l.State().Label(), l.DecisionDate),
				fmt.Sprintf("  class %s, by %s", l.Class(), common.OneLine(l.Approver)))
		default:
			sec.Lines = append(sec.Lines, fmt.Sprintf("• %s: v%d draft, step %d of %d", name, l.Version, int(l.LastStep)+1, len(assessments.ImpactSteps)))
		}
		switch {
		case la.Overdue:
			sec.Lines = append(sec.Lines, "  review overdue since "+la.NextReview)
		case la.NextReview != "":
			sec.Lines = append(sec.Lines, "  next review "+la.NextReview)
		}
	}
	if sum.Overdue > 0 {
		sec.Lines = append(sec.Lines, common.Count(sum.Overdue, "review", "reviews")+" overdue")
	}
	sec.Warn = sum.Overdue > 0 || sum.NotAssessed > 0
	return sec, nil
}
