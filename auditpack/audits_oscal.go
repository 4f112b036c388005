package auditpack

import (
	"fmt"
	"strings"
	"time"

	"github.com/annex-grc/annex/assessments"
)

// auditResults are the engagement's internal audits as OSCAL results of the assessment
// results document: per audit one result, an observation per requirement concluded on,
// and a finding per finding (withdrawn ones left out), targeting its first requirement and
// naming every requirement in props. The audit team is named in the result's props; its
// observations and findings carry no origin of their own (thousands over a programme).
func auditResults(d *Data) []oResult {
	p := d.Parts.Audits
	e := d.Engagement
	evidence := map[string]bool{}
	for _, ev := range d.Parts.Evidence {
		evidence[ev.ID] = true
	}
	var out []oResult
	for _, a := range p.Audits {
		if a.EffectiveStatus() == assessments.AuditCancelled {
			continue
		}
		res := oResult{UUID: UUID5("audit-result", e.ID, a.ID), Title: oscalLine(fmt.Sprintf("Internal audit %s: %s", a.Ref, a.Title)),
			Description: oscalText(fmt.Sprintf("%s audit, %s. Criteria: %s\n\n%s", upperFirst(a.Type.Label()), a.EffectiveStatus().Label(),
				orDash(a.Criteria), firstNonEmpty(a.Summary, "No summary written yet."))),
			Start: auditTime(d, a.ActualStart, a.PlannedStart)}
		if a.ActualEnd != "" {
			res.End = auditTime(d, a.ActualEnd)
		}
		res.Props = []oProp{{Name: "audit-ref", NS: annexNS, Value: a.Ref}, {Name: "audit-type", NS: annexNS, Value: string(a.Type)},
			{Name: "audit-status", NS: annexNS, Value: string(a.EffectiveStatus())}, {Name: "lead-auditor", NS: annexNS, Value: orDash(a.Lead)}}
		for _, n := range a.Team {
			res.Props = append(res.Props, oProp{Name: "auditor", NS: annexNS, Value: n})
		}
		sel := oControlSel{Description: oscalText("The audit's scope: " + assessments.ScopeText(d.Catalogs, a.Scope) + ".")}
		for _, c := range a.Scope {
			sel.IncludeControls = append(sel.IncludeControls, oControlID{ControlID: ControlID(c.Standard, c.Ref)})
		}
		res.ReviewedControls = oReviewed{ControlSelections: []oControlSel{sel}}
		items := p.Items[a.ID]
		observed := map[assessments.ControlRef]string{}
		for _, cr := range assessments.Checklist(d.Catalogs, a) {
			it, ok := items[cr.Ref]
			c := it.EffectiveConclusion()
			if !ok || c == assessments.NotAudited {
				continue
			}
			obs := oObservation{UUID: UUID5("audit-observation", a.ID, cr.Ref.String()), Title: oscalLine(RequirementLabel(d.Catalogs, cr.Ref) + " " + cr.Requirement.Title),
				Description: oscalText(firstNonEmpty(it.Notes, "Concluded "+c.Label()+"; no notes recorded.")),
				Types:       []string{"control-objective"}, Collected: collectedAt(d, it.UpdatedAt),
				Props: []oProp{{Name: "conclusion", NS: annexNS, Value: string(c)}}}
			if c.Noteworthy() {
				obs.Types = append(obs.Types, "finding")
			}
			if len(it.Evidence) > 0 {
				obs.Methods = append(obs.Methods, "EXAMINE")
			}
			if strings.TrimSpace(it.Interviewees) != "" {
				obs.Methods = append(obs.Methods, "INTERVIEW")
				obs.Props = append(obs.Props, oProp{Name: "interviewees", NS: annexNS, Value: strings.Join(strings.Fields(it.Interviewees), " ")})
			}
			if it.SampleSize > 0 {
				obs.Methods = append(obs.Methods, "TEST")
				obs.Props = append(obs.Props, oProp{Name: "sample-size", NS: annexNS, Value: fmt.Sprint(it.SampleSize)})
				if it.Population > 0 {
					obs.Props = append(obs.Props, oProp{Name: "population", NS: annexNS, Value: fmt.Sprint(it.Population)})
				}
			}
			if len(obs.Methods) == 0 {
				obs.Methods = []string{"EXAMINE"}
			}
			if it.Provenance != "" {
				obs.Props = append(obs.Props, oProp{Name: "provenance", NS: annexNS, Value: it.Provenance})
			}
			for _, x := range it.Evidence {
				ref := oEvidenceRef{Description: oscalText(fmt.Sprintf("%s, examined %s by %s", x.Title, x.ExaminedAt.UTC().Format(assessments.DateLayout), orDash(x.ExaminedBy)))}
				if evidence[x.EvidenceID] {
					ref.Href = "#" + UUID5("evidence", x.EvidenceID)
				}
				if x.SHA256 != "" {
					ref.Description = oscalText(fmt.Sprintf("%s, examined %s by %s; SHA-256 when examined: %s", x.Title,
						x.ExaminedAt.UTC().Format(assessments.DateLayout), orDash(x.ExaminedBy), x.SHA256))
				}
				obs.Evidence = append(obs.Evidence, ref)
			}
			observed[cr.Ref] = obs.UUID
			res.Observations = append(res.Observations, obs)
		}
		for _, v := range p.findingsOf(a.ID) {
			f := v.Finding
			if v.Status == assessments.FindingWithdrawn || len(f.Requirements) == 0 {
				continue
			}
			status := oStatus{State: "satisfied", Reason: "pass", Remarks: oscalText(upperFirst(f.Grade.Label()) + ": the requirement is met; see the finding.")}
			if f.Grade.Nonconformity() {
				status = oStatus{State: "not-satisfied", Reason: "fail"}
			}
			first := f.Requirements[0]
			title := RequirementLabel(d.Catalogs, first)
			if cat, ok := d.Catalogs.Get(first.Standard); ok {
				if r, ok := cat.Requirement(first.Ref); ok {
					title = r.Title
				}
			}
			of := oFinding{UUID: UUID5("audit-finding", f.ID), Title: oscalLine(f.Ref + " " + f.Grade.Short() + ": " + firstLine(f.Statement, 120)),
				Description: oscalText(f.Statement),
				Target:      oTarget{Type: "objective-id", TargetID: ControlID(first.Standard, first.Ref), Title: oscalLine(title), Status: status},
				Props: []oProp{{Name: "finding-ref", NS: annexNS, Value: f.Ref}, {Name: "grade", NS: annexNS, Value: string(f.Grade)},
					{Name: "finding-status", NS: annexNS, Value: string(v.Status)}, {Name: "raised-on", NS: annexNS, Value: f.RaisedOn}}}
			for _, c := range f.Requirements {
				of.Props = append(of.Props, oProp{Name: "requirement", NS: annexNS, Value: ControlID(c.Standard, c.Ref)})
			}
			if v.Status == assessments.FindingClosed {
				of.Props = append(of.Props, oProp{Name: "closed-on", NS: annexNS, Value: assessments.ClosedOn(v.Actions)})
			}
			if u, ok := observed[f.Source]; ok {
				of.RelatedObservations = []oRelatedObs{{ObservationUUID: u}}
			}
			var remarks []string
			if strings.TrimSpace(f.Evidence) != "" {
				remarks = append(remarks, "Objective evidence: "+f.Evidence)
			}
			for _, ca := range v.Actions {
				remarks = append(remarks, fmt.Sprintf("Corrective action %s (%s): %s", assessments.ActionRef(f.Ref, ca.Seq), ca.EffectiveState().Label(), ca.Action))
			}
			if len(remarks) > 0 {
				of.Remarks = oscalText(strings.Join(remarks, "\n\n"))
			}
			res.Findings = append(res.Findings, of)
		}
		out = append(out, res)
	}
	return out
}

// auditTime is the first date given as an OSCAL date-time (midnight UTC), or the pack's time.
func auditTime(d *Data, dates ...string) string {
	for _, s := range dates {
		if t, err := assessments.ParseDate(s); err == nil && !t.IsZero() {
			return oscalTime(t)
		}
	}
	return oscalTime(d.At)
}

func collectedAt(d *Data, t time.Time) string {
	if !t.IsZero() && !t.After(d.At.Add(time.Second)) {
		return oscalTime(t.Truncate(time.Second))
	}
	return oscalTime(d.At)
}
