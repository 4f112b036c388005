package catalogs

import (
	"strings"
	"testing"
)

func TestBuiltinStructure(t *testing.T) {
	set, err := Builtin()
	if err != nil {
		t.Fatalf("load built-in catalogs: %v", err)
	}
	tests := []struct {
		id           string
		clauses      int
		controls     map[string]int
		totalControl int
	}{
		{ISO27001, 30, map[string]int{"A.5": 37, "A.6": 8, "A.7": 14, "A.8": 34}, 93},
		{ISO42001, 32, map[string]int{"A.2": 3, "A.3": 2, "A.4": 5, "A.5": 4, "A.6": 9, "A.7": 5, "A.8": 4, "A.9": 3, "A.10": 3}, 38},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			c, ok := set.Get(tt.id)
			if !ok {
				t.Fatalf("catalog %s missing", tt.id)
			}
			clauses, controls := 0, 0
			perGroup := map[string]int{}
			seen := map[string]bool{}
			for _, r := range c.Requirements {
				if seen[r.Ref] {
					t.Errorf("ref %s twice", r.Ref)
				}
				seen[r.Ref] = true
				switch r.Kind {
				case KindClause:
					clauses++
					if strings.HasPrefix(r.Ref, "A.") {
						t.Errorf("clause with Annex A ref %s", r.Ref)
					}
				case KindControl:
					controls++
					perGroup[r.Group]++
					if !strings.HasPrefix(r.Ref, r.Group+".") {
						t.Errorf("control %s not under its group %s", r.Ref, r.Group)
					}
					if tt.id == ISO42001 && strings.HasSuffix(r.Ref, ".1") {
						t.Errorf("42001 control %s ends in .1", r.Ref)
					}
				}
			}
			if clauses != tt.clauses {
				t.Errorf("clauses = %d, want %d", clauses, tt.clauses)
			}
			if controls != tt.totalControl {
				t.Errorf("controls = %d, want %d", controls, tt.totalControl)
			}
			for g, n := range tt.controls {
				if perGroup[g] != n {
					t.Errorf("group %s has %d controls, want %d", g, perGroup[g], n)
				}
			}
			// Every clause 4.1 .. 10.2 present: first and last in catalog order.
			if _, ok := c.Requirement("4.1"); !ok {
				t.Error("4.1 missing")
			}
			if _, ok := c.Requirement("10.2"); !ok {
				t.Error("10.2 missing")
			}
		})
	}
}

func TestCompareRefs(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"A.5.2", "A.5.10", -1},
		{"9.3.3", "10.1", -1},
		{"A.6.1.2", "A.6.2.2", -1},
		{"A.10.2", "A.9.4", 1},
		{"6.1", "6.1.1", -1},
		{"4.1", "4.1", 0},
	}
	for _, tt := range tests {
		got := CompareRefs(tt.a, tt.b)
		if (got < 0) != (tt.want < 0) || (got > 0) != (tt.want > 0) {
			t.Errorf("CompareRefs(%s, %s) = %d, want sign %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestMappingsBothDirections(t *testing.T) {
	set := MustBuiltin()
	for _, cw := range set.Crosswalks {
		for _, e := range cw.Entries {
			for _, l := range e.Links {
				found := false
				for _, m := range set.MappingsFor(cw.Source, l.Source) {
					if m.Standard == cw.Target && m.Ref == e.Target && m.Relationship == l.Relationship.Inverse() {
						found = true
					}
				}
				if !found {
					t.Errorf("link %s -> %s not visible from the source side", l.Source, e.Target)
				}
			}
		}
	}
}

func TestValidateObjectivesPointersAndDocuments(t *testing.T) {
	base := func() *Catalog {
		return &Catalog{ID: "x", Name: "X", Groups: []Group{{ID: "A.6", Title: "Life cycle", Kind: KindControl}, {ID: "5", Title: "Leadership", Kind: KindClause}},
			Objectives: []Objective{{ID: "A.6.1", Title: "Guidance", Group: "A.6", Text: "Aim one."}, {ID: "A.6.2", Title: "Stages", Group: "A.6", Text: "Aim two."}},
			Requirements: []Requirement{
				{Ref: "A.6.1.2", Title: "T", Group: "A.6", Kind: KindControl, AnnexB: "B.6.1.2"},
				{Ref: "A.6.2.2", Title: "T", Group: "A.6", Kind: KindControl, Documents: []Document{{Kind: DocDocument, Note: "Specification"}}},
				{Ref: "5.2", Title: "T", Group: "5", Kind: KindClause, AnnexA: []string{"A.6", "A.6.1", "A.6.2.2"}},
			}}
	}
	c := base()
	if err := Validate(c); err != nil {
		t.Fatalf("valid catalog refused: %v", err)
	}
	c.index()
	for ref, want := range map[string]string{"A.6.1.2": "A.6.1", "A.6.2.2": "A.6.2"} {
		r, _ := c.Requirement(ref)
		if o, ok := c.ControlObjective(r); !ok || o.ID != want {
			t.Errorf("objective of %s = %q, want %s", ref, o.ID, want)
		}
	}
	if r, _ := c.Requirement("5.2"); r.NeedsDocuments() {
		t.Error("5.2 asks for no documented information")
	}
	tests := []struct {
		name   string
		mutate func(c *Catalog)
		want   string
	}{
		{"pointer to nothing", func(c *Catalog) { c.Requirements[2].AnnexA = []string{"A.6.9"} }, `annex_a "A.6.9" is not`},
		{"document kind", func(c *Catalog) { c.Requirements[1].Documents[0].Kind = "policy" }, `kind "policy" must be one of document, record`},
		{"document note", func(c *Catalog) { c.Requirements[1].Documents[0].Note = " " }, "has no note"},
		{"objective group", func(c *Catalog) { c.Objectives[0].Group = "A.7" }, `objective A.6.1: group "A.7"`},
		{"objective twice", func(c *Catalog) { c.Objectives[1].ID = "A.6.1" }, "objective A.6.1 is listed twice"},
		{"objective text", func(c *Catalog) { c.Objectives[0].Text = "" }, "objective A.6.1: no text"},
	}
	for _, tt := range tests {
		c := base()
		tt.mutate(c)
		if err := Validate(c); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}
