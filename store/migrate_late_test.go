package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/annex-grc/annex/assessments"
	"github.com/annex-grc/annex/catalogs"
)

// A workspace made by an annex that had migration 0010 but not yet 0009 (branches merged in
// another order) is at the latest version without the audit tables: a writable open creates
// them, keeping the version and the data; a read-only open says it needs an upgrade.
func TestLateMigrationRunsOnAWorkspaceAlreadyPastIt(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.db")
	s, err := Open(ctx, path, Options{Author: "a"})
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.CreateEngagement(ctx, assessments.Engagement{Name: "Late", Standards: []string{catalogs.ISO27001, catalogs.ISO42001}})
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{"DROP TABLE corrective_actions", "DROP TABLE findings", "DROP TABLE audit_item_evidence",
		"DROP TABLE audit_items", "DROP TABLE audits", "DROP TABLE audit_sequences"} {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			t.Fatal(stmt, err)
		}
	}
	v, _ := s.userVersion(ctx)
	s.Close()

	ro, err := Open(ctx, path, Options{ReadOnly: true})
	if err == nil {
		ro.Close()
		t.Fatal("a read-only open of a workspace without the audit tables succeeded")
	} else if !strings.Contains(err.Error(), "0009_audits.sql") || !strings.Contains(err.Error(), "open it once with write access") {
		t.Errorf("read-only open: %v", err)
	}

	s, err = Open(ctx, path, Options{Author: "a"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, _ := s.userVersion(ctx); got != v {
		t.Errorf("version %d after the late migration, want %d", got, v)
	}
	if _, err := s.CreateAudit(ctx, sampleAudit(e)); err != nil {
		t.Fatalf("audit after the late migration: %v", err)
	}
	if late, err := s.lateMigrations(ctx, mustMigrations(t), v); err != nil || len(late) != 0 {
		t.Errorf("still late: %v %v", late, err)
	}
	checkChain(t, s)
}

func mustMigrations(t *testing.T) []migration {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	return ms
}
