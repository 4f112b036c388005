package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/store/demo"
)

func (a *cliApp) demoCommand() *cobra.Command {
	var size string
	var count int
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
			if count < 1 {
				return fmt.Errorf("--count %d: give 1 or more engagements", count)
			}
			opt := demo.Options{Size: size}
			if count == 1 {
				e, err := demo.Create(ctx, s, set, opt)
				if err != nil {
					return fmt.Errorf("create the demo engagement: %w", err)
				}
				fmt.Fprintf(a.stdout, "Added demo engagement %q (%s) to %s\n", e.Name, e.ID, s.Path())
				return nil
			}
			// Medivance first, then other fictional clients, each engagement in one transaction.
			for i := range count {
				opt.Client = i
				err := s.WithTx(ctx, func(tx *store.Store) error {
					_, err := demo.Create(ctx, tx, set, opt)
					return err
				})
				if err != nil {
					return fmt.Errorf("create demo engagement %d of %d: %w", i+1, count, err)
				}
			}
			fmt.Fprintf(a.stdout, "Added %d demo engagements (Medivance Health and %d other fictional clients) to %s\n", count, count-1, s.Path())
			return nil
		},
	}
	cmd.Flags().StringVar(&size, "size", "normal", "normal, or large (thousands of risks and results, for benchmarks)")
	cmd.Flags().IntVar(&count, "count", 1, "number of engagements: Medivance Health, then other fictional clients with their own answers (for benchmarks of large workspaces)")
	return cmd
}
