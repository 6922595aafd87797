CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners(id),
    customer_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    language TEXT NOT NULL,
    from_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    last_error TEXT NOT NULL,
    next_attempt BIGINT NOT NULL,
    dedupe_key TEXT UNIQUE,
    created BIGINT NOT NULL,
    sent BIGINT NOT NULL
);
CREATE INDEX outbox_list ON outbox (partner_id, created, id);
CREATE INDEX outbox_status ON outbox (partner_id, status, created, id);
CREATE INDEX outbox_customer ON outbox (partner_id, customer_id, created, id);
CREATE INDEX outbox_due ON outbox (status, next_attempt);
