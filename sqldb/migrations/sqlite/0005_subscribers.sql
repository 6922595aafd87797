ALTER TABLE subscribers ADD COLUMN partner_id TEXT NOT NULL DEFAULT '';
ALTER TABLE subscribers ADD COLUMN person_id TEXT NOT NULL DEFAULT '';
ALTER TABLE subscribers ADD COLUMN first_name TEXT NOT NULL DEFAULT '';
ALTER TABLE subscribers ADD COLUMN last_name TEXT NOT NULL DEFAULT '';
ALTER TABLE subscribers ADD COLUMN location_id TEXT NOT NULL DEFAULT '';
ALTER TABLE subscribers ADD COLUMN primary_phone_number TEXT NOT NULL DEFAULT '';
ALTER TABLE subscribers ADD COLUMN extension TEXT NOT NULL DEFAULT '';
ALTER TABLE subscribers ADD COLUMN consent_requests INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscribers ADD COLUMN consent_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscribers ADD COLUMN updated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscribers ADD COLUMN last_status_change INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX subscribers_extension ON subscribers (customer_id, extension) WHERE extension <> '';
CREATE UNIQUE INDEX subscribers_number ON subscribers (primary_phone_number) WHERE primary_phone_number <> '';
CREATE INDEX subscribers_list ON subscribers (partner_id, created, id);
CREATE INDEX subscribers_status_change ON subscribers (partner_id, last_status_change, id);
CREATE INDEX subscribers_customer_list ON subscribers (customer_id, created, id);
CREATE INDEX subscribers_location ON subscribers (location_id);
CREATE TABLE subscriber_add_ons (
    subscriber_id TEXT NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL,
    package TEXT NOT NULL,
    PRIMARY KEY (subscriber_id, package)
);
CREATE INDEX subscriber_add_ons_customer ON subscriber_add_ons (customer_id, package);
CREATE TABLE free_accounts (
    email TEXT PRIMARY KEY,
    created INTEGER NOT NULL
)
