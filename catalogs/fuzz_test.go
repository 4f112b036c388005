package catalogs

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParseCustom feeds custom catalog files (outside input: `annex catalog import`,
// catalogs/ in a pack) to the parser. It must never panic; a file it accepts must merge
// into the built-in set or be refused with an error, and parse again to the same catalog.
// slowParse is how long one file may take: a small file that takes seconds is a way to
// hang the workbench.
const slowParse = 10 * time.Second

func FuzzParseCustom(f *testing.F) {
	f.Add([]byte(validCustom))
	f.Add([]byte(validCustom[:len(validCustom)/2])) // truncated
	f.Add([]byte("id: x\nname: y\n"))
	f.Add([]byte("id: a-b\nname: n\nshort: s\nrequirements:\n  - {ref: R-1, title: t, group: G}\ngroups:\n  - {id: G, title: g}\n"))
	f.Add([]byte("id: &a a-b\nname: *a\nrequirements: [*a, *a]\n"))                      // anchors and aliases
	f.Add([]byte("id: a-b\nname: \xff\xfe\n"))                                           // invalid UTF-8
	f.Add([]byte("id: a-b\nname: n\nrequirements:\n  - ref: 99999999999999999999999\n")) // huge number
	f.Add([]byte(strings.Repeat("[", 5000)))                                             // deep nesting
	f.Add([]byte("id: a-b\nname: n\ncrosswalk:\n  source: iso27001-2022\n  entries:\n    - target: X\n      links: [{source: A.5.1, relationship: nonsense}]\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("id: a-b\nname: n\n\x00\x1b[31m\n"))
	builtin, err := Builtin()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// A parse still running after slowParse ends the worker, so the fuzzer keeps
		// the input as a crasher.
		watchdog := time.AfterFunc(slowParse, func() { panic(fmt.Sprintf("parsing %d bytes takes longer than %v", len(b), slowParse)) })
		cu, err := ParseCustomFile(b)
		watchdog.Stop()
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		c := cu.Catalog
		if c == nil || c.ID == "" || !c.Custom {
			t.Fatalf("accepted without a usable catalog: %+v", c)
		}
		if !utf8.ValidString(c.Name) {
			t.Fatalf("accepted a name that is not UTF-8: %q", c.Name)
		}
		for _, r := range c.Requirements {
			if got, ok := c.Requirement(r.Ref); !ok || got.Ref != r.Ref {
				t.Fatalf("requirement %q not found by its ref", r.Ref)
			}
		}
		_, _ = builtin.WithCustom([]*Custom{cu})
		again, err := ParseCustomFile(b)
		if err != nil || again.Catalog.ID != c.ID || len(again.Catalog.Requirements) != len(c.Requirements) {
			t.Fatalf("the same bytes parse differently the second time: %v", err)
		}
	})
}
