package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// exToExportTab presses ] until the Export tab's form shows.
func (s *session) exToExportTab() string {
	s.t.Helper()
	for range 12 {
		deadline := time.Now().Add(1500 * time.Millisecond)
		for time.Now().Before(deadline) {
			if scr := s.screen(); strings.Contains(scr, "Audit pack ·") && strings.Contains(scr, "Output file") {
				return scr
			}
			time.Sleep(40 * time.Millisecond)
		}
		s.keys("]")
	}
	return s.waitFor("Audit pack ·", "Output file")
}

// TestExportJourney: open the demo engagement, go to the Export tab, name the file, export
// with a progress bar to a verified pack, then check it with `annex verify` and see a
// changed copy fail.
func TestExportJourney(t *testing.T) {
	for _, size := range []struct{ w, h int }{{120, 40}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "ws.db")
			if _, stderr, code := run(t, "demo", "--db", db); code != 0 {
				t.Fatalf("demo: exit %d: %s", code, stderr)
			}
			s := start(t, size.w, size.h, "--db", db)
			s.waitFor("Medivance")
			s.keys("Enter")
			s.waitFor("Dashboard")
			s.exToExportTab()
			// The default name comes with the time of the last change, read when the tab shows.
			scr := s.waitFor("As of ", ".zip")
			if !strings.Contains(scr, "medivance-health") {
				t.Errorf("the default file name does not name the engagement:\n%s", scr)
			}
			assertNoBrokenLines(t, scr, size.w)

			// Name the file: edit the options (e), clear the path, type a new one.
			pack := filepath.Join(dir, "pack.zip")
			s.keys("e")
			s.keys("C-u")
			s.text(pack)
			s.keys("Tab")
			s.waitFor(pack)
			s.keys("Space") // include the evidence files
			s.waitFor("yes, include the evidence files")
			s.keys("C-s") // export
			scr = s.waitFor("✓ Written", "✓ Verified: all")
			t.Logf("Export tab after the export:\n%s", scr)
			assertNoBrokenLines(t, scr, size.w)

			st, err := os.Stat(pack)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("pack mode %v, want 0600", st.Mode().Perm())
			}
			out, stderr, code := run(t, "verify", pack)
			if code != 0 || !strings.Contains(out, "OK: all") {
				t.Fatalf("annex verify: exit %d\n%s%s", code, out, stderr)
			}
			// One changed byte near the end of the file breaks it.
			b, _ := os.ReadFile(pack)
			b[len(b)/3] ^= 0x20
			bad := filepath.Join(dir, "bad.zip")
			os.WriteFile(bad, b, 0o600)
			out, _, code = run(t, "verify", bad)
			if code != 1 {
				t.Fatalf("annex verify on a changed pack: exit %d\n%s", code, out)
			}
			s.keys("C-c")
			s.waitExit()
		})
	}
}

// TestExportEncryptedJourney: tick encryption on the Export tab, type the passphrase twice
// (never shown), export, and verify the .zip.age on the command line with the passphrase.
func TestExportEncryptedJourney(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.db")
	if _, stderr, code := run(t, "demo", "--db", db); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr)
	}
	s := start(t, 120, 40, "--db", db)
	s.waitFor("Medivance")
	s.keys("Enter")
	s.waitFor("Dashboard")
	s.exToExportTab()
	pack := filepath.Join(dir, "secret.zip")
	s.keys("e", "C-u")
	s.text(pack)
	s.keys("Tab", "Tab", "Space") // encryption
	s.waitFor("yes, encrypt with a passphrase", pack+".age")
	s.keys("Tab")
	s.text("horse battery")
	s.keys("Tab")
	s.text("horse battery")
	s.keys("Tab")
	scr := s.waitFor("•••••")
	if strings.Contains(scr, "horse") {
		t.Fatalf("the passphrase shows on screen:\n%s", scr)
	}
	s.keys("C-s") // export
	s.waitFor("✓ Written", "encrypted", "✓ Verified: all")
	cmd := exec.Command(binary, "verify", pack+".age")
	cmd.Env = append(env(t.TempDir()), "ANNEX_PASSPHRASE=horse battery")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "OK: all") {
		t.Fatalf("annex verify with the passphrase: %v\n%s", err, out)
	}
	cmd = exec.Command(binary, "verify", pack+".age")
	cmd.Env = append(env(t.TempDir()), "ANNEX_PASSPHRASE=wrong")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "wrong passphrase") {
		t.Fatalf("annex verify with a wrong passphrase: %v\n%s", err, out)
	}
}
