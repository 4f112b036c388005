package tui

import (
	"strings"
	"testing"

	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/internal/pgtest"
)

// TestLostConnectionKeepsTheNote: on a PostgreSQL workspace whose server can no longer be
// reached, a note being typed is not lost: the save fails, the editor stays open with every
// word, the status line says the server cannot be reached; once it is back, leaving the
// field saves the note.
func TestLostConnectionKeepsTheNote(t *testing.T) {
	proxy := pgtest.NewProxy(t, pgtest.Schema(t, "tester"))
	h := newHarnessAt(t, proxy.DSN, 120, 40, true)
	g := h.openGap(catalogs.ISO27001)
	h.run(g.Select("A.5.10"))
	h.keys("e")
	h.typeText("Acceptable use policy signed by all staff in onboarding.")
	proxy.Cut()
	h.keys("esc")
	if !g.Capturing() {
		t.Fatal("the editor closed although the save failed")
	}
	v := h.view()
	if !strings.Contains(v, "Acceptable use policy signed by all staff") || !strings.Contains(v, "database server cannot be reached") {
		t.Fatalf("the text or the reason is not on screen:\n%s", v)
	}

	proxy.Restore(t)
	h.keys("esc")
	if got := h.result(catalogs.ISO27001, "A.5.10").Notes; !strings.HasSuffix(got, "Acceptable use policy signed by all staff in onboarding.") {
		t.Fatalf("once the server is back the note saves: %q", got)
	}
}
