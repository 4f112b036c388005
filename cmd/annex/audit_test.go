package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/store/demo"
)

var auditClock = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// auditWorkspace is the demo engagement, whose completed audit has findings of every grade
// and actions in every state; one statement starts with "=" (a formula in a spreadsheet).
func auditWorkspace(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "ws.db")
	s, err := store.Open(ctx, db, store.Options{Author: "test", Now: func() time.Time { return auditClock }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e, err := demo.Create(ctx, s, catalogs.MustBuiltin(), demo.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	fs, _ := s.Findings(ctx, e.ID)
	next := fs[0]
	next.Statement = "=HYPERLINK(\"http://evil\") " + next.Statement
	if _, err := s.UpdateFinding(ctx, fs[0], next); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestAuditListAndShow(t *testing.T) {
	db := auditWorkspace(t)
	out, err := risksCLI(t, "--db", db, "audit", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"REF", "2026-01", "AI life cycle, training data", "completed", "5 (3 open)", "2027-01", "planned", "impartiality"} {
		if !strings.Contains(out, want) {
			t.Errorf("audit list lacks %q:\n%s", want, out)
		}
	}
	out, err = risksCLI(t, "--db", db, "audit", "list", "--json")
	var list []auditJSON
	if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list) != 2 || list[0].OpenFindings != 3 || len(list[1].Impartiality) != 1 {
		t.Fatalf("list --json: %v\n%s", err, out)
	}
	out, err = risksCLI(t, "--db", db, "audit", "show", "2026-01")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Internal audit 2026-01", "## Checklist", "15 conforming, 2 major nonconformities, 2 minor nonconformities, 1 observation",
		"| ISO 27001 A.8.29 Security testing in development and acceptance | major nonconformity (from ISO 42001 A.6.2.4 (superset))",
		"8 of 23 sampled: L-0412", "### F-2026-01-002 major nonconformity (open)", "**(overdue)**", "Review by Omar Haddad on"} {
		if !strings.Contains(out, want) {
			t.Errorf("audit show lacks %q", want)
		}
	}
	if _, err := risksCLI(t, "--db", db, "audit", "show", "2031-07"); err == nil || !strings.Contains(err.Error(), `no audit "2031-07"`) ||
		!strings.Contains(err.Error(), "its audits: 2026-01, 2027-01") {
		t.Errorf("unknown audit: %v", err)
	}
}

func TestAuditFindingsFormats(t *testing.T) {
	db := auditWorkspace(t)
	out, err := risksCLI(t, "--db", db, "audit", "findings", "--csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 6 || recs[0][0] != "Finding" {
		t.Fatalf("csv: %v %d records", err, len(recs))
	}
	if !strings.HasPrefix(recs[1][5], "'=HYPERLINK") {
		t.Errorf("a formula was not neutralised: %q", recs[1][5])
	}
	out, err = risksCLI(t, "--db", db, "audit", "findings", "--json", "--audit", "2026-01")
	var fs []findingJSON
	if err != nil || json.Unmarshal([]byte(out), &fs) != nil || len(fs) != 5 {
		t.Fatalf("json: %v\n%s", err, out)
	}
	byRef := map[string]findingJSON{}
	for _, f := range fs {
		byRef[f.Ref] = f
	}
	major := byRef["F-2026-01-002"]
	if major.Grade != string(assessments.GradeMajor) || major.Status != "open" || len(major.Requirements) != 2 || len(major.Actions) != 2 {
		t.Errorf("major %+v", major)
	}
	if closed := byRef["F-2026-01-005"]; closed.Status != "closed" || closed.ClosedOn == "" {
		t.Errorf("closed %+v", closed)
	}
	if _, err := risksCLI(t, "--db", db, "audit", "findings", "--json", "--csv"); err == nil {
		t.Error("--json and --csv together accepted")
	}
	out, err = risksCLI(t, "--db", db, "audit", "findings")
	if err != nil || !strings.Contains(out, "FINDING") || !strings.Contains(out, "F-2026-01-003  OFI") {
		t.Errorf("table: %v\n%s", err, out)
	}
}

func TestAuditActionsOverdue(t *testing.T) {
	db := auditWorkspace(t)
	out, err := risksCLI(t, "--db", db, "audit", "actions", "--json")
	var all []actionJSON
	if err != nil || json.Unmarshal([]byte(out), &all) != nil || len(all) != 5 {
		t.Fatalf("actions: %v\n%s", err, out)
	}
	states := map[string]bool{}
	for _, a := range all {
		states[a.State] = true
	}
	for _, st := range assessments.CorrectiveStates {
		if !states[string(st)] {
			t.Errorf("no action %s in the demo", st)
		}
	}
	out, err = risksCLI(t, "--db", db, "audit", "actions", "--overdue", "--json")
	var late []actionJSON
	if err != nil || json.Unmarshal([]byte(out), &late) != nil || len(late) != 2 {
		t.Fatalf("overdue: %v\n%s", err, out)
	}
	for _, a := range late {
		if !a.Overdue {
			t.Errorf("%s listed as overdue", a.Ref)
		}
	}
	out, err = risksCLI(t, "--db", db, "audit", "actions", "--overdue", "--csv")
	recs, _ := csv.NewReader(bytes.NewReader([]byte(out))).ReadAll()
	if err != nil || len(recs) != 3 || recs[0][0] != "Action" {
		t.Errorf("overdue csv: %v %d", err, len(recs))
	}
}
