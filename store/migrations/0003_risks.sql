-- annex workspace schema, version 3: the risk register.
-- Risks of information security, AI or both, scored on the engagement's risk matrix, with
-- treatment, the controls the treatment links, residual score and the owner's acceptance.

-- One matrix per engagement; an engagement without a row uses the default 5x5 matrix.
-- Labels, level names and cells are JSON arrays (cells: rows of level indexes, likelihood
-- 1 first, consequence 1 first).
CREATE TABLE risk_matrices (
    engagement_id      TEXT PRIMARY KEY REFERENCES engagements(id) ON DELETE CASCADE,
    size               INTEGER NOT NULL CHECK (size BETWEEN 3 AND 5),
    likelihood_labels  TEXT NOT NULL CHECK (json_valid(likelihood_labels) AND json_array_length(likelihood_labels) = size),
    consequence_labels TEXT NOT NULL CHECK (json_valid(consequence_labels) AND json_array_length(consequence_labels) = size),
    level_names        TEXT NOT NULL CHECK (json_valid(level_names) AND json_array_length(level_names) BETWEEN 2 AND 5),
    cells              TEXT NOT NULL CHECK (json_valid(cells) AND json_array_length(cells) = size),
    threshold          INTEGER NOT NULL CHECK (threshold >= 0 AND threshold < json_array_length(level_names)),
    updated_at         TEXT NOT NULL,
    updated_by         TEXT NOT NULL
) WITHOUT ROWID;

-- The last risk number handed out per engagement, so a deleted risk's ref is never reused.
CREATE TABLE risk_sequences (
    engagement_id TEXT PRIMARY KEY REFERENCES engagements(id) ON DELETE CASCADE,
    last          INTEGER NOT NULL CHECK (last >= 0)
) WITHOUT ROWID;

CREATE TABLE risks (
    id                      TEXT PRIMARY KEY,
    engagement_id           TEXT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    seq                     INTEGER NOT NULL CHECK (seq > 0),
    ref                     TEXT NOT NULL,
    title                   TEXT NOT NULL CHECK (length(trim(title)) > 0),
    description             TEXT NOT NULL DEFAULT '',
    scope                   TEXT NOT NULL CHECK (scope IN ('security', 'ai', 'both')),
    approach                TEXT NOT NULL DEFAULT '' CHECK (approach IN ('', 'asset', 'event')),
    risk_source             TEXT NOT NULL DEFAULT '',
    threat                  TEXT NOT NULL DEFAULT '',
    vulnerability           TEXT NOT NULL DEFAULT '',
    scenario                TEXT NOT NULL DEFAULT '',
    asset                   TEXT NOT NULL DEFAULT '',
    ai_system_id            TEXT NOT NULL DEFAULT '',
    owner                   TEXT NOT NULL DEFAULT '',
    -- Comma-separated tokens: C/I/A properties, Annex C objectives and risk sources.
    properties              TEXT NOT NULL DEFAULT '',
    objectives              TEXT NOT NULL DEFAULT '',
    risk_sources            TEXT NOT NULL DEFAULT '',
    consequence_org         TEXT NOT NULL DEFAULT '',
    consequence_individuals TEXT NOT NULL DEFAULT '',
    consequence_society     TEXT NOT NULL DEFAULT '',
    inherent_likelihood     INTEGER NOT NULL CHECK (inherent_likelihood BETWEEN 1 AND 5),
    inherent_consequence    INTEGER NOT NULL CHECK (inherent_consequence BETWEEN 1 AND 5),
    existing_controls       TEXT NOT NULL DEFAULT '',
    treatment               TEXT NOT NULL DEFAULT '' CHECK (treatment IN ('', 'modify', 'retain', 'avoid', 'share')),
    treatment_plan          TEXT NOT NULL DEFAULT '',
    residual_likelihood     INTEGER NOT NULL DEFAULT 0 CHECK (residual_likelihood BETWEEN 0 AND 5),
    residual_consequence    INTEGER NOT NULL DEFAULT 0 CHECK (residual_consequence BETWEEN 0 AND 5),
    -- The acceptance record: frozen once given; accepted_* keep the residual it was given for.
    accepted_by             TEXT NOT NULL DEFAULT '',
    accepted_on             TEXT NOT NULL DEFAULT '',
    acceptance_rationale    TEXT NOT NULL DEFAULT '',
    accepted_likelihood     INTEGER NOT NULL DEFAULT 0 CHECK (accepted_likelihood BETWEEN 0 AND 5),
    accepted_consequence    INTEGER NOT NULL DEFAULT 0 CHECK (accepted_consequence BETWEEN 0 AND 5),
    review_date             TEXT NOT NULL DEFAULT '',
    status                  TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_treatment', 'accepted', 'closed')),
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    updated_by              TEXT NOT NULL,
    UNIQUE (engagement_id, seq),
    UNIQUE (engagement_id, ref),
    CHECK ((residual_likelihood = 0) = (residual_consequence = 0)),
    CHECK ((accepted_by = '') = (accepted_likelihood = 0))
) WITHOUT ROWID;

-- Controls of either standard a risk's treatment links; they become inclusion reasons of
-- the Statement of Applicability ("risk treatment: R-003").
CREATE TABLE risk_controls (
    risk_id  TEXT NOT NULL REFERENCES risks(id) ON DELETE CASCADE,
    standard TEXT NOT NULL,
    ref      TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (risk_id, standard, ref)
) WITHOUT ROWID;
CREATE INDEX risk_controls_requirement ON risk_controls (standard, ref);
