package auditpack

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/annex-grc/annex/assessments"
)

// workbook wraps excelize with annex's conventions: fixed document properties (the pack's
// time, never the clock), a bold frozen header with filters on every sheet, status colours,
// and every text cell neutralised against formula injection.
type workbook struct {
	f      *excelize.File
	at     time.Time
	header int
	wrap   int
	status map[assessments.Status]int
	level  [5]int
	first  bool
	tables int
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
	f := excelize.NewFile()
	stamp := at.UTC().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{Creator: "annex", LastModifiedBy: "annex", Title: title,
		Created: stamp, Modified: stamp}); err != nil {
		return nil, err
	}
	wb := &workbook{f: f, at: at, status: map[assessments.Status]int{}, first: true}
	var err error
	if wb.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F3A5F"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}); err != nil {
		return nil, err
	}
	if wb.wrap, err = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}); err != nil {
		return nil, err
	}
	for _, st := range assessments.Statuses {
		if wb.status[st], err = f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{statusFill[st]}},
			Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}); err != nil {
			return nil, err
		}
	}
	for i, c := range levelFill {
		if wb.level[i], err = f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}},
			Alignment: &excelize.Alignment{Vertical: "top", Horizontal: "center"}}); err != nil {
			return nil, err
		}
	}
	return wb, nil
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

// sheet writes a table as a sheet through excelize's stream writer (fast for thousands of
// rows): widths, a frozen header row, text as string cells, and, unless NoFrame, an Excel
// table over the data so each column has a filter. The first sheet reuses "Sheet1".
func (wb *workbook) sheet(t table) error {
	f := wb.f
	if wb.first {
		if err := f.SetSheetName("Sheet1", t.Name); err != nil {
			return err
		}
		wb.first = false
	} else if _, err := f.NewSheet(t.Name); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(t.Name)
	if err != nil {
		return err
	}
	for i, w := range t.Widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if !t.NoFrame {
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
			Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
			return err
		}
	}
	header := make([]any, len(t.Header))
	for i, h := range t.Header {
		header[i] = excelize.Cell{StyleID: wb.header, Value: h}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	cells := make([]any, len(t.Header))
	for r, row := range t.Rows {
		var styles map[int]int
		if t.Styles != nil {
			styles = t.Styles(r)
		}
		for c := range cells {
			style := wb.wrap
			if s, ok := styles[c]; ok {
				style = s
			}
			var v any
			if c < len(row) {
				switch x := row[c].(type) {
				case string:
					v = x // a string cell: excelize never writes it as a formula
				case int, float64, nil:
					v = x
				default:
					return fmt.Errorf("row %d column %d: unsupported value %T", r+1, c+1, x)
				}
			}
			cells[c] = excelize.Cell{StyleID: style, Value: v}
		}
		start, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(start, cells); err != nil {
			return err
		}
	}
	if !t.NoFrame && len(t.Rows) > 0 {
		end, _ := excelize.CoordinatesToCellName(len(t.Header), len(t.Rows)+1)
		wb.tables++
		noStripes := false
		if err := sw.AddTable(&excelize.Table{Range: "A1:" + end, Name: fmt.Sprintf("Table%d", wb.tables), ShowRowStripes: &noStripes}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// bytes writes the workbook and repacks its zip deterministically: entries sorted (content
// types first), one fixed time, so the same data always gives the same bytes.
func (wb *workbook) bytes() ([]byte, error) {
	var raw bytes.Buffer
	if err := wb.f.Write(&raw); err != nil {
		return nil, err
	}
	_ = wb.f.Close()
	return repackZip(raw.Bytes(), wb.at)
}

// repackZip rewrites a zip (an XLSX) with sorted entries and a fixed time.
func repackZip(b []byte, at time.Time) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	files := append([]*zip.File(nil), zr.File...)
	rank := func(n string) int {
		if n == "[Content_Types].xml" {
			return 0
		}
		return 1
	}
	sort.Slice(files, func(i, j int) bool {
		if ri, rj := rank(files[i].Name), rank(files[j].Name); ri != rj {
			return ri < rj
		}
		return files[i].Name < files[j].Name
	})
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range files {
		// Copy the compressed bytes as they are (excelize compresses deterministically);
		// only the order and the time change.
		raw, err := f.OpenRaw()
		if err != nil {
			return nil, err
		}
		h := &zip.FileHeader{Name: f.Name, Method: f.Method, CRC32: f.CRC32, CompressedSize64: f.CompressedSize64,
			UncompressedSize64: f.UncompressedSize64, Modified: at}
		fw, err := zw.CreateRaw(h)
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(fw, raw); err != nil {
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
	wb, err := newWorkbook(title, d.At)
	if err != nil {
		return nil, err
	}
	t := table{Name: "Statement of Applicability", Header: soaHeader,
		Widths: []float64{9, 40, 24, 12, 34, 40, 24, 18, 12, 18, 30}}
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
	return wb.bytes()
}
