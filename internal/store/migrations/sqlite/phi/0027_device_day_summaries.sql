-- A sealed summary beside each day chunk of device readings (issue 17): the
-- day's hourly count, sum, lowest and highest, its time in range, its
-- alerting readings and its newest reading, under the patient's key like the
-- chunk (it is the same PHI, summed). Why: the week, month and quarter
-- charts read these few hundred bytes per day instead of the day's
-- minute-level readings. Written with the chunk in the same transaction.
-- NULL for chunks stored before it, and for a patient's chunks once a
-- clinician changes their target range: the charts read those chunks whole
-- (correct, only slower) until the devices.summarize job has sealed their
-- summaries (the backfill; a migration cannot: sealing needs the vault's
-- keys).
ALTER TABLE device_chunks ADD COLUMN summary_ct BLOB;
-- Why indexed: the job finds the chunks still without a summary.
CREATE INDEX device_chunks_unsummarized ON device_chunks (tenant_id, patient_id) WHERE summary_ct IS NULL;
