package store

import (
	"context"
	"slices"
	"testing"

	"github.com/annex-grc/annex/assessments"
)

// TestEvidenceOverviewCarriesWhatItNames: the overview lists the same items in the same
// order as Evidence, with the fields it promises and the requirement links equal to the
// full record's, so the figures computed from it are the same.
func TestEvidenceOverviewCarriesWhatItNames(t *testing.T) {
	ctx := context.Background()
	f := newEvidenceFixture(t)
	rk := sampleRisk(f.e)
	r, err := f.s.CreateRisk(ctx, rk)
	if err != nil {
		t.Fatal(err)
	}
	items := []assessments.Evidence{
		{Title: "b policy", Kind: assessments.KindDocument, Path: f.file(t, "p.md", "policy"), ValidUntil: "2026-01-01",
			Links: []assessments.EvidenceLink{req("iso27001-2022", "A.5.1"), req("iso42001-2023", "A.2.2"), {Target: assessments.LinkRisk, Ref: r.ID}}},
		{Title: "A review", Kind: assessments.KindRecord, Path: f.file(t, "r.csv", "x"), Links: []assessments.EvidenceLink{req("iso27001-2022", "A.5.18")}},
		{Title: "c unlinked", Kind: assessments.KindLink, URL: "https://example.com/x", ValidUntil: "2030-06-30"},
	}
	for _, it := range items {
		it.EngagementID = f.e.ID
		if _, err := f.s.CreateEvidence(ctx, it, AttachOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	full, err := f.s.Evidence(ctx, f.e.ID)
	if err != nil {
		t.Fatal(err)
	}
	brief, err := f.s.EvidenceOverview(ctx, f.e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(brief) != len(full) {
		t.Fatalf("overview lists %d items, Evidence %d", len(brief), len(full))
	}
	now := f.s.Now()
	for i, it := range full {
		b := brief[i]
		var reqLinks []assessments.EvidenceLink
		for _, l := range it.Links {
			if l.Target == assessments.LinkRequirement {
				reqLinks = append(reqLinks, l)
			}
		}
		if b.ID != it.ID || b.Title != it.Title || b.ValidUntil != it.ValidUntil || b.Integrity != it.Integrity || !slices.Equal(b.Links, reqLinks) {
			t.Errorf("overview %d = %+v\nwant the fields of %+v", i, b, it)
		}
		if b.StateAt(now) != it.StateAt(now) {
			t.Errorf("%s: state %s from the overview, %s from the record", it.Title, b.StateAt(now), it.StateAt(now))
		}
	}
	for _, std := range []string{"iso27001-2022", "iso42001-2023"} {
		if got, want := assessments.ValidEvidenceRefs(brief, std, now), assessments.ValidEvidenceRefs(full, std, now); len(got) != len(want) {
			t.Errorf("%s: valid refs %v from the overview, %v from the records", std, got, want)
		}
	}
}
