package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/internal/pgtest"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/store/demo"
)

func historyLen(t *testing.T, s *store.Store) int {
	t.Helper()
	h, err := s.ChainHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h.Length
}

func TestBaselineCreateAndRefusals(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, pgtest.Workspace(t, "ws.db"), store.Options{Author: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Acme", Standards: []string{catalogs.ISO27001}})
	if err != nil {
		t.Fatal(err)
	}
	head, _ := s.ChainHead(ctx)
	b, err := s.CreateBaseline(ctx, e.ID, "  Gap   workshop 1 ")
	if err != nil {
		t.Fatal(err)
	}
	if b.Name != "Gap workshop 1" || int(b.Seq) != head.Length || b.Hash != head.Head || b.IsCycle() {
		t.Fatalf("baseline %+v, want the head %+v", b, head)
	}
	n := historyLen(t, s)
	for _, name := range []string{"", "   ", "gap WORKSHOP 1", "now", strings.Repeat("x", store.MaxBaselineName+1)} {
		_, err := s.CreateBaseline(ctx, e.ID, name)
		var ve *assessments.ValidationError
		if !errors.As(err, &ve) || ve.Field != "name" || !strings.HasSuffix(ve.Message, ".") {
			t.Errorf("name %q: %v, want one sentence about the name", name, err)
		}
	}
	if historyLen(t, s) != n {
		t.Fatal("a refused baseline wrote history rows")
	}
	if _, err := s.CreateBaseline(ctx, "no-such", "X"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("baseline of a missing engagement: %v", err)
	}
	got, err := s.Baseline(ctx, e.ID, "GAP WORKSHOP 1")
	if err != nil || got.ID != b.ID {
		t.Fatalf("find by name in another case: %v %+v", err, got)
	}
	if _, err := s.StartCycle(ctx, e.ID, "Year 2", ""); err == nil {
		t.Fatal("a cycle without a baseline to start from was accepted")
	}
	rep, err := s.ReplayHistory(ctx)
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("replay: %v %v", err, rep.Problems)
	}
}

// TestBaselineTamperingFound: an altered anchor row, a baseline pointed at another row, and a
// baseline row removed or forged are each reported, by the anchor check (annex baseline
// list) and by annex log --verify (chain and replay).
func TestBaselineTamperingFound(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name        string
		sql         string
		anchor      string // expected in CheckBaselineAnchors, "" for none
		chainBroken bool
		replay      string // expected in ReplayHistory, "" for none
	}{
		{name: "anchor row altered", sql: `UPDATE changes SET new_value = new_value || ' (edited)' WHERE seq = (SELECT seq FROM baselines WHERE name = 'Pre-audit')`,
			anchor: "was altered since it was made", chainBroken: true},
		{name: "anchor row removed", sql: `DELETE FROM changes WHERE seq = (SELECT seq FROM baselines WHERE name = 'Pre-audit')`,
			anchor: "is missing", chainBroken: true},
		{name: "baseline moved to another row", sql: `UPDATE baselines SET seq = seq - 5, hash = (SELECT c.hash FROM changes c WHERE c.seq = baselines.seq - 5) WHERE name = 'Pre-audit'`,
			replay: `seq is`},
		{name: "baseline hash rewritten", sql: `UPDATE baselines SET hash = '` + strings.Repeat("ab", 32) + `' WHERE name = 'Pre-audit'`,
			anchor: "not the row it was made on", replay: "hash is"},
		{name: "baseline renamed", sql: `UPDATE baselines SET name = 'Stage 1' WHERE name = 'Pre-audit'`, replay: `name is "Stage 1"`},
		{name: "baseline removed", sql: `DELETE FROM baselines WHERE name = 'Pre-audit'`, replay: "removed without a history row"},
		{name: "baseline forged", sql: `INSERT INTO baselines SELECT 'forged', engagement_id, 'Forged', 'baseline', '', seq, hash, created_at, created_by FROM baselines WHERE name = 'Pre-audit'`,
			replay: "never recorded"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := demoWorkspace(t)
			if _, err := s.DB().ExecContext(ctx, c.sql); err != nil {
				t.Fatal(err)
			}
			_, problem, err := s.VerifyChain(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if (problem != nil) != c.chainBroken {
				t.Fatalf("chain problem = %v, want broken %v", problem, c.chainBroken)
			}
			anchors, err := s.CheckBaselineAnchors(ctx, "", problem)
			if err != nil {
				t.Fatal(err)
			}
			var found []string
			for _, a := range anchors {
				found = append(found, a.String())
			}
			joined := strings.Join(found, "\n")
			if c.anchor != "" && !strings.Contains(joined, c.anchor) {
				t.Errorf("anchor problems %q do not say %q", found, c.anchor)
			}
			if c.anchor == "" && c.replay != "" && strings.Contains(joined, "Pre-audit") && !strings.Contains(c.name, "moved") {
				t.Errorf("unexpected anchor problems %q", found)
			}
			if c.chainBroken {
				return // log --verify stops at the broken chain, naming the baselines on it
			}
			rep, err := s.ReplayHistory(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var all []string
			for _, p := range rep.Problems {
				all = append(all, p.String())
			}
			if !strings.Contains(strings.Join(all, "\n"), c.replay) {
				t.Fatalf("replay problems %q do not mention %q", all, c.replay)
			}
		})
	}
}

// TestDemoBaselines: the demo's two earlier baselines show plausible progress, the last
// stretch with regressions; rebuilding the latest baseline and comparing it with now
// classifies every requirement of both standards.
func TestDemoBaselines(t *testing.T) {
	ctx := context.Background()
	s, e := demoWorkspace(t)
	set := catalogs.MustBuiltin()
	list, err := s.Baselines(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != demo.BaselineWorkshop || list[1].Name != demo.BaselinePreAudit {
		t.Fatalf("demo baselines = %+v", list)
	}
	if !list[0].At.Before(list[1].At) || !list[1].At.Before(s.Now()) {
		t.Fatalf("baseline dates %v, %v not before today %v", list[0].At, list[1].At, s.Now())
	}
	live, err := s.LiveState(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	var states []store.State
	for _, b := range list {
		st, err := s.BaselineState(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		states = append(states, st)
	}
	ws, pa := states[0], states[1]
	c := assessments.Compare(set, ws.Snapshot, pa.Snapshot)
	if c.Count(assessments.Improved) < 8 || c.Count(assessments.New) < 3 || c.Count(assessments.Regressed) != 1 {
		t.Errorf("workshop → pre-audit: %d improved, %d new, %d regressed", c.Count(assessments.Improved), c.Count(assessments.New), c.Count(assessments.Regressed))
	}
	if len(c.Risks) != 1 || c.Risks[0].Kind != assessments.RiskLevelMoved || c.Risks[0].Up {
		t.Errorf("risk changes = %+v, want one level down", c.Risks)
	}
	kinds := map[string]int{}
	for _, ev := range c.Evidence {
		kinds[ev.Kind]++
	}
	if kinds[assessments.EvidenceChanged] != 1 || kinds[assessments.EvidenceExpired] != 1 {
		t.Errorf("evidence changes = %+v, want the item linked again and the pen test report that expired meanwhile", c.Evidence)
	}
	now := assessments.Compare(set, pa.Snapshot, live.Snapshot)
	reg := now.Of(assessments.Regressed)
	if len(reg) != 3 {
		t.Fatalf("pre-audit → now regressions = %+v, want A.8.8, A.5.24 and 42001 A.7.5", reg)
	}
	for _, sp := range c.Standards {
		if sp.Total.To.Percent() <= sp.Total.From.Percent() {
			t.Errorf("%s readiness did not rise from the workshop to the pre-audit check: %.1f → %.1f", sp.Short, sp.Total.From.Percent(), sp.Total.To.Percent())
		}
	}
	// Every requirement of both standards is classified.
	want := 0
	for _, std := range e.Standards {
		cat, _ := set.Get(std)
		want += len(cat.Requirements)
	}
	if len(now.Requirements) != want {
		t.Fatalf("%d requirements compared, want %d", len(now.Requirements), want)
	}
	// The trend statuses agree with the full rebuilds.
	points, err := s.StatusesAt(ctx, e.ID, []int64{list[0].Seq, list[1].Seq})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range points {
		for _, std := range e.Standards {
			cat, _ := set.Get(std)
			for _, req := range cat.Requirements {
				got := p.Statuses[std][req.Ref]
				if got == "" {
					got = assessments.NotAssessed
				}
				if w := states[i].Result(std, req.Ref).EffectiveStatus(); got != w {
					t.Fatalf("%s: %s %s is %s in the trend, %s in the rebuild", list[i].Name, std, req.Ref, got, w)
				}
			}
		}
	}
	rep, err := s.ReplayHistory(ctx)
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("replay of the demo: %v %v", err, rep.Problems)
	}
}

// TestNextCycleReconfirm: after a new cycle starts, every requirement is to be
// re-confirmed until it is edited or re-confirmed as it stands; statuses stay.
func TestNextCycleReconfirm(t *testing.T) {
	ctx := context.Background()
	s, e := demoWorkspace(t)
	set := catalogs.MustBuiltin()
	if _, err := s.ReconfirmResults(ctx, e.ID, assessments.Key{EngagementID: e.ID, Standard: catalogs.ISO27001, Ref: "5.2"}); err == nil {
		t.Fatal("re-confirming without a cycle was accepted")
	}
	before, _ := s.Results(ctx, e.ID)
	pre, err := s.Baseline(ctx, e.ID, demo.BaselinePreAudit)
	if err != nil {
		t.Fatal(err)
	}
	cycle, err := s.StartCycle(ctx, e.ID, "Year 2", pre.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !cycle.IsCycle() || cycle.FromID != pre.ID {
		t.Fatalf("cycle = %+v", cycle)
	}
	after, _ := s.Results(ctx, e.ID)
	if len(after[catalogs.ISO27001]) != len(before[catalogs.ISO27001]) || after[catalogs.ISO27001]["5.2"].Status != before[catalogs.ISO27001]["5.2"].Status {
		t.Fatal("starting a cycle changed the results")
	}
	rc, err := s.Reconfirmation(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	pending, total := assessments.ToReconfirm(set, e, rc.Touched)
	if n := len(pending[catalogs.ISO27001]) + len(pending[catalogs.ISO42001]); n != total || total == 0 {
		t.Fatalf("right after the cycle began %d of %d are to re-confirm, want all", n, total)
	}
	// An edit touches a requirement; so does a re-confirmation as it stands.
	k := assessments.Key{EngagementID: e.ID, Standard: catalogs.ISO27001, Ref: "A.5.7"}
	r, _ := s.Result(ctx, k)
	edited := r
	edited.Owner = "Someone New"
	if _, err := s.SaveResult(ctx, r, edited); err != nil {
		t.Fatal(err)
	}
	k2 := assessments.Key{EngagementID: e.ID, Standard: catalogs.ISO42001, Ref: "5.2"}
	if n, err := s.ReconfirmResults(ctx, e.ID, k2, k2, k); err != nil || n != 1 {
		t.Fatalf("re-confirm: %d %v, want 1 (the edited one and the repeat count once)", n, err)
	}
	rc, _ = s.Reconfirmation(ctx, e.ID)
	if rc.Pending(k.Standard, k.Ref) || rc.Pending(k2.Standard, k2.Ref) || !rc.Pending(catalogs.ISO27001, "5.2") {
		t.Fatalf("pending after the edits: %v %v %v", rc.Pending(k.Standard, k.Ref), rc.Pending(k2.Standard, k2.Ref), rc.Pending(catalogs.ISO27001, "5.2"))
	}
	pending, _ = assessments.ToReconfirm(set, e, rc.Touched)
	if n := len(pending[catalogs.ISO27001]) + len(pending[catalogs.ISO42001]); n != total-2 {
		t.Fatalf("%d to re-confirm after two were touched, want %d", n, total-2)
	}
	// The re-confirmation rows change no value: the replay and the rebuild ignore them.
	rep, err := s.ReplayHistory(ctx)
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("replay: %v %v", err, rep.Problems)
	}
	live, _ := s.LiveState(ctx, e.ID)
	st, err := s.StateAt(ctx, e.ID, live.Seq)
	if err != nil || st.Result(k2.Standard, k2.Ref).Status != live.Result(k2.Standard, k2.Ref).Status {
		t.Fatalf("rebuild after a re-confirmation: %v", err)
	}
}

// TestReplayManyEngagements: results of different engagements share their ids ("standard:
// ref"); the replay keeps them apart (it once mixed them up, so `annex log --verify`
// reported a workspace of several demo engagements as tampered with).
func TestReplayManyEngagements(t *testing.T) {
	ctx := context.Background()
	s, _ := demoWorkspace(t)
	for i := 1; i <= 2; i++ {
		if _, err := demo.Create(ctx, s, catalogs.MustBuiltin(), demo.Options{Client: i, Dir: t.TempDir()}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := s.ReplayHistory(ctx)
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("replay of three engagements: %v %d problems, first %v", err, len(rep.Problems), rep.Problems[:min(3, len(rep.Problems))])
	}
}

// TestOpenAsOf: the engagement as of a baseline, in a read-only workspace of its own.
func TestOpenAsOf(t *testing.T) {
	ctx := context.Background()
	s, e := demoWorkspace(t)
	b, err := s.Baseline(ctx, e.ID, demo.BaselineWorkshop)
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.BaselineState(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.OpenAsOf(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(a.Store.Path())
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("as-of folder: %v %v", err, st)
	}
	if !a.Store.ReadOnly() || a.Engagement.Name != e.Name || a.Engagement.ID == e.ID {
		t.Fatalf("as-of: read-only %v, name %q, id %s", a.Store.ReadOnly(), a.Engagement.Name, a.Engagement.ID)
	}
	if !a.Store.Now().Equal(b.At) {
		t.Errorf("as-of clock %v, want the baseline's time %v", a.Store.Now(), b.At)
	}
	got, err := a.Store.Results(ctx, a.Engagement.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, std := range e.Standards {
		for ref, r := range want.Results[std] {
			if got[std][ref].EffectiveStatus() != r.EffectiveStatus() || got[std][ref].Owner != r.Owner {
				t.Fatalf("%s %s as of: %s %q, want %s %q", std, ref, got[std][ref].Status, got[std][ref].Owner, r.Status, r.Owner)
			}
		}
	}
	risks, _ := a.Store.Risks(ctx, a.Engagement.ID)
	if len(risks) != len(want.Risks) {
		t.Fatalf("%d risks as of, want %d", len(risks), len(want.Risks))
	}
	r := got[catalogs.ISO27001]["A.5.1"]
	edited := r
	edited.Status = assessments.Implemented
	if _, err := a.Store.SaveResult(ctx, r, edited); !errors.Is(err, store.ErrReadOnly) || !strings.Contains(err.Error(), demo.BaselineWorkshop) {
		t.Fatalf("an edit as of a baseline: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the as-of folder stays after Close: %v", err)
	}
}
