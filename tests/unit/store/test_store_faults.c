/* SPDX-License-Identifier: MIT */
/*
 * test_store_faults.c - the store's error paths that a real disk cannot be
 * made to take on demand: a COMMIT and then the ROLLBACK after it failing.
 * CMake links this test with -Wl,--wrap=sqlite3_step, so the store's steps
 * go through __wrap_sqlite3_step, which fails the statement named in
 * fail_sql (a number of times) and passes every other one on.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crawld/store/store.h"
#include "harness.h"

static const char *fail_sql[2]; /* statements to fail, NULL = none */

int __real_sqlite3_step(sqlite3_stmt *s);
int __wrap_sqlite3_step(sqlite3_stmt *s);

/* sqlite3_step(), failing the statements of fail_sql once each. */
int
__wrap_sqlite3_step(sqlite3_stmt *s)
{
	const char *sql = sqlite3_sql(s);
	size_t i;

	for (i = 0; i < CW_NELEM(fail_sql); i++)
		if (fail_sql[i] != NULL && sql != NULL &&
		    strcmp(sql, fail_sql[i]) == 0) {
			fail_sql[i] = NULL;
			return SQLITE_IOERR;
		}
	return __real_sqlite3_step(s);
}

/* A fresh database in a temp dir; the path is static. */
static struct store *
open_fresh(char *path, size_t size)
{
	char dir[64] = "/tmp/crawld-faults-XXXXXX", err[256];
	struct store *st = NULL;

	if (mkdtemp(dir) == NULL)
		return NULL;
	snprintf(path, size, "%s/f.db", dir);
	if (store_open(path, 0, &st, err, sizeof(err)) != CW_OK)
		fprintf(stderr, "  store_open: %s\n", err);
	return st;
}

/* A page row of crawl crawl_id. */
static enum cw_rc
put_page(struct store *st, int64_t crawl_id, int64_t id, const char *url)
{
	struct store_page pg;

	memset(&pg, 0, sizeof(pg));
	pg.id = id;
	pg.crawl_id = crawl_id;
	pg.url = url;
	pg.state = PAGE_QUEUED;
	pg.discovered_us = 1;
	return store_page_insert(st, &pg);
}

/* Remove the temp files of path. */
static void
remove_db(const char *path)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf \"$(dirname '%s')\"", path);
	if (system(cmd) != 0)
		fprintf(stderr, "  cannot remove %s\n", path);
}

/*
 * A COMMIT fails and so does the ROLLBACK after it: the transaction is
 * still open, so the store must refuse every later write (saying the
 * rollback failed) rather than let the next batch commit this one's rows.
 */
static void
test_failed_rollback_refuses_writes(void)
{
	char path[128];
	struct store *st = open_fresh(path, sizeof(path));
	int64_t crawl = 0, n = -1;

	REQUIRE(st != NULL);
	REQUIRE(store_crawl_create(st, "[]", "{}", 1, &crawl) == CW_OK);
	REQUIRE(store_flush(st) == CW_OK);
	CHECK(put_page(st, crawl, 1, "http://a.test/1") == CW_OK);
	fail_sql[0] = "COMMIT";
	fail_sql[1] = "ROLLBACK";
	CHECK(store_flush(st) != CW_OK);
	CHECK(strstr(store_errmsg(st), "commit") != NULL);
	CHECK(strstr(store_errmsg(st), "rollback failed") != NULL);
	/* No later write goes into the transaction left open. */
	CHECK(put_page(st, crawl, 2, "http://a.test/2") == CW_ESTORE);
	CHECK(strstr(store_errmsg(st), "rollback failed") != NULL);
	CHECK(store_flush(st) == CW_OK); /* nothing of its own to commit */
	CHECK(store_count_pages(st, crawl, NULL, &n) == CW_OK);
	CHECK_INT(n, 1); /* the open transaction's own view */
	store_close(st);
	/* Closing undid the open transaction: page 1 was never committed. */
	{
		char err[256];

		REQUIRE(store_open(path, 0, &st, err, sizeof(err)) == CW_OK);
		CHECK(store_count_pages(st, crawl, NULL, &n) == CW_OK);
		CHECK_INT(n, 0);
		store_close(st);
	}
	remove_db(path);
}

/* A failed COMMIT whose ROLLBACK works leaves a store that goes on. */
static void
test_failed_commit_then_writes_again(void)
{
	char path[128];
	struct store *st = open_fresh(path, sizeof(path));
	int64_t crawl = 0, n = -1;

	REQUIRE(st != NULL);
	REQUIRE(store_crawl_create(st, "[]", "{}", 1, &crawl) == CW_OK);
	REQUIRE(store_flush(st) == CW_OK);
	CHECK(put_page(st, crawl, 1, "http://a.test/1") == CW_OK);
	fail_sql[0] = "COMMIT";
	CHECK(store_flush(st) != CW_OK);
	CHECK(strstr(store_errmsg(st), "rollback failed") == NULL);
	CHECK(put_page(st, crawl, 2, "http://a.test/2") == CW_OK);
	CHECK(store_flush(st) == CW_OK);
	CHECK(store_count_pages(st, crawl, NULL, &n) == CW_OK);
	CHECK_INT(n, 1); /* page 2; page 1 went with its batch */
	store_close(st);
	remove_db(path);
}

/* store_rollback() drops the open batch: none of it is committed. */
static void
test_rollback_drops_batch(void)
{
	char path[128];
	struct store *st = open_fresh(path, sizeof(path));
	int64_t crawl = 0, n = -1;

	REQUIRE(st != NULL);
	REQUIRE(store_crawl_create(st, "[]", "{}", 1, &crawl) == CW_OK);
	REQUIRE(store_flush(st) == CW_OK);
	CHECK(put_page(st, crawl, 1, "http://a.test/1") == CW_OK);
	CHECK_INT(store_batch_rows(st), 1);
	store_rollback(st);
	CHECK_INT(store_batch_rows(st), 0);
	CHECK(store_flush(st) == CW_OK);
	CHECK(store_count_pages(st, crawl, NULL, &n) == CW_OK);
	CHECK_INT(n, 0);
	CHECK(put_page(st, crawl, 1, "http://a.test/1") == CW_OK);
	store_close(st);
	remove_db(path);
}

static const struct test tests[] = {
    TEST(failed_rollback_refuses_writes),
    TEST(failed_commit_then_writes_again),
    TEST(rollback_drops_batch),
};

TEST_MAIN(tests)
