package assessments

// Applicability is a control's answer in a Statement of Applicability.
type Applicability string

const (
	// Applicable: the control is included (implemented or not).
	Applicable Applicability = "yes"
	// Excluded: the control is not applicable, with a justification.
	Excluded Applicability = "no"
	// Undecided: nobody has assessed the control and nothing includes it yet.
	Undecided Applicability = "not decided"
)

// ApplicabilityOf derives a control's applicability from its result and whether a risk
// treatment links it. A reason to include it decides the question even before anyone has
// assessed its implementation: a control a risk treatment relies on is never "not decided".
func ApplicabilityOf(r Result, treatedByRisk bool) Applicability {
	switch r.EffectiveStatus() {
	case NotApplicable:
		return Excluded
	case NotAssessed:
		if treatedByRisk || len(r.Reasons) > 0 {
			return Applicable
		}
		return Undecided
	}
	return Applicable
}
