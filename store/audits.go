package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/annex-grc/annex/assessments"
)

// Entity names of the internal-audit rows in the change history.
const (
	AuditEntity      = "audit"
	AuditItemEntity  = "audit_item"
	FindingEntity    = "finding"
	CorrectiveEntity = "corrective_action"
)

// auditFields are the fields of an audit the change history tracks, in form order.
var auditFields = []string{"title", "type", "status", "scope", "processes", "sites", "criteria", "planned_start", "planned_end",
	"actual_start", "actual_end", "lead", "team", "auditees", "summary"}

// refsText writes requirements as "standard:ref" tokens separated by commas.
func refsText(refs []assessments.ControlRef) string {
	out := make([]string, len(refs))
	for i, c := range refs {
		out[i] = c.String()
	}
	return strings.Join(out, ",")
}

// parseRefs reads refsText back.
func parseRefs(s string) ([]assessments.ControlRef, error) {
	var out []assessments.ControlRef
	for _, t := range splitTokens(s) {
		c, err := assessments.ParseControlRef(t)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func auditMap(a assessments.Audit) map[string]string {
	return map[string]string{
		"title": a.Title, "type": string(a.Type), "status": string(a.EffectiveStatus()), "scope": refsText(a.Scope),
		"processes": a.Processes, "sites": a.Sites, "criteria": a.Criteria, "planned_start": a.PlannedStart,
		"planned_end": a.PlannedEnd, "actual_start": a.ActualStart, "actual_end": a.ActualEnd, "lead": a.Lead,
		"team": strings.Join(a.Team, "\n"), "auditees": a.Auditees, "summary": a.Summary,
	}
}

func auditFromMap(base assessments.Audit, m map[string]string) (assessments.Audit, error) {
	a := base
	scope, err := parseRefs(m["scope"])
	if err != nil {
		return a, err
	}
	a.Title, a.Type, a.Status, a.Scope = m["title"], assessments.AuditType(m["type"]), assessments.AuditStatus(m["status"]), scope
	a.Processes, a.Sites, a.Criteria = m["processes"], m["sites"], m["criteria"]
	a.PlannedStart, a.PlannedEnd, a.ActualStart, a.ActualEnd = m["planned_start"], m["planned_end"], m["actual_start"], m["actual_end"]
	a.Lead, a.Team, a.Auditees, a.Summary = m["lead"], splitLines(m["team"]), m["auditees"], m["summary"]
	return a, nil
}

// inScope checks that every requirement names a standard of the engagement. (Whether the
// ref exists in its catalog is the caller's check: custom catalogs live outside the store.)
func (s *Store) inScope(ctx context.Context, engagementID, field string, refs []assessments.ControlRef) error {
	e, err := s.Engagement(ctx, engagementID)
	if err != nil {
		return err
	}
	for _, c := range refs {
		if !e.HasStandard(c.Standard) {
			return &assessments.ValidationError{Field: field, Message: fmt.Sprintf("%s %s is not in a standard of the engagement.", standardShort(c.Standard), c.Ref)}
		}
	}
	return nil
}

// auditEntity is how update saves an audit.
var auditEntity = entity[assessments.Audit]{
	name:    AuditEntity,
	fields:  auditFields,
	toMap:   auditMap,
	fromMap: auditFromMap,
	load: func(ctx context.Context, tx *Store, key assessments.Audit) (assessments.Audit, error) {
		return tx.Audit(ctx, key.ID)
	},
	validate: func(ctx context.Context, tx *Store, _, next assessments.Audit) error {
		if err := next.Validate(nil); err != nil {
			return err
		}
		return tx.inScope(ctx, next.EngagementID, "scope", next.Scope)
	},
	write: func(ctx context.Context, tx *Store, _, next assessments.Audit, _ []FieldDiff) error {
		m := auditMap(next)
		_, err := tx.h.ExecContext(ctx, `UPDATE audits SET title=?, type=?, status=?, scope=?, processes=?, sites=?, criteria=?,
			planned_start=?, planned_end=?, actual_start=?, actual_end=?, lead=?, team=?, auditees=?, summary=?, updated_at=?, updated_by=?
			WHERE id=?`, m["title"], m["type"], m["status"], m["scope"], m["processes"], m["sites"], m["criteria"], m["planned_start"],
			m["planned_end"], m["actual_start"], m["actual_end"], m["lead"], m["team"], m["auditees"], m["summary"], tx.stamp(), tx.author, next.ID)
		if err != nil {
			return fmt.Errorf("save %s: %w", next.Label(), err)
		}
		return nil
	},
	ids:    func(a assessments.Audit) (string, string) { return a.ID, a.EngagementID },
	label:  func(a assessments.Audit) string { return a.Label() },
	labels: map[string]string{"planned_start": "planned start", "planned_end": "planned end", "lead": "lead auditor", "team": "audit team"},
	words: func(field, v string) string {
		switch field {
		case "type":
			return assessments.AuditType(v).Label()
		case "status":
			return assessments.AuditStatus(v).Label()
		case "team":
			return strings.ReplaceAll(v, "\n", ", ")
		}
		return v
	},
}

// CreateAudit stores a new audit of an engagement's programme. Its ref (year and number in
// that year, "2027-01") is handed out inside the transaction and never reused. An audit that
// breaks a rule is refused with a *assessments.ValidationError and nothing is written.
func (s *Store) CreateAudit(ctx context.Context, a assessments.Audit) (assessments.Audit, error) {
	var saved assessments.Audit
	err := s.WithTx(ctx, func(tx *Store) error {
		var err error
		saved, err = tx.createAudit(ctx, a, "")
		return err
	})
	return saved, err
}

// createAudit inserts an audit; ref, when given (an import), is kept; else one is handed out.
// Call it on a handle bound to a transaction.
func (s *Store) createAudit(ctx context.Context, a assessments.Audit, ref string) (assessments.Audit, error) {
	if a.EngagementID == "" {
		return a, errors.New("save audit: no engagement given")
	}
	if a.ID == "" {
		a.ID = NewID()
	}
	if a.Status == "" {
		a.Status = assessments.AuditPlanned
	}
	if err := a.Validate(nil); err != nil {
		return a, err
	}
	if err := s.inScope(ctx, a.EngagementID, "scope", a.Scope); err != nil {
		return a, err
	}
	now := s.stamp()
	if a.CreatedAt.IsZero() {
		a.CreatedAt = s.now().UTC()
	}
	if ref == "" {
		year := a.Year()
		var seq int
		if err := s.h.QueryRowContext(ctx, `INSERT INTO audit_sequences(engagement_id, year, last) VALUES (?, ?, 1)
			ON CONFLICT (engagement_id, year) DO UPDATE SET last = audit_sequences.last + 1 RETURNING last`, a.EngagementID, year).Scan(&seq); err != nil {
			return a, fmt.Errorf("allocate an audit reference: %w", err)
		}
		ref = fmt.Sprintf("%d-%02d", year, seq)
	}
	a.Ref = ref
	m := auditMap(a)
	if _, err := s.h.ExecContext(ctx, `INSERT INTO audits(id, engagement_id, ref, title, type, status, scope, processes, sites, criteria,
		planned_start, planned_end, actual_start, actual_end, lead, team, auditees, summary, created_at, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.EngagementID, a.Ref, m["title"], m["type"], m["status"], m["scope"], m["processes"], m["sites"], m["criteria"],
		m["planned_start"], m["planned_end"], m["actual_start"], m["actual_end"], m["lead"], m["team"], m["auditees"], m["summary"],
		a.CreatedAt.UTC().Format(time.RFC3339Nano), now, s.author); err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return a, fmt.Errorf("the engagement already has an audit %s", a.Ref)
		}
		return a, fmt.Errorf("save audit: %w", err)
	}
	created := withCreated(m)
	created["ref"] = a.Ref
	if err := s.Record(ctx, a.EngagementID, AuditEntity, a.ID, Diff(append([]string{"created", "ref"}, auditFields...), map[string]string{}, created)); err != nil {
		return a, err
	}
	return s.Audit(ctx, a.ID)
}

// UpdateAudit saves the fields that differ between before (what the caller showed) and
// after onto the stored audit (the single update path, update.go): a field changed
// elsewhere meanwhile is a *ConflictError, an audit that breaks a rule a
// *assessments.ValidationError; either way nothing is written. The ref never changes.
func (s *Store) UpdateAudit(ctx context.Context, before, after assessments.Audit) (assessments.Audit, error) {
	if before.ID != after.ID {
		return before, errors.New("save audit: before and after are different audits")
	}
	return update(ctx, s, auditEntity, before, after)
}

// DeleteAudit removes an audit with its checklist, findings and corrective actions; the
// history keeps a row for each. Its ref and its findings' numbers are not handed out again.
// Risks raised from its findings stay in the register.
func (s *Store) DeleteAudit(ctx context.Context, id string) error {
	return s.WithTx(ctx, func(tx *Store) error {
		a, err := tx.Audit(ctx, id)
		if err != nil {
			return err
		}
		findings, err := tx.AuditFindings(ctx, id)
		if err != nil {
			return err
		}
		for _, f := range findings {
			if err := tx.Record(ctx, a.EngagementID, FindingEntity, f.ID, []FieldDiff{{Field: "deleted", Old: f.Ref, New: "yes (with " + a.Label() + ")"}}); err != nil {
				return err
			}
		}
		if _, err := tx.h.ExecContext(ctx, "DELETE FROM audits WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete %s: %w", a.Label(), err)
		}
		return tx.Record(ctx, a.EngagementID, AuditEntity, id, []FieldDiff{{Field: "deleted", Old: a.Ref + " " + a.Title, New: "yes"}})
	})
}

// Audit loads one audit by id.
func (s *Store) Audit(ctx context.Context, id string) (assessments.Audit, error) {
	list, err := s.queryAudits(ctx, "WHERE id = ?", id)
	if err != nil {
		return assessments.Audit{}, err
	}
	if len(list) == 0 {
		return assessments.Audit{}, fmt.Errorf("audit %s: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// Audits lists an engagement's audit programme by ref.
func (s *Store) Audits(ctx context.Context, engagementID string) ([]assessments.Audit, error) {
	return s.queryAudits(ctx, "WHERE engagement_id = ?", engagementID)
}

func (s *Store) queryAudits(ctx context.Context, where string, args ...any) ([]assessments.Audit, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT id, engagement_id, ref, title, type, status, scope, processes, sites, criteria, planned_start,
		planned_end, actual_start, actual_end, lead, team, auditees, summary, created_at, updated_at, updated_by
		FROM audits `+where+` ORDER BY engagement_id, ref`, args...)
	if err != nil {
		return nil, fmt.Errorf("read audits: %w", err)
	}
	defer rows.Close()
	var out []assessments.Audit
	for rows.Next() {
		var a assessments.Audit
		m := map[string]string{}
		var title, typ, status, scope, processes, sites, criteria, ps, pe, as, ae, lead, team, auditees, summary, created, updated string
		if err := rows.Scan(&a.ID, &a.EngagementID, &a.Ref, &title, &typ, &status, &scope, &processes, &sites, &criteria, &ps, &pe, &as, &ae,
			&lead, &team, &auditees, &summary, &created, &updated, &a.UpdatedBy); err != nil {
			return nil, err
		}
		m["title"], m["type"], m["status"], m["scope"], m["processes"], m["sites"], m["criteria"] = title, typ, status, scope, processes, sites, criteria
		m["planned_start"], m["planned_end"], m["actual_start"], m["actual_end"] = ps, pe, as, ae
		m["lead"], m["team"], m["auditees"], m["summary"] = lead, team, auditees, summary
		a, err := auditFromMap(a, m)
		if err != nil {
			return nil, fmt.Errorf("audit %s: %w", a.Ref, err)
		}
		a.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		a.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
		out = append(out, a)
	}
	return out, rows.Err()
}

// AuditSequences lists the last audit number handed out per year of an engagement.
func (s *Store) AuditSequences(ctx context.Context, engagementID string) (map[int]int, error) {
	rows, err := s.h.QueryContext(ctx, "SELECT year, last FROM audit_sequences WHERE engagement_id = ?", engagementID)
	if err != nil {
		return nil, fmt.Errorf("read audit numbering: %w", err)
	}
	defer rows.Close()
	out := map[int]int{}
	for rows.Next() {
		var y, n int
		if err := rows.Scan(&y, &n); err != nil {
			return nil, err
		}
		out[y] = n
	}
	return out, rows.Err()
}
