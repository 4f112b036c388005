package auditpack

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// pdfDoc wraps fpdf with the report's look. Text is UTF-8 in embedded Go fonts (Latin,
// Greek, Cyrillic; fpdf embeds the subset of glyphs used); tr records the characters those
// fonts do not have, and the page's footer names them.
type pdfDoc struct {
	*fpdf.Fpdf
	w       float64 // printable width
	glyphs  *glyphSet
	missing map[rune]bool // characters without a glyph on the current page
}

// tr passes text through and notes the characters the report's fonts cannot draw.
func (p *pdfDoc) tr(s string) string {
	for _, r := range s {
		if r >= 0x20 && r < 0x7f {
			continue
		}
		if !p.glyphs.has(r) {
			p.missing[r] = true
		}
	}
	return s
}

func hexRGB(s string) (int, int, int) {
	s = strings.TrimPrefix(s, "#")
	v, _ := strconv.ParseUint(s, 16, 32)
	return int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)
}

func newPDF(d *Data) *pdfDoc {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCatalogSort(true)
	f.SetCreationDate(d.At)
	f.SetModificationDate(d.At)
	f.SetCompression(true)
	p := &pdfDoc{Fpdf: f, glyphs: newGlyphSet(), missing: map[rune]bool{}}
	addFonts(f)
	f.SetMargins(16, 16, 16)
	f.SetAutoPageBreak(true, 18)
	f.SetTitle(d.Engagement.Name+" — readiness report", true)
	f.SetAuthor(firstNonEmpty(d.Engagement.Lead, "annex"), true)
	f.SetCreator("annex "+d.Version, true)
	f.SetProducer("annex", true)
	pw, _ := f.GetPageSize()
	l, _, r, _ := f.GetMargins()
	p.w = pw - l - r
	f.SetFooterFunc(func() {
		p.missingNote()
		f.SetY(-12)
		f.SetFont(pdfFont, "", 8)
		f.SetTextColor(110, 118, 129)
		f.CellFormat(p.w/2, 5, p.tr(firstLine(d.Engagement.Name, 80)), "", 0, "L", false, 0, "")
		f.CellFormat(p.w/2, 5, fmt.Sprintf("page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
	})
	f.AliasNbPages("")
	return p
}

// ensure starts a new page when less than h millimetres are left: drawings placed by
// coordinates must not straddle the automatic page break.
func (p *pdfDoc) ensure(h float64) {
	_, pageH := p.GetPageSize()
	_, _, _, bottom := p.GetMargins()
	if _, y := p.GetXY(); y+h > pageH-bottom {
		p.AddPage()
	}
}

func (p *pdfDoc) heading(text string) {
	p.ensure(40)
	p.Ln(4)
	p.SetFont(pdfFont, "B", 13)
	p.SetTextColor(5, 80, 174)
	p.MultiCell(p.w, 7, p.tr(text), "B", "L", false)
	p.Ln(2)
	p.SetTextColor(31, 35, 40)
}

func (p *pdfDoc) para(size float64, style, text string) {
	p.SetFont(pdfFont, style, size)
	p.MultiCell(p.w, size*0.5, p.tr(text), "", "L", false)
}

// bar draws a stacked readiness bar at the current position.
func (p *pdfDoc) bar(label string, b Bar, labelW, barW float64) {
	p.ensure(7)
	x, y := p.GetXY()
	p.SetFont(pdfFont, "", 9)
	p.CellFormat(labelW, 6, p.tr(firstLine(label, 48)), "", 0, "L", false, 0, "")
	p.SetFillColor(246, 248, 250)
	p.Rect(x+labelW, y+1, barW, 4, "F")
	for _, s := range b.Segments {
		r, g, bl := hexRGB(s.Colour)
		p.SetFillColor(r, g, bl)
		p.Rect(x+labelW+s.X/100*barW, y+1, s.W/100*barW, 4, "F")
	}
	p.SetXY(x+labelW+barW+2, y)
	p.CellFormat(p.w-labelW-barW-2, 6, fmt.Sprintf("%.0f%%", b.Percent), "", 1, "R", false, 0, "")
}

// table prints rows with fixed column widths, repeating the header after a page break.
func (p *pdfDoc) table(header []string, widths []float64, rows [][]string) {
	line := 4.2
	printHeader := func() {
		p.SetFont(pdfFont, "B", 8.5)
		p.SetFillColor(246, 248, 250)
		for i, h := range header {
			p.CellFormat(widths[i], 6, p.tr(h), "B", 0, "L", true, 0, "")
		}
		p.Ln(-1)
	}
	printHeader()
	p.SetFont(pdfFont, "", 8.5)
	for _, row := range rows {
		n := 1
		cells := make([][]string, len(row))
		for i, c := range row {
			// Split the UTF-8 text (SplitText reads runes), translate each line when drawn.
			cells[i] = p.SplitText(c, widths[i]-2)
			if len(cells[i]) == 0 {
				cells[i] = []string{""}
			}
			n = max(n, len(cells[i]))
		}
		h := float64(n)*line + 1.5
		_, pageH := p.GetPageSize()
		_, _, _, bottom := p.GetMargins()
		if _, y := p.GetXY(); y+h > pageH-bottom {
			p.AddPage()
			printHeader()
			p.SetFont(pdfFont, "", 8.5)
		}
		x, y := p.GetXY()
		for i := range row {
			p.SetXY(x, y+0.8)
			for _, ln := range cells[i] {
				p.CellFormat(widths[i], line, p.tr(ln), "", 2, "L", false, 0, "")
				p.SetX(x)
			}
			x += widths[i]
		}
		p.SetDrawColor(208, 215, 222)
		l, _, _, _ := p.GetMargins()
		p.Line(l, y+h, l+p.w, y+h)
		p.SetXY(l, y+h)
	}
}

// ReportPDF is the management report as PDF: the same sections as report.html.
func ReportPDF(d *Data) ([]byte, error) {
	v := buildReportView(d)
	p := newPDF(d)
	markPages(p, v.Control)
	p.AddPage()
	e := d.Engagement
	p.SetFont(pdfFont, "B", 18)
	p.SetTextColor(31, 35, 40)
	p.MultiCell(p.w, 8, p.tr(e.Name), "", "L", false)
	p.SetTextColor(87, 96, 106)
	sub := "Readiness report"
	if e.Organisation != "" {
		sub += " for " + e.Organisation
	}
	p.para(10, "", sub+" · state of the workspace on "+v.At)
	p.SetTextColor(31, 35, 40)
	p.Ln(3)
	facts := [][2]string{{"Scope", e.Scope}, {"Standards", strings.Join(v.Standards, ", ")}, {"Lead", e.Lead}}
	if e.StartDate != "" || e.EndDate != "" {
		facts = append(facts, [2]string{"Period", firstNonEmpty(e.StartDate, "…") + " to " + firstNonEmpty(e.EndDate, "…")})
	}
	for _, f := range facts {
		if strings.TrimSpace(f[1]) == "" {
			continue
		}
		p.SetFont(pdfFont, "B", 9.5)
		p.CellFormat(26, 5, p.tr(f[0]), "", 0, "L", false, 0, "")
		p.SetFont(pdfFont, "", 9.5)
		p.MultiCell(p.w-26, 5, p.tr(f[1]), "", "L", false)
	}
	controlPDF(p, v.Control)
	execPDF(p, v.Exec)

	p.heading("At a glance")
	for _, sv := range v.Views {
		p.para(10, "B", fmt.Sprintf("%s: %.0f%% ready, %.0f%% of %d requirements assessed", sv.Name, sv.Total.Percent, sv.Total.Assessed, sv.Total.Total))
		if c := sv.Coverage; c != nil {
			p.para(10, "", fmt.Sprintf("%s covered by %s work: %.0f%% (%d of %d applicable requirements have an implemented or partial counterpart)", sv.Name, c.By, c.Percent, c.Covered, c.Of))
		}
		p.Ln(1)
	}
	p.para(10, "", fmt.Sprintf("Open actions: %d gaps and treatments to close.", len(v.Actions)))

	p.heading("Readiness per standard")
	p.SetTextColor(87, 96, 106)
	p.para(8.5, "", "Readiness counts implemented as 1 and partially implemented as 1/2 over the applicable requirements. Bar colours: implemented green, partial amber, not implemented red, not applicable grey-blue, not assessed light grey.")
	p.SetTextColor(31, 35, 40)
	for _, sv := range v.Views {
		p.Ln(2)
		p.para(10.5, "B", sv.Name)
		p.bar("All requirements", sv.Total, 70, p.w-70-16)
		for _, g := range sv.Groups {
			p.bar(g.Label, g, 70, p.w-70-16)
		}
		p.SetTextColor(87, 96, 106)
		p.para(8.5, "", fmt.Sprintf("Statement of Applicability: %d controls, %d applicable (%d implemented), %d excluded, %d not yet decided.",
			sv.SoA.Controls, sv.SoA.Applicable, sv.SoA.Implemented, sv.SoA.Excluded, sv.SoA.Undecided))
		p.SetTextColor(31, 35, 40)
	}
	soaPDF(p, v.SoAView)
	docsBodyPDF(p, v.Docs)
	progressPDF(p, d)
	methodPDF(p, v.Method)
	partsPDF(p, d)
	planPDF(p, v.Plan)
	actionsPDF(p, v.ActionsView)
	p.Ln(6)
	p.SetTextColor(87, 96, 106)
	p.para(8, "", fmt.Sprintf("Made by annex %s from the workspace as it was on %s. Every file of the pack is listed with its SHA-256 in manifest.json; check the pack with 'annex verify'.", d.Version, v.At))
	p.SetTextColor(31, 35, 40)
	annexPDF(p, v)
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
