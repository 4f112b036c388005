package risks

import (
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

// Accepting a residual risk is an explicit act (A): a dialog names the risk and its
// residual level and records who accepts it, when and why. Editing the acceptance fields
// of the risk form never does it, so a stale acceptance stays marked until someone
// accepts the risk as it stands now.

const acceptPrefix = "/accept/"

func (m *Model) acceptDialogID(riskID string) string { return m.Address() + acceptPrefix + riskID }

func (m *Model) scoreText(s assessments.Score) string {
	lv, ok := m.matrix.LevelOf(s)
	if !ok {
		return "not scored"
	}
	return fmt.Sprintf("%d×%d %s", s.Likelihood, s.Consequence, common.OneLine(lv.Name))
}

// acceptIntro says what is being accepted: the residual as it stands, against the
// threshold, and what happens to an earlier acceptance.
func (m *Model) acceptIntro(r assessments.Risk) string {
	res := r.EffectiveResidual()
	s := common.OneLine(r.Title) + ". Residual now: " + m.scoreText(res)
	if !r.Residual.Set() {
		s += " (not scored: the inherent score stands)"
	}
	if m.matrix.AboveThreshold(res) {
		s += ", above the threshold " + common.OneLine(m.matrix.ThresholdName())
	} else {
		s += ", within the threshold " + common.OneLine(m.matrix.ThresholdName())
	}
	s += "."
	if a := r.Acceptance; a != nil {
		if r.AcceptanceStale() {
			s += fmt.Sprintf(" The acceptance by %s on %s was given for %s: it is stale and this one replaces it.",
				common.OneLine(a.By), a.Date, m.scoreText(a.Residual))
		} else {
			s += fmt.Sprintf(" It was accepted by %s on %s; this replaces that record.", common.OneLine(a.By), a.Date)
		}
	}
	return s
}

func (m *Model) openAccept(r assessments.Risk) tea.Cmd {
	if !m.matrix.InRange(r.EffectiveResidual()) {
		return common.InfoCmd(r.Ref + " has no score on this matrix: score it (e) before accepting it.")
	}
	by := strings.TrimSpace(r.Owner)
	if by == "" && m.c.Store != nil {
		by = m.c.Store.Author()
	}
	title := "Accept the residual risk of " + r.Ref
	d := dialog.NewForm(m.c.Styles, m.acceptDialogID(r.ID), m.Address(), title, m.acceptIntro(r),
		form.Values{kAcceptedBy: by, kAcceptedOn: m.c.Time().Format(assessments.DateLayout)},
		form.Field{Key: kAcceptedBy, Label: "Accepted by", Kind: form.Person, Required: true, Limit: maxName,
			Placeholder: "the risk owner who accepts what remains"},
		form.Field{Key: kAcceptedOn, Label: "On", Kind: form.Date, Required: true},
		form.Field{Key: kRationale, Label: "Why acceptable", Kind: form.MultiLine, Required: true, Lines: 3, Limit: maxText,
			Placeholder: "why what remains is acceptable"},
	)
	d.Inner().SetPeople(m.people)
	d.Inner().SetNow(m.c.Time)
	d.Inner().Focus(kRationale)
	return common.OpenDialog(d)
}

// onAcceptSubmit checks an acceptance with the domain rule and saves it.
func (m *Model) onAcceptSubmit(msg dialog.SubmitMsg) tea.Cmd {
	id, ok := strings.CutPrefix(msg.ID, m.Address()+acceptPrefix)
	if !ok {
		return nil
	}
	fail := func(field, text string) tea.Cmd {
		return common.Send(msg.ID, func() tea.Msg { return dialog.FailMsg{Errors: map[string]string{field: text}} })
	}
	i := m.riskIndex(id)
	if i < 0 {
		return fail(kAcceptedBy, "This risk is no longer in the register (deleted elsewhere?); esc closes.")
	}
	before := m.risks[i]
	next, err := before.AcceptResidual(msg.Values[kAcceptedBy], msg.Values[kAcceptedOn], msg.Values[kRationale])
	var ve *assessments.ValidationError
	switch {
	case errors.As(err, &ve):
		return fail(ve.Field, ve.Message)
	case err != nil:
		return fail(kAcceptedBy, err.Error())
	case next.Acceptance == before.Acceptance:
		return tea.Batch(common.Send(msg.ID, func() tea.Msg { return dialog.DoneMsg{} }),
			common.InfoCmd(before.Ref+": already accepted as it stands"))
	}
	st, ctx, dlg := m.c.Store, m.c.Context(), msg.ID
	return m.send(func() tea.Msg {
		saved, err := st.UpdateRisk(ctx, before, next)
		return acceptedMsg{dialog: dlg, before: before, risk: saved, err: err}
	})
}

func (m *Model) onAccepted(msg acceptedMsg) tea.Cmd {
	if msg.err != nil {
		field := kAcceptedBy
		var ve *assessments.ValidationError
		if errors.As(msg.err, &ve) && (ve.Field == kAcceptedOn || ve.Field == kRationale) {
			field = ve.Field
		}
		fail := common.Send(msg.dialog, func() tea.Msg { return dialog.FailMsg{Errors: map[string]string{field: msg.err.Error()}} })
		if errors.Is(msg.err, store.ErrConflict) {
			// Show what changed; the dialog stays, and a second ctrl+s accepts the risk as
			// it is stored now.
			return tea.Batch(fail, m.load())
		}
		return fail
	}
	r := msg.risk
	keys := []string{kAcceptedBy, kAcceptedOn, kRationale}
	m.pushUndo(m.undoEntry(msg.before, r, keys))
	m.notice = fmt.Sprintf("%s residual %s accepted by %s", r.Ref, m.scoreText(r.EffectiveResidual()), common.OneLine(r.Acceptance.By))
	m.selectID(r.ID)
	return tea.Batch(common.Send(msg.dialog, func() tea.Msg { return dialog.DoneMsg{} }), m.load(),
		common.InfoCmd(common.Truncate(m.notice, 78)), dataChanged)
}

func (m *Model) riskIndex(id string) int {
	for i, r := range m.risks {
		if r.ID == id {
			return i
		}
	}
	return -1
}
