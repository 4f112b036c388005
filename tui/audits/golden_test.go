package audits

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

var goldenSizes = []struct{ w, h int }{{80, 24}, {120, 40}}

// goldenViews checks the tab's view (with any dialog in front), after the given steps, at
// 80x24 and 120x40.
func goldenViews(t *testing.T, steps func(f *fixture)) {
	for _, size := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			f := newFixture(t, size.w, size.h)
			steps(f)
			golden.RequireEqual(t, []byte(f.view()))
		})
	}
}

func TestGoldenProgramme(t *testing.T) { goldenViews(t, func(f *fixture) {}) }

func TestGoldenPlannedAudit(t *testing.T) { goldenViews(t, func(f *fixture) { f.press("j") }) }

func TestGoldenCoverage(t *testing.T) { goldenViews(t, func(f *fixture) { f.press("c") }) }

func TestGoldenChecklist(t *testing.T) {
	goldenViews(t, func(f *fixture) { f.press("enter"); f.filterTo("A.6.2.4"); f.press("esc") })
}

func TestGoldenChecklistCarried(t *testing.T) {
	goldenViews(t, func(f *fixture) { f.press("enter"); f.filterTo("A.8.29"); f.press("esc") })
}

func TestGoldenChecklistNotes(t *testing.T) {
	goldenViews(t, func(f *fixture) {
		f.press("enter")
		f.filterTo("A.6.2.2")
		f.press("e")
		f.typeText("Requirements kept per release.")
	})
}

func TestGoldenFindings(t *testing.T) { goldenViews(t, func(f *fixture) { f.press("f", "tab") }) }

func TestGoldenAuditForm(t *testing.T) { goldenViews(t, func(f *fixture) { f.press("j", "e") }) }

func TestGoldenActionForm(t *testing.T) {
	goldenViews(t, func(f *fixture) { f.press("f", "tab", "e") })
}

func TestGoldenReviewDialog(t *testing.T) {
	goldenViews(t, func(f *fixture) { f.press("f", "tab", ">", ">", "V") })
}
