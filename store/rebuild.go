package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/annex-grc/annex/assessments"
)

// The state of an engagement at a point of its change history, rebuilt from the history:
// the rows up to that point are folded by the same replay `annex log --verify` runs
// (historyFold, replay.go), and each entity's fields become the domain value again through
// the same field maps the update path records (resultFromMap, riskFromMap, ...).
//
// An entity that came with an import has no field values in the history (its "imported"
// row names it only): its fields not changed by the point are taken from the first change
// after the point (the value it changed from) or, never changed, from what is stored now,
// which the replay vouches for.

// State is an engagement as it stood after history row Seq (or as it is now).
type State struct {
	assessments.Snapshot
	Seq          int64 // the last history row the state reflects
	RiskSequence int   // the last risk number handed out
	ImpactLinks  []ImpactRiskLink
}

// historyRows reads an engagement's history rows oldest first; upTo > 0 keeps the rows up
// to it, after > 0 those after it. Only what the fold reads is read: no hashes, the old value
// of link rows only (a removed link names itself there) unless withOld, and the time and
// author of the rows a screen shows (creations, and AI systems', impact assessments' and the
// engagement's edits) unless withOld. Each row is handed to each as it is read.
func (s *Store) historyRows(ctx context.Context, engagementID string, after, upTo int64, withOld bool, each func(Change), entities ...string) error {
	old := "CASE WHEN field = 'link' THEN old_value ELSE '' END"
	at := "CASE WHEN field IN ('created', 'imported') OR entity IN ('engagement', 'ai_system', 'impact_assessment') THEN at ELSE '' END"
	author := "CASE WHEN field IN ('created', 'imported') OR entity IN ('engagement', 'ai_system', 'impact_assessment') THEN author ELSE '' END"
	if withOld {
		old, at, author = "old_value", "at", "author"
	}
	from, err := s.historyPath(ctx, engagementID, after, upTo, entities)
	if err != nil {
		return err
	}
	q := `SELECT seq, ` + at + `, ` + author + `, entity, entity_id, field, ` + old + `, new_value FROM ` + from + ` WHERE engagement_id = ?`
	args := []any{engagementID}
	if after > 0 {
		q += " AND seq > ?"
		args = append(args, after)
	}
	if upTo > 0 {
		q += " AND seq <= ?"
		args = append(args, upTo)
	}
	if len(entities) > 0 {
		q += " AND entity IN (" + placeholders(len(entities)) + ")"
		for _, e := range entities {
			args = append(args, e)
		}
	}
	rows, err := s.h.QueryContext(ctx, q+" ORDER BY seq", args...)
	if err != nil {
		return fmt.Errorf("read change history: %w", err)
	}
	defer rows.Close()
	c := Change{EngagementID: engagementID}
	for rows.Next() {
		if err := rows.Scan(&c.Seq, &c.At, &c.Author, &c.Entity, &c.EntityID, &c.Field, &c.Old, &c.New); err != nil {
			return err
		}
		each(c)
	}
	return rows.Err()
}

// historyPath chooses how to read an engagement's rows: through the index of the history
// by engagement, or, when the engagement wrote most of the history in the range (a
// workspace of one engagement), straight along the table in row order, which reads the
// same rows without a look-up in the table for each (about twice as fast on the large demo).
func (s *Store) historyPath(ctx context.Context, engagementID string, after, upTo int64, entities []string) (string, error) {
	d := s.dialect()
	if len(entities) > 0 {
		return d.indexed("changes_engagement_entity"), nil
	}
	if s.pg {
		return d.indexed(""), nil // PostgreSQL's planner chooses
	}
	var mine, all int64
	if err := s.h.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM changes INDEXED BY changes_engagement WHERE engagement_id = ? AND seq > ? AND seq <= ?),
		(SELECT count(*) FROM changes WHERE seq > ? AND seq <= ?)`, engagementID, after, upToOrAll(upTo), after, upToOrAll(upTo)).Scan(&mine, &all); err != nil {
		return "", fmt.Errorf("read change history: %w", err)
	}
	if mine*2 >= all {
		return d.indexed(""), nil
	}
	return d.indexed("changes_engagement"), nil
}

func upToOrAll(upTo int64) int64 {
	if upTo > 0 {
		return upTo
	}
	return 1<<62 - 1
}

// BaselineState rebuilds the engagement as it was when the baseline was made.
func (s *Store) BaselineState(ctx context.Context, b Baseline) (State, error) {
	st, err := s.StateAt(ctx, b.EngagementID, b.Seq)
	if err != nil {
		return st, err
	}
	st.At = b.At
	return st, nil
}

// StateAt rebuilds an engagement as it stood after history row seq. Its At is the time of
// the engagement's last row up to seq.
func (s *Store) StateAt(ctx context.Context, engagementID string, seq int64) (State, error) {
	if seq <= 0 {
		return State{}, fmt.Errorf("no history row %d", seq)
	}
	fold := newHistoryFold()
	n := 0
	if err := s.historyRows(ctx, engagementID, 0, seq, false, func(c Change) { fold.apply(c); n++ }); err != nil {
		return State{}, err
	}
	var err error
	var fill *laterValues
	for _, h := range fold.entities {
		if h.imported {
			if fill, err = s.laterValues(ctx, engagementID, seq); err != nil {
				return State{}, err
			}
			break
		}
	}
	st, err := fold.state(engagementID, fill)
	if err != nil {
		return st, err
	}
	st.Seq = seq
	if n > 0 {
		var at string
		if err := s.h.QueryRowContext(ctx, "SELECT at FROM changes WHERE engagement_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1", engagementID, seq).Scan(&at); err == nil {
			st.At, _ = time.Parse(time.RFC3339Nano, at)
		}
	}
	return st, nil
}

// laterValues are what an imported entity's fields were at a point, when the history up to
// it does not say: the value each field changed from after the point, else the stored one.
type laterValues struct {
	firstOld map[entityKey]map[string]string
	// linkRows are the link rows after the point, oldest first.
	linkRows []Change
	live     map[entityKey]map[string]string
	liveLink map[string]map[string]string // evidence id → link → provenance
}

func (s *Store) laterValues(ctx context.Context, engagementID string, seq int64) (*laterValues, error) {
	live, err := s.LiveState(ctx, engagementID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	var rows []Change
	if err := s.historyRows(ctx, engagementID, seq, 0, true, func(c Change) { rows = append(rows, c) }); err != nil {
		return nil, err
	}
	lv := &laterValues{firstOld: map[entityKey]map[string]string{}, live: stateMaps(live), liveLink: map[string]map[string]string{}}
	for _, e := range live.Evidence {
		m := map[string]string{}
		for _, l := range e.Links {
			m[l.String()] = l.Provenance
		}
		lv.liveLink[e.ID] = m
	}
	for _, c := range rows {
		switch c.Field {
		case "created", "imported", "deleted", reconfirmedField:
			continue
		case "link":
			lv.linkRows = append(lv.linkRows, c)
			continue
		}
		k := entityKey{c.Entity, c.EntityID, c.EngagementID}
		if lv.firstOld[k] == nil {
			lv.firstOld[k] = map[string]string{}
		}
		if _, ok := lv.firstOld[k][c.Field]; !ok {
			lv.firstOld[k][c.Field] = c.Old
		}
	}
	return lv, nil
}

// fields gives an entity's field values at the point: the history's, and for an imported
// entity the others from after the point.
func (f *historyFold) fields(k entityKey, h *replayed, base map[string]string, names []string, fill *laterValues) map[string]string {
	if base == nil && !h.imported {
		return h.fields // read only: a missing field reads as empty, as it would in a copy
	}
	m := make(map[string]string, len(names)+4)
	for _, n := range names {
		m[n] = base[n]
	}
	for n, v := range h.fields {
		m[n] = v
	}
	if h.imported && fill != nil {
		for _, n := range names {
			if _, known := h.fields[n]; known {
				continue
			}
			if v, ok := fill.firstOld[k][n]; ok {
				m[n] = v
			} else if v, ok := fill.live[k][n]; ok {
				m[n] = v
			}
		}
	}
	return m
}

// links gives an evidence item's links at the point (target → provenance).
func (h *replayed) linksAt(id string, fill *laterValues) map[string]string {
	if !h.imported || fill == nil {
		return h.links
	}
	// An imported item's links are the stored ones, taken back through the link rows after
	// the point, newest first.
	m := map[string]string{}
	for k, v := range fill.liveLink[id] {
		m[k] = v
	}
	for i := len(fill.linkRows) - 1; i >= 0; i-- {
		c := fill.linkRows[i]
		if c.EntityID != id {
			continue
		}
		if c.New != "" {
			target, _, _ := strings.Cut(c.New, " (")
			delete(m, target)
		} else if c.Old != "" {
			m[c.Old] = ""
		}
	}
	return m
}

func stamp(at string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, at)
	return t
}

// state turns the fold into the engagement's domain values.
func (f *historyFold) state(engagementID string, fill *laterValues) (State, error) {
	var st State
	ek := entityKey{"engagement", engagementID, engagementID}
	eh := f.entities[ek]
	if eh == nil || eh.deleted || (!eh.created && !eh.imported) {
		return st, fmt.Errorf("engagement %s did not exist at that point of the history: %w", engagementID, ErrNotFound)
	}
	e, err := engagementFromMap(assessments.Engagement{ID: engagementID, CreatedAt: stamp(eh.first), UpdatedAt: stamp(eh.last)},
		f.fields(ek, eh, nil, engagementFields, fill))
	if err != nil {
		return st, err
	}
	st.Engagement = e
	st.Results = map[string]map[string]assessments.Result{}
	st.Matrix = assessments.DefaultMatrix(assessments.DefaultMatrixSize)
	defaultResult := resultMap(assessments.Result{Status: assessments.NotAssessed})
	if mk := (entityKey{matrixEntity.name, engagementID, engagementID}); eh.imported && f.entities[mk] == nil {
		// An imported engagement's matrix came with the import, without a row of its own.
		f.entities[mk] = &replayed{engagementID: engagementID, fields: map[string]string{}, imported: true}
	}
	// In a stable order, so that the state is the same however the map iterates.
	keys := make([]entityKey, 0, len(f.entities))
	for k, h := range f.entities {
		if h.engagementID == engagementID {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].entity != keys[j].entity {
			return keys[i].entity < keys[j].entity
		}
		return keys[i].id < keys[j].id
	})
	systems := map[string]bool{}
	risks := map[string]bool{}
	assessmentIDs := map[string]bool{}
	type linked struct {
		id    string
		links map[string]string
	}
	var evidenceLinks []linked
	for _, k := range keys {
		h := f.entities[k]
		if k.entity == RiskEntity {
			// Deleted refs are never handed out again.
			st.RiskSequence = max(st.RiskSequence, assessments.RiskSeq(h.fields["ref"]))
		}
		if h.deleted {
			continue
		}
		switch k.entity {
		case "result":
			std, ref, ok := strings.Cut(k.id, ":")
			if !ok {
				continue
			}
			r, err := resultFromMap(assessments.Key{EngagementID: engagementID, Standard: std, Ref: ref},
				f.fields(k, h, defaultResult, resultFields, fill))
			if err != nil {
				return st, fmt.Errorf("rebuild %s %s: %w", std, ref, err)
			}
			r.UpdatedAt, r.UpdatedBy = stamp(h.last), h.lastBy
			if st.Results[std] == nil {
				st.Results[std] = map[string]assessments.Result{}
			}
			st.Results[std][ref] = r
		case matrixEntity.name:
			if k.id != engagementID {
				continue
			}
			m, err := matrixFromMap(f.fields(k, h, matrixMap(st.Matrix), matrixFields, fill))
			if err != nil {
				return st, fmt.Errorf("rebuild the risk matrix: %w", err)
			}
			st.Matrix = m
		case RiskEntity:
			if !h.created && !h.imported {
				continue
			}
			m := f.fields(k, h, nil, append([]string{"ref"}, riskFields...), fill)
			r, err := riskFromMap(assessments.Risk{ID: k.id, EngagementID: engagementID, Ref: m["ref"], CreatedAt: stamp(h.first),
				UpdatedAt: stamp(h.last), UpdatedBy: h.lastBy}, m)
			if err != nil {
				continue // an imported risk deleted since: its values are gone with it
			}
			risks[r.ID] = true
			st.Risks = append(st.Risks, r)
		case "ai_system":
			if !h.created && !h.imported {
				continue
			}
			a := aiSystemFromMap(assessments.AISystem{ID: k.id, EngagementID: engagementID, CreatedAt: stamp(h.first),
				UpdatedAt: stamp(h.last), UpdatedBy: h.lastBy}, f.fields(k, h, nil, assessments.AISystemFields, fill))
			systems[a.ID] = true
			st.AISystems = append(st.AISystems, a)
		case "evidence":
			if !h.created && !h.imported {
				continue
			}
			m := f.fields(k, h, nil, append(append([]string{}, evidenceFields...), "check"), fill)
			if h.checkSet || !h.imported {
				m = maps.Clone(m) // m may be the fold's own map
				m["check"] = h.check
			}
			e, err := evidenceFromMap(assessments.Evidence{ID: k.id, EngagementID: engagementID, CreatedAt: stamp(h.first),
				UpdatedAt: stamp(h.last), UpdatedBy: h.lastBy}, m)
			if err != nil {
				continue
			}
			evidenceLinks = append(evidenceLinks, linked{e.ID, h.linksAt(k.id, fill)})
			st.Evidence = append(st.Evidence, e)
		}
	}
	// Impact assessments last: a version of a system deleted with it is gone.
	for _, k := range keys {
		h := f.entities[k]
		if k.entity != "impact_assessment" || h.deleted || (!h.created && !h.imported) {
			continue
		}
		names := append([]string{"ai_system_id", "version"}, impactRecordedFields()...)
		m := f.fields(k, h, nil, names, fill)
		if !systems[m["ai_system_id"]] {
			continue
		}
		v, err := strconv.Atoi(m["version"])
		if err != nil {
			continue
		}
		a, err := assessments.ImpactAssessmentFromMap(assessments.ImpactAssessment{ID: k.id, AISystemID: m["ai_system_id"],
			EngagementID: engagementID, Version: v, CreatedAt: stamp(h.first), UpdatedAt: stamp(h.last), UpdatedBy: h.lastBy}, m)
		if err != nil {
			return st, fmt.Errorf("rebuild impact assessment version %d: %w", v, err)
		}
		assessmentIDs[a.ID] = true
		st.Assessments = append(st.Assessments, a)
		for _, area := range assessments.ImpactAreas {
			if rid := h.fields[assessments.ImpactField(area, "risk")]; rid != "" {
				st.ImpactLinks = append(st.ImpactLinks, ImpactRiskLink{AssessmentID: a.ID, Area: area, RiskID: rid, CreatedAt: h.last})
			}
		}
	}
	// Links to risks and assessments that no longer exist are not shown (as the store reads them).
	for i, l := range evidenceLinks {
		e := &st.Evidence[i]
		for target, prov := range l.links {
			link, ok := parseLink(target)
			if !ok {
				continue
			}
			if (link.Target == assessments.LinkRisk && !risks[link.Ref]) || (link.Target == assessments.LinkImpactAssessment && !assessmentIDs[link.Ref]) {
				continue
			}
			link.Provenance = prov
			e.Links = append(e.Links, link)
		}
		sortLinks(e.Links)
	}
	sortState(&st.Snapshot)
	return st, nil
}

// impactRecordedFields are the impact assessment fields the history records (not where the
// wizard stands).
func impactRecordedFields() []string {
	return names(impactEntity.recorded(fieldDiffs(assessments.ImpactAssessmentFields())))
}

// parseLink reads a link as the history names it ("iso27001-2022:A.5.1", "risk:ID").
func parseLink(s string) (assessments.EvidenceLink, bool) {
	for _, t := range []assessments.LinkTarget{assessments.LinkRisk, assessments.LinkImpactAssessment} {
		if rest, ok := strings.CutPrefix(s, string(t)+":"); ok {
			return assessments.EvidenceLink{Target: t, Ref: rest}, rest != ""
		}
	}
	std, ref, ok := strings.Cut(s, ":")
	return assessments.EvidenceLink{Target: assessments.LinkRequirement, Standard: std, Ref: ref}, ok && std != "" && ref != ""
}

func linkOrder(t assessments.LinkTarget) int {
	switch t {
	case assessments.LinkRequirement:
		return 0
	case assessments.LinkRisk:
		return 1
	}
	return 2
}

// sortLinks orders links as the store reads them.
func sortLinks(ls []assessments.EvidenceLink) {
	sort.Slice(ls, func(i, j int) bool {
		a, b := ls[i], ls[j]
		if linkOrder(a.Target) != linkOrder(b.Target) {
			return linkOrder(a.Target) < linkOrder(b.Target)
		}
		if a.Standard != b.Standard {
			return a.Standard < b.Standard
		}
		return a.Ref < b.Ref
	})
}

// foldCase is SQLite's NOCASE: ASCII letters folded.
func foldCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// sortState orders a state's lists as the store reads them.
func sortState(s *assessments.Snapshot) {
	sort.SliceStable(s.Risks, func(i, j int) bool { return assessments.RiskSeq(s.Risks[i].Ref) < assessments.RiskSeq(s.Risks[j].Ref) })
	sort.SliceStable(s.AISystems, func(i, j int) bool {
		a, b := foldCase(s.AISystems[i].Name), foldCase(s.AISystems[j].Name)
		if a != b {
			return a < b
		}
		return s.AISystems[i].ID < s.AISystems[j].ID
	})
	sort.SliceStable(s.Assessments, func(i, j int) bool {
		a, b := s.Assessments[i], s.Assessments[j]
		if a.AISystemID != b.AISystemID {
			return a.AISystemID < b.AISystemID
		}
		return a.Version > b.Version
	})
	sort.SliceStable(s.Evidence, func(i, j int) bool {
		a, b := foldCase(s.Evidence[i].Title), foldCase(s.Evidence[j].Title)
		if a != b {
			return a < b
		}
		return s.Evidence[i].ID < s.Evidence[j].ID
	})
}

// LiveState reads an engagement as it is now, in the shape StateAt rebuilds.
func (s *Store) LiveState(ctx context.Context, engagementID string) (State, error) {
	var st State
	var err error
	if st.Engagement, err = s.Engagement(ctx, engagementID); err != nil {
		return st, err
	}
	st.At = s.now()
	if st.Results, err = s.Results(ctx, engagementID); err != nil {
		return st, err
	}
	if st.Matrix, err = s.RiskMatrix(ctx, engagementID); err != nil {
		return st, err
	}
	if st.Risks, err = s.Risks(ctx, engagementID); err != nil {
		return st, err
	}
	if st.AISystems, err = s.AISystems(ctx, engagementID); err != nil {
		return st, err
	}
	if st.Assessments, err = s.queryImpactAssessments(ctx, "WHERE engagement_id = ?", engagementID); err != nil {
		return st, err
	}
	if st.Evidence, err = s.Evidence(ctx, engagementID); err != nil {
		return st, err
	}
	if st.RiskSequence, err = s.RiskSequence(ctx, engagementID); err != nil {
		return st, err
	}
	var hash string
	err = s.h.QueryRowContext(ctx, s.dialect().chainEnd).Scan(&st.Seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return st, err
}

// stateMaps flattens a state into each entity's field map, as the history records the
// fields: what the rebuild of an imported entity falls back on, and what tests compare.
// An evidence item's links are its field "links" (sorted, with provenance).
func stateMaps(st State) map[entityKey]map[string]string {
	out := map[entityKey]map[string]string{}
	if st.Engagement.ID == "" {
		return out
	}
	id := st.Engagement.ID
	out[entityKey{"engagement", id, id}] = engagementMap(st.Engagement)
	for _, byRef := range st.Results {
		for _, r := range byRef {
			out[entityKey{"result", ResultEntityID(r.Key()), id}] = resultMap(r)
		}
	}
	out[entityKey{matrixEntity.name, id, id}] = matrixMap(st.Matrix)
	for _, r := range st.Risks {
		m := riskMap(r)
		m["ref"] = r.Ref
		out[entityKey{RiskEntity, r.ID, id}] = m
	}
	for _, a := range st.AISystems {
		out[entityKey{"ai_system", a.ID, id}] = aiSystemMap(a)
	}
	recorded := impactRecordedFields()
	for _, a := range st.Assessments {
		full := assessments.ImpactAssessmentMap(a)
		m := map[string]string{"ai_system_id": a.AISystemID, "version": strconv.Itoa(a.Version)}
		for _, f := range recorded {
			m[f] = full[f]
		}
		out[entityKey{"impact_assessment", a.ID, id}] = m
	}
	for _, e := range st.Evidence {
		m := evidenceMap(e)
		m["check"] = string(e.Integrity)
		var links []string
		for _, l := range e.Links {
			links = append(links, l.String()+" ("+l.Provenance+")")
		}
		sort.Strings(links)
		m["links"] = strings.Join(links, ", ")
		out[entityKey{"evidence", e.ID, id}] = m
	}
	return out
}

func hasField(h *replayed, f string) bool {
	_, ok := h.fields[f]
	return ok
}

// PointStatuses are the standards in scope and every answered requirement's status at
// one point of the history.
type PointStatuses struct {
	Seq       int64
	Standards []string
	Statuses  map[string]map[string]assessments.Status // by standard, then ref
}

// StatusesAt reads the standards in scope and the requirement statuses of an engagement at
// each of the given history rows (ascending), in one pass over its engagement and result
// rows: the readiness trend across baselines.
func (s *Store) StatusesAt(ctx context.Context, engagementID string, seqs []int64) ([]PointStatuses, error) {
	if len(seqs) == 0 {
		return nil, nil
	}
	sorted := append([]int64(nil), seqs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	var rows []Change
	if err := s.historyRows(ctx, engagementID, 0, sorted[len(sorted)-1], false, func(c Change) { rows = append(rows, c) }, "engagement", "result"); err != nil {
		return nil, err
	}
	var current []string // the standards stored now: an imported engagement's at its import
	fold := newHistoryFold()
	out := make([]PointStatuses, 0, len(sorted))
	i := 0
	snap := func(seq int64) error {
		p := PointStatuses{Seq: seq, Statuses: map[string]map[string]assessments.Status{}}
		eh := fold.entities[entityKey{"engagement", engagementID, engagementID}]
		switch {
		case eh != nil && hasField(eh, "standards"):
			p.Standards = splitTokens(eh.fields["standards"])
		case eh != nil:
			if current == nil {
				e, err := s.Engagement(ctx, engagementID)
				if err != nil {
					return err
				}
				current = append([]string{}, e.Standards...)
			}
			p.Standards = current
		}
		for k, h := range fold.entities {
			if k.entity != "result" {
				continue
			}
			std, ref, ok := strings.Cut(k.id, ":")
			if !ok || h.fields["status"] == "" {
				continue
			}
			if p.Statuses[std] == nil {
				p.Statuses[std] = map[string]assessments.Status{}
			}
			p.Statuses[std][ref] = assessments.Status(h.fields["status"])
		}
		out = append(out, p)
		return nil
	}
	for _, c := range rows {
		for i < len(sorted) && sorted[i] < c.Seq {
			if err := snap(sorted[i]); err != nil {
				return nil, err
			}
			i++
		}
		fold.apply(c)
	}
	for ; i < len(sorted); i++ {
		if err := snap(sorted[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// States reads the engagement at several moments side by side: at each baseline given, or
// as it is now for a nil one. The rebuilds and the live read run at once (SQLite reads in
// parallel), so comparing a baseline with now costs about the longest of them.
func (s *Store) States(ctx context.Context, engagementID string, points ...*Baseline) ([]State, error) {
	out := make([]State, len(points))
	errs := make([]error, len(points))
	done := make(chan struct{}, len(points))
	for i, b := range points {
		go func() {
			defer func() { done <- struct{}{} }()
			if b == nil {
				out[i], errs[i] = s.LiveState(ctx, engagementID)
			} else {
				out[i], errs[i] = s.BaselineState(ctx, *b)
			}
		}()
	}
	for range points {
		<-done
	}
	return out, errors.Join(errs...)
}
