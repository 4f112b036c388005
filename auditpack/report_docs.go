package auditpack

import (
	"fmt"
	"strings"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

// The management report's "Mandatory documented information" checklist: for each standard
// in scope, the requirements that ask for documented information (catalogs.Requirement.
// Documents) and, among them, those not yet implemented with valid evidence.

// docsView is the checklist for the whole report.
type docsView struct {
	Standards []docsStandard
}

// docsStandard is one standard's part of the checklist.
type docsStandard struct {
	Name string
	// Required counts the applicable requirements that ask for documented information; Done
	// those implemented with valid evidence; NotApplicable those excluded.
	Required, Done, NotApplicable int
	Missing                       []docsItem
}

// docsItem is one requirement whose documented information is not yet implemented and evidenced.
type docsItem struct {
	Item, Title, Status, Evidence string
	Docs                          []catalogs.Document
}

// docChecklist builds the checklist. A requirement counts as done when its status is
// implemented and it has valid (unexpired, unflagged) evidence; not applicable ones are
// counted apart and never listed.
func docChecklist(d *Data) docsView {
	var v docsView
	for _, c := range d.Standards() {
		s := docsStandard{Name: c.Name}
		valid := assessments.ValidEvidenceRefs(d.Parts.Evidence, c.ID, d.At)
		for _, req := range c.Requirements {
			if !req.NeedsDocuments() {
				continue
			}
			st := d.StatusOf(c.ID, req.Ref)
			if st == assessments.NotApplicable {
				s.NotApplicable++
				continue
			}
			s.Required++
			if st == assessments.Implemented && valid[req.Ref] {
				s.Done++
				continue
			}
			ev := "no valid evidence"
			if valid[req.Ref] {
				ev = "valid evidence"
			}
			s.Missing = append(s.Missing, docsItem{Item: c.Short + " " + req.Ref, Title: req.Title, Status: st.Label(), Evidence: ev, Docs: req.Documents})
		}
		if s.Required+s.NotApplicable > 0 {
			v.Standards = append(v.Standards, s)
		}
	}
	return v
}

// Summary is the one-line count for a standard.
func (s docsStandard) Summary() string {
	text := fmt.Sprintf("%d of %d requirements that ask for documented information %s implemented with valid evidence", s.Done, s.Required, assessments.IsAre(s.Done))
	if s.NotApplicable > 0 {
		text += fmt.Sprintf("; %d not applicable", s.NotApplicable)
	}
	return text + "."
}

// docsHTML is the checklist's part of the report template (parsed with reportHTML).
const docsHTML = `{{define "docs"}}{{if .Standards}}<section id="documented-information">
<h2>Mandatory documented information</h2>
<p class="muted">The requirements that ask for documented information: a <em>document</em> kept current, or a <em>record</em> kept as evidence. Listed below are those not yet implemented with valid evidence attached.</p>
{{range .Standards}}<h3>{{.Name}}</h3>
<p>{{.Summary}}</p>
{{if .Missing}}<table>
<thead><tr><th>Requirement</th><th>Documented information</th><th>Status</th><th>Evidence</th></tr></thead>
<tbody>
{{range .Missing}}<tr><td>{{.Item}}<br><span class="muted">{{.Title}}</span></td><td>{{range .Docs}}<span class="tag">{{.Kind}}</span> {{.Note}}<br>{{end}}</td><td>{{.Status}}</td><td>{{.Evidence}}</td></tr>
{{end}}</tbody>
</table>
{{else}}<p>Every required document is implemented and evidenced.</p>{{end}}
{{end}}</section>{{end}}{{end}}
`

// docsPDF prints the checklist in the PDF report.
func docsPDF(p *pdfDoc, v docsView) {
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
		rows := make([][]string, len(s.Missing))
		for i, m := range s.Missing {
			docs := make([]string, len(m.Docs))
			for j, d := range m.Docs {
				docs[j] = d.Kind + ": " + d.Note
			}
			rows[i] = []string{m.Item + "\n" + m.Title, strings.Join(docs, "\n"), m.Status, m.Evidence}
		}
		p.table([]string{"Requirement", "Documented information", "Status", "Evidence"}, []float64{46, 82, 26, p.w - 154}, rows)
	}
}
