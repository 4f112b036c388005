package assessments

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/annex-grc/annex/catalogs"
)

// Internal audits (ISO/IEC 27001 and 42001 clause 9.2): an audit programme per engagement,
// each audit with its scope, criteria, dates and team; a checklist walked per requirement
// (audit_checklist.go); findings and their corrective actions (audit_findings.go).

// AuditType is what kind of audit an audit is.
type AuditType string

const (
	AuditInternal AuditType = "internal"
	AuditSupplier AuditType = "supplier"
	AuditFollowUp AuditType = "follow_up"
)

// AuditTypes in the order forms offer them.
var AuditTypes = []AuditType{AuditInternal, AuditSupplier, AuditFollowUp}

// Valid reports whether t is a known type.
func (t AuditType) Valid() bool { return slices.Contains(AuditTypes, t) }

// Label is the type in words.
func (t AuditType) Label() string {
	if t == AuditFollowUp {
		return "follow-up"
	}
	return string(t)
}

// AuditStatus is where an audit stands.
type AuditStatus string

const (
	AuditPlanned    AuditStatus = "planned"
	AuditInProgress AuditStatus = "in_progress"
	AuditCompleted  AuditStatus = "completed"
	AuditCancelled  AuditStatus = "cancelled"
)

// AuditStatuses in the order forms offer them.
var AuditStatuses = []AuditStatus{AuditPlanned, AuditInProgress, AuditCompleted, AuditCancelled}

// Valid reports whether s is a known status.
func (s AuditStatus) Valid() bool { return slices.Contains(AuditStatuses, s) }

// Label is the status in words.
func (s AuditStatus) Label() string {
	if s == AuditInProgress {
		return "in progress"
	}
	return string(s)
}

// Mark is the one-cell glyph of a status in lists.
func (s AuditStatus) Mark() string {
	switch s {
	case AuditInProgress:
		return "◐"
	case AuditCompleted:
		return "●"
	case AuditCancelled:
		return "–"
	}
	return "○"
}

// Audit is one audit of the engagement's audit programme.
type Audit struct {
	ID           string
	EngagementID string
	// Ref is "2027-01": the year of the audit and its number in that year. The store gives
	// it when the audit is created and never changes it, so finding numbers stay stable.
	Ref    string
	Title  string
	Type   AuditType
	Status AuditStatus
	// Scope lists the clauses and controls the audit covers, of either standard.
	Scope     []ControlRef
	Processes string
	Sites     string
	// Criteria are what the audit judges against (the standards, policies, contracts).
	Criteria     string
	PlannedStart string // YYYY-MM-DD
	PlannedEnd   string
	ActualStart  string
	ActualEnd    string
	Lead         string
	Team         []string
	Auditees     string
	// Summary is the lead auditor's overall conclusion, for the audit report.
	Summary   string
	CreatedAt time.Time
	UpdatedAt time.Time
	UpdatedBy string
}

// Label names the audit for a person: "audit 2027-01".
func (a Audit) Label() string {
	if a.Ref == "" {
		return "audit " + a.Title
	}
	return "audit " + a.Ref
}

// EffectiveStatus treats an empty status as planned.
func (a Audit) EffectiveStatus() AuditStatus {
	if a.Status == "" {
		return AuditPlanned
	}
	return a.Status
}

// Auditors are the lead and the team, each once.
func (a Audit) Auditors() []string {
	var out []string
	for _, n := range append([]string{a.Lead}, a.Team...) {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || SamePerson(o, n)
		}
		if !dup {
			out = append(out, n)
		}
	}
	return out
}

// Year is the year the audit belongs to in the programme: of its planned start, else its
// actual start, else when it was recorded.
func (a Audit) Year() int {
	for _, d := range []string{a.PlannedStart, a.ActualStart} {
		if t, err := ParseDate(d); err == nil && !t.IsZero() {
			return t.Year()
		}
	}
	return a.CreatedAt.Year()
}

// Date is the audit's date for the programme's coverage: when it ended (or started, while
// it runs); a completed audit without actual dates counts on its planned end.
func (a Audit) Date() string {
	switch {
	case a.ActualEnd != "":
		return a.ActualEnd
	case a.ActualStart != "":
		return a.ActualStart
	case a.EffectiveStatus() == AuditCompleted:
		return firstDate(a.PlannedEnd, a.PlannedStart)
	}
	return ""
}

func firstDate(ds ...string) string {
	for _, d := range ds {
		if d != "" {
			return d
		}
	}
	return ""
}

// InScope reports whether the audit covers the requirement.
func (a Audit) InScope(std, ref string) bool {
	for _, c := range a.Scope {
		if c.Standard == std && c.Ref == ref {
			return true
		}
	}
	return false
}

// Problems lists every field of an audit that needs fixing, one message per field, in
// form order. known says whether a requirement exists (nil: not checked).
func (a Audit) Problems(known func(standard, ref string) bool) []*ValidationError {
	var out []*ValidationError
	seen := map[string]bool{}
	add := func(field, format string, args ...any) {
		if !seen[field] {
			seen[field] = true
			out = append(out, invalid(field, format, args...).(*ValidationError))
		}
	}
	switch {
	case strings.TrimSpace(a.Title) == "":
		add("title", "The audit needs a title.")
	case utf8.RuneCountInString(a.Title) > MaxNameLen:
		add("title", "The title is longer than %d characters.", MaxNameLen)
	}
	if !a.Type.Valid() {
		add("type", "Unknown audit type %q: use internal, supplier or follow-up.", a.Type)
	}
	if !a.EffectiveStatus().Valid() {
		add("status", "Unknown audit status %q.", a.Status)
	}
	if len(a.Scope) == 0 {
		add("scope", "Say which clauses and controls the audit covers, for example \"42001 8, 42001 A.6, 27001 A.8.25-A.8.29\".")
	}
	for _, c := range a.Scope {
		if known != nil && !known(c.Standard, c.Ref) {
			add("scope", "%s %s is not a requirement of the engagement's standards.", c.Standard, c.Ref)
		}
	}
	for _, f := range []struct{ field, v string }{{"processes", a.Processes}, {"sites", a.Sites}, {"criteria", a.Criteria},
		{"auditees", a.Auditees}, {"summary", a.Summary}} {
		if utf8.RuneCountInString(f.v) > MaxTextLen {
			add(f.field, "The %s are longer than %d characters.", f.field, MaxTextLen)
		}
	}
	for _, d := range []struct{ field, v string }{{"planned_start", a.PlannedStart}, {"planned_end", a.PlannedEnd},
		{"actual_start", a.ActualStart}, {"actual_end", a.ActualEnd}} {
		if _, err := ParseDate(d.v); err != nil {
			add(d.field, "%s", err.Error())
		}
	}
	if a.PlannedStart != "" && a.PlannedEnd != "" && !seen["planned_end"] && !seen["planned_start"] && a.PlannedEnd < a.PlannedStart {
		add("planned_end", "The planned end is before the planned start.")
	}
	if a.ActualStart != "" && a.ActualEnd != "" && !seen["actual_end"] && !seen["actual_start"] && a.ActualEnd < a.ActualStart {
		add("actual_end", "The audit ended before it started.")
	}
	if a.EffectiveStatus() == AuditCompleted && a.ActualEnd == "" && !seen["actual_end"] {
		add("actual_end", "A completed audit needs the date it ended.")
	}
	if (a.EffectiveStatus() == AuditInProgress || a.EffectiveStatus() == AuditCompleted) && a.ActualStart == "" && !seen["actual_start"] {
		add("actual_start", "An audit under way needs the date it started.")
	}
	switch {
	case strings.TrimSpace(a.Lead) == "":
		add("lead", "Name the lead auditor.")
	case utf8.RuneCountInString(a.Lead) > MaxNameLen:
		add("lead", "The lead auditor's name is longer than %d characters.", MaxNameLen)
	}
	for _, n := range a.Team {
		if utf8.RuneCountInString(n) > MaxNameLen {
			add("team", "A name in the team is longer than %d characters.", MaxNameLen)
		}
	}
	return out
}

// Validate returns the first problem of an audit, or nil.
func (a Audit) Validate(known func(standard, ref string) bool) error {
	if p := a.Problems(known); len(p) > 0 {
		return p[0]
	}
	return nil
}

// SamePerson compares names as people write them: case, and spaces around and between
// words, do not matter.
func SamePerson(a, b string) bool {
	a, b = strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " ")
	return a != "" && strings.EqualFold(a, b)
}

// ImpartialityWarning is an auditor who owns a requirement in the audit's scope: 27001 and
// 42001 9.2.2 b ask that auditors are objective and impartial, so they should not audit
// their own work.
type ImpartialityWarning struct {
	Auditor     string
	Requirement ControlRef
}

// Impartiality lists, for each auditor of the audit, the requirements in scope whose gap
// analysis names them as owner. results are the engagement's results by standard and ref.
func Impartiality(a Audit, results map[string]map[string]Result) []ImpartialityWarning {
	var out []ImpartialityWarning
	for _, who := range a.Auditors() {
		for _, c := range a.Scope {
			if r, ok := results[c.Standard][c.Ref]; ok && SamePerson(r.Owner, who) {
				out = append(out, ImpartialityWarning{Auditor: who, Requirement: c})
			}
		}
	}
	return out
}

// ImpartialityText says the warnings in one sentence per auditor ("Amara Nwosu owns ISO
// 42001 A.6.2.4 and 8.4, which the audit covers: auditors should not audit their own work
// (9.2.2 b)."). label names a requirement.
func ImpartialityText(ws []ImpartialityWarning, label func(ControlRef) string) []string {
	var order []string
	by := map[string][]string{}
	for _, w := range ws {
		if _, ok := by[w.Auditor]; !ok {
			order = append(order, w.Auditor)
		}
		by[w.Auditor] = append(by[w.Auditor], label(w.Requirement))
	}
	var out []string
	for _, who := range order {
		refs := by[who]
		list := strings.Join(refs, ", ")
		if len(refs) > 1 {
			list = strings.Join(refs[:len(refs)-1], ", ") + " and " + refs[len(refs)-1]
		}
		out = append(out, fmt.Sprintf("%s owns %s, which the audit covers: auditors should not audit their own work (9.2.2 b).", who, list))
	}
	return out
}

// AuditRecord is an audit with the requirements its checklist concluded on (any conclusion
// but "not audited"), for the programme's coverage.
type AuditRecord struct {
	Audit   Audit
	Audited []ControlRef
}

// CoverageCount is how many of a kind of requirement the programme covered.
type CoverageCount struct{ Covered, Total int }

// ProgrammeCoverage is, for one standard, which requirements audits concluded on in the last
// twelve months, and which no audit covered (Uncovered), of which a planned audit will
// cover some (Planned).
type ProgrammeCoverage struct {
	Standard  string
	Clauses   CoverageCount
	Controls  CoverageCount
	Uncovered []string // refs in catalog order
	Planned   []string // of Uncovered, those in the scope of an audit planned in the next twelve months
}

// CoverageWindow is how far back an audit counts towards the programme's coverage.
const CoverageWindow = 12 // months

// ProgrammeCoverageOf computes the programme's coverage per standard of the engagement: a
// requirement is covered when an audit dated within the last twelve months (Audit.Date)
// concluded on it. Cancelled audits count for nothing.
func ProgrammeCoverageOf(set *catalogs.Set, e Engagement, records []AuditRecord, now time.Time) []ProgrammeCoverage {
	today := now.Format(DateLayout)
	from := now.AddDate(0, -CoverageWindow, 0).Format(DateLayout)
	until := now.AddDate(0, CoverageWindow, 0).Format(DateLayout)
	covered := map[ControlRef]bool{}
	planned := map[ControlRef]bool{}
	for _, r := range records {
		a := r.Audit
		switch a.EffectiveStatus() {
		case AuditCancelled:
			continue
		case AuditPlanned:
			if d := firstDate(a.PlannedStart, a.PlannedEnd); d == "" || (d >= today && d <= until) {
				for _, c := range a.Scope {
					planned[c] = true
				}
			}
			continue
		}
		if d := a.Date(); d == "" || d < from || d > today {
			continue
		}
		for _, c := range r.Audited {
			covered[c] = true
		}
	}
	var out []ProgrammeCoverage
	for _, std := range e.Standards {
		c, ok := set.Get(std)
		if !ok {
			continue
		}
		pc := ProgrammeCoverage{Standard: std}
		for _, req := range c.Requirements {
			k := ControlRef{Standard: std, Ref: req.Ref}
			n := &pc.Controls
			if req.Kind == catalogs.KindClause {
				n = &pc.Clauses
			}
			n.Total++
			if covered[k] {
				n.Covered++
				continue
			}
			pc.Uncovered = append(pc.Uncovered, req.Ref)
			if planned[k] {
				pc.Planned = append(pc.Planned, req.Ref)
			}
		}
		out = append(out, pc)
	}
	return out
}

// AuditsByYear groups audits by Year, years ascending, each year's audits by ref.
func AuditsByYear(audits []Audit) ([]int, map[int][]Audit) {
	by := map[int][]Audit{}
	for _, a := range audits {
		by[a.Year()] = append(by[a.Year()], a)
	}
	var years []int
	for y, list := range by {
		years = append(years, y)
		sort.SliceStable(list, func(i, j int) bool { return list[i].Ref < list[j].Ref })
	}
	sort.Ints(years)
	return years, by
}
