/* SPDX-License-Identifier: MIT */
/*
 * test_store.c - the SQLite store: schema, batching, read-back order,
 * error mapping and refusal of unusable paths. Each test works in its own
 * mkdtemp() directory under /tmp and inspects the file with a second,
 * independent sqlite3 connection where visibility matters.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crawld/store/store.h"
#include "harness.h"
#include "store/tmpdb.h"

#define T0 1700000000000000LL /* 2023-11-14T22:13:20.000000Z */

/* One text value from a query on an independent connection. */
static bool
peek_text(const char *path, const char *sql, char *out, size_t len)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	bool ok = false;

	out[0] = '\0';
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
		SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);

		snprintf(out, len, "%s", t != NULL ? (const char *)t : "");
		ok = true;
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return ok;
}

/* Insert a page with the common fields. */
static enum cw_rc
put_page(struct store *st, int64_t id, int64_t crawl, int64_t parent,
    const char *url, int depth, int64_t disc_us)
{
	struct store_page pg = {.id = id,
	    .crawl_id = crawl,
	    .parent_id = parent,
	    .url = url,
	    .depth = depth,
	    .state = PAGE_QUEUED,
	    .discovered_us = disc_us};

	return store_page_insert(st, &pg);
}

/* Record a page as done with a status. */
static enum cw_rc
finish_page(struct store *st, int64_t id, int status, int64_t fetched_us)
{
	struct store_result res = {.id = id,
	    .state = PAGE_DONE,
	    .status = status,
	    .content_type = "text/html",
	    .bytes = 100 * id,
	    .fetched_us = fetched_us};

	return store_page_finish(st, &res);
}

/* Rows as read back, copied out of the borrowed callback data. */
struct collected {
	int n;
	int64_t ids[16];
	char urls[16][64];
	char parents[16][64];
	char fetched[16][40];
	bool has_status[16];
	int status[16];
	int stop_after; /* 0 = never stop */
};

/* store_row_cb collecting ids, URLs and parent URLs. */
static int
collect(void *arg, const struct store_row *r)
{
	struct collected *c = arg;

	if (c->n < 16) {
		c->ids[c->n] = r->id;
		snprintf(c->urls[c->n], 64, "%s", r->url);
		snprintf(c->parents[c->n], 64, "%s",
		    r->parent_url != NULL ? r->parent_url : "-");
		snprintf(c->fetched[c->n], 40, "%s",
		    r->fetched_at != NULL ? r->fetched_at : "-");
		c->has_status[c->n] = r->has_status;
		c->status[c->n] = r->status;
	}
	c->n++;
	return c->stop_after != 0 && c->n >= c->stop_after;
}

/* A fresh file gets the version-1 schema, WAL and the exact columns. */
static void
test_open_creates_schema(void)
{
	struct tmpdb t;
	struct store *st;
	char buf[256];

	REQUIRE(tmpdb_init(&t, "store"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	CHECK_INT(tmpdb_peek_int(t.path, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	CHECK(peek_text(t.path, "PRAGMA journal_mode", buf, sizeof(buf)));
	CHECK_STR(buf, "wal");
	CHECK(peek_text(t.path,
	    "SELECT group_concat(name, ',') FROM (SELECT name FROM "
	    "sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name)",
	    buf, sizeof(buf)));
	CHECK_STR(buf,
	    "crawls,fetches,fetches_page,links,mirror_files,mirror_files_path,"
	    "pages,pages_crawl_state,warc_files,warc_files_crawl,warc_records,"
	    "warc_records_file,warc_records_target");
	CHECK(peek_text(t.path,
	    "SELECT group_concat(name, ',') FROM "
	    "pragma_table_info('warc_records')",
	    buf, sizeof(buf)));
	CHECK_STR(buf,
	    "id,file_id,page_id,type,record_id,target_uri,warc_date,"
	    "warc_offset,warc_length,status,payload_digest,cdxj");
	CHECK(peek_text(t.path,
	    "SELECT group_concat(name, ',') FROM pragma_table_info('pages')",
	    buf, sizeof(buf)));
	CHECK_STR(buf,
	    "id,crawl_id,url,depth,parent_id,state,reason,status,"
	    "content_type,bytes,discovered_at,fetched_at,attempts,etag,"
	    "last_modified,content_hash,changed_at");
	CHECK(peek_text(t.path,
	    "SELECT group_concat(name, ',') FROM pragma_table_info('crawls')",
	    buf, sizeof(buf)));
	CHECK_STR(buf, "id,seeds,options,state,created_at,finished_at");
	CHECK(peek_text(t.path,
	    "SELECT group_concat(name, ',') FROM pragma_table_info('links')",
	    buf, sizeof(buf)));
	CHECK_STR(buf, "src_id,dst_id,element,attribute");
	CHECK_STR(store_errmsg(st), "");
	store_close(st);
	tmpdb_cleanup(&t);
}

/* Build the four-page crawl shared by the order tests. */
static bool
build_crawl(struct store *st, int64_t *crawl)
{
	struct store_page skip = {.id = 4,
	    .parent_id = 3,
	    .url = "http://a.test/z",
	    .depth = 2,
	    .state = PAGE_SKIPPED,
	    .reason = "robots",
	    .discovered_us = T0 + 2};

	if (store_crawl_create(st, "[\"http://a.test/\"]", "{}", T0, crawl) !=
	    CW_OK)
		return false;
	skip.crawl_id = *crawl;
	/* ids 3 and 2 share discovered_at; 3 goes in first. */
	return put_page(st, 1, *crawl, 0, "http://a.test/", 0, T0) == CW_OK &&
	    put_page(st, 3, *crawl, 1, "http://a.test/x", 1, T0 + 1) == CW_OK &&
	    put_page(st, 2, *crawl, 1, "http://a.test/y", 1, T0 + 1) == CW_OK &&
	    store_page_insert(st, &skip) == CW_OK &&
	    store_page_fetching(st, 3) == CW_OK &&
	    finish_page(st, 3, 200, T0 + 10) == CW_OK &&
	    finish_page(st, 1, 301, T0 + 20) == CW_OK &&
	    finish_page(st, 2, 404, T0 + 20) == CW_OK;
}

/* Both read-back orders, with the id tie-break and unfetched last. */
static void
test_export_orders(void)
{
	static const int64_t disc[] = {1, 2, 3, 4};
	static const int64_t fetched[] = {3, 1, 2, 4};
	struct collected c;
	struct tmpdb t;
	struct store *st;
	int64_t crawl = 0;
	int i;

	REQUIRE(tmpdb_init(&t, "store"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	REQUIRE(build_crawl(st, &crawl));
	CHECK_INT(crawl, 1);
	REQUIRE(store_flush(st) == CW_OK);

	memset(&c, 0, sizeof(c));
	REQUIRE(
	    store_export(st, 0, STORE_ORDER_DISCOVERED, collect, &c) == CW_OK);
	REQUIRE(c.n == 4);
	for (i = 0; i < 4; i++)
		CHECK_INT(c.ids[i], disc[i]);
	CHECK_STR(c.parents[0], "-");
	CHECK_STR(c.parents[1], "http://a.test/");
	CHECK_STR(c.parents[3], "http://a.test/x");
	CHECK_STR(c.fetched[0], "2023-11-14T22:13:20.000020Z");
	CHECK_STR(c.fetched[3], "-");
	CHECK(!c.has_status[3]);
	CHECK(c.has_status[1]);
	CHECK_INT(c.status[1], 404);

	memset(&c, 0, sizeof(c));
	REQUIRE(
	    store_export(st, crawl, STORE_ORDER_FETCHED, collect, &c) == CW_OK);
	REQUIRE(c.n == 4);
	for (i = 0; i < 4; i++)
		CHECK_INT(c.ids[i], fetched[i]);

	/* Another crawl's filter sees nothing; a callback can stop early. */
	memset(&c, 0, sizeof(c));
	CHECK(
	    store_export(st, 2, STORE_ORDER_DISCOVERED, collect, &c) == CW_OK);
	CHECK_INT(c.n, 0);
	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	CHECK(store_export(st, 0, STORE_ORDER_FETCHED, collect, &c) == CW_OK);
	CHECK_INT(c.n, 2);
	CHECK(
	    store_export(st, 0, (enum store_order)7, collect, &c) == CW_EINVAL);
	store_close(st);
	tmpdb_cleanup(&t);
}

/* Links are stored with their element name; a repeated pair is ignored. */
static void
test_links(void)
{
	struct tmpdb t;
	struct store *st;
	int64_t crawl = 0;
	char buf[256];

	REQUIRE(tmpdb_init(&t, "store"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	REQUIRE(build_crawl(st, &crawl));
	REQUIRE(store_flush(st) == CW_OK);
	CHECK_INT(store_batch_rows(st), 0);
	CHECK(store_link_insert(st, 1, 3, LINK_EL_A, LINK_ATTR_HREF) == CW_OK);
	CHECK(
	    store_link_insert(st, 1, 2, LINK_EL_AREA, LINK_ATTR_HREF) == CW_OK);
	CHECK(store_link_insert(
		  st, 3, 4, LINK_EL_REDIRECT, LINK_ATTR_LOCATION) == CW_OK);
	CHECK(store_link_insert(st, 1, 3, LINK_EL_IFRAME, LINK_ATTR_SRC) ==
	    CW_OK);
	CHECK_INT(store_batch_rows(st), 3);
	CHECK(store_link_insert(st, 1, 4, (enum link_element)42,
		  LINK_ATTR_HREF) == CW_EINVAL);
	REQUIRE(store_flush(st) == CW_OK);
	CHECK(peek_text(t.path,
	    "SELECT group_concat(x, ' ') FROM (SELECT src_id || '>' || dst_id "
	    "|| ':' || element || '/' || attribute AS x FROM links"
	    " ORDER BY src_id, dst_id)",
	    buf, sizeof(buf)));
	CHECK_STR(buf, "1>2:area/href 1>3:a/href 3>4:redirect/location");
	store_close(st);
	tmpdb_cleanup(&t);
}

/* What a mirror_files row gave back. */
struct mrow {
	int n;
	char path[64], kind[16], etag[32], lm[48], target[64];
	int64_t size, mtime, page;
	bool null_ct;
};

static int
mrow_cb(void *arg, const struct store_mirror_file *f)
{
	struct mrow *m = arg;

	m->n++;
	snprintf(m->path, sizeof(m->path), "%s", f->path);
	snprintf(m->kind, sizeof(m->kind), "%s", f->kind);
	snprintf(m->etag, sizeof(m->etag), "%s", f->etag ? f->etag : "-");
	snprintf(m->lm, sizeof(m->lm), "%s",
	    f->last_modified ? f->last_modified : "-");
	snprintf(
	    m->target, sizeof(m->target), "%s", f->target ? f->target : "-");
	m->size = f->size;
	m->mtime = f->mtime_ns;
	m->page = f->page_id;
	m->null_ct = f->content_type == NULL;
	return 0;
}

/* The mirror map: put, replace, look up by URL and by path, walk. */
static void
test_mirror_map(void)
{
	struct tmpdb t;
	struct store *st;
	struct mrow m;
	struct store_mirror_file f;

	REQUIRE(tmpdb_init(&t, "store"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	memset(&f, 0, sizeof(f));
	f.root = "/m1";
	f.url = "http://h/a";
	f.path = "h/a.html";
	f.kind = "html";
	f.content_type = "text/html";
	f.etag = "\"e1\"";
	f.size = 12;
	f.mtime_ns = 99;
	f.page_id = 7;
	f.updated_us = 1;
	CHECK(store_mirror_put(st, &f) == CW_OK);
	f.url = "http://h/r";
	f.path = "h/r";
	f.kind = "redirect";
	f.content_type = NULL;
	f.etag = NULL;
	f.target = "http://h/a";
	f.size = -1;
	CHECK(store_mirror_put(st, &f) == CW_OK);
	f.kind = "dir"; /* not a kind */
	CHECK(store_mirror_put(st, &f) == CW_EINVAL);
	f.kind = NULL;
	CHECK(store_mirror_put(st, &f) == CW_EINVAL);
	f.kind = "redirect";
	f.root = ""; /* '' is a v5 row's, never a mirror's */
	CHECK(store_mirror_put(st, &f) == CW_EINVAL);
	f.root = "/m1";
	REQUIRE(store_flush(st) == CW_OK);
	memset(&m, 0, sizeof(m));
	CHECK(store_mirror_get(st, "/m1", "http://h/a", mrow_cb, &m) == CW_OK);
	CHECK_INT(m.n, 1);
	CHECK_STR(m.path, "h/a.html");
	CHECK_STR(m.kind, "html");
	CHECK_STR(m.etag, "\"e1\"");
	CHECK_INT(m.size, 12);
	CHECK_INT(m.mtime, 99);
	CHECK_INT(m.page, 7);
	memset(&m, 0, sizeof(m));
	CHECK(
	    store_mirror_get(st, "/m1", "http://h/none", mrow_cb, &m) == CW_OK);
	CHECK_INT(m.n, 0);
	CHECK(store_mirror_get_path(st, "/m1", "h/r", mrow_cb, &m) == CW_OK);
	CHECK_INT(m.n, 1);
	CHECK_STR(m.target, "http://h/a");
	CHECK_INT(m.size, -1);
	CHECK(m.null_ct);
	/* replaced, not added */
	f.url = "http://h/a";
	f.path = "h/a.html";
	f.kind = "html";
	f.target = NULL;
	f.etag = "\"e2\"";
	f.last_modified = "Tue, 01 Dec 2026 00:00:00 GMT";
	CHECK(store_mirror_put(st, &f) == CW_OK);
	memset(&m, 0, sizeof(m));
	CHECK(store_mirror_get(st, "/m1", "http://h/a", mrow_cb, &m) == CW_OK);
	CHECK_STR(m.etag, "\"e2\"");
	CHECK_STR(m.lm, "Tue, 01 Dec 2026 00:00:00 GMT");
	memset(&m, 0, sizeof(m));
	CHECK(store_mirror_walk(st, "/m1", mrow_cb, &m) == CW_OK);
	CHECK_INT(m.n, 2);
	CHECK_STR(m.path, "h/r"); /* URL order: /a, then /r */
	store_close(st);
	tmpdb_cleanup(&t);
}

/* Two mirror roots holding the same URL: two rows, each root's own. */
static void
test_mirror_roots(void)
{
	struct tmpdb t;
	struct store *st;
	struct mrow m;
	struct store_mirror_file f;

	REQUIRE(tmpdb_init(&t, "store"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	memset(&f, 0, sizeof(f));
	f.root = "/m1";
	f.url = "http://h/a";
	f.path = "h/a.html";
	f.kind = "html";
	f.etag = "\"one\"";
	f.size = 1;
	f.updated_us = 1;
	CHECK(store_mirror_put(st, &f) == CW_OK);
	f.root = "/m2";
	f.path = "h/a-2.html";
	f.etag = "\"two\"";
	f.stale = true;
	CHECK(store_mirror_put(st, &f) == CW_OK);
	REQUIRE(store_flush(st) == CW_OK);
	CHECK_INT(
	    tmpdb_peek_int(t.path, "SELECT count(*) FROM mirror_files"), 2);
	memset(&m, 0, sizeof(m));
	CHECK(store_mirror_get(st, "/m1", "http://h/a", mrow_cb, &m) == CW_OK);
	CHECK_INT(m.n, 1);
	CHECK_STR(m.path, "h/a.html");
	CHECK_STR(m.etag, "\"one\"");
	memset(&m, 0, sizeof(m));
	CHECK(store_mirror_get(st, "/m2", "http://h/a", mrow_cb, &m) == CW_OK);
	CHECK_INT(m.n, 1);
	CHECK_STR(m.etag, "\"two\"");
	memset(&m, 0, sizeof(m));
	CHECK(store_mirror_get(st, "/m3", "http://h/a", mrow_cb, &m) == CW_OK);
	CHECK_INT(m.n, 0);
	/* A path is taken within its own root only. */
	CHECK(
	    store_mirror_get_path(st, "/m2", "h/a.html", mrow_cb, &m) == CW_OK);
	CHECK_INT(m.n, 0);
	CHECK(store_mirror_walk(st, "/m1", mrow_cb, &m) == CW_OK);
	CHECK_INT(m.n, 1);
	memset(&m, 0, sizeof(m));
	CHECK(store_mirror_walk_stale(st, "/m1", mrow_cb, &m) == CW_OK);
	CHECK_INT(m.n, 0);
	CHECK(store_mirror_walk_stale(st, "/m2", mrow_cb, &m) == CW_OK);
	CHECK_INT(m.n, 1);
	CHECK(store_mirror_get(st, NULL, "http://h/a", mrow_cb, &m) != CW_OK);
	CHECK(store_mirror_adopt(st, "") == CW_EINVAL);
	store_close(st);
	tmpdb_cleanup(&t);
}

/*
 * A version-5 database: every table as this build makes it but
 * mirror_files, which has the v5 shape (url PRIMARY KEY, path index) and
 * two rows of a `crawl --mirror`.
 */
static const char v5_mirror[] =
    "DROP TABLE mirror_files;"
    "CREATE TABLE mirror_files ("
    " url TEXT PRIMARY KEY,"
    " path TEXT NOT NULL,"
    " kind TEXT NOT NULL CHECK(kind IN ('html','css','file','redirect')),"
    " content_type TEXT, etag TEXT, last_modified TEXT, sha256 TEXT,"
    " target TEXT, size INTEGER, mtime_ns INTEGER,"
    " crawl_id INTEGER REFERENCES crawls(id),"
    " page_id INTEGER REFERENCES pages(id),"
    " stale INTEGER NOT NULL DEFAULT 0,"
    " updated_at TEXT NOT NULL);"
    "CREATE INDEX mirror_files_path ON mirror_files(path);"
    "INSERT INTO mirror_files (url, path, kind, etag, size, stale,"
    " updated_at) VALUES ('http://h/a', 'h/a.html', 'html', '\"v5\"', 3,"
    " 1, '2026-12-01T00:00:00.000000Z'),"
    " ('http://h/b', 'h/b', 'file', NULL, 4, 0,"
    " '2026-12-01T00:00:00.000000Z');"
    "PRAGMA user_version = 5;";

/*
 * Migration from version 5: the map's rows are kept with root '', no
 * mirror's until the first one opened adopts them; a later root adopts
 * nothing, and a URL the adopter already held keeps its own row.
 */
static void
test_migrate_v5_mirror(void)
{
	struct tmpdb t;
	struct store *st;
	struct store_mirror_file f;
	struct mrow m;
	sqlite3 *db = NULL;
	char text[128];

	REQUIRE(tmpdb_init(&t, "store"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	store_close(st);
	REQUIRE(sqlite3_open(t.path, &db) == SQLITE_OK);
	REQUIRE(sqlite3_exec(db, v5_mirror, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);

	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	CHECK_INT(tmpdb_peek_int(t.path, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	CHECK(peek_text(t.path,
	    "SELECT group_concat(name, ',') FROM "
	    "pragma_index_info('mirror_files_path')",
	    text, sizeof(text)));
	CHECK_STR(text, "root,path");
	CHECK_INT(tmpdb_peek_int(t.path,
		      "SELECT count(*) FROM mirror_files WHERE root = ''"),
	    2);
	memset(&m, 0, sizeof(m));
	CHECK(store_mirror_get(st, "/m1", "http://h/a", mrow_cb, &m) == CW_OK);
	CHECK_INT(m.n, 0);
	/* /m1 already has http://h/b: its row stays, the old one goes. */
	memset(&f, 0, sizeof(f));
	f.root = "/m1";
	f.url = "http://h/b";
	f.path = "h/b-new";
	f.kind = "file";
	f.size = 5;
	f.updated_us = 1;
	CHECK(store_mirror_put(st, &f) == CW_OK);
	CHECK(store_mirror_adopt(st, "/m1") == CW_OK);
	REQUIRE(store_flush(st) == CW_OK);
	memset(&m, 0, sizeof(m));
	CHECK(store_mirror_get(st, "/m1", "http://h/a", mrow_cb, &m) == CW_OK);
	CHECK_INT(m.n, 1);
	CHECK_STR(m.path, "h/a.html");
	CHECK_STR(m.etag, "\"v5\"");
	CHECK_INT(m.size, 3);
	memset(&m, 0, sizeof(m));
	CHECK(store_mirror_walk_stale(st, "/m1", mrow_cb, &m) == CW_OK);
	CHECK_INT(m.n, 1);
	memset(&m, 0, sizeof(m));
	CHECK(store_mirror_get(st, "/m1", "http://h/b", mrow_cb, &m) == CW_OK);
	CHECK_INT(m.n, 1);
	CHECK_STR(m.path, "h/b-new");
	/* Claimed once: a second mirror starts empty. */
	CHECK(store_mirror_adopt(st, "/m2") == CW_OK);
	REQUIRE(store_flush(st) == CW_OK);
	memset(&m, 0, sizeof(m));
	CHECK(store_mirror_walk(st, "/m2", mrow_cb, &m) == CW_OK);
	CHECK_INT(m.n, 0);
	memset(&m, 0, sizeof(m));
	CHECK(store_mirror_walk(st, "/m1", mrow_cb, &m) == CW_OK);
	CHECK_INT(m.n, 2);
	CHECK_INT(
	    tmpdb_peek_int(t.path, "SELECT count(*) FROM mirror_files"), 2);
	store_close(st);
	CHECK(peek_text(t.path, "PRAGMA integrity_check", text, sizeof(text)));
	CHECK_STR(text, "ok");
	tmpdb_cleanup(&t);
}

/* A duplicate URL is CW_EINVAL and the rest of the batch still commits. */
static void
test_duplicate_url(void)
{
	struct tmpdb t;
	struct store *st;
	int64_t crawl = 0, n = -1;

	REQUIRE(tmpdb_init(&t, "store"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	REQUIRE(store_crawl_create(st, "[]", "{}", T0, &crawl) == CW_OK);
	CHECK(put_page(st, 1, crawl, 0, "http://a.test/", 0, T0) == CW_OK);
	CHECK(put_page(st, 2, crawl, 0, "http://a.test/", 0, T0) == CW_EINVAL);
	CHECK(strstr(store_errmsg(st), "UNIQUE") != NULL);
	CHECK_INT(store_batch_rows(st), 2);
	CHECK(put_page(st, 2, crawl, 0, "http://a.test/2", 0, T0) == CW_OK);
	/* Same id again is a caller bug, reported the same way. */
	CHECK(put_page(st, 2, crawl, 0, "http://a.test/3", 0, T0) == CW_EINVAL);
	/* Same URL in another crawl is a different page. */
	CHECK(put_page(st, 3, crawl + 1, 0, "http://a.test/", 0, T0) == CW_OK);
	CHECK_INT(store_batch_rows(st), 4);
	CHECK(store_flush(st) == CW_OK);
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT COUNT(*) FROM pages"), 3);
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT COUNT(*) FROM crawls"), 1);
	CHECK(store_count_pages(st, crawl, NULL, &n) == CW_OK);
	CHECK_INT(n, 2);
	store_close(st);
	tmpdb_cleanup(&t);
}

/*
 * store_page_depth: a page found again by a shorter path gets its depth;
 * requeued, a skipped (depth) row is 'queued' again with no reason. The
 * same through the writer thread, in call order with the insert.
 */
static void
test_page_depth(void)
{
	struct store_page skip = {.id = 2,
	    .parent_id = 1,
	    .url = "http://a.test/x",
	    .depth = 3,
	    .state = PAGE_SKIPPED,
	    .reason = "depth",
	    .discovered_us = T0};
	struct tmpdb t;
	struct store *st;
	int64_t crawl = 0;
	char buf[256];
	int writer;

	for (writer = 0; writer < 2; writer++) {
		REQUIRE(tmpdb_init(&t, "store"));
		st = tmpdb_open(t.path, 0);
		REQUIRE(st != NULL);
		if (writer)
			REQUIRE(store_writer_start(st) == CW_OK);
		REQUIRE(
		    store_crawl_create(st, "[]", "{}", T0, &crawl) == CW_OK);
		skip.crawl_id = crawl;
		CHECK(put_page(st, 1, crawl, 0, "http://a.test/", 0, T0) ==
		    CW_OK);
		CHECK(store_page_insert(st, &skip) == CW_OK);
		CHECK(store_page_depth(st, 2, 2, true) == CW_OK);
		CHECK(store_page_depth(st, 1, 0, false) == CW_OK);
		CHECK(store_page_depth(st, 1, -1, false) == CW_EINVAL);
		REQUIRE(store_flush(st) == CW_OK);
		CHECK(peek_text(t.path,
		    "SELECT state || '|' || depth || '|' ||"
		    " coalesce(reason, 'none') FROM pages WHERE id = 2",
		    buf, sizeof(buf)));
		CHECK_STR(buf, "queued|2|none");
		CHECK_INT(tmpdb_peek_int(t.path,
			      "SELECT depth FROM pages WHERE id = 1"
			      " AND state = 'queued'"),
		    0);
		if (!writer) /* no such page (the writer reports it later) */
			CHECK(store_page_depth(st, 9, 1, false) == CW_EINVAL);
		store_close(st);
		tmpdb_cleanup(&t);
	}
}

/* Arguments rejected before any SQL runs. */
static void
test_invalid_arguments(void)
{
	struct store_page pg = {.id = 1,
	    .crawl_id = 1,
	    .url = "http://a.test/",
	    .discovered_us = T0};
	struct store_result res = {.id = 1, .fetched_us = T0};
	struct tmpdb t;
	struct store *st;

	REQUIRE(tmpdb_init(&t, "store"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	pg.id = 0;
	CHECK(store_page_insert(st, &pg) == CW_EINVAL);
	pg.id = 1;
	pg.url = NULL;
	CHECK(store_page_insert(st, &pg) == CW_EINVAL);
	pg.url = "http://a.test/";
	pg.state = (enum page_state)9;
	CHECK(store_page_insert(st, &pg) == CW_EINVAL);
	pg.state = PAGE_QUEUED;
	CHECK(store_page_insert(st, &pg) == CW_OK);
	res.state = (enum page_state) - 1;
	CHECK(store_page_finish(st, &res) == CW_EINVAL);
	res.state = PAGE_DONE;
	res.id = 77;
	CHECK(store_page_finish(st, &res) == CW_EINVAL);
	CHECK(strstr(store_errmsg(st), "no page 77") != NULL);
	CHECK(store_page_fetching(st, 78) == CW_EINVAL);
	CHECK(store_crawl_set_state(st, 1, "exploded", 0) == CW_EINVAL);
	CHECK(store_crawl_set_state(st, 5, "done", 0) == CW_EINVAL);
	CHECK_STR(page_state_name(PAGE_SKIPPED), "skipped");
	CHECK_STR(page_state_name((enum page_state)12), "?");
	store_close(st);
	tmpdb_cleanup(&t);
}

/* finish sets state, status, bytes and fetched_at; NULLs when absent. */
static void
test_finish_fields(void)
{
	struct store_result fail = {.id = 2,
	    .state = PAGE_FAILED,
	    .reason = "timeout",
	    .bytes = -1,
	    .fetched_us = T0 + 5};
	struct tmpdb t;
	struct store *st;
	int64_t crawl = 0;
	char buf[256];

	REQUIRE(tmpdb_init(&t, "store"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	REQUIRE(store_crawl_create(st, "[]", "{}", T0, &crawl) == CW_OK);
	REQUIRE(put_page(st, 1, crawl, 0, "http://a.test/", 0, T0) == CW_OK);
	REQUIRE(put_page(st, 2, crawl, 1, "http://a.test/b", 1, T0) == CW_OK);
	CHECK(store_page_fetching(st, 1) == CW_OK);
	CHECK(finish_page(st, 1, 200, T0 + 123456) == CW_OK);
	CHECK(store_page_finish(st, &fail) == CW_OK);
	CHECK(store_crawl_set_state(st, crawl, "done", T0 + 999) == CW_OK);
	REQUIRE(store_flush(st) == CW_OK);
	CHECK(peek_text(t.path,
	    "SELECT state || '|' || status || '|' || content_type || '|' || "
	    "bytes || '|' || fetched_at || '|' || discovered_at FROM pages "
	    "WHERE id = 1",
	    buf, sizeof(buf)));
	CHECK_STR(buf,
	    "done|200|text/html|100|2023-11-14T22:13:20.123456Z|"
	    "2023-11-14T22:13:20.000000Z");
	CHECK(peek_text(t.path,
	    "SELECT state || '|' || reason || '|' || quote(status) || '|' || "
	    "quote(content_type) || '|' || quote(bytes) || '|' || fetched_at "
	    "FROM pages WHERE id = 2",
	    buf, sizeof(buf)));
	CHECK_STR(buf,
	    "failed|timeout|NULL|NULL|NULL|"
	    "2023-11-14T22:13:20.000005Z");
	CHECK(peek_text(t.path,
	    "SELECT state || '|' || finished_at || '|' || created_at || '|' || "
	    "seeds FROM crawls",
	    buf, sizeof(buf)));
	CHECK_STR(buf,
	    "done|2023-11-14T22:13:20.000999Z|"
	    "2023-11-14T22:13:20.000000Z|[]");
	store_close(st);
	tmpdb_cleanup(&t);
}

/* Counts by crawl and by state, in all four filter shapes. */
static void
test_count_pages(void)
{
	static const struct {
		int64_t crawl;
		const char *state;
		int64_t want;
	} cases[] = {
	    {0, NULL, 5},
	    {1, NULL, 4},
	    {2, NULL, 1},
	    {0, "queued", 1},
	    {0, "done", 3},
	    {1, "done", 3},
	    {1, "skipped", 1},
	    {2, "queued", 1},
	    {2, "done", 0},
	    {0, "fetching", 0},
	};
	struct tmpdb t;
	struct store *st;
	int64_t crawl = 0, crawl2 = 0, n;
	size_t i;

	REQUIRE(tmpdb_init(&t, "store"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	REQUIRE(build_crawl(st, &crawl));
	REQUIRE(store_crawl_create(st, "[]", "{}", T0, &crawl2) == CW_OK);
	CHECK_INT(crawl2, 2);
	REQUIRE(put_page(st, 9, crawl2, 0, "http://b.test/", 0, T0) == CW_OK);
	/* Counts see the open batch of this connection. */
	for (i = 0; i < CW_NELEM(cases); i++) {
		n = -1;
		CHECK(store_count_pages(
			  st, cases[i].crawl, cases[i].state, &n) == CW_OK);
		if (n != cases[i].want)
			fprintf(stderr, "  case %zu\n", i);
		CHECK_INT(n, cases[i].want);
	}
	store_close(st);
	tmpdb_cleanup(&t);
}

/* Another connection sees nothing of the batch until store_flush. */
static void
test_batch_visibility(void)
{
	struct tmpdb t;
	struct store *st;
	int64_t crawl = 0;

	REQUIRE(tmpdb_init(&t, "store"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	CHECK_INT(store_batch_rows(st), 0);
	CHECK(store_flush(st) == CW_OK); /* nothing open: no-op */
	REQUIRE(build_crawl(st, &crawl));
	CHECK_INT(store_batch_rows(st), 9);
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT COUNT(*) FROM pages"), 0);
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT COUNT(*) FROM crawls"), 0);
	CHECK(store_flush(st) == CW_OK);
	CHECK_INT(store_batch_rows(st), 0);
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT COUNT(*) FROM pages"), 4);
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT COUNT(*) FROM crawls"), 1);
	/* The next write opens a new batch, invisible again. */
	CHECK(put_page(st, 5, crawl, 0, "http://a.test/new", 0, T0) == CW_OK);
	CHECK_INT(store_batch_rows(st), 1);
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT COUNT(*) FROM pages"), 4);
	store_close(st); /* close flushes */
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT COUNT(*) FROM pages"), 5);
	tmpdb_cleanup(&t);
}

/* Reopening keeps the data and next_page_id continues after MAX(id). */
static void
test_reopen(void)
{
	struct tmpdb t;
	struct store *st;
	int64_t crawl = 0, id = 0, n = 0;

	REQUIRE(tmpdb_init(&t, "store"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	CHECK(store_next_page_id(st, &id) == CW_OK);
	CHECK_INT(id, 1);
	REQUIRE(build_crawl(st, &crawl));
	/* The open batch counts: ids may be referenced before a commit. */
	CHECK(store_next_page_id(st, &id) == CW_OK);
	CHECK_INT(id, 5);
	REQUIRE(put_page(st, 40, crawl, 0, "http://a.test/40", 0, T0) == CW_OK);
	store_close(st);

	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	CHECK(store_next_page_id(st, &id) == CW_OK);
	CHECK_INT(id, 41);
	CHECK(store_count_pages(st, 0, NULL, &n) == CW_OK);
	CHECK_INT(n, 5);
	CHECK(store_count_pages(st, 0, "done", &n) == CW_OK);
	CHECK_INT(n, 3);
	store_close(st);

	/* Read-only: reads work, writes are refused, nothing is created. */
	st = tmpdb_open(t.path, STORE_F_READONLY);
	REQUIRE(st != NULL);
	CHECK(store_count_pages(st, 0, NULL, &n) == CW_OK);
	CHECK_INT(n, 5);
	CHECK(
	    put_page(st, 50, crawl, 0, "http://a.test/50", 0, T0) == CW_ESTORE);
	CHECK(strstr(store_errmsg(st), "readonly") != NULL);
	store_close(st);
	tmpdb_cleanup(&t);
}

/*
 * A database as crawld wrote it at schema version 1 (before pages.attempts):
 * the schema text of that version, kept here as a fixture (store.c's first
 * migration step must never change, so this is what it made), with a
 * crawl that was interrupted: one page done, one queued.
 */
static const char v1_database[] =
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
    "PRAGMA user_version = 1;"
    "INSERT INTO crawls VALUES (1, '[\"http://a.test/\"]', '{}', 'running',"
    " '2023-11-14T22:13:20.000000Z', NULL);"
    "INSERT INTO pages VALUES (1, 1, 'http://a.test/', 0, NULL, 'done', NULL,"
    " 200, 'text/html', 42, '2023-11-14T22:13:20.000000Z',"
    " '2023-11-14T22:13:21.000000Z');"
    "INSERT INTO pages VALUES (2, 1, 'http://a.test/b', 1, 1, 'queued', NULL,"
    " NULL, NULL, NULL, '2023-11-14T22:13:21.000000Z', NULL);"
    "INSERT INTO links VALUES (1, 2, 'a');";

/* Count the pages a walk sees. */
static int
count_page(void *arg, int64_t id, const char *url, int depth,
    enum page_state state, bool fetched)
{
	(void)id;
	(void)url;
	(void)depth;
	(void)state;
	(void)fetched;
	(*(int *)arg)++;
	return 0;
}

/*
 * Migration from version 1: read-only (export) refuses it with a message
 * saying how to upgrade and leaves it alone; opened for a crawl it becomes
 * the current version with every row kept, attempts 0 for the old pages,
 * and the store works on it (resume walk, new rows, results with attempts).
 */
static void
test_migrate_v1(void)
{
	struct tmpdb t;
	struct store *st = NULL;
	sqlite3 *db = NULL;
	struct store_result res = {.id = 2,
	    .state = PAGE_DONE,
	    .status = 200,
	    .fetched_us = T0 + 5000000,
	    .attempts = 3};
	char err[256], text[64];
	int walked = 0;

	REQUIRE(tmpdb_init(&t, "store"));
	REQUIRE(sqlite3_open(t.path, &db) == SQLITE_OK);
	REQUIRE(sqlite3_exec(db, v1_database, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);

	CHECK(store_open(t.path, STORE_F_READONLY, &st, err, sizeof(err)) ==
	    CW_ESTORE);
	CHECK(strstr(err, "schema too old") != NULL);
	CHECK_INT(tmpdb_peek_int(t.path, "PRAGMA user_version"), 1);

	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	CHECK_INT(tmpdb_peek_int(t.path, "PRAGMA user_version"),
	    STORE_SCHEMA_VERSION);
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT count(*) FROM pages"), 2);
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT count(*) FROM links"), 1);
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT sum(attempts) FROM pages"), 0);
	CHECK(peek_text(t.path,
	    "SELECT state || ' ' || status || ' ' || bytes "
	    "FROM pages WHERE id = 1",
	    text, sizeof(text)));
	CHECK_STR(text, "done 200 42");
	CHECK(store_walk_pages(st, 1, count_page, &walked) == CW_OK);
	CHECK_INT(walked, 2);
	CHECK(
	    put_page(st, 3, 1, 2, "http://a.test/c", 2, T0 + 6000000) == CW_OK);
	CHECK(store_page_finish(st, &res) == CW_OK);
	CHECK(store_flush(st) == CW_OK);
	store_close(st);
	CHECK_INT(
	    tmpdb_peek_int(t.path, "SELECT attempts FROM pages WHERE id = 2"),
	    3);
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT count(*) FROM pages"), 3);
	CHECK(peek_text(t.path, "PRAGMA integrity_check", text, sizeof(text)));
	CHECK_STR(text, "ok");
	/* Now export may read it. */
	st = tmpdb_open(t.path, STORE_F_READONLY);
	CHECK(st != NULL);
	store_close(st);
	tmpdb_cleanup(&t);
}

/* A database from a newer crawld (user_version 99) is refused. */
static void
test_newer_schema_refused(void)
{
	struct tmpdb t;
	struct store *st = NULL;
	sqlite3 *db = NULL;
	char err[256];

	REQUIRE(tmpdb_init(&t, "store"));
	REQUIRE(sqlite3_open(t.path, &db) == SQLITE_OK);
	REQUIRE(sqlite3_exec(db,
		    "CREATE TABLE future(x); PRAGMA user_version = 99;", NULL,
		    NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(store_open(t.path, 0, &st, err, sizeof(err)) == CW_ESTORE);
	CHECK(st == NULL);
	CHECK(strstr(err, t.path) != NULL);
	CHECK(strstr(err, "version 99 is newer") != NULL);
	CHECK(store_open(t.path, STORE_F_READONLY, &st, err, sizeof(err)) ==
	    CW_ESTORE);
	CHECK(strstr(err, "version 99") != NULL);
	/* Untouched: still version 99, no tables of ours. */
	CHECK_INT(tmpdb_peek_int(t.path, "PRAGMA user_version"), 99);
	CHECK_INT(tmpdb_peek_int(t.path,
		      "SELECT COUNT(*) FROM sqlite_master WHERE "
		      "name = 'pages'"),
	    0);
	tmpdb_cleanup(&t);
}

/* A file that is not SQLite is refused with a message naming it. */
static void
test_not_a_database(void)
{
	static const unsigned modes[] = {0, STORE_F_READONLY};
	struct tmpdb t;
	struct store *st = NULL;
	char err[256];
	FILE *f;
	size_t i;

	REQUIRE(tmpdb_init(&t, "store"));
	f = fopen(t.path, "w");
	REQUIRE(f != NULL);
	for (i = 0; i < 64; i++)
		fputs("this is a text file, not an SQLite database\n", f);
	fclose(f);
	for (i = 0; i < CW_NELEM(modes); i++) {
		err[0] = '\0';
		CHECK(store_open(t.path, modes[i], &st, err, sizeof(err)) ==
		    CW_ESTORE);
		CHECK(st == NULL);
		CHECK(strncmp(err, t.path, strlen(t.path)) == 0);
		CHECK(strstr(err, "not a database") != NULL);
	}
	tmpdb_cleanup(&t);
}

/* Missing directories, directories and missing files (read-only). */
static void
test_bad_paths(void)
{
	struct tmpdb t;
	struct store *st = NULL;
	struct stat sb;
	char path[200], err[256];

	REQUIRE(tmpdb_init(&t, "store"));
	snprintf(path, sizeof(path), "%s/no/such/dir/crawl.db", t.dir);
	CHECK(store_open(path, 0, &st, err, sizeof(err)) == CW_EIO);
	CHECK(st == NULL);
	CHECK(strncmp(err, path, strlen(path)) == 0);
	CHECK(strstr(err, "No such file or directory") != NULL);

	CHECK(store_open(t.dir, 0, &st, err, sizeof(err)) == CW_EIO);
	CHECK(strncmp(err, t.dir, strlen(t.dir)) == 0);
	CHECK(strstr(err, "is a directory") != NULL);

	/* export must not create a missing database. */
	CHECK(store_open(t.path, STORE_F_READONLY, &st, err, sizeof(err)) ==
	    CW_EIO);
	CHECK(strstr(err, "no such database") != NULL);
	CHECK(strncmp(err, t.path, strlen(t.path)) == 0);
	CHECK(stat(t.path, &sb) != 0);

	CHECK(store_open("", 0, &st, err, sizeof(err)) == CW_EIO);
	CHECK(st == NULL);
	store_close(NULL); /* a no-op */
	tmpdb_cleanup(&t);
}

/* A read-only open of an empty file is not a crawld database. */
static void
test_readonly_empty_file(void)
{
	struct tmpdb t;
	struct store *st = NULL;
	char err[256];
	FILE *f;

	REQUIRE(tmpdb_init(&t, "store"));
	f = fopen(t.path, "w");
	REQUIRE(f != NULL);
	fclose(f);
	CHECK(store_open(t.path, STORE_F_READONLY, &st, err, sizeof(err)) ==
	    CW_ESTORE);
	CHECK(strstr(err, "not a crawld database") != NULL);
	tmpdb_cleanup(&t);
}

/* Per-connection hook: a tiny page limit makes the next growth FULL. */
static int
limit_pages(sqlite3 *db, char **errmsg, const sqlite3_api_routines *api)
{
	(void)errmsg;
	(void)api;
	return sqlite3_exec(db, "PRAGMA max_page_count = 12", NULL, NULL, NULL);
}

/*
 * SQLITE_FULL maps to CW_EFULL with a message; committed batches survive
 * and the file passes integrity_check afterwards.
 */
static void
test_full_database(void)
{
	char url[600], buf[64];
	struct tmpdb t;
	struct store *st;
	int64_t crawl = 0, id, n = 0;
	enum cw_rc rc = CW_OK;

	REQUIRE(tmpdb_init(&t, "store"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	REQUIRE(store_crawl_create(st, "[]", "{}", T0, &crawl) == CW_OK);
	REQUIRE(put_page(st, 1, crawl, 0, "http://a.test/", 0, T0) == CW_OK);
	REQUIRE(store_flush(st) == CW_OK);
	store_close(st);

	REQUIRE(
	    sqlite3_auto_extension((void (*)(void))limit_pages) == SQLITE_OK);
	st = tmpdb_open(t.path, 0);
	if (st == NULL)
		sqlite3_reset_auto_extension();
	REQUIRE(st != NULL);
	memset(url, 'x', sizeof(url) - 1);
	url[sizeof(url) - 1] = '\0';
	memcpy(url, "http://a.test/", 14);
	for (id = 2; id < 200 && rc == CW_OK; id++) {
		snprintf(url + 14, 8, "%05lld", (long long)id);
		url[19] = 'x';
		rc = put_page(st, id, crawl, 1, url, 1, T0);
	}
	CHECK(rc == CW_EFULL);
	CHECK(strstr(store_errmsg(st), "full") != NULL);
	/* Commits what the statement rollback kept, or finds nothing open. */
	rc = store_flush(st);
	CHECK(rc == CW_OK || rc == CW_EFULL);
	CHECK_INT(store_batch_rows(st), 0);
	store_close(st);
	sqlite3_reset_auto_extension();

	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	CHECK(store_count_pages(st, crawl, NULL, &n) == CW_OK);
	CHECK(n >= 1);
	store_close(st);
	CHECK(peek_text(t.path, "PRAGMA integrity_check", buf, sizeof(buf)));
	CHECK_STR(buf, "ok");
	tmpdb_cleanup(&t);
}

/* Fail page id at fetched_us with a reason. */
static enum cw_rc
fail_page(struct store *st, int64_t id, const char *reason, int64_t fetched_us)
{
	struct store_result res = {.id = id,
	    .state = PAGE_FAILED,
	    .reason = reason,
	    .bytes = -1,
	    .fetched_us = fetched_us};

	return store_page_finish(st, &res);
}

/*
 * last_failure is the page that failed last by its fetch time, not the
 * one discovered last: a page found early may fail late (retries). None
 * failed: empty strings. Another crawl's failures are not this one's.
 */
static void
test_last_failed(void)
{
	struct tmpdb t;
	struct store *st;
	int64_t a = 0, b = 0;
	char url[128], reason[64];

	REQUIRE(tmpdb_init(&t, "store"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	REQUIRE(store_crawl_create(st, "[]", "{}", T0, &a) == CW_OK);
	REQUIRE(store_crawl_create(st, "[]", "{}", T0, &b) == CW_OK);
	REQUIRE(put_page(st, 1, a, 0, "http://a.test/", 0, T0) == CW_OK);
	REQUIRE(put_page(st, 2, a, 1, "http://a.test/early", 1, T0) == CW_OK);
	REQUIRE(put_page(st, 3, a, 1, "http://a.test/late", 1, T0) == CW_OK);
	REQUIRE(put_page(st, 4, b, 0, "http://b.test/", 0, T0) == CW_OK);
	CHECK(store_crawl_last_failed(
		  st, a, url, sizeof(url), reason, sizeof(reason)) == CW_OK);
	CHECK_STR(url, "");
	CHECK_STR(reason, "");
	CHECK(finish_page(st, 1, 200, T0 + 1) == CW_OK);
	CHECK(fail_page(st, 2, "timeout", T0 + 90) == CW_OK);
	CHECK(fail_page(st, 3, "dns", T0 + 20) == CW_OK);
	CHECK(fail_page(st, 4, "refused", T0 + 200) == CW_OK);
	CHECK(store_crawl_last_failed(
		  st, a, url, sizeof(url), reason, sizeof(reason)) == CW_OK);
	CHECK_STR(url, "http://a.test/early");
	CHECK_STR(reason, "timeout");
	CHECK(store_crawl_last_failed(
		  st, b, url, sizeof(url), reason, sizeof(reason)) == CW_OK);
	CHECK_STR(url, "http://b.test/");
	store_close(st);
	tmpdb_cleanup(&t);
}

/* No statement run per page or per link walks a whole table. */
static void
test_explain_hot(void)
{
	struct tmpdb t;
	struct store *st;
	char detail[512];
	int scans = -1;

	REQUIRE(tmpdb_init(&t, "store"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	CHECK(store_explain_hot(st, &scans, detail, sizeof(detail)) == CW_OK);
	if (scans != 0)
		fprintf(stderr, "  scans: %s\n", detail);
	CHECK_INT(scans, 0);
	store_close(st);
	tmpdb_cleanup(&t);
}

/* The id store_crawl_latest() finds for seeds (-1 on error). */
static int64_t
latest_id(struct store *st, const char *seeds_json)
{
	struct store_crawl_info info;
	enum cw_rc rc = store_crawl_latest(st, seeds_json, &info);

	free(info.seeds_json);
	return rc == CW_OK ? info.id : -1;
}

/*
 * A crawl is found by its seeds as crawl_start() stores them today
 * (normalised), and also when an older crawld stored them as typed
 * (HTTP://B.test:80): compared normalised, the same command finds the
 * same crawl instead of starting another. The newest match wins; text
 * that is no list of URLs matches only itself.
 */
static void
test_latest_seeds(void)
{
	struct tmpdb t;
	struct store *st;
	int64_t id[5] = {0};

	REQUIRE(tmpdb_init(&t, "store"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	REQUIRE(store_crawl_create(
		    st, "[\"http://a.test/\"]", "{}", T0, &id[0]) == CW_OK);
	REQUIRE(store_crawl_create(st,
		    "[\"HTTP://B.test:80\",\"http://c.test/%7euser\"]", "{}",
		    T0, &id[1]) == CW_OK);
	REQUIRE(store_crawl_create(st, "[\"not a url\"]", "{}", T0, &id[2]) ==
	    CW_OK);
	REQUIRE(
	    store_crawl_create(st, "{\"x\": 1}", "{}", T0, &id[3]) == CW_OK);
	REQUIRE(store_crawl_create(
		    st, "[\"http://a.test\"]", "{}", T0, &id[4]) == CW_OK);
	REQUIRE(store_flush(st) == CW_OK);
	/* Stored normalised: the exact match, though crawl 5 is newer. */
	CHECK_INT(latest_id(st, "[\"http://a.test/\"]"), id[0]);
	CHECK_INT(latest_id(st, "[\"http://b.test/\",\"http://c.test/~user\"]"),
	    id[1]);
	/* The order of the seeds is part of the crawl. */
	CHECK_INT(
	    latest_id(st, "[\"http://c.test/~user\",\"http://b.test/\"]"), 0);
	CHECK_INT(latest_id(st, "[\"not a url\"]"), id[2]);
	CHECK_INT(latest_id(st, "[\"http://d.test/\"]"), 0);
	CHECK_INT(latest_id(st, NULL), id[4]);
	store_close(st);
	tmpdb_cleanup(&t);
}

static const struct test tests[] = {
    TEST(open_creates_schema),
    TEST(export_orders),
    TEST(links),
    TEST(page_depth),
    TEST(duplicate_url),
    TEST(invalid_arguments),
    TEST(finish_fields),
    TEST(count_pages),
    TEST(batch_visibility),
    TEST(reopen),
    TEST(latest_seeds),
    TEST(last_failed),
    TEST(newer_schema_refused),
    TEST(migrate_v1),
    TEST(not_a_database),
    TEST(bad_paths),
    TEST(readonly_empty_file),
    TEST(full_database),
    TEST(explain_hot),
    TEST(mirror_map),
    TEST(mirror_roots),
    TEST(migrate_v5_mirror),
};

TEST_MAIN(tests)
