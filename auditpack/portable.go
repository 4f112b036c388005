package auditpack

import (
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// portableName makes a file name every common file system can create: the characters
// Windows refuses (< > : " / \ | ? * and control characters) become '_', trailing dots and
// spaces go, a device name (CON, NUL, COM1, ...) gets a leading '_', and the name is at most
// 200 bytes with its extension kept.
func portableName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || r == 0x7f || !unicode.IsPrint(r) && r != ' ':
			return '_'
		case strings.ContainsRune(`<>:"/\|?*`, r):
			return '_'
		}
		return r
	}, name)
	name = strings.TrimRight(name, ". ")
	if name == "" {
		return "file"
	}
	stem, ext := name, ""
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		stem, ext = name[:i], name[i:]
	}
	switch up := strings.ToUpper(strings.TrimRight(stem, " ")); {
	case up == "CON" || up == "PRN" || up == "AUX" || up == "NUL",
		len(up) == 4 && (strings.HasPrefix(up, "COM") || strings.HasPrefix(up, "LPT")) && up[3] >= '0' && up[3] <= '9':
		stem = "_" + stem
	}
	const maxBytes = 200
	if len(ext) > 20 {
		stem, ext = stem+ext, ""
	}
	for len(stem)+len(ext) > maxBytes {
		_, size := utf8.DecodeLastRuneInString(stem)
		stem = stem[:len(stem)-size]
	}
	return stem + ext
}

// evidenceZipPaths are the pack paths of the kept evidence files by evidence id, in the
// evidence order: evidence/<id>/<portable name>. Two names that a case-insensitive file
// system would take for one get -2, -3, ... before the extension, in that order.
func evidenceZipPaths(d *Data) map[string]string {
	out := map[string]string{}
	taken := map[string]bool{}
	for _, e := range d.Parts.Evidence {
		b, ok := d.Parts.Blobs[e.ID]
		if !ok {
			continue
		}
		p := evidencePath(e.ID, b.Name)
		for n := 2; taken[strings.ToLower(p)]; n++ {
			base := evidencePath(e.ID, b.Name)
			ext := filepath.Ext(base)
			p = strings.TrimSuffix(base, ext) + "-" + strconv.Itoa(n) + ext
		}
		taken[strings.ToLower(p)] = true
		out[e.ID] = p
	}
	return out
}

// relativeEvidencePaths gives each evidence file's path relative to the folder all the
// engagement's files share (a single file: its name), so the index does not show the
// consultant's home folder. Paths that are already relative stay as they are.
func relativeEvidencePaths(paths []string) map[string]string {
	split := func(p string) []string {
		return strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' })
	}
	isAbs := func(p string) bool {
		return strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) || len(p) > 2 && p[1] == ':' && (p[2] == '\\' || p[2] == '/')
	}
	var common []string
	first := true
	for _, p := range paths {
		if !isAbs(p) {
			continue
		}
		dir := split(p)
		if len(dir) > 0 {
			dir = dir[:len(dir)-1]
		}
		if first {
			common, first = dir, false
			continue
		}
		n := 0
		for n < len(common) && n < len(dir) && common[n] == dir[n] {
			n++
		}
		common = common[:n]
	}
	out := map[string]string{}
	for _, p := range paths {
		if !isAbs(p) {
			out[p] = p
			continue
		}
		out[p] = strings.Join(split(p)[len(common):], "/")
	}
	return out
}
