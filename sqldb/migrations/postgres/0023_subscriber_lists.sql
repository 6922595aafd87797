-- A customer's user list must not grow with the customer. The hub lists
-- one customer's users by status in list order (created, id) from
-- subscribers_customer_status and stops after the page, for either status
-- (the pending one is rare, the provisioned one most). search_folded is the
-- user's first and last name and address lower-cased in Go (SQL's LOWER
-- folds only ASCII on SQLite), so that the search is one LIKE on every
-- engine; rows written before it are filled in by the store when it opens
-- (NULL until then, and subscribers_unfolded holds only those).
ALTER TABLE subscribers ADD COLUMN search_folded TEXT;
CREATE INDEX subscribers_customer_status ON subscribers (customer_id, status, created, id);
CREATE INDEX subscribers_unfolded ON subscribers (id) WHERE search_folded IS NULL;
