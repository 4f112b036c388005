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

// Objective is a control objective: the aim shared by a set of controls of one group. It
// covers the requirements of its group whose ref starts with its ID and a dot (A.6.1 covers
// A.6.1.2 and A.6.1.3), or every requirement of the group when its ID is the group's id;
// the longest matching ID wins. ISO/IEC 42001 Annex A has ten: one per area A.2 to A.10,
// except A.6, which has two (A.6.1 and A.6.2). Text is the aim in annex's own words.
type Objective struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title" json:"title"`
	Group string `yaml:"group" json:"group"`
	Text  string `yaml:"text" json:"text"`
}

// Kinds of documented information a requirement asks for.
const (
	// DocDocument is a document kept current (maintained): a policy, a scope, a procedure.
	DocDocument = "document"
	// DocRecord is evidence kept of what was done (retained): results, logs, minutes.
	DocRecord = "record"
)

// DocumentKinds lists the kinds of documented information, in display order.
var DocumentKinds = []string{DocDocument, DocRecord}

// Document is one piece of documented information a requirement asks for: its kind
// (document or record) and a short note, in annex's words, of what it is.
type Document struct {
	Kind string `yaml:"kind" json:"kind"`
	Note string `yaml:"note" json:"note"`
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
	// Purpose is one sentence on what the control is for, in annex's words (ISO/IEC 27002
	// gives every 27001 control a purpose; auditors judge effectiveness against it).
	Purpose string `yaml:"purpose,omitempty" json:"purpose,omitempty"`
	// AnnexA lists the Annex A controls, objectives or areas a clause points to (42001 5.2
	// points to A.2): refs, objective ids or group ids of the same catalog.
	AnnexA []string `yaml:"annex_a,omitempty" json:"annex_a,omitempty"`
	// AnnexB is the reference id of the control's implementation guidance (42001 Annex B).
	AnnexB string `yaml:"annex_b,omitempty" json:"annex_b,omitempty"`
	// Documents is the documented information the requirement asks for; empty when none.
	Documents []Document `yaml:"documented_information,omitempty" json:"documented_information,omitempty"`
}

// NeedsDocuments reports whether the requirement asks for documented information.
func (r Requirement) NeedsDocuments() bool { return len(r.Documents) > 0 }

// Catalog is one standard or framework.
type Catalog struct {
	ID           string        `yaml:"id" json:"id"`
	Name         string        `yaml:"name" json:"name"`
	Short        string        `yaml:"short" json:"short"`
	Description  string        `yaml:"description,omitempty" json:"description,omitempty"`
	Groups       []Group       `yaml:"groups" json:"groups"`
	Objectives   []Objective   `yaml:"objectives,omitempty" json:"objectives,omitempty"`
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

// ControlObjective returns the objective (from the catalog's objectives) that a requirement
// serves: the one of its group whose ID is the group's id or a dotted prefix of its ref, the
// longest such ID winning.
func (c *Catalog) ControlObjective(r Requirement) (Objective, bool) {
	best, found := Objective{}, false
	for _, o := range c.Objectives {
		if o.Group != r.Group || (o.ID != r.Group && !strings.HasPrefix(r.Ref, o.ID+".")) {
			continue
		}
		if !found || len(o.ID) > len(best.ID) {
			best, found = o, true
		}
	}
	return best, found
}

// ObjectiveFor is the aim shown with a requirement: its control objective, or else its
// group's objective (as an Objective with the group's id and title), if either exists.
func (c *Catalog) ObjectiveFor(r Requirement) (Objective, bool) {
	if o, ok := c.ControlObjective(r); ok {
		return o, true
	}
	if g, ok := c.Group(r.Group); ok && strings.TrimSpace(g.Objective) != "" {
		return Objective{ID: g.ID, Title: g.Title, Group: g.ID, Text: g.Objective}, true
	}
	return Objective{}, false
}

// Objective returns the objective with the given id.
func (c *Catalog) Objective(id string) (Objective, bool) {
	for _, o := range c.Objectives {
		if o.ID == id {
			return o, true
		}
	}
	return Objective{}, false
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
	c.buildIndex()
}

// buildIndex builds the look-ups of requirements already in display order.
func (c *Catalog) buildIndex() {
	c.byGroup = make(map[string]int, len(c.Groups))
	for i, g := range c.Groups {
		c.byGroup[g.ID] = i
	}
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
