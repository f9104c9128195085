-- Digital forms (issue 18 point 1, internal/forms): one row per version of a
-- form. A definition is catalog data, not PHI: its questions, the data class
-- its answers belong to, and where it is used ('' a draft, 'product' an
-- intake questionnaire for the product in target, 'portal' a consent). Why
-- one row per version, never updated: answers (PHI store, form_responses)
-- name the version they answered, so an edit must not change it under them.
-- title, attach and target repeat what the definition says, for listing.
CREATE TABLE forms (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    version    INTEGER NOT NULL CHECK (version > 0),
    title      TEXT NOT NULL,
    attach     TEXT NOT NULL DEFAULT '' CHECK (attach IN ('', 'product', 'portal')),
    target     TEXT NOT NULL DEFAULT '',
    definition TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id, version)
);
CREATE INDEX forms_attach ON forms (tenant_id, attach, target);
