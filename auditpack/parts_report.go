package auditpack

import (
	"bytes"
	"fmt"
	"html/template"
	"sort"
	"strings"
	"sync"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

// levelColours are the report's colours for the five-step level palette (low to high).
var levelColours = [5]string{"#2e7d32", "#7cb342", "#f0a202", "#ef6c00", "#c62828"}

// heatCell is one drawn cell of a heat map.
type heatCell struct {
	X, Y   int
	Colour string
	Count  int
	Dark   bool
}

type heatView struct {
	Title      string
	Size       int
	W, H       int
	Cells      []heatCell
	LikeLabels []axisLabel
	ConsLabels []axisLabel
	Total      int
}

type axisLabel struct {
	X, Y int
	Text string
}

const heatCellPx = 46

func heatViewOf(m assessments.Matrix, h HeatMap) heatView {
	left, top := 110, 10
	v := heatView{Title: h.Title, Size: m.Size, Total: h.Total, W: left + m.Size*heatCellPx + 10, H: top + m.Size*heatCellPx + 46}
	for l := m.Size; l >= 1; l-- {
		y := top + (m.Size-l)*heatCellPx
		v.LikeLabels = append(v.LikeLabels, axisLabel{X: left - 6, Y: y + heatCellPx/2 + 4, Text: firstLine(m.LikelihoodLabels[l-1], 16)})
		for c := 1; c <= m.Size; c++ {
			colour := "#eeeeee"
			dark := false
			if lv, ok := m.Level(l, c); ok {
				colour = levelColours[lv.Colour()]
				dark = lv.Colour() != 2
			}
			v.Cells = append(v.Cells, heatCell{X: left + (c-1)*heatCellPx, Y: y, Colour: colour, Count: h.Counts[l-1][c-1], Dark: dark})
		}
	}
	for c := 1; c <= m.Size; c++ {
		v.ConsLabels = append(v.ConsLabels, axisLabel{X: left + (c-1)*heatCellPx + heatCellPx/2, Y: top + m.Size*heatCellPx + 14, Text: firstLine(m.ConsequenceLabels[c-1], 12)})
	}
	return v
}

type riskLine struct {
	Ref, Title, Owner, Scope, Status, Treatment string
	Inherent, Residual                          string
	InherentColour, ResidualColour              string
	Stale                                       bool
	// Unaccepted: above the acceptance threshold with no acceptance for its residual;
	// Plan: the treatment plan's progress ("1 of 3 actions done").
	Unaccepted bool
	Plan       string
}

type aiLine struct {
	Name, Role, Stage, State, Class, Decision, NextReview string
	ClassRule                                             string // the rule that set the class
	Act, ActArticles, ActApplies, ActState                string // the EU AI Act classification (parts_aiact.go)
	Overdue                                               bool
	Personal                                              bool
}

type partsView struct {
	Risks       []riskLine
	RiskTotal   int
	Heat        []heatView
	Threshold   string
	AI          []aiLine
	ClassRules  []assessments.ClassRule
	Evidence    evidenceView
	HasRisks    bool
	HasAI       bool
	HasEvidence bool
}

type evidenceView struct {
	Items, Expired, Expiring, Changed, Missing, Files int
	Unevidenced                                       []string
}

// topRisks are the open risks with the highest residual level, then inherent level.
func topRisks(d *Data, n int) []assessments.Risk {
	m := d.Parts.Matrix
	var open []assessments.Risk
	for _, r := range d.Parts.Risks {
		if r.EffectiveStatus() != assessments.RiskClosed {
			open = append(open, r)
		}
	}
	rank := func(s assessments.Score) int {
		if l, ok := m.LevelOf(s); ok {
			return l.Index*100 + s.Likelihood*s.Consequence
		}
		return -1
	}
	sort.SliceStable(open, func(i, j int) bool {
		ri, rj := rank(open[i].EffectiveResidual()), rank(open[j].EffectiveResidual())
		if ri != rj {
			return ri > rj
		}
		return rank(open[i].Inherent) > rank(open[j].Inherent)
	})
	if len(open) > n {
		open = open[:n]
	}
	return open
}

func scoreLabel(m assessments.Matrix, s assessments.Score) (string, string) {
	name, col := levelOf(m, s)
	if col < 0 {
		return "—", "#eeeeee"
	}
	return fmt.Sprintf("%s (%d×%d)", name, s.Likelihood, s.Consequence), levelColours[col]
}

func buildPartsView(d *Data) partsView {
	p := d.Parts
	v := partsView{HasRisks: len(p.Risks) > 0, HasAI: len(p.AISystems) > 0, HasEvidence: len(p.Evidence) > 0, RiskTotal: len(p.Risks), ClassRules: assessments.ClassRules}
	if v.HasRisks {
		for _, h := range heatMaps(d) {
			v.Heat = append(v.Heat, heatViewOf(p.Matrix, h))
		}
		v.Threshold = p.Matrix.ThresholdName()
		for _, r := range topRisks(d, 10) {
			v.Risks = append(v.Risks, riskLineOf(d, r))
		}
	}
	for _, sys := range p.AISystems {
		latest, inForce := p.latest(sys.ID)
		line := aiLine{Name: sys.Name, Role: assessments.RolesLabel(sys.Roles), Stage: sys.Stage.Label(), State: "not assessed", Class: "—", Decision: "—", NextReview: "—", Personal: sys.PersonalData}
		shown, _ := p.classificationOf(sys.ID)
		line.Act, line.ActArticles, line.ActApplies, line.ActState = aiActLine(catalogs.MustEUAIAct(), shown)
		if latest != nil {
			line.State = fmt.Sprintf("v%d %s", latest.Version, latest.State().Label())
			line.Class = latest.Class().Label()
			line.ClassRule = latest.ClassExplained()
			if latest.Frozen() {
				line.Decision = fmt.Sprintf("%s, %s", latest.Approver, latest.DecisionDate)
			}
		}
		if inForce != nil {
			line.NextReview = orDash(inForce.NextReview())
			line.Overdue = inForce.ReviewOverdue(d.At)
		}
		v.AI = append(v.AI, line)
	}
	for _, e := range p.Evidence {
		v.Evidence.Items++
		switch e.StateAt(d.At) {
		case assessments.StateExpired:
			v.Evidence.Expired++
		case assessments.StateExpiring:
			v.Evidence.Expiring++
		}
		switch e.Integrity {
		case assessments.IntegrityChanged:
			v.Evidence.Changed++
		case assessments.IntegrityMissing:
			v.Evidence.Missing++
		}
	}
	v.Evidence.Files = len(p.Blobs)
	for _, c := range d.Standards() {
		ev, _ := assessments.EvidencedByGroup(c, d.Results[c.ID], p.Evidence, d.At)
		if ev.Implemented > 0 {
			v.Evidence.Unevidenced = append(v.Evidence.Unevidenced, fmt.Sprintf("%s: %d of %d implemented requirements have valid evidence (%.0f%%)",
				c.Short, ev.Evidenced, ev.Implemented, ev.Percent()))
		}
	}
	return v
}

// partsTemplate is parsed the first time a report is written, not at every start of the
// binary (the workbench never writes one).
var partsTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("parts").Funcs(reportFuncs).Parse(partsHTML))
})

const partsHTML = `
{{if .HasRisks}}<section id="risks">
<h2>Risks</h2>
<p class="muted">{{.RiskTotal}} risks in the register; closed risks are left out of the heat maps. Residual falls back to inherent for risks not yet re-scored.{{if .Threshold}} Acceptance threshold: {{.Threshold}}.{{end}}</p>
{{range .Heat}}<div class="heat"><h3>{{.Title}} ({{.Total}})</h3>
<svg width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="{{.Title}} heat map">
{{range .Cells}}<rect x="{{.X}}" y="{{.Y}}" width="45" height="45" fill="{{.Colour}}" stroke="#fff"/>{{if .Count}}<text x="{{add .X 22}}" y="{{add .Y 28}}" text-anchor="middle" font-size="15" font-weight="700" fill="{{if .Dark}}#fff{{else}}#1f2328{{end}}">{{.Count}}</text>{{end}}
{{end}}{{range .LikeLabels}}<text x="{{.X}}" y="{{.Y}}" text-anchor="end" font-size="11" fill="#57606a">{{.Text}}</text>
{{end}}{{range .ConsLabels}}<text x="{{.X}}" y="{{.Y}}" text-anchor="middle" font-size="10" fill="#57606a">{{.Text}}</text>
{{end}}<text x="{{add 110 0}}" y="{{add .H -6}}" font-size="11" fill="#57606a">consequence →   (likelihood ↑)</text>
</svg></div>{{end}}
<h3>Top risks</h3>
<table>
<thead><tr><th>Ref</th><th>Risk</th><th>Scope</th><th>Owner</th><th>Inherent</th><th>Residual</th><th>Treatment</th><th>Status</th></tr></thead>
<tbody>
{{range .Risks}}<tr><td>{{.Ref}}</td><td>{{.Title}}</td><td>{{.Scope}}</td><td>{{if .Owner}}{{.Owner}}{{else}}<span class="muted">unassigned</span>{{end}}</td>
<td><span class="tag" style="border-color:{{.InherentColour}}">{{.Inherent}}</span></td><td><span class="tag" style="border-color:{{.ResidualColour}}">{{.Residual}}</span></td>
<td>{{.Treatment}}</td><td>{{.Status}}{{if .Stale}} <span class="overdue">(acceptance stale)</span>{{else if .Unaccepted}} <span class="overdue">(not accepted)</span>{{end}}</td></tr>
{{end}}</tbody></table>
</section>{{end}}
{{if .HasAI}}<section id="ai">
<h2>AI systems and impact assessments</h2>
<table>
<thead><tr><th>AI system</th><th>Our roles</th><th>Stage</th><th>Latest assessment</th><th>Impact class</th><th>EU AI Act</th><th>Decision</th><th class="num">Next review</th></tr></thead>
<tbody>
{{range .AI}}<tr><td>{{.Name}}{{if .Personal}} <span class="tag">personal data</span>{{end}}</td><td>{{.Role}}</td><td>{{.Stage}}</td><td>{{.State}}</td><td>{{.Class}}{{if .ClassRule}}<br><span class="muted">{{.ClassRule}}</span>{{end}}</td><td>{{.Act}}{{if .ActArticles}}<br><span class="muted">{{.ActArticles}}</span>{{end}}{{if .ActApplies}}<br><span class="muted">applies from {{.ActApplies}}</span>{{end}}{{if .ActState}}<br><span class="muted">{{.ActState}}</span>{{end}}</td><td>{{.Decision}}</td><td class="num{{if .Overdue}} overdue{{end}}">{{.NextReview}}{{if .Overdue}} (overdue){{end}}</td></tr>
{{end}}</tbody></table>
<p class="muted">Every version of every assessment is in impact-assessments/ and every EU AI Act classification in eu-ai-act/, as Markdown.</p>
<h3>How the impact class is set</h3>
<p class="muted">A harm's class after its measures follows the first of these rules that holds; C7 then raises a harm that reaches society at large. The class of an assessment is that of its worst harm, and stays unsettled while an area is not assessed or a harm is not fully rated.</p>
<table><thead><tr><th>Rule</th><th>Class</th><th>When</th><th>Why</th></tr></thead><tbody>
{{range .ClassRules}}<tr><td>{{.ID}}</td><td>{{if .Class}}{{.Class}}{{else}}one higher{{end}}</td><td>{{.When}}</td><td>{{.Why}}</td></tr>
{{end}}</tbody></table>
</section>{{end}}
{{if .HasEvidence}}<section id="evidence">
<h2>Evidence</h2>
<p>{{plural .Evidence.Items "evidence item" "evidence items"}}{{if .Evidence.Files}}, {{plural .Evidence.Files "file" "files"}} included in evidence/{{end}}.
{{if .Evidence.Expired}}<span class="overdue">{{.Evidence.Expired}} expired.</span> {{end}}{{if .Evidence.Expiring}}{{.Evidence.Expiring}} expiring within 30 days. {{end}}
{{if .Evidence.Changed}}<span class="overdue">{{plural .Evidence.Changed "file" "files"}} changed since attached.</span> {{end}}{{if .Evidence.Missing}}<span class="overdue">{{plural .Evidence.Missing "file" "files"}} missing.</span>{{end}}</p>
{{range .Evidence.Unevidenced}}<p class="muted">{{.}}</p>{{end}}
<p class="muted">The evidence index (evidence-index.csv) lists each item with its SHA-256 and what it supports.</p>
</section>{{end}}
`

// renderParts renders the parts' report sections (escaped by html/template).
func renderParts(d *Data) (template.HTML, error) {
	var buf bytes.Buffer
	if err := partsTemplate().Execute(&buf, d.partsView()); err != nil {
		return "", err
	}
	audits, err := auditsReportHTML(d)
	if err != nil {
		return "", err
	}
	return template.HTML(buf.String() + audits), nil
}

// partActions lists open risk treatments and impact assessment reviews for the action plan.
func partActions(d *Data) []Action {
	var out []Action
	out = append(out, planActions(d)...)
	for _, sys := range d.Parts.AISystems {
		latest, inForce := d.Parts.latest(sys.ID)
		switch {
		case latest == nil:
			out = append(out, Action{Kind: "impact", Item: sys.Name, Title: "Assess the impact of the AI system", State: "not assessed", Owner: sys.Owner})
		case latest.State() == assessments.ImpactDraft:
			out = append(out, Action{Kind: "impact", Item: fmt.Sprintf("%s v%d", sys.Name, latest.Version), Title: "Finish and decide the impact assessment", State: "draft", Owner: sys.Owner})
		case inForce != nil && inForce.ReviewOverdue(d.At):
			out = append(out, Action{Kind: "impact", Item: fmt.Sprintf("%s v%d", sys.Name, inForce.Version), Title: "Review the impact assessment", State: "review due",
				Owner: sys.Owner, Due: inForce.NextReview(), Overdue: true})
		}
	}
	return out
}

// partsPDF prints the parts' sections of the PDF report.
func partsPDF(p *pdfDoc, d *Data) {
	v := d.partsView()
	if v.HasRisks {
		p.heading("Risks")
		p.note(8.5, fmt.Sprintf("%d risks in the register; closed risks are left out of the heat maps.", v.RiskTotal))
		m := d.Parts.Matrix
		cell := 9.0
		p.ensure(6 + float64(m.Size)*cell + 12)
		x0, y0 := p.GetXY()
		for i, h := range heatMaps(d) {
			left := x0 + 30 + float64(i)*(float64(m.Size)*cell+48)
			top := y0 + 6
			p.SetFont(pdfFont, "B", 9)
			p.SetXY(left, y0)
			p.CellFormat(float64(m.Size)*cell, 5, p.tr(fmt.Sprintf("%s (%d)", h.Title, h.Total)), "", 0, "L", false, 0, "")
			for l := m.Size; l >= 1; l-- {
				y := top + float64(m.Size-l)*cell
				p.SetFont(pdfFont, "", 6.5)
				p.SetXY(left-28, y)
				p.CellFormat(27, cell, p.tr(firstLine(m.LikelihoodLabels[l-1], 16)), "", 0, "R", false, 0, "")
				for c := 1; c <= m.Size; c++ {
					col := "#eeeeee"
					if lv, ok := m.Level(l, c); ok {
						col = levelColours[lv.Colour()]
					}
					r, g, b := hexRGB(col)
					p.SetFillColor(r, g, b)
					p.SetDrawColor(255, 255, 255)
					p.Rect(left+float64(c-1)*cell, y, cell, cell, "FD")
					if n := h.Counts[l-1][c-1]; n > 0 {
						p.SetFont(pdfFont, "B", 8)
						p.SetTextColor(255, 255, 255)
						p.SetXY(left+float64(c-1)*cell, y)
						p.CellFormat(cell, cell, fmt.Sprint(n), "", 0, "C", false, 0, "")
						p.SetTextColor(31, 35, 40)
					}
				}
			}
		}
		l, _, _, _ := p.GetMargins()
		p.SetXY(l, y0+6+float64(m.Size)*cell+4)
		p.para(7.5, "", "Rows: likelihood, highest at the top. Columns: consequence, highest on the right.")
		p.Ln(2)
		var rows [][]string
		for _, r := range v.Risks {
			state := r.Treatment + ", " + r.Status
			if r.Stale {
				state += " (acceptance stale)"
			} else if r.Unaccepted {
				state += " (not accepted)"
			}
			rows = append(rows, []string{r.Ref, r.Title, firstNonEmpty(r.Owner, "unassigned"), r.Inherent, r.Residual, state})
		}
		p.table([]string{"Ref", "Top risks", "Owner", "Inherent", "Residual", "Treatment"}, []float64{14, 62, 26, 24, 24, p.w - 150}, rows)
	}
	if v.HasAI {
		p.heading("AI systems and impact assessments")
		aiTablePDF(p, bodyAI(v.AI)) // a long inventory is listed whole in the annex
		if len(v.AI) > aiBodyLimit {
			p.para(8, "", fmt.Sprintf("The first %d of %d AI systems, those with a decision or review due first; all are in the annex and in ai-systems.csv.", aiBodyLimit, len(v.AI)))
		}
	}
	if v.HasEvidence {
		p.heading("Evidence")
		e := v.Evidence
		p.para(9.5, "", fmt.Sprintf("%s; %d expired, %d expiring within 30 days; %s changed and %d missing since attached.",
			plural(e.Items, "evidence item", "evidence items"), e.Expired, e.Expiring, plural(e.Changed, "file", "files"), e.Missing))
		for _, u := range e.Unevidenced {
			p.para(9, "", u)
		}
	}
	auditsPDF(p, d)
}

// ---- OSCAL ----

func riskUUID(riskID, std string) string { return UUID5("risk", riskID, std) }

func riskInStandard(r assessments.Risk, std string) bool {
	switch std {
	case catalogs.ISO27001:
		return r.Scope.Security()
	case catalogs.ISO42001:
		return r.Scope.AI()
	}
	for _, c := range r.Controls {
		if c.Standard == std {
			return true
		}
	}
	return false
}

// oscalRisksByControl maps "standard ref" to the OSCAL uuids of the risks treated by it.
func oscalRisksByControl(d *Data) map[string][]string {
	out := map[string][]string{}
	for _, r := range d.Parts.Risks {
		for _, c := range r.Controls {
			if riskInStandard(r, c.Standard) {
				out[c.Standard+" "+c.Ref] = append(out[c.Standard+" "+c.Ref], riskUUID(r.ID, c.Standard))
			}
		}
	}
	return out
}

func oscalRiskStatus(s assessments.RiskStatus) string {
	switch s {
	case assessments.RiskInTreatment:
		return "remediating"
	case assessments.RiskAccepted:
		return "deviation-approved"
	case assessments.RiskClosed:
		return "closed"
	}
	return "open"
}

func oscalRisk(d *Data, r assessments.Risk, std string, origin []oOrigin) oRisk {
	m := d.Parts.Matrix
	facets := func(prefix string, s assessments.Score) []oFacet {
		if !s.Set() {
			return nil
		}
		name, _ := levelOf(m, s)
		return []oFacet{{Name: "likelihood", System: annexNS, Value: fmt.Sprint(s.Likelihood)},
			{Name: "impact", System: annexNS, Value: fmt.Sprint(s.Consequence)},
			{Name: "risk", System: annexNS, Value: orDash(name)}}
	}
	o := oRisk{UUID: riskUUID(r.ID, std), Title: oscalLine(r.Ref + " " + r.Title), Description: oscalText(firstNonEmpty(r.Description, r.Scenario, r.Threat, r.Title)),
		Statement: oscalText(firstNonEmpty(strings.TrimSpace(strings.Join([]string{r.ConsequenceOrg, r.ConsequenceIndividuals, r.ConsequenceSociety}, "\n\n")), "Consequences not described.")),
		Status:    oscalRiskStatus(r.EffectiveStatus()), Origins: origin,
		Props: []oProp{{Name: "ref", NS: annexNS, Value: r.Ref}, {Name: "scope", NS: annexNS, Value: string(r.Scope)}}}
	if r.Owner != "" {
		o.Props = append(o.Props, oProp{Name: "owner", NS: annexNS, Value: r.Owner})
	}
	if f := facets("inherent", r.Inherent); f != nil {
		o.Characterizations = append(o.Characterizations, oCharacterization{Props: []oProp{{Name: "score", NS: annexNS, Value: "inherent"}}, Origin: origin[0], Facets: f})
	}
	if f := facets("residual", r.Residual); f != nil {
		o.Characterizations = append(o.Characterizations, oCharacterization{Props: []oProp{{Name: "score", NS: annexNS, Value: "residual"}}, Origin: origin[0], Facets: f})
	}
	if r.Treatment != "" {
		lifecycle := "planned"
		if r.EffectiveStatus() == assessments.RiskClosed {
			lifecycle = "completed"
		}
		o.Remediations = []oResponse{{UUID: UUID5("treatment", r.ID, std), Lifecycle: lifecycle, Title: oscalLine("Treatment: " + r.Treatment.Label()),
			Description: oscalText(firstNonEmpty(r.TreatmentPlan, "No treatment plan recorded."))}}
	}
	// The deadline is when the treatment plan's open steps are due to be done (the latest of
	// their due dates); without a plan, the risk's review date.
	deadline := r.ReviewDate
	if last := lastOpenDue(d.Plan.Actions[r.ID]); last != "" {
		deadline = last
	}
	if deadline != "" {
		if t, err := assessments.ParseDate(deadline); err == nil {
			o.Deadline = oscalTime(t)
		}
	}
	return o
}

// lastOpenDue is the latest due date of the actions still planned or in progress ("" for
// none).
func lastOpenDue(actions []assessments.TreatmentAction) string {
	last := ""
	for _, a := range actions {
		switch a.EffectiveStatus() {
		case assessments.ActionPlanned, assessments.ActionInProgress:
			if a.DueDate > last {
				last = a.DueDate
			}
		}
	}
	return last
}

// oscalRisks lists the risks of the register relevant to a standard as OSCAL risks.
func oscalRisks(d *Data, std string, origin []oOrigin) []oRisk {
	var out []oRisk
	for _, r := range d.Parts.Risks {
		if riskInStandard(r, std) {
			out = append(out, oscalRisk(d, r, std, origin))
		}
	}
	return out
}

// poamRiskItem is a POA&M item for a risk treatment.
type poamRiskItem struct {
	UUID, Title, Description string
	Props                    []oProp
	RelatedRisks             []oRelatedRisk
}

// oscalPOAMRisks lists the risks with an open treatment and their POA&M items.
func oscalPOAMRisks(d *Data, origin []oOrigin) ([]oRisk, []poamRiskItem) {
	var risks []oRisk
	var items []poamRiskItem
	for _, r := range d.Parts.Risks {
		st := r.EffectiveStatus()
		if st == assessments.RiskClosed || r.Treatment == "" || r.Treatment == assessments.TreatRetain {
			continue
		}
		o := oscalRisk(d, r, "poam", origin)
		risks = append(risks, o)
		it := poamRiskItem{UUID: UUID5("poam-item", r.ID), Title: oscalLine(fmt.Sprintf("Treat %s %s (%s)", r.Ref, r.Title, r.Treatment.Label())),
			Description: oscalText(firstNonEmpty(r.TreatmentPlan, "No treatment plan recorded.")), RelatedRisks: []oRelatedRisk{{RiskUUID: o.UUID}},
			Props: []oProp{{Name: "risk-ref", NS: annexNS, Value: r.Ref}, {Name: "status", NS: annexNS, Value: string(st)}}}
		if r.Owner != "" {
			it.Props = append(it.Props, oProp{Name: "owner", NS: annexNS, Value: r.Owner})
		}
		if r.ReviewDate != "" {
			it.Props = append(it.Props, oProp{Name: "review-date", NS: annexNS, Value: r.ReviewDate})
		}
		for _, c := range r.Controls {
			it.Props = append(it.Props, oProp{Name: "control-id", NS: annexNS, Value: ControlID(c.Standard, c.Ref)})
		}
		// The treatment plan's steps with their own dates: the milestones of this item.
		for _, a := range d.Plan.Actions[r.ID] {
			v := oscalLine(a.Title) + "; " + a.EffectiveStatus().Label()
			if a.DueDate != "" {
				v += "; due " + a.DueDate
			}
			if a.Owner != "" {
				v += "; " + oscalLine(a.Owner)
			}
			it.Props = append(it.Props, oProp{Name: "treatment-action", NS: annexNS, Value: v})
		}
		items = append(items, it)
	}
	return risks, items
}

// ClassOrRule is the class with its rule when there is one.
func (a aiLine) ClassOrRule() string {
	if a.ClassRule != "" {
		return a.ClassRule
	}
	return a.Class
}
