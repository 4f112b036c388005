package store

import (
	"context"
	"fmt"
	"time"

	"github.com/annex-grc/annex/assessments"
)

// ImportAudit is one audit of an imported engagement with its checklist, findings and
// their corrective actions, ids and numbers as exported.
type ImportAudit struct {
	Audit       assessments.Audit
	LastFinding int // the last finding number the audit handed out
	Items       []assessments.ChecklistItem
	Findings    []ImportFinding
}

// ImportFinding is a finding with its corrective actions.
type ImportFinding struct {
	Finding assessments.Finding
	Actions []assessments.CorrectiveAction
}

// importAudits writes the audit programme of an imported engagement. newID maps an
// exported id to the one in this workspace (a new one for a copy), so links to risks and
// evidence follow. Call it on a handle bound to a transaction.
func (s *Store) importAudits(ctx context.Context, engagementID string, in ImportData, newID func(string) string) error {
	ts := func(t time.Time) string {
		if t.IsZero() {
			return s.stamp()
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	by := func(b string) string {
		if b == "" {
			return s.author
		}
		return b
	}
	for year, last := range in.AuditSequences {
		if _, err := s.h.ExecContext(ctx, `INSERT INTO audit_sequences(engagement_id, year, last) VALUES (?, ?, ?)`, engagementID, year, last); err != nil {
			return fmt.Errorf("import audit numbering: %w", err)
		}
	}
	for _, ia := range in.Audits {
		a := ia.Audit
		a.ID, a.EngagementID = newID(a.ID), engagementID
		if err := a.Validate(nil); err != nil {
			return fmt.Errorf("audit %s: %w", a.Ref, err)
		}
		if err := s.inScope(ctx, engagementID, "scope", a.Scope); err != nil {
			return fmt.Errorf("audit %s: %w", a.Ref, err)
		}
		m := auditMap(a)
		last := ia.LastFinding
		for _, f := range ia.Findings {
			last = max(last, f.Finding.Seq)
		}
		if _, err := s.h.ExecContext(ctx, `INSERT INTO audits(id, engagement_id, ref, title, type, status, scope, processes, sites, criteria,
			planned_start, planned_end, actual_start, actual_end, lead, team, auditees, summary, last_finding, created_at, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, engagementID, a.Ref, m["title"], m["type"], m["status"], m["scope"], m["processes"], m["sites"], m["criteria"],
			m["planned_start"], m["planned_end"], m["actual_start"], m["actual_end"], m["lead"], m["team"], m["auditees"], m["summary"],
			last, ts(a.CreatedAt), ts(a.UpdatedAt), by(a.UpdatedBy)); err != nil {
			return fmt.Errorf("import audit %s: %w", a.Ref, err)
		}
		// Numbering goes on after the imported audit's number in its year.
		var year, seq int
		if _, err := fmt.Sscanf(a.Ref, "%d-%d", &year, &seq); err != nil || year < 1900 || year > 9999 {
			year, seq = a.Year(), 0
		}
		if _, err := s.h.ExecContext(ctx, `INSERT INTO audit_sequences(engagement_id, year, last) VALUES (?, ?, ?)
			ON CONFLICT (engagement_id, year) DO UPDATE SET last = CASE WHEN audit_sequences.last < excluded.last THEN excluded.last ELSE audit_sequences.last END`, engagementID, year, seq); err != nil {
			return fmt.Errorf("import audit numbering: %w", err)
		}
		if err := s.Record(ctx, engagementID, AuditEntity, a.ID, []FieldDiff{{Field: "imported", New: a.Ref + " " + a.Title}}); err != nil {
			return err
		}
		for _, it := range ia.Items {
			it.AuditID = a.ID
			if err := it.Validate(); err != nil {
				return fmt.Errorf("audit %s, checklist %s %s: %w", a.Ref, it.Standard, it.Ref, err)
			}
			if !a.InScope(it.Standard, it.Ref) {
				return fmt.Errorf("audit %s has a checklist item for %s %s, which is not in its scope", a.Ref, standardShort(it.Standard), it.Ref)
			}
			m := itemMap(it)
			if _, err := s.h.ExecContext(ctx, `INSERT INTO audit_items(audit_id, standard, ref, conclusion, notes, interviewees, population, sample_size,
				sampled, provenance, carried_from, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				a.ID, it.Standard, it.Ref, m["conclusion"], it.Notes, it.Interviewees, it.Population, it.SampleSize, it.Sampled, it.Provenance,
				it.CarriedFrom, ts(it.UpdatedAt), by(it.UpdatedBy)); err != nil {
				return fmt.Errorf("import checklist item %s %s of audit %s: %w", it.Standard, it.Ref, a.Ref, err)
			}
			for _, x := range it.Evidence {
				x.EvidenceID = newID(x.EvidenceID)
				if x.ExaminedAt.IsZero() {
					x.ExaminedAt = s.now()
				}
				if err := insertExamined(ctx, s.h, a.ID, it.Key(), x); err != nil {
					return err
				}
			}
		}
		for _, imf := range ia.Findings {
			f := imf.Finding
			oldRisk := f.RiskID
			f.ID, f.AuditID, f.EngagementID, f.RiskID = newID(f.ID), a.ID, engagementID, newID(f.RiskID)
			if f.Seq < 1 || f.Ref != assessments.FindingRef(a.Ref, f.Seq) {
				return fmt.Errorf("finding %q of audit %s: its number does not match the audit (%s)", f.Ref, a.Ref, assessments.FindingRef(a.Ref, max(f.Seq, 1)))
			}
			if err := f.Validate(nil); err != nil {
				return fmt.Errorf("finding %s: %w", f.Ref, err)
			}
			if err := s.inScope(ctx, engagementID, "requirements", f.Requirements); err != nil {
				return fmt.Errorf("finding %s: %w", f.Ref, err)
			}
			if oldRisk != "" {
				if err := s.checkRisk(ctx, engagementID, "risk_id", f.RiskID); err != nil {
					f.RiskID = "" // the risk was deleted before the export
				}
			}
			m := findingMap(f)
			if _, err := s.h.ExecContext(ctx, `INSERT INTO findings(id, engagement_id, audit_id, seq, ref, grade, statement, requirements, evidence,
				source_standard, source_ref, raised_on, risk_id, withdrawn, created_at, updated_at, updated_by)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.ID, engagementID, a.ID, f.Seq, f.Ref, m["grade"], f.Statement,
				m["requirements"], f.Evidence, f.Source.Standard, f.Source.Ref, f.RaisedOn, f.RiskID, boolInt(f.Withdrawn),
				ts(f.CreatedAt), ts(f.UpdatedAt), by(f.UpdatedBy)); err != nil {
				return fmt.Errorf("import finding %s: %w", f.Ref, err)
			}
			if err := s.Record(ctx, engagementID, FindingEntity, f.ID, []FieldDiff{{Field: "imported", New: f.Ref}}); err != nil {
				return err
			}
			for _, ca := range imf.Actions {
				oldRisk := ca.RiskID
				ca.ID, ca.FindingID, ca.EngagementID, ca.RiskID = newID(ca.ID), f.ID, engagementID, newID(ca.RiskID)
				if ca.Seq < 1 {
					return fmt.Errorf("a corrective action of finding %s has no number", f.Ref)
				}
				if err := ca.Validate(f); err != nil {
					return fmt.Errorf("corrective action %s: %w", assessments.ActionRef(f.Ref, ca.Seq), err)
				}
				if oldRisk != "" {
					if err := s.checkRisk(ctx, engagementID, "risk_id", ca.RiskID); err != nil {
						ca.RiskID = ""
					}
				}
				m := correctiveMap(ca)
				if _, err := s.h.ExecContext(ctx, `INSERT INTO corrective_actions(id, engagement_id, finding_id, seq, correction, root_cause, action, owner,
					due_date, state, reviewed_by, reviewed_on, review_note, risk_id, created_at, updated_at, updated_by)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, ca.ID, engagementID, f.ID, ca.Seq, m["correction"], m["root_cause"],
					m["action"], m["owner"], m["due_date"], m["state"], m["reviewed_by"], m["reviewed_on"], m["review_note"], m["risk_id"],
					ts(ca.CreatedAt), ts(ca.UpdatedAt), by(ca.UpdatedBy)); err != nil {
					return fmt.Errorf("import corrective action %s: %w", assessments.ActionRef(f.Ref, ca.Seq), err)
				}
				if err := s.Record(ctx, engagementID, CorrectiveEntity, ca.ID, []FieldDiff{{Field: "imported", New: assessments.ActionRef(f.Ref, ca.Seq)}}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// AddAudits writes whole audits (checklists, findings with their numbers, actions) into an
// existing engagement in one transaction, checked as an import is: the large demo fills a
// programme this way. Ids left empty are given; refs must be new in the engagement.
func (s *Store) AddAudits(ctx context.Context, engagementID string, audits []ImportAudit) error {
	for i := range audits {
		if audits[i].Audit.ID == "" {
			audits[i].Audit.ID = NewID()
		}
		for j := range audits[i].Findings {
			f := &audits[i].Findings[j]
			if f.Finding.ID == "" {
				f.Finding.ID = NewID()
			}
			for k := range f.Actions {
				if f.Actions[k].ID == "" {
					f.Actions[k].ID = NewID()
				}
			}
		}
	}
	return s.WithTx(ctx, func(tx *Store) error {
		return tx.importAudits(ctx, engagementID, ImportData{Audits: audits}, func(id string) string { return id })
	})
}
