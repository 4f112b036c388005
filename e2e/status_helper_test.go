package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
)

// assertStatus opens the workspace read-only and checks one requirement's stored status.
func assertStatus(t *testing.T, db, standard, ref, want string) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", db, err)
	}
	defer s.Close()
	if res, err := s.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity_check = %q, %v", res, err)
	}
	engs, err := s.Engagements(ctx)
	if err != nil || len(engs) == 0 {
		t.Fatalf("engagements: %v", err)
	}
	r, err := s.Result(ctx, assessments.Key{EngagementID: engs[0].ID, Standard: standard, Ref: ref})
	if err != nil {
		t.Fatal(err)
	}
	if string(r.EffectiveStatus()) != want {
		t.Errorf("%s %s status = %s, want %s", standard, ref, r.EffectiveStatus(), want)
	}
}

// assertNote checks that a requirement's stored notes end with want.
func assertNote(t *testing.T, db, standard, ref, want string) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", db, err)
	}
	defer s.Close()
	engs, err := s.Engagements(ctx)
	if err != nil || len(engs) == 0 {
		t.Fatalf("engagements: %v", err)
	}
	r, err := s.Result(ctx, assessments.Key{EngagementID: engs[0].ID, Standard: standard, Ref: ref})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(r.Notes, want) {
		t.Errorf("%s %s notes = %q, want it to end with %q", standard, ref, r.Notes, want)
	}
}
