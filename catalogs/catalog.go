// Package catalogs holds what the standards ask: each standard's requirements as
// embedded data files, the crosswalk between standards, and their loader and checks.
// It has no SQL and no UI.
package catalogs

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Standard ids of the built-in catalogs.
const (
	ISO27001 = "iso27001-2022"
	ISO42001 = "iso42001-2023"
)

// Kind tells a management-system clause from an Annex A control.
type Kind string

const (
	KindClause  Kind = "clause"
	KindControl Kind = "control"
)

// Group is a clause (4 to 10) or an Annex A theme or area.
type Group struct {
	ID        string `yaml:"id" json:"id"`
	Title     string `yaml:"title" json:"title"`
	Kind      Kind   `yaml:"kind" json:"kind"`
	Objective string `yaml:"objective,omitempty" json:"objective,omitempty"`
}

// Attributes are the five ISO/IEC 27002:2022 attribute families of a control,
// stored as the standard's value tokens without the leading '#'.
type Attributes struct {
	ControlType             []string `yaml:"control_type" json:"control_type"`
	SecurityProperties      []string `yaml:"security_properties" json:"security_properties"`
	CybersecurityConcepts   []string `yaml:"cybersecurity_concepts" json:"cybersecurity_concepts"`
	OperationalCapabilities []string `yaml:"operational_capabilities" json:"operational_capabilities"`
	SecurityDomains         []string `yaml:"security_domains" json:"security_domains"`
}

// AnnexC lists the ISO/IEC 42001 Annex C objectives and risk sources a control relates to.
type AnnexC struct {
	Objectives  []string `yaml:"objectives" json:"objectives"`
	RiskSources []string `yaml:"risk_sources" json:"risk_sources"`
}

// Requirement is one clause or control of a catalog, with annex's own workshop content.
type Requirement struct {
	Ref        string      `yaml:"ref" json:"ref"`
	Title      string      `yaml:"title" json:"title"`
	Group      string      `yaml:"group" json:"group"`
	Kind       Kind        `yaml:"kind" json:"kind"`
	Guidance   string      `yaml:"guidance,omitempty" json:"guidance,omitempty"`
	Questions  []string    `yaml:"questions,omitempty" json:"questions,omitempty"`
	Evidence   []string    `yaml:"evidence,omitempty" json:"evidence,omitempty"`
	Attributes *Attributes `yaml:"attributes,omitempty" json:"attributes,omitempty"`
	AnnexC     *AnnexC     `yaml:"annex_c,omitempty" json:"annex_c,omitempty"`
}

// Catalog is one standard or framework.
type Catalog struct {
	ID           string        `yaml:"id" json:"id"`
	Name         string        `yaml:"name" json:"name"`
	Short        string        `yaml:"short" json:"short"`
	Description  string        `yaml:"description,omitempty" json:"description,omitempty"`
	Groups       []Group       `yaml:"groups" json:"groups"`
	Requirements []Requirement `yaml:"requirements" json:"requirements"`
	// Custom is true for a catalog a user imported into a workspace.
	Custom bool `yaml:"-" json:"custom,omitempty"`

	byRef   map[string]int
	byGroup map[string]int
}

// Requirement returns the requirement with the given ref.
func (c *Catalog) Requirement(ref string) (Requirement, bool) {
	i, ok := c.byRef[ref]
	if !ok {
		return Requirement{}, false
	}
	return c.Requirements[i], true
}

// Group returns the group with the given id.
func (c *Catalog) Group(id string) (Group, bool) {
	i, ok := c.byGroup[id]
	if !ok {
		return Group{}, false
	}
	return c.Groups[i], true
}

// GroupIndex is the display position of a group, or -1.
func (c *Catalog) GroupIndex(id string) int {
	i, ok := c.byGroup[id]
	if !ok {
		return -1
	}
	return i
}

// index sorts requirements by group order then natural ref order and builds look-ups.
func (c *Catalog) index() {
	c.byGroup = make(map[string]int, len(c.Groups))
	for i, g := range c.Groups {
		c.byGroup[g.ID] = i
	}
	sort.SliceStable(c.Requirements, func(i, j int) bool {
		gi, gj := c.GroupIndex(c.Requirements[i].Group), c.GroupIndex(c.Requirements[j].Group)
		if gi != gj {
			return gi < gj
		}
		return CompareRefs(c.Requirements[i].Ref, c.Requirements[j].Ref) < 0
	})
	c.byRef = make(map[string]int, len(c.Requirements))
	for i, r := range c.Requirements {
		c.byRef[r.Ref] = i
	}
}

// CompareRefs orders refs naturally: "A.5.2" < "A.5.10", "9.3" < "10.1".
func CompareRefs(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		switch {
		case ea == nil && eb == nil:
			if na != nb {
				if na < nb {
					return -1
				}
				return 1
			}
		case pa[i] != pb[i]:
			return strings.Compare(pa[i], pb[i])
		}
	}
	return len(pa) - len(pb)
}

// Label is "ISO 27001 A.5.1" style text for a requirement of this catalog.
func (c *Catalog) Label(ref string) string {
	return fmt.Sprintf("%s %s", c.Short, ref)
}
