package store

import (
	"context"
	"errors"
	"testing"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

func TestSuggestionsSkipAndAccept(t *testing.T) {
	ctx := context.Background()
	s, path := openCatalogTestStore(t)
	set := catalogs.MustBuiltin()
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Acme", Standards: []string{catalogs.ISO27001, catalogs.ISO42001}})
	if err != nil {
		t.Fatal(err)
	}
	k := assessments.Key{EngagementID: e.ID, Standard: catalogs.ISO27001, Ref: "A.5.1"}
	src, _ := s.Result(ctx, k)
	impl := src
	impl.Status = assessments.Implemented
	if _, err := s.SaveResult(ctx, src, impl); err != nil {
		t.Fatal(err)
	}
	list, err := s.Suggestions(ctx, set, e)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < 2 {
		t.Fatalf("want at least 2 suggestions from 27001 A.5.1, got %+v", list)
	}
	first, second := list[0], list[1]

	// Skip one: it does not come back, also after a reopen; skipping twice is harmless.
	if err := s.SkipSuggestion(ctx, e.ID, first); err != nil {
		t.Fatal(err)
	}
	if err := s.SkipSuggestion(ctx, e.ID, first); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, path, Options{Author: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list2, _ := s.Suggestions(ctx, set, e)
	if len(list2) != len(list)-1 {
		t.Errorf("after skip: %d suggestions, want %d", len(list2), len(list)-1)
	}
	for _, sg := range list2 {
		if SkipKeyOf(sg) == SkipKeyOf(first) {
			t.Errorf("skipped suggestion came back: %+v", sg)
		}
	}
	skipRows, _ := s.Changes(ctx, ChangeFilter{EngagementID: e.ID, Entity: "suggestion"})
	if len(skipRows) != 1 || skipRows[0].Field != "skipped" {
		t.Errorf("skip history = %+v", skipRows)
	}

	// Accept another: needs review, provenance, carried status; it leaves the list.
	got, err := s.AcceptSuggestion(ctx, set, e.ID, second)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != second.Carried || !got.NeedsReview || got.Provenance != assessments.Provenance(set, second.From) {
		t.Errorf("accepted result = %+v", got)
	}
	// The provenance and the needs-review mark survive a reopen.
	s.Close()
	s, err = Open(ctx, path, Options{Author: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	reread, _ := s.Result(ctx, assessments.Key{EngagementID: e.ID, Standard: second.Standard, Ref: second.Ref})
	if reread.Provenance != got.Provenance || !reread.NeedsReview || reread.Status != second.Carried {
		t.Errorf("not kept across a reopen: %+v", reread)
	}
	hist, _ := s.Changes(ctx, ChangeFilter{EngagementID: e.ID, Entity: "result", EntityID: ResultEntityID(reread.Key())})
	var provRow bool
	for _, h := range hist {
		provRow = provRow || (h.Field == "provenance" && h.New == got.Provenance)
	}
	if !provRow {
		t.Errorf("no provenance in the history: %+v", hist)
	}
	for _, sg := range mustSuggestions(t, s, set, e) {
		if sg.Standard == second.Standard && sg.Ref == second.Ref {
			t.Errorf("accepted requirement still suggested: %+v", sg)
		}
	}

	// A second accept of the same suggestion is stale.
	if _, err := s.AcceptSuggestion(ctx, set, e.ID, second); !errors.Is(err, ErrSuggestionStale) {
		t.Errorf("accepting twice: %v", err)
	}
	// A source whose status changed since the list was made is stale too.
	rest := mustSuggestions(t, s, set, e)
	if len(rest) == 0 {
		t.Skip("no suggestion left to test staleness with")
	}
	cur, _ := s.Result(ctx, k)
	partial := cur
	partial.Status = assessments.Partial
	if _, err := s.SaveResult(ctx, cur, partial); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcceptSuggestion(ctx, set, e.ID, rest[0]); !errors.Is(err, ErrSuggestionStale) {
		t.Errorf("accept after the source changed: %v", err)
	}
}

func mustSuggestions(t *testing.T, s *Store, set *catalogs.Set, e assessments.Engagement) []assessments.Suggestion {
	t.Helper()
	list, err := s.Suggestions(context.Background(), set, e)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestSuggestionSkipsCascadeWithEngagement(t *testing.T) {
	ctx := context.Background()
	s, _ := openCatalogTestStore(t)
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Acme", Standards: []string{catalogs.ISO27001, catalogs.ISO42001}})
	if err != nil {
		t.Fatal(err)
	}
	sg := assessments.Suggestion{Standard: catalogs.ISO42001, Ref: "A.2.2", From: catalogs.Mapping{Standard: catalogs.ISO27001, Ref: "A.5.1"}}
	if err := s.SkipSuggestion(ctx, e.ID, sg); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEngagement(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.DB().QueryRowContext(ctx, "SELECT count(*) FROM suggestion_skips").Scan(&n); err != nil || n != 0 {
		t.Errorf("skips left after delete: %d %v", n, err)
	}
}
