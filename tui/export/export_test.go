package export

import (
	"context"
	"fmt"
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
		if _, ok := msg.(common.InfoMsg); ok {
			continue
		}
		_, next := m.Update(msg)
		queue = append(queue, next)
	}
}

// key builds a key press from a name ("enter", "esc", "tab", "space", "j", "x").
func keyPress(name string) tea.KeyPressMsg {
	switch name {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEsc}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	r := []rune(name)[0]
	return tea.KeyPressMsg{Code: r, Text: name}
}

func press(t *testing.T, m *Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		_, cmd := m.Update(keyPress(k))
		drive(t, m, cmd)
	}
}

func typeText(t *testing.T, m *Model, s string) {
	t.Helper()
	for _, r := range s {
		k := string(r)
		if r == ' ' {
			k = "space"
		}
		press(t, m, k)
	}
}

func TestGoldenForm(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m, _ := fixture(t, size[0], size[1])
			view := m.View()
			assertFits(t, view, size[0], size[1])
			golden.RequireEqual(t, []byte(ansi.Strip(view)))
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
	if got := m.path.Value(); got != want {
		t.Fatalf("default path = %q, want %q", got, want)
	}
}

func TestExportFromTheTab(t *testing.T) {
	m, dir := fixture(t, 120, 40)
	out := filepath.Join(dir, "pack.zip")
	m.path.SetValue(out)
	m.pathTouched = true
	press(t, m, "j") // evidence files
	press(t, m, "space")
	if !m.withFiles {
		t.Fatal("space did not tick evidence files")
	}
	press(t, m, "x")
	if m.state != done {
		t.Fatalf("state = %v, err = %v", m.state, m.err)
	}
	if !m.result.Verify.OK() || m.result.Files < 10 {
		t.Fatalf("verify = %+v", m.result.Verify)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("pack file: %v %v", st, err)
	}
	view := ansi.Strip(m.View())
	for _, want := range []string{"✓ Written " + out, "✓ Verified: all", "SHA-256 " + m.result.SHA256} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	// Exporting again to the same file asks before replacing it.
	press(t, m, "x")
	if m.problem[fieldPath] == "" || m.state != done {
		t.Fatalf("second export did not ask: problem %q state %v", m.problem[fieldPath], m.state)
	}
	press(t, m, "x")
	if m.state != done || m.problem[fieldPath] != "" {
		t.Fatalf("confirmed replace: state %v, problem %q", m.state, m.problem[fieldPath])
	}
}

func TestEncryptedExport(t *testing.T) {
	m, dir := fixture(t, 80, 24)
	m.path.SetValue(filepath.Join(dir, "secret.zip"))
	m.pathTouched = true
	press(t, m, "j", "j", "enter") // encryption on
	if !m.encrypt || !strings.HasSuffix(m.path.Value(), ".zip.age") {
		t.Fatalf("encrypt %v path %q", m.encrypt, m.path.Value())
	}
	press(t, m, "x")
	if m.problem[fieldPass] == "" || m.state != idle {
		t.Fatal("an empty passphrase was accepted")
	}
	if m.focus != fieldPass {
		t.Fatalf("focus %v, want the passphrase field", m.focus)
	}
	press(t, m, "enter")
	if !m.Capturing() {
		t.Fatal("editing the passphrase does not capture keys")
	}
	typeText(t, m, "s3cret words")
	press(t, m, "enter", "j", "enter")
	typeText(t, m, "s3cret words")
	press(t, m, "enter")
	if strings.Contains(ansi.Strip(m.View()), "s3cret") {
		t.Fatal("the passphrase shows on screen")
	}
	press(t, m, "x")
	if m.state != done || !m.result.Verify.OK() {
		t.Fatalf("state %v err %v", m.state, m.err)
	}
	id, _ := os.ReadFile(m.result.Path)
	if !auditpack.IsEncrypted(id) {
		t.Fatal("the pack is not age-encrypted")
	}
}

func TestEscRestoresThePath(t *testing.T) {
	m, _ := fixture(t, 80, 24)
	before := m.path.Value()
	press(t, m, "enter")
	typeText(t, m, "xyz")
	press(t, m, "esc")
	if m.path.Value() != before || m.Capturing() {
		t.Fatalf("path %q capturing %v", m.path.Value(), m.Capturing())
	}
}

func TestRelativeAndHomePaths(t *testing.T) {
	m, dir := fixture(t, 80, 24)
	m.getwd = func() (string, error) { return dir, nil }
	m.path.SetValue("relative.zip")
	if got := m.target(); got != filepath.Join(dir, "relative.zip") {
		t.Errorf("relative path resolves to %q", got)
	}
	t.Setenv("HOME", dir)
	m.path.SetValue("~/home.zip")
	if got := m.target(); got != filepath.Join(dir, "home.zip") {
		t.Errorf("~ path resolves to %q", got)
	}
	m.pathTouched = true
	press(t, m, "x")
	if m.state != done || m.result.Path != filepath.Join(dir, "home.zip") {
		t.Fatalf("state %v path %q err %v", m.state, m.result.Path, m.err)
	}
}
