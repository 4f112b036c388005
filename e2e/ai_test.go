package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
)

// TestAIJourney: add an AI system, walk its impact assessment through all nine steps,
// approve it, re-assess (version 2 prefilled from 1), raise an AI risk from the high
// residual harm of the approved version, and find the risk in the register.
func TestAIJourney(t *testing.T) {
	for _, size := range []struct{ w, h int }{{120, 40}, {80, 24}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "ws.db")
			today := time.Now().Format(assessments.DateLayout)
			review := time.Now().AddDate(0, 6, 0).Format(assessments.DateLayout) // high class: six months
			s := start(t, size.w, size.h, "--db", db)
			s.waitFor("Welcome to annex")
			s.keys("n")
			s.waitFor("New engagement")
			s.text("AI workshop")
			s.keys("Tab")
			s.text("Medivance Health Ltd")
			s.keys("C-s")
			s.waitFor("AI workshop")
			s.gotoTab("AI system inventory")
			s.waitFor("No AI systems yet")

			// The inventory entry: name, purpose, role.
			s.keys("n")
			s.waitFor("New AI system")
			s.text("Journey bot")
			s.keys("Tab")
			s.text("Answers patients' questions about appointments")
			s.repeat("Tab", 2)
			s.keys("Enter", "Space", "Enter") // roles: tick provider, the first of the list
			s.waitGone("enter: pick")
			s.keys("C-s")
			s.waitFor("Journey bot · provider", "Impact assessment versions (0)")

			// The assessment, step by step.
			s.keys("a")
			s.waitFor("step 1 of 9", "Scope and trigger", "‹ new system ›")
			s.repeat("Tab", 2)
			s.text("The pilot on the patient portal")
			s.keys("C-s")
			s.waitFor("step 2 of 9", "Step 1 saved")
			for _, txt := range []string{"Practical questions only", "Taken as medical advice", "Confident wrong answers"} {
				s.keys("Tab")
				s.text(txt)
			}
			s.keys("C-s")
			s.waitFor("step 3 of 9")
			// Step 3 misses its known bias: forward is refused with the message by the field.
			s.text("Help-centre articles")
			s.keys("C-s")
			scr := s.waitFor("step 3 of 9", "Record known bias in the data")
			assertNoBrokenLines(t, scr, size.w)
			s.text("English only") // the focus moved to the field in error
			s.waitFor("English only")
			s.keys("C-s")
			s.waitFor("step 4 of 9")
			s.text("Large language model with retrieval")
			s.keys("C-s")
			s.waitFor("step 5 of 9")
			s.repeat("Tab", 2)
			s.text("United Kingdom")
			s.keys("Tab")
			s.text("Web chat on the patient portal")
			s.keys("C-s")
			s.waitFor("step 6 of 9")
			s.text("Patients and carers")
			s.keys("Tab")
			s.text("Older patients")
			s.keys("C-s")
			s.waitFor("step 7 of 9", "1/10 Fairness")

			// Impacts: safety (area 5) is a high residual harm, every other area none.
			for area := 1; area <= 10; area++ {
				if area == 5 {
					s.keys("Right") // harm
					s.waitFor("‹ harm ›")
					s.keys("Tab")
					s.text("A reply read as advice delays care")
					s.keys("Tab", "5", "Tab", "4", "Tab", "Right", "Tab", "Right", "Tab")
					// Measures: picked from both catalogs; typed letters filter, space ticks.
					s.keys("Enter")
					s.text("A.6.2.4")
					s.waitFor("ISO 42001 A.6.2.4")
					s.keys("Space")
					s.repeat("BSpace", 7)
					s.text("A.8.16")
					s.waitFor("ISO 27001 A.8.16")
					s.keys("Space", "Enter")
					s.waitFor("ISO 42001 A.6.2.4, ISO 27001 A.8.16")
					s.keys("Tab", "Tab", "4", "Tab", "3") // residual 4×3
					s.repeat("BTab", 10)                  // back to the area
				} else {
					s.repeat("Right", 3) // no material effect
					s.waitFor("‹ no material effect ›")
					s.keys("BTab") // to the area
				}
				if area < 10 {
					s.keys("Right")
					s.waitFor(fmt.Sprintf("%d/10", area+1))
					s.keys("Tab") // to its effect
				}
			}
			s.keys("C-s")
			s.waitFor("step 8 of 9", "Class rules give", "high: severity 4 × likelihood 3 = 12", "rule C2")
			s.keys("C-s")
			s.waitFor("step 9 of 9", "Decision")
			s.keys("Right") // approve
			s.waitFor("‹ approve ›")
			s.keys("Tab")
			s.text("Dr Ada Obi")
			s.keys("Tab")
			s.text(today)
			s.keys("Tab")
			s.text("Benefits outweigh the residual harm")
			s.keys("C-s")
			s.waitFor("freeze version 1?")
			s.keys("y")
			scr = s.waitFor("v1 approved "+today+" by Dr Ada Obi", "class high", "review "+review)
			assertNoBrokenLines(t, scr, size.w)

			// Re-assess: version 2, prefilled from version 1.
			s.keys("r")
			s.waitFor("start version 2?")
			s.keys("y")
			s.waitFor("impact assessment v2", "step 1 of 9", "prefilled from version 1", "The pilot on the patient portal")
			s.keys("Escape")
			s.waitFor("v2 draft", "v1 approved")

			// From the approved version's high residual harm, one key raises a linked AI risk.
			s.keys("j", "Enter")
			s.waitFor("impact assessment v1 · approved", "Read-only")
			s.repeat("PageDown", 6)
			s.waitFor("step 7 of 9")
			s.repeat("Right", 4)
			s.waitFor("5/10 Safety and health")
			s.keys("C-r")
			scr = s.waitFor("Risk R-001 added to the register")
			assertNoBrokenLines(t, scr, size.w)
			s.keys("Escape")
			s.waitFor("Risks linked to this system (1)", "R-001 Journey bot: safety and health harm")
			s.keys("Escape")

			// Find it in the register.
			s.gotoTab("Risk register")
			s.waitFor("R-001", "Journey bot")
			out, _, code := run(t, "--db", db, "risks", "list", "--json")
			if code != 0 {
				t.Fatalf("risks list exit %d", code)
			}
			var rows []map[string]any
			if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1 {
				t.Fatalf("risks list: %v\n%s", err, out)
			}
			if title, _ := rows[0]["title"].(string); rows[0]["scope"] != "ai" || !strings.Contains(title, "Journey bot") {
				t.Fatalf("risk row: %v", rows[0])
			}
			assertAIRisk(t, db, "Journey bot")

			ai, _, code := run(t, "--db", db, "ai", "list", "--json")
			if code != 0 || !strings.Contains(ai, `"version": 2`) || !strings.Contains(ai, `"next_review": "`+review+`"`) {
				t.Fatalf("ai list (exit %d):\n%s", code, ai)
			}
		})
	}
}

// assertAIRisk checks in the workspace that the register's only risk links the AI system.
func assertAIRisk(t *testing.T, db, system string) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	engs, err := s.Engagements(ctx)
	if err != nil || len(engs) != 1 {
		t.Fatalf("engagements: %v", err)
	}
	sys, err := s.FindAISystem(ctx, engs[0].ID, system)
	if err != nil {
		t.Fatal(err)
	}
	risks, err := s.Risks(ctx, engs[0].ID)
	if err != nil || len(risks) != 1 {
		t.Fatalf("risks: %v %v", risks, err)
	}
	if risks[0].AISystemID != sys.ID || risks[0].Scope != assessments.ScopeAI {
		t.Fatalf("risk not linked to %s: %+v", system, risks[0])
	}
}
