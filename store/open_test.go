package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/annex-grc/annex/assessments"
)

func fileSum(t *testing.T, p string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// foreignRollbackDB is another program's SQLite database in rollback-journal mode.
func foreignRollbackDB(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA journal_mode=DELETE; CREATE TABLE notes(x TEXT); INSERT INTO notes VALUES ('keep me')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	os.Chmod(p, 0o644)
	return p
}

func headerBytes(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil || len(b) < 100 {
		t.Fatalf("read header of %s: %v", p, err)
	}
	return b[:100]
}

// TestForeignDatabaseUntouched: another program's rollback-journal database is refused
// without a byte written: not switched to WAL (header bytes 18-19 stay 01 01), no -wal
// or -shm beside it, the same SHA-256, read-only or not.
func TestForeignDatabaseUntouched(t *testing.T) {
	ctx := context.Background()
	p := foreignRollbackDB(t, t.TempDir())
	before := fileSum(t, p)
	if h := headerBytes(t, p); h[18] != 1 || h[19] != 1 {
		t.Fatalf("setup: header bytes 18-19 = %d %d, want rollback journal", h[18], h[19])
	}
	for _, ro := range []bool{false, true} {
		if _, err := Open(ctx, p, Options{ReadOnly: ro}); !errors.Is(err, ErrNotWorkspace) {
			t.Errorf("read-only %v: err = %v, want ErrNotWorkspace", ro, err)
		}
	}
	if fileSum(t, p) != before {
		t.Error("the foreign database's bytes changed")
	}
	if h := headerBytes(t, p); h[18] != 1 || h[19] != 1 {
		t.Errorf("header bytes 18-19 = %d %d: switched to WAL", h[18], h[19])
	}
	for _, side := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(p + side); err == nil {
			t.Errorf("%s was created beside the foreign database", side)
		}
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o644 {
		t.Errorf("mode changed to %o", st.Mode().Perm())
	}
}

// TestForeignApplicationIDRefusedFromHeader: a SQLite file carrying another program's
// application id is refused, even if it looks like a workspace inside.
func TestForeignApplicationIDRefusedFromHeader(t *testing.T) {
	ctx := context.Background()
	s, p := openTempFile(t)
	if _, err := s.db.ExecContext(ctx, "PRAGMA application_id = 1234"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before := fileSum(t, p)
	if _, err := Open(ctx, p, Options{}); !errors.Is(err, ErrNotWorkspace) {
		t.Fatalf("err = %v, want ErrNotWorkspace", err)
	}
	if fileSum(t, p) != before {
		t.Error("the file changed")
	}
}

// TestApplicationID: a new workspace carries annex's id in its header; one made before
// (meta.application only, id 0) is accepted and gets the id on its next writable open.
func TestApplicationID(t *testing.T) {
	ctx := context.Background()
	s, p := openTempFile(t)
	if id, err := s.AppID(ctx); err != nil || id != ApplicationID {
		t.Fatalf("application_id = %#x, %v", id, err)
	}
	if _, err := s.db.ExecContext(ctx, "PRAGMA application_id = 0"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if h := headerBytes(t, p); binary.BigEndian.Uint32(h[68:72]) != 0 {
		t.Fatal("setup: id still in the header")
	}
	ro, err := Open(ctx, p, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open of an older workspace: %v", err)
	}
	if id, _ := ro.AppID(ctx); id != 0 {
		t.Errorf("a read-only open wrote the id")
	}
	ro.Close()
	s2, err := Open(ctx, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
	if h := headerBytes(t, p); binary.BigEndian.Uint32(h[68:72]) != ApplicationID {
		t.Errorf("header id = %#x after a writable open", binary.BigEndian.Uint32(h[68:72]))
	}
}

// TestEmptyFileBecomesOwnerOnlyWorkspace: a 0-byte file becomes a workspace only with its
// mode tightened to 0600, and a notice says so; read-only it is refused.
func TestEmptyFileBecomesOwnerOnlyWorkspace(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, 0o644)
	if _, err := Open(ctx, p, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "empty file") {
		t.Fatalf("read-only: err = %v", err)
	}
	if st, _ := os.Stat(p); st.Size() != 0 || st.Mode().Perm() != 0o644 {
		t.Fatalf("the read-only refusal changed the file: %v %d", st.Mode(), st.Size())
	}
	s, err := Open(ctx, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %o, want 600", st.Mode().Perm())
	}
	n := strings.Join(s.Notices(), "\n")
	if !strings.Contains(n, "empty file") || !strings.Contains(n, "0600") || !strings.Contains(n, "was 0644") {
		t.Errorf("notices = %q", n)
	}
}

// TestModeWarning: a workspace others can read is opened with a notice; TightenModes makes
// it and its -wal and -shm owner-only.
func TestModeWarning(t *testing.T) {
	ctx := context.Background()
	s, p := openTempFile(t)
	s.Close()
	os.Chmod(p, 0o644)
	s2, err := Open(ctx, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if n := strings.Join(s2.Notices(), "\n"); !strings.Contains(n, "0644") || !strings.Contains(n, "doctor --fix") {
		t.Errorf("notices = %q", n)
	}
	newEngagement(t, s2) // the -wal and -shm exist now, 0644 like the file
	if len(OpenToOthers(p)) < 2 {
		t.Fatalf("setup: open to others = %v", OpenToOthers(p))
	}
	changed, err := TightenModes(p)
	if err != nil || len(changed) < 2 {
		t.Fatalf("tighten: %v %v", changed, err)
	}
	for f, m := range Modes(p) {
		if m != 0o600 {
			t.Errorf("%s mode %o", f, m)
		}
	}
}

// TestReadOnlyWorkspace: read-only, every read works and every write returns ErrReadOnly
// before anything is written; the file's bytes stay the same.
func TestReadOnlyWorkspace(t *testing.T) {
	ctx := context.Background()
	s, p := openTempFile(t)
	e := newEngagement(t, s)
	r := assessments.Result{EngagementID: e.ID, Standard: "iso27001-2022", Ref: "A.5.1", Status: assessments.NotAssessed}
	after := r
	after.Status = assessments.Implemented
	if _, err := s.SaveResult(ctx, r, after); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before := fileSum(t, p)
	ro, err := Open(ctx, p, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if !ro.ReadOnly() {
		t.Fatal("ReadOnly() = false")
	}
	if n, problem, err := ro.VerifyChain(ctx); err != nil || problem != nil || n == 0 {
		t.Errorf("verify: %d %v %v", n, problem, err)
	}
	if res, err := ro.Results(ctx, e.ID); err != nil || len(res["iso27001-2022"]) != 1 {
		t.Errorf("results: %v %v", res, err)
	}
	if got, err := ro.IntegrityCheck(ctx); err != nil || got != "ok" {
		t.Errorf("integrity: %q %v", got, err)
	}
	writes := map[string]error{}
	_, writes["save result"] = ro.SaveResult(ctx, after, r)
	_, writes["create engagement"] = ro.CreateEngagement(ctx, assessments.Engagement{Name: "X", Standards: []string{"iso27001-2022"}})
	writes["delete engagement"] = ro.DeleteEngagement(ctx, e.ID)
	writes["record"] = ro.Record(ctx, e.ID, "engagement", e.ID, []FieldDiff{{Field: "name", New: "x"}})
	_, writes["exec"] = ro.Handler().ExecContext(ctx, "DELETE FROM changes")
	for what, err := range writes {
		if !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s: err = %v, want ErrReadOnly", what, err)
		}
	}
	if fileSum(t, p) != before {
		t.Error("the read-only workspace's bytes changed")
	}
}

// TestReadOnlyWithoutSHM: a WAL workspace whose -shm file is gone opens read-only. (The
// immutable fallback for a folder that cannot be written is exercised as a user without
// write access in e2e: tests run as root, who may write anywhere.)
func TestReadOnlyWithoutSHM(t *testing.T) {
	ctx := context.Background()
	s, p := openTempFile(t)
	newEngagement(t, s)
	s.Close()
	os.Remove(p + "-shm")
	db, err := openReadOnly(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM engagements").Scan(&n); err != nil || n != 1 {
		t.Errorf("engagements = %d, %v", n, err)
	}
	db.Close()
}

// TestForeignWALDatabaseUntouched: another program's WAL-mode database (its WAL folded
// in) is refused without SQLite making -wal or -shm files beside it.
func TestForeignWALDatabaseUntouched(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA journal_mode=WAL; CREATE TABLE notes(x TEXT); INSERT INTO notes VALUES ('keep')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, side := range []string{"-wal", "-shm"} {
		os.Remove(p + side)
	}
	before := fileSum(t, p)
	for _, ro := range []bool{true, false} {
		if _, err := Open(ctx, p, Options{ReadOnly: ro}); !errors.Is(err, ErrNotWorkspace) {
			t.Errorf("read-only %v: err = %v", ro, err)
		}
	}
	if fileSum(t, p) != before {
		t.Error("the file changed")
	}
	for _, side := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(p + side); err == nil {
			t.Errorf("%s created beside a foreign WAL database", side)
		}
	}
}
