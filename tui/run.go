// Package tui is the workbench: one root model routes messages to a stack of screens.
package tui

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/laststate"
)

// Run opens the workbench on an open workspace and blocks until the user quits, the
// terminal closes or the process is told to stop (ctx cancelled). In every case the text
// still open in a screen is saved before Run returns.
func Run(ctx context.Context, s *store.Store, set *catalogs.Set) error {
	m := New(ctx, s, set)
	if path, err := laststate.DefaultPath(); err == nil {
		m.UseState(path)
	}
	m.Prefetch()
	p := tea.NewProgram(m, tea.WithContext(ctx))
	final, err := p.Run()
	a, ok := final.(*App)
	if !ok {
		a = m
	}
	flushErr := a.Flush()
	if err != nil && !(errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil) {
		return errors.Join(fmt.Errorf("workbench: %w", err), flushErr)
	}
	return flushErr
}
