// Command annex is the offline workbench for ISO/IEC 27001 and ISO/IEC 42001 engagements.
// This package only parses flags and wires the other packages together.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/internal/text"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// subcommands are added by the files of this package (risks.go, ai.go, ...) in init.
var subcommands []func(*cliApp) *cobra.Command

func register(f func(*cliApp) *cobra.Command) { subcommands = append(subcommands, f) }

func main() {
	// A closed terminal (SIGHUP) or a kill (SIGTERM) ends the workbench through its context,
	// so open drafts are flushed before the process exits.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	app := &cliApp{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin}
	root := app.rootCommand()
	if err := root.ExecuteContext(ctx); err != nil {
		var ex *exitError
		if errors.As(err, &ex) {
			if ex.msg != "" {
				fmt.Fprintln(os.Stderr, "annex: "+text.OneLine(ex.msg))
			}
			os.Exit(ex.code)
		}
		fmt.Fprintln(os.Stderr, "annex: "+text.OneLine(sentence(err)))
		os.Exit(1)
	}
}
