package store

import (
	"context"
	"testing"

	"github.com/annex-grc/annex/assessments"
)

// TestRiskOverviewCarriesWhatItNames: the overview lists the same risks in the same order
// as Risks, with the fields it promises equal to the full record's.
func TestRiskOverviewCarriesWhatItNames(t *testing.T) {
	s, e := riskTestStore(t)
	ctx := context.Background()
	for i := range 4 {
		r := sampleRisk(e)
		r.Owner = []string{"Dana Ruiz", "", "Ola Berg", "Sam Ito"}[i]
		r.ReviewDate = []string{"2026-01-10", "", "2027-06-01", "2025-12-31"}[i]
		if i == 2 {
			r.Residual = assessments.Score{Likelihood: 1, Consequence: 2}
		}
		if i == 3 {
			r.Acceptance = &assessments.Acceptance{By: "Sam Ito", Date: "2026-01-02", Rationale: "cheap", Residual: r.Residual}
		}
		if _, err := s.CreateRisk(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	full, err := s.Risks(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	brief, err := s.RiskOverview(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(brief) != len(full) {
		t.Fatalf("overview lists %d risks, Risks %d", len(brief), len(full))
	}
	for i, f := range full {
		want := assessments.Risk{ID: f.ID, EngagementID: f.EngagementID, Ref: f.Ref, Title: f.Title, Owner: f.Owner, Status: f.Status,
			Inherent: f.Inherent, Residual: f.Residual, ReviewDate: f.ReviewDate}
		b := brief[i]
		if b.ID != want.ID || b.EngagementID != want.EngagementID || b.Ref != want.Ref || b.Title != want.Title || b.Owner != want.Owner ||
			b.Status != want.Status || b.Inherent != want.Inherent || b.Residual != want.Residual || b.ReviewDate != want.ReviewDate {
			t.Errorf("overview %d = %+v\nwant %+v", i, b, want)
		}
		if b.Treatment != f.Treatment || (b.Acceptance == nil) != (f.Acceptance == nil) || b.AcceptedNow() != f.AcceptedNow() {
			t.Errorf("%s: the overview's treatment or acceptance differs from the record's", f.Ref)
		}
		if b.EffectiveResidual() != f.EffectiveResidual() || b.EffectiveStatus() != f.EffectiveStatus() {
			t.Errorf("%s: the overview's effective residual or status differs from the record's", f.Ref)
		}
	}
}
