package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/internal/pgtest"
)

var auditClock = time.Date(2027, 1, 15, 9, 0, 0, 0, time.UTC)

func i27(ref string) assessments.ControlRef {
	return assessments.ControlRef{Standard: catalogs.ISO27001, Ref: ref}
}
func i42(ref string) assessments.ControlRef {
	return assessments.ControlRef{Standard: catalogs.ISO42001, Ref: ref}
}

func auditTestStore(t *testing.T) (*Store, assessments.Engagement, string) {
	t.Helper()
	ctx := context.Background()
	path := pgtest.WorkspaceAs(t, pgtest.Workspace(t, "ws.db"), "auditor")
	s, err := Open(ctx, path, Options{Author: "auditor", Now: func() time.Time { return auditClock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Audited", Standards: []string{catalogs.ISO27001, catalogs.ISO42001}})
	if err != nil {
		t.Fatal(err)
	}
	return s, e, path
}

func sampleAudit(e assessments.Engagement) assessments.Audit {
	return assessments.Audit{EngagementID: e.ID, Title: "AI life cycle and secure development", Type: assessments.AuditInternal,
		Scope:    []assessments.ControlRef{i27("A.8.25"), i27("A.8.29"), i42("8.4"), i42("A.6.2.4"), i42("10.2"), i27("10.2")},
		Criteria: "ISO/IEC 42001:2023, ISO/IEC 27001:2022, the secure development policy", Lead: "Priya Raman", Team: []string{"Omar Haddad"},
		Auditees: "Ravi Patel (ML lead)", PlannedStart: "2027-01-12", PlannedEnd: "2027-01-14", ActualStart: "2027-01-12",
		Status: assessments.AuditInProgress}
}

func checkChain(t *testing.T, s *Store) {
	t.Helper()
	if _, problem, err := s.VerifyChain(context.Background()); err != nil || problem != nil {
		t.Fatalf("history chain: %+v %v", problem, err)
	}
	if res, err := s.IntegrityCheck(context.Background()); err != nil || res != "ok" {
		t.Fatalf("integrity: %q %v", res, err)
	}
}

func TestAuditRoundTripAndRefs(t *testing.T) {
	ctx := context.Background()
	s, e, _ := auditTestStore(t)
	a, err := s.CreateAudit(ctx, sampleAudit(e))
	if err != nil {
		t.Fatal(err)
	}
	if a.Ref != "2027-01" || a.ID == "" || !reflect.DeepEqual(a.Scope, sampleAudit(e).Scope) || a.Team[0] != "Omar Haddad" {
		t.Fatalf("created %+v", a)
	}
	b := sampleAudit(e)
	b.PlannedStart, b.PlannedEnd, b.ActualStart, b.Status = "2027-06-01", "", "", assessments.AuditPlanned
	b2, err := s.CreateAudit(ctx, b)
	if err != nil || b2.Ref != "2027-02" {
		t.Fatalf("second audit %q %v", b2.Ref, err)
	}
	// A changed date does not renumber; a deleted audit's number is not handed out again.
	next := a
	next.PlannedStart, next.Summary = "2027-01-13", "Scope covered."
	saved, err := s.UpdateAudit(ctx, a, next)
	if err != nil || saved.Ref != "2027-01" || saved.Summary != "Scope covered." {
		t.Fatalf("update %+v %v", saved, err)
	}
	if err := s.DeleteAudit(ctx, b2.ID); err != nil {
		t.Fatal(err)
	}
	b3, err := s.CreateAudit(ctx, b)
	if err != nil || b3.Ref != "2027-03" {
		t.Fatalf("after delete %q %v", b3.Ref, err)
	}
	changes, _ := s.Changes(ctx, ChangeFilter{Entity: AuditEntity, EntityID: a.ID})
	var fields []string
	for _, c := range changes {
		fields = append(fields, c.Field)
	}
	if !strings.Contains(strings.Join(fields, ","), "created,ref,title") || fields[len(fields)-1] != "summary" {
		t.Errorf("history fields %v", fields)
	}
	// Bad input: one sentence naming the field, nothing written.
	n := countRows(t, s, "audits")
	bad := sampleAudit(e)
	bad.Scope = nil
	if _, err := s.CreateAudit(ctx, bad); !isField(err, "scope") {
		t.Errorf("empty scope: %v", err)
	}
	bad = sampleAudit(e)
	bad.Scope = []assessments.ControlRef{{Standard: "nist-csf", Ref: "ID.AM-1"}}
	if _, err := s.CreateAudit(ctx, bad); !isField(err, "scope") {
		t.Errorf("foreign standard: %v", err)
	}
	if countRows(t, s, "audits") != n {
		t.Error("a refused audit was written")
	}
	checkChain(t, s)
}

func isField(err error, field string) bool {
	var ve *assessments.ValidationError
	return errors.As(err, &ve) && ve.Field == field
}

func item(a assessments.Audit, c assessments.ControlRef) assessments.ChecklistItem {
	return assessments.ChecklistItem{AuditID: a.ID, Standard: c.Standard, Ref: c.Ref, Conclusion: assessments.NotAudited}
}

// TestConcludeCarriesAndRaisesFinding: one answer on 42001 A.6.2.4 records the conclusion
// for 27001 A.8.29 too, and raises one finding naming both; regrading keeps the number,
// conforming withdraws it, a new noteworthy answer numbers the next.
func TestConcludeCarriesAndRaisesFinding(t *testing.T) {
	ctx := context.Background()
	set := catalogs.MustBuiltin()
	s, e, _ := auditTestStore(t)
	a, err := s.CreateAudit(ctx, sampleAudit(e))
	if err != nil {
		t.Fatal(err)
	}
	src := item(a, i42("A.6.2.4"))
	src.Notes = "No documented validation against intended use for the chest model's last two releases."
	src, err = s.SaveChecklistItem(ctx, item(a, i42("A.6.2.4")), src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Conclude(ctx, set, src, assessments.MajorNC)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Carried) != 1 || got.Carried[0].Key() != i27("A.8.29") || got.Carried[0].Conclusion != assessments.MajorNC ||
		got.Carried[0].Provenance != "from ISO 42001 A.6.2.4 (superset)" {
		t.Fatalf("carried %+v", got.Carried)
	}
	f := got.Finding
	if !got.Created || f == nil || f.Ref != "F-2027-01-001" || f.Grade != assessments.GradeMajor ||
		!reflect.DeepEqual(f.Requirements, []assessments.ControlRef{i42("A.6.2.4"), i27("A.8.29")}) || !strings.Contains(f.Statement, "No documented validation") ||
		f.RaisedOn != "2027-01-15" {
		t.Fatalf("finding %+v", f)
	}
	items, _ := s.ChecklistItems(ctx, a.ID)
	if items[i27("A.8.29")].CarriedFrom != "iso42001-2023:A.6.2.4" {
		t.Errorf("stored carried item %+v", items[i27("A.8.29")])
	}
	// Regrade: same number, still one finding.
	got, err = s.Conclude(ctx, set, got.Item, assessments.MinorNC)
	if err != nil || got.Created || got.Finding.Ref != "F-2027-01-001" || got.Finding.Grade != assessments.GradeMinor {
		t.Fatalf("regrade %+v %v", got.Finding, err)
	}
	items, _ = s.ChecklistItems(ctx, a.ID)
	if items[i27("A.8.29")].Conclusion != assessments.MinorNC {
		t.Errorf("the carried item did not follow: %+v", items[i27("A.8.29")])
	}
	// An OFI elsewhere is the next number.
	ofi, err := s.Conclude(ctx, set, item(a, i42("8.4")), assessments.OFI)
	if err != nil || ofi.Finding.Ref != "F-2027-01-002" || ofi.Finding.Grade != assessments.GradeOFI {
		t.Fatalf("OFI %+v %v", ofi.Finding, err)
	}
	// Conforming withdraws the first finding; the carried item follows.
	got, err = s.Conclude(ctx, set, got.Item, assessments.Conforming)
	if err != nil || !got.Finding.Withdrawn {
		t.Fatalf("withdraw %+v %v", got.Finding, err)
	}
	items, _ = s.ChecklistItems(ctx, a.ID)
	if items[i27("A.8.29")].Conclusion != assessments.Conforming {
		t.Errorf("carried conforming %+v", items[i27("A.8.29")])
	}
	// Not audited releases the carried item.
	got, err = s.Conclude(ctx, set, got.Item, assessments.NotAudited)
	if err != nil {
		t.Fatal(err)
	}
	items, _ = s.ChecklistItems(ctx, a.ID)
	if c := items[i27("A.8.29")]; c.Conclusion != assessments.NotAudited || c.Provenance != "" {
		t.Errorf("released item %+v", c)
	}
	// The item's own answer is never overwritten by a carry.
	own, err := s.Conclude(ctx, set, item(a, i27("A.8.29")), assessments.Conforming)
	if err != nil || own.Finding != nil {
		t.Fatal(err)
	}
	got, err = s.Conclude(ctx, set, got.Item, assessments.MajorNC)
	if err != nil || len(got.Carried) != 0 || got.Finding.Ref != "F-2027-01-001" || got.Finding.Withdrawn {
		t.Fatalf("major again: carried %+v finding %+v %v", got.Carried, got.Finding, err)
	}
	if last, _ := s.LastFinding(ctx, a.ID); last != 2 {
		t.Errorf("last finding number %d", last)
	}
	// An equal link carries both ways.
	eq, err := s.Conclude(ctx, set, item(a, i27("10.2")), assessments.Conforming)
	if err != nil || len(eq.Carried) != 1 || eq.Carried[0].Key() != i42("10.2") {
		t.Fatalf("equal %+v %v", eq.Carried, err)
	}
	checkChain(t, s)
}

func TestConcludeStaleIsAConflict(t *testing.T) {
	ctx := context.Background()
	set := catalogs.MustBuiltin()
	s, e, _ := auditTestStore(t)
	a, _ := s.CreateAudit(ctx, sampleAudit(e))
	stale := item(a, i42("8.4"))
	if _, err := s.Conclude(ctx, set, stale, assessments.Conforming); err != nil {
		t.Fatal(err)
	}
	before := countRows(t, s, "changes")
	_, err := s.Conclude(ctx, set, stale, assessments.MajorNC)
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Theirs != "conforming" {
		t.Fatalf("stale conclusion: %v", err)
	}
	if countRows(t, s, "changes") != before || countRows(t, s, "findings") != 0 {
		t.Error("a refused conclusion wrote something")
	}
	// Out of scope: refused.
	if _, err := s.Conclude(ctx, set, item(a, i42("A.2.2")), assessments.Conforming); !isField(err, "conclusion") {
		t.Errorf("out of scope: %v", err)
	}
	// Sampling larger than the population: refused, nothing written.
	it := item(a, i42("10.2"))
	next := it
	next.Population, next.SampleSize = 4, 9
	if _, err := s.SaveChecklistItem(ctx, it, next); !isField(err, "sample_size") {
		t.Errorf("sampling: %v", err)
	}
}

// TestFindingEditedByTwoProcesses: two handles on one file (two annex processes) edit one
// finding from the same view: different fields merge, the same field is a conflict that
// names the other value, and nothing either saved is lost.
func TestFindingEditedByTwoProcesses(t *testing.T) {
	ctx := context.Background()
	set := catalogs.MustBuiltin()
	s1, e, path := auditTestStore(t)
	a, _ := s1.CreateAudit(ctx, sampleAudit(e))
	got, err := s1.Conclude(ctx, set, item(a, i42("A.6.2.4")), assessments.MajorNC)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Open(ctx, pgtest.WorkspaceAs(t, path, "second"), Options{Author: "second", Now: func() time.Time { return auditClock }})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	view1, err := s1.Finding(ctx, got.Finding.ID)
	if err != nil {
		t.Fatal(err)
	}
	view2, err := s2.Finding(ctx, got.Finding.ID)
	if err != nil {
		t.Fatal(err)
	}
	mine := view1
	mine.Statement = "Releases 4.1 and 4.2 shipped without the validation report."
	if _, err := s1.UpdateFinding(ctx, view1, mine); err != nil {
		t.Fatal(err)
	}
	theirs := view2
	theirs.Evidence = "Release tickets REL-41, REL-42; validation folder empty."
	merged, err := s2.UpdateFinding(ctx, view2, theirs)
	if err != nil {
		t.Fatalf("different fields from the same view: %v", err)
	}
	if merged.Statement != mine.Statement || merged.Evidence != theirs.Evidence {
		t.Fatalf("merge lost a field: %+v", merged)
	}
	clash := view2
	clash.Statement = "Validation missing."
	_, err = s2.UpdateFinding(ctx, view2, clash)
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Field != "statement" || !strings.Contains(ce.Error(), "finding F-2027-01-001: statement changed elsewhere") {
		t.Fatalf("same field: %v", err)
	}
	final, _ := s1.Finding(ctx, got.Finding.ID)
	if final.Statement != mine.Statement || final.Evidence != theirs.Evidence {
		t.Errorf("stored %+v", final)
	}
	// Both processes' edits are in the history, with their authors.
	changes, _ := s1.Changes(ctx, ChangeFilter{Entity: FindingEntity, EntityID: final.ID})
	authors := map[string]string{}
	for _, c := range changes {
		authors[c.Field] = c.Author
	}
	if authors["statement"] != "auditor" || authors["evidence"] != "second" {
		t.Errorf("history authors %v", authors)
	}
	// A finding without requirement: refused, nothing written.
	empty := final
	empty.Requirements = nil
	if _, err := s1.UpdateFinding(ctx, final, empty); !isField(err, "requirements") {
		t.Errorf("no requirement: %v", err)
	}
	if f, _ := s1.Finding(ctx, final.ID); len(f.Requirements) != 2 {
		t.Error("a refused edit changed the finding")
	}
	checkChain(t, s1)
}

func TestCorrectiveActionLifecycle(t *testing.T) {
	ctx := context.Background()
	set := catalogs.MustBuiltin()
	s, e, _ := auditTestStore(t)
	a, _ := s.CreateAudit(ctx, sampleAudit(e))
	got, _ := s.Conclude(ctx, set, item(a, i42("A.6.2.4")), assessments.MajorNC)
	f := *got.Finding
	n := countRows(t, s, "corrective_actions")
	// A due date before the finding: refused, nothing written.
	_, err := s.CreateCorrectiveAction(ctx, assessments.CorrectiveAction{FindingID: f.ID, Action: "Add a validation gate", DueDate: "2027-01-01"})
	if !isField(err, "due_date") || !strings.Contains(err.Error(), "before finding F-2027-01-001 was raised (2027-01-15)") {
		t.Fatalf("due before the finding: %v", err)
	}
	if countRows(t, s, "corrective_actions") != n {
		t.Fatal("a refused action was written")
	}
	ca, err := s.CreateCorrectiveAction(ctx, assessments.CorrectiveAction{FindingID: f.ID, Correction: "Validated 4.2 retroactively",
		RootCause: []string{"No gate in the pipeline", "Release checklist predates the AI policy"}, Action: "Add a validation gate to the release pipeline",
		Owner: "Ravi Patel", DueDate: "2027-03-01"})
	if err != nil || ca.Seq != 1 || ca.State != assessments.CorrectiveOpen || len(ca.RootCause) != 2 {
		t.Fatalf("action %+v %v", ca, err)
	}
	status := func() assessments.FindingStatus {
		acts, _ := s.FindingActions(ctx, f.ID)
		cur, _ := s.Finding(ctx, f.ID)
		return assessments.FindingStatusOf(cur, acts)
	}
	step := func(cur assessments.CorrectiveAction, edit func(*assessments.CorrectiveAction)) (assessments.CorrectiveAction, error) {
		next := cur
		edit(&next)
		return s.UpdateCorrectiveAction(ctx, cur, next)
	}
	// Verified straight from open: refused.
	if _, err := step(ca, func(x *assessments.CorrectiveAction) {
		x.State, x.ReviewedBy, x.ReviewedOn, x.ReviewNote = assessments.CorrectiveVerified, "Lena", "2027-02-01", "x"
	}); !isField(err, "state") {
		t.Fatalf("open → verified: %v", err)
	}
	ca, err = step(ca, func(x *assessments.CorrectiveAction) { x.State = assessments.CorrectiveInProgress })
	if err != nil {
		t.Fatal(err)
	}
	ca, err = step(ca, func(x *assessments.CorrectiveAction) { x.State = assessments.CorrectiveDone })
	if err != nil || status() != assessments.FindingOpen {
		t.Fatalf("done: %v, finding %s", err, status())
	}
	// Verified by nobody: refused, nothing written.
	if _, err := step(ca, func(x *assessments.CorrectiveAction) {
		x.State, x.ReviewedOn, x.ReviewNote = assessments.CorrectiveVerified, "2027-02-20", "sampled five releases"
	}); !isField(err, "reviewed_by") {
		t.Fatalf("verified by nobody: %v", err)
	}
	if cur, _ := s.CorrectiveAction(ctx, ca.ID); cur.State != assessments.CorrectiveDone {
		t.Fatal("a refused review changed the action")
	}
	reviewed, err := assessments.ReviewAction(ca, f, false, "Lena Fischer", "2027-02-20", "Release 4.3 shipped without the gate")
	if err != nil {
		t.Fatal(err)
	}
	if ca, err = s.UpdateCorrectiveAction(ctx, ca, reviewed); err != nil || status() != assessments.FindingOpen {
		t.Fatalf("ineffective: %v %s", err, status())
	}
	ca, _ = step(ca, func(x *assessments.CorrectiveAction) { x.State = assessments.CorrectiveInProgress })
	ca, _ = step(ca, func(x *assessments.CorrectiveAction) { x.State = assessments.CorrectiveDone })
	reviewed, _ = assessments.ReviewAction(ca, f, true, "Lena Fischer", "2027-03-20", "Sampled releases 4.4 to 4.6: each has a signed validation report")
	if ca, err = s.UpdateCorrectiveAction(ctx, ca, reviewed); err != nil {
		t.Fatal(err)
	}
	if st := status(); st != assessments.FindingClosed {
		t.Errorf("finding %s after verification", st)
	}
	// A second action reopens the finding until it too is verified.
	if _, err := s.CreateCorrectiveAction(ctx, assessments.CorrectiveAction{FindingID: f.ID, Action: "Train the ML team"}); err != nil {
		t.Fatal(err)
	}
	if st := status(); st != assessments.FindingOpen {
		t.Errorf("finding %s with an open action", st)
	}
	changes, _ := s.Changes(ctx, ChangeFilter{Entity: CorrectiveEntity, EntityID: ca.ID})
	var states []string
	for _, c := range changes {
		if c.Field == "state" {
			states = append(states, c.New)
		}
	}
	if strings.Join(states, ">") != "open>in_progress>done>ineffective>in_progress>done>verified" {
		t.Errorf("state history %v", states)
	}
	checkChain(t, s)
}

func TestExaminedEvidenceKeepsItsHash(t *testing.T) {
	ctx := context.Background()
	s, e, _ := auditTestStore(t)
	a, _ := s.CreateAudit(ctx, sampleAudit(e))
	p := filepath.Join(t.TempDir(), "release-4.2-validation.md")
	if err := os.WriteFile(p, []byte("validation report\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ev, err := s.CreateEvidence(ctx, assessments.Evidence{EngagementID: e.ID, Title: "Validation report 4.2", Kind: assessments.KindDocument, Path: p}, AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	it, err := s.ExamineEvidence(ctx, item(a, i42("A.6.2.4")), []string{ev.ID})
	if err != nil || len(it.Evidence) != 1 || it.Evidence[0].SHA256 != ev.SHA256 || it.Evidence[0].ExaminedBy != "auditor" {
		t.Fatalf("examined %+v %v", it.Evidence, err)
	}
	if st := it.Evidence[0].StateAgainst(ev, true); st != assessments.ExaminedSame {
		t.Errorf("right after: %s", st)
	}
	// The file changes after the examination; the library's check sees it.
	if err := os.WriteFile(p, []byte("validation report, edited\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	later := auditClock.Add(time.Hour)
	s.now = func() time.Time { return later }
	if _, err := s.CheckEvidence(ctx, e.ID, nil); err != nil {
		t.Fatal(err)
	}
	now, _ := s.EvidenceItem(ctx, ev.ID)
	items, _ := s.ChecklistItems(ctx, a.ID)
	if st := items[i42("A.6.2.4")].Evidence[0].StateAgainst(now, true); st != assessments.ExaminedChanged {
		t.Errorf("after the change: %s", st)
	}
	// Removing it records a history row; the examined record outlives a deleted item.
	if it, err = s.ExamineEvidence(ctx, it, nil); err != nil || len(it.Evidence) != 0 {
		t.Fatalf("unexamine %+v %v", it.Evidence, err)
	}
	if _, err = s.ExamineEvidence(ctx, it, []string{ev.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteEvidence(ctx, ev.ID); err != nil {
		t.Fatal(err)
	}
	items, _ = s.ChecklistItems(ctx, a.ID)
	if x := items[i42("A.6.2.4")].Evidence; len(x) != 1 || x[0].Title != "Validation report 4.2" {
		t.Errorf("after delete %+v", x)
	}
	changes, _ := s.Changes(ctx, ChangeFilter{Entity: AuditItemEntity})
	n := 0
	for _, c := range changes {
		if c.Field == "evidence_examined" {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d history rows for examined evidence, want 3", n)
	}
	checkChain(t, s)
}

func TestRiskFromFindingAndActionLink(t *testing.T) {
	ctx := context.Background()
	set := catalogs.MustBuiltin()
	s, e, _ := auditTestStore(t)
	a, _ := s.CreateAudit(ctx, sampleAudit(e))
	got, _ := s.Conclude(ctx, set, item(a, i42("A.6.2.4")), assessments.MajorNC)
	r, err := s.CreateRiskFromFinding(ctx, got.Finding.ID)
	if err != nil || r.Ref != "R-001" || !strings.HasPrefix(r.Title, "F-2027-01-001: ") || len(r.Controls) != 2 {
		t.Fatalf("risk %+v %v", r, err)
	}
	f, _ := s.Finding(ctx, got.Finding.ID)
	if f.RiskID != r.ID {
		t.Error("the finding does not record its risk")
	}
	if _, err := s.CreateRiskFromFinding(ctx, f.ID); err == nil || !strings.Contains(err.Error(), "already raised") {
		t.Errorf("second risk: %v", err)
	}
	ca, err := s.CreateCorrectiveAction(ctx, assessments.CorrectiveAction{FindingID: f.ID, Action: "Gate", RiskID: r.ID})
	if err != nil || ca.RiskID != r.ID {
		t.Fatalf("linked action %+v %v", ca, err)
	}
	if _, err := s.CreateCorrectiveAction(ctx, assessments.CorrectiveAction{FindingID: f.ID, Action: "Gate", RiskID: "nope"}); !isField(err, "risk_id") {
		t.Errorf("unknown risk: %v", err)
	}
	// Deleting the audit takes its checklist, findings and actions; the risk stays.
	if err := s.DeleteAudit(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"audit_items", "findings", "corrective_actions"} {
		if n := countRows(t, s, table); n != 0 {
			t.Errorf("%s: %d rows after the audit was deleted", table, n)
		}
	}
	if _, err := s.Risk(ctx, r.ID); err != nil {
		t.Errorf("the raised risk went with the audit: %v", err)
	}
	checkChain(t, s)
}
