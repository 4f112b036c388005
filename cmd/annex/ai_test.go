package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/store/demo"
)

func aiCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &cliApp{stdout: &out, stderr: &errb, stdin: strings.NewReader("")}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// demoWorkspace is a workspace with the demo engagement, as `annex demo` makes it.
func demoWorkspace(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "ws.db")
	s, err := store.Open(ctx, db, store.Options{Author: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := demo.Create(ctx, s, catalogs.MustBuiltin(), demo.Options{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestAIListJSONOfDemo(t *testing.T) {
	db := demoWorkspace(t)
	out, err := aiCLI(t, "--db", db, "ai", "list", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []aiSystemJSON
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(rows) != 2 {
		t.Fatalf("%d systems, want 2", len(rows))
	}
	byName := map[string]aiSystemJSON{}
	for _, r := range rows {
		byName[r.Name] = r
	}
	lens, bot := byName[demo.LensName], byName[demo.ChatbotName]
	if lens.Latest == nil || lens.Latest.Version != 1 || lens.Latest.State != "approved" || lens.Latest.Class != "high" ||
		lens.Latest.Decision != "approve" || lens.NextReview == "" || lens.Overdue {
		t.Fatalf("Lens: %+v %+v", lens, lens.Latest)
	}
	want := time.Now().AddDate(0, 0, -120).AddDate(0, 6, 0).Format(assessments.DateLayout)
	if lens.NextReview != want {
		t.Errorf("Lens next review %s, want %s (six months after the decision)", lens.NextReview, want)
	}
	if bot.Latest == nil || bot.Latest.State != "draft" || bot.Latest.Decision != "" || bot.NextReview != "" {
		t.Fatalf("chatbot: %+v %+v", bot, bot.Latest)
	}
}

func TestAIListTable(t *testing.T) {
	db := demoWorkspace(t)
	out, err := aiCLI(t, "--db", db, "ai", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"NAME", "NEXT REVIEW", demo.LensName, "approved", "high", "approve (Dr Helen Carver", demo.ChatbotName, "draft"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestAIShowMarkdownHasEverySection(t *testing.T) {
	db := demoWorkspace(t)
	out, err := aiCLI(t, "--db", db, "ai", "show", "medivance lens")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"# AI system impact assessment: Medivance Lens, version 1",
		"- **State:** approved", "- **Overall class:** high", "- **Next review:** ",
		"## AI system", "- **Organisation's roles:** provider, producer",
		"## 1. Scope and trigger", "- **Trigger:** new system",
		"## 2. System information", "- **Reasonably foreseeable misuse:** Reading the score as a diagnosis",
		"## 3. Data", "- **Known bias:**",
		"## 4. Model", "## 5. Deployment environment", "## 6. Interested parties", "- **Vulnerable groups:**",
		"## 7. Impacts per area", "| Area | Effect | Severity |", "| Safety and health | harm | 5 | 3 | 4 | 3 | high (C2) |",
		"| Privacy and security | harm | 4 | 2 | 4 | 1 | high (C1) |",
		"| Accessibility | no material effect |",
		"### Safety and health: harm", "- ISO 42001 A.6.2.4", "Risk raised in the register: R-",
		"## 8. Overall class and review", "- **By the class rules:** high: severity 4 × likelihood 3 = 12 (Safety and health)",
		"- **Rule:** C2 (severity × likelihood 12 or more)", "6 months after the decision",
		"## 9. Decision", "- **Decision:** approve", "- **Approver:** Dr Helen Carver", "- **Rationale:**",
		"This version is frozen",
		"## EU AI Act classification: Medivance Lens, version 1", "| Result | **high-risk** |",
		"| Decided by | Art. 6(1)(a), Annex I; Art. 6(1)(b) |", "| Applies from | 2028-08-02 ", "### What decided it",
		"| Art. 43, 47, 48 | Pass the conformity assessment", "Printed by annex on ",
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("Markdown lacks %q", w)
		}
	}
	// Every row of the impacts table has as many cells as its header.
	impacts, _, _ := strings.Cut(out, "## 8. Overall class")
	for _, line := range strings.Split(impacts, "\n") {
		if strings.HasPrefix(line, "| ") && strings.Count(line, " | ") != 8 {
			t.Errorf("table row with a wrong number of cells: %q", line)
		}
	}
	if t.Failed() {
		t.Log(out)
	}

	draft, err := aiCLI(t, "--db", db, "ai", "show", demo.ChatbotName)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"- **State:** draft", "set when the version is approved", "## Risks linked to this AI system\n\n- R-0", "- **Decision:** no decision yet", "- **Approver:** _not recorded_"} {
		if !strings.Contains(draft, w) {
			t.Errorf("draft Markdown lacks %q", w)
		}
	}
}

func TestAIShowErrors(t *testing.T) {
	db := demoWorkspace(t)
	if _, err := aiCLI(t, "--db", db, "ai", "show", "Nope"); err == nil || !strings.Contains(err.Error(), `no AI system is named "Nope"`) {
		t.Fatalf("unknown system: %v", err)
	}
	if _, err := aiCLI(t, "--db", db, "ai", "show", demo.LensName, "--version", "4"); err == nil || !strings.Contains(err.Error(), "no version 4") {
		t.Fatalf("unknown version: %v", err)
	}
}

func TestAIShowEscapesUserText(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "ws.db")
	s, err := store.Open(ctx, db, store.Options{Author: "test"})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := s.CreateEngagement(ctx, assessments.Engagement{Name: "E", Standards: []string{catalogs.ISO42001}})
	sys, err := s.CreateAISystem(ctx, assessments.AISystem{EngagementID: e.ID, Name: "Bot", Purpose: "x\x1b[31mred", Roles: []assessments.AIRole{assessments.RolePartner}})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.StartImpactAssessment(ctx, sys.ID)
	next := a.Clone()
	next.Impacts[0].Effect, next.Impacts[0].Severity = assessments.EffectHarm, 2
	if _, err := s.UpdateImpactAssessment(ctx, a, next); err != nil {
		t.Fatal(err)
	}
	s.Close()
	out, err := aiCLI(t, "--db", db, "ai", "show", "Bot")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "\x1b") || !strings.Contains(out, "x^[[31mred") {
		t.Fatalf("escape sequence not made inert:\n%q", out)
	}
	if !strings.Contains(out, "- **Organisation's roles:** partner") {
		t.Fatal("roles missing")
	}
}

// TestAIShowFRIA: for a deployer of a high-risk Annex III system, ai show prints the
// Art. 27 assessment drawn from the impact assessment, with the added fields.
func TestAIShowFRIA(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "ws.db")
	s, err := store.Open(ctx, db, store.Options{Author: "test"})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := s.CreateEngagement(ctx, assessments.Engagement{Name: "City", Standards: []string{catalogs.ISO42001}})
	sys, err := s.CreateAISystem(ctx, assessments.AISystem{EngagementID: e.ID, Name: "Benefit triage", Purpose: "Ranks benefit claims",
		Roles: []assessments.AIRole{assessments.RoleCustomer}, HumanOversight: "A case officer decides every claim"})
	if err != nil {
		t.Fatal(err)
	}
	ia, _ := s.StartImpactAssessment(ctx, sys.ID)
	next := ia.Clone()
	next.IntendedUses, next.InterestedParties, next.VulnerableGroups = "Orders the claims queue", "Claimants, case officers", "Claimants in hardship"
	next.Impacts[0].Effect, next.Impacts[0].Description = assessments.EffectHarm, "Some groups wait longer"
	next.Impacts[0].Severity, next.Impacts[0].Likelihood, next.Impacts[0].ResidualSeverity, next.Impacts[0].ResidualLikelihood = 3, 3, 3, 2
	next.Impacts[0].Reversibility, next.Impacts[0].Scale = assessments.Reversible, assessments.ScaleGroup
	next.Impacts[0].Measures = []assessments.ControlRef{{Standard: catalogs.ISO42001, Ref: "A.5.4"}}
	if _, err := s.UpdateImpactAssessment(ctx, ia, next); err != nil {
		t.Fatal(err)
	}
	r, err := s.StartAIActRecord(ctx, sys.ID)
	if err != nil {
		t.Fatal(err)
	}
	after := r.Clone()
	for _, q := range catalogs.MustEUAIAct().Questions {
		switch q.Kind {
		case catalogs.KindProhibited, catalogs.KindAnnexIProduct, catalogs.KindAnnexIII, catalogs.KindTransparency, catalogs.KindGPAIProvider:
			after.Answers[q.ID] = assessments.AIActAnswer{Answer: assessments.AnswerNo}
		}
	}
	after.Answers["hr_essential_services"] = assessments.AIActAnswer{Answer: assessments.AnswerYes, Note: "eligibility for public benefits"}
	after.Answers["ex_profiling"] = assessments.AIActAnswer{Answer: assessments.AnswerYes}
	after.Answers["fr_public"] = assessments.AIActAnswer{Answer: assessments.AnswerYes, Note: "a city council"}
	after.FRIAPeriod, after.FRIAComplaints = "Every working day from 2028", "Claimants appeal to the council's review panel"
	if _, err := s.UpdateAIActRecord(ctx, r, after); err != nil {
		t.Fatal(err)
	}
	s.Close()
	out, err := aiCLI(t, "--db", db, "ai", "show", "Benefit triage")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## EU AI Act classification: Benefit triage, version 1", "| Result | **high-risk** |",
		"| Decided by | Annex III point 5; Art. 6(3), last subparagraph |", "| Fundamental rights impact assessment | required (Art. 27(1)) |",
		"### Fundamental rights impact assessment (Art. 27)", "drawn from the AI system impact assessment, version 1 (draft)",
		"#### (a) Processes in which the system is used\n\nOrders the claims queue", "#### (b) Period and frequency of use\n\nEvery working day from 2028",
		"Claimants, case officers", "Vulnerable groups: Claimants in hardship", "| Fairness | Some groups wait longer | medium: severity 3 × likelihood 2 = 6 |",
		"#### (e) Human oversight measures\n\nA case officer decides every claim", "- Fairness: ISO 42001 A.5.4",
		"Claimants appeal to the council's review panel", "Market surveillance authority notified (Art. 27(3)): not yet"} {
		if !strings.Contains(out, want) {
			t.Errorf("ai show lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}
