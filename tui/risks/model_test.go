package risks

import (
	"context"
	"path/filepath"
	"reflect"
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

var testNow = time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)

// fixture is a workspace with a small register and the tab on it.
type fixture struct {
	t   *testing.T
	s   *store.Store
	c   *common.Common
	e   assessments.Engagement
	tab *Model
}

func newFixture(t *testing.T, w, h int, withRisks bool) *fixture {
	t.Helper()
	t.Setenv("NO_COLOR", "")
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
		Keys: common.DefaultKeyMap(), Width: w, Height: h, Now: func() time.Time { return testNow }}
	f := &fixture{t: t, s: s, c: c, e: e, tab: New(c, e).(*Model)}
	f.tab.SetSize(w, h)
	f.run(f.tab.Init())
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

// run executes a command as the runtime would and feeds its messages back, synchronously.
func (f *fixture) run(cmd tea.Cmd) {
	f.t.Helper()
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case common.InfoMsg, common.DataChangedMsg:
		case common.ErrMsg:
			f.t.Logf("error shown: %v", msg.Err)
		default:
			_, next := f.tab.Update(msg)
			queue = append(queue, next)
		}
	}
}

// press sends keys: names like "enter", "esc", "ctrl+s", "up", or single characters.
func (f *fixture) press(keys ...string) {
	f.t.Helper()
	for _, k := range keys {
		_, cmd := f.tab.Update(keyMsg(k))
		f.run(cmd)
	}
}

// typeText types literal text.
func (f *fixture) typeText(s string) {
	f.t.Helper()
	for _, r := range s {
		if r == ' ' {
			f.press("space")
			continue
		}
		_, cmd := f.tab.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		f.run(cmd)
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
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
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+s":
		return tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
	case "ctrl+u":
		return tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

func (f *fixture) view() string { return ansi.Strip(f.tab.View()) }

func (f *fixture) refs() []string {
	var out []string
	for _, i := range f.tab.rows {
		out = append(out, f.tab.risks[i].Ref)
	}
	return out
}

func (f *fixture) focusField(key string) {
	f.t.Helper()
	for i := 0; i < len(f.tab.form.fields)+1; i++ {
		if f.tab.form.focused().key == key {
			return
		}
		f.press("tab")
	}
	f.t.Fatalf("field %s not reachable", key)
}

func (f *fixture) stored() []assessments.Risk {
	f.t.Helper()
	rs, err := f.s.Risks(context.Background(), f.e.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return rs
}

func TestLoadsAndShowsTheRegister(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	if got := f.refs(); !reflect.DeepEqual(got, []string{"R-001", "R-002", "R-003", "R-004", "R-005", "R-006"}) {
		t.Fatalf("rows %v", got)
	}
	v := f.view()
	for _, want := range []string{"Risk register", "Ransomware encrypts the imaging archive", "Tomás Silva", "Very high", "in treatment", "2026-06-30"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	if f.tab.Capturing() {
		t.Error("the table does not capture keys")
	}
}

func TestSortByEveryColumn(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	want := map[string][]string{
		"Title":     {"R-004", "R-005", "R-003", "R-006", "R-002", "R-001"}, // alphabetical
		"Owner":     {"R-004", "R-005", "R-006", "R-002", "R-001", "R-003"},
		"Inherent":  {"R-006", "R-003", "R-004", "R-002", "R-005", "R-001"},
		"Residual":  {"R-005", "R-006", "R-002", "R-001", "R-003", "R-004"},
		"Treatment": {"R-005", "R-001", "R-002", "R-006", "R-003", "R-004"},
		"Status":    {"R-002", "R-005", "R-001", "R-003", "R-004", "R-006"},
		"Review":    {"R-006", "R-002", "R-001", "R-004", "R-003", "R-005"},
	}
	for i := 1; i < len(columns); i++ {
		f.press("s")
		name := columns[f.tab.sortCol].title
		if w, ok := want[name]; ok && !reflect.DeepEqual(f.refs(), w) {
			t.Errorf("sorted by %s: %v, want %v", name, f.refs(), w)
		}
	}
	f.press("s") // back to Ref
	f.press("S")
	if got := f.refs(); got[0] != "R-006" || got[5] != "R-001" {
		t.Errorf("reverse by ref: %v", got)
	}
	if !strings.Contains(f.view(), "Ref▼") {
		t.Error("the header does not show the sort direction")
	}
}

func TestFilters(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.press("/")
	if !f.tab.Capturing() {
		t.Fatal("typing a filter must capture keys")
	}
	f.typeText("amara")
	if got := f.refs(); !reflect.DeepEqual(got, []string{"R-004", "R-005"}) {
		t.Fatalf("text filter: %v", got)
	}
	f.press("enter")
	f.press("c", "c") // scope: security, then AI
	if got := f.refs(); !reflect.DeepEqual(got, []string{"R-005"}) {
		t.Fatalf("text + scope AI: %v", got)
	}
	f.press("x")
	if len(f.refs()) != 6 {
		t.Fatalf("x clears: %v", f.refs())
	}
	f.press("t", "t", "t") // status: open, in treatment, accepted
	if got := f.refs(); !reflect.DeepEqual(got, []string{"R-003", "R-004"}) {
		t.Fatalf("status accepted: %v", got)
	}
	f.press("x", "o") // first owner alphabetically: Amara Nwosu
	if got := f.refs(); !reflect.DeepEqual(got, []string{"R-004", "R-005"}) {
		t.Fatalf("owner: %v", got)
	}
	f.press("x", "l", "l", "l") // residual level: Very low, Low, Medium
	if got := f.refs(); !reflect.DeepEqual(got, []string{"R-001", "R-003", "R-004"}) {
		t.Fatalf("residual Medium: %v", got)
	}
	f.press("x", "/")
	f.typeText("A.8.13") // a linked control finds its risk
	if got := f.refs(); !reflect.DeepEqual(got, []string{"R-001"}) {
		t.Fatalf("control filter: %v", got)
	}
	f.press("esc")
	if len(f.refs()) != 6 || f.tab.Capturing() {
		t.Fatal("esc clears the text filter and gives the keys back")
	}
}

func TestMarksOverdueAndStale(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	v := f.view()
	lines := strings.Split(v, "\n")
	find := func(ref string) string {
		for _, l := range lines {
			if strings.Contains(l, ref) {
				return l
			}
		}
		t.Fatalf("%s not shown", ref)
		return ""
	}
	if l := find("R-002"); !strings.HasPrefix(l, "!") {
		t.Errorf("overdue review not marked: %q", l)
	}
	if l := find("R-004"); !strings.HasPrefix(l, " ~") {
		t.Errorf("stale acceptance not marked: %q", l)
	}
	if l := find("R-006"); strings.HasPrefix(l, "!") {
		t.Errorf("a closed risk's past review is not overdue: %q", l)
	}
	f.press("j", "j", "j")
	if v := f.view(); !strings.Contains(v, "acceptance stale: given for 2×3 Low on 2026-01-10; residual is now 3×3 Medium") {
		t.Errorf("the detail does not explain the stale acceptance:\n%s", v)
	}
}

func TestNewRiskFormValidatesEveryFieldAndKeepsInput(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.press("n")
	if f.tab.form == nil || !f.tab.Capturing() {
		t.Fatal("n opens the form and captures keys")
	}
	// Owner typed, no title, a bad review date, retain above the threshold without acceptance.
	f.focusField("owner")
	f.typeText("Lena Fischer")
	f.focusField("treatment")
	f.press("right", "right") // undecided → modify → retain
	f.focusField("review_date")
	f.typeText("31/12/2026")
	f.press("ctrl+s")
	errs := f.tab.form.errs
	for _, field := range []string{"title", "review_date", "accepted_by"} {
		if errs[field] == "" {
			t.Errorf("no message next to %s; errs %v", field, errs)
		}
	}
	if n := len(f.stored()); n != 6 {
		t.Fatalf("an invalid risk was written: %d risks", n)
	}
	if got := f.tab.form.get("owner").text(); got != "Lena Fischer" {
		t.Fatalf("typed owner lost: %q", got)
	}
	if f.tab.form.focused().key != "title" {
		t.Errorf("focus goes to the first problem, got %s", f.tab.form.focused().key)
	}
	v := f.view()
	if !strings.Contains(v, "↳ The risk needs a title.") {
		t.Errorf("message not drawn next to the field:\n%s", v)
	}
	// Fix everything and save.
	f.typeText("Supplier portal credentials reused")
	f.focusField("treatment")
	f.press("left") // modify
	f.focusField("review_date")
	for range 10 {
		f.press("backspace")
	}
	f.typeText("2026-12-31")
	f.focusField("controls")
	f.press("enter")
	if f.tab.form.picker == nil {
		t.Fatal("enter on linked controls opens the picker")
	}
	f.typeText("A.5.15")
	f.press("enter")
	for range 6 {
		f.press("backspace")
	}
	f.typeText("A.6.2.6")
	f.press("enter", "esc")
	if got := f.tab.form.get("controls").multi; !reflect.DeepEqual(got, []string{"iso27001-2022:A.5.15", "iso42001-2023:A.6.2.6"}) {
		t.Fatalf("picked %v", got)
	}
	f.press("ctrl+s")
	if f.tab.form != nil {
		t.Fatalf("form still open: %v %s", f.tab.form.errs, f.tab.form.banner)
	}
	rs := f.stored()
	if len(rs) != 7 {
		t.Fatalf("%d risks", len(rs))
	}
	r := rs[6]
	if r.Ref != "R-007" || r.Title != "Supplier portal credentials reused" || r.Owner != "Lena Fischer" || r.ReviewDate != "2026-12-31" ||
		len(r.Controls) != 2 || r.Treatment != assessments.TreatModify {
		t.Fatalf("saved %+v", r)
	}
	if sel, _ := f.tab.selected(); sel.Ref != "R-007" {
		t.Errorf("the new risk is selected, got %s", sel.Ref)
	}
}

func TestAcceptThenChangeResidualShowsStale(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.press("e") // modify, residual 2x4 Medium
	f.focusField("treatment")
	f.press("right") // retain
	f.focusField("accepted_by")
	f.typeText("Priya Raman")
	f.focusField("acceptance_rationale")
	f.typeText("Backups tested; remaining risk within appetite")
	f.press("ctrl+s")
	if f.tab.form != nil {
		t.Fatalf("not saved: %v", f.tab.form.errs)
	}
	r := f.stored()[0]
	if r.Acceptance == nil || r.Acceptance.Date != "2026-05-04" || r.Acceptance.Residual != sc(2, 4) || r.AcceptanceStale() {
		t.Fatalf("acceptance %+v", r.Acceptance)
	}
	f.press("e")
	f.focusField("residual_likelihood")
	f.press("right") // 2 → 3
	f.press("ctrl+s")
	if f.tab.form != nil {
		t.Fatalf("not saved: %v", f.tab.form.errs)
	}
	r = f.stored()[0]
	if !r.AcceptanceStale() || r.Acceptance.Residual != sc(2, 4) {
		t.Fatalf("after residual change: %+v", r.Acceptance)
	}
	v := f.view()
	if !strings.Contains(v, "acceptance stale") {
		t.Errorf("stale flag not shown:\n%s", v)
	}
}

func TestEscAsksBeforeDroppingChanges(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.press("e")
	f.typeText(" (revised)")
	f.press("esc")
	if f.tab.form == nil || !f.tab.form.discard {
		t.Fatal("esc with changes must ask")
	}
	f.press("n")
	if f.tab.form == nil || f.tab.form.get("title").text() != "Ransomware encrypts the imaging archive (revised)" {
		t.Fatal("answering no keeps the text")
	}
	f.press("esc", "y")
	if f.tab.form != nil {
		t.Fatal("yes drops the form")
	}
	if f.stored()[0].Title != "Ransomware encrypts the imaging archive" {
		t.Fatal("a discarded edit was saved")
	}
}

func TestMultilineTextSurvivesAnEdit(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	ctx := context.Background()
	r := f.stored()[0]
	next := r
	next.Description = "first line\nsecond line"
	if _, err := f.s.UpdateRisk(ctx, r, next); err != nil {
		t.Fatal(err)
	}
	f.run(f.tab.Activate())
	f.press("e")
	f.focusField("owner")
	f.typeText("!")
	f.press("ctrl+s")
	got := f.stored()[0]
	if got.Description != "first line\nsecond line" || got.Owner != "Tomás Silva!" {
		t.Fatalf("description %q owner %q", got.Description, got.Owner)
	}
}

func TestDeleteAsks(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.press("d")
	if f.tab.confirm == nil || !strings.Contains(f.view(), "Delete R-001") {
		t.Fatal("d must ask")
	}
	f.press("n")
	if len(f.stored()) != 6 {
		t.Fatal("n deleted")
	}
	f.press("d", "y")
	rs := f.stored()
	if len(rs) != 5 || rs[0].Ref != "R-002" {
		t.Fatalf("after delete: %d risks", len(rs))
	}
	if len(f.tab.rows) != 5 {
		t.Fatal("the table did not reload")
	}
}

func TestHeatMapCountsAndCellList(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.press("h")
	if f.tab.view != viewHeat || !f.tab.Capturing() {
		t.Fatal("h opens the heat map, which captures q and esc")
	}
	cells, unscored := f.tab.counts()
	if unscored != 1 { // R-005 has no residual
		t.Errorf("unscored %d", unscored)
	}
	if cells[1][3] != 2 || cells[2][2] != 1 || cells[2][4] != 1 {
		t.Errorf("residual counts %v", cells)
	}
	f.press("i")
	cells, _ = f.tab.counts()
	if cells[2][4] != 2 || cells[3][4] != 1 {
		t.Errorf("inherent counts %v", cells)
	}
	f.press("i")
	// Move to likelihood 2, consequence 4 (start is 5,5).
	f.press("down", "down", "down", "left")
	f.press("enter")
	if f.tab.view != viewCell || len(f.tab.cellRiskIdx) != 2 {
		t.Fatalf("cell list: view %v, %d risks", f.tab.view, len(f.tab.cellRiskIdx))
	}
	v := f.view()
	if !strings.Contains(v, "R-001") || !strings.Contains(v, "R-003") {
		t.Errorf("cell list:\n%s", v)
	}
	f.press("enter")
	if f.tab.form == nil || f.tab.form.base.Ref != "R-001" {
		t.Fatal("enter on a listed risk opens it")
	}
	f.press("esc", "esc", "esc")
	if f.tab.view != viewTable || f.tab.form != nil {
		t.Fatalf("esc backs out one level at a time: view %v", f.tab.view)
	}
}

func TestMatrixSettingsRescaleAsks(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.press("m")
	if f.tab.settings == nil {
		t.Fatal("m opens the matrix settings")
	}
	f.press("left", "left") // 5 → 4 → 3
	f.press("ctrl+s")
	if f.tab.settings == nil || f.tab.settings.preview == nil {
		t.Fatal("a size change with risks shows the rescaling first")
	}
	v := f.view()
	if !strings.Contains(v, "from 5x5 to 3x3") || !strings.Contains(v, "R-001") || !strings.Contains(v, "4×5 Very high → 3×3 High") {
		t.Errorf("preview:\n%s", v)
	}
	f.press("n")
	if m, _ := f.s.RiskMatrix(context.Background(), f.e.ID); m.Size != 5 {
		t.Fatal("n applied the change")
	}
	f.press("ctrl+s", "y")
	m, _ := f.s.RiskMatrix(context.Background(), f.e.ID)
	if m.Size != 3 || f.tab.settings != nil {
		t.Fatalf("matrix %dx%d, settings open %v", m.Size, m.Size, f.tab.settings != nil)
	}
	if r := f.stored()[0]; r.Inherent != sc(3, 3) {
		t.Fatalf("R-001 inherent %v", r.Inherent)
	}
}

func TestMatrixSettingsValidateLabels(t *testing.T) {
	f := newFixture(t, 120, 40, false)
	f.press("m", "tab") // first likelihood label
	for range 10 {
		f.press("backspace")
	}
	f.press("ctrl+s")
	s := f.tab.settings
	if s == nil || s.errs["likelihood_labels"] == "" {
		t.Fatal("an empty label must be refused next to the scale")
	}
	if !strings.Contains(f.view(), "↳ Likelihood 1 needs a label.") {
		t.Errorf("message not shown:\n%s", f.view())
	}
	f.typeText("Seldom")
	f.press("ctrl+s")
	m, _ := f.s.RiskMatrix(context.Background(), f.e.ID)
	if m.LikelihoodLabels[0] != "Seldom" {
		t.Fatalf("labels %v", m.LikelihoodLabels)
	}
}

func TestSection(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	sec, err := Section(context.Background(), f.c, f.e, catalogs.ISO42001, "A.6.2.6")
	if err != nil {
		t.Fatal(err)
	}
	if len(sec.Lines) != 2 || sec.Lines[0] != "Inclusion reason (SoA): risk treatment: R-001" ||
		!strings.Contains(sec.Lines[1], "R-001  Ransomware encrypts the imaging archive · residual Medium · modify") {
		t.Fatalf("section %+v", sec)
	}
	sec, _ = Section(context.Background(), f.c, f.e, catalogs.ISO27001, "A.5.19")
	if !sec.Warn || !strings.Contains(strings.Join(sec.Lines, "\n"), "acceptance stale") {
		t.Fatalf("stale acceptance not flagged: %+v", sec)
	}
	sec, _ = Section(context.Background(), f.c, f.e, catalogs.ISO27001, "A.5.1")
	if len(sec.Lines) != 0 {
		t.Fatalf("unlinked requirement: %+v", sec)
	}
}

func TestStaleLoadDropped(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	old := f.tab.load()
	f.run(f.tab.load())
	msg := old().(loadedMsg)
	msg.risks = nil
	f.tab.Update(msg)
	if len(f.tab.risks) != 6 {
		t.Fatal("a stale load replaced the register")
	}
	other := loadedMsg{eng: "someone-else", seq: f.tab.loadSeq}
	f.tab.Update(other)
	if len(f.tab.risks) != 6 {
		t.Fatal("another engagement's load was taken")
	}
}

func TestViewsFitTheArea(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}, {80, 18}} {
		f := newFixture(t, size.w, size.h, true)
		check := func(name string) {
			v := f.view()
			lines := strings.Split(v, "\n")
			if len(lines) > size.h {
				t.Errorf("%dx%d %s: %d lines", size.w, size.h, name, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > size.w {
					t.Errorf("%dx%d %s line %d is %d wide: %q", size.w, size.h, name, i, w, l)
				}
			}
		}
		check("table")
		f.press("h")
		check("heat map")
		f.press("enter")
		check("cell")
		f.press("esc", "esc", "n")
		check("form")
		f.press("tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab")
		check("form scrolled")
		f.press("esc")
		f.press("e")
		f.focusField("controls")
		f.press("enter")
		f.tab.SetSize(size.w, size.h)
		check("picker")
		f.press("esc", "esc", "m")
		check("settings")
	}
}

func TestGoldenRegister(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(sizeName(size.w, size.h), func(t *testing.T) {
			f := newFixture(t, size.w, size.h, true)
			f.press("j", "j", "j")
			golden.RequireEqual(t, []byte(f.view()))
		})
	}
}

func TestGoldenHeatMap(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(sizeName(size.w, size.h), func(t *testing.T) {
			f := newFixture(t, size.w, size.h, true)
			f.press("h", "down", "down", "down", "left")
			golden.RequireEqual(t, []byte(f.view()))
		})
	}
}

func TestGoldenForm(t *testing.T) {
	f := newFixture(t, 80, 24, true)
	f.press("e")
	golden.RequireEqual(t, []byte(f.view()))
}

func sizeName(w, h int) string { return strings.Join([]string{itoa(w), itoa(h)}, "x") }

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestConflictKeepsTheUsersChangesAndTheirs(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.press("e")
	f.focusField("owner")
	f.typeText(" (deputy)")
	// Meanwhile another process changes the owner and the title.
	ctx := context.Background()
	cur := f.stored()[0]
	other := cur
	other.Owner, other.Title = "Someone else", "Ransomware hits the archive"
	if _, err := f.s.UpdateRisk(ctx, cur, other); err != nil {
		t.Fatal(err)
	}
	f.press("ctrl+s")
	if f.tab.form == nil || !strings.Contains(f.tab.form.banner, "changed elsewhere") {
		t.Fatalf("conflict not reported: %+v", f.tab.form)
	}
	if got := f.tab.form.get("owner").text(); got != "Tomás Silva (deputy)" {
		t.Fatalf("the user's owner was lost: %q", got)
	}
	if got := f.tab.form.get("title").text(); got != "Ransomware hits the archive" {
		t.Fatalf("the other title is not shown: %q", got)
	}
	f.press("ctrl+s")
	if f.tab.form != nil {
		t.Fatalf("second save refused: %s %v", f.tab.form.banner, f.tab.form.errs)
	}
	got := f.stored()[0]
	if got.Owner != "Tomás Silva (deputy)" || got.Title != "Ransomware hits the archive" {
		t.Fatalf("stored %q / %q", got.Owner, got.Title)
	}
}

func TestLinksAnAISystemOfTheInventory(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	ctx := context.Background()
	lens, err := f.s.CreateAISystem(ctx, assessments.AISystem{EngagementID: f.e.ID, Name: "Medivance Lens",
		Purpose: "Chest X-ray triage", Role: assessments.RoleProvider})
	if err != nil {
		t.Fatal(err)
	}
	f.run(f.tab.Activate())
	f.press("j") // R-002, an AI risk
	f.press("e")
	f.focusField("ai_system")
	f.press("right")
	if !strings.Contains(f.view(), "‹ Medivance Lens ›") {
		t.Fatalf("AI system choice not shown:\n%s", f.view())
	}
	f.press("ctrl+s")
	if got := f.stored()[1].AISystemID; got != lens.ID {
		t.Fatalf("linked %q, want %q", got, lens.ID)
	}
	if !strings.Contains(f.view(), "· Medivance Lens") {
		t.Errorf("the detail does not name the AI system:\n%s", f.view())
	}
}

func TestMatrixSettingsEditACellLevel(t *testing.T) {
	f := newFixture(t, 80, 24, true)
	f.press("m", "shift+tab") // from size back round to the grid
	if f.tab.settings.focus != f.tab.settings.cellsIdx() {
		t.Fatalf("focus %d, want the grid", f.tab.settings.focus)
	}
	// The cursor starts at likelihood 5, consequence 1 (Medium); move to 4,2 and raise it.
	f.press("down", "right", "+")
	if !strings.Contains(f.view(), "[High]") {
		t.Errorf("the edited cell is not marked:\n%s", f.view())
	}
	f.press("ctrl+s")
	m, _ := f.s.RiskMatrix(context.Background(), f.e.ID)
	if m.Cells[3][1] != 3 || m.Size != 5 {
		t.Fatalf("cells %v", m.Cells)
	}
	if f.tab.settings != nil {
		t.Fatal("settings still open")
	}
}
