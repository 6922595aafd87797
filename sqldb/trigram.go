package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// Substring searches from a trigram index. A search for a part of a
// customer's name, or of a user's name or address, is a LIKE on a folded
// column, which no B-tree index answers: the list reads its rows (the
// partner's customers, the customer's users) in list order and stops
// after the page, quick when many rows match, but a text that few rows
// contain read every row of the list. A trigram index finds the rows that
// contain a text at once: an FTS5 table with the trigram tokenizer on
// SQLite, a GIN index of pg_trgm on PostgreSQL (migrations 0028, 0029).
// On SQLite, triggers note the rows whose column changed in a table of
// pending rows, which the store moves into the FTS5 table in the
// background (flushTrigrams), and a search looks in both; PostgreSQL's
// GIN index keeps a pending list of its own.
//
// The store asks the index first for up to trigramLimit+1 rows, of any
// partner, whose column contains the search. At most trigramLimit, the
// list reads only those rows by their key (with its other conditions,
// the LIKE too, and in list order); more, and the text is common enough
// that reading the list's rows in order finds a page soon, as before.
// Deciding with the rows in hand, rather than leaving it to a planner,
// keeps both plans right whatever the engine knows: SQLite has no
// statistics of the FTS5 table (nor often any at all) and PostgreSQL
// plans a prepared statement once for any search. The index only ever
// narrows the rows that the unchanged LIKE then decides on, so a search
// finds exactly what the LIKE alone finds.

// trigramLimit is the most rows a search reads by key from a trigram
// index; beyond it, the list reads in order. It is the customer search's
// count bound (tenantry.CustomerSearchCountBound), so that a search
// answered from the index also counts from it.
const trigramLimit = 1000

// trigramCommonRows is how many rows PostgreSQL must estimate contain a
// text to skip the look-up: ten times trigramLimit, so that a text its
// statistics place among a few rows of their sample is still looked up.
const trigramCommonRows = 10 * trigramLimit

// trigramMinRunes is the shortest search a trigram index answers: a
// shorter one holds no trigram.
const trigramMinRunes = 3

// trigramIndex names a trigram index of a folded column.
type trigramIndex struct {
	table, column string
	// fts is the FTS5 table of SQLite, whose rowids are the table's, and
	// pending the rowids whose column changed since fts took them.
	fts, pending string
	// gin is the GIN index of PostgreSQL, absent when the server had no
	// pg_trgm.
	gin string
	// alsoFlush are more statements a flush of SQLite's pending rows runs,
	// each with the last rowid moved as its argument.
	alsoFlush []string
}

var customerNames = trigramIndex{table: "customers", column: "name_folded",
	fts: "customers_trgm", pending: "customers_trgm_pending", gin: "customers_name_trgm",
	alsoFlush: []string{customerKeysFlush("external_id"), customerKeysFlush("primary_email")}}

// customerKeysFlush adds the keys of column of the pending customers to
// customers_keys (migration 0031); a key their old values left there
// stays, and finds nothing (exactMatches compares the rows).
func customerKeysFlush(column string) string {
	return `INSERT OR IGNORE INTO customers_keys (key, customer) SELECT t.partner_id || ' ' || LOWER(t.` + column + `), t.rowid
		FROM customers_trgm_pending p CROSS JOIN customers t ON t.rowid = p.rowid WHERE p.rowid <= ? AND t.` + column + ` <> ''`
}

var subscriberSearch = trigramIndex{table: "subscribers", column: "search_folded",
	fts: "subscribers_trgm", pending: "subscribers_trgm_pending", gin: "subscribers_search_trgm"}

// trigramIndexes are the trigram indexes the store keeps.
var trigramIndexes = []trigramIndex{customerNames, subscriberSearch}

// trigramRows are the rows of a table a trigram index found for a search.
type trigramRows struct {
	// sqlite: the keys are rowids, and the list must keep SQLite from
	// reading the partner's rows in another index of the table.
	sqlite bool
	// keys is the argument of cond: a JSON array of rowids on SQLite, the
	// ids on PostgreSQL.
	keys any
	// many: on PostgreSQL, more rows contain the text than the index
	// answers for (trigramLimit, or so many that the statistics say so).
	// There is then no condition: the list reads in order and finds a page
	// soon, and its statements are marked InOrder, as the planner's guess
	// of how many rows contain a text can be far too low (ten rows instead
	// of two thousand) and make it read and sort the whole table.
	many bool
}

// cond is the condition that a row of the table (as alias, "" or "s.") is
// one of r, with one argument, r.keys.
func (r *trigramRows) cond(alias string) string {
	if r.sqlite {
		return alias + "rowid IN (SELECT value FROM json_each(?))"
	}
	return alias + "id = ANY(?)"
}

// trigramMatches asks ix for the rows whose column contains folded (the
// search, trimmed and folded as the column is). It returns nil when the
// index cannot answer: a search shorter than three characters or with a
// NUL, no index (PostgreSQL without pg_trgm), or more than trigramLimit
// rows on SQLite; on PostgreSQL, more than trigramLimit rows are rows
// with many set and no keys.
func (db *DB) trigramMatches(ctx context.Context, ix trigramIndex, folded string) (*trigramRows, error) {
	if utf8.RuneCountInString(folded) < trigramMinRunes || strings.ContainsRune(folded, 0) {
		return nil, nil
	}
	// The rows' keys come back as one JSON array, and only when there are
	// few enough of them.
	limit, few := strconv.Itoa(trigramLimit+1), strconv.Itoa(trigramLimit)
	var n int
	var keys sql.NullString
	like := "%" + likeEscape(folded) + "%"
	if db.engine == SQLite {
		// Many rows pending (a bulk insert the background flush has yet
		// to move) would each be read and compared, as slow as the list
		// in order, and hold the one connection the flush needs: the list
		// reads in order until they are moved.
		var pending int
		if err := db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+ix.pending+` LIMIT `+limit+`)`).Scan(&pending); err != nil || pending > trigramLimit {
			return nil, err
		}
		// The pending rows are read, and then theirs by rowid and
		// compared: CROSS JOIN keeps this order whatever the statistics
		// (ANALYZE run while many rows were pending chose to read every
		// row of the table instead).
		err := db.queryRow(ctx, `SELECT COUNT(*), CASE WHEN COUNT(*) <= `+few+` THEN json_group_array(rowid) END
			FROM (SELECT rowid FROM `+ix.fts+` WHERE `+ix.fts+` MATCH ?
			UNION SELECT t.rowid FROM `+ix.pending+` p CROSS JOIN `+ix.table+` t ON t.rowid = p.rowid WHERE t.`+ix.column+` LIKE ? ESCAPE '\'
			LIMIT `+limit+`)`, trigramQuery(folded), like).Scan(&n, &keys)
		if err != nil || n > trigramLimit {
			return nil, err
		}
		return &trigramRows{sqlite: true, keys: keys.String}, nil
	}
	if ok, err := db.hasIndex(ctx, ix.gin); err != nil || !ok {
		return nil, err
	}
	// The look-up and the estimate are planned for this search (the
	// simple protocol), not once for any search as a prepared statement
	// is: a text many rows contain is found sooner reading the table than
	// building a bitmap of all its rows from the index. The index is of
	// column || '' (migration 0028). A text that the statistics say many
	// rows contain is not looked up at all: reading the table until a
	// thousand rows match took 4 ms for a word in a fifth of 100,000
	// names, whose page the list in order finds at once, and the
	// estimate costs a plan.
	var plan string
	if err := db.queryRow(ctx, `EXPLAIN (FORMAT JSON) SELECT 1 FROM `+ix.table+` WHERE (`+ix.column+` || '') LIKE ? ESCAPE '\'`,
		pgx.QueryExecModeSimpleProtocol, like).Scan(&plan); err != nil {
		return nil, err
	}
	var est []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := json.Unmarshal([]byte(plan), &est); err == nil && len(est) == 1 && est[0].Plan.Rows > trigramCommonRows {
		return &trigramRows{many: true}, nil
	}
	// The look-up reads the index, never the table whole: with a guess of
	// a few thousand rows containing the text, the planner chose to read
	// the table until a thousand and one matched (20 ms for a name one user
	// in fifty has, against 3 ms from the index).
	r, err := db.queryPlannedWithout(ctx, []string{"enable_seqscan"}, `SELECT COUNT(*), CASE WHEN COUNT(*) <= `+few+` THEN json_agg(id) END
		FROM (SELECT id FROM `+ix.table+` WHERE (`+ix.column+` || '') LIKE ? ESCAPE '\' LIMIT `+limit+`) AS t`,
		pgx.QueryExecModeSimpleProtocol, like)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	if r.Next() {
		err = r.Scan(&n, &keys)
	}
	if err == nil {
		err = r.Err()
	}
	if err != nil {
		return nil, err
	}
	if n > trigramLimit {
		return &trigramRows{many: true}, nil
	}
	ids := []string{} // an empty array, not NULL
	if keys.Valid {
		if err := json.Unmarshal([]byte(keys.String), &ids); err != nil {
			return nil, err
		}
	}
	return &trigramRows{keys: ids}, nil
}

// trigramQuery is a query of an FTS5 table of the trigram tokenizer that
// every row containing s matches (s has three characters or more), and
// few others: some of the trigrams of s, all required, three characters
// apart and the last, since each further trigram costs more than it
// narrows (this took half the time of all of them, or of s as a phrase,
// for a text many names contain). The tokenizer ignores case, folding
// both the rows and the query alike. Within double quotes every
// character is literal but the double quote, written twice.
func trigramQuery(s string) string {
	r := []rune(s)
	var b strings.Builder
	add := func(i int) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(string(r[i:i+3]), `"`, `""`))
		b.WriteByte('"')
	}
	for i := 0; i+3 <= len(r); i += 3 {
		add(i)
	}
	if len(r)%3 != 0 {
		add(len(r) - 3)
	}
	return b.String()
}

// indexes remembers which optional indexes a PostgreSQL database has:
// those a migration makes only when an extension is there.
type indexes struct {
	mu   sync.Mutex
	seen map[string]bool
}

// hasIndex reports whether the database has the index name (in the
// schema of its tables), looking once per process.
func (db *DB) hasIndex(ctx context.Context, name string) (bool, error) {
	db.optional.mu.Lock()
	defer db.optional.mu.Unlock()
	if ok, known := db.optional.seen[name]; known {
		return ok, nil
	}
	var ok bool
	if err := db.queryRow(ctx, `SELECT to_regclass(?) IS NOT NULL`, name).Scan(&ok); err != nil {
		return false, err
	}
	if db.optional.seen == nil {
		db.optional.seen = map[string]bool{}
	}
	db.optional.seen[name] = ok
	return ok, nil
}

// trigramFlushEvery is how often the store moves the pending rows of
// SQLite's trigram indexes into them; trigramFlushRows is the most rows it
// moves in a transaction, which holds the one connection a millisecond or
// two (200 users; up to 25 ms when the FTS5 table merges its segments). A
// search reads the pending rows one by one, so they are kept few.
const (
	trigramFlushEvery = 250 * time.Millisecond
	trigramFlushRows  = 200
)

// indexInBackground moves the pending rows of SQLite's trigram indexes
// and of its audit log's indexes (audit.go) into them every
// trigramFlushEvery, and returns what stops it.
func (db *DB) indexInBackground() func() {
	return every(trigramFlushEvery, func(ctx context.Context) {
		// Failed (the database busy or closing): the next tick tries
		// again, and until then a search reads the rows still pending,
		// and a read of the audit log moves them itself.
		db.flushTrigrams(ctx)
		db.indexAudit(ctx)
	})
}

// FlushSearchIndexes moves every row still pending into SQLite's trigram
// indexes now, rather than in the background; on PostgreSQL it does
// nothing. Benchmarks call it after seeding many rows at once, so that
// they time the lists of a database that has run a while.
func (db *DB) FlushSearchIndexes(ctx context.Context) error {
	if db.engine != SQLite {
		return nil
	}
	return db.flushTrigrams(ctx)
}

// flushTrigrams moves every pending row of SQLite's trigram indexes into
// them, trigramFlushRows at a time: between two transactions, requests
// and jobs waiting for the one connection have it.
func (db *DB) flushTrigrams(ctx context.Context) error {
	for _, ix := range trigramIndexes {
		for {
			n, err := db.flushTrigramRows(ctx, ix)
			if err != nil {
				return err
			}
			if n < trigramFlushRows {
				break
			}
		}
	}
	return nil
}

// flushTrigramRows moves up to trigramFlushRows pending rows of ix into
// it, in one transaction: each row's entries leave the index and, if the
// row is still there, its column as it is now goes in. It returns how many
// rows it moved.
func (db *DB) flushTrigramRows(ctx context.Context, ix trigramIndex) (int, error) {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var n int
	var last sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), MAX(rowid) FROM (SELECT rowid FROM `+ix.pending+` ORDER BY rowid LIMIT `+
		strconv.Itoa(trigramFlushRows)+`)`).Scan(&n, &last); err != nil || n == 0 {
		return 0, err
	}
	for _, q := range append(append([]string{
		`DELETE FROM ` + ix.fts + ` WHERE rowid IN (SELECT rowid FROM ` + ix.pending + ` WHERE rowid <= ?)`,
		`INSERT INTO ` + ix.fts + ` (rowid, ` + ix.column + `) SELECT t.rowid, t.` + ix.column + ` FROM ` + ix.pending + ` p
			CROSS JOIN ` + ix.table + ` t ON t.rowid = p.rowid WHERE p.rowid <= ? AND t.` + ix.column + ` IS NOT NULL`,
	}, ix.alsoFlush...),
		`DELETE FROM `+ix.pending+` WHERE rowid <= ?`,
	) {
		if _, err := tx.ExecContext(ctx, q, last.Int64); err != nil {
			return 0, err
		}
	}
	return n, tx.Commit()
}
