package risks

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/form"
)

// settings edits the engagement's risk matrix through the form component: size, scale
// labels, level names, the acceptance threshold and the level of each cell. A size change
// resets the labels to that size's defaults and, on save, shows how every risk will be
// rescaled before anything is written.
type settings struct {
	m       *Model
	orig    assessments.Matrix // the matrix as stored when the form opened (or rebased)
	f       *form.Form
	size    string   // the size the label fields were last filled for
	names   []string // the level names the threshold and cell options show
	banner  string
	saving  bool
	preview []assessments.Rescaled
	prevOff int
	width   int
	height  int
}

const (
	mSize, mThreshold = "size", "threshold"
	// formWidth is what the form needs for a row of five cells; the grid preview is drawn
	// beside it when the rest is wide enough for it.
	formWidth    = 80
	previewCellW = 5
)

func labelKey(group string, i int) string { return group + strconv.Itoa(i) }

func cellKey(l, c int) string { return fmt.Sprintf("cell_%d_%d", l, c) }

func levelCount(orig assessments.Matrix, size int) int {
	if size == orig.Size {
		return len(orig.LevelNames)
	}
	return len(assessments.DefaultMatrix(size).LevelNames)
}

func levelOptions(names []string, numbered bool) []form.Option {
	out := make([]form.Option, len(names))
	for i, n := range names {
		label := common.OneLine(n)
		if numbered {
			label = fmt.Sprintf("%d %s", i+1, label)
		}
		out[i] = form.Option{Value: strconv.Itoa(i + 1), Label: label}
	}
	return out
}

func matrixValues(mx assessments.Matrix) form.Values {
	v := form.Values{mSize: strconv.Itoa(mx.Size), mThreshold: strconv.Itoa(mx.Threshold + 1)}
	for i := 1; i <= assessments.MaxMatrixSize; i++ {
		v[labelKey("lik", i)], v[labelKey("con", i)] = "", ""
		if i <= len(mx.LikelihoodLabels) {
			v[labelKey("lik", i)] = mx.LikelihoodLabels[i-1]
		}
		if i <= len(mx.ConsequenceLabels) {
			v[labelKey("con", i)] = mx.ConsequenceLabels[i-1]
		}
	}
	for i := 1; i <= assessments.MaxLevels; i++ {
		v[labelKey("lev", i)] = ""
		if i <= len(mx.LevelNames) {
			v[labelKey("lev", i)] = mx.LevelNames[i-1]
		}
	}
	for l := 1; l <= assessments.MaxMatrixSize; l++ {
		for c := 1; c <= assessments.MaxMatrixSize; c++ {
			v[cellKey(l, c)] = ""
			if l <= len(mx.Cells) && c <= len(mx.Cells[l-1]) {
				v[cellKey(l, c)] = strconv.Itoa(mx.Cells[l-1][c-1] + 1)
			}
		}
	}
	return v
}

func (s *settings) fields() []form.Field {
	o := s.orig
	size := func(v form.Values) int { return atoi(v[mSize]) }
	fs := []form.Field{{Key: mSize, Label: "Size", Kind: form.Level,
		Options: []form.Option{{Value: "3", Label: "3×3"}, {Value: "4", Label: "4×4"}, {Value: "5", Label: "5×5"}},
		Help:    "←/→ or 3, 4, 5; another size resets the labels to its defaults, and saving rescales every risk"}}
	group := func(prefix, section, what string, n int, show func(v form.Values, i int) bool) {
		for i := 1; i <= n; i++ {
			f := form.Field{Key: labelKey(prefix, i), Label: strconv.Itoa(i), Kind: form.Text, Limit: assessments.MaxLabelLen,
				Placeholder: what + " " + strconv.Itoa(i)}
			if i == 1 {
				f.Section = section
			}
			i := i
			f.Show = func(v form.Values) bool { return show(v, i) }
			fs = append(fs, f)
		}
	}
	bySize := func(v form.Values, i int) bool { return i <= size(v) }
	group("lik", "Likelihood scale (1 lowest)", "likelihood", assessments.MaxMatrixSize, bySize)
	group("con", "Consequence scale (1 lowest)", "consequence", assessments.MaxMatrixSize, bySize)
	group("lev", "Risk levels (lowest first)", "level", assessments.MaxLevels, func(v form.Values, i int) bool { return i <= levelCount(o, size(v)) })
	fs = append(fs, form.Field{Key: mThreshold, Label: "Accept up to", Kind: form.Level, Section: "Acceptance",
		Options: levelOptions(o.LevelNames, true), Help: "retaining a risk above this level needs an acceptance: who, when and why"})
	for l := assessments.MaxMatrixSize; l >= 1; l-- {
		for c := 1; c <= assessments.MaxMatrixSize; c++ {
			f := form.Field{Key: cellKey(l, c), Label: "×" + strconv.Itoa(c), Kind: form.Level, Options: levelOptions(o.LevelNames, false),
				Inline: c > 1, Help: fmt.Sprintf("the level of likelihood %d × consequence %d: ←/→ or the level's number", l, c)}
			if c == 1 {
				f.Section = fmt.Sprintf("Levels per cell · likelihood %d", l)
			}
			l, c := l, c
			f.Show = func(v form.Values) bool { return l <= size(v) && c <= size(v) }
			fs = append(fs, f)
		}
	}
	return fs
}

func (m *Model) openSettings() tea.Cmd {
	if !m.loaded {
		return nil
	}
	s := &settings{m: m, orig: m.matrix.Clone()}
	s.f = form.New(m.c.Styles, s.fields()...)
	s.load(s.orig)
	s.f.SetValidator(s.validate)
	s.setSize(m.width, m.height)
	m.settings = s
	return nil
}

func (s *settings) load(mx assessments.Matrix) {
	s.f.Load(matrixValues(mx))
	s.size = s.f.Value(mSize)
	s.names = nil
	s.refreshOptions()
}

func (s *settings) setSize(w, h int) {
	s.width, s.height = w, h
	fw := w
	if cw := s.previewCell(); cw > 0 {
		fw = w - s.previewWidth(cw) - 2
	}
	s.f.SetSize(fw, max(3, h-2))
}

// previewCell is the width of a preview cell, 0 when the preview does not fit.
func (s *settings) previewCell() int {
	room := s.width - formWidth - 2 - 4
	cw := min(9, room/assessments.MaxMatrixSize-1)
	if cw < previewCellW {
		return 0
	}
	return cw
}

func (s *settings) previewWidth(cw int) int { return 4 + assessments.MaxMatrixSize*(cw+1) }

// afterInput follows a change: a new size refills the labels with its defaults (or the
// stored ones, back at the stored size); new level names relabel the level choices.
func (s *settings) afterInput() {
	if size := s.f.Value(mSize); size != s.size {
		s.size = size
		base := assessments.DefaultMatrix(atoi(size))
		if base.Size == s.orig.Size {
			base = s.orig
		}
		vals := matrixValues(base)
		for k, v := range vals {
			if k != mSize {
				s.f.Set(k, v)
			}
		}
	}
	s.refreshOptions()
}

func (s *settings) levelNames(v form.Values) []string {
	n := levelCount(s.orig, atoi(v[mSize]))
	out := make([]string, n)
	for i := range n {
		out[i] = strings.TrimSpace(v[labelKey("lev", i+1)])
		if out[i] == "" {
			out[i] = "level " + strconv.Itoa(i+1)
		}
	}
	return out
}

func (s *settings) refreshOptions() {
	names := s.levelNames(s.f.Values())
	if slices.Equal(names, s.names) {
		return
	}
	s.names = names
	s.f.SetOptions(mThreshold, levelOptions(names, true))
	cells := levelOptions(names, false)
	for l := 1; l <= assessments.MaxMatrixSize; l++ {
		for c := 1; c <= assessments.MaxMatrixSize; c++ {
			s.f.SetOptions(cellKey(l, c), cells)
		}
	}
}

// matrixOf is the whole matrix the values describe.
func (s *settings) matrixOf(v form.Values) assessments.Matrix {
	size := atoi(v[mSize])
	mx := assessments.Matrix{Size: size, Threshold: atoi(v[mThreshold]) - 1}
	for i := 1; i <= size; i++ {
		mx.LikelihoodLabels = append(mx.LikelihoodLabels, strings.TrimSpace(v[labelKey("lik", i)]))
		mx.ConsequenceLabels = append(mx.ConsequenceLabels, strings.TrimSpace(v[labelKey("con", i)]))
	}
	for i := 1; i <= levelCount(s.orig, size); i++ {
		mx.LevelNames = append(mx.LevelNames, strings.TrimSpace(v[labelKey("lev", i)]))
	}
	for l := 1; l <= size; l++ {
		row := make([]int, size)
		for c := 1; c <= size; c++ {
			row[c-1] = atoi(v[cellKey(l, c)]) - 1
		}
		mx.Cells = append(mx.Cells, row)
	}
	return mx
}

// after is the matrix to save: the stored one with what the form changed, and only that,
// so the store is sent a before and an after that differ in the edited fields.
func (s *settings) after() assessments.Matrix {
	v := s.f.Values()
	changed := s.f.ChangedKeys()
	if len(changed) == 0 {
		return s.orig.Clone()
	}
	whole := s.matrixOf(v)
	if whole.Size != s.orig.Size {
		return whole
	}
	mx := s.orig.Clone()
	touched := func(prefix string) bool {
		return slices.ContainsFunc(changed, func(k string) bool { return strings.HasPrefix(k, prefix) })
	}
	if touched("lik") {
		mx.LikelihoodLabels = whole.LikelihoodLabels
	}
	if touched("con") {
		mx.ConsequenceLabels = whole.ConsequenceLabels
	}
	if touched("lev") {
		mx.LevelNames = whole.LevelNames
	}
	if touched("cell_") {
		mx.Cells = whole.Cells
	}
	if touched(mThreshold) {
		mx.Threshold = whole.Threshold
	}
	return mx
}

// validate runs the matrix rules and puts each message next to the field it is about.
func (s *settings) validate(v form.Values) map[string]string {
	mx := s.after()
	errs := map[string]string{}
	first := func(prefix string, n int) string {
		for i := 1; i <= n; i++ {
			if t := strings.TrimSpace(v[labelKey(prefix, i)]); t == "" || len([]rune(t)) > assessments.MaxLabelLen {
				return labelKey(prefix, i)
			}
		}
		return labelKey(prefix, 1)
	}
	for _, p := range mx.Problems() {
		k := p.Field
		switch p.Field {
		case "likelihood_labels":
			k = first("lik", mx.Size)
		case "consequence_labels":
			k = first("con", mx.Size)
		case "levels":
			k = first("lev", len(mx.LevelNames))
		case "cells":
			k = cellKey(mx.Size, 1)
		}
		if _, seen := errs[k]; !seen {
			errs[k] = p.Message
		}
	}
	return errs
}

func (m *Model) settingsKey(msg tea.KeyPressMsg) tea.Cmd {
	s := m.settings
	k := m.keys
	if s.preview != nil {
		switch {
		case key.Matches(msg, k.Apply):
			n := 0
			for _, r := range s.preview {
				if r.Changed() {
					n++
				}
			}
			s.preview = nil
			return s.save(n)
		case key.Matches(msg, k.NoApply):
			s.preview = nil
		case key.Matches(msg, k.Down):
			s.prevOff++
		case key.Matches(msg, k.Up):
			s.prevOff = max(0, s.prevOff-1)
		case key.Matches(msg, k.AllKeys):
			return toggleHelp
		}
		return nil
	}
	if s.saving {
		return nil
	}
	act, cmd := s.f.Update(msg)
	s.afterInput()
	switch act {
	case form.Save:
		return tea.Batch(cmd, s.submit())
	case form.Leave:
		m.settings = nil
	}
	return cmd
}

func (s *settings) submit() tea.Cmd {
	after := s.after()
	if len(s.f.ChangedKeys()) == 0 {
		s.m.settings = nil
		return common.InfoCmd("Risk matrix unchanged")
	}
	if after.Size != s.orig.Size && len(s.m.risks) > 0 {
		s.preview = assessments.Rescale(s.orig, after, s.m.risks)
		s.prevOff = 0
		return nil
	}
	return s.save(0)
}

func (s *settings) save(n int) tea.Cmd {
	s.saving, s.banner = true, ""
	before, after := s.orig.Clone(), s.after()
	st, ctx, id := s.m.c.Store, s.m.c.Context(), s.m.eng.ID
	return s.m.send(func() tea.Msg {
		saved, err := st.SaveRiskMatrix(ctx, id, before, after)
		return matrixSavedMsg{matrix: saved, n: n, err: err}
	})
}

func (m *Model) onMatrixSaved(msg matrixSavedMsg) tea.Cmd {
	s := m.settings
	if msg.err != nil {
		if s == nil {
			return common.ErrCmd(msg.err)
		}
		s.saving = false
		var ve *assessments.ValidationError
		if errors.As(msg.err, &ve) {
			errs := s.validate(s.f.Values())
			if len(errs) == 0 {
				errs = map[string]string{mSize: ve.Message}
			}
			return tea.Batch(s.f.SetErrors(errs), common.ErrCmd(msg.err))
		}
		s.banner = msg.err.Error()
		if errors.Is(msg.err, store.ErrConflict) {
			st, ctx, id := m.c.Store, m.c.Context(), m.eng.ID
			return tea.Batch(common.ErrCmd(msg.err), m.send(func() tea.Msg {
				mx, err := st.RiskMatrix(ctx, id)
				return matrixReloadedMsg{matrix: mx, err: err}
			}))
		}
		return common.ErrCmd(msg.err)
	}
	m.settings = nil
	text := "Risk matrix saved"
	if msg.n > 0 {
		text = fmt.Sprintf("Risk matrix saved; %s rescaled", count(msg.n, "risk"))
	}
	m.notice = text
	return tea.Batch(m.load(), common.InfoCmd(text), dataChanged)
}

// rebase moves the form onto the matrix as stored now, keeping what the user changed.
func (s *settings) rebase(mx assessments.Matrix) {
	keep := map[string]string{}
	v := s.f.Values()
	for _, k := range s.f.ChangedKeys() {
		keep[k] = v[k]
	}
	focus := s.f.FocusKey()
	s.orig = mx.Clone()
	s.load(s.orig)
	for k, val := range keep {
		s.f.Set(k, val)
	}
	s.size = s.f.Value(mSize)
	s.refreshOptions()
	s.f.Focus(focus)
	s.banner += "; the form now shows the stored matrix with your changes: ctrl+s saves them"
}

func scoreLevel(s assessments.Score, lv string) string {
	if !s.Set() {
		return "not scored"
	}
	return fmt.Sprintf("%d×%d %s", s.Likelihood, s.Consequence, common.OneLine(lv))
}

func (s *settings) previewView() string {
	st := s.m.c.Styles
	w, height := s.width, s.height
	next := s.after()
	changed := 0
	for _, r := range s.preview {
		if r.Changed() {
			changed++
		}
	}
	lines := []string{
		common.Truncate(st.Title.Render(fmt.Sprintf("Change the matrix from %dx%d to %dx%d?", s.orig.Size, s.orig.Size, next.Size, next.Size)), w),
		common.Truncate(st.Muted.Render(fmt.Sprintf("%d of %s change score or level; a score between two points goes up.",
			changed, count(len(s.preview), "risk"))), w),
		common.Truncate(st.Muted.Render("Acceptances move with their residual, so none goes stale."), w),
		st.Warn.Render(common.Truncate("Apply? y applies and rescales · n goes back to the matrix · ↑/↓ scroll", w)),
	}
	// One line per risk when wide enough, else the title above its scores.
	wide := w >= 130
	per := 2
	if wide {
		per = 1
	}
	rows := max(1, (height-len(lines))/per)
	s.prevOff = max(0, min(s.prevOff, max(0, len(s.preview)-rows)))
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

// gridLines draw the matrix the form describes, coloured by level, for reference.
func (s *settings) gridLines(cw int) []string {
	mx := s.matrixOf(s.f.Values())
	ps := s.m.styles()
	st := s.m.c.Styles
	out := []string{st.Header.Render("Preview"), ""}
	focus := s.f.FocusKey()
	for l := mx.Size; l >= 1; l-- {
		line := ps.axis.Render(fmt.Sprintf("  %d ", l))
		for c := 1; c <= mx.Size; c++ {
			lv, ok := mx.Level(l, c)
			if !ok {
				line += center("?", cw) + " "
				continue
			}
			txt := levelText(lv.Name, cw)
			style := ps.heat[lv.Colour()]
			if focus == cellKey(l, c) {
				txt = "[" + levelText(lv.Name, cw-2) + "]"
				style = ps.heatSel[lv.Colour()]
			}
			line += style.Render(center(txt, cw)) + " "
		}
		out = append(out, line)
	}
	nums := "    "
	for c := 1; c <= mx.Size; c++ {
		nums += center(strconv.Itoa(c), cw) + " "
	}
	out = append(out, ps.axis.Render(nums), ps.axis.Render("    likelihood ↑, consequence →"))
	return out
}

func (s *settings) view() string {
	if s.preview != nil {
		return s.previewView()
	}
	st := s.m.c.Styles
	w := s.width
	head := st.Title.Render("Risk matrix") + st.Muted.Render("  applies to every risk of this engagement")
	var second string
	switch {
	case s.banner != "":
		second = st.Error.Render(common.Truncate(common.OneLine(s.banner), w))
	case s.saving:
		second = st.Muted.Render("Saving…")
	case s.f.Value(mSize) != strconv.Itoa(s.orig.Size):
		second = st.Warn.Render(common.Truncate(fmt.Sprintf("%dx%d → %sx%s: labels reset to that size's defaults; saving shows how each risk is rescaled",
			s.orig.Size, s.orig.Size, s.f.Value(mSize), s.f.Value(mSize)), w))
	default:
		second = st.Muted.Render(common.Truncate("ctrl+s saves · esc leaves · tab/↓ next field · ←/→ levels", w))
	}
	body := s.f.View()
	if cw := s.previewCell(); cw > 0 {
		fw := w - s.previewWidth(cw) - 2
		left := strings.Split(body, "\n")
		right := s.gridLines(cw)
		for i := range max(len(left), len(right)) {
			l, r := "", ""
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				r = right[i]
			}
			if i < len(left) {
				left[i] = common.Pad(l, fw) + "  " + r
			} else {
				left = append(left, common.Pad("", fw)+"  "+r)
			}
		}
		body = strings.Join(left, "\n")
	}
	return common.Truncate(head, w) + "\n" + second + "\n" + body
}
