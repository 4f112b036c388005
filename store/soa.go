package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

// SoAEntity is how the change history names a version of a Statement of Applicability.
const SoAEntity = "soa_version"

// soaFields are the fields of a version the history tracks. entries (the snapshot itself)
// is written but recorded through its digest, contents_sha256: the history stays readable
// and still proves what a version held.
var soaFields = []string{"state", "change_summary", "approver", "approved_on", "contents_sha256", "entries"}

func entriesJSON(entries []assessments.SoAEntry) string {
	b, _ := json.Marshal(assessments.NormalEntries(entries))
	return string(b)
}

func soaMap(v assessments.SoAVersion) map[string]string {
	return map[string]string{
		"state": string(v.State), "change_summary": v.ChangeSummary, "approver": v.Approver, "approved_on": v.ApprovedOn,
		"contents_sha256": v.Digest(), "entries": entriesJSON(v.Entries),
	}
}

func soaFromMap(stored assessments.SoAVersion, m map[string]string) (assessments.SoAVersion, error) {
	v := stored
	v.State, v.ChangeSummary = assessments.SoAState(m["state"]), m["change_summary"]
	v.Approver, v.ApprovedOn = m["approver"], m["approved_on"]
	v.Entries = nil
	if err := json.Unmarshal([]byte(m["entries"]), &v.Entries); err != nil {
		return v, fmt.Errorf("read the entries of SoA version %d: %w", v.Version, err)
	}
	return v, nil
}

// soaEntity is how update saves a version: the approval of a draft, or a draft issued again
// with the SoA as it stands. An approved version is frozen.
var soaEntity = entity[assessments.SoAVersion]{
	name:    SoAEntity,
	fields:  soaFields,
	quiet:   map[string]bool{"entries": true},
	toMap:   soaMap,
	fromMap: soaFromMap,
	load: func(ctx context.Context, tx *Store, key assessments.SoAVersion) (assessments.SoAVersion, error) {
		return tx.SoAVersion(ctx, key.ID)
	},
	editable: assessments.SoAVersion.CheckEditable,
	validate: func(_ context.Context, _ *Store, _, next assessments.SoAVersion) error { return next.Validate() },
	write: func(ctx context.Context, tx *Store, stored, next assessments.SoAVersion, changed []FieldDiff) error {
		issuedAt, issuedBy := stored.IssuedAt.UTC().Format(time.RFC3339Nano), stored.IssuedBy
		for _, d := range changed {
			if d.Field == "contents_sha256" || d.Field == "entries" {
				// Issued again: the snapshot is taken now, by this author.
				issuedAt, issuedBy = tx.stamp(), tx.author
			}
		}
		if _, err := tx.h.ExecContext(ctx, `UPDATE soa_versions SET state=?, change_summary=?, approver=?, approved_on=?, entries=?,
			contents_sha256=?, issued_at=?, issued_by=?, updated_at=?, updated_by=? WHERE id=?`,
			string(next.State), next.ChangeSummary, next.Approver, next.ApprovedOn, entriesJSON(next.Entries), next.Digest(),
			issuedAt, issuedBy, tx.stamp(), tx.author, stored.ID); err != nil {
			return fmt.Errorf("save SoA version %d: %w", stored.Version, err)
		}
		return nil
	},
	ids:    func(v assessments.SoAVersion) (string, string) { return v.ID, v.EngagementID },
	label:  func(v assessments.SoAVersion) string { return fmt.Sprintf("SoA %s v%d", v.Standard, v.Version) },
	labels: map[string]string{"change_summary": "change summary", "approved_on": "approval date", "contents_sha256": "contents"},
	words: func(field, v string) string {
		if field == "contents_sha256" && len(v) > 12 {
			return "SHA-256 " + v[:12] + "…"
		}
		return v
	},
}

// IssueSoA issues the Statement of Applicability of one standard as entries describe it:
// version n+1 as a draft, or, while the latest version is a draft, that draft again with
// the new entries and summary (reissued). The history records the version, its state, the
// summary and the SHA-256 of its contents. A summary left empty is refused.
func (s *Store) IssueSoA(ctx context.Context, engagementID, standard string, entries []assessments.SoAEntry, summary string) (v assessments.SoAVersion, reissued bool, err error) {
	err = s.WithTx(ctx, func(tx *Store) error {
		if _, err := tx.Engagement(ctx, engagementID); err != nil {
			return err
		}
		versions, err := tx.SoAVersions(ctx, engagementID, standard)
		if err != nil {
			return err
		}
		next, again := assessments.NextSoAVersion(versions, standard, entries, summary)
		reissued = again
		if again {
			before, _ := assessments.LatestSoA(versions)
			v, err = update(ctx, tx, soaEntity, before, next)
			return err
		}
		next.EngagementID = engagementID
		v, err = tx.insertSoAVersion(ctx, next, false)
		return err
	})
	return v, reissued, err
}

// insertSoAVersion stores a new version with its creation rows (for an import: the version,
// its state and the digest of its contents); call it on a handle bound to a transaction.
func (s *Store) insertSoAVersion(ctx context.Context, v assessments.SoAVersion, imported bool) (assessments.SoAVersion, error) {
	if v.ID == "" {
		v.ID = NewID()
	}
	now := s.stamp()
	issued, by := now, s.author
	if !v.IssuedAt.IsZero() {
		issued = v.IssuedAt.UTC().Format(time.RFC3339Nano)
	}
	if v.IssuedBy != "" {
		by = v.IssuedBy
	}
	if v.IssuedAt.IsZero() {
		v.IssuedAt, _ = time.Parse(time.RFC3339Nano, now)
	}
	if err := v.Validate(); err != nil {
		return v, err
	}
	var n int
	if err := s.h.QueryRowContext(ctx, "SELECT count(*) FROM soa_versions WHERE engagement_id = ? AND standard = ? AND version = ?",
		v.EngagementID, v.Standard, v.Version).Scan(&n); err != nil {
		return v, fmt.Errorf("read SoA versions: %w", err)
	}
	if n > 0 {
		return v, fmt.Errorf("the SoA of %s already has a version %d", v.Standard, v.Version)
	}
	m := soaMap(v)
	updated, updatedBy := now, s.author
	if !v.UpdatedAt.IsZero() {
		updated = v.UpdatedAt.UTC().Format(time.RFC3339Nano)
	}
	if v.UpdatedBy != "" {
		updatedBy = v.UpdatedBy
	}
	if _, err := s.h.ExecContext(ctx, `INSERT INTO soa_versions(id, engagement_id, standard, version, state, change_summary, approver, approved_on,
		entries, contents_sha256, issued_at, issued_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.ID, v.EngagementID, v.Standard, v.Version, m["state"], m["change_summary"], m["approver"], m["approved_on"], m["entries"],
		m["contents_sha256"], issued, by, updated, updatedBy); err != nil {
		return v, fmt.Errorf("save SoA version %d: %w", v.Version, err)
	}
	rows := append([]FieldDiff{{Field: "created", New: "yes"}, {Field: "standard", New: v.Standard}, {Field: "version", New: strconv.Itoa(v.Version)}},
		soaEntity.recorded(Diff(soaFields, map[string]string{}, m))...)
	if imported {
		rows = []FieldDiff{{Field: "imported", New: fmt.Sprintf("%s v%d %s", v.Standard, v.Version, v.State)}, {Field: "contents_sha256", New: m["contents_sha256"]}}
	}
	if err := s.Record(ctx, v.EngagementID, SoAEntity, v.ID, rows); err != nil {
		return v, err
	}
	return s.SoAVersion(ctx, v.ID)
}

// ApproveSoA records the approval of a draft version by a person on a date (the single
// update path): an approved version is refused with an *assessments.SoAFrozenError, a
// version issued again since the caller read it with a *ConflictError, a missing name or
// date with an *assessments.ValidationError.
func (s *Store) ApproveSoA(ctx context.Context, before assessments.SoAVersion, by, date string) (assessments.SoAVersion, error) {
	after, err := before.Approve(by, date)
	if err != nil {
		return before, err
	}
	var saved assessments.SoAVersion
	err = s.WithTx(ctx, func(tx *Store) error {
		// An approval is given for the contents the approver saw: a draft issued again since
		// is another text, whatever field the approval itself edits.
		stored, err := tx.SoAVersion(ctx, before.ID)
		if err != nil {
			return err
		}
		if stored.Frozen() {
			return stored.CheckEditable()
		}
		if d := stored.Digest(); d != before.Digest() {
			return &ConflictError{Entity: soaEntity.label(stored), Field: "contents_sha256", FieldLabel: "contents",
				Theirs: soaEntity.words("contents_sha256", d), Mine: soaEntity.words("contents_sha256", before.Digest())}
		}
		saved, err = update(ctx, tx, soaEntity, before, after)
		return err
	})
	if err != nil {
		return before, err
	}
	return saved, nil
}

// WithdrawSoA removes a draft version; the history keeps a row. An approved version is part
// of the record and is refused with an *assessments.SoAFrozenError.
func (s *Store) WithdrawSoA(ctx context.Context, id string) error {
	return s.WithTx(ctx, func(tx *Store) error {
		v, err := tx.SoAVersion(ctx, id)
		if err != nil {
			return err
		}
		if err := v.CheckEditable(); err != nil {
			return err
		}
		if _, err := tx.h.ExecContext(ctx, "DELETE FROM soa_versions WHERE id = ?", id); err != nil {
			return fmt.Errorf("withdraw SoA version %d: %w", v.Version, err)
		}
		return tx.Record(ctx, v.EngagementID, SoAEntity, id, []FieldDiff{{Field: "deleted", Old: fmt.Sprintf("v%d draft", v.Version), New: "yes"}})
	})
}

// SoAVersion loads one version by id.
func (s *Store) SoAVersion(ctx context.Context, id string) (assessments.SoAVersion, error) {
	list, err := s.querySoAVersions(ctx, "WHERE id = ?", id)
	if err != nil {
		return assessments.SoAVersion{}, err
	}
	if len(list) == 0 {
		return assessments.SoAVersion{}, fmt.Errorf("SoA version %s: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// SoAVersions lists an engagement's versions of one standard's SoA ("" for every standard),
// by standard, newest first.
func (s *Store) SoAVersions(ctx context.Context, engagementID, standard string) ([]assessments.SoAVersion, error) {
	if standard == "" {
		return s.querySoAVersions(ctx, "WHERE engagement_id = ?", engagementID)
	}
	return s.querySoAVersions(ctx, "WHERE engagement_id = ? AND standard = ?", engagementID, standard)
}

// FindSoAVersion finds version n of a standard's SoA.
func (s *Store) FindSoAVersion(ctx context.Context, engagementID, standard string, n int) (assessments.SoAVersion, error) {
	list, err := s.querySoAVersions(ctx, "WHERE engagement_id = ? AND standard = ? AND version = ?", engagementID, standard, n)
	if err != nil {
		return assessments.SoAVersion{}, err
	}
	if len(list) == 0 {
		return assessments.SoAVersion{}, fmt.Errorf("the SoA of %s has no version %d: %w", standard, n, ErrNotFound)
	}
	return list[0], nil
}

func (s *Store) querySoAVersions(ctx context.Context, where string, args ...any) ([]assessments.SoAVersion, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT id, engagement_id, standard, version, state, change_summary, approver, approved_on, entries,
		contents_sha256, issued_at, issued_by, updated_at, updated_by FROM soa_versions `+where+` ORDER BY standard, version DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("read SoA versions: %w", err)
	}
	defer rows.Close()
	var out []assessments.SoAVersion
	for rows.Next() {
		var v assessments.SoAVersion
		var state, entries, digest, issued, updated string
		if err := rows.Scan(&v.ID, &v.EngagementID, &v.Standard, &v.Version, &state, &v.ChangeSummary, &v.Approver, &v.ApprovedOn,
			&entries, &digest, &issued, &v.IssuedBy, &updated, &v.UpdatedBy); err != nil {
			return nil, err
		}
		v.State = assessments.SoAState(state)
		if err := json.Unmarshal([]byte(entries), &v.Entries); err != nil {
			return nil, fmt.Errorf("read SoA version %d: damaged entries: %w", v.Version, err)
		}
		if v.Digest() != digest {
			return nil, fmt.Errorf("SoA %s version %d: %w", v.Standard, v.Version, ErrSoATampered)
		}
		v.IssuedAt, _ = time.Parse(time.RFC3339Nano, issued)
		v.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
		out = append(out, v)
	}
	return out, rows.Err()
}

// ErrSoATampered is matched when a version's stored contents no longer hash to the digest
// recorded with them (the file was edited behind annex's back).
var ErrSoATampered = errors.New("its contents do not match the SHA-256 recorded when it was issued")

// RiskRefsByControl gives, per requirement of a standard that a risk treatment links, the
// refs of those risks in register order: the SoA's "risk treatment" reasons, without
// reading whole risks.
func (s *Store) RiskRefsByControl(ctx context.Context, engagementID, standard string) (map[string][]string, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT c.ref, r.ref FROM risk_controls c JOIN risks r ON r.id = c.risk_id
		WHERE r.engagement_id = ? AND c.standard = ? ORDER BY r.seq`, engagementID, standard)
	if err != nil {
		return nil, fmt.Errorf("read linked controls: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var ctl, risk string
		if err := rows.Scan(&ctl, &risk); err != nil {
			return nil, err
		}
		out[ctl] = append(out[ctl], risk)
	}
	return out, rows.Err()
}

// CurrentSoA derives a standard's Statement of Applicability as it stands in the
// workspace (assessments.DeriveSoA), reading only what it needs: the results, the risk
// treatments linking controls and the newest impact assessments. Versions are issued from it.
func (s *Store) CurrentSoA(ctx context.Context, set *catalogs.Set, engagementID, standard string) ([]assessments.SoAEntry, error) {
	c, ok := set.Get(standard)
	if !ok {
		return nil, fmt.Errorf("annex does not know the standard %q", standard)
	}
	results, err := s.Results(ctx, engagementID)
	if err != nil {
		return nil, err
	}
	risks, err := s.RiskRefsByControl(ctx, engagementID, standard)
	if err != nil {
		return nil, err
	}
	systems, err := s.AISystems(ctx, engagementID)
	if err != nil {
		return nil, err
	}
	ias, err := s.EngagementImpactAssessments(ctx, engagementID)
	if err != nil {
		return nil, err
	}
	calls := assessments.ImpactCalls(systems, ias)
	return assessments.DeriveSoA(c, results[standard], func(ref string) []string { return risks[ref] },
		func(ref string) []string { return calls[assessments.ControlRef{Standard: standard, Ref: ref}] }), nil
}
