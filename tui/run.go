// Package tui is the workbench: one root model routes messages to a stack of screens.
package tui

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

// Run opens the workbench on an open workspace and blocks until the user quits.
func Run(ctx context.Context, s *store.Store, set *catalogs.Set) error {
	m := New(ctx, s, set)
	p := tea.NewProgram(m, tea.WithContext(ctx))
	final, err := p.Run()
	if err != nil {
		return fmt.Errorf("workbench: %w", err)
	}
	if a, ok := final.(*App); ok {
		return a.Flush()
	}
	return nil
}
