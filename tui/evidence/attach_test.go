package evidence

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/tuitest"
)

func newRand(t *testing.T, seed int64) *rand.Rand {
	t.Logf("seed %d", seed)
	return rand.New(rand.NewSource(seed))
}

// openAttach opens the dialog the way the gap tab does (common.OpenDialog) in a root with
// no tab beneath.
func openAttach(t *testing.T, f *fixture, std, ref string) (*attachDialog, *root) {
	t.Helper()
	r := newRoot(t, f.c, nil)
	r.run(common.OpenDialog(NewAttachDialog(f.c, f.e, std, ref)))
	d, ok := r.front().(*attachDialog)
	if !ok || !d.loaded {
		t.Fatalf("the dialog did not open and load: %T", r.front())
	}
	return d, r
}

func TestGoldenAttachDialog(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := newFixture(t, size[0], size[1])
			d, _ := openAttach(t, f, catalogs.ISO27001, "A.5.15")
			// The root gives a dialog the window less its status and help lines.
			w, h := size[0], size[1]-2
			view := d.View(w, h)
			assertBox(t, view, w, h)
			golden.RequireEqual(t, []byte(plain(view)))
		})
	}
}

func TestGoldenAttachDialogForm(t *testing.T) {
	for _, size := range sizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := newFixture(t, size[0], size[1])
			d, r := openAttach(t, f, catalogs.ISO42001, "A.5.2")
			r.send(tea.PasteMsg{Content: "/home/priya/northwind/ai-policy.pdf"})
			r.press("enter")
			w, h := size[0], size[1]-2
			view := d.View(w, h)
			assertBox(t, view, w, h)
			golden.RequireEqual(t, []byte(plain(view)))
		})
	}
}

func assertBox(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("dialog has %d lines in a height of %d", len(lines), h)
	}
	for i, l := range lines {
		if n := len([]rune(plain(l))); n > w {
			t.Errorf("line %d is %d cells wide (max %d): %q", i+1, n, w, plain(l))
		}
	}
}

func TestAttachDialogNamesTheRequirementAndFiltersAsYouType(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	d, r := openAttach(t, f, catalogs.ISO27001, "A.5.9")
	v := plain(d.View(100, 28))
	if !strings.Contains(v, "Attach evidence to ISO 27001 A.5.9 Inventory of information and other associated assets") {
		t.Fatalf("title:\n%s", v)
	}
	if d.ID() != f.e.ID+"/evidence/attach/"+catalogs.ISO27001+"/A.5.9" {
		t.Fatalf("id %q", d.ID())
	}
	r.typeText("infsec pol")
	if v := plain(d.View(100, 28)); !strings.Contains(v, "Information security policy") || strings.Contains(v, "Penetration test") {
		t.Fatalf("filter:\n%s", v)
	}
	r.press("enter")
	if r.front() != nil {
		t.Fatal("enter must attach and close")
	}
	out := r.took()
	if _, ok := has[common.DataChangedMsg](out); !ok {
		t.Fatalf("the gap tab is not told: %v", out)
	}
	if got := info(out); got != "Attached “Information security policy” to ISO 27001 A.5.9" {
		t.Fatalf("status %q", got)
	}
	items, _ := f.c.Store.EvidenceFor(ctx, f.e.ID, catalogs.ISO27001, "A.5.9")
	if len(items) != 1 || items[0].Title != "Information security policy" {
		t.Fatalf("attached %v", items)
	}
}

func TestAttachDialogEscHasNoSideEffect(t *testing.T) {
	f := newFixture(t, 100, 30)
	changes := countChanges(t, f)
	_, r := openAttach(t, f, catalogs.ISO27001, "A.5.15")
	r.typeText("acc")
	r.press("down", "up", "esc")
	if r.front() != nil {
		t.Fatal("esc must close the dialog")
	}
	if out := r.took(); len(out) != 0 {
		t.Fatalf("esc sent %v", out)
	}
	if n := countChanges(t, f); n != changes {
		t.Fatal("esc wrote something")
	}
}

func TestAttachDialogEmptyResultsNeverPanic(t *testing.T) {
	f := newFixture(t, 100, 30)
	d, r := openAttach(t, f, catalogs.ISO27001, "A.5.15")
	r.typeText("zzzzqqq")
	if len(d.matches) != 0 {
		t.Fatalf("matches %v", d.matches)
	}
	r.press("down", "down", "up", "pgdown", "pgup", "ctrl+x")
	_ = d.View(80, 22)
	if r.front() != d || d.cursor != 0 {
		t.Fatalf("cursor %d", d.cursor)
	}
	// With nothing matching, enter offers a new item with the typed title.
	r.press("enter")
	if d.ed == nil || d.ed.form.Value(kTitle) != "zzzzqqq" {
		t.Fatal("enter with no match must open the new-item form")
	}
	// esc leaves the form for the list, a second esc closes the dialog.
	r.press("esc")
	if d.ed != nil || r.front() != d {
		t.Fatal("esc in the form returns to the list")
	}
	r.press("esc")
	if r.front() != nil {
		t.Fatal("esc closes the dialog")
	}
}

func TestAttachNewFile(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	p := filepath.Join(f.dir, "asset-register.xlsx")
	os.WriteFile(p, []byte("assets"), 0o600)
	d, r := openAttach(t, f, catalogs.ISO42001, "A.4.2")
	r.send(tea.PasteMsg{Content: p})
	r.press("enter")
	if d.ed == nil || d.ed.form.Value(kPath) != p || d.ed.form.Value(kLinks) != catalogs.ISO42001+":A.4.2" || d.ed.form.FocusKey() != kTitle {
		t.Fatalf("form not prefilled: %+v", d.ed)
	}
	if v := plain(d.View(100, 28)); !strings.Contains(v, "Attach evidence to ISO 42001 A.4.2") || !strings.Contains(v, "New evidence") {
		t.Fatalf("view:\n%s", v)
	}
	r.typeText("Asset register")
	r.press("ctrl+s")
	if r.front() != nil {
		t.Fatalf("save must close: %v %q", d.ed.form.Errors(), d.ed.general)
	}
	out := r.took()
	if _, ok := has[common.DataChangedMsg](out); !ok || info(out) != "Added evidence “Asset register” to ISO 42001 A.4.2" {
		t.Fatalf("out %v", out)
	}
	items, _ := f.c.Store.EvidenceFor(ctx, f.e.ID, catalogs.ISO42001, "A.4.2")
	if len(items) != 1 || items[0].Title != "Asset register" || items[0].Path != p || !items[0].Kept {
		t.Fatalf("new item %+v", items)
	}
}

func TestAttachDetachKeepsTheDialogAndTellsTheGapTab(t *testing.T) {
	f := newFixture(t, 100, 30)
	ctx := context.Background()
	d, r := openAttach(t, f, catalogs.ISO27001, "A.5.15")
	if v := plain(d.View(100, 28)); !strings.Contains(v, "✓ Access review Q1") || !strings.Contains(v, "3 links") {
		t.Fatalf("attached item not marked first:\n%s", v)
	}
	r.press("enter")
	if !strings.Contains(plain(d.View(100, 28)), "already attached") {
		t.Fatalf("no notice:\n%s", plain(d.View(100, 28)))
	}
	r.press("ctrl+x")
	if items, _ := f.c.Store.EvidenceFor(ctx, f.e.ID, catalogs.ISO27001, "A.5.15"); len(items) != 0 {
		t.Fatalf("still attached: %v", items)
	}
	if _, ok := has[common.DataChangedMsg](r.took()); !ok || r.front() != d {
		t.Fatal("a detach tells the screens and keeps the dialog open")
	}
	if v := plain(d.View(100, 28)); !strings.Contains(v, "Detached “Access review Q1”") || strings.Contains(v, "✓ Access") {
		t.Fatalf("after detach:\n%s", v)
	}
	r.press("esc")
	if out := r.took(); len(out) != 0 || r.front() != nil {
		t.Fatalf("esc after a detach: %v", out)
	}
}

func TestRandomKeysOverTheAttachDialog(t *testing.T) {
	f := newFixture(t, 100, 30)
	rng := newRand(t, 11)
	r := newRoot(t, f.c, nil)
	refs := []string{"A.5.15", "A.5.9", "A.8.8"}
	keys := append([]string{"ctrl+n", "ctrl+p", "a", "p", "o", "l", "/", "~", "."}, randomKeys...)
	for range 4000 {
		if r.front() == nil {
			r.run(common.OpenDialog(NewAttachDialog(f.c, f.e, catalogs.ISO27001, refs[rng.Intn(len(refs))])))
		}
		if rng.Intn(20) == 0 {
			r.send(tea.PasteMsg{Content: pastes[rng.Intn(len(pastes))]})
		} else {
			r.send(keyPress(keys[rng.Intn(len(keys))]))
		}
		if d := r.front(); d != nil {
			_ = d.View(80+rng.Intn(60), 22+rng.Intn(20))
		}
	}
	tuitest.CheckFileAndChain(t, f.c.Store) // the fixture moves the files' paths behind the store's back
}
