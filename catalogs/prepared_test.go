package catalogs

import (
	"reflect"
	"testing"
)

// TestPreparedCatalogsEqualYAML: the catalogs the program starts with (generated Go data,
// builtin_gen.go) equal what the YAML of data/ parses, checks and sorts to, field by field,
// so the faster start cannot drift from the content. After editing a YAML file, run
// go generate ./catalogs/.
func TestPreparedCatalogsEqualYAML(t *testing.T) {
	if prepared == nil {
		t.Fatal("builtin_gen.go is missing: run go generate ./catalogs/")
	}
	src, err := ParseSource()
	if err != nil {
		t.Fatalf("parse the YAML: %v", err)
	}
	got := MustBuiltin()
	if len(got.Catalogs) != len(src.Catalogs) || len(got.Crosswalks) != len(src.Crosswalks) {
		t.Fatalf("prepared: %d catalogs, %d crosswalks; YAML: %d, %d (run go generate ./catalogs/)",
			len(got.Catalogs), len(got.Crosswalks), len(src.Catalogs), len(src.Crosswalks))
	}
	for i, want := range src.Catalogs {
		if !reflect.DeepEqual(got.Catalogs[i], want) {
			t.Errorf("catalog %s differs from its YAML (run go generate ./catalogs/)%s", want.ID, firstDifference(got.Catalogs[i], want))
		}
	}
	for i, want := range src.Crosswalks {
		if !reflect.DeepEqual(got.Crosswalks[i], want) {
			t.Errorf("crosswalk %s -> %s differs from its YAML (run go generate ./catalogs/)", want.Source, want.Target)
		}
	}
	if !reflect.DeepEqual(got, src) {
		t.Error("the prepared set differs from the YAML's (run go generate ./catalogs/)")
	}
	// The prepared data passes the loader's checks as the YAML does.
	for _, c := range got.Catalogs {
		if err := Validate(c); err != nil {
			t.Errorf("prepared catalog %s: %v", c.ID, err)
		}
	}
	for _, cw := range got.Crosswalks {
		if err := cw.Check(got); err != nil {
			t.Errorf("prepared crosswalk: %v", err)
		}
	}
}

// firstDifference names the first requirement, group or objective that differs.
func firstDifference(got, want *Catalog) string {
	for i := range min(len(got.Requirements), len(want.Requirements)) {
		if !reflect.DeepEqual(got.Requirements[i], want.Requirements[i]) {
			return ": first at requirement " + want.Requirements[i].Ref
		}
	}
	if len(got.Requirements) != len(want.Requirements) {
		return ": the number of requirements"
	}
	if !reflect.DeepEqual(got.Groups, want.Groups) {
		return ": in the groups"
	}
	if !reflect.DeepEqual(got.Objectives, want.Objectives) {
		return ": in the objectives"
	}
	return ""
}

// TestPreparedCatalogsDetectDrift: the comparison above notices a changed word.
func TestPreparedCatalogsDetectDrift(t *testing.T) {
	src, err := ParseSource()
	if err != nil {
		t.Fatal(err)
	}
	src.Catalogs[0].Requirements[3].Questions[0] += " (edited)"
	if reflect.DeepEqual(MustBuiltin().Catalogs[0], src.Catalogs[0]) {
		t.Fatal("an edited question went unnoticed")
	}
}

func BenchmarkBuiltinPrepared(b *testing.B) {
	for b.Loop() {
		s := &Set{byID: map[string]*Catalog{}}
		for _, p := range prepared.Catalogs {
			c := *p // a copy: the shared catalogs keep their look-ups
			c.buildIndex()
			s.byID[c.ID] = &c
		}
	}
}

func BenchmarkParseYAML(b *testing.B) {
	for b.Loop() {
		if _, err := ParseSource(); err != nil {
			b.Fatal(err)
		}
	}
}
