package demo

import (
	"context"
	"fmt"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

func init() { register(Step{Order: 20, Name: "risk register", Run: addRisks}) }

func iso27(refs ...string) []assessments.ControlRef { return controlRefs(catalogs.ISO27001, refs) }
func iso42(refs ...string) []assessments.ControlRef { return controlRefs(catalogs.ISO42001, refs) }

func controlRefs(std string, refs []string) []assessments.ControlRef {
	out := make([]assessments.ControlRef, len(refs))
	for i, r := range refs {
		out[i] = assessments.ControlRef{Standard: std, Ref: r}
	}
	return out
}

func score(l, c int) assessments.Score { return assessments.Score{Likelihood: l, Consequence: c} }

// demoRisk is a register entry plus the dates that depend on the demo's clock.
type demoRisk struct {
	risk         assessments.Risk
	reviewInDays int // review date relative to today (negative: overdue)
	// acceptedDaysAgo > 0 gives the risk an acceptance that many days ago, by acceptedBy,
	// for acceptedFor (zero: the risk's residual as stored, so the acceptance is current).
	acceptedDaysAgo int
	acceptedBy      string
	rationale       string
	acceptedFor     assessments.Score
}

// demoRegister is Medivance Health's register on the default 5x5 matrix (threshold Low).
func demoRegister() []demoRisk {
	return []demoRisk{
		{risk: assessments.Risk{
			Title: "Ransomware encrypts the imaging archive and model artefacts", Scope: assessments.ScopeSecurity,
			Approach: assessments.ApproachAsset, Source: "Organised crime", Threat: "Ransomware delivered by phishing",
			Vulnerability: "Engineer laptops can reach the artefact bucket with long-lived keys",
			Asset:         "S3 imaging archive and model registry", Owner: "Tomás Silva",
			Properties:             []string{assessments.PropAvailability, assessments.PropIntegrity},
			ConsequenceOrg:         "Lens offline for days; contractual penalties with two NHS trusts.",
			ConsequenceIndividuals: "Delayed triage of chest X-rays.",
			Inherent:               score(4, 5), ExistingControls: "Daily snapshots in the same account; EDR on laptops.",
			Treatment: assessments.TreatModify, TreatmentPlan: "Immutable cross-account backups; short-lived credentials through SSO; restore test every quarter.",
			Controls: append(iso27("A.8.13", "A.8.7", "A.5.15"), iso42("A.6.2.6")...), Residual: score(2, 4),
			Status: assessments.RiskInTreatment}, reviewInDays: 45},
		{risk: assessments.Risk{
			Title: "Partner dataset used beyond its research-only licence", Scope: assessments.ScopeAI,
			Approach: assessments.ApproachEvent,
			Scenario: "The 2021 partner chest X-ray set, licensed for research only, ends up in the commercial training pipeline.",
			Asset:    "Medivance Lens training data", Owner: "Amara Nwosu",
			Objectives: []string{"accountability", "privacy"}, Sources: []string{"lifecycle_issues"},
			ConsequenceOrg:         "Licence breach claim; retraining without the set; regulator questions on provenance.",
			ConsequenceIndividuals: "Patients' images used without a lawful basis.",
			ConsequenceSociety:     "Erodes trust in data sharing between hospitals and AI firms.",
			Inherent:               score(4, 4), ExistingControls: "Dataset register in a spreadsheet.",
			Treatment: assessments.TreatModify, TreatmentPlan: "Provenance record per dataset; licence check gate before a dataset enters training.",
			Controls: append(iso42("A.7.5", "A.7.2"), iso27("A.5.34")...), Residual: score(2, 3),
			Status: assessments.RiskInTreatment}, reviewInDays: 30},
		{risk: assessments.Risk{
			Title: "Lens under-detects pneumothorax on portable X-rays", Scope: assessments.ScopeAI,
			Approach: assessments.ApproachEvent,
			Scenario: "Portable bedside images differ from the training distribution; sensitivity drops without anyone noticing.",
			Asset:    "Medivance Lens model v3.2", Owner: "Ravi Patel",
			Objectives: []string{"safety", "robustness", "fairness"}, Sources: []string{"machine_learning", "environment_complexity"},
			ConsequenceOrg:         "Clinical safety incident; MHRA field safety notice.",
			ConsequenceIndividuals: "Missed or delayed diagnosis for ward patients.",
			ConsequenceSociety:     "Unequal quality of care between wards and outpatients.",
			Inherent:               score(3, 5), ExistingControls: "Subgroup validation before release.",
			Treatment: assessments.TreatModify, TreatmentPlan: "Drift thresholds per acquisition type that page the model owner; radiologist second read for portable images.",
			Controls: append(iso42("A.6.2.4", "A.6.2.6", "A.7.4"), iso27("A.8.16")...), Residual: score(2, 4),
			Status: assessments.RiskInTreatment}, reviewInDays: 20},
		{risk: assessments.Risk{
			Title: "Patient chatbot gives advice that reads as a diagnosis", Scope: assessments.ScopeAI,
			Approach: assessments.ApproachEvent,
			Scenario: "A patient describes chest pain; the chatbot answers with reassurance instead of sending them to urgent care.",
			Asset:    "Patient support chatbot", Owner: "Amara Nwosu",
			Objectives: []string{"safety", "transparency_explainability"}, Sources: []string{"level_of_automation", "lack_of_transparency"},
			ConsequenceOrg:         "Complaint, reputational harm, possible reclassification as a medical device.",
			ConsequenceIndividuals: "Delayed emergency care.",
			Inherent:               score(3, 5), ExistingControls: "System prompt forbids medical advice.",
			Treatment: assessments.TreatModify, TreatmentPlan: "Red-flag symptom classifier hands over to a nurse line; weekly transcript sampling.",
			Controls: append(iso42("A.9.4", "A.8.2", "A.6.2.6"), iso27("A.8.16")...), Residual: score(2, 3),
			Status: assessments.RiskInTreatment}, reviewInDays: -12},
		{risk: assessments.Risk{
			Title: "Chatbot transcripts leak patient identifiers to the model vendor", Scope: assessments.ScopeBoth,
			Approach: assessments.ApproachAsset, Source: "Third-party LLM provider", Threat: "Vendor retains prompts for training",
			Vulnerability: "Free-text fields sent without redaction", Asset: "Chatbot conversation logs", Owner: "Lena Fischer",
			Properties: []string{assessments.PropConfidentiality}, Objectives: []string{"privacy", "security"}, Sources: []string{"lifecycle_issues"},
			ConsequenceOrg:         "Personal data breach notification; ICO enquiry.",
			ConsequenceIndividuals: "Health information disclosed outside the care relationship.",
			Inherent:               score(3, 4), ExistingControls: "DPA with the vendor; zero-retention flag requested.",
			Treatment: assessments.TreatShare, TreatmentPlan: "Contractual zero retention with audit right; redaction proxy in front of the API.",
			Controls: append(iso27("A.5.19", "A.8.11", "A.5.34"), iso42("A.10.3")...), Residual: score(2, 3),
			Status: assessments.RiskInTreatment}, reviewInDays: 60},
		{risk: assessments.Risk{
			Title: "Cloud region outage stops triage for partner hospitals", Scope: assessments.ScopeSecurity,
			Approach: assessments.ApproachEvent, Scenario: "The single AWS region hosting Lens inference is down for most of a working day.",
			Asset: "Lens inference service", Owner: "Tomás Silva", Properties: []string{assessments.PropAvailability},
			ConsequenceOrg:         "Service credits; radiology departments fall back to manual triage.",
			ConsequenceIndividuals: "Longer waits for X-ray reports.",
			Inherent:               score(2, 4), ExistingControls: "Multi-AZ deployment; status page.",
			Treatment: assessments.TreatRetain, TreatmentPlan: "Keep single region; hospitals keep their manual triage procedure.",
			Controls: iso27("A.5.30", "A.5.23"), Residual: score(2, 4),
			Status: assessments.RiskAccepted}, reviewInDays: 150,
			acceptedDaysAgo: 40, acceptedBy: "Daniel Okafor",
			rationale: "A second region costs more than the expected loss; hospitals triage manually within agreed times."},
		{risk: assessments.Risk{
			Title: "Phishing takes over an engineer's SSO account", Scope: assessments.ScopeSecurity,
			Approach: assessments.ApproachAsset, Source: "Opportunistic attackers", Threat: "Credential phishing",
			Vulnerability: "Push-notification MFA open to fatigue attacks", Asset: "Okta identities", Owner: "Tomás Silva",
			Properties:     []string{assessments.PropConfidentiality, assessments.PropIntegrity},
			ConsequenceOrg: "Access to source code and the model registry.",
			Inherent:       score(4, 3), ExistingControls: "Okta MFA; awareness training.",
			Treatment: assessments.TreatModify, TreatmentPlan: "Phishing-resistant FIDO2 keys for engineers; number matching for everyone else.",
			Controls: iso27("A.5.15", "A.6.3", "A.8.5"), Residual: score(2, 2),
			Status: assessments.RiskInTreatment}, reviewInDays: 90},
		{risk: assessments.Risk{
			Title: "Retraining without re-assessing the impact", Scope: assessments.ScopeAI,
			Approach: assessments.ApproachEvent,
			Scenario: "A quarterly retrain changes the model's behaviour for older patients and ships without a new impact assessment.",
			Asset:    "Medivance Lens", Owner: "Amara Nwosu", Objectives: []string{"accountability", "fairness"}, Sources: []string{"lifecycle_issues"},
			ConsequenceIndividuals: "Worse performance for a group nobody re-checked.",
			ConsequenceSociety:     "Bias in screening carried into clinical routine.",
			Inherent:               score(3, 4), ExistingControls: "Release checklist.",
			Treatment: assessments.TreatModify, TreatmentPlan: "Retraining is a significant change: it triggers the impact assessment process and subgroup validation.",
			Controls: append(iso42("A.5.2", "A.5.4", "A.6.2.4"), iso27("A.8.32")...), Residual: score(2, 3),
			Status: assessments.RiskOpen}, reviewInDays: 25},
		{risk: assessments.Risk{
			Title: "Radiologists over-trust the triage score", Scope: assessments.ScopeAI,
			Approach: assessments.ApproachEvent,
			Scenario: "Low-priority flags are read later and less carefully; automation bias sets in.",
			Asset:    "Lens worklist integration", Owner: "Priya Raman",
			Objectives: []string{"safety", "transparency_explainability"}, Sources: []string{"level_of_automation"},
			ConsequenceIndividuals: "Findings missed on images ranked low.",
			Inherent:               score(3, 3), ExistingControls: "Instructions for use; training at go-live.",
			Treatment: assessments.TreatRetain, TreatmentPlan: "Keep current design; monitor discordance rate in the quarterly clinical review.",
			Controls: iso42("A.8.2", "A.9.3"), Residual: score(3, 3),
			Status: assessments.RiskAccepted}, reviewInDays: 75,
			acceptedDaysAgo: 30, acceptedBy: "Dr. Helen Ward (clinical safety officer)",
			rationale: "Discordance is within the clinical safety case; the worklist never hides an image."},
		{risk: assessments.Risk{
			Title: "Unpatched inference containers exposed to known CVEs", Scope: assessments.ScopeSecurity,
			Approach: assessments.ApproachAsset, Source: "Internet scanners", Threat: "Exploitation of a public CVE",
			Vulnerability: "No SLA for patching base images", Asset: "Inference containers", Owner: "Ravi Patel",
			Properties:     []string{assessments.PropConfidentiality, assessments.PropIntegrity, assessments.PropAvailability},
			ConsequenceOrg: "Compromise of the inference service.",
			Inherent:       score(3, 4), ExistingControls: "Image scanning in CI.",
			Treatment: assessments.TreatModify, TreatmentPlan: "7-day SLA for critical CVEs; weekly base image rebuild.",
			Controls: iso27("A.8.8", "A.8.28"), Residual: score(2, 3),
			Status: assessments.RiskInTreatment}, reviewInDays: -5},
		// The acceptance was given when the residual was 2x3; the residual has since been raised
		// to 3x3 after a supplier review, so the acceptance shows stale.
		{risk: assessments.Risk{
			Title: "Annotation supplier mislabels training images", Scope: assessments.ScopeBoth,
			Approach: assessments.ApproachAsset, Source: "Annotation supplier", Threat: "Careless or rushed labelling",
			Vulnerability: "Only 2% of labels audited", Asset: "Labelled training set", Owner: "Amara Nwosu",
			Properties: []string{assessments.PropIntegrity}, Objectives: []string{"robustness", "training_test_data"},
			Sources:        []string{"machine_learning"},
			ConsequenceOrg: "Model quality drops; rework costs.", ConsequenceIndividuals: "Less accurate triage.",
			Inherent: score(3, 4), ExistingControls: "Supplier contract with quality clause; 2% audit.",
			Treatment: assessments.TreatRetain, TreatmentPlan: "Keep the supplier; audit rate reviewed each quarter.",
			Controls: append(iso42("A.7.4", "A.10.3"), iso27("A.5.19")...), Residual: score(3, 3),
			Status: assessments.RiskAccepted}, reviewInDays: 10,
			acceptedDaysAgo: 120, acceptedBy: "Priya Raman", acceptedFor: score(2, 3),
			rationale: "Label error rate measured at 0.8%; retraining tolerates it."},
		{risk: assessments.Risk{
			Title: "Former staff keep access to the analytics workspace", Scope: assessments.ScopeSecurity,
			Approach: assessments.ApproachAsset, Source: "Leavers", Threat: "Misuse of access after leaving",
			Vulnerability: "Analytics workspace not connected to SSO", Asset: "Analytics workspace", Owner: "Hannah Berg",
			Properties:     []string{assessments.PropConfidentiality},
			ConsequenceOrg: "Pseudonymised patient data exposed.",
			Inherent:       score(2, 3), ExistingControls: "Leaver checklist.",
			Treatment: assessments.TreatModify, TreatmentPlan: "Move the workspace behind SSO; quarterly access review.",
			Controls: iso27("A.5.15", "A.5.18"), Residual: score(1, 3),
			Status: assessments.RiskClosed}, reviewInDays: 200},
		{risk: assessments.Risk{
			Title: "Energy use of retraining conflicts with sustainability goals", Scope: assessments.ScopeAI,
			Approach: assessments.ApproachEvent, Scenario: "Weekly full retrains on GPU clusters triple the carbon footprint.",
			Asset: "Training pipeline", Owner: "Priya Raman", Objectives: []string{"environmental_impact"},
			ConsequenceSociety: "Avoidable emissions.",
			Inherent:           score(3, 2), Treatment: assessments.TreatRetain, TreatmentPlan: "Retrain monthly; report energy in the annual report.",
			Controls: iso42("A.6.1.2"), Residual: score(2, 2),
			Status: assessments.RiskOpen}, reviewInDays: 180},
	}
}

func addRisks(ctx context.Context, s *store.Store, set *catalogs.Set, e assessments.Engagement, opt Options) error {
	now := s.Now()
	m, err := s.RiskMatrix(ctx, e.ID)
	if err != nil {
		return err
	}
	known := assessments.KnownControl(set)
	var batch []assessments.Risk
	for _, d := range demoRegister() {
		r := d.risk
		r.EngagementID = e.ID
		r.ReviewDate = dateIn(now, d.reviewInDays)
		if d.acceptedDaysAgo > 0 {
			given := d.acceptedFor
			if !given.Set() {
				given = r.Residual
			}
			r.Acceptance = &assessments.Acceptance{By: d.acceptedBy, Date: dateIn(now, -d.acceptedDaysAgo), Rationale: d.rationale, Residual: given}
		}
		if err := r.Validate(m, known); err != nil {
			return fmt.Errorf("%s: %w", r.Title, err)
		}
		batch = append(batch, r)
	}
	if opt.Size == "large" {
		batch = append(batch, largeRegister(e, m, now.Format(assessments.DateLayout), set)...)
	}
	_, err = s.CreateRisks(ctx, batch)
	return err
}

// largeRegister generates 2,400 believable risks for benchmarks, deterministically.
func largeRegister(e assessments.Engagement, m assessments.Matrix, today string, set *catalogs.Set) []assessments.Risk {
	assets := []string{"patient portal", "imaging archive", "Lens model", "chatbot", "data lake", "CI pipeline", "HR system",
		"billing service", "annotation tool", "model registry", "VPN", "laptop fleet"}
	threats := []string{"data leak", "outage", "tampering", "model drift", "bias in outputs", "supplier failure", "insider misuse",
		"misconfiguration", "unpatched software", "lost device"}
	var controls []assessments.ControlRef
	for _, std := range []string{catalogs.ISO27001, catalogs.ISO42001} {
		if c, ok := set.Get(std); ok {
			for _, req := range c.Requirements {
				if req.Kind == catalogs.KindControl {
					controls = append(controls, assessments.ControlRef{Standard: std, Ref: req.Ref})
				}
			}
		}
	}
	out := make([]assessments.Risk, 0, 2400)
	for i := range 2400 {
		h := hash(fmt.Sprintf("risk-%d", i))
		scope := assessments.RiskScopes[h%3]
		inh := score(int(h>>2%5)+1, int(h>>5%5)+1)
		res := score(max(1, inh.Likelihood-int(h>>8%3)), max(1, inh.Consequence-int(h>>10%2)))
		r := assessments.Risk{
			EngagementID: e.ID,
			Title:        fmt.Sprintf("%s of the %s (%d)", threats[h%uint32(len(threats))], assets[h>>3%uint32(len(assets))], i+1),
			Scope:        scope, Owner: demoOwners[h>>4%uint32(len(demoOwners))], Inherent: inh, Residual: res,
			Treatment: assessments.Treatments[h>>12%4], Status: assessments.RiskStatuses[h>>14%3],
			ReviewDate: dateInText(today, int(h>>16%400)-60),
		}
		if len(controls) > 0 {
			r.Controls = []assessments.ControlRef{controls[h%uint32(len(controls))]}
			if c2 := controls[(h>>7)%uint32(len(controls))]; c2 != r.Controls[0] {
				r.Controls = append(r.Controls, c2)
			}
		}
		if r.Treatment == assessments.TreatRetain && m.AboveThreshold(r.Residual) || r.Status == assessments.RiskAccepted {
			r.Acceptance = &assessments.Acceptance{By: r.Owner, Date: dateInText(today, -int(h>>20%90)), Rationale: "Within appetite after review.", Residual: r.Residual}
		}
		out = append(out, r)
	}
	return out
}

func dateInText(today string, days int) string {
	t, err := assessments.ParseDate(today)
	if err != nil {
		return ""
	}
	return dateIn(t, days)
}
