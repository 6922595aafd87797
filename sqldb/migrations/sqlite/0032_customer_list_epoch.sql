-- A deep page of a partner's customers (OFFSET 100,000) stepped through
-- 100,000 entries of customers_list: 10-15 ms with real ids. The store now
-- remembers where every 1,000th customer of a partner's list is (the list
-- anchors, customer_anchor.go) and starts a deep page's walk there. An
-- anchor holds while no customer before it goes or comes: the epoch counts
-- the deletions, and the changes of a customer's partner or creation time
-- (which the store never makes), and a page started from an anchor reads
-- it in the same statement. Creating a customer appends it to its list,
-- unless another creation still in flight commits after it: the store
-- anchors only on customers created a minute ago or more, which no
-- creation in flight can precede. (A trigger on insertions, for rows
-- inserted out of order by hand, cost 4-7% of `bench customers`: two
-- concurrent creations commit out of order often, and each such commit
-- wrote the epoch's page too.) (The migration runner ends a statement at a
-- semicolon that ends a line: a trigger's END is on the line of its last
-- statement.)
CREATE TABLE customer_list_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), epoch INTEGER NOT NULL);
INSERT INTO customer_list_epoch (id, epoch) VALUES (1, 0);
CREATE TRIGGER customers_list_delete AFTER DELETE ON customers BEGIN
    UPDATE customer_list_epoch SET epoch = epoch + 1 WHERE id = 1; END;
CREATE TRIGGER customers_list_update AFTER UPDATE OF partner_id, created, id ON customers
WHEN old.partner_id IS NOT new.partner_id OR old.created IS NOT new.created OR old.id IS NOT new.id BEGIN
    UPDATE customer_list_epoch SET epoch = epoch + 1 WHERE id = 1; END;
