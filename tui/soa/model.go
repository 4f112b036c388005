// Package soa is the Statement of Applicability screen of one standard, pushed from the
// gap analysis (V): the versions issued (draft, approved), the current draft (the SoA as
// it stands), issuing a new version with a change summary, approving the draft by a named
// person on a date, withdrawing a draft, and the controls that differ between two versions.
package soa

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

// Form field keys: the domain's validation field names, so a refusal lands by its field.
const (
	fSummary    = "change_summary"
	fApprover   = "approver"
	fApprovedOn = "approved_on"
)

type keyMap struct {
	common.KeyMap
	Issue, Approve, Diff, Mark, Withdraw, Reload key.Binding
	ScrollDown, ScrollUp, CloseDiff              key.Binding
}

func newKeyMap(base common.KeyMap) keyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return keyMap{
		KeyMap:     base,
		Issue:      b([]string{"i"}, "i", "issue version…"),
		Approve:    b([]string{"a"}, "a", "approve draft…"),
		Diff:       b([]string{"enter"}, "enter", "changes"),
		Mark:       b([]string{"m"}, "m", "compare from here"),
		Withdraw:   b([]string{"d"}, "d", "withdraw draft…"),
		Reload:     b([]string{"r"}, "r", "reload"),
		ScrollDown: b([]string{"down", "j"}, "↓/j", "scroll"),
		ScrollUp:   b([]string{"up", "k"}, "↑/k", "scroll"),
		CloseDiff:  b([]string{"esc", "q"}, "esc", "back to the versions"),
	}
}

// Model is the SoA screen of one standard of an engagement.
type Model struct {
	c    *common.Common
	eng  assessments.Engagement
	cat  *catalogs.Catalog
	keys keyMap

	width, height int

	versions []assessments.SoAVersion // newest first
	current  []assessments.SoAEntry
	people   []string
	loaded   bool
	loadErr  error
	seq      int
	busy     bool

	cursor, offset int // row 0 is the current draft, row i the versions[i-1]
	mark           int // the row marked with m (-1: none)
	diff           *diffView
}

// diffView is the list of controls that differ between two SoAs.
type diffView struct {
	from, to string
	changes  []assessments.SoAChange
	lines    []string // drawn once per width
	width    int
	offset   int
}

// New builds the SoA screen of one standard; the gap analysis pushes it.
func New(c *common.Common, e assessments.Engagement, standard string) common.Screen {
	cat, _ := c.Catalogs.Get(standard)
	return &Model{c: c, eng: e, cat: cat, keys: newKeyMap(c.Keys), width: c.Width, height: c.Height, mark: -1}
}

// Address names the screen for addressed results.
func (m *Model) Address() string { return common.TabAddress(m.eng.ID, "soa", m.standard()) }

func (m *Model) standard() string {
	if m.cat == nil {
		return ""
	}
	return m.cat.ID
}

func (m *Model) short() string {
	if m.cat == nil {
		return "the standard"
	}
	return m.cat.Short
}

func (m *Model) ctx() context.Context {
	if m.c.Ctx != nil {
		return m.c.Ctx
	}
	return context.Background()
}

func (m *Model) now() time.Time {
	if m.c.Now != nil {
		return m.c.Now()
	}
	return time.Now()
}

func (m *Model) send(cmd tea.Cmd) tea.Cmd { return common.Send(m.Address(), cmd) }

// Messages: every result comes back addressed to the screen.
type (
	loadedMsg struct {
		seq      int
		versions []assessments.SoAVersion
		current  []assessments.SoAEntry
		err      error
	}
	issueMsg  struct{ summary string }
	issuedMsg struct {
		dialog  string
		version assessments.SoAVersion
		again   bool
		err     error
	}
	approvedMsg struct {
		dialog  string
		version assessments.SoAVersion
		err     error
	}
	withdrawMsg  struct{ version assessments.SoAVersion }
	withdrawnMsg struct {
		version assessments.SoAVersion
		err     error
	}
)

// Init loads the versions and the current draft.
func (m *Model) Init() tea.Cmd { return tea.Batch(m.load(), m.c.LoadPeople(m.Address())) }

func (m *Model) load() tea.Cmd {
	m.seq++
	seq, st, set, id, std, ctx := m.seq, m.c.Store, m.c.Catalogs, m.eng.ID, m.standard(), m.ctx()
	return m.send(func() tea.Msg {
		if std == "" {
			return loadedMsg{seq: seq, err: errors.New("annex does not know this standard")}
		}
		vs, err := st.SoAVersions(ctx, id, std)
		if err != nil {
			return loadedMsg{seq: seq, err: err}
		}
		cur, err := st.CurrentSoA(ctx, set, id, std)
		return loadedMsg{seq: seq, versions: vs, current: cur, err: err}
	})
}

// SetSize sets the drawing area.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.clamp()
}

// latestApproved and draft are the versions that matter.
func (m *Model) latestApproved() (assessments.SoAVersion, bool) {
	return assessments.LatestApprovedSoA(m.versions)
}

func (m *Model) draft() (assessments.SoAVersion, bool) {
	l, ok := assessments.LatestSoA(m.versions)
	return l, ok && l.State == assessments.SoADraft
}

// base is what a new issue is compared with: the latest approved version, else the latest
// version that is not the draft.
func (m *Model) base() *assessments.SoAVersion {
	if a, ok := m.latestApproved(); ok {
		return &a
	}
	for i := range m.versions {
		if m.versions[i].State != assessments.SoADraft {
			return &m.versions[i]
		}
	}
	return nil
}

func (m *Model) rows() int { return 1 + len(m.versions) }

// Update handles keys, dialog answers and results.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.loaded, m.loadErr = true, msg.err
		if msg.err == nil {
			m.versions, m.current = msg.versions, msg.current
			if m.mark >= m.rows() {
				m.mark = -1
			}
		}
		m.clamp()
		return m, nil
	case common.PeopleMsg:
		m.people = msg.Names
		return m, nil
	case common.DataChangedMsg:
		return m, m.load()
	case dialog.SubmitMsg:
		return m, m.onSubmit(msg)
	case issuedMsg:
		return m, m.onIssued(msg)
	case approvedMsg:
		return m, m.onApproved(msg)
	case withdrawMsg:
		st, ctx, v := m.c.Store, m.ctx(), msg.version
		m.busy = true
		return m, m.send(func() tea.Msg { return withdrawnMsg{version: v, err: st.WithdrawSoA(ctx, v.ID)} })
	case withdrawnMsg:
		m.busy = false
		if msg.err != nil {
			return m, tea.Batch(common.ErrCmd(msg.err), m.load())
		}
		return m, tea.Batch(m.load(), common.InfoCmd(fmt.Sprintf("%s SoA v%d withdrawn (the history keeps a record)", m.short(), msg.version.Version)))
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	}
	return m, nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.diff != nil {
		return m.diffKey(msg)
	}
	switch {
	case key.Matches(msg, k.Back):
		return func() tea.Msg { return common.BackMsg{} }
	case key.Matches(msg, k.Down):
		m.cursor++
	case key.Matches(msg, k.Up):
		m.cursor--
	case key.Matches(msg, k.Home):
		m.cursor = 0
	case key.Matches(msg, k.End):
		m.cursor = m.rows() - 1
	case key.Matches(msg, k.PageDown):
		m.cursor += max(1, m.listHeight()-1)
	case key.Matches(msg, k.PageUp):
		m.cursor -= max(1, m.listHeight()-1)
	case key.Matches(msg, k.Reload):
		return m.load()
	case !m.loaded || m.loadErr != nil || m.busy:
		return nil
	case key.Matches(msg, k.Mark):
		if m.mark == m.cursor {
			m.mark = -1
			return common.InfoCmd("Comparison mark cleared.")
		}
		m.mark = m.cursor
		return common.InfoCmd("Marked " + m.rowName(m.cursor) + ": enter on another version shows what changed between them.")
	case key.Matches(msg, k.Diff):
		return m.openDiff()
	case key.Matches(msg, k.Issue):
		return m.openIssue()
	case key.Matches(msg, k.Approve):
		return m.openApprove()
	case key.Matches(msg, k.Withdraw):
		d, ok := m.draft()
		if !ok {
			return common.InfoCmd("There is no draft to withdraw; approved versions are part of the record.")
		}
		title := fmt.Sprintf("Withdraw %s SoA v%d?", m.short(), d.Version)
		q := "The draft issued for approval is removed; the change history keeps a record. The current draft stays as it is."
		return common.OpenDialog(dialog.NewConfirm(m.c.Styles, m.Address()+"/withdraw", m.Address(), title, q, withdrawMsg{version: d}))
	}
	m.clamp()
	return nil
}

// rowName names a row for a person: "the current draft", "v2 (draft)".
func (m *Model) rowName(row int) string {
	if row == 0 {
		return "the current draft"
	}
	return m.versions[row-1].Label()
}

func (m *Model) rowEntries(row int) []assessments.SoAEntry {
	if row == 0 {
		return m.current
	}
	return m.versions[row-1].Entries
}

// openDiff shows what changed: between the marked row and this one, else between this row
// and the version before it (for the current draft: the latest approved version).
func (m *Model) openDiff() tea.Cmd {
	from, to := -1, m.cursor
	switch {
	case m.mark >= 0 && m.mark != m.cursor:
		from, to = max(m.mark, m.cursor), min(m.mark, m.cursor) // higher rows are older
	case m.cursor == 0:
		if b := m.base(); b != nil {
			for i, v := range m.versions {
				if v.ID == b.ID {
					from = i + 1
				}
			}
		} else if len(m.versions) > 0 {
			from = 1
		}
	case m.cursor < m.rows()-1:
		from = m.cursor + 1
	}
	if from < 0 {
		if m.cursor == 0 {
			return common.InfoCmd("No version issued yet: i issues the first one.")
		}
		return common.InfoCmd(m.rowName(m.cursor) + " is the first version: nothing before it to compare with.")
	}
	m.diff = &diffView{from: m.rowName(from), to: m.rowName(to), changes: assessments.DiffSoA(m.rowEntries(from), m.rowEntries(to))}
	return nil
}

func (m *Model) diffKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	d := m.diff
	switch {
	case key.Matches(msg, k.CloseDiff):
		m.diff = nil
		return nil
	case key.Matches(msg, k.ScrollDown):
		d.offset++
	case key.Matches(msg, k.ScrollUp):
		d.offset--
	case key.Matches(msg, k.PageDown):
		d.offset += max(1, m.height-3)
	case key.Matches(msg, k.PageUp):
		d.offset -= max(1, m.height-3)
	case key.Matches(msg, k.Home):
		d.offset = 0
	case key.Matches(msg, k.End):
		d.offset = len(d.lines)
	}
	m.clampDiff()
	return nil
}

func (m *Model) issueDialogID() string   { return m.Address() + "/issue" }
func (m *Model) approveDialogID() string { return m.Address() + "/approve" }

// openIssue asks for the change summary, proposed from the controls changed since the
// version the new one follows.
func (m *Model) openIssue() tea.Cmd {
	prev := m.base()
	var changes []assessments.SoAChange
	if prev != nil {
		changes = assessments.DiffSoA(prev.Entries, m.current)
	}
	title := fmt.Sprintf("Issue %s SoA v%d", m.short(), m.nextNumber())
	intro := "The SoA as it stands becomes a draft version for approval: a frozen snapshot of every control's applicability, reasons, justification and status."
	if d, ok := m.draft(); ok {
		title = fmt.Sprintf("Issue %s SoA v%d again", m.short(), d.Version)
		intro = fmt.Sprintf("v%d is a draft: issuing takes the SoA as it stands anew, under the same number.", d.Version)
	}
	if n := assessments.OpenTotal(m.current); n > 0 {
		intro += fmt.Sprintf(" %s still open.", countWord(n, "decision is", "decisions are"))
	}
	dlg := dialog.NewForm(m.c.Styles, m.issueDialogID(), m.Address(), title, intro,
		form.Values{fSummary: assessments.SummarizeChanges(prev, changes)},
		form.Field{Key: fSummary, Label: "Change summary", Kind: form.MultiLine, Lines: 4, Required: true, Limit: assessments.MaxSummaryLen,
			Help: "what changed against the version before; ctrl+s issues"})
	dlg.Inner().SetSaveLabel("issue")
	dlg.Inner().Focus(fSummary)
	return common.OpenDialog(dlg)
}

func (m *Model) nextNumber() int {
	if l, ok := assessments.LatestSoA(m.versions); ok {
		return l.Version + 1
	}
	return 1
}

// openApprove asks who approves the draft and when.
func (m *Model) openApprove() tea.Cmd {
	d, ok := m.draft()
	if !ok {
		if len(m.versions) == 0 {
			return common.InfoCmd("No version issued yet: i issues the SoA as it stands, then a approves it.")
		}
		return common.InfoCmd(fmt.Sprintf("v%d is approved and frozen: i issues a new version to approve.", m.versions[0].Version))
	}
	intro := fmt.Sprintf("v%d: %s Once approved the version is frozen; later changes go into a new version.", d.Version, common.OneLine(d.ChangeSummary))
	if n := len(assessments.DiffSoA(d.Entries, m.current)); n > 0 {
		intro += fmt.Sprintf(" %s changed since it was issued (i issues it again with them).", countWord(n, "control has", "controls have"))
	}
	dlg := dialog.NewForm(m.c.Styles, m.approveDialogID(), m.Address(), fmt.Sprintf("Approve %s SoA v%d", m.short(), d.Version), intro,
		form.Values{fApprover: "", fApprovedOn: m.now().Format(assessments.DateLayout)},
		form.Field{Key: fApprover, Label: "Approved by", Kind: form.Person, Required: true, Limit: assessments.MaxNameLen,
			Placeholder: "who approves (top management, usually)", Help: "→ takes a name used in the workspace"},
		form.Field{Key: fApprovedOn, Label: "On", Kind: form.Date, Required: true})
	dlg.Inner().SetPeople(m.people)
	dlg.Inner().SetNow(m.now)
	dlg.Inner().SetSaveLabel("approve")
	dlg.Inner().Focus(fApprover)
	return common.OpenDialog(dlg)
}

func (m *Model) onSubmit(msg dialog.SubmitMsg) tea.Cmd {
	st, set, ctx, id, std, dlg := m.c.Store, m.c.Catalogs, m.ctx(), m.eng.ID, m.standard(), msg.ID
	switch msg.ID {
	case m.issueDialogID():
		summary := msg.Values[fSummary]
		return m.send(func() tea.Msg {
			// The SoA as it stands when the issue is made, not when the screen loaded.
			cur, err := st.CurrentSoA(ctx, set, id, std)
			if err != nil {
				return issuedMsg{dialog: dlg, err: err}
			}
			v, again, err := st.IssueSoA(ctx, id, std, cur, summary)
			return issuedMsg{dialog: dlg, version: v, again: again, err: err}
		})
	case m.approveDialogID():
		d, ok := m.draft()
		if !ok {
			return common.Send(dlg, func() tea.Msg {
				return dialog.FailMsg{Errors: map[string]string{fApprover: "There is no draft any more (approved or withdrawn elsewhere?); esc closes."}}
			})
		}
		by, on := msg.Values[fApprover], msg.Values[fApprovedOn]
		return m.send(func() tea.Msg {
			v, err := st.ApproveSoA(ctx, d, by, on)
			return approvedMsg{dialog: dlg, version: v, err: err}
		})
	}
	return nil
}

// failDialog shows a refusal next to its field in the dialog, which stays open.
func failDialog(id, field string, err error) tea.Cmd {
	var ve *assessments.ValidationError
	text := err.Error()
	if errors.As(err, &ve) {
		field, text = ve.Field, ve.Message
	}
	return common.Send(id, func() tea.Msg { return dialog.FailMsg{Errors: map[string]string{field: text}} })
}

func closeDialog(id string) tea.Cmd {
	return common.Send(id, func() tea.Msg { return dialog.DoneMsg{} })
}

func (m *Model) onIssued(msg issuedMsg) tea.Cmd {
	if msg.err != nil {
		return failDialog(msg.dialog, fSummary, msg.err)
	}
	v := msg.version
	what := "issued as a draft"
	if msg.again {
		what = "issued again"
	}
	m.cursor, m.mark = 1, -1
	return tea.Batch(closeDialog(msg.dialog), m.load(),
		common.InfoCmd(common.Truncate(fmt.Sprintf("%s SoA v%d %s: a approves it", m.short(), v.Version, what), 78)))
}

func (m *Model) onApproved(msg approvedMsg) tea.Cmd {
	if msg.err != nil {
		if errors.Is(msg.err, store.ErrConflict) {
			return tea.Batch(failDialog(msg.dialog, fApprover, fmt.Errorf("the draft was issued again since this screen read it; esc, look at it, and approve again")), m.load())
		}
		return failDialog(msg.dialog, fApprover, msg.err)
	}
	v := msg.version
	return tea.Batch(closeDialog(msg.dialog), m.load(),
		common.InfoCmd(common.Truncate(fmt.Sprintf("%s SoA v%d approved by %s on %s; it is frozen", m.short(), v.Version, common.OneLine(v.Approver), v.ApprovedOn), 78)))
}

// KeyMap is the help for what is on screen.
func (m *Model) KeyMap() help.KeyMap {
	k := m.keys
	if m.diff != nil {
		b := []key.Binding{k.CloseDiff, k.ScrollDown, k.ScrollUp, k.PageDown, k.PageUp}
		return common.HelpMap{Short: b, Full: [][]key.Binding{b}}
	}
	short := []key.Binding{withHelp(k.Issue, "i", "issue…"), withHelp(k.Approve, "a", "approve…"), k.Diff, withHelp(k.Mark, "m", "compare from"),
		withHelp(k.Withdraw, "d", "withdraw…"), withHelp(k.Back, "esc", "back")}
	return common.HelpMap{Short: short, Full: [][]key.Binding{
		{k.Up, k.Down, k.Home, k.End, k.PageUp, k.PageDown},
		{k.Issue, k.Approve, k.Withdraw, k.Reload},
		{k.Diff, k.Mark, withHelp(k.Back, "q/esc", "back to the gap analysis")},
	}}
}

func withHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}

func countWord(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func (m *Model) listHeight() int { return max(1, m.height-detailLines-headerLines-1) }

func (m *Model) clamp() {
	m.cursor = max(0, min(m.cursor, m.rows()-1))
	h := m.listHeight()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = max(0, min(m.offset, max(0, m.rows()-h)))
	m.clampDiff()
}

func (m *Model) clampDiff() {
	if m.diff == nil {
		return
	}
	m.diff.offset = max(0, min(m.diff.offset, max(0, len(m.diffLines())-(m.height-diffHeader))))
}

// shortOpen names the open decisions in a few words, for a screen line.
var shortOpen = map[assessments.OpenDecision]string{
	assessments.OpenUndecided:         "not decided",
	assessments.OpenNoReason:          "without a reason",
	assessments.OpenNoJustification:   "excluded without justification",
	assessments.OpenExcludedButNeeded: "excluded though needed",
}

// openText lists the open decisions of entries in a few words.
func openText(entries []assessments.SoAEntry) string {
	counts := assessments.OpenCounts(entries)
	var parts []string
	for _, k := range assessments.OpenDecisionKinds {
		if n := counts[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, shortOpen[k]))
		}
	}
	if len(parts) == 0 {
		return "no open decision"
	}
	return strings.Join(parts, ", ")
}
