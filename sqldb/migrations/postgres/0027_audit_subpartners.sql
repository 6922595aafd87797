-- The audit log records through what a write came (the hub or the API, and
-- the API token), and the hub reads a partner's log newest first, filtered
-- by admin, action, resource or date: each filter has an index that starts
-- with the partner and ends with the time, so that a page is read in order.
-- The resource index gains the time for the same reason. The hub's session
-- remembers the sub-partner its admin acts for.
ALTER TABLE audit_log ADD COLUMN via TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN token_id TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_partner_at ON audit_log (partner_id, at, id);
CREATE INDEX audit_log_partner_actor ON audit_log (partner_id, actor_id, at, id);
CREATE INDEX audit_log_partner_action ON audit_log (partner_id, action, at, id);
DROP INDEX audit_log_resource;
CREATE INDEX audit_log_resource ON audit_log (partner_id, resource, resource_id, at, id);
ALTER TABLE hub_sessions ADD COLUMN sub_partner_id TEXT NOT NULL DEFAULT '';
