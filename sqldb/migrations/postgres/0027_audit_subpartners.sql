-- The audit log records through what a write came (the hub or the API, and
-- the API token) and is read per partner newest first, filtered by date or
-- by admin; the hub's session remembers the sub-partner its admin acts for.
ALTER TABLE audit_log ADD COLUMN via TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN token_id TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_partner_at ON audit_log (partner_id, at, id);
CREATE INDEX audit_log_partner_actor ON audit_log (partner_id, actor_id, at, id);
ALTER TABLE hub_sessions ADD COLUMN sub_partner_id TEXT NOT NULL DEFAULT '';
