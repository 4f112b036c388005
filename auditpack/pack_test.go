package auditpack

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/xuri/excelize/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

func TestExportIsDeterministic(t *testing.T) {
	s, e := demoStore(t, "normal")
	a := sha256.Sum256(zipBytes(t, build(t, s, e.ID)))
	b := sha256.Sum256(zipBytes(t, build(t, s, e.ID)))
	if a != b {
		t.Fatalf("two exports of the same workspace differ: %x vs %x", a, b)
	}
	// Files written to disk too, through the same path as the command line.
	dir := t.TempDir()
	var sums [2][32]byte
	for i := range sums {
		path := filepath.Join(dir, "pack"+string(rune('a'+i))+".zip")
		if _, err := build(t, s, e.ID).WriteFile(path, Encryption{}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sums[i] = sha256.Sum256(b)
		st, _ := os.Stat(path)
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", path, st.Mode().Perm())
		}
	}
	if sums[0] != sums[1] {
		t.Fatal("two pack files of the same workspace differ")
	}
}

func TestPackContents(t *testing.T) {
	s, e := demoStore(t, "normal")
	p := build(t, s, e.ID)
	for _, want := range []string{"manifest.json", "data.json", "report.html", "report.pdf", "gap-analysis.xlsx", "change-history.csv",
		"soa-iso27001-2022.csv", "soa-iso27001-2022.xlsx", "soa-iso42001-2023.csv", "soa-iso42001-2023.xlsx",
		"oscal/assessment-results.json", "oscal/poam.json", "oscal/mapping.json"} {
		if _, ok := p.File(want); !ok {
			t.Errorf("pack has no %s", want)
		}
	}
	if p.Manifest.LastChangeAt != fixedNow.Format("2006-01-02T15:04:05Z07:00") {
		t.Errorf("manifest time %q, want the workspace's last change %s", p.Manifest.LastChangeAt, fixedNow)
	}
	if len(p.Manifest.Files) != len(p.Files)-2 {
		t.Errorf("manifest lists %d files, pack has %d besides the manifest and its digest", len(p.Manifest.Files), len(p.Files)-2)
	}
	zr, err := zip.NewReader(bytes.NewReader(zipBytes(t, p)), int64(len(zipBytes(t, p))))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !f.Modified.Equal(fixedNow) {
			t.Errorf("%s has time %v, want %v", f.Name, f.Modified, fixedNow)
		}
	}
	if !sortedStrings(names) {
		t.Errorf("zip entries are not sorted: %v", names)
	}
	pdf, _ := p.File("report.pdf")
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Error("report.pdf is not a PDF")
	}
}

func sortedStrings(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] > s[i] {
			return false
		}
	}
	return true
}

// rezip rewrites a pack's entries through edit (which may drop, change or add entries).
func rezip(t *testing.T, b []byte, edit func(name string, data []byte) ([]byte, bool), extra ...File) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		var buf bytes.Buffer
		buf.ReadFrom(rc)
		rc.Close()
		data, keep := edit(f.Name, buf.Bytes())
		if !keep {
			continue
		}
		w, _ := zw.Create(f.Name)
		w.Write(data)
	}
	for _, f := range extra {
		w, _ := zw.Create(f.Path)
		w.Write(f.Data)
	}
	zw.Close()
	return out.Bytes()
}

func TestVerify(t *testing.T) {
	s, e := demoStore(t, "normal")
	fresh := zipBytes(t, build(t, s, e.ID))
	rep, err := Verify(fresh)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Checked != len(rep.Manifest.Files) || rep.Checked < 10 {
		t.Fatalf("fresh pack: ok=%v checked=%d problems=%v", rep.OK(), rep.Checked, rep.Problems)
	}
	keep := func(string, []byte) ([]byte, bool) { return nil, true }
	_ = keep
	cases := []struct {
		name string
		pack []byte
		want Problem
	}{
		{"one changed byte", rezip(t, fresh, func(n string, d []byte) ([]byte, bool) {
			if n == "report.html" {
				d = bytes.Clone(d)
				d[100] ^= 0x01
			}
			return d, true
		}), Problem{Path: "report.html", Kind: Changed}},
		{"one removed file", rezip(t, fresh, func(n string, d []byte) ([]byte, bool) { return d, n != "soa-iso27001-2022.csv" }),
			Problem{Path: "soa-iso27001-2022.csv", Kind: Missing}},
		{"one added file", rezip(t, fresh, func(n string, d []byte) ([]byte, bool) { return d, true }, File{Path: "notes.txt", Data: []byte("hi")}),
			Problem{Path: "notes.txt", Kind: Extra}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Verify(tc.pack)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() || len(rep.Problems) != 1 || rep.Problems[0].Path != tc.want.Path || rep.Problems[0].Kind != tc.want.Kind {
				t.Fatalf("problems = %v, want exactly %s %s", rep.Problems, tc.want.Kind, tc.want.Path)
			}
		})
	}
	t.Run("one flipped byte in the archive", func(t *testing.T) {
		zr, _ := zip.NewReader(bytes.NewReader(fresh), int64(len(fresh)))
		var off int64
		for _, f := range zr.File {
			if f.Name == "data.json" {
				off, _ = f.DataOffset()
				off += int64(f.CompressedSize64 / 2)
			}
		}
		b := bytes.Clone(fresh)
		b[off] ^= 0x40
		rep, err := Verify(b)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK() || rep.Problems[0].Path != "data.json" || rep.Problems[0].Kind != Changed {
			t.Fatalf("problems = %v, want data.json changed", rep.Problems)
		}
	})
	t.Run("truncated", func(t *testing.T) {
		if _, err := Verify(fresh[:len(fresh)/2]); err == nil || !strings.Contains(err.Error(), "truncated") {
			t.Fatalf("err = %v, want a truncated archive", err)
		}
	})
}

func TestXLSXReadBack(t *testing.T) {
	s, e := demoStore(t, "normal")
	p := build(t, s, e.ID)
	b, _ := p.File("gap-analysis.xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, "|") != "Summary|ISO 27001|ISO 42001" {
		t.Fatalf("sheets = %v", got)
	}
	rows, err := f.GetRows("ISO 27001")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := catalogs.MustBuiltin().Get(catalogs.ISO27001)
	if len(rows) != len(c.Requirements)+1 || rows[0][0] != "Ref" || rows[0][4] != "Status" {
		t.Fatalf("ISO 27001 sheet: %d rows, header %v", len(rows), rows[0])
	}
	var found bool
	for _, r := range rows[1:] {
		if r[0] == "A.7.5" {
			found = true
			if r[4] != "not applicable" || !strings.Contains(r[9], "data centre") {
				t.Errorf("A.7.5 row = %v", r)
			}
		}
	}
	if !found {
		t.Error("A.7.5 missing from the 27001 sheet")
	}
	panes, err := f.GetPanes("ISO 27001")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header is not frozen: %+v %v", panes, err)
	}
	tables, err := f.GetTables("ISO 27001")
	if err != nil || len(tables) != 1 || tables[0].Range != fmt.Sprintf("A1:O%d", len(c.Requirements)+1) {
		t.Errorf("no filter table over the sheet: %+v %v", tables, err)
	}
	// Status colours: an implemented cell and a not implemented cell differ in fill.
	var impl, notImpl int
	for i, r := range rows[1:] {
		cell, _ := excelize.CoordinatesToCellName(5, i+2)
		st, _ := f.GetCellStyle("ISO 27001", cell)
		switch r[4] {
		case "implemented":
			impl = st
		case "not implemented":
			notImpl = st
		}
	}
	if impl == 0 || impl == notImpl {
		t.Errorf("status cells share a style: implemented %d, not implemented %d", impl, notImpl)
	}
	// docProps carry the workspace's time, never the clock.
	props, err := f.GetDocProps()
	if err != nil || props.Created != "2026-03-14T09:30:00Z" || props.Creator != "annex" {
		t.Errorf("doc props = %+v %v", props, err)
	}

	soa, _ := p.File("soa-iso27001-2022.xlsx")
	g, err := excelize.OpenReader(bytes.NewReader(soa))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	srows, _ := g.GetRows("Statement of Applicability")
	controls := 0
	for _, req := range c.Requirements {
		if req.Kind == catalogs.KindControl {
			controls++
		}
	}
	if len(srows) != controls+1 {
		t.Fatalf("SoA has %d rows, want %d controls + header", len(srows), controls)
	}
}

// TestSoANeverImplementedUnassessed: a control nobody assessed is never "implemented" in
// the SoA, whatever its neighbours say.
func TestSoANeverImplementedUnassessed(t *testing.T) {
	s, e := demoStore(t, "normal")
	d, err := Load(context.Background(), s, catalogs.MustBuiltin(), e.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range d.Standards() {
		rows := SoA(d, c)
		unassessed := 0
		for _, r := range rows {
			stored, ok := d.Results[c.ID][r.Ref]
			if !ok || stored.EffectiveStatus() == assessments.NotAssessed {
				unassessed++
				// Applicability is decided by an inclusion reason or a risk treatment even before
				// the implementation is assessed; the status is never anything but "not assessed".
				want := "not decided"
				if len(r.Risks) > 0 || len(stored.Reasons) > 0 {
					want = "yes"
				}
				if r.Applicable != want || r.StatusText != "not assessed" {
					t.Errorf("%s %s not assessed but SoA says %q / %q (want %q)", c.Short, r.Ref, r.Applicable, r.StatusText, want)
				}
			}
		}
		if unassessed == 0 && c.ID == catalogs.ISO42001 {
			t.Error("demo should leave some 42001 controls unassessed")
		}
		b, _ := SoACSV(rows)
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte(utf8BOM)))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != len(rows)+1 {
			t.Errorf("CSV has %d records for %d rows", len(recs), len(rows))
		}
	}
}

func TestHostileTextIsInert(t *testing.T) {
	ctx := context.Background()
	s, e := demoStore(t, "normal")
	before, _ := s.Result(ctx, assessments.Key{EngagementID: e.ID, Standard: catalogs.ISO27001, Ref: "A.5.7"})
	after := before
	after.Notes = "<script>alert(1)</script>\nÜberprüfung 日本語 🚀 \x1b[31m"
	after.Owner = `=HYPERLINK("x")`
	if _, err := s.SaveResult(ctx, before, after); err != nil {
		t.Fatal(err)
	}
	p := build(t, s, e.ID)
	if pdf, _ := p.File("report.pdf"); !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Error("report.pdf is not a PDF with text outside its fonts' range")
	}
	html, _ := p.File("report.html")
	if bytes.Contains(html, []byte("<script>alert(1)")) {
		t.Error("report.html carries the script tag")
	}
	if !bytes.Contains(html, []byte("&lt;script&gt;alert(1)&lt;/script&gt;")) {
		t.Error("report.html does not show the note escaped")
	}
	if bytes.Contains(html, []byte("<script")) {
		t.Error("report.html has a script element")
	}
	csvb, _ := p.File("soa-iso27001-2022.csv")
	recs, _ := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvb, []byte(utf8BOM)))).ReadAll()
	var owner string
	for _, r := range recs {
		if r[0] == "A.5.7" {
			owner = r[7]
		}
	}
	if owner != `'=HYPERLINK("x")` {
		t.Errorf("CSV owner cell = %q, want it neutralised", owner)
	}
	x, _ := p.File("gap-analysis.xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(x))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("ISO 27001")
	for i, r := range rows {
		if r[0] != "A.5.7" {
			continue
		}
		// XLSX: the text exactly as typed, in a string cell that never runs as a formula.
		if r[6] != `=HYPERLINK("x")` {
			t.Errorf("XLSX owner cell = %q, want the text as typed", r[6])
		}
		cell, _ := excelize.CoordinatesToCellName(7, i+1)
		if formula, _ := f.GetCellFormula("ISO 27001", cell); formula != "" {
			t.Errorf("XLSX owner cell holds formula %q", formula)
		}
		if typ, _ := f.GetCellType("ISO 27001", cell); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
			t.Errorf("XLSX owner cell has type %v, want a string cell", typ)
		}
	}
	for _, c := range []struct{ in, want string }{{"=1+1", "'=1+1"}, {"+1", "'+1"}, {"-1", "'-1"}, {"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"}, {"\rx", "'\rx"}, {"plain", "plain"}, {"", ""}} {
		if got := Cell(c.in); got != c.want {
			t.Errorf("Cell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCleanName(t *testing.T) {
	for _, bad := range []string{"../x", "a/../../x", "/etc/passwd", `a\b`, "C:x", "a//b", "./a", "a/./b", "", "a\x00b"} {
		if _, err := CleanName(bad); err == nil {
			t.Errorf("CleanName(%q) accepted", bad)
		}
	}
	for _, good := range []string{"report.html", "oscal/poam.json", "evidence/0193-abc/scan.pdf"} {
		if _, err := CleanName(good); err != nil {
			t.Errorf("CleanName(%q): %v", good, err)
		}
	}
}

// schemaDir finds the official OSCAL schemas; without them the test skips, except in CI.
func schemaDir(t *testing.T) string {
	dir := filepath.Join("..", "..", "shared", "oscal", "1.2.1")
	if _, err := os.Stat(filepath.Join(dir, "oscal_mapping_schema.json")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("OSCAL schemas not found in %s: CI must validate the OSCAL output", dir)
		}
		t.Skipf("OSCAL schemas not found in %s (../shared/oscal/1.2.1 from the project root); skipping validation", dir)
	}
	return dir
}

func TestOSCALValidatesAgainstSchemas(t *testing.T) {
	dir := schemaDir(t)
	s, e := demoStore(t, "normal")
	p, err := Build(context.Background(), s, catalogs.MustBuiltin(), e.ID, Options{Version: "test", WithEvidenceFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	ar, _ := p.File("oscal/assessment-results.json")
	if !bytes.Contains(ar, []byte(`"relevant-evidence"`)) || !bytes.Contains(ar, []byte(`"algorithm":"SHA-256"`)) {
		t.Error("assessment results cite no evidence with its hash")
	}
	for file, schema := range map[string]string{
		"oscal/assessment-results.json": "oscal_assessment-results_schema.json",
		"oscal/poam.json":               "oscal_poam_schema.json",
		"oscal/mapping.json":            "oscal_mapping_schema.json",
	} {
		t.Run(file, func(t *testing.T) {
			c := jsonschema.NewCompiler()
			sch, err := c.Compile(filepath.Join(dir, schema))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := p.File(file)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(inst); err != nil {
				t.Fatalf("%s does not validate:\n%v", file, err)
			}
			// The validator must be able to say no: a version-7 uuid is not OSCAL.
			bad := bytes.Replace(b, []byte(`"uuid":"`), []byte(`"uuid":"01900000-0000-7000-8000-000000000000","x-uuid":"`), 1)
			if bytes.Equal(bad, b) {
				t.Fatal("no uuid to spoil")
			}
			inst, _ = jsonschema.UnmarshalJSON(bytes.NewReader(bad))
			if sch.Validate(inst) == nil {
				t.Fatal("the schema accepted a document with a version-7 uuid")
			}
		})
	}
}

func TestUUID5(t *testing.T) {
	a, b := UUID5("finding", "x", "y"), UUID5("finding", "x", "y")
	if a != b || a == UUID5("finding", "xy") || a[14] != '5' {
		t.Fatalf("UUID5 not stable or not version 5: %s %s", a, b)
	}
}

// TestEmptyEngagementPack: an engagement with nothing assessed yet still gives a complete,
// valid pack (no finding, a POA&M that says nothing is open).
func TestEmptyEngagementPack(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, "ws.db")
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Fresh", Standards: []string{catalogs.ISO42001}})
	if err != nil {
		t.Fatal(err)
	}
	p := build(t, s, e.ID)
	rep, err := Verify(zipBytes(t, p))
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %v %+v", err, rep)
	}
	soa, _ := p.File("soa-iso42001-2023.csv")
	if bytes.Contains(soa, []byte(",implemented,")) {
		t.Error("an unassessed SoA claims implemented controls")
	}
	dir := schemaDir(t)
	for file, schema := range map[string]string{"oscal/assessment-results.json": "oscal_assessment-results_schema.json",
		"oscal/poam.json": "oscal_poam_schema.json", "oscal/mapping.json": "oscal_mapping_schema.json"} {
		sch, err := jsonschema.NewCompiler().Compile(filepath.Join(dir, schema))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := p.File(file)
		inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s of an empty engagement does not validate: %v", file, err)
		}
	}
}
