package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/annex-grc/annex/assessments"
)

// ImportData is one engagement to load into a workspace, as read from an audit pack's
// data.json: the rows keep their own ids and times, so exporting the imported engagement
// gives the same data.json again.
type ImportData struct {
	Engagement      assessments.Engagement
	Results         []assessments.Result
	Matrix          *assessments.Matrix // nil: the default matrix
	RiskSequence    int                 // last risk number handed out
	Risks           []assessments.Risk
	AISystems       []assessments.AISystem
	Assessments     []assessments.ImpactAssessment
	ImpactLinks     []ImpactRiskLink
	Classifications []assessments.AIActRecord // EU AI Act classification versions
	Evidence        []assessments.Evidence
	// Blobs are kept evidence files by evidence id (from a pack made with evidence files).
	Blobs map[string]ImportBlob
	Skips []SkipKey
	// History is the change history that came with the engagement, one segment per source
	// chain; each is kept as it was and anchored in this workspace's chain.
	History []HistorySegment
	// The SoA versions, the treatment plans and the report's document control
	// (importdata_plan.go).
	SoAVersions   []assessments.SoAVersion
	Actions       []assessments.TreatmentAction
	ReportControl *assessments.ReportControl
	// Audits is the audit programme; AuditSequences the last audit number per year.
	Audits         []ImportAudit
	AuditSequences map[int]int
}

// ImportBlob is a kept evidence file travelling with an import.
type ImportBlob struct {
	Name string
	Data []byte
}

// ImportOptions shape an import.
type ImportOptions struct {
	// AsCopy gives the engagement (and everything in it) new ids and marks its name as a
	// copy, so an engagement already in the workspace can be imported beside itself.
	AsCopy bool
	// Source names where the data came from (a file name), for the change history.
	Source string
}

// ErrEngagementExists is matched (errors.Is) when the workspace already has the id.
var ErrEngagementExists = errors.New("engagement already in the workspace")

// existsError names the engagement that is already there.
type existsError struct{ name, id string }

func (e *existsError) Error() string {
	return fmt.Sprintf("the workspace already has engagement %q (%s); import it with --as-copy to add it under new ids", e.name, e.id)
}

func (e *existsError) Is(target error) bool { return target == ErrEngagementExists }

// ImportEngagement writes an engagement and its rows in one transaction: either all of it
// lands, with one change row per imported entity, or nothing does.
func (s *Store) ImportEngagement(ctx context.Context, in ImportData, opt ImportOptions) (assessments.Engagement, error) {
	e := in.Engagement
	if strings.TrimSpace(e.ID) == "" {
		return e, errors.New("the engagement to import has no id")
	}
	if opt.AsCopy {
		e.ID = NewID()
		e.Name = copyName(e.Name)
	}
	now := s.now().UTC()
	if e.CreatedAt.IsZero() {
		e.CreatedAt = now
	}
	if e.UpdatedAt.IsZero() {
		e.UpdatedAt = e.CreatedAt
	}
	if e.Status == "" {
		e.Status = assessments.EngagementActive
	}
	source := opt.Source
	if source == "" {
		source = "an annex export"
	}
	err := s.WithTx(ctx, func(tx *Store) error {
		var n int
		if err := tx.h.QueryRowContext(ctx, "SELECT count(*) FROM engagements WHERE id = ?", e.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &existsError{name: in.Engagement.Name, id: e.ID}
		}
		if _, err := tx.h.ExecContext(ctx, `INSERT INTO engagements(id, name, organisation, scope, lead, start_date, end_date, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.Name, e.Organisation, e.Scope, e.Lead, e.StartDate, e.EndDate, string(e.Status),
			e.CreatedAt.UTC().Format(time.RFC3339Nano), e.UpdatedAt.UTC().Format(time.RFC3339Nano)); err != nil {
			return fmt.Errorf("import engagement: %w", err)
		}
		if err := writeStandards(ctx, tx.h, e.ID, e.Standards); err != nil {
			return err
		}
		what := "imported from " + source
		if opt.AsCopy {
			what = fmt.Sprintf("imported from %s as a copy of engagement %s", source, in.Engagement.ID)
		}
		if err := tx.Record(ctx, e.ID, "engagement", e.ID, []FieldDiff{{Field: "imported", New: what}}); err != nil {
			return err
		}
		if err := tx.importHistory(ctx, e.ID, in.History, source); err != nil {
			return err
		}
		if err := tx.importResults(ctx, e.ID, in.Results); err != nil {
			return err
		}
		return tx.importParts(ctx, e.ID, in, opt.AsCopy)
	})
	if err != nil {
		return assessments.Engagement{}, err
	}
	return e, nil
}

// copyName marks a copied engagement's name, within the name limit.
func copyName(name string) string {
	const suffix = " (copy)"
	if utf8.RuneCountInString(name)+len(suffix) > assessments.MaxNameLen {
		r := []rune(name)
		name = string(r[:assessments.MaxNameLen-len(suffix)])
	}
	return name + suffix
}

// importResults writes imported results; call it on a handle bound to a transaction.
func (s *Store) importResults(ctx context.Context, engagementID string, results []assessments.Result) error {
	seen := map[[2]string]bool{}
	for _, r := range results {
		r.EngagementID = engagementID
		if err := r.Validate(); err != nil {
			return fmt.Errorf("result %s %s: %w", r.Standard, r.Ref, err)
		}
		k := [2]string{r.Standard, r.Ref}
		if seen[k] {
			return fmt.Errorf("result %s %s appears twice", r.Standard, r.Ref)
		}
		seen[k] = true
		reasons := make([]string, len(r.Reasons))
		for i, x := range r.Reasons {
			reasons[i] = string(x)
		}
		at := r.UpdatedAt
		if at.IsZero() {
			at = s.now()
		}
		by := r.UpdatedBy
		if by == "" {
			by = s.author
		}
		if _, err := s.h.ExecContext(ctx, `INSERT INTO results(engagement_id, standard, ref, status, maturity, notes, owner, target_date, justification, reasons,
			needs_review, provenance, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, engagementID, r.Standard, r.Ref, string(r.EffectiveStatus()), maturityArg(r.Maturity), r.Notes, r.Owner, r.TargetDate,
			r.Justification, strings.Join(reasons, ","), boolInt(r.NeedsReview), r.Provenance, at.UTC().Format(time.RFC3339Nano), by); err != nil {
			return fmt.Errorf("import result %s %s: %w", r.Standard, r.Ref, err)
		}
		if err := s.Record(ctx, engagementID, "result", ResultEntityID(r.Key()), []FieldDiff{{Field: "imported", New: string(r.EffectiveStatus())}}); err != nil {
			return err
		}
	}
	return nil
}
