-- The links of a consent email (rule U3): the SHA-256 of each random token,
-- usable once. decision is '' until the link is used, then accept or reject.
CREATE TABLE consent_tokens (
    token_hash TEXT PRIMARY KEY,
    subscriber_id TEXT NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    created BIGINT NOT NULL,
    used BIGINT NOT NULL DEFAULT 0,
    decision TEXT NOT NULL DEFAULT ''
);
CREATE INDEX consent_tokens_subscriber ON consent_tokens (subscriber_id);
