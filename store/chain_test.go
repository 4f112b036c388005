package store

import (
	"context"
	"strings"
	"testing"

	"github.com/annex-grc/annex/assessments"
)

func withHistory(t *testing.T, edits int) (*Store, assessments.Engagement) {
	t.Helper()
	s, _ := openTemp(t)
	e := newEngagement(t, s)
	ctx := context.Background()
	for i := range edits {
		cur, _ := s.Engagement(ctx, e.ID)
		next := cur
		next.Scope = strings.Repeat("x", i+1)
		if _, err := s.UpdateEngagement(ctx, cur, next); err != nil {
			t.Fatal(err)
		}
	}
	return s, e
}

// TestChainTailCut: deleting the last row, or the last ten, is found by VerifyChain (the
// history's row counter remembers them) and by VerifyChainSince against an earlier head.
func TestChainTailCut(t *testing.T) {
	ctx := context.Background()
	for _, cut := range []int{1, 10} {
		s, _ := withHistory(t, 20)
		head, err := s.ChainHead(ctx)
		if err != nil || head.Length < 20 || head.WorkspaceID == "" {
			t.Fatalf("head = %+v, %v", head, err)
		}
		if _, problem, err := s.VerifyChainSince(ctx, head); err != nil || problem != nil {
			t.Fatalf("intact history against its own head: %v %v", problem, err)
		}
		if _, err := s.h.ExecContext(ctx, "DELETE FROM changes WHERE seq > (SELECT max(seq) FROM changes) - ?", cut); err != nil {
			t.Fatal(err)
		}
		if _, problem, _ := s.VerifyChain(ctx); problem == nil || !strings.Contains(problem.Reason, "cut") {
			t.Errorf("cut %d: VerifyChain = %+v", cut, problem)
		}
		// Even with the counter put back, the head recorded earlier shows the cut.
		reset := "UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM changes) WHERE name = 'changes'"
		if s.pg {
			reset = "UPDATE chain_counter SET last = (SELECT max(seq) FROM changes)"
		}
		if _, err := s.db.ExecContext(ctx, reset); err != nil {
			t.Fatal(err)
		}
		if _, problem, _ := s.VerifyChain(ctx); problem != nil {
			t.Fatalf("cut %d with the counter reset: VerifyChain should pass (%v)", cut, problem)
		}
		if _, problem, err := s.VerifyChainSince(ctx, head); err != nil || problem == nil || !strings.Contains(problem.Reason, "fewer") {
			t.Errorf("cut %d: VerifyChainSince = %+v, %v", cut, problem, err)
		}
	}
}

// TestChainRewrittenSinceHead: a history rebuilt with valid hashes but other content (the
// tail replaced) does not hold the recorded head.
func TestChainRewrittenSinceHead(t *testing.T) {
	ctx := context.Background()
	s, e := withHistory(t, 5)
	head, _ := s.ChainHead(ctx)
	// Cut the last row, reset the counter, and write a different row in its place.
	s.db.ExecContext(ctx, "DELETE FROM changes WHERE seq = (SELECT max(seq) FROM changes)")
	s.db.ExecContext(ctx, "UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM changes) WHERE name = 'changes'")
	if err := s.Record(ctx, e.ID, "engagement", e.ID, []FieldDiff{{Field: "scope", Old: "xxxx", New: "forged"}}); err != nil {
		t.Fatal(err)
	}
	if _, problem, _ := s.VerifyChain(ctx); problem != nil {
		t.Fatalf("the rewritten chain is sound on its own: %v", problem)
	}
	if _, problem, err := s.VerifyChainSince(ctx, head); err != nil || problem == nil || !strings.Contains(problem.Reason, "rewritten") {
		t.Errorf("VerifyChainSince = %+v, %v", problem, err)
	}
	// A longer history that kept the head is fine.
	s2, e2 := withHistory(t, 3)
	head2, _ := s2.ChainHead(ctx)
	s2.Record(ctx, e2.ID, "engagement", e2.ID, []FieldDiff{{Field: "lead", New: "Ann"}})
	if _, problem, err := s2.VerifyChainSince(ctx, head2); err != nil || problem != nil {
		t.Errorf("grown history: %v %v", problem, err)
	}
	// Another workspace's head is refused.
	other := head2
	other.WorkspaceID = "someone-else"
	if _, _, err := s2.VerifyChainSince(ctx, other); err == nil {
		t.Error("another workspace's checkpoint was accepted")
	}
}
