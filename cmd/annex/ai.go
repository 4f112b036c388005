package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/auditpack"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/internal/text"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
)

func init() { register(newAICmd) }

func newAICmd(a *cliApp) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ai",
		Short: "List AI systems and print their impact assessments",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newAIListCmd(a), newAIShowCmd(a))
	return cmd
}

type aiLatestJSON struct {
	Version      int    `json:"version"`
	State        string `json:"state"`
	Class        string `json:"class"`
	ClassRule    string `json:"class_rule"`
	Decision     string `json:"decision"`
	Approver     string `json:"approver"`
	DecisionDate string `json:"decision_date"`
}

// aiActJSON is a system's EU AI Act classification: the approved version in force, or the
// newest draft when none is approved.
type aiActJSON struct {
	Version       int      `json:"version"`
	State         string   `json:"state"`
	OperatorRoles []string `json:"operator_roles"`
	Result        string   `json:"result"`
	Articles      string   `json:"articles"`
	AppliesFrom   string   `json:"applies_from"`
	FRIA          string   `json:"fria"`
	Unsettled     []string `json:"unsettled"`
}

type aiSystemJSON struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Engagement   string        `json:"engagement"`
	EngagementID string        `json:"engagement_id"`
	Roles        []string      `json:"roles"`
	Type         string        `json:"type"`
	Stage        string        `json:"stage"`
	Owner        string        `json:"owner"`
	PersonalData bool          `json:"personal_data"`
	Versions     int           `json:"versions"`
	Latest       *aiLatestJSON `json:"latest"`
	AIAct        *aiActJSON    `json:"ai_act"`
	// NextReview follows the approved version in force, even while a re-assessment is in draft.
	NextReview string `json:"next_review"`
	Overdue    bool   `json:"review_overdue"`
}

func newAIListCmd(a *cliApp) *cobra.Command {
	var engagement string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the AI system inventory with each system's latest impact assessment",
		Long: `List the AI system inventory of an engagement with the latest impact assessment of each
system: its version, state, overall class and decision, and the next review date of the
approved version in force (flagged when overdue).
JSON is an array of objects with id, name, roles, type, stage, owner, versions, latest
({version, state, class, class_rule, decision, approver, decision_date}, null when never
assessed; class is "" while unsettled, class_rule names the rule that set it), ai_act
({version, state, operator_roles, result, articles, applies_from, fria, unsettled}, the
EU AI Act classification in force or the newest draft; null when never classified;
result is prohibited, high_risk, transparency, minimal or "" while unsettled),
next_review and review_overdue.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, e, err := a.openEngagement(ctx, engagement)
			if err != nil {
				return err
			}
			defer s.Close()
			sum, err := s.ImpactAssessmentStatus(ctx, e.ID)
			if err != nil {
				return err
			}
			classifications, err := s.EngagementAIActRecords(ctx, e.ID)
			if err != nil {
				return err
			}
			act := catalogs.MustEUAIAct()
			rows := make([]aiSystemJSON, 0, len(sum.Latest))
			for _, la := range sum.Latest {
				sys := la.System
				roles := []string{}
				for _, r := range sys.Roles {
					roles = append(roles, string(r))
				}
				row := aiSystemJSON{ID: sys.ID, Name: sys.Name, Engagement: e.Name, EngagementID: e.ID, Roles: roles,
					Type: sys.Type, Stage: string(sys.Stage), Owner: sys.Owner, PersonalData: sys.PersonalData,
					Versions: la.Versions, NextReview: la.NextReview, Overdue: la.Overdue}
				if l := la.Latest; l != nil {
					row.Latest = &aiLatestJSON{Version: l.Version, State: string(l.State()), Class: string(l.Class()), ClassRule: l.ClassExplained(),
						Decision: string(l.Decision), Approver: l.Approver, DecisionDate: l.DecisionDate}
				}
				if c := shownClassification(classifications[sys.ID]); c != nil {
					o := c.Outcome(act)
					j := &aiActJSON{Version: c.Version, State: string(c.State()), OperatorRoles: []string{}, Result: string(o.Result),
						Articles: o.Articles(), AppliesFrom: o.AppliesFrom.AppliesFrom, FRIA: string(o.FRIA), Unsettled: o.Unsettled}
					for _, r := range c.Roles {
						j.OperatorRoles = append(j.OperatorRoles, string(r))
					}
					if j.Unsettled == nil {
						j.Unsettled = []string{}
					}
					row.AIAct = j
				}
				rows = append(rows, row)
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			if len(rows) == 0 {
				fmt.Fprintf(a.stdout, "%s has no AI systems yet. Add them in the workbench's AI systems tab.\n", text.OneLine(e.Name))
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tROLES\tSTAGE\tVERSION\tSTATE\tCLASS\tEU AI ACT\tDECISION\tNEXT REVIEW\tFLAGS")
			for i, r := range rows {
				la := sum.Latest[i]
				version, state, class, decision := "-", "not assessed", "-", "-"
				if l := la.Latest; l != nil {
					version = fmt.Sprintf("v%d", l.Version)
					state, class = l.State().Label(), string(l.Class())
					if !l.ClassSettled() {
						class = "not settled"
					}
					if l.Decision != assessments.DecisionNone {
						decision = fmt.Sprintf("%s (%s, %s)", l.Decision.Label(), aiCell(l.Approver, 24), l.DecisionDate)
					}
				}
				next := r.NextReview
				if next == "" {
					next = "-"
				}
				var flags []string
				if r.Overdue {
					flags = append(flags, "review overdue")
				}
				if la.Latest != nil && la.InForce != nil && la.Latest != la.InForce {
					flags = append(flags, fmt.Sprintf("v%d in force", la.InForce.Version))
				}
				euAct := "-"
				if c := r.AIAct; c != nil {
					euAct = assessments.AIActResult(c.Result).Short()
					if c.State != string(assessments.ImpactApproved) {
						euAct += fmt.Sprintf(" (v%d draft)", c.Version)
					}
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", aiCell(r.Name, 40), assessments.RolesLabel(la.System.Roles), la.System.Stage.Label(),
					version, state, class, euAct, decision, next, strings.Join(flags, ", "))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&engagement, "engagement", "", "engagement name or id (may be left out when the workspace has one)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newAIShowCmd(a *cliApp) *cobra.Command {
	var engagement string
	var version int
	cmd := &cobra.Command{
		Use:   "show NAME|ID",
		Short: "Print an AI system's impact assessment and EU AI Act classification as Markdown",
		Long: `Print the latest impact assessment of an AI system (or the version given with --version)
as Markdown with every section: the system, scope and trigger, system information, data,
model, deployment, interested parties, impacts per area, overall class with the rule that
set it and review, and the decision; then its EU AI Act classification (the approved
version in force, else the newest draft): the result and the articles that decided it,
the obligations with the dates they apply from, every answer with its note and, for a
deployer of a high-risk system, the fundamental rights impact assessment (Art. 27) drawn
from the impact assessment. Redirect it to a file to hand it over.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			set, err := a.catalogs(ctx, s)
			if err != nil {
				return err
			}
			e, sys, err := findAISystem(ctx, s, engagement, args[0])
			if err != nil {
				return err
			}
			versions, err := s.ImpactAssessments(ctx, sys.ID)
			if err != nil {
				return err
			}
			classifications, err := s.AIActRecords(ctx, sys.ID)
			if err != nil {
				return err
			}
			if len(versions) == 0 && len(classifications) == 0 {
				return fmt.Errorf("%s has no impact assessment and no EU AI Act classification yet; start them in the workbench's AI systems tab", sys.Name)
			}
			if len(versions) == 0 {
				if version != 0 {
					return fmt.Errorf("%s has no impact assessment yet", sys.Name)
				}
				fmt.Fprintf(a.stdout, "# %s\n\n_No impact assessment yet._\n\n", md(sys.Name))
				return writeClassification(a.stdout, set, e, sys, classifications, nil)
			}
			chosen := versions[0]
			if version != 0 {
				found := false
				for _, v := range versions {
					if v.Version == version {
						chosen, found = v, true
					}
				}
				if !found {
					return fmt.Errorf("%s has no version %d (it has versions 1 to %d)", sys.Name, version, versions[0].Version)
				}
			}
			risks, err := s.ImpactRisks(ctx, chosen.ID)
			if err != nil {
				return err
			}
			if err := writeImpactMarkdown(a.stdout, set, e, sys, chosen, versions, risks, s.Now()); err != nil {
				return err
			}
			all, err := s.Risks(ctx, e.ID)
			if err != nil {
				return err
			}
			if err := writeLinkedRisks(a.stdout, sys, all); err != nil {
				return err
			}
			if err := writeClassification(a.stdout, set, e, sys, classifications, versions); err != nil {
				return err
			}
			_, err = fmt.Fprintf(a.stdout, "\n---\n\nPrinted by annex on %s.\n", s.Now().Format(assessments.DateLayout))
			return err
		},
	}
	cmd.Flags().StringVar(&engagement, "engagement", "", "engagement name or id (needed only when several engagements have a system of that name)")
	cmd.Flags().IntVar(&version, "version", 0, "print this version instead of the latest")
	return cmd
}

// findAISystem resolves a system by name or id, in one engagement or across all of them.
func findAISystem(ctx context.Context, s *store.Store, engagement, query string) (assessments.Engagement, assessments.AISystem, error) {
	var engs []assessments.Engagement
	if engagement != "" {
		e, err := s.FindEngagement(ctx, engagement)
		if err != nil {
			return e, assessments.AISystem{}, err
		}
		engs = []assessments.Engagement{e}
	} else {
		all, err := s.Engagements(ctx)
		if err != nil {
			return assessments.Engagement{}, assessments.AISystem{}, err
		}
		engs = all
	}
	type match struct {
		e   assessments.Engagement
		sys assessments.AISystem
	}
	var found []match
	for _, e := range engs {
		sys, err := s.FindAISystem(ctx, e.ID, query)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return e, sys, err
		}
		found = append(found, match{e, sys})
	}
	switch len(found) {
	case 0:
		return assessments.Engagement{}, assessments.AISystem{}, fmt.Errorf("no AI system is named %q; 'annex ai list' shows the inventory", query)
	case 1:
		return found[0].e, found[0].sys, nil
	}
	return assessments.Engagement{}, assessments.AISystem{}, fmt.Errorf("%d engagements have an AI system named %q; name one with --engagement", len(found), query)
}

// aiCell shows user text on one line with control characters made visible, cut to n cells.
func aiCell(s string, n int) string { return common.Truncate(text.OneLine(s), n) }

// md makes user text safe and readable inside Markdown: control characters visible,
// line breaks kept as hard breaks, and an empty value said in words.
func md(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if s == "" {
		return "_not recorded_"
	}
	return strings.ReplaceAll(text.Inert(s), "\n", "  \n")
}

// mdCell is md for a table cell: pipes escaped and line breaks as <br>.
func mdCell(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "–"
	}
	return strings.ReplaceAll(strings.ReplaceAll(text.Inert(s), "|", `\|`), "\n", "<br>")
}

func rating(n int) string {
	if n == 0 {
		return "–"
	}
	return fmt.Sprint(n)
}

// controlLabel names a requirement as "ISO 42001 A.6.2.4 Verification and validation".
func controlLabel(set *catalogs.Set, c assessments.ControlRef) string {
	if set != nil {
		if cat, ok := set.Get(c.Standard); ok {
			if r, ok := cat.Requirement(c.Ref); ok {
				return fmt.Sprintf("%s %s %s", cat.Short, c.Ref, r.Title)
			}
			return cat.Short + " " + c.Ref
		}
	}
	return c.Standard + " " + c.Ref
}

func writeImpactMarkdown(w io.Writer, set *catalogs.Set, e assessments.Engagement, sys assessments.AISystem, a assessments.ImpactAssessment,
	versions []assessments.ImpactAssessment, risks map[assessments.ImpactArea][]assessments.Risk, now time.Time) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	field := func(label, v string) { p("- **%s:** %s\n", label, md(v)) }

	p("# AI system impact assessment: %s, version %d\n\n", md(sys.Name), a.Version)
	p("- **Engagement:** %s\n", md(e.Name))
	p("- **State:** %s\n", a.State().Label())
	p("- **Overall class:** %s\n", md(a.ClassExplained()))
	next := a.NextReview()
	switch {
	case next == "" && a.State() == assessments.ImpactDraft:
		next = "set when the version is approved"
	case next == "":
		next = "none (rejected)"
	case a.ReviewOverdue(now):
		next += " (overdue)"
	}
	p("- **Next review:** %s\n", next)
	var vs []string
	for i := len(versions) - 1; i >= 0; i-- {
		v := versions[i]
		s := fmt.Sprintf("v%d %s", v.Version, v.State().Label())
		if v.Frozen() {
			s += " " + v.DecisionDate
		}
		vs = append(vs, s)
	}
	p("- **Versions:** %s\n", strings.Join(vs, "; "))
	if a.Frozen() {
		p("\nThis version is frozen: it was decided and can no longer change. A re-assessment starts version %d.\n", versions[0].Version+1)
	}

	p("\n## AI system\n\n")
	field("Purpose", sys.Purpose)
	field("Type", sys.Type)
	p("- **Organisation's roles:** %s\n", assessments.RolesLabel(sys.Roles))
	p("- **Life-cycle stage:** %s\n", sys.Stage.Label())
	field("Data sources", sys.DataSources)
	field("Data categories", sys.DataCategories)
	p("- **Personal data:** %s\n", map[bool]string{true: "yes", false: "no"}[sys.PersonalData])
	field("Deployment context", sys.DeploymentContext)
	field("Jurisdictions", sys.Jurisdictions)
	field("Users", sys.Users)
	field("Affected people", sys.AffectedPeople)
	p("- **Level of automation:** %s\n", sys.Automation.Label())
	field("Human oversight", sys.HumanOversight)
	field("Third-party models and services", sys.ThirdParty)
	field("Owner", sys.Owner)

	heading := func(s assessments.ImpactStep) { p("\n## %d. %s\n\n", int(s)+1, s.Title()) }
	heading(assessments.StepScope)
	p("- **Trigger:** %s\n", a.Trigger.Label())
	if a.TriggerNote != "" {
		field("What led to it", a.TriggerNote)
	}
	field("Scope", a.Scope)
	field("Assessors", a.Assessors)
	heading(assessments.StepSystem)
	field("Purpose", a.Purpose)
	field("Intended uses", a.IntendedUses)
	field("Reasonably foreseeable misuse", a.Misuse)
	field("Failure modes", a.FailureModes)
	heading(assessments.StepData)
	field("Sources", a.DataSources)
	field("Provenance", a.DataProvenance)
	field("Quality", a.DataQuality)
	field("Known bias", a.KnownBias)
	heading(assessments.StepModel)
	field("Kind", a.ModelKind)
	field("Provider", a.ModelProvider)
	field("How it changes", a.ModelChanges)
	heading(assessments.StepDeployment)
	field("Geography", a.Geography)
	field("Languages", a.Languages)
	field("Jurisdictions", a.Jurisdictions)
	field("Context", a.DeploymentContext)
	heading(assessments.StepParties)
	field("Interested parties", a.InterestedParties)
	field("Vulnerable groups", a.VulnerableGroups)

	heading(assessments.StepImpacts)
	p("Severity and likelihood run from 1 (lowest) to 5; residual is after the measures.\n\n")
	p("| Area | Effect | Severity | Likelihood | Residual severity | Residual likelihood | Residual class (rule) | Reversibility | Scale |\n")
	p("|---|---|---|---|---|---|---|---|---|\n")
	for _, im := range a.Impacts {
		cls := "–"
		if h := im.ResidualHarm(); h.Class != assessments.ClassNone {
			cls = fmt.Sprintf("%s (%s)", h.Class, h.Cite())
		}
		rev, scale := "–", "–"
		if im.Reversibility != assessments.ReversibilityUnstated {
			rev = im.Reversibility.Label()
		}
		if im.Scale != assessments.ScaleUnstated {
			scale = im.Scale.Label()
		}
		p("| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", im.Area.Label(), im.Effect.Label(), rating(im.Severity), rating(im.Likelihood),
			rating(im.ResidualSeverity), rating(im.ResidualLikelihood), cls, rev, scale)
	}
	for _, im := range a.Impacts {
		if im.Effect != assessments.EffectHarm && im.Effect != assessments.EffectBenefit && strings.TrimSpace(im.Description) == "" {
			continue
		}
		p("\n### %s: %s\n\n", im.Area.Label(), im.Effect.Label())
		p("%s\n", md(im.Description))
		if len(im.Measures) > 0 || im.MeasuresNote != "" {
			p("\nMeasures:\n\n")
			for _, c := range im.Measures {
				p("- %s\n", md(controlLabel(set, c)))
			}
			if im.MeasuresNote != "" {
				p("- %s\n", md(im.MeasuresNote))
			}
		}
		for _, r := range risks[im.Area] {
			p("\nRisk raised in the register: %s %s\n", r.Ref, md(r.Title))
		}
	}

	heading(assessments.StepClass)
	p("- **By the class rules:** %s\n", md(a.Derivation().String()))
	if c := a.Derivation().Cite(); c != "" {
		p("- **Rule:** %s\n", classRuleText(c))
	}
	if a.ClassOverride != assessments.ClassNone {
		p("- **Set by hand to:** %s\n", a.ClassOverride)
		field("Reason", a.OverrideReason)
	} else {
		p("- **Override:** none\n")
	}
	p("- **Review period for this class:** %d months after the decision\n", assessments.ReviewMonths(a.Class()))
	if a.ReviewDate != "" {
		p("- **Next review (set by hand):** %s\n", a.ReviewDate)
	} else {
		p("- **Next review:** %s\n", next)
	}

	heading(assessments.StepDecision)
	p("- **Decision:** %s\n", a.Decision.Label())
	field("Approver", a.Approver)
	field("Date", a.DecisionDate)
	field("Rationale", a.Rationale)
	if a.Decision == assessments.DecisionConditions || a.Conditions != "" {
		field("Conditions", a.Conditions)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeLinkedRisks appends the register's risks that name the system.
func writeLinkedRisks(w io.Writer, sys assessments.AISystem, risks []assessments.Risk) error {
	var b strings.Builder
	b.WriteString("\n## Risks linked to this AI system\n\n")
	n := 0
	for _, r := range risks {
		if r.AISystemID != sys.ID {
			continue
		}
		n++
		fmt.Fprintf(&b, "- %s %s (%s, %s)\n", r.Ref, md(r.Title), r.Scope.Label(), r.EffectiveStatus().Label())
	}
	if n == 0 {
		b.WriteString("_None in the risk register._\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// classRuleText spells out the rules a class cites ("C5+C7") with their conditions.
func classRuleText(cite string) string {
	var parts []string
	for _, id := range strings.Split(cite, "+") {
		for _, r := range assessments.ClassRules {
			if r.ID == id {
				parts = append(parts, fmt.Sprintf("%s (%s). %s", r.ID, r.When, r.Why))
			}
		}
	}
	return strings.Join(parts, " ")
}

// shownClassification is the approved version in force, or the newest draft when none is.
func shownClassification(versions []assessments.AIActRecord) *assessments.AIActRecord {
	l := assessments.LatestAIAct(versions)
	if l.InForce != nil {
		return l.InForce
	}
	return l.Latest
}

// writeClassification appends the EU AI Act classification as Markdown one heading level
// down, with the FRIA drawn from the impact assessment in force.
func writeClassification(w io.Writer, set *catalogs.Set, e assessments.Engagement, sys assessments.AISystem,
	classifications []assessments.AIActRecord, versions []assessments.ImpactAssessment) error {
	c := shownClassification(classifications)
	if c == nil {
		_, err := io.WriteString(w, "\n## EU AI Act classification\n\n_Not classified yet._\n")
		return err
	}
	doc := auditpack.AIActMarkdown(catalogs.MustEUAIAct(), e.Name, sys, *c, assessments.FRIASource(versions),
		func(r assessments.ControlRef) string { return controlLabel(set, r) })
	var b strings.Builder
	b.WriteString("\n")
	for _, line := range strings.Split(strings.TrimRight(string(doc), "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			line = "#" + line
		}
		b.WriteString(line + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
