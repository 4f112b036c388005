package store_test

import (
	"context"
	"github.com/annex-grc/annex/internal/pgtest"
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/store/demo"
)

func demoWorkspace(t *testing.T) (*store.Store, assessments.Engagement) {
	t.Helper()
	s, err := store.Open(context.Background(), pgtest.Workspace(t, "ws.db"), store.Options{Author: "tester",
		Now: func() time.Time { return time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e, err := demo.Create(context.Background(), s, catalogs.MustBuiltin(), demo.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return s, e
}

// TestReplayExplainsDemo: everything the demo and ordinary edits store is explained by
// the history.
func TestReplayExplainsDemo(t *testing.T) {
	ctx := context.Background()
	s, e := demoWorkspace(t)
	risks, _ := s.Risks(ctx, e.ID)
	r := risks[0]
	edited := r
	edited.Owner = "Someone Else"
	if _, err := s.UpdateRisk(ctx, r, edited); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRisk(ctx, risks[1].ID); err != nil {
		t.Fatal(err)
	}
	m, _ := s.RiskMatrix(ctx, e.ID)
	m2 := m
	m2.Threshold = 1
	if _, err := s.SaveRiskMatrix(ctx, e.ID, m, m2); err != nil {
		t.Fatal(err)
	}
	rep, err := s.ReplayHistory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 {
		t.Fatalf("%d unexplained values, first: %v", len(rep.Problems), rep.Problems[:min(5, len(rep.Problems))])
	}
	if rep.Entities < 100 || rep.Fields < 1000 {
		t.Errorf("replay compared only %d entities, %d values", rep.Entities, rep.Fields)
	}
}

// TestReplayFindsWritesBehindTheHistory: a direct UPDATE of a stored value, a row deleted
// or inserted without a history row, are each reported; the chain alone passes them.
func TestReplayFindsWritesBehindTheHistory(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, sql, want string
	}{
		{"update result", `UPDATE results SET status = 'implemented' WHERE status = 'not_implemented' AND ref = (SELECT min(ref) FROM results WHERE status = 'not_implemented')`, "status is \"implemented\""},
		{"update engagement", `UPDATE engagements SET lead = 'Mallory'`, "lead is \"Mallory\""},
		{"update risk", `UPDATE risks SET inherent_likelihood = 1 WHERE ref = 'R-001'`, "risk R-001: inherent likelihood"},
		{"update matrix", `INSERT INTO risk_matrices SELECT id, 3, '["a","b","c"]', '["a","b","c"]', '["low","high"]', '[[0,0,0],[0,0,1],[0,1,1]]', 1, 'x', 'x' FROM engagements`, "risk matrix"},
		{"update AI system", `UPDATE ai_systems SET owner = 'Mallory'`, "owner is \"Mallory\""},
		{"update impact", `UPDATE impact_assessments SET scope = 'smaller' WHERE decision = ''`, "scope is \"smaller\""},
		{"update evidence", `UPDATE evidence SET title = 'Forged' WHERE id = (SELECT min(id) FROM evidence)`, "title is \"Forged\""},
		{"delete risk", `DELETE FROM risks WHERE ref = 'R-002'`, "removed without a history row"},
		{"delete result", `DELETE FROM results WHERE ref = 'A.5.15'`, "removed without a history row"},
		{"insert risk", `INSERT INTO risks(id, engagement_id, seq, ref, title, scope, inherent_likelihood, inherent_consequence, created_at, updated_at, updated_by)
			SELECT 'forged', id, 900, 'R-900', 'Forged', 'security', 1, 1, 'x', 'x', 'x' FROM engagements`, "never recorded"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := demoWorkspace(t)
			if _, err := s.Handler().ExecContext(ctx, c.sql); err != nil {
				t.Fatal(err)
			}
			if _, problem, err := s.VerifyChain(ctx); err != nil || problem != nil {
				t.Fatalf("setup: the chain should still hold: %v %v", problem, err)
			}
			rep, err := s.ReplayHistory(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var all []string
			for _, p := range rep.Problems {
				all = append(all, p.String())
			}
			if !strings.Contains(strings.Join(all, "\n"), c.want) {
				t.Fatalf("problems %q do not mention %q", all, c.want)
			}
		})
	}
}

// TestReplayLegacyMaturity: before schema 6 the history wrote maturity "0" for not rated,
// which is stored as none now; that is no problem. A level 0 stored against a history
// that says 3 is.
func TestReplayLegacyMaturity(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, pgtest.Workspace(t, "ws.db"), store.Options{Author: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Acme", Standards: []string{"iso27001-2022"}})
	if err != nil {
		t.Fatal(err)
	}
	id := "iso27001-2022:4.2"
	if err := s.Record(ctx, e.ID, "result", id, []store.FieldDiff{{Field: "status", Old: "not_assessed", New: "implemented"}, {Field: "maturity", Old: "", New: "0"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Handler().ExecContext(ctx, `INSERT INTO results(engagement_id, standard, ref, status, maturity, updated_at, updated_by)
		VALUES (?, 'iso27001-2022', '4.2', 'implemented', NULL, 'x', 'x')`, e.ID); err != nil {
		t.Fatal(err)
	}
	rep, err := s.ReplayHistory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 {
		t.Fatalf("legacy maturity reported: %v", rep.Problems)
	}
	if err := s.Record(ctx, e.ID, "result", id, []store.FieldDiff{{Field: "maturity", Old: "0", New: "3"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Handler().ExecContext(ctx, `UPDATE results SET maturity = 0 WHERE engagement_id = ? AND ref = '4.2' AND standard = 'iso27001-2022'`, e.ID); err != nil {
		t.Fatal(err)
	}
	if rep, _ := s.ReplayHistory(ctx); len(rep.Problems) != 1 || rep.Problems[0].Field != "maturity" {
		t.Fatalf("problems = %v, want the maturity", rep.Problems)
	}
}

// TestReplayEvidenceLinks: a link added or removed behind the history's back is reported.
func TestReplayEvidenceLinks(t *testing.T) {
	ctx := context.Background()
	for _, q := range []string{
		`DELETE FROM evidence_links WHERE (evidence_id, target, standard, target_ref) = (SELECT evidence_id, target, standard, target_ref FROM evidence_links ORDER BY evidence_id, target_ref LIMIT 1)`,
		`INSERT INTO evidence_links(evidence_id, engagement_id, target, standard, target_ref, created_at)
			SELECT id, engagement_id, 'requirement', 'iso27001-2022', '4.4', 'x' FROM evidence ORDER BY id LIMIT 1`,
	} {
		s, _ := demoWorkspace(t)
		if _, err := s.Handler().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
		rep, err := s.ReplayHistory(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Problems) != 1 || rep.Problems[0].Field != "links" {
			t.Errorf("%s: problems = %v", q, rep.Problems)
		}
	}
}

// TestReplayAfterEveryKindOfEdit: links added and removed, an item edited and one
// deleted, a risk and an AI system deleted (unlinking what named them), an engagement
// deleted: the history explains all of it.
func TestReplayAfterEveryKindOfEdit(t *testing.T) {
	ctx := context.Background()
	s, e := demoWorkspace(t)
	items, _ := s.Evidence(ctx, e.ID)
	a, b := items[0], items[1]
	if _, err := s.LinkEvidence(ctx, a.ID, assessments.EvidenceLink{Target: assessments.LinkRequirement, Standard: catalogs.ISO27001, Ref: "4.4"}); err != nil {
		t.Fatal(err)
	}
	if err := s.UnlinkEvidence(ctx, a.ID, a.Links[0]); err != nil {
		t.Fatal(err)
	}
	edited := a
	edited.Description = "Edited after the workshop."
	if _, err := s.UpdateEvidence(ctx, a, edited, store.AttachOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteEvidence(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	risks, _ := s.Risks(ctx, e.ID)
	for _, r := range risks {
		if err := s.DeleteRisk(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	systems, _ := s.AISystems(ctx, e.ID)
	if err := s.DeleteAISystem(ctx, systems[0].ID); err != nil {
		t.Fatal(err)
	}
	if rep, err := s.ReplayHistory(ctx); err != nil || len(rep.Problems) > 0 {
		t.Fatalf("after edits: %v %v", err, rep.Problems)
	}
	if err := s.DeleteEngagement(ctx, e.ID); err != nil {
		t.Fatal(err)
	}
	if rep, err := s.ReplayHistory(ctx); err != nil || len(rep.Problems) > 0 || rep.Entities != 0 {
		t.Fatalf("after the engagement's deletion: %v %d entities %v", err, rep.Entities, rep.Problems)
	}
}
