-- A promotion's optional targeting rule from health data (internal/promo
-- Target): the kind ('' for everyone, 'lab_high', 'rx_drug') and its code
-- (a LOINC code or a drug word). The rule is catalog data and no PHI: it
-- says whom an offer is for, never who that is. Whether a person matches is
-- decided in a process holding PHI, and only for people with a current
-- marketing authorization (PHI store, marketing_authorizations).
ALTER TABLE promotions ADD COLUMN target_kind TEXT NOT NULL DEFAULT '' CHECK (target_kind IN ('', 'lab_high', 'rx_drug'));
ALTER TABLE promotions ADD COLUMN target_code TEXT NOT NULL DEFAULT '';
