/* SPDX-License-Identifier: MIT */
/*
 * it_multi.c - the engine as a library running two crawls at once on one
 * event base, one store and one frontier: both finish, each has its own
 * rows, and the per-host budget is shared (the server never sees more than
 * --per-host requests at once, whichever crawl sent them). A crawl's page
 * queued behind a robots.txt read that failed over another crawl's
 * transport is judged by a read over its own (openssl s_server, a
 * self-signed certificate only one crawl trusts).
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "crawld/web/links.h"
#include "crawld/base/log.h"
#include "crawld/engine/frontier.h"
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

/* When the first crawl is stopped. */
enum stop_when {
	STOP_NEVER = 0,
	STOP_AT_ONCE,	      /* right after it started, before the loop */
	STOP_ROBOTS_IN_FLIGHT /* while the server holds /robots.txt */
};

struct both {
	struct event_base *base;
	int finished;
	struct crawl *c1;	/* borrowed from the engine */
	struct testsrv *srv;	/* borrowed: holds /robots.txt */
	struct event *poll;	/* owned: waits for the held request */
	int polls;		/* bounded: 6000 x 10 ms */
	bool stopped_in_flight; /* crawl_stop() ran while it was held */
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

/* Every 10 ms: once the server holds robots.txt, stop the first crawl,
   then let the answer go. */
static void
poll_robots(evutil_socket_t fd, short what, void *arg)
{
	struct both *b = arg;
	struct timeval tv = {0, 10000};

	(void)fd;
	(void)what;
	if (testsrv_held_path(b->srv, "/robots.txt") == 1) {
		crawl_stop(b->c1);
		b->stopped_in_flight =
		    testsrv_held_path(b->srv, "/robots.txt") == 1;
		testsrv_release(b->srv);
		return;
	}
	if (++b->polls < 6000)
		evtimer_add(b->poll, &tv);
}

/*
 * Run two crawls of seed on one engine and one store, with opts as
 * "name=value" strings; stop the first as when says (srv: the server, for
 * STOP_ROBOTS_IN_FLIGHT). Both must end (30 s deadline); their end
 * reasons come back.
 */
static void
run_two_crawls(const char *db, const char *seed, const char *const *opts,
    enum stop_when when, struct testsrv *srv, enum crawl_end *end1,
    enum crawl_end *end2)
{
	struct crawl_opts o;
	struct engine_config cfg;
	struct store *st = NULL;
	struct engine *e;
	struct crawl *c1 = NULL, *c2 = NULL;
	struct both b;
	struct timeval tick = {0, 10000};
	struct timeval deadline = {30, 0};
	char err[256], name[64], *seeds[1] = {(char *)(uintptr_t)seed};
	const char *eq;

	*end1 = *end2 = CRAWL_END_RUNNING;
	memset(&b, 0, sizeof(b));
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
	if (when == STOP_AT_ONCE && c1 != NULL)
		crawl_stop(c1);
	if (when == STOP_ROBOTS_IN_FLIGHT && c1 != NULL) {
		b.c1 = c1;
		b.srv = srv;
		b.poll = evtimer_new(b.base, poll_robots, &b);
		REQUIRE(b.poll != NULL);
		REQUIRE(evtimer_add(b.poll, &tick) == 0);
	}
	event_base_loopexit(b.base, &deadline);
	event_base_dispatch(b.base);
	CHECK_INT(b.finished, 2);
	if (when == STOP_ROBOTS_IN_FLIGHT)
		CHECK(b.stopped_in_flight);
	if (b.poll != NULL)
		event_free(b.poll);
	if (c1 != NULL)
		*end1 = crawl_end_reason(c1);
	if (c2 != NULL)
		*end2 = crawl_end_reason(c2);
	/* Nothing of either crawl, nor a gate task, left in the engine. */
	CHECK(frontier_idle(it_engine_frontier()));
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
	run_two_crawls(db, seed, opts, STOP_NEVER, NULL, &end1, &end2);
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
	run_two_crawls(db, seed, opts, STOP_AT_ONCE, NULL, &end1, &end2);
	CHECK_INT(end1, CRAWL_END_STOPPED);
	CHECK_INT(end2, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(s, "/robots.txt"), 1);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE crawl_id=2 AND "
		      "state='done'"),
	    21);
	testsrv_stop(s);
}

/* Leave the loop when the one crawl running is done. */
static void
one_done(struct crawl *c, void *arg)
{
	(void)c;
	event_base_loopbreak(arg);
}

/*
 * Crawl seed_a (options oa) to its end, then seed_b (ob), on one engine
 * (so one connection pool); the first crawl is freed before the second
 * starts when free_first, else it stays, finished. Returns the end of the
 * second crawl.
 */
static enum crawl_end
run_crawls_in_turn(const char *db, const char *seed_a,
    const struct crawl_opts *oa, bool free_first, const char *seed_b,
    const struct crawl_opts *ob)
{
	struct engine_config cfg;
	struct store *st = NULL;
	struct event_base *base = event_base_new();
	struct engine *e;
	struct crawl *a = NULL, *c = NULL;
	struct timeval deadline = {30, 0};
	char err[256], *seeds[1];
	enum crawl_end end = CRAWL_END_RUNNING;

	if (store_open(db, 0, &st, err, sizeof(err)) != CW_OK || base == NULL)
		abort();
	engine_config_from_opts(&cfg, oa);
	e = engine_new(base, st, &cfg);
	if (e == NULL)
		abort();
	seeds[0] = (char *)(uintptr_t)seed_a;
	if (crawl_start(
		e, oa, seeds, 1, one_done, base, &a, err, sizeof(err)) != CW_OK)
		abort();
	event_base_loopexit(base, &deadline);
	event_base_dispatch(base);
	CHECK_INT(crawl_end_reason(a), CRAWL_END_DONE);
	if (free_first)
		crawl_free(a);
	seeds[0] = (char *)(uintptr_t)seed_b;
	if (crawl_start(
		e, ob, seeds, 1, one_done, base, &c, err, sizeof(err)) != CW_OK)
		abort();
	event_base_loopexit(base, &deadline);
	event_base_dispatch(base);
	end = crawl_end_reason(c);
	engine_free(e);
	event_base_free(base);
	store_close(st);
	return end;
}

/*
 * Defect 8 of issue 10: the SSRF guard judged connections, not requests.
 * Crawl A may reach 127.0.0.1 (its seed); its connection stays in the
 * engine's pool after it finished. Crawl B may reach only 127.0.0.2 (its
 * seed) and links to A's server: its request must be refused although a
 * pooled connection to that address could carry it (before: B reused it
 * and fetched /secret).
 */
static void
run_pool_case(bool free_first, bool robots_b, const char *dbname)
{
	static const struct testsrv_page site_a[] = {
	    {"/", 0, "text/plain", "A", NULL, 0},
	    {"/secret", 0, "text/plain", "private", NULL, 0},
	};
	char body_b[256], seed_a[128], seed_b[128];
	struct testsrv_page site_b[] = {
	    {"/", 0, NULL, body_b, NULL, 0},
	};
	struct testsrv *a = testsrv_start(site_a, CW_NELEM(site_a));
	struct testsrv *b = testsrv_start_on("127.0.0.2", site_b, 1);
	const char *db = it_db_path(dbname);
	struct crawl_opts o, ob;
	char err[256];

	snprintf(body_b, sizeof(body_b), "<a href=\"%s/secret\">x</a>",
	    testsrv_origin(a));
	snprintf(seed_a, sizeof(seed_a), "%s/", testsrv_origin(a));
	snprintf(seed_b, sizeof(seed_b), "%s/", testsrv_origin(b));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	links_global_init();
	log_init(LOG_LVL_QUIET);
	crawl_opts_init(&o);
	crawl_opts_init(&ob);
	REQUIRE(
	    crawl_opts_set(&o, "robots", "false", err, sizeof(err)) == CW_OK);
	REQUIRE(crawl_opts_set(&ob, "robots", robots_b ? "true" : "false", err,
		    sizeof(err)) == CW_OK);
	REQUIRE(crawl_opts_set(&ob, "scope", "any", err, sizeof(err)) == CW_OK);
	CHECK_INT(run_crawls_in_turn(db, seed_a, &o, free_first, seed_b, &ob),
	    CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(a, "/"), 1);
	/* Nor does B's robots.txt gate pass on the finished crawl's word. */
	CHECK_INT(testsrv_hits(a, "/robots.txt"), 0);
	CHECK_INT(testsrv_hits(b, "/"), 1);
	CHECK_INT(testsrv_hits(a, "/secret"), 0);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE crawl_id=2 AND url "
		      "LIKE '%%/secret' AND state='skipped' AND "
		      "reason='blocked-address'"),
	    1);
	crawl_opts_cleanup(&o);
	crawl_opts_cleanup(&ob);
	testsrv_stop(a);
	testsrv_stop(b);
}

/* The crawl that opened the connection is gone (crawl_free). */
static void
test_pooled_connection_not_reused_past_guard(void)
{
	run_pool_case(true, false, "ssrf-pool.db");
}

/* The crawl that opened it is finished but still held (as the daemon
   holds finished jobs), and B asks for A's host's robots.txt first: the
   gate fetch must not count the finished crawl as one that may connect. */
static void
test_finished_crawl_grants_no_gate(void)
{
	run_pool_case(false, true, "ssrf-gate.db");
}

/* The site of fan_gen, with a robots.txt the test holds back. */
static int
held_robots_gen(const char *path, struct testsrv_page *out, char *buf,
    size_t size, void *arg)
{
	if (strcmp(path, "/robots.txt") == 0) {
		out->content_type = "text/plain";
		out->body = "User-agent: *\nDisallow: /private/\n";
		return 1;
	}
	return fan_gen(path, out, buf, size, arg);
}

/*
 * The same with robots.txt really in flight: the server has the request
 * and holds its answer while the first crawl is stopped, then answers.
 * The second crawl finishes, robots.txt was asked for once, the engine's
 * frontier is left idle, and the stopped crawl's seed waits as 'queued'.
 */
static void
test_stopped_in_flight_leaves_no_gate(void)
{
	struct testsrv *s = testsrv_start_gen(held_robots_gen, NULL);
	const char *db = it_db_path("gateflight.db");
	const char *opts[] = {NULL};
	enum crawl_end end1, end2;
	char seed[128];

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	testsrv_hold(s, "/robots.txt");
	run_two_crawls(db, seed, opts, STOP_ROBOTS_IN_FLIGHT, s, &end1, &end2);
	CHECK_INT(end1, CRAWL_END_STOPPED);
	CHECK_INT(end2, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(s, "/robots.txt"), 1);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE crawl_id=2 AND "
		      "state='done'"),
	    21);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE crawl_id=1 AND "
		      "state='queued' AND depth=0"),
	    1);
	CHECK_STR(db_text(db, seed, sizeof(seed),
		      "SELECT state FROM crawls WHERE id=1"),
	    "cancelled");
	testsrv_stop(s);
}

#define TLS_CRAWLS_MAX 8

/* Crawls of one https site, each with its own ca-file (or none). */
struct tls_crawls {
	struct event_base *base;
	struct crawl *c[TLS_CRAWLS_MAX]; /* borrowed from the engine */
	size_t n;
	bool stop_last; /* stop the last crawl as soon as the first ends */
	size_t finished;
	struct event *poll; /* owned: waits for the frontier to be idle */
	int polls;	    /* bounded: 6000 x 10 ms */
};

/* Every 10 ms: leave the loop once nothing is queued or in flight, the
   gate tasks too (a stopped crawl can end before its host's robots.txt). */
static void
tls_wait_idle(evutil_socket_t fd, short what, void *arg)
{
	struct tls_crawls *p = arg;
	struct timeval tv = {0, 10000};

	(void)fd;
	(void)what;
	if (frontier_idle(it_engine_frontier()) || ++p->polls >= 6000 ||
	    evtimer_add(p->poll, &tv) != 0)
		event_base_loopbreak(p->base);
}

/* A crawl ended. The first one ends in the pump pass that judged the
   pages queued behind it (stop the last crawl then, if asked); all
   ended: wait for the engine to be idle. */
static void
tls_done(struct crawl *c, void *arg)
{
	struct tls_crawls *p = arg;
	struct timeval now = {0, 0};

	if (c == p->c[0] && p->stop_last)
		crawl_stop(p->c[p->n - 1]);
	if (++p->finished == p->n && evtimer_add(p->poll, &now) != 0)
		event_base_loopbreak(p->base);
}

/*
 * Start n crawls of seed on one engine before the loop runs, crawl i
 * (crawls.id i + 1) with ca_files[i] (NULL: the system's CAs), depth 0,
 * no retries. The first gates the host, so every other crawl's seed is
 * queued behind a robots.txt read over the first's transport. Each end
 * comes back in ends, the engine's counts in es.
 */
static void
run_tls_crawls(const char *db, const char *seed, const char *const *ca_files,
    size_t n, bool stop_last, enum crawl_end *ends, struct engine_stats *es)
{
	struct crawl_opts o[TLS_CRAWLS_MAX];
	struct engine_config cfg;
	struct store *st = NULL;
	struct engine *e;
	struct tls_crawls p;
	struct timeval deadline = {60 * (time_t)it_slow(), 0};
	char err[256], *seeds[1] = {(char *)(uintptr_t)seed};
	size_t i;

	REQUIRE(n >= 2 && n <= TLS_CRAWLS_MAX);
	memset(&p, 0, sizeof(p));
	p.n = n;
	p.stop_last = stop_last;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	links_global_init();
	log_init(LOG_LVL_QUIET);
	for (i = 0; i < n; i++) {
		crawl_opts_init(&o[i]);
		REQUIRE(crawl_opts_set(&o[i], "depth", "0", err, sizeof(err)) ==
		    CW_OK);
		REQUIRE(crawl_opts_set(
			    &o[i], "retries", "0", err, sizeof(err)) == CW_OK);
		if (ca_files[i] != NULL)
			REQUIRE(crawl_opts_set(&o[i], "ca-file", ca_files[i],
				    err, sizeof(err)) == CW_OK);
	}
	REQUIRE(store_open(db, 0, &st, err, sizeof(err)) == CW_OK);
	p.base = event_base_new();
	REQUIRE(p.base != NULL);
	p.poll = evtimer_new(p.base, tls_wait_idle, &p);
	REQUIRE(p.poll != NULL);
	engine_config_from_opts(&cfg, &o[0]);
	e = engine_new(p.base, st, &cfg);
	REQUIRE(e != NULL);
	for (i = 0; i < n; i++)
		REQUIRE(crawl_start(e, &o[i], seeds, 1, tls_done, &p, &p.c[i],
			    err, sizeof(err)) == CW_OK);
	event_base_loopexit(p.base, &deadline);
	event_base_dispatch(p.base);
	CHECK_INT(p.finished, n);
	for (i = 0; i < n; i++)
		ends[i] = crawl_end_reason(p.c[i]);
	/* Nothing of any crawl, nor a gate task, left in the engine. */
	CHECK(frontier_idle(it_engine_frontier()));
	engine_get_stats(e, es);
	event_free(p.poll);
	engine_free(e);
	event_base_free(p.base);
	store_close(st);
	for (i = 0; i < n; i++)
		crawl_opts_cleanup(&o[i]);
}

/*
 * Crawl A's seed was queued behind a robots.txt read over crawl B's
 * transport (no ca-file), which failed on the self-signed certificate.
 * B's failure is not A's: when A's page is taken, robots.txt is read
 * again with A's ca-file and the page is judged by that read, so it is
 * fetched (before: 'failed' robots-unreachable, although A trusts the
 * certificate). B's page fails on the certificate.
 */
static void
test_queued_page_reads_robots_over_own_transport(void)
{
	const char *db = it_db_path("regate.db");
	char cert[512], seed[128], got[256];
	const char *ca_files[2] = {NULL, cert};
	enum crawl_end ends[2];
	struct engine_stats es;
	unsigned port;
	int pid = it_tls_server("regate", cert, sizeof(cert), &port);

	REQUIRE(pid > 0);
	snprintf(seed, sizeof(seed), "https://127.0.0.1:%u/", port);
	run_tls_crawls(db, seed, ca_files, 2, false, ends, &es);
	it_tls_server_stop(pid);
	CHECK_INT(ends[0], CRAWL_END_DONE);
	CHECK_INT(ends[1], CRAWL_END_DONE);
	CHECK_STR(db_text(db, got, sizeof(got),
		      "SELECT state || ' ' || reason FROM pages WHERE "
		      "crawl_id=1"),
	    "failed robots-unreachable: SSL certificate problem: "
	    "self-signed certificate");
	CHECK_STR(db_text(db, got, sizeof(got),
		      "SELECT state || ' ' || ifnull(status, reason) || ' ' || "
		      "attempts FROM pages WHERE crawl_id=2"),
	    "done 200 1");
	CHECK_INT(db_int(db, "SELECT count(*) FROM pages"), 2);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM crawls WHERE state='done'"), 2);
	/* B's read failed (after 2 retries), A's read worked. */
	CHECK_INT(es.robots[ENGINE_RO_UNREACHABLE], 1);
	CHECK_INT(es.robots[ENGINE_RO_PARSED], 1);
	CHECK_INT(es.retries, 0); /* the page was put back, never retried */
}

/*
 * The same, with A stopped once B is done: A's page is then back in the
 * queue behind the read over A's transport. A stop is not a finish: the
 * page stays 'queued' for the resume, neither failed nor fetched.
 */
static void
test_regated_page_stays_queued_on_stop(void)
{
	const char *db = it_db_path("regate-stop.db");
	char cert[512], seed[128], got[256];
	const char *ca_files[2] = {NULL, cert};
	enum crawl_end ends[2];
	struct engine_stats es;
	unsigned port;
	int pid = it_tls_server("regstop", cert, sizeof(cert), &port);

	REQUIRE(pid > 0);
	snprintf(seed, sizeof(seed), "https://127.0.0.1:%u/", port);
	run_tls_crawls(db, seed, ca_files, 2, true, ends, &es);
	it_tls_server_stop(pid);
	CHECK_INT(ends[0], CRAWL_END_DONE);
	CHECK_INT(ends[1], CRAWL_END_STOPPED);
	CHECK_STR(db_text(db, got, sizeof(got),
		      "SELECT state || ' ' || ifnull(reason, '-') || ' ' || "
		      "attempts FROM pages WHERE crawl_id=2"),
	    "queued - 0");
	CHECK_STR(db_text(db, got, sizeof(got),
		      "SELECT state FROM pages WHERE crawl_id=1"),
	    "failed");
}

/*
 * The re-reads are bounded: six crawls, each with a transport of its own
 * that cannot read robots.txt (no ca-file, then ca-files that do not
 * exist: a transfer error too). The first crawl's read fails, then the
 * seeds queued behind it read it again ROBOTS_MAX_REGATES (4) times; the
 * sixth seed is judged by the fifth read. Every page fails, no crawl is
 * left waiting, five reads in all.
 */
static void
test_regates_are_bounded(void)
{
	const char *db = it_db_path("regate-bound.db");
	const char *ca_files[6] = {NULL, "/nonexistent/ca-1.pem",
	    "/nonexistent/ca-2.pem", "/nonexistent/ca-3.pem",
	    "/nonexistent/ca-4.pem", "/nonexistent/ca-5.pem"};
	char cert[512], seed[128];
	enum crawl_end ends[6];
	struct engine_stats es;
	unsigned port;
	size_t i;
	int pid = it_tls_server("regbound", cert, sizeof(cert), &port);

	REQUIRE(pid > 0);
	snprintf(seed, sizeof(seed), "https://127.0.0.1:%u/", port);
	run_tls_crawls(db, seed, ca_files, 6, false, ends, &es);
	it_tls_server_stop(pid);
	for (i = 0; i < 6; i++)
		CHECK_INT(ends[i], CRAWL_END_DONE);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE state='failed' AND "
		      "reason LIKE 'robots-unreachable: %%'"),
	    6);
	CHECK_INT(es.robots[ENGINE_RO_UNREACHABLE], 5);
	CHECK_INT(es.robots[ENGINE_RO_PARSED], 0);
}

static const struct test tests[] = {
    TEST(two_crawls_share_host_budget),
    TEST(stopped_crawl_leaves_no_gate),
    TEST(pooled_connection_not_reused_past_guard),
    TEST(finished_crawl_grants_no_gate),
    TEST(stopped_in_flight_leaves_no_gate),
    TEST(queued_page_reads_robots_over_own_transport),
    TEST(regated_page_stays_queued_on_stop),
    TEST(regates_are_bounded),
};

TEST_MAIN(tests)
