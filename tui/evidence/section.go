package evidence

import (
	"context"
	"fmt"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
)

// Row marks for the gap-analysis list.
const (
	// MarkFlagged: evidence attached to the requirement changed, went missing or expired.
	MarkFlagged = "!"
	// MarkUnevidenced: the requirement is implemented but no valid evidence supports it.
	MarkUnevidenced = "∅"
)

// Section lists the evidence attached to a requirement, each with its state, for the
// gap-analysis detail pane. It warns when an item changed, went missing or expired, and
// says so when an implemented requirement has no evidence at all.
func Section(ctx context.Context, c *common.Common, e assessments.Engagement, standard, ref string) (common.DetailSection, error) {
	sec := common.DetailSection{Title: "Evidence"}
	items, err := c.Store.EvidenceFor(ctx, e.ID, standard, ref)
	if err != nil {
		return sec, err
	}
	now := c.Now()
	if len(items) == 0 {
		r, err := c.Store.Result(ctx, assessments.Key{EngagementID: e.ID, Standard: standard, Ref: ref})
		if err != nil {
			return sec, err
		}
		if r.EffectiveStatus() == assessments.Implemented {
			sec.Lines = []string{MarkUnevidenced + " None attached: implemented, but nothing shows it yet (v attaches evidence)."}
		}
		return sec, nil
	}
	valid := 0
	for _, it := range items {
		st := it.StateAt(now)
		// The state leads the line, so a narrow pane still shows it.
		line := stateMark(st) + " "
		switch st {
		case assessments.StateChanged, assessments.StateMissing:
			sec.Warn = true
			line += st.Label() + " · " + common.OneLine(it.Title) + " · " + string(it.Kind)
		case assessments.StateExpired:
			sec.Warn = true
			line += "expired " + it.ValidUntil + " · " + common.OneLine(it.Title) + " · " + string(it.Kind)
		case assessments.StateExpiring:
			line += common.OneLine(it.Title) + " · " + string(it.Kind) + " · expires " + it.ValidUntil
		default:
			line += common.OneLine(it.Title) + " · " + string(it.Kind)
			if it.ValidUntil != "" {
				line += " · valid until " + it.ValidUntil
			}
		}
		for _, l := range it.Links {
			if l.Target == assessments.LinkRequirement && l.Standard == standard && l.Ref == ref && l.Provenance != "" {
				line += " · " + common.OneLine(l.Provenance)
			}
		}
		if st.Valid() {
			valid++
		}
		sec.Lines = append(sec.Lines, line)
	}
	if sec.Warn {
		sec.Lines = append(sec.Lines, fmt.Sprintf("%d of %d items still valid; open the Evidence tab to check or re-attach them.", valid, len(items)))
	}
	return sec, nil
}

// RowMarks marks, for one standard, the requirements whose evidence is flagged (changed,
// missing or expired: MarkFlagged) and the implemented requirements with no valid evidence
// (MarkUnevidenced).
func RowMarks(ctx context.Context, c *common.Common, e assessments.Engagement, standard string) (map[string]string, error) {
	items, err := c.Store.Evidence(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	results, err := c.Store.Results(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	now := c.Now()
	marks := map[string]string{}
	for _, it := range items {
		if it.StateAt(now).Valid() {
			continue
		}
		for _, l := range it.Links {
			if l.Target == assessments.LinkRequirement && l.Standard == standard {
				marks[l.Ref] = MarkFlagged
			}
		}
	}
	valid := assessments.ValidEvidenceRefs(items, standard, now)
	for ref, r := range results[standard] {
		if r.EffectiveStatus() == assessments.Implemented && !valid[ref] && marks[ref] == "" {
			marks[ref] = MarkUnevidenced
		}
	}
	return marks, nil
}
