package auditpack

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// xlsxParts opens a workbook's zip: every part by name.
func xlsxParts(t *testing.T, b []byte) (map[string][]byte, []string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	var order []string
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(r)
		r.Close()
		parts[f.Name] = data
		order = append(order, f.Name)
	}
	return parts, order
}

// TestXLSXPackageIsConsistent checks what spreadsheet programs insist on and a reader
// library may forgive: well-formed XML in every part, a content type for every part, every
// relationship target present, counts that match their lists, ascending column widths, and
// table columns named exactly as the header cells.
func TestXLSXPackageIsConsistent(t *testing.T) {
	s, e := demoStore(t, "normal")
	p := build(t, s, e.ID)
	for _, f := range p.Files {
		if !strings.HasSuffix(f.Path, ".xlsx") {
			continue
		}
		t.Run(f.Path, func(t *testing.T) {
			parts, order := xlsxParts(t, f.Data)
			if order[0] != "[Content_Types].xml" {
				t.Errorf("first entry %s, want [Content_Types].xml", order[0])
			}
			for name, data := range parts {
				d := xml.NewDecoder(bytes.NewReader(data))
				for {
					if _, err := d.Token(); err == io.EOF {
						break
					} else if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
				}
			}
			types := string(parts["[Content_Types].xml"])
			for name := range parts {
				if !strings.HasSuffix(name, ".rels") && name != "[Content_Types].xml" && !strings.Contains(types, `PartName="/`+name+`"`) {
					t.Errorf("%s has no content type", name)
				}
			}
			for name, data := range parts {
				if !strings.HasSuffix(name, ".rels") {
					continue
				}
				base := path.Dir(path.Dir(name)) // the folder of the part the rels belong to
				for _, target := range attrValues(data, "Target") {
					if _, ok := parts[path.Clean(path.Join(base, target))]; !ok {
						t.Errorf("%s points to %s, which is missing", name, target)
					}
				}
			}
			styles := parts["xl/styles.xml"]
			for _, list := range []string{"fonts", "fills", "borders", "cellXfs"} {
				checkCount(t, styles, list)
			}
			x, err := excelize.OpenReader(bytes.NewReader(f.Data))
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			for i, sheet := range x.GetSheetList() {
				data := parts["xl/worksheets/sheet"+itoa(i+1)+".xml"]
				mins := attrValues(data, "min")
				for j := 1; j < len(mins); j++ {
					if atoi(mins[j]) <= atoi(mins[j-1]) {
						t.Errorf("%s: column widths not in ascending order", sheet)
					}
				}
				tables, err := x.GetTables(sheet)
				if err != nil {
					t.Fatal(err)
				}
				rows, _ := x.GetRows(sheet)
				for _, tb := range tables {
					tdata := parts["xl/tables/"+strings.ToLower(tb.Name)+".xml"]
					names := attrValues(tdata, "name")[1:] // the first is the table's own
					checkCount(t, tdata, "tableColumns")
					if strings.Join(names, "|") != strings.Join(rows[0], "|") {
						t.Errorf("%s: table columns %v, header %v", sheet, names, rows[0])
					}
				}
			}
		})
	}
}

func attrValues(data []byte, name string) []string {
	var out []string
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err != nil {
			return out
		}
		if se, ok := tok.(xml.StartElement); ok {
			for _, a := range se.Attr {
				if a.Name.Local == name {
					out = append(out, a.Value)
				}
			}
		}
	}
}

// checkCount: the count attribute of a list element equals its number of children.
func checkCount(t *testing.T, data []byte, list string) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	depth, in, count, want := 0, false, 0, ""
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch se := tok.(type) {
		case xml.StartElement:
			depth++
			if se.Name.Local == list {
				in, count = true, 0
				for _, a := range se.Attr {
					if a.Name.Local == "count" {
						want = a.Value
					}
				}
				depth = 1
			} else if in && depth == 2 {
				count++
			}
		case xml.EndElement:
			if in && se.Name.Local == list && depth == 1 {
				if itoa(count) != want {
					t.Errorf("%s count=%s but %d entries", list, want, count)
				}
				in = false
			}
			depth--
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// TestXLSXCellText: text comes back as written: line breaks, surrounding spaces, text that
// looks like an OOXML escape, characters XML cannot carry, and text longer than a cell.
func TestXLSXCellText(t *testing.T) {
	wb, _ := newWorkbook("Cells", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	long := strings.Repeat("é", maxCellChars+10)
	in := []string{"two\nlines", "  padded  ", "_x0041_ stays", "_x005F_x0041_", "tab\tinside", "bell\a", long, "<&>\"'", ""}
	tb := table{Name: "Cells", Header: []string{"Text", "Number"}}
	for i, s := range in {
		tb.Rows = append(tb.Rows, []any{s, i})
	}
	tb.Rows = append(tb.Rows, []any{nil, 2.5})
	if err := wb.sheet(tb); err != nil {
		t.Fatal(err)
	}
	b, err := wb.bytes()
	if err != nil {
		t.Fatal(err)
	}
	again, _ := wb.bytes()
	if !bytes.Equal(b, again) {
		t.Error("the same workbook gave different bytes")
	}
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, _ := x.GetRows("Cells")
	want := map[int]string{5: "bell\uFFFD", 6: long[:2*maxCellChars]}
	for i, s := range in {
		w, ok := want[i]
		if !ok {
			w = s
		}
		got := ""
		if len(rows[i+1]) > 0 {
			got = rows[i+1][0]
		}
		if got != w {
			t.Errorf("cell %d = %.40q, want %.40q", i, got, w)
		}
	}
	if v, _ := x.GetCellValue("Cells", "B11"); v != "2.5" {
		t.Errorf("B11 = %q, want 2.5", v)
	}
	if v, _ := x.GetCellValue("Cells", "A11"); v != "" {
		t.Errorf("A11 = %q, want empty", v)
	}
	if typ, _ := x.GetCellType("Cells", "B2"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("B2 type = %v, want a number", typ)
	}
}
