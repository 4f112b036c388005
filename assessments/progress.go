package assessments

import (
	"sort"
	"strings"
	"time"

	"github.com/annex-grc/annex/catalogs"
)

// Progress between two moments of an engagement: a baseline (a named point in the change
// history, rebuilt exactly from it) and a later baseline or the engagement as it is now.

// Snapshot is an engagement as it stood at one moment: rebuilt from the change history up to
// a baseline, or read as it is now. The rules below take two snapshots and compare them.
type Snapshot struct {
	// At is the moment: a baseline's time, or now. Evidence expiry is judged at At.
	At         time.Time
	Engagement Engagement
	// Results by standard, then ref; a requirement never answered has no entry.
	Results     map[string]map[string]Result
	Matrix      Matrix
	Risks       []Risk
	AISystems   []AISystem
	Assessments []ImpactAssessment // every version of every system
	Evidence    []Evidence
}

// Result returns the stored result of a requirement, or a not-assessed one.
func (s Snapshot) Result(std, ref string) Result {
	if r, ok := s.Results[std][ref]; ok {
		return r
	}
	return Result{EngagementID: s.Engagement.ID, Standard: std, Ref: ref, Status: NotAssessed}
}

// ChangeClass says how a requirement moved between two moments.
type ChangeClass string

const (
	Improved  ChangeClass = "improved"
	Regressed ChangeClass = "regressed"
	// New: the requirement has an answer now and had none then (not assessed, or its
	// standard not yet in scope).
	New       ChangeClass = "new"
	Unchanged ChangeClass = "unchanged"
)

// ChangeClasses in the order lists and filters show them.
var ChangeClasses = []ChangeClass{Regressed, Improved, New, Unchanged}

// Mark is the one-cell glyph of a class in lists.
func (c ChangeClass) Mark() string {
	switch c {
	case Improved:
		return "▲"
	case Regressed:
		return "▼"
	case New:
		return "+"
	}
	return "="
}

// workLeft orders the answered statuses by the work they leave: not implemented leaves the
// most, implemented and not applicable leave none. Not assessed has no place (-1).
func workLeft(s Status) int {
	switch s {
	case NotImplemented:
		return 0
	case Partial:
		return 1
	case Implemented, NotApplicable:
		return 2
	}
	return -1
}

// Classify says how a requirement moved from status from (inScope: its standard was in
// scope then) to status to. A requirement counts by the work its status leaves: not
// implemented, then partially implemented, then implemented or not applicable (nothing
// left to do). An answer given for the first time is new; an answer withdrawn (back to not
// assessed) is a regression; implemented ↔ not applicable leaves the same work (none) and
// is unchanged, though the status shown moved.
func Classify(from, to Status, inScope bool) ChangeClass {
	if from == "" || !inScope {
		from = NotAssessed
	}
	if to == "" {
		to = NotAssessed
	}
	switch a, b := workLeft(from), workLeft(to); {
	case a < 0 && b < 0:
		return Unchanged
	case a < 0:
		return New
	case b < 0:
		return Regressed
	case b > a:
		return Improved
	case b < a:
		return Regressed
	}
	return Unchanged
}

// RequirementChange is one requirement between two moments.
type RequirementChange struct {
	Standard, Short, Ref, Title string
	Class                       ChangeClass
	From, To                    Status
	OwnerFrom, OwnerTo          string
	TargetFrom, TargetTo        string
	// InScopeBefore is false when the standard was not in scope then.
	InScopeBefore bool
}

// StatusChanged, OwnerChanged and TargetChanged say what moved besides the class.
func (r RequirementChange) StatusChanged() bool { return r.From != r.To }
func (r RequirementChange) OwnerChanged() bool  { return r.OwnerFrom != r.OwnerTo }
func (r RequirementChange) TargetChanged() bool { return r.TargetFrom != r.TargetTo }

// Moved is true when anything shown about the requirement changed.
func (r RequirementChange) Moved() bool {
	return r.StatusChanged() || r.OwnerChanged() || r.TargetChanged()
}

// FigureChange is a readiness and evidenced figure then and now, for a standard or a group.
type FigureChange struct {
	ID, Title        string // group id and title ("" for the whole standard)
	From, To         Readiness
	EvFrom, EvTo     Evidenced
	InScopeBefore    bool
	InScopeAfterward bool
}

// ReadinessDelta is the change of readiness in percentage points.
func (f FigureChange) ReadinessDelta() float64 { return f.To.Percent() - f.From.Percent() }

// EvidencedDelta is the change of the evidenced share in percentage points.
func (f FigureChange) EvidencedDelta() float64 { return f.EvTo.Percent() - f.EvFrom.Percent() }

// StandardProgress is one standard's figures, overall and per group, and how many of its
// requirements fall in each class.
type StandardProgress struct {
	Standard, Short, Name string
	Total                 FigureChange
	Groups                []FigureChange
	Counts                map[ChangeClass]int
}

// Risk change kinds.
const (
	RiskWasAdded    = "added"
	RiskWasRemoved  = "removed"
	RiskWasClosed   = "closed"
	RiskWasReopened = "reopened"
	RiskLevelMoved  = "level"
	RiskWasAccepted = "accepted"
)

// RiskChange is one risk that was added, removed, closed or reopened, accepted, or whose
// residual level moved.
type RiskChange struct {
	Kind       string
	Ref, Title string
	// FromLevel and ToLevel name the residual (or, unscored, inherent) level on each
	// moment's matrix ("" when not scored or absent); Up is true when it rose.
	FromLevel, ToLevel string
	Up                 bool
}

// Evidence change kinds.
const (
	EvidenceAdded   = "added"
	EvidenceRemoved = "removed"
	EvidenceExpired = "expired"
	EvidenceChanged = "changed"
)

// EvidenceChange is one evidence item added, removed, expired, or changed (its file, its
// file check or what it supports).
type EvidenceChange struct {
	Kind   string
	Title  string
	Detail string
}

// ImpactApproval is an impact assessment version approved between the two moments.
type ImpactApproval struct {
	System   string
	Version  int
	Decision Decision
	Date     string
}

// Comparison is everything that moved between two snapshots of an engagement.
type Comparison struct {
	FromAt, ToAt time.Time
	// Requirements of the standards in scope at the later moment, in catalog order.
	Requirements []RequirementChange
	Standards    []StandardProgress
	Risks        []RiskChange
	Evidence     []EvidenceChange
	Approvals    []ImpactApproval
}

// Count is how many requirements fall in a class.
func (c Comparison) Count(class ChangeClass) int {
	n := 0
	for _, r := range c.Requirements {
		if r.Class == class {
			n++
		}
	}
	return n
}

// Of lists the requirements of one class.
func (c Comparison) Of(class ChangeClass) []RequirementChange {
	var out []RequirementChange
	for _, r := range c.Requirements {
		if r.Class == class {
			out = append(out, r)
		}
	}
	return out
}

// Compare lists what moved from a to b (a the earlier moment). Requirements are those of
// the standards b has in scope, in the order of b's standards and their catalogs; readiness
// and evidenced figures are computed for each moment with its own results and evidence,
// evidence validity judged at each moment's time.
func Compare(set *catalogs.Set, a, b Snapshot) Comparison {
	out := Comparison{FromAt: a.At, ToAt: b.At}
	for _, std := range b.Engagement.Standards {
		c, ok := set.Get(std)
		if !ok {
			continue
		}
		inA := a.Engagement.HasStandard(std)
		sp := StandardProgress{Standard: std, Short: c.Short, Name: c.Name, Counts: map[ChangeClass]int{}}
		var resA map[string]Result
		if inA {
			resA = a.Results[std]
		}
		fromTotal, fromGroups := ReadinessByGroup(c, resA)
		toTotal, toGroups := ReadinessByGroup(c, b.Results[std])
		var evA []Evidence
		if inA {
			evA = a.Evidence
		}
		evFrom, evFromGroups := EvidencedByGroup(c, resA, evA, a.At)
		evTo, evToGroups := EvidencedByGroup(c, b.Results[std], b.Evidence, b.At)
		sp.Total = FigureChange{From: fromTotal, To: toTotal, EvFrom: evFrom, EvTo: evTo, InScopeBefore: inA, InScopeAfterward: true}
		for _, g := range c.Groups {
			if toGroups[g.ID].Total == 0 && fromGroups[g.ID].Total == 0 {
				continue
			}
			sp.Groups = append(sp.Groups, FigureChange{ID: g.ID, Title: g.Title, From: fromGroups[g.ID], To: toGroups[g.ID],
				EvFrom: evFromGroups[g.ID], EvTo: evToGroups[g.ID], InScopeBefore: inA, InScopeAfterward: true})
		}
		for _, req := range c.Requirements {
			ra, rb := resA[req.Ref], b.Results[std][req.Ref]
			rc := RequirementChange{Standard: std, Short: c.Short, Ref: req.Ref, Title: req.Title,
				From: ra.EffectiveStatus(), To: rb.EffectiveStatus(), OwnerFrom: ra.Owner, OwnerTo: rb.Owner,
				TargetFrom: ra.TargetDate, TargetTo: rb.TargetDate, InScopeBefore: inA}
			rc.Class = Classify(rc.From, rc.To, inA)
			sp.Counts[rc.Class]++
			out.Requirements = append(out.Requirements, rc)
		}
		out.Standards = append(out.Standards, sp)
	}
	out.Risks = compareRisks(a, b)
	out.Evidence = compareEvidence(a, b)
	out.Approvals = compareApprovals(a, b)
	return out
}

// riskLevel names the level of a risk's effective residual score (the inherent score
// when no residual is set) on a matrix; "" when not scored.
func riskLevel(r Risk, m Matrix) (Level, bool) {
	if len(m.Cells) == 0 {
		return Level{}, false
	}
	return m.LevelOf(r.EffectiveResidual())
}

func compareRisks(a, b Snapshot) []RiskChange {
	before := make(map[string]Risk, len(a.Risks))
	for _, r := range a.Risks {
		before[r.ID] = r
	}
	var out []RiskChange
	seen := map[string]bool{}
	for _, r := range b.Risks {
		seen[r.ID] = true
		lb, okB := riskLevel(r, b.Matrix)
		old, had := before[r.ID]
		if !had {
			out = append(out, RiskChange{Kind: RiskWasAdded, Ref: r.Ref, Title: r.Title, ToLevel: levelName(lb, okB)})
			continue
		}
		closedA, closedB := old.EffectiveStatus() == RiskClosed, r.EffectiveStatus() == RiskClosed
		switch {
		case !closedA && closedB:
			out = append(out, RiskChange{Kind: RiskWasClosed, Ref: r.Ref, Title: r.Title})
			continue
		case closedA && !closedB:
			out = append(out, RiskChange{Kind: RiskWasReopened, Ref: r.Ref, Title: r.Title, ToLevel: levelName(lb, okB)})
			continue
		case closedA && closedB:
			continue
		}
		la, okA := riskLevel(old, a.Matrix)
		if nameA, nameB := levelName(la, okA), levelName(lb, okB); nameA != nameB {
			up := okB && (!okA || lb.Index > la.Index || (lb.Index == la.Index && lb.Of < la.Of))
			out = append(out, RiskChange{Kind: RiskLevelMoved, Ref: r.Ref, Title: r.Title, FromLevel: nameA, ToLevel: nameB, Up: up})
		}
		if old.Acceptance == nil && r.Acceptance != nil {
			out = append(out, RiskChange{Kind: RiskWasAccepted, Ref: r.Ref, Title: r.Title, ToLevel: levelName(lb, okB)})
		}
	}
	for _, r := range a.Risks {
		if !seen[r.ID] {
			out = append(out, RiskChange{Kind: RiskWasRemoved, Ref: r.Ref, Title: r.Title})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if ri, rj := RiskSeq(out[i].Ref), RiskSeq(out[j].Ref); ri != rj {
			return ri < rj
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

func levelName(l Level, ok bool) string {
	if !ok {
		return ""
	}
	return l.Name
}

func compareEvidence(a, b Snapshot) []EvidenceChange {
	before := make(map[string]Evidence, len(a.Evidence))
	for _, e := range a.Evidence {
		before[e.ID] = e
	}
	var out []EvidenceChange
	seen := map[string]bool{}
	for _, e := range b.Evidence {
		seen[e.ID] = true
		old, had := before[e.ID]
		if !had {
			out = append(out, EvidenceChange{Kind: EvidenceAdded, Title: e.Title, Detail: linkCount(len(e.Links))})
			continue
		}
		stA, stB := old.StateAt(a.At), e.StateAt(b.At)
		if stB == StateExpired && stA != StateExpired {
			out = append(out, EvidenceChange{Kind: EvidenceExpired, Title: e.Title, Detail: "valid until " + e.ValidUntil})
			continue
		}
		var what []string
		if old.SHA256 != e.SHA256 || old.Path != e.Path || old.URL != e.URL {
			what = append(what, "new file or address")
		}
		if old.Integrity != e.Integrity && (e.Integrity == IntegrityChanged || e.Integrity == IntegrityMissing) {
			what = append(what, "file check: "+StateOf(e.Integrity).Label())
		}
		if added, removed := linkDiff(old.Links, e.Links); added+removed > 0 {
			what = append(what, supportsText(added, removed))
		}
		if old.ValidUntil != e.ValidUntil && stB != StateExpired {
			what = append(what, "valid until "+dateOrNone(e.ValidUntil))
		}
		if len(what) > 0 {
			out = append(out, EvidenceChange{Kind: EvidenceChanged, Title: e.Title, Detail: strings.Join(what, "; ")})
		}
	}
	for _, e := range a.Evidence {
		if !seen[e.ID] {
			out = append(out, EvidenceChange{Kind: EvidenceRemoved, Title: e.Title})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return evidenceKindOrder(out[i].Kind) < evidenceKindOrder(out[j].Kind)
		}
		return strings.ToLower(out[i].Title) < strings.ToLower(out[j].Title)
	})
	return out
}

// StateOf is the evidence state a file check outcome gives on its own.
func StateOf(i Integrity) EvidenceState {
	switch i {
	case IntegrityChanged:
		return StateChanged
	case IntegrityMissing:
		return StateMissing
	}
	return StateOK
}

func evidenceKindOrder(k string) int {
	switch k {
	case EvidenceAdded:
		return 0
	case EvidenceExpired:
		return 1
	case EvidenceChanged:
		return 2
	}
	return 3
}

func dateOrNone(d string) string {
	if d == "" {
		return "no date"
	}
	return d
}

func linkCount(n int) string {
	switch n {
	case 0:
		return "supports nothing yet"
	case 1:
		return "supports 1 item"
	}
	return "supports " + itoa(n) + " items"
}

func supportsText(added, removed int) string {
	var parts []string
	if added > 0 {
		parts = append(parts, "supports "+itoa(added)+" more")
	}
	if removed > 0 {
		parts = append(parts, itoa(removed)+" fewer")
	}
	return strings.Join(parts, ", ")
}

func linkDiff(a, b []EvidenceLink) (added, removed int) {
	in := map[string]bool{}
	for _, l := range a {
		in[l.String()] = true
	}
	now := map[string]bool{}
	for _, l := range b {
		now[l.String()] = true
		if !in[l.String()] {
			added++
		}
	}
	for k := range in {
		if !now[k] {
			removed++
		}
	}
	return added, removed
}

func compareApprovals(a, b Snapshot) []ImpactApproval {
	before := map[string]ImpactAssessment{}
	for _, x := range a.Assessments {
		before[x.ID] = x
	}
	names := map[string]string{}
	for _, s := range b.AISystems {
		names[s.ID] = s.Name
	}
	var out []ImpactApproval
	for _, x := range b.Assessments {
		st := x.State()
		if st != ImpactApproved && st != ImpactConditional {
			continue
		}
		if old, ok := before[x.ID]; ok && (old.State() == ImpactApproved || old.State() == ImpactConditional) {
			continue
		}
		name := names[x.AISystemID]
		if name == "" {
			name = x.AISystemID
		}
		out = append(out, ImpactApproval{System: name, Version: x.Version, Decision: x.Decision, Date: x.DecisionDate})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].System != out[j].System {
			return out[i].System < out[j].System
		}
		return out[i].Version < out[j].Version
	})
	return out
}

// TrendPoint is one moment of an engagement's trend: a baseline, or now.
type TrendPoint struct {
	Name string // the baseline's name, or "now"
	At   time.Time
	// Readiness per standard in scope at that moment.
	Readiness map[string]Readiness
}

// ReadinessAt computes the readiness per standard of the standards in scope, from the
// statuses of one moment (by standard, then ref; unanswered requirements absent).
func ReadinessAt(set *catalogs.Set, standards []string, statuses map[string]map[string]Status) map[string]Readiness {
	out := map[string]Readiness{}
	for _, std := range standards {
		c, ok := set.Get(std)
		if !ok {
			continue
		}
		var r Readiness
		for _, req := range c.Requirements {
			r.Add(statuses[std][req.Ref])
		}
		out[std] = r
	}
	return out
}

// Sparkline draws values (0..100) as a line of block characters, one per value.
func Sparkline(values []float64) string {
	const blocks = "▁▂▃▄▅▆▇█"
	runes := []rune(blocks)
	var b strings.Builder
	for _, v := range values {
		i := int(v / 100 * float64(len(runes)-1))
		i = max(0, min(len(runes)-1, i))
		b.WriteRune(runes[i])
	}
	return b.String()
}

// ToReconfirm lists, per standard in scope, the requirements not touched since a cycle
// began (touched holds "standard:ref" of every requirement edited or re-confirmed since).
func ToReconfirm(set *catalogs.Set, e Engagement, touched map[string]bool) (pending map[string][]string, total int) {
	pending = map[string][]string{}
	for _, std := range e.Standards {
		c, ok := set.Get(std)
		if !ok {
			continue
		}
		for _, req := range c.Requirements {
			total++
			if !touched[std+":"+req.Ref] {
				pending[std] = append(pending[std], req.Ref)
			}
		}
	}
	return pending, total
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
