package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/annex-grc/annex/auditpack"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

// runCatalogCLI runs the annex command tree in-process against a workspace path.
func runCatalogCLI(t *testing.T, db string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &cliApp{stdout: &out, stderr: &errb, stdin: strings.NewReader(""), author: "tester"}
	root := a.rootCommand()
	root.SetArgs(append([]string{"--db", db}, args...))
	root.SetOut(&out)
	root.SetErr(&errb)
	err = root.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

func TestCatalogExportCSV(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ws.db")
	set := catalogs.MustBuiltin()
	for _, std := range []string{catalogs.ISO27001, catalogs.ISO42001} {
		t.Run(std, func(t *testing.T) {
			out, _, err := runCatalogCLI(t, db, "catalog", "export", "--standard", std, "--format", "csv")
			if err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatalf("output is not CSV: %v", err)
			}
			if !slices.Equal(recs[0][:7], []string{"ref", "title", "group", "kind", "guidance", "questions", "evidence"}) {
				t.Errorf("header = %v", recs[0])
			}
			c, _ := set.Get(std)
			if len(recs)-1 != len(c.Requirements) {
				t.Fatalf("%d rows, want %d", len(recs)-1, len(c.Requirements))
			}
			for i, r := range c.Requirements {
				row := recs[i+1]
				if row[0] != r.Ref || row[1] != r.Title || row[2] != r.Group || row[3] != string(r.Kind) {
					t.Errorf("row %d = %v, want %s in catalog order", i+1, row[:4], r.Ref)
				}
				if got := strings.Split(row[5], "\n"); len(got) != len(r.Questions) {
					t.Errorf("%s: %d questions in the cell, want %d", r.Ref, len(got), len(r.Questions))
				}
			}
			if std == catalogs.ISO27001 {
				a51 := recs[1+slices.IndexFunc(c.Requirements, func(r catalogs.Requirement) bool { return r.Ref == "A.5.1" })]
				if a51[7] != "Preventive" || !strings.Contains(a51[11], "Governance_and_Ecosystem") {
					t.Errorf("A.5.1 attributes = %v", a51[7:12])
				}
			}
		})
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Error("reading a catalog created a workspace")
	}
}

func TestCatalogExportJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ws.db")
	out, _, err := runCatalogCLI(t, db, "catalog", "export", "--standard", "42001", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var c catalogs.Catalog
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	if c.ID != catalogs.ISO42001 || len(c.Requirements) != 70 || c.Requirements[0].Ref != "4.1" {
		t.Errorf("got %s with %d requirements", c.ID, len(c.Requirements))
	}
}

func TestCatalogCrosswalkCSV(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ws.db")
	out, _, err := runCatalogCLI(t, db, "catalog", "crosswalk", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v", err)
	}
	if got := strings.Join(recs[0], ","); got != "source_standard,source_ref,target_standard,target_ref,relationship,rationale" {
		t.Errorf("header = %s", got)
	}
	set := catalogs.MustBuiltin()
	links, none := 0, map[string]bool{}
	for _, r := range recs[1:] {
		if r[0] != catalogs.ISO27001 || r[2] != catalogs.ISO42001 || r[5] == "" {
			t.Errorf("row %v", r)
		}
		switch r[4] {
		case "none":
			if r[1] != "" {
				t.Errorf("no-counterpart row with a source ref: %v", r)
			}
			none[r[3]] = true
		default:
			links++
			if !catalogs.Relationship(r[4]).Valid() {
				t.Errorf("relationship %q", r[4])
			}
		}
	}
	want := 0
	for _, e := range set.Crosswalks[0].Entries {
		want += len(e.Links)
	}
	if links != want {
		t.Errorf("%d link rows, want %d", links, want)
	}
	if !none["6.1.4"] || !none["8.4"] {
		t.Errorf("no-counterpart rows = %v", none)
	}

	out, _, err = runCatalogCLI(t, db, "catalog", "crosswalk", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != len(recs)-1 {
		t.Errorf("json rows %d (%v), csv rows %d", len(rows), err, len(recs)-1)
	}
}

func TestCellNeutralisesFormulas(t *testing.T) {
	for in, want := range map[string]string{"=1+2": "'=1+2", "+x": "'+x", "-x": "'-x", "@x": "'@x", "\tx": "'\tx", "plain": "plain", "": ""} {
		if got := auditpack.Cell(in); got != want {
			t.Errorf("cell(%q) = %q, want %q", in, got, want)
		}
	}
}

const cliCustomCatalog = `id: acme-baseline
name: Acme Baseline
short: Acme
groups:
  - {id: GOV, title: Governance}
requirements:
  - ref: GOV-1
    title: Security policy
    group: GOV
    guidance: "=HYPERLINK(\"http://evil\")"
    questions: ["Who approved it?"]
    evidence: [Board minutes]
crosswalk:
  source: iso27001-2022
  entries:
    - target: GOV-1
      links:
        - {source: A.5.1, relationship: superset, rationale: The 27001 policy set covers it.}
`

func TestCatalogImport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.db")
	good := filepath.Join(dir, "acme.yaml")
	if err := os.WriteFile(good, []byte(cliCustomCatalog), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCatalogCLI(t, db, "catalog", "import", good)
	if err != nil {
		t.Fatal(err, stderr)
	}
	if !strings.Contains(out, "Imported custom catalog acme-baseline (Acme Baseline): 1 requirements in 1 groups") {
		t.Errorf("out = %q", out)
	}

	out, _, err = runCatalogCLI(t, db, "catalog", "list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "acme-baseline") || !strings.Contains(out, "custom") || !strings.Contains(out, "Crosswalk ISO 27001 -> Acme: 1 links") {
		t.Errorf("list = %s", out)
	}
	out, _, err = runCatalogCLI(t, db, "catalog", "show", "A.5.1", "--standard", catalogs.ISO27001)
	if err != nil || !strings.Contains(out, "subset     Acme GOV-1  Security policy") {
		t.Errorf("show A.5.1 does not list the custom link (%v):\n%s", err, out)
	}
	// The export of a custom catalog neutralises a formula in its text.
	out, _, err = runCatalogCLI(t, db, "catalog", "export", "--standard", "acme-baseline")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 2 || recs[1][4] != `'=HYPERLINK("http://evil")` {
		t.Errorf("export = %q (%v)", recs, err)
	}

	// Malformed: problems with line and field, exit 1, workspace unchanged.
	s, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := s.Changes(context.Background(), store.ChangeFilter{})
	s.Close()
	bad := filepath.Join(dir, "bad.yaml")
	src := strings.Replace(cliCustomCatalog, "relationship: superset", "relationship: equivalent", 1)
	src = strings.Replace(src, "    title: Security policy\n", "", 1)
	if err := os.WriteFile(bad, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, err = runCatalogCLI(t, db, "catalog", "import", bad)
	var ex *exitError
	if !errors.As(err, &ex) || ex.code != 1 {
		t.Fatalf("err = %v, want exit 1", err)
	}
	if !strings.Contains(ex.msg, "was not imported (2 problems); the workspace is unchanged") {
		t.Errorf("msg = %q", ex.msg)
	}
	for _, want := range []string{
		bad + ": line 7: requirements[0].title: required field is missing",
		bad + `: line 17: crosswalk.entries[0].links[0].relationship: "equivalent" is not one of`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	s, err = store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	after, _ := s.Changes(context.Background(), store.ChangeFilter{})
	if len(after) != len(before) {
		t.Errorf("malformed import wrote %d change rows", len(after)-len(before))
	}

	// A malformed file never creates a workspace.
	fresh := filepath.Join(dir, "fresh.db")
	if _, _, err := runCatalogCLI(t, fresh, "catalog", "import", bad); err == nil {
		t.Fatal("malformed import succeeded")
	}
	if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
		t.Error("malformed import created a workspace")
	}

	// Remove.
	if _, _, err := runCatalogCLI(t, db, "catalog", "remove", "acme-baseline"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCatalogCLI(t, db, "catalog", "remove", catalogs.ISO27001); err == nil {
		t.Error("removed a built-in catalog")
	}
}

func TestCatalogShowErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ws.db")
	if _, _, err := runCatalogCLI(t, db, "catalog", "show", "4.1"); err == nil || !strings.Contains(err.Error(), "choose one with --standard") {
		t.Errorf("ambiguous ref: %v", err)
	}
	if _, _, err := runCatalogCLI(t, db, "catalog", "show", "Z.9", "--standard", catalogs.ISO27001); err == nil {
		t.Error("unknown ref accepted")
	}
	out, _, err := runCatalogCLI(t, db, "catalog", "show", "6.1.4", "--standard", catalogs.ISO42001)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Guidance", "Workshop questions", "Typical evidence", "no counterpart"} {
		if !strings.Contains(out, want) {
			t.Errorf("show 6.1.4 lacks %q", want)
		}
	}
}

// TestCatalogShowsStandardFacts: show, export and list carry the control objectives, purposes,
// clause pointers to Annex A, Annex B refs and documented information.
func TestCatalogShowsStandardFacts(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ws.db")
	for _, tc := range []struct {
		ref, std string
		want     []string
	}{
		{"A.6.1.3", catalogs.ISO42001, []string{"Control objective A.6.1  Management guidance for AI system development",
			"Documented information required\n  document  Processes for responsible AI system design", "Implementation guidance\n  Annex B.6.1.3"}},
		{"A.6.2.4", catalogs.ISO42001, []string{"Control objective A.6.2  AI system life cycle"}},
		{"6.2", catalogs.ISO42001, []string{"Points to Annex A\n  A.6.1.2   Objectives for responsible development of AI system\n  A.6.1.3 ", "  A.9.3     Objectives for responsible use of AI system"}},
		{"5.2", catalogs.ISO42001, []string{"Points to Annex A\n  A.2       Policies related to AI"}},
		{"A.5.1", catalogs.ISO27001, []string{"Purpose\n  Management's direction on security", "document  Information security policy and topic-specific policies"}},
		{"10.2", catalogs.ISO27001, []string{"  record    Nature of each nonconformity", "  record    Results of each corrective action"}},
	} {
		out, _, err := runCatalogCLI(t, db, "catalog", "show", tc.ref, "--standard", tc.std)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("show %s %s lacks %q:\n%s", tc.std, tc.ref, w, out)
			}
		}
	}
	out, _, err := runCatalogCLI(t, db, "catalog", "show", "A.5.1", "--standard", catalogs.ISO27001)
	if err != nil || strings.Contains(out, "Control objective") || strings.Contains(out, "Annex B") {
		t.Errorf("27001 A.5.1 shows 42001-only facts (%v):\n%s", err, out)
	}

	out, _, err = runCatalogCLI(t, db, "catalog", "export", "--standard", catalogs.ISO42001, "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	rows := map[string][]string{}
	for _, r := range recs[1:] {
		rows[r[0]] = r
	}
	for ref, want := range map[string]map[string]string{
		"A.6.2.7": {"objective": "A.6.2", "annex_b": "B.6.2.7", "documented_information": "document: Technical documentation for each relevant group of interested parties"},
		"6.2":     {"objective": "", "annex_a": "A.6.1.2 A.6.1.3 A.9.3", "annex_b": ""},
		"8.4":     {"documented_information": "record: Results of all AI system impact assessments"},
	} {
		for name, v := range want {
			if got := rows[ref][col[name]]; got != v {
				t.Errorf("export 42001 %s %s = %q, want %q", ref, name, got, v)
			}
		}
	}

	out, _, err = runCatalogCLI(t, db, "catalog", "export", "--standard", catalogs.ISO27001, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var c catalogs.Catalog
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	purposes := 0
	for _, r := range c.Requirements {
		if r.Purpose != "" {
			purposes++
		}
	}
	if purposes != 93 {
		t.Errorf("JSON export carries %d purposes, want 93", purposes)
	}
	out, _, err = runCatalogCLI(t, db, "catalog", "export", "--standard", catalogs.ISO42001, "--format", "json")
	if err != nil || !strings.Contains(out, `"objectives": [`) || !strings.Contains(out, `"annex_b": "B.2.2"`) || !strings.Contains(out, `"documented_information": [`) {
		t.Errorf("42001 JSON export lacks objectives, annex_b or documented_information (%v)", err)
	}

	out, _, err = runCatalogCLI(t, db, "catalog", "list")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^iso42001-2023\s+ISO/IEC 42001:2023\s+built-in\s+16\s+10\s+32\s+38\s+70$`).MatchString(out) {
		t.Errorf("list does not show 42001's ten objectives:\n%s", out)
	}
}
