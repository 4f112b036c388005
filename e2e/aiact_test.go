package e2e

import (
	"archive/zip"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
)

// answerNo answers n questions of a classification step "no", skipping their notes.
func (s *session) answerNo(n int) {
	s.t.Helper()
	for range n {
		s.keys("Right", "Tab", "Tab")
	}
}

// TestAIActJourney: in the demo engagement, add a system the organisation deploys, classify
// it under the EU AI Act as high-risk through Annex III (emergency triage, point 5; it
// profiles people, so the Art. 6(3) exemption cannot apply), record what Article 27 asks
// beyond the impact assessment, approve it, export the pack, and find the result with its
// articles in the report, the pack's Markdown and `annex ai show`.
func TestAIActJourney(t *testing.T) {
	for _, size := range []struct{ w, h int }{{120, 40}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "ws.db")
			if _, stderr, code := run(t, "demo", "--db", db); code != 0 {
				t.Fatalf("demo: exit %d: %s", code, stderr)
			}
			today := time.Now().Format(assessments.DateLayout)
			s := start(t, size.w, size.h, "--db", db)
			s.waitFor("Medivance")
			s.keys("Enter")
			s.waitFor("Dashboard")
			s.gotoTab("AI system inventory")

			// A system the organisation uses: customer/user, so deployer under the Act.
			s.keys("n")
			s.waitFor("New AI system")
			s.text("Referral triage")
			s.keys("Tab")
			s.text("Ranks urgent referrals from GPs for same-day imaging")
			s.repeat("Tab", 2)
			s.keys("Enter")
			s.text("cust")
			s.keys("Space", "Enter")
			s.keys("C-s")
			s.waitFor("Referral triage · customer/user", "EU AI Act classification versions (0)")

			s.keys("c")
			s.waitFor("EU AI Act classification v1", "step 1 of 8", "deployer")
			s.keys("C-s")
			s.waitFor("step 2 of 8", "Art. 5(1)(a) Harmful manipulation or deception")
			s.answerNo(9)
			s.keys("C-s")
			s.waitFor("step 3 of 8", "Art. 6(1)(a), Annex I Product under Annex I legislation")
			s.answerNo(1) // not an Annex I product: the conformity question stays hidden
			s.answerNo(4) // Annex III points 1 to 4
			s.keys("Right", "Right", "Tab")
			s.text("Triages patients for emergency imaging")
			s.keys("Tab")
			s.answerNo(3) // points 6 to 8
			s.keys("C-s")
			scr := s.waitFor("step 4 of 8", "Art. 6(3)(a) Narrow procedural task")
			assertNoBrokenLines(t, scr, size.w)
			s.repeat("Tab", 8) // to profiling: it profiles patients, so no exemption
			s.keys("Right", "Right", "Tab")
			s.text("Scores each patient from their health record")
			s.keys("C-s")
			s.waitFor("step 5 of 8", "Art. 50(1) Interacting directly with people")
			s.answerNo(4)
			s.keys("C-s")
			s.waitFor("step 6 of 8", "Providing a general-purpose AI model")
			s.answerNo(1)
			s.keys("C-s")

			// Article 27: drawn from the impact assessment, and what it asks beyond it.
			s.waitFor("step 7 of 8", "Art. 27(1) Public body or public service", "to be decided")
			s.keys("Right", "Right", "Tab")
			s.text("Reporting services for NHS trusts under contract")
			s.keys("Tab")
			s.answerNo(1) // not credit scoring or insurance
			s.text("Every weekday from March 2027, on each urgent referral")
			s.keys("Tab")
			s.text("A radiographer confirms every slot the system proposes")
			s.keys("Tab")
			s.text("Patients complain through PALS; the clinical safety officer reviews each case")
			s.keys("C-s")
			scr = s.waitFor("step 8 of 8", "high-risk", "Annex III point 5; Art. 6(3), last subparagraph", "2027-12-02", "required (Art. 27(1))")
			assertNoBrokenLines(t, scr, size.w)
			s.keys("Right", "Tab")
			s.text("Dr Helen Carver")
			s.keys("Tab", "t", "Tab")
			s.text("Triage of patients for emergency care: Annex III point 5.")
			s.keys("C-s")
			s.waitFor("approve EU AI Act classification v1?")
			s.keys("y")
			scr = s.waitFor("v1 approved " + today + " · high-risk from 2027-12-02")
			assertNoBrokenLines(t, scr, size.w)

			// Export the pack from the Export tab.
			pack := filepath.Join(dir, "pack.zip")
			s.keys("Escape")
			s.waitFor("AI system inventory")
			s.exToExportTab()
			s.keys("e", "C-u")
			s.text(pack)
			s.keys("Tab")
			s.waitFor(pack)
			s.keys("C-s")
			s.waitFor("✓ Written", "✓ Verified: all")

			report, md := readPack(t, pack, "report.html"), readPack(t, pack, "eu-ai-act/referral-triage-v1.md")
			for _, want := range []string{"Referral triage", "high-risk", "Annex III point 5; Art. 6(3), last subparagraph", "applies from 2027-12-02"} {
				if !strings.Contains(report, want) {
					t.Errorf("report.html lacks %q", want)
				}
			}
			for _, want := range []string{"| Result | **high-risk** |", "## Fundamental rights impact assessment (Art. 27)",
				"Every weekday from March 2027", "PALS", "Reporting services for NHS trusts under contract"} {
				if !strings.Contains(md, want) {
					t.Errorf("eu-ai-act/referral-triage-v1.md lacks %q", want)
				}
			}
			out, _, code := run(t, "--db", db, "ai", "show", "Referral triage")
			if code != 0 {
				t.Fatalf("ai show exit %d", code)
			}
			for _, want := range []string{"| Result | **high-risk** |", "| Decided by | Annex III point 5; Art. 6(3), last subparagraph |",
				"| Applies from | 2027-12-02", "### Fundamental rights impact assessment (Art. 27)", "#### (b) Period and frequency of use\n\nEvery weekday from March 2027",
				"approved by Dr Helen Carver on " + today} {
				if !strings.Contains(out, want) {
					t.Errorf("ai show lacks %q:\n%s", want, out)
				}
			}
			list, _, code := run(t, "--db", db, "ai", "list", "--json")
			if code != 0 || !strings.Contains(list, `"result": "high_risk"`) || !strings.Contains(list, `"fria": "required"`) {
				t.Fatalf("ai list (exit %d):\n%s", code, list)
			}
		})
	}
}

// readPack reads one file of a pack.
func readPack(t *testing.T, pack, name string) string {
	t.Helper()
	z, err := zip.OpenReader(pack)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	for _, f := range z.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("%s has no %s", pack, name)
	return ""
}
