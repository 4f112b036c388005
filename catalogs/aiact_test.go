package catalogs

import (
	"strings"
	"testing"
)

func TestEUAIActQuestionnaireLoads(t *testing.T) {
	a, err := EUAIAct()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{KindProhibited: 9, KindAnnexIII: 8, KindExemptionCondition: 4, KindTransparency: 4}
	for kind, n := range want {
		if got := len(a.KindQuestions(kind)); got != n {
			t.Errorf("%d %s questions, want %d", got, kind, n)
		}
	}
	for i, q := range a.KindQuestions(KindAnnexIII) {
		if q.Point != i+1 || !strings.HasPrefix(q.Cite, "Annex III point ") {
			t.Errorf("Annex III question %s: point %d, cite %q", q.ID, q.Point, q.Cite)
		}
	}
	for _, q := range a.KindQuestions(KindProhibited) {
		if !strings.HasPrefix(q.Cite, "Art. 5") {
			t.Errorf("%s cites %q", q.ID, q.Cite)
		}
	}
	// The dates reviewers check first.
	for id, date := range map[string]string{"prohibitions": "2025-02-02", "gpai": "2025-08-02", "general": "2026-08-02",
		"annex_iii": "2027-12-02", "annex_i": "2028-08-02"} {
		m, ok := a.Milestone(id)
		if !ok || m.AppliesFrom != date {
			t.Errorf("milestone %s = %+v, want applies from %s", id, m, date)
		}
	}
}

// TestEUAIActNoActText guards the content rule: questions are annex's words, short enough
// to be a question, and do not quote the Act's recitals or article openings.
func TestEUAIActNoActText(t *testing.T) {
	a := MustEUAIAct()
	for _, q := range a.Questions {
		ask := strings.Join(strings.Fields(q.Ask), " ")
		if len(ask) > 420 || !strings.Contains(ask, "?") {
			t.Errorf("%s: a question should be a short question in our words: %q", q.ID, ask)
		}
		for _, phrase := range []string{"shall", "referred to in", "Member States", "whereas"} {
			if strings.Contains(ask, phrase) {
				t.Errorf("%s reads like the Act's text (%q)", q.ID, phrase)
			}
		}
	}
}

func TestEUAIActCheck(t *testing.T) {
	good := MustEUAIAct()
	tests := []struct {
		name string
		edit func(*AIAct)
		want string
	}{
		{"bad date", func(a *AIAct) { a.Milestones[0].AppliesFrom = "2 August 2026" }, "is not a date"},
		{"unknown milestone", func(a *AIAct) { a.Questions[0].Milestone = "someday" }, `unknown milestone "someday"`},
		{"missing Annex III point", func(a *AIAct) { a.Questions = a.Questions[:len(a.Questions)-1] }, "fria_credit_insurance"},
		{"wrong step", func(a *AIAct) { a.Questions[0].Step = AIActStepGPAI }, "belongs to step prohibited"},
		{"unknown holder", func(a *AIAct) { a.Obligations[0].Holders = []string{"vendor"} }, `unknown holder "vendor"`},
		{"no source", func(a *AIAct) { a.Milestones[1].Source = "" }, "source note"},
		{"repeated id", func(a *AIAct) { a.Questions[1].ID = a.Questions[0].ID }, "repeated id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := *good
			a.Milestones = append([]AIActMilestone(nil), good.Milestones...)
			a.Questions = append([]AIActQuestion(nil), good.Questions...)
			a.Obligations = append([]AIActObligation(nil), good.Obligations...)
			for i := range a.Obligations {
				a.Obligations[i].Holders = append([]string(nil), a.Obligations[i].Holders...)
			}
			tt.edit(&a)
			a.index()
			if err := a.Check(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Check = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := ParseAIAct([]byte("id: x\nname: y\nshort: z\nas_of: '2026-01-01'\nmilestons: []\n")); err == nil || !strings.Contains(err.Error(), "milestons") {
		t.Fatalf("a misspelt key: %v", err)
	}
}
