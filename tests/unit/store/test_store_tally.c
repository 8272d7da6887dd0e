/* SPDX-License-Identifier: MIT */
/*
 * test_store_tally.c - live counts (store_crawl_track): the tally module
 * alone, then a tracked crawl's counts against a GROUP BY of the same
 * connection after every kind of write that moves a page between states,
 * with and without the writer thread, a second crawl's writes interleaved;
 * a dropped batch makes the counts unknown until tracked again.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "crawld/store/store.h"
#include "crawld/store/tally.h"
#include "harness.h"
#include "store/tmpdb.h"

#define T0 1700000000000000LL

static void
test_tally_module(void)
{
	struct tally *t = tally_new();
	int64_t c[TALLY_NSTATES], base[TALLY_NSTATES] = {3, 0, 1, 0, 2};
	int i;

	REQUIRE(t != NULL);
	CHECK(!tally_get(t, 7, c)); /* never asked for */
	CHECK(tally_want(t, 7));
	CHECK(!tally_want(t, 7));   /* asked already: no second base count */
	CHECK(!tally_get(t, 7, c)); /* asked, base not run */
	tally_move(t, 7, 0, 1);	    /* before the base: in it already */
	tally_set(t, 7, base);
	REQUIRE(tally_get(t, 7, c));
	CHECK(memcmp(c, base, sizeof(c)) == 0);
	tally_move(t, 7, 0, 1);	 /* queued -> fetching */
	tally_move(t, 7, 1, 2);	 /* fetching -> done */
	tally_move(t, 7, -1, 4); /* a new skipped row */
	tally_move(t, 7, 2, -1); /* a row deleted */
	tally_move(t, 8, -1, 0); /* another crawl: not tallied */
	tally_move(t, 7, 9, 77); /* unknown states: ignored */
	REQUIRE(tally_get(t, 7, c));
	CHECK(c[0] == 2 && c[1] == 0 && c[2] == 1 && c[3] == 0 && c[4] == 3);
	CHECK(!tally_get(t, 8, c));
	tally_set(t, 8, base); /* not wanted: left alone */
	CHECK(!tally_get(t, 8, c));
	CHECK(tally_want(t, 8));
	tally_set(t, 8, base);
	tally_forget(t, 7);
	CHECK(!tally_get(t, 7, c));
	CHECK(tally_get(t, 8, c) && c[0] == 3);
	tally_forget_all(t);
	CHECK(!tally_get(t, 8, c));
	CHECK(tally_want(t, 8)); /* asked for again after forget_all */
	for (i = 0; i < TALLY_MAX + 10; i++)
		(void)tally_want(t, 1000 + i);
	CHECK(!tally_want(t, 999999)); /* the table is full */
	tally_forget_all(t);
	tally_disable(t);
	CHECK(!tally_want(t, 7)); /* off for good */
	CHECK(!tally_get(t, 8, c));
	tally_free(t);
	tally_free(NULL);
}

/* The live counts equal a GROUP BY of the connection (after a sync). */
static bool
live_matches(struct store *st, int64_t crawl)
{
	int64_t live[STORE_NSTATES], counted[STORE_NSTATES];
	size_t i;

	if (store_sync(st) != CW_OK ||
	    store_crawl_counts(st, crawl, counted) != CW_OK) {
		fprintf(stderr, "  counting failed: %s\n", store_errmsg(st));
		return false;
	}
	if (!store_crawl_counts_live(st, crawl, live)) {
		fprintf(
		    stderr, "  crawl %lld: no live counts\n", (long long)crawl);
		return false;
	}
	for (i = 0; i < STORE_NSTATES; i++)
		if (live[i] != counted[i]) {
			fprintf(stderr,
			    "  crawl %lld %s: live %lld, counted %lld\n",
			    (long long)crawl, page_state_name(i),
			    (long long)live[i], (long long)counted[i]);
			return false;
		}
	return true;
}

static enum cw_rc
put_page(struct store *st, int64_t crawl, int64_t id, enum page_state s)
{
	char url[64];
	struct store_page pg = {.id = id,
	    .crawl_id = crawl,
	    .url = url,
	    .depth = (int)(id % 5),
	    .state = s,
	    .reason = s == PAGE_SKIPPED ? "depth" : NULL,
	    .discovered_us = T0 + id};

	snprintf(url, sizeof(url), "http://h%lld.test/%lld", (long long)crawl,
	    (long long)id);
	return store_page_insert(st, &pg);
}

static enum cw_rc
fetch_page(struct store *st, int64_t id, enum page_state outcome, int status)
{
	struct store_result res = {.id = id,
	    .state = outcome,
	    .reason = outcome == PAGE_FAILED ? "timeout" : NULL,
	    .status = status,
	    .bytes = outcome == PAGE_DONE ? 100 : -1,
	    .fetched_us = T0 + 1000 + id,
	    .attempts = 1,
	    .fetched = outcome != PAGE_SKIPPED,
	    .not_modified = status == 304,
	    .keep_content = status == 304};
	enum cw_rc rc = store_page_fetching(st, id);

	return rc == CW_OK ? store_page_finish(st, &res) : rc;
}

/*
 * Crawl a (tracked) and crawl b (not) write interleaved; a's counts are
 * compared after each step. Tracking starts after a's first rows, so the
 * base count must take them and the moves only what follows.
 */
static void
check_tracked_crawl(bool writer)
{
	struct tmpdb db;
	struct store *st;
	int64_t a = 0, b = 0, id;
	int64_t c[STORE_NSTATES];

	REQUIRE(tmpdb_init(&db, "tally"));
	st = tmpdb_open(db.path, 0);
	REQUIRE(st != NULL);
	if (writer)
		REQUIRE(store_writer_start(st) == CW_OK);
	REQUIRE(store_crawl_create(st, "[\"a\"]", "{}", T0, &a) == CW_OK);
	REQUIRE(store_crawl_create(st, "[\"b\"]", "{}", T0, &b) == CW_OK);
	for (id = 1; id <= 10; id++)
		REQUIRE(put_page(st, a, id, PAGE_QUEUED) == CW_OK);
	REQUIRE(fetch_page(st, 1, PAGE_DONE, 200) == CW_OK);
	REQUIRE(store_crawl_track(st, a) == CW_OK);
	REQUIRE(store_crawl_track(st, a) == CW_OK); /* again: a no-op */
	CHECK(live_matches(st, a));
	for (id = 11; id <= 40; id++) { /* b's rows between a's */
		REQUIRE(put_page(st, id % 2 ? a : b, id,
			    id % 3 ? PAGE_QUEUED : PAGE_SKIPPED) == CW_OK);
	}
	CHECK(live_matches(st, a));
	REQUIRE(fetch_page(st, 2, PAGE_DONE, 200) == CW_OK);
	REQUIRE(fetch_page(st, 3, PAGE_FAILED, 0) == CW_OK);
	REQUIRE(fetch_page(st, 12, PAGE_DONE, 404) == CW_OK); /* b's */
	REQUIRE(store_page_fetching(st, 4) == CW_OK); /* left in flight */
	REQUIRE(store_page_fetching(st, 5) == CW_OK);
	CHECK(live_matches(st, a));
	REQUIRE(fetch_page(st, 1, PAGE_DONE, 304) == CW_OK); /* revisit */
	REQUIRE(store_page_depth(st, 15, 0, true) == CW_OK); /* skipped */
	REQUIRE(store_page_depth(st, 2, 0, true) == CW_OK);  /* done */
	REQUIRE(store_page_depth(st, 6, 0, false) == CW_OK); /* no move */
	CHECK(live_matches(st, a));
	REQUIRE(store_flush(st) == CW_OK);
	REQUIRE(store_crawl_requeue(st, a) == CW_OK); /* 4, 5 -> queued */
	CHECK(live_matches(st, a));
	REQUIRE(store_crawl_counts_live(st, a, c));
	CHECK(c[PAGE_FETCHING] == 0);
	CHECK(c[PAGE_DONE] == 1 && c[PAGE_FAILED] == 1);
	CHECK(!store_crawl_counts_live(st, b, c)); /* never tracked */
	store_crawl_untrack(st, a);
	CHECK(!store_crawl_counts_live(st, a, c));
	/* Tracked again: a new base count, right at once after a sync. */
	REQUIRE(store_crawl_track(st, a) == CW_OK);
	REQUIRE(fetch_page(st, 4, PAGE_DONE, 200) == CW_OK);
	CHECK(live_matches(st, a));
	REQUIRE(store_flush(st) == CW_OK);
	store_close(st);
	tmpdb_cleanup(&db);
}

static void
test_tracked_inline(void)
{
	check_tracked_crawl(false);
}

static void
test_tracked_writer(void)
{
	check_tracked_crawl(true);
}

/* A dropped batch undoes rows that were tallied: the counts are unknown
   until tracked again, then right. */
static void
test_dropped_batch(void)
{
	struct tmpdb db;
	struct store *st;
	int64_t a = 0, id;
	int64_t c[STORE_NSTATES];

	REQUIRE(tmpdb_init(&db, "tally-drop"));
	st = tmpdb_open(db.path, 0);
	REQUIRE(st != NULL);
	REQUIRE(store_writer_start(st) == CW_OK);
	REQUIRE(store_crawl_create(st, "[\"a\"]", "{}", T0, &a) == CW_OK);
	REQUIRE(store_crawl_track(st, a) == CW_OK);
	for (id = 1; id <= 5; id++)
		REQUIRE(put_page(st, a, id, PAGE_QUEUED) == CW_OK);
	REQUIRE(store_flush(st) == CW_OK);
	CHECK(live_matches(st, a));
	for (id = 6; id <= 9; id++)
		REQUIRE(put_page(st, a, id, PAGE_QUEUED) == CW_OK);
	REQUIRE(store_sync(st) == CW_OK);
	REQUIRE(store_crawl_counts_live(st, a, c) && c[PAGE_QUEUED] == 9);
	store_rollback(st); /* rows 6-9 are gone */
	CHECK(!store_crawl_counts_live(st, a, c));
	REQUIRE(store_crawl_track(st, a) == CW_OK);
	CHECK(live_matches(st, a));
	REQUIRE(store_crawl_counts_live(st, a, c));
	CHECK(c[PAGE_QUEUED] == 5);
	store_close(st);
	tmpdb_cleanup(&db);
}

/* A read-only store tracks nothing. */
static void
test_readonly(void)
{
	struct tmpdb db;
	struct store *st;
	int64_t a = 0, c[STORE_NSTATES];

	REQUIRE(tmpdb_init(&db, "tally-ro"));
	st = tmpdb_open(db.path, 0);
	REQUIRE(st != NULL);
	REQUIRE(store_crawl_create(st, "[\"a\"]", "{}", T0, &a) == CW_OK);
	REQUIRE(store_flush(st) == CW_OK);
	store_close(st);
	st = tmpdb_open(db.path, STORE_F_READONLY);
	REQUIRE(st != NULL);
	CHECK(store_crawl_track(st, a) == CW_EINVAL);
	CHECK(!store_crawl_counts_live(st, a, c));
	store_close(st);
	tmpdb_cleanup(&db);
}

static const struct test tests[] = {
    TEST(tally_module),
    TEST(tracked_inline),
    TEST(tracked_writer),
    TEST(dropped_batch),
    TEST(readonly),
};

TEST_MAIN(tests)
