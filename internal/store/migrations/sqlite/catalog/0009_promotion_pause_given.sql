-- Promotions complete (issue 18 point 5). A manager may pause a code (it
-- refuses buyers until resumed) without ending it; a paused code keeps its
-- uses and its window. Each use records the discount it gave, in the
-- order's currency, so the manager sees what a code cost. Both are catalog
-- data: the amount and currency, never who used the code or what they bought.
ALTER TABLE promotions ADD COLUMN paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1));
ALTER TABLE promotion_uses ADD COLUMN discount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE promotion_uses ADD COLUMN currency TEXT NOT NULL DEFAULT '';
