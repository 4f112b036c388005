package auditpack

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

// The report's first page for management: the document control block and the executive
// summary (a verdict per standard, the five recommendations that matter most, the largest
// risks, and what changed since the last pack). Everything is derived from the data.

// controlView is the document control block.
type controlView struct {
	Title, Version, Status, Classification, Distribution string
	Approved, PreparedBy, AsOf, Generator                string
	Final                                                bool
}

func buildControl(d *Data) controlView {
	c := d.Plan.Report
	v := controlView{Title: "Readiness report — " + strings.Join(standardShorts(d), " & "), Status: strings.ToUpper(string(c.EffectiveStatus())),
		Classification: strings.ToUpper(c.Classification.Label()), Distribution: strings.TrimSpace(c.Distribution),
		PreparedBy: firstNonEmpty(d.Engagement.Lead, "not named"), AsOf: d.At.Format("2006-01-02 15:04 UTC"),
		Generator: "annex " + d.Version, Final: c.EffectiveStatus() == assessments.ReportFinal}
	v.Version = c.Version
	if v.Version == "" {
		v.Version = fmt.Sprintf("%d (pack %d of this engagement)", max(1, d.Plan.PackNumber), max(1, d.Plan.PackNumber))
	}
	if v.Distribution == "" {
		v.Distribution = "not set (the engagement team only)"
	}
	switch {
	case c.Approver != "":
		v.Approved = fmt.Sprintf("%s on %s", c.Approver, dateText(c.ApprovedOn))
	default:
		v.Approved = "not yet approved"
	}
	return v
}

func standardShorts(d *Data) []string {
	var out []string
	for _, c := range d.Standards() {
		out = append(out, c.Short)
	}
	return out
}

// verdictLine is one standard's verdict.
type verdictLine struct {
	Standard string
	Verdict  assessments.Verdict
	Why      []string
	Class    string // css: bad, warn, ok
}

// recommendation is one of the top recommendations.
type recommendation struct {
	N                      int
	Title, Why, Owner, Due string
	Overdue                bool
	rank                   int
}

// execView is the executive summary.
type execView struct {
	Verdicts []verdictLine
	Recs     []recommendation
	Largest  []riskLine
	Changes  *changesView
	// Rule says how the verdict is reached, in a sentence.
	Rule string
}

// verdictInputs gathers what one standard's verdict rests on.
func verdictInputs(d *Data, c *catalogs.Catalog, docs map[string]docsStandard, acts []Action) assessments.VerdictInput {
	total, _ := d.Readiness(c)
	in := assessments.VerdictInput{Readiness: total}
	if ds, ok := docs[c.Name]; ok {
		in.DocsRequired, in.DocsDone = ds.Required, ds.Done
	}
	v := d.soaState(c)
	in.SoAApproved, in.SoAOpen = v.Approved != nil, v.OpenTotal
	for _, r := range d.Parts.Risks {
		if riskInStandard(r, c.ID) && r.UnacceptedAboveThreshold(d.Parts.Matrix) {
			in.Unaccepted++
		}
	}
	for _, a := range acts {
		if a.Overdue && slices.Contains(a.standards, c.ID) {
			in.Overdue++
		}
	}
	return in
}

// docsByName is the documented information checklist by standard name.
func docsByName(d *Data) map[string]docsStandard {
	docs := map[string]docsStandard{}
	for _, s := range d.docs().Standards {
		docs[s.Name] = s
	}
	return docs
}

// verdictsOf decides each standard's verdict, in the engagement's order.
func verdictsOf(d *Data, docs map[string]docsStandard, acts []Action) []verdictLine {
	var out []verdictLine
	for _, c := range d.Standards() {
		verdict, why := assessments.VerdictOf(verdictInputs(d, c, docs, acts))
		cls := "warn"
		switch verdict {
		case assessments.NotReady:
			cls = "bad"
		case assessments.ReadyForStage1:
			cls = "ok"
		}
		out = append(out, verdictLine{Standard: c.Name, Verdict: verdict, Why: why, Class: cls})
	}
	return out
}

// exec is the executive summary, built once per pack (the HTML and PDF writers share it).
func (d *Data) exec() execView {
	d.cache.execOnce.Do(func() { d.cache.exec = buildExec(d) })
	return d.cache.exec
}

// snapshot is the pack's snapshot, built once per pack.
func (d *Data) snapshot() *Snapshot {
	d.cache.snapOnce.Do(func() { d.cache.snap = SnapshotOf(d) })
	return d.cache.snap
}

// dataCache holds what several writers of one pack derive from the same data (the HTML and
// PDF reports, the snapshot, the SoA files): derived once, read by all.
type dataCache struct {
	execOnce, snapOnce, actionsOnce, docsOnce, partsOnce sync.Once
	exec                                                 execView
	snap                                                 *Snapshot
	actions                                              []Action
	docs                                                 docsView
	parts                                                partsView
	soaMu                                                sync.Mutex
	soa                                                  map[string]soaState
}

// actions is the action plan (actionPlan), derived once per pack; callers only read it.
func (d *Data) actions() []Action {
	d.cache.actionsOnce.Do(func() { d.cache.actions = actionPlan(d) })
	return d.cache.actions
}

// docs is the documented information checklist, derived once per pack.
func (d *Data) docs() docsView {
	d.cache.docsOnce.Do(func() { d.cache.docs = docChecklist(d) })
	return d.cache.docs
}

// partsView is the parts' report view, derived once per pack.
func (d *Data) partsView() partsView {
	d.cache.partsOnce.Do(func() { d.cache.parts = buildPartsView(d) })
	return d.cache.parts
}

// soaState is where a standard's SoA stands, derived once per pack.
func (d *Data) soaState(c *catalogs.Catalog) soaState {
	d.cache.soaMu.Lock()
	defer d.cache.soaMu.Unlock()
	if v, ok := d.cache.soa[c.ID]; ok {
		return v
	}
	if d.cache.soa == nil {
		d.cache.soa = map[string]soaState{}
	}
	v := soaStateOf(d, c)
	d.cache.soa[c.ID] = v
	return v
}

func buildExec(d *Data) execView {
	var v execView
	docs := docsByName(d)
	acts := d.actions()
	v.Verdicts = verdictsOf(d, docs, acts)
	v.Rule = fmt.Sprintf("Not ready: readiness under %.0f%%, under %.0f%% of the requirements assessed, or under %.0f%% of the required documents implemented with valid evidence. "+
		"Ready for Stage 1: at least %.0f%% readiness, everything assessed, every required document implemented and evidenced, an approved SoA with no open decision, "+
		"no risk above the threshold without acceptance and nothing overdue. Ready with gaps: in between.",
		assessments.VerdictMinReadiness, assessments.VerdictMinAssessed, assessments.VerdictMinDocs, assessments.VerdictStage1Readiness)
	v.Recs = recommendations(d, docs, acts)
	for _, r := range topRisks(d, 5) {
		v.Largest = append(v.Largest, riskLineOf(d, r))
	}
	if prev := d.Plan.Previous; prev != nil {
		v.Changes = &changesView{From: d.Plan.PreviousFrom, Lines: compareSnapshots(prev, d.snapshot())}
		if len(v.Changes.Lines) == 0 {
			v.Changes.Lines = []string{"Nothing that this summary tracks changed: readiness, statuses, SoA versions, risks and actions are as they were."}
		}
	}
	return v
}

// riskLineOf is a risk as the report's tables show it.
func riskLineOf(d *Data, r assessments.Risk) riskLine {
	m := d.Parts.Matrix
	il, ic := scoreLabel(m, r.Inherent)
	rl, rc := scoreLabel(m, r.EffectiveResidual())
	t := "—"
	if r.Treatment != "" {
		t = r.Treatment.Label()
	}
	return riskLine{Ref: r.Ref, Title: r.Title, Owner: r.Owner, Scope: r.Scope.Short(), Status: r.EffectiveStatus().Label(),
		Treatment: t, Inherent: il, Residual: rl, InherentColour: ic, ResidualColour: rc, Stale: r.AcceptanceStale(),
		Unaccepted: r.UnacceptedAboveThreshold(m), Plan: d.planOf(r).Progress()}
}

// owners names up to two people and says when there are more.
func owners(names []string) string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	switch {
	case len(out) == 0:
		return ""
	case len(out) > 2:
		return strings.Join(out[:2], ", ") + " and others"
	}
	return strings.Join(out, ", ")
}

// earliest is the earliest non-empty date.
func earliest(dates []string) string {
	out := ""
	for _, d := range dates {
		if d != "" && (out == "" || d < out) {
			out = d
		}
	}
	return out
}

// recommendations are the five things to do first, most pressing first: residual risks
// above the threshold nobody accepted, overdue actions, missing documented information, the
// SoA, management-system clauses not in place, treatments without a plan, requirements not
// assessed, AI impact assessments to finish.
func recommendations(d *Data, docs map[string]docsStandard, acts []Action) []recommendation {
	var out []recommendation
	lead := d.Engagement.Lead
	m := d.Parts.Matrix
	// 1. Residual risk above the threshold without acceptance.
	var unacc []assessments.Risk
	for _, r := range d.Parts.Risks {
		if r.UnacceptedAboveThreshold(m) {
			unacc = append(unacc, r)
		}
	}
	if len(unacc) > 0 {
		sort.SliceStable(unacc, func(i, j int) bool { return rankOf(m, unacc[i]) > rankOf(m, unacc[j]) })
		var refs, who, due []string
		for _, r := range unacc {
			refs, who, due = append(refs, r.Ref), append(who, r.Owner), append(due, r.ReviewDate)
		}
		out = append(out, recommendation{rank: 1,
			Title: fmt.Sprintf("Decide the residual risk of %s: treat further, or have the risk owner accept it", cutList(refs, 4)),
			Why: fmt.Sprintf("%s above the acceptance threshold (%s) without the owner's acceptance (27001 6.1.3 f).",
				plural(len(unacc), "risk stays", "risks stay"), m.ThresholdName()),
			Owner: owners(who), Due: earliest(due)})
	}
	// 2. Overdue actions.
	var overdue []Action
	for _, a := range acts {
		if a.Overdue {
			overdue = append(overdue, a)
		}
	}
	if len(overdue) > 0 {
		first := overdue[0] // the plan is sorted by date
		var who []string
		for _, a := range overdue {
			who = append(who, a.Owner)
		}
		out = append(out, recommendation{rank: 2, Title: fmt.Sprintf("Catch up the %s, starting with %s %s", plural(len(overdue), "overdue action", "overdue actions"), first.Item, firstLine(first.Title, 60)),
			Why: fmt.Sprintf("The oldest was due on %s.", first.Due), Owner: owners(who), Due: first.Due, Overdue: true})
	}
	for _, c := range d.Standards() {
		// 3. Documented information.
		if ds, ok := docs[c.Name]; ok && len(ds.Missing) > 0 {
			var refs, who, due []string
			for _, it := range ds.Missing {
				refs = append(refs, strings.TrimPrefix(it.Item, c.Short+" "))
				r := d.Result(c.ID, strings.TrimPrefix(it.Item, c.Short+" "))
				who, due = append(who, r.Owner), append(due, r.TargetDate)
			}
			out = append(out, recommendation{rank: 3, Title: fmt.Sprintf("Write, approve and evidence the %s of %s (%s)", plural(len(ds.Missing), "missing required document", "missing required documents"), c.Short, cutList(refs, 4)),
				Why:   fmt.Sprintf("%d of %d requirements that ask for documented information %s implemented with valid evidence; a Stage 1 audit reviews them first.", ds.Done, ds.Required, assessments.IsAre(ds.Done)),
				Owner: firstNonEmpty(owners(who), lead), Due: firstNonEmpty(earliest(due), d.Engagement.EndDate)})
		}
	}
	for _, c := range d.Standards() {
		// 4. The Statement of Applicability.
		v := d.soaState(c)
		if v.Approved != nil && v.OpenTotal == 0 && len(v.SinceApproved) == 0 {
			continue
		}
		title := fmt.Sprintf("Decide the open controls of the %s Statement of Applicability and approve it", c.Short)
		why := fmt.Sprintf("Open: %s. No version is approved yet.", v.openText())
		switch {
		case v.OpenTotal == 0 && v.Approved == nil:
			title, why = fmt.Sprintf("Approve the %s Statement of Applicability", c.Short), "Every control is decided; no version is approved yet."
		case v.OpenTotal == 0:
			title = fmt.Sprintf("Issue and approve a new version of the %s Statement of Applicability", c.Short)
			why = fmt.Sprintf("%s changed since v%d was approved.", plural(len(v.SinceApproved), "control", "controls"), v.Approved.Version)
		case v.Approved != nil:
			title = fmt.Sprintf("Decide the open controls of the %s Statement of Applicability and approve v%d", c.Short, v.Approved.Version+1)
			why = fmt.Sprintf("v%d is approved but leaves open: %s.", v.Approved.Version, v.openText())
		}
		out = append(out, recommendation{rank: 4, Title: title, Why: why, Owner: lead, Due: d.Engagement.EndDate})
	}
	for _, c := range d.Standards() {
		// 5. Management-system clauses not in place.
		var refs, who, due []string
		for _, req := range c.Requirements {
			if req.Kind != catalogs.KindClause {
				continue
			}
			r := d.Result(c.ID, req.Ref)
			if st := r.EffectiveStatus(); st == assessments.NotImplemented || st == assessments.Partial {
				refs, who, due = append(refs, req.Ref), append(who, r.Owner), append(due, r.TargetDate)
			}
		}
		if len(refs) > 0 {
			out = append(out, recommendation{rank: 5, Title: fmt.Sprintf("Put the %s management-system clauses in place: %s", c.Short, cutList(refs, 5)),
				Why:   fmt.Sprintf("%s of clauses 4 to 10 %s not or partly implemented; certification needs all of them.", plural(len(refs), "requirement", "requirements"), isAre(len(refs))),
				Owner: firstNonEmpty(owners(who), lead), Due: earliest(due)})
		}
	}
	// 6. Treatments without a plan.
	var noPlan, who []string
	for _, r := range d.Parts.Risks {
		if d.planOf(r).Missing {
			noPlan, who = append(noPlan, r.Ref), append(who, r.Owner)
		}
	}
	if len(noPlan) > 0 {
		out = append(out, recommendation{rank: 6, Title: fmt.Sprintf("Plan the treatment of %s: actions with owner, resources and due date", cutList(noPlan, 4)),
			Why:   fmt.Sprintf("%s treated \"modify\" %s no action planned (27001 6.1.3 e, 6.2).", plural(len(noPlan), "risk", "risks"), hasHave(len(noPlan))),
			Owner: owners(who)})
	}
	for _, c := range d.Standards() {
		// 7. Requirements nobody assessed.
		total, _ := d.Readiness(c)
		if n := total.Counts[assessments.NotAssessed]; n > 0 {
			out = append(out, recommendation{rank: 7, Title: fmt.Sprintf("Assess the %s of %s", plural(n, "remaining requirement", "remaining requirements"), c.Short),
				Why: fmt.Sprintf("%.0f%% of %d requirements are assessed.", total.AssessedPercent(), total.Total), Owner: lead, Due: d.Engagement.EndDate})
		}
	}
	// 8. AI impact assessments to finish.
	for _, a := range acts {
		if a.Kind == "impact" && !a.Overdue {
			out = append(out, recommendation{rank: 8, Title: a.Title + ": " + a.Item, Why: "42001 6.1.4 and 8.4 ask for an assessed and decided impact for each AI system.", Owner: a.Owner, Due: a.Due})
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].rank < out[j].rank })
	if len(out) > 5 {
		out = out[:5]
	}
	for i := range out {
		out[i].N = i + 1
		out[i].Overdue = out[i].Overdue || assessments.Overdue(out[i].Due, d.At)
	}
	return out
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func hasHave(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}

// rankOf orders risks by residual level, then score.
func rankOf(m assessments.Matrix, r assessments.Risk) int {
	s := r.EffectiveResidual()
	if l, ok := m.LevelOf(s); ok {
		return l.Index*100 + s.Likelihood*s.Consequence
	}
	return -1
}

// execHTML is the document control block and the executive summary (parsed with reportHTML).
const execHTML = `{{define "control"}}<table class="control" aria-label="Document control">
<tbody>
<tr><th>Document</th><td>{{.Title}}</td><th>Status</th><td><strong class="{{if .Final}}ok{{else}}overdue{{end}}">{{.Status}}</strong></td></tr>
<tr><th>Version</th><td>{{.Version}}</td><th>Classification</th><td><strong>{{.Classification}}</strong></td></tr>
<tr><th>Prepared by</th><td>{{.PreparedBy}}</td><th>Approved by</th><td>{{.Approved}}</td></tr>
<tr><th>Distribution</th><td colspan="3" class="pre">{{.Distribution}}</td></tr>
<tr><th>State of the workspace</th><td colspan="3">{{.AsOf}} · made by {{.Generator}}</td></tr>
</tbody></table>{{end}}
{{define "exec"}}<section id="executive-summary">
<h2>Executive summary</h2>
<div class="verdicts">{{range .Verdicts}}<div class="verdict {{.Class}}"><div class="label">{{.Standard}}</div><div class="big">{{.Verdict}}</div>
<ul>{{range .Why}}<li>{{.}}</li>{{end}}</ul></div>{{end}}</div>
<p class="muted small">{{.Rule}}</p>
{{if .Recs}}<h3>What to do first</h3>
<table class="recs">
<thead><tr><th class="num">#</th><th>Recommendation</th><th>Owner</th><th class="num">By</th></tr></thead>
<tbody>{{range .Recs}}<tr><td class="num">{{.N}}</td><td><strong>{{.Title}}</strong><br><span class="muted">{{.Why}}</span></td><td>{{if .Owner}}{{.Owner}}{{else}}<span class="muted">unassigned</span>{{end}}</td><td class="num{{if .Overdue}} overdue{{end}}">{{if .Due}}{{.Due}}{{if .Overdue}} (overdue){{end}}{{else}}—{{end}}</td></tr>
{{end}}</tbody></table>{{end}}
{{if .Largest}}<h3>Largest risks</h3>
<table>
<thead><tr><th>Ref</th><th>Risk</th><th>Owner</th><th>Residual</th><th>Treatment plan</th></tr></thead>
<tbody>{{range .Largest}}<tr><td>{{.Ref}}</td><td>{{.Title}}{{if .Stale}} <span class="overdue">(acceptance stale)</span>{{else if .Unaccepted}} <span class="overdue">(above the threshold, not accepted)</span>{{end}}</td><td>{{if .Owner}}{{.Owner}}{{else}}<span class="muted">unassigned</span>{{end}}</td>
<td><span class="tag" style="border-color:{{.ResidualColour}}">{{.Residual}}</span></td><td>{{.Treatment}}: {{.Plan}}</td></tr>
{{end}}</tbody></table>{{end}}
<h3>Since the last pack</h3>
{{if .Changes}}<p class="muted">Compared with {{.Changes.From}}.</p>
<ul>{{range .Changes.Lines}}<li>{{.}}</li>{{end}}</ul>
{{else}}<p class="muted">This is the first pack of this engagement recorded in the workspace; the next one will say what changed.</p>{{end}}
</section>{{end}}
`

// controlPDF prints the document control block.
func controlPDF(p *pdfDoc, c controlView) {
	p.Ln(3)
	rows := [][2]string{{"Document", c.Title}, {"Version", c.Version}, {"Status", c.Status}, {"Classification", c.Classification},
		{"Prepared by", c.PreparedBy}, {"Approved by", c.Approved}, {"Distribution", c.Distribution}, {"State of the workspace", c.AsOf + " · made by " + c.Generator}}
	p.SetDrawColor(208, 215, 222)
	for _, r := range rows {
		p.SetFont(pdfFont, "B", 8.5)
		x, y := p.GetXY()
		p.SetFillColor(246, 248, 250)
		p.CellFormat(40, 5.2, p.tr(r[0]), "1", 0, "L", true, 0, "")
		p.SetFont(pdfFont, "", 8.5)
		if r[0] == "Status" || r[0] == "Classification" {
			p.SetFont(pdfFont, "B", 8.5)
		}
		p.SetXY(x+40, y)
		p.MultiCell(p.w-40, 5.2, p.tr(strings.ReplaceAll(r[1], "\n", "; ")), "1", "L", false)
	}
}

// execPDF prints the executive summary.
func execPDF(p *pdfDoc, v execView) {
	p.heading("Executive summary")
	for _, vl := range v.Verdicts {
		r, g, b := 46, 125, 50
		switch vl.Class {
		case "bad":
			r, g, b = 198, 40, 40
		case "warn":
			r, g, b = 176, 106, 0
		}
		p.SetFont(pdfFont, "B", 11)
		p.SetTextColor(31, 35, 40)
		p.CellFormat(70, 6, p.tr(vl.Standard), "", 0, "L", false, 0, "")
		p.SetTextColor(r, g, b)
		p.CellFormat(p.w-70, 6, p.tr(strings.ToUpper(string(vl.Verdict))), "", 1, "L", false, 0, "")
		p.SetTextColor(87, 96, 106)
		p.para(8.5, "", "Because: "+strings.Join(vl.Why, "; ")+".")
		p.Ln(1)
	}
	p.SetTextColor(87, 96, 106)
	p.para(7.5, "", v.Rule)
	p.SetTextColor(31, 35, 40)
	if len(v.Recs) > 0 {
		p.Ln(2)
		subheading(p, "What to do first")
		rows := make([][]string, len(v.Recs))
		for i, r := range v.Recs {
			due := firstNonEmpty(r.Due, "—")
			if r.Overdue && r.Due != "" {
				due += " (overdue)"
			}
			rows[i] = []string{fmt.Sprint(r.N), r.Title + "\n" + r.Why, firstNonEmpty(r.Owner, "unassigned"), due}
		}
		p.table([]string{"#", "Recommendation", "Owner", "By"}, []float64{7, 115, 32, p.w - 154}, rows)
	}
	if len(v.Largest) > 0 {
		p.Ln(2)
		subheading(p, "Largest risks")
		rows := make([][]string, len(v.Largest))
		for i, r := range v.Largest {
			title := r.Title
			if r.Stale {
				title += " (acceptance stale)"
			} else if r.Unaccepted {
				title += " (above the threshold, not accepted)"
			}
			rows[i] = []string{r.Ref, title, firstNonEmpty(r.Owner, "unassigned"), r.Residual, r.Treatment + ": " + r.Plan}
		}
		p.table([]string{"Ref", "Risk", "Owner", "Residual", "Treatment plan"}, []float64{15, 73, 30, 28, p.w - 146}, rows)
	}
	p.Ln(2)
	subheading(p, "Since the last pack")
	if v.Changes == nil {
		p.para(9, "", "This is the first pack of this engagement recorded in the workspace; the next one will say what changed.")
		return
	}
	p.SetTextColor(87, 96, 106)
	p.para(8.5, "", "Compared with "+v.Changes.From+".")
	p.SetTextColor(31, 35, 40)
	for _, l := range v.Changes.Lines {
		p.para(9, "", "- "+l)
	}
}

// markPages prints the classification and status at the top of every PDF page.
func markPages(p *pdfDoc, c controlView) {
	p.SetHeaderFunc(func() {
		p.SetY(7)
		p.SetFont(pdfFont, "B", 7.5)
		p.SetTextColor(198, 40, 40)
		p.CellFormat(p.w/2, 4, p.tr(c.Classification), "", 0, "L", false, 0, "")
		p.CellFormat(p.w/2, 4, p.tr(c.Status), "", 0, "R", false, 0, "")
		p.SetTextColor(31, 35, 40)
		p.SetY(16)
	})
}

// subheading prints a bold title, on a new page when less than a title and a few table
// rows would fit, so a title never ends a page alone.
func subheading(p *pdfDoc, text string) {
	p.ensure(24)
	p.para(10.5, "B", text)
}
