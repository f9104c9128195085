-- Carts and stock reservations.
--
-- Why carts live here, in the catalog store: a cart is keyed by the hash of a
-- random browser token and holds no person (no user id, no name, no address),
-- so the store that holds no PHI can keep it and a storefront-only process can
-- serve it. The link between a cart and a person exists only in that person's
-- browser; at checkout the cart's items are copied into an order, which is
-- sealed in the PHI store, and the cart is emptied.
CREATE TABLE carts (
    token_hash TEXT PRIMARY KEY, -- SHA-256 of the cookie's token, hex
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX carts_updated ON carts (updated_at);

CREATE TABLE cart_items (
    token_hash TEXT NOT NULL REFERENCES carts (token_hash) ON DELETE CASCADE,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    variant_id TEXT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    added_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (token_hash, variant_id)
);

-- Stock held for an order. The order id is the idempotency key: reserving
-- again for the same order changes nothing. Why here and not in the PHI
-- store: stock is catalog data and must move in the same transaction as the
-- variant's stock column; the order id alone says nothing about a person.
CREATE TABLE stock_reservations (
    order_id   TEXT NOT NULL,
    variant_id TEXT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    status     TEXT NOT NULL CHECK (status IN ('held', 'confirmed', 'released')),
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (order_id, variant_id)
);
CREATE INDEX stock_reservations_held ON stock_reservations (status, expires_at);

-- Promotion codes. Public rules, no person: who used a code is known only
-- through the order, in the PHI store. used counts orders holding the code;
-- it goes up in the transaction that reserves the order's stock (so a code
-- at its limit cannot be used twice at once) and down when that order
-- releases its stock.
CREATE TABLE promotions (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    code         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('percent', 'fixed')),
    value        INTEGER NOT NULL CHECK (value > 0),
    currency     TEXT NOT NULL DEFAULT '',
    min_quantity INTEGER NOT NULL DEFAULT 0,
    starts_at    TIMESTAMP NOT NULL,
    ends_at      TIMESTAMP,
    usage_limit  INTEGER NOT NULL DEFAULT 0, -- 0: unlimited
    used         INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, code)
);

-- Which order holds a use of which code; the order id is the idempotency key.
CREATE TABLE promotion_uses (
    promotion_id TEXT NOT NULL REFERENCES promotions (id) ON DELETE CASCADE,
    order_id     TEXT NOT NULL,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (promotion_id, order_id)
);
