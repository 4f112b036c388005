package assessments

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/catalogs"
)

func cr(std, ref string) ControlRef { return ControlRef{Standard: std, Ref: ref} }

var (
	i27 = func(ref string) ControlRef { return cr(catalogs.ISO27001, ref) }
	i42 = func(ref string) ControlRef { return cr(catalogs.ISO42001, ref) }
)

func bothStandards() Engagement {
	return Engagement{ID: "e", Name: "E", Standards: []string{catalogs.ISO27001, catalogs.ISO42001}}
}

func TestConclusionGrades(t *testing.T) {
	for _, c := range []struct {
		c            Conclusion
		noteworthy   bool
		grade        Grade
		nc           bool
		short, label string
	}{
		{NotAudited, false, "", false, " · ", "not audited"},
		{"", false, "", false, " · ", "not audited"},
		{Conforming, false, "", false, "OK ", "conforming"},
		{MajorNC, true, GradeMajor, true, "MAJ", "major nonconformity"},
		{MinorNC, true, GradeMinor, true, "MIN", "minor nonconformity"},
		{Observation, true, GradeObservation, false, "OBS", "observation"},
		{OFI, true, GradeOFI, false, "OFI", "opportunity for improvement"},
	} {
		if c.c.Noteworthy() != c.noteworthy || c.c.Grade() != c.grade || c.c.Grade().Nonconformity() != c.nc ||
			c.c.Short() != c.short || c.c.Label() != c.label {
			t.Errorf("%q: noteworthy %v grade %q nc %v short %q label %q", c.c, c.c.Noteworthy(), c.c.Grade(),
				c.c.Grade().Nonconformity(), c.c.Short(), c.c.Label())
		}
	}
	if got := GradeMajor.Rank() < GradeMinor.Rank() && GradeMinor.Rank() < GradeObservation.Rank() && GradeObservation.Rank() < GradeOFI.Rank(); !got {
		t.Error("grades do not rank from the most serious")
	}
	if _, err := ParseConclusion("minor nonconformity"); err != nil {
		t.Error(err)
	}
	if _, err := ParseConclusion("nc"); err == nil {
		t.Error("an unknown conclusion was read")
	}
}

func action(st ActionState) CorrectiveAction {
	return CorrectiveAction{Action: "fix", State: st, ReviewedBy: "Lena", ReviewedOn: "2027-02-01", ReviewNote: "checked"}
}

// TestFindingClosesOnlyWhenActionsVerified: a finding is closed only when it has actions
// and all are verified effective; an NC without action is open; an OFI without one is noted.
func TestFindingClosesOnlyWhenActionsVerified(t *testing.T) {
	major := Finding{Grade: GradeMajor}
	ofi := Finding{Grade: GradeOFI}
	for _, c := range []struct {
		name    string
		f       Finding
		actions []CorrectiveAction
		want    FindingStatus
	}{
		{"NC without action", major, nil, FindingOpen},
		{"OFI without action", ofi, nil, FindingNoted},
		{"open action", major, []CorrectiveAction{action(CorrectiveOpen)}, FindingOpen},
		{"done, not reviewed", major, []CorrectiveAction{action(CorrectiveDone)}, FindingOpen},
		{"one verified, one in progress", major, []CorrectiveAction{action(CorrectiveVerified), action(CorrectiveInProgress)}, FindingOpen},
		{"ineffective reopens", major, []CorrectiveAction{action(CorrectiveVerified), action(CorrectiveIneffective)}, FindingOpen},
		{"all verified", major, []CorrectiveAction{action(CorrectiveVerified), action(CorrectiveVerified)}, FindingClosed},
		{"OFI with a verified action", ofi, []CorrectiveAction{action(CorrectiveVerified)}, FindingClosed},
		{"OFI with an open action", ofi, []CorrectiveAction{action(CorrectiveOpen)}, FindingOpen},
		{"withdrawn", Finding{Grade: GradeMajor, Withdrawn: true}, nil, FindingWithdrawn},
	} {
		if got := FindingStatusOf(c.f, c.actions); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	acts := []CorrectiveAction{action(CorrectiveVerified), action(CorrectiveVerified)}
	acts[1].ReviewedOn = "2027-03-05"
	if got := ClosedOn(acts); got != "2027-03-05" {
		t.Errorf("closed on %q, want the last review", got)
	}
}

func TestActionTransitions(t *testing.T) {
	for _, c := range []struct {
		from, to ActionState
		ok       bool
	}{
		{CorrectiveOpen, CorrectiveInProgress, true}, {"", CorrectiveInProgress, true}, {CorrectiveInProgress, CorrectiveDone, true},
		{CorrectiveDone, CorrectiveVerified, true}, {CorrectiveDone, CorrectiveIneffective, true}, {CorrectiveIneffective, CorrectiveInProgress, true},
		{CorrectiveVerified, CorrectiveIneffective, true}, {CorrectiveOpen, CorrectiveDone, true}, {CorrectiveDone, CorrectiveDone, true},
		{CorrectiveOpen, CorrectiveVerified, false}, {CorrectiveInProgress, CorrectiveVerified, false}, {CorrectiveInProgress, CorrectiveIneffective, false},
		{CorrectiveVerified, CorrectiveOpen, false}, {CorrectiveVerified, CorrectiveInProgress, false},
	} {
		err := CheckActionTransition(c.from, c.to)
		if (err == nil) != c.ok {
			t.Errorf("%q → %q: %v, want ok %v", c.from, c.to, err, c.ok)
		}
	}
	for from, want := range map[ActionState]ActionState{CorrectiveOpen: CorrectiveInProgress, CorrectiveInProgress: CorrectiveDone, CorrectiveIneffective: CorrectiveInProgress} {
		if got, ok := NextActionState(from); !ok || got != want {
			t.Errorf("next of %s = %s, want %s", from, got, want)
		}
	}
	if _, ok := NextActionState(CorrectiveDone); ok {
		t.Error("done advanced without a review")
	}
}

// TestActionRules: a due date before the finding, a review by nobody, a review of an
// action not done: each one sentence naming its field.
func TestActionRules(t *testing.T) {
	f := Finding{Ref: "F-2027-01-003", Grade: GradeMajor, RaisedOn: "2027-01-15"}
	ok := CorrectiveAction{Action: "Add a model validation gate", DueDate: "2027-03-01"}
	for _, c := range []struct {
		name  string
		edit  func(*CorrectiveAction)
		field string
		msg   string
	}{
		{"fine", func(*CorrectiveAction) {}, "", ""},
		{"due before the finding", func(a *CorrectiveAction) { a.DueDate = "2027-01-10" }, "due_date", "before finding F-2027-01-003 was raised (2027-01-15)"},
		{"due not a date", func(a *CorrectiveAction) { a.DueDate = "soon" }, "due_date", "not a date"},
		{"no action", func(a *CorrectiveAction) { a.Action = "  " }, "action", "Say what will be done"},
		{"verified by nobody", func(a *CorrectiveAction) {
			a.State, a.ReviewedOn, a.ReviewNote = CorrectiveVerified, "2027-02-20", "sampled 5 releases"
		}, "reviewed_by", "needs the name of who reviewed it"},
		{"ineffective without a date", func(a *CorrectiveAction) {
			a.State, a.ReviewedBy, a.ReviewNote = CorrectiveIneffective, "Lena", "gate skipped twice"
		}, "reviewed_on", "needs the date of the review"},
		{"verified without what was checked", func(a *CorrectiveAction) {
			a.State, a.ReviewedBy, a.ReviewedOn = CorrectiveVerified, "Lena", "2027-02-20"
		}, "review_note", "Say what the review checked"},
		{"review before the finding", func(a *CorrectiveAction) {
			a.State, a.ReviewedBy, a.ReviewedOn, a.ReviewNote = CorrectiveVerified, "Lena", "2027-01-01", "x"
		}, "reviewed_on", "before finding"},
		{"too many whys", func(a *CorrectiveAction) { a.RootCause = make([]string, MaxWhys+1) }, "root_cause", "why-chain"},
	} {
		a := ok
		c.edit(&a)
		err := a.Validate(f)
		var ve *ValidationError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.field != "" && (!errors.As(err, &ve) || ve.Field != c.field || !strings.Contains(ve.Message, c.msg)):
			t.Errorf("%s: %v, want %s: %q", c.name, err, c.field, c.msg)
		}
	}
	done := ok
	done.State = CorrectiveDone
	if _, err := ReviewAction(done, f, true, " ", "2027-02-20", "sampled 5 releases"); err == nil {
		t.Error("a review by nobody verified the action")
	}
	got, err := ReviewAction(done, f, false, "Lena Fischer", "2027-02-20", "the gate was skipped for two releases")
	if err != nil || got.State != CorrectiveIneffective || got.ReviewedBy != "Lena Fischer" {
		t.Errorf("ineffective review: %+v %v", got, err)
	}
	if _, err := ReviewAction(ok, f, true, "Lena", "2027-02-20", "x"); err == nil {
		t.Error("an open action was verified")
	}
}

func TestFindingRules(t *testing.T) {
	known := KnownControl(catalogs.MustBuiltin())
	f := Finding{Grade: GradeMajor, Statement: "No validation gate.", Requirements: []ControlRef{i42("A.6.2.4")}, RaisedOn: "2027-01-15"}
	if err := f.Validate(known); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		edit  func(*Finding)
		field string
	}{
		{"without requirement", func(f *Finding) { f.Requirements = nil }, "requirements"},
		{"unknown requirement", func(f *Finding) { f.Requirements = []ControlRef{i42("A.99.1")} }, "requirements"},
		{"no statement", func(f *Finding) { f.Statement = "" }, "statement"},
		{"unknown grade", func(f *Finding) { f.Grade = "critical" }, "grade"},
		{"no date", func(f *Finding) { f.RaisedOn = "" }, "raised_on"},
	} {
		g := f
		c.edit(&g)
		var ve *ValidationError
		if err := g.Validate(known); !errors.As(err, &ve) || ve.Field != c.field {
			t.Errorf("%s: %v, want a problem with %s", c.name, err, c.field)
		}
	}
	if got := FindingRef("2027-01", 3); got != "F-2027-01-003" {
		t.Errorf("ref %q", got)
	}
}

func TestImpartiality(t *testing.T) {
	results := map[string]map[string]Result{
		catalogs.ISO42001: {"A.6.2.4": {Owner: "Ravi  Patel"}, "8.4": {Owner: "amara nwosu"}, "A.6.2.2": {Owner: "Dana Ruiz"}},
		catalogs.ISO27001: {"A.8.29": {Owner: "Ravi Patel"}},
	}
	scope := []ControlRef{i42("8.4"), i42("A.6.2.2"), i42("A.6.2.4"), i27("A.8.29")}
	for _, c := range []struct {
		name string
		a    Audit
		want []ImpartialityWarning
	}{
		{"independent team", Audit{Lead: "Priya Raman", Team: []string{"Omar Haddad"}, Scope: scope}, nil},
		{"lead owns two", Audit{Lead: "Ravi Patel", Scope: scope}, []ImpartialityWarning{{"Ravi Patel", i42("A.6.2.4")}, {"Ravi Patel", i27("A.8.29")}}},
		{"team member, case and spaces", Audit{Lead: "Priya Raman", Team: []string{" Amara Nwosu "}, Scope: scope}, []ImpartialityWarning{{"Amara Nwosu", i42("8.4")}}},
		{"owner out of scope", Audit{Lead: "Dana Ruiz", Scope: scope[:1]}, nil},
	} {
		got := Impartiality(c.a, results)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	text := ImpartialityText(Impartiality(Audit{Lead: "Ravi Patel", Scope: scope}, results), func(c ControlRef) string { return c.Ref })
	if len(text) != 1 || !strings.Contains(text[0], "Ravi Patel owns A.6.2.4 and A.8.29") || !strings.Contains(text[0], "9.2.2 b") {
		t.Errorf("text %q", text)
	}
}

// TestOneAnswerForTwoStandards: an answer on a requirement carries to the requirements of
// the other standard in scope that it covers through the crosswalk (equal or superset, as
// adoption), with provenance; never through weaker links, never over an item's own answer.
func TestOneAnswerForTwoStandards(t *testing.T) {
	set := catalogs.MustBuiltin()
	scope := []ControlRef{i42("A.6.2.4"), i42("10.2"), i42("A.6.1.3"), i27("A.8.29"), i27("10.2"), i27("A.8.25")}
	for _, c := range []struct {
		name  string
		from  ControlRef
		items map[ControlRef]ChecklistItem
		want  []ControlRef
	}{
		// 42001 A.6.2.4 covers all of 27001 A.8.29 (A.8.29 subset A.6.2.4): it carries.
		{"superset carries", i42("A.6.2.4"), nil, []ControlRef{i27("A.8.29")}},
		// The other way the link is a subset: 27001 A.8.29 does not answer for A.6.2.4.
		{"subset does not", i27("A.8.29"), nil, nil},
		{"equal carries both ways", i27("10.2"), nil, []ControlRef{i42("10.2")}},
		{"equal, other side", i42("10.2"), nil, []ControlRef{i27("10.2")}},
		// A.8.25 intersects A.6.1.3: no carry.
		{"intersects does not", i42("A.6.1.3"), nil, nil},
		{"own answer kept", i42("A.6.2.4"), map[ControlRef]ChecklistItem{i27("A.8.29"): {Conclusion: Conforming}}, nil},
		{"carried answer follows", i42("A.6.2.4"), map[ControlRef]ChecklistItem{i27("A.8.29"): {Conclusion: MinorNC, CarriedFrom: "iso42001-2023:A.6.2.4"}}, []ControlRef{i27("A.8.29")}},
		{"carried from elsewhere kept", i27("10.2"), map[ControlRef]ChecklistItem{i42("10.2"): {Conclusion: MinorNC, CarriedFrom: "iso27001-2022:9.2.2"}}, nil},
		{"out of scope", i42("A.6.2.4"), nil, []ControlRef{i27("A.8.29")}},
	} {
		var got []ControlRef
		for _, t := range CarryTargets(set, scope, c.from, c.items) {
			got = append(got, t.To)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: carries to %v, want %v", c.name, got, c.want)
		}
	}
	if got := CarryTargets(set, scope[:1], i42("A.6.2.4"), nil); len(got) != 0 {
		t.Errorf("carried out of the scope: %v", got)
	}
	carry := CarryTargets(set, scope, i42("A.6.2.4"), nil)[0]
	item := CarryConclusion(set, ChecklistItem{Standard: catalogs.ISO27001, Ref: "A.8.29", Notes: "own notes"}, carry, MajorNC)
	if item.Conclusion != MajorNC || item.Provenance != "from ISO 42001 A.6.2.4 (superset)" || item.CarriedFrom != "iso42001-2023:A.6.2.4" || item.Notes != "own notes" {
		t.Errorf("carried item %+v", item)
	}
	back := CarryConclusion(set, item, carry, NotAudited)
	if back.Conclusion != NotAudited || back.Provenance != "" || back.CarriedFrom != "" {
		t.Errorf("released item %+v", back)
	}
	own := AnswerItem(item, Conforming)
	if own.Carried() || own.Provenance != "" || own.Conclusion != Conforming {
		t.Errorf("answered item %+v", own)
	}
	// The finding raised by the answer names both standards' requirements.
	f := FindingFromItem(set, Audit{ID: "a", EngagementID: "e"}, ChecklistItem{Standard: catalogs.ISO42001, Ref: "A.6.2.4", Conclusion: MajorNC,
		SampleSize: 5, Population: 40}, []ControlRef{i27("A.8.29")}, "2027-01-15")
	if f.Grade != GradeMajor || !reflect.DeepEqual(f.Requirements, []ControlRef{i42("A.6.2.4"), i27("A.8.29")}) ||
		!strings.Contains(f.Statement, "ISO 42001 A.6.2.4") || !strings.Contains(f.Evidence, "5 of 40 sampled") {
		t.Errorf("finding %+v", f)
	}
}

func TestProgrammeCoverage(t *testing.T) {
	set := catalogs.MustBuiltin()
	now := time.Date(2027, 6, 1, 9, 0, 0, 0, time.UTC)
	e := Engagement{Standards: []string{catalogs.ISO42001}}
	c42, _ := set.Get(catalogs.ISO42001)
	clauses, controls := 0, 0
	for _, r := range c42.Requirements {
		if r.Kind == catalogs.KindClause {
			clauses++
		} else {
			controls++
		}
	}
	done := func(date string, refs ...ControlRef) AuditRecord {
		return AuditRecord{Audit: Audit{Status: AuditCompleted, ActualStart: date, ActualEnd: date, Scope: refs}, Audited: refs}
	}
	for _, c := range []struct {
		name                     string
		records                  []AuditRecord
		clauses, controls        int
		uncoveredHas, plannedHas string
	}{
		{"nothing", nil, 0, 0, "8.4", ""},
		{"recent audit", []AuditRecord{done("2027-03-10", i42("8.4"), i42("A.6.2.4"))}, 1, 1, "8.1", ""},
		{"older than 12 months", []AuditRecord{done("2026-05-01", i42("8.4"))}, 0, 0, "8.4", ""},
		{"in the future", []AuditRecord{done("2027-07-01", i42("8.4"))}, 0, 0, "8.4", ""},
		{"cancelled", []AuditRecord{{Audit: Audit{Status: AuditCancelled, ActualEnd: "2027-03-01"}, Audited: []ControlRef{i42("8.4")}}}, 0, 0, "8.4", ""},
		{"in scope but not concluded", []AuditRecord{{Audit: Audit{Status: AuditCompleted, ActualEnd: "2027-03-01", Scope: []ControlRef{i42("8.4")}}}}, 0, 0, "8.4", ""},
		{"planned", []AuditRecord{{Audit: Audit{Status: AuditPlanned, PlannedStart: "2027-09-01", Scope: []ControlRef{i42("8.4")}}}}, 0, 0, "8.4", "8.4"},
		{"in progress counts from its start", []AuditRecord{{Audit: Audit{Status: AuditInProgress, ActualStart: "2027-05-30"}, Audited: []ControlRef{i42("9.2.2")}}}, 1, 0, "8.4", ""},
	} {
		got := ProgrammeCoverageOf(set, e, c.records, now)
		if len(got) != 1 {
			t.Fatalf("%s: %d standards", c.name, len(got))
		}
		p := got[0]
		if p.Clauses != (CoverageCount{c.clauses, clauses}) || p.Controls != (CoverageCount{c.controls, controls}) {
			t.Errorf("%s: clauses %v controls %v", c.name, p.Clauses, p.Controls)
		}
		if len(p.Uncovered) != clauses+controls-c.clauses-c.controls || !containsString(p.Uncovered, c.uncoveredHas) {
			t.Errorf("%s: uncovered %d (%v…)", c.name, len(p.Uncovered), p.Uncovered[:3])
		}
		if (c.plannedHas != "") != containsString(p.Planned, c.plannedHas) || (c.plannedHas == "" && len(p.Planned) > 0) {
			t.Errorf("%s: planned %v", c.name, p.Planned)
		}
	}
	years, by := AuditsByYear([]Audit{{Ref: "2027-02", PlannedStart: "2027-09-01"}, {Ref: "2026-01", PlannedStart: "2026-02-01"}, {Ref: "2027-01", PlannedStart: "2027-01-05"}})
	if !reflect.DeepEqual(years, []int{2026, 2027}) || by[2027][0].Ref != "2027-01" {
		t.Errorf("years %v %v", years, by)
	}
}

func TestScopeParseAndText(t *testing.T) {
	set := catalogs.MustBuiltin()
	e := bothStandards()
	refs, problems := ParseScope(set, e, "42001 8, ISO 42001 A.6; 27001 A.8.25-A.8.29")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	want := []ControlRef{i27("A.8.25"), i27("A.8.26"), i27("A.8.27"), i27("A.8.28"), i27("A.8.29"),
		i42("8.1"), i42("8.2"), i42("8.3"), i42("8.4")}
	c42, _ := set.Get(catalogs.ISO42001)
	for _, r := range c42.Requirements {
		if r.Group == "A.6" {
			want = append(want, i42(r.Ref))
		}
	}
	if !reflect.DeepEqual(refs, want) {
		t.Fatalf("scope %v\nwant %v", refs, want)
	}
	text := ScopeText(set, refs)
	if text != "ISO 27001 A.8.25-A.8.29, ISO 42001 8, ISO 42001 A.6" {
		t.Errorf("text %q", text)
	}
	again, problems := ParseScope(set, e, text)
	if len(problems) > 0 || !reflect.DeepEqual(again, refs) {
		t.Errorf("round trip: %v %v", again, problems)
	}
	for _, c := range []struct{ in, problem string }{
		{"A.6", "in both ISO 27001 and ISO 42001"},
		{"27001 A.99", "ISO 27001 has no requirement A.99"},
		{"27001 A.8.29-A.8.25", "has no requirement"},
		{"27001", "names a standard but no requirement"},
		{"iso42001-2023:9.2", ""},
		{"a.5.15", ""},
		{"42001 all", ""},
		{"27001 A.5.1, 27001 A.5.3", ""},
	} {
		refs, problems := ParseScope(set, e, c.in)
		switch {
		case c.problem == "" && (len(problems) > 0 || len(refs) == 0):
			t.Errorf("%q: %v %v", c.in, refs, problems)
		case c.problem != "" && (len(problems) != 1 || !strings.Contains(problems[0], c.problem)):
			t.Errorf("%q: problems %v, want %q", c.in, problems, c.problem)
		}
		if c.problem == "" {
			back, _ := ParseScope(set, e, ScopeText(set, refs))
			if !reflect.DeepEqual(back, refs) {
				t.Errorf("%q: %q does not read back", c.in, ScopeText(set, refs))
			}
		}
	}
	if got := ScopeCounts(set, refs); got != "ISO 27001: 5, ISO 42001: 13" {
		t.Errorf("counts %q", got)
	}
}

func TestAuditRules(t *testing.T) {
	known := KnownControl(catalogs.MustBuiltin())
	a := Audit{Title: "AI life cycle", Type: AuditInternal, Status: AuditPlanned, Scope: []ControlRef{i42("8.4")}, Lead: "Priya Raman",
		PlannedStart: "2027-01-10", PlannedEnd: "2027-01-12"}
	if err := a.Validate(known); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		edit  func(*Audit)
		field string
	}{
		{"no title", func(a *Audit) { a.Title = " " }, "title"},
		{"unknown type", func(a *Audit) { a.Type = "external" }, "type"},
		{"empty scope", func(a *Audit) { a.Scope = nil }, "scope"},
		{"unknown ref", func(a *Audit) { a.Scope = []ControlRef{i42("A.1.1")} }, "scope"},
		{"end before start", func(a *Audit) { a.PlannedEnd = "2027-01-01" }, "planned_end"},
		{"completed without end", func(a *Audit) { a.Status, a.ActualStart = AuditCompleted, "2027-01-10" }, "actual_end"},
		{"started without start", func(a *Audit) { a.Status = AuditInProgress }, "actual_start"},
		{"no lead", func(a *Audit) { a.Lead = "" }, "lead"},
	} {
		b := a
		c.edit(&b)
		var ve *ValidationError
		if err := b.Validate(known); !errors.As(err, &ve) || ve.Field != c.field {
			t.Errorf("%s: %v, want %s", c.name, err, c.field)
		}
	}
	if got := (Audit{Lead: "Priya", Team: []string{"priya", "Omar", ""}}).Auditors(); !reflect.DeepEqual(got, []string{"Priya", "Omar"}) {
		t.Errorf("auditors %v", got)
	}
}

func TestSamplingRules(t *testing.T) {
	for _, c := range []struct {
		item  ChecklistItem
		field string
		text  string
	}{
		{ChecklistItem{Population: 40, SampleSize: 5}, "", "5 of 40 sampled"},
		{ChecklistItem{SampleSize: 3, Sampled: "PR-1, PR-7, PR-9"}, "", "3 sampled"},
		{ChecklistItem{Population: 4, SampleSize: 5}, "sample_size", ""},
		{ChecklistItem{Population: -1}, "population", ""},
		{ChecklistItem{Sampled: "PR-1"}, "sample_size", ""},
		{ChecklistItem{Conclusion: "nc"}, "conclusion", ""},
	} {
		err := c.item.Validate()
		var ve *ValidationError
		switch {
		case c.field == "" && (err != nil || c.item.SamplingText() != c.text):
			t.Errorf("%+v: %v %q", c.item, err, c.item.SamplingText())
		case c.field != "" && (!errors.As(err, &ve) || ve.Field != c.field):
			t.Errorf("%+v: %v, want %s", c.item, err, c.field)
		}
	}
}

func TestExaminedEvidenceShowsLaterChange(t *testing.T) {
	at := time.Date(2027, 1, 10, 10, 0, 0, 0, time.UTC)
	x := ExaminedEvidence{EvidenceID: "ev", SHA256: "aa", ExaminedAt: at}
	for _, c := range []struct {
		name string
		now  Evidence
		ok   bool
		want ExaminedState
	}{
		{"same", Evidence{SHA256: "AA"}, true, ExaminedSame},
		{"reattached", Evidence{SHA256: "bb"}, true, ExaminedChanged},
		{"check found it changed", Evidence{SHA256: "aa", Integrity: IntegrityChanged, CheckedAt: at.Add(time.Hour)}, true, ExaminedChanged},
		{"changed before the examination", Evidence{SHA256: "aa", Integrity: IntegrityChanged, CheckedAt: at.Add(-time.Hour)}, true, ExaminedSame},
		{"missing", Evidence{SHA256: "aa", Integrity: IntegrityMissing, CheckedAt: at.Add(time.Hour)}, true, ExaminedMissing},
		{"deleted", Evidence{}, false, ExaminedDeleted},
	} {
		if got := x.StateAgainst(c.now, c.ok); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestContradictionsAndFigures(t *testing.T) {
	now := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	results := map[string]map[string]Result{catalogs.ISO42001: {"A.6.2.4": {Status: Implemented}, "8.4": {Status: Partial}}}
	views := Views([]Finding{
		{ID: "1", Ref: "F-1", Grade: GradeMajor, Requirements: []ControlRef{i42("A.6.2.4"), i42("8.4")}},
		{ID: "2", Ref: "F-2", Grade: GradeMinor, Requirements: []ControlRef{i42("A.6.2.4")}},
		{ID: "3", Ref: "F-3", Grade: GradeOFI},
	}, map[string][]CorrectiveAction{"1": {{State: CorrectiveInProgress, DueDate: "2027-02-01"}}, "2": {action(CorrectiveVerified), action(CorrectiveIneffective)}})
	if got := Contradictions(results, views); !reflect.DeepEqual(got, []ControlRef{i42("A.6.2.4")}) {
		t.Errorf("contradictions %v", got)
	}
	views[0].Status = FindingClosed
	if got := Contradictions(results, views); len(got) != 0 {
		t.Errorf("a closed NC contradicts: %v", got)
	}
	views[0].Status = FindingOpen
	f := FiguresOf(views, now)
	if f.Open != 2 || f.Noted != 1 || f.OpenByGrade[GradeMajor] != 1 || f.Overdue != 1 || f.Ineffective != 1 || f.Verified != 1 || f.Pending != 2 {
		t.Errorf("figures %+v", f)
	}
}

func TestRiskFromFinding(t *testing.T) {
	f := Finding{Ref: "F-2027-01-003", EngagementID: "e", Grade: GradeMajor, Statement: "No validation gate before release.\nMore.",
		Requirements: []ControlRef{i42("A.6.2.4"), i27("A.8.29")}, RaisedOn: "2027-01-15"}
	r := RiskFromFinding(f, 3)
	if r.Scope != ScopeBoth || r.Title != "F-2027-01-003: No validation gate before release." || len(r.Controls) != 2 || r.Inherent != (Score{3, 3}) {
		t.Errorf("risk %+v", r)
	}
	if err := r.Validate(DefaultMatrix(3), nil); err != nil {
		t.Errorf("the prefilled risk is not valid: %v", err)
	}
}
