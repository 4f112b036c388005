package auditpack

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/annex-grc/annex/assessments"
)

// workbook writes an XLSX (SpreadsheetML) file with annex's conventions: fixed document
// properties (the pack's time, never the clock), a bold frozen header with filters on every
// sheet, status colours. Text is written as inline strings (t="inlineStr"), never as
// formulas, so text starting with = + - @ stays as typed, without the apostrophe CSV needs.
//
// annex writes the few parts a workbook of plain tables needs itself, streaming rows
// straight into the sheet's XML, instead of through a spreadsheet library: excelize, which
// wrote these files before, builds lookup tables and compiles regular expressions in its
// package init, about 5 ms at every start of the binary, the workbench included. Tests
// still read every workbook back with excelize.
type workbook struct {
	title  string
	at     time.Time
	styles []cellStyle // cellXfs after the default one: style id i+1
	header int
	wrap   int
	status map[assessments.Status]int
	level  [5]int
	sheets []sheetPart
	tables int
}

// cellStyle is one cell format: an optional bold white font, a solid fill and an alignment.
type cellStyle struct {
	bold       bool
	fill       string // RGB without '#', "" for none
	vertical   string
	horizontal string
	wrap       bool
}

// sheetPart is one written worksheet and its table, if any.
type sheetPart struct {
	name  string
	xml   []byte
	table []byte // the table part; nil for a sheet without filters
}

// statusFill are the gap-analysis colours (light fills readable when printed).
var statusFill = map[assessments.Status]string{
	assessments.NotAssessed:    "EEEEEE",
	assessments.NotImplemented: "F8D7DA",
	assessments.Partial:        "FFF3CD",
	assessments.Implemented:    "D4EDDA",
	assessments.NotApplicable:  "E2E3E5",
}

// levelFill colours risk levels and impact classes from lowest to highest.
var levelFill = [5]string{"D4EDDA", "E6F4C9", "FFF3CD", "FDDCB5", "F8D7DA"}

func newWorkbook(title string, at time.Time) (*workbook, error) {
	wb := &workbook{title: title, at: at, status: map[assessments.Status]int{}}
	wb.header = wb.style(cellStyle{bold: true, fill: "1F3A5F", vertical: "center", wrap: true})
	wb.wrap = wb.style(cellStyle{vertical: "top", wrap: true})
	for _, st := range assessments.Statuses {
		wb.status[st] = wb.style(cellStyle{fill: statusFill[st], vertical: "top", wrap: true})
	}
	for i, c := range levelFill {
		wb.level[i] = wb.style(cellStyle{fill: c, vertical: "top", horizontal: "center"})
	}
	return wb, nil
}

// style registers a cell format and returns its id.
func (wb *workbook) style(s cellStyle) int {
	wb.styles = append(wb.styles, s)
	return len(wb.styles)
}

// table is one sheet: a header row and data rows. Cells are strings or ints.
type table struct {
	Name    string
	Header  []string
	Widths  []float64
	Rows    [][]any
	Styles  func(row int) map[int]int // column -> style id for data row i
	NoFrame bool                      // no frozen header or filter (summary sheets)
}

const (
	nsMain  = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel   = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	xmlDecl = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	// maxCellChars is the most a spreadsheet cell holds (UTF-16 code units); longer text is cut.
	maxCellChars = 32767
)

// sheet writes a table as a sheet: widths, a frozen header row, text as string cells,
// and, unless NoFrame, an Excel table over the data so each column has a filter.
func (wb *workbook) sheet(t table) error {
	for _, s := range wb.sheets {
		if strings.EqualFold(s.name, t.Name) {
			return fmt.Errorf("workbook: sheet %q twice", t.Name)
		}
	}
	if t.Name == "" || utf8.RuneCountInString(t.Name) > 31 || strings.ContainsAny(t.Name, `[]:*?/\`) {
		return fmt.Errorf("workbook: %q is not a valid sheet name", t.Name)
	}
	cols := len(t.Header)
	var b bytes.Buffer
	b.Grow(256 + len(t.Rows)*cols*48)
	b.WriteString(xmlDecl)
	b.WriteString(`<worksheet xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">`)
	last := cellName(max(cols, 1), len(t.Rows)+1)
	b.WriteString(`<dimension ref="A1:` + last + `"/>`)
	b.WriteString(`<sheetViews><sheetView`)
	if len(wb.sheets) == 0 {
		b.WriteString(` tabSelected="1"`)
	}
	b.WriteString(` workbookViewId="0">`)
	if !t.NoFrame {
		b.WriteString(`<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>` +
			`<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>`)
	}
	b.WriteString(`</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>`)
	if len(t.Widths) > 0 {
		b.WriteString(`<cols>`)
		for i, w := range t.Widths {
			n := strconv.Itoa(i + 1)
			fmt.Fprintf(&b, `<col min="%s" max="%s" width="%s" customWidth="1"/>`, n, n, strconv.FormatFloat(w, 'f', -1, 64))
		}
		b.WriteString(`</cols>`)
	}
	b.WriteString(`<sheetData><row r="1">`)
	for i, h := range t.Header {
		writeCell(&b, cellName(i+1, 1), wb.header, h)
	}
	b.WriteString(`</row>`)
	for r, row := range t.Rows {
		var styles map[int]int
		if t.Styles != nil {
			styles = t.Styles(r)
		}
		rowNum := strconv.Itoa(r + 2)
		b.WriteString(`<row r="` + rowNum + `">`)
		for c := 0; c < cols; c++ {
			style := wb.wrap
			if s, ok := styles[c]; ok {
				style = s
			}
			var v any
			if c < len(row) {
				switch x := row[c].(type) {
				case string:
					v = x // an inline string cell: never a formula
				case int, float64, nil:
					v = x
				default:
					return fmt.Errorf("row %d column %d: unsupported value %T", r+1, c+1, x)
				}
			}
			if v == nil {
				continue
			}
			writeCell(&b, colName(c+1)+rowNum, style, v)
		}
		b.WriteString(`</row>`)
	}
	b.WriteString(`</sheetData>`)
	part := sheetPart{name: t.Name}
	if !t.NoFrame && len(t.Rows) > 0 {
		b.WriteString(`<tableParts count="1"><tablePart r:id="rId1"/></tableParts>`)
		wb.tables++
		part.table = tablePart(wb.tables, "A1:"+last, t.Header)
	}
	b.WriteString(`</worksheet>`)
	part.xml = b.Bytes()
	wb.sheets = append(wb.sheets, part)
	return nil
}

// writeCell writes one cell: a number, or text as an inline string.
func writeCell(b *bytes.Buffer, ref string, style int, v any) {
	b.WriteString(`<c r="` + ref + `" s="` + strconv.Itoa(style) + `"`)
	switch x := v.(type) {
	case int:
		b.WriteString(`><v>` + strconv.Itoa(x) + `</v></c>`)
	case float64:
		b.WriteString(`><v>` + strconv.FormatFloat(x, 'f', -1, 64) + `</v></c>`)
	case string:
		x = cutCell(x)
		b.WriteString(` t="inlineStr"><is><t`)
		if x != "" && (strings.ContainsRune("\t\n\r ", rune(x[0])) || strings.ContainsRune("\t\n\r ", rune(x[len(x)-1]))) {
			b.WriteString(` xml:space="preserve"`)
		}
		b.WriteString(`>`)
		escapeText(b, escapeOOXML(x))
		b.WriteString(`</t></is></c>`)
	}
}

// cutCell shortens text to what a cell holds.
func cutCell(s string) string {
	if len(s) <= maxCellChars {
		return s // fewer bytes than the limit: fewer UTF-16 units too
	}
	n := 0
	for i, r := range s {
		n += utf16.RuneLen(r)
		if n > maxCellChars {
			return s[:i]
		}
	}
	return s
}

// escapeOOXML protects text that looks like an OOXML character escape (_x0041_), which
// spreadsheets would decode: the underscore that starts one is written as _x005F_.
func escapeOOXML(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '_' && isOOXMLEscape(s[i:]) {
			b.WriteString("_x005F_")
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOOXMLEscape(s string) bool {
	if len(s) < 7 || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range s[2:6] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// escapeText writes XML character data; line breaks stay as they are (in a cell they are
// part of the text), characters XML cannot carry become U+FFFD.
func escapeText(b *bytes.Buffer, s string) {
	var esc bytes.Buffer
	_ = xml.EscapeText(&esc, []byte(s))
	b.Write(bytes.ReplaceAll(esc.Bytes(), []byte("&#xA;"), []byte("\n")))
}

// attr escapes an attribute value.
func attr(s string) string {
	var esc strings.Builder
	_ = xml.EscapeText(&esc, []byte(s))
	return esc.String()
}

// colName is the column's letters: 1 is A, 27 is AA.
func colName(n int) string {
	var buf [4]byte
	i := len(buf)
	for n > 0 {
		n--
		i--
		buf[i] = byte('A' + n%26)
		n /= 26
	}
	return string(buf[i:])
}

func cellName(col, row int) string { return colName(col) + strconv.Itoa(row) }

// tablePart is an Excel table over a range, which gives every column a filter.
func tablePart(id int, ref string, header []string) []byte {
	var b bytes.Buffer
	name := "Table" + strconv.Itoa(id)
	b.WriteString(xmlDecl)
	fmt.Fprintf(&b, `<table xmlns="%s" id="%d" name="%s" displayName="%s" ref="%s"><autoFilter ref="%s"/><tableColumns count="%d">`,
		nsMain, id, name, name, ref, ref, len(header))
	for i, h := range header {
		fmt.Fprintf(&b, `<tableColumn id="%d" name="%s"/>`, i+1, attr(h))
	}
	b.WriteString(`</tableColumns><tableStyleInfo showFirstColumn="0" showLastColumn="0" showRowStripes="0" showColumnStripes="0"/></table>`)
	return b.Bytes()
}

// stylesPart is xl/styles.xml: the default format, then the workbook's in id order.
func (wb *workbook) stylesPart() []byte {
	var fills []string
	fillID := map[string]int{}
	for _, s := range wb.styles {
		if _, ok := fillID[s.fill]; s.fill != "" && !ok {
			fillID[s.fill] = len(fills) + 2 // after the two fills the format reserves
			fills = append(fills, s.fill)
		}
	}
	var b bytes.Buffer
	b.WriteString(xmlDecl)
	b.WriteString(`<styleSheet xmlns="` + nsMain + `">`)
	b.WriteString(`<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>` +
		`<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/><family val="2"/></font></fonts>`)
	fmt.Fprintf(&b, `<fills count="%d"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>`, len(fills)+2)
	for _, f := range fills {
		b.WriteString(`<fill><patternFill patternType="solid"><fgColor rgb="FF` + f + `"/><bgColor indexed="64"/></patternFill></fill>`)
	}
	b.WriteString(`</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>`)
	b.WriteString(`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>`)
	fmt.Fprintf(&b, `<cellXfs count="%d"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>`, len(wb.styles)+1)
	for _, s := range wb.styles {
		font, fill := 0, 0
		if s.bold {
			font = 1
		}
		if s.fill != "" {
			fill = fillID[s.fill]
		}
		fmt.Fprintf(&b, `<xf numFmtId="0" fontId="%d" fillId="%d" borderId="0" xfId="0"`, font, fill)
		if font != 0 {
			b.WriteString(` applyFont="1"`)
		}
		if fill != 0 {
			b.WriteString(` applyFill="1"`)
		}
		b.WriteString(` applyAlignment="1"><alignment`)
		if s.horizontal != "" {
			b.WriteString(` horizontal="` + s.horizontal + `"`)
		}
		if s.vertical != "" {
			b.WriteString(` vertical="` + s.vertical + `"`)
		}
		if s.wrap {
			b.WriteString(` wrapText="1"`)
		}
		b.WriteString(`/></xf>`)
	}
	b.WriteString(`</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
		`<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/></styleSheet>`)
	return b.Bytes()
}

// bytes writes the workbook as a zip: [Content_Types].xml first, then the parts in name
// order, one fixed time, so the same data always gives the same bytes.
func (wb *workbook) bytes() ([]byte, error) {
	if len(wb.sheets) == 0 {
		return nil, fmt.Errorf("workbook %q has no sheet", wb.title)
	}
	stamp := wb.at.UTC().Format(time.RFC3339)
	parts := map[string][]byte{}
	var types, sheets, rels strings.Builder
	types.WriteString(xmlDecl + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
		`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
		`<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>`)
	rels.WriteString(xmlDecl + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	table := 0
	for i, s := range wb.sheets {
		n := strconv.Itoa(i + 1)
		path := "xl/worksheets/sheet" + n + ".xml"
		parts[path] = s.xml
		types.WriteString(`<Override PartName="/` + path + `" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`)
		sheets.WriteString(`<sheet name="` + attr(s.name) + `" sheetId="` + n + `" r:id="rId` + n + `"/>`)
		rels.WriteString(`<Relationship Id="rId` + n + `" Type="` + nsRel + `/worksheet" Target="worksheets/sheet` + n + `.xml"/>`)
		if s.table != nil {
			table++
			tpath := "xl/tables/table" + strconv.Itoa(table) + ".xml"
			parts[tpath] = s.table
			types.WriteString(`<Override PartName="/` + tpath + `" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"/>`)
			parts["xl/worksheets/_rels/sheet"+n+".xml.rels"] = []byte(xmlDecl + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
				`<Relationship Id="rId1" Type="` + nsRel + `/table" Target="../tables/table` + strconv.Itoa(table) + `.xml"/></Relationships>`)
		}
	}
	types.WriteString(`</Types>`)
	rels.WriteString(`<Relationship Id="rId` + strconv.Itoa(len(wb.sheets)+1) + `" Type="` + nsRel + `/styles" Target="styles.xml"/></Relationships>`)
	parts["[Content_Types].xml"] = []byte(types.String())
	parts["_rels/.rels"] = []byte(xmlDecl + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="` + nsRel + `/officeDocument" Target="xl/workbook.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
		`<Relationship Id="rId3" Type="` + nsRel + `/extended-properties" Target="docProps/app.xml"/></Relationships>`)
	parts["docProps/core.xml"] = []byte(xmlDecl + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
		`xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<dc:title>` + attr(wb.title) + `</dc:title><dc:creator>annex</dc:creator><cp:lastModifiedBy>annex</cp:lastModifiedBy>` +
		`<dcterms:created xsi:type="dcterms:W3CDTF">` + stamp + `</dcterms:created>` +
		`<dcterms:modified xsi:type="dcterms:W3CDTF">` + stamp + `</dcterms:modified></cp:coreProperties>`)
	parts["docProps/app.xml"] = []byte(xmlDecl + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">` +
		`<Application>annex</Application></Properties>`)
	parts["xl/workbook.xml"] = []byte(xmlDecl + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">` +
		`<bookViews><workbookView activeTab="0"/></bookViews><sheets>` + sheets.String() + `</sheets></workbook>`)
	parts["xl/_rels/workbook.xml.rels"] = []byte(rels.String())
	parts["xl/styles.xml"] = wb.stylesPart()

	names := make([]string, 0, len(parts))
	for name := range parts {
		if name != "[Content_Types].xml" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	names = append([]string{"[Content_Types].xml"}, names...)
	var out bytes.Buffer
	zw := newZipWriter(&out)
	for _, name := range names {
		if err := writeEntry(zw, File{Path: name, Data: parts[name]}, wb.at); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// SoAXLSX is a standard's Statement of Applicability as a workbook.
func SoAXLSX(d *Data, title string, rows []SoARow) ([]byte, error) {
	return soaWorkbook(d, title, rows, nil)
}

// soaWorkbook is the SoA sheet and, when control has lines, a "Document control" sheet that
// says which version the file is and where it stands.
func soaWorkbook(d *Data, title string, rows []SoARow, control [][2]string) ([]byte, error) {
	wb, err := newWorkbook(title, d.At)
	if err != nil {
		return nil, err
	}
	t := table{Name: "Statement of Applicability", Header: soaHeader,
		Widths: []float64{9, 40, 24, 12, 34, 40, 24, 18, 12, 18, 30, 30}}
	for _, r := range rows {
		cells := r.cells()
		row := make([]any, len(cells))
		for i, c := range cells {
			row[i] = c
		}
		t.Rows = append(t.Rows, row)
	}
	t.Styles = func(i int) map[int]int { return map[int]int{6: wb.status[rows[i].Status]} }
	if err := wb.sheet(t); err != nil {
		return nil, err
	}
	if len(control) > 0 {
		c := table{Name: "Document control", Header: []string{"Item", "Value"}, Widths: []float64{30, 100}, NoFrame: true}
		for _, l := range control {
			c.Rows = append(c.Rows, []any{l[0], l[1]})
		}
		c.Styles = func(int) map[int]int { return map[int]int{1: wb.wrap} }
		if err := wb.sheet(c); err != nil {
			return nil, err
		}
	}
	return wb.bytes()
}
