package auditpack

import (
	"testing"

	"github.com/annex-grc/annex/store"
)

// FuzzParseHistory: history.jsonl from a pack is outside input; no input panics, and what
// parses holds (every segment passes CheckSegment again).
func FuzzParseHistory(f *testing.F) {
	c := store.Change{Seq: 1, At: "2026-03-14T09:30:00Z", Author: "ana", Entity: "risk", EntityID: "r1", Field: "title", New: "x",
		PrevHash: "0000000000000000000000000000000000000000000000000000000000000000"}
	c.Hash = store.HashOf(c)
	line, _ := marshalCompact(historyRow("ws", c))
	f.Add(line)
	f.Add([]byte("{}\n"))
	f.Add([]byte(`{"chain":"a","seq":1}` + "\n" + `{"chain":"b","seq":1}` + "\n" + `{"chain":"a","seq":2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		segs, err := ParseHistory(b)
		if err != nil {
			return
		}
		for _, s := range segs {
			if _, err := store.CheckSegment(s); err != nil {
				t.Fatalf("parsed a segment that does not hold: %v", err)
			}
		}
	})
}

// FuzzParseTrustedKeys: a trusted-keys list is outside input; nothing panics.
func FuzzParseTrustedKeys(f *testing.F) {
	f.Add([]byte("# list\nRWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3 minisign\n"))
	f.Add([]byte("untrusted comment: x\nRWQ\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		keys, err := ParseTrustedKeys(b)
		if err == nil && len(keys) == 0 {
			t.Fatal("no error and no key")
		}
		(&Report{SignatureBytes: b, ManifestBytes: b}).CheckSignature(keys)
	})
}
