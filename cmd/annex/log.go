package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/internal/text"
	"github.com/annex-grc/annex/store"
)

func init() { register(newLogCmd) }

func newLogCmd(a *cliApp) *cobra.Command {
	var engagement, since, pubKey, out, signKey string
	var verify, asJSON, checkpoint bool
	var limit int
	var identities []string
	cmd := &cobra.Command{
		Use:   "log",
		Short: "Show the change history; check it with --verify; record its end with --checkpoint",
		Long: `Show the change history: every edit of every field, who made it and when, oldest first.

With --verify, recompute the hash chain of the whole workspace's history, then replay it: every
stored value (engagements, results, risks, risk matrices, AI systems, impact assessments, evidence)
must be what the history says. Exit 1 when a row was edited, removed or cut from the end, or a
stored value was changed without a history row. With --since CHECKPOINT|PACK the history must
also still hold the end recorded in that checkpoint or audit pack (--pubkey checks a signed
checkpoint's FILE.minisig).

With --checkpoint, write the end of the history (workspace id, length, hash of the last row, time)
to a JSON file, signed with a minisign secret key when --sign KEY is given (FILE.minisig). Keep it
somewhere else: 'annex log --verify --since FILE' then proves later that nothing before it was cut
or rewritten.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if (since != "" || pubKey != "") && !verify {
				return errors.New("--since and --pubkey go with --verify")
			}
			if (out != "" || signKey != "") && !checkpoint {
				return errors.New("--out and --sign go with --checkpoint")
			}
			if verify && checkpoint {
				return errors.New("use --verify or --checkpoint, not both")
			}
			var then store.ChainHead
			var thenWhat string
			if since != "" {
				var err error
				if then, thenWhat, err = a.readSince(since, pubKey, identities); err != nil {
					return err
				}
			}
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			if checkpoint {
				_, problem, err := s.VerifyChain(ctx)
				if err != nil {
					return fmt.Errorf("check the change history: %w", err)
				}
				if problem != nil {
					return &exitError{code: 1, msg: fmt.Sprintf("the change history is broken at row %d (%s); no checkpoint was written", problem.Seq, problem.Reason)}
				}
				head, err := s.ChainHead(ctx)
				if err != nil {
					return err
				}
				at := s.Now()
				if out == "" {
					out = defaultCheckpointName(head, at)
				}
				files, err := a.writeCheckpoint(head, at, out, signKey)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "Wrote %s: the history of workspace %s has %d rows (chain intact), the last with hash %s….\nKeep it elsewhere; check later with: annex log --verify --since %s\n",
					strings.Join(files, " and "), head.WorkspaceID, head.Length, head.Head[:16], shellArg(out))
				return nil
			}
			if verify {
				var n int
				var problem *store.ChainProblem
				if since != "" {
					n, problem, err = s.VerifyChainSince(ctx, then)
				} else {
					n, problem, err = s.VerifyChain(ctx)
				}
				if err != nil {
					return fmt.Errorf("check the change history: %w", err)
				}
				if problem != nil {
					fmt.Fprintf(a.stdout, "Change history is broken at row %d: %s.\n", problem.Seq, problem.Reason)
					if _, err := printBaselineProblems(ctx, a.stdout, s, problem); err != nil {
						return err
					}
					return &exitError{code: 1, msg: fmt.Sprintf("the change history does not hold (%d rows before row %d check out)", n, problem.Seq)}
				}
				rep, err := s.ReplayHistory(ctx)
				if err != nil {
					return fmt.Errorf("replay the change history: %w", err)
				}
				if len(rep.Problems) > 0 {
					for _, p := range rep.Problems {
						fmt.Fprintln(a.stdout, "Not explained by the history: "+text.OneLine(p.String()))
					}
					return &exitError{code: 1, msg: fmt.Sprintf("%d stored values are not what the change history says (changed without a history row)", len(rep.Problems))}
				}
				fmt.Fprintf(a.stdout, "OK: the change history holds (%d rows, hash chain intact).\n", n)
				fmt.Fprintf(a.stdout, "OK: every stored value is what the history says (%d entities, %d values", rep.Entities, rep.Fields)
				if rep.ImportedOnly > 0 {
					fmt.Fprintf(a.stdout, "; %d more vouched for by imports only", rep.ImportedOnly)
				}
				fmt.Fprintln(a.stdout, ").")
				if since != "" {
					fmt.Fprintf(a.stdout, "OK: it still holds the end recorded in %s (row %d).\n", text.OneLine(thenWhat), then.Length)
				}
				return a.verifyImported(ctx, s)
			}
			f := store.ChangeFilter{Limit: limit}
			if engagement != "" {
				e, err := s.FindEngagement(ctx, engagement)
				if err != nil {
					return err
				}
				f.EngagementID = e.ID
			}
			rows, err := s.Changes(ctx, f)
			if err != nil {
				return err
			}
			imported, err := importedRows(ctx, s, f)
			if err != nil {
				return err
			}
			if asJSON {
				type row struct {
					Seq          int64  `json:"seq"`
					At           string `json:"at"`
					Author       string `json:"author"`
					EngagementID string `json:"engagement_id"`
					Entity       string `json:"entity"`
					EntityID     string `json:"entity_id"`
					Field        string `json:"field"`
					Old          string `json:"old"`
					New          string `json:"new"`
					PrevHash     string `json:"prev_hash"`
					Hash         string `json:"hash"`
					// Origin is set on rows imported with an engagement: the chain (workspace)
					// they were written in, the file they came from and their anchor row here.
					Origin *origin `json:"origin,omitempty"`
				}
				out := make([]row, 0, len(rows))
				for _, seg := range imported {
					o := &origin{Chain: seg.Chain, Source: seg.Source, AnchorSeq: seg.AnchorSeq}
					for _, c := range seg.Rows {
						out = append(out, row{c.Seq, c.At, c.Author, c.EngagementID, c.Entity, c.EntityID, c.Field, c.Old, c.New, c.PrevHash, c.Hash, o})
					}
				}
				for _, c := range rows {
					out = append(out, row{c.Seq, c.At, c.Author, c.EngagementID, c.Entity, c.EntityID, c.Field, c.Old, c.New, c.PrevHash, c.Hash, nil})
				}
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			if len(rows) == 0 && len(imported) == 0 {
				fmt.Fprintln(a.stdout, "No changes recorded yet.")
				return nil
			}
			for _, seg := range imported {
				fmt.Fprintf(a.stdout, "Imported from %s: %s written in workspace %s, kept as they were (anchored by row %d here)\n",
					cellText(seg.Source, 60), countOf(seg.Rows, "row", "rows"), seg.Chain, seg.AnchorSeq)
				tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "SEQ THERE\tAT (UTC)\tAUTHOR\tENTITY\tFIELD\tOLD\tNEW")
				for _, c := range seg.Rows {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Seq, shortStamp(c.At), cellText(c.Author, 20), cellText(c.Entity+" "+c.EntityID, 40),
						cellText(c.Field, 20), cellText(c.Old, 40), cellText(c.New, 40))
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				fmt.Fprintln(a.stdout)
			}
			if len(imported) > 0 {
				fmt.Fprintln(a.stdout, "This workspace's history")
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SEQ\tAT (UTC)\tAUTHOR\tENTITY\tFIELD\tOLD\tNEW")
			for _, c := range rows {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Seq, shortStamp(c.At), cellText(c.Author, 20), cellText(c.Entity+" "+c.EntityID, 40),
					cellText(c.Field, 20), cellText(c.Old, 40), cellText(c.New, 40))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&engagement, "engagement", "", "only this engagement (name or id)")
	cmd.Flags().BoolVar(&verify, "verify", false, "check the hash chain and replay the whole history; exit 1 when it does not hold")
	cmd.Flags().StringVar(&since, "since", "", "with --verify: a checkpoint file or audit pack whose recorded end the history must still hold")
	cmd.Flags().StringVar(&pubKey, "pubkey", "", "with --since: minisign public key that signed the checkpoint (FILE.minisig)")
	cmd.Flags().StringArrayVar(&identities, "identity", nil, "with --since: age identity file for an encrypted pack")
	cmd.Flags().BoolVar(&checkpoint, "checkpoint", false, "write the end of the history to a checkpoint file")
	cmd.Flags().StringVar(&out, "out", "", "with --checkpoint: the file to write (default annex-checkpoint-DATE-ROWS.json here)")
	cmd.Flags().StringVar(&signKey, "sign", "", "with --checkpoint: minisign secret key file to sign it with (FILE.minisig)")
	cmd.Flags().IntVar(&limit, "limit", 0, "only the newest N rows")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the rows as JSON, with their hashes")
	return cmd
}

func shortStamp(at string) string {
	if len(at) >= 19 {
		return strings.Replace(at[:19], "T", " ", 1)
	}
	return at
}

// cellText makes user text one inert line of at most n runes for the table.
func cellText(s string, n int) string {
	out := []rune(strings.ReplaceAll(text.OneLine(s), "\t", " "))
	if len(out) > n {
		return string(out[:n-1]) + "…"
	}
	if len(out) == 0 {
		return "—"
	}
	return string(out)
}

// origin says where an imported history row was written.
type origin struct {
	Chain     string `json:"chain"`
	Source    string `json:"source"`
	AnchorSeq int64  `json:"anchor_seq"`
}

// importedRows lists the history imported with engagements (only the whole history, not
// the newest --limit rows of this workspace's chain).
func importedRows(ctx context.Context, s *store.Store, f store.ChangeFilter) ([]store.ImportedSegment, error) {
	if f.Limit > 0 || f.Entity != "" || f.EntityID != "" {
		return nil, nil
	}
	return s.ImportedHistory(ctx, f.EngagementID)
}

// verifyImported checks each imported history segment against its anchor.
func (a *cliApp) verifyImported(ctx context.Context, s *store.Store) error {
	segs, rows, problem, err := s.VerifyImportedHistory(ctx)
	if err != nil {
		return fmt.Errorf("check the imported history: %w", err)
	}
	if problem != nil {
		where := "rows imported with an engagement"
		if problem.AnchorSeq > 0 {
			where = fmt.Sprintf("the history imported at row %d", problem.AnchorSeq)
		}
		fmt.Fprintf(a.stdout, "Imported history is broken: %s: %s.\n", where, problem.Reason)
		return &exitError{code: 1, msg: "the imported change history does not hold"}
	}
	if segs > 0 {
		fmt.Fprintf(a.stdout, "OK: the history imported with engagements holds against its anchors (%s in %s).\n",
			countOf(make([]struct{}, rows), "row", "rows"), countOf(make([]struct{}, segs), "segment", "segments"))
	}
	return nil
}
