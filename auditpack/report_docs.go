package auditpack

import (
	"fmt"

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
