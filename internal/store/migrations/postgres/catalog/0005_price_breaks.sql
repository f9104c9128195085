-- Volume price breaks per variant: "from quantity N, unit price P" (minor
-- units), kept as "N:P;N:P" sorted by N, e.g. "3:899;10:799". Public catalog
-- data, no person. Why a column and not a table: the breaks are replaced with
-- their variant on every save, and cart pricing reads them in the same
-- statement as the base price, so a line can never be priced from a base price
-- of one moment and breaks of another. internal/catalog.ValidatePriceBreaks
-- checks them (N >= 2, 0 < P < price, P strictly down as N goes up, at most 5).
ALTER TABLE variants ADD COLUMN price_breaks TEXT NOT NULL DEFAULT '';
