package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/internal/pgtest"
	"github.com/annex-grc/annex/store"
)

// TestConcurrentTeamEdits: 16 clients (each its own connection pool, four PostgreSQL roles
// granted consultant) edit one engagement at once: statuses and notes of the same eight
// requirements, owners and plans of the same three risks, and links of the same two
// evidence items. Afterwards: no lost update (for every field, each history row's old value
// is the previous row's new value, so no save overwrote a value it had not seen, and every
// acknowledged edit is in the history or was reported as a conflict), the stored values are
// what the history says (replay), and the chain verifies. The run lasts
// ANNEX_CONCURRENCY_SECONDS (default 5; docs/BENCHMARKS.md reports a 30-second run) and
// logs the save latencies.
func TestConcurrentTeamEdits(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t, "tester")
	owner, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	e, err := owner.CreateEngagement(ctx, assessments.Engagement{Name: "Shared", Standards: []string{"iso27001-2022"}})
	if err != nil {
		t.Fatal(err)
	}
	refs := []string{"A.5.1", "A.5.2", "A.5.3", "A.5.4", "A.5.5", "A.5.6", "A.5.7", "A.5.8"}
	var riskIDs, evidenceIDs []string
	for i := 1; i <= 3; i++ {
		r, err := owner.CreateRisk(ctx, assessments.Risk{EngagementID: e.ID, Title: fmt.Sprintf("Risk %d", i), Scope: assessments.ScopeSecurity,
			Inherent: assessments.Score{Likelihood: 2, Consequence: 2}})
		if err != nil {
			t.Fatal(err)
		}
		riskIDs = append(riskIDs, r.ID)
	}
	for i := 1; i <= 2; i++ {
		ev, err := owner.CreateEvidence(ctx, assessments.Evidence{EngagementID: e.ID, Title: fmt.Sprintf("Link %d", i), Kind: assessments.KindLink,
			URL: fmt.Sprintf("https://example.org/%d", i)}, store.AttachOptions{})
		if err != nil {
			t.Fatal(err)
		}
		evidenceIDs = append(evidenceIDs, ev.ID)
	}
	var roles []string
	for i := 0; i < 4; i++ {
		r := pgtest.Role(t, "editor")
		if err := owner.Grant(ctx, r, e.ID, store.AccessConsultant); err != nil {
			t.Fatal(err)
		}
		roles = append(roles, r)
	}
	seconds := 5
	if v, err := strconv.Atoi(os.Getenv("ANNEX_CONCURRENCY_SECONDS")); err == nil && v > 0 {
		seconds = v
	}
	deadline := time.Now().Add(time.Duration(seconds) * time.Second)

	type outcome struct {
		kind     string
		latency  time.Duration
		conflict bool
		acked    string // "entity id field new" of an acknowledged field edit
	}
	clients := 16
	if v, err := strconv.Atoi(os.Getenv("ANNEX_CONCURRENCY_CLIENTS")); err == nil && v > 0 {
		clients = v // for measuring: one client's latency without contention
	}
	results := make([][]outcome, clients)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for c := 0; c < clients; c++ {
		s, err := store.Open(ctx, pgtest.As(t, dsn, roles[c%len(roles)], ""), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		wg.Add(1)
		go func(c int, s *store.Store) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 42))
			statuses := []assessments.Status{assessments.NotImplemented, assessments.Partial, assessments.Implemented}
			for n := 0; time.Now().Before(deadline); n++ {
				token := fmt.Sprintf("c%d-%d", c, n)
				var o outcome
				start := time.Now()
				var err error
				switch op := rng.IntN(10); {
				case op < 3: // a status
					k := assessments.Key{EngagementID: e.ID, Standard: "iso27001-2022", Ref: refs[rng.IntN(len(refs))]}
					var before assessments.Result
					if before, err = s.Result(ctx, k); err == nil {
						after := before
						after.Status = statuses[rng.IntN(len(statuses))]
						o.kind = "result status"
						start = time.Now()
						_, err = s.SaveResult(ctx, before, after)
						if err == nil && after.Status != before.Status {
							o.acked = "result " + store.ResultEntityID(k) + " status " + string(after.Status)
						}
					}
				case op < 6: // a note
					k := assessments.Key{EngagementID: e.ID, Standard: "iso27001-2022", Ref: refs[rng.IntN(len(refs))]}
					var before assessments.Result
					if before, err = s.Result(ctx, k); err == nil {
						after := before
						after.Notes = "note " + token
						o.kind = "result note"
						start = time.Now()
						_, err = s.SaveResult(ctx, before, after)
						o.acked = "result " + store.ResultEntityID(k) + " notes " + after.Notes
					}
				case op < 8: // a risk's owner or plan
					var before assessments.Risk
					if before, err = s.Risk(ctx, riskIDs[rng.IntN(len(riskIDs))]); err == nil {
						after := before
						field := "owner"
						if rng.IntN(2) == 0 {
							after.Owner = "owner " + token
						} else {
							field, after.TreatmentPlan = "treatment_plan", "plan "+token
						}
						o.kind = "risk field"
						start = time.Now()
						_, err = s.UpdateRisk(ctx, before, after)
						o.acked = "risk " + before.ID + " " + field + " " + map[string]string{"owner": after.Owner, "treatment_plan": after.TreatmentPlan}[field]
					}
				default: // an evidence link, added or removed
					id := evidenceIDs[rng.IntN(len(evidenceIDs))]
					l := assessments.EvidenceLink{Target: assessments.LinkRequirement, Standard: "iso27001-2022", Ref: refs[rng.IntN(len(refs))]}
					o.kind = "evidence link"
					if rng.IntN(2) == 0 {
						_, err = s.LinkEvidence(ctx, id, l)
					} else if err = s.UnlinkEvidence(ctx, id, l); errors.Is(err, store.ErrNotFound) {
						err = nil
					}
				}
				o.latency = time.Since(start)
				switch {
				case errors.Is(err, store.ErrConflict):
					o.conflict, o.acked = true, ""
				case err != nil:
					errs <- fmt.Errorf("client %d, %s: %w", c, o.kind, err)
					return
				}
				results[c] = append(results[c], o)
			}
		}(c, s)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}

	// Every field's history is one line: each row starts from the value the row before
	// left, so no save overwrote what it had not seen.
	all, err := owner.Changes(ctx, store.ChangeFilter{EngagementID: e.ID})
	if err != nil {
		t.Fatal(err)
	}
	last := map[string]string{}
	inHistory := map[string]bool{}
	for _, c := range all {
		if c.Field == "link" || c.Field == "created" || c.Entity == "team_grant" || c.Entity == "engagement" {
			continue
		}
		key := c.Entity + " " + c.EntityID + " " + c.Field
		if prev, ok := last[key]; ok && c.Old != prev {
			t.Errorf("lost update: history row %d of %s starts from %q, but the row before left %q", c.Seq, key, c.Old, prev)
		}
		last[key] = c.New
		inHistory[key+" "+c.New] = true
	}
	lat := map[string][]time.Duration{}
	var saves, conflicts int
	for _, list := range results {
		for _, o := range list {
			lat[o.kind] = append(lat[o.kind], o.latency)
			lat["all saves"] = append(lat["all saves"], o.latency)
			saves++
			if o.conflict {
				conflicts++
			}
			if o.acked != "" && !inHistory[o.acked] {
				t.Errorf("acknowledged edit not in the history: %s", o.acked)
			}
		}
	}
	if rep, err := owner.ReplayHistory(ctx); err != nil || len(rep.Problems) > 0 {
		t.Errorf("stored values the history does not explain: %v %v", rep.Problems, err)
	}
	if n, problem, err := owner.VerifyChain(ctx); err != nil || problem != nil {
		t.Errorf("chain: %v %v", problem, err)
	} else {
		t.Logf("chain verified: %d rows", n)
	}
	if saves < clients || (clients > 1 && conflicts == 0) {
		t.Fatalf("only %d saves in %d s", saves, seconds)
	}
	t.Logf("%d clients, %d s: %d saves, %d conflicts reported (%.1f%%), 0 lost updates", clients, seconds, saves, conflicts, 100*float64(conflicts)/float64(saves))
	kinds := make([]string, 0, len(lat))
	for k := range lat {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		d := lat[k]
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		t.Logf("%-14s n=%5d  p50 %6.2f ms  p95 %6.2f ms  max %7.2f ms", k, len(d), ms(d[len(d)/2]), ms(d[len(d)*95/100]), ms(d[len(d)-1]))
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
