package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/annex-grc/annex/internal/pgtest"
)

// TestTeamCommandsOnPostgres: the owner makes a workspace with the demo on PostgreSQL,
// grants a consultant and a viewer; the consultant's --author is not the history's author,
// the viewer's write is one sentence and exit 1, doctor and log --verify work for each, and
// team commands on SQLite say they need PostgreSQL.
func TestTeamCommandsOnPostgres(t *testing.T) {
	owner := pgtest.Schema(t, "tester")
	consultant, viewer := pgtest.Role(t, "consultant"), pgtest.Role(t, "viewer")
	asC, asV := pgtest.As(t, owner, consultant, ""), pgtest.As(t, owner, viewer, "")
	dir := t.TempDir()
	t.Setenv("XDG_DATA_HOME", dir) // where the demo's evidence files go
	if out, errs, code := cli(t, "--db", owner, "demo"); code != 0 {
		t.Fatalf("demo: %s %s", out, errs)
	}
	for _, g := range [][]string{{consultant, "consultant"}, {viewer, "viewer"}} {
		out, errs, code := cli(t, "--db", owner, "team", "grant", g[0], medivance, g[1])
		if code != 0 || !strings.Contains(out, g[0]+" is "+g[1]) {
			t.Fatalf("grant %v: %q %q", g, out, errs)
		}
	}
	if out, _, _ := cli(t, "--db", owner, "team", "list"); strings.Count(out, "Medivance") != 2 {
		t.Errorf("team list:\n%s", out)
	}
	// The consultant adds evidence with a made-up --author: the history names its role.
	out, errs, code := cli(t, "--db", asC, "--author", "mallory", "evidence", "add", "https://example.org/policy", "--title", "Consultant's link", "--link", "A.5.1")
	if code != 0 || !strings.Contains(errs, "is not used") {
		t.Errorf("evidence add as consultant: %d %q %q", code, out, errs)
	}
	out, _, _ = cli(t, "--db", owner, "log", "--limit", "5")
	if strings.Contains(out, "mallory") || !strings.Contains(out, consultant) {
		t.Errorf("the history's last rows:\n%s", out)
	}
	// The viewer: reads, and a write is one sentence.
	if out, errs, code := cli(t, "--db", asV, "summary"); code != 0 || !strings.Contains(out, "Medivance") {
		t.Errorf("summary as viewer: %d %q %q", code, out, errs)
	}
	_, errs, code = cli(t, "--db", asV, "team", "grant", viewer, medivance, "lead")
	if code == 0 || !strings.Contains(errs, "The database refused: your role may not change this") || strings.Contains(errs, "SQLSTATE") {
		t.Errorf("viewer grants itself lead: %d %q", code, errs)
	}
	// doctor and log --verify for each role.
	for _, who := range []string{owner, asC, asV} {
		out, errs, code := cli(t, "--db", who, "doctor")
		if code != 0 || !strings.Contains(out, "Backend:          PostgreSQL") || !strings.Contains(out, "Server:           PostgreSQL 1") ||
			!strings.Contains(out, "hash chain intact") || !strings.Contains(out, "Grants:") {
			t.Errorf("doctor:\n%s\n%s", out, errs)
		}
		if out, errs, code := cli(t, "--db", who, "log", "--verify"); code != 0 {
			t.Errorf("log --verify: %d\n%s\n%s", code, out, errs)
		}
	}
	// A custom catalog imported by the owner is listed for the team; a viewer cannot remove it.
	cat := filepath.Join(dir, "acme.yaml")
	if err := os.WriteFile(cat, []byte(cliCustomCatalog), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := cli(t, "--db", owner, "catalog", "import", cat); code != 0 {
		t.Fatalf("catalog import: %s", errs)
	}
	if out, errs, _ := cli(t, "--db", asC, "catalog", "list"); !strings.Contains(out, "acme-baseline") {
		t.Errorf("the consultant's catalog list:\n%s%s", out, errs)
	}
	if _, errs, code := cli(t, "--db", asV, "catalog", "remove", "acme-baseline"); code == 0 || !strings.Contains(errs, "may not change this") {
		t.Errorf("viewer removes a catalog: %d %q", code, errs)
	}
	// SQLite: team commands refuse in one sentence.
	_, errs, code = cli(t, "--db", dir+"/ws.db", "team", "list")
	if code == 0 || !strings.Contains(errs, "only on a PostgreSQL workspace") {
		t.Errorf("team list on SQLite: %d %q", code, errs)
	}
}

const medivance = "Medivance Health — ISMS & AIMS readiness"
