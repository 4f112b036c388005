package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/auditpack"
	"github.com/annex-grc/annex/internal/text"
)

func init() { register(newVerifyCmd) }

func newVerifyCmd(a *cliApp) *cobra.Command {
	var identities []string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify FILE.zip|FILE.zip.age",
		Short: "Check an audit pack offline: every file against the SHA-256 in its manifest",
		Long: `Check an audit pack offline: every file listed in manifest.json must be present with its size and
SHA-256, and nothing else may be in the pack. Each changed, missing or extra file is reported.
Exits 0 when the pack holds, 1 otherwise. An encrypted pack needs its passphrase (asked on the
terminal, or $ANNEX_PASSPHRASE) or --identity files.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := a.openPack(args[0], identities)
			if err != nil {
				return err
			}
			defer src.Close()
			rep, err := auditpack.VerifySource(src)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			m := rep.Manifest
			if asJSON {
				type problem struct {
					Path   string `json:"path"`
					Kind   string `json:"kind"`
					Detail string `json:"detail,omitempty"`
				}
				out := struct {
					OK         bool              `json:"ok"`
					Checked    int               `json:"checked"`
					Problems   []problem         `json:"problems"`
					Engagement map[string]string `json:"engagement"`
					LastChange string            `json:"last_change_at"`
					Annex      string            `json:"annex_version"`
				}{OK: rep.OK(), Checked: rep.Checked, Problems: []problem{}, LastChange: m.LastChangeAt, Annex: m.AnnexVersion,
					Engagement: map[string]string{"id": m.Engagement.ID, "name": m.Engagement.Name}}
				for _, p := range rep.Problems {
					out.Problems = append(out.Problems, problem{p.Path, p.Kind, p.Detail})
				}
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(out); err != nil {
					return err
				}
				if !rep.OK() {
					return &exitError{code: 1}
				}
				return nil
			}
			fmt.Fprintf(a.stdout, "Pack of %q (engagement %s), made by annex %s, workspace as of %s\n", m.Engagement.Name, m.Engagement.ID, m.AnnexVersion, m.LastChangeAt)
			if rep.OK() {
				fmt.Fprintf(a.stdout, "OK: all %d files match the manifest.\n", rep.Checked)
				return nil
			}
			for _, p := range rep.Problems {
				fmt.Fprintln(a.stdout, "  "+text.OneLine(p.String()))
			}
			return &exitError{code: 1, msg: fmt.Sprintf("the pack does not hold: %d problems (%d of %d listed files match)", len(rep.Problems), rep.Checked, len(m.Files))}
		},
	}
	cmd.Flags().StringArrayVar(&identities, "identity", nil, "age identity file to decrypt a pack encrypted to recipients")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print {ok, checked, problems: [{path, kind, detail}], ...}")
	return cmd
}
