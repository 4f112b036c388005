package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/annex-grc/annex/assessments"
)

var engagementFields = []string{"name", "organisation", "scope", "standards", "lead", "start_date", "end_date", "status"}

func engagementMap(e assessments.Engagement) map[string]string {
	return map[string]string{
		"name": e.Name, "organisation": e.Organisation, "scope": e.Scope,
		"standards": strings.Join(e.Standards, ","), "lead": e.Lead,
		"start_date": e.StartDate, "end_date": e.EndDate, "status": string(e.Status),
	}
}

// CreateEngagement stores a new engagement (its ID is assigned when empty) and returns it.
func (s *Store) CreateEngagement(ctx context.Context, e assessments.Engagement) (assessments.Engagement, error) {
	if e.ID == "" {
		e.ID = NewID()
	}
	if e.Status == "" {
		e.Status = assessments.EngagementActive
	}
	now := s.now().UTC()
	e.CreatedAt, e.UpdatedAt = now, now
	err := s.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO engagements(id, name, organisation, scope, lead, start_date, end_date, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.Name, e.Organisation, e.Scope, e.Lead, e.StartDate, e.EndDate, string(e.Status),
			now.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano)); err != nil {
			return fmt.Errorf("save engagement: %w", err)
		}
		if err := writeStandards(ctx, tx, e.ID, e.Standards); err != nil {
			return err
		}
		return s.Record(ctx, tx, e.ID, "engagement", e.ID, Diff(append([]string{"created"}, engagementFields...),
			map[string]string{}, withCreated(engagementMap(e))))
	})
	return e, err
}

func withCreated(m map[string]string) map[string]string {
	m["created"] = "yes"
	return m
}

func writeStandards(ctx context.Context, h Handler, id string, standards []string) error {
	if _, err := h.ExecContext(ctx, "DELETE FROM engagement_standards WHERE engagement_id = ?", id); err != nil {
		return err
	}
	for i, st := range standards {
		if _, err := h.ExecContext(ctx, "INSERT INTO engagement_standards(engagement_id, standard, position) VALUES (?, ?, ?)", id, st, i); err != nil {
			return fmt.Errorf("save standards in scope: %w", err)
		}
	}
	return nil
}

// UpdateEngagement saves the fields that differ between before (what the caller read) and
// after. A field changed elsewhere meanwhile is a *ConflictError and nothing is written.
func (s *Store) UpdateEngagement(ctx context.Context, before, after assessments.Engagement) (assessments.Engagement, error) {
	diffs := Diff(engagementFields, engagementMap(before), engagementMap(after))
	if len(diffs) == 0 {
		return before, nil
	}
	var saved assessments.Engagement
	err := s.WithTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.engagement(ctx, tx, before.ID)
		if err != nil {
			return err
		}
		if err := CheckFresh("engagement", diffs, engagementMap(cur)); err != nil {
			return err
		}
		now := s.now().UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE engagements SET name=?, organisation=?, scope=?, lead=?, start_date=?, end_date=?, status=?, updated_at=? WHERE id=?`,
			after.Name, after.Organisation, after.Scope, after.Lead, after.StartDate, after.EndDate, string(after.Status), now.Format(time.RFC3339Nano), before.ID); err != nil {
			return fmt.Errorf("save engagement: %w", err)
		}
		if err := writeStandards(ctx, tx, before.ID, after.Standards); err != nil {
			return err
		}
		if err := s.Record(ctx, tx, before.ID, "engagement", before.ID, diffs); err != nil {
			return err
		}
		saved, err = s.engagement(ctx, tx, before.ID)
		return err
	})
	return saved, err
}

// DeleteEngagement removes an engagement and everything in it; the history keeps a row.
func (s *Store) DeleteEngagement(ctx context.Context, id string) error {
	return s.WithTx(ctx, func(tx *sql.Tx) error {
		e, err := s.engagement(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM engagements WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete engagement: %w", err)
		}
		return s.Record(ctx, tx, id, "engagement", id, []FieldDiff{{Field: "deleted", Old: e.Name, New: "yes"}})
	})
}

// Engagement loads one engagement.
func (s *Store) Engagement(ctx context.Context, id string) (assessments.Engagement, error) {
	return s.engagement(ctx, s.db, id)
}

func (s *Store) engagement(ctx context.Context, h Handler, id string) (assessments.Engagement, error) {
	list, err := s.queryEngagements(ctx, h, "WHERE id = ?", id)
	if err != nil {
		return assessments.Engagement{}, err
	}
	if len(list) == 0 {
		return assessments.Engagement{}, fmt.Errorf("engagement %s: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// Engagements lists all engagements, most recently created first.
func (s *Store) Engagements(ctx context.Context) ([]assessments.Engagement, error) {
	return s.queryEngagements(ctx, s.db, "")
}

func (s *Store) queryEngagements(ctx context.Context, h Handler, where string, args ...any) ([]assessments.Engagement, error) {
	rows, err := h.QueryContext(ctx, `SELECT id, name, organisation, scope, lead, start_date, end_date, status, created_at, updated_at,
		coalesce((SELECT group_concat(standard, ',') FROM (SELECT standard FROM engagement_standards es WHERE es.engagement_id = e.id ORDER BY position)), '')
		FROM engagements e `+where+` ORDER BY created_at DESC, id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("read engagements: %w", err)
	}
	defer rows.Close()
	var out []assessments.Engagement
	for rows.Next() {
		var e assessments.Engagement
		var status, created, updated, standards string
		if err := rows.Scan(&e.ID, &e.Name, &e.Organisation, &e.Scope, &e.Lead, &e.StartDate, &e.EndDate, &status, &created, &updated, &standards); err != nil {
			return nil, err
		}
		e.Status = assessments.EngagementStatus(status)
		e.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		e.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
		if standards != "" {
			e.Standards = strings.Split(standards, ",")
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// FindEngagement resolves a name or id given on the command line. An empty query picks the
// only engagement of a workspace that has exactly one.
func (s *Store) FindEngagement(ctx context.Context, query string) (assessments.Engagement, error) {
	all, err := s.Engagements(ctx)
	if err != nil {
		return assessments.Engagement{}, err
	}
	if query == "" {
		switch len(all) {
		case 0:
			return assessments.Engagement{}, errors.New("the workspace has no engagement yet; create one in the workbench or run 'annex demo'")
		case 1:
			return all[0], nil
		default:
			return assessments.Engagement{}, fmt.Errorf("the workspace has %d engagements; name one with --engagement", len(all))
		}
	}
	var matches []assessments.Engagement
	for _, e := range all {
		if e.ID == query {
			return e, nil
		}
		if strings.EqualFold(e.Name, query) {
			matches = append(matches, e)
		}
	}
	switch len(matches) {
	case 0:
		return assessments.Engagement{}, fmt.Errorf("no engagement is named %q", query)
	case 1:
		return matches[0], nil
	}
	return assessments.Engagement{}, fmt.Errorf("%d engagements are named %q; use the id instead", len(matches), query)
}
