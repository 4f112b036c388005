package assessments

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/catalogs"
)

func validRisk() Risk {
	return Risk{
		Ref: "R-001", Title: "Ransomware encrypts the imaging archive", Scope: ScopeSecurity, Approach: ApproachAsset,
		Threat: "Ransomware", Vulnerability: "Flat network", Owner: "Tomás Silva",
		Properties: []string{PropAvailability, PropIntegrity},
		Inherent:   Score{4, 5}, Treatment: TreatModify,
		Controls: []ControlRef{{catalogs.ISO27001, "A.8.13"}, {catalogs.ISO42001, "A.6.2.6"}},
		Residual: Score{2, 4}, ReviewDate: "2026-06-30", Status: RiskInTreatment,
	}
}

func TestRiskProblems(t *testing.T) {
	m := DefaultMatrix(5)
	known := KnownControl(catalogs.MustBuiltin())
	if err := validRisk().Validate(m, known); err != nil {
		t.Fatalf("valid risk refused: %v", err)
	}
	accepted := &Acceptance{By: "Priya Raman", Date: "2026-02-01", Rationale: "Cost of further controls outweighs the benefit.", Residual: Score{3, 3}}
	tests := []struct {
		name  string
		edit  func(*Risk)
		field string
	}{
		{"empty title", func(r *Risk) { r.Title = "  " }, "title"},
		{"long title", func(r *Risk) { r.Title = strings.Repeat("x", MaxNameLen+1) }, "title"},
		{"no scope", func(r *Risk) { r.Scope = "" }, "scope"},
		{"bad approach", func(r *Risk) { r.Approach = "vibes" }, "approach"},
		{"inherent likelihood 0", func(r *Risk) { r.Inherent.Likelihood = 0 }, "inherent_likelihood"},
		{"inherent likelihood 6", func(r *Risk) { r.Inherent.Likelihood = 6 }, "inherent_likelihood"},
		{"inherent consequence 6", func(r *Risk) { r.Inherent.Consequence = 6 }, "inherent_consequence"},
		{"residual half set", func(r *Risk) { r.Residual = Score{3, 0} }, "residual_consequence"},
		{"residual outside", func(r *Risk) { r.Residual = Score{9, 1} }, "residual_likelihood"},
		{"bad treatment", func(r *Risk) { r.Treatment = "ignore" }, "treatment"},
		{"bad status", func(r *Risk) { r.Status = "done" }, "status"},
		{"bad property", func(r *Risk) { r.Properties = []string{"privacy"} }, "properties"},
		{"bad objective", func(r *Risk) { r.Objectives = []string{"speed"} }, "objectives"},
		{"bad source", func(r *Risk) { r.Sources = []string{"aliens"} }, "sources"},
		{"duplicate objective", func(r *Risk) { r.Objectives = []string{"fairness", "fairness"} }, "objectives"},
		{"unknown control", func(r *Risk) { r.Controls = []ControlRef{{catalogs.ISO27001, "A.99.1"}} }, "controls"},
		{"duplicate control", func(r *Risk) {
			r.Controls = []ControlRef{{catalogs.ISO27001, "A.5.1"}, {catalogs.ISO27001, "A.5.1"}}
		}, "controls"},
		{"blank control", func(r *Risk) { r.Controls = []ControlRef{{Standard: "", Ref: "A.5.1"}} }, "controls"},
		{"bad review date", func(r *Risk) { r.ReviewDate = "30/06/2026" }, "review_date"},
		{"retain above threshold without acceptance", func(r *Risk) { r.Treatment = TreatRetain; r.Residual = Score{3, 3} }, "accepted_by"},
		{"retain unscored residual, inherent above threshold", func(r *Risk) { r.Treatment = TreatRetain; r.Residual = Score{} }, "accepted_by"},
		{"accepted status above threshold without record", func(r *Risk) { r.Status = RiskAccepted }, "status"},
		{"acceptance without signer", func(r *Risk) { a := *accepted; a.By = ""; r.Acceptance = &a }, "accepted_by"},
		{"acceptance without date", func(r *Risk) { a := *accepted; a.Date = ""; r.Acceptance = &a }, "accepted_on"},
		{"acceptance bad date", func(r *Risk) { a := *accepted; a.Date = "yesterday"; r.Acceptance = &a }, "accepted_on"},
		{"acceptance without rationale", func(r *Risk) { a := *accepted; a.Rationale = " "; r.Acceptance = &a }, "acceptance_rationale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRisk()
			tt.edit(&r)
			err := r.Validate(m, known)
			ve, ok := err.(*ValidationError)
			if !ok {
				t.Fatalf("Validate() = %v, want a *ValidationError for %s", err, tt.field)
			}
			found := false
			for _, p := range r.Problems(m, known) {
				found = found || p.Field == tt.field
				if p.Message == "" {
					t.Errorf("problem with %s has no message", p.Field)
				}
			}
			if !found {
				t.Fatalf("no problem with %s; first was %s: %s", tt.field, ve.Field, ve.Message)
			}
		})
	}
}

func TestProblemsListsEveryField(t *testing.T) {
	r := Risk{Title: "", Scope: "", Inherent: Score{7, 0}, ReviewDate: "soon"}
	var fields []string
	for _, p := range r.Problems(DefaultMatrix(5), nil) {
		fields = append(fields, p.Field)
	}
	want := []string{"title", "scope", "inherent_likelihood", "inherent_consequence", "review_date"}
	if !reflect.DeepEqual(fields, want) {
		t.Fatalf("fields = %v, want %v", fields, want)
	}
}

func TestLikelihoodOutsideASmallerMatrix(t *testing.T) {
	r := validRisk() // inherent 4x5
	if err := r.Validate(DefaultMatrix(3), nil); err == nil {
		t.Fatal("a 4x5 score on a 3x3 matrix must be refused")
	}
	r.Inherent, r.Residual = Score{3, 3}, Score{1, 2}
	if err := r.Validate(DefaultMatrix(3), nil); err != nil {
		t.Fatalf("3x3 score on 3x3 refused: %v", err)
	}
}

func TestRetainRule(t *testing.T) {
	m := DefaultMatrix(5) // threshold Low
	tests := []struct {
		name       string
		treatment  Treatment
		residual   Score
		acceptance *Acceptance
		needs      bool
	}{
		{"retain low", TreatRetain, Score{2, 2}, nil, false},
		{"retain medium", TreatRetain, Score{3, 3}, nil, true},
		{"retain medium accepted", TreatRetain, Score{3, 3}, &Acceptance{By: "x", Date: "2026-01-01", Rationale: "r", Residual: Score{3, 3}}, false},
		{"modify medium", TreatModify, Score{3, 3}, nil, false},
		{"retain unscored falls back to inherent", TreatRetain, Score{}, nil, true},
	}
	for _, tt := range tests {
		r := validRisk()
		r.Treatment, r.Residual, r.Acceptance = tt.treatment, tt.residual, tt.acceptance
		if got := r.NeedsAcceptance(m); got != tt.needs {
			t.Errorf("%s: NeedsAcceptance = %v, want %v", tt.name, got, tt.needs)
		}
		if err := r.Validate(m, nil); (err != nil) != tt.needs {
			t.Errorf("%s: Validate = %v, want refused=%v", tt.name, err, tt.needs)
		}
	}
}

func TestAcceptanceStale(t *testing.T) {
	a := &Acceptance{By: "Priya", Date: "2026-01-10", Rationale: "ok", Residual: Score{3, 3}}
	tests := []struct {
		name     string
		residual Score
		inherent Score
		acc      *Acceptance
		stale    bool
	}{
		{"same residual", Score{3, 3}, Score{5, 5}, a, false},
		{"residual raised", Score{4, 3}, Score{5, 5}, a, true},
		{"residual lowered", Score{2, 3}, Score{5, 5}, a, true},
		{"no acceptance", Score{4, 4}, Score{5, 5}, nil, false},
		{"residual cleared, inherent differs", Score{}, Score{5, 5}, a, true},
		{"residual cleared, inherent equals", Score{}, Score{3, 3}, a, false},
	}
	for _, tt := range tests {
		r := Risk{Inherent: tt.inherent, Residual: tt.residual, Acceptance: tt.acc}
		if got := r.AcceptanceStale(); got != tt.stale {
			t.Errorf("%s: AcceptanceStale = %v, want %v", tt.name, got, tt.stale)
		}
	}
}

func TestNextAcceptance(t *testing.T) {
	prev := &Acceptance{By: "Priya", Date: "2026-01-10", Rationale: "ok", Residual: Score{3, 3}}
	if got := NextAcceptance(prev, "Priya", "2026-01-10", "ok", Score{4, 4}); got != prev {
		t.Errorf("unchanged fields must keep the frozen record, got %+v", got)
	}
	if got := NextAcceptance(prev, " ", "", "", Score{4, 4}); got != nil {
		t.Errorf("blank fields withdraw, got %+v", got)
	}
	got := NextAcceptance(prev, "Priya", "2026-03-01", "re-accepted after review", Score{4, 4})
	if got == prev || got.Residual != (Score{4, 4}) || got.Date != "2026-03-01" {
		t.Errorf("a new acceptance is given for the current residual, got %+v", got)
	}
	if got := NextAcceptance(nil, "Priya", "2026-03-01", "why", Score{2, 2}); got == nil || got.Residual != (Score{2, 2}) {
		t.Errorf("first acceptance: %+v", got)
	}
}

func TestCheckAcceptanceFrozen(t *testing.T) {
	a := &Acceptance{By: "Priya", Date: "2026-01-10", Rationale: "ok", Residual: Score{3, 3}}
	moved := *a
	moved.Residual = Score{4, 4}
	renewed := Acceptance{By: "Priya", Date: "2026-02-10", Rationale: "ok", Residual: Score{4, 4}}
	tests := []struct {
		name          string
		before, after *Acceptance
		refused       bool
	}{
		{"none", nil, nil, false},
		{"first", nil, a, false},
		{"kept", a, a, false},
		{"withdrawn", a, nil, false},
		{"residual rewritten in place", a, &moved, true},
		{"new acceptance", a, &renewed, false},
	}
	for _, tt := range tests {
		if err := CheckAcceptanceFrozen(tt.before, tt.after); (err != nil) != tt.refused {
			t.Errorf("%s: CheckAcceptanceFrozen = %v, want refused=%v", tt.name, err, tt.refused)
		}
	}
}

func TestInclusionFromRisks(t *testing.T) {
	risks := []Risk{
		{Ref: "R-010", Controls: []ControlRef{{catalogs.ISO27001, "A.5.15"}}},
		{Ref: "R-003", Controls: []ControlRef{{catalogs.ISO27001, "A.5.15"}, {catalogs.ISO42001, "A.6.2.6"}}},
		{Ref: "R-004", Controls: []ControlRef{{catalogs.ISO42001, "A.5.15"}}}, // same ref, other standard
		{Ref: "R-002"},
	}
	got := InclusionFromRisks(risks, catalogs.ISO27001, "A.5.15")
	want := []string{"risk treatment: R-003", "risk treatment: R-010"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if got := InclusionFromRisks(risks, catalogs.ISO27001, "A.8.1"); len(got) != 0 {
		t.Fatalf("unlinked control got %v", got)
	}
}

func TestReviewOverdue(t *testing.T) {
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		date   string
		status RiskStatus
		want   bool
	}{
		{"2026-04-30", RiskOpen, true},
		{"2026-05-01", RiskOpen, false},
		{"", RiskOpen, false},
		{"2026-01-01", RiskClosed, false},
	}
	for _, tt := range tests {
		r := Risk{ReviewDate: tt.date, Status: tt.status}
		if got := r.ReviewOverdue(now); got != tt.want {
			t.Errorf("ReviewOverdue(%q, %s) = %v, want %v", tt.date, tt.status, got, tt.want)
		}
	}
}

func TestRiskRefs(t *testing.T) {
	if RiskRef(3) != "R-003" || RiskRef(1234) != "R-1234" {
		t.Fatal("RiskRef")
	}
	for ref, want := range map[string]int{"R-003": 3, "R-1234": 1234, "X-1": 0, "R-": 0} {
		if got := RiskSeq(ref); got != want {
			t.Errorf("RiskSeq(%q) = %d, want %d", ref, got, want)
		}
	}
}

func TestAmendAcceptance(t *testing.T) {
	prev := &Acceptance{By: "Priya", Date: "2026-01-10", Rationale: "ok", Residual: Score{3, 3}}
	tests := []struct {
		name          string
		prev          *Acceptance
		by, date, why string
		residual      Score
		want          *Acceptance
	}{
		{"nothing given", nil, "", " ", "", Score{2, 2}, nil},
		{"first acceptance is given for the residual", nil, "Priya", "2026-03-01", "why", Score{2, 2},
			&Acceptance{By: "Priya", Date: "2026-03-01", Rationale: "why", Residual: Score{2, 2}}},
		{"unchanged keeps the record", prev, "Priya", "2026-01-10", "ok", Score{4, 4}, prev},
		{"blank withdraws", prev, " ", "", "", Score{4, 4}, nil},
		{"a new rationale keeps the score it was given for", prev, "Priya", "2026-01-10", "still ok", Score{4, 4},
			&Acceptance{By: "Priya", Date: "2026-01-10", Rationale: "still ok", Residual: Score{3, 3}}},
		{"a new signer and date keep the score too", prev, "Dana", "2026-05-01", "ok", Score{4, 4},
			&Acceptance{By: "Dana", Date: "2026-05-01", Rationale: "ok", Residual: Score{3, 3}}},
	}
	for _, tt := range tests {
		got := AmendAcceptance(tt.prev, tt.by, tt.date, tt.why, tt.residual)
		switch {
		case tt.want == nil && got != nil, tt.want != nil && (got == nil || *got != *tt.want):
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
		// Editing an existing record never makes a stale acceptance current.
		if tt.prev != nil && got != nil {
			r := Risk{Inherent: Score{5, 5}, Residual: tt.residual, Acceptance: got}
			if !r.AcceptanceStale() && tt.residual != tt.prev.Residual {
				t.Errorf("%s: the edit cleared the stale mark", tt.name)
			}
		}
	}
}

func TestAcceptResidual(t *testing.T) {
	stale := Risk{Inherent: Score{4, 4}, Residual: Score{3, 3},
		Acceptance: &Acceptance{By: "Priya", Date: "2026-01-10", Rationale: "ok", Residual: Score{2, 3}}}
	unscored := Risk{Inherent: Score{4, 4}}
	tests := []struct {
		name          string
		r             Risk
		by, date, why string
		field         string // the field in error, "" when accepted
		want          Score  // the score the new record is given for
	}{
		{"re-accepts a stale acceptance for the residual now", stale, "Dana", "2026-05-04", "Reviewed again", "", Score{3, 3}},
		{"unscored residual: given for the inherent score", unscored, "Dana", "2026-05-04", "Within appetite", "", Score{4, 4}},
		{"who is needed", stale, " ", "2026-05-04", "why", "accepted_by", Score{}},
		{"when is needed", stale, "Dana", "", "why", "accepted_on", Score{}},
		{"a real date", stale, "Dana", "04/05/2026", "why", "accepted_on", Score{}},
		{"why is needed", stale, "Dana", "2026-05-04", "  ", "acceptance_rationale", Score{}},
		{"the same words the same day for another score", stale, "Priya", "2026-01-10", "ok", "acceptance_rationale", Score{}},
	}
	for _, tt := range tests {
		got, err := tt.r.AcceptResidual(tt.by, tt.date, tt.why)
		if tt.field != "" {
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field {
				t.Errorf("%s: error %v, want one on %s", tt.name, err, tt.field)
			}
			if got.Acceptance != tt.r.Acceptance {
				t.Errorf("%s: a refused acceptance changed the record", tt.name)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		a := got.Acceptance
		if a == nil || a.Residual != tt.want || a.By != strings.TrimSpace(tt.by) || a.Date != tt.date || got.AcceptanceStale() {
			t.Errorf("%s: acceptance %+v", tt.name, a)
		}
		if err := CheckAcceptanceFrozen(tt.r.Acceptance, a); err != nil {
			t.Errorf("%s: the store would refuse it: %v", tt.name, err)
		}
	}
}

func TestUnacceptedAboveThreshold(t *testing.T) {
	m := DefaultMatrix(5) // threshold Low
	acc := func(s Score) *Acceptance {
		return &Acceptance{By: "x", Date: "2026-01-01", Rationale: "y", Residual: s}
	}
	for _, tc := range []struct {
		name string
		r    Risk
		want bool
	}{
		{"modify, residual Medium, no acceptance (R-001 in the demo)", Risk{Inherent: Score{4, 5}, Residual: Score{2, 4}, Treatment: TreatModify, Status: RiskInTreatment}, true},
		{"residual not scored: the inherent Very high stands", Risk{Inherent: Score{4, 5}, Treatment: TreatModify}, true},
		{"residual Low: within the threshold", Risk{Inherent: Score{4, 5}, Residual: Score{1, 4}, Treatment: TreatModify}, false},
		{"accepted for the residual it has", Risk{Inherent: Score{4, 5}, Residual: Score{2, 4}, Acceptance: acc(Score{2, 4})}, false},
		{"acceptance given for another residual", Risk{Inherent: Score{4, 5}, Residual: Score{2, 4}, Acceptance: acc(Score{1, 4})}, true},
		{"closed", Risk{Inherent: Score{4, 5}, Residual: Score{2, 4}, Status: RiskClosed}, false},
		{"retained above, not accepted", Risk{Inherent: Score{3, 3}, Treatment: TreatRetain}, true},
		{"off the matrix", Risk{Inherent: Score{9, 9}}, false},
	} {
		if got := tc.r.UnacceptedAboveThreshold(m); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
