package assessments

import "testing"

func TestApplicabilityOf(t *testing.T) {
	for _, tc := range []struct {
		name    string
		r       Result
		treated bool
		want    Applicability
	}{
		{"nobody assessed, nothing includes it", Result{}, false, Undecided},
		{"not assessed but a risk treatment links it", Result{}, true, Applicable},
		{"not assessed but a legal reason includes it", Result{Reasons: []InclusionReason{ReasonLegal}}, false, Applicable},
		{"not implemented", Result{Status: NotImplemented}, false, Applicable},
		{"partially implemented", Result{Status: Partial}, false, Applicable},
		{"implemented", Result{Status: Implemented}, true, Applicable},
		{"excluded with justification", Result{Status: NotApplicable, Justification: "no offices"}, false, Excluded},
		{"excluded even if a risk links it (the SoA shows the contradiction elsewhere)", Result{Status: NotApplicable, Justification: "x"}, true, Excluded},
	} {
		if got := ApplicabilityOf(tc.r, tc.treated); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
