package auditpack

import (
	"context"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/internal/pgtest"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/store/demo"
)

// fixedNow is the clock of every test workspace.
var fixedNow = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// openStore opens a fresh workspace of the suite's backend (a temporary folder, or a
// PostgreSQL schema: pgtest.Workspace) with a fixed clock.
func openStore(t testing.TB, name string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), pgtest.Workspace(t, name), store.Options{Author: "tester", Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// demoStore is a workspace with the demo engagement.
func demoStore(t testing.TB, size string) (*store.Store, assessments.Engagement) {
	t.Helper()
	s := openStore(t, "ws.db")
	e, err := demo.Create(context.Background(), s, catalogs.MustBuiltin(), demo.Options{Size: size, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return s, e
}

func build(t testing.TB, s *store.Store, id string) *Pack {
	t.Helper()
	p, err := Build(context.Background(), s, catalogs.MustBuiltin(), id, Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func zipBytes(t testing.TB, p *Pack) []byte {
	t.Helper()
	b, err := p.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func catalogsForTest() *catalogs.Set { return catalogs.MustBuiltin() }
