package export

import (
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

// The management report's document control (r): version, status draft or final,
// classification, distribution, approver and date, set per engagement in a small form and
// printed on the report's first page.

// Report form field keys: the domain's validation field names.
const (
	rVersion, rStatus, rClass, rDistribution, rApprover, rApprovedOn = "version", "status", "classification", "distribution", "approver", "approved_on"
)

type (
	reportLoadedMsg struct {
		seq int
		c   assessments.ReportControl
		err error
	}
	reportSavedMsg struct {
		dialog string
		c      assessments.ReportControl
		err    error
	}
)

func (m *Model) reportDialogID() string { return m.Address() + "/report" }

// loadReport reads the engagement's report settings.
func (m *Model) loadReport() tea.Cmd {
	c, id, seq := m.c, m.e.ID, m.seq
	return common.Send(m.Address(), func() tea.Msg {
		rc, err := c.Store.ReportControl(c.Ctx, id)
		return reportLoadedMsg{seq: seq, c: rc, err: err}
	})
}

func reportValues(c assessments.ReportControl) form.Values {
	return form.Values{rVersion: c.Version, rStatus: string(c.EffectiveStatus()), rClass: c.Classification.Label(),
		rDistribution: c.Distribution, rApprover: c.Approver, rApprovedOn: c.ApprovedOn}
}

func reportFromValues(base assessments.ReportControl, v form.Values) assessments.ReportControl {
	c := base
	c.Version, c.Status, c.Classification = strings.TrimSpace(v[rVersion]), assessments.ReportStatus(v[rStatus]), assessments.Classification(v[rClass])
	c.Distribution, c.Approver, c.ApprovedOn = strings.TrimSpace(v[rDistribution]), strings.TrimSpace(v[rApprover]), strings.TrimSpace(v[rApprovedOn])
	return c
}

// openReport opens the report settings form.
func (m *Model) openReport() tea.Cmd {
	var statuses, classes []form.Option
	for _, s := range assessments.ReportStatuses {
		statuses = append(statuses, form.Option{Value: string(s), Label: string(s)})
	}
	for _, c := range assessments.Classifications {
		classes = append(classes, form.Option{Value: string(c), Label: string(c)})
	}
	final := func(v form.Values) bool { return v[rStatus] == string(assessments.ReportFinal) || v[rApprover] != "" }
	d := dialog.NewForm(m.c.Styles, m.reportDialogID(), m.Address(), "Report document control",
		"Printed on the first page of the management report in every pack: what the document is, who approved it and who receives it.",
		reportValues(m.report),
		form.Field{Key: rStatus, Label: "Status", Kind: form.Choice, Options: statuses, Help: "final needs who approved it and when"},
		form.Field{Key: rClass, Label: "Classification", Kind: form.Choice, Options: classes},
		form.Field{Key: rVersion, Label: "Version", Kind: form.Text, Limit: assessments.MaxVersionLen, Placeholder: "numbered by the packs exported"},
		form.Field{Key: rDistribution, Label: "Distribution", Kind: form.MultiLine, Lines: 2, Limit: 2000, Placeholder: "who receives the report"},
		form.Field{Key: rApprover, Label: "Approved by", Kind: form.Person, Limit: assessments.MaxNameLen, Show: final},
		form.Field{Key: rApprovedOn, Label: "Approved on", Kind: form.Date, Show: final},
	)
	if m.c.Now != nil {
		d.Inner().SetNow(m.c.Now)
	}
	d.Inner().SetPeople(m.people)
	return common.OpenDialog(d)
}

// onReportSubmit checks the settings with the domain rule and saves them.
func (m *Model) onReportSubmit(msg dialog.SubmitMsg) tea.Cmd {
	before := m.report
	after := reportFromValues(before, msg.Values)
	if probs := after.Problems(); len(probs) > 0 {
		errs := map[string]string{}
		for _, p := range probs {
			errs[p.Field] = p.Message
		}
		return common.Send(msg.ID, func() tea.Msg { return dialog.FailMsg{Errors: errs} })
	}
	c, dlg := m.c, msg.ID
	return common.Send(m.Address(), func() tea.Msg {
		saved, err := c.Store.SaveReportControl(c.Ctx, before, after)
		return reportSavedMsg{dialog: dlg, c: saved, err: err}
	})
}

func (m *Model) onReportSaved(msg reportSavedMsg) tea.Cmd {
	if msg.err != nil {
		field, text := rStatus, msg.err.Error()
		var ve *assessments.ValidationError
		if errors.As(msg.err, &ve) {
			field, text = ve.Field, ve.Message
		}
		return tea.Batch(common.Send(msg.dialog, func() tea.Msg { return dialog.FailMsg{Errors: map[string]string{field: text}} }), m.loadReport())
	}
	m.report = msg.c
	return tea.Batch(common.Send(msg.dialog, func() tea.Msg { return dialog.DoneMsg{} }),
		common.InfoCmd("Report: "+m.reportSummary()))
}

// reportSummary is the settings in one line.
func (m *Model) reportSummary() string {
	c := m.report
	s := fmt.Sprintf("%s · %s", c.EffectiveStatus(), c.Classification.Label())
	if c.Version != "" {
		s += " · version " + c.Version
	}
	if c.Approver != "" {
		s += " · approved by " + common.OneLine(c.Approver)
		if c.ApprovedOn != "" {
			s += " on " + c.ApprovedOn
		}
	}
	if d := strings.TrimSpace(c.Distribution); d != "" {
		s += " · to " + common.OneLine(d)
	}
	return s
}
