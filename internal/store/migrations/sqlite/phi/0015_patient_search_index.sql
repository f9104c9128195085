-- Staff find a patient by full name or date of birth (/staff/patients)
-- without a plaintext scan: keyed blind indexes (HMAC) of the normalized
-- name and of the date of birth, written when those are (registration,
-- account creation, profile save). Rows written before these columns have
-- no index and are found by name only after their next profile save:
-- computing it needs the name opened, which SQL cannot do. The date of birth
-- is new to the profile (optional), sealed under the person like the name.
ALTER TABLE users ADD COLUMN name_bidx BLOB;
ALTER TABLE users ADD COLUMN dob_ct BLOB;
ALTER TABLE users ADD COLUMN dob_bidx BLOB;
CREATE INDEX users_name_bidx ON users (tenant_id, name_bidx);
CREATE INDEX users_dob_bidx ON users (tenant_id, dob_bidx);
