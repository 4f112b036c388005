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

// TestSoAJourney: the ISO 42001 Statement of Applicability of the demo becomes a
// controlled document: issue v1 and approve it in the workbench, change two controls in the
// gap analysis, issue v2, read the two controls in the changes between v1 and v2, export
// the pack signed with a minisign key and verify it with annex and with the minisign tool. The pack carries the approved v1 and the current draft, marked.
func TestSoAJourney(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.db")
	if _, stderr, code := run(t, "demo", "--db", db); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr)
	}
	s := start(t, 120, 40, "--db", db)
	s.waitFor("Medivance")
	s.keys("Enter")
	s.waitFor("Dashboard")
	s.keys("]", "]")
	s.waitFor("70 requirements")

	// V opens the SoA of the standard; nothing issued yet.
	s.keys("V")
	s.waitFor("Statement of Applicability · ISO/IEC 42001:2023", "no version issued yet")
	// i issues v1: the summary is proposed, ctrl+s issues.
	s.keys("i")
	s.waitFor("Issue ISO 42001 SoA v1", "First issue.")
	s.keys("C-s")
	s.waitFor("ISO 42001 SoA v1 issued as a draft")
	// a approves it: who and when.
	s.keys("a")
	s.waitFor("Approve ISO 42001 SoA v1", "Approved by")
	s.text("Daniel Okafor")
	s.keys("C-s")
	scr := s.waitFor("v1 approved by Daniel Okafor")
	if !strings.Contains(scr, "approved  Daniel Okafor") {
		t.Fatalf("the versions do not show v1 approved:\n%s", scr)
	}

	// Two controls change in the gap analysis.
	s.keys("Escape")
	s.waitFor("70 requirements")
	s.keys("/")
	s.text("A.2.2")
	s.keys("Enter")
	s.waitFor("AI policy")
	s.keys("3")
	s.waitFor("ISO 42001 A.2.2: implemented")
	s.keys("Escape")
	s.keys("/")
	s.text("A.2.3")
	s.keys("Enter")
	s.waitFor("Alignment with other organizational policies")
	s.keys("1")
	s.waitFor("ISO 42001 A.2.3: not implemented")
	s.keys("Escape")

	// The SoA knows: 2 controls changed since v1; v2 is issued with a summary naming them.
	s.keys("V")
	s.waitFor("2 controls changed since v1")
	s.keys("i")
	s.waitFor("Issue ISO 42001 SoA v2", "A.2.2, A.2.3")
	s.keys("C-s")
	s.waitFor("ISO 42001 SoA v2 issued as a draft")
	// enter on v2 (the cursor is on it): what changed against v1.
	s.keys("Enter")
	scr = s.waitFor("v1 (approved) → v2 (draft)", "2 controls changed", "A.2.2", "A.2.3")
	for _, want := range []string{"not implemented → implemented", "not decided → applicable", "not assessed → not implemented"} {
		if !strings.Contains(scr, want) {
			t.Errorf("the changes lack %q:\n%s", want, scr)
		}
	}
	t.Logf("changes v1 → v2:\n%s", scr)
	s.keys("Escape")
	s.waitFor("VERSION", "v2")
	s.keys("Escape")
	s.waitFor("70 requirements")

	// Export from the Export tab, signed with a key made by `annex key new`.
	key := filepath.Join(dir, "lima.key")
	t.Setenv("ANNEX_KEY_PASSPHRASE", "correct horse battery")
	if _, stderr, code := run(t, "key", "new", "--out", key); code != 0 {
		t.Fatalf("key new: exit %d: %s", code, stderr)
	}
	s.exToExportTab()
	s.waitFor("As of ", ".zip")
	pack := filepath.Join(dir, "soa.zip")
	s.keys("e", "C-u")
	s.text(pack)
	s.keys("Tab")
	s.waitFor(pack)
	s.keys("Tab", "Tab") // evidence files, encryption: as they are
	s.text(key)
	s.keys("Tab")
	s.waitFor("Key passphrase")
	s.text("correct horse battery")
	s.keys("C-s")
	s.waitFor("✓ Written", "signed with minisign key", "✓ Verified: all")
	s.keys("C-c")
	s.waitExit()

	out, stderr, code := run(t, "verify", "--key", key+".pub", pack)
	if code != 0 || !strings.Contains(out, "OK: all") || !strings.Contains(out, "signed by") {
		t.Fatalf("annex verify --key: exit %d\n%s%s", code, out, stderr)
	}
	if _, err := exec.LookPath("minisign"); err == nil {
		x := t.TempDir()
		in := zipFiles(t, pack)
		for _, name := range []string{"manifest.json", "manifest.json.minisig"} {
			if err := os.WriteFile(filepath.Join(x, name), []byte(in[name]), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		mo, err := exec.Command("minisign", "-Vm", filepath.Join(x, "manifest.json"), "-x", filepath.Join(x, "manifest.json.minisig"), "-p", key+".pub").CombinedOutput()
		if err != nil || !strings.Contains(string(mo), "Signature and comment signature verified") {
			t.Errorf("minisign -V: %v\n%s", err, mo)
		}
	} else if os.Getenv("CI") != "" {
		t.Fatal("minisign is required in CI (.ci/run installs it)")
	}
	files := zipFiles(t, pack)
	for _, want := range []string{"soa-iso42001-2023-v1.csv", "soa-iso42001-2023-v1.xlsx", "soa-iso42001-2023.csv", "soa-iso27001-2022-v1.csv", "risk-treatment-plan.csv"} {
		if _, ok := files[want]; !ok {
			t.Errorf("the pack has no %s", want)
		}
	}
	report := files["report.html"]
	for _, want := range []string{"v1, approved by Daniel Okafor", "v2 issued for approval", "Executive summary", "Risk method", "Risk treatment plan"} {
		if !strings.Contains(report, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	out, _, code = run(t, "soa", "list", "--db", db, "--standard", "42001")
	if code != 0 || !strings.Contains(out, "v2       draft") || !strings.Contains(out, "v1       approved") {
		t.Errorf("annex soa list:\n%s", out)
	}
	out, _, code = run(t, "soa", "diff", "1", "2", "--db", db, "--standard", "42001")
	if code != 0 || !strings.Contains(out, "2 controls changed") {
		t.Errorf("annex soa diff 1 2:\n%s", out)
	}
}

func zipFiles(t *testing.T, path string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		out[f.Name] = string(b)
	}
	return out
}
