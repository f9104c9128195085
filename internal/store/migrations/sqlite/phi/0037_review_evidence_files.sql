-- A completed review's evidence as a file (issue 19, item 5: "each
-- completion recorded with who and what evidence"): a restore drill's
-- output, a signed risk assessment, a screenshot. Optional; the typed
-- evidence stays required.
--
-- Why sealed like the typed evidence (under the completion's subject
-- "review:<id>", column file_ct): a file may name people or systems; it is
-- read only through the vault, which audits every read. The type is the
-- one its content was checked to be (pdf, png, jpeg, csv, text), never the
-- name the uploader gave it, which is not kept.
ALTER TABLE review_completions ADD COLUMN file_ct BLOB;
ALTER TABLE review_completions ADD COLUMN file_type TEXT NOT NULL DEFAULT '';
ALTER TABLE review_completions ADD COLUMN file_size BIGINT NOT NULL DEFAULT 0;
