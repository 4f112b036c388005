package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// A workspace's change history is one hash chain. History that arrives with an imported
// engagement belongs to another chain (the source workspace's): it is kept as it was, in
// changes_imported, one segment per source chain, and each segment is anchored by one row of
// this workspace's own chain (entity "history", field "imported", entity_id = the segment)
// whose value records the segment's source chain, row count, head hash and digest. An edit
// of an imported row breaks its own hash or the digest; an edit of the anchor breaks the
// workspace's chain.

// AnchorEntity and AnchorField name the anchor rows in the change history.
const (
	AnchorEntity = "history"
	AnchorField  = "imported"
)

// HistorySegment is a run of one foreign chain's rows, in their chain order.
type HistorySegment struct {
	Chain string // the source workspace's id
	Rows  []Change
}

// ImportedSegment is a segment kept in this workspace, with where and when it was anchored.
type ImportedSegment struct {
	ID        string
	AnchorSeq int64  // the anchor row in this workspace's chain
	AnchorAt  string // when it was imported
	Source    string // the file it came from
	Anchor    Anchor // as recorded in the anchor row (zero when it cannot be read)
	HistorySegment
}

// Anchor is the value of an anchor row.
type Anchor struct {
	Chain  string `json:"chain"`
	Rows   int    `json:"rows"`
	Head   string `json:"head"`
	Digest string `json:"digest"`
	Source string `json:"source,omitempty"`
}

// HashOf is the hash a change row must carry: SHA-256 over its previous hash and its fields
// (canonical JSON), as Record computes it.
func HashOf(c Change) string { return changeHash(c) }

// SegmentDigest covers the order and hashes of a segment's rows (each hash covers its row).
func SegmentDigest(rows []Change) string {
	h := sha256.New()
	for _, c := range rows {
		h.Write([]byte(strconv.FormatInt(c.Seq, 10) + ":" + c.Hash + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// CheckSegment checks a foreign segment on its own: every row's hash recomputes from its
// content, sequence numbers rise, and where two rows are neighbours in the source chain
// (consecutive numbers) the later one links to the earlier. Rows of the source's other
// engagements are not in the segment, so a gap in the numbers is not a break. It returns
// the number of such gaps.
func CheckSegment(seg HistorySegment) (gaps int, err error) {
	if strings.TrimSpace(seg.Chain) == "" {
		return 0, errors.New("a history segment names no chain")
	}
	for i, c := range seg.Rows {
		if HashOf(c) != c.Hash {
			return gaps, fmt.Errorf("row %d of chain %s no longer matches its hash (it was edited)", c.Seq, seg.Chain)
		}
		if i == 0 {
			continue
		}
		prev := seg.Rows[i-1]
		switch {
		case c.Seq <= prev.Seq:
			return gaps, fmt.Errorf("row %d of chain %s comes after row %d (rows out of order or repeated)", c.Seq, seg.Chain, prev.Seq)
		case c.Seq == prev.Seq+1 && c.PrevHash != prev.Hash:
			return gaps, fmt.Errorf("row %d of chain %s does not link to row %d before it", c.Seq, seg.Chain, prev.Seq)
		case c.Seq > prev.Seq+1:
			gaps++
		}
	}
	return gaps, nil
}

// HistoryChainID is this workspace's chain: its workspace id.
func (s *Store) HistoryChainID(ctx context.Context) (string, error) {
	var id string
	if err := s.h.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'workspace_id'").Scan(&id); err != nil {
		return "", fmt.Errorf("read the workspace id: %w", err)
	}
	return id, nil
}

// importHistory keeps the segments of an imported engagement and anchors each in this
// workspace's chain; call it on a handle bound to the import's transaction.
func (s *Store) importHistory(ctx context.Context, engagementID string, segments []HistorySegment, source string) error {
	for _, seg := range segments {
		if len(seg.Rows) == 0 {
			continue
		}
		if _, err := CheckSegment(seg); err != nil {
			return fmt.Errorf("the change history that came with it does not hold: %w", err)
		}
		id := NewID()
		for i, c := range seg.Rows {
			if _, err := s.h.ExecContext(ctx, `INSERT INTO changes_imported(segment, pos, target_engagement_id, chain, seq, at, author, engagement_id,
				entity, entity_id, field, old_value, new_value, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, i, engagementID, seg.Chain, c.Seq, c.At, c.Author, c.EngagementID, c.Entity, c.EntityID, c.Field, c.Old, c.New, c.PrevHash, c.Hash); err != nil {
				return fmt.Errorf("keep the imported history: %w", err)
			}
		}
		a := Anchor{Chain: seg.Chain, Rows: len(seg.Rows), Head: seg.Rows[len(seg.Rows)-1].Hash, Digest: SegmentDigest(seg.Rows), Source: source}
		b, _ := json.Marshal(a)
		if err := s.Record(ctx, engagementID, AnchorEntity, id, []FieldDiff{{Field: AnchorField, New: string(b)}}); err != nil {
			return err
		}
	}
	return nil
}

// ImportedHistory lists the segments kept for an engagement ("" for every engagement), in
// the order they were anchored.
func (s *Store) ImportedHistory(ctx context.Context, engagementID string) ([]ImportedSegment, error) {
	q := "SELECT seq, at, entity_id, new_value FROM changes WHERE entity = ? AND field = ?"
	args := []any{AnchorEntity, AnchorField}
	if engagementID != "" {
		q += " AND engagement_id = ?"
		args = append(args, engagementID)
	}
	rows, err := s.h.QueryContext(ctx, q+" ORDER BY seq", args...)
	if err != nil {
		return nil, fmt.Errorf("read the imported history: %w", err)
	}
	var out []ImportedSegment
	for rows.Next() {
		var seg ImportedSegment
		var value string
		if err := rows.Scan(&seg.AnchorSeq, &seg.AnchorAt, &seg.ID, &value); err != nil {
			rows.Close()
			return nil, err
		}
		if err := json.Unmarshal([]byte(value), &seg.Anchor); err == nil {
			seg.Chain, seg.Source = seg.Anchor.Chain, seg.Anchor.Source
		}
		out = append(out, seg)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Rows, err = s.segmentRows(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) segmentRows(ctx context.Context, segment string) ([]Change, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT seq, at, author, engagement_id, entity, entity_id, field, old_value, new_value, prev_hash, hash
		FROM changes_imported WHERE segment = ? ORDER BY pos`, segment)
	if err != nil {
		return nil, fmt.Errorf("read the imported history: %w", err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		if err := rows.Scan(&c.Seq, &c.At, &c.Author, &c.EngagementID, &c.Entity, &c.EntityID, &c.Field, &c.Old, &c.New, &c.PrevHash, &c.Hash); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SegmentProblem says which imported segment does not hold and why.
type SegmentProblem struct {
	Segment   string
	AnchorSeq int64
	Reason    string
}

// VerifyImportedHistory checks every imported segment against its anchor (row count, head,
// digest, each row's hash and links) and finds imported rows that no anchor covers. It
// returns the segments and rows checked and the first problem.
func (s *Store) VerifyImportedHistory(ctx context.Context) (segments, rows int, problem *SegmentProblem, err error) {
	list, err := s.ImportedHistory(ctx, "")
	if err != nil {
		return 0, 0, nil, err
	}
	anchored := map[string]bool{}
	for _, seg := range list {
		anchored[seg.ID] = true
		a := seg.Anchor
		bad := func(reason string) (int, int, *SegmentProblem, error) {
			return segments, rows, &SegmentProblem{Segment: seg.ID, AnchorSeq: seg.AnchorSeq, Reason: reason}, nil
		}
		switch {
		case a.Chain == "" || a.Head == "":
			return bad("its anchor row cannot be read")
		case len(seg.Rows) != a.Rows:
			return bad(fmt.Sprintf("it holds %d rows, its anchor says %d (rows were added or removed)", len(seg.Rows), a.Rows))
		case len(seg.Rows) == 0:
			return bad("it holds no rows")
		case seg.Rows[len(seg.Rows)-1].Hash != a.Head:
			return bad("its last row is not the head its anchor records")
		case SegmentDigest(seg.Rows) != a.Digest:
			return bad("its rows are not the ones its anchor records (rows were replaced or reordered)")
		}
		if _, err := CheckSegment(seg.HistorySegment); err != nil {
			return bad(err.Error())
		}
		segments++
		rows += len(seg.Rows)
	}
	r, err := s.h.QueryContext(ctx, "SELECT DISTINCT segment FROM changes_imported ORDER BY segment")
	if err != nil {
		return segments, rows, nil, err
	}
	defer r.Close()
	for r.Next() {
		var id string
		if err := r.Scan(&id); err != nil {
			return segments, rows, nil, err
		}
		if !anchored[id] {
			return segments, rows, &SegmentProblem{Segment: id, Reason: "imported rows that no anchor in the change history covers"}, nil
		}
	}
	return segments, rows, nil, r.Err()
}
