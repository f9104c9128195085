-- The staff order queue lists a tenant's orders of some statuses, newest
-- first, a page at a time (store.Orders.Queue). Why this index replaces
-- orders_status: with created_at and id after the status, each status's
-- orders are read already in page order, so a page of a long status (say
-- delivered) is an index range scan rather than a sort of every such order.
DROP INDEX orders_status;
CREATE INDEX orders_queue ON orders (tenant_id, status, created_at, id);
