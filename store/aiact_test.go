package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

// answerAll answers every screening question no, then the given ids yes (with a note).
func answerAll(r assessments.AIActRecord, yes ...string) assessments.AIActRecord {
	r = r.Clone()
	for _, q := range euAIAct().Questions {
		switch q.Kind {
		case catalogs.KindProhibited, catalogs.KindAnnexIProduct, catalogs.KindAnnexIII, catalogs.KindTransparency, catalogs.KindGPAIProvider:
			r.Answers[q.ID] = assessments.AIActAnswer{Answer: assessments.AnswerNo}
		}
	}
	for _, id := range yes {
		r.Answers[id] = assessments.AIActAnswer{Answer: assessments.AnswerYes, Note: "because " + id}
	}
	return r
}

func TestAIActRecordLifecycle(t *testing.T) {
	ctx := context.Background()
	s, e, _ := aiTestStore(t)
	sys := lensSystem(e)
	sys.Roles = []assessments.AIRole{assessments.RoleCustomer}
	sys, err := s.CreateAISystem(ctx, sys)
	if err != nil {
		t.Fatal(err)
	}
	v1, err := s.StartAIActRecord(ctx, sys.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v1.Version != 1 || !slices.Equal(v1.Roles, []assessments.OperatorRole{"deployer"}) || v1.FRIAOversight != sys.HumanOversight {
		t.Fatalf("version 1 prefilled from the inventory: %+v", v1)
	}
	if _, err := s.StartAIActRecord(ctx, sys.ID); err == nil || !strings.Contains(err.Error(), "still a draft") {
		t.Fatalf("a second draft: %v", err)
	}

	// A step saved through the single update path records only the changed fields.
	after := answerAll(v1, "hr_employment", "ex_profiling", "fr_public")
	after.Answers["fr_credit_insurance"] = assessments.AIActAnswer{Answer: assessments.AnswerNo}
	after.FRIAPeriod, after.FRIAComplaints = "Every hiring round from 2028", "Candidates write to the HR desk"
	after.LastStep = assessments.ActStepFRIA
	saved, err := s.UpdateAIActRecord(ctx, v1, after)
	if err != nil {
		t.Fatal(err)
	}
	o := saved.Outcome(euAIAct())
	if o.Result != assessments.ActHighRisk || o.FRIA != assessments.FRIARequired || saved.LastStep != assessments.ActStepFRIA {
		t.Fatalf("saved: %q, FRIA %q, step %d", o.Result, o.FRIA, saved.LastStep)
	}
	ch, err := s.Changes(ctx, ChangeFilter{Entity: "aiact_classification", EntityID: v1.ID})
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, c := range ch {
		fields = append(fields, c.Field)
	}
	for _, want := range []string{"q.hr_employment", "q.hr_employment.note", "fria_period", "q.p_manipulation"} {
		if !slices.Contains(fields, want) {
			t.Errorf("history lacks %s: %v", want, fields)
		}
	}
	if slices.Contains(fields, "last_step") {
		t.Error("where the wizard stands is not history")
	}

	// Another window changed the same answer: conflict, in words.
	stale := saved.Clone()
	other := saved.Clone()
	other.Answers["hr_employment"] = assessments.AIActAnswer{Answer: assessments.AnswerNo, Note: "only schedules interviews"}
	if _, err := s.UpdateAIActRecord(ctx, saved, other); err != nil {
		t.Fatal(err)
	}
	stale.Answers["hr_employment"] = assessments.AIActAnswer{Answer: assessments.AnswerYes, Note: "ranks candidates"}
	var ce *ConflictError
	if _, err := s.UpdateAIActRecord(ctx, saved, stale); !errors.As(err, &ce) || !strings.Contains(err.Error(), "Annex III point 4") {
		t.Fatalf("conflict: %v", err)
	}

	// Approval of an incomplete classification is refused; of a complete one it freezes.
	cur, _ := s.AIActRecord(ctx, v1.ID)
	approve := cur.Clone()
	approve.Answers["hr_employment"] = assessments.AIActAnswer{Answer: assessments.AnswerYes, Note: "ranks candidates"}
	approve.FRIAOversight = ""
	approve.Decision, approve.Approver, approve.DecisionDate, approve.Rationale = assessments.DecisionApprove, "Dana Ruiz", "2026-03-02", "Ranks candidates."
	var ve *assessments.ValidationError
	if _, err := s.UpdateAIActRecord(ctx, cur, approve); !errors.As(err, &ve) || ve.Field != "decision" {
		t.Fatalf("approval without the oversight measures: %v", err)
	}
	approve.FRIAOversight = "A recruiter reviews every ranking"
	frozen, err := s.UpdateAIActRecord(ctx, cur, approve)
	if err != nil {
		t.Fatal(err)
	}
	if !frozen.Frozen() {
		t.Fatal("approved version not frozen")
	}
	edit := frozen.Clone()
	edit.FRIAPeriod = "changed"
	var fe *assessments.FrozenError
	if _, err := s.UpdateAIActRecord(ctx, frozen, edit); !errors.As(err, &fe) {
		t.Fatalf("edit of an approved version: %v", err)
	}
	if err := s.DeleteAIActRecord(ctx, frozen.ID); !errors.As(err, &fe) {
		t.Fatalf("delete of an approved version: %v", err)
	}
	// The triggers hold even for a program that bypasses annex.
	if _, err := s.db.ExecContext(ctx, "UPDATE aiact_answers SET answer = 'no' WHERE record_id = ?", frozen.ID); err == nil {
		t.Fatal("the database let an approved answer change")
	}

	// Re-classify: version 2 carries every answer.
	v2, err := s.StartAIActRecord(ctx, sys.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v2.Version != 2 || v2.Frozen() || v2.Answer("hr_employment") != frozen.Answer("hr_employment") {
		t.Fatalf("version 2: %+v", v2)
	}
	if err := s.DeleteAIActRecord(ctx, v2.ID); err != nil {
		t.Fatal(err)
	}
	all, err := s.EngagementAIActRecords(ctx, e.ID)
	if err != nil || len(all[sys.ID]) != 1 {
		t.Fatalf("versions left: %v %v", all, err)
	}
	// Deleting the system takes its classifications along.
	if err := s.DeleteAISystem(ctx, sys.ID); err != nil {
		t.Fatal(err)
	}
	if left, _ := s.AIActRecords(ctx, sys.ID); len(left) != 0 {
		t.Fatal("classifications outlived their system")
	}
	if n, problem, err := s.VerifyChain(ctx); err != nil || problem != nil || n == 0 {
		t.Fatalf("chain: %d %+v %v", n, problem, err)
	}
}

// TestMigrationGivesRolesToOldSystems opens a workspace of schema 6 (one role per AI
// system, "subject" among them) and checks each system keeps its role as a list, the
// subject becomes customer/user, and the impact assessments stay.
func TestMigrationGivesRolesToOldSystems(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.version > 6 {
			break
		}
		if _, err := db.Exec(m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
	now := "2026-01-01T00:00:00Z"
	for _, q := range []string{
		`PRAGMA user_version = 6`,
		`INSERT INTO meta(key, value) VALUES ('application', 'annex'), ('workspace_id', 'w'), ('created_at', '` + now + `')`,
		`INSERT INTO engagements(id, name, organisation, scope, lead, start_date, end_date, status, created_at, updated_at)
			VALUES ('e', 'Old', '', '', '', '', '', 'active', '` + now + `', '` + now + `')`,
		`INSERT INTO ai_systems(id, engagement_id, name, purpose, role, created_at, updated_at, updated_by)
			VALUES ('a', 'e', 'Vendor HR screener', 'x', 'subject', '` + now + `', '` + now + `', 'old'),
			       ('b', 'e', 'Lens', 'y', 'provider', '` + now + `', '` + now + `', 'old')`,
		`INSERT INTO impact_assessments(id, ai_system_id, engagement_id, version, created_at, updated_at, updated_by)
			VALUES ('ia', 'b', 'e', 1, '` + now + `', '` + now + `', 'old')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	s, err := Open(ctx, path, Options{Author: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list, err := s.AISystems(ctx, "e")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]assessments.AIRole{}
	for _, a := range list {
		got[a.Name] = a.Roles
	}
	if !slices.Equal(got["Vendor HR screener"], []assessments.AIRole{assessments.RoleCustomer}) || !slices.Equal(got["Lens"], []assessments.AIRole{assessments.RoleProvider}) {
		t.Fatalf("roles after the migration: %v", got)
	}
	if ias, err := s.ImpactAssessments(ctx, "b"); err != nil || len(ias) != 1 {
		t.Fatalf("the impact assessment did not survive the migration: %v %v", ias, err)
	}
	if _, err := s.db.ExecContext(ctx, "UPDATE ai_systems SET roles = '' WHERE id = 'b'"); err == nil {
		t.Fatal("an AI system without a role was stored")
	}
	if _, err := s.db.ExecContext(ctx, "UPDATE ai_systems SET roles = 'provider,subject' WHERE id = 'b'"); err == nil {
		t.Fatal("an unknown role was stored")
	}
}
