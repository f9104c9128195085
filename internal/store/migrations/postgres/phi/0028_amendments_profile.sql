-- A patient's profile becomes an amendable record (issue 16, 164.526): the
-- kind check admits 'profile' (its record id is the patient's id).
ALTER TABLE amendments DROP CONSTRAINT amendments_kind_check;
ALTER TABLE amendments ADD CONSTRAINT amendments_kind_check CHECK (kind IN ('lab_result', 'prescription', 'profile'));
