package aisystems

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/form"
)

// The option lists of the level and choice fields.

var severityOpts = []form.Option{{Value: "", Label: "–"}, {Value: "1", Label: "1 minimal"}, {Value: "2", Label: "2 minor"},
	{Value: "3", Label: "3 moderate"}, {Value: "4", Label: "4 major"}, {Value: "5", Label: "5 severe"}}

var likelihoodOpts = []form.Option{{Value: "", Label: "–"}, {Value: "1", Label: "1 rare"}, {Value: "2", Label: "2 unlikely"},
	{Value: "3", Label: "3 possible"}, {Value: "4", Label: "4 likely"}, {Value: "5", Label: "5 almost certain"}}

func options[T ~string](values []T, label func(T) string) []form.Option {
	out := make([]form.Option, 0, len(values))
	for _, v := range values {
		out = append(out, form.Option{Value: string(v), Label: label(v)})
	}
	return out
}

func classOpts(derived assessments.ImpactClass) []form.Option {
	out := []form.Option{{Value: "", Label: fmt.Sprintf("by the class rules (%s)", derived.Label())}}
	for _, c := range assessments.ImpactClasses {
		out = append(out, form.Option{Value: string(c), Label: string(c) + " (set by hand)"})
	}
	return out
}

func areaOpts() []form.Option {
	var out []form.Option
	for i, a := range assessments.ImpactAreas {
		out = append(out, form.Option{Value: strconv.Itoa(i), Label: fmt.Sprintf("%d/%d %s", i+1, len(assessments.ImpactAreas), a.Label())})
	}
	return out
}

var yesNoOpts = []form.Option{{Value: "", Label: "no"}, {Value: "yes", Label: "yes"}}

// stepIntro says in one line what a step asks, in annex's words.
func stepIntro(s assessments.ImpactStep) string {
	switch s {
	case assessments.StepScope:
		return "What is assessed, why now, and who takes part."
	case assessments.StepSystem:
		return "What the system is for, how it is meant to be used, and how it can be misused or fail."
	case assessments.StepData:
		return "Where the data comes from, how good it is, and the bias known in it."
	case assessments.StepModel:
		return "What kind of model it is, who provides it, and how it changes over time."
	case assessments.StepDeployment:
		return "Where, in which languages and under which laws the system is used."
	case assessments.StepParties:
		return "Who is affected, including people less able to protect their interests."
	case assessments.StepImpacts:
		return "Each area: harm, benefit or none; ratings 1-5 before and after the measures."
	case assessments.StepClass:
		return "The class follows the class rules below; set it by hand only with a reason."
	case assessments.StepDecision:
		return "The accountable person's decision. Recording it freezes this version."
	}
	return ""
}

// areaKey is the form key of the impacts step's area selector.
const areaKey = "area"

// longText is a multi-line field for text that runs to sentences.
func longText(k, label, placeholder string) form.Field {
	return form.Field{Key: k, Label: label, Kind: form.MultiLine, Placeholder: placeholder, Lines: 3, Limit: assessments.MaxTextLen}
}

func shortText(k, label, placeholder string) form.Field {
	return form.Field{Key: k, Label: label, Kind: form.Text, Placeholder: placeholder, Limit: assessments.MaxTextLen}
}

// stepFields are the fields of one wizard step, keyed by the domain's field names (the
// names a *ValidationError reports), so a message lands next to its field. The impacts
// step holds every area's fields; only the area chosen in its selector shows.
func stepFields(s assessments.ImpactStep, derived assessments.ImpactClass, measures func() []form.Option) []form.Field {
	switch s {
	case assessments.StepScope:
		return []form.Field{
			{Key: "trigger", Label: "Trigger", Kind: form.Choice, Options: options(assessments.Triggers, assessments.Trigger.Label)},
			shortText("trigger_note", "What led to it", "for a change or an incident: what happened"),
			longText("scope", "Scope", "which version, sites and processes the assessment covers"),
			{Key: "assessors", Label: "Assessors", Kind: form.Text, Placeholder: "who took part", Limit: assessments.MaxNameLen},
		}
	case assessments.StepSystem:
		return []form.Field{
			longText("purpose", "Purpose", "what the system is for"),
			longText("intended_uses", "Intended uses", "who uses it, for what, within which limits"),
			longText("misuse", "Foreseeable misuse", "how people could use it in ways not intended"),
			longText("failure_modes", "Failure modes", "how it can fail and what follows"),
		}
	case assessments.StepData:
		return []form.Field{
			shortText("data_sources", "Sources", "datasets, feeds, user input"),
			longText("data_provenance", "Provenance", "where the data comes from, under which terms"),
			longText("data_quality", "Quality", "how quality is checked, known gaps"),
			longText("known_bias", "Known bias", "bias found in the data, or \"none known\""),
		}
	case assessments.StepModel:
		return []form.Field{
			shortText("model_kind", "Kind", "e.g. image classifier, large language model"),
			shortText("model_provider", "Provider", "built in house, or the supplier"),
			longText("model_changes", "How it changes", "retraining, updates, learning in use"),
		}
	case assessments.StepDeployment:
		return []form.Field{
			shortText("geography", "Geography", "countries, regions, sites"),
			shortText("languages", "Languages", "languages of input and output"),
			shortText("jurisdictions", "Jurisdictions", "laws and regulators that apply"),
			longText("deployment_context", "Context", "where and how it runs, who sees its output"),
		}
	case assessments.StepParties:
		return []form.Field{
			longText("interested_parties", "Interested parties", "users, affected people, organisations"),
			longText("vulnerable_groups", "Vulnerable groups", "children, patients, people with disabilities… or \"none identified\""),
		}
	case assessments.StepImpacts:
		return impactFields(measures)
	case assessments.StepClass:
		return []form.Field{
			{Key: "class_override", Label: "Overall class", Kind: form.Choice, Options: classOpts(derived)},
			{Key: "override_reason", Label: "Reason for override", Kind: form.MultiLine, Lines: 3, Limit: assessments.MaxTextLen,
				Placeholder: "why the class differs from what the class rules give",
				Show:        func(v form.Values) bool { return v["class_override"] != "" || v["override_reason"] != "" }},
			{Key: "review_date", Label: "Next review", Kind: form.Date, Placeholder: "YYYY-MM-DD; empty: follows from the class"},
		}
	case assessments.StepDecision:
		return []form.Field{
			{Key: "decision", Label: "Decision", Kind: form.Choice, Options: options(assessments.Decisions, assessments.Decision.Label)},
			{Key: "approver", Label: "Approver", Kind: form.Person, Placeholder: "the accountable person's name", Limit: assessments.MaxNameLen},
			{Key: "decision_date", Label: "Date", Kind: form.Date, Placeholder: "YYYY-MM-DD (t: today)"},
			longText("rationale", "Rationale", "why this decision"),
			{Key: "conditions", Label: "Conditions", Kind: form.MultiLine, Lines: 3, Limit: assessments.MaxTextLen, Placeholder: "the conditions of the approval",
				Show: func(v form.Values) bool {
					return v["decision"] == string(assessments.DecisionConditions) || v["conditions"] != ""
				}},
		}
	}
	return nil
}

// impactFields are the area selector and, for each area, its fields; the ratings show for a
// harm, the description for a harm or a benefit.
func impactFields(measures func() []form.Option) []form.Field {
	out := []form.Field{{Key: areaKey, Label: "Area", Kind: form.Choice, Options: areaOpts(), Selector: true,
		Help: "←/→ or enter: the area to assess (alt+↓/↑ from any field)"}}
	for i, area := range assessments.ImpactAreas {
		idx := strconv.Itoa(i)
		effect := assessments.ImpactField(area, "effect")
		here := func(v form.Values) bool { return v[areaKey] == idx }
		described := func(v form.Values) bool {
			return here(v) && (v[effect] == string(assessments.EffectHarm) || v[effect] == string(assessments.EffectBenefit))
		}
		harm := func(v form.Values) bool { return here(v) && v[effect] == string(assessments.EffectHarm) }
		k := func(name string) string { return assessments.ImpactField(area, name) }
		out = append(out,
			form.Field{Key: effect, Label: "Effect", Kind: form.Choice, Options: options(assessments.Effects, assessments.Effect.Label), Show: here},
			form.Field{Key: k("description"), Label: "Description", Kind: form.MultiLine, Lines: 2, Limit: assessments.MaxTextLen,
				Placeholder: "what happens to whom", Show: described},
			form.Field{Key: k("severity"), Label: "Severity", Kind: form.Level, Options: severityOpts, Show: harm},
			form.Field{Key: k("likelihood"), Label: "Likelihood", Kind: form.Level, Options: likelihoodOpts, Show: harm, Inline: true},
			form.Field{Key: k("reversibility"), Label: "Reversibility", Kind: form.Choice,
				Options: options(assessments.Reversibilities, assessments.Reversibility.Label), Show: harm},
			form.Field{Key: k("scale"), Label: "Scale", Kind: form.Choice, Options: options(assessments.ImpactScales, assessments.ImpactScale.Label),
				Show: harm, Inline: true},
			form.Field{Key: k("measures"), Label: "Measures (controls)", Kind: form.Multi, Items: measures, Show: harm,
				Help: "enter picks from the controls of both standards (type to filter, space ticks); the words go below"},
			form.Field{Key: k("measures_note"), Label: "Measures (words)", Kind: form.MultiLine, Lines: 2, Limit: assessments.MaxTextLen,
				Placeholder: "what is done beyond the controls", Show: harm},
			form.Field{Key: k("residual_severity"), Label: "Residual severity", Kind: form.Level, Options: severityOpts, Show: harm},
			form.Field{Key: k("residual_likelihood"), Label: "Residual likelihood", Kind: form.Level, Options: likelihoodOpts, Show: harm, Inline: true},
		)
	}
	return out
}

// stepValues are the form values of an assessment: the domain's field map (measures are
// "standard:ref" values, as the pick list holds them) and the area shown.
func stepValues(a assessments.ImpactAssessment, area int) form.Values {
	v := form.Values(assessments.ImpactAssessmentMap(a))
	v[areaKey] = strconv.Itoa(area)
	delete(v, "last_step")
	return v
}

// fromStep is base with the step's form values applied; problems are values the domain
// cannot read, by field.
func fromStep(base assessments.ImpactAssessment, s assessments.ImpactStep, v form.Values) (assessments.ImpactAssessment, map[string]string) {
	m := assessments.ImpactAssessmentMap(base)
	problems := map[string]string{}
	for _, k := range s.Fields() {
		if val, ok := v[k]; ok {
			m[k] = val
		}
	}
	a, err := assessments.ImpactAssessmentFromMap(base, m)
	if err != nil {
		problems[s.Fields()[0]] = err.Error()
		return base, problems
	}
	a.Normalize()
	return a, problems
}

// measureOptions are the Annex A controls of the engagement's standards (both built-in
// catalogs when it names neither), labelled with their standard ("ISO 42001 A.5.5  …"),
// and any measure already linked that the list would not offer, so it stays visible.
func measureOptions(set *catalogs.Set, standards []string, linked []string) []form.Option {
	// ISO 42001 first: an AI impact is usually treated by its Annex A.
	var stds []string
	for _, std := range []string{catalogs.ISO42001, catalogs.ISO27001} {
		if slices.Contains(standards, std) {
			stds = append(stds, std)
		}
	}
	if len(stds) == 0 {
		stds = []string{catalogs.ISO42001, catalogs.ISO27001}
	}
	var out []form.Option
	seen := map[string]bool{}
	for _, std := range stds {
		cat, ok := set.Get(std)
		if !ok {
			continue
		}
		for _, req := range cat.Requirements {
			if req.Kind != catalogs.KindControl {
				continue
			}
			v := std + ":" + req.Ref
			seen[v] = true
			out = append(out, form.Option{Value: v, Label: cat.Short + " " + req.Ref + "  " + req.Title})
		}
	}
	for _, v := range linked {
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		std, ref, _ := strings.Cut(v, ":")
		label := std + " " + ref
		if cat, ok := set.Get(std); ok {
			label = cat.Short + " " + ref
			if r, ok := cat.Requirement(ref); ok {
				label += "  " + r.Title
			}
		}
		out = append(out, form.Option{Value: v, Label: label})
	}
	return out
}

// systemFields are the inventory form's fields.
func systemFields() []form.Field {
	return []form.Field{
		{Key: "name", Label: "Name", Kind: form.Text, Section: "The system", Placeholder: "what the organisation calls it", Limit: assessments.MaxNameLen},
		longText("purpose", "Purpose", "what it is for, in a sentence"),
		{Key: "type", Label: "Type", Kind: form.Text, Placeholder: strings.Join(assessments.AISystemTypes[:4], ", ") + "…", Limit: assessments.MaxNameLen},
		{Key: "roles", Label: "Organisation's roles", Kind: form.Multi, Options: options(assessments.AIRoles, assessments.AIRole.Label),
			Help: "one or more (ISO/IEC 22989); an AI subject is an interested party: write it under affected people"},
		{Key: "stage", Label: "Life-cycle stage", Kind: form.Choice, Options: options(assessments.LifecycleStages, assessments.LifecycleStage.Label)},
		{Key: "data_sources", Label: "Data sources", Kind: form.Text, Section: "Data", Placeholder: "where its data comes from", Limit: assessments.MaxTextLen},
		shortText("data_categories", "Data categories", "kinds of data, special categories"),
		{Key: "personal_data", Label: "Personal data", Kind: form.Choice, Options: yesNoOpts},
		{Key: "deployment_context", Label: "Deployment context", Kind: form.MultiLine, Section: "Use", Lines: 3, Limit: assessments.MaxTextLen,
			Placeholder: "where and how it is used"},
		shortText("jurisdictions", "Jurisdictions", "countries and laws"),
		shortText("users", "Users", "who operates it"),
		shortText("affected_people", "Affected people", "who its output concerns"),
		{Key: "automation", Label: "Level of automation", Kind: form.Choice, Options: options(assessments.Automations, assessments.Automation.Label)},
		longText("human_oversight", "Human oversight", "who can check, override or stop it"),
		shortText("third_party", "Third parties", "models or services from suppliers"),
		{Key: "owner", Label: "Owner", Kind: form.Person, Section: "Accountability", Placeholder: "accountable person", Limit: assessments.MaxNameLen},
	}
}

func systemValues(a assessments.AISystem) form.Values {
	personal := ""
	if a.PersonalData {
		personal = "yes"
	}
	return form.Values{
		"name": a.Name, "purpose": a.Purpose, "type": a.Type, "roles": assessments.RolesText(a.Roles), "stage": string(a.Stage),
		"data_sources": a.DataSources, "data_categories": a.DataCategories, "personal_data": personal,
		"deployment_context": a.DeploymentContext, "jurisdictions": a.Jurisdictions, "users": a.Users,
		"affected_people": a.AffectedPeople, "automation": string(a.Automation), "human_oversight": a.HumanOversight,
		"third_party": a.ThirdParty, "owner": a.Owner,
	}
}

func systemFromValues(base assessments.AISystem, m form.Values) assessments.AISystem {
	a := base
	a.Name, a.Purpose, a.Type = strings.TrimSpace(m["name"]), m["purpose"], strings.TrimSpace(m["type"])
	a.Roles, a.Stage = assessments.ParseRoles(m["roles"]), assessments.LifecycleStage(m["stage"])
	a.DataSources, a.DataCategories, a.PersonalData = m["data_sources"], m["data_categories"], m["personal_data"] == "yes"
	a.DeploymentContext, a.Jurisdictions, a.Users, a.AffectedPeople = m["deployment_context"], m["jurisdictions"], m["users"], m["affected_people"]
	a.Automation, a.HumanOversight, a.ThirdParty, a.Owner = assessments.Automation(m["automation"]), m["human_oversight"], m["third_party"], strings.TrimSpace(m["owner"])
	return a
}
