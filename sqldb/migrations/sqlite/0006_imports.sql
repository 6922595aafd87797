CREATE TABLE imports (
    id TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    admin_id TEXT NOT NULL,
    status TEXT NOT NULL,
    dry_run INTEGER NOT NULL,
    total INTEGER NOT NULL,
    done INTEGER NOT NULL,
    created_count INTEGER NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL
);
CREATE INDEX imports_customer ON imports (customer_id, created);
CREATE TABLE import_rows (
    import_id TEXT NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (import_id, seq)
);
CREATE TABLE import_errors (
    import_id TEXT NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    n INTEGER NOT NULL,
    line INTEGER NOT NULL,
    field TEXT NOT NULL,
    reason TEXT NOT NULL,
    params TEXT NOT NULL,
    PRIMARY KEY (import_id, seq, n)
)
