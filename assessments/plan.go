package assessments

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/annex-grc/annex/catalogs"
)

// ActionStatus is where a treatment action stands.
type ActionStatus string

const (
	ActionPlanned    ActionStatus = "planned"
	ActionInProgress ActionStatus = "in_progress"
	ActionDone       ActionStatus = "done"
	ActionCancelled  ActionStatus = "cancelled"
)

// ActionStatuses in display order.
var ActionStatuses = []ActionStatus{ActionPlanned, ActionInProgress, ActionDone, ActionCancelled}

// Label is the status in words.
func (s ActionStatus) Label() string {
	switch s {
	case ActionInProgress:
		return "in progress"
	case "":
		return string(ActionPlanned)
	}
	return string(s)
}

// Open reports whether the action still has work to do (planned or in progress).
func (s ActionStatus) Open() bool { return s == "" || s == ActionPlanned || s == ActionInProgress }

// TreatmentAction is one step of a risk's treatment plan (27001 6.1.3 e, 6.2): what is to
// be done, who does it with what, by when, and how far it is.
type TreatmentAction struct {
	ID           string
	RiskID       string
	EngagementID string
	Title        string
	Owner        string
	Resources    string
	StartDate    string // YYYY-MM-DD or empty
	DueDate      string // YYYY-MM-DD or empty
	Status       ActionStatus
	// Controls are the requirements of either catalog the action puts in place.
	Controls []ControlRef
	// CorrectiveRef names a corrective action this step answers (a free reference).
	CorrectiveRef        string
	CreatedAt, UpdatedAt time.Time
	UpdatedBy            string
}

// EffectiveStatus treats an empty status as planned.
func (a TreatmentAction) EffectiveStatus() ActionStatus {
	if a.Status == "" {
		return ActionPlanned
	}
	return a.Status
}

// Overdue reports whether the due date has passed while the action is still open.
func (a TreatmentAction) Overdue(now time.Time) bool {
	return a.EffectiveStatus().Open() && Overdue(a.DueDate, now)
}

// MaxRefLen bounds a free reference (a corrective action's id).
const MaxRefLen = 100

// Problems lists what is wrong with an action, at most one message per field, in form
// order. known checks linked controls (nil: not checked).
func (a TreatmentAction) Problems(known func(standard, ref string) bool) []*ValidationError {
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
		add("title", "Say what the action does, in a few words.")
	case utf8.RuneCountInString(a.Title) > MaxNameLen:
		add("title", "The title is longer than %d characters.", MaxNameLen)
	}
	if utf8.RuneCountInString(a.Owner) > MaxNameLen {
		add("owner", "The owner is longer than %d characters.", MaxNameLen)
	}
	if utf8.RuneCountInString(a.Resources) > MaxTextLen {
		add("resources", "The resources are longer than %d characters.", MaxTextLen)
	}
	start, errStart := ParseDate(a.StartDate)
	if errStart != nil {
		add("start_date", "%s", errStart.Error())
	}
	due, errDue := ParseDate(a.DueDate)
	if errDue != nil {
		add("due_date", "%s", errDue.Error())
	}
	if errStart == nil && errDue == nil && a.StartDate != "" && a.DueDate != "" && due.Before(start) {
		add("due_date", "The due date (%s) comes before the start (%s).", a.DueDate, a.StartDate)
	}
	if a.Status != "" && !slices.Contains(ActionStatuses, a.Status) {
		add("status", "Unknown status %q; choose planned, in progress, done or cancelled.", a.Status)
	}
	for i, c := range a.Controls {
		if strings.TrimSpace(c.Standard) == "" || strings.TrimSpace(c.Ref) == "" || strings.ContainsAny(c.Standard+c.Ref, ":,") {
			add("controls", "A linked control needs a standard and a ref, for example %s A.5.15.", catalogs.ISO27001)
			continue
		}
		if known != nil && !known(c.Standard, c.Ref) {
			add("controls", "%s %s is not a requirement of a catalog annex knows.", c.Standard, c.Ref)
		}
		if slices.Contains(a.Controls[:i], c) {
			add("controls", "%s %s is linked twice.", c.Standard, c.Ref)
		}
	}
	switch n := utf8.RuneCountInString(a.CorrectiveRef); {
	case n > MaxRefLen:
		add("corrective_ref", "The reference is longer than %d characters.", MaxRefLen)
	case strings.ContainsAny(a.CorrectiveRef, "\n\r"):
		add("corrective_ref", "A reference is one line.")
	}
	return out
}

// Validate returns the first problem of an action, or nil.
func (a TreatmentAction) Validate(known func(standard, ref string) bool) error {
	if p := a.Problems(known); len(p) > 0 {
		return p[0]
	}
	return nil
}

// SortActions orders a plan: open actions by due date (undated last), then the done
// ones, then the cancelled ones, by title.
func SortActions(as []TreatmentAction) {
	rank := func(a TreatmentAction) int {
		switch a.EffectiveStatus() {
		case ActionDone:
			return 1
		case ActionCancelled:
			return 2
		}
		return 0
	}
	slices.SortStableFunc(as, func(a, b TreatmentAction) int {
		ra, rb := rank(a), rank(b)
		switch {
		case ra != rb:
			return ra - rb
		case ra > 0:
		case (a.DueDate == "") != (b.DueDate == ""):
			if a.DueDate == "" {
				return 1
			}
			return -1
		case a.DueDate != b.DueDate:
			return strings.Compare(a.DueDate, b.DueDate)
		}
		return strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
	})
}

// PlanState sums up a risk's treatment plan.
type PlanState struct {
	Actions   int // not cancelled
	Done      int
	Open      int
	Overdue   int
	NextDue   string // the earliest due date of an open action
	Missing   bool   // the risk is treated "modify" and has no action
	Cancelled int
}

// Progress is "2 of 3 actions done", or "no actions".
func (p PlanState) Progress() string {
	switch {
	case p.Actions == 0 && p.Missing:
		return "no actions planned"
	case p.Actions == 0:
		return "no actions"
	case p.Actions == 1:
		return fmt.Sprintf("%d of 1 action done", p.Done)
	}
	return fmt.Sprintf("%d of %d actions done", p.Done, p.Actions)
}

// PlanOf sums up the actions of a risk's plan on a day. A risk treated "modify" (reduce the
// risk by controls) that is not closed needs at least one action that is not cancelled.
func PlanOf(r Risk, actions []TreatmentAction, now time.Time) PlanState {
	var p PlanState
	for _, a := range actions {
		st := a.EffectiveStatus()
		if st == ActionCancelled {
			p.Cancelled++
			continue
		}
		p.Actions++
		if st == ActionDone {
			p.Done++
			continue
		}
		p.Open++
		if a.Overdue(now) {
			p.Overdue++
		}
		if a.DueDate != "" && (p.NextDue == "" || a.DueDate < p.NextDue) {
			p.NextDue = a.DueDate
		}
	}
	p.Missing = NeedsPlan(r, actions)
	return p
}

// NeedsPlan reports whether a risk treated "modify" and not closed has no action (that is
// not cancelled) in its treatment plan.
func NeedsPlan(r Risk, actions []TreatmentAction) bool {
	if r.Treatment != TreatModify || r.EffectiveStatus() == RiskClosed {
		return false
	}
	for _, a := range actions {
		if a.EffectiveStatus() != ActionCancelled {
			return false
		}
	}
	return true
}
