-- annex workspace schema, version 10: AI systems with one or more roles, and the EU AI Act
-- classification record of each AI system.

-- An AI system holds one or more of the organisation's roles ("provider,customer"). The
-- former role "subject" becomes customer/user: an AI subject is an interested party, not a
-- role of the organisation, and an organisation keeping a system in its inventory uses it
-- (assessments.LegacyRole). The table keeps its rows: rebuilding it would cascade to the
-- impact assessments, so the column is added, filled, and the old one dropped.
ALTER TABLE ai_systems ADD COLUMN roles TEXT NOT NULL DEFAULT '' CHECK (trim(replace(replace(replace(replace(
    ',' || roles || ',', ',provider,', ','), ',producer,', ','), ',customer,', ','), ',partner,', ','), ',') = '');
UPDATE ai_systems SET roles = CASE role WHEN 'subject' THEN 'customer' ELSE role END;
ALTER TABLE ai_systems DROP COLUMN role;

CREATE TRIGGER ai_systems_roles_insert BEFORE INSERT ON ai_systems
WHEN NEW.roles = ''
BEGIN
    SELECT RAISE(ABORT, 'an AI system needs at least one role');
END;

CREATE TRIGGER ai_systems_roles_update BEFORE UPDATE OF roles ON ai_systems
WHEN NEW.roles = ''
BEGIN
    SELECT RAISE(ABORT, 'an AI system needs at least one role');
END;

-- One row per version of an AI system's EU AI Act classification. Its result is derived
-- from the answers (assessments.ClassifyAIAct), never stored. An approved version
-- (decision 'approve') is frozen: the triggers refuse any later change to it or its answers.
CREATE TABLE aiact_records (
    id              TEXT PRIMARY KEY,
    ai_system_id    TEXT NOT NULL REFERENCES ai_systems(id) ON DELETE CASCADE,
    engagement_id   TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    version         INTEGER NOT NULL CHECK (version >= 1),
    operator_roles  TEXT NOT NULL DEFAULT '' CHECK (trim(replace(replace(replace(replace(replace(replace(
                    ',' || operator_roles || ',', ',provider,', ','), ',deployer,', ','), ',importer,', ','), ',distributor,', ','),
                    ',product_manufacturer,', ','), ',authorised_representative,', ','), ',') = ''),
    fria_period     TEXT NOT NULL DEFAULT '',
    fria_oversight  TEXT NOT NULL DEFAULT '',
    fria_complaints TEXT NOT NULL DEFAULT '',
    fria_notified   TEXT NOT NULL DEFAULT '',
    decision        TEXT NOT NULL DEFAULT '' CHECK (decision IN ('', 'approve')),
    approver        TEXT NOT NULL DEFAULT '',
    decision_date   TEXT NOT NULL DEFAULT '',
    rationale       TEXT NOT NULL DEFAULT '',
    last_step       INTEGER NOT NULL DEFAULT 0 CHECK (last_step BETWEEN 0 AND 7),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL,
    UNIQUE (ai_system_id, version),
    CHECK (decision = '' OR (length(trim(approver)) > 0 AND length(decision_date) = 10 AND length(trim(rationale)) > 0))
) WITHOUT ROWID;
CREATE INDEX aiact_records_engagement ON aiact_records (engagement_id, ai_system_id, version);

-- The answer and note of one question (catalogs/data/eu-ai-act.yaml) in one version; a
-- question with neither has no row.
CREATE TABLE aiact_answers (
    record_id TEXT NOT NULL REFERENCES aiact_records(id) ON DELETE CASCADE,
    question  TEXT NOT NULL CHECK (length(question) > 0),
    answer    TEXT NOT NULL DEFAULT '' CHECK (answer IN ('', 'yes', 'no')),
    note      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (record_id, question)
) WITHOUT ROWID;

CREATE TRIGGER aiact_records_frozen BEFORE UPDATE ON aiact_records
WHEN OLD.decision <> ''
BEGIN
    SELECT RAISE(ABORT, 'EU AI Act classification version is approved and frozen');
END;

CREATE TRIGGER aiact_answers_frozen_insert BEFORE INSERT ON aiact_answers
WHEN (SELECT decision FROM aiact_records WHERE id = NEW.record_id) <> ''
BEGIN
    SELECT RAISE(ABORT, 'EU AI Act classification version is approved and frozen');
END;

CREATE TRIGGER aiact_answers_frozen_update BEFORE UPDATE ON aiact_answers
WHEN (SELECT decision FROM aiact_records WHERE id = OLD.record_id) <> ''
BEGIN
    SELECT RAISE(ABORT, 'EU AI Act classification version is approved and frozen');
END;
