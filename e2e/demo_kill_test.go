package e2e

import (
	"database/sql"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// demoTables are compared between a killed demo and a finished one.
var demoTables = []string{"engagements", "engagement_standards", "results", "risks", "risk_controls", "ai_systems",
	"impact_assessments", "impact_areas", "evidence", "evidence_blobs", "evidence_links", "changes"}

// tableCounts opens the workspace the way a later annex would (recovering the WAL of the
// killed process), checks its integrity and counts the demo's rows.
func tableCounts(t *testing.T, db string) map[string]int {
	t.Helper()
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var ok string
	if err := conn.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("%s: integrity_check = %q, %v", db, ok, err)
	}
	out := map[string]int{}
	for _, table := range demoTables {
		var n int
		if err := conn.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Fatalf("%s: count %s: %v", db, table, err)
		}
		out[table] = n
	}
	return out
}

// runDemo runs `annex demo` on db and SIGKILLs it after wait (if it is still running);
// it reports whether the kill landed while annex ran.
func runDemo(t *testing.T, db string, wait time.Duration, args ...string) bool {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"demo", "--db", db}, args...)...)
	cmd.Env = env(t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return false
	case <-time.After(wait):
		cmd.Process.Kill()
		<-done
		return true
	}
}

// TestDemoKilledAtRandomInstants: SIGKILL at random instants during `annex demo` leaves
// either no engagement or a complete one (every table as in a finished demo), and the
// workspace passes integrity_check and `annex log --verify` each time.
func TestDemoKilledAtRandomInstants(t *testing.T) {
	dir := t.TempDir()
	check := func(db string, want map[string]int) (complete bool) {
		t.Helper()
		if out, stderr, code := run(t, "log", "--verify", "--db", db); code != 0 || !strings.HasPrefix(out, "OK") {
			t.Fatalf("%s: log --verify exit %d: %s%s", db, code, out, stderr)
		}
		got := tableCounts(t, db)
		if got["engagements"] == 0 {
			for table, n := range got {
				if n != 0 {
					t.Fatalf("%s: no engagement but %d rows in %s: %v", db, n, table, got)
				}
			}
			return false
		}
		for table, n := range want {
			if got[table] != n {
				t.Fatalf("%s: partial demo: %s has %d rows, a finished demo %d (all: %v)", db, table, got[table], n, got)
			}
		}
		return true
	}
	for _, c := range []struct {
		size  string
		kills int
	}{{"normal", 50}, {"large", 2}} {
		ref := filepath.Join(dir, "ref-"+c.size+".db")
		start := time.Now()
		if runDemo(t, ref, time.Hour, "--size", c.size) {
			t.Fatal("the reference demo did not finish")
		}
		took := time.Since(start)
		want := tableCounts(t, ref)
		if want["engagements"] != 1 || want["risks"] == 0 {
			t.Fatalf("reference %s demo: %v", c.size, want)
		}
		seed := uint64(time.Now().UnixNano())
		rng := rand.New(rand.NewPCG(seed, 0))
		t.Logf("%s demo takes %v; killing %d times at random instants (seed %d)", c.size, took, c.kills, seed)
		var killed, complete int
		for range c.kills {
			db := filepath.Join(dir, c.size+"-"+time.Now().Format("150405.000000")+".db")
			wait := time.Duration(rng.Int64N(int64(took) * 6 / 5))
			if runDemo(t, db, wait, "--size", c.size) {
				killed++
			}
			if check(db, want) {
				complete++
			}
		}
		t.Logf("%s: %d of %d runs killed while running; %d workspaces complete, %d empty", c.size, killed, c.kills, complete, c.kills-complete)
		if killed == 0 {
			t.Errorf("%s: no kill landed while annex ran", c.size)
		}
	}
}

// TestDemoOnFullDisk: `annex demo` on a disk that fills up half-way fails with one
// sentence and leaves no engagement. The disk is an 800 kB tmpfs (needs root and mount; the
// test skips where it cannot mount).
func TestDemoOnFullDisk(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=800k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	db := filepath.Join(dir, "ws.db")
	_, stderr, code := run(t, "demo", "--db", db)
	if code != 1 || !strings.Contains(stderr, "full") {
		t.Fatalf("demo on a full disk: exit %d, %q", code, stderr)
	}
	got := tableCounts(t, db)
	for table, n := range got {
		if n != 0 {
			t.Errorf("%d rows left in %s after the failed demo", n, table)
		}
	}
	if out, stderr, code := run(t, "log", "--verify", "--db", db); code != 0 {
		t.Errorf("log --verify: %s %s", out, stderr)
	}
}
