/* SPDX-License-Identifier: MIT */
/*
 * it_depth.c - --depth is the shortest path found: a page first found by
 * a long path and later by a short one is crawled as if the short one had
 * come first (discover.c, "Shortest-path depth"). The order is forced
 * without timing: the short path's page is held by the server until the
 * long path's page is recorded (an observer releases it), and a page's
 * parse is held on its parse thread until the short path was taken
 * (parsepool_set_test_hook). The links counter is checked against the
 * links rows: a page fetched again must not count its links twice.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "ithelp.h"
#include "testsrv.h"
#include "crawld/engine/parsepool.h"

/* The server, and which held path the recording of which page releases
   (a URL ending in after[i] releases path[i]), up to two. */
struct release_on {
	struct testsrv *srv;
	const char *after[2];
	const char *path[2];
	unsigned released;
};

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static enum cw_rc
release_recorded(void *arg, struct crawl *c, const struct crawl_page_event *ev)
{
	struct release_on *r = arg;
	size_t i;

	(void)c;
	for (i = 0; i < CW_NELEM(r->after); i++) {
		if (r->after[i] != NULL && ends_with(ev->url, r->after[i])) {
			r->after[i] = NULL;
			r->released++;
			testsrv_release_path(r->srv, r->path[i]);
		}
	}
	return CW_OK;
}

/* Crawl srv's site with rel's paths held until their pages come. */
static void
crawl_held(struct testsrv *srv, const char *db, const char *depth,
    const char *edge, struct release_on *rel, struct it_result *r)
{
	const char *opts[] = {depth, edge, "robots=false", NULL};
	struct crawl_observer o = {
	    "release", 0, NULL, release_recorded, NULL, NULL, rel, NULL};
	unsigned n = 0;
	char seed[256];
	size_t i;

	rel->srv = srv;
	for (i = 0; i < CW_NELEM(rel->after); i++) {
		if (rel->after[i] != NULL) {
			testsrv_hold(srv, rel->path[i]);
			n++;
		}
	}
	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(srv));
	it_observer = &o;
	CHECK(it_crawl(db, seed, opts, r) == 0);
	it_observer = NULL;
	CHECK(!r->timed_out);
	CHECK_INT(r->end, CRAWL_END_DONE);
	CHECK_INT(rel->released, n);
	testsrv_release(srv); /* nothing is left held, whatever happened */
}

static long long
state_count(const char *db, const char *state)
{
	return db_int(
	    db, "SELECT count(*) FROM pages WHERE state = '%s'", state);
}

/*
 * --depth 2 --edge-links: / -> /slow, /a; /a -> /b -> /x; /slow -> /x;
 * /x -> /y. /x is 2 deep by /slow, 3 by /a/b, and /b's links come first
 * (a page at the limit is parsed for its edge links): /x is found too
 * deep and skipped, then within the limit. It must be fetched at depth 2
 * and /y, 3 deep, be its skipped edge link: the BFS page set.
 */
static void
test_skipped_then_shorter(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/slow\">s</a><a href=\"/a\">a</a>", NULL,
		0},
	    {"/slow", 0, NULL, "<a href=\"/x\">x</a>", NULL, 0},
	    {"/a", 0, NULL, "<a href=\"/b\">b</a>", NULL, 0},
	    {"/b", 0, NULL, "<a href=\"/x\">x</a>", NULL, 0},
	    {"/x", 0, NULL, "<a href=\"/y\">y</a>", NULL, 0},
	    {"/y", 0, NULL, "leaf", NULL, 0},
	};
	struct testsrv *srv = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("depth-skipped.db");
	struct it_result r;
	struct release_on rel = {NULL, {"/b", NULL}, {"/slow", NULL}, 0};

	REQUIRE(srv != NULL);
	crawl_held(srv, db, "depth=2", "edge-links=true", &rel, &r);
	CHECK_INT(testsrv_hits(srv, "/x"), 1);
	CHECK_INT(testsrv_hits(srv, "/y"), 0);
	CHECK_INT(db_int(db,
		      "SELECT depth = 3 AND reason = 'depth' FROM pages"
		      " WHERE url LIKE '%%/y' AND state = 'skipped'"),
	    1);
	CHECK_INT(
	    db_int(db, "SELECT depth FROM pages WHERE url LIKE '%%/x'"), 2);
	CHECK_INT(db_int(db,
		      "SELECT state = 'done' FROM pages WHERE url LIKE '%%/x'"),
	    1);
	CHECK_INT(state_count(db, "done"), 5);
	CHECK_INT(state_count(db, "skipped"), 1);
	/* the totals agree with the rows: /x skipped no more, /y is */
	CHECK_INT(r.stats.done, 5);
	CHECK_INT(r.stats.skipped, 1);
	testsrv_stop(srv);
}

/*
 * --depth 3: / -> /slow, /a; /a -> /b; /b and /slow -> an out-of-scope
 * URL. /b's links come first (/slow is held until /b is recorded): the
 * URL is skipped (scope) at depth 3, then found at 2 by /slow. Its row
 * says 2, the shortest path, as it would had /slow answered first.
 */
static void
test_final_then_shorter(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/slow\">s</a><a href=\"/a\">a</a>", NULL,
		0},
	    {"/slow", 0, NULL, "<a href=\"http://out.test/e\">e</a>", NULL, 0},
	    {"/a", 0, NULL, "<a href=\"/b\">b</a>", NULL, 0},
	    {"/b", 0, NULL, "<a href=\"http://out.test/e\">e</a>", NULL, 0},
	};
	struct testsrv *srv = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("depth-final.db");
	struct it_result r;
	struct release_on rel = {NULL, {"/b", NULL}, {"/slow", NULL}, 0};

	REQUIRE(srv != NULL);
	crawl_held(srv, db, "depth=3", "edge-links=false", &rel, &r);
	CHECK_INT(db_int(db,
		      "SELECT depth FROM pages WHERE url = 'http://out.test/e'"
		      " AND state = 'skipped' AND reason = 'scope'"),
	    2);
	CHECK_INT(state_count(db, "done"), 4);
	CHECK_INT(state_count(db, "skipped"), 1);
	CHECK_INT(r.stats.skipped, 1);
	testsrv_stop(srv);
}

/*
 * --depth 3: the same site one level deeper in /y -> /z, so /x (3 by
 * /a/b) is found at the limit first and fetched without its links being
 * taken; then /slow finds it at depth 2. Its link /y (depth 3) must be
 * found and fetched: /x is fetched again at depth 2 and parsed.
 */
static void
test_fetched_at_limit_then_shorter(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/slow\">s</a><a href=\"/a\">a</a>", NULL,
		0},
	    {"/slow", 0, NULL, "<a href=\"/x\">x</a>", NULL, 0},
	    {"/a", 0, NULL, "<a href=\"/b\">b</a>", NULL, 0},
	    {"/b", 0, NULL, "<a href=\"/x\">x</a>", NULL, 0},
	    {"/x", 0, NULL, "<a href=\"/y\">y</a>", NULL, 0},
	    {"/y", 0, NULL, "<a href=\"/z\">z</a>", NULL, 0},
	    {"/z", 0, NULL, "leaf", NULL, 0},
	};
	struct testsrv *srv = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("depth-limit.db");
	struct it_result r;
	/* /b at 2 links /x at 3 = the limit: released once /x is done */
	struct release_on rel = {NULL, {"/x", NULL}, {"/slow", NULL}, 0};

	REQUIRE(srv != NULL);
	crawl_held(srv, db, "depth=3", "edge-links=false", &rel, &r);
	CHECK_INT(testsrv_hits(srv, "/x"), 2);
	CHECK_INT(testsrv_hits(srv, "/y"), 1);
	CHECK_INT(testsrv_hits(srv, "/z"), 0);
	CHECK_INT(
	    db_int(db, "SELECT depth FROM pages WHERE url LIKE '%%/x'"), 2);
	CHECK_INT(
	    db_int(db, "SELECT depth FROM pages WHERE url LIKE '%%/y'"), 3);
	CHECK_INT(state_count(db, "done"), 6);
	CHECK_INT(state_count(db, "queued") + state_count(db, "fetching"), 0);
	/* done counts complete responses: /x's two, as a revisit's */
	CHECK_INT(r.stats.done, 7);
	testsrv_stop(srv);
}

/*
 * --depth 3, the site of the test above, with /x held as well until
 * /slow is done: /x is found at 3 (the limit) and is in flight when /slow
 * finds it at 2. It takes depth 2 before its body is planned, so it is
 * parsed once, and its link /y (depth 3) is fetched: no second fetch.
 */
static void
test_in_flight_then_shorter(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/slow\">s</a><a href=\"/a\">a</a>", NULL,
		0},
	    {"/slow", 0, NULL, "<a href=\"/x\">x</a>", NULL, 0},
	    {"/a", 0, NULL, "<a href=\"/b\">b</a>", NULL, 0},
	    {"/b", 0, NULL, "<a href=\"/x\">x</a>", NULL, 0},
	    {"/x", 0, NULL, "<a href=\"/y\">y</a>", NULL, 0},
	    {"/y", 0, NULL, "<a href=\"/z\">z</a>", NULL, 0},
	    {"/z", 0, NULL, "leaf", NULL, 0},
	};
	struct testsrv *srv = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("depth-flight.db");
	struct it_result r;
	struct release_on rel = {NULL, {"/b", "/slow"}, {"/slow", "/x"}, 0};

	REQUIRE(srv != NULL);
	crawl_held(srv, db, "depth=3", "edge-links=false", &rel, &r);
	CHECK_INT(testsrv_hits(srv, "/x"), 1);
	CHECK_INT(testsrv_hits(srv, "/y"), 1);
	CHECK_INT(testsrv_hits(srv, "/z"), 0);
	CHECK_INT(
	    db_int(db, "SELECT depth FROM pages WHERE url LIKE '%%/x'"), 2);
	CHECK_INT(state_count(db, "done"), 6);
	CHECK_INT(r.stats.done, 6);
	testsrv_stop(srv);
}

/* The links counter (summary, crawld_links_total) against the rows. */
static void
check_links_counted(const char *db, const struct it_result *r)
{
	CHECK_INT((long long)r->stats.links,
	    db_int(db, "SELECT count(*) FROM links"));
}

static long long
depth_of(const char *db, const char *path)
{
	return db_int(
	    db, "SELECT depth FROM pages WHERE url LIKE '%%%s'", path);
}

/*
 * --depth 3: /x is parsed at 2 (its links /y at 3, fetched unparsed, and
 * /a, seen) before /r gives it depth 1: /x is fetched again and parsed at
 * 1, then /y at 2. The links rows are 7; the second parse of /x finds its
 * two links again and must not count them again (it did: 9).
 */
static void
test_refetched_links_counted_once(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/a\">a</a><a href=\"/r\">r</a>", NULL, 0},
	    {"/a", 0, NULL, "<a href=\"/x\">x</a>", NULL, 0},
	    {"/r", 302, NULL, "", "/x", 0},
	    {"/x", 0, NULL, "<a href=\"/y\">y</a><a href=\"/a\">a</a>", NULL,
		0},
	    {"/y", 0, NULL, "<a href=\"/z\">z</a>", NULL, 0},
	    {"/z", 0, NULL, "leaf", NULL, 0},
	};
	struct testsrv *srv = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("depth-links.db");
	struct it_result r;
	struct release_on rel = {NULL, {"/x", NULL}, {"/r", NULL}, 0};

	REQUIRE(srv != NULL);
	crawl_held(srv, db, "depth=3", "edge-links=false", &rel, &r);
	CHECK_INT(testsrv_hits(srv, "/x"), 2);
	CHECK_INT(testsrv_hits(srv, "/y"), 2);
	CHECK_INT(testsrv_hits(srv, "/z"), 1);
	CHECK_INT(depth_of(db, "/x"), 1);
	CHECK_INT(depth_of(db, "/y"), 2);
	/* / a, / r, a x, r x, x y, x a, y z */
	CHECK_INT(db_int(db, "SELECT count(*) FROM links"), 7);
	CHECK_INT(r.stats.links, 7);
	testsrv_stop(srv);
}

/*
 * A page's parse held on its parse thread (parsepool_set_test_hook) until
 * the loop has recorded another page: the depth the parse was planned at
 * is lowered before its links come back. With a bounded wait: a gate that
 * is never opened fails the test, it does not hang it.
 */
struct parse_gate {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const char *hold; /* a page whose URL ends so is held */
	bool open;	  /* the loop let it go */
	unsigned entered; /* parses of hold that reached the gate */
	bool expired;	  /* one gave up waiting */
	/* the loop side (observer): hold's response releases release_path
	   at the server; open_after's recording opens the gate */
	struct testsrv *srv;
	const char *release_path;
	const char *open_after;
	bool released;
};

static struct parse_gate gate = {
    .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* parsepool_hook: wait at the gate (on the parse thread). */
static void
gate_hook(const struct parse_job *job, void *arg)
{
	struct parse_gate *g = arg;
	struct timespec until;

	if (!ends_with(job->base_url, g->hold))
		return;
	pthread_mutex_lock(&g->mu);
	g->entered++;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10 * (time_t)it_slow();
	while (!g->open)
		if (pthread_cond_timedwait(&g->cv, &g->mu, &until) ==
		    ETIMEDOUT) {
			g->expired = true;
			break;
		}
	pthread_mutex_unlock(&g->mu);
}

/* Observer response: hold's response lets release_path be answered. */
static enum cw_rc
gate_response(void *arg, struct crawl *c, const struct crawl_page_event *ev)
{
	struct parse_gate *g = arg;

	(void)c;
	if (!g->released && ends_with(ev->url, g->hold)) {
		g->released = true;
		testsrv_release_path(g->srv, g->release_path);
	}
	return CW_OK;
}

/* Observer recorded: open_after is recorded (its links, or its
   redirect, put): the held parse may go on. */
static enum cw_rc
gate_recorded(void *arg, struct crawl *c, const struct crawl_page_event *ev)
{
	struct parse_gate *g = arg;

	(void)c;
	if (ends_with(ev->url, g->open_after)) {
		pthread_mutex_lock(&g->mu);
		g->open = true;
		pthread_cond_broadcast(&g->cv);
		pthread_mutex_unlock(&g->mu);
	}
	return CW_OK;
}

/*
 * Crawl srv's site (one parse thread) with /x's parse held until /r is
 * recorded, and /r's answer held until /x's response came: /r (a
 * redirect to /x, so the short path needs no parse) gives /x its smaller
 * depth while /x is being parsed at the larger one.
 */
static void
crawl_parse_held(struct testsrv *srv, const char *db, const char *const *opts,
    struct it_result *r)
{
	struct crawl_observer o = {
	    "gate", 0, gate_response, gate_recorded, NULL, NULL, &gate, NULL};
	char seed[256];

	gate.hold = "/x";
	gate.open = false;
	gate.entered = 0;
	gate.expired = false;
	gate.srv = srv;
	gate.release_path = "/r";
	gate.open_after = "/r";
	gate.released = false;
	testsrv_hold(srv, "/r");
	parsepool_set_test_hook(gate_hook, &gate);
	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(srv));
	it_observer = &o;
	CHECK(it_crawl(db, seed, opts, r) == 0);
	it_observer = NULL;
	parsepool_set_test_hook(NULL, NULL);
	testsrv_release(srv);
	CHECK(!r->timed_out);
	CHECK_INT(r->end, CRAWL_END_DONE);
	/* the order was the one forced: /x's parse waited for /r */
	CHECK(gate.released);
	CHECK(gate.entered >= 1);
	CHECK(!gate.expired);
}

/*
 * --depth 3: / -> /a, /r; /a -> /x (2 deep); /r redirects to /x (1 deep);
 * /x -> /y -> /z -> /w. /x is parsed as planned at depth 2 and lowered to
 * 1 before its links come back: they go at depth 2, once, so /y is parsed
 * and /z (3) fetched. A fetch of /x again (or of /y) would be a parse
 * taken at the old depth.
 */
static void
test_lowered_while_parsed(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/a\">a</a><a href=\"/r\">r</a>", NULL, 0},
	    {"/a", 0, NULL, "<a href=\"/x\">x</a>", NULL, 0},
	    {"/r", 302, NULL, "", "/x", 0},
	    {"/x", 0, NULL, "<a href=\"/y\">y</a>", NULL, 0},
	    {"/y", 0, NULL, "<a href=\"/z\">z</a>", NULL, 0},
	    {"/z", 0, NULL, "<a href=\"/w\">w</a>", NULL, 0},
	    {"/w", 0, NULL, "leaf", NULL, 0},
	};
	const char *opts[] = {
	    "depth=3", "robots=false", "parse-threads=1", NULL};
	struct testsrv *srv = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("depth-parsing.db");
	struct it_result r;

	REQUIRE(srv != NULL);
	crawl_parse_held(srv, db, opts, &r);
	CHECK_INT(testsrv_hits(srv, "/x"), 1);
	CHECK_INT(testsrv_hits(srv, "/y"), 1);
	CHECK_INT(testsrv_hits(srv, "/z"), 1);
	CHECK_INT(testsrv_hits(srv, "/w"), 0);
	CHECK_INT(depth_of(db, "/x"), 1);
	CHECK_INT(depth_of(db, "/y"), 2);
	CHECK_INT(depth_of(db, "/z"), 3);
	CHECK_INT(state_count(db, "done"), 6);
	CHECK_INT(r.stats.done, 6);
	/* / a, / r, a x, r x, x y, y z */
	CHECK_INT(db_int(db, "SELECT count(*) FROM links"), 6);
	check_links_counted(db, &r);
	testsrv_stop(srv);
}

/*
 * --depth 2 --edge-links: the site above, /x now at the limit by /a and
 * parsed whole for its edge links. Lowered to 1 while parsed, its links
 * go at depth 2 at once: /y is fetched (not a 'skipped' row first, then
 * queued by a fetch of /x again) and /z, 3 deep, is its edge link.
 */
static void
test_lowered_while_parsed_at_limit(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/a\">a</a><a href=\"/r\">r</a>", NULL, 0},
	    {"/a", 0, NULL, "<a href=\"/x\">x</a>", NULL, 0},
	    {"/r", 302, NULL, "", "/x", 0},
	    {"/x", 0, NULL, "<a href=\"/y\">y</a>", NULL, 0},
	    {"/y", 0, NULL, "<a href=\"/z\">z</a>", NULL, 0},
	    {"/z", 0, NULL, "leaf", NULL, 0},
	};
	const char *opts[] = {"depth=2", "edge-links=true", "robots=false",
	    "parse-threads=1", NULL};
	struct testsrv *srv = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("depth-parsing-edge.db");
	struct it_result r;

	REQUIRE(srv != NULL);
	crawl_parse_held(srv, db, opts, &r);
	CHECK_INT(testsrv_hits(srv, "/x"), 1);
	CHECK_INT(testsrv_hits(srv, "/y"), 1);
	CHECK_INT(testsrv_hits(srv, "/z"), 0);
	CHECK_INT(depth_of(db, "/x"), 1);
	CHECK_INT(depth_of(db, "/y"), 2);
	CHECK_INT(db_int(db,
		      "SELECT depth = 3 AND reason = 'depth' FROM pages"
		      " WHERE url LIKE '%%/z' AND state = 'skipped'"),
	    1);
	CHECK_INT(state_count(db, "done"), 5);
	CHECK_INT(state_count(db, "skipped"), 1);
	CHECK_INT(r.stats.done, 5);
	CHECK_INT(r.stats.skipped, 1);
	CHECK_INT(db_int(db, "SELECT count(*) FROM links"), 6);
	check_links_counted(db, &r);
	testsrv_stop(srv);
}

/*
 * --depth 2 --page-requisites: /x at the limit by /a is scanned for its
 * requisites only (/i.png, fetched at 3), so lowered to 1 while parsed it
 * must be fetched again and parsed whole: its link /y (2) is fetched.
 * The second parse finds /i.png again: that links row was recorded by
 * the first and is not counted twice; /x -> /y is new and is.
 */
static void
test_lowered_while_scanned_for_requisites(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/a\">a</a><a href=\"/r\">r</a>", NULL, 0},
	    {"/a", 0, NULL, "<a href=\"/x\">x</a>", NULL, 0},
	    {"/r", 302, NULL, "", "/x", 0},
	    {"/x", 0, NULL, "<img src=\"/i.png\"><a href=\"/y\">y</a>", NULL,
		0},
	    {"/i.png", 0, "image/png", "png", NULL, 0},
	    {"/y", 0, NULL, "leaf", NULL, 0},
	};
	const char *opts[] = {"depth=2", "page-requisites=true", "robots=false",
	    "parse-threads=1", NULL};
	struct testsrv *srv = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("depth-parsing-reqs.db");
	struct it_result r;

	REQUIRE(srv != NULL);
	crawl_parse_held(srv, db, opts, &r);
	CHECK_INT(testsrv_hits(srv, "/x"), 2);
	CHECK_INT(testsrv_hits(srv, "/i.png"), 1);
	CHECK_INT(testsrv_hits(srv, "/y"), 1);
	CHECK_INT(depth_of(db, "/x"), 1);
	CHECK_INT(depth_of(db, "/y"), 2);
	CHECK_INT(state_count(db, "done"), 6);
	CHECK_INT(state_count(db, "queued") + state_count(db, "fetching"), 0);
	/* / a, / r, a x, r x, x i.png, x y */
	CHECK_INT(db_int(db, "SELECT count(*) FROM links"), 6);
	check_links_counted(db, &r);
	testsrv_stop(srv);
}

/* Observer recorded: stop the crawl once a page ending so is recorded,
   and let the server answer what it holds (the stop waits for it). */
struct stop_after {
	struct testsrv *srv;
	const char *path;
	bool stopped;
};

static enum cw_rc
stop_recorded(void *arg, struct crawl *c, const struct crawl_page_event *ev)
{
	struct stop_after *sa = arg;

	if (!sa->stopped && ends_with(ev->url, sa->path)) {
		sa->stopped = true;
		crawl_stop(c);
		testsrv_release(sa->srv);
	}
	return CW_OK;
}

/*
 * A fetch again for a shorter path that spills (--queue-memory 4) is still
 * a fetch again: when it fails the page keeps its earlier response (as a
 * revisit's failure does), instead of the row becoming 'failed'. Host b
 * (127.0.0.2, one request at a time) holds /h, so the first run fetches
 * a's /, /a and /x (2 deep) and is stopped with b's /s, /q2../q5 'queued'
 * and /h's links /h1../h4 after them. The resume keeps 4 in memory and
 * spills /q5 and /h1../h4; /s redirects to /x (1 deep): /x's row, between
 * /q5's and /h1's, is queued again inside the spill, and must be paged
 * back in although the rows around it were committed before it (the
 * refill's read sees committed rows only). Its answer is held, so it
 * times out (--timeout 1, --retries 0): /x stays 'done' with its 200, the
 * failure a fetches row.
 */
static void
test_refetch_spilled_keeps_response(void)
{
	static char root[1024], loc[256];
	static const struct testsrv_page site_a[] = {
	    {"/", 0, NULL, root, NULL, 0},
	    {"/a", 0, NULL, "<a href=\"/x\">x</a>", NULL, 0},
	    {"/x", 0, NULL, "x", NULL, 0},
	};
	static const struct testsrv_page site_b[] = {
	    {"/h", 0, NULL,
		"<a href=\"/h1\">1</a><a href=\"/h2\">2</a>"
		"<a href=\"/h3\">3</a><a href=\"/h4\">4</a>",
		NULL, 0},
	    {"/h1", 0, NULL, "h", NULL, 0},
	    {"/h2", 0, NULL, "h", NULL, 0},
	    {"/h3", 0, NULL, "h", NULL, 0},
	    {"/h4", 0, NULL, "h", NULL, 0},
	    {"/s", 302, NULL, "", loc, 0},
	    {"/q2", 0, NULL, "q", NULL, 0},
	    {"/q3", 0, NULL, "q", NULL, 0},
	    {"/q4", 0, NULL, "q", NULL, 0},
	    {"/q5", 0, NULL, "q", NULL, 0},
	};
	struct testsrv *a = testsrv_start(site_a, CW_NELEM(site_a));
	struct testsrv *b =
	    testsrv_start_on("127.0.0.2", site_b, CW_NELEM(site_b));
	const char *db = it_db_path("depth-spill.db");
	const char *opts[] = {"depth=3", "robots=false", "scope=any",
	    "allow-private=true", "per-host=1", NULL};
	struct stop_after sa = {NULL, "/x", false};
	struct crawl_observer o = {
	    "stop", 0, NULL, stop_recorded, NULL, NULL, &sa, NULL};
	struct it_result r;
	char seed[256], err[4096];
	const char *ob;

	REQUIRE(a != NULL && b != NULL);
	ob = testsrv_origin(b);
	snprintf(root, sizeof(root),
	    "<a href=\"%s/h\">h</a><a href=\"%s/s\">s</a>"
	    "<a href=\"%s/q2\">q</a><a href=\"%s/q3\">q</a>"
	    "<a href=\"%s/q4\">q</a><a href=\"%s/q5\">q</a>"
	    "<a href=\"/a\">a</a>",
	    ob, ob, ob, ob, ob, ob);
	snprintf(loc, sizeof(loc), "%s/x", testsrv_origin(a));
	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(a));
	testsrv_hold(b, "/h");
	sa.srv = b;
	it_observer = &o;
	CHECK(it_crawl(db, seed, opts, &r) == 0);
	it_observer = NULL;
	CHECK(!r.timed_out);
	CHECK_INT(r.end, CRAWL_END_STOPPED);
	CHECK_INT(testsrv_hits(b, "/s"), 0);
	CHECK_INT(state_count(db, "queued"), 9);
	CHECK_INT(depth_of(db, "/x"), 2);

	{
		const char *argv[] = {"crawl", "--db", db, "--depth", "3",
		    "--no-robots", "--scope", "any", "--allow-private",
		    "--per-host", "1", "--queue-memory", "4", "--timeout", "1",
		    "--retries", "0", "-q", seed, NULL};

		testsrv_hold(a, "/x");
		CHECK_INT(it_run_crawld(argv, NULL, 0, err, sizeof(err)), 0);
	}
	CHECK_INT(testsrv_hits(a, "/x"), 2);
	CHECK_INT(testsrv_hits(b, "/s"), 1);
	CHECK_INT(depth_of(db, "/x"), 1);
	CHECK_INT(
	    db_int(db,
		"SELECT state = 'done' AND status = 200 AND reason IS NULL"
		" FROM pages WHERE url LIKE '%%/x'"),
	    1);
	CHECK_INT(
	    db_int(db,
		"SELECT count(*) FROM fetches JOIN pages ON pages.id = page_id"
		" WHERE url LIKE '%%/x' AND error IS NOT NULL"),
	    1);
	CHECK_INT(state_count(db, "queued") + state_count(db, "fetching"), 0);
	CHECK_INT(state_count(db, "failed"), 0);
	testsrv_release(a);
	testsrv_stop(b);
	testsrv_stop(a);
}

/* Observer recorded: after_release's recording lets the server answer
   release; after_stop's stops the crawl. */
struct release_then_stop {
	struct testsrv *srv;
	const char *after_release, *release, *after_stop;
	bool stopped;
};

static enum cw_rc
release_then_stop(void *arg, struct crawl *c, const struct crawl_page_event *ev)
{
	struct release_then_stop *rs = arg;

	if (ends_with(ev->url, rs->after_release))
		testsrv_release_path(rs->srv, rs->release);
	if (!rs->stopped && ends_with(ev->url, rs->after_stop)) {
		rs->stopped = true;
		crawl_stop(c);
	}
	return CW_OK;
}

/*
 * The same through a resume: /x (fetched at 2) is found at 1 by /r, and
 * the crawl is stopped as /r is recorded, before /x is fetched again: its
 * row is 'queued' with a fetch. The resume fetches it again, held past
 * --timeout 1: it must keep its earlier response ('done', 200), not
 * become 'failed' as a first fetch would.
 */
static void
test_refetch_after_resume_keeps_response(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/a\">a</a><a href=\"/r\">r</a>", NULL, 0},
	    {"/a", 0, NULL, "<a href=\"/x\">x</a>", NULL, 0},
	    {"/r", 302, NULL, "", "/x", 0},
	    /* a link: a page without any has nothing to fetch again for */
	    {"/x", 0, NULL, "<a href=\"/y\">y</a>", NULL, 0},
	    {"/y", 0, NULL, "y", NULL, 0},
	};
	struct testsrv *srv = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("depth-resume.db");
	const char *opts[] = {"depth=3", "robots=false", NULL};
	struct release_then_stop rs = {NULL, "/x", "/r", "/r", false};
	struct crawl_observer o = {
	    "stop", 0, NULL, release_then_stop, NULL, NULL, &rs, NULL};
	struct it_result r;
	char seed[256], err[4096];

	REQUIRE(srv != NULL);
	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(srv));
	rs.srv = srv;
	testsrv_hold(srv, "/r");
	it_observer = &o;
	CHECK(it_crawl(db, seed, opts, &r) == 0);
	it_observer = NULL;
	testsrv_release(srv);
	CHECK(!r.timed_out);
	CHECK_INT(r.end, CRAWL_END_STOPPED);
	CHECK_INT(testsrv_hits(srv, "/x"), 1);
	CHECK_INT(db_int(db,
		      "SELECT state = 'queued' AND depth = 1 AND status = 200"
		      " FROM pages WHERE url LIKE '%%/x'"),
	    1);

	{
		const char *argv[] = {"crawl", "--db", db, "--depth", "3",
		    "--no-robots", "--timeout", "1", "--retries", "0", "-q",
		    seed, NULL};

		testsrv_hold(srv, "/x");
		CHECK_INT(it_run_crawld(argv, NULL, 0, err, sizeof(err)), 0);
	}
	CHECK_INT(testsrv_hits(srv, "/x"), 2);
	CHECK_INT(
	    db_int(db,
		"SELECT state = 'done' AND status = 200 AND reason IS NULL"
		" FROM pages WHERE url LIKE '%%/x'"),
	    1);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM fetches JOIN pages ON pages.id ="
		      " page_id WHERE url LIKE '%%/x' AND error IS NOT NULL"),
	    1);
	CHECK_INT(state_count(db, "failed"), 0);
	testsrv_release(srv);
	testsrv_stop(srv);
}

/*
 * A page without links found again by a shorter path (a redirect's
 * target, /x, linked from /a at 2 and reached at 1 by /r, whose answer
 * waits until /x is recorded) is not fetched again: nothing of it would
 * change at the smaller depth. Every page once (it_warc's site has such
 * a target: a second fetch was a second WARC response record).
 */
static void
test_shorter_path_to_leaf_not_fetched_again(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/a\">a</a><a href=\"/r\">r</a>", NULL, 0},
	    {"/a", 0, NULL, "<a href=\"/x\">x</a>", NULL, 0},
	    {"/r", 302, NULL, "", "/x", 0},
	    {"/x", 0, NULL, "<p>no links</p>", NULL, 0},
	};
	struct testsrv *srv = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("depth-leaf.db");
	const char *opts[] = {"depth=3", "robots=false", NULL};
	struct release_then_stop rs = {NULL, "/x", "/r", "/never", false};
	struct crawl_observer o = {
	    "release", 0, NULL, release_then_stop, NULL, NULL, &rs, NULL};
	struct it_result r;
	char seed[256];

	REQUIRE(srv != NULL);
	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(srv));
	rs.srv = srv;
	testsrv_hold(srv, "/r");
	it_observer = &o;
	CHECK(it_crawl(db, seed, opts, &r) == 0);
	it_observer = NULL;
	testsrv_release(srv);
	CHECK(!r.timed_out);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(srv, "/r"), 1);
	CHECK_INT(testsrv_hits(srv, "/x"), 1);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM fetches JOIN pages ON pages.id ="
		      " page_id WHERE url LIKE '%%/x'"),
	    1);
	CHECK_INT(state_count(db, "done"), 4);
	CHECK_INT(state_count(db, "queued") + state_count(db, "fetching"), 0);
	testsrv_stop(srv);
}

static const struct test tests[] = {
    TEST(skipped_then_shorter),
    TEST(final_then_shorter),
    TEST(fetched_at_limit_then_shorter),
    TEST(in_flight_then_shorter),
    TEST(lowered_while_parsed),
    TEST(lowered_while_parsed_at_limit),
    TEST(lowered_while_scanned_for_requisites),
    TEST(refetched_links_counted_once),
    TEST(refetch_spilled_keeps_response),
    TEST(refetch_after_resume_keeps_response),
    TEST(shorter_path_to_leaf_not_fetched_again),
};

TEST_MAIN(tests)
