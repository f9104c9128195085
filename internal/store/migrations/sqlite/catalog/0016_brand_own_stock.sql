-- A brand's own stock for a shared product (issue 20 point 3): a brand's
-- copy of an organisation variant sells the organisation's stock (one
-- warehouse) unless own_stock is set, when its sales take the copy's own
-- count and never the organisation's. The flag is kept across the rewrites
-- of the copy (store.OrgCatalogRepo.syncBrand).
ALTER TABLE variants ADD COLUMN own_stock BOOLEAN NOT NULL DEFAULT FALSE;
