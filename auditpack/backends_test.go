package auditpack

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/internal/pgtest"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/store/demo"
)

// TestPackSameOnBothBackends: a SQLite workspace copied to PostgreSQL and back (annex
// workspace copy) gives byte-identical audit packs, evidence files included, from all three;
// the history verifies on each. The workspace has rows in every table the copy moves,
// including a pack written before the last edit, which the report compares with.
func TestPackSameOnBothBackends(t *testing.T) {
	ctx := context.Background()
	pg := pgtest.Schema(t, "tester")
	now := fixedNow.Add(-time.Hour)
	clock := func() time.Time { return now }
	open := func(loc string) *store.Store {
		s, err := store.Open(ctx, loc, store.Options{Author: "tester", Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	src := open(filepath.Join(t.TempDir(), "a.db"))
	e, err := demo.Create(ctx, src, catalogs.MustBuiltin(), demo.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	// A second engagement and an edit after, so ids, order and history interleave.
	if _, err := demo.Create(ctx, src, catalogs.MustBuiltin(), demo.Options{Name: "Second client", Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	first, err := Build(ctx, src, catalogs.MustBuiltin(), e.ID, Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := RecordPack(ctx, src, first, "/packs/first.zip", strings.Repeat("ab", 32)); err != nil {
		t.Fatal(err)
	}
	now = fixedNow
	cur, _ := src.Engagement(ctx, e.ID)
	next := cur
	next.Scope = "ÄÖ scope with non-ASCII text, 'quotes' and ? marks"
	if _, err := src.UpdateEngagement(ctx, cur, next); err != nil {
		t.Fatal(err)
	}
	mid, back := open(pg), open(filepath.Join(t.TempDir(), "b.db"))
	for _, step := range [][2]*store.Store{{src, mid}, {mid, back}} {
		rep, err := store.CopyWorkspace(ctx, step[0], step[1])
		if err != nil {
			t.Fatalf("copy %s → %s: %v", step[0].Backend(), step[1].Backend(), err)
		}
		if rep.Engagements != 2 || rep.Blobs == 0 || rep.History == 0 {
			t.Errorf("copy report %+v", rep)
		}
		for _, table := range []string{"soa_versions", "treatment_actions", "report_controls", "pack_records", "baselines",
			"audit_sequences", "audits", "audit_items", "audit_item_evidence", "findings", "corrective_actions", "aiact_records"} {
			if rep.Rows[table] == 0 {
				t.Errorf("copy %s → %s moved no rows of %s: %v", step[0].Backend(), step[1].Backend(), table, rep.Rows)
			}
		}
	}
	var packs [][]byte
	for _, s := range []*store.Store{src, mid, back} {
		if _, problem, err := s.VerifyChain(ctx); err != nil || problem != nil {
			t.Fatalf("%s: chain %v %v", s.Backend(), problem, err)
		}
		if rep, err := s.ReplayHistory(ctx); err != nil || len(rep.Problems) > 0 {
			t.Fatalf("%s: replay %v %v", s.Backend(), rep.Problems, err)
		}
		p, err := Build(ctx, s, catalogs.MustBuiltin(), e.ID, Options{Version: "test", WithEvidenceFiles: true})
		if err != nil {
			t.Fatal(err)
		}
		if html, _ := p.File("report.html"); !bytes.Contains(html, []byte("Compared with the last pack written from this workspace")) {
			t.Errorf("%s: the report does not compare with the pack written before the copy", s.Backend())
		}
		packs = append(packs, zipBytes(t, p))
	}
	for i, name := range []string{"PostgreSQL copy", "SQLite copy back"} {
		if !bytes.Equal(packs[0], packs[i+1]) {
			t.Errorf("the pack from the %s differs from the original's (%d vs %d bytes)", name, len(packs[i+1]), len(packs[0]))
		}
	}
	// Copying into a workspace that is not empty is refused.
	if _, err := store.CopyWorkspace(ctx, src, back); err == nil {
		t.Error("copy into a non-empty workspace accepted")
	}
}
