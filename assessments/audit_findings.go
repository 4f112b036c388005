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

// Grade is how serious a finding is.
type Grade string

const (
	GradeMajor       Grade = "major_nc"
	GradeMinor       Grade = "minor_nc"
	GradeObservation Grade = "observation"
	GradeOFI         Grade = "ofi"
)

// Grades from the most serious.
var Grades = []Grade{GradeMajor, GradeMinor, GradeObservation, GradeOFI}

// Valid reports whether g is a known grade.
func (g Grade) Valid() bool { return slices.Contains(Grades, g) }

// Label is the grade in words.
func (g Grade) Label() string { return Conclusion(g).Label() }

// Short is the grade in a table cell: "major NC", "minor NC", "observation", "OFI".
func (g Grade) Short() string {
	switch g {
	case GradeMajor:
		return "major NC"
	case GradeMinor:
		return "minor NC"
	case GradeOFI:
		return "OFI"
	}
	return string(g)
}

// Nonconformity is true for major and minor nonconformities: they need corrective action
// (clause 10.2).
func (g Grade) Nonconformity() bool { return g == GradeMajor || g == GradeMinor }

// Rank orders grades from the most serious (0).
func (g Grade) Rank() int {
	if i := slices.Index(Grades, g); i >= 0 {
		return i
	}
	return len(Grades)
}

// Finding is a nonconformity, observation or opportunity for improvement an audit raised.
type Finding struct {
	ID           string
	EngagementID string
	AuditID      string
	// Ref is "F-2027-01-003": the audit's ref and the finding's number in it. Given once,
	// never reused, so a finding keeps its number in every report.
	Ref   string
	Seq   int
	Grade Grade
	// Statement is the statement of nonconformity (or of the observation): what was found.
	Statement    string
	Requirements []ControlRef
	// Evidence is the objective evidence the finding rests on.
	Evidence string
	// Source is the checklist item whose conclusion raised the finding.
	Source   ControlRef
	RaisedOn string // YYYY-MM-DD
	// RiskID is the register's risk raised from the finding, if any.
	RiskID string
	// Withdrawn is set when the conclusion that raised the finding no longer stands; the
	// finding keeps its number and comes back if the conclusion does.
	Withdrawn bool
	CreatedAt time.Time
	UpdatedAt time.Time
	UpdatedBy string
}

// FindingRef formats the n-th finding of an audit: "F-2027-01-003".
func FindingRef(auditRef string, n int) string { return fmt.Sprintf("F-%s-%03d", auditRef, n) }

// Problems lists every field of a finding that needs fixing, one message per field.
// known says whether a requirement exists (nil: not checked).
func (f Finding) Problems(known func(standard, ref string) bool) []*ValidationError {
	var out []*ValidationError
	seen := map[string]bool{}
	add := func(field, format string, args ...any) {
		if !seen[field] {
			seen[field] = true
			out = append(out, invalid(field, format, args...).(*ValidationError))
		}
	}
	if !f.Grade.Valid() {
		add("grade", "Unknown grade %q: use major NC, minor NC, observation or OFI.", f.Grade)
	}
	switch {
	case strings.TrimSpace(f.Statement) == "" && f.Grade.Nonconformity():
		add("statement", "A nonconformity needs its statement: what requirement is not met, and how.")
	case strings.TrimSpace(f.Statement) == "":
		add("statement", "The finding needs a statement of what was found.")
	case utf8.RuneCountInString(f.Statement) > MaxTextLen:
		add("statement", "The statement is longer than %d characters.", MaxTextLen)
	}
	if len(f.Requirements) == 0 {
		add("requirements", "A finding names at least one requirement it is graded against.")
	}
	for _, c := range f.Requirements {
		if known != nil && !known(c.Standard, c.Ref) {
			add("requirements", "%s %s is not a requirement of the engagement's standards.", c.Standard, c.Ref)
		}
	}
	if utf8.RuneCountInString(f.Evidence) > MaxTextLen {
		add("evidence", "The objective evidence is longer than %d characters.", MaxTextLen)
	}
	switch _, err := ParseDate(f.RaisedOn); {
	case err != nil:
		add("raised_on", "%s", err.Error())
	case f.RaisedOn == "":
		add("raised_on", "Give the date the finding was raised.")
	}
	return out
}

// Validate returns the first problem of a finding, or nil.
func (f Finding) Validate(known func(standard, ref string) bool) error {
	if p := f.Problems(known); len(p) > 0 {
		return p[0]
	}
	return nil
}

// FindingFromItem prefills the finding a noteworthy conclusion raises: its grade, the
// requirement and those that took the same answer through the crosswalk, a statement and
// objective evidence drawn from the auditor's notes, sampling and examined evidence. The
// auditor words it in the finding's form; the store numbers it.
func FindingFromItem(set *catalogs.Set, a Audit, item ChecklistItem, carried []ControlRef, raisedOn string) Finding {
	reqs := append([]ControlRef{item.Key()}, carried...)
	SortControls(reqs[1:])
	label := item.Standard + " " + item.Ref
	title := ""
	if c, ok := set.Get(item.Standard); ok {
		label = c.Label(item.Ref)
		if r, ok := c.Requirement(item.Ref); ok {
			title = r.Title
		}
	}
	g := item.EffectiveConclusion().Grade()
	statement := firstParagraph(item.Notes)
	if statement == "" {
		statement = fmt.Sprintf("%s against %s %s.", upperFirst(g.Label()), label, title)
	}
	var ev []string
	if s := item.SamplingText(); s != "" {
		ev = append(ev, "Sampling: "+s+".")
	}
	for _, x := range item.Evidence {
		ev = append(ev, "Examined: "+x.Title+".")
	}
	if strings.TrimSpace(item.Interviewees) != "" {
		ev = append(ev, "Interviewed: "+strings.Join(strings.Fields(item.Interviewees), " ")+".")
	}
	return Finding{EngagementID: a.EngagementID, AuditID: a.ID, Grade: g, Statement: statement, Requirements: reqs,
		Evidence: strings.Join(ev, "\n"), Source: item.Key(), RaisedOn: raisedOn}
}

func firstParagraph(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	p, _, _ := strings.Cut(s, "\n\n")
	return strings.TrimSpace(p)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// FindingStatus is where a finding stands, derived from its actions: it cannot be set.
type FindingStatus string

const (
	// FindingOpen: a nonconformity without actions, or with an action not yet verified
	// effective.
	FindingOpen FindingStatus = "open"
	// FindingClosed: every action verified effective.
	FindingClosed FindingStatus = "closed"
	// FindingNoted: an observation or opportunity for improvement with no action asked.
	FindingNoted FindingStatus = "noted"
	// FindingWithdrawn: the conclusion that raised it no longer stands.
	FindingWithdrawn FindingStatus = "withdrawn"
)

// FindingStatusOf derives a finding's status: it is closed only when it has actions and
// every one of them was verified effective (10.2: the effectiveness of corrective action is
// reviewed before a nonconformity is closed).
func FindingStatusOf(f Finding, actions []CorrectiveAction) FindingStatus {
	if f.Withdrawn {
		return FindingWithdrawn
	}
	if len(actions) == 0 {
		if f.Grade.Nonconformity() {
			return FindingOpen
		}
		return FindingNoted
	}
	for _, a := range actions {
		if a.EffectiveState() != CorrectiveVerified {
			return FindingOpen
		}
	}
	return FindingClosed
}

// ClosedOn is the date a closed finding closed: its last effectiveness review.
func ClosedOn(actions []CorrectiveAction) string {
	last := ""
	for _, a := range actions {
		if a.EffectiveState() == CorrectiveVerified && a.ReviewedOn > last {
			last = a.ReviewedOn
		}
	}
	return last
}

// ActionState is where a corrective action stands.
type ActionState string

const (
	CorrectiveOpen        ActionState = "open"
	CorrectiveInProgress  ActionState = "in_progress"
	CorrectiveDone        ActionState = "done"
	CorrectiveVerified    ActionState = "verified"
	CorrectiveIneffective ActionState = "ineffective"
)

// CorrectiveStates in their usual order.
var CorrectiveStates = []ActionState{CorrectiveOpen, CorrectiveInProgress, CorrectiveDone, CorrectiveVerified, CorrectiveIneffective}

// Valid reports whether s is a known state.
func (s ActionState) Valid() bool { return slices.Contains(CorrectiveStates, s) }

// Label is the state in words.
func (s ActionState) Label() string {
	switch s {
	case CorrectiveInProgress:
		return "in progress"
	case CorrectiveVerified:
		return "verified effective"
	case "":
		return string(CorrectiveOpen)
	}
	return string(s)
}

// Reviewed is true for the states an effectiveness review decides.
func (s ActionState) Reviewed() bool { return s == CorrectiveVerified || s == CorrectiveIneffective }

// Pending is true while work on the action is not finished (open, in progress, or reopened
// after a review found it ineffective).
func (s ActionState) Pending() bool {
	return s == CorrectiveOpen || s == CorrectiveInProgress || s == CorrectiveIneffective || s == ""
}

// CheckActionTransition refuses a step the action's life does not allow: an action is
// verified (or found ineffective) only once done, and a verified action only reopens
// through a review that finds it ineffective.
func CheckActionTransition(from, to ActionState) error {
	if from == "" {
		from = CorrectiveOpen
	}
	if from == to {
		return nil
	}
	allowed := map[ActionState][]ActionState{
		CorrectiveOpen:        {CorrectiveInProgress, CorrectiveDone},
		CorrectiveInProgress:  {CorrectiveOpen, CorrectiveDone},
		CorrectiveDone:        {CorrectiveInProgress, CorrectiveVerified, CorrectiveIneffective},
		CorrectiveVerified:    {CorrectiveIneffective},
		CorrectiveIneffective: {CorrectiveOpen, CorrectiveInProgress, CorrectiveDone},
	}
	if slices.Contains(allowed[from], to) {
		return nil
	}
	switch {
	case to.Reviewed():
		return invalid("state", "Only a done action can be reviewed for effectiveness; this one is %s.", from.Label())
	case from == CorrectiveVerified:
		return invalid("state", "A verified action reopens only through a review that finds it ineffective.")
	}
	return invalid("state", "An action cannot go from %s to %s.", from.Label(), to.Label())
}

// NextActionState is the state the "advance" key moves an action to: open → in progress →
// done; a reopened (ineffective) action goes back to in progress. Done waits for a review.
func NextActionState(s ActionState) (ActionState, bool) {
	switch s {
	case CorrectiveOpen, "", CorrectiveIneffective:
		return CorrectiveInProgress, true
	case CorrectiveInProgress:
		return CorrectiveDone, true
	}
	return s, false
}

// MaxWhys caps the root-cause why-chain.
const MaxWhys = 7

// CorrectiveAction is one action taken on a finding (clause 10.2): the correction made at
// once, the cause found by asking why, the action that removes the cause, who and by when,
// and the review of whether it worked.
type CorrectiveAction struct {
	ID           string
	EngagementID string
	FindingID    string
	Seq          int // per finding: F-2027-01-003/1
	Correction   string
	// RootCause is the why-chain: each line answers "why?" about the one before.
	RootCause  []string
	Action     string
	Owner      string
	DueDate    string
	State      ActionState
	ReviewedBy string // who reviewed the effectiveness
	ReviewedOn string // when
	ReviewNote string // what was checked
	// RiskID links the risk treatment the action carries out, if any.
	RiskID    string
	CreatedAt time.Time
	UpdatedAt time.Time
	UpdatedBy string
}

// ActionRef names the n-th action of a finding: "F-2027-01-003/1".
func ActionRef(findingRef string, n int) string { return fmt.Sprintf("%s/%d", findingRef, n) }

// EffectiveState treats an empty state as open.
func (a CorrectiveAction) EffectiveState() ActionState {
	if a.State == "" {
		return CorrectiveOpen
	}
	return a.State
}

// Overdue reports whether a pending action is past its due date.
func (a CorrectiveAction) Overdue(now time.Time) bool {
	return a.EffectiveState().Pending() && Overdue(a.DueDate, now)
}

// Problems lists every field of an action that needs fixing, one message per field.
// finding is the finding it belongs to (for its date).
func (a CorrectiveAction) Problems(finding Finding) []*ValidationError {
	var out []*ValidationError
	seen := map[string]bool{}
	add := func(field, format string, args ...any) {
		if !seen[field] {
			seen[field] = true
			out = append(out, invalid(field, format, args...).(*ValidationError))
		}
	}
	for _, f := range []struct{ field, name, v string }{{"correction", "correction", a.Correction}, {"action", "corrective action", a.Action},
		{"review_note", "review note", a.ReviewNote}} {
		if utf8.RuneCountInString(f.v) > MaxTextLen {
			add(f.field, "The %s is longer than %d characters.", f.name, MaxTextLen)
		}
	}
	if len(a.RootCause) > MaxWhys {
		add("root_cause", "The why-chain has %d answers; %d are enough to reach a root cause.", len(a.RootCause), MaxWhys)
	}
	for _, w := range a.RootCause {
		if utf8.RuneCountInString(w) > MaxTextLen {
			add("root_cause", "An answer of the why-chain is longer than %d characters.", MaxTextLen)
		}
	}
	if strings.TrimSpace(a.Action) == "" {
		add("action", "Say what will be done to remove the cause of the finding.")
	}
	if utf8.RuneCountInString(a.Owner) > MaxNameLen {
		add("owner", "The owner's name is longer than %d characters.", MaxNameLen)
	}
	switch _, err := ParseDate(a.DueDate); {
	case err != nil:
		add("due_date", "%s", err.Error())
	case a.DueDate != "" && finding.RaisedOn != "" && a.DueDate < finding.RaisedOn:
		add("due_date", "The due date %s is before finding %s was raised (%s).", a.DueDate, orText(finding.Ref, "it"), finding.RaisedOn)
	}
	st := a.EffectiveState()
	if !st.Valid() {
		add("state", "Unknown action state %q.", a.State)
	}
	if _, err := ParseDate(a.ReviewedOn); err != nil {
		add("reviewed_on", "%s", err.Error())
	}
	if utf8.RuneCountInString(a.ReviewedBy) > MaxNameLen {
		add("reviewed_by", "The reviewer's name is longer than %d characters.", MaxNameLen)
	}
	if st.Reviewed() {
		verdict := "verified effective"
		if st == CorrectiveIneffective {
			verdict = "found ineffective"
		}
		if strings.TrimSpace(a.ReviewedBy) == "" {
			add("reviewed_by", "An action %s needs the name of who reviewed it.", verdict)
		}
		if a.ReviewedOn == "" && !seen["reviewed_on"] {
			add("reviewed_on", "An action %s needs the date of the review.", verdict)
		}
		if strings.TrimSpace(a.ReviewNote) == "" {
			add("review_note", "Say what the review checked to decide the action was %s.", verdict)
		}
	}
	if a.ReviewedOn != "" && finding.RaisedOn != "" && a.ReviewedOn < finding.RaisedOn && !seen["reviewed_on"] {
		add("reviewed_on", "The review date %s is before finding %s was raised (%s).", a.ReviewedOn, orText(finding.Ref, "it"), finding.RaisedOn)
	}
	return out
}

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// Validate returns the first problem of an action, or nil.
func (a CorrectiveAction) Validate(finding Finding) error {
	if p := a.Problems(finding); len(p) > 0 {
		return p[0]
	}
	return nil
}

// ReviewAction records an effectiveness review on a done action: effective verifies it,
// otherwise it is ineffective and reopens. Who, when and what was checked are required.
func ReviewAction(a CorrectiveAction, finding Finding, effective bool, by, on, note string) (CorrectiveAction, error) {
	next := a
	next.State = CorrectiveIneffective
	if effective {
		next.State = CorrectiveVerified
	}
	if err := CheckActionTransition(a.EffectiveState(), next.State); err != nil {
		return a, err
	}
	next.ReviewedBy, next.ReviewedOn, next.ReviewNote = strings.TrimSpace(by), strings.TrimSpace(on), note
	if err := next.Validate(finding); err != nil {
		return a, err
	}
	return next, nil
}

// RiskFromFinding prefills a risk of the register from a finding: the statement becomes the
// scenario, the requirements the treatment's linked controls, the scope follows the
// standards named, and the grade sets a first inherent score (major 4×4, minor 3×3,
// others 2×2 on a 5×5 matrix, carried onto the matrix's size). The owner rates it.
func RiskFromFinding(f Finding, matrixSize int) Risk {
	sec, ai := false, false
	for _, c := range f.Requirements {
		sec = sec || c.Standard == catalogs.ISO27001
		ai = ai || c.Standard == catalogs.ISO42001
	}
	scope := ScopeSecurity
	switch {
	case sec && ai:
		scope = ScopeBoth
	case ai:
		scope = ScopeAI
	}
	n := map[Grade]int{GradeMajor: 4, GradeMinor: 3}[f.Grade]
	if n == 0 {
		n = 2
	}
	v := RescaleValue(n, 5, matrixSize)
	title := f.Ref + ": " + firstLineOf(f.Statement)
	if r := []rune(title); len(r) > 120 {
		title = string(r[:119]) + "…"
	}
	return Risk{EngagementID: f.EngagementID, Title: title,
		Description: fmt.Sprintf("Raised from internal audit finding %s (%s), %s.", f.Ref, f.Grade.Label(), f.RaisedOn),
		Scope:       scope, Approach: ApproachEvent, Scenario: f.Statement, Controls: append([]ControlRef(nil), f.Requirements...),
		Inherent: Score{Likelihood: v, Consequence: v}, Status: RiskOpen}
}

func firstLineOf(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}

// FindingView is a finding with its actions and derived status, as lists and reports show it.
type FindingView struct {
	Finding Finding
	Actions []CorrectiveAction
	Status  FindingStatus
}

// Views pairs findings with their actions (by finding id) and derives their status, most
// serious grade first, then by ref.
func Views(findings []Finding, actions map[string][]CorrectiveAction) []FindingView {
	out := make([]FindingView, 0, len(findings))
	for _, f := range findings {
		acts := actions[f.ID]
		out = append(out, FindingView{Finding: f, Actions: acts, Status: FindingStatusOf(f, acts)})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Finding, out[j].Finding
		if a.Grade.Rank() != b.Grade.Rank() {
			return a.Grade.Rank() < b.Grade.Rank()
		}
		return a.Ref < b.Ref
	})
	return out
}

// AuditFigures are the internal-audit figures of an engagement: open findings by grade and
// where the corrective actions stand.
type AuditFigures struct {
	OpenByGrade map[Grade]int
	Open        int
	Closed      int
	Noted       int
	Actions     int
	Pending     int // open, in progress or reopened
	Overdue     int
	Done        int // awaiting an effectiveness review
	Verified    int
	Ineffective int
}

// FiguresOf counts findings (withdrawn ones left out) and their actions at now.
func FiguresOf(views []FindingView, now time.Time) AuditFigures {
	f := AuditFigures{OpenByGrade: map[Grade]int{}}
	for _, v := range views {
		switch v.Status {
		case FindingWithdrawn:
			continue
		case FindingOpen:
			f.Open++
			f.OpenByGrade[v.Finding.Grade]++
		case FindingClosed:
			f.Closed++
		case FindingNoted:
			f.Noted++
		}
		for _, a := range v.Actions {
			f.Actions++
			switch st := a.EffectiveState(); {
			case st == CorrectiveVerified:
				f.Verified++
			case st == CorrectiveDone:
				f.Done++
			case st.Pending():
				f.Pending++
				if st == CorrectiveIneffective {
					f.Ineffective++
				}
			}
			if a.Overdue(now) {
				f.Overdue++
			}
		}
	}
	return f
}

// Contradictions lists the requirements marked implemented in the gap analysis that an
// open major nonconformity says are not met.
func Contradictions(results map[string]map[string]Result, views []FindingView) []ControlRef {
	seen := map[ControlRef]bool{}
	var out []ControlRef
	for _, v := range views {
		if v.Status != FindingOpen || v.Finding.Grade != GradeMajor {
			continue
		}
		for _, c := range v.Finding.Requirements {
			if seen[c] {
				continue
			}
			if r, ok := results[c.Standard][c.Ref]; ok && r.EffectiveStatus() == Implemented {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	SortControls(out)
	return out
}
