package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/internal/pgtest"
	"github.com/annex-grc/annex/store"
)

// TestViewerWorkbench: a viewer of an engagement on a team workspace sees "read only
// (viewer)" in its header; a status key is refused by the database with one sentence on the
// status line, nothing stored.
func TestViewerWorkbench(t *testing.T) {
	dsn := pgtest.Schema(t, "tester")
	owner := newHarnessAt(t, dsn, 120, 40, true)
	es, err := owner.s.Engagements(context.Background())
	if err != nil || len(es) != 1 {
		t.Fatal(es, err)
	}
	viewer := pgtest.Role(t, "viewer")
	if err := owner.s.Grant(context.Background(), viewer, es[0].ID, store.AccessViewer); err != nil {
		t.Fatal(err)
	}
	before := owner.result(catalogs.ISO27001, "A.5.7")
	s, err := store.Open(context.Background(), pgtest.As(t, dsn, viewer, ""), store.Options{Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	a := New(context.Background(), s, catalogs.MustBuiltin())
	a.c.Now, a.c.NoTimers = func() time.Time { return fixedNow }, true
	h := &harness{t: t, app: a, s: s}
	h.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	h.run(a.Init())
	g := h.openGap(catalogs.ISO27001)
	if v := h.view(); !strings.Contains(v, "read only (viewer)") {
		t.Fatalf("no read-only mark in the header:\n%s", v)
	}
	h.run(g.Select("A.5.7"))
	want := "1"
	if before.Status == "not_implemented" {
		want = "3"
	}
	h.keys(want)
	if v := h.view(); !strings.Contains(v, "the database refused: your role may not change this, so nothing was changed") {
		t.Fatalf("the refused edit does not say why:\n%s", v)
	}
	if got := owner.result(catalogs.ISO27001, "A.5.7"); got.Status != before.Status {
		t.Fatalf("a viewer changed the status to %s", got.Status)
	}
}
