package auditpack

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/store/demo"
)

// BenchmarkExportLarge builds and zips the pack of the large demo engagement (thousands of
// risks, every requirement answered): the budget is under 2 s and 150 MB.
func BenchmarkExportLarge(b *testing.B) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(b.TempDir(), "large.db"), store.Options{Author: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	e, err := demo.Create(ctx, s, catalogs.MustBuiltin(), demo.Options{Size: "large", Dir: b.TempDir()})
	if err != nil && e.ID == "" {
		b.Fatal(err)
	}
	if err != nil {
		// A later demo step failed; what was created is still a large engagement to export.
		b.Logf("demo: %v (benchmarking what was created)", err)
	}
	risks, _ := s.Risks(ctx, e.ID)
	b.ReportMetric(float64(len(risks)), "risks")
	b.ResetTimer()
	for b.Loop() {
		p, err := Build(ctx, s, catalogs.MustBuiltin(), e.ID, Options{Version: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		if err := p.WriteZip(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
