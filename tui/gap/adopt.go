package gap

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/tui/common"
)

// adoptOption is one mapped requirement whose result can be adopted.
type adoptOption struct {
	mapping catalogs.Mapping
	from    assessments.Status
	carried assessments.Status
}

// adoptPicker asks which mapped result to adopt when more than one offers a status.
type adoptPicker struct {
	ref     string
	options []adoptOption
	cursor  int
}

// adoptOptions lists the mapped requirements of standards in scope whose status carries.
func (m *Model) adoptOptions(ref string) []adoptOption {
	var out []adoptOption
	for _, mp := range m.c.Catalogs.MappingsFor(m.std, ref) {
		if !m.eng.HasStandard(mp.Standard) {
			continue
		}
		from := m.results[mp.Standard][mp.Ref].EffectiveStatus()
		if st, ok := assessments.Carried(mp.Relationship, from); ok {
			out = append(out, adoptOption{mapping: mp, from: from, carried: st})
		}
	}
	return out
}

func (m *Model) startAdopt() tea.Cmd {
	req, ok := m.selected()
	if !ok {
		return nil
	}
	opts := m.adoptOptions(req.Ref)
	switch len(opts) {
	case 0:
		if len(m.c.Catalogs.MappingsFor(m.std, req.Ref)) == 0 {
			return common.InfoCmd(req.Ref + " has no mapped requirement in the other standard.")
		}
		return common.InfoCmd("Nothing to adopt for " + req.Ref + ": no mapped requirement is assessed yet.")
	case 1:
		return m.adopt(req.Ref, opts[0])
	}
	m.picker = &adoptPicker{ref: req.Ref, options: opts}
	return nil
}

// adopt carries the mapped result into ref (needs review, provenance kept) and, once that
// is saved, links the source requirement's evidence to ref with the same provenance.
func (m *Model) adopt(ref string, o adoptOption) tea.Cmd {
	set, c, e, std := m.c.Catalogs, m.c, m.eng, m.std
	return m.enqueueOp(saveOp{ref: ref, what: "adopt", apply: func(r assessments.Result) assessments.Result {
		next, err := assessments.Adopt(set, r, o.mapping, o.from)
		if err != nil {
			return r
		}
		return next
	}, after: func(saved assessments.Result) tea.Cmd {
		return func() tea.Msg {
			n, err := c.Store.CopyRequirementEvidence(c.Ctx, e.ID, o.mapping.Standard, o.mapping.Ref, std, ref, assessments.Provenance(set, o.mapping))
			if err != nil {
				return common.ErrMsg{Err: fmt.Errorf("adopted the status, but not the evidence: %w", err)}
			}
			if n == 0 {
				return nil
			}
			return adoptedEvidenceMsg{std: std, ref: ref, n: n}
		}
	}})
}

// adoptedEvidenceMsg reports evidence links carried with an adopted result.
type adoptedEvidenceMsg struct {
	std, ref string
	n        int
}

func (m *Model) pickerKey(msg tea.KeyPressMsg) tea.Cmd {
	p := m.picker
	switch msg.String() {
	case "esc", "q":
		m.picker = nil
	case "j", "down":
		p.cursor = min(p.cursor+1, len(p.options)-1)
	case "k", "up":
		p.cursor = max(p.cursor-1, 0)
	case "enter", "a":
		m.picker = nil
		return m.adopt(p.ref, p.options[p.cursor])
	}
	return nil
}

func (m *Model) pickerView(w int) string {
	st := m.c.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Adopt a mapped result into "+m.picker.ref) + "\n")
	b.WriteString(st.Muted.Render("enter adopts · esc cancels · the result is marked needs review") + "\n\n")
	for i, o := range m.picker.options {
		line := fmt.Sprintf("%s %s %-10s %s → %s", m.shortOf(o.mapping.Standard), o.mapping.Ref, o.mapping.Relationship,
			o.from.Label(), o.carried.Label())
		line = common.Pad(line, w-2)
		if i == m.picker.cursor {
			line = st.Selected.Render("› " + line)
		} else {
			line = "  " + line
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

func (m *Model) shortOf(std string) string {
	if c, ok := m.c.Catalogs.Get(std); ok {
		return c.Short
	}
	return std
}
