package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/internal/text"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui"
)

// cliApp holds the global flags and the streams; subcommand files use its helpers.
type cliApp struct {
	dbPath   string
	author   string
	readOnly bool
	stdout   io.Writer
	stderr   io.Writer
	stdin    io.Reader
}

// exitError ends the program with a code and an optional message (already a sentence).
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// sentence turns an error chain into one line a consultant can read.
func sentence(err error) string {
	s := store.Plain(err).Error() // a lost database server or its refusal, in words
	if s == "" {
		return "something went wrong"
	}
	s = strings.ReplaceAll(s, "\n", " ")
	if errors.Is(err, syscall.ENOSPC) {
		return "The disk is full: " + s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (a *cliApp) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "annex",
		Short: "Offline workbench for ISO/IEC 27001 and ISO/IEC 42001 engagements",
		Long: `annex walks the gap analysis of ISO/IEC 27001:2022 and ISO/IEC 42001:2023, the risk register,
AI system impact assessments and evidence, and hands over a verifiable audit pack.
Run without a subcommand to open the workbench.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runTUI(cmd.Context())
		},
	}
	root.PersistentFlags().StringVar(&a.dbPath, "db", "", "workspace file, or a PostgreSQL team workspace as postgres://ROLE@HOST/DATABASE (default $ANNEX_DB, else ~/.local/share/annex/workspace.db)")
	root.PersistentFlags().StringVar(&a.author, "author", "", "name written into the change history (default $ANNEX_AUTHOR, else the OS user)")
	root.PersistentFlags().BoolVar(&a.readOnly, "read-only", false, "open the workspace read-only: everything can be read, nothing is written")
	root.AddCommand(a.versionCommand(), a.demoCommand(), a.summaryCommand())
	for _, f := range subcommands {
		root.AddCommand(f(a))
	}
	return root
}

// workspacePath resolves --db, $ANNEX_DB and the default location.
func (a *cliApp) workspacePath() (string, error) {
	if a.dbPath != "" {
		return a.dbPath, nil
	}
	return store.DefaultPath()
}

func (a *cliApp) authorName() string {
	if a.author != "" {
		return a.author
	}
	if v := os.Getenv("ANNEX_AUTHOR"); v != "" {
		return v
	}
	return store.DefaultAuthor()
}

// open opens the workspace (read-only with --read-only, or when it cannot be written) and
// prints what the person should know about it on stderr.
func (a *cliApp) open(ctx context.Context) (*store.Store, error) {
	p, err := a.workspacePath()
	if err != nil {
		return nil, err
	}
	s, err := store.Open(ctx, p, store.Options{Author: a.authorName(), ReadOnly: a.readOnly})
	if err != nil {
		return nil, err
	}
	for _, n := range s.Notices() {
		fmt.Fprintln(a.stderr, "annex: "+text.OneLine(n))
	}
	return s, nil
}

// openEngagement opens the workspace and finds the engagement named (by name or id; ""
// for the only one). The caller closes the store; on an error it is closed already.
func (a *cliApp) openEngagement(ctx context.Context, name string) (*store.Store, assessments.Engagement, error) {
	s, err := a.open(ctx)
	if err != nil {
		return nil, assessments.Engagement{}, err
	}
	e, err := s.FindEngagement(ctx, name)
	if err != nil {
		s.Close()
		return nil, assessments.Engagement{}, err
	}
	return s, e, nil
}

// catalogs loads the built-in catalogs plus the workspace's custom ones.
func (a *cliApp) catalogs(ctx context.Context, s *store.Store) (*catalogs.Set, error) {
	set, err := catalogs.Builtin()
	if err != nil {
		return nil, fmt.Errorf("built-in catalogs are damaged: %w", err)
	}
	if s == nil || loadCustomCatalogs == nil {
		return set, nil
	}
	return loadCustomCatalogs(ctx, s, set)
}

// loadCustomCatalogs is set by catalog.go once custom catalogs are supported.
var loadCustomCatalogs func(ctx context.Context, s *store.Store, builtin *catalogs.Set) (*catalogs.Set, error)

func (a *cliApp) runTUI(ctx context.Context) error {
	s, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	set, err := a.catalogs(ctx, s)
	if err != nil {
		return err
	}
	return tui.Run(ctx, s, set)
}

func (a *cliApp) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print annex's version and workspace schema version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(a.stdout, "annex %s (workspace schema %d; PostgreSQL schema %d)\n", version, store.SchemaVersion(), store.PostgresSchemaVersion())
			return nil
		},
	}
}

var errUsage = errors.New("usage")
