package assessments

import (
	"math"
	"reflect"
	"testing"
)

func TestReadinessArithmetic(t *testing.T) {
	tests := []struct {
		name         string
		statuses     []Status
		wantPct      float64
		wantAssessed float64
		wantApplic   int
	}{
		{"empty", nil, 0, 0, 0},
		{"all not assessed", []Status{NotAssessed, "", NotAssessed}, 0, 0, 3},
		{"all implemented", []Status{Implemented, Implemented}, 100, 100, 2},
		{"partial counts half", []Status{Partial, Partial}, 50, 100, 2},
		{"mix", []Status{Implemented, Partial, NotImplemented, NotAssessed}, 37.5, 75, 4},
		{"N/A excluded from readiness, counted as assessed", []Status{Implemented, NotApplicable}, 100, 100, 1},
		{"only N/A", []Status{NotApplicable, NotApplicable}, 0, 100, 0},
		{"not implemented is zero", []Status{NotImplemented, Implemented, NotApplicable, NotAssessed}, 100.0 / 3, 75, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Readiness
			for _, s := range tt.statuses {
				r.Add(s)
			}
			if math.Abs(r.Percent()-tt.wantPct) > 1e-9 {
				t.Errorf("Percent = %v, want %v", r.Percent(), tt.wantPct)
			}
			if math.Abs(r.AssessedPercent()-tt.wantAssessed) > 1e-9 {
				t.Errorf("AssessedPercent = %v, want %v", r.AssessedPercent(), tt.wantAssessed)
			}
			if r.Applicable != tt.wantApplic {
				t.Errorf("Applicable = %d, want %d", r.Applicable, tt.wantApplic)
			}
		})
	}
}

func TestReadinessByGroup(t *testing.T) {
	reqs := []ReqRef{{"A.5.1", "A.5"}, {"A.5.2", "A.5"}, {"A.6.1", "A.6"}, {"A.6.2", "A.6"}}
	st := map[string]Status{"A.5.1": Implemented, "A.5.2": Partial, "A.6.1": NotApplicable}
	total, groups := ReadinessOf(reqs, func(ref string) Status { return st[ref] })
	if got := groups["A.5"].Percent(); got != 75 {
		t.Errorf("A.5 = %v, want 75", got)
	}
	if got := groups["A.6"].Percent(); got != 0 || groups["A.6"].Applicable != 1 {
		t.Errorf("A.6 = %v (applicable %d), want 0 of 1", got, groups["A.6"].Applicable)
	}
	if got := total.Percent(); math.Abs(got-50) > 1e-9 {
		t.Errorf("total = %v, want 50", got)
	}
	if total.Counts[NotAssessed] != 1 || total.Counts[Implemented] != 1 {
		t.Errorf("counts = %v", total.Counts)
	}
}

func TestResultValidate(t *testing.T) {
	tests := []struct {
		name  string
		r     Result
		field string // "" = valid
	}{
		{"empty is valid", Result{}, ""},
		{"N/A needs justification", Result{Status: NotApplicable}, "justification"},
		{"N/A with blank justification", Result{Status: NotApplicable, Justification: "  \n"}, "justification"},
		{"N/A justified", Result{Status: NotApplicable, Justification: "no premises"}, ""},
		{"unknown status", Result{Status: "done"}, "status"},
		{"maturity range", Result{Maturity: MaturityLevel(6)}, "maturity"},
		{"negative maturity", Result{Maturity: MaturityLevel(-1)}, "maturity"},
		{"bad date", Result{TargetDate: "31/12/2026"}, "target_date"},
		{"good date", Result{TargetDate: "2026-12-31"}, ""},
		{"unknown reason", Result{Reasons: []InclusionReason{"whim"}}, "reasons"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			ve, ok := err.(*ValidationError)
			if !ok || ve.Field != tt.field {
				t.Fatalf("err = %v, want field %s", err, tt.field)
			}
		})
	}
}

func TestEngagementValidate(t *testing.T) {
	known := func(id string) bool { return id == "iso27001-2022" || id == "iso42001-2023" }
	tests := []struct {
		name  string
		e     Engagement
		field string
	}{
		{"ok", Engagement{Name: "A", Standards: []string{"iso27001-2022"}}, ""},
		{"no name", Engagement{Name: " ", Standards: []string{"iso27001-2022"}}, "name"},
		{"no standard", Engagement{Name: "A"}, "standards"},
		{"unknown standard", Engagement{Name: "A", Standards: []string{"soc2"}}, "standards"},
		{"bad start", Engagement{Name: "A", Standards: []string{"iso27001-2022"}, StartDate: "tomorrow"}, "start_date"},
		{"end before start", Engagement{Name: "A", Standards: []string{"iso27001-2022"}, StartDate: "2026-05-01", EndDate: "2026-04-01"}, "end_date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.e.Validate(known)
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			ve, ok := err.(*ValidationError)
			if !ok || ve.Field != tt.field {
				t.Fatalf("err = %v, want field %s", err, tt.field)
			}
		})
	}
}

func TestReadinessFromCountsMatchesAdd(t *testing.T) {
	counts := map[Status]int{Implemented: 3, Partial: 2, NotImplemented: 1, NotApplicable: 1, NotAssessed: 4}
	got := ReadinessFromCounts(12, counts)
	var want Readiness
	for s, n := range map[Status]int{Implemented: 3, Partial: 2, NotImplemented: 1, NotApplicable: 1, NotAssessed: 5} {
		for i := 0; i < n; i++ {
			want.Add(s)
		}
	}
	if got.Percent() != want.Percent() || got.AssessedPercent() != want.AssessedPercent() || got.Total != 12 || got.Counts[NotAssessed] != 5 {
		t.Errorf("from counts %+v, want %+v", got, want)
	}
	// Field for field what one Add per requirement gives, for any counts and total.
	for _, tt := range []struct {
		total  int
		counts map[Status]int
	}{
		{0, nil}, {5, nil}, {3, map[Status]int{Implemented: 3}}, {93, map[Status]int{Implemented: 40, Partial: 21, NotImplemented: 7, NotApplicable: 3, NotAssessed: 2}},
		{2, map[Status]int{Implemented: 4}}, {10, map[Status]int{NotApplicable: 10}}, {7, map[Status]int{Partial: 7}},
	} {
		var want Readiness
		stored := 0
		for _, s := range Statuses {
			if s == NotAssessed {
				continue
			}
			stored += tt.counts[s]
			for range tt.counts[s] {
				want.Add(s)
			}
		}
		for i := stored; i < tt.total; i++ {
			want.Add(NotAssessed)
		}
		if got := ReadinessFromCounts(tt.total, tt.counts); !reflect.DeepEqual(got, want) {
			t.Errorf("ReadinessFromCounts(%d, %v) = %+v, want %+v", tt.total, tt.counts, got, want)
		}
	}
}
