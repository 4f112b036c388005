package risks

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

var goldenSizes = []struct{ w, h int }{{80, 24}, {120, 40}}

// goldenViews checks the tab's view, after the given steps, at 80x24 and 120x40.
func goldenViews(t *testing.T, withRisks bool, steps func(f *fixture), view func(f *fixture) string) {
	for _, size := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			f := newFixture(t, size.w, size.h, withRisks)
			steps(f)
			golden.RequireEqual(t, []byte(view(f)))
		})
	}
}

func tabView(f *fixture) string { return f.view() }

func TestGoldenRegister(t *testing.T) {
	goldenViews(t, true, func(f *fixture) { f.press("j", "j", "j") }, tabView)
}

func TestGoldenRegisterFiltered(t *testing.T) {
	goldenViews(t, true, func(f *fixture) { f.press("s", "s", "s") }, tabView)
}

func TestGoldenEmptyRegister(t *testing.T) {
	goldenViews(t, false, func(f *fixture) {}, tabView)
}

func TestGoldenHeatMap(t *testing.T) {
	goldenViews(t, true, func(f *fixture) { f.press("h", "down", "down", "down", "left") }, tabView)
}

func TestGoldenCellList(t *testing.T) {
	goldenViews(t, true, func(f *fixture) { f.press("h", "down", "down", "down", "left", "enter") }, tabView)
}

func TestGoldenForm(t *testing.T) {
	goldenViews(t, true, func(f *fixture) { f.press("e") }, tabView)
}

func TestGoldenFormAcceptance(t *testing.T) {
	goldenViews(t, true, func(f *fixture) { f.selectRef("R-004"); f.press("e"); f.focus(kRationale) }, tabView)
}

func TestGoldenNewRiskPickList(t *testing.T) {
	goldenViews(t, false, func(f *fixture) { f.press("n"); f.focus(kControls); f.press("enter"); f.typeText("backup") }, tabView)
}

func TestGoldenSettings(t *testing.T) {
	goldenViews(t, true, func(f *fixture) { f.press("m") }, tabView)
}

func TestGoldenSettingsCells(t *testing.T) {
	goldenViews(t, true, func(f *fixture) { f.press("m"); f.tab.settings.f.Focus(cellKey(4, 2)) }, tabView)
}

func TestGoldenRescalePreview(t *testing.T) {
	goldenViews(t, true, func(f *fixture) { f.press("m", "3", "ctrl+s") }, tabView)
}

func TestGoldenAcceptDialog(t *testing.T) {
	goldenViews(t, true, func(f *fixture) { f.selectRef("R-004"); f.press("A") }, (*fixture).dialogView)
}

func TestGoldenDeleteDialog(t *testing.T) {
	goldenViews(t, true, func(f *fixture) { f.press("d") }, (*fixture).dialogView)
}
