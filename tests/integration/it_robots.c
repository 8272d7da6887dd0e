/* SPDX-License-Identifier: MIT */
/*
 * it_robots.c - robots.txt end to end: fetched once per origin before any
 * other request there, Disallow/Allow obeyed (the server records which
 * paths were asked for), 4xx = allow all, 5xx or unreachable = retried,
 * then every page it holds back fails with the cause (robots-unreachable:
 * HTTP 503, a TLS or connect error), Crawl-delay spacing measured by the
 * server, --no-robots, redirects followed (at most 5), and the cache: one
 * fetch per origin for 24 hours, then a fresh one (5 minutes for an
 * unreachable one).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "crawld/base/log.h"
#include "crawld/web/links.h"
#include "harness.h"
#include "ithelp.h"
#include "testsrv.h"

static const char site_links[] =
    "<a href=\"/private/x\">1</a><a href=\"/private/ok\">2</a>"
    "<a href=\"/public\">3</a><a href=\"/agent-only\">4</a>";

/* A seed page with links, with robots.txt as given. */
static struct testsrv *
robots_site(struct testsrv_page *site, const char *robots, int status)
{
	memset(site, 0, 6 * sizeof(*site));
	site[0].path = "/";
	site[0].body = site_links;
	site[1].path = "/private/x";
	site[2].path = "/private/ok";
	site[3].path = "/public";
	site[4].path = "/agent-only";
	site[5].path = "/robots.txt";
	site[5].status = status;
	site[5].content_type = "text/plain";
	site[5].body = robots;
	return testsrv_start(site, 6);
}

static char url_buf[256];

static const char *
seed_of(struct testsrv *s)
{
	snprintf(url_buf, sizeof(url_buf), "%s/", testsrv_origin(s));
	return url_buf;
}

/* Disallow, Allow (longest match wins), our own group over '*'. */
static void
test_rules_obeyed(void)
{
	static const char robots[] = "User-agent: *\n"
				     "Disallow: /\n"
				     "\n"
				     "User-agent: crawld\n"
				     "Disallow: /private/\n"
				     "Allow: /private/ok\n"
				     "Disallow: /agent-only\n";
	struct testsrv_page site[6];
	struct testsrv *s = robots_site(site, robots, 200);
	const char *db = it_db_path("rules.db");
	const char *opts[] = {NULL};
	struct it_result r;
	char first[64];

	REQUIRE(it_crawl(db, seed_of(s), opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(s, "/robots.txt"), 1);
	/* robots.txt is the first request to the origin. */
	CHECK(testsrv_request_at(s, 0, first, sizeof(first)) >= 0);
	CHECK_STR(first, "/robots.txt");
	CHECK_INT(testsrv_hits(s, "/private/x"), 0);
	CHECK_INT(testsrv_hits(s, "/agent-only"), 0);
	CHECK_INT(testsrv_hits(s, "/private/ok"), 1);
	CHECK_INT(testsrv_hits(s, "/public"), 1);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE state="
		      "'skipped' AND reason='robots'"),
	    2);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE state='done'"), 3);
	/* A skipped page has no fetch time. */
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE reason="
		      "'robots' AND fetched_at IS NOT NULL"),
	    0);
	/* robots.txt itself is not a page of the crawl. */
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE url LIKE "
		      "'%%robots.txt'"),
	    0);
	CHECK(r.frontier_idle);
	testsrv_stop(s);
}

/* robots.txt 404: everything allowed. */
static void
test_missing_allows_all(void)
{
	struct testsrv_page site[6];
	struct testsrv *s = robots_site(site, "", 404);
	const char *db = it_db_path("missing.db");
	const char *opts[] = {NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, seed_of(s), opts, &r) == 0);
	CHECK_INT(testsrv_hits(s, "/robots.txt"), 1);
	CHECK_INT(testsrv_hits(s, "/private/x"), 1);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE state='done'"), 5);
	testsrv_stop(s);
}

/*
 * robots.txt 503: tried 3 times, then nothing of the host is fetched and
 * each page it held back fails with the cause (defect 9 of issue 10:
 * before, the seed was 'skipped' with reason 'robots', a rule that does
 * not exist).
 */
static void
test_unreachable_disallows(void)
{
	struct testsrv_page site[6];
	struct testsrv *s = robots_site(site, "busy", 503);
	const char *db = it_db_path("unreach.db");
	const char *opts[] = {NULL};
	struct it_result r;
	char reason[256];

	REQUIRE(it_crawl(db, seed_of(s), opts, &r) == 0);
	CHECK(!r.timed_out);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(s, "/robots.txt"), 3);
	CHECK_INT(testsrv_total(s), 3);
	CHECK_STR(db_text(db, reason, sizeof(reason),
		      "SELECT state || ' ' || reason FROM pages"),
	    "failed robots-unreachable: HTTP 503");
	CHECK_INT(db_int(db, "SELECT count(*) FROM pages"), 1);
	CHECK_INT(db_int(db, "SELECT attempts FROM pages"), 0);
	CHECK_INT(r.stats.failed, 1);
	CHECK_INT(r.stats.skipped, 0);
	testsrv_stop(s);
}

/*
 * The case of defect 9 as a new user met it: an https site with a
 * self-signed certificate and no --ca-file. robots.txt cannot be read, so
 * the seed fails and says why, instead of 'skipped'/'robots'. The server
 * is openssl s_server (found by CMake as CRAWLD_OPENSSL, like it_http2).
 */
static void
test_unreachable_tls_names_cause(void)
{
	const char *db = it_db_path("tls.db");
	const char *opts[] = {NULL};
	char cert[512], seed[128], reason[512];
	struct it_result r;
	unsigned port;
	int pid = it_tls_server("tls", cert, sizeof(cert), &port);

	REQUIRE(pid > 0);
	snprintf(seed, sizeof(seed), "https://127.0.0.1:%u/", port);
	CHECK(it_crawl(db, seed, opts, &r) == 0);
	it_tls_server_stop(pid);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_STR(db_text(db, reason, sizeof(reason),
		      "SELECT state || ' ' || reason FROM pages"),
	    "failed robots-unreachable: SSL certificate problem: "
	    "self-signed certificate");
}

/* Nothing listens: robots.txt cannot even connect, and the page says so. */
static void
test_unreachable_connect_names_cause(void)
{
	const char *db = it_db_path("noconn.db");
	const char *opts[] = {NULL};
	unsigned port = it_free_port();
	char seed[128], reason[512];
	struct it_result r;

	REQUIRE(port != 0);
	snprintf(seed, sizeof(seed), "http://127.0.0.1:%u/", port);
	REQUIRE(it_crawl(db, seed, opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	db_text(db, reason, sizeof(reason),
	    "SELECT state || ' ' || reason FROM pages");
	CHECK(strstr(reason, "failed robots-unreachable: ") == reason);
	CHECK(strstr(reason, "onnect") != NULL);
}

/* --fail-fast: a page held back by an unreachable robots.txt is a failed
   page like any other, and stops the crawl naming it. */
static void
test_unreachable_fail_fast(void)
{
	struct testsrv_page site[6];
	struct testsrv *s = robots_site(site, "busy", 503);
	const char *db = it_db_path("unreach-ff.db");
	const char *opts[] = {"fail-fast=true", NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, seed_of(s), opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_FAIL_FAST);
	CHECK(strstr(r.message, ": robots-unreachable: HTTP 503") != NULL);
	testsrv_stop(s);
}

/* --no-robots: robots.txt is never asked for. */
static void
test_no_robots(void)
{
	struct testsrv_page site[6];
	struct testsrv *s =
	    robots_site(site, "User-agent: *\nDisallow: /\n", 200);
	const char *db = it_db_path("norobots.db");
	const char *opts[] = {"robots=false", NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, seed_of(s), opts, &r) == 0);
	CHECK_INT(testsrv_hits(s, "/robots.txt"), 0);
	CHECK_INT(testsrv_hits(s, "/private/x"), 1);
	CHECK_INT(testsrv_total(s), 5);
	testsrv_stop(s);
}

/*
 * Check the spacing of the server's request log for a per-host delay of
 * delay_ms between request starts. The server sees a request after the
 * crawler started it, by a varying amount (connection set-up, a busy CPU
 * under ASan), so one gap may shrink by what the one before it grew.
 * Their sum cannot: the span from first to last request must hold every
 * delay, less the skew of two requests, taken as one delay (the first
 * request was seen 67 ms late once, under load). Each single gap must
 * still be far from the ~0 ms of an unpaced crawl. A crawl that paced
 * requests in pairs would hold half the span, and one not paced at all
 * none of it.
 */
static void
check_spacing(struct testsrv *s, unsigned want, long long delay_ms)
{
	long long first = -1, prev = -1, t, min_gap = 1000000;
	char path[64];
	unsigned i;

	for (i = 0; (t = testsrv_request_at(s, i, path, sizeof(path))) >= 0;
	     i++) {
		if (first < 0)
			first = t;
		if (prev >= 0 && t - prev < min_gap)
			min_gap = t - prev;
		prev = t;
	}
	CHECK_INT(i, want);
	CHECK(prev - first >= (long long)(want - 2) * delay_ms);
	CHECK(min_gap >= delay_ms / 5);
	if (harness_failures != 0)
		fprintf(stderr, "  span %lld ms, smallest gap %lld ms\n",
		    prev - first, min_gap);
}

/* Crawl-delay spaces request starts, as the server measures them. */
static void
test_crawl_delay_spacing(void)
{
	struct testsrv_page site[6];
	struct testsrv *s =
	    robots_site(site, "User-agent: *\nCrawl-delay: 0.2\n", 200);
	const char *db = it_db_path("delay.db");
	const char *opts[] = {"concurrency=8", NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, seed_of(s), opts, &r) == 0);
	CHECK_INT(testsrv_total(s), 6);
	check_spacing(s, 6, 200);
	testsrv_stop(s);
}

/* --delay spaces request starts even without robots.txt. */
static void
test_delay_option_spacing(void)
{
	struct testsrv_page site[6];
	struct testsrv *s = robots_site(site, "", 404);
	const char *db = it_db_path("delayopt.db");
	const char *opts[] = {"concurrency=8", "delay=0.15", NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, seed_of(s), opts, &r) == 0);
	check_spacing(s, 6, 150);
	testsrv_stop(s);
}

/*
 * The engine's clock, for the cache: it_robots is linked with
 * -Wl,--wrap=cw_monotonic_ms (CMakeLists.txt), so the engine reads this,
 * the real clock plus clock_skew_ms. (Names are the linker's.)
 */
uint64_t __real_cw_monotonic_ms(void);
uint64_t __wrap_cw_monotonic_ms(void);
static uint64_t clock_skew_ms;

uint64_t
__wrap_cw_monotonic_ms(void)
{
	return __real_cw_monotonic_ms() + clock_skew_ms;
}

/* Leave the loop when the crawl running is done. */
static void
turn_done(struct crawl *c, void *arg)
{
	(void)c;
	event_base_loopbreak(arg);
}

/*
 * Crawl seed n times in turn on one engine (one robots.txt cache), the
 * clock moved on by skip_ms[i] before crawl i. Returns the crawls that
 * ended CRAWL_END_DONE.
 */
static int
crawls_in_turn(const char *db, const char *seed, const uint64_t *skip_ms, int n)
{
	struct engine_config cfg;
	struct crawl_opts o;
	struct store *st = NULL;
	struct event_base *base = event_base_new();
	struct engine *e = NULL;
	struct crawl *c;
	struct timeval deadline = {30, 0};
	char err[256], *seeds[1] = {(char *)(uintptr_t)seed};
	int i, done = 0;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	links_global_init();
	log_init(LOG_LVL_QUIET);
	crawl_opts_init(&o);
	if (base != NULL && store_open(db, 0, &st, err, sizeof(err)) == CW_OK) {
		engine_config_from_opts(&cfg, &o);
		e = engine_new(base, st, &cfg);
	}
	for (i = 0; e != NULL && i < n; i++) {
		clock_skew_ms += skip_ms[i];
		c = NULL;
		if (crawl_start(e, &o, seeds, 1, turn_done, base, &c, err,
			sizeof(err)) != CW_OK)
			break;
		event_base_loopexit(base, &deadline);
		event_base_dispatch(base);
		done += crawl_end_reason(c) == CRAWL_END_DONE;
	}
	clock_skew_ms = 0;
	engine_free(e);
	store_close(st);
	if (base != NULL)
		event_base_free(base);
	crawl_opts_cleanup(&o);
	return done;
}

/*
 * robots.txt is cached per origin for 24 hours: a second crawl of the host
 * on the same engine an hour later does not ask again; one 24 hours and a
 * millisecond after the fetch does.
 */
static void
test_cache_expires(void)
{
	static const uint64_t skip_ms[] = {
	    0, 3600 * 1000, 23 * 3600 * 1000 + 1};
	struct testsrv_page site[6];
	struct testsrv *s =
	    robots_site(site, "User-agent: *\nDisallow: /private/\n", 200);
	const char *db = it_db_path("cache.db");

	CHECK_INT(crawls_in_turn(db, seed_of(s), skip_ms, 2), 2);
	CHECK_INT(testsrv_hits(s, "/robots.txt"), 1);
	CHECK_INT(testsrv_hits(s, "/public"), 2);
	CHECK_INT(testsrv_hits(s, "/private/x"), 0);
	testsrv_stop(s);
	s = robots_site(site, "User-agent: *\nDisallow: /private/\n", 200);
	CHECK_INT(
	    crawls_in_turn(it_db_path("cache2.db"), seed_of(s), skip_ms, 3), 3);
	CHECK_INT(testsrv_hits(s, "/robots.txt"), 2);
	CHECK_INT(testsrv_hits(s, "/public"), 3);
	CHECK_INT(testsrv_hits(s, "/private/x"), 0);
	testsrv_stop(s);
}

/*
 * An unreachable robots.txt (503 here) is not kept for 24 hours like real
 * rules: 4 minutes after the last try the host is still held back without
 * asking, 5 minutes and a millisecond after it robots.txt is asked again
 * (3 tries each time).
 */
static void
test_unreachable_expires_soon(void)
{
	static const uint64_t skip_ms[] = {0, 4 * 60 * 1000, 60 * 1000 + 1};
	struct testsrv_page site[6];
	struct testsrv *s = robots_site(site, "busy", 503);

	/* Tries: 3 for crawl 1, none for crawl 2, 3 for crawl 3 (9 if
	   nothing was kept, 3 if it was kept for a day). */
	CHECK_INT(crawls_in_turn(
		      it_db_path("unreach-ttl.db"), seed_of(s), skip_ms, 3),
	    3);
	CHECK_INT(testsrv_hits(s, "/robots.txt"), 6);
	CHECK_INT(testsrv_total(s), 6); /* no page was asked for */
	testsrv_stop(s);
}

/* /robots.txt redirects hops times (/r1, /r2, ...) to /rules.txt. */
static int
redirect_robots_gen(
    const char *path, struct testsrv_page *o, char *buf, size_t size, void *arg)
{
	int hops = *(const int *)arg, n;

	if (strcmp(path, "/robots.txt") == 0 ||
	    (path[0] == '/' && path[1] == 'r' && path[2] >= '0' &&
		path[2] <= '9')) {
		n = path[2] >= '0' && path[2] <= '9' ? atoi(path + 2) : 0;
		if (n < hops)
			snprintf(buf, size, "/r%d", n + 1);
		else
			snprintf(buf, size, "/rules.txt");
		o->status = 301;
		o->body = "";
		o->location = buf;
		return 1;
	}
	if (strcmp(path, "/rules.txt") == 0) {
		o->content_type = "text/plain";
		o->body = "User-agent: *\nDisallow: /private/\n";
		return 1;
	}
	if (strcmp(path, "/") == 0) {
		o->body = "<a href=\"/private/x\">p</a><a href=\"/open\">o</a>";
		return 1;
	}
	o->body = "leaf";
	return 1;
}

/*
 * A robots.txt behind redirects is followed to its rules, up to 5 hops
 * (RFC 9309 2.3.1.2): with 4 hops (5 redirects in all) /private/ is
 * obeyed; with 5 (6 redirects) robots.txt counts as unavailable and
 * everything is allowed. The hops are not pages of the crawl.
 */
static void
test_redirects_followed(void)
{
	static int four = 4, five = 5;
	struct testsrv *s = testsrv_start_gen(redirect_robots_gen, &four);
	struct testsrv *t;
	const char *db = it_db_path("robotsredir.db");
	const char *db2 = it_db_path("robotsredir2.db");
	const char *opts[] = {NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, seed_of(s), opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(s, "/r4"), 1);
	CHECK_INT(testsrv_hits(s, "/rules.txt"), 1);
	CHECK_INT(testsrv_hits(s, "/private/x"), 0);
	CHECK_INT(testsrv_hits(s, "/open"), 1);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE state='skipped' AND "
		      "reason='robots'"),
	    1);
	CHECK_INT(db_int(db, "SELECT count(*) FROM pages"), 3);
	testsrv_stop(s);

	t = testsrv_start_gen(redirect_robots_gen, &five);
	REQUIRE(it_crawl(db2, seed_of(t), opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(t, "/r5"), 1);
	CHECK_INT(testsrv_hits(t, "/rules.txt"), 0);
	CHECK_INT(testsrv_hits(t, "/private/x"), 1);
	CHECK_INT(db_int(db2, "SELECT count(*) FROM pages"), 3);
	testsrv_stop(t);
}

static const struct test tests[] = {
    TEST(rules_obeyed),
    TEST(missing_allows_all),
    TEST(unreachable_disallows),
    TEST(unreachable_tls_names_cause),
    TEST(unreachable_connect_names_cause),
    TEST(unreachable_fail_fast),
    TEST(no_robots),
    TEST(crawl_delay_spacing),
    TEST(delay_option_spacing),
    TEST(cache_expires),
    TEST(unreachable_expires_soon),
    TEST(redirects_followed),
};

TEST_MAIN(tests)
