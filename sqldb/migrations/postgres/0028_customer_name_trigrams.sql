-- A search for a part of a company name that few names contain read every
-- customer of the partner (70 ms at 100,000). customers_name_trgm, a GIN
-- index of the trigrams of name_folded (pg_trgm), finds the few customers
-- whose names contain the search, and the store reads only those
-- (trigram.go). It indexes name_folded || '' rather than the column, so
-- that only the store's look-up, which writes that, uses it: the lists'
-- own LIKE on the column keeps its plan in list order, where a generic
-- plan of the prepared statement chose the index for any text, and read
-- all of it for a text too short to hold a trigram (100 ms). pg_trgm
-- ships with PostgreSQL and is a trusted extension, but a server may lack
-- it or refuse it: then the migration goes on without the index, and the
-- store, which looks for the index when it first searches, reads the
-- partner's customers as before. The operator class is named in the
-- schema the extension is in. (The migration runner ends a statement at a
-- semicolon that ends a line: each block is one statement.)
DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm; EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'no pg_trgm (%): the customer search reads every customer', SQLERRM; END $$;
DO $$ DECLARE s name; BEGIN
    SELECT n.nspname INTO s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'; IF FOUND THEN
    EXECUTE format('CREATE INDEX customers_name_trgm ON customers USING gin ((name_folded || %L) %I.gin_trgm_ops)', '', s); END IF; END $$
