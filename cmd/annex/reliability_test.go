package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aead.dev/minisign"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/internal/text"
	"github.com/annex-grc/annex/store"
)

// cli runs annex in-process and returns stdout, stderr and the exit code main would use.
func cli(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &cliApp{stdout: &out, stderr: &errb, stdin: strings.NewReader("")}
	root := a.rootCommand()
	root.SetArgs(append([]string{"--author", "tester"}, args...))
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.ExecuteContext(context.Background())
	if err != nil {
		var ex *exitError
		if errors.As(err, &ex) {
			if ex.msg != "" {
				errb.WriteString("annex: " + text.OneLine(ex.msg) + "\n")
			}
		} else {
			errb.WriteString("annex: " + text.OneLine(sentence(err)) + "\n")
		}
	}
	return out.String(), errb.String(), exitCode(err)
}

// filesSum hashes the workspace and its -wal (what a reader could change).
func filesSum(t *testing.T, db string) [32]byte {
	t.Helper()
	h := sha256.New()
	for _, p := range []string{db, db + "-wal"} {
		if b, err := os.ReadFile(p); err == nil {
			h.Write(b)
		}
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// TestReadOnlyCommands: with --read-only every reading command works and leaves the
// workspace's bytes alone; every writing command is refused with one sentence.
func TestReadOnlyCommands(t *testing.T) {
	db := demoWorkspace(t)
	dir := t.TempDir()
	pack := filepath.Join(dir, "pack.zip")
	before := filesSum(t, db)
	reads := [][]string{
		{"summary"}, {"summary", "--json"}, {"log", "--limit", "5"}, {"log", "--verify"}, {"log", "--json", "--limit", "3"},
		{"export", "--out", pack}, {"verify", pack}, {"catalog", "list"}, {"risks", "list"}, {"ai", "list"},
		{"evidence", "list"}, {"doctor"}, {"log", "--checkpoint", "--out", filepath.Join(dir, "cp.json")},
	}
	for _, args := range reads {
		out, stderr, code := cli(t, append([]string{"--db", db, "--read-only"}, args...)...)
		if code != 0 {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, stderr)
		}
	}
	for _, args := range [][]string{{"demo"}, {"import", pack, "--as-copy"}} {
		_, stderr, code := cli(t, append([]string{"--db", db, "--read-only"}, args...)...)
		if code != 1 || !strings.Contains(stderr, "read-only") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want one sentence saying read-only", args, code, stderr)
		}
	}
	if filesSum(t, db) != before {
		t.Error("the read-only workspace's bytes changed")
	}
	// A workspace that does not exist is not created read-only.
	missing := filepath.Join(dir, "none.db")
	if _, _, code := cli(t, "--db", missing, "--read-only", "summary"); code != 1 {
		t.Error("a missing workspace opened read-only")
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("--read-only created a workspace")
	}
}

// TestForeignDatabaseUntouchedByEveryCommand: another program's SQLite database named
// with --db is refused by every command, byte for byte unchanged, nothing created beside it.
func TestForeignDatabaseUntouchedByEveryCommand(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "other.db")
	conn, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec("PRAGMA journal_mode=DELETE; CREATE TABLE t(x); INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	pack := filepath.Join(dir, "pack.zip")
	if _, _, code := cli(t, "--db", demoWorkspace(t), "export", "--out", pack); code != 0 {
		t.Fatal("export for the import case failed")
	}
	before := filesSum(t, other)
	for _, args := range [][]string{{"summary"}, {"log"}, {"log", "--verify"}, {"log", "--checkpoint", "--out", filepath.Join(dir, "cp.json")},
		{"export", "--out", filepath.Join(dir, "x.zip")}, {"import", pack}, {"demo"}, {"doctor"}, {"doctor", "--fix"},
		{"risks", "list"}, {"ai", "list"}, {"evidence", "list"}, {"catalog", "remove", "x"}, {"summary", "--read-only"}} {
		_, stderr, code := cli(t, append([]string{"--db", other}, args...)...)
		if code != 1 || !strings.Contains(stderr, "another program") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
		if filesSum(t, other) != before {
			t.Fatalf("%v changed the foreign database", args)
		}
		for _, side := range []string{"-wal", "-shm", "-journal"} {
			if _, err := os.Stat(other + side); err == nil {
				t.Fatalf("%v created %s beside the foreign database", args, side)
			}
		}
	}
}

// TestTerminalOutputInert: an engagement name with escape sequences and BEL reaches the
// terminal inert from every command that prints it; JSON keeps it exact.
func TestTerminalOutputInert(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "ws.db")
	evil := "Evil\x1b]0;pwned\x07 \x1b[31mRed\x1b[0m\u009b2J"
	s, err := store.Open(ctx, db, store.Options{Author: "a\x1b[5mb"})
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: evil, Organisation: evil, Standards: []string{catalogs.ISO27001}})
	if err != nil {
		t.Fatal(err)
	}
	r := assessments.Result{EngagementID: e.ID, Standard: catalogs.ISO27001, Ref: "A.5.1", Status: assessments.NotAssessed}
	after := r
	after.Status, after.Notes = assessments.Implemented, evil
	if _, err := s.SaveResult(ctx, r, after); err != nil {
		t.Fatal(err)
	}
	s.Close()
	pack := filepath.Join(t.TempDir(), "p.zip")
	for _, args := range [][]string{{"summary"}, {"log"}, {"risks", "list"}, {"ai", "list"}, {"evidence", "list"},
		{"export", "--out", pack}, {"verify", pack}, {"doctor"}, {"log", "--verify"}, {"import", pack}, {"summary", "--engagement", evil}} {
		out, stderr, _ := cli(t, append([]string{"--db", db}, args...)...)
		if strings.ContainsAny(out+stderr, "\x1b\x07\u009b") {
			t.Errorf("%v printed a raw control character:\n%q\n%q", args, out, stderr)
		}
	}
	out, _, code := cli(t, "--db", db, "summary", "--json")
	var rows []summaryRow
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) == 0 || rows[0].Engagement != evil {
		t.Errorf("summary --json does not keep the name exact: %q", out)
	}
}

// TestLogVerifyFindsCutsAndRewrites: a direct UPDATE with no history row, a cut tail and a
// rewritten tail each make `annex log --verify` exit 1, the last two against a checkpoint
// (signed with minisign) or an audit pack made before.
func TestLogVerifyFindsCutsAndRewrites(t *testing.T) {
	db := demoWorkspace(t)
	dir := t.TempDir()
	exec := func(q string) {
		t.Helper()
		conn, err := sql.Open("sqlite", db)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	pub, priv, err := minisign.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keyText, _ := priv.MarshalText()
	pubText, _ := pub.MarshalText()
	key, pubFile := filepath.Join(dir, "annex.key"), filepath.Join(dir, "annex.pub")
	os.WriteFile(key, keyText, 0o600)
	os.WriteFile(pubFile, pubText, 0o600)
	cp, pack := filepath.Join(dir, "cp.json"), filepath.Join(dir, "pack.zip")
	if out, stderr, code := cli(t, "--db", db, "log", "--checkpoint", "--out", cp, "--sign", key); code != 0 || !strings.Contains(out, "cp.json.minisig") {
		t.Fatalf("checkpoint: %d %s %s", code, out, stderr)
	}
	if st, err := os.Stat(cp); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("checkpoint file: %v", err)
	}
	if _, _, code := cli(t, "--db", db, "export", "--out", pack); code != 0 {
		t.Fatal("export")
	}
	for _, since := range [][]string{{"--since", cp}, {"--since", cp, "--pubkey", pubFile}, {"--since", pack}} {
		if out, stderr, code := cli(t, append([]string{"--db", db, "log", "--verify"}, since...)...); code != 0 || !strings.Contains(out, "still holds the end") {
			t.Fatalf("%v on an intact history: %d %s %s", since, code, out, stderr)
		}
	}
	// A tampered checkpoint fails its signature.
	b, _ := os.ReadFile(cp)
	forged := filepath.Join(dir, "forged.json")
	os.WriteFile(forged, bytes.Replace(b, []byte(`"length": `), []byte(`"length": 1`), 1), 0o600)
	sig, _ := os.ReadFile(cp + ".minisig")
	os.WriteFile(forged+".minisig", sig, 0o600)
	if _, stderr, code := cli(t, "--db", db, "log", "--verify", "--since", forged, "--pubkey", pubFile); code != 1 || !strings.Contains(stderr, "signature") {
		t.Errorf("forged checkpoint: %d %q", code, stderr)
	}

	// The last ten rows cut, the row counter put back: the chain alone holds, the
	// checkpoint and the pack do not.
	exec("DELETE FROM changes WHERE seq > (SELECT max(seq) - 10 FROM changes); UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM changes) WHERE name = 'changes'")
	for _, since := range []string{cp, pack} {
		out, stderr, code := cli(t, "--db", db, "log", "--verify", "--since", since)
		if code != 1 || !strings.Contains(out, "rows were cut") {
			t.Errorf("cut tail against %s: %d %s %s", filepath.Base(since), code, out, stderr)
		}
	}
	// A value changed with no history row.
	db2 := demoWorkspace(t)
	db = db2
	exec("UPDATE risks SET owner = 'Mallory' WHERE ref = 'R-001'")
	out, stderr, code := cli(t, "--db", db, "log", "--verify")
	if code != 1 || !strings.Contains(out, `Not explained by the history: risk R-001: owner is "Mallory"`) {
		t.Errorf("direct update: %d %s %s", code, out, stderr)
	}
	// The last row deleted: found from the row counter alone.
	db = demoWorkspace(t)
	exec("DELETE FROM changes WHERE seq = (SELECT max(seq) FROM changes)")
	if out, _, code := cli(t, "--db", db, "log", "--verify"); code != 1 || !strings.Contains(out, "cut from its end") {
		t.Errorf("last row deleted: %d %s", code, out)
	}
}

// TestConflictMessagesInWords: a conflict the store refuses reaches the command line as
// one sentence in words: field labels and values as a person reads them, no stored enum
// tokens. (annex evidence reattach is the command on the update path; the message is the
// store's ConflictError, so each entity's is checked here.)
func TestConflictMessagesInWords(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "ws.db"), store.Options{Author: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e, _ := s.CreateEngagement(ctx, assessments.Engagement{Name: "Acme", Standards: []string{catalogs.ISO27001}})
	stale := assessments.Result{EngagementID: e.ID, Standard: catalogs.ISO27001, Ref: "A.5.1", Status: assessments.NotAssessed}
	theirs := stale
	theirs.Status = assessments.Partial
	s.SaveResult(ctx, stale, theirs)
	mine := stale
	mine.Status = assessments.NotImplemented
	_, errResult := s.SaveResult(ctx, stale, mine)

	r, _ := s.CreateRisk(ctx, assessments.Risk{EngagementID: e.ID, Title: "T", Scope: assessments.ScopeSecurity,
		Inherent: assessments.Score{Likelihood: 2, Consequence: 2}})
	other := r
	other.Status = assessments.RiskInTreatment
	s.UpdateRisk(ctx, r, other)
	mineRisk := r
	mineRisk.Status = assessments.RiskClosed
	_, errRisk := s.UpdateRisk(ctx, r, mineRisk)

	for _, c := range []struct {
		err       error
		want, not string
	}{{errResult, `ISO 27001 A.5.1: status changed elsewhere to "partially implemented"`, "partially_implemented"},
		{errRisk, `risk R-001: status changed elsewhere to`, "in_treatment"}} {
		if !errors.Is(c.err, store.ErrConflict) {
			t.Fatalf("no conflict: %v", c.err)
		}
		line := text.OneLine(sentence(c.err))
		if !strings.Contains(strings.ToLower(line), strings.ToLower(c.want)) || strings.Contains(line, c.not) || strings.Contains(line, "\n") {
			t.Errorf("conflict message %q: want %q in words, without %q", line, c.want, c.not)
		}
	}
}
