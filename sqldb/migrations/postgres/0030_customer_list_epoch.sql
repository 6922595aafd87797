-- A deep page of a partner's customers (OFFSET 100,000) stepped through
-- 100,000 entries of customers_list: 17 ms with real ids, over 20 ms at
-- p99. The store now remembers where every 1,000th customer of a
-- partner's list is and starts a deep page's walk there
-- (customer_anchor.go). The epoch counts the changes that can move
-- customers in a list: the deletions, and the changes of a customer's
-- partner or creation time (which the store never makes); a page started
-- from an anchor reads it in the same statement. Creating a customer
-- appends it to its list, unless another creation still in flight commits
-- after it: the store anchors only on customers created a minute ago or
-- more, which no creation in flight can precede (a trigger on insertions
-- cost creations 5%, see the SQLite migration).
-- (One statement a line ending in a semicolon: see 0028.)
CREATE TABLE customer_list_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), epoch BIGINT NOT NULL);
INSERT INTO customer_list_epoch (id, epoch) VALUES (1, 0);
CREATE FUNCTION customer_list_moved() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
    UPDATE customer_list_epoch SET epoch = epoch + 1 WHERE id = 1; RETURN NULL; END $$;
CREATE TRIGGER customers_list_delete AFTER DELETE ON customers FOR EACH STATEMENT EXECUTE FUNCTION customer_list_moved();
CREATE TRIGGER customers_list_update AFTER UPDATE OF partner_id, created, id ON customers FOR EACH ROW
    WHEN (OLD.partner_id IS DISTINCT FROM NEW.partner_id OR OLD.created IS DISTINCT FROM NEW.created OR OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION customer_list_moved();
