-- annex workspace schema on PostgreSQL, version 3: ports SQLite's 0008_imported_history.sql.
-- Change history that came with an imported engagement, kept as the source wrote it (see
-- the SQLite migration). Its rows belong to the engagement they were imported into
-- (target_engagement_id): the team's rules protect them like every engagement-owned table.
CREATE TABLE changes_imported (
    segment              text COLLATE "C" NOT NULL,
    pos                  bigint NOT NULL,
    target_engagement_id text COLLATE "C" NOT NULL,
    chain                text COLLATE "C" NOT NULL,
    seq                  bigint NOT NULL,
    at                   text COLLATE "C" NOT NULL,
    author               text COLLATE "C" NOT NULL,
    engagement_id        text COLLATE "C" NOT NULL DEFAULT '',
    entity               text COLLATE "C" NOT NULL,
    entity_id            text COLLATE "C" NOT NULL,
    field                text COLLATE "C" NOT NULL,
    old_value            text COLLATE "C" NOT NULL DEFAULT '',
    new_value            text COLLATE "C" NOT NULL DEFAULT '',
    prev_hash            text COLLATE "C" NOT NULL,
    hash                 text COLLATE "C" NOT NULL,
    PRIMARY KEY (segment, pos)
);
CREATE INDEX changes_imported_engagement ON changes_imported (target_engagement_id, segment, pos);

SELECT annex_protect('changes_imported', 'target_engagement_id');

DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.proname LIKE 'annex\_%' LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
    END LOOP;
END $$;
