package main

import (
	"bytes"
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
)

func risksCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &cliApp{stdout: &out, stderr: &errb, stdin: strings.NewReader("")}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func risksWorkspace(t *testing.T) (string, assessments.Engagement) {
	t.Helper()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "ws.db")
	s, err := store.Open(ctx, db, store.Options{Author: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Client A", Standards: []string{catalogs.ISO27001, catalogs.ISO42001}})
	if err != nil {
		t.Fatal(err)
	}
	risks := []assessments.Risk{
		{EngagementID: e.ID, Title: "=HYPERLINK(\"http://evil\")", Scope: assessments.ScopeSecurity, Owner: "+Tomás",
			Inherent: assessments.Score{Likelihood: 4, Consequence: 4}, Treatment: assessments.TreatModify,
			Controls: []assessments.ControlRef{{Standard: catalogs.ISO27001, Ref: "A.5.15"}, {Standard: catalogs.ISO42001, Ref: "A.6.2.6"}},
			Residual: assessments.Score{Likelihood: 2, Consequence: 2}},
		{EngagementID: e.ID, Title: "Chatbot gives medical advice", Scope: assessments.ScopeAI, Owner: "Amara",
			Inherent: assessments.Score{Likelihood: 3, Consequence: 3}, Treatment: assessments.TreatRetain,
			Acceptance: &assessments.Acceptance{By: "Priya", Date: "2026-01-05", Rationale: "-ok", Residual: assessments.Score{Likelihood: 3, Consequence: 3}},
			Status:     assessments.RiskAccepted},
	}
	for _, r := range risks {
		if _, err := s.CreateRisk(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	return db, e
}

func TestRisksListJSON(t *testing.T) {
	db, _ := risksWorkspace(t)
	out, err := risksCLI(t, "--db", db, "risks", "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, k := range []string{"ref", "title", "scope", "owner", "inherent", "residual", "treatment", "status", "controls"} {
		if _, ok := rows[0][k]; !ok {
			t.Errorf("key %q missing", k)
		}
	}
	first := rows[0]
	if first["ref"] != "R-001" || first["scope"] != "security" || first["treatment"] != "modify" {
		t.Errorf("first row %v", first)
	}
	inh := first["inherent"].(map[string]any)
	if inh["likelihood"] != 4.0 || inh["consequence"] != 4.0 || inh["level"] != "High" {
		t.Errorf("inherent %v", inh)
	}
	if res := first["residual"].(map[string]any); res["level"] != "Low" {
		t.Errorf("residual %v", res)
	}
	controls := first["controls"].([]any)
	if len(controls) != 2 || controls[1].(map[string]any)["standard"] != catalogs.ISO42001 {
		t.Errorf("controls %v", controls)
	}
	if rows[1]["residual"] != nil {
		t.Errorf("an unscored residual is null, got %v", rows[1]["residual"])
	}
	if c := rows[1]["controls"].([]any); len(c) != 0 {
		t.Errorf("no controls must be [], got %v", c)
	}
}

func TestRisksListCSVNeutralised(t *testing.T) {
	db, e := risksWorkspace(t)
	out, err := risksCLI(t, "--db", db, "risks", "list", "--engagement", e.Name, "--csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0][0] != "ref" {
		t.Fatalf("csv %v", recs)
	}
	if recs[1][1] != `'=HYPERLINK("http://evil")` || recs[1][3] != "'+Tomás" {
		t.Errorf("formula cells not neutralised: %q %q", recs[1][1], recs[1][3])
	}
	if recs[1][12] != "iso27001-2022:A.5.15 iso42001-2023:A.6.2.6" {
		t.Errorf("controls cell %q", recs[1][12])
	}
	for cell, want := range map[string]string{"@x": "'@x", "-1": "'-1", "\tx": "'\tx", "\rx": "'\rx", "ok": "ok", "": ""} {
		if got := auditpack.Cell(cell); got != want {
			t.Errorf("Cell(%q) = %q, want %q", cell, got, want)
		}
	}
}

func TestRisksListTableAndEngagementChoice(t *testing.T) {
	db, e := risksWorkspace(t)
	out, err := risksCLI(t, "--db", db, "risks", "list", "--engagement", e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "R-002") || !strings.Contains(out, "Chatbot gives medical advice") {
		t.Errorf("table:\n%s", out)
	}
	if _, err := risksCLI(t, "--db", db, "risks", "list", "--engagement", "Nobody"); err == nil || !strings.Contains(err.Error(), "no engagement is named") {
		t.Errorf("unknown engagement: %v", err)
	}
	if _, err := risksCLI(t, "--db", db, "risks", "list", "--json", "--csv"); err == nil {
		t.Error("--json with --csv accepted")
	}
}
