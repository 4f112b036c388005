package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/annex-grc/annex/catalogs"
)

// CustomCatalogInfo describes an imported catalog without parsing its source.
type CustomCatalogInfo struct {
	ID, Name   string
	ImportedAt string // RFC 3339 UTC
	ImportedBy string
}

// customCatalogEntity names custom catalogs in the change history; they belong to the
// workspace, not to an engagement, so their rows carry an empty engagement id.
const customCatalogEntity = "custom_catalog"

func sourceDigest(src []byte) string {
	sum := sha256.Sum256(src)
	return hex.EncodeToString(sum[:])
}

func customCatalogMap(c *catalogs.Catalog, src []byte) map[string]string {
	return map[string]string{
		"name":          c.Name,
		"requirements":  strconv.Itoa(len(c.Requirements)),
		"source_sha256": sourceDigest(src),
	}
}

var customCatalogFields = []string{"name", "requirements", "source_sha256"}

// ImportCustomCatalog checks a custom catalog file and keeps its source in the workspace.
// A file with problems returns the *catalogs.CustomError and changes nothing. Importing a
// file whose id is already imported replaces that catalog (replaced is true); results
// recorded against its refs stay. The change history records name, requirement count and
// the SHA-256 of the source.
func (s *Store) ImportCustomCatalog(ctx context.Context, src []byte) (c *catalogs.Catalog, replaced bool, err error) {
	cu, err := catalogs.ParseCustomFile(src)
	if err != nil {
		return nil, false, err
	}
	c = cu.Catalog
	err = s.WithTx(ctx, func(tx *Store) error {
		var oldSrc string
		err := tx.h.QueryRowContext(ctx, "SELECT source FROM custom_catalogs WHERE id = ?", c.ID).Scan(&oldSrc)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.h.ExecContext(ctx, `INSERT INTO custom_catalogs(id, name, source, imported_at, imported_by) VALUES (?, ?, ?, ?, ?)`,
				c.ID, c.Name, string(src), tx.stamp(), tx.author); err != nil {
				return fmt.Errorf("save custom catalog %s: %w", c.ID, err)
			}
			return tx.Record(ctx, "", customCatalogEntity, c.ID,
				Diff(append([]string{"created"}, customCatalogFields...), map[string]string{}, withCreated(customCatalogMap(c, src))))
		case err != nil:
			return fmt.Errorf("read custom catalog %s: %w", c.ID, err)
		}
		replaced = true
		before := map[string]string{"source_sha256": sourceDigest([]byte(oldSrc))}
		if old, err := catalogs.ParseCustom([]byte(oldSrc)); err == nil {
			before = customCatalogMap(old, []byte(oldSrc))
		}
		if _, err := tx.h.ExecContext(ctx, `UPDATE custom_catalogs SET name = ?, source = ?, imported_at = ?, imported_by = ? WHERE id = ?`,
			c.Name, string(src), tx.stamp(), tx.author, c.ID); err != nil {
			return fmt.Errorf("save custom catalog %s: %w", c.ID, err)
		}
		return tx.Record(ctx, "", customCatalogEntity, c.ID, Diff(customCatalogFields, before, customCatalogMap(c, src)))
	})
	if err != nil {
		return nil, false, err
	}
	return c, replaced, nil
}

// DeleteCustomCatalog removes an imported catalog. Results recorded against it stay in the
// workspace (they show again if the catalog is imported again); the history keeps a row.
func (s *Store) DeleteCustomCatalog(ctx context.Context, id string) error {
	return s.WithTx(ctx, func(tx *Store) error {
		var name string
		if err := tx.h.QueryRowContext(ctx, "SELECT name FROM custom_catalogs WHERE id = ?", id).Scan(&name); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("custom catalog %s: %w", id, ErrNotFound)
			}
			return err
		}
		if _, err := tx.h.ExecContext(ctx, "DELETE FROM custom_catalogs WHERE id = ?", id); err != nil {
			return fmt.Errorf("delete custom catalog %s: %w", id, err)
		}
		return tx.Record(ctx, "", customCatalogEntity, id, []FieldDiff{{Field: "deleted", Old: name, New: "yes"}})
	})
}

// CustomCatalogInfos lists the imported catalogs, by id.
func (s *Store) CustomCatalogInfos(ctx context.Context) ([]CustomCatalogInfo, error) {
	rows, err := s.h.QueryContext(ctx, "SELECT id, name, imported_at, imported_by FROM custom_catalogs ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("read custom catalogs: %w", err)
	}
	defer rows.Close()
	var out []CustomCatalogInfo
	for rows.Next() {
		var i CustomCatalogInfo
		if err := rows.Scan(&i.ID, &i.Name, &i.ImportedAt, &i.ImportedBy); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// CustomCatalogSource returns the YAML source of an imported catalog as it was imported.
func (s *Store) CustomCatalogSource(ctx context.Context, id string) ([]byte, error) {
	var src string
	err := s.h.QueryRowContext(ctx, "SELECT source FROM custom_catalogs WHERE id = ?", id).Scan(&src)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("custom catalog %s: %w", id, ErrNotFound)
	}
	return []byte(src), err
}

// CustomCatalogFiles parses every imported catalog with its crosswalk, by id.
func (s *Store) CustomCatalogFiles(ctx context.Context) ([]*catalogs.Custom, error) {
	rows, err := s.h.QueryContext(ctx, "SELECT id, source FROM custom_catalogs ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("read custom catalogs: %w", err)
	}
	defer rows.Close()
	var out []*catalogs.Custom
	for rows.Next() {
		var id, src string
		if err := rows.Scan(&id, &src); err != nil {
			return nil, err
		}
		cu, err := catalogs.ParseCustomFile([]byte(src))
		if err != nil {
			return nil, fmt.Errorf("custom catalog %s kept in the workspace no longer loads (import a corrected file to replace it): %w", id, err)
		}
		out = append(out, cu)
	}
	return out, rows.Err()
}

// CustomCatalogs returns the imported catalogs, by id.
func (s *Store) CustomCatalogs(ctx context.Context) ([]*catalogs.Catalog, error) {
	files, err := s.CustomCatalogFiles(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*catalogs.Catalog, len(files))
	for i, f := range files {
		out[i] = f.Catalog
	}
	return out, nil
}
