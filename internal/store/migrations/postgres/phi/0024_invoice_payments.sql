-- Invoices paid later online (issue 16): each payment page made for an
-- order placed by invoice, so that two tabs (or two clicks) get the same
-- page, and a gateway's word about an invoice order is only believed when
-- Salve made a page on that gateway for it. What is in the clear says
-- nothing of the order: its id, which attempt, the gateway's name and the
-- page's own id and expiry. The amount stays sealed with the order.
CREATE TABLE invoice_payments (
    tenant_id  TEXT NOT NULL,
    order_id   TEXT NOT NULL,
    attempt    INTEGER NOT NULL,
    gateway    TEXT NOT NULL,
    session_id TEXT NOT NULL DEFAULT '',
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    -- When reconciliation asked the gateway about the page after it
    -- expired (an expired page cannot be paid, so once is enough).
    checked_at TIMESTAMPTZ,
    -- Why the key: two requests racing to make a new page claim the same
    -- attempt; the second gets the first's and so the same page.
    PRIMARY KEY (tenant_id, order_id, attempt)
);
-- Reconciliation's work list: expired pages not yet asked about.
CREATE INDEX invoice_payments_unchecked ON invoice_payments (expires_at) WHERE checked_at IS NULL;
