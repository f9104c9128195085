-- Issue 18 point 3: the carrier and tracking number of a shipped order,
-- sealed by the vault under the patient like the order's details
-- (AAD = tenant, orders, shipment_ct, order id). Why sealed: a tracking
-- number opens the parcel's journey and address on the carrier's site, so it
-- is the patient's data. NULL until the order ships.
ALTER TABLE orders ADD COLUMN shipment_ct BLOB;
