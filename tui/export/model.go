// Package export is the engagement's Export tab: it builds the audit pack in the
// background with a progress bar, writes it (optionally encrypted with a passphrase),
// verifies what it wrote and shows where the pack is.
package export

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"aead.dev/minisign"
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"filippo.io/age"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/auditpack"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

// Version is the annex version written into packs made from the workbench; the command
// line sets it at start.
var Version = "dev"

// The export form's field keys.
const (
	fPath    = "path"
	fFiles   = "files"
	fEncrypt = "encrypt"
	fPass    = "pass"
	fPass2   = "pass2"
	fSignKey = "signkey"
	fKeyPass = "keypass"
)

const yes, no = "yes", "no"

type state int

const (
	idle state = iota
	building
	done
	failed
)

type keyMap struct {
	Export, Edit, Report key.Binding
}

func newKeys() keyMap {
	return keyMap{
		Export: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export")),
		Edit:   key.NewBinding(key.WithKeys("e", "enter"), key.WithHelp("e", "change options")),
		Report: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "report document control…")),
	}
}

// Model is the Export tab.
type Model struct {
	c    *common.Common
	e    assessments.Engagement
	keys keyMap

	width, height int

	// f holds the options; it has the keyboard only while editing (e), so ] and [ still
	// switch tabs when it does not.
	f       *form.Form
	editing bool
	// saved are the options as they stood before editing (esc goes back to them).
	saved form.Values

	defaultPath string // the path the tab proposed; a path the user typed is kept
	// overwriteOK is the file the user chose to replace (asked once).
	overwriteOK string
	// weakOK is the short passphrase the user confirmed (asked once per passphrase).
	weakOK string

	lastChange string
	seq        int
	state      state
	progress   auditpack.Progress
	result     result
	err        error

	getwd func() (string, error)

	// report is the engagement's report document control (report.go); people are the
	// names used in the workspace, suggested for its approver.
	report assessments.ReportControl
	people []string
}

// result is what an export produced.
type result struct {
	Path    string
	Size    int64
	Files   int
	SHA256  string
	Verify  *auditpack.Report
	Encrypt bool
	KeyID   string // the minisign key that signed the pack ("": unsigned)
	// NotRecorded says why the workspace could not record the pack ("" when it did).
	NotRecorded string
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
	// problemMsg: the export did not start; msg belongs next to field (the output file
	// when empty).
	problemMsg struct {
		seq    int
		target string
		msg    string
		exists bool
		field  string
	}
	// weakOKMsg: the user confirmed a passphrase shorter than auditpack.MinPassphrase.
	weakOKMsg struct{ pass string }
)

func fields() []form.Field {
	encrypted := func(v form.Values) bool { return v[fEncrypt] == yes }
	return []form.Field{
		{Key: fPath, Label: "Output file", Kind: form.Text, Limit: 4096,
			Help: "~/ is your home folder; a name alone goes in the folder annex was started from."},
		{Key: fFiles, Label: "Evidence files", Kind: form.Choice, Options: []form.Option{
			{Value: no, Label: "no, the records only"},
			{Value: yes, Label: "yes, include the evidence files kept in the workspace"}}},
		{Key: fEncrypt, Label: "Encryption", Kind: form.Choice, Options: []form.Option{
			{Value: no, Label: "no"},
			{Value: yes, Label: "yes, encrypt with a passphrase (age, writes .zip.age)"}}},
		{Key: fPass, Label: "Passphrase", Kind: form.Text, Secret: true, Limit: 1024, Show: encrypted},
		{Key: fPass2, Label: "Passphrase again", Kind: form.Text, Secret: true, Limit: 1024, Show: encrypted},
		{Key: fSignKey, Label: "Sign with key", Kind: form.Text, Limit: 4096,
			Help: "A minisign secret key (annex key new) to sign the pack with; empty: not signed."},
		{Key: fKeyPass, Label: "Key passphrase", Kind: form.Text, Secret: true, Limit: 1024,
			Show: func(v form.Values) bool { return strings.TrimSpace(v[fSignKey]) != "" }},
	}
}

// check is what the options must satisfy before an export starts (the file itself is
// checked by the export, off the UI loop).
func check(v form.Values) map[string]string {
	errs := map[string]string{}
	p := strings.TrimSpace(v[fPath])
	switch {
	case p == "":
		errs[fPath] = "Name the file to write."
	case strings.HasSuffix(p, "/") || strings.HasSuffix(p, string(filepath.Separator)):
		errs[fPath] = "Name a file, not a folder."
	}
	if v[fEncrypt] == yes {
		switch {
		case v[fPass] == "":
			errs[fPass] = "Choose a passphrase."
		case v[fPass] != v[fPass2]:
			errs[fPass2] = "The two passphrases differ."
		}
	}
	return errs
}

// New builds the Export tab of an engagement.
func New(c *common.Common, e assessments.Engagement) common.Tab {
	f := form.New(c.Styles, fields()...)
	f.SetValidator(check)
	f.SetSaveLabel("export")
	saved := form.Values{fFiles: no, fEncrypt: no}
	f.Load(saved)
	f.SetReadOnly(true)
	return &Model{c: c, e: e, keys: newKeys(), getwd: os.Getwd, f: f, saved: saved, report: assessments.DefaultReportControl(e.ID)}
}

// Title is the tab's label.
func (m *Model) Title() string { return "Export" }

// Address names the tab for addressed results.
func (m *Model) Address() string { return common.TabAddress(m.e.ID, "export") }

// Init loads the defaults.
func (m *Model) Init() tea.Cmd { return m.Activate() }

// Activate reloads the time of the last change (the pack's date) and the default path.
func (m *Model) Activate() tea.Cmd {
	c, id, seq, getwd := m.c, m.e.ID, m.seq, m.getwd
	return tea.Batch(m.loadReport(), m.c.LoadPeople(m.Address()), common.Send(m.Address(), func() tea.Msg {
		at, err := c.Store.LastChangeAt(c.Ctx, id)
		if err != nil {
			return defaultsMsg{seq: seq, err: err}
		}
		dir, err := getwd()
		if err != nil {
			dir = "."
		}
		return defaultsMsg{seq: seq, lastChange: at, dir: dir}
	}))
}

// Capturing is true while the options are being edited.
func (m *Model) Capturing() bool { return m.editing && m.state != building }

// SetSize sets the tab's area.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.f.SetSize(max(20, w), m.formHeight())
}

// formHeight leaves room for the title (5 lines with the report's line), the hint and the
// outcome (8 lines).
func (m *Model) formHeight() int { return max(5, m.height-14) }

// KeyMap lists the tab's keys.
func (m *Model) KeyMap() help.KeyMap {
	if m.state == building {
		return common.HelpMap{}
	}
	if m.editing {
		return m.f.KeyMap()
	}
	k := m.keys
	report := k.Report
	report.SetHelp("r", "report…")
	return common.HelpMap{Short: []key.Binding{k.Export, k.Edit, report}, Full: [][]key.Binding{{k.Export, k.Edit, k.Report}}}
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

// Update handles keys and the export's messages.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case defaultsMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		if msg.err != nil {
			m.err = msg.err
			return m, nil
		}
		m.lastChange = msg.lastChange
		m.proposePath(filepath.Join(msg.dir, DefaultName(m.e, msg.lastChange)))
		return m, nil
	case progressMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.progress = msg.p
		return m, common.Send(m.Address(), listen(msg.ch))
	case problemMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.state = idle
		if msg.exists {
			m.overwriteOK = msg.target
		}
		m.editing = true
		m.f.SetReadOnly(false)
		return m, m.f.SetError(cmpOr(msg.field, fPath), msg.msg)
	case weakOKMsg:
		if m.state == building {
			return m, nil
		}
		m.weakOK = msg.pass
		return m, m.start()
	case doneMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		if msg.err != nil {
			m.state, m.err = failed, msg.err
			return m, nil
		}
		m.state, m.result = done, msg.r
		return m, common.InfoCmd("Audit pack written to " + common.ShortPath(msg.r.Path) + ".")
	case common.PeopleMsg:
		m.people = msg.Names
		return m, nil
	case reportLoadedMsg:
		if msg.seq == m.seq && msg.err == nil {
			m.report = msg.c
		}
		return m, nil
	case dialog.SubmitMsg:
		if msg.ID == m.reportDialogID() {
			return m, m.onReportSubmit(msg)
		}
		return m, nil
	case reportSavedMsg:
		return m, m.onReportSaved(msg)
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.PasteMsg:
		if m.Capturing() {
			_, cmd := m.f.Update(msg)
			return m, cmd
		}
	}
	return m, nil
}

// proposePath sets the default file name unless the user chose one.
func (m *Model) proposePath(p string) {
	cur := m.f.Value(fPath)
	if cur != "" && cur != m.defaultPath && cur != m.defaultPath+".age" {
		return // the user's choice
	}
	if m.f.Value(fEncrypt) == yes {
		p += ".age"
	}
	m.defaultPath = strings.TrimSuffix(p, ".age")
	m.saved[fPath] = p
	if m.editing {
		m.f.Set(fPath, p)
		return
	}
	m.f.Load(m.saved)
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.state == building {
		return nil
	}
	if m.editing {
		encrypt := m.f.Value(fEncrypt)
		act, cmd := m.f.Update(msg)
		if now := m.f.Value(fEncrypt); now != encrypt {
			m.swapExtension(now == yes)
		}
		switch act {
		case form.Save:
			return tea.Batch(cmd, m.startOrAsk())
		case form.Leave:
			m.stopEditing(false)
		}
		return cmd
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.Export):
		if errs := check(m.f.Values()); len(errs) > 0 {
			m.editing = true
			m.f.SetReadOnly(false)
			return m.f.SetErrors(errs)
		}
		return m.startOrAsk()
	case key.Matches(msg, k.Edit):
		m.editing = true
		m.f.SetReadOnly(false)
		return m.f.Focus(fPath)
	case key.Matches(msg, k.Report):
		return m.openReport()
	}
	return nil
}

// stopEditing gives the keyboard back; kept says whether the values stand (an export
// started) or go back to what they were (left, or the changes discarded).
func (m *Model) stopEditing(kept bool) {
	m.editing = false
	if kept {
		m.f.MarkSaved()
		m.saved = m.f.Values()
	} else {
		m.f.Load(m.saved)
	}
	m.f.SetReadOnly(true)
}

// swapExtension adds or drops ".age" as encryption is switched, unless the user chose a
// name that ends otherwise.
func (m *Model) swapExtension(encrypt bool) {
	p := m.f.Value(fPath)
	switch {
	case encrypt && strings.HasSuffix(p, ".zip"):
		m.f.Set(fPath, p+".age")
	case !encrypt && strings.HasSuffix(p, ".zip.age"):
		m.f.Set(fPath, strings.TrimSuffix(p, ".age"))
	}
}

// startOrAsk starts the export, first asking about a passphrase shorter than
// auditpack.MinPassphrase (the command line's --weak-passphrase).
func (m *Model) startOrAsk() tea.Cmd {
	v := m.f.Values()
	if pass := v[fPass]; v[fEncrypt] == yes && auditpack.WeakPassphrase(pass) && pass != m.weakOK {
		n := len([]rune(pass))
		return common.OpenDialog(dialog.NewConfirm(m.c.Styles, m.Address()+"/weak-passphrase", m.Address(),
			"Encrypt with a weak passphrase?",
			fmt.Sprintf("The passphrase has %s; a pack encrypted with fewer than %d can be opened by guessing. Export with it anyway?",
				common.Count(n, "character", "characters"), auditpack.MinPassphrase),
			weakOKMsg{pass: pass}))
	}
	return m.start()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// start launches the export with the form's values; the file is checked first, in the
// background, and a problem comes back next to the output file.
func (m *Model) start() tea.Cmd {
	v := m.f.Values()
	m.stopEditing(true)
	m.seq++
	m.state, m.err, m.progress = building, nil, auditpack.Progress{Step: "checking the file"}
	ch := make(chan tea.Msg, 64)
	job := job{
		c: m.c, engagementID: m.e.ID, path: strings.TrimSpace(v[fPath]), withFiles: v[fFiles] == yes,
		encrypt: v[fEncrypt] == yes, pass: v[fPass], seq: m.seq, overwrite: m.overwriteOK, getwd: m.getwd,
		signKey: strings.TrimSpace(v[fSignKey]), keyPass: v[fKeyPass],
	}
	m.overwriteOK = ""
	go job.run(ch)
	return common.Send(m.Address(), listen(ch))
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

// job is one export, run off the UI loop.
type job struct {
	c            *common.Common
	engagementID string
	path         string
	withFiles    bool
	encrypt      bool
	pass         string
	seq          int
	overwrite    string // the file the user agreed to replace
	getwd        func() (string, error)
	signKey      string // minisign secret key file ("": unsigned)
	keyPass      string
}

// target is the file the form names: "~/" is the home folder, a relative name is taken
// from the current folder; an encrypted pack ends in .age.
// openKey reads the signing key; a problem comes with the field it belongs next to.
func (j job) openKey() (key minisign.PrivateKey, field, problem string) {
	p := j.signKey
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, rest)
		}
	}
	raw, err := os.ReadFile(p)
	if err != nil {
		return key, fSignKey, "Cannot read the key: " + common.ShortPath(p) + " does not exist or is not readable."
	}
	if auditpack.KeyIsEncrypted(raw) && j.keyPass == "" {
		return key, fKeyPass, "This key is protected by a passphrase: type it here."
	}
	key, err = auditpack.ReadSecretKey(raw, j.keyPass)
	switch {
	case err != nil && auditpack.KeyIsEncrypted(raw):
		return key, fKeyPass, "Wrong passphrase for this key."
	case err != nil:
		return key, fSignKey, "That file is not a minisign secret key."
	}
	return key, "", ""
}

func (j job) target() string {
	p := j.path
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, rest)
		}
	}
	if p != "" && !filepath.IsAbs(p) {
		if dir, err := j.getwd(); err == nil {
			p = filepath.Join(dir, p)
		}
	}
	if j.encrypt && !strings.HasSuffix(p, ".age") {
		p += ".age"
	}
	return p
}

// checkTarget says what is wrong with writing to p ("" when nothing), and whether p exists.
func (j job) checkTarget(p string) (problem string, exists bool) {
	dir := filepath.Dir(p)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return "The folder " + common.ShortPath(dir) + " does not exist.", false
	}
	st, err := os.Stat(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", false
	case err != nil:
		return "Cannot check the file: " + err.Error(), false
	case st.IsDir():
		return "That is a folder; name a file.", false
	case j.overwrite != p:
		return "The file exists: ctrl+s again replaces it, or change the name.", true
	}
	return "", true
}

// run checks the file, then builds, writes and verifies the pack, reporting on ch.
func (j job) run(ch chan tea.Msg) {
	defer close(ch)
	path := j.target()
	if problem, exists := j.checkTarget(path); problem != "" {
		ch <- problemMsg{seq: j.seq, target: path, msg: problem, exists: exists}
		return
	}
	// The signing key is opened before the pack is built, so a wrong passphrase costs no wait.
	var signer *minisign.PrivateKey
	if j.signKey != "" {
		key, field, problem := j.openKey()
		if problem != "" {
			ch <- problemMsg{seq: j.seq, msg: problem, field: field}
			return
		}
		signer = &key
	}
	ctx := j.c.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	var last auditpack.Progress
	opt := auditpack.Options{WithEvidenceFiles: j.withFiles, Version: Version, Progress: func(p auditpack.Progress) {
		last = p
		select {
		case ch <- progressMsg{seq: j.seq, p: p, ch: ch}:
		default: // the screen is behind; it will catch up with the next step
		}
	}}
	p, err := auditpack.Build(ctx, j.c.Store, j.c.Catalogs, j.engagementID, opt)
	if err != nil {
		ch <- doneMsg{seq: j.seq, err: fmt.Errorf("build the audit pack: %w", err)}
		return
	}
	if signer != nil {
		if err := p.Sign(*signer); err != nil {
			ch <- doneMsg{seq: j.seq, err: err}
			return
		}
	}
	var enc auditpack.Encryption
	if j.encrypt {
		enc.Passphrase = j.pass
	}
	size, err := p.WriteFile(path, enc)
	if err != nil {
		ch <- doneMsg{seq: j.seq, err: err}
		return
	}
	// Verifying takes a moment (longer for an encrypted pack): say so rather than "done".
	select {
	case ch <- progressMsg{seq: j.seq, p: auditpack.Progress{Done: last.Total, Total: last.Total, Step: "verifying what was written"}, ch: ch}:
	default:
	}
	r := result{Path: path, Size: size, Files: len(p.Manifest.Files), Encrypt: j.encrypt}
	if signer != nil {
		r.KeyID = auditpack.KeyID(signer.ID())
	}
	r.SHA256, err = fileSHA256(path)
	if err != nil {
		ch <- doneMsg{seq: j.seq, err: err}
		return
	}
	var ids []age.Identity
	if j.encrypt {
		id, err := age.NewScryptIdentity(j.pass)
		if err != nil {
			ch <- doneMsg{seq: j.seq, err: err}
			return
		}
		ids = append(ids, id)
	}
	r.Verify, err = auditpack.VerifyFile(path, ids...)
	if err != nil {
		ch <- doneMsg{seq: j.seq, err: fmt.Errorf("the pack was written but cannot be verified: %w", err)}
		return
	}
	// The workspace keeps what the pack said, so the next report says what changed since;
	// a workspace that cannot record it (read-only) loses only that comparison.
	if err := auditpack.RecordPack(ctx, j.c.Store, p, path, r.SHA256); err != nil {
		r.NotRecorded = err.Error()
	}
	ch <- doneMsg{seq: j.seq, r: r}
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
