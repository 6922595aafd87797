CREATE TABLE partners (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    parent_id TEXT NOT NULL DEFAULT '',
    provisioning_state TEXT NOT NULL DEFAULT 'active',
    subscription_id TEXT NOT NULL DEFAULT '',
    created BIGINT NOT NULL,
    billing_start BIGINT NOT NULL,
    UNIQUE (parent_id, name_key)
);
CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners(id),
    name TEXT NOT NULL,
    max_quantity BIGINT NOT NULL,
    created BIGINT NOT NULL
);
CREATE INDEX subscriptions_partner ON subscriptions (partner_id);
CREATE TABLE partner_admins (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners(id),
    email TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    language TEXT NOT NULL,
    created BIGINT NOT NULL,
    UNIQUE (partner_id, email)
);
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners(id),
    admin_id TEXT NOT NULL REFERENCES partner_admins(id),
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created BIGINT NOT NULL
);
CREATE TABLE templates (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners(id),
    provisioning_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    country TEXT NOT NULL,
    sp_admin_id TEXT NOT NULL REFERENCES partner_admins(id),
    subscription_id TEXT NOT NULL REFERENCES subscriptions(id),
    email_language TEXT NOT NULL,
    pstn_vendor TEXT NOT NULL,
    auth_method TEXT NOT NULL,
    idp_entity_id TEXT NOT NULL,
    idp_name TEXT NOT NULL,
    brand_name TEXT NOT NULL,
    allow_admin_invites BIGINT NOT NULL,
    offer_types TEXT NOT NULL,
    webex_to_webex BIGINT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE (partner_id, name_key)
);
CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners(id),
    org_id TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    primary_email TEXT NOT NULL,
    language TEXT NOT NULL,
    template_id TEXT NOT NULL REFERENCES templates(id),
    address TEXT NOT NULL,
    country TEXT NOT NULL,
    region TEXT NOT NULL,
    status TEXT NOT NULL,
    packages TEXT NOT NULL,
    quantities BIGINT NOT NULL,
    calling TEXT NOT NULL,
    meetings_tz TEXT NOT NULL,
    sub_partner_admin_email TEXT NOT NULL,
    e911 BIGINT NOT NULL,
    errors TEXT NOT NULL,
    version BIGINT NOT NULL,
    created BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    UNIQUE (partner_id, external_id)
);
CREATE INDEX customers_list ON customers (partner_id, created, id);
CREATE INDEX customers_status ON customers (partner_id, status);
CREATE INDEX customers_org ON customers (partner_id, org_id);
CREATE INDEX customers_template ON customers (template_id);
CREATE TABLE locations (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    timezone TEXT NOT NULL,
    language TEXT NOT NULL,
    emergency_location_id TEXT NOT NULL,
    headquarters BIGINT NOT NULL,
    created BIGINT NOT NULL,
    UNIQUE (customer_id, name)
);
CREATE TABLE customer_admins (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    created BIGINT NOT NULL,
    UNIQUE (customer_id, email)
);
CREATE TABLE subscribers (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    email TEXT NOT NULL UNIQUE,
    package TEXT NOT NULL,
    status TEXT NOT NULL,
    created BIGINT NOT NULL
);
CREATE INDEX subscribers_customer ON subscribers (customer_id, package);
CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner_id TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    resource TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    change TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX audit_log_resource ON audit_log (partner_id, resource, resource_id);
CREATE TABLE idempotency_keys (
    partner_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    location TEXT NOT NULL,
    body TEXT NOT NULL,
    created BIGINT NOT NULL,
    PRIMARY KEY (partner_id, key)
);
