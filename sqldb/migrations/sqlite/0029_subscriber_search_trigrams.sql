-- A user search for a part of a name or address that few users contain
-- read every user of the customer (90 ms at 100,000). subscribers_trgm
-- indexes the trigrams of search_folded as customers_trgm does those of
-- the company names (migration 0028): triggers note the users added,
-- renamed (search_folded changed, also by the fill when the store opens)
-- or removed in subscribers_trgm_pending, the store moves them into the
-- index in the background, and a search looks in both (trigram.go).
CREATE VIRTUAL TABLE subscribers_trgm USING fts5(search_folded, tokenize = 'trigram', content = '', contentless_delete = 1);
INSERT INTO subscribers_trgm (rowid, search_folded) SELECT rowid, search_folded FROM subscribers WHERE search_folded IS NOT NULL;
CREATE TABLE subscribers_trgm_pending (rowid INTEGER PRIMARY KEY);
CREATE TRIGGER subscribers_trgm_insert AFTER INSERT ON subscribers BEGIN
    INSERT OR IGNORE INTO subscribers_trgm_pending (rowid) VALUES (new.rowid); END;
CREATE TRIGGER subscribers_trgm_update AFTER UPDATE OF search_folded ON subscribers WHEN old.search_folded IS NOT new.search_folded BEGIN
    INSERT OR IGNORE INTO subscribers_trgm_pending (rowid) VALUES (new.rowid); END;
CREATE TRIGGER subscribers_trgm_delete AFTER DELETE ON subscribers BEGIN
    INSERT OR IGNORE INTO subscribers_trgm_pending (rowid) VALUES (old.rowid); END
