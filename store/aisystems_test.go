package store

import (
	"context"
	"errors"
	"github.com/annex-grc/annex/internal/pgtest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

func aiTestStore(t *testing.T) (*Store, assessments.Engagement, string) {
	t.Helper()
	ctx := context.Background()
	clock := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	path := pgtest.Workspace(t, "ws.db")
	s, err := Open(ctx, path, Options{Author: "tester", Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Medivance", Standards: []string{catalogs.ISO42001}})
	if err != nil {
		t.Fatal(err)
	}
	return s, e, path
}

func lensSystem(e assessments.Engagement) assessments.AISystem {
	return assessments.AISystem{EngagementID: e.ID, Name: "Medivance Lens", Purpose: "Triage chest X-rays", Type: "deep learning",
		Roles: []assessments.AIRole{assessments.RoleProvider}, Stage: assessments.StageOperation, DataSources: "PACS archives", PersonalData: true,
		DeploymentContext: "NHS radiology", Jurisdictions: "UK", Users: "Radiologists", AffectedPeople: "Patients",
		Automation: assessments.AutomationAdvisory, HumanOversight: "Radiologist reads every image", ThirdParty: "none", Owner: "Ravi Patel"}
}

// completeAI fills every step of a started assessment, with one high residual harm.
func completeAI(a assessments.ImpactAssessment) assessments.ImpactAssessment {
	a = a.Clone()
	a.Scope, a.IntendedUses, a.Misuse, a.FailureModes = "Lens in NHS trusts", "Worklist triage", "Used as a diagnosis", "Missed nodules"
	a.KnownBias, a.ModelKind, a.VulnerableGroups = "Fewer images of children", "CNN", "Children"
	for i := range a.Impacts {
		a.Impacts[i].Effect = assessments.EffectNone
	}
	a.Impacts[4] = assessments.Impact{Area: assessments.AreaSafety, Effect: assessments.EffectHarm, Description: "A missed urgent finding delays treatment",
		Severity: 5, Likelihood: 4, Reversibility: assessments.PartlyReversible, Scale: assessments.ScaleIndividual,
		Measures:         []assessments.ControlRef{{Standard: catalogs.ISO42001, Ref: "A.6.2.4"}, {Standard: catalogs.ISO27001, Ref: "A.8.16"}},
		ResidualSeverity: 4, ResidualLikelihood: 3}
	return a
}

func countChanges(t *testing.T, s *Store, entity, id string) int {
	t.Helper()
	ch, err := s.Changes(context.Background(), ChangeFilter{Entity: entity, EntityID: id})
	if err != nil {
		t.Fatal(err)
	}
	return len(ch)
}

func TestAISystemCreateUpdateDelete(t *testing.T) {
	ctx := context.Background()
	s, e, _ := aiTestStore(t)
	sys, err := s.CreateAISystem(ctx, lensSystem(e))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.AISystem(ctx, sys.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := lensSystem(e)
	want.ID, want.CreatedAt, want.UpdatedAt, want.UpdatedBy = sys.ID, got.CreatedAt, got.UpdatedAt, "tester"
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("stored:\n%+v\nwant:\n%+v", got, want)
	}
	if n := countChanges(t, s, "ai_system", sys.ID); n != 16 { // created + 15 filled fields
		t.Fatalf("creation recorded %d change rows, want 16", n)
	}

	// Same name in any case is refused.
	dup := lensSystem(e)
	dup.Name = "MEDIVANCE LENS"
	var ve *assessments.ValidationError
	if _, err := s.CreateAISystem(ctx, dup); !errors.As(err, &ve) || ve.Field != "name" {
		t.Fatalf("duplicate name: %v", err)
	}
	// Invalid role is refused and nothing is written.
	bad := lensSystem(e)
	bad.Name, bad.Roles = "Other", []assessments.AIRole{"vendor"}
	if _, err := s.CreateAISystem(ctx, bad); !errors.As(err, &ve) || ve.Field != "roles" {
		t.Fatalf("bad role: %v", err)
	}

	after := got
	after.Owner, after.Roles = "Amara Nwosu", []assessments.AIRole{assessments.RoleCustomer, assessments.RoleProvider}
	saved, err := s.UpdateAISystem(ctx, got, after)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Owner != "Amara Nwosu" || !slices.Equal(saved.Roles, []assessments.AIRole{assessments.RoleProvider, assessments.RoleCustomer}) {
		t.Fatalf("update not saved: %+v", saved)
	}
	// Another window still shows the old owner and edits it: conflict, nothing written.
	stale := got
	stale.Owner = "Someone"
	var ce *ConflictError
	if _, err := s.UpdateAISystem(ctx, got, stale); !errors.As(err, &ce) || ce.Field != "owner" {
		t.Fatalf("stale edit: %v", err)
	}
	// A stale window editing another field merges.
	other := got
	other.HumanOversight = "Second reader for flagged images"
	merged, err := s.UpdateAISystem(ctx, got, other)
	if err != nil {
		t.Fatal(err)
	}
	if merged.Owner != "Amara Nwosu" || merged.HumanOversight != "Second reader for flagged images" {
		t.Fatalf("merge lost an edit: %+v", merged)
	}

	list, err := s.AISystems(ctx, e.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v %v", list, err)
	}
	if found, err := s.FindAISystem(ctx, e.ID, "medivance lens"); err != nil || found.ID != sys.ID {
		t.Fatalf("find by name: %v", err)
	}
	if _, err := s.StartImpactAssessment(ctx, sys.ID); err != nil {
		t.Fatal(err)
	}
	risk, err := s.CreateRisk(ctx, assessments.Risk{EngagementID: e.ID, Title: "Drift", Scope: assessments.ScopeAI, AISystemID: sys.ID,
		Inherent: assessments.Score{Likelihood: 2, Consequence: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAISystem(ctx, sys.ID); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Risk(ctx, risk.ID); err != nil || r.AISystemID != "" || r.Title != "Drift" {
		t.Fatalf("the risk should stay, unlinked: %+v %v", r, err)
	}
	if _, err := s.AISystem(ctx, sys.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted system still loads: %v", err)
	}
	var left int
	s.DB().QueryRow("SELECT count(*) FROM impact_assessments").Scan(&left)
	if left != 0 {
		t.Fatalf("%d assessments outlived their system", left)
	}
	if n, p, err := s.VerifyChain(ctx); err != nil || p != nil || n == 0 {
		t.Fatalf("chain: %d %v %v", n, p, err)
	}
}

func TestImpactAssessmentLifecycle(t *testing.T) {
	ctx := context.Background()
	s, e, _ := aiTestStore(t)
	sys, err := s.CreateAISystem(ctx, lensSystem(e))
	if err != nil {
		t.Fatal(err)
	}
	v1, err := s.StartImpactAssessment(ctx, sys.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v1.Version != 1 || v1.Purpose != "Triage chest X-rays" || v1.InterestedParties != "Radiologists; Patients" || len(v1.Impacts) != 10 {
		t.Fatalf("v1 not prefilled: %+v", v1)
	}
	if _, err := s.StartImpactAssessment(ctx, sys.ID); err == nil || !strings.Contains(err.Error(), "still a draft") {
		t.Fatalf("a second draft must be refused: %v", err)
	}

	// Save step 1 alone: one transaction, its fields recorded, last_step kept but not recorded.
	before := countChanges(t, s, "impact_assessment", v1.ID)
	step := v1
	step.Scope, step.LastStep = "Lens at three NHS trusts", assessments.StepSystem
	v1b, err := s.UpdateImpactAssessment(ctx, v1, step)
	if err != nil {
		t.Fatal(err)
	}
	if v1b.Scope != step.Scope || v1b.LastStep != assessments.StepSystem {
		t.Fatalf("step not saved: %+v", v1b)
	}
	if n := countChanges(t, s, "impact_assessment", v1.ID) - before; n != 1 {
		t.Fatalf("saving the scope recorded %d rows, want 1", n)
	}

	// A malformed step is refused and nothing changes.
	bad := v1b.Clone()
	bad.Impacts[0].Severity = 7
	var ve *assessments.ValidationError
	if _, err := s.UpdateImpactAssessment(ctx, v1b, bad); !errors.As(err, &ve) || ve.Field != "impact.fairness.severity" {
		t.Fatalf("out of range severity: %v", err)
	}

	// Everything filled: a full round trip through the store keeps every field.
	full := completeAI(v1b)
	v1c, err := s.UpdateImpactAssessment(ctx, v1b, full)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v1c.Impacts, full.Impacts) || v1c.KnownBias != full.KnownBias {
		t.Fatalf("round trip:\n%+v\n%+v", v1c.Impacts[4], full.Impacts[4])
	}
	if v1c.DerivedClass() != assessments.ClassHigh {
		t.Fatalf("class = %s", v1c.DerivedClass())
	}

	// A decision on an incomplete assessment is refused.
	incomplete := v1c
	incomplete.KnownBias = ""
	incomplete.Decision, incomplete.Approver, incomplete.DecisionDate, incomplete.Rationale = assessments.DecisionApprove, "Dr Obi", "2026-03-02", "ok"
	if _, err := s.UpdateImpactAssessment(ctx, v1c, incomplete); !errors.As(err, &ve) || ve.Field != "decision" {
		t.Fatalf("decision on incomplete: %v", err)
	}

	approved := v1c
	approved.Decision, approved.Approver, approved.DecisionDate, approved.Rationale = assessments.DecisionApprove, "Dr Ada Obi", "2026-03-02", "Benefits outweigh the residual harm."
	v1d, err := s.UpdateImpactAssessment(ctx, v1c, approved)
	if err != nil {
		t.Fatal(err)
	}
	if v1d.State() != assessments.ImpactApproved || v1d.NextReview() != "2026-09-02" {
		t.Fatalf("approved: %s next review %s", v1d.State(), v1d.NextReview())
	}

	// Frozen: any edit, and a delete, are refused with a clear message.
	edit := v1d
	edit.Scope = "changed"
	var fe *assessments.FrozenError
	if _, err := s.UpdateImpactAssessment(ctx, v1d, edit); !errors.As(err, &fe) || !strings.Contains(err.Error(), "frozen") {
		t.Fatalf("edit of approved version: %v", err)
	}
	if err := s.DeleteImpactAssessment(ctx, v1d.ID); !errors.As(err, &fe) {
		t.Fatalf("delete of approved version: %v", err)
	}
	// The file itself refuses it, whatever program writes.
	if _, err := s.Handler().ExecContext(context.Background(), "UPDATE impact_assessments SET scope = 'x' WHERE id = ?", v1d.ID); err == nil {
		t.Fatal("the database accepted an update of a frozen version")
	}
	if _, err := s.Handler().ExecContext(context.Background(), "UPDATE impact_areas SET severity = 1 WHERE assessment_id = ?", v1d.ID); err == nil {
		t.Fatal("the database accepted an update of a frozen version's impacts")
	}

	// Re-assess: version 2 prefilled from 1, decision cleared.
	v2, err := s.StartImpactAssessment(ctx, sys.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Version != 2 || v2.Frozen() || v2.Scope != v1d.Scope || !reflect.DeepEqual(v2.Impacts, v1d.Impacts) || v2.Trigger != "" {
		t.Fatalf("v2: %+v", v2)
	}
	versions, err := s.ImpactAssessments(ctx, sys.ID)
	if err != nil || len(versions) != 2 || versions[0].Version != 2 || versions[1].Version != 1 {
		t.Fatalf("versions newest first: %v", err)
	}
	// (ai_system_id, version) is unique.
	if _, err := s.Handler().ExecContext(context.Background(), `INSERT INTO impact_assessments(id, ai_system_id, engagement_id, version, created_at, updated_at, updated_by)
		VALUES ('x', ?, ?, 2, 'now', 'now', 'me')`, sys.ID, e.ID); err == nil {
		t.Fatal("a second version 2 was accepted")
	}
	// A draft can be deleted.
	if err := s.DeleteImpactAssessment(ctx, v2.ID); err != nil {
		t.Fatal(err)
	}

	st, err := s.ImpactAssessmentStatus(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Systems != 1 || st.Assessments != 1 || st.Approved != 1 || st.Overdue != 0 || st.Latest[0].NextReview != "2026-09-02" {
		t.Fatalf("status: %+v", st)
	}
	if n, p, err := s.VerifyChain(ctx); err != nil || p != nil || n == 0 {
		t.Fatalf("chain: %d %v %v", n, p, err)
	}
}

func TestImpactAssessmentConflict(t *testing.T) {
	ctx := context.Background()
	s, e, path := aiTestStore(t)
	sys, _ := s.CreateAISystem(ctx, lensSystem(e))
	v1, err := s.StartImpactAssessment(ctx, sys.ID)
	if err != nil {
		t.Fatal(err)
	}
	other, err := Open(ctx, path, Options{Author: "other"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	mine := v1
	mine.Scope = "mine"
	theirs := v1
	theirs.Scope = "theirs"
	if _, err := other.UpdateImpactAssessment(ctx, v1, theirs); err != nil {
		t.Fatal(err)
	}
	var ce *ConflictError
	if _, err := s.UpdateImpactAssessment(ctx, v1, mine); !errors.As(err, &ce) || ce.Field != "scope" {
		t.Fatalf("want conflict on scope, got %v", err)
	}
	cur, _ := s.ImpactAssessment(ctx, v1.ID)
	if cur.Scope != "theirs" {
		t.Fatalf("scope = %q", cur.Scope)
	}
}

func TestCreateApprovedAssessmentDirectly(t *testing.T) {
	ctx := context.Background()
	s, e, _ := aiTestStore(t)
	sys, _ := s.CreateAISystem(ctx, lensSystem(e))
	a := completeAI(assessments.NewImpactAssessment(sys))
	a.Decision, a.Approver, a.DecisionDate, a.Rationale = assessments.DecisionConditions, "Dr Obi", "2026-01-10", "ok"
	if _, err := s.CreateImpactAssessment(ctx, a); err == nil {
		t.Fatal("approval with conditions but no conditions was stored")
	}
	a.Conditions = "Quarterly bias audit"
	got, err := s.CreateImpactAssessment(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if got.State() != assessments.ImpactConditional || got.Impact(assessments.AreaSafety).ResidualSeverity != 4 {
		t.Fatalf("stored: %s %+v", got.State(), got.Impact(assessments.AreaSafety))
	}
	a.Version = 5
	if _, err := s.CreateImpactAssessment(ctx, a); err == nil {
		t.Fatal("version 5 after 1 was accepted")
	}
}

func TestCreateRiskFromImpact(t *testing.T) {
	ctx := context.Background()
	s, e, _ := aiTestStore(t)
	sys, _ := s.CreateAISystem(ctx, lensSystem(e))
	v1, _ := s.StartImpactAssessment(ctx, sys.ID)
	full := completeAI(v1)
	full.Decision, full.Approver, full.DecisionDate, full.Rationale = assessments.DecisionApprove, "Dr Obi", "2026-03-01", "ok"
	v1, err := s.UpdateImpactAssessment(ctx, v1, full)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRiskFromImpact(ctx, v1.ID, assessments.AreaFairness, nil); err == nil {
		t.Fatal("a risk was raised from an area without harm")
	}
	// Raising a risk from an approved (frozen) version is allowed: the link is not an edit.
	r, err := s.CreateRiskFromImpact(ctx, v1.ID, assessments.AreaSafety, func(c assessments.ControlRef) string { return "X " + c.Ref })
	if err != nil {
		t.Fatal(err)
	}
	if r.AISystemID != sys.ID || r.Scope != assessments.ScopeAI || r.Ref == "" || !strings.Contains(r.Title, "Medivance Lens") ||
		r.Residual.Consequence != 4 || r.Residual.Likelihood != 3 || r.Inherent.Consequence != 5 ||
		!strings.Contains(r.ExistingControls, "X A.6.2.4") || r.Owner != "Ravi Patel" {
		t.Fatalf("risk: %+v", r)
	}
	stored, err := s.Risks(ctx, e.ID)
	if err != nil || len(stored) != 1 || stored[0].AISystemID != sys.ID {
		t.Fatalf("register: %v %v", stored, err)
	}
	links, err := s.ImpactRisks(ctx, v1.ID)
	if err != nil || len(links[assessments.AreaSafety]) != 1 || links[assessments.AreaSafety][0].ID != r.ID {
		t.Fatalf("links: %v %v", links, err)
	}
	if _, err := s.CreateRiskFromImpact(ctx, v1.ID, assessments.AreaSafety, nil); err == nil || !strings.Contains(err.Error(), r.Ref) {
		t.Fatalf("a second risk from the same area: %v", err)
	}
	// Once the risk is deleted from the register, the area can raise a new one.
	if err := s.DeleteRisk(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRiskFromImpact(ctx, v1.ID, assessments.AreaSafety, nil); err != nil {
		t.Fatalf("after delete: %v", err)
	}
}
