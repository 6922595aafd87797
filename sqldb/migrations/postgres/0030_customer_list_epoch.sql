-- A deep page of a partner's customers (OFFSET 100,000) stepped through
-- 100,000 entries of customers_list: 17 ms with real ids, over 20 ms at
-- p99. The store now remembers where every 1,000th customer of a
-- partner's list is and starts a deep page's walk there
-- (customer_anchor.go). The epoch counts the changes that can move
-- customers in a list: a deletion, a customer inserted before another of
-- its partner, a change of a customer's partner or creation time; a page
-- started from an anchor reads it in the same statement. An insertion's
-- check sees only committed rows, so two creations committing out of their
-- order can go unseen: the store anchors only on customers created a while
-- ago (anchorSettle), which no creation still in flight can precede.
-- The insertion's check compares each inserted customer with its
-- partner's last one (an index probe each; an EXISTS was planned as a
-- join that read the whole table for every statement of a bulk insert),
-- so a statement inserting several moves the epoch: harmless.
-- (One statement a line ending in a semicolon: see 0028.)
CREATE TABLE customer_list_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), epoch BIGINT NOT NULL);
INSERT INTO customer_list_epoch (id, epoch) VALUES (1, 0);
CREATE FUNCTION customer_list_moved() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
    UPDATE customer_list_epoch SET epoch = epoch + 1 WHERE id = 1; RETURN NULL; END $$;
CREATE FUNCTION customer_list_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
    IF EXISTS (SELECT 1 FROM inserted i WHERE (i.created, i.id) < (SELECT c.created, c.id FROM customers c WHERE c.partner_id = i.partner_id ORDER BY c.created DESC, c.id DESC LIMIT 1)) THEN
    UPDATE customer_list_epoch SET epoch = epoch + 1 WHERE id = 1; END IF; RETURN NULL; END $$;
CREATE TRIGGER customers_list_delete AFTER DELETE ON customers FOR EACH STATEMENT EXECUTE FUNCTION customer_list_moved();
CREATE TRIGGER customers_list_insert AFTER INSERT ON customers REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION customer_list_inserted();
CREATE TRIGGER customers_list_update AFTER UPDATE OF partner_id, created, id ON customers FOR EACH ROW
    WHEN (OLD.partner_id IS DISTINCT FROM NEW.partner_id OR OLD.created IS DISTINCT FROM NEW.created OR OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION customer_list_moved();
