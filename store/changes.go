package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// Change is one row of the change history: one field of one entity, before and after.
type Change struct {
	Seq          int64
	At           string
	Author       string
	EngagementID string
	Entity       string
	EntityID     string
	Field        string
	Old, New     string
	PrevHash     string
	Hash         string
}

// genesisHash is the chain's starting point.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

func changeHash(c Change) string {
	// Canonical JSON of the fields keeps the hash input unambiguous.
	b, _ := json.Marshal([]string{c.PrevHash, c.At, c.Author, c.EngagementID, c.Entity, c.EntityID, c.Field, c.Old, c.New})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Record appends change rows to the history, chained to the last row. On a handle bound to
// a transaction (WithTx) the rows land in that transaction, with the edit they describe;
// otherwise Record takes its own, so two processes never fork the chain.
func (s *Store) Record(ctx context.Context, engagementID, entity, entityID string, diffs []FieldDiff) error {
	if len(diffs) == 0 {
		return nil
	}
	return s.WithTx(ctx, func(tx *Store) error {
		var prev string
		err := tx.h.QueryRowContext(ctx, "SELECT hash FROM changes ORDER BY seq DESC LIMIT 1").Scan(&prev)
		if errors.Is(err, sql.ErrNoRows) {
			prev = genesisHash
		} else if err != nil {
			return fmt.Errorf("read change history: %w", err)
		}
		at := tx.stamp()
		for _, d := range diffs {
			c := Change{At: at, Author: tx.author, EngagementID: engagementID, Entity: entity, EntityID: entityID,
				Field: d.Field, Old: d.Old, New: d.New, PrevHash: prev}
			c.Hash = changeHash(c)
			if _, err := tx.h.ExecContext(ctx, `INSERT INTO changes(at, author, engagement_id, entity, entity_id, field, old_value, new_value, prev_hash, hash)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.At, c.Author, c.EngagementID, c.Entity, c.EntityID, c.Field, c.Old, c.New, c.PrevHash, c.Hash); err != nil {
				return fmt.Errorf("write change history: %w", err)
			}
			prev = c.Hash
		}
		return nil
	})
}

// ChangeFilter narrows the history; zero values mean "all".
type ChangeFilter struct {
	EngagementID string
	Entity       string
	EntityID     string
	Limit        int
}

// Changes lists history rows oldest first.
func (s *Store) Changes(ctx context.Context, f ChangeFilter) ([]Change, error) {
	q := `SELECT seq, at, author, engagement_id, entity, entity_id, field, old_value, new_value, prev_hash, hash FROM changes WHERE 1=1`
	var args []any
	if f.EngagementID != "" {
		q += " AND engagement_id = ?"
		args = append(args, f.EngagementID)
	}
	if f.Entity != "" {
		q += " AND entity = ?"
		args = append(args, f.Entity)
	}
	if f.EntityID != "" {
		q += " AND entity_id = ?"
		args = append(args, f.EntityID)
	}
	if f.Limit > 0 {
		// The newest Limit rows, still returned oldest first.
		q = "SELECT * FROM (" + q + " ORDER BY seq DESC LIMIT ?) ORDER BY seq"
		args = append(args, f.Limit)
	} else {
		q += " ORDER BY seq"
	}
	rows, err := s.h.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read change history: %w", err)
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

// ChainProblem describes the first row where the hash chain does not hold.
type ChainProblem struct {
	Seq    int64
	Reason string
}

// VerifyChain recomputes every hash in order. It returns the number of rows checked and the
// first problem found, if any.
func (s *Store) VerifyChain(ctx context.Context) (int, *ChainProblem, error) {
	all, err := s.Changes(ctx, ChangeFilter{})
	if err != nil {
		return 0, nil, err
	}
	prev := genesisHash
	for i, c := range all {
		if c.PrevHash != prev {
			return i, &ChainProblem{Seq: c.Seq, Reason: "its link to the previous row is broken (a row before it was changed or removed)"}, nil
		}
		if changeHash(c) != c.Hash {
			return i, &ChainProblem{Seq: c.Seq, Reason: "its content no longer matches its hash (the row was edited)"}, nil
		}
		prev = c.Hash
	}
	return len(all), nil, nil
}

// LastChangeAt is the time of the newest change row ("" for an untouched workspace).
// Exports use it instead of the wall clock, so the same workspace gives the same pack.
func (s *Store) LastChangeAt(ctx context.Context, engagementID string) (string, error) {
	var at sql.NullString
	q, args := "SELECT max(at) FROM changes", []any{}
	if engagementID != "" {
		q += " WHERE engagement_id = ?"
		args = append(args, engagementID)
	}
	if err := s.h.QueryRowContext(ctx, q, args...).Scan(&at); err != nil {
		return "", err
	}
	return at.String, nil
}

// FieldDiff is one changed field: what the caller saw (Old) and what it wants (New).
type FieldDiff struct {
	Field    string
	Old, New string
}

// Diff lists the fields whose values differ, in the order of fields.
func Diff(fields []string, before, after map[string]string) []FieldDiff {
	var out []FieldDiff
	for _, f := range fields {
		if before[f] != after[f] {
			out = append(out, FieldDiff{Field: f, Old: before[f], New: after[f]})
		}
	}
	return out
}
