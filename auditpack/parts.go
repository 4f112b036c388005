package auditpack

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/store"
)

// Parts holds what the risk register, the AI inventory with its impact assessments, and
// the evidence library contribute to a pack.
type Parts struct {
	Matrix       assessments.Matrix
	RiskSequence int // last risk number handed out
	Risks        []assessments.Risk
	AISystems    []assessments.AISystem
	// Assessments by AI system id, newest version first.
	Assessments map[string][]assessments.ImpactAssessment
	// ImpactLinks by assessment id: risks raised from an impact area.
	ImpactLinks map[string][]store.ImpactRiskLink
	// Classifications by AI system id: EU AI Act classification versions, newest first.
	Classifications map[string][]assessments.AIActRecord
	Evidence        []assessments.Evidence
	Skips           []store.SkipKey
	// Blobs are the kept evidence files (loaded only for a pack with evidence files).
	Blobs map[string]Blob
	// CustomCatalogs holds the YAML source of each imported catalog in scope, by id, so the
	// pack carries what a receiving workspace needs to import the engagement.
	CustomCatalogs map[string][]byte
	// Audits is the internal audit programme (audits.go).
	Audits AuditParts

	risksByControl map[string][]string // "std ref" -> risk refs treating it
	evidenceByReq  map[string][]string // "std ref" -> evidence titles
	iaByReq        map[string][]string // "std ref" -> "System v2"
	systemName     map[string]string
	riskByID       map[string]assessments.Risk
}

// Blob is a kept evidence file.
type Blob struct {
	Name string
	Data []byte
}

func reqKey(std, ref string) string { return std + " " + ref }

// loadParts reads the parts linked to d.Engagement.
func loadParts(ctx context.Context, s *store.Store, d *Data, withFiles bool) error {
	audits := fetchAudits(ctx, s, d.Engagement.ID) // read beside the other parts
	p := &d.Parts
	id := d.Engagement.ID
	var err error
	if p.Matrix, err = s.RiskMatrix(ctx, id); err != nil {
		return err
	}
	if p.RiskSequence, err = s.RiskSequence(ctx, id); err != nil {
		return err
	}
	if p.Risks, err = s.Risks(ctx, id); err != nil {
		return err
	}
	if p.AISystems, err = s.AISystems(ctx, id); err != nil {
		return err
	}
	if p.Assessments, err = s.EngagementImpactAssessments(ctx, id); err != nil {
		return err
	}
	p.ImpactLinks = map[string][]store.ImpactRiskLink{}
	for _, list := range p.Assessments {
		for _, a := range list {
			links, err := s.ImpactRiskLinks(ctx, a.ID)
			if err != nil {
				return err
			}
			if len(links) > 0 {
				p.ImpactLinks[a.ID] = links
			}
		}
	}
	if err := loadClassifications(ctx, s, p, id); err != nil {
		return err
	}
	if p.Evidence, err = s.Evidence(ctx, id); err != nil {
		return err
	}
	skips, err := s.SuggestionSkips(ctx, id)
	if err != nil {
		return err
	}
	for k := range skips {
		p.Skips = append(p.Skips, k)
	}
	sort.Slice(p.Skips, func(i, j int) bool {
		a, b := p.Skips[i], p.Skips[j]
		return a.Standard+"\x00"+a.Ref+"\x00"+a.FromStandard+"\x00"+a.FromRef < b.Standard+"\x00"+b.Ref+"\x00"+b.FromStandard+"\x00"+b.FromRef
	})
	p.CustomCatalogs = map[string][]byte{}
	for _, std := range d.Engagement.Standards {
		if c, ok := d.Catalogs.Get(std); ok && c.Custom {
			src, err := s.CustomCatalogSource(ctx, std)
			if err != nil {
				return err
			}
			p.CustomCatalogs[std] = src
		}
	}
	if withFiles {
		p.Blobs = map[string]Blob{}
		for _, e := range p.Evidence {
			if !e.Kept {
				continue
			}
			name, data, err := s.KeptCopy(ctx, e.ID)
			if err != nil {
				return err
			}
			p.Blobs[e.ID] = Blob{Name: name, Data: data}
		}
	}
	p.index(d)
	return audits.into(d)
}

// index builds the look-ups the writers use.
func (p *Parts) index(d *Data) {
	p.risksByControl, p.evidenceByReq = map[string][]string{}, map[string][]string{}
	p.systemName, p.riskByID = map[string]string{}, map[string]assessments.Risk{}
	for _, r := range p.Risks {
		p.riskByID[r.ID] = r
		for _, c := range r.Controls {
			k := reqKey(c.Standard, c.Ref)
			p.risksByControl[k] = append(p.risksByControl[k], r.Ref)
		}
	}
	for _, e := range p.Evidence {
		for _, l := range e.Links {
			if l.Target == assessments.LinkRequirement {
				k := reqKey(l.Standard, l.Ref)
				p.evidenceByReq[k] = append(p.evidenceByReq[k], e.Title)
			}
		}
	}
	for _, sys := range p.AISystems {
		p.systemName[sys.ID] = sys.Name
	}
	p.iaByReq = impactIndex(p.AISystems, p.Assessments)
}

// impactIndex maps "std ref" to the impact assessments whose measures call for the
// requirement ("Lens v2"): the newest version of each system's assessment.
func impactIndex(systems []assessments.AISystem, byID map[string][]assessments.ImpactAssessment) map[string][]string {
	out := map[string][]string{}
	for c, names := range assessments.ImpactCalls(systems, byID) {
		out[reqKey(c.Standard, c.Ref)] = names
	}
	return out
}

// risksTreatedBy lists the refs of risks whose treatment plan links the requirement.
func (d *Data) risksTreatedBy(std, ref string) []string {
	return d.Parts.risksByControl[reqKey(std, ref)]
}

// evidenceFor lists the titles of evidence linked to the requirement.
func (d *Data) evidenceFor(std, ref string) []string { return d.Parts.evidenceByReq[reqKey(std, ref)] }

// impactAssessmentsFor lists the impact assessments whose measures call for the requirement.
func (d *Data) impactAssessmentsFor(std, ref string) []string {
	return d.Parts.iaByReq[reqKey(std, ref)]
}

// latest returns the newest assessment of a system and the newest approved one.
func (p *Parts) latest(systemID string) (latest, inForce *assessments.ImpactAssessment) {
	list := p.Assessments[systemID]
	for i := range list {
		if latest == nil {
			latest = &list[i]
		}
		if st := list[i].State(); inForce == nil && (st == assessments.ImpactApproved || st == assessments.ImpactConditional) {
			inForce = &list[i]
		}
	}
	return latest, inForce
}

// partsSummary counts the parts' rows of a document for messages (", 12 risks").
func partsSummary(doc *Document) string {
	var parts []string
	add := func(n int, one, many string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+one)
		case n > 1:
			parts = append(parts, fmt.Sprintf("%d %s", n, many))
		}
	}
	add(len(doc.Risks), "risk", "risks")
	add(len(doc.AISystems), "AI system", "AI systems")
	add(len(doc.ImpactAssessments), "impact assessment", "impact assessments")
	add(len(doc.Evidence), "evidence item", "evidence items")
	if len(parts) == 0 {
		return ""
	}
	return ", " + strings.Join(parts, ", ")
}
