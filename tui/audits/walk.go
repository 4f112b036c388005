package audits

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/sahilm/fuzzy"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

type focusArea int

const (
	focusList focusArea = iota
	focusDetail
)

const filterAll = -1

// walk is the checklist of one audit: the requirements of its scope grouped by standard
// and clause or Annex A group, the selected one beside them with its audit questions.
type walk struct {
	audit   assessments.Audit
	reqs    []assessments.ChecklistRequirement
	lower   []string // "ref title" lowered, for the filter
	items   map[assessments.ControlRef]assessments.ChecklistItem
	loaded  bool
	loadSeq int

	rows         []walkRow
	cursor       int
	offset       int
	focus        focusArea
	detailOffset int

	filter      textinput.Model
	filtering   bool
	conclFilter int

	edit     *editor
	queue    []itemOp
	inflight bool

	// version changes whenever the items or the findings change, so cached rows refresh.
	version     int
	rowCache    map[int]string
	rowCacheKey [2]int
	detailKey   string
	detail      []string
}

type walkRow struct {
	heading string // a group heading when set
	idx     int    // into reqs
}

func (m *Model) openWalk(a assessments.Audit) tea.Cmd {
	fi := textinput.New()
	fi.Prompt = "/ "
	fi.Placeholder = "ref or title"
	fi.CharLimit = 200
	st := fi.Styles()
	st.Cursor.Blink = false
	st.Focused.Placeholder = m.c.Styles.Subtle.Italic(true)
	st.Blurred.Placeholder = m.c.Styles.Subtle.Italic(true)
	fi.SetStyles(st)
	w := &walk{filter: fi, conclFilter: filterAll, items: map[assessments.ControlRef]assessments.ChecklistItem{}}
	w.setAudit(m, a)
	m.walk = w
	m.mode = modeWalk
	return w.loadItems(m)
}

func (m *Model) closeWalk() {
	m.walk = nil
	if m.mode == modeWalk {
		m.mode = modeProgramme
	}
}

// setAudit takes the audit (its scope may have changed) and rebuilds the rows.
func (w *walk) setAudit(m *Model, a assessments.Audit) {
	keep := w.selectedKey()
	w.audit = a
	w.reqs = assessments.Checklist(m.c.Catalogs, a)
	w.lower = make([]string, len(w.reqs))
	for i, r := range w.reqs {
		w.lower[i] = strings.ToLower(r.Ref.Ref + " " + r.Requirement.Title)
	}
	w.version++
	w.rebuild(m, keep)
}

// refreshAudit follows a reload of the programme: the audit's new state, or back to the
// programme when it was deleted.
func (w *walk) refreshAudit(m *Model) tea.Cmd {
	a, ok := m.audit(w.audit.ID)
	if !ok {
		m.closeWalk()
		return common.InfoCmd("The audit was deleted.")
	}
	w.setAudit(m, a)
	return nil
}

type itemsMsg struct {
	seq   int
	audit string
	items map[assessments.ControlRef]assessments.ChecklistItem
	err   error
}

func (w *walk) loadItems(m *Model) tea.Cmd {
	w.loadSeq++
	seq, c, id := w.loadSeq, m.c, w.audit.ID
	return common.Send(m.Address(), func() tea.Msg {
		items, err := c.Store.ChecklistItems(c.Ctx, id)
		return itemsMsg{seq: seq, audit: id, items: items, err: err}
	})
}

// item is the stored item of a requirement, or a not-audited one.
func (w *walk) item(c assessments.ControlRef) assessments.ChecklistItem {
	if it, ok := w.items[c]; ok {
		return it
	}
	return assessments.ChecklistItem{AuditID: w.audit.ID, Standard: c.Standard, Ref: c.Ref, Conclusion: assessments.NotAudited}
}

func (w *walk) selectedIdx() int {
	if w.cursor < 0 || w.cursor >= len(w.rows) || w.rows[w.cursor].heading != "" {
		return -1
	}
	return w.rows[w.cursor].idx
}

func (w *walk) selectedKey() assessments.ControlRef {
	if i := w.selectedIdx(); i >= 0 && i < len(w.reqs) {
		return w.reqs[i].Ref
	}
	return assessments.ControlRef{}
}

// rebuild applies the filters, keeping the cursor on the same requirement.
func (w *walk) rebuild(m *Model, keep assessments.ControlRef) {
	q := strings.TrimSpace(strings.ToLower(w.filter.Value()))
	var match map[int]bool
	if q != "" {
		match = map[int]bool{}
		if strings.ContainsAny(q[:1], "0123456789") || strings.HasPrefix(q, "a.") {
			for i, r := range w.reqs {
				ref := strings.ToLower(r.Ref.Ref)
				if ref == q || strings.HasPrefix(ref, strings.TrimSuffix(q, ".")+".") {
					match[i] = true
				}
			}
		} else {
			for _, f := range fuzzy.Find(q, w.lower) {
				match[f.Index] = true
			}
		}
	}
	w.rows = w.rows[:0]
	last := ""
	for i, r := range w.reqs {
		if match != nil && !match[i] {
			continue
		}
		if w.conclFilter != filterAll && w.item(r.Ref).EffectiveConclusion() != assessments.Conclusions[w.conclFilter] {
			continue
		}
		g := r.Ref.Standard + "/" + r.Requirement.Group
		if g != last {
			title := r.Requirement.Group
			if grp, ok := r.Catalog.Group(r.Requirement.Group); ok {
				title = grp.ID + " " + grp.Title
			}
			w.rows = append(w.rows, walkRow{heading: r.Catalog.Short + " · " + title})
			last = g
		}
		w.rows = append(w.rows, walkRow{idx: i})
	}
	w.cursor = -1
	for i, row := range w.rows {
		if row.heading != "" {
			continue
		}
		if w.cursor < 0 {
			w.cursor = i
		}
		if w.reqs[row.idx].Ref == keep {
			w.cursor = i
			break
		}
	}
	if w.cursor < 0 {
		w.cursor = 0
	}
	w.rowCache = nil
	w.clamp(m)
}

func (w *walk) clamp(m *Model) {
	h := w.listHeight(m)
	if len(w.rows) == 0 {
		w.offset = 0
		return
	}
	top := w.cursor
	if top > 0 && w.rows[top-1].heading != "" {
		top--
	}
	w.offset = common.ScrollOffset(w.offset, top, w.cursor, h, len(w.rows))
}

func (w *walk) listHeight(m *Model) int { return max(1, m.height-2) }

func (w *walk) resize(m *Model) {
	w.clamp(m)
	if w.edit != nil {
		w.edit.Form.SetSize(m.detailWidth(), editorHeight(m, w.edit.Field))
	}
}

// move goes to the next (d > 0) or previous requirement, saving an open field first.
func (w *walk) move(m *Model, d int) tea.Cmd {
	i := w.cursor
	for {
		i += d
		if i < 0 || i >= len(w.rows) {
			return nil
		}
		if w.rows[i].heading == "" {
			break
		}
	}
	return w.moveTo(m, i)
}

func (w *walk) moveTo(m *Model, i int) tea.Cmd {
	if i < 0 || i >= len(w.rows) {
		return nil
	}
	for i < len(w.rows) && w.rows[i].heading != "" {
		i++
	}
	if i >= len(w.rows) {
		return nil
	}
	var cmd tea.Cmd
	if w.edit != nil {
		cmd = w.edit.Commit()
	}
	w.cursor = i
	w.detailOffset = 0
	w.clamp(m)
	return cmd
}

// ---- keys ----

func (m *Model) walkKey(msg tea.KeyPressMsg) tea.Cmd {
	w, k := m.walk, m.keys
	if w == nil {
		m.mode = modeProgramme
		return nil
	}
	if w.edit != nil {
		return w.editKey(m, msg)
	}
	if w.filtering {
		switch {
		case key.Matches(msg, k.FilterDone):
			w.filtering = false
			w.filter.Blur()
			return nil
		case key.Matches(msg, k.FilterClear):
			w.filtering = false
			w.filter.Blur()
			w.filter.SetValue("")
			w.rebuild(m, w.selectedKey())
			return nil
		case key.Matches(msg, k.FilterDown), key.Matches(msg, k.FilterUp):
			w.filtering = false
			w.filter.Blur()
			if key.Matches(msg, k.FilterUp) {
				return w.move(m, -1)
			}
			return w.move(m, 1)
		}
		var cmd tea.Cmd
		w.filter, cmd = w.filter.Update(msg)
		w.rebuild(m, w.selectedKey())
		return cmd
	}
	for i, b := range k.Conclusion {
		if key.Matches(msg, b) {
			return w.conclude(m, assessments.Conclusions[i])
		}
	}
	switch {
	case w.filterActive() && key.Matches(msg, k.FilterClear):
		w.filter.SetValue("")
		w.conclFilter = filterAll
		w.rebuild(m, w.selectedKey())
		return common.InfoCmd("Checklist filter cleared")
	case key.Matches(msg, k.Leave):
		m.closeWalk()
		return m.load()
	case key.Matches(msg, k.Focus):
		w.version++
		if w.focus == focusList {
			w.focus = focusDetail
		} else {
			w.focus = focusList
		}
	case key.Matches(msg, k.NextItem):
		return w.move(m, 1)
	case key.Matches(msg, k.PrevItem):
		return w.move(m, -1)
	case w.focus == focusDetail && key.Matches(msg, k.ScrollDown):
		w.detailOffset++
	case w.focus == focusDetail && key.Matches(msg, k.ScrollUp):
		w.detailOffset = max(0, w.detailOffset-1)
	case key.Matches(msg, k.Down):
		return w.move(m, 1)
	case key.Matches(msg, k.Up):
		return w.move(m, -1)
	case key.Matches(msg, k.PageDown):
		if w.focus == focusDetail {
			w.detailOffset += max(1, w.listHeight(m)/2)
			return nil
		}
		return w.moveTo(m, min(len(w.rows)-1, w.cursor+w.listHeight(m)-1))
	case key.Matches(msg, k.PageUp):
		if w.focus == focusDetail {
			w.detailOffset = max(0, w.detailOffset-max(1, w.listHeight(m)/2))
			return nil
		}
		return w.moveTo(m, max(0, w.cursor-w.listHeight(m)+1))
	case key.Matches(msg, k.Home):
		return w.moveTo(m, 0)
	case key.Matches(msg, k.End):
		i := len(w.rows) - 1
		for i > 0 && w.rows[i].heading != "" {
			i--
		}
		return w.moveTo(m, i)
	case key.Matches(msg, k.Filter):
		w.filtering = true
		w.focus = focusList
		w.version++
		return w.filter.Focus()
	case key.Matches(msg, k.ConclFilter):
		w.stepFilter(m, 1)
	case key.Matches(msg, k.ConclFilterBk):
		w.stepFilter(m, -1)
	case key.Matches(msg, k.Notes):
		return w.startEdit(m, fieldNotes)
	case key.Matches(msg, k.Interviewees):
		return w.startEdit(m, fieldInterviewees)
	case key.Matches(msg, k.Sampling):
		return w.askSampling(m)
	case key.Matches(msg, k.Examine):
		return w.askEvidence(m)
	case key.Matches(msg, k.OpenFinding):
		c := w.selectedKey()
		if v, ok := m.findingFrom(w.audit.ID, c); ok {
			return m.openFindings(w.audit.ID, v.Finding.ID, modeWalk)
		}
		if it := w.item(c); it.Carried() {
			return common.InfoCmd(m.label(c) + " takes its conclusion " + common.OneLine(it.Provenance) + "; the finding is raised there.")
		}
		return common.InfoCmd("No finding on " + m.label(c) + ": 2 to 5 raise one (major NC, minor NC, observation, OFI).")
	case key.Matches(msg, k.AllFindings):
		return m.openFindings(w.audit.ID, "", modeWalk)
	}
	return nil
}

func (w *walk) filterActive() bool { return w.filter.Value() != "" || w.conclFilter != filterAll }

func (w *walk) stepFilter(m *Model, d int) {
	n := len(assessments.Conclusions) + 1
	i := (w.conclFilter + 1 + d + n) % n
	w.conclFilter = i - 1
	w.rebuild(m, w.selectedKey())
}

func (w *walk) paste(m *Model, msg tea.PasteMsg) tea.Cmd {
	switch {
	case w.edit != nil:
		return w.edit.Type(msg)
	case w.filtering:
		w.filter.SetValue(w.filter.Value() + common.OneLine(msg.Content))
		w.rebuild(m, w.selectedKey())
	}
	return nil
}

// ---- saves ----

// itemOp is one queued change of a checklist item: saves run one at a time, so each starts
// from the stored state.
type itemOp struct {
	key  assessments.ControlRef
	what string // "conclusion", "notes", "interviewees", "sampling", "evidence"
	// conclusion, for what == "conclusion"
	conclusion assessments.Conclusion
	// apply changes the item's fields (notes, interviewees, sampling)
	apply func(assessments.ChecklistItem) assessments.ChecklistItem
	// evidence is the examined list, for what == "evidence"
	evidence []string
	text     string // what was typed, so a failed save opens the field with it
	dialog   string // the dialog that asked for the save
	undo     bool
}

type itemSavedMsg struct {
	op        itemOp
	before    assessments.ChecklistItem
	item      assessments.ChecklistItem
	concluded *store.Concluded
	err       error
}

func (w *walk) enqueue(m *Model, op itemOp) tea.Cmd {
	w.queue = append(w.queue, op)
	return w.next(m)
}

func (w *walk) next(m *Model) tea.Cmd {
	if w.inflight || len(w.queue) == 0 {
		return nil
	}
	op := w.queue[0]
	w.queue = w.queue[1:]
	before := w.item(op.key)
	c := m.c
	if op.apply != nil {
		if err := op.apply(before).Validate(); err != nil {
			cmds := []tea.Cmd{common.ErrCmd(fmt.Errorf("%s: %w", m.label(op.key), err)), w.next(m)}
			if op.dialog != "" {
				cmds = append(cmds, failDialog(op.dialog, err))
			}
			return tea.Batch(cmds...)
		}
	}
	w.inflight = true
	return common.Send(m.Address(), func() tea.Msg {
		out := itemSavedMsg{op: op, before: before}
		switch op.what {
		case "conclusion":
			got, err := c.Store.Conclude(c.Ctx, c.Catalogs, before, op.conclusion)
			out.err = err
			if err == nil {
				out.item, out.concluded = got.Item, &got
			}
		case "evidence":
			out.item, out.err = c.Store.ExamineEvidence(c.Ctx, before, op.evidence)
		default:
			out.item, out.err = c.Store.SaveChecklistItem(c.Ctx, before, op.apply(before))
		}
		return out
	})
}

// failDialog keeps a dialog open with the reason its save did not go through.
func failDialog(id string, err error) tea.Cmd {
	field, text := "", err.Error()
	var ve *assessments.ValidationError
	if errors.As(err, &ve) {
		field, text = ve.Field, ve.Message
	}
	return common.Send(id, func() tea.Msg { return dialog.FailMsg{Errors: map[string]string{field: text}} })
}

func (w *walk) conclude(m *Model, c assessments.Conclusion) tea.Cmd {
	if w.selectedIdx() < 0 {
		return nil
	}
	if w.audit.EffectiveStatus() == assessments.AuditCancelled {
		return common.InfoCmd("Audit " + w.audit.Ref + " was cancelled; its checklist is closed.")
	}
	var cmds []tea.Cmd
	if w.edit != nil {
		cmds = append(cmds, w.edit.Commit())
	}
	return tea.Batch(append(cmds, w.enqueue(m, itemOp{key: w.selectedKey(), what: "conclusion", conclusion: c}))...)
}

func (m *Model) walkMsg(msg tea.Msg) (tea.Cmd, bool) {
	w := m.walk
	switch msg := msg.(type) {
	case itemsMsg:
		if w == nil || msg.seq != w.loadSeq || msg.audit != w.audit.ID {
			return nil, true
		}
		if msg.err != nil {
			return common.ErrCmd(msg.err), true
		}
		w.items, w.loaded = msg.items, true
		if w.items == nil {
			w.items = map[assessments.ControlRef]assessments.ChecklistItem{}
		}
		w.version++
		w.rebuild(m, w.selectedKey())
		return nil, true
	case itemSavedMsg:
		if w == nil {
			return nil, true
		}
		return w.saved(m, msg), true
	case dialog.AutosaveMsg:
		if w == nil {
			return nil, true
		}
		return w.edit.Autosave(msg), true
	case dialog.ConflictAnswer[assessments.ControlRef]:
		if w == nil {
			return nil, true
		}
		return w.resolveConflict(m, msg), true
	case examinedMsg:
		if w == nil {
			return nil, true
		}
		return w.enqueue(m, itemOp{key: msg.key, what: "evidence", evidence: msg.ids}), true
	case dialog.SubmitMsg:
		prefix := m.Address() + "/sampling/"
		if w == nil || !strings.HasPrefix(msg.ID, prefix) {
			return nil, false
		}
		return w.submitSampling(m, msg), true
	}
	return nil, false
}

func (w *walk) saved(m *Model, msg itemSavedMsg) tea.Cmd {
	w.inflight = false
	var cmds []tea.Cmd
	name := m.label(msg.op.key)
	if msg.err != nil {
		var ce *store.ConflictError
		if errors.As(msg.err, &ce) {
			w.queue = nil
			cmds = append(cmds, w.loadItems(m))
		}
		cmds = append(cmds, w.keepTyped(m, msg))
		if msg.op.dialog != "" {
			cmds = append(cmds, failDialog(msg.op.dialog, msg.err))
		}
		cmds = append(cmds, common.ErrCmd(fmt.Errorf("%s not saved: %w", name, msg.err)), w.next(m))
		return tea.Batch(cmds...)
	}
	w.items[msg.item.Key()] = msg.item
	if msg.concluded != nil {
		for _, it := range msg.concluded.Carried {
			w.items[it.Key()] = it
		}
	}
	w.version++
	if w.conclFilter != filterAll {
		w.rebuild(m, w.selectedKey())
	}
	if w.edit != nil && w.edit.Key == msg.item.Key() {
		w.edit.Saved = fieldValue(msg.item, w.edit.Field)
		w.edit.Err = ""
	}
	if msg.op.dialog != "" {
		cmds = append(cmds, common.Send(msg.op.dialog, func() tea.Msg { return dialog.DoneMsg{} }))
	}
	if !msg.op.undo {
		w.pushUndo(m, msg)
	}
	switch {
	case msg.op.undo:
		cmds = append(cmds, common.InfoCmd("Undone: "+msg.op.what+" of "+name))
	case msg.op.what == "conclusion":
		cmds = append(cmds, common.InfoCmd(m.concludedText(msg.item, msg.concluded)), m.load(), dataChanged)
	case msg.op.what == "evidence":
		cmds = append(cmds, common.InfoCmd(fmt.Sprintf("%s: %s examined", name, plural(len(msg.item.Evidence), "evidence item", "evidence items"))))
	default:
		cmds = append(cmds, common.InfoCmd(name+": "+msg.op.what+" saved"))
	}
	if msg.op.undo && msg.op.what == "conclusion" {
		cmds = append(cmds, m.load(), dataChanged)
	}
	return tea.Batch(append(cmds, w.next(m))...)
}

// concludedText says what one conclusion did, in a line.
func (m *Model) concludedText(it assessments.ChecklistItem, c *store.Concluded) string {
	text := m.label(it.Key()) + ": " + it.EffectiveConclusion().Label()
	if c == nil {
		return text
	}
	if len(c.Carried) > 0 && it.EffectiveConclusion() != assessments.NotAudited {
		var names []string
		for _, x := range c.Carried {
			names = append(names, m.label(x.Key()))
		}
		text += "; also " + strings.Join(names, ", ") + " (crosswalk)"
	}
	if f := c.Finding; f != nil {
		switch {
		case c.Created:
			text += "; " + f.Ref + " raised"
		case f.Withdrawn:
			text += "; " + f.Ref + " withdrawn"
		default:
			text += "; " + f.Ref + " is now " + f.Grade.Short()
		}
	}
	return text
}

// pushUndo records how to take a saved change back, through the same update path.
func (w *walk) pushUndo(m *Model, msg itemSavedMsg) {
	if m.c.Undo == nil || msg.op.what == "evidence" {
		return
	}
	before, saved, c, to := msg.before, msg.item, m.c, m.Address()
	op := msg.op
	m.c.Undo.Push(common.UndoEntry{
		Label: op.what + " of " + m.label(saved.Key()),
		To:    to,
		Run: func(ctx context.Context) (tea.Msg, error) {
			back := itemSavedMsg{op: itemOp{key: saved.Key(), what: op.what, undo: true}, before: saved}
			if op.what == "conclusion" {
				got, err := c.Store.Conclude(ctx, c.Catalogs, saved, before.EffectiveConclusion())
				if err != nil {
					return nil, err
				}
				back.item, back.concluded = got.Item, &got
				return back, nil
			}
			prev := saved
			prev.Notes, prev.Interviewees = before.Notes, before.Interviewees
			prev.Population, prev.SampleSize, prev.Sampled = before.Population, before.SampleSize, before.Sampled
			item, err := c.Store.SaveChecklistItem(ctx, saved, prev)
			if err != nil {
				return nil, err
			}
			back.item = item
			return back, nil
		},
	})
}

// ---- sampling and evidence dialogs ----

func (w *walk) askSampling(m *Model) tea.Cmd {
	c := w.selectedKey()
	if c.Ref == "" {
		return nil
	}
	it := w.item(c)
	num := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	d := dialog.NewForm(m.c.Styles, m.Address()+"/sampling/"+c.String(), m.Address(), "Sampling: "+m.label(c),
		"How many items the population held, how many were sampled, and which. ctrl+s saves; esc leaves it as it was.",
		form.Values{"population": num(it.Population), "sample_size": num(it.SampleSize), "sampled": it.Sampled},
		form.Field{Key: "population", Label: "Population", Kind: form.Text, Limit: 12, Placeholder: "how many, e.g. 412"},
		form.Field{Key: "sample_size", Label: "Sample size", Kind: form.Text, Limit: 12, Placeholder: "how many sampled"},
		form.Field{Key: "sampled", Label: "Items sampled", Kind: form.MultiLine, Lines: 4, Limit: assessments.MaxTextLen,
			Placeholder: "which ones: ids, names, dates"})
	return common.OpenDialog(d)
}

func (w *walk) submitSampling(m *Model, msg dialog.SubmitMsg) tea.Cmd {
	c, err := assessments.ParseControlRef(strings.TrimPrefix(msg.ID, m.Address()+"/sampling/"))
	if err != nil {
		return nil
	}
	errs := map[string]string{}
	count := func(field, label string) int {
		v := strings.TrimSpace(msg.Values[field])
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(strings.ReplaceAll(v, ",", ""))
		if err != nil || n < 0 {
			errs[field] = label + " is a whole number, for example 40."
		}
		return n
	}
	pop, size := count("population", "The population"), count("sample_size", "The sample size")
	if len(errs) > 0 {
		return common.Send(msg.ID, func() tea.Msg { return dialog.FailMsg{Errors: errs} })
	}
	sampled := msg.Values["sampled"]
	return w.enqueue(m, itemOp{key: c, what: "sampling", dialog: msg.ID, apply: func(it assessments.ChecklistItem) assessments.ChecklistItem {
		it.Population, it.SampleSize, it.Sampled = pop, size, sampled
		return it
	}})
}

type examinedMsg struct {
	key assessments.ControlRef
	ids []string
}

func (w *walk) askEvidence(m *Model) tea.Cmd {
	c := w.selectedKey()
	if c.Ref == "" {
		return nil
	}
	if len(m.library) == 0 {
		return common.InfoCmd("The evidence library is empty: add items in the Evidence tab (or with v in the gap analysis) first.")
	}
	var opts []form.Option
	for _, ev := range m.library {
		label := common.OneLine(ev.Title) + " · " + string(ev.Kind)
		if ev.LinksTo(c.Standard, c.Ref) {
			label += " · linked here"
		}
		opts = append(opts, form.Option{Value: ev.ID, Label: label})
	}
	var sel []string
	for _, x := range w.item(c).Evidence {
		sel = append(sel, x.EvidenceID)
	}
	d := dialog.NewPick(m.c.Styles, m.Address()+"/examine", m.Address(), "Evidence examined for "+m.label(c),
		"Tick what you examined: each file's SHA-256 is kept as it is now, so a later change shows. Untick to remove.",
		opts, true, sel, func(ids []string) tea.Msg { return examinedMsg{key: c, ids: ids} })
	return common.OpenDialog(d)
}

// ---- view ----

func (w *walk) view(m *Model) string {
	st := m.c.Styles
	lw, dw, h := m.listWidth(), m.detailWidth(), w.listHeight(m)
	header := w.header(m)
	list := w.listLines(m, lw, h)
	var detail []string
	if w.edit != nil {
		detail = append(w.detailHead(m, dw), w.editorLines(m, dw)...)
	} else {
		detail = w.detailLines(m, dw, h)
	}
	return joinPanes(header, list, detail, lw, dw, h, st.Subtle.Render("│"))
}

func (w *walk) header(m *Model) string {
	st := m.c.Styles
	a := w.audit
	line1 := st.Title.Render(a.Ref) + "  " + st.Bold.Render(common.OneLine(a.Title)) + st.Muted.Render(" · "+a.EffectiveStatus().Label())
	var line2 string
	switch {
	case w.filtering || w.filter.Value() != "":
		line2 = w.filter.View()
		if w.conclFilter != filterAll {
			line2 += st.Accent.Render("  conclusion: " + assessments.Conclusions[w.conclFilter].Label())
		}
	case w.conclFilter != filterAll:
		line2 = st.Accent.Render("conclusion: "+assessments.Conclusions[w.conclFilter].Label()) + st.Muted.Render("  (s steps, esc clears)")
	default:
		counts := assessments.ConclusionCounts(a.Scope, w.items)
		parts := []string{plural(len(a.Scope), "item", "items")}
		short := []string{plural(len(a.Scope), "item", "items")}
		for _, c := range assessments.Conclusions[1:] {
			if counts[c] > 0 {
				word := c.Grade().Short()
				if c == assessments.Conforming {
					word = "conforming"
				}
				parts = append(parts, fmt.Sprintf("%d %s", counts[c], word))
				short = append(short, fmt.Sprintf("%d %s", counts[c], strings.TrimSpace(c.Short())))
			}
		}
		parts = append(parts, fmt.Sprintf("%d not audited", counts[assessments.NotAudited]))
		short = append(short, fmt.Sprintf("%d not audited", counts[assessments.NotAudited]))
		line2 = st.Muted.Render(strings.Join(parts, " · "))
		if lipgloss.Width(line2) > m.width {
			line2 = st.Muted.Render(strings.Join(short, " · "))
		}
		if legend := "   ↶ carried  ! evidence changed"; lipgloss.Width(line2)+len([]rune(legend)) <= m.width {
			line2 += st.Subtle.Render(legend)
		}
	}
	return common.Truncate(line1, m.width) + "\n" + common.Truncate(line2, m.width)
}

func conclusionStyle(st *common.Styles, c assessments.Conclusion) lipgloss.Style {
	switch c {
	case assessments.MajorNC:
		return st.Error
	case assessments.MinorNC:
		return st.Warn
	case assessments.Observation, assessments.OFI:
		return st.Info
	case assessments.Conforming:
		return st.OK
	}
	return st.Subtle
}

func (w *walk) listLines(m *Model, lw, h int) []string {
	st := m.c.Styles
	lines := make([]string, 0, h)
	if len(w.rows) == 0 {
		return append(lines, st.Muted.Render(common.Pad("No requirement matches.", lw)))
	}
	if w.rowCacheKey != [2]int{lw, w.version} || w.rowCache == nil {
		w.rowCache = map[int]string{}
		w.rowCacheKey = [2]int{lw, w.version}
	}
	end := min(len(w.rows), w.offset+h)
	for i := w.offset; i < end; i++ {
		r := w.rows[i]
		if r.heading != "" {
			lines = append(lines, st.Header.Render(common.Pad(common.Truncate(common.OneLine(r.heading), lw), lw)))
			continue
		}
		if i == w.cursor {
			lines = append(lines, w.itemLine(m, r.idx, lw, true))
			continue
		}
		line, ok := w.rowCache[r.idx]
		if !ok {
			line = w.itemLine(m, r.idx, lw, false)
			w.rowCache[r.idx] = line
		}
		lines = append(lines, line)
	}
	return lines
}

func (w *walk) itemLine(m *Model, idx, lw int, selected bool) string {
	st := m.c.Styles
	req := w.reqs[idx]
	it := w.item(req.Ref)
	c := it.EffectiveConclusion()
	mark := conclusionStyle(st, c).Render(c.Short())
	flags := ""
	if it.Carried() {
		flags += "↶"
	}
	if w.evidenceChanged(m, it) {
		flags += "!"
	}
	refW := 8
	titleW := lw - 1 - 3 - 1 - refW - 1 - lipgloss.Width(flags) - 1
	text := " " + common.Pad(req.Ref.Ref, refW) + " " + common.Pad(common.Truncate(req.Requirement.Title, titleW), titleW)
	if flags != "" {
		text += " " + flags
	}
	text = common.Pad(text, lw-4)
	if selected {
		if w.focus == focusList && w.edit == nil {
			return st.Cursor.Render("›") + mark + st.Selected.Render(text)
		}
		return st.Cursor.Render("›") + mark + st.Bold.Render(text)
	}
	return " " + mark + text
}

// evidenceChanged reports whether an examined file changed since it was examined.
func (w *walk) evidenceChanged(m *Model, it assessments.ChecklistItem) bool {
	for _, x := range it.Evidence {
		if x.StateAgainst(m.evidenceItem(x.EvidenceID)) != assessments.ExaminedSame {
			return true
		}
	}
	return false
}

func (m *Model) evidenceItem(id string) (assessments.Evidence, bool) {
	for _, ev := range m.library {
		if ev.ID == id {
			return ev, true
		}
	}
	return assessments.Evidence{}, false
}

func (w *walk) detailHead(m *Model, dw int) []string {
	st := m.c.Styles
	i := w.selectedIdx()
	if i < 0 {
		return nil
	}
	req := w.reqs[i]
	it := w.item(req.Ref)
	c := it.EffectiveConclusion()
	marker := st.Subtle.Render("  ")
	if w.focus == focusDetail {
		marker = st.Cursor.Render("▶ ")
	}
	group := req.Requirement.Group
	if g, ok := req.Catalog.Group(group); ok {
		group = g.ID + " " + g.Title
	}
	out := []string{
		common.Truncate(marker+st.Title.Render(req.Ref.Ref)+"  "+st.Bold.Render(req.Requirement.Title), dw),
		common.Truncate(st.Muted.Render(req.Catalog.Short+" · "+group+" · "+string(req.Requirement.Kind)), dw),
	}
	line := st.Label.Render("Conclusion ") + conclusionStyle(st, c).Render(strings.TrimSpace(c.Short())+" "+c.Label())
	if v, ok := m.findingFrom(w.audit.ID, req.Ref); ok {
		fl := st.Label.Render("Finding ") + st.Bold.Render(v.Finding.Ref) + st.Muted.Render(" "+string(v.Status))
		if lipgloss.Width(line)+3+lipgloss.Width(fl) <= dw {
			line += "   " + fl
		} else {
			out = append(out, common.Truncate(line, dw))
			line = fl
		}
	}
	out = append(out, common.Truncate(line, dw))
	if it.Carried() {
		out = append(out, common.Truncate(st.Info.Render("↶ "+common.OneLine(it.Provenance))+st.Muted.Render(" · answered there; a key here answers it on its own"), dw))
	}
	return out
}

func (w *walk) detailLines(m *Model, dw, h int) []string {
	i := w.selectedIdx()
	if i < 0 {
		return nil
	}
	head := w.detailHead(m, dw)
	key := fmt.Sprintf("%d/%d/%d/%d", i, dw, w.version, len(m.views))
	if key != w.detailKey {
		w.detailKey = key
		w.detail = w.detailBody(m, i, dw)
	}
	room := max(1, h-len(head))
	w.detailOffset = max(0, min(w.detailOffset, max(0, len(w.detail)-room)))
	body := w.detail[w.detailOffset:]
	if len(body) > room {
		body = body[:room]
		if w.focus == focusDetail && room > 1 {
			body[room-1] = m.c.Styles.Subtle.Render("↓ more (j/pgdn)")
		}
	}
	return append(head, body...)
}

func (w *walk) detailBody(m *Model, i, dw int) []string {
	st := m.c.Styles
	req := w.reqs[i]
	it := w.item(req.Ref)
	var out []string
	add := func(l ...string) { out = append(out, l...) }
	sec := func(title string) { add("", section(st, title, dw)) }
	sec("Audit notes")
	if it.Notes == "" {
		add(st.Subtle.Render("none yet · e to type"))
	} else {
		add(wrapLines(common.Inert(it.Notes), dw)...)
	}
	if it.Interviewees != "" || it.SamplingText() != "" {
		sec("Interviews and sampling")
		if it.Interviewees != "" {
			add(wrapLines(st.Label.Render("Interviewed ")+common.Inert(it.Interviewees), dw)...)
		}
		if s := it.SamplingText(); s != "" {
			text := st.Label.Render("Sample ") + s
			if it.Sampled != "" {
				text += ": " + common.Inert(it.Sampled)
			}
			add(wrapLines(text, dw)...)
		}
	}
	if len(it.Evidence) > 0 {
		sec(fmt.Sprintf("Evidence examined (%d)", len(it.Evidence)))
		for _, x := range it.Evidence {
			state := x.StateAgainst(m.evidenceItem(x.EvidenceID))
			mark, sty := "✓", st.Value
			if state != assessments.ExaminedSame {
				mark, sty = "!", st.Warn
			}
			line := mark + " " + common.OneLine(x.Title) + " · " + x.ExaminedAt.Format(assessments.DateLayout)
			if len(x.SHA256) >= 12 {
				line += " · sha256 " + x.SHA256[:12] + "…"
			}
			add(sty.Render(common.Truncate(line, dw)))
			if state != assessments.ExaminedSame {
				add(st.Warn.Render(common.Truncate("  "+state.Label(), dw)))
			}
		}
	}
	if targets := assessments.CarryTargets(m.c.Catalogs, w.audit.Scope, req.Ref, w.items); len(targets) > 0 {
		sec("One answer for both standards")
		for _, t := range targets {
			add(common.Truncate(st.Info.Render(m.label(t.To))+st.Muted.Render(" takes this answer (crosswalk: "+string(t.Mapping.Relationship)+")"), dw))
		}
	}
	if q := req.Requirement.Questions; len(q) > 0 {
		sec("Audit questions")
		for _, x := range q {
			add(wrapLines("• "+x, dw)...)
		}
	}
	if e := req.Requirement.Evidence; len(e) > 0 {
		sec("Evidence to ask for")
		for _, x := range e {
			add(wrapLines("• "+x, dw)...)
		}
	}
	if p := req.Requirement.Purpose; p != "" {
		sec("Purpose")
		add(wrapLines(p, dw)...)
	}
	if g := req.Requirement.Guidance; g != "" {
		sec("Guidance")
		add(wrapLines(g, dw)...)
	}
	if r, ok := m.results[req.Ref.Standard][req.Ref.Ref]; ok {
		sec("Gap analysis")
		s := r.EffectiveStatus()
		line := st.Status[s].Render(s.Mark()+" "+s.Label()) + st.Muted.Render("  owner "+firstNonEmpty(common.OneLine(r.Owner), "—"))
		add(common.Truncate(line, dw))
		if r.Notes != "" {
			add(wrapLines(st.Muted.Render(common.Inert(r.Notes)), dw)...)
		}
	}
	return out
}

func (w *walk) helpMap(m *Model) common.HelpMap {
	k := m.keys
	if w.edit != nil {
		b := []key.Binding{k.LeaveEdit, k.SaveEdit, k.NextField, k.SaveNext, k.SavePrev}
		return common.HelpMap{Short: b, Full: [][]key.Binding{append(b, w.edit.Form.KeyMap().ShortHelp()...)}}
	}
	if w.filtering {
		b := []key.Binding{k.FilterDone, k.FilterClear, k.Down}
		return common.HelpMap{Short: b, Full: [][]key.Binding{b}}
	}
	focus := key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "LIST → detail"))
	nav := []key.Binding{k.Up, k.Down}
	if w.focus == focusDetail {
		focus = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "DETAIL → list"))
		nav = []key.Binding{k.ScrollDown, k.ScrollUp}
	}
	back := withHelp(k.Leave, "esc", "programme")
	if w.filterActive() {
		back = k.FilterClear
	}
	return common.HelpMap{
		Short: []key.Binding{focus, k.ConclusionAny, k.Notes, k.Interviewees, k.Sampling, k.Examine, k.OpenFinding, k.AllFindings,
			k.Filter, k.ConclFilter, back},
		Full: [][]key.Binding{
			append(nav, k.NextItem, k.PrevItem, k.Home, k.End, k.PageUp, k.PageDown, focus),
			{k.Conclusion[0], k.Conclusion[1], k.Conclusion[2], k.Conclusion[3], k.Conclusion[4], k.Conclusion[5]},
			{k.Notes, k.Interviewees, k.Sampling, k.Examine, k.OpenFinding, k.AllFindings},
			{k.Filter, k.ConclFilter, k.ConclFilterBk, back},
		},
	}
}
