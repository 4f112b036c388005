package auditpack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

// Snapshot is what a pack said, in brief: the workspace keeps one per pack written
// (store.PackRecord), and the next pack's report says what changed since. It is derived
// from the data, so a pack's data.json gives the same snapshot again (SnapshotOfPack).
type Snapshot struct {
	Format         int             `json:"format"`
	AsOf           string          `json:"as_of"` // the pack's time, RFC 3339
	Standards      []StandardSnap  `json:"standards"`
	Risks          []RiskSnap      `json:"risks"`
	OpenActions    int             `json:"open_actions"`
	OverdueActions int             `json:"overdue_actions"`
	Extra          json.RawMessage `json:"extra,omitempty"` // room for later parts
}

// StandardSnap is one standard in a snapshot.
type StandardSnap struct {
	ID        string  `json:"id"`
	Short     string  `json:"short"`
	Readiness float64 `json:"readiness"`
	Assessed  float64 `json:"assessed"`
	Verdict   string  `json:"verdict"`
	// Statuses of the requirements with an answer, by ref.
	Statuses map[string]string `json:"statuses"`
	// SoAApproved is the latest approved SoA version (0: none); SoAOpen the controls whose
	// decision is open.
	SoAApproved int `json:"soa_approved"`
	SoAOpen     int `json:"soa_open"`
}

// RiskSnap is one risk that is not closed in a snapshot.
type RiskSnap struct {
	Ref        string `json:"ref"`
	Title      string `json:"title"`
	Level      string `json:"level"`
	LevelIndex int    `json:"level_index"`
	Status     string `json:"status"`
	Unaccepted bool   `json:"unaccepted"`
}

const snapshotFormat = 1

// SnapshotOf sums up what a pack of d says.
func SnapshotOf(d *Data) *Snapshot {
	s := &Snapshot{Format: snapshotFormat, AsOf: d.At.Format(time.RFC3339)}
	acts := d.actions()
	verdicts := verdictsOf(d, docsByName(d), acts)
	for i, c := range d.Standards() {
		total, _ := d.Readiness(c)
		st := StandardSnap{ID: c.ID, Short: c.Short, Readiness: round1(total.Percent()), Assessed: round1(total.AssessedPercent()),
			Statuses: map[string]string{}}
		if i < len(verdicts) {
			st.Verdict = string(verdicts[i].Verdict)
		}
		for ref, r := range d.Results[c.ID] {
			if r.EffectiveStatus() != assessments.NotAssessed {
				st.Statuses[ref] = string(r.EffectiveStatus())
			}
		}
		v := d.soaState(c)
		if v.Approved != nil {
			st.SoAApproved = v.Approved.Version
		}
		st.SoAOpen = v.OpenTotal
		s.Standards = append(s.Standards, st)
	}
	m := d.Parts.Matrix
	for _, r := range d.Parts.Risks {
		if r.EffectiveStatus() == assessments.RiskClosed {
			continue
		}
		rs := RiskSnap{Ref: r.Ref, Title: r.Title, Status: string(r.EffectiveStatus()), Unaccepted: r.UnacceptedAboveThreshold(m), LevelIndex: -1}
		if lv, ok := m.LevelOf(r.EffectiveResidual()); ok {
			rs.Level, rs.LevelIndex = lv.Name, lv.Index
		}
		s.Risks = append(s.Risks, rs)
	}
	s.OpenActions = len(acts)
	for _, a := range acts {
		if a.Overdue {
			s.OverdueActions++
		}
	}
	return s
}

// Marshal is the snapshot as compact JSON.
func (s *Snapshot) Marshal() ([]byte, error) { return json.Marshal(s) }

// ParseSnapshot reads a snapshot a workspace kept.
func ParseSnapshot(b []byte) (*Snapshot, error) {
	var s Snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, err
	}
	if s.Format != snapshotFormat {
		return nil, fmt.Errorf("snapshot format %d is not one annex reads", s.Format)
	}
	return &s, nil
}

// AsOfText is the snapshot's time for a reader: "2026-03-01 09:30 UTC".
func (s *Snapshot) AsOfText() string {
	t, err := time.Parse(time.RFC3339, s.AsOf)
	if err != nil {
		return s.AsOf
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// SnapshotOfPack reads an earlier pack (a zip, not encrypted) and sums it up as its report
// would have: from its data.json, at the time of its manifest.
func SnapshotOfPack(path string, set *catalogs.Set) (*Snapshot, error) {
	im, src, err := ReadImport(path)
	if errors.Is(err, ErrNeedsKey) {
		return nil, errors.New("it is encrypted; give the decrypted zip")
	}
	if err != nil {
		return nil, err
	}
	defer src.Close()
	at := zeroTime
	if f, ok := im.Pack[ManifestName]; ok {
		b, err := readEntry(f, MaxJSONSize)
		if err != nil {
			return nil, err
		}
		var m Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("manifest.json: %w", err)
		}
		at = packTime(m.LastChangeAt)
	}
	in, err := ImportData(set, im.Doc)
	if err != nil {
		return nil, err
	}
	d := &Data{Engagement: in.Engagement, Catalogs: set, At: at, Results: map[string]map[string]assessments.Result{}}
	for _, r := range in.Results {
		if d.Results[r.Standard] == nil {
			d.Results[r.Standard] = map[string]assessments.Result{}
		}
		d.Results[r.Standard][r.Ref] = r
	}
	p := &d.Parts
	p.Matrix = assessments.DefaultMatrix(assessments.DefaultMatrixSize)
	if in.Matrix != nil {
		p.Matrix = *in.Matrix
	}
	p.Risks, p.AISystems, p.Evidence = in.Risks, in.AISystems, in.Evidence
	p.Assessments = map[string][]assessments.ImpactAssessment{}
	for _, a := range in.Assessments {
		p.Assessments[a.AISystemID] = append(p.Assessments[a.AISystemID], a)
	}
	for _, list := range p.Assessments {
		sort.Slice(list, func(i, j int) bool { return list[i].Version > list[j].Version })
	}
	p.index(d)
	d.Plan.Actions = map[string][]assessments.TreatmentAction{}
	for _, a := range in.Actions {
		d.Plan.Actions[a.RiskID] = append(d.Plan.Actions[a.RiskID], a)
	}
	d.Plan.SoAVersions = map[string][]assessments.SoAVersion{}
	for _, v := range in.SoAVersions {
		d.Plan.SoAVersions[v.Standard] = append(d.Plan.SoAVersions[v.Standard], v)
	}
	for _, list := range d.Plan.SoAVersions {
		assessments.SortSoAVersions(list)
	}
	return SnapshotOf(d), nil
}

// changesView is "what changed since the last pack" in sentences.
type changesView struct {
	From  string
	Lines []string
}

var statusRank = map[string]int{string(assessments.NotAssessed): 0, string(assessments.NotImplemented): 1,
	string(assessments.Partial): 2, string(assessments.Implemented): 3}

// compareSnapshots says what changed from prev to cur, one sentence per part.
func compareSnapshots(prev, cur *Snapshot) []string {
	var out []string
	old := map[string]StandardSnap{}
	for _, s := range prev.Standards {
		old[s.ID] = s
	}
	for _, s := range cur.Standards {
		p, ok := old[s.ID]
		if !ok {
			out = append(out, fmt.Sprintf("%s: new in scope; readiness %.0f%%.", s.Short, s.Readiness))
			continue
		}
		var parts []string
		delta := s.Readiness - p.Readiness
		switch {
		case delta >= 0.5 || delta <= -0.5:
			parts = append(parts, fmt.Sprintf("readiness %.0f%% → %.0f%% (%+.0f points)", p.Readiness, s.Readiness, delta))
		default:
			parts = append(parts, fmt.Sprintf("readiness unchanged at %.0f%%", s.Readiness))
		}
		up, down, other := 0, 0, 0
		refs := map[string]bool{}
		for ref := range s.Statuses {
			refs[ref] = true
		}
		for ref := range p.Statuses {
			refs[ref] = true
		}
		for ref := range refs {
			a, b := p.Statuses[ref], s.Statuses[ref]
			if a == "" {
				a = string(assessments.NotAssessed)
			}
			if b == "" {
				b = string(assessments.NotAssessed)
			}
			if a == b {
				continue
			}
			ra, oka := statusRank[a]
			rb, okb := statusRank[b]
			switch {
			case oka && okb && rb > ra:
				up++
			case oka && okb && rb < ra:
				down++
			default:
				other++
			}
		}
		if up > 0 {
			parts = append(parts, plural(up, "requirement", "requirements")+" moved forward")
		}
		if down > 0 {
			parts = append(parts, plural(down, "requirement", "requirements")+" moved back")
		}
		if other > 0 {
			parts = append(parts, plural(other, "requirement", "requirements")+" changed applicability")
		}
		if p.Verdict != s.Verdict && p.Verdict != "" {
			parts = append(parts, fmt.Sprintf("verdict %s → %s", p.Verdict, s.Verdict))
		}
		if s.SoAApproved > p.SoAApproved {
			parts = append(parts, fmt.Sprintf("SoA v%d approved", s.SoAApproved))
		}
		if s.SoAOpen != p.SoAOpen {
			parts = append(parts, fmt.Sprintf("open SoA decisions %d → %d", p.SoAOpen, s.SoAOpen))
		}
		out = append(out, s.Short+": "+strings.Join(parts, "; ")+".")
	}
	oldRisks := map[string]RiskSnap{}
	for _, r := range prev.Risks {
		oldRisks[r.Ref] = r
	}
	var added, gone []string
	higher, lower, unaccPrev, unaccCur := 0, 0, 0, 0
	seen := map[string]bool{}
	for _, r := range cur.Risks {
		seen[r.Ref] = true
		if r.Unaccepted {
			unaccCur++
		}
		p, ok := oldRisks[r.Ref]
		if !ok {
			added = append(added, r.Ref)
			continue
		}
		switch {
		case r.LevelIndex > p.LevelIndex:
			higher++
		case r.LevelIndex < p.LevelIndex:
			lower++
		}
	}
	for _, r := range prev.Risks {
		if r.Unaccepted {
			unaccPrev++
		}
		if !seen[r.Ref] {
			gone = append(gone, r.Ref)
		}
	}
	var rp []string
	if len(added) > 0 {
		rp = append(rp, fmt.Sprintf("%s added (%s)", plural(len(added), "risk", "risks"), cutList(added, 6)))
	}
	if len(gone) > 0 {
		rp = append(rp, fmt.Sprintf("%s closed or removed (%s)", plural(len(gone), "risk", "risks"), cutList(gone, 6)))
	}
	if lower > 0 {
		rp = append(rp, plural(lower, "residual level", "residual levels")+" lower")
	}
	if higher > 0 {
		rp = append(rp, plural(higher, "residual level", "residual levels")+" higher")
	}
	if unaccPrev != unaccCur {
		rp = append(rp, fmt.Sprintf("above the threshold without acceptance %d → %d", unaccPrev, unaccCur))
	}
	if len(rp) > 0 {
		out = append(out, "Risks: "+strings.Join(rp, "; ")+".")
	}
	if prev.OpenActions != cur.OpenActions || prev.OverdueActions != cur.OverdueActions {
		out = append(out, fmt.Sprintf("Open actions %d → %d; overdue %d → %d.", prev.OpenActions, cur.OpenActions, prev.OverdueActions, cur.OverdueActions))
	}
	return out
}

// cutList joins at most n items, with "…" when there are more.
func cutList(items []string, n int) string {
	if len(items) > n {
		return strings.Join(items[:n], ", ") + ", …"
	}
	return strings.Join(items, ", ")
}

// RecordPack keeps a written pack in the workspace (where, its SHA-256, what it said), so
// the next pack's report can say what changed since. A workspace that cannot be written
// (read-only) returns the error; the pack itself is unaffected.
func RecordPack(ctx context.Context, s *store.Store, p *Pack, path, sha256 string) error {
	snap := p.Snapshot
	if snap == nil {
		return errors.New("the pack has no snapshot to record")
	}
	b, err := snap.Marshal()
	if err != nil {
		return err
	}
	_, err = s.RecordPack(ctx, store.PackRecord{EngagementID: p.Manifest.Engagement.ID, AsOf: p.Manifest.LastChangeAt, Path: path, SHA256: sha256, Snapshot: b})
	return err
}
