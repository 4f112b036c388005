package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/auditpack"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/store/demo"
)

func baselineWorkspace(t *testing.T) (string, assessments.Engagement) {
	t.Helper()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "ws.db")
	s, err := store.Open(ctx, db, store.Options{Author: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e, err := demo.Create(ctx, s, catalogs.MustBuiltin(), demo.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return db, e
}

// setStatus changes a requirement's status through the store, as the workbench does.
func setStatus(t *testing.T, db string, e assessments.Engagement, std, ref string, st assessments.Status) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, db, store.Options{Author: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, _ := s.Result(ctx, assessments.Key{EngagementID: e.ID, Standard: std, Ref: ref})
	after := r
	after.Status = st
	if _, err := s.SaveResult(ctx, r, after); err != nil {
		t.Fatal(err)
	}
}

func TestBaselineCommands(t *testing.T) {
	db, e := baselineWorkspace(t)
	out, err := risksCLI(t, "--db", db, "baseline", "create", "Stage 1")
	if err != nil || !strings.Contains(out, `Baseline "Stage 1"`) {
		t.Fatalf("create: %v\n%s", err, out)
	}
	if _, err := risksCLI(t, "--db", db, "baseline", "create", "stage 1"); err == nil || !strings.Contains(err.Error(), "already has a baseline") {
		t.Fatalf("a second baseline of the same name: %v", err)
	}
	setStatus(t, db, e, catalogs.ISO27001, "A.5.1", assessments.NotImplemented) // implemented → regressed
	setStatus(t, db, e, catalogs.ISO27001, "A.5.7", assessments.Implemented)    // not implemented → improved

	out, err = risksCLI(t, "--db", db, "baseline", "list")
	if err != nil {
		t.Fatalf("list: %v\n%s", err, out)
	}
	for _, want := range []string{demo.BaselineWorkshop, demo.BaselinePreAudit, "Stage 1", "holds", "ISO 27001"} {
		if !strings.Contains(out, want) {
			t.Errorf("list does not show %q:\n%s", want, out)
		}
	}

	out, err = risksCLI(t, "--db", db, "baseline", "diff", "Stage 1")
	if err != nil || !strings.Contains(out, "1 improved · 1 regressed") || !strings.Contains(out, "▼ ISO 27001 A.5.1") {
		t.Fatalf("diff: %v\n%s", err, out)
	}
	out, err = risksCLI(t, "--db", db, "baseline", "diff", "Stage 1", "now", "--json", "--regressions")
	if err != nil {
		t.Fatal(err)
	}
	var doc auditpack.ComparisonJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("diff --json: %v\n%s", err, out)
	}
	if doc.From.Name != "Stage 1" || doc.To.Name != "now" || doc.Summary["regressed"] != 1 || len(doc.Requirements) != 1 ||
		doc.Requirements[0].Ref != "A.5.1" || doc.Requirements[0].From != "implemented" || doc.From.Hash == "" {
		t.Fatalf("diff --json: %+v", doc)
	}
	out, err = risksCLI(t, "--db", db, "baseline", "diff", demo.BaselineWorkshop, demo.BaselinePreAudit, "--csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][3] != "Change" || len(rows) < 100 {
		t.Fatalf("diff --csv: %d rows, header %v", len(rows), rows[0])
	}
	if _, err := risksCLI(t, "--db", db, "baseline", "diff", "Nope"); err == nil || !strings.Contains(err.Error(), "no baseline named") {
		t.Fatalf("unknown baseline: %v", err)
	}
	if _, err := risksCLI(t, "--db", db, "baseline", "diff", "Stage 1", "--json", "--csv"); err == nil {
		t.Fatal("--json with --csv accepted")
	}

	// A new cycle: every requirement to re-confirm.
	out, err = risksCLI(t, "--db", db, "baseline", "cycle", "Year 2", "--from", "Stage 1")
	if err != nil || !strings.Contains(out, "to re-confirm") {
		t.Fatalf("cycle: %v\n%s", err, out)
	}
	if _, err := risksCLI(t, "--db", db, "baseline", "cycle", "Year 3"); err == nil {
		t.Fatal("a cycle without --from was accepted")
	}
	if out, err := risksCLI(t, "--db", db, "log", "--verify"); err != nil {
		t.Fatalf("log --verify: %v\n%s", err, out)
	}
}

// TestBaselineAnchorAlteredReported: a baseline whose anchor row is altered is reported by
// `annex baseline list` and `annex log --verify`, both exiting 1.
func TestBaselineAnchorAlteredReported(t *testing.T) {
	db, _ := baselineWorkspace(t)
	s, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`UPDATE changes SET author = 'mallory' WHERE seq = (SELECT seq FROM baselines WHERE name = ?)`, demo.BaselinePreAudit); err != nil {
		t.Fatal(err)
	}
	s.Close()
	out, err := risksCLI(t, "--db", db, "baseline", "list")
	var ee *exitError
	if !asExit(err, &ee) || ee.code != 1 || !strings.Contains(out, "DOES NOT HOLD: its anchor, row") || !strings.Contains(out, "was altered") {
		t.Fatalf("baseline list: %v\n%s", err, out)
	}
	out, err = risksCLI(t, "--db", db, "log", "--verify")
	if !asExit(err, &ee) || ee.code != 1 || !strings.Contains(out, `Baseline anchor does not hold: baseline "Pre-audit"`) {
		t.Fatalf("log --verify: %v\n%s", err, out)
	}
	if strings.Contains(out, demo.BaselineWorkshop) {
		t.Errorf("the earlier baseline, before the altered row, is reported too:\n%s", out)
	}
}

func asExit(err error, target **exitError) bool {
	e, ok := err.(*exitError)
	if ok {
		*target = e
	}
	return ok
}
