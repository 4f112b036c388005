package assessments

import (
	"strings"
)

// One record for two purposes: the fundamental rights impact assessment Article 27 asks of
// a deployer of a high-risk system is assembled from the ISO/IEC 42001 impact assessment of
// the system (its uses, deployment, interested parties, harms and measures) and the few
// fields Article 27 asks beyond it, kept on the EU AI Act classification record. Nobody
// types the same thing twice.

// FRIA is the fundamental rights impact assessment of a system, section by section of
// Art. 27(1).
type FRIA struct {
	Status FRIAStatus
	// Source is the impact assessment version it draws on (nil: none yet).
	Source *ImpactAssessment
	// (a) the deployer's processes in which the system is used for its intended purpose.
	Processes string
	// (b) the period of time and frequency of use.
	Period string
	// (c) the categories of people and groups likely to be affected.
	Persons string
	// (d) the specific risks of harm to them: the harms of the impact assessment.
	Harms []FRIAHarm
	// (e) the human oversight measures.
	Oversight string
	// (f) what is done if the risks materialise: the measures against each harm, and the
	// internal governance and complaint mechanism.
	Complaints string
	// Art. 27(3): when the market surveillance authority was notified ("" not yet).
	Notified string
}

// FRIAHarm is one harm of the impact assessment as Art. 27(1)(d) and (f) read it.
type FRIAHarm struct {
	Area     ImpactArea
	Harm     string
	Class    HarmClass // residual, with its rule
	Measures []ControlRef
	Note     string // the measures in words
}

// FRIASource picks the impact assessment a FRIA draws on from a system's versions: the
// approved version in force, else the newest.
func FRIASource(versions []ImpactAssessment) *ImpactAssessment {
	var latest, inForce *ImpactAssessment
	for i := range versions {
		a := &versions[i]
		if latest == nil || a.Version > latest.Version {
			latest = a
		}
		if st := a.State(); (st == ImpactApproved || st == ImpactConditional) && (inForce == nil || a.Version > inForce.Version) {
			inForce = a
		}
	}
	if inForce != nil {
		return inForce
	}
	return latest
}

// BuildFRIA assembles the FRIA from the classification record and the impact assessment
// (nil when the system has none yet: those sections stay empty).
func BuildFRIA(status FRIAStatus, r AIActRecord, ia *ImpactAssessment) FRIA {
	f := FRIA{Status: status, Source: ia, Period: r.FRIAPeriod, Oversight: r.FRIAOversight, Complaints: r.FRIAComplaints, Notified: r.FRIANotified}
	if ia == nil {
		return f
	}
	f.Processes = joinParas(ia.IntendedUses, ia.DeploymentContext)
	f.Persons = joinParas(ia.InterestedParties, labelled("Vulnerable groups: ", ia.VulnerableGroups))
	for _, im := range ia.Impacts {
		if !im.Harm() {
			continue
		}
		f.Harms = append(f.Harms, FRIAHarm{Area: im.Area, Harm: im.Description, Class: im.ResidualHarm(),
			Measures: append([]ControlRef(nil), im.Measures...), Note: im.MeasuresNote})
	}
	return f
}

func labelled(label, s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return label + strings.TrimSpace(s)
}

func joinParas(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n\n")
}
