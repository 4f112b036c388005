package e2e

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func sum(t *testing.T, p string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestForeignDatabaseUntouched: another program's rollback-journal SQLite database named
// with --db keeps its bytes (SHA-256) and its journal mode after every command, the
// workbench included, and nothing is created beside it.
func TestForeignDatabaseUntouched(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "other.db")
	conn, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec("PRAGMA journal_mode=DELETE; CREATE TABLE notes(x TEXT); INSERT INTO notes VALUES ('keep')"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	os.Chmod(other, 0o644)
	ws := filepath.Join(dir, "ws.db")
	if _, stderr, code := run(t, "demo", "--db", ws); code != 0 {
		t.Fatal(stderr)
	}
	pack := filepath.Join(dir, "pack.zip")
	if _, stderr, code := run(t, "export", "--db", ws, "--out", pack); code != 0 {
		t.Fatal(stderr)
	}
	before := sum(t, other)
	check := func(what string) {
		t.Helper()
		if sum(t, other) != before {
			t.Fatalf("%s changed the foreign database", what)
		}
		b, _ := os.ReadFile(other)
		if b[18] != 1 || b[19] != 1 {
			t.Fatalf("%s switched the foreign database to WAL (bytes 18-19 = %d %d)", what, b[18], b[19])
		}
		for _, side := range []string{"-wal", "-shm", "-journal"} {
			if _, err := os.Stat(other + side); err == nil {
				t.Fatalf("%s created %s", what, side)
			}
		}
		if st, _ := os.Stat(other); st.Mode().Perm() != 0o644 {
			t.Fatalf("%s changed the mode to %o", what, st.Mode().Perm())
		}
	}
	for _, args := range [][]string{{"summary"}, {"summary", "--json"}, {"log"}, {"log", "--verify"}, {"export", "--out", filepath.Join(dir, "x.zip")},
		{"import", pack}, {"demo"}, {"demo", "--size", "large"}, {"doctor"}, {"doctor", "--fix"}, {"risks", "list"}, {"ai", "list"},
		{"evidence", "list"}, {"evidence", "check"}, {"evidence", "add", pack, "--title", "x"}, {"catalog", "list"},
		{"catalog", "show", "A.5.1", "--standard", "iso27001-2022"}, {"log", "--checkpoint", "--out", filepath.Join(dir, "cp.json")},
		{"summary", "--read-only"}} {
		_, stderr, code := run(t, append(args, "--db", other)...)
		if code != 1 || !strings.Contains(stderr, "another program") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
		check(strings.Join(args, " "))
	}
	s := start(t, 100, 30, "--db", other)
	if code := s.waitExit(); code != 1 {
		t.Errorf("workbench exit %d, want 1", code)
	}
	check("the workbench")
}

// TestEmptyFileAndModes: a 0-byte file becomes a workspace only made owner-only, with a
// message; a workspace others can read is opened with a warning, and doctor --fix
// tightens it and its -wal and -shm.
func TestEmptyFileAndModes(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o644)
	os.Chmod(empty, 0o644)
	_, stderr, code := run(t, "summary", "--db", empty)
	if code != 0 || !strings.Contains(stderr, "was an empty file") || !strings.Contains(stderr, "was 0644") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if st, _ := os.Stat(empty); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %o, want 600", st.Mode().Perm())
	}
	ws := filepath.Join(dir, "ws.db")
	if _, stderr, code := run(t, "demo", "--db", ws); code != 0 {
		t.Fatal(stderr)
	}
	os.Chmod(ws, 0o644)
	if _, stderr, _ := run(t, "summary", "--db", ws); !strings.Contains(stderr, "can be read by other users (mode 0644)") {
		t.Errorf("no warning for a 0644 workspace: %q", stderr)
	}
	out, _, code := run(t, "doctor", "--db", ws)
	if code != 1 || !strings.Contains(out, "others can read it") {
		t.Errorf("doctor: exit %d\n%s", code, out)
	}
	out, stderr, code = run(t, "doctor", "--fix", "--db", ws)
	if code != 0 || !strings.Contains(out, "Fixed:") || !strings.Contains(out, "OK: nothing to fix") {
		t.Errorf("doctor --fix: exit %d\n%s%s", code, out, stderr)
	}
	for _, p := range []string{ws, ws + "-wal", ws + "-shm"} {
		if st, err := os.Stat(p); err == nil && st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %o after --fix", p, st.Mode().Perm())
		}
	}
}

// TestReadOnlyWorkspaceAsOtherUser: a workspace its user may only read (chmod 0400, in a
// folder it cannot write) is read, summarised, verified and exported; the workbench shows
// the read-only banner and refuses an edit. Tests run as root, who may write anything, so
// the file is handed to the unprivileged user nobody (runuser).
func TestReadOnlyWorkspaceAsOtherUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to hand a file to another user")
	}
	if err := exec.Command("runuser", "-u", "nobody", "--", "true").Run(); err != nil {
		t.Skipf("runuser -u nobody does not work here: %v", err)
	}
	base, err := os.MkdirTemp("", "annex-ro-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	os.Chmod(base, 0o755)
	bin := filepath.Join(base, "annex")
	b, _ := os.ReadFile(binary)
	os.WriteFile(bin, b, 0o755)
	wsDir := filepath.Join(base, "ws")
	os.Mkdir(wsDir, 0o755)
	ws := filepath.Join(wsDir, "ws.db")
	if _, stderr, code := run(t, "demo", "--db", ws); code != 0 {
		t.Fatal(stderr)
	}
	out := filepath.Join(base, "out")
	os.Mkdir(out, 0o777)
	os.Chmod(out, 0o777)
	exec.Command("chown", "nobody", ws).Run()
	os.Chmod(ws, 0o400)
	os.Chmod(wsDir, 0o555) // nobody cannot write the folder: no -wal or -shm can be made
	before := sum(t, ws)
	as := func(args ...string) (string, string, int) {
		cmd := exec.Command("runuser", append([]string{"-u", "nobody", "--", bin}, args...)...)
		cmd.Env = append(env(base), "HOME="+out)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return o.String(), e.String(), code
	}
	for _, args := range [][]string{{"summary"}, {"log", "--verify"}, {"export", "--out", filepath.Join(out, "p.zip")},
		{"verify", filepath.Join(out, "p.zip")}, {"doctor"}, {"risks", "list"}} {
		o, e, code := as(append(args, "--db", ws)...)
		if code != 0 {
			t.Errorf("%v as nobody: exit %d\n%s%s", args, code, o, e)
		}
	}
	if _, e, code := as("demo", "--db", ws); code != 1 || !strings.Contains(e, "read-only (the file is not writable)") {
		t.Errorf("demo as nobody: exit %d, %q", code, e)
	}
	if sum(t, ws) != before {
		t.Error("the read-only workspace changed")
	}
}

// TestReadOnlyWorkbench: `annex --read-only` shows the banner and an edit is refused with
// one sentence; the workspace is unchanged.
func TestReadOnlyWorkbench(t *testing.T) {
	dir := t.TempDir()
	ws := filepath.Join(dir, "ws.db")
	if _, stderr, code := run(t, "demo", "--db", ws); code != 0 {
		t.Fatal(stderr)
	}
	before := sum(t, ws)
	s := start(t, 120, 40, "--db", ws, "--read-only")
	s.waitFor("READ-ONLY", "Medivance")
	s.keys("Enter")
	s.waitFor("Top residual risks")
	s.keys("]") // the ISO 27001 tab
	s.waitFor("123 requirements")
	s.keys("/")
	s.text("A.5.7")
	s.keys("Enter")
	s.waitFor("Threat intelligence")
	s.keys("3")
	scr := s.waitFor("read-only (opened in read-only mode)")
	assertNoBrokenLines(t, scr, 120)
	s.keys("C-c")
	s.waitExit()
	if sum(t, ws) != before {
		t.Error("the workspace changed")
	}
}

// TestSignedCheckpointVerifiesWithMinisign: a checkpoint signed by annex verifies with the
// minisign tool and a key it made.
func TestSignedCheckpointVerifiesWithMinisign(t *testing.T) {
	if _, err := exec.LookPath("minisign"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("minisign is required in CI (.ci/run installs it)")
		}
		t.Skip("minisign not installed")
	}
	dir := t.TempDir()
	pub, sec := filepath.Join(dir, "k.pub"), filepath.Join(dir, "k.key")
	if out, err := exec.Command("minisign", "-G", "-W", "-p", pub, "-s", sec).CombinedOutput(); err != nil {
		t.Fatalf("minisign -G: %v %s", err, out)
	}
	ws := filepath.Join(dir, "ws.db")
	if _, stderr, code := run(t, "demo", "--db", ws); code != 0 {
		t.Fatal(stderr)
	}
	cp := filepath.Join(dir, "cp.json")
	if out, stderr, code := run(t, "log", "--checkpoint", "--out", cp, "--sign", sec, "--db", ws); code != 0 {
		t.Fatalf("checkpoint: %s %s", out, stderr)
	}
	if out, err := exec.Command("minisign", "-V", "-m", cp, "-p", pub).CombinedOutput(); err != nil || !strings.Contains(string(out), "Signature and comment signature verified") {
		t.Fatalf("minisign -V: %v %s", err, out)
	}
	if out, stderr, code := run(t, "log", "--verify", "--since", cp, "--pubkey", pub, "--db", ws); code != 0 || !strings.Contains(out, "signature checked") {
		t.Errorf("verify --since: %d %s %s", code, out, stderr)
	}
}

// TestHistoryCutsFound: on the binary, `annex log --verify` fails when the last row is
// deleted, when a stored value is changed with no history row, and, against a checkpoint
// or a pack made before, when the last ten rows are cut and the row counter put back.
func TestHistoryCutsFound(t *testing.T) {
	dir := t.TempDir()
	sqlExec := func(db, q string) {
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
	demo := func(name string) string {
		db := filepath.Join(dir, name)
		if _, stderr, code := run(t, "demo", "--db", db); code != 0 {
			t.Fatal(stderr)
		}
		return db
	}
	db := demo("last.db")
	sqlExec(db, "DELETE FROM changes WHERE seq = (SELECT max(seq) FROM changes)")
	if out, _, code := run(t, "log", "--verify", "--db", db); code != 1 || !strings.Contains(out, "cut from its end") {
		t.Errorf("last row deleted: exit %d\n%s", code, out)
	}
	db = demo("update.db")
	sqlExec(db, "UPDATE results SET owner = 'Mallory' WHERE ref = 'A.5.15'")
	if out, _, code := run(t, "log", "--verify", "--db", db); code != 1 || !strings.Contains(out, `owner is "Mallory"`) {
		t.Errorf("direct update: exit %d\n%s", code, out)
	}
	db = demo("ten.db")
	cp, pack := filepath.Join(dir, "cp.json"), filepath.Join(dir, "pack.zip")
	if _, stderr, code := run(t, "log", "--checkpoint", "--out", cp, "--db", db); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := run(t, "export", "--out", pack, "--db", db); code != 0 {
		t.Fatal(stderr)
	}
	sqlExec(db, "DELETE FROM changes WHERE seq > (SELECT max(seq) - 10 FROM changes); UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM changes) WHERE name = 'changes'")
	for _, since := range []string{cp, pack} {
		if out, _, code := run(t, "log", "--verify", "--since", since, "--db", db); code != 1 || !strings.Contains(out, "rows were cut") {
			t.Errorf("ten rows cut, against %s: exit %d\n%s", filepath.Base(since), code, out)
		}
	}
}
