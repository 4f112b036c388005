package auditpack

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/catalogs"
)

// The parsers of outside input in this package: data.json (ParseDocument and the checks
// ImportData makes before anything is written), and the pack itself (zip reading, the
// manifest, verification, the import's reading of entries). Seeds come from the demo
// pack and from hand-made malformed cases; crashers found are kept in testdata/fuzz.

// fuzzWatchdog ends the worker when one input runs longer than limit, so the fuzzer
// keeps the input as a crasher: a small file that takes seconds would hang annex.
func fuzzWatchdog(what string, n int) *time.Timer {
	const limit = 10 * time.Second
	return time.AfterFunc(limit, func() { panic(fmt.Sprintf("%s of %d bytes takes longer than %v", what, n, limit)) })
}

// demoSeeds builds the demo engagement's pack once per fuzzing process.
func demoSeeds(f *testing.F) (pack, dataJSON []byte) {
	f.Helper()
	s, e := demoStore(f, "normal")
	p := build(f, s, e.ID)
	pack = zipBytes(f, p)
	dataJSON, _ = p.File("data.json")
	return pack, dataJSON
}

// zipOf writes entries (name, content) in order, with a manifest listing the files
// named in listed (nil: every entry).
func zipOf(entries [][2]string, withManifest bool) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	m := Manifest{Format: PackFormat, FormatVersion: PackFormatVersion, Files: []ManifestEntry{}}
	for _, e := range entries {
		w, _ := zw.Create(e[0])
		w.Write([]byte(e[1]))
		sum := sha256.Sum256([]byte(e[1]))
		m.Files = append(m.Files, ManifestEntry{Path: e[0], Size: int64(len(e[1])), SHA256: hex.EncodeToString(sum[:])})
	}
	if withManifest {
		b, _ := json.Marshal(m)
		w, _ := zw.Create(ManifestName)
		w.Write(b)
	}
	zw.Close()
	return buf.Bytes()
}

const minimalDoc = `{"format":"annex-engagement","format_version":2,"engagement":{"id":"0190e0b0-0000-7000-8000-000000000001",` +
	`"name":"Fuzz","standards":["iso27001-2022"],"status":"active"},"results":[{"standard":"iso27001-2022","ref":"A.5.1",` +
	`"status":"implemented","maturity":3}]}`

func docSeeds(f *testing.F, dataJSON []byte) {
	f.Add(dataJSON)
	f.Add(dataJSON[:len(dataJSON)/2]) // truncated
	f.Add([]byte(minimalDoc))
	for _, s := range []string{
		strings.Replace(minimalDoc, `"maturity":3`, `"maturity":99999999999999999999999999`, 1),
		strings.Replace(minimalDoc, `"maturity":3`, `"maturity":-1`, 1),
		strings.Replace(minimalDoc, `"maturity":3`, `"maturity":1e308`, 1),
		strings.Replace(minimalDoc, `"format_version":2`, `"format_version":1`, 1),
		strings.Replace(minimalDoc, `"format_version":2`, `"format_version":9223372036854775807`, 1),
		strings.Replace(minimalDoc, `"Fuzz"`, `"\u001b]0;pwned\u0007"`, 1),
		strings.Replace(minimalDoc, `"Fuzz"`, "\"\xff\xfe\"", 1),
		strings.Replace(minimalDoc, `"A.5.1"`, `"../../etc/passwd"`, 1),
		strings.Replace(minimalDoc, `"results":[`, `"results":[null,`, 1),
		`{"format":"annex-engagement","format_version":2,"engagement":null}`,
		`{"format":"annex-engagement","format_version":2,"engagement":{"id":"x","name":"n","standards":["iso27001-2022"]},` +
			`"risks":[{"id":"r","ref":"R-99999999999999999999","title":"t","scope":"security","inherent":{"likelihood":3,"consequence":3}}]}`,
		`[]`, `null`, `{}`, `"`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzParseDocument: data.json as `annex import FILE.json` reads it, up to the last check
// before the store is touched. Never a panic; a document accepted survives a round trip.
func FuzzParseDocument(f *testing.F) {
	_, dataJSON := demoSeeds(f)
	docSeeds(f, dataJSON)
	set := catalogs.MustBuiltin()
	f.Fuzz(func(t *testing.T, b []byte) {
		wd := fuzzWatchdog("reading data.json", len(b))
		defer wd.Stop()
		doc, err := ParseDocument(b)
		if err != nil {
			return
		}
		in, err := ImportData(set, doc)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if in.Engagement.ID == "" {
			t.Fatal("an engagement without an id was accepted")
		}
		for _, r := range in.Results {
			if !in.Engagement.HasStandard(r.Standard) {
				t.Fatalf("a result of %s, outside the engagement's scope, was accepted", r.Standard)
			}
		}
		// What was accepted writes back out and reads again.
		out, err := doc.Marshal()
		if err != nil {
			t.Fatalf("marshal an accepted document: %v", err)
		}
		doc2, err := ParseDocument(out)
		if err != nil {
			t.Fatalf("an accepted document does not read back: %v", err)
		}
		if _, err := ImportData(set, doc2); err != nil {
			t.Fatalf("an accepted document is refused after a round trip: %v", err)
		}
	})
}

// FuzzPack: a pack as `annex verify` and `annex import FILE.zip` read it. Never a panic;
// an accepted import names only safe entries.
func FuzzPack(f *testing.F) {
	pack, dataJSON := demoSeeds(f)
	f.Add(pack)
	f.Add(pack[:len(pack)/2]) // truncated
	f.Add(pack[:len(pack)-1]) // one byte short
	f.Add(pack[len(pack)/2:]) // the tail only
	f.Add(zipOf([][2]string{{"data.json", minimalDoc}}, true))
	f.Add(zipOf([][2]string{{"data.json", string(dataJSON)}}, true))
	f.Add(zipOf([][2]string{{"data.json", minimalDoc}}, false))
	f.Add(zipOf([][2]string{{"../evil.txt", "x"}, {"data.json", minimalDoc}}, true))
	f.Add(zipOf([][2]string{{"/etc/passwd", "x"}}, true))
	f.Add(zipOf([][2]string{{`evidence\..\..\x`, "x"}}, true))
	f.Add(zipOf([][2]string{{"evidence/0190e0b0/../../x", "x"}}, true))
	f.Add(zipOf([][2]string{{"data.json", minimalDoc}, {"data.json", minimalDoc}}, true))
	f.Add(zipOf([][2]string{{"data.json", "\xff\xfe\x00"}}, true))
	f.Add(zipOf([][2]string{{ManifestName, `{"format":"annex-audit-pack","format_version":1,"files":[{"path":"a","size":99999999999999999,"sha256":"00"}]}`}}, false))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Add([]byte{})
	set := catalogs.MustBuiltin()
	f.Fuzz(func(t *testing.T, b []byte) {
		wd := fuzzWatchdog("reading a pack", len(b))
		defer wd.Stop()
		rep, verr := Verify(b)
		if verr == nil {
			for _, p := range rep.Problems {
				if p.Kind == "" || p.Path == "" && p.Kind != Extra {
					t.Fatalf("a problem without kind or path: %+v", p)
				}
			}
		}
		im, err := ReadImportBytes("pack.zip", b)
		if err != nil {
			return
		}
		if verr == nil && !rep.OK() && im.Pack[ManifestName] != nil {
			t.Fatalf("a pack that fails verification was read for import (%v)", rep.Problems)
		}
		for name := range im.Pack {
			if _, err := CleanName(name); err != nil {
				t.Fatalf("an unsafe entry name was accepted: %q", name)
			}
		}
		in, err := ImportData(set, im.Doc)
		if err != nil {
			return
		}
		blobs, err := im.evidenceFiles(in.Evidence)
		if err != nil {
			return
		}
		for id, bl := range blobs {
			if strings.ContainsAny(bl.Name, `/\`) || bl.Name == "" && id == "" {
				t.Fatalf("evidence file name %q would leave its folder", bl.Name)
			}
		}
	})
}
