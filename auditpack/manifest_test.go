package auditpack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

// retouch rewrites manifest.json of a pack with edit and, when redigest is set, writes a
// matching manifest.json.sha256 too (a forger who knows the layout).
func retouch(t *testing.T, pack []byte, redigest bool, edit func(m map[string]any)) []byte {
	t.Helper()
	return rezip(t, pack, func(n string, d []byte) ([]byte, bool) {
		switch n {
		case ManifestName:
			var m map[string]any
			dec := json.NewDecoder(bytes.NewReader(d))
			dec.UseNumber()
			if err := dec.Decode(&m); err != nil {
				t.Fatal(err)
			}
			edit(m)
			b, err := marshalJSON(m)
			if err != nil {
				t.Fatal(err)
			}
			return b, true
		}
		return d, true
	}, nil...)
}

// redigest recomputes manifest.json.sha256 of a pack from its (changed) manifest.
func redigest(t *testing.T, pack []byte) []byte {
	t.Helper()
	var mb []byte
	rezip(t, pack, func(n string, d []byte) ([]byte, bool) {
		if n == ManifestName {
			mb = d
		}
		return d, true
	})
	sum := sha256.Sum256(mb)
	return rezip(t, pack, func(n string, d []byte) ([]byte, bool) {
		if n == DigestName {
			return []byte(hex.EncodeToString(sum[:]) + "  manifest.json\n"), true
		}
		return d, true
	})
}

func TestManifestFieldsAreCovered(t *testing.T) {
	s, e := demoStore(t, "normal")
	fresh := zipBytes(t, build(t, s, e.ID))
	rep, err := Verify(fresh)
	if err != nil || !rep.OK() {
		t.Fatalf("fresh pack: %v %v", err, rep.Problems)
	}
	eng := func(m map[string]any) map[string]any { return m["engagement"].(map[string]any) }
	files := func(m map[string]any) []any { return m["files"].([]any) }
	hist := func(m map[string]any) map[string]any { return m["history"].(map[string]any) }
	cases := []struct {
		name string
		edit func(m map[string]any)
		// caught with a recomputed digest too (the field is checked against covered files)
		deep bool
	}{
		{"format_version", func(m map[string]any) { m["format_version"] = json.Number("1") }, false},
		{"annex_version", func(m map[string]any) { m["annex_version"] = "9.9.9" }, false},
		{"engagement id", func(m map[string]any) { eng(m)["id"] = "0190c0de-0000-7000-8000-000000000000" }, true},
		{"engagement name", func(m map[string]any) { eng(m)["name"] = "Forged Health" }, true},
		{"engagement organisation", func(m map[string]any) { eng(m)["organisation"] = "Forged Ltd" }, true},
		{"last_change_at", func(m map[string]any) { m["last_change_at"] = "2027-01-01T00:00:00Z" }, true},
		{"standards", func(m map[string]any) { m["standards"] = []any{"iso27001-2022"} }, true},
		{"history rows", func(m map[string]any) { hist(m)["rows"] = json.Number("3") }, true},
		{"history chain", func(m map[string]any) { hist(m)["chain"] = "elsewhere" }, true},
		{"history head", func(m map[string]any) {
			seg := hist(m)["segments"].([]any)[0].(map[string]any)
			seg["head"] = strings.Repeat("0", 64)
		}, true},
		{"history file", func(m map[string]any) { hist(m)["file"] = "other.jsonl" }, true},
		{"history removed", func(m map[string]any) { delete(m, "history") }, true},
		{"unknown field", func(m map[string]any) { m["signed_by"] = "the auditor" }, true},
		{"file size", func(m map[string]any) { files(m)[0].(map[string]any)["size"] = json.Number("1") }, true},
		{"file hash", func(m map[string]any) { files(m)[0].(map[string]any)["sha256"] = strings.Repeat("a", 64) }, true},
		{"file hash upper case", func(m map[string]any) {
			f := files(m)[0].(map[string]any)
			f["sha256"] = strings.ToUpper(f["sha256"].(string))
		}, true},
		{"file path", func(m map[string]any) { files(m)[0].(map[string]any)["path"] = "ai-systems2.csv" }, true},
		{"duplicate entry", func(m map[string]any) { m["files"] = append(files(m), files(m)[0]) }, true},
		{"entry removed", func(m map[string]any) { m["files"] = files(m)[1:] }, true},
		{"entries reordered", func(m map[string]any) {
			f := files(m)
			f[0], f[1] = f[1], f[0]
		}, true},
		{"entry for a file not in the zip", func(m map[string]any) {
			m["files"] = append(files(m), map[string]any{"path": "zz.txt", "size": json.Number("2"), "sha256": strings.Repeat("b", 64)})
		}, true},
	}
	for _, tc := range cases {
		for _, forged := range []bool{false, true} {
			if forged && !tc.deep {
				continue // only a signature covers this field against a forger who rewrites the digest
			}
			name := tc.name
			if forged {
				name += " with a new digest"
			}
			t.Run(name, func(t *testing.T) {
				pack := retouch(t, fresh, false, tc.edit)
				if forged {
					pack = redigest(t, pack)
				}
				rep, err := Verify(pack)
				if err == nil && rep.OK() {
					t.Fatalf("verify passed a pack whose manifest %s was changed", tc.name)
				}
				if err == nil && !forged {
					if _, err := ReadImportBytes("pack.zip", pack); err == nil {
						t.Fatal("import read a pack that fails verify")
					}
				}
			})
		}
	}
	t.Run("whitespace only", func(t *testing.T) {
		pack := rezip(t, fresh, func(n string, d []byte) ([]byte, bool) {
			if n == ManifestName {
				return append(bytes.Clone(d), '\n'), true
			}
			return d, true
		})
		if rep, err := Verify(redigest(t, pack)); err != nil || rep.OK() {
			t.Fatalf("a manifest not in canonical form passed: %v", err)
		}
	})
	t.Run("digest removed", func(t *testing.T) {
		pack := rezip(t, fresh, func(n string, d []byte) ([]byte, bool) { return d, n != DigestName })
		rep, err := Verify(pack)
		if err != nil || rep.OK() || rep.Problems[0].Path != DigestName || rep.Problems[0].Kind != Missing {
			t.Fatalf("problems = %v, %v", rep.Problems, err)
		}
	})
	t.Run("an entry twice in the zip", func(t *testing.T) {
		pack := rezip(t, fresh, func(n string, d []byte) ([]byte, bool) { return d, true }, File{Path: "report.html", Data: []byte("<p>forged</p>")})
		rep, err := Verify(pack)
		if err != nil || rep.OK() {
			t.Fatalf("a duplicated zip entry passed: %v", err)
		}
		found := false
		for _, p := range rep.Problems {
			found = found || p.Kind == Duplicate && p.Path == "report.html"
		}
		if !found {
			t.Fatalf("problems = %v, want report.html duplicate", rep.Problems)
		}
	})
	t.Run("history file removed from the zip and the list", func(t *testing.T) {
		pack := retouch(t, fresh, false, func(m map[string]any) {
			var kept []any
			for _, f := range m["files"].([]any) {
				if f.(map[string]any)["path"] != HistoryName {
					kept = append(kept, f)
				}
			}
			m["files"] = kept
		})
		pack = redigest(t, rezip(t, pack, func(n string, d []byte) ([]byte, bool) { return d, n != HistoryName }))
		if rep, err := Verify(pack); err != nil || rep.OK() {
			t.Fatalf("a pack without its history passed: %v", err)
		}
	})
	t.Run("history row edited", func(t *testing.T) {
		pack := rezip(t, fresh, func(n string, d []byte) ([]byte, bool) {
			if n == HistoryName {
				return bytes.Replace(d, []byte(`"author":"tester"`), []byte(`"author":"mallory"`), 1), true
			}
			return d, true
		})
		rep, err := Verify(pack)
		if err != nil || rep.OK() {
			t.Fatalf("an edited history row passed: %v", err)
		}
	})
}

// A pack of a workspace's history keeps every row, author, time and hash through export →
// import → export, and the target's chain verifies with the imported segment anchored.
func TestHistoryTravelsWithThePack(t *testing.T) {
	ctx := context.Background()
	src, e := demoStore(t, "normal")
	srcRows, _ := src.Changes(ctx, store.ChangeFilter{EngagementID: e.ID})
	if len(srcRows) < 100 {
		t.Fatalf("demo has %d change rows", len(srcRows))
	}
	p := build(t, src, e.ID)
	dst := openStore(t, "dst.db")
	im, err := ReadImportBytes("a.zip", zipBytes(t, p))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Import(ctx, dst, catalogs.MustBuiltin(), im, store.ImportOptions{Source: "a.zip"}); err != nil {
		t.Fatal(err)
	}
	segs, err := dst.ImportedHistory(ctx, e.ID)
	if err != nil || len(segs) != 1 {
		t.Fatalf("segments = %d, %v", len(segs), err)
	}
	if got := segs[0].Rows; len(got) != len(srcRows) {
		t.Fatalf("kept %d of %d rows", len(got), len(srcRows))
	}
	for i, c := range segs[0].Rows {
		w := srcRows[i]
		if c != w {
			t.Fatalf("row %d changed on the way: %+v, was %+v", i, c, w)
		}
	}
	if n, problem, err := dst.VerifyChain(ctx); err != nil || problem != nil || n == 0 {
		t.Fatalf("target chain: %d %v %v", n, problem, err)
	}
	if n, rows, problem, err := dst.VerifyImportedHistory(ctx); err != nil || problem != nil || n != 1 || rows != len(srcRows) {
		t.Fatalf("imported history: %d segments %d rows %+v %v", n, rows, problem, err)
	}

	// Second hop: the target's pack carries both chains, and a third workspace keeps both.
	p2 := build(t, dst, e.ID)
	third := openStore(t, "third.db")
	im2, err := ReadImportBytes("b.zip", zipBytes(t, p2))
	if err != nil {
		t.Fatal(err)
	}
	if len(im2.History) != 2 {
		t.Fatalf("second pack carries %d chains, want 2", len(im2.History))
	}
	if _, err := Import(ctx, third, catalogs.MustBuiltin(), im2, store.ImportOptions{AsCopy: true}); err != nil {
		t.Fatal(err)
	}
	if n, rows, problem, err := third.VerifyImportedHistory(ctx); err != nil || problem != nil || n != 2 || rows <= len(srcRows) {
		t.Fatalf("third workspace: %d segments %d rows %+v %v", n, rows, problem, err)
	}

	// An imported row edited in the database is found.
	if _, err := dst.DB().ExecContext(ctx, "UPDATE changes_imported SET author = 'mallory' WHERE pos = 3"); err != nil {
		t.Fatal(err)
	}
	if _, _, problem, _ := dst.VerifyImportedHistory(ctx); problem == nil {
		t.Fatal("an edited imported row passed")
	}
}
