/* SPDX-License-Identifier: MIT */
/*
 * test_store_fetches.c - the recrawl side of the store (schema version 3):
 * a fetches row for every fetch, the latest validators and content hash
 * on pages, changed_at moving only when the hash does, a fetch that keeps
 * the page's earlier content (a 304, a failed revisit), due pages paged in
 * by time through a cursor, and the migration of a version-2 database with
 * every row kept. Each test works in its own mkdtemp() directory and reads
 * the file back through a second, independent sqlite3 connection.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crawld/store/store.h"
#include "harness.h"
#include "store/tmpdb.h"

#define T0 1700000000000000LL /* 2023-11-14T22:13:20.000000Z */
#define SEC 1000000LL
#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"

/* The first column of the first row of sql as text ("" for NULL, "-"
   when there is no row or the query fails). */
static const char *
peek(const char *path, const char *sql)
{
	static char out[512];
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;

	snprintf(out, sizeof(out), "-");
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
		SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(s, 0);

		snprintf(
		    out, sizeof(out), "%s", v != NULL ? (const char *)v : "");
	} else if (s == NULL) {
		fprintf(stderr, "  peek: %s: %s\n", sql, sqlite3_errmsg(db));
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return out;
}

/* A crawl and n queued pages http://a.test/1..n (ids 1..n). */
static int64_t
setup(struct store *st, int n)
{
	struct store_page pg;
	char url[64];
	int64_t crawl = 0;
	int i;

	if (store_crawl_create(st, "[\"http://a.test/\"]", "{}", T0, &crawl) !=
	    CW_OK)
		return 0;
	for (i = 1; i <= n; i++) {
		snprintf(url, sizeof(url), "http://a.test/%d", i);
		memset(&pg, 0, sizeof(pg));
		pg.id = i;
		pg.crawl_id = crawl;
		pg.url = url;
		pg.depth = i > 1;
		pg.parent_id = i > 1 ? 1 : 0;
		pg.state = PAGE_QUEUED;
		pg.discovered_us = T0;
		if (store_page_insert(st, &pg) != CW_OK)
			return 0;
	}
	return crawl;
}

/* A 200 with body hash, validators and size. */
static enum cw_rc
fetched_200(struct store *st, int64_t id, int64_t at, const char *hash,
    const char *etag, int64_t bytes)
{
	struct store_result r = {.id = id,
	    .state = PAGE_DONE,
	    .status = 200,
	    .content_type = "text/html",
	    .bytes = bytes,
	    .fetched_us = at,
	    .attempts = 1,
	    .fetched = true,
	    .etag = etag,
	    .last_modified = "Tue, 14 Nov 2023 22:00:00 GMT",
	    .content_hash = hash};

	return store_page_finish(st, &r);
}

/*
 * One page through its life: the first 200 (a change: changed_at is its
 * fetch time), the same body again (changed_at stays), a 304 (the page
 * stays done with its status, type, size and hash; the new ETag is kept),
 * a new body (changed_at moves), a failed revisit (kept as well) - and a
 * fetches row for each of the five, with what that fetch brought.
 */
static void
test_history_and_changed_at(void)
{
	struct tmpdb t;
	struct store *st;
	struct store_result r;
	const char *p;

	REQUIRE(tmpdb_init(&t, "fetches"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	REQUIRE(setup(st, 1) != 0);
	p = t.path;

	CHECK(fetched_200(st, 1, T0 + 1 * SEC, H1, "\"e1\"", 10) == CW_OK);
	CHECK(store_flush(st) == CW_OK);
	CHECK_STR(peek(p, "SELECT changed_at FROM pages"),
	    "2023-11-14T22:13:21.000000Z");
	CHECK_STR(peek(p, "SELECT content_hash FROM pages"), H1);
	CHECK_STR(peek(p, "SELECT etag FROM pages"), "\"e1\"");

	CHECK(fetched_200(st, 1, T0 + 2 * SEC, H1, "\"e1\"", 10) == CW_OK);
	CHECK(store_flush(st) == CW_OK);
	CHECK_STR(peek(p, "SELECT changed_at || ' ' || fetched_at FROM pages"),
	    "2023-11-14T22:13:21.000000Z 2023-11-14T22:13:22.000000Z");

	memset(&r, 0, sizeof(r));
	r.id = 1;
	r.state = PAGE_DONE;
	r.status = 304;
	r.bytes = 0;
	r.fetched_us = T0 + 3 * SEC;
	r.attempts = 1;
	r.fetched = true;
	r.etag = "\"e1b\"";
	r.not_modified = true;
	r.keep_content = true;
	CHECK(store_page_finish(st, &r) == CW_OK);
	CHECK(store_flush(st) == CW_OK);
	CHECK_STR(peek(p,
		      "SELECT state || ' ' || status || ' ' || bytes || ' ' || "
		      "content_type || ' ' || etag || ' ' || last_modified "
		      "FROM pages"),
	    "done 200 10 text/html \"e1b\" Tue, 14 Nov 2023 22:00:00 GMT");
	CHECK_STR(peek(p, "SELECT content_hash FROM pages"), H1);
	CHECK_STR(peek(p, "SELECT changed_at || ' ' || fetched_at FROM pages"),
	    "2023-11-14T22:13:21.000000Z 2023-11-14T22:13:23.000000Z");

	CHECK(fetched_200(st, 1, T0 + 4 * SEC, H2, "\"e2\"", 12) == CW_OK);
	CHECK(store_flush(st) == CW_OK);
	CHECK_STR(peek(p, "SELECT changed_at FROM pages"),
	    "2023-11-14T22:13:24.000000Z");
	CHECK_STR(peek(p, "SELECT content_hash || ' ' || bytes FROM pages"),
	    H2 " 12");

	memset(&r, 0, sizeof(r));
	r.id = 1;
	r.state = PAGE_FAILED;
	r.reason = "timeout: Operation timed out";
	r.bytes = 0;
	r.fetched_us = T0 + 5 * SEC;
	r.attempts = 3;
	r.fetched = true;
	r.keep_content = true;
	CHECK(store_page_finish(st, &r) == CW_OK);
	CHECK(store_flush(st) == CW_OK);
	CHECK_STR(peek(p,
		      "SELECT state || ' ' || status || ' ' || bytes || ' ' || "
		      "etag || ' ' || attempts || ' ' || COALESCE(reason, '-') "
		      "FROM pages"),
	    "done 200 12 \"e2\" 3 -");
	CHECK_STR(peek(p, "SELECT changed_at FROM pages"),
	    "2023-11-14T22:13:24.000000Z");

	/* The history, oldest first: one row per fetch. */
	CHECK_STR(
	    peek(p, "SELECT count(*) FROM fetches WHERE page_id = 1"), "5");
	CHECK_STR(peek(p,
		      "SELECT group_concat(COALESCE(status, 'NULL') || ':' || "
		      "not_modified || ':' || COALESCE(substr(content_hash, 1, "
		      "1), '-') || ':' || COALESCE(etag, '-'), ' ') FROM "
		      "(SELECT * FROM fetches ORDER BY id)"),
	    "200:0:1:\"e1\" 200:0:1:\"e1\" 304:1:-:\"e1b\" 200:0:2:\"e2\" "
	    "NULL:0:-:-");
	CHECK_STR(peek(p,
		      "SELECT error || ' ' || crawl_id || ' ' || fetched_at "
		      "FROM fetches ORDER BY id DESC LIMIT 1"),
	    "timeout: Operation timed out 1 2023-11-14T22:13:25.000000Z");
	CHECK_STR(peek(p, "SELECT bytes FROM fetches WHERE status = 304"), "0");
	store_close(st);
	tmpdb_cleanup(&t);
}

/* Outcomes without a request (skipped by policy, fetched unset) are no
   fetch; a fetch that failed outright replaces the page's facts. */
static void
test_no_fetch_no_row(void)
{
	struct tmpdb t;
	struct store *st;
	struct store_result r;

	REQUIRE(tmpdb_init(&t, "fetches"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	REQUIRE(setup(st, 2) != 0);
	memset(&r, 0, sizeof(r));
	r.id = 1;
	r.state = PAGE_SKIPPED;
	r.reason = "robots";
	r.bytes = -1;
	CHECK(store_page_finish(st, &r) == CW_OK);
	memset(&r, 0, sizeof(r));
	r.id = 2;
	r.state = PAGE_FAILED;
	r.reason = "connect: refused";
	r.bytes = 0;
	r.fetched_us = T0 + SEC;
	r.fetched = true;
	CHECK(store_page_finish(st, &r) == CW_OK);
	CHECK(store_flush(st) == CW_OK);
	CHECK_STR(peek(t.path, "SELECT count(*) FROM fetches"), "1");
	CHECK_STR(peek(t.path, "SELECT page_id || ' ' || error FROM fetches"),
	    "2 connect: refused");
	CHECK_STR(
	    peek(t.path, "SELECT state FROM pages WHERE id = 2"), "failed");
	store_close(st);
	tmpdb_cleanup(&t);
}

/* What a due walk saw, in order. */
struct due_seen {
	int64_t ids[16];
	char etags[16][16];
	size_t n;
};

static int
due_cb(void *arg, const struct store_due_page *p)
{
	struct due_seen *s = arg;

	if (s->n < CW_NELEM(s->ids)) {
		s->ids[s->n] = p->id;
		snprintf(s->etags[s->n], sizeof(s->etags[0]), "%s",
		    p->etag != NULL ? p->etag : "-");
		s->n++;
	}
	return 0;
}

/*
 * Due pages by time: only 'done' pages fetched at or before the due time,
 * oldest fetch first, each handed out once as the cursor moves, at most
 * limit per call; the next due time is the first done page after the
 * cursor, a page fetched again comes round again.
 */
static void
test_due_by_time(void)
{
	struct tmpdb t;
	struct store *st;
	struct store_due_cursor cur;
	struct store_result r;
	struct due_seen seen;
	int64_t crawl, next = -1;
	char etag[16];
	int i;

	REQUIRE(tmpdb_init(&t, "fetches"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	crawl = setup(st, 7);
	REQUIRE(crawl != 0);
	/* Pages 1-5 done, fetched in the order 5, 4, 3, 2, 1; 6 failed; 7
	   stays queued. */
	for (i = 5; i >= 1; i--) {
		snprintf(etag, sizeof(etag), "\"p%d\"", i);
		CHECK(fetched_200(st, i, T0 + (6 - i) * SEC, H1, etag, 1) ==
		    CW_OK);
	}
	memset(&r, 0, sizeof(r));
	r.id = 6;
	r.state = PAGE_FAILED;
	r.reason = "error";
	r.fetched_us = T0;
	r.fetched = true;
	CHECK(store_page_finish(st, &r) == CW_OK);

	memset(&cur, 0, sizeof(cur));
	CHECK(store_next_due(st, crawl, &cur, &next) == CW_OK);
	CHECK(next == T0 + 1 * SEC);
	memset(&seen, 0, sizeof(seen));
	CHECK(store_load_due(
		  st, crawl, T0 + 3 * SEC, &cur, 10, due_cb, &seen) == CW_OK);
	CHECK_INT(seen.n, 3);
	CHECK(seen.ids[0] == 5 && seen.ids[1] == 4 && seen.ids[2] == 3);
	CHECK_STR(seen.etags[0], "\"p5\"");
	CHECK_INT(cur.id, 3);
	/* The same due time again: nothing is handed out twice. */
	memset(&seen, 0, sizeof(seen));
	CHECK(store_load_due(
		  st, crawl, T0 + 3 * SEC, &cur, 10, due_cb, &seen) == CW_OK);
	CHECK_INT(seen.n, 0);
	CHECK(store_next_due(st, crawl, &cur, &next) == CW_OK);
	CHECK(next == T0 + 4 * SEC);
	/* A limit of one. */
	memset(&seen, 0, sizeof(seen));
	CHECK(store_load_due(st, crawl, T0 + 9 * SEC, &cur, 1, due_cb, &seen) ==
	    CW_OK);
	CHECK(seen.n == 1 && seen.ids[0] == 2);
	memset(&seen, 0, sizeof(seen));
	CHECK(store_load_due(
		  st, crawl, T0 + 9 * SEC, &cur, 10, due_cb, &seen) == CW_OK);
	CHECK(seen.n == 1 && seen.ids[0] == 1);
	CHECK(store_next_due(st, crawl, &cur, &next) == CW_OK);
	CHECK(next == 0);
	/* Page 5 fetched again: due again after its new fetch. */
	CHECK(fetched_200(st, 5, T0 + 20 * SEC, H1, "\"p5b\"", 1) == CW_OK);
	CHECK(store_next_due(st, crawl, &cur, &next) == CW_OK);
	CHECK(next == T0 + 20 * SEC);
	memset(&seen, 0, sizeof(seen));
	CHECK(store_load_due(
		  st, crawl, T0 + 19 * SEC, &cur, 10, due_cb, &seen) == CW_OK);
	CHECK_INT(seen.n, 0);
	CHECK(store_load_due(
		  st, crawl, T0 + 20 * SEC, &cur, 10, due_cb, &seen) == CW_OK);
	CHECK(seen.n == 1 && seen.ids[0] == 5);
	CHECK_STR(seen.etags[0], "\"p5b\"");
	/* Another crawl's pages are not this one's. */
	memset(&cur, 0, sizeof(cur));
	memset(&seen, 0, sizeof(seen));
	CHECK(store_load_due(st, crawl + 1, T0 + 99 * SEC, &cur, 10, due_cb,
		  &seen) == CW_OK);
	CHECK_INT(seen.n, 0);
	store_close(st);
	tmpdb_cleanup(&t);
}

/* The due query walks the (crawl_id, state, fetched_at) index: no full
   scan and no sort, however many pages are done. */
static void
test_due_plan(void)
{
	struct tmpdb t;
	struct store *st;
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int sorts = 0, scans = 0, steps = 0;

	REQUIRE(tmpdb_init(&t, "fetches"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	store_close(st);
	REQUIRE(sqlite3_open(t.path, &db) == SQLITE_OK);
	/* The text of store.c's SQL_LOAD_DUE. */
	REQUIRE(sqlite3_prepare_v2(db,
		    "EXPLAIN QUERY PLAN SELECT id, url, depth, fetched_at, "
		    "etag, last_modified FROM pages WHERE crawl_id = 1 AND "
		    "state = 'done' AND fetched_at <= 'x' AND (fetched_at, id) "
		    "> ('', 0) ORDER BY fetched_at, id LIMIT 5",
		    -1, &s, NULL) == SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(s, 3);

		steps++;
		sorts += d != NULL && strstr(d, "B-TREE") != NULL;
		scans += d != NULL && strncmp(d, "SCAN", 4) == 0;
		if (d != NULL && strstr(d, "pages_crawl_state") == NULL)
			fprintf(stderr, "  plan: %s\n", d);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	CHECK(steps > 0);
	CHECK_INT(sorts, 0);
	CHECK_INT(scans, 0);
	tmpdb_cleanup(&t);
}

/*
 * A database as crawld wrote it at schema version 2 (the version-1 schema
 * plus pages.attempts, as store.c's first two steps made it), with a crawl
 * that was interrupted: one page done, one failed, one skipped, one
 * queued. Opened read-write it becomes version 3 with every row kept, the
 * fetched pages' last fetches as the start of the history, the new
 * columns empty, and the store works on it.
 */
static const char v2_database[] =
    "CREATE TABLE crawls (id INTEGER PRIMARY KEY, seeds TEXT NOT NULL,"
    " options TEXT NOT NULL, state TEXT NOT NULL, created_at TEXT NOT NULL,"
    " finished_at TEXT);"
    "CREATE TABLE pages (id INTEGER PRIMARY KEY,"
    " crawl_id INTEGER NOT NULL REFERENCES crawls(id), url TEXT NOT NULL,"
    " depth INTEGER NOT NULL, parent_id INTEGER REFERENCES pages(id),"
    " state TEXT NOT NULL CHECK(state IN"
    " ('queued','fetching','done','failed','skipped')),"
    " reason TEXT, status INTEGER, content_type TEXT, bytes INTEGER,"
    " discovered_at TEXT NOT NULL, fetched_at TEXT, UNIQUE(crawl_id, url));"
    "CREATE INDEX pages_crawl_state ON pages(crawl_id, state);"
    "CREATE TABLE links (src_id INTEGER NOT NULL REFERENCES pages(id),"
    " dst_id INTEGER NOT NULL REFERENCES pages(id), element TEXT NOT NULL,"
    " PRIMARY KEY(src_id, dst_id)) WITHOUT ROWID;"
    "ALTER TABLE pages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;"
    "PRAGMA user_version = 2;"
    "INSERT INTO crawls VALUES (1, '[\"http://a.test/\"]', '{}', 'running',"
    " '2023-11-14T22:13:20.000000Z', NULL);"
    "INSERT INTO pages VALUES (1, 1, 'http://a.test/', 0, NULL, 'done', NULL,"
    " 200, 'text/html', 42, '2023-11-14T22:13:20.000000Z',"
    " '2023-11-14T22:13:21.000000Z', 1);"
    "INSERT INTO pages VALUES (2, 1, 'http://a.test/b', 1, 1, 'failed',"
    " 'timeout: slow', NULL, NULL, 0, '2023-11-14T22:13:21.000000Z',"
    " '2023-11-14T22:13:22.000000Z', 3);"
    "INSERT INTO pages VALUES (3, 1, 'http://b.test/', 1, 1, 'skipped',"
    " 'scope', NULL, NULL, NULL, '2023-11-14T22:13:21.000000Z', NULL, 0);"
    "INSERT INTO pages VALUES (4, 1, 'http://a.test/c', 1, 1, 'queued', NULL,"
    " NULL, NULL, NULL, '2023-11-14T22:13:21.000000Z', NULL, 0);"
    "INSERT INTO links VALUES (1, 2, 'a');"
    "INSERT INTO links VALUES (1, 3, 'a');"
    "INSERT INTO links VALUES (1, 4, 'a');";

static void
test_migrate_v2(void)
{
	struct tmpdb t;
	struct store *st = NULL;
	struct store_due_cursor cur;
	struct due_seen seen;
	sqlite3 *db = NULL;
	char err[256];

	REQUIRE(tmpdb_init(&t, "fetches"));
	REQUIRE(sqlite3_open(t.path, &db) == SQLITE_OK);
	REQUIRE(sqlite3_exec(db, v2_database, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);

	/* Read-only (export) refuses it and leaves it alone. */
	CHECK(store_open(t.path, STORE_F_READONLY, &st, err, sizeof(err)) ==
	    CW_ESTORE);
	CHECK(strstr(err, "schema too old") != NULL);
	CHECK_STR(peek(t.path, "PRAGMA user_version"), "2");

	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	CHECK_INT(
	    atoi(peek(t.path, "PRAGMA user_version")), STORE_SCHEMA_VERSION);
	CHECK_STR(peek(t.path, "SELECT count(*) FROM pages"), "4");
	CHECK_STR(peek(t.path, "SELECT count(*) FROM links"), "3");
	CHECK_STR(peek(t.path, "SELECT count(*) FROM crawls"), "1");
	CHECK_STR(peek(t.path,
		      "SELECT group_concat(state || ' ' || COALESCE(status, "
		      "'-') || ' ' || COALESCE(bytes, '-') || ' ' || attempts, "
		      "', ') FROM (SELECT * FROM pages ORDER BY id)"),
	    "done 200 42 1, failed - 0 3, skipped - - 0, queued - - 0");
	/* The new columns start empty. */
	CHECK_STR(peek(t.path,
		      "SELECT count(*) FROM pages WHERE etag IS NULL AND "
		      "last_modified IS NULL AND content_hash IS NULL AND "
		      "changed_at IS NULL"),
	    "4");
	/* The history starts with each fetched page's last fetch. */
	CHECK_STR(
	    peek(t.path,
		"SELECT group_concat(page_id || ' ' || fetched_at || ' ' "
		"|| COALESCE(status, '-') || ' ' || COALESCE(error, '-'), "
		"', ') FROM (SELECT * FROM fetches ORDER BY id)"),
	    "1 2023-11-14T22:13:21.000000Z 200 -, "
	    "2 2023-11-14T22:13:22.000000Z - timeout: slow");
	/* The index the due pages are found on. */
	CHECK_STR(peek(t.path,
		      "SELECT group_concat(name, ',') FROM "
		      "pragma_index_info('pages_crawl_state')"),
	    "crawl_id,state,fetched_at");
	CHECK_STR(peek(t.path, "PRAGMA integrity_check"), "ok");

	/* It works as a v3 store: the done page is due, a new fetch of it
	   has a history row and a changed_at. */
	memset(&cur, 0, sizeof(cur));
	memset(&seen, 0, sizeof(seen));
	CHECK(store_load_due(st, 1, T0 + 60 * SEC, &cur, 10, due_cb, &seen) ==
	    CW_OK);
	CHECK(seen.n == 1 && seen.ids[0] == 1);
	CHECK(fetched_200(st, 1, T0 + 70 * SEC, H1, NULL, 42) == CW_OK);
	CHECK(store_flush(st) == CW_OK);
	store_close(st);
	CHECK_STR(peek(t.path, "SELECT count(*) FROM fetches"), "3");
	CHECK_STR(peek(t.path, "SELECT changed_at FROM pages WHERE id = 1"),
	    "2023-11-14T22:14:30.000000Z");
	st = NULL;
	CHECK(store_open(t.path, STORE_F_READONLY, &st, err, sizeof(err)) ==
	    CW_OK);
	store_close(st);
	tmpdb_cleanup(&t);
}

static const struct test tests[] = {
    TEST(history_and_changed_at),
    TEST(no_fetch_no_row),
    TEST(due_by_time),
    TEST(due_plan),
    TEST(migrate_v2),
};

TEST_MAIN(tests)
