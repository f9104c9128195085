-- Issue 18 point 2: returns. A return says what a patient bought and sends
-- back, so it is PHI like the order: the lines, quantities, the reason and
-- whether an item was opened are sealed by the vault under the patient
-- (details_ct; AAD = tenant, order_returns, details_ct, return id). In the
-- clear: the order, the owner, the status and the amount refunded (an amount
-- without items says nothing of health; a whole-order refund needs it to
-- give back only what is left).
CREATE TABLE order_returns (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    order_id   TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'received', 'refunded')),
    details_ct BYTEA NOT NULL,
    refunded   BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX order_returns_order ON order_returns (tenant_id, order_id, created_at);

-- One row per unit of an order line under return. Why units and a primary
-- key: two requests for the last unit of a line at the same moment insert
-- the same (order, line, unit) and the second fails on either engine, so a
-- unit is returned, and refunded, once. A rejected return deletes its rows.
-- Line and unit are positions, not products: nothing here says what.
CREATE TABLE order_return_units (
    tenant_id TEXT NOT NULL,
    order_id  TEXT NOT NULL,
    line      INTEGER NOT NULL,
    unit      INTEGER NOT NULL,
    return_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, order_id, line, unit)
);
CREATE INDEX order_return_units_return ON order_return_units (return_id);
