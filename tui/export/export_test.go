package export

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/auditpack"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/tuitest"
)

var fixedNow = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// fixture is a workspace with one small engagement and the tab at a size.
func fixture(t *testing.T, w, h int) (*Model, string) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, filepath.Join(t.TempDir(), "ws.db"), store.Options{Author: "tester", Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Northwind <Bank> — ISMS", Organisation: "Northwind", Standards: []string{catalogs.ISO27001}})
	if err != nil {
		t.Fatal(err)
	}
	before := assessments.Result{EngagementID: e.ID, Standard: catalogs.ISO27001, Ref: "A.5.1", Status: assessments.NotAssessed}
	after := before
	after.Status, after.Owner = assessments.Implemented, "Priya Raman"
	if _, err := s.SaveResult(ctx, before, after); err != nil {
		t.Fatal(err)
	}
	c := &common.Common{Ctx: ctx, Store: s, Catalogs: catalogs.MustBuiltin(), Styles: common.NewStyles(true), Keys: common.DefaultKeyMap(),
		Width: w, Height: h, Now: func() time.Time { return fixedNow }}
	dir := t.TempDir()
	m := New(c, e).(*Model)
	m.getwd = func() (string, error) { return "/home/consultant", nil }
	m.SetSize(w, h)
	drive(t, m, m.Init())
	return m, dir
}

// lastInfo is the last status-line confirmation the tab sent.
var lastInfo string

// drive runs a command and everything that follows from it through the model. The
// tab has no timers, so every command returns; an export's listen commands block until
// the next step, as they do in the program.
func drive(t *testing.T, m *Model, cmd tea.Cmd) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 10000 {
			t.Fatal("the tab keeps returning commands")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		if batch, ok := msg.(tea.BatchMsg); ok {
			queue = append(queue, batch...)
			continue
		}
		if msg == nil {
			continue
		}
		if env, ok := msg.(common.Envelope); ok {
			if env.To != m.Address() {
				t.Fatalf("a result addressed to %q, not the tab", env.To)
			}
			msg = env.Msg
		}
		if info, ok := msg.(common.InfoMsg); ok {
			lastInfo = info.Text
			continue
		}
		_, next := m.Update(msg)
		queue = append(queue, next)
	}
}

func press(t *testing.T, m *Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		_, cmd := m.Update(tuitest.Key(k))
		drive(t, m, cmd)
	}
}

func typeText(t *testing.T, m *Model, s string) {
	t.Helper()
	for _, k := range tuitest.Keys(s) {
		_, cmd := m.Update(k)
		drive(t, m, cmd)
	}
}

func view(m *Model) string { return tuitest.Plain(m.View()) }

// setPath edits the output file: e, clear the field, type p; the form stays open.
func setPath(t *testing.T, m *Model, p string) {
	t.Helper()
	press(t, m, "e", "ctrl+u")
	typeText(t, m, p)
	if m.f.Value(fPath) != p {
		t.Fatalf("path %q after typing %q", m.f.Value(fPath), p)
	}
}

func TestGoldenForm(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m, _ := fixture(t, size[0], size[1])
			v := m.View()
			assertFits(t, v, size[0], size[1])
			golden.RequireEqual(t, []byte(tuitest.Plain(v)))
		})
		t.Run(fmt.Sprintf("encrypt_errors_%dx%d", size[0], size[1]), func(t *testing.T) {
			m, _ := fixture(t, size[0], size[1])
			press(t, m, "e", "tab", "tab", "space", "ctrl+s")
			v := m.View()
			assertFits(t, v, size[0], size[1])
			if !strings.Contains(tuitest.Plain(v), "Choose a passphrase.") {
				t.Errorf("no passphrase message:\n%s", tuitest.Plain(v))
			}
			golden.RequireEqual(t, []byte(tuitest.Plain(v)))
		})
	}
}

func assertFits(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("view has %d lines, more than %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i, n, w, ansi.Strip(l))
		}
	}
}

func TestDefaultPathNamesEngagementAndDate(t *testing.T) {
	m, _ := fixture(t, 120, 40)
	want := "/home/consultant/northwind-bank-isms-2026-03-14.zip"
	if got := m.f.Value(fPath); got != want {
		t.Fatalf("default path = %q, want %q", got, want)
	}
}

// Item 1: the options are a tui/form form; ctrl+s exports, the result is verified, and a
// second export to the same file asks before replacing it.
func TestExportFromTheTab(t *testing.T) {
	m, dir := fixture(t, 120, 40)
	if m.Capturing() {
		t.Fatal("the tab holds the keyboard before e: ] and [ could not switch tabs")
	}
	out := filepath.Join(dir, "pack.zip")
	setPath(t, m, out)
	if !m.Capturing() {
		t.Fatal("editing the options does not hold the keyboard")
	}
	press(t, m, "tab", "space") // evidence files: yes
	if m.f.Value(fFiles) != yes {
		t.Fatal("space did not choose to include the evidence files")
	}
	press(t, m, "ctrl+s")
	if m.state != done {
		t.Fatalf("state = %v, err = %v", m.state, m.err)
	}
	if m.Capturing() {
		t.Error("the form keeps the keyboard after the export started")
	}
	if !m.result.Verify.OK() || m.result.Files < 10 {
		t.Fatalf("verify = %+v", m.result.Verify)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("pack file: %v %v", st, err)
	}
	v := view(m)
	for _, want := range []string{"✓ Written " + out, "✓ Verified: all", "SHA-256 " + m.result.SHA256, "yes, include the evidence files"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if !strings.Contains(lastInfo, "pack.zip") {
		t.Errorf("status %q", lastInfo)
	}
	// Exporting again to the same file asks before replacing it.
	first := m.result.SHA256
	press(t, m, "x")
	if !strings.Contains(m.f.Errors()[fPath], "The file exists") || !m.Capturing() {
		t.Fatalf("second export did not ask: errors %v, editing %v", m.f.Errors(), m.editing)
	}
	press(t, m, "ctrl+s")
	if m.state != done || len(m.f.Errors()) != 0 {
		t.Fatalf("confirmed replace: state %v, errors %v", m.state, m.f.Errors())
	}
	_ = first
}

// Item 1: the passphrase is a Secret text field: typed twice, never drawn.
func TestEncryptedExport(t *testing.T) {
	m, dir := fixture(t, 80, 24)
	setPath(t, m, filepath.Join(dir, "secret.zip"))
	press(t, m, "tab", "tab", "space") // encryption: yes
	if m.f.Value(fEncrypt) != yes || !strings.HasSuffix(m.f.Value(fPath), ".zip.age") {
		t.Fatalf("encrypt %q path %q", m.f.Value(fEncrypt), m.f.Value(fPath))
	}
	press(t, m, "ctrl+s")
	if m.f.Errors()[fPass] == "" || m.state != idle {
		t.Fatal("an empty passphrase was accepted")
	}
	if m.f.FocusKey() != fPass || !m.Capturing() {
		t.Fatalf("focus %q, want the passphrase field", m.f.FocusKey())
	}
	typeText(t, m, "s3cret words")
	press(t, m, "tab")
	typeText(t, m, "s3cret word")
	press(t, m, "ctrl+s")
	if m.f.Errors()[fPass2] != "The two passphrases differ." || m.state != idle {
		t.Fatalf("differing passphrases: %v", m.f.Errors())
	}
	typeText(t, m, "s")
	if strings.Contains(view(m), "s3cret") {
		t.Fatal("the passphrase shows on screen")
	}
	press(t, m, "ctrl+s")
	if m.state != done || !m.result.Verify.OK() {
		t.Fatalf("state %v err %v", m.state, m.err)
	}
	if v := view(m); strings.Contains(v, "s3cret") || !strings.Contains(v, "••••") {
		t.Fatalf("after the export the passphrase is not masked:\n%s", v)
	}
	b, _ := os.ReadFile(m.result.Path)
	if !auditpack.IsEncrypted(b) {
		t.Fatal("the pack is not age-encrypted")
	}
}

func TestEscGoesBackToTheOptionsAsTheyWere(t *testing.T) {
	m, _ := fixture(t, 80, 24)
	before := m.f.Value(fPath)
	press(t, m, "e")
	typeText(t, m, "xyz")
	press(t, m, "esc")
	if !m.f.Asking() {
		t.Fatal("esc on changed options must ask first")
	}
	press(t, m, "y")
	if m.f.Value(fPath) != before || m.Capturing() {
		t.Fatalf("path %q capturing %v", m.f.Value(fPath), m.Capturing())
	}
	// Unchanged: esc leaves at once.
	press(t, m, "e", "esc")
	if m.Capturing() {
		t.Fatal("esc on unchanged options does not leave")
	}
}

func TestRelativeAndHomePaths(t *testing.T) {
	m, dir := fixture(t, 80, 24)
	m.getwd = func() (string, error) { return dir, nil }
	j := job{path: "relative.zip", getwd: m.getwd}
	if got := j.target(); got != filepath.Join(dir, "relative.zip") {
		t.Errorf("relative path resolves to %q", got)
	}
	t.Setenv("HOME", dir)
	j.path = "~/home.zip"
	if got := j.target(); got != filepath.Join(dir, "home.zip") {
		t.Errorf("~ path resolves to %q", got)
	}
	setPath(t, m, "~/home.zip")
	press(t, m, "ctrl+s")
	if m.state != done || m.result.Path != filepath.Join(dir, "home.zip") {
		t.Fatalf("state %v path %q err %v", m.state, m.result.Path, m.err)
	}
}

func TestMissingFolderIsShownNextToThePath(t *testing.T) {
	m, dir := fixture(t, 80, 24)
	setPath(t, m, filepath.Join(dir, "no-such-folder", "pack.zip"))
	press(t, m, "ctrl+s")
	if !strings.Contains(m.f.Errors()[fPath], "does not exist") || m.state != idle || !m.Capturing() {
		t.Fatalf("errors %v state %v", m.f.Errors(), m.state)
	}
}

// Item 2: counts agree in number.
func TestOutcomeCountsAgreeInNumber(t *testing.T) {
	m, _ := fixture(t, 120, 40)
	m.state = done
	m.result = result{Path: "/tmp/p.zip", Size: 1, Files: 1, SHA256: "ab", Verify: &auditpack.Report{Checked: 1}}
	v := view(m)
	for _, want := range []string{"1 file and the manifest, 1 byte", "the file matches the manifest"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "1 files") || strings.Contains(v, "1 bytes") {
		t.Errorf("a count disagrees in number:\n%s", v)
	}
}

// Item 3: keys are bindings that drive the help; ? fits 80 columns with each key once.
func TestHelpListsEachKeyOnce(t *testing.T) {
	m, _ := fixture(t, 80, 24)
	for _, editing := range []bool{false, true} {
		if editing {
			press(t, m, "e")
		}
		seen := map[string]bool{}
		for _, g := range m.KeyMap().FullHelp() {
			for _, b := range g {
				for _, k := range helpKeys(b.Help().Key) {
					if seen[k] {
						t.Errorf("editing=%v: %q listed twice", editing, k)
					}
					seen[k] = true
				}
			}
		}
		short := m.KeyMap().ShortHelp()
		if len(short) == 0 {
			t.Fatal("no short help")
		}
		first := short[0].Help().Key
		if !editing && first != "x" || editing && first != "ctrl+s" {
			t.Errorf("editing=%v: the short help starts with %q", editing, first)
		}
		if editing && short[0].Help().Desc != "export" {
			t.Errorf("ctrl+s is described as %q", short[0].Help().Desc)
		}
		for _, l := range strings.Split(tuitest.Plain(common.FullHelp(m.c.Styles, m.KeyMap().FullHelp(), 80)), "\n") {
			if ansi.StringWidth(l) > 80 {
				t.Errorf("full help line wider than 80: %q", l)
			}
		}
	}
}

func TestRandomKeysOverExport(t *testing.T) {
	m, dir := fixture(t, 80, 24)
	m.getwd = func() (string, error) { return dir, nil }
	t.Setenv("HOME", dir)
	rng := rand.New(rand.NewSource(7))
	keys := []string{"x", "e", "enter", "esc", "tab", "shift+tab", "up", "down", "left", "right", "space", "backspace",
		"ctrl+s", "ctrl+u", "y", "n", "j", "k", "?", "/", "~", "a", ".", "t", "]", "["}
	pastes := []string{"pack.zip", "~/p.zip", "sub/", "\x1b[2J", strings.Repeat("y", 5000), "", "/", "two\nlines"}
	for i := range 3000 {
		if rng.Intn(10) == 0 {
			_, cmd := m.Update(tea.PasteMsg{Content: pastes[rng.Intn(len(pastes))]})
			drive(t, m, cmd)
		} else {
			press(t, m, keys[rng.Intn(len(keys))])
		}
		if i%50 == 0 {
			assertFits(t, m.View(), 80, 24)
			if strings.Contains(view(m), "\x1b") {
				t.Fatal("an escape sequence reached the screen")
			}
		}
	}
	tuitest.CheckWorkspace(t, m.c.Store)
}

// helpKeys are the keys a help entry names: "↑/k" is ↑ and k; "/" is itself.
func helpKeys(k string) []string {
	if k == "/" {
		return []string{k}
	}
	return strings.Split(k, "/")
}
