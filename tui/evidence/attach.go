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
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

// attachDialog attaches evidence to one requirement: the engagement's items, filtered as
// you type, or a new item added by path or web address. The root draws it above every
// screen (common.Dialog); when it changes links it tells the screens (DataChangedMsg), so
// the gap analysis reloads its marks and detail.
type attachDialog struct {
	c        *common.Common
	eng      assessments.Engagement
	std, ref string
	keys     keyMap
	id       string

	search  textinput.Model
	items   []assessments.Evidence
	risks   map[string]string
	loaded  bool
	loadErr error
	matches []int
	cursor  int
	offset  int

	ed      *editor
	busy    bool
	note    string
	noteBad bool
}

// NewAttachDialog builds the dialog that attaches evidence to (standard, ref); open it with
// common.OpenDialog (the root runs its Init, which reads the items).
func NewAttachDialog(c *common.Common, e assessments.Engagement, standard, ref string) common.Dialog {
	in := newInput(c.Styles, "/ ", "filter evidence, or type a file path or https:// address to add it")
	in.CharLimit = 4096
	in.Focus()
	return &attachDialog{c: c, eng: e, std: standard, ref: ref, keys: newKeyMap(c.Keys), search: in, risks: map[string]string{},
		id: common.TabAddress(e.ID, "evidence", "attach", standard, ref)}
}

// ID names the dialog; its results are addressed to it.
func (d *attachDialog) ID() string { return d.id }

type attachLoadedMsg struct {
	items []assessments.Evidence
	risks map[string]string
	err   error
}

type linkedMsg struct {
	title  string
	detach bool
	err    error
}

// Init reads the engagement's items.
func (d *attachDialog) Init() tea.Cmd {
	c, id := d.c, d.eng.ID
	return common.Send(d.id, func() tea.Msg {
		items, err := c.Store.Evidence(c.Ctx, id)
		return attachLoadedMsg{items: items, risks: riskNames(c.Ctx, c.Store, id), err: err}
	})
}

func (d *attachDialog) link() assessments.EvidenceLink {
	return assessments.EvidenceLink{Target: assessments.LinkRequirement, Standard: d.std, Ref: d.ref}
}

// label is "ISO 42001 A.5.2".
func (d *attachDialog) label() string {
	short, _ := requirementLabel(d.c.Catalogs, d.link())
	return short
}

func (d *attachDialog) linked(it assessments.Evidence) bool { return it.LinksTo(d.std, d.ref) }

// refilter lists the items matching the typed text (attached ones first when nothing is
// typed); text naming a file or an address lists nothing: enter adds it.
func (d *attachDialog) refilter() {
	q := strings.TrimSpace(d.search.Value())
	d.matches = d.matches[:0]
	switch {
	case looksLikeSource(q):
	case q == "":
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
	default:
		texts := make([]string, len(d.items))
		for i, it := range d.items {
			texts[i] = it.Title + " " + string(it.Kind)
		}
		for _, m := range fuzzy.Find(q, texts) {
			d.matches = append(d.matches, m.Index)
		}
	}
	d.cursor, d.offset = 0, 0
}

// looksLikeSource is true for text that names a file or a web address rather than a search.
func looksLikeSource(s string) bool {
	return strings.Contains(s, "://") || strings.HasPrefix(s, "/") || strings.HasPrefix(s, "~") ||
		strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") || strings.Contains(s, `\`)
}

// changed tells every screen that links changed (the gap tab reloads its marks and detail).
func changed() tea.Msg { return common.DataChangedMsg{} }

// Update handles keys, pastes and the dialog's own results.
func (d *attachDialog) Update(msg tea.Msg) (common.Dialog, tea.Cmd) {
	switch msg := msg.(type) {
	case attachLoadedMsg:
		d.loaded, d.loadErr = true, msg.err
		d.items, d.risks = msg.items, msg.risks
		if d.risks == nil {
			d.risks = map[string]string{}
		}
		d.refilter()
		return d, nil
	case linkedMsg:
		d.busy = false
		if msg.err != nil {
			d.note, d.noteBad = msg.err.Error(), true
			return d, nil
		}
		if msg.detach {
			d.note, d.noteBad = "Detached "+quote(msg.title)+" from "+d.label(), false
			return d, tea.Batch(changed, d.Init())
		}
		return d, tea.Batch(common.CloseDialog(d.id), changed, common.InfoCmd("Attached "+quote(msg.title)+" to "+d.label()))
	case savedMsg:
		if d.ed == nil {
			return d, nil
		}
		done, cmd := d.ed.saved(msg)
		if !done {
			return d, cmd
		}
		return d, tea.Batch(common.CloseDialog(d.id), changed, common.InfoCmd("Added evidence "+quote(msg.item.Title)+" to "+d.label()))
	case common.PeopleMsg:
		if d.ed != nil {
			d.ed.form.SetPeople(msg.Names)
		}
		return d, nil
	case tea.PasteMsg:
		if d.ed != nil {
			if d.ed.saving {
				return d, nil
			}
			_, cmd := d.ed.form.Update(msg)
			return d, cmd
		}
		if d.busy {
			return d, nil
		}
		msg.Content = common.OneLine(msg.Content)
		var cmd tea.Cmd
		d.search, cmd = d.search.Update(msg)
		d.note = ""
		d.refilter()
		return d, cmd
	case tea.KeyPressMsg:
		return d, d.key(msg)
	}
	return d, nil
}

func (d *attachDialog) key(msg tea.KeyPressMsg) tea.Cmd {
	if d.ed != nil {
		if d.ed.saving {
			return nil
		}
		act, cmd := d.ed.form.Update(msg)
		switch act {
		case form.Save:
			return tea.Batch(cmd, d.ed.save(d.id))
		case form.Leave:
			d.ed = nil // back to the list
		}
		return cmd
	}
	if d.busy {
		return nil // a link is being written; its result closes or updates the dialog
	}
	k := d.keys
	switch {
	case key.Matches(msg, k.Close):
		return common.CloseDialog(d.id)
	case key.Matches(msg, k.PickUp):
		d.move(-1)
		return nil
	case key.Matches(msg, k.PickDown):
		d.move(1)
		return nil
	case key.Matches(msg, k.PickPgUp):
		d.move(-attachRows)
		return nil
	case key.Matches(msg, k.PickPgDown):
		d.move(attachRows)
		return nil
	case key.Matches(msg, k.AddNew):
		return d.openForm()
	case key.Matches(msg, k.Detach):
		it, ok := d.current()
		if !ok || !d.linked(it) {
			d.note, d.noteBad = "The selected item is not attached here.", false
			return nil
		}
		d.busy = true
		c, link := d.c, d.link()
		return common.Send(d.id, func() tea.Msg {
			err := c.Store.UnlinkEvidence(c.Ctx, it.ID, link)
			return linkedMsg{title: it.Title, detach: true, err: err}
		})
	case key.Matches(msg, k.Attach):
		q := strings.TrimSpace(d.search.Value())
		if looksLikeSource(q) {
			return d.openForm()
		}
		it, ok := d.current()
		if !ok {
			if q != "" && d.loaded {
				return d.openForm()
			}
			return nil
		}
		if d.linked(it) {
			d.note, d.noteBad = quote(it.Title)+" is already attached here (ctrl+x detaches it).", false
			return nil
		}
		d.busy = true
		c, link := d.c, d.link()
		return common.Send(d.id, func() tea.Msg {
			_, err := c.Store.LinkEvidence(c.Ctx, it.ID, link)
			return linkedMsg{title: it.Title, err: err}
		})
	}
	before := d.search.Value()
	var cmd tea.Cmd
	d.search, cmd = d.search.Update(msg)
	if d.search.Value() != before {
		d.note = ""
		d.refilter()
	}
	return cmd
}

// attachRows is how many items the list shows at most.
const attachRows = 12

func (d *attachDialog) move(delta int) {
	if len(d.matches) == 0 {
		d.cursor, d.offset = 0, 0
		return
	}
	d.cursor = max(0, min(len(d.matches)-1, d.cursor+delta))
}

func (d *attachDialog) current() (assessments.Evidence, bool) {
	if d.cursor < 0 || d.cursor >= len(d.matches) {
		return assessments.Evidence{}, false
	}
	return d.items[d.matches[d.cursor]], true
}

// openForm starts a new item linked to this requirement, with what was typed as its path,
// address or title.
func (d *attachDialog) openForm() tea.Cmd {
	if !d.loaded {
		return nil
	}
	d.ed = newEditor(d.c, d.eng, nil, []assessments.EvidenceLink{d.link()}, d.risks)
	q := strings.TrimSpace(d.search.Value())
	switch {
	case strings.Contains(q, "://"):
		d.ed.form.Set(kKind, string(assessments.KindLink))
		d.ed.form.Set(kURL, q)
	case looksLikeSource(q):
		d.ed.form.Set(kPath, q)
	case q != "":
		d.ed.form.Set(kTitle, q)
	}
	d.ed.form.MarkSaved() // what came from the search is no typing to discard
	return tea.Batch(d.ed.form.Focus(kTitle), d.c.LoadPeople(d.id))
}

// width is the dialog's width in a screen of w columns.
func attachWidth(w int) int { return max(40, min(w-4, 100)) }

// View draws the dialog in at most w × h cells.
func (d *attachDialog) View(w, h int) string {
	st := d.c.Styles
	bw := attachWidth(w)
	inner := bw - 4
	short, title := requirementLabel(d.c.Catalogs, d.link())
	head := "Attach evidence to " + short + " " + title
	var lines []string
	if d.ed != nil {
		lines = append(lines, st.Muted.Render(common.Truncate(d.ed.title()+", attached to "+short+" when saved", inner)))
		fh := max(3, min(h-6, 18))
		d.ed.form.SetSize(inner, fh)
		lines = append(lines, strings.Split(common.Fit(d.ed.form.View(), inner, fh), "\n")...)
		lines = append(lines, editorStatus(st, d.ed, inner))
		return dialog.Box(st, head, padLines(lines, inner), bw, h)
	}
	d.search.SetWidth(max(10, inner-3))
	lines = append(lines, common.Truncate(d.search.View(), inner))
	rows := max(3, min(attachRows, h-6))
	var list []string
	q := strings.TrimSpace(d.search.Value())
	switch {
	case !d.loaded:
		list = append(list, st.Muted.Render("Loading…"))
	case d.loadErr != nil:
		list = append(list, st.Error.Render("Cannot read the evidence: "+common.OneLine(d.loadErr.Error())))
	case looksLikeSource(q):
		list = append(list, st.Info.Render("enter adds this as new evidence attached here"))
	case len(d.items) == 0:
		list = append(list, st.Muted.Render("The engagement has no evidence yet: type a path or address, or press tab to add one."))
	case len(d.matches) == 0:
		list = append(list, st.Muted.Render("Nothing matches. enter or tab adds a new item with this title."))
	}
	if d.cursor < d.offset {
		d.offset = d.cursor
	}
	if d.cursor >= d.offset+rows {
		d.offset = d.cursor - rows + 1
	}
	for i := d.offset; i < len(d.matches) && len(list) < rows; i++ {
		list = append(list, d.row(d.items[d.matches[i]], i == d.cursor, inner))
	}
	for len(list) < rows {
		list = append(list, "")
	}
	lines = append(lines, list...)
	switch {
	case d.busy:
		lines = append(lines, st.Info.Render("Saving…"))
	case d.note != "" && d.noteBad:
		lines = append(lines, st.Error.Render(common.Truncate("✗ "+common.OneLine(d.note), inner)))
	case d.note != "":
		lines = append(lines, st.OK.Render(common.Truncate(common.OneLine(d.note), inner)))
	case d.loaded && d.loadErr == nil:
		attached := 0
		for _, it := range d.items {
			if d.linked(it) {
				attached++
			}
		}
		count := fmt.Sprintf("%d of %s · %d attached here", len(d.matches), common.Count(len(d.items), "item", "items"), attached)
		if more := len(d.matches) - d.offset - rows; more > 0 {
			count = fmt.Sprintf("↓ %d more · ", more) + count
		}
		lines = append(lines, st.Muted.Render(common.Truncate(count, inner)))
	default:
		lines = append(lines, "")
	}
	return dialog.Box(st, head, padLines(lines, inner), bw, h)
}

func (d *attachDialog) row(it assessments.Evidence, selected bool, w int) string {
	st := d.c.Styles
	state := it.StateAt(d.c.Now())
	mark := "  "
	if d.linked(it) {
		mark = st.OK.Render("✓ ")
	}
	style := st.OK
	switch state {
	case assessments.StateExpiring:
		style = st.Warn
	case assessments.StateExpired, assessments.StateChanged, assessments.StateMissing:
		style = st.Error
	}
	right := fmt.Sprintf(" %-11s %-8s ", it.Kind, common.Count(len(it.Links), "link", "links")) + style.Render(common.Pad(state.Label(), 13))
	tw := max(8, w-4-lipgloss.Width(right))
	text := common.Pad(common.OneLine(it.Title), tw)
	cur := "  "
	if selected {
		cur = st.Cursor.Render("▸ ")
		text = st.Selected.Render(text)
	}
	return common.Truncate(cur+mark+text+right, w)
}

// padLines pads each line to w cells so the box keeps one width.
func padLines(lines []string, w int) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = common.Pad(l, w)
	}
	return strings.Join(out, "\n")
}

// KeyMap is the help of the list, or of the form while a new item is typed.
func (d *attachDialog) KeyMap() help.KeyMap {
	if d.ed != nil {
		return d.ed.form.KeyMap()
	}
	k := d.keys
	b := []key.Binding{k.Attach, k.AddNew, k.Detach, k.PickDown, k.PickUp, k.Close}
	return common.HelpMap{Short: b, Full: [][]key.Binding{b, {k.PickPgDown, k.PickPgUp}}}
}
