-- annex workspace schema, version 5: the evidence library.
-- An evidence item is collected once per engagement and linked to any number of requirement
-- results (of either standard), risks and impact assessments.
CREATE TABLE evidence (
    id            TEXT PRIMARY KEY,
    engagement_id TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    title         TEXT NOT NULL CHECK (length(trim(title)) > 0),
    kind          TEXT NOT NULL CHECK (kind IN ('document', 'record', 'screenshot', 'link', 'interview', 'observation')),
    description   TEXT NOT NULL DEFAULT '',
    collected_on  TEXT NOT NULL DEFAULT '',
    collected_by  TEXT NOT NULL DEFAULT '',
    valid_until   TEXT NOT NULL DEFAULT '',
    -- File reference captured at attach time; re-checked by the integrity check.
    path          TEXT NOT NULL DEFAULT '',
    sha256        TEXT NOT NULL DEFAULT '',
    size          INTEGER NOT NULL DEFAULT 0 CHECK (size >= 0),
    mtime         TEXT NOT NULL DEFAULT '',
    kept          INTEGER NOT NULL DEFAULT 0 CHECK (kept IN (0, 1)),
    url           TEXT NOT NULL DEFAULT '',
    -- Last integrity check: '' never checked, ok, changed, missing.
    check_state   TEXT NOT NULL DEFAULT '' CHECK (check_state IN ('', 'ok', 'changed', 'missing')),
    check_detail  TEXT NOT NULL DEFAULT '',
    checked_at    TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    CHECK (kind NOT IN ('document', 'record', 'screenshot') OR length(path) > 0),
    CHECK (path = '' OR length(sha256) = 64),
    CHECK (kind <> 'link' OR length(url) > 0)
) WITHOUT ROWID;
CREATE INDEX evidence_engagement ON evidence (engagement_id, title);

-- Kept copies of evidence files. A separate rowid table keeps the large values out of
-- the pages that list evidence.
CREATE TABLE evidence_blobs (
    evidence_id TEXT PRIMARY KEY REFERENCES evidence(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    size        INTEGER NOT NULL CHECK (size >= 0),
    data        BLOB NOT NULL
);

-- What an item supports. target_ref is the requirement ref, the risk id or the impact
-- assessment id; standard is set for requirement links only. Risks and impact assessments
-- live in other tables, so those links carry no foreign key and are shown only while their
-- target exists.
CREATE TABLE evidence_links (
    evidence_id   TEXT NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
    engagement_id TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    target        TEXT NOT NULL CHECK (target IN ('requirement', 'risk', 'impact_assessment')),
    standard      TEXT NOT NULL DEFAULT '',
    target_ref    TEXT NOT NULL CHECK (length(target_ref) > 0),
    provenance    TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    PRIMARY KEY (evidence_id, target, standard, target_ref),
    CHECK ((target = 'requirement') = (standard <> ''))
) WITHOUT ROWID;
CREATE INDEX evidence_links_target ON evidence_links (engagement_id, target, standard, target_ref);
