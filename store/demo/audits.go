package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

func init() { register(Step{Order: 50, Name: "internal audits", Run: addAudits}) }

// demoCheck is what the auditor recorded on one requirement of the completed audit.
type demoCheck struct {
	std, ref     string
	conclusion   assessments.Conclusion
	notes        string
	interviewees string
	population   int
	sample       int
	sampled      string
	evidence     []string // titles of library items examined
}

// The completed audit's checklist, in the order the auditor walked it. Conclusions on
// 42001 A.6.2.4, 27001 9.2.1 and 27001 10.2 also answer for their crosswalk counterparts.
var demoChecklist = []demoCheck{
	{std: catalogs.ISO42001, ref: "8.1", conclusion: assessments.Conforming, notes: "Operational plan for Lens covers data intake, training, validation and release; reviewed at each sprint planning.",
		interviewees: "Ravi Patel"},
	{std: catalogs.ISO42001, ref: "8.2", conclusion: assessments.Conforming, notes: "AI risk assessment repeated before the March retraining, as the procedure asks."},
	{std: catalogs.ISO42001, ref: "8.3", conclusion: assessments.Conforming, notes: "Treatment actions for the top AI risks tracked in the register with owners."},
	{std: catalogs.ISO42001, ref: "8.4", conclusion: assessments.Observation,
		notes:        "Impact assessment results are kept for Lens version 1; the re-assessment after the March retraining is still a draft, so the record does not yet show the current model.",
		interviewees: "Amara Nwosu"},
	{std: catalogs.ISO42001, ref: "A.6.2.2", conclusion: assessments.Conforming, notes: "Requirements for the triage model are written per release, including performance floors per subgroup."},
	{std: catalogs.ISO42001, ref: "A.6.2.3", conclusion: assessments.Conforming, notes: "Design records kept in the model card and the architecture decision log."},
	{std: catalogs.ISO42001, ref: "A.6.2.4", conclusion: assessments.MajorNC,
		notes: "Releases 4.1 and 4.2 of the Lens model went live before the validation report the release procedure requires was signed; validation was run after deployment.\n\n" +
			"The release checklist has no step that checks for the signed report.",
		interviewees: "Ravi Patel, clinical safety officer", population: 6, sample: 3, sampled: "Releases 4.0, 4.1, 4.2",
		evidence: []string{"Lens model validation report 2026"}},
	{std: catalogs.ISO42001, ref: "A.6.2.5", conclusion: assessments.Conforming, notes: "Deployment plan with rollback used for the last three releases."},
	{std: catalogs.ISO42001, ref: "A.6.2.6", conclusion: assessments.OFI,
		notes: "The drift dashboard could open a ticket when a threshold is crossed, rather than waiting for the weekly review to notice it."},
	{std: catalogs.ISO42001, ref: "A.6.2.8", conclusion: assessments.Conforming, notes: "Inference events and model versions logged; logs kept 13 months.",
		evidence: []string{"Central logging retention settings"}},
	{std: catalogs.ISO42001, ref: "A.7.5", conclusion: assessments.MinorNC,
		notes:        "Provenance and permitted use are recorded for 3 of the 5 training datasets sampled; the 2021 partner dataset and the 2023 synthetic set have no record of where they came from or what use the licence allows.",
		interviewees: "Amara Nwosu", population: 5, sample: 5, sampled: "All five training datasets of Lens 4.2"},
	{std: catalogs.ISO27001, ref: "A.5.15", conclusion: assessments.MinorNC,
		notes:        "Two of the eight leavers sampled kept their Okta access for 9 and 14 days after leaving; the access review caught them, deprovisioning on the leaving day did not.",
		interviewees: "Tomás Silva", population: 23, sample: 8, sampled: "L-0412, L-0415, L-0419, L-0420, L-0423, L-0427, L-0430, L-0431",
		evidence: []string{"Quarterly access review, Q3"}},
	{std: catalogs.ISO27001, ref: "A.8.25", conclusion: assessments.Conforming, notes: "Secure development policy v2 in force; threat models for the two new services."},
	{std: catalogs.ISO27001, ref: "A.8.26", conclusion: assessments.Conforming, notes: "Security requirements captured in the ticket template."},
	{std: catalogs.ISO27001, ref: "A.8.27", conclusion: assessments.Conforming, notes: "Architecture principles published; reviewed for the new inference gateway."},
	{std: catalogs.ISO27001, ref: "A.8.28", conclusion: assessments.Conforming, notes: "SAST and mandatory peer review on every pull request sampled.", population: 140, sample: 10},
	{std: catalogs.ISO27001, ref: "9.2.1", conclusion: assessments.Conforming, notes: "This audit is the first of the programme approved by the management team in January."},
	{std: catalogs.ISO27001, ref: "10.2", conclusion: assessments.Conforming, notes: "Nonconformity procedure in place; corrective actions tracked with owners and due dates."},
}

func addAudits(ctx context.Context, s *store.Store, set *catalogs.Set, e assessments.Engagement, opt Options) error {
	if opt.Client > 0 || !e.HasStandard(catalogs.ISO27001) || !e.HasStandard(catalogs.ISO42001) {
		return nil // the programme below audits Medivance's scope in both standards
	}
	now := s.Now()
	scope, problems := assessments.ParseScope(set, e,
		"ISO 42001 8, ISO 42001 A.6, ISO 42001 A.7, ISO 42001 9.2, ISO 42001 10.2, ISO 27001 A.5.15, ISO 27001 A.8.25-A.8.29, ISO 27001 9.2, ISO 27001 10.2")
	if len(problems) > 0 {
		return fmt.Errorf("scope: %s", problems[0])
	}
	start, end := dateIn(now, -65), dateIn(now, -63)
	a, err := s.CreateAudit(ctx, assessments.Audit{EngagementID: e.ID, Title: "AI life cycle, training data and secure development",
		Type: assessments.AuditInternal, Status: assessments.AuditCompleted, Scope: scope,
		Processes: "Model development and release; training data management; secure development; access control for the ML platform.",
		Sites:     "London office; the production cloud account.",
		Criteria:  "ISO/IEC 42001:2023 and ISO/IEC 27001:2022 requirements in scope; secure development policy v2; release procedure for AI models; the Lens clinical safety case.",
		Lead:      "Omar Haddad", Team: []string{"Sofia Marques"}, Auditees: "Ravi Patel (ML lead), Amara Nwosu (data governance), Tomás Silva (platform security)",
		PlannedStart: start, PlannedEnd: end, ActualStart: start, ActualEnd: end,
		Summary: "The development and release of Lens follow documented procedures, and the secure development controls work as designed. " +
			"The release of two model versions before their validation was signed off is a major nonconformity: the safety case relies on that check. " +
			"Data provenance and leaver deprovisioning need tightening."})
	if err != nil {
		return err
	}
	library, err := s.Evidence(ctx, e.ID)
	if err != nil {
		return err
	}
	byTitle := map[string]string{}
	for _, ev := range library {
		byTitle[ev.Title] = ev.ID
	}
	findings := map[string]assessments.Finding{} // by requirement ref of the item
	for _, c := range demoChecklist {
		key := assessments.ChecklistItem{AuditID: a.ID, Standard: c.std, Ref: c.ref, Conclusion: assessments.NotAudited}
		it := key
		it.Notes, it.Interviewees, it.Population, it.SampleSize, it.Sampled = c.notes, c.interviewees, c.population, c.sample, c.sampled
		saved, err := s.SaveChecklistItem(ctx, key, it)
		if err != nil {
			return fmt.Errorf("checklist %s: %w", c.ref, err)
		}
		var ids []string
		for _, t := range c.evidence {
			if id, ok := byTitle[t]; ok {
				ids = append(ids, id)
			}
		}
		if len(ids) > 0 {
			if saved, err = s.ExamineEvidence(ctx, saved, ids); err != nil {
				return err
			}
		}
		got, err := s.Conclude(ctx, set, saved, c.conclusion)
		if err != nil {
			return fmt.Errorf("conclude %s: %w", c.ref, err)
		}
		if got.Finding != nil {
			// Raised during the audit, not today.
			next := *got.Finding
			next.RaisedOn = end
			f, err := s.UpdateFinding(ctx, *got.Finding, next)
			if err != nil {
				return err
			}
			findings[c.ref] = f
		}
	}
	if err := addDemoActions(ctx, s, e, findings, now); err != nil {
		return err
	}
	// The next audit of the programme: a supplier audit, planned; a team member owns a
	// requirement in its scope, so the workbench warns about impartiality.
	next, problems := assessments.ParseScope(set, e, "ISO 27001 A.5.19-A.5.23, ISO 42001 A.10")
	if len(problems) > 0 {
		return fmt.Errorf("scope: %s", problems[0])
	}
	if _, err := s.CreateAudit(ctx, assessments.Audit{EngagementID: e.ID, Title: "Suppliers: cloud platform and annotation vendor",
		Type: assessments.AuditSupplier, Status: assessments.AuditPlanned, Scope: next,
		Processes: "Supplier selection, contracts and monitoring; outsourced data annotation.", Sites: "Remote, with the annotation vendor's Kraków office.",
		Criteria: "Supplier security clauses of the master services agreements; ISO/IEC 27001 A.5.19 to A.5.23; ISO/IEC 42001 A.10.",
		Lead:     "Omar Haddad", Team: []string{"Lena Fischer"}, Auditees: "Cloud provider account team; annotation vendor's quality lead",
		PlannedStart: dateIn(now, 50), PlannedEnd: dateIn(now, 51)}); err != nil {
		return err
	}
	if opt.Size == "large" {
		return addManyAudits(ctx, s, set, e)
	}
	return nil
}

// addDemoActions gives the findings corrective actions in every state: one verified (its
// finding closes), one found ineffective and reopened, one in progress, one done and
// awaiting review, one open and overdue; the OFI stays without action (noted). The data
// provenance finding raises a risk; the reopened action is linked to a risk treatment.
func addDemoActions(ctx context.Context, s *store.Store, e assessments.Engagement, f map[string]assessments.Finding, now time.Time) error {
	type step struct {
		state           assessments.ActionState
		by, on, checked string
	}
	add := func(ref string, a assessments.CorrectiveAction, steps ...step) (assessments.CorrectiveAction, error) {
		fd, ok := f[ref]
		if !ok {
			return a, fmt.Errorf("no finding on %s", ref)
		}
		a.FindingID = fd.ID
		cur, err := s.CreateCorrectiveAction(ctx, a)
		if err != nil {
			return a, fmt.Errorf("action on %s: %w", fd.Ref, err)
		}
		for _, st := range steps {
			next := cur
			next.State = st.state
			if st.state.Reviewed() {
				next.ReviewedBy, next.ReviewedOn, next.ReviewNote = st.by, st.on, st.checked
			}
			if cur, err = s.UpdateCorrectiveAction(ctx, cur, next); err != nil {
				return a, fmt.Errorf("action on %s to %s: %w", fd.Ref, st.state.Label(), err)
			}
		}
		return cur, nil
	}
	var lensRisk string
	if risks, err := s.Risks(ctx, e.ID); err == nil {
		for _, r := range risks {
			if strings.Contains(r.Title, "Lens") {
				lensRisk = r.ID
				break
			}
		}
	}
	inProgress, done := step{state: assessments.CorrectiveInProgress}, step{state: assessments.CorrectiveDone}
	if _, err := add("A.6.2.4", assessments.CorrectiveAction{Correction: "Validation of releases 4.1 and 4.2 run and signed off by the clinical safety officer.",
		RootCause: []string{"The release went ahead without a signed validation report.", "The release checklist does not ask for the report.",
			"The checklist predates the AI policy and was never reviewed against it."},
		Action: "Make the signed validation report a blocking check of the release pipeline.", Owner: "Ravi Patel", DueDate: dateIn(now, -30), RiskID: lensRisk},
		inProgress, done, step{assessments.CorrectiveIneffective, "Omar Haddad", dateIn(now, -6),
			"Release 4.4 went out with the check bypassed by a manual override that nobody approved or logged."}); err != nil {
		return err
	}
	if _, err := add("A.6.2.4", assessments.CorrectiveAction{RootCause: []string{"Pipeline overrides need no approval and leave no trace."},
		Action: "Require a second approver for pipeline overrides and log each one.", Owner: "Tomás Silva", DueDate: dateIn(now, 25)}, inProgress); err != nil {
		return err
	}
	if _, err := add("A.7.5", assessments.CorrectiveAction{Correction: "The 2021 partner dataset is out of the training set until its licence is clarified.",
		RootCause: []string{"Datasets were added before the data governance procedure existed."},
		Action:    "Record provenance and permitted use for every training dataset, and check them before each training run.", Owner: "Amara Nwosu",
		DueDate: dateIn(now, -7)}); err != nil {
		return err
	}
	if _, err := add("A.5.15", assessments.CorrectiveAction{Correction: "Both accounts disabled the day the audit found them.",
		RootCause: []string{"Deprovisioning waits for a ticket from HR.", "HR raises the ticket after the payroll run, days after the leaving date."},
		Action:    "Trigger Okta deprovisioning from the HR system's leaver event.", Owner: "Tomás Silva", DueDate: dateIn(now, -30)},
		inProgress, done, step{assessments.CorrectiveVerified, "Omar Haddad", dateIn(now, -12),
			"Sampled the six leavers since the change: every account was disabled within four hours of the leaving time."}); err != nil {
		return err
	}
	if _, err := add("8.4", assessments.CorrectiveAction{Action: "Finish and approve the Lens impact re-assessment after the March retraining.",
		Owner: "Amara Nwosu", DueDate: dateIn(now, 14)}, inProgress, done); err != nil {
		return err
	}
	if fd, ok := f["A.7.5"]; ok {
		if _, err := s.CreateRiskFromFinding(ctx, fd.ID); err != nil {
			return err
		}
	}
	return nil
}

// addManyAudits adds a year of audits over every requirement of both standards, with
// findings and actions in every state, for benchmarks: 12 audits, about 2,100 checklist
// items and 1,000 findings. Deterministic.
func addManyAudits(ctx context.Context, s *store.Store, set *catalogs.Set, e assessments.Engagement) error {
	const audits = 12
	year := s.Now().Year() - 1
	var all []assessments.ControlRef
	for _, std := range e.Standards {
		if c, ok := set.Get(std); ok {
			for _, r := range c.Requirements {
				all = append(all, assessments.ControlRef{Standard: std, Ref: r.Ref})
			}
		}
	}
	people := []string{"Ravi Patel", "Amara Nwosu", "Tomás Silva", "Lena Fischer", "Daniel Okafor", "Hannah Berg"}
	states := []assessments.ActionState{assessments.CorrectiveOpen, assessments.CorrectiveInProgress, assessments.CorrectiveDone, assessments.CorrectiveVerified, assessments.CorrectiveIneffective}
	var batch []store.ImportAudit
	for k := 0; k < audits; k++ {
		month := k%12 + 1
		start := fmt.Sprintf("%d-%02d-%02d", year, month, 3+k/12*10)
		end := fmt.Sprintf("%d-%02d-%02d", year, month, 5+k/12*10)
		ref := fmt.Sprintf("%d-%02d", year, k+1)
		a := assessments.Audit{EngagementID: e.ID, Ref: ref, Title: fmt.Sprintf("Cycle audit %d: both management systems", k+1),
			Type: assessments.AuditInternal, Status: assessments.AuditCompleted, Scope: all, Criteria: "ISO/IEC 27001:2022 and ISO/IEC 42001:2023.",
			Lead: "Omar Haddad", Team: []string{"Sofia Marques"}, PlannedStart: start, PlannedEnd: end, ActualStart: start, ActualEnd: end,
			Summary: "Benchmark audit over every clause and control."}
		ia := store.ImportAudit{Audit: a}
		seq := 0
		for i, c := range all {
			var concl assessments.Conclusion
			switch r := (k*len(all) + i*7) % 20; {
			case r < 2:
				concl = assessments.MajorNC
			case r < 5:
				concl = assessments.MinorNC
			case r < 7:
				concl = assessments.Observation
			case r < 9:
				concl = assessments.OFI
			case r < 11:
				continue // not audited
			default:
				concl = assessments.Conforming
			}
			// As auditors write them: notes where something was found, sampling and
			// interviews on some items, a bare conclusion on the rest.
			it := assessments.ChecklistItem{Standard: c.Standard, Ref: c.Ref, Conclusion: concl}
			if concl.Noteworthy() {
				it.Notes = fmt.Sprintf("Sampled records for %s during cycle %d; %s.", c.Ref, k+1, concl.Label())
			}
			if i%2 == 0 {
				it.Population, it.SampleSize = 40+i%60, 5+i%5
			}
			if i%3 == 0 {
				it.Interviewees = people[i%len(people)]
			}
			ia.Items = append(ia.Items, it)
			if !concl.Noteworthy() {
				continue
			}
			seq++
			f := assessments.Finding{Ref: assessments.FindingRef(ref, seq), Seq: seq, Grade: concl.Grade(),
				Statement:    fmt.Sprintf("%s: records sampled for %s in cycle %d do not show the requirement met in full.", upperFirst(concl.Label()), c.Ref, k+1),
				Requirements: []assessments.ControlRef{c}, Evidence: firstNonEmptyText(it.SamplingText(), "Records inspected on site."),
				Source: c, RaisedOn: end}
			imf := store.ImportFinding{Finding: f}
			if concl.Grade().Nonconformity() || seq%3 == 0 {
				st := states[(seq+k)%len(states)]
				ca := assessments.CorrectiveAction{Seq: 1, Action: "Correct the process and retrain the people involved.", Owner: people[seq%len(people)],
					DueDate: fmt.Sprintf("%d-%02d-%02d", year+1, (seq%12)+1, 10), State: st, RootCause: []string{"The procedure was not followed.", "Nobody checks it."}}
				if st.Reviewed() {
					ca.ReviewedBy, ca.ReviewedOn, ca.ReviewNote = "Omar Haddad", end, "Re-sampled five records."
				}
				imf.Actions = append(imf.Actions, ca)
			}
			ia.Findings = append(ia.Findings, imf)
		}
		ia.LastFinding = seq
		batch = append(batch, ia)
	}
	return s.AddAudits(ctx, e.ID, batch)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func firstNonEmptyText(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
