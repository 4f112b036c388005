package catalogs

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed data
var dataFS embed.FS

// Set is every catalog annex knows plus the crosswalks between them.
type Set struct {
	Catalogs   []*Catalog
	Crosswalks []*Crosswalk
	byID       map[string]*Catalog
}

// Get returns the catalog with the given id.
func (s *Set) Get(id string) (*Catalog, bool) {
	c, ok := s.byID[id]
	return c, ok
}

// Add puts a catalog (a custom one, say) into the set, replacing one with the same id.
func (s *Set) Add(c *Catalog) {
	c.index()
	if old, ok := s.byID[c.ID]; ok {
		for i := range s.Catalogs {
			if s.Catalogs[i] == old {
				s.Catalogs[i] = c
			}
		}
	} else {
		s.Catalogs = append(s.Catalogs, c)
	}
	s.byID[c.ID] = c
}

// Clone returns a set that shares the built-in catalogs but can take custom ones.
func (s *Set) Clone() *Set {
	n := &Set{Catalogs: slices.Clone(s.Catalogs), Crosswalks: s.Crosswalks, byID: make(map[string]*Catalog, len(s.byID))}
	for k, v := range s.byID {
		n.byID[k] = v
	}
	return n
}

//go:generate go run ./internal/gen -o builtin_gen.go

// prepared is the built-in set as generated Go data (builtin_gen.go, written by
// internal/gen from data/): static data the program starts with, so no YAML is parsed at
// start. TestPreparedCatalogsEqualYAML keeps it equal to the YAML. It is nil only while
// builtin_gen.go is deleted to regenerate it; Builtin then parses the YAML.
var prepared *Set

var (
	builtinOnce sync.Once
	builtin     *Set
	builtinErr  error
)

// Builtin returns the embedded catalogs, the same set for the whole process. They were
// parsed and checked when annex was built (go generate); Builtin only builds the look-ups.
// The returned set must not be modified; Clone it first.
func Builtin() (*Set, error) {
	builtinOnce.Do(func() {
		if prepared == nil {
			builtin, builtinErr = ParseSource()
			return
		}
		builtin = &Set{Catalogs: prepared.Catalogs, Crosswalks: prepared.Crosswalks, byID: make(map[string]*Catalog, len(prepared.Catalogs))}
		for _, c := range builtin.Catalogs {
			c.buildIndex() // generated in the loader's order: no sort needed
			builtin.byID[c.ID] = c
		}
	})
	return builtin, builtinErr
}

// MustBuiltin is Builtin for tests and for code paths where the embedded data was
// already validated at start.
func MustBuiltin() *Set {
	s, err := Builtin()
	if err != nil {
		panic(err)
	}
	return s
}

// ParseSource parses and checks the embedded YAML of data/ (every call parses it again):
// the source that go generate prepares as builtin_gen.go, and what tests compare it with.
func ParseSource() (*Set, error) { return loadFS(dataFS, "data") }

func loadFS(fsys fs.FS, root string) (*Set, error) {
	entries, err := fs.ReadDir(fsys, root)
	if err != nil {
		return nil, fmt.Errorf("read catalog data: %w", err)
	}
	set := &Set{byID: map[string]*Catalog{}}
	var crosswalkFiles []string
	for _, e := range entries {
		p := path.Join(root, e.Name())
		switch {
		case e.IsDir():
			c, err := loadCatalogDir(fsys, p)
			if err != nil {
				return nil, err
			}
			if err := Validate(c); err != nil {
				return nil, fmt.Errorf("catalog %s: %w", c.ID, err)
			}
			set.Catalogs = append(set.Catalogs, c)
			set.byID[c.ID] = c
		case strings.HasPrefix(e.Name(), "crosswalk-") && strings.HasSuffix(e.Name(), ".yaml"):
			crosswalkFiles = append(crosswalkFiles, p)
		}
	}
	for _, p := range crosswalkFiles {
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		cw, err := parseCrosswalk(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if err := cw.Check(set); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		set.Crosswalks = append(set.Crosswalks, cw)
	}
	return set, nil
}

func loadCatalogDir(fsys fs.FS, dir string) (*Catalog, error) {
	head, err := fs.ReadFile(fsys, path.Join(dir, "catalog.yaml"))
	if err != nil {
		return nil, fmt.Errorf("catalog header in %s: %w", dir, err)
	}
	c := &Catalog{}
	if err := yaml.Unmarshal(head, c); err != nil {
		return nil, fmt.Errorf("%s/catalog.yaml: %w", dir, err)
	}
	files, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f.IsDir() || f.Name() == "catalog.yaml" || !strings.HasSuffix(f.Name(), ".yaml") {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, f.Name()))
		if err != nil {
			return nil, err
		}
		var part struct {
			Requirements []Requirement `yaml:"requirements"`
		}
		if err := yaml.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("%s/%s: %w", dir, f.Name(), err)
		}
		c.Requirements = append(c.Requirements, part.Requirements...)
	}
	c.index()
	return c, nil
}

// Token lists of ISO/IEC 27002:2022 attributes (without '#') and ISO/IEC 42001 Annex C.
var (
	ControlTypes            = []string{"Preventive", "Detective", "Corrective"}
	SecurityProperties      = []string{"Confidentiality", "Integrity", "Availability"}
	CybersecurityConcepts   = []string{"Identify", "Protect", "Detect", "Respond", "Recover"}
	OperationalCapabilities = []string{"Governance", "Asset_management", "Information_protection",
		"Human_resource_security", "Physical_security", "System_and_network_security", "Application_security",
		"Secure_configuration", "Identity_and_access_management", "Threat_and_vulnerability_management",
		"Continuity", "Supplier_relationships_security", "Legal_and_compliance",
		"Information_security_event_management", "Information_security_assurance"}
	SecurityDomains = []string{"Governance_and_Ecosystem", "Protection", "Defence", "Resilience"}

	AnnexCObjectives = []string{"accountability", "ai_expertise", "training_test_data", "environmental_impact",
		"fairness", "maintainability", "privacy", "robustness", "safety", "security", "transparency_explainability"}
	AnnexCRiskSources = []string{"environment_complexity", "lack_of_transparency", "level_of_automation",
		"machine_learning", "hardware_issues", "lifecycle_issues", "technology_readiness"}
)

// Validate checks a catalog's structure: identity, groups, objectives, unique refs, known
// groups and kinds, attribute tokens from the standard's value lists, documented-information
// kinds, and clause-to-control pointers that name something in the catalog. Content completeness of the
// built-in catalogs is pinned by tests, not here, so a partial custom catalog still loads.
func Validate(c *Catalog) error {
	var errs []string
	add := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	if c.ID == "" {
		add("catalog has no id")
	}
	if c.Name == "" {
		add("catalog has no name")
	}
	if c.Short == "" {
		c.Short = c.Name
	}
	groups := map[string]bool{}
	for _, g := range c.Groups {
		if g.ID == "" || g.Title == "" {
			add("group %q needs an id and a title", g.ID)
		}
		if groups[g.ID] {
			add("group %s is listed twice", g.ID)
		}
		groups[g.ID] = true
	}
	objectives := map[string]bool{}
	for _, o := range c.Objectives {
		where := "objective " + o.ID
		switch {
		case o.ID == "":
			add("an objective has no id (title %q)", o.Title)
			continue
		case objectives[o.ID]:
			add("%s is listed twice", where)
		}
		objectives[o.ID] = true
		if strings.TrimSpace(o.Title) == "" {
			add("%s: no title", where)
		}
		if strings.TrimSpace(o.Text) == "" {
			add("%s: no text", where)
		}
		if !groups[o.Group] {
			add("%s: group %q is not one of the catalog's groups", where, o.Group)
		}
	}
	seen := map[string]bool{}
	for _, r := range c.Requirements {
		where := "requirement " + r.Ref
		if r.Ref == "" {
			add("a requirement has no ref (title %q)", r.Title)
			continue
		}
		if seen[r.Ref] {
			add("%s: ref is used twice", where)
		}
		seen[r.Ref] = true
		if strings.TrimSpace(r.Title) == "" {
			add("%s: no title", where)
		}
		if !groups[r.Group] {
			add("%s: group %q is not one of the catalog's groups", where, r.Group)
		}
		if r.Kind != KindClause && r.Kind != KindControl {
			add("%s: kind %q must be clause or control", where, r.Kind)
		}
		if a := r.Attributes; a != nil {
			checkTokens(add, where, "control_type", a.ControlType, ControlTypes)
			checkTokens(add, where, "security_properties", a.SecurityProperties, SecurityProperties)
			checkTokens(add, where, "cybersecurity_concepts", a.CybersecurityConcepts, CybersecurityConcepts)
			checkTokens(add, where, "operational_capabilities", a.OperationalCapabilities, OperationalCapabilities)
			checkTokens(add, where, "security_domains", a.SecurityDomains, SecurityDomains)
		}
		if ac := r.AnnexC; ac != nil {
			checkTokens(add, where, "annex_c.objectives", ac.Objectives, AnnexCObjectives)
			checkTokens(add, where, "annex_c.risk_sources", ac.RiskSources, AnnexCRiskSources)
		}
		for i, d := range r.Documents {
			if !slices.Contains(DocumentKinds, d.Kind) {
				add("%s: documented_information[%d].kind %q must be one of %s", where, i, d.Kind, strings.Join(DocumentKinds, ", "))
			}
			if strings.TrimSpace(d.Note) == "" {
				add("%s: documented_information[%d] has no note", where, i)
			}
		}
	}
	// Pointers from clauses to controls may name a requirement, an objective or a group.
	for _, r := range c.Requirements {
		for _, p := range r.AnnexA {
			if !seen[p] && !objectives[p] && !groups[p] {
				add("requirement %s: annex_a %q is not a requirement, objective or group of the catalog", r.Ref, p)
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

func checkTokens(add func(string, ...any), where, field string, got, allowed []string) {
	for _, t := range got {
		if !slices.Contains(allowed, t) {
			add("%s: %s value %q is not one of %s", where, field, t, strings.Join(allowed, ", "))
		}
	}
}
