package dashboard

import (
	"cmp"
	"context"
	"slices"
	"sort"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

// data is everything the dashboard shows, read in one command. Risks and evidence are
// overviews (store.RiskOverview, store.EvidenceOverview): the fields the figures use.
type data struct {
	results  map[string]map[string]assessments.Result
	evidence []assessments.Evidence
	risks    []assessments.Risk
	matrix   assessments.Matrix
	riskErr  error
	impacts  assessments.ImpactSummary
	aiErr    error
	// actions are the treatment plans by risk id (their overdue steps are listed).
	actions map[string][]assessments.TreatmentAction
	// progress: the baselines' readiness trend and the current cycle (progress.go)
	progress progressData
	// findings of the internal audits, with their actions (audits.go)
	findings []assessments.FindingView
	auditErr error
}

func load(ctx context.Context, s *store.Store, engagementID string) (data, error) {
	var d data
	var err error
	if d.results, err = s.Results(ctx, engagementID); err != nil {
		return d, err
	}
	if d.evidence, err = s.EvidenceOverview(ctx, engagementID); err != nil {
		return d, err
	}
	// Risks and AI systems are other parts of the workspace; a problem there hides their
	// panel rather than the whole dashboard.
	if d.risks, d.riskErr = s.RiskOverview(ctx, engagementID); d.riskErr == nil {
		d.matrix, d.riskErr = s.RiskMatrix(ctx, engagementID)
	}
	if d.riskErr == nil {
		d.actions, d.riskErr = s.TreatmentActions(ctx, engagementID)
	}
	d.impacts, d.aiErr = s.ImpactAssessmentStatus(ctx, engagementID)
	d.progress = loadProgress(ctx, s, engagementID)
	d.findings, d.auditErr = s.FindingViews(ctx, engagementID)
	return d, nil
}

// standardFigures are one standard's readiness, assessed and evidenced shares, overall and
// per group.
type standardFigures struct {
	catalog   *catalogs.Catalog
	total     assessments.Readiness
	groups    map[string]assessments.Readiness
	evidenced assessments.Evidenced
	evGroups  map[string]assessments.Evidenced
}

func figuresFor(c *catalogs.Catalog, d data, now time.Time) standardFigures {
	f := standardFigures{catalog: c}
	f.total, f.groups = assessments.ReadinessByGroup(c, d.results[c.ID])
	f.evidenced, f.evGroups = assessments.EvidencedByGroup(c, d.results[c.ID], d.evidence, now)
	return f
}

// rankedRisk is a risk with its residual level for the top-risks panel.
type rankedRisk struct {
	risk   assessments.Risk
	level  assessments.Level
	scored bool
}

// topRisks orders the risks that are not closed by residual level, then score, then ref.
// It sorts small keys, not the risks: moving whole risk records made the sort most of the
// dashboard's drawing time with a register of thousands.
func topRisks(risks []assessments.Risk, m assessments.Matrix) []rankedRisk {
	type key struct {
		i, level, score, seq int
		scored               bool
	}
	keys := make([]key, 0, len(risks))
	levels := make([]assessments.Level, len(risks))
	for i, r := range risks {
		if r.EffectiveStatus() == assessments.RiskClosed {
			continue
		}
		k := key{i: i, seq: assessments.RiskSeq(r.Ref)}
		res := r.EffectiveResidual()
		levels[i], k.scored = m.LevelOf(res)
		k.level, k.score = levels[i].Index, res.Likelihood*res.Consequence
		keys = append(keys, k)
	}
	slices.SortStableFunc(keys, func(a, b key) int {
		switch {
		case a.scored != b.scored:
			if a.scored {
				return -1
			}
			return 1
		case a.level != b.level:
			return cmp.Compare(b.level, a.level)
		case a.score != b.score:
			return cmp.Compare(b.score, a.score)
		}
		return cmp.Compare(a.seq, b.seq)
	})
	out := make([]rankedRisk, len(keys))
	for n, k := range keys {
		out[n] = rankedRisk{risk: risks[k.i], level: levels[k.i], scored: k.scored}
	}
	return out
}

// overdueItem is one thing past its date.
type overdueItem struct {
	date string // the date that passed
	what string // "Target date", "Risk review", ...
	text string // what it is about
	// std and ref name the requirement of a target date, so enter can go to it.
	std, ref string
}

func overdueItems(set *catalogs.Set, e assessments.Engagement, d data, now time.Time) []overdueItem {
	var out []overdueItem
	for _, std := range e.Standards {
		c, ok := set.Get(std)
		if !ok {
			continue
		}
		for _, req := range c.Requirements {
			r, ok := d.results[std][req.Ref]
			if !ok || !assessments.Overdue(r.TargetDate, now) {
				continue
			}
			switch r.EffectiveStatus() {
			case assessments.Implemented, assessments.NotApplicable:
				continue
			}
			text := c.Short + " " + req.Ref + " " + req.Title
			if r.Owner != "" {
				text += " (" + r.Owner + ")"
			}
			out = append(out, overdueItem{date: r.TargetDate, what: "Target date", text: text, std: std, ref: req.Ref})
		}
	}
	if d.riskErr == nil {
		for _, r := range d.risks {
			if r.ReviewOverdue(now) {
				out = append(out, overdueItem{date: r.ReviewDate, what: "Risk review", text: r.Ref + " " + r.Title})
			}
			for _, a := range d.actions[r.ID] {
				if a.Overdue(now) {
					text := r.Ref + " " + a.Title
					if a.Owner != "" {
						text += " (" + a.Owner + ")"
					}
					out = append(out, overdueItem{date: a.DueDate, what: "Treatment action", text: text})
				}
			}
		}
	}
	if d.aiErr == nil {
		for _, la := range d.impacts.Latest {
			if la.Overdue {
				out = append(out, overdueItem{date: la.NextReview, what: "Impact review", text: la.System.Name})
			}
		}
	}
	for _, it := range d.evidence {
		if it.StateAt(now) == assessments.StateExpired {
			out = append(out, overdueItem{date: it.ValidUntil, what: "Evidence expired", text: it.Title})
		}
	}
	out = append(out, overdueActions(d, now)...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].date != out[j].date {
			return out[i].date < out[j].date
		}
		return out[i].text < out[j].text
	})
	return out
}
