// Package evidence is the engagement's evidence library: a table of every item with its
// state, a detail view with every link, a form to add and edit items, the integrity check
// and the export of kept copies. It also supplies the gap-analysis detail pane with the
// evidence of a requirement (Section, RowMarks) and the dialog that attaches evidence to one
// (NewAttachDialog).
package evidence

import (
	"context"
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
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

type mode int

const (
	modeList mode = iota
	modeDetail
	modeForm
)

// sortKey is a column the table is ordered by.
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

// stateFilter narrows the table to items in one state.
type stateFilter int

const (
	stateAll stateFilter = iota
	stateValid
	stateExpiring
	stateExpired
	stateChanged
	stateMissing
	nStateFilters
)

var stateFilterNames = [nStateFilters]string{"all", "valid", "expiring", "expired", "changed", "missing"}

func (f stateFilter) match(s assessments.EvidenceState) bool {
	switch f {
	case stateValid:
		return s.Valid()
	case stateExpiring:
		return s == assessments.StateExpiring
	case stateExpired:
		return s == assessments.StateExpired
	case stateChanged:
		return s == assessments.StateChanged
	case stateMissing:
		return s == assessments.StateMissing
	}
	return true
}

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

	rows   []int // indices into items, filtered and ordered
	cursor int
	offset int

	filter    textinput.Model
	filtering bool
	state     stateFilter
	sortBy    sortKey
	sortDesc  bool

	// detail view
	detailID     string
	detailOffset int
	linkCursor   int

	ed *editor
	// formFrom is where leaving the form returns (the list or the item's detail).
	formFrom mode

	// integrity check in progress
	checking   bool
	checkSeq   int
	checkCh    chan tea.Msg
	checkDone  int
	checkTotal int
	lastCheck  string
	checkBad   bool

	exporting bool

	// pending is the item to select once the next load arrives (a jump, a save).
	pending string
	// Figures drawn in the header, computed once per load rather than per frame.
	counts    map[assessments.EvidenceState]int
	evidenced string
	// Per item (same index as items), computed once per load for filtering and ordering.
	states []assessments.EvidenceState
	lower  []string // titles in lower case
}

// New builds the Evidence tab of an engagement.
func New(c *common.Common, e assessments.Engagement) common.Tab {
	return newModel(c, e)
}

func newModel(c *common.Common, e assessments.Engagement) *Model {
	fi := newInput(c.Styles, "/ ", "title, kind, ref or state")
	fi.CharLimit = 200
	return &Model{c: c, eng: e, keys: newKeyMap(c.Keys), filter: fi,
		results: map[string]map[string]assessments.Result{}, risks: map[string]string{}, impacts: map[string]string{}}
}

// Title is the tab's label.
func (m *Model) Title() string { return "Evidence" }

// Address names the tab for addressed results.
func (m *Model) Address() string { return common.TabAddress(m.eng.ID, "evidence") }

// Init does nothing: Activate loads.
func (m *Model) Init() tea.Cmd { return nil }

// Activate reloads from the store each time the tab shows.
func (m *Model) Activate() tea.Cmd { return m.load() }

// Capturing is true while the filter, the form or the detail has the keyboard: in the
// detail, esc and q return to the table rather than leave the engagement.
func (m *Model) Capturing() bool {
	return m.filtering || m.mode != modeList
}

// UsesEsc is true while esc clears the table's filters.
func (m *Model) UsesEsc() bool {
	return m.mode == modeList && !m.filtering && m.filtered()
}

func (m *Model) filtered() bool {
	return strings.TrimSpace(m.filter.Value()) != "" || m.state != stateAll
}

// UnsavedWork reports a changed evidence form that cannot be saved as it stands.
func (m *Model) UnsavedWork() string {
	if m.ed != nil && m.ed.unsaved() {
		return "the evidence form (a field needs fixing)"
	}
	return ""
}

// FlushDrafts saves an open form when the program ends, if what it holds passes the rules;
// a form that does not (no title yet, say) cannot become an item and is dropped.
func (m *Model) FlushDrafts() error {
	if m.ed == nil {
		return nil
	}
	return m.ed.flush(m.c.Ctx)
}

// SetSize is the tab's area.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.clampCursor()
}

type loadedMsg struct {
	seq     int
	items   []assessments.Evidence
	results map[string]map[string]assessments.Result
	risks   map[string]string
	impacts map[string]string
	err     error
}

func (m *Model) load() tea.Cmd {
	m.loadSeq++
	seq, c, id := m.loadSeq, m.c, m.eng.ID
	return common.Send(m.Address(), func() tea.Msg {
		msg := loadedMsg{seq: seq}
		msg.items, msg.err = c.Store.Evidence(c.Ctx, id)
		if msg.err != nil {
			return msg
		}
		if msg.results, msg.err = c.Store.Results(c.Ctx, id); msg.err != nil {
			return msg
		}
		msg.risks = riskNames(c.Ctx, c.Store, id)
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
	})
}

// riskNames maps the register's risk ids to "R-001 title"; a register that cannot be read
// only means risks cannot be named or linked.
func riskNames(ctx context.Context, s *store.Store, engagementID string) map[string]string {
	out := map[string]string{}
	if risks, err := s.Risks(ctx, engagementID); err == nil {
		for _, r := range risks {
			out[r.ID] = r.Ref + " " + r.Title
		}
	}
	return out
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

// reattachMsg is the yes of "accept the changed file?"; reattachedMsg its outcome.
type reattachMsg struct{ id, title string }

type reattachedMsg struct {
	item assessments.Evidence
	err  error
}

// deleteMsg is the yes of "delete this item?"; deletedMsg its outcome.
type deleteMsg struct{ id, title string }

type deletedMsg struct {
	title string
	links []assessments.EvidenceLink
	err   error
}

// undoneMsg is what an undo entry returns once the reverse edit is saved.
type undoneMsg struct{ item assessments.Evidence }

// exportDialogID names the export dialog.
func (m *Model) exportDialogID() string { return m.Address() + "/export" }

// startCheck runs the integrity check in the background; progress arrives as messages.
func (m *Model) startCheck() tea.Cmd {
	m.checkSeq++
	m.checking, m.checkDone, m.checkTotal = true, 0, 0
	seq, c, id := m.checkSeq, m.c, m.eng.ID
	return common.Send(m.Address(), func() tea.Msg {
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
	})
}

func (m *Model) waitCheck(ch chan tea.Msg) tea.Cmd {
	return common.Send(m.Address(), func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	})
}

// Update handles keys and the results of its commands.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != m.loadSeq {
			return m, nil // an older load
		}
		m.loaded, m.loadErr = true, msg.err
		if msg.err == nil {
			m.items, m.results, m.risks, m.impacts = msg.items, msg.results, msg.risks, msg.impacts
		}
		m.counts = map[assessments.EvidenceState]int{}
		now := m.c.Now()
		m.states, m.lower = make([]assessments.EvidenceState, len(m.items)), make([]string, len(m.items))
		for i, it := range m.items {
			m.states[i] = it.StateAt(now)
			m.lower[i] = strings.ToLower(it.Title)
			m.counts[m.states[i]]++
		}
		m.evidenced = m.evidencedLine()
		m.rebuildRows()
		if m.pending != "" {
			m.selectItem(m.pending)
			m.pending = ""
		}
		if m.mode == modeDetail {
			if _, ok := m.item(m.detailID); !ok {
				m.mode, m.detailID = modeList, ""
			}
		}
		return m, nil
	case checkStartedMsg:
		if msg.seq != m.checkSeq {
			return m, nil
		}
		m.checkCh = msg.ch
		return m, m.waitCheck(msg.ch)
	case checkProgressMsg:
		if msg.seq != m.checkSeq {
			return m, nil
		}
		m.checkDone, m.checkTotal = msg.done, msg.total
		return m, m.waitCheck(m.checkCh)
	case checkDoneMsg:
		if msg.seq != m.checkSeq {
			return m, nil
		}
		m.checking, m.checkCh = false, nil
		if msg.err != nil {
			m.lastCheck, m.checkBad = "The check stopped: "+msg.err.Error(), true
			return m, m.load()
		}
		r := msg.rep
		m.lastCheck = fmt.Sprintf("Checked %s: %d unchanged, %d changed, %d missing", common.Count(len(r.Checked), "file", "files"), r.OK, r.Changed, r.Missing)
		m.checkBad = r.Problems() > 0
		return m, m.load()
	case savedMsg:
		if m.ed == nil {
			return m, nil
		}
		before := m.ed.before
		done, cmd := m.ed.saved(msg)
		if !done {
			return m, cmd
		}
		m.closeForm()
		m.pending = msg.item.ID
		if msg.created {
			return m, tea.Batch(m.load(), common.InfoCmd("Added evidence "+quote(msg.item.Title)+linkNote(msg.item.Links)))
		}
		m.pushUndo(*before, msg.item)
		return m, tea.Batch(m.load(), common.InfoCmd("Saved evidence "+quote(msg.item.Title)))
	case undoneMsg:
		m.pending = msg.item.ID
		return m, m.load()
	case common.PeopleMsg:
		if m.ed != nil {
			m.ed.form.SetPeople(msg.Names)
		}
		return m, nil
	case dialog.SubmitMsg:
		if msg.ID == m.exportDialogID() {
			return m, m.export(msg.Values["dir"])
		}
		return m, nil
	case exportedMsg:
		m.exporting = false
		to := m.exportDialogID()
		switch {
		case msg.err != nil:
			text := msg.err.Error()
			if len(msg.files) > 0 {
				text = fmt.Sprintf("Stopped after %s: %s", common.Count(len(msg.files), "file", "files"), text)
			}
			fail := dialog.FailMsg{Errors: map[string]string{"dir": text}}
			return m, common.Send(to, func() tea.Msg { return fail })
		case len(msg.files) == 0:
			return m, tea.Batch(common.Send(to, func() tea.Msg { return dialog.DoneMsg{} }),
				common.InfoCmd("No copies are kept in this workspace; nothing was written."))
		}
		return m, tea.Batch(common.Send(to, func() tea.Msg { return dialog.DoneMsg{} }),
			common.InfoCmd(fmt.Sprintf("Wrote %s to %s", common.Count(len(msg.files), "file", "files"), msg.dir)))
	case reattachMsg:
		c := m.c
		return m, common.Send(m.Address(), func() tea.Msg {
			item, err := c.Store.ReattachEvidenceFile(c.Ctx, msg.id, store.AttachOptions{})
			return reattachedMsg{item: item, err: err}
		})
	case reattachedMsg:
		if msg.err != nil {
			return m, tea.Batch(common.ErrCmd(msg.err), m.load())
		}
		return m, tea.Batch(m.load(), common.InfoCmd("Accepted the current file of "+quote(msg.item.Title)+" as the original"))
	case deleteMsg:
		c := m.c
		return m, common.Send(m.Address(), func() tea.Msg {
			links, err := c.Store.DeleteEvidence(c.Ctx, msg.id)
			return deletedMsg{title: msg.title, links: links, err: err}
		})
	case deletedMsg:
		if msg.err != nil {
			return m, tea.Batch(common.ErrCmd(fmt.Errorf("could not delete %s: %w", quote(msg.title), msg.err)), m.load())
		}
		if m.mode == modeDetail {
			m.mode, m.detailID = modeList, ""
		}
		text := "Deleted evidence " + quote(msg.title)
		if len(msg.links) > 0 {
			text += " and its " + common.Count(len(msg.links), "link", "links")
		}
		return m, tea.Batch(m.load(), common.InfoCmd(text))
	case tea.PasteMsg:
		switch {
		case m.mode == modeForm && m.ed != nil:
			if m.ed.saving {
				return m, nil
			}
			_, cmd := m.ed.form.Update(msg)
			return m, cmd
		case m.filtering:
			msg.Content = common.OneLine(msg.Content)
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

// linkNote is ", linked to 2 requirements" (or nothing).
func linkNote(links []assessments.EvidenceLink) string {
	if len(links) == 0 {
		return ""
	}
	return ", linked to " + linkCounts(links)
}

func quote(s string) string { return "“" + common.OneLine(s) + "”" }

// pushUndo records an acknowledged edit so z takes it back: the reverse edit goes through
// the store's update path (before = what was saved, after = what was there before). A new
// file is not taken back: the old file would be hashed again as it is now.
func (m *Model) pushUndo(orig, saved assessments.Evidence) {
	if m.c.Undo == nil || orig.Path != saved.Path {
		return
	}
	back := saved
	back.Title, back.Kind, back.Description, back.URL = orig.Title, orig.Kind, orig.Description, orig.URL
	back.CollectedOn, back.CollectedBy, back.ValidUntil, back.Kept = orig.CollectedOn, orig.CollectedBy, orig.ValidUntil, orig.Kept
	unlink, link := linkDiff(saved.Links, orig.Links)
	c := m.c
	m.c.Undo.Push(common.UndoEntry{
		Label: "edit of evidence " + quote(orig.Title),
		To:    m.Address(),
		Run: func(ctx context.Context) (tea.Msg, error) {
			item, err := c.Store.SaveEvidenceWithLinks(ctx, &saved, back, unlink, link, store.AttachOptions{})
			if err != nil {
				return nil, err
			}
			return undoneMsg{item: item}, nil
		},
	})
}

// linkDiff lists the requirement and risk links to remove and to add to go from have to want.
func linkDiff(have, want []assessments.EvidenceLink) (unlink, link []assessments.EvidenceLink) {
	in := func(ls []assessments.EvidenceLink, l assessments.EvidenceLink) bool {
		for _, x := range ls {
			if x.String() == l.String() {
				return true
			}
		}
		return false
	}
	for _, l := range have {
		if l.Target != assessments.LinkImpactAssessment && !in(want, l) {
			unlink = append(unlink, l)
		}
	}
	for _, l := range want {
		if l.Target != assessments.LinkImpactAssessment && !in(have, l) {
			link = append(link, l)
		}
	}
	return unlink, link
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	switch m.mode {
	case modeForm:
		return m.formKey(msg)
	case modeDetail:
		return m.detailKey(msg)
	}
	k := m.keys
	if m.filtering {
		switch {
		case key.Matches(msg, k.ClearFilter):
			m.filtering = false
			m.filter.Blur()
			m.filter.SetValue("")
			m.rebuildRows()
		case key.Matches(msg, k.KeepFilter):
			m.filtering = false
			m.filter.Blur()
		case key.Matches(msg, k.PickUp):
			m.move(-1)
		case key.Matches(msg, k.PickDown):
			m.move(1)
		default:
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg)
			m.rebuildRows()
			return cmd
		}
		return nil
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
	case key.Matches(msg, k.ClearFilter):
		m.filter.SetValue("")
		m.state = stateAll
		m.rebuildRows()
	case key.Matches(msg, k.State):
		m.state = (m.state + 1) % nStateFilters
		m.rebuildRows()
	case key.Matches(msg, k.StateBack):
		m.state = (m.state + nStateFilters - 1) % nStateFilters
		m.rebuildRows()
	case key.Matches(msg, k.Order):
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
		return m.openForm(nil)
	case key.Matches(msg, k.Edit):
		if it, ok := m.selected(); ok {
			return m.openForm(&it)
		}
	case key.Matches(msg, k.Delete):
		return m.confirmDelete()
	case key.Matches(msg, k.Check):
		if !m.checking {
			return m.startCheck()
		}
	case key.Matches(msg, k.Export):
		return m.openExport()
	case key.Matches(msg, k.Reattach):
		return m.confirmReattach()
	}
	return nil
}

// openForm opens the form on item (nil: a new item).
func (m *Model) openForm(item *assessments.Evidence) tea.Cmd {
	m.formFrom = m.mode
	if item == nil {
		m.formFrom = modeList
		m.detailID = ""
	}
	m.ed = newEditor(m.c, m.eng, item, nil, m.risks)
	m.mode = modeForm
	m.sizeForm()
	return m.c.LoadPeople(m.Address())
}

func (m *Model) closeForm() {
	m.ed = nil
	m.mode = m.formFrom
	if m.mode == modeDetail {
		if _, ok := m.item(m.detailID); !ok {
			m.mode, m.detailID = modeList, ""
		}
	}
	if m.mode == modeForm {
		m.mode = modeList
	}
}

func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.ed == nil {
		m.mode = modeList
		return nil
	}
	if m.ed.saving {
		return nil // what is typed now would be marked saved without being saved
	}
	act, cmd := m.ed.form.Update(msg)
	switch act {
	case form.Save:
		return tea.Batch(cmd, m.ed.save(m.Address()))
	case form.Leave:
		m.closeForm()
	}
	return cmd
}

// confirmDelete asks, in a dialog naming the item and what goes with it, before deleting.
func (m *Model) confirmDelete() tea.Cmd {
	it, ok := m.selected()
	if !ok {
		return nil
	}
	q := "It is not linked to anything."
	if len(it.Links) > 0 {
		q = "Its " + common.Count(len(it.Links), "link", "links") + " go with it: " + m.linkNames(it.Links, 4) + "."
	}
	if it.Kept {
		q += " The copy kept in the workspace is removed too; the file on disk stays."
	}
	d := dialog.NewConfirm(m.c.Styles, m.Address()+"/delete/"+it.ID, m.Address(),
		"Delete evidence "+quote(it.Title)+"?", q, deleteMsg{id: it.ID, title: it.Title})
	return common.OpenDialog(d)
}

// linkNames names up to n links ("ISO 27001 A.5.15, risk R-003 and 2 more").
func (m *Model) linkNames(links []assessments.EvidenceLink, n int) string {
	var names []string
	for i, l := range links {
		if i == n {
			names = append(names, fmt.Sprintf("%d more", len(links)-n))
			break
		}
		switch l.Target {
		case assessments.LinkRequirement:
			short, _ := requirementLabel(m.c.Catalogs, l)
			names = append(names, short)
		case assessments.LinkRisk:
			ref, _, _ := strings.Cut(m.risks[l.Ref], " ")
			names = append(names, "risk "+common.OneLine(ref))
		default:
			names = append(names, "impact assessment "+common.OneLine(m.impacts[l.Ref]))
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func (m *Model) confirmReattach() tea.Cmd {
	it, ok := m.selected()
	switch {
	case !ok:
		return nil
	case it.Path == "":
		return common.InfoCmd(quote(it.Title) + " has no file to accept.")
	case it.Integrity != assessments.IntegrityChanged:
		return common.InfoCmd(quote(it.Title) + ": only a changed file needs accepting (c checks the files).")
	}
	d := dialog.NewConfirm(m.c.Styles, m.Address()+"/reattach/"+it.ID, m.Address(),
		"Accept the changed file of "+quote(it.Title)+"?",
		"The file at "+common.OneLine(it.Path)+" is no longer the one attached. Accepting records its bytes now as the original; do it only when the new version is the right evidence.",
		reattachMsg{id: it.ID, title: it.Title})
	return common.OpenDialog(d)
}

func (m *Model) openExport() tea.Cmd {
	if m.exporting {
		return common.InfoCmd("The kept copies are being exported.")
	}
	base := m.c.Store.FileBase()
	dir := base + "-" + store.SafeFileName(strings.ToLower(strings.Fields(m.eng.Name + " x")[0])) + "-evidence"
	d := dialog.NewForm(m.c.Styles, m.exportDialogID(), m.Address(), "Export the kept copies of "+common.OneLine(m.eng.Name),
		"Each file kept in the workspace is written to the folder; files already there are not overwritten.",
		form.Values{"dir": dir}, form.Field{Key: "dir", Label: "Folder", Kind: form.Text, Limit: 4096})
	return common.OpenDialog(d)
}

func (m *Model) export(dir string) tea.Cmd {
	dir = strings.TrimSpace(dir)
	if dir == "" {
		fail := dialog.FailMsg{Errors: map[string]string{"dir": "Type the folder to write the files to."}}
		return common.Send(m.exportDialogID(), func() tea.Msg { return fail })
	}
	m.exporting = true
	c, id := m.c, m.eng.ID
	return common.Send(m.Address(), func() tea.Msg {
		files, err := c.Store.ExportEvidenceFiles(c.Ctx, id, expandHome(dir))
		return exportedMsg{files: files, dir: dir, err: err}
	})
}

func (m *Model) detailKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	it, ok := m.selected()
	if !ok {
		m.mode, m.detailID = modeList, ""
		return nil
	}
	switch {
	case key.Matches(msg, k.LeaveTable):
		m.mode, m.detailID = modeList, ""
	case key.Matches(msg, k.Up):
		m.linkCursor = max(0, m.linkCursor-1)
	case key.Matches(msg, k.Down):
		m.linkCursor = min(max(0, len(it.Links)-1), m.linkCursor+1)
	case key.Matches(msg, k.PageDown):
		m.detailOffset += max(1, m.height/2)
	case key.Matches(msg, k.PageUp):
		m.detailOffset = max(0, m.detailOffset-max(1, m.height/2))
	case key.Matches(msg, k.GotoLink):
		if m.linkCursor < len(it.Links) {
			l := it.Links[m.linkCursor]
			if l.Target == assessments.LinkRequirement {
				return func() tea.Msg { return common.GotoRequirementMsg{Standard: l.Standard, Ref: l.Ref} }
			}
		}
	case key.Matches(msg, k.Edit):
		return m.openForm(&it)
	case key.Matches(msg, k.Delete):
		return m.confirmDelete()
	case key.Matches(msg, k.Reattach):
		return m.confirmReattach()
	case key.Matches(msg, k.Check):
		if !m.checking {
			return m.startCheck()
		}
	}
	return nil
}

// newInput is a one-line input with a steady cursor (a blinking one redraws the screen twice
// a second) and a placeholder drawn in italics, so under NO_COLOR it does not read as typed.
func newInput(st *common.Styles, prompt, placeholder string) textinput.Model {
	in := textinput.New()
	in.Prompt, in.Placeholder = prompt, placeholder
	s := in.Styles()
	s.Cursor.Blink = false
	s.Focused.Placeholder = st.Subtle.Italic(true)
	s.Blurred.Placeholder = st.Subtle.Italic(true)
	in.SetStyles(s)
	return in
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := userHome(); err == nil {
			return filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	return p
}

// item finds an item by id.
func (m *Model) item(id string) (assessments.Evidence, bool) {
	for _, it := range m.items {
		if it.ID == id {
			return it, true
		}
	}
	return assessments.Evidence{}, false
}

// selected is the item the detail shows, else the one under the cursor.
func (m *Model) selected() (assessments.Evidence, bool) {
	if m.mode == modeDetail || (m.mode == modeForm && m.detailID != "") {
		return m.item(m.detailID)
	}
	return m.selectedRow()
}

func (m *Model) selectID(id string) bool {
	for i, r := range m.rows {
		if m.items[r].ID == id {
			m.cursor = i
			return true
		}
	}
	return false
}

// selectItem puts the cursor on an item, clearing the filters when they hide it.
func (m *Model) selectItem(id string) {
	if _, ok := m.item(id); !ok {
		return
	}
	if !m.selectID(id) {
		m.filter.SetValue("")
		m.filtering = false
		m.filter.Blur()
		m.state = stateAll
		m.rebuildRows()
		m.selectID(id)
	}
	m.clampCursor()
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
func searchText(it assessments.Evidence, state assessments.EvidenceState) string {
	var b strings.Builder
	b.WriteString(it.Title)
	b.WriteString(" ")
	b.WriteString(string(it.Kind))
	b.WriteString(" ")
	b.WriteString(string(state))
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
	q := strings.TrimSpace(m.filter.Value())
	idx := make([]int, 0, len(m.items))
	for i := range m.items {
		if m.state.match(m.states[i]) {
			idx = append(idx, i)
		}
	}
	if q != "" {
		texts := make([]string, len(idx))
		for j, i := range idx {
			texts[j] = searchText(m.items[i], m.states[i])
		}
		var matched []int
		for _, match := range fuzzy.Find(q, texts) {
			matched = append(matched, idx[match.Index])
		}
		idx = matched
	}
	less := func(i, j int) int {
		a, b := m.items[i], m.items[j]
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
			return stateRank(m.states[i]) - stateRank(m.states[j])
		}
		return 0
	}
	sort.SliceStable(idx, func(i, j int) bool {
		c := less(idx[i], idx[j])
		if c == 0 && (m.sortBy != sortTitle || q == "") {
			c = strings.Compare(m.lower[idx[i]], m.lower[idx[j]])
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

// KeyMap lists the keys of the current view for the help bar, the most used first.
func (m *Model) KeyMap() help.KeyMap {
	k := m.keys
	switch m.mode {
	case modeForm:
		if m.ed != nil {
			return m.ed.form.KeyMap()
		}
	case modeDetail:
		short := []key.Binding{k.GotoLink, k.Edit, k.Delete, k.Reattach, k.LeaveTable, k.Up, k.Down}
		return common.HelpMap{Short: short, Full: [][]key.Binding{
			{k.Up, k.Down, k.GotoLink, k.PageUp, k.PageDown},
			{k.Edit, k.Delete, k.Reattach, k.Check, k.LeaveTable},
		}}
	}
	if m.filtering {
		b := []key.Binding{k.KeepFilter, k.ClearFilter, k.PickDown, k.PickUp}
		return common.HelpMap{Short: b, Full: [][]key.Binding{b}}
	}
	open := withHelp(k.Open, "enter", "details")
	short := []key.Binding{open, k.New, k.Edit, k.Delete, k.Filter, k.State, k.Check}
	if m.filtered() {
		short = append([]key.Binding{k.ClearFilter}, short...)
	}
	full := [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{open, k.New, k.Edit, k.Delete, k.Reattach},
		{k.Filter, k.State, k.Order, k.Reverse}, // S is in the help of s
		{k.Check, k.Export},
	}
	if m.filtered() {
		full[2] = append(full[2], k.ClearFilter)
	}
	return common.HelpMap{Short: short, Full: full}
}

func withHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}

// requirementLabel is "ISO 27001 A.5.15" and the requirement's title.
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

// JumpTargets lists every evidence item for the jump box (:). It runs in a command and
// reads only the store.
func (m *Model) JumpTargets(ctx context.Context) ([]common.JumpTarget, error) {
	items, err := m.c.Store.Evidence(ctx, m.eng.ID)
	if err != nil {
		return nil, err
	}
	addr := m.Address()
	out := make([]common.JumpTarget, 0, len(items))
	for _, it := range items {
		out = append(out, common.JumpTarget{Kind: "evidence", Label: common.OneLine(it.Title) + " · " + string(it.Kind),
			Msg: common.GotoMsg{Tab: addr, Item: it.ID}})
	}
	return out, nil
}

// Location is the selected item's id.
func (m *Model) Location() string {
	if m.mode == modeForm && m.ed != nil && m.ed.before != nil {
		return m.ed.before.ID
	}
	if it, ok := m.selected(); ok {
		return it.ID
	}
	return ""
}

// Restore selects the item loc in the table (after the next load when the tab is not
// loaded yet). An open form stays open.
func (m *Model) Restore(loc string) tea.Cmd {
	if loc == "" || m.mode == modeForm {
		return nil
	}
	m.mode, m.detailID = modeList, ""
	if _, ok := m.item(loc); ok {
		m.selectItem(loc)
		return nil
	}
	m.pending = loc
	return nil
}
