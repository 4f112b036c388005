package gap

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
)

// factBlock is one titled block of the detail pane built from what the catalog records
// about a requirement beyond its workshop content.
type factBlock struct {
	Title string
	Lines []string
}

// catalogFacts returns the extra detail lines for a requirement: the control objective it
// serves (from the catalog's objectives; a group's own objective is shown by the detail
// body), its purpose, the documented information it asks for, the Annex A controls a clause
// points to and the Annex B guidance reference. It has no styles and no I/O. Text from a
// custom catalog is made inert.
func catalogFacts(cat *catalogs.Catalog, req catalogs.Requirement) []factBlock {
	if cat == nil {
		return nil
	}
	t := common.Inert
	var out []factBlock
	if o, ok := cat.ControlObjective(req); ok {
		out = append(out, factBlock{Title: "Control objective " + common.OneLine(o.ID), Lines: []string{common.OneLine(o.Title), t(o.Text)}})
	}
	if req.Purpose != "" {
		out = append(out, factBlock{Title: "Purpose", Lines: []string{t(req.Purpose)}})
	}
	if len(req.Documents) > 0 {
		b := factBlock{Title: "Documented information required"}
		for _, d := range req.Documents {
			b.Lines = append(b.Lines, "▪ "+common.OneLine(d.Kind)+": "+t(d.Note))
		}
		out = append(out, b)
	}
	if len(req.AnnexA) > 0 {
		b := factBlock{Title: "Points to Annex A"}
		for _, p := range req.AnnexA {
			b.Lines = append(b.Lines, common.OneLine(p)+"  "+common.OneLine(pointerTitle(cat, p)))
		}
		out = append(out, b)
	}
	if req.AnnexB != "" {
		out = append(out, factBlock{Title: "Implementation guidance", Lines: []string{"Annex " + common.OneLine(req.AnnexB)}})
	}
	return out
}

// pointerTitle is the title of what an Annex A pointer names: a requirement, an objective or
// a group of the catalog.
func pointerTitle(cat *catalogs.Catalog, ref string) string {
	if r, ok := cat.Requirement(ref); ok {
		return r.Title
	}
	if o, ok := cat.Objective(ref); ok {
		return o.Title
	}
	if g, ok := cat.Group(ref); ok {
		return g.Title
	}
	return ""
}

// writeCatalogFacts draws catalogFacts into the detail body, each block under its own
// section title, lines wrapped to w.
func (m *Model) writeCatalogFacts(b *strings.Builder, req catalogs.Requirement, w int, section func(string)) {
	wrap := lipgloss.NewStyle().Width(w)
	for _, f := range catalogFacts(m.cat, req) {
		section(f.Title)
		for i, l := range f.Lines {
			if i == 0 && strings.HasPrefix(f.Title, "Control objective") {
				l = m.c.Styles.Bold.Render(l)
			}
			b.WriteString(wrap.Render(l) + "\n")
		}
	}
}
