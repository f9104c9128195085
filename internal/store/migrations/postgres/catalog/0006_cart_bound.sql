-- A cart a signed-in patient changed is "bound": its items are also in that
-- patient's saved cart (sealed in the PHI store). The flag names no one. Why
-- it exists: when a patient's session ends without signing out (it timed out
-- on a shared computer), the next person to sign in on that browser must not
-- have the patient's items merged into their own account; a bound cart is
-- replaced by the new person's saved cart instead of merged with it.
ALTER TABLE carts ADD COLUMN bound BOOLEAN NOT NULL DEFAULT FALSE;
