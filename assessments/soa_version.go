package assessments

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// SoAState is where a version of a Statement of Applicability stands.
type SoAState string

const (
	// SoADraft is issued for approval; issuing again takes the SoA as it stands anew.
	SoADraft SoAState = "draft"
	// SoAApproved is approved by a named person on a date, and frozen.
	SoAApproved SoAState = "approved"
)

// Label is the state in words.
func (s SoAState) Label() string { return string(s) }

// MaxSummaryLen bounds a version's change summary.
const MaxSummaryLen = 4000

// SoAVersion is one numbered issue of an engagement's Statement of Applicability for one
// standard: a frozen snapshot of its entries, a change summary against the version before,
// and, once approved, who approved it and when. An approved version never changes.
type SoAVersion struct {
	ID            string
	EngagementID  string
	Standard      string
	Version       int
	State         SoAState
	ChangeSummary string
	Approver      string
	ApprovedOn    string // YYYY-MM-DD
	Entries       []SoAEntry
	IssuedAt      time.Time
	IssuedBy      string
	UpdatedAt     time.Time
	UpdatedBy     string
}

// Label names the version for a person: "v2 (draft)".
func (v SoAVersion) Label() string { return fmt.Sprintf("v%d (%s)", v.Version, v.State.Label()) }

// Frozen reports whether the version is approved.
func (v SoAVersion) Frozen() bool { return v.State == SoAApproved }

// Digest is the SHA-256 of the entries' canonical JSON: the history records it, so anyone
// can check that a version's stored contents are those it was issued (and approved) with.
func (v SoAVersion) Digest() string { return EntriesDigest(v.Entries) }

// EntriesDigest is the SHA-256 of entries as canonical JSON.
func EntriesDigest(entries []SoAEntry) string {
	b, _ := json.Marshal(NormalEntries(entries))
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// NormalEntries gives every list a non-nil value, so equal entries marshal alike.
func NormalEntries(entries []SoAEntry) []SoAEntry {
	out := make([]SoAEntry, len(entries))
	for i, e := range entries {
		if e.Reasons == nil {
			e.Reasons = []InclusionReason{}
		}
		if e.Risks == nil {
			e.Risks = []string{}
		}
		if e.Assessments == nil {
			e.Assessments = []string{}
		}
		out[i] = e
	}
	return out
}

// SoAFrozenError refuses an edit of an approved version.
type SoAFrozenError struct {
	Version    int
	Approver   string
	ApprovedOn string
}

func (e *SoAFrozenError) Error() string {
	return fmt.Sprintf("Version %d was approved by %s on %s and is frozen; issue a new version instead.", e.Version, e.Approver, e.ApprovedOn)
}

// CheckEditable refuses any change to an approved version.
func (v SoAVersion) CheckEditable() error {
	if v.Frozen() {
		return &SoAFrozenError{Version: v.Version, Approver: v.Approver, ApprovedOn: v.ApprovedOn}
	}
	return nil
}

// Validate checks a version before it is stored.
func (v SoAVersion) Validate() error {
	switch {
	case strings.TrimSpace(v.Standard) == "":
		return invalid("standard", "Name the standard of the Statement of Applicability.")
	case v.Version < 1:
		return invalid("version", "Versions are numbered from 1.")
	case v.State != SoADraft && v.State != SoAApproved:
		return invalid("state", "Unknown state %q; a version is a draft or approved.", v.State)
	case strings.TrimSpace(v.ChangeSummary) == "":
		return invalid("change_summary", "Say what changed in this version (for the first one: first issue).")
	case utf8.RuneCountInString(v.ChangeSummary) > MaxSummaryLen:
		return invalid("change_summary", "The change summary is longer than %d characters.", MaxSummaryLen)
	case utf8.RuneCountInString(v.Approver) > MaxNameLen:
		return invalid("approver", "The name is longer than %d characters.", MaxNameLen)
	}
	if _, err := ParseDate(v.ApprovedOn); err != nil {
		return invalid("approved_on", "%s", err.Error())
	}
	if v.State == SoAApproved {
		if strings.TrimSpace(v.Approver) == "" {
			return invalid("approver", "Say who approves the Statement of Applicability.")
		}
		if v.ApprovedOn == "" {
			return invalid("approved_on", "Give the date of the approval (YYYY-MM-DD).")
		}
		if !v.IssuedAt.IsZero() && v.ApprovedOn < v.IssuedAt.UTC().Format(DateLayout) {
			return invalid("approved_on", "The approval (%s) cannot come before the version was issued (%s).", v.ApprovedOn, v.IssuedAt.UTC().Format(DateLayout))
		}
	} else if v.Approver != "" || v.ApprovedOn != "" {
		return invalid("approver", "A draft has no approver yet; approve the version to record one.")
	}
	seen := map[string]bool{}
	for _, e := range v.Entries {
		if e.Ref == "" {
			return invalid("entries", "An entry of the Statement of Applicability has no ref.")
		}
		if seen[e.Ref] {
			return invalid("entries", "%s appears twice in the Statement of Applicability.", e.Ref)
		}
		seen[e.Ref] = true
	}
	return nil
}

// Approve records the approval of a draft by a person on a date.
func (v SoAVersion) Approve(by, date string) (SoAVersion, error) {
	if err := v.CheckEditable(); err != nil {
		return v, err
	}
	v.State, v.Approver, v.ApprovedOn = SoAApproved, strings.TrimSpace(by), strings.TrimSpace(date)
	if v.Approver == "" {
		return v, invalid("approver", "Say who approves the Statement of Applicability.")
	}
	if v.ApprovedOn == "" {
		return v, invalid("approved_on", "Give the date of the approval (YYYY-MM-DD).")
	}
	return v, v.Validate()
}

// NextSoAVersion is what issuing a Statement of Applicability does, given the versions of
// that standard (any order): while the latest is a draft it is issued again with the SoA
// as it stands (same number); otherwise version n+1 starts as a draft.
func NextSoAVersion(versions []SoAVersion, standard string, entries []SoAEntry, summary string) (next SoAVersion, reissue bool) {
	latest, ok := LatestSoA(versions)
	if ok && latest.State == SoADraft {
		latest.Entries, latest.ChangeSummary = NormalEntries(entries), strings.TrimSpace(summary)
		return latest, true
	}
	n := 1
	if ok {
		n = latest.Version + 1
	}
	return SoAVersion{Standard: standard, Version: n, State: SoADraft, ChangeSummary: strings.TrimSpace(summary), Entries: NormalEntries(entries)}, false
}

// LatestSoA is the highest-numbered version.
func LatestSoA(versions []SoAVersion) (SoAVersion, bool) {
	var out SoAVersion
	ok := false
	for _, v := range versions {
		if !ok || v.Version > out.Version {
			out, ok = v, true
		}
	}
	return out, ok
}

// LatestApprovedSoA is the highest-numbered approved version.
func LatestApprovedSoA(versions []SoAVersion) (SoAVersion, bool) {
	var out SoAVersion
	ok := false
	for _, v := range versions {
		if v.State == SoAApproved && (!ok || v.Version > out.Version) {
			out, ok = v, true
		}
	}
	return out, ok
}

// SoA fields compared between versions, as people name them.
const (
	ChangeApplicability = "applicability"
	ChangeReasons       = "reasons"
	ChangeJustification = "justification"
	ChangeStatus        = "status"
	ChangeAdded         = "added"
	ChangeRemoved       = "removed"
)

// SoAChange is one control whose decision differs between two versions.
type SoAChange struct {
	Ref, Title string
	// Fields are what changed: applicability, reasons, justification, status; or only
	// "added" or "removed" for a control one side does not have.
	Fields        []string
	Before, After SoAEntry
}

// Describe is the change in a few words: "A.5.15: status not implemented → implemented".
func (c SoAChange) Describe() string {
	var parts []string
	for _, f := range c.Fields {
		switch f {
		case ChangeAdded:
			parts = append(parts, "added")
		case ChangeRemoved:
			parts = append(parts, "removed")
		case ChangeApplicability:
			parts = append(parts, fmt.Sprintf("applicability %s → %s", c.Before.Applicability.Label(), c.After.Applicability.Label()))
		case ChangeStatus:
			parts = append(parts, fmt.Sprintf("status %s → %s", c.Before.StatusText(), c.After.StatusText()))
		case ChangeReasons:
			parts = append(parts, fmt.Sprintf("reasons %q → %q", orNone(c.Before.ReasonsText()), orNone(c.After.ReasonsText())))
		case ChangeJustification:
			parts = append(parts, "justification changed")
		}
	}
	return c.Ref + ": " + strings.Join(parts, "; ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// DiffSoA lists the controls whose applicability, reasons, justification or status differ
// between before and after, in after's order, then the controls after no longer has.
func DiffSoA(before, after []SoAEntry) []SoAChange {
	old := make(map[string]SoAEntry, len(before))
	for _, e := range before {
		old[e.Ref] = e
	}
	var out []SoAChange
	seen := map[string]bool{}
	for _, a := range after {
		seen[a.Ref] = true
		b, ok := old[a.Ref]
		if !ok {
			out = append(out, SoAChange{Ref: a.Ref, Title: a.Title, Fields: []string{ChangeAdded}, After: a})
			continue
		}
		var fields []string
		if b.Applicability != a.Applicability {
			fields = append(fields, ChangeApplicability)
		}
		if b.ReasonsText() != a.ReasonsText() {
			fields = append(fields, ChangeReasons)
		}
		if strings.TrimSpace(b.Justification) != strings.TrimSpace(a.Justification) {
			fields = append(fields, ChangeJustification)
		}
		if b.StatusText() != a.StatusText() {
			fields = append(fields, ChangeStatus)
		}
		if len(fields) > 0 {
			out = append(out, SoAChange{Ref: a.Ref, Title: a.Title, Fields: fields, Before: b, After: a})
		}
	}
	for _, b := range before {
		if !seen[b.Ref] {
			out = append(out, SoAChange{Ref: b.Ref, Title: b.Title, Fields: []string{ChangeRemoved}, Before: b})
		}
	}
	return out
}

// SummarizeChanges proposes a change summary for a new version from the differences with
// the version before (none: the first issue).
func SummarizeChanges(prev *SoAVersion, changes []SoAChange) string {
	if prev == nil {
		return "First issue."
	}
	if len(changes) == 0 {
		return fmt.Sprintf("No change of decisions since v%d.", prev.Version)
	}
	refs := make([]string, 0, 6)
	for i, c := range changes {
		if i == 5 {
			refs = append(refs, fmt.Sprintf("and %d more", len(changes)-5))
			break
		}
		refs = append(refs, c.Ref)
	}
	what := map[string]bool{}
	for _, c := range changes {
		for _, f := range c.Fields {
			what[f] = true
		}
	}
	var kinds []string
	for _, f := range []string{ChangeApplicability, ChangeReasons, ChangeJustification, ChangeStatus, ChangeAdded, ChangeRemoved} {
		if what[f] {
			kinds = append(kinds, f)
		}
	}
	n := "1 control"
	if len(changes) != 1 {
		n = fmt.Sprintf("%d controls", len(changes))
	}
	return fmt.Sprintf("%s changed since v%d (%s): %s.", n, prev.Version, strings.Join(kinds, ", "), strings.Join(refs, ", "))
}

// SortSoAVersions orders versions by number, newest first.
func SortSoAVersions(vs []SoAVersion) {
	slices.SortStableFunc(vs, func(a, b SoAVersion) int { return b.Version - a.Version })
}
