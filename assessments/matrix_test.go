package assessments

import (
	"testing"
)

func TestDefaultMatrixLevels(t *testing.T) {
	tests := []struct {
		size      int
		l, c      int
		want      string
		wantIndex int
	}{
		{3, 1, 1, "Low", 0},
		{3, 2, 2, "Medium", 1},
		{3, 3, 3, "High", 2},
		{3, 1, 3, "Medium", 1},
		{3, 3, 1, "Medium", 1},
		{4, 1, 1, "Low", 0},
		{4, 3, 4, "Very high", 3},
		{4, 4, 4, "Very high", 3},
		{4, 2, 3, "Medium", 1},
		{5, 1, 1, "Very low", 0},
		{5, 3, 3, "Medium", 2},
		{5, 4, 3, "High", 3},
		{5, 5, 5, "Very high", 4},
		{5, 1, 5, "Medium", 2},
		{5, 2, 2, "Low", 1},
	}
	for _, tt := range tests {
		m := DefaultMatrix(tt.size)
		lv, ok := m.Level(tt.l, tt.c)
		if !ok || lv.Name != tt.want || lv.Index != tt.wantIndex {
			t.Errorf("%dx%d Level(%d, %d) = %+v, %v; want %s (%d)", tt.size, tt.size, tt.l, tt.c, lv, ok, tt.want, tt.wantIndex)
		}
	}
}

func TestEveryCellHasALevel(t *testing.T) {
	for size := MinMatrixSize; size <= MaxMatrixSize; size++ {
		m := DefaultMatrix(size)
		if err := m.Validate(); err != nil {
			t.Fatalf("default %dx%d is invalid: %v", size, size, err)
		}
		for l := 1; l <= size; l++ {
			for c := 1; c <= size; c++ {
				lv, ok := m.Level(l, c)
				if !ok {
					t.Fatalf("%dx%d: no level at %d,%d", size, size, l, c)
				}
				// Levels never fall when likelihood or consequence rises.
				if l > 1 {
					if below, _ := m.Level(l-1, c); below.Index > lv.Index {
						t.Errorf("%dx%d: level falls from %d,%d to %d,%d", size, size, l-1, c, l, c)
					}
				}
				if c > 1 {
					if left, _ := m.Level(l, c-1); left.Index > lv.Index {
						t.Errorf("%dx%d: level falls from %d,%d to %d,%d", size, size, l, c-1, l, c)
					}
				}
			}
		}
		for _, off := range []Score{{0, 1}, {1, 0}, {size + 1, 1}, {1, size + 1}, {-1, -1}} {
			if _, ok := m.LevelOf(off); ok {
				t.Errorf("%dx%d: %v is off the matrix but has a level", size, size, off)
			}
		}
	}
}

func TestDefaultMatrixFallsBackTo5x5(t *testing.T) {
	for _, size := range []int{0, 2, 6, -3} {
		if got := DefaultMatrix(size).Size; got != 5 {
			t.Errorf("DefaultMatrix(%d).Size = %d, want 5", size, got)
		}
	}
}

func TestThreshold(t *testing.T) {
	m := DefaultMatrix(5) // threshold: Low
	if m.ThresholdName() != "Low" {
		t.Fatalf("default threshold = %q, want Low", m.ThresholdName())
	}
	tests := []struct {
		s     Score
		above bool
	}{
		{Score{1, 1}, false}, // Very low
		{Score{2, 2}, false}, // Low
		{Score{3, 3}, true},  // Medium
		{Score{5, 5}, true},  // Very high
		{Score{0, 0}, false}, // not scored
		{Score{6, 1}, false}, // off the matrix: no level
	}
	for _, tt := range tests {
		if got := m.AboveThreshold(tt.s); got != tt.above {
			t.Errorf("AboveThreshold(%v) = %v, want %v", tt.s, got, tt.above)
		}
	}
	m.Threshold = 3 // High may be retained
	if m.AboveThreshold(Score{4, 3}) {
		t.Error("High is at a High threshold, not above it")
	}
	if !m.AboveThreshold(Score{5, 5}) {
		t.Error("Very high is above a High threshold")
	}
}

func TestMatrixProblems(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Matrix)
		field string
	}{
		{"size 2", func(m *Matrix) { m.Size = 2 }, "size"},
		{"size 6", func(m *Matrix) { m.Size = 6 }, "size"},
		{"missing likelihood label", func(m *Matrix) { m.LikelihoodLabels[2] = " " }, "likelihood_labels"},
		{"too few consequence labels", func(m *Matrix) { m.ConsequenceLabels = m.ConsequenceLabels[:3] }, "consequence_labels"},
		{"one level", func(m *Matrix) { m.LevelNames = m.LevelNames[:1] }, "levels"},
		{"blank level", func(m *Matrix) { m.LevelNames[0] = "" }, "levels"},
		{"cell out of range", func(m *Matrix) { m.Cells[0][0] = 7 }, "cells"},
		{"short row", func(m *Matrix) { m.Cells[1] = m.Cells[1][:2] }, "cells"},
		{"threshold", func(m *Matrix) { m.Threshold = 5 }, "threshold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := DefaultMatrix(5).Clone()
			tt.edit(&m)
			err := m.Validate()
			ve, ok := err.(*ValidationError)
			if !ok || ve.Field != tt.field {
				t.Fatalf("Validate() = %v, want a problem with %s", err, tt.field)
			}
		})
	}
}

func TestCloneDoesNotShare(t *testing.T) {
	m := DefaultMatrix(3)
	n := m.Clone()
	n.Cells[0][0] = 2
	n.LevelNames[0] = "Tiny"
	if m.Cells[0][0] != 0 || m.LevelNames[0] != "Low" {
		t.Fatal("Clone shares slices with the original")
	}
}

func TestLevelColour(t *testing.T) {
	tests := []struct{ index, of, want int }{
		{0, 3, 0}, {1, 3, 2}, {2, 3, 4},
		{0, 4, 0}, {1, 4, 1}, {2, 4, 3}, {3, 4, 4},
		{0, 5, 0}, {2, 5, 2}, {4, 5, 4},
		{0, 2, 0}, {1, 2, 4},
	}
	for _, tt := range tests {
		if got := (Level{Index: tt.index, Of: tt.of}).Colour(); got != tt.want {
			t.Errorf("Level{%d of %d}.Colour() = %d, want %d", tt.index, tt.of, got, tt.want)
		}
	}
}

func TestRescaleValue(t *testing.T) {
	tests := []struct {
		from, to int
		want     []int // for values 1..from
	}{
		{5, 3, []int{1, 2, 2, 3, 3}},
		{3, 5, []int{1, 3, 5}},
		{5, 4, []int{1, 2, 3, 3, 4}},
		{4, 5, []int{1, 2, 4, 5}},
		{4, 3, []int{1, 2, 2, 3}},
		{3, 4, []int{1, 3, 4}},
		{5, 5, []int{1, 2, 3, 4, 5}},
	}
	for _, tt := range tests {
		for v := 1; v <= tt.from; v++ {
			if got := RescaleValue(v, tt.from, tt.to); got != tt.want[v-1] {
				t.Errorf("RescaleValue(%d, %d, %d) = %d, want %d", v, tt.from, tt.to, got, tt.want[v-1])
			}
		}
	}
	if got := RescaleValue(0, 5, 3); got != 0 {
		t.Errorf("an unscored value must stay 0, got %d", got)
	}
}

func TestRescaleReportsOldAndNew(t *testing.T) {
	old, next := DefaultMatrix(5), DefaultMatrix(3)
	risks := []Risk{
		{ID: "a", Ref: "R-001", Title: "Ransomware", Inherent: Score{5, 5}, Residual: Score{2, 4}},
		{ID: "b", Ref: "R-002", Title: "Unscored residual", Inherent: Score{2, 2}},
	}
	got := Rescale(old, next, risks)
	if len(got) != 2 {
		t.Fatalf("got %d rows, want 2", len(got))
	}
	a := got[0]
	if a.NewInherent != (Score{3, 3}) || a.NewResidual != (Score{2, 3}) {
		t.Errorf("R-001 rescaled to %v / %v, want 3x3 / 2x3", a.NewInherent, a.NewResidual)
	}
	if a.OldInherentLevel != "Very high" || a.NewInherentLevel != "High" || a.OldResidualLevel != "Medium" || a.NewResidualLevel != "High" {
		t.Errorf("R-001 levels: %+v", a)
	}
	if !a.Changed() {
		t.Error("R-001 changed but Changed() is false")
	}
	b := got[1]
	if b.NewResidual != (Score{}) || b.NewResidualLevel != "" {
		t.Errorf("an unscored residual must stay unscored: %+v", b)
	}
	// Rescale is pure: the input is untouched.
	if risks[0].Inherent != (Score{5, 5}) {
		t.Error("Rescale changed its input")
	}
	same := Rescale(old, old, risks)
	if same[0].Changed() || same[1].Changed() {
		t.Error("rescaling onto the same matrix changes nothing")
	}
}

func TestApplyRescaleKeepsAcceptanceFresh(t *testing.T) {
	r := Risk{Inherent: Score{4, 4}, Residual: Score{3, 2}, Acceptance: &Acceptance{By: "A", Date: "2026-01-01", Rationale: "ok", Residual: Score{3, 2}}}
	n := ApplyRescale(r, 5, 3)
	if n.Residual != (Score{2, 2}) || n.Inherent != (Score{3, 3}) {
		t.Fatalf("ApplyRescale gave %v / %v", n.Inherent, n.Residual)
	}
	if n.AcceptanceStale() {
		t.Error("a rescale alone must not make the acceptance stale")
	}
	if r.Acceptance.Residual != (Score{3, 2}) {
		t.Error("ApplyRescale changed the original acceptance record")
	}
}
