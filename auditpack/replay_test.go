package auditpack

import (
	"context"
	"strings"
	"testing"

	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

// TestReplayImportedEngagement: an imported engagement is explained by its "imported"
// rows; a result's status changed behind the history's back after the import is not.
func TestReplayImportedEngagement(t *testing.T) {
	ctx := context.Background()
	src, e := demoStore(t, "normal")
	path := writeTemp(t, "pack.zip", zipBytes(t, build(t, src, e.ID)))
	dst := openStore(t, "dst.db")
	im, err := readImport(t, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Import(ctx, dst, catalogs.MustBuiltin(), im, store.ImportOptions{Source: "pack.zip"}); err != nil {
		t.Fatal(err)
	}
	rep, err := dst.ReplayHistory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 || rep.ImportedOnly == 0 {
		t.Fatalf("after import: %d problems (%v), %d values vouched by the import", len(rep.Problems), rep.Problems, rep.ImportedOnly)
	}
	if _, err := dst.DB().ExecContext(ctx, `UPDATE results SET status = 'implemented' WHERE ref = (SELECT min(ref) FROM results WHERE status = 'not_implemented') AND status = 'not_implemented'`); err != nil {
		t.Fatal(err)
	}
	rep, _ = dst.ReplayHistory(ctx)
	if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].String(), `status is "implemented"`) {
		t.Fatalf("problems = %v", rep.Problems)
	}
}
