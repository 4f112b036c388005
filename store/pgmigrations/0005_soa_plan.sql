-- annex workspace schema on PostgreSQL, version 5: ports SQLite's 0011_soa_plan.sql.
-- The Statement of Applicability as a controlled document (numbered versions, approved and
-- frozen), the risk treatment plan, the management report's document control, and the
-- audit packs written (see the SQLite migration for the meaning).

CREATE TABLE soa_versions (
    id              text COLLATE "C" PRIMARY KEY,
    engagement_id   text COLLATE "C" NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    standard        text COLLATE "C" NOT NULL CHECK (length(trim(standard)) > 0),
    version         bigint NOT NULL CHECK (version >= 1),
    state           text COLLATE "C" NOT NULL CHECK (state IN ('draft', 'approved')),
    change_summary  text COLLATE "C" NOT NULL CHECK (length(trim(change_summary)) > 0),
    approver        text COLLATE "C" NOT NULL DEFAULT '',
    approved_on     text COLLATE "C" NOT NULL DEFAULT '',
    entries         text COLLATE "C" NOT NULL CHECK (jsonb_typeof(entries::jsonb) = 'array'),
    contents_sha256 text COLLATE "C" NOT NULL CHECK (length(contents_sha256) = 64),
    issued_at       text COLLATE "C" NOT NULL,
    issued_by       text COLLATE "C" NOT NULL,
    updated_at      text COLLATE "C" NOT NULL,
    updated_by      text COLLATE "C" NOT NULL,
    UNIQUE (engagement_id, standard, version),
    CHECK (state = 'draft' OR (length(trim(approver)) > 0 AND length(approved_on) = 10)),
    CHECK (state = 'approved' OR (approver = '' AND approved_on = ''))
);

-- At most one draft per engagement and standard: issuing again re-takes it.
CREATE UNIQUE INDEX soa_versions_one_draft ON soa_versions (engagement_id, standard) WHERE state = 'draft';

-- An approved version is frozen, whatever program writes to the database.
CREATE FUNCTION annex_soa_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.state = 'approved' THEN
        RAISE EXCEPTION 'SoA version is approved and frozen' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER soa_versions_frozen BEFORE UPDATE ON soa_versions FOR EACH ROW EXECUTE FUNCTION annex_soa_frozen();

CREATE TABLE treatment_actions (
    id             text COLLATE "C" PRIMARY KEY,
    risk_id        text COLLATE "C" NOT NULL REFERENCES risks(id) ON DELETE CASCADE,
    engagement_id  text COLLATE "C" NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    title          text COLLATE "C" NOT NULL CHECK (length(trim(title)) > 0),
    owner          text COLLATE "C" NOT NULL DEFAULT '',
    resources      text COLLATE "C" NOT NULL DEFAULT '',
    start_date     text COLLATE "C" NOT NULL DEFAULT '',
    due_date       text COLLATE "C" NOT NULL DEFAULT '',
    status         text COLLATE "C" NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    controls       text COLLATE "C" NOT NULL DEFAULT '',
    corrective_ref text COLLATE "C" NOT NULL DEFAULT '',
    created_at     text COLLATE "C" NOT NULL,
    updated_at     text COLLATE "C" NOT NULL,
    updated_by     text COLLATE "C" NOT NULL,
    CHECK (start_date = '' OR due_date = '' OR due_date >= start_date)
);
CREATE INDEX treatment_actions_risk ON treatment_actions (risk_id);
CREATE INDEX treatment_actions_engagement ON treatment_actions (engagement_id, due_date);

CREATE TABLE report_controls (
    engagement_id  text COLLATE "C" PRIMARY KEY REFERENCES engagements(id) ON DELETE CASCADE,
    version        text COLLATE "C" NOT NULL DEFAULT '',
    status         text COLLATE "C" NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'final')),
    classification text COLLATE "C" NOT NULL DEFAULT 'confidential' CHECK (classification IN ('public', 'internal', 'confidential', 'restricted')),
    distribution   text COLLATE "C" NOT NULL DEFAULT '',
    approver       text COLLATE "C" NOT NULL DEFAULT '',
    approved_on    text COLLATE "C" NOT NULL DEFAULT '',
    updated_at     text COLLATE "C" NOT NULL,
    updated_by     text COLLATE "C" NOT NULL,
    CHECK (status = 'draft' OR (length(trim(approver)) > 0 AND length(approved_on) = 10))
);

CREATE TABLE pack_records (
    id             text COLLATE "C" PRIMARY KEY,
    engagement_id  text COLLATE "C" NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    as_of          text COLLATE "C" NOT NULL,
    written_at     text COLLATE "C" NOT NULL,
    written_by     text COLLATE "C" NOT NULL,
    path           text COLLATE "C" NOT NULL,
    sha256         text COLLATE "C" NOT NULL,
    snapshot       text COLLATE "C" NOT NULL CHECK (snapshot::jsonb IS NOT NULL)
);
CREATE INDEX pack_records_engagement ON pack_records (engagement_id, as_of);

SELECT annex_protect('soa_versions');
SELECT annex_protect('treatment_actions');
SELECT annex_protect('report_controls');

-- A written pack is recorded by whoever exported it: exporting is reading, so every role
-- granted on the engagement (auditors and viewers too) records its packs. Its rows are read
-- with a grant on the engagement (the snapshot sums up the engagement), never updated, and
-- deleted with write access (an engagement deleted takes its packs with it).
SELECT annex_protect('pack_records');
DROP POLICY annex_insert ON pack_records;
CREATE POLICY annex_insert ON pack_records FOR INSERT
    WITH CHECK ((SELECT annex_is_admin()) OR engagement_id = ANY ((SELECT annex_engagements('{lead,consultant,auditor,viewer}'))::text[]));
DROP POLICY annex_update ON pack_records;
REVOKE UPDATE ON pack_records FROM PUBLIC;

-- The history row of a written pack belongs to the workspace (engagement_id '', so that
-- exporting leaves the engagement's history alone: SQLite's 0011), but says which
-- engagement it showed: it is read, and appended, by the roles that may read that pack.
DROP POLICY annex_read ON changes;
CREATE POLICY annex_read ON changes FOR SELECT
    USING ((SELECT annex_is_admin())
        OR (engagement_id = '' AND entity <> 'audit_pack' AND (SELECT annex_is_member()))
        OR (engagement_id = '' AND entity = 'audit_pack' AND EXISTS (SELECT 1 FROM pack_records p WHERE p.id = entity_id))
        OR engagement_id = ANY ((SELECT annex_engagements('{lead,consultant,auditor,viewer}'))::text[]));
DROP POLICY annex_insert ON changes;
CREATE POLICY annex_insert ON changes FOR INSERT
    WITH CHECK ((SELECT annex_is_admin())
        OR (engagement_id = '' AND entity <> 'audit_pack' AND (SELECT annex_may_create()))
        OR (engagement_id = '' AND entity = 'audit_pack' AND EXISTS (SELECT 1 FROM pack_records p WHERE p.id = entity_id))
        OR engagement_id = ANY ((SELECT annex_engagements('{lead,consultant}'))::text[]));

-- The end of the history as an audit pack records it (Store.PackChainHead): the last row
-- that is not the record of a pack written, and how many rows the history has up to it,
-- whatever rows the caller may read. No row when there is none.
CREATE FUNCTION annex_pack_chain_head() RETURNS TABLE (length bigint, head text) LANGUAGE sql STABLE SECURITY DEFINER
    BEGIN ATOMIC
        SELECT (SELECT count(*) FROM changes c WHERE c.seq <= l.seq), l.hash
        FROM (SELECT c.seq, c.hash FROM changes c WHERE c.entity <> 'audit_pack' ORDER BY c.seq DESC LIMIT 1) AS l;
    END;

DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.proname LIKE 'annex\_%' LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
    END LOOP;
END $$;
