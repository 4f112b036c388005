package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/annex-grc/annex/assessments"
)

// ActionEntity is how the change history names a treatment action.
const ActionEntity = "treatment_action"

// actionFields are the fields of a treatment action the history tracks, in form order.
var actionFields = []string{"title", "owner", "resources", "start_date", "due_date", "status", "controls", "corrective_ref"}

func controlsText(cs []assessments.ControlRef) string {
	sorted := append([]assessments.ControlRef(nil), cs...)
	assessments.SortControls(sorted)
	out := make([]string, len(sorted))
	for i, c := range sorted {
		out[i] = c.String()
	}
	return strings.Join(out, ",")
}

func parseControls(s string) ([]assessments.ControlRef, error) {
	var out []assessments.ControlRef
	for _, c := range splitTokens(s) {
		ref, err := assessments.ParseControlRef(c)
		if err != nil {
			return nil, err
		}
		out = append(out, ref)
	}
	return out, nil
}

func actionMap(a assessments.TreatmentAction) map[string]string {
	return map[string]string{
		"title": a.Title, "owner": a.Owner, "resources": a.Resources, "start_date": a.StartDate, "due_date": a.DueDate,
		"status": string(a.EffectiveStatus()), "controls": controlsText(a.Controls), "corrective_ref": a.CorrectiveRef,
	}
}

func actionFromMap(stored assessments.TreatmentAction, m map[string]string) (assessments.TreatmentAction, error) {
	a := stored
	a.Title, a.Owner, a.Resources, a.StartDate, a.DueDate = m["title"], m["owner"], m["resources"], m["start_date"], m["due_date"]
	a.Status, a.CorrectiveRef = assessments.ActionStatus(m["status"]), m["corrective_ref"]
	var err error
	a.Controls, err = parseControls(m["controls"])
	return a, err
}

// actionEntity is how update saves a treatment action.
var actionEntity = entity[assessments.TreatmentAction]{
	name:    ActionEntity,
	fields:  actionFields,
	toMap:   actionMap,
	fromMap: actionFromMap,
	load: func(ctx context.Context, tx *Store, key assessments.TreatmentAction) (assessments.TreatmentAction, error) {
		return tx.TreatmentAction(ctx, key.ID)
	},
	validate: func(_ context.Context, _ *Store, _, next assessments.TreatmentAction) error {
		return next.Validate(nil)
	},
	write: func(ctx context.Context, tx *Store, stored, next assessments.TreatmentAction, _ []FieldDiff) error {
		m := actionMap(next)
		if _, err := tx.h.ExecContext(ctx, `UPDATE treatment_actions SET title=?, owner=?, resources=?, start_date=?, due_date=?, status=?,
			controls=?, corrective_ref=?, updated_at=?, updated_by=? WHERE id=?`, m["title"], m["owner"], m["resources"], m["start_date"],
			m["due_date"], m["status"], m["controls"], m["corrective_ref"], tx.stamp(), tx.author, stored.ID); err != nil {
			return fmt.Errorf("save treatment action: %w", err)
		}
		return nil
	},
	ids:    func(a assessments.TreatmentAction) (string, string) { return a.ID, a.EngagementID },
	label:  func(a assessments.TreatmentAction) string { return "action " + cutLabel(a.Title, 40) },
	labels: map[string]string{"start_date": "start date", "due_date": "due date", "corrective_ref": "corrective action"},
	words: func(field, v string) string {
		switch field {
		case "status":
			return assessments.ActionStatus(v).Label()
		case "controls":
			return listWords(v, func(s string) string { return s })
		}
		return v
	},
}

// CreateTreatmentAction adds a step to a risk's treatment plan. An action that breaks a
// rule (no title, due before start) is refused with a *assessments.ValidationError and
// nothing is written.
func (s *Store) CreateTreatmentAction(ctx context.Context, a assessments.TreatmentAction) (assessments.TreatmentAction, error) {
	var saved assessments.TreatmentAction
	err := s.WithTx(ctx, func(tx *Store) error {
		r, err := tx.Risk(ctx, a.RiskID)
		if err != nil {
			return err
		}
		a.EngagementID = r.EngagementID
		saved, err = tx.insertAction(ctx, a, "", "", "", false)
		return err
	})
	return saved, err
}

// insertAction stores an action with its creation rows (one "imported" row for an import);
// empty times and author are now and this handle's author. Call it on a handle bound to a
// transaction.
func (s *Store) insertAction(ctx context.Context, a assessments.TreatmentAction, created, updated, by string, imported bool) (assessments.TreatmentAction, error) {
	if a.ID == "" {
		a.ID = NewID()
	}
	if a.Status == "" {
		a.Status = assessments.ActionPlanned
	}
	a.Title = strings.TrimSpace(a.Title)
	if err := a.Validate(nil); err != nil {
		return a, err
	}
	now := s.stamp()
	if created == "" {
		created = now
	}
	if updated == "" {
		updated = created
	}
	if by == "" {
		by = s.author
	}
	m := actionMap(a)
	if _, err := s.h.ExecContext(ctx, `INSERT INTO treatment_actions(id, risk_id, engagement_id, title, owner, resources, start_date, due_date,
		status, controls, corrective_ref, created_at, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.RiskID, a.EngagementID, m["title"], m["owner"], m["resources"], m["start_date"], m["due_date"], m["status"],
		m["controls"], m["corrective_ref"], created, updated, by); err != nil {
		return a, fmt.Errorf("save treatment action: %w", err)
	}
	rows := append([]FieldDiff{{Field: "created", New: "yes"}, {Field: "risk_id", New: a.RiskID}}, Diff(actionFields, map[string]string{}, m)...)
	if imported {
		rows = []FieldDiff{{Field: "imported", New: a.Title}}
	}
	if err := s.Record(ctx, a.EngagementID, ActionEntity, a.ID, rows); err != nil {
		return a, err
	}
	return s.TreatmentAction(ctx, a.ID)
}

// UpdateTreatmentAction saves the fields that differ between before (what the caller
// showed) and after onto the stored action, with their change rows (the single update path,
// update.go): a field changed elsewhere meanwhile is a *ConflictError, an action that breaks
// a rule a *assessments.ValidationError; either way nothing is written.
func (s *Store) UpdateTreatmentAction(ctx context.Context, before, after assessments.TreatmentAction) (assessments.TreatmentAction, error) {
	if before.ID == "" || before.ID != after.ID {
		return before, errors.New("save treatment action: before and after name different actions")
	}
	return update(ctx, s, actionEntity, before, after)
}

// DeleteTreatmentAction removes a step of a plan; the history keeps a row.
func (s *Store) DeleteTreatmentAction(ctx context.Context, id string) error {
	return s.WithTx(ctx, func(tx *Store) error {
		a, err := tx.TreatmentAction(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.h.ExecContext(ctx, "DELETE FROM treatment_actions WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete treatment action: %w", err)
		}
		return tx.Record(ctx, a.EngagementID, ActionEntity, id, []FieldDiff{{Field: "deleted", Old: a.Title, New: "yes"}})
	})
}

// TreatmentAction loads one action by id.
func (s *Store) TreatmentAction(ctx context.Context, id string) (assessments.TreatmentAction, error) {
	list, err := s.queryActions(ctx, "WHERE id = ?", id)
	if err != nil {
		return assessments.TreatmentAction{}, err
	}
	if len(list) == 0 {
		return assessments.TreatmentAction{}, fmt.Errorf("treatment action %s: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// RiskActions lists the plan of one risk, in plan order (assessments.SortActions).
func (s *Store) RiskActions(ctx context.Context, riskID string) ([]assessments.TreatmentAction, error) {
	list, err := s.queryActions(ctx, "WHERE risk_id = ?", riskID)
	assessments.SortActions(list)
	return list, err
}

// TreatmentActions gives the plans of an engagement's risks, by risk id, each in plan order.
func (s *Store) TreatmentActions(ctx context.Context, engagementID string) (map[string][]assessments.TreatmentAction, error) {
	list, err := s.queryActions(ctx, "WHERE engagement_id = ?", engagementID)
	if err != nil {
		return nil, err
	}
	out := map[string][]assessments.TreatmentAction{}
	for _, a := range list {
		out[a.RiskID] = append(out[a.RiskID], a)
	}
	for _, as := range out {
		assessments.SortActions(as)
	}
	return out, nil
}

func (s *Store) queryActions(ctx context.Context, where string, args ...any) ([]assessments.TreatmentAction, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT id, risk_id, engagement_id, title, owner, resources, start_date, due_date, status, controls,
		corrective_ref, created_at, updated_at, updated_by FROM treatment_actions `+where+` ORDER BY risk_id, due_date, created_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read treatment actions: %w", err)
	}
	defer rows.Close()
	var out []assessments.TreatmentAction
	for rows.Next() {
		var a assessments.TreatmentAction
		var status, controls, created, updated string
		if err := rows.Scan(&a.ID, &a.RiskID, &a.EngagementID, &a.Title, &a.Owner, &a.Resources, &a.StartDate, &a.DueDate, &status,
			&controls, &a.CorrectiveRef, &created, &updated, &a.UpdatedBy); err != nil {
			return nil, err
		}
		a.Status = assessments.ActionStatus(status)
		if a.Controls, err = parseControls(controls); err != nil {
			return nil, fmt.Errorf("treatment action %q: %w", a.Title, err)
		}
		a.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		a.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
		out = append(out, a)
	}
	return out, rows.Err()
}

// CreateTreatmentActions adds many actions in one transaction (the large demo); one bad
// action refuses them all. Each action names its risk and engagement.
func (s *Store) CreateTreatmentActions(ctx context.Context, actions []assessments.TreatmentAction) ([]assessments.TreatmentAction, error) {
	out := make([]assessments.TreatmentAction, 0, len(actions))
	err := s.WithTx(ctx, func(tx *Store) error {
		for _, a := range actions {
			if a.EngagementID == "" {
				r, err := tx.Risk(ctx, a.RiskID)
				if err != nil {
					return err
				}
				a.EngagementID = r.EngagementID
			}
			saved, err := tx.insertAction(ctx, a, "", "", "", false)
			if err != nil {
				return fmt.Errorf("treatment action %q: %w", a.Title, err)
			}
			out = append(out, saved)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
