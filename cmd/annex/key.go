package main

import (
	"errors"
	"fmt"
	"os"

	"aead.dev/minisign"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/annex-grc/annex/auditpack"
)

func init() { register(newKeyCmd) }

// keyPassphraseEnv holds the passphrase of a signing key for scripts.
const keyPassphraseEnv = "ANNEX_KEY_PASSPHRASE"

func newKeyCmd(a *cliApp) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Signing keys for audit packs (minisign format)",
		Args:  cobra.NoArgs,
	}
	var out string
	var weak bool
	newCmd := &cobra.Command{
		Use:   "new --out FILE",
		Short: "Make a minisign key pair: FILE (secret, passphrase-protected) and FILE.pub",
		Long: `Make a minisign key pair to sign audit packs with (annex export --sign FILE). FILE is the secret key,
written owner-only and protected by a passphrase typed twice on the terminal (or taken from
$ANNEX_KEY_PASSPHRASE); FILE.pub is the public key to hand to auditors, who check a pack with
'annex verify --key FILE.pub' or, without annex, with the minisign tool. A passphrase has at least
12 characters unless --weak-passphrase confirms a shorter one. Existing files are never overwritten.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("name the secret key file with --out FILE (FILE.pub is written beside it)")
			}
			pub := out + ".pub"
			for _, p := range []string{out, pub} {
				if _, err := os.Lstat(p); err == nil {
					return fmt.Errorf("%s already exists; annex does not overwrite a key", p)
				}
			}
			pass, err := a.secret(keyPassphraseEnv, "Passphrase for the new key: ", true)
			if err != nil {
				return err
			}
			if err := checkPassphrase(pass, weak); err != nil {
				return err
			}
			secret, public, err := auditpack.NewKey(pass)
			if err != nil {
				return fmt.Errorf("make the key: %w", err)
			}
			if err := writeNewMode(out, secret, 0o600); err != nil {
				return err
			}
			if err := writeNewMode(pub, public, 0o644); err != nil {
				os.Remove(out)
				return err
			}
			k, _ := auditpack.ParsePublicKey(public, "")
			fmt.Fprintf(a.stdout, "Wrote the secret key %s (owner-only) and the public key %s (minisign key %s).\nSign a pack with: annex export --sign %s\n",
				out, pub, auditpack.KeyID(k.Key.ID()), shellArg(out))
			return nil
		},
	}
	newCmd.Flags().StringVarP(&out, "out", "o", "", "secret key file to write (the public key goes to FILE.pub)")
	newCmd.Flags().BoolVar(&weak, "weak-passphrase", false, "accept a passphrase shorter than 12 characters")
	cmd.AddCommand(newCmd)
	return cmd
}

// checkPassphrase refuses a passphrase shorter than auditpack.MinPassphrase unless weak
// confirms it.
func checkPassphrase(p string, weak bool) error {
	if p == "" {
		return errors.New("the passphrase is empty")
	}
	if auditpack.WeakPassphrase(p) && !weak {
		return fmt.Errorf("the passphrase has %s; use at least %d, or confirm a weak one with --weak-passphrase", countOf([]rune(p), "character", "characters"), auditpack.MinPassphrase)
	}
	return nil
}

func countOf[T any](s []T, one, many string) string {
	if len(s) == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", len(s), many)
}

// writeNewMode writes a file that must not exist yet, with mode perm (writeNew: owner-only).
func writeNewMode(path string, b []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// secret reads a secret from the environment variable env, else from the terminal without
// echo (twice when confirm is set, for a new one).
func (a *cliApp) secret(env, prompt string, confirm bool) (string, error) {
	if p := os.Getenv(env); p != "" {
		return p, nil
	}
	f, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return "", fmt.Errorf("a passphrase is needed: run in a terminal, or set %s", env)
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
	p, err := read(prompt)
	if err != nil {
		return "", err
	}
	if confirm {
		again, err := read("The same again: ")
		if err != nil {
			return "", err
		}
		if again != p {
			return "", errors.New("the two passphrases differ")
		}
	}
	return p, nil
}

// signingKey reads the secret key at path, asking for its passphrase when it is encrypted.
func (a *cliApp) signingKey(path string) (minisign.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return minisign.PrivateKey{}, fmt.Errorf("cannot read the signing key %s: %w", path, err)
	}
	pass := ""
	if auditpack.KeyIsEncrypted(raw) {
		if pass, err = a.secret(keyPassphraseEnv, "Passphrase of "+path+": ", false); err != nil {
			return minisign.PrivateKey{}, err
		}
	}
	key, err := auditpack.ReadSecretKey(raw, pass)
	if err != nil {
		return key, fmt.Errorf("cannot use the signing key %s: %w", path, err)
	}
	return key, nil
}

// trustedKeys reads --key files (one public key each) and --trusted-keys lists.
func trustedKeys(keyFiles, lists []string) ([]auditpack.Signer, error) {
	var out []auditpack.Signer
	for _, p := range keyFiles {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("cannot read the public key %s: %w", p, err)
		}
		s, err := auditpack.ParsePublicKey(raw, "")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		s.Name = fmt.Sprintf("the key in %s", p)
		out = append(out, s)
	}
	for _, p := range lists {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("cannot read the trusted keys %s: %w", p, err)
		}
		list, err := auditpack.ParseTrustedKeys(raw)
		if err != nil {
			return nil, fmt.Errorf("trusted keys %s: %w", p, err)
		}
		out = append(out, list...)
	}
	return out, nil
}
