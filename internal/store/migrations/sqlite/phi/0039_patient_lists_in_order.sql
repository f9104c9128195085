-- A patient's orders, prescriptions, appointments, lab reports and message
-- threads, read newest (or soonest) first with the id as the tie-break: each
-- index now ends with the id, so the rows come out of the index in the
-- order asked and no sort is made per read. Why: the dashboard reads each of
-- these lists on every view, and on SQLite the sort of the rows with equal
-- times ("temp b-tree for right part of order by") was a third of a short
-- list's read. The lab reports' index also holds seen_at, so the count of
-- new reports is read from the index alone.
DROP INDEX orders_owner;
CREATE INDEX orders_owner ON orders (tenant_id, user_id, created_at, id);
DROP INDEX rx_prescriptions_owner;
CREATE INDEX rx_prescriptions_owner ON rx_prescriptions (tenant_id, user_id, created_at, id);
DROP INDEX appointments_patient;
CREATE INDEX appointments_patient ON appointments (tenant_id, patient_id, starts_at, id);
DROP INDEX lab_reports_patient;
CREATE INDEX lab_reports_patient ON lab_reports (tenant_id, patient_id, status, created_at, id, seen_at);
DROP INDEX message_threads_patient;
CREATE INDEX message_threads_patient ON message_threads (tenant_id, patient_id, last_at, id);
