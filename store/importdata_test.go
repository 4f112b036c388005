package store

import (
	"context"
	"errors"
	"github.com/annex-grc/annex/internal/pgtest"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
)

func importStore(t *testing.T) *Store {
	t.Helper()
	now := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	s, err := Open(context.Background(), pgtest.Workspace(t, "ws.db"), Options{Author: "importer", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func importSample() ImportData {
	created := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	e := assessments.Engagement{ID: "0190aaaa-0000-7000-8000-000000000001", Name: "Imported", Standards: []string{"iso27001-2022", "iso42001-2023"},
		Status: assessments.EngagementActive, CreatedAt: created, UpdatedAt: created}
	sys := assessments.AISystem{ID: "0190aaaa-0000-7000-8000-000000000002", Name: "Triage model", Roles: []assessments.AIRole{assessments.RoleProvider}, CreatedAt: created, UpdatedAt: created, UpdatedBy: "priya"}
	ia := assessments.NewImpactAssessment(sys)
	ia.ID, ia.Version, ia.CreatedAt, ia.UpdatedAt = "0190aaaa-0000-7000-8000-000000000003", 1, created, created
	risk := assessments.Risk{ID: "0190aaaa-0000-7000-8000-000000000004", Ref: "R-007", Title: "Model drift", Scope: assessments.ScopeAI,
		AISystemID: sys.ID, Inherent: assessments.Score{Likelihood: 3, Consequence: 4}, Treatment: assessments.TreatModify,
		Controls: []assessments.ControlRef{{Standard: "iso42001-2023", Ref: "A.6.2.6"}}, Status: assessments.RiskInTreatment, CreatedAt: created, UpdatedAt: created}
	ev := assessments.Evidence{ID: "0190aaaa-0000-7000-8000-000000000005", Title: "Drift dashboard", Kind: assessments.KindObservation,
		Links: []assessments.EvidenceLink{{Target: assessments.LinkRisk, Ref: risk.ID}, {Target: assessments.LinkImpactAssessment, Ref: ia.ID},
			{Target: assessments.LinkRequirement, Standard: "iso42001-2023", Ref: "A.6.2.6"}}, CreatedAt: created, UpdatedAt: created}
	return ImportData{Engagement: e, RiskSequence: 9,
		Results: []assessments.Result{{Standard: "iso27001-2022", Ref: "A.5.1", Status: assessments.Implemented, Owner: "Priya", UpdatedAt: created, UpdatedBy: "priya"}},
		Risks:   []assessments.Risk{risk}, AISystems: []assessments.AISystem{sys}, Assessments: []assessments.ImpactAssessment{ia},
		ImpactLinks: []ImpactRiskLink{{AssessmentID: ia.ID, Area: assessments.AreaFairness, RiskID: risk.ID}},
		Evidence:    []assessments.Evidence{ev}, Skips: []SkipKey{{Standard: "iso42001-2023", Ref: "A.2.2", FromStandard: "iso27001-2022", FromRef: "A.5.1"}}}
}

func TestImportEngagementKeepsRowsAndTimes(t *testing.T) {
	ctx := context.Background()
	s := importStore(t)
	in := importSample()
	e, err := s.ImportEngagement(ctx, in, ImportOptions{Source: "pack.zip"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Engagement(ctx, e.ID)
	if err != nil || !got.CreatedAt.Equal(in.Engagement.CreatedAt) {
		t.Fatalf("engagement %+v, %v", got, err)
	}
	res, _ := s.Results(ctx, e.ID)
	if r := res["iso27001-2022"]["A.5.1"]; r.Status != assessments.Implemented || r.UpdatedBy != "priya" {
		t.Errorf("result = %+v", r)
	}
	risks, _ := s.Risks(ctx, e.ID)
	if len(risks) != 1 || risks[0].Ref != "R-007" || !risks[0].LinksControl("iso42001-2023", "A.6.2.6") {
		t.Fatalf("risks = %+v", risks)
	}
	if n, _ := s.RiskSequence(ctx, e.ID); n != 9 {
		t.Errorf("risk sequence = %d, want the exported 9", n)
	}
	// The next risk continues the numbering, never reusing a deleted risk's ref.
	next, err := s.CreateRisk(ctx, assessments.Risk{EngagementID: e.ID, Title: "New", Scope: assessments.ScopeSecurity, Inherent: assessments.Score{Likelihood: 1, Consequence: 1}})
	if err != nil || next.Ref != "R-010" {
		t.Errorf("next risk %q, %v", next.Ref, err)
	}
	links, _ := s.ImpactRiskLinks(ctx, in.Assessments[0].ID)
	if len(links) != 1 {
		t.Errorf("impact risk links = %+v", links)
	}
	ev, _ := s.Evidence(ctx, e.ID)
	if len(ev) != 1 || len(ev[0].Links) != 3 {
		t.Errorf("evidence = %+v", ev)
	}
	skips, _ := s.SuggestionSkips(ctx, e.ID)
	if len(skips) != 1 {
		t.Errorf("skips = %v", skips)
	}
	if _, problem, err := s.VerifyChain(ctx); problem != nil || err != nil {
		t.Errorf("chain: %+v %v", problem, err)
	}

	// Again: refused, nothing written.
	before, _ := s.Changes(ctx, ChangeFilter{})
	if _, err := s.ImportEngagement(ctx, in, ImportOptions{}); !errors.Is(err, ErrEngagementExists) {
		t.Fatalf("second import: %v", err)
	}
	after, _ := s.Changes(ctx, ChangeFilter{})
	if len(after) != len(before) {
		t.Error("a refused import wrote history")
	}

	// As a copy: new ids everywhere, references follow.
	cp, err := s.ImportEngagement(ctx, in, ImportOptions{AsCopy: true})
	if err != nil {
		t.Fatal(err)
	}
	crisks, _ := s.Risks(ctx, cp.ID)
	csys, _ := s.AISystems(ctx, cp.ID)
	cev, _ := s.Evidence(ctx, cp.ID)
	if len(crisks) != 1 || len(csys) != 1 || len(cev) != 1 {
		t.Fatalf("copy: %d risks, %d systems, %d evidence", len(crisks), len(csys), len(cev))
	}
	if crisks[0].ID == risks[0].ID || crisks[0].AISystemID != csys[0].ID {
		t.Errorf("copied risk %s points at system %s, copy's system is %s", crisks[0].ID, crisks[0].AISystemID, csys[0].ID)
	}
	for _, l := range cev[0].Links {
		if l.Target == assessments.LinkRisk && l.Ref != crisks[0].ID {
			t.Errorf("copied evidence links risk %s, want %s", l.Ref, crisks[0].ID)
		}
	}
}

func TestImportEngagementIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s := importStore(t)
	in := importSample()
	in.Evidence[0].Kind = "scroll" // refused by the table's CHECK, after everything else went in
	if _, err := s.ImportEngagement(ctx, in, ImportOptions{}); err == nil {
		t.Fatal("bad evidence kind accepted")
	}
	engs, _ := s.Engagements(ctx)
	hist, _ := s.Changes(ctx, ChangeFilter{})
	if len(engs) != 0 || len(hist) != 0 {
		t.Fatalf("a failed import left %d engagements and %d change rows", len(engs), len(hist))
	}
}
