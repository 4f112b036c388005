package text

import "testing"

func TestInert(t *testing.T) {
	for _, c := range []struct{ in, inert, oneLine string }{
		{"plain, ünïcode ✓", "plain, ünïcode ✓", "plain, ünïcode ✓"},
		{"\x1b]0;title\x07", "^[]0;title^G", "^[]0;title^G"},
		{"\x1b[31mred\x1b[0m", "^[[31mred^[[0m", "^[[31mred^[[0m"},
		{"a\r\nb\nc\td", "a^M\nb\nc\td", "a ⏎ b ⏎ c\td"},
		{"del\x7f c1\u009b2J", "del^? c1<U+009B>2J", "del^? c1<U+009B>2J"},
		{"\x00", "^@", "^@"},
	} {
		if got := Inert(c.in); got != c.inert {
			t.Errorf("Inert(%q) = %q, want %q", c.in, got, c.inert)
		}
		if got := OneLine(c.in); got != c.oneLine {
			t.Errorf("OneLine(%q) = %q, want %q", c.in, got, c.oneLine)
		}
	}
}
