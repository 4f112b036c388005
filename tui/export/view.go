package export

import (
	"fmt"
	"strings"

	"github.com/annex-grc/annex/tui/common"
)

// View draws the form, the progress bar while building, and the outcome.
func (m *Model) View() string {
	st := m.c.Styles
	w := max(20, m.width)
	var b strings.Builder
	line := func(s string) {
		b.WriteString(common.Truncate(s, w))
		b.WriteByte('\n')
	}
	line(st.Title.Render("Audit pack") + st.Muted.Render(" · "+common.OneLine(m.e.Name)))
	when := "Workspace without any recorded change."
	if m.lastChange != "" {
		when = "As of " + strings.Replace(fileDateTime(m.lastChange), "T", " ", 1) + " UTC."
	}
	line(st.Muted.Render("Report, SoAs, gap analysis, registers, OSCAL and data in one zip, with the"))
	line(st.Muted.Render("SHA-256 of every file in its manifest. " + when))
	line(st.Label.Render("Report ") + common.OneLine(m.reportSummary()) + st.Muted.Render("  (r changes)"))
	line("")
	for _, l := range strings.Split(m.f.View(), "\n") {
		line(l)
	}
	line("")
	switch {
	case m.state == building:
	case m.editing:
		line(st.Muted.Render("ctrl+s exports with these options · esc leaves them as they were"))
	default:
		line(st.Muted.Render("x exports with these options · e changes them"))
	}
	switch m.state {
	case building:
		p := m.progress
		pct := 0.0
		if p.Total > 0 {
			pct = 100 * float64(p.Done) / float64(p.Total)
		}
		barW := max(10, min(50, w-30))
		line(st.Bold.Render("Building ") + st.Bar(pct, barW) + fmt.Sprintf(" %3.0f%%", pct))
		line(st.Muted.Render(fmt.Sprintf("step %d of %d: %s", p.Done, p.Total, p.Step)))
	case done:
		r := m.result
		enc := ""
		if r.Encrypt {
			enc = ", encrypted"
		}
		line(st.OK.Render("✓ Written ") + common.OneLine(r.Path))
		if r.KeyID != "" {
			enc += ", signed with minisign key " + r.KeyID
		}
		line(st.Muted.Render(fmt.Sprintf("  %s and the manifest, %s%s", common.Count(r.Files, "file", "files"), size(r.Size), enc)))
		line(st.Muted.Render("  SHA-256 " + r.SHA256))
		if v := r.Verify; v != nil && v.OK() {
			line(st.OK.Render(verified(v.Checked)))
		} else if v != nil {
			line(st.Error.Render("✗ Verification found " + common.Count(len(v.Problems), "problem", "problems") + ":"))
			for i, p := range v.Problems {
				if i == 3 {
					line(st.Muted.Render(fmt.Sprintf("  … and %d more", len(v.Problems)-3)))
					break
				}
				line("  " + common.OneLine(p.String()))
			}
		}
		if r.KeyID != "" {
			line(st.Muted.Render("  Check it and who signed it with: annex verify --key <key>.pub <file>"))
		} else {
			line(st.Muted.Render("  Check it again anywhere with: annex verify <file>"))
		}
		if r.NotRecorded != "" {
			line(st.Warn.Render("  Not recorded in the workspace (the next report cannot compare with it): " + common.OneLine(r.NotRecorded)))
		}
	case failed:
		line(st.Error.Render("✗ " + common.OneLine(m.err.Error())))
	}
	if m.state != failed && m.err != nil {
		line(st.Error.Render(common.OneLine(m.err.Error())))
	}
	out := strings.TrimRight(b.String(), "\n")
	if m.height > 0 {
		lines := strings.Split(out, "\n")
		if len(lines) > m.height {
			lines = lines[:m.height]
		}
		out = strings.Join(lines, "\n")
	}
	return out
}

func fileDateTime(stamp string) string {
	if len(stamp) >= 16 {
		return stamp[:16]
	}
	return stamp
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	}
	return common.Count(int(n), "byte", "bytes")
}

// verified is the line for a pack whose every file matched its manifest.
func verified(n int) string {
	if n == 1 {
		return "✓ Verified: the file matches the manifest."
	}
	return fmt.Sprintf("✓ Verified: all %d files match the manifest.", n)
}
