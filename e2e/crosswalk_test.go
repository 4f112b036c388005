package e2e

import (
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

var coveredRe = regexp.MustCompile(`ISO 42001 covered by ISO 27001 work: (\d+) of (\d+)`)

func coveredFigure(t *testing.T, scr string) int {
	t.Helper()
	m := coveredRe.FindStringSubmatch(scr)
	if m == nil {
		t.Fatalf("no coverage figure on screen:\n%s", scr)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestCrosswalkAdoption: in the demo engagement, mark 27001 A.5.1 implemented, open 42001
// A.2.2, adopt (A.2.2 is also linked to 27001 5.2, implemented in the demo, so a picker asks
// which result to adopt; A.5.1 is listed first in the crosswalk), see "needs review" and the
// provenance, confirm, and see the coverage figure change with the 27001 work.
func TestCrosswalkAdoption(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ws.db")
	if _, stderr, code := run(t, "demo", "--db", db); code != 0 {
		t.Fatalf("demo: %s", stderr)
	}
	s := start(t, 120, 40, "--db", db)
	s.waitFor("Medivance")
	s.keys("Enter")
	s.waitFor("Dashboard")
	s.keys("]")
	s.waitFor("123 requirements")
	// Start from A.5.1 not implemented, so the figure has something to gain.
	s.keys("/")
	s.text("A.5.1")
	s.keys("Enter")
	s.waitFor("Policies for information security")
	s.keys("1")
	s.waitFor("ISO 27001 A.5.1: not implemented")
	s.keys("]")
	before := coveredFigure(t, s.waitFor("70 requirements", "covered by ISO 27001 work"))

	s.keys("[")
	s.waitFor("123 requirements")
	s.keys("3")
	s.waitFor("ISO 27001 A.5.1: implemented")
	s.keys("]")
	s.waitFor("70 requirements")
	s.keys("/")
	s.text("A.2.2")
	s.keys("Enter")
	s.waitFor("A.2.2  AI policy")
	s.keys("a")
	s.waitFor("Adopt a mapped result into ISO 42001 A.2.2", "▸ ISO 27001 A.5.1  intersects", "ISO 27001 5.2  related")
	s.keys("Enter")
	s.waitFor("needs review", "from ISO 27001 A.5.1")
	s.keys("c")
	scr := s.waitFor("adopted result confirmed")
	if !regexp.MustCompile(`adopted from ISO 27001 A\.5\.1 \(\w+\), confirmed`).MatchString(scr) {
		t.Errorf("provenance not kept after confirm:\n%s", scr)
	}
	s.keys("/", "Escape")
	after := coveredFigure(t, s.waitFor("covered by ISO 27001 work"))
	if after <= before {
		t.Errorf("coverage figure %d -> %d, want it to rise", before, after)
	}
	assertStatus(t, db, "iso42001-2023", "A.2.2", "partially_implemented")
}
