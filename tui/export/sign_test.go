package export

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/auditpack"
	"github.com/annex-grc/annex/tui/tuitest"
)

// focusField moves the form's focus with tab to the field key.
func focusField(t *testing.T, h *tuitest.Host, m *Model, key string) {
	t.Helper()
	for i := 0; i < 10 && m.f.FocusKey() != key; i++ {
		h.Keys("tab")
	}
	if m.f.FocusKey() != key {
		t.Fatalf("focus %q, want %q", m.f.FocusKey(), key)
	}
}

func TestSignedExportFromTheTab(t *testing.T) {
	defer func(w time.Duration) { tuitest.Wait = w }(tuitest.Wait)
	tuitest.Wait = 30 * time.Second // opening the key (scrypt) takes a moment on a loaded machine
	m, dir := fixture(t, 120, 40)
	h := tuitest.NewHost(m)
	secret, public, err := auditpack.NewKey("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "lima.key")
	os.WriteFile(key, secret, 0o600)
	setPath(t, m, filepath.Join(dir, "signed.zip"))
	focusField(t, h, m, fSignKey)
	for _, k := range tuitest.Keys(key) {
		h.Send(k)
	}
	h.Keys("ctrl+s")
	if m.state != idle || m.f.Errors()[fKeyPass] != "This key is protected by a passphrase: type it here." {
		t.Fatalf("no passphrase: state %v errors %v", m.state, m.f.Errors())
	}
	focusField(t, h, m, fKeyPass)
	for _, k := range tuitest.Keys("wrong horse battery") {
		h.Send(k)
	}
	h.Keys("ctrl+s")
	if m.state != idle || m.f.Errors()[fKeyPass] != "Wrong passphrase for this key." {
		t.Fatalf("wrong passphrase: state %v errors %v", m.state, m.f.Errors())
	}
	if _, err := os.Stat(filepath.Join(dir, "signed.zip")); err == nil {
		t.Fatal("a pack was written with a key that did not open")
	}
	h.Keys("ctrl+u")
	for _, k := range tuitest.Keys("correct horse battery") {
		h.Send(k)
	}
	h.Keys("ctrl+s")
	if m.state != done || m.result.KeyID == "" {
		t.Fatalf("state %v err %v key %q", m.state, m.err, m.result.KeyID)
	}
	if v := view(m); !strings.Contains(v, "signed with minisign key "+m.result.KeyID) || strings.Contains(v, "horse") {
		t.Fatalf("outcome:\n%s", v)
	}
	rep, err := auditpack.VerifyFile(m.result.Path)
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %v %v", err, rep.Problems)
	}
	signer, _ := auditpack.ParsePublicKey(public, "Ana")
	if c := rep.CheckSignature([]auditpack.Signer{signer}); c.State != auditpack.SignedByKey {
		t.Fatalf("signature: %+v", c)
	}
}

func TestWeakPassphraseAsksFirst(t *testing.T) {
	// age's scrypt makes the encrypted export's last step longer than the host's wait for a
	// command (after which it takes a command for a timer and drops it).
	defer func(w time.Duration) { tuitest.Wait = w }(tuitest.Wait)
	tuitest.Wait = 30 * time.Second
	m, dir := fixture(t, 80, 24)
	h := tuitest.NewHost(m)
	setPath(t, m, filepath.Join(dir, "weak.zip"))
	h.Keys("tab", "tab", "space") // encryption: yes
	focusField(t, h, m, fPass)
	h.Keys("x")
	h.Keys("tab")
	h.Keys("x")
	h.Keys("ctrl+s")
	if h.Dialogs.Len() != 1 || m.state != idle {
		t.Fatalf("a one-letter passphrase: %d dialogs, state %v", h.Dialogs.Len(), m.state)
	}
	if v := h.View(80, 24); !strings.Contains(v, "The passphrase has 1 character") {
		t.Fatalf("dialog:\n%s", v)
	}
	h.Keys("n")
	if h.Dialogs.Len() != 0 || m.state != idle {
		t.Fatal("no did not close the question, or exported")
	}
	if _, err := os.Stat(filepath.Join(dir, "weak.zip.age")); err == nil {
		t.Fatal("written after no")
	}
	h.Keys("ctrl+s", "y")
	if m.state != done || !m.result.Encrypt {
		t.Fatalf("after yes: state %v err %v", m.state, m.err)
	}
}
