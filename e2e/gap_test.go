package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestGapJourney is the foundation journey: create an engagement with both standards, open
// the ISO 42001 tab, go to A.5.2, set it partially implemented, type a two-line note, quit;
// start again and find both; `annex summary` shows the change.
func TestGapJourney(t *testing.T) {
	for _, size := range []struct{ w, h int }{{120, 40}, {80, 24}} {
		t.Run(strings.Join([]string{itoa(size.w), itoa(size.h)}, "x"), func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "ws.db")
			s := start(t, size.w, size.h, "--db", db)
			s.waitFor("Welcome to annex")
			s.keys("n")
			s.waitFor("New engagement")
			s.text("Acme workshop")
			s.keys("Tab")
			s.text("Acme Ltd")
			s.keys("C-s")
			// A new engagement opens at once on its first tab.
			s.waitFor("Acme workshop", "ISO 42001")
			// Tabs: Dashboard, ISO 27001, ISO 42001, ...
			s.keys("]", "]")
			s.waitFor("70 requirements")
			s.keys("/")
			s.text("A.5.2")
			s.keys("Enter")
			s.waitFor("AI system impact assessment process")
			s.keys("2")
			s.waitFor("partially implemented")
			s.keys("e")
			s.waitFor("Notes")
			s.text("Impact method drafted with the DPO.")
			s.keys("Enter")
			s.text("Approval step still missing.")
			s.keys("Escape")
			scr := s.waitFor("ISO 42001 A.5.2: notes saved")
			assertNoBrokenLines(t, scr, size.w)
			s.keys("C-c")
			if code := s.waitExit(); code != 0 {
				t.Fatalf("annex exited with %d", code)
			}

			s2 := start(t, size.w, size.h, "--db", db)
			s2.waitFor("Acme workshop")
			s2.keys("Enter")
			s2.waitFor("Dashboard")
			s2.keys("]", "]")
			s2.waitFor("70 requirements")
			s2.keys("/")
			s2.text("A.5.2")
			s2.keys("Enter")
			scr = s2.waitFor("partially implemented", "Impact method drafted with the DPO.", "Approval step still missing.")
			assertNoBrokenLines(t, scr, size.w)
			s2.keys("C-c")
			s2.waitExit()

			out, _, code := run(t, "summary", "--db", db, "--json")
			if code != 0 {
				t.Fatalf("summary exit %d", code)
			}
			var rows []struct {
				Engagement string         `json:"engagement"`
				Standard   string         `json:"standard"`
				Readiness  float64        `json:"readiness"`
				Assessed   float64        `json:"assessed"`
				Counts     map[string]int `json:"counts"`
			}
			if err := json.Unmarshal([]byte(out), &rows); err != nil {
				t.Fatalf("summary JSON: %v\n%s", err, out)
			}
			found := false
			for _, r := range rows {
				if r.Engagement == "Acme workshop" && r.Standard == "iso42001-2023" {
					found = true
					if r.Counts["partially_implemented"] != 1 || r.Readiness <= 0 || r.Assessed <= 0 {
						t.Errorf("summary row = %+v, want one partial and readiness > 0", r)
					}
				}
			}
			if !found {
				t.Fatalf("summary has no ISO 42001 row for the engagement:\n%s", out)
			}
		})
	}
}

// TestKillAfterStatusChange: a status shown on screen is already in the file when the
// process is killed with SIGKILL, and the file passes an integrity check.
func TestKillAfterStatusChange(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ws.db")
	if _, _, code := run(t, "demo", "--db", db); code != 0 {
		t.Fatal("demo failed")
	}
	s := start(t, 120, 40, "--db", db)
	s.waitFor("Medivance")
	s.keys("Enter")
	s.waitFor("Dashboard")
	s.keys("]")
	s.waitFor("123 requirements")
	s.keys("/")
	s.text("A.5.7")
	s.keys("Enter")
	s.waitFor("Threat intelligence")
	s.keys("3")
	s.waitFor("ISO 27001 A.5.7: implemented")
	if err := syscall.Kill(s.pid(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s.waitExit()
	out, _, code := run(t, "summary", "--db", db, "--json")
	if code != 0 {
		t.Fatalf("summary after kill: exit %d", code)
	}
	if !strings.Contains(out, "iso27001-2022") {
		t.Fatalf("summary lost the workspace:\n%s", out)
	}
	// The status is stored: check through the change history.
	log, _, _ := run(t, "log", "--db", db)
	if log != "" && !strings.Contains(log, "A.5.7") {
		t.Errorf("change history has no row for A.5.7:\n%s", log)
	}
	assertStatus(t, db, "iso27001-2022", "A.5.7", "implemented")
}

// TestRefusesNonWorkspace: a plain text file gets one sentence, exit 1, bytes unchanged.
func TestRefusesNonWorkspace(t *testing.T) {
	p := filepath.Join(t.TempDir(), "notes.txt")
	want := []byte("meeting notes, not a database\n")
	if err := os.WriteFile(p, want, 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := run(t, "--db", p)
	if code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if lines := strings.Count(strings.TrimSpace(stderr), "\n"); lines != 0 || !strings.Contains(stderr, "not a SQLite database") {
		t.Errorf("stderr should be one sentence about the file, got %q", stderr)
	}
	got, _ := os.ReadFile(p)
	if string(got) != string(want) {
		t.Errorf("file changed: %q", got)
	}
}

func itoa(n int) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune { return r }, string(rune('0'+n/100%10))+string(rune('0'+n/10%10))+string(rune('0'+n%10))))
}

// TestTerminalClosedKeepsTypedNote: a note being typed when the terminal goes away
// (SIGHUP) or the process is told to stop (SIGTERM) is saved before annex exits.
func TestTerminalClosedKeepsTypedNote(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "ws.db")
			if _, _, code := run(t, "demo", "--db", db); code != 0 {
				t.Fatal("demo failed")
			}
			s := start(t, 120, 40, "--db", db)
			s.waitFor("Medivance")
			s.keys("Enter")
			s.waitFor("Dashboard")
			s.keys("]")
			s.waitFor("123 requirements")
			s.keys("/")
			s.text("A.5.12")
			s.keys("Enter")
			s.waitFor("Classification of information")
			s.keys("e")
			s.waitFor("esc saves")
			s.text("typed as the lid closed")
			s.waitFor("typed as the lid closed")
			if err := syscall.Kill(s.pid(), sig); err != nil {
				t.Fatal(err)
			}
			s.waitExit()
			assertNote(t, db, "iso27001-2022", "A.5.12", "typed as the lid closed")
		})
	}
}
