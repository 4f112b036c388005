package catalogs

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// These tests pin the structure of the standards that the built-in catalogs record beyond
// refs and titles: control objectives, Annex B references, clause pointers to Annex A,
// control purposes and documented information. Each compares against the standard's own
// layout written out here, so an edit that drops or misplaces one fails.

func builtinCatalog(t *testing.T, id string) *Catalog {
	t.Helper()
	c, ok := MustBuiltin().Get(id)
	if !ok {
		t.Fatalf("built-in catalog %s missing", id)
	}
	return c
}

func TestStructure42001Objectives(t *testing.T) {
	c := builtinCatalog(t, ISO42001)
	want := []string{"A.2", "A.3", "A.4", "A.5", "A.6.1", "A.6.2", "A.7", "A.8", "A.9", "A.10"}
	var got []string
	for _, o := range c.Objectives {
		got = append(got, o.ID)
		if n := len(strings.TrimSpace(o.Text)); n < 40 {
			t.Errorf("objective %s: text has %d characters, want the aim in our words (at least 40)", o.ID, n)
		}
		if g, ok := c.Group(o.Group); !ok || g.Kind != KindControl {
			t.Errorf("objective %s: group %q is not an Annex A area", o.ID, o.Group)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("42001 objectives = %v, want the ten of Annex A: %v", got, want)
	}
	for id, title := range map[string]string{"A.6.1": "Management guidance for AI system development", "A.6.2": "AI system life cycle"} {
		if o, _ := c.Objective(id); o.Title != title || o.Group != "A.6" {
			t.Errorf("objective %s = %q in group %q, want %q in A.6", id, o.Title, o.Group, title)
		}
	}
	// Every control serves exactly the objective its ref falls under; every objective has controls.
	served := map[string]int{}
	for _, r := range c.Requirements {
		o, ok := c.ControlObjective(r)
		if r.Kind == KindClause {
			if ok {
				t.Errorf("clause %s has control objective %s", r.Ref, o.ID)
			}
			continue
		}
		wantID := r.Group
		if r.Group == "A.6" {
			wantID = r.Ref[:len("A.6.1")]
		}
		if !ok || o.ID != wantID {
			t.Errorf("control %s serves objective %q, want %s", r.Ref, o.ID, wantID)
		}
		served[o.ID]++
	}
	for _, id := range want {
		if served[id] == 0 {
			t.Errorf("objective %s covers no control", id)
		}
	}
	if served["A.6.1"] != 2 || served["A.6.2"] != 7 {
		t.Errorf("A.6.1 covers %d controls and A.6.2 %d, want 2 and 7", served["A.6.1"], served["A.6.2"])
	}
	// The aims live in the objectives only, so A.6 cannot show one aim for both of its halves.
	for _, g := range c.Groups {
		if g.Objective != "" {
			t.Errorf("group %s carries an objective of its own; 42001 objectives belong in the objectives list", g.ID)
		}
	}
}

func TestStructure42001AnnexB(t *testing.T) {
	c := builtinCatalog(t, ISO42001)
	controls := 0
	for _, r := range c.Requirements {
		if r.Kind == KindClause {
			if r.AnnexB != "" {
				t.Errorf("clause %s has an Annex B reference %q", r.Ref, r.AnnexB)
			}
			continue
		}
		controls++
		// Annex B mirrors Annex A: the guidance for A.x.y is B.x.y.
		if want := "B" + strings.TrimPrefix(r.Ref, "A"); r.AnnexB != want {
			t.Errorf("control %s: annex_b = %q, want %s", r.Ref, r.AnnexB, want)
		}
	}
	if controls != 38 {
		t.Errorf("checked %d controls, want 38", controls)
	}
	for _, r := range builtinCatalog(t, ISO27001).Requirements {
		if r.AnnexB != "" || len(r.AnnexA) != 0 {
			t.Errorf("27001 %s carries 42001 Annex A/B references", r.Ref)
		}
	}
}

// pointers42001 are the clauses of 42001 whose text points to Annex A controls or areas.
var pointers42001 = map[string][]string{
	"5.2":   {"A.2"},
	"5.3":   {"A.3.2"},
	"6.1.4": {"A.5"},
	"6.2":   {"A.6.1.2", "A.6.1.3", "A.9.3"},
	"7.1":   {"A.4"},
}

func TestStructure42001ClausePointers(t *testing.T) {
	c := builtinCatalog(t, ISO42001)
	got := map[string][]string{}
	for _, r := range c.Requirements {
		if len(r.AnnexA) == 0 {
			continue
		}
		if r.Kind != KindClause {
			t.Errorf("control %s points to Annex A; only clauses do", r.Ref)
		}
		got[r.Ref] = r.AnnexA
		for _, p := range r.AnnexA {
			_, isReq := c.Requirement(p)
			_, isObj := c.Objective(p)
			_, isGroup := c.Group(p)
			if !isReq && !isObj && !isGroup {
				t.Errorf("%s points to %s, which is not in the catalog", r.Ref, p)
			}
		}
	}
	if !maps.EqualFunc(got, pointers42001, slices.Equal) {
		t.Errorf("clause pointers = %v, want %v", got, pointers42001)
	}
}

func TestStructure27001Purpose(t *testing.T) {
	c := builtinCatalog(t, ISO27001)
	seen := map[string]string{}
	controls := 0
	for _, r := range c.Requirements {
		p := r.Purpose
		if r.Kind == KindClause {
			if p != "" {
				t.Errorf("clause %s has a purpose; purposes belong to Annex A controls", r.Ref)
			}
			continue
		}
		controls++
		if problem := purposeProblem(p); problem != "" {
			t.Errorf("control %s: purpose %q: %s", r.Ref, p, problem)
		}
		if prev, dup := seen[p]; dup && p != "" {
			t.Errorf("control %s has the purpose of %s", r.Ref, prev)
		}
		seen[p] = r.Ref
		if p != "" && strings.Contains(r.Guidance, strings.TrimSuffix(p, ".")) {
			t.Errorf("control %s: the purpose repeats the guidance", r.Ref)
		}
	}
	if controls != 93 {
		t.Errorf("checked %d 27001 controls, want 93", controls)
	}
	for _, r := range builtinCatalog(t, ISO42001).Requirements {
		if r.Purpose != "" {
			t.Errorf("42001 %s has a purpose; 42001 states aims per objective", r.Ref)
		}
	}
}

// purposeProblem says what is wrong with a control's purpose, or "". A purpose is one
// sentence in annex's words: it states the outcome, never opening with "To ..." as the
// purposes in ISO/IEC 27002 do, which keeps our wording apart from theirs.
func purposeProblem(p string) string {
	p = strings.TrimSpace(p)
	switch n := len([]rune(p)); {
	case n == 0:
		return "missing"
	case n < 40 || n > 200:
		return "want one sentence of 40 to 200 characters"
	}
	if strings.HasPrefix(p, "To ") {
		return `opens with "To", the pattern of ISO/IEC 27002's own purposes; state the outcome instead`
	}
	if !strings.HasSuffix(p, ".") {
		return "does not end with a full stop"
	}
	if strings.ContainsAny(p, "\n") || strings.Contains(p[:len(p)-1], ". ") || strings.ContainsAny(p, "?!;") {
		return "is more than one sentence"
	}
	return ""
}

// TestPurposeCheckFails makes sure the purpose check can fail.
func TestPurposeCheckFails(t *testing.T) {
	for _, bad := range []string{"", "Too short.", "To ensure the correct and secure operation of information processing facilities.",
		"Backups can be restored after an incident and are tested. They are kept off site.", "Backups can be restored after loss, corruption or attack"} {
		if purposeProblem(bad) == "" {
			t.Errorf("purpose %q passed the check", bad)
		}
	}
	if p := "Backups can be restored after loss, corruption or attack."; purposeProblem(p) != "" {
		t.Errorf("good purpose refused: %s", purposeProblem(p))
	}
}

// documented lists, per standard, the requirements a lead auditor's "mandatory documented
// information" checklist holds: clauses that ask for documented information, and Annex A
// controls whose text asks for something to be documented (or is itself a document or log).
var documented = map[string][]string{
	ISO27001: {"4.3", "5.2", "6.1.2", "6.1.3", "6.2", "7.2", "7.5.1", "7.5.2", "7.5.3", "8.1", "8.2", "8.3", "9.1", "9.2.2", "9.3.3", "10.2",
		"A.5.1", "A.5.9", "A.5.10", "A.5.26", "A.5.31", "A.5.37", "A.6.2", "A.6.6", "A.8.15", "A.8.27"},
	ISO42001: {"4.3", "5.2", "6.1.2", "6.1.3", "6.1.4", "6.2", "7.2", "7.5.1", "7.5.2", "7.5.3", "8.1", "8.2", "8.3", "8.4", "9.1", "9.2.2", "9.3.3", "10.2",
		"A.2.2", "A.4.2", "A.4.3", "A.4.4", "A.4.5", "A.4.6", "A.5.3", "A.5.4", "A.5.5", "A.6.1.2", "A.6.1.3",
		"A.6.2.2", "A.6.2.3", "A.6.2.4", "A.6.2.5", "A.6.2.6", "A.6.2.7", "A.6.2.8", "A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.7.6",
		"A.8.2", "A.8.4", "A.8.5", "A.9.2", "A.9.3"},
}

func TestStructureDocumentedInformation(t *testing.T) {
	for id, want := range documented {
		c := builtinCatalog(t, id)
		var got []string
		for _, r := range c.Requirements {
			if !r.NeedsDocuments() {
				continue
			}
			got = append(got, r.Ref)
			for i, d := range r.Documents {
				if !slices.Contains(DocumentKinds, d.Kind) {
					t.Errorf("%s %s: documented_information[%d] kind %q", id, r.Ref, i, d.Kind)
				}
				if n := len([]rune(strings.TrimSpace(d.Note))); n < 8 || n > 160 {
					t.Errorf("%s %s: documented_information[%d] note has %d characters, want a short note (8 to 160)", id, r.Ref, i, n)
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: requirements flagged for documented information\n got %v\nwant %v", id, got, want)
		}
	}
	// Spot checks of what the documents are.
	for _, tc := range []struct{ std, ref, kind, contains string }{
		{ISO27001, "6.1.3", DocDocument, "Statement of Applicability"},
		{ISO27001, "6.1.3", DocDocument, "risk owners"},
		{ISO42001, "6.1.3", DocDocument, "designated management"},
		{ISO42001, "6.1.4", DocRecord, "impact assessments"},
		{ISO27001, "A.8.15", DocRecord, "Logs"},
		{ISO42001, "A.6.2.8", DocRecord, "Event logs"},
		{ISO27001, "10.2", DocRecord, "corrective action"},
	} {
		r, _ := builtinCatalog(t, tc.std).Requirement(tc.ref)
		found := false
		for _, d := range r.Documents {
			found = found || (d.Kind == tc.kind && strings.Contains(d.Note, tc.contains))
		}
		if !found {
			t.Errorf("%s %s: no %s mentioning %q in %+v", tc.std, tc.ref, tc.kind, tc.contains, r.Documents)
		}
	}
}

// hyphenBreak finds a word broken at a hyphen, as a folded YAML line ending in "infrastructure-"
// leaves it: "infrastructure- as-code". Suspended hyphens ("short- and long-term") are caught
// too; write such phrases out in full.
var hyphenBreak = regexp.MustCompile(`\pL-\s+\pL`)

// catalogTexts lists every piece of text a catalog carries, each with where it is.
func catalogTexts(c *Catalog) map[string]string {
	out := map[string]string{"name": c.Name, "description": c.Description}
	for _, g := range c.Groups {
		out["group "+g.ID+" title"] = g.Title
		out["group "+g.ID+" objective"] = g.Objective
	}
	for _, o := range c.Objectives {
		out["objective "+o.ID+" title"] = o.Title
		out["objective "+o.ID+" text"] = o.Text
	}
	for _, r := range c.Requirements {
		at := r.Ref + " "
		out[at+"title"], out[at+"guidance"], out[at+"purpose"] = r.Title, r.Guidance, r.Purpose
		for i, q := range r.Questions {
			out[fmt.Sprintf("%squestion %d", at, i+1)] = q
		}
		for i, e := range r.Evidence {
			out[fmt.Sprintf("%sevidence %d", at, i+1)] = e
		}
		for i, d := range r.Documents {
			out[fmt.Sprintf("%sdocumented information %d", at, i+1)] = d.Note
		}
	}
	return out
}

func TestNoHyphenBreaks(t *testing.T) {
	set := MustBuiltin()
	texts := map[string]string{}
	for _, c := range set.Catalogs {
		for where, s := range catalogTexts(c) {
			texts[c.ID+" "+where] = s
		}
	}
	for _, cw := range set.Crosswalks {
		for _, e := range cw.Entries {
			texts["crosswalk "+e.Target+" no counterpart"] = e.NoCounterpart
			for _, l := range e.Links {
				texts["crosswalk "+l.Source+" -> "+e.Target] = l.Rationale
			}
		}
	}
	if len(texts) < 1000 {
		t.Fatalf("only %d texts checked; the walk misses some", len(texts))
	}
	for where, s := range texts {
		if m := hyphenBreak.FindString(s); m != "" {
			t.Errorf("%s: broken hyphenation %q", where, m)
		}
	}
}

// TestHyphenBreakDetector makes sure the hyphenation check can fail.
func TestHyphenBreakDetector(t *testing.T) {
	for _, bad := range []string{"low-code or infrastructure- as-code work", "follow language-\nspecific guidelines", "short- and long-term"} {
		if !hyphenBreak.MatchString(bad) {
			t.Errorf("%q passed", bad)
		}
	}
	for _, good := range []string{"infrastructure-as-code", "language-specific rules", "A.5.1 - A.5.3", "risk - and more"} {
		if hyphenBreak.MatchString(good) {
			t.Errorf("%q refused", good)
		}
	}
}
