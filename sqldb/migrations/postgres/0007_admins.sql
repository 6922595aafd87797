-- Customer admins hold a package (rule U4); '' on the full admin written at
-- provisioning means the organization's package (tenantry.OrgPackage).
ALTER TABLE customer_admins ADD COLUMN package TEXT NOT NULL DEFAULT '';
-- Attaching an existing organization may wait for its admin (rule C7):
-- '' (no approval needed), pending, approved or rejected.
ALTER TABLE customers ADD COLUMN approval TEXT NOT NULL DEFAULT '';
-- Existing organizations known to the installation. An org id not listed
-- is a small organization.
CREATE TABLE organizations (
    org_id TEXT PRIMARY KEY,
    user_count INTEGER NOT NULL,
    verified_domain INTEGER NOT NULL,
    claimed_domain INTEGER NOT NULL
);
-- The links of an approval request: the SHA-256 of each random token,
-- usable once.
CREATE TABLE approval_tokens (
    token_hash TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    created BIGINT NOT NULL,
    used BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX approval_tokens_customer ON approval_tokens (customer_id);
