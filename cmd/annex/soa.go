package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

func init() { register(newSoACmd) }

func newSoACmd(a *cliApp) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "soa",
		Short: "The Statement of Applicability as a controlled document: versions, issue, approve, diff",
		Long: `The Statement of Applicability (SoA) of each standard in scope is issued in numbered versions: a
version is a frozen snapshot of every control's applicability, inclusion reasons, exclusion
justification and status. It is issued as a draft (issuing again while it is a draft takes the
SoA as it stands anew) and approved by a named person on a date, after which it never changes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newSoAListCmd(a), newSoAIssueCmd(a), newSoAApproveCmd(a), newSoADiffCmd(a))
	return cmd
}

// soaScope opens the workspace and resolves the engagement and the standards named (all
// in scope when none is).
func (a *cliApp) soaScope(ctx context.Context, engagement, standard string) (*store.Store, *catalogs.Set, assessments.Engagement, []*catalogs.Catalog, error) {
	s, err := a.open(ctx)
	if err != nil {
		return nil, nil, assessments.Engagement{}, nil, err
	}
	fail := func(err error) (*store.Store, *catalogs.Set, assessments.Engagement, []*catalogs.Catalog, error) {
		s.Close()
		return nil, nil, assessments.Engagement{}, nil, err
	}
	set, err := a.catalogs(ctx, s)
	if err != nil {
		return fail(err)
	}
	e, err := s.FindEngagement(ctx, engagement)
	if err != nil {
		return fail(err)
	}
	var cats []*catalogs.Catalog
	for _, id := range e.Standards {
		if c, ok := set.Get(id); ok {
			cats = append(cats, c)
		}
	}
	if standard == "" {
		return s, set, e, cats, nil
	}
	c, err := findCatalog(set, standard)
	if err != nil {
		return fail(err)
	}
	if !e.HasStandard(c.ID) {
		return fail(fmt.Errorf("%s is not in the scope of %q", c.Short, e.Name))
	}
	return s, set, e, []*catalogs.Catalog{c}, nil
}

// oneStandard insists on a single standard for commands that act on one SoA.
func oneStandard(cats []*catalogs.Catalog, flag string) (*catalogs.Catalog, error) {
	if len(cats) == 1 {
		return cats[0], nil
	}
	ids := make([]string, len(cats))
	for i, c := range cats {
		ids[i] = c.ID
	}
	return nil, fmt.Errorf("name the standard with %s (%s)", flag, strings.Join(ids, " or "))
}

type soaVersionJSON struct {
	Standard       string `json:"standard"`
	Version        int    `json:"version"`
	State          string `json:"state"`
	ChangeSummary  string `json:"change_summary"`
	IssuedAt       string `json:"issued_at"`
	IssuedBy       string `json:"issued_by"`
	Approver       string `json:"approver"`
	ApprovedOn     string `json:"approved_on"`
	ContentsSHA256 string `json:"contents_sha256"`
	Controls       int    `json:"controls"`
	OpenDecisions  int    `json:"open_decisions"`
}

type soaStandardJSON struct {
	Standard string           `json:"standard"`
	Versions []soaVersionJSON `json:"versions"`
	// Current is the SoA as it stands: its open decisions, and how many controls differ
	// from the latest approved version (null when none is approved).
	OpenDecisions  map[string]int `json:"open_decisions"`
	SinceApproved  *int           `json:"changed_since_approved"`
	LatestApproved int            `json:"latest_approved"`
}

func newSoAListCmd(a *cliApp) *cobra.Command {
	var engagement, standard string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the SoA versions of each standard and where the current draft stands",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, set, e, cats, err := a.soaScope(ctx, engagement, standard)
			if err != nil {
				return err
			}
			defer s.Close()
			var out []soaStandardJSON
			for _, c := range cats {
				versions, err := s.SoAVersions(ctx, e.ID, c.ID)
				if err != nil {
					return err
				}
				cur, err := s.CurrentSoA(ctx, set, e.ID, c.ID)
				if err != nil {
					return err
				}
				st := soaStandardJSON{Standard: c.ID, Versions: []soaVersionJSON{}, OpenDecisions: map[string]int{}}
				for k, n := range assessments.OpenCounts(cur) {
					st.OpenDecisions[string(k)] = n
				}
				if ap, ok := assessments.LatestApprovedSoA(versions); ok {
					n := len(assessments.DiffSoA(ap.Entries, cur))
					st.SinceApproved, st.LatestApproved = &n, ap.Version
				}
				for _, v := range versions {
					st.Versions = append(st.Versions, soaVersionJSON{Standard: v.Standard, Version: v.Version, State: string(v.State),
						ChangeSummary: v.ChangeSummary, IssuedAt: v.IssuedAt.UTC().Format("2006-01-02T15:04:05Z"), IssuedBy: v.IssuedBy,
						Approver: v.Approver, ApprovedOn: v.ApprovedOn, ContentsSHA256: v.Digest(), Controls: len(v.Entries),
						OpenDecisions: assessments.OpenTotal(v.Entries)})
				}
				out = append(out, st)
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			for i, st := range out {
				c, _ := set.Get(st.Standard)
				if i > 0 {
					fmt.Fprintln(a.stdout)
				}
				fmt.Fprintf(a.stdout, "%s — Statement of Applicability of %q\n", c.Name, e.Name)
				if len(st.Versions) == 0 {
					fmt.Fprintln(a.stdout, "  No version issued yet: annex soa issue --standard "+c.ID)
				} else {
					tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "  VERSION\tSTATE\tISSUED\tAPPROVED\tOPEN\tCHANGE SUMMARY")
					for _, v := range st.Versions {
						approved := "-"
						if v.Approver != "" {
							approved = terminalCell(v.Approver, 24) + ", " + v.ApprovedOn
						}
						fmt.Fprintf(tw, "  v%d\t%s\t%s by %s\t%s\t%d\t%s\n", v.Version, v.State, v.IssuedAt[:10], terminalCell(v.IssuedBy, 20),
							approved, v.OpenDecisions, terminalCell(v.ChangeSummary, 60))
					}
					if err := tw.Flush(); err != nil {
						return err
					}
				}
				var open []string
				for _, k := range assessments.OpenDecisionKinds {
					if n := st.OpenDecisions[string(k)]; n > 0 {
						open = append(open, fmt.Sprintf("%d %s", n, k))
					}
				}
				line := "  Current draft: "
				if len(open) == 0 {
					line += "no open decision"
				} else {
					line += strings.Join(open, ", ")
				}
				switch {
				case st.SinceApproved == nil:
				case *st.SinceApproved == 0:
					line += fmt.Sprintf("; no decision changed since v%d", st.LatestApproved)
				default:
					line += fmt.Sprintf("; %s changed since v%d (annex soa diff)", plural(*st.SinceApproved, "control", "controls"), st.LatestApproved)
				}
				fmt.Fprintln(a.stdout, line+".")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&engagement, "engagement", "", "engagement name or id (may be left out when the workspace has one)")
	cmd.Flags().StringVar(&standard, "standard", "", "the standard (iso27001-2022, iso42001-2023; default: every one in scope)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newSoAIssueCmd(a *cliApp) *cobra.Command {
	var engagement, standard, summary string
	cmd := &cobra.Command{
		Use:   "issue --standard ID [--summary TEXT]",
		Short: "Issue the SoA as it stands as a new draft version (or take the open draft anew)",
		Long: `Issue the Statement of Applicability as it stands in the workspace: version n+1 as a draft, or,
while the latest version is a draft, that draft again with the SoA as it stands now. Without
--summary the change summary names the controls that changed since the version before.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, set, e, cats, err := a.soaScope(ctx, engagement, standard)
			if err != nil {
				return err
			}
			defer s.Close()
			c, err := oneStandard(cats, "--standard")
			if err != nil {
				return err
			}
			cur, err := s.CurrentSoA(ctx, set, e.ID, c.ID)
			if err != nil {
				return err
			}
			versions, err := s.SoAVersions(ctx, e.ID, c.ID)
			if err != nil {
				return err
			}
			prev := previousForIssue(versions)
			var changes []assessments.SoAChange
			if prev != nil {
				changes = assessments.DiffSoA(prev.Entries, cur)
			}
			if strings.TrimSpace(summary) == "" {
				summary = assessments.SummarizeChanges(prev, changes)
			}
			v, again, err := s.IssueSoA(ctx, e.ID, c.ID, cur, summary)
			if err != nil {
				return refused(fmt.Sprintf("the %s SoA was not issued", c.Short), err)
			}
			verb := "Issued"
			if again {
				verb = "Issued again"
			}
			fmt.Fprintf(a.stdout, "%s %s SoA v%d (draft): %s\n", verb, c.Short, v.Version, v.ChangeSummary)
			fmt.Fprintf(a.stdout, "%s; %s open.\n", plural(len(v.Entries), "control", "controls"), plural(assessments.OpenTotal(v.Entries), "decision", "decisions"))
			fmt.Fprintf(a.stdout, "Approve it with: annex soa approve --standard %s --by NAME\n", c.ID)
			return nil
		},
	}
	cmd.Flags().StringVar(&engagement, "engagement", "", "engagement name or id (may be left out when the workspace has one)")
	cmd.Flags().StringVar(&standard, "standard", "", "the standard (may be left out when the engagement has one)")
	cmd.Flags().StringVar(&summary, "summary", "", "what changed in this version (default: the controls changed since the version before)")
	return cmd
}

// previousForIssue is the version a new issue is compared with: the latest approved one,
// else the latest one that is not the open draft.
func previousForIssue(versions []assessments.SoAVersion) *assessments.SoAVersion {
	if ap, ok := assessments.LatestApprovedSoA(versions); ok {
		return &ap
	}
	for _, v := range versions { // newest first
		if v.State != assessments.SoADraft {
			return &v
		}
	}
	return nil
}

func newSoAApproveCmd(a *cliApp) *cobra.Command {
	var engagement, standard, by, date string
	var version int
	cmd := &cobra.Command{
		Use:   "approve --standard ID --by NAME [--date YYYY-MM-DD]",
		Short: "Approve the draft version of a standard's SoA; it is frozen from then on",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if strings.TrimSpace(by) == "" {
				return errors.New("say who approves the Statement of Applicability with --by NAME")
			}
			s, _, e, cats, err := a.soaScope(ctx, engagement, standard)
			if err != nil {
				return err
			}
			defer s.Close()
			c, err := oneStandard(cats, "--standard")
			if err != nil {
				return err
			}
			versions, err := s.SoAVersions(ctx, e.ID, c.ID)
			if err != nil {
				return err
			}
			latest, ok := assessments.LatestSoA(versions)
			switch {
			case !ok:
				return fmt.Errorf("the %s SoA has no version to approve; issue one first with: annex soa issue --standard %s", c.Short, c.ID)
			case version != 0 && version != latest.Version:
				return fmt.Errorf("only the latest version (v%d) of the %s SoA can be approved", latest.Version, c.Short)
			case latest.Frozen():
				return fmt.Errorf("v%d of the %s SoA is already approved (by %s on %s); issue a new version first", latest.Version, c.Short, latest.Approver, latest.ApprovedOn)
			}
			if date == "" {
				date = s.Now().Format(assessments.DateLayout)
			}
			v, err := s.ApproveSoA(ctx, latest, by, date)
			if err != nil {
				return refused(fmt.Sprintf("v%d of the %s SoA was not approved", latest.Version, c.Short), err)
			}
			fmt.Fprintf(a.stdout, "Approved %s SoA v%d by %s on %s; it is frozen (contents SHA-256 %s).\n", c.Short, v.Version, v.Approver, v.ApprovedOn, v.Digest())
			return nil
		},
	}
	cmd.Flags().StringVar(&engagement, "engagement", "", "engagement name or id (may be left out when the workspace has one)")
	cmd.Flags().StringVar(&standard, "standard", "", "the standard (may be left out when the engagement has one)")
	cmd.Flags().StringVar(&by, "by", "", "who approves (a name)")
	cmd.Flags().StringVar(&date, "date", "", "the approval date, YYYY-MM-DD (default: today)")
	cmd.Flags().IntVar(&version, "version", 0, "the version approved, as a check (default: the draft)")
	return cmd
}

type soaChangeJSON struct {
	Ref    string                `json:"ref"`
	Title  string                `json:"title"`
	Fields []string              `json:"fields"`
	Before *assessments.SoAEntry `json:"before"`
	After  *assessments.SoAEntry `json:"after"`
}

func newSoADiffCmd(a *cliApp) *cobra.Command {
	var engagement, standard string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "diff [FROM [TO]]",
		Short: "Show the controls whose applicability, reasons, justification or status differ between two versions",
		Long: `Compare two versions of a standard's SoA: FROM and TO are version numbers (2 or v2) or
"current" (the SoA as it stands). Without arguments: the latest approved version (else the
latest version) against the current draft; with one: that version against the current draft.`,
		Example: `  annex soa diff --standard 27001
  annex soa diff 1 2 --standard iso27001-2022`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, set, e, cats, err := a.soaScope(ctx, engagement, standard)
			if err != nil {
				return err
			}
			defer s.Close()
			c, err := oneStandard(cats, "--standard")
			if err != nil {
				return err
			}
			versions, err := s.SoAVersions(ctx, e.ID, c.ID)
			if err != nil {
				return err
			}
			side := func(arg string) (string, []assessments.SoAEntry, error) {
				if arg == "current" {
					cur, err := s.CurrentSoA(ctx, set, e.ID, c.ID)
					return "the current draft", cur, err
				}
				n, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(arg), "v"))
				if err != nil || n < 1 {
					return "", nil, fmt.Errorf("%q is not a version; give a number such as 2, or current", arg)
				}
				for _, v := range versions {
					if v.Version == n {
						return v.Label(), v.Entries, nil
					}
				}
				return "", nil, fmt.Errorf("the %s SoA has no version %d", c.Short, n)
			}
			from, to := "", "current"
			switch len(args) {
			case 2:
				from, to = args[0], args[1]
			case 1:
				from = args[0]
			default:
				base, ok := assessments.LatestApprovedSoA(versions)
				if !ok {
					base, ok = assessments.LatestSoA(versions)
				}
				if !ok {
					return fmt.Errorf("the %s SoA has no version to compare with; issue one with: annex soa issue --standard %s", c.Short, c.ID)
				}
				from = strconv.Itoa(base.Version)
			}
			fromName, before, err := side(from)
			if err != nil {
				return err
			}
			toName, after, err := side(to)
			if err != nil {
				return err
			}
			changes := assessments.DiffSoA(before, after)
			if asJSON {
				out := make([]soaChangeJSON, 0, len(changes))
				for _, ch := range changes {
					j := soaChangeJSON{Ref: ch.Ref, Title: ch.Title, Fields: ch.Fields}
					if ch.Before.Ref != "" {
						b := assessments.NormalEntries([]assessments.SoAEntry{ch.Before})[0]
						j.Before = &b
					}
					if ch.After.Ref != "" {
						x := assessments.NormalEntries([]assessments.SoAEntry{ch.After})[0]
						j.After = &x
					}
					out = append(out, j)
				}
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			fmt.Fprintf(a.stdout, "%s SoA: %s → %s: %s changed.\n", c.Short, fromName, toName, plural(len(changes), "control", "controls"))
			for _, ch := range changes {
				fmt.Fprintf(a.stdout, "  %s\n", terminalCell(ch.Describe(), 200))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&engagement, "engagement", "", "engagement name or id (may be left out when the workspace has one)")
	cmd.Flags().StringVar(&standard, "standard", "", "the standard (may be left out when the engagement has one)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
