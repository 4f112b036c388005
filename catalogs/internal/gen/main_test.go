package main

import (
	"bytes"
	"os"
	"testing"
)

// TestGeneratedFileIsCurrent: the committed builtin_gen.go is what the generator writes for
// the YAML of catalogs/data today, byte for byte.
func TestGeneratedFileIsCurrent(t *testing.T) {
	want, err := Source()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../builtin_gen.go")
	if err != nil {
		t.Fatalf("%v (run go generate in catalogs/)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("catalogs/builtin_gen.go is out of date with catalogs/data: run go generate ./catalogs/")
	}
}
