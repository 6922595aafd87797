-- An Idempotency-Key reservation carries the token of the request holding
-- it and when its lease runs out: a key whose request died before its work
-- committed is free again after the lease (and, on SQLite, at the next
-- start). Rows from before have no lease: they are free.
ALTER TABLE idempotency_keys ADD COLUMN token TEXT NOT NULL DEFAULT '';
ALTER TABLE idempotency_keys ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
