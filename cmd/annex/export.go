package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"aead.dev/minisign"
	"filippo.io/age"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/auditpack"
	tuiexport "github.com/annex-grc/annex/tui/export"
)

func init() { register(newExportCmd) }

func newExportCmd(a *cliApp) *cobra.Command {
	var engagement, out string
	var withFiles, encrypt, weak, absolute bool
	var recipients []string
	var signKey string
	var rf reportFlags
	cmd := &cobra.Command{
		Use:   "export [--out FILE.zip]",
		Short: "Write the audit pack of an engagement: report, SoAs, gap analysis, registers, OSCAL, data and manifest",
		Long: `Write the audit pack of an engagement: one zip with the management report (HTML and PDF), the
Statements of Applicability, the gap-analysis workbook, the risk register, AI systems and impact
assessments, the change history, OSCAL documents, data.json (for 'annex import') and manifest.json
(SHA-256 of every file, checked by 'annex verify'). The same workspace always gives the same bytes.

With --encrypt the pack is encrypted with age under a passphrase (asked on the terminal, or taken
from $ANNEX_PASSPHRASE); with --recipient it is encrypted to age public keys. Encrypted packs get
the extension .age. A passphrase has at least 12 characters unless --weak-passphrase confirms a
shorter one. Without --out the pack is written in the current folder, named after the
engagement and the date of its last change.

With --sign KEY the pack carries manifest.json.minisig, a minisign signature of manifest.json
made with the secret key KEY ('annex key new'; its passphrase is asked, or taken from
$ANNEX_KEY_PASSPHRASE): 'annex verify --key KEY.pub' or the minisign tool proves who made it.
The evidence index names files relative to their common folder; --absolute-paths keeps the
full paths of the consultant's machine.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			var enc auditpack.Encryption
			enc.Recipients = recipients
			if encrypt && len(recipients) == 0 {
				pass, err := a.passphrase(true)
				if err != nil {
					return err
				}
				if err := checkPassphrase(pass, weak); err != nil {
					return err
				}
				enc.Passphrase = pass
			}
			var key *minisign.PrivateKey
			if signKey != "" {
				k, err := a.signingKey(signKey)
				if err != nil {
					return err
				}
				key = &k
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
			e, err := s.FindEngagement(ctx, engagement)
			if err != nil {
				return err
			}
			if err := rf.save(cmd, ctx, s, e.ID); err != nil {
				return err
			}
			if os.Getenv("GOMEMLIMIT") == "" {
				// A soft limit keeps a large pack within the memory budget (DESIGN §8): the
				// collector works a little harder instead of letting garbage pile up.
				debug.SetMemoryLimit(110 << 20)
			}
			p, err := auditpack.Build(ctx, s, set, e.ID, auditpack.Options{WithEvidenceFiles: withFiles, Version: version, AbsolutePaths: absolute, Since: rf.since})
			if err != nil {
				return fmt.Errorf("build the audit pack: %w", err)
			}
			if key != nil {
				if err := p.Sign(*key); err != nil {
					return err
				}
			}
			if out == "" {
				// The same name the Export tab offers: the engagement and its last change's date.
				out = tuiexport.DefaultName(e, p.Manifest.LastChangeAt)
			}
			if enc.Enabled() && !strings.HasSuffix(out, ".age") {
				out += ".age"
			}
			size, err := p.WriteFile(out, enc)
			if err != nil {
				return err
			}
			how := ""
			if enc.Enabled() {
				how = ", encrypted with age"
			}
			if key != nil {
				how += ", signed with minisign key " + auditpack.KeyID(key.ID())
			}
			fmt.Fprintf(a.stdout, "Wrote %s (%d files and the manifest, %s%s) for %q, as of %s.\nCheck it with: annex verify %s\n",
				out, len(p.Manifest.Files), humanSize(size), how, e.Name, p.Manifest.LastChangeAt, shellArg(out))
			if err := recordExport(ctx, s, p, out); err != nil {
				fmt.Fprintf(a.stderr, "annex: the pack is written, but the workspace could not record it (the next report will not compare with it): %s\n", sentence(err))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&engagement, "engagement", "", "engagement name or id (default: the only one)")
	cmd.Flags().StringVarP(&out, "out", "o", "", "file to write (default: ENGAGEMENT-DATE.zip here; .age is added when encrypting)")
	cmd.Flags().BoolVar(&withFiles, "with-evidence-files", false, "include the evidence files kept in the workspace")
	cmd.Flags().BoolVar(&encrypt, "encrypt", false, "encrypt the pack with a passphrase (asked, or $ANNEX_PASSPHRASE)")
	cmd.Flags().StringArrayVar(&recipients, "recipient", nil, "encrypt to this age public key (age1...); repeat for several")
	cmd.Flags().BoolVar(&weak, "weak-passphrase", false, "accept an encryption passphrase shorter than 12 characters")
	cmd.Flags().StringVar(&signKey, "sign", "", "sign the pack with this minisign secret key (annex key new)")
	cmd.Flags().BoolVar(&absolute, "absolute-paths", false, "keep the evidence files' absolute paths in evidence-index.csv")
	rf.flags(cmd)
	return cmd
}

// passphrase reads a passphrase from $ANNEX_PASSPHRASE, else from the terminal (twice when
// confirm is set, for a new one).
func (a *cliApp) passphrase(confirm bool) (string, error) {
	if p := os.Getenv("ANNEX_PASSPHRASE"); p != "" {
		return p, nil
	}
	f, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return "", errors.New("a passphrase is needed: run in a terminal, or set ANNEX_PASSPHRASE")
	}
	read := func(prompt string) (string, error) {
		fmt.Fprint(a.stderr, prompt)
		b, err := term.ReadPassword(f.Fd())
		fmt.Fprintln(a.stderr)
		if err != nil {
			return "", fmt.Errorf("read the passphrase: %w", err)
		}
		return string(b), nil
	}
	p, err := read("Passphrase: ")
	if err != nil {
		return "", err
	}
	if p == "" {
		return "", errors.New("the passphrase is empty")
	}
	if confirm {
		again, err := read("Passphrase again: ")
		if err != nil {
			return "", err
		}
		if again != p {
			return "", errors.New("the two passphrases differ")
		}
	}
	return p, nil
}

// identities returns what decrypts a pack: age identity files, else a passphrase.
func (a *cliApp) identities(files []string) ([]age.Identity, error) {
	var out []age.Identity
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("cannot read identity file %s: %w", name, err)
		}
		ids, err := age.ParseIdentities(bufio.NewReader(io.LimitReader(f, 1<<20)))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("identity file %s: %w", name, err)
		}
		out = append(out, ids...)
	}
	if len(out) > 0 {
		return out, nil
	}
	pass, err := a.passphrase(false)
	if err != nil {
		return nil, err
	}
	id, err := age.NewScryptIdentity(pass)
	if err != nil {
		return nil, err
	}
	return []age.Identity{id}, nil
}

// openPack opens a pack, asking for the key only when the file is encrypted.
func (a *cliApp) openPack(path string, identityFiles []string) (*auditpack.Source, error) {
	src, err := auditpack.Open(path)
	if !errors.Is(err, auditpack.ErrNeedsKey) {
		return src, err
	}
	ids, err := a.identities(identityFiles)
	if err != nil {
		return nil, err
	}
	return auditpack.Open(path, ids...)
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// shellArg quotes a path for the hint line when it has spaces.
func shellArg(p string) string {
	if strings.ContainsAny(p, " '\"$`\\") {
		return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
	}
	return filepath.Clean(p)
}

// The workbench's Export tab writes the same version into its packs.
func init() { tuiexport.Version = version }
