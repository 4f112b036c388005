package assessments

import (
	"fmt"
	"strings"
)

// The class of a harm, and of an impact assessment.
//
// ISO/IEC 42001 (6.1.4, A.5) asks for the consequences of an AI system to be assessed, and
// ISO/IEC 42005 asks for severity, scale and reversibility to be weighed together. A class
// that is only severity × likelihood understates a harm that cannot be undone (a severe,
// irreversible harm at likelihood 1 would be "low" and reviewed every three years), and
// ignores how far a harm reaches. annex therefore rates a harm in two stages, with every
// rule written down here (ClassRules) and named wherever a class is shown:
//
//  1. the base class is set by the first rule of the table whose condition holds: the
//     floors for major and severe harms that cannot (fully) be undone come before the
//     severity × likelihood bands;
//  2. a harm that reaches society at large is raised one class (low to medium, medium to
//     high), unless its severity is minimal.
//
// A harm whose severity, likelihood, reversibility or scale is not stated has no class: the
// assessment's class stays unsettled until it is, never "low" by default.

// HarmRating is what a harm's class is computed from.
type HarmRating struct {
	Severity      int // 1..5, 0 = not rated
	Likelihood    int // 1..5, 0 = not rated
	Reversibility Reversibility
	Scale         ImpactScale
}

// Rated reports whether every input of the class rules is stated.
func (h HarmRating) Rated() bool {
	return h.Severity >= 1 && h.Severity <= 5 && h.Likelihood >= 1 && h.Likelihood <= 5 &&
		h.Reversibility != ReversibilityUnstated && h.Scale != ScaleUnstated
}

// missing names the inputs not stated yet, in words.
func (h HarmRating) missing() string {
	var m []string
	if h.Severity == 0 {
		m = append(m, "severity")
	}
	if h.Likelihood == 0 {
		m = append(m, "likelihood")
	}
	if h.Reversibility == ReversibilityUnstated {
		m = append(m, "reversibility")
	}
	if h.Scale == ScaleUnstated {
		m = append(m, "scale")
	}
	return joinAnd(m)
}

// ClassRule is one row of the class rule table.
type ClassRule struct {
	// ID is stable; reports cite it ("C1").
	ID string
	// Class is the class the rule sets; the raise rule sets none (it moves one up).
	Class ImpactClass
	// When is the condition in words; Why is the reasoning an assessor can quote.
	When, Why string
	holds     func(HarmRating) bool
}

// The rules, in the order they are tried. C7 is the raise for reach; C0 is the class of an
// assessment with no harm at all.
var (
	RuleSevereIrreversible = ClassRule{ID: "C1", Class: ClassHigh,
		When: "severity 4 or 5 and irreversible",
		Why:  "A major or severe harm that cannot be undone is high whatever its likelihood: when it happens, nothing repairs it.",
		holds: func(h HarmRating) bool {
			return h.Severity >= 4 && h.Reversibility == Irreversible
		}}
	RuleProductHigh = ClassRule{ID: "C2", Class: ClassHigh,
		When: "severity × likelihood 12 or more",
		Why:  "A major harm that is possible (4 × 3) or a moderate harm that is likely (3 × 4) needs the closest watch.",
		holds: func(h HarmRating) bool {
			return h.Severity*h.Likelihood >= 12
		}}
	RuleModerateIrreversible = ClassRule{ID: "C3", Class: ClassMedium,
		When: "severity 3 and irreversible",
		Why:  "A moderate harm that cannot be undone is never low, however rare.",
		holds: func(h HarmRating) bool {
			return h.Severity == 3 && h.Reversibility == Irreversible
		}}
	RuleSeverePartly = ClassRule{ID: "C4", Class: ClassMedium,
		When: "severity 4 or 5 and partly reversible",
		Why:  "A major or severe harm that can only partly be repaired is never low, however rare.",
		holds: func(h HarmRating) bool {
			return h.Severity >= 4 && h.Reversibility == PartlyReversible
		}}
	RuleProductMedium = ClassRule{ID: "C5", Class: ClassMedium,
		When: "severity × likelihood 5 to 11",
		Why:  "A harm between the bands: watched yearly.",
		holds: func(h HarmRating) bool {
			return h.Severity*h.Likelihood >= 5
		}}
	RuleProductLow = ClassRule{ID: "C6", Class: ClassLow,
		When:  "severity × likelihood 4 or less, and none of the rules above",
		Why:   "A minor or unlikely harm that can be undone.",
		holds: func(HarmRating) bool { return true }}
	RuleSocietyRaise = ClassRule{ID: "C7",
		When: "reaches society at large, severity 2 or more: one class higher (low to medium, medium to high)",
		Why:  "A harm spread across society is harder to notice, attribute and repair than one that reaches a few people; a minimal harm stays as it is.",
		holds: func(h HarmRating) bool {
			return h.Scale == ScaleSociety && h.Severity >= 2
		}}
	RuleNoHarm = ClassRule{ID: "C0", Class: ClassLow,
		When: "every area is assessed and none is a harm",
		Why:  "Nothing to watch beyond the periodic review."}
)

// ClassRules is the rule table in the order the rules are tried (C7 after the base rule).
var ClassRules = []ClassRule{RuleSevereIrreversible, RuleProductHigh, RuleModerateIrreversible, RuleSeverePartly,
	RuleProductMedium, RuleProductLow, RuleSocietyRaise, RuleNoHarm}

// HarmClass is the class of one harm with the rule that set it.
type HarmClass struct {
	Class  ImpactClass // "" when the rating is incomplete
	Rule   ClassRule   // the base rule (zero when unrated)
	Raised bool        // C7 moved the class one up
	Rating HarmRating
}

// RateHarm applies the rule table to a harm.
func RateHarm(h HarmRating) HarmClass {
	if !h.Rated() {
		return HarmClass{Rating: h}
	}
	out := HarmClass{Rating: h}
	for _, r := range ClassRules[:6] {
		if r.holds(h) {
			out.Rule, out.Class = r, r.Class
			break
		}
	}
	if RuleSocietyRaise.holds(h) && out.Class != ClassHigh {
		out.Raised = true
		out.Class = ImpactClasses[out.Class.rank()] // one up: rank is 1-based
	}
	return out
}

// Reason says which rule set the class, with the figures: "severity 4, irreversible",
// "severity 3 × likelihood 2 = 6; raised: reaches society at large".
func (h HarmClass) Reason() string {
	if h.Class == ClassNone {
		if m := h.Rating.missing(); m != "" {
			return m + " not rated"
		}
		return "not rated"
	}
	r := h.Rating
	var s string
	switch h.Rule.ID {
	case RuleSevereIrreversible.ID, RuleModerateIrreversible.ID, RuleSeverePartly.ID:
		s = fmt.Sprintf("severity %d, %s", r.Severity, r.Reversibility.Label())
	default:
		s = fmt.Sprintf("severity %d × likelihood %d = %d", r.Severity, r.Likelihood, r.Severity*r.Likelihood)
	}
	if h.Raised {
		s += "; raised: reaches society at large"
	}
	return s
}

// Cite names the rules applied: "C1", "C5+C7".
func (h HarmClass) Cite() string {
	if h.Rule.ID == "" {
		return ""
	}
	if h.Raised {
		return h.Rule.ID + "+" + RuleSocietyRaise.ID
	}
	return h.Rule.ID
}

// String is the class with its reason: "high: severity 4, irreversible".
func (h HarmClass) String() string {
	return h.Class.Label() + ": " + h.Reason()
}

// Label is the class as a person reads it; an unsettled class says so.
func (c ImpactClass) Label() string {
	if c == ClassNone {
		return "not settled"
	}
	return string(c)
}

// ClassDerivation is the overall class of an assessment and why.
type ClassDerivation struct {
	// Class is "" while the class is unsettled.
	Class ImpactClass
	// Area is the area whose harm set the class ("" when none did).
	Area ImpactArea
	// Harm is that harm's class and rule (zero when no harm set it).
	Harm HarmClass
	// Rule is the rule that decided: the harm's base rule, or C0 when no area is a harm.
	Rule ClassRule
	// Unsettled says, in words, what keeps the class from being settled.
	Unsettled string
}

// String is the class with what set it: "high: severity 4 × likelihood 3 = 12
// (Safety and health)", "low: no area is a harm", "not settled: Safety and health:
// likelihood not rated".
func (d ClassDerivation) String() string {
	switch {
	case d.Class == ClassNone:
		return "not settled: " + d.Unsettled
	case d.Area == "":
		return d.Class.Label() + ": no area is assessed as a harm"
	}
	return fmt.Sprintf("%s: %s (%s)", d.Class.Label(), d.Harm.Reason(), d.Area.Label())
}

// Cite names the rules applied ("C2", "C3+C7", "C0"); "" while unsettled.
func (d ClassDerivation) Cite() string {
	switch {
	case d.Class == ClassNone:
		return ""
	case d.Area == "":
		return RuleNoHarm.ID
	}
	return d.Harm.Cite()
}

// DeriveClass rates every harm after its measures and keeps the worst. The class is
// unsettled while an area is not assessed or a harm's residual rating, reversibility or
// scale is missing: a missing answer may hide the worst harm. Among harms of the same
// class, the one with the higher severity × likelihood (then severity, then area order)
// is named.
func DeriveClass(impacts []Impact) ClassDerivation {
	var unassessed []string
	var unrated []string
	var best ClassDerivation
	bestKey := [3]int{-1, -1, -1}
	byArea := map[ImpactArea]Impact{}
	for _, im := range impacts {
		byArea[im.Area] = im
	}
	for _, area := range ImpactAreas {
		im := byArea[area]
		switch {
		case im.Effect == EffectUnassessed:
			unassessed = append(unassessed, area.Label())
			continue
		case !im.Harm():
			continue
		}
		h := RateHarm(im.residualRating())
		if h.Class == ClassNone {
			unrated = append(unrated, fmt.Sprintf("%s: residual %s", area.Label(), h.Reason()))
			continue
		}
		r := h.Rating
		key := [3]int{h.Class.rank(), r.Severity * r.Likelihood, r.Severity}
		if key[0] > bestKey[0] || (key[0] == bestKey[0] && (key[1] > bestKey[1] || (key[1] == bestKey[1] && key[2] > bestKey[2]))) {
			bestKey = key
			best = ClassDerivation{Class: h.Class, Area: area, Harm: h, Rule: h.Rule}
		}
	}
	switch {
	case len(unrated) > 0:
		return ClassDerivation{Unsettled: strings.Join(unrated, "; ")}
	case len(unassessed) > 0:
		what := fmt.Sprintf("%d areas not assessed yet", len(unassessed))
		if len(unassessed) == 1 {
			what = unassessed[0] + " not assessed yet"
		}
		return ClassDerivation{Unsettled: what}
	case best.Class == ClassNone:
		return ClassDerivation{Class: ClassLow, Rule: RuleNoHarm}
	}
	return best
}

func (i Impact) inherentRating() HarmRating {
	return HarmRating{Severity: i.Severity, Likelihood: i.Likelihood, Reversibility: i.Reversibility, Scale: i.Scale}
}

func (i Impact) residualRating() HarmRating {
	return HarmRating{Severity: i.ResidualSeverity, Likelihood: i.ResidualLikelihood, Reversibility: i.Reversibility, Scale: i.Scale}
}

// InherentHarm is the class of the harm before measures, with its rule (zero unless a
// rated harm).
func (i Impact) InherentHarm() HarmClass {
	if !i.Harm() {
		return HarmClass{}
	}
	return RateHarm(i.inherentRating())
}

// ResidualHarm is the class of the harm after measures, with its rule.
func (i Impact) ResidualHarm() HarmClass {
	if !i.Harm() {
		return HarmClass{}
	}
	return RateHarm(i.residualRating())
}

// InherentClass is the class of the harm before measures ("" unless a rated harm).
func (i Impact) InherentClass() ImpactClass { return i.InherentHarm().Class }

// ResidualClass is the class of the harm after measures ("" unless a rated harm).
func (i Impact) ResidualClass() ImpactClass { return i.ResidualHarm().Class }

// joinAnd writes "a", "a and b", "a, b and c".
func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// ClassExplained is the class in force with the rule that set it, for reports: "high:
// severity 4 × likelihood 3 = 12 (Safety and health) [rule C2]", or "high, set by hand
// (the rule table gives medium: …)", or "not settled: …".
func (a ImpactAssessment) ClassExplained() string {
	d := a.Derivation()
	s := d.String()
	if c := d.Cite(); c != "" {
		s += " [rule " + c + "]"
	}
	if a.ClassOverride != ClassNone {
		return fmt.Sprintf("%s, set by hand (the rule table gives %s)", a.ClassOverride, s)
	}
	return s
}
