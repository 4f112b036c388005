package auditpack

import (
	"bytes"
	"strings"
	"testing"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

func TestDocChecklist(t *testing.T) {
	set := catalogs.MustBuiltin()
	res := func(ref string, st assessments.Status) assessments.Result {
		return assessments.Result{Standard: catalogs.ISO27001, Ref: ref, Status: st}
	}
	link := func(ref string) assessments.EvidenceLink {
		return assessments.EvidenceLink{Target: assessments.LinkRequirement, Standard: catalogs.ISO27001, Ref: ref}
	}
	d := &Data{
		Engagement: assessments.Engagement{ID: "e", Standards: []string{catalogs.ISO27001}},
		Catalogs:   set, At: fixedNow,
		Results: map[string]map[string]assessments.Result{catalogs.ISO27001: {
			"4.3":    res("4.3", assessments.Implemented),      // implemented, valid evidence: done
			"5.2":    res("5.2", assessments.Implemented),      // implemented, evidence expired: missing
			"6.1.3":  res("6.1.3", assessments.Partial),        // partial with evidence: missing
			"A.8.27": res("A.8.27", assessments.NotApplicable), // excluded: not listed
			"4.1":    res("4.1", assessments.NotImplemented),   // asks for no documented information
		}},
		Parts: Parts{Evidence: []assessments.Evidence{
			{ID: "ev1", Title: "Scope", Links: []assessments.EvidenceLink{link("4.3"), link("6.1.3")}},
			{ID: "ev2", Title: "Policy", ValidUntil: "2025-01-01", Links: []assessments.EvidenceLink{link("5.2")}},
		}},
	}
	v := docChecklist(d)
	if len(v.Standards) != 1 {
		t.Fatalf("%d standards, want 1", len(v.Standards))
	}
	s := v.Standards[0]
	c, _ := set.Get(catalogs.ISO27001)
	flagged := 0
	for _, r := range c.Requirements {
		if r.NeedsDocuments() {
			flagged++
		}
	}
	if s.Required != flagged-1 || s.NotApplicable != 1 || s.Done != 1 || len(s.Missing) != flagged-2 {
		t.Errorf("required %d, n/a %d, done %d, missing %d; want %d, 1, 1, %d", s.Required, s.NotApplicable, s.Done, len(s.Missing), flagged-1, flagged-2)
	}
	missing := map[string]docsItem{}
	for _, m := range s.Missing {
		missing[m.Item] = m
	}
	for ref, want := range map[string]string{"5.2": "implemented/no valid evidence", "6.1.3": "partially implemented/valid evidence", "9.1": "not assessed/no valid evidence"} {
		m, ok := missing["ISO 27001 "+ref]
		if !ok {
			t.Errorf("%s not listed as missing", ref)
			continue
		}
		if got := m.Status + "/" + m.Evidence; got != want {
			t.Errorf("%s: %s, want %s", ref, got, want)
		}
	}
	for _, ref := range []string{"4.3", "A.8.27", "4.1"} {
		if _, ok := missing["ISO 27001 "+ref]; ok {
			t.Errorf("%s listed as missing", ref)
		}
	}
	if m := missing["ISO 27001 6.1.3"]; len(m.Docs) != 3 || !strings.Contains(m.Docs[1].Note, "Statement of Applicability") {
		t.Errorf("6.1.3 documents = %+v", m.Docs)
	}
}

func TestReportListsMissingDocuments(t *testing.T) {
	s, e := demoStore(t, "normal")
	p := build(t, s, e.ID)
	html, _ := p.File("report.html")
	for _, want := range []string{`<section id="documented-information">`, "<h2>Mandatory documented information</h2>",
		"requirements that ask for documented information are implemented with valid evidence", "ISO 42001 8.4",
		`<span class="tag">record</span> Results of all AI system impact assessments`} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	// The checklist sits between the readiness bars and the parts' sections.
	if r, d, a := bytes.Index(html, []byte(`id="readiness"`)), bytes.Index(html, []byte(`id="documented-information"`)), bytes.Index(html, []byte(`id="actions"`)); !(r < d && d < a) {
		t.Errorf("checklist out of place: readiness %d, checklist %d, actions %d", r, d, a)
	}
	pdf, _ := p.File("report.pdf")
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Error("report.pdf is not a PDF")
	}
}

func TestDocChecklistPDF(t *testing.T) {
	s, e := demoStore(t, "normal")
	d, err := Load(t.Context(), s, catalogs.MustBuiltin(), e.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	p := newPDF(d)
	p.SetCompression(false)
	p.AddPage()
	docsPDF(p, docChecklist(d))
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	for _, want := range []string{"Mandatory documented information", "ISO 42001 8.4", "record: Results of all AI system impact"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF checklist lacks %q", want)
		}
	}
}
