-- Saved carts: a signed-in patient's cart, kept so that it follows them to
-- another device. The browser's cart stays in the catalog store with no
-- person; this copy names its owner, and what a person means to buy for their
-- health is PHI like an order or a list. So it lives here, its items sealed by
-- the vault under the patient (items_ct: JSON of variant ids and quantities;
-- AAD row id = user_id, one cart per person), and every read and write is
-- audited. version counts writes: a write from one device that read an older
-- copy than another device wrote since is refused and retried, so neither
-- device's change is lost.
CREATE TABLE saved_carts (
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    items_ct   BLOB NOT NULL,
    version    BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
