package assessments

import (
	"testing"

	"github.com/annex-grc/annex/catalogs"
)

func TestCarried(t *testing.T) {
	const none Status = ""
	// want[rel] lists the carried status for each source status in Statuses order:
	// not assessed, not implemented, partial, implemented, not applicable ("" = nothing to adopt).
	want := map[catalogs.Relationship][5]Status{
		catalogs.Equal:      {none, NotImplemented, Partial, Implemented, none},
		catalogs.Superset:   {none, NotImplemented, Partial, Implemented, none},
		catalogs.Subset:     {none, none, Partial, Partial, none},
		catalogs.Intersects: {none, none, Partial, Partial, none},
		catalogs.Related:    {none, none, Partial, Partial, none},
	}
	if len(want) != len(catalogs.Relationships) {
		t.Fatalf("table covers %d relationships, catalogs knows %d", len(want), len(catalogs.Relationships))
	}
	for _, rel := range catalogs.Relationships {
		for i, src := range Statuses {
			got, ok := Carried(rel, src)
			w := want[rel][i]
			if ok != (w != none) || got != w {
				t.Errorf("Carried(%s, %s) = %q, %v; want %q, %v", rel, src, got, ok, w, w != none)
			}
		}
	}
	// An unknown relationship or status never carries anything.
	if st, ok := Carried("bogus", Implemented); ok {
		t.Errorf("unknown relationship carried %s", st)
	}
	if st, ok := Carried(catalogs.Equal, "bogus"); ok {
		t.Errorf("unknown status carried %s", st)
	}
	if st, ok := Carried(catalogs.Equal, ""); ok {
		t.Errorf("empty status carried %s", st)
	}
}

func TestAdopt(t *testing.T) {
	set := catalogs.MustBuiltin()
	current := Result{EngagementID: "e1", Standard: catalogs.ISO42001, Ref: "A.2.2", Status: NotAssessed,
		Notes: "the client's own words", Owner: "CISO", TargetDate: "2027-01-31", Maturity: MaturityLevel(2)}
	tests := []struct {
		name       string
		rel        catalogs.Relationship
		src        Status
		wantStatus Status
		wantProv   string
		wantErr    bool
	}{
		{"equal implemented", catalogs.Equal, Implemented, Implemented, "from ISO 27001 A.5.1 (equal)", false},
		{"superset partial", catalogs.Superset, Partial, Partial, "from ISO 27001 A.5.1 (superset)", false},
		{"equal not implemented", catalogs.Equal, NotImplemented, NotImplemented, "from ISO 27001 A.5.1 (equal)", false},
		{"subset implemented capped", catalogs.Subset, Implemented, Partial, "from ISO 27001 A.5.1 (subset)", false},
		{"intersects implemented capped", catalogs.Intersects, Implemented, Partial, "from ISO 27001 A.5.1 (intersects)", false},
		{"related partial", catalogs.Related, Partial, Partial, "from ISO 27001 A.5.1 (related)", false},
		{"related not implemented refused", catalogs.Related, NotImplemented, "", "", true},
		{"not applicable refused", catalogs.Equal, NotApplicable, "", "", true},
		{"not assessed refused", catalogs.Superset, NotAssessed, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := catalogs.Mapping{Standard: catalogs.ISO27001, Ref: "A.5.1", Relationship: tt.rel, Rationale: "r"}
			got, err := Adopt(set, current, m, tt.src)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Adopt succeeded with %+v", got)
				}
				if got.Status != current.Status || got.NeedsReview || got.Provenance != "" {
					t.Errorf("refused adoption changed the result: %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Adopt: %v", err)
			}
			if got.Status != tt.wantStatus {
				t.Errorf("status = %s, want %s", got.Status, tt.wantStatus)
			}
			if !got.NeedsReview {
				t.Error("adopted result is not marked needs review")
			}
			if got.Provenance != tt.wantProv {
				t.Errorf("provenance = %q, want %q", got.Provenance, tt.wantProv)
			}
			if got.Notes != current.Notes || got.Owner != current.Owner || got.TargetDate != current.TargetDate || !SameMaturity(got.Maturity, current.Maturity) {
				t.Errorf("adoption touched the consultant's fields: %+v", got)
			}
			if got.Key() != current.Key() {
				t.Errorf("adoption changed the key to %+v", got.Key())
			}
			if err := got.Validate(); err != nil {
				t.Errorf("adopted result does not validate: %v", err)
			}
		})
	}
}

func TestProvenanceUnknownStandard(t *testing.T) {
	set := catalogs.MustBuiltin()
	got := Provenance(set, catalogs.Mapping{Standard: "soc2", Ref: "CC1.1", Relationship: catalogs.Intersects})
	if want := "from soc2 CC1.1 (intersects)"; got != want {
		t.Errorf("Provenance = %q, want %q", got, want)
	}
}

func TestConfirm(t *testing.T) {
	r := Result{Standard: catalogs.ISO42001, Ref: "A.2.2", Status: Partial, NeedsReview: true, Provenance: "from ISO 27001 A.5.1 (subset)"}
	got := Confirm(r)
	if got.NeedsReview {
		t.Error("confirmed result still needs review")
	}
	if got.Provenance != r.Provenance || got.Status != r.Status {
		t.Errorf("Confirm changed more than the flag: %+v", got)
	}
	if !r.NeedsReview {
		t.Error("Confirm modified its argument")
	}
}

// cwResults builds the nested result map from (standard, ref, status) triples.
func cwResults(rows ...any) map[string]map[string]Result {
	out := map[string]map[string]Result{}
	for i := 0; i+2 < len(rows); i += 3 {
		std, ref, st := rows[i].(string), rows[i+1].(string), rows[i+2].(Status)
		if out[std] == nil {
			out[std] = map[string]Result{}
		}
		r := Result{Standard: std, Ref: ref, Status: st}
		if st == NotApplicable {
			r.Justification = "out of scope"
		}
		out[std][ref] = r
	}
	return out
}

func TestSuggestions(t *testing.T) {
	set := catalogs.MustBuiltin()
	both := Engagement{ID: "e1", Standards: []string{catalogs.ISO27001, catalogs.ISO42001}}

	t.Run("nothing assessed gives nothing", func(t *testing.T) {
		if got := Suggestions(set, both, nil); len(got) != 0 {
			t.Errorf("got %d suggestions, want 0", len(got))
		}
	})

	t.Run("one implemented source suggests every mapped target", func(t *testing.T) {
		res := cwResults(catalogs.ISO27001, "A.5.1", Implemented)
		got := Suggestions(set, both, res)
		var wantTargets []string
		for _, m := range set.MappingsFor(catalogs.ISO27001, "A.5.1") {
			if m.Standard == catalogs.ISO42001 {
				wantTargets = append(wantTargets, m.Ref)
			}
		}
		if len(wantTargets) == 0 {
			t.Fatal("27001 A.5.1 maps to nothing in 42001; the crosswalk changed")
		}
		seen := map[string]bool{}
		for _, s := range got {
			if s.Standard != catalogs.ISO42001 || s.From.Standard != catalogs.ISO27001 || s.From.Ref != "A.5.1" {
				t.Errorf("unexpected suggestion %+v", s)
			}
			if s.FromStatus != Implemented {
				t.Errorf("%s: from status %s, want implemented", s.Ref, s.FromStatus)
			}
			want, _ := Carried(s.From.Relationship, Implemented)
			if s.Carried != want {
				t.Errorf("%s: carried %s, want %s", s.Ref, s.Carried, want)
			}
			seen[s.Ref] = true
		}
		for _, ref := range wantTargets {
			if !seen[ref] {
				t.Errorf("no suggestion for 42001 %s", ref)
			}
		}
	})

	t.Run("assessed targets and out-of-scope sources give nothing", func(t *testing.T) {
		res := cwResults(catalogs.ISO27001, "A.5.1", Implemented)
		res[catalogs.ISO42001] = map[string]Result{}
		for _, m := range set.MappingsFor(catalogs.ISO27001, "A.5.1") {
			res[catalogs.ISO42001][m.Ref] = Result{Standard: catalogs.ISO42001, Ref: m.Ref, Status: NotImplemented}
		}
		if got := Suggestions(set, both, res); len(got) != 0 {
			t.Errorf("assessed targets still suggested: %+v", got)
		}
		only42 := Engagement{ID: "e2", Standards: []string{catalogs.ISO42001}}
		if got := Suggestions(set, only42, cwResults(catalogs.ISO27001, "A.5.1", Implemented)); len(got) != 0 {
			t.Errorf("source standard out of scope still suggested: %+v", got)
		}
	})

	t.Run("not applicable and weak not implemented are not offered", func(t *testing.T) {
		res := cwResults(catalogs.ISO27001, "6.3", NotApplicable)
		for _, s := range Suggestions(set, both, res) {
			t.Errorf("N/A source offered: %+v", s)
		}
		res = cwResults(catalogs.ISO27001, "4.1", NotImplemented) // 4.1 subset 4.1
		for _, s := range Suggestions(set, both, res) {
			if s.Ref == "4.1" && s.Standard == catalogs.ISO42001 {
				t.Errorf("not implemented through a subset link offered: %+v", s)
			}
		}
		res = cwResults(catalogs.ISO27001, "6.3", NotImplemented) // 6.3 equal 6.3
		found := false
		for _, s := range Suggestions(set, both, res) {
			found = found || (s.Ref == "6.3" && s.Carried == NotImplemented)
		}
		if !found {
			t.Error("not implemented through an equal link not offered")
		}
	})
}

func TestCoverageFor(t *testing.T) {
	set := catalogs.MustBuiltin()
	c42, _ := set.Get(catalogs.ISO42001)
	total := len(c42.Requirements)
	both := Engagement{ID: "e1", Standards: []string{catalogs.ISO27001, catalogs.ISO42001}}
	// Count 42001 requirements with any counterpart, and those with none.
	withCounterpart := 0
	for _, r := range c42.Requirements {
		if len(set.MappingsFor(catalogs.ISO42001, r.Ref)) > 0 {
			withCounterpart++
		}
	}

	t.Run("no scope, no figure", func(t *testing.T) {
		if _, ok := CoverageFor(set, Engagement{Standards: []string{catalogs.ISO42001}}, catalogs.ISO42001, nil); ok {
			t.Error("figure given without 27001 in scope")
		}
		if _, ok := CoverageFor(set, both, catalogs.ISO27001, nil); ok {
			t.Error("figure given for 27001, which is no crosswalk's target")
		}
	})

	t.Run("nothing assessed", func(t *testing.T) {
		cov, ok := CoverageFor(set, both, catalogs.ISO42001, nil)
		if !ok {
			t.Fatal("no figure")
		}
		if cov.Applicable != total || cov.Covered != 0 || cov.By != catalogs.ISO27001 || cov.Standard != catalogs.ISO42001 {
			t.Errorf("coverage = %+v, want 0 of %d", cov, total)
		}
		if cov.Percent() != 0 {
			t.Errorf("percent = %v", cov.Percent())
		}
	})

	t.Run("every 27001 requirement implemented", func(t *testing.T) {
		res := map[string]map[string]Result{catalogs.ISO27001: {}}
		c27, _ := set.Get(catalogs.ISO27001)
		for _, r := range c27.Requirements {
			res[catalogs.ISO27001][r.Ref] = Result{Status: Implemented}
		}
		cov, _ := CoverageFor(set, both, catalogs.ISO42001, res)
		if cov.Covered != withCounterpart || cov.Applicable != total {
			t.Errorf("coverage = %d of %d, want %d of %d", cov.Covered, cov.Applicable, withCounterpart, total)
		}
		if withCounterpart == total {
			t.Error("every 42001 requirement has a counterpart; the no-counterpart entries vanished")
		}
	})

	t.Run("arithmetic", func(t *testing.T) {
		// 42001 6.3 is covered by 27001 6.3 (partial counts); 42001 6.1.4 is N/A and leaves the
		// denominator; a requirement mapped to two implemented sources counts once.
		res := cwResults(
			catalogs.ISO27001, "6.3", Partial,
			catalogs.ISO42001, "6.1.4", NotApplicable,
		)
		ms := set.MappingsFor(catalogs.ISO42001, "A.2.2")
		if len(ms) == 0 {
			t.Fatal("42001 A.2.2 has no counterpart; the crosswalk changed")
		}
		for _, m := range ms {
			res[catalogs.ISO27001][m.Ref] = Result{Status: Implemented}
		}
		// A not-implemented source does not cover.
		res[catalogs.ISO27001]["9.2.1"] = Result{Status: NotImplemented}
		cov, _ := CoverageFor(set, both, catalogs.ISO42001, res)
		// Every 42001 requirement whose counterparts include one of the implemented/partial refs.
		want := 0
		for _, r := range c42.Requirements {
			if r.Ref == "6.1.4" {
				continue
			}
			for _, m := range set.MappingsFor(catalogs.ISO42001, r.Ref) {
				st := res[catalogs.ISO27001][m.Ref].EffectiveStatus()
				if st == Implemented || st == Partial {
					want++
					break
				}
			}
		}
		if cov.Applicable != total-1 {
			t.Errorf("applicable = %d, want %d (N/A excluded)", cov.Applicable, total-1)
		}
		if cov.Covered != want || want < 2 {
			t.Errorf("covered = %d, want %d", cov.Covered, want)
		}
		if p := cov.Percent(); p != 100*float64(want)/float64(total-1) {
			t.Errorf("percent = %v", p)
		}
	})

	t.Run("percent of zero applicable", func(t *testing.T) {
		if p := (Coverage{}).Percent(); p != 0 {
			t.Errorf("percent = %v, want 0", p)
		}
		if p := (Coverage{Applicable: 4, Covered: 1}).Percent(); p != 25 {
			t.Errorf("percent = %v, want 25", p)
		}
	})
}
