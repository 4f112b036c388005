package risks_test

// These tests drive the whole workbench (tui.App) with keys, as a user does, on a real
// workspace: the Risks tab's bugs of b5de395, each seen from the outside.

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/tuitest"
)

type root struct {
	*tuitest.Root
	t   *testing.T
	app *tui.App
	s   *store.Store
	e   assessments.Engagement
}

func score(l, c int) assessments.Score { return assessments.Score{Likelihood: l, Consequence: c} }

func newRoot(t *testing.T, withRisks bool) *root {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "ws.db"), store.Options{Author: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Medivance", Standards: []string{catalogs.ISO27001, catalogs.ISO42001}})
	if err != nil {
		t.Fatal(err)
	}
	if withRisks {
		acc := &assessments.Acceptance{By: "Priya Raman", Date: "2026-01-10", Rationale: "Within appetite", Residual: score(2, 3)}
		for _, r := range []assessments.Risk{
			{Title: "Ransomware encrypts the imaging archive", Scope: assessments.ScopeSecurity, Inherent: score(4, 5),
				Treatment: assessments.TreatModify, Residual: score(2, 4), Status: assessments.RiskInTreatment},
			{Title: "Annotation supplier mislabels images", Scope: assessments.ScopeBoth, Owner: "Amara Nwosu", Inherent: score(3, 4),
				Treatment: assessments.TreatRetain, Residual: score(3, 3), Acceptance: acc, Status: assessments.RiskAccepted},
			{Title: "Former staff keep analytics access", Scope: assessments.ScopeSecurity, Inherent: score(2, 3),
				Treatment: assessments.TreatModify, Residual: score(1, 3), Status: assessments.RiskClosed},
		} {
			r.EngagementID = e.ID
			if _, err := s.CreateRisk(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	a := tui.New(ctx, s, catalogs.MustBuiltin())
	a.Common().NoTimers = true
	rt := &root{Root: tuitest.NewRoot(a), t: t, app: a, s: s, e: e}
	rt.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
	rt.Send(common.OpenEngagementMsg{Engagement: e})
	for range 12 {
		if strings.Contains(rt.View(), "Risk register") {
			return rt
		}
		rt.Keys("]")
	}
	t.Fatalf("no Risks tab:\n%s", rt.View())
	return nil
}

func (r *root) typeText(s string) {
	r.t.Helper()
	for _, k := range tuitest.Keys(s) {
		if k.Text == " " {
			k = tuitest.Key("space")
		}
		r.Send(k)
	}
}

// tabTo presses tab until the focused field's label shows.
func (r *root) tabTo(label string) {
	r.t.Helper()
	for range 40 {
		if strings.Contains(r.View(), "▸ "+label) {
			return
		}
		r.Keys("tab")
	}
	r.t.Fatalf("no field %q:\n%s", label, r.View())
}

func (r *root) risks() []assessments.Risk {
	r.t.Helper()
	rs, err := r.s.Risks(context.Background(), r.e.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	return rs
}

func TestRootPickListWithNoMatchWritesNothing(t *testing.T) {
	r := newRoot(t, false)
	r.Keys("n")
	r.typeText("Half-typed risk")
	r.tabTo("C/I/A concerned")
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Errorf("enter, z, down in the pick list: panic %v", p)
			}
		}()
		r.Keys("enter")
		r.typeText("z")
		r.Keys("down")
		_ = r.View()
	}()
	// The program ends (after a panic, a closed terminal, a quit): the root flushes what
	// screens hold. A risk nobody saved with ctrl+s must not be written.
	if err := r.app.Flush(); err != nil {
		t.Logf("flush: %v", err)
	}
	if rs := r.risks(); len(rs) != 0 {
		t.Fatalf("%s reached the register without ctrl+s", rs[0].Ref)
	}
	cs, err := r.s.Changes(context.Background(), store.ChangeFilter{Entity: store.RiskEntity})
	if err != nil || len(cs) != 0 {
		t.Fatalf("history: %d risk rows (%v)", len(cs), err)
	}
}

func TestRootHeatMapCountsOpenRisksOnly(t *testing.T) {
	r := newRoot(t, true)
	r.Keys("h")
	v := r.View()
	if !strings.Contains(v, "2 open risks") {
		t.Errorf("the heat map does not say it counts the 2 open risks:\n%s", v)
	}
	// Rare (1) × Moderate (3) holds only the closed risk's residual.
	r.Keys("down", "down", "down", "down", "left", "left")
	if v := r.View(); !strings.Contains(v, "Rare (1) × Moderate (3) = Low · 0 open risks") {
		t.Errorf("the closed risk is counted:\n%s", v)
	}
}

func TestRootEditingTheRationaleKeepsStale(t *testing.T) {
	r := newRoot(t, true)
	r.Keys("j", "e")
	r.tabTo("Why acceptable")
	r.typeText(" (reviewed)")
	r.Keys("ctrl+s")
	got := r.risks()[1]
	if got.Acceptance == nil || !strings.Contains(got.Acceptance.Rationale, "(reviewed)") {
		t.Fatalf("the rationale was not saved: %+v\n%s", got.Acceptance, r.View())
	}
	if !got.AcceptanceStale() {
		t.Fatalf("editing why it is acceptable re-accepted the residual: %+v", got.Acceptance)
	}
}

func TestRootAcceptingAgainIsExplicit(t *testing.T) {
	r := newRoot(t, true)
	r.Keys("j", "A")
	v := r.View()
	if !strings.Contains(v, "Accept the residual risk of R-002") {
		t.Fatalf("A does not open the accept dialog:\n%s", v)
	}
	r.typeText("Supplier audit passed")
	r.Keys("ctrl+s")
	got := r.risks()[1]
	if got.AcceptanceStale() || got.Acceptance.Residual != score(3, 3) || got.Acceptance.By != "Amara Nwosu" {
		t.Fatalf("acceptance %+v", got.Acceptance)
	}
	today := time.Now().Format(assessments.DateLayout)
	if got.Acceptance.Date != today {
		t.Errorf("accepted on %s, want today %s", got.Acceptance.Date, today)
	}
}

func TestRootMatrixSaveRecordsOnlyTheEditedField(t *testing.T) {
	r := newRoot(t, false)
	ctx := context.Background()
	mx := assessments.DefaultMatrix(5)
	odd := mx.Clone()
	odd.LikelihoodLabels[0] = "Rare " // as an import may leave it
	if _, err := r.s.SaveRiskMatrix(ctx, r.e.ID, mx, odd); err != nil {
		t.Fatal(err)
	}
	r.Keys("]", "[") // back on the tab: it reloads
	before, _ := r.s.Changes(ctx, store.ChangeFilter{Entity: "risk_matrix"})
	r.Keys("m")
	r.tabTo("Accept up to")
	r.Keys("right", "ctrl+s")
	after, _ := r.s.Changes(ctx, store.ChangeFilter{Entity: "risk_matrix"})
	var fields []string
	for _, c := range after[len(before):] {
		fields = append(fields, c.Field)
	}
	if fmt.Sprint(fields) != "[threshold]" {
		t.Fatalf("the save recorded %v; only the threshold was edited", fields)
	}
}

func TestRootDeleteAsksAboveTheScreen(t *testing.T) {
	r := newRoot(t, true)
	r.Keys("d")
	if v := r.View(); !strings.Contains(v, "Delete risk R-001 Ransomware encrypts the imaging archive?") {
		t.Fatalf("no dialog naming the risk:\n%s", v)
	}
	r.Keys("y")
	if n := len(r.risks()); n != 2 {
		t.Fatalf("%d risks after the delete", n)
	}
}

func TestRootUndoTakesBackARiskEdit(t *testing.T) {
	r := newRoot(t, true)
	r.Keys("e")
	r.tabTo("Owner")
	r.typeText("Lena Fischer")
	r.Keys("ctrl+s")
	if got := r.risks()[0].Owner; got != "Lena Fischer" {
		t.Fatalf("owner %q", got)
	}
	r.Keys("z")
	if got := r.risks()[0].Owner; got != "" {
		t.Fatalf("z left the owner %q:\n%s", got, r.View())
	}
	if v := r.View(); !strings.Contains(v, "Undone: R-001 owner") {
		t.Errorf("no undo message:\n%s", v)
	}
}

func TestRootJumpBoxGoesToARisk(t *testing.T) {
	r := newRoot(t, true)
	r.Keys("s") // status open: hides
	r.Keys(":")
	r.typeText("R-003")
	if v := r.View(); !regexp.MustCompile(`risk\s+R-003 Former staff keep analytics access`).MatchString(v) {
		t.Fatalf("the jump box does not offer the risk:\n%s", v)
	}
	r.Keys("enter")
	v := r.View()
	selected := false
	for _, l := range strings.Split(v, "\n") {
		// The line under the table names the selected risk.
		selected = selected || strings.HasPrefix(l, "R-003 Former staff keep analytics access")
	}
	if !selected || strings.Contains(v, "filter: status") {
		t.Fatalf("R-003 is not selected with the filter cleared:\n%s", v)
	}
}

func TestRootEscClearsTheFilterBeforeLeaving(t *testing.T) {
	r := newRoot(t, true)
	r.Keys("/")
	r.typeText("supplier")
	r.Keys("enter")
	if v := r.View(); !strings.Contains(v, "1 of 3 risks") {
		t.Fatalf("filter not applied:\n%s", v)
	}
	r.Keys("esc")
	v := r.View()
	if !strings.Contains(v, "Risk register") || !strings.Contains(v, "3 of 3 risks") {
		t.Fatalf("esc did not clear the filter in place:\n%s", v)
	}
	r.Keys("S") // status backwards from all: closed
	if v := r.View(); !strings.Contains(v, "status closed") || !strings.Contains(v, "1 of 3 risks") {
		t.Fatalf("S does not step the status filter back:\n%s", v)
	}
}
