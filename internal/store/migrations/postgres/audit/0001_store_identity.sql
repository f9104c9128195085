-- Records which store this database is. Why: pointing --phi-db at the catalog
-- database, or swapping two SQLite files, must be refused at start-up rather than
-- mix PHI into the public store (PHI segmentation, DESIGN §2.2).
CREATE TABLE store_identity (
    kind       TEXT PRIMARY KEY CHECK (kind = 'audit'),
    created_at TIMESTAMPTZ NOT NULL
);
INSERT INTO store_identity (kind, created_at) VALUES ('audit', now());
