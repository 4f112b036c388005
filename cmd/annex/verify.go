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
	var identities, keyFiles, keyLists []string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify FILE.zip|FILE.zip.age",
		Short: "Check an audit pack offline: every file against the SHA-256 in its manifest",
		Long: `Check an audit pack offline: every file listed in manifest.json must be present with its size and
SHA-256, and nothing else may be in the pack. Each changed, missing or extra file is reported.
The manifest's own fields are checked too: its SHA-256 (manifest.json.sha256), its exact form,
and that its engagement, time of last change and history agree with data.json and history.jsonl.
Exits 0 when the pack holds, 1 otherwise. An encrypted pack needs its passphrase (asked on the
terminal, or $ANNEX_PASSPHRASE) or --identity files.

A signed pack (annex export --sign) carries manifest.json.minisig. With --key FILE.pub, or
--trusted-keys FILE listing several public keys with names (one per line: the key, then the
name), verify says who signed it and exits 1 when the pack is unsigned or signed by another key.
Without a key it says whether the pack is signed and by which key id.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := a.openPack(args[0], identities)
			if err != nil {
				return err
			}
			defer src.Close()
			keys, err := trustedKeys(keyFiles, keyLists)
			if err != nil {
				return err
			}
			rep, err := auditpack.VerifySource(src)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			m := rep.Manifest
			sig := rep.CheckSignature(keys)
			// With a key required, only a signature by a trusted key passes.
			sigOK := len(keys) == 0 && sig.State != auditpack.BadSig || sig.State == auditpack.SignedByKey
			if asJSON {
				type problem struct {
					Path   string `json:"path"`
					Kind   string `json:"kind"`
					Detail string `json:"detail,omitempty"`
				}
				type signature struct {
					State          string `json:"state"`
					KeyID          string `json:"key_id,omitempty"`
					Signer         string `json:"signer,omitempty"`
					TrustedComment string `json:"trusted_comment,omitempty"`
					Detail         string `json:"detail"`
				}
				out := struct {
					OK         bool              `json:"ok"`
					Checked    int               `json:"checked"`
					Problems   []problem         `json:"problems"`
					Signature  signature         `json:"signature"`
					Notes      []string          `json:"notes,omitempty"`
					Engagement map[string]string `json:"engagement"`
					LastChange string            `json:"last_change_at"`
					Annex      string            `json:"annex_version"`
				}{OK: rep.OK() && sigOK, Checked: rep.Checked, Problems: []problem{}, LastChange: m.LastChangeAt, Annex: m.AnnexVersion,
					Signature:  signature{sig.State, sig.KeyID, sig.Signer, sig.TrustedComment, sig.Detail},
					Notes:      rep.Notes,
					Engagement: map[string]string{"id": m.Engagement.ID, "name": m.Engagement.Name}}
				for _, p := range rep.Problems {
					out.Problems = append(out.Problems, problem{p.Path, p.Kind, p.Detail})
				}
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(out); err != nil {
					return err
				}
				if !rep.OK() || !sigOK {
					return &exitError{code: 1}
				}
				return nil
			}
			if !rep.OK() {
				// The manifest's claims are not shown as facts when the manifest does not hold.
				fmt.Fprintf(a.stdout, "The pack does not hold; its manifest claims engagement %q (%s), annex %s, workspace as of %s.\n",
					m.Engagement.Name, text.OneLine(m.Engagement.ID), text.OneLine(m.AnnexVersion), text.OneLine(m.LastChangeAt))
				for _, p := range rep.Problems {
					fmt.Fprintln(a.stdout, "  "+text.OneLine(p.String()))
				}
				fmt.Fprintln(a.stdout, "Signature: "+text.OneLine(sig.Detail)+".")
				return &exitError{code: 1, msg: fmt.Sprintf("the pack does not hold: %s (%d of %d listed files match)", countOf(rep.Problems, "problem", "problems"), rep.Checked, len(m.Files))}
			}
			fmt.Fprintf(a.stdout, "Pack of %q (engagement %s), made by annex %s, workspace as of %s\n", m.Engagement.Name, text.OneLine(m.Engagement.ID), text.OneLine(m.AnnexVersion), text.OneLine(m.LastChangeAt))
			for _, n := range rep.Notes {
				fmt.Fprintln(a.stdout, "Note: "+text.OneLine(n)+".")
			}
			fmt.Fprintf(a.stdout, "OK: all %d files match the manifest, and the manifest holds.\n", rep.Checked)
			fmt.Fprintln(a.stdout, "Signature: "+text.OneLine(sig.Detail)+".")
			if !sigOK {
				msg := sig.Detail
				if sig.State == auditpack.Unsigned {
					msg = "a signature was required (--key or --trusted-keys), and the pack is unsigned"
				}
				return &exitError{code: 1, msg: text.OneLine(msg)}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&identities, "identity", nil, "age identity file to decrypt a pack encrypted to recipients")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print {ok, checked, problems: [{path, kind, detail}], signature: {state, ...}, ...}")
	cmd.Flags().StringArrayVar(&keyFiles, "key", nil, "minisign public key (FILE.pub) the pack must be signed with; repeat for several")
	cmd.Flags().StringArrayVar(&keyLists, "trusted-keys", nil, "file of trusted minisign public keys, one per line: KEY NAME")
	return cmd
}
