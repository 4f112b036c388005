package e2e

import (
	"archive/zip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The signing journey on the real binary: a key made with a passphrase typed twice on the
// terminal (never echoed, a short one refused), a pack signed with it, checked by annex and
// by the minisign tool.
func TestSigningJourney(t *testing.T) {
	if _, err := exec.LookPath("minisign"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("minisign is required in CI (.ci/run installs it)")
		}
		t.Skip("minisign not installed")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.db")
	if _, stderr, code := run(t, "demo", "--db", db); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr)
	}
	key := filepath.Join(dir, "lima.key")

	s := start(t, 100, 24, "key", "new", "--out", key)
	s.waitFor("Passphrase for the new key:")
	s.text("short")
	s.keys("Enter")
	s.waitFor("The same again:")
	s.text("short")
	s.keys("Enter")
	scr := s.waitFor("use at least 12")
	if strings.Contains(scr, "short") || s.waitExit() != 1 {
		t.Fatalf("a short passphrase: exit or echo wrong:\n%s", scr)
	}

	const pass = "tide pool lantern"
	s = start(t, 100, 24, "key", "new", "--out", key)
	s.waitFor("Passphrase for the new key:")
	s.text(pass)
	s.keys("Enter")
	s.waitFor("The same again:")
	s.text(pass)
	s.keys("Enter")
	scr = s.waitFor("Wrote the secret key")
	if strings.Contains(scr, pass) || s.waitExit() != 0 {
		t.Fatalf("key new:\n%s", scr)
	}

	pack := filepath.Join(dir, "signed.zip")
	s = start(t, 120, 24, "--db", db, "export", "--sign", key, "--out", pack)
	s.waitFor("Passphrase of " + key)
	s.text(pass)
	s.keys("Enter")
	scr = s.waitFor("signed with minisign key")
	if strings.Contains(scr, pass) || s.waitExit() != 0 {
		t.Fatalf("export --sign:\n%s", scr)
	}

	out, stderr, code := run(t, "verify", "--key", key+".pub", pack)
	if code != 0 || !strings.Contains(out, "Signature: signed by the key in "+key+".pub") {
		t.Fatalf("verify --key: exit %d\n%s%s", code, out, stderr)
	}
	// Without annex: minisign over manifest.json, as docs/AUDIT-PACK.md says.
	zr, err := zip.OpenReader(pack)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name != "manifest.json" && f.Name != "manifest.json.minisig" {
			continue
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		os.WriteFile(filepath.Join(dir, f.Name), b, 0o600)
	}
	zr.Close()
	cmd := exec.Command("minisign", "-Vm", "manifest.json", "-x", "manifest.json.minisig", "-p", key+".pub")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(b), "Signature and comment signature verified") {
		t.Fatalf("minisign -V: %v\n%s", err, b)
	}
}
