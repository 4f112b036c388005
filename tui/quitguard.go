package tui

import (
	"strings"

	"github.com/annex-grc/annex/tui/common"
)

// unsavedWork collects what the open screens could not save if the program ended now.
func (a *App) unsavedWork() string {
	var parts []string
	for _, s := range a.stack {
		if g, ok := s.(common.QuitGuard); ok {
			if w := g.UnsavedWork(); w != "" {
				parts = append(parts, w)
			}
		}
	}
	return strings.Join(parts, "; ")
}
