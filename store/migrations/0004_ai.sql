-- annex workspace schema, version 4: the AI system inventory and AI system impact assessments.

CREATE TABLE ai_systems (
    id                 TEXT PRIMARY KEY,
    engagement_id      TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    name               TEXT NOT NULL COLLATE NOCASE CHECK (length(trim(name)) > 0),
    purpose            TEXT NOT NULL DEFAULT '',
    type               TEXT NOT NULL DEFAULT '',
    role               TEXT NOT NULL CHECK (role IN ('provider', 'producer', 'customer', 'partner', 'subject')),
    stage              TEXT NOT NULL DEFAULT '' CHECK (stage IN ('', 'inception', 'design_development',
                       'verification_validation', 'deployment', 'operation_monitoring', 're_evaluation', 'retirement')),
    data_sources       TEXT NOT NULL DEFAULT '',
    data_categories    TEXT NOT NULL DEFAULT '',
    personal_data      INTEGER NOT NULL DEFAULT 0 CHECK (personal_data IN (0, 1)),
    deployment_context TEXT NOT NULL DEFAULT '',
    jurisdictions      TEXT NOT NULL DEFAULT '',
    users              TEXT NOT NULL DEFAULT '',
    affected_people    TEXT NOT NULL DEFAULT '',
    automation         TEXT NOT NULL DEFAULT '' CHECK (automation IN ('', 'advisory', 'human_in_loop', 'human_on_loop', 'autonomous')),
    human_oversight    TEXT NOT NULL DEFAULT '',
    third_party        TEXT NOT NULL DEFAULT '',
    owner              TEXT NOT NULL DEFAULT '',
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    updated_by         TEXT NOT NULL,
    UNIQUE (engagement_id, name)
) WITHOUT ROWID;

-- One row per version. A decided version (decision <> '') is frozen: the triggers below
-- refuse any later change to it or its impacts, whatever program writes to the file.
CREATE TABLE impact_assessments (
    id                 TEXT PRIMARY KEY,
    ai_system_id       TEXT NOT NULL REFERENCES ai_systems(id) ON DELETE CASCADE,
    engagement_id      TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    version            INTEGER NOT NULL CHECK (version >= 1),
    trigger_kind       TEXT NOT NULL DEFAULT '' CHECK (trigger_kind IN ('', 'new_system', 'significant_change', 'periodic_review', 'incident')),
    trigger_note       TEXT NOT NULL DEFAULT '',
    scope              TEXT NOT NULL DEFAULT '',
    assessors          TEXT NOT NULL DEFAULT '',
    purpose            TEXT NOT NULL DEFAULT '',
    intended_uses      TEXT NOT NULL DEFAULT '',
    misuse             TEXT NOT NULL DEFAULT '',
    failure_modes      TEXT NOT NULL DEFAULT '',
    data_sources       TEXT NOT NULL DEFAULT '',
    data_provenance    TEXT NOT NULL DEFAULT '',
    data_quality       TEXT NOT NULL DEFAULT '',
    known_bias         TEXT NOT NULL DEFAULT '',
    model_kind         TEXT NOT NULL DEFAULT '',
    model_provider     TEXT NOT NULL DEFAULT '',
    model_changes      TEXT NOT NULL DEFAULT '',
    geography          TEXT NOT NULL DEFAULT '',
    languages          TEXT NOT NULL DEFAULT '',
    jurisdictions      TEXT NOT NULL DEFAULT '',
    deployment_context TEXT NOT NULL DEFAULT '',
    interested_parties TEXT NOT NULL DEFAULT '',
    vulnerable_groups  TEXT NOT NULL DEFAULT '',
    class_override     TEXT NOT NULL DEFAULT '' CHECK (class_override IN ('', 'low', 'medium', 'high')),
    override_reason    TEXT NOT NULL DEFAULT '',
    review_date        TEXT NOT NULL DEFAULT '',
    decision           TEXT NOT NULL DEFAULT '' CHECK (decision IN ('', 'approve', 'approve_with_conditions', 'reject')),
    approver           TEXT NOT NULL DEFAULT '',
    decision_date      TEXT NOT NULL DEFAULT '',
    rationale          TEXT NOT NULL DEFAULT '',
    conditions         TEXT NOT NULL DEFAULT '',
    last_step          INTEGER NOT NULL DEFAULT 0 CHECK (last_step BETWEEN 0 AND 8),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    updated_by         TEXT NOT NULL,
    UNIQUE (ai_system_id, version),
    CHECK (class_override = '' OR length(trim(override_reason)) > 0),
    CHECK (decision = '' OR (length(trim(approver)) > 0 AND length(decision_date) = 10 AND length(trim(rationale)) > 0)),
    CHECK (decision <> 'approve_with_conditions' OR length(trim(conditions)) > 0)
) WITHOUT ROWID;
CREATE INDEX impact_assessments_engagement ON impact_assessments (engagement_id, ai_system_id, version);

-- The assessment of one area of one version. measures lists linked requirements of either
-- standard as "standard:ref,standard:ref".
CREATE TABLE impact_areas (
    assessment_id       TEXT NOT NULL REFERENCES impact_assessments(id) ON DELETE CASCADE,
    area                TEXT NOT NULL CHECK (area IN ('fairness', 'accountability', 'transparency', 'privacy_security',
                        'safety_health', 'financial', 'accessibility', 'human_rights', 'environmental', 'economic_societal')),
    effect              TEXT NOT NULL DEFAULT '' CHECK (effect IN ('', 'none', 'benefit', 'harm')),
    description         TEXT NOT NULL DEFAULT '',
    severity            INTEGER NOT NULL DEFAULT 0 CHECK (severity BETWEEN 0 AND 5),
    likelihood          INTEGER NOT NULL DEFAULT 0 CHECK (likelihood BETWEEN 0 AND 5),
    reversibility       TEXT NOT NULL DEFAULT '' CHECK (reversibility IN ('', 'reversible', 'partly_reversible', 'irreversible')),
    scale               TEXT NOT NULL DEFAULT '' CHECK (scale IN ('', 'individual', 'group', 'society')),
    measures            TEXT NOT NULL DEFAULT '',
    measures_note       TEXT NOT NULL DEFAULT '',
    residual_severity   INTEGER NOT NULL DEFAULT 0 CHECK (residual_severity BETWEEN 0 AND 5),
    residual_likelihood INTEGER NOT NULL DEFAULT 0 CHECK (residual_likelihood BETWEEN 0 AND 5),
    PRIMARY KEY (assessment_id, area)
) WITHOUT ROWID;

-- Risks of the register raised from an impact area. Not part of the frozen content: a
-- risk can be raised from an approved version. No foreign key to risks (another table's
-- life); a link is shown only while its risk exists.
CREATE TABLE impact_risk_links (
    assessment_id TEXT NOT NULL REFERENCES impact_assessments(id) ON DELETE CASCADE,
    area          TEXT NOT NULL,
    risk_id       TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (assessment_id, area, risk_id)
) WITHOUT ROWID;

CREATE TRIGGER impact_assessments_frozen BEFORE UPDATE ON impact_assessments
WHEN OLD.decision <> ''
BEGIN
    SELECT RAISE(ABORT, 'impact assessment version is decided and frozen');
END;

CREATE TRIGGER impact_areas_frozen_update BEFORE UPDATE ON impact_areas
WHEN (SELECT decision FROM impact_assessments WHERE id = OLD.assessment_id) <> ''
BEGIN
    SELECT RAISE(ABORT, 'impact assessment version is decided and frozen');
END;

CREATE TRIGGER impact_areas_frozen_insert BEFORE INSERT ON impact_areas
WHEN (SELECT decision FROM impact_assessments WHERE id = NEW.assessment_id) <> ''
BEGIN
    SELECT RAISE(ABORT, 'impact assessment version is decided and frozen');
END;
