package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/annex-grc/annex/assessments"
)

// riskFields are the fields of a risk the change history tracks, in form order.
var riskFields = []string{
	"title", "description", "scope", "approach", "risk_source", "threat", "vulnerability", "scenario", "asset",
	"ai_system_id", "owner", "properties", "objectives", "risk_sources", "consequence_org", "consequence_individuals",
	"consequence_society", "inherent_likelihood", "inherent_consequence", "existing_controls", "treatment",
	"treatment_plan", "controls", "residual_likelihood", "residual_consequence", "accepted_by", "accepted_on",
	"acceptance_rationale", "accepted_likelihood", "accepted_consequence", "review_date", "status",
}

func itoa(n int) string { return strconv.Itoa(n) }

func riskMap(r assessments.Risk) map[string]string {
	controls := append([]assessments.ControlRef(nil), r.Controls...)
	assessments.SortControls(controls)
	cs := make([]string, len(controls))
	for i, c := range controls {
		cs[i] = c.String()
	}
	m := map[string]string{
		"title": r.Title, "description": r.Description, "scope": string(r.Scope), "approach": string(r.Approach),
		"risk_source": r.Source, "threat": r.Threat, "vulnerability": r.Vulnerability, "scenario": r.Scenario,
		"asset": r.Asset, "ai_system_id": r.AISystemID, "owner": r.Owner,
		"properties": strings.Join(r.Properties, ","), "objectives": strings.Join(r.Objectives, ","),
		"risk_sources": strings.Join(r.Sources, ","), "consequence_org": r.ConsequenceOrg,
		"consequence_individuals": r.ConsequenceIndividuals, "consequence_society": r.ConsequenceSociety,
		"inherent_likelihood": itoa(r.Inherent.Likelihood), "inherent_consequence": itoa(r.Inherent.Consequence),
		"existing_controls": r.ExistingControls, "treatment": string(r.Treatment), "treatment_plan": r.TreatmentPlan,
		"controls":            strings.Join(cs, ","),
		"residual_likelihood": itoa(r.Residual.Likelihood), "residual_consequence": itoa(r.Residual.Consequence),
		"accepted_by": "", "accepted_on": "", "acceptance_rationale": "", "accepted_likelihood": "0", "accepted_consequence": "0",
		"review_date": r.ReviewDate, "status": string(r.EffectiveStatus()),
	}
	if a := r.Acceptance; a != nil {
		m["accepted_by"], m["accepted_on"], m["acceptance_rationale"] = a.By, a.Date, a.Rationale
		m["accepted_likelihood"], m["accepted_consequence"] = itoa(a.Residual.Likelihood), itoa(a.Residual.Consequence)
	}
	return m
}

func splitTokens(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// riskFromMap rebuilds a risk from its field map (the inverse of riskMap).
func riskFromMap(base assessments.Risk, m map[string]string) (assessments.Risk, error) {
	r := base
	num := func(field string) (int, error) {
		n, err := strconv.Atoi(m[field])
		if err != nil {
			return 0, fmt.Errorf("%s %q is not a number", strings.ReplaceAll(field, "_", " "), m[field])
		}
		return n, nil
	}
	var err error
	ints := map[string]*int{
		"inherent_likelihood": &r.Inherent.Likelihood, "inherent_consequence": &r.Inherent.Consequence,
		"residual_likelihood": &r.Residual.Likelihood, "residual_consequence": &r.Residual.Consequence,
	}
	for f, p := range ints {
		if *p, err = num(f); err != nil {
			return r, err
		}
	}
	r.Title, r.Description, r.Scope, r.Approach = m["title"], m["description"], assessments.RiskScope(m["scope"]), assessments.RiskApproach(m["approach"])
	r.Source, r.Threat, r.Vulnerability, r.Scenario = m["risk_source"], m["threat"], m["vulnerability"], m["scenario"]
	r.Asset, r.AISystemID, r.Owner = m["asset"], m["ai_system_id"], m["owner"]
	r.Properties, r.Objectives, r.Sources = splitTokens(m["properties"]), splitTokens(m["objectives"]), splitTokens(m["risk_sources"])
	r.ConsequenceOrg, r.ConsequenceIndividuals, r.ConsequenceSociety = m["consequence_org"], m["consequence_individuals"], m["consequence_society"]
	r.ExistingControls, r.Treatment, r.TreatmentPlan = m["existing_controls"], assessments.Treatment(m["treatment"]), m["treatment_plan"]
	r.ReviewDate, r.Status = m["review_date"], assessments.RiskStatus(m["status"])
	r.Controls = nil
	for _, c := range splitTokens(m["controls"]) {
		ref, err := assessments.ParseControlRef(c)
		if err != nil {
			return r, err
		}
		r.Controls = append(r.Controls, ref)
	}
	r.Acceptance = nil
	if m["accepted_by"] != "" || m["accepted_on"] != "" || m["acceptance_rationale"] != "" {
		a := &assessments.Acceptance{By: m["accepted_by"], Date: m["accepted_on"], Rationale: m["acceptance_rationale"]}
		if a.Residual.Likelihood, err = num("accepted_likelihood"); err != nil {
			return r, err
		}
		if a.Residual.Consequence, err = num("accepted_consequence"); err != nil {
			return r, err
		}
		r.Acceptance = a
	}
	return r, nil
}

// RiskEntity is how the change history names a risk ("risk"); the entity id is the risk's id.
const RiskEntity = "risk"

// RiskMatrix loads the engagement's risk matrix; an engagement that never chose one has
// the default 5x5 matrix.
func (s *Store) RiskMatrix(ctx context.Context, engagementID string) (assessments.Matrix, error) {
	var m assessments.Matrix
	var ll, cl, lv, cells string
	err := s.h.QueryRowContext(ctx, `SELECT size, likelihood_labels, consequence_labels, level_names, cells, threshold
		FROM risk_matrices WHERE engagement_id = ?`, engagementID).Scan(&m.Size, &ll, &cl, &lv, &cells, &m.Threshold)
	if errors.Is(err, sql.ErrNoRows) {
		return assessments.DefaultMatrix(assessments.DefaultMatrixSize), nil
	}
	if err != nil {
		return m, fmt.Errorf("read risk matrix: %w", err)
	}
	for _, x := range []struct {
		text string
		into any
	}{{ll, &m.LikelihoodLabels}, {cl, &m.ConsequenceLabels}, {lv, &m.LevelNames}, {cells, &m.Cells}} {
		if err := json.Unmarshal([]byte(x.text), x.into); err != nil {
			return m, fmt.Errorf("read risk matrix: damaged labels or cells: %w", err)
		}
	}
	return m, nil
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

var matrixFields = []string{"size", "likelihood_labels", "consequence_labels", "level_names", "cells", "threshold"}

func matrixMap(m assessments.Matrix) map[string]string {
	return map[string]string{
		"size": itoa(m.Size), "likelihood_labels": jsonText(m.LikelihoodLabels), "consequence_labels": jsonText(m.ConsequenceLabels),
		"level_names": jsonText(m.LevelNames), "cells": jsonText(m.Cells), "threshold": itoa(m.Threshold),
	}
}

func matrixFromMap(m map[string]string) (assessments.Matrix, error) {
	var out assessments.Matrix
	var err error
	if out.Size, err = strconv.Atoi(m["size"]); err != nil {
		return out, fmt.Errorf("matrix size %q is not a number", m["size"])
	}
	if out.Threshold, err = strconv.Atoi(m["threshold"]); err != nil {
		return out, fmt.Errorf("matrix threshold %q is not a number", m["threshold"])
	}
	for _, x := range []struct {
		field string
		into  any
	}{{"likelihood_labels", &out.LikelihoodLabels}, {"consequence_labels", &out.ConsequenceLabels}, {"level_names", &out.LevelNames}, {"cells", &out.Cells}} {
		if err := json.Unmarshal([]byte(m[x.field]), x.into); err != nil {
			return out, fmt.Errorf("matrix %s: %w", strings.ReplaceAll(x.field, "_", " "), err)
		}
	}
	return out, nil
}

// engagementMatrix is a matrix with the engagement it belongs to, as update handles it.
type engagementMatrix struct {
	EngagementID string
	assessments.Matrix
}

// matrixEntity is how update saves a risk matrix. A new size rescales every risk of the
// engagement in the same transaction.
var matrixEntity = entity[engagementMatrix]{
	name:   "risk_matrix",
	fields: matrixFields,
	toMap:  func(m engagementMatrix) map[string]string { return matrixMap(m.Matrix) },
	fromMap: func(stored engagementMatrix, m map[string]string) (engagementMatrix, error) {
		mx, err := matrixFromMap(m)
		return engagementMatrix{stored.EngagementID, mx}, err
	},
	load: func(ctx context.Context, tx *Store, key engagementMatrix) (engagementMatrix, error) {
		m, err := tx.RiskMatrix(ctx, key.EngagementID)
		return engagementMatrix{key.EngagementID, m}, err
	},
	validate: func(_ context.Context, _ *Store, _, next engagementMatrix) error { return next.Validate() },
	write: func(ctx context.Context, tx *Store, stored, next engagementMatrix, _ []FieldDiff) error {
		m := matrixMap(next.Matrix)
		if _, err := tx.h.ExecContext(ctx, `INSERT INTO risk_matrices(engagement_id, size, likelihood_labels, consequence_labels, level_names, cells, threshold, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (engagement_id) DO UPDATE SET size=excluded.size, likelihood_labels=excluded.likelihood_labels,
			consequence_labels=excluded.consequence_labels, level_names=excluded.level_names, cells=excluded.cells,
			threshold=excluded.threshold, updated_at=excluded.updated_at, updated_by=excluded.updated_by`,
			next.EngagementID, next.Size, m["likelihood_labels"], m["consequence_labels"], m["level_names"], m["cells"], next.Threshold,
			tx.stamp(), tx.author); err != nil {
			return fmt.Errorf("save risk matrix: %w", err)
		}
		if stored.Size == next.Size {
			return nil
		}
		risks, err := tx.queryRisks(ctx, "WHERE r.engagement_id = ?", next.EngagementID)
		if err != nil {
			return err
		}
		for _, r := range risks {
			rescaled := assessments.ApplyRescale(r, stored.Size, next.Size)
			// Only the scores move; a retained risk that lands above the threshold is
			// flagged in the register (NeedsAcceptance) rather than blocking the change.
			if !next.InRange(rescaled.Inherent) || (rescaled.Residual.Set() && !next.InRange(rescaled.Residual)) {
				return fmt.Errorf("rescale %s: the new scores do not fit the %dx%d matrix", r.Ref, next.Size, next.Size)
			}
			diffs := Diff(riskFields, riskMap(r), riskMap(rescaled))
			if len(diffs) == 0 {
				continue
			}
			if err := tx.writeRisk(ctx, r, rescaled); err != nil {
				return fmt.Errorf("rescale %s: %w", r.Ref, err)
			}
			if err := tx.Record(ctx, r.EngagementID, RiskEntity, r.ID, diffs); err != nil {
				return err
			}
		}
		return nil
	},
	ids:    func(m engagementMatrix) (string, string) { return m.EngagementID, m.EngagementID },
	label:  func(engagementMatrix) string { return "risk matrix" },
	labels: map[string]string{"threshold": "acceptance threshold"},
	words: func(field, v string) string {
		switch field {
		case "size":
			return v + "×" + v
		case "likelihood_labels", "consequence_labels", "level_names":
			var labels []string
			if json.Unmarshal([]byte(v), &labels) == nil {
				return strings.Join(labels, ", ")
			}
		}
		return v
	},
}

// SaveRiskMatrix saves the fields of the engagement's matrix that differ between before
// (the matrix the caller showed) and after onto the stored matrix (the single update path,
// update.go): a field changed elsewhere meanwhile is a *ConflictError, a matrix that breaks
// a rule a *assessments.ValidationError. When the size changes, every risk of the
// engagement is rescaled (assessments.ApplyRescale, as assessments.Rescale previewed) in
// the same transaction, each with its change rows.
func (s *Store) SaveRiskMatrix(ctx context.Context, engagementID string, before, after assessments.Matrix) (assessments.Matrix, error) {
	saved, err := update(ctx, s, matrixEntity, engagementMatrix{engagementID, before}, engagementMatrix{engagementID, after})
	return saved.Matrix, err
}

// CreateRisk stores a new risk: its id and its ref (the engagement's next R-nnn) are
// allocated inside the transaction. A risk that breaks a rule of the engagement's matrix
// (scores off the matrix, retained above the threshold without acceptance, no title) is
// refused with a *assessments.ValidationError and nothing is written.
func (s *Store) CreateRisk(ctx context.Context, r assessments.Risk) (assessments.Risk, error) {
	var saved assessments.Risk
	err := s.WithTx(ctx, func(tx *Store) error {
		var err error
		saved, err = tx.createRisk(ctx, r)
		return err
	})
	return saved, err
}

// CreateRisks stores many risks in one transaction (imports, the large demo). One bad
// risk refuses them all.
func (s *Store) CreateRisks(ctx context.Context, risks []assessments.Risk) ([]assessments.Risk, error) {
	out := make([]assessments.Risk, 0, len(risks))
	err := s.WithTx(ctx, func(tx *Store) error {
		for _, r := range risks {
			saved, err := tx.createRisk(ctx, r)
			if err != nil {
				return fmt.Errorf("risk %q: %w", r.Title, err)
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

// createRisk inserts a risk; call it on a handle bound to a transaction.
func (s *Store) createRisk(ctx context.Context, r assessments.Risk) (assessments.Risk, error) {
	if r.EngagementID == "" {
		return r, errors.New("save risk: no engagement given")
	}
	if r.ID == "" {
		r.ID = NewID()
	}
	if r.Status == "" {
		r.Status = assessments.RiskOpen
	}
	m, err := s.RiskMatrix(ctx, r.EngagementID)
	if err != nil {
		return r, err
	}
	if err := r.Validate(m, nil); err != nil {
		return r, err
	}
	var seq int
	if err := s.h.QueryRowContext(ctx, `INSERT INTO risk_sequences(engagement_id, last) VALUES (?, 1)
		ON CONFLICT (engagement_id) DO UPDATE SET last = risk_sequences.last + 1 RETURNING last`, r.EngagementID).Scan(&seq); err != nil {
		return r, fmt.Errorf("allocate a risk reference: %w", err)
	}
	r.Ref = assessments.RiskRef(seq)
	now := s.stamp()
	fm := riskMap(r)
	if _, err := s.h.ExecContext(ctx, `INSERT INTO risks(id, engagement_id, seq, ref, title, description, scope, approach, risk_source,
		threat, vulnerability, scenario, asset, ai_system_id, owner, properties, objectives, risk_sources, consequence_org,
		consequence_individuals, consequence_society, inherent_likelihood, inherent_consequence, existing_controls, treatment,
		treatment_plan, residual_likelihood, residual_consequence, accepted_by, accepted_on, acceptance_rationale,
		accepted_likelihood, accepted_consequence, review_date, status, created_at, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.EngagementID, seq, r.Ref, fm["title"], fm["description"], fm["scope"], fm["approach"], fm["risk_source"],
		fm["threat"], fm["vulnerability"], fm["scenario"], fm["asset"], fm["ai_system_id"], fm["owner"], fm["properties"],
		fm["objectives"], fm["risk_sources"], fm["consequence_org"], fm["consequence_individuals"], fm["consequence_society"],
		r.Inherent.Likelihood, r.Inherent.Consequence, fm["existing_controls"], fm["treatment"], fm["treatment_plan"],
		r.Residual.Likelihood, r.Residual.Consequence, fm["accepted_by"], fm["accepted_on"], fm["acceptance_rationale"],
		fm["accepted_likelihood"], fm["accepted_consequence"], fm["review_date"], fm["status"], now, now, s.author); err != nil {
		return r, fmt.Errorf("save risk: %w", err)
	}
	if err := writeRiskControls(ctx, s.h, r.ID, r.Controls); err != nil {
		return r, err
	}
	created := withCreated(fm)
	created["ref"] = r.Ref
	if err := s.Record(ctx, r.EngagementID, RiskEntity, r.ID, Diff(append([]string{"created", "ref"}, riskFields...), map[string]string{}, created)); err != nil {
		return r, err
	}
	return s.Risk(ctx, r.ID)
}

func writeRiskControls(ctx context.Context, h Handler, riskID string, controls []assessments.ControlRef) error {
	if _, err := h.ExecContext(ctx, "DELETE FROM risk_controls WHERE risk_id = ?", riskID); err != nil {
		return fmt.Errorf("save linked controls: %w", err)
	}
	cs := append([]assessments.ControlRef(nil), controls...)
	assessments.SortControls(cs)
	for i, c := range cs {
		if _, err := h.ExecContext(ctx, "INSERT INTO risk_controls(risk_id, standard, ref, position) VALUES (?, ?, ?, ?)", riskID, c.Standard, c.Ref, i); err != nil {
			return fmt.Errorf("save linked control %s %s: %w", c.Standard, c.Ref, err)
		}
	}
	return nil
}

// riskEntity is how update saves a risk. An acceptance record is frozen: it may be
// withdrawn or replaced by a new one, never rewritten in place.
var riskEntity = entity[assessments.Risk]{
	name:    RiskEntity,
	fields:  riskFields,
	toMap:   riskMap,
	fromMap: riskFromMap,
	load: func(ctx context.Context, tx *Store, key assessments.Risk) (assessments.Risk, error) {
		return tx.Risk(ctx, key.ID)
	},
	validate: func(ctx context.Context, tx *Store, stored, next assessments.Risk) error {
		if err := assessments.CheckAcceptanceFrozen(stored.Acceptance, next.Acceptance); err != nil {
			return err
		}
		m, err := tx.RiskMatrix(ctx, stored.EngagementID)
		if err != nil {
			return err
		}
		return next.Validate(m, nil)
	},
	write: func(ctx context.Context, tx *Store, stored, next assessments.Risk, _ []FieldDiff) error {
		return tx.writeRisk(ctx, stored, next)
	},
	ids:   func(r assessments.Risk) (string, string) { return r.ID, r.EngagementID },
	label: func(r assessments.Risk) string { return "risk " + r.Ref },
	labels: map[string]string{
		"ai_system_id": "AI system", "consequence_org": "consequence for the organisation",
		"consequence_individuals": "consequence for individuals", "consequence_society": "consequence for society",
		"accepted_on": "acceptance date", "accepted_by": "accepted by",
	},
	words: func(field, v string) string {
		switch field {
		case "scope":
			return assessments.RiskScope(v).Label()
		case "approach":
			return assessments.RiskApproach(v).Label()
		case "treatment":
			return assessments.Treatment(v).Label()
		case "status":
			return assessments.RiskStatus(v).Label()
		case "inherent_likelihood", "inherent_consequence", "residual_likelihood", "residual_consequence",
			"accepted_likelihood", "accepted_consequence":
			if v == "0" {
				return "not scored"
			}
		case "properties", "objectives", "risk_sources", "controls":
			return listWords(v, underscores)
		}
		return v
	},
}

// UpdateRisk saves the fields that differ between before (what the caller showed) and
// after onto the stored risk, with their change rows, in one transaction (the single
// update path, update.go). A field another process changed meanwhile is a *ConflictError;
// a risk that breaks a rule is a *assessments.ValidationError; either way nothing is
// written. An acceptance record is frozen: it may be withdrawn or replaced by a new one,
// never rewritten in place.
func (s *Store) UpdateRisk(ctx context.Context, before, after assessments.Risk) (assessments.Risk, error) {
	if before.ID == "" || before.ID != after.ID {
		return before, errors.New("save risk: before and after name different risks")
	}
	return update(ctx, s, riskEntity, before, after)
}

// writeRisk writes next over the stored risk cur, its linked controls included.
func (s *Store) writeRisk(ctx context.Context, cur, next assessments.Risk) error {
	fm := riskMap(next)
	if _, err := s.h.ExecContext(ctx, `UPDATE risks SET title=?, description=?, scope=?, approach=?, risk_source=?, threat=?,
		vulnerability=?, scenario=?, asset=?, ai_system_id=?, owner=?, properties=?, objectives=?, risk_sources=?,
		consequence_org=?, consequence_individuals=?, consequence_society=?, inherent_likelihood=?, inherent_consequence=?,
		existing_controls=?, treatment=?, treatment_plan=?, residual_likelihood=?, residual_consequence=?, accepted_by=?,
		accepted_on=?, acceptance_rationale=?, accepted_likelihood=?, accepted_consequence=?, review_date=?, status=?,
		updated_at=?, updated_by=? WHERE id=?`,
		fm["title"], fm["description"], fm["scope"], fm["approach"], fm["risk_source"], fm["threat"], fm["vulnerability"],
		fm["scenario"], fm["asset"], fm["ai_system_id"], fm["owner"], fm["properties"], fm["objectives"], fm["risk_sources"],
		fm["consequence_org"], fm["consequence_individuals"], fm["consequence_society"], next.Inherent.Likelihood,
		next.Inherent.Consequence, fm["existing_controls"], fm["treatment"], fm["treatment_plan"], next.Residual.Likelihood,
		next.Residual.Consequence, fm["accepted_by"], fm["accepted_on"], fm["acceptance_rationale"], fm["accepted_likelihood"],
		fm["accepted_consequence"], fm["review_date"], fm["status"], s.stamp(), s.author, cur.ID); err != nil {
		return fmt.Errorf("save risk %s: %w", cur.Ref, err)
	}
	if riskMap(cur)["controls"] != fm["controls"] {
		return writeRiskControls(ctx, s.h, cur.ID, next.Controls)
	}
	return nil
}

// DeleteRisk removes a risk and its control links; the history keeps a row. Its ref is
// not handed out again.
func (s *Store) DeleteRisk(ctx context.Context, id string) error {
	return s.WithTx(ctx, func(tx *Store) error {
		r, err := tx.Risk(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.h.ExecContext(ctx, "DELETE FROM risks WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete risk %s: %w", r.Ref, err)
		}
		return tx.Record(ctx, r.EngagementID, RiskEntity, id, []FieldDiff{{Field: "deleted", Old: r.Ref + " " + r.Title, New: "yes"}})
	})
}

// Risk loads one risk by id.
func (s *Store) Risk(ctx context.Context, id string) (assessments.Risk, error) {
	list, err := s.queryRisks(ctx, "WHERE r.id = ?", id)
	if err != nil {
		return assessments.Risk{}, err
	}
	if len(list) == 0 {
		return assessments.Risk{}, fmt.Errorf("risk %s: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// Risks lists an engagement's risk register in ref order.
func (s *Store) Risks(ctx context.Context, engagementID string) ([]assessments.Risk, error) {
	return s.queryRisks(ctx, "WHERE r.engagement_id = ?", engagementID)
}

// RisksLinkingRequirement lists the risks of an engagement whose treatment links the
// requirement (standard, ref), in ref order.
func (s *Store) RisksLinkingRequirement(ctx context.Context, engagementID, standard, ref string) ([]assessments.Risk, error) {
	return s.queryRisks(ctx, `WHERE r.engagement_id = ? AND r.id IN
		(SELECT risk_id FROM risk_controls WHERE standard = ? AND ref = ?)`, engagementID, standard, ref)
}

// RiskInclusionReasons gives, per requirement of a standard linked by a risk treatment,
// the inclusion reasons for the Statement of Applicability ("risk treatment: R-003").
func (s *Store) RiskInclusionReasons(ctx context.Context, engagementID, standard string) (map[string][]string, error) {
	risks, err := s.queryRisks(ctx, `WHERE r.engagement_id = ? AND r.id IN (SELECT risk_id FROM risk_controls WHERE standard = ?)`,
		engagementID, standard)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, r := range risks {
		for _, c := range r.Controls {
			if c.Standard == standard && out[c.Ref] == nil {
				out[c.Ref] = assessments.InclusionFromRisks(risks, standard, c.Ref)
			}
		}
	}
	return out, nil
}

func (s *Store) queryRisks(ctx context.Context, where string, args ...any) ([]assessments.Risk, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT r.id, r.engagement_id, r.ref, r.title, r.description, r.scope, r.approach, r.risk_source,
		r.threat, r.vulnerability, r.scenario, r.asset, r.ai_system_id, r.owner, r.properties, r.objectives, r.risk_sources,
		r.consequence_org, r.consequence_individuals, r.consequence_society, r.inherent_likelihood, r.inherent_consequence,
		r.existing_controls, r.treatment, r.treatment_plan, r.residual_likelihood, r.residual_consequence, r.accepted_by,
		r.accepted_on, r.acceptance_rationale, r.accepted_likelihood, r.accepted_consequence, r.review_date, r.status,
		r.created_at, r.updated_at, r.updated_by
		FROM risks r `+where+` ORDER BY r.engagement_id, r.seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("read risks: %w", err)
	}
	defer rows.Close()
	var out []assessments.Risk
	for rows.Next() {
		var r assessments.Risk
		var scope, approach, props, objs, srcs, treatment, status, created, updated string
		var acc assessments.Acceptance
		if err := rows.Scan(&r.ID, &r.EngagementID, &r.Ref, &r.Title, &r.Description, &scope, &approach, &r.Source,
			&r.Threat, &r.Vulnerability, &r.Scenario, &r.Asset, &r.AISystemID, &r.Owner, &props, &objs, &srcs,
			&r.ConsequenceOrg, &r.ConsequenceIndividuals, &r.ConsequenceSociety, &r.Inherent.Likelihood, &r.Inherent.Consequence,
			&r.ExistingControls, &treatment, &r.TreatmentPlan, &r.Residual.Likelihood, &r.Residual.Consequence, &acc.By,
			&acc.Date, &acc.Rationale, &acc.Residual.Likelihood, &acc.Residual.Consequence, &r.ReviewDate, &status,
			&created, &updated, &r.UpdatedBy); err != nil {
			return nil, err
		}
		r.Scope, r.Approach = assessments.RiskScope(scope), assessments.RiskApproach(approach)
		r.Treatment, r.Status = assessments.Treatment(treatment), assessments.RiskStatus(status)
		r.Properties, r.Objectives, r.Sources = splitTokens(props), splitTokens(objs), splitTokens(srcs)
		r.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		r.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
		if acc.By != "" || acc.Date != "" || acc.Rationale != "" {
			a := acc
			r.Acceptance = &a
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// The links in one query rather than one per risk.
	index := make(map[string]int, len(out))
	for i, r := range out {
		index[r.ID] = i
	}
	links, err := s.h.QueryContext(ctx, `SELECT c.risk_id, c.standard, c.ref FROM risk_controls c
		WHERE c.risk_id IN (SELECT r.id FROM risks r `+where+`) ORDER BY c.risk_id, c.position`, args...)
	if err != nil {
		return nil, fmt.Errorf("read linked controls: %w", err)
	}
	defer links.Close()
	for links.Next() {
		var id string
		var c assessments.ControlRef
		if err := links.Scan(&id, &c.Standard, &c.Ref); err != nil {
			return nil, err
		}
		if i, ok := index[id]; ok {
			out[i].Controls = append(out[i].Controls, c)
		}
	}
	return out, links.Err()
}

// RiskOverview lists an engagement's risks in register order with only what an overview
// shows: id, ref, title, owner, status, treatment, the inherent and residual scores, the
// review date and the acceptance (who, when, for what residual; not its rationale); every
// other field is empty (Risks reads the whole record). The dashboard reads the large
// register this way: a third of the columns and no linked controls.
func (s *Store) RiskOverview(ctx context.Context, engagementID string) ([]assessments.Risk, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT id, ref, title, owner, status, inherent_likelihood, inherent_consequence,
		residual_likelihood, residual_consequence, review_date, treatment, accepted_by, accepted_on, accepted_likelihood,
		accepted_consequence FROM risks WHERE engagement_id = ? ORDER BY seq`, engagementID)
	if err != nil {
		return nil, fmt.Errorf("read risks: %w", err)
	}
	defer rows.Close()
	var out []assessments.Risk
	for rows.Next() {
		r := assessments.Risk{EngagementID: engagementID}
		var status, treatment string
		var acc assessments.Acceptance
		if err := rows.Scan(&r.ID, &r.Ref, &r.Title, &r.Owner, &status, &r.Inherent.Likelihood, &r.Inherent.Consequence,
			&r.Residual.Likelihood, &r.Residual.Consequence, &r.ReviewDate, &treatment, &acc.By, &acc.Date,
			&acc.Residual.Likelihood, &acc.Residual.Consequence); err != nil {
			return nil, err
		}
		r.Status, r.Treatment = assessments.RiskStatus(status), assessments.Treatment(treatment)
		if acc.By != "" {
			r.Acceptance = &acc
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
