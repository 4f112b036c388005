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
	line("")
	label := 14
	row := func(f field, name, value string) {
		cursor := "  "
		name = common.Pad(name, label)
		if m.focus == f && m.state != building {
			cursor = st.Cursor.Render("› ")
			name = st.Bold.Render(name)
		} else {
			name = st.Label.Render(name)
		}
		line(cursor + name + value)
		if p, ok := m.problem[f]; ok {
			line(strings.Repeat(" ", label+2) + st.Error.Render(p))
		}
	}
	box := func(on bool) string {
		if on {
			return st.Accent.Render("[x]")
		}
		return "[ ]"
	}
	// A long path keeps its end (the file name) in view.
	pathText := common.TruncateLeft(common.OneLine(common.ShortPath(m.path.Value())), max(10, m.width-label-2))
	if m.editing && m.focus == fieldPath {
		pathText = m.path.View()
	}
	row(fieldPath, "Output file", pathText)
	row(fieldFiles, "Evidence", box(m.withFiles)+" include the evidence files kept in the workspace")
	row(fieldEncrypt, "Encryption", box(m.encrypt)+" encrypt with a passphrase (age, writes .zip.age)")
	if m.encrypt {
		secret := func(f field, in string, n int) string {
			if m.editing && m.focus == f {
				return in
			}
			if n == 0 {
				return st.Muted.Render("(enter to type)")
			}
			return strings.Repeat("•", min(n, 24))
		}
		row(fieldPass, "Passphrase", secret(fieldPass, m.pass.View(), len(m.pass.Value())))
		row(fieldPass2, "Again", secret(fieldPass2, m.pass2.View(), len(m.pass2.Value())))
	}
	button := "[ Export ]"
	if m.focus == fieldButton && m.state != building {
		button = st.Selected.Render(button)
	}
	row(fieldButton, "", button+st.Muted.Render("  or press x from any field"))
	line("")
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
		line(st.Muted.Render(fmt.Sprintf("  %d files and the manifest, %s%s", r.Files, size(r.Size), enc)))
		line(st.Muted.Render("  SHA-256 " + r.SHA256))
		if v := r.Verify; v != nil && v.OK() {
			line(st.OK.Render(fmt.Sprintf("✓ Verified: all %d files match the manifest.", v.Checked)))
		} else if v != nil {
			line(st.Error.Render(fmt.Sprintf("✗ Verification found %d problems:", len(v.Problems))))
			for i, p := range v.Problems {
				if i == 3 {
					line(st.Muted.Render(fmt.Sprintf("  … and %d more", len(v.Problems)-3)))
					break
				}
				line("  " + common.OneLine(p.String()))
			}
		}
		line(st.Muted.Render("  Check it again anywhere with: annex verify <file>"))
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
	return fmt.Sprintf("%d bytes", n)
}
