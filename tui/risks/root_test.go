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
	rt := &root{t: t, app: a, s: s, e: e}
	rt.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	rt.send(common.OpenEngagementMsg{Engagement: e})
	for range 12 {
		if strings.Contains(rt.view(), "Risk register") {
			return rt
		}
		rt.keys("]")
	}
	t.Fatalf("no Risks tab:\n%s", rt.view())
	return nil
}

func (r *root) send(msg tea.Msg) {
	r.t.Helper()
	tuitest.Run(func(m tea.Msg) tea.Cmd { _, cmd := r.app.Update(m); return cmd }, func() tea.Msg { return msg })
}

func (r *root) keys(keys ...string) {
	r.t.Helper()
	for _, k := range keys {
		msg := tuitest.Key(k)
		switch k {
		case "left":
			msg = tea.KeyPressMsg{Code: tea.KeyLeft}
		case "right":
			msg = tea.KeyPressMsg{Code: tea.KeyRight}
		}
		r.send(msg)
	}
}

func (r *root) typeText(s string) {
	r.t.Helper()
	for _, k := range tuitest.Keys(s) {
		if k.Text == " " {
			k = tuitest.Key("space")
		}
		r.send(k)
	}
}

func (r *root) view() string { return tuitest.Plain(r.app.View().Content) }

// tabTo presses tab until the focused field's label shows.
func (r *root) tabTo(label string) {
	r.t.Helper()
	for range 40 {
		if strings.Contains(r.view(), "▸ "+label) {
			return
		}
		r.keys("tab")
	}
	r.t.Fatalf("no field %q:\n%s", label, r.view())
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
	r.keys("n")
	r.typeText("Half-typed risk")
	r.tabTo("C/I/A concerned")
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Errorf("enter, z, down in the pick list: panic %v", p)
			}
		}()
		r.keys("enter")
		r.typeText("z")
		r.keys("down")
		_ = r.view()
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
	r.keys("h")
	v := r.view()
	if !strings.Contains(v, "2 open risks") {
		t.Errorf("the heat map does not say it counts the 2 open risks:\n%s", v)
	}
	// Rare (1) × Moderate (3) holds only the closed risk's residual.
	r.keys("down", "down", "down", "down", "left", "left")
	if v := r.view(); !strings.Contains(v, "Rare (1) × Moderate (3) = Low · 0 open risks") {
		t.Errorf("the closed risk is counted:\n%s", v)
	}
}

func TestRootEditingTheRationaleKeepsStale(t *testing.T) {
	r := newRoot(t, true)
	r.keys("j", "e")
	r.tabTo("Why acceptable")
	r.typeText(" (reviewed)")
	r.keys("ctrl+s")
	got := r.risks()[1]
	if got.Acceptance == nil || !strings.Contains(got.Acceptance.Rationale, "(reviewed)") {
		t.Fatalf("the rationale was not saved: %+v\n%s", got.Acceptance, r.view())
	}
	if !got.AcceptanceStale() {
		t.Fatalf("editing why it is acceptable re-accepted the residual: %+v", got.Acceptance)
	}
}

func TestRootAcceptingAgainIsExplicit(t *testing.T) {
	r := newRoot(t, true)
	r.keys("j", "A")
	v := r.view()
	if !strings.Contains(v, "Accept the residual risk of R-002") {
		t.Fatalf("A does not open the accept dialog:\n%s", v)
	}
	r.typeText("Supplier audit passed")
	r.keys("ctrl+s")
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
	r.keys("]", "[") // back on the tab: it reloads
	before, _ := r.s.Changes(ctx, store.ChangeFilter{Entity: "risk_matrix"})
	r.keys("m")
	r.tabTo("Accept up to")
	r.keys("right", "ctrl+s")
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
	r.keys("d")
	if v := r.view(); !strings.Contains(v, "Delete risk R-001 Ransomware encrypts the imaging archive?") {
		t.Fatalf("no dialog naming the risk:\n%s", v)
	}
	r.keys("y")
	if n := len(r.risks()); n != 2 {
		t.Fatalf("%d risks after the delete", n)
	}
}

func TestRootUndoTakesBackARiskEdit(t *testing.T) {
	r := newRoot(t, true)
	r.keys("e")
	r.tabTo("Owner")
	r.typeText("Lena Fischer")
	r.keys("ctrl+s")
	if got := r.risks()[0].Owner; got != "Lena Fischer" {
		t.Fatalf("owner %q", got)
	}
	r.keys("z")
	if got := r.risks()[0].Owner; got != "" {
		t.Fatalf("z left the owner %q:\n%s", got, r.view())
	}
	if v := r.view(); !strings.Contains(v, "Undone: R-001 owner") {
		t.Errorf("no undo message:\n%s", v)
	}
}

func TestRootJumpBoxGoesToARisk(t *testing.T) {
	r := newRoot(t, true)
	r.keys("s") // status open: hides
	r.keys(":")
	r.typeText("R-003")
	if v := r.view(); !regexp.MustCompile(`risk\s+R-003 Former staff keep analytics access`).MatchString(v) {
		t.Fatalf("the jump box does not offer the risk:\n%s", v)
	}
	r.keys("enter")
	v := r.view()
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
	r.keys("/")
	r.typeText("supplier")
	r.keys("enter")
	if v := r.view(); !strings.Contains(v, "1 of 3 risks") {
		t.Fatalf("filter not applied:\n%s", v)
	}
	r.keys("esc")
	v := r.view()
	if !strings.Contains(v, "Risk register") || !strings.Contains(v, "3 of 3 risks") {
		t.Fatalf("esc did not clear the filter in place:\n%s", v)
	}
	r.keys("S") // status backwards from all: closed
	if v := r.view(); !strings.Contains(v, "status closed") || !strings.Contains(v, "1 of 3 risks") {
		t.Fatalf("S does not step the status filter back:\n%s", v)
	}
}
