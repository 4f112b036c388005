package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// PackRecord is an audit pack written from the workspace.
type PackRecord struct {
	ID           string
	EngagementID string
	// AsOf is the time of the engagement's last change the pack shows (its manifest's
	// last_change_at), RFC 3339.
	AsOf      string
	WrittenAt string
	WrittenBy string
	Path      string
	SHA256    string // of the file written (the .age file when encrypted)
	// Snapshot is what the pack said, as JSON (auditpack.Snapshot): the next pack's report
	// compares with it.
	Snapshot []byte
}

// PackEntity is how the change history names a written pack.
const PackEntity = "audit_pack"

// RecordPack keeps a written pack in the workspace. Its history row belongs to the
// workspace, not to the engagement: exporting does not change the engagement, so the next
// export of an unchanged engagement gives the same bytes.
func (s *Store) RecordPack(ctx context.Context, p PackRecord) (PackRecord, error) {
	if p.ID == "" {
		p.ID = NewID()
	}
	p.WrittenAt, p.WrittenBy = s.stamp(), s.author
	err := s.WithTx(ctx, func(tx *Store) error {
		if _, err := tx.h.ExecContext(ctx, `INSERT INTO pack_records(id, engagement_id, as_of, written_at, written_by, path, sha256, snapshot)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, p.EngagementID, p.AsOf, p.WrittenAt, p.WrittenBy, p.Path, p.SHA256, string(p.Snapshot)); err != nil {
			return fmt.Errorf("record the pack: %w", err)
		}
		return tx.Record(ctx, "", PackEntity, p.ID, []FieldDiff{{Field: "written", New: p.Path}, {Field: "engagement_id", New: p.EngagementID},
			{Field: "as_of", New: p.AsOf}, {Field: "sha256", New: p.SHA256}})
	})
	return p, err
}

// LastPackBefore is the latest pack of the engagement showing a state older than asOf
// (an RFC 3339 time; "" for any): what a new pack of the state at asOf compares with. A pack
// of the same state is not "the last pack": exporting twice gives the same bytes.
func (s *Store) LastPackBefore(ctx context.Context, engagementID, asOf string) (PackRecord, bool, error) {
	q := `SELECT id, engagement_id, as_of, written_at, written_by, path, sha256, snapshot FROM pack_records WHERE engagement_id = ?`
	args := []any{engagementID}
	if asOf != "" {
		q += " AND as_of < ?"
		args = append(args, asOf)
	}
	q += " ORDER BY as_of DESC, written_at DESC LIMIT 1"
	var p PackRecord
	var snap string
	err := s.h.QueryRowContext(ctx, q, args...).Scan(&p.ID, &p.EngagementID, &p.AsOf, &p.WrittenAt, &p.WrittenBy, &p.Path, &p.SHA256, &snap)
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("read the packs written: %w", err)
	}
	p.Snapshot = []byte(snap)
	return p, true, nil
}

// PackCount counts the packs written of the engagement showing a state older than asOf.
func (s *Store) PackCount(ctx context.Context, engagementID, asOf string) (int, error) {
	var n int
	err := s.h.QueryRowContext(ctx, "SELECT count(DISTINCT as_of) FROM pack_records WHERE engagement_id = ? AND as_of < ?", engagementID, asOf).Scan(&n)
	return n, err
}
