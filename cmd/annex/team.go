package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/internal/text"
	"github.com/annex-grc/annex/store"
)

func init() { register(newTeamCmd) }

func newTeamCmd(a *cliApp) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "team",
		Short: "Who may read and write which engagement of a PostgreSQL team workspace",
		Long: `On a team workspace in PostgreSQL (annex --db postgres://…) every engagement has its people:
a PostgreSQL role is granted lead, consultant, auditor or viewer on it. Lead and consultant read
and write, auditor and viewer only read, and a role without a grant does not see the engagement
at all. PostgreSQL itself enforces it (row-level security), for annex and for plain SQL alike.
The workspace's owner and the engagement's leads grant and revoke; each grant is in the history.`,
		Args: cobra.NoArgs,
	}
	grant := &cobra.Command{
		Use:   "grant ROLE ENGAGEMENT lead|consultant|auditor|viewer",
		Short: "Give a PostgreSQL role access to an engagement (replacing what it had)",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			access, err := store.ParseAccess(args[2])
			if err != nil {
				return err
			}
			s, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			e, err := s.FindEngagement(cmd.Context(), args[1])
			if err != nil {
				return err
			}
			if err := s.Grant(cmd.Context(), args[0], e.ID, access); err != nil {
				return err
			}
			what := "reads and writes"
			if !access.Writes() {
				what = "reads"
			}
			fmt.Fprintf(a.stdout, "%s is %s of %q: it %s the engagement.\n", text.OneLine(args[0]), access, text.OneLine(e.Name), what)
			return nil
		},
	}
	revoke := &cobra.Command{
		Use:   "revoke ROLE ENGAGEMENT",
		Short: "Take a PostgreSQL role's access to an engagement away",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			e, err := s.FindEngagement(cmd.Context(), args[1])
			if err != nil {
				return err
			}
			if err := s.Revoke(cmd.Context(), args[0], e.ID); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s no longer has access to %q.\n", text.OneLine(args[0]), text.OneLine(e.Name))
			return nil
		},
	}
	list := &cobra.Command{
		Use:   "list [ENGAGEMENT]",
		Short: "List the grants you may see: all for the owner, yours and those of the engagements you lead",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			if s.Backend() != store.PostgreSQL {
				return fmt.Errorf("team access exists only on a PostgreSQL workspace (annex --db postgres://…); a SQLite workspace is one person's file")
			}
			id := ""
			if len(args) == 1 {
				e, err := s.FindEngagement(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				id = e.ID
			}
			grants, err := s.Grants(cmd.Context(), id)
			if err != nil {
				return err
			}
			names := map[string]string{}
			if all, err := s.Engagements(cmd.Context()); err == nil {
				for _, e := range all {
					names[e.ID] = e.Name
				}
			}
			if len(grants) == 0 {
				fmt.Fprintln(a.stdout, "No grants.")
			}
			for _, g := range grants {
				name := names[g.EngagementID]
				if name == "" {
					name = g.EngagementID + " (not visible to you or deleted)"
				}
				fmt.Fprintf(a.stdout, "%-24s %-11s %s (granted by %s, %s)\n", text.OneLine(g.Role), g.Access, text.OneLine(name), text.OneLine(g.GrantedBy), g.GrantedAt[:min(10, len(g.GrantedAt))])
			}
			return nil
		},
	}
	cmd.AddCommand(grant, revoke, list)
	return cmd
}
