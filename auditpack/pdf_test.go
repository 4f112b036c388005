package auditpack

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

// The report's PDF draws Polish, Czech, Greek and Cyrillic names with embedded fonts, and
// a text extractor reads them back exactly; a character the fonts lack is named on its page.
func TestPDFUnicodeNames(t *testing.T) {
	ctx := context.Background()
	s, e := demoStore(t, "normal")
	after := e
	after.Lead = "Łukasz Wiśniewski"
	after.Organisation = "Jiří Dvořák s.r.o."
	after.Scope = "Γιώργος Παπαδόπουλος and Ольга Смирнова review the 東京 office."
	if _, err := s.UpdateEngagement(ctx, e, after); err != nil {
		t.Fatal(err)
	}
	// Owners in the action plan.
	owners := []string{"Łukasz Wiśniewski", "Jiří Dvořák", "Γιώργος Παπαδόπουλος", "Ольга Смирнова"}
	n := 0
	for _, ref := range []string{"A.5.1", "A.5.2", "A.5.3", "A.5.4"} {
		key := assessments.Key{EngagementID: e.ID, Standard: catalogs.ISO27001, Ref: ref}
		before, _ := s.Result(ctx, key)
		r := before
		r.Status = assessments.NotImplemented
		r.Owner = owners[n]
		n++
		if _, err := s.SaveResult(ctx, before, r); err != nil {
			t.Fatal(err)
		}
	}
	p := build(t, s, e.ID)
	pdf, _ := p.File("report.pdf")
	if !bytes.Contains(pdf, []byte("/FontFile2")) {
		t.Error("the PDF embeds no TrueType font")
	}
	if bytes.Contains(pdf, []byte("/BaseFont /Helvetica")) {
		t.Error("the PDF still uses a core font")
	}
	if out := os.Getenv("ANNEX_DUMP_PDF"); out != "" {
		os.WriteFile(out, pdf, 0o600) // to look at the pages: pdftoppm -png -r 60
	}
	text := pdfText(t, pdf)
	for _, want := range append(owners, "Jiří Dvořák s.r.o.", "Γιώργος Παπαδόπουλος and Ольга Смирнова review the 東京 office.",
		"Characters not in the report's fonts (drawn as boxes): 京 (U+4EAC), 東 (U+6771)") {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext does not read %q", want)
		}
	}
	if strings.Contains(text, ".ukasz") || strings.Contains(text, "?ukasz") {
		t.Error("a character was replaced")
	}
	// The same workspace, the same bytes.
	again, _ := build(t, s, e.ID).File("report.pdf")
	if !bytes.Equal(pdf, again) {
		t.Error("two PDFs of the same workspace differ")
	}
}

// pdfText is the text of a PDF as pdftotext reads it, spaces and line breaks folded to one
// space. The test is skipped without pdftotext, except in CI.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext is required in CI (.ci/run installs poppler-utils)")
		}
		t.Skip("pdftotext not installed")
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}
