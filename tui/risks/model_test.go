package risks

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/tuitest"
)

func TestLoadsAndShowsTheRegister(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	if got := f.refs(); !reflect.DeepEqual(got, []string{"R-001", "R-002", "R-003", "R-004", "R-005", "R-006"}) {
		t.Fatalf("rows %v", got)
	}
	v := f.view()
	for _, want := range []string{"Risk register", "6 of 6 risks", "Ransomware encrypts the imaging archive", "Tomás Silva", "Very high", "in treatment", "2026-06-30"} {
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
		f.press(">")
		name := columns[f.tab.sortCol].title
		if w, ok := want[name]; ok && !reflect.DeepEqual(f.refs(), w) {
			t.Errorf("sorted by %s: %v, want %v", name, f.refs(), w)
		}
	}
	f.press(">") // back to Ref
	f.press("<")
	if columns[f.tab.sortCol].title != "Review" {
		t.Errorf("< goes back one column, got %s", columns[f.tab.sortCol].title)
	}
	f.press(">", "r")
	if got := f.refs(); got[0] != "R-006" || got[5] != "R-001" {
		t.Errorf("reverse by ref: %v", got)
	}
	if !strings.Contains(f.view(), "Ref▼") {
		t.Error("the header does not show the sort direction")
	}
}

func TestFiltersAndEscClears(t *testing.T) {
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
	if f.tab.Capturing() || !f.tab.UsesEsc() {
		t.Fatal("an applied filter gives the keys back and takes esc")
	}
	f.press("c", "c") // scope: security, then AI
	if got := f.refs(); !reflect.DeepEqual(got, []string{"R-005"}) {
		t.Fatalf("text + scope AI: %v", got)
	}
	f.press("esc")
	if len(f.refs()) != 6 || f.tab.UsesEsc() {
		t.Fatalf("esc clears every filter: %v", f.refs())
	}
	f.press("s", "s", "s") // status: open, in treatment, accepted
	if got := f.refs(); !reflect.DeepEqual(got, []string{"R-003", "R-004"}) {
		t.Fatalf("status accepted: %v", got)
	}
	f.press("S") // back to in treatment
	if got := f.refs(); !reflect.DeepEqual(got, []string{"R-001"}) {
		t.Fatalf("S goes back to in treatment: %v", got)
	}
	if !strings.Contains(f.view(), "status in treatment") {
		t.Errorf("the status is not in words:\n%s", f.view())
	}
	f.press("esc", "S") // from all backwards: closed
	if got := f.refs(); !reflect.DeepEqual(got, []string{"R-006"}) {
		t.Fatalf("S from all: %v", got)
	}
	f.press("esc", "o") // first owner alphabetically: Amara Nwosu
	if got := f.refs(); !reflect.DeepEqual(got, []string{"R-004", "R-005"}) {
		t.Fatalf("owner: %v", got)
	}
	f.press("esc", "l", "l", "l") // residual level: Very low, Low, Medium
	if got := f.refs(); !reflect.DeepEqual(got, []string{"R-001", "R-003", "R-004"}) {
		t.Fatalf("residual Medium: %v", got)
	}
	f.press("esc", "/")
	f.typeText("A.8.13") // a linked control finds its risk
	if got := f.refs(); !reflect.DeepEqual(got, []string{"R-001"}) {
		t.Fatalf("control filter: %v", got)
	}
	f.press("esc")
	if len(f.refs()) != 6 || f.tab.Capturing() {
		t.Fatal("esc while typing clears the text filter and gives the keys back")
	}
	// j and k are letters in the filter, not moves.
	f.press("/")
	f.typeText("jk")
	if f.tab.filter.Value() != "jk" {
		t.Fatalf("j/k must be typed into the filter, got %q", f.tab.filter.Value())
	}
}

func TestMarksOverdueAndStale(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	lines := strings.Split(f.view(), "\n")
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
	f.selectRef("R-004")
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
	f.focus(kOwner)
	f.typeText("Lena Fischer")
	f.focus(kTreatment)
	f.press("right", "right") // undecided → modify → retain
	f.focus(kReview)
	f.typeText("31/12/2026")
	f.press("ctrl+s")
	errs := f.tab.form.f.Errors()
	for _, field := range []string{kTitle, kReview, kAcceptedBy} {
		if errs[field] == "" {
			t.Errorf("no message next to %s; errs %v", field, errs)
		}
	}
	if n := len(f.stored()); n != 6 {
		t.Fatalf("an invalid risk was written: %d risks", n)
	}
	if got := f.tab.form.f.Value(kOwner); got != "Lena Fischer" {
		t.Fatalf("typed owner lost: %q", got)
	}
	if f.tab.form.f.FocusKey() != kTitle {
		t.Errorf("focus goes to the first problem, got %s", f.tab.form.f.FocusKey())
	}
	if v := f.view(); !strings.Contains(v, "! The risk needs a title.") {
		t.Errorf("message not drawn next to the field:\n%s", v)
	}
	// Fix everything and save.
	f.typeText("Supplier portal credentials reused")
	f.focus(kTreatment)
	f.press("left") // modify
	f.focus(kReview)
	for range 10 {
		f.press("backspace")
	}
	f.typeText("2026-12-31")
	f.focus(kControls)
	f.press("enter")
	f.typeText("A.5.15")
	f.press("space")
	for range 6 {
		f.press("backspace")
	}
	f.typeText("A.6.2.6")
	f.press("space", "enter")
	if got := f.tab.form.f.Value(kControls); got != "iso27001-2022:A.5.15,iso42001-2023:A.6.2.6" {
		t.Fatalf("picked %q", got)
	}
	f.press("ctrl+s")
	if f.tab.form != nil {
		t.Fatalf("form still open: %v %s", f.tab.form.f.Errors(), f.tab.form.banner)
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
	if f.status != "R-007 added" {
		t.Errorf("status %q", f.status)
	}
}

// Bug: in a pick list, enter, z (nothing matches), down panicked in the old picker, and the
// half-typed risk reached the register as R-001 without ctrl+s (the panic's flush saved
// it). Nothing may be written before ctrl+s.
func TestPickListWithNoMatchNeitherPanicsNorWrites(t *testing.T) {
	f := newFixture(t, 80, 24, false)
	f.press("n")
	f.typeText("Half-typed risk")
	for field, typed := range map[string]string{kProperties: "z", kControls: "zzz"} {
		f.focus(field)
		f.press("enter")
		f.typeText(typed)
		f.press("down", "down", "up", "pgdown")
		v := f.view()
		if !strings.Contains(v, "nothing matches") {
			t.Errorf("%s: no 'nothing matches' line:\n%s", field, v)
		}
		f.press("esc") // closes the list with no change
		if got := f.tab.form.f.Value(field); got != "" {
			t.Errorf("%s: %q ticked with nothing matching", field, got)
		}
	}
	if f.tab.form == nil || f.tab.form.f.Value(kTitle) != "Half-typed risk" {
		t.Fatal("the form was lost")
	}
	// The program ending (a panic, a closed terminal) flushes what screens hold: a form
	// with unsaved input is not something to write.
	if fl, ok := any(f.tab).(common.Flusher); ok {
		if err := fl.FlushDrafts(); err != nil {
			t.Logf("flush: %v", err)
		}
	}
	if w := f.tab.UnsavedWork(); w == "" {
		t.Error("quitting with a typed, unsaved risk must ask first")
	}
	f.press("esc")
	if !f.tab.form.f.Asking() {
		t.Fatal("esc on a changed form asks")
	}
	f.press("y")
	if f.tab.form != nil {
		t.Fatal("y discards")
	}
	if rs := f.stored(); len(rs) != 0 {
		t.Fatalf("the register holds %d risks; nothing was saved with ctrl+s", len(rs))
	}
	if h := f.history(store.RiskEntity); len(h) != 0 {
		t.Fatalf("the history holds %d risk rows", len(h))
	}
}

// The pick list's help named j for moving while j was typed into its filter: arrows move,
// letters filter.
func TestPickListHelpMatchesItsKeys(t *testing.T) {
	f := newFixture(t, 120, 40, false)
	f.press("n")
	f.focus(kControls)
	f.press("enter")
	for _, b := range f.tab.KeyMap().ShortHelp() {
		if slices.Contains(b.Keys(), "j") || slices.Contains(b.Keys(), "k") || strings.Contains(b.Help().Key, "j") {
			t.Errorf("the pick list's help offers %q (%s) although letters filter", b.Help().Key, b.Help().Desc)
		}
	}
	f.typeText("j")
	if v := f.view(); !strings.Contains(v, "/ j") {
		t.Errorf("j is not in the filter:\n%s", v)
	}
}

// Bug: the heat map counted closed risks; the report leaves them out.
func TestHeatMapLeavesClosedRisksOut(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.press("h")
	if f.tab.view != viewHeat || !f.tab.Capturing() {
		t.Fatal("h opens the heat map, which captures q and esc")
	}
	cells, unscored := f.tab.counts()
	if unscored != 1 { // R-005 has no residual
		t.Errorf("unscored %d", unscored)
	}
	// R-006 is closed: residual 1×3, inherent 2×3.
	if cells[0][2] != 0 {
		t.Errorf("the closed R-006 is counted at residual 1×3: %v", cells)
	}
	if cells[1][3] != 2 || cells[2][2] != 1 || cells[2][4] != 1 {
		t.Errorf("residual counts %v", cells)
	}
	v := f.view()
	if !strings.Contains(v, "5 open risks") || !strings.Contains(v, "1 closed risk not counted") {
		t.Errorf("the legend does not say the map counts open risks:\n%s", v)
	}
	f.press("i")
	cells, _ = f.tab.counts()
	if cells[1][2] != 0 || cells[2][4] != 2 || cells[3][4] != 1 {
		t.Errorf("inherent counts %v", cells)
	}
	// Likelihood 1 × consequence 3 lists no risk either.
	f.press("i", "down", "down", "down", "down", "left", "left", "enter")
	if f.tab.view != viewCell || len(f.tab.cellRiskIdx) != 0 {
		t.Fatalf("cell 1×3 lists %d risks", len(f.tab.cellRiskIdx))
	}
}

func TestHeatMapCellListOpensARisk(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.press("h", "down", "down", "down", "left", "enter")
	if f.tab.view != viewCell || len(f.tab.cellRiskIdx) != 2 {
		t.Fatalf("cell list: view %v, %d risks", f.tab.view, len(f.tab.cellRiskIdx))
	}
	v := f.view()
	if !strings.Contains(v, "R-001") || !strings.Contains(v, "R-003") || !strings.Contains(v, "2 open risks") {
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
	f.press("h", "?")
	if !f.help {
		t.Error("? in the heat map asks the root for the key list")
	}
}

// Bug: editing "why acceptable" cleared the stale mark without an explicit re-acceptance.
func TestEditingTheRationaleKeepsTheAcceptanceStale(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.selectRef("R-004") // accepted for 2×3, residual now 3×3
	f.press("e")
	f.focus(kRationale)
	f.press("end")
	f.typeText(" (reviewed)")
	if v := f.view(); !strings.Contains(v, "acceptance stale") {
		t.Errorf("the form does not say the acceptance is stale:\n%s", v)
	}
	f.press("ctrl+s")
	if f.tab.form != nil {
		t.Fatalf("not saved: %v %s", f.tab.form.f.Errors(), f.tab.form.banner)
	}
	r := f.storedRef("R-004")
	if r.Acceptance == nil || r.Acceptance.Rationale != "Within appetite (reviewed)" {
		t.Fatalf("rationale not saved: %+v", r.Acceptance)
	}
	if !r.AcceptanceStale() || r.Acceptance.Residual != sc(2, 3) {
		t.Fatalf("editing the rationale re-accepted the residual: %+v", r.Acceptance)
	}
	if l := f.rowOf("R-004"); !strings.HasPrefix(l, " ~") {
		t.Errorf("the stale mark went: %q", l)
	}
}

func (f *fixture) rowOf(ref string) string {
	for _, l := range strings.Split(f.view(), "\n") {
		if strings.Contains(l, ref+" ") {
			return l
		}
	}
	f.t.Fatalf("%s not shown", ref)
	return ""
}

func TestAcceptResidualIsAnExplicitAct(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.selectRef("R-004")
	f.press("A")
	if f.dialogs.Len() != 1 {
		t.Fatal("A opens the accept dialog at the root")
	}
	v := f.dialogText()
	for _, want := range []string{"Accept the residual risk of R-004", "Residual now: 3×3 Medium", "above the threshold Low",
		"given for 2×3 Low: it is stale", "Amara Nwosu", "2026-05-04"} {
		if !strings.Contains(v, want) {
			t.Errorf("dialog lacks %q:\n%s", want, v)
		}
	}
	before := f.view()
	f.press("j", "d") // typed into the rationale, not acting on the register
	if f.view() != before || len(f.stored()) != 6 {
		t.Fatal("keys reached the register beneath the dialog")
	}
	for range 2 {
		f.press("backspace")
	}
	f.press("ctrl+s")
	if f.dialogs.Len() != 1 || !strings.Contains(f.dialogText(), "Why acceptable is needed") {
		t.Fatalf("an empty rationale must be refused in the dialog:\n%s", f.dialogView())
	}
	if r := f.storedRef("R-004"); !r.AcceptanceStale() {
		t.Fatal("a refused acceptance was written")
	}
	f.typeText("Supplier audit passed; residual within appetite")
	f.press("ctrl+s")
	if f.dialogs.Len() != 0 {
		t.Fatalf("the dialog stays open:\n%s", f.dialogView())
	}
	r := f.storedRef("R-004")
	a := r.Acceptance
	if a == nil || r.AcceptanceStale() || a.Residual != sc(3, 3) || a.By != "Amara Nwosu" || a.Date != "2026-05-04" ||
		a.Rationale != "Supplier audit passed; residual within appetite" {
		t.Fatalf("acceptance %+v", a)
	}
	if f.status != "R-004 residual 3×3 Medium accepted by Amara Nwosu" {
		t.Errorf("status %q", f.status)
	}
	if l := f.rowOf("R-004"); strings.HasPrefix(l, " ~") {
		t.Errorf("still marked stale: %q", l)
	}
	// z takes it back: the stale record returns.
	f.press("z")
	if r := f.storedRef("R-004"); !r.AcceptanceStale() || r.Acceptance.By != "Priya Raman" {
		t.Fatalf("undo: %+v", r.Acceptance)
	}
	if !strings.HasPrefix(f.status, "Undone: R-004 acceptance") {
		t.Errorf("status %q", f.status)
	}
}

// Bug: the matrix settings wrote every field; the form sends a before and an after that
// differ only in what was edited.
func TestMatrixSettingsSendOnlyTheEditedFields(t *testing.T) {
	f := newFixture(t, 120, 40, false)
	ctx := context.Background()
	// A label with a trailing space, as an import may leave it.
	mx := assessments.DefaultMatrix(5)
	odd := mx.Clone()
	odd.LikelihoodLabels[0] = "Rare "
	if _, err := f.s.SaveRiskMatrix(ctx, f.e.ID, mx, odd); err != nil {
		t.Fatal(err)
	}
	f.run(f.tab.Activate())
	n := len(f.history("risk_matrix"))
	f.press("m")
	if f.tab.settings == nil {
		t.Fatal("m opens the matrix settings")
	}
	f.tab.settings.f.Focus(mThreshold)
	f.press("right") // accept up to Medium
	f.press("ctrl+s")
	if f.tab.settings != nil {
		t.Fatalf("not saved: %v", f.tab.settings.f.Errors())
	}
	got, _ := f.s.RiskMatrix(ctx, f.e.ID)
	if got.Threshold != 2 || got.LikelihoodLabels[0] != "Rare " {
		t.Fatalf("matrix threshold %d, label %q", got.Threshold, got.LikelihoodLabels[0])
	}
	var fields []string
	for _, c := range f.history("risk_matrix")[n:] {
		fields = append(fields, c.Field)
	}
	if !reflect.DeepEqual(fields, []string{"threshold"}) {
		t.Fatalf("the save recorded %v; only the threshold was edited", fields)
	}
}

func TestDeleteAsksThroughTheRoot(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.press("d")
	if f.dialogs.Len() != 1 {
		t.Fatal("d must ask in a root dialog")
	}
	if _, ok := f.dialogs.Front().(*dialog.Confirm); !ok {
		t.Fatalf("dialog %T", f.dialogs.Front())
	}
	if v := f.dialogView(); !strings.Contains(v, "Delete risk R-001 Ransomware encrypts the imaging archive?") {
		t.Fatalf("the title does not name the risk:\n%s", v)
	}
	f.press("n")
	if len(f.stored()) != 6 || f.dialogs.Len() != 0 {
		t.Fatal("n deleted or left the dialog open")
	}
	f.press("d", "y")
	rs := f.stored()
	if len(rs) != 5 || rs[0].Ref != "R-002" {
		t.Fatalf("after delete: %d risks", len(rs))
	}
	if len(f.tab.rows) != 5 || f.status != "R-001 deleted" {
		t.Fatalf("the table did not reload (%d rows) or status %q", len(f.tab.rows), f.status)
	}
}

func TestUndoTakesBackOnlyTheEditedFields(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.press("e")
	f.focus(kOwner)
	f.typeText(" (deputy)")
	f.press("ctrl+s")
	if got := f.storedRef("R-001").Owner; got != "Tomás Silva (deputy)" {
		t.Fatalf("owner %q", got)
	}
	if f.c.Undo.Len() != 1 {
		t.Fatalf("%d undo entries after one edit", f.c.Undo.Len())
	}
	// Another process renames the risk meanwhile.
	cur := f.storedRef("R-001")
	other := cur
	other.Title = "Ransomware hits the archive"
	if _, err := f.s.UpdateRisk(context.Background(), cur, other); err != nil {
		t.Fatal(err)
	}
	f.press("z")
	got := f.storedRef("R-001")
	if got.Owner != "Tomás Silva" || got.Title != "Ransomware hits the archive" {
		t.Fatalf("undo: owner %q title %q", got.Owner, got.Title)
	}
	if f.status != "Undone: R-001 owner" {
		t.Errorf("status %q", f.status)
	}
	if f.tab.storedOwner("R-001") != "Tomás Silva" {
		t.Error("the register did not reload after the undo")
	}
	// Creating is not undoable.
	f.press("n")
	f.typeText("New one")
	f.press("ctrl+s")
	if f.c.Undo.Len() != 0 {
		t.Fatalf("a creation pushed an undo entry")
	}
}

func (m *Model) storedOwner(ref string) string {
	for _, r := range m.risks {
		if r.Ref == ref {
			return r.Owner
		}
	}
	return ""
}

func TestJumpTargetsAndRestore(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	ts, err := f.tab.JumpTargets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 6 || ts[2].Kind != "risk" || ts[2].Label != "R-003 Cloud region outage" {
		t.Fatalf("targets %+v", ts)
	}
	g, ok := ts[2].Msg.(common.GotoMsg)
	if !ok || g.Tab != f.tab.Address() || g.Item != "R-003" {
		t.Fatalf("target message %+v", ts[2].Msg)
	}
	f.press("s") // status open: R-003 is hidden
	f.run(func() tea.Msg { return g })
	if r, ok := f.tab.selected(); !ok || r.Ref != "R-003" || f.tab.Location() != "R-003" {
		t.Fatalf("goto R-003 selected %v", f.tab.Location())
	}
	// Restore before the register has loaded waits for it.
	fresh := New(f.c, f.e).(*Model)
	fresh.SetSize(120, 40)
	fresh.Restore("R-005")
	tuitest.Run(func(msg tea.Msg) tea.Cmd {
		if env, ok := msg.(common.Envelope); ok {
			_, cmd := fresh.Update(env.Msg)
			return cmd
		}
		return nil
	}, fresh.Init())
	if fresh.Location() != "R-005" {
		t.Fatalf("restore before load: at %q", fresh.Location())
	}
}

func TestOwnerSuggestsNamesOfTheWorkspace(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.press("n")
	f.focus(kOwner)
	f.typeText("Dan")
	if v := f.view(); !strings.Contains(v, "Daniel Okafor") {
		t.Fatalf("no suggestion of a risk acceptor's name:\n%s", v)
	}
	f.press("right")
	if got := f.tab.form.f.Value(kOwner); got != "Daniel Okafor" {
		t.Fatalf("→ took %q", got)
	}
	f.press("esc", "y")
	f.selectRef("R-005")
	f.press("A")
	in := f.dialogs.Front().(*dialog.Form).Inner()
	in.Focus(kAcceptedBy)
	for range 20 {
		f.press("backspace")
	}
	f.typeText("Pri")
	if !strings.Contains(f.dialogView(), "Priya Raman") {
		t.Fatalf("the accept dialog does not suggest names:\n%s", f.dialogView())
	}
}

func TestEscAsksBeforeDroppingChanges(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.press("e")
	f.typeText(" (revised)")
	f.press("esc")
	if f.tab.form == nil || !f.tab.form.f.Asking() {
		t.Fatal("esc with changes must ask")
	}
	f.press("n")
	if f.tab.form == nil || f.tab.form.f.Value(kTitle) != "Ransomware encrypts the imaging archive (revised)" {
		t.Fatal("answering no keeps the text")
	}
	f.press("esc", "y")
	if f.tab.form != nil {
		t.Fatal("yes drops the form")
	}
	if f.stored()[0].Title != "Ransomware encrypts the imaging archive" {
		t.Fatal("a discarded edit was saved")
	}
	f.press("e", "esc")
	if f.tab.form != nil {
		t.Fatal("esc on an unchanged form leaves")
	}
}

func TestMultilineTextSurvivesAnEdit(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	ctx := context.Background()
	r := f.stored()[0]
	next := r
	next.Description = "first line\nsecond line"
	next.Asset = "archive\nsecond line in a one-line field"
	if _, err := f.s.UpdateRisk(ctx, r, next); err != nil {
		t.Fatal(err)
	}
	f.run(f.tab.Activate())
	n := len(f.history(store.RiskEntity))
	f.press("e")
	f.focus(kOwner)
	f.typeText("!")
	f.press("ctrl+s")
	got := f.stored()[0]
	if got.Description != "first line\nsecond line" || got.Owner != "Tomás Silva!" || got.Asset != next.Asset {
		t.Fatalf("description %q asset %q owner %q", got.Description, got.Asset, got.Owner)
	}
	var fields []string
	for _, c := range f.history(store.RiskEntity)[n:] {
		fields = append(fields, c.Field)
	}
	if !reflect.DeepEqual(fields, []string{"owner"}) {
		t.Errorf("the edit recorded %v", fields)
	}
}

func TestMatrixSettingsRescaleAsks(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.press("m")
	if f.tab.settings == nil {
		t.Fatal("m opens the matrix settings")
	}
	f.press("3") // size 3×3
	if got := f.tab.settings.f.Value(labelKey("lik", 1)); got != "Unlikely" {
		t.Fatalf("labels not reset to the 3x3 defaults: %q", got)
	}
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
	if !strings.Contains(f.status, "rescaled") {
		t.Errorf("status %q", f.status)
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
	if s == nil || s.f.Errors()[labelKey("lik", 1)] == "" {
		t.Fatal("an empty label must be refused next to it")
	}
	if !strings.Contains(f.view(), "! Likelihood 1 needs a label.") {
		t.Errorf("message not shown:\n%s", f.view())
	}
	f.typeText("Seldom")
	f.press("ctrl+s")
	m, _ := f.s.RiskMatrix(context.Background(), f.e.ID)
	if m.LikelihoodLabels[0] != "Seldom" {
		t.Fatalf("labels %v", m.LikelihoodLabels)
	}
}

func TestMatrixSettingsEditACellLevelAndRenameALevel(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.press("m")
	f.tab.settings.f.Focus(cellKey(4, 2))
	f.press("right") // the default 4×2 is Medium: raise it to High
	if f.tab.settings.f.Value(cellKey(4, 2)) != "4" || !strings.Contains(f.view(), "‹ High ›") {
		t.Errorf("the edited cell does not show High:\n%s", f.view())
	}
	f.tab.settings.f.Focus(labelKey("lev", 4))
	f.press("end")
	f.typeText("!")
	f.tab.settings.f.Focus(mThreshold)
	if !strings.Contains(f.view(), "High!") {
		t.Errorf("a renamed level does not relabel the choices:\n%s", f.view())
	}
	f.press("ctrl+s")
	m, _ := f.s.RiskMatrix(context.Background(), f.e.ID)
	if m.Cells[3][1] != 3 || m.Size != 5 || m.LevelNames[3] != "High!" {
		t.Fatalf("cells %v levels %v", m.Cells, m.LevelNames)
	}
	if f.tab.settings != nil {
		t.Fatal("settings still open")
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

func TestStaleLoadDroppedAndResultsAddressed(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	old := f.tab.load()
	f.run(f.tab.load())
	env, ok := old().(common.Envelope)
	if !ok || env.To != f.tab.Address() {
		t.Fatalf("a load's result is not addressed to the tab: %#v", env)
	}
	msg := env.Msg.(loadedMsg)
	msg.risks = nil
	f.tab.Update(msg)
	if len(f.tab.risks) != 6 {
		t.Fatal("a stale load replaced the register")
	}
}

func TestConflictKeepsTheUsersChangesAndTheirs(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	f.press("e")
	f.focus(kOwner)
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
	if got := f.tab.form.f.Value(kOwner); got != "Tomás Silva (deputy)" {
		t.Fatalf("the user's owner was lost: %q", got)
	}
	if got := f.tab.form.f.Value(kTitle); got != "Ransomware hits the archive" {
		t.Fatalf("the other title is not shown: %q", got)
	}
	f.press("ctrl+s")
	if f.tab.form != nil {
		t.Fatalf("second save refused: %s %v", f.tab.form.banner, f.tab.form.f.Errors())
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
		Purpose: "Chest X-ray triage", Roles: []assessments.AIRole{assessments.RoleProvider}})
	if err != nil {
		t.Fatal(err)
	}
	f.run(f.tab.Activate())
	f.selectRef("R-002") // an AI risk
	f.press("e")
	f.focus(kAISystem)
	f.press("right")
	if !strings.Contains(f.view(), "‹ Medivance Lens ›") {
		t.Fatalf("AI system choice not shown:\n%s", f.view())
	}
	f.press("ctrl+s")
	if got := f.storedRef("R-002").AISystemID; got != lens.ID {
		t.Fatalf("linked %q, want %q", got, lens.ID)
	}
	if !strings.Contains(f.view(), "· Medivance Lens") {
		t.Errorf("the detail does not name the AI system:\n%s", f.view())
	}
}

func TestHelpListsTheKeysThatMatterFirstAndEachOnce(t *testing.T) {
	f := newFixture(t, 120, 40, true)
	km := f.tab.KeyMap()
	var first []string
	for _, b := range km.ShortHelp()[:4] {
		first = append(first, b.Help().Key)
	}
	if !reflect.DeepEqual(first, []string{"enter", "n", "p", "A"}) {
		t.Errorf("short help starts %v", first)
	}
	seen := map[string]string{}
	for _, g := range km.FullHelp() {
		for _, b := range g {
			for _, k := range b.Keys() {
				if d, dup := seen[k]; dup && d != b.Help().Desc {
					t.Errorf("key %q listed twice (%q and %q)", k, d, b.Help().Desc)
				}
				seen[k] = b.Help().Desc
			}
		}
	}
	if seen["s"] != "status filter" || seen["S"] != "status filter back" || seen["/"] != "filter" {
		t.Errorf("s/S/%s: %q %q %q", "/", seen["s"], seen["S"], seen["/"])
	}
}

func TestViewsFitTheArea(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}, {80, 18}} {
		f := newFixture(t, size.w, size.h, true)
		check := func(name string) {
			t.Helper()
			v := f.tab.View()
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
		for range 20 {
			f.press("tab")
		}
		check("form scrolled")
		f.press("esc", "y", "e")
		f.focus(kControls)
		f.press("enter")
		check("pick list")
		f.press("esc", "esc", "m")
		check("settings")
		for range 30 {
			f.press("tab")
		}
		check("settings scrolled")
	}
}
