package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/store/demo"
)

func (a *cliApp) demoCommand() *cobra.Command {
	var size string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Add a realistic sample engagement (a fictional health-tech company) to the workspace",
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
			opt := demo.Options{Size: size}
			e, err := demo.Create(ctx, s, set, opt)
			if err != nil {
				return fmt.Errorf("create the demo engagement: %w", err)
			}
			fmt.Fprintf(a.stdout, "Added demo engagement %q (%s) to %s\n", e.Name, e.ID, s.Path())
			return nil
		},
	}
	cmd.Flags().StringVar(&size, "size", "normal", "normal, or large (thousands of risks and results, for benchmarks)")
	return cmd
}
