package demo

import (
	"context"
	"fmt"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

func init() { register(Step{Order: 50, Name: "treatment plans and the SoA", Run: addPlan}) }

// demoAction is a step of a demo risk's treatment plan, dated relative to today.
type demoAction struct {
	risk           string // the risk's ref
	title, owner   string
	resources      string
	startIn, dueIn int // days from today
	status         assessments.ActionStatus
	controls       []assessments.ControlRef
	correctiveRef  string
}

// demoPlan gives most risks treated "modify" a plan; R-004 has none, so the register,
// dashboard and report show a treatment without actions. Two actions are overdue.
func demoPlan() []demoAction {
	return []demoAction{
		{risk: "R-001", title: "Immutable cross-account backups of the imaging archive", owner: "Tomás Silva",
			resources: "2 engineer-weeks; AWS Backup vault in a separate account", startIn: -30, dueIn: 15, status: assessments.ActionInProgress,
			controls: iso27("A.8.13")},
		{risk: "R-001", title: "Replace long-lived keys with short-lived SSO credentials", owner: "Tomás Silva",
			resources: "1 engineer-week", startIn: -40, dueIn: -5, status: assessments.ActionInProgress, controls: iso27("A.5.15", "A.8.5")},
		{risk: "R-001", title: "First quarterly restore test", owner: "Ravi Patel", resources: "half a day of the platform team",
			startIn: 20, dueIn: 40, status: assessments.ActionPlanned, controls: iso27("A.8.13")},
		{risk: "R-002", title: "Provenance record for every training dataset", owner: "Amara Nwosu", resources: "data team",
			startIn: -60, dueIn: -10, status: assessments.ActionDone, controls: iso42("A.7.5")},
		{risk: "R-002", title: "Licence check gate before a dataset enters training", owner: "Amara Nwosu", resources: "legal review, 2 days",
			startIn: -5, dueIn: 20, status: assessments.ActionInProgress, controls: iso42("A.7.2")},
		{risk: "R-003", title: "Drift thresholds per acquisition type that page the model owner", owner: "Ravi Patel",
			resources: "ML platform team, 1 sprint", startIn: -10, dueIn: 10, status: assessments.ActionInProgress, controls: iso42("A.6.2.6")},
		{risk: "R-003", title: "Radiologist second read for portable images", owner: "Priya Raman",
			resources: "clinical lead time; agreement with two trusts", startIn: 5, dueIn: 30, status: assessments.ActionPlanned, controls: iso42("A.9.3")},
		{risk: "R-005", title: "Zero-retention clause with audit right in the vendor contract", owner: "Lena Fischer",
			resources: "procurement and legal", startIn: -15, dueIn: 25, status: assessments.ActionInProgress, controls: iso27("A.5.19")},
		{risk: "R-007", title: "FIDO2 keys for every engineer", owner: "Tomás Silva", resources: "40 keys",
			startIn: -50, dueIn: -20, status: assessments.ActionDone, controls: iso27("A.8.5")},
		{risk: "R-007", title: "Number matching for all other staff", owner: "Hannah Berg", resources: "identity team",
			startIn: 0, dueIn: 20, status: assessments.ActionPlanned, controls: iso27("A.8.5")},
		{risk: "R-008", title: "Make retraining a trigger of the impact assessment procedure", owner: "Amara Nwosu",
			resources: "responsible-AI function", startIn: 0, dueIn: 12, status: assessments.ActionPlanned, controls: iso42("A.5.2")},
		{risk: "R-010", title: "7-day patch deadline for critical CVEs in base images", owner: "Ravi Patel",
			resources: "platform on-call", startIn: -20, dueIn: -3, status: assessments.ActionPlanned, controls: iso27("A.8.8"), correctiveRef: "CA-2026-03"},
		{risk: "R-010", title: "Weekly rebuild of base images", owner: "Ravi Patel", resources: "CI minutes",
			startIn: -20, dueIn: 5, status: assessments.ActionCancelled, controls: iso27("A.8.8")},
	}
}

func addPlan(ctx context.Context, s *store.Store, set *catalogs.Set, e assessments.Engagement, opt Options) error {
	now := s.Now()
	risks, err := s.Risks(ctx, e.ID)
	if err != nil {
		return err
	}
	byRef := map[string]assessments.Risk{}
	for _, r := range risks {
		byRef[r.Ref] = r
	}
	for _, a := range demoPlan() {
		r, ok := byRef[a.risk]
		if !ok {
			return fmt.Errorf("the demo plan names %s, which the register does not have", a.risk)
		}
		act := assessments.TreatmentAction{RiskID: r.ID, Title: a.title, Owner: a.owner, Resources: a.resources, Status: a.status,
			StartDate: dateIn(now, a.startIn), DueDate: dateIn(now, a.dueIn), Controls: a.controls, CorrectiveRef: a.correctiveRef}
		if _, err := s.CreateTreatmentAction(ctx, act); err != nil {
			return fmt.Errorf("%s: %w", a.title, err)
		}
	}
	if opt.Size == "large" {
		if err := largePlan(ctx, s, risks, now.Format(assessments.DateLayout)); err != nil {
			return err
		}
	}
	if opt.Client > 0 || !e.HasStandard(catalogs.ISO27001) {
		return nil
	}
	// The ISO 27001 SoA is a controlled document: version 1 issued and approved by the
	// sponsor. ISO 42001 has none yet, so both states show.
	entries, err := s.CurrentSoA(ctx, set, e.ID, catalogs.ISO27001)
	if err != nil {
		return err
	}
	v, _, err := s.IssueSoA(ctx, e.ID, catalogs.ISO27001, entries, "First issue, from the gap analysis and the risk register.")
	if err != nil {
		return err
	}
	if _, err := s.ApproveSoA(ctx, v, "Daniel Okafor", now.Format(assessments.DateLayout)); err != nil {
		return err
	}
	rc, err := s.ReportControl(ctx, e.ID)
	if err != nil {
		return err
	}
	next := rc
	next.Distribution = "Medivance Health executive team; Priya Raman (engagement lead)"
	_, err = s.SaveReportControl(ctx, rc, next)
	return err
}

// largePlan gives every third risk of the large register one to three actions, for
// benchmarks, deterministically.
func largePlan(ctx context.Context, s *store.Store, risks []assessments.Risk, today string) error {
	owners := []string{"Tomás Silva", "Amara Nwosu", "Ravi Patel", "Lena Fischer", "Hannah Berg", "Daniel Okafor"}
	statuses := []assessments.ActionStatus{assessments.ActionPlanned, assessments.ActionInProgress, assessments.ActionDone, assessments.ActionInProgress}
	var batch []assessments.TreatmentAction
	for i, r := range risks {
		if i < 13 || i%3 != 0 || r.Treatment != assessments.TreatModify {
			continue
		}
		for k := 0; k <= i%3+i%2; k++ {
			t, _ := assessments.ParseDate(today)
			a := assessments.TreatmentAction{RiskID: r.ID, EngagementID: r.EngagementID,
				Title:     fmt.Sprintf("Step %d: %s", k+1, []string{"put the control in place", "test it", "review its effect"}[k%3]),
				Owner:     owners[(i+k)%len(owners)],
				Resources: "team time", StartDate: t.AddDate(0, 0, -30+k*10).Format(assessments.DateLayout),
				DueDate: t.AddDate(0, 0, -10+(i%90)+k*15).Format(assessments.DateLayout), Status: statuses[(i+k)%len(statuses)]}
			if len(r.Controls) > 0 {
				a.Controls = r.Controls[:1]
			}
			batch = append(batch, a)
		}
	}
	_, err := s.CreateTreatmentActions(ctx, batch)
	return err
}
