-- annex workspace schema, version 6: maturity 0 is a level, not "not rated".
-- Until now maturity 0 meant "not rated", so level 0 could not be recorded. Not rated is now
-- NULL and 0..5 are levels. SQLite cannot change a CHECK constraint in place: the table is
-- rebuilt and every stored 0 (which meant not rated) becomes NULL.
CREATE TABLE results_new (
    engagement_id TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    standard      TEXT NOT NULL,
    ref           TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'not_assessed' CHECK (status IN
                  ('not_assessed', 'not_implemented', 'partially_implemented', 'implemented', 'not_applicable')),
    maturity      INTEGER CHECK (maturity IS NULL OR maturity BETWEEN 0 AND 5),
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
INSERT INTO results_new SELECT engagement_id, standard, ref, status, nullif(maturity, 0), notes, owner, target_date,
    justification, reasons, needs_review, provenance, updated_at, updated_by FROM results;
DROP TABLE results;
ALTER TABLE results_new RENAME TO results;
