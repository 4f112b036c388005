package assessments

import (
	"strings"
	"unicode/utf8"
)

// Matrix sizes an engagement may choose.
const (
	MinMatrixSize     = 3
	MaxMatrixSize     = 5
	DefaultMatrixSize = 5
	// MaxLevels is how many risk levels a matrix may name (the palette has five colours).
	MaxLevels = 5
	// MaxLabelLen bounds a scale or level label so it fits a heat-map axis.
	MaxLabelLen = 40
)

// Matrix is an engagement's risk matrix: a Size×Size grid of likelihood (rows) by
// consequence (columns), each cell naming a risk level, and the acceptance threshold.
// Scores run 1..Size on both axes; 0 means "not scored".
type Matrix struct {
	Size              int
	LikelihoodLabels  []string // [0] labels likelihood 1
	ConsequenceLabels []string // [0] labels consequence 1
	LevelNames        []string // lowest level first
	// Cells[l-1][c-1] is the index into LevelNames of the cell at likelihood l, consequence c.
	Cells [][]int
	// Threshold is the highest level index that may be retained without an acceptance record.
	Threshold int
}

// Score is a likelihood and consequence pair on a matrix. The zero Score is "not scored".
type Score struct {
	Likelihood  int
	Consequence int
}

// Set reports whether the score has both values.
func (s Score) Set() bool { return s.Likelihood != 0 && s.Consequence != 0 }

// Level is one risk level of a matrix.
type Level struct {
	Index int    // 0 = lowest
	Name  string // the matrix's label
	Of    int    // how many levels the matrix has
}

// Colour maps the level onto the five-step palette (0 lowest .. 4 highest) whatever the
// number of levels, so a three-level matrix still uses green, amber and red.
func (l Level) Colour() int {
	if l.Of <= 1 {
		return 0
	}
	return (l.Index*(MaxLevels-1)*2 + (l.Of - 1)) / ((l.Of - 1) * 2)
}

var defaultLikelihood = map[int][]string{
	3: {"Unlikely", "Possible", "Likely"},
	4: {"Unlikely", "Possible", "Likely", "Almost certain"},
	5: {"Rare", "Unlikely", "Possible", "Likely", "Almost certain"},
}

var defaultConsequence = map[int][]string{
	3: {"Minor", "Moderate", "Major"},
	4: {"Minor", "Moderate", "Major", "Severe"},
	5: {"Negligible", "Minor", "Moderate", "Major", "Severe"},
}

var defaultLevels = map[int][]string{
	3: {"Low", "Medium", "High"},
	4: {"Low", "Medium", "High", "Very high"},
	5: {"Very low", "Low", "Medium", "High", "Very high"},
}

// defaultCells are the customary shapes: the level rises with both axes, a little faster
// towards severe consequences.
var defaultCells = map[int][][]int{
	3: {
		{0, 0, 1},
		{0, 1, 2},
		{1, 2, 2},
	},
	4: {
		{0, 0, 1, 1},
		{0, 1, 1, 2},
		{1, 1, 2, 3},
		{1, 2, 3, 3},
	},
	5: {
		{0, 0, 1, 1, 2},
		{0, 1, 1, 2, 3},
		{1, 1, 2, 3, 3},
		{1, 2, 3, 3, 4},
		{2, 3, 3, 4, 4},
	},
}

// DefaultMatrix is the matrix an engagement starts with for a size (3, 4 or 5; anything
// else gives 5x5). Levels up to "Low" may be retained without acceptance.
func DefaultMatrix(size int) Matrix {
	if size < MinMatrixSize || size > MaxMatrixSize {
		size = DefaultMatrixSize
	}
	m := Matrix{
		Size:              size,
		LikelihoodLabels:  append([]string(nil), defaultLikelihood[size]...),
		ConsequenceLabels: append([]string(nil), defaultConsequence[size]...),
		LevelNames:        append([]string(nil), defaultLevels[size]...),
	}
	for _, row := range defaultCells[size] {
		m.Cells = append(m.Cells, append([]int(nil), row...))
	}
	for i, n := range m.LevelNames {
		if n == "Low" {
			m.Threshold = i
		}
	}
	return m
}

// Clone returns a deep copy, so an edited matrix never shares slices with the original.
func (m Matrix) Clone() Matrix {
	n := m
	n.LikelihoodLabels = append([]string(nil), m.LikelihoodLabels...)
	n.ConsequenceLabels = append([]string(nil), m.ConsequenceLabels...)
	n.LevelNames = append([]string(nil), m.LevelNames...)
	n.Cells = nil
	for _, row := range m.Cells {
		n.Cells = append(n.Cells, append([]int(nil), row...))
	}
	return n
}

// InRange reports whether a score lies on the matrix (both values 1..Size).
func (m Matrix) InRange(s Score) bool {
	return s.Likelihood >= 1 && s.Likelihood <= m.Size && s.Consequence >= 1 && s.Consequence <= m.Size
}

// Level is the level of the cell at likelihood l and consequence c; ok is false off the matrix.
func (m Matrix) Level(l, c int) (Level, bool) {
	if !m.InRange(Score{l, c}) || l > len(m.Cells) || c > len(m.Cells[l-1]) {
		return Level{}, false
	}
	i := m.Cells[l-1][c-1]
	if i < 0 || i >= len(m.LevelNames) {
		return Level{}, false
	}
	return Level{Index: i, Name: m.LevelNames[i], Of: len(m.LevelNames)}, true
}

// LevelOf is Level for a Score.
func (m Matrix) LevelOf(s Score) (Level, bool) { return m.Level(s.Likelihood, s.Consequence) }

// AboveThreshold reports whether a score's level exceeds the acceptance threshold.
func (m Matrix) AboveThreshold(s Score) bool {
	lv, ok := m.LevelOf(s)
	return ok && lv.Index > m.Threshold
}

// ThresholdName is the name of the highest level retained without acceptance.
func (m Matrix) ThresholdName() string {
	if m.Threshold >= 0 && m.Threshold < len(m.LevelNames) {
		return m.LevelNames[m.Threshold]
	}
	return ""
}

// Problems lists everything wrong with a matrix, one error per field.
func (m Matrix) Problems() []*ValidationError {
	var out []*ValidationError
	add := func(field, format string, a ...any) {
		out = append(out, invalid(field, format, a...).(*ValidationError))
	}
	if m.Size < MinMatrixSize || m.Size > MaxMatrixSize {
		add("size", "The matrix must be 3x3, 4x4 or 5x5.")
		return out
	}
	checkLabels := func(field, what string, labels []string) {
		if len(labels) != m.Size {
			add(field, "A %dx%d matrix needs %d %s labels.", m.Size, m.Size, m.Size, what)
			return
		}
		for i, l := range labels {
			switch {
			case strings.TrimSpace(l) == "":
				add(field, "%s %d needs a label.", capital(what), i+1)
				return
			case utf8.RuneCountInString(l) > MaxLabelLen:
				add(field, "%s label %d is longer than %d characters.", capital(what), i+1, MaxLabelLen)
				return
			}
		}
	}
	checkLabels("likelihood_labels", "likelihood", m.LikelihoodLabels)
	checkLabels("consequence_labels", "consequence", m.ConsequenceLabels)
	switch n := len(m.LevelNames); {
	case n < 2 || n > MaxLevels:
		add("levels", "Name between 2 and %d risk levels.", MaxLevels)
	default:
		for i, l := range m.LevelNames {
			if strings.TrimSpace(l) == "" {
				add("levels", "Level %d needs a name.", i+1)
				break
			}
			if utf8.RuneCountInString(l) > MaxLabelLen {
				add("levels", "Level name %d is longer than %d characters.", i+1, MaxLabelLen)
				break
			}
		}
	}
	cellsOK := len(m.Cells) == m.Size
	for _, row := range m.Cells {
		cellsOK = cellsOK && len(row) == m.Size
		for _, v := range row {
			cellsOK = cellsOK && v >= 0 && v < len(m.LevelNames)
		}
	}
	if !cellsOK {
		add("cells", "Every cell of the matrix needs one of its levels.")
	}
	if m.Threshold < 0 || m.Threshold >= len(m.LevelNames) {
		add("threshold", "The acceptance threshold must be one of the matrix's levels.")
	}
	return out
}

// Validate returns the first problem of a matrix, or nil.
func (m Matrix) Validate() error {
	if p := m.Problems(); len(p) > 0 {
		return p[0]
	}
	return nil
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// RescaleValue maps one value of a from-point scale onto a to-point scale. The ends stay
// the ends and the middle is spread evenly; a value that falls between two points goes to
// the higher one, because understating a risk is the worse mistake. 0 stays 0.
func RescaleValue(v, from, to int) int {
	if v <= 0 || from < 2 || to < 2 {
		return v
	}
	v = min(v, from)
	num := (v - 1) * (to - 1)
	den := from - 1
	// round half up: (2*num + den) / (2*den)
	return (2*num+den)/(2*den) + 1
}

// RescaleScore maps a score between matrix sizes.
func RescaleScore(s Score, from, to int) Score {
	return Score{RescaleValue(s.Likelihood, from, to), RescaleValue(s.Consequence, from, to)}
}

// Rescaled is what a matrix change does to one risk, shown before the user confirms.
type Rescaled struct {
	RiskID, Ref, Title       string
	OldInherent, NewInherent Score
	OldResidual, NewResidual Score
	OldInherentLevel         string
	NewInherentLevel         string
	OldResidualLevel         string
	NewResidualLevel         string
}

// Changed reports whether the risk's scores or levels change.
func (r Rescaled) Changed() bool {
	return r.OldInherent != r.NewInherent || r.OldResidual != r.NewResidual ||
		r.OldInherentLevel != r.NewInherentLevel || r.OldResidualLevel != r.NewResidualLevel
}

// Rescale tells, for each risk, how its scores and levels move from matrix old to matrix
// next. It changes nothing; ApplyRescale gives the risks with the new scores.
func Rescale(old, next Matrix, risks []Risk) []Rescaled {
	out := make([]Rescaled, 0, len(risks))
	name := func(m Matrix, s Score) string {
		if lv, ok := m.LevelOf(s); ok {
			return lv.Name
		}
		return ""
	}
	for _, r := range risks {
		x := Rescaled{RiskID: r.ID, Ref: r.Ref, Title: r.Title, OldInherent: r.Inherent, OldResidual: r.Residual,
			NewInherent: RescaleScore(r.Inherent, old.Size, next.Size), NewResidual: RescaleScore(r.Residual, old.Size, next.Size)}
		x.OldInherentLevel, x.NewInherentLevel = name(old, x.OldInherent), name(next, x.NewInherent)
		x.OldResidualLevel, x.NewResidualLevel = name(old, x.OldResidual), name(next, x.NewResidual)
		out = append(out, x)
	}
	return out
}

// ApplyRescale returns the risk with its scores on the next matrix. The acceptance
// record's residual moves with it, so a rescale alone does not make an acceptance stale.
func ApplyRescale(r Risk, from, to int) Risk {
	r.Inherent = RescaleScore(r.Inherent, from, to)
	r.Residual = RescaleScore(r.Residual, from, to)
	if r.Acceptance != nil {
		a := *r.Acceptance
		a.Residual = RescaleScore(a.Residual, from, to)
		r.Acceptance = &a
	}
	return r
}
