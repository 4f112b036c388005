package auditpack

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
)

// pdfFont is the report's font family: the Go fonts (Bigelow & Holmes, BSD licence), which
// cover Latin, Greek and Cyrillic. fpdf embeds only the glyphs a report uses.
const pdfFont = "Go"

// addFonts registers the regular and bold cuts. The italic one, used only by the note on
// characters without a glyph, is added when that note is written: every font a document
// registers is parsed and embedded (about 4 ms and 4 MB each), used or not.
func addFonts(f *fpdf.Fpdf) {
	f.AddUTF8FontFromBytes(pdfFont, "", goregular.TTF)
	f.AddUTF8FontFromBytes(pdfFont, "B", gobold.TTF)
}

// regularFont is Go Regular parsed once, to tell which characters it has a glyph for (the
// bold and italic cuts cover the same characters).
var regularFont = sync.OnceValues(func() (*sfnt.Font, error) { return sfnt.Parse(goregular.TTF) })

// glyphSet answers "does the report's font draw this character?", caching answers; one per
// document (a document is written by one goroutine).
type glyphSet struct {
	font  *sfnt.Font
	buf   sfnt.Buffer
	cache map[rune]bool
}

func newGlyphSet() *glyphSet {
	f, _ := regularFont()
	return &glyphSet{font: f, cache: map[rune]bool{}}
}

func (g *glyphSet) has(r rune) bool {
	if r == '\n' || r == '\t' || r == '\r' {
		return true // layout, never drawn
	}
	if v, ok := g.cache[r]; ok {
		return v
	}
	ok := false
	if g.font != nil {
		i, err := g.font.GlyphIndex(&g.buf, r)
		ok = err == nil && i != 0
	}
	g.cache[r] = ok
	return ok
}

// missingNote writes, above the footer, which characters of the page the fonts cannot draw
// (each shown by its code point, since its glyph is what is missing), then starts afresh.
func (p *pdfDoc) missingNote() {
	if len(p.missing) == 0 {
		return
	}
	rs := make([]rune, 0, len(p.missing))
	for r := range p.missing {
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i] < rs[j] })
	const shown = 8
	var parts []string
	for i, r := range rs {
		if i == shown {
			parts = append(parts, fmt.Sprintf("and %d more", len(rs)-shown))
			break
		}
		parts = append(parts, fmt.Sprintf("%c (U+%04X)", r, r))
	}
	clear(p.missing)
	p.SetY(-17)
	p.AddUTF8FontFromBytes(pdfFont, "I", goitalic.TTF) // once per document
	p.SetFont(pdfFont, "I", 7.5)
	p.SetTextColor(110, 118, 129)
	p.CellFormat(p.w, 4, "Characters not in the report's fonts (drawn as boxes): "+strings.Join(parts, ", "), "", 0, "L", false, 0, "")
}
