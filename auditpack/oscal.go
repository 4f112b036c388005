package auditpack

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

// OSCALVersion is the OSCAL release the documents conform to.
const OSCALVersion = "1.2.1"

// annexNS qualifies annex's own props, facets and relationships.
const annexNS = "https://github.com/annex-grc/annex/ns/oscal"

type oProp struct {
	Name    string `json:"name"`
	NS      string `json:"ns,omitempty"`
	Value   string `json:"value"`
	Class   string `json:"class,omitempty"`
	Remarks string `json:"remarks,omitempty"`
}

type oParty struct {
	UUID string `json:"uuid"`
	Type string `json:"type"`
	Name string `json:"name,omitempty"`
}

type oRole struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type oResponsibleParty struct {
	RoleID     string   `json:"role-id"`
	PartyUUIDs []string `json:"party-uuids"`
}

type oMetadata struct {
	Title              string              `json:"title"`
	Published          string              `json:"published,omitempty"`
	LastModified       string              `json:"last-modified"`
	Version            string              `json:"version"`
	OSCALVersion       string              `json:"oscal-version"`
	Props              []oProp             `json:"props,omitempty"`
	Roles              []oRole             `json:"roles,omitempty"`
	Parties            []oParty            `json:"parties,omitempty"`
	ResponsibleParties []oResponsibleParty `json:"responsible-parties,omitempty"`
	Remarks            string              `json:"remarks,omitempty"`
}

type oResource struct {
	UUID        string   `json:"uuid"`
	Title       string   `json:"title,omitempty"`
	Description string   `json:"description,omitempty"`
	Props       []oProp  `json:"props,omitempty"`
	RLinks      []oRLink `json:"rlinks,omitempty"`
	Remarks     string   `json:"remarks,omitempty"`
}

type oRLink struct {
	Href   string  `json:"href"`
	Hashes []oHash `json:"hashes,omitempty"`
}

type oHash struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"value"`
}

type oEvidenceRef struct {
	Href        string `json:"href"`
	Description string `json:"description"`
}

type oBackMatter struct {
	Resources []oResource `json:"resources"`
}

type oActor struct {
	Type      string `json:"type"`
	ActorUUID string `json:"actor-uuid"`
}

type oOrigin struct {
	Actors []oActor `json:"actors"`
}

type oStatus struct {
	State   string `json:"state"`
	Reason  string `json:"reason,omitempty"`
	Remarks string `json:"remarks,omitempty"`
}

type oImplStatus struct {
	State   string `json:"state"`
	Remarks string `json:"remarks,omitempty"`
}

type oTarget struct {
	Type                 string       `json:"type"`
	TargetID             string       `json:"target-id"`
	Title                string       `json:"title,omitempty"`
	Status               oStatus      `json:"status"`
	ImplementationStatus *oImplStatus `json:"implementation-status,omitempty"`
}

type oRelatedObs struct {
	ObservationUUID string `json:"observation-uuid"`
}

type oRelatedRisk struct {
	RiskUUID string `json:"risk-uuid"`
}

type oFinding struct {
	UUID                string         `json:"uuid"`
	Title               string         `json:"title"`
	Description         string         `json:"description"`
	Props               []oProp        `json:"props,omitempty"`
	Origins             []oOrigin      `json:"origins,omitempty"`
	Target              oTarget        `json:"target"`
	RelatedObservations []oRelatedObs  `json:"related-observations,omitempty"`
	RelatedRisks        []oRelatedRisk `json:"related-risks,omitempty"`
	Remarks             string         `json:"remarks,omitempty"`
}

type oObservation struct {
	UUID        string         `json:"uuid"`
	Title       string         `json:"title,omitempty"`
	Description string         `json:"description"`
	Props       []oProp        `json:"props,omitempty"`
	Methods     []string       `json:"methods"`
	Types       []string       `json:"types,omitempty"`
	Origins     []oOrigin      `json:"origins,omitempty"`
	Collected   string         `json:"collected"`
	Evidence    []oEvidenceRef `json:"relevant-evidence,omitempty"`
	Remarks     string         `json:"remarks,omitempty"`
}

type oFacet struct {
	Name   string `json:"name"`
	System string `json:"system"`
	Value  string `json:"value"`
}

type oCharacterization struct {
	Props  []oProp  `json:"props,omitempty"`
	Origin oOrigin  `json:"origin"`
	Facets []oFacet `json:"facets"`
}

type oResponse struct {
	UUID        string  `json:"uuid"`
	Lifecycle   string  `json:"lifecycle"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Props       []oProp `json:"props,omitempty"`
	Remarks     string  `json:"remarks,omitempty"`
}

type oRisk struct {
	UUID              string              `json:"uuid"`
	Title             string              `json:"title"`
	Description       string              `json:"description"`
	Statement         string              `json:"statement"`
	Props             []oProp             `json:"props,omitempty"`
	Status            string              `json:"status"`
	Origins           []oOrigin           `json:"origins,omitempty"`
	Characterizations []oCharacterization `json:"characterizations,omitempty"`
	Deadline          string              `json:"deadline,omitempty"`
	Remediations      []oResponse         `json:"remediations,omitempty"`
	Remarks           string              `json:"remarks,omitempty"`
}

type oControlSel struct {
	Description     string       `json:"description,omitempty"`
	IncludeControls []oControlID `json:"include-controls,omitempty"`
}

type oControlID struct {
	ControlID string `json:"control-id"`
}

type oReviewed struct {
	ControlSelections []oControlSel `json:"control-selections"`
}

type oResult struct {
	UUID             string         `json:"uuid"`
	Title            string         `json:"title"`
	Description      string         `json:"description"`
	Start            string         `json:"start"`
	End              string         `json:"end,omitempty"`
	Props            []oProp        `json:"props,omitempty"`
	ReviewedControls oReviewed      `json:"reviewed-controls"`
	Observations     []oObservation `json:"observations,omitempty"`
	Risks            []oRisk        `json:"risks,omitempty"`
	Findings         []oFinding     `json:"findings,omitempty"`
	Remarks          string         `json:"remarks,omitempty"`
}

// oscalTime is the pack's time in OSCAL's date-time-with-timezone form.
func oscalTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// ControlID is the OSCAL control id of a requirement: catalog id, underscore, ref
// ("iso27001-2022_A.5.1", "iso42001-2023_6.1.4"). It is a valid OSCAL token (NCName).
func ControlID(std, ref string) string { return std + "_" + ref }

// oscalText turns user text into OSCAL markup: Markdown special characters escaped so a
// note reads as typed; empty text becomes a dash (OSCAL fields here are required).
func oscalText(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if s == "" {
		return "—"
	}
	return markdownEscaper.Replace(s)
}

var markdownEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", `&lt;`, ">", `&gt;`, "#", `\#`)

// oscalLine is oscalText for one-line (markup-line) fields.
func oscalLine(s string) string {
	return strings.ReplaceAll(oscalText(s), "\n", " ")
}

// oscalParties returns the metadata's roles and parties: the client organisation and the
// assessor (the engagement's lead, or a placeholder when none is named).
func oscalMetadata(d *Data, title string) (oMetadata, string) {
	e := d.Engagement
	org := UUID5("party", e.ID, "organisation")
	assessor := UUID5("party", e.ID, "assessor")
	orgName := e.Organisation
	if orgName == "" {
		orgName = e.Name
	}
	lead := e.Lead
	if lead == "" {
		lead = "Assessor (not named in annex)"
	}
	m := oMetadata{Title: oscalLine(title), LastModified: oscalTime(d.At), Version: d.At.Format("2006-01-02T15:04:05Z"), OSCALVersion: OSCALVersion,
		Props:              []oProp{{Name: "engagement-id", NS: annexNS, Value: e.ID}, {Name: "annex-version", NS: annexNS, Value: orDash(d.Version)}},
		Roles:              []oRole{{ID: "assessor", Title: "Assessor"}, {ID: "client", Title: "Client organisation"}},
		Parties:            []oParty{{UUID: assessor, Type: "person", Name: lead}, {UUID: org, Type: "organization", Name: orgName}},
		ResponsibleParties: []oResponsibleParty{{RoleID: "assessor", PartyUUIDs: []string{assessor}}, {RoleID: "client", PartyUUIDs: []string{org}}}}
	return m, assessor
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

func startOf(d *Data) string {
	if t, err := assessments.ParseDate(d.Engagement.StartDate); err == nil && !t.IsZero() && !t.After(d.At) {
		return oscalTime(t)
	}
	if !d.Engagement.CreatedAt.IsZero() && !d.Engagement.CreatedAt.After(d.At) {
		return oscalTime(d.Engagement.CreatedAt.Truncate(time.Second))
	}
	return oscalTime(d.At)
}

// findingState maps a status onto OSCAL's objective status and implementation status.
func findingState(st assessments.Status) (oStatus, *oImplStatus) {
	switch st {
	case assessments.Implemented:
		return oStatus{State: "satisfied", Reason: "pass"}, &oImplStatus{State: "implemented"}
	case assessments.Partial:
		return oStatus{State: "not-satisfied", Reason: "fail"}, &oImplStatus{State: "partial"}
	case assessments.NotImplemented:
		return oStatus{State: "not-satisfied", Reason: "fail"}, &oImplStatus{State: "planned"}
	case assessments.NotApplicable:
		return oStatus{State: "satisfied", Reason: "other", Remarks: "Not applicable: excluded with a justification."}, &oImplStatus{State: "not-applicable"}
	}
	return oStatus{State: "not-satisfied", Reason: "other"}, nil
}

// OSCALAssessmentResults is the gap analysis (and the risk register, once it exists) as
// OSCAL assessment results: one result per standard in scope, one observation and one
// finding per assessed requirement.
func OSCALAssessmentResults(d *Data) ([]byte, error) {
	e := d.Engagement
	meta, assessor := oscalMetadata(d, "Gap analysis — "+e.Name)
	origin := []oOrigin{{Actors: []oActor{{Type: "party", ActorUUID: assessor}}}}
	planUUID := UUID5("assessment-plan", e.ID)
	doc := struct {
		AR struct {
			UUID     string    `json:"uuid"`
			Metadata oMetadata `json:"metadata"`
			ImportAP struct {
				Href    string `json:"href"`
				Remarks string `json:"remarks,omitempty"`
			} `json:"import-ap"`
			Results    []oResult   `json:"results"`
			BackMatter oBackMatter `json:"back-matter"`
		} `json:"assessment-results"`
	}{}
	ar := &doc.AR
	ar.UUID = UUID5("assessment-results", e.ID)
	ar.Metadata = meta
	ar.ImportAP.Href = "#" + planUUID
	ar.ImportAP.Remarks = "annex keeps no separate OSCAL assessment plan: the plan is the engagement's scope and standards, described in back-matter."
	ar.BackMatter.Resources = []oResource{{UUID: planUUID, Title: oscalLine("Engagement plan: " + e.Name),
		Description: oscalText(fmt.Sprintf("Scope: %s\n\nStandards: %s", orDash(e.Scope), strings.Join(e.Standards, ", ")))}}
	riskUUIDs := oscalRisksByControl(d)
	evidenceRefs := oscalEvidence(d, &ar.BackMatter)
	oscalAISystems(d, &ar.BackMatter)
	for _, c := range d.Standards() {
		res := oResult{UUID: UUID5("result", e.ID, c.ID), Title: oscalLine(c.Name + " gap analysis"),
			Description: oscalText(fmt.Sprintf("Gap analysis of %s for %s. Each assessed requirement has an observation (the consultant's notes) and a finding (its status).", c.Name, e.Name)),
			Start:       startOf(d), End: oscalTime(d.At)}
		total, _ := d.Readiness(c)
		res.Props = []oProp{{Name: "readiness-percent", NS: annexNS, Value: fmt.Sprintf("%.1f", total.Percent())},
			{Name: "assessed-percent", NS: annexNS, Value: fmt.Sprintf("%.1f", total.AssessedPercent())}}
		sel := oControlSel{Description: oscalText("Every clause and Annex A control of " + c.Name + ".")}
		for _, req := range c.Requirements {
			sel.IncludeControls = append(sel.IncludeControls, oControlID{ControlID: ControlID(c.ID, req.Ref)})
			r := d.Result(c.ID, req.Ref)
			st := r.EffectiveStatus()
			if st == assessments.NotAssessed {
				continue
			}
			obsUUID := UUID5("observation", e.ID, c.ID, req.Ref)
			obs := oObservation{UUID: obsUUID, Title: oscalLine(c.Short + " " + req.Ref + " " + req.Title),
				Description: oscalText(firstNonEmpty(r.Notes, r.Justification, "Assessed as "+st.Label()+"; no notes recorded.")),
				Methods:     []string{"INTERVIEW", "EXAMINE"}, Types: []string{"control-objective"}, Origins: origin,
				Collected: collected(d, r)}
			if r.Owner != "" {
				obs.Props = append(obs.Props, oProp{Name: "owner", NS: annexNS, Value: r.Owner})
			}
			if r.Provenance != "" {
				obs.Props = append(obs.Props, oProp{Name: "provenance", NS: annexNS, Value: r.Provenance})
			}
			obs.Evidence = evidenceRefs[reqKey(c.ID, req.Ref)]
			res.Observations = append(res.Observations, obs)
			status, impl := findingState(st)
			if st == assessments.NotApplicable {
				status.Remarks = oscalText("Not applicable: " + r.Justification)
			}
			f := oFinding{UUID: UUID5("finding", e.ID, c.ID, req.Ref), Title: oscalLine(c.Short + " " + req.Ref + " " + req.Title),
				Description: oscalText(fmt.Sprintf("%s %s is %s.", c.Short, req.Ref, st.Label())), Origins: origin,
				Target:              oTarget{Type: "objective-id", TargetID: ControlID(c.ID, req.Ref), Title: oscalLine(req.Title), Status: status, ImplementationStatus: impl},
				RelatedObservations: []oRelatedObs{{ObservationUUID: obsUUID}},
				Props:               []oProp{{Name: "status", NS: annexNS, Value: string(st)}}}
			if r.Maturity != nil {
				f.Props = append(f.Props, oProp{Name: "maturity", NS: annexNS, Value: fmt.Sprint(*r.Maturity)})
			}
			if r.NeedsReview {
				f.Props = append(f.Props, oProp{Name: "needs-review", NS: annexNS, Value: "true"})
			}
			for _, ru := range riskUUIDs[c.ID+" "+req.Ref] {
				f.RelatedRisks = append(f.RelatedRisks, oRelatedRisk{RiskUUID: ru})
			}
			res.Findings = append(res.Findings, f)
		}
		res.ReviewedControls = oReviewed{ControlSelections: []oControlSel{sel}}
		res.Risks = oscalRisks(d, c.ID, origin)
		doc.AR.Results = append(doc.AR.Results, res)
	}
	doc.AR.Results = append(doc.AR.Results, auditResults(d)...)
	if len(doc.AR.Results) == 0 {
		return nil, fmt.Errorf("the engagement has no standard annex knows")
	}
	return marshalCompact(doc)
}

func collected(d *Data, r assessments.Result) string {
	if !r.UpdatedAt.IsZero() && !r.UpdatedAt.After(d.At.Add(time.Second)) {
		return oscalTime(r.UpdatedAt.Truncate(time.Second))
	}
	return oscalTime(d.At)
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}

// OSCALPOAM is the plan of action and milestones: open gaps and (once the risk register
// exists) risk treatments.
func OSCALPOAM(d *Data) ([]byte, error) {
	e := d.Engagement
	meta, assessor := oscalMetadata(d, "Plan of action — "+e.Name)
	origin := []oOrigin{{Actors: []oActor{{Type: "party", ActorUUID: assessor}}}}
	type poamItem struct {
		UUID         string         `json:"uuid"`
		Title        string         `json:"title"`
		Description  string         `json:"description"`
		Props        []oProp        `json:"props,omitempty"`
		Origins      []oOrigin      `json:"origins,omitempty"`
		RelatedRisks []oRelatedRisk `json:"related-risks,omitempty"`
		Remarks      string         `json:"remarks,omitempty"`
	}
	doc := struct {
		P struct {
			UUID     string    `json:"uuid"`
			Metadata oMetadata `json:"metadata"`
			SystemID struct {
				IdentifierType string `json:"identifier-type"`
				ID             string `json:"id"`
			} `json:"system-id"`
			Risks     []oRisk    `json:"risks,omitempty"`
			POAMItems []poamItem `json:"poam-items"`
		} `json:"plan-of-action-and-milestones"`
	}{}
	p := &doc.P
	p.UUID = UUID5("poam", e.ID)
	p.Metadata = meta
	p.SystemID.IdentifierType = annexNS + "/engagement-id"
	p.SystemID.ID = e.ID
	for _, c := range d.Standards() {
		for _, req := range c.Requirements {
			r := d.Result(c.ID, req.Ref)
			st := r.EffectiveStatus()
			if st != assessments.NotImplemented && st != assessments.Partial {
				continue
			}
			it := poamItem{UUID: UUID5("poam-item", e.ID, c.ID, req.Ref), Title: oscalLine(fmt.Sprintf("Close the gap on %s %s %s", c.Short, req.Ref, req.Title)),
				Description: oscalText(firstNonEmpty(r.Notes, fmt.Sprintf("%s %s is %s.", c.Short, req.Ref, st.Label()))), Origins: origin,
				Props: []oProp{{Name: "control-id", NS: annexNS, Value: ControlID(c.ID, req.Ref)}, {Name: "status", NS: annexNS, Value: string(st)}}}
			if r.Owner != "" {
				it.Props = append(it.Props, oProp{Name: "owner", NS: annexNS, Value: r.Owner})
			}
			if r.TargetDate != "" {
				it.Props = append(it.Props, oProp{Name: "target-date", NS: annexNS, Value: r.TargetDate})
			}
			p.POAMItems = append(p.POAMItems, it)
		}
	}
	risks, items := oscalPOAMRisks(d, origin)
	p.Risks = risks
	for _, it := range items {
		p.POAMItems = append(p.POAMItems, poamItem{UUID: it.UUID, Title: it.Title, Description: it.Description, Props: it.Props, Origins: origin, RelatedRisks: it.RelatedRisks})
	}
	if len(p.POAMItems) == 0 {
		// OSCAL needs at least one item; say plainly that nothing is open.
		p.POAMItems = []poamItem{{UUID: UUID5("poam-item", e.ID, "none"), Title: "No open action",
			Description: "Every applicable requirement is implemented or not yet assessed, and no risk treatment is open."}}
	}
	return marshalCompact(doc)
}

// oscalRelationship maps a crosswalk relationship onto NIST IR 8477 set-theory tokens.
// OSCAL has no token weaker than intersects-with, so "related" is written as intersects-with;
// every map also carries annex's own word in the annex-relationship property, which keeps
// the two apart (docs/CATALOGS.md).
func oscalRelationship(r catalogs.Relationship) (token, ns string) {
	switch r {
	case catalogs.Equal:
		return "equal-to", ""
	case catalogs.Superset:
		return "superset-of", ""
	case catalogs.Subset:
		return "subset-of", ""
	}
	return "intersects-with", ""
}

// OSCALMapping is the crosswalk as an OSCAL mapping collection, one mapping per crosswalk
// between two standards of the engagement (or every built-in crosswalk when none applies).
func OSCALMapping(d *Data) ([]byte, error) {
	e := d.Engagement
	meta, assessor := oscalMetadata(d, "Crosswalk — "+e.Name)
	type item struct {
		Type  string `json:"type"`
		IDRef string `json:"id-ref"`
	}
	type mapEntry struct {
		UUID         string  `json:"uuid"`
		NS           string  `json:"ns,omitempty"`
		Relationship string  `json:"relationship"`
		Sources      []item  `json:"sources"`
		Targets      []item  `json:"targets"`
		Props        []oProp `json:"props,omitempty"`
		Remarks      string  `json:"remarks,omitempty"`
	}
	type resRef struct {
		Type string `json:"type"`
		Href string `json:"href"`
	}
	type gap struct {
		UUID             string `json:"uuid"`
		UnmappedControls []struct {
			WithIDs []string `json:"with-ids"`
		} `json:"unmapped-controls"`
	}
	type mapping struct {
		UUID             string     `json:"uuid"`
		SourceResource   resRef     `json:"source-resource"`
		TargetResource   resRef     `json:"target-resource"`
		Maps             []mapEntry `json:"maps"`
		Remarks          string     `json:"remarks,omitempty"`
		TargetGapSummary *gap       `json:"target-gap-summary,omitempty"`
	}
	doc := struct {
		MC struct {
			UUID       string    `json:"uuid"`
			Metadata   oMetadata `json:"metadata"`
			Provenance struct {
				Method             string              `json:"method"`
				MatchingRationale  string              `json:"matching-rationale"`
				Status             string              `json:"status"`
				MappingDescription string              `json:"mapping-description"`
				ResponsibleParties []oResponsibleParty `json:"responsible-parties,omitempty"`
			} `json:"provenance"`
			Mappings   []mapping   `json:"mappings"`
			BackMatter oBackMatter `json:"back-matter"`
		} `json:"mapping-collection"`
	}{}
	mc := &doc.MC
	mc.UUID = UUID5("mapping-collection", e.ID)
	mc.Metadata = meta
	mc.Provenance.Method = "human"
	mc.Provenance.MatchingRationale = "semantic"
	mc.Provenance.Status = "complete"
	mc.Provenance.MappingDescription = "annex's crosswalk between the standards of the engagement, reviewed requirement by requirement with a rationale for every link. It drives the reuse of gap-analysis work from one standard to the other."
	mc.Provenance.ResponsibleParties = []oResponsibleParty{{RoleID: "assessor", PartyUUIDs: []string{assessor}}}
	catRes := map[string]string{}
	for _, cw := range crosswalksOf(d) {
		src, _ := d.Catalogs.Get(cw.Source)
		dst, _ := d.Catalogs.Get(cw.Target)
		for _, c := range []*catalogs.Catalog{src, dst} {
			if _, ok := catRes[c.ID]; !ok {
				catRes[c.ID] = UUID5("catalog", c.ID)
				mc.BackMatter.Resources = append(mc.BackMatter.Resources, oResource{UUID: catRes[c.ID], Title: oscalLine(c.Name),
					Description: oscalText(c.Description), Props: []oProp{{Name: "catalog-id", NS: annexNS, Value: c.ID}}})
			}
		}
		m := mapping{UUID: UUID5("mapping", cw.Source, cw.Target), SourceResource: resRef{Type: "catalog", Href: "#" + catRes[src.ID]},
			TargetResource: resRef{Type: "catalog", Href: "#" + catRes[dst.ID]}}
		var unmapped []string
		for _, en := range cw.Entries {
			if len(en.Links) == 0 {
				unmapped = append(unmapped, ControlID(dst.ID, en.Target))
				continue
			}
			for _, l := range en.Links {
				tok, ns := oscalRelationship(l.Relationship)
				m.Maps = append(m.Maps, mapEntry{UUID: UUID5("map", cw.Source, l.Source, cw.Target, en.Target), NS: ns, Relationship: tok,
					Sources: []item{{Type: "control", IDRef: ControlID(src.ID, l.Source)}},
					Targets: []item{{Type: "control", IDRef: ControlID(dst.ID, en.Target)}},
					Props:   []oProp{{Name: "annex-relationship", NS: annexNS, Value: string(l.Relationship)}},
					Remarks: oscalText(l.Rationale)})
			}
		}
		if len(unmapped) > 0 {
			g := &gap{UUID: UUID5("gap", cw.Source, cw.Target)}
			g.UnmappedControls = append(g.UnmappedControls, struct {
				WithIDs []string `json:"with-ids"`
			}{WithIDs: unmapped})
			m.TargetGapSummary = g
		}
		if len(m.Maps) > 0 {
			mc.Mappings = append(mc.Mappings, m)
		}
	}
	if len(mc.Mappings) == 0 {
		return nil, fmt.Errorf("no crosswalk to write")
	}
	return marshalCompact(doc)
}

// crosswalksOf returns the crosswalks between standards in scope, or all when the
// engagement has a single standard (the mapping still documents annex's crosswalk).
func crosswalksOf(d *Data) []*catalogs.Crosswalk {
	var in []*catalogs.Crosswalk
	for _, cw := range d.Catalogs.Crosswalks {
		if d.Engagement.HasStandard(cw.Source) && d.Engagement.HasStandard(cw.Target) {
			in = append(in, cw)
		}
	}
	if len(in) == 0 {
		return d.Catalogs.Crosswalks
	}
	return in
}

// oscalEvidence adds each evidence item to back-matter as a resource (with its file's
// SHA-256 and where to find it) and returns, per requirement, the references observations
// cite as relevant evidence.
func oscalEvidence(d *Data, bm *oBackMatter) map[string][]oEvidenceRef {
	out := map[string][]oEvidenceRef{}
	for _, e := range d.Parts.Evidence {
		res := oResource{UUID: UUID5("evidence", e.ID), Title: oscalLine(e.Title), Description: oscalText(firstNonEmpty(e.Description, e.Title)),
			Props: []oProp{{Name: "kind", NS: annexNS, Value: string(e.Kind)}, {Name: "state", NS: annexNS, Value: string(e.StateAt(d.At))}}}
		if e.CollectedOn != "" {
			res.Props = append(res.Props, oProp{Name: "collected-on", NS: annexNS, Value: e.CollectedOn})
		}
		var link oRLink
		switch b, kept := d.Parts.Blobs[e.ID]; {
		case kept:
			link.Href = (&url.URL{Path: "../" + evidencePath(e.ID, b.Name)}).String()
		case e.URL != "":
			if u, err := url.Parse(e.URL); err == nil {
				link.Href = u.String()
			}
		case e.Path != "":
			link.Href = (&url.URL{Scheme: "file", Path: filepathToSlash(e.Path)}).String()
		}
		if link.Href != "" {
			if e.SHA256 != "" {
				link.Hashes = []oHash{{Algorithm: "SHA-256", Value: e.SHA256}}
			}
			res.RLinks = []oRLink{link}
		}
		bm.Resources = append(bm.Resources, res)
		for _, l := range e.Links {
			if l.Target == assessments.LinkRequirement {
				k := reqKey(l.Standard, l.Ref)
				out[k] = append(out[k], oEvidenceRef{Href: "#" + res.UUID, Description: oscalText(e.Title)})
			}
		}
	}
	return out
}

// filepathToSlash turns a Windows path into URL form; other paths are unchanged.
func filepathToSlash(p string) string {
	p = strings.ReplaceAll(p, `\`, "/")
	if len(p) >= 2 && p[1] == ':' {
		p = "/" + p
	}
	return p
}
