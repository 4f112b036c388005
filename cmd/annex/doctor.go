package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/internal/text"
	"github.com/annex-grc/annex/store"
)

func init() { register(newDoctorCmd) }

func newDoctorCmd(a *cliApp) *cobra.Command {
	var fix bool
	cmd := &cobra.Command{
		Use:   "doctor [--fix]",
		Short: "Check the workspace: backend, schema, application id, file modes, integrity, change history, team",
		Long: `Check the workspace without writing to it: its backend and place, schema version, SQLite
application id, the modes of the file and its -wal and -shm companions, SQLite's integrity_check,
and the change history (hash chain, length, and the replay of every stored value). On PostgreSQL:
the server's version, your role (the history's author), whether you own the workspace, and the
grants you may see. Exit 1 when something is wrong. With --fix, files that others can read are
made owner-only (0600); nothing else changes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			p, err := a.workspacePath()
			if err != nil {
				return err
			}
			out := text.OneLine
			var problems []string
			// Only an annex workspace is examined or fixed: Open refuses anything else untouched.
			s, err := store.Open(ctx, p, store.Options{Author: a.authorName(), ReadOnly: true})
			if err != nil {
				return err
			}
			defer s.Close()
			pg := s.Backend() == store.PostgreSQL
			if fix && !pg {
				changed, err := store.TightenModes(p)
				if err != nil {
					return err
				}
				for _, f := range changed {
					fmt.Fprintf(a.stdout, "Fixed: %s is now owner-only (0600).\n", out(f))
				}
			}
			row := func(label, value string) { fmt.Fprintf(a.stdout, "%-17s %s\n", label+":", value) }
			row("Backend", string(s.Backend()))
			if pg {
				row("Workspace", out(s.Path()))
			} else {
				abs, _ := filepath.Abs(p)
				row("Workspace", out(abs))
			}
			v, err := s.UserVersion(ctx)
			if err != nil {
				return err
			}
			row("Schema version", fmt.Sprintf("%d (this annex knows up to %d)", v, s.LatestSchema()))
			if pg {
				problems = append(problems, doctorServer(ctx, a, s, row)...)
			}
			id, err := s.AppID(ctx)
			if err != nil {
				return err
			}
			switch {
			case pg:
			case id == store.ApplicationID:
				row("Application id", fmt.Sprintf("%#x (annex)", id))
			default:
				row("Application id", fmt.Sprintf("%#x (made by an older annex; set on the next writable open)", id))
			}
			if wid, err := s.WorkspaceID(ctx); err == nil {
				row("Workspace id", wid)
			}
			modes := store.Modes(p)
			if pg {
				modes = nil
			}
			files := make([]string, 0, len(modes))
			for f := range modes {
				files = append(files, f)
			}
			sort.Strings(files)
			var parts []string
			for _, f := range files {
				m := fmt.Sprintf("%s %04o", filepath.Base(f), modes[f])
				if modes[f]&0o077 != 0 {
					m += " (others can read it)"
					problems = append(problems, fmt.Sprintf("%s can be read by other users; run 'annex doctor --fix'", f))
				}
				parts = append(parts, m)
			}
			if !pg {
				row("File modes", out(strings.Join(parts, ", ")))
			}
			ic, err := s.IntegrityCheck(ctx)
			if err != nil {
				return fmt.Errorf("integrity check: %w", err)
			}
			if pg {
				row("Integrity check", "every table readable (PostgreSQL keeps its own pages sound)")
			} else {
				row("Integrity check", out(ic))
			}
			if ic != "ok" {
				problems = append(problems, "SQLite's integrity check failed: "+ic)
			}
			n, problem, err := s.VerifyChain(ctx)
			if err != nil {
				return fmt.Errorf("check the change history: %w", err)
			}
			if problem != nil {
				row("Change history", fmt.Sprintf("BROKEN at row %d: %s", problem.Seq, problem.Reason))
				problems = append(problems, "the change history's hash chain does not hold")
			} else {
				head, err := s.ChainHead(ctx)
				if err != nil {
					return err
				}
				row("Change history", fmt.Sprintf("holds: %d rows, hash chain intact, head %s…", n, head.Head[:16]))
			}
			rep, err := s.ReplayHistory(ctx)
			if err != nil {
				return fmt.Errorf("replay the change history: %w", err)
			}
			if len(rep.Problems) == 0 {
				row("History replay", fmt.Sprintf("every stored value explained (%d entities, %d values)", rep.Entities, rep.Fields))
			} else {
				row("History replay", fmt.Sprintf("%d stored values not explained by the history (annex log --verify lists them)", len(rep.Problems)))
				problems = append(problems, "stored values were changed without a history row")
			}
			if s.ReadOnly() && s.ReadOnlyReason() != "opened in read-only mode" {
				row("Access", "read-only: "+s.ReadOnlyReason())
			}
			if len(problems) > 0 {
				return &exitError{code: 1, msg: fmt.Sprintf("%d problems: %s", len(problems), strings.Join(problems, "; "))}
			}
			fmt.Fprintln(a.stdout, "OK: nothing to fix.")
			return nil
		},
	}
	cmd.Flags().BoolVar(&fix, "fix", false, "make the workspace file and its -wal and -shm owner-only (0600)")
	return cmd
}

// doctorServer prints what a PostgreSQL workspace's doctor adds: server, role, ownership
// and the grants the role may see. It returns problems found.
func doctorServer(ctx context.Context, a *cliApp, s *store.Store, row func(label, value string)) []string {
	info := s.Server()
	row("Server", "PostgreSQL "+info.Version)
	who := "member of the team"
	if info.Admin {
		who = "owner of the workspace (sees and grants everything)"
	}
	row("Role", text.OneLine(info.Role)+", "+who+"; the history's author")
	row("Schema", text.OneLine(info.Schema))
	grants, err := s.Grants(ctx, "")
	if err != nil {
		return []string{"the team grants cannot be read: " + err.Error()}
	}
	names := map[string]string{}
	if all, err := s.Engagements(ctx); err == nil {
		for _, e := range all {
			names[e.ID] = e.Name
		}
	}
	if len(grants) == 0 {
		if info.Admin {
			row("Grants", "none yet ('annex team grant ROLE ENGAGEMENT ACCESS' gives access)")
		} else {
			row("Grants", "none: you see no engagement")
		}
		return nil
	}
	for i, g := range grants {
		label := ""
		if i == 0 {
			label = "Grants"
		}
		name := names[g.EngagementID]
		if name == "" {
			name = g.EngagementID
		}
		line := fmt.Sprintf("%s: %s of %q", text.OneLine(g.Role), g.Access, text.OneLine(name))
		if label == "" {
			fmt.Fprintf(a.stdout, "%-17s %s\n", "", line)
		} else {
			row(label, line)
		}
	}
	return nil
}
