package aisystems

// Key-driven tests of what issue 10 found in this tab. They drive the tab through keys and
// read the screen and the workspace only, so each also runs against the code before the
// fix (b5de395), where each fails.

import (
	"context"
	"strings"
	"testing"

	"github.com/annex-grc/annex/tui/common"
)

// newSystemByKeys adds "Lens" through the form with keys alone; with full it also fills
// the type, deployment context and jurisdictions an assessment is prefilled from.
func newSystemByKeys(h *harness, full bool) {
	h.t.Helper()
	h.press("n")
	h.typeText("Lens")
	h.press("tab")
	h.typeText("Flags chest X-rays")
	h.press("tab")
	if full {
		h.typeText("deep learning")
	}
	h.press("tab", "enter", "space", "enter") // roles: provider, the first of the list
	if full {
		h.press("tab", "tab", "tab", "tab", "tab") // stage, data sources, categories, personal data, deployment
		h.typeText("PACS worklists")
		h.press("tab")
		h.typeText("United Kingdom")
	}
	h.press("ctrl+s")
	if _, err := h.s.FindAISystem(context.Background(), h.e.ID, "Lens"); err != nil {
		h.t.Fatalf("system not added: %v\n%s", err, h.view())
	}
}

func progressLine(v string) string {
	for _, l := range strings.Split(v, "\n") {
		if strings.Contains(l, "[1]") || strings.Contains(l, "1✓") || strings.Contains(l, "1·") {
			return l
		}
	}
	return ""
}

// Issue 10, item 11: a fixed field keeps its error.
func TestIssueFixedFieldErrorClears(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	newSystemByKeys(h, false)
	h.press("a", "tab", "tab") // step 1, to the scope
	h.press("ctrl+s")
	contains(t, h.view(), "Describe what the assessment covers.")
	h.typeText("Pilot at two trusts")
	if v := h.view(); strings.Contains(v, "Describe what the assessment covers.") {
		t.Fatalf("the scope is filled in but keeps its message:\n%s", v)
	}
}

// Issue 10, item 11: the area table updates only after switching area.
func TestIssueAreaTableFollowsValues(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.press("a") // the chatbot's draft resumes at step 7, on the first area's effect
	contains(t, h.view(), "step 7 of 9", "1/10 Fairness")
	h.press("right") // not assessed → harm
	row := ""
	for _, l := range strings.Split(h.view(), "\n") {
		if strings.Contains(l, "Fairness") && !strings.Contains(l, "1/10") {
			row = l
		}
	}
	if !strings.Contains(row, "harm") {
		t.Fatalf("the area table does not follow the effect just chosen: %q\n%s", row, h.view())
	}
}

// Issue 10, item 11: steps 4-5 show ✓ before they are filled.
func TestIssueStepMarksOnlyWhenFilled(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	newSystemByKeys(h, true) // steps 4 and 5 are prefilled from the inventory entry
	h.press("a")
	line := progressLine(h.view())
	if !strings.Contains(line, "[1]") || strings.Contains(line, "4✓") || strings.Contains(line, "5✓") {
		t.Fatalf("steps nobody has gone through are marked done: %q", line)
	}
	h.press("tab", "tab")
	h.typeText("Pilot")
	h.press("ctrl+s")
	if line := progressLine(h.view()); !strings.Contains(line, "1✓") || !strings.Contains(line, "[2]") {
		t.Fatalf("a completed, saved step is not marked: %q", line)
	}
}

// Issue 10, item 11: ? does nothing on a choice field.
func TestIssueHelpKeyOnChoiceField(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.press("a") // focus on the first area's effect, a choice
	h.press("?")
	if h.host.HelpToggles != 1 {
		t.Fatalf("? on a choice field asked for the key list %d times", h.host.HelpToggles)
	}
}

// Confirmations are dialogs of the root that name what they act on; nothing beneath
// changes while one is open.
func TestIssueConfirmationsAreRootDialogs(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.press("j", "d")
	if d := h.dialog(); !strings.Contains(d, "Delete AI system Medivance Lens?") {
		t.Fatalf("no root dialog naming the system:\n%s", h.view())
	}
	h.press("j", "k", "enter")
	if !strings.Contains(h.dialog(), "Delete") {
		t.Fatal("keys other than y/n closed the question")
	}
	h.press("n")
	if list, _ := h.s.AISystems(context.Background(), h.e.ID); len(list) != 2 {
		t.Fatal("n deleted the system")
	}
	if v := h.view(); !strings.Contains(v, "▸ Medivance Lens") {
		t.Fatalf("the selection moved beneath the dialog:\n%s", v)
	}
}

// Every result of the tab's commands comes back addressed to the tab.
func TestIssueResultsAreAddressed(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.press("enter", "esc", "a", "pgup", "tab")
	h.typeText("Patients")
	h.press("ctrl+s", "esc", "e", "ctrl+s")
	if len(h.host.Unaddressed) > 0 {
		t.Fatalf("results delivered without an address: %v", h.host.Unaddressed)
	}
}

// esc clears an applied filter.
func TestIssueEscClearsFilter(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.press("/")
	h.typeText("lens")
	h.press("enter")
	if strings.Contains(h.view(), "Medivance Assist") {
		t.Fatalf("filter not applied:\n%s", h.view())
	}
	h.press("esc")
	if v := h.view(); !strings.Contains(v, "Medivance Assist") || strings.Contains(v, "/ lens") {
		t.Fatalf("esc did not clear the filter:\n%s", v)
	}
	if h.m.Capturing() {
		t.Fatal("with the filter cleared the list should give q, [ and ] back to the engagement")
	}
}

// Nothing is written before ctrl+s: not by leaving a wizard step, nor by esc on a form.
func TestIssueNothingWrittenBeforeSave(t *testing.T) {
	h := newHarness(t, 120, 40, false)
	newSystemByKeys(h, false)
	h.press("a", "tab", "tab")
	h.typeText("Typed, never saved")
	h.press("pgdown")
	v, _ := h.s.ImpactAssessments(context.Background(), h.system("Lens").ID)
	if len(v) != 1 || v[0].Scope != "" {
		t.Fatalf("moving on wrote the step: %q", v[0].Scope)
	}
	h.press("esc", "y")
	h.press("e", "tab")
	h.typeText(" and more")
	h.press("esc")
	if got := h.system("Lens").Purpose; got != "Flags chest X-rays" {
		t.Fatalf("esc on the form wrote it: %q", got)
	}
}

// The wizard's help bar starts with the key that saves.
func TestIssueWizardHelpShowsSaveFirst(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.press("a")
	short := h.m.KeyMap().ShortHelp()
	if len(short) == 0 || short[0].Help().Key != "ctrl+s" {
		t.Fatalf("first key of the help bar: %v", short)
	}
}

// Every AI system is a jump target that selects it.
func TestIssueJumpTargets(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	j, ok := any(h.m).(common.Jumper)
	if !ok {
		t.Fatal("the tab offers no jump targets")
	}
	targets, err := j.JumpTargets(context.Background())
	if err != nil || len(targets) != 2 || targets[0].Kind != "AI system" {
		t.Fatalf("targets %v %v", targets, err)
	}
}

// An edit of an AI system can be taken back with the root's z.
func TestIssueUndoAfterEdit(t *testing.T) {
	h := newHarness(t, 120, 40, true)
	h.press("e", "tab")
	h.typeText(" More.")
	h.press("ctrl+s")
	if h.c.Undo.Len() != 1 {
		t.Fatalf("no undo entry after an edit (%d)", h.c.Undo.Len())
	}
}
