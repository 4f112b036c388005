-- annex workspace schema on PostgreSQL, version 7: ports SQLite's 0013_audits.sql.
-- Internal audits (ISO/IEC 27001 and 42001 9.2 and 10.2): the programme's audits, their
-- checklist items and the evidence examined, findings numbered per audit, corrective
-- actions with their effectiveness review (see the SQLite migration for the meaning).

CREATE TABLE audit_sequences (
    engagement_id text COLLATE "C" NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    year          bigint NOT NULL CHECK (year BETWEEN 1900 AND 9999),
    last          bigint NOT NULL CHECK (last >= 0),
    PRIMARY KEY (engagement_id, year)
);

CREATE TABLE audits (
    id            text COLLATE "C" PRIMARY KEY,
    engagement_id text COLLATE "C" NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    ref           text COLLATE "C" NOT NULL CHECK (length(ref) > 0),
    title         text COLLATE "C" NOT NULL CHECK (length(trim(title)) > 0),
    type          text COLLATE "C" NOT NULL CHECK (type IN ('internal', 'supplier', 'follow_up')),
    status        text COLLATE "C" NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'completed', 'cancelled')),
    scope         text COLLATE "C" NOT NULL CHECK (length(scope) > 0),
    processes     text COLLATE "C" NOT NULL DEFAULT '',
    sites         text COLLATE "C" NOT NULL DEFAULT '',
    criteria      text COLLATE "C" NOT NULL DEFAULT '',
    planned_start text COLLATE "C" NOT NULL DEFAULT '',
    planned_end   text COLLATE "C" NOT NULL DEFAULT '',
    actual_start  text COLLATE "C" NOT NULL DEFAULT '',
    actual_end    text COLLATE "C" NOT NULL DEFAULT '',
    lead          text COLLATE "C" NOT NULL CHECK (length(trim(lead)) > 0),
    team          text COLLATE "C" NOT NULL DEFAULT '',
    auditees      text COLLATE "C" NOT NULL DEFAULT '',
    summary       text COLLATE "C" NOT NULL DEFAULT '',
    last_finding  bigint NOT NULL DEFAULT 0 CHECK (last_finding >= 0),
    created_at    text COLLATE "C" NOT NULL,
    updated_at    text COLLATE "C" NOT NULL,
    updated_by    text COLLATE "C" NOT NULL,
    UNIQUE (engagement_id, ref)
);

-- engagement_id is PostgreSQL's only, taken from the audit (see 0001, annex_fill_engagement).
CREATE TABLE audit_items (
    audit_id      text COLLATE "C" NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    standard      text COLLATE "C" NOT NULL,
    ref           text COLLATE "C" NOT NULL,
    conclusion    text COLLATE "C" NOT NULL DEFAULT 'not_audited' CHECK (conclusion IN
                  ('not_audited', 'conforming', 'major_nc', 'minor_nc', 'observation', 'ofi')),
    notes         text COLLATE "C" NOT NULL DEFAULT '',
    interviewees  text COLLATE "C" NOT NULL DEFAULT '',
    population    bigint NOT NULL DEFAULT 0 CHECK (population >= 0),
    sample_size   bigint NOT NULL DEFAULT 0 CHECK (sample_size >= 0),
    sampled       text COLLATE "C" NOT NULL DEFAULT '',
    provenance    text COLLATE "C" NOT NULL DEFAULT '',
    carried_from  text COLLATE "C" NOT NULL DEFAULT '',
    updated_at    text COLLATE "C" NOT NULL,
    updated_by    text COLLATE "C" NOT NULL,
    engagement_id text COLLATE "C" NOT NULL,
    PRIMARY KEY (audit_id, standard, ref),
    CHECK (population = 0 OR sample_size <= population)
);
CREATE TRIGGER audit_items_engagement BEFORE INSERT ON audit_items FOR EACH ROW EXECUTE FUNCTION annex_fill_engagement('audits', 'audit_id');

-- No foreign key to evidence: the record of what was examined outlives the item.
CREATE TABLE audit_item_evidence (
    audit_id      text COLLATE "C" NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    standard      text COLLATE "C" NOT NULL,
    ref           text COLLATE "C" NOT NULL,
    evidence_id   text COLLATE "C" NOT NULL,
    title         text COLLATE "C" NOT NULL,
    sha256        text COLLATE "C" NOT NULL DEFAULT '' CHECK (sha256 = '' OR length(sha256) = 64),
    examined_at   text COLLATE "C" NOT NULL,
    examined_by   text COLLATE "C" NOT NULL,
    engagement_id text COLLATE "C" NOT NULL,
    PRIMARY KEY (audit_id, standard, ref, evidence_id)
);
CREATE TRIGGER audit_item_evidence_engagement BEFORE INSERT ON audit_item_evidence FOR EACH ROW EXECUTE FUNCTION annex_fill_engagement('audits', 'audit_id');

CREATE TABLE findings (
    id              text COLLATE "C" PRIMARY KEY,
    engagement_id   text COLLATE "C" NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    audit_id        text COLLATE "C" NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    seq             bigint NOT NULL CHECK (seq > 0),
    ref             text COLLATE "C" NOT NULL,
    grade           text COLLATE "C" NOT NULL CHECK (grade IN ('major_nc', 'minor_nc', 'observation', 'ofi')),
    statement       text COLLATE "C" NOT NULL CHECK (length(trim(statement)) > 0),
    requirements    text COLLATE "C" NOT NULL CHECK (length(requirements) > 0),
    evidence        text COLLATE "C" NOT NULL DEFAULT '',
    source_standard text COLLATE "C" NOT NULL DEFAULT '',
    source_ref      text COLLATE "C" NOT NULL DEFAULT '',
    raised_on       text COLLATE "C" NOT NULL CHECK (length(raised_on) = 10),
    risk_id         text COLLATE "C" NOT NULL DEFAULT '',
    withdrawn       bigint NOT NULL DEFAULT 0 CHECK (withdrawn IN (0, 1)),
    created_at      text COLLATE "C" NOT NULL,
    updated_at      text COLLATE "C" NOT NULL,
    updated_by      text COLLATE "C" NOT NULL,
    UNIQUE (audit_id, seq),
    UNIQUE (engagement_id, ref)
);
CREATE INDEX findings_source ON findings (audit_id, source_standard, source_ref);

CREATE TABLE corrective_actions (
    id            text COLLATE "C" PRIMARY KEY,
    engagement_id text COLLATE "C" NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    finding_id    text COLLATE "C" NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    seq           bigint NOT NULL CHECK (seq > 0),
    correction    text COLLATE "C" NOT NULL DEFAULT '',
    root_cause    text COLLATE "C" NOT NULL DEFAULT '',
    action        text COLLATE "C" NOT NULL CHECK (length(trim(action)) > 0),
    owner         text COLLATE "C" NOT NULL DEFAULT '',
    due_date      text COLLATE "C" NOT NULL DEFAULT '',
    state         text COLLATE "C" NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'in_progress', 'done', 'verified', 'ineffective')),
    reviewed_by   text COLLATE "C" NOT NULL DEFAULT '',
    reviewed_on   text COLLATE "C" NOT NULL DEFAULT '',
    review_note   text COLLATE "C" NOT NULL DEFAULT '',
    risk_id       text COLLATE "C" NOT NULL DEFAULT '',
    created_at    text COLLATE "C" NOT NULL,
    updated_at    text COLLATE "C" NOT NULL,
    updated_by    text COLLATE "C" NOT NULL,
    UNIQUE (finding_id, seq),
    CHECK (state NOT IN ('verified', 'ineffective') OR
           (length(trim(reviewed_by)) > 0 AND length(reviewed_on) = 10 AND length(trim(review_note)) > 0))
);
CREATE INDEX corrective_actions_engagement ON corrective_actions (engagement_id, due_date);

SELECT annex_protect(t) FROM unnest(ARRAY['audit_sequences', 'audits', 'audit_items', 'audit_item_evidence',
    'findings', 'corrective_actions']::regclass[]) AS t;

DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.proname LIKE 'annex\_%' LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', f, current_schema());
    END LOOP;
END $$;
