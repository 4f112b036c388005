-- annex workspace schema on PostgreSQL, version 2: the team.
-- Who may read and write which engagement is data (team_grants, written by `annex team
-- grant` and `revoke`) and PostgreSQL enforces it: row-level security on every
-- engagement-owned table. lead and consultant read and write, auditor and viewer only read;
-- a role without a grant sees none of the engagement's rows. The workspace's owner (the role
-- that made it, and every member of that role) administers it and sees everything.
-- A new engagement-owned table is protected with one call: SELECT annex_protect('table').

CREATE TABLE team_grants (
    role          text COLLATE "C" NOT NULL,
    -- No foreign key: the grant outlives a deleted engagement long enough for its
    -- "deleted" history row; `annex team revoke` removes it.
    engagement_id text COLLATE "C" NOT NULL,
    access        text COLLATE "C" NOT NULL CHECK (access IN ('lead', 'consultant', 'auditor', 'viewer')),
    granted_by    text COLLATE "C" NOT NULL DEFAULT session_user,
    granted_at    text COLLATE "C" NOT NULL,
    PRIMARY KEY (role, engagement_id)
);
CREATE INDEX team_grants_engagement ON team_grants (engagement_id);

CREATE FUNCTION annex_is_admin() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    BEGIN ATOMIC SELECT pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = 'meta'::regclass), 'MEMBER'); END;

-- The engagements the connected role holds one of the accesses on.
CREATE FUNCTION annex_engagements(accesses text[]) RETURNS text[] LANGUAGE sql STABLE SECURITY DEFINER
    BEGIN ATOMIC SELECT coalesce(array_agg(g.engagement_id), '{}') FROM team_grants g
        WHERE g.role = session_user::text AND g.access = ANY (accesses); END;

CREATE FUNCTION annex_may_read(engagement text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    BEGIN ATOMIC SELECT annex_is_admin() OR engagement = ANY (annex_engagements('{lead,consultant,auditor,viewer}')); END;

CREATE FUNCTION annex_may_write(engagement text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    BEGIN ATOMIC SELECT annex_is_admin() OR engagement = ANY (annex_engagements('{lead,consultant}')); END;

-- Who may create engagements and import catalogs: the owner, and the roles that lead one.
CREATE FUNCTION annex_may_create() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    BEGIN ATOMIC SELECT annex_is_admin() OR cardinality(annex_engagements('{lead}')) > 0; END;

CREATE FUNCTION annex_is_member() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    BEGIN ATOMIC SELECT annex_is_admin() OR EXISTS (SELECT 1 FROM team_grants g WHERE g.role = session_user::text); END;

-- A delete is refused out loud (a policy would only hide the row).
CREATE FUNCTION annex_check_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    engagement text := to_jsonb(OLD) ->> TG_ARGV[0];
BEGIN
    IF NOT annex_may_write(engagement) THEN
        RAISE EXCEPTION 'role % may only read engagement %', session_user, engagement USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END $$;

-- annex_protect puts an engagement-owned table under the team's rules: read with any grant,
-- insert and update with lead or consultant (a reader's write fails WITH CHECK: SQLSTATE
-- 42501), delete with lead or consultant (trigger).
CREATE FUNCTION annex_protect(tbl regclass, col text DEFAULT 'engagement_id') RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    may_read text := format('(SELECT annex_is_admin()) OR %I = ANY ((SELECT annex_engagements(''{lead,consultant,auditor,viewer}''))::text[])', col);
    may_write text := format('(SELECT annex_is_admin()) OR %I = ANY ((SELECT annex_engagements(''{lead,consultant}''))::text[])', col);
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE format('CREATE POLICY annex_read ON %s FOR SELECT USING (%s)', tbl, may_read);
    EXECUTE format('CREATE POLICY annex_insert ON %s FOR INSERT WITH CHECK (%s)', tbl, may_write);
    EXECUTE format('CREATE POLICY annex_update ON %s FOR UPDATE USING (%s) WITH CHECK (%s)', tbl, may_read, may_write);
    EXECUTE format('CREATE POLICY annex_delete ON %s FOR DELETE USING (%s)', tbl, may_read);
    EXECUTE format('CREATE TRIGGER annex_delete BEFORE DELETE ON %s FOR EACH ROW EXECUTE FUNCTION annex_check_delete(%L)', tbl, col);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO PUBLIC', tbl);
END $$;

SELECT annex_protect('engagements', 'id');
SELECT annex_protect(t) FROM unnest(ARRAY['engagement_standards', 'results', 'result_counts', 'suggestion_skips',
    'risk_matrices', 'risk_sequences', 'risks', 'risk_controls', 'ai_systems', 'impact_assessments', 'impact_areas',
    'impact_risk_links', 'evidence', 'evidence_blobs', 'evidence_links']::regclass[]) AS t;

-- A new engagement: by the owner, or by a role that leads another; it becomes its lead.
DROP POLICY annex_insert ON engagements;
CREATE POLICY annex_insert ON engagements FOR INSERT WITH CHECK ((SELECT annex_may_create()));

CREATE FUNCTION annex_creator_leads() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    IF NOT annex_is_admin() THEN
        INSERT INTO team_grants (role, engagement_id, access, granted_by, granted_at)
            VALUES (session_user, NEW.id, 'lead', session_user, NEW.created_at)
            ON CONFLICT (role, engagement_id) DO UPDATE SET access = 'lead';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER engagements_creator_leads AFTER INSERT ON engagements FOR EACH ROW EXECUTE FUNCTION annex_creator_leads();

-- The history: a row of an engagement is read with a grant on it and appended with write
-- access; rows of the workspace (custom catalogs) are read by every member. Nobody but the
-- owner updates or deletes history rows (no policy, no grant).
ALTER TABLE changes ENABLE ROW LEVEL SECURITY;
CREATE POLICY annex_read ON changes FOR SELECT
    USING ((SELECT annex_is_admin()) OR (engagement_id = '' AND (SELECT annex_is_member()))
        OR engagement_id = ANY ((SELECT annex_engagements('{lead,consultant,auditor,viewer}'))::text[]));
CREATE POLICY annex_insert ON changes FOR INSERT
    WITH CHECK ((SELECT annex_is_admin()) OR (engagement_id = '' AND (SELECT annex_may_create()))
        OR engagement_id = ANY ((SELECT annex_engagements('{lead,consultant}'))::text[]));
GRANT SELECT, INSERT ON changes TO PUBLIC;

ALTER TABLE custom_catalogs ENABLE ROW LEVEL SECURITY;
CREATE POLICY annex_read ON custom_catalogs FOR SELECT USING ((SELECT annex_is_member()));
CREATE POLICY annex_write ON custom_catalogs FOR ALL USING ((SELECT annex_may_create())) WITH CHECK ((SELECT annex_may_create()));
GRANT SELECT, INSERT, UPDATE, DELETE ON custom_catalogs TO PUBLIC;

ALTER TABLE team_grants ENABLE ROW LEVEL SECURITY;
CREATE POLICY annex_read ON team_grants FOR SELECT
    USING ((SELECT annex_is_admin()) OR role = session_user::text OR engagement_id = ANY ((SELECT annex_engagements('{lead}'))::text[]));
CREATE POLICY annex_write ON team_grants FOR ALL
    USING ((SELECT annex_is_admin()) OR engagement_id = ANY ((SELECT annex_engagements('{lead}'))::text[]))
    WITH CHECK ((SELECT annex_is_admin()) OR engagement_id = ANY ((SELECT annex_engagements('{lead}'))::text[]));
GRANT SELECT, INSERT, UPDATE, DELETE ON team_grants TO PUBLIC;

GRANT SELECT ON meta, schema_migrations TO PUBLIC;

DO $$
DECLARE f regprocedure;
BEGIN
    IF NOT has_schema_privilege('public', current_schema(), 'USAGE') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO PUBLIC', current_schema());
    END IF;
    FOR f IN SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.proname LIKE 'annex\_%' LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
    END LOOP;
END $$;
