-- annex workspace schema, version 11: the Statement of Applicability as a controlled
-- document (numbered versions, approved and frozen), the risk treatment plan (actions per
-- risk), the management report's document control, and the audit packs exported.
-- IF NOT EXISTS throughout: a workspace rolled back to an older user_version runs it again.

-- One row per issued version of an engagement's SoA for one standard. entries is the
-- frozen snapshot (a JSON array of assessments.SoAEntry); contents_sha256 its digest, which
-- the change history records. An approved version is frozen: the trigger below refuses any
-- later change, whatever program writes to the file.
CREATE TABLE IF NOT EXISTS soa_versions (
    id              TEXT PRIMARY KEY,
    engagement_id   TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    standard        TEXT NOT NULL CHECK (length(trim(standard)) > 0),
    version         INTEGER NOT NULL CHECK (version >= 1),
    state           TEXT NOT NULL CHECK (state IN ('draft', 'approved')),
    change_summary  TEXT NOT NULL CHECK (length(trim(change_summary)) > 0),
    approver        TEXT NOT NULL DEFAULT '',
    approved_on     TEXT NOT NULL DEFAULT '',
    entries         TEXT NOT NULL CHECK (json_valid(entries) AND json_type(entries) = 'array'),
    contents_sha256 TEXT NOT NULL CHECK (length(contents_sha256) = 64),
    issued_at       TEXT NOT NULL,
    issued_by       TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL,
    UNIQUE (engagement_id, standard, version),
    CHECK (state = 'draft' OR (length(trim(approver)) > 0 AND length(approved_on) = 10)),
    CHECK (state = 'approved' OR (approver = '' AND approved_on = ''))
) WITHOUT ROWID;

-- At most one draft per engagement and standard: issuing again re-takes it.
CREATE UNIQUE INDEX IF NOT EXISTS soa_versions_one_draft ON soa_versions (engagement_id, standard) WHERE state = 'draft';

CREATE TRIGGER IF NOT EXISTS soa_versions_frozen BEFORE UPDATE ON soa_versions
WHEN OLD.state = 'approved'
BEGIN
    SELECT RAISE(ABORT, 'SoA version is approved and frozen');
END;

-- The steps of a risk's treatment plan. controls lists requirements of either standard as
-- "standard:ref,standard:ref"; corrective_ref is a free reference to a corrective action.
CREATE TABLE IF NOT EXISTS treatment_actions (
    id             TEXT PRIMARY KEY,
    risk_id        TEXT NOT NULL REFERENCES risks(id) ON DELETE CASCADE,
    engagement_id  TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    title          TEXT NOT NULL CHECK (length(trim(title)) > 0),
    owner          TEXT NOT NULL DEFAULT '',
    resources      TEXT NOT NULL DEFAULT '',
    start_date     TEXT NOT NULL DEFAULT '',
    due_date       TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    controls       TEXT NOT NULL DEFAULT '',
    corrective_ref TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    CHECK (start_date = '' OR due_date = '' OR due_date >= start_date)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS treatment_actions_risk ON treatment_actions (risk_id);
CREATE INDEX IF NOT EXISTS treatment_actions_engagement ON treatment_actions (engagement_id, due_date);

-- The document control of an engagement's management report; an engagement without a row
-- has a draft, confidential report.
CREATE TABLE IF NOT EXISTS report_controls (
    engagement_id  TEXT PRIMARY KEY REFERENCES engagements(id) ON DELETE CASCADE,
    version        TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'final')),
    classification TEXT NOT NULL DEFAULT 'confidential' CHECK (classification IN ('public', 'internal', 'confidential', 'restricted')),
    distribution   TEXT NOT NULL DEFAULT '',
    approver       TEXT NOT NULL DEFAULT '',
    approved_on    TEXT NOT NULL DEFAULT '',
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    CHECK (status = 'draft' OR (length(trim(approver)) > 0 AND length(approved_on) = 10))
) WITHOUT ROWID;

-- The audit packs written from the workspace: where, their SHA-256, the time of the last
-- change they show (as_of) and a summary of what they said (snapshot, JSON), so the next
-- pack's report can say what changed since.
CREATE TABLE IF NOT EXISTS pack_records (
    id             TEXT PRIMARY KEY,
    engagement_id  TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    as_of          TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    written_by     TEXT NOT NULL,
    path           TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    snapshot       TEXT NOT NULL CHECK (json_valid(snapshot))
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pack_records_engagement ON pack_records (engagement_id, as_of);
