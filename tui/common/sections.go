package common

import (
	"context"

	"github.com/annex-grc/annex/assessments"
)

// DetailSection is a block the gap-analysis detail pane shows for a requirement, supplied by
// another part of the workbench (risks linking it, evidence attached, impact assessments).
type DetailSection struct {
	Title string
	// Lines are plain text; user text in them must already be passed through Inert/OneLine.
	Lines []string
	// Warn marks the section as needing attention (changed evidence, overdue review).
	Warn bool
}

// SectionLoader loads one section for a requirement. It runs inside a tea.Cmd.
type SectionLoader func(ctx context.Context, c *Common, e assessments.Engagement, standard, ref string) (DetailSection, error)

// RowMarkLoader returns a short mark per ref of a standard for the gap list (for example
// "!" for an implemented requirement without valid evidence). It runs inside a tea.Cmd.
type RowMarkLoader func(ctx context.Context, c *Common, e assessments.Engagement, standard string) (map[string]string, error)

// CloseOverlayMsg is sent by a dialog opened over a screen when it is done.
type CloseOverlayMsg struct{ Changed bool }
