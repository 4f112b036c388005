package assessments

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// completeAssessment is a version every step of which is complete, without a decision.
func completeAssessment() ImpactAssessment {
	a := ImpactAssessment{Version: 1, Trigger: TriggerNewSystem, Scope: "Lens in NHS trusts",
		Purpose: "Triage", IntendedUses: "Prioritise worklists", Misuse: "Used as a diagnosis", FailureModes: "Missed findings",
		DataSources: "PACS images", KnownBias: "Under-represents children", ModelKind: "CNN",
		Jurisdictions: "UK", DeploymentContext: "Radiology departments",
		InterestedParties: "Patients, radiologists", VulnerableGroups: "Children, elderly"}
	a.Normalize()
	for i := range a.Impacts {
		a.Impacts[i].Effect = EffectNone
	}
	return a
}

func harm(area ImpactArea, s, l, rs, rl int) Impact {
	im := Impact{Area: area, Effect: EffectHarm, Description: "d", Severity: s, Likelihood: l,
		Reversibility: Reversible, Scale: ScaleGroup, ResidualSeverity: rs, ResidualLikelihood: rl}
	if rs < s || rl < l {
		im.Measures = []ControlRef{{Standard: "iso42001-2023", Ref: "A.6.2.4"}}
	}
	return im
}

func withImpacts(a ImpactAssessment, ims ...Impact) ImpactAssessment {
	a.Impacts = append([]Impact(nil), a.Impacts...)
	for _, im := range ims {
		for i := range a.Impacts {
			if a.Impacts[i].Area == im.Area {
				a.Impacts[i] = im
			}
		}
	}
	return a
}

// TestClassRules are worked examples of the rule table (impact_class.go), each with the
// rule that must decide it.
func TestClassRules(t *testing.T) {
	const (
		rev, part, irr = Reversible, PartlyReversible, Irreversible
		ind, grp, soc  = ScaleIndividual, ScaleGroup, ScaleSociety
	)
	tests := []struct {
		name   string
		s, l   int
		rev    Reversibility
		scale  ImpactScale
		want   ImpactClass
		cite   string
		reason string
	}{
		// The case that made the table: a severe harm to health that cannot be undone is
		// high even when rare, not "low" with a three-year review.
		{"severity 4 irreversible at likelihood 1", 4, 1, irr, ind, ClassHigh, "C1", "severity 4, irreversible"},
		{"severity 5 irreversible, rare", 5, 1, irr, grp, ClassHigh, "C1", "severity 5, irreversible"},
		{"irreversible floor comes before the product", 4, 3, irr, grp, ClassHigh, "C1", "severity 4, irreversible"},
		{"possible major harm", 4, 3, rev, grp, ClassHigh, "C2", "severity 4 × likelihood 3 = 12"},
		{"likely moderate harm", 3, 4, rev, ind, ClassHigh, "C2", "severity 3 × likelihood 4 = 12"},
		{"moderate irreversible is never low", 3, 1, irr, ind, ClassMedium, "C3", "severity 3, irreversible"},
		{"major partly reversible is never low", 4, 1, part, ind, ClassMedium, "C4", "severity 4, partly reversible"},
		{"severe partly reversible, rare", 5, 1, part, grp, ClassMedium, "C4", "severity 5, partly reversible"},
		{"medium band", 3, 2, rev, grp, ClassMedium, "C5", "severity 3 × likelihood 2 = 6"},
		{"medium band, lower edge", 1, 5, rev, ind, ClassMedium, "C5", "severity 1 × likelihood 5 = 5"},
		{"severe reversible and rare", 5, 1, rev, ind, ClassMedium, "C5", "severity 5 × likelihood 1 = 5"},
		{"minor and unlikely", 2, 2, rev, grp, ClassLow, "C6", "severity 2 × likelihood 2 = 4"},
		{"minimal and likely", 1, 4, rev, ind, ClassLow, "C6", "severity 1 × likelihood 4 = 4"},
		{"moderate partly reversible stays in its band", 3, 1, part, ind, ClassLow, "C6", "severity 3 × likelihood 1 = 3"},
		{"society raises low to medium", 2, 2, rev, soc, ClassMedium, "C6+C7", "severity 2 × likelihood 2 = 4; raised: reaches society at large"},
		{"society raises medium to high", 3, 2, rev, soc, ClassHigh, "C5+C7", "severity 3 × likelihood 2 = 6; raised: reaches society at large"},
		{"society raises a floor too", 3, 1, irr, soc, ClassHigh, "C3+C7", "severity 3, irreversible; raised: reaches society at large"},
		{"a minimal harm to society is not raised", 1, 3, rev, soc, ClassLow, "C6", "severity 1 × likelihood 3 = 3"},
		{"high stays high", 4, 3, rev, soc, ClassHigh, "C2", "severity 4 × likelihood 3 = 12"},
		{"no severity: no class", 0, 3, rev, grp, ClassNone, "", "severity not rated"},
		{"no likelihood: no class", 4, 0, irr, grp, ClassNone, "", "likelihood not rated"},
		{"no reversibility: no class", 3, 3, "", grp, ClassNone, "", "reversibility not rated"},
		{"no scale: no class", 3, 3, rev, "", ClassNone, "", "scale not rated"},
		{"nothing rated", 0, 0, "", "", ClassNone, "", "severity, likelihood, reversibility and scale not rated"},
		{"out of range is not a rating", 6, 1, rev, grp, ClassNone, "", "not rated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := RateHarm(HarmRating{Severity: tt.s, Likelihood: tt.l, Reversibility: tt.rev, Scale: tt.scale})
			if h.Class != tt.want || h.Cite() != tt.cite || h.Reason() != tt.reason {
				t.Fatalf("RateHarm = %q by %q (%q), want %q by %q (%q)", h.Class, h.Cite(), h.Reason(), tt.want, tt.cite, tt.reason)
			}
		})
	}
	if got := RateHarm(HarmRating{4, 1, Irreversible, ScaleIndividual}).String(); got != "high: severity 4, irreversible" {
		t.Fatalf("String = %q", got)
	}
}

// TestClassRulesNeverLowerAHarm: a worse rating in any one input never gives a lower class.
func TestClassRulesNeverLowerAHarm(t *testing.T) {
	revs := []Reversibility{Reversible, PartlyReversible, Irreversible}
	scales := []ImpactScale{ScaleIndividual, ScaleGroup, ScaleSociety}
	rank := func(s, l, r, c int) int {
		return RateHarm(HarmRating{s, l, revs[r], scales[c]}).Class.rank()
	}
	for s := 1; s <= 5; s++ {
		for l := 1; l <= 5; l++ {
			for r := range revs {
				for c := range scales {
					here := rank(s, l, r, c)
					if here == 0 {
						t.Fatalf("%d×%d %s %s has no class", s, l, revs[r], scales[c])
					}
					for _, worse := range [][4]int{{s + 1, l, r, c}, {s, l + 1, r, c}, {s, l, r + 1, c}, {s, l, r, c + 1}} {
						if worse[0] > 5 || worse[1] > 5 || worse[2] > 2 || worse[3] > 2 {
							continue
						}
						if got := rank(worse[0], worse[1], worse[2], worse[3]); got < here {
							t.Errorf("%v is rated lower than %d×%d %s %s", worse, s, l, revs[r], scales[c])
						}
					}
				}
			}
		}
	}
}

func TestClassRuleTableIsDocumented(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range ClassRules {
		if r.ID == "" || r.When == "" || r.Why == "" || seen[r.ID] {
			t.Errorf("rule %+v: needs a unique id, a condition and a reason", r)
		}
		seen[r.ID] = true
	}
}

func TestDerivedClassFromWorstResidualHarm(t *testing.T) {
	base := completeAssessment()
	tests := []struct {
		name string
		ims  []Impact
		want ImpactClass
		text string
	}{
		{"no harm at all", nil, ClassLow, "low: no area is assessed as a harm"},
		{"benefit does not count", []Impact{{Area: AreaSafety, Effect: EffectBenefit, Description: "faster", Severity: 5, Likelihood: 5}}, ClassLow, "low: no area is assessed as a harm"},
		{"inherent high, residual low", []Impact{harm(AreaSafety, 5, 4, 2, 2)}, ClassLow, "low: severity 2 × likelihood 2 = 4 (Safety and health)"},
		{"one medium residual", []Impact{harm(AreaSafety, 5, 4, 3, 2)}, ClassMedium, "medium: severity 3 × likelihood 2 = 6 (Safety and health)"},
		{"worst of several", []Impact{harm(AreaSafety, 5, 4, 3, 2), harm(AreaFairness, 4, 4, 4, 3), harm(AreaPrivacy, 2, 2, 1, 1)}, ClassHigh,
			"high: severity 4 × likelihood 3 = 12 (Fairness)"},
		{"irreversible harm at likelihood 1 is high", []Impact{func() Impact {
			im := harm(AreaSafety, 4, 2, 4, 1)
			im.Reversibility = Irreversible
			return im
		}()}, ClassHigh, "high: severity 4, irreversible (Safety and health)"},
		{"of two highs the larger product is named", []Impact{func() Impact {
			im := harm(AreaPrivacy, 4, 1, 4, 1)
			im.Reversibility = Irreversible
			return im
		}(), harm(AreaSafety, 5, 3, 4, 3)}, ClassHigh, "high: severity 4 × likelihood 3 = 12 (Safety and health)"},
		{"unrated residual leaves the class unsettled", []Impact{harm(AreaSafety, 5, 5, 0, 0)}, ClassNone,
			"not settled: Safety and health: residual severity and likelihood not rated"},
		{"a high harm does not settle an unrated one", []Impact{harm(AreaFairness, 4, 4, 4, 3), harm(AreaSafety, 5, 5, 0, 0)}, ClassNone,
			"not settled: Safety and health: residual severity and likelihood not rated"},
		{"an area not assessed leaves it unsettled", []Impact{{Area: AreaSafety}}, ClassNone, "not settled: Safety and health not assessed yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := withImpacts(base, tt.ims...)
			if got := a.DerivedClass(); got != tt.want {
				t.Fatalf("DerivedClass = %q, want %q", got, tt.want)
			}
			if got := a.Class(); got != tt.want {
				t.Fatalf("Class without override = %q, want %q", got, tt.want)
			}
			if got := a.Derivation().String(); got != tt.text {
				t.Fatalf("Derivation = %q, want %q", got, tt.text)
			}
			if a.ClassSettled() != (tt.want != ClassNone) {
				t.Fatalf("ClassSettled = %v for %q", a.ClassSettled(), tt.want)
			}
		})
	}
	if got := (ImpactAssessment{}).Derivation().String(); got != "not settled: 10 areas not assessed yet" {
		t.Fatalf("empty assessment: %q", got)
	}
}

func TestClassOverrideNeedsReason(t *testing.T) {
	a := withImpacts(completeAssessment(), harm(AreaSafety, 4, 4, 2, 2))
	a.ClassOverride = ClassHigh
	p := a.CheckStep(StepClass, CheckDraft)
	if len(p) != 1 || p[0].Field != "override_reason" {
		t.Fatalf("override without reason: problems = %v", p)
	}
	if !strings.Contains(p[0].Message, "from low to high") {
		t.Fatalf("message should name both classes: %q", p[0].Message)
	}
	if err := a.Validate(); err == nil {
		t.Fatal("Validate accepted an override without a reason")
	}
	a.OverrideReason = "Children are affected; the board wants six-monthly reviews."
	if p := a.CheckStep(StepClass, CheckComplete); len(p) != 0 {
		t.Fatalf("override with reason: %v", p)
	}
	if a.Class() != ClassHigh || a.DerivedClass() != ClassLow {
		t.Fatalf("Class = %q, DerivedClass = %q", a.Class(), a.DerivedClass())
	}
	a.ClassOverride = "extreme"
	if p := a.CheckStep(StepClass, CheckDraft); len(p) == 0 || p[0].Field != "class_override" {
		t.Fatalf("unknown class accepted: %v", p)
	}
}

func TestImpactNextReview(t *testing.T) {
	tests := []struct {
		name     string
		ims      []Impact
		override ImpactClass
		decision Decision
		date     string
		explicit string
		want     string
	}{
		{"draft has none", nil, "", DecisionNone, "", "", ""},
		{"low: 36 months", nil, "", DecisionApprove, "2026-01-15", "", "2029-01-15"},
		{"medium: 12 months", []Impact{harm(AreaSafety, 3, 3, 3, 2)}, "", DecisionApprove, "2026-01-15", "", "2027-01-15"},
		{"high: 6 months", []Impact{harm(AreaSafety, 4, 4, 4, 3)}, "", DecisionConditions, "2026-01-15", "", "2026-07-15"},
		{"override drives the period", nil, ClassHigh, DecisionApprove, "2026-01-15", "", "2026-07-15"},
		{"explicit date wins", nil, "", DecisionApprove, "2026-01-15", "2026-04-01", "2026-04-01"},
		{"rejected has none", nil, "", DecisionReject, "2026-01-15", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := withImpacts(completeAssessment(), tt.ims...)
			a.ClassOverride, a.OverrideReason = tt.override, "reason"
			a.Decision, a.DecisionDate, a.ReviewDate = tt.decision, tt.date, tt.explicit
			if got := a.NextReview(); got != tt.want {
				t.Fatalf("NextReview = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestImpactReviewOverdue(t *testing.T) {
	a := completeAssessment()
	a.Decision, a.Approver, a.DecisionDate, a.Rationale = DecisionApprove, "Dr Ada", "2022-01-10", "ok"
	if !a.ReviewOverdue(time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatal("low class approved 2022-01-10 is due 2025-01-10; 2025-02-01 should be overdue")
	}
	if a.ReviewOverdue(time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)) {
		t.Fatal("due today is not overdue")
	}
	a.Decision = DecisionNone
	if a.ReviewOverdue(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatal("a draft is never overdue")
	}
}

func TestFrozenOnDecision(t *testing.T) {
	a := completeAssessment()
	if a.Frozen() || a.CheckEditable() != nil || a.State() != ImpactDraft {
		t.Fatal("a draft must be editable")
	}
	for _, d := range []Decision{DecisionApprove, DecisionConditions, DecisionReject} {
		a.Decision, a.Approver, a.DecisionDate = d, "Dr Ada Obi", "2026-02-01"
		err := a.CheckEditable()
		var fe *FrozenError
		if !errors.As(err, &fe) {
			t.Fatalf("%s: want *FrozenError, got %v", d, err)
		}
		msg := err.Error()
		for _, want := range []string{"Version 1", "Dr Ada Obi", "2026-02-01", "frozen", "version 2"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: message %q lacks %q", d, msg, want)
			}
		}
	}
}

func TestDecisionNeedsEverything(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*ImpactAssessment)
		field string
	}{
		{"complete approval", func(a *ImpactAssessment) {}, ""},
		{"no approver", func(a *ImpactAssessment) { a.Approver = " " }, "approver"},
		{"no date", func(a *ImpactAssessment) { a.DecisionDate = "" }, "decision_date"},
		{"bad date", func(a *ImpactAssessment) { a.DecisionDate = "31/01/2026" }, "decision_date"},
		{"no rationale", func(a *ImpactAssessment) { a.Rationale = "" }, "rationale"},
		{"conditions missing", func(a *ImpactAssessment) { a.Decision = DecisionConditions }, "conditions"},
		{"conditions given", func(a *ImpactAssessment) { a.Decision, a.Conditions = DecisionConditions, "Quarterly audit" }, ""},
		{"unknown decision", func(a *ImpactAssessment) { a.Decision = "maybe" }, "decision"},
		{"earlier step incomplete", func(a *ImpactAssessment) { a.KnownBias = "" }, "decision"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := completeAssessment()
			a.Decision, a.Approver, a.DecisionDate, a.Rationale = DecisionApprove, "Dr Ada Obi", "2026-02-01", "Benefits outweigh residual harms."
			tt.edit(&a)
			err := a.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field {
				t.Fatalf("want error on %s, got %#v", tt.field, err)
			}
		})
	}
	a := completeAssessment()
	a.KnownBias = ""
	a.Decision, a.Approver, a.DecisionDate, a.Rationale = DecisionApprove, "x", "2026-02-01", "y"
	if err := a.Validate(); err == nil || !strings.Contains(err.Error(), "step 3 of 9 (Data)") {
		t.Fatalf("the message should name the incomplete step: %v", err)
	}
}

func TestCheckStepOnlyItsOwnFields(t *testing.T) {
	a := completeAssessment()
	a.KnownBias = ""                                  // step 3 incomplete
	a.Impacts[0].Severity = 9                         // step 7 malformed
	a.ClassOverride, a.OverrideReason = ClassHigh, "" // step 8 malformed
	for _, s := range ImpactSteps {
		p := a.CheckStep(s, CheckComplete)
		for _, e := range p {
			if got, ok := StepOfField(e.Field); !ok || got != s {
				t.Errorf("step %s reports field %s of another step", s.Title(), e.Field)
			}
		}
		wantErr := s == StepData || s == StepImpacts || s == StepClass
		if (len(p) > 0) != wantErr {
			t.Errorf("step %s: problems %v, want error %v", s.Title(), p, wantErr)
		}
	}
	if p := a.CheckStep(StepData, CheckDraft); len(p) != 0 {
		t.Errorf("a missing field is fine in a draft: %v", p)
	}
}

func TestImpactCompleteness(t *testing.T) {
	tests := []struct {
		name  string
		im    Impact
		field string
	}{
		{"not assessed", Impact{Area: AreaFairness}, "effect"},
		{"none is enough", Impact{Area: AreaFairness, Effect: EffectNone}, ""},
		{"benefit needs words", Impact{Area: AreaFairness, Effect: EffectBenefit}, "description"},
		{"complete harm", harm(AreaFairness, 4, 3, 2, 2), ""},
		{"harm without rating", Impact{Area: AreaFairness, Effect: EffectHarm, Description: "x", Reversibility: Reversible, Scale: ScaleGroup}, "severity"},
		{"residual above inherent", harm(AreaFairness, 2, 2, 3, 2), "residual_severity"},
		{"lowered without measures", func() Impact { im := harm(AreaFairness, 4, 3, 2, 2); im.Measures = nil; return im }(), "measures"},
		{"lowered with a note", func() Impact {
			im := harm(AreaFairness, 4, 3, 2, 2)
			im.Measures, im.MeasuresNote = nil, "second reader"
			return im
		}(), ""},
		{"out of range", func() Impact { im := harm(AreaFairness, 4, 3, 2, 2); im.Likelihood = 6; return im }(), "likelihood"},
		{"no reversibility", func() Impact { im := harm(AreaFairness, 4, 3, 4, 3); im.Reversibility = ""; return im }(), "reversibility"},
		{"no scale", func() Impact { im := harm(AreaFairness, 4, 3, 4, 3); im.Scale = ""; return im }(), "scale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := withImpacts(completeAssessment(), tt.im).CheckStep(StepImpacts, CheckComplete)
			if tt.field == "" {
				if len(p) > 0 {
					t.Fatalf("want complete, got %v", p)
				}
				return
			}
			if len(p) == 0 || p[0].Field != ImpactField(AreaFairness, tt.field) {
				t.Fatalf("want %s, got %v", ImpactField(AreaFairness, tt.field), p)
			}
		})
	}
}

func TestReAssessIsNextVersionPrefilled(t *testing.T) {
	v1 := withImpacts(completeAssessment(), harm(AreaSafety, 5, 4, 3, 2))
	v1.ID, v1.AISystemID, v1.EngagementID = "a1", "sys", "eng"
	v1.ClassOverride, v1.OverrideReason = ClassHigh, "board"
	v1.Decision, v1.Approver, v1.DecisionDate, v1.Rationale, v1.Conditions = DecisionConditions, "Dr Obi", "2026-01-01", "ok", "audit"
	v1.ReviewDate, v1.LastStep = "2026-05-01", StepDecision
	v2 := ReAssess(v1)
	if v2.Version != 2 || v2.ID != "" || v2.AISystemID != "sys" || v2.EngagementID != "eng" {
		t.Fatalf("identity: %+v", v2)
	}
	if v2.Frozen() || v2.Decision != "" || v2.Approver != "" || v2.DecisionDate != "" || v2.Rationale != "" || v2.Conditions != "" {
		t.Fatal("the decision must not carry over")
	}
	if v2.Trigger != "" || v2.ReviewDate != "" || v2.LastStep != StepScope {
		t.Fatalf("trigger, review date and step start afresh: %q %q %d", v2.Trigger, v2.ReviewDate, v2.LastStep)
	}
	if v2.Scope != v1.Scope || v2.KnownBias != v1.KnownBias || v2.ClassOverride != ClassHigh || !reflect.DeepEqual(v2.Impacts, v1.Impacts) {
		t.Fatal("the content must be prefilled from version 1")
	}
	v2.Impacts[4].Measures[0].Ref = "A.9.2"
	if v1.Impact(AreaSafety).Measures[0].Ref != "A.6.2.4" {
		t.Fatal("editing version 2 changed version 1's measures")
	}
	if ReAssess(v2).Version != 3 {
		t.Fatal("version 3 follows 2")
	}
}

func TestNewImpactAssessmentPrefillsFromSystem(t *testing.T) {
	sys := AISystem{ID: "s", EngagementID: "e", Name: "Lens", Purpose: "Triage", Type: "deep learning", ThirdParty: "none",
		DataSources: "PACS", Jurisdictions: "UK", DeploymentContext: "NHS", Users: "Radiologists", AffectedPeople: "Patients"}
	a := NewImpactAssessment(sys)
	if a.Version != 1 || a.Trigger != TriggerNewSystem || a.Purpose != "Triage" || a.ModelKind != "deep learning" ||
		a.InterestedParties != "Radiologists; Patients" || len(a.Impacts) != len(ImpactAreas) {
		t.Fatalf("prefill: %+v", a)
	}
	if a.FirstIncomplete() != StepScope {
		t.Fatalf("a new assessment resumes at step 1, got %d", a.FirstIncomplete())
	}
}

func TestImpactAssessmentMapRoundTrip(t *testing.T) {
	a := withImpacts(completeAssessment(), harm(AreaSafety, 5, 4, 3, 2), harm(AreaFairness, 3, 3, 3, 3))
	a.Impacts[4].Measures = append(a.Impacts[4].Measures, ControlRef{Standard: "iso27001-2022", Ref: "A.8.16"})
	a.LastStep = StepImpacts
	m := ImpactAssessmentMap(a)
	if len(m) != len(ImpactAssessmentFields()) {
		t.Fatalf("map has %d fields, field list %d", len(m), len(ImpactAssessmentFields()))
	}
	back, err := ImpactAssessmentFromMap(ImpactAssessment{Version: 1}, m)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, a) {
		t.Fatalf("round trip differs:\n%+v\n%+v", back, a)
	}
	m[ImpactField(AreaSafety, "severity")] = "five"
	if _, err := ImpactAssessmentFromMap(a, m); err == nil {
		t.Fatal("a non-number severity must be refused")
	}
}

func TestSummarizeImpacts(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	approved := completeAssessment()
	approved.AISystemID, approved.Decision, approved.Approver, approved.DecisionDate, approved.Rationale = "a", DecisionApprove, "x", "2023-01-01", "y"
	redraft := ReAssess(approved)
	fresh := completeAssessment()
	fresh.AISystemID, fresh.Decision, fresh.Approver, fresh.DecisionDate, fresh.Rationale = "b", DecisionApprove, "x", "2026-05-01", "y"
	draft := completeAssessment()
	draft.AISystemID = "c"
	systems := []AISystem{{ID: "a", Name: "A"}, {ID: "b", Name: "B"}, {ID: "c", Name: "C"}, {ID: "d", Name: "D"}}
	s := SummarizeImpacts(systems, map[string][]ImpactAssessment{"a": {redraft, approved}, "b": {fresh}, "c": {draft}}, now)
	if s.Systems != 4 || s.Assessments != 4 || s.NotAssessed != 1 || s.Drafts != 2 || s.Approved != 1 || s.Overdue != 1 {
		t.Fatalf("summary = %+v", s)
	}
	a := s.Latest[0]
	if a.Latest.Version != 2 || a.InForce.Version != 1 || !a.Overdue || a.NextReview != "2026-01-01" {
		t.Fatalf("system A: latest v%d, in force v%d, overdue %v, next %s", a.Latest.Version, a.InForce.Version, a.Overdue, a.NextReview)
	}
	if s.Latest[3].Latest != nil {
		t.Fatal("system D has no assessment")
	}
}

func TestClassExplained(t *testing.T) {
	a := withImpacts(completeAssessment(), harm(AreaSafety, 5, 4, 3, 2))
	if got := a.ClassExplained(); got != "medium: severity 3 × likelihood 2 = 6 (Safety and health) [rule C5]" {
		t.Fatalf("derived: %q", got)
	}
	a.ClassOverride, a.OverrideReason = ClassHigh, "board"
	if got := a.ClassExplained(); got != "high, set by hand (the rule table gives medium: severity 3 × likelihood 2 = 6 (Safety and health) [rule C5])" {
		t.Fatalf("override: %q", got)
	}
	if got := completeAssessment().ClassExplained(); got != "low: no area is assessed as a harm [rule C0]" {
		t.Fatalf("no harm: %q", got)
	}
}
