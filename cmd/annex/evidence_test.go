package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runEvidenceCLI(t *testing.T, db string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &cliApp{stdout: &out, stderr: &errb, stdin: strings.NewReader(""), author: "tester"}
	root := a.rootCommand()
	root.SetArgs(append([]string{"--db", db, "--author", "tester"}, args...))
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

func newEvidenceWorkspace(t *testing.T) (db, dir string) {
	t.Helper()
	dir = t.TempDir()
	db = filepath.Join(dir, "ws.db")
	if _, _, err := runEvidenceCLI(t, db, "demo"); err != nil {
		t.Fatal(err)
	}
	return db, dir
}

func TestEvidenceAddLinksAndRefusesAmbiguousRefs(t *testing.T) {
	db, dir := newEvidenceWorkspace(t)
	p := filepath.Join(dir, "review.csv")
	os.WriteFile(p, []byte("a,b\n"), 0o600)
	_, _, err := runEvidenceCLI(t, db, "evidence", "add", p, "--title", "Review", "--link", "A.5.2")
	if err == nil || !strings.Contains(err.Error(), "iso27001-2022:A.5.2 or iso42001-2023:A.5.2") {
		t.Fatalf("ambiguous ref: %v", err)
	}
	out, _, err := runEvidenceCLI(t, db, "evidence", "add", p, "--title", "Review", "--kind", "record",
		"--link", "A.5.18", "--link", "iso42001-2023:A.5.2", "--valid-until", "2099-01-01")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "copy kept") || !strings.Contains(out, "ISO 27001 A.5.18") || !strings.Contains(out, "ISO 42001 A.5.2") {
		t.Fatalf("add output:\n%s", out)
	}
	out, _, err = runEvidenceCLI(t, db, "evidence", "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var items []evidenceJSON
	if err := json.Unmarshal([]byte(out), &items); err != nil {
		t.Fatal(err)
	}
	var got *evidenceJSON
	for i := range items {
		if items[i].Title == "Review" {
			got = &items[i]
		}
	}
	if got == nil || got.Kind != "record" || got.State != "ok" || len(got.Links) != 2 || got.CollectedBy != "tester" || got.Size == nil || *got.Size != 4 {
		t.Fatalf("listed %+v", got)
	}
	// Link more by title, then unlink.
	if out, _, err = runEvidenceCLI(t, db, "evidence", "link", "Review", "A.8.15"); err != nil || !strings.Contains(out, "to 1 more") {
		t.Fatalf("link: %v %s", err, out)
	}
	if _, _, err = runEvidenceCLI(t, db, "evidence", "link", "--unlink", "Review", "A.8.15"); err != nil {
		t.Fatal(err)
	}
	if _, _, err = runEvidenceCLI(t, db, "evidence", "link", "No such item", "A.8.15"); err == nil {
		t.Fatal("unknown item accepted")
	}
}

func TestEvidenceAddBadInputWritesNothing(t *testing.T) {
	db, dir := newEvidenceWorkspace(t)
	before, _, _ := runEvidenceCLI(t, db, "evidence", "list", "--json")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{filepath.Join(dir, "missing.pdf"), "--title", "x"}, "does not exist"},
		{[]string{dir, "--title", "x"}, "is a folder"},
		{[]string{"https://", "--title", "x"}, "not a web address"},
		{[]string{"www.example.com", "--title", "x"}, "https://www.example.com"},
		{[]string{filepath.Join(dir, "ws.db"), "--title", ""}, "title"},
		{[]string{"https://example.com/x", "--title", "x", "--kind", "memo"}, "unknown evidence kind"},
		{[]string{"https://example.com/x", "--title", "x", "--kind", "document"}, "give its path"},
		{[]string{"https://example.com/x", "--title", "x", "--valid-until", "31/12/2026"}, "YYYY-MM-DD"},
		{[]string{"https://example.com/x", "--title", "x", "--link", "Z.9"}, "no standard of the engagement"},
		{[]string{"https://example.com/x", "--title", "x", "--keep-limit", "lots"}, "not a size"},
	} {
		_, _, err := runEvidenceCLI(t, db, append([]string{"evidence", "add"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("add %v: %v (want %q)", c.args, err, c.want)
		}
	}
	after, _, _ := runEvidenceCLI(t, db, "evidence", "list", "--json")
	if before != after {
		t.Fatal("bad input changed the evidence")
	}
}

func TestEvidenceCheckExitCodeAndReattach(t *testing.T) {
	db, dir := newEvidenceWorkspace(t)
	// The demo changed its incident runbook after attaching it.
	out, _, err := runEvidenceCLI(t, db, "evidence", "check")
	var ex *exitError
	if !errors.As(err, &ex) || ex.code != 1 || !strings.Contains(out, "CHANGED  Incident response runbook") {
		t.Fatalf("check: %v\n%s", err, out)
	}
	if !strings.Contains(out, "EXPIRED  Penetration test summary 2025") {
		t.Fatalf("expired item not listed:\n%s", out)
	}
	if _, _, err := runEvidenceCLI(t, db, "evidence", "reattach", "Incident response runbook"); err != nil {
		t.Fatal(err)
	}
	if out, _, err = runEvidenceCLI(t, db, "evidence", "check"); err != nil {
		t.Fatalf("after reattach: %v\n%s", err, out)
	}
	// A missing file fails the check again.
	if err := os.Remove(filepath.Join(dir, "ws-demo-evidence", "dpia-lens.md")); err != nil {
		t.Fatal(err)
	}
	out, _, err = runEvidenceCLI(t, db, "evidence", "check")
	if !errors.As(err, &ex) || ex.code != 1 || !strings.Contains(out, "MISSING  DPIA: Medivance Lens") {
		t.Fatalf("missing: %v\n%s", err, out)
	}
}

func TestEvidenceExportFiles(t *testing.T) {
	db, dir := newEvidenceWorkspace(t)
	out := filepath.Join(dir, "out")
	stdout, _, err := runEvidenceCLI(t, db, "evidence", "export-files", "--out", out)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 9 || !strings.Contains(stdout, "Wrote 9 files") {
		t.Fatalf("%d files:\n%s", len(entries), stdout)
	}
	for _, e := range entries {
		if info, _ := e.Info(); info.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", e.Name(), info.Mode())
		}
	}
	if _, _, err := runEvidenceCLI(t, db, "evidence", "export-files"); err == nil {
		t.Fatal("export without --out accepted")
	}
}
