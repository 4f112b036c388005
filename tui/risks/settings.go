package risks

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
)

// settings edits the engagement's risk matrix: size, scale labels, level names and the
// acceptance threshold. A size change shows how every risk will be rescaled and asks.
type settings struct {
	m         *Model
	orig      assessments.Matrix
	base      assessments.Matrix // defaults for the chosen size, or orig at its own size
	size      int
	lik, con  []textinput.Model
	lev       []textinput.Model
	threshold int
	cells     [][]int // level index per cell, [likelihood-1][consequence-1]
	cl, cc    int     // the cell being edited
	focus     int
	errs      map[string]string
	err       string
	preview   []assessments.Rescaled
	prevOff   int
	discard   bool
	width     int
}

func newSettings(m *Model, mx assessments.Matrix) *settings {
	s := &settings{m: m, orig: mx.Clone(), errs: map[string]string{}, width: m.width}
	s.reset(mx.Clone())
	return s
}

func (s *settings) reset(base assessments.Matrix) {
	s.base, s.size, s.threshold = base, base.Size, base.Threshold
	s.cells = base.Clone().Cells
	s.cl, s.cc = base.Size, 1
	mk := func(vals []string) []textinput.Model {
		out := make([]textinput.Model, len(vals))
		for i, v := range vals {
			ti := newInput()
			ti.Prompt = ""
			ti.CharLimit = assessments.MaxLabelLen * 2
			ti.SetValue(v)
			ti.SetWidth(assessments.MaxLabelLen)
			out[i] = ti
		}
		return out
	}
	s.lik, s.con, s.lev = mk(base.LikelihoodLabels), mk(base.ConsequenceLabels), mk(base.LevelNames)
}

func (s *settings) setWidth(w int) { s.width = w }

// items: 0 size, then likelihood labels, consequence labels, level names, threshold, cells.
func (s *settings) count() int { return s.cellsIdx() + 1 }

func (s *settings) thresholdIdx() int { return 1 + len(s.lik) + len(s.con) + len(s.lev) }

func (s *settings) cellsIdx() int { return s.thresholdIdx() + 1 }

func (s *settings) input(i int) *textinput.Model {
	i--
	if i >= 0 && i < len(s.lik) {
		return &s.lik[i]
	}
	i -= len(s.lik)
	if i >= 0 && i < len(s.con) {
		return &s.con[i]
	}
	i -= len(s.con)
	if i >= 0 && i < len(s.lev) {
		return &s.lev[i]
	}
	return nil
}

func (s *settings) focusCmd() tea.Cmd {
	var cmd tea.Cmd
	for i := 1; i < s.thresholdIdx(); i++ {
		in := s.input(i)
		if i == s.focus {
			cmd = in.Focus()
		} else {
			in.Blur()
		}
	}
	return cmd
}

func values(ins []textinput.Model) []string {
	out := make([]string, len(ins))
	for i, in := range ins {
		out[i] = strings.TrimSpace(in.Value())
	}
	return out
}

// matrix is the matrix the settings describe.
func (s *settings) matrix() assessments.Matrix {
	mx := s.base.Clone()
	mx.Size = s.size
	mx.LikelihoodLabels, mx.ConsequenceLabels, mx.LevelNames = values(s.lik), values(s.con), values(s.lev)
	mx.Threshold = s.threshold
	mx.Cells = s.cells
	return mx.Clone()
}

func (s *settings) dirty() bool {
	a, b := s.matrix(), s.orig
	return fmt.Sprint(a) != fmt.Sprint(b)
}

func (m *Model) settingsKey(msg tea.KeyPressMsg) tea.Cmd {
	s := m.settings
	if s.preview != nil {
		switch msg.String() {
		case "y", "Y":
			n := 0
			for _, r := range s.preview {
				if r.Changed() {
					n++
				}
			}
			s.preview = nil
			return m.saveMatrixCmd(s.orig, s.matrix(), n)
		case "n", "N", "esc", "q":
			s.preview = nil
		case "j", "down":
			s.prevOff++
		case "k", "up":
			s.prevOff = max(0, s.prevOff-1)
		}
		return nil
	}
	if s.discard {
		switch msg.String() {
		case "y", "Y":
			m.settings = nil
		case "n", "N", "esc":
			s.discard = false
		}
		return nil
	}
	switch msg.String() {
	case "esc":
		if s.dirty() {
			s.discard = true
			return nil
		}
		m.settings = nil
		return nil
	case "ctrl+s":
		return s.submit()
	}
	if s.focus == s.cellsIdx() {
		switch msg.String() {
		case "up", "k":
			s.cl = min(s.cl+1, s.size)
			return nil
		case "down", "j":
			s.cl = max(s.cl-1, 1)
			return nil
		case "left", "h":
			s.cc = max(s.cc-1, 1)
			return nil
		case "right", "l":
			s.cc = min(s.cc+1, s.size)
			return nil
		case "+", "=", "space":
			s.cells[s.cl-1][s.cc-1] = min(s.cells[s.cl-1][s.cc-1]+1, len(s.lev)-1)
			return nil
		case "-":
			s.cells[s.cl-1][s.cc-1] = max(s.cells[s.cl-1][s.cc-1]-1, 0)
			return nil
		}
	}
	switch msg.String() {
	case "tab", "down", "enter":
		s.focus = (s.focus + 1) % s.count()
		return s.focusCmd()
	case "shift+tab", "up":
		s.focus = (s.focus - 1 + s.count()) % s.count()
		return s.focusCmd()
	}
	switch s.focus {
	case 0:
		d := 0
		switch msg.String() {
		case "left", "h":
			d = -1
		case "right", "l", "space":
			d = 1
		}
		if d != 0 {
			size := s.size + d
			if size < assessments.MinMatrixSize {
				size = assessments.MaxMatrixSize
			}
			if size > assessments.MaxMatrixSize {
				size = assessments.MinMatrixSize
			}
			if size == s.orig.Size {
				s.reset(s.orig.Clone())
			} else {
				s.reset(assessments.DefaultMatrix(size))
			}
			s.errs = map[string]string{}
		}
		return nil
	case s.cellsIdx():
		return nil
	case s.thresholdIdx():
		switch msg.String() {
		case "left", "h":
			s.threshold = (s.threshold - 1 + len(s.lev)) % len(s.lev)
		case "right", "l", "space":
			s.threshold = (s.threshold + 1) % len(s.lev)
		}
		return nil
	}
	in := s.input(s.focus)
	var cmd tea.Cmd
	*in, cmd = in.Update(msg)
	return cmd
}

func (s *settings) submit() tea.Cmd {
	mx := s.matrix()
	s.errs = map[string]string{}
	s.err = ""
	for _, p := range mx.Problems() {
		if _, ok := s.errs[p.Field]; !ok {
			s.errs[p.Field] = p.Message
		}
	}
	if len(s.errs) > 0 {
		s.err = "Fix the marked entries before saving."
		return nil
	}
	if !s.dirty() {
		s.m.settings = nil
		return nil
	}
	if mx.Size != s.orig.Size && len(s.m.risks) > 0 {
		s.preview = assessments.Rescale(s.orig, mx, s.m.risks)
		s.prevOff = 0
		return nil
	}
	return s.m.saveMatrixCmd(s.orig, mx, 0)
}

func scoreLevel(s assessments.Score, lv string) string {
	if !s.Set() {
		return "not scored"
	}
	return fmt.Sprintf("%d×%d %s", s.Likelihood, s.Consequence, common.OneLine(lv))
}

func (s *settings) previewView(height int) string {
	st := s.m.c.Styles
	w := s.width
	changed := 0
	for _, r := range s.preview {
		if r.Changed() {
			changed++
		}
	}
	lines := []string{
		common.Truncate(st.Title.Render(fmt.Sprintf("Change the matrix from %dx%d to %dx%d?", s.orig.Size, s.orig.Size, s.size, s.size)), w),
		common.Truncate(st.Muted.Render(fmt.Sprintf("%d of %d risks change score or level. Scores between two points go to the higher one; acceptances move with their residual.",
			changed, len(s.preview))), w),
		st.Warn.Render("Apply? y applies · n goes back · j/k scroll"),
	}
	// One line per risk when wide enough, else the title above its scores.
	wide := w >= 130
	per := 2
	if wide {
		per = 1
	}
	rows := max(1, (height-len(lines))/per)
	s.prevOff = max(0, min(s.prevOff, max(0, len(s.preview)-rows)))
	next := s.matrix()
	byID := map[string]assessments.Risk{}
	for _, r := range s.m.risks {
		byID[r.ID] = r
	}
	for i := s.prevOff; i < min(len(s.preview), s.prevOff+rows); i++ {
		r := s.preview[i]
		scores := fmt.Sprintf("inherent %s → %s · residual %s → %s",
			scoreLevel(r.OldInherent, r.OldInherentLevel), scoreLevel(r.NewInherent, r.NewInherentLevel),
			scoreLevel(r.OldResidual, r.OldResidualLevel), scoreLevel(r.NewResidual, r.NewResidualLevel))
		old := byID[r.RiskID]
		warn := ""
		if !old.NeedsAcceptance(s.orig) && assessments.ApplyRescale(old, s.orig.Size, next.Size).NeedsAcceptance(next) {
			warn = st.Warn.Render(" · will need an acceptance")
		}
		style := st.Value
		if !r.Changed() {
			style = st.Subtle
		}
		if wide {
			lines = append(lines, common.Truncate(style.Render(fmt.Sprintf("%-6s %s  ", r.Ref, scores))+warn+st.Muted.Render(common.OneLine(r.Title)), w))
			continue
		}
		lines = append(lines, common.Truncate(style.Render(r.Ref+" ")+st.Muted.Render(common.OneLine(r.Title)), w))
		lines = append(lines, common.Truncate("      "+style.Render(scores)+warn, w))
	}
	return strings.Join(lines, "\n")
}

func (s *settings) view(height int) string {
	if s.preview != nil {
		return s.previewView(height)
	}
	st := s.m.c.Styles
	w := s.width
	var body []string
	focusAt := 0
	item := func(i int, label, value, errKey string) {
		lab := common.Pad("  "+label, 18)
		if i == s.focus {
			lab = st.Accent.Render(common.Pad("▸ "+label, 18))
			focusAt = len(body)
		} else {
			lab = st.Label.Render(lab)
		}
		body = append(body, common.Truncate(lab+" "+value, w))
		_ = errKey
	}
	choice := func(i int, label string) string {
		if i == s.focus {
			return st.Accent.Render("‹ ") + st.Bold.Render(label) + st.Accent.Render(" ›")
		}
		return label
	}
	errLine := func(key string) {
		if msg, ok := s.errs[key]; ok {
			body = append(body, common.Truncate(strings.Repeat(" ", 19)+st.Error.Render("↳ "+msg), w))
		}
	}
	item(0, "Size", choice(0, fmt.Sprintf("%dx%d", s.size, s.size)), "size")
	if s.size != s.orig.Size {
		body = append(body, common.Truncate(strings.Repeat(" ", 19)+st.Warn.Render("labels and levels reset to the defaults of this size"), w))
	}
	errLine("size")
	idx := 1
	group := func(title string, ins []textinput.Model, key string) {
		body = append(body, st.Header.Render(title))
		for j := range ins {
			v := ins[j].View()
			if idx != s.focus {
				v = common.OneLine(ins[j].Value())
			}
			item(idx, fmt.Sprintf("%d", j+1), v, key)
			idx++
		}
		errLine(key)
	}
	group("Likelihood scale (1 lowest)", s.lik, "likelihood_labels")
	group("Consequence scale (1 lowest)", s.con, "consequence_labels")
	group("Risk levels (lowest first)", s.lev, "levels")
	thr := ""
	if s.threshold >= 0 && s.threshold < len(s.lev) {
		thr = common.OneLine(strings.TrimSpace(s.lev[s.threshold].Value()))
	}
	body = append(body, st.Header.Render("Acceptance"))
	item(idx, "Accept up to", choice(idx, thr)+st.Subtle.Render("  retaining a higher level needs an acceptance"), "threshold")
	errLine("threshold")
	// The grid, for reference.
	mx := s.matrix()
	gridFocused := s.focus == s.cellsIdx()
	gridHead := st.Header.Render("Levels per cell")
	if gridFocused {
		gridHead = st.Accent.Render("▸ Levels per cell")
		focusAt = len(body) + s.size
	}
	body = append(body, gridHead+st.Subtle.Render("  likelihood up, consequence across · tab here, arrows pick, +/- level"))
	ps := s.m.styles()
	for l := mx.Size; l >= 1; l-- {
		line := fmt.Sprintf("  %d ", l)
		for c := 1; c <= mx.Size; c++ {
			lv, ok := mx.Level(l, c)
			if !ok {
				line += center("?", 9) + " "
				continue
			}
			txt := levelText(lv.Name, 9)
			style := ps.heat[lv.Colour()]
			if gridFocused && l == s.cl && c == s.cc {
				txt = "[" + levelText(lv.Name, 7) + "]"
				style = ps.heatSel[lv.Colour()]
			}
			line += style.Render(center(txt, 9)) + " "
		}
		body = append(body, line)
	}
	errLine("cells")

	head := st.Title.Render("Risk matrix") + st.Muted.Render("  applies to every risk of this engagement")
	top := []string{common.Truncate(head, w)}
	switch {
	case s.discard:
		top = append(top, st.Warn.Render("Discard your changes to the matrix? (y/n)"))
	case s.err != "":
		top = append(top, st.Error.Render(common.Truncate(s.err, w)))
	default:
		top = append(top, st.Subtle.Render(common.Truncate("ctrl+s saves · esc cancels · tab/↑↓ move · ←/→ size and threshold · +/- a cell's level", w)))
	}
	avail := max(1, height-len(top))
	off := 0
	if focusAt >= avail {
		off = focusAt - avail + 2
	}
	off = max(0, min(off, max(0, len(body)-avail)))
	out := append(top, body[off:min(len(body), off+avail)]...)
	return strings.Join(out, "\n")
}
