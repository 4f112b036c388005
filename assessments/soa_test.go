package assessments

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

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

func TestSoAEntryOpenDecisions(t *testing.T) {
	r := func(st Status, reasons ...InclusionReason) Result { return Result{Status: st, Reasons: reasons} }
	for _, tc := range []struct {
		name   string
		res    Result
		risks  []string
		ias    []string
		want   []OpenDecision
		appl   Applicability
		reason string
	}{
		{"nobody assessed, nothing includes it", Result{}, nil, nil, []OpenDecision{OpenUndecided}, Undecided, ""},
		{"a risk treatment decides it before anyone assessed it", Result{}, []string{"R-003"}, nil, nil, Applicable, "risk treatment: R-003"},
		{"implemented without a reason", r(Implemented), nil, nil, []OpenDecision{OpenNoReason}, Applicable, ""},
		{"partial with a legal reason", r(Partial, ReasonLegal), nil, nil, nil, Applicable, "legal or regulatory"},
		{"not implemented, called for by an impact assessment", r(NotImplemented), nil, []string{"Lens v1"}, nil, Applicable, ""},
		{"reason set by hand and risks", r(Implemented, ReasonContractual), []string{"R-001", "R-002"}, nil, nil, Applicable,
			"risk treatment: R-001, R-002; contractual"},
		{"risk treatment set by hand without a linked risk", r(Implemented, ReasonRiskTreatment), nil, nil, nil, Applicable, "risk treatment"},
		{"impact assessment reason names the assessment", r(Implemented, ReasonImpactAssessment), nil, []string{"Lens v2"}, nil, Applicable, "AI impact assessment: Lens v2"},
		{"excluded with justification", Result{Status: NotApplicable, Justification: "no offices"}, nil, nil, nil, Excluded, ""},
		{"excluded without justification (an import, a hand-edited file)", Result{Status: NotApplicable}, nil, nil, []OpenDecision{OpenNoJustification}, Excluded, ""},
		{"excluded although a risk treatment relies on it", Result{Status: NotApplicable, Justification: "x"}, []string{"R-009"}, nil, []OpenDecision{OpenExcludedButNeeded}, Excluded, "risk treatment: R-009"},
		{"excluded with a reason set and no justification", Result{Status: NotApplicable, Reasons: []InclusionReason{ReasonLegal}}, nil, nil,
			[]OpenDecision{OpenNoJustification, OpenExcludedButNeeded}, Excluded, "legal or regulatory"},
		{"not assessed with a business reason", r(NotAssessed, ReasonBusiness), nil, nil, nil, Applicable, "business need"},
	} {
		e := SoAEntryOf("A.5.1", "Policies", tc.res, tc.risks, tc.ias)
		if e.Applicability != tc.appl {
			t.Errorf("%s: applicability %q, want %q", tc.name, e.Applicability, tc.appl)
		}
		if got := e.Open(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: open %v, want %v", tc.name, got, tc.want)
		}
		if tc.reason != "" && e.ReasonsText() != tc.reason {
			t.Errorf("%s: reasons %q, want %q", tc.name, e.ReasonsText(), tc.reason)
		}
	}
}

func TestSoAEntryStatusText(t *testing.T) {
	for _, tc := range []struct {
		res  Result
		want string
	}{
		{Result{}, "not assessed"},
		{Result{Status: Implemented}, "implemented"},
		{Result{Status: Implemented, NeedsReview: true}, "implemented (carried over, to be confirmed)"},
		{Result{Status: NotAssessed, NeedsReview: true}, "not assessed"},
		{Result{Status: NotApplicable, Justification: "x", NeedsReview: true}, "not applicable"},
	} {
		if got := SoAEntryOf("A.1", "", tc.res, nil, nil).StatusText(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.res, got, tc.want)
		}
	}
}

func TestOpenCounts(t *testing.T) {
	entries := []SoAEntry{
		SoAEntryOf("A.1", "", Result{}, nil, nil),
		SoAEntryOf("A.2", "", Result{Status: Implemented}, nil, nil),
		SoAEntryOf("A.3", "", Result{Status: Implemented}, []string{"R-1"}, nil),
		SoAEntryOf("A.4", "", Result{Status: NotApplicable, Reasons: []InclusionReason{ReasonLegal}}, nil, nil),
	}
	got := OpenCounts(entries)
	want := map[OpenDecision]int{OpenUndecided: 1, OpenNoReason: 1, OpenNoJustification: 1, OpenExcludedButNeeded: 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("counts %v, want %v", got, want)
	}
	if n := OpenTotal(entries); n != 3 {
		t.Errorf("total %d, want 3 (A.4 counts once)", n)
	}
}

func TestSoAVersionValidate(t *testing.T) {
	issued := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	ok := SoAVersion{Standard: "iso27001-2022", Version: 1, State: SoADraft, ChangeSummary: "First issue.", IssuedAt: issued,
		Entries: []SoAEntry{{Ref: "A.5.1"}, {Ref: "A.5.2"}}}
	for _, tc := range []struct {
		name  string
		edit  func(*SoAVersion)
		field string
	}{
		{"a draft", func(*SoAVersion) {}, ""},
		{"approved with approver and date", func(v *SoAVersion) { v.State, v.Approver, v.ApprovedOn = SoAApproved, "Dana Ruiz", "2026-03-11" }, ""},
		{"approved the day it was issued", func(v *SoAVersion) { v.State, v.Approver, v.ApprovedOn = SoAApproved, "Dana Ruiz", "2026-03-10" }, ""},
		{"no standard", func(v *SoAVersion) { v.Standard = " " }, "standard"},
		{"version 0", func(v *SoAVersion) { v.Version = 0 }, "version"},
		{"unknown state", func(v *SoAVersion) { v.State = "published" }, "state"},
		{"no summary", func(v *SoAVersion) { v.ChangeSummary = "  " }, "change_summary"},
		{"huge summary", func(v *SoAVersion) { v.ChangeSummary = strings.Repeat("x", MaxSummaryLen+1) }, "change_summary"},
		{"approved without approver", func(v *SoAVersion) { v.State, v.ApprovedOn = SoAApproved, "2026-03-11" }, "approver"},
		{"approved without date", func(v *SoAVersion) { v.State, v.Approver = SoAApproved, "Dana Ruiz" }, "approved_on"},
		{"approved before it was issued", func(v *SoAVersion) { v.State, v.Approver, v.ApprovedOn = SoAApproved, "Dana Ruiz", "2026-03-09" }, "approved_on"},
		{"approval date not a date", func(v *SoAVersion) { v.State, v.Approver, v.ApprovedOn = SoAApproved, "Dana Ruiz", "11/03/2026" }, "approved_on"},
		{"a draft with an approver", func(v *SoAVersion) { v.Approver = "Dana Ruiz" }, "approver"},
		{"a control twice", func(v *SoAVersion) { v.Entries = append(v.Entries, SoAEntry{Ref: "A.5.1"}) }, "entries"},
		{"an entry without ref", func(v *SoAVersion) { v.Entries = append(v.Entries, SoAEntry{}) }, "entries"},
	} {
		v := ok
		v.Entries = append([]SoAEntry(nil), ok.Entries...)
		tc.edit(&v)
		err := v.Validate()
		if tc.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("%s: %v, want a problem with %s", tc.name, err, tc.field)
		}
	}
}

func TestSoAVersionApproveAndFreeze(t *testing.T) {
	v := SoAVersion{Standard: "iso27001-2022", Version: 2, State: SoADraft, ChangeSummary: "x"}
	if _, err := v.Approve(" ", "2026-03-11"); err == nil {
		t.Error("approved without a name")
	}
	if _, err := v.Approve("Dana Ruiz", ""); err == nil {
		t.Error("approved without a date")
	}
	a, err := v.Approve(" Dana Ruiz ", "2026-03-11")
	if err != nil || a.State != SoAApproved || a.Approver != "Dana Ruiz" {
		t.Fatalf("approve: %+v, %v", a, err)
	}
	var fe *SoAFrozenError
	if _, err := a.Approve("Someone Else", "2026-03-12"); !errors.As(err, &fe) || fe.Version != 2 {
		t.Errorf("approving an approved version again: %v", err)
	}
	if err := v.CheckEditable(); err != nil {
		t.Errorf("a draft is editable: %v", err)
	}
}

func TestNextSoAVersion(t *testing.T) {
	entries := []SoAEntry{{Ref: "A.5.1", Applicability: Applicable}}
	first, re := NextSoAVersion(nil, "iso27001-2022", entries, " First issue. ")
	if re || first.Version != 1 || first.State != SoADraft || first.ChangeSummary != "First issue." {
		t.Errorf("first: %+v reissue=%v", first, re)
	}
	approved := SoAVersion{ID: "a", Version: 1, State: SoAApproved}
	next, re := NextSoAVersion([]SoAVersion{approved}, "iso27001-2022", entries, "x")
	if re || next.Version != 2 || next.ID != "" {
		t.Errorf("after an approved v1: %+v reissue=%v", next, re)
	}
	draft := SoAVersion{ID: "d", Version: 2, State: SoADraft, ChangeSummary: "old"}
	again, re := NextSoAVersion([]SoAVersion{draft, approved}, "iso27001-2022", entries, "new")
	if !re || again.ID != "d" || again.Version != 2 || again.ChangeSummary != "new" || len(again.Entries) != 1 {
		t.Errorf("with a draft v2: %+v reissue=%v", again, re)
	}
	if l, _ := LatestApprovedSoA([]SoAVersion{draft, approved}); l.Version != 1 {
		t.Errorf("latest approved = v%d", l.Version)
	}
}

func TestDiffSoA(t *testing.T) {
	entry := func(ref string, st Status, reasons ...InclusionReason) SoAEntry {
		return SoAEntryOf(ref, "t "+ref, Result{Status: st, Reasons: reasons, Justification: map[bool]string{true: "none here"}[st == NotApplicable]}, nil, nil)
	}
	v1 := []SoAEntry{entry("A.5.1", Implemented, ReasonLegal), entry("A.5.2", Partial), entry("A.5.3", NotAssessed), entry("A.5.4", Implemented), entry("A.5.9", Partial)}
	v2 := []SoAEntry{entry("A.5.1", Implemented, ReasonLegal), entry("A.5.2", Implemented), entry("A.5.3", NotApplicable), entry("A.5.4", Implemented, ReasonBusiness),
		entry("A.5.5", Partial)}
	got := DiffSoA(v1, v2)
	want := []struct {
		ref    string
		fields []string
	}{
		{"A.5.2", []string{ChangeStatus}},
		{"A.5.3", []string{ChangeApplicability, ChangeJustification, ChangeStatus}},
		{"A.5.4", []string{ChangeReasons}},
		{"A.5.5", []string{ChangeAdded}},
		{"A.5.9", []string{ChangeRemoved}},
	}
	if len(got) != len(want) {
		t.Fatalf("%d changes, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Ref != w.ref || !reflect.DeepEqual(got[i].Fields, w.fields) {
			t.Errorf("change %d: %s %v, want %s %v", i, got[i].Ref, got[i].Fields, w.ref, w.fields)
		}
	}
	if d := got[0].Describe(); d != "A.5.2: status partially implemented → implemented" {
		t.Errorf("describe: %q", d)
	}
	if n := len(DiffSoA(v1, v1)); n != 0 {
		t.Errorf("a version against itself: %d changes", n)
	}
	prev := &SoAVersion{Version: 1}
	if s := SummarizeChanges(prev, got); !strings.HasPrefix(s, "5 controls changed since v1 (applicability, reasons, justification, status, added, removed): A.5.2, A.5.3") {
		t.Errorf("summary: %q", s)
	}
	if s := SummarizeChanges(nil, nil); s != "First issue." {
		t.Errorf("first summary: %q", s)
	}
	if s := SummarizeChanges(prev, got[:1]); s != "1 control changed since v1 (status): A.5.2." {
		t.Errorf("one change: %q", s)
	}
}

func TestEntriesDigest(t *testing.T) {
	a := []SoAEntry{{Ref: "A.5.1", Applicability: Applicable}}
	b := []SoAEntry{{Ref: "A.5.1", Applicability: Applicable, Reasons: []InclusionReason{}, Risks: []string{}}}
	if EntriesDigest(a) != EntriesDigest(b) {
		t.Error("nil and empty lists give different digests")
	}
	c := []SoAEntry{{Ref: "A.5.1", Applicability: Excluded}}
	if EntriesDigest(a) == EntriesDigest(c) {
		t.Error("a changed decision keeps the digest")
	}
}
