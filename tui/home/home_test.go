package home

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/store/demo"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/tuitest"
)

func TestMain(m *testing.M) {
	os.Setenv("TZ", "UTC")
	os.Setenv("NO_COLOR", "")
	// Adding the demo takes more than tuitest's default wait on a busy machine; nothing
	// here waits on a timer (NoTimers, steady cursors), so a longer wait costs nothing.
	tuitest.Wait = 10 * time.Second
	os.Exit(m.Run())
}

var sizes = []struct {
	name string
	w, h int
}{{"80x24", 80, 24}, {"120x40", 120, 40}}

func assertFits(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("view has %d lines, more than %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i, n, w, l)
		}
	}
}

// addEngagements adds simple engagements named after names, in that order.
func addEngagements(t testing.TB, s *store.Store, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := s.CreateEngagement(context.Background(), assessments.Engagement{Name: n, Organisation: n + " Ltd",
			Standards: []string{catalogs.ISO27001}}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestGoldenHome(t *testing.T) {
	for _, sz := range sizes {
		t.Run("welcome_"+sz.name, func(t *testing.T) {
			h := newHarness(t, openStore(t), sz.w, sz.h)
			v := h.screen()
			assertFits(t, v, sz.w, sz.h)
			golden.RequireEqual(t, []byte(v))
		})
		t.Run("list_"+sz.name, func(t *testing.T) {
			s := openStore(t)
			addEngagements(t, s, "Northwind <Bank> — ISMS", "Globex AI readiness")
			addDemo(t, s)
			h := newHarness(t, s, sz.w, sz.h)
			v := h.screen()
			assertFits(t, v, sz.w, sz.h)
			golden.RequireEqual(t, []byte(v))
		})
		t.Run("form_errors_"+sz.name, func(t *testing.T) {
			h := newHarness(t, openStore(t), sz.w, sz.h)
			h.keys("n", "tab")
			h.typeText("Globex")
			h.keys("tab", "tab", "tab", "tab") // scope, standards, lead, start
			h.typeText("2026-02-30")
			h.keys("tab")
			h.typeText("2026-13-01")
			h.keys("ctrl+s")
			v := h.screen()
			assertFits(t, v, sz.w, sz.h)
			if !strings.Contains(v, "YYYY-MM-DD") {
				t.Errorf("the date errors are not shown:\n%s", v)
			}
			golden.RequireEqual(t, []byte(v))
		})
	}
}

// Item 1: the engagement form is the form component, with every field of an engagement.
func TestNewEngagementThroughTheForm(t *testing.T) {
	s := openStore(t)
	addDemo(t, s) // its people are suggested for the lead
	h := newHarness(t, s, 120, 40)
	h.keys("n")
	if h.m.form == nil || !h.m.Capturing() {
		t.Fatal("n does not open the engagement form")
	}
	h.typeText("Acme workshop")
	h.keys("tab")
	h.typeText("Acme Ltd")
	h.keys("tab")
	h.typeText("Cloud platform\nand the London office")
	h.keys("tab")
	// Standards: ISO 42001 only (untick 27001 in the pick list).
	h.keys("enter", "space", "enter", "tab")
	h.typeText("Pri")
	h.keys("right", "tab") // take the suggestion "Priya Raman"
	h.keys("t", "tab")     // start today
	h.typeText("2027-06-30")
	h.keys("tab", "right") // status: on hold
	h.keys("ctrl+s")
	engs := h.engagements()
	var got assessments.Engagement
	for _, e := range engs {
		if e.Name == "Acme workshop" {
			got = e
		}
	}
	want := assessments.Engagement{Name: "Acme workshop", Organisation: "Acme Ltd", Scope: "Cloud platform\nand the London office",
		Standards: []string{catalogs.ISO42001}, Lead: "Priya Raman", StartDate: "2026-11-27", EndDate: "2027-06-30", Status: assessments.EngagementOnHold}
	if got.Name != want.Name || got.Organisation != want.Organisation || got.Scope != want.Scope || strings.Join(got.Standards, ",") != strings.Join(want.Standards, ",") ||
		got.Lead != want.Lead || got.StartDate != want.StartDate || got.EndDate != want.EndDate || got.Status != want.Status {
		t.Fatalf("saved %+v\nwant  %+v", got, want)
	}
	if len(h.opened) != 1 || h.opened[0].ID != got.ID {
		t.Fatalf("the new engagement does not open: %+v", h.opened)
	}
	if h.m.form != nil {
		t.Error("the form stays open after the save")
	}
}

func TestFormErrorsKeepTypedTextAndWriteNothing(t *testing.T) {
	h := newHarness(t, openStore(t), 80, 24)
	h.keys("n", "tab")
	h.typeText("Globex")
	h.keys("ctrl+s")
	v := h.screen()
	if !strings.Contains(v, "needs a name") || !strings.Contains(v, "Globex") {
		t.Fatalf("the message or the typed text is missing:\n%s", v)
	}
	if h.m.form.f.FocusKey() != fName {
		t.Errorf("focus on %q, want the name", h.m.form.f.FocusKey())
	}
	if len(h.engagements()) != 0 {
		t.Fatal("an invalid engagement was written")
	}
	if h.m.UnsavedWork() == "" {
		t.Error("a changed form must hold the quit")
	}
	// esc on a changed form asks; n keeps editing; y discards.
	h.keys("esc")
	if !strings.Contains(h.screen(), "Discard changes?") {
		t.Fatalf("esc on a changed form does not ask:\n%s", h.screen())
	}
	h.keys("n")
	h.typeText("Globex audit")
	h.keys("ctrl+s")
	if engs := h.engagements(); len(engs) != 1 || engs[0].Name != "Globex audit" || engs[0].Organisation != "Globex" {
		t.Fatalf("engagements = %+v", engs)
	}
}

// Item 1: editing sends the fields the user changed and nothing else: text the form would
// write back differently (spaces around a name) stays as stored.
func TestEditSavesOnlyTheChangedFields(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "  Padded name  ", Organisation: "Initech ", Scope: "Line one\r\nline two\t(tabbed)",
		Standards: []string{catalogs.ISO27001}, Lead: "Sam"})
	if err != nil {
		t.Fatal(err)
	}
	before, err := s.Changes(ctx, store.ChangeFilter{EntityID: e.ID})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, s, 120, 40)
	h.keys("e")
	if h.m.form == nil || h.m.form.editing == nil {
		t.Fatal("e does not open the form on the engagement")
	}
	for range 5 { // name, organisation, scope, standards, lead
		if h.m.form.f.FocusKey() == fLead {
			break
		}
		h.keys("tab")
	}
	for range 3 {
		h.keys("backspace")
	}
	h.typeText("Dana Ruiz")
	h.keys("ctrl+s")
	got, err := s.Engagement(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Lead != "Dana Ruiz" {
		t.Fatalf("lead %q", got.Lead)
	}
	if got.Name != e.Name || got.Organisation != e.Organisation || got.Scope != e.Scope {
		t.Errorf("untouched fields changed: name %q organisation %q scope %q", got.Name, got.Organisation, got.Scope)
	}
	all, err := s.Changes(ctx, store.ChangeFilter{EntityID: e.ID})
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, c := range all[len(before):] {
		fields = append(fields, c.Field)
	}
	if strings.Join(fields, ",") != "lead" {
		t.Errorf("the edit recorded %v, want only the lead", fields)
	}
	if !strings.Contains(h.status, "lead") || !strings.Contains(h.status, "Padded name") {
		t.Errorf("status %q does not say what was saved", h.status)
	}
}

// Item 2: random keys on the home screen: no panic with an empty or filtered list.
func TestEmptyFilterThenMoveDoesNotPanic(t *testing.T) {
	s := openStore(t)
	addEngagements(t, s, "Alpha", "Beta", "Gamma")
	h := newHarness(t, s, 80, 24)
	h.keys("/")
	h.typeText("zzz")
	h.keys("enter", "j", "G", "k", "g")
	_ = h.screen()
	h.keys("/", "backspace", "backspace", "backspace")
	v := h.screen()
	if !strings.Contains(v, "Alpha") || !strings.Contains(v, "Gamma") {
		t.Fatalf("widening the filter does not bring the rows back:\n%s", v)
	}
	h.keys("enter", "enter")
	if len(h.opened) != 1 {
		t.Fatalf("enter opens the engagement under the cursor: %d opened", len(h.opened))
	}
}

func TestRandomKeysOverHome(t *testing.T) {
	for _, withData := range []bool{false, true} {
		t.Run(fmt.Sprintf("engagements=%v", withData), func(t *testing.T) {
			s := openStore(t)
			if withData {
				addEngagements(t, s, "Alpha — one", "Beta", "Gamma")
				addDemo(t, s)
			}
			h := newHarness(t, s, 80, 24)
			rng := rand.New(rand.NewSource(42))
			keys := []string{"j", "k", "g", "G", "up", "down", "enter", "esc", "tab", "shift+tab", "space", "backspace",
				"n", "e", "d", "D", "/", "y", "t", "x", "a", "2", "?", "ctrl+s", "ctrl+u", "ctrl+d", "ctrl+p", "ctrl+n", "right", "left", "-", "—"}
			pastes := []string{"", "zzz", "Alpha", "\x1b[31mred\x1b[0m", "line\nbreak", strings.Repeat("x", 300), "—", "2026-01-01", "Medivance Health - isms"}
			for i := range 4000 {
				if rng.Intn(12) == 0 {
					h.paste(pastes[rng.Intn(len(pastes))])
				} else {
					h.keys(keys[rng.Intn(len(keys))])
				}
				// Opening an engagement leaves home: the root would push a screen; come back.
				if len(h.opened) > 0 {
					h.opened = nil
					h.run(h.update(common.DataChangedMsg{}))
				}
				if i%50 == 0 {
					v := h.screen()
					assertFits(t, v, 80, 24)
				}
			}
			tuitest.CheckWorkspace(t, s)
		})
	}
}

// Item 2: a second D asks before adding another copy, and the copy gets its own name.
func TestSecondDemoAsksAndNamesTheCopy(t *testing.T) {
	s := openStore(t)
	h := newHarness(t, s, 120, 40)
	h.keys("D")
	if n := len(h.engagements()); n != 1 {
		t.Fatalf("D on an empty workspace: %d engagements", n)
	}
	h.keys("D")
	d := h.dialog()
	if d == nil {
		t.Fatal("a second D adds without asking")
	}
	if v := tuitest.Plain(d.View(120, 38)); !strings.Contains(v, "The demo engagement is already in this workspace. Add another copy?") {
		t.Fatalf("dialog:\n%s", v)
	}
	if n := len(h.engagements()); n != 1 {
		t.Fatal("the copy was added before the answer")
	}
	h.keys("n")
	if h.dialog() != nil || len(h.engagements()) != 1 {
		t.Fatal("n must close the question and add nothing")
	}
	h.keys("D", "y")
	engs := h.engagements()
	if len(engs) != 2 {
		t.Fatalf("%d engagements after yes", len(engs))
	}
	names := map[string]bool{}
	for _, e := range engs {
		names[e.Name] = true
	}
	if !names[demo.Name] || !names[demo.Name+" (2)"] {
		t.Fatalf("names %v", names)
	}
	if !strings.Contains(h.status, demo.Name+" (2)") {
		t.Errorf("status %q does not name the copy", h.status)
	}
	h.keys("D", "y")
	if len(h.engagements()) != 3 || !strings.Contains(h.status, "(3)") {
		t.Errorf("third copy: status %q", h.status)
	}
	tuitest.CheckWorkspace(t, s)
}

// Item 2: deleting asks in a dialog that names the engagement; the name may be typed with
// plain hyphens and in any case.
func TestDeleteAcceptsTheNameWithHyphensAndAnyCase(t *testing.T) {
	s := openStore(t)
	addDemo(t, s)
	h := newHarness(t, s, 80, 24)
	h.keys("d")
	d := h.dialog()
	if d == nil {
		t.Fatal("d opens no dialog")
	}
	if v := tuitest.Plain(d.View(80, 22)); !strings.Contains(v, "Delete Medivance Health") {
		t.Fatalf("the dialog's title does not name the engagement:\n%s", v)
	}
	h.typeText("Medivance Health")
	h.keys("enter")
	if len(h.engagements()) != 1 || h.dialog() == nil {
		t.Fatal("deleted with part of the name")
	}
	if v := tuitest.Plain(h.dialog().View(80, 22)); !strings.Contains(v, "not the engagement's name") {
		t.Fatalf("no message for a wrong name:\n%s", v)
	}
	// esc cancels at once, even with text typed.
	h.keys("esc")
	if h.dialog() != nil {
		t.Fatal("esc does not close the delete dialog")
	}
	h.keys("d")
	h.typeText("medivance health - ISMS & AIMS readiness")
	h.keys("enter")
	if n := len(h.engagements()); n != 0 {
		t.Fatalf("not deleted with hyphens for the em dash: %d left", n)
	}
	if h.dialog() != nil {
		t.Error("the dialog stays open after the deletion")
	}
	if !strings.Contains(h.status, "Deleted "+demo.Name) {
		t.Errorf("status %q", h.status)
	}
	if !strings.Contains(h.screen(), "Welcome to annex") {
		t.Errorf("home after deleting the last engagement:\n%s", h.screen())
	}
	tuitest.CheckWorkspace(t, s)
}

func TestNameMatching(t *testing.T) {
	for _, tc := range []struct {
		typed, name string
		ok          bool
	}{
		{"Medivance Health — ISMS & AIMS readiness", demo.Name, true},
		{"medivance health - isms & aims readiness", demo.Name, true},
		{"MEDIVANCE HEALTH – ISMS & AIMS READINESS", demo.Name, true},
		{"  medivance   health - isms & aims readiness ", demo.Name, true},
		{"medivance health isms & aims readiness", demo.Name, false},
		{"", "", false},
		{"Acme", "Acme Ltd", false},
	} {
		if got := nameMatches(tc.typed, tc.name); got != tc.ok {
			t.Errorf("nameMatches(%q, %q) = %v", tc.typed, tc.name, got)
		}
	}
}

// Item 2: home's confirmations are about home: one that arrives after home opened an
// engagement is not shown over that engagement.
func TestHomeMessagesStayOnHome(t *testing.T) {
	s := openStore(t)
	addEngagements(t, s, "Alpha")
	h := newHarness(t, s, 120, 40)
	addDemoCmd := h.update(tuitest.Key("D")) // the demo is added in the background…
	h.keys("enter")                          // …while the user opens Alpha
	if len(h.opened) != 1 {
		t.Fatal("enter does not open the engagement")
	}
	h.run(addDemoCmd)
	if len(h.engagements()) != 2 {
		t.Fatal("the demo was not added")
	}
	if h.status != "" {
		t.Errorf("home's message %q shows over the engagement", h.status)
	}
	// Back on home (the root routes DataChangedMsg), messages show again.
	h.opened = nil
	h.run(h.update(common.DataChangedMsg{}))
	h.keys("G", "d") // Alpha is the older one, last in the list
	h.typeText("Alpha")
	h.keys("enter")
	if !strings.Contains(h.status, "Deleted Alpha") {
		t.Errorf("status after deleting on home: %q", h.status)
	}
	// Creating an engagement opens it with no message from home.
	h.status, h.infos = "", 0
	h.keys("n")
	h.typeText("Fresh")
	h.keys("ctrl+s")
	if len(h.opened) != 1 || h.infos != 0 {
		t.Errorf("create: opened %d, %d status messages from home", len(h.opened), h.infos)
	}
}

// Item 2: counts agree in number.
func TestCountsAgreeInNumber(t *testing.T) {
	s := openStore(t)
	addEngagements(t, s, "Alpha")
	h := newHarness(t, s, 80, 24)
	if v := h.screen(); !strings.Contains(v, "1 engagement\n") || strings.Contains(v, "1 engagements") {
		t.Errorf("one engagement:\n%s", v)
	}
	addEngagements(t, s, "Beta")
	h.run(h.update(common.DataChangedMsg{}))
	if v := h.screen(); !strings.Contains(v, "2 engagements") {
		t.Errorf("two engagements:\n%s", v)
	}
	h.keys("/")
	h.typeText("alp")
	if v := h.screen(); !strings.Contains(v, "1 of 2 engagements") {
		t.Errorf("filtered count:\n%s", v)
	}
	if got := common.Count(1, "file", "files") + "|" + common.Count(0, "file", "files") + "|" + common.Count(2, "file", "files"); got != "1 file|0 files|2 files" {
		t.Errorf("Count: %s", got)
	}
}

// Item 3: / filters as it is typed, esc clears it, and esc never quits from home.
func TestFilterAndEscape(t *testing.T) {
	s := openStore(t)
	addEngagements(t, s, "Northwind — ISMS", "Globex AI", "Initech")
	h := newHarness(t, s, 120, 40)
	h.keys("esc")
	if h.backs != 0 {
		t.Fatal("esc on home quits the workbench")
	}
	h.keys("/")
	if !h.m.Capturing() {
		t.Fatal("the filter does not take the keyboard")
	}
	h.typeText("northwind - i") // a plain hyphen finds the em dash
	v := h.screen()
	if !strings.Contains(v, "Northwind") || strings.Contains(v, "Globex") || strings.Contains(v, "Initech") {
		t.Fatalf("filter while typing:\n%s", v)
	}
	h.keys("enter")
	if h.m.Capturing() || !strings.Contains(h.screen(), "esc clears the filter") {
		t.Fatalf("enter keeps the filter and gives the keyboard back:\n%s", h.screen())
	}
	// q types nothing here: it quits, as the help says.
	h.keys("esc")
	v = h.screen()
	if !strings.Contains(v, "Globex") || !strings.Contains(v, "Initech") || h.backs != 0 {
		t.Fatalf("esc clears the filter (and does not quit):\n%s", v)
	}
	h.keys("q")
	if h.backs != 1 {
		t.Error("q does not quit")
	}
}

// Item 3: the short help leads with what matters; ? lists every key once in 80 columns.
func TestHelpLeadsWithOpenAndListsEachKeyOnce(t *testing.T) {
	s := openStore(t)
	addEngagements(t, s, "Alpha")
	h := newHarness(t, s, 80, 24)
	last := strings.Split(h.screen(), "\n")
	bar := last[len(last)-1]
	if !strings.HasPrefix(bar, "enter open") || !strings.Contains(bar, "? all keys") || strings.Contains(bar, "…") {
		t.Errorf("short help %q", bar)
	}
	full := common.FullHelp(h.c.Styles, append(h.m.KeyMap().FullHelp(), nil), 80)
	seen := map[string]bool{}
	for _, l := range strings.Split(tuitest.Plain(full), "\n") {
		if ansi.StringWidth(l) > 80 {
			t.Errorf("full help line wider than 80: %q", l)
		}
	}
	for _, g := range h.m.KeyMap().FullHelp() {
		for _, b := range g {
			if !b.Enabled() {
				continue
			}
			for _, k := range helpKeys(b.Help().Key) { // "↑/k" lists ↑ and k
				if seen[k] {
					t.Errorf("key %q listed twice", k)
				}
				seen[k] = true
			}
		}
	}
	for _, k := range []string{"enter", "n", "e", "d", "D", "/", "q"} {
		if !seen[k] {
			t.Errorf("full help lacks %q", k)
		}
	}
}

// BenchmarkKeyAndDraw: a cursor move and the frame drawn again over 10,000 engagements.
func BenchmarkKeyAndDraw(b *testing.B) {
	m := bigHome(b)
	down, up := tuitest.Key("j"), tuitest.Key("k")
	b.ResetTimer()
	for i := range b.N {
		k := down
		if i%2 == 1 {
			k = up
		}
		m.Update(k)
		_ = m.View()
	}
}

// BenchmarkFilterKey: one filter keystroke (and the redraw) over 10,000 engagements.
func BenchmarkFilterKey(b *testing.B) {
	m := bigHome(b)
	m.Update(tuitest.Key("/"))
	b.ResetTimer()
	for i := range b.N {
		if i%2 == 0 {
			m.Update(tuitest.Key("7"))
		} else {
			m.Update(tuitest.Key("backspace"))
		}
		_ = m.View()
	}
}

func bigHome(b *testing.B) *Model {
	s := openStore(b)
	m := New(newCommon(s, 120, 38))
	m.SetSize(120, 38)
	items := make([]item, 10000)
	for i := range items {
		e := assessments.Engagement{ID: fmt.Sprint(i), Name: fmt.Sprintf("Client %05d — ISMS", i), Organisation: "Org",
			Standards: []string{catalogs.ISO27001, catalogs.ISO42001}}
		items[i] = item{eng: e, readiness: map[string]assessments.Readiness{}, hay: fold(e.Name + " " + e.Organisation)}
	}
	m.seq = 1
	m.Update(loadedMsg{seq: 1, items: items})
	return m
}

// helpKeys are the keys a help entry names: "↑/k" is ↑ and k; "/" is itself.
func helpKeys(k string) []string {
	if k == "/" {
		return []string{k}
	}
	return strings.Split(k, "/")
}

func TestCursorStaysInPlaceAfterADeletion(t *testing.T) {
	s := openStore(t)
	addEngagements(t, s, "Alpha", "Beta", "Gamma", "Delta") // listed newest first
	h := newHarness(t, s, 80, 24)
	h.keys("j", "j") // Beta
	it, _ := h.m.current()
	if it.eng.Name != "Beta" {
		t.Fatalf("cursor on %q", it.eng.Name)
	}
	h.keys("d")
	h.typeText("beta")
	h.keys("enter")
	if it, _ := h.m.current(); it.eng.Name != "Alpha" {
		t.Errorf("after deleting Beta the cursor is on %q, want the row that took its place", it.eng.Name)
	}
	h.keys("d")
	h.typeText("alpha")
	h.keys("enter")
	if it, _ := h.m.current(); it.eng.Name != "Gamma" {
		t.Errorf("after deleting the last row the cursor is on %q, want the new last row", it.eng.Name)
	}
}
