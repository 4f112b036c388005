package evidence

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
)

func plain(s string) string { return ansi.Strip(s) }

func ansiPlain(s string) string { return ansi.Strip(s) }

func TestGoldenList(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := newFixture(t, size[0], size[1])
			m := f.tab(t, size[0], size[1])
			view := m.View()
			assertFits(t, view, size[0], size[1])
			golden.RequireEqual(t, []byte(plain(view)))
		})
	}
}

func TestGoldenDetail(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := newFixture(t, size[0], size[1])
			m := f.tab(t, size[0], size[1])
			s, _ := press(t, m, "s", "s", "s", "s", "s") // sort by state: the changed runbook first
			s, _ = press(t, s, "g", "enter")
			view := s.View()
			assertFits(t, view, size[0], size[1])
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

func TestSortFilterAndMove(t *testing.T) {
	f := newFixture(t, 100, 30)
	m := f.tab(t, 100, 30)
	if got := titles(m); len(got) != 6 || got[0] != "Access review Q1" {
		t.Fatalf("rows by title: %v", got)
	}
	s, _ := press(t, m, "j", "j")
	if m.cursor != 2 {
		t.Fatalf("cursor %d after jj", m.cursor)
	}
	// Sort by state: missing, changed, expired, expiring, ok.
	s, _ = press(t, s, "s", "s", "s", "s", "s")
	if m.sortBy != sortState {
		t.Fatalf("sort %v", sortNames[m.sortBy])
	}
	got := titles(m)
	if got[0] != "Incident runbook" || got[1] != "Penetration test 2025" || got[2] != "Information security policy" {
		t.Fatalf("by state: %v", got)
	}
	// The cursor stayed on the item it was on.
	if it, _ := m.selectedRow(); it.Title != "Incident runbook" {
		t.Fatalf("selection moved to %q", it.Title)
	}
	s, _ = press(t, s, "S")
	if titles(m)[0] == "Incident runbook" {
		t.Fatal("S did not reverse")
	}
	// Filter as you type.
	s, _ = press(t, s, "/")
	if !m.Capturing() {
		t.Fatal("filtering must capture keys")
	}
	s = typeText(t, s, "pentest")
	if got := titles(m); len(got) != 1 || got[0] != "Penetration test 2025" {
		t.Fatalf("filter 'pentest': %v", got)
	}
	s, _ = press(t, s, "enter")
	if m.Capturing() {
		t.Fatal("enter must leave the filter field")
	}
	if !strings.Contains(plain(s.View()), "1 of 6") {
		t.Fatalf("filter count not shown:\n%s", plain(s.View()))
	}
	s, _ = press(t, s, "esc")
	if len(m.rows) != 6 {
		t.Fatalf("esc must clear the filter: %d rows", len(m.rows))
	}
}

func TestDetailShowsEveryLinkAndGoes(t *testing.T) {
	f := newFixture(t, 120, 40)
	m := f.tab(t, 120, 40)
	s, _ := press(t, m, "enter") // Access review Q1
	v := plain(s.View())
	for _, want := range []string{"ISO 27001 A.5.15", "ISO 27001 A.5.18", "ISO 42001 A.3.2", "Links (3)", "SHA-256"} {
		if !strings.Contains(v, want) {
			t.Errorf("detail lacks %q:\n%s", want, v)
		}
	}
	s, out := press(t, s, "j", "enter")
	if len(out) != 1 {
		t.Fatalf("enter on a link sent %v", out)
	}
	if g, ok := out[0].(common.GotoRequirementMsg); !ok || g.Ref != "A.5.18" || g.Standard != catalogs.ISO27001 {
		t.Fatalf("goto %+v", out[0])
	}
	s, _ = press(t, s, "esc")
	if m.mode != modeList {
		t.Fatal("esc must return to the list")
	}
}

func TestNewFormValidatesEachFieldAndKeepsText(t *testing.T) {
	f := newFixture(t, 100, 30)
	m := f.tab(t, 100, 30)
	before := len(m.items)
	s, _ := press(t, m, "n")
	if !m.Capturing() || m.form == nil {
		t.Fatal("n must open the form and capture keys")
	}
	// Save straight away: title and path are missing (a document is a file).
	s, _ = press(t, s, "ctrl+s")
	if m.form.errs["title"] == "" || m.form.errs["path"] == "" {
		t.Fatalf("errors %v", m.form.errs)
	}
	v := plain(s.View())
	if !strings.Contains(v, "The evidence needs a title.") || !strings.Contains(v, "give its path") {
		t.Fatalf("messages not shown next to the fields:\n%s", v)
	}
	// Type a title and a path that does not exist: the store refuses, the text stays.
	s = typeText(t, s, "Backup restore test")
	s, _ = press(t, s, "tab", "tab")
	s = typeText(t, s, filepath.Join(f.dir, "missing.pdf"))
	s, _ = press(t, s, "ctrl+s")
	if msg := m.form.errs["path"]; !strings.Contains(msg, "does not exist") {
		t.Fatalf("path error %q", msg)
	}
	if m.form.inputs[fTitle].Value() != "Backup restore test" {
		t.Fatal("typed title lost")
	}
	items, _ := f.c.Store.Evidence(context.Background(), f.e.ID)
	if len(items) != before {
		t.Fatal("something was written from bad input")
	}
	// Fix the path, list requirements (one ambiguous), save.
	p := filepath.Join(f.dir, "restore.txt")
	os.WriteFile(p, []byte("restored ok"), 0o600)
	m.form.inputs[fPath].SetValue(p)
	m.form.focusField(fLinks)
	s = typeText(t, s, "A.8.13, A.5.2")
	s, _ = press(t, s, "ctrl+s")
	if !strings.Contains(m.form.errs["links"], "iso42001-2023:A.5.2") {
		t.Fatalf("ambiguous ref not explained: %q", m.form.errs["links"])
	}
	m.form.inputs[fLinks].SetValue("A.8.13, iso42001-2023:A.5.2")
	s, _ = press(t, s, "ctrl+s")
	if m.form != nil {
		t.Fatalf("form still open: %v %q", m.form.errs, m.form.general)
	}
	if len(m.items) != before+1 {
		t.Fatalf("items %d, want %d", len(m.items), before+1)
	}
	it, _ := m.selectedRow()
	if it.Title != "Backup restore test" || !it.LinksTo(catalogs.ISO27001, "A.8.13") || !it.LinksTo(catalogs.ISO42001, "A.5.2") || !it.Kept {
		t.Fatalf("saved %+v", it)
	}
	if !strings.Contains(plain(s.View()), "Added “Backup restore test”") {
		t.Fatalf("no confirmation:\n%s", plain(s.View()))
	}
}

func TestFormLinkKindNeedsAWebAddress(t *testing.T) {
	f := newFixture(t, 100, 30)
	m := f.tab(t, 100, 30)
	s, _ := press(t, m, "n")
	s = typeText(t, s, "Wiki page")
	s, _ = press(t, s, "tab", "l") // kind: link (first letter)
	if m.form.kind != assessments.KindLink {
		t.Fatalf("kind %q", m.form.kind)
	}
	s, _ = press(t, s, "tab", "tab")
	s = typeText(t, s, "intranet/wiki")
	s, _ = press(t, s, "ctrl+s")
	if !strings.Contains(m.form.errs["url"], "not a web address") || m.form.errs["path"] != "" {
		t.Fatalf("errs %v", m.form.errs)
	}
	// Esc with typed text asks before dropping it.
	s, _ = press(t, s, "esc")
	if m.form == nil || !m.form.discard {
		t.Fatal("esc must ask before discarding typed text")
	}
	s, _ = press(t, s, "n")
	if m.form == nil || m.form.inputs[fURL].Value() != "intranet/wiki" {
		t.Fatal("text lost after declining to discard")
	}
	s, _ = press(t, s, "esc", "y")
	if m.form != nil || m.Capturing() {
		t.Fatal("form still open after discarding")
	}
	_ = s
}

func TestEditSavesAndRelinks(t *testing.T) {
	f := newFixture(t, 100, 30)
	m := f.tab(t, 100, 30)
	s, _ := press(t, m, "e") // Access review Q1
	if m.form == nil || m.form.inputs[fLinks].Value() != "A.5.15, A.5.18, A.3.2" {
		t.Fatalf("links field %q", m.form.inputs[fLinks].Value())
	}
	s = typeText(t, s, " (signed)")
	m.form.inputs[fLinks].SetValue("A.5.15, A.3.2")
	s, _ = press(t, s, "ctrl+s")
	if m.form != nil {
		t.Fatalf("form still open: %v %q", m.form.errs, m.form.general)
	}
	it, _ := f.c.Store.EvidenceItem(context.Background(), f.ids["Access review Q1"])
	if it.Title != "Access review Q1 (signed)" || it.LinksTo(catalogs.ISO27001, "A.5.18") || !it.LinksTo(catalogs.ISO27001, "A.5.15") {
		t.Fatalf("after edit %+v", it)
	}
	_ = s
}

func TestDeleteAsksAndSaysWhatIsUnlinked(t *testing.T) {
	f := newFixture(t, 100, 30)
	m := f.tab(t, 100, 30)
	s, _ := press(t, m, "d")
	v := plain(s.View())
	for _, want := range []string{"Delete evidence", "Access review Q1", "unlinked from 3 requirements:", "ISO 27001 A.5.15", "ISO 42001 A.3.2", "copy kept"} {
		if !strings.Contains(v, want) {
			t.Errorf("delete question lacks %q:\n%s", want, v)
		}
	}
	s, _ = press(t, s, "n")
	if len(m.items) != 6 || m.mode != modeList {
		t.Fatal("n must keep the item")
	}
	s, _ = press(t, s, "d", "y")
	if len(m.items) != 5 {
		t.Fatalf("items after delete %d", len(m.items))
	}
	if !strings.Contains(plain(s.View()), "Deleted “Access review Q1” and its 3 links") {
		t.Fatalf("no confirmation:\n%s", plain(s.View()))
	}
}

func TestCheckRunsAsyncAndFlags(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	// Point one item at a real file, then change it.
	p := filepath.Join(f.dir, "real.txt")
	os.WriteFile(p, []byte("v1"), 0o600)
	it, _ := f.c.Store.EvidenceItem(ctx, f.ids["Penetration test 2025"])
	next := it
	next.Path = p
	if _, err := f.c.Store.UpdateEvidence(ctx, it, next, storeOpts()); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p, []byte("v2"), 0o600)
	m := f.tab(t, 100, 30)
	// The first message starts the check; the screen shows progress and stays responsive.
	s, cmd := m.Update(keyPress("c"))
	if !m.checking {
		t.Fatal("c must start the check")
	}
	if !strings.Contains(plain(s.View()), "Checking files") {
		t.Fatalf("no progress shown:\n%s", plain(s.View()))
	}
	s, _ = press(t, s, "j") // keys still work while checking
	s, out := drive(t, s, cmd)
	if m.checking {
		t.Fatal("check did not finish")
	}
	if len(out) == 0 {
		t.Fatal("the check must tell other screens that data changed")
	}
	v := plain(s.View())
	if !strings.Contains(v, "changed") || !strings.Contains(v, "Checked") {
		t.Fatalf("result not shown:\n%s", v)
	}
	got, _ := f.c.Store.EvidenceItem(ctx, f.ids["Penetration test 2025"])
	if got.Integrity != assessments.IntegrityChanged {
		t.Fatalf("integrity %q", got.Integrity)
	}
}

func TestExportKeptCopies(t *testing.T) {
	f := newFixture(t, 100, 30)
	m := f.tab(t, 100, 30)
	s, _ := press(t, m, "x")
	if m.mode != modeExport || !m.Capturing() {
		t.Fatal("x must ask for a folder")
	}
	out := filepath.Join(f.dir, "export")
	m.exportInput.SetValue(out)
	s, _ = press(t, s, "enter")
	entries, err := os.ReadDir(out)
	if err != nil || len(entries) != 4 {
		t.Fatalf("exported %v %v", entries, err)
	}
	if !strings.Contains(plain(s.View()), "Wrote 4 files") {
		t.Fatalf("no confirmation:\n%s", plain(s.View()))
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
	// Implemented with nothing attached.
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
	m := f.tab(t, 100, 30)
	s, _ := press(t, m, "e")
	s = typeText(t, s, "!")
	// In the description, enter adds a line instead of moving on.
	s, _ = press(t, s, "tab", "tab", "tab", "tab")
	if m.form.focus != fDescription {
		t.Fatalf("focus %d, want the description", m.form.focus)
	}
	s = typeText(t, s, "Zero. ")
	s, _ = press(t, s, "enter")
	if m.form.focus != fDescription {
		t.Fatal("enter left the description")
	}
	s, _ = press(t, s, "ctrl+s")
	if m.form != nil {
		t.Fatalf("form still open: %v %q", m.form.errs, m.form.general)
	}
	got, _ := f.c.Store.EvidenceItem(ctx, it.ID)
	if got.Title != "Access review Q1!" || !strings.Contains(got.Description, "Line one.\nLine two.") || strings.Count(got.Description, "\n") != 2 {
		t.Fatalf("after edit: title %q description %q", got.Title, got.Description)
	}
	_ = s
}

func TestFormLinksRisks(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	r, err := f.c.Store.CreateRisk(ctx, assessments.Risk{EngagementID: f.e.ID, Title: "Access creep", Scope: assessments.ScopeSecurity,
		Approach: assessments.ApproachEvent, Scenario: "Leavers keep access.", Owner: "Tomás", Inherent: assessments.Score{Likelihood: 3, Consequence: 3},
		Properties: []string{assessments.PropConfidentiality}, Treatment: assessments.TreatModify, TreatmentPlan: "Quarterly review", Status: assessments.RiskOpen})
	if err != nil {
		t.Fatal(err)
	}
	m := f.tab(t, 100, 30)
	s, _ := press(t, m, "e")
	m.form.inputs[fLinks].SetValue("A.5.15, risk:r-099")
	s, _ = press(t, s, "ctrl+s")
	if !strings.Contains(m.form.errs["links"], "no risk r-099") {
		t.Fatalf("unknown risk: %q", m.form.errs["links"])
	}
	m.form.inputs[fLinks].SetValue("A.5.15, risk:" + r.Ref)
	s, _ = press(t, s, "ctrl+s")
	if m.form != nil {
		t.Fatalf("form still open: %v", m.form.errs)
	}
	got, _ := f.c.Store.EvidenceItem(ctx, f.ids["Access review Q1"])
	if len(got.Links) != 2 || got.Links[1].Target != assessments.LinkRisk || got.Links[1].Ref != r.ID {
		t.Fatalf("links %+v", got.Links)
	}
	// Reopened, the field names the risk by its ref, and the detail by ref and title.
	s, _ = press(t, s, "e")
	if v := m.form.inputs[fLinks].Value(); v != "A.5.15, risk:"+r.Ref {
		t.Fatalf("links field %q", v)
	}
	s, _ = press(t, s, "esc", "enter")
	if v := plain(s.View()); !strings.Contains(v, "Risk "+r.Ref+" Access creep") {
		t.Fatalf("detail:\n%s", v)
	}
}

func TestCapturingKeepsEscInsideTheTab(t *testing.T) {
	f := newFixture(t, 100, 30)
	m := f.tab(t, 100, 30)
	if m.Capturing() {
		t.Fatal("the table must let the engagement screen have q, esc and [ ]")
	}
	s, _ := press(t, m, "enter")
	if !m.Capturing() {
		t.Fatal("the detail must keep esc and q for itself")
	}
	s, _ = press(t, s, "q")
	if m.mode != modeList || m.Capturing() {
		t.Fatal("q in the detail must return to the table")
	}
	_ = s
}

func TestFlushDraftsSavesAnOpenForm(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	m := f.tab(t, 100, 30)
	s, _ := press(t, m, "e")
	s = typeText(t, s, " (final)")
	if err := m.FlushDrafts(); err != nil {
		t.Fatal(err)
	}
	got, _ := f.c.Store.EvidenceItem(ctx, f.ids["Access review Q1"])
	if got.Title != "Access review Q1 (final)" {
		t.Fatalf("title %q", got.Title)
	}
	// A new form without a title cannot be saved, and flushing it is not an error.
	m2 := f.tab(t, 100, 30)
	press(t, m2, "n")
	if err := m2.FlushDrafts(); err != nil {
		t.Fatal(err)
	}
	_ = s
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
	m := f.tab(t, 100, 30)
	v := m.View()
	if strings.Contains(v, "\x1b[31mred") {
		t.Fatal("an escape sequence from a title reached the screen")
	}
	m.selectID(it.ID)
	s, _ := press(t, m, "e")
	if strings.Contains(s.View(), "\x1b[31mred") || m.form.inputs[fTitle].Value() != "Review ^[[31mred^[[0m" {
		t.Fatalf("form field %q", m.form.inputs[fTitle].Value())
	}
	// Saving another field leaves the stored title as it was.
	m.form.inputs[fCollectedBy].SetValue("Someone else")
	s, _ = press(t, s, "ctrl+s")
	got, _ := f.c.Store.EvidenceItem(ctx, it.ID)
	if got.Title != next.Title || got.CollectedBy != "Someone else" {
		t.Fatalf("title %q by %q", got.Title, got.CollectedBy)
	}
	_ = s
}
