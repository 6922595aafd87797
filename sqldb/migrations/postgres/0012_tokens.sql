-- API tokens get a name, an optional expiry and their last use (written at
-- most once a minute per token), and are listed per partner. Tokens made by
-- bootstrap before now held the four wholesale scopes; they also get the
-- scope that manages tokens, as bootstrap tokens now do.
ALTER TABLE api_tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN expires BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN last_used BIGINT NOT NULL DEFAULT 0;
CREATE INDEX api_tokens_partner ON api_tokens (partner_id, created);
UPDATE api_tokens SET name = 'bootstrap', scopes = scopes || ' tenantry:api_tokens'
WHERE scopes = 'spark-admin:wholesale_customers_read spark-admin:wholesale_customers_write spark-admin:wholesale_subscribers_read spark-admin:wholesale_subscribers_write';
