package assessments

import "fmt"

// Status is the gap-analysis answer for one requirement.
type Status string

const (
	NotAssessed    Status = "not_assessed"
	NotImplemented Status = "not_implemented"
	Partial        Status = "partially_implemented"
	Implemented    Status = "implemented"
	NotApplicable  Status = "not_applicable"
)

// Statuses in the order of the number keys 0..4 in the workbench.
var Statuses = []Status{NotAssessed, NotImplemented, Partial, Implemented, NotApplicable}

// ParseStatus accepts the stored token or the label, case-sensitively for tokens.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if string(st) == s || st.Label() == s {
			return st, nil
		}
	}
	return "", fmt.Errorf("unknown status %q (use one of: not_assessed, not_implemented, partially_implemented, implemented, not_applicable)", s)
}

// Valid reports whether s is one of the five statuses.
func (s Status) Valid() bool {
	for _, st := range Statuses {
		if s == st {
			return true
		}
	}
	return false
}

// Label is the human text of a status.
func (s Status) Label() string {
	switch s {
	case NotAssessed:
		return "not assessed"
	case NotImplemented:
		return "not implemented"
	case Partial:
		return "partially implemented"
	case Implemented:
		return "implemented"
	case NotApplicable:
		return "not applicable"
	}
	return string(s)
}

// Mark is the one-cell glyph shown in lists.
func (s Status) Mark() string {
	switch s {
	case NotImplemented:
		return "✗"
	case Partial:
		return "◐"
	case Implemented:
		return "●"
	case NotApplicable:
		return "–"
	}
	return "○"
}

// Score is the readiness weight: implemented 1, partial 0.5, else 0. N/A is excluded by callers.
func (s Status) Score() float64 {
	switch s {
	case Implemented:
		return 1
	case Partial:
		return 0.5
	}
	return 0
}
