package catalogs

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// validCustom is the example of docs/CATALOGS.md, kept in step by TestDocsExampleParses.
const validCustom = `id: acme-baseline-2025
name: Acme Cloud Security Baseline 2025
short: Acme baseline
description: The security rules Acme asks of every team that runs a cloud service.
groups:
  - {id: GOV, title: Governance, objective: Security has an owner and a direction.}
  - {id: ACC, title: Access}
objectives:
  - {id: ACC, title: Access, group: ACC, text: Only the right people reach Acme's cloud services.}
requirements:
  - ref: GOV-1
    title: Security policy approved by the board
    group: GOV
    kind: control
    purpose: Every team works from one security direction that the board stands behind.
    guidance: >-
      The board approves a short security policy each year and every team can find it.
    questions:
      - When did the board last approve the policy?
      - Where do new starters read it?
    evidence:
      - Board minutes approving the policy
      - Intranet page with the current version
    documented_information:
      - {kind: document, note: The approved security policy}
      - {kind: record, note: Board minutes of the yearly approval}
  - ref: ACC-1
    title: Multi-factor authentication
    group: ACC
    attributes:
      control_type: [Preventive]
      security_properties: [Confidentiality, Integrity]
crosswalk:
  source: iso27001-2022
  entries:
    - target: GOV-1
      links:
        - {source: A.5.1, relationship: superset, rationale: 27001 asks for the same approved policy set and more.}
    - target: ACC-1
      links:
        - {source: A.8.5, relationship: intersects, rationale: Secure authentication covers MFA among other methods.}
`

func TestParseCustomValid(t *testing.T) {
	cu, err := ParseCustomFile([]byte(validCustom))
	if err != nil {
		t.Fatalf("ParseCustomFile: %v", err)
	}
	c := cu.Catalog
	if c.ID != "acme-baseline-2025" || c.Short != "Acme baseline" || !c.Custom {
		t.Errorf("catalog = %+v", c)
	}
	if len(c.Requirements) != 2 || len(c.Groups) != 2 {
		t.Fatalf("got %d requirements, %d groups", len(c.Requirements), len(c.Groups))
	}
	acc, ok := c.Requirement("ACC-1")
	if !ok || acc.Kind != KindControl || acc.Attributes == nil || len(acc.Attributes.SecurityProperties) != 2 {
		t.Errorf("ACC-1 = %+v", acc)
	}
	if g, _ := c.Group("GOV"); g.Kind != KindControl || g.Objective == "" {
		t.Errorf("group GOV = %+v", g)
	}
	gov, _ := c.Requirement("GOV-1")
	if gov.Purpose == "" || len(gov.Documents) != 2 || gov.Documents[1].Kind != DocRecord || !gov.NeedsDocuments() {
		t.Errorf("GOV-1 = %+v", gov)
	}
	if acc.NeedsDocuments() || acc.Purpose != "" || acc.AnnexB != "" || len(acc.AnnexA) != 0 {
		t.Errorf("ACC-1 has fields it was not given: %+v", acc)
	}
	// The group objective is the fallback; a listed objective is the control objective.
	if o, ok := c.ObjectiveFor(gov); !ok || o.ID != "GOV" || o.Text == "" {
		t.Errorf("objective of GOV-1 = %+v, %v", o, ok)
	}
	if _, ok := c.ControlObjective(gov); ok {
		t.Error("GOV-1 has a control objective; only its group has an objective")
	}
	if o, ok := c.ControlObjective(acc); !ok || o.ID != "ACC" {
		t.Errorf("control objective of ACC-1 = %+v, %v", o, ok)
	}
	if cu.Crosswalk == nil || cu.Crosswalk.Source != ISO27001 || cu.Crosswalk.Target != c.ID || len(cu.Crosswalk.Entries) != 2 {
		t.Fatalf("crosswalk = %+v", cu.Crosswalk)
	}

	set, err := MustBuiltin().WithCustom([]*Custom{cu})
	if err != nil {
		t.Fatalf("WithCustom: %v", err)
	}
	if _, ok := set.Get(c.ID); !ok {
		t.Fatal("custom catalog not in the set")
	}
	if _, ok := MustBuiltin().Get(c.ID); ok {
		t.Fatal("WithCustom modified the built-in set")
	}
	if len(MustBuiltin().Crosswalks) != 1 {
		t.Fatalf("built-in set has %d crosswalks after WithCustom", len(MustBuiltin().Crosswalks))
	}
	ms := set.MappingsFor(ISO27001, "A.5.1")
	found := false
	for _, m := range ms {
		found = found || (m.Standard == c.ID && m.Ref == "GOV-1" && m.Relationship == Subset)
	}
	if !found {
		t.Errorf("27001 A.5.1 does not see the custom link: %+v", ms)
	}

	// The short name defaults to the name.
	noShort := strings.Replace(validCustom, "short: Acme baseline\n", "", 1)
	c2, err := ParseCustom([]byte(noShort))
	if err != nil {
		t.Fatal(err)
	}
	if c2.Short != c2.Name {
		t.Errorf("short = %q, want the name", c2.Short)
	}
}

func TestWithCustomRefusesBuiltinID(t *testing.T) {
	c := &Catalog{ID: ISO27001, Name: "Fake", Custom: true, Groups: []Group{{ID: "X", Title: "X"}}}
	if _, err := MustBuiltin().WithCustom([]*Custom{{Catalog: c}}); err == nil {
		t.Error("a custom catalog replaced a built-in one")
	}
}

// rejectCase is a custom catalog file with what annex must say about it.
type rejectCase struct {
	name string
	yaml string
	want []string // each a whole "line N: field: message" or a distinctive prefix of one
}

func TestParseCustomRejects(t *testing.T) {
	for _, tt := range rejectCases() {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCustom([]byte(tt.yaml))
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			var ce *CustomError
			if !errors.As(err, &ce) {
				t.Fatalf("error is %T, want *CustomError: %v", err, err)
			}
			for _, p := range ce.Problems {
				if p.Line < 1 || p.Field == "" || p.Message == "" {
					t.Errorf("incomplete problem %+v", p)
				}
			}
			msg := err.Error()
			for _, w := range tt.want {
				found := false
				for _, line := range strings.Split(msg, "\n") {
					found = found || strings.HasPrefix(line, w)
				}
				if !found {
					t.Errorf("missing problem %q in:\n%s", w, msg)
				}
			}
		})
	}
}

func rejectCases() []rejectCase {
	head := "id: acme\nname: Acme\ngroups:\n  - {id: G, title: General}\nrequirements:\n" // requirements start on line 6
	req := func(ref string) string { return "  - ref: " + ref + "\n    title: T " + ref + "\n    group: G\n" }
	return []rejectCase{
		{"empty file", "", []string{"line 1: file: the file is empty"}},
		{"yaml syntax", "id: acme\nname: Acme\n  short: x\n", []string{"line 3: yaml: mapping values are not allowed in this context"}},
		{"tab indent", "id: acme\ngroups:\n\t- {id: G}\n", []string{"line 3: yaml: found character that cannot start any token (the line has a tab: indent with spaces)"}},
		{"not a mapping", "- a\n- b\n", []string{"line 1: file: must be a set of fields, not a list"}},
		{"missing name and requirements", "id: acme\ngroups:\n  - {id: G, title: General}\n",
			[]string{"line 1: name: required field is missing", "line 1: requirements: required field is missing"}},
		{"missing title", head + "  - ref: R1\n    group: G\n", []string{"line 6: requirements[0].title: required field is missing"}},
		{"duplicate ref", head + req("R1") + req("R1"),
			[]string{`line 9: requirements[1].ref: ref "R1" is used twice (first at line 6)`}},
		{"unknown group", head + "  - ref: R1\n    title: T\n    group: H\n",
			[]string{`line 8: requirements[0].group: "H" is not one of the groups listed under groups (G)`}},
		{"duplicate group", "id: acme\nname: Acme\ngroups:\n  - {id: G, title: General}\n  - {id: G, title: Again}\nrequirements:\n  - {ref: R1, title: T, group: G}\n",
			[]string{`line 5: groups[1].id: group "G" is listed twice (first at line 4)`}},
		{"unknown relationship", head + req("R1") + "crosswalk:\n  source: iso27001-2022\n  entries:\n    - target: R1\n      links:\n        - {source: A.5.1, relationship: equivalent, rationale: same}\n",
			[]string{`line 14: crosswalk.entries[0].links[0].relationship: "equivalent" is not one of: equal, superset, subset, intersects, related`}},
		{"crosswalk source unknown", head + req("R1") + "crosswalk:\n  source: soc2\n  entries:\n    - {target: R1, no_counterpart: none}\n",
			[]string{`line 10: crosswalk.source: "soc2" is not one of: iso27001-2022, iso42001-2023`}},
		{"crosswalk refs unknown", head + req("R1") + "crosswalk:\n  source: iso27001-2022\n  entries:\n    - target: R9\n      links:\n        - {source: A.5.99, relationship: equal, rationale: same}\n",
			[]string{`line 12: crosswalk.entries[0].target: "R9" is not a requirement of this catalog`,
				`line 14: crosswalk.entries[0].links[0].source: "A.5.99" is not a requirement of ISO 27001`}},
		{"crosswalk entry with neither", head + req("R1") + "crosswalk:\n  source: iso27001-2022\n  entries:\n    - target: R1\n",
			[]string{"line 12: crosswalk.entries[0]: give either links or a no_counterpart reason"}},
		{"ref read as a number", head + "  - ref: 4.10\n    title: T\n    group: G\n",
			[]string{`line 6: requirements[0].ref: must be text, not a number: put it in quotes ("4.10")`}},
		{"questions not a list", head + req("R1") + "    questions: Who owns it?\n",
			[]string{"line 9: requirements[0].questions: must be a list, not text"}},
		{"title a list", head + "  - ref: R1\n    title: [a, b]\n    group: G\n",
			[]string{"line 7: requirements[0].title: must be text, not a list"}},
		{"unknown field", head + req("R1") + "    guidence: typo\n",
			[]string{"line 9: requirements[0].guidence: unknown field"}},
		{"bad kind", head + req("R1") + "    kind: rule\n",
			[]string{`line 9: requirements[0].kind: "rule" is not one of: clause, control`}},
		{"bad attribute token", head + req("R1") + "    attributes:\n      control_type: [Preventative]\n",
			[]string{`line 10: requirements[0].attributes.control_type[0]: "Preventative" is not one of: Preventive, Detective, Corrective`}},
		{"empty groups", "id: acme\nname: Acme\ngroups: []\nrequirements:\n  - {ref: R1, title: T, group: G}\n",
			[]string{"line 3: groups: needs at least one entry"}},
		{"blank title", head + "  - ref: R1\n    title: \"  \"\n    group: G\n",
			[]string{"line 7: requirements[0].title: must not be blank"}},
		{"bad id", "id: Acme Corp\nname: Acme\ngroups:\n  - {id: G, title: General}\nrequirements:\n  - {ref: R1, title: T, group: G}\n",
			[]string{`line 1: id: "Acme Corp" must be 2 to 64 characters`}},
		{"built-in id", "id: iso27001-2022\nname: Mine\ngroups:\n  - {id: G, title: General}\nrequirements:\n  - {ref: R1, title: T, group: G}\n",
			[]string{`line 1: id: "iso27001-2022" is the id of the built-in catalog ISO/IEC 27001:2022; choose another id`}},
		{"duplicate key", "id: acme\nname: Acme\nname: Other\ngroups:\n  - {id: G, title: General}\nrequirements:\n  - {ref: R1, title: T, group: G}\n",
			[]string{"line 3: name: the field is given twice"}},
		{"alias", "id: acme\nname: &n Acme\nshort: *n\ngroups:\n  - {id: G, title: General}\nrequirements:\n  - {ref: R1, title: T, group: G}\n",
			[]string{"line 3: short: anchors and aliases (*name) are not supported"}},
		{"not utf-8", "id: acme\nname: \xff\xfe\n", []string{"line 1: file: the file is not UTF-8 text"}},
		{"bad documented information kind", head + req("R1") + "    documented_information:\n      - {kind: policy, note: The policy}\n",
			[]string{`line 10: requirements[0].documented_information[0].kind: "policy" is not one of: document, record`}},
		{"documented information without note", head + req("R1") + "    documented_information:\n      - {kind: record}\n",
			[]string{"line 10: requirements[0].documented_information[0].note: required field is missing"}},
		{"unknown annex_a pointer", head + req("R1") + req("R2") + "    annex_a: [R1, G, X.9]\n",
			[]string{`line 12: requirements[1].annex_a[2]: "X.9" is not a requirement, objective or group of this catalog`}},
		{"objective of an unknown group", "id: acme\nname: Acme\ngroups:\n  - {id: G, title: General}\nobjectives:\n  - {id: G.1, title: One, group: H, text: Aim.}\nrequirements:\n  - {ref: G.1.1, title: T, group: G}\n",
			[]string{`line 6: objectives[0].group: "H" is not one of the groups listed under groups (G)`}},
		{"objective listed twice", "id: acme\nname: Acme\ngroups:\n  - {id: G, title: General}\nobjectives:\n  - {id: G.1, title: One, group: G, text: Aim.}\n  - {id: G.1, title: Two, group: G, text: Aim.}\nrequirements:\n  - {ref: G.1.1, title: T, group: G}\n",
			[]string{`line 7: objectives[1].id: objective "G.1" is listed twice (first at line 6)`}},
		{"objective without text", "id: acme\nname: Acme\ngroups:\n  - {id: G, title: General}\nobjectives:\n  - {id: G.1, title: One, group: G, text: \" \"}\nrequirements:\n  - {ref: G.1.1, title: T, group: G}\n",
			[]string{"line 6: objectives[0].text: must not be blank"}},
	}
}

func TestParseCustomReportsAllProblems(t *testing.T) {
	src := "id: acme\nname: Acme\ngroups:\n  - {id: G, title: General}\nrequirements:\n  - {ref: R1, title: T, group: G}\n  - {ref: R1, title: T, group: X}\n"
	_, err := ParseCustom([]byte(src))
	var ce *CustomError
	if !errors.As(err, &ce) || len(ce.Problems) != 2 {
		t.Fatalf("want 2 problems, got %v", err)
	}
	if ce.Problems[0].Line != 7 || ce.Problems[1].Line != 7 {
		t.Errorf("problems = %+v", ce.Problems)
	}
}

func TestParseCustomSchemaAndRulesTogether(t *testing.T) {
	src := "id: acme\nname: Acme\ngroups:\n  - {id: G, title: General}\nrequirements:\n  - {ref: R1, group: G}\n  - {ref: R1, title: T, group: G}\n"
	_, err := ParseCustom([]byte(src))
	if err == nil {
		t.Fatal("accepted")
	}
	want := "line 6: requirements[0].title: required field is missing\nline 7: requirements[1].ref: ref \"R1\" is used twice (first at line 6)"
	if err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

func TestParseCustomTooLarge(t *testing.T) {
	big := make([]byte, MaxCustomSize+1)
	if _, err := ParseCustom(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("err = %v", err)
	}
}

// The built-in catalogs, written out as one file, pass the custom format: the two formats
// are the same shape.
func TestBuiltinShapeFitsCustomSchema(t *testing.T) {
	b, err := os.ReadFile("data/iso42001-2023/annex-a.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := "id: my-42001-copy\nname: Copy\ngroups:\n" +
		"  - {id: A.2, title: a}\n  - {id: A.3, title: a}\n  - {id: A.4, title: a}\n  - {id: A.5, title: a}\n  - {id: A.6, title: a}\n" +
		"  - {id: A.7, title: a}\n  - {id: A.8, title: a}\n  - {id: A.9, title: a}\n  - {id: A.10, title: a}\n" + string(b)
	c, err := ParseCustom([]byte(src))
	if err != nil {
		t.Fatalf("built-in shape rejected:\n%v", err)
	}
	if len(c.Requirements) != 38 {
		t.Errorf("got %d requirements, want 38", len(c.Requirements))
	}
}

// Each built-in catalog, written out whole under another id, is a valid custom catalog: the
// fields added for the standards (objectives, purpose, annex_a, annex_b, documented
// information) are part of the custom format too.
func TestBuiltinCatalogsFitCustomSchema(t *testing.T) {
	for _, b := range builtinCatalogs(t) {
		copy := *b
		copy.ID = "copy-of-" + b.ID
		out, err := yaml.Marshal(&copy)
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParseCustom(out)
		if err != nil {
			t.Fatalf("%s rejected as a custom catalog:\n%v", b.ID, err)
		}
		if len(c.Requirements) != len(b.Requirements) || len(c.Objectives) != len(b.Objectives) {
			t.Errorf("%s: copy has %d requirements and %d objectives, want %d and %d", b.ID,
				len(c.Requirements), len(c.Objectives), len(b.Requirements), len(b.Objectives))
		}
		for i, r := range b.Requirements {
			got := c.Requirements[i]
			if got.Purpose != r.Purpose || got.AnnexB != r.AnnexB || !slices.Equal(got.AnnexA, r.AnnexA) || !slices.Equal(got.Documents, r.Documents) {
				t.Errorf("%s %s: the copy lost a field", b.ID, r.Ref)
			}
		}
	}
}

func TestCatalogSchemaCompiles(t *testing.T) {
	if _, err := compiledSchema(); err != nil {
		t.Fatal(err)
	}
	if len(CatalogSchema()) == 0 {
		t.Fatal("schema text empty")
	}
}

// TestDocsExampleParses keeps the example of docs/CATALOGS.md valid and equal to validCustom.
func TestDocsExampleParses(t *testing.T) {
	b, err := os.ReadFile("../docs/CATALOGS.md")
	if err != nil {
		t.Skipf("docs not found: %v", err)
	}
	doc := string(b)
	start := strings.Index(doc, "<!-- example:start -->")
	end := strings.Index(doc, "<!-- example:end -->")
	if start < 0 || end < start {
		t.Fatal("example markers missing in docs/CATALOGS.md")
	}
	block := doc[start:end]
	block = block[strings.Index(block, "```yaml\n")+len("```yaml\n"):]
	block = block[:strings.Index(block, "```")]
	if block != validCustom {
		t.Errorf("docs example and validCustom differ; keep them in step")
	}
	if _, err := ParseCustom([]byte(block)); err != nil {
		t.Errorf("docs example rejected:\n%v", err)
	}
}
