package engagement

import (
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/gap"
	"github.com/annex-grc/annex/tui/suggestions"
)

// before are the tabs left of the gap analyses; after, those right of them.
var (
	before = []common.TabFactory{}
	after  = []common.TabFactory{}
)

// gapExtensions gathers what the other parts add to the gap-analysis detail pane.
func gapExtensions() gap.Extensions {
	return gap.Extensions{Suggestions: suggestions.New}
}
