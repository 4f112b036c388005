package auditpack

import (
	"fmt"
	"sort"
	"strings"

	"github.com/annex-grc/annex/assessments"
)

// The risk treatment plan (27001 6.1.3 e, 6.2): each risk's actions with owner, resources,
// due date and status; the risks above the threshold that nobody accepted; the risks
// treated "modify" with no action. In the report, the risk register workbook (sheet
// "Treatment plan") and risk-treatment-plan.csv.

// riskStandards are the catalogs in scope a risk belongs to.
func riskStandards(d *Data, r assessments.Risk) []string {
	var out []string
	for _, c := range d.Standards() {
		if riskInStandard(r, c.ID) {
			out = append(out, c.ID)
		}
	}
	return out
}

// planActions lists the open steps of the treatment plans for the action plan: each open
// action with its own owner and due date, and, for a risk treated "modify" with no action,
// one line asking for a plan (no date: the review date is not a target).
func planActions(d *Data) []Action {
	var out []Action
	for _, r := range d.Parts.Risks {
		st := r.EffectiveStatus()
		if st == assessments.RiskClosed {
			continue
		}
		stds := riskStandards(d, r)
		if d.planOf(r).Missing {
			out = append(out, Action{Kind: "treatment", Item: r.Ref, Title: "Plan the treatment: " + r.Title, State: "no actions planned",
				Owner: r.Owner, Detail: firstLine(r.TreatmentPlan, 160), standards: stds})
			continue
		}
		for _, a := range d.actionsOf(r.ID) {
			if !a.EffectiveStatus().Open() {
				continue
			}
			out = append(out, Action{Kind: "treatment", Item: r.Ref, Title: a.Title, State: a.EffectiveStatus().Label(),
				Owner: firstNonEmpty(a.Owner, r.Owner), Due: a.DueDate, Overdue: a.Overdue(d.At), Detail: firstLine(a.Resources, 160), standards: stds})
		}
	}
	return out
}

// planLine is one action of the treatment plan as the report shows it.
type planLine struct {
	Risk, RiskTitle, Title, Owner, Resources, Start, Due, Status, Controls, Corrective string
	Overdue                                                                            bool
}

// planView is the report's treatment plan section.
type planView struct {
	HasRisks bool
	// Counts by action status, and overdue.
	Planned, InProgress, Done, Cancelled, Overdue, Risks int
	Threshold                                            string
	Unaccepted                                           []riskLine // above the threshold, not accepted
	NoPlan                                               []riskLine // modify without actions
	Lines                                                []planLine // every action, by risk
	// BodyLimit is how many lines of each list the body shows; the rest is in the annex.
	BodyLimit int
}

const (
	planBodyLimit = 10
	// planAnnexMax: a longer plan is left to risk-treatment-plan.csv and the workbook (its
	// open actions are in the action plan's annex anyway).
	planAnnexMax = 400
)

func buildPlan(d *Data) planView {
	v := planView{HasRisks: len(d.Parts.Risks) > 0, Threshold: d.Parts.Matrix.ThresholdName(), BodyLimit: planBodyLimit}
	m := d.Parts.Matrix
	var unacc []assessments.Risk
	for _, r := range d.Parts.Risks {
		if r.UnacceptedAboveThreshold(m) {
			unacc = append(unacc, r)
		}
		p := d.planOf(r)
		if p.Missing {
			v.NoPlan = append(v.NoPlan, riskLineOf(d, r))
		}
		actions := d.actionsOf(r.ID)
		if len(actions) > 0 {
			v.Risks++
		}
		for _, a := range actions {
			switch a.EffectiveStatus() {
			case assessments.ActionPlanned:
				v.Planned++
			case assessments.ActionInProgress:
				v.InProgress++
			case assessments.ActionDone:
				v.Done++
			case assessments.ActionCancelled:
				v.Cancelled++
			}
			if a.Overdue(d.At) {
				v.Overdue++
			}
			v.Lines = append(v.Lines, planLine{Risk: r.Ref, RiskTitle: r.Title, Title: a.Title, Owner: a.Owner, Resources: a.Resources,
				Start: a.StartDate, Due: a.DueDate, Status: a.EffectiveStatus().Label(), Controls: d.controlsText(a.Controls),
				Corrective: a.CorrectiveRef, Overdue: a.Overdue(d.At)})
		}
	}
	for _, r := range topOf(d, unacc) {
		v.Unaccepted = append(v.Unaccepted, riskLineOf(d, r))
	}
	return v
}

// topOf orders risks by residual level, then score, then ref.
func topOf(d *Data, rs []assessments.Risk) []assessments.Risk {
	out := append([]assessments.Risk(nil), rs...)
	m := d.Parts.Matrix
	sortStable(out, func(a, b assessments.Risk) bool {
		ra, rb := rankOf(m, a), rankOf(m, b)
		if ra != rb {
			return ra > rb
		}
		return assessments.RiskSeq(a.Ref) < assessments.RiskSeq(b.Ref)
	})
	return out
}

// controlsText is "ISO 27001 A.8.13, ISO 42001 A.7.5".
func (d *Data) controlsText(cs []assessments.ControlRef) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = d.controlLabel(c.Standard, c.Ref)
	}
	return strings.Join(out, ", ")
}

// Total is the number of actions.
func (v planView) Total() int { return v.Planned + v.InProgress + v.Done + v.Cancelled }

// Summary is the plan in one sentence.
func (v planView) Summary() string {
	if v.Total() == 0 {
		return "No treatment action is recorded yet."
	}
	return fmt.Sprintf("%s for %s: %d planned, %d in progress, %d done, %d cancelled; %d overdue.",
		plural(v.Total(), "treatment action", "treatment actions"), plural(v.Risks, "risk", "risks"), v.Planned, v.InProgress, v.Done, v.Cancelled, v.Overdue)
}

// BodyLines are the plan lines the body shows: the open ones first, at most BodyLimit.
func (v planView) BodyLines() []planLine {
	var open, closed []planLine
	for _, l := range v.Lines {
		if l.Status == assessments.ActionDone.Label() || l.Status == assessments.ActionCancelled.Label() {
			closed = append(closed, l)
		} else {
			open = append(open, l)
		}
	}
	sortStable(open, func(a, b planLine) bool {
		if (a.Due == "") != (b.Due == "") {
			return a.Due != ""
		}
		return a.Due < b.Due
	})
	all := append(open, closed...)
	if len(all) > v.BodyLimit {
		all = all[:v.BodyLimit]
	}
	return all
}

// head cuts a list of risk lines to the body's limit.
func head(ls []riskLine, n int) []riskLine {
	if len(ls) > n {
		return ls[:n]
	}
	return ls
}

// UnacceptedBody and NoPlanBody are the lists as the body shows them.
func (v planView) UnacceptedBody() []riskLine { return head(v.Unaccepted, v.BodyLimit) }
func (v planView) NoPlanBody() []riskLine     { return head(v.NoPlan, v.BodyLimit) }

// Long reports whether the annex has more than the body shows.
func (v planView) Long() bool {
	return v.AnnexLines() || len(v.Unaccepted) > v.BodyLimit || len(v.NoPlan) > v.BodyLimit
}

// AnnexLines reports whether the annex lists every action: more than the body shows, and
// not so many that the files are the better place.
func (v planView) AnnexLines() bool {
	return len(v.Lines) > v.BodyLimit && len(v.Lines) <= planAnnexMax
}

// Where names where the whole plan is.
func (v planView) Where() string {
	if v.AnnexLines() {
		return "in the annex and in risk-treatment-plan.csv"
	}
	return "in risk-treatment-plan.csv and the Treatment plan sheet of risk-register.xlsx; its open actions are in the action plan's annex"
}

const planHTML = `{{define "plan"}}{{if .HasRisks}}<section id="treatment-plan">
<h2>Risk treatment plan</h2>
<p>{{.Summary}}</p>
<h3>Above the acceptance threshold without acceptance ({{len .Unaccepted}})</h3>
{{if .Unaccepted}}<p class="muted">Risks whose residual (the inherent score while not re-scored) lies above {{.Threshold}} and that no risk owner accepted for that residual (27001 6.1.3 f).</p>
<table><thead><tr><th>Ref</th><th>Risk</th><th>Owner</th><th>Residual</th><th>Treatment</th><th>Plan</th></tr></thead><tbody>
{{range .UnacceptedBody}}<tr><td>{{.Ref}}</td><td>{{.Title}}</td><td>{{if .Owner}}{{.Owner}}{{else}}<span class="muted">unassigned</span>{{end}}</td><td><span class="tag" style="border-color:{{.ResidualColour}}">{{.Residual}}</span></td><td>{{.Treatment}}</td><td>{{.Plan}}</td></tr>
{{end}}</tbody></table>{{if gt (len .Unaccepted) .BodyLimit}}<p class="muted">The first {{.BodyLimit}}; all {{len .Unaccepted}} are in the annex.</p>{{end}}
{{else}}<p>Every risk above the threshold is accepted by its owner for the residual it has.</p>{{end}}
{{if .NoPlan}}<h3>Treated "modify" without actions ({{len .NoPlan}})</h3>
<p>{{range $i, $r := .NoPlanBody}}{{if $i}}, {{end}}{{$r.Ref}} {{$r.Title}}{{end}}{{if gt (len .NoPlan) .BodyLimit}} … all {{len .NoPlan}} in the annex{{end}}.</p>{{end}}
{{if .Lines}}<h3>Actions</h3>
<table><thead><tr><th>Risk</th><th>Action</th><th>Owner</th><th>Resources</th><th class="num">Due</th><th>Status</th></tr></thead><tbody>
{{range .BodyLines}}<tr><td>{{.Risk}}</td><td>{{.Title}}{{if .Controls}}<br><span class="muted">{{.Controls}}</span>{{end}}{{if .Corrective}}<br><span class="muted">corrective action {{.Corrective}}</span>{{end}}</td><td>{{if .Owner}}{{.Owner}}{{else}}<span class="muted">unassigned</span>{{end}}</td><td>{{.Resources}}</td><td class="num{{if .Overdue}} overdue{{end}}">{{if .Due}}{{.Due}}{{if .Overdue}} (overdue){{end}}{{else}}—{{end}}</td><td>{{.Status}}</td></tr>
{{end}}</tbody></table>{{if gt (len .Lines) .BodyLimit}}<p class="muted">The first {{.BodyLimit}} of {{len .Lines}} actions, open ones by due date; the whole plan is {{.Where}}.</p>{{end}}{{end}}
</section>{{end}}{{end}}
{{define "plan-annex"}}{{if .Long}}<section id="annex-plan">
<h2>Annex: risk treatment plan</h2>
{{if gt (len .Unaccepted) .BodyLimit}}<h3>Above the acceptance threshold without acceptance ({{len .Unaccepted}})</h3>
<table><thead><tr><th>Ref</th><th>Risk</th><th>Owner</th><th>Residual</th><th>Treatment</th><th>Plan</th></tr></thead><tbody>
{{range .Unaccepted}}<tr><td>{{.Ref}}</td><td>{{.Title}}</td><td>{{.Owner}}</td><td>{{.Residual}}</td><td>{{.Treatment}}</td><td>{{.Plan}}</td></tr>
{{end}}</tbody></table>{{end}}
{{if gt (len .NoPlan) .BodyLimit}}<h3>Treated "modify" without actions ({{len .NoPlan}})</h3>
<p>{{range $i, $r := .NoPlan}}{{if $i}}, {{end}}{{$r.Ref}}{{end}}.</p>{{end}}
{{if .AnnexLines}}<h3>All actions ({{len .Lines}})</h3>
<table><thead><tr><th>Risk</th><th>Action</th><th>Owner</th><th>Resources</th><th class="num">Start</th><th class="num">Due</th><th>Status</th></tr></thead><tbody>
{{range .Lines}}<tr><td>{{.Risk}}</td><td>{{.Title}}{{if .Controls}}<br><span class="muted">{{.Controls}}</span>{{end}}</td><td>{{.Owner}}</td><td>{{.Resources}}</td><td class="num">{{.Start}}</td><td class="num{{if .Overdue}} overdue{{end}}">{{.Due}}</td><td>{{.Status}}</td></tr>
{{end}}</tbody></table>{{end}}
</section>{{end}}{{end}}
`

func planRows(ls []planLine, withStart bool) [][]string {
	rows := make([][]string, len(ls))
	for i, l := range ls {
		due := dueCell(l.Due, l.Overdue)
		what := l.Title
		if l.Controls != "" {
			what += "\n" + l.Controls
		}
		if l.Corrective != "" {
			what += "\ncorrective action " + l.Corrective
		}
		if withStart {
			rows[i] = []string{l.Risk, what, firstNonEmpty(l.Owner, "unassigned"), l.Resources, firstNonEmpty(l.Start, "—"), due, l.Status}
		} else {
			rows[i] = []string{l.Risk, what, firstNonEmpty(l.Owner, "unassigned"), l.Resources, due, l.Status}
		}
	}
	return rows
}

func unacceptedRows(ls []riskLine) [][]string {
	rows := make([][]string, len(ls))
	for i, r := range ls {
		rows[i] = []string{r.Ref, r.Title, firstNonEmpty(r.Owner, "unassigned"), r.Residual, r.Treatment, r.Plan}
	}
	return rows
}

func refsOf(ls []riskLine) string {
	refs := make([]string, len(ls))
	for i, r := range ls {
		refs[i] = r.Ref
	}
	return strings.Join(refs, ", ")
}

// planPDF prints the treatment plan section.
func planPDF(p *pdfDoc, v planView) {
	if !v.HasRisks {
		return
	}
	p.heading("Risk treatment plan")
	p.para(9.5, "", v.Summary())
	p.Ln(2)
	subheading(p, fmt.Sprintf("Above the acceptance threshold without acceptance (%d)", len(v.Unaccepted)))
	if len(v.Unaccepted) == 0 {
		p.para(9, "", "Every risk above the threshold is accepted by its owner for the residual it has.")
	} else {
		p.note(8.5, "Residual (the inherent score while not re-scored) above "+v.Threshold+", and no risk owner accepted it for that residual (27001 6.1.3 f).")
		p.table([]string{"Ref", "Risk", "Owner", "Residual", "Treatment", "Plan"}, []float64{15, 63, 28, 28, 18, p.w - 152}, unacceptedRows(v.UnacceptedBody()))
		if len(v.Unaccepted) > v.BodyLimit {
			p.para(8, "", fmt.Sprintf("The first %d; all %d are in the annex.", v.BodyLimit, len(v.Unaccepted)))
		}
	}
	if len(v.NoPlan) > 0 {
		p.Ln(2)
		subheading(p, fmt.Sprintf("Treated \"modify\" without actions (%d)", len(v.NoPlan)))
		text := refsOf(v.NoPlanBody())
		if len(v.NoPlan) > v.BodyLimit {
			text += fmt.Sprintf(" … all %d in the annex", len(v.NoPlan))
		}
		p.para(9, "", text+".")
	}
	if len(v.Lines) > 0 {
		p.Ln(2)
		subheading(p, "Actions")
		p.table([]string{"Risk", "Action", "Owner", "Resources", "Due", "Status"}, []float64{15, 58, 26, 30, 24, p.w - 153}, planRows(v.BodyLines(), false))
		if len(v.Lines) > v.BodyLimit {
			p.para(8, "", fmt.Sprintf("The first %d of %d actions, open ones by due date; the whole plan is %s.", v.BodyLimit, len(v.Lines), v.Where()))
		}
	}
}

// planAnnexPDF prints the long lists of the plan in the annex.
func planAnnexPDF(p *pdfDoc, v planView) {
	if !v.Long() {
		return
	}
	p.heading("Annex: risk treatment plan")
	if len(v.Unaccepted) > v.BodyLimit {
		p.para(10.5, "B", fmt.Sprintf("Above the acceptance threshold without acceptance (%d)", len(v.Unaccepted)))
		p.table([]string{"Ref", "Risk", "Owner", "Residual", "Treatment", "Plan"}, []float64{15, 63, 28, 28, 18, p.w - 152}, unacceptedRows(v.Unaccepted))
	}
	if len(v.NoPlan) > v.BodyLimit {
		p.Ln(2)
		p.para(10.5, "B", fmt.Sprintf("Treated \"modify\" without actions (%d)", len(v.NoPlan)))
		p.para(8.5, "", refsOf(v.NoPlan)+".")
	}
	if v.AnnexLines() {
		p.Ln(2)
		p.para(10.5, "B", fmt.Sprintf("All actions (%d)", len(v.Lines)))
		p.table([]string{"Risk", "Action", "Owner", "Resources", "Start", "Due", "Status"}, []float64{15, 46, 24, 26, 22, 22, p.w - 155}, planRows(v.Lines, true))
	}
}

// ---- the plan as files ----

var planHeader = []string{"Risk", "Risk title", "Action", "Owner", "Resources", "Start date", "Due date", "Status", "Overdue",
	"Linked controls", "Corrective action", "Residual level", "Above threshold without acceptance"}

// planSheetRows is the plan as cells: one row per action, and one per risk treated
// "modify" with no action (so the gap shows).
func planSheetRows(d *Data) [][]string {
	var rows [][]string
	m := d.Parts.Matrix
	for _, r := range d.Parts.Risks {
		level, _ := levelOf(m, r.EffectiveResidual())
		unacc := ""
		if r.UnacceptedAboveThreshold(m) {
			unacc = "yes"
		}
		if d.planOf(r).Missing {
			rows = append(rows, []string{r.Ref, r.Title, "(no action planned: treated modify)", r.Owner, "", "", "", "", "", "", "", level, unacc})
		}
		for _, a := range d.actionsOf(r.ID) {
			overdue := ""
			if a.Overdue(d.At) {
				overdue = "yes"
			}
			rows = append(rows, []string{r.Ref, r.Title, a.Title, a.Owner, a.Resources, a.StartDate, a.DueDate, a.EffectiveStatus().Label(), overdue,
				d.controlsText(a.Controls), a.CorrectiveRef, level, unacc})
		}
	}
	return rows
}

// planTable is the "Treatment plan" sheet of the risk register workbook.
func planTable(wb *workbook, rows [][]string) table {
	t := table{Name: "Treatment plan", Header: planHeader, Widths: []float64{8, 36, 40, 18, 28, 12, 12, 12, 9, 30, 16, 12, 14}}
	for _, r := range rows {
		row := make([]any, len(r))
		for i, c := range r {
			row[i] = c
		}
		t.Rows = append(t.Rows, row)
	}
	t.Styles = func(int) map[int]int { return map[int]int{2: wb.wrap, 4: wb.wrap} }
	return t
}

// RiskTreatmentPlanCSV is risk-treatment-plan.csv.
func RiskTreatmentPlanCSV(d *Data) ([]byte, error) { return writeCSV(planHeader, planSheetRows(d)) }

// sortStable sorts s stably by less.
func sortStable[T any](s []T, less func(a, b T) bool) {
	sort.SliceStable(s, func(i, j int) bool { return less(s[i], s[j]) })
}
