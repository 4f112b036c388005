package assessments

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/annex-grc/annex/catalogs"
)

// The EU AI Act classification record of an AI system: the organisation's operator roles,
// an answer and a note for every question of the questionnaire (catalogs/data/eu-ai-act.yaml),
// the fields Article 27 asks of a deployer beyond the ISO/IEC 42001 impact assessment, and
// an approval. Like an impact assessment it is versioned and frozen once approved. Its
// result (prohibited, high-risk, transparency obligations, minimal) is derived from the
// answers by ClassifyAIAct, never typed.

// OperatorRole is a role under the Act (Art. 3(3) to (8)); tokens in catalogs.AIActOperatorRoles.
type OperatorRole string

// OperatorRoles in the order a form offers them.
var OperatorRoles = func() []OperatorRole {
	out := make([]OperatorRole, len(catalogs.AIActOperatorRoles))
	for i, r := range catalogs.AIActOperatorRoles {
		out[i] = OperatorRole(r)
	}
	return out
}()

// Label is the role as a person reads it.
func (r OperatorRole) Label() string { return strings.ReplaceAll(string(r), "_", " ") }

func operatorRolesText(rs []OperatorRole) string {
	var parts []string
	for _, r := range OperatorRoles {
		if slices.Contains(rs, r) {
			parts = append(parts, string(r))
		}
	}
	for _, r := range rs {
		if !slices.Contains(OperatorRoles, r) && !slices.Contains(parts, string(r)) {
			parts = append(parts, string(r))
		}
	}
	return strings.Join(parts, ",")
}

func parseOperatorRoles(s string) []OperatorRole {
	var out []OperatorRole
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, OperatorRole(p))
		}
	}
	return out
}

// OperatorRolesLabel writes roles for a person: "provider, deployer".
func OperatorRolesLabel(rs []OperatorRole) string {
	if len(rs) == 0 {
		return "not stated"
	}
	var parts []string
	for _, r := range parseOperatorRoles(operatorRolesText(rs)) {
		parts = append(parts, r.Label())
	}
	return strings.Join(parts, ", ")
}

// Answer is a yes or no; "" is not answered yet.
type Answer string

const (
	AnswerNone Answer = ""
	AnswerYes  Answer = "yes"
	AnswerNo   Answer = "no"
)

// Label is the answer as a person reads it.
func (a Answer) Label() string {
	if a == AnswerNone {
		return "not answered"
	}
	return string(a)
}

// AIActAnswer is the answer to one question with the assessor's note.
type AIActAnswer struct {
	Answer Answer
	Note   string
}

// AIActStep is one page of the classification wizard.
type AIActStep int

const (
	ActStepRoles AIActStep = iota
	ActStepProhibited
	ActStepHighRisk
	ActStepExemption
	ActStepTransparency
	ActStepGPAI
	ActStepFRIA
	ActStepResult
)

// AIActSteps in wizard order.
var AIActSteps = []AIActStep{ActStepRoles, ActStepProhibited, ActStepHighRisk, ActStepExemption, ActStepTransparency, ActStepGPAI, ActStepFRIA, ActStepResult}

// Title is the step's heading.
func (s AIActStep) Title() string {
	switch s {
	case ActStepRoles:
		return "Operator roles"
	case ActStepProhibited:
		return "Prohibited practices (Art. 5)"
	case ActStepHighRisk:
		return "High-risk: Annex I and Annex III (Art. 6)"
	case ActStepExemption:
		return "Not high-risk after all? (Art. 6(3))"
	case ActStepTransparency:
		return "Transparency (Art. 50)"
	case ActStepGPAI:
		return "General-purpose AI models (Chapter V)"
	case ActStepFRIA:
		return "Fundamental rights impact (Art. 27)"
	case ActStepResult:
		return "Result and approval"
	}
	return fmt.Sprintf("step %d", int(s)+1)
}

// Valid reports whether s is a known step.
func (s AIActStep) Valid() bool { return s >= ActStepRoles && s <= ActStepResult }

// CatalogStep is the questionnaire step whose questions this page asks ("" for none).
func (s AIActStep) CatalogStep() string {
	switch s {
	case ActStepProhibited:
		return catalogs.AIActStepProhibited
	case ActStepHighRisk:
		return catalogs.AIActStepHighRisk
	case ActStepExemption:
		return catalogs.AIActStepExemption
	case ActStepTransparency:
		return catalogs.AIActStepTransparency
	case ActStepGPAI:
		return catalogs.AIActStepGPAI
	case ActStepFRIA:
		return catalogs.AIActStepFRIA
	}
	return ""
}

// AIActRecord is one version of the EU AI Act classification of an AI system.
type AIActRecord struct {
	ID           string
	AISystemID   string
	EngagementID string
	Version      int

	Roles   []OperatorRole
	Answers map[string]AIActAnswer // by question id

	// What Article 27 asks of a deployer beyond the ISO/IEC 42001 impact assessment.
	FRIAPeriod     string // (b) the period and frequency of use
	FRIAOversight  string // (e) the human oversight measures
	FRIAComplaints string // (f) internal governance and the complaint mechanism
	FRIANotified   string // Art. 27(3): the date the market surveillance authority was notified

	Decision     Decision // approve, or none while a draft
	Approver     string
	DecisionDate string
	Rationale    string

	LastStep  AIActStep
	CreatedAt time.Time
	UpdatedAt time.Time
	UpdatedBy string
}

// Answer returns the answer to a question (none when not answered).
func (r AIActRecord) Answer(id string) AIActAnswer { return r.Answers[id] }

func (r AIActRecord) yes(id string) bool  { return r.Answers[id].Answer == AnswerYes }
func (r AIActRecord) open(id string) bool { return r.Answers[id].Answer == AnswerNone }

// HasRole reports whether the organisation holds an operator role.
func (r AIActRecord) HasRole(role string) bool { return slices.Contains(r.Roles, OperatorRole(role)) }

// Frozen reports whether the version is approved and may no longer change.
func (r AIActRecord) Frozen() bool { return r.Decision != DecisionNone }

// State is draft until approved.
func (r AIActRecord) State() ImpactState {
	if r.Decision == DecisionApprove {
		return ImpactApproved
	}
	return ImpactDraft
}

// Clone returns a copy that shares no map or slice with r.
func (r AIActRecord) Clone() AIActRecord {
	c := r
	c.Roles = slices.Clone(r.Roles)
	c.Answers = make(map[string]AIActAnswer, len(r.Answers))
	for k, v := range r.Answers {
		c.Answers[k] = v
	}
	return c
}

// CheckEditable returns a *FrozenError for an approved version.
func (r AIActRecord) CheckEditable() error {
	if !r.Frozen() {
		return nil
	}
	return &FrozenError{Version: r.Version, State: r.State(), Approver: r.Approver, Date: r.DecisionDate}
}

// NewAIActRecord starts version 1 for a system: the operator roles follow from its ISO
// roles where they clearly do (an AI provider places it on the market, an AI customer uses
// it), and the oversight measures from its inventory entry.
func NewAIActRecord(sys AISystem) AIActRecord {
	r := AIActRecord{AISystemID: sys.ID, EngagementID: sys.EngagementID, Version: 1, Answers: map[string]AIActAnswer{},
		FRIAOversight: sys.HumanOversight}
	if sys.HasRole(RoleProvider) {
		r.Roles = append(r.Roles, catalogs.OperatorProvider)
	}
	if sys.HasRole(RoleCustomer) {
		r.Roles = append(r.Roles, catalogs.OperatorDeployer)
	}
	return r
}

// ReClassify starts version n+1 from version n: every answer and note carries over, the
// approval is cleared.
func ReClassify(prev AIActRecord) AIActRecord {
	next := prev.Clone()
	next.ID = ""
	next.Version = prev.Version + 1
	next.Decision, next.Approver, next.DecisionDate, next.Rationale = DecisionNone, "", "", ""
	next.LastStep = ActStepRoles
	next.CreatedAt, next.UpdatedAt, next.UpdatedBy = time.Time{}, time.Time{}, ""
	return next
}

// AIActResult is what the answers make of a system under the Act.
type AIActResult string

const (
	ActUnsettled    AIActResult = ""
	ActProhibited   AIActResult = "prohibited"
	ActHighRisk     AIActResult = "high_risk"
	ActTransparency AIActResult = "transparency"
	ActMinimal      AIActResult = "minimal"
)

// Label is the result as a person reads it.
func (r AIActResult) Label() string {
	switch r {
	case ActProhibited:
		return "prohibited"
	case ActHighRisk:
		return "high-risk"
	case ActTransparency:
		return "limited: transparency obligations"
	case ActMinimal:
		return "minimal"
	}
	return "not settled"
}

// Short is the result in a narrow column.
func (r AIActResult) Short() string {
	switch r {
	case ActTransparency:
		return "transparency"
	case ActUnsettled:
		return "not settled"
	}
	return r.Label()
}

// AIActGround is an answer that decided the result, with its article.
type AIActGround struct {
	Question catalogs.AIActQuestion
	Answer   AIActAnswer
}

// String is "Annex III point 4 Employment and workers management: yes".
func (g AIActGround) String() string { return g.Question.Label() + ": " + g.Answer.Answer.Label() }

// AIActDuty is an obligation that follows from the classification.
type AIActDuty struct {
	Obligation catalogs.AIActObligation
	Milestone  catalogs.AIActMilestone
	// Ours: the organisation holds one of the roles that carry it; otherwise it is another
	// operator's (a provider's duty when the organisation only deploys), shown for context.
	Ours bool
}

// FRIAStatus says whether Article 27 asks the organisation for a fundamental rights impact
// assessment.
type FRIAStatus string

const (
	FRIANotApplicable FRIAStatus = ""             // not a deployer of an Art. 6(2) high-risk system (point 2 aside)
	FRIAUnknown       FRIAStatus = "unknown"      // the Art. 27(1) questions are not answered yet
	FRIARequired      FRIAStatus = "required"     // Art. 27(1) applies
	FRIANotRequired   FRIAStatus = "not_required" // a private deployer outside Annex III 5(b), (c): voluntary
)

// Label is the status as a person reads it.
func (s FRIAStatus) Label() string {
	switch s {
	case FRIAUnknown:
		return "to be decided (answer the Art. 27(1) questions)"
	case FRIARequired:
		return "required (Art. 27(1))"
	case FRIANotRequired:
		return "not required by Art. 27(1); may be recorded voluntarily"
	}
	return "not applicable"
}

// AIActOutcome is the classification derived from a record's answers.
type AIActOutcome struct {
	Result AIActResult
	// AnnexI and AnnexIII are the routes that made the system high-risk (Art. 6(1), 6(2)).
	AnnexI, AnnexIII bool
	// Exempt: an Annex III area applies but the Art. 6(3) exemption holds.
	Exempt bool
	// Grounds are the answers that decided the result, in questionnaire order.
	Grounds []AIActGround
	// Unsettled lists the questions whose answer could still change the result.
	Unsettled []string
	// Duties are the obligations that follow, the organisation's first.
	Duties []AIActDuty
	// AppliesFrom is the date from which the result's main obligations apply.
	AppliesFrom catalogs.AIActMilestone
	FRIA        FRIAStatus
	GPAI        bool // the organisation provides a general-purpose AI model
}

// Articles lists the citations of the grounds: "Annex III point 4; Art. 6(3), last subparagraph".
func (o AIActOutcome) Articles() string {
	var out []string
	for _, g := range o.Grounds {
		if !slices.Contains(out, g.Question.Cite) {
			out = append(out, g.Question.Cite)
		}
	}
	if len(out) == 0 {
		switch o.Result {
		case ActMinimal:
			return "no Art. 5 practice, not high-risk under Art. 6, no Art. 50 obligation"
		case ActUnsettled:
			return ""
		}
	}
	return strings.Join(out, "; ")
}

// String is the result with its articles: "high-risk (Annex III point 4; Art. 6(3), last
// subparagraph)".
func (o AIActOutcome) String() string {
	if o.Result == ActUnsettled {
		if len(o.Unsettled) == 0 {
			return o.Result.Label()
		}
		return fmt.Sprintf("%s: %s to answer", o.Result.Label(), countWord(len(o.Unsettled), "question", "questions"))
	}
	s := o.Result.Label()
	if a := o.Articles(); a != "" {
		s += " (" + a + ")"
	}
	return s
}

// ClassifyAIAct derives the result from the answers (the questionnaire's kinds say what
// each answer means):
//
//  1. any Art. 5 practice answered yes: prohibited; an unanswered one leaves the result
//     unsettled (nothing else can outweigh it);
//  2. high-risk under Art. 6(1) when the system is (a safety component of) an Annex I
//     product that needs a third-party conformity assessment; under Art. 6(2) when an
//     Annex III area applies, unless the Art. 6(3) exemption holds: one of its four
//     conditions is met and the system does not profile people (profiling keeps it
//     high-risk whatever the conditions);
//  3. otherwise, any Art. 50 situation answered yes: transparency obligations;
//  4. otherwise minimal. Transparency and general-purpose model duties add to any result
//     but prohibited.
func ClassifyAIAct(act *catalogs.AIAct, r AIActRecord) AIActOutcome {
	var o AIActOutcome
	ground := func(q catalogs.AIActQuestion) {
		o.Grounds = append(o.Grounds, AIActGround{Question: q, Answer: r.Answer(q.ID)})
	}
	unsettled := func(q catalogs.AIActQuestion) { o.Unsettled = append(o.Unsettled, q.Label()) }

	prohibited := act.KindQuestions(catalogs.KindProhibited)
	for _, q := range prohibited {
		if r.yes(q.ID) {
			ground(q)
		}
	}
	if len(o.Grounds) > 0 {
		o.Result = ActProhibited
		o.AppliesFrom, _ = act.Milestone(o.Grounds[0].Question.Milestone)
		for _, g := range o.Grounds[1:] {
			if m, ok := act.Milestone(g.Question.Milestone); ok && m.AppliesFrom < o.AppliesFrom.AppliesFrom {
				o.AppliesFrom = m
			}
		}
		o.Duties = duties(act, r, o, func(when string) bool { return when == catalogs.WhenAlways || when == catalogs.WhenProhibited })
		return o
	}
	for _, q := range prohibited {
		if r.open(q.ID) {
			unsettled(q)
		}
	}

	// Art. 6(1): Annex I products.
	product, assessment := act.QuestionOfKind(catalogs.KindAnnexIProduct), act.QuestionOfKind(catalogs.KindAnnexIAssessment)
	annexIOpen := false
	switch {
	case r.open(product.ID):
		unsettled(product)
		annexIOpen = true
	case r.yes(product.ID) && r.open(assessment.ID):
		unsettled(assessment)
		annexIOpen = true
	case r.yes(product.ID) && r.yes(assessment.ID):
		o.AnnexI = true
	}

	// Art. 6(2): Annex III areas, and the Art. 6(3) exemption.
	var areas []catalogs.AIActQuestion
	for _, q := range act.KindQuestions(catalogs.KindAnnexIII) {
		switch {
		case r.yes(q.ID):
			areas = append(areas, q)
		case r.open(q.ID):
			unsettled(q)
		}
	}
	var exemptionGrounds []catalogs.AIActQuestion
	exemptionOpen := false
	if len(areas) > 0 {
		profiling := act.QuestionOfKind(catalogs.KindProfiling)
		var met, open []catalogs.AIActQuestion
		for _, q := range act.KindQuestions(catalogs.KindExemptionCondition) {
			switch {
			case r.yes(q.ID):
				met = append(met, q)
			case r.open(q.ID):
				open = append(open, q)
			}
		}
		switch {
		case r.yes(profiling.ID):
			exemptionGrounds = []catalogs.AIActQuestion{profiling} // stays high-risk
		case len(met) == 0 && len(open) == 0:
			// every condition answered no: no exemption
		case r.open(profiling.ID):
			unsettled(profiling)
			exemptionOpen = true
		case len(met) > 0:
			o.Exempt = true
			exemptionGrounds = append(met, profiling)
		default:
			for _, q := range open {
				unsettled(q)
			}
			exemptionOpen = true
		}
	}
	o.AnnexIII = len(areas) > 0 && !o.Exempt && !exemptionOpen

	switch {
	case o.AnnexI || o.AnnexIII:
		o.Result = ActHighRisk
		if o.AnnexI {
			ground(product)
			ground(assessment)
		}
		if o.AnnexIII {
			for _, q := range areas {
				ground(q)
			}
			for _, q := range exemptionGrounds {
				ground(q)
			}
		}
	case len(o.Unsettled) > 0 || annexIOpen || exemptionOpen:
		o.Result = ActUnsettled
	default:
		if o.Exempt {
			for _, q := range areas {
				ground(q)
			}
			for _, q := range exemptionGrounds {
				ground(q)
			}
		}
		o.Result = ActMinimal
		for _, q := range act.KindQuestions(catalogs.KindTransparency) {
			switch {
			case r.yes(q.ID):
				ground(q)
				o.Result = ActTransparency
			case r.open(q.ID):
				unsettled(q)
			}
		}
		if len(o.Unsettled) > 0 {
			o.Result = ActUnsettled
		}
	}
	if o.Result == ActUnsettled {
		o.Grounds = nil
	}

	// Article 27: a deployer of a high-risk system under Art. 6(2), point 2 aside.
	if r.HasRole(catalogs.OperatorDeployer) && o.AnnexIII && o.annexIIIBeyondPoint2(areas) {
		pub, credit := act.QuestionOfKind(catalogs.KindFRIAPublic), act.QuestionOfKind(catalogs.KindFRIACreditInsurance)
		switch {
		case r.yes(pub.ID) || r.yes(credit.ID):
			o.FRIA = FRIARequired
		case r.open(pub.ID) || r.open(credit.ID):
			o.FRIA = FRIAUnknown
		default:
			o.FRIA = FRIANotRequired
		}
	}
	o.GPAI = r.yes(act.QuestionOfKind(catalogs.KindGPAIProvider).ID)

	switch o.Result {
	case ActHighRisk:
		o.AppliesFrom = highRiskMilestone(act, o)
	case ActTransparency:
		o.AppliesFrom, _ = act.Milestone(o.Grounds[len(o.Grounds)-1].Question.Milestone)
	}
	o.Duties = duties(act, r, o, func(when string) bool { return o.holds(act, r, areas, when) })
	return o
}

func (o AIActOutcome) annexIIIBeyondPoint2(areas []catalogs.AIActQuestion) bool {
	for _, q := range areas {
		if q.Point != 2 {
			return true
		}
	}
	return false
}

// holds says whether an obligation's condition holds for a result that is not prohibited.
func (o AIActOutcome) holds(act *catalogs.AIAct, r AIActRecord, areas []catalogs.AIActQuestion, when string) bool {
	gpai := func(kind string) bool { return r.yes(act.QuestionOfKind(kind).ID) }
	switch when {
	case catalogs.WhenAlways:
		return true
	case catalogs.WhenProhibited:
		return false
	case catalogs.WhenHighRisk:
		return o.Result == ActHighRisk
	case catalogs.WhenHighRiskAnnexIII:
		// Registration (Art. 49(1)) and the explanation right (Art. 86) leave out
		// critical infrastructure (Annex III point 2).
		return o.Result == ActHighRisk && o.AnnexIII && o.annexIIIBeyondPoint2(areas)
	case catalogs.WhenExempt:
		return o.Exempt && o.Result != ActUnsettled
	case catalogs.WhenFRIA:
		return o.FRIA == FRIARequired
	case catalogs.WhenGPAI:
		return o.GPAI
	case catalogs.WhenGPAIDocumentation:
		// Art. 53(2): an open-source model without systemic risk is spared these two.
		return o.GPAI && !(gpai(catalogs.KindGPAIOpenSource) && !gpai(catalogs.KindGPAISystemic))
	case catalogs.WhenGPAISystemic:
		return o.GPAI && gpai(catalogs.KindGPAISystemic)
	}
	return r.yes(when) // a question answered yes (Art. 50)
}

// highRiskMilestone is the date the high-risk rules apply to the system: its route's, the
// earlier when both routes hold.
func highRiskMilestone(act *catalogs.AIAct, o AIActOutcome) catalogs.AIActMilestone {
	var out catalogs.AIActMilestone
	for _, route := range []struct {
		holds bool
		kind  string
	}{{o.AnnexIII, catalogs.KindAnnexIII}, {o.AnnexI, catalogs.KindAnnexIProduct}} {
		if !route.holds {
			continue
		}
		if m, ok := act.Milestone(act.QuestionOfKind(route.kind).Milestone); ok && (out.ID == "" || m.AppliesFrom < out.AppliesFrom) {
			out = m
		}
	}
	return out
}

func duties(act *catalogs.AIAct, r AIActRecord, o AIActOutcome, holds func(string) bool) []AIActDuty {
	var ours, theirs []AIActDuty
	before := r.yes(act.QuestionOfKind(catalogs.KindGPAIBefore).ID)
	for _, ob := range act.Obligations {
		if !holds(ob.When) {
			continue
		}
		d := AIActDuty{Obligation: ob}
		switch {
		case ob.Milestone == catalogs.MilestoneHighRisk:
			d.Milestone = o.AppliesFrom
			if o.Result != ActHighRisk {
				d.Milestone = highRiskMilestone(act, o)
			}
		case ob.Milestone == "gpai" && before:
			d.Milestone, _ = act.Milestone("gpai_legacy")
		default:
			d.Milestone, _ = act.Milestone(ob.Milestone)
		}
		for _, h := range ob.Holders {
			if (h == catalogs.HolderAny && len(r.Roles) > 0) || r.HasRole(h) {
				d.Ours = true
			}
		}
		if d.Ours {
			ours = append(ours, d)
		} else {
			theirs = append(theirs, d)
		}
	}
	return append(ours, theirs...)
}

// Outcome is ClassifyAIAct of the record.
func (r AIActRecord) Outcome(act *catalogs.AIAct) AIActOutcome { return ClassifyAIAct(act, r) }

// ---- checks ----

// CheckStep lists the problems of one step. With complete false only malformed input
// counts; with complete true the step must also hold what an approval needs. Fields are
// "operator_roles", "q.<id>" and "q.<id>.note", "fria_period", ..., "decision", ....
func (r AIActRecord) CheckStep(act *catalogs.AIAct, s AIActStep, complete bool) []*ValidationError {
	var out []*ValidationError
	add := func(field, format string, args ...any) {
		out = append(out, &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	text := func(field, label, v string, required bool, hint string) {
		switch {
		case utf8.RuneCountInString(v) > MaxTextLen:
			add(field, "The %s text is longer than %d characters.", label, MaxTextLen)
		case required && complete && strings.TrimSpace(v) == "":
			add(field, "%s", hint)
		}
	}
	need := func(q catalogs.AIActQuestion) {
		if complete && r.open(q.ID) {
			add(AIActField(q.ID), "%s: answer yes or no.", q.Cite)
		}
	}
	if s == ActStepRoles {
		switch {
		case len(r.Roles) == 0 && complete:
			add("operator_roles", "Choose the organisation's roles under the Act (provider, deployer, importer, distributor, product manufacturer, authorised representative).")
		default:
			for _, role := range r.Roles {
				if !slices.Contains(OperatorRoles, role) {
					add("operator_roles", "Unknown operator role %q.", role)
					break
				}
			}
		}
		return out
	}
	if cs := s.CatalogStep(); cs != "" {
		for _, q := range act.StepQuestions(cs) {
			a := r.Answer(q.ID)
			switch a.Answer {
			case AnswerNone, AnswerYes, AnswerNo:
			default:
				add(AIActField(q.ID), "%s: unknown answer %q; use yes or no.", q.Cite, a.Answer)
			}
			text(AIActNoteField(q.ID), "note", a.Note, false, "")
		}
	}
	switch s {
	case ActStepFRIA:
		required := complete && len(out) == 0 && ClassifyAIAct(act, r).FRIA == FRIARequired
		text("fria_period", "period and frequency", r.FRIAPeriod, required, "Say over what period and how often the system will be used (Art. 27(1)(b)).")
		text("fria_oversight", "human oversight", r.FRIAOversight, required, "Describe the human oversight measures (Art. 27(1)(e)).")
		text("fria_complaints", "governance and complaints", r.FRIAComplaints, required,
			"Describe the internal governance and the complaint mechanism for when the risks materialise (Art. 27(1)(f)).")
		if _, err := ParseDate(r.FRIANotified); err != nil {
			add("fria_notified", "%s", err.Error())
		}
	case ActStepResult:
		out = append(out, r.checkApproval()...)
	}
	if len(out) > 0 || !complete {
		return out
	}
	switch s {
	case ActStepProhibited:
		for _, q := range act.StepQuestions(catalogs.AIActStepProhibited) {
			need(q)
			if r.yes(q.ID) && strings.TrimSpace(r.Answer(q.ID).Note) == "" {
				add(AIActNoteField(q.ID), "%s: say what the system does that falls under it.", q.Cite)
			}
		}
	case ActStepHighRisk:
		product := act.QuestionOfKind(catalogs.KindAnnexIProduct)
		need(product)
		if r.yes(product.ID) {
			need(act.QuestionOfKind(catalogs.KindAnnexIAssessment))
		}
		for _, q := range act.KindQuestions(catalogs.KindAnnexIII) {
			need(q)
		}
	case ActStepExemption:
		if !r.anyAnnexIII(act) {
			break
		}
		profiling := act.QuestionOfKind(catalogs.KindProfiling)
		need(profiling)
		if r.yes(profiling.ID) {
			break
		}
		for _, q := range act.KindQuestions(catalogs.KindExemptionCondition) {
			need(q)
			if r.yes(q.ID) && strings.TrimSpace(r.Answer(q.ID).Note) == "" {
				add(AIActNoteField(q.ID), "%s: give the reasoning (Art. 6(4) asks the provider to document it).", q.Cite)
			}
		}
	case ActStepTransparency:
		for _, q := range act.StepQuestions(catalogs.AIActStepTransparency) {
			need(q)
		}
	case ActStepGPAI:
		provider := act.QuestionOfKind(catalogs.KindGPAIProvider)
		need(provider)
		if r.yes(provider.ID) {
			for _, kind := range []string{catalogs.KindGPAISystemic, catalogs.KindGPAIOpenSource, catalogs.KindGPAIBefore} {
				need(act.QuestionOfKind(kind))
			}
		}
	case ActStepFRIA:
		if ClassifyAIAct(act, r).FRIA != FRIANotApplicable {
			need(act.QuestionOfKind(catalogs.KindFRIAPublic))
			need(act.QuestionOfKind(catalogs.KindFRIACreditInsurance))
		}
	}
	return out
}

func (r AIActRecord) anyAnnexIII(act *catalogs.AIAct) bool {
	for _, q := range act.KindQuestions(catalogs.KindAnnexIII) {
		if r.yes(q.ID) {
			return true
		}
	}
	return false
}

func (r AIActRecord) checkApproval() []*ValidationError {
	var out []*ValidationError
	add := func(field, format string, args ...any) {
		out = append(out, &ValidationError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if r.Decision != DecisionNone && r.Decision != DecisionApprove {
		add("decision", "Unknown decision %q: a classification is approved or stays a draft.", r.Decision)
		return out
	}
	if utf8.RuneCountInString(r.Approver) > MaxNameLen {
		add("approver", "The approver's name is longer than %d characters.", MaxNameLen)
	}
	if _, err := ParseDate(r.DecisionDate); err != nil {
		add("decision_date", "%s", err.Error())
	}
	if utf8.RuneCountInString(r.Rationale) > MaxTextLen {
		add("rationale", "The rationale is longer than %d characters.", MaxTextLen)
	}
	if r.Decision == DecisionNone {
		return out
	}
	if strings.TrimSpace(r.Approver) == "" {
		add("approver", "Name the person who approves the classification.")
	}
	if r.DecisionDate == "" {
		add("decision_date", "Give the date of the approval.")
	}
	if strings.TrimSpace(r.Rationale) == "" {
		add("rationale", "Say why the classification holds: the rationale is part of the record.")
	}
	return out
}

// Validate checks the record as the store does before every save: roles, answers and
// texts well-formed, no answer to a question the questionnaire does not have and, when
// approved, every step complete and the result settled.
func (r AIActRecord) Validate(act *catalogs.AIAct) error {
	if r.Version < 1 {
		return invalid("version", "The version must be 1 or more.")
	}
	if !r.LastStep.Valid() {
		return invalid("last_step", "Unknown wizard step %d.", int(r.LastStep)+1)
	}
	ids := make([]string, 0, len(r.Answers))
	for id := range r.Answers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if _, ok := act.Question(id); !ok {
			return invalid(AIActField(id), "The questionnaire has no question %q; update annex.", id)
		}
	}
	for _, s := range AIActSteps {
		if p := r.CheckStep(act, s, CheckDraft); len(p) > 0 {
			return p[0]
		}
	}
	if r.Decision != DecisionNone {
		return r.ReadyForApproval(act)
	}
	return nil
}

// ReadyForApproval returns a *ValidationError on field "decision" naming the first step
// that is not complete, or nil when the classification can be approved.
func (r AIActRecord) ReadyForApproval(act *catalogs.AIAct) error {
	for _, s := range AIActSteps[:len(AIActSteps)-1] {
		if p := r.CheckStep(act, s, CheckComplete); len(p) > 0 {
			return invalid("decision", "Complete step %d of %d (%s) before approving: %s", int(s)+1, len(AIActSteps), s.Title(), p[0].Message)
		}
	}
	if o := ClassifyAIAct(act, r); o.Result == ActUnsettled {
		return invalid("decision", "The result is not settled yet: answer %s.", o.Unsettled[0])
	}
	return nil
}

// FirstIncomplete is the first step that is not complete (the last step when all are).
func (r AIActRecord) FirstIncomplete(act *catalogs.AIAct) AIActStep {
	for _, s := range AIActSteps {
		if len(r.CheckStep(act, s, CheckComplete)) > 0 {
			return s
		}
	}
	return ActStepResult
}

// ---- the field map: what the store diffs and the change history records ----

// AIActField is the field of a question's answer; AIActNoteField of its note.
func AIActField(id string) string     { return "q." + id }
func AIActNoteField(id string) string { return "q." + id + ".note" }

// aiActBaseFields are the fields that are not answers, in form order.
var aiActBaseFields = []string{"operator_roles", "fria_period", "fria_oversight", "fria_complaints", "fria_notified",
	"decision", "approver", "decision_date", "rationale"}

// AIActRecordFields lists every field of AIActRecordMap in a stable order.
func AIActRecordFields(act *catalogs.AIAct) []string {
	out := []string{"operator_roles"}
	for _, q := range act.Questions {
		out = append(out, AIActField(q.ID), AIActNoteField(q.ID))
	}
	return append(append(out, aiActBaseFields[1:]...), "last_step")
}

// StepFields are the fields a step edits.
func (s AIActStep) StepFields(act *catalogs.AIAct) []string {
	var out []string
	switch s {
	case ActStepRoles:
		return []string{"operator_roles"}
	case ActStepResult:
		return []string{"decision", "approver", "decision_date", "rationale"}
	}
	for _, q := range act.StepQuestions(s.CatalogStep()) {
		out = append(out, AIActField(q.ID), AIActNoteField(q.ID))
	}
	if s == ActStepFRIA {
		out = append(out, "fria_period", "fria_oversight", "fria_complaints", "fria_notified")
	}
	return out
}

// AIActRecordMap flattens a record into field → text.
func AIActRecordMap(act *catalogs.AIAct, r AIActRecord) map[string]string {
	m := map[string]string{
		"operator_roles": operatorRolesText(r.Roles), "fria_period": r.FRIAPeriod, "fria_oversight": r.FRIAOversight,
		"fria_complaints": r.FRIAComplaints, "fria_notified": r.FRIANotified, "decision": string(r.Decision),
		"approver": r.Approver, "decision_date": r.DecisionDate, "rationale": r.Rationale, "last_step": numText(int(r.LastStep)),
	}
	for _, q := range act.Questions {
		a := r.Answers[q.ID]
		m[AIActField(q.ID)], m[AIActNoteField(q.ID)] = string(a.Answer), a.Note
	}
	return m
}

// AIActRecordFromMap rebuilds the editable content from a map made by AIActRecordMap;
// identity fields (ids, version, times) come from base. Keys "q.<id>" of questions the
// questionnaire does not have are kept, so validation can name them.
func AIActRecordFromMap(base AIActRecord, m map[string]string) (AIActRecord, error) {
	r := base
	r.Roles = parseOperatorRoles(m["operator_roles"])
	r.FRIAPeriod, r.FRIAOversight, r.FRIAComplaints, r.FRIANotified = m["fria_period"], m["fria_oversight"], m["fria_complaints"], m["fria_notified"]
	r.Decision, r.Approver, r.DecisionDate, r.Rationale = Decision(m["decision"]), m["approver"], m["decision_date"], m["rationale"]
	step := 0
	if v := m["last_step"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return r, fmt.Errorf("last_step %q is not a number", v)
		}
		step = n
	}
	r.LastStep = AIActStep(step)
	r.Answers = map[string]AIActAnswer{}
	for k, v := range m {
		id, ok := strings.CutPrefix(k, "q.")
		if !ok {
			continue
		}
		if qid, isNote := strings.CutSuffix(id, ".note"); isNote {
			a := r.Answers[qid]
			a.Note = v
			if a != (AIActAnswer{}) {
				r.Answers[qid] = a
			}
			continue
		}
		a := r.Answers[id]
		a.Answer = Answer(v)
		if a != (AIActAnswer{}) {
			r.Answers[id] = a
		}
	}
	return r, nil
}

// ---- summaries ----

// LatestClassification is one AI system with its newest classification version.
type LatestClassification struct {
	Latest   *AIActRecord // nil when never classified
	InForce  *AIActRecord // newest approved version
	Versions int
}

// LatestAIAct picks the newest and the newest approved version from a system's versions.
func LatestAIAct(versions []AIActRecord) LatestClassification {
	var l LatestClassification
	for i := range versions {
		v := &versions[i]
		l.Versions++
		if l.Latest == nil || v.Version > l.Latest.Version {
			l.Latest = v
		}
		if v.Frozen() && (l.InForce == nil || v.Version > l.InForce.Version) {
			l.InForce = v
		}
	}
	return l
}
