package engagement

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/progress"
)

// The Progress tab (baselines, comparisons, the view as of a baseline) sits before Export,
// which stays last; b freezes a baseline from any tab. It is added here, not in tabs.go,
// because it opens the engagement screen itself (the view as of a baseline).
func init() {
	last := len(after) - 1
	after = append(append(append([]common.TabFactory{}, after[:last]...), progressTab), after[last:]...)
	screenKeys = append(screenKeys, screenKey{binding: progress.BaselineKey, run: progress.OpenBaselineDialog})
}

func progressTab(c *common.Common, e assessments.Engagement) common.Tab {
	return progress.New(c, e, progress.Options{Screen: func(c *common.Common, e assessments.Engagement) common.Screen { return New(c, e) }})
}

// screenKey is a key the engagement screen handles in every tab (when the tab is not taking
// typed text), for a part that belongs to the engagement rather than to one tab.
type screenKey struct {
	binding key.Binding
	run     func(c *common.Common, e assessments.Engagement) tea.Cmd
}

// screenKeys are the engagement-wide keys; parts add theirs from init.
var screenKeys []screenKey
