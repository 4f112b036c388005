package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

var itemFields = []string{"conclusion", "notes", "interviewees", "population", "sample_size", "sampled", "provenance", "carried_from"}

func itemMap(i assessments.ChecklistItem) map[string]string {
	return map[string]string{
		"conclusion": string(i.EffectiveConclusion()), "notes": i.Notes, "interviewees": i.Interviewees,
		"population": itoa(i.Population), "sample_size": itoa(i.SampleSize), "sampled": i.Sampled,
		"provenance": i.Provenance, "carried_from": i.CarriedFrom,
	}
}

func itemFromMap(base assessments.ChecklistItem, m map[string]string) (assessments.ChecklistItem, error) {
	i := base
	var err error
	if i.Population, err = strconv.Atoi(m["population"]); err != nil {
		return i, &assessments.ValidationError{Field: "population", Message: fmt.Sprintf("The population %q is not a whole number.", m["population"])}
	}
	if i.SampleSize, err = strconv.Atoi(m["sample_size"]); err != nil {
		return i, &assessments.ValidationError{Field: "sample_size", Message: fmt.Sprintf("The sample size %q is not a whole number.", m["sample_size"])}
	}
	i.Conclusion, i.Notes, i.Interviewees, i.Sampled = assessments.Conclusion(m["conclusion"]), m["notes"], m["interviewees"], m["sampled"]
	i.Provenance, i.CarriedFrom = m["provenance"], m["carried_from"]
	return i, nil
}

// AuditItemEntityID is how the change history names a checklist item.
func AuditItemEntityID(auditID string, c assessments.ControlRef) string {
	return auditID + "/" + c.String()
}

// itemEntity is how update saves a checklist item. A requirement nobody recorded anything
// on has no row; the write inserts it.
var itemEntity = entity[assessments.ChecklistItem]{
	name:    AuditItemEntity,
	fields:  itemFields,
	toMap:   itemMap,
	fromMap: itemFromMap,
	load: func(ctx context.Context, tx *Store, key assessments.ChecklistItem) (assessments.ChecklistItem, error) {
		return tx.ChecklistItem(ctx, key.AuditID, key.Key())
	},
	validate: func(ctx context.Context, tx *Store, _, next assessments.ChecklistItem) error {
		if err := next.Validate(); err != nil {
			return err
		}
		a, err := tx.Audit(ctx, next.AuditID)
		if err != nil {
			return err
		}
		if !a.InScope(next.Standard, next.Ref) {
			return &assessments.ValidationError{Field: "conclusion", Message: fmt.Sprintf("%s %s is not in the scope of %s.", standardShort(next.Standard), next.Ref, a.Label())}
		}
		return nil
	},
	write: func(ctx context.Context, tx *Store, _, next assessments.ChecklistItem, _ []FieldDiff) error {
		m := itemMap(next)
		_, err := tx.h.ExecContext(ctx, `INSERT INTO audit_items(audit_id, standard, ref, conclusion, notes, interviewees, population, sample_size,
			sampled, provenance, carried_from, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (audit_id, standard, ref) DO UPDATE SET conclusion=excluded.conclusion, notes=excluded.notes,
			interviewees=excluded.interviewees, population=excluded.population, sample_size=excluded.sample_size, sampled=excluded.sampled,
			provenance=excluded.provenance, carried_from=excluded.carried_from, updated_at=excluded.updated_at, updated_by=excluded.updated_by`,
			next.AuditID, next.Standard, next.Ref, m["conclusion"], next.Notes, next.Interviewees, next.Population, next.SampleSize,
			next.Sampled, next.Provenance, next.CarriedFrom, tx.stamp(), tx.author)
		if err != nil {
			return fmt.Errorf("save checklist item %s %s: %w", standardShort(next.Standard), next.Ref, err)
		}
		return nil
	},
	ids: func(i assessments.ChecklistItem) (string, string) { return AuditItemEntityID(i.AuditID, i.Key()), "" },
	label: func(i assessments.ChecklistItem) string {
		return "checklist " + standardShort(i.Standard) + " " + i.Ref
	},
	labels: map[string]string{"sample_size": "sample size", "sampled": "items sampled", "carried_from": "carried from"},
	words: func(field, v string) string {
		if field == "conclusion" {
			return assessments.Conclusion(v).Label()
		}
		return v
	},
}

// itemUpdate is itemEntity with its history rows filed under the audit's engagement.
func (s *Store) itemUpdate(ctx context.Context, before, after assessments.ChecklistItem) (assessments.ChecklistItem, error) {
	a, err := s.Audit(ctx, before.AuditID)
	if err != nil {
		return before, err
	}
	e := itemEntity
	e.ids = func(i assessments.ChecklistItem) (string, string) {
		return AuditItemEntityID(i.AuditID, i.Key()), a.EngagementID
	}
	return update(ctx, s, e, before, after)
}

// SaveChecklistItem saves the auditor's notes, interviewees and sampling of one checklist
// item (the fields that differ between before and after) through the single update path. A
// conclusion is set with Conclude, which carries it and raises findings.
func (s *Store) SaveChecklistItem(ctx context.Context, before, after assessments.ChecklistItem) (assessments.ChecklistItem, error) {
	if before.AuditID != after.AuditID || before.Key() != after.Key() {
		return before, errors.New("save checklist item: before and after name different items")
	}
	after.Conclusion, after.Provenance, after.CarriedFrom = before.Conclusion, before.Provenance, before.CarriedFrom
	return s.itemUpdate(ctx, before, after)
}

// Concluded is what one conclusion changed: the item answered, the items that took the
// same answer through the crosswalk, and the finding it raised, updated or withdrew.
type Concluded struct {
	Item    assessments.ChecklistItem
	Carried []assessments.ChecklistItem
	Finding *assessments.Finding
	// Created is true when the finding is new (it got its number now).
	Created bool
}

// Conclude records the auditor's conclusion on one checklist item, in one transaction:
//
//   - the item takes the conclusion as the auditor's own answer (before is what the caller
//     showed: a conclusion changed elsewhere meanwhile is a *ConflictError);
//   - the requirements of the scope the crosswalk lets it answer for (equal or superset,
//     assessments.CarryTargets) take it too, with provenance;
//   - a noteworthy conclusion raises a finding graded after it, naming every requirement that
//     took the answer (numbered F-<audit>-nnn), or regrades the item's finding; conforming or
//     not audited withdraws it (the number stays).
func (s *Store) Conclude(ctx context.Context, set *catalogs.Set, before assessments.ChecklistItem, c assessments.Conclusion) (Concluded, error) {
	var out Concluded
	if !c.Valid() {
		return out, &assessments.ValidationError{Field: "conclusion", Message: fmt.Sprintf("Unknown conclusion %q.", c)}
	}
	err := s.WithTx(ctx, func(tx *Store) error {
		a, err := tx.Audit(ctx, before.AuditID)
		if err != nil {
			return err
		}
		if a.EffectiveStatus() == assessments.AuditCancelled {
			return &assessments.ValidationError{Field: "conclusion", Message: a.Label() + " was cancelled; its checklist is closed."}
		}
		if out.Item, err = tx.itemUpdate(ctx, before, assessments.AnswerItem(before, c)); err != nil {
			return err
		}
		items, err := tx.ChecklistItems(ctx, a.ID)
		if err != nil {
			return err
		}
		var carried []assessments.ControlRef
		for _, t := range assessments.CarryTargets(set, a.Scope, out.Item.Key(), items) {
			cur := items[t.To]
			cur.AuditID, cur.Standard, cur.Ref = a.ID, t.To.Standard, t.To.Ref
			next := assessments.CarryConclusion(set, cur, t, c)
			saved, err := tx.itemUpdate(ctx, cur, next)
			if err != nil {
				return err
			}
			out.Carried = append(out.Carried, saved)
			if c != assessments.NotAudited {
				carried = append(carried, t.To)
			}
		}
		f, err := tx.findingFromSource(ctx, a.ID, out.Item.Key())
		if err != nil {
			return err
		}
		switch {
		case c.Noteworthy() && f == nil:
			nf := assessments.FindingFromItem(set, a, out.Item, carried, tx.now().Format(assessments.DateLayout))
			saved, err := tx.createFinding(ctx, nf, 0)
			if err != nil {
				return err
			}
			out.Finding, out.Created = &saved, true
		case c.Noteworthy():
			next := *f
			next.Grade, next.Withdrawn = c.Grade(), false
			next.Requirements = unionRefs(f.Requirements, append([]assessments.ControlRef{out.Item.Key()}, carried...))
			saved, err := update(ctx, tx, findingEntity, *f, next)
			if err != nil {
				return err
			}
			out.Finding = &saved
		case f != nil && !f.Withdrawn:
			next := *f
			next.Withdrawn = true
			saved, err := update(ctx, tx, findingEntity, *f, next)
			if err != nil {
				return err
			}
			out.Finding = &saved
		}
		return nil
	})
	if err != nil {
		return Concluded{}, err
	}
	return out, nil
}

func unionRefs(have, add []assessments.ControlRef) []assessments.ControlRef {
	out := append([]assessments.ControlRef(nil), have...)
	for _, c := range add {
		found := false
		for _, h := range out {
			found = found || h == c
		}
		if !found {
			out = append(out, c)
		}
	}
	return out
}

// ExamineEvidence sets the evidence of the library examined for a checklist item to ids:
// an item newly examined is recorded with its file's SHA-256 read now (or, when the file
// cannot be read, the hash the library holds), so a later change of the file shows; an item
// no longer listed is removed. One history row records the change.
func (s *Store) ExamineEvidence(ctx context.Context, key assessments.ChecklistItem, ids []string) (assessments.ChecklistItem, error) {
	cur, err := s.ChecklistItem(ctx, key.AuditID, key.Key())
	if err != nil {
		return key, err
	}
	have := map[string]assessments.ExaminedEvidence{}
	for _, x := range cur.Evidence {
		have[x.EvidenceID] = x
	}
	// Read the new files before the transaction: hashing is slow, the lock must not wait.
	fresh := map[string]assessments.ExaminedEvidence{}
	for _, id := range ids {
		if _, ok := have[id]; ok {
			continue
		}
		ev, err := s.EvidenceItem(ctx, id)
		if err != nil {
			return key, err
		}
		x := assessments.ExaminedEvidence{EvidenceID: id, Title: ev.Title, SHA256: ev.SHA256, ExaminedBy: s.author, ExaminedAt: s.now().UTC()}
		if ev.Path != "" {
			if obs := ObserveFile(ev.Path); obs.Exists {
				x.SHA256 = obs.SHA256
			}
		}
		fresh[id] = x
	}
	err = s.WithTx(ctx, func(tx *Store) error {
		a, err := tx.Audit(ctx, key.AuditID)
		if err != nil {
			return err
		}
		if !a.InScope(key.Standard, key.Ref) {
			return fmt.Errorf("%s %s is not in the scope of %s", standardShort(key.Standard), key.Ref, a.Label())
		}
		stored, err := tx.ChecklistItem(ctx, key.AuditID, key.Key())
		if err != nil {
			return err
		}
		want := map[string]bool{}
		for _, id := range ids {
			want[id] = true
		}
		var old []string
		for _, x := range stored.Evidence {
			old = append(old, examinedText(x))
			if !want[x.EvidenceID] {
				if _, err := tx.h.ExecContext(ctx, `DELETE FROM audit_item_evidence WHERE audit_id = ? AND standard = ? AND ref = ? AND evidence_id = ?`,
					key.AuditID, key.Standard, key.Ref, x.EvidenceID); err != nil {
					return fmt.Errorf("remove examined evidence: %w", err)
				}
			}
			delete(fresh, x.EvidenceID)
		}
		for _, id := range ids {
			x, ok := fresh[id]
			if !ok {
				continue
			}
			if err := insertExamined(ctx, tx.h, key.AuditID, key.Key(), x); err != nil {
				return err
			}
		}
		now, err := tx.ChecklistItem(ctx, key.AuditID, key.Key())
		if err != nil {
			return err
		}
		var next []string
		for _, x := range now.Evidence {
			next = append(next, examinedText(x))
		}
		if o, n := strings.Join(old, "\n"), strings.Join(next, "\n"); o != n {
			return tx.Record(ctx, a.EngagementID, AuditItemEntity, AuditItemEntityID(a.ID, key.Key()), []FieldDiff{{Field: "evidence_examined", Old: o, New: n}})
		}
		return nil
	})
	if err != nil {
		return key, err
	}
	return s.ChecklistItem(ctx, key.AuditID, key.Key())
}

func insertExamined(ctx context.Context, h Handler, auditID string, c assessments.ControlRef, x assessments.ExaminedEvidence) error {
	if _, err := h.ExecContext(ctx, `INSERT INTO audit_item_evidence(audit_id, standard, ref, evidence_id, title, sha256, examined_at, examined_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, auditID, c.Standard, c.Ref, x.EvidenceID, x.Title, strings.ToLower(x.SHA256),
		x.ExaminedAt.UTC().Format(time.RFC3339Nano), x.ExaminedBy); err != nil {
		return fmt.Errorf("record examined evidence %q: %w", x.Title, err)
	}
	return nil
}

// examinedText names an examined item in the history: title and the start of its hash.
func examinedText(x assessments.ExaminedEvidence) string {
	if len(x.SHA256) >= 12 {
		return x.Title + " (sha256 " + x.SHA256[:12] + "…)"
	}
	return x.Title
}

// ChecklistItem loads one item; a requirement nobody recorded anything on reads as not audited.
func (s *Store) ChecklistItem(ctx context.Context, auditID string, c assessments.ControlRef) (assessments.ChecklistItem, error) {
	items, err := s.queryItems(ctx, "WHERE audit_id = ? AND standard = ? AND ref = ?", auditID, c.Standard, c.Ref)
	if err != nil {
		return assessments.ChecklistItem{}, err
	}
	if it, ok := items[c]; ok {
		return it, nil
	}
	return assessments.ChecklistItem{AuditID: auditID, Standard: c.Standard, Ref: c.Ref, Conclusion: assessments.NotAudited}, nil
}

// ChecklistItems loads the stored items of an audit, with their examined evidence.
func (s *Store) ChecklistItems(ctx context.Context, auditID string) (map[assessments.ControlRef]assessments.ChecklistItem, error) {
	return s.queryItems(ctx, "WHERE audit_id = ?", auditID)
}

// EngagementChecklists loads the stored items of every audit of an engagement, by audit id.
func (s *Store) EngagementChecklists(ctx context.Context, engagementID string) (map[string]map[assessments.ControlRef]assessments.ChecklistItem, error) {
	items, err := s.queryItemRows(ctx, "WHERE audit_id IN (SELECT id FROM audits WHERE engagement_id = ?)", engagementID)
	if err != nil {
		return nil, err
	}
	out := map[string]map[assessments.ControlRef]assessments.ChecklistItem{}
	for _, it := range items {
		if out[it.AuditID] == nil {
			out[it.AuditID] = map[assessments.ControlRef]assessments.ChecklistItem{}
		}
		out[it.AuditID][it.Key()] = it
	}
	return out, nil
}

// AuditRecords lists an engagement's audits with the requirements each concluded on, for
// the programme's coverage.
func (s *Store) AuditRecords(ctx context.Context, engagementID string) ([]assessments.AuditRecord, error) {
	audits, err := s.Audits(ctx, engagementID)
	if err != nil {
		return nil, err
	}
	rows, err := s.h.QueryContext(ctx, `SELECT i.audit_id, i.standard, i.ref FROM audit_items i JOIN audits a ON a.id = i.audit_id
		WHERE a.engagement_id = ? AND i.conclusion <> 'not_audited'`, engagementID)
	if err != nil {
		return nil, fmt.Errorf("read checklists: %w", err)
	}
	defer rows.Close()
	by := map[string][]assessments.ControlRef{}
	for rows.Next() {
		var id string
		var c assessments.ControlRef
		if err := rows.Scan(&id, &c.Standard, &c.Ref); err != nil {
			return nil, err
		}
		by[id] = append(by[id], c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]assessments.AuditRecord, len(audits))
	for i, a := range audits {
		out[i] = assessments.AuditRecord{Audit: a, Audited: by[a.ID]}
	}
	return out, nil
}

func (s *Store) queryItems(ctx context.Context, where string, args ...any) (map[assessments.ControlRef]assessments.ChecklistItem, error) {
	list, err := s.queryItemRows(ctx, where, args...)
	if err != nil {
		return nil, err
	}
	out := make(map[assessments.ControlRef]assessments.ChecklistItem, len(list))
	for _, it := range list {
		out[it.Key()] = it
	}
	return out, nil
}

func (s *Store) queryItemRows(ctx context.Context, where string, args ...any) ([]assessments.ChecklistItem, error) {
	rows, err := s.h.QueryContext(ctx, `SELECT audit_id, standard, ref, conclusion, notes, interviewees, population, sample_size, sampled,
		provenance, carried_from, updated_at, updated_by FROM audit_items `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read checklist: %w", err)
	}
	defer rows.Close()
	type key struct{ audit, std, ref string }
	index := map[key]int{}
	var out []assessments.ChecklistItem
	for rows.Next() {
		var it assessments.ChecklistItem
		var c, updated string
		if err := rows.Scan(&it.AuditID, &it.Standard, &it.Ref, &c, &it.Notes, &it.Interviewees, &it.Population, &it.SampleSize, &it.Sampled,
			&it.Provenance, &it.CarriedFrom, &updated, &it.UpdatedBy); err != nil {
			return nil, err
		}
		it.Conclusion = assessments.Conclusion(c)
		it.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
		index[key{it.AuditID, it.Standard, it.Ref}] = len(out)
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	ev, err := s.h.QueryContext(ctx, `SELECT audit_id, standard, ref, evidence_id, title, sha256, examined_at, examined_by
		FROM audit_item_evidence `+where+` ORDER BY examined_at, title`, args...)
	if err != nil {
		return nil, fmt.Errorf("read examined evidence: %w", err)
	}
	defer ev.Close()
	for ev.Next() {
		var k key
		var x assessments.ExaminedEvidence
		var at string
		if err := ev.Scan(&k.audit, &k.std, &k.ref, &x.EvidenceID, &x.Title, &x.SHA256, &at, &x.ExaminedBy); err != nil {
			return nil, err
		}
		x.ExaminedAt, _ = time.Parse(time.RFC3339Nano, at)
		i, ok := index[k]
		if !ok {
			// Evidence examined on a requirement with nothing else recorded yet.
			index[k] = len(out)
			i = len(out)
			out = append(out, assessments.ChecklistItem{AuditID: k.audit, Standard: k.std, Ref: k.ref, Conclusion: assessments.NotAudited})
		}
		out[i].Evidence = append(out[i].Evidence, x)
	}
	if err := ev.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].AuditID != out[j].AuditID {
			return out[i].AuditID < out[j].AuditID
		}
		if out[i].Standard != out[j].Standard {
			return out[i].Standard < out[j].Standard
		}
		return catalogs.CompareRefs(out[i].Ref, out[j].Ref) < 0
	})
	return out, nil
}
