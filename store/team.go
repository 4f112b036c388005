package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Access is what a team grant allows on one engagement (PostgreSQL workspaces only).
type Access string

const (
	AccessLead       Access = "lead"       // reads, writes, grants and revokes on the engagement
	AccessConsultant Access = "consultant" // reads and writes
	AccessAuditor    Access = "auditor"    // reads
	AccessViewer     Access = "viewer"     // reads
)

// Accesses are the grants in order of power.
var Accesses = []Access{AccessLead, AccessConsultant, AccessAuditor, AccessViewer}

// ParseAccess reads an access level as typed.
func ParseAccess(s string) (Access, error) {
	for _, a := range Accesses {
		if strings.EqualFold(strings.TrimSpace(s), string(a)) {
			return a, nil
		}
	}
	return "", fmt.Errorf("%q is not an access level; use lead, consultant, auditor or viewer", s)
}

// Writes reports whether the access lets its role change the engagement.
func (a Access) Writes() bool { return a == AccessLead || a == AccessConsultant }

// Grant is one role's access to one engagement.
type Grant struct {
	Role         string
	EngagementID string
	Access       Access
	GrantedBy    string
	GrantedAt    string
}

// Grant gives a PostgreSQL role access to an engagement (replacing what it had), and records
// it in the history (entity "team_grant"). The workspace's owner and the engagement's leads
// may grant; PostgreSQL refuses anyone else (a *PermissionError).
func (s *Store) Grant(ctx context.Context, role, engagementID string, access Access) error {
	if !s.pg {
		return errSQLiteTeam
	}
	if _, err := ParseAccess(string(access)); err != nil {
		return err
	}
	return s.WithTx(ctx, func(tx *Store) error {
		var exists bool
		if err := tx.h.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?)", role).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return fmt.Errorf("there is no database role %q; create it first (CREATE ROLE %s LOGIN)", role, role)
		}
		old, err := tx.grantOf(ctx, role, engagementID)
		if err != nil {
			return err
		}
		if old == access {
			return nil
		}
		if _, err := tx.h.ExecContext(ctx, `INSERT INTO team_grants(role, engagement_id, access, granted_by, granted_at) VALUES (?, ?, ?, session_user, ?)
			ON CONFLICT (role, engagement_id) DO UPDATE SET access = excluded.access, granted_by = excluded.granted_by, granted_at = excluded.granted_at`,
			role, engagementID, string(access), tx.stamp()); err != nil {
			return err
		}
		return tx.Record(ctx, engagementID, "team_grant", role, []FieldDiff{{Field: "access", Old: string(old), New: string(access)}})
	})
}

// Revoke takes a role's access to an engagement away (ErrNotFound when it had none).
func (s *Store) Revoke(ctx context.Context, role, engagementID string) error {
	if !s.pg {
		return errSQLiteTeam
	}
	return s.WithTx(ctx, func(tx *Store) error {
		old, err := tx.grantOf(ctx, role, engagementID)
		if err != nil {
			return err
		}
		if old == "" {
			return fmt.Errorf("role %q has no access to this engagement: %w", role, ErrNotFound)
		}
		res, err := tx.h.ExecContext(ctx, "DELETE FROM team_grants WHERE role = ? AND engagement_id = ?", role, engagementID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &PermissionError{Detail: "only the workspace's owner and the engagement's leads may revoke"}
		}
		return tx.Record(ctx, engagementID, "team_grant", role, []FieldDiff{{Field: "access", Old: string(old), New: ""}})
	})
}

func (s *Store) grantOf(ctx context.Context, role, engagementID string) (Access, error) {
	var a string
	err := s.h.QueryRowContext(ctx, "SELECT access FROM team_grants WHERE role = ? AND engagement_id = ?", role, engagementID).Scan(&a)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return Access(a), s.dbError(err)
}

// Grants lists the grants the connected role may see (all for the owner; its own and those
// of the engagements it leads otherwise), of one engagement or ("") all, by engagement and role.
func (s *Store) Grants(ctx context.Context, engagementID string) ([]Grant, error) {
	if !s.pg {
		return nil, nil
	}
	q, args := "SELECT role, engagement_id, access, granted_by, granted_at FROM team_grants", []any{}
	if engagementID != "" {
		q += " WHERE engagement_id = ?"
		args = append(args, engagementID)
	}
	rows, err := s.h.QueryContext(ctx, q+" ORDER BY engagement_id, role", args...)
	if err != nil {
		return nil, fmt.Errorf("read team grants: %w", err)
	}
	defer rows.Close()
	var out []Grant
	for rows.Next() {
		var g Grant
		var a string
		if err := rows.Scan(&g.Role, &g.EngagementID, &a, &g.GrantedBy, &g.GrantedAt); err != nil {
			return nil, err
		}
		g.Access = Access(a)
		out = append(out, g)
	}
	return out, rows.Err()
}

// Access is what the connected role may do with an engagement: AccessLead for a SQLite
// workspace (one person's file) and for the owner of a team workspace, else its grant ("" for
// none; such a role does not see the engagement at all).
func (s *Store) Access(ctx context.Context, engagementID string) (Access, error) {
	if !s.pg || s.info.Admin {
		return AccessLead, nil
	}
	return s.grantOf(ctx, s.info.Role, engagementID)
}
