package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"aead.dev/minisign"
	"github.com/charmbracelet/x/term"

	"github.com/annex-grc/annex/auditpack"
	"github.com/annex-grc/annex/store"
)

// Checkpoint format: the end of a workspace's change history at a moment, written by
// `annex log --checkpoint` and read by `annex log --verify --since`.
const (
	checkpointFormat        = "annex-checkpoint"
	checkpointFormatVersion = 1
)

type checkpointFile struct {
	Format        string `json:"format"`
	FormatVersion int    `json:"format_version"`
	store.ChainHead
	At           string `json:"at"`
	AnnexVersion string `json:"annex_version"`
}

// writeCheckpoint writes the checkpoint to out (never over an existing file), 0600, and
// signs it with the minisign secret key at keyPath when one is given (out + ".minisig").
func (a *cliApp) writeCheckpoint(head store.ChainHead, at time.Time, out, keyPath string) ([]string, error) {
	b, err := json.MarshalIndent(checkpointFile{Format: checkpointFormat, FormatVersion: checkpointFormatVersion, ChainHead: head,
		At: at.UTC().Format(time.RFC3339), AnnexVersion: version}, "", "  ")
	if err != nil {
		return nil, err
	}
	b = append(b, '\n')
	var sig []byte
	if keyPath != "" {
		key, err := a.minisignKey(keyPath)
		if err != nil {
			return nil, err
		}
		sig = minisign.SignWithComments(key, b, fmt.Sprintf("annex checkpoint of workspace %s, %d rows", head.WorkspaceID, head.Length), "signed by annex")
	}
	written := []string{out}
	if err := writeNew(out, b); err != nil {
		return nil, err
	}
	if sig != nil {
		if err := writeNew(out+".minisig", sig); err != nil {
			os.Remove(out)
			return nil, err
		}
		written = append(written, out+".minisig")
	}
	return written, nil
}

// writeNew writes a file that must not exist yet, readable by its owner only.
func writeNew(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; name another file with --out", path)
	}
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
		os.Remove(path)
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return f.Close()
}

// minisignKey reads a minisign secret key file (as `minisign -G` writes it); an encrypted
// one needs its password from $ANNEX_MINISIGN_PASSWORD or the terminal.
func (a *cliApp) minisignKey(path string) (minisign.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return minisign.PrivateKey{}, fmt.Errorf("cannot read the secret key %s: %w", path, err)
	}
	if !minisign.IsEncrypted(raw) {
		var key minisign.PrivateKey
		if err := key.UnmarshalText(raw); err != nil {
			return key, fmt.Errorf("%s is not a minisign secret key", path)
		}
		return key, nil
	}
	pass := os.Getenv("ANNEX_MINISIGN_PASSWORD")
	if pass == "" {
		if pass, err = a.askSecret("Password of " + path + ": "); err != nil {
			return minisign.PrivateKey{}, err
		}
	}
	key, err := minisign.DecryptKey(pass, raw)
	if err != nil {
		return key, fmt.Errorf("cannot decrypt the secret key %s: wrong password, or not a minisign key", path)
	}
	return key, nil
}

// readSince reads the chain head recorded in a checkpoint file or an audit pack. With a
// public key the checkpoint's signature (FILE.minisig) must hold.
func (a *cliApp) readSince(path, pubKey string, identities []string) (store.ChainHead, string, error) {
	src, err := a.openPack(path, identities)
	if err != nil {
		return store.ChainHead{}, "", err
	}
	defer src.Close()
	if string(src.Head(2)) == "PK" || src.Encrypted {
		if pubKey != "" {
			return store.ChainHead{}, "", errors.New("--pubkey checks a signed checkpoint; a pack is checked against its own manifest")
		}
		rep, err := auditpack.VerifySource(src)
		if err != nil {
			return store.ChainHead{}, "", fmt.Errorf("%s: %w", path, err)
		}
		if !rep.OK() {
			return store.ChainHead{}, "", fmt.Errorf("%s does not hold (%d problems; see annex verify), so its chain head cannot be trusted", path, len(rep.Problems))
		}
		if rep.Manifest.Chain == nil {
			return store.ChainHead{}, "", fmt.Errorf("%s was made by an annex that did not record the chain head; make a checkpoint with 'annex log --checkpoint'", path)
		}
		return *rep.Manifest.Chain, "the audit pack " + path, nil
	}
	b, err := src.Bytes(1 << 20)
	if err != nil {
		return store.ChainHead{}, "", fmt.Errorf("cannot read %s: %w", path, err)
	}
	var cp checkpointFile
	if err := json.Unmarshal(b, &cp); err != nil || cp.Format != checkpointFormat {
		return store.ChainHead{}, "", fmt.Errorf("%s is neither an annex checkpoint nor an audit pack", path)
	}
	if cp.FormatVersion > checkpointFormatVersion {
		return store.ChainHead{}, "", fmt.Errorf("%s has checkpoint format %d; this annex reads up to %d", path, cp.FormatVersion, checkpointFormatVersion)
	}
	what := "the checkpoint " + path
	if pubKey != "" {
		pk, err := minisign.PublicKeyFromFile(pubKey)
		if err != nil {
			return store.ChainHead{}, "", fmt.Errorf("%s is not a minisign public key: %w", pubKey, err)
		}
		sig, err := os.ReadFile(path + ".minisig")
		if err != nil {
			return store.ChainHead{}, "", fmt.Errorf("the checkpoint's signature %s.minisig cannot be read: %w", path, err)
		}
		if !minisign.Verify(pk, b, sig) {
			return store.ChainHead{}, "", fmt.Errorf("the signature %s.minisig does not match %s and that key: the checkpoint was changed or signed by another key", path, path)
		}
		what += " (signature checked)"
	}
	return cp.ChainHead, what, nil
}

// defaultCheckpointName is annex-checkpoint-DATE-LENGTH.json in the current folder.
func defaultCheckpointName(head store.ChainHead, at time.Time) string {
	return fmt.Sprintf("annex-checkpoint-%s-%d.json", strings.ReplaceAll(at.UTC().Format("2006-01-02T150405Z"), ":", ""), head.Length)
}

// askSecret reads a secret from the terminal.
func (a *cliApp) askSecret(prompt string) (string, error) {
	f, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return "", errors.New("the secret key is encrypted: run in a terminal, or set ANNEX_MINISIGN_PASSWORD")
	}
	fmt.Fprint(a.stderr, prompt)
	b, err := term.ReadPassword(f.Fd())
	fmt.Fprintln(a.stderr)
	if err != nil {
		return "", fmt.Errorf("read the password: %w", err)
	}
	return string(b), nil
}
