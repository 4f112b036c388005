package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/annex-grc/annex/internal/pgtest"
)

// TestTeamWorkspaceJourney: one engagement on PostgreSQL, two workbenches of two consultants
// (their own database roles) on it. Each sets a status; the second, whose screen still shows
// the old status of the first's requirement, is told it changed elsewhere and saves nothing.
// The history names both roles; the owner exports the pack and `annex verify` passes it.
func TestTeamWorkspaceJourney(t *testing.T) {
	owner := pgtest.Schema(t, "tester")
	alice, bob := pgtest.Role(t, "alice"), pgtest.Role(t, "bob")
	if _, stderr, code := run(t, "demo", "--db", owner); code != 0 {
		t.Fatalf("demo: %s", stderr)
	}
	for _, role := range []string{alice, bob} {
		if _, stderr, code := run(t, "team", "grant", role, medivanceName, "consultant", "--db", owner); code != 0 {
			t.Fatalf("grant: %s", stderr)
		}
	}
	open := func(role string) *session {
		s := start(t, 120, 40, "--db", pgtest.As(t, owner, role, ""))
		s.waitFor("Medivance")
		s.keys("Enter")
		s.waitFor("Dashboard")
		s.keys("]")
		s.waitFor("123 requirements")
		return s
	}
	a, b := open(alice), open(bob)
	goTo := func(s *session, ref, title string) {
		s.keys("/")
		s.text(ref)
		s.keys("Enter")
		s.waitFor(title)
	}
	goTo(a, "A.5.7", "Threat intelligence")
	goTo(b, "A.5.7", "Threat intelligence")

	// Edits in both: alice sets A.5.7, bob A.5.9 (different requirements: both save).
	a.keys("2")
	a.waitFor("ISO 27001 A.5.7: partially implemented")
	b.keys("Escape")
	goTo(b, "A.5.9", "Inventory of information")
	b.keys("3")
	b.waitFor("ISO 27001 A.5.9: implemented")

	// Bob, whose list still shows A.5.7 as it was, sets it: a conflict, in words.
	b.keys("Escape")
	goTo(b, "A.5.7", "Threat intelligence")
	b.keys("3")
	scr := b.waitFor("changed elsewhere", "partially implemented")
	assertNoBrokenLines(t, scr, 120)
	a.keys("C-c")
	b.keys("C-c")
	a.waitExit()
	b.waitExit()

	log, _, code := run(t, "log", "--db", owner, "--limit", "10")
	if code != 0 || !strings.Contains(log, alice) || !strings.Contains(log, bob) {
		t.Fatalf("the history does not name both consultants:\n%s", log)
	}
	assertStatus(t, owner, "iso27001-2022", "A.5.7", "partially_implemented")
	pack := filepath.Join(t.TempDir(), "pack.zip")
	if _, stderr, code := run(t, "export", "--db", owner, "--out", pack); code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	if out, stderr, code := run(t, "verify", pack); code != 0 {
		t.Fatalf("verify: %s %s", out, stderr)
	}
	if out, stderr, code := run(t, "log", "--verify", "--db", pgtest.As(t, owner, bob, "")); code != 0 {
		t.Fatalf("log --verify as a consultant: %s %s", out, stderr)
	}
}

// TestWorkspaceCopyRoundTrip: a SQLite workspace copied to PostgreSQL and back with `annex
// workspace copy`; the three audit packs (with evidence files) are the same bytes, and the
// history verifies on each.
func TestWorkspaceCopyRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src, back := filepath.Join(dir, "laptop.db"), filepath.Join(dir, "back.db")
	pg := pgtest.Schema(t, "tester")
	if _, stderr, code := run(t, "demo", "--db", src); code != 0 {
		t.Fatalf("demo: %s", stderr)
	}
	for _, step := range [][2]string{{src, pg}, {pg, back}} {
		out, stderr, code := run(t, "workspace", "copy", step[0], step[1])
		if code != 0 || !strings.Contains(out, "history verified") {
			t.Fatalf("copy: %s %s", out, stderr)
		}
	}
	var packs [][]byte
	for i, ws := range []string{src, pg, back} {
		if out, stderr, code := run(t, "log", "--verify", "--db", ws); code != 0 {
			t.Fatalf("log --verify %s: %s %s", ws, out, stderr)
		}
		p := filepath.Join(dir, "pack"+itoa(i)+".zip")
		if _, stderr, code := run(t, "export", "--db", ws, "--with-evidence-files", "--out", p); code != 0 {
			t.Fatalf("export: %s", stderr)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		packs = append(packs, b)
	}
	if !bytes.Equal(packs[0], packs[1]) || !bytes.Equal(packs[0], packs[2]) {
		t.Errorf("the packs differ: %d, %d and %d bytes", len(packs[0]), len(packs[1]), len(packs[2]))
	}
}

const medivanceName = "Medivance Health — ISMS & AIMS readiness"
