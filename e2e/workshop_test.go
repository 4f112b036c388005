package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// openDemoGap opens the demo engagement's ISO 27001 tab in a fresh workbench.
func openDemoGap(t *testing.T, w, h int) (*session, string) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "ws.db")
	if _, _, code := run(t, "demo", "--db", db); code != 0 {
		t.Fatal("demo failed")
	}
	s := start(t, w, h, "--db", db)
	s.waitFor("Medivance")
	s.keys("Enter")
	s.waitFor("Dashboard")
	s.keys("]")
	s.waitFor("123 requirements")
	return s, db
}

// statusOf reads one result's stored status through the command line.
func statusOf(t *testing.T, db, standard, ref string) string {
	t.Helper()
	out, _, code := run(t, "log", "--db", db, "--json")
	if code != 0 {
		t.Fatalf("log exit %d", code)
	}
	var rows []struct {
		EntityID string `json:"entity_id"`
		Field    string `json:"field"`
		New      string `json:"new"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("log JSON: %v", err)
	}
	st := ""
	for _, r := range rows {
		if r.EntityID == standard+":"+ref && r.Field == "status" {
			st = r.New
		}
	}
	return st
}

// TestStatusAndAdvanceThroughAClauseGroup: one key per requirement walks clause 7.
func TestStatusAndAdvanceThroughAClauseGroup(t *testing.T) {
	for _, size := range [][2]int{{120, 40}, {80, 24}} {
		t.Run(itoa(size[0])+"x"+itoa(size[1]), func(t *testing.T) {
			s, db := openDemoGap(t, size[0], size[1])
			s.keys("/")
			s.text("7.5")
			s.keys("Enter", "Escape")
			s.waitFor("7.1 ")
			s.keys(":")
			s.waitFor("Jump to")
			s.text("7.5.1")
			s.keys("Enter")
			s.waitFor("General")
			s.keys("1")
			s.waitFor("ISO 27001 7.5.1: not implemented")
			s.keys("2")
			s.waitFor("ISO 27001 7.5.2: partially implemented")
			s.keys("3")
			s.waitFor("ISO 27001 7.5.3: implemented")
			scr := s.waitFor("8.1 ")
			assertNoBrokenLines(t, scr, size[0])
			s.keys("C-c")
			s.waitExit()
			for ref, want := range map[string]string{"7.5.1": "not_implemented", "7.5.2": "partially_implemented", "7.5.3": "implemented"} {
				if got := statusOf(t, db, "iso27001-2022", ref); got != want {
					t.Errorf("%s stored %q, want %q", ref, got, want)
				}
			}
		})
	}
}

// TestNotApplicablePromptCancelledAndConfirmed: the prompt names the requirement, esc leaves
// it with nothing changed, ctrl+s saves the justification and the status together.
func TestNotApplicablePromptCancelledAndConfirmed(t *testing.T) {
	s, db := openDemoGap(t, 120, 40)
	s.keys(":")
	s.waitFor("Jump to")
	s.text("A.7.6")
	s.keys("Enter")
	s.waitFor("Working in secure areas")
	s.keys("4")
	s.waitFor("Not applicable: ISO 27001 A.7.6")
	s.keys("Escape")
	s.waitGone("Not applicable: ISO 27001 A.7.6")
	if got := statusOf(t, db, "iso27001-2022", "A.7.6"); got == "not_applicable" {
		t.Fatal("a cancelled prompt stored not applicable")
	}
	s.keys("4")
	s.waitFor("Not applicable: ISO 27001 A.7.6")
	s.text("Fully remote company: no secure areas.")
	s.keys("C-s")
	s.waitFor("ISO 27001 A.7.6: not applicable")
	s.keys("C-c")
	s.waitExit()
	if got := statusOf(t, db, "iso27001-2022", "A.7.6"); got != "not_applicable" {
		t.Fatalf("A.7.6 stored %q", got)
	}
	out, _, _ := run(t, "log", "--db", db, "--json")
	if !strings.Contains(out, "Fully remote company: no secure areas.") {
		t.Fatal("the justification is not in the history")
	}
}

// TestSaveFinishingUnderAPushedScreen: a status key and the crosswalk suggestions screen in
// one burst; the save reaches its tab, and later status keys in that tab still save.
func TestSaveFinishingUnderAPushedScreen(t *testing.T) {
	s, db := openDemoGap(t, 120, 40)
	s.keys("]")
	s.waitFor("70 requirements")
	s.keys(":")
	s.waitFor("Jump to")
	s.text("A.6.2.2")
	s.keys("Enter")
	s.waitFor("AI system requirements")
	s.tmux("send-keys", "-t", "main", "A", "3", "x") // advance off, status, suggestions at once
	s.waitFor("Crosswalk suggestions")
	s.keys("q")
	s.waitFor("70 requirements")
	s.keys("1")
	s.waitFor("ISO 42001 A.6.2.2: not implemented")
	s.keys("C-c")
	s.waitExit()
	if got := statusOf(t, db, "iso42001-2023", "A.6.2.2"); got != "not_implemented" {
		t.Fatalf("A.6.2.2 stored %q: a save was dropped under the pushed screen", got)
	}
}

// TestTwoProcessesRenameAndReLead: two workbenches open the same engagement's form; one
// renames it and saves, then the other, whose form still shows the old name, changes the
// lead and saves. Both changes are stored (the second save writes only the field it
// changed, so the rename is not reverted), and the history says each, once.
func TestTwoProcessesRenameAndReLead(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ws.db")
	if _, _, code := run(t, "demo", "--db", db); code != 0 {
		t.Fatal("demo failed")
	}
	a := start(t, 120, 40, "--db", db)
	b := start(t, 120, 40, "--db", db)
	for _, s := range []*session{a, b} {
		s.waitFor("Medivance Health — ISMS & AIMS readiness")
		s.keys("e")
		s.waitFor("Edit engagement", "Lead")
	}
	a.keys("C-u")
	a.text("Medivance renamed")
	a.keys("C-s")
	a.waitFor("Medivance renamed")

	b.keys("Tab", "Tab", "Tab", "Tab") // organisation, scope, standards, lead
	b.keys("C-u")
	b.text("Ana Lima")
	b.keys("C-s")
	scr := b.waitFor("Medivance renamed")
	if strings.Contains(scr, "Edit engagement") {
		t.Fatalf("the second save did not go through:\n%s", scr)
	}
	a.keys("C-c")
	b.keys("C-c")
	a.waitExit()
	b.waitExit()

	out, _, code := run(t, "log", "--db", db, "--json")
	if code != 0 {
		t.Fatalf("log exit %d", code)
	}
	var rows []struct {
		Entity string `json:"entity"`
		Field  string `json:"field"`
		Old    string `json:"old"`
		New    string `json:"new"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("log JSON: %v", err)
	}
	names, leads := 0, 0
	for _, r := range rows {
		if r.Entity != "engagement" || r.Old == "" {
			continue
		}
		switch {
		case r.Field == "name" && r.New == "Medivance renamed":
			names++
		case r.Field == "name":
			t.Errorf("the name changed again: %q → %q", r.Old, r.New)
		case r.Field == "lead" && r.New == "Ana Lima":
			leads++
		}
	}
	if names != 1 || leads != 1 {
		t.Errorf("history has %d renames and %d lead changes; want one each", names, leads)
	}
	sum, _, _ := run(t, "summary", "--db", db, "--json")
	if !strings.Contains(sum, "Medivance renamed") {
		t.Errorf("the stored name is not the renamed one:\n%s", sum)
	}
	if out, stderr, code := run(t, "log", "--verify", "--db", db); code != 0 {
		t.Errorf("log --verify: exit %d\n%s%s", code, out, stderr)
	}
}
