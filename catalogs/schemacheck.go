package catalogs

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The custom catalog format is defined by schema/catalog.schema.json (JSON Schema 2020-12),
// which `annex catalog schema` hands to editors. annex checks files against that same
// schema with the small validator below instead of a general JSON Schema library: it
// interprets only the keywords the schema uses, with the library's semantics (a wrong type
// stops the other checks of that value; $ref applies beside its siblings; lengths count
// characters), and refuses a schema that uses any other keyword. A general library
// compiles the JSON Schema meta-schemas when the program starts, whatever it then does:
// about 6 ms before the workbench can draw. TestSchemaCheckAgreesWithJSONSchema runs
// santhosh-tekuri/jsonschema beside this validator over the rejection cases and the
// built-in catalogs, so the two cannot drift apart.

// schemaNode is one compiled (sub)schema.
type schemaNode struct {
	at                   string // JSON pointer of the schema in the document: "/$defs/ref"
	types                []string
	enum                 []any
	ref                  string // JSON pointer the $ref names; resolved by schemaDoc
	required             []string
	properties           map[string]*schemaNode
	noAdditional         bool
	items                *schemaNode
	minItems, maxItems   int // -1 when absent
	uniqueItems          bool
	minLength, maxLength int // -1 when absent
	pattern              *regexp.Regexp
}

// schemaDoc is a compiled schema document with its $defs.
type schemaDoc struct {
	root *schemaNode
	defs map[string]*schemaNode // by JSON pointer: "/$defs/name"
}

// schemaFault is one failed keyword at one place of the checked value, as a general
// validator's leaf error reports it.
type schemaFault struct {
	Loc     []string // instance location: field names and list indexes
	Schema  string   // JSON pointer of the schema that holds the keyword
	Keyword string   // "type", "enum", "required", "additionalProperties", "minItems", ...
	Names   []string // required: the missing fields; additionalProperties: the unknown ones
	Got     any      // type: the value's type; enum, pattern: the value; lengths and counts: the number
	Want    any      // type: []string; enum: []any; pattern: the expression; limits: the limit
	Dups    [2]int   // uniqueItems: the first two equal entries
}

var schemaKeywords = map[string]bool{"$schema": true, "$id": true, "$defs": true, "title": true, "description": true,
	"type": true, "enum": true, "$ref": true, "required": true, "properties": true, "additionalProperties": true,
	"items": true, "minItems": true, "maxItems": true, "uniqueItems": true, "minLength": true, "maxLength": true, "pattern": true}

var schemaTypes = []string{"null", "boolean", "number", "string", "array", "object"}

// compileSchema reads a schema document that uses only the keywords above.
func compileSchema(b []byte) (*schemaDoc, error) {
	var raw map[string]any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	doc := &schemaDoc{defs: map[string]*schemaNode{}}
	if defs, ok := raw["$defs"].(map[string]any); ok {
		for name, d := range defs {
			m, ok := d.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("$defs/%s is not a schema", name)
			}
			at := "/$defs/" + name
			n, err := compileNode(m, at)
			if err != nil {
				return nil, err
			}
			doc.defs[at] = n
		}
	}
	root, err := compileNode(raw, "")
	if err != nil {
		return nil, err
	}
	doc.root = root
	for _, n := range doc.nodes() {
		if n.ref != "" && doc.defs[n.ref] == nil {
			return nil, fmt.Errorf("%s: $ref %q names no $defs entry", n.at, "#"+n.ref)
		}
	}
	return doc, nil
}

func (d *schemaDoc) nodes() []*schemaNode {
	var out []*schemaNode
	var walk func(n *schemaNode)
	walk = func(n *schemaNode) {
		if n == nil {
			return
		}
		out = append(out, n)
		for _, c := range n.properties {
			walk(c)
		}
		walk(n.items)
	}
	walk(d.root)
	for _, n := range d.defs {
		walk(n)
	}
	return out
}

func compileNode(m map[string]any, at string) (*schemaNode, error) {
	n := &schemaNode{at: at, minItems: -1, maxItems: -1, minLength: -1, maxLength: -1}
	bad := func(kw string) error {
		return fmt.Errorf("schema %s: keyword %s has a value this validator does not read", at, kw)
	}
	count := func(kw string) (int, error) {
		num, ok := m[kw].(json.Number)
		if !ok {
			return 0, bad(kw)
		}
		v, err := strconv.Atoi(num.String())
		if err != nil || v < 0 {
			return 0, bad(kw)
		}
		return v, nil
	}
	var err error
	for kw, v := range m {
		if !schemaKeywords[kw] {
			return nil, fmt.Errorf("schema %s: keyword %q is not supported by annex's schema check (catalogs/schemacheck.go)", at, kw)
		}
		switch kw {
		case "$defs":
			if at != "" {
				return nil, bad(kw)
			}
		case "type":
			t, ok := v.(string)
			if !ok || !slices.Contains(schemaTypes, t) {
				return nil, bad(kw)
			}
			n.types = []string{t}
		case "enum":
			vals, ok := v.([]any)
			if !ok {
				return nil, bad(kw)
			}
			for _, x := range vals {
				if _, ok := x.(string); !ok {
					return nil, bad(kw)
				}
			}
			n.enum = vals
		case "$ref":
			s, ok := v.(string)
			if !ok || !strings.HasPrefix(s, "#/$defs/") {
				return nil, bad(kw)
			}
			n.ref = strings.TrimPrefix(s, "#")
		case "required":
			vals, ok := v.([]any)
			if !ok {
				return nil, bad(kw)
			}
			for _, x := range vals {
				s, ok := x.(string)
				if !ok {
					return nil, bad(kw)
				}
				n.required = append(n.required, s)
			}
		case "properties":
			props, ok := v.(map[string]any)
			if !ok {
				return nil, bad(kw)
			}
			n.properties = map[string]*schemaNode{}
			for name, p := range props {
				pm, ok := p.(map[string]any)
				if !ok {
					return nil, bad(kw)
				}
				if n.properties[name], err = compileNode(pm, at+"/properties/"+name); err != nil {
					return nil, err
				}
			}
		case "additionalProperties":
			if b, ok := v.(bool); !ok || b {
				return nil, bad(kw) // only additionalProperties: false is read
			}
			n.noAdditional = true
		case "items":
			im, ok := v.(map[string]any)
			if !ok {
				return nil, bad(kw)
			}
			if n.items, err = compileNode(im, at+"/items"); err != nil {
				return nil, err
			}
		case "minItems":
			n.minItems, err = count(kw)
		case "maxItems":
			n.maxItems, err = count(kw)
		case "minLength":
			n.minLength, err = count(kw)
		case "maxLength":
			n.maxLength, err = count(kw)
		case "uniqueItems":
			b, ok := v.(bool)
			if !ok {
				return nil, bad(kw)
			}
			n.uniqueItems = b
		case "pattern":
			s, ok := v.(string)
			if !ok {
				return nil, bad(kw)
			}
			if n.pattern, err = regexp.Compile(s); err != nil {
				return nil, fmt.Errorf("schema %s: pattern: %w", at, err)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return n, nil
}

// check validates v (the JSON-like value of a YAML file: map[string]any, []any, string,
// json.Number, bool, nil) and returns the failed keywords in the order a general validator
// reports them; keyOrder gives an object's field names in the order of the file.
func (d *schemaDoc) check(v any, keyOrder func(loc []string, obj map[string]any) []string) []schemaFault {
	var out []schemaFault
	d.checkNode(d.root, v, nil, keyOrder, &out)
	return out
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return ""
}

func (d *schemaDoc) checkNode(n *schemaNode, v any, loc []string, keyOrder func([]string, map[string]any) []string, out *[]schemaFault) {
	fault := func(f schemaFault) {
		f.Loc, f.Schema = slices.Clone(loc), n.at
		*out = append(*out, f)
	}
	t := jsonType(v)
	if len(n.types) > 0 && !slices.Contains(n.types, t) {
		fault(schemaFault{Keyword: "type", Got: t, Want: slices.Clone(n.types)})
		return
	}
	if n.enum != nil {
		found := false
		for _, e := range n.enum {
			found = found || jsonEqual(v, e)
		}
		if !found {
			fault(schemaFault{Keyword: "enum", Got: v, Want: n.enum})
			return
		}
	}
	if n.ref != "" {
		d.checkNode(d.defs[n.ref], v, loc, keyOrder, out)
	}
	switch x := v.(type) {
	case map[string]any:
		if missing := missingFields(x, n.required); missing != nil {
			fault(schemaFault{Keyword: "required", Names: missing})
		}
		var unknown []string
		for _, name := range keyOrder(loc, x) {
			if p, ok := n.properties[name]; ok {
				d.checkNode(p, x[name], append(slices.Clip(loc), name), keyOrder, out)
			} else if n.noAdditional {
				unknown = append(unknown, name)
			}
		}
		if len(unknown) > 0 {
			fault(schemaFault{Keyword: "additionalProperties", Names: unknown})
		}
	case []any:
		if n.minItems >= 0 && len(x) < n.minItems {
			fault(schemaFault{Keyword: "minItems", Got: len(x), Want: n.minItems})
		}
		if n.maxItems >= 0 && len(x) > n.maxItems {
			fault(schemaFault{Keyword: "maxItems", Got: len(x), Want: n.maxItems})
		}
		if n.uniqueItems {
			if i, j, dup := firstDuplicate(x); dup {
				fault(schemaFault{Keyword: "uniqueItems", Dups: [2]int{i, j}})
			}
		}
		if n.items != nil {
			for i, item := range x {
				d.checkNode(n.items, item, append(slices.Clip(loc), strconv.Itoa(i)), keyOrder, out)
			}
		}
	case string:
		length := utf8.RuneCountInString(x)
		if n.minLength >= 0 && length < n.minLength {
			fault(schemaFault{Keyword: "minLength", Got: length, Want: n.minLength})
		}
		if n.maxLength >= 0 && length > n.maxLength {
			fault(schemaFault{Keyword: "maxLength", Got: length, Want: n.maxLength})
		}
		if n.pattern != nil && !n.pattern.MatchString(x) {
			fault(schemaFault{Keyword: "pattern", Got: x, Want: n.pattern.String()})
		}
	}
}

func missingFields(obj map[string]any, required []string) []string {
	var missing []string
	for _, r := range required {
		if _, ok := obj[r]; !ok {
			missing = append(missing, r)
		}
	}
	return missing
}

// firstDuplicate finds the first entry equal to an earlier one: (earlier, later).
func firstDuplicate(a []any) (int, int, bool) {
	for j := 1; j < len(a); j++ {
		for i := 0; i < j; i++ {
			if jsonEqual(a[i], a[j]) {
				return i, j, true
			}
		}
	}
	return -1, -1, false
}

// jsonEqual is JSON value equality: numbers by value (1 equals 1.0), lists item by item,
// objects field by field.
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		rx, okx := new(big.Rat).SetString(x.String())
		ry, oky := new(big.Rat).SetString(y.String())
		return okx && oky && rx.Cmp(ry) == 0
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !jsonEqual(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}

// sortedKeys is a key order for values without a file (tests).
func sortedKeys(_ []string, obj map[string]any) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
