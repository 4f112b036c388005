package common

import (
	"image/color"
	"os"

	"charm.land/lipgloss/v2"

	"github.com/annex-grc/annex/assessments"
)

// Palette is the theme's colours; screens build their own styles from it once.
type Palette struct {
	Fg, Muted, Subtle, Accent, Border, SelectedBg color.Color
	OK, Warn, Bad, Info                           color.Color
	// Levels colour risk levels and impact classes from lowest to highest.
	Levels [5]color.Color
}

// Styles is built once per theme, never per frame.
type Styles struct {
	Dark    bool
	NoColor bool
	P       Palette

	App, Title, Header, Muted, Subtle, Accent, Bold lipgloss.Style
	Selected, Cursor, Focused, Blurred              lipgloss.Style
	Error, Warn, OK, Info                           lipgloss.Style
	Border, FocusedBorder                           lipgloss.Style
	TabActive, TabInactive                          lipgloss.Style
	StatusBar, Label, Value, Key                    lipgloss.Style
	Status                                          map[assessments.Status]lipgloss.Style
	Level                                           [5]lipgloss.Style
	BarFull, BarEmpty                               lipgloss.Style
}

// NewStyles builds the styles for a dark or light background. NO_COLOR drops colour
// (bubbletea also downsamples), keeping bold and reverse so focus stays visible.
func NewStyles(dark bool) *Styles {
	ld := lipgloss.LightDark(dark)
	p := Palette{
		Fg:         ld(lipgloss.Color("#1f2328"), lipgloss.Color("#e6edf3")),
		Muted:      ld(lipgloss.Color("#57606a"), lipgloss.Color("#8b949e")),
		Subtle:     ld(lipgloss.Color("#8c959f"), lipgloss.Color("#6e7681")),
		Accent:     ld(lipgloss.Color("#0550ae"), lipgloss.Color("#79c0ff")),
		Border:     ld(lipgloss.Color("#d0d7de"), lipgloss.Color("#30363d")),
		SelectedBg: ld(lipgloss.Color("#ddf4ff"), lipgloss.Color("#1f3a5f")),
		OK:         ld(lipgloss.Color("#1a7f37"), lipgloss.Color("#3fb950")),
		Warn:       ld(lipgloss.Color("#9a6700"), lipgloss.Color("#d29922")),
		Bad:        ld(lipgloss.Color("#cf222e"), lipgloss.Color("#f85149")),
		Info:       ld(lipgloss.Color("#8250df"), lipgloss.Color("#d2a8ff")),
	}
	p.Levels = [5]color.Color{
		ld(lipgloss.Color("#1a7f37"), lipgloss.Color("#3fb950")),
		ld(lipgloss.Color("#4d7c0f"), lipgloss.Color("#a3d977")),
		ld(lipgloss.Color("#9a6700"), lipgloss.Color("#d29922")),
		ld(lipgloss.Color("#bc4c00"), lipgloss.Color("#f0883e")),
		ld(lipgloss.Color("#cf222e"), lipgloss.Color("#f85149")),
	}
	s := &Styles{Dark: dark, P: p, NoColor: os.Getenv("NO_COLOR") != ""}
	base := lipgloss.NewStyle()
	s.App = base
	s.Title = base.Bold(true).Foreground(p.Accent)
	s.Header = base.Bold(true)
	s.Muted = base.Foreground(p.Muted)
	s.Subtle = base.Foreground(p.Subtle)
	s.Accent = base.Foreground(p.Accent)
	s.Bold = base.Bold(true)
	s.Selected = base.Background(p.SelectedBg).Bold(true)
	if s.NoColor {
		s.Selected = base.Reverse(true)
	}
	s.Cursor = base.Foreground(p.Accent).Bold(true)
	s.Focused = base.Foreground(p.Accent)
	s.Blurred = base.Foreground(p.Muted)
	s.Error = base.Foreground(p.Bad).Bold(true)
	s.Warn = base.Foreground(p.Warn)
	s.OK = base.Foreground(p.OK)
	s.Info = base.Foreground(p.Info)
	s.Border = base.Border(lipgloss.RoundedBorder()).BorderForeground(p.Border)
	s.FocusedBorder = base.Border(lipgloss.RoundedBorder()).BorderForeground(p.Accent)
	s.TabActive = base.Bold(true).Foreground(p.Accent).Background(p.SelectedBg)
	if s.NoColor {
		s.TabActive = base.Bold(true).Reverse(true)
	}
	s.TabInactive = base.Foreground(p.Muted)
	s.StatusBar = base.Foreground(p.Muted)
	s.Label = base.Foreground(p.Muted)
	s.Value = base
	s.Key = base.Foreground(p.Accent).Bold(true)
	s.Status = map[assessments.Status]lipgloss.Style{
		assessments.NotAssessed:    base.Foreground(p.Subtle),
		assessments.NotImplemented: base.Foreground(p.Bad),
		assessments.Partial:        base.Foreground(p.Warn),
		assessments.Implemented:    base.Foreground(p.OK),
		assessments.NotApplicable:  base.Foreground(p.Muted),
	}
	for i, c := range p.Levels {
		s.Level[i] = base.Foreground(c).Bold(i >= 3)
	}
	s.BarFull = base.Foreground(p.Accent)
	s.BarEmpty = base.Foreground(p.Border)
	return s
}
