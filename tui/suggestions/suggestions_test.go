package suggestions

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
)

var fixedNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

type fixture struct {
	c *common.Common
	s *store.Store
	e assessments.Engagement
}

// newFixture builds a workspace whose engagement has both standards in scope and a few
// assessed requirements on each side, so suggestions run both ways.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "ws.db"), store.Options{Author: "tester", Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Medivance Health", Standards: []string{catalogs.ISO27001, catalogs.ISO42001}})
	if err != nil {
		t.Fatal(err)
	}
	set := catalogs.MustBuiltin()
	for _, r := range []struct {
		std, ref string
		st       assessments.Status
	}{
		{catalogs.ISO27001, "A.5.1", assessments.Implemented},
		{catalogs.ISO27001, "6.3", assessments.NotImplemented},
		{catalogs.ISO27001, "9.2.1", assessments.Partial},
		{catalogs.ISO27001, "A.5.24", assessments.Implemented},
		{catalogs.ISO42001, "7.2", assessments.Implemented},
		{catalogs.ISO27001, "5.2", assessments.Implemented},
		{catalogs.ISO27001, "7.5.1", assessments.Implemented},
		{catalogs.ISO27001, "10.2", assessments.Partial},
		{catalogs.ISO27001, "A.5.9", assessments.Implemented},
		{catalogs.ISO27001, "A.8.25", assessments.Partial},
	} {
		before, err := s.Result(ctx, assessments.Key{EngagementID: e.ID, Standard: r.std, Ref: r.ref})
		if err != nil {
			t.Fatal(err)
		}
		after := before
		after.Status = r.st
		if _, err := s.SaveResult(ctx, before, after); err != nil {
			t.Fatal(err)
		}
	}
	c := &common.Common{Ctx: ctx, Store: s, Catalogs: set, Styles: common.NewStyles(true), Keys: common.DefaultKeyMap(),
		Now: func() time.Time { return fixedNow }}
	return &fixture{c: c, s: s, e: e}
}

// drive runs a command and feeds the messages it yields back into the model, collecting
// the ones meant for the root (info, errors, back).
func drive(t *testing.T, m common.Screen, cmd tea.Cmd) (common.Screen, []tea.Msg) {
	t.Helper()
	var out []tea.Msg
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case common.InfoMsg, common.ErrMsg, common.BackMsg:
			out = append(out, msg)
		case nil:
		default:
			var next tea.Cmd
			m, next = m.Update(msg)
			queue = append(queue, next)
		}
	}
	return m, out
}

func press(t *testing.T, m common.Screen, keys ...string) (common.Screen, []tea.Msg) {
	t.Helper()
	var all []tea.Msg
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		default:
			r := []rune(k)[0]
			msg = tea.KeyPressMsg{Code: r, Text: k}
		}
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		var out []tea.Msg
		m, out = drive(t, m, cmd)
		all = append(all, out...)
	}
	return m, all
}

func open(t *testing.T, f *fixture, w, h int) *Model {
	t.Helper()
	scr := New(f.c, f.e)
	scr.SetSize(w, h)
	scr, _ = drive(t, scr, scr.Init())
	return scr.(*Model)
}

func TestListsEverySuggestion(t *testing.T) {
	f := newFixture(t)
	m := open(t, f, 120, 40)
	results, _ := f.s.Results(context.Background(), f.e.ID)
	want := assessments.Suggestions(f.c.Catalogs, f.e, results)
	if len(m.Items()) != len(want) || len(want) < 5 {
		t.Fatalf("%d items, want %d (and at least 5)", len(m.Items()), len(want))
	}
	both := map[string]bool{}
	for _, sg := range m.Items() {
		both[sg.Standard] = true
	}
	if !both[catalogs.ISO27001] || !both[catalogs.ISO42001] {
		t.Errorf("suggestions do not run both ways: %v", both)
	}
	view := ansi.Strip(m.View())
	for _, want := range []string{"ISO 42001 ← ISO 27001", "ISO 27001 ← ISO 42001", "A.2.2", "AI policy", "intersects", "Medivance Health"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q", want)
		}
	}
}

func TestAcceptSavesNeedsReviewAndProvenance(t *testing.T) {
	f := newFixture(t)
	m := open(t, f, 120, 40)
	n := len(m.Items())
	scr, _ := press(t, m, "j")
	m = scr.(*Model)
	sg, _ := m.Selected()
	if sg == m.Items()[0] {
		t.Fatal("j did not move the cursor")
	}
	scr, msgs := press(t, m, "a")
	m = scr.(*Model)
	if len(msgs) != 1 {
		t.Fatalf("messages = %#v", msgs)
	}
	info, ok := msgs[0].(common.InfoMsg)
	if !ok || !strings.Contains(info.Text, "marked needs review") {
		t.Fatalf("message = %#v", msgs[0])
	}
	r, err := f.s.Result(context.Background(), assessments.Key{EngagementID: f.e.ID, Standard: sg.Standard, Ref: sg.Ref})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != sg.Carried || !r.NeedsReview || r.Provenance != assessments.Provenance(f.c.Catalogs, sg.From) {
		t.Errorf("saved %+v, want %s, needs review, provenance", r, sg.Carried)
	}
	for _, x := range m.Items() {
		if x.Standard == sg.Standard && x.Ref == sg.Ref {
			t.Errorf("accepted requirement still listed: %+v", x)
		}
	}
	if len(m.Items()) >= n {
		t.Errorf("list did not shrink: %d -> %d", n, len(m.Items()))
	}

	// enter accepts too.
	first, _ := m.Selected()
	scr, _ = press(t, m, "enter")
	m = scr.(*Model)
	if r, _ := f.s.Result(context.Background(), assessments.Key{EngagementID: f.e.ID, Standard: first.Standard, Ref: first.Ref}); !r.NeedsReview {
		t.Errorf("enter did not adopt %s", first.Ref)
	}
}

func TestSkipIsPersisted(t *testing.T) {
	f := newFixture(t)
	m := open(t, f, 120, 40)
	n := len(m.Items())
	sg, _ := m.Selected()
	scr, msgs := press(t, m, "s")
	m = scr.(*Model)
	if len(msgs) != 1 || !strings.Contains(msgs[0].(common.InfoMsg).Text, "Skipped") {
		t.Fatalf("messages = %#v", msgs)
	}
	if len(m.Items()) != n-1 {
		t.Errorf("%d items after skip, want %d", len(m.Items()), n-1)
	}
	if r, _ := f.s.Result(context.Background(), assessments.Key{EngagementID: f.e.ID, Standard: sg.Standard, Ref: sg.Ref}); r.EffectiveStatus() != assessments.NotAssessed {
		t.Errorf("skip changed the result: %+v", r)
	}
	// A new screen (a later session) does not offer it again.
	m2 := open(t, f, 120, 40)
	if len(m2.Items()) != n-1 {
		t.Errorf("reopened: %d items, want %d", len(m2.Items()), n-1)
	}
	for _, x := range m2.Items() {
		if store.SkipKeyOf(x) == store.SkipKeyOf(sg) {
			t.Error("skipped suggestion came back")
		}
	}
	if !strings.Contains(ansi.Strip(m2.View()), "1 skipped") {
		t.Error("skipped count not shown")
	}
}

func TestBackKeys(t *testing.T) {
	f := newFixture(t)
	for _, k := range []string{"esc", "q"} {
		m := open(t, f, 80, 24)
		_, msgs := press(t, m, k)
		if len(msgs) != 1 {
			t.Fatalf("%s: messages = %#v", k, msgs)
		}
		if _, ok := msgs[0].(common.BackMsg); !ok {
			t.Errorf("%s sent %#v, want BackMsg", k, msgs[0])
		}
	}
}

func TestStaleLoadDropped(t *testing.T) {
	f := newFixture(t)
	m := open(t, f, 80, 24)
	n := len(m.Items())
	m.Update(loadedMsg{seq: m.seq - 1, items: nil})
	if len(m.Items()) != n {
		t.Errorf("an older load replaced the list")
	}
}

func TestStaleAcceptReloads(t *testing.T) {
	f := newFixture(t)
	m := open(t, f, 120, 40)
	sg, _ := m.Selected()
	// Someone assesses the requirement in another window.
	ctx := context.Background()
	before, _ := f.s.Result(ctx, assessments.Key{EngagementID: f.e.ID, Standard: sg.Standard, Ref: sg.Ref})
	after := before
	after.Status = assessments.NotImplemented
	if _, err := f.s.SaveResult(ctx, before, after); err != nil {
		t.Fatal(err)
	}
	scr, msgs := press(t, m, "a")
	m = scr.(*Model)
	if len(msgs) != 1 {
		t.Fatalf("messages = %#v", msgs)
	}
	if e, ok := msgs[0].(common.ErrMsg); !ok || !strings.Contains(e.Err.Error(), "no longer applies") {
		t.Errorf("message = %#v", msgs[0])
	}
	r, _ := f.s.Result(ctx, assessments.Key{EngagementID: f.e.ID, Standard: sg.Standard, Ref: sg.Ref})
	if r.Status != assessments.NotImplemented || r.NeedsReview {
		t.Errorf("stale accept overwrote the result: %+v", r)
	}
	for _, x := range m.Items() {
		if x.Standard == sg.Standard && x.Ref == sg.Ref {
			t.Error("stale suggestion still listed after reload")
		}
	}
}

func TestScrollKeepsCursorVisible(t *testing.T) {
	f := newFixture(t)
	m := open(t, f, 80, 24)
	scr, _ := press(t, m, "G")
	m = scr.(*Model)
	if m.cursor != len(m.Items())-1 {
		t.Fatalf("G: cursor %d", m.cursor)
	}
	last := m.Items()[len(m.Items())-1]
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "› "+last.Ref) {
		t.Errorf("last item not visible after G:\n%s", view)
	}
	scr, _ = press(t, m, "g")
	m = scr.(*Model)
	if m.cursor != 0 || m.offset != 0 {
		t.Errorf("g: cursor %d offset %d", m.cursor, m.offset)
	}
}

func TestEmpty(t *testing.T) {
	f := newFixture(t)
	e, err := f.s.CreateEngagement(context.Background(), assessments.Engagement{Name: "Only 27001", Standards: []string{catalogs.ISO27001}})
	if err != nil {
		t.Fatal(err)
	}
	scr := New(f.c, e)
	scr.SetSize(80, 24)
	scr, _ = drive(t, scr, scr.Init())
	view := ansi.Strip(scr.View())
	if !strings.Contains(view, "No crosswalk suggestions") || !strings.Contains(view, "Only one standard is in scope") {
		t.Errorf("empty view:\n%s", view)
	}
	// Keys on an empty list do nothing harmful.
	scr, msgs := press(t, scr, "a", "s", "j")
	if len(msgs) != 0 {
		t.Errorf("messages on an empty list: %#v", msgs)
	}
}

func TestGolden80x24(t *testing.T) {
	f := newFixture(t)
	m := open(t, f, 80, 24)
	scr, _ := press(t, m, "j", "j")
	checkSize(t, scr.View(), 80, 24)
	golden.RequireEqual(t, []byte(ansi.Strip(scr.View())))
}

func TestGolden120x40(t *testing.T) {
	f := newFixture(t)
	m := open(t, f, 120, 40)
	checkSize(t, m.View(), 120, 40)
	golden.RequireEqual(t, []byte(ansi.Strip(m.View())))
}

func checkSize(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("line %d is %d cells wide, more than %d", i+1, lw, w)
		}
	}
}
