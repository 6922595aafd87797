-- The directory of existing organizations and free accounts, as
-- 'tenantry directory import' brings it in: an organization's name, its
-- verified and claimed domains (JSON arrays; the flags above them stay what
-- rule C7 reads) and its legacy BroadWorks-style packages (a JSON array;
-- rule Q8), and when the import last wrote it; a free account's name.
ALTER TABLE organizations ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN verified_domains TEXT NOT NULL DEFAULT '[]';
ALTER TABLE organizations ADD COLUMN claimed_domains TEXT NOT NULL DEFAULT '[]';
ALTER TABLE organizations ADD COLUMN legacy_packages TEXT NOT NULL DEFAULT '[]';
ALTER TABLE organizations ADD COLUMN updated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE free_accounts ADD COLUMN name TEXT NOT NULL DEFAULT '';
