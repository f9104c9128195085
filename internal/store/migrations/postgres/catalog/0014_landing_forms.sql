-- Landing-page forms (issue 18 point 1): a form may also be on a landing
-- page ('page', target the page's slug).
ALTER TABLE forms DROP CONSTRAINT forms_attach_check;
ALTER TABLE forms ADD CONSTRAINT forms_attach_check CHECK (attach IN ('', 'product', 'portal', 'page'));
