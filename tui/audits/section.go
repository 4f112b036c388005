package audits

import (
	"context"
	"fmt"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
)

// MarkContradiction marks, in the gap-analysis list, a requirement marked implemented that
// an open major nonconformity of an internal audit says is not met.
const MarkContradiction = "⊘"

// Section lists the open findings of internal audits on a requirement, for the
// gap-analysis detail pane, with their corrective actions. It warns on an open major
// nonconformity, and says so when the requirement is marked implemented all the same.
func Section(ctx context.Context, c *common.Common, e assessments.Engagement, standard, ref string) (common.DetailSection, error) {
	sec := common.DetailSection{Title: "Internal audit findings"}
	findings, err := c.Store.FindingsOn(ctx, e.ID, standard, ref)
	if err != nil || len(findings) == 0 {
		return sec, err
	}
	actions, err := c.Store.CorrectiveActions(ctx, e.ID)
	if err != nil {
		return sec, err
	}
	now := c.Now()
	open := 0
	for _, v := range assessments.Views(findings, actions) {
		if v.Status != assessments.FindingOpen {
			continue
		}
		open++
		f := v.Finding
		line := fmt.Sprintf("%s %s · open · %s", f.Ref, f.Grade.Short(), common.OneLine(firstLine(f.Statement)))
		pending, overdue := 0, 0
		for _, a := range v.Actions {
			if a.EffectiveState() != assessments.CorrectiveVerified {
				pending++
			}
			if a.Overdue(now) {
				overdue++
			}
		}
		switch {
		case len(v.Actions) == 0 && f.Grade.Nonconformity():
			line += " · no corrective action yet"
		case pending > 0:
			line += fmt.Sprintf(" · %d of %d actions to verify", pending, len(v.Actions))
		}
		if overdue > 0 {
			line += fmt.Sprintf(" · ! %d overdue", overdue)
			sec.Warn = true
		}
		if f.Grade == assessments.GradeMajor {
			sec.Warn = true
			r, err := c.Store.Result(ctx, assessments.Key{EngagementID: e.ID, Standard: standard, Ref: ref})
			if err == nil && r.EffectiveStatus() == assessments.Implemented {
				sec.Lines = append(sec.Lines, MarkContradiction+" Marked implemented, but this open major nonconformity says it is not met.")
			}
		}
		sec.Lines = append(sec.Lines, line)
	}
	if open > 0 {
		sec.Title = fmt.Sprintf("Internal audit findings (%d open)", open)
	}
	return sec, nil
}

// RowMarks marks, for one standard, the requirements marked implemented that an open major
// nonconformity contradicts.
func RowMarks(ctx context.Context, c *common.Common, e assessments.Engagement, standard string) (map[string]string, error) {
	views, err := c.Store.FindingViews(ctx, e.ID)
	if err != nil || len(views) == 0 {
		return nil, err
	}
	results, err := c.Store.Results(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	marks := map[string]string{}
	for _, r := range assessments.Contradictions(results, views) {
		if r.Standard == standard {
			marks[r.Ref] = MarkContradiction
		}
	}
	return marks, nil
}
