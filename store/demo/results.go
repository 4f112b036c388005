package demo

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

func init() { register(Step{Order: 10, Name: "gap analysis", Run: addResults}) }

// hand-written answers for the requirements a workshop would discuss first.
var demoAnswers = map[string]map[string]assessments.Result{
	catalogs.ISO27001: {
		"4.1":    {Status: assessments.Implemented, Owner: "Priya Raman", Notes: "Context workshop held with the exec team; issues register kept in Confluence and reviewed each quarter."},
		"4.3":    {Status: assessments.Implemented, Owner: "Priya Raman", Notes: "Scope covers Lens platform, data pipelines and both offices. Payroll outsourced and excluded with interfaces listed."},
		"5.2":    {Status: assessments.Implemented, Owner: "Daniel Okafor", Notes: "Policy signed by the CEO in March; published on the intranet."},
		"6.1.2":  {Status: assessments.Partial, Owner: "Sofia Marques", TargetDate: "", Notes: "Risk method exists but likelihood scale is not defined in writing.\nTwo assessors scored the same risk differently in the workshop."},
		"6.1.3":  {Status: assessments.Partial, Owner: "Sofia Marques", Notes: "Treatment plans exist for the top ten risks only. SoA draft not yet linked to treatments."},
		"7.2":    {Status: assessments.Partial, Owner: "Hannah Berg", Notes: "Competence matrix for engineering only; none for clinical safety staff."},
		"9.2.2":  {Status: assessments.NotImplemented, Owner: "Daniel Okafor", Notes: "No internal audit programme yet. Plan to contract an external auditor for the first cycle."},
		"9.3.1":  {Status: assessments.NotImplemented, Owner: "Priya Raman", Notes: "Management review never held formally; security is a standing item in the monthly board pack."},
		"A.5.1":  {Status: assessments.Implemented, Owner: "Daniel Okafor", Notes: "Topic-specific policies for access, backup, cryptography and supplier security."},
		"A.5.7":  {Status: assessments.NotImplemented, Owner: "Tomás Silva", Notes: "No threat intelligence feed; the team reads vendor advisories ad hoc."},
		"A.5.9":  {Status: assessments.Partial, Owner: "Tomás Silva", Notes: "Cloud assets inventoried by tags; laptops in MDM; datasets not inventoried."},
		"A.5.15": {Status: assessments.Implemented, Owner: "Tomás Silva", Notes: "RBAC in Okta and AWS IAM Identity Center; quarterly access reviews since January."},
		"A.5.18": {Status: assessments.Implemented, Owner: "Tomás Silva", Notes: "Quarterly access review signed by system owners."},
		"A.5.19": {Status: assessments.Partial, Owner: "Lena Fischer", Notes: "Supplier register exists; security assessments only for the cloud provider."},
		"A.5.23": {Status: assessments.Implemented, Owner: "Tomás Silva", Notes: "AWS landing zone with guardrails; cloud exit considerations documented."},
		"A.5.24": {Status: assessments.Partial, Owner: "Tomás Silva", Notes: "Incident runbook exists but roles for clinical-safety incidents are missing."},
		"A.5.31": {Status: assessments.Implemented, Owner: "Lena Fischer", Notes: "Legal register covers UK GDPR, MDR (UK CA marking) and NHS DSPT."},
		"A.5.34": {Status: assessments.Implemented, Owner: "Lena Fischer", Notes: "DPIAs for Lens and the chatbot; DPO appointed."},
		"A.6.3":  {Status: assessments.Implemented, Owner: "Hannah Berg", Notes: "Annual awareness training, 94% completion; phishing simulation twice a year."},
		"A.7.1":  {Status: assessments.Implemented, Owner: "Facilities", Notes: "Badge access at both offices; server room none (cloud only)."},
		"A.7.5":  {Status: assessments.NotApplicable, Justification: "No company-operated data centre or server room: all processing runs in the cloud provider's facilities, covered by A.5.23.", Owner: "Tomás Silva"},
		"A.8.8":  {Status: assessments.Partial, Owner: "Tomás Silva", Notes: "Container images scanned in CI; laptops patched by MDM; no SLA for critical CVEs."},
		"A.8.15": {Status: assessments.Implemented, Owner: "Tomás Silva", Notes: "CloudTrail and application logs to a central store, 13 months retention."},
		"A.8.16": {Status: assessments.Partial, Owner: "Tomás Silva", Notes: "Alerts on infrastructure only; no monitoring of model endpoints for abuse."},
		"A.8.25": {Status: assessments.Implemented, Owner: "Ravi Patel", Notes: "Secure SDLC with threat modelling for new services."},
		"A.8.28": {Status: assessments.Implemented, Owner: "Ravi Patel", Notes: "Linters and SAST in CI; peer review mandatory."},
		"A.8.32": {Status: assessments.Implemented, Owner: "Ravi Patel", Notes: "Change via pull requests and CAB for production model releases."},
	},
	catalogs.ISO42001: {
		"4.1":     {Status: assessments.Partial, Owner: "Priya Raman", Notes: "Intended purpose of Lens documented; role as AI provider not yet stated for the chatbot."},
		"5.2":     {Status: assessments.NotImplemented, Owner: "Daniel Okafor", Notes: "No AI policy yet. Draft due after the ethics board meets."},
		"6.1.2":   {Status: assessments.Partial, Owner: "Sofia Marques", Notes: "AI risks are in the same register, but AI risk sources are not used as prompts."},
		"6.1.4":   {Status: assessments.Partial, Owner: "Amara Nwosu", Notes: "Impact assessment done for Lens; chatbot assessment in draft."},
		"8.4":     {Status: assessments.Partial, Owner: "Amara Nwosu", Notes: "Re-assessment trigger not defined for model retraining."},
		"A.2.2":   {Status: assessments.NotImplemented, Owner: "Daniel Okafor", Notes: "See 5.2."},
		"A.3.2":   {Status: assessments.Partial, Owner: "Priya Raman", Notes: "Model owner and clinical safety officer named; no RACI for the chatbot."},
		"A.5.2":   {Status: assessments.Partial, Owner: "Amara Nwosu", Notes: "Process drafted from the DPIA template; approval step missing."},
		"A.6.2.4": {Status: assessments.Implemented, Owner: "Ravi Patel", Notes: "Validation on a held-out multi-site set; sensitivity and specificity per subgroup reported."},
		"A.6.2.6": {Status: assessments.Partial, Owner: "Ravi Patel", Notes: "Drift dashboard exists; no thresholds that trigger review."},
		"A.7.4":   {Status: assessments.Partial, Owner: "Amara Nwosu", Notes: "Label quality audited on 2% sample; no written data quality requirements."},
		"A.7.5":   {Status: assessments.NotImplemented, Owner: "Amara Nwosu", Notes: "Provenance of the 2021 partner dataset is unclear: contract says research use only."},
		"A.8.2":   {Status: assessments.Partial, Owner: "Ravi Patel", Notes: "Instructions for use for radiologists; limitations section thin."},
		"A.9.4":   {Status: assessments.Implemented, Owner: "Priya Raman", Notes: "Intended use statement approved with the clinical safety case."},
		"A.10.3":  {Status: assessments.NotAssessed, Owner: "Lena Fischer"},
	},
}

var demoOwners = []string{"Priya Raman", "Tomás Silva", "Sofia Marques", "Ravi Patel", "Lena Fischer", "Hannah Berg", "Amara Nwosu"}

func addResults(ctx context.Context, s *store.Store, set *catalogs.Set, e assessments.Engagement, opt Options) error {
	for _, std := range e.Standards {
		c, ok := set.Get(std)
		if !ok {
			continue
		}
		for _, req := range c.Requirements {
			r, ok := demoAnswers[std][req.Ref]
			if !ok || opt.Client > 0 && hash(salt(opt)+req.Ref)%3 == 0 {
				r = filler(std, salt(opt), req)
				if r.Status == assessments.NotAssessed {
					continue
				}
			}
			before := assessments.Result{EngagementID: e.ID, Standard: std, Ref: req.Ref, Status: assessments.NotAssessed}
			r.EngagementID, r.Standard, r.Ref = e.ID, std, req.Ref
			if r.Status == "" {
				r.Status = assessments.NotAssessed
			}
			if r.TargetDate == "" && (r.Status == assessments.Partial || r.Status == assessments.NotImplemented) {
				r.TargetDate = dateIn(s.Now(), 30+int(hash(req.Ref)%150))
			}
			if _, err := s.SaveResult(ctx, before, r); err != nil {
				return fmt.Errorf("%s %s: %w", std, req.Ref, err)
			}
		}
	}
	return nil
}

// filler gives the requirements nobody discussed a stable, believable status: most of 27001
// already in place, most of 42001 not yet assessed.
func filler(std, salt string, req catalogs.Requirement) assessments.Result {
	h := hash(salt + std + req.Ref)
	owner := demoOwners[h%uint32(len(demoOwners))]
	switch std {
	case catalogs.ISO27001:
		switch h % 10 {
		case 0, 1, 2, 3, 4:
			return assessments.Result{Status: assessments.Implemented, Owner: owner}
		case 5, 6:
			return assessments.Result{Status: assessments.Partial, Owner: owner}
		case 7:
			return assessments.Result{Status: assessments.NotImplemented, Owner: owner}
		}
	default:
		switch h % 10 {
		case 0:
			return assessments.Result{Status: assessments.Partial, Owner: owner}
		case 1:
			return assessments.Result{Status: assessments.NotImplemented, Owner: owner}
		}
	}
	return assessments.Result{Status: assessments.NotAssessed}
}

// salt varies the answers of Options.Client's engagements; Medivance's stay as written.
func salt(opt Options) string {
	if opt.Client == 0 {
		return ""
	}
	return fmt.Sprintf("client %d ", opt.Client)
}

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}
