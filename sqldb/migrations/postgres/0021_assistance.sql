-- Setup assistance: a partner's operations address (where requests are
-- mailed; '' while unset) and the requests. A request keeps the customer's
-- name as it was and has no foreign key to the customer: it is history,
-- and outlives the customer. message_id is the outbox message that mails
-- it and mailed_to where it went, '' while there was no operations address.
ALTER TABLE partners ADD COLUMN operations_email TEXT NOT NULL DEFAULT '';
CREATE TABLE assistance_requests (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners(id),
    customer_id TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    topics TEXT NOT NULL,
    details TEXT NOT NULL,
    preferred_date TEXT NOT NULL,
    preferred_window TEXT NOT NULL,
    language TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    message_id TEXT NOT NULL DEFAULT '',
    mailed_to TEXT NOT NULL DEFAULT '',
    created BIGINT NOT NULL
);
CREATE INDEX assistance_list ON assistance_requests (partner_id, created, id);
CREATE INDEX assistance_customer ON assistance_requests (partner_id, customer_id, created, id);
CREATE INDEX assistance_unsent ON assistance_requests (partner_id) WHERE message_id = '';
