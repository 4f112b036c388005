package catalogs

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"go.yaml.in/yaml/v3"
)

// The custom catalog check interprets schema/catalog.schema.json itself (schemacheck.go).
// These tests hold it to what a full JSON Schema 2020-12 validator says about the same
// values: the same failed keywords at the same places with the same figures.

// referenceFaults validates v with santhosh-tekuri/jsonschema and returns its leaf errors as
// schemaFaults.
func referenceFaults(t *testing.T, v any) []schemaFault {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(catalogSchemaJSON))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(catalogSchemaURL, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(catalogSchemaURL)
	if err != nil {
		t.Fatal(err)
	}
	err = sch.Validate(v)
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		t.Fatalf("validate: %v", err)
	}
	var out []schemaFault
	var walk func(ve *jsonschema.ValidationError)
	walk = func(ve *jsonschema.ValidationError) {
		if len(ve.Causes) > 0 {
			for _, c := range ve.Causes {
				walk(c)
			}
			return
		}
		f := schemaFault{Loc: slices.Clone(ve.InstanceLocation)}
		if _, frag, ok := strings.Cut(ve.SchemaURL, "#"); ok {
			f.Schema = frag
		}
		switch k := ve.ErrorKind.(type) {
		case *kind.Type:
			f.Keyword, f.Got, f.Want = "type", k.Got, k.Want
		case *kind.Enum:
			f.Keyword, f.Got, f.Want = "enum", k.Got, k.Want
		case *kind.Required:
			f.Keyword, f.Names = "required", k.Missing
		case *kind.AdditionalProperties:
			f.Keyword, f.Names = "additionalProperties", k.Properties
		case *kind.MinItems:
			f.Keyword, f.Got, f.Want = "minItems", k.Got, k.Want
		case *kind.MaxItems:
			f.Keyword, f.Got, f.Want = "maxItems", k.Got, k.Want
		case *kind.MinLength:
			f.Keyword, f.Got, f.Want = "minLength", k.Got, k.Want
		case *kind.MaxLength:
			f.Keyword, f.Got, f.Want = "maxLength", k.Got, k.Want
		case *kind.Pattern:
			f.Keyword, f.Got, f.Want = "pattern", k.Got, k.Want
		case *kind.UniqueItems:
			f.Keyword, f.Dups = "uniqueItems", k.Duplicates
		default:
			t.Fatalf("the reference validator reports %T at %v, which schemacheck.go does not know", ve.ErrorKind, ve.InstanceLocation)
		}
		out = append(out, f)
	}
	walk(ve)
	return out
}

// canonical sorts faults (and the names inside) so two validators' lists compare: the
// reference validator walks an object's fields in map order.
func canonical(fs []schemaFault) []string {
	var out []string
	for _, f := range fs {
		names := slices.Clone(f.Names)
		sort.Strings(names)
		out = append(out, fmt.Sprintf("%q %s %s names=%q got=%#v want=%#v dups=%v", f.Loc, f.Schema, f.Keyword, names, f.Got, f.Want, f.Dups))
	}
	sort.Strings(out)
	return out
}

func valueOf(t *testing.T, src string) (any, bool) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil || len(doc.Content) == 0 {
		return nil, false
	}
	p := newParser()
	v := p.convert(doc.Content[0], nil)
	return v, len(p.problems) == 0
}

// schemaCorpus is files that break the schema in every way it can be broken, and valid ones.
func schemaCorpus(t *testing.T) map[string]string {
	head := "id: acme\nname: Acme\ngroups:\n  - {id: G, title: General}\nrequirements:\n"
	req := "  - ref: R1\n    title: T\n    group: G\n"
	long := func(n int) string { return strings.Repeat("é", n) }
	many := func(n int, item string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, item, i)
		}
		return b.String()
	}
	corpus := map[string]string{
		"valid":             validCustom,
		"root a list":       "- a\n",
		"root text":         "just text\n",
		"root empty value":  "~\n",
		"all missing":       "short: x\n",
		"unknown fields":    head + req + "extra: 1\nmore: [1]\n",
		"unknown nested":    head + req + "    guidence: x\n    attributes: {control_type: [Preventive], colour: red}\n",
		"id number":         "id: 42\nname: Acme\ngroups:\n  - {id: G, title: General}\nrequirements:\n" + req,
		"id pattern":        "id: Acme Corp\nname: Acme\ngroups:\n  - {id: G, title: General}\nrequirements:\n" + req,
		"id too long":       "id: a" + strings.Repeat("b", 64) + "\nname: Acme\ngroups:\n  - {id: G, title: General}\nrequirements:\n" + req,
		"name blank":        "id: acme\nname: \"   \"\ngroups:\n  - {id: G, title: General}\nrequirements:\n" + req,
		"name empty":        "id: acme\nname: \"\"\ngroups:\n  - {id: G, title: General}\nrequirements:\n" + req,
		"name long":         "id: acme\nname: " + long(201) + "\ngroups:\n  - {id: G, title: General}\nrequirements:\n" + req,
		"name list":         "id: acme\nname: [a]\ngroups:\n  - {id: G, title: General}\nrequirements:\n" + req,
		"name map":          "id: acme\nname: {a: 1}\ngroups:\n  - {id: G, title: General}\nrequirements:\n" + req,
		"name bool":         "id: acme\nname: true\ngroups:\n  - {id: G, title: General}\nrequirements:\n" + req,
		"name null":         "id: acme\nname:\ngroups:\n  - {id: G, title: General}\nrequirements:\n" + req,
		"short empty":       "id: acme\nname: Acme\nshort: \"\"\ngroups:\n  - {id: G, title: General}\nrequirements:\n" + req,
		"short long":        "id: acme\nname: Acme\nshort: " + long(41) + "\ngroups:\n  - {id: G, title: General}\nrequirements:\n" + req,
		"description long":  "id: acme\nname: Acme\ndescription: " + long(2001) + "\ngroups:\n  - {id: G, title: General}\nrequirements:\n" + req,
		"groups empty":      "id: acme\nname: Acme\ngroups: []\nrequirements:\n" + req,
		"groups text":       "id: acme\nname: Acme\ngroups: G\nrequirements:\n" + req,
		"groups too many":   "id: acme\nname: Acme\ngroups:\n" + many(501, "  - {id: G%d, title: T}\n") + "requirements:\n" + req,
		"group bad":         "id: acme\nname: Acme\ngroups:\n  - {id: \"G G\", kind: rule, objective: 5}\n  - text\nrequirements:\n" + req,
		"requirements none": "id: acme\nname: Acme\ngroups:\n  - {id: G, title: General}\nrequirements: []\n",
		"ref number":        head + "  - ref: 4.10\n    title: T\n    group: G\n",
		"ref int":           head + "  - ref: 4\n    title: T\n    group: G\n",
		"ref pattern":       head + "  - ref: \"-x y\"\n    title: T\n    group: 7\n",
		"ref too long":      head + "  - ref: R" + strings.Repeat("1", 40) + "\n    title: T\n    group: G\n",
		"fields wrong":      head + req + "    kind: rule\n    guidance: [a]\n    questions: Who?\n    evidence: [\"\", 3]\n    purpose: " + long(2001) + "\n",
		"questions many":    head + req + "    questions:\n" + many(51, "      - q%d\n"),
		"annex_a dup":       head + req + "  - ref: R2\n    title: T\n    group: G\n    annex_a: [R1, G, R1, G]\n",
		"annex_a dup long":  head + req + "  - ref: R2\n    title: T\n    group: G\n    annex_a: [" + strings.TrimSuffix(many(25, "R%d, "), ", ") + ", R3]\n",
		"annex_a numbers":   head + req + "  - ref: R2\n    title: T\n    group: G\n    annex_a: [1, 1.0, x y]\n",
		"annex_b":           head + req + "    annex_b: \"B 1\"\n",
		"documents":         head + req + "    documented_information:\n      - {kind: policy, note: \" \"}\n      - {note: x, extra: y}\n      - text\n",
		"documents many":    head + req + "    documented_information:\n" + many(21, "      - {kind: record, note: n%d}\n"),
		"attributes":        head + req + "    attributes:\n      control_type: [Preventative, Preventive, Preventive]\n      security_properties: Confidentiality\n      security_domains: [1]\n",
		"annex_c":           head + req + "    annex_c: {objectives: [fairness, fairness, speed], risk_sources: [machine_learning], other: []}\n",
		"objectives":        "id: acme\nname: Acme\ngroups:\n  - {id: G, title: General}\nobjectives:\n  - {id: G.1, title: \"\", group: \"H H\", text: \" \"}\n  - {id: G.2}\n  - 7\nrequirements:\n" + req,
		"crosswalk bad":     head + req + "crosswalk:\n  source: soc2\n  entries: []\n  extra: x\n",
		"crosswalk entries": head + req + "crosswalk:\n  source: iso27001-2022\n  entries:\n    - {target: R1, no_counterpart: \"\"}\n    - {links: []}\n    - target: R1\n      links:\n        - {source: A.5.1, relationship: equivalent, rationale: \"\"}\n        - {source: \"a b\"}\n",
		"crosswalk list":    head + req + "crosswalk: [a]\n",
		"nulls":             "id: acme\nname: Acme\ngroups:\n  - {id: G, title: General, objective: ~}\nrequirements:\n  - {ref: R1, title: T, group: G, questions: ~, attributes: ~}\n",
	}
	for _, rc := range rejectCases() {
		corpus["reject: "+rc.name] = rc.yaml
	}
	for _, b := range builtinCatalogs(t) {
		c := *b
		c.ID = "copy-of-" + b.ID
		out, err := yaml.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		corpus["built-in "+b.ID] = string(out)
	}
	return corpus
}

func TestSchemaCheckAgreesWithJSONSchema(t *testing.T) {
	sch, err := compiledSchema()
	if err != nil {
		t.Fatal(err)
	}
	keywords := map[string]bool{}
	for name, src := range schemaCorpus(t) {
		v, ok := valueOf(t, src)
		if !ok {
			continue // not YAML, or refused before the schema (aliases, duplicate keys)
		}
		got, want := canonical(sch.check(v, sortedKeys)), canonical(referenceFaults(t, v))
		if !slices.Equal(got, want) {
			t.Errorf("%s: schemacheck says\n  %s\nthe JSON Schema validator says\n  %s", name, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
		for _, f := range sch.check(v, sortedKeys) {
			keywords[f.Keyword] = true
		}
		if strings.HasPrefix(name, "built-in") || name == "valid" {
			if len(got) > 0 {
				t.Errorf("%s: valid file has faults %v", name, got)
			}
		}
	}
	// The corpus exercises every keyword the validator checks.
	for _, kw := range []string{"type", "enum", "required", "additionalProperties", "minItems", "maxItems", "uniqueItems", "minLength", "maxLength", "pattern"} {
		if !keywords[kw] {
			t.Errorf("no file of the corpus fails %s", kw)
		}
	}
}

func TestSchemaCheckRefusesUnknownKeywords(t *testing.T) {
	for _, src := range []string{
		`{"type": "object", "minProperties": 1}`,
		`{"type": "integer"}`,
		`{"additionalProperties": {"type": "string"}}`,
		`{"$ref": "#/$defs/missing"}`,
		`{"properties": {"a": {"format": "date"}}}`,
	} {
		if _, err := compileSchema([]byte(src)); err == nil {
			t.Errorf("schema %s compiled; the check would silently skip a keyword", src)
		}
	}
}
