package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBaselinesJourney: freeze a baseline with b, change five statuses in the gap analysis
// (two of them regressions), see the Progress tab compare the baseline with now, keep the
// regressions with r, export the pack and find the progress section and its trend chart in
// report.html and report.pdf, and the same counts from `annex baseline diff`.
func TestBaselinesJourney(t *testing.T) {
	for _, size := range []struct{ w, h int }{{120, 40}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "ws.db")
			if _, stderr, code := run(t, "demo", "--db", db); code != 0 {
				t.Fatalf("demo: exit %d: %s", code, stderr)
			}
			s := start(t, size.w, size.h, "--db", db)
			s.waitFor("Medivance")
			s.keys("Enter")
			s.waitFor("Dashboard", "Trend")

			// b from the dashboard: a dialog asks the name.
			s.keys("b")
			s.waitFor("New baseline", "Name")
			s.text("Stage 1")
			s.keys("Enter")
			s.waitFor(`Baseline "Stage 1" frozen at row`)

			// Five statuses in the ISO 27001 gap analysis: two regressions, two improvements
			// and one answered for the first time.
			s.keys("]")
			s.waitFor("123 requirements")
			for _, c := range []struct{ ref, title, key, words string }{
				{"A.5.1", "Policies for information security", "1", "not implemented"},
				{"A.5.15", "Access control", "2", "partially implemented"},
				{"A.5.7", "Threat intelligence", "3", "implemented"},
				{"4.4", "Information security management system", "2", "partially implemented"},
				{"A.5.9", "Inventory of information", "3", "implemented"},
			} {
				s.keys("/")
				s.text(c.ref)
				s.keys("Enter")
				s.waitFor(c.title)
				s.keys(c.key)
				s.waitFor("ISO 27001 " + c.ref + ": " + c.words)
				s.keys("Escape") // the filter goes
				s.waitGone("/ " + c.ref)
			}
			assertStatus(t, db, "iso27001-2022", "A.5.1", "not_implemented")
			assertStatus(t, db, "iso27001-2022", "A.5.15", "partially_implemented")

			// The Progress tab compares the latest baseline with now.
			s.keys("[", "[", "[") // Dashboard, Export, Progress
			scr := s.waitFor("Baselines (3)", "Compare Stage 1", "2 improved", "2 regressed", "1 new")
			assertNoBrokenLines(t, scr, size.w)
			s.keys("r")
			scr = s.waitFor("Requirements: regressed (2)", "ISO 27001 A.5.1 ", "ISO 27001 A.5.15")
			if strings.Contains(scr, "A.5.7 ") {
				t.Errorf("an improvement shows among the regressions:\n%s", scr)
			}
			assertNoBrokenLines(t, scr, size.w)
			s.keys("Escape")
			s.waitFor("Requirements: changes (5)")

			// Export the pack from the Export tab.
			s.exToExportTab()
			pack := filepath.Join(dir, "pack.zip")
			s.keys("e")
			s.keys("C-u")
			s.text(pack)
			s.keys("Tab")
			s.waitFor(pack)
			s.keys("C-s")
			s.waitFor("✓ Written", "✓ Verified: all")

			html, pdf, progressCSV := readPack(t, pack, "report.html"), readPack(t, pack, "report.pdf"), readPack(t, pack, "progress.csv")
			for _, want := range []string{"Progress since Stage 1", `<svg class="trend"`, "<polyline", "Regressed (2)", "A.5.15", "Gap workshop 1"} {
				if !strings.Contains(html, want) {
					t.Errorf("report.html has no %q", want)
				}
			}
			if !strings.Contains(progressCSV, "A.5.1,Policies for information security,regressed,implemented,not implemented") {
				t.Errorf("progress.csv does not list the regression of A.5.1:\n%.600s", progressCSV)
			}
			if _, err := exec.LookPath("pdftotext"); err != nil {
				t.Log("pdftotext not installed: the PDF's text is not checked")
			} else {
				p := filepath.Join(dir, "report.pdf")
				if err := os.WriteFile(p, []byte(pdf), 0o600); err != nil {
					t.Fatal(err)
				}
				out, err := exec.Command("pdftotext", "-layout", p, "-").Output()
				if err != nil {
					t.Fatalf("pdftotext: %v", err)
				}
				text := string(out)
				for _, want := range []string{"Progress since Stage 1", "ISO 27001 readiness", "Regressed (2)", "A.5.15", "Pre-audit"} {
					if !strings.Contains(text, want) {
						t.Errorf("report.pdf has no %q", want)
					}
				}
			}

			// The command line agrees.
			out, stderr, code := run(t, "--db", db, "baseline", "diff", "Stage 1", "--regressions")
			if code != 0 || !strings.Contains(out, "2 improved · 2 regressed · 1 new") || !strings.Contains(out, "▼ ISO 27001 A.5.15") {
				t.Fatalf("baseline diff: exit %d\n%s%s", code, out, stderr)
			}
			out, _, code = run(t, "--db", db, "log", "--verify")
			if code != 0 {
				t.Fatalf("log --verify after the journey: exit %d\n%s", code, out)
			}
		})
	}
}
