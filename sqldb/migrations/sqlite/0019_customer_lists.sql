-- Customer lists must not grow with the table. A status filter reads the
-- partner's customers of that status in list order (created, id) from this
-- index and stops after the page; without it a rare status (error) scanned
-- every row of the partner. name_folded is the company name lower-cased in
-- Go (SQL's LOWER folds only ASCII on SQLite), so that the name search is
-- one cheap predicate on every engine; rows written before it are filled
-- in by the store when it opens (NULL until then).
CREATE INDEX customers_status_list ON customers (partner_id, status, created, id);
ALTER TABLE customers ADD COLUMN name_folded TEXT
