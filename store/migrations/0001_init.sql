-- annex workspace schema, version 1: engagements, requirement results, change history.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE engagements (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL CHECK (length(trim(name)) > 0),
    organisation TEXT NOT NULL DEFAULT '',
    scope        TEXT NOT NULL DEFAULT '',
    lead         TEXT NOT NULL DEFAULT '',
    start_date   TEXT NOT NULL DEFAULT '',
    end_date     TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'on_hold', 'closed')),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE engagement_standards (
    engagement_id TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    standard      TEXT NOT NULL,
    position      INTEGER NOT NULL,
    PRIMARY KEY (engagement_id, standard)
) WITHOUT ROWID;

CREATE TABLE results (
    engagement_id TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    standard      TEXT NOT NULL,
    ref           TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'not_assessed' CHECK (status IN
                  ('not_assessed', 'not_implemented', 'partially_implemented', 'implemented', 'not_applicable')),
    maturity      INTEGER NOT NULL DEFAULT 0 CHECK (maturity BETWEEN 0 AND 5),
    notes         TEXT NOT NULL DEFAULT '',
    owner         TEXT NOT NULL DEFAULT '',
    target_date   TEXT NOT NULL DEFAULT '',
    justification TEXT NOT NULL DEFAULT '',
    reasons       TEXT NOT NULL DEFAULT '',
    needs_review  INTEGER NOT NULL DEFAULT 0 CHECK (needs_review IN (0, 1)),
    provenance    TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    PRIMARY KEY (engagement_id, standard, ref),
    CHECK (status <> 'not_applicable' OR length(trim(justification)) > 0)
) WITHOUT ROWID;

-- Every edit of every entity, written in the edit's own transaction. Rows are chained:
-- hash = SHA-256 over the previous row's hash and this row's fields, so an edited or
-- deleted row breaks the chain (annex log --verify). No foreign key: history outlives deletes.
CREATE TABLE changes (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    at            TEXT NOT NULL,
    author        TEXT NOT NULL,
    engagement_id TEXT NOT NULL DEFAULT '',
    entity        TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    field         TEXT NOT NULL,
    old_value     TEXT NOT NULL DEFAULT '',
    new_value     TEXT NOT NULL DEFAULT '',
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX changes_engagement ON changes (engagement_id, seq);
CREATE INDEX changes_entity ON changes (entity, entity_id, seq);
