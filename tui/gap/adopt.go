package gap

import (
	"context"
	"fmt"
	"strconv"

	tea "charm.land/bubbletea/v2"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
	"github.com/annex-grc/annex/store"
	"github.com/annex-grc/annex/tui/common"
	"github.com/annex-grc/annex/tui/dialog"
	"github.com/annex-grc/annex/tui/form"
)

// adoptOption is one mapped requirement whose result can be adopted.
type adoptOption struct {
	mapping catalogs.Mapping
	from    assessments.Status
	carried assessments.Status
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
	items := make([]form.Option, len(opts))
	for i, o := range opts {
		items[i] = form.Option{Value: strconv.Itoa(i), Label: fmt.Sprintf("%s %s  %s: %s → %s", m.shortOf(o.mapping.Standard), o.mapping.Ref,
			o.mapping.Relationship, o.from.Label(), o.carried.Label())}
	}
	ref := req.Ref
	return common.OpenDialog(dialog.NewPick(m.c.Styles, "adopt", m.Address(),
		fmt.Sprintf("Adopt a mapped result into %s %s", m.Title(), ref),
		"The adopted result is marked needs review until you confirm it (c).", items, false, nil,
		func(v []string) tea.Msg { return adoptChosenMsg{ref: ref, options: opts, chosen: v} }))
}

// adoptChosenMsg is the adopt dialog's answer.
type adoptChosenMsg struct {
	ref     string
	options []adoptOption
	chosen  []string
}

// adopt carries the mapped result into ref (needs review, provenance kept) and links the
// source requirement's evidence to ref with the same provenance, in one transaction: both
// land or neither does.
func (m *Model) adopt(ref string, o adoptOption) tea.Cmd {
	set, e, std := m.c.Catalogs, m.eng, m.std
	return m.enqueueOp(saveOp{ref: ref, what: "adopt", apply: func(r assessments.Result) assessments.Result {
		next, err := assessments.Adopt(set, r, o.mapping, o.from)
		if err != nil {
			return r
		}
		return next
	}, extra: func(ctx context.Context, tx *store.Store, saved assessments.Result) (int, error) {
		n, err := tx.CopyRequirementEvidence(ctx, e.ID, o.mapping.Standard, o.mapping.Ref, std, ref, assessments.Provenance(set, o.mapping))
		if err != nil {
			return 0, fmt.Errorf("link the evidence of %s %s: %w", m.shortOf(o.mapping.Standard), o.mapping.Ref, err)
		}
		return n, nil
	}})
}

// adoptedEvidenceMsg reports evidence links carried with an adopted result.
type adoptedEvidenceMsg struct {
	ref string
	n   int
}

func (m *Model) shortOf(std string) string {
	if c, ok := m.c.Catalogs.Get(std); ok {
		return c.Short
	}
	return std
}
