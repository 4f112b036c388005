-- annex workspace schema on PostgreSQL, version 6: ports SQLite's 0012_baselines.sql.
-- Baselines and cycles: a baseline names a row of the change history (seq) and its hash;
-- the engagement's state there is rebuilt from the history (see the SQLite migration).

CREATE TABLE baselines (
    id            text COLLATE "C" PRIMARY KEY,
    engagement_id text COLLATE "C" NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    name          text COLLATE "C" NOT NULL CHECK (length(trim(name)) > 0 AND length(name) <= 200),
    kind          text COLLATE "C" NOT NULL DEFAULT 'baseline' CHECK (kind IN ('baseline', 'cycle')),
    from_id       text COLLATE "C" NOT NULL DEFAULT '',
    seq           bigint NOT NULL CHECK (seq >= 0),
    hash          text COLLATE "C" NOT NULL CHECK (length(hash) = 64),
    created_at    text COLLATE "C" NOT NULL,
    created_by    text COLLATE "C" NOT NULL,
    CHECK ((kind = 'cycle') = (from_id <> ''))
);
-- SQLite's UNIQUE (engagement_id, name) on a NOCASE column.
CREATE UNIQUE INDEX baselines_name ON baselines (engagement_id, annex_nocase(name));
CREATE INDEX baselines_engagement ON baselines (engagement_id, seq);

SELECT annex_protect('baselines');

-- The readiness trend and what a cycle touched read one engagement's result rows.
CREATE INDEX changes_engagement_entity ON changes (engagement_id, entity, seq);

-- A baseline's anchor is a row of the whole history, which a team member may not be able to
-- read (another engagement's row): these give its number and hashes only, as
-- annex_chain_links does. The last row (none when the history is empty):
CREATE FUNCTION annex_chain_end() RETURNS TABLE (seq bigint, hash text) LANGUAGE sql STABLE SECURITY DEFINER
    BEGIN ATOMIC SELECT c.seq, c.hash FROM changes c ORDER BY c.seq DESC LIMIT 1; END;

-- The row at a number (none when it is missing):
CREATE FUNCTION annex_chain_link(row_seq bigint) RETURNS TABLE (seq bigint, prev_hash text, hash text) LANGUAGE sql STABLE SECURITY DEFINER
    BEGIN ATOMIC SELECT c.seq, c.prev_hash, c.hash FROM changes c WHERE c.seq = row_seq; END;

-- The hash of the row before a number (the genesis hash when there is none):
CREATE FUNCTION annex_chain_prev(row_seq bigint) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
    BEGIN ATOMIC SELECT coalesce((SELECT c.hash FROM changes c WHERE c.seq < row_seq ORDER BY c.seq DESC LIMIT 1),
        '0000000000000000000000000000000000000000000000000000000000000000'); END;

DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.proname LIKE 'annex\_%' LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
    END LOOP;
END $$;
