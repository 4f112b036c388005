package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

// TestReadOnlyWorkbench: on a workspace opened read-only the workbench shows a banner,
// reads everything, and an edit is refused with one sentence, nothing stored.
func TestReadOnlyWorkbench(t *testing.T) {
	rw := newHarness(t, 120, 40, true)
	path := rw.s.Path()
	before := rw.result(catalogs.ISO27001, "A.5.7")
	ro, err := store.Open(context.Background(), path, store.Options{Author: "tester", ReadOnly: true, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	a := New(context.Background(), ro, catalogs.MustBuiltin())
	a.c.Now, a.c.NoTimers = func() time.Time { return fixedNow }, true
	h := &harness{t: t, app: a, s: ro}
	h.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	h.run(a.Init())
	if v := h.view(); !strings.Contains(v, "READ-ONLY: opened in read-only mode") || !strings.Contains(v, "Medivance") {
		t.Fatalf("no banner or no engagement:\n%s", v)
	}
	g := h.openGap(catalogs.ISO27001)
	h.run(g.Select("A.5.7"))
	h.keys("3") // implemented
	v := h.view()
	if !strings.Contains(v, "the workspace is read-only (opened in read-only mode), so nothing was changed") {
		t.Fatalf("the refused edit does not say why:\n%s", v)
	}
	if got := h.result(catalogs.ISO27001, "A.5.7"); got.Status != before.Status {
		t.Fatalf("status changed to %s on a read-only workspace", got.Status)
	}
	for _, line := range strings.Split(v, "\n") {
		if len([]rune(line)) > 120 {
			t.Errorf("line wider than the window: %q", line)
		}
	}
}
