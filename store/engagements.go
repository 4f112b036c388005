package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
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
// An engagement that breaks a rule (assessments.Engagement.Validate) is refused with a
// *assessments.ValidationError and nothing is written.
func (s *Store) CreateEngagement(ctx context.Context, e assessments.Engagement) (assessments.Engagement, error) {
	if e.ID == "" {
		e.ID = NewID()
	}
	if e.Status == "" {
		e.Status = assessments.EngagementActive
	}
	now := s.now().UTC()
	e.CreatedAt, e.UpdatedAt = now, now
	err := s.WithTx(ctx, func(tx *Store) error {
		known, err := tx.knownStandards(ctx, nil)
		if err != nil {
			return err
		}
		if err := e.Validate(known); err != nil {
			return err
		}
		if _, err := tx.h.ExecContext(ctx, `INSERT INTO engagements(id, name, organisation, scope, lead, start_date, end_date, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.Name, e.Organisation, e.Scope, e.Lead, e.StartDate, e.EndDate, string(e.Status),
			now.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano)); err != nil {
			return fmt.Errorf("save engagement: %w", err)
		}
		if err := writeStandards(ctx, tx.h, e.ID, e.Standards); err != nil {
			return err
		}
		return tx.Record(ctx, e.ID, "engagement", e.ID, Diff(append([]string{"created"}, engagementFields...),
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

// knownStandards says which standards an engagement may name: the built-in catalogs, the
// custom catalogs imported into the workspace, and those it names already (kept), so a
// catalog removed since does not block editing other fields.
func (s *Store) knownStandards(ctx context.Context, kept []string) (func(string) bool, error) {
	ids := map[string]bool{}
	for _, id := range kept {
		ids[id] = true
	}
	rows, err := s.h.QueryContext(ctx, "SELECT id FROM custom_catalogs")
	if err != nil {
		return nil, fmt.Errorf("read custom catalogs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	builtin, err := catalogs.Builtin()
	if err != nil {
		return nil, err
	}
	return func(id string) bool {
		if _, ok := builtin.Get(id); ok {
			return true
		}
		return ids[id]
	}, nil
}

func engagementFromMap(stored assessments.Engagement, m map[string]string) (assessments.Engagement, error) {
	e := stored
	e.Name, e.Organisation, e.Scope, e.Lead = m["name"], m["organisation"], m["scope"], m["lead"]
	e.StartDate, e.EndDate, e.Status = m["start_date"], m["end_date"], assessments.EngagementStatus(m["status"])
	e.Standards = splitTokens(m["standards"])
	return e, nil
}

// engagementEntity is how update saves an engagement, its standards in scope included.
var engagementEntity = entity[assessments.Engagement]{
	name:    "engagement",
	fields:  engagementFields,
	toMap:   engagementMap,
	fromMap: engagementFromMap,
	load: func(ctx context.Context, tx *Store, key assessments.Engagement) (assessments.Engagement, error) {
		return tx.Engagement(ctx, key.ID)
	},
	validate: func(ctx context.Context, tx *Store, stored, next assessments.Engagement) error {
		known, err := tx.knownStandards(ctx, stored.Standards)
		if err != nil {
			return err
		}
		return next.Validate(known)
	},
	write: func(ctx context.Context, tx *Store, _, next assessments.Engagement, changed []FieldDiff) error {
		if _, err := tx.h.ExecContext(ctx, `UPDATE engagements SET name=?, organisation=?, scope=?, lead=?, start_date=?, end_date=?, status=?, updated_at=? WHERE id=?`,
			next.Name, next.Organisation, next.Scope, next.Lead, next.StartDate, next.EndDate, string(next.Status), tx.stamp(), next.ID); err != nil {
			return fmt.Errorf("save engagement: %w", err)
		}
		for _, d := range changed {
			if d.Field == "standards" {
				return writeStandards(ctx, tx.h, next.ID, next.Standards)
			}
		}
		return nil
	},
	ids:    func(e assessments.Engagement) (string, string) { return e.ID, e.ID },
	label:  func(e assessments.Engagement) string { return "engagement " + strconv.Quote(cutLabel(e.Name, 24)) },
	labels: map[string]string{"standards": "standards in scope"},
	words: func(field, v string) string {
		switch field {
		case "status":
			return underscores(v)
		case "standards":
			return listWords(v, standardShort)
		}
		return v
	},
}

// standardShort is a catalog's short name ("ISO 42001"), or its id when it is not built in.
func standardShort(id string) string {
	if set, err := catalogs.Builtin(); err == nil {
		if c, ok := set.Get(id); ok {
			return c.Short
		}
	}
	return id
}

// UpdateEngagement saves the fields that differ between before (what the caller read) and
// after onto the stored engagement (the single update path, update.go): a field changed
// elsewhere meanwhile is a *ConflictError, an engagement that breaks a rule a
// *assessments.ValidationError; either way nothing is written.
func (s *Store) UpdateEngagement(ctx context.Context, before, after assessments.Engagement) (assessments.Engagement, error) {
	if before.ID == "" || before.ID != after.ID {
		return before, errors.New("save engagement: before and after name different engagements")
	}
	return update(ctx, s, engagementEntity, before, after)
}

// DeleteEngagement removes an engagement and everything in it; the history keeps a row.
func (s *Store) DeleteEngagement(ctx context.Context, id string) error {
	return s.WithTx(ctx, func(tx *Store) error {
		e, err := tx.Engagement(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.h.ExecContext(ctx, "DELETE FROM engagements WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete engagement: %w", err)
		}
		return tx.Record(ctx, id, "engagement", id, []FieldDiff{{Field: "deleted", Old: e.Name, New: "yes"}})
	})
}

// Engagement loads one engagement.
func (s *Store) Engagement(ctx context.Context, id string) (assessments.Engagement, error) {
	list, err := s.queryEngagements(ctx, "WHERE id = ?", id)
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
	return s.queryEngagements(ctx, "")
}

func (s *Store) queryEngagements(ctx context.Context, where string, args ...any) ([]assessments.Engagement, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT id, name, organisation, scope, lead, start_date, end_date, status, created_at, updated_at,
		coalesce(`+s.dialect().engagementStandards+`, '')
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
