-- Staff find a patient by full name (/staff/patients) without a plaintext
-- scan: a keyed blind index (HMAC) of the normalized name, written when the
-- name is (registration, account creation, profile save). Rows written
-- before this column have none and are found by name only after their next
-- profile save: computing it needs the name opened, which SQL cannot do.
ALTER TABLE users ADD COLUMN name_bidx BLOB;
CREATE INDEX users_name_bidx ON users (tenant_id, name_bidx);
