package assessments

import (
	"fmt"
	"strings"

	"github.com/annex-grc/annex/catalogs"
)

// An audit's scope is typed as a short list, the way auditors write it in a plan:
//
//	ISO 42001 8, ISO 42001 A.6, ISO 27001 A.8.25-A.8.29
//
// Items are separated by commas, semicolons or new lines. Each names a standard (its short
// name "ISO 42001", its number "42001" or its id "iso42001-2023", optionally followed by a
// colon) and then a requirement ("A.5.15"), a clause or Annex A group ("8", "A.6": every
// requirement under it), a range in catalog order ("A.8.25-A.8.29"), or "all". The standard
// may be left out when only one standard of the engagement has what follows.

// ParseScope reads a typed scope into requirements, in the engagement's order of standards
// and each catalog's order. It returns one message per item it could not read.
func ParseScope(set *catalogs.Set, e Engagement, text string) ([]ControlRef, []string) {
	var problems []string
	chosen := map[ControlRef]bool{}
	for _, item := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		refs, err := parseScopeItem(set, e, item)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		for _, r := range refs {
			chosen[r] = true
		}
	}
	return orderScope(set, e, chosen), problems
}

// orderScope lists chosen requirements by the engagement's standards, then catalog order.
func orderScope(set *catalogs.Set, e Engagement, chosen map[ControlRef]bool) []ControlRef {
	var out []ControlRef
	for _, std := range e.Standards {
		c, ok := set.Get(std)
		if !ok {
			continue
		}
		for _, req := range c.Requirements {
			if k := (ControlRef{Standard: std, Ref: req.Ref}); chosen[k] {
				out = append(out, k)
			}
		}
	}
	return out
}

func parseScopeItem(set *catalogs.Set, e Engagement, item string) ([]ControlRef, error) {
	cats, spec := scopeStandard(set, e, item)
	if len(cats) == 0 {
		for _, std := range e.Standards {
			if c, ok := set.Get(std); ok {
				cats = append(cats, c)
			}
		}
	}
	spec = strings.Join(strings.Fields(spec), "")
	spec = strings.ReplaceAll(strings.ReplaceAll(spec, "–", "-"), "—", "-")
	if spec == "" {
		return nil, fmt.Errorf("%q names a standard but no requirement", item)
	}
	var found []ControlRef
	var names []string
	for _, c := range cats {
		refs := matchScope(c, spec)
		if len(refs) > 0 {
			found = append(found, refs...)
			names = append(names, c.Short)
		}
	}
	switch len(names) {
	case 0:
		if len(cats) == 1 {
			return nil, fmt.Errorf("%s has no requirement %s", cats[0].Short, spec)
		}
		return nil, fmt.Errorf("no standard of the engagement has a requirement %s", spec)
	case 1:
		return found, nil
	}
	return nil, fmt.Errorf("%s is in both %s: write %s %s or %s %s", spec, strings.Join(names, " and "), names[0], spec, names[1], spec)
}

// scopeStandard splits a leading standard name off an item. With none, cats is empty.
func scopeStandard(set *catalogs.Set, e Engagement, item string) (cats []*catalogs.Catalog, spec string) {
	if name, rest, ok := strings.Cut(item, ":"); ok {
		if c := findStandard(set, e, name); c != nil {
			return []*catalogs.Catalog{c}, rest
		}
	}
	if c := findStandard(set, e, item); c != nil {
		return []*catalogs.Catalog{c}, ""
	}
	f := strings.Fields(item)
	for n := min(2, len(f)-1); n >= 1; n-- {
		if c := findStandard(set, e, strings.Join(f[:n], "")); c != nil {
			return []*catalogs.Catalog{c}, strings.Join(f[n:], " ")
		}
	}
	return nil, item
}

// findStandard finds a standard of the engagement by id, short name or number.
func findStandard(set *catalogs.Set, e Engagement, name string) *catalogs.Catalog {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), "")) }
	name = norm(name)
	if name == "" {
		return nil
	}
	for _, id := range e.Standards {
		c, ok := set.Get(id)
		if !ok {
			continue
		}
		short := norm(c.Short)
		base, _, _ := strings.Cut(strings.ToLower(c.ID), "-")
		if name == strings.ToLower(c.ID) || name == short || name == base || name == strings.TrimPrefix(short, "iso") {
			return c
		}
	}
	return nil
}

// matchScope reads one spec against one catalog: all, a ref, a group or clause prefix, or
// a range.
func matchScope(c *catalogs.Catalog, spec string) []ControlRef {
	canon := func(s string) string {
		if len(s) > 1 && (s[0] == 'a' || s[0] == 'A') && s[1] == '.' {
			return "A" + s[1:]
		}
		return s
	}
	var out []ControlRef
	add := func(ref string) { out = append(out, ControlRef{Standard: c.ID, Ref: ref}) }
	if strings.EqualFold(spec, "all") || spec == "*" {
		for _, r := range c.Requirements {
			add(r.Ref)
		}
		return out
	}
	if _, ok := c.Requirement(canon(spec)); ok {
		add(canon(spec))
		return out
	}
	if from, to, ok := strings.Cut(spec, "-"); ok {
		from, to = canon(strings.TrimSuffix(from, ".")), canon(strings.TrimSuffix(to, "."))
		_, okFrom := c.Requirement(from)
		_, okTo := c.Requirement(to)
		if !okFrom || !okTo {
			return nil
		}
		in := false
		for _, r := range c.Requirements {
			if r.Ref == from {
				in = true
			}
			if in {
				add(r.Ref)
			}
			if r.Ref == to {
				if !in {
					return nil // the range runs backwards
				}
				return out
			}
		}
		return nil
	}
	p := canon(strings.TrimSuffix(spec, "."))
	for _, r := range c.Requirements {
		if r.Ref == p || strings.HasPrefix(r.Ref, p+".") || r.Group == p {
			add(r.Ref)
		}
	}
	return out
}

// ScopeText writes requirements back as the short list ParseScope reads: a whole standard
// as "all", whole groups by their id, consecutive requirements as ranges.
func ScopeText(set *catalogs.Set, refs []ControlRef) string {
	chosen := map[ControlRef]bool{}
	var stds []string
	for _, r := range refs {
		if !chosen[r] {
			chosen[r] = true
			if !containsString(stds, r.Standard) {
				stds = append(stds, r.Standard)
			}
		}
	}
	var items []string
	for _, std := range stds {
		c, ok := set.Get(std)
		if !ok {
			for _, r := range refs {
				if r.Standard == std {
					items = append(items, std+":"+r.Ref)
				}
			}
			continue
		}
		name := c.Short + " "
		if len(strings.Fields(c.Short)) > 2 || strings.Contains(c.Short, ":") {
			name = c.ID + ":"
		}
		in := func(ref string) bool { return chosen[ControlRef{Standard: std, Ref: ref}] }
		all := true
		for _, r := range c.Requirements {
			all = all && in(r.Ref)
		}
		if all {
			items = append(items, name+"all")
			continue
		}
		// Walk group by group: a whole group by its id, else runs of consecutive refs.
		for _, g := range c.Groups {
			var reqs []catalogs.Requirement
			for _, r := range c.Requirements {
				if r.Group == g.ID {
					reqs = append(reqs, r)
				}
			}
			whole := len(reqs) > 0
			for _, r := range reqs {
				whole = whole && in(r.Ref)
			}
			if whole && matchesGroup(c, g.ID, reqs) {
				items = append(items, name+g.ID)
				continue
			}
			for i := 0; i < len(reqs); i++ {
				if !in(reqs[i].Ref) {
					continue
				}
				j := i
				for j+1 < len(reqs) && in(reqs[j+1].Ref) {
					j++
				}
				if p := commonPrefix(reqs[i : j+1]); j > i && p != "" && matchesGroup(c, p, reqs[i:j+1]) {
					items = append(items, name+p)
					i = j
					continue
				}
				switch j - i {
				case 0:
					items = append(items, name+reqs[i].Ref)
				case 1:
					items = append(items, name+reqs[i].Ref, name+reqs[j].Ref)
				default:
					items = append(items, name+reqs[i].Ref+"-"+reqs[j].Ref)
				}
				i = j
			}
		}
	}
	return strings.Join(items, ", ")
}

// matchesGroup reports whether writing the group's id selects exactly its requirements.
func matchesGroup(c *catalogs.Catalog, id string, reqs []catalogs.Requirement) bool {
	got := matchScope(c, id)
	if len(got) != len(reqs) {
		return false
	}
	for i := range got {
		if got[i].Ref != reqs[i].Ref {
			return false
		}
	}
	return true
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ScopeCounts says how many requirements of each standard a scope holds ("ISO 42001: 13,
// ISO 27001: 5").
func ScopeCounts(set *catalogs.Set, refs []ControlRef) string {
	var order []string
	n := map[string]int{}
	for _, r := range refs {
		if n[r.Standard] == 0 {
			order = append(order, r.Standard)
		}
		n[r.Standard]++
	}
	var parts []string
	for _, std := range order {
		name := std
		if c, ok := set.Get(std); ok {
			name = c.Short
		}
		parts = append(parts, fmt.Sprintf("%s: %d", name, n[std]))
	}
	return strings.Join(parts, ", ")
}

// commonPrefix is the longest dotted prefix the refs share ("9.2" of 9.2.1 and 9.2.2), or "".
func commonPrefix(reqs []catalogs.Requirement) string {
	parts := strings.Split(reqs[0].Ref, ".")
	n := len(parts) - 1
	for _, r := range reqs[1:] {
		other := strings.Split(r.Ref, ".")
		k := 0
		for k < n && k < len(other) && other[k] == parts[k] {
			k++
		}
		n = k
	}
	if n == 0 || (n == 1 && parts[0] == "A") {
		return ""
	}
	return strings.Join(parts[:n], ".")
}
