package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// Migrations are numbered when they are written, and branches written side by side may be
// merged in another order: a workspace made by a binary that had 0010 but not yet 0009 is at
// version 10 and would never run 0009. A migration that can run again without harm says so
// with the line "-- annex: idempotent" (every statement IF NOT EXISTS); its tables are
// looked for on every open, and if any is missing the migration runs, whatever the version.

const idempotentMark = "-- annex: idempotent"

var createTableRE = regexp.MustCompile(`(?im)^\s*CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS\s+([A-Za-z_][A-Za-z0-9_]*)`)

// lateMigrations lists the idempotent migrations at or below version v whose tables are
// not all in the workspace.
func (s *Store) lateMigrations(ctx context.Context, ms []migration, v int) ([]migration, error) {
	var marked []migration
	for _, m := range ms {
		if m.version <= v && strings.Contains(m.sql, idempotentMark) {
			marked = append(marked, m)
		}
	}
	if len(marked) == 0 {
		return nil, nil
	}
	rows, err := s.h.QueryContext(ctx, "SELECT name FROM sqlite_schema WHERE type = 'table'")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		have[strings.ToLower(name)] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []migration
	for _, m := range marked {
		for _, t := range createTableRE.FindAllStringSubmatch(m.sql, -1) {
			if !have[strings.ToLower(t[1])] {
				out = append(out, m)
				break
			}
		}
	}
	return out, nil
}

// applyLate runs the idempotent migrations a workspace skipped (lateMigrations), each in
// its own transaction; the version stays as it is.
func (s *Store) applyLate(ctx context.Context, ms []migration, v int, readOnly bool) error {
	late, err := s.lateMigrations(ctx, ms, v)
	if err != nil {
		return fmt.Errorf("read workspace %s: %w", s.path, err)
	}
	if len(late) == 0 {
		return nil
	}
	if readOnly {
		return fmt.Errorf("workspace %s lacks the tables of migration %s and needs an upgrade before it can be read; open it once with write access", s.path, late[0].name)
	}
	for _, m := range late {
		if err := s.WithTx(ctx, func(tx *Store) error {
			_, err := tx.h.ExecContext(ctx, m.sql)
			return err
		}); err != nil {
			return fmt.Errorf("upgrade workspace %s: migration %s: %w", s.path, m.name, err)
		}
	}
	return nil
}
