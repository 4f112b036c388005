package risks

import (
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/form"
)

// The risk form's field keys are the domain's validation field names, so a problem the
// domain or the store reports lands next to its field.
const (
	kTitle, kDescription, kScope, kOwner                   = "title", "description", "scope", "owner"
	kApproach, kSource, kThreat, kVulnerability, kScenario = "approach", "source", "threat", "vulnerability", "scenario"
	kAsset, kAISystem, kProperties, kObjectives, kSources  = "asset", "ai_system", "properties", "objectives", "sources"
	kConsOrg, kConsIndividuals, kConsSociety               = "consequence_org", "consequence_individuals", "consequence_society"
	kInherentL, kInherentC, kExisting                      = "inherent_likelihood", "inherent_consequence", "existing_controls"
	kTreatment, kPlan, kControls                           = "treatment", "treatment_plan", "controls"
	kResidualL, kResidualC                                 = "residual_likelihood", "residual_consequence"
	kAcceptedBy, kAcceptedOn, kRationale                   = "accepted_by", "accepted_on", "acceptance_rationale"
	kReview, kStatus                                       = "review_date", "status"
	notScored                                              = "0"
	textLines                                              = 3
	maxName, maxText                                       = assessments.MaxNameLen, assessments.MaxTextLen
)

func isAcceptanceKey(k string) bool { return k == kAcceptedBy || k == kAcceptedOn || k == kRationale }

// allKeys are the fields a new risk is written with.
var allKeys = []string{kTitle, kDescription, kScope, kOwner, kApproach, kSource, kThreat, kVulnerability, kScenario,
	kAsset, kAISystem, kProperties, kObjectives, kSources, kConsOrg, kConsIndividuals, kConsSociety, kInherentL,
	kInherentC, kExisting, kTreatment, kPlan, kControls, kResidualL, kResidualC, kAcceptedBy, kAcceptedOn, kRationale,
	kReview, kStatus}

// fieldLabels name the fields in undo labels and status messages.
var fieldLabels = map[string]string{
	kTitle: "title", kDescription: "description", kScope: "scope", kOwner: "owner", kApproach: "identification",
	kSource: "risk source", kThreat: "threat", kVulnerability: "vulnerability", kScenario: "scenario", kAsset: "asset",
	kAISystem: "AI system", kProperties: "C/I/A", kObjectives: "AI objectives", kSources: "AI risk sources",
	kConsOrg: "consequence to the organisation", kConsIndividuals: "consequence to individuals",
	kConsSociety: "consequence to society", kInherentL: "inherent likelihood", kInherentC: "inherent consequence",
	kExisting: "existing controls", kTreatment: "treatment", kPlan: "treatment plan", kControls: "linked controls",
	kResidualL: "residual likelihood", kResidualC: "residual consequence", kReview: "review date", kStatus: "status",
}

// riskFields describes every field of the risk form on a matrix.
func (m *Model) riskFields(mx assessments.Matrix, aiSystem string) []form.Field {
	scoreOpts := func(labels []string, allowNone bool) []form.Option {
		var o []form.Option
		if allowNone {
			o = append(o, form.Option{Value: notScored, Label: "not scored"})
		}
		for i, l := range labels {
			o = append(o, form.Option{Value: strconv.Itoa(i + 1), Label: fmt.Sprintf("%d %s", i+1, common.OneLine(l))})
		}
		return o
	}
	var scopes, approaches, treatments, statuses []form.Option
	for _, s := range assessments.RiskScopes {
		scopes = append(scopes, form.Option{Value: string(s), Label: s.Label()})
	}
	approaches = append(approaches, form.Option{Value: "", Label: "not stated"})
	for _, a := range assessments.RiskApproaches {
		approaches = append(approaches, form.Option{Value: string(a), Label: a.Label()})
	}
	treatments = append(treatments, form.Option{Value: "", Label: "undecided"})
	for _, t := range assessments.Treatments {
		treatments = append(treatments, form.Option{Value: string(t), Label: t.Label()})
	}
	for _, s := range assessments.RiskStatuses {
		statuses = append(statuses, form.Option{Value: string(s), Label: s.Label()})
	}
	asset := func(v form.Values) bool { return v[kApproach] != string(assessments.ApproachEvent) }
	event := func(v form.Values) bool { return v[kApproach] != string(assessments.ApproachAsset) }
	security := func(v form.Values) bool { return assessments.RiskScope(v[kScope]).Security() }
	ai := func(v form.Values) bool { return assessments.RiskScope(v[kScope]).AI() }
	text := func(k, label string) form.Field {
		return form.Field{Key: k, Label: label, Kind: form.MultiLine, Lines: textLines, Limit: maxText}
	}
	fields := []form.Field{
		{Key: kTitle, Label: "Title", Kind: form.Text, Section: "Risk", Placeholder: "what could happen, in a few words", Limit: maxName},
		text(kDescription, "Description"),
		{Key: kScope, Label: "Scope", Kind: form.Choice, Options: scopes},
		{Key: kOwner, Label: "Owner", Kind: form.Person, Limit: maxName, Help: "→ takes a name already used in the workspace"},
		{Key: kApproach, Label: "Identified", Kind: form.Choice, Section: "Identification", Options: approaches,
			Help: "asset-based: source, threat and vulnerability; event-based: a scenario"},
		withShow(text(kSource, "Risk source"), asset),
		withShow(text(kThreat, "Threat"), asset),
		withShow(text(kVulnerability, "Vulnerability"), asset),
		withShow(text(kScenario, "Scenario"), event),
		{Key: kAsset, Label: "Asset or AI system", Kind: form.Text, Limit: maxName, Help: "the asset affected, in words"},
		{Key: kAISystem, Label: "AI system", Kind: form.Choice, Options: m.systemOptions(aiSystem),
			Show: func(v form.Values) bool { return ai(v) || v[kAISystem] != "" }},
		{Key: kProperties, Label: "C/I/A concerned", Kind: form.Multi, Options: tokenOptions(assessments.CIAProperties), Show: security},
		{Key: kObjectives, Label: "AI objectives", Kind: form.Multi, Options: tokenOptions(catalogs.AnnexCObjectives), Show: ai,
			Help: "ISO/IEC 42001 Annex C objectives the risk concerns"},
		{Key: kSources, Label: "AI risk sources", Kind: form.Multi, Options: tokenOptions(catalogs.AnnexCRiskSources), Show: ai,
			Help: "ISO/IEC 42001 Annex C risk sources"},
		withSection(text(kConsOrg, "To the organisation"), "Consequences"),
		text(kConsIndividuals, "To individuals"),
		text(kConsSociety, "To society"),
		{Key: kInherentL, Label: "Likelihood", Kind: form.Level, Section: "Inherent risk", Options: scoreOpts(mx.LikelihoodLabels, false)},
		{Key: kInherentC, Label: "Consequence", Kind: form.Level, Options: scoreOpts(mx.ConsequenceLabels, false)},
		text(kExisting, "Existing controls"),
		{Key: kTreatment, Label: "Treatment", Kind: form.Choice, Section: "Treatment", Options: treatments},
		text(kPlan, "Treatment plan"),
		{Key: kControls, Label: "Linked controls", Kind: form.Multi, Items: m.controlOptions, Help: "enter opens both catalogs' controls: type to filter, space ticks"},
		{Key: kResidualL, Label: "Likelihood", Kind: form.Level, Section: "Residual risk", Options: scoreOpts(mx.LikelihoodLabels, true), Help: "the score once the treatment works; not scored: the inherent score stands"},
		{Key: kResidualC, Label: "Consequence", Kind: form.Level, Options: scoreOpts(mx.ConsequenceLabels, true), Help: "the score once the treatment works; not scored: the inherent score stands"},
		{Key: kAcceptedBy, Label: "Accepted by", Kind: form.Person, Limit: maxName,
			Help: "the risk owner who accepts what remains (→ takes a suggested name)"},
		{Key: kAcceptedOn, Label: "Accepted on", Kind: form.Date, Help: "YYYY-MM-DD; empty: today (t fills it in)"},
		{Key: kRationale, Label: "Why acceptable", Kind: form.MultiLine, Lines: textLines, Limit: maxText,
			Help: "editing the reason keeps the score it was given for; A in the register accepts a changed residual"},
		{Key: kReview, Label: "Review date", Kind: form.Date, Section: "Review"},
		{Key: kStatus, Label: "Status", Kind: form.Choice, Options: statuses},
	}
	return fields
}

func withShow(f form.Field, show func(form.Values) bool) form.Field { f.Show = show; return f }

func withSection(f form.Field, s string) form.Field { f.Section = s; return f }

func tokenOptions(tokens []string) []form.Option {
	out := make([]form.Option, len(tokens))
	for i, t := range tokens {
		out[i] = form.Option{Value: t, Label: strings.ReplaceAll(t, "_", " ")}
	}
	return out
}

// systemOptions are the AI systems of the engagement's inventory; a linked system no
// longer in it stays linked until the user picks another.
func (m *Model) systemOptions(cur string) []form.Option {
	opts := []form.Option{{Value: "", Label: "— none"}}
	for _, s := range m.systems {
		opts = append(opts, form.Option{Value: s.ID, Label: common.OneLine(s.Name)})
	}
	if cur != "" && m.systemName(cur) == "" {
		opts = append(opts, form.Option{Value: cur, Label: "a system no longer in the inventory"})
	}
	return opts
}

// controlOptions are the Annex A controls of the engagement's standards (both built-in
// catalogs when the engagement names none).
func (m *Model) controlOptions() []form.Option {
	stds := m.eng.Standards
	if len(stds) == 0 {
		stds = []string{catalogs.ISO27001, catalogs.ISO42001}
	}
	var out []form.Option
	for _, std := range stds {
		cat, ok := m.c.Catalogs.Get(std)
		if !ok {
			continue
		}
		for _, req := range cat.Requirements {
			if req.Kind != catalogs.KindControl {
				continue
			}
			out = append(out, form.Option{Value: std + ":" + req.Ref, Label: cat.Short + " " + req.Ref + "  " + req.Title})
		}
	}
	return out
}

// riskValues are a risk's fields as form values.
func riskValues(r assessments.Risk) form.Values {
	controls := make([]string, len(r.Controls))
	for i, c := range r.Controls {
		controls[i] = c.String()
	}
	v := form.Values{
		kTitle: r.Title, kDescription: r.Description, kScope: string(r.Scope), kOwner: r.Owner,
		kApproach: string(r.Approach), kSource: r.Source, kThreat: r.Threat, kVulnerability: r.Vulnerability,
		kScenario: r.Scenario, kAsset: r.Asset, kAISystem: r.AISystemID,
		kProperties: form.Join(r.Properties), kObjectives: form.Join(r.Objectives), kSources: form.Join(r.Sources),
		kConsOrg: r.ConsequenceOrg, kConsIndividuals: r.ConsequenceIndividuals, kConsSociety: r.ConsequenceSociety,
		kInherentL: strconv.Itoa(r.Inherent.Likelihood), kInherentC: strconv.Itoa(r.Inherent.Consequence),
		kExisting: r.ExistingControls, kTreatment: string(r.Treatment), kPlan: r.TreatmentPlan, kControls: form.Join(controls),
		kResidualL: strconv.Itoa(r.Residual.Likelihood), kResidualC: strconv.Itoa(r.Residual.Consequence),
		kReview: r.ReviewDate, kStatus: string(r.EffectiveStatus()),
	}
	if a := r.Acceptance; a != nil {
		v[kAcceptedBy], v[kAcceptedOn], v[kRationale] = a.By, a.Date, a.Rationale
	}
	return v
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// applyValues sets the fields named by keys from v onto r: what a form changed, and only
// that, so a value the form cannot show as stored (a line break in a one-line field) and
// a field another process changed meanwhile are left as they are. today fills in an
// acceptance date left empty.
func applyValues(r assessments.Risk, v form.Values, keys []string, today string) assessments.Risk {
	acceptance := false
	for _, k := range keys {
		val := v[k]
		switch k {
		case kTitle:
			r.Title = strings.TrimSpace(val)
		case kDescription:
			r.Description = val
		case kScope:
			r.Scope = assessments.RiskScope(val)
		case kOwner:
			r.Owner = strings.TrimSpace(val)
		case kApproach:
			r.Approach = assessments.RiskApproach(val)
		case kSource:
			r.Source = val
		case kThreat:
			r.Threat = val
		case kVulnerability:
			r.Vulnerability = val
		case kScenario:
			r.Scenario = val
		case kAsset:
			r.Asset = strings.TrimSpace(val)
		case kAISystem:
			r.AISystemID = val
		case kProperties:
			r.Properties = form.Split(val)
		case kObjectives:
			r.Objectives = form.Split(val)
		case kSources:
			r.Sources = form.Split(val)
		case kConsOrg:
			r.ConsequenceOrg = val
		case kConsIndividuals:
			r.ConsequenceIndividuals = val
		case kConsSociety:
			r.ConsequenceSociety = val
		case kInherentL:
			r.Inherent.Likelihood = atoi(val)
		case kInherentC:
			r.Inherent.Consequence = atoi(val)
		case kExisting:
			r.ExistingControls = val
		case kTreatment:
			r.Treatment = assessments.Treatment(val)
		case kPlan:
			r.TreatmentPlan = val
		case kControls:
			r.Controls = nil
			for _, s := range form.Split(val) {
				if c, err := assessments.ParseControlRef(s); err == nil {
					r.Controls = append(r.Controls, c)
				}
			}
			assessments.SortControls(r.Controls)
		case kResidualL:
			r.Residual.Likelihood = atoi(val)
		case kResidualC:
			r.Residual.Consequence = atoi(val)
		case kAcceptedBy, kAcceptedOn, kRationale:
			acceptance = true
		case kReview:
			r.ReviewDate = strings.TrimSpace(val)
		case kStatus:
			r.Status = assessments.RiskStatus(val)
		}
	}
	if acceptance {
		// Last: a first acceptance is given for the residual as edited.
		by, on, why := v[kAcceptedBy], strings.TrimSpace(v[kAcceptedOn]), v[kRationale]
		if on == "" && (strings.TrimSpace(by) != "" || strings.TrimSpace(why) != "") {
			on = today
		}
		r.Acceptance = assessments.AmendAcceptance(r.Acceptance, by, on, why, r.EffectiveResidual())
	}
	return r
}

// revertValues is the reverse of an edit for undo: the fields keys of saved set back to
// what they were in before. An acceptance goes back to the record it was, score included.
func revertValues(saved, before assessments.Risk, keys []string) assessments.Risk {
	r := applyValues(saved, riskValues(before), keys, "")
	for _, k := range keys {
		if isAcceptanceKey(k) {
			r.Acceptance = nil
			if before.Acceptance != nil {
				a := *before.Acceptance
				r.Acceptance = &a
			}
			break
		}
	}
	return r
}

// riskForm adds or edits one risk through the form component. Nothing is written until
// ctrl+s; esc on a changed form asks before dropping it.
type riskForm struct {
	f        *form.Form
	base     assessments.Risk // the risk as stored when the form opened (or rebased)
	creating bool
	matrix   assessments.Matrix
	banner   string
	saving   bool
	today    string
	size     [2]int // the form's drawing area, set when the header's height changes
}

func (m *Model) newRiskForm(r assessments.Risk, creating bool) *riskForm {
	mx := m.matrix.Clone()
	rf := &riskForm{base: r, creating: creating, matrix: mx, today: m.c.Time().Format(assessments.DateLayout)}
	rf.f = form.New(m.c.Styles, m.riskFields(mx, r.AISystemID)...)
	rf.f.SetNow(m.c.Time)
	v := riskValues(r)
	if creating {
		// A new risk starts in the middle of the matrix, to be moved.
		mid := strconv.Itoa((mx.Size + 1) / 2)
		v[kInherentL], v[kInherentC] = mid, mid
	}
	rf.f.Load(v)
	rf.f.SetPeople(m.people)
	known := assessments.KnownControl(m.c.Catalogs)
	rf.f.SetValidator(func(form.Values) map[string]string {
		errs := map[string]string{}
		for _, p := range rf.risk().Problems(rf.matrix, known) {
			errs[p.Field] = p.Message
		}
		return errs
	})
	rf.setSize(m.width, m.height)
	return rf
}

func (rf *riskForm) setSize(w, h int) {
	rf.size = [2]int{w, max(3, h-2)}
	rf.f.SetSize(rf.size[0], rf.size[1])
}

// keys are the fields the save writes: all of them for a new risk, else those changed.
func (rf *riskForm) keys() []string {
	if rf.creating {
		return allKeys
	}
	return rf.f.ChangedKeys()
}

// risk is the risk the form describes.
func (rf *riskForm) risk() assessments.Risk {
	return applyValues(rf.base, rf.f.Values(), rf.keys(), rf.today)
}

// rebase moves the form onto the risk as stored now (after another process changed it):
// fields the user changed keep the user's value, the others show the stored one.
func (rf *riskForm) rebase(cur assessments.Risk) tea.Cmd {
	keep := map[string]string{}
	v := rf.f.Values()
	for _, k := range rf.f.ChangedKeys() {
		keep[k] = v[k]
	}
	focus := rf.f.FocusKey()
	rf.base = cur
	rf.f.Load(riskValues(cur))
	for k, val := range keep {
		rf.f.Set(k, val)
	}
	rf.banner += "; the form now shows the stored risk with your changes: ctrl+s saves them"
	return rf.f.Focus(focus)
}

// summary is what the header says about the risk as the form has it now: the levels,
// and (on a line of its own, when there is something to act on) the acceptance.
func (m *Model) formSummary(rf *riskForm) (levels, acceptance string) {
	r := rf.risk()
	mx := rf.matrix
	score := func(s assessments.Score) string {
		if lv, ok := mx.LevelOf(s); ok {
			return fmt.Sprintf("%d×%d %s", s.Likelihood, s.Consequence, common.OneLine(lv.Name))
		}
		return "not scored"
	}
	levels = "inherent " + score(r.Inherent) + " → residual " + score(r.Residual) + " · accept up to " + common.OneLine(mx.ThresholdName())
	a, was := r.Acceptance, rf.base.Acceptance
	switch {
	case a != nil && r.AcceptanceStale():
		if was != nil && was.Residual == a.Residual && !rf.base.AcceptanceStale() {
			acceptance = fmt.Sprintf("~ the acceptance given for %s will show stale; A in the register accepts the new residual", score(a.Residual))
		} else {
			acceptance = fmt.Sprintf("~ acceptance stale: given for %s on %s; A in the register accepts it again", score(a.Residual), a.Date)
		}
	case a != nil:
		levels += " · accepted by " + common.OneLine(a.By)
	case r.NeedsAcceptance(mx):
		acceptance = "? retained above " + common.OneLine(mx.ThresholdName()) + ": say who accepted it, when and why (Residual risk)"
	}
	return levels, acceptance
}

func (m *Model) formView(rf *riskForm) string {
	st := m.c.Styles
	w := m.width
	head := st.Title.Render("New risk") + st.Muted.Render("  the reference is given when saved")
	if !rf.creating {
		head = st.Title.Render("Edit "+rf.base.Ref) + st.Muted.Render("  "+common.OneLine(rf.base.Title))
	}
	lines := []string{common.Truncate(head, w)}
	levels, acceptance := m.formSummary(rf)
	switch {
	case rf.banner != "":
		lines = append(lines, st.Error.Render(common.Truncate(common.OneLine(rf.banner), w)))
	case rf.saving:
		lines = append(lines, st.Muted.Render("Saving…"))
	default:
		lines = append(lines, st.Muted.Render(common.Truncate(levels, w)))
	}
	if acceptance != "" {
		lines = append(lines, st.Warn.Render(common.Truncate(acceptance, w)))
	}
	if size := [2]int{w, max(3, m.height-len(lines))}; size != rf.size {
		rf.size = size
		rf.f.SetSize(size[0], size[1])
	}
	return strings.Join(lines, "\n") + "\n" + rf.f.View()
}

// changeLabel names the fields of an edit ("R-003 title, owner"), for undo.
func changeLabel(ref string, keys []string) string {
	return ref + " " + fieldNames(keys)
}

// fieldNames lists the fields of an edit in words, at most three.
func fieldNames(keys []string) string {
	var names []string
	seenAcceptance := false
	for _, k := range keys {
		if isAcceptanceKey(k) {
			if !seenAcceptance {
				names = append(names, "acceptance")
			}
			seenAcceptance = true
			continue
		}
		name := fieldLabels[k]
		if name == "" {
			name = strings.ReplaceAll(k, "_", " ")
		}
		names = append(names, name)
	}
	if len(names) > 3 {
		names = append(names[:2], fmt.Sprintf("%d more", len(names)-2))
	}
	return strings.Join(names, ", ")
}
