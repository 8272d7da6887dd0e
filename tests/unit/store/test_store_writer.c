/* SPDX-License-Identifier: MIT */
/*
 * test_store_writer.c - the store's writer thread (store_writer_start):
 * the same calls make the same rows with and without it; a read on the
 * caller's thread sees every write queued before it; a queued write that
 * fails is reported by a later call and its whole batch is dropped, after
 * which the store works again. Each test uses its own mkdtemp() directory
 * and reads results back through an independent sqlite3 connection.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crawld/store/store.h"
#include "crawld/web/digest.h"
#include "harness.h"
#include "store/tmpdb.h"

#define T0 1700000000000000LL

/* Every row of a query as one text (columns '|', rows '\n'), malloc'd. */
static char *
dump(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	size_t len = 0, cap = 1 << 16;
	char *out = malloc(cap);
	int i, n;

	if (out == NULL)
		return NULL;
	out[0] = '\0';
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
		SQLITE_OK ||
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		free(out);
		out = NULL;
	}
	while (out != NULL && sqlite3_step(s) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(s); i++) {
			const unsigned char *t = sqlite3_column_text(s, i);
			const char *v = t != NULL ? (const char *)t : "NULL";

			if (len + strlen(v) + 2 >= cap) {
				char *bigger = realloc(out, cap * 2);

				if (bigger == NULL) {
					free(out);
					out = NULL;
					break;
				}
				out = bigger;
				cap *= 2;
			}
			n = snprintf(out + len, cap - len, "%s%c", v,
			    i + 1 < sqlite3_column_count(s) ? '|' : '\n');
			len += (size_t)n;
		}
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	return out;
}

/*
 * What a crawl writes: a crawl row, pages (some skipped with a reason),
 * each fetched and finished (done with a content type, or failed with a
 * reason, or left queued), links between them, a state change between
 * the queued writes, and two flushes. Every string and number the queue
 * carries is different per page, so a field lost or shifted shows.
 */
static enum cw_rc
write_crawl(struct store *st, int pages)
{
	char url[96], reason[64], ctype[64], etag[32], lm[48], hash[72];
	int64_t crawl = 0;
	enum cw_rc rc;
	int i;

	rc = store_crawl_create(st, "[\"http://h.test/\"]", "{}", T0, &crawl);
	for (i = 1; rc == CW_OK && i <= pages; i++) {
		struct store_page pg = {.id = i,
		    .crawl_id = crawl,
		    .parent_id = i > 1 ? i / 2 : 0,
		    .url = url,
		    .depth = i % 7,
		    .state = i % 11 == 0 ? PAGE_SKIPPED : PAGE_QUEUED,
		    .reason = i % 11 == 0 ? "depth" : NULL,
		    .discovered_us = T0 + i * 1001};

		snprintf(url, sizeof(url), "http://h.test/p/%d?q=%x", i, i * 7);
		rc = store_page_insert(st, &pg);
		if (rc == CW_OK && i > 1)
			rc = store_link_insert(st, i / 2, i,
			    (enum link_element)(i % 5),
			    (enum link_attr)(i % 3));
		if (i == pages / 2 && rc == CW_OK)
			rc = store_crawl_set_state(st, crawl, "paused", 0);
		if (i == pages / 3 && rc == CW_OK)
			rc = store_flush(st);
	}
	for (i = 1; rc == CW_OK && i <= pages; i++) {
		struct store_result res = {.id = i,
		    .state = i % 13 == 0 ? PAGE_FAILED : PAGE_DONE,
		    .reason = i % 13 == 0 ? reason : NULL,
		    .status = i % 13 == 0 ? 0 : 200 + i % 3,
		    .content_type = i % 13 == 0 ? NULL : ctype,
		    .bytes = i % 13 == 0 ? -1 : i * 31,
		    .fetched_us = T0 + i * 2003,
		    .attempts = 1 + i % 3,
		    .fetched = true,
		    .etag = i % 4 == 0 ? NULL : etag,
		    .last_modified = i % 5 == 0 ? NULL : lm,
		    .content_hash = i % 13 == 0 ? NULL : hash};

		if (i % 11 == 0 || i % 17 == 0)
			continue; /* skipped, or still queued */
		snprintf(reason, sizeof(reason), "timeout: %d ms", i);
		snprintf(ctype, sizeof(ctype), "text/html; v=%d", i);
		snprintf(etag, sizeof(etag), "\"e%d\"", i);
		snprintf(
		    lm, sizeof(lm), "Tue, 01 Dec 2026 %02d:00:00 GMT", i % 24);
		snprintf(hash, sizeof(hash), "%064x", i * 977);
		rc = store_page_fetching(st, i);
		if (rc == CW_OK && i % 19 != 0) /* 19: left 'fetching' */
			rc = store_page_finish(st, &res);
		if (rc == CW_OK && i % 3 == 0 && i + 1 <= pages)
			rc = store_link_insert(
			    st, i, i + 1, LINK_EL_A, LINK_ATTR_HREF);
		if (rc == CW_OK && i % 7 == 0 && i % 19 != 0) {
			/* A revisit answered 304: the page keeps its content.
			 */
			res.state = PAGE_DONE;
			res.status = 304;
			res.reason = NULL;
			res.not_modified = true;
			res.keep_content = true;
			res.fetched_us += 500;
			rc = store_page_fetching(st, i);
			if (rc == CW_OK)
				rc = store_page_finish(st, &res);
		}
	}
	if (rc == CW_OK)
		rc = store_crawl_set_state(st, crawl, "done", T0 + 9);
	if (rc == CW_OK)
		rc = store_flush(st);
	return rc;
}

#define DUMP_PAGES                                                             \
	"SELECT id, crawl_id, url, depth, parent_id, state, reason, status,"   \
	" content_type, bytes, discovered_at, fetched_at, attempts, etag,"     \
	" last_modified, content_hash, changed_at FROM pages ORDER BY id"
#define DUMP_FETCHES "SELECT * FROM fetches ORDER BY id"
#define DUMP_LINKS                                                             \
	"SELECT src_id, dst_id, element, attribute FROM links"                 \
	" ORDER BY src_id, dst_id"
#define DUMP_CRAWLS "SELECT id, seeds, options, state, finished_at FROM crawls"

/* The same calls make the same database with and without the writer. */
static void
test_same_rows(void)
{
	static const char *const sql[] = {
	    DUMP_PAGES, DUMP_LINKS, DUMP_CRAWLS, DUMP_FETCHES};
	struct tmpdb a, b;
	struct store *sa, *sb;
	size_t i;

	REQUIRE(tmpdb_init(&a, "storew") && tmpdb_init(&b, "storew"));
	sa = tmpdb_open(a.path, 0);
	sb = tmpdb_open(b.path, 0);
	REQUIRE(sa != NULL && sb != NULL);
	CHECK(store_writer_start(sb) == CW_OK);
	CHECK(store_writer_start(sb) == CW_OK); /* idempotent */
	CHECK(write_crawl(sa, 5000) == CW_OK);
	CHECK(write_crawl(sb, 5000) == CW_OK);
	store_close(sa);
	store_close(sb);
	CHECK_INT(tmpdb_peek_int(b.path, "SELECT count(*) FROM pages"), 5000);
	CHECK_INT(tmpdb_peek_int(b.path,
		      "SELECT count(*) FROM pages WHERE "
		      "state = 'fetching'"),
	    5000 / 19 - 5000 / (19 * 11) - 5000 / (19 * 17) +
		5000 / (19 * 11 * 17));
	for (i = 0; i < CW_NELEM(sql); i++) {
		char *da = dump(a.path, sql[i]), *db = dump(b.path, sql[i]);

		REQUIRE(da != NULL && db != NULL);
		CHECK(strlen(da) > 20);
		if (strcmp(da, db) != 0) {
			fprintf(
			    stderr, "  %s differs with the writer\n", sql[i]);
			harness_failures++;
		}
		free(da);
		free(db);
	}
	tmpdb_cleanup(&a);
	tmpdb_cleanup(&b);
}

/*
 * Runs of link rows (the writer gathers consecutive ones into multi-row
 * INSERTs of 64, 32, ..., 1 rows): runs of every length from 1 to 150,
 * with pairs repeated inside a run under another element (the first one
 * stays) and an attribute the store has no name for (NULL), make the
 * same rows as one INSERT each without the writer.
 */
static enum cw_rc
write_link_runs(struct store *st)
{
	int64_t crawl = 0;
	enum cw_rc rc;
	int i, k;

	rc = store_crawl_create(st, "[\"http://h.test/\"]", "{}", T0, &crawl);
	for (i = 1; rc == CW_OK && i <= 150; i++) {
		char url[64];
		struct store_page pg = {.id = i,
		    .crawl_id = crawl,
		    .url = url,
		    .state = PAGE_QUEUED,
		    .discovered_us = T0 + i};

		snprintf(url, sizeof(url), "http://h.test/%d", i);
		rc = store_page_insert(st, &pg);
		/* page i's run: i links, the pair (i, 1 + k % 97) repeats
		   past 97 with another element */
		for (k = 0; rc == CW_OK && k < i; k++)
			rc = store_link_insert(st, i, 1 + k % 97,
			    (enum link_element)((k / 97 + k) % 5),
			    (enum link_attr)(k % 13 == 12 ? 200 : k % 4));
	}
	if (rc == CW_OK)
		rc = store_flush(st);
	return rc;
}

static void
test_link_runs(void)
{
	struct tmpdb a, b;
	struct store *sa, *sb;
	char *da, *db;

	REQUIRE(tmpdb_init(&a, "storew") && tmpdb_init(&b, "storew"));
	sa = tmpdb_open(a.path, 0);
	sb = tmpdb_open(b.path, 0);
	REQUIRE(sa != NULL && sb != NULL);
	CHECK(store_writer_start(sb) == CW_OK);
	CHECK(write_link_runs(sa) == CW_OK);
	CHECK(write_link_runs(sb) == CW_OK);
	store_close(sa);
	store_close(sb);
	/* sum over i of min(i, 97) distinct pairs */
	CHECK_INT(tmpdb_peek_int(b.path, "SELECT count(*) FROM links"),
	    97 * 98 / 2 + (150 - 97) * 97);
	CHECK_INT(tmpdb_peek_int(b.path,
		      "SELECT count(*) FROM links WHERE attribute IS NULL"),
	    tmpdb_peek_int(
		a.path, "SELECT count(*) FROM links WHERE attribute IS NULL"));
	CHECK(tmpdb_peek_int(b.path,
		  "SELECT count(*) FROM links WHERE attribute IS NULL") > 0);
	/* the first of a repeated pair: k = 0 (a), not k = 97 (iframe) */
	CHECK_INT(tmpdb_peek_int(b.path,
		      "SELECT count(*) FROM links WHERE src_id = 150 AND"
		      " dst_id = 1 AND element = 'a' AND attribute = 'href'"),
	    1);
	da = dump(a.path, DUMP_LINKS);
	db = dump(b.path, DUMP_LINKS);
	REQUIRE(da != NULL && db != NULL);
	CHECK(strcmp(da, db) == 0);
	free(da);
	free(db);
	tmpdb_cleanup(&a);
	tmpdb_cleanup(&b);
}

/*
 * A read on the caller's thread sees every write queued before it,
 * without a flush: the last chunk, not full, is only handed over when a
 * read waits for the queue, so a read that did not wait would miss it.
 */
static void
test_reads_see_queued(void)
{
	int64_t counts[STORE_NSTATES], n = 0, crawl = 0;
	struct tmpdb t;
	struct store *st;
	char url[64];
	int i;

	REQUIRE(tmpdb_init(&t, "storew"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	REQUIRE(store_writer_start(st) == CW_OK);
	REQUIRE(store_crawl_create(st, "[]", "{}", T0, &crawl) == CW_OK);
	for (i = 1; i <= 333; i++) {
		struct store_page pg = {.id = i,
		    .crawl_id = crawl,
		    .url = url,
		    .state = PAGE_QUEUED,
		    .discovered_us = T0};

		snprintf(url, sizeof(url), "http://h.test/%d", i);
		CHECK(store_page_insert(st, &pg) == CW_OK);
		if (i % 3 == 0)
			CHECK(store_page_fetching(st, i) == CW_OK);
	}
	CHECK(store_crawl_counts(st, crawl, counts) == CW_OK);
	CHECK_INT(counts[PAGE_QUEUED], 222);
	CHECK_INT(counts[PAGE_FETCHING], 111);
	CHECK(store_count_pages(st, crawl, NULL, &n) == CW_OK);
	CHECK_INT(n, 333);
	CHECK(store_next_page_id(st, &n) == CW_OK);
	CHECK_INT(n, 334);
	CHECK(store_batch_rows(st) >= 333);
	CHECK(store_sync(st) == CW_OK);
	/* Nothing is committed before the flush; all of it after. */
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT count(*) FROM pages"), 0);
	CHECK(store_flush(st) == CW_OK);
	CHECK_INT(store_batch_rows(st), 0);
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT count(*) FROM pages"), 333);
	store_close(st);
	tmpdb_cleanup(&t);
}

/*
 * A queued write that fails (a second page with the same URL) is reported
 * by a later call, not by itself; the flush drops its whole batch, rows
 * before the failure included, and the store then writes again.
 */
static void
test_failure_drops_batch(void)
{
	struct tmpdb t;
	struct store *st;
	int64_t crawl = 0, n = -1;
	struct store_page pg = {.id = 1,
	    .url = "http://h.test/same",
	    .state = PAGE_QUEUED,
	    .discovered_us = T0};
	struct store_result res = {.id = 1,
	    .state = PAGE_DONE,
	    .status = 200,
	    .fetched_us = T0 + 1,
	    .fetched = true,
	    .body = "a body",
	    .body_len = 6};
	enum cw_rc rc;

	REQUIRE(tmpdb_init(&t, "storew"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	REQUIRE(store_crawl_create(st, "[]", "{}", T0, &crawl) == CW_OK);
	REQUIRE(store_flush(st) == CW_OK);
	REQUIRE(store_writer_start(st) == CW_OK);
	pg.crawl_id = crawl;
	CHECK(store_page_insert(st, &pg) == CW_OK);
	pg.id = 2; /* same (crawl, url): the UNIQUE constraint */
	CHECK(store_page_insert(st, &pg) == CW_OK);
	CHECK(store_link_insert(st, 1, 2, LINK_EL_A, LINK_ATTR_HREF) == CW_OK);
	/* Not run after the failure: its body copy goes with the batch
	   (the sanitizer build's leak check sees it otherwise). */
	CHECK(store_page_finish(st, &res) == CW_OK);
	rc = store_sync(st);
	CHECK(rc == CW_EINVAL);
	CHECK(strstr(store_errmsg(st), "UNIQUE") != NULL);
	/* Kept until the batch is dropped: a read refuses too. */
	CHECK(store_count_pages(st, crawl, NULL, &n) == CW_EINVAL);
	CHECK(store_flush(st) == CW_EINVAL);
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT count(*) FROM pages"), 0);
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT count(*) FROM links"), 0);
	/* The batch is gone; the store writes again. */
	pg.id = 3;
	CHECK(store_page_insert(st, &pg) == CW_OK);
	CHECK(store_flush(st) == CW_OK);
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT count(*) FROM pages"), 1);
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT id FROM pages"), 3);
	/* The same through store_rollback(), the engine's way. */
	pg.id = 4;
	CHECK(store_page_insert(st, &pg) == CW_OK); /* fails: id 3's url */
	CHECK(store_sync(st) == CW_EINVAL);
	store_rollback(st);
	CHECK(store_sync(st) == CW_OK);
	CHECK(store_count_pages(st, crawl, NULL, &n) == CW_OK);
	CHECK_INT(n, 1);
	store_close(st);
	tmpdb_cleanup(&t);
}

/* Collects the ids store_load_queued() hands over. */
struct loaded {
	int64_t ids[1024];
	size_t n;
	size_t nfetched; /* of them, rows fetched before */
	int64_t fetched[8];
};

static int
loaded_cb(void *arg, int64_t id, const char *url, int depth,
    enum page_state state, bool fetched)
{
	struct loaded *l = arg;

	(void)url;
	(void)depth;
	if (state != PAGE_QUEUED || l->n == CW_NELEM(l->ids))
		return -1;
	if (fetched && l->nfetched < CW_NELEM(l->fetched))
		l->fetched[l->nfetched++] = id;
	l->ids[l->n++] = id;
	return 0;
}

/* Ids from..to (inclusive) in order, nothing else. */
static bool
loaded_range(const struct loaded *l, int64_t from, int64_t to)
{
	size_t i;

	if (l->n != (size_t)(to - from + 1))
		return false;
	for (i = 0; i < l->n; i++)
		if (l->ids[i] != from + (int64_t)i)
			return false;
	return true;
}

/*
 * The spilled frontier's refill (store_load_queued) with the writer: rows
 * committed come from the read connection, in id order, requeued rows
 * fetched before (fetched_at set) among them; rows still in the queue or
 * the open batch come when nothing committed is left, after a wait. Each
 * row once, none lost.
 */
static void
test_load_queued_committed_first(void)
{
	struct tmpdb t;
	struct store *st;
	struct loaded l;
	int64_t crawl = 0;
	char url[64];
	int i;

	REQUIRE(tmpdb_init(&t, "storew"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	REQUIRE(store_writer_start(st) == CW_OK);
	REQUIRE(store_crawl_create(st, "[]", "{}", T0, &crawl) == CW_OK);
	for (i = 1; i <= 400; i++) {
		struct store_page pg = {.id = i,
		    .crawl_id = crawl,
		    .url = url,
		    .state = PAGE_QUEUED,
		    .discovered_us = T0};

		snprintf(url, sizeof(url), "http://h.test/%d", i);
		CHECK(store_page_insert(st, &pg) == CW_OK);
		if (i == 300) {
			/* Two pages fetched once, then left 'fetching' by a
			   stop: the requeue makes them 'queued' again with
			   their fetched_at. */
			struct store_result res = {.state = PAGE_DONE,
			    .status = 200,
			    .fetched_us = T0 + 5,
			    .fetched = true};

			res.id = 50;
			CHECK(store_page_fetching(st, 50) == CW_OK);
			CHECK(store_page_finish(st, &res) == CW_OK);
			res.id = 120;
			CHECK(store_page_fetching(st, 120) == CW_OK);
			CHECK(store_page_finish(st, &res) == CW_OK);
			CHECK(store_page_fetching(st, 50) == CW_OK);
			CHECK(store_page_fetching(st, 120) == CW_OK);
			CHECK(store_crawl_requeue(st, crawl) == CW_OK);
			CHECK(store_flush(st) == CW_OK);
		}
	}
	CHECK_INT(tmpdb_peek_int(t.path,
		      "SELECT count(*) FROM pages"
		      " WHERE fetched_at IS NOT NULL"
		      " AND state = 'queued'"),
	    2);
	/* A limit ending just past a requeued row. */
	memset(&l, 0, sizeof(l));
	CHECK(store_load_queued(st, crawl, 1, 60, loaded_cb, &l) == CW_OK);
	CHECK(loaded_range(&l, 1, 60));
	/* the requeued row says it was fetched, the others that not */
	CHECK_INT(l.nfetched, 1);
	CHECK_INT(l.fetched[0], 50);
	/* The committed rest: 61..300, not the 100 still queued. */
	memset(&l, 0, sizeof(l));
	CHECK(store_load_queued(st, crawl, 61, 1000, loaded_cb, &l) == CW_OK);
	CHECK(loaded_range(&l, 61, 300));
	CHECK_INT(l.nfetched, 1);
	CHECK_INT(l.fetched[0], 120);
	/* Nothing committed from 301 on: the wait, then the open batch. */
	memset(&l, 0, sizeof(l));
	CHECK(store_load_queued(st, crawl, 301, 1000, loaded_cb, &l) == CW_OK);
	CHECK(loaded_range(&l, 301, 400));
	memset(&l, 0, sizeof(l));
	CHECK(store_load_queued(st, crawl, 401, 1000, loaded_cb, &l) == CW_OK);
	CHECK_INT(l.n, 0);
	store_close(st);
	tmpdb_cleanup(&t);
}

/*
 * A row made 'queued' again (store_page_depth's requeue) after rows with
 * larger ids were committed: a read of committed rows hands over those
 * and steps past it; store_load_queued_latest() sees the open batch.
 */
static void
test_load_queued_latest(void)
{
	struct store_result res = {.id = 3,
	    .state = PAGE_DONE,
	    .status = 200,
	    .fetched_us = T0 + 5,
	    .fetched = true};
	struct tmpdb t;
	struct store *st;
	struct loaded l;
	int64_t crawl = 0;
	char url[64];
	int i;

	REQUIRE(tmpdb_init(&t, "storew"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	REQUIRE(store_writer_start(st) == CW_OK);
	REQUIRE(store_crawl_create(st, "[]", "{}", T0, &crawl) == CW_OK);
	for (i = 1; i <= 10; i++) {
		struct store_page pg = {.id = i,
		    .crawl_id = crawl,
		    .url = url,
		    .state = PAGE_QUEUED,
		    .discovered_us = T0};

		snprintf(url, sizeof(url), "http://h.test/%d", i);
		CHECK(store_page_insert(st, &pg) == CW_OK);
	}
	CHECK(store_page_fetching(st, 3) == CW_OK);
	CHECK(store_page_finish(st, &res) == CW_OK);
	CHECK(store_flush(st) == CW_OK);
	/* a shorter path: id 3 is to be fetched again, in the open batch */
	CHECK(store_page_depth(st, 3, 1, true) == CW_OK);
	memset(&l, 0, sizeof(l));
	CHECK(store_load_queued(st, crawl, 2, 100, loaded_cb, &l) == CW_OK);
	CHECK_INT(l.n, 8); /* 2, 4..10: not 3 */
	CHECK(l.n > 1 && l.ids[0] == 2 && l.ids[1] == 4);
	memset(&l, 0, sizeof(l));
	CHECK(store_load_queued_latest(st, crawl, 2, 100, loaded_cb, &l) ==
	    CW_OK);
	CHECK(loaded_range(&l, 2, 10));
	store_close(st);
	tmpdb_cleanup(&t);
}

/* store_flush_async(): the COMMIT runs on the writer after the writes
   before it (committed once the queue has run, not before the call);
   without the writer it is store_flush(). A failed write before it
   drops the batch, and the failure comes back from a later call. */
static void
test_flush_async(void)
{
	struct store_page pg = {.id = 1,
	    .url = "http://h.test/a",
	    .state = PAGE_QUEUED,
	    .discovered_us = T0};
	struct tmpdb t;
	struct store *st;
	int64_t crawl = 0;

	REQUIRE(tmpdb_init(&t, "storew"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	REQUIRE(store_crawl_create(st, "[]", "{}", T0, &crawl) == CW_OK);
	pg.crawl_id = crawl;
	CHECK(store_flush_async(st) == CW_OK); /* no writer: at once */
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT count(*) FROM crawls"), 1);
	REQUIRE(store_writer_start(st) == CW_OK);
	CHECK(store_page_insert(st, &pg) == CW_OK);
	CHECK(store_batch_rows(st) == 1);
	CHECK(store_flush_async(st) == CW_OK);
	CHECK_INT(store_batch_rows(st), 0);
	CHECK(store_sync(st) == CW_OK);
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT count(*) FROM pages"), 1);
	/* A failing write (same URL), then the async commit. */
	pg.id = 2;
	CHECK(store_page_insert(st, &pg) == CW_OK);
	pg.id = 3;
	pg.url = "http://h.test/b";
	CHECK(store_page_insert(st, &pg) == CW_OK);
	CHECK(store_flush_async(st) == CW_OK);
	CHECK(store_sync(st) == CW_EINVAL);
	CHECK(store_flush(st) == CW_EINVAL);
	CHECK_INT(tmpdb_peek_int(t.path, "SELECT count(*) FROM pages"), 1);
	store_close(st);
	tmpdb_cleanup(&t);
}

/*
 * A body given instead of its hash (store_result.body) gets its SHA-256 in
 * the page and fetches rows, with and without the writer thread, and for
 * a body over the queue's STOREW_BODY_MAX (hashed by the caller). With
 * the writer the caller's buffer is overwritten as soon as the call
 * returns, as a worker slot reuses it for its next transfer: the hash must
 * still be that of the body given (the queue hashes its own copy).
 */
static void
test_body_hashed(void)
{
	/* FIPS 180-2 "abc" */
	static const char abc_sha[] =
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	size_t big_len = (3u << 20) + 5, i;
	char *big = malloc(big_len), big_sha[DIGEST_SHA256_HEX], buf[8];
	char want[4 * DIGEST_SHA256_HEX + 8], *got;
	int writer;

	REQUIRE(big != NULL);
	for (i = 0; i < big_len; i++)
		big[i] = (char)(i * 131 % 251);
	REQUIRE(digest_sha256_hex(big, big_len, big_sha) == CW_OK);
	for (writer = 0; writer <= 1; writer++) {
		struct tmpdb t;
		struct store *st;
		int64_t crawl = 0;
		struct store_page pg = {
		    .state = PAGE_QUEUED, .discovered_us = T0};
		struct store_result res = {.state = PAGE_DONE,
		    .status = 200,
		    .fetched_us = T0 + 5,
		    .attempts = 1,
		    .fetched = true};
		char url[32];
		int id;

		REQUIRE(tmpdb_init(&t, "storew"));
		st = tmpdb_open(t.path, 0);
		REQUIRE(st != NULL);
		REQUIRE(
		    store_crawl_create(st, "[]", "{}", T0, &crawl) == CW_OK);
		if (writer)
			REQUIRE(store_writer_start(st) == CW_OK);
		for (id = 1; id <= 3; id++) {
			snprintf(url, sizeof(url), "http://h.test/%d", id);
			pg.id = id;
			pg.crawl_id = crawl;
			pg.url = url;
			CHECK(store_page_insert(st, &pg) == CW_OK);
			CHECK(store_page_fetching(st, id) == CW_OK);
		}
		res.id = 1;
		memcpy(buf, "abc", 3);
		res.body = buf;
		res.body_len = 3;
		CHECK(store_page_finish(st, &res) == CW_OK);
		memcpy(buf, "xyz", 3); /* the slot's next transfer */
		res.id = 2;
		res.body = big;
		res.body_len = big_len;
		CHECK(store_page_finish(st, &res) == CW_OK);
		res.id = 3; /* a hash given wins over a body */
		res.content_hash = abc_sha;
		res.body = "not this";
		res.body_len = 8;
		CHECK(store_page_finish(st, &res) == CW_OK);
		CHECK(store_flush(st) == CW_OK);
		snprintf(want, sizeof(want), "1|%s\n2|%s\n3|%s\n", abc_sha,
		    big_sha, abc_sha);
		got = dump(
		    t.path, "SELECT id, content_hash FROM pages ORDER BY id");
		CHECK_STR(got, want);
		free(got);
		got = dump(t.path,
		    "SELECT page_id, content_hash FROM fetches ORDER BY "
		    "page_id");
		CHECK_STR(got, want);
		free(got);
		store_close(st);
		tmpdb_cleanup(&t);
	}
	free(big);
}

/* The writes ran on the writer thread: its CPU clock moved. */
static void
test_writer_cpu(void)
{
	struct tmpdb t;
	struct store *st;
	double s = -1;

	REQUIRE(tmpdb_init(&t, "storew"));
	st = tmpdb_open(t.path, 0);
	REQUIRE(st != NULL);
	CHECK(!store_writer_cpu(st, &s));
	CHECK(s == 0);
	REQUIRE(store_writer_start(st) == CW_OK);
	CHECK(write_crawl(st, 20000) == CW_OK);
	CHECK(store_writer_cpu(st, &s));
	/* 20,000 pages and their links: far more than a thread waiting. */
	CHECK(s > 0.01);
	store_close(st);
	tmpdb_cleanup(&t);
}

static const struct test tests[] = {
    TEST(same_rows),
    TEST(link_runs),
    TEST(reads_see_queued),
    TEST(failure_drops_batch),
    TEST(writer_cpu),
    TEST(load_queued_committed_first),
    TEST(load_queued_latest),
    TEST(flush_async),
    TEST(body_hashed),
};

TEST_MAIN(tests)
