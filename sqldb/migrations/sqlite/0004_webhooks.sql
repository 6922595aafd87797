CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners(id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    active INTEGER NOT NULL,
    created INTEGER NOT NULL
);
CREATE INDEX webhooks_partner ON webhooks (partner_id, created, id);
CREATE TABLE webhook_events (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL,
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES webhook_events(id),
    attempt INTEGER NOT NULL,
    status TEXT NOT NULL,
    response_status INTEGER NOT NULL,
    error_message TEXT NOT NULL,
    at INTEGER NOT NULL,
    UNIQUE (webhook_id, event_id, attempt)
);
CREATE INDEX webhook_deliveries_list ON webhook_deliveries (webhook_id, at, id);
