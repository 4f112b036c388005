package store

import "testing"

// TestRebind: placeholders become $n in order; question marks in quoted text, quoted
// identifiers and comments stay.
func TestRebind(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE x = ? AND y = ?", "SELECT a FROM t WHERE x = $1 AND y = $2"},
		{"SELECT '?' || ? FROM \"odd?name\" WHERE z = ?", "SELECT '?' || $1 FROM \"odd?name\" WHERE z = $2"},
		{"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"},
		{"-- why?\nSELECT ?", "-- why?\nSELECT $1"},
		{"INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"},
		{"SELECT 'unterminated ?", "SELECT 'unterminated ?"},
	} {
		if got := rebind(c.in); got != c.want {
			t.Errorf("rebind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := pgArgs([]any{"a", true, 3, false}); got[1] != 1 || got[3] != 0 || got[0] != "a" {
		t.Errorf("pgArgs = %v", got)
	}
}
