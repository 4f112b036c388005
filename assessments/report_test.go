package assessments

import (
	"errors"
	"strings"
	"testing"
)

func TestReportControlProblems(t *testing.T) {
	for _, tc := range []struct {
		name  string
		c     ReportControl
		field string
	}{
		{"the default", DefaultReportControl("e"), ""},
		{"empty", ReportControl{}, ""},
		{"final with approver and date", ReportControl{Status: ReportFinal, Approver: "Dana Ruiz", ApprovedOn: "2026-03-14", Version: "1.0"}, ""},
		{"final without approver", ReportControl{Status: ReportFinal, ApprovedOn: "2026-03-14"}, "approver"},
		{"final without date", ReportControl{Status: ReportFinal, Approver: "Dana Ruiz"}, "approved_on"},
		{"date not a date", ReportControl{ApprovedOn: "14.03.2026"}, "approved_on"},
		{"unknown status", ReportControl{Status: "published"}, "status"},
		{"unknown classification", ReportControl{Classification: "secret"}, "classification"},
		{"long version", ReportControl{Version: strings.Repeat("1", MaxVersionLen+1)}, "version"},
		{"version on two lines", ReportControl{Version: "1\n2"}, "version"},
		{"long approver", ReportControl{Approver: strings.Repeat("x", MaxNameLen+1)}, "approver"},
	} {
		err := tc.c.Validate()
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

func TestVerdictOf(t *testing.T) {
	// readiness of n requirements: impl implemented, partial partially, na not applicable,
	// the rest not assessed.
	rd := func(n, impl, partial, notImpl, na int) Readiness {
		var r Readiness
		for i := 0; i < n; i++ {
			switch {
			case i < impl:
				r.Add(Implemented)
			case i < impl+partial:
				r.Add(Partial)
			case i < impl+partial+notImpl:
				r.Add(NotImplemented)
			case i < impl+partial+notImpl+na:
				r.Add(NotApplicable)
			default:
				r.Add(NotAssessed)
			}
		}
		return r
	}
	done := VerdictInput{Readiness: rd(100, 90, 10, 0, 0), DocsRequired: 20, DocsDone: 20, SoAApproved: true}
	for _, tc := range []struct {
		name   string
		in     VerdictInput
		want   Verdict
		reason string
	}{
		{"everything in place", done, ReadyForStage1, "assessed, implemented"},
		{"exactly at the Stage 1 readiness", VerdictInput{Readiness: rd(100, 85, 0, 15, 0), DocsRequired: 1, DocsDone: 1, SoAApproved: true}, ReadyForStage1, ""},
		{"no approved SoA", func() VerdictInput { v := done; v.SoAApproved = false; return v }(), ReadyWithGaps, "no approved Statement of Applicability"},
		{"open SoA decisions", func() VerdictInput { v := done; v.SoAOpen = 62; return v }(), ReadyWithGaps, "62 decisions open"},
		{"one risk unaccepted", func() VerdictInput { v := done; v.Unaccepted = 1; return v }(), ReadyWithGaps, "1 risk above the threshold"},
		{"overdue actions", func() VerdictInput { v := done; v.Overdue = 3; return v }(), ReadyWithGaps, "3 actions overdue"},
		{"one document missing", func() VerdictInput { v := done; v.DocsDone = 19; return v }(), ReadyWithGaps, "19 of 20 required documents"},
		{"readiness 63%, most assessed, half the documents", VerdictInput{Readiness: rd(100, 55, 16, 10, 0), DocsRequired: 26, DocsDone: 13, SoAApproved: true}, ReadyWithGaps, "under 85%"},
		{"readiness under half", VerdictInput{Readiness: rd(100, 40, 10, 50, 0), DocsRequired: 0, SoAApproved: true}, NotReady, "readiness 45% is under 50%"},
		{"little assessed", VerdictInput{Readiness: rd(100, 55, 0, 0, 0), DocsRequired: 0, SoAApproved: true}, NotReady, "only 55% of the requirements are assessed"},
		{"documents far short", VerdictInput{Readiness: rd(100, 90, 10, 0, 0), DocsRequired: 26, DocsDone: 3, SoAApproved: true}, NotReady, "3 of 26 required documents"},
		{"nothing assessed", VerdictInput{Readiness: rd(70, 0, 0, 0, 0)}, NotReady, "readiness 0%"},
	} {
		got, why := VerdictOf(tc.in)
		if got != tc.want || (tc.reason != "" && !strings.Contains(strings.Join(why, "; "), tc.reason)) {
			t.Errorf("%s: %s because %v; want %s with %q", tc.name, got, why, tc.want, tc.reason)
		}
	}
}
