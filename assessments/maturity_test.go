package assessments

import "testing"

func TestMaturityCycleReachesZeroAndNotRated(t *testing.T) {
	var m *int
	var seen []string
	for range 8 {
		m = NextMaturity(m)
		seen = append(seen, MaturityLabel(m))
	}
	want := []string{"0", "1", "2", "3", "4", "5", "–", "0"}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("cycle %v, want %v", seen, want)
		}
	}
}

func TestMaturityTextRoundTrip(t *testing.T) {
	for _, in := range []*int{nil, MaturityLevel(0), MaturityLevel(3), MaturityLevel(5)} {
		got, err := ParseMaturity(MaturityText(in))
		if err != nil || !SameMaturity(got, in) {
			t.Fatalf("%s → %v %v", MaturityLabel(in), got, err)
		}
	}
	if _, err := ParseMaturity("x"); err == nil {
		t.Fatal("a word is not a maturity")
	}
}
