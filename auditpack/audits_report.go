package auditpack

import (
	"bytes"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/annex-grc/annex/assessments"
)

// The management report's internal-audit section: the programme, open findings by grade,
// open and overdue corrective actions, and how effective the reviewed actions were.

type auditsLine struct {
	Ref, Title, Type, Status, Dates, File string
	Findings                              int
}

type gradeRow struct {
	Grade               string
	Open, Closed, Noted int
}

type coverageLine struct {
	Standard                                 string
	Clauses, ClausesOf, Controls, ControlsOf int
}

type auditsSection struct {
	Has           bool
	Audits        []auditsLine
	Coverage      []coverageLine
	Grades        []gradeRow
	F             assessments.AuditFigures
	Effectiveness string
	Attention     []auditActionLine // overdue and ineffective actions
	Contradicts   []string
}

func buildAuditsSection(d *Data) auditsSection {
	p := d.Parts.Audits
	v := auditsSection{Has: len(p.Audits) > 0}
	if !v.Has {
		return v
	}
	counts := map[string]int{}
	for _, f := range p.Findings {
		if f.Status != assessments.FindingWithdrawn {
			counts[f.Finding.AuditID]++
		}
	}
	for _, a := range p.Audits {
		dates := firstNonEmpty(a.ActualStart, a.PlannedStart, "not scheduled")
		if end := firstNonEmpty(a.ActualEnd, a.PlannedEnd); end != "" && end != dates {
			dates += " to " + end
		}
		v.Audits = append(v.Audits, auditsLine{Ref: a.Ref, Title: a.Title, Type: a.Type.Label(), Status: a.EffectiveStatus().Label(),
			Dates: dates, File: auditPath(a) + ".html", Findings: counts[a.ID]})
	}
	records := make([]assessments.AuditRecord, len(p.Audits))
	for i, a := range p.Audits {
		records[i] = assessments.AuditRecord{Audit: a}
		for c, it := range p.Items[a.ID] {
			if it.EffectiveConclusion() != assessments.NotAudited {
				records[i].Audited = append(records[i].Audited, c)
			}
		}
	}
	for _, pc := range assessments.ProgrammeCoverageOf(d.Catalogs, d.Engagement, records, d.At) {
		name := pc.Standard
		if c, ok := d.Catalogs.Get(pc.Standard); ok {
			name = c.Name
		}
		v.Coverage = append(v.Coverage, coverageLine{Standard: name, Clauses: pc.Clauses.Covered, ClausesOf: pc.Clauses.Total,
			Controls: pc.Controls.Covered, ControlsOf: pc.Controls.Total})
	}
	v.F = assessments.FiguresOf(p.Findings, d.At)
	for _, g := range assessments.Grades {
		row := gradeRow{Grade: upperFirst(g.Label())}
		for _, f := range p.Findings {
			if f.Finding.Grade != g {
				continue
			}
			switch f.Status {
			case assessments.FindingOpen:
				row.Open++
			case assessments.FindingClosed:
				row.Closed++
			case assessments.FindingNoted:
				row.Noted++
			}
		}
		v.Grades = append(v.Grades, row)
	}
	if reviewed := v.F.Verified + v.F.Ineffective; reviewed > 0 {
		v.Effectiveness = fmt.Sprintf("%d of %d reviewed actions were verified effective (%.0f%%); %s found ineffective and reopened.",
			v.F.Verified, reviewed, 100*float64(v.F.Verified)/float64(reviewed), plural(v.F.Ineffective, "was", "were"))
	} else {
		v.Effectiveness = "No corrective action has been reviewed for effectiveness yet."
	}
	const limit = 25
	for _, f := range p.Findings {
		for _, ca := range f.Actions {
			if !ca.Overdue(d.At) && ca.EffectiveState() != assessments.CorrectiveIneffective {
				continue
			}
			if len(v.Attention) == limit {
				break
			}
			v.Attention = append(v.Attention, auditActionLine{Ref: assessments.ActionRef(f.Finding.Ref, ca.Seq), Action: ca.Action, Owner: ca.Owner,
				Due: ca.DueDate, State: ca.EffectiveState().Label(), Overdue: ca.Overdue(d.At)})
		}
	}
	for _, c := range assessments.Contradictions(d.Results, p.Findings) {
		v.Contradicts = append(v.Contradicts, RequirementLabel(d.Catalogs, c))
	}
	return v
}

var auditsSectionTemplate = template.Must(template.New("audits").Funcs(template.FuncMap{"join": strings.Join, "dash": dateText}).Parse(`{{if .Has}}<section id="internal-audits">
<h2>Internal audits</h2>
<table>
<thead><tr><th>Audit</th><th>Type</th><th>Status</th><th>Dates</th><th class="num">Findings</th><th>Report</th></tr></thead>
<tbody>
{{range .Audits}}<tr><td><strong>{{.Ref}}</strong> {{.Title}}</td><td>{{.Type}}</td><td>{{.Status}}</td><td>{{.Dates}}</td><td class="num">{{.Findings}}</td><td><code>{{.File}}</code></td></tr>
{{end}}</tbody></table>
<p class="muted">Covered by an audit in the last 12 months: {{range $i, $c := .Coverage}}{{if $i}}; {{end}}{{$c.Standard}} {{$c.Clauses}} of {{$c.ClausesOf}} clauses and {{$c.Controls}} of {{$c.ControlsOf}} Annex A controls{{end}}.</p>
<h3>Findings by grade</h3>
<table>
<thead><tr><th>Grade</th><th class="num">Open</th><th class="num">Closed</th><th class="num">Noted</th></tr></thead>
<tbody>
{{range .Grades}}<tr><td>{{.Grade}}</td><td class="num">{{.Open}}</td><td class="num">{{.Closed}}</td><td class="num">{{.Noted}}</td></tr>
{{end}}</tbody></table>
<h3>Corrective actions</h3>
<p>{{.F.Actions}} corrective actions: {{.F.Pending}} open or in progress{{if .F.Overdue}} (<span class="overdue">{{.F.Overdue}} overdue</span>){{end}}, {{.F.Done}} done and awaiting an effectiveness review, {{.F.Verified}} verified effective.</p>
<p>{{.Effectiveness}}</p>
{{if .Attention}}<table>
<thead><tr><th>Action</th><th>What</th><th>Owner</th><th>State</th><th class="num">Due</th></tr></thead>
<tbody>
{{range .Attention}}<tr><td>{{.Ref}}</td><td>{{.Action}}</td><td>{{if .Owner}}{{.Owner}}{{else}}<span class="muted">unassigned</span>{{end}}</td><td>{{.State}}</td><td class="num{{if .Overdue}} overdue{{end}}">{{dash .Due}}{{if .Overdue}} (overdue){{end}}</td></tr>
{{end}}</tbody></table>{{end}}
{{if .Contradicts}}<p class="overdue">Marked implemented in the gap analysis, yet an open major nonconformity says otherwise: {{join .Contradicts ", "}}.</p>{{end}}
<p class="muted">findings.csv and findings.xlsx list every finding and corrective action; internal-audits/ holds one report per audit.</p>
</section>{{end}}
`))

// auditsReportHTML is the management report's internal-audit section ("" without audits).
func auditsReportHTML(d *Data) (string, error) {
	v := buildAuditsSection(d)
	if !v.Has {
		return "", nil
	}
	var buf bytes.Buffer
	if err := auditsSectionTemplate.Execute(&buf, v); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// auditsPDF prints the internal-audit section of the PDF report.
func auditsPDF(p *pdfDoc, d *Data) {
	v := buildAuditsSection(d)
	if !v.Has {
		return
	}
	p.heading("Internal audits")
	rows := make([][]string, len(v.Audits))
	for i, a := range v.Audits {
		rows[i] = []string{a.Ref, a.Title, a.Type + ", " + a.Status, a.Dates, strconv.Itoa(a.Findings)}
	}
	p.table([]string{"Audit", "Title", "Type, status", "Dates", "Findings"}, []float64{20, 72, 34, 40, p.w - 166}, rows)
	var cov []string
	for _, c := range v.Coverage {
		cov = append(cov, fmt.Sprintf("%s %d of %d clauses and %d of %d Annex A controls", c.Standard, c.Clauses, c.ClausesOf, c.Controls, c.ControlsOf))
	}
	p.SetTextColor(87, 96, 106)
	p.para(8.5, "", "Covered by an audit in the last 12 months: "+strings.Join(cov, "; ")+".")
	p.SetTextColor(31, 35, 40)
	p.Ln(2)
	grows := make([][]string, len(v.Grades))
	for i, g := range v.Grades {
		grows[i] = []string{g.Grade, strconv.Itoa(g.Open), strconv.Itoa(g.Closed), strconv.Itoa(g.Noted)}
	}
	p.table([]string{"Findings by grade", "Open", "Closed", "Noted"}, []float64{80, 30, 30, p.w - 140}, grows)
	p.Ln(2)
	f := v.F
	p.para(9.5, "", fmt.Sprintf("%d corrective actions: %d open or in progress (%d overdue), %d done and awaiting an effectiveness review, %d verified effective.",
		f.Actions, f.Pending, f.Overdue, f.Done, f.Verified))
	p.para(9.5, "", v.Effectiveness)
	if len(v.Attention) > 0 {
		p.Ln(1)
		arows := make([][]string, len(v.Attention))
		for i, a := range v.Attention {
			due := firstNonEmpty(a.Due, "—")
			if a.Overdue {
				due += " (overdue)"
			}
			arows[i] = []string{a.Ref, a.Action, firstNonEmpty(a.Owner, "unassigned"), a.State, due}
		}
		p.table([]string{"Action", "What", "Owner", "State", "Due"}, []float64{30, 70, 30, 26, p.w - 156}, arows)
	}
	if len(v.Contradicts) > 0 {
		p.Ln(1)
		p.SetTextColor(198, 40, 40)
		p.para(9.5, "B", "Marked implemented in the gap analysis, yet an open major nonconformity says otherwise: "+strings.Join(v.Contradicts, ", ")+".")
		p.SetTextColor(31, 35, 40)
	}
}
