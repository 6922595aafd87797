-- SQLite writes every b-tree a transaction touched to the WAL at its
-- commit, a page each: the audit log's four filter indexes were four of the
-- twenty pages of a customer's creation and of its provisioning. An audit
-- row is now written pending (pending = 1), in none of them, and the store
-- moves the rows written since audit_indexed.id into them in the background,
-- hundreds per transaction (audit.go, indexAudit); a read of the log moves
-- what is still pending first. The indexes hold only the rows with pending
-- = 0, so a query must say pending = 0 for SQLite to use them.
ALTER TABLE audit_log ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
DROP INDEX audit_log_partner_at;
DROP INDEX audit_log_partner_actor;
DROP INDEX audit_log_partner_action;
DROP INDEX audit_log_resource;
CREATE INDEX audit_log_partner_at ON audit_log (partner_id, at, id) WHERE pending = 0;
CREATE INDEX audit_log_partner_actor ON audit_log (partner_id, actor_id, at, id) WHERE pending = 0;
CREATE INDEX audit_log_partner_action ON audit_log (partner_id, action, at, id) WHERE pending = 0;
CREATE INDEX audit_log_resource ON audit_log (partner_id, resource, resource_id, at, id) WHERE pending = 0;
CREATE TABLE audit_indexed (id INTEGER NOT NULL);
INSERT INTO audit_indexed (id) SELECT COALESCE(MAX(id), 0) FROM audit_log;
