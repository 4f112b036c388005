package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/internal/text"
	"github.com/annex-grc/annex/store"
)

func init() { register(newWorkspaceCmd) }

func newWorkspaceCmd(a *cliApp) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "workspace",
		Short: "Move a workspace between a SQLite file and a PostgreSQL team database",
		Args:  cobra.NoArgs,
	}
	cp := &cobra.Command{
		Use:   "copy FROM TO",
		Short: "Copy a whole workspace (every id, kept evidence file and the history) into a new, empty one",
		Long: `Copy a workspace into a new, empty one, from a SQLite file to PostgreSQL (postgres://…) or back,
or between two of either: every engagement with its ids, the kept evidence files, the whole
history with its authors, times and hashes, and the workspace id, so checkpoints and audit packs
made before still verify against the copy. The copy is one transaction and ends by verifying
its history's chain. FROM is left as it was. On PostgreSQL, copying into a workspace needs its
owner's role (only it may write history rows in others' names); team grants stay behind when
copying to SQLite.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if args[0] == args[1] {
				return fmt.Errorf("FROM and TO are the same workspace")
			}
			from, err := store.Open(ctx, args[0], store.Options{Author: a.authorName()})
			if err != nil {
				return err
			}
			defer from.Close()
			to, err := store.Open(ctx, args[1], store.Options{Author: a.authorName()})
			if err != nil {
				return err
			}
			defer to.Close()
			rep, err := store.CopyWorkspace(ctx, from, to)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Copied %s to %s: %s, %s, %s; history verified.\n", text.OneLine(from.Path()), text.OneLine(to.Path()),
				evPlural(rep.Engagements, "engagement", "engagements"), evPlural(rep.Blobs, "kept evidence file", "kept evidence files"),
				evPlural(rep.History, "history row", "history rows"))
			if rep.Dropped > 0 {
				fmt.Fprintf(a.stdout, "Not copied: %s (a SQLite workspace has no team access).\n", evPlural(rep.Dropped, "team grant", "team grants"))
			}
			return nil
		},
	}
	cmd.AddCommand(cp)
	return cmd
}
