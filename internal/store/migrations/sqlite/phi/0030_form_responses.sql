-- Answers to digital forms (issue 18 point 1): PHI. The answers are sealed
-- under the patient (answers_ct; the AAD binds tenant, table, column, row
-- and patient). In the clear only who answered which version of which form
-- and when, so that "has this patient completed the intake questionnaire"
-- is one indexed query at checkout that opens nothing.
CREATE TABLE form_responses (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    patient_id   TEXT NOT NULL,
    form_id      TEXT NOT NULL,
    form_version INTEGER NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    answers_ct   BLOB NOT NULL
);
CREATE INDEX form_responses_patient ON form_responses (tenant_id, patient_id, form_id);
