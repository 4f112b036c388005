-- Change history that came with an imported engagement, kept as it was written in the
-- workspace it came from: original authors, times, sequence numbers and hashes. Each
-- segment is one chain of the source (identified by that workspace's id) and is anchored
-- by one row of this workspace's own chain (entity 'history', field 'imported', entity_id =
-- segment) that records the segment's row count, head hash and digest, so `annex log
-- --verify` proves the segment was not changed after it was imported. No foreign key:
-- history outlives deletes.
CREATE TABLE IF NOT EXISTS changes_imported (
    segment              TEXT NOT NULL,
    pos                  INTEGER NOT NULL,
    target_engagement_id TEXT NOT NULL,
    chain                TEXT NOT NULL,
    seq                  INTEGER NOT NULL,
    at                   TEXT NOT NULL,
    author               TEXT NOT NULL,
    engagement_id        TEXT NOT NULL DEFAULT '',
    entity               TEXT NOT NULL,
    entity_id            TEXT NOT NULL,
    field                TEXT NOT NULL,
    old_value            TEXT NOT NULL DEFAULT '',
    new_value            TEXT NOT NULL DEFAULT '',
    prev_hash            TEXT NOT NULL,
    hash                 TEXT NOT NULL,
    PRIMARY KEY (segment, pos)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS changes_imported_engagement ON changes_imported (target_engagement_id, segment, pos);
