-- annex workspace schema, version 2: custom catalogs and skipped crosswalk suggestions.

-- A framework a user imported (annex catalog import FILE). The YAML source is kept as
-- written, so the catalog loads again exactly as checked, and an export can hand it over.
CREATE TABLE custom_catalogs (
    id          TEXT PRIMARY KEY CHECK (length(id) BETWEEN 2 AND 64),
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    source      TEXT NOT NULL CHECK (length(source) > 0),
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL
) WITHOUT ROWID;

-- A crosswalk suggestion the consultant skipped: requirement (standard, ref) of the
-- engagement would adopt from (from_standard, from_ref). Skipped pairs are not offered again.
CREATE TABLE suggestion_skips (
    engagement_id TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    standard      TEXT NOT NULL,
    ref           TEXT NOT NULL,
    from_standard TEXT NOT NULL,
    from_ref      TEXT NOT NULL,
    skipped_at    TEXT NOT NULL,
    skipped_by    TEXT NOT NULL,
    PRIMARY KEY (engagement_id, standard, ref, from_standard, from_ref)
) WITHOUT ROWID;
