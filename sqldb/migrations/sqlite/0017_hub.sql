-- The hub: admins' passwords, browser sessions, one-time links (first-run
-- setup and sign-in), wizard drafts, and the supported-location
-- confirmation given when a customer was created in the hub.
CREATE TABLE admin_passwords (
    admin_id TEXT PRIMARY KEY REFERENCES partner_admins(id) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    updated INTEGER NOT NULL
);
CREATE TABLE hub_sessions (
    token_hash TEXT PRIMARY KEY,
    admin_id TEXT NOT NULL REFERENCES partner_admins(id) ON DELETE CASCADE,
    created INTEGER NOT NULL,
    seen INTEGER NOT NULL
);
CREATE INDEX hub_sessions_admin ON hub_sessions (admin_id);
CREATE TABLE hub_links (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    admin_id TEXT NOT NULL,
    created INTEGER NOT NULL,
    expires INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE hub_drafts (
    session_hash TEXT NOT NULL REFERENCES hub_sessions(token_hash) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    updated INTEGER NOT NULL,
    PRIMARY KEY (session_hash, kind)
);
CREATE TABLE customer_location_confirmations (
    customer_id TEXT PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
    admin_id TEXT NOT NULL,
    confirmed INTEGER NOT NULL
);
CREATE TABLE hub_admin_prefs (
    admin_id TEXT PRIMARY KEY REFERENCES partner_admins(id) ON DELETE CASCADE,
    language TEXT NOT NULL
);
