/* SPDX-License-Identifier: MIT */
/*
 * it_multi.c - the engine as a library running two crawls at once on one
 * event base, one store and one frontier: both finish, each has its own
 * rows, and the per-host budget is shared (the server never sees more than
 * --per-host requests at once, whichever crawl sent them).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "crawld/web/links.h"
#include "crawld/base/log.h"
#include "harness.h"
#include "ithelp.h"
#include "testsrv.h"

/* A page that links to 20 pages of 50 ms each. */
static int
fan_gen(const char *path, struct testsrv_page *out, char *buf, size_t size,
    void *arg)
{
	size_t n = 0;
	int i;

	(void)arg;
	if (strcmp(path, "/") == 0) {
		for (i = 0; i < 20; i++)
			n += (size_t)snprintf(buf + n, size - n,
			    "<a href=\"/c/%d\">%d</a>", i, i);
		out->body = buf;
		return 1;
	}
	if (strncmp(path, "/c/", 3) != 0)
		return 0;
	out->body = "leaf";
	out->delay_ms = 50;
	return 1;
}

struct both {
	struct event_base *base;
	int finished;
};

/* Leave the loop when both crawls are done. */
static void
both_done(struct crawl *c, void *arg)
{
	struct both *b = arg;

	(void)c;
	if (++b->finished == 2)
		event_base_loopbreak(b->base);
}

/*
 * Run two crawls of seed on one engine and one store, with opts as
 * "name=value" strings; stop the first right after it started when
 * stop_first. Both must end (30 s deadline); their end reasons come back.
 */
static void
run_two_crawls(const char *db, const char *seed, const char *const *opts,
    bool stop_first, enum crawl_end *end1, enum crawl_end *end2)
{
	struct crawl_opts o;
	struct engine_config cfg;
	struct store *st = NULL;
	struct engine *e;
	struct crawl *c1 = NULL, *c2 = NULL;
	struct both b = {NULL, 0};
	struct timeval deadline = {30, 0};
	char err[256], name[64], *seeds[1] = {(char *)(uintptr_t)seed};
	const char *eq;

	*end1 = *end2 = CRAWL_END_RUNNING;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	links_global_init();
	log_init(LOG_LVL_QUIET);
	crawl_opts_init(&o);
	for (; *opts != NULL; opts++) {
		eq = strchr(*opts, '=');
		REQUIRE(eq != NULL && (size_t)(eq - *opts) < sizeof(name));
		snprintf(name, sizeof(name), "%.*s", (int)(eq - *opts), *opts);
		REQUIRE(crawl_opts_set(&o, name, eq + 1, err, sizeof(err)) ==
		    CW_OK);
	}
	REQUIRE(store_open(db, 0, &st, err, sizeof(err)) == CW_OK);
	b.base = event_base_new();
	engine_config_from_opts(&cfg, &o);
	e = engine_new(b.base, st, &cfg);
	REQUIRE(e != NULL);
	CHECK(crawl_start(e, &o, seeds, 1, both_done, &b, &c1, err,
		  sizeof(err)) == CW_OK);
	CHECK(crawl_start(e, &o, seeds, 1, both_done, &b, &c2, err,
		  sizeof(err)) == CW_OK);
	if (stop_first && c1 != NULL)
		crawl_stop(c1);
	event_base_loopexit(b.base, &deadline);
	event_base_dispatch(b.base);
	CHECK_INT(b.finished, 2);
	if (c1 != NULL)
		*end1 = crawl_end_reason(c1);
	if (c2 != NULL)
		*end2 = crawl_end_reason(c2);
	engine_free(e);
	event_base_free(b.base);
	store_close(st);
	crawl_opts_cleanup(&o);
}

/* Two crawls, one engine, one per-host budget. */
static void
test_two_crawls_share_host_budget(void)
{
	struct testsrv *s = testsrv_start_gen(fan_gen, NULL);
	const char *db = it_db_path("multi.db");
	const char *opts[] = {
	    "robots=false", "per-host=2", "concurrency=16", NULL};
	enum crawl_end end1, end2;
	char seed[128];

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	run_two_crawls(db, seed, opts, false, &end1, &end2);
	CHECK_INT(end1, CRAWL_END_DONE);
	CHECK_INT(end2, CRAWL_END_DONE);
	CHECK_INT(testsrv_total(s), 42);
	CHECK_INT(testsrv_max_in_flight(s), 2);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM crawls WHERE state='done'"), 2);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE crawl_id=1 AND "
		      "state='done'"),
	    21);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE crawl_id=2 AND "
		      "state='done'"),
	    21);
	/* Page ids are unique across the crawls of one database. */
	CHECK_INT(db_int(db, "SELECT count(DISTINCT id) FROM pages"), 42);
	testsrv_stop(s);
}

/* The site of fan_gen, with a robots.txt that takes 300 ms to come. */
static int
slow_robots_gen(const char *path, struct testsrv_page *out, char *buf,
    size_t size, void *arg)
{
	if (strcmp(path, "/robots.txt") == 0) {
		out->content_type = "text/plain";
		out->body = "User-agent: *\nDisallow: /private/\n";
		out->delay_ms = 300;
		return 1;
	}
	return fan_gen(path, out, buf, size, arg);
}

/*
 * Two crawls of one host with robots.txt on; the first is stopped while
 * the host's robots.txt is still on its way. The other must not be left
 * waiting for a gate nobody opens: it finishes, robots.txt was fetched
 * once for both.
 */
static void
test_stopped_crawl_leaves_no_gate(void)
{
	struct testsrv *s = testsrv_start_gen(slow_robots_gen, NULL);
	const char *db = it_db_path("gate.db");
	const char *opts[] = {NULL};
	enum crawl_end end1, end2;
	char seed[128];

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	run_two_crawls(db, seed, opts, true, &end1, &end2);
	CHECK_INT(end1, CRAWL_END_STOPPED);
	CHECK_INT(end2, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(s, "/robots.txt"), 1);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE crawl_id=2 AND "
		      "state='done'"),
	    21);
	testsrv_stop(s);
}

static const struct test tests[] = {
    TEST(two_crawls_share_host_budget),
    TEST(stopped_crawl_leaves_no_gate),
};

TEST_MAIN(tests)
