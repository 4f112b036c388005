package dashboard

import (
	"context"
	"fmt"
	"math"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

// progressData is what the dashboard shows of the baselines: the statuses at each (the
// readiness trend, now being the results the dashboard read) and the current cycle.
type progressData struct {
	names  []string
	points []store.PointStatuses
	reconf store.Reconfirm
	err    error
}

func loadProgress(ctx context.Context, s *store.Store, engagementID string) progressData {
	var p progressData
	list, err := s.Baselines(ctx, engagementID)
	if err != nil {
		return progressData{err: err}
	}
	var seqs []int64
	for _, b := range list {
		if b.IsCycle() {
			continue // a cycle starts from a baseline already in the trend
		}
		seqs = append(seqs, b.Seq)
		p.names = append(p.names, b.Name)
	}
	if p.points, err = s.StatusesAt(ctx, engagementID, seqs); err != nil {
		return progressData{err: err}
	}
	if p.reconf, err = s.Reconfirmation(ctx, engagementID); err != nil {
		return progressData{err: err}
	}
	return p
}

// trendLine is a standard's readiness across the baselines and now as a sparkline, with
// the change since the latest baseline; "" without a baseline.
func (m *Model) trendLine(c *catalogs.Catalog) string {
	p := m.d.progress
	if p.err != nil || len(p.points) == 0 {
		return ""
	}
	var vals []float64
	for _, pt := range p.points {
		if r, ok := assessments.ReadinessAt(m.c.Catalogs, pt.Standards, pt.Statuses)[c.ID]; ok {
			vals = append(vals, r.Percent())
		}
	}
	if len(vals) == 0 {
		return ""
	}
	now, _ := assessments.ReadinessByGroup(c, m.d.results[c.ID])
	vals = append(vals, now.Percent())
	st := m.c.Styles
	text := fmt.Sprintf("%.0f%% at %q → %.0f%% now", vals[0], p.names[0], now.Percent())
	if len(vals) > 2 {
		text += fmt.Sprintf(" · %s since %q", delta(math.Round(now.Percent())-math.Round(vals[len(vals)-2])), p.names[len(p.names)-1])
	}
	return "  " + st.Label.Render(fmt.Sprintf("%-10s", "Trend")) + st.Accent.Render(assessments.Sparkline(vals)) + "  " + st.Muted.Render(text)
}

// delta is a change in percentage points: "+12", "-3", "±0".
func delta(f float64) string {
	switch {
	case f >= 0.5:
		return fmt.Sprintf("+%.0f", f)
	case f <= -0.5:
		return fmt.Sprintf("%.0f", f)
	}
	return "±0"
}

// reconfirmLine counts what is left to re-confirm in the current cycle; "" without one.
func (m *Model) reconfirmLine() string {
	rc := m.d.progress.reconf
	if rc.Cycle == nil {
		return ""
	}
	pending, total := assessments.ToReconfirm(m.c.Catalogs, m.eng, rc.Touched)
	n := 0
	for _, refs := range pending {
		n += len(refs)
	}
	st := m.c.Styles
	if n == 0 {
		return st.OK.Render(fmt.Sprintf("↻ Cycle %q: every requirement re-confirmed", rc.Cycle.Name))
	}
	return st.Warn.Render(fmt.Sprintf("↻ Cycle %q: %d of %d requirements still to re-confirm (marked ↻ in the gap analysis; c re-confirms)",
		rc.Cycle.Name, n, total))
}
