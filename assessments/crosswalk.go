package assessments

import (
	"fmt"

	"github.com/annex-grc/annex/catalogs"
)

// ReadinessOfCatalog computes a standard's readiness from its stored results.
func ReadinessOfCatalog(c *catalogs.Catalog, results map[string]Result) Readiness {
	total, _ := ReadinessByGroup(c, results)
	return total
}

// ReadinessByGroup computes readiness for a catalog and each of its groups.
func ReadinessByGroup(c *catalogs.Catalog, results map[string]Result) (Readiness, map[string]Readiness) {
	reqs := make([]ReqRef, len(c.Requirements))
	for i, r := range c.Requirements {
		reqs[i] = ReqRef{Ref: r.Ref, Group: r.Group}
	}
	return ReadinessOf(reqs, func(ref string) Status { return results[ref].EffectiveStatus() })
}

// Carried is the status a result adopted through the crosswalk takes, given how the source
// requirement relates to the requirement adopting it ("source <rel> target") and the
// source's status. ok is false when there is nothing to adopt.
//
// equal and superset (the source covers all of the target) carry the status as it is;
// subset, intersects and related carry at most partially implemented, and a weaker link's
// "not implemented" says nothing about the target, so it is not carried.
// Not applicable and not assessed are never carried: applicability is decided per standard.
func Carried(rel catalogs.Relationship, source Status) (Status, bool) {
	switch source {
	case Implemented, Partial, NotImplemented:
	default:
		return "", false
	}
	switch rel {
	case catalogs.Equal, catalogs.Superset:
		return source, true
	case catalogs.Subset, catalogs.Intersects, catalogs.Related:
		switch source {
		case Implemented, Partial:
			return Partial, true
		}
	}
	return "", false
}

// Provenance is the text kept with an adopted result, e.g. "from ISO 27001 A.5.1 (equal)".
func Provenance(set *catalogs.Set, m catalogs.Mapping) string {
	name := m.Standard
	if c, ok := set.Get(m.Standard); ok {
		name = c.Short
	}
	return fmt.Sprintf("from %s %s (%s)", name, m.Ref, m.Relationship)
}

// Adopt returns the result after adopting the mapped requirement's status: status carried,
// marked needs review, provenance kept. Notes and owner stay the consultant's.
func Adopt(set *catalogs.Set, current Result, m catalogs.Mapping, source Status) (Result, error) {
	st, ok := Carried(m.Relationship, source)
	if !ok {
		return current, fmt.Errorf("nothing to adopt: %s %s is %s and the link is %s", m.Standard, m.Ref, source.Label(), m.Relationship)
	}
	next := current
	next.Status = st
	next.NeedsReview = true
	next.Provenance = Provenance(set, m)
	if st == NotApplicable {
		next.Justification = current.Justification
	}
	return next, nil
}

// Confirm accepts an adopted result after review: the flag goes, the provenance stays.
func Confirm(r Result) Result {
	r.NeedsReview = false
	return r
}

// Suggestion is one adoption the crosswalk offers for a requirement nobody assessed yet.
type Suggestion struct {
	Standard, Ref string // the requirement that would adopt
	From          catalogs.Mapping
	FromStatus    Status
	Carried       Status
}

// Suggestions lists, for every not-assessed requirement of a standard in scope, the
// adoptions its mapped requirements offer, strongest carried status first per requirement.
func Suggestions(set *catalogs.Set, e Engagement, results map[string]map[string]Result) []Suggestion {
	var out []Suggestion
	for _, std := range e.Standards {
		c, ok := set.Get(std)
		if !ok {
			continue
		}
		for _, req := range c.Requirements {
			if results[std][req.Ref].EffectiveStatus() != NotAssessed {
				continue
			}
			for _, m := range set.MappingsFor(std, req.Ref) {
				if !e.HasStandard(m.Standard) {
					continue
				}
				src := results[m.Standard][m.Ref].EffectiveStatus()
				if st, ok := Carried(m.Relationship, src); ok {
					out = append(out, Suggestion{Standard: std, Ref: req.Ref, From: m, FromStatus: src, Carried: st})
				}
			}
		}
	}
	return out
}

// Coverage is the "how much of standard X does the work on standard By already cover" figure.
type Coverage struct {
	Standard   string // the standard being covered (42001)
	By         string // the standard whose work covers it (27001)
	Applicable int    // applicable requirements of Standard (not N/A)
	Covered    int    // of those, with at least one implemented or partial counterpart in By
}

// Percent is Covered of Applicable in percent.
func (c Coverage) Percent() float64 {
	if c.Applicable == 0 {
		return 0
	}
	return 100 * float64(c.Covered) / float64(c.Applicable)
}

// CoverageFor computes the figure for a standard that is the target of a crosswalk whose
// source is also in the engagement's scope. ok is false when no such crosswalk applies.
func CoverageFor(set *catalogs.Set, e Engagement, standard string, results map[string]map[string]Result) (Coverage, bool) {
	for _, cw := range set.Crosswalks {
		if cw.Target != standard || !e.HasStandard(cw.Source) {
			continue
		}
		c, ok := set.Get(standard)
		if !ok {
			return Coverage{}, false
		}
		cov := Coverage{Standard: standard, By: cw.Source}
		for _, req := range c.Requirements {
			if results[standard][req.Ref].EffectiveStatus() == NotApplicable {
				continue
			}
			cov.Applicable++
			for _, m := range set.MappingsFor(standard, req.Ref) {
				if m.Standard != cw.Source {
					continue
				}
				switch results[m.Standard][m.Ref].EffectiveStatus() {
				case Implemented, Partial:
					cov.Covered++
				default:
					continue
				}
				break
			}
		}
		return cov, true
	}
	return Coverage{}, false
}
