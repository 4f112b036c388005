package common

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annex-grc/annex/internal/text"
)

// Inert makes user text safe to draw (internal/text.Inert, shared with the command line).
func Inert(s string) string { return text.Inert(s) }

// OneLine is Inert text folded to one line (newlines shown as ⏎) for list cells.
func OneLine(s string) string { return text.OneLine(s) }

// Truncate cuts styled or plain text to width cells, with an ellipsis.
func Truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, "…")
}

// Pad fills plain or styled text with spaces to exactly width cells (truncating if longer).
func Pad(s string, width int) string {
	w := lipgloss.Width(s)
	if w > width {
		return Truncate(s, width)
	}
	return s + strings.Repeat(" ", width-w)
}

// Bar draws a horizontal bar of width cells filled to pct (0..100).
func (s *Styles) Bar(pct float64, width int) string {
	if width <= 0 {
		return ""
	}
	full := int(pct/100*float64(width) + 0.5)
	full = max(0, min(width, full))
	return s.BarFull.Render(strings.Repeat("█", full)) + s.BarEmpty.Render(strings.Repeat("░", width-full))
}

// Percent formats a percentage the same way everywhere.
func Percent(p float64) string { return fmt.Sprintf("%.0f%%", p) }

// MinWidth and MinHeight are the smallest terminal the workbench draws in.
const (
	MinWidth  = 80
	MinHeight = 24
)

// ShortPath shows a path under the home folder as ~/...
func ShortPath(p string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return p
	}
	if rel, err := filepath.Rel(home, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.Join("~", rel)
	}
	return p
}

// TruncateLeft cuts plain text to width cells from the left, keeping its end: "…/folder/file.zip".
func TruncateLeft(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && lipgloss.Width(string(r)) > width-1 {
		r = r[1:]
	}
	return "…" + string(r)
}
