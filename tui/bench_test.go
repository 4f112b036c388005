package tui

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/internal/pgtest"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/store/demo"
	"github.com/annex-grc/annex/tui/tuitest"
)

// fiftyEngagements builds a workspace with 50 engagements, every requirement of both
// standards answered in each (about 9,650 results), once per benchmark.
func fiftyEngagements(b *testing.B) string {
	b.Helper()
	p := pgtest.Workspace(b, "ws.db") // a SQLite file, or a PostgreSQL schema with ANNEX_TEST_BACKEND=postgres
	ctx := context.Background()
	s, err := store.Open(ctx, p, store.Options{Author: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	set := catalogs.MustBuiltin()
	for i := 0; i < 50; i++ {
		e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: fmt.Sprintf("Client %02d", i), Organisation: "Org",
			Standards: []string{catalogs.ISO27001, catalogs.ISO42001}})
		if err != nil {
			b.Fatal(err)
		}
		err = s.WithTx(ctx, func(tx *store.Store) error {
			for _, std := range e.Standards {
				c, _ := set.Get(std)
				for j, r := range c.Requirements {
					st := assessments.Statuses[(i+j)%4]
					if _, err := tx.Handler().ExecContext(ctx, `INSERT INTO results(engagement_id, standard, ref, status, updated_at, updated_by) VALUES (?, ?, ?, ?, 'x', 'bench')`,
						e.ID, std, r.Ref, string(st)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return p
}

// BenchmarkColdStart measures opening a workspace of 50 engagements and drawing the first
// frame of the home screen (DESIGN.md §8 budget: under 100 ms).
func BenchmarkColdStart(b *testing.B) {
	p := fiftyEngagements(b)
	ctx := context.Background()
	set := catalogs.MustBuiltin()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := store.Open(ctx, p, store.Options{Author: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		a := New(ctx, s, set)
		a.c.NoTimers = true
		a.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		tuitest.Run(func(m tea.Msg) tea.Cmd { _, c := a.Update(m); return c }, a.Init())
		if a.render() == "" {
			b.Fatal("empty frame")
		}
		s.Close()
	}
}

// BenchmarkGapKeyPress measures one cursor key handled and the frame drawn in the gap
// analysis of the demo engagement (budget: under 2 ms).
func BenchmarkGapKeyPress(b *testing.B) {
	home := b.TempDir()
	ctx := context.Background()
	s, err := store.Open(ctx, pgtest.Workspace(b, "ws.db"), store.Options{Author: "bench", Now: func() time.Time { return fixedNow }})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	set := catalogs.MustBuiltin()
	if _, err := demo.Create(ctx, s, set, demo.Options{Dir: filepath.Join(home, "ev")}); err != nil {
		b.Fatal(err)
	}
	a := New(ctx, s, set)
	a.c.NoTimers = true
	drive := func(m tea.Msg) tea.Cmd { _, c := a.Update(m); return c }
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	tuitest.Run(drive, a.Init())
	for _, k := range []string{"enter", "]"} {
		tuitest.Run(drive, drive(tuitest.Key(k)))
	}
	down, up := tuitest.Key("j"), tuitest.Key("k")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := down
		if i%120 >= 60 {
			k = up
		}
		// The key is handled synchronously; the section load it starts runs off the UI loop.
		a.Update(k)
		_ = a.render()
	}
}
