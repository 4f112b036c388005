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
	Decision     string `json:"decision"`
	Approver     string `json:"approver"`
	DecisionDate string `json:"decision_date"`
}

type aiSystemJSON struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Engagement   string        `json:"engagement"`
	EngagementID string        `json:"engagement_id"`
	Role         string        `json:"role"`
	Type         string        `json:"type"`
	Stage        string        `json:"stage"`
	Owner        string        `json:"owner"`
	PersonalData bool          `json:"personal_data"`
	Versions     int           `json:"versions"`
	Latest       *aiLatestJSON `json:"latest"`
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
JSON is an array of objects with id, name, role, type, stage, owner, versions, latest
({version, state, class, decision, approver, decision_date}, null when never assessed;
class is "" while a draft's impacts are incomplete),
next_review and review_overdue.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			e, err := s.FindEngagement(ctx, engagement)
			if err != nil {
				return err
			}
			sum, err := s.ImpactAssessmentStatus(ctx, e.ID)
			if err != nil {
				return err
			}
			rows := make([]aiSystemJSON, 0, len(sum.Latest))
			for _, la := range sum.Latest {
				sys := la.System
				row := aiSystemJSON{ID: sys.ID, Name: sys.Name, Engagement: e.Name, EngagementID: e.ID, Role: string(sys.Role),
					Type: sys.Type, Stage: string(sys.Stage), Owner: sys.Owner, PersonalData: sys.PersonalData,
					Versions: la.Versions, NextReview: la.NextReview, Overdue: la.Overdue}
				if l := la.Latest; l != nil {
					row.Latest = &aiLatestJSON{Version: l.Version, State: string(l.State()), Class: string(l.Class()),
						Decision: string(l.Decision), Approver: l.Approver, DecisionDate: l.DecisionDate}
					if !l.ClassSettled() {
						row.Latest.Class = ""
					}
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
			fmt.Fprintln(tw, "NAME\tROLE\tSTAGE\tVERSION\tSTATE\tCLASS\tDECISION\tNEXT REVIEW\tFLAGS")
			for i, r := range rows {
				la := sum.Latest[i]
				version, state, class, decision := "-", "not assessed", "-", "-"
				if l := la.Latest; l != nil {
					version = fmt.Sprintf("v%d", l.Version)
					state, class = l.State().Label(), string(l.Class())
					if !l.ClassSettled() {
						class = "-"
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
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", aiCell(r.Name, 40), la.System.Role.Label(), la.System.Stage.Label(),
					version, state, class, decision, next, strings.Join(flags, ", "))
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
		Short: "Print an AI system's latest impact assessment as Markdown",
		Long: `Print the latest impact assessment of an AI system (or the version given with --version)
as Markdown with every section: the system, scope and trigger, system information, data,
model, deployment, interested parties, impacts per area, overall class and review, and
the decision. Redirect it to a file to hand it over.`,
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
			if len(versions) == 0 {
				return fmt.Errorf("%s has no impact assessment yet; start one in the workbench's AI systems tab", sys.Name)
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
			return writeLinkedRisks(a.stdout, sys, all, s.Now())
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
	class := string(a.Class())
	if !a.ClassSettled() {
		class = "not settled yet (impacts incomplete; so far " + class + ")"
	}
	if a.ClassOverride != assessments.ClassNone {
		class += fmt.Sprintf(" (set by hand; derived %s)", a.DerivedClass())
	}
	p("- **Overall class:** %s\n", class)
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
	p("- **Organisation's role:** %s\n", sys.Role.Label())
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
	p("| Area | Effect | Severity | Likelihood | Residual severity | Residual likelihood | Residual class | Reversibility | Scale |\n")
	p("|---|---|---|---|---|---|---|---|---|\n")
	for _, im := range a.Impacts {
		cls := string(im.ResidualClass())
		if cls == "" {
			cls = "–"
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
	p("- **Derived from the worst residual harm:** %s\n", a.DerivedClass())
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
func writeLinkedRisks(w io.Writer, sys assessments.AISystem, risks []assessments.Risk, now time.Time) error {
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
	fmt.Fprintf(&b, "\n---\n\nPrinted by annex on %s.\n", now.Format(assessments.DateLayout))
	_, err := io.WriteString(w, b.String())
	return err
}
