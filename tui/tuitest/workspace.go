package tuitest

import (
	"context"
	"testing"

	"github.com/annex-grc/annex/store"
)

// CheckWorkspace fails the test unless the workspace passes SQLite's integrity check and
// its change history's hash chain verifies.
func CheckWorkspace(t testing.TB, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	if res, err := s.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q %v", res, err)
	}
	if _, problem, err := s.VerifyChain(ctx); err != nil || problem != nil {
		t.Fatalf("history chain: %+v %v", problem, err)
	}
}
