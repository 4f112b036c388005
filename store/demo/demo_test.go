package demo

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/internal/pgtest"
	"github.com/annex-grc/annex/store"
)

// counts are the rows a demo leaves, table by table.
func counts(t *testing.T, s *store.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"engagements", "results", "risks", "ai_systems", "impact_assessments", "evidence", "evidence_links", "changes",
		"soa_versions", "treatment_actions", "baselines", "audits", "findings", "corrective_actions"} {
		var n int
		if err := s.DB().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func open(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), pgtest.Workspace(t, "ws.db"), store.Options{Author: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func sound(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	if got, err := s.IntegrityCheck(ctx); err != nil || got != "ok" {
		t.Fatalf("integrity_check = %q, %v", got, err)
	}
	if _, problem, err := s.VerifyChain(ctx); err != nil || problem != nil {
		t.Fatalf("chain: %v %v", problem, err)
	}
}

// TestDemoAllOrNothing: a demo that fails in its last step, or whose context ends at any
// moment, leaves nothing: no engagement, no result, no history row. One that finishes
// leaves every part.
func TestDemoAllOrNothing(t *testing.T) {
	ctx := context.Background()
	set := catalogs.MustBuiltin()
	full := open(t)
	if _, err := Create(ctx, full, set, Options{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	want := counts(t, full)
	if want["risks"] == 0 || want["evidence"] == 0 || want["impact_assessments"] == 0 {
		t.Fatalf("a finished demo has empty parts: %v", want)
	}

	// A step that fails after every other one ran.
	saved := steps
	t.Cleanup(func() { steps = saved })
	steps = append(append([]Step(nil), saved...), Step{Order: 99, Name: "failing", Run: func(context.Context, *store.Store, *catalogs.Set, assessments.Engagement, Options) error {
		return errors.New("disk full")
	}})
	s := open(t)
	if _, err := Create(ctx, s, set, Options{Dir: t.TempDir()}); err == nil {
		t.Fatal("the failing demo succeeded")
	}
	if got := counts(t, s); got["engagements"] != 0 || got["results"] != 0 || got["changes"] != 0 {
		t.Fatalf("a failed demo left rows: %v", got)
	}
	sound(t, s)
	steps = saved

	// Cancelled at increasing moments: nothing or everything.
	for i, d := range []time.Duration{0, time.Millisecond, 5 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond} {
		s := open(t)
		cctx, cancel := context.WithTimeout(ctx, d)
		_, err := Create(cctx, s, set, Options{Dir: t.TempDir()})
		cancel()
		got := counts(t, s)
		switch {
		case err != nil && got["engagements"] == 0 && got["changes"] == 0:
		case err == nil && got["engagements"] == 1:
			for table, n := range want {
				if got[table] != n {
					t.Errorf("run %d: %s = %d, a finished demo has %d", i, table, got[table], n)
				}
			}
		default:
			t.Fatalf("run %d (cancelled after %v): err %v, rows %v", i, d, err, got)
		}
		sound(t, s)
	}
}
