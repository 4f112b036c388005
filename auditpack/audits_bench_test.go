package auditpack

import (
	"context"
	"io"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/store/demo"
)

// largeData loads the large demo engagement once for the audit benchmarks.
func largeData(b *testing.B) (*store.Store, *Data) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(b.TempDir(), "large.db"), store.Options{Author: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	e, err := demo.Create(ctx, s, catalogs.MustBuiltin(), demo.Options{Size: "large", Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	d, err := Load(ctx, s, catalogs.MustBuiltin(), e.ID, "bench")
	if err != nil {
		b.Fatal(err)
	}
	return s, d
}

// BenchmarkExportLargeAuditShare builds and zips the large pack from loaded data with its
// internal audits and without them: the audit section's share of the export time.
func BenchmarkExportLargeAuditShare(b *testing.B) {
	_, d := largeData(b)
	export := func(b *testing.B, d *Data) {
		cpu := cpuTime()
		defer func() { b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op") }()
		for b.Loop() {
			p, err := BuildFrom(context.Background(), d, Options{Version: "bench"})
			if err != nil {
				b.Fatal(err)
			}
			if err := p.WriteZip(io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("with-audits", func(b *testing.B) {
		b.ReportMetric(float64(len(d.Parts.Audits.Findings)), "findings")
		export(b, d)
	})
	b.Run("without-audits", func(b *testing.B) {
		_, bare := largeData(b) // a fresh load: Data caches the views it derives
		bare.Parts.Audits = AuditParts{}
		bare.Parts.Audits.index(nil)
		export(b, bare)
	})
}

// BenchmarkAuditWriters times each writer the audit section adds, on the large demo.
func BenchmarkAuditWriters(b *testing.B) {
	_, d := largeData(b)
	b.Run("internal-audits", func(b *testing.B) {
		for b.Loop() {
			if _, err := auditFiles(d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("findings", func(b *testing.B) {
		for b.Loop() {
			if _, err := findingsFiles(d); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("oscal-results", func(b *testing.B) {
		for b.Loop() {
			auditResults(d)
		}
	})
	b.Run("data-json", func(b *testing.B) {
		for b.Loop() {
			auditsJSON(d)
		}
	})
}

// cpuTime is the CPU time the process used so far (user and system): under a loaded
// machine it moves far less than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
