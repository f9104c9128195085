-- A sealed roll-up per patient and reading type (issue 17): the day
-- summaries of the last quarter or so in one blob, under the patient's key
-- like the chunks (the same PHI, summed). Why: the week, month and quarter
-- charts open this one row (and the period's first day's chunk, which they
-- read from its first reading on) instead of 90 day summaries, each its own
-- row and its own decryption. Written by each batch in the same transaction
-- as the chunks it merges (under the same per-patient lock on PostgreSQL).
--
-- data_ct NULL: to be built again from the day chunks, by the next batch
-- or by the devices.summarize job; meanwhile the charts read the day
-- summaries (correct, only slower). So it is for every (patient, type) that
-- has readings from before this migration (the rows below: the backfill; a
-- migration cannot seal, that needs the vault's keys) and for a patient's
-- roll-ups once a clinician changes their target range (the roll-up counted
-- time in range against the old one).
--
-- Why the id of one of the type's chunks for the backfilled rows: it only
-- binds the ciphertext to its row (the table is part of what is bound), so
-- any id unique among roll-ups does; a new roll-up gets a new id.
CREATE TABLE device_rollups (
    tenant_id  TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    type       TEXT NOT NULL,
    id         TEXT NOT NULL UNIQUE,
    data_ct    BYTEA,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, patient_id, type)
);
-- Why indexed: the job finds the roll-ups to build.
CREATE INDEX device_rollups_unbuilt ON device_rollups (tenant_id, patient_id) WHERE data_ct IS NULL;

INSERT INTO device_rollups (tenant_id, patient_id, type, id, data_ct, updated_at)
SELECT tenant_id, patient_id, type, MIN(id), NULL, now() FROM device_chunks GROUP BY tenant_id, patient_id, type;
