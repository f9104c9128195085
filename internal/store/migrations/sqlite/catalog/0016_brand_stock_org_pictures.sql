-- A brand's own stock and the organisation's product pictures.
-- A brand's own stock for a shared product (issue 20 point 3): a brand's
-- copy of an organisation variant sells the organisation's stock (one
-- warehouse) unless own_stock is set, when its sales take the copy's own
-- count and never the organisation's. The flag is kept across the rewrites
-- of the copy (store.OrgCatalogRepo.syncBrand).
ALTER TABLE variants ADD COLUMN own_stock BOOLEAN NOT NULL DEFAULT FALSE;

-- Pictures of an organisation's products (issue 20 point 3): uploaded once
-- for the organisation, with their renditions; every brand's copy of the
-- product carries a row per picture (product_images.org_image_id), written
-- with the copy, and the brand serves the organisation's renditions (a
-- brand's own pictures of its copy keep org_image_id NULL and stay its own).
CREATE TABLE org_product_images (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    org_product_id TEXT NOT NULL REFERENCES org_products (id) ON DELETE CASCADE,
    sha256         TEXT NOT NULL,
    alt            TEXT NOT NULL DEFAULT '',
    width          INTEGER NOT NULL,
    height         INTEGER NOT NULL,
    position       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX org_product_images_product ON org_product_images (org_product_id);
CREATE TABLE org_image_renditions (
    org_id       TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    sha256       TEXT NOT NULL,
    size         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    data         BLOB NOT NULL,
    PRIMARY KEY (org_id, sha256, size)
);
ALTER TABLE product_images ADD COLUMN org_image_id TEXT;
