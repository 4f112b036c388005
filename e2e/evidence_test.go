package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// evScrollDetailUntil focuses the gap-analysis detail and pages down until every text shows;
// the evidence section sits below the guidance, out of sight on a small terminal.
func (s *session) evScrollDetailUntil(texts ...string) string {
	s.t.Helper()
	has := func(scr string) bool {
		for _, t := range texts {
			if !strings.Contains(scr, t) {
				return false
			}
		}
		return true
	}
	if scr := s.screen(); has(scr) {
		return scr
	}
	s.keys("Tab")
	for range 20 {
		prev := s.screen()
		if has(prev) {
			s.keys("Tab")
			return prev
		}
		s.keys("NPage")
		deadline := time.Now().Add(time.Second)
		for s.screen() == prev && time.Now().Before(deadline) {
			time.Sleep(40 * time.Millisecond)
		}
		if s.screen() == prev {
			break // the bottom of the detail
		}
	}
	return s.waitFor(texts...)
}

// TestEvidenceJourney: attach a file as evidence to ISO 27001 A.5.15 from its detail,
// attach the same item to an ISO 42001 control by searching for it, change the file on
// disk, run the check (command line and Evidence tab), and see both requirements flag it.
func TestEvidenceJourney(t *testing.T) {
	for _, size := range []struct{ w, h int }{{120, 40}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "ws.db")
			file := filepath.Join(dir, "access-and-ai-use-policy.md")
			if err := os.WriteFile(file, []byte("# Access and AI use policy\nv1\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			s := start(t, size.w, size.h, "--db", db)
			s.waitFor("Welcome to annex")
			s.keys("n")
			s.waitFor("New engagement")
			s.text("Evidence workshop")
			s.keys("Tab")
			s.text("Medivance Health Ltd")
			s.keys("C-s")
			s.waitFor("Evidence workshop")

			// ISO 27001 A.5.15: attach the file as new evidence from the requirement.
			s.gotoTab("ISO/IEC 27001:2022  readiness")
			s.keys("/")
			s.text("A.5.15")
			s.keys("Enter")
			s.waitFor("Access control")
			s.keys("v")
			s.waitFor("Attach evidence to ISO 27001 A.5.15")
			s.text(file)
			s.keys("Enter")
			s.waitFor("New evidence")
			s.text("Access and AI use policy")
			s.keys("C-s")
			s.waitGone("Attach evidence to")
			scr := s.evScrollDetailUntil("Access and AI use policy")
			assertNoBrokenLines(t, scr, size.w)

			// ISO 42001 A.9.2: attach the same item, found by fuzzy search.
			s.gotoTab("ISO/IEC 42001:2023  readiness")
			s.keys("/")
			s.text("A.9.2")
			s.keys("Enter")
			s.waitFor("Processes for responsible use")
			s.keys("v")
			s.waitFor("Attach evidence to ISO 42001 A.9.2")
			s.text("acc ai pol")
			s.waitFor("Access and AI use policy")
			s.keys("Enter")
			s.waitGone("Attach evidence to")
			scr = s.evScrollDetailUntil("Access and AI use policy")
			assertNoBrokenLines(t, scr, size.w)

			// The file changes on disk. The command line check fails and names it.
			if err := os.WriteFile(file, []byte("# Access and AI use policy\nv2, edited after the workshop\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			out, stderr, code := run(t, "evidence", "check", "--db", db)
			if code != 1 || !strings.Contains(out, "CHANGED") || !strings.Contains(out, "Access and AI use policy") {
				t.Fatalf("evidence check: exit %d\n%s\n%s", code, out, stderr)
			}

			// The Evidence tab's check flags it too, without freezing the screen.
			s.gotoTab("Evidence library")
			s.keys("c")
			scr = s.waitFor("Checked 1 file:", "1 changed", "file changed")
			assertNoBrokenLines(t, scr, size.w)

			// Both requirements flag it in their detail.
			s.gotoTab("ISO/IEC 27001:2022  readiness")
			s.waitFor("Access control")
			scr = s.evScrollDetailUntil("Access and AI use policy", "file changed")
			assertNoBrokenLines(t, scr, size.w)
			s.gotoTab("ISO/IEC 42001:2023  readiness")
			s.waitFor("Processes for responsible use")
			scr = s.evScrollDetailUntil("Access and AI use policy", "file changed")
			assertNoBrokenLines(t, scr, size.w)

			s.keys("C-c")
			if code := s.waitExit(); code != 0 {
				t.Fatalf("annex exited with %d", code)
			}

			// The command line agrees: one item, changed, linked to both requirements.
			out, stderr, code = run(t, "evidence", "list", "--db", db, "--json")
			if code != 0 {
				t.Fatalf("evidence list exit %d: %s", code, stderr)
			}
			var items []struct {
				Title string `json:"title"`
				State string `json:"state"`
				Kept  bool   `json:"kept"`
				Links []struct {
					Standard string `json:"standard"`
					Ref      string `json:"ref"`
				} `json:"links"`
			}
			if err := json.Unmarshal([]byte(out), &items); err != nil {
				t.Fatalf("evidence list JSON: %v\n%s", err, out)
			}
			if len(items) != 1 || items[0].State != "changed" || !items[0].Kept || len(items[0].Links) != 2 {
				t.Fatalf("items %+v", items)
			}
			refs := items[0].Links[0].Standard + ":" + items[0].Links[0].Ref + " " + items[0].Links[1].Standard + ":" + items[0].Links[1].Ref
			if refs != "iso27001-2022:A.5.15 iso42001-2023:A.9.2" {
				t.Errorf("links %s", refs)
			}
		})
	}
}

// TestEvidenceCommandLine: add refuses bad input with a sentence and writes nothing; an
// ambiguous ref is refused with the qualified forms; check exits 1 on a missing file;
// export-files writes the kept copy.
func TestEvidenceCommandLine(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.db")
	if _, stderr, code := run(t, "demo", "--db", db); code != 0 {
		t.Fatalf("demo: %s", stderr)
	}
	before, _, _ := run(t, "evidence", "list", "--db", db, "--json")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{filepath.Join(dir, "nope.pdf"), "--title", "x"}, "does not exist"},
		{[]string{dir, "--title", "x"}, "is a folder"},
		{[]string{"https://", "--title", "x"}, "is not a web address"},
		{[]string{"https://intranet.example/p", "--title", "x", "--link", "A.5.2"}, "iso42001-2023:A.5.2"},
	} {
		_, stderr, code := run(t, append(append([]string{"evidence", "add"}, c.args...), "--db", db)...)
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("add %v: exit %d, stderr %q (want %q)", c.args, code, stderr, c.want)
		}
	}
	after, _, _ := run(t, "evidence", "list", "--db", db, "--json")
	if after != before {
		t.Fatal("bad input changed the evidence list")
	}
	// The demo has a changed file: check exits 1.
	out, _, code := run(t, "evidence", "check", "--db", db)
	if code != 1 || !strings.Contains(out, "Incident response runbook") {
		t.Fatalf("check: exit %d\n%s", code, out)
	}
	p := filepath.Join(dir, "review.csv")
	os.WriteFile(p, []byte("a,b\n"), 0o600)
	out, stderr, code := run(t, "evidence", "add", p, "--title", "Review", "--link", "iso42001-2023:A.5.2", "--link", "A.5.18", "--db", db)
	if code != 0 || !strings.Contains(out, "ISO 42001 A.5.2") || !strings.Contains(out, "ISO 27001 A.5.18") {
		t.Fatalf("add: exit %d\n%s%s", code, out, stderr)
	}
	exp := filepath.Join(dir, "export")
	out, stderr, code = run(t, "evidence", "export-files", "--out", exp, "--db", db)
	if code != 0 {
		t.Fatalf("export-files: %d %s", code, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(exp, "review.csv")); err != nil || string(b) != "a,b\n" {
		t.Fatalf("exported copy %q %v\n%s", b, err, out)
	}
}
