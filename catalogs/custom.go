package catalogs

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// A custom catalog is a user's own framework in one YAML file: the built-in header fields
// (id, name, short, description, groups) and the requirements in the same shape, plus an
// optional crosswalk from a built-in catalog. The file is checked in three passes, each
// problem named by line and field: YAML syntax, the JSON Schema (schema/catalog.schema.json),
// then the rules a schema cannot express (unique refs, known groups, crosswalk refs).

//go:embed schema/catalog.schema.json
var catalogSchemaJSON []byte

// catalogSchemaURL is the schema's $id.
const catalogSchemaURL = "https://github.com/annex-grc/annex/catalogs/schema/catalog.schema.json"

// MaxCustomSize is the largest custom catalog file accepted.
const MaxCustomSize = 4 << 20

// CatalogSchema returns the JSON Schema of the custom catalog format.
func CatalogSchema() []byte { return bytes.Clone(catalogSchemaJSON) }

// compiledSchema is the schema ready for schemacheck.go's validator, compiled the first
// time a custom catalog is read.
var compiledSchema = sync.OnceValues(func() (*schemaDoc, error) {
	doc, err := compileSchema(catalogSchemaJSON)
	if err != nil {
		return nil, fmt.Errorf("catalog schema: %w", err)
	}
	return doc, nil
})

// Custom is a user's framework as imported: its catalog and, when the file has one, the
// crosswalk from a built-in catalog to it (Crosswalk.Target is the custom catalog's id).
type Custom struct {
	Catalog   *Catalog
	Crosswalk *Crosswalk
}

// Problem is one thing wrong in a custom catalog file.
type Problem struct {
	Line    int    // 1-based line in the file
	Field   string // e.g. "requirements[3].title"
	Message string
}

func (p Problem) String() string { return fmt.Sprintf("line %d: %s: %s", p.Line, p.Field, p.Message) }

// CustomError lists every problem found in a custom catalog file, one per line of Error().
type CustomError struct{ Problems []Problem }

func (e *CustomError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// ParseCustom reads and checks a custom catalog file. On failure the error is a
// *CustomError listing each problem as "line N: field: message".
func ParseCustom(b []byte) (*Catalog, error) {
	cu, err := ParseCustomFile(b)
	if err != nil {
		return nil, err
	}
	return cu.Catalog, nil
}

// ParseCustomFile is ParseCustom keeping the file's crosswalk section too.
func ParseCustomFile(b []byte) (*Custom, error) {
	p := newParser()
	if len(b) > MaxCustomSize {
		return nil, p.fail(1, "file", "the file is larger than %d MiB; a catalog file is plain text and much smaller", MaxCustomSize>>20)
	}
	if !utf8.Valid(b) {
		return nil, p.fail(1, "file", "the file is not UTF-8 text")
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		line, msg := yamlErrorLine(err)
		if lines := strings.Split(string(b), "\n"); line <= len(lines) && strings.Contains(lines[line-1], "\t") {
			msg += " (the line has a tab: indent with spaces)"
		}
		return nil, p.fail(line, "yaml", "%s", msg)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, p.fail(1, "file", "the file is empty; see docs/CATALOGS.md for the format")
	}
	root := doc.Content[0]
	value := p.convert(root, nil)
	if len(p.problems) > 0 {
		return nil, p.result()
	}
	sch, err := compiledSchema()
	if err != nil {
		return nil, err // the embedded schema is ours; tests keep it compiling
	}
	schemaOK := true
	if faults := sch.check(value, p.keyOrder); len(faults) > 0 {
		for _, f := range faults {
			p.schemaProblem(f)
		}
		schemaOK = false
	}

	// The rules a schema cannot express run even when the schema found problems, as long as
	// the file still decodes, so one pass reports as much as it can.
	var f struct {
		Catalog   `yaml:",inline"`
		Crosswalk *Crosswalk `yaml:"crosswalk"`
	}
	if err := root.Decode(&f); err != nil {
		if schemaOK {
			return nil, p.fail(1, "file", "%s", strings.TrimPrefix(err.Error(), "yaml: "))
		}
		return nil, p.result()
	}
	c := &Catalog{ID: f.ID, Name: strings.TrimSpace(f.Name), Short: strings.TrimSpace(f.Short), Description: f.Description,
		Groups: f.Groups, Objectives: f.Objectives, Requirements: f.Requirements, Custom: true}
	if c.Short == "" {
		c.Short = c.Name
	}
	for i := range c.Groups {
		if c.Groups[i].Kind == "" {
			c.Groups[i].Kind = KindControl
		}
	}
	for i := range c.Requirements {
		if c.Requirements[i].Kind == "" {
			c.Requirements[i].Kind = KindControl
		}
	}
	p.checkCatalog(c)
	var cw *Crosswalk
	if f.Crosswalk != nil {
		cw = f.Crosswalk
		cw.Target = c.ID
		p.checkCrosswalk(c, cw, schemaOK)
	}
	if len(p.problems) > 0 {
		return nil, p.result()
	}
	// Belt and braces: the loader's own check must agree.
	if err := Validate(c); err != nil {
		return nil, p.fail(1, "file", "%s", err.Error())
	}
	c.index()
	return &Custom{Catalog: c, Crosswalk: cw}, nil
}

// WithCustom returns a copy of s with the custom catalogs and their crosswalks added.
// The receiver (usually the shared built-in set) is not modified.
func (s *Set) WithCustom(customs []*Custom) (*Set, error) {
	n := s.Clone()
	for _, cu := range customs {
		if old, ok := s.Get(cu.Catalog.ID); ok && !old.Custom {
			return nil, fmt.Errorf("custom catalog %s has the id of a built-in catalog", cu.Catalog.ID)
		}
		n.Add(cu.Catalog)
	}
	// Clip so appending never writes into the backing array the built-in set shares.
	n.Crosswalks = slices.Clip(n.Crosswalks)
	for _, cu := range customs {
		if cu.Crosswalk == nil {
			continue
		}
		if err := cu.Crosswalk.Check(n); err != nil {
			return nil, fmt.Errorf("custom catalog %s: %w", cu.Catalog.ID, err)
		}
		n.Crosswalks = append(n.Crosswalks, cu.Crosswalk)
	}
	return n, nil
}

// parser collects problems and remembers the line of every value and key by path.
type parser struct {
	problems []Problem
	lines    map[string]int // path key -> line of the value
	keyLines map[string]int // path key -> line of the mapping key
	nodes    map[string]*yaml.Node
	keys     map[string][]string // path key of a mapping -> its field names in file order
}

func newParser() *parser {
	return &parser{lines: map[string]int{}, keyLines: map[string]int{}, nodes: map[string]*yaml.Node{}, keys: map[string][]string{}}
}

// keyOrder gives the schema check a mapping's fields in the order of the file.
func (p *parser) keyOrder(loc []string, obj map[string]any) []string {
	if keys, ok := p.keys[pathKey(loc)]; ok && len(keys) == len(obj) {
		return keys
	}
	return sortedKeys(loc, obj)
}

func pathKey(tokens []string) string { return strings.Join(tokens, "\x00") }

func (p *parser) add(line int, field, format string, a ...any) {
	if line < 1 {
		line = 1
	}
	p.problems = append(p.problems, Problem{Line: line, Field: field, Message: fmt.Sprintf(format, a...)})
}

func (p *parser) fail(line int, field, format string, a ...any) error {
	p.add(line, field, format, a...)
	return p.result()
}

func (p *parser) result() error {
	sort.SliceStable(p.problems, func(i, j int) bool { return p.problems[i].Line < p.problems[j].Line })
	out := p.problems[:0]
	seen := map[Problem]bool{}
	for _, pr := range p.problems {
		if !seen[pr] {
			seen[pr] = true
			out = append(out, pr)
		}
	}
	return &CustomError{Problems: out}
}

var yamlLineRE = regexp.MustCompile(`line (\d+): (.*)`)

func yamlErrorLine(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, m[2]
	}
	return 1, msg
}

// fieldName renders a path as "requirements[3].title".
func fieldName(tokens []string) string {
	if len(tokens) == 0 {
		return "file"
	}
	var b strings.Builder
	for i, t := range tokens {
		if _, err := strconv.Atoi(t); err == nil && i > 0 {
			b.WriteString("[" + t + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(t)
	}
	return b.String()
}

// convert turns the YAML tree into the JSON-like values the schema validator reads,
// remembering lines. Aliases are refused: a catalog has no use for them, and they can
// expand a small file into a huge one.
func (p *parser) convert(n *yaml.Node, path []string) any {
	k := pathKey(path)
	p.lines[k] = n.Line
	p.nodes[k] = n
	switch n.Kind {
	case yaml.AliasNode:
		p.add(n.Line, fieldName(path), "anchors and aliases (*name) are not supported; write the value out")
		return nil
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			kn, vn := n.Content[i], n.Content[i+1]
			if kn.Kind != yaml.ScalarNode {
				p.add(kn.Line, fieldName(path), "a field name must be plain text")
				continue
			}
			child := append(slices.Clip(path), kn.Value)
			if _, dup := m[kn.Value]; dup {
				p.add(kn.Line, fieldName(child), "the field is given twice")
				continue
			}
			p.keyLines[pathKey(child)] = kn.Line
			p.keys[k] = append(p.keys[k], kn.Value)
			m[kn.Value] = p.convert(vn, child)
		}
		return m
	case yaml.SequenceNode:
		a := make([]any, len(n.Content))
		for i, item := range n.Content {
			a[i] = p.convert(item, append(slices.Clip(path), strconv.Itoa(i)))
		}
		return a
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil
		case "!!bool":
			b, _ := strconv.ParseBool(strings.ToLower(n.Value))
			return b
		case "!!int", "!!float":
			return json.Number(n.Value)
		}
		return n.Value
	}
	return nil
}

// schemaProblem turns a failed schema keyword into a line-numbered problem.
func (p *parser) schemaProblem(f schemaFault) {
	loc := f.Loc
	field := fieldName(loc)
	line := p.lines[pathKey(loc)]
	switch f.Keyword {
	case "required":
		for _, m := range f.Names {
			p.add(line, fieldName(append(slices.Clip(loc), m)), "required field is missing")
		}
	case "additionalProperties":
		for _, prop := range f.Names {
			child := append(slices.Clip(loc), prop)
			p.add(p.keyLines[pathKey(child)], fieldName(child), "unknown field (check the spelling; the format is in docs/CATALOGS.md)")
		}
	case "type":
		wantTypes, _ := f.Want.([]string)
		got, _ := f.Got.(string)
		want := strings.Join(wantTypes, " or ")
		if want == "string" {
			want = "text"
		}
		if slices.Contains(wantTypes, "string") && got == "number" {
			raw := ""
			if n := p.nodes[pathKey(loc)]; n != nil {
				raw = n.Value
			}
			p.add(line, field, "must be text, not a number: put it in quotes (\"%s\") so that YAML keeps it as written", raw)
			return
		}
		switch got {
		case "string":
			got = "text"
		case "object":
			got = "a set of fields"
		case "array":
			got = "a list"
		case "null":
			got = "empty"
		}
		switch want {
		case "object":
			want = "a set of fields"
		case "array":
			want = "a list"
		}
		p.add(line, field, "must be %s, not %s", want, got)
	case "enum":
		var opts []string
		wantValues, _ := f.Want.([]any)
		for _, w := range wantValues {
			opts = append(opts, fmt.Sprint(w))
		}
		p.add(line, field, "%q is not one of: %s", fmt.Sprint(f.Got), strings.Join(opts, ", "))
	case "pattern":
		got, _ := f.Got.(string)
		p.add(line, field, "%s", patternMessage(f.Schema, got))
	case "minLength":
		if want, _ := f.Want.(int); want <= 1 {
			p.add(line, field, "must not be empty")
		} else {
			p.add(line, field, "must be at least %d characters", want)
		}
	case "maxLength":
		p.add(line, field, "is %d characters long; at most %d are allowed", f.Got, f.Want)
	case "minItems":
		if want, _ := f.Want.(int); want <= 1 {
			p.add(line, field, "needs at least one entry")
		} else {
			p.add(line, field, "needs at least %d entries", want)
		}
	case "maxItems":
		p.add(line, field, "has %d entries; at most %d are allowed", f.Got, f.Want)
	case "uniqueItems":
		p.add(line, field, "lists the same value twice (entries %d and %d)", f.Dups[0]+1, f.Dups[1]+1)
	default:
		p.add(line, field, "does not fit the catalog schema (%s)", f.Keyword)
	}
}

func patternMessage(schemaURL, got string) string {
	switch {
	case strings.HasSuffix(schemaURL, "/properties/id"):
		return fmt.Sprintf("%q must be 2 to 64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit", got)
	case strings.HasSuffix(schemaURL, "/$defs/name"), strings.HasSuffix(schemaURL, "/properties/text"), strings.HasSuffix(schemaURL, "/properties/note"):
		return "must not be blank"
	case strings.HasSuffix(schemaURL, "/$defs/ref"):
		return fmt.Sprintf("%q must start with a letter or digit and contain no spaces; the punctuation allowed is . _ : / ( ) -", got)
	}
	return fmt.Sprintf("%q does not have the expected form", got)
}

func (p *parser) line(tokens ...string) int { return p.lines[pathKey(tokens)] }

// checkCatalog applies the rules a schema cannot express, with line numbers.
func (p *parser) checkCatalog(c *Catalog) {
	if set, err := Builtin(); err == nil {
		if b, ok := set.Get(c.ID); ok && !b.Custom {
			p.add(p.line("id"), "id", "%q is the id of the built-in catalog %s; choose another id", c.ID, b.Name)
		}
	}
	groupLine := map[string]int{}
	var groupIDs []string
	for i, g := range c.Groups {
		l := p.line("groups", strconv.Itoa(i), "id")
		if g.ID == "" {
			continue
		}
		if first, dup := groupLine[g.ID]; dup {
			p.add(l, fmt.Sprintf("groups[%d].id", i), "group %q is listed twice (first at line %d)", g.ID, first)
			continue
		}
		groupLine[g.ID] = l
		groupIDs = append(groupIDs, g.ID)
	}
	objectiveLine := map[string]int{}
	for i, o := range c.Objectives {
		l := p.line("objectives", strconv.Itoa(i), "id")
		if o.ID == "" {
			continue
		}
		if first, dup := objectiveLine[o.ID]; dup {
			p.add(l, fmt.Sprintf("objectives[%d].id", i), "objective %q is listed twice (first at line %d)", o.ID, first)
		} else {
			objectiveLine[o.ID] = l
		}
		if _, ok := groupLine[o.Group]; !ok && o.Group != "" && len(groupIDs) > 0 {
			p.add(p.line("objectives", strconv.Itoa(i), "group"), fmt.Sprintf("objectives[%d].group", i),
				"%q is not one of the groups listed under groups (%s)", o.Group, listSome(groupIDs, 8))
		}
	}
	refLine := map[string]int{}
	for i, r := range c.Requirements {
		idx := strconv.Itoa(i)
		l := p.line("requirements", idx, "ref")
		if r.Ref == "" {
			continue
		}
		if first, dup := refLine[r.Ref]; dup {
			p.add(l, fmt.Sprintf("requirements[%d].ref", i), "ref %q is used twice (first at line %d)", r.Ref, first)
		} else {
			refLine[r.Ref] = l
		}
		if _, ok := groupLine[r.Group]; !ok && r.Group != "" && len(groupIDs) > 0 {
			p.add(p.line("requirements", idx, "group"), fmt.Sprintf("requirements[%d].group", i),
				"%q is not one of the groups listed under groups (%s)", r.Group, listSome(groupIDs, 8))
		}
	}
	// A clause's pointers to controls name a requirement, an objective or a group of the file.
	for i, r := range c.Requirements {
		for j, ptr := range r.AnnexA {
			_, isRef := refLine[ptr]
			_, isObjective := objectiveLine[ptr]
			_, isGroup := groupLine[ptr]
			if ptr != "" && !isRef && !isObjective && !isGroup {
				p.add(p.line("requirements", strconv.Itoa(i), "annex_a", strconv.Itoa(j)), fmt.Sprintf("requirements[%d].annex_a[%d]", i, j),
					"%q is not a requirement, objective or group of this catalog", ptr)
			}
		}
	}
}

// checkCrosswalk checks the file's crosswalk against the built-in source and this catalog.
func (p *parser) checkCrosswalk(c *Catalog, cw *Crosswalk, schemaOK bool) {
	set, err := Builtin()
	if err != nil {
		return
	}
	src, ok := set.Get(cw.Source)
	if !ok {
		if !schemaOK {
			return // the schema already named the unknown source
		}
		p.add(p.line("crosswalk", "source"), "crosswalk.source", "%q is not a built-in catalog", cw.Source)
		return
	}
	refs := map[string]bool{}
	for _, r := range c.Requirements {
		refs[r.Ref] = true
	}
	reviewed := map[string]int{}
	for i, e := range cw.Entries {
		idx := strconv.Itoa(i)
		field := fmt.Sprintf("crosswalk.entries[%d]", i)
		if e.Target == "" {
			continue
		}
		if !refs[e.Target] {
			p.add(p.line("crosswalk", "entries", idx, "target"), field+".target", "%q is not a requirement of this catalog", e.Target)
		}
		if first, dup := reviewed[e.Target]; dup {
			p.add(p.line("crosswalk", "entries", idx, "target"), field+".target", "%q is reviewed twice (first at line %d)", e.Target, first)
		} else {
			reviewed[e.Target] = p.line("crosswalk", "entries", idx, "target")
		}
		if (len(e.Links) == 0) == (strings.TrimSpace(e.NoCounterpart) == "") {
			p.add(p.line("crosswalk", "entries", idx), field, "give either links or a no_counterpart reason, not both or neither")
		}
		linked := map[string]bool{}
		for j, l := range e.Links {
			lf := fmt.Sprintf("%s.links[%d].source", field, j)
			ll := p.line("crosswalk", "entries", idx, "links", strconv.Itoa(j), "source")
			if l.Source == "" {
				continue
			}
			if _, ok := src.Requirement(l.Source); !ok {
				p.add(ll, lf, "%q is not a requirement of %s", l.Source, src.Short)
			}
			if linked[l.Source] {
				p.add(ll, lf, "%q is linked twice to %s", l.Source, e.Target)
			}
			linked[l.Source] = true
		}
	}
}

func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}
