package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefusesNewerWorkspace: a workspace whose user_version is newer than the binary's is
// refused with one sentence and exit 1, and its bytes are unchanged.
func TestRefusesNewerWorkspace(t *testing.T) {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("sqlite3 is required in CI (.ci/run installs it)")
		}
		t.Skip("sqlite3 not installed")
	}
	db := filepath.Join(t.TempDir(), "ws.db")
	if _, stderr, code := run(t, "demo", "--db", db); code != 0 {
		t.Fatalf("demo: %s", stderr)
	}
	// Fold the WAL into the main file first so the bytes compared below are the whole workspace.
	if out, err := exec.Command("sqlite3", db, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA user_version = 9999;").CombinedOutput(); err != nil {
		t.Fatalf("sqlite3: %v %s", err, out)
	}
	before, _ := os.ReadFile(db)
	_, stderr, code := run(t, "summary", "--db", db)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(stderr, "newer annex") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("stderr = %q", stderr)
	}
	s := start(t, 100, 30, "--db", db)
	if code := s.waitExit(); code != 1 {
		t.Errorf("workbench exit %d, want 1", code)
	}
	after, _ := os.ReadFile(db)
	if !bytes.Equal(before, after) {
		t.Error("the refused workspace was modified")
	}
}

// TestVersionAndHelp: the basic commands answer.
func TestVersionAndHelp(t *testing.T) {
	out, _, code := run(t, "version")
	if code != 0 || !strings.HasPrefix(out, "annex ") {
		t.Errorf("version: %d %q", code, out)
	}
	_, stderr, code := run(t, "no-such-command")
	if code != 1 || stderr == "" {
		t.Errorf("unknown command: exit %d, stderr %q", code, stderr)
	}
}
