-- annex workspace schema on PostgreSQL, version 4: ports SQLite's 0010_aiact.sql.
-- AI systems with one or more roles, and the EU AI Act classification record of each AI
-- system (see the SQLite migration for the meaning).

ALTER TABLE ai_systems ADD COLUMN roles text COLLATE "C" NOT NULL DEFAULT '' CHECK (btrim(replace(replace(replace(replace(
    ',' || roles || ',', ',provider,', ','), ',producer,', ','), ',customer,', ','), ',partner,', ','), ',') = '');
UPDATE ai_systems SET roles = CASE role WHEN 'subject' THEN 'customer' ELSE role END;
ALTER TABLE ai_systems DROP COLUMN role;

CREATE FUNCTION annex_ai_roles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.roles = '' THEN
        RAISE EXCEPTION 'an AI system needs at least one role' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ai_systems_roles BEFORE INSERT OR UPDATE OF roles ON ai_systems FOR EACH ROW EXECUTE FUNCTION annex_ai_roles();

CREATE TABLE aiact_records (
    id              text COLLATE "C" PRIMARY KEY,
    ai_system_id    text COLLATE "C" NOT NULL REFERENCES ai_systems(id) ON DELETE CASCADE,
    engagement_id   text COLLATE "C" NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    version         bigint NOT NULL CHECK (version >= 1),
    operator_roles  text COLLATE "C" NOT NULL DEFAULT '' CHECK (btrim(replace(replace(replace(replace(replace(replace(
                    ',' || operator_roles || ',', ',provider,', ','), ',deployer,', ','), ',importer,', ','), ',distributor,', ','),
                    ',product_manufacturer,', ','), ',authorised_representative,', ','), ',') = ''),
    fria_period     text COLLATE "C" NOT NULL DEFAULT '',
    fria_oversight  text COLLATE "C" NOT NULL DEFAULT '',
    fria_complaints text COLLATE "C" NOT NULL DEFAULT '',
    fria_notified   text COLLATE "C" NOT NULL DEFAULT '',
    decision        text COLLATE "C" NOT NULL DEFAULT '' CHECK (decision IN ('', 'approve')),
    approver        text COLLATE "C" NOT NULL DEFAULT '',
    decision_date   text COLLATE "C" NOT NULL DEFAULT '',
    rationale       text COLLATE "C" NOT NULL DEFAULT '',
    last_step       bigint NOT NULL DEFAULT 0 CHECK (last_step BETWEEN 0 AND 7),
    created_at      text COLLATE "C" NOT NULL,
    updated_at      text COLLATE "C" NOT NULL,
    updated_by      text COLLATE "C" NOT NULL,
    UNIQUE (ai_system_id, version),
    CHECK (decision = '' OR (length(trim(approver)) > 0 AND length(decision_date) = 10 AND length(trim(rationale)) > 0))
);
CREATE INDEX aiact_records_engagement ON aiact_records (engagement_id, ai_system_id, version);

-- engagement_id is PostgreSQL's only, taken from the record (see 0001, annex_fill_engagement).
CREATE TABLE aiact_answers (
    record_id     text COLLATE "C" NOT NULL REFERENCES aiact_records(id) ON DELETE CASCADE,
    question      text COLLATE "C" NOT NULL CHECK (length(question) > 0),
    answer        text COLLATE "C" NOT NULL DEFAULT '' CHECK (answer IN ('', 'yes', 'no')),
    note          text COLLATE "C" NOT NULL DEFAULT '',
    engagement_id text COLLATE "C" NOT NULL,
    PRIMARY KEY (record_id, question)
);
CREATE TRIGGER aiact_answers_engagement BEFORE INSERT ON aiact_answers FOR EACH ROW EXECUTE FUNCTION annex_fill_engagement('aiact_records', 'record_id');

CREATE FUNCTION annex_aiact_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'aiact_records' THEN
        IF OLD.decision <> '' THEN
            RAISE EXCEPTION 'EU AI Act classification version is approved and frozen' USING ERRCODE = 'check_violation';
        END IF;
    ELSIF (SELECT decision FROM aiact_records WHERE id = (CASE TG_OP WHEN 'INSERT' THEN NEW.record_id ELSE OLD.record_id END)) <> '' THEN
        RAISE EXCEPTION 'EU AI Act classification version is approved and frozen' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER aiact_records_frozen BEFORE UPDATE ON aiact_records FOR EACH ROW EXECUTE FUNCTION annex_aiact_frozen();
CREATE TRIGGER aiact_answers_frozen BEFORE INSERT OR UPDATE ON aiact_answers FOR EACH ROW EXECUTE FUNCTION annex_aiact_frozen();

SELECT annex_protect('aiact_records');
SELECT annex_protect('aiact_answers');

DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.proname LIKE 'annex\_%' LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
    END LOOP;
END $$;
