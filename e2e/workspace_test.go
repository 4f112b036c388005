package e2e

import (
	"bytes"
	"encoding/json"
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

// TestHomeJourney: an empty workspace welcomes; D adds the demo, a second D asks before a
// copy, which gets its own name; / filters and esc clears; d deletes the copy once its name
// is typed with a plain hyphen for the em dash; the workbench quits with q.
func TestHomeJourney(t *testing.T) {
	for _, size := range []struct{ w, h int }{{120, 40}, {80, 24}} {
		t.Run(itoa(size.w)+"x"+itoa(size.h), func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "ws.db")
			s := start(t, size.w, size.h, "--db", db)
			s.waitFor("Welcome to annex")
			s.keys("D")
			s.waitFor("1 engagement", "Medivance Health")
			s.keys("D")
			s.waitFor("The demo engagement is already in this workspace. Add another copy?")
			s.keys("y")
			scr := s.waitFor("2 engagements", "readiness (2)")
			assertNoBrokenLines(t, scr, size.w)

			s.keys("/")
			s.text("(2")
			s.waitFor("1 of 2 engagements")
			s.keys("Enter")
			s.waitFor("esc clears the filter")
			s.keys("Escape")
			s.waitFor("2 engagements")

			s.keys("/")
			s.text("(2")
			s.keys("Enter", "d")
			s.waitFor("Delete Medivance Health", "(2)?")
			s.text("medivance health - isms & aims readiness (2)")
			s.keys("Enter")
			scr = s.waitFor("Deleted Medivance Health", "1 engagement")
			if strings.Contains(scr, "readiness (2)\n") {
				t.Errorf("the copy is still listed:\n%s", scr)
			}
			s.keys("q")
			if code := s.waitExit(); code != 0 {
				t.Fatalf("annex exited with %d", code)
			}
			out, _, code := run(t, "summary", "--db", db, "--json")
			var rows []struct {
				Engagement string `json:"engagement"`
			}
			if code != 0 || json.Unmarshal([]byte(out), &rows) != nil {
				t.Fatalf("summary: exit %d\n%s", code, out)
			}
			names := map[string]bool{}
			for _, r := range rows {
				names[r.Engagement] = true
			}
			if len(names) != 1 || !names["Medivance Health — ISMS & AIMS readiness"] {
				t.Errorf("engagements after deleting the copy: %v", names)
			}
		})
	}
}
