package auditpack

import (
	"strings"
	"testing"
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
