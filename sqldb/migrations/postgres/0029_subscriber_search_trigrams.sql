-- A user search for a part of a name or address that few users contain
-- read every user of the customer (90 ms at 100,000).
-- subscribers_search_trgm indexes the trigrams of search_folded || '' as
-- customers_name_trgm does those of the company names (migration 0028),
-- when the server has pg_trgm; the store looks for it when it first
-- searches (trigram.go). (One block, one statement: see 0028.)
DO $$ DECLARE s name; BEGIN
    SELECT n.nspname INTO s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'; IF FOUND THEN
    EXECUTE format('CREATE INDEX subscribers_search_trgm ON subscribers USING gin ((search_folded || %L) %I.gin_trgm_ops)', '', s); END IF; END $$
