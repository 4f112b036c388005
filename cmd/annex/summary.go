package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/internal/text"
	"github.com/annex-grc/annex/store"
)

// summaryRow is one engagement × standard line of `annex summary`.
type summaryRow struct {
	Engagement     string         `json:"engagement"`
	EngagementID   string         `json:"engagement_id"`
	Standard       string         `json:"standard"`
	Readiness      float64        `json:"readiness"`
	Assessed       float64        `json:"assessed"`
	Counts         map[string]int `json:"counts"`
	CoveredByOther *coverageJSON  `json:"covered_by_other,omitempty"`
}

type coverageJSON struct {
	Standard string  `json:"standard"`
	Covered  int     `json:"covered"`
	Of       int     `json:"of"`
	Percent  float64 `json:"percent"`
}

func (a *cliApp) summaryCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "summary",
		Short: "Print readiness per engagement and standard",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
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
			rows, err := summarize(ctx, s, set)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if rows == nil {
					rows = []summaryRow{}
				}
				return enc.Encode(rows)
			}
			if len(rows) == 0 {
				fmt.Fprintln(a.stdout, "No engagements yet. Open the workbench with 'annex', or add the sample with 'annex demo'.")
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ENGAGEMENT\tSTANDARD\tREADINESS\tASSESSED\tIMPL\tPARTIAL\tNOT IMPL\tN/A\tNOT ASSESSED")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%.1f%%\t%.1f%%\t%d\t%d\t%d\t%d\t%d\n", text.OneLine(r.Engagement), text.OneLine(r.Standard), r.Readiness, r.Assessed,
					r.Counts[string(assessments.Implemented)], r.Counts[string(assessments.Partial)], r.Counts[string(assessments.NotImplemented)],
					r.Counts[string(assessments.NotApplicable)], r.Counts[string(assessments.NotAssessed)])
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, r := range rows {
				if c := r.CoveredByOther; c != nil {
					fmt.Fprintf(a.stdout, "%s: %s covered by %s work: %d of %d applicable requirements (%.0f%%) have an implemented or partially implemented counterpart\n",
						text.OneLine(r.Engagement), text.OneLine(shortName(set, r.Standard)), text.OneLine(shortName(set, c.Standard)), c.Covered, c.Of, c.Percent)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: an array of {engagement, standard, readiness, assessed, counts, covered_by_other}")
	return cmd
}

func shortName(set *catalogs.Set, id string) string {
	if c, ok := set.Get(id); ok {
		return c.Short
	}
	return id
}

func summarize(ctx context.Context, s *store.Store, set *catalogs.Set) ([]summaryRow, error) {
	engs, err := s.Engagements(ctx)
	if err != nil {
		return nil, err
	}
	var rows []summaryRow
	for _, e := range engs {
		results, err := s.Results(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		for _, std := range e.Standards {
			c, ok := set.Get(std)
			if !ok {
				continue
			}
			rd := assessments.ReadinessOfCatalog(c, results[std])
			row := summaryRow{Engagement: e.Name, EngagementID: e.ID, Standard: std, Readiness: round1(rd.Percent()),
				Assessed: round1(rd.AssessedPercent()), Counts: map[string]int{}}
			for _, st := range assessments.Statuses {
				row.Counts[string(st)] = rd.Counts[st]
			}
			if cov, ok := assessments.CoverageFor(set, e, std, results); ok {
				row.CoveredByOther = &coverageJSON{Standard: cov.By, Covered: cov.Covered, Of: cov.Applicable, Percent: round1(cov.Percent())}
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

func round1(f float64) float64 { return float64(int(f*10+0.5)) / 10 }
