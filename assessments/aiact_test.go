package assessments

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/annex-grc/annex/catalogs"
)

// allNo is a record that answers no to every screening question of the Act.
func allNo(roles ...string) AIActRecord {
	act := catalogs.MustEUAIAct()
	r := AIActRecord{Version: 1, Answers: map[string]AIActAnswer{}}
	for _, role := range roles {
		r.Roles = append(r.Roles, OperatorRole(role))
	}
	for _, q := range act.Questions {
		switch q.Kind {
		case catalogs.KindAnnexIAssessment, catalogs.KindExemptionCondition, catalogs.KindProfiling,
			catalogs.KindGPAISystemic, catalogs.KindGPAIOpenSource, catalogs.KindGPAIBefore, catalogs.KindFRIAPublic, catalogs.KindFRIACreditInsurance:
			continue // asked only when an earlier answer calls for them
		}
		r.Answers[q.ID] = AIActAnswer{Answer: AnswerNo}
	}
	return r
}

// with sets answers: "id" is yes, "!id" is no, "?id" is not answered.
func with(r AIActRecord, answers ...string) AIActRecord {
	r = r.Clone()
	for _, a := range answers {
		switch {
		case strings.HasPrefix(a, "!"):
			r.Answers[a[1:]] = AIActAnswer{Answer: AnswerNo, Note: r.Answers[a[1:]].Note}
		case strings.HasPrefix(a, "?"):
			delete(r.Answers, a[1:])
		default:
			r.Answers[a] = AIActAnswer{Answer: AnswerYes, Note: "why: " + a}
		}
	}
	return r
}

func cites(o AIActOutcome) []string {
	var out []string
	for _, g := range o.Grounds {
		out = append(out, g.Question.Cite)
	}
	return out
}

func dutyIDs(o AIActOutcome, ours bool) []string {
	var out []string
	for _, d := range o.Duties {
		if d.Ours == ours {
			out = append(out, d.Obligation.ID)
		}
	}
	return out
}

// TestClassifyAIAct: each case follows the article it names.
func TestClassifyAIAct(t *testing.T) {
	act := catalogs.MustEUAIAct()
	base := allNo(catalogs.OperatorProvider)
	tests := []struct {
		name    string
		rec     AIActRecord
		result  AIActResult
		cites   []string
		applies string // the result's date of application
	}{
		// Art. 5: any practice makes the system prohibited, whatever else is answered.
		{"Art. 5(1)(c) social scoring", with(base, "p_social_scoring", "hr_employment"), ActProhibited, []string{"Art. 5(1)(c)"}, "2025-02-02"},
		{"Art. 5(1)(f) emotion recognition at work", with(base, "p_emotion_work"), ActProhibited, []string{"Art. 5(1)(f)"}, "2025-02-02"},
		{"Art. 5 as amended in 2026 applies later", with(base, "p_intimate_imagery"), ActProhibited, []string{"Art. 5 (2026 amendment)"}, "2026-12-02"},
		{"an Art. 5 question unanswered leaves it unsettled", with(base, "?p_manipulation", "tr_interaction"), ActUnsettled, nil, ""},
		// Art. 6(2) and Annex III: each area makes the system high-risk.
		{"Annex III point 1 biometrics", with(base, "hr_biometrics", "!ex_narrow_task", "!ex_improve_human", "!ex_detect_patterns", "!ex_preparatory", "!ex_profiling"),
			ActHighRisk, []string{"Annex III point 1"}, "2027-12-02"},
		{"Annex III point 2 critical infrastructure", with(base, "hr_critical_infrastructure", "ex_profiling"), ActHighRisk, []string{"Annex III point 2", "Art. 6(3), last subparagraph"}, "2027-12-02"},
		{"Annex III point 3 education", with(base, "hr_education", "ex_profiling"), ActHighRisk, []string{"Annex III point 3", "Art. 6(3), last subparagraph"}, "2027-12-02"},
		{"Annex III point 4 employment", with(base, "hr_employment", "ex_profiling"), ActHighRisk, []string{"Annex III point 4", "Art. 6(3), last subparagraph"}, "2027-12-02"},
		{"Annex III point 5 essential services", with(base, "hr_essential_services", "ex_profiling"), ActHighRisk, []string{"Annex III point 5", "Art. 6(3), last subparagraph"}, "2027-12-02"},
		{"Annex III point 6 law enforcement", with(base, "hr_law_enforcement", "ex_profiling"), ActHighRisk, []string{"Annex III point 6", "Art. 6(3), last subparagraph"}, "2027-12-02"},
		{"Annex III point 7 migration", with(base, "hr_migration", "ex_profiling"), ActHighRisk, []string{"Annex III point 7", "Art. 6(3), last subparagraph"}, "2027-12-02"},
		{"Annex III point 8 justice and democracy", with(base, "hr_justice_democracy", "ex_profiling"), ActHighRisk, []string{"Annex III point 8", "Art. 6(3), last subparagraph"}, "2027-12-02"},
		// Art. 6(3): the exemption, with and without profiling.
		{"Art. 6(3)(a) narrow task, no profiling: not high-risk", with(base, "hr_employment", "ex_narrow_task", "!ex_improve_human", "!ex_detect_patterns", "!ex_preparatory", "!ex_profiling"),
			ActMinimal, []string{"Annex III point 4", "Art. 6(3)(a)", "Art. 6(3), last subparagraph"}, ""},
		{"Art. 6(3)(d) preparatory task, no profiling, a chatbot: transparency", with(base, "hr_education", "ex_preparatory", "!ex_profiling", "tr_interaction"),
			ActTransparency, []string{"Annex III point 3", "Art. 6(3)(d)", "Art. 6(3), last subparagraph", "Art. 50(1)"}, "2026-08-02"},
		{"Art. 6(3) last subparagraph: profiling keeps it high-risk", with(base, "hr_employment", "ex_narrow_task", "ex_profiling"),
			ActHighRisk, []string{"Annex III point 4", "Art. 6(3), last subparagraph"}, "2027-12-02"},
		{"Art. 6(3) claimed, profiling not answered: unsettled", with(base, "hr_employment", "ex_narrow_task"), ActUnsettled, nil, ""},
		{"Art. 6(3) conditions not answered: unsettled", with(base, "hr_employment", "!ex_profiling"), ActUnsettled, nil, ""},
		// Art. 6(1) and Annex I.
		{"Art. 6(1) Annex I product with a notified body", with(base, "hr_annex_i_product", "hr_annex_i_assessment"),
			ActHighRisk, []string{"Art. 6(1)(a), Annex I", "Art. 6(1)(b)"}, "2028-08-02"},
		{"Art. 6(1) Annex I product assessed by its maker: not high-risk", with(base, "hr_annex_i_product", "!hr_annex_i_assessment"), ActMinimal, nil, ""},
		{"Art. 6(1) conformity route not answered: unsettled", with(base, "hr_annex_i_product"), ActUnsettled, nil, ""},
		{"both routes: the earlier date", with(base, "hr_annex_i_product", "hr_annex_i_assessment", "hr_essential_services", "ex_profiling"),
			ActHighRisk, []string{"Art. 6(1)(a), Annex I", "Art. 6(1)(b)", "Annex III point 5", "Art. 6(3), last subparagraph"}, "2027-12-02"},
		// Art. 50.
		{"Art. 50(1) chatbot", with(base, "tr_interaction"), ActTransparency, []string{"Art. 50(1)"}, "2026-08-02"},
		{"Art. 50(4) deep fakes", with(base, "tr_deep_fake"), ActTransparency, []string{"Art. 50(4)"}, "2026-08-02"},
		{"an Art. 50 question unanswered: unsettled", with(base, "?tr_deep_fake"), ActUnsettled, nil, ""},
		{"nothing applies: minimal", base, ActMinimal, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ClassifyAIAct(act, tt.rec)
			if o.Result != tt.result || !slices.Equal(cites(o), tt.cites) || o.AppliesFrom.AppliesFrom != tt.applies {
				t.Fatalf("result %q from %v, applies from %q; want %q from %v, applies from %q (unsettled: %v)",
					o.Result, cites(o), o.AppliesFrom.AppliesFrom, tt.result, tt.cites, tt.applies, o.Unsettled)
			}
			if (o.Result == ActUnsettled) != (len(o.Unsettled) > 0) {
				t.Fatalf("unsettled %v with result %q", o.Unsettled, o.Result)
			}
		})
	}
}

func TestAIActDuties(t *testing.T) {
	act := catalogs.MustEUAIAct()
	tests := []struct {
		name         string
		rec          AIActRecord
		ours, theirs []string
	}{
		// Art. 5 leaves nothing to comply with but the ban and AI literacy (Art. 4).
		{"prohibited", with(allNo(catalogs.OperatorProvider), "p_social_scoring", "tr_interaction"), []string{"literacy", "stop"}, nil},
		// Art. 16 to 49 for a provider of an Annex III system.
		{"provider of an Annex III system", with(allNo(catalogs.OperatorProvider), "hr_employment", "ex_profiling"),
			[]string{"literacy", "hr_requirements", "hr_provider", "hr_conformity", "hr_registration", "hr_monitoring"},
			[]string{"hr_deployer", "hr_explanation", "hr_importer", "hr_distributor", "hr_representative"}},
		// Art. 26 and 27 for a public deployer; Art. 49(1) and 86 leave out Annex III point 2.
		{"public deployer of an Annex III system", with(allNo(catalogs.OperatorDeployer), "hr_education", "ex_profiling", "fr_public", "!fr_credit_insurance"),
			[]string{"literacy", "hr_deployer", "fria", "hr_explanation"},
			[]string{"hr_requirements", "hr_provider", "hr_conformity", "hr_registration", "hr_monitoring", "hr_importer", "hr_distributor", "hr_representative"}},
		{"critical infrastructure is not registered", with(allNo(catalogs.OperatorProvider), "hr_critical_infrastructure", "ex_profiling"),
			[]string{"literacy", "hr_requirements", "hr_provider", "hr_conformity", "hr_monitoring"},
			[]string{"hr_deployer", "hr_importer", "hr_distributor", "hr_representative"}},
		// Art. 6(4) and 49(2): the exemption is documented and registered.
		{"Art. 6(3) exemption", with(allNo(catalogs.OperatorProvider), "hr_employment", "ex_narrow_task", "!ex_improve_human", "!ex_detect_patterns", "!ex_preparatory", "!ex_profiling"),
			[]string{"literacy", "exempt_record"}, nil},
		// Chapter V: a provider of a general-purpose AI model.
		{"GPAI provider", with(allNo(catalogs.OperatorProvider), "gp_provider", "!gp_systemic", "!gp_open_source", "!gp_before_2025"),
			[]string{"literacy", "gpai_documentation", "gpai_copyright", "gpai_representative"}, nil},
		{"GPAI with systemic risk", with(allNo(catalogs.OperatorProvider), "gp_provider", "gp_systemic", "gp_open_source", "!gp_before_2025"),
			[]string{"literacy", "gpai_documentation", "gpai_copyright", "gpai_representative", "gpai_systemic"}, nil},
		// Art. 53(2): open source without systemic risk keeps copyright and the summary only.
		{"open-source GPAI", with(allNo(catalogs.OperatorProvider), "gp_provider", "!gp_systemic", "gp_open_source", "!gp_before_2025"),
			[]string{"literacy", "gpai_copyright", "gpai_representative"}, nil},
		// Art. 50(1) is the provider's; a deployer sees it as another's.
		{"a deployer of a chatbot", with(allNo(catalogs.OperatorDeployer), "tr_interaction"), []string{"literacy"}, []string{"tr_interaction"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ClassifyAIAct(act, tt.rec)
			if got := dutyIDs(o, true); !slices.Equal(got, tt.ours) {
				t.Errorf("ours = %v, want %v", got, tt.ours)
			}
			if got := dutyIDs(o, false); !slices.Equal(got, tt.theirs) {
				t.Errorf("theirs = %v, want %v", got, tt.theirs)
			}
			for _, d := range o.Duties {
				if d.Milestone.AppliesFrom == "" {
					t.Errorf("%s has no date of application", d.Obligation.ID)
				}
			}
		})
	}
	// Art. 111(3): a model already on the market before 2 August 2025 has until 2027.
	o := ClassifyAIAct(act, with(allNo(catalogs.OperatorProvider), "gp_provider", "!gp_systemic", "!gp_open_source", "gp_before_2025"))
	for _, d := range o.Duties {
		if strings.HasPrefix(d.Obligation.ID, "gpai") && d.Milestone.AppliesFrom != "2027-08-02" {
			t.Errorf("%s applies from %s, want 2027-08-02", d.Obligation.ID, d.Milestone.AppliesFrom)
		}
	}
	// Annex I route: provider duties apply from the Annex I date.
	o = ClassifyAIAct(act, with(allNo(catalogs.OperatorProvider), "hr_annex_i_product", "hr_annex_i_assessment"))
	for _, d := range o.Duties {
		if d.Obligation.ID == "hr_conformity" && d.Milestone.AppliesFrom != "2028-08-02" {
			t.Errorf("Annex I conformity applies from %s", d.Milestone.AppliesFrom)
		}
		if d.Obligation.ID == "hr_registration" {
			t.Error("Art. 49(1) registers Annex III systems, not Annex I products")
		}
	}
}

// TestFRIAStatus follows Art. 27(1): deployers that are public bodies or provide public
// services, and deployers of Annex III 5(b) and (c) systems, assess the impact on
// fundamental rights of an Art. 6(2) system, Annex III point 2 aside.
func TestFRIAStatus(t *testing.T) {
	act := catalogs.MustEUAIAct()
	dep := allNo(catalogs.OperatorDeployer)
	tests := []struct {
		name string
		rec  AIActRecord
		want FRIAStatus
	}{
		{"public deployer", with(dep, "hr_employment", "ex_profiling", "fr_public", "!fr_credit_insurance"), FRIARequired},
		{"credit scoring", with(dep, "hr_essential_services", "ex_profiling", "!fr_public", "fr_credit_insurance"), FRIARequired},
		{"private deployer elsewhere", with(dep, "hr_employment", "ex_profiling", "!fr_public", "!fr_credit_insurance"), FRIANotRequired},
		{"scope questions open", with(dep, "hr_employment", "ex_profiling"), FRIAUnknown},
		{"critical infrastructure only", with(dep, "hr_critical_infrastructure", "ex_profiling", "fr_public"), FRIANotApplicable},
		{"Annex I product only", with(dep, "hr_annex_i_product", "hr_annex_i_assessment", "fr_public"), FRIANotApplicable},
		{"provider only", with(allNo(catalogs.OperatorProvider), "hr_employment", "ex_profiling", "fr_public"), FRIANotApplicable},
		{"exempt under Art. 6(3)", with(dep, "hr_employment", "ex_narrow_task", "!ex_improve_human", "!ex_detect_patterns", "!ex_preparatory", "!ex_profiling", "fr_public"), FRIANotApplicable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ClassifyAIAct(act, tt.rec).FRIA; got != tt.want {
				t.Fatalf("FRIA = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAIActApprovalNeedsEverything(t *testing.T) {
	act := catalogs.MustEUAIAct()
	ready := with(allNo(catalogs.OperatorDeployer), "hr_employment", "ex_profiling", "fr_public", "!fr_credit_insurance")
	ready.FRIAPeriod, ready.FRIAOversight, ready.FRIAComplaints = "From 2027, daily", "A recruiter reviews every ranking", "HR complaints desk"
	ready.Decision, ready.Approver, ready.DecisionDate, ready.Rationale = DecisionApprove, "Dana Ruiz", "2026-11-20", "Screening of candidates."
	tests := []struct {
		name  string
		edit  func(*AIActRecord)
		field string
	}{
		{"complete", func(*AIActRecord) {}, ""},
		{"no roles", func(r *AIActRecord) { r.Roles = nil }, "decision"},
		{"unknown role", func(r *AIActRecord) { r.Roles = []OperatorRole{"vendor"} }, "operator_roles"},
		{"a practice unanswered", func(r *AIActRecord) { delete(r.Answers, "p_manipulation") }, "decision"},
		{"a yes practice needs a note", func(r *AIActRecord) { r.Answers["p_manipulation"] = AIActAnswer{Answer: AnswerYes} }, "decision"},
		{"the FRIA needs its fields", func(r *AIActRecord) { r.FRIAComplaints = " " }, "decision"},
		{"no approver", func(r *AIActRecord) { r.Approver = "" }, "approver"},
		{"bad date", func(r *AIActRecord) { r.DecisionDate = "20/11/2026" }, "decision_date"},
		{"no rationale", func(r *AIActRecord) { r.Rationale = "" }, "rationale"},
		{"reject is not a classification", func(r *AIActRecord) { r.Decision = DecisionReject }, "decision"},
		{"an answer that is not yes or no", func(r *AIActRecord) { r.Answers["tr_deep_fake"] = AIActAnswer{Answer: "maybe"} }, "q.tr_deep_fake"},
		{"a question annex does not know", func(r *AIActRecord) { r.Answers["q_future"] = AIActAnswer{Answer: AnswerYes} }, "q.q_future"},
		{"a notification date that is no date", func(r *AIActRecord) { r.FRIANotified = "soon" }, "fria_notified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ready.Clone()
			tt.edit(&r)
			err := r.Validate(act)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field {
				t.Fatalf("want an error on %s, got %#v", tt.field, err)
			}
		})
	}
	// The exemption's reasoning is required (Art. 6(4)).
	r := with(allNo(catalogs.OperatorProvider), "hr_employment", "!ex_improve_human", "!ex_detect_patterns", "!ex_preparatory", "!ex_profiling")
	r.Answers["ex_narrow_task"] = AIActAnswer{Answer: AnswerYes}
	p := r.CheckStep(act, ActStepExemption, CheckComplete)
	if len(p) != 1 || p[0].Field != "q.ex_narrow_task.note" || !strings.Contains(p[0].Message, "Art. 6(4)") {
		t.Fatalf("exemption without reasoning: %v", p)
	}
	if r.FirstIncomplete(act) != ActStepExemption {
		t.Fatalf("first incomplete = %d", r.FirstIncomplete(act))
	}
}

func TestAIActRecordMapRoundTrip(t *testing.T) {
	act := catalogs.MustEUAIAct()
	r := with(allNo(catalogs.OperatorDeployer, catalogs.OperatorProvider), "hr_employment", "ex_profiling")
	r.Answers["p_manipulation"] = AIActAnswer{Answer: AnswerNo, Note: "checked with the vendor"}
	r.Answers["gp_systemic"] = AIActAnswer{Note: "to ask"}
	r.FRIAPeriod, r.FRIANotified, r.LastStep = "daily", "2026-11-30", ActStepFRIA
	m := AIActRecordMap(act, r)
	if len(m) != len(AIActRecordFields(act)) {
		t.Fatalf("map has %d fields, field list %d", len(m), len(AIActRecordFields(act)))
	}
	if m["operator_roles"] != "provider,deployer" {
		t.Fatalf("roles are written in the Act's order: %q", m["operator_roles"])
	}
	back, err := AIActRecordFromMap(AIActRecord{Version: 1}, m)
	if err != nil {
		t.Fatal(err)
	}
	r.Roles = parseOperatorRoles(operatorRolesText(r.Roles))
	if !reflect.DeepEqual(back, r) {
		t.Fatalf("round trip differs:\n%+v\n%+v", back, r)
	}
	if v2 := ReClassify(back); v2.Version != 2 || v2.Frozen() || !reflect.DeepEqual(v2.Answers, back.Answers) {
		t.Fatalf("re-classify: %+v", v2)
	}
}

func TestNewAIActRecordFromSystem(t *testing.T) {
	sys := AISystem{ID: "s", Roles: []AIRole{RoleProducer, RoleProvider, RoleCustomer}, HumanOversight: "A nurse reviews"}
	r := NewAIActRecord(sys)
	if !slices.Equal(r.Roles, []OperatorRole{"provider", "deployer"}) || r.FRIAOversight != "A nurse reviews" || r.Version != 1 {
		t.Fatalf("prefill: %+v", r)
	}
}

// TestFRIAFromImpactAssessment: Art. 27(1)(a), (c), (d) and (f) come from the ISO/IEC 42001
// impact assessment in force; (b), (e), the complaint mechanism and Art. 27(3) from the
// classification record.
func TestFRIAFromImpactAssessment(t *testing.T) {
	v1 := withImpacts(completeAssessment(), harm(AreaFairness, 4, 3, 3, 2))
	v1.Decision, v1.Approver, v1.DecisionDate, v1.Rationale = DecisionApprove, "Dr Obi", "2026-01-10", "ok"
	v2 := ReAssess(v1)
	v2.InterestedParties = "draft parties"
	if got := FRIASource([]ImpactAssessment{v2, v1}); got == nil || got.Version != 1 {
		t.Fatalf("the approved version is the source, got %+v", got)
	}
	if got := FRIASource([]ImpactAssessment{v2}); got == nil || got.Version != 2 {
		t.Fatal("without an approved version the newest is the source")
	}
	if FRIASource(nil) != nil {
		t.Fatal("no assessment, no source")
	}
	r := AIActRecord{FRIAPeriod: "Daily from 2027", FRIAOversight: "A nurse reviews", FRIAComplaints: "Patient liaison", FRIANotified: "2026-12-01"}
	f := BuildFRIA(FRIARequired, r, &v1)
	if f.Processes != "Prioritise worklists\n\nRadiology departments" || f.Persons != "Patients, radiologists\n\nVulnerable groups: Children, elderly" {
		t.Fatalf("(a) and (c): %q / %q", f.Processes, f.Persons)
	}
	if len(f.Harms) != 1 || f.Harms[0].Area != AreaFairness || f.Harms[0].Class.Class != ClassMedium || len(f.Harms[0].Measures) != 1 {
		t.Fatalf("(d): %+v", f.Harms)
	}
	if f.Period != r.FRIAPeriod || f.Oversight != r.FRIAOversight || f.Complaints != r.FRIAComplaints || f.Notified != r.FRIANotified {
		t.Fatalf("added fields: %+v", f)
	}
	if empty := BuildFRIA(FRIARequired, r, nil); empty.Processes != "" || empty.Harms != nil || empty.Period != r.FRIAPeriod {
		t.Fatalf("without an impact assessment: %+v", empty)
	}
}
