package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/annex-grc/annex/assessments"
)

// ReportControlEntity is how the change history names a report's document control; its
// entity id is the engagement's.
const ReportControlEntity = "report_control"

var reportControlFields = []string{"version", "status", "classification", "distribution", "approver", "approved_on"}

func reportControlMap(c assessments.ReportControl) map[string]string {
	return map[string]string{"version": c.Version, "status": string(c.EffectiveStatus()), "classification": c.Classification.Label(),
		"distribution": c.Distribution, "approver": c.Approver, "approved_on": c.ApprovedOn}
}

var reportControlEntity = entity[assessments.ReportControl]{
	name:   ReportControlEntity,
	fields: reportControlFields,
	toMap:  reportControlMap,
	fromMap: func(stored assessments.ReportControl, m map[string]string) (assessments.ReportControl, error) {
		c := stored
		c.Version, c.Status, c.Classification = m["version"], assessments.ReportStatus(m["status"]), assessments.Classification(m["classification"])
		c.Distribution, c.Approver, c.ApprovedOn = m["distribution"], m["approver"], m["approved_on"]
		return c, nil
	},
	load: func(ctx context.Context, tx *Store, key assessments.ReportControl) (assessments.ReportControl, error) {
		return tx.ReportControl(ctx, key.EngagementID)
	},
	validate: func(_ context.Context, _ *Store, _, next assessments.ReportControl) error { return next.Validate() },
	write: func(ctx context.Context, tx *Store, _, next assessments.ReportControl, _ []FieldDiff) error {
		m := reportControlMap(next)
		if _, err := tx.h.ExecContext(ctx, `INSERT INTO report_controls(engagement_id, version, status, classification, distribution, approver,
			approved_on, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (engagement_id) DO UPDATE SET version=excluded.version, status=excluded.status, classification=excluded.classification,
			distribution=excluded.distribution, approver=excluded.approver, approved_on=excluded.approved_on,
			updated_at=excluded.updated_at, updated_by=excluded.updated_by`,
			next.EngagementID, m["version"], m["status"], m["classification"], m["distribution"], m["approver"], m["approved_on"],
			tx.stamp(), tx.author); err != nil {
			return fmt.Errorf("save the report's document control: %w", err)
		}
		return nil
	},
	ids:    func(c assessments.ReportControl) (string, string) { return c.EngagementID, c.EngagementID },
	label:  func(assessments.ReportControl) string { return "report document control" },
	labels: map[string]string{"approved_on": "approval date"},
}

// ReportControl loads the document control of an engagement's report; an engagement that
// never set one has a draft, confidential report.
func (s *Store) ReportControl(ctx context.Context, engagementID string) (assessments.ReportControl, error) {
	c := assessments.ReportControl{EngagementID: engagementID}
	var status, class, updated string
	err := s.h.QueryRowContext(ctx, `SELECT version, status, classification, distribution, approver, approved_on, updated_at, updated_by
		FROM report_controls WHERE engagement_id = ?`, engagementID).Scan(&c.Version, &status, &class, &c.Distribution, &c.Approver,
		&c.ApprovedOn, &updated, &c.UpdatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return assessments.DefaultReportControl(engagementID), nil
	}
	if err != nil {
		return c, fmt.Errorf("read the report's document control: %w", err)
	}
	c.Status, c.Classification = assessments.ReportStatus(status), assessments.Classification(class)
	c.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
	return c, nil
}

// SaveReportControl saves the fields of the report's document control that differ between
// before (what the caller showed) and after (the single update path, update.go). A final
// report without approver or date is refused with a *assessments.ValidationError.
func (s *Store) SaveReportControl(ctx context.Context, before, after assessments.ReportControl) (assessments.ReportControl, error) {
	if before.EngagementID == "" || before.EngagementID != after.EngagementID {
		return before, errors.New("save the report's document control: before and after name different engagements")
	}
	return update(ctx, s, reportControlEntity, before, after)
}
