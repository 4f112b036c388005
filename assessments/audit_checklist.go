package assessments

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/annex-grc/annex/catalogs"
)

// Conclusion is what an auditor concludes on one requirement of the checklist.
type Conclusion string

const (
	NotAudited  Conclusion = "not_audited"
	Conforming  Conclusion = "conforming"
	MajorNC     Conclusion = "major_nc"
	MinorNC     Conclusion = "minor_nc"
	Observation Conclusion = "observation"
	OFI         Conclusion = "ofi"
)

// Conclusions in the order of the number keys 0..5 in the checklist walk.
var Conclusions = []Conclusion{NotAudited, Conforming, MajorNC, MinorNC, Observation, OFI}

// Valid reports whether c is one of the six conclusions.
func (c Conclusion) Valid() bool { return slices.Contains(Conclusions, c) }

// Label is the conclusion in words.
func (c Conclusion) Label() string {
	switch c {
	case NotAudited, "":
		return "not audited"
	case MajorNC:
		return "major nonconformity"
	case MinorNC:
		return "minor nonconformity"
	case OFI:
		return "opportunity for improvement"
	}
	return string(c)
}

// Short is the conclusion in a narrow list cell (three characters, readable without colour).
func (c Conclusion) Short() string {
	switch c {
	case Conforming:
		return "OK "
	case MajorNC:
		return "MAJ"
	case MinorNC:
		return "MIN"
	case Observation:
		return "OBS"
	case OFI:
		return "OFI"
	}
	return " · "
}

// Noteworthy is true for the conclusions that become a finding: nonconformities,
// observations and opportunities for improvement.
func (c Conclusion) Noteworthy() bool {
	return c == MajorNC || c == MinorNC || c == Observation || c == OFI
}

// Grade is the finding a noteworthy conclusion becomes ("" for the others).
func (c Conclusion) Grade() Grade {
	if c.Noteworthy() {
		return Grade(c)
	}
	return ""
}

// ParseConclusion accepts a stored token or its label.
func ParseConclusion(s string) (Conclusion, error) {
	for _, c := range Conclusions {
		if string(c) == s || c.Label() == s {
			return c, nil
		}
	}
	return "", fmt.Errorf("unknown conclusion %q (use one of: not_audited, conforming, major_nc, minor_nc, observation, ofi)", s)
}

// ExaminedEvidence is an item of the evidence library examined for a checklist item, with
// the file's SHA-256 as it was when examined: a later change of the file shows.
type ExaminedEvidence struct {
	EvidenceID string
	Title      string // the item's title when examined, kept if the item is deleted
	SHA256     string // "" for items without a file (interviews, observations, links)
	ExaminedAt time.Time
	ExaminedBy string
}

// ExaminedState is how an examined item compares with the library now.
type ExaminedState string

const (
	ExaminedSame    ExaminedState = "same"
	ExaminedChanged ExaminedState = "changed"
	ExaminedMissing ExaminedState = "missing"
	ExaminedDeleted ExaminedState = "deleted"
)

// Label is the state in words.
func (s ExaminedState) Label() string {
	switch s {
	case ExaminedChanged:
		return "file changed since examined"
	case ExaminedMissing:
		return "file missing since examined"
	case ExaminedDeleted:
		return "no longer in the evidence library"
	}
	return "as examined"
}

// StateAgainst compares what was examined with the library item now (ok false: the item
// was deleted). A file whose recorded hash differs from the one examined, or that the
// evidence check found changed or missing after the examination, has changed since.
func (x ExaminedEvidence) StateAgainst(now Evidence, ok bool) ExaminedState {
	if !ok {
		return ExaminedDeleted
	}
	if x.SHA256 == "" && now.SHA256 == "" {
		return ExaminedSame
	}
	if !strings.EqualFold(now.SHA256, x.SHA256) {
		return ExaminedChanged
	}
	if now.CheckedAt.After(x.ExaminedAt) {
		switch now.Integrity {
		case IntegrityChanged:
			return ExaminedChanged
		case IntegrityMissing:
			return ExaminedMissing
		}
	}
	return ExaminedSame
}

// ChecklistItem is the auditor's record for one requirement of an audit's scope. A
// requirement nobody concluded on has no stored row; it reads as a zero item (not audited).
type ChecklistItem struct {
	AuditID      string
	Standard     string
	Ref          string
	Conclusion   Conclusion
	Notes        string
	Interviewees string
	// Sampling: how many items the population held, how many were sampled, and which.
	Population int
	SampleSize int
	Sampled    string
	// Provenance says where a conclusion carried through the crosswalk came from, e.g.
	// "from ISO 42001 A.6.2.4 (superset)"; CarriedFrom names that requirement
	// ("iso42001-2023:A.6.2.4") while the conclusion follows it.
	Provenance  string
	CarriedFrom string
	Evidence    []ExaminedEvidence
	UpdatedAt   time.Time
	UpdatedBy   string
}

// Key names the item's requirement.
func (i ChecklistItem) Key() ControlRef { return ControlRef{Standard: i.Standard, Ref: i.Ref} }

// EffectiveConclusion treats an empty conclusion as not audited.
func (i ChecklistItem) EffectiveConclusion() Conclusion {
	if i.Conclusion == "" {
		return NotAudited
	}
	return i.Conclusion
}

// Carried reports whether the conclusion follows another requirement's answer.
func (i ChecklistItem) Carried() bool { return i.CarriedFrom != "" }

// MaxPopulation bounds a sampled population, so a stray keystroke cannot record nonsense.
const MaxPopulation = 100_000_000

// Validate checks an item before it is saved.
func (i ChecklistItem) Validate() error {
	if !i.EffectiveConclusion().Valid() {
		return invalid("conclusion", "Unknown conclusion %q.", i.Conclusion)
	}
	for _, f := range []struct{ field, name, v string }{{"notes", "audit notes", i.Notes}, {"interviewees", "list of interviewees", i.Interviewees},
		{"sampled", "list of items sampled", i.Sampled}} {
		if utf8.RuneCountInString(f.v) > MaxTextLen {
			return invalid(f.field, "The %s is longer than %d characters.", f.name, MaxTextLen)
		}
	}
	switch {
	case i.Population < 0 || i.Population > MaxPopulation:
		return invalid("population", "The population is a count from 0 (not stated) to %d.", MaxPopulation)
	case i.SampleSize < 0 || i.SampleSize > MaxPopulation:
		return invalid("sample_size", "The sample size is a count from 0 (no sample) to %d.", MaxPopulation)
	case i.Population > 0 && i.SampleSize > i.Population:
		return invalid("sample_size", "The sample (%d) is larger than the population (%d).", i.SampleSize, i.Population)
	case strings.TrimSpace(i.Sampled) != "" && i.SampleSize == 0:
		return invalid("sample_size", "Items are listed as sampled: say how many the sample holds.")
	}
	return nil
}

// SamplingText is the sampling record in one line ("8 of 412 sampled"), or "".
func (i ChecklistItem) SamplingText() string {
	switch {
	case i.SampleSize > 0 && i.Population > 0:
		return fmt.Sprintf("%d of %d sampled", i.SampleSize, i.Population)
	case i.SampleSize > 0:
		return fmt.Sprintf("%d sampled", i.SampleSize)
	case i.Population > 0:
		return fmt.Sprintf("population %d, no sample recorded", i.Population)
	}
	return ""
}

// Carry is one requirement of the scope that takes a conclusion through the crosswalk.
type Carry struct {
	To ControlRef
	// Mapping is the link seen from To: the answered requirement and how it relates to To.
	Mapping catalogs.Mapping
}

// carries reports whether a link read from the requirement taking the conclusion lets the
// answer on the other requirement stand for it: equal, or the other covers all of it
// (superset), the links through which gap-analysis adoption carries a status as it is.
func carries(rel catalogs.Relationship) bool {
	return rel == catalogs.Equal || rel == catalogs.Superset
}

// CarryTargets lists the requirements of the scope that an answer on from also answers:
// those linked to it through the crosswalk by an equal or superset link (from covers all
// of them), that nobody concluded on by their own answer. items are the audit's stored
// items; a target already carrying from's conclusion is listed too, so it follows.
func CarryTargets(set *catalogs.Set, scope []ControlRef, from ControlRef, items map[ControlRef]ChecklistItem) []Carry {
	maps := set.MappingsFor(from.Standard, from.Ref)
	if len(maps) == 0 {
		return nil
	}
	inScope := func(c ControlRef) bool {
		for _, x := range scope {
			if x == c {
				return true
			}
		}
		return false
	}
	var out []Carry
	for _, m := range maps {
		to := ControlRef{Standard: m.Standard, Ref: m.Ref}
		if to == from || !inScope(to) {
			continue
		}
		// Read the link from the target's side: "from <rel> to".
		for _, back := range set.MappingsFor(to.Standard, to.Ref) {
			if back.Standard != from.Standard || back.Ref != from.Ref || !carries(back.Relationship) {
				continue
			}
			cur := items[to]
			own := cur.EffectiveConclusion() != NotAudited && cur.CarriedFrom != from.String()
			if !own {
				out = append(out, Carry{To: to, Mapping: back})
			}
			break
		}
	}
	return out
}

// CarryConclusion returns the target item after taking the conclusion answered on the
// mapping's requirement: the conclusion with its provenance, as gap-analysis adoption keeps
// it. Not audited releases the target: its conclusion and provenance go. The target's own
// notes, sampling and evidence stay.
func CarryConclusion(set *catalogs.Set, target ChecklistItem, c Carry, conclusion Conclusion) ChecklistItem {
	next := target
	if conclusion == NotAudited || conclusion == "" {
		next.Conclusion, next.Provenance, next.CarriedFrom = NotAudited, "", ""
		return next
	}
	next.Conclusion = conclusion
	next.Provenance = Provenance(set, c.Mapping)
	next.CarriedFrom = ControlRef{Standard: c.Mapping.Standard, Ref: c.Mapping.Ref}.String()
	return next
}

// AnswerItem is the item after the auditor concluded on it directly: it no longer follows
// another requirement's answer.
func AnswerItem(item ChecklistItem, c Conclusion) ChecklistItem {
	item.Conclusion = c
	item.Provenance, item.CarriedFrom = "", ""
	return item
}

// ChecklistRequirement is one requirement of an audit's checklist with the catalog's
// content: its questions are the audit questions.
type ChecklistRequirement struct {
	Ref         ControlRef
	Requirement catalogs.Requirement
	Catalog     *catalogs.Catalog
}

// Checklist lists the requirements of an audit's scope with their catalog entries, in the
// scope's order; refs a catalog no longer has are left out (see MissingFromCatalogs).
func Checklist(set *catalogs.Set, a Audit) []ChecklistRequirement {
	out := make([]ChecklistRequirement, 0, len(a.Scope))
	for _, c := range a.Scope {
		cat, ok := set.Get(c.Standard)
		if !ok {
			continue
		}
		req, ok := cat.Requirement(c.Ref)
		if !ok {
			continue
		}
		out = append(out, ChecklistRequirement{Ref: c, Requirement: req, Catalog: cat})
	}
	return out
}

// ConclusionCounts counts an audit's conclusions over its scope (missing items: not audited).
func ConclusionCounts(scope []ControlRef, items map[ControlRef]ChecklistItem) map[Conclusion]int {
	out := map[Conclusion]int{}
	for _, c := range scope {
		out[items[c].EffectiveConclusion()]++
	}
	return out
}

// CountText says how many items have a conclusion, agreeing in number: "1 observation",
// "2 major nonconformities", "3 conforming".
func CountText(n int, c Conclusion) string {
	if n == 1 {
		return "1 " + c.Label()
	}
	switch c {
	case MajorNC:
		return fmt.Sprintf("%d major nonconformities", n)
	case MinorNC:
		return fmt.Sprintf("%d minor nonconformities", n)
	case Observation:
		return fmt.Sprintf("%d observations", n)
	case OFI:
		return fmt.Sprintf("%d opportunities for improvement", n)
	}
	return fmt.Sprintf("%d %s", n, c.Label())
}

// ConclusionOrder is the order counts are told in: conforming, the findings by grade, and
// not audited last.
var ConclusionOrder = []Conclusion{Conforming, MajorNC, MinorNC, Observation, OFI, NotAudited}
