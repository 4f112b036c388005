package engagement

import (
	"github.com/annex-grc/annex/tui/aisystems"
	"github.com/annex-grc/annex/tui/audits"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dashboard"
	"github.com/annex-grc/annex/tui/evidence"
	"github.com/annex-grc/annex/tui/export"
	"github.com/annex-grc/annex/tui/gap"
	"github.com/annex-grc/annex/tui/progress"
	"github.com/annex-grc/annex/tui/risks"
	"github.com/annex-grc/annex/tui/soa"
	"github.com/annex-grc/annex/tui/suggestions"
)

// before are the tabs left of the gap analyses; after, those right of them.
var (
	before = []common.TabFactory{dashboard.New}
	after  = []common.TabFactory{risks.New, aisystems.New, evidence.New, audits.New, export.New}
)

// gapExtensions gathers what the other parts add to the gap-analysis detail pane.
func gapExtensions() gap.Extensions {
	return gap.Extensions{
		Sections:    []common.SectionLoader{risks.Section, aisystems.Section, evidence.Section, audits.Section},
		Marks:       []common.RowMarkLoader{evidence.RowMarks, progress.RowMarks, audits.RowMarks},
		Attach:      evidence.NewAttachDialog,
		Suggestions: suggestions.New,
		SoA:         soa.New,
		Reconfirm:   progress.Reconfirm, ReconfirmMark: progress.ReconfirmMark,
	}
}
