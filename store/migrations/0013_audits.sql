-- annex workspace schema, version 13: internal audits (ISO/IEC 27001 and 42001 9.2 and 10.2).
-- An engagement's audit programme: audits with scope, criteria, dates and team; per audit a
-- checklist item per requirement concluded on; findings numbered per audit; corrective
-- actions per finding with their effectiveness review.
-- IF NOT EXISTS: a workspace set back to an older version (tests do) can run it again.

-- The last audit number handed out per engagement and year, so a deleted audit's ref (and
-- with it its findings' numbers) is never handed out again.
CREATE TABLE IF NOT EXISTS audit_sequences (
    engagement_id TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    year          INTEGER NOT NULL CHECK (year BETWEEN 1900 AND 9999),
    last          INTEGER NOT NULL CHECK (last >= 0),
    PRIMARY KEY (engagement_id, year)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS audits (
    id            TEXT PRIMARY KEY,
    engagement_id TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    ref           TEXT NOT NULL CHECK (length(ref) > 0),
    title         TEXT NOT NULL CHECK (length(trim(title)) > 0),
    type          TEXT NOT NULL CHECK (type IN ('internal', 'supplier', 'follow_up')),
    status        TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'completed', 'cancelled')),
    -- The requirements in scope as "standard:ref" tokens separated by commas.
    scope         TEXT NOT NULL CHECK (length(scope) > 0),
    processes     TEXT NOT NULL DEFAULT '',
    sites         TEXT NOT NULL DEFAULT '',
    criteria      TEXT NOT NULL DEFAULT '',
    planned_start TEXT NOT NULL DEFAULT '',
    planned_end   TEXT NOT NULL DEFAULT '',
    actual_start  TEXT NOT NULL DEFAULT '',
    actual_end    TEXT NOT NULL DEFAULT '',
    lead          TEXT NOT NULL CHECK (length(trim(lead)) > 0),
    -- The audit team, one name per line.
    team          TEXT NOT NULL DEFAULT '',
    auditees      TEXT NOT NULL DEFAULT '',
    summary       TEXT NOT NULL DEFAULT '',
    -- The last finding number handed out in this audit.
    last_finding  INTEGER NOT NULL DEFAULT 0 CHECK (last_finding >= 0),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    UNIQUE (engagement_id, ref)
) WITHOUT ROWID;

-- One row per requirement an auditor recorded something on; a requirement of the scope
-- without a row is not audited yet.
CREATE TABLE IF NOT EXISTS audit_items (
    audit_id     TEXT NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    standard     TEXT NOT NULL,
    ref          TEXT NOT NULL,
    conclusion   TEXT NOT NULL DEFAULT 'not_audited' CHECK (conclusion IN
                 ('not_audited', 'conforming', 'major_nc', 'minor_nc', 'observation', 'ofi')),
    notes        TEXT NOT NULL DEFAULT '',
    interviewees TEXT NOT NULL DEFAULT '',
    population   INTEGER NOT NULL DEFAULT 0 CHECK (population >= 0),
    sample_size  INTEGER NOT NULL DEFAULT 0 CHECK (sample_size >= 0),
    sampled      TEXT NOT NULL DEFAULT '',
    provenance   TEXT NOT NULL DEFAULT '',
    carried_from TEXT NOT NULL DEFAULT '',
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    PRIMARY KEY (audit_id, standard, ref),
    CHECK (population = 0 OR sample_size <= population)
) WITHOUT ROWID;

-- Evidence of the library examined for a checklist item, with the file's hash when it was
-- examined. No foreign key to evidence: the record of what was examined outlives the item.
CREATE TABLE IF NOT EXISTS audit_item_evidence (
    audit_id    TEXT NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    standard    TEXT NOT NULL,
    ref         TEXT NOT NULL,
    evidence_id TEXT NOT NULL,
    title       TEXT NOT NULL,
    sha256      TEXT NOT NULL DEFAULT '' CHECK (sha256 = '' OR length(sha256) = 64),
    examined_at TEXT NOT NULL,
    examined_by TEXT NOT NULL,
    PRIMARY KEY (audit_id, standard, ref, evidence_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS findings (
    id              TEXT PRIMARY KEY,
    engagement_id   TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    audit_id        TEXT NOT NULL REFERENCES audits(id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL CHECK (seq > 0),
    ref             TEXT NOT NULL,
    grade           TEXT NOT NULL CHECK (grade IN ('major_nc', 'minor_nc', 'observation', 'ofi')),
    statement       TEXT NOT NULL CHECK (length(trim(statement)) > 0),
    -- The requirements it is graded against, "standard:ref" tokens separated by commas.
    requirements    TEXT NOT NULL CHECK (length(requirements) > 0),
    evidence        TEXT NOT NULL DEFAULT '',
    source_standard TEXT NOT NULL DEFAULT '',
    source_ref      TEXT NOT NULL DEFAULT '',
    raised_on       TEXT NOT NULL CHECK (length(raised_on) = 10),
    risk_id         TEXT NOT NULL DEFAULT '',
    withdrawn       INTEGER NOT NULL DEFAULT 0 CHECK (withdrawn IN (0, 1)),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL,
    UNIQUE (audit_id, seq),
    UNIQUE (engagement_id, ref)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS findings_source ON findings (audit_id, source_standard, source_ref);

CREATE TABLE IF NOT EXISTS corrective_actions (
    id            TEXT PRIMARY KEY,
    engagement_id TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    finding_id    TEXT NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL CHECK (seq > 0),
    correction    TEXT NOT NULL DEFAULT '',
    -- The why-chain, one answer per line.
    root_cause    TEXT NOT NULL DEFAULT '',
    action        TEXT NOT NULL CHECK (length(trim(action)) > 0),
    owner         TEXT NOT NULL DEFAULT '',
    due_date      TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'in_progress', 'done', 'verified', 'ineffective')),
    reviewed_by   TEXT NOT NULL DEFAULT '',
    reviewed_on   TEXT NOT NULL DEFAULT '',
    review_note   TEXT NOT NULL DEFAULT '',
    risk_id       TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    UNIQUE (finding_id, seq),
    -- An effectiveness review says who, when and what was checked.
    CHECK (state NOT IN ('verified', 'ineffective') OR
           (length(trim(reviewed_by)) > 0 AND length(reviewed_on) = 10 AND length(trim(review_note)) > 0))
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS corrective_actions_engagement ON corrective_actions (engagement_id, due_date);
