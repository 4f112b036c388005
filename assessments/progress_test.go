package assessments

import (
	"testing"
	"time"

	"github.com/annex-grc/annex/catalogs"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		from, to Status
		inScope  bool
		want     ChangeClass
	}{
		{NotAssessed, NotAssessed, true, Unchanged},
		{NotAssessed, NotImplemented, true, New},
		{NotAssessed, Implemented, true, New},
		{NotAssessed, NotApplicable, true, New},
		{"", Partial, true, New},
		{Implemented, Implemented, false, New}, // the standard came into scope
		{NotImplemented, NotAssessed, false, Unchanged},
		{NotImplemented, Partial, true, Improved},
		{NotImplemented, Implemented, true, Improved},
		{Partial, Implemented, true, Improved},
		{NotImplemented, NotApplicable, true, Improved},
		{Partial, NotApplicable, true, Improved},
		{Implemented, Partial, true, Regressed},
		{Implemented, NotImplemented, true, Regressed},
		{Partial, NotImplemented, true, Regressed},
		{NotApplicable, Partial, true, Regressed},
		{Implemented, NotAssessed, true, Regressed}, // an answer withdrawn
		{NotApplicable, NotAssessed, true, Regressed},
		{Implemented, NotApplicable, true, Unchanged}, // no work left either way
		{NotApplicable, Implemented, true, Unchanged},
		{Partial, Partial, true, Unchanged},
	}
	for _, c := range cases {
		if got := Classify(c.from, c.to, c.inScope); got != c.want {
			t.Errorf("Classify(%s → %s, in scope %v) = %s, want %s", c.from, c.to, c.inScope, got, c.want)
		}
	}
}

func snap(at string, e Engagement, results map[string]map[string]Result) Snapshot {
	t, _ := time.Parse(DateLayout, at)
	return Snapshot{At: t, Engagement: e, Results: results, Matrix: DefaultMatrix(DefaultMatrixSize)}
}

func TestCompare(t *testing.T) {
	set := catalogs.MustBuiltin()
	e27 := Engagement{ID: "e", Standards: []string{catalogs.ISO27001}}
	both := Engagement{ID: "e", Standards: []string{catalogs.ISO27001, catalogs.ISO42001}}
	a := snap("2026-01-10", e27, map[string]map[string]Result{catalogs.ISO27001: {
		"A.5.1":  {Status: Implemented, Owner: "Ana"},
		"A.5.7":  {Status: NotImplemented},
		"A.5.9":  {Status: Partial, TargetDate: "2026-02-01"},
		"A.5.15": {Status: Implemented},
	}})
	b := snap("2026-03-10", both, map[string]map[string]Result{
		catalogs.ISO27001: {
			"A.5.1":  {Status: Partial, Owner: "Ben"},
			"A.5.7":  {Status: Implemented},
			"A.5.9":  {Status: Partial, TargetDate: "2026-04-01"},
			"A.5.15": {Status: Implemented},
			"A.5.19": {Status: NotImplemented},
		},
		catalogs.ISO42001: {"5.2": {Status: Partial}},
	})
	// Risks: one added, one closed, one whose residual level fell, one removed.
	a.Risks = []Risk{
		{ID: "r1", Ref: "R-001", Title: "closed later", Inherent: Score{4, 4}},
		{ID: "r2", Ref: "R-002", Title: "treated", Inherent: Score{5, 5}, Residual: Score{5, 5}},
		{ID: "r3", Ref: "R-003", Title: "deleted", Inherent: Score{1, 1}},
	}
	b.Risks = []Risk{
		{ID: "r1", Ref: "R-001", Title: "closed later", Inherent: Score{4, 4}, Status: RiskClosed},
		{ID: "r2", Ref: "R-002", Title: "treated", Inherent: Score{5, 5}, Residual: Score{1, 2}},
		{ID: "r4", Ref: "R-004", Title: "new", Inherent: Score{2, 2}},
	}
	// Evidence: one added, one expired in between, one with a new file.
	a.Evidence = []Evidence{
		{ID: "v1", Title: "Policy", ValidUntil: "2026-02-15", Links: []EvidenceLink{{Target: LinkRequirement, Standard: catalogs.ISO27001, Ref: "A.5.1"}}},
		{ID: "v2", Title: "Backup log", SHA256: "aa", Path: "/x"},
	}
	b.Evidence = []Evidence{
		{ID: "v1", Title: "Policy", ValidUntil: "2026-02-15", Links: []EvidenceLink{{Target: LinkRequirement, Standard: catalogs.ISO27001, Ref: "A.5.1"}}},
		{ID: "v2", Title: "Backup log", SHA256: "bb", Path: "/x"},
		{ID: "v3", Title: "Pen test"},
	}
	b.AISystems = []AISystem{{ID: "s1", Name: "Lens"}}
	b.Assessments = []ImpactAssessment{{ID: "ia1", AISystemID: "s1", Version: 2, Decision: DecisionApprove, DecisionDate: "2026-03-01"}}
	a.Assessments = []ImpactAssessment{{ID: "ia1", AISystemID: "s1", Version: 2}}

	c := Compare(set, a, b)
	byRef := map[string]RequirementChange{}
	for _, r := range c.Requirements {
		byRef[r.Standard+" "+r.Ref] = r
	}
	checks := []struct {
		key  string
		want ChangeClass
	}{
		{catalogs.ISO27001 + " A.5.1", Regressed},
		{catalogs.ISO27001 + " A.5.7", Improved},
		{catalogs.ISO27001 + " A.5.9", Unchanged},
		{catalogs.ISO27001 + " A.5.19", New},
		{catalogs.ISO27001 + " A.5.2", Unchanged},
		{catalogs.ISO42001 + " 5.2", New},
	}
	for _, ck := range checks {
		if got := byRef[ck.key].Class; got != ck.want {
			t.Errorf("%s: %s, want %s", ck.key, got, ck.want)
		}
	}
	if r := byRef[catalogs.ISO27001+" A.5.1"]; !r.OwnerChanged() || r.OwnerFrom != "Ana" || r.OwnerTo != "Ben" {
		t.Errorf("owner change of A.5.1: %+v", r)
	}
	if r := byRef[catalogs.ISO27001+" A.5.9"]; !r.TargetChanged() || r.StatusChanged() || !r.Moved() {
		t.Errorf("target change of A.5.9: %+v", r)
	}
	c27, _ := set.Get(catalogs.ISO27001)
	c42, _ := set.Get(catalogs.ISO42001)
	if len(c.Requirements) != len(c27.Requirements)+len(c42.Requirements) {
		t.Fatalf("%d requirements compared", len(c.Requirements))
	}
	if c.Count(Regressed) != 1 || c.Count(Improved) != 1 || c.Count(New) != 2 {
		t.Errorf("counts: %d regressed, %d improved, %d new", c.Count(Regressed), c.Count(Improved), c.Count(New))
	}
	// Readiness per standard: 27001 moved from (1+0+0.5+1)/n to (0.5+1+0.5+1+0)/n.
	sp := c.Standards[0]
	if sp.Total.From.Score != 2.5 || sp.Total.To.Score != 3 || sp.Total.ReadinessDelta() <= 0 {
		t.Errorf("27001 readiness %v → %v", sp.Total.From.Score, sp.Total.To.Score)
	}
	if c.Standards[1].Total.InScopeBefore || c.Standards[1].Total.From.Score != 0 {
		t.Errorf("42001 was not in scope then: %+v", c.Standards[1].Total)
	}
	// The evidenced share: A.5.1 implemented with valid evidence then (1 of 2), not
	// implemented now and the policy expired.
	if sp.Total.EvFrom.Evidenced != 1 || sp.Total.EvFrom.Implemented != 2 || sp.Total.EvTo.Evidenced != 0 {
		t.Errorf("evidenced %+v → %+v", sp.Total.EvFrom, sp.Total.EvTo)
	}
	kinds := map[string]string{}
	for _, r := range c.Risks {
		kinds[r.Ref] = r.Kind
	}
	want := map[string]string{"R-001": RiskWasClosed, "R-002": RiskLevelMoved, "R-003": RiskWasRemoved, "R-004": RiskWasAdded}
	for ref, k := range want {
		if kinds[ref] != k {
			t.Errorf("risk %s: %q, want %q (all: %+v)", ref, kinds[ref], k, c.Risks)
		}
	}
	for _, r := range c.Risks {
		if r.Kind == RiskLevelMoved && (r.Up || r.FromLevel == r.ToLevel) {
			t.Errorf("R-002 level change: %+v", r)
		}
	}
	ev := map[string]string{}
	for _, x := range c.Evidence {
		ev[x.Title] = x.Kind
	}
	if ev["Policy"] != EvidenceExpired || ev["Backup log"] != EvidenceChanged || ev["Pen test"] != EvidenceAdded {
		t.Errorf("evidence changes: %+v", c.Evidence)
	}
	if len(c.Approvals) != 1 || c.Approvals[0].System != "Lens" || c.Approvals[0].Version != 2 {
		t.Errorf("approvals: %+v", c.Approvals)
	}
	// Compared with itself, nothing moved.
	same := Compare(set, b, b)
	if same.Count(Unchanged) != len(same.Requirements) || len(same.Risks)+len(same.Evidence)+len(same.Approvals) != 0 {
		t.Errorf("b against b: %d unchanged of %d, %d risks, %d evidence, %d approvals", same.Count(Unchanged), len(same.Requirements),
			len(same.Risks), len(same.Evidence), len(same.Approvals))
	}
}

func TestToReconfirmAndSparkline(t *testing.T) {
	set := catalogs.MustBuiltin()
	e := Engagement{Standards: []string{catalogs.ISO42001}}
	c, _ := set.Get(catalogs.ISO42001)
	pending, total := ToReconfirm(set, e, map[string]bool{catalogs.ISO42001 + ":5.2": true, catalogs.ISO27001 + ":A.5.1": true})
	if total != len(c.Requirements) || len(pending[catalogs.ISO42001]) != total-1 {
		t.Fatalf("pending %d of %d", len(pending[catalogs.ISO42001]), total)
	}
	for _, ref := range pending[catalogs.ISO42001] {
		if ref == "5.2" {
			t.Fatal("a touched requirement is still pending")
		}
	}
	if got := Sparkline([]float64{0, 50, 100, -5, 250}); got != "▁▄█▁█" {
		t.Errorf("sparkline = %q", got)
	}
}
