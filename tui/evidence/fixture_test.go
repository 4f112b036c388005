package evidence

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
)

var fixedNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

type fixture struct {
	c   *common.Common
	e   assessments.Engagement
	dir string
	ids map[string]string // title → id
}

func req(std, ref string) assessments.EvidenceLink {
	return assessments.EvidenceLink{Target: assessments.LinkRequirement, Standard: std, Ref: ref}
}

// newFixture builds a workspace with a fixed clock, an engagement in both standards, a few
// results and six evidence items in every state. Paths are rewritten to a fixed folder so
// golden views do not depend on the temporary directory.
func newFixture(t *testing.T, w, h int) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.Open(ctx, filepath.Join(dir, "ws.db"), store.Options{Author: "Priya", Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Northwind Clinic", Organisation: "Northwind Health",
		Standards: []string{catalogs.ISO27001, catalogs.ISO42001}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		std, ref string
		st       assessments.Status
	}{
		{catalogs.ISO27001, "A.5.15", assessments.Implemented}, {catalogs.ISO27001, "A.5.18", assessments.Implemented},
		{catalogs.ISO27001, "5.2", assessments.Implemented}, {catalogs.ISO27001, "A.8.8", assessments.Partial},
		{catalogs.ISO27001, "A.5.24", assessments.Implemented}, {catalogs.ISO27001, "A.8.15", assessments.Implemented},
		{catalogs.ISO27001, "A.5.1", assessments.Implemented},
		{catalogs.ISO42001, "A.6.2.4", assessments.Implemented}, {catalogs.ISO42001, "A.3.2", assessments.Partial},
	} {
		before := assessments.Result{EngagementID: e.ID, Standard: r.std, Ref: r.ref, Status: assessments.NotAssessed}
		after := before
		after.Status = r.st
		if _, err := s.SaveResult(ctx, before, after); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{e: e, dir: dir, ids: map[string]string{}}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	add := func(ev assessments.Evidence) {
		ev.EngagementID = e.ID
		saved, err := s.CreateEvidence(ctx, ev, store.AttachOptions{})
		if err != nil {
			t.Fatalf("%s: %v", ev.Title, err)
		}
		f.ids[ev.Title] = saved.ID
	}
	add(assessments.Evidence{Title: "Access review Q1", Kind: assessments.KindRecord, Path: write("access-review-q1.csv", "user,keep\nalice,yes\n"),
		CollectedOn: "2026-03-02", CollectedBy: "Tomás Silva", ValidUntil: "2026-12-31", Description: "Okta and AWS access review signed by system owners.",
		Links: []assessments.EvidenceLink{req(catalogs.ISO27001, "A.5.15"), req(catalogs.ISO27001, "A.5.18"), req(catalogs.ISO42001, "A.3.2")}})
	add(assessments.Evidence{Title: "Information security policy", Kind: assessments.KindDocument, Path: write("policy.md", "# Policy\n"),
		CollectedOn: "2025-03-20", CollectedBy: "Daniel Okafor", ValidUntil: "2026-03-31",
		Links: []assessments.EvidenceLink{req(catalogs.ISO27001, "5.2"), req(catalogs.ISO27001, "A.5.1")}})
	add(assessments.Evidence{Title: "Penetration test 2025", Kind: assessments.KindDocument, Path: write("pentest.md", "findings\n"),
		CollectedOn: "2025-02-01", CollectedBy: "Tomás Silva", ValidUntil: "2026-02-01",
		Links: []assessments.EvidenceLink{req(catalogs.ISO27001, "A.8.8")}})
	runbook := write("runbook.md", "triage in 30 minutes\n")
	add(assessments.Evidence{Title: "Incident runbook", Kind: assessments.KindDocument, Path: runbook,
		CollectedOn: "2026-01-15", CollectedBy: "Tomás Silva",
		Links: []assessments.EvidenceLink{req(catalogs.ISO27001, "A.5.24"), req(catalogs.ISO42001, "A.8.4")}})
	add(assessments.Evidence{Title: "Interview: clinical safety officer", Kind: assessments.KindInterview,
		CollectedOn: "2026-03-05", CollectedBy: "Priya Raman", Description: "Roles for the triage model; no RACI yet for the chatbot.",
		Links: []assessments.EvidenceLink{req(catalogs.ISO42001, "A.3.2"), req(catalogs.ISO42001, "A.6.2.4")}})
	add(assessments.Evidence{Title: "Central logging settings", Kind: assessments.KindLink, URL: "https://intranet.northwind.example/logging",
		CollectedOn: "2026-03-01", CollectedBy: "Tomás Silva", Links: []assessments.EvidenceLink{req(catalogs.ISO27001, "A.8.15")}})
	// The runbook changes after it was attached, and the check sees it.
	if err := os.WriteFile(runbook, []byte("triage in 60 minutes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckEvidence(ctx, e.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`UPDATE evidence SET path = '/home/priya/northwind/' || replace(path, ?, ''), mtime = '2026-03-01T10:00:00Z' WHERE path <> ''`, dir+string(filepath.Separator)); err != nil {
		t.Fatal(err)
	}
	set := catalogs.MustBuiltin()
	f.c = &common.Common{Ctx: ctx, Store: s, Catalogs: set, Styles: common.NewStyles(true), Keys: common.DefaultKeyMap(),
		Width: w, Height: h, Now: func() time.Time { return fixedNow }}
	return f
}

// key builds a key press from a name: "j", "enter", "esc", "ctrl+s", "tab", "shift+tab", "up", "down".
func keyPress(name string) tea.KeyPressMsg {
	switch name {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEsc}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	if rest, ok := strings.CutPrefix(name, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: rune(rest[0]), Mod: tea.ModCtrl}
	}
	r := []rune(name)[0]
	return tea.KeyPressMsg{Code: r, Text: name}
}

// drive runs cmd and every command its messages lead to, feeding each message to the
// screen; it returns the messages that were not the screen's own (for example
// CloseOverlayMsg or GotoRequirementMsg).
func drive(t *testing.T, s common.Screen, cmd tea.Cmd) (common.Screen, []tea.Msg) {
	t.Helper()
	var out []tea.Msg
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 500 {
			t.Fatal("too many commands")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		switch msg := msg.(type) {
		case nil:
			continue
		case tea.BatchMsg:
			queue = append(queue, msg...)
			continue
		case common.CloseOverlayMsg, common.GotoRequirementMsg, common.DataChangedMsg, common.InfoMsg, common.ErrMsg:
			out = append(out, msg)
			continue
		}
		var next tea.Cmd
		s, next = s.Update(msg)
		queue = append(queue, next)
	}
	return s, out
}

// press sends keys one by one, running what each returns.
func press(t *testing.T, s common.Screen, keys ...string) (common.Screen, []tea.Msg) {
	t.Helper()
	var all []tea.Msg
	for _, k := range keys {
		var cmd tea.Cmd
		s, cmd = s.Update(keyPress(k))
		var out []tea.Msg
		s, out = drive(t, s, cmd)
		all = append(all, out...)
	}
	return s, all
}

// typeText types literal text into the focused field.
func typeText(t *testing.T, s common.Screen, text string) common.Screen {
	t.Helper()
	for _, r := range text {
		var cmd tea.Cmd
		s, cmd = s.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		s, _ = drive(t, s, cmd)
	}
	return s
}

// loaded returns the tab with its data loaded.
func (f *fixture) tab(t *testing.T, w, h int) *Model {
	t.Helper()
	m := newModel(f.c, f.e)
	m.SetSize(w, h)
	s, _ := drive(t, m, m.Activate())
	return s.(*Model)
}

func storeOpts() store.AttachOptions { return store.AttachOptions{} }
