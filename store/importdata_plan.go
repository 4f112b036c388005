package store

import (
	"context"
	"fmt"
	"time"
)

// importPlan writes the treatment actions, the SoA versions (approved ones stay approved,
// with their contents) and the report's document control of an imported engagement. Call
// it on a handle bound to a transaction, after the risks.
func (s *Store) importPlan(ctx context.Context, engagementID string, in ImportData, newID func(string) string,
	ts func(time.Time) string, by func(string) string) error {
	for _, a := range in.Actions {
		a.ID, a.RiskID, a.EngagementID = newID(a.ID), newID(a.RiskID), engagementID
		if _, err := s.insertAction(ctx, a, ts(a.CreatedAt), ts(a.UpdatedAt), by(a.UpdatedBy), true); err != nil {
			return fmt.Errorf("import treatment action %q: %w", a.Title, err)
		}
	}
	for _, v := range in.SoAVersions {
		v.ID, v.EngagementID = newID(v.ID), engagementID
		if _, err := s.insertSoAVersion(ctx, v, true); err != nil {
			return fmt.Errorf("import SoA %s version %d: %w", v.Standard, v.Version, err)
		}
	}
	if c := in.ReportControl; c != nil {
		c.EngagementID = engagementID
		if err := c.Validate(); err != nil {
			return fmt.Errorf("import the report's document control: %w", err)
		}
		m := reportControlMap(*c)
		if _, err := s.h.ExecContext(ctx, `INSERT INTO report_controls(engagement_id, version, status, classification, distribution, approver,
			approved_on, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, engagementID, m["version"], m["status"], m["classification"],
			m["distribution"], m["approver"], m["approved_on"], ts(c.UpdatedAt), by(c.UpdatedBy)); err != nil {
			return fmt.Errorf("import the report's document control: %w", err)
		}
		if err := s.Record(ctx, engagementID, ReportControlEntity, engagementID, []FieldDiff{{Field: "imported", New: m["status"]}}); err != nil {
			return err
		}
	}
	return nil
}
