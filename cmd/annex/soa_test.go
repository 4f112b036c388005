package main

import (
	"archive/zip"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

func TestSoACommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.db")
	if _, err := runCLI(t, db, "demo"); err != nil {
		t.Fatal(err)
	}
	// The demo's 27001 SoA v1 is approved; 42001 has none.
	out, err := runCLI(t, db, "soa", "list")
	if err != nil || !strings.Contains(out, "v1       approved") || !strings.Contains(out, "No version issued yet: annex soa issue --standard iso42001-2023") ||
		!strings.Contains(out, "no decision changed since v1") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	// One sentence per refusal, nothing written.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"soa", "issue"}, "name the standard with --standard"},
		{[]string{"soa", "issue", "--standard", "nist"}, "no single catalog matches"},
		{[]string{"soa", "approve", "--standard", "42001", "--by", "Dana"}, "has no version to approve"},
		{[]string{"soa", "approve", "--standard", "27001"}, "say who approves"},
		{[]string{"soa", "approve", "--standard", "27001", "--by", "Dana"}, "already approved"},
		{[]string{"soa", "diff", "--standard", "27001", "7"}, "has no version 7"},
		{[]string{"soa", "diff", "--standard", "27001", "one"}, `"one" is not a version`},
		{[]string{"export", "--report-status", "final", "--out", filepath.Join(dir, "x.zip")}, "A final report needs the name of who approved it; nothing was saved or exported"},
	} {
		_, err := runCLI(t, db, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}

	// Two controls change; v2 is issued with a summary naming them, the diff shows them.
	ctx := context.Background()
	s, err := store.Open(ctx, db, store.Options{Author: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := s.FindEngagement(ctx, "")
	for _, ref := range []string{"A.5.3", "A.7.4"} {
		k := assessments.Key{EngagementID: e.ID, Standard: catalogs.ISO27001, Ref: ref}
		before, _ := s.Result(ctx, k)
		after := before
		after.Reasons = []assessments.InclusionReason{assessments.ReasonContractual}
		if _, err := s.SaveResult(ctx, before, after); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	out, err = runCLI(t, db, "soa", "diff", "--standard", "27001")
	if err != nil || !strings.Contains(out, "2 controls changed") || !strings.Contains(out, `A.5.3: applicability not decided → applicable; reasons "none" → "contractual"`) {
		t.Fatalf("diff against the current draft: %v\n%s", err, out)
	}
	out, err = runCLI(t, db, "soa", "issue", "--standard", "iso27001-2022")
	if err != nil || !strings.Contains(out, "Issued ISO 27001 SoA v2 (draft): 2 controls changed since v1 (applicability, reasons): A.5.3, A.7.4.") {
		t.Fatalf("issue: %v\n%s", err, out)
	}
	out, err = runCLI(t, db, "soa", "approve", "--standard", "27001", "--by", "Daniel Okafor", "--version", "2")
	if err != nil || !strings.Contains(out, "Approved ISO 27001 SoA v2 by Daniel Okafor") {
		t.Fatalf("approve: %v\n%s", err, out)
	}
	out, err = runCLI(t, db, "soa", "diff", "1", "2", "--standard", "27001", "--json")
	var changes []soaChangeJSON
	if err != nil || json.Unmarshal([]byte(out), &changes) != nil || len(changes) != 2 || changes[0].Ref != "A.5.3" || changes[1].Fields[0] != "reasons" {
		t.Fatalf("diff 1 2 --json: %v\n%s", err, out)
	}
	out, err = runCLI(t, db, "soa", "list", "--standard", "27001", "--json")
	var list []soaStandardJSON
	if err != nil || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 || len(list[0].Versions) != 2 || list[0].LatestApproved != 2 {
		t.Fatalf("list --json: %v\n%s", err, out)
	}
	// The report settings from the command line land in the pack.
	pack := filepath.Join(dir, "p.zip")
	out, err = runCLI(t, db, "export", "--out", pack, "--report-status", "final", "--approver", "Daniel Okafor", "--approved-on", "2026-03-01",
		"--classification", "restricted", "--distribution", "Board", "--report-version", "1.0")
	if err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	report := readZipEntry(t, pack, "report.html")
	for _, want := range []string{"RESTRICTED", "FINAL", "Board", "Daniel Okafor on 2026-03-01", "first pack of this engagement"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if readZipEntry(t, pack, "soa-iso27001-2022-v2.csv") == "" {
		t.Error("the pack lacks the approved v2")
	}
	// The export was recorded: the next pack of a changed workspace compares with it. (A
	// pack's time is the last change's second: the change must fall in a later one.)
	time.Sleep(1100 * time.Millisecond)
	if _, err := runCLI(t, db, "export", "--out", pack, "--distribution", "Board; auditors"); err != nil {
		t.Fatal(err)
	}
	if report := readZipEntry(t, pack, "report.html"); !strings.Contains(report, "Compared with the last pack written from this workspace") {
		t.Error("the second pack does not compare with the first")
	}
}

func readZipEntry(t *testing.T, path, name string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	return ""
}
