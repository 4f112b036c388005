package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// copyTables are the tables a workspace copy moves, parents before children. result_counts
// is not among them: the target's triggers count the results as they arrive. A table added
// to both dialects is added here too (docs/ARCHITECTURE.md, "Backends").
var copyTables = []struct {
	name  string
	order string // a total order, so a copy is the same whatever the source's storage
}{
	{"engagements", "id"},
	{"engagement_standards", "engagement_id, standard"},
	{"custom_catalogs", "id"},
	{"results", "engagement_id, standard, ref"},
	{"suggestion_skips", "engagement_id, standard, ref, from_standard, from_ref"},
	{"risk_matrices", "engagement_id"},
	{"risk_sequences", "engagement_id"},
	{"risks", "id"},
	{"risk_controls", "risk_id, standard, ref"},
	{"ai_systems", "id"},
	{"impact_assessments", "id"},
	{"impact_areas", "assessment_id, area"},
	{"impact_risk_links", "assessment_id, area, risk_id"},
	{"aiact_records", "id"},
	{"aiact_answers", "record_id, question"},
	{"evidence", "id"},
	{"evidence_blobs", "evidence_id"},
	{"evidence_links", "evidence_id, target, standard, target_ref"},
	{"soa_versions", "id"},
	{"treatment_actions", "id"},
	{"report_controls", "engagement_id"},
	{"pack_records", "id"},
	{"baselines", "id"},
	{"audit_sequences", "engagement_id, year"},
	{"audits", "id"},
	{"audit_items", "audit_id, standard, ref"},
	{"audit_item_evidence", "audit_id, standard, ref, evidence_id"},
	{"findings", "id"},
	{"corrective_actions", "id"},
	{"changes", "seq"},
	{"changes_imported", "segment, pos"},
	{"team_grants", "role, engagement_id"},
}

// CopyReport says what a workspace copy moved.
type CopyReport struct {
	Rows        map[string]int // per table
	Engagements int
	History     int // history rows, chain verified on the target
	Blobs       int // kept evidence files
	Dropped     int // team grants a SQLite target cannot hold
}

// CopyWorkspace copies the workspace from into to, which must be a new, empty workspace
// (either backend): every row with its ids, the kept evidence files, the whole history with
// its row numbers, authors, times and hashes, the workspace id and the history's counter.
// It runs in one transaction on each side (nothing of it lands when it fails) and ends by
// verifying the copied chain. Team grants exist only on PostgreSQL: copied between two
// PostgreSQL workspaces, dropped on the way to SQLite (Dropped says how many). On a
// PostgreSQL target the copy must be made by the workspace's owner: only it may write
// history rows in other people's names.
func CopyWorkspace(ctx context.Context, from, to *Store) (CopyReport, error) {
	rep := CopyReport{Rows: map[string]int{}}
	if n, problem, err := from.VerifyChain(ctx); err != nil {
		return rep, err
	} else if problem != nil {
		return rep, fmt.Errorf("the history of %s does not verify at row %d (%s); nothing was copied", from.path, problem.Seq, problem.Reason)
	} else {
		rep.History = n
	}
	if from.pg && !from.info.Admin {
		return rep, fmt.Errorf("only the owner of %s sees all of it, and role %s does not own it; nothing was copied", from.path, from.info.Role)
	}
	if to.pg && !to.info.Admin {
		return rep, fmt.Errorf("only the owner of %s may copy a workspace into it, and role %s does not own it; nothing was copied", to.path, to.info.Role)
	}
	var used int
	if err := to.h.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM engagements) + (SELECT count(*) FROM changes) + (SELECT count(*) FROM custom_catalogs)").Scan(&used); err != nil {
		return rep, fmt.Errorf("read %s: %w", to.path, to.dbError(err))
	}
	if used > 0 {
		return rep, fmt.Errorf("%s is not empty (it holds engagements or history); copy into a new workspace", to.path)
	}
	var counter int64
	if err := from.h.QueryRowContext(ctx, from.dialect().chainCounter).Scan(&counter); err != nil {
		return rep, fmt.Errorf("read the history's row counter: %w", from.dbError(err))
	}
	err := to.WithTx(ctx, func(tx *Store) error {
		if tx.pg {
			if _, err := tx.h.ExecContext(ctx, "SELECT set_config('annex.copy', 'on', true)"); err != nil {
				return err
			}
		}
		for _, key := range []string{"workspace_id", "created_at"} {
			var v string
			if err := from.h.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v); err != nil {
				return fmt.Errorf("read %s: %w", from.path, from.dbError(err))
			}
			if _, err := tx.h.ExecContext(ctx, "UPDATE meta SET value = ? WHERE key = ?", v, key); err != nil {
				return err
			}
		}
		// Decided impact assessments and approved EU AI Act classifications are frozen with
		// their children: they are decided after their areas and answers arrive.
		type decided struct {
			table string
			args  []any
		}
		var decisions []decided
		for _, t := range copyTables {
			src, err := from.columns(ctx, t.name)
			if err != nil {
				return err
			}
			dst, err := tx.columns(ctx, t.name)
			if err != nil {
				return err
			}
			if len(src) == 0 || len(dst) == 0 {
				if len(src) > 0 {
					var n int
					if err := from.h.QueryRowContext(ctx, "SELECT count(*) FROM "+t.name).Scan(&n); err != nil {
						return err
					}
					rep.Dropped += n
				}
				continue
			}
			var cols []string
			for _, c := range src {
				if contains(dst, c) {
					cols = append(cols, c)
				}
			}
			list := strings.Join(cols, ", ")
			rows, err := from.h.QueryContext(ctx, "SELECT "+list+" FROM "+t.name+" ORDER BY "+t.order)
			if err != nil {
				return fmt.Errorf("read %s: %w", t.name, from.dbError(err))
			}
			insert := "INSERT INTO " + t.name + "(" + list + ") VALUES (" + placeholders(len(cols)) + ")"
			decision := indexOf(cols, "decision")
			id := indexOf(cols, "id")
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				if (t.name == "impact_assessments" || t.name == "aiact_records") && decision >= 0 {
					if d, _ := vals[decision].(string); d != "" {
						decisions = append(decisions, decided{t.name, []any{d, vals[id]}})
						vals[decision] = ""
					}
				}
				if _, err := tx.h.ExecContext(ctx, insert, vals...); err != nil {
					rows.Close()
					return fmt.Errorf("copy %s: %w", t.name, err)
				}
				rep.Rows[t.name]++
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return fmt.Errorf("read %s: %w", t.name, from.dbError(err))
			}
		}
		for _, d := range decisions {
			if _, err := tx.h.ExecContext(ctx, "UPDATE "+d.table+" SET decision = ? WHERE id = ?", d.args...); err != nil {
				return fmt.Errorf("copy the decisions of %s: %w", d.table, err)
			}
		}
		// The history's counter: rows once written and cut before the copy stay known.
		if tx.pg {
			_, err := tx.h.ExecContext(ctx, "UPDATE chain_counter SET last = ?", counter)
			return err
		}
		if counter > 0 {
			_, err := tx.h.ExecContext(ctx, "UPDATE sqlite_sequence SET seq = ? WHERE name = 'changes'", counter)
			return err
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	rep.Engagements, rep.Blobs = rep.Rows["engagements"], rep.Rows["evidence_blobs"]
	n, problem, err := to.VerifyChain(ctx)
	if err != nil {
		return rep, err
	}
	if problem != nil {
		return rep, fmt.Errorf("the copied history does not verify at row %d: %s", problem.Seq, problem.Reason)
	}
	if n != rep.History {
		return rep, fmt.Errorf("the copy holds %d history rows, the source %d", n, rep.History)
	}
	return rep, nil
}

// columns lists a table's columns ("" none when the table does not exist here).
func (s *Store) columns(ctx context.Context, table string) ([]string, error) {
	q := "SELECT name FROM pragma_table_info(?) ORDER BY cid"
	if s.pg {
		q = "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position"
	}
	rows, err := s.h.QueryContext(ctx, q, table)
	if err != nil {
		return nil, fmt.Errorf("read the columns of %s: %w", table, s.dbError(err))
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func contains(list []string, s string) bool { return indexOf(list, s) >= 0 }

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// errSQLiteTeam refuses team commands on a SQLite workspace.
var errSQLiteTeam = errors.New("team access exists only on a PostgreSQL workspace (annex --db postgres://…); a SQLite workspace is one person's file")
