package auditpack

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/annex-grc/annex/store"
)

// HistoryName is the machine-readable change history of a pack: one JSON object per line,
// every field of every row, so `annex import` keeps the history with its original authors,
// times and hashes. change-history.csv is the same rows for people.
const HistoryName = "history.jsonl"

// HistoryRow is one line of history.jsonl.
type HistoryRow struct {
	Chain        string `json:"chain"` // id of the workspace whose chain the row belongs to
	Seq          int64  `json:"seq"`
	At           string `json:"at"`
	Author       string `json:"author"`
	EngagementID string `json:"engagement_id"`
	Entity       string `json:"entity"`
	EntityID     string `json:"entity_id"`
	Field        string `json:"field"`
	Old          string `json:"old"`
	New          string `json:"new"`
	PrevHash     string `json:"prev_hash"`
	Hash         string `json:"hash"`
}

func (r HistoryRow) change() store.Change {
	return store.Change{Seq: r.Seq, At: r.At, Author: r.Author, EngagementID: r.EngagementID, Entity: r.Entity, EntityID: r.EntityID,
		Field: r.Field, Old: r.Old, New: r.New, PrevHash: r.PrevHash, Hash: r.Hash}
}

func historyRow(chain string, c store.Change) HistoryRow {
	return HistoryRow{Chain: chain, Seq: c.Seq, At: c.At, Author: c.Author, EngagementID: c.EngagementID, Entity: c.Entity, EntityID: c.EntityID,
		Field: c.Field, Old: c.Old, New: c.New, PrevHash: c.PrevHash, Hash: c.Hash}
}

// ManifestHistory describes history.jsonl in the manifest.
type ManifestHistory struct {
	File string `json:"file"`
	Rows int    `json:"rows"`
	// Chain is the exporting workspace's chain; its rows come last.
	Chain    string           `json:"chain"`
	Segments []HistorySegment `json:"segments"`
}

// HistorySegment is one chain's run of rows in history.jsonl.
type HistorySegment struct {
	Chain string `json:"chain"`
	Rows  int    `json:"rows"`
	Head  string `json:"head"` // hash of its last row
}

// historySegments are the engagement's history as segments: those imported earlier (in the
// order they were anchored, each with its original chain), then the workspace's own rows.
func historySegments(d *Data) []store.HistorySegment {
	var out []store.HistorySegment
	for _, seg := range d.Imported {
		out = append(out, seg.HistorySegment)
	}
	if len(d.Changes) > 0 {
		out = append(out, store.HistorySegment{Chain: d.ChainID, Rows: d.Changes})
	}
	return out
}

func historySummary(d *Data) *ManifestHistory {
	h := &ManifestHistory{File: HistoryName, Chain: d.ChainID, Segments: []HistorySegment{}}
	for _, seg := range historySegments(d) {
		h.Rows += len(seg.Rows)
		h.Segments = append(h.Segments, HistorySegment{Chain: seg.Chain, Rows: len(seg.Rows), Head: seg.Rows[len(seg.Rows)-1].Hash})
	}
	return h
}

// HistoryJSONL is history.jsonl.
func HistoryJSONL(d *Data) ([]byte, error) {
	var buf bytes.Buffer
	err := writeHistoryJSONL(d, &buf)
	return buf.Bytes(), err
}

func writeHistoryJSONL(d *Data, w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, seg := range historySegments(d) {
		for _, c := range seg.Rows {
			if err := enc.Encode(historyRow(seg.Chain, c)); err != nil {
				return err
			}
		}
	}
	return nil
}

// ParseHistory reads history.jsonl into its segments (a chain's rows are one run) and
// checks each on its own: hashes, order and links (store.CheckSegment).
func ParseHistory(b []byte) ([]store.HistorySegment, error) {
	var out []store.HistorySegment
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), MaxJSONSize)
	line := 0
	for sc.Scan() {
		line++
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		var r HistoryRow
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("line %d is not a history row: %s", line, jsonProblem(sc.Bytes(), err))
		}
		if r.Chain == "" {
			return nil, fmt.Errorf("line %d names no chain", line)
		}
		if n := len(out); n == 0 || out[n-1].Chain != r.Chain {
			if seen[r.Chain] {
				return nil, fmt.Errorf("line %d: the rows of chain %s are not together", line, r.Chain)
			}
			seen[r.Chain] = true
			out = append(out, store.HistorySegment{Chain: r.Chain})
		}
		out[len(out)-1].Rows = append(out[len(out)-1].Rows, r.change())
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, seg := range out {
		if _, err := store.CheckSegment(seg); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// checkHistory compares history.jsonl with the manifest's history object and the manifest's
// time of last change (the newest row of the exporting workspace's own chain).
func checkHistory(m Manifest, segs []store.HistorySegment) error {
	h := m.History
	if len(segs) != len(h.Segments) {
		return fmt.Errorf("it holds %d chains, the manifest says %d", len(segs), len(h.Segments))
	}
	rows := 0
	newest := ""
	for i, seg := range segs {
		want := h.Segments[i]
		rows += len(seg.Rows)
		switch {
		case seg.Chain != want.Chain:
			return fmt.Errorf("chain %d is %s, the manifest says %s", i+1, seg.Chain, want.Chain)
		case len(seg.Rows) != want.Rows:
			return fmt.Errorf("chain %s has %d rows, the manifest says %d", seg.Chain, len(seg.Rows), want.Rows)
		case seg.Rows[len(seg.Rows)-1].Hash != want.Head:
			return fmt.Errorf("chain %s ends in another row than the manifest's head", seg.Chain)
		}
		if seg.Chain == h.Chain {
			for _, c := range seg.Rows {
				newest = max(newest, c.At)
			}
		}
	}
	if rows != h.Rows {
		return fmt.Errorf("it has %d rows, the manifest says %d", rows, h.Rows)
	}
	if at := packTime(newest).Format(time.RFC3339); at != m.LastChangeAt {
		return fmt.Errorf("its newest row is of %s, the manifest's last change is %s", at, m.LastChangeAt)
	}
	return nil
}
