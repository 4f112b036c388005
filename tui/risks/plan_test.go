package risks

import (
	"context"
	"strings"
	"testing"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

// focusAction moves the action form's focus to field.
func (f *fixture) focusAction(field string) {
	f.t.Helper()
	for _, k := range []string{"tab", "shift+tab"} {
		for range 20 {
			if f.tab.plan.form.f.FocusKey() == field {
				return
			}
			f.press(k)
		}
	}
	f.t.Fatalf("field %s not reachable with tab", field)
}

func (f *fixture) actions(ref string) []assessments.TreatmentAction {
	f.t.Helper()
	as, err := f.s.RiskActions(context.Background(), f.storedRef(ref).ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return as
}

func TestTreatmentPlanByKeys(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.selectRef("R-002")
	if !strings.Contains(f.view(), "∅ no treatment actions (p)") {
		t.Fatalf("R-002 (modify, no plan) is not flagged:\n%s", f.view())
	}
	f.press("p")
	if v := f.view(); !strings.Contains(v, "Treatment plan of R-002") || !strings.Contains(v, "treated modify without actions") {
		t.Fatalf("plan view:\n%s", v)
	}
	// A new action: nothing is written before ctrl+s; due before start is refused next to
	// the field, and nothing is written then either.
	f.press("n")
	f.typeText("Drift alert per acquisition type")
	f.focusAction(aStart)
	f.typeText("2026-05-10")
	f.focusAction(aDue)
	f.typeText("2026-05-01")
	if n := len(f.actions("R-002")); n != 0 {
		t.Fatalf("%d actions written before save", n)
	}
	f.press("ctrl+s")
	if n := len(f.actions("R-002")); n != 0 || f.tab.plan.form == nil || !strings.Contains(f.view(), "comes before the start") {
		t.Fatalf("due before start: %d actions, form open %v\n%s", n, f.tab.plan.form != nil, f.view())
	}
	f.press("ctrl+u") // clear the due date
	f.typeText("2026-06-15")
	f.press("ctrl+s")
	as := f.actions("R-002")
	if len(as) != 1 || as[0].Title != "Drift alert per acquisition type" || as[0].DueDate != "2026-06-15" || as[0].Owner != "Ravi Patel" ||
		as[0].Status != assessments.ActionPlanned || len(as[0].Controls) != 1 || as[0].Controls[0] != (assessments.ControlRef{Standard: catalogs.ISO42001, Ref: "A.6.2.4"}) {
		t.Fatalf("saved: %+v (status %q)", as, f.status)
	}
	if f.tab.plan == nil || f.tab.plan.form != nil || strings.Contains(f.view(), "treated modify without actions") {
		t.Fatalf("after save:\n%s", f.view())
	}
	// Edit the status; z takes it back through the update path.
	f.press("enter")
	f.focusAction(aStatus)
	f.press("right") // planned → in progress
	f.press("ctrl+s")
	if as := f.actions("R-002"); as[0].Status != assessments.ActionInProgress {
		t.Fatalf("status after edit: %q (%s)", as[0].Status, f.status)
	}
	f.press("esc") // back to the register: z works there
	f.press("z")
	if as := f.actions("R-002"); as[0].Status != assessments.ActionPlanned {
		t.Fatalf("status after undo: %q (%s)", as[0].Status, f.status)
	}
	// Delete asks first.
	f.press("p", "d")
	if f.dialogs.Len() != 1 {
		t.Fatal("delete did not ask")
	}
	f.press("y")
	if n := len(f.actions("R-002")); n != 0 {
		t.Fatalf("%d actions after delete", n)
	}
	f.press("esc")
	if f.tab.plan != nil || f.tab.Capturing() {
		t.Error("esc does not leave the plan")
	}
}

func TestPlanFormDiscardAsks(t *testing.T) {
	f := newFixture(t, 80, 24, true)
	f.selectRef("R-001")
	f.press("p", "n")
	f.typeText("x")
	if f.tab.UnsavedWork() == "" {
		t.Error("a typed action is not reported as unsaved work")
	}
	f.press("esc")
	if f.tab.plan.form == nil || !f.tab.plan.form.f.Asking() {
		t.Fatal("esc on a changed action form did not ask")
	}
	f.press("y")
	if f.tab.plan.form != nil || len(f.actions("R-001")) != 0 {
		t.Error("discarding left the form or wrote an action")
	}
}

func TestGoldenPlan(t *testing.T) {
	goldenViews(t, true, func(f *fixture) {
		ctx := context.Background()
		r := f.storedRef("R-001")
		for _, a := range []assessments.TreatmentAction{
			{RiskID: r.ID, Title: "Immutable backups in a second account", Owner: "Tomás Silva", Resources: "2 engineer-weeks", StartDate: "2026-04-01", DueDate: "2026-05-01", Status: assessments.ActionInProgress,
				Controls: []assessments.ControlRef{{Standard: catalogs.ISO27001, Ref: "A.8.13"}}, CorrectiveRef: "CA-7"},
			{RiskID: r.ID, Title: "Quarterly restore test", Owner: "Ravi Patel", DueDate: "2026-07-01"},
			{RiskID: r.ID, Title: "Short-lived credentials", Owner: "Tomás Silva", DueDate: "2026-03-01", Status: assessments.ActionDone},
		} {
			if _, err := f.s.CreateTreatmentAction(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		f.run(f.tab.Activate())
		f.selectRef("R-001")
		f.press("p")
	}, tabView)
}

func TestGoldenActionForm(t *testing.T) {
	goldenViews(t, true, func(f *fixture) { f.selectRef("R-001"); f.press("p", "n") }, tabView)
}
