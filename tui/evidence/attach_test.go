package evidence

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
)

func closed(t *testing.T, out []any) (common.CloseOverlayMsg, bool) {
	t.Helper()
	for _, m := range out {
		if c, ok := m.(common.CloseOverlayMsg); ok {
			return c, true
		}
	}
	return common.CloseOverlayMsg{}, false
}

func anys[T any](in []T) []any {
	out := make([]any, len(in))
	for i, x := range in {
		out[i] = x
	}
	return out
}

func TestAttachExistingByFuzzySearch(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	d := NewAttachDialog(f.c, f.e, catalogs.ISO27001, "A.5.9")
	d.SetSize(100, 28)
	s, _ := drive(t, d, d.Init())
	if !s.(*attachDialog).Capturing() {
		t.Fatal("the dialog must hold the keyboard")
	}
	s = typeText(t, s, "infsec pol")
	if v := ansiPlain(s.View()); !strings.Contains(v, "Information security policy") || strings.Contains(v, "Penetration test") {
		t.Fatalf("fuzzy search:\n%s", v)
	}
	_, out := press(t, s, "enter")
	c, ok := closed(t, anys(out))
	if !ok || !c.Changed {
		t.Fatalf("enter must attach and close with Changed: %v", out)
	}
	items, _ := f.c.Store.EvidenceFor(ctx, f.e.ID, catalogs.ISO27001, "A.5.9")
	if len(items) != 1 || items[0].Title != "Information security policy" {
		t.Fatalf("attached %v", items)
	}
}

func TestAttachNewFileAndCancel(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	p := filepath.Join(f.dir, "asset-register.xlsx")
	os.WriteFile(p, []byte("assets"), 0o600)
	d := NewAttachDialog(f.c, f.e, catalogs.ISO42001, "A.4.2")
	d.SetSize(100, 28)
	s, _ := drive(t, d, d.Init())
	s = typeText(t, s, p)
	s, _ = press(t, s, "enter")
	dlg := s.(*attachDialog)
	if dlg.form == nil || dlg.form.inputs[fPath].Value() != p || dlg.form.inputs[fLinks].Value() != "A.4.2" {
		t.Fatalf("form not prefilled: %+v", dlg.form)
	}
	s = typeText(t, s, "Asset register")
	_, out := press(t, s, "ctrl+s")
	if c, ok := closed(t, anys(out)); !ok || !c.Changed {
		t.Fatalf("save must close with Changed: %v (errs %v)", out, dlg.form)
	}
	items, _ := f.c.Store.EvidenceFor(ctx, f.e.ID, catalogs.ISO42001, "A.4.2")
	if len(items) != 1 || items[0].Title != "Asset register" || items[0].Path != p {
		t.Fatalf("new item %+v", items)
	}
	// Esc closes without a change.
	d2 := NewAttachDialog(f.c, f.e, catalogs.ISO42001, "A.4.2")
	d2.SetSize(100, 28)
	s2, _ := drive(t, d2, d2.Init())
	_, out = press(t, s2, "esc")
	if c, ok := closed(t, anys(out)); !ok || c.Changed {
		t.Fatalf("esc: %v", out)
	}
}

func TestAttachDetach(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	d := NewAttachDialog(f.c, f.e, catalogs.ISO27001, "A.5.15")
	d.SetSize(100, 28)
	s, _ := drive(t, d, d.Init())
	// The attached item is listed first and marked.
	if v := ansiPlain(s.View()); !strings.Contains(v, "✓ Access review Q1") {
		t.Fatalf("attached item not marked:\n%s", v)
	}
	s, _ = press(t, s, "enter")
	if !strings.Contains(ansiPlain(s.View()), "already attached") {
		t.Fatalf("no notice:\n%s", ansiPlain(s.View()))
	}
	s, _ = press(t, s, "ctrl+x")
	if items, _ := f.c.Store.EvidenceFor(ctx, f.e.ID, catalogs.ISO27001, "A.5.15"); len(items) != 0 {
		t.Fatalf("still attached: %v", items)
	}
	_, out := press(t, s, "esc")
	if c, ok := closed(t, anys(out)); !ok || !c.Changed {
		t.Fatalf("esc after a detach must report a change: %v", out)
	}
}
