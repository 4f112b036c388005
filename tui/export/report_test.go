package export

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/tuitest"
)

func TestReportDocumentControlFromTheTab(t *testing.T) {
	m, _ := fixture(t, 120, 40)
	h := tuitest.NewHost(m)
	if !strings.Contains(view(m), "Report draft · confidential") {
		t.Fatalf("the tab does not show the report settings:\n%s", view(m))
	}
	h.Keys("r")
	if h.Dialogs.Len() != 1 {
		t.Fatal("r did not open the report settings")
	}
	// final without an approver: refused next to the field, nothing saved.
	h.Keys("right", "ctrl+s")
	d := tuitest.Plain(h.Dialogs.Front().View(120, 40))
	if h.Dialogs.Len() != 1 || !strings.Contains(d, "A final report needs the name of who approved it") {
		t.Fatalf("final without approver:\n%s", d)
	}
	ctx := context.Background()
	if rc, _ := m.c.Store.ReportControl(ctx, m.e.ID); rc.EffectiveStatus() != assessments.ReportDraft {
		t.Fatal("a refused form saved the report settings")
	}
	focus := func(k string) {
		for _, dir := range []string{"tab", "shift+tab"} {
			for range 8 {
				if h.Dialogs.Front().(*dialog.Form).Inner().FocusKey() == k {
					return
				}
				h.Keys(dir)
			}
		}
		t.Fatalf("field %s not reachable", k)
	}
	hostType(h, "Daniel Okafor")
	focus(rClass)
	h.Keys("right") // confidential → restricted
	focus(rVersion)
	hostType(h, "1.0")
	focus(rDistribution)
	hostType(h, "Board")
	focus(rApprovedOn)
	h.Keys("ctrl+u", "t", "ctrl+s")
	if h.Dialogs.Len() != 0 {
		t.Fatalf("the dialog stayed open:\n%s", tuitest.Plain(h.Dialogs.Front().View(120, 40)))
	}
	rc, _ := m.c.Store.ReportControl(ctx, m.e.ID)
	if rc.Status != assessments.ReportFinal || rc.Classification != assessments.ClassRestricted || rc.Version != "1.0" ||
		rc.Distribution != "Board" || rc.Approver != "Daniel Okafor" || rc.ApprovedOn != "2026-03-14" {
		t.Fatalf("saved %+v", rc)
	}
	if v := view(m); !strings.Contains(v, "Report final · restricted · version 1.0 · approved by Daniel Okafor on 2026-03-14 · to Board") {
		t.Errorf("the tab shows:\n%s", v)
	}
}

func TestExportFromTheTabIsRecorded(t *testing.T) {
	m, dir := fixture(t, 120, 40)
	out := filepath.Join(dir, "pack.zip")
	setPath(t, m, out)
	press(t, m, "ctrl+s")
	if m.state != done || m.result.NotRecorded != "" {
		t.Fatalf("state %v, not recorded: %q", m.state, m.result.NotRecorded)
	}
	var n int
	if err := m.c.Store.DB().QueryRow("SELECT count(*) FROM pack_records WHERE sha256 = ?", m.result.SHA256).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d records of the pack: %v", n, err)
	}
}

func hostType(h *tuitest.Host, s string) {
	for _, k := range tuitest.Keys(s) {
		if k.Text == " " {
			k = tuitest.Key("space")
		}
		h.Send(k)
	}
}
