package assessments

// Readiness is the gap-analysis figure for a standard or one of its groups.
// Percent weights implemented 1 and partial 0.5 over the applicable requirements;
// AssessedPercent is the share of all requirements that have any answer.
type Readiness struct {
	Total      int            // requirements in the set
	Applicable int            // Total minus not applicable
	Assessed   int            // requirements with a status other than not assessed (N/A counts as assessed)
	Score      float64        // sum of weights over applicable requirements
	Counts     map[Status]int // requirements per status
}

// Percent is readiness in percent of applicable requirements (0 when none applies).
func (r Readiness) Percent() float64 {
	if r.Applicable == 0 {
		return 0
	}
	return 100 * r.Score / float64(r.Applicable)
}

// AssessedPercent is the share of requirements with an answer, in percent.
func (r Readiness) AssessedPercent() float64 {
	if r.Total == 0 {
		return 0
	}
	return 100 * float64(r.Assessed) / float64(r.Total)
}

// Add counts one requirement's status.
func (r *Readiness) Add(s Status) {
	if s == "" {
		s = NotAssessed
	}
	if r.Counts == nil {
		r.Counts = map[Status]int{}
	}
	r.Total++
	r.Counts[s]++
	if s != NotAssessed {
		r.Assessed++
	}
	if s == NotApplicable {
		return
	}
	r.Applicable++
	r.Score += s.Score()
}

// ReqRef names a requirement and its group, as the catalog lists it.
type ReqRef struct{ Ref, Group string }

// ReadinessOf computes readiness for the whole list and per group. statusOf returns the
// stored status of a ref ("" when nothing is stored).
func ReadinessOf(reqs []ReqRef, statusOf func(ref string) Status) (total Readiness, byGroup map[string]Readiness) {
	byGroup = map[string]Readiness{}
	for _, q := range reqs {
		s := statusOf(q.Ref)
		total.Add(s)
		g := byGroup[q.Group]
		g.Add(s)
		byGroup[q.Group] = g
	}
	return total, byGroup
}

// ReadinessFromCounts builds a standard's readiness from stored counts per status; the
// requirements of the catalog (total) without a stored answer count as not assessed.
func ReadinessFromCounts(total int, counts map[Status]int) Readiness {
	var r Readiness
	stored := 0
	for _, s := range Statuses {
		if s != NotAssessed {
			stored += counts[s]
			r.addN(s, counts[s])
		}
	}
	r.addN(NotAssessed, total-stored)
	return r
}

// addN counts n requirements of one status at once: what n calls of Add would count.
func (r *Readiness) addN(s Status, n int) {
	if n <= 0 {
		return
	}
	if r.Counts == nil {
		r.Counts = map[Status]int{}
	}
	r.Total += n
	r.Counts[s] += n
	if s != NotAssessed {
		r.Assessed += n
	}
	if s == NotApplicable {
		return
	}
	r.Applicable += n
	r.Score += float64(n) * s.Score()
}
