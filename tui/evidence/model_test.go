package evidence

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/tuitest"
)

func plain(s string) string { return ansi.Strip(s) }

var sizes = [][2]int{{80, 24}, {120, 40}}

// tabSize is the tab's area in a terminal of size: the root takes a status and a help line,
// the engagement screen a header and a tab bar.
func tabSize(size [2]int) (int, int) { return size[0], size[1] - 4 }

func TestGoldenList(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := newFixture(t, size[0], size[1])
			w, h := tabSize(size)
			m, _ := f.tab(t, w, h)
			view := m.View()
			assertFits(t, view, w, h)
			golden.RequireEqual(t, []byte(plain(view)))
		})
	}
}

func TestGoldenDetail(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := newFixture(t, size[0], size[1])
			w, h := tabSize(size)
			m, r := f.tab(t, w, h)
			r.press("o", "o", "o", "o", "o") // order by state: the changed runbook first
			r.press("g", "enter")
			view := m.View()
			assertFits(t, view, w, h)
			golden.RequireEqual(t, []byte(plain(view)))
		})
	}
}

func TestGoldenForm(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := newFixture(t, size[0], size[1])
			w, h := tabSize(size)
			m, r := f.tab(t, w, h)
			r.press("e") // Access review Q1
			r.press("tab", "tab")
			view := m.View()
			assertFits(t, view, w, h)
			golden.RequireEqual(t, []byte(plain(view)))
		})
	}
}

func assertFits(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Errorf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide (max %d): %q", i+1, n, w, plain(l))
		}
	}
}

func titles(m *Model) []string {
	var out []string
	for _, r := range m.rows {
		out = append(out, m.items[r].Title)
	}
	return out
}

func TestOrderStateFilterAndTextFilter(t *testing.T) {
	f := newFixture(t, 100, 30)
	m, r := f.tab(t, 100, 30)
	if got := titles(m); len(got) != 6 || got[0] != "Access review Q1" {
		t.Fatalf("rows by title: %v", got)
	}
	r.press("j", "j")
	if m.cursor != 2 {
		t.Fatalf("cursor %d after jj", m.cursor)
	}
	// o orders by the next column; five times is the state: missing, changed, expired, expiring, ok.
	r.press("o", "o", "o", "o", "o")
	if m.sortBy != sortState {
		t.Fatalf("order %v", sortNames[m.sortBy])
	}
	got := titles(m)
	if got[0] != "Incident runbook" || got[1] != "Penetration test 2025" || got[2] != "Information security policy" {
		t.Fatalf("by state: %v", got)
	}
	if it, _ := m.selectedRow(); it.Title != "Incident runbook" {
		t.Fatalf("selection moved to %q", it.Title)
	}
	r.press("O")
	if titles(m)[0] == "Incident runbook" {
		t.Fatal("O did not reverse")
	}
	// s and S cycle the state filter forwards and backwards.
	r.press("s")
	if m.state != stateValid || len(m.rows) != 4 {
		t.Fatalf("valid: state %v rows %v", stateFilterNames[m.state], titles(m))
	}
	r.press("s", "s")
	if m.state != stateExpired || len(m.rows) != 1 || titles(m)[0] != "Penetration test 2025" {
		t.Fatalf("expired: %v", titles(m))
	}
	if v := plain(m.View()); !strings.Contains(v, "state: expired") || !strings.Contains(v, "1 of 6") {
		t.Fatalf("the filter is not shown:\n%s", v)
	}
	r.press("S")
	if m.state != stateExpiring || titles(m)[0] != "Information security policy" {
		t.Fatalf("S must go back to expiring: %v %v", stateFilterNames[m.state], titles(m))
	}
	r.press("S", "S")
	if m.state != stateAll {
		t.Fatalf("S from valid must reach all, got %v", stateFilterNames[m.state])
	}
	// While a filter is applied, esc is the tab's: it clears the filter.
	r.press("s")
	if !m.UsesEsc() || m.Capturing() {
		t.Fatalf("an applied filter: UsesEsc %v Capturing %v", m.UsesEsc(), m.Capturing())
	}
	r.press("esc")
	if m.state != stateAll || len(m.rows) != 6 || m.UsesEsc() {
		t.Fatal("esc must clear the state filter")
	}
	// / filters as you type.
	r.press("/")
	if !m.Capturing() {
		t.Fatal("filtering must capture keys")
	}
	r.typeText("pentest")
	if got := titles(m); len(got) != 1 || got[0] != "Penetration test 2025" {
		t.Fatalf("filter 'pentest': %v", got)
	}
	r.press("enter")
	if m.Capturing() || !m.UsesEsc() {
		t.Fatal("enter must keep the filter and leave the field")
	}
	if !strings.Contains(plain(m.View()), "1 of 6 · esc clears") {
		t.Fatalf("filter count not shown:\n%s", plain(m.View()))
	}
	r.press("esc")
	if len(m.rows) != 6 || m.filter.Value() != "" {
		t.Fatalf("esc must clear the filter: %d rows", len(m.rows))
	}
	// A filter nothing matches: keys move nothing and nothing breaks.
	r.press("/")
	r.typeText("zzzz")
	r.press("down", "up", "enter", "j", "e", "d", "enter", "r")
	if r.dialogs.Len() != 0 || m.mode != modeList || m.ed != nil {
		t.Fatalf("keys on an empty list acted: dialogs %d mode %v", r.dialogs.Len(), m.mode)
	}
}

func TestDetailShowsEveryLinkAndGoes(t *testing.T) {
	f := newFixture(t, 120, 40)
	m, r := f.tab(t, 120, 40)
	r.press("enter") // Access review Q1
	v := plain(m.View())
	for _, want := range []string{"ISO 27001 A.5.15", "ISO 27001 A.5.18", "ISO 42001 A.3.2", "Links (3)", "SHA-256"} {
		if !strings.Contains(v, want) {
			t.Errorf("detail lacks %q:\n%s", want, v)
		}
	}
	r.press("j", "enter")
	g, ok := has[common.GotoRequirementMsg](r.took())
	if !ok || g.Ref != "A.5.18" || g.Standard != catalogs.ISO27001 {
		t.Fatalf("goto %+v", g)
	}
	r.press("esc")
	if m.mode != modeList {
		t.Fatal("esc must return to the list")
	}
}

func TestNewFormValidatesAndKeepsText(t *testing.T) {
	f := newFixture(t, 100, 30)
	m, r := f.tab(t, 100, 30)
	before := len(m.items)
	r.press("n")
	if !m.Capturing() || m.ed == nil || m.ed.form.FocusKey() != kTitle {
		t.Fatal("n must open the form on the title and capture keys")
	}
	// Save straight away: title and path are missing (a document is a file).
	r.press("ctrl+s")
	if m.ed.form.Errors()[kTitle] == "" || m.ed.form.Errors()[kPath] == "" {
		t.Fatalf("errors %v", m.ed.form.Errors())
	}
	v := plain(m.View())
	if !strings.Contains(v, "The evidence needs a title.") || !strings.Contains(v, "give its path") {
		t.Fatalf("messages not shown next to the fields:\n%s", v)
	}
	// Type a title and a path that does not exist: the store refuses, the text stays.
	r.typeText("Backup restore test")
	if _, still := m.ed.form.Errors()[kTitle]; still {
		t.Fatal("the title's message must clear once it is valid")
	}
	m.ed.form.Focus(kPath)
	r.typeText(filepath.Join(f.dir, "missing.pdf"))
	r.press("ctrl+s")
	if msg := m.ed.form.Errors()[kPath]; !strings.Contains(msg, "does not exist") {
		t.Fatalf("path error %q", msg)
	}
	if m.ed.form.Value(kTitle) != "Backup restore test" {
		t.Fatal("typed title lost")
	}
	if items, _ := f.c.Store.Evidence(context.Background(), f.e.ID); len(items) != before {
		t.Fatal("something was written from bad input")
	}
	// Fix the path, pick two requirements from the list (filtered as typed), save.
	p := filepath.Join(f.dir, "restore.txt")
	os.WriteFile(p, []byte("restored ok"), 0o600)
	m.ed.form.Set(kPath, p)
	m.ed.form.Focus(kLinks)
	r.press("enter")
	r.typeText("a.8.13")
	r.press("space")
	for range len("a.8.13") {
		r.press("backspace")
	}
	r.typeText("2023:a.5.2") // space ticks in a pick list, so no spaces in this filter
	r.press("space", "enter")
	if got := m.ed.form.Value(kLinks); got != "iso27001-2022:A.8.13,iso42001-2023:A.5.2" {
		t.Fatalf("links picked %q", got)
	}
	r.press("ctrl+s")
	if m.ed != nil {
		t.Fatalf("form still open: %v %q", m.ed.form.Errors(), m.ed.general)
	}
	if got := info(r.took()); got != "Added evidence “Backup restore test”, linked to 2 requirements" {
		t.Fatalf("status %q", got)
	}
	if len(m.items) != before+1 {
		t.Fatalf("items %d, want %d", len(m.items), before+1)
	}
	it, _ := m.selectedRow()
	if it.Title != "Backup restore test" || !it.LinksTo(catalogs.ISO27001, "A.8.13") || !it.LinksTo(catalogs.ISO42001, "A.5.2") || !it.Kept {
		t.Fatalf("saved %+v", it)
	}
	if it.CollectedOn != "2026-03-10" || it.CollectedBy != "Priya" {
		t.Fatalf("collected %q by %q", it.CollectedOn, it.CollectedBy)
	}
}

func TestFormKindHidesFieldsAndAsksBeforeDiscarding(t *testing.T) {
	f := newFixture(t, 100, 30)
	m, r := f.tab(t, 100, 30)
	r.press("n")
	r.typeText("Wiki page")
	if v := plain(m.View()); !strings.Contains(v, "File path") || strings.Contains(v, "Web address") {
		t.Fatalf("a document asks for a file, not an address:\n%s", v)
	}
	r.press("tab", "right", "right", "right") // document → record → screenshot → link
	if m.ed.form.Value(kKind) != string(assessments.KindLink) {
		t.Fatalf("kind %q", m.ed.form.Value(kKind))
	}
	if v := plain(m.View()); strings.Contains(v, "File path") || !strings.Contains(v, "Web address") {
		t.Fatalf("a link asks for an address, not a file:\n%s", v)
	}
	m.ed.form.Focus(kURL)
	r.typeText("intranet/wiki")
	r.press("ctrl+s")
	if !strings.Contains(m.ed.form.Errors()[kURL], "not a web address") || m.ed.form.Errors()[kPath] != "" {
		t.Fatalf("errs %v", m.ed.form.Errors())
	}
	// Esc with typed text asks before dropping it.
	r.press("esc")
	if m.ed == nil || !m.ed.form.Asking() {
		t.Fatal("esc must ask before discarding typed text")
	}
	r.press("n")
	if m.ed == nil || m.ed.form.Value(kURL) != "intranet/wiki" {
		t.Fatal("text lost after declining to discard")
	}
	r.press("esc", "y")
	if m.ed != nil || m.Capturing() || m.mode != modeList {
		t.Fatal("form still open after discarding")
	}
}

func TestEditSavesRelinksAndUndoes(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	m, r := f.tab(t, 100, 30)
	r.press("e") // Access review Q1
	if got := m.ed.form.Value(kLinks); got != "iso27001-2022:A.5.15,iso27001-2022:A.5.18,iso42001-2023:A.3.2" {
		t.Fatalf("links field %q", got)
	}
	r.typeText(" (signed)")
	m.ed.form.Focus(kLinks)
	r.press("enter")
	// The list opens on what the item is linked to.
	v := plain(m.View())
	for _, want := range []string{"▸ [x] ISO 27001 A.5.15", "  [x] ISO 27001 A.5.18", "  [x] ISO 42001 A.3.2", "  [ ] ISO 27001 4.1"} {
		if !strings.Contains(v, want) {
			t.Errorf("pick list lacks %q:\n%s", want, v)
		}
	}
	r.typeText("a.5.18")
	r.press("space", "enter") // untick
	r.press("ctrl+s")
	if m.ed != nil {
		t.Fatalf("form still open: %v %q", m.ed.form.Errors(), m.ed.general)
	}
	if got := info(r.took()); got != "Saved evidence “Access review Q1 (signed)”" {
		t.Fatalf("status %q", got)
	}
	it, _ := f.c.Store.EvidenceItem(ctx, f.ids["Access review Q1"])
	if it.Title != "Access review Q1 (signed)" || it.LinksTo(catalogs.ISO27001, "A.5.18") || !it.LinksTo(catalogs.ISO27001, "A.5.15") {
		t.Fatalf("after edit %+v", it)
	}
	// z takes the edit back through the store: the title and the link return.
	if f.c.Undo.Len() != 1 {
		t.Fatalf("undo entries %d", f.c.Undo.Len())
	}
	r.undo()
	it, _ = f.c.Store.EvidenceItem(ctx, f.ids["Access review Q1"])
	if it.Title != "Access review Q1" || !it.LinksTo(catalogs.ISO27001, "A.5.18") || len(it.Links) != 3 {
		t.Fatalf("after undo %+v", it)
	}
	if sel, _ := m.selectedRow(); sel.Title != "Access review Q1" {
		t.Fatalf("the tab shows %q after the undo", sel.Title)
	}
	// A new item is not undoable.
	r.press("n")
	r.typeText("Observation of the server room")
	r.press("tab", "left") // observation
	r.press("ctrl+s")
	if m.ed != nil || f.c.Undo.Len() != 0 {
		t.Fatalf("a creation must not be undoable: form %v entries %d", m.ed != nil, f.c.Undo.Len())
	}
}

// TestSaveIsOneTransaction: the fields and the link edits of one save land together; when
// a link cannot be made (its risk was deleted meanwhile) nothing is written and the form
// keeps what was typed.
func TestSaveIsOneTransaction(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	risk := f.risk(t, "Access creep")
	m, r := f.tab(t, 100, 30)
	r.press("e") // Access review Q1
	r.typeText(" v2")
	m.ed.form.Focus(kLinks)
	r.press("enter")
	r.typeText("a.5.18")
	r.press("space") // untick
	for range len("a.5.18") {
		r.press("backspace")
	}
	r.typeText("creep")
	r.press("space", "enter")
	if !strings.Contains(m.ed.form.Value(kLinks), "risk:"+risk.ID) {
		t.Fatalf("risk not ticked: %q", m.ed.form.Value(kLinks))
	}
	changes := countChanges(t, f)
	if err := f.c.Store.DeleteRisk(ctx, risk.ID); err != nil {
		t.Fatal(err)
	}
	changes = countChanges(t, f)
	r.press("ctrl+s")
	if m.ed == nil {
		t.Fatal("a refused save closed the form")
	}
	it, _ := f.c.Store.EvidenceItem(ctx, f.ids["Access review Q1"])
	if it.Title != "Access review Q1" || !it.LinksTo(catalogs.ISO27001, "A.5.18") {
		t.Fatalf("part of a refused save was written: %q %v", it.Title, it.Links)
	}
	if n := countChanges(t, f); n != changes {
		t.Fatalf("a refused save left %d history rows", n-changes)
	}
	if m.ed.form.Value(kTitle) != "Access review Q1 v2" {
		t.Fatal("the typed title was lost")
	}
	if v := plain(m.View()); !strings.Contains(v, "no risk") {
		t.Fatalf("the refusal is not shown:\n%s", v)
	}
}

// realPath gives an item its real file back (the fixture moved the paths to a fixed folder
// for the golden views).
func (f *fixture) realPath(t *testing.T, title, name string) {
	t.Helper()
	if _, err := f.c.Store.DB().Exec("UPDATE evidence SET path = ? WHERE id = ?", filepath.Join(f.dir, name), f.ids[title]); err != nil {
		t.Fatal(err)
	}
}

func countChanges(t *testing.T, f *fixture) int {
	t.Helper()
	var n int
	if err := f.c.Store.DB().QueryRow("SELECT count(*) FROM changes").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) risk(t *testing.T, title string) assessments.Risk {
	t.Helper()
	r, err := f.c.Store.CreateRisk(context.Background(), assessments.Risk{EngagementID: f.e.ID, Title: title, Scope: assessments.ScopeSecurity,
		Approach: assessments.ApproachEvent, Scenario: "Leavers keep access.", Owner: "Tomás", Inherent: assessments.Score{Likelihood: 3, Consequence: 3},
		Properties: []string{assessments.PropConfidentiality}, Treatment: assessments.TreatModify, TreatmentPlan: "Quarterly review", Status: assessments.RiskOpen})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDeleteAsksInADialogNamingTheItem(t *testing.T) {
	f := newFixture(t, 100, 30)
	m, r := f.tab(t, 100, 30)
	r.press("d")
	d := r.front()
	if d == nil {
		t.Fatal("d must open a confirmation")
	}
	v := plain(d.View(100, 28))
	for _, want := range []string{"Delete evidence “Access review Q1”?", "3 links go with it", "ISO 27001 A.5.15", "A.3.2", "copy kept"} {
		if !strings.Contains(v, want) {
			t.Errorf("question lacks %q:\n%s", want, v)
		}
	}
	r.press("n")
	if len(m.items) != 6 || r.front() != nil {
		t.Fatal("n must keep the item and close the question")
	}
	r.press("d", "y")
	if len(m.items) != 5 || r.front() != nil {
		t.Fatalf("items after delete %d", len(m.items))
	}
	if got := info(r.took()); got != "Deleted evidence “Access review Q1” and its 3 links" {
		t.Fatalf("status %q", got)
	}
	// From the detail too, and the tab returns to the list.
	r.press("enter", "d", "y")
	if m.mode != modeList || len(m.items) != 4 {
		t.Fatalf("mode %v items %d", m.mode, len(m.items))
	}
}

func TestCheckRunsAsyncAndFlags(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	p := filepath.Join(f.dir, "real.txt")
	os.WriteFile(p, []byte("v1"), 0o600)
	it, _ := f.c.Store.EvidenceItem(ctx, f.ids["Penetration test 2025"])
	next := it
	next.Path = p
	if _, err := f.c.Store.UpdateEvidence(ctx, it, next, storeOpts()); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p, []byte("v2"), 0o600)
	m, r := f.tab(t, 100, 30)
	// The key starts the check; the screen shows progress and stays responsive.
	_, cmd := m.Update(keyPress("c"))
	if !m.checking {
		t.Fatal("c must start the check")
	}
	if !strings.Contains(plain(m.View()), "Checking files") {
		t.Fatalf("no progress shown:\n%s", plain(m.View()))
	}
	r.press("j") // keys still work while checking
	r.run(cmd)
	if m.checking {
		t.Fatal("check did not finish")
	}
	v := plain(m.View())
	if !strings.Contains(v, "Checked 4 files: 0 unchanged, 1 changed, 3 missing") {
		t.Fatalf("result not shown:\n%s", v)
	}
	got, _ := f.c.Store.EvidenceItem(ctx, f.ids["Penetration test 2025"])
	if got.Integrity != assessments.IntegrityChanged {
		t.Fatalf("integrity %q", got.Integrity)
	}
}

func TestReattachAsksFirst(t *testing.T) {
	f := newFixture(t, 100, 30)
	f.realPath(t, "Incident runbook", "runbook.md")
	m, r := f.tab(t, 100, 30)
	r.press("r") // Access review Q1: unchanged
	if r.front() != nil || !strings.Contains(info(r.took()), "only a changed file needs accepting") {
		t.Fatal("an unchanged file has nothing to accept")
	}
	m.selectID(f.ids["Incident runbook"])
	r.press("r")
	if r.front() == nil || !strings.Contains(plain(r.front().View(100, 28)), "Accept the changed file of “Incident runbook”?") {
		t.Fatal("r must ask, naming the item")
	}
	r.press("esc")
	if it, _ := f.c.Store.EvidenceItem(context.Background(), f.ids["Incident runbook"]); it.Integrity != assessments.IntegrityChanged {
		t.Fatal("esc accepted the file")
	}
	r.press("r", "y")
	if it, _ := f.c.Store.EvidenceItem(context.Background(), f.ids["Incident runbook"]); it.Integrity != assessments.IntegrityOK {
		t.Fatalf("integrity %q after yes", it.Integrity)
	}
}

func TestExportKeptCopiesThroughADialog(t *testing.T) {
	f := newFixture(t, 100, 30)
	_, r := f.tab(t, 100, 30)
	r.press("x")
	d, ok := r.front().(*dialog.Form)
	if !ok {
		t.Fatalf("x must open the export dialog, front is %T", r.front())
	}
	// A file where the folder should be: the dialog stays with the reason.
	blocker := filepath.Join(f.dir, "not-a-folder")
	os.WriteFile(blocker, []byte("x"), 0o600)
	d.Inner().Set("dir", blocker)
	r.press("enter")
	if r.front() == nil || !strings.Contains(plain(r.front().View(100, 28)), "!") {
		t.Fatalf("a failed export must keep the dialog with its reason:\n%s", plain(d.View(100, 28)))
	}
	out := filepath.Join(f.dir, "export")
	d.Inner().Set("dir", out)
	r.press("enter")
	if r.front() != nil {
		t.Fatal("the dialog must close once the files are written")
	}
	entries, err := os.ReadDir(out)
	if err != nil || len(entries) != 4 {
		t.Fatalf("exported %v %v", entries, err)
	}
	if got := info(r.took()); got != "Wrote 4 files to "+out {
		t.Fatalf("status %q", got)
	}
}

func TestSectionAndRowMarks(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	// The runbook changed: both requirements it supports warn.
	for _, q := range []struct{ std, ref string }{{catalogs.ISO27001, "A.5.24"}, {catalogs.ISO42001, "A.8.4"}} {
		sec, err := Section(ctx, f.c, f.e, q.std, q.ref)
		if err != nil {
			t.Fatal(err)
		}
		if !sec.Warn || len(sec.Lines) == 0 || !strings.Contains(sec.Lines[0], "Incident runbook") || !strings.Contains(sec.Lines[0], "file changed") {
			t.Fatalf("%s %s: %+v", q.std, q.ref, sec)
		}
	}
	sec, _ := Section(ctx, f.c, f.e, catalogs.ISO27001, "A.5.15")
	if sec.Warn || len(sec.Lines) != 1 || !strings.Contains(sec.Lines[0], "Access review Q1") {
		t.Fatalf("A.5.15: %+v", sec)
	}
	sec, _ = Section(ctx, f.c, f.e, catalogs.ISO27001, "A.8.8")
	if !sec.Warn || !strings.Contains(sec.Lines[0], "expired") {
		t.Fatalf("A.8.8 (expired pen test): %+v", sec)
	}
	sec, _ = Section(ctx, f.c, f.e, catalogs.ISO27001, "A.5.2")
	if len(sec.Lines) != 0 {
		t.Fatalf("nothing attached and not implemented must be empty: %+v", sec)
	}
	marks, err := RowMarks(ctx, f.c, f.e, catalogs.ISO27001)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A.5.24": MarkFlagged, "A.8.8": MarkFlagged}
	for ref, mk := range want {
		if marks[ref] != mk {
			t.Errorf("mark %s = %q, want %q", ref, marks[ref], mk)
		}
	}
	for _, ref := range []string{"A.5.15", "A.5.18", "5.2", "A.8.15"} {
		if marks[ref] != "" {
			t.Errorf("%s has valid evidence but is marked %q", ref, marks[ref])
		}
	}
	if marks["A.5.1"] != "" {
		t.Errorf("A.5.1 has the (expiring, still valid) policy: %q", marks["A.5.1"])
	}
	m42, _ := RowMarks(ctx, f.c, f.e, catalogs.ISO42001)
	if m42["A.8.4"] != MarkFlagged || m42["A.6.2.4"] != "" {
		t.Fatalf("42001 marks %v", m42)
	}
	// Delete the interview: A.6.2.4 is implemented with nothing left.
	f.c.Store.DeleteEvidence(ctx, f.ids["Interview: clinical safety officer"])
	m42, _ = RowMarks(ctx, f.c, f.e, catalogs.ISO42001)
	if m42["A.6.2.4"] != MarkUnevidenced {
		t.Fatalf("42001 A.6.2.4 mark %q", m42["A.6.2.4"])
	}
	sec, _ = Section(ctx, f.c, f.e, catalogs.ISO42001, "A.6.2.4")
	if len(sec.Lines) != 1 || !strings.Contains(sec.Lines[0], "None attached") {
		t.Fatalf("A.6.2.4 section %+v", sec)
	}
}

func TestEditKeepsAMultiLineDescription(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	it, _ := f.c.Store.EvidenceItem(ctx, f.ids["Access review Q1"])
	next := it
	next.Description = "Line one.\nLine two."
	if _, err := f.c.Store.UpdateEvidence(ctx, it, next, storeOpts()); err != nil {
		t.Fatal(err)
	}
	m, r := f.tab(t, 100, 30)
	r.press("e")
	r.typeText("!")
	r.press("tab", "tab")
	if m.ed.form.FocusKey() != kDescription {
		t.Fatalf("focus %q, want the description", m.ed.form.FocusKey())
	}
	r.typeText("Zero. ")
	r.press("enter")
	if m.ed.form.FocusKey() != kDescription {
		t.Fatal("enter left the description")
	}
	r.press("ctrl+s")
	if m.ed != nil {
		t.Fatalf("form still open: %v %q", m.ed.form.Errors(), m.ed.general)
	}
	got, _ := f.c.Store.EvidenceItem(ctx, it.ID)
	if got.Title != "Access review Q1!" || !strings.Contains(got.Description, "Line one.\nLine two.") || strings.Count(got.Description, "\n") != 2 {
		t.Fatalf("after edit: title %q description %q", got.Title, got.Description)
	}
}

func TestFormLinksRisks(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	risk := f.risk(t, "Access creep")
	m, r := f.tab(t, 100, 30)
	r.press("e")
	m.ed.form.Focus(kLinks)
	r.press("enter")
	r.typeText(strings.ToLower(risk.Ref))
	r.press("space", "enter", "ctrl+s")
	if m.ed != nil {
		t.Fatalf("form still open: %v %q", m.ed.form.Errors(), m.ed.general)
	}
	got, _ := f.c.Store.EvidenceItem(ctx, f.ids["Access review Q1"])
	if len(got.Links) != 4 || got.Links[3].Target != assessments.LinkRisk || got.Links[3].Ref != risk.ID {
		t.Fatalf("links %+v", got.Links)
	}
	// Reopened, the field names the risk by its ref, and the detail by ref and title.
	r.press("e")
	if v := plain(m.View()); !strings.Contains(v, "Risk "+risk.Ref) {
		t.Fatalf("form:\n%s", v)
	}
	r.press("esc", "enter")
	if v := plain(m.View()); !strings.Contains(v, "Risk "+risk.Ref+" Access creep") {
		t.Fatalf("detail:\n%s", v)
	}
}

func TestCapturingKeepsEscInsideTheTab(t *testing.T) {
	f := newFixture(t, 100, 30)
	m, r := f.tab(t, 100, 30)
	if m.Capturing() || m.UsesEsc() {
		t.Fatal("the table must let the engagement screen have q, esc and [ ]")
	}
	r.press("enter")
	if !m.Capturing() {
		t.Fatal("the detail must keep esc and q for itself")
	}
	r.press("q")
	if m.mode != modeList || m.Capturing() {
		t.Fatal("q in the detail must return to the table")
	}
}

func TestFlushDraftsSavesAnOpenFormOnce(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	m, r := f.tab(t, 100, 30)
	r.press("e")
	r.typeText(" (final)")
	if err := m.FlushDrafts(); err != nil {
		t.Fatal(err)
	}
	got, _ := f.c.Store.EvidenceItem(ctx, f.ids["Access review Q1"])
	if got.Title != "Access review Q1 (final)" {
		t.Fatalf("title %q", got.Title)
	}
	// Typing on and saving after a flush edits the same item.
	r.typeText("!")
	r.press("ctrl+s")
	if got, _ := f.c.Store.EvidenceItem(ctx, f.ids["Access review Q1"]); got.Title != "Access review Q1 (final)!" || m.ed != nil {
		t.Fatalf("title %q after save following a flush", got.Title)
	}
	// A new item flushed twice is one item.
	r.press("n")
	r.typeText("Interview notes")
	r.press("tab", "left", "left") // interview
	if err := m.FlushDrafts(); err != nil {
		t.Fatal(err)
	}
	if err := m.FlushDrafts(); err != nil {
		t.Fatal(err)
	}
	r.press("ctrl+s")
	items, _ := f.c.Store.Evidence(ctx, f.e.ID)
	n := 0
	for _, it := range items {
		if it.Title == "Interview notes" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d items after flushing a new form twice and saving", n)
	}
	// A new form without a title cannot be saved, and flushing it is not an error.
	r.press("n")
	if m.UnsavedWork() != "" {
		t.Fatal("an untouched form is no unsaved work")
	}
	r.press("tab", "right")
	if m.UnsavedWork() == "" {
		t.Fatal("a changed form without a title is unsaved work")
	}
	if err := m.FlushDrafts(); err != nil {
		t.Fatal(err)
	}
}

func TestFormShowsEscapesInertAndKeepsThem(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	it, _ := f.c.Store.EvidenceItem(ctx, f.ids["Access review Q1"])
	next := it
	next.Title = "Review \x1b[31mred\x1b[0m"
	if _, err := f.c.Store.UpdateEvidence(ctx, it, next, storeOpts()); err != nil {
		t.Fatal(err)
	}
	m, r := f.tab(t, 100, 30)
	if strings.Contains(m.View(), "\x1b[31mred") {
		t.Fatal("an escape sequence from a title reached the screen")
	}
	m.selectID(it.ID)
	r.press("e")
	if strings.Contains(m.View(), "\x1b[31mred") || m.ed.form.Value(kTitle) != "Review ^[[31mred^[[0m" {
		t.Fatalf("form field %q", m.ed.form.Value(kTitle))
	}
	// Saving another field leaves the stored title as it was.
	m.ed.form.Set(kCollectedBy, "Someone else")
	r.press("ctrl+s")
	got, _ := f.c.Store.EvidenceItem(ctx, it.ID)
	if got.Title != next.Title || got.CollectedBy != "Someone else" {
		t.Fatalf("title %q by %q", got.Title, got.CollectedBy)
	}
}

func TestKeepACopyToggle(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	f.realPath(t, "Access review Q1", "access-review-q1.csv")
	it, _ := f.c.Store.EvidenceItem(ctx, f.ids["Access review Q1"])
	m, r := f.tab(t, 100, 30)
	r.press("e")
	if m.ed.form.Value(kKept) != "yes" {
		t.Fatalf("kept %q", m.ed.form.Value(kKept))
	}
	m.ed.form.Focus(kKept)
	r.press("right", "ctrl+s")
	got, _ := f.c.Store.EvidenceItem(ctx, it.ID)
	if got.Kept || m.ed != nil {
		t.Fatal("no must drop the kept copy")
	}
	if _, data, _ := f.c.Store.KeptCopy(ctx, it.ID); data != nil {
		t.Fatal("the copy is still kept")
	}
	r.undo()
	if got, _ := f.c.Store.EvidenceItem(ctx, it.ID); !got.Kept {
		t.Fatal("undo must keep the copy again")
	}
}

func TestJumpTargetsAndRestore(t *testing.T) {
	f := newFixture(t, 100, 30)
	m, r := f.tab(t, 100, 30)
	targets, err := m.JumpTargets(context.Background())
	if err != nil || len(targets) != 6 {
		t.Fatalf("targets %v %v", targets, err)
	}
	var runbook common.GotoMsg
	for _, tg := range targets {
		if tg.Kind != "evidence" {
			t.Errorf("kind %q", tg.Kind)
		}
		if strings.HasPrefix(tg.Label, "Incident runbook") {
			runbook = tg.Msg.(common.GotoMsg)
		}
	}
	if runbook.Tab != m.Address() || runbook.Item != f.ids["Incident runbook"] {
		t.Fatalf("target %+v", runbook)
	}
	// A filter that hides it is cleared; the detail returns to the list.
	r.press("s") // valid only: the changed runbook is hidden
	r.press("enter")
	m.Restore(runbook.Item)
	if it, ok := m.selectedRow(); !ok || it.Title != "Incident runbook" || m.mode != modeList || m.filtered() {
		t.Fatalf("selected %q mode %v filtered %v", it.Title, m.mode, m.filtered())
	}
	if m.Location() != runbook.Item {
		t.Fatalf("location %q", m.Location())
	}
	// Before the tab is loaded, the item is selected when the load arrives.
	fresh := newModel(f.c, f.e)
	fresh.SetSize(100, 30)
	rr := newRoot(t, f.c, fresh)
	fresh.Restore(runbook.Item)
	rr.run(fresh.Activate())
	if it, _ := fresh.selectedRow(); it.Title != "Incident runbook" {
		t.Fatalf("after load: %q", it.Title)
	}
}

func TestResultsAreAddressedToTheTab(t *testing.T) {
	f := newFixture(t, 100, 30)
	m := newModel(f.c, f.e)
	env, ok := m.Activate()().(common.Envelope)
	if !ok || env.To != m.Address() || env.To != f.e.ID+"/evidence" {
		t.Fatalf("load result %#v", env)
	}
	// A result for an earlier load is dropped.
	m.Update(env.Msg)
	seq := m.loadSeq
	m.load()
	m.Update(env.Msg)
	if m.loadSeq != seq+1 {
		t.Fatal("sequence")
	}
}

func TestHelpListsEachKeyOnce(t *testing.T) {
	f := newFixture(t, 100, 30)
	m, r := f.tab(t, 100, 30)
	check := func(where string) {
		t.Helper()
		seen := map[string]bool{}
		for _, g := range m.KeyMap().FullHelp() {
			for _, b := range g {
				if b.Help().Key == "" || b.Help().Desc == "" {
					t.Errorf("%s: a binding without help: %v", where, b.Keys())
				}
				id := strings.Join(b.Keys(), " ")
				if seen[id] {
					t.Errorf("%s: %q listed twice", where, id)
				}
				seen[id] = true
			}
		}
		if len(m.KeyMap().ShortHelp()) == 0 {
			t.Errorf("%s: no short help", where)
		}
	}
	check("list")
	r.press("s")
	check("filtered list")
	if m.KeyMap().ShortHelp()[0].Help().Desc != "clear filter" {
		t.Error("with a filter applied, esc clears it first")
	}
	r.press("esc", "enter")
	check("detail")
	r.press("e")
	check("form")
}

func TestCountsAgreeInNumber(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	for title, id := range f.ids {
		if title != "Penetration test 2025" {
			f.c.Store.DeleteEvidence(ctx, id)
		}
	}
	m, r := f.tab(t, 100, 30)
	if v := plain(m.View()); !strings.Contains(v, "1 item ·") {
		t.Fatalf("header:\n%s", v)
	}
	r.press("d", "y")
	if got := info(r.took()); got != "Deleted evidence “Penetration test 2025” and its 1 link" {
		t.Fatalf("status %q", got)
	}
	if v := plain(m.View()); !strings.Contains(v, "0 items") {
		t.Fatalf("header:\n%s", v)
	}
}

// The seeded random-key tests press thousands of keys (no quit keys) and paste odd text;
// nothing may panic and the workspace must stay sound.
var randomKeys = []string{"j", "k", "g", "G", "enter", "esc", "q", "/", "s", "S", "o", "O", "n", "e", "d", "y", "n", "c", "x", "r",
	"tab", "shift+tab", "up", "down", "left", "right", "pgup", "pgdown", "space", "backspace", "ctrl+s", "ctrl+x", "t", "a", "1", "?", "z", ":", "[", "]"}

var pastes = []string{"", "\x1b[31mred\x1b[0m", "line\nbreak", strings.Repeat("ü", 300), "https://intranet.example/p", "/no/such/file.pdf", "A.5.15, risk:R-001", "\t", "2027-02-30"}

func TestRandomKeysOverTheTab(t *testing.T) {
	f := newFixture(t, 100, 30)
	m, r := f.tab(t, 100, 30)
	rng := newRand(t, 7)
	for i := range 4000 {
		switch n := rng.Intn(60); {
		case n < 2:
			r.press("esc", "y", "esc") // out of a form (discarding) and a dialog, as a person would
		case n < 4:
			r.send(tea.PasteMsg{Content: pastes[rng.Intn(len(pastes))]})
		default:
			r.send(keyPress(randomKeys[rng.Intn(len(randomKeys))]))
		}
		if i%50 == 0 {
			m.SetSize(80+rng.Intn(60), 20+rng.Intn(30))
		}
		if d := r.front(); d != nil {
			_ = d.View(100, 28)
		}
		_ = m.View()
	}
	tuitest.CheckFileAndChain(t, f.c.Store) // the fixture moves the files' paths behind the store's back
}
