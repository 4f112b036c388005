package assessments

import (
	"fmt"
	"strings"

	"github.com/annex-grc/annex/catalogs"
)

// ResolveRequirementRef turns what a consultant types into a requirement link: "A.5.15",
// or "iso42001-2023:A.5.2" when the bare ref exists in more than one standard of the
// engagement. A standard may be named by its id, a prefix of it ("iso42001") or its short
// name ("ISO 42001"); refs are matched ignoring the case of their letters.
func ResolveRequirementRef(set *catalogs.Set, e Engagement, arg string) (EvidenceLink, error) {
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return EvidenceLink{}, fmt.Errorf("empty requirement ref")
	}
	find := func(c *catalogs.Catalog, ref string) (string, bool) {
		ref = strings.TrimSpace(ref)
		if _, ok := c.Requirement(ref); ok {
			return ref, true
		}
		if up := strings.ToUpper(ref); up != ref {
			if _, ok := c.Requirement(up); ok {
				return up, true
			}
		}
		return "", false
	}
	if std, ref, ok := strings.Cut(arg, ":"); ok {
		std = strings.TrimSpace(std)
		var matches []*catalogs.Catalog
		for _, id := range e.Standards {
			c, ok := set.Get(id)
			if !ok {
				continue
			}
			if strings.EqualFold(id, std) || strings.EqualFold(c.Short, std) {
				matches = []*catalogs.Catalog{c}
				break
			}
			if strings.HasPrefix(strings.ToLower(id), strings.ToLower(std)) {
				matches = append(matches, c)
			}
		}
		if len(matches) != 1 {
			return EvidenceLink{}, fmt.Errorf("%q does not name one standard of the engagement (%s)", std, strings.Join(e.Standards, ", "))
		}
		r, ok := find(matches[0], ref)
		if !ok {
			return EvidenceLink{}, fmt.Errorf("%s has no requirement %s", matches[0].Short, strings.TrimSpace(ref))
		}
		return EvidenceLink{Target: LinkRequirement, Standard: matches[0].ID, Ref: r}, nil
	}
	var found []EvidenceLink
	var names []string
	for _, id := range e.Standards {
		c, ok := set.Get(id)
		if !ok {
			continue
		}
		if r, ok := find(c, arg); ok {
			found = append(found, EvidenceLink{Target: LinkRequirement, Standard: id, Ref: r})
			names = append(names, c.Short)
		}
	}
	switch len(found) {
	case 0:
		return EvidenceLink{}, fmt.Errorf("no standard of the engagement has a requirement %s", arg)
	case 1:
		return found[0], nil
	}
	qualified := make([]string, len(found))
	for i, f := range found {
		qualified[i] = f.Standard + ":" + f.Ref
	}
	return EvidenceLink{}, fmt.Errorf("%s exists in both %s; qualify it as %s", arg, strings.Join(names, " and "), strings.Join(qualified, " or "))
}

// RequirementRefText is the shortest text ResolveRequirementRef reads back as the link: the
// bare ref when only one standard of the engagement has it, else "standard:ref".
func RequirementRefText(set *catalogs.Set, e Engagement, l EvidenceLink) string {
	n := 0
	for _, id := range e.Standards {
		if c, ok := set.Get(id); ok {
			if _, ok := c.Requirement(l.Ref); ok {
				n++
			}
		}
	}
	if n == 1 && e.HasStandard(l.Standard) {
		return l.Ref
	}
	return l.Standard + ":" + l.Ref
}

// ParseRequirementRefs reads a list of refs separated by commas or spaces. It returns the
// links it understood and one message per ref it could not resolve.
func ParseRequirementRefs(set *catalogs.Set, e Engagement, text string) ([]EvidenceLink, []string) {
	var links []EvidenceLink
	var problems []string
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' || r == '\t' }) {
		l, err := ResolveRequirementRef(set, e, f)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		if !seen[l.String()] {
			seen[l.String()] = true
			links = append(links, l)
		}
	}
	return links, problems
}
