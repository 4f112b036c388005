// Package progress is the engagement's Progress tab: its baselines (named moments frozen in
// the change history) with the readiness at each, the comparison of any two of them or of
// one with now (per requirement improved, regressed, new or unchanged; readiness and
// evidenced shares; risks, evidence and impact assessments), the engagement opened read-only
// as of a baseline, and new assessment cycles.
package progress

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

// Options wire the tab into the workbench.
type Options struct {
	// Screen builds the engagement screen for the view as of a baseline (the engagement
	// package passes its own constructor; this package cannot import it).
	Screen func(c *common.Common, e assessments.Engagement) common.Screen
}

type focusArea int

const (
	focusList focusArea = iota
	focusCompare
)

// filter is one step of the requirement filter (s/S).
type filter struct {
	name string
	keep func(assessments.RequirementChange) bool
}

var filters = []filter{
	{"changes", func(r assessments.RequirementChange) bool { return r.Class != assessments.Unchanged || r.Moved() }},
	{"regressed", func(r assessments.RequirementChange) bool { return r.Class == assessments.Regressed }},
	{"improved", func(r assessments.RequirementChange) bool { return r.Class == assessments.Improved }},
	{"new", func(r assessments.RequirementChange) bool { return r.Class == assessments.New }},
	{"unchanged", func(r assessments.RequirementChange) bool { return r.Class == assessments.Unchanged }},
	{"all", func(assessments.RequirementChange) bool { return true }},
}

const regressedFilter = 1

// point is one row of the list: a baseline, or now (b nil).
type point struct {
	b         *store.Baseline
	readiness map[string]assessments.Readiness
	problem   string // the anchor does not hold
}

// Model is the Progress tab.
type Model struct {
	c    *common.Common
	eng  assessments.Engagement
	opts Options
	keys keyMap

	width, height int

	loaded  bool
	loadErr error
	loadSeq int
	points  []point // baselines oldest first, now last
	reconf  store.Reconfirm
	pending int
	total   int

	cursor int
	focus  focusArea

	// The comparison shown: from → to (nil: now).
	from, to  *store.Baseline
	cmp       *assessments.Comparison
	cmpErr    error
	cmpSeq    int
	comparing bool
	filter    int
	lines     []string // the comparison drawn for the width and filter
	linesKey  string
	offset    int

	opening bool // a view as of a baseline is being built
	// pickFrom is the first point chosen with c, while the second is asked.
	pickFrom string
	// chosen: the user picked the comparison (enter, c); else the latest baseline is
	// compared with now, whichever it is.
	chosen bool
}

// New builds the Progress tab of an engagement.
func New(c *common.Common, e assessments.Engagement, opts Options) *Model {
	return &Model{c: c, eng: e, opts: opts, keys: newKeyMap(c.Keys)}
}

// Title is the tab's label.
func (m *Model) Title() string { return "Progress" }

// Address names the tab for addressed results.
func (m *Model) Address() string { return Address(m.eng.ID) }

// Address is the Progress tab's address in an engagement (dialogs opened by the engagement
// screen's b report there).
func Address(engagementID string) string { return common.TabAddress(engagementID, "progress") }

// Init does nothing: Activate loads.
func (m *Model) Init() tea.Cmd { return nil }

// Activate reloads the baselines (and the comparison shown) each time the tab shows.
func (m *Model) Activate() tea.Cmd { return m.load() }

// Capturing: the tab has no text field of its own (its dialogs are the root's).
func (m *Model) Capturing() bool { return false }

// UsesEsc: esc clears a filter before it leaves.
func (m *Model) UsesEsc() bool { return m.filter != 0 }

// SetSize is the tab's area.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

type loadedMsg struct {
	seq     int
	points  []point
	reconf  store.Reconfirm
	pending int
	total   int
	err     error
}

type comparedMsg struct {
	seq int
	cmp assessments.Comparison
	err error
}

type asOfMsg struct {
	a   *store.AsOf
	err error
}

type baselineSavedMsg struct {
	b      store.Baseline
	dialog string
	err    error
}

type pickedMsg struct {
	which  string // "from", "to"
	values []string
}

func (m *Model) load() tea.Cmd {
	m.loadSeq++
	seq, c, e := m.loadSeq, m.c, m.eng
	return common.Send(m.Address(), func() tea.Msg {
		pts, rc, err := loadPoints(c.Ctx, c, e)
		msg := loadedMsg{seq: seq, points: pts, reconf: rc, err: err}
		if err == nil && rc.Cycle != nil {
			pending, total := assessments.ToReconfirm(c.Catalogs, e, rc.Touched)
			msg.total = total
			for _, refs := range pending {
				msg.pending += len(refs)
			}
		}
		return msg
	})
}

// loadPoints reads the baselines, whether their anchors hold, and the readiness at each
// and now.
func loadPoints(ctx context.Context, c *common.Common, e assessments.Engagement) ([]point, store.Reconfirm, error) {
	s := c.Store
	list, err := s.Baselines(ctx, e.ID)
	if err != nil {
		return nil, store.Reconfirm{}, err
	}
	problems, err := s.CheckBaselineAnchors(ctx, e.ID, nil)
	if err != nil {
		return nil, store.Reconfirm{}, err
	}
	bad := map[string]string{}
	for _, p := range problems {
		bad[p.Baseline.ID] = p.Problem
	}
	seqs := make([]int64, len(list))
	for i, b := range list {
		seqs[i] = b.Seq
	}
	sts, err := s.StatusesAt(ctx, e.ID, seqs)
	if err != nil {
		return nil, store.Reconfirm{}, err
	}
	out := make([]point, 0, len(list)+1)
	for i := range list {
		b := list[i]
		out = append(out, point{b: &b, problem: bad[b.ID], readiness: assessments.ReadinessAt(c.Catalogs, sts[i].Standards, sts[i].Statuses)})
	}
	results, err := s.Results(ctx, e.ID)
	if err != nil {
		return nil, store.Reconfirm{}, err
	}
	now := map[string]map[string]assessments.Status{}
	for std, byRef := range results {
		now[std] = map[string]assessments.Status{}
		for ref, r := range byRef {
			now[std][ref] = r.EffectiveStatus()
		}
	}
	out = append(out, point{readiness: assessments.ReadinessAt(c.Catalogs, e.Standards, now)})
	rc, err := s.Reconfirmation(ctx, e.ID)
	return out, rc, err
}

// compare computes the comparison from → to (nil: now) off the UI loop.
func (m *Model) compare(from, to *store.Baseline) tea.Cmd {
	m.from, m.to = from, to
	m.cmpSeq++
	m.comparing = true
	m.offset = 0
	seq, c, e := m.cmpSeq, m.c, m.eng
	return common.Send(m.Address(), func() tea.Msg {
		st, err := c.Store.States(c.Ctx, e.ID, from, to)
		if err != nil {
			return comparedMsg{seq: seq, err: err}
		}
		return comparedMsg{seq: seq, cmp: assessments.Compare(c.Catalogs, st[0].Snapshot, st[1].Snapshot)}
	})
}

// latest is the newest baseline that is not a cycle start (or the newest of all), nil
// without one.
func (m *Model) latest() *store.Baseline {
	var out *store.Baseline
	for _, p := range m.points {
		if p.b != nil && (out == nil || !p.b.IsCycle()) {
			out = p.b
		}
	}
	return out
}

func sameBaseline(a, b *store.Baseline) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.ID == b.ID
}

// Update handles one message.
func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != m.loadSeq {
			return m, nil
		}
		m.loaded, m.loadErr = true, msg.err
		if msg.err != nil {
			return m, nil
		}
		first := m.points == nil
		m.points, m.reconf, m.pending, m.total = msg.points, msg.reconf, msg.pending, msg.total
		m.cursor = max(0, min(m.cursor, len(m.points)-1))
		if first {
			// The cursor starts on the baseline compared with now.
			for i, p := range m.points {
				if sameBaseline(p.b, m.latest()) {
					m.cursor = i
				}
			}
		}
		// Compare again what the user chose to compare (edits since change "now"), else
		// the latest baseline with now.
		from, to := m.from, m.to
		if !m.chosen || !m.present(from) || !m.present(to) || from == nil && to == nil {
			from, to = m.latest(), nil
		}
		if from == nil && to == nil {
			m.cmp, m.lines = nil, nil
			return m, nil
		}
		return m, m.compare(from, to)
	case comparedMsg:
		if msg.seq != m.cmpSeq {
			return m, nil
		}
		m.comparing = false
		m.cmpErr = msg.err
		if msg.err == nil {
			c := msg.cmp
			m.cmp = &c
		}
		m.linesKey = ""
		return m, nil
	case baselineSavedMsg:
		return m, m.onBaselineSaved(msg)
	case dialog.SubmitMsg:
		return m, m.onSubmit(msg)
	case pickedMsg:
		return m, m.onPicked(msg)
	case asOfMsg:
		m.opening = false
		if msg.err != nil {
			return m, common.ErrCmd(fmt.Errorf("could not open the engagement as of that baseline: %w", msg.err))
		}
		scr := NewAsOf(m.c, msg.a, m.opts.Screen)
		return m, func() tea.Msg { return common.PushScreenMsg{Screen: scr} }
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	}
	return m, nil
}

// present reports whether a baseline is still among the points (nil, now, always is).
func (m *Model) present(b *store.Baseline) bool {
	if b == nil {
		return true
	}
	for _, p := range m.points {
		if p.b != nil && p.b.ID == b.ID {
			return true
		}
	}
	return false
}

func (m *Model) selected() (point, bool) {
	if m.cursor < 0 || m.cursor >= len(m.points) {
		return point{}, false
	}
	return m.points[m.cursor], true
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Focus):
		if m.focus == focusList {
			m.focus = focusCompare
		} else {
			m.focus = focusList
		}
		return nil
	case key.Matches(msg, k.FilterClear) && m.filter != 0:
		m.setFilter(0)
		return common.InfoCmd("Showing every requirement that moved.")
	case key.Matches(msg, k.StepFilter), key.Matches(msg, k.StepBack):
		d := 1
		if key.Matches(msg, k.StepBack) {
			d = -1
		}
		m.setFilter((m.filter + d + len(filters)) % len(filters))
		return nil
	case key.Matches(msg, k.Regressions):
		if m.filter == regressedFilter {
			m.setFilter(0)
		} else {
			m.setFilter(regressedFilter)
		}
		return nil
	case key.Matches(msg, k.Compare):
		return m.openPick("from")
	case key.Matches(msg, k.AsOf):
		return m.openAsOf()
	case key.Matches(msg, k.Cycle):
		return m.openCycle()
	case key.Matches(msg, k.Baseline):
		return OpenBaselineDialog(m.c, m.eng)
	}
	if m.focus == focusCompare {
		h := m.bodyHeight()
		switch {
		case key.Matches(msg, k.ScrollDown):
			m.offset++
		case key.Matches(msg, k.ScrollUp):
			m.offset--
		case key.Matches(msg, k.PageDown):
			m.offset += h
		case key.Matches(msg, k.PageUp):
			m.offset -= h
		case key.Matches(msg, k.Home):
			m.offset = 0
		case key.Matches(msg, k.End):
			m.offset = len(m.lines)
		}
		m.clampOffset()
		return nil
	}
	switch {
	case key.Matches(msg, k.Down):
		m.cursor = min(m.cursor+1, len(m.points)-1)
	case key.Matches(msg, k.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(msg, k.Home):
		m.cursor = 0
	case key.Matches(msg, k.End):
		m.cursor = len(m.points) - 1
	case key.Matches(msg, k.CompareNow):
		p, ok := m.selected()
		if !ok {
			return nil
		}
		if p.b == nil {
			if l := m.latest(); l != nil {
				m.chosen = false
				return m.compare(l, nil)
			}
			return common.InfoCmd("There is no baseline to compare now with yet; b freezes one.")
		}
		m.chosen = true
		return m.compare(p.b, nil)
	}
	m.cursor = max(0, m.cursor)
	return nil
}

func (m *Model) setFilter(i int) {
	m.filter = i
	m.offset = 0
	m.linesKey = ""
}

// ---- dialogs ----

func dialogID(engagementID, what string) string { return Address(engagementID) + "/" + what }

// OpenBaselineDialog asks for the name of a new baseline of the engagement; the Progress
// tab saves it. The engagement screen opens it with b from any tab.
func OpenBaselineDialog(c *common.Common, e assessments.Engagement) tea.Cmd {
	d := dialog.NewForm(c.Styles, dialogID(e.ID, "baseline"), Address(e.ID), "New baseline",
		"Freeze "+common.OneLine(e.Name)+" as it is now under a name, to compare it later and open it as it was. "+
			"It records the last row of the change history and its hash: it cannot be altered unnoticed.",
		form.Values{},
		form.Field{Key: "name", Label: "Name", Kind: form.Text, Limit: store.MaxBaselineName, Placeholder: "Pre-audit", Required: true})
	d.Inner().SetQuietLeave(true)
	d.Inner().SetSaveLabel("freeze")
	return common.OpenDialog(d)
}

func (m *Model) openCycle() tea.Cmd {
	p, ok := m.selected()
	if !ok || p.b == nil {
		return common.InfoCmd("Choose the baseline the new cycle starts from (j/k), then n.")
	}
	d := dialog.NewForm(m.c.Styles, dialogID(m.eng.ID, "cycle"), m.Address(), "New cycle from "+common.OneLine(p.b.Name),
		"Start a new assessment cycle from this baseline: the statuses stay, and every requirement is to be re-confirmed "+
			"(edited, or c in the gap analysis) until the dashboard counts none left.",
		form.Values{},
		form.Field{Key: "name", Label: "Name", Kind: form.Text, Limit: store.MaxBaselineName, Placeholder: "Surveillance year 1", Required: true})
	d.Inner().SetQuietLeave(true)
	d.Inner().SetSaveLabel("start")
	m.pickFrom = p.b.ID
	return common.OpenDialog(d)
}

func (m *Model) onSubmit(msg dialog.SubmitMsg) tea.Cmd {
	name := msg.Values["name"]
	c, e, id := m.c, m.eng, msg.ID
	var save func() (store.Baseline, error)
	switch msg.ID {
	case dialogID(e.ID, "baseline"):
		save = func() (store.Baseline, error) { return c.Store.CreateBaseline(c.Ctx, e.ID, name) }
	case dialogID(e.ID, "cycle"):
		from := m.pickFrom
		save = func() (store.Baseline, error) { return c.Store.StartCycle(c.Ctx, e.ID, name, from) }
	default:
		return nil
	}
	return common.Send(m.Address(), func() tea.Msg {
		b, err := save()
		return baselineSavedMsg{b: b, dialog: id, err: err}
	})
}

func (m *Model) onBaselineSaved(msg baselineSavedMsg) tea.Cmd {
	if msg.err != nil {
		text := msg.err.Error()
		var ve *assessments.ValidationError
		if errors.As(msg.err, &ve) {
			text = ve.Message
		} else if errors.Is(msg.err, store.ErrReadOnly) {
			text = strings.ToUpper(text[:1]) + text[1:] + "."
		}
		return common.Send(msg.dialog, func() tea.Msg { return dialog.FailMsg{Errors: map[string]string{"name": text}} })
	}
	done := common.Send(msg.dialog, func() tea.Msg { return dialog.DoneMsg{} })
	info := fmt.Sprintf("Baseline %q frozen at row %d of the history.", msg.b.Name, msg.b.Seq)
	if msg.b.IsCycle() {
		info = fmt.Sprintf("Cycle %q started: every requirement is to be re-confirmed.", msg.b.Name)
	}
	m.cursor = len(m.points) - 1 // the new baseline takes the place before now
	return tea.Batch(done, common.InfoCmd(info), m.load(), func() tea.Msg { return common.DataChangedMsg{} })
}

// pointOptions are the points a pick list offers: baselines after the one named after (""
// none) and, when withNow, now.
func (m *Model) pointOptions(after string, withNow bool) []form.Option {
	var out []form.Option
	seen := after == ""
	for _, p := range m.points {
		if p.b == nil {
			continue
		}
		if seen {
			label := p.b.Name + " · " + p.b.At.Local().Format(assessments.DateLayout)
			if p.b.IsCycle() {
				label += " · cycle start"
			}
			out = append(out, form.Option{Value: p.b.ID, Label: label})
		}
		if p.b.ID == after {
			seen = true
		}
	}
	if withNow {
		out = append(out, form.Option{Value: "now", Label: "now · the engagement as it is"})
	}
	return out
}

func (m *Model) openPick(which string) tea.Cmd {
	if which == "from" {
		opts := m.pointOptions("", false)
		if len(opts) == 0 {
			return common.InfoCmd("There is no baseline to compare yet; b freezes one.")
		}
		return common.OpenDialog(dialog.NewPick(m.c.Styles, dialogID(m.eng.ID, "from"), m.Address(), "Compare from…",
			"The earlier point: a baseline.", opts, false, nil,
			func(v []string) tea.Msg { return pickedMsg{which: "from", values: v} }))
	}
	return common.OpenDialog(dialog.NewPick(m.c.Styles, dialogID(m.eng.ID, "to"), m.Address(), "…compare to",
		"The later point: a later baseline, or now.", m.pointOptions(m.pickFrom, true), false, []string{"now"},
		func(v []string) tea.Msg { return pickedMsg{which: "to", values: v} }))
}

func (m *Model) find(id string) *store.Baseline {
	for _, p := range m.points {
		if p.b != nil && p.b.ID == id {
			return p.b
		}
	}
	return nil
}

func (m *Model) onPicked(msg pickedMsg) tea.Cmd {
	if len(msg.values) == 0 {
		return nil
	}
	if msg.which == "from" {
		m.pickFrom = msg.values[0]
		return m.openPick("to")
	}
	from := m.find(m.pickFrom)
	if from == nil {
		return nil
	}
	m.focus = focusCompare
	m.chosen = true
	if msg.values[0] == "now" {
		return m.compare(from, nil)
	}
	return m.compare(from, m.find(msg.values[0]))
}

func (m *Model) openAsOf() tea.Cmd {
	p, ok := m.selected()
	if !ok || p.b == nil {
		return common.InfoCmd("Choose a baseline (j/k), then o opens the engagement as it was then.")
	}
	if m.opts.Screen == nil || m.opening {
		return nil
	}
	m.opening = true
	c, b := m.c, *p.b
	return tea.Batch(common.InfoCmd(fmt.Sprintf("Rebuilding the engagement as of %q…", b.Name)),
		common.Send(m.Address(), func() tea.Msg {
			a, err := c.Store.OpenAsOf(c.Ctx, b)
			return asOfMsg{a: a, err: err}
		}))
}

// ---- keys and help ----

// KeyMap lists what matters first: moving, comparing, filtering regressions.
func (m *Model) KeyMap() help.KeyMap {
	k := m.keys
	focus := key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "LIST → compare"))
	nav := []key.Binding{k.Up, k.Down}
	if m.focus == focusCompare {
		focus = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "COMPARE → list"))
		nav = []key.Binding{k.ScrollDown, k.ScrollUp}
	}
	clear := k.Back
	if m.filter != 0 {
		clear = k.FilterClear
	}
	return common.HelpMap{
		Short: []key.Binding{k.CompareNow, k.Compare, k.Regressions, k.Baseline, k.AsOf, focus, k.StepFilter, k.Cycle, clear},
		Full: [][]key.Binding{
			append(nav, k.Home, k.End, k.PageUp, k.PageDown, focus),
			{k.CompareNow, k.Compare, k.Regressions, k.StepFilter, k.StepBack, k.FilterClear},
			{k.Baseline, k.AsOf, k.Cycle},
			{k.NextTab, k.PrevTab, k.Back},
		},
	}
}
