-- A search for a part of a company name that few names contain read every
-- customer of the partner (90 ms at 100,000). customers_trgm indexes the
-- trigrams (every three characters in a row) of name_folded, so that the
-- store asks it first for the few customers whose names can contain the
-- search and reads only those (trigram.go). The index keeps no copy of the
-- names (content='') and its rows are the customers' rowids, which a
-- VACUUM keeps.
--
-- Writing to an FTS5 table costs every transaction that does it a new
-- segment of the index (15-20% of the customers/s of `bench customers`),
-- so the triggers only note in customers_trgm_pending the rowid of a
-- customer added, renamed (name_folded changed, also by the fill when the
-- store opens) or removed, and the store moves those rows into the index
-- in the background, many in a transaction. A search looks in both: the
-- index for the rows it holds, and the pending rows themselves (their
-- names, with the LIKE), so that the two always cover every name as it is
-- now. An entry of the index a pending row made stale only adds a row that
-- the LIKE then leaves out. (The migration runner ends a statement at a
-- semicolon that ends a line: a trigger's END is on the line of its last
-- statement.)
CREATE VIRTUAL TABLE customers_trgm USING fts5(name_folded, tokenize = 'trigram', content = '', contentless_delete = 1);
INSERT INTO customers_trgm (rowid, name_folded) SELECT rowid, name_folded FROM customers WHERE name_folded IS NOT NULL;
CREATE TABLE customers_trgm_pending (rowid INTEGER PRIMARY KEY);
CREATE TRIGGER customers_trgm_insert AFTER INSERT ON customers BEGIN
    INSERT OR IGNORE INTO customers_trgm_pending (rowid) VALUES (new.rowid); END;
CREATE TRIGGER customers_trgm_update AFTER UPDATE OF name_folded ON customers WHEN old.name_folded IS NOT new.name_folded BEGIN
    INSERT OR IGNORE INTO customers_trgm_pending (rowid) VALUES (new.rowid); END;
CREATE TRIGGER customers_trgm_delete AFTER DELETE ON customers BEGIN
    INSERT OR IGNORE INTO customers_trgm_pending (rowid) VALUES (old.rowid); END
