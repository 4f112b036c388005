package audits

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
)

func TestProgrammeShowsAuditsAndImpartiality(t *testing.T) {
	f := newFixture(t, 120, 40)
	v := f.view()
	contains(t, v, "Internal audit programme", "2 audits", "1 open finding", "●2027-01 AI life cycle and secure",
		"○2027-02 Model operation", "F-2027-01-001 major NC")
	f.press("j")
	contains(t, f.view(), "Ravi Patel owns ISO 42001 A.6.2.4, which the audit covers")
	f.press("c")
	contains(t, f.view(), "Programme coverage", "Not audited (68; ° in a planned audit)", "A.6.2.6°")
	if f.tab.Capturing() {
		t.Error("the programme list captures keys: q would not leave the engagement")
	}
}

// TestConclusionInOneKey: a digit sets the conclusion and raises the finding; the status
// line says what happened; the store holds it.
func TestConclusionInOneKey(t *testing.T) {
	f := newFixture(t, 120, 40)
	f.press("enter")
	if f.tab.mode != modeWalk || !f.tab.Capturing() {
		t.Fatal("enter does not open the checklist")
	}
	f.filterTo("A.6.2.6")
	f.press("3")
	if it := f.item(f.done, catalogs.ISO42001, "A.6.2.6"); it.Conclusion != assessments.MinorNC {
		t.Fatalf("stored conclusion %q", it.Conclusion)
	}
	if !strings.Contains(f.host.Status, "ISO 42001 A.6.2.6: minor nonconformity; F-2027-01-003 raised") {
		t.Errorf("status %q", f.host.Status)
	}
	contains(t, f.view(), "MIN A.6.2.6", "Finding F-2027-01-003 open")
	// Another digit regrades it; 1 withdraws it; the number stays.
	f.press("4")
	f.press("1")
	fs := f.findings(f.done)
	var got []string
	for _, v := range fs {
		got = append(got, v.Finding.Ref+" "+string(v.Status))
	}
	sort.Strings(got)
	if strings.Join(got, ",") != "F-2027-01-001 open,F-2027-01-002 noted,F-2027-01-003 withdrawn" {
		t.Errorf("findings %v", got)
	}
	if len(f.host.Unaddressed) > 0 {
		t.Errorf("unaddressed results: %v", f.host.Unaddressed)
	}
	f.checkWorkspace()
}

// TestOneAnswerForTwoStandardsInTheWalk: the answer on 42001 A.6.2.4 stands for 27001
// A.8.29 (the crosswalk's superset link): the list marks the carried item, and answering
// the carried one directly makes it its own.
func TestOneAnswerForTwoStandardsInTheWalk(t *testing.T) {
	f := newFixture(t, 120, 40)
	f.press("enter")
	f.filterTo("A.8.29")
	contains(t, f.view(), "MAJ A.8.29", "↶", "from ISO 42001 A.6.2.4 (superset)")
	f.press("esc") // clears the filter
	f.filterTo("A.6.2.4")
	contains(t, f.view(), "One answer for both standards", "ISO 27001 A.8.29 takes this answer (crosswalk: superset)")
	f.press("1")
	if it := f.item(f.done, catalogs.ISO27001, "A.8.29"); it.Conclusion != assessments.Conforming || it.CarriedFrom == "" {
		t.Errorf("carried item %+v", it)
	}
	f.press("esc")
	f.filterTo("A.8.29")
	f.press("5")
	if it := f.item(f.done, catalogs.ISO27001, "A.8.29"); it.Conclusion != assessments.OFI || it.Carried() {
		t.Errorf("answered item %+v", it)
	}
	f.checkWorkspace()
}

// TestNotesTypedInPlace: notes are typed in the detail pane, saved after a pause, when the
// field is left and when the program ends; nothing is written before.
func TestNotesTypedInPlace(t *testing.T) {
	f := newFixture(t, 120, 40)
	f.press("enter")
	f.filterTo("A.6.2.2")
	f.press("e")
	if f.tab.walk.edit == nil || !f.tab.Capturing() {
		t.Fatal("e does not open the notes")
	}
	f.typeText("Requirements kept per release.")
	if it := f.item(f.done, catalogs.ISO42001, "A.6.2.2"); it.Notes != "" {
		t.Fatal("typing wrote before a pause")
	}
	f.host.Send(common.Envelope{To: f.tab.Address(), Msg: f.tab.AutosaveTick()})
	if it := f.item(f.done, catalogs.ISO42001, "A.6.2.2"); it.Notes != "Requirements kept per release." {
		t.Fatalf("after the pause: %q", it.Notes)
	}
	f.typeText(" Signed by the product owner.")
	f.press("esc")
	if it := f.item(f.done, catalogs.ISO42001, "A.6.2.2"); !strings.HasSuffix(it.Notes, "product owner.") || f.tab.walk.edit != nil {
		t.Fatalf("after esc: %q", it.Notes)
	}
	// Interviewees, then quit with the field open: FlushDrafts saves it.
	f.press("i")
	f.typeText("Dana Ruiz (product owner)")
	if err := f.tab.FlushDrafts(); err != nil {
		t.Fatal(err)
	}
	if it := f.item(f.done, catalogs.ISO42001, "A.6.2.2"); it.Interviewees != "Dana Ruiz (product owner)" {
		t.Fatalf("flushed interviewees %q", it.Interviewees)
	}
	// Undo takes the interviewees back through the update path.
	entry, ok := f.c.Undo.Pop()
	if !ok {
		t.Fatal("no undo entry")
	}
	msg, err := entry.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f.host.Send(common.Envelope{To: entry.To, Msg: msg})
	if it := f.item(f.done, catalogs.ISO42001, "A.6.2.2"); it.Notes == "" {
		t.Error("undo went too far")
	}
	f.checkWorkspace()
}

// TestNotesConflict: another process changed the notes; saving shows both and asks.
func TestNotesConflict(t *testing.T) {
	f := newFixture(t, 120, 40)
	f.press("enter")
	f.filterTo("A.6.2.4")
	f.press("e")
	f.typeText(" Mine.")
	// Another process edits the same notes meanwhile.
	it := f.item(f.done, catalogs.ISO42001, "A.6.2.4")
	other := it
	other.Notes = "Theirs."
	if _, err := f.s.SaveChecklistItem(context.Background(), it, other); err != nil {
		t.Fatal(err)
	}
	f.press("esc")
	d := f.host.Dialogs.Front()
	if d == nil || !strings.Contains(f.view(), "Theirs.") {
		t.Fatalf("no conflict dialog:\n%s", f.view())
	}
	if got := f.item(f.done, catalogs.ISO42001, "A.6.2.4").Notes; got != "Theirs." {
		t.Fatalf("the conflict overwrote: %q", got)
	}
	if w := f.tab.UnsavedWork(); !strings.Contains(w, "changed elsewhere") {
		t.Errorf("unsaved work %q", w)
	}
	f.host.Send(tea.KeyPressMsg{Code: 'm', Text: "m"}) // keep mine
	if got := f.item(f.done, catalogs.ISO42001, "A.6.2.4").Notes; !strings.HasSuffix(got, " Mine.") {
		t.Errorf("kept mine: %q", got)
	}
}

// TestSamplingAndEvidence: the sampling dialog refuses a sample larger than its population
// with the message next to the field and writes nothing; v records examined evidence with
// its hash.
func TestSamplingAndEvidence(t *testing.T) {
	f := newFixture(t, 120, 40)
	f.press("enter")
	f.filterTo("A.8.26")
	f.press("p")
	f.typeText("4")
	f.press("tab")
	f.typeText("9")
	f.press("ctrl+s")
	if f.host.Dialogs.Front() == nil || !strings.Contains(f.view(), "The sample (9) is larger than the population (4).") {
		t.Fatalf("no message:\n%s", f.view())
	}
	if it := f.item(f.done, catalogs.ISO27001, "A.8.26"); it.SampleSize != 0 {
		t.Fatal("a refused sample was written")
	}
	f.press("backspace")
	f.typeText("3")
	f.press("tab")
	f.typeText("PR-101, PR-140, PR-177")
	f.press("ctrl+s")
	if f.host.Dialogs.Front() != nil {
		t.Fatalf("dialog still open:\n%s", f.view())
	}
	it := f.item(f.done, catalogs.ISO27001, "A.8.26")
	if it.Population != 4 || it.SampleSize != 3 || it.Sampled != "PR-101, PR-140, PR-177" {
		t.Fatalf("sampling %+v", it)
	}
	f.press("v", "space", "enter")
	it = f.item(f.done, catalogs.ISO27001, "A.8.26")
	if len(it.Evidence) != 1 || it.Evidence[0].SHA256 != f.ev.SHA256 {
		t.Fatalf("examined %+v", it.Evidence)
	}
	contains(t, f.view(), "3 of 4 sampled: PR-101, PR-140, PR-177", "Evidence examined (1)", "✓ Validation report 4.2 · 2027-01-20 · sha256 "+f.ev.SHA256[:12])
	f.checkWorkspace()
}

// TestCorrectiveActionToVerified: from the walk to the finding, a new action (a due date
// before the finding refused), advanced to done, reviewed by nobody (refused), then
// verified effective: the finding closes.
func TestCorrectiveActionToVerified(t *testing.T) {
	f := newFixture(t, 120, 40)
	f.press("enter")
	f.filterTo("8.4")
	f.press("2") // the OFI becomes a major NC
	f.press("f")
	if f.tab.mode != modeFindings {
		t.Fatal("f does not open the finding")
	}
	contains(t, f.view(), "F-2027-01-002  major nonconformity · open", "None yet: a nonconformity needs one")
	f.press("n")
	f.typeText("Impact assessment was not redone after retraining.")
	f.press("tab")
	f.typeText("No trigger in the ML pipeline")
	f.press("tab")
	f.typeText("Add retraining as a trigger of the impact assessment procedure.")
	f.press("tab")
	f.typeText("Amara Nwosu")
	f.press("tab")
	f.typeText("2026-12-01")
	f.press("ctrl+s")
	if !strings.Contains(f.view(), "before finding F-2027-01-002 was raised (2027-01-20)") {
		t.Fatalf("due date before the finding accepted:\n%s", f.view())
	}
	if len(f.findings(f.done)[0].Actions)+len(f.findings(f.done)[1].Actions) != 1 {
		t.Fatal("a refused action was written")
	}
	for range 10 {
		f.press("backspace")
	}
	f.typeText("2027-02-15")
	f.press("ctrl+s")
	if f.tab.mode != modeFindings {
		t.Fatalf("form still open:\n%s", f.view())
	}
	fv := findingByRef(t, f, "F-2027-01-002")
	if len(fv.Actions) != 1 || fv.Actions[0].Owner != "Amara Nwosu" || len(fv.Actions[0].RootCause) != 1 {
		t.Fatalf("action %+v", fv.Actions)
	}
	f.press("tab", ">", ">")
	if fv = findingByRef(t, f, "F-2027-01-002"); fv.Actions[0].State != assessments.CorrectiveDone {
		t.Fatalf("state %s", fv.Actions[0].State)
	}
	f.press("V")
	f.press("ctrl+s") // nobody named
	if d := f.host.Dialogs.Front(); d == nil || !strings.Contains(f.view(), "Reviewed by is needed") {
		t.Fatalf("review by nobody:\n%s", f.view())
	}
	// The focus is on the first field in error.
	f.typeText("Omar Haddad")
	f.press("tab", "tab")
	f.typeText("Procedure v4 lists retraining; the March retraining has its re-assessment.")
	f.press("ctrl+s")
	if f.host.Dialogs.Front() != nil {
		t.Fatalf("review dialog still open:\n%s", f.view())
	}
	fv = findingByRef(t, f, "F-2027-01-002")
	if fv.Status != assessments.FindingClosed || fv.Actions[0].ReviewedBy != "Omar Haddad" {
		t.Fatalf("after the review: %s %+v", fv.Status, fv.Actions[0])
	}
	if !strings.Contains(f.host.Status, "verified effective; F-2027-01-002 is closed") {
		t.Errorf("status %q", f.host.Status)
	}
	f.checkWorkspace()
}

func findingByRef(t *testing.T, f *fixture, ref string) assessments.FindingView {
	t.Helper()
	for _, v := range f.findings(f.done) {
		if v.Finding.Ref == ref {
			return v
		}
	}
	t.Fatalf("no finding %s", ref)
	return assessments.FindingView{}
}

func TestRaiseRiskAndLinkAction(t *testing.T) {
	f := newFixture(t, 120, 40)
	f.press("f")
	f.press("r", "y")
	v := findingByRef(t, f, "F-2027-01-001")
	if v.Finding.RiskID == "" || !strings.Contains(f.host.Status, "Raised R-001 from F-2027-01-001") {
		t.Fatalf("risk not raised: %q", f.host.Status)
	}
	f.press("tab", "l")
	f.press("down", "enter")
	if v = findingByRef(t, f, "F-2027-01-001"); v.Actions[0].RiskID != v.Finding.RiskID {
		t.Errorf("action linked to %q", v.Actions[0].RiskID)
	}
	contains(t, f.view(), "Risk treatment R-001")
}

// TestAuditForm: a new audit through the form; a scope naming a requirement the catalog
// does not have is refused next to the field and nothing is written.
func TestAuditForm(t *testing.T) {
	f := newFixture(t, 120, 40)
	n := len(f.tab.audits)
	f.press("n")
	f.typeText("Data for AI")
	f.press("tab", "tab", "tab")
	f.typeText("42001 A.7, 27001 A.99")
	f.press("ctrl+s")
	contains(t, f.view(), "ISO 27001 has no requirement A.99")
	audits, _ := f.s.Audits(context.Background(), f.e.ID)
	if len(audits) != n {
		t.Fatal("a refused audit was written")
	}
	for range len("27001 A.99") {
		f.press("backspace")
	}
	f.typeText("27001 A.5.34")
	for range 8 {
		f.press("tab")
	}
	f.typeText("Omar Haddad")
	f.press("ctrl+s")
	audits, _ = f.s.Audits(context.Background(), f.e.ID)
	if len(audits) != n+1 || f.tab.mode != modeProgramme {
		t.Fatalf("%d audits, mode %v:\n%s", len(audits), f.tab.mode, f.view())
	}
	got := audits[len(audits)-1]
	if got.Lead != "Omar Haddad" || len(got.Scope) != 6 || got.Ref != "2027-03" {
		t.Errorf("audit %+v", got)
	}
	if !strings.Contains(f.host.Status, "Planned audit 2027-03") {
		t.Errorf("status %q", f.host.Status)
	}
}

func TestDeleteAuditAsks(t *testing.T) {
	f := newFixture(t, 120, 40)
	f.press("d")
	if !strings.Contains(f.view(), "and 2 findings with their corrective actions go with it") {
		t.Fatalf("no question:\n%s", f.view())
	}
	f.press("n")
	if audits, _ := f.s.Audits(context.Background(), f.e.ID); len(audits) != 2 {
		t.Fatal("n deleted")
	}
	f.press("d", "y")
	if audits, _ := f.s.Audits(context.Background(), f.e.ID); len(audits) != 1 {
		t.Fatal("y did not delete")
	}
	f.checkWorkspace()
}

// TestGapSectionAndMarks: the gap analysis learns the open findings of a requirement, and
// marks an implemented requirement an open major NC contradicts.
func TestGapSectionAndMarks(t *testing.T) {
	f := newFixture(t, 120, 40)
	ctx := context.Background()
	sec, err := Section(ctx, f.c, f.e, catalogs.ISO42001, "A.6.2.4")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(sec.Lines, "\n")
	if !sec.Warn || !strings.Contains(text, "F-2027-01-001 major NC · open") || !strings.Contains(text, MarkContradiction+" Marked implemented") {
		t.Errorf("section %+v", sec)
	}
	marks, err := RowMarks(ctx, f.c, f.e, catalogs.ISO42001)
	if err != nil || marks["A.6.2.4"] != MarkContradiction || len(marks) != 1 {
		t.Errorf("marks %v %v", marks, err)
	}
	// 27001 A.8.29 is only partial: no contradiction there.
	if marks, _ := RowMarks(ctx, f.c, f.e, catalogs.ISO27001); len(marks) != 0 {
		t.Errorf("27001 marks %v", marks)
	}
	if sec, _ := Section(ctx, f.c, f.e, catalogs.ISO42001, "A.2.2"); len(sec.Lines) != 0 {
		t.Errorf("a requirement without findings has a section: %+v", sec)
	}
}

func TestBackLevelsWithEsc(t *testing.T) {
	f := newFixture(t, 80, 24)
	f.press("enter", "F", "tab")
	if f.tab.mode != modeFindings || !f.tab.finds.onActions {
		t.Fatal("not on the actions")
	}
	f.press("esc")
	if f.tab.finds == nil || f.tab.finds.onActions {
		t.Fatal("esc did not leave the actions")
	}
	f.press("esc")
	if f.tab.mode != modeWalk {
		t.Fatalf("esc from findings went to %v", f.tab.mode)
	}
	f.press("q")
	if f.tab.mode != modeProgramme || f.tab.Capturing() {
		t.Fatal("q did not return to the programme")
	}
	if f.host.Back {
		t.Error("q left the engagement from inside the tab")
	}
}

// TestStaleConclusionIsAConflict: a conclusion changed by another process is refused
// with a message naming their value; the walk reloads it.
func TestStaleConclusionIsAConflict(t *testing.T) {
	f := newFixture(t, 120, 40)
	f.press("enter")
	f.filterTo("8.1")
	it := f.item(f.done, catalogs.ISO42001, "8.1")
	if _, err := f.s.Conclude(context.Background(), f.c.Catalogs, it, assessments.Conforming); err != nil {
		t.Fatal(err)
	}
	f.press("2")
	if !f.host.StatusErr || !strings.Contains(f.host.Status, `conclusion changed elsewhere to "conforming"`) {
		t.Errorf("status %q", f.host.Status)
	}
	if got := f.item(f.done, catalogs.ISO42001, "8.1"); got.Conclusion != assessments.Conforming {
		t.Errorf("stored %q", got.Conclusion)
	}
	if w := f.tab.walk.item(cr(catalogs.ISO42001, "8.1")); w.Conclusion != assessments.Conforming {
		t.Errorf("the walk shows %q after the conflict", w.Conclusion)
	}
	var ce *store.ConflictError
	_ = errors.As(nil, &ce)
	_ = dialog.KeepMine
}
