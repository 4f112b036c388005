package auditpack

import (
	"bytes"
	"encoding/csv"
	"io"
	"strconv"

	"github.com/annex-grc/annex/store"
)

// utf8BOM lets spreadsheet programs read the CSV files as UTF-8 (names with accents).
const utf8BOM = "\ufeff"

// writeCSV writes a header and rows as RFC 4180 CSV (CRLF), every cell neutralised
// against formula injection.
func writeCSV(header []string, rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	err := csvTo(&buf, header, rows)
	return buf.Bytes(), err
}

func csvTo(out io.Writer, header []string, rows [][]string) error {
	if _, err := io.WriteString(out, utf8BOM); err != nil {
		return err
	}
	w := csv.NewWriter(out)
	w.UseCRLF = true
	if err := w.Write(header); err != nil {
		return err
	}
	cells := make([]string, len(header))
	for _, row := range rows {
		for i := range cells {
			cells[i] = ""
			if i < len(row) {
				cells[i] = Cell(row[i])
			}
		}
		if err := w.Write(cells); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// SoACSV is a standard's Statement of Applicability as CSV.
func SoACSV(rows []SoARow) ([]byte, error) {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = r.cells()
	}
	return writeCSV(soaHeader, out)
}

var changeHeader = []string{"Seq", "At (UTC)", "Author", "Entity", "Entity id", "Field", "Old value", "New value", "Previous hash", "Hash", "Chain"}

// ChangeHistoryCSV is the engagement's change history with the hash chain columns so an
// auditor can recompute each row's hash: history imported with the engagement first (each
// row in the chain of the workspace it was made in), then this workspace's rows, oldest first.
func ChangeHistoryCSV(segments []store.HistorySegment) ([]byte, error) {
	var buf bytes.Buffer
	err := writeChangeHistoryCSV(&buf, segments)
	return buf.Bytes(), err
}

// writeChangeHistoryCSV writes the rows one by one (tens of thousands in a large workspace).
func writeChangeHistoryCSV(out io.Writer, segments []store.HistorySegment) error {
	if _, err := io.WriteString(out, utf8BOM); err != nil {
		return err
	}
	w := csv.NewWriter(out)
	w.UseCRLF = true
	if err := w.Write(changeHeader); err != nil {
		return err
	}
	row := make([]string, len(changeHeader))
	for _, seg := range segments {
		for _, c := range seg.Rows {
			for i, v := range [...]string{strconv.FormatInt(c.Seq, 10), c.At, c.Author, c.Entity, c.EntityID, c.Field, c.Old, c.New, c.PrevHash, c.Hash, seg.Chain} {
				row[i] = Cell(v)
			}
			if err := w.Write(row); err != nil {
				return err
			}
		}
	}
	w.Flush()
	return w.Error()
}
