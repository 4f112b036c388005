package auditpack

import (
	"fmt"
	"strings"

	"github.com/annex-grc/annex/assessments"
)

// The report's Statement of Applicability section: per standard, the versions (latest
// approved, the draft issued for approval), how the current draft differs from them, and the
// decisions it leaves open (27001 6.1.3 d), listed whole in the annex.

type soaOpenLine struct {
	Ref, Title, Open, Applicable, Status string
}

type soaVersionLine struct {
	Version, State, Issued, Approved, Summary, File string
}

type soaSection struct {
	Name, Short string
	Counts      SoACounts
	Versions    []soaVersionLine
	Approved    string
	Against     string
	OpenText    string
	OpenTotal   int
	Open        []soaOpenLine
	Files       string
}

type soaView struct {
	Standards []soaSection
	BodyLimit int
}

func buildSoA(d *Data) soaView {
	v := soaView{BodyLimit: planBodyLimit}
	for _, c := range d.Standards() {
		st := d.soaState(c)
		s := soaSection{Name: c.Name, Short: c.Short, Counts: st.Counts, Approved: st.approvedText(), Against: st.draftText(),
			OpenText: st.openText(), OpenTotal: st.OpenTotal, Files: soaBase(c) + ".xlsx, .csv (current draft)"}
		if st.Approved != nil {
			s.Files += "; " + soaVersionBase(c, *st.Approved) + ".xlsx, .csv (approved)"
		}
		for _, ver := range d.soaVersions(c.ID) {
			l := soaVersionLine{Version: fmt.Sprintf("v%d", ver.Version), State: ver.State.Label(),
				Issued: ver.IssuedAt.UTC().Format(assessments.DateLayout) + " by " + ver.IssuedBy, Summary: firstLine(ver.ChangeSummary, 200)}
			if ver.Frozen() {
				l.Approved = ver.Approver + ", " + ver.ApprovedOn
			}
			s.Versions = append(s.Versions, l)
		}
		for _, e := range st.Current {
			open := e.Open()
			if len(open) == 0 {
				continue
			}
			var words []string
			for _, o := range open {
				words = append(words, string(o))
			}
			s.Open = append(s.Open, soaOpenLine{Ref: e.Ref, Title: e.Title, Open: strings.Join(words, "; "), Applicable: string(e.Applicability), Status: e.StatusText()})
		}
		v.Standards = append(v.Standards, s)
	}
	return v
}

// OpenBody is the open decisions the body lists.
func (s soaSection) OpenBody(n int) []soaOpenLine {
	if len(s.Open) > n {
		return s.Open[:n]
	}
	return s.Open
}

// Long reports whether the annex lists open decisions the body does not.
func (v soaView) Long() bool {
	for _, s := range v.Standards {
		if len(s.Open) > v.BodyLimit {
			return true
		}
	}
	return false
}

const soaHTML = `{{define "soa"}}{{if .Standards}}<section id="soa">
<h2>Statement of Applicability</h2>
<p class="muted">The SoA lists the Annex A controls, whether each is applicable, why it is included or excluded, and whether it is implemented. The pack carries the current draft (the SoA as it stands) and the latest approved version, each with a Document control sheet.</p>
{{range .Standards}}<h3>{{.Name}}</h3>
<p>{{.Counts.Controls}} controls: {{.Counts.Applicable}} applicable ({{.Counts.Implemented}} implemented), {{.Counts.Excluded}} excluded, {{.Counts.Undecided}} not decided. Latest approved version: <strong>{{.Approved}}</strong>{{if .Against}}; {{.Against}}{{end}}.</p>
{{if .Versions}}<table><thead><tr><th>Version</th><th>State</th><th>Issued</th><th>Approved</th><th>Change summary</th></tr></thead><tbody>
{{range .Versions}}<tr><td>{{.Version}}</td><td>{{.State}}</td><td>{{.Issued}}</td><td>{{if .Approved}}{{.Approved}}{{else}}—{{end}}</td><td>{{.Summary}}</td></tr>
{{end}}</tbody></table>{{else}}<p class="overdue">No version has been issued: the SoA is not yet a controlled document.</p>{{end}}
<p><strong>Open decisions: {{.OpenTotal}}</strong>{{if .OpenTotal}} — {{.OpenText}}{{end}}.</p>
{{if .Open}}<table><thead><tr><th>Control</th><th>Open</th><th>Status</th></tr></thead><tbody>
{{range .OpenBody $.BodyLimit}}<tr><td>{{.Ref}} <span class="muted">{{.Title}}</span></td><td>{{.Open}}</td><td>{{.Status}}</td></tr>
{{end}}</tbody></table>{{if gt (len .Open) $.BodyLimit}}<p class="muted">The first {{$.BodyLimit}} of {{len .Open}}; every open decision is listed in the annex and in the Open decision column of the SoA files.</p>{{end}}{{end}}
<p class="muted">Files: {{.Files}}.</p>
{{end}}</section>{{end}}{{end}}
{{define "soa-annex"}}{{if .Long}}<section id="annex-soa">
<h2>Annex: open decisions in the Statements of Applicability</h2>
{{range .Standards}}{{if gt (len .Open) $.BodyLimit}}<h3>{{.Name}} ({{len .Open}})</h3>
<table><thead><tr><th>Control</th><th>Open</th><th>Applicable</th><th>Status</th></tr></thead><tbody>
{{range .Open}}<tr><td>{{.Ref}} <span class="muted">{{.Title}}</span></td><td>{{.Open}}</td><td>{{.Applicable}}</td><td>{{.Status}}</td></tr>
{{end}}</tbody></table>{{end}}{{end}}
</section>{{end}}{{end}}
`

func soaOpenRows(ls []soaOpenLine, withApplicable bool) [][]string {
	rows := make([][]string, len(ls))
	for i, l := range ls {
		if withApplicable {
			rows[i] = []string{l.Ref + " " + l.Title, l.Open, l.Applicable, l.Status}
		} else {
			rows[i] = []string{l.Ref + " " + l.Title, l.Open, l.Status}
		}
	}
	return rows
}

// soaPDF prints the SoA section.
func soaPDF(p *pdfDoc, v soaView) {
	if len(v.Standards) == 0 {
		return
	}
	p.heading("Statement of Applicability")
	p.SetTextColor(87, 96, 106)
	p.para(8.5, "", "The SoA lists the Annex A controls, whether each is applicable, why it is included or excluded, and whether it is implemented. The pack carries the current draft and the latest approved version, each with a Document control sheet.")
	p.SetTextColor(31, 35, 40)
	for _, s := range v.Standards {
		p.Ln(2)
		subheading(p, s.Name)
		line := fmt.Sprintf("%d controls: %d applicable (%d implemented), %d excluded, %d not decided. Latest approved version: %s",
			s.Counts.Controls, s.Counts.Applicable, s.Counts.Implemented, s.Counts.Excluded, s.Counts.Undecided, s.Approved)
		if s.Against != "" {
			line += "; " + s.Against
		}
		p.para(9, "", line+".")
		if len(s.Versions) == 0 {
			p.SetTextColor(198, 40, 40)
			p.para(9, "", "No version has been issued: the SoA is not yet a controlled document.")
			p.SetTextColor(31, 35, 40)
		} else {
			rows := make([][]string, len(s.Versions))
			for i, ver := range s.Versions {
				rows[i] = []string{ver.Version, ver.State, ver.Issued, firstNonEmpty(ver.Approved, "—"), ver.Summary}
			}
			p.table([]string{"Version", "State", "Issued", "Approved", "Change summary"}, []float64{16, 18, 40, 38, p.w - 112}, rows)
		}
		text := fmt.Sprintf("Open decisions: %d", s.OpenTotal)
		if s.OpenTotal > 0 {
			text += " - " + s.OpenText
		}
		p.para(9.5, "B", text+".")
		if len(s.Open) > 0 {
			p.table([]string{"Control", "Open", "Status"}, []float64{76, 60, p.w - 136}, soaOpenRows(s.OpenBody(v.BodyLimit), false))
			if len(s.Open) > v.BodyLimit {
				p.para(8, "", fmt.Sprintf("The first %d of %d; every open decision is in the annex and in the Open decision column of the SoA files.", v.BodyLimit, len(s.Open)))
			}
		}
	}
}

// soaAnnexPDF lists every open decision.
func soaAnnexPDF(p *pdfDoc, v soaView) {
	if !v.Long() {
		return
	}
	p.heading("Annex: open decisions in the Statements of Applicability")
	for _, s := range v.Standards {
		if len(s.Open) <= v.BodyLimit {
			continue
		}
		p.para(10.5, "B", fmt.Sprintf("%s (%d)", s.Name, len(s.Open)))
		p.table([]string{"Control", "Open", "Applicable", "Status"}, []float64{70, 56, 22, p.w - 148}, soaOpenRows(s.Open, true))
		p.Ln(2)
	}
}
