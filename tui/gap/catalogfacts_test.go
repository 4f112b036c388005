package gap

import (
	"strings"
	"testing"

	"github.com/annex-grc/annex/catalogs"
)

func factsOf(t *testing.T, std, ref string) map[string][]string {
	t.Helper()
	c, ok := catalogs.MustBuiltin().Get(std)
	if !ok {
		t.Fatalf("no catalog %s", std)
	}
	r, ok := c.Requirement(ref)
	if !ok {
		t.Fatalf("no %s %s", std, ref)
	}
	out := map[string][]string{}
	for _, f := range catalogFacts(c, r) {
		out[f.Title] = f.Lines
	}
	return out
}

func TestCatalogFacts(t *testing.T) {
	f := factsOf(t, catalogs.ISO42001, "A.6.1.2")
	if l := f["Control objective A.6.1"]; len(l) != 2 || l[0] != "Management guidance for AI system development" || l[1] == "" {
		t.Errorf("A.6.1.2 objective = %q", l)
	}
	if l := f["Implementation guidance"]; len(l) != 1 || l[0] != "Annex B.6.1.2" {
		t.Errorf("A.6.1.2 Annex B = %q", l)
	}
	if l := f["Documented information required"]; len(l) != 1 || !strings.HasPrefix(l[0], "▪ document: ") {
		t.Errorf("A.6.1.2 documented information = %q", l)
	}
	if _, ok := factsOf(t, catalogs.ISO42001, "A.6.2.5")["Control objective A.6.2"]; !ok {
		t.Error("A.6.2.5 does not show objective A.6.2")
	}

	f = factsOf(t, catalogs.ISO42001, "6.2")
	want := []string{"A.6.1.2  Objectives for responsible development of AI system", "A.6.1.3  Processes for responsible AI system design and development", "A.9.3  Objectives for responsible use of AI system"}
	if l := f["Points to Annex A"]; strings.Join(l, "|") != strings.Join(want, "|") {
		t.Errorf("6.2 pointers = %q", l)
	}
	if l := factsOf(t, catalogs.ISO42001, "6.1.4")["Points to Annex A"]; len(l) != 1 || l[0] != "A.5  Assessing impacts of AI systems" {
		t.Errorf("6.1.4 pointers = %q", l)
	}

	f = factsOf(t, catalogs.ISO27001, "A.5.1")
	if l := f["Purpose"]; len(l) != 1 || !strings.HasSuffix(l[0], ".") {
		t.Errorf("A.5.1 purpose = %q", l)
	}
	if _, ok := f["Implementation guidance"]; ok {
		t.Error("a 27001 control shows an Annex B reference")
	}
	if f := factsOf(t, catalogs.ISO27001, "4.1"); len(f) != 0 {
		t.Errorf("27001 4.1 has facts %v; it asks for no documented information", f)
	}
	if l := factsOf(t, catalogs.ISO27001, "9.2.2")["Documented information required"]; len(l) != 2 || !strings.HasPrefix(l[0], "▪ record: ") {
		t.Errorf("9.2.2 documented information = %q", l)
	}
}

func TestCatalogFactsCustomTextIsInert(t *testing.T) {
	c, err := catalogs.ParseCustom([]byte("id: acme\nname: Acme\ngroups:\n  - {id: G, title: General}\nrequirements:\n  - ref: R1\n    title: T\n    group: G\n    purpose: \"Bad \\e[31mred\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := c.Requirement("R1")
	for _, f := range catalogFacts(c, r) {
		for _, l := range f.Lines {
			if strings.ContainsRune(l, 0x1b) {
				t.Errorf("%s: escape sequence reaches the terminal: %q", f.Title, l)
			}
		}
	}
}
