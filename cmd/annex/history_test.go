package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

type logRow struct {
	Seq    int64  `json:"seq"`
	At     string `json:"at"`
	Author string `json:"author"`
	Entity string `json:"entity"`
	Field  string `json:"field"`
	Hash   string `json:"hash"`
	Origin *struct {
		Chain  string `json:"chain"`
		Source string `json:"source"`
	} `json:"origin"`
}

func logJSON(t *testing.T, db string) []logRow {
	t.Helper()
	out, err := runCLI(t, db, "log", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []logRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

// export → import → export → import: every author and time of the source's history is
// kept, and `annex log --verify` holds on the targets, with the imported rows anchored.
func TestHistoryRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.db")
	if _, err := runCLI(t, src, "demo"); err != nil {
		t.Fatal(err)
	}
	srcRows := logJSON(t, src)
	if len(srcRows) < 100 {
		t.Fatalf("the demo has %d history rows", len(srcRows))
	}
	a := filepath.Join(dir, "a.zip")
	if _, err := runCLI(t, src, "export", "--out", a); err != nil {
		t.Fatal(err)
	}
	mid := filepath.Join(dir, "mid.db")
	if out, err := runCLI(t, mid, "import", a); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err := runCLI(t, mid, "log", "--verify")
	if err != nil || !strings.Contains(out, "hash chain intact") || !strings.Contains(out, "holds against its anchors") {
		t.Fatalf("log --verify on the target: %v\n%s", err, out)
	}
	midRows := logJSON(t, mid)
	type key struct{ at, author, hash string }
	imported := map[key]bool{}
	for _, r := range midRows {
		if r.Origin != nil {
			imported[key{r.At, r.Author, r.Hash}] = true
		}
	}
	for _, r := range srcRows {
		if !imported[key{r.At, r.Author, r.Hash}] {
			t.Fatalf("source row %d (%s by %s) lost on import", r.Seq, r.At, r.Author)
		}
	}
	text, _ := runCLI(t, mid, "log")
	if !strings.Contains(text, "Imported from a.zip: "+itoa(len(srcRows))+" rows written in workspace") {
		t.Fatalf("annex log does not show the imported rows' origin:\n%s", text[:min(len(text), 600)])
	}

	// Second hop: both chains travel.
	b := filepath.Join(dir, "b.zip")
	if _, err := runCLI(t, mid, "export", "--out", b); err != nil {
		t.Fatal(err)
	}
	if out, err := runCLI(t, mid, "verify", b); err != nil {
		t.Fatalf("verify b: %v\n%s", err, out)
	}
	last := filepath.Join(dir, "last.db")
	if out, err := runCLI(t, last, "import", b); err != nil {
		t.Fatalf("import b: %v\n%s", err, out)
	}
	out, err = runCLI(t, last, "log", "--verify")
	if err != nil || !strings.Contains(out, "in 2 segments") {
		t.Fatalf("log --verify after two hops: %v\n%s", err, out)
	}
	n := 0
	for _, r := range logJSON(t, last) {
		if r.Origin != nil {
			n++
		}
	}
	if n != len(midRows) {
		t.Fatalf("after two hops %d imported rows, want %d (all of the middle workspace's)", n, len(midRows))
	}

	// An imported row edited behind annex's back breaks the check.
	d, err := sql.Open("sqlite", last)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.ExecContext(context.Background(), "UPDATE changes_imported SET author = 'mallory' WHERE pos = 5"); err != nil {
		t.Fatal(err)
	}
	d.Close()
	out, err = runCLI(t, last, "log", "--verify")
	if exitCode(err) != 1 || !strings.Contains(out, "Imported history is broken") {
		t.Fatalf("edited imported row: %v\n%s", err, out)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
