package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/internal/pgtest"
)

func soaEntries(statuses ...assessments.Status) []assessments.SoAEntry {
	var out []assessments.SoAEntry
	for i, st := range statuses {
		ref := "A.5." + string(rune('1'+i))
		out = append(out, assessments.SoAEntryOf(ref, "Control "+ref, assessments.Result{Status: st, Justification: "none", Reasons: []assessments.InclusionReason{assessments.ReasonLegal}}, nil, nil))
	}
	return out
}

func historyOf(t *testing.T, s *Store, entity, id string) map[string]string {
	t.Helper()
	rows, err := s.Changes(context.Background(), ChangeFilter{Entity: entity, EntityID: id})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range rows {
		out[c.Field] = c.New
	}
	return out
}

func TestSoAVersionsIssueApproveFreeze(t *testing.T) {
	ctx := context.Background()
	s, e := riskTestStore(t)
	v1, again, err := s.IssueSoA(ctx, e.ID, catalogs.ISO27001, soaEntries(assessments.Implemented, assessments.Partial), "First issue.")
	if err != nil || again || v1.Version != 1 || v1.State != assessments.SoADraft || len(v1.Entries) != 2 {
		t.Fatalf("issue v1: %+v again=%v %v", v1, again, err)
	}
	h := historyOf(t, s, SoAEntity, v1.ID)
	if h["created"] != "yes" || h["version"] != "1" || h["contents_sha256"] != v1.Digest() || h["change_summary"] != "First issue." {
		t.Errorf("history of v1: %v", h)
	}
	if _, ok := h["entries"]; ok {
		t.Error("the history carries the whole snapshot; its digest is enough")
	}
	// Issuing again while v1 is a draft takes it anew.
	v1b, again, err := s.IssueSoA(ctx, e.ID, catalogs.ISO27001, soaEntries(assessments.Implemented, assessments.Implemented), "First issue, A.5.2 done.")
	if err != nil || !again || v1b.ID != v1.ID || v1b.Version != 1 || v1b.Entries[1].Status != assessments.Implemented {
		t.Fatalf("reissue: %+v again=%v %v", v1b, again, err)
	}
	// Approval needs a name and a date; nothing is written without.
	if _, err := s.ApproveSoA(ctx, v1b, "", "2026-03-02"); err == nil {
		t.Error("approved without a name")
	}
	// A stale view (v1 as first issued) is a conflict, not an approval of other contents.
	var ce *ConflictError
	if _, err := s.ApproveSoA(ctx, v1, "Dana Ruiz", "2026-03-02"); !errors.As(err, &ce) {
		t.Errorf("approving what was since issued again: %v", err)
	}
	ap, err := s.ApproveSoA(ctx, v1b, "Dana Ruiz", "2026-03-02")
	if err != nil || ap.State != assessments.SoAApproved || ap.Approver != "Dana Ruiz" {
		t.Fatalf("approve: %+v %v", ap, err)
	}
	// Frozen: the store refuses, and so does the file whatever writes to it.
	var fe *assessments.SoAFrozenError
	if _, err := s.ApproveSoA(ctx, ap, "Someone", "2026-03-03"); !errors.As(err, &fe) {
		t.Errorf("approving again: %v", err)
	}
	if err := s.WithdrawSoA(ctx, ap.ID); !errors.As(err, &fe) {
		t.Errorf("withdrawing an approved version: %v", err)
	}
	if _, err := s.Handler().ExecContext(ctx, "UPDATE soa_versions SET change_summary = 'edited' WHERE id = ?", ap.ID); err == nil || !strings.Contains(err.Error(), "frozen") {
		t.Errorf("raw update of an approved version: %v", err)
	}
	// The next issue is v2, a draft; only one draft at a time.
	v2, again, err := s.IssueSoA(ctx, e.ID, catalogs.ISO27001, soaEntries(assessments.Implemented, assessments.NotImplemented), "A.5.2 regressed.")
	if err != nil || again || v2.Version != 2 {
		t.Fatalf("issue v2: %+v %v", v2, err)
	}
	if _, err := s.Handler().ExecContext(ctx, `INSERT INTO soa_versions(id, engagement_id, standard, version, state, change_summary, entries, contents_sha256,
		issued_at, issued_by, updated_at, updated_by) VALUES ('x', ?, ?, 3, 'draft', 's', '[]', ?, 'a', 'b', 'c', 'd')`, e.ID, catalogs.ISO27001, strings.Repeat("0", 64)); err == nil {
		t.Error("a second draft was accepted")
	}
	list, err := s.SoAVersions(ctx, e.ID, catalogs.ISO27001)
	if err != nil || len(list) != 2 || list[0].Version != 2 || list[1].Version != 1 {
		t.Fatalf("versions: %v %v", list, err)
	}
	// Another standard counts from 1.
	if v, _, err := s.IssueSoA(ctx, e.ID, catalogs.ISO42001, soaEntries(assessments.Partial), "First issue."); err != nil || v.Version != 1 {
		t.Errorf("42001 v1: %+v %v", v, err)
	}
	// Withdrawing the draft leaves a history row; v2 is free again.
	if err := s.WithdrawSoA(ctx, v2.ID); err != nil {
		t.Fatal(err)
	}
	if h := historyOf(t, s, SoAEntity, v2.ID); h["deleted"] != "yes" {
		t.Errorf("withdrawal not recorded: %v", h)
	}
	if n, problem, err := s.VerifyChain(ctx); err != nil || problem != nil {
		t.Errorf("chain: %d rows, %+v, %v", n, problem, err)
	}
}

func TestSoAVersionRefusals(t *testing.T) {
	ctx := context.Background()
	s, e := riskTestStore(t)
	if _, _, err := s.IssueSoA(ctx, e.ID, catalogs.ISO27001, soaEntries(assessments.Implemented), "  "); err == nil {
		t.Error("issued without a summary")
	}
	if _, _, err := s.IssueSoA(ctx, "no-such-engagement", catalogs.ISO27001, nil, "x"); err == nil {
		t.Error("issued for an engagement that does not exist")
	}
	if n := riskCountRows(t, s, "soa_versions"); n != 0 {
		t.Errorf("%d versions written by refused issues", n)
	}
	v, _, err := s.IssueSoA(ctx, e.ID, catalogs.ISO27001, soaEntries(assessments.Implemented), "First issue.")
	if err != nil {
		t.Fatal(err)
	}
	// The clock says 2026-03-02: an approval dated before the issue is refused.
	var ve *assessments.ValidationError
	if _, err := s.ApproveSoA(ctx, v, "Dana Ruiz", "2026-03-01"); !errors.As(err, &ve) || ve.Field != "approved_on" {
		t.Errorf("approval before issue: %v", err)
	}
	// Contents edited behind annex's back no longer match their digest.
	if _, err := s.Handler().ExecContext(ctx, `UPDATE soa_versions SET entries = '[]' WHERE id = ?`, v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SoAVersion(ctx, v.ID); !errors.Is(err, ErrSoATampered) {
		t.Errorf("tampered contents read as %v", err)
	}
}

func TestTreatmentActionsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, e := riskTestStore(t)
	r, err := s.CreateRisk(ctx, sampleRisk(e))
	if err != nil {
		t.Fatal(err)
	}
	in := assessments.TreatmentAction{RiskID: r.ID, Title: "Provenance check on every partner batch", Owner: "Ravi Patel",
		Resources: "2 engineer-weeks", StartDate: "2026-03-01", DueDate: "2026-04-15", Status: assessments.ActionInProgress,
		Controls: []assessments.ControlRef{{Standard: catalogs.ISO42001, Ref: "A.7.5"}}, CorrectiveRef: "CA-7"}
	a, err := s.CreateTreatmentAction(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if a.EngagementID != e.ID || a.Title != in.Title || a.Controls[0] != in.Controls[0] || a.CorrectiveRef != "CA-7" {
		t.Errorf("created %+v", a)
	}
	if h := historyOf(t, s, ActionEntity, a.ID); h["created"] != "yes" || h["risk_id"] != r.ID || h["due_date"] != "2026-04-15" {
		t.Errorf("creation history: %v", h)
	}
	bad := in
	bad.DueDate = "2026-02-01"
	var ve *assessments.ValidationError
	if _, err := s.CreateTreatmentAction(ctx, bad); !errors.As(err, &ve) || ve.Field != "due_date" {
		t.Errorf("due before start: %v", err)
	}
	done := a
	done.Status = assessments.ActionDone
	saved, err := s.UpdateTreatmentAction(ctx, a, done)
	if err != nil || saved.Status != assessments.ActionDone {
		t.Fatalf("update: %+v %v", saved, err)
	}
	// Another view of the same action changes the status too: a conflict.
	other := a
	other.Status = assessments.ActionCancelled
	var ce *ConflictError
	if _, err := s.UpdateTreatmentAction(ctx, a, other); !errors.As(err, &ce) || ce.Theirs != "done" {
		t.Errorf("stale edit: %v", err)
	}
	// A different field from the same stale view merges.
	owner := a
	owner.Owner = "Amara Nwosu"
	if got, err := s.UpdateTreatmentAction(ctx, a, owner); err != nil || got.Owner != "Amara Nwosu" || got.Status != assessments.ActionDone {
		t.Errorf("merge: %+v %v", got, err)
	}
	second, err := s.CreateTreatmentAction(ctx, assessments.TreatmentAction{RiskID: r.ID, Title: "Quarterly restore test", DueDate: "2026-03-20"})
	if err != nil {
		t.Fatal(err)
	}
	plans, err := s.TreatmentActions(ctx, e.ID)
	if err != nil || len(plans[r.ID]) != 2 || plans[r.ID][0].ID != second.ID {
		t.Fatalf("plans: %v %v", plans, err)
	}
	if err := s.DeleteTreatmentAction(ctx, second.ID); err != nil {
		t.Fatal(err)
	}
	if h := historyOf(t, s, ActionEntity, second.ID); h["deleted"] != "yes" {
		t.Errorf("deletion not recorded: %v", h)
	}
	// Deleting the risk takes its plan with it.
	if err := s.DeleteRisk(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if n := riskCountRows(t, s, "treatment_actions"); n != 0 {
		t.Errorf("%d actions left after their risk was deleted", n)
	}
	if _, err := s.CreateTreatmentAction(ctx, in); !errors.Is(err, ErrNotFound) {
		t.Errorf("action for a deleted risk: %v", err)
	}
	if n, problem, err := s.VerifyChain(ctx); err != nil || problem != nil {
		t.Errorf("chain: %d rows, %+v, %v", n, problem, err)
	}
}

func TestReportControlSave(t *testing.T) {
	ctx := context.Background()
	s, e := riskTestStore(t)
	c, err := s.ReportControl(ctx, e.ID)
	if err != nil || c.EffectiveStatus() != assessments.ReportDraft || c.Classification != assessments.ClassConfidential {
		t.Fatalf("default: %+v %v", c, err)
	}
	final := c
	final.Status = assessments.ReportFinal
	var ve *assessments.ValidationError
	if _, err := s.SaveReportControl(ctx, c, final); !errors.As(err, &ve) || ve.Field != "approver" {
		t.Errorf("final without approver: %v", err)
	}
	if n := riskCountRows(t, s, "report_controls"); n != 0 {
		t.Errorf("a refused save wrote %d rows", n)
	}
	final.Approver, final.ApprovedOn, final.Distribution, final.Version = "Dana Ruiz", "2026-03-02", "Board; CISO", "1.0"
	saved, err := s.SaveReportControl(ctx, c, final)
	if err != nil || saved.Status != assessments.ReportFinal || saved.Distribution != "Board; CISO" {
		t.Fatalf("save: %+v %v", saved, err)
	}
	if h := historyOf(t, s, ReportControlEntity, e.ID); h["status"] != "final" || h["approver"] != "Dana Ruiz" {
		t.Errorf("history: %v", h)
	}
}

func TestPackRecords(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s, err := Open(ctx, pgtest.Workspace(t, "ws.db"), Options{Author: "tester", Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Packs", Standards: []string{catalogs.ISO27001}})
	if err != nil {
		t.Fatal(err)
	}
	last, _ := s.LastChangeAt(ctx, e.ID)
	if _, ok, err := s.LastPackBefore(ctx, e.ID, "2026-03-02T10:00:00Z"); ok || err != nil {
		t.Errorf("no pack yet: %v %v", ok, err)
	}
	for _, asOf := range []string{"2026-02-01T09:00:00Z", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z"} {
		if _, err := s.RecordPack(ctx, PackRecord{EngagementID: e.ID, AsOf: asOf, Path: "/tmp/p.zip", SHA256: "ab", Snapshot: []byte(`{"as_of":"` + asOf + `"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	p, ok, err := s.LastPackBefore(ctx, e.ID, "2026-03-01T09:00:00Z")
	if err != nil || !ok || p.AsOf != "2026-02-01T09:00:00Z" {
		t.Errorf("a pack of the same state is not the last one: %+v %v %v", p, ok, err)
	}
	if p, ok, _ := s.LastPackBefore(ctx, e.ID, "2026-04-01T00:00:00Z"); !ok || p.AsOf != "2026-03-01T09:00:00Z" {
		t.Errorf("later state: %+v", p)
	}
	if n, _ := s.PackCount(ctx, e.ID, "2026-04-01T00:00:00Z"); n != 2 {
		t.Errorf("%d packs of distinct states, want 2", n)
	}
	// Recording a pack does not change the engagement: its next export shows the same time.
	if again, _ := s.LastChangeAt(ctx, e.ID); again != last {
		t.Errorf("the engagement's last change moved from %s to %s", last, again)
	}
	if bad := (PackRecord{EngagementID: e.ID, AsOf: "x", Snapshot: []byte("{")}); true {
		if _, err := s.RecordPack(ctx, bad); err == nil {
			t.Error("a damaged snapshot was recorded")
		}
	}
}

func TestImportCarriesPlanAndSoA(t *testing.T) {
	ctx := context.Background()
	s, e := riskTestStore(t)
	r, err := s.CreateRisk(ctx, sampleRisk(e))
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.CreateTreatmentAction(ctx, assessments.TreatmentAction{RiskID: r.ID, Title: "Provenance checks", DueDate: "2026-05-01"})
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := s.IssueSoA(ctx, e.ID, catalogs.ISO27001, soaEntries(assessments.Implemented), "First issue.")
	if err != nil {
		t.Fatal(err)
	}
	v, err = s.ApproveSoA(ctx, v, "Dana Ruiz", "2026-03-02")
	if err != nil {
		t.Fatal(err)
	}
	risks, _ := s.Risks(ctx, e.ID)
	rc := assessments.ReportControl{Status: assessments.ReportFinal, Classification: assessments.ClassInternal, Approver: "Dana Ruiz", ApprovedOn: "2026-03-02"}
	in := ImportData{Engagement: e, Risks: risks, RiskSequence: 1, Actions: []assessments.TreatmentAction{a}, SoAVersions: []assessments.SoAVersion{v}, ReportControl: &rc}
	cp, err := s.ImportEngagement(ctx, in, ImportOptions{AsCopy: true})
	if err != nil {
		t.Fatal(err)
	}
	plans, _ := s.TreatmentActions(ctx, cp.ID)
	cr, _ := s.Risks(ctx, cp.ID)
	if len(cr) != 1 || len(plans[cr[0].ID]) != 1 || plans[cr[0].ID][0].ID == a.ID {
		t.Errorf("the copy's plan: %v", plans)
	}
	vs, _ := s.SoAVersions(ctx, cp.ID, catalogs.ISO27001)
	if len(vs) != 1 || vs[0].State != assessments.SoAApproved || vs[0].Digest() != v.Digest() || vs[0].ID == v.ID {
		t.Errorf("the copy's SoA: %+v", vs)
	}
	if got, _ := s.ReportControl(ctx, cp.ID); got.Status != assessments.ReportFinal || got.Classification != assessments.ClassInternal {
		t.Errorf("the copy's report control: %+v", got)
	}
}
