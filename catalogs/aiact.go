package catalogs

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// The EU AI Act questionnaire (data/eu-ai-act.yaml): the questions annex asks to classify
// an AI system under Regulation (EU) 2024/1689, what follows from the answers, and the Act's
// dates of application. The rule that turns answers into a result is in
// assessments/aiact.go; this file only loads and checks the data.

// Steps of the classification, in wizard order (the roles step has no questions).
const (
	AIActStepProhibited   = "prohibited"
	AIActStepHighRisk     = "high_risk"
	AIActStepExemption    = "exemption"
	AIActStepTransparency = "transparency"
	AIActStepGPAI         = "gpai"
	AIActStepFRIA         = "fria"
)

// AIActSteps are the question steps in order.
var AIActSteps = []string{AIActStepProhibited, AIActStepHighRisk, AIActStepExemption, AIActStepTransparency, AIActStepGPAI, AIActStepFRIA}

// Question kinds: what an answer means to the classification rule.
const (
	KindProhibited          = "prohibited"            // Art. 5: yes makes the system prohibited
	KindAnnexIProduct       = "annex_i_product"       // Art. 6(1)(a)
	KindAnnexIAssessment    = "annex_i_assessment"    // Art. 6(1)(b)
	KindAnnexIII            = "annex_iii"             // Art. 6(2): one per Annex III point
	KindExemptionCondition  = "exemption_condition"   // Art. 6(3)(a) to (d)
	KindProfiling           = "profiling"             // Art. 6(3), last subparagraph
	KindTransparency        = "transparency"          // Art. 50
	KindGPAIProvider        = "gpai_provider"         // Chapter V
	KindGPAISystemic        = "gpai_systemic"         // Art. 51
	KindGPAIOpenSource      = "gpai_open_source"      // Art. 53(2)
	KindGPAIBefore          = "gpai_before"           // Art. 111(3)
	KindFRIAPublic          = "fria_public"           // Art. 27(1)
	KindFRIACreditInsurance = "fria_credit_insurance" // Art. 27(1), Annex III 5(b), (c)
)

// aiActKinds are the kinds with the step each belongs to and how many the rule needs
// (0: any number, at least one).
var aiActKinds = map[string]struct {
	step  string
	count int
}{
	KindProhibited: {AIActStepProhibited, 0}, KindAnnexIProduct: {AIActStepHighRisk, 1}, KindAnnexIAssessment: {AIActStepHighRisk, 1},
	KindAnnexIII: {AIActStepHighRisk, 8}, KindExemptionCondition: {AIActStepExemption, 4}, KindProfiling: {AIActStepExemption, 1},
	KindTransparency: {AIActStepTransparency, 0}, KindGPAIProvider: {AIActStepGPAI, 1}, KindGPAISystemic: {AIActStepGPAI, 1},
	KindGPAIOpenSource: {AIActStepGPAI, 1}, KindGPAIBefore: {AIActStepGPAI, 1}, KindFRIAPublic: {AIActStepFRIA, 1},
	KindFRIACreditInsurance: {AIActStepFRIA, 1},
}

// Operator roles of the Act (Art. 3(3) to (8), Art. 25(3)): the tokens an obligation's
// holders and a classification's roles use.
const (
	OperatorProvider       = "provider"
	OperatorDeployer       = "deployer"
	OperatorImporter       = "importer"
	OperatorDistributor    = "distributor"
	OperatorManufacturer   = "product_manufacturer"
	OperatorRepresentative = "authorised_representative"
)

// AIActOperatorRoles in the order a form offers them.
var AIActOperatorRoles = []string{OperatorProvider, OperatorDeployer, OperatorImporter, OperatorDistributor, OperatorManufacturer, OperatorRepresentative}

// Obligation conditions besides a question id (that question answered yes).
const (
	WhenAlways            = "always"
	WhenProhibited        = "prohibited"
	WhenHighRisk          = "high_risk"
	WhenHighRiskAnnexIII  = "high_risk_annex_iii"
	WhenExempt            = "exempt"
	WhenFRIA              = "fria"
	WhenGPAI              = "gpai"
	WhenGPAIDocumentation = "gpai_documentation"
	WhenGPAISystemic      = "gpai_systemic"
)

var aiActWhens = []string{WhenAlways, WhenProhibited, WhenHighRisk, WhenHighRiskAnnexIII, WhenExempt, WhenFRIA, WhenGPAI, WhenGPAIDocumentation, WhenGPAISystemic}

// MilestoneHighRisk in an obligation stands for the date of the route that made the system
// high-risk (Annex III or Annex I, the earlier when both).
const MilestoneHighRisk = "high_risk"

// HolderAny in an obligation's holders means whoever holds any operator role.
const HolderAny = "any"

// AIAct is the questionnaire with the Act's milestones and obligations.
type AIAct struct {
	ID          string            `yaml:"id"`
	Name        string            `yaml:"name"`
	Short       string            `yaml:"short"`
	AsOf        string            `yaml:"as_of"`
	Note        string            `yaml:"note"`
	Milestones  []AIActMilestone  `yaml:"milestones"`
	Questions   []AIActQuestion   `yaml:"questions"`
	Obligations []AIActObligation `yaml:"obligations"`
	byQuestion  map[string]int    `yaml:"-"`
	byMilestone map[string]int    `yaml:"-"`
	byStep      map[string][]int  `yaml:"-"`
	byKind      map[string][]int  `yaml:"-"`
}

// AIActMilestone is a date from which part of the Act applies.
type AIActMilestone struct {
	ID          string `yaml:"id"`
	Title       string `yaml:"title"`
	AppliesFrom string `yaml:"applies_from"` // YYYY-MM-DD
	Cite        string `yaml:"cite"`
	Source      string `yaml:"source"`
}

// AIActQuestion is one question of the classification, in annex's words.
type AIActQuestion struct {
	ID        string `yaml:"id"`
	Step      string `yaml:"step"`
	Kind      string `yaml:"kind"`
	Point     int    `yaml:"point"`  // Annex III point (annex_iii only)
	Holder    string `yaml:"holder"` // transparency: who carries the obligation
	Cite      string `yaml:"cite"`
	Title     string `yaml:"title"`
	Ask       string `yaml:"ask"`
	Milestone string `yaml:"milestone"`
}

// Label is the citation and short title: "Art. 5(1)(a) Harmful manipulation or deception".
func (q AIActQuestion) Label() string { return q.Cite + " " + q.Title }

// AIActObligation is something the Act asks of an operator once the classification holds.
type AIActObligation struct {
	ID        string   `yaml:"id"`
	When      string   `yaml:"when"`
	Holders   []string `yaml:"holders"`
	Cite      string   `yaml:"cite"`
	Title     string   `yaml:"title"`
	Milestone string   `yaml:"milestone"`
}

// Question returns a question by id.
func (a *AIAct) Question(id string) (AIActQuestion, bool) {
	i, ok := a.byQuestion[id]
	if !ok {
		return AIActQuestion{}, false
	}
	return a.Questions[i], true
}

// Milestone returns a milestone by id.
func (a *AIAct) Milestone(id string) (AIActMilestone, bool) {
	i, ok := a.byMilestone[id]
	if !ok {
		return AIActMilestone{}, false
	}
	return a.Milestones[i], true
}

// StepQuestions lists the questions of a step in file order.
func (a *AIAct) StepQuestions(step string) []AIActQuestion {
	out := make([]AIActQuestion, 0, len(a.byStep[step]))
	for _, i := range a.byStep[step] {
		out = append(out, a.Questions[i])
	}
	return out
}

// KindQuestions lists the questions of a kind in file order.
func (a *AIAct) KindQuestions(kind string) []AIActQuestion {
	out := make([]AIActQuestion, 0, len(a.byKind[kind]))
	for _, i := range a.byKind[kind] {
		out = append(out, a.Questions[i])
	}
	return out
}

// QuestionOfKind is the one question of a kind the rule needs exactly once.
func (a *AIAct) QuestionOfKind(kind string) AIActQuestion {
	if l := a.byKind[kind]; len(l) > 0 {
		return a.Questions[l[0]]
	}
	return AIActQuestion{}
}

func (a *AIAct) index() {
	a.byQuestion, a.byMilestone = map[string]int{}, map[string]int{}
	a.byStep, a.byKind = map[string][]int{}, map[string][]int{}
	for i, q := range a.Questions {
		a.byQuestion[q.ID] = i
		a.byStep[q.Step] = append(a.byStep[q.Step], i)
		a.byKind[q.Kind] = append(a.byKind[q.Kind], i)
	}
	for i, m := range a.Milestones {
		a.byMilestone[m.ID] = i
	}
}

// ParseAIAct reads and checks a questionnaire.
func ParseAIAct(b []byte) (*AIAct, error) {
	a := &AIAct{}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true) // a misspelt key is an error, not a silently missing date
	if err := dec.Decode(a); err != nil {
		return nil, err
	}
	a.index()
	if err := a.Check(); err != nil {
		return nil, err
	}
	return a, nil
}

// Check verifies the questionnaire's structure: unique ids, known steps and kinds, the
// questions the rule needs, dates, and that every milestone and holder named exists.
func (a *AIAct) Check() error {
	var errs []string
	add := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if a.ID == "" || a.Name == "" || a.Short == "" {
		add("the questionnaire needs an id, a name and a short name")
	}
	if _, err := time.Parse(time.DateOnly, a.AsOf); err != nil {
		add("as_of %q is not a date (YYYY-MM-DD)", a.AsOf)
	}
	seenM := map[string]bool{}
	for _, m := range a.Milestones {
		switch {
		case m.ID == "" || seenM[m.ID]:
			add("milestone %q: missing or repeated id", m.ID)
		case m.Title == "" || m.Cite == "" || m.Source == "":
			add("milestone %s: needs a title, a citation and a source note", m.ID)
		}
		if _, err := time.Parse(time.DateOnly, m.AppliesFrom); err != nil {
			add("milestone %s: applies_from %q is not a date (YYYY-MM-DD)", m.ID, m.AppliesFrom)
		}
		seenM[m.ID] = true
	}
	milestone := func(where, id string) {
		if id != MilestoneHighRisk && !seenM[id] {
			add("%s: unknown milestone %q", where, id)
		}
	}
	seenQ := map[string]bool{}
	counts := map[string]int{}
	for _, q := range a.Questions {
		where := "question " + q.ID
		switch {
		case q.ID == "" || seenQ[q.ID]:
			add("question %q: missing or repeated id", q.ID)
		case strings.ContainsAny(q.ID, ".,: "):
			add("%s: an id may not hold '.', ',', ':' or spaces", where)
		}
		seenQ[q.ID] = true
		k, ok := aiActKinds[q.Kind]
		switch {
		case !ok:
			add("%s: unknown kind %q", where, q.Kind)
		case k.step != q.Step:
			add("%s: a %s question belongs to step %s, not %q", where, q.Kind, k.step, q.Step)
		}
		counts[q.Kind]++
		if q.Cite == "" || q.Title == "" || strings.TrimSpace(q.Ask) == "" {
			add("%s: needs a citation, a title and a question", where)
		}
		if (q.Kind == KindAnnexIII) != (q.Point >= 1 && q.Point <= 8) {
			add("%s: an Annex III question names its point (1 to 8); no other question does", where)
		}
		if (q.Kind == KindTransparency) != (q.Holder != "") {
			add("%s: a transparency question names who holds the obligation; no other question does", where)
		} else if q.Holder != "" && !slices.Contains(AIActOperatorRoles, q.Holder) {
			add("%s: unknown holder %q", where, q.Holder)
		}
		milestone(where, q.Milestone)
	}
	for kind, k := range aiActKinds {
		switch n := counts[kind]; {
		case k.count == 0 && n == 0:
			add("the rule needs at least one %s question", kind)
		case k.count > 0 && n != k.count:
			add("the rule needs %d %s question(s), found %d", k.count, kind, n)
		}
	}
	seenO := map[string]bool{}
	for _, o := range a.Obligations {
		where := "obligation " + o.ID
		if o.ID == "" || seenO[o.ID] {
			add("obligation %q: missing or repeated id", o.ID)
		}
		seenO[o.ID] = true
		if !slices.Contains(aiActWhens, o.When) && !seenQ[o.When] {
			add("%s: unknown condition %q", where, o.When)
		}
		if len(o.Holders) == 0 {
			add("%s: names no holder", where)
		}
		for _, h := range o.Holders {
			if h != HolderAny && !slices.Contains(AIActOperatorRoles, h) {
				add("%s: unknown holder %q", where, h)
			}
		}
		if o.Cite == "" || o.Title == "" {
			add("%s: needs a citation and a title", where)
		}
		milestone(where, o.Milestone)
	}
	if len(errs) > 0 {
		return fmt.Errorf("EU AI Act questionnaire: %s", strings.Join(errs, "; "))
	}
	return nil
}

var loadAIAct = sync.OnceValues(func() (*AIAct, error) {
	b, err := dataFS.ReadFile("data/eu-ai-act.yaml")
	if err != nil {
		return nil, err
	}
	a, err := ParseAIAct(b)
	if err != nil {
		return nil, fmt.Errorf("data/eu-ai-act.yaml: %w", err)
	}
	return a, nil
})

// EUAIAct is the built-in questionnaire, loaded once per process. It must not be modified.
func EUAIAct() (*AIAct, error) { return loadAIAct() }

// MustEUAIAct is EUAIAct for code paths where the embedded data was checked by the tests.
func MustEUAIAct() *AIAct {
	a, err := EUAIAct()
	if err != nil {
		panic(err)
	}
	return a
}
