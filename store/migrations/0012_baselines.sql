-- annex workspace schema, version 12: baselines and cycles.
-- A baseline names a point of the change history: the row it was made on (seq) and that
-- row's hash. The engagement's state at that point is rebuilt from the history, so a
-- baseline costs one row. Its own creation is a history row too, so neither its name nor
-- its anchor can be changed without `annex log --verify` noticing; the anchor is checked
-- against the chain (the row at seq must still carry hash).
-- A cycle (kind 'cycle') starts a new assessment cycle from a baseline (from_id): the
-- statuses stay, and every requirement not touched since the cycle's anchor is to be
-- re-confirmed.
CREATE TABLE IF NOT EXISTS baselines (
    id            TEXT PRIMARY KEY,
    engagement_id TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    name          TEXT NOT NULL COLLATE NOCASE CHECK (length(trim(name)) > 0 AND length(name) <= 200),
    kind          TEXT NOT NULL DEFAULT 'baseline' CHECK (kind IN ('baseline', 'cycle')),
    from_id       TEXT NOT NULL DEFAULT '',
    seq           INTEGER NOT NULL CHECK (seq >= 0),
    hash          TEXT NOT NULL CHECK (length(hash) = 64),
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    UNIQUE (engagement_id, name),
    CHECK ((kind = 'cycle') = (from_id <> ''))
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS baselines_engagement ON baselines (engagement_id, seq);

-- The readiness trend across baselines (StatusesAt) and what a cycle touched (TouchedSince)
-- read the result rows of one engagement: this index finds them without walking the
-- engagement's whole history (46,000 rows in the large demo, most of them risks).
CREATE INDEX IF NOT EXISTS changes_engagement_entity ON changes (engagement_id, entity, seq);
