package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/auditpack"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/internal/text"
	"github.com/annex-grc/annex/store"
)

func init() { register(newBaselineCmd) }

func newBaselineCmd(a *cliApp) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "baseline",
		Short: "Freeze an engagement's state under a name, list baselines, compare them",
		Long: `A baseline names a moment of an engagement ("Gap workshop 1", "Pre-audit", "Stage 1"): it records
the last row of the change history and that row's hash, and the state at that moment is rebuilt
exactly from the history. 'annex log --verify' checks every baseline against the history.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newBaselineCreateCmd(a), newBaselineListCmd(a), newBaselineDiffCmd(a), newBaselineCycleCmd(a))
	return cmd
}

func newBaselineCreateCmd(a *cliApp) *cobra.Command {
	var engagement string
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Freeze the engagement as it is now under NAME",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, e, err := a.openEngagement(ctx, engagement)
			if err != nil {
				return err
			}
			defer s.Close()
			b, err := s.CreateBaseline(ctx, e.ID, args[0])
			if err != nil {
				return validationSentence(err)
			}
			fmt.Fprintf(a.stdout, "Baseline %q of %q frozen at row %d of the history (hash %s…).\n",
				text.OneLine(b.Name), text.OneLine(e.Name), b.Seq, b.Hash[:16])
			return nil
		},
	}
	cmd.Flags().StringVar(&engagement, "engagement", "", "engagement name or id (default: the only one)")
	return cmd
}

func newBaselineCycleCmd(a *cliApp) *cobra.Command {
	var engagement, from string
	cmd := &cobra.Command{
		Use:   "cycle NAME --from BASELINE",
		Short: "Start a new assessment cycle from a baseline: every requirement is to be re-confirmed",
		Long: `Start a new assessment cycle (the yearly surveillance cycle, say) from a baseline. The statuses stay
as they are; every requirement is marked "to re-confirm" until it is edited or re-confirmed as it
stands (c in the gap analysis) in the new cycle. The dashboard counts what is left.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(from) == "" {
				return errors.New("name the baseline the cycle starts from with --from")
			}
			ctx := cmd.Context()
			s, e, err := a.openEngagement(ctx, engagement)
			if err != nil {
				return err
			}
			defer s.Close()
			b, err := s.Baseline(ctx, e.ID, from)
			if err != nil {
				return err
			}
			c, err := s.StartCycle(ctx, e.ID, args[0], b.ID)
			if err != nil {
				return validationSentence(err)
			}
			set, err := a.catalogs(ctx, s)
			if err != nil {
				return err
			}
			_, total := assessments.ToReconfirm(set, e, nil)
			fmt.Fprintf(a.stdout, "Cycle %q started from baseline %q: %s to re-confirm.\n", text.OneLine(c.Name), text.OneLine(b.Name),
				evPlural(total, "requirement", "requirements"))
			return nil
		},
	}
	cmd.Flags().StringVar(&engagement, "engagement", "", "engagement name or id (default: the only one)")
	cmd.Flags().StringVar(&from, "from", "", "the baseline the cycle starts from")
	return cmd
}

// baselineListJSON is one line of `annex baseline list --json`.
type baselineListJSON struct {
	auditpack.PointJSON
	By        string             `json:"by"`
	From      string             `json:"from,omitempty"`
	Readiness map[string]float64 `json:"readiness"`
	Holds     bool               `json:"anchor_holds"`
	Problem   string             `json:"problem,omitempty"`
}

func newBaselineListCmd(a *cliApp) *cobra.Command {
	var engagement string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the baselines with their readiness and whether their anchors hold",
		Long: `List the engagement's baselines and cycle starts, oldest first: name, date, the history row it was
made on, readiness per standard at that moment, and whether its anchor still holds (the row is
there, unchanged, with the hash recorded). Exit 1 when an anchor does not hold.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, e, err := a.openEngagement(ctx, engagement)
			if err != nil {
				return err
			}
			defer s.Close()
			set, err := a.catalogs(ctx, s)
			if err != nil {
				return err
			}
			list, err := s.Baselines(ctx, e.ID)
			if err != nil {
				return err
			}
			_, broken, err := s.VerifyChain(ctx)
			if err != nil {
				return fmt.Errorf("check the change history: %w", err)
			}
			problems, err := s.CheckBaselineAnchors(ctx, e.ID, broken)
			if err != nil {
				return err
			}
			bad := map[string]string{}
			for _, p := range problems {
				bad[p.Baseline.ID] = p.Problem
			}
			seqs := make([]int64, len(list))
			names := map[string]string{}
			for i, b := range list {
				seqs[i], names[b.ID] = b.Seq, b.Name
			}
			points, err := s.StatusesAt(ctx, e.ID, seqs)
			if err != nil {
				return err
			}
			rows := make([]baselineListJSON, 0, len(list))
			for i, b := range list {
				row := baselineListJSON{PointJSON: auditpack.PointOf(&list[i], b.At), By: b.By, From: names[b.FromID],
					Readiness: map[string]float64{}, Holds: bad[b.ID] == "", Problem: bad[b.ID]}
				for std, r := range assessments.ReadinessAt(set, points[i].Standards, points[i].Statuses) {
					row.Readiness[std] = float64(int(r.Percent()*10+0.5)) / 10
				}
				rows = append(rows, row)
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rows); err != nil {
					return err
				}
			} else if err := printBaselines(a.stdout, set, e, list, rows); err != nil {
				return err
			}
			if len(problems) > 0 {
				return &exitError{code: 1, msg: fmt.Sprintf("%s of %q %s not hold", evPlural(len(problems), "baseline anchor", "baseline anchors"),
					text.OneLine(e.Name), map[bool]string{true: "does", false: "do"}[len(problems) == 1])}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&engagement, "engagement", "", "engagement name or id (default: the only one)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the baselines as JSON")
	return cmd
}

func printBaselines(w io.Writer, set *catalogs.Set, e assessments.Engagement, list []store.Baseline, rows []baselineListJSON) error {
	if len(list) == 0 {
		fmt.Fprintf(w, "%q has no baseline yet; freeze one with: annex baseline create NAME\n", text.OneLine(e.Name))
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := "BASELINE\tDATE\tROW"
	for _, std := range e.Standards {
		if c, ok := set.Get(std); ok {
			head += "\t" + strings.ToUpper(c.Short)
		}
	}
	fmt.Fprintln(tw, head+"\tANCHOR")
	for i, b := range list {
		name := cellText(b.Name, 32)
		if b.IsCycle() {
			name += " (cycle from " + cellText(rows[i].From, 24) + ")"
		}
		line := fmt.Sprintf("%s\t%s\t%d", name, b.At.UTC().Format(assessments.DateLayout), b.Seq)
		for _, std := range e.Standards {
			if _, ok := set.Get(std); ok {
				if r, ok := rows[i].Readiness[std]; ok {
					line += fmt.Sprintf("\t%.0f%%", r)
				} else {
					line += "\t—"
				}
			}
		}
		anchor := "holds"
		if !rows[i].Holds {
			anchor = "DOES NOT HOLD: " + rows[i].Problem
		}
		fmt.Fprintln(tw, line+"\t"+anchor)
	}
	return tw.Flush()
}

func newBaselineDiffCmd(a *cliApp) *cobra.Command {
	var engagement string
	var asJSON, asCSV, regressions bool
	cmd := &cobra.Command{
		Use:   "diff FROM [TO]",
		Short: "Compare two baselines, or a baseline and now",
		Long: `Compare the engagement at baseline FROM with baseline TO ("now", the default, is the engagement as
it is). Per requirement: improved, regressed, new (answered for the first time) or unchanged, with
the status, owner and target date then and now; readiness and evidenced shares per standard and
group with the change; risks added, closed, and whose level moved; evidence added, expired or
changed; impact assessments approved. --regressions keeps the regressed requirements only.
JSON and CSV are the shapes of progress.json and progress.csv in the audit pack.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON && asCSV {
				return errors.New("choose one of --json and --csv")
			}
			ctx := cmd.Context()
			s, e, err := a.openEngagement(ctx, engagement)
			if err != nil {
				return err
			}
			defer s.Close()
			set, err := a.catalogs(ctx, s)
			if err != nil {
				return err
			}
			to := "now"
			if len(args) == 2 {
				to = args[1]
			}
			from, err := findPoint(ctx, s, e.ID, args[0])
			if err != nil {
				return err
			}
			until, err := findPoint(ctx, s, e.ID, to)
			if err != nil {
				return err
			}
			states, err := s.States(ctx, e.ID, from, until)
			if err != nil {
				return err
			}
			c := assessments.Compare(set, states[0].Snapshot, states[1].Snapshot)
			var only []assessments.ChangeClass
			if regressions {
				only = []assessments.ChangeClass{assessments.Regressed}
			}
			fromP, toP := auditpack.PointOf(from, states[0].At), auditpack.PointOf(until, states[1].At)
			switch {
			case asJSON:
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(auditpack.ComparisonDoc(c, fromP, toP, only...))
			case asCSV:
				b, err := auditpack.ProgressCSV(set, auditpack.FilterChanges(c.Requirements, only...))
				if err != nil {
					return err
				}
				_, err = a.stdout.Write(b)
				return err
			}
			return printComparison(a.stdout, c, fromP, toP, regressions)
		},
	}
	cmd.Flags().StringVar(&engagement, "engagement", "", "engagement name or id (default: the only one)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the comparison as JSON")
	cmd.Flags().BoolVar(&asCSV, "csv", false, "print every requirement with its change as CSV")
	cmd.Flags().BoolVar(&regressions, "regressions", false, "only the requirements that regressed")
	return cmd
}

// findPoint resolves a baseline name or id; "now" is nil.
func findPoint(ctx context.Context, s *store.Store, engagementID, name string) (*store.Baseline, error) {
	if strings.EqualFold(strings.TrimSpace(name), "now") {
		return nil, nil
	}
	b, err := s.Baseline(ctx, engagementID, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("the engagement has no baseline named %q; 'annex baseline list' shows them", name)
	}
	return &b, err
}

func printComparison(w io.Writer, c assessments.Comparison, from, to auditpack.PointJSON, onlyRegressions bool) error {
	fmt.Fprintf(w, "%s (%s) → %s (%s)\n", text.OneLine(from.Name), dateOf(from.At), text.OneLine(to.Name), dateOf(to.At))
	fmt.Fprintf(w, "%d improved · %d regressed · %d new · %d unchanged\n\n", c.Count(assessments.Improved), c.Count(assessments.Regressed),
		c.Count(assessments.New), c.Count(assessments.Unchanged))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STANDARD\tREADINESS\tCHANGE\tEVIDENCED\tCHANGE")
	for _, sp := range c.Standards {
		t := sp.Total
		fmt.Fprintf(tw, "%s\t%.0f%% → %.0f%%\t%s\t%.0f%% → %.0f%%\t%s\n", sp.Short, t.From.Percent(), t.To.Percent(), points(t.From.Percent(), t.To.Percent()),
			t.EvFrom.Percent(), t.EvTo.Percent(), points(t.EvFrom.Percent(), t.EvTo.Percent()))
		for _, g := range sp.Groups {
			if g.ReadinessDelta() == 0 && g.EvidencedDelta() == 0 {
				continue
			}
			fmt.Fprintf(tw, "  %s\t%.0f%% → %.0f%%\t%s\t%.0f%% → %.0f%%\t%s\n", cellText(g.ID+" "+g.Title, 40), g.From.Percent(), g.To.Percent(),
				points(g.From.Percent(), g.To.Percent()), g.EvFrom.Percent(), g.EvTo.Percent(), points(g.EvFrom.Percent(), g.EvTo.Percent()))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	classes := []assessments.ChangeClass{assessments.Regressed, assessments.Improved, assessments.New}
	if onlyRegressions {
		classes = classes[:1]
	}
	for _, cl := range classes {
		list := c.Of(cl)
		fmt.Fprintf(w, "\n%s (%d)\n", strings.ToUpper(string(cl[:1]))+string(cl[1:]), len(list))
		if len(list) == 0 {
			fmt.Fprintln(w, "  none")
			continue
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, r := range list {
			extra := ""
			if r.OwnerChanged() {
				extra += "  owner " + cellText(r.OwnerFrom, 20) + " → " + cellText(r.OwnerTo, 20)
			}
			if r.TargetChanged() {
				extra += "  target " + cellText(r.TargetFrom, 10) + " → " + cellText(r.TargetTo, 10)
			}
			fmt.Fprintf(tw, "  %s %s %s\t%s\t%s → %s%s\n", cl.Mark(), r.Short, r.Ref, cellText(r.Title, 44), r.From.Label(), r.To.Label(), extra)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if onlyRegressions {
		return nil
	}
	if len(c.Risks) > 0 {
		fmt.Fprintf(w, "\nRisks (%d)\n", len(c.Risks))
		for _, r := range c.Risks {
			fmt.Fprintf(w, "  %s %s: %s\n", r.Ref, cellText(r.Title, 50), auditpack.RiskChangeText(r))
		}
	}
	if len(c.Evidence) > 0 {
		fmt.Fprintf(w, "\nEvidence (%d)\n", len(c.Evidence))
		for _, e := range c.Evidence {
			line := "  " + e.Kind + ": " + cellText(e.Title, 50)
			if e.Detail != "" {
				line += " (" + text.OneLine(e.Detail) + ")"
			}
			fmt.Fprintln(w, line)
		}
	}
	if len(c.Approvals) > 0 {
		fmt.Fprintf(w, "\nImpact assessments approved (%d)\n", len(c.Approvals))
		for _, x := range c.Approvals {
			fmt.Fprintf(w, "  %s version %d: %s %s\n", cellText(x.System, 40), x.Version, x.Decision.Label(), x.Date)
		}
	}
	return nil
}

func dateOf(rfc string) string {
	if len(rfc) >= 10 {
		return rfc[:10]
	}
	return rfc
}

// points is the change between two shares as printed (rounded), in percentage points:
// "+12", "-3", "±0".
func points(from, to float64) string {
	f := math.Round(to) - math.Round(from)
	switch {
	case f >= 0.5:
		return fmt.Sprintf("+%.0f", f)
	case f <= -0.5:
		return fmt.Sprintf("%.0f", f)
	}
	return "±0"
}

// validationSentence is a rule's message as the error of a command.
func validationSentence(err error) error {
	var ve *assessments.ValidationError
	if errors.As(err, &ve) {
		return errors.New(strings.TrimSuffix(ve.Message, "."))
	}
	return err
}

// printBaselineProblems names, for `annex log --verify`, the baselines whose anchors do
// not hold (broken: where the chain broke, or nil). It returns how many it named.
func printBaselineProblems(ctx context.Context, w io.Writer, s *store.Store, broken *store.ChainProblem) (int, error) {
	problems, err := s.CheckBaselineAnchors(ctx, "", broken)
	if err != nil {
		return 0, fmt.Errorf("check the baselines: %w", err)
	}
	for _, p := range problems {
		fmt.Fprintln(w, "Baseline anchor does not hold: "+text.OneLine(p.String())+".")
	}
	return len(problems), nil
}
