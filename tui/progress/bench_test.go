package progress

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
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/tuitest"
)

// largeTab is the Progress tab of the large demo engagement, its baselines loaded, and the
// comparison of its latest baseline with now computed (the data the view draws).
func largeTab(b *testing.B) (*Model, comparedMsg) {
	b.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(b.TempDir(), "large.db"), store.Options{Author: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	set := catalogs.MustBuiltin()
	e, err := demo.Create(ctx, s, set, demo.Options{Size: "large", Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	c := &common.Common{Ctx: ctx, Store: s, Catalogs: set, Styles: common.NewStyles(true), Keys: common.DefaultKeyMap(),
		Width: 120, Height: 40, Now: time.Now, NoTimers: true, Undo: &common.UndoStack{}, Prefs: &common.Prefs{}}
	m := New(c, e, Options{})
	m.SetSize(120, 38)
	// The rebuild runs longer than the harness waits for a command on a loaded machine.
	defer func(w time.Duration) { tuitest.Wait = w }(tuitest.Wait)
	tuitest.Wait = time.Minute
	tuitest.NewHost(m).Run(m.Activate())
	if m.cmp == nil {
		b.Fatal("no comparison")
	}
	return m, comparedMsg{seq: m.cmpSeq, cmp: *m.cmp}
}

// BenchmarkCompareViewOpen: the comparison has been computed; the tab takes it and draws
// the compare view (budget: 100 ms on the large demo).
func BenchmarkCompareViewOpen(b *testing.B) {
	m, msg := largeTab(b)
	cpu := cpuTime()
	for b.Loop() {
		m.cmp, m.linesKey = nil, ""
		m.Update(msg)
		_ = m.View()
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkCompareViewOpenAllAdded: the worst case, a baseline from before the register
// and library: every one of the 2,413 risks and every evidence item is listed as added, and
// the filter shows every requirement.
func BenchmarkCompareViewOpenAllAdded(b *testing.B) {
	m, _ := largeTab(b)
	live, err := m.c.Store.LiveState(context.Background(), m.eng.ID)
	if err != nil {
		b.Fatal(err)
	}
	empty := assessments.Snapshot{Engagement: live.Engagement, Matrix: live.Matrix}
	msg := comparedMsg{seq: m.cmpSeq, cmp: assessments.Compare(m.c.Catalogs, empty, live.Snapshot)}
	if len(msg.cmp.Risks) < 2000 {
		b.Fatalf("%d risks added", len(msg.cmp.Risks))
	}
	m.filter = len(filters) - 1 // all
	cpu := cpuTime()
	for b.Loop() {
		m.cmp, m.linesKey = nil, ""
		m.Update(msg)
		_ = m.View()
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkCompareScrollKey: a j in the compare view, with the view drawn after it.
func BenchmarkCompareScrollKey(b *testing.B) {
	m, msg := largeTab(b)
	m.Update(msg)
	m.focus = focusCompare
	_ = m.View()
	j, k := tuitest.Key("j"), tuitest.Key("k")
	i := 0
	for b.Loop() {
		if i%2 == 0 {
			m.Update(j)
		} else {
			m.Update(k)
		}
		i++
		_ = m.View()
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
