package auditpack

import (
	"context"
	"fmt"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
)

// PlanData is what the controlled documents and the treatment plan add to a pack: the
// treatment actions, the SoA versions, the report's document control, and what the last
// pack said (for "what changed since").
type PlanData struct {
	// Actions by risk id, each plan in plan order.
	Actions map[string][]assessments.TreatmentAction
	// SoAVersions by standard, newest first.
	SoAVersions map[string][]assessments.SoAVersion
	Report      assessments.ReportControl
	// Previous is the snapshot of the pack this one is compared with (nil: none), and
	// PreviousFrom says which pack that is, in words.
	Previous     *Snapshot
	PreviousFrom string
	// PackNumber counts the packs of distinct states of the engagement, this one included.
	PackNumber int
}

// loadPlan reads the plan part of d. The pack compared with is the one at opt.Since when
// given, else the last pack written from the workspace of an older state.
func loadPlan(ctx context.Context, s *store.Store, d *Data, opt Options) error {
	p := &d.Plan
	id := d.Engagement.ID
	var err error
	if p.Actions, err = s.TreatmentActions(ctx, id); err != nil {
		return err
	}
	versions, err := s.SoAVersions(ctx, id, "")
	if err != nil {
		return err
	}
	p.SoAVersions = map[string][]assessments.SoAVersion{}
	for _, v := range versions {
		p.SoAVersions[v.Standard] = append(p.SoAVersions[v.Standard], v)
	}
	if p.Report, err = s.ReportControl(ctx, id); err != nil {
		return err
	}
	asOf := d.At.Format(time.RFC3339)
	n, err := s.PackCount(ctx, id, asOf)
	if err != nil {
		return fmt.Errorf("read the packs written: %w", err)
	}
	p.PackNumber = n + 1
	if opt.Since != "" {
		snap, err := SnapshotOfPack(opt.Since, d.Catalogs)
		if err != nil {
			return fmt.Errorf("cannot compare with %s: %w", opt.Since, err)
		}
		p.Previous, p.PreviousFrom = snap, "the pack of "+snap.AsOfText()
		return nil
	}
	rec, ok, err := s.LastPackBefore(ctx, id, asOf)
	if err != nil || !ok {
		return err
	}
	snap, err := ParseSnapshot(rec.Snapshot)
	if err != nil {
		return nil // an unreadable record only loses the comparison
	}
	p.Previous, p.PreviousFrom = snap, "the last pack written from this workspace, of "+snap.AsOfText()
	return nil
}

// actionsOf is the plan of a risk.
func (d *Data) actionsOf(riskID string) []assessments.TreatmentAction { return d.Plan.Actions[riskID] }

// planOf sums up a risk's plan on the pack's day.
func (d *Data) planOf(r assessments.Risk) assessments.PlanState {
	return assessments.PlanOf(r, d.actionsOf(r.ID), d.At)
}

// soaVersions are a standard's versions, newest first.
func (d *Data) soaVersions(std string) []assessments.SoAVersion { return d.Plan.SoAVersions[std] }
