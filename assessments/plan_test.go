package assessments

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestTreatmentActionProblems(t *testing.T) {
	known := func(std, ref string) bool { return std == "iso27001-2022" && strings.HasPrefix(ref, "A.") }
	ok := TreatmentAction{Title: "Immutable backups", Owner: "Tomás Silva", StartDate: "2026-03-01", DueDate: "2026-04-30", Status: ActionInProgress,
		Controls: []ControlRef{{"iso27001-2022", "A.8.13"}}, CorrectiveRef: "CA-2026-04"}
	for _, tc := range []struct {
		name  string
		edit  func(*TreatmentAction)
		field string
	}{
		{"complete", func(*TreatmentAction) {}, ""},
		{"only a title", func(a *TreatmentAction) { *a = TreatmentAction{Title: "x"} }, ""},
		{"due the day it starts", func(a *TreatmentAction) { a.DueDate = a.StartDate }, ""},
		{"no title", func(a *TreatmentAction) { a.Title = "  " }, "title"},
		{"long title", func(a *TreatmentAction) { a.Title = strings.Repeat("x", MaxNameLen+1) }, "title"},
		{"long owner", func(a *TreatmentAction) { a.Owner = strings.Repeat("x", MaxNameLen+1) }, "owner"},
		{"huge resources", func(a *TreatmentAction) { a.Resources = strings.Repeat("x", MaxTextLen+1) }, "resources"},
		{"start not a date", func(a *TreatmentAction) { a.StartDate = "March" }, "start_date"},
		{"due not a date", func(a *TreatmentAction) { a.DueDate = "2026-02-30" }, "due_date"},
		{"due before start", func(a *TreatmentAction) { a.DueDate = "2026-02-28" }, "due_date"},
		{"unknown status", func(a *TreatmentAction) { a.Status = "blocked" }, "status"},
		{"control of no catalog", func(a *TreatmentAction) { a.Controls = []ControlRef{{"iso27001-2022", "9.9"}} }, "controls"},
		{"control twice", func(a *TreatmentAction) { a.Controls = append(a.Controls, a.Controls[0]) }, "controls"},
		{"control without standard", func(a *TreatmentAction) { a.Controls = []ControlRef{{"", "A.5.1"}} }, "controls"},
		{"long corrective ref", func(a *TreatmentAction) { a.CorrectiveRef = strings.Repeat("x", MaxRefLen+1) }, "corrective_ref"},
		{"corrective ref on two lines", func(a *TreatmentAction) { a.CorrectiveRef = "CA-1\nCA-2" }, "corrective_ref"},
	} {
		a := ok
		a.Controls = append([]ControlRef(nil), ok.Controls...)
		tc.edit(&a)
		err := a.Validate(known)
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("%s: %v, want a problem with %s", tc.name, err, tc.field)
		}
	}
}

func TestTreatmentActionOverdue(t *testing.T) {
	now := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		due  string
		st   ActionStatus
		want bool
	}{
		{"2026-03-13", ActionPlanned, true},
		{"2026-03-13", "", true},
		{"2026-03-13", ActionInProgress, true},
		{"2026-03-14", ActionInProgress, false}, // due today is not yet overdue
		{"2026-03-13", ActionDone, false},
		{"2026-03-13", ActionCancelled, false},
		{"", ActionPlanned, false},
	} {
		a := TreatmentAction{Title: "x", DueDate: tc.due, Status: tc.st}
		if got := a.Overdue(now); got != tc.want {
			t.Errorf("due %q %q: overdue %v, want %v", tc.due, tc.st, got, tc.want)
		}
	}
}

func TestPlanOf(t *testing.T) {
	now := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	act := func(st ActionStatus, due string) TreatmentAction {
		return TreatmentAction{Title: "x", Status: st, DueDate: due}
	}
	modify := Risk{Treatment: TreatModify, Status: RiskInTreatment}
	for _, tc := range []struct {
		name     string
		risk     Risk
		actions  []TreatmentAction
		missing  bool
		progress string
		overdue  int
		next     string
	}{
		{"modify without actions is flagged", modify, nil, true, "no actions planned", 0, ""},
		{"modify with only cancelled actions is flagged", modify, []TreatmentAction{act(ActionCancelled, "")}, true, "no actions planned", 0, ""},
		{"closed modify without actions is not", Risk{Treatment: TreatModify, Status: RiskClosed}, nil, false, "no actions", 0, ""},
		{"retain without actions is not", Risk{Treatment: TreatRetain}, nil, false, "no actions", 0, ""},
		{"undecided without actions is not", Risk{}, nil, false, "no actions", 0, ""},
		{"progress and the next due date", modify, []TreatmentAction{act(ActionDone, "2026-01-01"), act(ActionInProgress, "2026-03-01"),
			act(ActionPlanned, "2026-05-01"), act(ActionCancelled, "2026-02-01")}, false, "1 of 3 actions done", 1, "2026-03-01"},
		{"one action", modify, []TreatmentAction{act(ActionPlanned, "")}, false, "0 of 1 action done", 0, ""},
	} {
		p := PlanOf(tc.risk, tc.actions, now)
		if p.Missing != tc.missing || p.Progress() != tc.progress || p.Overdue != tc.overdue || p.NextDue != tc.next {
			t.Errorf("%s: %+v (%q)", tc.name, p, p.Progress())
		}
	}
}

func TestSortActions(t *testing.T) {
	as := []TreatmentAction{{Title: "done", Status: ActionDone, DueDate: "2026-01-01"}, {Title: "undated"}, {Title: "late", DueDate: "2026-06-01"},
		{Title: "early", DueDate: "2026-02-01"}, {Title: "cancelled", Status: ActionCancelled}}
	SortActions(as)
	var got []string
	for _, a := range as {
		got = append(got, a.Title)
	}
	if strings.Join(got, ",") != "early,late,undated,done,cancelled" {
		t.Errorf("order %v", got)
	}
}
