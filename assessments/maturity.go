package assessments

import "strconv"

// MaxMaturity is the highest maturity level.
const MaxMaturity = 5

// MaturityLevel returns a rated maturity level (0 to 5).
func MaturityLevel(n int) *int { return &n }

// NextMaturity is the level after m in the cycle not rated, 0, 1 … 5, not rated.
func NextMaturity(m *int) *int {
	switch {
	case m == nil:
		return MaturityLevel(0)
	case *m >= MaxMaturity:
		return nil
	}
	return MaturityLevel(*m + 1)
}

// MaturityLabel is "–" for not rated, else the level.
func MaturityLabel(m *int) string {
	if m == nil {
		return "–"
	}
	return strconv.Itoa(*m)
}

// MaturityText is the stored text of a maturity: "" for not rated, else the level.
func MaturityText(m *int) string {
	if m == nil {
		return ""
	}
	return strconv.Itoa(*m)
}

// ParseMaturity reads MaturityText.
func ParseMaturity(s string) (*int, error) {
	if s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, invalid("maturity", "Maturity %q is not a level from 0 to 5.", s)
	}
	return &n, nil
}

// SameMaturity reports whether two maturities are equal.
func SameMaturity(a, b *int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}
