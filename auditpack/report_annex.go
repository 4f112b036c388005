package auditpack

import (
	"fmt"
	"sort"
	"strings"
)

// The report keeps its body to a few pages for management: long lists (the action plan,
// the documented information still missing, the open SoA decisions, the whole treatment
// plan, the change history) have a summary in the body and are listed whole in the annex.

const actionsBodyLimit = 10

// actionsView is the action plan: a summary and the most urgent lines in the body, every
// line in the annex.
type actionsView struct {
	All     []Action
	Urgent  []Action
	Overdue int
	ByKind  string // "40 gaps, 20 treatment actions, 5 impact assessments"
	AtDate  string
}

func buildActions(all []Action, atDate string) actionsView {
	v := actionsView{All: all, AtDate: atDate}
	kinds := map[string]int{}
	for _, a := range all {
		kinds[a.Kind]++
		if a.Overdue {
			v.Overdue++
		}
	}
	var parts []string
	for _, k := range []struct{ kind, one, many string }{{"gap", "gap", "gaps"}, {"treatment", "treatment step", "treatment steps"},
		{"impact", "impact assessment", "impact assessments"}} {
		if n := kinds[k.kind]; n > 0 {
			parts = append(parts, plural(n, k.one, k.many))
			delete(kinds, k.kind)
		}
	}
	var other []string
	for k := range kinds {
		other = append(other, k)
	}
	sort.Strings(other)
	for _, k := range other {
		parts = append(parts, plural(kinds[k], k, k))
	}
	v.ByKind = strings.Join(parts, ", ")
	// Most urgent: overdue first, then by date; the plan is sorted by date already.
	for _, a := range all {
		if len(v.Urgent) == actionsBodyLimit {
			break
		}
		if a.Due != "" {
			v.Urgent = append(v.Urgent, a)
		}
	}
	return v
}

// Long reports whether the annex has more than the body.
func (v actionsView) Long() bool { return len(v.All) > len(v.Urgent) }

// historyView sums up the change history for the annex.
type historyView struct {
	Total   int
	Months  []historyBriefRow // newest first
	Kinds   []historyBriefRow
	Authors int
}

type historyBriefRow struct {
	Label string
	Edits int
	Who   string
}

var entityWords = map[string]string{"result": "gap-analysis answers", "risk": "risks", "risk_matrix": "risk matrix", "ai_system": "AI systems",
	"impact_assessment": "impact assessments", "evidence": "evidence", "engagement": "engagement", "soa_version": "SoA versions",
	"treatment_action": "treatment actions", "report_control": "report document control"}

func buildHistory(d *Data) historyView {
	v := historyView{Total: len(d.Changes)}
	months := map[string]int{}
	monthWho := map[string]map[string]bool{}
	kinds := map[string]int{}
	authors := map[string]bool{}
	for _, c := range d.Changes {
		m := c.At
		if len(m) >= 7 {
			m = m[:7]
		}
		months[m]++
		if monthWho[m] == nil {
			monthWho[m] = map[string]bool{}
		}
		monthWho[m][c.Author] = true
		kinds[c.Entity]++
		authors[c.Author] = true
	}
	v.Authors = len(authors)
	for m, n := range months {
		var who []string
		for a := range monthWho[m] {
			who = append(who, a)
		}
		sort.Strings(who)
		v.Months = append(v.Months, historyBriefRow{Label: m, Edits: n, Who: cutList(who, 4)})
	}
	sort.Slice(v.Months, func(i, j int) bool { return v.Months[i].Label > v.Months[j].Label })
	for k, n := range kinds {
		label := entityWords[k]
		if label == "" {
			label = strings.ReplaceAll(k, "_", " ")
		}
		v.Kinds = append(v.Kinds, historyBriefRow{Label: label, Edits: n})
	}
	sort.Slice(v.Kinds, func(i, j int) bool {
		if v.Kinds[i].Edits != v.Kinds[j].Edits {
			return v.Kinds[i].Edits > v.Kinds[j].Edits
		}
		return v.Kinds[i].Label < v.Kinds[j].Label
	})
	return v
}

// docsLimit cuts the documented information list for the body.
func (s docsStandard) MissingBody() []docsItem {
	if len(s.Missing) > actionsBodyLimit {
		return s.Missing[:actionsBodyLimit]
	}
	return s.Missing
}

// docsLong reports whether the annex lists documents the body does not.
func docsLong(v docsView) bool {
	for _, s := range v.Standards {
		if len(s.Missing) > actionsBodyLimit {
			return true
		}
	}
	return false
}

const annexHTML = `{{define "actions"}}<section id="actions">
<h2>Action plan</h2>
{{if .All}}<p><strong>{{len .All}} open actions</strong> ({{.ByKind}}){{if .Overdue}}; <span class="overdue">{{.Overdue}} overdue</span>{{end}}. Overdue means past its date on {{.AtDate}}.{{if .Long}} The most urgent below; the whole plan is in the annex.{{end}}</p>
{{if .Urgent}}<table>
<thead><tr><th>Item</th><th>What</th><th>State</th><th>Owner</th><th class="num">Target date</th></tr></thead>
<tbody>
{{range .Urgent}}{{template "action-row" .}}{{end}}</tbody>
</table>{{end}}
{{else}}<p>No open gap or treatment.</p>{{end}}
</section>{{end}}
{{define "action-row"}}<tr><td><span class="tag">{{.Kind}}</span> {{.Item}}</td><td>{{.Title}}{{if .Detail}}<br><span class="muted">{{.Detail}}</span>{{end}}</td><td>{{.State}}</td><td>{{if .Owner}}{{.Owner}}{{else}}<span class="muted">unassigned</span>{{end}}</td><td class="num{{if .Overdue}} overdue{{end}}">{{if .Due}}{{.Due}}{{if .Overdue}} (overdue){{end}}{{else}}—{{end}}</td></tr>
{{end}}
{{define "actions-annex"}}{{if .Long}}<section id="annex-actions">
<h2>Annex: action plan</h2>
<p class="muted">Every open gap and treatment step, earliest target date first; undated ones last.</p>
<table>
<thead><tr><th>Item</th><th>What</th><th>State</th><th>Owner</th><th class="num">Target date</th></tr></thead>
<tbody>
{{range .All}}{{template "action-row" .}}{{end}}</tbody>
</table>
</section>{{end}}{{end}}
{{define "docs-body"}}{{if .Standards}}<section id="documented-information">
<h2>Mandatory documented information</h2>
<p class="muted">The requirements that ask for documented information: a <em>document</em> kept current, or a <em>record</em> kept as evidence. Listed: those not yet implemented with valid evidence attached.</p>
{{range .Standards}}<h3>{{.Name}}</h3>
<p>{{.Summary}}</p>
{{if .Missing}}<table>
<thead><tr><th>Requirement</th><th>Documented information</th><th>Status</th><th>Evidence</th></tr></thead>
<tbody>
{{range .MissingBody}}<tr><td>{{.Item}}<br><span class="muted">{{.Title}}</span></td><td>{{range .Docs}}<span class="tag">{{.Kind}}</span> {{.Note}}<br>{{end}}</td><td>{{.Status}}</td><td>{{.Evidence}}</td></tr>
{{end}}</tbody>
</table>{{if gt (len .Missing) (len .MissingBody)}}<p class="muted">The first {{len .MissingBody}} of {{len .Missing}}; all are in the annex.</p>{{end}}
{{else}}<p>Every required document is implemented and evidenced.</p>{{end}}
{{end}}</section>{{end}}{{end}}
{{define "docs-annex"}}<section id="annex-documented-information">
<h2>Annex: documented information still missing</h2>
{{range .Standards}}{{if gt (len .Missing) (len .MissingBody)}}<h3>{{.Name}} ({{len .Missing}})</h3>
<table>
<thead><tr><th>Requirement</th><th>Documented information</th><th>Status</th><th>Evidence</th></tr></thead>
<tbody>
{{range .Missing}}<tr><td>{{.Item}}<br><span class="muted">{{.Title}}</span></td><td>{{range .Docs}}<span class="tag">{{.Kind}}</span> {{.Note}}<br>{{end}}</td><td>{{.Status}}</td><td>{{.Evidence}}</td></tr>
{{end}}</tbody>
</table>{{end}}{{end}}
</section>{{end}}
{{define "history-annex"}}{{if .Total}}<section id="annex-history">
<h2>Annex: change history in brief</h2>
<p>{{.Total}} recorded edits by {{plural .Authors "person" "people"}}. Every edit, with its hash chain, is in change-history.csv.</p>
<div class="cols"><table>
<thead><tr><th>Month</th><th class="num">Edits</th><th>By</th></tr></thead>
<tbody>{{range .Months}}<tr><td>{{.Label}}</td><td class="num">{{.Edits}}</td><td>{{.Who}}</td></tr>
{{end}}</tbody></table>
<table>
<thead><tr><th>What was edited</th><th class="num">Edits</th></tr></thead>
<tbody>{{range .Kinds}}<tr><td>{{.Label}}</td><td class="num">{{.Edits}}</td></tr>
{{end}}</tbody></table></div>
</section>{{end}}{{end}}
`

func actionRows(as []Action) [][]string {
	rows := make([][]string, len(as))
	for i, a := range as {
		due := firstNonEmpty(a.Due, "—")
		if a.Overdue {
			due += " (overdue)"
		}
		what := a.Title
		if a.Detail != "" {
			what += "\n" + a.Detail
		}
		rows[i] = []string{a.Item, what, a.State, firstNonEmpty(a.Owner, "unassigned"), due}
	}
	return rows
}

var actionWidths = func(w float64) []float64 { return []float64{28, 76, 26, 26, w - 156} }

// actionsPDF prints the action plan's summary and most urgent lines.
func actionsPDF(p *pdfDoc, v actionsView) {
	p.heading("Action plan")
	if len(v.All) == 0 {
		p.para(10, "", "No open gap or treatment.")
		return
	}
	text := fmt.Sprintf("%d open actions (%s); %d overdue. Overdue means past its date on %s.", len(v.All), v.ByKind, v.Overdue, v.AtDate)
	if v.Long() {
		text += " The most urgent below; the whole plan is in the annex."
	}
	p.para(9.5, "", text)
	if len(v.Urgent) > 0 {
		p.table([]string{"Item", "What", "State", "Owner", "Target date"}, actionWidths(p.w), actionRows(v.Urgent))
	}
}

// docsBodyPDF prints the documented information checklist with the first lines.
func docsBodyPDF(p *pdfDoc, v docsView) {
	if len(v.Standards) == 0 {
		return
	}
	p.heading("Mandatory documented information")
	p.SetTextColor(87, 96, 106)
	p.para(8.5, "", "The requirements that ask for documented information: a document kept current, or a record kept as evidence. Listed: those not yet implemented with valid evidence attached.")
	p.SetTextColor(31, 35, 40)
	for _, s := range v.Standards {
		p.Ln(2)
		p.para(10.5, "B", s.Name)
		p.para(9, "", s.Summary())
		if len(s.Missing) == 0 {
			continue
		}
		docsTablePDF(p, s.MissingBody())
		if len(s.Missing) > actionsBodyLimit {
			p.para(8, "", fmt.Sprintf("The first %d of %d; all are in the annex.", actionsBodyLimit, len(s.Missing)))
		}
	}
}

func docsTablePDF(p *pdfDoc, items []docsItem) {
	rows := make([][]string, len(items))
	for i, m := range items {
		docs := make([]string, len(m.Docs))
		for j, d := range m.Docs {
			docs[j] = d.Kind + ": " + d.Note
		}
		rows[i] = []string{m.Item + "\n" + m.Title, strings.Join(docs, "\n"), m.Status, m.Evidence}
	}
	p.table([]string{"Requirement", "Documented information", "Status", "Evidence"}, []float64{46, 82, 26, p.w - 154}, rows)
}

// annexPDF prints the annex: every long list whole.
func annexPDF(p *pdfDoc, v reportView) {
	if v.ActionsView.Long() {
		p.AddPage()
		p.heading("Annex: action plan")
		p.SetTextColor(87, 96, 106)
		p.para(8.5, "", "Every open gap and treatment step, earliest target date first; undated ones last.")
		p.SetTextColor(31, 35, 40)
		p.table([]string{"Item", "What", "State", "Owner", "Target date"}, actionWidths(p.w), actionRows(v.ActionsView.All))
	}
	if docsLong(v.Docs) {
		p.heading("Annex: documented information still missing")
		for _, s := range v.Docs.Standards {
			if len(s.Missing) > actionsBodyLimit {
				p.para(10.5, "B", fmt.Sprintf("%s (%d)", s.Name, len(s.Missing)))
				docsTablePDF(p, s.Missing)
				p.Ln(2)
			}
		}
	}
	soaAnnexPDF(p, v.SoAView)
	planAnnexPDF(p, v.Plan)
	if v.parts.HasAI && len(v.parts.AI) > aiBodyLimit {
		p.heading("Annex: AI systems and impact assessments")
		aiTablePDF(p, v.parts.AI)
	}
	h := v.History
	if h.Total == 0 {
		return
	}
	p.heading("Annex: change history in brief")
	p.para(9, "", fmt.Sprintf("%d recorded edits by %s. Every edit, with its hash chain, is in change-history.csv.", h.Total, plural(h.Authors, "person", "people")))
	rows := make([][]string, len(h.Months))
	for i, m := range h.Months {
		rows[i] = []string{m.Label, fmt.Sprint(m.Edits), m.Who}
	}
	p.table([]string{"Month", "Edits", "By"}, []float64{24, 18, p.w - 42}, rows)
	p.Ln(2)
	rows = make([][]string, len(h.Kinds))
	for i, k := range h.Kinds {
		rows[i] = []string{k.Label, fmt.Sprint(k.Edits)}
	}
	p.table([]string{"What was edited", "Edits"}, []float64{60, 20}, rows)
}

const aiBodyLimit = 10

// bodyAI are the AI systems the PDF's body lists when the inventory is long: those whose
// review is overdue or whose assessment is undecided first.
func bodyAI(all []aiLine) []aiLine {
	if len(all) <= aiBodyLimit {
		return all
	}
	urgent := func(a aiLine) bool { return a.Overdue || a.Decision == "—" }
	var out []aiLine
	for _, pass := range []bool{true, false} {
		for _, a := range all {
			if urgent(a) == pass && len(out) < aiBodyLimit {
				out = append(out, a)
			}
		}
	}
	return out
}

func aiTablePDF(p *pdfDoc, ls []aiLine) {
	rows := make([][]string, len(ls))
	for i, a := range ls {
		next := a.NextReview
		if a.Overdue {
			next += " (overdue)"
		}
		act := a.Act
		if a.ActArticles != "" {
			act += " (" + a.ActArticles + ")"
		}
		if a.ActApplies != "" {
			act += ", applies from " + a.ActApplies
		}
		rows[i] = []string{a.Name, a.Role, a.State, a.ClassOrRule(), act, next}
	}
	p.table([]string{"AI system", "Our roles", "Latest assessment", "Impact class", "EU AI Act", "Next review"}, []float64{30, 24, 28, 40, 40, p.w - 162}, rows)
}
