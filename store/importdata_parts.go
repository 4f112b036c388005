package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/annex-grc/annex/assessments"
)

// importParts writes the risk register, the AI inventory with its impact assessments, the
// evidence library and the skipped suggestions of an imported engagement. With asCopy every
// id is new and every reference between them follows.
// Call it on a handle bound to a transaction.
func (s *Store) importParts(ctx context.Context, engagementID string, in ImportData, asCopy bool) error {
	ids := map[string]string{}
	newID := func(old string) string {
		if !asCopy || old == "" {
			return old
		}
		if n, ok := ids[old]; ok {
			return n
		}
		ids[old] = NewID()
		return ids[old]
	}
	now := s.stamp()
	ts := func(t time.Time) string {
		if t.IsZero() {
			return now
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	by := func(b string) string {
		if b == "" {
			return s.author
		}
		return b
	}
	if m := in.Matrix; m != nil {
		if _, err := s.h.ExecContext(ctx, `INSERT INTO risk_matrices(engagement_id, size, likelihood_labels, consequence_labels, level_names, cells, threshold, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, engagementID, m.Size, jsonText(m.LikelihoodLabels), jsonText(m.ConsequenceLabels),
			jsonText(m.LevelNames), jsonText(m.Cells), m.Threshold, now, s.author); err != nil {
			return fmt.Errorf("import risk matrix: %w", err)
		}
	}
	for _, a := range in.AISystems {
		a.ID, a.EngagementID = newID(a.ID), engagementID
		args := append(aiSystemArgs(a), ts(a.CreatedAt), ts(a.UpdatedAt), by(a.UpdatedBy))
		if _, err := s.h.ExecContext(ctx, `INSERT INTO ai_systems(`+aiSystemColumns+`) VALUES (`+placeholders(len(args))+`)`, args...); err != nil {
			return fmt.Errorf("import AI system %q: %w", a.Name, err)
		}
		if err := s.Record(ctx, engagementID, "ai_system", a.ID, []FieldDiff{{Field: "imported", New: a.Name}}); err != nil {
			return err
		}
	}
	last := in.RiskSequence
	for _, r := range in.Risks {
		r.ID, r.EngagementID, r.AISystemID = newID(r.ID), engagementID, newID(r.AISystemID)
		seq := assessments.RiskSeq(r.Ref)
		if seq == 0 {
			return fmt.Errorf("risk %q has no ref such as R-001", r.Title)
		}
		last = max(last, seq)
		fm := riskMap(r)
		if _, err := s.h.ExecContext(ctx, `INSERT INTO risks(id, engagement_id, seq, ref, title, description, scope, approach, risk_source,
			threat, vulnerability, scenario, asset, ai_system_id, owner, properties, objectives, risk_sources, consequence_org,
			consequence_individuals, consequence_society, inherent_likelihood, inherent_consequence, existing_controls, treatment,
			treatment_plan, residual_likelihood, residual_consequence, accepted_by, accepted_on, acceptance_rationale,
			accepted_likelihood, accepted_consequence, review_date, status, created_at, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, engagementID, seq, r.Ref, fm["title"], fm["description"], fm["scope"], fm["approach"], fm["risk_source"],
			fm["threat"], fm["vulnerability"], fm["scenario"], fm["asset"], fm["ai_system_id"], fm["owner"], fm["properties"],
			fm["objectives"], fm["risk_sources"], fm["consequence_org"], fm["consequence_individuals"], fm["consequence_society"],
			r.Inherent.Likelihood, r.Inherent.Consequence, fm["existing_controls"], fm["treatment"], fm["treatment_plan"],
			r.Residual.Likelihood, r.Residual.Consequence, fm["accepted_by"], fm["accepted_on"], fm["acceptance_rationale"],
			fm["accepted_likelihood"], fm["accepted_consequence"], fm["review_date"], fm["status"], ts(r.CreatedAt), ts(r.UpdatedAt), by(r.UpdatedBy)); err != nil {
			return fmt.Errorf("import risk %s: %w", r.Ref, err)
		}
		if err := writeRiskControls(ctx, s.h, r.ID, r.Controls); err != nil {
			return err
		}
		if err := s.Record(ctx, engagementID, RiskEntity, r.ID, []FieldDiff{{Field: "imported", New: r.Ref + " " + r.Title}}); err != nil {
			return err
		}
	}
	if last > 0 {
		if _, err := s.h.ExecContext(ctx, "INSERT INTO risk_sequences(engagement_id, last) VALUES (?, ?)", engagementID, last); err != nil {
			return fmt.Errorf("import risk numbering: %w", err)
		}
	}
	for _, a := range in.Assessments {
		a.ID, a.AISystemID, a.EngagementID = newID(a.ID), newID(a.AISystemID), engagementID
		// As the store does it: the row goes in as a draft, then its impacts, then the
		// decision, because the freeze triggers refuse impacts added to a decided version.
		draft := a
		draft.Decision, draft.Approver, draft.DecisionDate, draft.Rationale, draft.Conditions = "", "", "", "", ""
		m := assessments.ImpactAssessmentMap(draft)
		cols := []string{"id", "ai_system_id", "engagement_id", "version", "last_step", "created_at", "updated_at", "updated_by"}
		args := []any{a.ID, a.AISystemID, engagementID, a.Version, int(a.LastStep), ts(a.CreatedAt), ts(a.UpdatedAt), by(a.UpdatedBy)}
		for _, f := range impactColumns {
			cols = append(cols, impactColumn(f))
			args = append(args, m[f])
		}
		if _, err := s.h.ExecContext(ctx, `INSERT INTO impact_assessments(`+strings.Join(cols, ", ")+`) VALUES (`+placeholders(len(args))+`)`, args...); err != nil {
			return fmt.Errorf("import impact assessment version %d: %w", a.Version, err)
		}
		if err := writeImpactAreas(ctx, s.h, a); err != nil {
			return err
		}
		if a.Frozen() {
			if _, err := s.h.ExecContext(ctx, `UPDATE impact_assessments SET decision=?, approver=?, decision_date=?, rationale=?, conditions=? WHERE id=?`,
				string(a.Decision), a.Approver, a.DecisionDate, a.Rationale, a.Conditions, a.ID); err != nil {
				return fmt.Errorf("import impact assessment decision: %w", err)
			}
		}
		if err := s.Record(ctx, engagementID, "impact_assessment", a.ID, []FieldDiff{{Field: "imported", New: fmt.Sprintf("version %d", a.Version)}}); err != nil {
			return err
		}
	}
	for _, r := range in.Classifications {
		r.ID, r.AISystemID, r.EngagementID = newID(r.ID), newID(r.AISystemID), engagementID
		if err := insertAIActRow(ctx, s.h, r, ts(r.CreatedAt), ts(r.UpdatedAt), by(r.UpdatedBy)); err != nil {
			return fmt.Errorf("import EU AI Act classification version %d: %w", r.Version, err)
		}
		if err := s.Record(ctx, engagementID, aiActEntity().name, r.ID, []FieldDiff{{Field: "imported", New: fmt.Sprintf("version %d", r.Version)}}); err != nil {
			return err
		}
	}
	for _, l := range in.ImpactLinks {
		at := l.CreatedAt
		if at == "" {
			at = now
		}
		if _, err := s.h.ExecContext(ctx, "INSERT INTO impact_risk_links(assessment_id, area, risk_id, created_at) VALUES (?, ?, ?, ?)",
			newID(l.AssessmentID), string(l.Area), newID(l.RiskID), at); err != nil {
			return fmt.Errorf("import impact risk link: %w", err)
		}
	}
	for _, e := range in.Evidence {
		oldID := e.ID
		e.ID, e.EngagementID = newID(e.ID), engagementID
		blob, kept := in.Blobs[oldID]
		if kept {
			sum := sha256.Sum256(blob.Data)
			if e.SHA256 != "" && hex.EncodeToString(sum[:]) != e.SHA256 {
				return fmt.Errorf("the file of evidence %q does not match its recorded SHA-256", e.Title)
			}
		}
		if _, err := s.h.ExecContext(ctx, `INSERT INTO evidence(id, engagement_id, title, kind, description, collected_on, collected_by, valid_until,
			path, sha256, size, mtime, kept, url, check_state, check_detail, checked_at, created_at, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, engagementID, e.Title, string(e.Kind), e.Description, e.CollectedOn, e.CollectedBy, e.ValidUntil,
			e.Path, e.SHA256, e.Size, evidenceMap(e)["mtime"], boolInt(kept), e.URL, string(e.Integrity), e.CheckDetail,
			stampOf(e.CheckedAt), ts(e.CreatedAt), ts(e.UpdatedAt), by(e.UpdatedBy)); err != nil {
			return fmt.Errorf("import evidence %q: %w", e.Title, err)
		}
		if kept {
			sum := sha256.Sum256(blob.Data)
			if _, err := s.h.ExecContext(ctx, "INSERT INTO evidence_blobs(evidence_id, name, sha256, size, data) VALUES (?, ?, ?, ?, ?)",
				e.ID, blob.Name, hex.EncodeToString(sum[:]), len(blob.Data), blob.Data); err != nil {
				return fmt.Errorf("import the file of evidence %q: %w", e.Title, err)
			}
		}
		for _, l := range e.Links {
			ref := l.Ref
			if l.Target != assessments.LinkRequirement {
				ref = newID(ref)
			}
			if _, err := s.h.ExecContext(ctx, `INSERT INTO evidence_links(evidence_id, engagement_id, target, standard, target_ref, provenance, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, e.ID, engagementID, string(l.Target), l.Standard, ref, l.Provenance, now); err != nil {
				return fmt.Errorf("import a link of evidence %q: %w", e.Title, err)
			}
		}
		if err := s.Record(ctx, engagementID, "evidence", e.ID, []FieldDiff{{Field: "imported", New: e.Title}}); err != nil {
			return err
		}
	}
	for _, k := range in.Skips {
		if _, err := s.h.ExecContext(ctx, `INSERT INTO suggestion_skips(engagement_id, standard, ref, from_standard, from_ref, skipped_at, skipped_by)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, engagementID, k.Standard, k.Ref, k.FromStandard, k.FromRef, now, s.author); err != nil {
			return fmt.Errorf("import skipped suggestions: %w", err)
		}
	}
	if err := s.importPlan(ctx, engagementID, in, newID, ts, by); err != nil {
		return err
	}
	return s.importAudits(ctx, engagementID, in, newID)
}
