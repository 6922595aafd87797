-- A queued mail keeps what it tells (data, JSON of tenantry.MailData) and is
-- rendered when it is read or sent: the rendered text and HTML made every
-- queueing write kilobytes. Rows queued before keep their rendered bodies.
ALTER TABLE outbox ADD COLUMN data TEXT NOT NULL DEFAULT '';
-- Listing by status or customer filters the partner's rows; only the sender
-- needs an index of its own, and only over queued mail.
DROP INDEX outbox_status;
DROP INDEX outbox_customer;
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (next_attempt) WHERE status = 'queued';
