package auditpack

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
)

// The EU AI Act classification records in the pack: their data.json section and import,
// one Markdown file per version with the fundamental rights impact assessment, the AI
// lines of the report and ai-systems.csv, and the OSCAL props.

// AIActJSON is one version of an AI system's EU AI Act classification. Fields holds its
// content by field name, the names the change history uses: "operator_roles",
// "q.<question id>" (yes, no or "") and "q.<question id>.note", "fria_period",
// "fria_oversight", "fria_complaints", "fria_notified", "decision", "approver",
// "decision_date", "rationale", "last_step". Result, Articles and AppliesFrom are derived
// from the answers for readers of the file; import derives them again.
type AIActJSON struct {
	ID          string            `json:"id"`
	AISystemID  string            `json:"ai_system_id"`
	Version     int               `json:"version"`
	Fields      map[string]string `json:"fields"`
	Result      string            `json:"result"`
	Articles    string            `json:"articles"`
	AppliesFrom string            `json:"applies_from"`
	CreatedAt   string            `json:"created_at"`
	UpdatedAt   string            `json:"updated_at"`
	UpdatedBy   string            `json:"updated_by"`
}

// loadClassifications reads the engagement's classification records into the parts.
func loadClassifications(ctx context.Context, s *store.Store, p *Parts, engagementID string) error {
	var err error
	p.Classifications, err = s.EngagementAIActRecords(ctx, engagementID)
	return err
}

// aiActJSON lists every version of every system's classification, by system (in inventory
// order) then version.
func aiActJSON(d *Data) []AIActJSON {
	act := catalogs.MustEUAIAct()
	out := []AIActJSON{}
	for _, sys := range d.Parts.AISystems {
		list := append([]assessments.AIActRecord(nil), d.Parts.Classifications[sys.ID]...)
		sort.Slice(list, func(i, j int) bool { return list[i].Version < list[j].Version })
		for _, r := range list {
			o := r.Outcome(act)
			out = append(out, AIActJSON{ID: r.ID, AISystemID: r.AISystemID, Version: r.Version, Fields: assessments.AIActRecordMap(act, r),
				Result: string(o.Result), Articles: o.Articles(), AppliesFrom: o.AppliesFrom.AppliesFrom,
				CreatedAt: stamp(r.CreatedAt), UpdatedAt: stamp(r.UpdatedAt), UpdatedBy: r.UpdatedBy})
		}
	}
	return out
}

// aiActImport checks the classifications of a document and adds them to the import.
func aiActImport(doc *Document, in *store.ImportData, systems map[string]bool) error {
	act := catalogs.MustEUAIAct()
	for _, j := range doc.AIActClassifications {
		if !systems[j.AISystemID] {
			return fmt.Errorf("EU AI Act classification %s names an AI system that is not in the export", j.ID)
		}
		base := assessments.AIActRecord{ID: j.ID, AISystemID: j.AISystemID, EngagementID: in.Engagement.ID, Version: j.Version, UpdatedBy: j.UpdatedBy}
		r, err := assessments.AIActRecordFromMap(base, j.Fields)
		if err != nil {
			return fmt.Errorf("EU AI Act classification %s: %w", j.ID, err)
		}
		if err := times(&r.CreatedAt, &r.UpdatedAt, j.CreatedAt, j.UpdatedAt, "EU AI Act classification "+j.ID); err != nil {
			return err
		}
		if r.ID == "" || r.Version < 1 {
			return fmt.Errorf("an EU AI Act classification needs an id and a version")
		}
		if err := r.Validate(act); err != nil {
			return fmt.Errorf("EU AI Act classification of %s version %d: %w", j.AISystemID, r.Version, err)
		}
		in.Classifications = append(in.Classifications, r)
	}
	return nil
}

// aiSystemRoles reads an inventory entry's roles: "roles", or the single "role" of files
// written before a system could hold several.
func aiSystemRoles(j AISystemJSON) []assessments.AIRole {
	if len(j.Roles) > 0 {
		out := make([]assessments.AIRole, len(j.Roles))
		for i, r := range j.Roles {
			out[i] = assessments.AIRole(r)
		}
		return assessments.SortRoles(out)
	}
	return assessments.LegacyRole(j.Role)
}

func roleStrings(rs []assessments.AIRole) []string {
	out := []string{}
	for _, r := range assessments.SortRoles(rs) {
		out = append(out, string(r))
	}
	return out
}

// firstRole is what older readers find in "role".
func firstRole(rs []assessments.AIRole) string {
	if rs = assessments.SortRoles(rs); len(rs) > 0 {
		return string(rs[0])
	}
	return ""
}

// classificationOf returns the version a report shows: the approved version in force, or
// the newest draft when none is approved.
func (p *Parts) classificationOf(systemID string) (shown *assessments.AIActRecord, latest assessments.LatestClassification) {
	latest = assessments.LatestAIAct(p.Classifications[systemID])
	shown = latest.InForce
	if shown == nil {
		shown = latest.Latest
	}
	return shown, latest
}

// aiActLine is the classification of a system in one line: "high-risk (Annex III point 4;
// Art. 6(3), last subparagraph), applies from 2027-12-02, v1 approved".
func aiActLine(act *catalogs.AIAct, r *assessments.AIActRecord) (result, articles, applies, state string) {
	if r == nil {
		return "not classified", "", "", ""
	}
	o := r.Outcome(act)
	state = fmt.Sprintf("v%d %s", r.Version, r.State().Label())
	return o.Result.Label(), o.Articles(), o.AppliesFrom.AppliesFrom, state
}

// ---- Markdown ----

// mdText makes user text safe in Markdown: control characters shown (^[ for escape), so
// the file never carries terminal sequences, and Markdown structure escaped.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r < 0x20:
			b.WriteString("^" + string(r+'@'))
		case r == 0x7f:
			b.WriteString("^?")
		case r >= 0x80 && r < 0xa0:
			fmt.Fprintf(&b, "<U+%04X>", r)
		default:
			b.WriteRune(r)
		}
	}
	return mdEscape(b.String())
}

func mdCellText(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return mdText(oneLine(s))
}

func mdParaText(s string) string {
	if strings.TrimSpace(s) == "" {
		return "_Not recorded._"
	}
	return strings.ReplaceAll(mdText(strings.TrimSpace(s)), "\n", "  \n")
}

// AIActMarkdown is one classification version as Markdown: the result and the articles
// that decided it, the obligations with their dates of application, every answer with its
// note and, for a deployer of a high-risk system, the fundamental rights impact assessment
// drawn from the impact assessment ia (nil: none yet). controlLabel names a measure
// ("ISO 42001 A.6.2.4"); nil writes "standard ref".
func AIActMarkdown(act *catalogs.AIAct, engagement string, sys assessments.AISystem, r assessments.AIActRecord,
	ia *assessments.ImpactAssessment, controlLabel func(assessments.ControlRef) string) []byte {
	if controlLabel == nil {
		controlLabel = func(c assessments.ControlRef) string { return c.Standard + " " + c.Ref }
	}
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	o := r.Outcome(act)
	w("# EU AI Act classification: %s, version %d\n\n", mdText(oneLine(sys.Name)), r.Version)
	w("| | |\n|---|---|\n")
	w("| Engagement | %s |\n", mdCellText(engagement))
	state := "draft"
	if r.Frozen() {
		state = fmt.Sprintf("approved by %s on %s", mdCellText(r.Approver), r.DecisionDate)
	}
	w("| State | %s |\n", state)
	w("| Operator roles | %s |\n", assessments.OperatorRolesLabel(r.Roles))
	w("| Result | **%s** |\n", o.Result.Label())
	if a := o.Articles(); a != "" {
		w("| Decided by | %s |\n", a)
	}
	if o.AppliesFrom.ID != "" {
		w("| Applies from | %s (%s; %s) |\n", o.AppliesFrom.AppliesFrom, o.AppliesFrom.Title, o.AppliesFrom.Cite)
	}
	if o.FRIA != assessments.FRIANotApplicable {
		w("| Fundamental rights impact assessment | %s |\n", o.FRIA.Label())
	}
	w("| Questionnaire | %s, dates as of %s |\n", act.Short, act.AsOf)
	if o.Result == assessments.ActUnsettled && len(o.Unsettled) > 0 {
		w("\nNot settled yet; still to answer: %s.\n", strings.Join(o.Unsettled, "; "))
	}
	if len(o.Grounds) > 0 {
		w("\n## What decided it\n\n")
		for _, g := range o.Grounds {
			w("- %s: **%s**", g.Question.Label(), g.Answer.Answer.Label())
			if n := strings.TrimSpace(g.Answer.Note); n != "" {
				w(". %s", mdText(oneLine(n)))
			}
			w("\n")
		}
	}
	if len(o.Duties) > 0 {
		w("\n## Obligations\n\n| Article | Obligation | Carried by | Applies from |\n|---|---|---|---|\n")
		for _, d := range o.Duties {
			holder := "the organisation"
			if !d.Ours {
				var hs []string
				for _, h := range d.Obligation.Holders {
					hs = append(hs, assessments.OperatorRole(h).Label())
				}
				holder = "another operator (" + strings.Join(hs, ", ") + ")"
			}
			w("| %s | %s | %s | %s |\n", d.Obligation.Cite, d.Obligation.Title, holder, orDash(d.Milestone.AppliesFrom))
		}
	}
	w("\n## Answers\n")
	for _, s := range assessments.AIActSteps {
		qs := act.StepQuestions(s.CatalogStep())
		if len(qs) == 0 {
			continue
		}
		w("\n### %s\n\n| Article | Question | Answer | Note |\n|---|---|---|---|\n", s.Title())
		for _, q := range qs {
			a := r.Answer(q.ID)
			w("| %s | %s | %s | %s |\n", q.Cite, q.Title, a.Answer.Label(), mdCellText(a.Note))
		}
	}
	if o.FRIA != assessments.FRIANotApplicable || r.FRIAPeriod != "" || r.FRIAComplaints != "" {
		writeFRIA(&b, assessments.BuildFRIA(o.FRIA, r, ia), controlLabel)
	}
	if r.Frozen() {
		w("\n## Approval\n\nApproved by %s on %s.\n\n%s\n", mdText(oneLine(r.Approver)), r.DecisionDate, mdParaText(r.Rationale))
	}
	w("\n---\n\nQuestions in annex's words; article numbers and short titles of Regulation (EU) 2024/1689. Not legal advice.\n")
	return []byte(b.String())
}

func writeFRIA(b *strings.Builder, f assessments.FRIA, controlLabel func(assessments.ControlRef) string) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("\n## Fundamental rights impact assessment (Art. 27)\n\n")
	w("Status: %s.", f.Status.Label())
	if f.Source != nil {
		w(" Sections (a), (c), (d) and (f) are drawn from the AI system impact assessment, version %d (%s); the rest is recorded with this classification.\n",
			f.Source.Version, f.Source.State().Label())
	} else {
		w(" The system has no impact assessment yet: sections (a), (c) and (d) are filled from it once it exists.\n")
	}
	w("\n### (a) Processes in which the system is used\n\n%s\n", mdParaText(f.Processes))
	w("\n### (b) Period and frequency of use\n\n%s\n", mdParaText(f.Period))
	w("\n### (c) People and groups likely to be affected\n\n%s\n", mdParaText(f.Persons))
	w("\n### (d) Specific risks of harm\n\n")
	if len(f.Harms) == 0 {
		w("_No harm recorded in the impact assessment._\n")
	} else {
		w("| Area | Harm | Residual class and rule |\n|---|---|---|\n")
		for _, h := range f.Harms {
			w("| %s | %s | %s |\n", h.Area.Label(), mdCellText(h.Harm), h.Class.String())
		}
	}
	w("\n### (e) Human oversight measures\n\n%s\n", mdParaText(f.Oversight))
	w("\n### (f) If the risks materialise\n\n")
	for _, h := range f.Harms {
		var ms []string
		for _, m := range h.Measures {
			ms = append(ms, controlLabel(m))
		}
		if len(ms) == 0 && strings.TrimSpace(h.Note) == "" {
			continue
		}
		w("- %s: %s", h.Area.Label(), strings.Join(ms, ", "))
		if n := strings.TrimSpace(h.Note); n != "" {
			if len(ms) > 0 {
				w("; ")
			}
			w("%s", mdText(oneLine(n)))
		}
		w("\n")
	}
	w("\nInternal governance and complaint mechanism: %s\n", mdParaText(f.Complaints))
	notified := "not yet"
	if f.Notified != "" {
		notified = f.Notified
	}
	w("\nMarket surveillance authority notified (Art. 27(3)): %s\n", notified)
}

// aiActFiles writes eu-ai-act/<system>-v<n>.md for every classification version.
func aiActFiles(d *Data, sys assessments.AISystem, stem string) []File {
	act := catalogs.MustEUAIAct()
	list := append([]assessments.AIActRecord(nil), d.Parts.Classifications[sys.ID]...)
	sort.Slice(list, func(i, j int) bool { return list[i].Version < list[j].Version })
	ia := assessments.FRIASource(d.Parts.Assessments[sys.ID])
	label := func(c assessments.ControlRef) string { return d.controlLabel(c.Standard, c.Ref) }
	var out []File
	for _, r := range list {
		out = append(out, File{Path: fmt.Sprintf("eu-ai-act/%s-v%d.md", stem, r.Version), Data: AIActMarkdown(act, d.Engagement.Name, sys, r, ia, label)})
	}
	return out
}

// aiCSVColumns are the AI Act and class columns of ai-systems.csv for one system.
func aiCSVColumns(d *Data, sys assessments.AISystem, latestIA *assessments.ImpactAssessment) []string {
	act := catalogs.MustEUAIAct()
	rule := ""
	if latestIA != nil {
		rule = latestIA.ClassExplained()
	}
	shown, _ := d.Parts.classificationOf(sys.ID)
	result, articles, applies, state := aiActLine(act, shown)
	return []string{rule, result, articles, applies, state}
}

var aiCSVHeader = []string{"Impact class and rule", "EU AI Act result", "EU AI Act articles", "EU AI Act applies from", "EU AI Act version"}

// ---- OSCAL ----

// oscalAISystems adds each AI system to back-matter as a resource whose annex props carry
// its roles, the impact class with the rule that set it, and the EU AI Act result with the
// articles that decided it and the date it applies from.
func oscalAISystems(d *Data, bm *oBackMatter) {
	act := catalogs.MustEUAIAct()
	for _, sys := range d.Parts.AISystems {
		res := oResource{UUID: UUID5("ai-system", sys.ID), Title: oscalLine("AI system: " + sys.Name), Description: oscalText(firstNonEmpty(sys.Purpose, sys.Name))}
		prop := func(name, v string) {
			if v = strings.TrimSpace(oneLine(v)); v != "" {
				res.Props = append(res.Props, oProp{Name: name, NS: annexNS, Value: v})
			}
		}
		prop("ai-roles", assessments.RolesText(sys.Roles))
		if latest, _ := d.Parts.latest(sys.ID); latest != nil {
			prop("impact-assessment-version", fmt.Sprintf("%d", latest.Version))
			prop("impact-assessment-state", string(latest.State()))
			prop("impact-class", string(latest.Class()))
			prop("impact-class-rule", latest.ClassExplained())
		}
		if shown, _ := d.Parts.classificationOf(sys.ID); shown != nil {
			o := shown.Outcome(act)
			prop("eu-ai-act-version", fmt.Sprintf("%d", shown.Version))
			prop("eu-ai-act-state", string(shown.State()))
			prop("eu-ai-act-result", string(o.Result))
			prop("eu-ai-act-articles", o.Articles())
			prop("eu-ai-act-applies-from", o.AppliesFrom.AppliesFrom)
			if o.FRIA != assessments.FRIANotApplicable {
				prop("eu-ai-act-fria", string(o.FRIA))
			}
		}
		bm.Resources = append(bm.Resources, res)
	}
}
