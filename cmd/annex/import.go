package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/auditpack"
	"github.com/annex-grc/annex/store"
)

func init() { register(newImportCmd) }

func newImportCmd(a *cliApp) *cobra.Command {
	var asCopy bool
	var identities []string
	cmd := &cobra.Command{
		Use:   "import FILE.json|FILE.zip",
		Short: "Load an engagement from an audit pack or its data.json into the workspace",
		Long: `Load an engagement from an audit pack (.zip or .zip.age) or its data.json into the workspace, in one
transaction: all of it or nothing. A pack is verified against its manifest first. An engagement
whose id is already in the workspace is refused unless --as-copy, which gives it new ids.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			src, err := a.openPack(args[0], identities)
			if err != nil {
				return err
			}
			defer src.Close()
			im, err := auditpack.ReadImportSource(args[0], src)
			if err != nil {
				return fmt.Errorf("%s: %w", filepath.Base(args[0]), err)
			}
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			set, err := a.catalogs(ctx, s)
			if err != nil {
				return err
			}
			e, err := auditpack.Import(ctx, s, set, im, store.ImportOptions{AsCopy: asCopy, Source: filepath.Base(args[0])})
			if err != nil {
				return fmt.Errorf("nothing was imported: %w", err)
			}
			fmt.Fprintf(a.stdout, "Imported %q (%s) with %d requirement results%s into %s\n", e.Name, e.ID, len(im.Doc.Results), im.Summary(), s.Path())
			return nil
		},
	}
	cmd.Flags().BoolVar(&asCopy, "as-copy", false, "import under new ids, beside an engagement with the same id")
	cmd.Flags().StringArrayVar(&identities, "identity", nil, "age identity file to decrypt a pack encrypted to recipients")
	return cmd
}
