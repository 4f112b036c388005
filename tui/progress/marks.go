package progress

import (
	"context"
	"fmt"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/tui/common"
)

// ReconfirmMark marks in the gap list a requirement still to be re-confirmed in the current
// cycle: not edited, nor re-confirmed as it stands, since the cycle began.
const ReconfirmMark = "↻"

// RowMarks marks, for one standard, the requirements still to be re-confirmed (none when
// no cycle was started).
func RowMarks(ctx context.Context, c *common.Common, e assessments.Engagement, standard string) (map[string]string, error) {
	rc, err := c.Store.Reconfirmation(ctx, e.ID)
	if err != nil || rc.Cycle == nil {
		return nil, err
	}
	cat, ok := c.Catalogs.Get(standard)
	if !ok {
		return nil, nil
	}
	marks := map[string]string{}
	for _, req := range cat.Requirements {
		if rc.Pending(standard, req.Ref) {
			marks[req.Ref] = ReconfirmMark
		}
	}
	return marks, nil
}

// Reconfirm records that a requirement is re-confirmed as it stands in the current cycle;
// it returns the status line's words.
func Reconfirm(ctx context.Context, c *common.Common, e assessments.Engagement, standard, ref string) (string, error) {
	n, err := c.Store.ReconfirmResults(ctx, e.ID, assessments.Key{EngagementID: e.ID, Standard: standard, Ref: ref})
	if err != nil {
		return "", err
	}
	name := standard
	if cat, ok := c.Catalogs.Get(standard); ok {
		name = cat.Short
	}
	if n == 0 {
		return fmt.Sprintf("%s %s was already re-confirmed in this cycle.", name, ref), nil
	}
	return fmt.Sprintf("%s %s re-confirmed as it stands.", name, ref), nil
}
