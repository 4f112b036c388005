package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

// ---- EU AI Act classification records ----

// aiActColumns are the scalar content columns, named like their fields in
// assessments.AIActRecordMap.
var aiActColumns = []string{"operator_roles", "fria_period", "fria_oversight", "fria_complaints", "fria_notified",
	"decision", "approver", "decision_date", "rationale"}

// euAIAct is the built-in questionnaire; the records' fields follow its questions.
func euAIAct() *catalogs.AIAct { return catalogs.MustEUAIAct() }

// StartAIActRecord begins the next version of a system's classification: version 1 with
// the roles its inventory entry implies, or version n+1 prefilled from version n. A version
// still in draft is refused: resume it instead.
func (s *Store) StartAIActRecord(ctx context.Context, aiSystemID string) (assessments.AIActRecord, error) {
	var saved assessments.AIActRecord
	err := s.WithTx(ctx, func(tx *Store) error {
		sys, err := tx.AISystem(ctx, aiSystemID)
		if err != nil {
			return err
		}
		list, err := tx.queryAIActRecords(ctx, "WHERE ai_system_id = ?", aiSystemID)
		if err != nil {
			return err
		}
		next := assessments.NewAIActRecord(sys)
		if len(list) > 0 {
			latest := list[0]
			if !latest.Frozen() {
				return fmt.Errorf("version %d of the EU AI Act classification of %s is still a draft; resume it instead of starting another", latest.Version, sys.Name)
			}
			next = assessments.ReClassify(latest)
		}
		saved, err = tx.insertAIActRecord(ctx, next)
		return err
	})
	return saved, err
}

// CreateAIActRecord stores a version as given (imports and the demo); its version must be
// the next free number of its system. An approved version is stored frozen.
func (s *Store) CreateAIActRecord(ctx context.Context, r assessments.AIActRecord) (assessments.AIActRecord, error) {
	var saved assessments.AIActRecord
	err := s.WithTx(ctx, func(tx *Store) error {
		sys, err := tx.AISystem(ctx, r.AISystemID)
		if err != nil {
			return err
		}
		r.EngagementID = sys.EngagementID
		saved, err = tx.insertAIActRecord(ctx, r)
		return err
	})
	return saved, err
}

// insertAIActRecord stores a version; call it on a handle bound to a transaction.
func (s *Store) insertAIActRecord(ctx context.Context, r assessments.AIActRecord) (assessments.AIActRecord, error) {
	act := euAIAct()
	if r.ID == "" {
		r.ID = NewID()
	}
	var maxVersion int
	if err := s.h.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM aiact_records WHERE ai_system_id = ?", r.AISystemID).Scan(&maxVersion); err != nil {
		return r, fmt.Errorf("read EU AI Act classifications: %w", err)
	}
	if r.Version == 0 {
		r.Version = maxVersion + 1
	}
	if r.Version != maxVersion+1 {
		return r, fmt.Errorf("the next EU AI Act classification version of this system is %d, not %d", maxVersion+1, r.Version)
	}
	if err := r.Validate(act); err != nil {
		return r, err
	}
	if err := insertAIActRow(ctx, s.h, r, s.stamp(), s.stamp(), s.author); err != nil {
		return r, err
	}
	created := assessments.AIActRecordMap(act, r)
	created["created"], created["ai_system_id"], created["version"] = "yes", r.AISystemID, strconv.Itoa(r.Version)
	fields := append([]string{"created", "ai_system_id", "version"}, assessments.AIActRecordFields(act)...)
	e := aiActEntity()
	if err := s.Record(ctx, r.EngagementID, e.name, r.ID, e.recorded(Diff(fields, map[string]string{}, created))); err != nil {
		return r, err
	}
	return s.AIActRecord(ctx, r.ID)
}

// insertAIActRow writes a version's row and answers: as a draft first, then its answers,
// then the approval, because the freeze triggers refuse answers of an approved version.
func insertAIActRow(ctx context.Context, h Handler, r assessments.AIActRecord, created, updated, by string) error {
	draft := r
	draft.Decision, draft.Approver, draft.DecisionDate, draft.Rationale = "", "", "", ""
	m := assessments.AIActRecordMap(euAIAct(), draft)
	cols := []string{"id", "ai_system_id", "engagement_id", "version", "last_step", "created_at", "updated_at", "updated_by"}
	args := []any{r.ID, r.AISystemID, r.EngagementID, r.Version, int(r.LastStep), created, updated, by}
	for _, c := range aiActColumns {
		cols = append(cols, c)
		args = append(args, m[c])
	}
	if _, err := h.ExecContext(ctx, `INSERT INTO aiact_records(`+strings.Join(cols, ", ")+`) VALUES (`+placeholders(len(args))+`)`, args...); err != nil {
		return fmt.Errorf("save EU AI Act classification: %w", err)
	}
	if err := writeAIActAnswers(ctx, h, r); err != nil {
		return err
	}
	if r.Frozen() {
		if _, err := h.ExecContext(ctx, `UPDATE aiact_records SET decision=?, approver=?, decision_date=?, rationale=? WHERE id=?`,
			string(r.Decision), r.Approver, r.DecisionDate, r.Rationale, r.ID); err != nil {
			return fmt.Errorf("save EU AI Act approval: %w", err)
		}
	}
	return nil
}

// writeAIActAnswers replaces a draft's answers: one row per question with an answer or a note.
func writeAIActAnswers(ctx context.Context, h Handler, r assessments.AIActRecord) error {
	if _, err := h.ExecContext(ctx, "DELETE FROM aiact_answers WHERE record_id = ?", r.ID); err != nil {
		return fmt.Errorf("save EU AI Act answers: %w", err)
	}
	for _, q := range euAIAct().Questions {
		a, ok := r.Answers[q.ID]
		if !ok || a == (assessments.AIActAnswer{}) {
			continue
		}
		if _, err := h.ExecContext(ctx, "INSERT INTO aiact_answers(record_id, question, answer, note) VALUES (?, ?, ?, ?)",
			r.ID, q.ID, string(a.Answer), a.Note); err != nil {
			return fmt.Errorf("save the answer to %s: %w", q.Cite, err)
		}
	}
	return nil
}

// aiActEntity is how update saves a draft classification. An approved version is frozen;
// where the wizard stands (last_step) is written but not recorded.
var aiActEntity = sync.OnceValue(func() entity[assessments.AIActRecord] {
	act := euAIAct()
	labels := map[string]string{"operator_roles": "operator roles", "fria_period": "period and frequency of use",
		"fria_oversight": "human oversight measures", "fria_complaints": "governance and complaint mechanism",
		"fria_notified": "authority notified on"}
	for _, q := range act.Questions {
		labels[assessments.AIActField(q.ID)] = q.Label()
		labels[assessments.AIActNoteField(q.ID)] = q.Label() + ": note"
	}
	return entity[assessments.AIActRecord]{
		name:   "aiact_classification",
		fields: assessments.AIActRecordFields(act),
		quiet:  map[string]bool{"last_step": true},
		toMap:  func(r assessments.AIActRecord) map[string]string { return assessments.AIActRecordMap(act, r) },
		fromMap: func(stored assessments.AIActRecord, m map[string]string) (assessments.AIActRecord, error) {
			return assessments.AIActRecordFromMap(stored, m)
		},
		load: func(ctx context.Context, tx *Store, key assessments.AIActRecord) (assessments.AIActRecord, error) {
			return tx.AIActRecord(ctx, key.ID)
		},
		editable: assessments.AIActRecord.CheckEditable,
		validate: func(_ context.Context, _ *Store, _, next assessments.AIActRecord) error { return next.Validate(act) },
		write: func(ctx context.Context, tx *Store, stored, next assessments.AIActRecord, _ []FieldDiff) error {
			// The answers first: the freeze triggers refuse them once the row is approved.
			if err := writeAIActAnswers(ctx, tx.h, next); err != nil {
				return err
			}
			m := assessments.AIActRecordMap(act, next)
			sets := make([]string, 0, len(aiActColumns)+3)
			args := make([]any, 0, len(aiActColumns)+4)
			for _, c := range aiActColumns {
				sets = append(sets, c+"=?")
				args = append(args, m[c])
			}
			sets = append(sets, "last_step=?", "updated_at=?", "updated_by=?")
			args = append(args, int(next.LastStep), tx.stamp(), tx.author, stored.ID)
			if _, err := tx.h.ExecContext(ctx, `UPDATE aiact_records SET `+strings.Join(sets, ", ")+` WHERE id=?`, args...); err != nil {
				return fmt.Errorf("save EU AI Act classification: %w", err)
			}
			return nil
		},
		ids: func(r assessments.AIActRecord) (string, string) { return r.ID, r.EngagementID },
		label: func(r assessments.AIActRecord) string {
			return fmt.Sprintf("EU AI Act classification version %d", r.Version)
		},
		labels: labels,
		words: func(field, v string) string {
			switch {
			case field == "operator_roles":
				var rs []assessments.OperatorRole
				for _, p := range strings.Split(v, ",") {
					if p != "" {
						rs = append(rs, assessments.OperatorRole(p))
					}
				}
				return assessments.OperatorRolesLabel(rs)
			case field == "decision":
				return assessments.Decision(v).Label()
			case strings.HasPrefix(field, "q.") && !strings.HasSuffix(field, ".note"):
				return assessments.Answer(v).Label()
			}
			return v
		},
	}
})

// UpdateAIActRecord saves one wizard step (or any edit) of a draft classification through
// the single update path (update.go). An approved version is refused with an
// *assessments.FrozenError, a field changed elsewhere with a *ConflictError, a malformed
// value or an approval of an incomplete classification with an *assessments.ValidationError.
func (s *Store) UpdateAIActRecord(ctx context.Context, before, after assessments.AIActRecord) (assessments.AIActRecord, error) {
	if before.ID != after.ID {
		return before, errors.New("save EU AI Act classification: before and after name different versions")
	}
	return update(ctx, s, aiActEntity(), before, after)
}

// DeleteAIActRecord removes a draft version; an approved one is part of the record.
func (s *Store) DeleteAIActRecord(ctx context.Context, id string) error {
	return s.WithTx(ctx, func(tx *Store) error {
		r, err := tx.AIActRecord(ctx, id)
		if err != nil {
			return err
		}
		if err := r.CheckEditable(); err != nil {
			return err
		}
		if _, err := tx.h.ExecContext(ctx, "DELETE FROM aiact_records WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete EU AI Act classification: %w", err)
		}
		return tx.Record(ctx, r.EngagementID, aiActEntity().name, id, []FieldDiff{{Field: "deleted", Old: fmt.Sprintf("version %d (draft)", r.Version), New: "yes"}})
	})
}

// AIActRecord loads one version.
func (s *Store) AIActRecord(ctx context.Context, id string) (assessments.AIActRecord, error) {
	list, err := s.queryAIActRecords(ctx, "WHERE id = ?", id)
	if err != nil {
		return assessments.AIActRecord{}, err
	}
	if len(list) == 0 {
		return assessments.AIActRecord{}, fmt.Errorf("EU AI Act classification %s: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// AIActRecords lists every version of a system's classification, newest first.
func (s *Store) AIActRecords(ctx context.Context, aiSystemID string) ([]assessments.AIActRecord, error) {
	return s.queryAIActRecords(ctx, "WHERE ai_system_id = ?", aiSystemID)
}

// EngagementAIActRecords lists every version of every system of an engagement, keyed by
// AI system id, newest first.
func (s *Store) EngagementAIActRecords(ctx context.Context, engagementID string) (map[string][]assessments.AIActRecord, error) {
	list, err := s.queryAIActRecords(ctx, "WHERE engagement_id = ?", engagementID)
	if err != nil {
		return nil, err
	}
	out := map[string][]assessments.AIActRecord{}
	for _, r := range list {
		out[r.AISystemID] = append(out[r.AISystemID], r)
	}
	return out, nil
}

func (s *Store) queryAIActRecords(ctx context.Context, where string, args ...any) ([]assessments.AIActRecord, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT id, ai_system_id, engagement_id, version, last_step, created_at, updated_at, updated_by, `+
		strings.Join(aiActColumns, ", ")+` FROM aiact_records `+where+` ORDER BY ai_system_id, version DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("read EU AI Act classifications: %w", err)
	}
	type loaded struct {
		base assessments.AIActRecord
		m    map[string]string
	}
	var found []loaded
	for rows.Next() {
		var r assessments.AIActRecord
		var step int
		var created, updated string
		vals := make([]string, len(aiActColumns))
		dst := []any{&r.ID, &r.AISystemID, &r.EngagementID, &r.Version, &step, &created, &updated, &r.UpdatedBy}
		for i := range vals {
			dst = append(dst, &vals[i])
		}
		if err := rows.Scan(dst...); err != nil {
			rows.Close()
			return nil, err
		}
		r.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		r.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
		m := map[string]string{"last_step": strconv.Itoa(step)}
		for i, c := range aiActColumns {
			m[c] = vals[i]
		}
		found = append(found, loaded{r, m})
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, err
	}
	rows.Close()
	out := make([]assessments.AIActRecord, 0, len(found))
	for _, l := range found {
		if err := loadAIActAnswers(ctx, s.h, l.base.ID, l.m); err != nil {
			return nil, err
		}
		r, err := assessments.AIActRecordFromMap(l.base, l.m)
		if err != nil {
			return nil, fmt.Errorf("EU AI Act classification %s: %w", l.base.ID, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func loadAIActAnswers(ctx context.Context, h Handler, id string, m map[string]string) error {
	rows, err := h.QueryContext(ctx, `SELECT question, answer, note FROM aiact_answers WHERE record_id = ?`, id)
	if err != nil {
		return fmt.Errorf("read EU AI Act answers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var q, a, note string
		if err := rows.Scan(&q, &a, &note); err != nil {
			return err
		}
		m[assessments.AIActField(q)], m[assessments.AIActNoteField(q)] = a, note
	}
	return rows.Err()
}
