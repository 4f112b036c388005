package auditpack

import (
	"bytes"
	"context"
	"encoding/csv"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/internal/pgtest"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/store/demo"
)

// tickingStore is a demo workspace whose clock moves a second each time it is read, so
// edits made after a pack have a later time than the pack shows.
func tickingStore(t *testing.T) (*store.Store, assessments.Engagement) {
	t.Helper()
	var mu sync.Mutex
	now := fixedNow
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
	s, err := store.Open(context.Background(), pgtest.Workspace(t, "ws.db"), store.Options{Author: "tester", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e, err := demo.Create(context.Background(), s, catalogs.MustBuiltin(), demo.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return s, e
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte(utf8BOM)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func sheetRows(t *testing.T, x []byte, sheet string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(x))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("sheet %q: %v", sheet, err)
	}
	return rows
}

func controlValue(rows [][]string, item string) string {
	for _, r := range rows {
		if len(r) > 1 && r[0] == item {
			return r[1]
		}
	}
	return ""
}

func TestSoAFilesAreControlledDocuments(t *testing.T) {
	ctx := context.Background()
	s, e := tickingStore(t)
	set := catalogs.MustBuiltin()
	p := build(t, s, e.ID)
	// 27001: the current draft and the approved v1; 42001: the draft only.
	for _, f := range []string{"soa-iso27001-2022.csv", "soa-iso27001-2022.xlsx", "soa-iso27001-2022-v1.csv", "soa-iso27001-2022-v1.xlsx", "soa-iso42001-2023.csv"} {
		if _, ok := p.File(f); !ok {
			t.Errorf("the pack has no %s", f)
		}
	}
	if _, ok := p.File("soa-iso42001-2023-v1.csv"); ok {
		t.Error("an approved 42001 SoA file, though none was approved")
	}
	// Every open decision is in the CSV, and the counts agree with the domain rule.
	b, _ := p.File("soa-iso27001-2022.csv")
	rows := readCSV(t, b)
	if rows[0][len(rows[0])-1] != "Open decision" {
		t.Fatalf("SoA header %v", rows[0])
	}
	entries, err := s.CurrentSoA(ctx, set, e.ID, catalogs.ISO27001)
	if err != nil {
		t.Fatal(err)
	}
	want := assessments.OpenCounts(entries)
	got := map[assessments.OpenDecision]int{}
	for _, r := range rows[1:] {
		for _, o := range strings.Split(r[len(r)-1], "; ") {
			if o != "" {
				got[assessments.OpenDecision(o)]++
			}
		}
	}
	if !reflect.DeepEqual(got, want) || want[assessments.OpenNoReason] == 0 || want[assessments.OpenUndecided] == 0 {
		t.Errorf("open decisions in the CSV %v, domain %v", got, want)
	}
	x, _ := p.File("soa-iso27001-2022.xlsx")
	dc := sheetRows(t, x, "Document control")
	if !strings.HasPrefix(controlValue(dc, "This file"), "CURRENT DRAFT") || !strings.Contains(controlValue(dc, "Latest approved version"), "v1, approved by Daniel Okafor") {
		t.Errorf("draft control sheet: %v", dc)
	}
	if !strings.Contains(controlValue(dc, "Against the versions"), "no decision changed since v1") {
		t.Errorf("draft against v1: %q", controlValue(dc, "Against the versions"))
	}
	x, _ = p.File("soa-iso27001-2022-v1.xlsx")
	dc = sheetRows(t, x, "Document control")
	vs, _ := s.SoAVersions(ctx, e.ID, catalogs.ISO27001)
	if !strings.HasPrefix(controlValue(dc, "This file"), "APPROVED VERSION 1") || controlValue(dc, "Approved by") != "Daniel Okafor" ||
		!strings.HasPrefix(controlValue(dc, "Contents SHA-256"), vs[0].Digest()) {
		t.Errorf("approved control sheet: %v", dc)
	}

	// Two controls change after the approval: the current draft says which.
	for _, ref := range []string{"A.5.3", "A.8.20"} {
		k := assessments.Key{EngagementID: e.ID, Standard: catalogs.ISO27001, Ref: ref}
		before, _ := s.Result(ctx, k)
		after := before
		after.Status, after.Justification = assessments.NotApplicable, "no such activity in scope"
		if _, err := s.SaveResult(ctx, before, after); err != nil {
			t.Fatal(err)
		}
	}
	p = build(t, s, e.ID)
	x, _ = p.File("soa-iso27001-2022.xlsx")
	dc = sheetRows(t, x, "Document control")
	if got := controlValue(dc, "Against the versions"); !strings.Contains(got, "2 controls changed since v1 (A.5.3, A.8.20)") {
		t.Errorf("after two changes: %q", got)
	}
	// The approved file is as approved: it does not follow the workspace.
	b, _ = p.File("soa-iso27001-2022-v1.csv")
	for _, r := range readCSV(t, b)[1:] {
		if r[0] == "A.5.3" && r[3] == string(assessments.Excluded) {
			t.Error("the approved version followed a later change")
		}
	}
}

func TestCurrentSoAIsThePacks(t *testing.T) {
	ctx := context.Background()
	s, e := demoStore(t, "normal")
	d, err := Load(ctx, s, catalogs.MustBuiltin(), e.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range d.Standards() {
		got, err := s.CurrentSoA(ctx, d.Catalogs, e.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := SoAEntries(d, c); !reflect.DeepEqual(assessments.NormalEntries(got), assessments.NormalEntries(want)) {
			t.Errorf("%s: the workbench's SoA differs from the pack's", c.Short)
		}
	}
}

func TestReportForManagement(t *testing.T) {
	ctx := context.Background()
	s, e := tickingStore(t)
	p := build(t, s, e.ID)
	html, _ := p.File("report.html")
	for _, want := range []string{
		"CONFIDENTIAL", "DRAFT", "Document control", "Medivance Health executive team",
		"Executive summary", "not ready", "What to do first", "Largest risks", "first pack of this engagement",
		"Risk method", `aria-label="Risk matrix`, "needs the owner&#39;s acceptance",
		"Risk treatment plan", "Above the acceptance threshold without acceptance (4)", "R-011", `Treated "modify" without actions (1)`,
		"Statement of Applicability", "v1, approved by Daniel Okafor", "No version has been issued",
		"applicable without an inclusion reason", "Annex: action plan", "Annex: change history in brief", "risk-treatment-plan.csv",
	} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	// The action plan's treatment lines carry the actions' own dates, not the review date.
	v := buildReportView(mustLoad(t, s, e.ID))
	found := false
	for _, a := range v.Actions {
		if a.Kind == "treatment" && a.Item == "R-004" {
			if a.State != "no actions planned" || a.Due != "" {
				t.Errorf("R-004 without actions: %+v", a)
			}
			found = true
		}
	}
	if !found {
		t.Error("R-004 (modify without actions) is not in the action plan")
	}
	if len(v.Exec.Recs) != 5 || !strings.Contains(v.Exec.Recs[0].Title, "R-001") {
		t.Errorf("recommendations: %+v", v.Exec.Recs)
	}

	// A final report says so, with its approver, in both files.
	rc, _ := s.ReportControl(ctx, e.ID)
	final := rc
	final.Status, final.Approver, final.ApprovedOn, final.Classification, final.Version = assessments.ReportFinal, "Daniel Okafor", "2026-03-14", assessments.ClassRestricted, "1.0"
	if _, err := s.SaveReportControl(ctx, rc, final); err != nil {
		t.Fatal(err)
	}
	p = build(t, s, e.ID)
	html, _ = p.File("report.html")
	for _, want := range []string{"RESTRICTED", "FINAL", "Daniel Okafor on 2026-03-14", "<td>1.0</td>"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("final report.html lacks %q", want)
		}
	}
	pdf, _ := p.File("report.pdf")
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatal("report.pdf is not a PDF")
	}
}

func mustLoad(t *testing.T, s *store.Store, id string) *Data {
	t.Helper()
	d, err := Load(context.Background(), s, catalogs.MustBuiltin(), id, "test")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestWhatChangedSinceTheLastPack(t *testing.T) {
	ctx := context.Background()
	s, e := tickingStore(t)
	first := build(t, s, e.ID)
	if err := RecordPack(ctx, s, first, "/tmp/first.zip", "ab"); err != nil {
		t.Fatal(err)
	}
	// An unchanged engagement exports the same bytes, recorded pack or not.
	again := build(t, s, e.ID)
	if !bytes.Equal(zipBytes(t, first), zipBytes(t, again)) {
		t.Fatal("recording a pack changed the next pack of the same state")
	}
	// Two requirements move forward, a risk is accepted.
	for _, ref := range []string{"A.5.1", "A.5.2"} {
		k := assessments.Key{EngagementID: e.ID, Standard: catalogs.ISO42001, Ref: "A.2.2"}
		k.Ref = map[string]string{"A.5.1": "A.2.2", "A.5.2": "A.2.3"}[ref]
		before, _ := s.Result(ctx, k)
		after := before
		after.Status = assessments.Implemented
		if _, err := s.SaveResult(ctx, before, after); err != nil {
			t.Fatal(err)
		}
	}
	risks, _ := s.Risks(ctx, e.ID)
	for _, r := range risks {
		if r.Ref == "R-003" {
			acc, err := r.AcceptResidual("Ravi Patel", "2026-03-14", "Second read covers the gap until drift paging is live.")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.UpdateRisk(ctx, r, acc); err != nil {
				t.Fatal(err)
			}
		}
	}
	second := build(t, s, e.ID)
	html, _ := second.File("report.html")
	for _, want := range []string{"Compared with the last pack written from this workspace", "2 requirements moved forward",
		"above the threshold without acceptance 4 → 3"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	// The same comparison from the earlier pack's file (--since).
	path := filepath.Join(t.TempDir(), "first.zip")
	if _, err := first.WriteFile(path, Encryption{}); err != nil {
		t.Fatal(err)
	}
	bySince, err := Build(ctx, s, catalogs.MustBuiltin(), e.ID, Options{Version: "test", Since: path})
	if err != nil {
		t.Fatal(err)
	}
	html, _ = bySince.File("report.html")
	if !bytes.Contains(html, []byte("Compared with the pack of")) || !bytes.Contains(html, []byte("2 requirements moved forward")) {
		t.Error("the comparison with a pack's file differs from the recorded one")
	}
	if _, err := Build(ctx, s, catalogs.MustBuiltin(), e.ID, Options{Version: "test", Since: filepath.Join(t.TempDir(), "nope.zip")}); err == nil ||
		!strings.Contains(err.Error(), "cannot compare with") {
		t.Errorf("a missing earlier pack: %v", err)
	}
}

func TestSnapshotOfAPackEqualsItsRecord(t *testing.T) {
	s, e := tickingStore(t)
	p := build(t, s, e.ID)
	path := filepath.Join(t.TempDir(), "p.zip")
	if _, err := p.WriteFile(path, Encryption{}); err != nil {
		t.Fatal(err)
	}
	got, err := SnapshotOfPack(path, catalogs.MustBuiltin())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, p.Snapshot) {
		a, _ := got.Marshal()
		b, _ := p.Snapshot.Marshal()
		t.Errorf("snapshot from the file\n%s\nfrom the build\n%s", a, b)
	}
}

func TestTreatmentPlanFiles(t *testing.T) {
	s, e := demoStore(t, "normal")
	p := build(t, s, e.ID)
	b, ok := p.File("risk-treatment-plan.csv")
	if !ok {
		t.Fatal("no risk-treatment-plan.csv")
	}
	rows := readCSV(t, b)
	plans, _ := s.TreatmentActions(context.Background(), e.ID)
	n := 0
	for _, as := range plans {
		n += len(as)
	}
	// One row per action, and one for R-004 (modify, no action).
	if len(rows)-1 != n+1 {
		t.Errorf("%d plan rows for %d actions and one risk without actions", len(rows)-1, n)
	}
	overdue, r004 := 0, false
	for _, r := range rows[1:] {
		if r[8] == "yes" {
			overdue++
		}
		if r[0] == "R-004" && strings.HasPrefix(r[2], "(no action planned") {
			r004 = true
		}
		if (r[0] == "R-001" || r[0] == "R-003") && r[12] != "yes" {
			t.Errorf("%s is above the threshold without acceptance; the plan says %q", r[0], r[12])
		}
	}
	if overdue != 2 || !r004 {
		t.Errorf("%d overdue actions (want 2), R-004 flagged %v", overdue, r004)
	}
	x, _ := p.File("risk-register.xlsx")
	if got := sheetRows(t, x, "Treatment plan"); len(got) != len(rows) {
		t.Errorf("the workbook's plan sheet has %d rows, the CSV %d", len(got), len(rows))
	}
	// The POA&M item of a treated risk names its plan's steps with their own dates.
	poam, _ := p.File("oscal/poam.json")
	if !bytes.Contains(poam, []byte(`"name":"treatment-action"`)) || !bytes.Contains(poam, []byte("Replace long-lived keys with short-lived SSO credentials; in progress; due ")) {
		t.Error("poam.json does not carry the treatment actions of R-001")
	}
	// Its risk's deadline is the last due date of the plan's open steps, not the review date.
	risks, _ := s.Risks(context.Background(), e.ID)
	for _, r := range risks {
		if r.Ref != "R-001" {
			continue
		}
		last := ""
		for _, a := range plans[r.ID] {
			if st := a.EffectiveStatus(); (st == assessments.ActionPlanned || st == assessments.ActionInProgress) && a.DueDate > last {
				last = a.DueDate
			}
		}
		if last == "" || last == r.ReviewDate {
			t.Fatalf("the demo's R-001 should have open actions due after its review date (%q, review %q)", last, r.ReviewDate)
		}
		if !bytes.Contains(poam, []byte(`"deadline":"`+last+`T00:00:00Z"`)) {
			t.Errorf("R-001's deadline is not %s, the last due date of its open actions", last)
		}
	}
}
