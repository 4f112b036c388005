package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

func init() { register(Step{Order: 30, Name: "AI systems", Run: addAISystems}) }

// Demo AI system names (tests and the e2e journey refer to them).
const (
	LensName    = "Medivance Lens"
	ChatbotName = "Medivance Assist"
)

func iso42c(refs ...string) []assessments.ControlRef {
	out := make([]assessments.ControlRef, len(refs))
	for i, r := range refs {
		out[i] = assessments.ControlRef{Standard: catalogs.ISO42001, Ref: r}
	}
	return out
}

func iso27c(refs ...string) []assessments.ControlRef {
	out := make([]assessments.ControlRef, len(refs))
	for i, r := range refs {
		out[i] = assessments.ControlRef{Standard: catalogs.ISO27001, Ref: r}
	}
	return out
}

func addAISystems(ctx context.Context, s *store.Store, set *catalogs.Set, e assessments.Engagement, opt Options) error {
	lens, err := s.CreateAISystem(ctx, assessments.AISystem{
		EngagementID: e.ID, Name: LensName,
		Purpose:           "Flags chest X-rays with likely urgent findings (pneumothorax, consolidation, effusion) so they rise to the top of the radiologist's worklist.",
		Type:              "deep learning (convolutional image classifier)",
		Roles:             []assessments.AIRole{assessments.RoleProducer, assessments.RoleProvider},
		Stage:             assessments.StageOperation,
		DataSources:       "De-identified chest X-rays and reports from three partner NHS trusts (2019-2023); a licensed research dataset from 2021.",
		DataCategories:    "Medical images, radiology report labels, age band, sex, acquisition device (health data: special category).",
		PersonalData:      true,
		DeploymentContext: "Integrated into the PACS worklist of radiology departments at partner trusts; scores shown beside each study.",
		Jurisdictions:     "United Kingdom (UK GDPR, UK MDR 2002 as a class IIa device); European Union (EU MDR class IIa, CE marked) for hospitals in Ireland and the Netherlands",
		Users:             "Consultant radiologists and reporting radiographers",
		AffectedPeople:    "Adult patients who have a chest X-ray at a partner trust",
		Automation:        assessments.AutomationAdvisory,
		HumanOversight:    "Every image is still read by a radiologist; the score only changes the order of the worklist. Clinicians can flag a disagreement in one click.",
		ThirdParty:        "Open-source image backbone pre-trained on public photographs; training and inference on AWS (eu-west-2).",
		Owner:             "Ravi Patel",
	})
	if err != nil {
		return fmt.Errorf("%s: %w", LensName, err)
	}
	bot, err := s.CreateAISystem(ctx, assessments.AISystem{
		EngagementID: e.ID, Name: ChatbotName,
		Purpose:           "Answers patients' questions about appointments, preparation for an X-ray and where to find their results, and hands over to staff.",
		Type:              "generative (large language model with retrieval)",
		Roles:             []assessments.AIRole{assessments.RoleProvider},
		Stage:             assessments.StageVerify,
		DataSources:       "Medivance help-centre articles; conversation transcripts of the pilot.",
		DataCategories:    "Free text typed by patients, which may include symptoms and identifiers.",
		PersonalData:      true,
		DeploymentContext: "Web chat on the patient portal of two pilot trusts, available around the clock.",
		Jurisdictions:     "United Kingdom; a pilot with an Irish hospital group is planned (EU AI Act)",
		Users:             "Patients and carers",
		AffectedPeople:    "Patients and carers; booking staff who take over conversations",
		Automation:        assessments.AutomationOnTheLoop,
		HumanOversight:    "Staff review flagged conversations daily and can take over a live chat.",
		ThirdParty:        "Hosted large language model from a cloud provider under a data-processing agreement.",
		Owner:             "Amara Nwosu",
	})
	if err != nil {
		return fmt.Errorf("%s: %w", ChatbotName, err)
	}
	if err := lensAssessment(ctx, s, lens); err != nil {
		return err
	}
	if err := chatbotDraft(ctx, s, bot); err != nil {
		return err
	}
	if err := linkDemoRisks(ctx, s, e, lens, bot); err != nil {
		return err
	}
	if err := lensClassification(ctx, s, lens); err != nil {
		return err
	}
	if err := chatbotClassification(ctx, s, bot); err != nil {
		return err
	}
	if opt.Size == "large" {
		for i := 1; i <= 200; i++ {
			if _, err := s.CreateAISystem(ctx, assessments.AISystem{EngagementID: e.ID, Name: fmt.Sprintf("Model %03d", i),
				Purpose: "Benchmark inventory entry", Roles: []assessments.AIRole{assessments.AIRoles[i%len(assessments.AIRoles)]}, Owner: demoOwners[i%len(demoOwners)]}); err != nil {
				return err
			}
		}
	}
	return nil
}

func lensAssessment(ctx context.Context, s *store.Store, lens assessments.AISystem) error {
	a := assessments.NewImpactAssessment(lens)
	a.Scope = "Medivance Lens v3 as deployed at the three partner trusts, from image arrival to the radiologist's report."
	a.Assessors = "Amara Nwosu (AI governance), Ravi Patel (model owner), Dr Helen Carver (clinical safety officer)"
	a.IntendedUses = "Re-order the reporting worklist so studies with likely urgent findings are read first. Adults only; posterior-anterior and portable chest films."
	a.Misuse = "Reading the score as a diagnosis; using it to skip reading low-score studies when the backlog is long; running it on children's images."
	a.FailureModes = "False negatives push an urgent study down the list; drift when a trust changes X-ray equipment; outage falls back to the normal worklist."
	a.DataProvenance = "Data-sharing agreements with each trust; the 2021 research dataset's licence is under legal review."
	a.DataQuality = "Labels taken from reports by NLP, 2% sample checked by radiologists; 0.4% label error found."
	a.KnownBias = "Portable films from wards are under-represented (11% of training images, 30% in use); few patients over 85."
	a.ModelKind = "Convolutional neural network classifier with calibrated scores per finding."
	a.ModelProvider = "Built in house by Medivance on an open-source backbone."
	a.ModelChanges = "Retrained twice a year; each release validated per trust and per subgroup before go-live; no learning in production."
	a.Geography = "England (three NHS trusts)"
	a.Languages = "Not applicable (images); interface in English"
	a.InterestedParties = "Patients; radiologists and radiographers; partner trusts; Medivance clinical safety team; the regulator."
	a.VulnerableGroups = "Frail and elderly ward patients imaged at the bedside; patients who cannot consent to data reuse."
	a.Impacts = []assessments.Impact{
		{Area: assessments.AreaFairness, Effect: assessments.EffectHarm,
			Description: "Lower sensitivity on portable films means ward patients, often older and frailer, benefit less and wait longer.",
			Severity:    4, Likelihood: 3, Reversibility: assessments.PartlyReversible, Scale: assessments.ScaleGroup,
			Measures: iso42c("A.6.2.4", "A.7.4"), MeasuresNote: "Sensitivity reported per acquisition type and age band at each release.",
			ResidualSeverity: 3, ResidualLikelihood: 2},
		{Area: assessments.AreaAccountability, Effect: assessments.EffectHarm,
			Description: "Unclear who answers for a late read of a study the model ranked low.",
			Severity:    3, Likelihood: 2, Reversibility: assessments.Reversible, Scale: assessments.ScaleIndividual,
			Measures: iso42c("A.3.2"), MeasuresNote: "Clinical safety case names the reporting radiologist as accountable; the model owner answers for performance.",
			ResidualSeverity: 3, ResidualLikelihood: 1},
		{Area: assessments.AreaTransparency, Effect: assessments.EffectHarm,
			Description: "Radiologists cannot see why a study was ranked high, so they may over- or under-trust it.",
			Severity:    2, Likelihood: 3, Reversibility: assessments.Reversible, Scale: assessments.ScaleGroup,
			Measures: iso42c("A.8.2"), MeasuresNote: "Heat map overlay and instructions for use with known limitations.",
			ResidualSeverity: 2, ResidualLikelihood: 2},
		{Area: assessments.AreaPrivacy, Effect: assessments.EffectHarm,
			Description: "Training images or reports could be re-identified if the training store were breached.",
			Severity:    4, Likelihood: 2, Reversibility: assessments.Irreversible, Scale: assessments.ScaleGroup,
			Measures:         append(iso27c("A.8.11", "A.8.24", "A.5.34"), iso42c("A.7.5")...),
			ResidualSeverity: 4, ResidualLikelihood: 1},
		{Area: assessments.AreaSafety, Effect: assessments.EffectHarm,
			Description: "A missed pneumothorax on a portable film drops down the worklist and treatment is delayed.",
			Severity:    5, Likelihood: 3, Reversibility: assessments.PartlyReversible, Scale: assessments.ScaleIndividual,
			Measures: append(iso42c("A.6.2.4", "A.6.2.6"), iso27c("A.8.16")...), MeasuresNote: "Every study is still read; drift alerts per trust; second read of portable films during the pilot year.",
			ResidualSeverity: 4, ResidualLikelihood: 3},
		{Area: assessments.AreaFinancial, Effect: assessments.EffectBenefit,
			Description: "Shorter time to report for urgent studies reduces overtime and outsourcing of reads for the trusts."},
		{Area: assessments.AreaAccessibility, Effect: assessments.EffectNone,
			Description: "No patient-facing interface; the clinician interface follows the trusts' accessibility standard."},
		{Area: assessments.AreaHumanRights, Effect: assessments.EffectNone,
			Description: "Effects on equal treatment and privacy are assessed under fairness and privacy."},
		{Area: assessments.AreaEnvironmental, Effect: assessments.EffectHarm,
			Description: "Twice-yearly retraining uses about 900 GPU hours.",
			Severity:    1, Likelihood: 3, Reversibility: assessments.Reversible, Scale: assessments.ScaleSociety,
			ResidualSeverity: 1, ResidualLikelihood: 3},
		{Area: assessments.AreaEconomic, Effect: assessments.EffectBenefit,
			Description: "Faster reporting of urgent findings for patients across the partner trusts; helps with reporting backlogs."},
	}
	decided := s.Now().AddDate(0, 0, -120)
	a.Decision = assessments.DecisionApprove
	a.Approver = "Dr Helen Carver"
	a.DecisionDate = decided.Format(assessments.DateLayout)
	a.Rationale = "Residual safety harm is high but held by the radiologist read of every study and drift alerts; benefits for urgent patients outweigh it. Review in six months."
	a.LastStep = assessments.StepDecision
	if _, err := s.CreateImpactAssessment(ctx, a); err != nil {
		return fmt.Errorf("%s impact assessment: %w", lens.Name, err)
	}
	return nil
}

func chatbotDraft(ctx context.Context, s *store.Store, bot assessments.AISystem) error {
	a := assessments.NewImpactAssessment(bot)
	a.Scope = "The pilot of Medivance Assist on two trusts' patient portals."
	a.Assessors = "Amara Nwosu, Lena Fischer (DPO)"
	a.IntendedUses = "Answer practical questions about appointments, preparation and results; hand over to staff."
	a.Misuse = "Patients describing symptoms and taking the reply as medical advice; prompt injection to reveal other patients' data."
	a.FailureModes = "Confident wrong answers; missing a patient in distress; vendor outage."
	a.KnownBias = "Works best in plain English; weaker for patients who write in other languages."
	a.ModelKind = "Large language model with retrieval over help-centre articles."
	a.Geography = "England"
	a.Languages = "English only in the pilot"
	a.Impacts = []assessments.Impact{
		{Area: assessments.AreaSafety, Effect: assessments.EffectHarm,
			Description: "A reply read as medical advice delays care for a patient with urgent symptoms.",
			Severity:    4, Likelihood: 3, Reversibility: assessments.PartlyReversible, Scale: assessments.ScaleIndividual},
		{Area: assessments.AreaPrivacy, Effect: assessments.EffectHarm,
			Description: "Transcripts with identifiers reach the model vendor.",
			Severity:    3, Likelihood: 3, Reversibility: assessments.Irreversible, Scale: assessments.ScaleGroup},
	}
	a.LastStep = assessments.StepImpacts
	if _, err := s.CreateImpactAssessment(ctx, a); err != nil {
		return fmt.Errorf("%s impact assessment: %w", bot.Name, err)
	}
	return nil
}

// linkDemoRisks points the register's AI risks at the inventory, and records that the
// Lens safety harm is the one behind the pneumothorax risk.
func linkDemoRisks(ctx context.Context, s *store.Store, e assessments.Engagement, lens, bot assessments.AISystem) error {
	risks, err := s.Risks(ctx, e.ID)
	if err != nil {
		return err
	}
	versions, err := s.ImpactAssessments(ctx, lens.ID)
	if err != nil || len(versions) == 0 {
		return err
	}
	for _, r := range risks {
		asset := strings.ToLower(r.Asset + " " + r.Title)
		target := ""
		switch {
		case strings.Contains(asset, "chatbot"):
			target = bot.ID
		case strings.Contains(asset, "lens"):
			target = lens.ID
		}
		if target == "" || r.AISystemID != "" {
			continue
		}
		after := r
		after.AISystemID = target
		if _, err := s.UpdateRisk(ctx, r, after); err != nil {
			return fmt.Errorf("link risk %s: %w", r.Ref, err)
		}
		if target == lens.ID && strings.Contains(strings.ToLower(r.Title), "pneumothorax") {
			if err := s.LinkImpactRisk(ctx, versions[0], assessments.AreaSafety, r.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// answers answers every question of the given kinds no, with the notes given by id.
func answers(kinds []string, notes map[string]string) map[string]assessments.AIActAnswer {
	out := map[string]assessments.AIActAnswer{}
	for _, q := range catalogs.MustEUAIAct().Questions {
		if slices.Contains(kinds, q.Kind) {
			out[q.ID] = assessments.AIActAnswer{Answer: assessments.AnswerNo, Note: notes[q.ID]}
		}
	}
	return out
}

var screening = []string{catalogs.KindProhibited, catalogs.KindAnnexIProduct, catalogs.KindAnnexIII, catalogs.KindTransparency, catalogs.KindGPAIProvider}

// lensClassification: Lens is software that is itself a class IIa medical device under the
// EU MDR, assessed by a notified body: high-risk through Art. 6(1), approved.
func lensClassification(ctx context.Context, s *store.Store, lens assessments.AISystem) error {
	r := assessments.NewAIActRecord(lens)
	r.Answers = answers(screening, map[string]string{
		"p_manipulation":        "Scores are shown to clinicians only; nothing is shown to patients.",
		"hr_essential_services": "Orders a radiology worklist; it does not decide on access to care, and it is not emergency call handling or emergency triage.",
		"tr_interaction":        "Radiologists see a score beside each study; no one converses with it.",
		"gp_provider":           "A task-specific classifier, not a general-purpose model.",
	})
	r.Answers["hr_annex_i_product"] = assessments.AIActAnswer{Answer: assessments.AnswerYes,
		Note: "Software as a medical device, EU MDR class IIa (classification rule 11)."}
	r.Answers["hr_annex_i_assessment"] = assessments.AIActAnswer{Answer: assessments.AnswerYes,
		Note: "Class IIa needs a notified body's assessment of the quality management system and technical documentation."}
	r.Decision, r.Approver, r.Rationale = assessments.DecisionApprove, "Dr Helen Carver",
		"High-risk through the medical device route; the AI Act requirements are folded into the MDR technical file and the notified body's next audit."
	r.DecisionDate = s.Now().AddDate(0, 0, -90).Format(assessments.DateLayout)
	r.LastStep = assessments.ActStepResult
	if _, err := s.CreateAIActRecord(ctx, r); err != nil {
		return fmt.Errorf("%s EU AI Act classification: %w", lens.Name, err)
	}
	return nil
}

// chatbotClassification: Assist talks with patients and writes its replies: transparency
// obligations under Art. 50; a draft, the Irish pilot is still being planned.
func chatbotClassification(ctx context.Context, s *store.Store, bot assessments.AISystem) error {
	r := assessments.NewAIActRecord(bot)
	r.Answers = answers([]string{catalogs.KindProhibited, catalogs.KindAnnexIProduct, catalogs.KindAnnexIII}, map[string]string{
		"hr_essential_services": "Answers practical questions; eligibility for care is decided by staff.",
	})
	r.Answers["tr_interaction"] = assessments.AIActAnswer{Answer: assessments.AnswerYes, Note: "Patients chat with it on the portal."}
	r.Answers["tr_synthetic_content"] = assessments.AIActAnswer{Answer: assessments.AnswerYes, Note: "It writes its replies with a hosted language model."}
	r.LastStep = assessments.ActStepTransparency
	if _, err := s.CreateAIActRecord(ctx, r); err != nil {
		return fmt.Errorf("%s EU AI Act classification: %w", bot.Name, err)
	}
	return nil
}
