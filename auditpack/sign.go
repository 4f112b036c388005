package auditpack

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"aead.dev/minisign"
)

// A pack is signed with a minisign key: manifest.json.minisig is a minisign signature over
// the bytes of manifest.json, so anyone can check a pack's origin without annex
// (`minisign -Vm manifest.json -x manifest.json.minisig -p key.pub`), and the manifest in
// turn covers every other file by its SHA-256.

// MinPassphrase is the shortest passphrase annex accepts without an explicit confirmation.
const MinPassphrase = 12

// WeakPassphrase reports whether a passphrase is shorter than MinPassphrase characters.
func WeakPassphrase(p string) bool { return utf8.RuneCountInString(p) < MinPassphrase }

// KeyID is a minisign key id as the minisign tool shows it (upper-case hex).
func KeyID(id uint64) string { return strings.ToUpper(strconv.FormatUint(id, 16)) }

// NewKey makes a minisign key pair: the secret key encrypted with passphrase (or, when it is
// empty, unencrypted, as `minisign -G -W` writes it) and the public key file's text.
func NewKey(passphrase string) (secret, public []byte, err error) {
	pub, priv, err := minisign.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	if passphrase == "" {
		secret, err = priv.MarshalText()
	} else {
		secret, err = minisign.EncryptKey(passphrase, priv)
	}
	if err != nil {
		return nil, nil, err
	}
	public, _ = pub.MarshalText()
	return append(secret, '\n'), append(public, '\n'), nil
}

// ErrKeyNeedsPassphrase is returned by ReadSecretKey for an encrypted key without a passphrase.
var ErrKeyNeedsPassphrase = errors.New("the secret key is encrypted; give its passphrase")

// KeyIsEncrypted reports whether a minisign secret key file is protected by a passphrase.
func KeyIsEncrypted(raw []byte) bool { return minisign.IsEncrypted(raw) }

// ReadSecretKey reads a minisign secret key file (as `annex key new` or `minisign -G`
// writes it), decrypting it with passphrase when it is encrypted.
func ReadSecretKey(raw []byte, passphrase string) (minisign.PrivateKey, error) {
	if !minisign.IsEncrypted(raw) {
		var key minisign.PrivateKey
		if err := key.UnmarshalText(bytes.TrimSpace(raw)); err != nil {
			return key, errors.New("it is not a minisign secret key")
		}
		return key, nil
	}
	if passphrase == "" {
		return minisign.PrivateKey{}, ErrKeyNeedsPassphrase
	}
	key, err := minisign.DecryptKey(passphrase, bytes.TrimSpace(raw))
	if err != nil {
		return key, errors.New("wrong passphrase, or not a minisign secret key")
	}
	return key, nil
}

// TrustedComment is what a pack's signature says about it, signed with it: annex version,
// engagement and the time of its last change, on one line.
func TrustedComment(m Manifest) string {
	return oneLineComment(fmt.Sprintf("annex %s audit pack of %q (engagement %s), workspace as of %s",
		m.AnnexVersion, m.Engagement.Name, m.Engagement.ID, m.LastChangeAt))
}

// oneLineComment keeps a comment to one line of printable text (minisign reads to the line end).
func oneLineComment(s string) string {
	return strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return ' '
		}
		return r
	}, s)
}

// Sign adds manifest.json.minisig, a minisign signature over manifest.json, to the pack.
// Ed25519 signatures are deterministic, so the same key and pack give the same bytes.
func (p *Pack) Sign(key minisign.PrivateKey) error {
	mb, ok := p.File(ManifestName)
	if !ok {
		return errors.New("the pack has no manifest to sign")
	}
	for _, f := range p.Files {
		if f.Path == SignatureName {
			return errors.New("the pack is already signed")
		}
	}
	sig := minisign.SignWithComments(key, mb, TrustedComment(p.Manifest), "signature of manifest.json from annex, minisign key "+KeyID(key.ID()))
	p.Files = append(p.Files, File{Path: SignatureName, Data: sig})
	sort.Slice(p.Files, func(i, j int) bool { return p.Files[i].Path < p.Files[j].Path })
	return nil
}

// Signer is a public key a verifier trusts, with the name it goes by.
type Signer struct {
	Name string
	Key  minisign.PublicKey
}

// ParsePublicKey reads a minisign public key file (the untrusted comment line is optional).
func ParsePublicKey(raw []byte, name string) (Signer, error) {
	var k minisign.PublicKey
	if err := k.UnmarshalText(bytes.TrimSpace(raw)); err != nil {
		return Signer{}, errors.New("it is not a minisign public key")
	}
	if name == "" {
		name = "key " + KeyID(k.ID())
	}
	return Signer{Name: name, Key: k}, nil
}

// ParseTrustedKeys reads a list of trusted keys: one per line, the key (the base64 line of a
// minisign public key file) then the name it goes by; blank lines, lines starting with # and
// minisign's "untrusted comment:" lines are skipped.
func ParseTrustedKeys(raw []byte) ([]Signer, error) {
	var out []Signer
	sc := bufio.NewScanner(bytes.NewReader(raw))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "untrusted comment:") {
			continue
		}
		key, name, _ := strings.Cut(line, " ")
		s, err := ParsePublicKey([]byte(key), strings.TrimSpace(name))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("it lists no key")
	}
	return out, nil
}

// Signature states.
const (
	Unsigned    = "unsigned"
	SignedByKey = "verified"  // a trusted key's signature holds
	NotChecked  = "unchecked" // signed, but no key was given to check it with
	UnknownKey  = "unknown-key"
	BadSig      = "bad"
)

// SignatureCheck is what a pack's signature says, checked against the trusted keys.
type SignatureCheck struct {
	State          string
	KeyID          string // the key the signature names
	Signer         string // the trusted key's name when it holds
	TrustedComment string
	Detail         string // one sentence for a person
}

// CheckSignature checks the pack's signature against the keys given (none: it only reports
// whether the pack is signed and by which key id).
func (r *Report) CheckSignature(keys []Signer) SignatureCheck {
	if r.SignatureBytes == nil {
		return SignatureCheck{State: Unsigned, Detail: "the pack is unsigned: it carries no manifest.json.minisig, so its origin cannot be proven"}
	}
	var sig minisign.Signature
	if err := sig.UnmarshalText(r.SignatureBytes); err != nil {
		return SignatureCheck{State: BadSig, Detail: "manifest.json.minisig is not a minisign signature"}
	}
	c := SignatureCheck{KeyID: KeyID(sig.KeyID), TrustedComment: sig.TrustedComment}
	if len(keys) == 0 {
		c.State = NotChecked
		c.Detail = fmt.Sprintf("signed with minisign key %s; not checked (give --key or --trusted-keys)", c.KeyID)
		return c
	}
	for _, k := range keys {
		if k.Key.ID() != sig.KeyID {
			continue
		}
		if !minisign.Verify(k.Key, r.ManifestBytes, r.SignatureBytes) {
			c.State = BadSig
			c.Detail = fmt.Sprintf("the signature by %s (key %s) does not hold: manifest.json was changed after it was signed, or the signature belongs to another pack", k.Name, c.KeyID)
			return c
		}
		c.State, c.Signer = SignedByKey, k.Name
		c.Detail = fmt.Sprintf("signed by %s (minisign key %s); signature and trusted comment verified", k.Name, c.KeyID)
		return c
	}
	c.State = UnknownKey
	if len(keys) == 1 {
		c.Detail = fmt.Sprintf("signed with minisign key %s, not with the key given (%s, key %s): the origin is not proven", c.KeyID, keys[0].Name, KeyID(keys[0].Key.ID()))
	} else {
		c.Detail = fmt.Sprintf("signed with minisign key %s, which none of the %d trusted keys is: the origin is not proven", c.KeyID, len(keys))
	}
	return c
}

// SignWithKeyFile signs the pack with the minisign secret key in the file at path (its
// passphrase when the key is encrypted): the one call a front end needs for "sign with key".
func SignWithKeyFile(p *Pack, path, passphrase string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("cannot read the signing key %s: %w", path, err)
	}
	key, err := ReadSecretKey(raw, passphrase)
	if err != nil {
		return fmt.Errorf("cannot use the signing key %s: %w", path, err)
	}
	return p.Sign(key)
}
