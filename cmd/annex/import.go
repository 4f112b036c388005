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
	var identities, keyFiles, keyLists []string
	cmd := &cobra.Command{
		Use:   "import FILE.json|FILE.zip",
		Short: "Load an engagement from an audit pack or its data.json into the workspace",
		Long: `Load an engagement from an audit pack (.zip or .zip.age) or its data.json into the workspace, in one
transaction: all of it or nothing. A pack is verified against its manifest first. An engagement
whose id is already in the workspace is refused unless --as-copy, which gives it new ids.
A pack that fails 'annex verify' is refused. With --key or --trusted-keys the pack must also be
signed by one of those keys. The change history in the pack (history.jsonl) is kept with its
original authors, times and hashes, anchored in this workspace's own history.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			src, err := a.openPack(args[0], identities)
			if err != nil {
				return err
			}
			defer src.Close()
			keys, err := trustedKeys(keyFiles, keyLists)
			if err != nil {
				return err
			}
			im, err := auditpack.ReadImportSource(args[0], src)
			if err != nil {
				return fmt.Errorf("%s: %w", filepath.Base(args[0]), err)
			}
			if len(keys) > 0 {
				if im.Report == nil {
					return fmt.Errorf("%s is a data.json, which carries no signature; nothing was imported", filepath.Base(args[0]))
				}
				if sig := im.Report.CheckSignature(keys); sig.State != auditpack.SignedByKey {
					return fmt.Errorf("%s: %s; nothing was imported", filepath.Base(args[0]), sig.Detail)
				}
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
	cmd.Flags().StringArrayVar(&keyFiles, "key", nil, "import only a pack signed with this minisign public key (FILE.pub)")
	cmd.Flags().StringArrayVar(&keyLists, "trusted-keys", nil, "import only a pack signed by a key in this list (KEY NAME per line)")
	return cmd
}
