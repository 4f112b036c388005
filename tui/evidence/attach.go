package evidence

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/sahilm/fuzzy"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
)

// attachDialog attaches evidence to one requirement: fuzzy search over the engagement's
// items, or a new item added by path or web address.
type attachDialog struct {
	c        *common.Common
	eng      assessments.Engagement
	std, ref string
	keys     keyMap

	width, height int

	search  textinput.Model
	items   []assessments.Evidence
	loaded  bool
	loadErr error
	matches []int
	cursor  int
	offset  int

	form    *form
	busy    bool
	changed bool
	note    string
	noteBad bool

	detachKey, newKey key.Binding
}

// NewAttachDialog opens the dialog that attaches evidence to (standard, ref). It sends
// common.CloseOverlayMsg{Changed: true} once something was attached or detached, and
// {Changed: false} when left with esc and nothing changed.
func NewAttachDialog(c *common.Common, e assessments.Engagement, standard, ref string) common.Screen {
	in := newInput()
	in.Prompt = "› "
	in.Placeholder = "search evidence, or type a file path or https:// address to add it"
	in.CharLimit = 4096
	return &attachDialog{c: c, eng: e, std: standard, ref: ref, keys: newKeyMap(c.Keys), search: in,
		detachKey: key.NewBinding(key.WithKeys("ctrl+x"), key.WithHelp("ctrl+x", "detach")),
		newKey:    key.NewBinding(key.WithKeys("ctrl+n", "tab"), key.WithHelp("tab", "add new"))}
}

type attachLoadedMsg struct {
	dialog *attachDialog
	items  []assessments.Evidence
	err    error
}

type attachDoneMsg struct {
	dialog *attachDialog
	title  string
	detach bool
	err    error
}

func (d *attachDialog) Init() tea.Cmd {
	c, id := d.c, d.eng.ID
	return tea.Batch(d.search.Focus(), func() tea.Msg {
		items, err := c.Store.Evidence(c.Ctx, id)
		return attachLoadedMsg{dialog: d, items: items, err: err}
	})
}

func (d *attachDialog) SetSize(w, h int) { d.width, d.height = w, h }

// Capturing: the dialog always holds the keyboard.
func (d *attachDialog) Capturing() bool { return true }

func (d *attachDialog) KeyMap() help.KeyMap {
	if d.form != nil {
		k := d.keys
		return common.HelpMap{Short: []key.Binding{k.NextField, k.Save, k.CycleKind, k.Cancel}}
	}
	enter := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "attach"))
	return common.HelpMap{Short: []key.Binding{enter, d.newKey, d.detachKey, d.keys.Cancel}}
}

func (d *attachDialog) linked(it assessments.Evidence) bool { return it.LinksTo(d.std, d.ref) }

func (d *attachDialog) refilter() {
	q := strings.TrimSpace(d.search.Value())
	d.matches = d.matches[:0]
	if q == "" || looksLikeSource(q) {
		// Attached items first, then the rest, each by title.
		for i, it := range d.items {
			if d.linked(it) {
				d.matches = append(d.matches, i)
			}
		}
		for i, it := range d.items {
			if !d.linked(it) {
				d.matches = append(d.matches, i)
			}
		}
		if q != "" {
			d.matches = d.matches[:0]
		}
	} else {
		texts := make([]string, len(d.items))
		for i, it := range d.items {
			texts[i] = it.Title + " " + string(it.Kind)
		}
		for _, m := range fuzzy.Find(q, texts) {
			d.matches = append(d.matches, m.Index)
		}
	}
	d.cursor = max(0, min(d.cursor, len(d.matches)-1))
}

// looksLikeSource is true for text that names a file or a web address rather than a search.
func looksLikeSource(s string) bool {
	return strings.Contains(s, "://") || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "~") ||
		strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") || strings.Contains(s, `\`)
}

func (d *attachDialog) close(changed bool) tea.Cmd {
	return func() tea.Msg { return common.CloseOverlayMsg{Changed: changed} }
}

func (d *attachDialog) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case attachLoadedMsg:
		if msg.dialog != d {
			return d, nil
		}
		d.loaded, d.loadErr, d.items = true, msg.err, msg.items
		d.refilter()
		return d, nil
	case attachDoneMsg:
		if msg.dialog != d {
			return d, nil
		}
		d.busy = false
		if msg.err != nil {
			d.note, d.noteBad = msg.err.Error(), true
			return d, nil
		}
		if msg.detach {
			d.changed = true
			d.note, d.noteBad = "Detached "+quote(msg.title), false
			return d, d.Init()
		}
		return d, d.close(true)
	case formSavedMsg:
		if d.form == nil {
			return d, nil
		}
		if d.form.saved(msg) {
			d.form = nil
			return d, d.close(true)
		}
		return d, nil
	case tea.PasteMsg:
		if d.form != nil {
			return d, d.form.paste(msg)
		}
		var cmd tea.Cmd
		d.search, cmd = d.search.Update(msg)
		d.refilter()
		return d, cmd
	case tea.KeyPressMsg:
		return d, d.key(msg)
	}
	return d, nil
}

func (d *attachDialog) key(msg tea.KeyPressMsg) tea.Cmd {
	if d.form != nil {
		cmd, done := d.form.update(msg)
		if done {
			d.form = nil
			return d.search.Focus()
		}
		return cmd
	}
	if d.busy {
		return nil
	}
	switch {
	case msg.String() == "esc":
		return d.close(d.changed)
	case msg.String() == "up" || msg.String() == "ctrl+p":
		d.cursor = max(0, d.cursor-1)
		return nil
	case msg.String() == "down":
		d.cursor = max(0, min(len(d.matches)-1, d.cursor+1))
		return nil
	case key.Matches(msg, d.newKey):
		return d.openForm()
	case key.Matches(msg, d.detachKey):
		it, ok := d.current()
		if !ok || !d.linked(it) {
			d.note, d.noteBad = "The selected item is not attached here.", false
			return nil
		}
		d.busy = true
		c, link := d.c, assessments.EvidenceLink{Target: assessments.LinkRequirement, Standard: d.std, Ref: d.ref}
		return func() tea.Msg {
			err := c.Store.UnlinkEvidence(c.Ctx, it.ID, link)
			return attachDoneMsg{dialog: d, title: it.Title, detach: true, err: err}
		}
	case msg.String() == "enter":
		q := strings.TrimSpace(d.search.Value())
		if looksLikeSource(q) {
			return d.openForm()
		}
		it, ok := d.current()
		if !ok {
			if q != "" {
				return d.openForm()
			}
			return nil
		}
		if d.linked(it) {
			d.note, d.noteBad = quote(it.Title)+" is already attached here (ctrl+x detaches it).", false
			return nil
		}
		d.busy = true
		c, link := d.c, assessments.EvidenceLink{Target: assessments.LinkRequirement, Standard: d.std, Ref: d.ref}
		return func() tea.Msg {
			_, err := c.Store.LinkEvidence(c.Ctx, it.ID, link)
			return attachDoneMsg{dialog: d, title: it.Title, err: err}
		}
	}
	var cmd tea.Cmd
	d.search, cmd = d.search.Update(msg)
	d.note = ""
	d.refilter()
	return cmd
}

func (d *attachDialog) current() (assessments.Evidence, bool) {
	if d.cursor < 0 || d.cursor >= len(d.matches) {
		return assessments.Evidence{}, false
	}
	return d.items[d.matches[d.cursor]], true
}

// openForm starts a new item linked to this requirement, with what was typed in the
// search as its path, address or title.
func (d *attachDialog) openForm() tea.Cmd {
	link := assessments.EvidenceLink{Target: assessments.LinkRequirement, Standard: d.std, Ref: d.ref}
	d.form = newForm(d.c, d.eng, d.keys, nil, []assessments.EvidenceLink{link}, nil)
	q := strings.TrimSpace(d.search.Value())
	switch {
	case strings.Contains(q, "://"):
		d.form.inputs[fURL].SetValue(q)
		d.form.kind = assessments.KindLink
	case looksLikeSource(q):
		d.form.inputs[fPath].SetValue(q)
	case q != "":
		d.form.inputs[fTitle].SetValue(q)
	}
	return d.form.focusField(fTitle)
}

func (d *attachDialog) View() string {
	st := d.c.Styles
	w, h := max(20, d.width), max(5, d.height)
	short, title := requirementLabel(d.c.Catalogs, assessments.EvidenceLink{Target: assessments.LinkRequirement, Standard: d.std, Ref: d.ref})
	head := st.Title.Render("Attach evidence to "+short) + " " + st.Muted.Render(title)
	if d.form != nil {
		return fit(common.Truncate(head, w)+"\n"+d.form.view(w, h-1), w, h)
	}
	lines := []string{common.Truncate(head, w)}
	d.search.SetWidth(max(10, w-3))
	lines = append(lines, common.Truncate(d.search.View(), w))
	listH := max(1, h-4)
	var rows []string
	switch {
	case !d.loaded:
		rows = append(rows, st.Muted.Render("  Loading…"))
	case d.loadErr != nil:
		rows = append(rows, st.Error.Render("  Cannot read the evidence: "+common.OneLine(d.loadErr.Error())))
	case looksLikeSource(strings.TrimSpace(d.search.Value())):
		rows = append(rows, st.Info.Render("  enter adds this as new evidence attached here"))
	case len(d.matches) == 0 && len(d.items) == 0:
		rows = append(rows, st.Muted.Render("  The engagement has no evidence yet: type a path or address, or press tab to add one."))
	case len(d.matches) == 0:
		rows = append(rows, st.Muted.Render("  Nothing matches. enter or tab adds a new item with this title."))
	}
	if d.cursor < d.offset {
		d.offset = d.cursor
	}
	if d.cursor >= d.offset+listH {
		d.offset = d.cursor - listH + 1
	}
	now := d.c.Now()
	for i := d.offset; i < len(d.matches) && len(rows) < listH; i++ {
		it := d.items[d.matches[i]]
		state := it.StateAt(now)
		mark := "  "
		if d.linked(it) {
			mark = st.OK.Render("✓ ")
		}
		styleFor := st.OK
		switch state {
		case assessments.StateExpiring:
			styleFor = st.Warn
		case assessments.StateExpired, assessments.StateChanged, assessments.StateMissing:
			styleFor = st.Error
		}
		right := fmt.Sprintf(" %-11s %d links  ", it.Kind, len(it.Links)) + styleFor.Render(state.Label())
		tw := max(8, w-4-lipgloss.Width(right))
		text := common.Pad(common.OneLine(it.Title), tw)
		cur := "  "
		if i == d.cursor {
			cur = st.Cursor.Render("› ")
			text = st.Selected.Render(text)
		}
		rows = append(rows, common.Truncate(cur+mark+text+right, w))
	}
	for len(rows) < listH {
		rows = append(rows, "")
	}
	lines = append(lines, rows...)
	switch {
	case d.busy:
		lines = append(lines, st.Info.Render("Saving…"))
	case d.note != "" && d.noteBad:
		lines = append(lines, st.Error.Render(common.OneLine(d.note)))
	case d.note != "":
		lines = append(lines, st.OK.Render(common.OneLine(d.note)))
	default:
		lines = append(lines, "")
	}
	lines = append(lines, st.Muted.Render(common.Truncate("enter attaches · tab adds new · ctrl+x detaches · ↑/↓ choose · esc closes", w)))
	return fit(strings.Join(lines, "\n"), w, h)
}
