// Package export is the engagement's Export tab: it builds the audit pack in the
// background with a progress bar, writes it (optionally encrypted with a passphrase),
// verifies what it wrote and shows where the pack is.
package export

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"filippo.io/age"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/auditpack"
	"github.com/annex-grc/annex/tui/common"
)

// Version is the annex version written into packs made from the workbench; the command
// line sets it at start.
var Version = "dev"

// field is a row of the form.
type field int

const (
	fieldPath field = iota
	fieldFiles
	fieldEncrypt
	fieldPass
	fieldPass2
	fieldButton
)

type state int

const (
	idle state = iota
	building
	done
	failed
)

type keyMap struct {
	Up, Down, Edit, Toggle, Export, Done key.Binding
}

func newKeys() keyMap {
	return keyMap{
		Up:     key.NewBinding(key.WithKeys("up", "k", "shift+tab"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "j", "tab"), key.WithHelp("↓/j", "down")),
		Edit:   key.NewBinding(key.WithKeys("enter", "e"), key.WithHelp("enter", "edit/toggle")),
		Toggle: key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "toggle")),
		Export: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export")),
		Done:   key.NewBinding(key.WithKeys("enter", "esc"), key.WithHelp("enter", "done")),
	}
}

// Model is the Export tab.
type Model struct {
	c    *common.Common
	e    assessments.Engagement
	keys keyMap

	width, height int
	focus         field
	editing       bool
	saved         string // the field's text before editing, restored by esc

	path, pass, pass2 textinput.Model
	withFiles         bool
	encrypt           bool
	pathTouched       bool // the user chose a path: defaults no longer replace it
	overwriteOK       string

	lastChange string
	seq        int
	state      state
	progress   auditpack.Progress
	result     result
	problem    map[field]string
	err        error

	getwd func() (string, error)
}

// result is what an export produced.
type result struct {
	Path    string
	Size    int64
	Files   int
	SHA256  string
	Verify  *auditpack.Report
	Encrypt bool
}

// messages, tagged with the export's sequence number so stale ones are dropped.
type (
	defaultsMsg struct {
		seq        int
		lastChange string
		dir        string
		err        error
	}
	progressMsg struct {
		seq int
		p   auditpack.Progress
		ch  chan tea.Msg
	}
	doneMsg struct {
		seq int
		r   result
		err error
	}
)

// New builds the Export tab of an engagement.
func New(c *common.Common, e assessments.Engagement) common.Tab {
	m := &Model{c: c, e: e, keys: newKeys(), getwd: os.Getwd, problem: map[field]string{}}
	m.path = newInput()
	m.pass = newInput()
	m.pass.EchoMode = textinput.EchoPassword
	m.pass.EchoCharacter = '•'
	m.pass2 = newInput()
	m.pass2.EchoMode = textinput.EchoPassword
	m.pass2.EchoCharacter = '•'
	return m
}

// newInput is a text field with a steady cursor (a blinking one redraws for nothing).
func newInput() textinput.Model {
	in := textinput.New()
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
	in.Prompt = ""
	in.CharLimit = 4096
	return in
}

// Title is the tab's label.
func (m *Model) Title() string { return "Export" }

// Init loads the defaults.
func (m *Model) Init() tea.Cmd { return m.Activate() }

// Activate reloads the time of the last change (the pack's date) and the default path.
func (m *Model) Activate() tea.Cmd {
	c, id, seq, getwd := m.c, m.e.ID, m.seq, m.getwd
	return func() tea.Msg {
		at, err := c.Store.LastChangeAt(c.Ctx, id)
		if err != nil {
			return defaultsMsg{seq: seq, err: err}
		}
		dir, err := getwd()
		if err != nil {
			dir = "."
		}
		return defaultsMsg{seq: seq, lastChange: at, dir: dir}
	}
}

// Capturing is true while a text field has the keyboard.
func (m *Model) Capturing() bool { return m.editing }

// SetSize sets the tab's area.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	for _, in := range []*textinput.Model{&m.path, &m.pass, &m.pass2} {
		in.SetWidth(max(10, w-20))
	}
}

// KeyMap lists the tab's keys.
func (m *Model) KeyMap() help.KeyMap {
	k := m.keys
	if m.editing {
		return common.HelpMap{Short: []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm")), m.c.Keys.Cancel}}
	}
	if m.state == building {
		return common.HelpMap{}
	}
	short := []key.Binding{k.Up, k.Down, k.Edit, k.Export}
	return common.HelpMap{Short: short, Full: [][]key.Binding{short, {k.Toggle}}}
}

// fileDate is the date part of the default file name: the last change's day.
func fileDate(stamp string) string {
	if len(stamp) >= 10 {
		return stamp[:10]
	}
	return "undated"
}

// DefaultName is the pack's default file name: the engagement and the date of its last change.
func DefaultName(e assessments.Engagement, lastChange string) string {
	return auditpack.Slug(e.Name) + "-" + fileDate(lastChange) + ".zip"
}

func (m *Model) visible(f field) bool {
	if f == fieldPass || f == fieldPass2 {
		return m.encrypt
	}
	return true
}

func (m *Model) move(d int) {
	f := m.focus
	for {
		f = field((int(f) + d + int(fieldButton) + 1) % (int(fieldButton) + 1))
		if m.visible(f) {
			break
		}
	}
	m.focus = f
}

func (m *Model) input(f field) *textinput.Model {
	switch f {
	case fieldPath:
		return &m.path
	case fieldPass:
		return &m.pass
	case fieldPass2:
		return &m.pass2
	}
	return nil
}

// Update handles keys and the export's messages.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case defaultsMsg:
		if msg.seq != m.seq || msg.err != nil {
			if msg.err != nil {
				m.err = msg.err
			}
			return m, nil
		}
		m.lastChange = msg.lastChange
		if !m.pathTouched {
			m.path.SetValue(filepath.Join(msg.dir, DefaultName(m.e, msg.lastChange)))
			m.path.CursorEnd()
		}
		return m, nil
	case progressMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.progress = msg.p
		return m, listen(msg.ch)
	case doneMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		if msg.err != nil {
			m.state, m.err = failed, msg.err
			return m, nil
		}
		m.state, m.result = done, msg.r
		return m, common.InfoCmd("Audit pack written to " + msg.r.Path)
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	if m.editing {
		in := m.input(m.focus)
		var cmd tea.Cmd
		*in, cmd = in.Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m *Model) key(msg tea.KeyPressMsg) (common.Screen, tea.Cmd) {
	if m.state == building {
		return m, nil
	}
	if m.editing {
		in := m.input(m.focus)
		switch msg.String() {
		case "enter", "tab":
			m.editing = false
			in.Blur()
			if m.focus == fieldPath {
				m.pathTouched = true
				m.overwriteOK = ""
			}
			delete(m.problem, m.focus)
			if msg.String() == "tab" {
				m.move(1)
			}
			return m, nil
		case "esc":
			m.editing = false
			in.SetValue(m.saved)
			in.Blur()
			return m, nil
		}
		var cmd tea.Cmd
		*in, cmd = in.Update(msg)
		return m, cmd
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Export):
		return m, m.start()
	case key.Matches(msg, k.Toggle), key.Matches(msg, k.Edit):
		switch m.focus {
		case fieldFiles:
			m.withFiles = !m.withFiles
		case fieldEncrypt:
			m.encrypt = !m.encrypt
			m.swapExtension()
		case fieldButton:
			if key.Matches(msg, k.Edit) {
				return m, m.start()
			}
		default:
			if !key.Matches(msg, k.Edit) {
				return m, nil
			}
			in := m.input(m.focus)
			m.saved = in.Value()
			m.editing = true
			return m, in.Focus()
		}
	}
	return m, nil
}

// swapExtension adds or drops ".age" as encryption is switched, unless the user chose a name.
func (m *Model) swapExtension() {
	p := m.path.Value()
	switch {
	case m.encrypt && strings.HasSuffix(p, ".zip"):
		m.path.SetValue(p + ".age")
	case !m.encrypt && strings.HasSuffix(p, ".zip.age"):
		m.path.SetValue(strings.TrimSuffix(p, ".age"))
	}
	m.path.CursorEnd()
}

// target is the file the form names: "~/" is the home folder, a relative name is taken
// from the current folder.
func (m *Model) target() string {
	p := strings.TrimSpace(m.path.Value())
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, rest)
		}
	}
	if p != "" && !filepath.IsAbs(p) {
		if dir, err := m.getwd(); err == nil {
			p = filepath.Join(dir, p)
		}
	}
	return p
}

// validate checks the form; problems are shown next to their field.
func (m *Model) validate() bool {
	m.problem = map[field]string{}
	p := m.target()
	switch {
	case p == "":
		m.problem[fieldPath] = "Name the file to write."
	case strings.HasSuffix(p, string(filepath.Separator)):
		m.problem[fieldPath] = "Name a file, not a folder."
	default:
		if st, err := os.Stat(filepath.Dir(p)); err != nil || !st.IsDir() {
			m.problem[fieldPath] = "The folder " + filepath.Dir(p) + " does not exist."
		} else if st, err := os.Stat(p); err == nil {
			if st.IsDir() {
				m.problem[fieldPath] = "That is a folder; name a file."
			} else if m.overwriteOK != p {
				m.problem[fieldPath] = "The file exists: press x again to replace it."
				m.overwriteOK = p
			}
		}
	}
	if m.encrypt {
		switch {
		case m.pass.Value() == "":
			m.problem[fieldPass] = "Choose a passphrase."
		case m.pass.Value() != m.pass2.Value():
			m.problem[fieldPass2] = "The two passphrases differ."
		}
	}
	return len(m.problem) == 0
}

// start validates and launches the export in the background.
func (m *Model) start() tea.Cmd {
	if !m.validate() {
		for _, f := range []field{fieldPath, fieldPass, fieldPass2} {
			if _, bad := m.problem[f]; bad {
				m.focus = f
				break
			}
		}
		return nil
	}
	m.seq++
	m.state, m.err, m.progress, m.overwriteOK = building, nil, auditpack.Progress{Step: "starting"}, ""
	path := m.target()
	if m.encrypt && !strings.HasSuffix(path, ".age") {
		path += ".age"
	}
	ch := make(chan tea.Msg, 64)
	go run(m.c, m.e.ID, path, m.withFiles, m.encrypt, m.pass.Value(), m.seq, ch)
	return listen(ch)
}

// listen waits for the export goroutine's next message.
func listen(ch chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}

// run builds, writes and verifies the pack, reporting progress on ch.
func run(c *common.Common, engagementID, path string, withFiles, encrypt bool, pass string, seq int, ch chan tea.Msg) {
	defer close(ch)
	ctx := c.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	opt := auditpack.Options{WithEvidenceFiles: withFiles, Version: Version, Progress: func(p auditpack.Progress) {
		select {
		case ch <- progressMsg{seq: seq, p: p, ch: ch}:
		default: // the screen is behind; it will catch up with the next step
		}
	}}
	p, err := auditpack.Build(ctx, c.Store, c.Catalogs, engagementID, opt)
	if err != nil {
		ch <- doneMsg{seq: seq, err: fmt.Errorf("build the audit pack: %w", err)}
		return
	}
	var enc auditpack.Encryption
	if encrypt {
		enc.Passphrase = pass
	}
	size, err := p.WriteFile(path, enc)
	if err != nil {
		ch <- doneMsg{seq: seq, err: err}
		return
	}
	r := result{Path: path, Size: size, Files: len(p.Manifest.Files), Encrypt: encrypt}
	r.SHA256, err = fileSHA256(path)
	if err != nil {
		ch <- doneMsg{seq: seq, err: err}
		return
	}
	var ids []age.Identity
	if encrypt {
		id, err := age.NewScryptIdentity(pass)
		if err != nil {
			ch <- doneMsg{seq: seq, err: err}
			return
		}
		ids = append(ids, id)
	}
	r.Verify, err = auditpack.VerifyFile(path, ids...)
	if err != nil {
		ch <- doneMsg{seq: seq, err: fmt.Errorf("the pack was written but cannot be verified: %w", err)}
		return
	}
	ch <- doneMsg{seq: seq, r: r}
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Address names the tab for addressed results.
func (m *Model) Address() string { return common.TabAddress(m.e.ID, "export") }
