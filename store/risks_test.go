package store

import (
	"context"
	"errors"
	"github.com/annex-grc/annex/internal/pgtest"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

func riskTestStore(t *testing.T) (*Store, assessments.Engagement) {
	t.Helper()
	ctx := context.Background()
	clock := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s, err := Open(ctx, pgtest.Workspace(t, "ws.db"), Options{Author: "tester", Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Risky", Standards: []string{catalogs.ISO27001, catalogs.ISO42001}})
	if err != nil {
		t.Fatal(err)
	}
	return s, e
}

func sampleRisk(e assessments.Engagement) assessments.Risk {
	return assessments.Risk{
		EngagementID: e.ID, Title: "Training data poisoned through a partner feed", Description: "Line one\nline two",
		Scope: assessments.ScopeBoth, Approach: assessments.ApproachEvent, Scenario: "A partner uploads crafted images.",
		Asset: "Medivance Lens", Owner: "Ravi Patel", Properties: []string{assessments.PropIntegrity},
		Objectives: []string{"safety", "robustness"}, Sources: []string{"machine_learning"},
		ConsequenceOrg: "Recall of the model", ConsequenceIndividuals: "Missed findings", ConsequenceSociety: "Loss of trust",
		Inherent: assessments.Score{Likelihood: 3, Consequence: 5}, ExistingControls: "Manual spot checks",
		Treatment: assessments.TreatModify, TreatmentPlan: "Provenance checks on every batch",
		Controls: []assessments.ControlRef{{Standard: catalogs.ISO42001, Ref: "A.7.5"}, {Standard: catalogs.ISO27001, Ref: "A.5.19"}},
		Residual: assessments.Score{Likelihood: 2, Consequence: 4}, ReviewDate: "2026-09-30", Status: assessments.RiskInTreatment,
	}
}

func riskCountRows(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRiskRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, e := riskTestStore(t)
	in := sampleRisk(e)
	got, err := s.CreateRisk(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if got.Ref != "R-001" || got.ID == "" {
		t.Fatalf("ref %q id %q", got.Ref, got.ID)
	}
	back, err := s.Risk(ctx, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.ID, want.Ref = got.ID, "R-001"
	want.Controls = []assessments.ControlRef{{Standard: catalogs.ISO27001, Ref: "A.5.19"}, {Standard: catalogs.ISO42001, Ref: "A.7.5"}}
	back.CreatedAt, back.UpdatedAt, back.UpdatedBy = time.Time{}, time.Time{}, ""
	if !reflect.DeepEqual(back, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", back, want)
	}
	// Links of both standards show from each requirement.
	for _, c := range want.Controls {
		linked, err := s.RisksLinkingRequirement(ctx, e.ID, c.Standard, c.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if len(linked) != 1 || linked[0].Ref != "R-001" {
			t.Fatalf("%s %s linked by %v", c.Standard, c.Ref, linked)
		}
	}
	if linked, _ := s.RisksLinkingRequirement(ctx, e.ID, catalogs.ISO27001, "A.7.5"); len(linked) != 0 {
		t.Fatal("27001 A.7.5 is not linked; only 42001 A.7.5 is")
	}
	reasons, err := s.RiskInclusionReasons(ctx, e.ID, catalogs.ISO42001)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(reasons, map[string][]string{"A.7.5": {"risk treatment: R-001"}}) {
		t.Fatalf("inclusion reasons %v", reasons)
	}
	// Every field of the creation is in the history, in the same transaction.
	ch, err := s.Changes(ctx, ChangeFilter{Entity: RiskEntity, EntityID: got.ID})
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{}
	for _, c := range ch {
		fields[c.Field] = c.New
	}
	if fields["created"] != "yes" || fields["ref"] != "R-001" || fields["controls"] != "iso27001-2022:A.5.19,iso42001-2023:A.7.5" {
		t.Fatalf("history of creation: %v", fields)
	}
}

func TestRiskRefsPerEngagementNeverReused(t *testing.T) {
	ctx := context.Background()
	s, e := riskTestStore(t)
	other, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Other", Standards: []string{catalogs.ISO27001}})
	if err != nil {
		t.Fatal(err)
	}
	r1, _ := s.CreateRisk(ctx, sampleRisk(e))
	r2, _ := s.CreateRisk(ctx, sampleRisk(e))
	o1, err := s.CreateRisk(ctx, sampleRisk(other))
	if err != nil {
		t.Fatal(err)
	}
	if r1.Ref != "R-001" || r2.Ref != "R-002" || o1.Ref != "R-001" {
		t.Fatalf("refs %s %s %s", r1.Ref, r2.Ref, o1.Ref)
	}
	if err := s.DeleteRisk(ctx, r2.ID); err != nil {
		t.Fatal(err)
	}
	r3, _ := s.CreateRisk(ctx, sampleRisk(e))
	if r3.Ref != "R-003" {
		t.Fatalf("after deleting R-002 the next ref is %s, want R-003", r3.Ref)
	}
	list, _ := s.Risks(ctx, e.ID)
	if len(list) != 2 || list[0].Ref != "R-001" || list[1].Ref != "R-003" {
		t.Fatalf("register %v", list)
	}
	if n := riskCountRows(t, s, "risk_controls"); n != 6 { // r1, r3 and o1 with two links each
		t.Fatalf("%d links, want 6", n)
	}
	if n := riskCountRows(t, s, "risk_controls WHERE risk_id = '"+r2.ID+"'"); n != 0 {
		t.Fatalf("links of the deleted risk remain: %d", n)
	}
	ch, _ := s.Changes(ctx, ChangeFilter{Entity: RiskEntity, EntityID: r2.ID})
	if last := ch[len(ch)-1]; last.Field != "deleted" || last.Old != "R-002 "+r2.Title {
		t.Fatalf("delete not recorded: %+v", last)
	}
}

func TestBadRiskWritesNothing(t *testing.T) {
	ctx := context.Background()
	s, e := riskTestStore(t)
	tests := []struct {
		name  string
		edit  func(*assessments.Risk)
		field string
	}{
		{"empty title", func(r *assessments.Risk) { r.Title = "" }, "title"},
		{"likelihood outside the matrix", func(r *assessments.Risk) { r.Inherent.Likelihood = 6 }, "inherent_likelihood"},
		{"consequence outside the matrix", func(r *assessments.Risk) { r.Residual.Consequence = 0 }, "residual_consequence"},
		{"retain above threshold without acceptance", func(r *assessments.Risk) { r.Treatment = assessments.TreatRetain }, "accepted_by"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := riskCountRows(t, s, "changes")
			r := sampleRisk(e)
			tt.edit(&r)
			_, err := s.CreateRisk(ctx, r)
			var ve *assessments.ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field || ve.Message == "" {
				t.Fatalf("CreateRisk = %v, want a message about %s", err, tt.field)
			}
			if n := riskCountRows(t, s, "risks"); n != 0 {
				t.Fatalf("%d risks written", n)
			}
			if n := riskCountRows(t, s, "risk_controls"); n != 0 {
				t.Fatalf("%d links written", n)
			}
			if n := riskCountRows(t, s, "risk_sequences"); n != 0 {
				t.Fatalf("a ref was allocated for a refused risk")
			}
			if after := riskCountRows(t, s, "changes"); after != before {
				t.Fatalf("history grew by %d rows", after-before)
			}
		})
	}
	// A 3x3 matrix makes a 4 out of range for updates too.
	m := assessments.DefaultMatrix(3)
	if _, err := s.SaveRiskMatrix(ctx, e.ID, assessments.DefaultMatrix(5), m); err != nil {
		t.Fatal(err)
	}
	r := sampleRisk(e)
	r.Inherent, r.Residual = assessments.Score{Likelihood: 2, Consequence: 3}, assessments.Score{Likelihood: 1, Consequence: 2}
	saved, err := s.CreateRisk(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	bad := saved
	bad.Inherent.Likelihood = 4
	before := riskCountRows(t, s, "changes")
	var ve *assessments.ValidationError
	if _, err := s.UpdateRisk(ctx, saved, bad); !errors.As(err, &ve) || ve.Field != "inherent_likelihood" {
		t.Fatalf("UpdateRisk with likelihood 4 on 3x3 = %v", err)
	}
	retain := saved
	retain.Treatment, retain.Residual = assessments.TreatRetain, assessments.Score{Likelihood: 3, Consequence: 3}
	if _, err := s.UpdateRisk(ctx, saved, retain); !errors.As(err, &ve) || ve.Field != "accepted_by" {
		t.Fatalf("retain High without acceptance = %v", err)
	}
	noTitle := saved
	noTitle.Title = "  "
	if _, err := s.UpdateRisk(ctx, saved, noTitle); !errors.As(err, &ve) || ve.Field != "title" {
		t.Fatalf("blank title = %v", err)
	}
	if riskCountRows(t, s, "changes") != before {
		t.Fatal("a refused update wrote history")
	}
	cur, _ := s.Risk(ctx, saved.ID)
	if cur.Inherent != saved.Inherent || cur.Treatment != saved.Treatment || cur.Title != saved.Title {
		t.Fatalf("a refused update changed the risk: %+v", cur)
	}
}

func TestAcceptanceFrozenAndStale(t *testing.T) {
	ctx := context.Background()
	s, e := riskTestStore(t)
	r := sampleRisk(e)
	r.Treatment, r.Residual = assessments.TreatRetain, assessments.Score{Likelihood: 3, Consequence: 3} // Medium, above Low
	r.Acceptance = &assessments.Acceptance{By: "Priya Raman", Date: "2026-03-01", Rationale: "Compensating review", Residual: r.Residual}
	r.Status = assessments.RiskAccepted
	saved, err := s.CreateRisk(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if saved.AcceptanceStale() {
		t.Fatal("fresh acceptance shows stale")
	}
	// Change the residual: allowed, and the acceptance now shows stale.
	next := saved
	next.Residual = assessments.Score{Likelihood: 4, Consequence: 3}
	after, err := s.UpdateRisk(ctx, saved, next)
	if err != nil {
		t.Fatal(err)
	}
	if !after.AcceptanceStale() || after.Acceptance.Residual != (assessments.Score{Likelihood: 3, Consequence: 3}) {
		t.Fatalf("acceptance after residual change: stale=%v %+v", after.AcceptanceStale(), after.Acceptance)
	}
	// Rewriting the record's residual in place is refused.
	moved := after
	a := *after.Acceptance
	a.Residual = after.Residual
	moved.Acceptance = &a
	if _, err := s.UpdateRisk(ctx, after, moved); err == nil {
		t.Fatal("the frozen record was rewritten")
	}
	// A new acceptance for the new residual clears the flag.
	renewed := after
	renewed.Acceptance = assessments.NextAcceptance(after.Acceptance, "Priya Raman", "2026-03-02", "Re-accepted after review", after.Residual)
	final, err := s.UpdateRisk(ctx, after, renewed)
	if err != nil {
		t.Fatal(err)
	}
	if final.AcceptanceStale() || final.Acceptance.Date != "2026-03-02" {
		t.Fatalf("renewed acceptance: %+v", final.Acceptance)
	}
}

func TestUpdateRiskConflict(t *testing.T) {
	ctx := context.Background()
	s, e := riskTestStore(t)
	saved, err := s.CreateRisk(ctx, sampleRisk(e))
	if err != nil {
		t.Fatal(err)
	}
	a := saved
	a.Owner = "Someone else"
	if _, err := s.UpdateRisk(ctx, saved, a); err != nil {
		t.Fatal(err)
	}
	// A second editor who read the old owner and changes it too is refused...
	b := saved
	b.Owner = "Third person"
	if _, err := s.UpdateRisk(ctx, saved, b); !errors.Is(err, ErrConflict) {
		t.Fatalf("conflicting edit = %v", err)
	}
	// ...but an edit of another field from the same stale read goes through.
	c := saved
	c.Title = "Renamed"
	got, err := s.UpdateRisk(ctx, saved, c)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Renamed" || got.Owner != "Someone else" {
		t.Fatalf("merged edit: %+v", got)
	}
}

func TestRiskMatrixDefaultSaveAndRescale(t *testing.T) {
	ctx := context.Background()
	s, e := riskTestStore(t)
	m, err := s.RiskMatrix(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, assessments.DefaultMatrix(5)) {
		t.Fatalf("default matrix %+v", m)
	}
	r := sampleRisk(e) // inherent 3x5, residual 2x4
	r.Treatment = assessments.TreatRetain
	r.Residual = assessments.Score{Likelihood: 4, Consequence: 4}
	r.Acceptance = &assessments.Acceptance{By: "Priya", Date: "2026-03-01", Rationale: "ok", Residual: r.Residual}
	saved, err := s.CreateRisk(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	next := assessments.DefaultMatrix(3)
	next.LikelihoodLabels[0] = "Seldom"
	preview := assessments.Rescale(m, next, []assessments.Risk{saved})
	got, err := s.SaveRiskMatrix(ctx, e.ID, m, next)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, next) {
		t.Fatalf("saved matrix %+v", got)
	}
	back, _ := s.Risk(ctx, saved.ID)
	if back.Inherent != preview[0].NewInherent || back.Residual != preview[0].NewResidual {
		t.Fatalf("rescaled to %v/%v, preview said %v/%v", back.Inherent, back.Residual, preview[0].NewInherent, preview[0].NewResidual)
	}
	if back.AcceptanceStale() {
		t.Fatal("rescaling made the acceptance stale")
	}
	// The matrix edit and the rescale are in the history.
	ch, _ := s.Changes(ctx, ChangeFilter{Entity: "risk_matrix"})
	if len(ch) == 0 {
		t.Fatal("matrix change not recorded")
	}
	// A stale before is a conflict.
	if _, err := s.SaveRiskMatrix(ctx, e.ID, m, assessments.DefaultMatrix(4)); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale matrix edit = %v", err)
	}
	// An invalid matrix is refused and nothing changes.
	bad := got.Clone()
	bad.Threshold = 9
	if _, err := s.SaveRiskMatrix(ctx, e.ID, got, bad); err == nil {
		t.Fatal("invalid matrix saved")
	}
	again, _ := s.RiskMatrix(ctx, e.ID)
	if !reflect.DeepEqual(again, got) {
		t.Fatal("refused matrix changed the stored one")
	}
}

func TestDeleteEngagementDeletesRisks(t *testing.T) {
	ctx := context.Background()
	s, e := riskTestStore(t)
	if _, err := s.CreateRisk(ctx, sampleRisk(e)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveRiskMatrix(ctx, e.ID, assessments.DefaultMatrix(5), assessments.DefaultMatrix(4)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEngagement(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	for _, tbl := range []string{"risks", "risk_controls", "risk_matrices", "risk_sequences"} {
		if n := riskCountRows(t, s, tbl); n != 0 {
			t.Errorf("%s keeps %d rows after the engagement was deleted", tbl, n)
		}
	}
}

func TestCreateRisksInOneTransaction(t *testing.T) {
	ctx := context.Background()
	s, e := riskTestStore(t)
	good, bad := sampleRisk(e), sampleRisk(e)
	bad.Title = ""
	if _, err := s.CreateRisks(ctx, []assessments.Risk{good, bad}); err == nil {
		t.Fatal("a bad risk in the batch was accepted")
	}
	if n := riskCountRows(t, s, "risks"); n != 0 {
		t.Fatalf("%d risks of a refused batch written", n)
	}
	out, err := s.CreateRisks(ctx, []assessments.Risk{good, good, good})
	if err != nil {
		t.Fatal(err)
	}
	if out[2].Ref != "R-003" {
		t.Fatalf("third ref %s", out[2].Ref)
	}
}

func BenchmarkRisks(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "ws.db"), Options{Author: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	e, _ := s.CreateEngagement(ctx, assessments.Engagement{Name: "Bench", Standards: []string{catalogs.ISO27001}})
	batch := make([]assessments.Risk, 2000)
	for i := range batch {
		batch[i] = sampleRisk(e)
	}
	if _, err := s.CreateRisks(ctx, batch); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Risks(ctx, e.ID); err != nil {
			b.Fatal(err)
		}
	}
}
