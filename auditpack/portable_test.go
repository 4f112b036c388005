package auditpack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

func TestPortableName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{`a<b>c:d"e|f?g*h.txt`, "a_b_c_d_e_f_g_h.txt"},
		{"tab\there\x01.doc", "tab_here_.doc"},
		{"trailing dots...", "trailing dots"},
		{"spaces   ", "spaces"},
		{"CON", "_CON"},
		{"con.txt", "_con.txt"},
		{"nul.tar.gz", "nul.tar.gz"}, // stem "nul.tar" is no device name
		{"LPT1.log", "_LPT1.log"},
		{"COM10.log", "COM10.log"},
		{"Łódź — ewidencja.pdf", "Łódź — ewidencja.pdf"},
		{"", "file"},
		{"...", "file"},
		{strings.Repeat("é", 150) + ".pdf", strings.Repeat("é", 98) + ".pdf"},
	} {
		if got := portableName(c.in); got != c.want {
			t.Errorf("portableName(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := portableName(c.in); len(got) > 200 {
			t.Errorf("portableName(%q) is %d bytes", c.in, len(got))
		}
	}
}

func TestRelativeEvidencePaths(t *testing.T) {
	got := relativeEvidencePaths([]string{"/home/ana/clients/medivance/policies/isms.pdf", "/home/ana/clients/medivance/logs/a.csv",
		"relative/x.txt", `C:\Users\ana\y.txt`})
	want := map[string]string{
		"/home/ana/clients/medivance/policies/isms.pdf": "home/ana/clients/medivance/policies/isms.pdf",
		"/home/ana/clients/medivance/logs/a.csv":        "home/ana/clients/medivance/logs/a.csv",
		"relative/x.txt":                                "relative/x.txt",
		`C:\Users\ana\y.txt`:                            "C:/Users/ana/y.txt",
	}
	// Different roots share nothing: the paths keep their folders but lose the root.
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s → %q, want %q", k, got[k], v)
		}
	}
	got = relativeEvidencePaths([]string{"/home/ana/clients/medivance/policies/isms.pdf", "/home/ana/clients/medivance/logs/a.csv"})
	if got["/home/ana/clients/medivance/policies/isms.pdf"] != "policies/isms.pdf" || got["/home/ana/clients/medivance/logs/a.csv"] != "logs/a.csv" {
		t.Errorf("common base not removed: %v", got)
	}
	got = relativeEvidencePaths([]string{"/home/ana/secret/one.pdf"})
	if got["/home/ana/secret/one.pdf"] != "one.pdf" {
		t.Errorf("a single file: %v", got)
	}
}

func TestEvidenceIndexHasNoLocalPaths(t *testing.T) {
	s, e := demoStore(t, "normal")
	p := build(t, s, e.ID)
	idx, _ := p.File("evidence-index.csv")
	if strings.Contains(string(idx), "/tmp/") || strings.Contains(string(idx), t.TempDir()[:8]) {
		t.Fatalf("evidence-index.csv shows local folders:\n%s", idx)
	}
	abs, err := Build(t.Context(), s, catalogsForTest(), e.ID, Options{Version: "test", AbsolutePaths: true})
	if err != nil {
		t.Fatal(err)
	}
	if idx, _ := abs.File("evidence-index.csv"); !strings.Contains(string(idx), "/tmp/") {
		t.Fatal("--absolute-paths lost the full paths")
	}
}

// A kept evidence file whose name Windows cannot create goes into the zip under a portable
// name, the pack verifies, and an import keeps the file.
func TestEvidenceFileNamesArePortable(t *testing.T) {
	ctx := t.Context()
	s, e := demoStore(t, "normal")
	dir := t.TempDir()
	name := "minutes <draft> a|b: \"final\"? *v2*.txt"
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("minutes"), 0o600); err != nil {
		t.Fatal(err)
	}
	ev, err := s.CreateEvidence(ctx, assessments.Evidence{EngagementID: e.ID, Title: "Board minutes", Kind: assessments.KindDocument,
		Path: path}, store.AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Build(ctx, s, catalogs.MustBuiltin(), e.ID, Options{Version: "test", WithEvidenceFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	want := "evidence/" + ev.ID + "/minutes _draft_ a_b_ _final__ _v2_.txt"
	if _, ok := p.File(want); !ok {
		var names []string
		for _, f := range p.Files {
			if strings.HasPrefix(f.Path, "evidence/"+ev.ID) {
				names = append(names, f.Path)
			}
		}
		t.Fatalf("pack has %v, want %s", names, want)
	}
	for _, f := range p.Files {
		if strings.ContainsAny(f.Path, `<>|:"?*`) {
			t.Errorf("zip entry %q cannot be created on Windows", f.Path)
		}
	}
	b := zipBytes(t, p)
	if rep, err := Verify(b); err != nil || !rep.OK() {
		t.Fatalf("verify: %v %v", err, rep.Problems)
	}
	im, err := ReadImportBytes("p.zip", b)
	if err != nil {
		t.Fatal(err)
	}
	dst := openStore(t, "dst.db")
	if _, err := Import(ctx, dst, catalogs.MustBuiltin(), im, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, data, err := dst.KeptCopy(ctx, ev.ID); err != nil || string(data) != "minutes" {
		t.Fatalf("kept copy after import: %q %v", data, err)
	}
}
