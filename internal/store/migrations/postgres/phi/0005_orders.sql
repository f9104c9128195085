-- Orders. An order is PHI from the moment it exists: what a person buys (a
-- glucose meter, a prescription medicine) says something about their health.
-- So its items, shipping address and totals are sealed by the vault under the
-- patient (details_ct, one JSON document); only what the store needs to find
-- and move orders stays in the clear: the owner's id, the short reference
-- used in emails, the status and the payment gateway's charge id.
CREATE TABLE orders (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    reference  TEXT NOT NULL, -- e.g. A1B2-C3D4: random, says nothing
    status     TEXT NOT NULL CHECK (status IN ('pending_payment', 'paid', 'awaiting_rx', 'ready', 'shipped',
                                               'delivered', 'cancelled', 'refunded')),
    gateway    TEXT NOT NULL,
    charge_id  TEXT NOT NULL DEFAULT '',
    details_ct BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, reference)
);
CREATE INDEX orders_owner ON orders (tenant_id, user_id, created_at);
CREATE INDEX orders_status ON orders (tenant_id, status);

-- Wish lists and shopping lists. A list of health products is PHI like an
-- order, so its name and items are sealed under the patient (items_ct: JSON
-- of variant ids and quantities). A person has at most one wish list.
CREATE TABLE lists (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('wish', 'shopping')),
    name_ct    BYTEA NOT NULL,
    items_ct   BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX lists_owner ON lists (tenant_id, user_id);
CREATE UNIQUE INDEX lists_one_wish ON lists (tenant_id, user_id) WHERE kind = 'wish';
