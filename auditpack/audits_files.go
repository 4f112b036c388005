package auditpack

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

// RequirementLabel names a requirement for a person: "ISO 27001 A.5.1".
func RequirementLabel(set *catalogs.Set, c assessments.ControlRef) string {
	if cat, ok := set.Get(c.Standard); ok {
		return cat.Short + " " + c.Ref
	}
	return c.Standard + " " + c.Ref
}

func labels(set *catalogs.Set, refs []assessments.ControlRef) string {
	out := make([]string, len(refs))
	for i, c := range refs {
		out[i] = RequirementLabel(set, c)
	}
	return strings.Join(out, ", ")
}

// FindingsHeader is the header of findings.csv and of the findings sheet.
var FindingsHeader = []string{"Finding", "Audit", "Grade", "Status", "Requirements", "Statement", "Objective evidence", "Raised on",
	"Closed on", "Actions", "Pending actions", "Overdue actions", "Raised risk"}

// FindingRows are the findings as table rows, by ref. auditRef names an audit by id and
// riskRef a risk by id (both may return ""); overdue is judged at now.
func FindingRows(set *catalogs.Set, views []assessments.FindingView, auditRef, riskRef func(string) string, now time.Time) [][]string {
	sorted := append([]assessments.FindingView(nil), views...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Finding.Ref < sorted[j].Finding.Ref })
	rows := make([][]string, 0, len(sorted))
	for _, v := range sorted {
		f := v.Finding
		pending, overdue := 0, 0
		for _, a := range v.Actions {
			if a.EffectiveState().Pending() || a.EffectiveState() == assessments.CorrectiveDone {
				pending++
			}
			if a.Overdue(now) {
				overdue++
			}
		}
		closed := ""
		if v.Status == assessments.FindingClosed {
			closed = assessments.ClosedOn(v.Actions)
		}
		rows = append(rows, []string{f.Ref, auditRef(f.AuditID), f.Grade.Short(), string(v.Status), labels(set, f.Requirements), f.Statement,
			f.Evidence, f.RaisedOn, closed, strconv.Itoa(len(v.Actions)), strconv.Itoa(pending), strconv.Itoa(overdue), riskRef(f.RiskID)})
	}
	return rows
}

// ActionsHeader is the header of the corrective actions sheet and of `annex audit actions --csv`.
var ActionsHeader = []string{"Action", "Finding", "Grade", "State", "Owner", "Due date", "Overdue", "Correction", "Root cause (why-chain)",
	"Corrective action", "Reviewed by", "Reviewed on", "What the review checked", "Linked risk"}

// ActionRows are the corrective actions as table rows, by finding then number.
func ActionRows(views []assessments.FindingView, riskRef func(string) string, now time.Time) [][]string {
	sorted := append([]assessments.FindingView(nil), views...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Finding.Ref < sorted[j].Finding.Ref })
	var rows [][]string
	for _, v := range sorted {
		for _, a := range v.Actions {
			overdue := ""
			if a.Overdue(now) {
				overdue = "yes"
			}
			rows = append(rows, []string{assessments.ActionRef(v.Finding.Ref, a.Seq), v.Finding.Ref, v.Finding.Grade.Short(), a.EffectiveState().Label(),
				a.Owner, a.DueDate, overdue, a.Correction, strings.Join(a.RootCause, " → "), a.Action, a.ReviewedBy, a.ReviewedOn, a.ReviewNote, riskRef(a.RiskID)})
		}
	}
	return rows
}

func (d *Data) auditRef(id string) string {
	for _, a := range d.Parts.Audits.Audits {
		if a.ID == id {
			return a.Ref
		}
	}
	return ""
}

func (d *Data) riskRef(id string) string {
	if r, ok := d.Parts.riskByID[id]; ok {
		return r.Ref
	}
	return ""
}

// findingsFiles writes findings.csv and findings.xlsx (findings and corrective actions).
func findingsFiles(d *Data) ([]File, error) {
	p := d.Parts.Audits
	rows := FindingRows(d.Catalogs, p.Findings, d.auditRef, d.riskRef, d.At)
	csv, err := writeCSV(FindingsHeader, rows)
	if err != nil {
		return nil, err
	}
	wb, err := newWorkbook("Internal audit findings — "+d.Engagement.Name, d.At)
	if err != nil {
		return nil, err
	}
	ft := table{Name: "Findings", Header: FindingsHeader, Widths: []float64{16, 10, 12, 10, 30, 50, 40, 11, 11, 8, 8, 8, 10}}
	for _, r := range rows {
		row := make([]any, len(r))
		for i, c := range r {
			if n, err := strconv.Atoi(c); err == nil && i >= 9 && i <= 11 {
				row[i] = n
			} else {
				row[i] = c
			}
		}
		ft.Rows = append(ft.Rows, row)
	}
	if err := wb.sheet(ft); err != nil {
		return nil, err
	}
	at := table{Name: "Corrective actions", Header: ActionsHeader, Widths: []float64{18, 16, 12, 16, 18, 11, 8, 36, 40, 44, 18, 11, 40, 10}}
	for _, r := range ActionRows(p.Findings, d.riskRef, d.At) {
		row := make([]any, len(r))
		for i, c := range r {
			row[i] = c
		}
		at.Rows = append(at.Rows, row)
	}
	if err := wb.sheet(at); err != nil {
		return nil, err
	}
	x, err := wb.bytes()
	if err != nil {
		return nil, err
	}
	return []File{{Path: "findings.csv", Data: csv}, {Path: "findings.xlsx", Data: x}}, nil
}

// ---- one report per audit ----

type auditFact struct{ Name, Value string }

type auditFindingLine struct {
	Ref, Grade, Status, Requirements, Statement, Evidence, RaisedOn string
}

type auditGradeGroup struct {
	Label    string
	Findings []auditFindingLine
}

type auditCheckLine struct {
	Ref, Title, Conclusion, Class, Provenance, Sampling, Sampled, Interviewees, Notes, Finding string
	Evidence                                                                                   []string
	Changed                                                                                    bool
}

type auditActionLine struct {
	Ref, Action, Correction, Owner, Due, State, Review, Risk string
	RootCause                                                []string
	Overdue                                                  bool
}

type auditView struct {
	Engagement, Organisation, At, Version string
	Ref, Title                            string
	Facts                                 []auditFact
	Summary                               string
	Impartiality                          []string
	Counts                                []auditFact
	Grades                                []auditGradeGroup
	Checklist                             []auditCheckLine
	Actions                               []auditActionLine
}

func conclusionClass(c assessments.Conclusion) string {
	switch c {
	case assessments.MajorNC:
		return "maj"
	case assessments.MinorNC:
		return "min"
	case assessments.Observation, assessments.OFI:
		return "obs"
	case assessments.Conforming:
		return "ok"
	}
	return "na"
}

func buildAuditView(d *Data, a assessments.Audit) auditView {
	p := d.Parts.Audits
	set := d.Catalogs
	v := auditView{Engagement: d.Engagement.Name, Organisation: d.Engagement.Organisation, At: d.At.Format("2006-01-02 15:04 UTC"),
		Version: d.Version, Ref: a.Ref, Title: a.Title, Summary: a.Summary}
	dates := func(from, to string) string {
		if from == "" && to == "" {
			return ""
		}
		return firstNonEmpty(from, "…") + " to " + firstNonEmpty(to, "…")
	}
	for _, f := range []auditFact{{"Audit", a.Ref + " · " + a.Type.Label() + " · " + a.EffectiveStatus().Label()},
		{"Scope", assessments.ScopeText(set, a.Scope) + " (" + assessments.ScopeCounts(set, a.Scope) + ")"},
		{"Processes", a.Processes}, {"Sites", a.Sites}, {"Criteria", a.Criteria},
		{"Planned", dates(a.PlannedStart, a.PlannedEnd)}, {"Held", dates(a.ActualStart, a.ActualEnd)},
		{"Lead auditor", a.Lead}, {"Audit team", strings.Join(a.Team, ", ")}, {"Auditees", a.Auditees}} {
		if strings.TrimSpace(f.Value) != "" {
			v.Facts = append(v.Facts, f)
		}
	}
	v.Impartiality = assessments.ImpartialityText(assessments.Impartiality(a, d.Results), func(c assessments.ControlRef) string { return RequirementLabel(set, c) })
	items := p.Items[a.ID]
	counts := assessments.ConclusionCounts(a.Scope, items)
	for _, c := range assessments.ConclusionOrder {
		if counts[c] > 0 {
			v.Counts = append(v.Counts, auditFact{Name: assessments.CountText(counts[c], c)})
		}
	}
	findings := p.findingsOf(a.ID)
	bySource := map[assessments.ControlRef]string{}
	for _, g := range assessments.Grades {
		grp := auditGradeGroup{Label: upperFirst(g.Label())}
		for _, fv := range findings {
			f := fv.Finding
			if f.Grade != g || fv.Status == assessments.FindingWithdrawn {
				continue
			}
			grp.Findings = append(grp.Findings, auditFindingLine{Ref: f.Ref, Grade: g.Short(), Status: string(fv.Status),
				Requirements: labels(set, f.Requirements), Statement: f.Statement, Evidence: f.Evidence, RaisedOn: f.RaisedOn})
			if f.Source.Ref != "" {
				bySource[f.Source] = f.Ref
			}
		}
		if len(grp.Findings) > 0 {
			v.Grades = append(v.Grades, grp)
		}
	}
	for _, cr := range assessments.Checklist(set, a) {
		it := items[cr.Ref]
		c := it.EffectiveConclusion()
		line := auditCheckLine{Ref: RequirementLabel(set, cr.Ref), Title: cr.Requirement.Title, Conclusion: c.Label(), Class: conclusionClass(c),
			Provenance: it.Provenance, Sampling: it.SamplingText(), Sampled: it.Sampled, Interviewees: it.Interviewees, Notes: it.Notes,
			Finding: bySource[cr.Ref]}
		for _, x := range it.Evidence {
			now, ok := p.evidence[x.EvidenceID]
			st := x.StateAgainst(now, ok)
			text := x.Title
			if x.SHA256 != "" {
				text += " (SHA-256 " + x.SHA256[:16] + "…)"
			}
			if st != assessments.ExaminedSame {
				text += " — " + st.Label()
				line.Changed = true
			}
			line.Evidence = append(line.Evidence, text)
		}
		v.Checklist = append(v.Checklist, line)
	}
	for _, fv := range findings {
		for _, ca := range fv.Actions {
			review := ""
			if ca.EffectiveState().Reviewed() || ca.ReviewedBy != "" {
				review = fmt.Sprintf("%s on %s: %s", ca.ReviewedBy, ca.ReviewedOn, ca.ReviewNote)
			}
			v.Actions = append(v.Actions, auditActionLine{Ref: assessments.ActionRef(fv.Finding.Ref, ca.Seq), Action: ca.Action, Correction: ca.Correction,
				Owner: ca.Owner, Due: ca.DueDate, State: ca.EffectiveState().Label(), Review: review, Risk: d.riskRef(ca.RiskID),
				RootCause: ca.RootCause, Overdue: ca.Overdue(d.At)})
		}
	}
	sort.SliceStable(v.Actions, func(i, j int) bool { return v.Actions[i].Ref < v.Actions[j].Ref })
	return v
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// checklistRows writes the checklist's table rows by hand, every text escaped: with
// thousands of rows over a programme, html/template's escaping of each field was most of
// the audit reports' time.
func checklistRows(lines []auditCheckLine) template.HTML {
	var b strings.Builder
	b.Grow(len(lines) * 400)
	e := esc
	for _, c := range lines {
		b.WriteString("<tr><td><strong>" + e(c.Ref) + "</strong><br>" + e(c.Title) + `</td><td><span class="c ` + c.Class + `">` + e(c.Conclusion) + "</span>")
		if c.Finding != "" {
			b.WriteString("<br>" + e(c.Finding))
		}
		if c.Provenance != "" {
			b.WriteString(`<br><span class="muted">` + e(c.Provenance) + "</span>")
		}
		b.WriteString("</td>\n<td>")
		if c.Sampling != "" {
			b.WriteString(e(c.Sampling))
			if c.Sampled != "" {
				b.WriteString(": " + e(c.Sampled))
			}
			b.WriteString("<br>")
		}
		if c.Interviewees != "" {
			b.WriteString("Interviewed: " + e(c.Interviewees) + "<br>")
		}
		for _, x := range c.Evidence {
			b.WriteString(e(x) + "<br>")
		}
		b.WriteString(`</td><td class="pre">` + e(c.Notes) + "</td></tr>\n")
	}
	return template.HTML(b.String())
}

// findingRows writes the rows of one grade's findings table, escaped.
func findingRows(lines []auditFindingLine) template.HTML {
	var b strings.Builder
	for _, f := range lines {
		b.WriteString(`<tr><td class="c">` + esc(f.Ref) + "</td><td>" + esc(f.Requirements) + `</td><td class="pre">` + esc(f.Statement) +
			`</td><td class="pre">` + esc(f.Evidence) + "</td><td>" + esc(f.Status) + `<br><span class="muted">raised ` + esc(f.RaisedOn) + "</span></td></tr>\n")
	}
	return template.HTML(b.String())
}

// correctiveRows writes the corrective actions table's rows, escaped.
func correctiveRows(lines []auditActionLine) template.HTML {
	var b strings.Builder
	for _, a := range lines {
		b.WriteString(`<tr><td class="c">` + esc(a.Ref) + "</td><td>" + esc(a.Action))
		if a.Correction != "" {
			b.WriteString(`<br><span class="muted">Correction: ` + esc(a.Correction) + "</span>")
		}
		if len(a.RootCause) > 0 {
			b.WriteString(`<br><span class="muted">Why: ` + esc(strings.Join(a.RootCause, " → ")) + "</span>")
		}
		if a.Risk != "" {
			b.WriteString(`<br><span class="muted">Risk treatment ` + esc(a.Risk) + "</span>")
		}
		b.WriteString("</td><td>" + esc(a.Owner) + "</td>")
		if a.Overdue {
			b.WriteString(`<td class="overdue">` + esc(a.Due) + " (overdue)</td>")
		} else {
			b.WriteString("<td>" + esc(a.Due) + "</td>")
		}
		b.WriteString("<td>" + esc(a.State) + "</td><td>" + esc(a.Review) + "</td></tr>\n")
	}
	return template.HTML(b.String())
}

// esc escapes user text for the hand-written rows (NUL as html/template writes it).
func esc(s string) string { return html.EscapeString(strings.ReplaceAll(s, "\x00", "\uFFFD")) }

var auditFuncs = template.FuncMap{"join": strings.Join, "checklistRows": checklistRows, "findingRows": findingRows, "correctiveRows": correctiveRows}

var auditTemplate = template.Must(template.New("audit").Funcs(auditFuncs).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="annex {{.Version}}">
<title>Internal audit {{.Ref}}: {{.Title}} — {{.Engagement}}</title>
<style>
:root{--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--accent:#0550ae;--soft:#f6f8fa}
body{margin:0;font:14px/1.45 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg)}
main{max-width:1040px;margin:0 auto;padding:32px 28px 48px}
header{border-bottom:3px solid var(--accent);padding-bottom:14px;margin-bottom:20px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}h3{font-size:15px;margin:16px 0 6px}
.sub,.muted{color:var(--muted)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:12px 0 0}dt{color:var(--muted)}dd{margin:0;white-space:pre-wrap}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}th{background:var(--soft)}
td.pre{white-space:pre-wrap}
.c{font-weight:600;white-space:nowrap}.maj{color:#c62828}.min{color:#ef6c00}.obs{color:#0550ae}.ok{color:#2e7d32}.na{color:#8c959f}
.warn{border-left:4px solid #f0a202;background:#fff8e1;padding:6px 10px;margin:8px 0}
.overdue{color:#c62828;font-weight:600}
footer{margin-top:36px;padding-top:10px;border-top:1px solid var(--line);color:var(--muted);font-size:12px}
@media print{@page{size:A4;margin:14mm}body{font-size:11px}main{max-width:none;padding:0}tr{break-inside:avoid}}
</style>
</head>
<body>
<main>
<header>
<h1>Internal audit {{.Ref}}: {{.Title}}</h1>
<p class="sub">{{.Engagement}}{{if .Organisation}} · {{.Organisation}}{{end}} · state of the workspace on {{.At}}</p>
<dl>{{range .Facts}}<dt>{{.Name}}</dt><dd>{{.Value}}</dd>{{end}}</dl>
</header>
{{range .Impartiality}}<p class="warn">Impartiality: {{.}}</p>{{end}}
<section id="summary">
<h2>Summary</h2>
{{if .Summary}}<p style="white-space:pre-wrap">{{.Summary}}</p>{{else}}<p class="muted">The lead auditor has not written a summary yet.</p>{{end}}
<p>{{range $i, $c := .Counts}}{{if $i}} · {{end}}{{$c.Name}}{{end}}</p>
</section>
<section id="findings">
<h2>Findings by grade</h2>
{{range .Grades}}<h3>{{.Label}} ({{len .Findings}})</h3>
<table><thead><tr><th>Finding</th><th>Requirements</th><th>Statement</th><th>Objective evidence</th><th>Status</th></tr></thead><tbody>
{{findingRows .Findings}}</tbody></table>
{{else}}<p>No finding.</p>{{end}}
</section>
<section id="checklist">
<h2>Checklist</h2>
<table><thead><tr><th>Requirement</th><th>Conclusion</th><th>Sampling and evidence</th><th>Notes</th></tr></thead><tbody>
{{checklistRows .Checklist}}</tbody></table>
</section>
<section id="actions">
<h2>Corrective actions</h2>
{{if .Actions}}<table><thead><tr><th>Action</th><th>What</th><th>Owner</th><th>Due</th><th>State</th><th>Effectiveness review</th></tr></thead><tbody>
{{correctiveRows .Actions}}</tbody></table>{{else}}<p>No corrective action recorded.</p>{{end}}
</section>
<footer>Made by annex {{.Version}} from the workspace as it was on {{.At}}. The pack's manifest.json lists this file with its SHA-256; check it with <code>annex verify</code>.</footer>
</main>
</body>
</html>
`))

// auditHTML is one audit's report: scope, criteria, team, summary, findings by grade, the
// checklist with conclusions and sampling, and the corrective actions.
func auditHTML(v auditView) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(16_000 + 500*len(v.Checklist) + 600*len(v.Actions))
	if err := auditTemplate.Execute(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// auditPDF is the same report as PDF.
func auditPDF(d *Data, v auditView) ([]byte, error) {
	p := newPDF(d)
	// fpdf deflates each page with a new compressor (about 1 MB each): for reports of many
	// pages that is most of the export's allocations. The zip deflates the file anyway.
	p.SetCompression(false)
	p.SetTitle("Internal audit "+v.Ref+": "+v.Title, true)
	p.AddPage()
	p.SetFont(pdfFont, "B", 16)
	p.SetTextColor(31, 35, 40)
	p.MultiCell(p.w, 8, p.tr("Internal audit "+v.Ref+": "+v.Title), "", "L", false)
	p.SetTextColor(87, 96, 106)
	p.para(9.5, "", v.Engagement+" · state of the workspace on "+v.At)
	p.SetTextColor(31, 35, 40)
	p.Ln(2)
	for _, f := range v.Facts {
		p.SetFont(pdfFont, "B", 9)
		p.CellFormat(30, 5, p.tr(f.Name), "", 0, "L", false, 0, "")
		p.SetFont(pdfFont, "", 9)
		p.MultiCell(p.w-30, 5, p.tr(f.Value), "", "L", false)
	}
	for _, w := range v.Impartiality {
		p.Ln(1)
		p.SetTextColor(154, 103, 0)
		p.para(9, "B", "Impartiality: "+w)
		p.SetTextColor(31, 35, 40)
	}
	p.heading("Summary")
	p.para(9.5, "", firstNonEmpty(v.Summary, "The lead auditor has not written a summary yet."))
	var counts []string
	for _, c := range v.Counts {
		counts = append(counts, c.Name)
	}
	p.Ln(1)
	p.para(9.5, "", strings.Join(counts, " · "))
	p.heading("Findings by grade")
	if len(v.Grades) == 0 {
		p.para(9.5, "", "No finding.")
	}
	for _, g := range v.Grades {
		p.para(10, "B", fmt.Sprintf("%s (%d)", g.Label, len(g.Findings)))
		rows := make([][]string, len(g.Findings))
		for i, f := range g.Findings {
			rows[i] = []string{f.Ref, f.Requirements, f.Statement, f.Evidence, f.Status + "\nraised " + f.RaisedOn}
		}
		p.table([]string{"Finding", "Requirements", "Statement", "Objective evidence", "Status"}, []float64{28, 30, 50, 40, p.w - 148}, rows)
		p.Ln(2)
	}
	p.heading("Checklist")
	p.SetTextColor(87, 96, 106)
	p.para(8.5, "", "One line per requirement: its conclusion and sampling. The notes of every item are in the HTML report; the findings above carry the statements.")
	p.SetTextColor(31, 35, 40)
	p.Ln(1)
	rows := make([][]string, 0, len(v.Checklist))
	var notAudited []string
	for _, c := range v.Checklist {
		if c.Class == "na" && c.Provenance == "" && c.Sampling == "" && c.Notes == "" {
			notAudited = append(notAudited, c.Ref)
			continue
		}
		concl := c.Conclusion
		if c.Finding != "" {
			concl = c.Finding + " " + concl
		} else if c.Provenance != "" {
			concl += " (carried)"
		}
		sampling := c.Sampling + prefixIf(": ", c.Sampled)
		if len(c.Evidence) > 0 {
			sampling = strings.TrimPrefix(sampling+"; "+plural(len(c.Evidence), "item examined", "items examined"), "; ")
		}
		rows = append(rows, []string{c.Ref + " " + c.Title, concl, sampling})
	}
	p.lineTable([]string{"Requirement", "Conclusion", "Sampling and evidence"}, []float64{80, 52, p.w - 132}, rows)
	if len(notAudited) > 0 {
		p.Ln(1)
		p.para(8.5, "", fmt.Sprintf("Not audited (%d): %s.", len(notAudited), strings.Join(notAudited, ", ")))
	}
	p.heading("Corrective actions")
	if len(v.Actions) == 0 {
		p.para(9.5, "", "No corrective action recorded.")
	} else {
		rows := make([][]string, len(v.Actions))
		for i, a := range v.Actions {
			what := a.Action
			if a.Correction != "" {
				what += "\nCorrection: " + a.Correction
			}
			if len(a.RootCause) > 0 {
				what += "\nWhy: " + strings.Join(a.RootCause, " -> ")
			}
			due := a.Due
			if a.Overdue {
				due += " (overdue)"
			}
			rows[i] = []string{a.Ref, what, a.Owner, due, a.State, a.Review}
		}
		p.table([]string{"Action", "What", "Owner", "Due", "State", "Effectiveness review"}, []float64{31, 52, 24, 23, 20, p.w - 150}, rows)
	}
	p.Ln(4)
	p.SetTextColor(87, 96, 106)
	p.para(8, "", fmt.Sprintf("Made by annex %s from the workspace as it was on %s.", v.Version, v.At))
	var buf bytes.Buffer
	buf.Grow(40_000 + 800*len(v.Checklist) + 1200*len(v.Actions))
	if err := p.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func prefixIf(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

// auditFiles writes internal-audits/<audit>.html and .pdf for every audit, the audits side
// by side (each only reads d).
func auditFiles(d *Data) ([]File, error) {
	audits := d.Parts.Audits.Audits
	out := make([][]File, len(audits))
	errs := make([]error, len(audits))
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i, a := range audits {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			v := buildAuditView(d, a)
			html, err := auditHTML(v)
			if err != nil {
				errs[i] = fmt.Errorf("%s report: %w", a.Label(), err)
				return
			}
			pdf, err := auditPDF(d, v)
			if err != nil {
				errs[i] = fmt.Errorf("%s PDF: %w", a.Label(), err)
				return
			}
			base := auditPath(a)
			out[i] = []File{{Path: base + ".html", Data: html}, {Path: base + ".pdf", Data: pdf}}
		}()
	}
	wg.Wait()
	var files []File
	for i := range audits {
		if errs[i] != nil {
			return nil, errs[i]
		}
		files = append(files, out[i]...)
	}
	return files, nil
}

// lineTable prints rows of one line each, every cell cut to its column with "…": the
// cheap form of a long table (a checklist of hundreds of requirements), one text operation
// per cell.
func (p *pdfDoc) lineTable(header []string, widths []float64, rows [][]string) {
	const line = 4.6
	printHeader := func() {
		p.SetFont(pdfFont, "B", 8.5)
		p.SetFillColor(246, 248, 250)
		for i, h := range header {
			p.CellFormat(widths[i], 6, p.tr(h), "B", 0, "L", true, 0, "")
		}
		p.Ln(-1)
		p.SetFont(pdfFont, "", 8.5)
	}
	printHeader()
	_, pageH := p.GetPageSize()
	_, _, _, bottom := p.GetMargins()
	for _, row := range rows {
		if _, y := p.GetXY(); y+line > pageH-bottom {
			p.AddPage()
			printHeader()
		}
		for i, c := range row {
			p.CellFormat(widths[i], line, p.tr(p.fit(c, widths[i]-3)), "", 0, "L", false, 0, "") // the cell's margins
		}
		p.Ln(-1)
	}
}

// fit cuts text (one line) to a width in millimetres at the current font, with "…".
func (p *pdfDoc) fit(s string, w float64) string {
	s = strings.Join(strings.Fields(s), " ")
	if p.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if p.GetStringWidth(string(r[:mid])+"…") <= w {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimSpace(string(r[:lo])) + "…"
}
