package tuitest

import (
	"context"
	"testing"

	"github.com/annex-grc/annex/store"
)

// CheckWorkspace fails the test unless the workspace passes what `annex log --verify` and
// `annex doctor` check: SQLite's integrity check, the change history's hash chain, the
// replay of every stored value from the history, and the imported history's anchors.
func CheckWorkspace(t testing.TB, s *store.Store) {
	t.Helper()
	CheckFileAndChain(t, s)
	ctx := context.Background()
	rep, err := s.ReplayHistory(ctx)
	if err != nil {
		t.Fatalf("history replay: %v", err)
	}
	if len(rep.Problems) > 0 {
		t.Fatalf("history replay: %d stored values the history does not explain, first %+v", len(rep.Problems), rep.Problems[0])
	}
	if _, _, problem, err := s.VerifyImportedHistory(ctx); err != nil || problem != nil {
		t.Fatalf("imported history: %+v %v", problem, err)
	}
}

// CheckFileAndChain is CheckWorkspace without the replay, for fixtures that change stored
// values behind the store's back (the replay would rightly report them).
func CheckFileAndChain(t testing.TB, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	if res, err := s.IntegrityCheck(ctx); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q %v", res, err)
	}
	if _, problem, err := s.VerifyChain(ctx); err != nil || problem != nil {
		t.Fatalf("history chain: %+v %v", problem, err)
	}
}
