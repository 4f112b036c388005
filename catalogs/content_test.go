package catalogs

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// The built-in catalogs are the product's workshop content; these tests pin its completeness
// and quality so a later edit cannot quietly drop a question or paste a guidance text twice.

func builtinCatalogs(t *testing.T) []*Catalog {
	t.Helper()
	set, err := Builtin()
	if err != nil {
		t.Fatalf("load built-in catalogs: %v", err)
	}
	var out []*Catalog
	for _, id := range []string{ISO27001, ISO42001} {
		c, ok := set.Get(id)
		if !ok {
			t.Fatalf("built-in catalog %s missing", id)
		}
		out = append(out, c)
	}
	return out
}

func TestContentEveryRequirement(t *testing.T) {
	for _, c := range builtinCatalogs(t) {
		for _, r := range c.Requirements {
			where := c.ID + " " + r.Ref
			if n := utf8.RuneCountInString(strings.TrimSpace(r.Guidance)); n < 120 {
				t.Errorf("%s: guidance has %d characters, want at least 120", where, n)
			}
			if n := len(r.Questions); n < 2 || n > 4 {
				t.Errorf("%s: %d questions, want 2 to 4", where, n)
			}
			if n := len(r.Evidence); n < 3 || n > 6 {
				t.Errorf("%s: %d evidence items, want 3 to 6", where, n)
			}
			for i, q := range r.Questions {
				if strings.TrimSpace(q) == "" {
					t.Errorf("%s: question %d is empty", where, i+1)
				}
			}
			for i, e := range r.Evidence {
				if strings.TrimSpace(e) == "" {
					t.Errorf("%s: evidence item %d is empty", where, i+1)
				}
			}
			if strings.ContainsRune(r.Guidance, '\t') {
				t.Errorf("%s: guidance contains a tab", where)
			}
		}
	}
}

// normalizeText lowercases and keeps letters and digits as words, so punctuation and spacing
// differences do not hide a copy.
func normalizeText(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// shingles are the word trigrams of a text.
func shingles(words []string) map[string]bool {
	out := map[string]bool{}
	for i := 0; i+3 <= len(words); i++ {
		out[strings.Join(words[i:i+3], " ")] = true
	}
	return out
}

// jaccard is |a∩b| / |a∪b|.
func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter := 0
	for k := range a {
		if b[k] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// nearDuplicateThreshold: two independently written guidance texts share well under a fifth
// of their word trigrams (the closest built-in pair shares 14%); a copied-then-tweaked text
// shares far more.
const nearDuplicateThreshold = 0.3

func TestContentGuidanceUnique(t *testing.T) {
	type text struct {
		where string
		norm  string
		sh    map[string]bool
	}
	var all []text
	exact := map[string]string{}
	for _, c := range builtinCatalogs(t) {
		for _, r := range c.Requirements {
			where := c.ID + " " + r.Ref
			words := normalizeText(r.Guidance)
			norm := strings.Join(words, " ")
			if prev, ok := exact[norm]; ok {
				t.Errorf("%s: guidance is the same as %s", where, prev)
			}
			exact[norm] = where
			all = append(all, text{where, norm, shingles(words)})
		}
	}
	for i := range all {
		for j := i + 1; j < len(all); j++ {
			if s := jaccard(all[i].sh, all[j].sh); s >= nearDuplicateThreshold {
				t.Errorf("%s and %s: guidance texts are nearly alike (%.0f%% of word trigrams shared)", all[i].where, all[j].where, 100*s)
			}
		}
	}
}

// TestNearDuplicateDetector makes sure the similarity check can fail.
func TestNearDuplicateDetector(t *testing.T) {
	a := "Keep an inventory of information assets with a named owner for each, review it twice a year and after big changes, and tie it to the risk register."
	b := "Keep an inventory of information assets with a named owner for each, review it once a year and after big changes, and tie it to the risk register."
	c := "Backups are taken on a schedule that matches how much data the business can afford to lose, are kept apart from production and are restored in tests."
	if s := jaccard(shingles(normalizeText(a)), shingles(normalizeText(b))); s < nearDuplicateThreshold {
		t.Errorf("tweaked copy scored %.2f, want at least %.2f", s, nearDuplicateThreshold)
	}
	if s := jaccard(shingles(normalizeText(a)), shingles(normalizeText(c))); s >= nearDuplicateThreshold {
		t.Errorf("different texts scored %.2f, want below %.2f", s, nearDuplicateThreshold)
	}
}

func TestContent27001Attributes(t *testing.T) {
	c := builtinCatalogs(t)[0]
	controls := 0
	for _, r := range c.Requirements {
		if r.Kind != KindControl {
			if r.Attributes != nil {
				t.Errorf("clause %s carries 27002 attributes", r.Ref)
			}
			continue
		}
		controls++
		a := r.Attributes
		if a == nil {
			t.Errorf("%s: no 27002 attributes", r.Ref)
			continue
		}
		families := []struct {
			name    string
			got     []string
			allowed []string
		}{
			{"control_type", a.ControlType, ControlTypes},
			{"security_properties", a.SecurityProperties, SecurityProperties},
			{"cybersecurity_concepts", a.CybersecurityConcepts, CybersecurityConcepts},
			{"operational_capabilities", a.OperationalCapabilities, OperationalCapabilities},
			{"security_domains", a.SecurityDomains, SecurityDomains},
		}
		for _, f := range families {
			if len(f.got) == 0 {
				t.Errorf("%s: attribute %s is empty", r.Ref, f.name)
			}
			seen := map[string]bool{}
			for _, tok := range f.got {
				if !slices.Contains(f.allowed, tok) {
					t.Errorf("%s: %s value %q is not one of the standard's values", r.Ref, f.name, tok)
				}
				if seen[tok] {
					t.Errorf("%s: %s value %q listed twice", r.Ref, f.name, tok)
				}
				seen[tok] = true
			}
		}
	}
	if controls != 93 {
		t.Errorf("checked %d 27001 controls, want 93", controls)
	}
}

func TestContent42001AnnexC(t *testing.T) {
	c := builtinCatalogs(t)[1]
	for _, r := range c.Requirements {
		if r.Attributes != nil {
			t.Errorf("%s: a 42001 requirement carries 27002 attributes", r.Ref)
		}
		if r.Kind != KindControl {
			continue
		}
		if r.AnnexC == nil || len(r.AnnexC.Objectives) == 0 {
			t.Errorf("%s: no Annex C objective", r.Ref)
			continue
		}
		for _, o := range r.AnnexC.Objectives {
			if !slices.Contains(AnnexCObjectives, o) {
				t.Errorf("%s: Annex C objective %q unknown", r.Ref, o)
			}
		}
		for _, s := range r.AnnexC.RiskSources {
			if !slices.Contains(AnnexCRiskSources, s) {
				t.Errorf("%s: Annex C risk source %q unknown", r.Ref, s)
			}
		}
	}
}

func TestContentCrosswalk(t *testing.T) {
	set := MustBuiltin()
	var cw *Crosswalk
	for _, x := range set.Crosswalks {
		if x.Source == ISO27001 && x.Target == ISO42001 {
			cw = x
		}
	}
	if cw == nil {
		t.Fatal("no crosswalk from 27001 to 42001")
	}
	src, _ := set.Get(ISO27001)
	dst, _ := set.Get(ISO42001)
	reviewed := map[string]int{}
	for _, e := range cw.Entries {
		reviewed[e.Target]++
		if _, ok := dst.Requirement(e.Target); !ok {
			t.Errorf("crosswalk target %s is not a 42001 requirement", e.Target)
		}
		if (len(e.Links) == 0) == (strings.TrimSpace(e.NoCounterpart) == "") {
			t.Errorf("crosswalk target %s needs links or a no-counterpart reason, not both or neither", e.Target)
		}
		pairs := map[string]bool{}
		for _, l := range e.Links {
			if _, ok := src.Requirement(l.Source); !ok {
				t.Errorf("crosswalk link %s -> %s: %s is not a 27001 requirement", l.Source, e.Target, l.Source)
			}
			if !l.Relationship.Valid() {
				t.Errorf("crosswalk link %s -> %s: relationship %q unknown", l.Source, e.Target, l.Relationship)
			}
			if len(strings.TrimSpace(l.Rationale)) < 20 {
				t.Errorf("crosswalk link %s -> %s: rationale too short", l.Source, e.Target)
			}
			if pairs[l.Source] {
				t.Errorf("crosswalk link %s -> %s listed twice", l.Source, e.Target)
			}
			pairs[l.Source] = true
		}
	}
	for _, r := range dst.Requirements {
		if n := reviewed[r.Ref]; n != 1 {
			t.Errorf("42001 %s reviewed %d times in the crosswalk, want exactly once", r.Ref, n)
		}
	}
	for _, ref := range []string{"6.1.4", "8.4"} {
		if m := set.MappingsFor(ISO42001, ref); len(m) != 0 {
			t.Errorf("42001 %s has %d counterparts, want none", ref, len(m))
		}
		if _, ok := set.NoCounterpart(ISO42001, ref); !ok {
			t.Errorf("42001 %s has no explicit no-counterpart reason", ref)
		}
	}
	// Same-numbered harmonized clauses correspond, apart from the two AI-only ones.
	for _, r := range dst.Requirements {
		if r.Kind != KindClause || r.Ref == "6.1.4" || r.Ref == "8.4" {
			continue
		}
		if _, ok := src.Requirement(r.Ref); !ok {
			continue
		}
		found := false
		for _, m := range set.MappingsFor(ISO42001, r.Ref) {
			found = found || (m.Standard == ISO27001 && m.Ref == r.Ref)
		}
		if !found {
			t.Errorf("42001 clause %s is not linked to 27001 clause %s", r.Ref, r.Ref)
		}
	}
}

// TestContentReviewCorrections pins the corrections of the expert review (issue #11), so a
// later edit cannot bring back a 27001 idea where 42001 says something else.
func TestContentReviewCorrections(t *testing.T) {
	set := MustBuiltin()
	req := func(std, ref string) Requirement {
		c, _ := set.Get(std)
		r, ok := c.Requirement(ref)
		if !ok {
			t.Fatalf("%s %s missing", std, ref)
		}
		return r
	}
	all := func(r Requirement) string {
		return strings.ToLower(strings.Join(append(append([]string{r.Guidance}, r.Questions...), r.Evidence...), "\n"))
	}
	// 42001 6.1.3: designated management approves the plan; Annex B guidance is considered.
	r := req(ISO42001, "6.1.3")
	if g := strings.ToLower(r.Guidance); !strings.Contains(g, "designated") || !strings.Contains(g, "annex b") {
		t.Error("42001 6.1.3 guidance must name designated management and the Annex B guidance")
	}
	for _, s := range append(slices.Clone(r.Questions), r.Evidence...) {
		if strings.Contains(strings.ToLower(s), "risk owner") {
			t.Errorf("42001 6.1.3 still expects risk owners: %q", s)
		}
	}
	// 42001 9.3.2: interested-party feedback is a 27001 input, not a 42001 one.
	r = req(ISO42001, "9.3.2")
	if strings.Contains(strings.ToLower(r.Guidance), "feedback from interested parties") {
		t.Error("42001 9.3.2 lists feedback from interested parties as a required input")
	}
	for _, e := range r.Evidence {
		if strings.Contains(strings.ToLower(e), "feedback") {
			t.Errorf("42001 9.3.2 evidence expects feedback: %q", e)
		}
	}
	// 27001 4.1 and 4.2: the climate change consideration of Amendment 1 (2024).
	for _, ref := range []string{"4.1", "4.2"} {
		if a := all(req(ISO27001, ref)); !strings.Contains(a, "climate") || !strings.Contains(a, "amendment 1") {
			t.Errorf("27001 %s does not mention the climate change consideration of Amendment 1", ref)
		}
	}
	// 42001 A.2.2: deviations and exceptions; A.6.2.6: AI-specific threats to watch for.
	if a := all(req(ISO42001, "A.2.2")); !strings.Contains(a, "exception") {
		t.Error("42001 A.2.2 does not cover exceptions to the AI policy")
	}
	for _, threat := range []string{"data poisoning", "model stealing", "model inversion"} {
		if !strings.Contains(strings.ToLower(req(ISO42001, "A.6.2.6").Guidance), threat) {
			t.Errorf("42001 A.6.2.6 guidance does not name %s", threat)
		}
	}
}

// TestCrosswalkReviewCorrections pins the links the expert review (issue #11) corrected or
// added, and the requirements that stay without a 27001 counterpart.
func TestCrosswalkReviewCorrections(t *testing.T) {
	set := MustBuiltin()
	rel := func(source, target string) (Relationship, bool) {
		for _, m := range set.MappingsFor(ISO42001, target) {
			if m.Standard == ISO27001 && m.Ref == source {
				return m.Relationship, true
			}
		}
		return "", false
	}
	for _, tc := range []struct {
		source, target string
		want           Relationship
	}{
		{"9.3.2", "9.3.2", Superset},
		{"6.1.2", "6.1.2", Intersects},
		{"6.1.3", "6.1.3", Intersects},
		{"A.6.8", "A.3.3", Related},
		{"A.8.6", "A.4.5", Related},
		{"A.5.37", "A.6.2.7", Intersects},
		{"6.1.2", "A.5.2", Related},
		{"A.5.34", "A.5.4", Related},
		{"7.5.3", "A.5.3", Related},
		{"A.5.33", "A.5.3", Related},
		{"A.8.11", "A.7.6", Related},
		{"6.2", "A.6.1.2", Related},
		{"4.2", "A.10.4", Related},
		{"5.2", "A.2.2", Related},
		{"5.3", "A.3.2", Related},
		{"A.5.25", "A.8.4", Related},
		{"A.6.8", "A.8.4", Related},
		{"A.5.19", "A.10.2", Related},
		{"A.8.10", "A.7.2", Related},
		{"A.5.33", "A.7.5", Related},
	} {
		got, ok := rel(tc.source, tc.target)
		if !ok {
			t.Errorf("27001 %s -> 42001 %s: no link", tc.source, tc.target)
		} else if got != tc.want {
			t.Errorf("27001 %s -> 42001 %s: %s, want %s", tc.source, tc.target, got, tc.want)
		}
	}
	var none []string
	for _, cw := range set.Crosswalks {
		for _, e := range cw.Entries {
			if e.NoCounterpart != "" {
				none = append(none, e.Target)
			}
		}
	}
	if want := []string{"6.1.4", "8.4", "A.5.5", "A.7.4", "A.8.2"}; !slices.Equal(none, want) {
		t.Errorf("no-counterpart targets = %v, want %v", none, want)
	}
	// ISO/IEC 27000 defines integrity as accuracy and completeness, so the A.7.4 gap is about
	// fitness of data for a purpose, not about accuracy or completeness as such.
	why, _ := set.NoCounterpart(ISO42001, "A.7.4")
	if !strings.Contains(why, "purpose") || strings.Contains(why, "no requirement for accuracy") {
		t.Errorf("A.7.4 reason = %q", why)
	}
}
