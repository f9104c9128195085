-- The admin's outbox page lists emails without opening them (minimum
-- necessary): the recipient is kept beside the sealed message only masked,
-- "j***@e***.com", enough to tell messages apart and nothing more. Messages
-- queued before this column show no recipient.
ALTER TABLE outbox ADD COLUMN to_masked TEXT NOT NULL DEFAULT '';
