package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/auditpack"
	"github.com/annex-grc/annex/internal/text"
)

func init() { register(newRisksCmd) }

func newRisksCmd(a *cliApp) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "risks",
		Short: "Read an engagement's risk register",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	cmd.AddCommand(newRisksListCmd(a))
	return cmd
}

// riskScoreJSON is a score with its level on the engagement's matrix.
type riskScoreJSON struct {
	Likelihood  int    `json:"likelihood"`
	Consequence int    `json:"consequence"`
	Level       string `json:"level"`
}

type riskControlJSON struct {
	Standard string `json:"standard"`
	Ref      string `json:"ref"`
}

type riskAcceptanceJSON struct {
	By        string        `json:"by"`
	Date      string        `json:"date"`
	Rationale string        `json:"rationale"`
	Residual  riskScoreJSON `json:"residual"`
	Stale     bool          `json:"stale"`
}

// riskJSON is one risk of `annex risks list --json`.
type riskJSON struct {
	Ref        string              `json:"ref"`
	Title      string              `json:"title"`
	Scope      string              `json:"scope"`
	Owner      string              `json:"owner"`
	Inherent   riskScoreJSON       `json:"inherent"`
	Residual   *riskScoreJSON      `json:"residual"`
	Treatment  string              `json:"treatment"`
	Status     string              `json:"status"`
	Controls   []riskControlJSON   `json:"controls"`
	ReviewDate string              `json:"review_date"`
	AISystemID string              `json:"ai_system_id,omitempty"`
	Overdue    bool                `json:"review_overdue"`
	Acceptance *riskAcceptanceJSON `json:"acceptance"`
	// NeedsAcceptance: retained above the threshold with no acceptance record.
	NeedsAcceptance bool `json:"needs_acceptance"`
	// Unaccepted: not closed, residual above the threshold, no acceptance for that residual
	// (whatever the treatment).
	Unaccepted bool `json:"above_threshold_unaccepted"`
}

func scoreJSON(m assessments.Matrix, s assessments.Score) riskScoreJSON {
	out := riskScoreJSON{Likelihood: s.Likelihood, Consequence: s.Consequence}
	if lv, ok := m.LevelOf(s); ok {
		out.Level = lv.Name
	}
	return out
}

func newRisksListCmd(a *cliApp) *cobra.Command {
	var engagement string
	var asJSON, asCSV bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the risk register of an engagement",
		Long: `List the risk register of an engagement as a table, JSON or CSV.
JSON is an array of objects with ref, title, scope, owner, inherent and residual (each
{likelihood, consequence, level}; residual is null until scored), treatment, status and
controls ([{standard, ref}]), plus review date and acceptance.
CSV cells starting with = + - @, a tab or a carriage return get a leading ' so a
spreadsheet does not run them as formulas.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON && asCSV {
				return errors.New("choose one of --json and --csv")
			}
			ctx := cmd.Context()
			s, e, err := a.openEngagement(ctx, engagement)
			if err != nil {
				return err
			}
			defer s.Close()
			m, err := s.RiskMatrix(ctx, e.ID)
			if err != nil {
				return err
			}
			risks, err := s.Risks(ctx, e.ID)
			if err != nil {
				return err
			}
			rows := make([]riskJSON, 0, len(risks))
			now := s.Now()
			for _, r := range risks {
				row := riskJSON{Ref: r.Ref, Title: r.Title, Scope: string(r.Scope), Owner: r.Owner,
					Inherent: scoreJSON(m, r.Inherent), Treatment: string(r.Treatment), Status: string(r.EffectiveStatus()),
					Controls: []riskControlJSON{}, ReviewDate: r.ReviewDate, Overdue: r.ReviewOverdue(now), AISystemID: r.AISystemID,
					NeedsAcceptance: r.NeedsAcceptance(m), Unaccepted: r.UnacceptedAboveThreshold(m)}
				if r.Residual.Set() {
					res := scoreJSON(m, r.Residual)
					row.Residual = &res
				}
				for _, c := range r.Controls {
					row.Controls = append(row.Controls, riskControlJSON{Standard: c.Standard, Ref: c.Ref})
				}
				if ac := r.Acceptance; ac != nil {
					row.Acceptance = &riskAcceptanceJSON{By: ac.By, Date: ac.Date, Rationale: ac.Rationale,
						Residual: scoreJSON(m, ac.Residual), Stale: r.AcceptanceStale()}
				}
				rows = append(rows, row)
			}
			switch {
			case asJSON:
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			case asCSV:
				return writeRisksCSV(a.stdout, rows)
			}
			if len(rows) == 0 {
				fmt.Fprintf(a.stdout, "%s has no risks yet. Add them in the workbench's Risks tab.\n", text.OneLine(e.Name))
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REF\tTITLE\tSCOPE\tOWNER\tINHERENT\tRESIDUAL\tTREATMENT\tSTATUS\tREVIEW\tFLAGS")
			for _, r := range rows {
				res := "-"
				if r.Residual != nil {
					res = r.Residual.Level
				}
				var flags []string
				if r.Overdue {
					flags = append(flags, "review overdue")
				}
				if r.Acceptance != nil && r.Acceptance.Stale {
					flags = append(flags, "acceptance stale")
				}
				if r.NeedsAcceptance {
					flags = append(flags, "needs acceptance")
				} else if r.Unaccepted && (r.Acceptance == nil || !r.Acceptance.Stale) {
					flags = append(flags, "above threshold, not accepted")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Ref, terminalCell(r.Title, 48),
					assessments.RiskScope(r.Scope).Short(), terminalCell(r.Owner, 24), r.Inherent.Level, res,
					assessments.Treatment(r.Treatment).Label(), assessments.RiskStatus(r.Status).Label(), r.ReviewDate,
					strings.Join(flags, ", "))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&engagement, "engagement", "", "engagement name or id (may be left out when the workspace has one)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&asCSV, "csv", false, "print CSV (cells neutralised against formula injection)")
	return cmd
}

// terminalCell shows user text on one line through the shared inert filter, cut to n runes.
func terminalCell(s string, n int) string {
	out := []rune(strings.ReplaceAll(text.OneLine(s), "\t", " "))
	if len(out) > n {
		return string(out[:n-1]) + "…"
	}
	return string(out)
}

func writeRisksCSV(w io.Writer, rows []riskJSON) error {
	cw := csv.NewWriter(w)
	header := []string{"ref", "title", "scope", "owner", "inherent_likelihood", "inherent_consequence", "inherent_level",
		"residual_likelihood", "residual_consequence", "residual_level", "treatment", "status", "controls", "review_date",
		"accepted_by", "accepted_on", "acceptance_stale"}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		var controls []string
		for _, c := range r.Controls {
			controls = append(controls, c.Standard+":"+c.Ref)
		}
		res := riskScoreJSON{}
		if r.Residual != nil {
			res = *r.Residual
		}
		num := func(n int) string {
			if n == 0 {
				return ""
			}
			return fmt.Sprint(n)
		}
		var by, on, stale string
		if ac := r.Acceptance; ac != nil {
			by, on, stale = ac.By, ac.Date, fmt.Sprint(ac.Stale)
		}
		rec := []string{r.Ref, r.Title, r.Scope, r.Owner, num(r.Inherent.Likelihood), num(r.Inherent.Consequence), r.Inherent.Level,
			num(res.Likelihood), num(res.Consequence), res.Level, r.Treatment, r.Status, strings.Join(controls, " "), r.ReviewDate,
			by, on, stale}
		for i := range rec {
			rec[i] = auditpack.Cell(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
