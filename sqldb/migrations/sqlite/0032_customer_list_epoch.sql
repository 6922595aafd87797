-- A deep page of a partner's customers (OFFSET 100,000) stepped through
-- 100,000 entries of customers_list: 10-15 ms with real ids. The store now
-- remembers where every 1,000th customer of a partner's list is (the list
-- anchors, customer_anchor.go) and starts a deep page's walk there. An
-- anchor holds while no customer before it goes or comes: the epoch counts
-- the changes that can move customers in a list (a deletion, a customer
-- inserted before another of its partner, a change of a customer's partner
-- or creation time), and a page started from an anchor reads it in the same
-- statement. SQLite has one writer at a time, and each write sees every
-- committed row, so the insertion trigger misses no customer inserted out
-- of order. (The migration runner ends a statement at a semicolon that
-- ends a line: a trigger's END is on the line of its last statement.)
CREATE TABLE customer_list_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), epoch INTEGER NOT NULL);
INSERT INTO customer_list_epoch (id, epoch) VALUES (1, 0);
CREATE TRIGGER customers_list_delete AFTER DELETE ON customers BEGIN
    UPDATE customer_list_epoch SET epoch = epoch + 1 WHERE id = 1; END;
CREATE TRIGGER customers_list_insert AFTER INSERT ON customers
WHEN EXISTS (SELECT 1 FROM customers WHERE partner_id = new.partner_id AND (created, id) > (new.created, new.id)) BEGIN
    UPDATE customer_list_epoch SET epoch = epoch + 1 WHERE id = 1; END;
CREATE TRIGGER customers_list_update AFTER UPDATE OF partner_id, created, id ON customers
WHEN old.partner_id IS NOT new.partner_id OR old.created IS NOT new.created OR old.id IS NOT new.id BEGIN
    UPDATE customer_list_epoch SET epoch = epoch + 1 WHERE id = 1; END;
