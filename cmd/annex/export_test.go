package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

// runCLI runs annex with args against db and returns stdout and the error.
func runCLI(t *testing.T, db string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &cliApp{stdout: &out, stderr: &errb, stdin: strings.NewReader("")}
	root := a.rootCommand()
	root.SetArgs(append([]string{"--db", db, "--author", "tester"}, args...))
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func exitCode(err error) int {
	var ex *exitError
	if errors.As(err, &ex) {
		return ex.code
	}
	if err != nil {
		return 1
	}
	return 0
}

func TestExportVerifyImportLog(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.db")
	if _, err := runCLI(t, db, "demo"); err != nil {
		t.Fatal(err)
	}
	pack := filepath.Join(dir, "pack.zip")
	out, err := runCLI(t, db, "export", "--out", pack)
	if err != nil || !strings.Contains(out, "Wrote "+pack) {
		t.Fatalf("export: %v\n%s", err, out)
	}
	if st, _ := os.Stat(pack); st.Mode().Perm() != 0o600 {
		t.Errorf("pack mode %v", st.Mode().Perm())
	}
	out, err = runCLI(t, db, "verify", pack)
	if err != nil || !strings.Contains(out, "OK: all") {
		t.Fatalf("verify: %v\n%s", err, out)
	}

	// A pack with one file removed fails with exit 1 and names the file.
	b, _ := os.ReadFile(pack)
	zr, _ := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if f.Name == "report.html" {
			continue
		}
		w, _ := zw.Create(f.Name)
		rc, _ := f.Open()
		var body bytes.Buffer
		body.ReadFrom(rc)
		w.Write(body.Bytes())
	}
	zw.Close()
	broken := filepath.Join(dir, "broken.zip")
	os.WriteFile(broken, buf.Bytes(), 0o600)
	out, err = runCLI(t, db, "verify", broken)
	if exitCode(err) != 1 || !strings.Contains(out, "missing: report.html") {
		t.Fatalf("verify broken: code %d err %v\n%s", exitCode(err), err, out)
	}

	// Encrypted with a passphrase from the environment.
	t.Setenv("ANNEX_PASSPHRASE", "correct horse")
	enc := filepath.Join(dir, "enc.zip")
	if out, err = runCLI(t, db, "export", "--out", enc, "--encrypt"); err != nil {
		t.Fatalf("export --encrypt: %v\n%s", err, out)
	}
	if out, err = runCLI(t, db, "verify", enc+".age"); err != nil || !strings.Contains(out, "OK: all") {
		t.Fatalf("verify .age: %v\n%s", err, out)
	}
	t.Setenv("ANNEX_PASSPHRASE", "wrong")
	if _, err = runCLI(t, db, "verify", enc+".age"); err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Fatalf("verify with a wrong passphrase: %v", err)
	}

	// Encrypted to a recipient, verified with the identity file.
	id, _ := age.GenerateX25519Identity()
	idFile := filepath.Join(dir, "key.txt")
	os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600)
	rec := filepath.Join(dir, "rec.zip")
	if out, err = runCLI(t, db, "export", "--out", rec, "--recipient", id.Recipient().String()); err != nil {
		t.Fatalf("export --recipient: %v\n%s", err, out)
	}
	if out, err = runCLI(t, db, "verify", "--identity", idFile, rec+".age"); err != nil || !strings.Contains(out, "OK: all") {
		t.Fatalf("verify --identity: %v\n%s", err, out)
	}

	// Import into a new workspace, then the same id again is refused.
	db2 := filepath.Join(dir, "other.db")
	if out, err = runCLI(t, db2, "import", pack); err != nil || !strings.Contains(out, "Imported") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if _, err = runCLI(t, db2, "import", pack); err == nil || !strings.Contains(err.Error(), "--as-copy") {
		t.Fatalf("second import: %v", err)
	}
	if out, err = runCLI(t, db2, "import", "--as-copy", pack); err != nil || !strings.Contains(out, "(copy)") {
		t.Fatalf("import --as-copy: %v\n%s", err, out)
	}
	out, err = runCLI(t, db2, "log", "--verify")
	if err != nil || !strings.Contains(out, "OK: the change history holds") {
		t.Fatalf("log --verify: %v\n%s", err, out)
	}
	out, err = runCLI(t, db2, "log", "--json", "--limit", "2")
	if err != nil || strings.Count(out, `"hash"`) != 2 || !strings.Contains(out, `"field": "imported"`) {
		t.Fatalf("log --json: %v\n%s", err, out)
	}
	out, err = runCLI(t, db2, "log", "--limit", "3")
	if err != nil || strings.Count(out, "\n") != 4 || !strings.Contains(out, "imported") {
		t.Fatalf("log --limit 3: %v\n%s", err, out)
	}
}

func TestLogVerifyFailsOnTamperedHistory(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.db")
	if _, err := runCLI(t, db, "demo"); err != nil {
		t.Fatal(err)
	}
	a := &cliApp{dbPath: db}
	s, err := a.open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec("UPDATE changes SET new_value = 'implemented' WHERE seq = 20"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	out, err := runCLI(t, db, "log", "--verify")
	if exitCode(err) != 1 || !strings.Contains(out, "broken at row 20") {
		t.Fatalf("log --verify on a tampered history: code %d, %v\n%s", exitCode(err), err, out)
	}
}

func TestExportDefaultNameAndVerifyJSON(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.db")
	if _, err := runCLI(t, db, "demo"); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	out, err := runCLI(t, db, "export")
	if err != nil {
		t.Fatalf("export without --out: %v\n%s", err, out)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "medivance-health-isms-aims-readiness-*.zip"))
	if len(matches) != 1 {
		t.Fatalf("default pack name: %v\n%s", matches, out)
	}
	out, err = runCLI(t, db, "verify", "--json", matches[0])
	if err != nil || !strings.Contains(out, `"ok": true`) || !strings.Contains(out, `"problems": []`) {
		t.Fatalf("verify --json: %v\n%s", err, out)
	}
	// An encrypted pack imports with its passphrase.
	t.Setenv("ANNEX_PASSPHRASE", "a long pass phrase")
	enc := filepath.Join(dir, "enc.zip")
	if out, err = runCLI(t, db, "export", "--encrypt", "--with-evidence-files", "--out", enc); err != nil {
		t.Fatalf("export --encrypt: %v\n%s", err, out)
	}
	if out, err = runCLI(t, filepath.Join(dir, "new.db"), "import", enc+".age"); err != nil || !strings.Contains(out, "risks") {
		t.Fatalf("import .age: %v\n%s", err, out)
	}
}
