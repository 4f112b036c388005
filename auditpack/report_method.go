package auditpack

import (
	"fmt"

	"github.com/annex-grc/annex/assessments"
)

// The risk method (27001 6.1.2): the scales, the matrix that turns likelihood and
// consequence into a level, and the acceptance threshold, drawn as a picture (an SVG grid
// in the HTML report, drawn cells in the PDF).

type scaleLine struct {
	N     int
	Label string
}

type methodLevel struct {
	Name, Colour string
	Accept       string // "retained without acceptance" or "needs the owner's acceptance"
	Above        bool
}

type methodCell struct {
	X, Y         int
	Colour, Text string
	Dark, Above  bool
}

// methodView is the report's risk method section.
type methodView struct {
	Size                    int
	Likelihood, Consequence []scaleLine
	Levels                  []methodLevel
	Threshold               string
	Cells                   []methodCell
	LikeLabels, ConsLabels  []axisLabel
	W, H                    int
	Default                 bool // the engagement never changed the default matrix
}

const methodCellPx = 64

func buildMethod(d *Data) methodView {
	m := d.Parts.Matrix
	v := methodView{Size: m.Size, Threshold: m.ThresholdName()}
	for i, l := range m.LikelihoodLabels {
		v.Likelihood = append(v.Likelihood, scaleLine{N: i + 1, Label: l})
	}
	for i, l := range m.ConsequenceLabels {
		v.Consequence = append(v.Consequence, scaleLine{N: i + 1, Label: l})
	}
	for i, name := range m.LevelNames {
		lv := assessments.Level{Index: i, Name: name, Of: len(m.LevelNames)}
		ml := methodLevel{Name: name, Colour: levelColours[lv.Colour()], Accept: "may be retained without acceptance"}
		if i > m.Threshold {
			ml.Accept, ml.Above = "needs the owner's acceptance", true
		}
		v.Levels = append(v.Levels, ml)
	}
	left, top := 120, 10
	v.W, v.H = left+m.Size*methodCellPx+12, top+m.Size*methodCellPx+50
	for l := m.Size; l >= 1; l-- {
		y := top + (m.Size-l)*methodCellPx
		v.LikeLabels = append(v.LikeLabels, axisLabel{X: left - 8, Y: y + methodCellPx/2 + 4, Text: fmt.Sprintf("%d %s", l, firstLine(m.LikelihoodLabels[l-1], 14))})
		for c := 1; c <= m.Size; c++ {
			cell := methodCell{X: left + (c-1)*methodCellPx, Y: y, Colour: "#eeeeee"}
			if lv, ok := m.Level(l, c); ok {
				cell.Colour, cell.Text = levelColours[lv.Colour()], lv.Name
				cell.Dark = lv.Colour() != 2
				cell.Above = lv.Index > m.Threshold
			}
			v.Cells = append(v.Cells, cell)
		}
	}
	for c := 1; c <= m.Size; c++ {
		v.ConsLabels = append(v.ConsLabels, axisLabel{X: left + (c-1)*methodCellPx + methodCellPx/2, Y: top + m.Size*methodCellPx + 16,
			Text: fmt.Sprintf("%d %s", c, firstLine(m.ConsequenceLabels[c-1], 11))})
	}
	def := assessments.DefaultMatrix(m.Size)
	v.Default = fmt.Sprint(def) == fmt.Sprint(m)
	return v
}

const methodHTML = `{{define "method"}}<section id="risk-method">
<h2>Risk method</h2>
<p>Each risk is rated for likelihood and consequence on {{.Size}}-point scales; the matrix turns the pair into a risk level. A residual risk up to <strong>{{.Threshold}}</strong> may be retained without an acceptance record; above it, the risk owner accepts the residual risk by name, date and reason, and an acceptance goes stale when the residual changes.{{if .Default}} The engagement uses annex's default {{.Size}}×{{.Size}} matrix.{{end}}</p>
<div class="method">
<svg width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="Risk matrix: levels by likelihood and consequence">
{{range .Cells}}<rect x="{{.X}}" y="{{.Y}}" width="62" height="62" fill="{{.Colour}}" stroke="{{if .Above}}#1f2328{{else}}#fff{{end}}" stroke-width="{{if .Above}}1.5{{else}}2{{end}}"/><text x="{{add .X 31}}" y="{{add .Y 35}}" text-anchor="middle" font-size="10" font-weight="600" fill="{{if .Dark}}#fff{{else}}#1f2328{{end}}">{{.Text}}</text>
{{end}}{{range .LikeLabels}}<text x="{{.X}}" y="{{.Y}}" text-anchor="end" font-size="11" fill="#57606a">{{.Text}}</text>
{{end}}{{range .ConsLabels}}<text x="{{.X}}" y="{{.Y}}" text-anchor="middle" font-size="10" fill="#57606a">{{.Text}}</text>
{{end}}<text x="120" y="{{add .H -8}}" font-size="11" fill="#57606a">consequence →   (likelihood ↑; dark outline: above the threshold)</text>
</svg>
<table class="scales">
<thead><tr><th class="num">#</th><th>Likelihood</th><th>Consequence</th></tr></thead>
<tbody>{{range $i, $l := .Likelihood}}<tr><td class="num">{{$l.N}}</td><td>{{$l.Label}}</td><td>{{with index $.Consequence $i}}{{.Label}}{{end}}</td></tr>
{{end}}</tbody></table>
<table class="scales">
<thead><tr><th>Level</th><th>Retention</th></tr></thead>
<tbody>{{range .Levels}}<tr><td><i class="swatch" style="background:{{.Colour}}"></i>{{.Name}}</td><td{{if .Above}} class="overdue"{{end}}>{{.Accept}}</td></tr>
{{end}}</tbody></table>
</div>
</section>{{end}}
`

// methodPDF prints the risk method with the matrix drawn as cells.
func methodPDF(p *pdfDoc, v methodView) {
	p.heading("Risk method")
	p.para(9, "", fmt.Sprintf("Each risk is rated for likelihood and consequence on %d-point scales; the matrix turns the pair into a risk level. "+
		"A residual risk up to %s may be retained without an acceptance record; above it, the risk owner accepts the residual risk by name, date and reason, "+
		"and an acceptance goes stale when the residual changes.", v.Size, v.Threshold))
	cell := 13.0
	p.ensure(float64(v.Size)*cell + 24)
	p.Ln(2)
	x0, y0 := p.GetXY()
	left := x0 + 34
	for i, c := range v.Cells {
		row, col := i/v.Size, i%v.Size
		x, y := left+float64(col)*cell, y0+float64(row)*cell
		r, g, b := hexRGB(c.Colour)
		p.SetFillColor(r, g, b)
		p.SetDrawColor(255, 255, 255)
		p.SetLineWidth(0.4)
		p.Rect(x, y, cell, cell, "FD")
		if c.Above {
			p.SetDrawColor(31, 35, 40)
			p.SetLineWidth(0.3)
			p.Rect(x+0.4, y+0.4, cell-0.8, cell-0.8, "D")
		}
		p.SetFont(pdfFont, "B", 5.5)
		if c.Dark {
			p.SetTextColor(255, 255, 255)
		} else {
			p.SetTextColor(31, 35, 40)
		}
		p.SetXY(x, y)
		p.CellFormat(cell, cell, p.tr(firstLine(c.Text, 10)), "", 0, "C", false, 0, "")
	}
	p.SetLineWidth(0.2)
	p.SetTextColor(87, 96, 106)
	p.SetFont(pdfFont, "", 6.5)
	for i, l := range v.LikeLabels {
		p.SetXY(x0, y0+float64(i)*cell)
		p.CellFormat(33, cell, p.tr(l.Text), "", 0, "R", false, 0, "")
	}
	for i, l := range v.ConsLabels {
		p.SetXY(left+float64(i)*cell-2, y0+float64(v.Size)*cell)
		p.CellFormat(cell+4, 4, p.tr(firstLine(l.Text, 12)), "", 0, "C", false, 0, "")
	}
	// The levels beside the grid.
	lx := left + float64(v.Size)*cell + 8
	p.SetXY(lx, y0)
	for _, lv := range v.Levels {
		r, g, b := hexRGB(lv.Colour)
		p.SetFillColor(r, g, b)
		_, y := p.GetXY()
		p.Rect(lx, y+1, 3.5, 3.5, "F")
		p.SetXY(lx+5, y)
		p.SetFont(pdfFont, "B", 7.5)
		p.SetTextColor(31, 35, 40)
		p.CellFormat(20, 5.5, p.tr(firstLine(lv.Name, 14)), "", 0, "L", false, 0, "")
		p.SetFont(pdfFont, "", 7.5)
		if lv.Above {
			p.SetTextColor(198, 40, 40)
		}
		p.CellFormat(p.w-(lx-x0)-25, 5.5, p.tr(lv.Accept), "", 2, "L", false, 0, "")
		p.SetX(lx)
	}
	p.SetTextColor(87, 96, 106)
	p.SetXY(x0, y0+float64(v.Size)*cell+6)
	p.para(7.5, "", "Rows: likelihood, highest at the top. Columns: consequence, highest on the right. Cells with a dark outline are above the acceptance threshold.")
	p.SetTextColor(31, 35, 40)
}
