package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/annex-grc/annex/assessments"
)

var resultFields = []string{"status", "maturity", "notes", "owner", "target_date", "justification", "reasons", "needs_review", "provenance"}

func resultMap(r assessments.Result) map[string]string {
	reasons := make([]string, len(r.Reasons))
	for i, x := range r.Reasons {
		reasons[i] = string(x)
	}
	return map[string]string{
		"status": string(r.EffectiveStatus()), "maturity": assessments.MaturityText(r.Maturity), "notes": r.Notes,
		"owner": r.Owner, "target_date": r.TargetDate, "justification": r.Justification,
		"reasons": strings.Join(reasons, ","), "needs_review": strconv.FormatBool(r.NeedsReview), "provenance": r.Provenance,
	}
}

// ResultEntityID is how the change history names a result.
func ResultEntityID(k assessments.Key) string { return k.Standard + ":" + k.Ref }

// SaveResult saves the fields that differ between before (what the caller showed) and
// after onto the stored result, with their change rows, in one transaction (the single
// update path, update.go). A field another process changed meanwhile is refused with a
// *ConflictError, a result that breaks a rule with a *assessments.ValidationError; either
// way nothing is written.
func (s *Store) SaveResult(ctx context.Context, before, after assessments.Result) (assessments.Result, error) {
	if before.Key() != after.Key() {
		return before, errors.New("save result: before and after name different requirements")
	}
	return update(ctx, s, resultEntity, before, after)
}

// resultEntity is how update saves a requirement's result. A requirement never answered
// has no row; the write inserts it.
var resultEntity = entity[assessments.Result]{
	name:   "result",
	fields: resultFields,
	toMap:  resultMap,
	fromMap: func(stored assessments.Result, m map[string]string) (assessments.Result, error) {
		r, err := resultFromMap(stored.Key(), m)
		r.UpdatedAt, r.UpdatedBy = stored.UpdatedAt, stored.UpdatedBy
		return r, err
	},
	load: func(ctx context.Context, tx *Store, key assessments.Result) (assessments.Result, error) {
		return tx.Result(ctx, key.Key())
	},
	validate: func(_ context.Context, _ *Store, _, next assessments.Result) error { return next.Validate() },
	write: func(ctx context.Context, tx *Store, _, next assessments.Result, _ []FieldDiff) error {
		k, m := next.Key(), resultMap(next)
		_, err := tx.h.ExecContext(ctx, `INSERT INTO results(engagement_id, standard, ref, status, maturity, notes, owner, target_date, justification, reasons, needs_review, provenance, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (engagement_id, standard, ref) DO UPDATE SET status=excluded.status, maturity=excluded.maturity, notes=excluded.notes,
			owner=excluded.owner, target_date=excluded.target_date, justification=excluded.justification, reasons=excluded.reasons,
			needs_review=excluded.needs_review, provenance=excluded.provenance, updated_at=excluded.updated_at, updated_by=excluded.updated_by`,
			k.EngagementID, k.Standard, k.Ref, m["status"], maturityArg(next.Maturity), next.Notes, next.Owner, next.TargetDate, next.Justification,
			m["reasons"], boolInt(next.NeedsReview), next.Provenance, tx.stamp(), tx.author)
		if err != nil {
			return fmt.Errorf("save %s %s: %w", k.Standard, k.Ref, err)
		}
		return nil
	},
	ids: func(r assessments.Result) (string, string) { return ResultEntityID(r.Key()), r.EngagementID },
	label: func(r assessments.Result) string {
		return standardShort(r.Standard) + " " + r.Ref
	},
	labels: map[string]string{"reasons": "inclusion reasons", "needs_review": "review flag"},
	words: func(field, v string) string {
		switch field {
		case "status":
			return assessments.Status(v).Label()
		case "maturity":
			if v == "" {
				return "not rated"
			}
		case "needs_review":
			return yesNo(v)
		case "reasons":
			return listWords(v, underscores)
		}
		return v
	},
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func resultFromMap(k assessments.Key, m map[string]string) (assessments.Result, error) {
	r := assessments.Result{EngagementID: k.EngagementID, Standard: k.Standard, Ref: k.Ref,
		Status: assessments.Status(m["status"]), Notes: m["notes"], Owner: m["owner"], TargetDate: m["target_date"],
		Justification: m["justification"], Provenance: m["provenance"], NeedsReview: m["needs_review"] == "true"}
	var err error
	if r.Maturity, err = assessments.ParseMaturity(m["maturity"]); err != nil {
		return r, err
	}
	if m["reasons"] != "" {
		for _, x := range strings.Split(m["reasons"], ",") {
			r.Reasons = append(r.Reasons, assessments.InclusionReason(x))
		}
	}
	return r, nil
}

// Result loads one result; a requirement never answered reads as not assessed.
func (s *Store) Result(ctx context.Context, k assessments.Key) (assessments.Result, error) {
	rows, err := s.queryResults(ctx, "WHERE engagement_id = ? AND standard = ? AND ref = ?", k.EngagementID, k.Standard, k.Ref)
	if err != nil {
		return assessments.Result{}, err
	}
	if len(rows) == 0 {
		return assessments.Result{EngagementID: k.EngagementID, Standard: k.Standard, Ref: k.Ref, Status: assessments.NotAssessed}, nil
	}
	return rows[0], nil
}

// Results lists the stored results of an engagement (all standards), keyed by standard then ref.
func (s *Store) Results(ctx context.Context, engagementID string) (map[string]map[string]assessments.Result, error) {
	list, err := s.queryResults(ctx, "WHERE engagement_id = ?", engagementID)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]assessments.Result{}
	for _, r := range list {
		if out[r.Standard] == nil {
			out[r.Standard] = map[string]assessments.Result{}
		}
		out[r.Standard][r.Ref] = r
	}
	return out, nil
}

func (s *Store) queryResults(ctx context.Context, where string, args ...any) ([]assessments.Result, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT engagement_id, standard, ref, status, maturity, notes, owner, target_date, justification, reasons,
		needs_review, provenance, updated_at, updated_by FROM results `+where+` ORDER BY standard, ref`, args...)
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	defer rows.Close()
	var out []assessments.Result
	for rows.Next() {
		var r assessments.Result
		var status, reasons, updated string
		var review int
		var maturity sql.NullInt64
		if err := rows.Scan(&r.EngagementID, &r.Standard, &r.Ref, &status, &maturity, &r.Notes, &r.Owner, &r.TargetDate, &r.Justification,
			&reasons, &review, &r.Provenance, &updated, &r.UpdatedBy); err != nil {
			return nil, err
		}
		r.Status = assessments.Status(status)
		if maturity.Valid {
			r.Maturity = assessments.MaturityLevel(int(maturity.Int64))
		}
		r.NeedsReview = review == 1
		r.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
		if reasons != "" {
			for _, x := range strings.Split(reasons, ",") {
				r.Reasons = append(r.Reasons, assessments.InclusionReason(x))
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// StatusCounts counts the stored results of every engagement per standard and status, in
// one query (the home screen's readiness figures). Requirements with no stored row are
// not assessed; callers add them from the catalog's size. The counts are kept by triggers
// in result_counts (migration 0007): a few rows per engagement instead of every result.
func (s *Store) StatusCounts(ctx context.Context) (map[string]map[string]map[assessments.Status]int, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT engagement_id, standard, status, n FROM result_counts`)
	if err != nil {
		return nil, fmt.Errorf("count results: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]map[assessments.Status]int{}
	for rows.Next() {
		var e, std, st string
		var n int
		if err := rows.Scan(&e, &std, &st, &n); err != nil {
			return nil, err
		}
		if out[e] == nil {
			out[e] = map[string]map[assessments.Status]int{}
		}
		if out[e][std] == nil {
			out[e][std] = map[assessments.Status]int{}
		}
		out[e][std][assessments.Status(st)] = n
	}
	return out, rows.Err()
}

// maturityArg is a maturity as SQL stores it: NULL for not rated.
func maturityArg(m *int) any {
	if m == nil {
		return nil
	}
	return *m
}
