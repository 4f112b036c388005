package store

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/annex-grc/annex/assessments"
)

// The change history replayed: every stored value must be what the history says it is.
// The hash chain proves the rows were not edited or removed in the middle; the replay
// proves the stored data was not changed behind the history's back (an UPDATE or DELETE
// with no change row).
//
// Each entity starts from what it is before its first row (nothing, or for results and
// the risk matrix the defaults a never-edited one has), takes the values of its "created"
// row and then every field change, and ends "deleted" with its deleted row. An imported
// entity starts from the import: its "imported" row carries no field values, so only the
// fields changed after the import (and a result's status, which the row carries) are
// checked for it.

// Unexplained is one stored value the history does not explain.
type Unexplained struct {
	EngagementID string
	Entity       string // history name: "risk"
	EntityID     string
	Label        string // for a person: "risk R-003"
	Field        string // "" when the entity itself is in question
	Stored       string // what the workspace holds
	History      string // what the history says
	Problem      string // one sentence
}

func (u Unexplained) String() string { return u.Label + ": " + u.Problem }

// ReplayReport is the outcome of ReplayHistory.
type ReplayReport struct {
	Entities int // stored entities compared with their history
	Fields   int // stored values compared
	// ImportedOnly counts values vouched for by an import alone (no history of their own).
	ImportedOnly int
	Problems     []Unexplained
}

// replayed is one entity's state according to the history.
type replayed struct {
	engagementID string
	// fields are the values the history set (an imported entity knows only these); the
	// file check an evidence item takes with a new file is kept apart in check.
	fields   map[string]string
	check    string
	checkSet bool // a row said what the check is
	created  bool
	imported bool
	deleted  bool
	// links is an evidence item's set of links ("standard:ref", "risk:id") per the history,
	// each with its provenance ("" for a link made by hand).
	links map[string]string
	// first and last are the times of the entity's first and newest rows; lastBy wrote the
	// newest (the state rebuild gives them as created and updated).
	first, last, lastBy string
}

// entityKey names an entity in the history: a result's id ("standard:ref") is unique only
// within its engagement, so every key carries the engagement.
type entityKey struct{ entity, id, engagement string }

// fieldsHint is about how many fields an entity of a kind has (the size of its map).
var fieldsHint = map[string]int{"risk": 40, "impact_assessment": 160, "evidence": 14, "ai_system": 18, "result": 10, "engagement": 10, "risk_matrix": 8, "baseline": 6}

// historyFold is the change history folded into each entity's state, row by row: the one
// replay that both `annex log --verify` (ReplayHistory, against the stored data) and the
// state rebuild of a baseline (StateAt, up to the baseline's row) read.
type historyFold struct {
	entities           map[entityKey]*replayed
	deletedEngagements map[string]bool
	deletedSystems     map[string]bool
}

func newHistoryFold() *historyFold {
	return &historyFold{entities: map[entityKey]*replayed{}, deletedEngagements: map[string]bool{}, deletedSystems: map[string]bool{}}
}

// reconfirmedField is the history row of a requirement re-confirmed as it stands in a new
// cycle: an event, not a value (ReconfirmResults).
const reconfirmedField = "reconfirmed"

// apply folds one change row into the entity it names.
func (f *historyFold) apply(c Change) {
	k := entityKey{c.Entity, c.EntityID, c.EngagementID}
	h := f.entities[k]
	if h == nil {
		h = &replayed{engagementID: c.EngagementID, fields: make(map[string]string, fieldsHint[c.Entity]), first: c.At}
		f.entities[k] = h
	}
	if c.At != "" {
		h.last, h.lastBy = c.At, c.Author
	}
	switch c.Field {
	case reconfirmedField:
	case "link":
		if h.links == nil {
			h.links = map[string]string{}
		}
		if c.New != "" {
			target, prov, _ := strings.Cut(c.New, " (") // "iso27001-2022:A.5.1 (adopted from ...)"
			h.links[target] = strings.TrimSuffix(prov, ")")
		} else {
			delete(h.links, c.Old)
		}
	case "created":
		h.created, h.deleted = true, false
	case "imported":
		h.imported, h.deleted = true, false
		if c.Entity == "result" {
			h.fields["status"] = c.New
		}
	case "deleted":
		h.deleted = true
		switch c.Entity {
		case "engagement":
			f.deletedEngagements[c.EntityID] = true
		case "ai_system":
			f.deletedSystems[c.EntityID] = true
		}
	default:
		h.fields[c.Field] = c.New
		switch {
		case c.Entity != "evidence":
		case c.Field == "path" || c.Field == "sha256":
			// A new file (or none) takes a fresh check state without a row of its own: ok
			// for a file just read, unchecked for none. A "check" row after it says otherwise.
			h.check, h.checkSet = "", true
			if h.fields["path"] != "" {
				h.check = string(assessments.IntegrityOK)
			}
		case c.Field == "check":
			h.check, h.checkSet = c.New, true
		}
	}
}

// ReplayHistory compares every stored engagement, result, risk, risk matrix, AI system,
// impact assessment, evidence item (its links included) and baseline (its anchor included)
// with the history's account of it. Risks raised from impact areas, the evidence check state and custom catalogs are not
// replayed.
func (s *Store) ReplayHistory(ctx context.Context) (ReplayReport, error) {
	var rep ReplayReport
	changes, err := s.Changes(ctx, ChangeFilter{})
	if err != nil {
		return rep, err
	}
	fold := newHistoryFold()
	for _, c := range changes {
		fold.apply(c)
	}
	hist, deletedEngagements, deletedSystems := fold.entities, fold.deletedEngagements, fold.deletedSystems
	engagements, err := s.Engagements(ctx)
	if err != nil {
		return rep, err
	}
	importedEngagement := map[string]bool{}
	for _, e := range engagements {
		if h := hist[entityKey{"engagement", e.ID, e.ID}]; h != nil && h.imported {
			importedEngagement[e.ID] = true
		}
	}
	seen := map[entityKey]bool{}
	// compare checks one stored entity against its history. base is what the entity is
	// before any row (nil: every field empty); absentOK says a stored entity without any
	// history is fine when it equals base (a result never answered, the default matrix).
	compare := func(entity, id, engagementID, label string, fields []string, stored, base map[string]string, importedBase bool) {
		k := entityKey{entity, id, engagementID}
		seen[k] = true
		rep.Entities++
		h := hist[k]
		if h == nil {
			h = &replayed{fields: map[string]string{}}
			if base == nil && !importedBase {
				rep.Problems = append(rep.Problems, Unexplained{EngagementID: engagementID, Entity: entity, EntityID: id, Label: label,
					Problem: "it is stored but the history never recorded it (written behind annex's back)"})
				return
			}
		}
		if h.deleted {
			rep.Problems = append(rep.Problems, Unexplained{EngagementID: engagementID, Entity: entity, EntityID: id, Label: label,
				Problem: "the history recorded its deletion, yet it is stored"})
			return
		}
		vouched := h.imported || (importedBase && !h.created)
		for _, f := range fields {
			got := stored[f]
			if _, known := h.fields[f]; vouched && !known {
				rep.ImportedOnly++
				continue
			}
			rep.Fields++
			want, ok := h.fields[f]
			if !ok {
				want = base[f]
			}
			if got == want || (f == "maturity" && entity == "result" && got == "" && want == "0") {
				// Before schema 6 the history wrote maturity "0" for not rated, now stored as none.
				continue
			}
			rep.Problems = append(rep.Problems, Unexplained{EngagementID: engagementID, Entity: entity, EntityID: id, Label: label, Field: f,
				Stored: got, History: want,
				Problem: fmt.Sprintf("%s is %s but the history says %s", underscores(f), quoteShort(got, 40), quoteShort(want, 40))})
		}
	}
	defaultResult := resultMap(assessments.Result{Status: assessments.NotAssessed})
	defaultMatrix := matrixMap(assessments.DefaultMatrix(assessments.DefaultMatrixSize))
	for _, e := range engagements {
		imported := importedEngagement[e.ID]
		compare("engagement", e.ID, e.ID, "engagement "+strconv.Quote(cutLabel(e.Name, 24)), engagementFields, engagementMap(e), nil, false)
		results, err := s.queryResults(ctx, "WHERE engagement_id = ?", e.ID)
		if err != nil {
			return rep, err
		}
		for _, r := range results {
			compare("result", ResultEntityID(r.Key()), e.ID, resultEntity.label(r), resultFields, resultMap(r), defaultResult, imported)
		}
		m, err := s.RiskMatrix(ctx, e.ID)
		if err != nil {
			return rep, err
		}
		compare(matrixEntity.name, e.ID, e.ID, "risk matrix of "+strconv.Quote(cutLabel(e.Name, 24)), matrixFields, matrixMap(m), defaultMatrix, imported)
		risks, err := s.Risks(ctx, e.ID)
		if err != nil {
			return rep, err
		}
		for _, r := range risks {
			m := riskMap(r)
			m["ref"] = r.Ref
			compare(RiskEntity, r.ID, e.ID, "risk "+r.Ref, append([]string{"ref"}, riskFields...), m, nil, false)
		}
		systems, err := s.AISystems(ctx, e.ID)
		if err != nil {
			return rep, err
		}
		for _, a := range systems {
			compare("ai_system", a.ID, e.ID, aiSystemEntity.label(a), assessments.AISystemFields, aiSystemMap(a), nil, false)
		}
		versions, err := s.queryImpactAssessments(ctx, "WHERE engagement_id = ?", e.ID)
		if err != nil {
			return rep, err
		}
		for _, a := range versions {
			m := assessments.ImpactAssessmentMap(a)
			m["ai_system_id"], m["version"] = a.AISystemID, strconv.Itoa(a.Version)
			fields := append([]string{"ai_system_id", "version"}, names(impactEntity.recorded(fieldDiffs(assessments.ImpactAssessmentFields())))...)
			compare("impact_assessment", a.ID, e.ID, fmt.Sprintf("impact assessment version %d of %s", a.Version, a.AISystemID), fields, m, nil, false)
		}
		items, err := s.Evidence(ctx, e.ID)
		if err != nil {
			return rep, err
		}
		stored, err := s.storedLinks(ctx, e.ID)
		if err != nil {
			return rep, err
		}
		for _, ev := range items {
			label := "evidence " + strconv.Quote(cutLabel(ev.Title, 24))
			compare("evidence", ev.ID, e.ID, label, evidenceFields, evidenceMap(ev), nil, false)
			h := hist[entityKey{"evidence", ev.ID, e.ID}]
			if h == nil || h.imported || h.deleted {
				continue // reported above, or links vouched for by the import
			}
			rep.Fields++
			if got, want := sortedKeys(stored[ev.ID]), sortedKeys(historyLinkSet(h.links)); got != want {
				rep.Problems = append(rep.Problems, Unexplained{EngagementID: e.ID, Entity: "evidence", EntityID: ev.ID, Label: label, Field: "links",
					Stored: got, History: want, Problem: fmt.Sprintf("links are %s but the history says %s", quoteShort(got, 60), quoteShort(want, 60))})
			}
		}
	}
	// Baselines: each as its history row made it, and its anchor still the row it was made on.
	for _, e := range engagements {
		baselines, err := s.Baselines(ctx, e.ID)
		if err != nil {
			return rep, err
		}
		for _, b := range baselines {
			label := "baseline " + strconv.Quote(cutLabel(b.Name, 24))
			compare(BaselineEntity, b.ID, e.ID, label, baselineFields, baselineMap(b), nil, false)
			problem, err := s.anchorProblem(ctx, b, nil)
			if err != nil {
				return rep, err
			}
			if problem != "" {
				rep.Problems = append(rep.Problems, Unexplained{EngagementID: e.ID, Entity: BaselineEntity, EntityID: b.ID, Label: label, Field: "anchor",
					Problem: problem})
			}
		}
	}
	// What the history says exists but the workspace no longer holds.
	keys := make([]entityKey, 0, len(hist))
	for k := range hist {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].entity != keys[j].entity {
			return keys[i].entity < keys[j].entity
		}
		return keys[i].id < keys[j].id
	})
	for _, k := range keys {
		h := hist[k]
		if seen[k] || h.deleted || deletedEngagements[h.engagementID] {
			continue
		}
		switch k.entity {
		case "engagement", RiskEntity, "ai_system", "evidence", BaselineEntity:
			if !h.created && !h.imported {
				continue
			}
		case "impact_assessment":
			if (!h.created && !h.imported) || deletedSystems[h.fields["ai_system_id"]] {
				continue
			}
		case "result":
			// A result the history left as never answered may have no row.
			same := true
			for f, v := range h.fields {
				same = same && (v == defaultResult[f] || f == "maturity" && v == "0")
			}
			if same && !h.imported {
				continue
			}
		default:
			continue
		}
		rep.Problems = append(rep.Problems, Unexplained{EngagementID: h.engagementID, Entity: k.entity, EntityID: k.id,
			Label: underscores(k.entity) + " " + k.id, Problem: "the history says it exists, but it was removed without a history row"})
	}
	return rep, nil
}

// storedLinks reads every link row of an engagement's evidence, those to risks or
// assessments deleted since included (the history records no unlink for them).
func (s *Store) storedLinks(ctx context.Context, engagementID string) (map[string]map[string]bool, error) {
	rows, err := s.h.QueryContext(ctx, "SELECT evidence_id, target, standard, target_ref FROM evidence_links WHERE engagement_id = ?", engagementID)
	if err != nil {
		return nil, fmt.Errorf("read evidence links: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]bool{}
	for rows.Next() {
		var id, target string
		var l assessments.EvidenceLink
		if err := rows.Scan(&id, &target, &l.Standard, &l.Ref); err != nil {
			return nil, err
		}
		l.Target = assessments.LinkTarget(target)
		if out[id] == nil {
			out[id] = map[string]bool{}
		}
		out[id][l.String()] = true
	}
	return out, rows.Err()
}

func historyLinkSet(m map[string]string) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

func sortedKeys(m map[string]bool) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

func fieldDiffs(fields []string) []FieldDiff {
	out := make([]FieldDiff, len(fields))
	for i, f := range fields {
		out[i] = FieldDiff{Field: f}
	}
	return out
}

func names(diffs []FieldDiff) []string {
	out := make([]string, len(diffs))
	for i, d := range diffs {
		out[i] = d.Field
	}
	return out
}
