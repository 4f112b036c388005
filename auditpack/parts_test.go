package auditpack

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

func TestPartsInPack(t *testing.T) {
	ctx := context.Background()
	s, e := demoStore(t, "normal")
	risks, err := s.Risks(ctx, e.ID)
	if err != nil || len(risks) == 0 {
		t.Fatalf("demo has no risks: %v", err)
	}
	p := build(t, s, e.ID)
	for _, want := range []string{"risk-register.csv", "risk-register.xlsx", "ai-systems.csv", "evidence-index.csv"} {
		if _, ok := p.File(want); !ok {
			t.Errorf("pack has no %s", want)
		}
	}
	var md int
	for _, f := range p.Files {
		if strings.HasPrefix(f.Path, "impact-assessments/") && strings.HasSuffix(f.Path, ".md") {
			md++
		}
		if strings.HasPrefix(f.Path, EvidenceDir+"/") {
			t.Errorf("%s is in a pack made without evidence files", f.Path)
		}
	}
	if md == 0 {
		t.Error("no impact assessment Markdown file")
	}

	x, _ := p.File("risk-register.xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(x))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Risk register")
	if len(rows) != len(risks)+1 || rows[1][0] != risks[0].Ref {
		t.Fatalf("risk register sheet: %d rows for %d risks, first %v", len(rows), len(risks), rows[1][:2])
	}
	if sheets := f.GetSheetList(); len(sheets) != 4 || sheets[3] != "Treatment plan" {
		t.Errorf("risk workbook sheets = %v, want the register, two heat maps and the treatment plan", sheets)
	}

	// A control linked by a risk treatment carries the risk's ref as inclusion reason.
	var linked struct{ std, ref, risk string }
	for _, r := range risks {
		if len(r.Controls) > 0 {
			linked.std, linked.ref, linked.risk = r.Controls[0].Standard, r.Controls[0].Ref, r.Ref
			break
		}
	}
	if linked.risk == "" {
		t.Fatal("no demo risk links a control")
	}
	d, err := Load(ctx, s, catalogs.MustBuiltin(), e.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := d.Catalogs.Get(linked.std)
	found := false
	for _, row := range SoA(d, c) {
		if row.Ref == linked.ref {
			found = true
			if !strings.Contains(row.Reasons, "risk treatment: ") || !strings.Contains(row.Reasons, linked.risk) {
				t.Errorf("%s %s reasons = %q, want risk treatment with %s", c.Short, linked.ref, row.Reasons, linked.risk)
			}
		}
	}
	if !found && c.Requirements != nil {
		t.Logf("%s %s is a clause, not in the SoA", c.Short, linked.ref)
	}
	html, _ := p.File("report.html")
	for _, want := range []string{"Inherent risk", "Residual risk", "Top risks", "AI systems and impact assessments", "Evidence"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

func TestRoundTripWithEvidenceFiles(t *testing.T) {
	ctx := context.Background()
	s, e := demoStore(t, "normal")
	p, err := Build(ctx, s, catalogs.MustBuiltin(), e.ID, Options{Version: "test", WithEvidenceFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, f := range p.Files {
		if strings.HasPrefix(f.Path, EvidenceDir+"/") {
			files++
		}
	}
	if files == 0 {
		t.Fatal("no evidence file in a pack made with evidence files")
	}
	im, err := readImport(t, writeTemp(t, "pack.zip", zipBytes(t, p)))
	if err != nil {
		t.Fatal(err)
	}
	dst := openStore(t, "dst.db")
	if _, err := Import(ctx, dst, catalogs.MustBuiltin(), im, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	again, err := Build(ctx, dst, catalogs.MustBuiltin(), e.ID, Options{Version: "test", WithEvidenceFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range p.Files {
		if f.Path == ManifestName || f.Path == DigestName || f.Path == HistoryName || f.Path == "change-history.csv" || strings.HasPrefix(f.Path, "oscal/") || strings.HasPrefix(f.Path, "report.") ||
			strings.HasPrefix(f.Path, "progress.") {
			continue // these carry the new workspace's history and time (baselines are anchored in the history, not imported)
		}
		b, ok := again.File(f.Path)
		if !ok {
			t.Errorf("%s missing after the round trip", f.Path)
			continue
		}
		if !bytes.Equal(b, f.Data) && !strings.HasSuffix(f.Path, ".xlsx") {
			t.Errorf("%s differs after the round trip", f.Path)
		}
	}
	// As a copy: every part comes along under new ids.
	cp, err := Import(ctx, dst, catalogs.MustBuiltin(), im, store.ImportOptions{AsCopy: true})
	if err != nil {
		t.Fatal(err)
	}
	r1, _ := dst.Risks(ctx, e.ID)
	r2, _ := dst.Risks(ctx, cp.ID)
	a1, _ := dst.AISystems(ctx, e.ID)
	a2, _ := dst.AISystems(ctx, cp.ID)
	e1, _ := dst.Evidence(ctx, e.ID)
	e2, _ := dst.Evidence(ctx, cp.ID)
	if len(r2) != len(r1) || len(a2) != len(a1) || len(e2) != len(e1) || len(r1) == 0 {
		t.Fatalf("copy: %d/%d risks, %d/%d AI systems, %d/%d evidence", len(r2), len(r1), len(a2), len(a1), len(e2), len(e1))
	}
	if r2[0].ID == r1[0].ID {
		t.Error("the copy's risks kept their ids")
	}
	for _, r := range r2 {
		if r.AISystemID != "" && r.AISystemID == a1[0].ID {
			t.Errorf("copied risk %s still points at the original AI system", r.Ref)
		}
	}
	if _, _, err := dst.KeptCopy(ctx, e2[0].ID); err != nil && e1[0].Kept {
		t.Errorf("copied evidence lost its kept file: %v", err)
	}
	if n, problem, err := dst.VerifyChain(ctx); err != nil || problem != nil {
		t.Errorf("chain after imports: %d rows, %+v, %v", n, problem, err)
	}
}

func TestCustomCatalogTravelsWithThePack(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, "ws.db")
	src := []byte(`id: acme-baseline-2025
name: Acme Cloud Security Baseline 2025
short: Acme baseline
groups:
  - {id: GOV, title: Governance}
requirements:
  - {ref: GOV-1, title: Security policy approved by the board, group: GOV, kind: control}
`)
	if _, _, err := s.ImportCustomCatalog(ctx, src); err != nil {
		t.Fatal(err)
	}
	files, err := s.CustomCatalogFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	set, err := catalogs.MustBuiltin().WithCustom(files)
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Acme", Standards: []string{catalogs.ISO27001, "acme-baseline-2025"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Build(ctx, s, set, e.ID, Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := p.File("catalogs/acme-baseline-2025.yaml")
	if !ok || !bytes.Equal(got, src) {
		t.Fatalf("pack carries the catalog: %v", ok)
	}
	if _, ok := p.File("soa-acme-baseline-2025.csv"); !ok {
		t.Error("no SoA for the custom catalog")
	}
	// A workspace without the catalog refuses the import and says how to fix it.
	im, err := readImport(t, writeTemp(t, "acme.zip", zipBytes(t, p)))
	if err != nil {
		t.Fatal(err)
	}
	dst := openStore(t, "dst.db")
	if _, err := Import(ctx, dst, catalogs.MustBuiltin(), im, store.ImportOptions{}); err == nil || !strings.Contains(err.Error(), "catalog import") {
		t.Fatalf("import without the catalog: %v", err)
	}
}

func TestAwkwardNamesStillMakeAPack(t *testing.T) {
	for _, name := range []string{"report\u200b.pdf", "../../etc/passwd", "C:\\temp\\x.txt", "a:b.txt", "", "..", "ok name.txt"} {
		p := evidencePath("0190", name)
		if _, err := CleanName(p); err != nil {
			t.Errorf("evidencePath(%q) = %q: %v", name, p, err)
		}
	}
	ctx := context.Background()
	s, e := demoStore(t, "normal")
	for _, n := range []string{"Triage Bot", "triage-bot!"} {
		if _, err := s.CreateAISystem(ctx, assessments.AISystem{EngagementID: e.ID, Name: n, Purpose: "Sorts incoming tickets.", Roles: []assessments.AIRole{assessments.RoleProvider}}); err != nil {
			t.Fatal(err)
		}
	}
	sys, _ := s.AISystems(ctx, e.ID)
	for _, a := range sys {
		if strings.HasPrefix(strings.ToLower(a.Name), "triage") {
			if _, err := s.StartImpactAssessment(ctx, a.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	p := build(t, s, e.ID)
	n := 0
	for _, f := range p.Files {
		if strings.HasPrefix(f.Path, "impact-assessments/triage-bot") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d impact assessment files for two systems whose names read the same", n)
	}
}

// TestDataFormatCoversTheDomain fails when a domain type gains a field that data.json does
// not carry yet: export, import and docs/DATA-FORMAT.md must learn it, or the round trip
// silently drops it.
func TestDataFormatCoversTheDomain(t *testing.T) {
	carried := map[reflect.Type][]string{
		reflect.TypeOf(assessments.Engagement{}): {"ID", "Name", "Organisation", "Scope", "Standards", "Lead", "StartDate", "EndDate", "Status", "CreatedAt", "UpdatedAt"},
		reflect.TypeOf(assessments.Result{}): {"EngagementID", "Standard", "Ref", "Status", "Maturity", "Notes", "Owner", "TargetDate", "Justification", "Reasons",
			"NeedsReview", "Provenance", "UpdatedAt", "UpdatedBy"},
		reflect.TypeOf(assessments.Risk{}): {"ID", "EngagementID", "Ref", "Title", "Description", "Scope", "Approach", "Source", "Threat", "Vulnerability", "Scenario",
			"Asset", "AISystemID", "Owner", "Properties", "Objectives", "Sources", "ConsequenceOrg", "ConsequenceIndividuals", "ConsequenceSociety",
			"Inherent", "ExistingControls", "Treatment", "TreatmentPlan", "Controls", "Residual", "Acceptance", "ReviewDate", "Status",
			"CreatedAt", "UpdatedAt", "UpdatedBy"},
		reflect.TypeOf(assessments.AISystem{}): {"ID", "EngagementID", "Name", "Purpose", "Type", "Roles", "Stage", "DataSources", "DataCategories", "PersonalData",
			"DeploymentContext", "Jurisdictions", "Users", "AffectedPeople", "Automation", "HumanOversight", "ThirdParty", "Owner",
			"CreatedAt", "UpdatedAt", "UpdatedBy"},
		// Kept is a property of the pack (evidence/ files), not of the data.
		reflect.TypeOf(assessments.Evidence{}): {"ID", "EngagementID", "Title", "Kind", "Description", "CollectedOn", "CollectedBy", "ValidUntil", "Path", "SHA256",
			"Size", "ModTime", "Kept", "URL", "Integrity", "CheckDetail", "CheckedAt", "Links", "CreatedAt", "UpdatedAt", "UpdatedBy"},
		reflect.TypeOf(assessments.Matrix{}): {"Size", "LikelihoodLabels", "ConsequenceLabels", "LevelNames", "Cells", "Threshold"},
		// The classification travels as its field map (TestClassificationsSurviveTheirFieldMap).
		reflect.TypeOf(assessments.AIActRecord{}): {"ID", "AISystemID", "EngagementID", "Version", "Roles", "Answers", "FRIAPeriod", "FRIAOversight",
			"FRIAComplaints", "FRIANotified", "Decision", "Approver", "DecisionDate", "Rationale", "LastStep", "CreatedAt", "UpdatedAt", "UpdatedBy"},
		reflect.TypeOf(assessments.SoAVersion{}): {"ID", "EngagementID", "Standard", "Version", "State", "ChangeSummary", "Approver", "ApprovedOn",
			"Entries", "IssuedAt", "IssuedBy", "UpdatedAt", "UpdatedBy"},
		// Entries travel as themselves (their JSON names).
		reflect.TypeOf(assessments.SoAEntry{}): {"Ref", "Title", "Applicability", "Reasons", "Risks", "Assessments", "Justification", "Status",
			"NeedsReview", "Owner", "TargetDate"},
		reflect.TypeOf(assessments.TreatmentAction{}): {"ID", "RiskID", "EngagementID", "Title", "Owner", "Resources", "StartDate", "DueDate",
			"Status", "Controls", "CorrectiveRef", "CreatedAt", "UpdatedAt", "UpdatedBy"},
		reflect.TypeOf(assessments.ReportControl{}): {"EngagementID", "Version", "Status", "Classification", "Distribution", "Approver",
			"ApprovedOn", "UpdatedAt", "UpdatedBy"},
		reflect.TypeOf(assessments.Audit{}): {"ID", "EngagementID", "Ref", "Title", "Type", "Status", "Scope", "Processes", "Sites", "Criteria",
			"PlannedStart", "PlannedEnd", "ActualStart", "ActualEnd", "Lead", "Team", "Auditees", "Summary", "CreatedAt", "UpdatedAt", "UpdatedBy"},
		reflect.TypeOf(assessments.ChecklistItem{}): {"AuditID", "Standard", "Ref", "Conclusion", "Notes", "Interviewees", "Population", "SampleSize",
			"Sampled", "Provenance", "CarriedFrom", "Evidence", "UpdatedAt", "UpdatedBy"},
		reflect.TypeOf(assessments.ExaminedEvidence{}): {"EvidenceID", "Title", "SHA256", "ExaminedAt", "ExaminedBy"},
		reflect.TypeOf(assessments.Finding{}): {"ID", "EngagementID", "AuditID", "Ref", "Seq", "Grade", "Statement", "Requirements", "Evidence", "Source",
			"RaisedOn", "RiskID", "Withdrawn", "CreatedAt", "UpdatedAt", "UpdatedBy"},
		reflect.TypeOf(assessments.CorrectiveAction{}): {"ID", "EngagementID", "FindingID", "Seq", "Correction", "RootCause", "Action", "Owner", "DueDate",
			"State", "ReviewedBy", "ReviewedOn", "ReviewNote", "RiskID", "CreatedAt", "UpdatedAt", "UpdatedBy"},
	}
	for typ, fields := range carried {
		known := map[string]bool{}
		for _, f := range fields {
			known[f] = true
		}
		for i := 0; i < typ.NumField(); i++ {
			if f := typ.Field(i); f.IsExported() && !known[f.Name] {
				t.Errorf("%s.%s is not carried by data.json: add it to the export, the import and docs/DATA-FORMAT.md", typ.Name(), f.Name)
			}
		}
	}
	// Impact assessments travel as their field map: every field must survive it.
	s, e := demoStore(t, "normal")
	ias, err := s.EngagementImpactAssessments(context.Background(), e.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, list := range ias {
		for _, a := range list {
			back, err := assessments.ImpactAssessmentFromMap(assessments.ImpactAssessment{ID: a.ID, AISystemID: a.AISystemID, EngagementID: a.EngagementID,
				Version: a.Version, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, UpdatedBy: a.UpdatedBy}, assessments.ImpactAssessmentMap(a))
			if err != nil {
				t.Fatal(err)
			}
			a.Normalize()
			back.Normalize()
			if !reflect.DeepEqual(a, back) {
				t.Errorf("impact assessment %s does not survive its field map:\n%+v\n%+v", a.ID, a, back)
			}
		}
	}
}
