package assessments

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/annex-grc/annex/catalogs"
)

// EvidenceKind is what sort of proof an evidence item is.
type EvidenceKind string

const (
	KindDocument    EvidenceKind = "document"
	KindRecord      EvidenceKind = "record"
	KindScreenshot  EvidenceKind = "screenshot"
	KindLink        EvidenceKind = "link"
	KindInterview   EvidenceKind = "interview"
	KindObservation EvidenceKind = "observation"
)

// EvidenceKinds in the order forms offer them.
var EvidenceKinds = []EvidenceKind{KindDocument, KindRecord, KindScreenshot, KindLink, KindInterview, KindObservation}

// Valid reports whether k is one of the six kinds.
func (k EvidenceKind) Valid() bool {
	for _, x := range EvidenceKinds {
		if k == x {
			return true
		}
	}
	return false
}

// NeedsFile is true for the kinds that are a file on disk (document, record, screenshot).
func (k EvidenceKind) NeedsFile() bool {
	return k == KindDocument || k == KindRecord || k == KindScreenshot
}

// ParseEvidenceKind accepts a kind token, ignoring case and surrounding space.
func ParseEvidenceKind(s string) (EvidenceKind, error) {
	k := EvidenceKind(strings.ToLower(strings.TrimSpace(s)))
	if !k.Valid() {
		return "", fmt.Errorf("unknown evidence kind %q (use one of: document, record, screenshot, link, interview, observation)", s)
	}
	return k, nil
}

// LinkTarget is what an evidence item supports.
type LinkTarget string

const (
	LinkRequirement      LinkTarget = "requirement"
	LinkRisk             LinkTarget = "risk"
	LinkImpactAssessment LinkTarget = "impact_assessment"
)

// EvidenceLink ties an evidence item to a requirement result (Standard, Ref), a risk
// (ID = risk id) or an impact assessment (ID = assessment id).
type EvidenceLink struct {
	Target   LinkTarget
	Standard string // requirement links only
	Ref      string // requirement ref, risk id or impact assessment id
	// Provenance says how the link came to be when it was adopted through the crosswalk,
	// e.g. "from ISO 27001 A.5.18 (equal)". Empty for links made by hand.
	Provenance string
}

// String names the link for the change history and messages: "iso27001-2022:A.5.15", "risk:ID".
func (l EvidenceLink) String() string {
	if l.Target == LinkRequirement {
		return l.Standard + ":" + l.Ref
	}
	return string(l.Target) + ":" + l.Ref
}

// Integrity is the outcome of the last re-hash of an evidence file.
type Integrity string

const (
	IntegrityUnchecked Integrity = ""
	IntegrityOK        Integrity = "ok"
	IntegrityChanged   Integrity = "changed"
	IntegrityMissing   Integrity = "missing"
)

// FileObservation is what a check saw at an evidence file's path.
type FileObservation struct {
	Exists bool   // the path names a readable regular file
	SHA256 string // hex digest of its bytes, when it exists
	Size   int64
	// Problem explains why the file could not be read ("no such file", "permission denied").
	Problem string
}

// CompareFile says whether the observed file is the one recorded at attach time.
func CompareFile(recordedSHA256 string, obs FileObservation) Integrity {
	switch {
	case !obs.Exists:
		return IntegrityMissing
	case !strings.EqualFold(obs.SHA256, recordedSHA256):
		return IntegrityChanged
	}
	return IntegrityOK
}

// EvidenceState is how trustworthy an evidence item is today.
type EvidenceState string

const (
	StateOK       EvidenceState = "ok"
	StateExpiring EvidenceState = "expiring"
	StateExpired  EvidenceState = "expired"
	StateChanged  EvidenceState = "changed"
	StateMissing  EvidenceState = "missing"
)

// ExpiringWithin is how close to its valid-until date an item is flagged as expiring soon.
const ExpiringWithin = 30 * 24 * time.Hour

// Label is the human text of a state.
func (s EvidenceState) Label() string {
	switch s {
	case StateExpiring:
		return "expiring soon"
	case StateChanged:
		return "file changed"
	case StateMissing:
		return "file missing"
	}
	return string(s)
}

// Valid is true when the item still counts as evidence: not changed, missing or expired.
func (s EvidenceState) Valid() bool { return s == StateOK || s == StateExpiring }

// Flagged is true when the item needs attention (anything but ok).
func (s EvidenceState) Flagged() bool { return s != StateOK }

// Evidence is one item of the evidence library of an engagement, collected once and linked
// to any number of requirement results, risks and impact assessments.
type Evidence struct {
	ID           string
	EngagementID string
	Title        string
	Kind         EvidenceKind
	Description  string
	CollectedOn  string // YYYY-MM-DD or empty
	CollectedBy  string
	ValidUntil   string // YYYY-MM-DD or empty: no expiry

	// File reference, captured when the file is attached.
	Path    string
	SHA256  string
	Size    int64
	ModTime time.Time
	// Kept is true when the file's bytes are kept in the workspace.
	Kept bool

	URL string

	// Result of the last integrity check of the file.
	Integrity   Integrity
	CheckDetail string
	CheckedAt   time.Time

	Links     []EvidenceLink
	CreatedAt time.Time
	UpdatedAt time.Time
	UpdatedBy string
}

// HasFile is true when the item refers to a file on disk.
func (e Evidence) HasFile() bool { return e.Path != "" }

// StateAt combines the last integrity check with the valid-until date, seen at now.
// A missing or changed file outranks a date problem: it is the stronger doubt.
func (e Evidence) StateAt(now time.Time) EvidenceState {
	switch e.Integrity {
	case IntegrityMissing:
		return StateMissing
	case IntegrityChanged:
		return StateChanged
	}
	if e.ValidUntil == "" {
		return StateOK
	}
	until, err := ParseDate(e.ValidUntil)
	if err != nil {
		return StateOK
	}
	today, _ := ParseDate(now.Format(DateLayout))
	switch {
	case until.Before(today):
		return StateExpired
	case until.Before(today.Add(ExpiringWithin)):
		return StateExpiring
	}
	return StateOK
}

// LinksTo reports whether the item supports the requirement.
func (e Evidence) LinksTo(standard, ref string) bool {
	for _, l := range e.Links {
		if l.Target == LinkRequirement && l.Standard == standard && l.Ref == ref {
			return true
		}
	}
	return false
}

// Validate checks an evidence item before it is saved and returns the first problem. It
// does no I/O: whether the path names a readable file is the store's business.
func (e Evidence) Validate() error {
	if p := e.Problems(); len(p) > 0 {
		return p[0]
	}
	return nil
}

// Problems lists every field that needs fixing, at most one message per field, in form
// order, so a form can show each message next to its field.
func (e Evidence) Problems() []*ValidationError {
	var out []*ValidationError
	seen := map[string]bool{}
	add := func(field, format string, a ...any) {
		if seen[field] {
			return
		}
		seen[field] = true
		out = append(out, invalid(field, format, a...).(*ValidationError))
	}
	switch {
	case strings.TrimSpace(e.Title) == "":
		add("title", "The evidence needs a title.")
	case utf8.RuneCountInString(e.Title) > MaxNameLen:
		add("title", "The title is longer than %d characters.", MaxNameLen)
	}
	if !e.Kind.Valid() {
		add("kind", "Unknown evidence kind %q: use document, record, screenshot, link, interview or observation.", e.Kind)
	}
	if utf8.RuneCountInString(e.Description) > MaxTextLen {
		add("description", "The description is longer than %d characters.", MaxTextLen)
	}
	for _, d := range []struct{ field, v string }{{"collected_on", e.CollectedOn}, {"valid_until", e.ValidUntil}} {
		if _, err := ParseDate(d.v); err != nil {
			add(d.field, "%s", err.Error())
		}
	}
	if utf8.RuneCountInString(e.CollectedBy) > MaxNameLen {
		add("collected_by", "The collector's name is longer than %d characters.", MaxNameLen)
	}
	if e.CollectedOn != "" && e.ValidUntil != "" && !seen["collected_on"] && !seen["valid_until"] && e.ValidUntil < e.CollectedOn {
		add("valid_until", "Valid until is before the date the evidence was collected.")
	}
	switch {
	case e.Kind.NeedsFile() && strings.TrimSpace(e.Path) == "":
		add("path", "A %s is a file: give its path.", e.Kind)
	case utf8.RuneCountInString(e.Path) > 4096:
		add("path", "The path is longer than 4096 characters.")
	}
	switch {
	case e.Kind == KindLink && strings.TrimSpace(e.URL) == "":
		add("url", "A link needs a web address, for example https://intranet.example/policy.")
	case e.URL != "":
		if err := ValidateURL(e.URL); err != nil {
			add("url", "%s", err.Error())
		}
	}
	for _, l := range e.Links {
		if err := l.Validate(); err != nil {
			add("links", "%s", err.(*ValidationError).Message)
		}
	}
	return out
}

// ValidateURL accepts an absolute address with a scheme and a host.
func ValidateURL(s string) error {
	if utf8.RuneCountInString(s) > 4096 {
		return fmt.Errorf("The web address is longer than 4096 characters.")
	}
	if strings.ContainsAny(s, " \t\r\n") || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Errorf("%q is not a web address: it contains spaces or control characters.", s)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return fmt.Errorf("%q is not a web address; write it in full, for example https://intranet.example/policy.", s)
	}
	return nil
}

// Validate checks a link's shape.
func (l EvidenceLink) Validate() error {
	switch l.Target {
	case LinkRequirement:
		if l.Standard == "" || l.Ref == "" {
			return invalid("links", "A requirement link needs a standard and a ref.")
		}
	case LinkRisk, LinkImpactAssessment:
		if l.Standard != "" || l.Ref == "" {
			return invalid("links", "A %s link needs the id of what it links to.", strings.ReplaceAll(string(l.Target), "_", " "))
		}
	default:
		return invalid("links", "Unknown link target %q.", l.Target)
	}
	return nil
}

// Evidenced is the "readiness honesty" figure: of the implemented requirements, how many
// have at least one valid evidence item.
type Evidenced struct {
	Implemented int
	Evidenced   int
}

// Percent is Evidenced of Implemented in percent (0 when nothing is implemented).
func (x Evidenced) Percent() float64 {
	if x.Implemented == 0 {
		return 0
	}
	return 100 * float64(x.Evidenced) / float64(x.Implemented)
}

// Unevidenced is the number of implemented requirements without valid evidence.
func (x Evidenced) Unevidenced() int { return x.Implemented - x.Evidenced }

// ValidEvidenceRefs lists the refs of a standard that at least one valid item supports.
func ValidEvidenceRefs(items []Evidence, standard string, now time.Time) map[string]bool {
	out := map[string]bool{}
	for _, it := range items {
		if !it.StateAt(now).Valid() {
			continue
		}
		for _, l := range it.Links {
			if l.Target == LinkRequirement && l.Standard == standard {
				out[l.Ref] = true
			}
		}
	}
	return out
}

// EvidencedByGroup computes the evidenced figure for a catalog and each of its groups.
// results are the stored results of that standard; items the engagement's evidence.
func EvidencedByGroup(c *catalogs.Catalog, results map[string]Result, items []Evidence, now time.Time) (Evidenced, map[string]Evidenced) {
	valid := ValidEvidenceRefs(items, c.ID, now)
	var total Evidenced
	byGroup := map[string]Evidenced{}
	for _, req := range c.Requirements {
		if results[req.Ref].EffectiveStatus() != Implemented {
			continue
		}
		g := byGroup[req.Group]
		total.Implemented++
		g.Implemented++
		if valid[req.Ref] {
			total.Evidenced++
			g.Evidenced++
		}
		byGroup[req.Group] = g
	}
	return total, byGroup
}
