package risks

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/tuitest"
)

var testNow = time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)

// fixture is a workspace with a small register and the tab on it, driven through a
// stand-in for the root: dialogs in front get the keys, addressed results go to their
// owner, z runs the undo stack, and the status line keeps the last message.
type fixture struct {
	t   *testing.T
	s   *store.Store
	c   *common.Common
	e   assessments.Engagement
	tab *Model

	dialogs common.Dialogs // the root's own stack type
	status  string
	isErr   bool
	help    bool
}

func newFixture(t *testing.T, w, h int, withRisks bool) *fixture {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "ws.db"), store.Options{Author: "tester", Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Medivance", Standards: []string{catalogs.ISO27001, catalogs.ISO42001}})
	if err != nil {
		t.Fatal(err)
	}
	if withRisks {
		for _, r := range testRegister(e) {
			if _, err := s.CreateRisk(ctx, r); err != nil {
				t.Fatalf("%s: %v", r.Title, err)
			}
		}
	}
	c := &common.Common{Ctx: ctx, Store: s, Catalogs: catalogs.MustBuiltin(), Styles: common.NewStyles(true),
		Keys: common.DefaultKeyMap(), Width: w, Height: h, Now: func() time.Time { return testNow }, NoTimers: true,
		Undo: &common.UndoStack{}}
	f := &fixture{t: t, s: s, c: c, e: e, tab: New(c, e).(*Model)}
	f.tab.SetSize(w, h)
	f.run(tea.Batch(f.tab.Init(), f.tab.Activate()))
	return f
}

func sc(l, c int) assessments.Score { return assessments.Score{Likelihood: l, Consequence: c} }

func testRegister(e assessments.Engagement) []assessments.Risk {
	acc := func(by, date string, s assessments.Score) *assessments.Acceptance {
		return &assessments.Acceptance{By: by, Date: date, Rationale: "Within appetite", Residual: s}
	}
	return []assessments.Risk{
		{EngagementID: e.ID, Title: "Ransomware encrypts the imaging archive", Scope: assessments.ScopeSecurity, Owner: "Tomás Silva",
			Inherent: sc(4, 5), Treatment: assessments.TreatModify, Residual: sc(2, 4), ReviewDate: "2026-06-30",
			Controls: []assessments.ControlRef{{Standard: catalogs.ISO27001, Ref: "A.8.13"}, {Standard: catalogs.ISO42001, Ref: "A.6.2.6"}},
			Status:   assessments.RiskInTreatment},
		{EngagementID: e.ID, Title: "Lens under-detects findings on portable X-rays", Scope: assessments.ScopeAI, Owner: "Ravi Patel",
			Inherent: sc(3, 5), Treatment: assessments.TreatModify, Residual: sc(2, 3), ReviewDate: "2026-04-01",
			Controls: []assessments.ControlRef{{Standard: catalogs.ISO42001, Ref: "A.6.2.4"}}, Status: assessments.RiskOpen},
		{EngagementID: e.ID, Title: "Cloud region outage", Scope: assessments.ScopeSecurity, Owner: "Tomás Silva",
			Inherent: sc(2, 4), Treatment: assessments.TreatRetain, Residual: sc(2, 4), ReviewDate: "2026-09-01",
			Acceptance: acc("Daniel Okafor", "2026-03-01", sc(2, 4)), Status: assessments.RiskAccepted},
		{EngagementID: e.ID, Title: "Annotation supplier mislabels images", Scope: assessments.ScopeBoth, Owner: "Amara Nwosu",
			Inherent: sc(3, 4), Treatment: assessments.TreatRetain, Residual: sc(3, 3), ReviewDate: "2026-07-15",
			Acceptance: acc("Priya Raman", "2026-01-10", sc(2, 3)), Status: assessments.RiskAccepted,
			Controls: []assessments.ControlRef{{Standard: catalogs.ISO27001, Ref: "A.5.19"}}},
		{EngagementID: e.ID, Title: "Chatbot gives advice that reads as a diagnosis", Scope: assessments.ScopeAI, Owner: "Amara Nwosu",
			Inherent: sc(3, 5), Status: assessments.RiskOpen},
		{EngagementID: e.ID, Title: "Former staff keep analytics access", Scope: assessments.ScopeSecurity, Owner: "Hannah Berg",
			Inherent: sc(2, 3), Treatment: assessments.TreatModify, Residual: sc(1, 3), Status: assessments.RiskClosed, ReviewDate: "2026-01-01"},
	}
}

// ownMessage reports whether msg is one of this package's result types (which must only
// ever arrive addressed).
func ownMessage(msg tea.Msg) bool {
	t := reflect.TypeOf(msg)
	return t != nil && strings.HasSuffix(t.PkgPath(), "tui/risks")
}

// update is the root's part: dialogs, envelopes, undo, status line.
func (f *fixture) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.Envelope:
		if cmd, ok := f.dialogs.Deliver(msg, f.envelope); ok {
			return cmd
		}
		if msg.To == f.tab.Address() {
			_, cmd := f.tab.Update(msg.Msg)
			return cmd
		}
		return nil // its owner has closed
	case common.OpenDialogMsg:
		return f.dialogs.Open(msg.Dialog)
	case common.CloseDialogMsg:
		f.dialogs.Close(msg.ID)
		return nil
	case common.InfoMsg:
		f.status, f.isErr = msg.Text, false
		return nil
	case common.ErrMsg:
		f.status, f.isErr = msg.Err.Error(), true
		return nil
	case common.DataChangedMsg:
		return f.tab.Activate()
	case common.ToggleHelpMsg:
		f.help = !f.help
		return nil
	case common.GotoMsg:
		return f.tab.Restore(msg.Item)
	case tea.KeyPressMsg:
		if f.dialogs.Len() > 0 {
			return f.toDialog(msg)
		}
		if !f.tab.Capturing() && key.Matches(msg, f.c.Keys.Undo) {
			return f.undo()
		}
	case tea.PasteMsg:
		if f.dialogs.Len() > 0 {
			return f.toDialog(msg)
		}
	}
	if ownMessage(msg) {
		f.t.Errorf("%T reached the tab without an address: results must be sent with common.Send", msg)
	}
	_, cmd := f.tab.Update(msg)
	return cmd
}

func (f *fixture) toDialog(msg tea.Msg) tea.Cmd { return f.dialogs.Input(msg, f.envelope) }

func (f *fixture) envelope(env common.Envelope) tea.Cmd { return f.update(env) }

func (f *fixture) undo() tea.Cmd {
	e, ok := f.c.Undo.Pop()
	if !ok {
		f.status = "Nothing to undo"
		return nil
	}
	msg, err := e.Run(context.Background())
	if err != nil {
		f.status, f.isErr = err.Error(), true
		return nil
	}
	f.status = "Undone: " + e.Label
	return func() tea.Msg { return common.Envelope{To: e.To, Msg: msg} }
}

func (f *fixture) run(cmd tea.Cmd) {
	f.t.Helper()
	tuitest.Run(f.update, cmd)
}

// press sends keys by name: "enter", "esc", "ctrl+s", "left", "A", single characters.
func (f *fixture) press(keys ...string) {
	f.t.Helper()
	for _, k := range keys {
		f.run(func() tea.Msg { return keyMsg(k) })
	}
}

// typeText types literal text, one key per character.
func (f *fixture) typeText(s string) {
	f.t.Helper()
	for _, k := range tuitest.Keys(s) {
		if k.Text == " " {
			k = keyMsg("space")
		}
		f.run(func() tea.Msg { return k })
	}
}

func keyMsg(k string) tea.KeyPressMsg { return tuitest.Key(k) }

func (f *fixture) view() string { return tuitest.Plain(f.tab.View()) }

// dialogView is the front dialog as the root draws it.
func (f *fixture) dialogView() string {
	if f.dialogs.Len() == 0 {
		return ""
	}
	return tuitest.Plain(f.dialogs.Front().View(f.tab.width, f.tab.height))
}

// dialogText is the front dialog's text with its box and line breaks taken out, for
// assertions on wrapped sentences.
func (f *fixture) dialogText() string {
	var words []string
	for _, l := range strings.Split(f.dialogView(), "\n") {
		l = strings.Trim(l, "│╭╮╰╯─ ")
		words = append(words, strings.Fields(l)...)
	}
	return strings.Join(words, " ")
}

func (f *fixture) refs() []string {
	var out []string
	for _, i := range f.tab.rows {
		out = append(out, f.tab.risks[i].Ref)
	}
	return out
}

// focus moves the open risk form's focus to a field with tab presses, as a user would.
func (f *fixture) focus(field string) {
	f.t.Helper()
	for _, k := range []string{"tab", "shift+tab"} {
		for range 40 {
			if f.tab.form.f.FocusKey() == field {
				return
			}
			f.press(k)
		}
	}
	f.t.Fatalf("field %s not reachable with tab", field)
}

func (f *fixture) stored() []assessments.Risk {
	f.t.Helper()
	rs, err := f.s.Risks(context.Background(), f.e.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return rs
}

func (f *fixture) storedRef(ref string) assessments.Risk {
	f.t.Helper()
	for _, r := range f.stored() {
		if r.Ref == ref {
			return r
		}
	}
	f.t.Fatalf("%s not stored", ref)
	return assessments.Risk{}
}

func (f *fixture) history(entity string) []store.Change {
	f.t.Helper()
	cs, err := f.s.Changes(context.Background(), store.ChangeFilter{EngagementID: f.e.ID, Entity: entity})
	if err != nil {
		f.t.Fatal(err)
	}
	return cs
}

// selectRef moves the register's cursor to ref with j/k.
func (f *fixture) selectRef(ref string) {
	f.t.Helper()
	f.press("g")
	for range len(f.tab.rows) {
		if r, ok := f.tab.selected(); ok && r.Ref == ref {
			return
		}
		f.press("j")
	}
	f.t.Fatalf("%s not in the register %v", ref, f.refs())
}

func TestMain(m *testing.M) {
	// Commands here are store reads and writes, never timers (Common.NoTimers, steady
	// cursors): give a slow, busy machine time rather than drop a save as if it were a tick.
	tuitest.Wait = 5 * time.Second
	os.Exit(m.Run())
}
