// Package evidence is the engagement's evidence library: a table of every item with its
// state, a detail view with every link, a form to add and edit items, the integrity check
// and the export of kept copies. It also supplies the gap-analysis detail pane with the
// evidence of a requirement (Section, RowMarks) and the dialog that attaches evidence to one
// (NewAttachDialog).
package evidence

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
)

type mode int

const (
	modeList mode = iota
	modeDetail
	modeForm
	modeDelete
	modeExport
)

// sortKey is a column the table sorts by.
type sortKey int

const (
	sortTitle sortKey = iota
	sortKind
	sortLinks
	sortCollected
	sortValidUntil
	sortState
	nSortKeys
)

var sortNames = [nSortKeys]string{"title", "kind", "links", "collected", "valid until", "state"}

// Model is the Evidence tab.
type Model struct {
	c    *common.Common
	eng  assessments.Engagement
	keys keyMap

	width, height int
	mode          mode

	items   []assessments.Evidence
	results map[string]map[string]assessments.Result
	risks   map[string]string // risk id → "R-001 title"
	impacts map[string]string // impact assessment id → "Lens v2 (approved)"
	loaded  bool
	loadSeq int
	loadErr error

	rows   []int // indices into items, filtered and sorted
	cursor int
	offset int

	filter    textinput.Model
	filtering bool
	sortBy    sortKey
	sortDesc  bool

	// detail view
	detailID     string
	detailOffset int
	linkCursor   int

	form *form

	exportInput textinput.Model
	exporting   bool

	// integrity check in progress
	checking      bool
	checkSeq      int
	checkCh       chan tea.Msg
	checkDone     int
	checkTotal    int
	lastCheckNote string

	note    string // short status line inside the tab
	noteBad bool
	// selectAfterLoad is the item to put the cursor on once the next load arrives.
	selectAfterLoad string
	// Figures drawn in the header, computed once per load rather than per frame.
	counts    map[assessments.EvidenceState]int
	evidenced string
}

// New builds the Evidence tab of an engagement.
func New(c *common.Common, e assessments.Engagement) common.Tab {
	return newModel(c, e)
}

func newModel(c *common.Common, e assessments.Engagement) *Model {
	fi := newInput()
	fi.Prompt = "/ "
	fi.Placeholder = "title, kind, ref or state"
	fi.CharLimit = 200
	ex := newInput()
	ex.Prompt = "Export kept copies to: "
	ex.CharLimit = 4096
	return &Model{c: c, eng: e, keys: newKeyMap(c.Keys), filter: fi, exportInput: ex,
		results: map[string]map[string]assessments.Result{}, risks: map[string]string{}, impacts: map[string]string{}}
}

// Title is the tab's label.
func (m *Model) Title() string { return "Evidence" }

// Init loads the items.
func (m *Model) Init() tea.Cmd { return nil }

// Activate reloads from the store each time the tab shows.
func (m *Model) Activate() tea.Cmd { return m.load() }

// Capturing is true while a text field, a question or the detail view has the keyboard:
// in the detail, esc and q return to the table rather than leave the engagement.
func (m *Model) Capturing() bool {
	return m.filtering || m.mode != modeList
}

// FlushDrafts saves an open form when the program ends, if what it holds passes the rules;
// a form that does not (no title yet, say) cannot become an item and is dropped.
// UnsavedWork reports a changed evidence form that cannot be saved as it stands.
func (m *Model) UnsavedWork() string {
	if m.form == nil || m.form.saving || !m.form.dirty() {
		return ""
	}
	if !m.form.validate() {
		return "the evidence form (a field needs fixing)"
	}
	return ""
}

func (m *Model) FlushDrafts() error {
	if m.form == nil || m.form.saving || !m.form.dirty() || !m.form.validate() {
		return nil
	}
	e, links, _ := m.form.value()
	_, err := saveEvidence(m.c.Ctx, m.c.Store, m.form.before, e, links)
	return err
}

// SetSize is the tab's area.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.clampCursor()
}

type loadedMsg struct {
	seq     int
	engID   string
	items   []assessments.Evidence
	results map[string]map[string]assessments.Result
	risks   map[string]string
	impacts map[string]string
	err     error
}

func (m *Model) load() tea.Cmd {
	m.loadSeq++
	seq, c, id := m.loadSeq, m.c, m.eng.ID
	return func() tea.Msg {
		msg := loadedMsg{seq: seq, engID: id}
		msg.items, msg.err = c.Store.Evidence(c.Ctx, id)
		if msg.err != nil {
			return msg
		}
		if msg.results, msg.err = c.Store.Results(c.Ctx, id); msg.err != nil {
			return msg
		}
		msg.risks = map[string]string{}
		if risks, err := c.Store.Risks(c.Ctx, id); err == nil {
			for _, r := range risks {
				msg.risks[r.ID] = r.Ref + " " + r.Title
			}
		}
		msg.impacts = map[string]string{}
		if systems, err := c.Store.AISystems(c.Ctx, id); err == nil {
			if versions, err := c.Store.EngagementImpactAssessments(c.Ctx, id); err == nil {
				for _, sys := range systems {
					for _, a := range versions[sys.ID] {
						msg.impacts[a.ID] = fmt.Sprintf("%s v%d (%s)", sys.Name, a.Version, a.State().Label())
					}
				}
			}
		}
		return msg
	}
}

type checkStartedMsg struct {
	seq int
	ch  chan tea.Msg
}

type checkProgressMsg struct{ seq, done, total int }

type checkDoneMsg struct {
	seq int
	rep store.EvidenceCheckReport
	err error
}

type exportedMsg struct {
	files []store.ExportedFile
	dir   string
	err   error
}

type reattachedMsg struct {
	item assessments.Evidence
	err  error
}

type deletedMsg struct {
	title string
	links []assessments.EvidenceLink
	err   error
}

// startCheck runs the integrity check in the background; progress arrives as messages.
func (m *Model) startCheck() tea.Cmd {
	m.checkSeq++
	m.checking, m.checkDone, m.checkTotal = true, 0, 0
	seq, c, id := m.checkSeq, m.c, m.eng.ID
	return func() tea.Msg {
		ch := make(chan tea.Msg, 16)
		go func() {
			rep, err := c.Store.CheckEvidence(c.Ctx, id, func(done, total int) {
				select {
				case ch <- checkProgressMsg{seq: seq, done: done, total: total}:
				default: // the screen is behind; the next update will do
				}
			})
			ch <- checkDoneMsg{seq: seq, rep: rep, err: err}
			close(ch)
		}()
		return checkStartedMsg{seq: seq, ch: ch}
	}
}

func waitCheck(ch chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}

// Update handles keys and the results of its commands.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != m.loadSeq || msg.engID != m.eng.ID {
			return m, nil
		}
		m.loaded, m.loadErr = true, msg.err
		if msg.err == nil {
			m.items, m.results, m.risks, m.impacts = msg.items, msg.results, msg.risks, msg.impacts
		}
		m.counts = map[assessments.EvidenceState]int{}
		for _, it := range m.items {
			m.counts[it.StateAt(m.c.Now())]++
		}
		m.evidenced = m.evidencedLine()
		m.rebuildRows()
		if m.selectAfterLoad != "" {
			m.selectID(m.selectAfterLoad)
			m.selectAfterLoad = ""
			m.clampCursor()
		}
		return m, nil
	case checkStartedMsg:
		if msg.seq != m.checkSeq {
			return m, nil
		}
		m.checkCh = msg.ch
		return m, waitCheck(msg.ch)
	case checkProgressMsg:
		if msg.seq != m.checkSeq {
			return m, nil
		}
		m.checkDone, m.checkTotal = msg.done, msg.total
		return m, waitCheck(m.checkCh)
	case checkDoneMsg:
		if msg.seq != m.checkSeq {
			return m, nil
		}
		m.checking, m.checkCh = false, nil
		if msg.err != nil {
			m.setNote("The check stopped: "+msg.err.Error(), true)
			return m, m.load()
		}
		r := msg.rep
		m.lastCheckNote = fmt.Sprintf("Checked %s: %d unchanged, %d changed, %d missing", plural(len(r.Checked), "file"), r.OK, r.Changed, r.Missing)
		m.setNote(m.lastCheckNote, r.Problems() > 0)
		return m, tea.Batch(m.load(), func() tea.Msg { return common.DataChangedMsg{} })
	case formSavedMsg:
		if m.form == nil {
			return m, nil
		}
		if m.form.saved(msg) {
			verb := "Added"
			if m.form.before != nil {
				verb = "Saved"
			}
			m.form = nil
			m.mode = modeList
			if m.detailID != "" {
				m.mode = modeDetail
			}
			m.setNote(verb+" "+quote(msg.item.Title), false)
			m.selectAfterLoad = msg.item.ID
			return m, m.load()
		}
		return m, nil
	case exportedMsg:
		m.exporting = false
		switch {
		case msg.err != nil:
			m.setNote(fmt.Sprintf("Export stopped after %s: %s", plural(len(msg.files), "file"), msg.err.Error()), true)
		case len(msg.files) == 0:
			m.setNote("No copies are kept in this workspace; nothing was written.", false)
		default:
			m.setNote(fmt.Sprintf("Wrote %s to %s", plural(len(msg.files), "file"), msg.dir), false)
		}
		return m, nil
	case reattachedMsg:
		if msg.err != nil {
			m.setNote(msg.err.Error(), true)
			return m, nil
		}
		m.setNote("Accepted the current file of "+quote(msg.item.Title)+" as the original", false)
		return m, m.load()
	case deletedMsg:
		if msg.err != nil {
			m.setNote(msg.err.Error(), true)
			return m, m.load()
		}
		m.setNote(fmt.Sprintf("Deleted %s and its %s", quote(msg.title), plural(len(msg.links), "link")), false)
		return m, m.load()
	case tea.PasteMsg:
		switch {
		case m.mode == modeForm && m.form != nil:
			return m, m.form.paste(msg)
		case m.mode == modeExport:
			var cmd tea.Cmd
			m.exportInput, cmd = m.exportInput.Update(msg)
			return m, cmd
		case m.filtering:
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg)
			m.rebuildRows()
			return m, cmd
		}
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	}
	return m, nil
}

func (m *Model) setNote(s string, bad bool) { m.note, m.noteBad = s, bad }

// plural is "1 file", "2 files".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func quote(s string) string { return "“" + common.OneLine(s) + "”" }

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch m.mode {
	case modeForm:
		cmd, done := m.form.update(msg)
		if done {
			m.form = nil
			m.mode = modeList
			if m.detailID != "" {
				m.mode = modeDetail
			}
		}
		return cmd
	case modeDelete:
		switch msg.String() {
		case "y":
			it, ok := m.selected()
			m.mode = modeList
			m.detailID = ""
			if !ok {
				return nil
			}
			c := m.c
			return func() tea.Msg {
				links, err := c.Store.DeleteEvidence(c.Ctx, it.ID)
				return deletedMsg{title: it.Title, links: links, err: err}
			}
		case "n", "esc", "q":
			m.mode = modeList
			if m.detailID != "" {
				m.mode = modeDetail
			}
		}
		return nil
	case modeExport:
		switch msg.String() {
		case "esc":
			m.mode = modeList
			return nil
		case "enter":
			dir := strings.TrimSpace(m.exportInput.Value())
			if dir == "" {
				m.setNote("Type the folder to write the files to.", true)
				return nil
			}
			m.mode = modeList
			m.exporting = true
			m.setNote("Exporting kept copies…", false)
			c, id := m.c, m.eng.ID
			return func() tea.Msg {
				files, err := c.Store.ExportEvidenceFiles(c.Ctx, id, expandHome(dir))
				return exportedMsg{files: files, dir: dir, err: err}
			}
		}
		var cmd tea.Cmd
		m.exportInput, cmd = m.exportInput.Update(msg)
		return cmd
	case modeDetail:
		return m.detailKey(msg)
	}
	if m.filtering {
		switch msg.String() {
		case "esc":
			m.filtering = false
			m.filter.Blur()
			m.filter.SetValue("")
			m.rebuildRows()
			return nil
		case "enter":
			m.filtering = false
			m.filter.Blur()
			return nil
		case "up", "down":
			m.move(map[string]int{"up": -1, "down": 1}[msg.String()])
			return nil
		}
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		m.rebuildRows()
		return cmd
	}
	switch {
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.PageUp):
		m.move(-m.tableHeight())
	case key.Matches(msg, k.PageDown):
		m.move(m.tableHeight())
	case key.Matches(msg, k.Home):
		m.move(-len(m.rows))
	case key.Matches(msg, k.End):
		m.move(len(m.rows))
	case key.Matches(msg, k.Filter):
		m.filtering = true
		return m.filter.Focus()
	case msg.String() == "esc" && m.filter.Value() != "":
		m.filter.SetValue("")
		m.rebuildRows()
	case key.Matches(msg, k.Sort):
		m.sortBy = (m.sortBy + 1) % nSortKeys
		m.rebuildRows()
	case key.Matches(msg, k.Reverse):
		m.sortDesc = !m.sortDesc
		m.rebuildRows()
	case key.Matches(msg, k.Open):
		if it, ok := m.selected(); ok {
			m.mode, m.detailID, m.detailOffset, m.linkCursor = modeDetail, it.ID, 0, 0
		}
	case key.Matches(msg, k.New):
		m.form = newForm(m.c, m.eng, m.keys, nil, nil, m.riskRefs())
		m.mode = modeForm
		m.detailID = ""
		return m.form.focusField(fTitle)
	case key.Matches(msg, k.Edit):
		return m.openEdit()
	case key.Matches(msg, k.Delete):
		if _, ok := m.selected(); ok {
			m.mode = modeDelete
		}
	case key.Matches(msg, k.Check):
		if m.checking {
			return nil
		}
		return m.startCheck()
	case key.Matches(msg, k.Export):
		return m.openExport()
	case key.Matches(msg, k.Reattach):
		return m.reattach()
	}
	return nil
}

func (m *Model) openEdit() tea.Cmd {
	it, ok := m.selected()
	if !ok {
		return nil
	}
	cp := it
	m.form = newForm(m.c, m.eng, m.keys, &cp, nil, m.riskRefs())
	m.mode = modeForm
	return m.form.focusField(fTitle)
}

// riskRefs maps the register's refs to risk ids for the form's links field.
func (m *Model) riskRefs() map[string]string {
	out := make(map[string]string, len(m.risks))
	for id, name := range m.risks {
		ref, _, _ := strings.Cut(name, " ")
		out[strings.ToUpper(ref)] = id
	}
	return out
}

func (m *Model) openExport() tea.Cmd {
	if m.exporting {
		return nil
	}
	if m.exportInput.Value() == "" {
		base := strings.TrimSuffix(m.c.Store.Path(), filepath.Ext(m.c.Store.Path()))
		m.exportInput.SetValue(base + "-" + store.SafeFileName(strings.ToLower(strings.Fields(m.eng.Name + " x")[0])) + "-evidence")
		m.exportInput.CursorEnd()
	}
	m.mode = modeExport
	return m.exportInput.Focus()
}

func (m *Model) reattach() tea.Cmd {
	it, ok := m.selected()
	if !ok || it.Path == "" {
		m.setNote("The selected item has no file to re-attach.", true)
		return nil
	}
	if it.Integrity != assessments.IntegrityChanged {
		m.setNote("Only a changed file needs accepting; run the check (c) first.", false)
		return nil
	}
	c := m.c
	return func() tea.Msg {
		item, err := c.Store.ReattachEvidenceFile(c.Ctx, it.ID, store.AttachOptions{})
		return reattachedMsg{item: item, err: err}
	}
}

func (m *Model) detailKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	it, ok := m.selected()
	if !ok {
		m.mode = modeList
		return nil
	}
	switch {
	case msg.String() == "esc" || msg.String() == "q":
		m.mode, m.detailID = modeList, ""
	case key.Matches(msg, k.Up):
		m.linkCursor = max(0, m.linkCursor-1)
	case key.Matches(msg, k.Down):
		m.linkCursor = min(max(0, len(it.Links)-1), m.linkCursor+1)
	case key.Matches(msg, k.PageDown):
		m.detailOffset += max(1, m.height/2)
	case key.Matches(msg, k.PageUp):
		m.detailOffset = max(0, m.detailOffset-max(1, m.height/2))
	case msg.String() == "enter":
		if m.linkCursor < len(it.Links) {
			l := it.Links[m.linkCursor]
			if l.Target == assessments.LinkRequirement {
				return func() tea.Msg { return common.GotoRequirementMsg{Standard: l.Standard, Ref: l.Ref} }
			}
		}
	case key.Matches(msg, k.Edit):
		return m.openEdit()
	case key.Matches(msg, k.Delete):
		m.mode = modeDelete
	case key.Matches(msg, k.Reattach):
		return m.reattach()
	case key.Matches(msg, k.Check):
		if !m.checking {
			return m.startCheck()
		}
	}
	return nil
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := userHome(); err == nil {
			return filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	return p
}

func (m *Model) selected() (assessments.Evidence, bool) {
	if m.mode == modeDetail || m.detailID != "" {
		for _, it := range m.items {
			if it.ID == m.detailID {
				return it, true
			}
		}
	}
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return assessments.Evidence{}, false
	}
	return m.items[m.rows[m.cursor]], true
}

func (m *Model) selectID(id string) {
	for i, r := range m.rows {
		if m.items[r].ID == id {
			m.cursor = i
		}
	}
}

func (m *Model) move(d int) {
	m.cursor += d
	m.clampCursor()
}

func (m *Model) clampCursor() {
	m.cursor = max(0, min(m.cursor, len(m.rows)-1))
	h := m.tableHeight()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if h > 0 && m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = max(0, min(m.offset, max(0, len(m.rows)-h)))
}

// stateRank orders states from the worst.
func stateRank(s assessments.EvidenceState) int {
	switch s {
	case assessments.StateMissing:
		return 0
	case assessments.StateChanged:
		return 1
	case assessments.StateExpired:
		return 2
	case assessments.StateExpiring:
		return 3
	}
	return 4
}

// searchText is what the filter matches against.
func (m *Model) searchText(it assessments.Evidence) string {
	var b strings.Builder
	b.WriteString(it.Title)
	b.WriteString(" ")
	b.WriteString(string(it.Kind))
	b.WriteString(" ")
	b.WriteString(string(it.StateAt(m.c.Now())))
	for _, l := range it.Links {
		b.WriteString(" " + l.Ref)
	}
	return b.String()
}

func (m *Model) rebuildRows() {
	var keepID string
	if it, ok := m.selectedRow(); ok {
		keepID = it.ID
	}
	now := m.c.Now()
	q := strings.TrimSpace(m.filter.Value())
	var idx []int
	if q == "" {
		idx = make([]int, len(m.items))
		for i := range m.items {
			idx[i] = i
		}
	} else {
		texts := make([]string, len(m.items))
		for i, it := range m.items {
			texts[i] = m.searchText(it)
		}
		for _, match := range fuzzy.Find(q, texts) {
			idx = append(idx, match.Index)
		}
	}
	less := func(a, b assessments.Evidence) int {
		switch m.sortBy {
		case sortKind:
			return strings.Compare(string(a.Kind), string(b.Kind))
		case sortLinks:
			return len(a.Links) - len(b.Links)
		case sortCollected:
			return strings.Compare(a.CollectedOn, b.CollectedOn)
		case sortValidUntil:
			// No expiry sorts last.
			av, bv := a.ValidUntil, b.ValidUntil
			if av == "" {
				av = "9999"
			}
			if bv == "" {
				bv = "9999"
			}
			return strings.Compare(av, bv)
		case sortState:
			return stateRank(a.StateAt(now)) - stateRank(b.StateAt(now))
		}
		return 0
	}
	sort.SliceStable(idx, func(i, j int) bool {
		a, b := m.items[idx[i]], m.items[idx[j]]
		c := less(a, b)
		if c == 0 && (m.sortBy != sortTitle || q == "") {
			c = strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
		}
		if m.sortDesc {
			return c > 0
		}
		return c < 0
	})
	m.rows = idx
	if keepID != "" {
		m.selectID(keepID)
	}
	m.clampCursor()
}

func (m *Model) selectedRow() (assessments.Evidence, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) || m.rows[m.cursor] >= len(m.items) {
		return assessments.Evidence{}, false
	}
	return m.items[m.rows[m.cursor]], true
}

// KeyMap lists the keys of the current view for the help bar.
func (m *Model) KeyMap() help.KeyMap {
	k := m.keys
	switch m.mode {
	case modeForm:
		return common.HelpMap{Short: []key.Binding{k.NextField, k.Save, k.CycleKind, k.Cancel},
			Full: [][]key.Binding{{k.NextField, k.PrevField, k.Save, k.CycleKind, k.Cancel}}}
	case modeDelete:
		return common.HelpMap{Short: []key.Binding{k.Yes, k.No}}
	case modeExport:
		return common.HelpMap{Short: []key.Binding{k.Confirm, k.Cancel}}
	case modeDetail:
		short := []key.Binding{k.Up, k.Down, k.GotoLink, k.Edit, k.Delete, k.Reattach, k.Back}
		return common.HelpMap{Short: short, Full: [][]key.Binding{short, {k.Check, k.PageUp, k.PageDown}}}
	}
	if m.filtering {
		return common.HelpMap{Short: []key.Binding{k.Confirm, k.Cancel}}
	}
	short := []key.Binding{k.Up, k.Down, k.Open, k.Filter, k.New, k.Edit, k.Delete, k.Check, k.Sort}
	return common.HelpMap{Short: short, Full: [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{k.Open, k.Filter, k.Sort, k.Reverse},
		{k.New, k.Edit, k.Delete, k.Reattach},
		{k.Check, k.Export},
	}}
}

// requirementLabel is "ISO 27001 A.5.15 Access control".
func requirementLabel(set *catalogs.Set, l assessments.EvidenceLink) (short, title string) {
	name := l.Standard
	if c, ok := set.Get(l.Standard); ok {
		name = c.Short
		if r, ok := c.Requirement(l.Ref); ok {
			title = r.Title
		}
	}
	return name + " " + l.Ref, title
}

// Address names the tab for addressed results.
func (m *Model) Address() string { return common.TabAddress(m.eng.ID, "evidence") }
