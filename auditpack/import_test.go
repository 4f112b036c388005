package auditpack

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	src, e := demoStore(t, "normal")
	p := build(t, src, e.ID)
	path := writeTemp(t, "pack.zip", zipBytes(t, p))

	dst := openStore(t, "empty.db")
	im, err := readImport(t, path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Import(ctx, dst, catalogs.MustBuiltin(), im, store.ImportOptions{Source: "pack.zip"})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != e.ID {
		t.Fatalf("imported id %s, want %s", got.ID, e.ID)
	}
	again := build(t, dst, e.ID)
	a, _ := p.File("data.json")
	b, _ := again.File("data.json")
	if !bytes.Equal(a, b) {
		t.Fatalf("data.json differs after export, import, export:\n%s", firstDiff(a, b))
	}
	hist, _ := dst.Changes(ctx, store.ChangeFilter{EngagementID: e.ID, Entity: "engagement"})
	if len(hist) != 1 || hist[0].Field != "imported" || !strings.Contains(hist[0].New, "pack.zip") {
		t.Errorf("import history = %+v", hist)
	}
	if n, problem, err := dst.VerifyChain(ctx); err != nil || problem != nil || n == 0 {
		t.Errorf("chain after import: %d rows, %v, %v", n, problem, err)
	}

	// The same id again is refused and changes nothing.
	before, _ := dst.Changes(ctx, store.ChangeFilter{})
	if _, err := Import(ctx, dst, catalogs.MustBuiltin(), im, store.ImportOptions{}); !errors.Is(err, store.ErrEngagementExists) {
		t.Fatalf("second import: err = %v, want ErrEngagementExists", err)
	}
	after, _ := dst.Changes(ctx, store.ChangeFilter{})
	if len(after) != len(before) {
		t.Error("the refused import wrote change rows")
	}
	// As a copy it lands beside the original with new ids.
	cp, err := Import(ctx, dst, catalogs.MustBuiltin(), im, store.ImportOptions{AsCopy: true})
	if err != nil {
		t.Fatal(err)
	}
	if cp.ID == e.ID || !strings.HasSuffix(cp.Name, "(copy)") {
		t.Fatalf("copy = %s %q", cp.ID, cp.Name)
	}
	r1, _ := dst.Results(ctx, e.ID)
	r2, _ := dst.Results(ctx, cp.ID)
	if len(r1[catalogs.ISO27001]) == 0 || len(r1[catalogs.ISO27001]) != len(r2[catalogs.ISO27001]) {
		t.Errorf("copy has %d 27001 results, original %d", len(r2[catalogs.ISO27001]), len(r1[catalogs.ISO27001]))
	}

	// A plain data.json imports too.
	third := openStore(t, "third.db")
	im2, err := readImport(t, writeTemp(t, "data.json", a))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Import(ctx, third, catalogs.MustBuiltin(), im2, store.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
}

func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "line " + string(rune('0'+i%10)) + ": " + al[i] + "\n   vs: " + bl[i]
		}
	}
	return "lengths differ"
}

// hostileZip builds a zip with the given entries written raw (names unchecked).
func hostileZip(t *testing.T, entries map[string]string, fakeSize map[string]uint64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range entries {
		if n, ok := fakeSize[name]; ok {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Store, CompressedSize64: uint64(len(body)), UncompressedSize64: n})
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(body))
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	zw.Close()
	return buf.Bytes()
}

func TestImportRefusesHostileInput(t *testing.T) {
	ctx := context.Background()
	src, e := demoStore(t, "normal")
	p := build(t, src, e.ID)
	good := zipBytes(t, p)
	data, _ := p.File("data.json")
	cases := []struct {
		name, file string
		body       []byte
		want       string
	}{
		{"zip slip", "evil.zip", hostileZip(t, map[string]string{"data.json": string(data), "../../etc/cron.d/x": "boom"}, nil), "leaves its folder"},
		{"absolute entry", "abs.zip", hostileZip(t, map[string]string{"data.json": string(data), "/tmp/x": "boom"}, nil), "absolute"},
		{"oversized entry", "big.zip", hostileZip(t, map[string]string{"data.json": "{}"}, map[string]uint64{"data.json": 5 << 30}), "more than"},
		{"truncated zip", "cut.zip", good[:len(good)*2/3], "truncated"},
		{"malformed json", "bad.json", []byte(`{"format": "annex-engagement", "format_version": 1, "engagement": {`), "not valid JSON"},
		{"wrong format", "other.json", []byte(`{"hello": "world"}`), "not an annex engagement export"},
		{"newer format", "new.json", []byte(`{"format": "annex-engagement", "format_version": 99}`), "update annex"},
		{"tampered pack", "tampered.zip", rezip(t, good, func(n string, d []byte) ([]byte, bool) {
			if n == "data.json" {
				d = bytes.Replace(d, []byte(`"owner": "Priya Raman"`), []byte(`"owner": "Mallory"`), 1)
			}
			return d, true
		}), "fails verification"},
		{"unknown standard", "std.json", bytes.Replace(data, []byte(`"iso27001-2022",`), []byte(`"iso99999",`), 1), "not a catalog"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dst := openStore(t, "ws.db")
			im, err := readImport(t, writeTemp(t, tc.file, tc.body))
			if err == nil {
				_, err = Import(ctx, dst, catalogs.MustBuiltin(), im, store.ImportOptions{})
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
			engs, _ := dst.Engagements(ctx)
			hist, _ := dst.Changes(ctx, store.ChangeFilter{})
			if len(engs) != 0 || len(hist) != 0 {
				t.Fatalf("a refused import changed the workspace: %d engagements, %d changes", len(engs), len(hist))
			}
		})
	}
}

// TestImportIsOneTransaction: a document whose last result is invalid leaves nothing behind.
func TestImportIsOneTransaction(t *testing.T) {
	ctx := context.Background()
	src, e := demoStore(t, "normal")
	d, err := Load(ctx, src, catalogs.MustBuiltin(), e.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	doc := NewDocument(d)
	doc.Results = append(doc.Results, doc.Results[0]) // duplicate key, detected late
	in, err := ImportData(catalogs.MustBuiltin(), &doc)
	if err != nil {
		t.Fatal(err)
	}
	dst := openStore(t, "ws.db")
	if _, err := dst.ImportEngagement(ctx, in, store.ImportOptions{}); err == nil {
		t.Fatal("duplicate result accepted")
	}
	engs, _ := dst.Engagements(ctx)
	if len(engs) != 0 {
		t.Fatal("half an import stayed in the workspace")
	}
}

// readImport opens a file for import and closes it when the test ends.
func readImport(t *testing.T, path string) (*Imported, error) {
	t.Helper()
	im, src, err := ReadImport(path)
	if src != nil {
		t.Cleanup(func() { src.Close() })
	}
	return im, err
}
