package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/auditpack"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

func init() { register(newAuditCmd) }

func newAuditCmd(a *cliApp) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Read an engagement's internal audits, findings and corrective actions",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newAuditListCmd(a), newAuditShowCmd(a), newAuditFindingsCmd(a), newAuditActionsCmd(a))
	return cmd
}

// auditEnv is what every audit subcommand reads.
type auditEnv struct {
	s      *store.Store
	set    *catalogs.Set
	e      assessments.Engagement
	audits []assessments.Audit
	views  []assessments.FindingView
	risks  map[string]string // id → ref
	now    time.Time
}

func (a *cliApp) auditEnv(ctx context.Context, engagement string) (*auditEnv, error) {
	s, err := a.open(ctx)
	if err != nil {
		return nil, err
	}
	env := &auditEnv{s: s, risks: map[string]string{}, now: s.Now()}
	fail := func(err error) (*auditEnv, error) {
		s.Close()
		return nil, err
	}
	if env.set, err = a.catalogs(ctx, s); err != nil {
		return fail(err)
	}
	if env.e, err = s.FindEngagement(ctx, engagement); err != nil {
		return fail(err)
	}
	if env.audits, err = s.Audits(ctx, env.e.ID); err != nil {
		return fail(err)
	}
	if env.views, err = s.FindingViews(ctx, env.e.ID); err != nil {
		return fail(err)
	}
	risks, err := s.Risks(ctx, env.e.ID)
	if err != nil {
		return fail(err)
	}
	for _, r := range risks {
		env.risks[r.ID] = r.Ref
	}
	return env, nil
}

func (env *auditEnv) auditRef(id string) string {
	for _, a := range env.audits {
		if a.ID == id {
			return a.Ref
		}
	}
	return ""
}

func (env *auditEnv) riskRef(id string) string { return env.risks[id] }

func engagementFlag(cmd *cobra.Command, v *string) {
	cmd.Flags().StringVar(v, "engagement", "", "engagement name or id (may be left out when the workspace has one)")
}

func formatFlags(cmd *cobra.Command, asJSON, asCSV *bool) {
	cmd.Flags().BoolVar(asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(asCSV, "csv", false, "print CSV (cells neutralised against formula injection)")
}

// auditJSON is one audit of `annex audit list --json`.
type auditJSON struct {
	Ref          string   `json:"ref"`
	Title        string   `json:"title"`
	Type         string   `json:"type"`
	Status       string   `json:"status"`
	Scope        []string `json:"scope"`
	PlannedStart string   `json:"planned_start"`
	PlannedEnd   string   `json:"planned_end"`
	ActualStart  string   `json:"actual_start"`
	ActualEnd    string   `json:"actual_end"`
	Lead         string   `json:"lead"`
	Team         []string `json:"team"`
	Findings     int      `json:"findings"`
	OpenFindings int      `json:"open_findings"`
	Impartiality []string `json:"impartiality_warnings"`
}

func newAuditListCmd(a *cliApp) *cobra.Command {
	var engagement string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the audit programme: each audit with its dates, lead and findings",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, err := a.auditEnv(cmd.Context(), engagement)
			if err != nil {
				return err
			}
			defer env.s.Close()
			results, err := env.s.Results(cmd.Context(), env.e.ID)
			if err != nil {
				return err
			}
			rows := make([]auditJSON, 0, len(env.audits))
			for _, au := range env.audits {
				j := auditJSON{Ref: au.Ref, Title: au.Title, Type: string(au.Type), Status: string(au.EffectiveStatus()), Scope: []string{},
					PlannedStart: au.PlannedStart, PlannedEnd: au.PlannedEnd, ActualStart: au.ActualStart, ActualEnd: au.ActualEnd,
					Lead: au.Lead, Team: nonNilStrings(au.Team), Impartiality: nonNilStrings(assessments.ImpartialityText(
						assessments.Impartiality(au, results), func(c assessments.ControlRef) string { return auditpack.RequirementLabel(env.set, c) }))}
				for _, c := range au.Scope {
					j.Scope = append(j.Scope, c.String())
				}
				for _, v := range env.views {
					if v.Finding.AuditID != au.ID || v.Status == assessments.FindingWithdrawn {
						continue
					}
					j.Findings++
					if v.Status == assessments.FindingOpen {
						j.OpenFindings++
					}
				}
				rows = append(rows, j)
			}
			if asJSON {
				return writeJSONOut(a.stdout, rows)
			}
			if len(rows) == 0 {
				fmt.Fprintf(a.stdout, "%s has no audit in its programme yet. Plan one in the workbench's Audits tab.\n", env.e.Name)
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tTITLE\tTYPE\tSTATUS\tDATES\tLEAD\tSCOPE\tFINDINGS\tFLAGS")
			for i, r := range rows {
				au := env.audits[i]
				dates := firstOf(au.ActualStart, au.PlannedStart, "-")
				if end := firstOf(au.ActualEnd, au.PlannedEnd); end != "" && end != dates {
					dates += " to " + end
				}
				flags := ""
				if len(r.Impartiality) > 0 {
					flags = "impartiality"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d (%d open)\t%s\n", r.Ref, terminalCell(r.Title, 44), au.Type.Label(),
					au.EffectiveStatus().Label(), dates, terminalCell(r.Lead, 24), len(au.Scope), r.Findings, r.OpenFindings, flags)
			}
			return tw.Flush()
		},
	}
	engagementFlag(cmd, &engagement)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func writeJSONOut(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// findAudit finds an audit by ref ("2027-01") or id.
func (env *auditEnv) findAudit(q string) (assessments.Audit, error) {
	for _, au := range env.audits {
		if au.ID == q || strings.EqualFold(au.Ref, q) {
			return au, nil
		}
	}
	var refs []string
	for _, au := range env.audits {
		refs = append(refs, au.Ref)
	}
	if len(refs) == 0 {
		return assessments.Audit{}, fmt.Errorf("%s has no audit yet", env.e.Name)
	}
	return assessments.Audit{}, fmt.Errorf("no audit %q in %s (its audits: %s)", q, env.e.Name, strings.Join(refs, ", "))
}

func newAuditShowCmd(a *cliApp) *cobra.Command {
	var engagement string
	cmd := &cobra.Command{
		Use:   "show AUDIT",
		Short: "Show one audit as text: scope, team, checklist with conclusions and sampling, findings and actions",
		Long:  "AUDIT is the audit's ref (2027-01) or id. The output is Markdown, as the audit report reads.",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			env, err := a.auditEnv(ctx, engagement)
			if err != nil {
				return err
			}
			defer env.s.Close()
			au, err := env.findAudit(args[0])
			if err != nil {
				return err
			}
			items, err := env.s.ChecklistItems(ctx, au.ID)
			if err != nil {
				return err
			}
			results, err := env.s.Results(ctx, env.e.ID)
			if err != nil {
				return err
			}
			return writeAuditMarkdown(a.stdout, env, au, items, results)
		},
	}
	engagementFlag(cmd, &engagement)
	return cmd
}

func writeAuditMarkdown(w io.Writer, env *auditEnv, au assessments.Audit, items map[assessments.ControlRef]assessments.ChecklistItem,
	results map[string]map[string]assessments.Result) error {
	label := func(c assessments.ControlRef) string { return auditpack.RequirementLabel(env.set, c) }
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("# Internal audit %s: %s\n\n", au.Ref, md(au.Title))
	p("- Type: %s; status: %s\n", au.Type.Label(), au.EffectiveStatus().Label())
	p("- Scope: %s (%s)\n", assessments.ScopeText(env.set, au.Scope), assessments.ScopeCounts(env.set, au.Scope))
	for _, f := range [][2]string{{"Processes", au.Processes}, {"Sites", au.Sites}, {"Criteria", au.Criteria}, {"Lead auditor", au.Lead},
		{"Audit team", strings.Join(au.Team, ", ")}, {"Auditees", au.Auditees}} {
		if strings.TrimSpace(f[1]) != "" {
			p("- %s: %s\n", f[0], md(f[1]))
		}
	}
	p("- Planned: %s to %s; held: %s to %s\n", firstOf(au.PlannedStart, "-"), firstOf(au.PlannedEnd, "-"), firstOf(au.ActualStart, "-"), firstOf(au.ActualEnd, "-"))
	for _, t := range assessments.ImpartialityText(assessments.Impartiality(au, results), label) {
		p("- **Impartiality:** %s\n", md(t))
	}
	if au.Summary != "" {
		p("\n## Summary\n\n%s\n", md(au.Summary))
	}
	counts := assessments.ConclusionCounts(au.Scope, items)
	var parts []string
	for _, c := range assessments.ConclusionOrder {
		if counts[c] > 0 {
			parts = append(parts, assessments.CountText(counts[c], c))
		}
	}
	p("\n## Checklist\n\n%s.\n\n| Requirement | Conclusion | Sampling | Notes |\n|---|---|---|---|\n", strings.Join(parts, ", "))
	for _, cr := range assessments.Checklist(env.set, au) {
		it := items[cr.Ref]
		concl := it.EffectiveConclusion().Label()
		if it.Provenance != "" {
			concl += " (" + it.Provenance + ")"
		}
		sampling := it.SamplingText()
		if it.Sampled != "" {
			sampling += ": " + it.Sampled
		}
		p("| %s %s | %s | %s | %s |\n", label(cr.Ref), mdCell(cr.Requirement.Title), mdCell(concl), mdCell(sampling), mdCell(it.Notes))
	}
	p("\n## Findings\n")
	found := false
	for _, v := range env.views {
		if v.Finding.AuditID != au.ID || v.Status == assessments.FindingWithdrawn {
			continue
		}
		found = true
		f := v.Finding
		p("\n### %s %s (%s)\n\n", f.Ref, f.Grade.Label(), v.Status)
		p("- Requirements: %s\n- Raised: %s\n", auditLabels(env.set, f.Requirements), f.RaisedOn)
		if ref := env.riskRef(f.RiskID); ref != "" {
			p("- Raised risk: %s\n", ref)
		}
		p("\n%s\n", md(f.Statement))
		if f.Evidence != "" {
			p("\nObjective evidence: %s\n", md(f.Evidence))
		}
		for _, ca := range v.Actions {
			p("\n- Action %s, %s, owner %s, due %s: %s", assessments.ActionRef(f.Ref, ca.Seq), ca.EffectiveState().Label(),
				firstOf(md(ca.Owner), "unassigned"), firstOf(ca.DueDate, "-"), md(ca.Action))
			if ca.Overdue(env.now) {
				p(" **(overdue)**")
			}
			if ca.ReviewedBy != "" {
				p(" Review by %s on %s: %s", md(ca.ReviewedBy), ca.ReviewedOn, md(ca.ReviewNote))
			}
			p("\n")
		}
	}
	if !found {
		p("\nNo finding.\n")
	}
	return nil
}

func auditLabels(set *catalogs.Set, refs []assessments.ControlRef) string {
	out := make([]string, len(refs))
	for i, c := range refs {
		out[i] = auditpack.RequirementLabel(set, c)
	}
	return strings.Join(out, ", ")
}

// findingJSON is one finding of `annex audit findings --json`.
type findingJSON struct {
	Ref          string       `json:"ref"`
	Audit        string       `json:"audit"`
	Grade        string       `json:"grade"`
	Status       string       `json:"status"`
	Requirements []string     `json:"requirements"`
	Statement    string       `json:"statement"`
	Evidence     string       `json:"evidence"`
	RaisedOn     string       `json:"raised_on"`
	ClosedOn     string       `json:"closed_on"`
	Risk         string       `json:"risk"`
	Actions      []actionJSON `json:"actions"`
}

// actionJSON is one corrective action of `annex audit actions --json`.
type actionJSON struct {
	Ref        string   `json:"ref"`
	Finding    string   `json:"finding"`
	State      string   `json:"state"`
	Owner      string   `json:"owner"`
	DueDate    string   `json:"due_date"`
	Overdue    bool     `json:"overdue"`
	Correction string   `json:"correction"`
	RootCause  []string `json:"root_cause"`
	Action     string   `json:"action"`
	ReviewedBy string   `json:"reviewed_by"`
	ReviewedOn string   `json:"reviewed_on"`
	ReviewNote string   `json:"review_note"`
	Risk       string   `json:"risk"`
}

func (env *auditEnv) actionJSON(v assessments.FindingView, ca assessments.CorrectiveAction) actionJSON {
	return actionJSON{Ref: assessments.ActionRef(v.Finding.Ref, ca.Seq), Finding: v.Finding.Ref, State: string(ca.EffectiveState()), Owner: ca.Owner,
		DueDate: ca.DueDate, Overdue: ca.Overdue(env.now), Correction: ca.Correction, RootCause: nonNilStrings(ca.RootCause), Action: ca.Action,
		ReviewedBy: ca.ReviewedBy, ReviewedOn: ca.ReviewedOn, ReviewNote: ca.ReviewNote, Risk: env.riskRef(ca.RiskID)}
}

func newAuditFindingsCmd(a *cliApp) *cobra.Command {
	var engagement, audit string
	var asJSON, asCSV bool
	cmd := &cobra.Command{
		Use:   "findings",
		Short: "List the findings of every audit (or one, with --audit), by ref",
		Long: `List the internal audits' findings with grade (major NC, minor NC, observation, OFI), status
(open, closed when every action is verified effective, noted, withdrawn), requirements and
statement, as a table, JSON or CSV (the columns of the pack's findings.csv).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON && asCSV {
				return errors.New("choose one of --json and --csv")
			}
			env, err := a.auditEnv(cmd.Context(), engagement)
			if err != nil {
				return err
			}
			defer env.s.Close()
			views := env.views
			if audit != "" {
				au, err := env.findAudit(audit)
				if err != nil {
					return err
				}
				views = nil
				for _, v := range env.views {
					if v.Finding.AuditID == au.ID {
						views = append(views, v)
					}
				}
			}
			rows := auditpack.FindingRows(env.set, views, env.auditRef, env.riskRef, env.now)
			switch {
			case asCSV:
				return writeCSVOut(a.stdout, auditpack.FindingsHeader, rows)
			case asJSON:
				byRef := map[string]assessments.FindingView{}
				for _, v := range views {
					byRef[v.Finding.Ref] = v
				}
				out := make([]findingJSON, 0, len(rows))
				for _, r := range rows {
					v := byRef[r[0]]
					f := v.Finding
					j := findingJSON{Ref: f.Ref, Audit: r[1], Grade: string(f.Grade), Status: string(v.Status), Requirements: []string{},
						Statement: f.Statement, Evidence: f.Evidence, RaisedOn: f.RaisedOn, ClosedOn: r[8], Risk: r[12], Actions: []actionJSON{}}
					for _, c := range f.Requirements {
						j.Requirements = append(j.Requirements, c.String())
					}
					for _, ca := range v.Actions {
						j.Actions = append(j.Actions, env.actionJSON(v, ca))
					}
					out = append(out, j)
				}
				return writeJSONOut(a.stdout, out)
			}
			if len(rows) == 0 {
				fmt.Fprintln(a.stdout, "No finding yet: a conclusion other than conforming in an audit's checklist raises one.")
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "FINDING\tGRADE\tSTATUS\tREQUIREMENTS\tSTATEMENT\tACTIONS\tOVERDUE")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r[0], r[2], r[3], terminalCell(r[4], 40), terminalCell(r[5], 56), r[9], r[11])
			}
			return tw.Flush()
		},
	}
	engagementFlag(cmd, &engagement)
	cmd.Flags().StringVar(&audit, "audit", "", "only the findings of this audit (its ref, e.g. 2027-01)")
	formatFlags(cmd, &asJSON, &asCSV)
	return cmd
}

func newAuditActionsCmd(a *cliApp) *cobra.Command {
	var engagement string
	var asJSON, asCSV, overdue bool
	cmd := &cobra.Command{
		Use:   "actions",
		Short: "List the corrective actions of every finding (--overdue: only those past their due date)",
		Long: `List the corrective actions (clause 10.2) with state (open, in progress, done, verified
effective, ineffective), owner, due date and the effectiveness review, as a table, JSON or
CSV. --overdue keeps the actions not finished and past their due date.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON && asCSV {
				return errors.New("choose one of --json and --csv")
			}
			env, err := a.auditEnv(cmd.Context(), engagement)
			if err != nil {
				return err
			}
			defer env.s.Close()
			views := make([]assessments.FindingView, 0, len(env.views))
			for _, v := range env.views {
				keep := v
				keep.Actions = nil
				for _, ca := range v.Actions {
					if !overdue || ca.Overdue(env.now) {
						keep.Actions = append(keep.Actions, ca)
					}
				}
				views = append(views, keep)
			}
			rows := auditpack.ActionRows(views, env.riskRef, env.now)
			switch {
			case asCSV:
				return writeCSVOut(a.stdout, auditpack.ActionsHeader, rows)
			case asJSON:
				out := []actionJSON{}
				for _, v := range sortedViews(views) {
					for _, ca := range v.Actions {
						out = append(out, env.actionJSON(v, ca))
					}
				}
				return writeJSONOut(a.stdout, out)
			}
			if len(rows) == 0 {
				if overdue {
					fmt.Fprintln(a.stdout, "No corrective action is overdue.")
				} else {
					fmt.Fprintln(a.stdout, "No corrective action yet.")
				}
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ACTION\tSTATE\tOWNER\tDUE\tOVERDUE\tACTION TEXT")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r[0], r[3], terminalCell(r[4], 24), firstOf(r[5], "-"), r[6], terminalCell(r[9], 60))
			}
			return tw.Flush()
		},
	}
	engagementFlag(cmd, &engagement)
	cmd.Flags().BoolVar(&overdue, "overdue", false, "only actions past their due date and not finished")
	formatFlags(cmd, &asJSON, &asCSV)
	return cmd
}

// sortedViews orders findings by ref, as the tables do.
func sortedViews(views []assessments.FindingView) []assessments.FindingView {
	out := append([]assessments.FindingView(nil), views...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Finding.Ref < out[j].Finding.Ref })
	return out
}

func writeCSVOut(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		rec := make([]string, len(r))
		for i, c := range r {
			rec[i] = auditpack.Cell(c)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
