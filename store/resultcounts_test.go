package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/annex-grc/annex/assessments"
)

// countsNow is what result_counts must hold: a fresh count of the results table.
func countsNow(t *testing.T, s *Store) map[string]int {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), `SELECT engagement_id, standard, status, count(*) FROM results GROUP BY 1, 2, 3`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var e, std, st string
		var n int
		if err := rows.Scan(&e, &std, &st, &n); err != nil {
			t.Fatal(err)
		}
		out[e+" "+std+" "+st] = n
	}
	return out
}

func checkCounts(t *testing.T, s *Store, when string) {
	t.Helper()
	got, err := s.StatusCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	flat := map[string]int{}
	for e, stds := range got {
		for std, sts := range stds {
			for st, n := range sts {
				flat[e+" "+std+" "+string(st)] = n
			}
		}
	}
	if want := countsNow(t, s); !maps.Equal(flat, want) {
		keys := slices.Sorted(maps.Keys(want))
		t.Fatalf("%s: StatusCounts = %v, the results table counts %v (keys %v)", when, flat, want, keys)
	}
}

// TestResultCountsFollowResults: the counts the home screen reads (kept by triggers) equal
// a fresh count of the results after every kind of write: a first answer, a status change,
// an edit that keeps the status, an import, a removed standard, a deleted engagement, and
// the migration that fills the table in an existing workspace.
func TestResultCountsFollowResults(t *testing.T) {
	s, p := openTemp(t)
	ctx := context.Background()
	mk := func(name string, stds ...string) assessments.Engagement {
		e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: name, Organisation: "Org", Standards: stds, Status: assessments.EngagementActive})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	a := mk("A", "iso27001-2022", "iso42001-2023")
	b := mk("B", "iso27001-2022")
	save := func(e assessments.Engagement, std, ref string, st assessments.Status, notes string) {
		t.Helper()
		before, err := s.Result(ctx, assessments.Key{EngagementID: e.ID, Standard: std, Ref: ref})
		if err != nil {
			t.Fatal(err)
		}
		after := before
		after.Status, after.Notes = st, notes
		if st == assessments.NotApplicable {
			after.Justification = "Not in scope."
		}
		if _, err := s.SaveResult(ctx, before, after); err != nil {
			t.Fatal(err)
		}
	}
	checkCounts(t, s, "empty")
	for i, ref := range []string{"A.5.1", "A.5.2", "A.5.3", "A.5.4", "A.5.5", "A.5.6"} {
		save(a, "iso27001-2022", ref, []assessments.Status{assessments.Implemented, assessments.Partial}[i%2], "")
		save(b, "iso27001-2022", ref, assessments.NotImplemented, "")
	}
	save(a, "iso42001-2023", "A.2.2", assessments.Partial, "")
	checkCounts(t, s, "first answers")
	save(a, "iso27001-2022", "A.5.1", assessments.NotApplicable, "")
	save(a, "iso27001-2022", "A.5.2", assessments.Implemented, "")
	save(b, "iso27001-2022", "A.5.3", assessments.NotAssessed, "")
	checkCounts(t, s, "status changes")
	save(a, "iso27001-2022", "A.5.3", assessments.Implemented, "same status, new notes")
	checkCounts(t, s, "notes only")

	results, err := s.Results(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	in := ImportData{Engagement: a}
	for _, byRef := range results {
		for _, r := range byRef {
			in.Results = append(in.Results, r)
		}
	}
	if _, err := s.ImportEngagement(ctx, in, ImportOptions{AsCopy: true}); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, s, "import as a copy")

	after := a
	after.Standards = []string{"iso42001-2023"}
	if _, err := s.UpdateEngagement(ctx, a, after); err != nil {
		t.Fatalf("removing a standard: %v", err)
	}
	checkCounts(t, s, "standard removed")
	if err := s.DeleteEngagement(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, s, "engagement deleted")

	if s.pg {
		return // PostgreSQL's schema starts with the counts: there is no schema 6 to migrate from
	}
	// A workspace of schema 6 gets the counts of its results from migration 0007 (run here
	// on its own: the later migrations are not meant to run twice).
	if _, err := s.db.ExecContext(ctx, "DROP TRIGGER result_counts_insert; DROP TRIGGER result_counts_delete; DROP TRIGGER result_counts_update; DROP TABLE result_counts"); err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version == 7 {
			if _, err := s.db.ExecContext(ctx, m.sql); err != nil {
				t.Fatalf("migration 0007 again: %v", err)
			}
		}
	}
	s.Close()
	s2, err := Open(ctx, p, Options{Author: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	checkCounts(t, s2, "after the migration")
	var triggers int
	s2.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'results'").Scan(&triggers)
	if triggers != 3 {
		t.Errorf("%d triggers on results, want 3", triggers)
	}
}

func BenchmarkStatusCounts300(b *testing.B) {
	s, err := Open(context.Background(), b.TempDir()+"/ws.db", Options{Author: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	err = s.WithTx(ctx, func(tx *Store) error {
		for i := range 300 {
			e, err := tx.CreateEngagement(ctx, assessments.Engagement{Name: fmt.Sprint("E", i), Organisation: "O", Standards: []string{"iso27001-2022"}})
			if err != nil {
				return err
			}
			for j := range 120 {
				if _, err := tx.h.ExecContext(ctx, `INSERT INTO results(engagement_id, standard, ref, status, updated_at, updated_by) VALUES (?, 'iso27001-2022', ?, ?, '', '')`,
					e.ID, fmt.Sprint("R", j), []string{"implemented", "partially_implemented", "not_implemented"}[j%3]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.StatusCounts(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
