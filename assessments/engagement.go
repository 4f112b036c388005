package assessments

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// EngagementStatus is where an engagement stands.
type EngagementStatus string

const (
	EngagementActive EngagementStatus = "active"
	EngagementOnHold EngagementStatus = "on_hold"
	EngagementClosed EngagementStatus = "closed"
)

// Engagement is one client organisation and scope with the standards in scope.
type Engagement struct {
	ID           string
	Name         string
	Organisation string
	Scope        string
	Standards    []string
	Lead         string
	StartDate    string // YYYY-MM-DD or empty
	EndDate      string // YYYY-MM-DD or empty
	Status       EngagementStatus
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// HasStandard reports whether the standard is in scope.
func (e Engagement) HasStandard(id string) bool { return slices.Contains(e.Standards, id) }

// Limits on text a user types, so a stray paste cannot bloat a workspace.
const (
	MaxNameLen = 200
	MaxTextLen = 1_000_000
)

// ValidationError names the field a user must fix and says why, in one sentence.
type ValidationError struct {
	Field   string
	Message string
}

func (e *ValidationError) Error() string { return e.Message }

func invalid(field, format string, a ...any) error {
	return &ValidationError{Field: field, Message: fmt.Sprintf(format, a...)}
}

// Validate checks an engagement before it is saved. known lists the catalog ids available.
func (e Engagement) Validate(known func(string) bool) error {
	if strings.TrimSpace(e.Name) == "" {
		return invalid("name", "The engagement needs a name.")
	}
	if utf8.RuneCountInString(e.Name) > MaxNameLen {
		return invalid("name", "The name is longer than %d characters.", MaxNameLen)
	}
	if utf8.RuneCountInString(e.Organisation) > MaxNameLen {
		return invalid("organisation", "The organisation is longer than %d characters.", MaxNameLen)
	}
	if utf8.RuneCountInString(e.Scope) > MaxTextLen {
		return invalid("scope", "The scope statement is longer than %d characters.", MaxTextLen)
	}
	if len(e.Standards) == 0 {
		return invalid("standards", "Choose at least one standard in scope.")
	}
	for _, s := range e.Standards {
		if known != nil && !known(s) {
			return invalid("standards", "Standard %q is not a catalog annex knows.", s)
		}
	}
	for _, d := range []struct{ field, v string }{{"start_date", e.StartDate}, {"end_date", e.EndDate}} {
		if _, err := ParseDate(d.v); err != nil {
			return invalid(d.field, "%s", err.Error())
		}
	}
	if e.StartDate != "" && e.EndDate != "" && e.EndDate < e.StartDate {
		return invalid("end_date", "The end date is before the start date.")
	}
	switch e.Status {
	case "", EngagementActive, EngagementOnHold, EngagementClosed:
	default:
		return invalid("status", "Unknown engagement status %q.", e.Status)
	}
	return nil
}

// DateLayout is how annex writes calendar dates.
const DateLayout = "2006-01-02"

// ParseDate accepts "" (no date) or YYYY-MM-DD.
func ParseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date; use YYYY-MM-DD, for example 2026-03-31.", s)
	}
	return t, nil
}

// Overdue reports whether date (YYYY-MM-DD) lies before today.
func Overdue(date string, now time.Time) bool {
	if date == "" {
		return false
	}
	return date < now.Format(DateLayout)
}
