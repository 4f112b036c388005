package store_test

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/store/demo"
)

// BenchmarkRebuildAndDiffLarge rebuilds the large demo engagement (about 2,400 risks,
// thousands of evidence items, some 46,000 history rows) as of its latest baseline, reads it
// as it is now, and compares the two: what opening a comparison with now costs
// (docs/BENCHMARKS.md budget: 300 ms).
func BenchmarkRebuildAndDiffLarge(b *testing.B) {
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(b.TempDir(), "large.db"), store.Options{Author: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	set := catalogs.MustBuiltin()
	e, err := demo.Create(ctx, s, set, demo.Options{Size: "large", Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	list, err := s.Baselines(ctx, e.ID)
	if err != nil || len(list) == 0 {
		b.Fatalf("no baseline in the large demo: %v", err)
	}
	last := list[len(list)-1]
	b.ResetTimer()
	cpu := cpuTime()
	for b.Loop() {
		st, err := s.States(ctx, e.ID, &last, nil)
		if err != nil {
			b.Fatal(err)
		}
		c := assessments.Compare(set, st[0].Snapshot, st[1].Snapshot)
		if len(c.Requirements) == 0 {
			b.Fatal("nothing compared")
		}
	}
	reportCPU(b, cpu)
}

// cpuTime is the process's CPU time (user and system) so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the CPU milliseconds per operation: on a shared, loaded machine the wall
// time swings with the load, the CPU time much less.
func reportCPU(b *testing.B, since time.Duration) {
	b.ReportMetric(float64(cpuTime()-since)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}
