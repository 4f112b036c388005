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

var findingFields = []string{"grade", "statement", "requirements", "evidence", "raised_on", "risk_id", "withdrawn"}

func findingMap(f assessments.Finding) map[string]string {
	return map[string]string{
		"grade": string(f.Grade), "statement": f.Statement, "requirements": refsText(f.Requirements), "evidence": f.Evidence,
		"raised_on": f.RaisedOn, "risk_id": f.RiskID, "withdrawn": fmt.Sprint(f.Withdrawn),
	}
}

func findingFromMap(base assessments.Finding, m map[string]string) (assessments.Finding, error) {
	f := base
	reqs, err := parseRefs(m["requirements"])
	if err != nil {
		return f, err
	}
	f.Grade, f.Statement, f.Requirements, f.Evidence = assessments.Grade(m["grade"]), m["statement"], reqs, m["evidence"]
	f.RaisedOn, f.RiskID, f.Withdrawn = m["raised_on"], m["risk_id"], m["withdrawn"] == "true"
	return f, nil
}

// findingEntity is how update saves a finding. Its number never changes.
var findingEntity = entity[assessments.Finding]{
	name:    FindingEntity,
	fields:  findingFields,
	toMap:   findingMap,
	fromMap: findingFromMap,
	load: func(ctx context.Context, tx *Store, key assessments.Finding) (assessments.Finding, error) {
		return tx.Finding(ctx, key.ID)
	},
	validate: func(ctx context.Context, tx *Store, _, next assessments.Finding) error {
		if err := next.Validate(nil); err != nil {
			return err
		}
		if err := tx.inScope(ctx, next.EngagementID, "requirements", next.Requirements); err != nil {
			return err
		}
		return tx.checkRisk(ctx, next.EngagementID, "risk_id", next.RiskID)
	},
	write: func(ctx context.Context, tx *Store, _, next assessments.Finding, _ []FieldDiff) error {
		m := findingMap(next)
		if _, err := tx.h.ExecContext(ctx, `UPDATE findings SET grade=?, statement=?, requirements=?, evidence=?, raised_on=?, risk_id=?,
			withdrawn=?, updated_at=?, updated_by=? WHERE id=?`, m["grade"], next.Statement, m["requirements"], next.Evidence, next.RaisedOn,
			next.RiskID, boolInt(next.Withdrawn), tx.stamp(), tx.author, next.ID); err != nil {
			return fmt.Errorf("save finding %s: %w", next.Ref, err)
		}
		return nil
	},
	ids:    func(f assessments.Finding) (string, string) { return f.ID, f.EngagementID },
	label:  func(f assessments.Finding) string { return "finding " + f.Ref },
	labels: map[string]string{"evidence": "objective evidence", "raised_on": "date raised", "risk_id": "raised risk"},
	words: func(field, v string) string {
		switch field {
		case "grade":
			return assessments.Grade(v).Label()
		case "withdrawn":
			return yesNo(v)
		}
		return v
	},
}

// checkRisk refuses a link to a risk the engagement's register does not have.
func (s *Store) checkRisk(ctx context.Context, engagementID, field, riskID string) error {
	if riskID == "" {
		return nil
	}
	var n int
	if err := s.h.QueryRowContext(ctx, "SELECT count(*) FROM risks WHERE id = ? AND engagement_id = ?", riskID, engagementID).Scan(&n); err != nil {
		return fmt.Errorf("read risks: %w", err)
	}
	if n == 0 {
		return &assessments.ValidationError{Field: field, Message: "The linked risk is not in the engagement's register."}
	}
	return nil
}

// CreateFinding stores a finding raised by hand (not from a checklist conclusion): its
// number in the audit is handed out inside the transaction and never reused.
func (s *Store) CreateFinding(ctx context.Context, f assessments.Finding) (assessments.Finding, error) {
	var saved assessments.Finding
	err := s.WithTx(ctx, func(tx *Store) error {
		var err error
		saved, err = tx.createFinding(ctx, f, 0)
		return err
	})
	return saved, err
}

// createFinding inserts a finding; seq, when above 0 (an import), keeps its number. Call it
// on a handle bound to a transaction.
func (s *Store) createFinding(ctx context.Context, f assessments.Finding, seq int) (assessments.Finding, error) {
	a, err := s.Audit(ctx, f.AuditID)
	if err != nil {
		return f, err
	}
	f.EngagementID = a.EngagementID
	if f.ID == "" {
		f.ID = NewID()
	}
	if f.RaisedOn == "" {
		f.RaisedOn = s.now().Format(assessments.DateLayout)
	}
	if err := f.Validate(nil); err != nil {
		return f, err
	}
	if err := s.inScope(ctx, f.EngagementID, "requirements", f.Requirements); err != nil {
		return f, err
	}
	if err := s.checkRisk(ctx, f.EngagementID, "risk_id", f.RiskID); err != nil {
		return f, err
	}
	if seq == 0 {
		if err := s.h.QueryRowContext(ctx, "UPDATE audits SET last_finding = last_finding + 1 WHERE id = ? RETURNING last_finding", a.ID).Scan(&seq); err != nil {
			return f, fmt.Errorf("number the finding: %w", err)
		}
	} else if _, err := s.h.ExecContext(ctx, "UPDATE audits SET last_finding = CASE WHEN last_finding < ? THEN ? ELSE last_finding END WHERE id = ?", seq, seq, a.ID); err != nil {
		return f, fmt.Errorf("number the finding: %w", err)
	}
	f.Seq, f.Ref = seq, assessments.FindingRef(a.Ref, seq)
	now := s.stamp()
	created := f.CreatedAt
	if created.IsZero() {
		created = s.now().UTC()
	}
	m := findingMap(f)
	if _, err := s.h.ExecContext(ctx, `INSERT INTO findings(id, engagement_id, audit_id, seq, ref, grade, statement, requirements, evidence,
		source_standard, source_ref, raised_on, risk_id, withdrawn, created_at, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.ID, f.EngagementID, f.AuditID, f.Seq, f.Ref, m["grade"], f.Statement,
		m["requirements"], f.Evidence, f.Source.Standard, f.Source.Ref, f.RaisedOn, f.RiskID, boolInt(f.Withdrawn),
		created.UTC().Format(time.RFC3339Nano), now, s.author); err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return f, fmt.Errorf("the engagement already has a finding %s", f.Ref)
		}
		return f, fmt.Errorf("save finding: %w", err)
	}
	c := withCreated(m)
	c["ref"] = f.Ref
	if f.Source.Ref != "" {
		c["source"] = f.Source.String()
	}
	if err := s.Record(ctx, f.EngagementID, FindingEntity, f.ID, Diff(append([]string{"created", "ref", "source"}, findingFields...), map[string]string{}, c)); err != nil {
		return f, err
	}
	return s.Finding(ctx, f.ID)
}

// UpdateFinding saves the fields that differ between before (what the caller showed) and
// after onto the stored finding (the single update path): a field changed elsewhere
// meanwhile is a *ConflictError, a finding that breaks a rule (no requirement, no
// statement) a *assessments.ValidationError; either way nothing is written.
func (s *Store) UpdateFinding(ctx context.Context, before, after assessments.Finding) (assessments.Finding, error) {
	if before.ID != after.ID {
		return before, errors.New("save finding: before and after are different findings")
	}
	return update(ctx, s, findingEntity, before, after)
}

// CreateRiskFromFinding raises a risk in the register from a finding, prefilled by
// assessments.RiskFromFinding, and records it on the finding, in one transaction. A second
// risk from the same finding is refused while the first one exists.
func (s *Store) CreateRiskFromFinding(ctx context.Context, findingID string) (assessments.Risk, error) {
	var saved assessments.Risk
	err := s.WithTx(ctx, func(tx *Store) error {
		f, err := tx.Finding(ctx, findingID)
		if err != nil {
			return err
		}
		if f.RiskID != "" {
			if r, err := tx.Risk(ctx, f.RiskID); err == nil {
				return fmt.Errorf("risk %s was already raised from finding %s", r.Ref, f.Ref)
			}
		}
		m, err := tx.RiskMatrix(ctx, f.EngagementID)
		if err != nil {
			return err
		}
		if saved, err = tx.createRisk(ctx, assessments.RiskFromFinding(f, m.Size)); err != nil {
			return err
		}
		next := f
		next.RiskID = saved.ID
		_, err = update(ctx, tx, findingEntity, f, next)
		return err
	})
	return saved, err
}

// Finding loads one finding by id.
func (s *Store) Finding(ctx context.Context, id string) (assessments.Finding, error) {
	list, err := s.queryFindings(ctx, "WHERE id = ?", id)
	if err != nil {
		return assessments.Finding{}, err
	}
	if len(list) == 0 {
		return assessments.Finding{}, fmt.Errorf("finding %s: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// Findings lists an engagement's findings by ref.
func (s *Store) Findings(ctx context.Context, engagementID string) ([]assessments.Finding, error) {
	return s.queryFindings(ctx, "WHERE engagement_id = ?", engagementID)
}

// AuditFindings lists an audit's findings by number.
func (s *Store) AuditFindings(ctx context.Context, auditID string) ([]assessments.Finding, error) {
	return s.queryFindings(ctx, "WHERE audit_id = ?", auditID)
}

// FindingsOn lists the findings that name a requirement, by ref.
func (s *Store) FindingsOn(ctx context.Context, engagementID, standard, ref string) ([]assessments.Finding, error) {
	return s.queryFindings(ctx, "WHERE engagement_id = ? AND "+s.dialect().contains("',' || requirements || ','", "?"), engagementID, ","+standard+":"+ref+",")
}

// findingFromSource is the finding a checklist item raised, if any.
func (s *Store) findingFromSource(ctx context.Context, auditID string, c assessments.ControlRef) (*assessments.Finding, error) {
	list, err := s.queryFindings(ctx, "WHERE audit_id = ? AND source_standard = ? AND source_ref = ?", auditID, c.Standard, c.Ref)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return &list[0], nil
}

func (s *Store) queryFindings(ctx context.Context, where string, args ...any) ([]assessments.Finding, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT id, engagement_id, audit_id, seq, ref, grade, statement, requirements, evidence, source_standard,
		source_ref, raised_on, risk_id, withdrawn, created_at, updated_at, updated_by FROM findings `+where+` ORDER BY ref`, args...)
	if err != nil {
		return nil, fmt.Errorf("read findings: %w", err)
	}
	defer rows.Close()
	var out []assessments.Finding
	for rows.Next() {
		var f assessments.Finding
		var grade, reqs, created, updated string
		var withdrawn int
		if err := rows.Scan(&f.ID, &f.EngagementID, &f.AuditID, &f.Seq, &f.Ref, &grade, &f.Statement, &reqs, &f.Evidence, &f.Source.Standard,
			&f.Source.Ref, &f.RaisedOn, &f.RiskID, &withdrawn, &created, &updated, &f.UpdatedBy); err != nil {
			return nil, err
		}
		f.Grade, f.Withdrawn = assessments.Grade(grade), withdrawn == 1
		if f.Requirements, err = parseRefs(reqs); err != nil {
			return nil, fmt.Errorf("finding %s: %w", f.Ref, err)
		}
		f.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		f.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
		out = append(out, f)
	}
	return out, rows.Err()
}

// ---- corrective actions ----

var correctiveFields = []string{"correction", "root_cause", "action", "owner", "due_date", "state", "reviewed_by", "reviewed_on", "review_note", "risk_id"}

func correctiveMap(a assessments.CorrectiveAction) map[string]string {
	return map[string]string{
		"correction": a.Correction, "root_cause": strings.Join(a.RootCause, "\n"), "action": a.Action, "owner": a.Owner,
		"due_date": a.DueDate, "state": string(a.EffectiveState()), "reviewed_by": a.ReviewedBy, "reviewed_on": a.ReviewedOn,
		"review_note": a.ReviewNote, "risk_id": a.RiskID,
	}
}

func correctiveFromMap(base assessments.CorrectiveAction, m map[string]string) (assessments.CorrectiveAction, error) {
	a := base
	a.Correction, a.RootCause, a.Action, a.Owner = m["correction"], splitLines(m["root_cause"]), m["action"], m["owner"]
	a.DueDate, a.State, a.ReviewedBy, a.ReviewedOn = m["due_date"], assessments.ActionState(m["state"]), m["reviewed_by"], m["reviewed_on"]
	a.ReviewNote, a.RiskID = m["review_note"], m["risk_id"]
	return a, nil
}

// actionLabels name the fields in words.
var actionLabels = map[string]string{"root_cause": "root cause", "due_date": "due date", "reviewed_by": "reviewer",
	"reviewed_on": "review date", "review_note": "what the review checked", "risk_id": "linked risk"}

// correctiveEntity is how update saves a corrective action: a state change must be one the
// action's life allows (assessments.CheckActionTransition).
var correctiveEntity = entity[assessments.CorrectiveAction]{
	name:    CorrectiveEntity,
	fields:  correctiveFields,
	toMap:   correctiveMap,
	fromMap: correctiveFromMap,
	load: func(ctx context.Context, tx *Store, key assessments.CorrectiveAction) (assessments.CorrectiveAction, error) {
		return tx.CorrectiveAction(ctx, key.ID)
	},
	validate: func(ctx context.Context, tx *Store, stored, next assessments.CorrectiveAction) error {
		if err := assessments.CheckActionTransition(stored.EffectiveState(), next.EffectiveState()); err != nil {
			return err
		}
		f, err := tx.Finding(ctx, next.FindingID)
		if err != nil {
			return err
		}
		if err := next.Validate(f); err != nil {
			return err
		}
		return tx.checkRisk(ctx, next.EngagementID, "risk_id", next.RiskID)
	},
	write: func(ctx context.Context, tx *Store, _, next assessments.CorrectiveAction, _ []FieldDiff) error {
		m := correctiveMap(next)
		if _, err := tx.h.ExecContext(ctx, `UPDATE corrective_actions SET correction=?, root_cause=?, action=?, owner=?, due_date=?, state=?,
			reviewed_by=?, reviewed_on=?, review_note=?, risk_id=?, updated_at=?, updated_by=? WHERE id=?`, m["correction"], m["root_cause"],
			m["action"], m["owner"], m["due_date"], m["state"], m["reviewed_by"], m["reviewed_on"], m["review_note"], m["risk_id"],
			tx.stamp(), tx.author, next.ID); err != nil {
			return fmt.Errorf("save corrective action: %w", err)
		}
		return nil
	},
	ids: func(a assessments.CorrectiveAction) (string, string) { return a.ID, a.EngagementID },
	label: func(a assessments.CorrectiveAction) string {
		return fmt.Sprintf("corrective action %d", a.Seq)
	},
	labels: actionLabels,
	words: func(field, v string) string {
		switch field {
		case "state":
			return assessments.ActionState(v).Label()
		case "root_cause":
			return strings.ReplaceAll(v, "\n", " → ")
		}
		return v
	},
}

// CreateCorrectiveAction stores a new action on a finding, numbered within it. An action
// that breaks a rule (no action text, a due date before the finding) is refused with a
// *assessments.ValidationError and nothing is written.
func (s *Store) CreateCorrectiveAction(ctx context.Context, a assessments.CorrectiveAction) (assessments.CorrectiveAction, error) {
	var saved assessments.CorrectiveAction
	err := s.WithTx(ctx, func(tx *Store) error {
		var err error
		saved, err = tx.createAction(ctx, a, 0)
		return err
	})
	return saved, err
}

// createAction inserts an action; seq above 0 (an import) keeps its number. Call it on a
// handle bound to a transaction.
func (s *Store) createAction(ctx context.Context, a assessments.CorrectiveAction, seq int) (assessments.CorrectiveAction, error) {
	f, err := s.Finding(ctx, a.FindingID)
	if err != nil {
		return a, err
	}
	a.EngagementID = f.EngagementID
	if a.ID == "" {
		a.ID = NewID()
	}
	if a.State == "" {
		a.State = assessments.CorrectiveOpen
	}
	if err := a.Validate(f); err != nil {
		return a, err
	}
	if err := s.checkRisk(ctx, a.EngagementID, "risk_id", a.RiskID); err != nil {
		return a, err
	}
	if seq == 0 {
		if err := s.h.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) + 1 FROM corrective_actions WHERE finding_id = ?", f.ID).Scan(&seq); err != nil {
			return a, fmt.Errorf("number the action: %w", err)
		}
	}
	a.Seq = seq
	created := a.CreatedAt
	if created.IsZero() {
		created = s.now().UTC()
	}
	m := correctiveMap(a)
	if _, err := s.h.ExecContext(ctx, `INSERT INTO corrective_actions(id, engagement_id, finding_id, seq, correction, root_cause, action, owner,
		due_date, state, reviewed_by, reviewed_on, review_note, risk_id, created_at, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.EngagementID, a.FindingID, a.Seq, m["correction"], m["root_cause"],
		m["action"], m["owner"], m["due_date"], m["state"], m["reviewed_by"], m["reviewed_on"], m["review_note"], m["risk_id"],
		created.UTC().Format(time.RFC3339Nano), s.stamp(), s.author); err != nil {
		return a, fmt.Errorf("save corrective action: %w", err)
	}
	c := withCreated(m)
	c["finding"] = f.Ref
	if err := s.Record(ctx, a.EngagementID, CorrectiveEntity, a.ID, Diff(append([]string{"created", "finding"}, correctiveFields...), map[string]string{}, c)); err != nil {
		return a, err
	}
	return s.CorrectiveAction(ctx, a.ID)
}

// UpdateCorrectiveAction saves the fields that differ between before and after onto the
// stored action (the single update path): a state change the action's life does not allow,
// a review without who, when and what was checked, or a due date before the finding is a
// *assessments.ValidationError; a field changed elsewhere a *ConflictError.
func (s *Store) UpdateCorrectiveAction(ctx context.Context, before, after assessments.CorrectiveAction) (assessments.CorrectiveAction, error) {
	if before.ID != after.ID {
		return before, errors.New("save corrective action: before and after are different actions")
	}
	return update(ctx, s, correctiveEntity, before, after)
}

// DeleteCorrectiveAction removes an action; the history keeps a row.
func (s *Store) DeleteCorrectiveAction(ctx context.Context, id string) error {
	return s.WithTx(ctx, func(tx *Store) error {
		a, err := tx.CorrectiveAction(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.h.ExecContext(ctx, "DELETE FROM corrective_actions WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete corrective action: %w", err)
		}
		return tx.Record(ctx, a.EngagementID, CorrectiveEntity, id, []FieldDiff{{Field: "deleted", Old: a.Action, New: "yes"}})
	})
}

// CorrectiveAction loads one action by id.
func (s *Store) CorrectiveAction(ctx context.Context, id string) (assessments.CorrectiveAction, error) {
	list, err := s.queryCorrective(ctx, "WHERE id = ?", id)
	if err != nil {
		return assessments.CorrectiveAction{}, err
	}
	if len(list) == 0 {
		return assessments.CorrectiveAction{}, fmt.Errorf("corrective action %s: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// CorrectiveActions lists an engagement's actions by finding id, each finding's in number order.
func (s *Store) CorrectiveActions(ctx context.Context, engagementID string) (map[string][]assessments.CorrectiveAction, error) {
	list, err := s.queryCorrective(ctx, "WHERE engagement_id = ?", engagementID)
	if err != nil {
		return nil, err
	}
	out := map[string][]assessments.CorrectiveAction{}
	for _, a := range list {
		out[a.FindingID] = append(out[a.FindingID], a)
	}
	return out, nil
}

// FindingActions lists a finding's actions in number order.
func (s *Store) FindingActions(ctx context.Context, findingID string) ([]assessments.CorrectiveAction, error) {
	return s.queryCorrective(ctx, "WHERE finding_id = ?", findingID)
}

func (s *Store) queryCorrective(ctx context.Context, where string, args ...any) ([]assessments.CorrectiveAction, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT id, engagement_id, finding_id, seq, correction, root_cause, action, owner, due_date, state,
		reviewed_by, reviewed_on, review_note, risk_id, created_at, updated_at, updated_by FROM corrective_actions `+where+` ORDER BY finding_id, seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("read corrective actions: %w", err)
	}
	defer rows.Close()
	var out []assessments.CorrectiveAction
	for rows.Next() {
		var a assessments.CorrectiveAction
		var why, state, created, updated string
		if err := rows.Scan(&a.ID, &a.EngagementID, &a.FindingID, &a.Seq, &a.Correction, &why, &a.Action, &a.Owner, &a.DueDate, &state,
			&a.ReviewedBy, &a.ReviewedOn, &a.ReviewNote, &a.RiskID, &created, &updated, &a.UpdatedBy); err != nil {
			return nil, err
		}
		a.RootCause, a.State = splitLines(why), assessments.ActionState(state)
		a.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		a.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
		out = append(out, a)
	}
	return out, rows.Err()
}

// FindingViews lists an engagement's findings with their actions and derived status, the
// most serious grade first.
func (s *Store) FindingViews(ctx context.Context, engagementID string) ([]assessments.FindingView, error) {
	findings, err := s.Findings(ctx, engagementID)
	if err != nil {
		return nil, err
	}
	actions, err := s.CorrectiveActions(ctx, engagementID)
	if err != nil {
		return nil, err
	}
	return assessments.Views(findings, actions), nil
}

// LastFinding is the last finding number an audit handed out.
func (s *Store) LastFinding(ctx context.Context, auditID string) (int, error) {
	var n int
	err := s.h.QueryRowContext(ctx, "SELECT last_finding FROM audits WHERE id = ?", auditID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("audit %s: %w", auditID, ErrNotFound)
	}
	return n, err
}

// LastFindings is the last finding number each audit of an engagement handed out, by audit id.
func (s *Store) LastFindings(ctx context.Context, engagementID string) (map[string]int, error) {
	rows, err := s.h.QueryContext(ctx, "SELECT id, last_finding FROM audits WHERE engagement_id = ?", engagementID)
	if err != nil {
		return nil, fmt.Errorf("read finding numbers: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
