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
		if err := tx.h.QueryRowContext(ctx, tx.dialect().chainHead).Scan(&prev); err != nil {
			return fmt.Errorf("read change history: %w", tx.dbError(err))
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
		q = "SELECT * FROM (" + q + " ORDER BY seq DESC LIMIT ?) AS newest ORDER BY seq"
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
	all, err := s.chainRows(ctx)
	if err != nil {
		return 0, nil, err
	}
	prev := genesisHash
	for i, c := range all {
		if c.PrevHash != prev {
			return i, &ChainProblem{Seq: c.Seq, Reason: "its link to the previous row is broken (a row before it was changed or removed)"}, nil
		}
		if c.Entity != hiddenRow && changeHash(c) != c.Hash {
			return i, &ChainProblem{Seq: c.Seq, Reason: "its content no longer matches its hash (the row was edited)"}, nil
		}
		prev = c.Hash
	}
	// Rows cut from the end leave a sound chain; the counter of the history's row numbers
	// (SQLite's AUTOINCREMENT, PostgreSQL's chain_counter) still remembers the last one
	// handed out.
	var counter int64
	err = s.h.QueryRowContext(ctx, s.dialect().chainCounter).Scan(&counter)
	if err != nil {
		return len(all), nil, fmt.Errorf("read the history's row counter: %w", err)
	}
	var last int64
	if len(all) > 0 {
		last = all[len(all)-1].Seq
	}
	if counter > last {
		return len(all), &ChainProblem{Seq: last + 1, Reason: fmt.Sprintf("the history's last rows are missing: rows up to %d were written, it ends at row %d (rows were cut from its end)", counter, last)}, nil
	}
	return len(all), nil, nil
}

// hiddenRow marks a history row the caller may not read (a team workspace's row of an
// engagement without a grant): only its link is checked.
const hiddenRow = "\x00hidden"

// chainRows is the whole history in order. On PostgreSQL a role without grants on every
// engagement reads the rows it may, and the links (seq, previous hash, hash) of the others
// from the server (annex_chain_links), so the chain is still checked end to end.
func (s *Store) chainRows(ctx context.Context) ([]Change, error) {
	all, err := s.Changes(ctx, ChangeFilter{})
	if err != nil || !s.pg || s.info.Admin {
		return all, err
	}
	rows, err := s.h.QueryContext(ctx, "SELECT seq, prev_hash, hash FROM annex_chain_links()")
	if err != nil {
		return nil, fmt.Errorf("read change history: %w", err)
	}
	defer rows.Close()
	visible := make(map[int64]Change, len(all))
	for _, c := range all {
		visible[c.Seq] = c
	}
	var out []Change
	for rows.Next() {
		var c Change
		if err := rows.Scan(&c.Seq, &c.PrevHash, &c.Hash); err != nil {
			return nil, err
		}
		if v, ok := visible[c.Seq]; ok && v.Hash == c.Hash && v.PrevHash == c.PrevHash {
			c = v
		} else if !ok {
			c.Entity = hiddenRow
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ChainHead is the end of the change history: how many rows it has and the hash of the
// last one. A checkpoint or an audit pack keeps it, so that rows cut or rewritten later
// show (VerifyChainSince).
type ChainHead struct {
	WorkspaceID string `json:"workspace_id"`
	Length      int    `json:"length"`
	Head        string `json:"head"`
}

// ChainHead reads the end of the change history.
func (s *Store) ChainHead(ctx context.Context) (ChainHead, error) {
	id, err := s.WorkspaceID(ctx)
	if err != nil {
		return ChainHead{}, err
	}
	h := ChainHead{WorkspaceID: id, Head: genesisHash}
	err = s.h.QueryRowContext(ctx, "SELECT count(*), coalesce((SELECT hash FROM changes ORDER BY seq DESC LIMIT 1), ?) FROM changes", genesisHash).Scan(&h.Length, &h.Head)
	if err == nil && s.pg && !s.info.Admin {
		err = s.h.QueryRowContext(ctx, "SELECT count(*), annex_chain_head() FROM annex_chain_links()").Scan(&h.Length, &h.Head)
	}
	if err != nil {
		return ChainHead{}, fmt.Errorf("read change history: %w", err)
	}
	return h, nil
}

// PackChainHead is the end of the change history as an audit pack records it: the last row
// that is not itself the record of a pack written (PackEntity), with its position. Recording
// a pack appends to the history; were that row the pack's head, exporting an unchanged
// workspace twice would give different bytes. The rows after it only say that packs were
// written, so VerifyChainSince of this head proves all the history the pack reflects.
func (s *Store) PackChainHead(ctx context.Context) (ChainHead, error) {
	id, err := s.WorkspaceID(ctx)
	if err != nil {
		return ChainHead{}, err
	}
	h := ChainHead{WorkspaceID: id, Head: genesisHash}
	// On PostgreSQL the server reads the whole history, so a team member who may read only
	// some engagements records the same head as the owner.
	err = s.h.QueryRowContext(ctx, s.dialect().packChainHead).Scan(&h.Length, &h.Head)
	if errors.Is(err, sql.ErrNoRows) {
		return h, nil
	}
	if err != nil {
		return ChainHead{}, fmt.Errorf("read change history: %w", err)
	}
	return h, nil
}

// VerifyChainSince checks the whole chain (VerifyChain) and that it still holds the head
// recorded earlier at the same length: nothing of what the history held then was cut or
// rewritten. A head of another workspace is refused.
func (s *Store) VerifyChainSince(ctx context.Context, then ChainHead) (int, *ChainProblem, error) {
	n, problem, err := s.VerifyChain(ctx)
	if err != nil || problem != nil {
		return n, problem, err
	}
	id, err := s.WorkspaceID(ctx)
	if err != nil {
		return n, nil, err
	}
	if then.WorkspaceID != "" && then.WorkspaceID != id {
		return n, nil, fmt.Errorf("the checkpoint is of workspace %s, not of this one (%s)", then.WorkspaceID, id)
	}
	if then.Length < 0 || len(then.Head) != len(genesisHash) {
		return n, nil, errors.New("the checkpoint has no usable chain head (length and 64-character hash)")
	}
	if then.Length > n {
		return n, &ChainProblem{Seq: int64(n + 1), Reason: fmt.Sprintf("the history has %d rows, fewer than the %d it had at the checkpoint: rows were cut from its end", n, then.Length)}, nil
	}
	if then.Length == 0 {
		if then.Head != genesisHash {
			return n, nil, errors.New("the checkpoint's head does not fit an empty history")
		}
		return n, nil, nil
	}
	var seq int64
	var hash string
	q := "SELECT seq, hash FROM changes ORDER BY seq LIMIT 1 OFFSET ?"
	if s.pg && !s.info.Admin {
		q = "SELECT seq, hash FROM annex_chain_links() ORDER BY seq LIMIT 1 OFFSET ?"
	}
	if err := s.h.QueryRowContext(ctx, q, then.Length-1).Scan(&seq, &hash); err != nil {
		return n, nil, fmt.Errorf("read change history: %w", err)
	}
	if hash != then.Head {
		return n, &ChainProblem{Seq: seq, Reason: fmt.Sprintf("row %d of the history is not the one the checkpoint recorded at length %d: the history was rewritten since", seq, then.Length)}, nil
	}
	return n, nil, nil
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
