package evidence

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/tuitest"
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
		Width: w, Height: h, Now: func() time.Time { return fixedNow }, NoTimers: true, Undo: &common.UndoStack{}}
	return f
}

func keyPress(name string) tea.KeyPressMsg { return tuitest.Key(name) }

// root stands in for the workbench root: it holds the tab and the dialogs opened above it
// (keys go to the front dialog first), delivers addressed results to their owner and keeps
// what is meant for other screens (status lines, DataChangedMsg, go-to requests).
type root struct {
	t       *testing.T
	c       *common.Common
	tab     *Model
	dialogs common.Dialogs // the root's own stack type
	// out are the messages for the rest of the workbench, in order.
	out []tea.Msg
}

func newRoot(t *testing.T, c *common.Common, tab *Model) *root {
	if c.Undo == nil {
		c.Undo = &common.UndoStack{}
	}
	c.NoTimers = true
	return &root{t: t, c: c, tab: tab}
}

// ownResult is true for the result types of this package: they must arrive addressed.
func ownResult(msg tea.Msg) bool {
	switch msg.(type) {
	case loadedMsg, savedMsg, undoneMsg, deletedMsg, reattachedMsg, exportedMsg, checkStartedMsg, checkProgressMsg,
		checkDoneMsg, attachLoadedMsg, linkedMsg, common.PeopleMsg:
		return true
	}
	return false
}

func (r *root) front() common.Dialog { return r.dialogs.Front() }

func (r *root) envelope(env common.Envelope) tea.Cmd { return r.update(env) }

func (r *root) update(msg tea.Msg) tea.Cmd {
	if ownResult(msg) {
		r.t.Errorf("a result arrived unaddressed: %T", msg)
		return nil
	}
	switch msg := msg.(type) {
	case common.Envelope:
		if cmd, ok := r.dialogs.Deliver(msg, r.envelope); ok {
			return cmd
		}
		if r.tab != nil && msg.To == r.tab.Address() {
			_, cmd := r.tab.Update(msg.Msg)
			return cmd
		}
		r.out = append(r.out, msg) // its owner has closed
		return nil
	case common.OpenDialogMsg:
		return r.dialogs.Open(msg.Dialog)
	case common.CloseDialogMsg:
		r.dialogs.Close(msg.ID)
		return nil
	case tea.KeyPressMsg, tea.PasteMsg:
		if r.dialogs.Len() > 0 {
			return r.dialogs.Input(msg, r.envelope)
		}
		if r.tab == nil {
			return nil
		}
		_, cmd := r.tab.Update(msg)
		return cmd
	}
	r.out = append(r.out, msg)
	return nil
}

func (r *root) run(cmd tea.Cmd) { tuitest.Run(r.update, cmd) }

func (r *root) send(msg tea.Msg) { r.run(r.update(msg)) }

func (r *root) press(keys ...string) {
	for _, k := range keys {
		r.send(keyPress(k))
	}
}

// typeText types text key by key, as a person would.
func (r *root) typeText(text string) {
	for _, k := range tuitest.Keys(text) {
		r.send(k)
	}
}

// undo runs the newest undo entry as the root's z does.
func (r *root) undo() {
	r.t.Helper()
	e, ok := r.c.Undo.Pop()
	if !ok {
		r.t.Fatal("nothing to undo")
	}
	msg, err := e.Run(r.c.Ctx)
	if err != nil {
		r.t.Fatalf("undo %s: %v", e.Label, err)
	}
	r.send(common.Envelope{To: e.To, Msg: msg})
}

// took returns the messages for the rest of the workbench since the last call.
func (r *root) took() []tea.Msg {
	out := r.out
	r.out = nil
	return out
}

func has[T any](msgs []tea.Msg) (T, bool) {
	for _, m := range msgs {
		if x, ok := m.(T); ok {
			return x, true
		}
	}
	var zero T
	return zero, false
}

// info is the text of the last status-line message.
func info(msgs []tea.Msg) string {
	text := ""
	for _, m := range msgs {
		switch m := m.(type) {
		case common.InfoMsg:
			text = m.Text
		case common.ErrMsg:
			text = "error: " + m.Err.Error()
		}
	}
	return text
}

// tab returns the tab with its data loaded, in a root.
func (f *fixture) tab(t *testing.T, w, h int) (*Model, *root) {
	t.Helper()
	m := newModel(f.c, f.e)
	m.SetSize(w, h)
	r := newRoot(t, f.c, m)
	r.run(m.Activate())
	if !m.loaded {
		t.Fatal("the tab did not load")
	}
	r.took()
	return m, r
}

func storeOpts() store.AttachOptions { return store.AttachOptions{} }

// RootFixture is the test workspace for the tests that drive the whole workbench (package
// evidence_test): the store, the engagement and the item ids by title.
func RootFixture(t *testing.T) (*store.Store, assessments.Engagement, map[string]string) {
	f := newFixture(t, 120, 40)
	return f.c.Store, f.e, f.ids
}
