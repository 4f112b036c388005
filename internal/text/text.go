// Package text makes user text safe to print on a terminal. The workbench (tui) and the
// command line (cmd/annex) draw every user text through Inert, so an engagement name with
// an escape sequence shows as "^[]0;..." instead of retitling the terminal. Stored text,
// JSON and CSV outputs keep the exact bytes.
package text

import (
	"fmt"
	"strings"
)

// Inert makes user text safe to draw: escape sequences and control characters are shown
// as visible text instead of being sent to the terminal. The stored text is unchanged.
func Inert(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == 0x1b:
			b.WriteString("^[")
		case r < 0x20:
			b.WriteString("^" + string(rune(r+'@')))
		case r == 0x7f:
			b.WriteString("^?")
		case r >= 0x80 && r < 0xa0:
			fmt.Fprintf(&b, "<U+%04X>", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// OneLine is Inert text folded to one line (newlines shown as ⏎) for list cells.
func OneLine(s string) string {
	return strings.ReplaceAll(Inert(strings.ReplaceAll(s, "\r\n", "\n")), "\n", " ⏎ ")
}
