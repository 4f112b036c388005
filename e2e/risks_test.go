package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// repeat presses key n times, one tmux call each.
func (s *session) repeat(key string, n int) {
	s.t.Helper()
	for range n {
		s.keys(key)
	}
}

// gotoTab presses ] until the screen shows want (at most ten tabs).
func (s *session) gotoTab(want string) string {
	s.t.Helper()
	// Each press is followed by a wait until the screen stops changing, so a tab that is
	// still loading is never mistaken for the switch (which would make the next press skip
	// a tab). The tabs cycle, so fourteen presses pass every tab twice.
	for range 14 {
		scr := s.waitStable()
		if strings.Contains(scr, want) {
			return scr
		}
		s.keys("]")
	}
	return s.waitFor(want)
}

// TestRisksJourney: add a risk, link one ISO 27001 and one ISO 42001 control, see it in
// the heat map, accept its residual, change the residual and see the stale flag; the
// linked control shows the risk in the gap analysis; `annex risks list --json` agrees.
func TestRisksJourney(t *testing.T) {
	for _, size := range []struct{ w, h int }{{120, 40}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "ws.db")
			s := start(t, size.w, size.h, "--db", db)
			s.waitFor("Welcome to annex")
			s.keys("n")
			s.waitFor("New engagement")
			s.text("Risk workshop")
			s.keys("Tab")
			s.text("Medivance Health Ltd")
			s.keys("C-s")
			s.waitFor("Risk workshop")
			s.gotoTab("Risk register")
			s.waitFor("No risks yet")

			// A new risk: title, then the linked controls from both catalogs.
			s.keys("n")
			s.waitFor("New risk", "▸ Title")
			s.text("Model weights copied out of the registry")
			s.repeat("Tab", 19)
			s.waitFor("▸ Linked controls")
			s.keys("Enter")
			s.waitFor("type to filter")
			s.text("A.5.15")
			s.waitFor("ISO 27001 A.5.15")
			s.keys("Space")
			s.waitFor("[x] ISO 27001 A.5.15")
			s.repeat("BSpace", 6)
			s.text("A.6.2.6")
			s.waitFor("ISO 42001 A.6.2.6")
			s.keys("Space")
			s.waitFor("[x] ISO 42001 A.6.2.6")
			s.keys("Enter")
			s.waitFor("▸ Linked controls", "ISO 27001 A.5.15, ISO 42001 A.6.2.6")
			s.keys("C-s")
			scr := s.waitFor("R-001 added")
			assertNoBrokenLines(t, scr, size.w)

			// The heat map: the new risk sits at its default score, 3×3.
			s.keys("h")
			s.waitFor("Heat map · residual risk", "1 open risk")
			s.keys("Down", "Down", "Left", "Left")
			scr = s.waitFor("Possible (3) × Moderate (3) = Medium · 1 open risk")
			assertNoBrokenLines(t, scr, size.w)
			s.keys("Enter")
			s.waitFor("Model weights copied out of the registry")
			s.keys("Escape")
			s.waitFor("Heat map")
			s.keys("Escape")
			s.waitFor("Risk register")

			// Retain the residual and accept it.
			s.keys("e")
			s.waitFor("Edit R-001")
			s.repeat("Tab", 17)
			s.waitFor("▸ Treatment")
			s.keys("Right", "Right") // undecided → modify → retain
			s.waitFor("‹ retain ›")
			s.repeat("Tab", 3)
			s.waitFor("Residual risk", "▸ Likelihood")
			s.keys("Right", "Right", "Tab", "Right", "Right", "Right") // residual 2 × 3
			s.waitFor("residual 2×3 Low")
			s.keys("Tab")
			s.waitFor("▸ Accepted by")
			s.text("Priya Raman")
			s.repeat("Tab", 2)
			s.waitFor("▸ Why acceptable")
			s.text("Registry access is logged and reviewed weekly")
			s.keys("C-s")
			s.waitFor("R-001 saved")
			s.waitFor("accepted by Priya Raman")

			// Change the residual: the acceptance goes stale.
			s.keys("e")
			s.waitFor("Edit R-001")
			s.repeat("Tab", 20)
			s.waitFor("Residual risk", "▸ Likelihood")
			s.keys("Right") // 2 → 3
			s.waitFor("acceptance given for 2×3 Low will show stale")
			s.keys("C-s")
			scr = s.waitFor("R-001 saved", "acceptance stale")
			assertNoBrokenLines(t, scr, size.w)
			if !strings.Contains(scr, " ~  R-001") { // the marks: overdue, acceptance, plan
				t.Errorf("the stale mark is not in the row:\n%s", scr)
			}

			// Accepting again is its own act: A names the risk and its residual; esc
			// leaves it stale.
			s.keys("A")
			scr = s.waitFor("Accept the residual risk of R-001", "3×3 Medium")
			assertNoBrokenLines(t, scr, size.w)
			s.keys("Escape")
			s.waitGone("Accept the residual risk of R-001")
			s.waitFor("Risk register", "acceptance stale")

			// The linked ISO 27001 control lists the risk in the gap analysis.
			s.keys("[", "[")
			s.waitFor("ISO/IEC 27001:2022")
			s.keys("/")
			s.text("A.5.15")
			s.keys("Enter")
			s.waitFor("Access control")
			// The sections of other parts come after the catalog text: scroll the detail.
			s.keys("Tab")
			s.repeat("NPage", 6)
			scr = s.waitFor("Linked risks (1)", "R-001")
			assertNoBrokenLines(t, scr, size.w)

			s.keys("C-c")
			if code := s.waitExit(); code != 0 {
				t.Fatalf("annex exited with %d", code)
			}

			out, stderr, code := run(t, "risks", "list", "--db", db, "--json")
			if code != 0 {
				t.Fatalf("risks list exit %d: %s", code, stderr)
			}
			var rows []struct {
				Ref      string `json:"ref"`
				Title    string `json:"title"`
				Residual *struct {
					Likelihood  int    `json:"likelihood"`
					Consequence int    `json:"consequence"`
					Level       string `json:"level"`
				} `json:"residual"`
				Treatment string `json:"treatment"`
				Controls  []struct {
					Standard string `json:"standard"`
					Ref      string `json:"ref"`
				} `json:"controls"`
				Acceptance *struct {
					By    string `json:"by"`
					Stale bool   `json:"stale"`
				} `json:"acceptance"`
			}
			if err := json.Unmarshal([]byte(out), &rows); err != nil {
				t.Fatalf("risks list JSON: %v\n%s", err, out)
			}
			if len(rows) != 1 {
				t.Fatalf("%d risks: %s", len(rows), out)
			}
			r := rows[0]
			if r.Ref != "R-001" || r.Treatment != "retain" || r.Residual == nil || r.Residual.Likelihood != 3 || r.Residual.Consequence != 3 {
				t.Errorf("risk %+v", r)
			}
			if len(r.Controls) != 2 || r.Controls[0].Ref != "A.5.15" || r.Controls[1].Ref != "A.6.2.6" {
				t.Errorf("controls %+v", r.Controls)
			}
			if r.Acceptance == nil || r.Acceptance.By != "Priya Raman" || !r.Acceptance.Stale {
				t.Errorf("acceptance %+v", r.Acceptance)
			}
		})
	}
}
