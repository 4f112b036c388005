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

// ---- AI system inventory ----

func aiSystemMap(a assessments.AISystem) map[string]string {
	personal := ""
	if a.PersonalData {
		personal = "yes"
	}
	return map[string]string{
		"name": a.Name, "purpose": a.Purpose, "type": a.Type, "roles": assessments.RolesText(a.Roles), "stage": string(a.Stage),
		"data_sources": a.DataSources, "data_categories": a.DataCategories, "personal_data": personal,
		"deployment_context": a.DeploymentContext, "jurisdictions": a.Jurisdictions, "users": a.Users,
		"affected_people": a.AffectedPeople, "automation": string(a.Automation), "human_oversight": a.HumanOversight,
		"third_party": a.ThirdParty, "owner": a.Owner,
	}
}

const aiSystemColumns = `id, engagement_id, name, purpose, type, roles, stage, data_sources, data_categories, personal_data,
	deployment_context, jurisdictions, users, affected_people, automation, human_oversight, third_party, owner,
	created_at, updated_at, updated_by`

func aiSystemArgs(a assessments.AISystem) []any {
	return []any{a.ID, a.EngagementID, a.Name, a.Purpose, a.Type, assessments.RolesText(a.Roles), string(a.Stage), a.DataSources, a.DataCategories,
		boolInt(a.PersonalData), a.DeploymentContext, a.Jurisdictions, a.Users, a.AffectedPeople, string(a.Automation),
		a.HumanOversight, a.ThirdParty, a.Owner}
}

// checkAISystemName refuses a second system of the same name (any case) in an engagement,
// so `annex ai show NAME` stays unambiguous.
func checkAISystemName(ctx context.Context, h Handler, a assessments.AISystem) error {
	var n int
	if err := h.QueryRowContext(ctx, `SELECT count(*) FROM ai_systems WHERE engagement_id = ? AND `+nocase(h, "name")+` = `+nocase(h, "?")+` AND id <> ?`,
		a.EngagementID, strings.TrimSpace(a.Name), a.ID).Scan(&n); err != nil {
		return fmt.Errorf("read AI systems: %w", err)
	}
	if n > 0 {
		return &assessments.ValidationError{Field: "name", Message: fmt.Sprintf("Another AI system of this engagement is already named %q.", strings.TrimSpace(a.Name))}
	}
	return nil
}

// CreateAISystem stores a new inventory entry (its ID is assigned when empty) and returns it.
func (s *Store) CreateAISystem(ctx context.Context, a assessments.AISystem) (assessments.AISystem, error) {
	if a.ID == "" {
		a.ID = NewID()
	}
	a.Name = strings.TrimSpace(a.Name)
	if err := a.Validate(); err != nil {
		return a, err
	}
	var saved assessments.AISystem
	err := s.WithTx(ctx, func(tx *Store) error {
		if err := checkAISystemName(ctx, tx.h, a); err != nil {
			return err
		}
		now := tx.stamp()
		args := append(aiSystemArgs(a), now, now, tx.author)
		if _, err := tx.h.ExecContext(ctx, `INSERT INTO ai_systems(`+aiSystemColumns+`) VALUES (`+placeholders(len(args))+`)`, args...); err != nil {
			return fmt.Errorf("save AI system: %w", err)
		}
		if err := tx.Record(ctx, a.EngagementID, "ai_system", a.ID, Diff(append([]string{"created"}, assessments.AISystemFields...),
			map[string]string{}, withCreated(aiSystemMap(a)))); err != nil {
			return err
		}
		var err error
		saved, err = tx.AISystem(ctx, a.ID)
		return err
	})
	return saved, err
}

// aiSystemEntity is how update saves an inventory entry.
var aiSystemEntity = entity[assessments.AISystem]{
	name:   "ai_system",
	fields: assessments.AISystemFields,
	toMap:  aiSystemMap,
	fromMap: func(stored assessments.AISystem, m map[string]string) (assessments.AISystem, error) {
		return aiSystemFromMap(stored, m), nil
	},
	load: func(ctx context.Context, tx *Store, key assessments.AISystem) (assessments.AISystem, error) {
		return tx.AISystem(ctx, key.ID)
	},
	validate: func(ctx context.Context, tx *Store, _, next assessments.AISystem) error {
		if err := next.Validate(); err != nil {
			return err
		}
		return checkAISystemName(ctx, tx.h, next)
	},
	write: func(ctx context.Context, tx *Store, _, next assessments.AISystem, _ []FieldDiff) error {
		args := aiSystemArgs(next)[2:]
		args = append(args, tx.stamp(), tx.author, next.ID)
		if _, err := tx.h.ExecContext(ctx, `UPDATE ai_systems SET name=?, purpose=?, type=?, roles=?, stage=?, data_sources=?, data_categories=?,
			personal_data=?, deployment_context=?, jurisdictions=?, users=?, affected_people=?, automation=?, human_oversight=?,
			third_party=?, owner=?, updated_at=?, updated_by=? WHERE id=?`, args...); err != nil {
			return fmt.Errorf("save AI system: %w", err)
		}
		return nil
	},
	ids:    func(a assessments.AISystem) (string, string) { return a.ID, a.EngagementID },
	label:  func(a assessments.AISystem) string { return "AI system " + strconv.Quote(cutLabel(a.Name, 24)) },
	labels: map[string]string{"stage": "lifecycle stage", "third_party": "third parties"},
	words: func(field, v string) string {
		switch field {
		case "roles":
			return assessments.RolesLabel(assessments.ParseRoles(v))
		case "stage":
			return assessments.LifecycleStage(v).Label()
		case "automation":
			return assessments.Automation(v).Label()
		case "personal_data":
			return yesNo(v)
		}
		return v
	},
}

// UpdateAISystem saves the fields that differ between before (what the caller showed) and
// after onto the stored entry (the single update path, update.go). A field changed
// elsewhere meanwhile is a *ConflictError, an entry that breaks a rule (a name another
// system of the engagement has) a *assessments.ValidationError; nothing is written then.
func (s *Store) UpdateAISystem(ctx context.Context, before, after assessments.AISystem) (assessments.AISystem, error) {
	if before.ID != after.ID {
		return before, errors.New("save AI system: before and after name different systems")
	}
	after.Name = strings.TrimSpace(after.Name)
	return update(ctx, s, aiSystemEntity, before, after)
}

func aiSystemFromMap(base assessments.AISystem, m map[string]string) assessments.AISystem {
	a := base
	a.Name, a.Purpose, a.Type = m["name"], m["purpose"], m["type"]
	a.Roles, a.Stage = assessments.ParseRoles(m["roles"]), assessments.LifecycleStage(m["stage"])
	a.DataSources, a.DataCategories, a.PersonalData = m["data_sources"], m["data_categories"], m["personal_data"] == "yes"
	a.DeploymentContext, a.Jurisdictions, a.Users, a.AffectedPeople = m["deployment_context"], m["jurisdictions"], m["users"], m["affected_people"]
	a.Automation, a.HumanOversight, a.ThirdParty, a.Owner = assessments.Automation(m["automation"]), m["human_oversight"], m["third_party"], m["owner"]
	return a
}

// DeleteAISystem removes an inventory entry with all its assessment versions; the history
// keeps a row saying so.
func (s *Store) DeleteAISystem(ctx context.Context, id string) error {
	return s.WithTx(ctx, func(tx *Store) error {
		a, err := tx.AISystem(ctx, id)
		if err != nil {
			return err
		}
		var versions int
		if err := tx.h.QueryRowContext(ctx, "SELECT count(*) FROM impact_assessments WHERE ai_system_id = ?", id).Scan(&versions); err != nil {
			return fmt.Errorf("read impact assessments: %w", err)
		}
		var classifications int
		if err := tx.h.QueryRowContext(ctx, "SELECT count(*) FROM aiact_records WHERE ai_system_id = ?", id).Scan(&classifications); err != nil {
			return fmt.Errorf("read EU AI Act classifications: %w", err)
		}
		// Risks that named the system keep their content but lose the link, recorded as
		// an edit of each risk.
		rows, err := tx.h.QueryContext(ctx, "SELECT id FROM risks WHERE ai_system_id = ?", id)
		if err != nil {
			return fmt.Errorf("read linked risks: %w", err)
		}
		var linked []string
		for rows.Next() {
			var rid string
			if err := rows.Scan(&rid); err != nil {
				rows.Close()
				return err
			}
			linked = append(linked, rid)
		}
		rows.Close()
		for _, rid := range linked {
			if _, err := tx.h.ExecContext(ctx, "UPDATE risks SET ai_system_id = '', updated_at = ?, updated_by = ? WHERE id = ?", tx.stamp(), tx.author, rid); err != nil {
				return fmt.Errorf("unlink risk: %w", err)
			}
			if err := tx.Record(ctx, a.EngagementID, RiskEntity, rid, []FieldDiff{{Field: "ai_system_id", Old: id, New: ""}}); err != nil {
				return err
			}
		}
		if _, err := tx.h.ExecContext(ctx, "DELETE FROM ai_systems WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete AI system: %w", err)
		}
		old := a.Name
		var with []string
		if versions > 0 {
			with = append(with, fmt.Sprintf("%d impact assessment versions", versions))
		}
		if classifications > 0 {
			with = append(with, fmt.Sprintf("%d EU AI Act classification versions", classifications))
		}
		if len(with) > 0 {
			old = fmt.Sprintf("%s (with %s)", a.Name, strings.Join(with, " and "))
		}
		return tx.Record(ctx, a.EngagementID, "ai_system", id, []FieldDiff{{Field: "deleted", Old: old, New: "yes"}})
	})
}

// AISystem loads one inventory entry.
func (s *Store) AISystem(ctx context.Context, id string) (assessments.AISystem, error) {
	list, err := s.queryAISystems(ctx, "WHERE id = ?", id)
	if err != nil {
		return assessments.AISystem{}, err
	}
	if len(list) == 0 {
		return assessments.AISystem{}, fmt.Errorf("AI system %s: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// AISystems lists an engagement's inventory by name.
func (s *Store) AISystems(ctx context.Context, engagementID string) ([]assessments.AISystem, error) {
	return s.queryAISystems(ctx, "WHERE engagement_id = ?", engagementID)
}

// FindAISystem resolves a name (any case) or id within an engagement.
func (s *Store) FindAISystem(ctx context.Context, engagementID, nameOrID string) (assessments.AISystem, error) {
	list, err := s.queryAISystems(ctx, "WHERE engagement_id = ? AND (id = ? OR "+s.nocase("name")+" = "+s.nocase("?")+")", engagementID, nameOrID, strings.TrimSpace(nameOrID))
	if err != nil {
		return assessments.AISystem{}, err
	}
	if len(list) == 0 {
		return assessments.AISystem{}, fmt.Errorf("no AI system is named %q: %w", nameOrID, ErrNotFound)
	}
	return list[0], nil
}

func (s *Store) queryAISystems(ctx context.Context, where string, args ...any) ([]assessments.AISystem, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT `+aiSystemColumns+` FROM ai_systems `+where+` ORDER BY `+s.nocase("name")+`, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read AI systems: %w", err)
	}
	defer rows.Close()
	var out []assessments.AISystem
	for rows.Next() {
		var a assessments.AISystem
		var roles, stage, automation, created, updated string
		var personal int
		if err := rows.Scan(&a.ID, &a.EngagementID, &a.Name, &a.Purpose, &a.Type, &roles, &stage, &a.DataSources, &a.DataCategories, &personal,
			&a.DeploymentContext, &a.Jurisdictions, &a.Users, &a.AffectedPeople, &automation, &a.HumanOversight, &a.ThirdParty, &a.Owner,
			&created, &updated, &a.UpdatedBy); err != nil {
			return nil, err
		}
		a.Roles, a.Stage, a.Automation, a.PersonalData = assessments.ParseRoles(roles), assessments.LifecycleStage(stage), assessments.Automation(automation), personal == 1
		a.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		a.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
		out = append(out, a)
	}
	return out, rows.Err()
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// ---- impact assessments ----

// impactColumns are the scalar content columns; each is named like its field in
// assessments.ImpactAssessmentMap except trigger (a keyword in SQL).
var impactColumns = []string{"trigger", "trigger_note", "scope", "assessors", "purpose", "intended_uses", "misuse", "failure_modes",
	"data_sources", "data_provenance", "data_quality", "known_bias", "model_kind", "model_provider", "model_changes",
	"geography", "languages", "jurisdictions", "deployment_context", "interested_parties", "vulnerable_groups",
	"class_override", "override_reason", "review_date", "decision", "approver", "decision_date", "rationale", "conditions"}

func impactColumn(field string) string {
	if field == "trigger" {
		return "trigger_kind"
	}
	return field
}

// StartImpactAssessment begins the next version of a system's assessment: version 1
// prefilled from the inventory entry, or version n+1 prefilled from version n. A version
// still in draft is refused: resume it instead.
func (s *Store) StartImpactAssessment(ctx context.Context, aiSystemID string) (assessments.ImpactAssessment, error) {
	var saved assessments.ImpactAssessment
	err := s.WithTx(ctx, func(tx *Store) error {
		sys, err := tx.AISystem(ctx, aiSystemID)
		if err != nil {
			return err
		}
		list, err := tx.queryImpactAssessments(ctx, "WHERE ai_system_id = ?", aiSystemID)
		if err != nil {
			return err
		}
		next := assessments.NewImpactAssessment(sys)
		if len(list) > 0 {
			latest := list[0]
			if !latest.Frozen() {
				return fmt.Errorf("version %d of the impact assessment of %s is still a draft; resume it instead of starting another", latest.Version, sys.Name)
			}
			next = assessments.ReAssess(latest)
		}
		saved, err = tx.insertImpactAssessment(ctx, next)
		return err
	})
	return saved, err
}

// CreateImpactAssessment stores a version as given (imports and the demo); its version
// must be the next free number of its system. A decided version is stored frozen.
func (s *Store) CreateImpactAssessment(ctx context.Context, a assessments.ImpactAssessment) (assessments.ImpactAssessment, error) {
	var saved assessments.ImpactAssessment
	err := s.WithTx(ctx, func(tx *Store) error {
		sys, err := tx.AISystem(ctx, a.AISystemID)
		if err != nil {
			return err
		}
		a.EngagementID = sys.EngagementID
		saved, err = tx.insertImpactAssessment(ctx, a)
		return err
	})
	return saved, err
}

// insertImpactAssessment stores a version; call it on a handle bound to a transaction.
func (s *Store) insertImpactAssessment(ctx context.Context, a assessments.ImpactAssessment) (assessments.ImpactAssessment, error) {
	if a.ID == "" {
		a.ID = NewID()
	}
	a.Normalize()
	var maxVersion int
	if err := s.h.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM impact_assessments WHERE ai_system_id = ?", a.AISystemID).Scan(&maxVersion); err != nil {
		return a, fmt.Errorf("read impact assessments: %w", err)
	}
	if a.Version == 0 {
		a.Version = maxVersion + 1
	}
	if a.Version != maxVersion+1 {
		return a, fmt.Errorf("the next impact assessment version of this system is %d, not %d", maxVersion+1, a.Version)
	}
	if err := a.Validate(); err != nil {
		return a, err
	}
	now := s.stamp()
	// The row goes in as a draft, then its impacts, then the decision: the freeze
	// triggers refuse impacts added to a decided version.
	decided := a
	draft := a
	draft.Decision, draft.Approver, draft.DecisionDate, draft.Rationale, draft.Conditions = "", "", "", "", ""
	m := assessments.ImpactAssessmentMap(draft)
	cols := []string{"id", "ai_system_id", "engagement_id", "version", "last_step", "created_at", "updated_at", "updated_by"}
	args := []any{a.ID, a.AISystemID, a.EngagementID, a.Version, int(a.LastStep), now, now, s.author}
	for _, f := range impactColumns {
		cols = append(cols, impactColumn(f))
		args = append(args, m[f])
	}
	if _, err := s.h.ExecContext(ctx, `INSERT INTO impact_assessments(`+strings.Join(cols, ", ")+`) VALUES (`+placeholders(len(args))+`)`, args...); err != nil {
		return a, fmt.Errorf("save impact assessment: %w", err)
	}
	if err := writeImpactAreas(ctx, s.h, a); err != nil {
		return a, err
	}
	if decided.Frozen() {
		if _, err := s.h.ExecContext(ctx, `UPDATE impact_assessments SET decision=?, approver=?, decision_date=?, rationale=?, conditions=? WHERE id=?`,
			string(decided.Decision), decided.Approver, decided.DecisionDate, decided.Rationale, decided.Conditions, a.ID); err != nil {
			return a, fmt.Errorf("save impact assessment decision: %w", err)
		}
	}
	created := assessments.ImpactAssessmentMap(a)
	created["created"] = "yes"
	created["ai_system_id"] = a.AISystemID
	created["version"] = strconv.Itoa(a.Version)
	fields := append([]string{"created", "ai_system_id", "version"}, assessments.ImpactAssessmentFields()...)
	if err := s.Record(ctx, a.EngagementID, "impact_assessment", a.ID, impactEntity.recorded(Diff(fields, map[string]string{}, created))); err != nil {
		return a, err
	}
	return s.ImpactAssessment(ctx, a.ID)
}

func writeImpactAreas(ctx context.Context, h Handler, a assessments.ImpactAssessment) error {
	for _, im := range a.Impacts {
		m := assessments.ImpactAssessmentMap(assessments.ImpactAssessment{Impacts: []assessments.Impact{im}})
		f := func(name string) string { return m[assessments.ImpactField(im.Area, name)] }
		if _, err := h.ExecContext(ctx, `INSERT INTO impact_areas(assessment_id, area, effect, description, severity, likelihood, reversibility,
			scale, measures, measures_note, residual_severity, residual_likelihood) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (assessment_id, area) DO UPDATE SET effect=excluded.effect, description=excluded.description, severity=excluded.severity,
			likelihood=excluded.likelihood, reversibility=excluded.reversibility, scale=excluded.scale, measures=excluded.measures,
			measures_note=excluded.measures_note, residual_severity=excluded.residual_severity, residual_likelihood=excluded.residual_likelihood`,
			a.ID, string(im.Area), string(im.Effect), im.Description, im.Severity, im.Likelihood, string(im.Reversibility),
			string(im.Scale), f("measures"), im.MeasuresNote, im.ResidualSeverity, im.ResidualLikelihood); err != nil {
			return fmt.Errorf("save impact %s: %w", im.Area.Label(), err)
		}
	}
	return nil
}

// impactEntity is how update saves a draft version of an impact assessment. A decided
// version is frozen; where the wizard stands (last_step) is written but not recorded.
var impactEntity = entity[assessments.ImpactAssessment]{
	name:    "impact_assessment",
	fields:  assessments.ImpactAssessmentFields(),
	quiet:   map[string]bool{"last_step": true},
	toMap:   assessments.ImpactAssessmentMap,
	fromMap: assessments.ImpactAssessmentFromMap,
	load: func(ctx context.Context, tx *Store, key assessments.ImpactAssessment) (assessments.ImpactAssessment, error) {
		return tx.ImpactAssessment(ctx, key.ID)
	},
	editable: assessments.ImpactAssessment.CheckEditable,
	validate: func(_ context.Context, _ *Store, _, next assessments.ImpactAssessment) error { return next.Validate() },
	write: func(ctx context.Context, tx *Store, stored, next assessments.ImpactAssessment, _ []FieldDiff) error {
		// The areas first: the freeze triggers refuse them once the row carries a decision.
		if err := writeImpactAreas(ctx, tx.h, next); err != nil {
			return err
		}
		m := assessments.ImpactAssessmentMap(next)
		sets := make([]string, 0, len(impactColumns)+3)
		args := make([]any, 0, len(impactColumns)+4)
		for _, f := range impactColumns {
			sets = append(sets, impactColumn(f)+"=?")
			args = append(args, m[f])
		}
		sets = append(sets, "last_step=?", "updated_at=?", "updated_by=?")
		args = append(args, int(next.LastStep), tx.stamp(), tx.author, stored.ID)
		if _, err := tx.h.ExecContext(ctx, `UPDATE impact_assessments SET `+strings.Join(sets, ", ")+` WHERE id=?`, args...); err != nil {
			return fmt.Errorf("save impact assessment: %w", err)
		}
		return nil
	},
	ids: func(a assessments.ImpactAssessment) (string, string) { return a.ID, a.EngagementID },
	label: func(a assessments.ImpactAssessment) string {
		return fmt.Sprintf("impact assessment version %d", a.Version)
	},
	labels: func() map[string]string {
		m := map[string]string{"class_override": "impact class", "override_reason": "reason for the class"}
		for _, area := range assessments.ImpactAreas {
			for _, f := range assessments.ImpactFields {
				m[assessments.ImpactField(area, f)] = strings.ToLower(area.Label()) + ": " + strings.ReplaceAll(f, "_", " ")
			}
		}
		return m
	}(),
	words: func(field, v string) string {
		switch field {
		case "trigger":
			return assessments.Trigger(v).Label()
		case "decision":
			return assessments.Decision(v).Label()
		}
		if _, f, ok := strings.Cut(strings.TrimPrefix(field, "impact."), "."); ok && strings.HasPrefix(field, "impact.") {
			switch f {
			case "effect":
				return assessments.Effect(v).Label()
			case "reversibility":
				return assessments.Reversibility(v).Label()
			case "scale":
				return assessments.ImpactScale(v).Label()
			}
		}
		return v
	},
}

// UpdateImpactAssessment saves one wizard step (or any edit) of a draft version: the fields
// that differ between before (what the caller showed) and after are merged onto the stored
// version and written with their change rows, in one transaction (the single update path,
// update.go). A decided version is refused with an *assessments.FrozenError; a field
// changed elsewhere meanwhile with a *ConflictError; a malformed value, or a decision on
// an incomplete assessment, with an *assessments.ValidationError.
func (s *Store) UpdateImpactAssessment(ctx context.Context, before, after assessments.ImpactAssessment) (assessments.ImpactAssessment, error) {
	if before.ID != after.ID {
		return before, errors.New("save impact assessment: before and after name different versions")
	}
	return update(ctx, s, impactEntity, before, after)
}

// DeleteImpactAssessment removes a draft version. A decided version is part of the record
// and is refused with an *assessments.FrozenError.
func (s *Store) DeleteImpactAssessment(ctx context.Context, id string) error {
	return s.WithTx(ctx, func(tx *Store) error {
		a, err := tx.ImpactAssessment(ctx, id)
		if err != nil {
			return err
		}
		if err := a.CheckEditable(); err != nil {
			return err
		}
		if _, err := tx.h.ExecContext(ctx, "DELETE FROM impact_assessments WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete impact assessment: %w", err)
		}
		return tx.Record(ctx, a.EngagementID, "impact_assessment", id, []FieldDiff{{Field: "deleted", Old: fmt.Sprintf("version %d (draft)", a.Version), New: "yes"}})
	})
}

// ImpactAssessment loads one version.
func (s *Store) ImpactAssessment(ctx context.Context, id string) (assessments.ImpactAssessment, error) {
	list, err := s.queryImpactAssessments(ctx, "WHERE id = ?", id)
	if err != nil {
		return assessments.ImpactAssessment{}, err
	}
	if len(list) == 0 {
		return assessments.ImpactAssessment{}, fmt.Errorf("impact assessment %s: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// ImpactAssessments lists every version of a system's assessment, newest first.
func (s *Store) ImpactAssessments(ctx context.Context, aiSystemID string) ([]assessments.ImpactAssessment, error) {
	return s.queryImpactAssessments(ctx, "WHERE ai_system_id = ?", aiSystemID)
}

// EngagementImpactAssessments lists every version of every system of an engagement,
// keyed by AI system id, newest first.
func (s *Store) EngagementImpactAssessments(ctx context.Context, engagementID string) (map[string][]assessments.ImpactAssessment, error) {
	list, err := s.queryImpactAssessments(ctx, "WHERE engagement_id = ?", engagementID)
	if err != nil {
		return nil, err
	}
	out := map[string][]assessments.ImpactAssessment{}
	for _, a := range list {
		out[a.AISystemID] = append(out[a.AISystemID], a)
	}
	return out, nil
}

// ImpactAssessmentStatus summarises an engagement's impact assessments for the gap
// analysis and the dashboard: versions, the latest state per system, overdue reviews.
func (s *Store) ImpactAssessmentStatus(ctx context.Context, engagementID string) (assessments.ImpactSummary, error) {
	systems, err := s.AISystems(ctx, engagementID)
	if err != nil {
		return assessments.ImpactSummary{}, err
	}
	versions, err := s.EngagementImpactAssessments(ctx, engagementID)
	if err != nil {
		return assessments.ImpactSummary{}, err
	}
	return assessments.SummarizeImpacts(systems, versions, s.now()), nil
}

func (s *Store) queryImpactAssessments(ctx context.Context, where string, args ...any) ([]assessments.ImpactAssessment, error) {
	cols := make([]string, len(impactColumns))
	for i, f := range impactColumns {
		cols[i] = impactColumn(f)
	}
	rows, err := s.h.QueryContext(ctx, `SELECT id, ai_system_id, engagement_id, version, last_step, created_at, updated_at, updated_by, `+
		strings.Join(cols, ", ")+` FROM impact_assessments `+where+` ORDER BY ai_system_id, version DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("read impact assessments: %w", err)
	}
	type loaded struct {
		base assessments.ImpactAssessment
		m    map[string]string
	}
	var found []loaded
	for rows.Next() {
		var a assessments.ImpactAssessment
		var step int
		var created, updated string
		vals := make([]string, len(impactColumns))
		dst := []any{&a.ID, &a.AISystemID, &a.EngagementID, &a.Version, &step, &created, &updated, &a.UpdatedBy}
		for i := range vals {
			dst = append(dst, &vals[i])
		}
		if err := rows.Scan(dst...); err != nil {
			rows.Close()
			return nil, err
		}
		a.LastStep = assessments.ImpactStep(step)
		a.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		a.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
		m := map[string]string{"last_step": strconv.Itoa(step)}
		for i, f := range impactColumns {
			m[f] = vals[i]
		}
		found = append(found, loaded{a, m})
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, err
	}
	rows.Close()
	out := make([]assessments.ImpactAssessment, 0, len(found))
	for _, l := range found {
		if err := loadImpactAreas(ctx, s.h, l.base.ID, l.m); err != nil {
			return nil, err
		}
		a, err := assessments.ImpactAssessmentFromMap(l.base, l.m)
		if err != nil {
			return nil, fmt.Errorf("impact assessment %s: %w", l.base.ID, err)
		}
		out = append(out, a)
	}
	return out, nil
}

func loadImpactAreas(ctx context.Context, h Handler, id string, m map[string]string) error {
	rows, err := h.QueryContext(ctx, `SELECT area, effect, description, severity, likelihood, reversibility, scale, measures, measures_note,
		residual_severity, residual_likelihood FROM impact_areas WHERE assessment_id = ?`, id)
	if err != nil {
		return fmt.Errorf("read impacts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var area string
		vals := make([]string, len(assessments.ImpactFields))
		dst := []any{&area}
		for i := range vals {
			dst = append(dst, &vals[i])
		}
		if err := rows.Scan(dst...); err != nil {
			return err
		}
		for i, f := range assessments.ImpactFields {
			m[assessments.ImpactField(assessments.ImpactArea(area), f)] = vals[i]
		}
	}
	return rows.Err()
}

// ---- risks raised from impacts ----

// ImpactRiskLink is a risk of the register raised from one area of one version.
type ImpactRiskLink struct {
	AssessmentID string
	Area         assessments.ImpactArea
	RiskID       string
	CreatedAt    string
}

// LinkImpactRisk records that a risk was raised from an area. It is not an edit of the
// (possibly frozen) assessment, so it is allowed on any version.
func (s *Store) LinkImpactRisk(ctx context.Context, a assessments.ImpactAssessment, area assessments.ImpactArea, riskID string) error {
	return s.WithTx(ctx, func(tx *Store) error {
		if _, err := tx.h.ExecContext(ctx, `INSERT INTO impact_risk_links(assessment_id, area, risk_id, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, a.ID, string(area), riskID, tx.stamp()); err != nil {
			return fmt.Errorf("link risk to impact: %w", err)
		}
		return tx.Record(ctx, a.EngagementID, "impact_assessment", a.ID, []FieldDiff{{Field: assessments.ImpactField(area, "risk"), Old: "", New: riskID}})
	})
}

// ImpactRiskLinks lists the risks raised from a version's areas, oldest first.
func (s *Store) ImpactRiskLinks(ctx context.Context, assessmentID string) ([]ImpactRiskLink, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT assessment_id, area, risk_id, created_at FROM impact_risk_links WHERE assessment_id = ?
		ORDER BY created_at, risk_id`, assessmentID)
	if err != nil {
		return nil, fmt.Errorf("read risk links: %w", err)
	}
	defer rows.Close()
	var out []ImpactRiskLink
	for rows.Next() {
		var l ImpactRiskLink
		var area string
		if err := rows.Scan(&l.AssessmentID, &area, &l.RiskID, &l.CreatedAt); err != nil {
			return nil, err
		}
		l.Area = assessments.ImpactArea(area)
		out = append(out, l)
	}
	return out, rows.Err()
}

// CreateRiskFromImpact raises an AI risk in the register from a harm of an impact area,
// prefilled by assessments.RiskFromImpact, and links it to the area, in one transaction.
// A second risk from the same area is refused while the first one exists. label names a
// requirement in the risk's text (nil: "standard ref").
func (s *Store) CreateRiskFromImpact(ctx context.Context, assessmentID string, area assessments.ImpactArea,
	label func(assessments.ControlRef) string) (assessments.Risk, error) {
	var saved assessments.Risk
	err := s.WithTx(ctx, func(tx *Store) error {
		a, err := tx.ImpactAssessment(ctx, assessmentID)
		if err != nil {
			return err
		}
		var existing string
		err = tx.h.QueryRowContext(ctx, `SELECT r.ref FROM impact_risk_links l JOIN risks r ON r.id = l.risk_id
			WHERE l.assessment_id = ? AND l.area = ? ORDER BY r.seq LIMIT 1`, a.ID, string(area)).Scan(&existing)
		switch {
		case err == nil:
			return fmt.Errorf("risk %s was already raised from this area (%s of version %d)", existing, area.Label(), a.Version)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("read risk links: %w", err)
		}
		sys, err := tx.AISystem(ctx, a.AISystemID)
		if err != nil {
			return err
		}
		m, err := tx.RiskMatrix(ctx, a.EngagementID)
		if err != nil {
			return err
		}
		r, err := assessments.RiskFromImpact(sys, a, area, m.Size, label)
		if err != nil {
			return err
		}
		if saved, err = tx.createRisk(ctx, r); err != nil {
			return err
		}
		return tx.LinkImpactRisk(ctx, a, area, saved.ID)
	})
	return saved, err
}

// ImpactRisks lists, per area of a version, the register's risks raised from it that still
// exist, in the order they were raised.
func (s *Store) ImpactRisks(ctx context.Context, assessmentID string) (map[assessments.ImpactArea][]assessments.Risk, error) {
	links, err := s.ImpactRiskLinks(ctx, assessmentID)
	if err != nil {
		return nil, err
	}
	out := map[assessments.ImpactArea][]assessments.Risk{}
	for _, l := range links {
		r, err := s.Risk(ctx, l.RiskID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[l.Area] = append(out[l.Area], r)
	}
	return out, nil
}
