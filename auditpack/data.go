package auditpack

import (
	"context"
	"fmt"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

// Data is everything a pack is built from: one engagement as read from the workspace.
// Every writer takes Data and nothing else, so writers never touch the store.
type Data struct {
	Engagement assessments.Engagement
	Catalogs   *catalogs.Set
	// Results by standard then ref; a requirement nobody answered has no entry.
	Results map[string]map[string]assessments.Result
	// Changes is the engagement's change history, oldest first.
	Changes []store.Change
	// ChainID is the workspace's chain (its id); Imported is the history that came with the
	// engagement when it was imported, one segment per source chain.
	ChainID  string
	Imported []store.ImportedSegment
	// At is the time of the engagement's last change (the pack's time), never the clock.
	At time.Time
	// Version is the annex version written into the manifest and the report.
	Version string
	// AbsolutePaths keeps the evidence files' full paths in the evidence index.
	AbsolutePaths bool
	// Chain is the end of the workspace's change history, read before the engagement so
	// that it is a part of the history the pack's data already reflects.
	Chain *store.ChainHead

	Parts Parts
	Plan  PlanData

	cache dataCache
	// Baselines are the engagement's baselines and what moved since the latest (progress.go).
	Baselines *Baselines
}

// zeroTime is used when a workspace has no change at all: zip's epoch.
var zeroTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Load reads an engagement and everything linked to it (without the kept evidence files).
func Load(ctx context.Context, s *store.Store, set *catalogs.Set, engagementID, version string) (*Data, error) {
	return load(ctx, s, set, engagementID, Options{Version: version})
}

func load(ctx context.Context, s *store.Store, set *catalogs.Set, engagementID string, opt Options) (*Data, error) {
	head, err := s.PackChainHead(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the end of the change history: %w", err)
	}
	e, err := s.Engagement(ctx, engagementID)
	if err != nil {
		return nil, err
	}
	results, err := s.Results(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	changes, err := s.Changes(ctx, store.ChangeFilter{EngagementID: e.ID})
	if err != nil {
		return nil, err
	}
	at, err := s.LastChangeAt(ctx, e.ID)
	if err != nil {
		return nil, fmt.Errorf("read the time of the last change: %w", err)
	}
	d := &Data{Engagement: e, Catalogs: set, Results: results, Changes: changes, At: packTime(at), Version: opt.Version,
		AbsolutePaths: opt.AbsolutePaths, Chain: &head}
	if d.ChainID, err = s.HistoryChainID(ctx); err != nil {
		return nil, err
	}
	if d.Imported, err = s.ImportedHistory(ctx, e.ID); err != nil {
		return nil, err
	}
	if err := loadParts(ctx, s, d, opt.WithEvidenceFiles); err != nil {
		return nil, err
	}
	if err := loadPlan(ctx, s, d, opt); err != nil {
		return nil, err
	}
	if err := loadProgress(ctx, s, d); err != nil {
		return nil, err
	}
	return d, nil
}

// packTime parses the stored RFC 3339 stamp, truncated to whole seconds (zip and XLSX keep
// seconds only) and in UTC.
func packTime(stamp string) time.Time {
	if stamp == "" {
		return zeroTime
	}
	t, err := time.Parse(time.RFC3339Nano, stamp)
	if err != nil || t.Before(zeroTime) {
		return zeroTime
	}
	return t.UTC().Truncate(time.Second)
}

// Result returns the stored result of a requirement, or a not-assessed one.
func (d *Data) Result(std, ref string) assessments.Result {
	if r, ok := d.Results[std][ref]; ok {
		return r
	}
	return assessments.Result{EngagementID: d.Engagement.ID, Standard: std, Ref: ref, Status: assessments.NotAssessed}
}

// Standards lists the catalogs in scope that annex knows, in the engagement's order.
func (d *Data) Standards() []*catalogs.Catalog {
	var out []*catalogs.Catalog
	for _, id := range d.Engagement.Standards {
		if c, ok := d.Catalogs.Get(id); ok {
			out = append(out, c)
		}
	}
	return out
}

// StatusOf is the effective status of a requirement.
func (d *Data) StatusOf(std, ref string) assessments.Status {
	return d.Result(std, ref).EffectiveStatus()
}

// Readiness per standard and per group.
func (d *Data) Readiness(c *catalogs.Catalog) (assessments.Readiness, map[string]assessments.Readiness) {
	return assessments.ReadinessByGroup(c, d.Results[c.ID])
}
