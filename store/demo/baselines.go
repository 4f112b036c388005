package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

func init() { register(Step{Order: 90, Name: "baselines", Run: addBaselines}) }

// Two earlier moments of Medivance's engagement, frozen as baselines: the first gap
// workshop seven weeks ago and the pre-audit check two weeks ago. The demo is written in one
// go, so this step (the last) takes the answers the other steps gave back to what they were
// at the workshop, freezes it, moves them on to the pre-audit check, freezes that, and ends
// on the answers as the other steps left them. Every edit goes through the ordinary store
// path, dated by a clock set to those days (Store.WithClock): the history reads as the
// engagement went, after the rows that made the demo today.

// stage is one requirement's answer at the workshop and at the pre-audit check ("" keeps
// the status it has today); the owner at the workshop when it differs.
type stage struct {
	std, ref       string
	workshop, pre  assessments.Status
	workshopOwner  string
	workshopTarget string
}

var demoStages = []stage{
	// Steady work between the workshop and the pre-audit check.
	{std: catalogs.ISO27001, ref: "4.1", workshop: assessments.Partial, pre: assessments.Implemented},
	{std: catalogs.ISO27001, ref: "5.2", workshop: assessments.Partial, pre: assessments.Implemented},
	{std: catalogs.ISO27001, ref: "A.5.1", workshop: assessments.NotImplemented, pre: assessments.Partial},
	{std: catalogs.ISO27001, ref: "A.5.9", workshop: assessments.NotImplemented, pre: assessments.Partial, workshopOwner: "-"},
	{std: catalogs.ISO27001, ref: "A.5.15", workshop: assessments.Partial, pre: assessments.Implemented},
	{std: catalogs.ISO27001, ref: "A.5.18", workshop: assessments.NotImplemented, pre: assessments.Implemented},
	{std: catalogs.ISO27001, ref: "A.5.19", workshop: assessments.Partial, pre: assessments.NotImplemented},
	{std: catalogs.ISO27001, ref: "A.5.34", workshop: assessments.NotAssessed, pre: assessments.Partial},
	{std: catalogs.ISO27001, ref: "A.6.3", workshop: assessments.Partial, pre: assessments.Partial},
	{std: catalogs.ISO27001, ref: "A.8.15", workshop: assessments.NotAssessed, pre: assessments.Implemented},
	{std: catalogs.ISO27001, ref: "A.8.32", workshop: assessments.Partial, pre: assessments.Implemented},
	{std: catalogs.ISO27001, ref: "6.1.2", workshop: assessments.NotImplemented, pre: assessments.Partial, workshopTarget: "-"},
	{std: catalogs.ISO42001, ref: "4.1", workshop: assessments.NotAssessed, pre: assessments.Partial},
	{std: catalogs.ISO42001, ref: "6.1.4", workshop: assessments.NotImplemented, pre: assessments.Partial},
	{std: catalogs.ISO42001, ref: "A.5.2", workshop: assessments.NotAssessed, pre: assessments.NotImplemented},
	{std: catalogs.ISO42001, ref: "A.6.2.4", workshop: assessments.NotAssessed, pre: assessments.Partial},
	{std: catalogs.ISO42001, ref: "A.9.4", workshop: assessments.Partial, pre: assessments.Implemented},
	// Found lacking since the pre-audit check: regressions.
	{std: catalogs.ISO27001, ref: "A.8.8", workshop: assessments.Partial, pre: assessments.Implemented},
	{std: catalogs.ISO27001, ref: "A.5.24", workshop: assessments.NotImplemented, pre: assessments.Implemented},
	{std: catalogs.ISO42001, ref: "A.7.5", workshop: assessments.NotAssessed, pre: assessments.Partial},
}

// Baseline names of the demo.
const (
	BaselineWorkshop = "Gap workshop 1"
	BaselinePreAudit = "Pre-audit"
)

// clockFrom is a clock starting at t that moves on a few minutes at every reading.
func clockFrom(t time.Time) func() time.Time {
	return func() time.Time {
		t = t.Add(3 * time.Minute)
		return t
	}
}

func withStatus(r assessments.Result, st assessments.Status) assessments.Result {
	if st == "" {
		return r
	}
	r.Status = st
	if st != assessments.NotApplicable {
		r.Justification = ""
	}
	return r
}

func addBaselines(ctx context.Context, s *store.Store, set *catalogs.Set, e assessments.Engagement, opt Options) error {
	if opt.Client > 0 {
		return nil // other clients' engagements have no earlier workshops
	}
	today := s.Now()
	workshop := time.Date(today.Year(), today.Month(), today.Day(), 9, 0, 0, 0, time.UTC).AddDate(0, 0, -49)
	preAudit := workshop.AddDate(0, 0, 35)
	type row struct {
		final, workshop, pre assessments.Result
	}
	var rows []row
	for _, st := range demoStages {
		if !e.HasStandard(st.std) {
			continue
		}
		final, err := s.Result(ctx, assessments.Key{EngagementID: e.ID, Standard: st.std, Ref: st.ref})
		if err != nil {
			return err
		}
		w := withStatus(final, st.workshop)
		switch st.workshopOwner {
		case "":
		case "-":
			w.Owner = ""
		default:
			w.Owner = st.workshopOwner
		}
		if st.workshopTarget == "-" {
			w.TargetDate = ""
		}
		rows = append(rows, row{final: final, workshop: w, pre: withStatus(final, st.pre)})
	}
	// A risk whose residual level fell after the workshop, and an evidence item that
	// supported one requirement fewer then.
	var risk *assessments.Risk
	risks, err := s.Risks(ctx, e.ID)
	if err != nil {
		return err
	}
	for i, r := range risks {
		if r.Treatment == assessments.TreatModify && r.Acceptance == nil && r.Residual.Set() && r.Residual.Likelihood < r.Inherent.Likelihood &&
			r.EffectiveStatus() != assessments.RiskClosed {
			risk = &risks[i]
			break
		}
	}
	var evidence *assessments.Evidence
	var link assessments.EvidenceLink
	items, err := s.Evidence(ctx, e.ID)
	if err != nil {
		return err
	}
	for i, it := range items {
		for _, l := range it.Links {
			if l.Target == assessments.LinkRequirement && l.Provenance == "" && len(it.Links) > 1 {
				evidence, link = &items[i], l
				break
			}
		}
		if evidence != nil {
			break
		}
	}

	// The gap workshop.
	w := s.WithClock(clockFrom(workshop.Add(-2 * time.Hour)))
	for i, r := range rows {
		saved, err := w.SaveResult(ctx, r.final, r.workshop)
		if err != nil {
			return fmt.Errorf("%s %s at the workshop: %w", r.final.Standard, r.final.Ref, err)
		}
		rows[i].workshop = saved
	}
	var riskAt assessments.Risk
	if risk != nil {
		higher := *risk
		higher.Residual.Likelihood = risk.Inherent.Likelihood
		if riskAt, err = w.UpdateRisk(ctx, *risk, higher); err != nil {
			return fmt.Errorf("risk %s at the workshop: %w", risk.Ref, err)
		}
	}
	if evidence != nil {
		if err := w.UnlinkEvidence(ctx, evidence.ID, link); err != nil {
			return err
		}
	}
	if _, err := w.CreateBaseline(ctx, e.ID, BaselineWorkshop); err != nil {
		return err
	}

	// Remediation, then the pre-audit check.
	p := s.WithClock(clockFrom(preAudit.AddDate(0, 0, -20)))
	for i, r := range rows {
		saved, err := p.SaveResult(ctx, r.workshop, r.pre)
		if err != nil {
			return fmt.Errorf("%s %s at the pre-audit check: %w", r.final.Standard, r.final.Ref, err)
		}
		rows[i].pre = saved
	}
	if risk != nil {
		if _, err := p.UpdateRisk(ctx, riskAt, *risk); err != nil {
			return fmt.Errorf("risk %s after the workshop: %w", risk.Ref, err)
		}
	}
	if evidence != nil {
		if _, err := p.LinkEvidence(ctx, evidence.ID, link); err != nil {
			return err
		}
	}
	if _, err := s.WithClock(clockFrom(preAudit)).CreateBaseline(ctx, e.ID, BaselinePreAudit); err != nil {
		return err
	}

	// Since the pre-audit check: the answers as they are today.
	n := s.WithClock(clockFrom(today.AddDate(0, 0, -6)))
	for _, r := range rows {
		if _, err := n.SaveResult(ctx, r.pre, r.final); err != nil {
			return fmt.Errorf("%s %s since the pre-audit check: %w", r.final.Standard, r.final.Ref, err)
		}
	}
	return nil
}
