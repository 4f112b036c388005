package assessments

import (
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/catalogs"
)

// FuzzDates: the date and small-value parsers every form, flag and data.json field goes
// through. A value they accept must write back as it was read.
func FuzzDates(f *testing.F) {
	for _, s := range []string{"", "2026-03-31", "2026-02-29", "2024-02-29", "0000-01-01", "9999-12-31", "2026-3-1",
		"2026-03-31T10:00:00Z", "31/03/2026", "+2026-03-31", "２０２６-０３-３１", "2026-03-31\x00", "\xff\xfe",
		"99999999999999999999-01-01", "-1", "0", "5", "6", "implemented", "partially implemented", " 3"} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err == nil && s != "" && d.Format(DateLayout) != s {
			t.Fatalf("ParseDate(%q) accepted a date that writes back as %q", s, d.Format(DateLayout))
		}
		if err == nil && s == "" && !d.IsZero() {
			t.Fatalf("ParseDate(\"\") = %v", d)
		}
		_ = Overdue(s, now)
		if m, err := ParseMaturity(s); err == nil {
			// Atoi reads "+3" and "03" as 3: what matters is that the level reads back.
			again, err := ParseMaturity(MaturityText(m))
			if err != nil || !SameMaturity(m, again) {
				t.Fatalf("ParseMaturity(%q) does not read back: %v", s, err)
			}
		}
		if st, err := ParseStatus(s); err == nil && !st.Valid() {
			t.Fatalf("ParseStatus(%q) = invalid %q", s, st)
		}
		if k, err := ParseEvidenceKind(s); err == nil && !k.Valid() {
			t.Fatalf("ParseEvidenceKind(%q) = invalid %q", s, k)
		}
		if c, err := ParseControlRef(s); err == nil {
			if c.String() != s {
				t.Fatalf("ParseControlRef(%q) writes back as %q", s, c.String())
			}
		}
		_, _ = ParseAIRole(s)
	})
}

// FuzzEvidenceRefs: what a consultant types to link evidence (requirement refs, on the
// command line and in the workbench) and the file path and web address of an item. Every
// link returned names a requirement the engagement's catalogs have.
func FuzzEvidenceRefs(f *testing.F) {
	for _, s := range []string{"A.5.15", "a.5.15, A.8.32", "iso42001:A.5.2", "ISO 42001:a.5.2", "iso:A.5.1", "A.5.1;;A.5.1",
		"4.1", ":", "::", "iso27001-2022:", "\x1b[31mA.5.1", "A.5.1\xff", strings.Repeat("A.5.1 ", 500)} {
		f.Add(s, "/home/me/policy.pdf", "https://intranet.example/policy")
	}
	f.Add("", "", "")
	f.Add("A.5.1", "../../etc/passwd", "javascript:alert(1)")
	f.Add("A.5.1", "C:\\evidence\\x.pdf", "http://[::1]:80/")
	f.Add("A.5.1", "\x00", "https://exa mple.org")
	f.Add("A.5.1", strings.Repeat("a/", 3000), "https://"+strings.Repeat("x", 5000))
	f.Add("A.5.1", "x", "%zz://host")
	set := catalogs.MustBuiltin()
	e := Engagement{ID: "e", Name: "Fuzz", Standards: []string{catalogs.ISO27001, catalogs.ISO42001}}
	f.Fuzz(func(t *testing.T, refs, path, url string) {
		links, problems := ParseRequirementRefs(set, e, refs)
		for _, l := range links {
			c, ok := set.Get(l.Standard)
			if !ok || !e.HasStandard(l.Standard) {
				t.Fatalf("%q gave a link to standard %q outside the engagement", refs, l.Standard)
			}
			if _, ok := c.Requirement(l.Ref); !ok {
				t.Fatalf("%q gave a link to %s %q, which the catalog does not have", refs, l.Standard, l.Ref)
			}
			if err := l.Validate(); err != nil {
				t.Fatalf("%q gave a link that does not validate: %v", refs, err)
			}
		}
		for _, p := range problems {
			if p == "" {
				t.Fatal("an empty problem message")
			}
		}
		ev := Evidence{EngagementID: "e", Title: "t", Kind: KindDocument, Path: path, URL: url, Links: links}
		_ = ev.Validate()
		ev.Kind = KindLink
		_ = ev.Validate()
		_ = ValidateURL(url)
	})
}
