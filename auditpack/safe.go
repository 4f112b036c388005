package auditpack

import (
	"fmt"
	"path"
	"strings"
	"unicode"
)

// Cell neutralises text for a CSV cell: a value starting with = + - @, a tab or a carriage
// return could be read as a formula by a spreadsheet that opens the CSV, so it gets a
// leading apostrophe (the convention spreadsheets themselves use for "this is text"). XLSX
// cells need no such prefix: they are typed as strings.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// CleanName checks a zip entry name: relative, forward slashes, no "." or ".." element,
// no empty element, no drive letter, no control characters. It returns the name unchanged
// when it is clean.
func CleanName(name string) (string, error) {
	switch {
	case name == "":
		return "", fmt.Errorf("an entry has an empty name")
	case strings.Contains(name, `\`):
		return "", fmt.Errorf("entry %q uses a backslash", name)
	case strings.HasPrefix(name, "/"):
		return "", fmt.Errorf("entry %q is an absolute path", name)
	case len(name) >= 2 && name[1] == ':':
		return "", fmt.Errorf("entry %q names a drive", name)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || !unicode.IsPrint(r) && r != ' ' {
			return "", fmt.Errorf("entry %q contains a control character", name)
		}
	}
	for _, el := range strings.Split(strings.TrimSuffix(name, "/"), "/") {
		if el == "" || el == "." || el == ".." {
			return "", fmt.Errorf("entry %q leaves its folder or has an empty path element", name)
		}
	}
	if path.Clean(name) != strings.TrimSuffix(name, "/") {
		return "", fmt.Errorf("entry %q is not a clean path", name)
	}
	return name, nil
}

// slug turns a name into a file-name-safe lower-case token ("Medivance Health — ISMS" →
// "medivance-health-isms"), at most max bytes.
func slug(s string, max int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			// Accented letters: keep the base letter where it is ASCII after folding.
			if f := fold(r); f != 0 {
				b.WriteRune(f)
				dash = false
			}
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
		if b.Len() >= max {
			break
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > max {
		out = strings.Trim(out[:max], "-")
	}
	if out == "" {
		return "engagement"
	}
	return out
}

func fold(r rune) rune {
	const from, to = "àáâãäåçèéêëìíîïñòóôõöøùúûüýÿ", "aaaaaaceeeeiiiinoooooouuuuyy"
	for i, f := range []rune(from) {
		if f == r {
			return []rune(to)[i]
		}
	}
	return 0
}

// Slug is the file-name form of an engagement name, used for default pack names.
func Slug(name string) string { return slug(name, 48) }
