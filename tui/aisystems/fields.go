package aisystems

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

// The option lists of the choice fields.

var severityOpts = []option{{"", "–"}, {"1", "1 minimal"}, {"2", "2 minor"}, {"3", "3 moderate"}, {"4", "4 major"}, {"5", "5 severe"}}

var likelihoodOpts = []option{{"", "–"}, {"1", "1 rare"}, {"2", "2 unlikely"}, {"3", "3 possible"}, {"4", "4 likely"}, {"5", "5 almost certain"}}

func triggerOpts() []option {
	out := []option{{"", "choose…"}}
	for _, t := range assessments.Triggers {
		out = append(out, option{string(t), t.Label()})
	}
	return out
}

func effectOpts() []option {
	var out []option
	for _, e := range assessments.Effects {
		out = append(out, option{string(e), e.Label()})
	}
	return out
}

func reversibilityOpts() []option {
	var out []option
	for _, r := range assessments.Reversibilities {
		out = append(out, option{string(r), r.Label()})
	}
	return out
}

func scaleOpts() []option {
	var out []option
	for _, s := range assessments.ImpactScales {
		out = append(out, option{string(s), s.Label()})
	}
	return out
}

func decisionOpts() []option {
	var out []option
	for _, d := range assessments.Decisions {
		out = append(out, option{string(d), d.Label()})
	}
	return out
}

func classOpts(derived assessments.ImpactClass) []option {
	out := []option{{"", fmt.Sprintf("as derived (%s)", derived)}}
	for _, c := range assessments.ImpactClasses {
		out = append(out, option{string(c), string(c) + " (set by hand)"})
	}
	return out
}

func areaOpts() []option {
	var out []option
	for i, a := range assessments.ImpactAreas {
		out = append(out, option{strconv.Itoa(i), fmt.Sprintf("%d/%d %s", i+1, len(assessments.ImpactAreas), a.Label())})
	}
	return out
}

func roleOpts() []option {
	out := []option{{"", "choose…"}}
	for _, r := range assessments.AIRoles {
		out = append(out, option{string(r), r.Label()})
	}
	return out
}

func stageOpts() []option {
	var out []option
	for _, s := range assessments.LifecycleStages {
		out = append(out, option{string(s), s.Label()})
	}
	return out
}

func automationOpts() []option {
	var out []option
	for _, a := range assessments.Automations {
		out = append(out, option{string(a), a.Label()})
	}
	return out
}

var yesNoOpts = []option{{"", "no"}, {"yes", "yes"}}

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
		return "The class follows the worst residual harm; set it by hand only with a reason."
	case assessments.StepDecision:
		return "The accountable person's decision. Recording it freezes this version."
	}
	return ""
}

// stepSpecs are the fields of each wizard step.
func stepSpecs(s assessments.ImpactStep, set *catalogs.Set, derived assessments.ImpactClass) []fieldSpec {
	text := func(name, label, placeholder string) fieldSpec {
		return fieldSpec{name: name, label: label, kind: kText, placeholder: placeholder}
	}
	switch s {
	case assessments.StepScope:
		return []fieldSpec{
			{name: "trigger", label: "Trigger", kind: kChoice, opts: triggerOpts()},
			text("trigger_note", "What led to it", "for a change or an incident: what happened"),
			text("scope", "Scope", "which version, sites and processes the assessment covers"),
			{name: "assessors", label: "Assessors", kind: kText, placeholder: "who took part", limit: assessments.MaxNameLen},
		}
	case assessments.StepSystem:
		return []fieldSpec{
			text("purpose", "Purpose", "what the system is for"),
			text("intended_uses", "Intended uses", "who uses it, for what, within which limits"),
			text("misuse", "Foreseeable misuse", "how people could use it in ways not intended"),
			text("failure_modes", "Failure modes", "how it can fail and what follows"),
		}
	case assessments.StepData:
		return []fieldSpec{
			text("data_sources", "Sources", "datasets, feeds, user input"),
			text("data_provenance", "Provenance", "where the data comes from, under which terms"),
			text("data_quality", "Quality", "how quality is checked, known gaps"),
			text("known_bias", "Known bias", "bias found in the data, or \"none known\""),
		}
	case assessments.StepModel:
		return []fieldSpec{
			text("model_kind", "Kind", "e.g. image classifier, large language model"),
			text("model_provider", "Provider", "built in house, or the supplier"),
			text("model_changes", "How it changes", "retraining, updates, learning in use"),
		}
	case assessments.StepDeployment:
		return []fieldSpec{
			text("geography", "Geography", "countries, regions, sites"),
			text("languages", "Languages", "languages of input and output"),
			text("jurisdictions", "Jurisdictions", "laws and regulators that apply"),
			text("deployment_context", "Context", "where and how it runs, who sees its output"),
		}
	case assessments.StepParties:
		return []fieldSpec{
			text("interested_parties", "Interested parties", "users, affected people, organisations"),
			text("vulnerable_groups", "Vulnerable groups", "children, patients, people with disabilities… or \"none identified\""),
		}
	case assessments.StepImpacts:
		return []fieldSpec{
			{name: "area", label: "Area", kind: kChoice, opts: areaOpts()},
			{name: "effect", label: "Effect", kind: kChoice, opts: effectOpts()},
			text("description", "Description", "what happens to whom"),
			{name: "severity", label: "Severity", kind: kChoice, opts: severityOpts},
			{name: "likelihood", label: "Likelihood", kind: kChoice, opts: likelihoodOpts, inline: true},
			{name: "reversibility", label: "Reversibility", kind: kChoice, opts: reversibilityOpts()},
			{name: "scale", label: "Scale", kind: kChoice, opts: scaleOpts(), inline: true},
			{name: "measures", label: "Measures (controls)", kind: kText, placeholder: "e.g. 42001 A.6.2.4, 27001 A.8.16",
				toText: func(v string) string { return measuresText(set, v) }, fromText: func(v string) (string, error) { return parseMeasures(set, v) }},
			text("measures_note", "Measures (words)", "what is done beyond the controls"),
			{name: "residual_severity", label: "Residual severity", kind: kChoice, opts: severityOpts},
			{name: "residual_likelihood", label: "Residual likelihood", kind: kChoice, opts: likelihoodOpts, inline: true},
		}
	case assessments.StepClass:
		return []fieldSpec{
			{name: "class_override", label: "Overall class", kind: kChoice, opts: classOpts(derived)},
			text("override_reason", "Reason for override", "required when the class is set by hand"),
			{name: "review_date", label: "Next review", kind: kText, placeholder: "YYYY-MM-DD (empty: follows from the class)", limit: 10},
		}
	case assessments.StepDecision:
		return []fieldSpec{
			{name: "decision", label: "Decision", kind: kChoice, opts: decisionOpts()},
			{name: "approver", label: "Approver", kind: kText, placeholder: "the accountable person's name", limit: assessments.MaxNameLen},
			{name: "decision_date", label: "Date", kind: kText, placeholder: "YYYY-MM-DD", limit: 10},
			text("rationale", "Rationale", "why this decision"),
			text("conditions", "Conditions", "for an approval with conditions"),
		}
	}
	return nil
}

// systemSpecs are the inventory form's fields.
func systemSpecs() []fieldSpec {
	text := func(name, label, placeholder string) fieldSpec {
		return fieldSpec{name: name, label: label, kind: kText, placeholder: placeholder}
	}
	return []fieldSpec{
		{name: "name", label: "Name", kind: kText, placeholder: "what the organisation calls it", limit: assessments.MaxNameLen},
		text("purpose", "Purpose", "what it is for, in a sentence"),
		{name: "type", label: "Type", kind: kText, placeholder: strings.Join(assessments.AISystemTypes[:4], ", ") + "…", limit: assessments.MaxNameLen},
		{name: "role", label: "Organisation's role", kind: kChoice, opts: roleOpts()},
		{name: "stage", label: "Life-cycle stage", kind: kChoice, opts: stageOpts()},
		text("data_sources", "Data sources", "where its data comes from"),
		text("data_categories", "Data categories", "kinds of data, special categories"),
		{name: "personal_data", label: "Personal data", kind: kChoice, opts: yesNoOpts},
		text("deployment_context", "Deployment context", "where and how it is used"),
		text("jurisdictions", "Jurisdictions", "countries and laws"),
		text("users", "Users", "who operates it"),
		text("affected_people", "Affected people", "who its output concerns"),
		{name: "automation", label: "Level of automation", kind: kChoice, opts: automationOpts()},
		text("human_oversight", "Human oversight", "who can check, override or stop it"),
		text("third_party", "Third parties", "models or services from suppliers"),
		{name: "owner", label: "Owner", kind: kText, placeholder: "accountable person", limit: assessments.MaxNameLen},
	}
}

func systemMap(a assessments.AISystem) map[string]string {
	personal := ""
	if a.PersonalData {
		personal = "yes"
	}
	return map[string]string{
		"name": a.Name, "purpose": a.Purpose, "type": a.Type, "role": string(a.Role), "stage": string(a.Stage),
		"data_sources": a.DataSources, "data_categories": a.DataCategories, "personal_data": personal,
		"deployment_context": a.DeploymentContext, "jurisdictions": a.Jurisdictions, "users": a.Users,
		"affected_people": a.AffectedPeople, "automation": string(a.Automation), "human_oversight": a.HumanOversight,
		"third_party": a.ThirdParty, "owner": a.Owner,
	}
}

func systemFromMap(base assessments.AISystem, m map[string]string) assessments.AISystem {
	a := base
	a.Name, a.Purpose, a.Type = strings.TrimSpace(m["name"]), m["purpose"], strings.TrimSpace(m["type"])
	a.Role, a.Stage = assessments.AIRole(m["role"]), assessments.LifecycleStage(m["stage"])
	a.DataSources, a.DataCategories, a.PersonalData = m["data_sources"], m["data_categories"], m["personal_data"] == "yes"
	a.DeploymentContext, a.Jurisdictions, a.Users, a.AffectedPeople = m["deployment_context"], m["jurisdictions"], m["users"], m["affected_people"]
	a.Automation, a.HumanOversight, a.ThirdParty, a.Owner = assessments.Automation(m["automation"]), m["human_oversight"], m["third_party"], strings.TrimSpace(m["owner"])
	return a
}

// shortStd is "42001" for "iso42001-2023": what a consultant types.
func shortStd(set *catalogs.Set, id string) string {
	if set != nil {
		if c, ok := set.Get(id); ok {
			return strings.TrimPrefix(c.Short, "ISO ")
		}
	}
	return id
}

// measuresText shows stored measures ("iso42001-2023:A.6.2.4,...") as "42001 A.6.2.4, ...".
func measuresText(set *catalogs.Set, v string) string {
	if v == "" {
		return ""
	}
	var parts []string
	for _, p := range strings.Split(v, ",") {
		std, ref, ok := strings.Cut(p, ":")
		if !ok {
			parts = append(parts, p)
			continue
		}
		parts = append(parts, shortStd(set, std)+" "+ref)
	}
	return strings.Join(parts, ", ")
}

// parseMeasures reads what a consultant types: "42001 A.6.2.4, 27001:A.8.16, A.7.4" (a
// bare ref is taken from ISO 42001 when it has it, else from ISO 27001), and checks each
// requirement exists.
func parseMeasures(set *catalogs.Set, text string) (string, error) {
	var out []string
	seen := map[string]bool{}
	for _, tok := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' }) {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		std, ref := "", tok
		if i := strings.LastIndexAny(tok, ": "); i > 0 {
			std, ref = strings.TrimSpace(tok[:i]), strings.TrimSpace(tok[i+1:])
		}
		id, err := resolveStandard(set, std, ref)
		if err != nil {
			return "", err
		}
		if set != nil {
			if c, ok := set.Get(id); ok {
				if _, ok := c.Requirement(ref); !ok {
					return "", fmt.Errorf("%s has no requirement %s.", c.Short, ref)
				}
			}
		}
		k := id + ":" + ref
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return strings.Join(out, ","), nil
}

func resolveStandard(set *catalogs.Set, std, ref string) (string, error) {
	norm := func(s string) string {
		return strings.ToLower(strings.NewReplacer(" ", "", "/", "", "iso", "", "iec", "").Replace(s))
	}
	if std == "" {
		for _, id := range []string{catalogs.ISO42001, catalogs.ISO27001} {
			if set == nil {
				return catalogs.ISO42001, nil
			}
			if c, ok := set.Get(id); ok {
				if _, ok := c.Requirement(ref); ok {
					return id, nil
				}
			}
		}
		return "", fmt.Errorf("%q is not a requirement of ISO 42001 or ISO 27001; write it like 42001 A.6.2.4.", ref)
	}
	if set == nil {
		return std, nil
	}
	want := norm(std)
	for _, c := range set.Catalogs {
		if norm(c.ID) == want || norm(c.Short) == want || strings.HasPrefix(norm(c.ID), want) {
			return c.ID, nil
		}
	}
	return "", fmt.Errorf("%q is not a standard annex knows; use 42001 or 27001.", std)
}
