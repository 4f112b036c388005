package assessments

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ReportStatus says whether a management report is a draft or final.
type ReportStatus string

const (
	ReportDraft ReportStatus = "draft"
	ReportFinal ReportStatus = "final"
)

// ReportStatuses in display order.
var ReportStatuses = []ReportStatus{ReportDraft, ReportFinal}

// Classification is the report's information classification.
type Classification string

const (
	ClassPublic       Classification = "public"
	ClassInternal     Classification = "internal"
	ClassConfidential Classification = "confidential"
	ClassRestricted   Classification = "restricted"
)

// Classifications in display order.
var Classifications = []Classification{ClassPublic, ClassInternal, ClassConfidential, ClassRestricted}

// Label is the classification as printed on the report.
func (c Classification) Label() string {
	if c == "" {
		return string(ClassConfidential)
	}
	return string(c)
}

// MaxVersionLen bounds a report version label.
const MaxVersionLen = 20

// ReportControl is the document control of an engagement's management report: what the
// cover of every pack's report says about the document itself.
type ReportControl struct {
	EngagementID string
	// Version labels the report ("1.0"); empty numbers it by the packs exported before.
	Version        string
	Status         ReportStatus
	Classification Classification
	// Distribution lists who receives the report (names, roles), one or more lines.
	Distribution string
	Approver     string
	ApprovedOn   string // YYYY-MM-DD
	UpdatedAt    time.Time
	UpdatedBy    string
}

// DefaultReportControl is a report nobody has set up: a draft, confidential (a readiness
// report names weaknesses), for the engagement team.
func DefaultReportControl(engagementID string) ReportControl {
	return ReportControl{EngagementID: engagementID, Status: ReportDraft, Classification: ClassConfidential}
}

// EffectiveStatus treats an empty status as draft.
func (c ReportControl) EffectiveStatus() ReportStatus {
	if c.Status == "" {
		return ReportDraft
	}
	return c.Status
}

// Problems lists what is wrong with a report's document control, one message per field.
func (c ReportControl) Problems() []*ValidationError {
	var out []*ValidationError
	seen := map[string]bool{}
	add := func(field, format string, a ...any) {
		if !seen[field] {
			seen[field] = true
			out = append(out, invalid(field, format, a...).(*ValidationError))
		}
	}
	switch n := utf8.RuneCountInString(c.Version); {
	case n > MaxVersionLen:
		add("version", "The version is longer than %d characters.", MaxVersionLen)
	case strings.ContainsAny(c.Version, "\n\r"):
		add("version", "A version is one line, for example 1.0.")
	}
	if c.Status != "" && !slices.Contains(ReportStatuses, c.Status) {
		add("status", "Unknown report status %q; use draft or final.", c.Status)
	}
	if c.Classification != "" && !slices.Contains(Classifications, c.Classification) {
		add("classification", "Unknown classification %q; use public, internal, confidential or restricted.", c.Classification)
	}
	if utf8.RuneCountInString(c.Distribution) > MaxTextLen {
		add("distribution", "The distribution list is longer than %d characters.", MaxTextLen)
	}
	if utf8.RuneCountInString(c.Approver) > MaxNameLen {
		add("approver", "The name is longer than %d characters.", MaxNameLen)
	}
	if _, err := ParseDate(c.ApprovedOn); err != nil {
		add("approved_on", "%s", err.Error())
	}
	if c.EffectiveStatus() == ReportFinal {
		if strings.TrimSpace(c.Approver) == "" {
			add("approver", "A final report needs the name of who approved it.")
		}
		if c.ApprovedOn == "" {
			add("approved_on", "A final report needs the date it was approved (YYYY-MM-DD).")
		}
	}
	return out
}

// Validate returns the first problem, or nil.
func (c ReportControl) Validate() error {
	if p := c.Problems(); len(p) > 0 {
		return p[0]
	}
	return nil
}

// Verdict is the readiness verdict of one standard for management.
type Verdict string

const (
	NotReady       Verdict = "not ready"
	ReadyWithGaps  Verdict = "ready with gaps"
	ReadyForStage1 Verdict = "ready for Stage 1"
)

// VerdictInput is what the verdict of one standard rests on.
type VerdictInput struct {
	Readiness Readiness
	// DocsRequired counts the applicable requirements that ask for documented information;
	// DocsDone those implemented with valid evidence.
	DocsRequired, DocsDone int
	// SoAApproved: an approved version of the Statement of Applicability exists;
	// SoAOpen counts the controls whose decision is still open in the SoA as it stands.
	SoAApproved bool
	SoAOpen     int
	// Unaccepted counts the risks of the standard above the threshold without acceptance.
	Unaccepted int
	// Overdue counts open actions past their date (gaps and treatment actions).
	Overdue int
}

// Thresholds of the verdict, stated in the report.
const (
	// VerdictMinReadiness and VerdictMinAssessed: below either, the standard is not ready.
	VerdictMinReadiness = 50.0
	VerdictMinAssessed  = 60.0
	// VerdictMinDocs: less than this share of the required documented information done is
	// not ready.
	VerdictMinDocs = 50.0
	// VerdictStage1Readiness: ready for Stage 1 needs at least this readiness and nothing
	// else open.
	VerdictStage1Readiness = 85.0
)

// VerdictOf decides the verdict of one standard and says why, blockers first: "not ready"
// when readiness, the share assessed or the documented information is far short; "ready for
// Stage 1" when the system is assessed, mostly implemented, its documented information is
// done and evidenced, the SoA is approved with no open decision and every risk above the
// threshold is accepted; else "ready with gaps".
func VerdictOf(in VerdictInput) (Verdict, []string) {
	var blockers, gaps []string
	r := in.Readiness
	if r.Percent() < VerdictMinReadiness {
		blockers = append(blockers, fmt.Sprintf("readiness %.0f%% is under %.0f%%", r.Percent(), VerdictMinReadiness))
	}
	if r.AssessedPercent() < VerdictMinAssessed {
		blockers = append(blockers, fmt.Sprintf("only %.0f%% of the requirements are assessed", r.AssessedPercent()))
	}
	if in.DocsRequired > 0 && float64(in.DocsDone)*100 < VerdictMinDocs*float64(in.DocsRequired) {
		blockers = append(blockers, fmt.Sprintf("%d of %d required documents %s implemented with valid evidence", in.DocsDone, in.DocsRequired, IsAre(in.DocsDone)))
	}
	if len(blockers) > 0 {
		return NotReady, blockers
	}
	if r.Percent() < VerdictStage1Readiness {
		gaps = append(gaps, fmt.Sprintf("readiness %.0f%% is under %.0f%%", r.Percent(), VerdictStage1Readiness))
	}
	if r.AssessedPercent() < 100 {
		gaps = append(gaps, fmt.Sprintf("%.0f%% of the requirements are assessed", r.AssessedPercent()))
	}
	if in.DocsDone < in.DocsRequired {
		gaps = append(gaps, fmt.Sprintf("%d of %d required documents %s implemented with valid evidence", in.DocsDone, in.DocsRequired, IsAre(in.DocsDone)))
	}
	if !in.SoAApproved {
		gaps = append(gaps, "no approved Statement of Applicability")
	}
	if in.SoAOpen > 0 {
		gaps = append(gaps, fmt.Sprintf("%s open in the Statement of Applicability", countWord(in.SoAOpen, "decision", "decisions")))
	}
	if in.Unaccepted > 0 {
		gaps = append(gaps, fmt.Sprintf("%s above the threshold without acceptance", countWord(in.Unaccepted, "risk", "risks")))
	}
	if in.Overdue > 0 {
		gaps = append(gaps, fmt.Sprintf("%s overdue", countWord(in.Overdue, "action", "actions")))
	}
	if len(gaps) > 0 {
		return ReadyWithGaps, gaps
	}
	return ReadyForStage1, []string{"assessed, implemented, documented and decided; no risk above the threshold left unaccepted"}
}

func countWord(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// IsAre is the verb for "n of m … is/are": "1 of 46 is", "3 of 26 are".
func IsAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}
