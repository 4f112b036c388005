package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/annex-grc/annex/auditpack"
)

// needMinisign returns the minisign tool, failing in CI where .ci/run installs it.
func needMinisign(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("minisign")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("minisign is required in CI (.ci/run installs it)")
		}
		t.Skip("minisign not installed")
	}
	return p
}

// unzipTo writes the pack's entries into dir.
func unzipTo(t *testing.T, pack, dir string) {
	t.Helper()
	zr, err := zip.OpenReader(pack)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		rc, _ := f.Open()
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSignedPack(t *testing.T) {
	minisignTool := needMinisign(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.db")
	if _, err := runCLI(t, db, "demo"); err != nil {
		t.Fatal(err)
	}
	// A key made by annex, protected by a passphrase (the minisign format's scrypt costs
	// 1 GiB once for the key and once to sign).
	t.Setenv("ANNEX_KEY_PASSPHRASE", "x")
	key := filepath.Join(dir, "consultant.key")
	if _, err := runCLI(t, db, "key", "new", "--out", key); err == nil || !strings.Contains(err.Error(), "1 character; use at least 12") {
		t.Fatalf("a one-letter passphrase: %v", err)
	}
	if _, err := os.Stat(key); err == nil {
		t.Fatal("a refused key was written")
	}
	t.Setenv("ANNEX_KEY_PASSPHRASE", "correct horse battery")
	out, err := runCLI(t, db, "key", "new", "--out", key)
	if err != nil || !strings.Contains(out, "minisign key") {
		t.Fatalf("key new: %v\n%s", err, out)
	}
	if st, _ := os.Stat(key); st.Mode().Perm() != 0o600 {
		t.Errorf("secret key mode %v", st.Mode().Perm())
	}
	if _, err := runCLI(t, db, "key", "new", "--out", key); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("key new over an existing key: %v", err)
	}
	// The minisign tool opens annex's encrypted key and signs with it.
	msg := filepath.Join(dir, "msg.txt")
	os.WriteFile(msg, []byte("hello"), 0o600)
	sc := exec.Command(minisignTool, "-S", "-s", key, "-m", msg)
	sc.Stdin = strings.NewReader("correct horse battery\n")
	if o, err := sc.CombinedOutput(); err != nil {
		t.Fatalf("minisign -S with annex's key: %v\n%s", err, o)
	}
	if o, err := exec.Command(minisignTool, "-Vm", msg, "-p", key+".pub").CombinedOutput(); err != nil {
		t.Fatalf("minisign -V of its own signature with annex's key: %v\n%s", err, o)
	}
	pack := filepath.Join(dir, "signed.zip")
	if out, err := runCLI(t, db, "export", "--sign", key, "--out", pack); err != nil || !strings.Contains(out, "signed with minisign key") {
		t.Fatalf("export --sign: %v\n%s", err, out)
	}
	// Signing keeps the pack deterministic: a second export gives the same bytes.
	pack2 := filepath.Join(dir, "signed2.zip")
	if _, err := runCLI(t, db, "export", "--sign", key, "--out", pack2); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(pack)
	b, _ := os.ReadFile(pack2)
	if !bytes.Equal(a, b) {
		t.Error("two signed exports of the same workspace differ")
	}

	// annex verify --key names the signer.
	out, err = runCLI(t, db, "verify", "--key", key+".pub", pack)
	if err != nil || !strings.Contains(out, "Signature: signed by the key in "+key+".pub") || !strings.Contains(out, "verified") {
		t.Fatalf("verify --key: %v\n%s", err, out)
	}
	list := filepath.Join(dir, "trusted.txt")
	pub, _ := os.ReadFile(key + ".pub")
	line := strings.Split(strings.TrimSpace(string(pub)), "\n")[1]
	os.WriteFile(list, []byte("# auditors' list\nRWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3 someone else\n"+line+" Ana Lima (Lima Advisory)\n"), 0o600)
	out, err = runCLI(t, db, "verify", "--trusted-keys", list, pack)
	if err != nil || !strings.Contains(out, "signed by Ana Lima (Lima Advisory)") {
		t.Fatalf("verify --trusted-keys: %v\n%s", err, out)
	}

	// The minisign tool verifies the same signature without annex.
	x := filepath.Join(dir, "x")
	unzipTo(t, pack, x)
	cmd := exec.Command(minisignTool, "-Vm", filepath.Join(x, "manifest.json"), "-x", filepath.Join(x, "manifest.json.minisig"), "-p", key+".pub")
	mout, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(mout), "Signature and comment signature verified") || !strings.Contains(string(mout), "Medivance") {
		t.Fatalf("minisign -V: %v\n%s", err, mout)
	}
	// sha256sum checks the manifest's digest and every file.
	if sum, err := exec.LookPath("sha256sum"); err == nil {
		c := exec.Command(sum, "-c", "manifest.json.sha256")
		c.Dir = x
		if o, err := c.CombinedOutput(); err != nil {
			t.Fatalf("sha256sum -c manifest.json.sha256: %v\n%s", err, o)
		}
	}

	// A wrong key fails with a sentence that names both keys.
	other := filepath.Join(dir, "other.key")
	if out, err := exec.Command(minisignTool, "-G", "-W", "-p", other+".pub", "-s", other).CombinedOutput(); err != nil {
		t.Fatalf("minisign -G: %v %s", err, out)
	}
	out, err = runCLI(t, db, "verify", "--key", other+".pub", pack)
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "not with the key given") {
		t.Fatalf("wrong key: %v\n%s", err, out)
	}
	// A minisign key made by the minisign tool (unencrypted) signs too.
	pack3 := filepath.Join(dir, "by-minisign-key.zip")
	if out, err := runCLI(t, db, "export", "--sign", other, "--out", pack3); err != nil {
		t.Fatalf("export --sign with a minisign -G key: %v\n%s", err, out)
	}
	if out, err := runCLI(t, db, "verify", "--key", other+".pub", pack3); err != nil {
		t.Fatalf("verify: %v\n%s", err, out)
	}

	// An unsigned pack says so; it fails only when a key was required.
	plain := filepath.Join(dir, "plain.zip")
	if _, err := runCLI(t, db, "export", "--out", plain); err != nil {
		t.Fatal(err)
	}
	out, err = runCLI(t, db, "verify", plain)
	if err != nil || !strings.Contains(out, "Signature: the pack is unsigned") {
		t.Fatalf("verify unsigned: %v\n%s", err, out)
	}
	out, err = runCLI(t, db, "verify", "--key", key+".pub", plain)
	if exitCode(err) != 1 || !strings.Contains(out, "unsigned") || !strings.Contains(err.Error(), "unsigned") {
		t.Fatalf("verify --key on an unsigned pack: %v\n%s", err, out)
	}

	// A signed manifest changed afterwards: the digest is rewritten by the forger too,
	// the signature still catches it.
	forged := filepath.Join(dir, "forged.zip")
	writeForged(t, pack, forged)
	out, err = runCLI(t, db, "verify", "--key", key+".pub", forged)
	if exitCode(err) != 1 || !strings.Contains(out, "does not hold") {
		t.Fatalf("forged signed pack: %v\n%s", err, out)
	}
	if _, err := runCLI(t, filepath.Join(dir, "other.db"), "import", "--key", key+".pub", forged); err == nil || !strings.Contains(err.Error(), "does not hold") {
		t.Fatalf("import --key took a forged pack: %v", err)
	}
	if out, err := runCLI(t, filepath.Join(dir, "other.db"), "import", "--key", key+".pub", pack); err != nil {
		t.Fatalf("import --key of the signed pack: %v\n%s", err, out)
	}
}

// writeForged copies a pack with the manifest's annex_version changed and its digest
// recomputed, the signature kept.
func writeForged(t *testing.T, from, to string) {
	t.Helper()
	zr, err := zip.OpenReader(from)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	var names []string
	for _, f := range zr.File {
		rc, _ := f.Open()
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		files[f.Name] = b.Bytes()
		names = append(names, f.Name)
	}
	files["manifest.json"] = bytes.Replace(files["manifest.json"], []byte(`"annex_version": "`), []byte(`"annex_version": "9`), 1)
	var sum bytes.Buffer
	sum.Write(files["manifest.json"])
	files["manifest.json.sha256"] = []byte(sha256hex(files["manifest.json"]) + "  manifest.json\n")
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, n := range names {
		w, _ := zw.Create(n)
		w.Write(files[n])
	}
	zw.Close()
	os.WriteFile(to, out.Bytes(), 0o600)
	_ = auditpack.SignatureName
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
