package catalogs

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Relationship says how a crosswalk's source requirement relates to its target.
// The names map one to one onto OSCAL mapping relationships (see OSCALRelationship).
type Relationship string

const (
	Equal      Relationship = "equal"
	Superset   Relationship = "superset"
	Subset     Relationship = "subset"
	Intersects Relationship = "intersects"
	Related    Relationship = "related"
)

// Relationships in order of strength.
var Relationships = []Relationship{Equal, Superset, Subset, Intersects, Related}

// Valid reports whether r is a known relationship.
func (r Relationship) Valid() bool {
	switch r {
	case Equal, Superset, Subset, Intersects, Related:
		return true
	}
	return false
}

// Inverse reads the relationship from the other side: A superset B is B subset A.
func (r Relationship) Inverse() Relationship {
	switch r {
	case Superset:
		return Subset
	case Subset:
		return Superset
	}
	return r
}

// Crosswalk links the requirements of one catalog (source) to another's (target).
// Each target requirement is reviewed once: it has links, or a reason why none exists.
type Crosswalk struct {
	Source  string           `yaml:"source" json:"source"`
	Target  string           `yaml:"target" json:"target"`
	Entries []CrosswalkEntry `yaml:"entries" json:"entries"`
}

// CrosswalkEntry is the review of one target requirement.
type CrosswalkEntry struct {
	Target        string          `yaml:"target" json:"target"`
	Links         []CrosswalkLink `yaml:"links,omitempty" json:"links,omitempty"`
	NoCounterpart string          `yaml:"no_counterpart,omitempty" json:"no_counterpart,omitempty"`
}

// CrosswalkLink reads "Source <Relationship> entry's Target".
type CrosswalkLink struct {
	Source       string       `yaml:"source" json:"source"`
	Relationship Relationship `yaml:"relationship" json:"relationship"`
	Rationale    string       `yaml:"rationale" json:"rationale"`
}

func parseCrosswalk(b []byte) (*Crosswalk, error) {
	cw := &Crosswalk{}
	if err := yaml.Unmarshal(b, cw); err != nil {
		return nil, err
	}
	return cw, nil
}

// Check verifies every ref exists in its catalog, every relationship is known, and each
// target is reviewed exactly once with links or a no-counterpart reason.
func (cw *Crosswalk) Check(set *Set) error {
	src, ok := set.Get(cw.Source)
	if !ok {
		return fmt.Errorf("crosswalk source catalog %q is unknown", cw.Source)
	}
	dst, ok := set.Get(cw.Target)
	if !ok {
		return fmt.Errorf("crosswalk target catalog %q is unknown", cw.Target)
	}
	seen := map[string]bool{}
	for _, e := range cw.Entries {
		if _, ok := dst.Requirement(e.Target); !ok {
			return fmt.Errorf("crosswalk target %s %s does not exist", cw.Target, e.Target)
		}
		if seen[e.Target] {
			return fmt.Errorf("crosswalk target %s is reviewed twice", e.Target)
		}
		seen[e.Target] = true
		if (len(e.Links) == 0) == (e.NoCounterpart == "") {
			return fmt.Errorf("crosswalk target %s needs either links or a no_counterpart reason", e.Target)
		}
		for _, l := range e.Links {
			if _, ok := src.Requirement(l.Source); !ok {
				return fmt.Errorf("crosswalk link %s -> %s: source %s %s does not exist", l.Source, e.Target, cw.Source, l.Source)
			}
			if !l.Relationship.Valid() {
				return fmt.Errorf("crosswalk link %s -> %s: unknown relationship %q", l.Source, e.Target, l.Relationship)
			}
			if l.Rationale == "" {
				return fmt.Errorf("crosswalk link %s -> %s has no rationale", l.Source, e.Target)
			}
		}
	}
	return nil
}

// Mapping is one crosswalk link seen from a requirement: the other side, and how that
// other requirement relates to this one ("Other <Relationship> this").
type Mapping struct {
	Standard     string
	Ref          string
	Relationship Relationship
	Rationale    string
}

// MappingsFor lists the requirements of other catalogs mapped to (standard, ref),
// with the relationship read from the other requirement towards this one.
func (s *Set) MappingsFor(standard, ref string) []Mapping {
	var out []Mapping
	for _, cw := range s.Crosswalks {
		for _, e := range cw.Entries {
			for _, l := range e.Links {
				switch {
				case cw.Target == standard && e.Target == ref:
					out = append(out, Mapping{Standard: cw.Source, Ref: l.Source, Relationship: l.Relationship, Rationale: l.Rationale})
				case cw.Source == standard && l.Source == ref:
					out = append(out, Mapping{Standard: cw.Target, Ref: e.Target, Relationship: l.Relationship.Inverse(), Rationale: l.Rationale})
				}
			}
		}
	}
	return out
}

// NoCounterpart returns the reviewed reason why (standard, ref) has no mapping, if any.
func (s *Set) NoCounterpart(standard, ref string) (string, bool) {
	for _, cw := range s.Crosswalks {
		if cw.Target != standard {
			continue
		}
		for _, e := range cw.Entries {
			if e.Target == ref && e.NoCounterpart != "" {
				return e.NoCounterpart, true
			}
		}
	}
	return "", false
}
