package store

import (
	"context"
	"database/sql"
	"errors"
	"github.com/annex-grc/annex/internal/pgtest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
)

// openTemp opens a workspace of the suite's backend (pgtest.Workspace).
func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	return openAt(t, pgtest.Workspace(t, "ws.db"))
}

// openTempFile opens a SQLite workspace file, for tests of the file itself.
func openTempFile(t *testing.T) (*Store, string) {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "ws.db"))
}

func openAt(t *testing.T, p string) (*Store, string) {
	t.Helper()
	fixed := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	s, err := Open(context.Background(), p, Options{Author: "tester", Now: func() time.Time { return fixed }})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, p
}

func TestMigrateFromEmpty(t *testing.T) {
	s, p := openTemp(t)
	ctx := context.Background()
	v, err := s.userVersion(ctx)
	if err != nil || v != s.LatestSchema() {
		t.Fatalf("user_version = %d, %v; want %d", v, err, s.LatestSchema())
	}
	if s.pg {
		s.Close()
		s2, err := Open(ctx, p, Options{})
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		s2.Close()
		return
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm != 0o600 {
		t.Errorf("workspace mode = %o, want 600", perm)
	}
	var fk int
	if err := s.db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
	}
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var sync int
	if err := s.db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
		t.Errorf("synchronous = %d, %v; want 2 (FULL)", sync, err)
	}
	// Reopening is a no-op migration.
	s.Close()
	s2, err := Open(ctx, p, Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	s2.Close()
}

func TestRefusesNewerWorkspace(t *testing.T) {
	if pgtest.Postgres() {
		testRefusesNewerPostgres(t)
		return
	}
	s, p := openTemp(t)
	ctx := context.Background()
	if _, err := s.db.ExecContext(ctx, "PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before, _ := os.ReadFile(p)
	_, err := Open(ctx, p, Options{})
	if !errors.Is(err, ErrTooNew) {
		t.Fatalf("err = %v, want ErrTooNew", err)
	}
	after, _ := os.ReadFile(p)
	if string(before) != string(after) {
		t.Error("a refused workspace was modified")
	}
}

func TestRefusesNonWorkspace(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("hello, this is not a database at all\n"), 0o644)
	if _, err := Open(ctx, text, Options{}); !errors.Is(err, ErrNotWorkspace) {
		t.Errorf("text file: err = %v, want ErrNotWorkspace", err)
	}
	if b, _ := os.ReadFile(text); string(b) != "hello, this is not a database at all\n" {
		t.Error("text file was modified")
	}
	// Another program's SQLite database is refused too.
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t(x)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(ctx, other, Options{}); !errors.Is(err, ErrNotWorkspace) {
		t.Errorf("foreign SQLite: err = %v, want ErrNotWorkspace", err)
	}
	if _, err := Open(ctx, dir, Options{}); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("folder: err = %v", err)
	}
}

func newEngagement(t *testing.T, s *Store) assessments.Engagement {
	t.Helper()
	e, err := s.CreateEngagement(context.Background(), assessments.Engagement{Name: "Acme", Organisation: "Acme Ltd",
		Standards: []string{"iso27001-2022", "iso42001-2023"}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEngagementRoundTrip(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	e := newEngagement(t, s)
	got, err := s.Engagement(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Acme" || strings.Join(got.Standards, ",") != "iso27001-2022,iso42001-2023" || got.Status != assessments.EngagementActive {
		t.Errorf("round trip = %+v", got)
	}
	edited := got
	edited.Scope = "Cloud platform\nand offices"
	edited.Standards = []string{"iso42001-2023"}
	saved, err := s.UpdateEngagement(ctx, got, edited)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Scope != edited.Scope || len(saved.Standards) != 1 {
		t.Errorf("update = %+v", saved)
	}
	// A stale edit of the same field is refused and changes nothing.
	stale := got
	stale.Scope = "something else"
	if _, err := s.UpdateEngagement(ctx, got, stale); !errors.Is(err, ErrConflict) {
		t.Errorf("stale update err = %v, want conflict", err)
	}
	again, _ := s.Engagement(ctx, e.ID)
	if again.Scope != edited.Scope {
		t.Errorf("conflicting edit overwrote scope: %q", again.Scope)
	}
	if err := s.DeleteEngagement(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Engagement(ctx, e.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("after delete err = %v", err)
	}
}

func TestResultRoundTripAndHistory(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	e := newEngagement(t, s)
	k := assessments.Key{EngagementID: e.ID, Standard: "iso42001-2023", Ref: "A.5.2"}
	before, err := s.Result(ctx, k)
	if err != nil || before.EffectiveStatus() != assessments.NotAssessed {
		t.Fatalf("unanswered result = %+v, %v", before, err)
	}
	after := before
	after.Status = assessments.Partial
	after.Notes = "line one\nline two \x1b[31mred\x1b[0m"
	after.Reasons = []assessments.InclusionReason{assessments.ReasonLegal, assessments.ReasonBusiness}
	saved, err := s.SaveResult(ctx, before, after)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Result(ctx, k)
	if got.Status != assessments.Partial || got.Notes != after.Notes || len(got.Reasons) != 2 || got.UpdatedBy != "tester" {
		t.Errorf("round trip = %+v", got)
	}
	if saved.Notes != after.Notes {
		t.Errorf("saved notes differ")
	}
	changes, err := s.Changes(ctx, ChangeFilter{EngagementID: e.ID, Entity: "result"})
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]Change{}
	for _, c := range changes {
		fields[c.Field] = c
	}
	if c := fields["status"]; c.Old != "not_assessed" || c.New != "partially_implemented" || c.Author != "tester" || c.EntityID != "iso42001-2023:A.5.2" {
		t.Errorf("status change row = %+v", c)
	}
	if c := fields["notes"]; c.New != after.Notes {
		t.Errorf("notes change row = %+v", c)
	}
	// The chain verifies, and breaks when a row is edited behind annex's back.
	n, problem, err := s.VerifyChain(ctx)
	if err != nil || problem != nil || n == 0 {
		t.Fatalf("verify = %d, %+v, %v", n, problem, err)
	}
	if _, err := s.db.ExecContext(ctx, "UPDATE changes SET new_value = 'implemented' WHERE field = 'status'"); err != nil {
		t.Fatal(err)
	}
	if _, problem, _ := s.VerifyChain(ctx); problem == nil {
		t.Error("tampered history verified")
	}
}

func TestResultValidationWritesNothing(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	e := newEngagement(t, s)
	k := assessments.Key{EngagementID: e.ID, Standard: "iso27001-2022", Ref: "A.7.5"}
	before, _ := s.Result(ctx, k)
	count := func() int {
		var n int
		s.db.QueryRowContext(ctx, "SELECT count(*) FROM changes WHERE entity = 'result'").Scan(&n)
		return n
	}
	n0 := count()
	bad := before
	bad.Status = assessments.NotApplicable // no justification
	if _, err := s.SaveResult(ctx, before, bad); err == nil {
		t.Fatal("N/A without justification was accepted")
	}
	bad = before
	bad.TargetDate = "next week"
	if _, err := s.SaveResult(ctx, before, bad); err == nil {
		t.Fatal("bad date accepted")
	}
	bad = before
	bad.Maturity = assessments.MaturityLevel(9)
	if _, err := s.SaveResult(ctx, before, bad); err == nil {
		t.Fatal("maturity 9 accepted")
	}
	if count() != n0 {
		t.Error("a refused edit wrote change rows")
	}
	got, _ := s.Result(ctx, k)
	if got.EffectiveStatus() != assessments.NotAssessed {
		t.Errorf("refused edit stored status %s", got.Status)
	}
}

func TestConcurrentEditsNeverOverwriteSilently(t *testing.T) {
	s, p := openTemp(t)
	ctx := context.Background()
	e := newEngagement(t, s)
	other, err := Open(ctx, p, Options{Author: "colleague"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	k := assessments.Key{EngagementID: e.ID, Standard: "iso27001-2022", Ref: "A.5.1"}
	seenByMe, _ := s.Result(ctx, k)
	seenByOther, _ := other.Result(ctx, k)

	mine := seenByMe
	mine.Status = assessments.Implemented
	if _, err := s.SaveResult(ctx, seenByMe, mine); err != nil {
		t.Fatal(err)
	}
	theirs := seenByOther
	theirs.Status = assessments.NotImplemented
	if _, err := other.SaveResult(ctx, seenByOther, theirs); !errors.Is(err, ErrConflict) {
		t.Fatalf("second writer err = %v, want conflict", err)
	}
	// A different field from the same stale view is fine: no one else changed it.
	theirs = seenByOther
	theirs.Owner = "Dana"
	saved, err := other.SaveResult(ctx, seenByOther, theirs)
	if err != nil {
		t.Fatalf("disjoint field edit: %v", err)
	}
	if saved.Status != assessments.Implemented || saved.Owner != "Dana" {
		t.Errorf("merged result = %+v", saved)
	}
}

func TestForeignKeysCascade(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	e := newEngagement(t, s)
	k := assessments.Key{EngagementID: e.ID, Standard: "iso27001-2022", Ref: "A.5.1"}
	before, _ := s.Result(ctx, k)
	after := before
	after.Status = assessments.Implemented
	if _, err := s.SaveResult(ctx, before, after); err != nil {
		t.Fatal(err)
	}
	// A result for an engagement that does not exist is refused by the foreign key.
	_, err := s.db.ExecContext(ctx, `INSERT INTO results(engagement_id, standard, ref, updated_at, updated_by) VALUES ('nope', 's', 'r', 'x', 'y')`)
	if err == nil {
		t.Error("foreign key not enforced")
	}
	if err := s.DeleteEngagement(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	var n int
	s.db.QueryRowContext(ctx, "SELECT count(*) FROM results").Scan(&n)
	if n != 0 {
		t.Errorf("%d results left after deleting their engagement", n)
	}
}

func TestEditAndChangeRowsShareTransaction(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	e := newEngagement(t, s)
	// Make the change insert fail: the result must not be written either.
	fail := `CREATE TRIGGER fail_changes BEFORE INSERT ON changes WHEN NEW.entity = 'result' BEGIN SELECT RAISE(ABORT, 'boom'); END`
	if s.pg {
		fail = `CREATE FUNCTION fail_changes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$;
			CREATE TRIGGER fail_changes BEFORE INSERT ON changes FOR EACH ROW WHEN (NEW.entity = 'result') EXECUTE FUNCTION fail_changes()`
	}
	if _, err := s.db.ExecContext(ctx, fail); err != nil {
		t.Fatal(err)
	}
	k := assessments.Key{EngagementID: e.ID, Standard: "iso27001-2022", Ref: "A.5.1"}
	before, _ := s.Result(ctx, k)
	after := before
	after.Status = assessments.Implemented
	if _, err := s.SaveResult(ctx, before, after); err == nil {
		t.Fatal("save succeeded although its change row failed")
	}
	got, _ := s.Result(ctx, k)
	if got.EffectiveStatus() != assessments.NotAssessed {
		t.Error("result written without its change row")
	}
}

func TestFindEngagement(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if _, err := s.FindEngagement(ctx, ""); err == nil {
		t.Error("empty workspace resolved an engagement")
	}
	e := newEngagement(t, s)
	if got, err := s.FindEngagement(ctx, ""); err != nil || got.ID != e.ID {
		t.Errorf("only engagement: %v", err)
	}
	if got, err := s.FindEngagement(ctx, "acme"); err != nil || got.ID != e.ID {
		t.Errorf("by name: %v", err)
	}
	newEngagement(t, s)
	if _, err := s.FindEngagement(ctx, ""); err == nil {
		t.Error("two engagements resolved without a name")
	}
	if _, err := s.FindEngagement(ctx, "Acme"); err == nil {
		t.Error("ambiguous name resolved")
	}
}

// testRefusesNewerPostgres: a PostgreSQL workspace whose schema_migrations names a version
// this binary does not know is refused, and nothing in it changes.
func testRefusesNewerPostgres(t *testing.T) {
	s, p := openTemp(t)
	ctx := context.Background()
	if _, err := s.h.ExecContext(ctx, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (999, '0999_future.sql', 'x')"); err != nil {
		t.Fatal(err)
	}
	snapshot := func() string {
		var v string
		if err := s.h.QueryRowContext(ctx, `SELECT (SELECT string_agg(version::text || name, ',' ORDER BY version) FROM schema_migrations)
			|| (SELECT string_agg(key || value, ',' ORDER BY key) FROM meta) || (SELECT count(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace)`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := snapshot()
	_, err := Open(ctx, p, Options{})
	if !errors.Is(err, ErrTooNew) {
		t.Fatalf("err = %v, want ErrTooNew", err)
	}
	if !strings.Contains(err.Error(), "schema 999") {
		t.Errorf("message = %q", err)
	}
	if after := snapshot(); after != before {
		t.Errorf("the refused workspace changed:\n%s\n%s", before, after)
	}
}
