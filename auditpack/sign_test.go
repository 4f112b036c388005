package auditpack

import (
	"strings"
	"testing"
)

func TestSignAndCheck(t *testing.T) {
	s, e := demoStore(t, "normal")
	secret, public, err := NewKey("")
	if err != nil {
		t.Fatal(err)
	}
	if KeyIsEncrypted(secret) {
		t.Fatal("a key made without a passphrase reads as encrypted")
	}
	key, err := ReadSecretKey(secret, "")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ParsePublicKey(public, "Ana Lima")
	if err != nil {
		t.Fatal(err)
	}
	_, otherPub, _ := NewKey("")
	other, _ := ParsePublicKey(otherPub, "someone else")

	p := build(t, s, e.ID)
	unsigned, _ := Verify(zipBytes(t, p))
	if c := unsigned.CheckSignature([]Signer{signer}); c.State != Unsigned || !strings.Contains(c.Detail, "unsigned") {
		t.Fatalf("unsigned pack: %+v", c)
	}
	if err := p.Sign(key); err != nil {
		t.Fatal(err)
	}
	if err := p.Sign(key); err == nil {
		t.Fatal("signed twice")
	}
	rep, err := Verify(zipBytes(t, p))
	if err != nil || !rep.OK() {
		t.Fatalf("signed pack: %v %v", err, rep.Problems)
	}
	for _, tc := range []struct {
		name  string
		keys  []Signer
		state string
		says  string
	}{
		{"no key", nil, NotChecked, "not checked"},
		{"its key", []Signer{signer}, SignedByKey, "signed by Ana Lima"},
		{"in a list", []Signer{other, signer}, SignedByKey, "signed by Ana Lima"},
		{"another key", []Signer{other}, UnknownKey, "not with the key given (someone else"},
	} {
		c := rep.CheckSignature(tc.keys)
		if c.State != tc.state || !strings.Contains(c.Detail, tc.says) {
			t.Errorf("%s: %+v", tc.name, c)
		}
	}
	if c := rep.CheckSignature([]Signer{signer}); !strings.Contains(c.TrustedComment, `audit pack of "Medivance Health`) || !strings.Contains(c.TrustedComment, rep.Manifest.LastChangeAt) {
		t.Errorf("trusted comment %q", c.TrustedComment)
	}
	// The signature of another manifest, under the right key id, does not hold.
	forged := *rep
	forged.ManifestBytes = append([]byte(nil), rep.ManifestBytes...)
	forged.ManifestBytes[10] ^= 1
	if c := forged.CheckSignature([]Signer{signer}); c.State != BadSig || !strings.Contains(c.Detail, "does not hold") {
		t.Errorf("changed manifest: %+v", c)
	}
	// Passphrases.
	enc, _, err := NewKey("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !KeyIsEncrypted(enc) {
		t.Fatal("a key with a passphrase is not encrypted")
	}
	if _, err := ReadSecretKey(enc, ""); err != ErrKeyNeedsPassphrase {
		t.Errorf("no passphrase: %v", err)
	}
	if _, err := ReadSecretKey(enc, "wrong horse battery"); err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Errorf("wrong passphrase: %v", err)
	}
	if _, err := ReadSecretKey(enc, "correct horse battery"); err != nil {
		t.Errorf("right passphrase: %v", err)
	}
	if !WeakPassphrase("x") || !WeakPassphrase("elevenchars") || WeakPassphrase("twelve chars") || WeakPassphrase("Łódź-Łódź-Łó") {
		t.Error("WeakPassphrase counts characters, 12 at least")
	}
	if _, err := ParseTrustedKeys([]byte("# nothing\n")); err == nil {
		t.Error("an empty trusted-keys list")
	}
	if _, err := ParseTrustedKeys([]byte("notakey Ana\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("a bad line: %v", err)
	}
}
