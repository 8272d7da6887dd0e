/* SPDX-License-Identifier: MIT */
/*
 * it_stopstate.c - the state a stopped crawl's row ends in: 'cancelled'
 * after crawl_stop(), the owner's own after crawl_stop_as() (the daemon's
 * pause and shutdown), already committed when the done callback runs, so
 * no crash between the engine's commit and the owner's finds the row
 * 'cancelled'. Read from another connection inside the callback.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "crawld/base/log.h"
#include "crawld/web/links.h"
#include "harness.h"
#include "ithelp.h"
#include "testsrv.h"

/* A page linking to 10 slow ones. */
static int
fan_gen(const char *path, struct testsrv_page *out, char *buf, size_t size,
    void *arg)
{
	size_t n = 0;
	int i;

	(void)arg;
	if (strcmp(path, "/") == 0) {
		for (i = 0; i < 10; i++)
			n += (size_t)snprintf(buf + n, size - n,
			    "<a href=\"/c/%d\">%d</a>", i, i);
		out->body = buf;
		return 1;
	}
	if (strncmp(path, "/c/", 3) != 0)
		return 0;
	out->body = "leaf";
	out->delay_ms = 100;
	return 1;
}

struct seen {
	struct event_base *base;
	const char *db;
	char state[32];	     /* the row's committed state in the callback */
	long long fetching;  /* its 'fetching' rows then */
	struct crawl *crawl; /* to stop from the timer */
	const char *first, *second; /* crawl_stop_as() states */
};

/* The done callback: what another reader sees committed now. */
static void
seen_done(struct crawl *c, void *arg)
{
	struct seen *s = arg;
	struct crawl_stats st;

	crawl_get_stats(c, &st);
	db_text(s->db, s->state, sizeof(s->state),
	    "SELECT state FROM crawls WHERE id = %lld", (long long)st.crawl_id);
	s->fetching = db_int(s->db,
	    "SELECT COUNT(*) FROM pages WHERE crawl_id = %lld AND state = "
	    "'fetching'",
	    (long long)st.crawl_id);
	event_base_loopbreak(s->base);
}

/* 150 ms in (the fan's pages in flight): stop, maybe twice. */
static void
stop_later(evutil_socket_t fd, short what, void *arg)
{
	struct seen *s = arg;

	(void)fd;
	(void)what;
	if (s->first == NULL) {
		crawl_stop(s->crawl);
		return;
	}
	crawl_stop_as(s->crawl, s->first);
	if (s->second != NULL)
		crawl_stop_as(s->crawl, s->second);
}

/* Crawl the fan, stopped mid-way as s says; s->state gets the row's. */
static void
run_stopped(const char *db, struct seen *s)
{
	struct testsrv *srv = testsrv_start_gen(fan_gen, NULL);
	struct crawl_opts o;
	struct engine_config cfg;
	struct store *st = NULL;
	struct engine *e;
	struct event *t;
	struct timeval at = {0, 150000}, deadline = {30, 0};
	char err[256], seed[128], *seeds[1] = {seed};

	REQUIRE(srv != NULL);
	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(srv));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	links_global_init();
	log_init(LOG_LVL_QUIET);
	crawl_opts_init(&o);
	REQUIRE(
	    crawl_opts_set(&o, "robots", "false", err, sizeof(err)) == CW_OK);
	REQUIRE(store_open(db, 0, &st, err, sizeof(err)) == CW_OK);
	s->db = db;
	s->base = event_base_new();
	REQUIRE(s->base != NULL);
	engine_config_from_opts(&cfg, &o);
	e = engine_new(s->base, st, &cfg);
	REQUIRE(e != NULL);
	REQUIRE(crawl_start(e, &o, seeds, 1, seen_done, s, &s->crawl, err,
		    sizeof(err)) == CW_OK);
	t = evtimer_new(s->base, stop_later, s);
	REQUIRE(t != NULL && evtimer_add(t, &at) == 0);
	event_base_loopexit(s->base, &deadline);
	event_base_dispatch(s->base);
	CHECK_INT(crawl_end_reason(s->crawl), CRAWL_END_STOPPED);
	event_free(t);
	crawl_free(s->crawl);
	engine_free(e);
	event_base_free(s->base);
	store_close(st);
	crawl_opts_cleanup(&o);
	testsrv_stop(srv);
}

/* crawl_stop(): 'cancelled', its fetching rows requeued. */
static void
test_stop_is_cancelled(void)
{
	struct seen s;

	memset(&s, 0, sizeof(s));
	run_stopped(it_db_path("stop.db"), &s);
	CHECK_STR(s.state, "cancelled");
	CHECK_INT(s.fetching, 0);
}

/* crawl_stop_as("paused"): the row is 'paused' when the owner hears of
   the end, never 'cancelled' first. */
static void
test_stop_as_paused(void)
{
	struct seen s;

	memset(&s, 0, sizeof(s));
	s.first = "paused";
	run_stopped(it_db_path("paused.db"), &s);
	CHECK_STR(s.state, "paused");
	CHECK_INT(s.fetching, 0);
}

/* A later crawl_stop_as() wins (a resume asked for while pausing). */
static void
test_stop_as_later_wins(void)
{
	struct seen s;

	memset(&s, 0, sizeof(s));
	s.first = "paused";
	s.second = "running";
	run_stopped(it_db_path("later.db"), &s);
	CHECK_STR(s.state, "running");
}

static const struct test tests[] = {
    TEST(stop_is_cancelled),
    TEST(stop_as_paused),
    TEST(stop_as_later_wins),
};

TEST_MAIN(tests)
