/* SPDX-License-Identifier: MIT */
/*
 * store.c - the SQLite result store: schema and migrations (PRAGMA
 * user_version), prepared statements and batched write transactions, plus
 * the read side used by export. All SQL of crawld lives here.
 *
 * A struct store owns one sqlite3 connection and every prepared statement
 * on it. Statements are prepared once at open (SQLITE_PREPARE_PERSISTENT)
 * and are reset and stripped of their bindings after every use, so a
 * borrowed string bound with SQLITE_STATIC never outlives the call that
 * lent it. Writes open a BEGIN IMMEDIATE on first use; store_flush()
 * commits. A failed commit is rolled back: the open batch is lost, the
 * database stays consistent (see docs/internals/store.md).
 *
 * Foreign keys are declared but not enforced (PRAGMA foreign_keys=OFF):
 * page ids are chosen by the caller, rows may point at rows of the same
 * open batch, and the per-row check would cost a lookup on the hot path.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "crawld/base/common.h"
#include "crawld/base/log.h"
#include "crawld/store/store.h"
#include "crawld/store/tally.h"
#include "crawld/web/digest.h"
#include "crawld/web/url.h"

/* Busy wait for a lock: short, because the caller is the network loop. */
#define STORE_BUSY_MS 100

/*
 * Schema migrations: step i takes user_version i to i + 1 and sets it
 * itself, so no SQL is formatted at runtime. Steps run in one transaction
 * from the database's version upward. Append only; never edit a shipped
 * step.
 */
static const char *const store_migrations[] = {
    /* 0 -> 1: the initial schema (CONTRACT.md "SQLite schema"). */
    "CREATE TABLE crawls ("
    " id INTEGER PRIMARY KEY,"
    " seeds TEXT NOT NULL,"
    " options TEXT NOT NULL,"
    " state TEXT NOT NULL,"
    " created_at TEXT NOT NULL,"
    " finished_at TEXT);"
    "CREATE TABLE pages ("
    " id INTEGER PRIMARY KEY,"
    " crawl_id INTEGER NOT NULL REFERENCES crawls(id),"
    " url TEXT NOT NULL,"
    " depth INTEGER NOT NULL,"
    " parent_id INTEGER REFERENCES pages(id),"
    " state TEXT NOT NULL CHECK(state IN"
    " ('queued','fetching','done','failed','skipped')),"
    " reason TEXT,"
    " status INTEGER,"
    " content_type TEXT,"
    " bytes INTEGER,"
    " discovered_at TEXT NOT NULL,"
    " fetched_at TEXT,"
    " UNIQUE(crawl_id, url));"
    "CREATE INDEX pages_crawl_state ON pages(crawl_id, state);"
    "CREATE TABLE links ("
    " src_id INTEGER NOT NULL REFERENCES pages(id),"
    " dst_id INTEGER NOT NULL REFERENCES pages(id),"
    " element TEXT NOT NULL,"
    " PRIMARY KEY(src_id, dst_id)) WITHOUT ROWID;"
    "PRAGMA user_version = 1;",
    /* 1 -> 2: how many fetches a page took (retries, issue 3). */
    "ALTER TABLE pages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;"
    "PRAGMA user_version = 2;",
    /* 2 -> 3: recrawl (issue 11): the validators and content hash of a
       page's last response, when its content last changed, and a history
       of every fetch. The fetches a v2 database knows (each fetched
       page's last one) start the history. The (crawl_id, state) index
       gains fetched_at: due pages of a revisit are found by time on it,
       and it still serves every query the old one did. */
    "ALTER TABLE pages ADD COLUMN etag TEXT;"
    "ALTER TABLE pages ADD COLUMN last_modified TEXT;"
    "ALTER TABLE pages ADD COLUMN content_hash TEXT;"
    "ALTER TABLE pages ADD COLUMN changed_at TEXT;"
    "CREATE TABLE fetches ("
    " id INTEGER PRIMARY KEY,"
    " page_id INTEGER NOT NULL REFERENCES pages(id),"
    " crawl_id INTEGER NOT NULL REFERENCES crawls(id),"
    " fetched_at TEXT NOT NULL,"
    " status INTEGER,"
    " bytes INTEGER,"
    " content_hash TEXT,"
    " etag TEXT,"
    " last_modified TEXT,"
    " not_modified INTEGER NOT NULL DEFAULT 0,"
    " error TEXT);"
    "CREATE INDEX fetches_page ON fetches(page_id, id);"
    "INSERT INTO fetches (page_id, crawl_id, fetched_at, status, bytes,"
    " error) SELECT id, crawl_id, fetched_at, status, bytes,"
    " CASE WHEN state = 'failed' THEN reason END FROM pages"
    " WHERE fetched_at IS NOT NULL AND state IN ('done', 'failed')"
    " ORDER BY fetched_at, id;"
    "DROP INDEX pages_crawl_state;"
    "CREATE INDEX pages_crawl_state ON pages(crawl_id, state, fetched_at);"
    "PRAGMA user_version = 3;",
    /* 3 -> 4: the mirror's URL -> local path map, and the attribute a
       link came from (issue 12). */
    "CREATE TABLE mirror_files ("
    " url TEXT PRIMARY KEY,"
    " path TEXT NOT NULL,"
    " kind TEXT NOT NULL CHECK(kind IN ('html','css','file','redirect')),"
    " content_type TEXT,"
    " etag TEXT,"
    " last_modified TEXT,"
    " sha256 TEXT,"
    " target TEXT,"
    " size INTEGER,"
    " mtime_ns INTEGER,"
    " crawl_id INTEGER REFERENCES crawls(id),"
    " page_id INTEGER REFERENCES pages(id),"
    " stale INTEGER NOT NULL DEFAULT 0,"
    " updated_at TEXT NOT NULL);"
    "CREATE INDEX mirror_files_path ON mirror_files(path);"
    "ALTER TABLE links ADD COLUMN attribute TEXT;"
    "PRAGMA user_version = 4;",
    /* 4 -> 5: the WARC files a crawl wrote and every record in them
       (--warc, issue 12): offsets for the resume, the CDXJ lines. */
    "CREATE TABLE warc_files ("
    " id INTEGER PRIMARY KEY,"
    " crawl_id INTEGER NOT NULL REFERENCES crawls(id),"
    " base TEXT NOT NULL,"
    " path TEXT NOT NULL,"
    " created_at TEXT NOT NULL);"
    "CREATE INDEX warc_files_crawl ON warc_files(crawl_id, base);"
    "CREATE TABLE warc_records ("
    " id INTEGER PRIMARY KEY,"
    " file_id INTEGER NOT NULL REFERENCES warc_files(id),"
    " page_id INTEGER REFERENCES pages(id),"
    " type TEXT NOT NULL,"
    " record_id TEXT NOT NULL,"
    " target_uri TEXT,"
    " warc_date TEXT NOT NULL,"
    " warc_offset INTEGER NOT NULL,"
    " warc_length INTEGER NOT NULL,"
    " status INTEGER,"
    " payload_digest TEXT,"
    " cdxj TEXT);"
    "CREATE INDEX warc_records_file ON warc_records(file_id, warc_offset);"
    "CREATE INDEX warc_records_target ON warc_records(target_uri, type);"
    "PRAGMA user_version = 5;",
    /* 5 -> 6: the mirror map keyed by (root, url): the daemon's jobs
       mirror into directories of their own, and one URL mirrored into
       two of them is two rows. root is the mirror directory's realpath;
       the rows of a v5 database get '' and the first mirror opened on it
       adopts them (store_mirror_adopt), so an existing mirror stays
       conditional. */
    "CREATE TABLE mirror_files_v6 ("
    " root TEXT NOT NULL,"
    " url TEXT NOT NULL,"
    " path TEXT NOT NULL,"
    " kind TEXT NOT NULL CHECK(kind IN ('html','css','file','redirect')),"
    " content_type TEXT,"
    " etag TEXT,"
    " last_modified TEXT,"
    " sha256 TEXT,"
    " target TEXT,"
    " size INTEGER,"
    " mtime_ns INTEGER,"
    " crawl_id INTEGER REFERENCES crawls(id),"
    " page_id INTEGER REFERENCES pages(id),"
    " stale INTEGER NOT NULL DEFAULT 0,"
    " updated_at TEXT NOT NULL,"
    " PRIMARY KEY(root, url));"
    "INSERT INTO mirror_files_v6 (root, url, path, kind, content_type,"
    " etag, last_modified, sha256, target, size, mtime_ns, crawl_id,"
    " page_id, stale, updated_at) SELECT '', url, path, kind,"
    " content_type, etag, last_modified, sha256, target, size, mtime_ns,"
    " crawl_id, page_id, stale, updated_at FROM mirror_files;"
    "DROP TABLE mirror_files;"
    "ALTER TABLE mirror_files_v6 RENAME TO mirror_files;"
    "CREATE INDEX mirror_files_path ON mirror_files(root, path);"
    "PRAGMA user_version = 6;",
};

_Static_assert(CW_NELEM(store_migrations) == STORE_SCHEMA_VERSION,
    "one migration step per schema version");

/* The hot statements, as macros so EXPLAIN QUERY PLAN can reuse them. */
#define SQL_NEXT_ID "SELECT COALESCE(MAX(id), 0) + 1 FROM pages"
#define SQL_PAGE_INSERT                                                        \
	"INSERT INTO pages (id, crawl_id, url, depth, parent_id, state,"       \
	" reason, discovered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
#define SQL_PAGE_FETCHING "UPDATE pages SET state = 'fetching' WHERE id = ?1"
/* A page found again by a shorter path: its depth, and with ?3 a
   skipped (depth) or finished row that is to be fetched again. */
#define SQL_PAGE_DEPTH                                                         \
	"UPDATE pages SET depth = ?2,"                                         \
	" state = CASE WHEN ?3 THEN 'queued' ELSE state END,"                  \
	" reason = CASE WHEN ?3 THEN NULL ELSE reason END WHERE id = ?1"
/* A response's facts replace the page's; changed_at moves only when a
   2xx body's hash differs from the one stored (the right-hand sides all
   see the row as it was). */
#define SQL_PAGE_FINISH                                                        \
	"UPDATE pages SET state = ?2, reason = ?3, status = ?4,"               \
	" content_type = ?5, bytes = ?6, fetched_at = ?7, attempts = ?8,"      \
	" etag = ?9, last_modified = ?10,"                                     \
	" changed_at = CASE WHEN ?11 IS NOT NULL AND"                          \
	" content_hash IS NOT ?11 THEN ?7 ELSE changed_at END,"                \
	" content_hash = COALESCE(?11, content_hash) WHERE id = ?1"
/* A fetch that brought no new content (a 304, a failed revisit): the
   page stays done with its earlier status, type, size and hash. */
#define SQL_PAGE_KEPT                                                          \
	"UPDATE pages SET state = 'done', reason = NULL, fetched_at = ?2,"     \
	" attempts = ?3, etag = COALESCE(?4, etag),"                           \
	" last_modified = COALESCE(?5, last_modified) WHERE id = ?1"
#define SQL_FETCH_INSERT                                                       \
	"INSERT INTO fetches (page_id, crawl_id, fetched_at, status, bytes,"   \
	" content_hash, etag, last_modified, not_modified, error)"             \
	" SELECT id, crawl_id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9"                 \
	" FROM pages WHERE id = ?1"
/* The page that failed last (GET /crawls/{id}, 100 times a second): the
   end of the job's failed range of the (crawl_id, state, fetched_at)
   index, whose entries end in the rowid. ORDER BY id alone sorted every
   failed row in a temporary b-tree on each request. */
#define SQL_CRAWL_LAST_FAILED                                                  \
	"SELECT url, reason, fetched_at FROM pages"                            \
	" WHERE crawl_id = ?1 AND state = 'failed'"                            \
	" ORDER BY fetched_at DESC, id DESC LIMIT 1"
/* Done pages fetched at or before ?2, after the cursor (?3, ?4), oldest
   first: a range of the (crawl_id, state, fetched_at) index. */
#define SQL_LOAD_DUE                                                           \
	"SELECT id, url, depth, fetched_at, etag, last_modified FROM pages"    \
	" WHERE crawl_id = ?1 AND state = 'done' AND fetched_at <= ?2"         \
	" AND (fetched_at, id) > (?3, ?4) ORDER BY fetched_at, id LIMIT ?5"
#define SQL_NEXT_DUE                                                           \
	"SELECT fetched_at FROM pages WHERE crawl_id = ?1"                     \
	" AND state = 'done' AND (fetched_at, id) > (?2, ?3)"                  \
	" ORDER BY fetched_at, id LIMIT 1"
#define SQL_LINK_INSERT                                                        \
	"INSERT OR IGNORE INTO links (src_id, dst_id, element, attribute)"     \
	" VALUES (?1, ?2, ?3, ?4)"
/* The same for 2, 4, ..., 64 rows (store_link_rows on the writer). */
#define SQL_LINK_HEAD                                                          \
	"INSERT OR IGNORE INTO links (src_id, dst_id, element, attribute)"     \
	" VALUES "
#define SQL_LINK_R1 "(?,?,?,?)"
#define SQL_LINK_R2 SQL_LINK_R1 "," SQL_LINK_R1
#define SQL_LINK_R4 SQL_LINK_R2 "," SQL_LINK_R2
#define SQL_LINK_R8 SQL_LINK_R4 "," SQL_LINK_R4
#define SQL_LINK_R16 SQL_LINK_R8 "," SQL_LINK_R8
#define SQL_LINK_R32 SQL_LINK_R16 "," SQL_LINK_R16
#define SQL_LINK_R64 SQL_LINK_R32 "," SQL_LINK_R32
#define SQL_MIRROR_COLS                                                        \
	"url, path, kind, content_type, etag, last_modified, sha256, target,"  \
	" size, mtime_ns, crawl_id, page_id, updated_at, stale, root"
/* The spilled frontier, in two parts the (crawl_id, state, fetched_at)
   index can seek: never-fetched rows from an id on (a range of the index,
   in id order), and the few fetched before (requeued revisits), sorted.
   One query for both ("id >= ?2" alone) read and sorted every queued row
   of the crawl at each refill. store_load_queued_on() merges them. */
#define SQL_LOAD_QUEUED                                                        \
	"SELECT id, url, depth FROM pages WHERE crawl_id = ?1"                 \
	" AND state = 'queued' AND fetched_at IS NULL AND id >= ?2"            \
	" ORDER BY id LIMIT ?3"
#define SQL_LOAD_QUEUED_FETCHED                                                \
	"SELECT id, url, depth FROM pages WHERE crawl_id = ?1"                 \
	" AND state = 'queued' AND fetched_at IS NOT NULL AND id >= ?2"        \
	" ORDER BY id LIMIT ?3"
#define SQL_COUNT_CRAWL_STATE                                                  \
	"SELECT COUNT(*) FROM pages WHERE crawl_id = ?1 AND state = ?2"
#define SQL_EXPORT_HEAD                                                        \
	"SELECT p.id, p.crawl_id, p.url, p.depth, p.state, p.reason,"          \
	" p.status, p.content_type, p.bytes, p.discovered_at, p.fetched_at,"   \
	" p.parent_id, par.url FROM pages AS p"                                \
	" LEFT JOIN pages AS par ON par.id = p.parent_id"                      \
	" WHERE ?1 = 0 OR p.crawl_id = ?1"

enum store_stmt {
	SS_BEGIN = 0,
	SS_COMMIT,
	SS_ROLLBACK,
	SS_USER_VERSION,
	SS_CRAWL_INSERT,
	SS_CRAWL_STATE,
	SS_NEXT_ID,
	SS_PAGE_INSERT,
	SS_PAGE_FETCHING,
	SS_PAGE_DEPTH,
	SS_PAGE_FINISH,
	SS_LINK_INSERT,
	SS_LINK_ROWS_2, /* ... to SS_LINK_ROWS_64: in this order */
	SS_LINK_ROWS_4,
	SS_LINK_ROWS_8,
	SS_LINK_ROWS_16,
	SS_LINK_ROWS_32,
	SS_LINK_ROWS_64,
	SS_COUNT_ALL,
	SS_COUNT_CRAWL,
	SS_COUNT_STATE,
	SS_COUNT_CRAWL_STATE,
	SS_EXPORT_DISCOVERED,
	SS_EXPORT_FETCHED,
	SS_CRAWL_LATEST,
	SS_CRAWL_LATEST_SEEDS,
	SS_CRAWL_LATEST_NORM,
	SS_REQUEUE,
	SS_WALK_PAGES,
	SS_LOAD_QUEUED,
	SS_LOAD_QUEUED_FETCHED,
	SS_CRAWL_LIST,
	SS_CRAWL_GET,
	SS_CRAWL_COUNTS,
	SS_CRAWL_LAST_FAILED,
	SS_CRAWL_ADD_SEED,
	SS_PAGE_KEPT,
	SS_FETCH_INSERT,
	SS_LOAD_DUE,
	SS_NEXT_DUE,
	SS_MIRROR_PUT,
	SS_MIRROR_GET,
	SS_MIRROR_GET_PATH,
	SS_MIRROR_WALK,
	SS_MIRROR_WALK_STALE,
	SS_MIRROR_ADOPT,
	SS_MIRROR_ADOPT_REST,
	SS_WARC_FILE_ADD,
	SS_WARC_FILE_LAST,
	SS_WARC_RECORD_ADD,
	SS_WARC_LAST_RESPONSE,
	SS_WARC_CDXJ,
	SS_COUNT_,
};

/* Every statement, prepared once at open. */
static const char *const store_sql[SS_COUNT_] = {
    [SS_BEGIN] = "BEGIN IMMEDIATE",
    [SS_COMMIT] = "COMMIT",
    [SS_ROLLBACK] = "ROLLBACK",
    [SS_USER_VERSION] = "PRAGMA user_version",
    [SS_CRAWL_INSERT] = "INSERT INTO crawls (seeds, options, state,"
			" created_at) VALUES (?1, ?2, 'running', ?3)",
    [SS_CRAWL_STATE] = "UPDATE crawls SET state = ?2,"
		       " finished_at = COALESCE(?3, finished_at)"
		       " WHERE id = ?1",
    [SS_NEXT_ID] = SQL_NEXT_ID,
    [SS_PAGE_INSERT] = SQL_PAGE_INSERT,
    [SS_PAGE_FETCHING] = SQL_PAGE_FETCHING,
    [SS_PAGE_DEPTH] = SQL_PAGE_DEPTH,
    [SS_PAGE_FINISH] = SQL_PAGE_FINISH,
    [SS_PAGE_KEPT] = SQL_PAGE_KEPT,
    [SS_FETCH_INSERT] = SQL_FETCH_INSERT,
    [SS_LOAD_DUE] = SQL_LOAD_DUE,
    [SS_NEXT_DUE] = SQL_NEXT_DUE,
    [SS_LINK_INSERT] = SQL_LINK_INSERT,
    [SS_LINK_ROWS_2] = SQL_LINK_HEAD SQL_LINK_R2,
    [SS_LINK_ROWS_4] = SQL_LINK_HEAD SQL_LINK_R4,
    [SS_LINK_ROWS_8] = SQL_LINK_HEAD SQL_LINK_R8,
    [SS_LINK_ROWS_16] = SQL_LINK_HEAD SQL_LINK_R16,
    [SS_LINK_ROWS_32] = SQL_LINK_HEAD SQL_LINK_R32,
    [SS_LINK_ROWS_64] = SQL_LINK_HEAD SQL_LINK_R64,
    [SS_COUNT_ALL] = "SELECT COUNT(*) FROM pages",
    [SS_COUNT_CRAWL] = "SELECT COUNT(*) FROM pages WHERE crawl_id = ?1",
    [SS_COUNT_STATE] = "SELECT COUNT(*) FROM pages WHERE state = ?2",
    [SS_COUNT_CRAWL_STATE] = SQL_COUNT_CRAWL_STATE,
    [SS_CRAWL_LATEST] = "SELECT id, state, seeds FROM crawls"
			" ORDER BY id DESC LIMIT 1",
    [SS_CRAWL_LATEST_SEEDS] = "SELECT id, state, seeds FROM crawls"
			      " WHERE seeds = ?1 ORDER BY id DESC LIMIT 1",
    /* Rows written before seeds were normalised (see store_seeds_norm). */
    [SS_CRAWL_LATEST_NORM] = "SELECT id, state, seeds FROM crawls"
			     " WHERE crawld_seeds_norm(seeds) = ?1"
			     " ORDER BY id DESC LIMIT 1",
    [SS_REQUEUE] = "UPDATE pages SET state = 'queued'"
		   " WHERE crawl_id = ?1 AND state = 'fetching'",
    [SS_WALK_PAGES] = "SELECT id, url, depth, state,"
		      " fetched_at IS NOT NULL FROM pages"
		      " WHERE crawl_id = ?1 ORDER BY id",
    [SS_LOAD_QUEUED] = SQL_LOAD_QUEUED,
    [SS_LOAD_QUEUED_FETCHED] = SQL_LOAD_QUEUED_FETCHED,
    [SS_CRAWL_LIST] = "SELECT id, seeds, options, state, created_at,"
		      " finished_at FROM crawls ORDER BY id",
    [SS_CRAWL_GET] = "SELECT id, seeds, options, state, created_at,"
		     " finished_at FROM crawls WHERE id = ?1",
    /* On the (crawl_id, state) index: no table row is read. */
    [SS_CRAWL_COUNTS] = "SELECT state, COUNT(*) FROM pages"
			" WHERE crawl_id = ?1 GROUP BY state",
    /* Append a seed once (SQLite's JSON functions, 3.31+ for $[#]). */
    [SS_CRAWL_ADD_SEED] = "UPDATE crawls SET seeds ="
			  " json_insert(seeds, '$[#]', ?2) WHERE id = ?1"
			  " AND NOT EXISTS (SELECT 1 FROM json_each(seeds)"
			  " WHERE value = ?2)",
    [SS_CRAWL_LAST_FAILED] = SQL_CRAWL_LAST_FAILED,
    [SS_MIRROR_PUT] = "INSERT OR REPLACE INTO mirror_files (" SQL_MIRROR_COLS
		      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
		      " ?11, ?12, ?13, ?14, ?15)",
    [SS_MIRROR_GET] = "SELECT " SQL_MIRROR_COLS " FROM mirror_files"
		      " WHERE root = ?1 AND url = ?2",
    [SS_MIRROR_GET_PATH] = "SELECT " SQL_MIRROR_COLS " FROM mirror_files"
			   " WHERE root = ?1 AND path = ?2 LIMIT 1",
    [SS_MIRROR_WALK] = "SELECT " SQL_MIRROR_COLS " FROM mirror_files"
		       " WHERE root = ?1 ORDER BY url",
    [SS_MIRROR_WALK_STALE] = "SELECT " SQL_MIRROR_COLS " FROM mirror_files"
			     " WHERE root = ?1 AND stale = 1 ORDER BY url",
    /* A URL a v6 mirror of root already holds keeps its own row. */
    [SS_MIRROR_ADOPT] = "UPDATE OR IGNORE mirror_files SET root = ?1"
			" WHERE root = ''",
    /* What is left of '': URLs root held already, superseded. */
    [SS_MIRROR_ADOPT_REST] = "DELETE FROM mirror_files WHERE root = ''",
    [SS_WARC_FILE_ADD] = "INSERT INTO warc_files (crawl_id, base, path,"
			 " created_at) VALUES (?1, ?2, ?3, ?4)",
    /* The file a crawl wrote last for base, and where its last record
       (committed or in the batch) ends: a resume cuts the file there. */
    [SS_WARC_FILE_LAST] = "SELECT f.id, f.path, (SELECT COALESCE("
			  "MAX(r.warc_offset + r.warc_length), 0) FROM"
			  " warc_records AS r WHERE r.file_id = f.id)"
			  " FROM warc_files AS f WHERE f.crawl_id = ?1"
			  " AND f.base = ?2 ORDER BY f.id DESC LIMIT 1",
    [SS_WARC_RECORD_ADD] = "INSERT INTO warc_records (file_id, page_id,"
			   " type, record_id, target_uri, warc_date,"
			   " warc_offset, warc_length, status,"
			   " payload_digest, cdxj) VALUES (?1, ?2, ?3, ?4,"
			   " ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    /* The newest response archived for a URL in base's files: what a
       revisit record refers to (on the target index). */
    [SS_WARC_LAST_RESPONSE] = "SELECT r.record_id, r.warc_date,"
			      " r.payload_digest FROM warc_records AS r"
			      " JOIN warc_files AS f ON f.id = r.file_id"
			      " WHERE r.target_uri = ?1 AND r.type ="
			      " 'response' AND f.base = ?2"
			      " ORDER BY r.id DESC LIMIT 1",
    /* BINARY collation is memcmp: the byte order of LC_ALL=C sort. */
    [SS_WARC_CDXJ] = "SELECT r.cdxj FROM warc_records AS r JOIN warc_files"
		     " AS f ON f.id = r.file_id WHERE f.base = ?1 AND"
		     " r.cdxj IS NOT NULL ORDER BY r.cdxj",
    [SS_EXPORT_DISCOVERED] = SQL_EXPORT_HEAD " ORDER BY p.discovered_at, p.id",
    [SS_EXPORT_FETCHED] =
	SQL_EXPORT_HEAD " ORDER BY p.fetched_at IS NULL, p.fetched_at, p.id",
};

/* The statements run per page or per link, or per API request, for
   store_explain_hot(), and whether a sort of what they find is allowed. */
static const struct store_hot {
	const char *sql;
	bool may_sort;
} store_hot_explain[] = {
    {"EXPLAIN QUERY PLAN " SQL_NEXT_ID, false},
    {"EXPLAIN QUERY PLAN " SQL_PAGE_INSERT, false},
    {"EXPLAIN QUERY PLAN " SQL_PAGE_FETCHING, false},
    {"EXPLAIN QUERY PLAN " SQL_PAGE_FINISH, false},
    {"EXPLAIN QUERY PLAN " SQL_LINK_INSERT, false},
    {"EXPLAIN QUERY PLAN " SQL_COUNT_CRAWL_STATE, false},
    {"EXPLAIN QUERY PLAN " SQL_LOAD_QUEUED, false},
    /* Sorts the queued pages fetched before (revisits, depth
       requeues) from the cursor on, at each page-in of a spilled
       frontier: known, and bounded by the rows of that kind. */
    {"EXPLAIN QUERY PLAN " SQL_LOAD_QUEUED_FETCHED, true},
    {"EXPLAIN QUERY PLAN " SQL_PAGE_KEPT, false},
    {"EXPLAIN QUERY PLAN " SQL_FETCH_INSERT, false},
    {"EXPLAIN QUERY PLAN " SQL_LOAD_DUE, false},
    {"EXPLAIN QUERY PLAN " SQL_NEXT_DUE, false},
    {"EXPLAIN QUERY PLAN " SQL_CRAWL_LAST_FAILED, false},
};

/* Link rows gathered on the writer for one multi-row INSERT: up to
   2^STORE_LINK_ROWS_LOG2 (SS_LINK_ROWS_64). */
#define STORE_LINK_ROWS_LOG2 6
#define STORE_LINK_ROWS (1u << STORE_LINK_ROWS_LOG2)

struct store_link_row {
	int64_t src, dst;
	uint8_t element; /* enum link_element */
	uint8_t attr;	 /* enum link_attr */
};

struct store {
	sqlite3 *db;		       /* owned */
	sqlite3_stmt *stmt[SS_COUNT_]; /* owned, prepared at open */
	unsigned flags;		       /* STORE_F_* */
	bool in_batch;		       /* a BEGIN is open */
	bool broken;	   /* a ROLLBACK failed: the transaction may be open */
	size_t batch_rows; /* rows written since BEGIN */
	char errmsg[256];  /* copy: sqlite's is volatile */
	struct store_stats stats; /* commit times (store_get_stats) */
	struct storew *w;    /* owned: the writer thread, NULL without one */
	char *path;	     /* owned: the file, for the read connection */
	bool wal;	     /* journal_mode is WAL */
	struct storer *rd;   /* owned: the read connection, NULL without */
	struct tally *tally; /* owned: live counts (store_crawl_track) */
	bool tally_triggers; /* its triggers are made on this connection */
	/* The queued link rows of the chunk being run, not yet inserted
	   (store_link_gather): used by whichever thread runs the queue,
	   one at a time, and empty between two chunks. */
	struct store_link_row lrows[STORE_LINK_ROWS];
	size_t nlrows;
};

/*
 * The read connection (opened with the writer thread, on a WAL file
 * only): a second, read-only sqlite3 connection used on the caller's
 * thread while the writer runs the queue on the first. It sees committed
 * batches only, and never waits for the writer: the frontier's refill and
 * the API's counts read here, so the network loop does not stop behind
 * the writer's queue or its COMMIT (docs/internals/store.md).
 */
enum store_rstmt {
	SR_LOAD_QUEUED,
	SR_LOAD_QUEUED_FETCHED,
	SR_CRAWL_COUNTS,
	SR_CRAWL_LAST_FAILED,
	SR_COUNT_
};

struct storer {
	sqlite3 *db;		       /* owned */
	sqlite3_stmt *stmt[SR_COUNT_]; /* owned */
};

/* Bytes of a chunk: about 150 link rows, so the writer is never far
   behind and store_sync() waits for little. */
#define STOREW_CHUNK 16384
#define STOREW_FREE_MAX 4 /* idle chunks kept for reuse */
/* Chunks handed over and not yet run, past which the loop waits for the
   writer (store_sync): nothing else bounds the queue since the loop no
   longer waits for it at each commit (store_flush_async). 4 MiB, about
   2 s of a fast crawl's writes: at 1 MiB a writer held up by its COMMIT
   on a loaded machine stopped the loop 125-165 ms twice in a 100,000-page
   daemon crawl. */
#define STOREW_QUEUE_MAX 256
/* Chunks the caller runs (or waits for) once the queue is full, before it
   goes on: a few ms of writes, not the whole queue (which would be
   100-200 ms on the loop). */
#define STOREW_THROTTLE_STEP 4
/* Bytes of the body copies waiting in the queue for their hash
   (store_page_finish), past which the caller hashes a body itself: the
   queue's memory stays bounded whatever the pages weigh. 2 MiB is about
   100 of B1's pages, 1,000 of B4's. */
#define STOREW_BODY_MAX (2u << 20)
/* Bytes of body copies in the chunk being filled at which it is handed
   over without waiting to be full: a chunk holds the records of about
   100 unparsed pages, and their bodies would otherwise wait (and fill
   STOREW_BODY_MAX) before the writer even sees them. */
#define STOREW_BODY_HANDOVER (256u << 10)

/*
 * A lock, wait or signal of the queue that fails: going on would lose
 * writes or hang the loop, so it is a crash naming the call, in every
 * build (as parsepool.c does).
 */
#define STOREW_CHECK(call)                                                     \
	do {                                                                   \
		if ((call) != 0)                                               \
			cw_assert_fail(#call " == 0", __FILE__, __LINE__);     \
	} while (0)

/* The thread running the queue of this store, on that thread only. */
static _Thread_local const struct store *storew_self;

enum wop_kind {
	WOP_PAGE_INSERT = 1,
	WOP_PAGE_FETCHING,
	WOP_PAGE_DEPTH,
	WOP_PAGE_FINISH,
	WOP_LINK_INSERT,
	WOP_COMMIT,	/* store_flush_async */
	WOP_TALLY_BASE, /* store_crawl_track: count in write order */
};

/* One queued write, followed in its chunk by the strings named in has,
   in order, each with its NUL; size is a multiple of 8. */
#define WOP_STRINGS 5
#define WOPF_FETCHED 0x1
#define WOPF_NOT_MODIFIED 0x2
#define WOPF_KEEP_CONTENT 0x4
#define WOPF_REQUEUE 0x8
#define WOPF_BODY 0x10 /* a struct wbody follows the record, first */
struct wop {
	uint32_t size;
	uint8_t kind;  /* enum wop_kind */
	uint8_t state; /* enum page_state; the link element */
	uint8_t has;   /* bit i: string i follows (WOP_STRINGS at most) */
	uint8_t flags; /* WOPF_* */
	int32_t n1;    /* depth; status */
	int32_t n2;    /* attempts */
	int64_t id;    /* page id; link src */
	int64_t id2;   /* crawl id; link dst */
	int64_t id3;   /* parent id */
	int64_t us;    /* discovered or fetched */
	int64_t bytes;
};

/* A page-finish record's body, to be hashed into its content_hash where
   the record runs (WOPF_BODY): copied into the chunk right after the
   record, before the strings. The bytes are the queue's until then. */
struct wbody {
	unsigned char *data; /* owned; NULL once hashed and freed */
	size_t len;
};

struct wchunk {
	struct wchunk *next;
	size_t len, cap;
	size_t body_bytes;    /* of the struct wbody copies in it */
	unsigned char data[]; /* records */
};

struct storew {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work;  /* pending chunks, or stop */
	pthread_cond_t idle;  /* nothing pending and not busy */
	struct wchunk *head;  /* under mu: handed over, not yet taken */
	struct wchunk *tail;  /* under mu */
	size_t nqueued;	      /* under mu: chunks from head to tail */
	struct wchunk *spare; /* under mu: run chunks kept for reuse */
	size_t nspare;	      /* under mu */
	bool busy;	      /* under mu: the writer is running chunks */
	bool stop;	      /* under mu */
	enum cw_rc err;	      /* under mu: a queued write failed */
	struct wchunk *fill;  /* loop thread: the chunk being filled */
	size_t rows;	      /* loop thread: rows of the batch so far */
	/* Bytes of the bodies in the queue (struct wbody): added by the
	   loop thread as it queues one, taken off by whoever frees it. */
	atomic_size_t body_bytes;
};

/* Whether a write on this thread goes to the queue. */
static bool
store_queued(const struct store *st)
{
	return st->w != NULL && storew_self != st;
}

static enum cw_rc storew_put(
    struct store *st, struct wop *op, const char *const str[WOP_STRINGS]);
static enum cw_rc storew_put_body(struct store *st, struct wop *op,
    const char *const str[WOP_STRINGS], struct wbody *wb);
static void storew_reset(struct store *st);
static enum cw_rc storew_wait(struct store *st);
static enum cw_rc storew_handover(struct storew *w);
static enum cw_rc storew_throttle(struct store *st);
static void store_writer_stop(struct store *st);
static enum cw_rc store_tally_base(struct store *st, int64_t crawl_id);

/* Wait for the writer (store_sync) and return its failure, if any. */
#define STORE_SYNC(st)                                                         \
	do {                                                                   \
		enum cw_rc sync_rc_ = store_sync(st);                          \
		if (sync_rc_ != CW_OK)                                         \
			return sync_rc_;                                       \
	} while (0)

/* The upper bounds of the commit-time histogram, in seconds. */
const double store_commit_bounds[STORE_COMMIT_BUCKETS] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

static const char *const page_state_names[] = {
    [PAGE_QUEUED] = "queued",
    [PAGE_FETCHING] = "fetching",
    [PAGE_DONE] = "done",
    [PAGE_FAILED] = "failed",
    [PAGE_SKIPPED] = "skipped",
};

/*
 * link_element_name() lives in links.c, a pure module the store must not
 * depend on; this table must match enum link_element.
 */
static const char *const store_element_names[] = {
    [LINK_EL_A] = "a",
    [LINK_EL_AREA] = "area",
    [LINK_EL_LINK] = "link",
    [LINK_EL_IFRAME] = "iframe",
    [LINK_EL_FRAME] = "frame",
    [LINK_EL_REDIRECT] = "redirect",
    [LINK_EL_IMG] = "img",
    [LINK_EL_SOURCE] = "source",
    [LINK_EL_SCRIPT] = "script",
    [LINK_EL_VIDEO] = "video",
    [LINK_EL_AUDIO] = "audio",
    [LINK_EL_TRACK] = "track",
    [LINK_EL_INPUT] = "input",
    [LINK_EL_OBJECT] = "object",
    [LINK_EL_EMBED] = "embed",
    [LINK_EL_BODY] = "body",
    [LINK_EL_TABLE] = "table",
    [LINK_EL_TD] = "td",
    [LINK_EL_TH] = "th",
    [LINK_EL_STYLE] = "style",
    [LINK_EL_ANY] = "any",
    [LINK_EL_CSS] = "css",
};

/* The same for enum link_attr (link_attr_name() in links.c); a value
   outside it is stored as NULL. */
static const char *const store_attr_names[] = {
    [LINK_ATTR_HREF] = "href",
    [LINK_ATTR_SRC] = "src",
    [LINK_ATTR_LOCATION] = "location",
    [LINK_ATTR_SRCSET] = "srcset",
    [LINK_ATTR_POSTER] = "poster",
    [LINK_ATTR_DATA] = "data",
    [LINK_ATTR_BACKGROUND] = "background",
    [LINK_ATTR_STYLE] = "style",
    [LINK_ATTR_URL] = "url",
    [LINK_ATTR_IMPORT] = "import",
};

/* The states store_crawl_set_state() accepts (CONTRACT.md). */
static const char *const crawl_state_names[] = {
    "running",
    "paused",
    "done",
    "cancelled",
};

/* "queued", "fetching", ...; "?" for a value outside the enum. */
const char *
page_state_name(enum page_state s)
{
	if ((unsigned)s >= CW_NELEM(page_state_names))
		return "?";
	return page_state_names[s];
}

/* Whether s is a value of enum page_state. */
static bool
store_state_valid(enum page_state s)
{
	return (unsigned)s < CW_NELEM(page_state_names);
}

/*
 * Record the connection's current error as "what: message", map the
 * SQLite code to a cw_rc and log it unless it is the caller's mistake
 * (a constraint). Must run before the statement is reset, which may
 * replace the message.
 */
static enum cw_rc
store_error(struct store *st, int src, const char *what)
{
	enum cw_rc rc;

	snprintf(st->errmsg, sizeof(st->errmsg), "%s: %s", what,
	    sqlite3_errmsg(st->db));
	switch (src & 0xff) {
	case SQLITE_FULL:
		rc = CW_EFULL;
		break;
	case SQLITE_CONSTRAINT:
		rc = CW_EINVAL;
		break;
	case SQLITE_NOMEM:
		rc = CW_ENOMEM;
		break;
	default:
		rc = CW_ESTORE;
		break;
	}
	if (rc != CW_EINVAL) {
		log_warnx("store: %s", st->errmsg);
		/* The statement's trigger may have counted rows it did not
		   write, and the batch is about to go. */
		tally_forget_all(st->tally);
	}
	return rc;
}

/*
 * After a failed write: SQLite rolls the whole transaction back on some
 * errors (full disk, I/O error, out of memory). Notice it, so the next
 * write opens a fresh batch instead of writing outside any transaction.
 */
static void
store_check_batch(struct store *st)
{
	if (st->in_batch && sqlite3_get_autocommit(st->db)) {
		log_warnx("store: batch of %zu rows rolled back by sqlite",
		    st->batch_rows);
		tally_forget_all(st->tally);
		st->in_batch = false;
		st->batch_rows = 0;
	}
}

/*
 * Step a bound statement to completion (one row at most is expected),
 * then reset it and clear its bindings so no borrowed pointer stays bound.
 * When row is not NULL it receives column 0 of the first row.
 */
static enum cw_rc
store_run(
    struct store *st, enum store_stmt which, const char *what, int64_t *row)
{
	sqlite3_stmt *s = st->stmt[which];
	enum cw_rc rc = CW_OK;
	int src;

	src = sqlite3_step(s);
	if (src == SQLITE_ROW && row != NULL)
		*row = sqlite3_column_int64(s, 0);
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		rc = store_error(st, src, what);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* Report a failed sqlite3_bind_*() (out of memory or a too-long text). */
static enum cw_rc
store_bind_failed(struct store *st, enum store_stmt which, const char *what)
{
	enum cw_rc rc;

	rc = store_error(st, sqlite3_errcode(st->db), what);
	sqlite3_clear_bindings(st->stmt[which]);
	return rc;
}

/* Bind a borrowed, possibly NULL string; it must outlive the step. */
static int
store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* Open a batch unless one is open: the first write after a flush. */
static enum cw_rc
store_begin(struct store *st)
{
	enum cw_rc rc;

	/* A write not converted to the queue still waits for it. */
	if (store_queued(st) && (rc = store_sync(st)) != CW_OK)
		return rc;
	if (st->in_batch)
		return CW_OK;
	if (st->broken) {
		/* errmsg still names the failed ROLLBACK. */
		return CW_ESTORE;
	}
	rc = store_run(st, SS_BEGIN, "begin", NULL);
	if (rc == CW_OK) {
		st->in_batch = true;
		st->batch_rows = 0;
	}
	return rc;
}

/*
 * ROLLBACK the open transaction unless SQLite already did. The message of
 * the failure that led here stays in errmsg. If the ROLLBACK fails and the
 * transaction is still open, the next BEGIN would fail in a confusing way
 * or, worse, later rows would join this batch: the store is marked broken
 * and refuses every later write, saying why.
 */
static void
store_rollback_tx(struct store *st)
{
	char first[sizeof(st->errmsg)];
	int src;

	/* The batch's rows were tallied: they are about to be undone. */
	tally_forget_all(st->tally);
	if (sqlite3_get_autocommit(st->db))
		return;
	src = sqlite3_step(st->stmt[SS_ROLLBACK]);
	sqlite3_reset(st->stmt[SS_ROLLBACK]);
	if (src == SQLITE_DONE || sqlite3_get_autocommit(st->db))
		return;
	st->broken = true;
	log_warnx("store: rollback failed (%s): no more writes",
	    sqlite3_errmsg(st->db));
	snprintf(first, sizeof(first), "%s", st->errmsg);
	snprintf(st->errmsg, sizeof(st->errmsg),
	    "%.150s%s rollback failed: %.80s", first,
	    first[0] != '\0' ? ";" : "", sqlite3_errmsg(st->db));
}

/*
 * Drop the open batch after a write failed (disk full, I/O error): SQLite
 * undid only the failed statement, and committing the rest later would
 * publish half a batch (a page 'done' without its links). A batch is
 * committed whole or not at all.
 */
static void
store_abort_batch(struct store *st)
{
	if (!st->in_batch)
		return;
	log_warnx("store: write failed, batch of %zu rows rolled back",
	    st->batch_rows);
	store_rollback_tx(st);
	st->in_batch = false;
	st->batch_rows = 0;
}

/* Drop the open batch on the caller's word (the engine gave up). */
void
store_rollback(struct store *st)
{
	(void)storew_wait(st); /* the failure that led here is known */
	storew_reset(st);
	if (!st->in_batch)
		return;
	log_warnx("store: batch of %zu rows dropped", st->batch_rows);
	store_rollback_tx(st);
	st->in_batch = false;
	st->batch_rows = 0;
}

/* Run a bound write in the batch and count the rows it changed. */
static enum cw_rc
store_write(struct store *st, enum store_stmt which, const char *what)
{
	enum cw_rc rc;

	rc = store_run(st, which, what, NULL);
	if (rc == CW_OK) {
		st->batch_rows += (size_t)sqlite3_changes(st->db);
		if (store_queued(st)) /* run here, after a store_sync() */
			st->w->rows += (size_t)sqlite3_changes(st->db);
	} else if (rc == CW_EINVAL)
		store_check_batch(st); /* a constraint: the batch goes on */
	else
		store_abort_batch(st);
	return rc;
}

/* Describe why a path cannot be opened, from the OS error if there is one. */
static void
store_open_reason(sqlite3 *db, bool readonly, char *buf, size_t len)
{
	int e = db != NULL ? sqlite3_system_errno(db) : 0;

	if (e == ENOENT && readonly)
		snprintf(buf, len, "no such database");
	else if (e == ENOENT)
		snprintf(buf, len,
		    "cannot create database: %s (does the "
		    "directory exist?)",
		    strerror(e));
	else if (e != 0)
		snprintf(buf, len, "%s", strerror(e));
	else if (db != NULL)
		snprintf(buf, len, "%s", sqlite3_errmsg(db));
	else
		snprintf(buf, len, "out of memory");
}

/* Set the connection pragmas; WAL only when we may write. */
static int
store_pragmas(struct store *st)
{
	sqlite3_stmt *s = NULL;
	int src;

	src = sqlite3_exec(st->db,
	    "PRAGMA foreign_keys = OFF;"
	    "PRAGMA temp_store = MEMORY;"
	    "PRAGMA cache_size = -4096;",
	    NULL, NULL, NULL);
	if (src != SQLITE_OK || (st->flags & STORE_F_READONLY))
		return src;
	/* journal_mode answers with the mode it got; WAL may be refused. */
	src = sqlite3_prepare_v2(
	    st->db, "PRAGMA journal_mode = WAL", -1, &s, NULL);
	if (src == SQLITE_OK) {
		src = sqlite3_step(s);
		if (src == SQLITE_ROW) {
			const unsigned char *m = sqlite3_column_text(s, 0);

			st->wal =
			    m != NULL && strcmp((const char *)m, "wal") == 0;
			if (!st->wal)
				log_warnx("store: journal_mode is %s, not wal",
				    m != NULL ? (const char *)m : "?");
			src = SQLITE_OK;
		}
		sqlite3_finalize(s);
	}
	if (src != SQLITE_OK)
		return src;
	return sqlite3_exec(st->db,
	    (st->flags & STORE_F_SYNC_FULL) ? "PRAGMA synchronous = FULL"
					    : "PRAGMA synchronous = NORMAL",
	    NULL, NULL, NULL);
}

/* Read PRAGMA user_version into *v. */
static int
store_user_version(struct store *st, int *v)
{
	sqlite3_stmt *s = st->stmt[SS_USER_VERSION];
	int src;

	src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		*v = sqlite3_column_int(s, 0);
		src = SQLITE_OK;
	}
	sqlite3_reset(s);
	return src;
}

/*
 * Bring the schema to STORE_SCHEMA_VERSION: refuse a newer one, apply the
 * missing steps in one transaction (re-reading the version under the write
 * lock, in case another process migrated meanwhile).
 */
static enum cw_rc
store_migrate(struct store *st, const char *path, char *err, size_t errlen)
{
	enum cw_rc rc = CW_ESTORE;
	int src, v = 0;
	bool began = false;

	src = store_user_version(st, &v);
	if (src != SQLITE_OK)
		goto sqlerr;
	if (v > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen,
		    "%s: database schema version %d is newer than this "
		    "crawld supports (%d); upgrade crawld",
		    path, v, STORE_SCHEMA_VERSION);
		goto out;
	}
	if (v == STORE_SCHEMA_VERSION)
		return CW_OK;
	if (st->flags & STORE_F_READONLY) {
		snprintf(err, errlen, "%s: %s (schema version %d, expected %d)",
		    path,
		    v == 0 ? "not a crawld database"
			   : "schema too old; open it read-write to upgrade",
		    v, STORE_SCHEMA_VERSION);
		goto out;
	}
	src = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (src != SQLITE_OK)
		goto sqlerr;
	began = true;
	src = store_user_version(st, &v);
	if (src != SQLITE_OK)
		goto sqlerr;
	for (; v >= 0 && v < STORE_SCHEMA_VERSION; v++) {
		src =
		    sqlite3_exec(st->db, store_migrations[v], NULL, NULL, NULL);
		if (src != SQLITE_OK)
			goto sqlerr;
	}
	src = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (src != SQLITE_OK)
		goto sqlerr;
	began = false;
	rc = CW_OK;
	goto out;
sqlerr:
	rc = (src & 0xff) == SQLITE_FULL ? CW_EFULL : CW_ESTORE;
	snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
out:
	/* A ROLLBACK that fails here costs nothing: the caller closes the
	   connection, and closing undoes an open transaction. */
	if (began && !sqlite3_get_autocommit(st->db) &&
	    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
		log_warnx("store: %s: rollback of the migration failed: %s",
		    path, sqlite3_errmsg(st->db));
	return rc;
}

/*
 * A seeds array with each URL normalised, as JSON text (malloc'd), the form
 * crawl_start() has stored since issue 10 (url_normalise, json_dumps
 * compact). NULL for text that is not an array of URLs: it stays as it is.
 * *nomem is set when memory ran out.
 */
static char *
store_seeds_norm_text(const char *text, bool *nomem)
{
	json_t *in = json_loads(text, JSON_DECODE_ANY, NULL), *out = NULL;
	json_t *v;
	char *norm = NULL, *dumped = NULL;
	size_t i;

	*nomem = false;
	if (!json_is_array(in) || (out = json_array()) == NULL)
		goto done;
	json_array_foreach (in, i, v) {
		if (!json_is_string(v))
			goto done;
		switch (url_normalise(json_string_value(v), &norm)) {
		case CW_OK:
			break;
		case CW_ENOMEM:
			*nomem = true;
			goto done;
		default:
			goto done; /* not a URL: no match but its own */
		}
		if (json_array_append_new(out, json_string(norm)) != 0) {
			*nomem = true;
			goto done;
		}
		FREE_NULL(norm);
	}
	dumped = json_dumps(out, JSON_COMPACT);
	*nomem = dumped == NULL;
done:
	free(norm);
	json_decref(out);
	json_decref(in);
	return dumped;
}

/*
 * SQL crawld_seeds_norm(seeds): crawls.seeds as it would be stored today.
 * A database written before seeds were normalised holds them as typed
 * ("HTTP://Host:80"); without this a re-run of the same command would not
 * find its crawl and would start a new one.
 */
static void
store_seeds_norm(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *text = sqlite3_value_text(argv[0]);
	char *norm;
	bool nomem;

	(void)argc;
	if (text == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	norm = store_seeds_norm_text((const char *)text, &nomem);
	if (nomem)
		sqlite3_result_error_nomem(ctx);
	else if (norm == NULL)
		sqlite3_result_value(ctx, argv[0]);
	else
		sqlite3_result_text(ctx, norm, -1, free);
	if (nomem)
		free(norm);
}

/*
 * Live counts (store_crawl_track). Temporary triggers on this connection,
 * made when the first crawl is tracked (a one-shot crawl never pays for
 * them), pass every change of a page row's state to crawld_tally(); the
 * rows of other connections (the sqlite3 shell) are not seen, which is
 * why the daemon owns its database.
 */
#define SQL_TALLY_TRIGGERS                                                     \
	"CREATE TEMP TRIGGER IF NOT EXISTS crawld_tally_insert"                \
	" AFTER INSERT ON main.pages BEGIN SELECT crawld_tally(NULL, NULL,"    \
	" NEW.crawl_id, NEW.state); END;"                                      \
	"CREATE TEMP TRIGGER IF NOT EXISTS crawld_tally_update"                \
	" AFTER UPDATE OF state, crawl_id ON main.pages"                       \
	" WHEN OLD.state IS NOT NEW.state OR OLD.crawl_id IS NOT"              \
	" NEW.crawl_id BEGIN SELECT crawld_tally(OLD.crawl_id, OLD.state,"     \
	" NEW.crawl_id, NEW.state); END;"                                      \
	"CREATE TEMP TRIGGER IF NOT EXISTS crawld_tally_delete"                \
	" AFTER DELETE ON main.pages BEGIN SELECT crawld_tally(OLD.crawl_id,"  \
	" OLD.state, NULL, NULL); END;"

/* A state column's value as an enum page_state index; -1 for NULL or a
   name this build does not know. */
static int
store_tally_state(sqlite3_value *v)
{
	const unsigned char *name = sqlite3_value_text(v);
	size_t i;

	for (i = 0; name != NULL && i < CW_NELEM(page_state_names); i++)
		if (strcmp((const char *)name, page_state_names[i]) == 0)
			return (int)i;
	return -1;
}

/* crawld_tally(old_crawl, old_state, new_crawl, new_state), from the
   triggers: a row moved between states (NULLs: inserted, deleted). */
static void
store_tally_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct tally *t = sqlite3_user_data(ctx);
	int64_t from_crawl = sqlite3_value_int64(argv[0]);
	int64_t to_crawl = sqlite3_value_int64(argv[2]);
	int from = store_tally_state(argv[1]), to = store_tally_state(argv[3]);

	(void)argc;
	if (sqlite3_value_type(argv[0]) != SQLITE_NULL &&
	    sqlite3_value_type(argv[2]) != SQLITE_NULL &&
	    from_crawl == to_crawl)
		tally_move(t, to_crawl, from, to);
	else {
		if (sqlite3_value_type(argv[0]) != SQLITE_NULL)
			tally_move(t, from_crawl, from, -1);
		if (sqlite3_value_type(argv[2]) != SQLITE_NULL)
			tally_move(t, to_crawl, -1, to);
	}
	sqlite3_result_null(ctx);
}

/* Prepare every statement once, for the life of the connection. */
static int
store_prepare(struct store *st)
{
	size_t i;
	int src;

	src = sqlite3_create_function_v2(st->db, "crawld_seeds_norm", 1,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, store_seeds_norm, NULL,
	    NULL, NULL);
	if (src == SQLITE_OK && st->tally != NULL)
		src = sqlite3_create_function_v2(st->db, "crawld_tally", 4,
		    SQLITE_UTF8, st->tally, store_tally_fn, NULL, NULL, NULL);
	if (src != SQLITE_OK)
		return src;
	for (i = 0; i < SS_COUNT_; i++) {
		src = sqlite3_prepare_v3(st->db, store_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL);
		if (src != SQLITE_OK)
			return src;
	}
	return SQLITE_OK;
}

/* Finalise the statements and close the connection, without flushing. */
static void
store_free(struct store *st)
{
	size_t i;

	for (i = 0; i < SS_COUNT_; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	tally_free(st->tally);
	free(st->path);
	free(st);
}

/* Open or create the database, set the pragmas and migrate the schema. */
enum cw_rc
store_open(const char *path, unsigned flags, struct store **out, char *err,
    size_t errlen)
{
	struct store *st = NULL;
	struct stat sb;
	char why[200];
	bool ro = (flags & STORE_F_READONLY) != 0;
	enum cw_rc rc = CW_EIO;
	int src, oflags;

	*out = NULL;
	if (errlen > 0)
		err[0] = '\0';
	if (path == NULL || path[0] == '\0') {
		snprintf(err, errlen, "empty database path");
		goto out;
	}
	/* sqlite would open a directory read-only and fail later, vaguely. */
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: is a directory", path);
		goto out;
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		rc = CW_ENOMEM;
		goto out;
	}
	st->flags = flags;
	st->path = strdup(path);
	if (st->path == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		rc = CW_ENOMEM;
		goto out;
	}
	oflags = SQLITE_OPEN_NOMUTEX |
	    (ro ? SQLITE_OPEN_READONLY
		: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	src = sqlite3_open_v2(path, &st->db, oflags, NULL);
	if (st->db != NULL)
		sqlite3_extended_result_codes(st->db, 1);
	if (src != SQLITE_OK) {
		store_open_reason(st->db, ro, why, sizeof(why));
		snprintf(err, errlen, "%s: %s", path, why);
		goto out;
	}
	/* Without write permission sqlite quietly falls back to read-only. */
	if (!ro && sqlite3_db_readonly(st->db, "main") == 1) {
		snprintf(
		    err, errlen, "%s: permission denied (read-only)", path);
		goto out;
	}
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	rc = CW_ESTORE;
	src = store_pragmas(st);
	if (src == SQLITE_OK)
		src = sqlite3_prepare_v3(st->db, store_sql[SS_USER_VERSION], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[SS_USER_VERSION],
		    NULL);
	if (src != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
		goto out;
	}
	rc = store_migrate(st, path, err, errlen);
	if (rc != CW_OK)
		goto out;
	if (!ro && (st->tally = tally_new()) == NULL) {
		rc = CW_ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	/* USER_VERSION is already prepared; prepare the rest. */
	sqlite3_finalize(st->stmt[SS_USER_VERSION]);
	st->stmt[SS_USER_VERSION] = NULL;
	src = store_prepare(st);
	if (src != SQLITE_OK) {
		rc = CW_ESTORE;
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
		goto out;
	}
	*out = st;
	st = NULL;
	rc = CW_OK;
out:
	if (st != NULL)
		store_free(st);
	return rc;
}

/* Flush, then finalise and close; a lost batch has been logged. */
void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (store_flush(st) != CW_OK)
		log_warnx("store: close: last batch lost");
	store_writer_stop(st);
	store_free(st);
}

/* The last error kept by this store ("" when none). */
const char *
store_errmsg(const struct store *st)
{
	return st->errmsg;
}

/* Insert a crawls row in the batch. */
enum cw_rc
store_crawl_create(struct store *st, const char *seeds_json,
    const char *options_json, int64_t created_us, int64_t *crawl_id)
{
	sqlite3_stmt *s = st->stmt[SS_CRAWL_INSERT];
	char ts[CW_ISO8601_LEN];
	enum cw_rc rc;
	int bad = 0;

	STORE_SYNC(st);
	if (seeds_json == NULL || options_json == NULL)
		return CW_EINVAL;
	rc = store_begin(st);
	if (rc != CW_OK)
		return rc;
	bad |= store_bind_text(s, 1, seeds_json);
	bad |= store_bind_text(s, 2, options_json);
	bad |= store_bind_text(s, 3, cw_iso8601_us(created_us, ts));
	if (bad)
		return store_bind_failed(st, SS_CRAWL_INSERT, "crawl create");
	rc = store_write(st, SS_CRAWL_INSERT, "crawl create");
	if (rc == CW_OK)
		*crawl_id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

/* Set a crawl's state and, when finished_us != 0, its finished_at. */
enum cw_rc
store_crawl_set_state(
    struct store *st, int64_t crawl_id, const char *state, int64_t finished_us)
{
	sqlite3_stmt *s = st->stmt[SS_CRAWL_STATE];
	char ts[CW_ISO8601_LEN];
	enum cw_rc rc;
	size_t i;
	int bad = 0;

	STORE_SYNC(st);
	for (i = 0; i < CW_NELEM(crawl_state_names); i++)
		if (state != NULL && strcmp(state, crawl_state_names[i]) == 0)
			break;
	if (i == CW_NELEM(crawl_state_names))
		return CW_EINVAL;
	rc = store_begin(st);
	if (rc != CW_OK)
		return rc;
	bad |= sqlite3_bind_int64(s, 1, crawl_id);
	bad |= sqlite3_bind_text(s, 2, crawl_state_names[i], -1, SQLITE_STATIC);
	if (finished_us != 0)
		bad |= store_bind_text(s, 3, cw_iso8601_us(finished_us, ts));
	if (bad)
		return store_bind_failed(st, SS_CRAWL_STATE, "crawl state");
	rc = store_write(st, SS_CRAWL_STATE, "crawl state");
	if (rc == CW_OK && sqlite3_changes(st->db) == 0) {
		snprintf(st->errmsg, sizeof(st->errmsg),
		    "crawl state: no crawl %lld", (long long)crawl_id);
		rc = CW_EINVAL;
	}
	return rc;
}

/* MAX(pages.id) + 1, including rows of the open batch. */
enum cw_rc
store_next_page_id(struct store *st, int64_t *id)
{
	STORE_SYNC(st);
	return store_run(st, SS_NEXT_ID, "next page id", id);
}

/* Insert a page row in the batch; a duplicate is CW_EINVAL, batch intact. */
enum cw_rc
store_page_insert(struct store *st, const struct store_page *pg)
{
	sqlite3_stmt *s = st->stmt[SS_PAGE_INSERT];
	char ts[CW_ISO8601_LEN];
	enum cw_rc rc;
	int bad = 0;

	if (pg->id <= 0 || pg->crawl_id <= 0 || pg->url == NULL ||
	    pg->depth < 0 || pg->parent_id < 0 || !store_state_valid(pg->state))
		return CW_EINVAL;
	if (store_queued(st)) {
		struct wop op = {.kind = WOP_PAGE_INSERT,
		    .state = (uint8_t)pg->state,
		    .n1 = pg->depth,
		    .id = pg->id,
		    .id2 = pg->crawl_id,
		    .id3 = pg->parent_id,
		    .us = pg->discovered_us};

		const char *str[WOP_STRINGS] = {pg->url, pg->reason};

		return storew_put(st, &op, str);
	}
	rc = store_begin(st);
	if (rc != CW_OK)
		return rc;
	bad |= sqlite3_bind_int64(s, 1, pg->id);
	bad |= sqlite3_bind_int64(s, 2, pg->crawl_id);
	bad |= store_bind_text(s, 3, pg->url);
	bad |= sqlite3_bind_int(s, 4, pg->depth);
	if (pg->parent_id != 0)
		bad |= sqlite3_bind_int64(s, 5, pg->parent_id);
	bad |= sqlite3_bind_text(
	    s, 6, page_state_names[pg->state], -1, SQLITE_STATIC);
	bad |= store_bind_text(s, 7, pg->reason);
	bad |= store_bind_text(s, 8, cw_iso8601_us(pg->discovered_us, ts));
	if (bad)
		return store_bind_failed(st, SS_PAGE_INSERT, "page insert");
	/* A constraint failure undoes this statement only, not the batch. */
	return store_write(st, SS_PAGE_INSERT, "page insert");
}

/* Fail with CW_EINVAL when the last UPDATE matched no page. */
static enum cw_rc
store_page_found(struct store *st, enum cw_rc rc, int64_t id, const char *what)
{
	if (rc == CW_OK && sqlite3_changes(st->db) == 0) {
		snprintf(st->errmsg, sizeof(st->errmsg), "%s: no page %lld",
		    what, (long long)id);
		rc = CW_EINVAL;
	}
	return rc;
}

/* Run a write whose one parameter is an id, in the batch. */
static enum cw_rc
store_write_id(
    struct store *st, enum store_stmt which, int64_t id, const char *what)
{
	enum cw_rc rc;

	rc = store_begin(st);
	if (rc != CW_OK)
		return rc;
	if (sqlite3_bind_int64(st->stmt[which], 1, id) != SQLITE_OK)
		return store_bind_failed(st, which, what);
	return store_write(st, which, what);
}

/* queued -> fetching. */
enum cw_rc
store_page_fetching(struct store *st, int64_t id)
{
	if (store_queued(st)) {
		struct wop op = {.kind = WOP_PAGE_FETCHING, .id = id};

		const char *str[WOP_STRINGS] = {NULL};

		return storew_put(st, &op, str);
	}
	return store_page_found(st,
	    store_write_id(st, SS_PAGE_FETCHING, id, "page fetching"), id,
	    "page fetching");
}

/* A page's shorter depth; requeue makes the row 'queued' again. */
enum cw_rc
store_page_depth(struct store *st, int64_t id, int depth, bool requeue)
{
	sqlite3_stmt *s = st->stmt[SS_PAGE_DEPTH];
	enum cw_rc rc;
	int bad = 0;

	if (depth < 0)
		return CW_EINVAL;
	if (store_queued(st)) {
		struct wop op = {.kind = WOP_PAGE_DEPTH,
		    .id = id,
		    .n1 = depth,
		    .flags = requeue ? WOPF_REQUEUE : 0};
		const char *str[WOP_STRINGS] = {NULL};

		return storew_put(st, &op, str);
	}
	rc = store_begin(st);
	if (rc != CW_OK)
		return rc;
	bad |= sqlite3_bind_int64(s, 1, id);
	bad |= sqlite3_bind_int(s, 2, depth);
	bad |= sqlite3_bind_int(s, 3, requeue ? 1 : 0);
	if (bad != SQLITE_OK)
		return store_bind_failed(st, SS_PAGE_DEPTH, "page depth");
	return store_page_found(
	    st, store_write(st, SS_PAGE_DEPTH, "page depth"), id, "page depth");
}

/*
 * The page row of an outcome. Any state is accepted, not only done/failed,
 * so a queued page the policy rejects late (robots) can become skipped.
 */
static enum cw_rc
store_page_finish_row(struct store *st, const struct store_result *res)
{
	sqlite3_stmt *s = st->stmt[SS_PAGE_FINISH];
	char ts[CW_ISO8601_LEN];
	enum cw_rc rc;
	int bad = 0;

	if (!store_state_valid(res->state))
		return CW_EINVAL;
	rc = store_begin(st);
	if (rc != CW_OK)
		return rc;
	bad |= sqlite3_bind_int64(s, 1, res->id);
	bad |= sqlite3_bind_text(
	    s, 2, page_state_names[res->state], -1, SQLITE_STATIC);
	bad |= store_bind_text(s, 3, res->reason);
	if (res->status != 0)
		bad |= sqlite3_bind_int(s, 4, res->status);
	bad |= store_bind_text(s, 5, res->content_type);
	if (res->bytes >= 0)
		bad |= sqlite3_bind_int64(s, 6, res->bytes);
	if (res->fetched_us != 0)
		bad |=
		    store_bind_text(s, 7, cw_iso8601_us(res->fetched_us, ts));
	bad |= sqlite3_bind_int(s, 8, res->attempts);
	bad |= store_bind_text(s, 9, res->etag);
	bad |= store_bind_text(s, 10, res->last_modified);
	bad |= store_bind_text(s, 11, res->content_hash);
	if (bad)
		return store_bind_failed(st, SS_PAGE_FINISH, "page finish");
	rc = store_write(st, SS_PAGE_FINISH, "page finish");
	return store_page_found(st, rc, res->id, "page finish");
}

/* A fetch that kept the page's earlier content: the page row. */
static enum cw_rc
store_page_kept(struct store *st, const struct store_result *res)
{
	sqlite3_stmt *s = st->stmt[SS_PAGE_KEPT];
	char ts[CW_ISO8601_LEN];
	int bad = 0;

	bad |= sqlite3_bind_int64(s, 1, res->id);
	bad |= store_bind_text(s, 2, cw_iso8601_us(res->fetched_us, ts));
	bad |= sqlite3_bind_int(s, 3, res->attempts);
	bad |= store_bind_text(s, 4, res->etag);
	bad |= store_bind_text(s, 5, res->last_modified);
	if (bad)
		return store_bind_failed(st, SS_PAGE_KEPT, "page kept");
	return store_page_found(st, store_write(st, SS_PAGE_KEPT, "page kept"),
	    res->id, "page kept");
}

/* The fetches row of a fetch. */
static enum cw_rc
store_fetch_insert(struct store *st, const struct store_result *res)
{
	sqlite3_stmt *s = st->stmt[SS_FETCH_INSERT];
	char ts[CW_ISO8601_LEN];
	int bad = 0;

	bad |= sqlite3_bind_int64(s, 1, res->id);
	bad |= store_bind_text(s, 2, cw_iso8601_us(res->fetched_us, ts));
	if (res->status != 0)
		bad |= sqlite3_bind_int(s, 3, res->status);
	if (res->bytes >= 0)
		bad |= sqlite3_bind_int64(s, 4, res->bytes);
	bad |= store_bind_text(s, 5, res->content_hash);
	bad |= store_bind_text(s, 6, res->etag);
	bad |= store_bind_text(s, 7, res->last_modified);
	bad |= sqlite3_bind_int(s, 8, res->not_modified ? 1 : 0);
	bad |= store_bind_text(s, 9, res->reason);
	if (bad)
		return store_bind_failed(st, SS_FETCH_INSERT, "fetch insert");
	return store_write(st, SS_FETCH_INSERT, "fetch insert");
}

/* The SHA-256 hex of a body into hex; NULL (logged) when libcrypto
   fails: the row has no hash rather than a wrong one. */
static const char *
store_body_hash(const void *body, size_t len, char hex[DIGEST_SHA256_HEX])
{
	if (digest_sha256_hex(body, len, hex) == CW_OK)
		return hex;
	log_warnx("store: content hash failed");
	return NULL;
}

/*
 * A page-finish record's body for the queue (see store_page_finish): a
 * copy in *wb, counted in the queue's body bytes, while they stay under
 * STOREW_BODY_MAX; else (or with no memory for the copy) the body's hash
 * made here, into hex, is returned and *wb stays empty.
 */
static const char *
storew_body_take(struct storew *w, const struct store_result *res,
    struct wbody *wb, char hex[DIGEST_SHA256_HEX])
{
	size_t queued = atomic_load(&w->body_bytes);

	wb->data = NULL;
	wb->len = 0;
	if (res->body_len > 0 && queued <= STOREW_BODY_MAX &&
	    res->body_len <= STOREW_BODY_MAX - queued &&
	    (wb->data = malloc(res->body_len)) != NULL) {
		memcpy(wb->data, res->body, res->body_len);
		wb->len = res->body_len;
		atomic_fetch_add(&w->body_bytes, wb->len);
		return NULL;
	}
	return store_body_hash(res->body, res->body_len, hex);
}

/* Free a queued body (hashed, or dropped with its chunk). */
static void
storew_body_free(struct storew *w, struct wbody *wb)
{
	if (wb->data == NULL)
		return;
	free(wb->data);
	atomic_fetch_sub(&w->body_bytes, wb->len);
	wb->data = NULL;
}

/*
 * Record an outcome: the page row (a fetch's new facts, or its earlier
 * ones kept), and for a fetch its fetches row, in the same batch.
 */
enum cw_rc
store_page_finish(struct store *st, const struct store_result *res)
{
	char hex[DIGEST_SHA256_HEX];
	struct store_result hashed;
	enum cw_rc rc;

	if (!store_state_valid(res->state))
		return CW_EINVAL;
	if (store_queued(st)) {
		struct wop op = {.kind = WOP_PAGE_FINISH,
		    .state = (uint8_t)res->state,
		    .flags = (uint8_t)((res->fetched ? WOPF_FETCHED : 0) |
			(res->not_modified ? WOPF_NOT_MODIFIED : 0) |
			(res->keep_content ? WOPF_KEEP_CONTENT : 0)),
		    .n1 = res->status,
		    .n2 = res->attempts,
		    .id = res->id,
		    .us = res->fetched_us,
		    .bytes = res->bytes};
		const char *str[WOP_STRINGS] = {res->reason, res->content_type,
		    res->etag, res->last_modified, res->content_hash};
		struct wbody wb = {NULL, 0};

		if (res->content_hash == NULL && res->body != NULL)
			str[4] = storew_body_take(st->w, res, &wb, hex);
		rc =
		    storew_put_body(st, &op, str, wb.data != NULL ? &wb : NULL);
		return rc;
	}
	if (res->content_hash == NULL && res->body != NULL) {
		hashed = *res;
		hashed.content_hash =
		    store_body_hash(res->body, res->body_len, hex);
		hashed.body = NULL;
		res = &hashed;
	}
	if (!res->fetched || res->fetched_us == 0 ||
	    (res->state != PAGE_DONE && res->state != PAGE_FAILED))
		return store_page_finish_row(st, res);
	if (res->keep_content) {
		rc = store_begin(st);
		if (rc == CW_OK)
			rc = store_page_kept(st, res);
	} else {
		rc = store_page_finish_row(st, res);
	}
	if (rc == CW_OK)
		rc = store_fetch_insert(st, res);
	return rc;
}

/* Insert a link in the batch; an existing (src, dst) pair is kept. */
enum cw_rc
store_link_insert(struct store *st, int64_t src_id, int64_t dst_id,
    enum link_element element, enum link_attr attr)
{
	sqlite3_stmt *s = st->stmt[SS_LINK_INSERT];
	enum cw_rc rc;
	int bad = 0;

	if ((unsigned)element >= CW_NELEM(store_element_names))
		return CW_EINVAL;
	if (store_queued(st)) {
		struct wop op = {.kind = WOP_LINK_INSERT,
		    .state = (uint8_t)element,
		    .n1 = (int32_t)attr,
		    .id = src_id,
		    .id2 = dst_id};

		const char *str[WOP_STRINGS] = {NULL};

		return storew_put(st, &op, str);
	}
	rc = store_begin(st);
	if (rc != CW_OK)
		return rc;
	bad |= sqlite3_bind_int64(s, 1, src_id);
	bad |= sqlite3_bind_int64(s, 2, dst_id);
	bad |= sqlite3_bind_text(
	    s, 3, store_element_names[element], -1, SQLITE_STATIC);
	if ((unsigned)attr < CW_NELEM(store_attr_names))
		bad |= sqlite3_bind_text(
		    s, 4, store_attr_names[attr], -1, SQLITE_STATIC);
	if (bad)
		return store_bind_failed(st, SS_LINK_INSERT, "link insert");
	return store_write(st, SS_LINK_INSERT, "link insert");
}

/*
 * Insert rows r[0 .. 2^b) with one statement (SS_LINK_INSERT for one row,
 * else SS_LINK_ROWS_2 ... 64). Rows go in in their order, so of two with
 * the same pair the first is kept, as with one INSERT OR IGNORE each.
 */
static enum cw_rc
store_link_rows(struct store *st, const struct store_link_row *r, unsigned b)
{
	enum store_stmt which =
	    b == 0 ? SS_LINK_INSERT : (enum store_stmt)(SS_LINK_ROWS_2 + b - 1);
	sqlite3_stmt *s = st->stmt[which];
	size_t i, n = (size_t)1 << b;
	enum cw_rc rc;
	int bad = 0, at;

	rc = store_begin(st);
	if (rc != CW_OK)
		return rc;
	for (i = 0; i < n; i++) {
		at = (int)(4 * i);
		bad |= sqlite3_bind_int64(s, at + 1, r[i].src);
		bad |= sqlite3_bind_int64(s, at + 2, r[i].dst);
		bad |= sqlite3_bind_text(s, at + 3,
		    store_element_names[r[i].element], -1, SQLITE_STATIC);
		if (r[i].attr < CW_NELEM(store_attr_names))
			bad |= sqlite3_bind_text(s, at + 4,
			    store_attr_names[r[i].attr], -1, SQLITE_STATIC);
		else
			bad |= sqlite3_bind_null(s, at + 4);
	}
	if (bad)
		return store_bind_failed(st, which, "link insert");
	return store_write(st, which, "link insert");
}

/* Insert the gathered link rows: the largest statements first (64, 32,
   ..., 1 rows), in order. Empties the list, also on failure. */
static enum cw_rc
store_link_flush(struct store *st)
{
	enum cw_rc rc = CW_OK;
	size_t at = 0;
	unsigned b;

	while (rc == CW_OK && at < st->nlrows) {
		b = STORE_LINK_ROWS_LOG2;
		while (((size_t)1 << b) > st->nlrows - at)
			b--;
		rc = store_link_rows(st, st->lrows + at, b);
		at += (size_t)1 << b;
	}
	st->nlrows = 0;
	return rc;
}

/*
 * A queued link row, on the thread running the queue: gathered for a
 * multi-row INSERT instead of one statement step each (B1-parse: 840,000
 * rows, the writer thread's main work). storew_run_chunk() inserts the
 * gathered rows before any other write and at the end of the chunk, so
 * the writes keep their order.
 */
static enum cw_rc
store_link_gather(struct store *st, const struct wop *op)
{
	struct store_link_row *r;
	enum cw_rc rc;

	if (op->state >= CW_NELEM(store_element_names))
		return CW_EINVAL;
	if (st->nlrows == STORE_LINK_ROWS &&
	    (rc = store_link_flush(st)) != CW_OK)
		return rc;
	r = &st->lrows[st->nlrows++];
	r->src = op->id;
	r->dst = op->id2;
	r->element = op->state;
	r->attr = (uint8_t)op->n1;
	return CW_OK;
}

/* Count one commit and its duration in the histogram. */
static void
store_count_commit(struct store *st, uint64_t us)
{
	double s = (double)us / 1e6;
	size_t i;

	/* The writer thread commits too (store_flush_async): the counters
	   are read under the queue's lock. */
	if (st->w != NULL)
		STOREW_CHECK(pthread_mutex_lock(&st->w->mu));
	st->stats.commits++;
	st->stats.commit_seconds += s;
	for (i = 0; i < STORE_COMMIT_BUCKETS; i++)
		if (s <= store_commit_bounds[i])
			st->stats.commit_le[i]++;
	if (st->w != NULL)
		STOREW_CHECK(pthread_mutex_unlock(&st->w->mu));
}

/* Commit-time counters. */
void
store_get_stats(const struct store *st, struct store_stats *out)
{
	if (st->w != NULL)
		STOREW_CHECK(pthread_mutex_lock(&st->w->mu));
	*out = st->stats;
	if (st->w != NULL)
		STOREW_CHECK(pthread_mutex_unlock(&st->w->mu));
}

/* COMMIT the open batch, if any, on the thread that runs the connection;
   on failure ROLLBACK so no half batch remains. */
static enum cw_rc
store_commit(struct store *st)
{
	enum cw_rc rc;
	uint64_t t0;

	if (!st->in_batch)
		return CW_OK;
	t0 = cw_monotonic_us();
	rc = store_run(st, SS_COMMIT, "commit", NULL);
	store_count_commit(st, cw_monotonic_us() - t0);
	if (rc != CW_OK) {
		log_warnx("store: commit failed, batch of %zu rows lost",
		    st->batch_rows);
		store_rollback_tx(st);
	}
	st->in_batch = false;
	st->batch_rows = 0;
	return rc;
}

/* COMMIT the batch; on failure ROLLBACK so no half batch remains. */
enum cw_rc
store_flush(struct store *st)
{
	enum cw_rc rc;

	rc = store_sync(st);
	if (rc != CW_OK) {
		/* A queued write failed: the batch goes whole or not at all. */
		log_warnx("store: a queued write failed, batch lost");
		store_rollback_tx(st);
		st->in_batch = false;
		st->batch_rows = 0;
		storew_reset(st);
		return rc;
	}
	if (st->w != NULL)
		st->w->rows = 0;
	return store_commit(st);
}

/* Queue the COMMIT behind the writes so far (see store.h). */
enum cw_rc
store_flush_async(struct store *st)
{
	const char *none[WOP_STRINGS] = {NULL, NULL, NULL, NULL, NULL};
	struct wop op;
	enum cw_rc rc;

	if (!store_queued(st))
		return store_flush(st);
	memset(&op, 0, sizeof(op));
	op.kind = WOP_COMMIT;
	rc = storew_put(st, &op, none);
	st->w->rows = 0; /* the batch is closed, as far as the caller goes */
	if (rc != CW_OK)
		return rc;
	/* Handed over now: the commit does not wait for the chunk to fill. */
	return storew_handover(st->w);
}

/* Rows written in the open batch. */
size_t
store_batch_rows(const struct store *st)
{
	return st->w != NULL ? st->w->rows : st->batch_rows;
}

/*
 * The writer thread (store_writer_start). The four writes made per page
 * and per link are not run where they are called: the loop thread copies
 * each into a chunk (a record and its strings), hands full chunks to the
 * writer under w->mu, and goes on; the writer runs them, in order, inside
 * the same open batch. Every other function waits first (store_sync())
 * until the writer has run everything handed to it and is idle, so it
 * sees every earlier write and the connection is used by one thread at a
 * time (it is opened NOMUTEX). The loop thread is the only producer: once
 * it has waited, the writer stays idle until it hands over more.
 *
 * A queued write that fails is reported by a later call (a handover or a
 * wait), and the writer runs nothing more until store_flush() or
 * store_rollback() drops the batch: callers treat any store failure as the
 * end of the batch, as the engine does.
 */

/* Free the bodies a chunk still holds: those of records not run (after a
   failure). */
static void
storew_drop_bodies(struct storew *w, struct wchunk *c)
{
	struct wbody wb;
	struct wop op;
	size_t off;

	for (off = 0; c->body_bytes > 0 && off + sizeof(op) <= c->len;
	     off += op.size) {
		memcpy(&op, c->data + off, sizeof(op));
		if (op.kind != WOP_PAGE_FINISH || (op.flags & WOPF_BODY) == 0)
			continue;
		memcpy(&wb, c->data + off + sizeof(op), sizeof(wb));
		storew_body_free(w, &wb);
		memcpy(c->data + off + sizeof(op), &wb, sizeof(wb));
	}
	c->body_bytes = 0;
}

/* Keep a run chunk for reuse or free it (under mu). */
static void
storew_recycle(struct storew *w, struct wchunk *c)
{
	storew_drop_bodies(w, c);
	if (c->cap == STOREW_CHUNK && w->nspare < STOREW_FREE_MAX) {
		c->next = w->spare;
		w->spare = c;
		w->nspare++;
		return;
	}
	free(c);
}

/* Run one queued write on the writer thread. */
static enum cw_rc
storew_exec(
    struct store *st, const struct wop *op, const char *const str[WOP_STRINGS])
{
	struct store_result sr;
	struct store_page pg;

	switch (op->kind) {
	case WOP_PAGE_INSERT:
		memset(&pg, 0, sizeof(pg));
		pg.id = op->id;
		pg.crawl_id = op->id2;
		pg.parent_id = op->id3;
		pg.url = str[0];
		pg.depth = op->n1;
		pg.state = (enum page_state)op->state;
		pg.reason = str[1];
		pg.discovered_us = op->us;
		return store_page_insert(st, &pg);
	case WOP_PAGE_FETCHING:
		return store_page_fetching(st, op->id);
	case WOP_PAGE_DEPTH:
		return store_page_depth(
		    st, op->id, op->n1, (op->flags & WOPF_REQUEUE) != 0);
	case WOP_PAGE_FINISH:
		memset(&sr, 0, sizeof(sr));
		sr.id = op->id;
		sr.state = (enum page_state)op->state;
		sr.reason = str[0];
		sr.content_type = str[1];
		sr.etag = str[2];
		sr.last_modified = str[3];
		sr.content_hash = str[4];
		sr.fetched = (op->flags & WOPF_FETCHED) != 0;
		sr.not_modified = (op->flags & WOPF_NOT_MODIFIED) != 0;
		sr.keep_content = (op->flags & WOPF_KEEP_CONTENT) != 0;
		sr.status = op->n1;
		sr.attempts = op->n2;
		sr.bytes = op->bytes;
		sr.fetched_us = op->us;
		return store_page_finish(st, &sr);
	case WOP_LINK_INSERT:
		return store_link_insert(st, op->id, op->id2,
		    (enum link_element)op->state, (enum link_attr)op->n1);
	case WOP_COMMIT:
		return store_commit(st);
	case WOP_TALLY_BASE:
		return store_tally_base(st, op->id);
	default:
		return CW_EINVAL;
	}
}

/*
 * A queued body's hash for its record's content_hash (str[4]), made here,
 * on the thread running the queue: the point of queueing it. The copy is
 * freed and marked so in the chunk.
 */
static const char *
storew_body_hash(
    struct storew *w, unsigned char *at, char hex[DIGEST_SHA256_HEX])
{
	const char *hash;
	struct wbody wb;

	memcpy(&wb, at, sizeof(wb));
	hash = store_body_hash(wb.data, wb.len, hex);
	storew_body_free(w, &wb);
	memcpy(at, &wb, sizeof(wb));
	return hash;
}

/* Run a chunk's writes in order, up to the first failure. */
static enum cw_rc
storew_run_chunk(struct store *st, struct wchunk *c)
{
	char hex[DIGEST_SHA256_HEX];
	const char *str[WOP_STRINGS], *hash;
	unsigned char *p;
	enum cw_rc rc = CW_OK;
	struct wop op;
	size_t off = 0, at, i;

	while (rc == CW_OK && off + sizeof(op) <= c->len) {
		p = c->data + off;
		memcpy(&op, p, sizeof(op));
		at = sizeof(op);
		hash = NULL;
		if (op.kind == WOP_PAGE_FINISH && (op.flags & WOPF_BODY) != 0) {
			hash = storew_body_hash(st->w, p + at, hex);
			at += sizeof(struct wbody);
		}
		for (i = 0; i < WOP_STRINGS; i++) {
			str[i] = NULL;
			if ((op.has & (1u << i)) == 0)
				continue;
			str[i] = (const char *)p + at;
			at += strlen(str[i]) + 1;
		}
		if (hash != NULL)
			str[4] = hash;
		/* Link rows are gathered (store_link_gather), and
		   inserted before the next other write. */
		if (op.kind == WOP_LINK_INSERT)
			rc = store_link_gather(st, &op);
		else if ((rc = store_link_flush(st)) == CW_OK)
			rc = storew_exec(st, &op, str);
		off += op.size;
	}
	if (rc == CW_OK)
		rc = store_link_flush(st);
	st->nlrows = 0; /* after a failure they go with the batch */
	return rc;
}

/* Take the queue's first chunk to run it (mu held, the queue not empty):
   busy until storew_run_taken() clears it. */
static struct wchunk *
storew_take_head(struct storew *w)
{
	struct wchunk *c = w->head;

	w->head = c->next;
	if (w->head == NULL)
		w->tail = NULL;
	c->next = NULL;
	w->nqueued--;
	w->busy = true;
	return c;
}

/*
 * Run a taken list of chunks (busy set, mu not held) unless an earlier
 * write failed (rc), then, under mu (held on return): keep the failure,
 * recycle the chunks, clear busy and wake whoever waits for idle.
 */
static void
storew_run_taken(struct store *st, struct wchunk *list, enum cw_rc rc)
{
	struct storew *w = st->w;
	struct wchunk *c, *next;

	for (c = list; c != NULL && rc == CW_OK; c = c->next)
		rc = storew_run_chunk(st, c);
	STOREW_CHECK(pthread_mutex_lock(&w->mu));
	if (rc != CW_OK && w->err == CW_OK)
		w->err = rc;
	for (c = list; c != NULL; c = next) {
		next = c->next;
		storew_recycle(w, c);
	}
	w->busy = false;
	STOREW_CHECK(pthread_cond_broadcast(&w->idle));
}

/* The writer: take one chunk at a time (so a waiter can run the rest
   itself, see storew_wait), run it, say when idle. */
static void *
storew_main(void *arg)
{
	struct store *st = arg;
	struct storew *w = st->w;
	struct wchunk *c;
	enum cw_rc rc;

	storew_self = st;
	/* Only the name in top and /proc changes if this fails. */
	(void)prctl(PR_SET_NAME, "crawld-store", 0, 0, 0);
	STOREW_CHECK(pthread_mutex_lock(&w->mu));
	for (;;) {
		while ((w->head == NULL || w->busy) && !w->stop)
			STOREW_CHECK(pthread_cond_wait(&w->work, &w->mu));
		if (w->head == NULL)
			break; /* stopping, and everything has run */
		if (w->busy) {
			/* Stopping while a waiter runs the queue. */
			STOREW_CHECK(pthread_cond_wait(&w->idle, &w->mu));
			continue;
		}
		c = storew_take_head(w);
		rc = w->err; /* after a failure nothing more is run */
		STOREW_CHECK(pthread_mutex_unlock(&w->mu));
		storew_run_taken(st, c, rc);
	}
	STOREW_CHECK(pthread_mutex_unlock(&w->mu));
	return NULL;
}

/* Hand the chunk being filled to the writer; a failure of an earlier
   write is returned instead (the chunk is dropped with it). *full says
   the queue has reached STOREW_QUEUE_MAX (NULL: not asked). */
static enum cw_rc
storew_handover_full(struct storew *w, bool *full)
{
	struct wchunk *c = w->fill;
	enum cw_rc rc;

	w->fill = NULL;
	if (full != NULL)
		*full = false;
	if (c == NULL)
		return CW_OK;
	STOREW_CHECK(pthread_mutex_lock(&w->mu));
	rc = w->err;
	if (rc != CW_OK || c->len == 0) {
		storew_recycle(w, c);
	} else {
		c->next = NULL;
		if (w->tail != NULL)
			w->tail->next = c;
		else
			w->head = c;
		w->tail = c;
		w->nqueued++;
		if (full != NULL)
			*full = w->nqueued >= STOREW_QUEUE_MAX;
		STOREW_CHECK(pthread_cond_signal(&w->work));
	}
	STOREW_CHECK(pthread_mutex_unlock(&w->mu));
	return rc;
}

static enum cw_rc
storew_handover(struct storew *w)
{
	return storew_handover_full(w, NULL);
}

/* A chunk with room for need bytes: a spare one, or a new one. */
static struct wchunk *
storew_chunk(struct storew *w, size_t need)
{
	size_t cap = need > STOREW_CHUNK ? need : STOREW_CHUNK;
	struct wchunk *c = NULL;

	if (cap == STOREW_CHUNK) {
		STOREW_CHECK(pthread_mutex_lock(&w->mu));
		c = w->spare;
		if (c != NULL) {
			w->spare = c->next;
			w->nspare--;
		}
		STOREW_CHECK(pthread_mutex_unlock(&w->mu));
	}
	if (c == NULL) {
		c = malloc(sizeof(*c) + cap);
		if (c == NULL)
			return NULL;
		c->cap = cap;
	}
	c->next = NULL;
	c->len = 0;
	c->body_bytes = 0;
	return c;
}

/* Hand the chunk being filled over and, when the writer is far behind,
   help it, so the queue (and memory) stays bounded. */
static enum cw_rc
storew_hand_on(struct store *st)
{
	bool full;
	enum cw_rc rc = storew_handover_full(st->w, &full);

	if (rc == CW_OK && full)
		rc = storew_throttle(st);
	return rc;
}

/*
 * Queue a write with its strings (NULL: absent) and, for a page finish,
 * the copy of a body to hash (NULL: none), which the queue owns from the
 * call on whatever it returns. A chunk holding STOREW_BODY_HANDOVER bytes
 * of bodies is handed over at once.
 */
static enum cw_rc
storew_put_body(struct store *st, struct wop *op,
    const char *const str[WOP_STRINGS], struct wbody *wb)
{
	struct storew *w = st->w;
	size_t len[WOP_STRINGS], size = sizeof(*op), at, i;
	unsigned char *p;
	enum cw_rc rc;

	if (wb != NULL)
		size += sizeof(*wb);
	for (i = 0; i < WOP_STRINGS; i++) {
		len[i] = str[i] != NULL ? strlen(str[i]) + 1 : 0;
		size += len[i];
	}
	size = (size + 7) & ~(size_t)7;
	rc = size > UINT32_MAX ? CW_EINVAL : CW_OK;
	if (rc == CW_OK && w->fill != NULL &&
	    w->fill->len + size > w->fill->cap)
		rc = storew_hand_on(st);
	if (rc == CW_OK && w->fill == NULL &&
	    (w->fill = storew_chunk(w, size)) == NULL)
		rc = CW_ENOMEM;
	if (rc != CW_OK) {
		if (wb != NULL)
			storew_body_free(w, wb);
		return rc;
	}
	op->size = (uint32_t)size;
	op->has = 0;
	p = w->fill->data + w->fill->len;
	at = sizeof(*op);
	if (wb != NULL) {
		op->flags |= WOPF_BODY;
		memcpy(p + at, wb, sizeof(*wb));
		at += sizeof(*wb);
		w->fill->body_bytes += wb->len;
	}
	for (i = 0; i < WOP_STRINGS; i++) {
		if (str[i] == NULL)
			continue;
		op->has |= (uint8_t)(1u << i);
		memcpy(p + at, str[i], len[i]);
		at += len[i];
	}
	memcpy(p, op, sizeof(*op));
	w->fill->len += size;
	w->rows++;
	/* Queued: a failure now is an earlier write's, reported here. */
	if (w->fill->body_bytes >= STOREW_BODY_HANDOVER)
		return storew_hand_on(st);
	return CW_OK;
}

/* Queue a write with its strings (NULL: absent). */
static enum cw_rc
storew_put(struct store *st, struct wop *op, const char *const str[WOP_STRINGS])
{
	return storew_put_body(st, op, str, NULL);
}

/* The queue is full: run the oldest chunks here (or wait while the writer
   runs one) until STOREW_THROTTLE_STEP fewer are waiting; the first
   failure of a write is returned. */
static enum cw_rc
storew_throttle(struct store *st)
{
	struct storew *w = st->w;
	const struct store *prev;
	struct wchunk *c;
	enum cw_rc rc;

	STOREW_CHECK(pthread_mutex_lock(&w->mu));
	while (w->nqueued + STOREW_THROTTLE_STEP > STOREW_QUEUE_MAX &&
	    w->head != NULL && w->err == CW_OK) {
		if (w->busy) {
			STOREW_CHECK(pthread_cond_wait(&w->idle, &w->mu));
			continue;
		}
		c = storew_take_head(w);
		STOREW_CHECK(pthread_mutex_unlock(&w->mu));
		prev = storew_self;
		storew_self = st; /* the writes run here, not queued again */
		storew_run_taken(st, c, CW_OK); /* returns with mu held */
		storew_self = prev;
	}
	/* The writer may have gone back to sleep while this thread ran a
	   chunk (busy): the rest is its work again. */
	if (w->head != NULL)
		STOREW_CHECK(pthread_cond_signal(&w->work));
	rc = w->err;
	STOREW_CHECK(pthread_mutex_unlock(&w->mu));
	return rc;
}

/* Wait until every write handed over has run; the first failure of one
   (kept until the batch is dropped) is returned. */
static enum cw_rc
storew_wait(struct store *st)
{
	struct storew *w = st->w;
	const struct store *prev;
	struct wchunk *list;
	enum cw_rc rc;

	if (w == NULL || storew_self == st)
		return CW_OK;
	(void)storew_handover(w); /* a failure is read below */
	STOREW_CHECK(pthread_mutex_lock(&w->mu));
	for (;;) {
		while (w->busy)
			STOREW_CHECK(pthread_cond_wait(&w->idle, &w->mu));
		if (w->head == NULL)
			break;
		/* Run what the writer has not taken here, rather than wait
		   for it to be scheduled: the wait is then at most the one
		   chunk it is running (on a loaded machine a thread can wait
		   tens of ms for a CPU, and this caller is the network loop).
		 */
		list = w->head;
		w->head = w->tail = NULL;
		w->nqueued = 0;
		rc = w->err;
		w->busy = true;
		STOREW_CHECK(pthread_mutex_unlock(&w->mu));
		prev = storew_self;
		storew_self = st; /* the writes run here, not queued again */
		storew_run_taken(st, list, rc);
		storew_self = prev;
	}
	rc = w->err;
	STOREW_CHECK(pthread_mutex_unlock(&w->mu));
	return rc;
}

enum cw_rc
store_sync(struct store *st)
{
	return storew_wait(st);
}

/* After the batch was dropped or committed: no failure is pending. */
static void
storew_reset(struct store *st)
{
	if (st->w == NULL)
		return;
	STOREW_CHECK(pthread_mutex_lock(&st->w->mu));
	/* After a failure the writes behind it were not run, a tally's
	   base count among them: ask for every tally again. */
	if (st->w->err != CW_OK)
		tally_forget_all(st->tally);
	st->w->err = CW_OK;
	STOREW_CHECK(pthread_mutex_unlock(&st->w->mu));
	st->w->rows = 0;
}

/* Close a read connection and free it. */
static void
store_reader_free(struct storer *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < SR_COUNT_; i++)
		sqlite3_finalize(r->stmt[i]);
	sqlite3_close(r->db);
	free(r);
}

/* Open the read connection (struct storer) when the file allows one:
   WAL, a plain path. Without it every read waits for the writer. */
static void
store_reader_open(struct store *st)
{
	static const enum store_stmt of[SR_COUNT_] = {
	    [SR_LOAD_QUEUED] = SS_LOAD_QUEUED,
	    [SR_LOAD_QUEUED_FETCHED] = SS_LOAD_QUEUED_FETCHED,
	    [SR_CRAWL_COUNTS] = SS_CRAWL_COUNTS,
	    [SR_CRAWL_LAST_FAILED] = SS_CRAWL_LAST_FAILED,
	};
	struct storer *r;
	size_t i;
	int src;

	if (!st->wal || st->path == NULL || strcmp(st->path, ":memory:") == 0 ||
	    strncmp(st->path, "file:", 5) == 0)
		return;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return;
	src = sqlite3_open_v2(
	    st->path, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	/* A small cache: it reads an index range at a time. */
	if (src == SQLITE_OK)
		src = sqlite3_exec(
		    r->db, "PRAGMA cache_size = -1024", NULL, NULL, NULL);
	for (i = 0; src == SQLITE_OK && i < SR_COUNT_; i++)
		src = sqlite3_prepare_v3(r->db, store_sql[of[i]], -1,
		    SQLITE_PREPARE_PERSISTENT, &r->stmt[i], NULL);
	if (src != SQLITE_OK) {
		log_info("store: no read connection (%s): reads wait for "
			 "the writer",
		    r->db != NULL ? sqlite3_errmsg(r->db) : "out of memory");
		store_reader_free(r);
		return;
	}
	st->rd = r;
}

/* Start the writer thread (see store.h). */
enum cw_rc
store_writer_start(struct store *st)
{
	struct storew *w;

	if (st->w != NULL)
		return CW_OK;
	if ((st->flags & STORE_F_READONLY) != 0)
		return CW_EINVAL;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return CW_ENOMEM;
	if (pthread_mutex_init(&w->mu, NULL) != 0) {
		free(w);
		return CW_ENOMEM;
	}
	if (pthread_cond_init(&w->work, NULL) != 0)
		goto no_work;
	if (pthread_cond_init(&w->idle, NULL) != 0)
		goto no_idle;
	w->rows = st->batch_rows;
	st->w = w;
	if (pthread_create(&w->thread, NULL, storew_main, st) == 0) {
		store_reader_open(st);
		return CW_OK;
	}
	st->w = NULL;
	STOREW_CHECK(pthread_cond_destroy(&w->idle));
no_idle:
	STOREW_CHECK(pthread_cond_destroy(&w->work));
no_work:
	STOREW_CHECK(pthread_mutex_destroy(&w->mu));
	free(w);
	return CW_ENOMEM;
}

/* Stop and join the writer once everything queued has run. */
static void
store_writer_stop(struct store *st)
{
	struct storew *w = st->w;
	struct wchunk *c;

	store_reader_free(st->rd);
	st->rd = NULL;
	if (w == NULL)
		return;
	(void)storew_wait(st); /* a failure was reported, or is lost */
	STOREW_CHECK(pthread_mutex_lock(&w->mu));
	w->stop = true;
	STOREW_CHECK(pthread_cond_signal(&w->work));
	STOREW_CHECK(pthread_mutex_unlock(&w->mu));
	if (pthread_join(w->thread, NULL) != 0)
		log_warnx("store: writer thread not joined");
	while ((c = w->spare) != NULL) {
		w->spare = c->next;
		free(c);
	}
	free(w->fill);
	STOREW_CHECK(pthread_cond_destroy(&w->idle));
	STOREW_CHECK(pthread_cond_destroy(&w->work));
	STOREW_CHECK(pthread_mutex_destroy(&w->mu));
	free(w);
	st->w = NULL;
}

/* The writer thread's CPU time (see store.h). */
bool
store_writer_cpu(const struct store *st, double *seconds)
{
	struct timespec ts;
	clockid_t id;

	*seconds = 0;
	if (st->w == NULL || pthread_getcpuclockid(st->w->thread, &id) != 0 ||
	    clock_gettime(id, &ts) != 0)
		return false;
	*seconds = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	return true;
}

/* COUNT(*) of pages, filtered by crawl (0 = all) and state (NULL = any). */
enum cw_rc
store_count_pages(
    struct store *st, int64_t crawl_id, const char *state, int64_t *count)
{
	enum store_stmt which;
	sqlite3_stmt *s;
	int bad = 0;

	STORE_SYNC(st);
	/* One statement per filter shape, so each can use the index. */
	if (crawl_id != 0)
		which = state != NULL ? SS_COUNT_CRAWL_STATE : SS_COUNT_CRAWL;
	else
		which = state != NULL ? SS_COUNT_STATE : SS_COUNT_ALL;
	s = st->stmt[which];
	if (crawl_id != 0)
		bad |= sqlite3_bind_int64(s, 1, crawl_id);
	if (state != NULL)
		bad |= store_bind_text(s, 2, state);
	if (bad)
		return store_bind_failed(st, which, "count pages");
	*count = 0;
	return store_run(st, which, "count pages", count);
}

/* Column i as borrowed text, NULL for SQL NULL. */
static const char *store_col_text(sqlite3_stmt *s, int i);

/* Bind a load-queued statement's three parameters. */
static int
store_bind_load(
    sqlite3_stmt *s, int64_t crawl_id, int64_t from_id, size_t limit)
{
	int src;

	if ((src = sqlite3_bind_int64(s, 1, crawl_id)) != SQLITE_OK ||
	    (src = sqlite3_bind_int64(s, 2, from_id)) != SQLITE_OK ||
	    (src = sqlite3_bind_int64(s, 3, (sqlite3_int64)limit)) != SQLITE_OK)
		sqlite3_clear_bindings(s);
	return src;
}

/* The rows of SQL_LOAD_QUEUED_FETCHED, held while the other part is
   merged in (usually none). */
struct store_qrow {
	int64_t id;
	char *url; /* owned */
	int depth;
};

/* Read SQL_LOAD_QUEUED_FETCHED into *rows (*n of them); the result. */
static int
store_load_fetched(sqlite3_stmt *s, int64_t crawl_id, int64_t from_id,
    size_t limit, struct store_qrow **rows, size_t *n)
{
	struct store_qrow *v = NULL, *nv;
	size_t cap = 0;
	const char *url;
	int src;

	*rows = NULL;
	*n = 0;
	if ((src = store_bind_load(s, crawl_id, from_id, limit)) != SQLITE_OK)
		return src;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		url = store_col_text(s, 1);
		if (*n == cap) {
			cap = cap != 0 ? cap * 2 : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL) {
				src = SQLITE_NOMEM;
				break;
			}
			v = nv;
		}
		v[*n].url = url != NULL ? strdup(url) : NULL;
		if (v[*n].url == NULL) {
			src = SQLITE_NOMEM;
			break;
		}
		v[*n].id = sqlite3_column_int64(s, 0);
		v[*n].depth = sqlite3_column_int(s, 2);
		++*n;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	*rows = v;
	return src;
}

/* Free what store_load_fetched() read. */
static void
store_qrows_free(struct store_qrow *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].url);
	free(v);
}

/*
 * Run the two load-queued statements (SQL_LOAD_QUEUED, _FETCHED) of
 * either connection, handing the first limit rows of both, in id order,
 * to cb; *rows counts them, *stopped says cb stopped the walk. The
 * SQLite result: SQLITE_DONE when every row wanted was read.
 */
static int
store_load_queued_on(sqlite3_stmt *s, sqlite3_stmt *sf, int64_t crawl_id,
    int64_t from_id, size_t limit, store_page_cb *cb, void *arg, size_t *rows,
    bool *stopped)
{
	struct store_qrow *held;
	size_t nheld, next = 0;
	const char *url;
	int64_t id;
	int src;

	*rows = 0;
	*stopped = false;
	src = store_load_fetched(sf, crawl_id, from_id, limit, &held, &nheld);
	if (src == SQLITE_DONE)
		src = store_bind_load(s, crawl_id, from_id, limit);
	if (src != SQLITE_DONE && src != SQLITE_OK) {
		store_qrows_free(held, nheld);
		return src;
	}
	while (*rows < limit && !*stopped) {
		src = sqlite3_step(s);
		if (src != SQLITE_ROW)
			break;
		id = sqlite3_column_int64(s, 0);
		/* The held rows before this one go first. */
		while (next < nheld && held[next].id < id && *rows < limit &&
		    !*stopped) {
			++*rows;
			*stopped =
			    cb(arg, held[next].id, held[next].url,
				held[next].depth, PAGE_QUEUED, true) != 0;
			next++;
		}
		if (*rows == limit || *stopped)
			break;
		url = store_col_text(s, 1);
		if (url == NULL) {
			src = SQLITE_NOMEM;
			break;
		}
		++*rows;
		*stopped = cb(arg, id, url, sqlite3_column_int(s, 2),
			       PAGE_QUEUED, false) != 0;
	}
	/* Enough rows, the caller has enough, or none wanted (no step). */
	if (src == SQLITE_ROW || src == SQLITE_OK || *stopped)
		src = SQLITE_DONE;
	while (
	    src == SQLITE_DONE && next < nheld && *rows < limit && !*stopped) {
		++*rows;
		*stopped = cb(arg, held[next].id, held[next].url,
			       held[next].depth, PAGE_QUEUED, true) != 0;
		next++;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	store_qrows_free(held, nheld);
	return src;
}

/*
 * Page in queued rows of a crawl, from an id on (the spilled frontier).
 * Committed rows come from the read connection, without waiting for the
 * writer: rows are committed in id order (the engine inserts a page as
 * it picks its id, and the writer runs the queue in order), so they are
 * the first of those the open batch would show. Only when none is
 * committed yet does it wait and read on the writing connection.
 */
static enum cw_rc
store_load_queued_from(struct store *st, bool committed, int64_t crawl_id,
    int64_t from_id, size_t limit, store_page_cb *cb, void *arg)
{
	bool stopped;
	size_t rows;
	int src;

	if (committed && st->rd != NULL) {
		src = store_load_queued_on(st->rd->stmt[SR_LOAD_QUEUED],
		    st->rd->stmt[SR_LOAD_QUEUED_FETCHED], crawl_id, from_id,
		    limit, cb, arg, &rows, &stopped);
		if (stopped)
			return CW_EINVAL;
		/* A read that failed after some rows: the caller goes on
		   from the last one next time. */
		if (rows > 0)
			return CW_OK;
		if (src != SQLITE_DONE)
			log_debug(
			    "store: read connection: %s", sqlite3_errstr(src));
	}
	STORE_SYNC(st);
	src = store_load_queued_on(st->stmt[SS_LOAD_QUEUED],
	    st->stmt[SS_LOAD_QUEUED_FETCHED], crawl_id, from_id, limit, cb, arg,
	    &rows, &stopped);
	if (stopped)
		return CW_EINVAL;
	if (src != SQLITE_DONE)
		return store_error(st, src, "load queued");
	return CW_OK;
}

enum cw_rc
store_load_queued(struct store *st, int64_t crawl_id, int64_t from_id,
    size_t limit, store_page_cb *cb, void *arg)
{
	return store_load_queued_from(
	    st, true, crawl_id, from_id, limit, cb, arg);
}

/* store_load_queued() on the writing connection only (see store.h). */
enum cw_rc
store_load_queued_latest(struct store *st, int64_t crawl_id, int64_t from_id,
    size_t limit, store_page_cb *cb, void *arg)
{
	return store_load_queued_from(
	    st, false, crawl_id, from_id, limit, cb, arg);
}

/* Column i as borrowed text, NULL for SQL NULL. */
static const char *
store_col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* Run one of the CRAWL_LATEST statements into info (id 0: no row). */
static enum cw_rc
store_crawl_latest_run(struct store *st, enum store_stmt which,
    const char *seeds_json, struct store_crawl_info *info)
{
	sqlite3_stmt *s = st->stmt[which];
	const unsigned char *state, *seeds;
	enum cw_rc rc = CW_OK;
	int src;

	if (seeds_json != NULL &&
	    store_bind_text(s, 1, seeds_json) != SQLITE_OK)
		return store_bind_failed(st, which, "find crawl");
	src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		info->id = sqlite3_column_int64(s, 0);
		state = sqlite3_column_text(s, 1);
		seeds = sqlite3_column_text(s, 2);
		snprintf(info->state, sizeof(info->state), "%s",
		    state != NULL ? (const char *)state : "");
		info->seeds_json =
		    strdup(seeds != NULL ? (const char *)seeds : "[]");
		if (info->seeds_json == NULL)
			rc = CW_ENOMEM;
	} else if (src != SQLITE_DONE) {
		rc = store_error(st, src, "find crawl");
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/*
 * The newest crawl (with these seeds, when given). None stored as seeds
 * are stored today may still be one an older crawld stored as typed: that
 * full scan (crawld_seeds_norm() on every row) runs only when the exact
 * match finds nothing, that is, for a crawl that is new.
 */
enum cw_rc
store_crawl_latest(
    struct store *st, const char *seeds_json, struct store_crawl_info *info)
{
	enum cw_rc rc;

	memset(info, 0, sizeof(*info));
	STORE_SYNC(st);
	if (seeds_json == NULL)
		return store_crawl_latest_run(st, SS_CRAWL_LATEST, NULL, info);
	rc =
	    store_crawl_latest_run(st, SS_CRAWL_LATEST_SEEDS, seeds_json, info);
	if (rc == CW_OK && info->id == 0)
		rc = store_crawl_latest_run(
		    st, SS_CRAWL_LATEST_NORM, seeds_json, info);
	return rc;
}

/* Pages left 'fetching' by a crash go back to 'queued'. */
enum cw_rc
store_crawl_requeue(struct store *st, int64_t crawl_id)
{
	STORE_SYNC(st);
	return store_write_id(st, SS_REQUEUE, crawl_id, "requeue");
}

/* The state name as the enum; PAGE_QUEUED for anything unknown. */
static enum page_state
store_state_of(const char *name)
{
	size_t i;

	for (i = 0; i < CW_NELEM(page_state_names); i++)
		if (page_state_names[i] != NULL &&
		    strcmp(page_state_names[i], name) == 0)
			return (enum page_state)i;
	return PAGE_QUEUED;
}

/* Walk a crawl's pages in id order (resume). */
enum cw_rc
store_walk_pages(
    struct store *st, int64_t crawl_id, store_page_cb *cb, void *arg)
{
	sqlite3_stmt *s = st->stmt[SS_WALK_PAGES];
	const char *url, *state;
	enum cw_rc rc = CW_OK;
	int src;

	STORE_SYNC(st);
	if (sqlite3_bind_int64(s, 1, crawl_id) != SQLITE_OK)
		return store_bind_failed(st, SS_WALK_PAGES, "walk pages");
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		url = store_col_text(s, 1);
		state = store_col_text(s, 3);
		if (url == NULL || state == NULL) {
			src = SQLITE_NOMEM;
			break;
		}
		if (cb(arg, sqlite3_column_int64(s, 0), url,
			sqlite3_column_int(s, 2), store_state_of(state),
			sqlite3_column_int(s, 4) != 0) != 0) {
			src = SQLITE_DONE;
			rc = CW_EINVAL;
			break;
		}
	}
	if (src != SQLITE_DONE)
		rc = store_error(st, src, "walk pages");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* Walk the pages in order, calling cb with borrowed rows. */
enum cw_rc
store_export(struct store *st, int64_t crawl_id, enum store_order order,
    store_row_cb *cb, void *arg)
{
	enum store_stmt which;
	struct store_row r;
	sqlite3_stmt *s;
	enum cw_rc rc = CW_OK;
	int src;

	STORE_SYNC(st);
	if (order == STORE_ORDER_DISCOVERED)
		which = SS_EXPORT_DISCOVERED;
	else if (order == STORE_ORDER_FETCHED)
		which = SS_EXPORT_FETCHED;
	else
		return CW_EINVAL;
	s = st->stmt[which];
	if (sqlite3_bind_int64(s, 1, crawl_id) != SQLITE_OK)
		return store_bind_failed(st, which, "export");
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(s, 0);
		r.crawl_id = sqlite3_column_int64(s, 1);
		r.url = store_col_text(s, 2);
		r.depth = sqlite3_column_int(s, 3);
		r.state = store_col_text(s, 4);
		r.reason = store_col_text(s, 5);
		r.has_status = sqlite3_column_type(s, 6) != SQLITE_NULL;
		r.status = sqlite3_column_int(s, 6);
		r.content_type = store_col_text(s, 7);
		r.has_bytes = sqlite3_column_type(s, 8) != SQLITE_NULL;
		r.bytes = sqlite3_column_int64(s, 8);
		r.discovered_at = store_col_text(s, 9);
		r.fetched_at = store_col_text(s, 10);
		r.parent_id = sqlite3_column_int64(s, 11);
		r.parent_url = store_col_text(s, 12);
		/* NOT NULL columns; NULL here means sqlite ran out of memory.
		 */
		if (r.url == NULL || r.state == NULL ||
		    r.discovered_at == NULL) {
			src = SQLITE_NOMEM;
			break;
		}
		if (cb(arg, &r) != 0) {
			src = SQLITE_DONE;
			break;
		}
	}
	if (src != SQLITE_DONE)
		rc = store_error(st, src, "export");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* Count full scans and whole-result sorts in the query plans of the
   per-page statements. */
enum cw_rc
store_explain_hot(struct store *st, int *scans, char *detail, size_t len)
{
	sqlite3_stmt *s;
	size_t i, used = 0;
	enum cw_rc rc = CW_OK;
	int src;

	STORE_SYNC(st);
	*scans = 0;
	if (len > 0)
		detail[0] = '\0';
	for (i = 0; i < CW_NELEM(store_hot_explain) && rc == CW_OK; i++) {
		src = sqlite3_prepare_v2(
		    st->db, store_hot_explain[i].sql, -1, &s, NULL);
		if (src != SQLITE_OK)
			return store_error(st, src, "explain");
		while ((src = sqlite3_step(s)) == SQLITE_ROW) {
			const char *d = store_col_text(s, 3);

			/* A sort in a temporary b-tree reads every row
			   the search found, as a scan does. */
			if (d == NULL ||
			    (strncmp(d, "SCAN ", 5) != 0 &&
				(store_hot_explain[i].may_sort ||
				    strstr(d, "TEMP B-TREE") == NULL)))
				continue;
			(*scans)++;
			if (used < len) {
				int n = snprintf(detail + used, len - used,
				    "%s%s", used > 0 ? "; " : "", d);

				if (n > 0)
					used += (size_t)n;
			}
		}
		if (src != SQLITE_DONE)
			rc = store_error(st, src, "explain");
		sqlite3_finalize(s);
	}
	return rc;
}

/* Fill a crawls row from the current result row of s; false on NOMEM. */
static bool
store_crawl_row_of(sqlite3_stmt *s, struct store_crawl_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, 0);
	r->seeds_json = store_col_text(s, 1);
	r->options_json = store_col_text(s, 2);
	r->state = store_col_text(s, 3);
	r->created_at = store_col_text(s, 4);
	r->finished_at = store_col_text(s, 5);
	return r->seeds_json != NULL && r->options_json != NULL &&
	    r->state != NULL && r->created_at != NULL;
}

/* Walk the rows a crawls statement yields. */
static enum cw_rc
store_crawl_walk(struct store *st, enum store_stmt which, store_crawl_cb *cb,
    void *arg, const char *what)
{
	sqlite3_stmt *s = st->stmt[which];
	struct store_crawl_row r;
	enum cw_rc rc = CW_OK;
	int src;

	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		if (!store_crawl_row_of(s, &r)) {
			src = SQLITE_NOMEM;
			break;
		}
		if (cb(arg, &r) != 0) {
			src = SQLITE_DONE;
			rc = CW_EINVAL;
			break;
		}
	}
	if (src != SQLITE_DONE)
		rc = store_error(st, src, what);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* Every crawls row in id order. */
enum cw_rc
store_crawl_list(struct store *st, store_crawl_cb *cb, void *arg)
{
	STORE_SYNC(st);
	return store_crawl_walk(st, SS_CRAWL_LIST, cb, arg, "list crawls");
}

/* One crawls row; CW_OK without a call when there is none. */
enum cw_rc
store_crawl_get(
    struct store *st, int64_t crawl_id, store_crawl_cb *cb, void *arg)
{
	STORE_SYNC(st);
	if (sqlite3_bind_int64(st->stmt[SS_CRAWL_GET], 1, crawl_id) !=
	    SQLITE_OK)
		return store_bind_failed(st, SS_CRAWL_GET, "get crawl");
	return store_crawl_walk(st, SS_CRAWL_GET, cb, arg, "get crawl");
}
/* Step a bound SS_CRAWL_COUNTS on either connection into counts. */
static int
store_counts_on(
    sqlite3_stmt *s, int64_t crawl_id, int64_t counts[STORE_NSTATES])
{
	const char *state;
	size_t i;
	int src;

	memset(counts, 0, STORE_NSTATES * sizeof(counts[0]));
	if ((src = sqlite3_bind_int64(s, 1, crawl_id)) != SQLITE_OK)
		return src;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		state = store_col_text(s, 0);
		for (i = 0; state != NULL && i < STORE_NSTATES; i++)
			if (strcmp(state, page_state_names[i]) == 0)
				counts[i] = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return src;
}

/* A crawl's pages by state, in one pass over its index entries. */
enum cw_rc
store_crawl_counts(
    struct store *st, int64_t crawl_id, int64_t counts[STORE_NSTATES])
{
	int src;

	STORE_SYNC(st);
	src = store_counts_on(st->stmt[SS_CRAWL_COUNTS], crawl_id, counts);
	if (src != SQLITE_DONE)
		return store_error(st, src, "count states");
	return CW_OK;
}

/* The same for committed batches, without waiting for the writer. */
enum cw_rc
store_crawl_counts_committed(
    struct store *st, int64_t crawl_id, int64_t counts[STORE_NSTATES])
{
	if (st->rd != NULL &&
	    store_counts_on(st->rd->stmt[SR_CRAWL_COUNTS], crawl_id, counts) ==
		SQLITE_DONE)
		return CW_OK;
	return store_crawl_counts(st, crawl_id, counts);
}

/* The base count of a tracked crawl, where the writes run (in their
   order): make the triggers on first use, count, hand the tally over. */
static enum cw_rc
store_tally_base(struct store *st, int64_t crawl_id)
{
	int64_t counts[STORE_NSTATES];
	char *msg = NULL;
	int src;

	if (!st->tally_triggers) {
		src =
		    sqlite3_exec(st->db, SQL_TALLY_TRIGGERS, NULL, NULL, &msg);
		if (src != SQLITE_OK) {
			/* Not the batch's failure: the counts stay unknown
			   and are read the slow way. */
			log_warnx("store: live counts off: %s",
			    msg != NULL ? msg : sqlite3_errstr(src));
			sqlite3_free(msg);
			tally_disable(st->tally); /* not tried again */
			return CW_OK;
		}
		st->tally_triggers = true;
	}
	src = store_counts_on(st->stmt[SS_CRAWL_COUNTS], crawl_id, counts);
	if (src != SQLITE_DONE) {
		tally_forget(st->tally, crawl_id);
		return store_error(st, src, "count states");
	}
	tally_set(st->tally, crawl_id, counts);
	return CW_OK;
}

/* Track a crawl's counts: the base count is queued behind the writes so
   far, so none is counted twice or missed. */
enum cw_rc
store_crawl_track(struct store *st, int64_t crawl_id)
{
	if (st->tally == NULL)
		return CW_EINVAL; /* read-only */
	if (!tally_want(st->tally, crawl_id))
		return CW_OK; /* tracked, or no room: counted the slow way */
	if (store_queued(st)) {
		struct wop op = {.kind = WOP_TALLY_BASE, .id = crawl_id};

		const char *str[WOP_STRINGS] = {NULL};

		return storew_put(st, &op, str);
	}
	return store_tally_base(st, crawl_id);
}

bool
store_crawl_counts_live(
    struct store *st, int64_t crawl_id, int64_t counts[STORE_NSTATES])
{
	return st->tally != NULL && tally_get(st->tally, crawl_id, counts);
}

void
store_crawl_untrack(struct store *st, int64_t crawl_id)
{
	if (st->tally != NULL)
		tally_forget(st->tally, crawl_id);
}

/* Step a bound SS_CRAWL_LAST_FAILED on either connection. */
static int
store_last_failed_on(sqlite3_stmt *s, int64_t crawl_id, char *url,
    size_t urllen, char *reason, size_t reasonlen)
{
	const char *u, *why;
	int src;

	url[0] = reason[0] = '\0';
	if ((src = sqlite3_bind_int64(s, 1, crawl_id)) != SQLITE_OK)
		return src;
	src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		u = store_col_text(s, 0);
		why = store_col_text(s, 1);
		snprintf(url, urllen, "%s", u != NULL ? u : "");
		snprintf(reason, reasonlen, "%s", why != NULL ? why : "");
		src = SQLITE_DONE;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return src;
}

/* The page of a crawl that failed last (url "" when none), from
   committed batches when the read connection is there. */
enum cw_rc
store_crawl_last_failed(struct store *st, int64_t crawl_id, char *url,
    size_t urllen, char *reason, size_t reasonlen)
{
	int src;

	if (st->rd != NULL &&
	    store_last_failed_on(st->rd->stmt[SR_CRAWL_LAST_FAILED], crawl_id,
		url, urllen, reason, reasonlen) == SQLITE_DONE)
		return CW_OK;
	STORE_SYNC(st);
	src = store_last_failed_on(st->stmt[SS_CRAWL_LAST_FAILED], crawl_id,
	    url, urllen, reason, reasonlen);
	if (src != SQLITE_DONE) {
		url[0] = reason[0] = '\0';
		return store_error(st, src, "last failed");
	}
	return CW_OK;
}

/* Append a seed to a crawl's seeds array (in the batch), once. */
enum cw_rc
store_crawl_add_seed(struct store *st, int64_t crawl_id, const char *url)
{
	sqlite3_stmt *s = st->stmt[SS_CRAWL_ADD_SEED];
	enum cw_rc rc;

	STORE_SYNC(st);
	rc = store_begin(st);
	if (rc != CW_OK)
		return rc;
	if (sqlite3_bind_int64(s, 1, crawl_id) != SQLITE_OK ||
	    store_bind_text(s, 2, url) != SQLITE_OK)
		return store_bind_failed(st, SS_CRAWL_ADD_SEED, "add seed");
	return store_write(st, SS_CRAWL_ADD_SEED, "add seed");
}

/* Bind the cursor of a due-page statement at parameters i and i + 1. */
static int
store_bind_cursor(sqlite3_stmt *s, int i, const struct store_due_cursor *cur)
{
	return sqlite3_bind_text(s, i, cur->fetched_at, -1, SQLITE_STATIC) |
	    sqlite3_bind_int64(s, i + 1, cur->id);
}

/* Page in done pages that fell due, oldest fetch first, after *cur. */
enum cw_rc
store_load_due(struct store *st, int64_t crawl_id, int64_t due_us,
    struct store_due_cursor *cur, size_t limit, store_due_cb *cb, void *arg)
{
	sqlite3_stmt *s = st->stmt[SS_LOAD_DUE];
	char ts[CW_ISO8601_LEN];
	struct store_due_page p;
	enum cw_rc rc = CW_OK;
	int src;

	STORE_SYNC(st);
	if (sqlite3_bind_int64(s, 1, crawl_id) != SQLITE_OK ||
	    store_bind_text(s, 2, cw_iso8601_us(due_us, ts)) != SQLITE_OK ||
	    store_bind_cursor(s, 3, cur) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, (sqlite3_int64)limit) != SQLITE_OK)
		return store_bind_failed(st, SS_LOAD_DUE, "load due");
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&p, 0, sizeof(p));
		p.id = sqlite3_column_int64(s, 0);
		p.url = store_col_text(s, 1);
		p.depth = sqlite3_column_int(s, 2);
		p.fetched_at = store_col_text(s, 3);
		p.etag = store_col_text(s, 4);
		p.last_modified = store_col_text(s, 5);
		if (p.url == NULL || p.fetched_at == NULL ||
		    strlen(p.fetched_at) >= sizeof(cur->fetched_at)) {
			src = SQLITE_NOMEM;
			break;
		}
		/* The cursor passes the row before the callback sees it: a
		   row is handed out once, whatever the callback says. */
		snprintf(cur->fetched_at, sizeof(cur->fetched_at), "%s",
		    p.fetched_at);
		cur->id = p.id;
		if (cb(arg, &p) != 0) {
			src = SQLITE_DONE;
			rc = CW_EINVAL;
			break;
		}
	}
	if (src != SQLITE_DONE)
		rc = store_error(st, src, "load due");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* The wall-clock microseconds of a timestamp as cw_iso8601_us() writes
   it; 0 when it is not one. */
static int64_t
store_parse_iso8601(const char *ts)
{
	struct tm tm;
	long us = 0;
	int n = 0;

	memset(&tm, 0, sizeof(tm));
	if (ts == NULL ||
	    sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d.%6ldZ%n", &tm.tm_year,
		&tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
		&us, &n) != 7 ||
	    n != 27 || us < 0)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) * 1000000 + us;
}

/* When the first done page after *cur was fetched (0: none). */
enum cw_rc
store_next_due(struct store *st, int64_t crawl_id,
    const struct store_due_cursor *cur, int64_t *fetched_us)
{
	sqlite3_stmt *s = st->stmt[SS_NEXT_DUE];
	enum cw_rc rc = CW_OK;
	int src;

	*fetched_us = 0;
	STORE_SYNC(st);
	if (sqlite3_bind_int64(s, 1, crawl_id) != SQLITE_OK ||
	    store_bind_cursor(s, 2, cur) != SQLITE_OK)
		return store_bind_failed(st, SS_NEXT_DUE, "next due");
	src = sqlite3_step(s);
	if (src == SQLITE_ROW)
		*fetched_us = store_parse_iso8601(store_col_text(s, 0));
	else if (src != SQLITE_DONE)
		rc = store_error(st, src, "next due");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* The kinds of mirror_files rows (its CHECK constraint). */
static bool
store_mirror_kind_ok(const char *kind)
{
	return kind != NULL &&
	    (strcmp(kind, "html") == 0 || strcmp(kind, "css") == 0 ||
		strcmp(kind, "file") == 0 || strcmp(kind, "redirect") == 0);
}

/* Record what a URL became in the mirror (in the open batch). */
enum cw_rc
store_mirror_put(struct store *st, const struct store_mirror_file *f)
{
	sqlite3_stmt *s = st->stmt[SS_MIRROR_PUT];
	char ts[CW_ISO8601_LEN];
	enum cw_rc rc;
	int bad = 0;

	STORE_SYNC(st);
	if (f->root == NULL || f->root[0] == '\0' || f->url == NULL ||
	    f->path == NULL || !store_mirror_kind_ok(f->kind))
		return CW_EINVAL;
	rc = store_begin(st);
	if (rc != CW_OK)
		return rc;
	bad |= store_bind_text(s, 1, f->url);
	bad |= store_bind_text(s, 2, f->path);
	bad |= store_bind_text(s, 3, f->kind);
	bad |= store_bind_text(s, 4, f->content_type);
	bad |= store_bind_text(s, 5, f->etag);
	bad |= store_bind_text(s, 6, f->last_modified);
	bad |= store_bind_text(s, 7, f->sha256);
	bad |= store_bind_text(s, 8, f->target);
	if (f->size >= 0)
		bad |= sqlite3_bind_int64(s, 9, f->size);
	if (f->mtime_ns != 0)
		bad |= sqlite3_bind_int64(s, 10, f->mtime_ns);
	if (f->crawl_id > 0)
		bad |= sqlite3_bind_int64(s, 11, f->crawl_id);
	if (f->page_id > 0)
		bad |= sqlite3_bind_int64(s, 12, f->page_id);
	bad |= store_bind_text(s, 13, cw_iso8601_us(f->updated_us, ts));
	bad |= sqlite3_bind_int(s, 14, f->stale ? 1 : 0);
	bad |= store_bind_text(s, 15, f->root);
	if (bad)
		return store_bind_failed(st, SS_MIRROR_PUT, "mirror map");
	return store_write(st, SS_MIRROR_PUT, "mirror map");
}

/* Read the mirror_files row s is on. */
static void
store_mirror_row(sqlite3_stmt *s, struct store_mirror_file *f)
{
	memset(f, 0, sizeof(*f));
	f->url = store_col_text(s, 0);
	f->path = store_col_text(s, 1);
	f->kind = store_col_text(s, 2);
	f->content_type = store_col_text(s, 3);
	f->etag = store_col_text(s, 4);
	f->last_modified = store_col_text(s, 5);
	f->sha256 = store_col_text(s, 6);
	f->target = store_col_text(s, 7);
	f->size = sqlite3_column_type(s, 8) == SQLITE_NULL
	    ? -1
	    : sqlite3_column_int64(s, 8);
	f->mtime_ns = sqlite3_column_int64(s, 9);
	f->crawl_id = sqlite3_column_int64(s, 10);
	f->page_id = sqlite3_column_int64(s, 11);
	f->stale = sqlite3_column_int(s, 13) != 0;
	f->root = store_col_text(s, 14);
}

/* Step a mirror_files query, one callback per row until cb says stop. */
static enum cw_rc
store_mirror_rows(struct store *st, enum store_stmt which, store_mirror_cb *cb,
    void *arg, const char *what)
{
	sqlite3_stmt *s = st->stmt[which];
	struct store_mirror_file f;
	enum cw_rc rc = CW_OK;
	int src;

	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		store_mirror_row(s, &f);
		if (f.url == NULL || f.path == NULL || f.kind == NULL ||
		    f.root == NULL)
			continue; /* NOT NULL columns: cannot happen */
		if (cb(arg, &f) != 0)
			break;
	}
	if (src != SQLITE_ROW && src != SQLITE_DONE)
		rc = store_error(st, src, what);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* Bind root to ?1 of which (and text, when not NULL, to ?2). */
static enum cw_rc
store_mirror_bind(
    struct store *st, enum store_stmt which, const char *root, const char *text)
{
	sqlite3_stmt *s = st->stmt[which];

	if (root == NULL)
		return CW_EINVAL;
	if (store_bind_text(s, 1, root) != SQLITE_OK ||
	    (text != NULL && store_bind_text(s, 2, text) != SQLITE_OK))
		return store_bind_failed(st, which, "mirror map");
	return CW_OK;
}

/* The mirror map's row for url under root, if any. */
enum cw_rc
store_mirror_get(struct store *st, const char *root, const char *url,
    store_mirror_cb *cb, void *arg)
{
	enum cw_rc rc;

	STORE_SYNC(st);
	if (url == NULL)
		return CW_EINVAL;
	rc = store_mirror_bind(st, SS_MIRROR_GET, root, url);
	if (rc != CW_OK)
		return rc;
	return store_mirror_rows(st, SS_MIRROR_GET, cb, arg, "mirror map");
}

/* The mirror map's row that holds path under root, if any. */
enum cw_rc
store_mirror_get_path(struct store *st, const char *root, const char *path,
    store_mirror_cb *cb, void *arg)
{
	enum cw_rc rc;

	STORE_SYNC(st);
	if (path == NULL)
		return CW_EINVAL;
	rc = store_mirror_bind(st, SS_MIRROR_GET_PATH, root, path);
	if (rc != CW_OK)
		return rc;
	return store_mirror_rows(st, SS_MIRROR_GET_PATH, cb, arg, "mirror map");
}

/* Every row of root's map, in URL order. */
enum cw_rc
store_mirror_walk(
    struct store *st, const char *root, store_mirror_cb *cb, void *arg)
{
	enum cw_rc rc;

	STORE_SYNC(st);
	rc = store_mirror_bind(st, SS_MIRROR_WALK, root, NULL);
	if (rc != CW_OK)
		return rc;
	return store_mirror_rows(st, SS_MIRROR_WALK, cb, arg, "mirror map");
}

/* root's rows marked stale, in URL order. */
enum cw_rc
store_mirror_walk_stale(
    struct store *st, const char *root, store_mirror_cb *cb, void *arg)
{
	enum cw_rc rc;

	STORE_SYNC(st);
	rc = store_mirror_bind(st, SS_MIRROR_WALK_STALE, root, NULL);
	if (rc != CW_OK)
		return rc;
	return store_mirror_rows(
	    st, SS_MIRROR_WALK_STALE, cb, arg, "mirror map");
}

/* The rows a v5 database had (root '') become root's (in the batch). */
enum cw_rc
store_mirror_adopt(struct store *st, const char *root)
{
	enum cw_rc rc;

	STORE_SYNC(st);
	if (root == NULL || root[0] == '\0')
		return CW_EINVAL;
	rc = store_begin(st);
	if (rc != CW_OK)
		return rc;
	rc = store_mirror_bind(st, SS_MIRROR_ADOPT, root, NULL);
	if (rc == CW_OK)
		rc = store_write(st, SS_MIRROR_ADOPT, "mirror map");
	if (rc == CW_OK)
		rc = store_write(st, SS_MIRROR_ADOPT_REST, "mirror map");
	return rc;
}

/* A WARC file of a crawl, in the batch. */
enum cw_rc
store_warc_file_add(struct store *st, int64_t crawl_id, const char *base,
    const char *path, int64_t created_us, int64_t *file_id)
{
	sqlite3_stmt *s = st->stmt[SS_WARC_FILE_ADD];
	char ts[CW_ISO8601_LEN];
	enum cw_rc rc;

	STORE_SYNC(st);
	rc = store_begin(st);
	if (rc != CW_OK)
		return rc;
	if (sqlite3_bind_int64(s, 1, crawl_id) != SQLITE_OK ||
	    store_bind_text(s, 2, base) != SQLITE_OK ||
	    store_bind_text(s, 3, path) != SQLITE_OK ||
	    store_bind_text(s, 4, cw_iso8601_us(created_us, ts)) != SQLITE_OK)
		return store_bind_failed(st, SS_WARC_FILE_ADD, "warc file");
	rc = store_write(st, SS_WARC_FILE_ADD, "warc file");
	if (rc == CW_OK)
		*file_id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

/* The newest WARC file of a crawl for base (id 0: none). */
enum cw_rc
store_warc_file_last(struct store *st, int64_t crawl_id, const char *base,
    struct store_warc_file *f)
{
	sqlite3_stmt *s = st->stmt[SS_WARC_FILE_LAST];
	const char *path;
	enum cw_rc rc = CW_OK;
	int src;

	STORE_SYNC(st);
	memset(f, 0, sizeof(*f));
	if (sqlite3_bind_int64(s, 1, crawl_id) != SQLITE_OK ||
	    store_bind_text(s, 2, base) != SQLITE_OK)
		return store_bind_failed(st, SS_WARC_FILE_LAST, "warc file");
	src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		path = store_col_text(s, 1);
		f->path = strdup(path != NULL ? path : "");
		if (f->path == NULL)
			rc = CW_ENOMEM;
		else
			f->id = sqlite3_column_int64(s, 0);
		f->end = (uint64_t)sqlite3_column_int64(s, 2);
	} else if (src != SQLITE_DONE) {
		rc = store_error(st, src, "warc file");
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* A WARC record, in the batch. */
enum cw_rc
store_warc_record_add(struct store *st, const struct store_warc_record *r)
{
	sqlite3_stmt *s = st->stmt[SS_WARC_RECORD_ADD];
	enum cw_rc rc;
	int bad = 0;

	STORE_SYNC(st);
	rc = store_begin(st);
	if (rc != CW_OK)
		return rc;
	bad |= sqlite3_bind_int64(s, 1, r->file_id);
	bad |= r->page_id != 0 ? sqlite3_bind_int64(s, 2, r->page_id)
			       : sqlite3_bind_null(s, 2);
	bad |= store_bind_text(s, 3, r->type);
	bad |= store_bind_text(s, 4, r->record_id);
	bad |= store_bind_text(s, 5, r->target_uri);
	bad |= store_bind_text(s, 6, r->date);
	bad |= sqlite3_bind_int64(s, 7, (sqlite3_int64)r->offset);
	bad |= sqlite3_bind_int64(s, 8, (sqlite3_int64)r->length);
	bad |= r->status != 0 ? sqlite3_bind_int(s, 9, r->status)
			      : sqlite3_bind_null(s, 9);
	bad |= store_bind_text(s, 10, r->payload_digest);
	bad |= store_bind_text(s, 11, r->cdxj);
	if (bad != SQLITE_OK)
		return store_bind_failed(st, SS_WARC_RECORD_ADD, "warc record");
	return store_write(st, SS_WARC_RECORD_ADD, "warc record");
}

/* Copy column i as text into out (len bytes); "" for NULL. */
static void
store_col_copy(sqlite3_stmt *s, int i, char *out, size_t len)
{
	const char *v = store_col_text(s, i);

	snprintf(out, len, "%s", v != NULL ? v : "");
}

/* The newest response record of url in base's files. */
enum cw_rc
store_warc_last_response(struct store *st, const char *base, const char *url,
    struct store_warc_ref *ref)
{
	sqlite3_stmt *s = st->stmt[SS_WARC_LAST_RESPONSE];
	enum cw_rc rc = CW_OK;
	int src;

	STORE_SYNC(st);
	memset(ref, 0, sizeof(*ref));
	if (store_bind_text(s, 1, url) != SQLITE_OK ||
	    store_bind_text(s, 2, base) != SQLITE_OK)
		return store_bind_failed(st, SS_WARC_LAST_RESPONSE, "warc ref");
	src = sqlite3_step(s);
	if (src == SQLITE_ROW) {
		ref->found = true;
		store_col_copy(s, 0, ref->record_id, sizeof(ref->record_id));
		store_col_copy(s, 1, ref->date, sizeof(ref->date));
		store_col_copy(
		    s, 2, ref->payload_digest, sizeof(ref->payload_digest));
	} else if (src != SQLITE_DONE) {
		rc = store_error(st, src, "warc ref");
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* Every CDXJ line of base's files, in byte order. */
enum cw_rc
store_warc_cdxj(
    struct store *st, const char *base, store_line_cb *cb, void *arg)
{
	sqlite3_stmt *s = st->stmt[SS_WARC_CDXJ];
	enum cw_rc rc = CW_OK;
	const char *line;
	int src;

	STORE_SYNC(st);
	if (store_bind_text(s, 1, base) != SQLITE_OK)
		return store_bind_failed(st, SS_WARC_CDXJ, "cdxj");
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		line = store_col_text(s, 0);
		if (line != NULL && cb(arg, line) != 0) {
			rc = CW_EINVAL;
			break;
		}
	}
	if (rc == CW_OK && src != SQLITE_DONE)
		rc = store_error(st, src, "cdxj");
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}
