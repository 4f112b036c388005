package auditpack

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"aead.dev/minisign"
	"golang.org/x/crypto/blake2b"
	"golang.org/x/crypto/scrypt"
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
		secret, err = encryptKey(passphrase, priv)
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

// Scrypt costs of the keys annex makes, in minisign's terms (libsodium's opslimit and
// memlimit, stored in the key file so minisign and annex derive the same parameters):
// N = 2^16, r = 8, p = 2, 64 MiB. minisign's own default (1 GiB) would make every signed
// export need a gigabyte of memory, far past the export's budget; 64 MiB with a passphrase
// of 12 characters or more still costs a guesser dearly.
const (
	keyOpsLimit = 1 << 22
	keyMemLimit = 1 << 26
)

// encryptKey writes a minisign secret key protected by passphrase, as minisign does
// (aead.dev/minisign's EncryptKey with annex's scrypt costs): the key id and Ed25519 key
// with a BLAKE2b-256 checksum, XORed with an scrypt keystream.
func encryptKey(passphrase string, key minisign.PrivateKey) ([]byte, error) {
	plain, err := key.MarshalText()
	if err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(bytes.SplitN(plain, []byte("\n"), 2)[1])))
	if err != nil || len(raw) != 158 {
		return nil, errors.New("unexpected minisign key layout")
	}
	secret := raw[54:126] // key id (8 bytes) and Ed25519 private key (64 bytes)
	var salt [32]byte
	if _, err := io.ReadFull(rand.Reader, salt[:]); err != nil {
		return nil, err
	}
	var b [158]byte
	binary.LittleEndian.PutUint16(b[0:], minisign.EdDSA)
	binary.LittleEndian.PutUint16(b[2:], 0x6353) // "Sc": scrypt
	binary.LittleEndian.PutUint16(b[4:], 0x3242) // "B2": BLAKE2b
	copy(b[6:38], salt[:])
	binary.LittleEndian.PutUint64(b[38:], keyOpsLimit)
	binary.LittleEndian.PutUint64(b[46:], keyMemLimit)
	// libsodium's pickparams for these limits: r = 8, N = 2^16, p = 2.
	stream, err := scrypt.Key([]byte(passphrase), salt[:], 1<<16, 8, 2, 104)
	if err != nil {
		return nil, err
	}
	var msg [74]byte
	binary.LittleEndian.PutUint16(msg[:2], minisign.EdDSA)
	copy(msg[2:], secret)
	sum := blake2b.Sum256(msg[:])
	ct := append(append([]byte{}, secret...), sum[:]...)
	for i := range ct {
		ct[i] ^= stream[i]
	}
	copy(b[54:], ct)
	return []byte("untrusted comment: minisign encrypted secret key\n" + base64.StdEncoding.EncodeToString(b[:])), nil
}
