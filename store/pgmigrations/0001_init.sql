-- annex workspace schema on PostgreSQL, version 1: everything SQLite's migrations 0001-0007 make
-- (engagements, results, custom catalogs, suggestion skips, risks, AI systems and impact
-- assessments, evidence, result counts, the change history), in PostgreSQL's words.
-- Dialect rules (docs/ARCHITECTURE.md, "Backends"): TEXT is text COLLATE "C" (SQLite compares
-- bytes; so does "C", so every ORDER BY gives the same order on both backends), INTEGER is
-- bigint, BLOB is bytea, WITHOUT ROWID goes, json_valid/json_array_length become jsonb casts,
-- triggers are plpgsql functions, COLLATE NOCASE is annex_nocase() (ASCII only, like SQLite).

-- The schema's version: one row per migration applied (SQLite keeps PRAGMA user_version).
CREATE TABLE schema_migrations (
    version    bigint PRIMARY KEY,
    name       text COLLATE "C" NOT NULL,
    applied_at text COLLATE "C" NOT NULL
);

CREATE FUNCTION annex_nocase(v text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN translate(v, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') COLLATE "C";

-- The workspace's write lock: one per schema, taken at the start of every write transaction.
CREATE FUNCTION annex_lock() RETURNS void LANGUAGE sql VOLATILE
    BEGIN ATOMIC SELECT pg_advisory_xact_lock(1095650904, hashtext(current_schema())); END;

CREATE TABLE meta (
    key   text COLLATE "C" PRIMARY KEY,
    value text COLLATE "C" NOT NULL
);

CREATE TABLE engagements (
    id           text COLLATE "C" PRIMARY KEY,
    name         text COLLATE "C" NOT NULL CHECK (length(trim(name)) > 0),
    organisation text COLLATE "C" NOT NULL DEFAULT '',
    scope        text COLLATE "C" NOT NULL DEFAULT '',
    lead         text COLLATE "C" NOT NULL DEFAULT '',
    start_date   text COLLATE "C" NOT NULL DEFAULT '',
    end_date     text COLLATE "C" NOT NULL DEFAULT '',
    status       text COLLATE "C" NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'on_hold', 'closed')),
    created_at   text COLLATE "C" NOT NULL,
    updated_at   text COLLATE "C" NOT NULL
);

CREATE TABLE engagement_standards (
    engagement_id text COLLATE "C" NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    standard      text COLLATE "C" NOT NULL,
    position      bigint NOT NULL,
    PRIMARY KEY (engagement_id, standard)
);

CREATE TABLE results (
    engagement_id text COLLATE "C" NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    standard      text COLLATE "C" NOT NULL,
    ref           text COLLATE "C" NOT NULL,
    status        text COLLATE "C" NOT NULL DEFAULT 'not_assessed' CHECK (status IN
                  ('not_assessed', 'not_implemented', 'partially_implemented', 'implemented', 'not_applicable')),
    maturity      bigint CHECK (maturity IS NULL OR maturity BETWEEN 0 AND 5),
    notes         text COLLATE "C" NOT NULL DEFAULT '',
    owner         text COLLATE "C" NOT NULL DEFAULT '',
    target_date   text COLLATE "C" NOT NULL DEFAULT '',
    justification text COLLATE "C" NOT NULL DEFAULT '',
    reasons       text COLLATE "C" NOT NULL DEFAULT '',
    needs_review  bigint NOT NULL DEFAULT 0 CHECK (needs_review IN (0, 1)),
    provenance    text COLLATE "C" NOT NULL DEFAULT '',
    updated_at    text COLLATE "C" NOT NULL,
    updated_by    text COLLATE "C" NOT NULL,
    PRIMARY KEY (engagement_id, standard, ref),
    CHECK (status <> 'not_applicable' OR length(trim(justification)) > 0)
);

-- The change history. seq, the chain's link and (outside a workspace copy) the author are
-- the server's: see changes_append below.
CREATE TABLE changes (
    seq           bigint PRIMARY KEY,
    at            text COLLATE "C" NOT NULL,
    author        text COLLATE "C" NOT NULL DEFAULT session_user,
    engagement_id text COLLATE "C" NOT NULL DEFAULT '',
    entity        text COLLATE "C" NOT NULL,
    entity_id     text COLLATE "C" NOT NULL,
    field         text COLLATE "C" NOT NULL,
    old_value     text COLLATE "C" NOT NULL DEFAULT '',
    new_value     text COLLATE "C" NOT NULL DEFAULT '',
    prev_hash     text COLLATE "C" NOT NULL,
    hash          text COLLATE "C" NOT NULL
);
CREATE INDEX changes_engagement ON changes (engagement_id, seq);
CREATE INDEX changes_entity ON changes (entity, entity_id, seq);

-- The last row number handed out (SQLite's sqlite_sequence for changes): rows cut from the
-- end leave it higher than the last row. Written in the appending transaction, so a rolled
-- back edit leaves no gap.
CREATE TABLE chain_counter (
    one  boolean PRIMARY KEY DEFAULT true CHECK (one),
    last bigint NOT NULL CHECK (last >= 0)
);
INSERT INTO chain_counter (one, last) VALUES (true, 0);

CREATE TABLE custom_catalogs (
    id          text COLLATE "C" PRIMARY KEY CHECK (length(id) BETWEEN 2 AND 64),
    name        text COLLATE "C" NOT NULL CHECK (length(trim(name)) > 0),
    source      text COLLATE "C" NOT NULL CHECK (length(source) > 0),
    imported_at text COLLATE "C" NOT NULL,
    imported_by text COLLATE "C" NOT NULL
);

CREATE TABLE suggestion_skips (
    engagement_id text COLLATE "C" NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    standard      text COLLATE "C" NOT NULL,
    ref           text COLLATE "C" NOT NULL,
    from_standard text COLLATE "C" NOT NULL,
    from_ref      text COLLATE "C" NOT NULL,
    skipped_at    text COLLATE "C" NOT NULL,
    skipped_by    text COLLATE "C" NOT NULL,
    PRIMARY KEY (engagement_id, standard, ref, from_standard, from_ref)
);

CREATE TABLE risk_matrices (
    engagement_id      text COLLATE "C" PRIMARY KEY REFERENCES engagements(id) ON DELETE CASCADE,
    size               bigint NOT NULL CHECK (size BETWEEN 3 AND 5),
    likelihood_labels  text COLLATE "C" NOT NULL CHECK (jsonb_array_length(likelihood_labels::jsonb) = size),
    consequence_labels text COLLATE "C" NOT NULL CHECK (jsonb_array_length(consequence_labels::jsonb) = size),
    level_names        text COLLATE "C" NOT NULL CHECK (jsonb_array_length(level_names::jsonb) BETWEEN 2 AND 5),
    cells              text COLLATE "C" NOT NULL CHECK (jsonb_array_length(cells::jsonb) = size),
    threshold          bigint NOT NULL CHECK (threshold >= 0 AND threshold < jsonb_array_length(level_names::jsonb)),
    updated_at         text COLLATE "C" NOT NULL,
    updated_by         text COLLATE "C" NOT NULL
);

CREATE TABLE risk_sequences (
    engagement_id text COLLATE "C" PRIMARY KEY REFERENCES engagements(id) ON DELETE CASCADE,
    last          bigint NOT NULL CHECK (last >= 0)
);

CREATE TABLE risks (
    id                      text COLLATE "C" PRIMARY KEY,
    engagement_id           text COLLATE "C" NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    seq                     bigint NOT NULL CHECK (seq > 0),
    ref                     text COLLATE "C" NOT NULL,
    title                   text COLLATE "C" NOT NULL CHECK (length(trim(title)) > 0),
    description             text COLLATE "C" NOT NULL DEFAULT '',
    scope                   text COLLATE "C" NOT NULL CHECK (scope IN ('security', 'ai', 'both')),
    approach                text COLLATE "C" NOT NULL DEFAULT '' CHECK (approach IN ('', 'asset', 'event')),
    risk_source             text COLLATE "C" NOT NULL DEFAULT '',
    threat                  text COLLATE "C" NOT NULL DEFAULT '',
    vulnerability           text COLLATE "C" NOT NULL DEFAULT '',
    scenario                text COLLATE "C" NOT NULL DEFAULT '',
    asset                   text COLLATE "C" NOT NULL DEFAULT '',
    ai_system_id            text COLLATE "C" NOT NULL DEFAULT '',
    owner                   text COLLATE "C" NOT NULL DEFAULT '',
    properties              text COLLATE "C" NOT NULL DEFAULT '',
    objectives              text COLLATE "C" NOT NULL DEFAULT '',
    risk_sources            text COLLATE "C" NOT NULL DEFAULT '',
    consequence_org         text COLLATE "C" NOT NULL DEFAULT '',
    consequence_individuals text COLLATE "C" NOT NULL DEFAULT '',
    consequence_society     text COLLATE "C" NOT NULL DEFAULT '',
    inherent_likelihood     bigint NOT NULL CHECK (inherent_likelihood BETWEEN 1 AND 5),
    inherent_consequence    bigint NOT NULL CHECK (inherent_consequence BETWEEN 1 AND 5),
    existing_controls       text COLLATE "C" NOT NULL DEFAULT '',
    treatment               text COLLATE "C" NOT NULL DEFAULT '' CHECK (treatment IN ('', 'modify', 'retain', 'avoid', 'share')),
    treatment_plan          text COLLATE "C" NOT NULL DEFAULT '',
    residual_likelihood     bigint NOT NULL DEFAULT 0 CHECK (residual_likelihood BETWEEN 0 AND 5),
    residual_consequence    bigint NOT NULL DEFAULT 0 CHECK (residual_consequence BETWEEN 0 AND 5),
    accepted_by             text COLLATE "C" NOT NULL DEFAULT '',
    accepted_on             text COLLATE "C" NOT NULL DEFAULT '',
    acceptance_rationale    text COLLATE "C" NOT NULL DEFAULT '',
    accepted_likelihood     bigint NOT NULL DEFAULT 0 CHECK (accepted_likelihood BETWEEN 0 AND 5),
    accepted_consequence    bigint NOT NULL DEFAULT 0 CHECK (accepted_consequence BETWEEN 0 AND 5),
    review_date             text COLLATE "C" NOT NULL DEFAULT '',
    status                  text COLLATE "C" NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_treatment', 'accepted', 'closed')),
    created_at              text COLLATE "C" NOT NULL,
    updated_at              text COLLATE "C" NOT NULL,
    updated_by              text COLLATE "C" NOT NULL,
    UNIQUE (engagement_id, seq),
    UNIQUE (engagement_id, ref),
    CHECK ((residual_likelihood = 0) = (residual_consequence = 0)),
    CHECK ((accepted_by = '') = (accepted_likelihood = 0))
);

-- engagement_id is PostgreSQL's only (filled from the risk, see annex_fill_engagement): every
-- engagement-owned table carries it, so one row-level policy protects them all.
CREATE TABLE risk_controls (
    risk_id       text COLLATE "C" NOT NULL REFERENCES risks(id) ON DELETE CASCADE,
    standard      text COLLATE "C" NOT NULL,
    ref           text COLLATE "C" NOT NULL,
    position      bigint NOT NULL,
    engagement_id text COLLATE "C" NOT NULL,
    PRIMARY KEY (risk_id, standard, ref)
);
CREATE INDEX risk_controls_requirement ON risk_controls (standard, ref);

CREATE TABLE ai_systems (
    id                 text COLLATE "C" PRIMARY KEY,
    engagement_id      text COLLATE "C" NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    name               text COLLATE "C" NOT NULL CHECK (length(trim(name)) > 0),
    purpose            text COLLATE "C" NOT NULL DEFAULT '',
    type               text COLLATE "C" NOT NULL DEFAULT '',
    role               text COLLATE "C" NOT NULL CHECK (role IN ('provider', 'producer', 'customer', 'partner', 'subject')),
    stage              text COLLATE "C" NOT NULL DEFAULT '' CHECK (stage IN ('', 'inception', 'design_development',
                       'verification_validation', 'deployment', 'operation_monitoring', 're_evaluation', 'retirement')),
    data_sources       text COLLATE "C" NOT NULL DEFAULT '',
    data_categories    text COLLATE "C" NOT NULL DEFAULT '',
    personal_data      bigint NOT NULL DEFAULT 0 CHECK (personal_data IN (0, 1)),
    deployment_context text COLLATE "C" NOT NULL DEFAULT '',
    jurisdictions      text COLLATE "C" NOT NULL DEFAULT '',
    users              text COLLATE "C" NOT NULL DEFAULT '',
    affected_people    text COLLATE "C" NOT NULL DEFAULT '',
    automation         text COLLATE "C" NOT NULL DEFAULT '' CHECK (automation IN ('', 'advisory', 'human_in_loop', 'human_on_loop', 'autonomous')),
    human_oversight    text COLLATE "C" NOT NULL DEFAULT '',
    third_party        text COLLATE "C" NOT NULL DEFAULT '',
    owner              text COLLATE "C" NOT NULL DEFAULT '',
    created_at         text COLLATE "C" NOT NULL,
    updated_at         text COLLATE "C" NOT NULL,
    updated_by         text COLLATE "C" NOT NULL
);
-- SQLite: name COLLATE NOCASE with UNIQUE (engagement_id, name).
CREATE UNIQUE INDEX ai_systems_name ON ai_systems (engagement_id, annex_nocase(name));

CREATE TABLE impact_assessments (
    id                 text COLLATE "C" PRIMARY KEY,
    ai_system_id       text COLLATE "C" NOT NULL REFERENCES ai_systems(id) ON DELETE CASCADE,
    engagement_id      text COLLATE "C" NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    version            bigint NOT NULL CHECK (version >= 1),
    trigger_kind       text COLLATE "C" NOT NULL DEFAULT '' CHECK (trigger_kind IN ('', 'new_system', 'significant_change', 'periodic_review', 'incident')),
    trigger_note       text COLLATE "C" NOT NULL DEFAULT '',
    scope              text COLLATE "C" NOT NULL DEFAULT '',
    assessors          text COLLATE "C" NOT NULL DEFAULT '',
    purpose            text COLLATE "C" NOT NULL DEFAULT '',
    intended_uses      text COLLATE "C" NOT NULL DEFAULT '',
    misuse             text COLLATE "C" NOT NULL DEFAULT '',
    failure_modes      text COLLATE "C" NOT NULL DEFAULT '',
    data_sources       text COLLATE "C" NOT NULL DEFAULT '',
    data_provenance    text COLLATE "C" NOT NULL DEFAULT '',
    data_quality       text COLLATE "C" NOT NULL DEFAULT '',
    known_bias         text COLLATE "C" NOT NULL DEFAULT '',
    model_kind         text COLLATE "C" NOT NULL DEFAULT '',
    model_provider     text COLLATE "C" NOT NULL DEFAULT '',
    model_changes      text COLLATE "C" NOT NULL DEFAULT '',
    geography          text COLLATE "C" NOT NULL DEFAULT '',
    languages          text COLLATE "C" NOT NULL DEFAULT '',
    jurisdictions      text COLLATE "C" NOT NULL DEFAULT '',
    deployment_context text COLLATE "C" NOT NULL DEFAULT '',
    interested_parties text COLLATE "C" NOT NULL DEFAULT '',
    vulnerable_groups  text COLLATE "C" NOT NULL DEFAULT '',
    class_override     text COLLATE "C" NOT NULL DEFAULT '' CHECK (class_override IN ('', 'low', 'medium', 'high')),
    override_reason    text COLLATE "C" NOT NULL DEFAULT '',
    review_date        text COLLATE "C" NOT NULL DEFAULT '',
    decision           text COLLATE "C" NOT NULL DEFAULT '' CHECK (decision IN ('', 'approve', 'approve_with_conditions', 'reject')),
    approver           text COLLATE "C" NOT NULL DEFAULT '',
    decision_date      text COLLATE "C" NOT NULL DEFAULT '',
    rationale          text COLLATE "C" NOT NULL DEFAULT '',
    conditions         text COLLATE "C" NOT NULL DEFAULT '',
    last_step          bigint NOT NULL DEFAULT 0 CHECK (last_step BETWEEN 0 AND 8),
    created_at         text COLLATE "C" NOT NULL,
    updated_at         text COLLATE "C" NOT NULL,
    updated_by         text COLLATE "C" NOT NULL,
    UNIQUE (ai_system_id, version),
    CHECK (class_override = '' OR length(trim(override_reason)) > 0),
    CHECK (decision = '' OR (length(trim(approver)) > 0 AND length(decision_date) = 10 AND length(trim(rationale)) > 0)),
    CHECK (decision <> 'approve_with_conditions' OR length(trim(conditions)) > 0)
);
CREATE INDEX impact_assessments_engagement ON impact_assessments (engagement_id, ai_system_id, version);

CREATE TABLE impact_areas (
    assessment_id       text COLLATE "C" NOT NULL REFERENCES impact_assessments(id) ON DELETE CASCADE,
    area                text COLLATE "C" NOT NULL CHECK (area IN ('fairness', 'accountability', 'transparency', 'privacy_security',
                        'safety_health', 'financial', 'accessibility', 'human_rights', 'environmental', 'economic_societal')),
    effect              text COLLATE "C" NOT NULL DEFAULT '' CHECK (effect IN ('', 'none', 'benefit', 'harm')),
    description         text COLLATE "C" NOT NULL DEFAULT '',
    severity            bigint NOT NULL DEFAULT 0 CHECK (severity BETWEEN 0 AND 5),
    likelihood          bigint NOT NULL DEFAULT 0 CHECK (likelihood BETWEEN 0 AND 5),
    reversibility       text COLLATE "C" NOT NULL DEFAULT '' CHECK (reversibility IN ('', 'reversible', 'partly_reversible', 'irreversible')),
    scale               text COLLATE "C" NOT NULL DEFAULT '' CHECK (scale IN ('', 'individual', 'group', 'society')),
    measures            text COLLATE "C" NOT NULL DEFAULT '',
    measures_note       text COLLATE "C" NOT NULL DEFAULT '',
    residual_severity   bigint NOT NULL DEFAULT 0 CHECK (residual_severity BETWEEN 0 AND 5),
    residual_likelihood bigint NOT NULL DEFAULT 0 CHECK (residual_likelihood BETWEEN 0 AND 5),
    engagement_id       text COLLATE "C" NOT NULL,
    PRIMARY KEY (assessment_id, area)
);

CREATE TABLE impact_risk_links (
    assessment_id text COLLATE "C" NOT NULL REFERENCES impact_assessments(id) ON DELETE CASCADE,
    area          text COLLATE "C" NOT NULL,
    risk_id       text COLLATE "C" NOT NULL,
    created_at    text COLLATE "C" NOT NULL,
    engagement_id text COLLATE "C" NOT NULL,
    PRIMARY KEY (assessment_id, area, risk_id)
);

CREATE FUNCTION annex_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'impact_assessments' THEN
        IF OLD.decision <> '' THEN
            RAISE EXCEPTION 'impact assessment version is decided and frozen' USING ERRCODE = 'check_violation';
        END IF;
    ELSIF (SELECT decision FROM impact_assessments WHERE id = NEW.assessment_id) <> '' THEN
        RAISE EXCEPTION 'impact assessment version is decided and frozen' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER impact_assessments_frozen BEFORE UPDATE ON impact_assessments FOR EACH ROW EXECUTE FUNCTION annex_frozen();
CREATE TRIGGER impact_areas_frozen BEFORE INSERT OR UPDATE ON impact_areas FOR EACH ROW EXECUTE FUNCTION annex_frozen();

CREATE TABLE evidence (
    id            text COLLATE "C" PRIMARY KEY,
    engagement_id text COLLATE "C" NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    title         text COLLATE "C" NOT NULL CHECK (length(trim(title)) > 0),
    kind          text COLLATE "C" NOT NULL CHECK (kind IN ('document', 'record', 'screenshot', 'link', 'interview', 'observation')),
    description   text COLLATE "C" NOT NULL DEFAULT '',
    collected_on  text COLLATE "C" NOT NULL DEFAULT '',
    collected_by  text COLLATE "C" NOT NULL DEFAULT '',
    valid_until   text COLLATE "C" NOT NULL DEFAULT '',
    path          text COLLATE "C" NOT NULL DEFAULT '',
    sha256        text COLLATE "C" NOT NULL DEFAULT '',
    size          bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
    mtime         text COLLATE "C" NOT NULL DEFAULT '',
    kept          bigint NOT NULL DEFAULT 0 CHECK (kept IN (0, 1)),
    url           text COLLATE "C" NOT NULL DEFAULT '',
    check_state   text COLLATE "C" NOT NULL DEFAULT '' CHECK (check_state IN ('', 'ok', 'changed', 'missing')),
    check_detail  text COLLATE "C" NOT NULL DEFAULT '',
    checked_at    text COLLATE "C" NOT NULL DEFAULT '',
    created_at    text COLLATE "C" NOT NULL,
    updated_at    text COLLATE "C" NOT NULL,
    updated_by    text COLLATE "C" NOT NULL,
    CHECK (kind NOT IN ('document', 'record', 'screenshot') OR length(path) > 0),
    CHECK (path = '' OR length(sha256) = 64),
    CHECK (kind <> 'link' OR length(url) > 0)
);
CREATE INDEX evidence_engagement ON evidence (engagement_id, title);

-- Kept copies of evidence files, in the database (bytea, at most 50 MB each: the store checks).
CREATE TABLE evidence_blobs (
    evidence_id   text COLLATE "C" PRIMARY KEY REFERENCES evidence(id) ON DELETE CASCADE,
    name          text COLLATE "C" NOT NULL,
    sha256        text COLLATE "C" NOT NULL CHECK (length(sha256) = 64),
    size          bigint NOT NULL CHECK (size >= 0),
    data          bytea NOT NULL,
    engagement_id text COLLATE "C" NOT NULL
);

CREATE TABLE evidence_links (
    evidence_id   text COLLATE "C" NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
    engagement_id text COLLATE "C" NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    target        text COLLATE "C" NOT NULL CHECK (target IN ('requirement', 'risk', 'impact_assessment')),
    standard      text COLLATE "C" NOT NULL DEFAULT '',
    target_ref    text COLLATE "C" NOT NULL CHECK (length(target_ref) > 0),
    provenance    text COLLATE "C" NOT NULL DEFAULT '',
    created_at    text COLLATE "C" NOT NULL,
    PRIMARY KEY (evidence_id, target, standard, target_ref),
    CHECK ((target = 'requirement') = (standard <> ''))
);
CREATE INDEX evidence_links_target ON evidence_links (engagement_id, target, standard, target_ref);

-- The engagement of a child row (risk_controls, impact_areas, impact_risk_links,
-- evidence_blobs), taken from its parent: TG_ARGV is (parent table, column naming the parent).
CREATE FUNCTION annex_fill_engagement() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    parent text := (to_jsonb(NEW) ->> TG_ARGV[1]);
BEGIN
    EXECUTE format('SELECT engagement_id FROM %I WHERE id = $1', TG_ARGV[0]) INTO NEW.engagement_id USING parent;
    IF NEW.engagement_id IS NULL THEN
        RAISE EXCEPTION 'insert or update on table "%" violates foreign key: % % is not present', TG_TABLE_NAME, TG_ARGV[1], parent
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER risk_controls_engagement BEFORE INSERT ON risk_controls FOR EACH ROW EXECUTE FUNCTION annex_fill_engagement('risks', 'risk_id');
CREATE TRIGGER impact_areas_engagement BEFORE INSERT ON impact_areas FOR EACH ROW EXECUTE FUNCTION annex_fill_engagement('impact_assessments', 'assessment_id');
CREATE TRIGGER impact_risk_links_engagement BEFORE INSERT ON impact_risk_links FOR EACH ROW EXECUTE FUNCTION annex_fill_engagement('impact_assessments', 'assessment_id');
CREATE TRIGGER evidence_blobs_engagement BEFORE INSERT ON evidence_blobs FOR EACH ROW EXECUTE FUNCTION annex_fill_engagement('evidence', 'evidence_id');

-- result_counts: see SQLite's 0007_result_counts.sql.
CREATE TABLE result_counts (
    engagement_id text COLLATE "C" NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    standard      text COLLATE "C" NOT NULL,
    status        text COLLATE "C" NOT NULL,
    n             bigint NOT NULL CHECK (n > 0),
    PRIMARY KEY (engagement_id, standard, status)
);

CREATE FUNCTION annex_result_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        IF TG_OP = 'UPDATE' AND OLD.engagement_id IS NOT DISTINCT FROM NEW.engagement_id
            AND OLD.standard IS NOT DISTINCT FROM NEW.standard AND OLD.status IS NOT DISTINCT FROM NEW.status THEN
            RETURN NULL;
        END IF;
        DELETE FROM result_counts
            WHERE engagement_id = OLD.engagement_id AND standard = OLD.standard AND status = OLD.status AND n = 1;
        UPDATE result_counts SET n = n - 1
            WHERE engagement_id = OLD.engagement_id AND standard = OLD.standard AND status = OLD.status AND n > 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO result_counts AS c (engagement_id, standard, status, n) VALUES (NEW.engagement_id, NEW.standard, NEW.status, 1)
            ON CONFLICT (engagement_id, standard, status) DO UPDATE SET n = c.n + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER result_counts AFTER INSERT OR DELETE OR UPDATE OF engagement_id, standard, status ON results
    FOR EACH ROW EXECUTE FUNCTION annex_result_counts();

-- The end of the chain and its links, whatever rows the caller may read (row-level security
-- hides other engagements' rows, never the chain's shape).
CREATE FUNCTION annex_chain_head() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
    BEGIN ATOMIC SELECT coalesce((SELECT hash FROM changes ORDER BY seq DESC LIMIT 1),
        '0000000000000000000000000000000000000000000000000000000000000000'); END;

CREATE FUNCTION annex_chain_links() RETURNS TABLE (seq bigint, prev_hash text, hash text) LANGUAGE sql STABLE SECURITY DEFINER
    BEGIN ATOMIC SELECT c.seq, c.prev_hash, c.hash FROM changes c ORDER BY c.seq; END;

CREATE FUNCTION annex_chain_counter() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
    BEGIN ATOMIC SELECT last FROM chain_counter; END;

-- Every appended row: under the workspace lock, linked to the chain's end, numbered by the
-- server, written by the connected role. Only a workspace copy (annex workspace copy, run by
-- the workspace's owner with annex.copy = 'on' for its transaction) keeps the rows' own
-- numbers and authors.
CREATE FUNCTION annex_changes_append() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    head text;
    copying boolean := coalesce(current_setting('annex.copy', true), '') = 'on'
        AND pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = 'changes'::regclass), 'MEMBER');
BEGIN
    PERFORM annex_lock();
    head := annex_chain_head();
    IF NEW.prev_hash IS DISTINCT FROM head THEN
        RAISE EXCEPTION 'the change history moved on: this row links to %, the history ends at %', left(NEW.prev_hash, 12), left(head, 12)
            USING ERRCODE = 'serialization_failure';
    END IF;
    IF copying THEN
        UPDATE chain_counter SET last = greatest(last, NEW.seq);
    ELSE
        IF NEW.author IS DISTINCT FROM session_user THEN
            RAISE EXCEPTION 'the history''s author must be the connected database role %, not %', session_user, NEW.author
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        UPDATE chain_counter SET last = last + 1 RETURNING last INTO NEW.seq;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER changes_append BEFORE INSERT ON changes FOR EACH ROW EXECUTE FUNCTION annex_changes_append();

-- SECURITY DEFINER functions run with this schema only on their path.
DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.proname LIKE 'annex\_%' LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
    END LOOP;
END $$;
