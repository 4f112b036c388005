package store

import (
	"context"
	"errors"
	"github.com/annex-grc/annex/internal/pgtest"
	"strings"
	"testing"
	"time"

	"github.com/annex-grc/annex/catalogs"
)

const testCustomCatalog = `id: acme-baseline
name: Acme Baseline
groups:
  - {id: GOV, title: Governance}
requirements:
  - {ref: GOV-1, title: Security policy, group: GOV}
  - {ref: GOV-2, title: Security roles, group: GOV}
crosswalk:
  source: iso27001-2022
  entries:
    - target: GOV-1
      links:
        - {source: A.5.1, relationship: superset, rationale: The 27001 policy set covers it.}
`

func openCatalogTestStore(t *testing.T) (*Store, string) {
	t.Helper()
	path := pgtest.Workspace(t, "ws.db")
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	s, err := Open(context.Background(), path, Options{Author: "tester", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func TestImportCustomCatalog(t *testing.T) {
	ctx := context.Background()
	s, path := openCatalogTestStore(t)
	c, replaced, err := s.ImportCustomCatalog(ctx, []byte(testCustomCatalog))
	if err != nil {
		t.Fatal(err)
	}
	if replaced || c.ID != "acme-baseline" || len(c.Requirements) != 2 {
		t.Fatalf("imported %+v, replaced %v", c, replaced)
	}
	changes, err := s.Changes(ctx, ChangeFilter{Entity: "custom_catalog", EntityID: "acme-baseline"})
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{}
	for _, ch := range changes {
		fields[ch.Field] = ch.New
	}
	if fields["created"] != "yes" || fields["name"] != "Acme Baseline" || fields["requirements"] != "2" || len(fields["source_sha256"]) != 64 {
		t.Errorf("change rows = %+v", fields)
	}

	// Reopen: the catalog and its crosswalk come back from the kept source.
	s.Close()
	s2, err := Open(ctx, path, Options{Author: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	list, err := s2.CustomCatalogs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != "acme-baseline" || !list[0].Custom {
		t.Fatalf("custom catalogs = %+v", list)
	}
	files, err := s2.CustomCatalogFiles(ctx)
	if err != nil || len(files) != 1 || files[0].Crosswalk == nil {
		t.Fatalf("files = %+v, %v", files, err)
	}
	src, err := s2.CustomCatalogSource(ctx, "acme-baseline")
	if err != nil || string(src) != testCustomCatalog {
		t.Errorf("source not kept verbatim: %v", err)
	}
	infos, err := s2.CustomCatalogInfos(ctx)
	if err != nil || len(infos) != 1 || infos[0].ImportedBy != "tester" || infos[0].Name != "Acme Baseline" {
		t.Errorf("infos = %+v, %v", infos, err)
	}

	// Re-import with a third requirement replaces it and records the difference.
	v2 := testCustomCatalog[:strings.Index(testCustomCatalog, "crosswalk:")] + "  - {ref: GOV-3, title: Awareness, group: GOV}\n"
	c, replaced, err = s2.ImportCustomCatalog(ctx, []byte(v2))
	if err != nil || !replaced || len(c.Requirements) != 3 {
		t.Fatalf("re-import: %+v %v %v", c, replaced, err)
	}
	changes, _ = s2.Changes(ctx, ChangeFilter{Entity: "custom_catalog", EntityID: "acme-baseline"})
	last := changes[len(changes)-1]
	if last.Field != "source_sha256" || changes[len(changes)-2].Field != "requirements" || changes[len(changes)-2].Old != "2" || changes[len(changes)-2].New != "3" {
		t.Errorf("re-import history = %+v", changes)
	}
	if n, p, err := s2.VerifyChain(ctx); err != nil || p != nil || n == 0 {
		t.Errorf("chain: %d %+v %v", n, p, err)
	}

	if err := s2.DeleteCustomCatalog(ctx, "acme-baseline"); err != nil {
		t.Fatal(err)
	}
	if list, _ := s2.CustomCatalogs(ctx); len(list) != 0 {
		t.Errorf("still listed after delete: %+v", list)
	}
	if err := s2.DeleteCustomCatalog(ctx, "acme-baseline"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func TestImportCustomCatalogMalformedChangesNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := openCatalogTestStore(t)
	before, _ := s.Changes(ctx, ChangeFilter{})
	_, _, err := s.ImportCustomCatalog(ctx, []byte("id: acme\nname: Acme\ngroups: []\nrequirements: []\n"))
	var ce *catalogs.CustomError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *catalogs.CustomError", err)
	}
	if !strings.Contains(err.Error(), "line 3: groups: needs at least one entry") {
		t.Errorf("err = %v", err)
	}
	after, _ := s.Changes(ctx, ChangeFilter{})
	list, _ := s.CustomCatalogInfos(ctx)
	if len(after) != len(before) || len(list) != 0 {
		t.Errorf("workspace changed: %d change rows (was %d), %d catalogs", len(after), len(before), len(list))
	}
}

func TestCustomCatalogStoredSourceBroken(t *testing.T) {
	ctx := context.Background()
	s, _ := openCatalogTestStore(t)
	if _, err := s.DB().ExecContext(ctx, `INSERT INTO custom_catalogs(id, name, source, imported_at, imported_by) VALUES ('bad', 'Bad', 'id: [', 'x', 'y')`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CustomCatalogs(ctx); err == nil || !strings.Contains(err.Error(), "custom catalog bad kept in the workspace no longer loads") {
		t.Errorf("err = %v", err)
	}
}
