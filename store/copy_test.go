package store

import (
	"context"
	"testing"
)

// TestCopyTablesCoverTheSchema: every table of the workspace is copied by `annex workspace
// copy`, or is one the copy makes otherwise (meta, the version and counter of the history,
// result_counts from the target's triggers): a table added to a migration and forgotten in
// copyTables would be lost on the way between backends.
func TestCopyTablesCoverTheSchema(t *testing.T) {
	s, _ := openTemp(t)
	q := "SELECT name FROM sqlite_schema WHERE type = 'table'"
	if s.pg {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
	}
	rows, err := s.h.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	copied := map[string]bool{}
	for _, c := range copyTables {
		copied[c.name] = true
	}
	otherwise := map[string]bool{"meta": true, "schema_migrations": true, "chain_counter": true, "sqlite_sequence": true, "result_counts": true}
	n := 0
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		n++
		if !copied[name] && !otherwise[name] {
			t.Errorf("table %s is not in copyTables (store/copy.go)", name)
		}
	}
	if err := rows.Err(); err != nil || n < 20 {
		t.Fatalf("%d tables read (%v)", n, err)
	}
}
