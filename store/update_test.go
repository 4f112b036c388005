package store

import (
	"context"
	"errors"
	"github.com/annex-grc/annex/internal/pgtest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

// twoProcesses opens one workspace file through two handles, as two annex processes
// would: mine (author "me") and theirs (author "them").
func twoProcesses(t *testing.T) (mine, theirs *Store, e assessments.Engagement) {
	t.Helper()
	ctx := context.Background()
	p := pgtest.Workspace(t, "ws.db")
	clock := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	open := func(author string) *Store {
		s, err := Open(ctx, pgtest.WorkspaceAs(t, p, author), Options{Author: author, Now: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	mine, theirs = open("me"), open("them")
	e, err := mine.CreateEngagement(ctx, assessments.Engagement{Name: "Acme", Organisation: "Acme Ltd", Lead: "Ravi Patel",
		StartDate: "2026-01-05", Standards: []string{catalogs.ISO27001, catalogs.ISO42001}})
	if err != nil {
		t.Fatal(err)
	}
	return mine, theirs, e
}

// edit is one field edit of a T.
type edit[T any] struct {
	field string
	set   func(*T)
}

// updateCase exercises one entity's update path with two processes.
type updateCase[T any] struct {
	entity string // in the change history
	// create stores a row through s and returns it with its history id.
	create func(t *testing.T, s *Store, e assessments.Engagement) (T, string)
	read   func(s *Store, v T) (T, error)
	save   func(s *Store, before, after T) (T, error)
	toMap  func(T) map[string]string
	// theirs is the edit the other process saves first; mine is the stale caller's edit of
	// another field; clash sets theirs.field to a third value.
	theirs, mine, clash edit[T]
	// conflictWords are the Theirs and Mine a clash must report, in words.
	conflictWords [2]string
	// invalid breaks a domain rule on field invalidField.
	invalid      func(*T)
	invalidField string
}

func applied[T any](v T, e edit[T]) T {
	e.set(&v)
	return v
}

func historySince(t *testing.T, s *Store, entity, id string, seq int64) []Change {
	t.Helper()
	all, err := s.Changes(context.Background(), ChangeFilter{Entity: entity, EntityID: id})
	if err != nil {
		t.Fatal(err)
	}
	var out []Change
	for _, c := range all {
		if c.Seq > seq {
			out = append(out, c)
		}
	}
	return out
}

func lastSeq(t *testing.T, s *Store) int64 {
	t.Helper()
	all, err := s.Changes(context.Background(), ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		return 0
	}
	return all[len(all)-1].Seq
}

func (c updateCase[T]) run(t *testing.T) {
	mine, theirs, e := twoProcesses(t)
	created, id := c.create(t, mine, e)
	stale, err := c.read(mine, created) // what my screen shows
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := c.read(theirs, created)
	if err != nil {
		t.Fatal(err)
	}
	staleMap := c.toMap(stale)

	// The other process changes one field.
	if _, err := c.save(theirs, fresh, applied(fresh, c.theirs)); err != nil {
		t.Fatalf("their edit: %v", err)
	}
	theirValue := c.toMap(applied(fresh, c.theirs))[c.theirs.field]
	seq := lastSeq(t, mine)

	// My stale edit of another field merges: theirs stays, mine lands, nothing else moves.
	saved, err := c.save(mine, stale, applied(stale, c.mine))
	if err != nil {
		t.Fatalf("my edit of another field: %v", err)
	}
	want := c.toMap(stale)
	want[c.theirs.field] = theirValue
	want[c.mine.field] = c.toMap(applied(stale, c.mine))[c.mine.field]
	for _, got := range []T{saved, must(c.read(mine, created))} {
		gm := c.toMap(got)
		for f, v := range want {
			if gm[f] != v {
				t.Errorf("after the merge %s = %q, want %q", f, gm[f], v)
			}
		}
	}
	// History: one row per changed field (mine only), with the true old value.
	rows := historySince(t, mine, c.entity, id, seq)
	if len(rows) != 1 || rows[0].Field != c.mine.field || rows[0].Old != staleMap[c.mine.field] ||
		rows[0].New != want[c.mine.field] || rows[0].Author != "me" {
		t.Errorf("history of my edit = %+v, want one %s row %q → %q", rows, c.mine.field, staleMap[c.mine.field], want[c.mine.field])
	}

	// The same field from my stale view: a conflict that names both values; nothing written.
	seq = lastSeq(t, mine)
	before := must(c.read(mine, created))
	_, err = c.save(mine, stale, applied(stale, c.clash))
	var ce *ConflictError
	if !errors.Is(err, ErrConflict) || !errors.As(err, &ce) {
		t.Fatalf("stale edit of %s: err = %v, want a conflict", c.theirs.field, err)
	}
	if ce.Field != c.theirs.field || ce.Theirs != c.conflictWords[0] || ce.Mine != c.conflictWords[1] || ce.Entity == "" || ce.FieldLabel == "" {
		t.Errorf("conflict = %+v, want field %s theirs %q mine %q", ce, c.theirs.field, c.conflictWords[0], c.conflictWords[1])
	}
	if got := c.toMap(must(c.read(mine, created))); got[c.theirs.field] != c.toMap(before)[c.theirs.field] {
		t.Errorf("a refused edit wrote %s = %q", c.theirs.field, got[c.theirs.field])
	}
	if rows := historySince(t, mine, c.entity, id, seq); len(rows) != 0 {
		t.Errorf("a refused edit recorded %+v", rows)
	}

	// The very change they made, from my stale view: not a conflict, nothing to record.
	if _, err := c.save(mine, stale, applied(stale, c.theirs)); err != nil {
		t.Errorf("making the change they made: %v", err)
	}
	if rows := historySince(t, mine, c.entity, id, seq); len(rows) != 0 {
		t.Errorf("an edit already made recorded %+v", rows)
	}

	// The merged value is validated: a broken rule is refused and writes nothing.
	cur := must(c.read(mine, created))
	bad := cur
	c.invalid(&bad)
	_, err = c.save(mine, cur, bad)
	var ve *assessments.ValidationError
	if !errors.As(err, &ve) || ve.Field != c.invalidField {
		t.Errorf("invalid edit: err = %v, want a validation error on %s", err, c.invalidField)
	}
	if got := c.toMap(must(c.read(mine, created))); !sameMap(got, c.toMap(cur)) {
		t.Errorf("an invalid edit was written")
	}
	if rows := historySince(t, mine, c.entity, id, seq); len(rows) != 0 {
		t.Errorf("an invalid edit recorded %+v", rows)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestUpdatePathPerEntity(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"engagement", updateCase[assessments.Engagement]{
			entity: "engagement",
			create: func(t *testing.T, s *Store, e assessments.Engagement) (assessments.Engagement, string) {
				return e, e.ID
			},
			read: func(s *Store, v assessments.Engagement) (assessments.Engagement, error) {
				return s.Engagement(ctx, v.ID)
			},
			save: func(s *Store, b, a assessments.Engagement) (assessments.Engagement, error) {
				return s.UpdateEngagement(ctx, b, a)
			},
			toMap:         engagementMap,
			theirs:        edit[assessments.Engagement]{"lead", func(e *assessments.Engagement) { e.Lead = "Dana Ruiz" }},
			mine:          edit[assessments.Engagement]{"name", func(e *assessments.Engagement) { e.Name = "Acme 2026" }},
			clash:         edit[assessments.Engagement]{"lead", func(e *assessments.Engagement) { e.Lead = "Lee Chen" }},
			conflictWords: [2]string{"Dana Ruiz", "Lee Chen"},
			invalid:       func(e *assessments.Engagement) { e.EndDate = "2025-12-31" }, // before the start
			invalidField:  "end_date",
		}.run},
		{"engagement standards", updateCase[assessments.Engagement]{
			entity: "engagement",
			create: func(t *testing.T, s *Store, e assessments.Engagement) (assessments.Engagement, string) {
				return e, e.ID
			},
			read: func(s *Store, v assessments.Engagement) (assessments.Engagement, error) {
				return s.Engagement(ctx, v.ID)
			},
			save: func(s *Store, b, a assessments.Engagement) (assessments.Engagement, error) {
				return s.UpdateEngagement(ctx, b, a)
			},
			toMap:  engagementMap,
			theirs: edit[assessments.Engagement]{"standards", func(e *assessments.Engagement) { e.Standards = []string{catalogs.ISO42001} }},
			mine:   edit[assessments.Engagement]{"scope", func(e *assessments.Engagement) { e.Scope = "Cloud platform" }},
			clash: edit[assessments.Engagement]{"standards", func(e *assessments.Engagement) {
				e.Standards = []string{catalogs.ISO27001}
			}},
			conflictWords: [2]string{"ISO 42001", "ISO 27001"},
			invalid:       func(e *assessments.Engagement) { e.Standards = append(e.Standards, "iso9999-2030") },
			invalidField:  "standards",
		}.run},
		{"result", updateCase[assessments.Result]{
			entity: "result",
			create: func(t *testing.T, s *Store, e assessments.Engagement) (assessments.Result, string) {
				k := assessments.Key{EngagementID: e.ID, Standard: catalogs.ISO42001, Ref: "A.5.2"}
				r := must(s.Result(ctx, k))
				next := r
				next.Status, next.Owner = assessments.NotImplemented, "Ravi Patel"
				return must(s.SaveResult(ctx, r, next)), ResultEntityID(k)
			},
			read: func(s *Store, v assessments.Result) (assessments.Result, error) { return s.Result(ctx, v.Key()) },
			save: func(s *Store, b, a assessments.Result) (assessments.Result, error) {
				return s.SaveResult(ctx, b, a)
			},
			toMap:         resultMap,
			theirs:        edit[assessments.Result]{"status", func(r *assessments.Result) { r.Status = assessments.Partial }},
			mine:          edit[assessments.Result]{"target_date", func(r *assessments.Result) { r.TargetDate = "2026-09-30" }},
			clash:         edit[assessments.Result]{"status", func(r *assessments.Result) { r.Status = assessments.Implemented }},
			conflictWords: [2]string{"partially implemented", "implemented"},
			invalid:       func(r *assessments.Result) { r.Maturity = assessments.MaturityLevel(9) },
			invalidField:  "maturity",
		}.run},
		{"risk", updateCase[assessments.Risk]{
			entity: RiskEntity,
			create: func(t *testing.T, s *Store, e assessments.Engagement) (assessments.Risk, string) {
				r := must(s.CreateRisk(ctx, sampleRisk(e)))
				return r, r.ID
			},
			read: func(s *Store, v assessments.Risk) (assessments.Risk, error) { return s.Risk(ctx, v.ID) },
			save: func(s *Store, b, a assessments.Risk) (assessments.Risk, error) {
				return s.UpdateRisk(ctx, b, a)
			},
			toMap:         riskMap,
			theirs:        edit[assessments.Risk]{"status", func(r *assessments.Risk) { r.Status = assessments.RiskOpen }},
			mine:          edit[assessments.Risk]{"owner", func(r *assessments.Risk) { r.Owner = "Dana Ruiz" }},
			clash:         edit[assessments.Risk]{"status", func(r *assessments.Risk) { r.Status = assessments.RiskClosed }},
			conflictWords: [2]string{"open", "closed"},
			invalid:       func(r *assessments.Risk) { r.Inherent.Likelihood = 9 }, // off the 5x5 matrix
			invalidField:  "inherent_likelihood",
		}.run},
		{"risk matrix", updateCase[engagementMatrix]{
			entity: "risk_matrix",
			create: func(t *testing.T, s *Store, e assessments.Engagement) (engagementMatrix, string) {
				return engagementMatrix{e.ID, must(s.RiskMatrix(ctx, e.ID))}, e.ID
			},
			read: func(s *Store, v engagementMatrix) (engagementMatrix, error) {
				m, err := s.RiskMatrix(ctx, v.EngagementID)
				return engagementMatrix{v.EngagementID, m}, err
			},
			save: func(s *Store, b, a engagementMatrix) (engagementMatrix, error) {
				m, err := s.SaveRiskMatrix(ctx, b.EngagementID, b.Matrix, a.Matrix)
				return engagementMatrix{b.EngagementID, m}, err
			},
			toMap:  func(m engagementMatrix) map[string]string { return matrixMap(m.Matrix) },
			theirs: edit[engagementMatrix]{"threshold", func(m *engagementMatrix) { m.Threshold = 2 }},
			mine: edit[engagementMatrix]{"likelihood_labels", func(m *engagementMatrix) {
				m.LikelihoodLabels = []string{"Very rare", "Unlikely", "Possible", "Likely", "Almost certain"}
			}},
			clash:         edit[engagementMatrix]{"threshold", func(m *engagementMatrix) { m.Threshold = 3 }},
			conflictWords: [2]string{"2", "3"},
			invalid:       func(m *engagementMatrix) { m.Threshold = 9 },
			invalidField:  "threshold",
		}.run},
		{"AI system", updateCase[assessments.AISystem]{
			entity: "ai_system",
			create: func(t *testing.T, s *Store, e assessments.Engagement) (assessments.AISystem, string) {
				a := must(s.CreateAISystem(ctx, lensSystem(e)))
				return a, a.ID
			},
			read: func(s *Store, v assessments.AISystem) (assessments.AISystem, error) { return s.AISystem(ctx, v.ID) },
			save: func(s *Store, b, a assessments.AISystem) (assessments.AISystem, error) {
				return s.UpdateAISystem(ctx, b, a)
			},
			toMap:         aiSystemMap,
			theirs:        edit[assessments.AISystem]{"stage", func(a *assessments.AISystem) { a.Stage = assessments.StageReEvaluate }},
			mine:          edit[assessments.AISystem]{"owner", func(a *assessments.AISystem) { a.Owner = "Dana Ruiz" }},
			clash:         edit[assessments.AISystem]{"stage", func(a *assessments.AISystem) { a.Stage = assessments.StageRetirement }},
			conflictWords: [2]string{"re-evaluation", assessments.StageRetirement.Label()},
			invalid:       func(a *assessments.AISystem) { a.Name = " " },
			invalidField:  "name",
		}.run},
		{"impact assessment", updateCase[assessments.ImpactAssessment]{
			entity: "impact_assessment",
			create: func(t *testing.T, s *Store, e assessments.Engagement) (assessments.ImpactAssessment, string) {
				sys := must(s.CreateAISystem(ctx, lensSystem(e)))
				a := must(s.StartImpactAssessment(ctx, sys.ID))
				return a, a.ID
			},
			read: func(s *Store, v assessments.ImpactAssessment) (assessments.ImpactAssessment, error) {
				return s.ImpactAssessment(ctx, v.ID)
			},
			save: func(s *Store, b, a assessments.ImpactAssessment) (assessments.ImpactAssessment, error) {
				return s.UpdateImpactAssessment(ctx, b, a)
			},
			toMap:         assessments.ImpactAssessmentMap,
			theirs:        edit[assessments.ImpactAssessment]{"trigger", func(a *assessments.ImpactAssessment) { a.Trigger = assessments.TriggerIncident }},
			mine:          edit[assessments.ImpactAssessment]{"misuse", func(a *assessments.ImpactAssessment) { a.Misuse = "Used as a diagnosis" }},
			clash:         edit[assessments.ImpactAssessment]{"trigger", func(a *assessments.ImpactAssessment) { a.Trigger = assessments.TriggerPeriodic }},
			conflictWords: [2]string{assessments.TriggerIncident.Label(), assessments.TriggerPeriodic.Label()},
			invalid:       func(a *assessments.ImpactAssessment) { a.Trigger = "whim" },
			invalidField:  "trigger",
		}.run},
		{"evidence", updateCase[assessments.Evidence]{
			entity: "evidence",
			create: func(t *testing.T, s *Store, e assessments.Engagement) (assessments.Evidence, string) {
				ev := must(s.CreateEvidence(ctx, assessments.Evidence{EngagementID: e.ID, Title: "Access review interview",
					Kind: assessments.KindInterview, CollectedOn: "2026-02-01", CollectedBy: "Ravi Patel"}, AttachOptions{}))
				return ev, ev.ID
			},
			read: func(s *Store, v assessments.Evidence) (assessments.Evidence, error) { return s.EvidenceItem(ctx, v.ID) },
			save: func(s *Store, b, a assessments.Evidence) (assessments.Evidence, error) {
				return s.UpdateEvidence(ctx, b, a, AttachOptions{})
			},
			toMap:         evidenceMap,
			theirs:        edit[assessments.Evidence]{"collected_by", func(e *assessments.Evidence) { e.CollectedBy = "Dana Ruiz" }},
			mine:          edit[assessments.Evidence]{"description", func(e *assessments.Evidence) { e.Description = "Q1 review, signed" }},
			clash:         edit[assessments.Evidence]{"collected_by", func(e *assessments.Evidence) { e.CollectedBy = "Lee Chen" }},
			conflictWords: [2]string{"Dana Ruiz", "Lee Chen"},
			invalid:       func(e *assessments.Evidence) { e.ValidUntil = "2026-01-01" }, // before it was collected
			invalidField:  "valid_until",
		}.run},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

// Two processes on one file: A renames the engagement while B, from a stale view, changes
// the lead. Both changes stay and the history tells the true old values.
func TestStaleRenameKeepsOtherLead(t *testing.T) {
	ctx := context.Background()
	a, b, e := twoProcesses(t)
	seenByB, err := b.Engagement(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	seenByA, err := a.Engagement(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	// B changes the lead first; A's view is now stale.
	lead := seenByB
	lead.Lead = "Dana Ruiz"
	if _, err := b.UpdateEngagement(ctx, seenByB, lead); err != nil {
		t.Fatal(err)
	}
	rename := seenByA
	rename.Name = "Acme Group"
	saved, err := a.UpdateEngagement(ctx, seenByA, rename)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := b.Engagement(ctx, e.ID)
	for _, x := range []assessments.Engagement{saved, got} {
		if x.Name != "Acme Group" || x.Lead != "Dana Ruiz" {
			t.Errorf("after both edits name %q lead %q, want Acme Group / Dana Ruiz", x.Name, x.Lead)
		}
	}
	// The history replays to what is stored: lead Ravi → Dana (by them), name Acme →
	// Acme Group (by me), and nothing says the lead went back.
	changes, err := a.Changes(ctx, ChangeFilter{Entity: "engagement", EntityID: e.ID})
	if err != nil {
		t.Fatal(err)
	}
	var edits []string
	for _, c := range changes {
		if c.Field == "name" || c.Field == "lead" {
			edits = append(edits, c.Author+": "+c.Field+" "+c.Old+" → "+c.New)
		}
	}
	want := []string{"me: name  → Acme", "me: lead  → Ravi Patel", "them: lead Ravi Patel → Dana Ruiz", "me: name Acme → Acme Group"}
	if strings.Join(edits, "\n") != strings.Join(want, "\n") {
		t.Errorf("history:\n%s\nwant:\n%s", strings.Join(edits, "\n"), strings.Join(want, "\n"))
	}
	// A stale rename of the same field is refused with the name it has now.
	again := seenByA
	again.Name = "Acme Holdings"
	_, err = a.UpdateEngagement(ctx, seenByA, again)
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.Field != "name" || ce.Theirs != "Acme Group" || ce.Mine != "Acme Holdings" {
		t.Errorf("stale rename err = %v (%+v)", err, ce)
	}
}

// SaveRiskMatrix is field-level: a stale save of the labels keeps a threshold changed
// elsewhere, and records only the labels.
func TestSaveRiskMatrixIsFieldLevel(t *testing.T) {
	ctx := context.Background()
	a, b, e := twoProcesses(t)
	stale, _ := a.RiskMatrix(ctx, e.ID)
	fresh, _ := b.RiskMatrix(ctx, e.ID)
	th := fresh
	th.Threshold = 3
	if _, err := b.SaveRiskMatrix(ctx, e.ID, fresh, th); err != nil {
		t.Fatal(err)
	}
	labels := stale
	labels.LevelNames = []string{"Trivial", "Low", "Medium", "High", "Critical"}
	seq := lastSeq(t, a)
	saved, err := a.SaveRiskMatrix(ctx, e.ID, stale, labels)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Threshold != 3 || saved.LevelNames[4] != "Critical" {
		t.Errorf("matrix after both = threshold %d levels %v", saved.Threshold, saved.LevelNames)
	}
	rows := historySince(t, a, "risk_matrix", e.ID, seq)
	if len(rows) != 1 || rows[0].Field != "level_names" {
		t.Errorf("recorded %+v, want only level_names", rows)
	}
}

// An engagement edit is validated like a new one.
func TestUpdateEngagementValidates(t *testing.T) {
	ctx := context.Background()
	s, _, e := twoProcesses(t)
	for name, set := range map[string]func(*assessments.Engagement){
		"name":      func(e *assessments.Engagement) { e.Name = "" },
		"standards": func(e *assessments.Engagement) { e.Standards = nil },
		"start_date": func(e *assessments.Engagement) {
			e.StartDate = "someday"
		},
		"status": func(e *assessments.Engagement) { e.Status = "paused" },
	} {
		bad := e
		set(&bad)
		_, err := s.UpdateEngagement(ctx, e, bad)
		var ve *assessments.ValidationError
		if !errors.As(err, &ve) || ve.Field != name {
			t.Errorf("%s: err = %v, want a validation error on it", name, err)
		}
	}
	if got, _ := s.Engagement(ctx, e.ID); got.Name != e.Name || got.StartDate != e.StartDate || len(got.Standards) != 2 || got.Status != e.Status {
		t.Errorf("refused edits changed the engagement: %+v", got)
	}
}

func TestWithTxGroupsCallsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s, _, e := twoProcesses(t)
	k := assessments.Key{EngagementID: e.ID, Standard: catalogs.ISO27001, Ref: "A.5.1"}
	before, _ := s.Result(ctx, k)
	after := before
	after.Status = assessments.Implemented
	seq := lastSeq(t, s)
	boom := errors.New("second write failed")
	err := s.WithTx(ctx, func(tx *Store) error {
		if _, err := tx.SaveResult(ctx, before, after); err != nil {
			return err
		}
		// A store call on a bound handle sees the first write...
		if got, _ := tx.Result(ctx, k); got.Status != assessments.Implemented {
			t.Errorf("inside the transaction the result reads %s", got.Status)
		}
		// ...and a nested WithTx runs in the same transaction.
		return tx.WithTx(ctx, func(inner *Store) error {
			if inner != tx {
				t.Error("nested WithTx began another transaction")
			}
			if _, err := inner.UpdateEngagement(ctx, e, assessments.Engagement{ID: e.ID}); err == nil {
				t.Error("an engagement with no name was saved")
			}
			return boom
		})
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithTx err = %v", err)
	}
	if got, _ := s.Result(ctx, k); got.EffectiveStatus() != assessments.NotAssessed {
		t.Errorf("the first write of a failed transaction stayed: %s", got.Status)
	}
	if rows := historySince(t, s, "", "", seq); len(rows) != 0 {
		t.Errorf("a failed transaction left history rows %+v", rows)
	}
	if n, problem, err := s.VerifyChain(ctx); err != nil || problem != nil || n == 0 {
		t.Errorf("chain after rollback: %d %+v %v", n, problem, err)
	}
	// The same group without the failure lands whole.
	err = s.WithTx(ctx, func(tx *Store) error {
		if _, err := tx.SaveResult(ctx, before, after); err != nil {
			return err
		}
		renamed := e
		renamed.Name = "Acme Group"
		_, err := tx.UpdateEngagement(ctx, e, renamed)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Result(ctx, k); got.Status != assessments.Implemented {
		t.Errorf("grouped result not saved: %s", got.Status)
	}
	if got, _ := s.Engagement(ctx, e.ID); got.Name != "Acme Group" {
		t.Errorf("grouped rename not saved: %s", got.Name)
	}
}

// An evidence save with its unlink and link, grouped: a link that fails takes the edit
// and the unlink back with it.
func TestGroupedEvidenceSave(t *testing.T) {
	ctx := context.Background()
	s, _, e := twoProcesses(t)
	ev, err := s.CreateEvidence(ctx, assessments.Evidence{EngagementID: e.ID, Title: "Policy", Kind: assessments.KindInterview,
		Links: []assessments.EvidenceLink{req(catalogs.ISO27001, "A.5.1")}}, AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	after := ev
	after.Title = "Information security policy"
	err = s.WithTx(ctx, func(tx *Store) error {
		if _, err := tx.UpdateEvidence(ctx, ev, after, AttachOptions{}); err != nil {
			return err
		}
		if err := tx.UnlinkEvidence(ctx, ev.ID, req(catalogs.ISO27001, "A.5.1")); err != nil {
			return err
		}
		// No such risk: the link is refused.
		_, err := tx.LinkEvidence(ctx, ev.ID, assessments.EvidenceLink{Target: assessments.LinkRisk, Ref: "no-such-risk"})
		return err
	})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("grouped save err = %v, want not found", err)
	}
	got, _ := s.EvidenceItem(ctx, ev.ID)
	if got.Title != "Policy" || len(got.Links) != 1 {
		t.Errorf("failed group left title %q and %d links", got.Title, len(got.Links))
	}
}

func TestConflictErrorReads(t *testing.T) {
	tests := []struct {
		err  ConflictError
		want string
	}{
		{ConflictError{Entity: "risk R-003", Field: "owner", FieldLabel: "owner", Theirs: "Dana Ruiz", Mine: "Lee"},
			`risk R-003: owner changed elsewhere to "Dana Ruiz"; yours not saved`},
		{ConflictError{Entity: "ISO 42001 A.5.2", Field: "status", FieldLabel: "status", Theirs: "not implemented", Mine: "implemented"},
			`ISO 42001 A.5.2: status changed elsewhere to "not implemented"; yours not saved`},
		{ConflictError{Entity: "ISO 27001 A.5.1", Field: "target_date", FieldLabel: "target date", Theirs: "2026-03-31"},
			`ISO 27001 A.5.1: target date changed elsewhere to "2026-03-31"; yours not saved`},
		{ConflictError{Entity: "ISO 27001 A.5.1", Field: "notes", FieldLabel: "notes", Theirs: "Reviewed with the CISO on\nMonday; the register is missing two suppliers"},
			`ISO 27001 A.5.1: notes changed elsewhere to "Reviewed with th…"; yours not saved`},
		{ConflictError{Entity: "ISO 42001 A.5.2", Field: "status", FieldLabel: "status", Theirs: "partially implemented", Mine: "implemented"},
			`ISO 42001 A.5.2: status changed elsewhere to "partially implemented"; not saved`},
		{ConflictError{Entity: "risk R-010", Field: "owner", FieldLabel: "owner", Theirs: "", Mine: "Lee"},
			`risk R-010: owner cleared elsewhere; yours not saved`},
	}
	for _, tt := range tests {
		got := tt.err.Error()
		if got != tt.want {
			t.Errorf("Error() = %s\nwant      %s", got, tt.want)
		}
		if n := utf8.RuneCountInString(got); n > 80 || strings.Contains(got, "\n") {
			t.Errorf("%q is %d columns or more than one line", got, n)
		}
		if !errors.Is(&tt.err, ErrConflict) {
			t.Error("not ErrConflict")
		}
	}
}

// A conflict on an enum names both values in words, and keeps long text whole on the
// error for a dialog while the message cuts it.
func TestConflictWordsAndLongText(t *testing.T) {
	ctx := context.Background()
	a, b, e := twoProcesses(t)
	k := assessments.Key{EngagementID: e.ID, Standard: catalogs.ISO42001, Ref: "A.5.2"}
	stale, _ := a.Result(ctx, k)
	fresh, _ := b.Result(ctx, k)
	theirs := fresh
	theirs.Status, theirs.Notes = assessments.NotImplemented, strings.Repeat("Long note from the workshop. ", 10)
	if _, err := b.SaveResult(ctx, fresh, theirs); err != nil {
		t.Fatal(err)
	}
	mine := stale
	mine.Status = assessments.Partial
	_, err := a.SaveResult(ctx, stale, mine)
	var ce *ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v", err)
	}
	if ce.Entity != "ISO 42001 A.5.2" || ce.FieldLabel != "status" || ce.Theirs != "not implemented" || ce.Mine != "partially implemented" {
		t.Errorf("conflict = %+v", ce)
	}
	if strings.Contains(err.Error(), "not_implemented") || len(err.Error()) > 80 {
		t.Errorf("message %q", err)
	}
	mine = stale
	mine.Notes = "short"
	_, err = a.SaveResult(ctx, stale, mine)
	if !errors.As(err, &ce) || ce.Theirs != theirs.Notes || ce.Mine != "short" || !strings.Contains(err.Error(), "…") {
		t.Errorf("notes conflict = %v (%+v)", err, ce)
	}
}

// Record on a pool handle takes its own transaction; inside a bound one it joins it.
func TestRecordUsesTheStoresHandler(t *testing.T) {
	ctx := context.Background()
	s, _, e := twoProcesses(t)
	seq := lastSeq(t, s)
	_ = s.WithTx(ctx, func(tx *Store) error {
		if err := tx.Record(ctx, e.ID, "engagement", e.ID, []FieldDiff{{Field: "note", New: "x"}}); err != nil {
			t.Fatal(err)
		}
		return errors.New("roll back")
	})
	if rows := historySince(t, s, "", "", seq); len(rows) != 0 {
		t.Errorf("history row outlived its rolled-back transaction: %+v", rows)
	}
}

// Re-attaching goes through the update path too: fingerprint and check state, recorded.
func TestReattachRecordsCheck(t *testing.T) {
	ctx := context.Background()
	s, _, e := twoProcesses(t)
	p := filepath.Join(t.TempDir(), "policy.txt")
	if err := os.WriteFile(p, []byte("v1"), 0o600); err != nil {
		t.Fatal(err)
	}
	ev, err := s.CreateEvidence(ctx, assessments.Evidence{EngagementID: e.ID, Title: "Policy", Kind: assessments.KindDocument, Path: p}, AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("v2!"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckEvidence(ctx, e.ID, nil); err != nil {
		t.Fatal(err)
	}
	seq := lastSeq(t, s)
	got, err := s.ReattachEvidenceFile(ctx, ev.ID, AttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Integrity != assessments.IntegrityOK || got.Size != 3 || got.SHA256 == ev.SHA256 {
		t.Errorf("re-attached = %+v", got)
	}
	fields := map[string]Change{}
	for _, c := range historySince(t, s, "evidence", ev.ID, seq) {
		fields[c.Field] = c
	}
	if fields["check"].Old != "changed" || fields["check"].New != "ok" || fields["sha256"].Old != ev.SHA256 || fields["size"].New != "3" {
		t.Errorf("re-attach history = %+v", fields)
	}
}
