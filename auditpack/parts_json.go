package auditpack

import (
	"fmt"
	"sort"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

// PartsJSON is the parts' sections of data.json.
type PartsJSON struct {
	RiskMatrix        MatrixJSON             `json:"risk_matrix"`
	RiskSequence      int                    `json:"risk_sequence"`
	Risks             []RiskJSON             `json:"risks"`
	AISystems         []AISystemJSON         `json:"ai_systems"`
	ImpactAssessments []ImpactAssessmentJSON `json:"impact_assessments"`
	// AIActClassifications: EU AI Act classification versions (parts_aiact.go).
	AIActClassifications []AIActJSON    `json:"ai_act_classifications"`
	Evidence             []EvidenceJSON `json:"evidence"`
	SuggestionSkips      []SkipJSON     `json:"suggestion_skips"`
	AuditsJSON
}

// MatrixJSON is the engagement's risk matrix.
type MatrixJSON struct {
	Size              int      `json:"size"`
	LikelihoodLabels  []string `json:"likelihood_labels"`
	ConsequenceLabels []string `json:"consequence_labels"`
	LevelNames        []string `json:"level_names"`
	Cells             [][]int  `json:"cells"`
	Threshold         int      `json:"threshold"`
}

// ScoreJSON is a likelihood and consequence pair (0, 0 = not scored).
type ScoreJSON struct {
	Likelihood  int `json:"likelihood"`
	Consequence int `json:"consequence"`
}

// AcceptanceJSON is a risk owner's acceptance of a residual risk.
type AcceptanceJSON struct {
	By        string    `json:"by"`
	Date      string    `json:"date"`
	Rationale string    `json:"rationale"`
	Residual  ScoreJSON `json:"residual"`
}

// RiskJSON is one risk of the register.
type RiskJSON struct {
	ID                     string          `json:"id"`
	Ref                    string          `json:"ref"`
	Title                  string          `json:"title"`
	Description            string          `json:"description"`
	Scope                  string          `json:"scope"`
	Approach               string          `json:"approach"`
	RiskSource             string          `json:"risk_source"`
	Threat                 string          `json:"threat"`
	Vulnerability          string          `json:"vulnerability"`
	Scenario               string          `json:"scenario"`
	Asset                  string          `json:"asset"`
	AISystemID             string          `json:"ai_system_id"`
	Owner                  string          `json:"owner"`
	Properties             []string        `json:"properties"`
	Objectives             []string        `json:"objectives"`
	RiskSources            []string        `json:"risk_sources"`
	ConsequenceOrg         string          `json:"consequence_org"`
	ConsequenceIndividuals string          `json:"consequence_individuals"`
	ConsequenceSociety     string          `json:"consequence_society"`
	Inherent               ScoreJSON       `json:"inherent"`
	ExistingControls       string          `json:"existing_controls"`
	Treatment              string          `json:"treatment"`
	TreatmentPlan          string          `json:"treatment_plan"`
	Controls               []string        `json:"controls"` // "standard:ref"
	Residual               ScoreJSON       `json:"residual"`
	Acceptance             *AcceptanceJSON `json:"acceptance"`
	ReviewDate             string          `json:"review_date"`
	Status                 string          `json:"status"`
	CreatedAt              string          `json:"created_at"`
	UpdatedAt              string          `json:"updated_at"`
	UpdatedBy              string          `json:"updated_by"`
}

// AISystemJSON is one entry of the AI system inventory.
type AISystemJSON struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Purpose string `json:"purpose"`
	Type    string `json:"type"`
	// Roles are the organisation's roles; Role repeats the first for readers of files
	// written before a system could hold several.
	Role              string   `json:"role"`
	Roles             []string `json:"roles"`
	Stage             string   `json:"stage"`
	DataSources       string   `json:"data_sources"`
	DataCategories    string   `json:"data_categories"`
	PersonalData      bool     `json:"personal_data"`
	DeploymentContext string   `json:"deployment_context"`
	Jurisdictions     string   `json:"jurisdictions"`
	Users             string   `json:"users"`
	AffectedPeople    string   `json:"affected_people"`
	Automation        string   `json:"automation"`
	HumanOversight    string   `json:"human_oversight"`
	ThirdParty        string   `json:"third_party"`
	Owner             string   `json:"owner"`
	CreatedAt         string   `json:"created_at"`
	UpdatedAt         string   `json:"updated_at"`
	UpdatedBy         string   `json:"updated_by"`
}

// ImpactAssessmentJSON is one version of an AI system impact assessment. Fields holds its
// content by field name, the names annex's change history uses (docs/DATA-FORMAT.md):
// "scope", "misuse", "decision", ..., and "impact.<area>.<field>" for each impact area.
type ImpactAssessmentJSON struct {
	ID         string            `json:"id"`
	AISystemID string            `json:"ai_system_id"`
	Version    int               `json:"version"`
	Fields     map[string]string `json:"fields"`
	// Class and ClassRule are derived (the class in force and the rule that set it), for
	// readers of the file; import derives them again.
	Class     string               `json:"class"`
	ClassRule string               `json:"class_rule"`
	RiskLinks []ImpactRiskLinkJSON `json:"risk_links"`
	CreatedAt string               `json:"created_at"`
	UpdatedAt string               `json:"updated_at"`
	UpdatedBy string               `json:"updated_by"`
}

// ImpactRiskLinkJSON is a risk raised from an impact area.
type ImpactRiskLinkJSON struct {
	Area      string `json:"area"`
	RiskID    string `json:"risk_id"`
	CreatedAt string `json:"created_at"`
}

// EvidenceJSON is one evidence item with its links. Whether the file's bytes travel with
// it is a property of the pack (evidence/ folder), not of the data.
type EvidenceJSON struct {
	ID          string             `json:"id"`
	Title       string             `json:"title"`
	Kind        string             `json:"kind"`
	Description string             `json:"description"`
	CollectedOn string             `json:"collected_on"`
	CollectedBy string             `json:"collected_by"`
	ValidUntil  string             `json:"valid_until"`
	Path        string             `json:"path"`
	SHA256      string             `json:"sha256"`
	Size        int64              `json:"size"`
	ModTime     string             `json:"mtime"`
	URL         string             `json:"url"`
	Integrity   string             `json:"integrity"`
	CheckDetail string             `json:"check_detail"`
	CheckedAt   string             `json:"checked_at"`
	Links       []EvidenceLinkJSON `json:"links"`
	CreatedAt   string             `json:"created_at"`
	UpdatedAt   string             `json:"updated_at"`
	UpdatedBy   string             `json:"updated_by"`
}

// EvidenceLinkJSON is what an evidence item supports.
type EvidenceLinkJSON struct {
	Target     string `json:"target"`
	Standard   string `json:"standard"`
	Ref        string `json:"ref"`
	Provenance string `json:"provenance"`
}

// SkipJSON is a crosswalk suggestion the consultant skipped.
type SkipJSON struct {
	Standard     string `json:"standard"`
	Ref          string `json:"ref"`
	FromStandard string `json:"from_standard"`
	FromRef      string `json:"from_ref"`
}

func strs(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func partsJSON(d *Data) PartsJSON {
	p := d.Parts
	m := p.Matrix
	out := PartsJSON{RiskMatrix: MatrixJSON{Size: m.Size, LikelihoodLabels: strs(m.LikelihoodLabels), ConsequenceLabels: strs(m.ConsequenceLabels),
		LevelNames: strs(m.LevelNames), Cells: m.Cells, Threshold: m.Threshold}, RiskSequence: p.RiskSequence,
		Risks: []RiskJSON{}, AISystems: []AISystemJSON{}, ImpactAssessments: []ImpactAssessmentJSON{}, Evidence: []EvidenceJSON{}, SuggestionSkips: []SkipJSON{}}
	if out.RiskMatrix.Cells == nil {
		out.RiskMatrix.Cells = [][]int{}
	}
	for _, r := range p.Risks {
		controls := []string{}
		for _, c := range r.Controls {
			controls = append(controls, c.String())
		}
		j := RiskJSON{ID: r.ID, Ref: r.Ref, Title: r.Title, Description: r.Description, Scope: string(r.Scope), Approach: string(r.Approach),
			RiskSource: r.Source, Threat: r.Threat, Vulnerability: r.Vulnerability, Scenario: r.Scenario, Asset: r.Asset, AISystemID: r.AISystemID,
			Owner: r.Owner, Properties: strs(r.Properties), Objectives: strs(r.Objectives), RiskSources: strs(r.Sources),
			ConsequenceOrg: r.ConsequenceOrg, ConsequenceIndividuals: r.ConsequenceIndividuals, ConsequenceSociety: r.ConsequenceSociety,
			Inherent: ScoreJSON(r.Inherent), ExistingControls: r.ExistingControls, Treatment: string(r.Treatment), TreatmentPlan: r.TreatmentPlan,
			Controls: controls, Residual: ScoreJSON(r.Residual), ReviewDate: r.ReviewDate, Status: string(r.EffectiveStatus()),
			CreatedAt: stamp(r.CreatedAt), UpdatedAt: stamp(r.UpdatedAt), UpdatedBy: r.UpdatedBy}
		if a := r.Acceptance; a != nil {
			j.Acceptance = &AcceptanceJSON{By: a.By, Date: a.Date, Rationale: a.Rationale, Residual: ScoreJSON(a.Residual)}
		}
		out.Risks = append(out.Risks, j)
	}
	for _, a := range p.AISystems {
		out.AISystems = append(out.AISystems, AISystemJSON{ID: a.ID, Name: a.Name, Purpose: a.Purpose, Type: a.Type, Role: firstRole(a.Roles), Roles: roleStrings(a.Roles),
			Stage: string(a.Stage), DataSources: a.DataSources, DataCategories: a.DataCategories, PersonalData: a.PersonalData,
			DeploymentContext: a.DeploymentContext, Jurisdictions: a.Jurisdictions, Users: a.Users, AffectedPeople: a.AffectedPeople,
			Automation: string(a.Automation), HumanOversight: a.HumanOversight, ThirdParty: a.ThirdParty, Owner: a.Owner,
			CreatedAt: stamp(a.CreatedAt), UpdatedAt: stamp(a.UpdatedAt), UpdatedBy: a.UpdatedBy})
		list := append([]assessments.ImpactAssessment(nil), p.Assessments[a.ID]...)
		sort.Slice(list, func(i, j int) bool { return list[i].Version < list[j].Version })
		for _, ia := range list {
			j := ImpactAssessmentJSON{ID: ia.ID, AISystemID: ia.AISystemID, Version: ia.Version, Fields: assessments.ImpactAssessmentMap(ia),
				Class: string(ia.Class()), ClassRule: ia.ClassExplained(), RiskLinks: []ImpactRiskLinkJSON{}, CreatedAt: stamp(ia.CreatedAt), UpdatedAt: stamp(ia.UpdatedAt), UpdatedBy: ia.UpdatedBy}
			for _, l := range p.ImpactLinks[ia.ID] {
				j.RiskLinks = append(j.RiskLinks, ImpactRiskLinkJSON{Area: string(l.Area), RiskID: l.RiskID, CreatedAt: l.CreatedAt})
			}
			out.ImpactAssessments = append(out.ImpactAssessments, j)
		}
	}
	out.AIActClassifications = aiActJSON(d)
	for _, e := range p.Evidence {
		j := EvidenceJSON{ID: e.ID, Title: e.Title, Kind: string(e.Kind), Description: e.Description, CollectedOn: e.CollectedOn,
			CollectedBy: e.CollectedBy, ValidUntil: e.ValidUntil, Path: e.Path, SHA256: e.SHA256, Size: e.Size, ModTime: stampSeconds(e.ModTime),
			URL: e.URL, Integrity: string(e.Integrity), CheckDetail: e.CheckDetail, CheckedAt: stamp(e.CheckedAt), Links: []EvidenceLinkJSON{},
			CreatedAt: stamp(e.CreatedAt), UpdatedAt: stamp(e.UpdatedAt), UpdatedBy: e.UpdatedBy}
		for _, l := range e.Links {
			j.Links = append(j.Links, EvidenceLinkJSON{Target: string(l.Target), Standard: l.Standard, Ref: l.Ref, Provenance: l.Provenance})
		}
		out.Evidence = append(out.Evidence, j)
	}
	for _, k := range p.Skips {
		out.SuggestionSkips = append(out.SuggestionSkips, SkipJSON{Standard: k.Standard, Ref: k.Ref, FromStandard: k.FromStandard, FromRef: k.FromRef})
	}
	out.AuditsJSON = auditsJSON(d)
	return out
}

func stampSeconds(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// partsImportData converts and checks the parts' sections of a document for the store.
func partsImportData(set *catalogs.Set, doc *Document, in *store.ImportData) error {
	e := in.Engagement
	known := func(std, ref string) bool {
		if !e.HasStandard(std) {
			return false
		}
		c, ok := set.Get(std)
		if !ok {
			return false
		}
		_, ok = c.Requirement(ref)
		return ok
	}
	m := doc.RiskMatrix
	if m.Size != 0 {
		mx := assessments.Matrix{Size: m.Size, LikelihoodLabels: m.LikelihoodLabels, ConsequenceLabels: m.ConsequenceLabels,
			LevelNames: m.LevelNames, Cells: m.Cells, Threshold: m.Threshold}
		if probs := mx.Problems(); len(probs) > 0 {
			return fmt.Errorf("risk matrix: %s", probs[0].Message)
		}
		in.Matrix = &mx
	}
	in.RiskSequence = doc.RiskSequence
	matrix := assessments.DefaultMatrix(assessments.DefaultMatrixSize)
	if in.Matrix != nil {
		matrix = *in.Matrix
	}
	systems := map[string]bool{}
	for _, j := range doc.AISystems {
		a := assessments.AISystem{ID: j.ID, EngagementID: e.ID, Name: j.Name, Purpose: j.Purpose, Type: j.Type, Roles: aiSystemRoles(j),
			Stage: assessments.LifecycleStage(j.Stage), DataSources: j.DataSources, DataCategories: j.DataCategories, PersonalData: j.PersonalData,
			DeploymentContext: j.DeploymentContext, Jurisdictions: j.Jurisdictions, Users: j.Users, AffectedPeople: j.AffectedPeople,
			Automation: assessments.Automation(j.Automation), HumanOversight: j.HumanOversight, ThirdParty: j.ThirdParty, Owner: j.Owner, UpdatedBy: j.UpdatedBy}
		if err := times(&a.CreatedAt, &a.UpdatedAt, j.CreatedAt, j.UpdatedAt, "AI system "+j.Name); err != nil {
			return err
		}
		if a.ID == "" {
			return fmt.Errorf("AI system %q has no id", j.Name)
		}
		if err := a.Validate(); err != nil {
			return fmt.Errorf("AI system %q: %w", j.Name, err)
		}
		systems[a.ID] = true
		in.AISystems = append(in.AISystems, a)
	}
	risks := map[string]bool{}
	for _, j := range doc.Risks {
		r := assessments.Risk{ID: j.ID, EngagementID: e.ID, Ref: j.Ref, Title: j.Title, Description: j.Description, Scope: assessments.RiskScope(j.Scope),
			Approach: assessments.RiskApproach(j.Approach), Source: j.RiskSource, Threat: j.Threat, Vulnerability: j.Vulnerability, Scenario: j.Scenario,
			Asset: j.Asset, AISystemID: j.AISystemID, Owner: j.Owner, Properties: nilIfEmpty(j.Properties), Objectives: nilIfEmpty(j.Objectives),
			Sources: nilIfEmpty(j.RiskSources), ConsequenceOrg: j.ConsequenceOrg, ConsequenceIndividuals: j.ConsequenceIndividuals,
			ConsequenceSociety: j.ConsequenceSociety, Inherent: assessments.Score(j.Inherent), ExistingControls: j.ExistingControls,
			Treatment: assessments.Treatment(j.Treatment), TreatmentPlan: j.TreatmentPlan, Residual: assessments.Score(j.Residual),
			ReviewDate: j.ReviewDate, Status: assessments.RiskStatus(j.Status), UpdatedBy: j.UpdatedBy}
		for _, c := range j.Controls {
			cr, err := assessments.ParseControlRef(c)
			if err != nil {
				return fmt.Errorf("risk %s: %w", j.Ref, err)
			}
			r.Controls = append(r.Controls, cr)
		}
		if a := j.Acceptance; a != nil {
			r.Acceptance = &assessments.Acceptance{By: a.By, Date: a.Date, Rationale: a.Rationale, Residual: assessments.Score(a.Residual)}
		}
		if err := times(&r.CreatedAt, &r.UpdatedAt, j.CreatedAt, j.UpdatedAt, "risk "+j.Ref); err != nil {
			return err
		}
		if r.ID == "" || assessments.RiskSeq(r.Ref) == 0 {
			return fmt.Errorf("risk %q needs an id and a ref such as R-001", j.Title)
		}
		if r.AISystemID != "" && !systems[r.AISystemID] {
			return fmt.Errorf("risk %s names an AI system that is not in the export", r.Ref)
		}
		if err := r.Validate(matrix, known); err != nil {
			return fmt.Errorf("risk %s: %w", r.Ref, err)
		}
		risks[r.ID] = true
		in.Risks = append(in.Risks, r)
	}
	assessmentIDs := map[string]bool{}
	for _, j := range doc.ImpactAssessments {
		if !systems[j.AISystemID] {
			return fmt.Errorf("impact assessment %s names an AI system that is not in the export", j.ID)
		}
		base := assessments.ImpactAssessment{ID: j.ID, AISystemID: j.AISystemID, EngagementID: e.ID, Version: j.Version, UpdatedBy: j.UpdatedBy}
		a, err := assessments.ImpactAssessmentFromMap(base, j.Fields)
		if err != nil {
			return fmt.Errorf("impact assessment %s: %w", j.ID, err)
		}
		if err := times(&a.CreatedAt, &a.UpdatedAt, j.CreatedAt, j.UpdatedAt, "impact assessment "+j.ID); err != nil {
			return err
		}
		if a.ID == "" || a.Version < 1 {
			return fmt.Errorf("an impact assessment needs an id and a version")
		}
		if err := a.Validate(); err != nil {
			return fmt.Errorf("impact assessment of %s version %d: %w", j.AISystemID, a.Version, err)
		}
		for _, m := range impactMeasures(a) {
			if !known(m.Standard, m.Ref) {
				return fmt.Errorf("impact assessment %s links %s, which is not a requirement in scope", a.ID, m)
			}
		}
		assessmentIDs[a.ID] = true
		in.Assessments = append(in.Assessments, a)
		for _, l := range j.RiskLinks {
			if !risks[l.RiskID] {
				continue // the risk was deleted; the store shows such links only while the risk exists
			}
			in.ImpactLinks = append(in.ImpactLinks, store.ImpactRiskLink{AssessmentID: a.ID, Area: assessments.ImpactArea(l.Area), RiskID: l.RiskID, CreatedAt: l.CreatedAt})
		}
	}
	if err := aiActImport(doc, in, systems); err != nil {
		return err
	}
	for _, j := range doc.Evidence {
		ev := assessments.Evidence{ID: j.ID, EngagementID: e.ID, Title: j.Title, Kind: assessments.EvidenceKind(j.Kind), Description: j.Description,
			CollectedOn: j.CollectedOn, CollectedBy: j.CollectedBy, ValidUntil: j.ValidUntil, Path: j.Path, SHA256: j.SHA256, Size: j.Size,
			URL: j.URL, Integrity: assessments.Integrity(j.Integrity), CheckDetail: j.CheckDetail, UpdatedBy: j.UpdatedBy}
		var err error
		if ev.ModTime, err = parseStamp("evidence mtime", j.ModTime); err != nil {
			return err
		}
		if ev.CheckedAt, err = parseStamp("evidence checked_at", j.CheckedAt); err != nil {
			return err
		}
		if err := times(&ev.CreatedAt, &ev.UpdatedAt, j.CreatedAt, j.UpdatedAt, "evidence "+j.Title); err != nil {
			return err
		}
		for _, l := range j.Links {
			link := assessments.EvidenceLink{Target: assessments.LinkTarget(l.Target), Standard: l.Standard, Ref: l.Ref, Provenance: l.Provenance}
			switch link.Target {
			case assessments.LinkRequirement:
				if !known(link.Standard, link.Ref) {
					return fmt.Errorf("evidence %q links %s %s, which is not a requirement in scope", j.Title, link.Standard, link.Ref)
				}
			case assessments.LinkRisk:
				if !risks[link.Ref] {
					continue
				}
			case assessments.LinkImpactAssessment:
				if !assessmentIDs[link.Ref] {
					continue
				}
			default:
				return fmt.Errorf("evidence %q has a link to %q, which annex does not know", j.Title, l.Target)
			}
			ev.Links = append(ev.Links, link)
		}
		if ev.ID == "" {
			return fmt.Errorf("evidence %q has no id", j.Title)
		}
		if err := ev.Validate(); err != nil {
			return fmt.Errorf("evidence %q: %w", j.Title, err)
		}
		in.Evidence = append(in.Evidence, ev)
	}
	for _, k := range doc.SuggestionSkips {
		in.Skips = append(in.Skips, store.SkipKey{Standard: k.Standard, Ref: k.Ref, FromStandard: k.FromStandard, FromRef: k.FromRef})
	}
	if err := planImportData(doc, in, known, risks); err != nil {
		return err
	}
	return auditsImportData(set, doc, in)
}

func impactMeasures(a assessments.ImpactAssessment) []assessments.ControlRef {
	var out []assessments.ControlRef
	for _, im := range a.Impacts {
		out = append(out, im.Measures...)
	}
	return out
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func times(created, updated *time.Time, c, u, what string) error {
	var err error
	if *created, err = parseStamp(what+" created_at", c); err != nil {
		return err
	}
	*updated, err = parseStamp(what+" updated_at", u)
	return err
}
