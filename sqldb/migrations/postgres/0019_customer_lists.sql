-- Customer lists must not grow with the table. A filter on a status other
-- than provisioned reads the partner's customers of that status in list
-- order (created, id) from this index and stops after the page; without it
-- a rare status (error) scanned every row of the partner. Provisioned, the
-- status of most customers, is left out: its list reads customers_list and
-- finds a page at once, and provisioning then only removes the customer's
-- entry instead of moving it (a full index cost 12-20% of the customers/s
-- of `bench customers` on SQLite). name_folded is the company name lower-cased in
-- Go (SQL's LOWER folds only ASCII on SQLite), so that the name search is
-- one cheap predicate on every engine; rows written before it are filled
-- in by the store when it opens (NULL until then).
CREATE INDEX customers_status_list ON customers (partner_id, status, created, id) WHERE status <> 'provisioned';
ALTER TABLE customers ADD COLUMN name_folded TEXT
