package dialog

import (
	"testing"

	"github.com/annex-grc/annex/tui/common"
)

// The jump box ranks a ref typed exactly first: "A.5.2" is the control, not clause 5.2 (it
// once put 27001 5.2 first and enter went to the wrong requirement); "5.2" lists the clause
// first and the control after it.
func TestJumpRanksTheExactRefFirst(t *testing.T) {
	targets := []common.JumpTarget{
		{Kind: "ISO 27001", Label: "5.2 Policy", Msg: "27001 5.2"},
		{Kind: "ISO 27001", Label: "A.5.2 Information security roles and responsibilities", Msg: "27001 A.5.2"},
		{Kind: "ISO 27001", Label: "A.5.21 Managing information security in the ICT supply chain", Msg: "27001 A.5.21"},
		{Kind: "ISO 42001", Label: "A.5.2 AI system impact assessment process", Msg: "42001 A.5.2"},
		{Kind: "risk", Label: "R-003 Lens under-detects pneumothorax", Msg: "R-003"},
	}
	for _, c := range []struct {
		typed string
		want  []string // the first targets listed, in order
	}{
		{"A.5.2", []string{"27001 A.5.2", "42001 A.5.2", "27001 5.2", "27001 A.5.21"}},
		{"a.5.2", []string{"27001 A.5.2", "42001 A.5.2", "27001 5.2"}},
		{"5.2", []string{"27001 5.2", "27001 A.5.2", "42001 A.5.2"}},
		{"A.5.21", []string{"27001 A.5.21"}},
		{"r-003", []string{"R-003"}},
		{"pneumo", []string{"R-003"}},
	} {
		j := NewJump(common.NewStyles(false), "owner", targets)
		j.input.SetValue(c.typed)
		j.refilter()
		var got []string
		for _, i := range j.shown {
			got = append(got, targets[i].Msg.(string))
		}
		if len(got) < len(c.want) {
			t.Errorf("%q lists %v, want %v first", c.typed, got, c.want)
			continue
		}
		for i, w := range c.want {
			if got[i] != w {
				t.Errorf("%q lists %v, want %v first", c.typed, got, c.want)
				break
			}
		}
	}
}
