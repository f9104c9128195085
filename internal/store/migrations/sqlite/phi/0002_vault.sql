-- The vault's keys (DESIGN §4). Each subject (a patient, or another owner of
-- PHI) has one data key, a Tink AEAD keyset stored only wrapped by the
-- key-encryption key (KEK), which never sits in a database. kek_version says
-- which KEK version wrapped it, so that the KEK can rotate without downtime.
CREATE TABLE vault_data_keys (
    tenant_id   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    kek_version TEXT NOT NULL,
    wrapped     BLOB NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    wrapped_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, subject)
);
-- Rotation finds the keys still wrapped by an old version, in batches.
CREATE INDEX vault_data_keys_kek ON vault_data_keys (kek_version, tenant_id, subject);

-- The vault's own secrets (the blind-index key), wrapped by the KEK like the
-- data keys.
CREATE TABLE vault_secrets (
    name        TEXT PRIMARY KEY,
    kek_version TEXT NOT NULL,
    wrapped     BLOB NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

-- The shred ledger: every destroyed data key, so that a restore from an older
-- backup re-applies the destruction and disposed data never comes back. The
-- reason is the operator's short text (a retention rule), never PHI.
CREATE TABLE vault_shreds (
    tenant_id   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    shredded_at TIMESTAMP NOT NULL,
    actor_id    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, subject)
);
