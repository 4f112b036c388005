package assessments

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/catalogs"
)

func TestCompareFile(t *testing.T) {
	const sum = "ab12"
	tests := []struct {
		name string
		obs  FileObservation
		want Integrity
	}{
		{"same bytes", FileObservation{Exists: true, SHA256: "ab12"}, IntegrityOK},
		{"same bytes, other case", FileObservation{Exists: true, SHA256: "AB12"}, IntegrityOK},
		{"other bytes", FileObservation{Exists: true, SHA256: "cd34"}, IntegrityChanged},
		{"gone", FileObservation{Problem: "no such file"}, IntegrityMissing},
	}
	for _, tt := range tests {
		if got := CompareFile(sum, tt.obs); got != tt.want {
			t.Errorf("%s: CompareFile = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestEvidenceStateAt(t *testing.T) {
	now := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		e    Evidence
		want EvidenceState
	}{
		{"no date, unchecked", Evidence{}, StateOK},
		{"checked ok", Evidence{Integrity: IntegrityOK, ValidUntil: "2027-01-01"}, StateOK},
		{"valid until today is still valid", Evidence{ValidUntil: "2026-03-10"}, StateExpiring},
		{"expired yesterday", Evidence{ValidUntil: "2026-03-09"}, StateExpired},
		{"expires in 29 days", Evidence{ValidUntil: "2026-04-08"}, StateExpiring},
		{"expires in 30 days", Evidence{ValidUntil: "2026-04-09"}, StateOK},
		{"changed outranks expired", Evidence{Integrity: IntegrityChanged, ValidUntil: "2020-01-01"}, StateChanged},
		{"missing outranks all", Evidence{Integrity: IntegrityMissing, ValidUntil: "2020-01-01"}, StateMissing},
	}
	for _, tt := range tests {
		if got := tt.e.StateAt(now); got != tt.want {
			t.Errorf("%s: StateAt = %q, want %q", tt.name, got, tt.want)
		}
	}
	// Moving the clock turns a valid item into an expired one.
	e := Evidence{ValidUntil: "2026-06-30"}
	if got := e.StateAt(now); got != StateOK {
		t.Fatalf("in March: %q, want ok", got)
	}
	if got := e.StateAt(now.AddDate(0, 4, 0)); got != StateExpired {
		t.Fatalf("in July: %q, want expired", got)
	}
}

func TestEvidenceStateValid(t *testing.T) {
	want := map[EvidenceState]bool{StateOK: true, StateExpiring: true, StateExpired: false, StateChanged: false, StateMissing: false}
	for st, v := range want {
		if st.Valid() != v {
			t.Errorf("%s.Valid() = %v, want %v", st, st.Valid(), v)
		}
	}
}

func TestEvidenceValidate(t *testing.T) {
	ok := Evidence{Title: "Access review Q1", Kind: KindRecord, Path: "/tmp/review.pdf"}
	tests := []struct {
		name  string
		edit  func(*Evidence)
		field string // "" = valid
	}{
		{"valid file", func(*Evidence) {}, ""},
		{"no title", func(e *Evidence) { e.Title = "  " }, "title"},
		{"long title", func(e *Evidence) { e.Title = string(make([]rune, MaxNameLen+1)) }, "title"},
		{"unknown kind", func(e *Evidence) { e.Kind = "rumour" }, "kind"},
		{"file kind without path", func(e *Evidence) { e.Path = "" }, "path"},
		{"screenshot without path", func(e *Evidence) { e.Kind, e.Path = KindScreenshot, "" }, "path"},
		{"interview needs no file", func(e *Evidence) { e.Kind, e.Path = KindInterview, "" }, ""},
		{"link needs url", func(e *Evidence) { e.Kind, e.Path = KindLink, "" }, "url"},
		{"link with url", func(e *Evidence) { e.Kind, e.Path, e.URL = KindLink, "", "https://wiki.example/isms" }, ""},
		{"url without scheme", func(e *Evidence) { e.URL = "wiki.example/isms" }, "url"},
		{"url without host", func(e *Evidence) { e.URL = "https://" }, "url"},
		{"url with a space", func(e *Evidence) { e.URL = "https://wiki.example/a b" }, "url"},
		{"url not parseable", func(e *Evidence) { e.URL = "http://[::1" }, "url"},
		{"bad collected date", func(e *Evidence) { e.CollectedOn = "31/01/2026" }, "collected_on"},
		{"bad valid until", func(e *Evidence) { e.ValidUntil = "soon" }, "valid_until"},
		{"valid until before collected", func(e *Evidence) { e.CollectedOn, e.ValidUntil = "2026-02-01", "2026-01-01" }, "valid_until"},
		{"bad link", func(e *Evidence) { e.Links = []EvidenceLink{{Target: LinkRequirement, Ref: "A.5.1"}} }, "links"},
		{"risk link", func(e *Evidence) { e.Links = []EvidenceLink{{Target: LinkRisk, Ref: "r1"}} }, ""},
	}
	for _, tt := range tests {
		e := ok
		tt.edit(&e)
		err := e.Validate()
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: unexpected error %v", tt.name, err)
			}
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: got %v, want a ValidationError on %s", tt.name, err, tt.field)
			continue
		}
		if ve.Field != tt.field {
			t.Errorf("%s: field %q, want %q (%s)", tt.name, ve.Field, tt.field, ve.Message)
		}
	}
}

func TestParseEvidenceKind(t *testing.T) {
	if k, err := ParseEvidenceKind(" Screenshot "); err != nil || k != KindScreenshot {
		t.Fatalf("got %q, %v", k, err)
	}
	if _, err := ParseEvidenceKind("memo"); err == nil {
		t.Fatal("memo accepted as a kind")
	}
}

func TestEvidencedByGroup(t *testing.T) {
	set := catalogs.MustBuiltin()
	c, _ := set.Get(catalogs.ISO27001)
	now := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	res := map[string]Result{
		"A.5.15": {Status: Implemented},
		"A.5.18": {Status: Implemented},
		"A.5.1":  {Status: Implemented},
		"A.8.15": {Status: Implemented},
		"A.5.19": {Status: Partial}, // partial does not count
		"5.2":    {Status: Implemented},
	}
	req := func(std, ref string) EvidenceLink {
		return EvidenceLink{Target: LinkRequirement, Standard: std, Ref: ref}
	}
	items := []Evidence{
		{Title: "ok", Links: []EvidenceLink{req(catalogs.ISO27001, "A.5.15"), req(catalogs.ISO42001, "A.5.2")}},
		{Title: "changed", Integrity: IntegrityChanged, Links: []EvidenceLink{req(catalogs.ISO27001, "A.5.18")}},
		{Title: "expired", ValidUntil: "2026-01-01", Links: []EvidenceLink{req(catalogs.ISO27001, "A.5.1")}},
		{Title: "expiring still counts", ValidUntil: "2026-03-20", Links: []EvidenceLink{req(catalogs.ISO27001, "5.2")}},
		{Title: "on a partial", Links: []EvidenceLink{req(catalogs.ISO27001, "A.5.19")}},
		{Title: "expired but also covered", ValidUntil: "2020-01-01", Links: []EvidenceLink{req(catalogs.ISO27001, "A.5.15")}},
	}
	total, groups := EvidencedByGroup(c, res, items, now)
	if total.Implemented != 5 || total.Evidenced != 2 {
		t.Fatalf("total = %+v, want 2 of 5", total)
	}
	if got := total.Percent(); got != 40 {
		t.Fatalf("percent = %v, want 40", got)
	}
	if total.Unevidenced() != 3 {
		t.Fatalf("unevidenced = %d, want 3", total.Unevidenced())
	}
	a5, _ := c.Requirement("A.5.15")
	if g := groups[a5.Group]; g.Implemented != 3 || g.Evidenced != 1 {
		t.Fatalf("group %s = %+v, want 1 of 3", a5.Group, g)
	}
	if (Evidenced{}).Percent() != 0 {
		t.Fatal("nothing implemented must read 0%")
	}
	// The 42001 link does not leak into 27001, and counts for 42001 when implemented there.
	c42, _ := set.Get(catalogs.ISO42001)
	t42, _ := EvidencedByGroup(c42, map[string]Result{"A.5.2": {Status: Implemented}}, items, now)
	if t42.Implemented != 1 || t42.Evidenced != 1 {
		t.Fatalf("42001 = %+v, want 1 of 1", t42)
	}
}

func TestEvidenceProblemsListsEachField(t *testing.T) {
	e := Evidence{Kind: KindLink, URL: "not a url", CollectedOn: "yesterday", ValidUntil: "2026-01-01"}
	var fields []string
	for _, p := range e.Problems() {
		fields = append(fields, p.Field)
	}
	want := []string{"title", "collected_on", "url"}
	if len(fields) != len(want) {
		t.Fatalf("fields %v, want %v", fields, want)
	}
	for i := range want {
		if fields[i] != want[i] {
			t.Fatalf("fields %v, want %v", fields, want)
		}
	}
}

func TestResolveRequirementRef(t *testing.T) {
	set := catalogs.MustBuiltin()
	both := Engagement{Standards: []string{catalogs.ISO27001, catalogs.ISO42001}}
	only27 := Engagement{Standards: []string{catalogs.ISO27001}}
	tests := []struct {
		e        Engagement
		arg      string
		std, ref string
		errHas   string
	}{
		{both, "A.5.15", catalogs.ISO27001, "A.5.15", ""},
		{both, "a.5.15", catalogs.ISO27001, "A.5.15", ""},
		{both, "A.6.2.4", catalogs.ISO42001, "A.6.2.4", ""},
		{both, "A.5.2", "", "", "iso42001-2023:A.5.2"},
		{both, "5.2", "", "", "qualify"},
		{both, "iso42001-2023:A.5.2", catalogs.ISO42001, "A.5.2", ""},
		{both, "iso42001:A.5.2", catalogs.ISO42001, "A.5.2", ""},
		{both, "ISO 27001:A.5.2", catalogs.ISO27001, "A.5.2", ""},
		{both, "iso:A.5.2", "", "", "does not name one standard"},
		{both, "A.99", "", "", "no standard"},
		{both, "iso27001-2022:A.6.2.4", "", "", "has no requirement"},
		{only27, "A.5.2", catalogs.ISO27001, "A.5.2", ""},
		{only27, "iso42001-2023:A.5.2", "", "", "does not name one standard"},
	}
	for _, tt := range tests {
		l, err := ResolveRequirementRef(set, tt.e, tt.arg)
		if tt.errHas != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("%q: err %v, want one containing %q", tt.arg, err, tt.errHas)
			}
			continue
		}
		if err != nil || l.Standard != tt.std || l.Ref != tt.ref || l.Target != LinkRequirement {
			t.Errorf("%q: %+v %v, want %s %s", tt.arg, l, err, tt.std, tt.ref)
			continue
		}
		// What we print reads back as the same link.
		back, err := ResolveRequirementRef(set, tt.e, RequirementRefText(set, tt.e, l))
		if err != nil || back != l {
			t.Errorf("%q: round trip via %q gave %+v %v", tt.arg, RequirementRefText(set, tt.e, l), back, err)
		}
	}
	links, problems := ParseRequirementRefs(set, both, "A.5.15, iso42001-2023:A.5.2 A.5.15; A.5.2")
	if len(links) != 2 || len(problems) != 1 {
		t.Fatalf("parse: %v %v", links, problems)
	}
}
