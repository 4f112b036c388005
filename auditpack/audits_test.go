package auditpack

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/xuri/excelize/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

// TestInternalAuditsInPack: the demo's completed and planned audits each get a report (HTML
// and PDF); findings.csv and findings.xlsx list every finding and action; the management
// report gains its internal-audit section; OSCAL carries each audit as a result.
func TestInternalAuditsInPack(t *testing.T) {
	ctx := context.Background()
	s, e := demoStore(t, "normal")
	views, err := s.FindingViews(ctx, e.ID)
	if err != nil || len(views) != 5 {
		t.Fatalf("demo findings: %d, %v", len(views), err)
	}
	p := build(t, s, e.ID)
	audits, _ := s.Audits(ctx, e.ID)
	for _, a := range audits {
		for _, ext := range []string{".html", ".pdf"} {
			name := auditPath(a) + ext
			b, ok := p.File(name)
			if !ok {
				t.Fatalf("pack has no %s", name)
			}
			if ext == ".pdf" && !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Errorf("%s is not a PDF", name)
			}
			// The report's Unicode fonts, never a core font (names of any script).
			if ext == ".pdf" && (!bytes.Contains(b, []byte("/FontFile2")) || bytes.Contains(b, []byte("/BaseFont /Helvetica"))) {
				t.Errorf("%s does not draw with the report's embedded fonts", name)
			}
		}
	}
	completed := audits[0]
	html, _ := p.File(auditPath(completed) + ".html")
	major := views[0].Finding
	for _, want := range []string{"Internal audit " + completed.Ref, "Findings by grade", "Major nonconformity (1)", major.Ref,
		"Checklist", "3 of 6 sampled", "Corrective actions", "verified effective", "from ISO 42001 A.6.2.4 (superset)", "ISO 42001 8, ISO 42001 9.2, ISO 42001 10.2, ISO 42001 A.6, ISO 42001 A.7"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("audit report lacks %q", want)
		}
	}
	planned, _ := p.File(auditPath(audits[1]) + ".html")
	if !bytes.Contains(planned, []byte("Impartiality: Lena Fischer owns ISO 27001 A.5.19")) {
		t.Error("the planned audit's report does not warn about impartiality")
	}
	b, _ := p.File("findings.csv")
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte(utf8BOM)))).ReadAll()
	if err != nil || len(recs) != 6 || !reflect.DeepEqual(recs[0][:5], []string{"Finding", "Audit", "Grade", "Status", "Requirements"}) {
		t.Fatalf("findings.csv: %d records, %v", len(recs), err)
	}
	var row []string
	for _, r := range recs {
		if r[0] == major.Ref {
			row = r
		}
	}
	if row == nil || !reflect.DeepEqual(row[:5], []string{major.Ref, completed.Ref, "major NC", "open", "ISO 42001 A.6.2.4, ISO 27001 A.8.29"}) {
		t.Errorf("findings.csv row of %s: %q", major.Ref, row)
	}
	x, _ := p.File("findings.xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(x))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if sheets := f.GetSheetList(); !reflect.DeepEqual(sheets, []string{"Findings", "Corrective actions"}) {
		t.Errorf("sheets %v", sheets)
	}
	rows, _ := f.GetRows("Corrective actions")
	if len(rows) != 6 {
		t.Errorf("%d action rows, want a header and 5", len(rows))
	}
	report, _ := p.File("report.html")
	for _, want := range []string{`id="internal-audits"`, "Findings by grade", "1 of 2 reviewed actions were verified effective", "found ineffective",
		"yet an open major nonconformity says otherwise: ISO 27001 A.8.29, ISO 42001 A.6.2.4", "internal-audits/"} {
		if !bytes.Contains(report, []byte(want)) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	ar, _ := p.File("oscal/assessment-results.json")
	var doc struct {
		AR struct {
			Results []struct {
				Title    string `json:"title"`
				Findings []struct {
					Title string `json:"title"`
				} `json:"findings"`
				Observations []json.RawMessage `json:"observations"`
			} `json:"results"`
		} `json:"assessment-results"`
	}
	if err := json.Unmarshal(ar, &doc); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range doc.AR.Results {
		if strings.HasPrefix(r.Title, "Internal audit "+completed.Ref) {
			found = true
			if len(r.Findings) != 5 || len(r.Observations) != 18+3 { // 18 answered, 3 carried
				t.Errorf("audit result: %d findings, %d observations", len(r.Findings), len(r.Observations))
			}
			if !strings.Contains(r.Findings[0].Title, "F-") {
				t.Errorf("finding title %q", r.Findings[0].Title)
			}
		}
	}
	if !found {
		t.Error("no OSCAL result for the completed audit")
	}
	validateOSCAL(t, "oscal_assessment-results_schema.json", ar)
}

func validateOSCAL(t *testing.T, schema string, b []byte) {
	t.Helper()
	dir := schemaDir(t)
	sch, err := jsonschema.NewCompiler().Compile(filepath.Join(dir, schema))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("does not validate against %s:\n%v", schema, err)
	}
}

// TestAuditsRoundTrip: export, import as a copy: audits, checklists, findings and actions
// come along under new ids with their numbers, and link the copied risks.
func TestAuditsRoundTrip(t *testing.T) {
	ctx := context.Background()
	src, e := demoStore(t, "normal")
	p := build(t, src, e.ID)
	im, err := readImport(t, writeTemp(t, "pack.zip", zipBytes(t, p)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(im.Summary(), "2 internal audits, 5 findings, 5 corrective actions") {
		t.Errorf("summary %q", im.Summary())
	}
	dst := openStore(t, "dst.db")
	if _, err := Import(ctx, dst, catalogs.MustBuiltin(), im, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	cp, err := Import(ctx, dst, catalogs.MustBuiltin(), im, store.ImportOptions{AsCopy: true})
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := dst.FindingViews(ctx, e.ID)
	copied, _ := dst.FindingViews(ctx, cp.ID)
	if len(orig) != 5 || len(copied) != 5 {
		t.Fatalf("%d and %d findings", len(orig), len(copied))
	}
	risks := map[string]bool{}
	rs, _ := dst.Risks(ctx, cp.ID)
	for _, r := range rs {
		risks[r.ID] = true
	}
	for i := range orig {
		o, c := orig[i], copied[i]
		if o.Finding.Ref != c.Finding.Ref || o.Status != c.Status || o.Finding.ID == c.Finding.ID || len(o.Actions) != len(c.Actions) {
			t.Errorf("copy of %s: %+v", o.Finding.Ref, c.Finding)
		}
		if c.Finding.RiskID != "" && !risks[c.Finding.RiskID] {
			t.Errorf("copied %s links a risk of the original", c.Finding.Ref)
		}
	}
	// A new audit in the copy takes the next number of the year; the copy's findings keep theirs.
	audits, _ := dst.Audits(ctx, cp.ID)
	next := audits[0]
	next.ID, next.Ref = "", ""
	added, err := dst.CreateAudit(ctx, next)
	if err != nil || added.Ref == audits[0].Ref {
		t.Errorf("new audit in the copy: %q %v", added.Ref, err)
	}
	if n, problem, err := dst.VerifyChain(ctx); err != nil || problem != nil || n == 0 {
		t.Errorf("chain: %v %v", problem, err)
	}
}

// TestImportRefusesBadAudits: a requirement the catalog no longer has, a finding without
// requirement, an action verified by nobody, a due date before the finding: each one
// sentence, nothing written.
func TestImportRefusesBadAudits(t *testing.T) {
	ctx := context.Background()
	src, e := demoStore(t, "normal")
	d, err := Load(ctx, src, catalogs.MustBuiltin(), e.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		edit func(doc *Document)
		want string
	}{
		{"deleted requirement in scope", func(doc *Document) {
			doc.InternalAudits[0].Scope = append(doc.InternalAudits[0].Scope, "iso27001-2022:A.5.99")
		}, "names ISO 27001 A.5.99, which the catalog does not have"},
		{"deleted requirement in a finding", func(doc *Document) {
			doc.InternalAudits[0].Findings[0].Requirements = []string{"iso42001-2023:A.6.2.99"}
		}, "which the catalog does not have"},
		{"finding without requirement", func(doc *Document) { doc.InternalAudits[0].Findings[0].Requirements = nil }, "at least one requirement"},
		{"verified by nobody", func(doc *Document) {
			for i, f := range doc.InternalAudits[0].Findings {
				for j, a := range f.Actions {
					if a.State == "verified" {
						doc.InternalAudits[0].Findings[i].Actions[j].ReviewedBy = ""
					}
				}
			}
		}, "needs the name of who reviewed it"},
		{"due before the finding", func(doc *Document) {
			for i, f := range doc.InternalAudits[0].Findings {
				if len(f.Actions) > 0 {
					doc.InternalAudits[0].Findings[i].Actions[0].DueDate = "2001-01-01"
					return
				}
			}
		}, "is before finding"},
		{"checklist item out of scope", func(doc *Document) {
			doc.InternalAudits[0].Checklist = append(doc.InternalAudits[0].Checklist, ChecklistItemJSON{Standard: catalogs.ISO27001, Ref: "A.5.1", Conclusion: "conforming"})
		}, "not in its scope"},
		{"renumbered finding", func(doc *Document) { doc.InternalAudits[0].Findings[0].Seq = 9 }, "does not match the audit"},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc := NewDocument(d)
			c.edit(&doc)
			b, err := doc.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			dst := openStore(t, "ws.db")
			im, err := readImport(t, writeTemp(t, "data.json", b))
			if err == nil {
				_, err = Import(ctx, dst, catalogs.MustBuiltin(), im, store.ImportOptions{})
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			engs, _ := dst.Engagements(ctx)
			hist, _ := dst.Changes(ctx, store.ChangeFilter{})
			if len(engs) != 0 || len(hist) != 0 {
				t.Fatal("a refused import changed the workspace")
			}
		})
	}
}

func TestEngagementWithoutAuditsHasEmptyFindings(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, "ws.db")
	e, _ := s.CreateEngagement(ctx, assessments.Engagement{Name: "Fresh", Standards: []string{catalogs.ISO27001}})
	p := build(t, s, e.ID)
	csv, ok := p.File("findings.csv")
	if !ok || strings.Count(string(csv), "\r\n") != 1 {
		t.Errorf("findings.csv of an engagement without audits: %q", csv)
	}
	for _, f := range p.Files {
		if strings.HasPrefix(f.Path, "internal-audits/") {
			t.Errorf("%s without audits", f.Path)
		}
	}
	html, _ := p.File("report.html")
	if bytes.Contains(html, []byte(`id="internal-audits"`)) {
		t.Error("an empty internal-audit section")
	}
}
