/* SPDX-License-Identifier: MIT */
/*
 * it_policy.c - fetch policy end to end: retries with Retry-After and
 * backoff, the SSRF guard on the address really connected to, and the URL
 * length limit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "ithelp.h"
#include "rawsrv.h"
#include "testsrv.h"

static char url_buf[256];

static const char *
seed_of(struct testsrv *s)
{
	snprintf(url_buf, sizeof(url_buf), "%s/", testsrv_origin(s));
	return url_buf;
}

/*
 * /busy answers 503 with Retry-After: value once, then 200. The page must
 * be done after two attempts; returns the gap between them as the server
 * saw them (ms), -1 when there were not two.
 */
static long long
retry_after_gap(const char *name, const char *value)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/busy\">b</a>", NULL, 0},
	    {"/busy", 0, NULL, "finally", NULL, 0},
	};
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path(name);
	const char *opts[] = {"robots=false", NULL};
	struct it_result r;
	long long t0 = -1, t1 = -1, t;
	char path[64];
	unsigned i;

	testsrv_fail_first(s, "/busy", 1, 503, value);
	if (it_crawl(db, seed_of(s), opts, &r) != 0) {
		harness_failures++;
		testsrv_stop(s);
		return -1;
	}
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(s, "/busy"), 2);
	CHECK_INT(db_int(db,
		      "SELECT status FROM pages WHERE url LIKE "
		      "'%%/busy'"),
	    200);
	CHECK_INT(db_int(db,
		      "SELECT attempts FROM pages WHERE url LIKE "
		      "'%%/busy'"),
	    2);
	CHECK_INT(r.stats.retries, 1);
	for (i = 0; (t = testsrv_request_at(s, i, path, sizeof(path))) >= 0;
	     i++) {
		if (strcmp(path, "/busy") != 0)
			continue;
		if (t0 < 0)
			t0 = t;
		else
			t1 = t;
	}
	testsrv_stop(s);
	return t0 >= 0 && t1 >= 0 ? t1 - t0 : -1;
}

/* An HTTP date secs seconds from now (RFC 9110 IMF-fixdate). */
static void
http_date(char *buf, size_t size, long secs)
{
	time_t when = time(NULL) + secs;
	struct tm tm;

	gmtime_r(&when, &tm);
	strftime(buf, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/*
 * Retry-After: 3 is honoured. The backoff of a first retry alone is
 * 0.5-1 s, so a gap of 2.5 s or more is the header's doing (a slow machine
 * only makes the gap longer). The old "1" was within the jitter's reach.
 */
static void
test_retry_after_then_ok(void)
{
	long long gap = retry_after_gap("retryafter.db", "3");

	CHECK(gap >= 2500);
	if (gap < 2500)
		fprintf(stderr, "  gap %lld ms\n", gap);
}

/* Retry-After as an HTTP date 5 s ahead: waited for too (whole seconds,
   so at least 4 s less the time the answer took to arrive). */
static void
test_retry_after_http_date(void)
{
	char date[64];
	long long gap;

	http_date(date, sizeof(date), 5);
	gap = retry_after_gap("retrydate.db", date);
	CHECK(gap >= 2500);
	if (gap < 2500)
		fprintf(
		    stderr, "  gap %lld ms after Retry-After: %s\n", gap, date);
}

/*
 * A Retry-After over an hour (in seconds or as a date) is not waited for:
 * the 503 is the page's outcome after one attempt, nothing is retried and
 * the crawl ends (it would sit out the deadline otherwise).
 */
static void
test_retry_after_over_an_hour(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/secs\">s</a><a href=\"/date\">d</a>",
		NULL, 0},
	    {"/secs", 0, NULL, "never", NULL, 0},
	    {"/date", 0, NULL, "never", NULL, 0},
	};
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("retrylong.db");
	const char *opts[] = {"robots=false", NULL};
	struct it_result r;
	char date[64];

	http_date(date, sizeof(date), 2 * 3600);
	testsrv_fail_first(s, "/secs", 1, 503, "3601");
	testsrv_fail_first(s, "/date", 1, 503, date);
	REQUIRE(it_crawl(db, seed_of(s), opts, &r) == 0);
	CHECK(!r.timed_out);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(s, "/secs"), 1);
	CHECK_INT(testsrv_hits(s, "/date"), 1);
	CHECK_INT(r.stats.retries, 0);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE state='done' AND "
		      "status=503 AND attempts=1"),
	    2);
	testsrv_stop(s);
}

/* --retries 1 with a page that always answers 500: two attempts, then the
   500 is recorded as the page's (complete) response. */
static void
test_retries_exhausted(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/broken\">b</a><a href=\"/fine\">f</a>",
		NULL, 0},
	    {"/broken", 500, NULL, "oops", NULL, 0},
	    {"/fine", 0, NULL, "ok", NULL, 0},
	};
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("exhausted.db");
	const char *opts[] = {"robots=false", "retries=1", NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, seed_of(s), opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(s, "/broken"), 2);
	CHECK_INT(testsrv_hits(s, "/fine"), 1);
	CHECK_INT(db_int(db,
		      "SELECT attempts FROM pages WHERE url LIKE "
		      "'%%/broken'"),
	    2);
	CHECK_INT(db_int(db,
		      "SELECT state = 'done' AND status = 500 FROM "
		      "pages WHERE url LIKE '%%/broken'"),
	    1);
	testsrv_stop(s);
}

/* A 404 is not retried; --retry-status can make it so. */
static void
test_retry_status_option(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/gone\">g</a>", NULL, 0},
	};
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db1 = it_db_path("rs1.db"), *db2 = it_db_path("rs2.db");
	const char *plain[] = {"robots=false", NULL};
	const char *with404[] = {
	    "robots=false", "retries=1", "retry-status=4xx", NULL};
	struct it_result r;

	REQUIRE(it_crawl(db1, seed_of(s), plain, &r) == 0);
	CHECK_INT(testsrv_hits(s, "/gone"), 1);
	REQUIRE(it_crawl(db2, seed_of(s), with404, &r) == 0);
	CHECK_INT(testsrv_hits(s, "/gone"), 3);
	testsrv_stop(s);
}

/* A timeout is retried: the stalling server sees two connections. */
static void
test_timeout_retried(void)
{
	struct rawsrv *s = rawsrv_start(RAWSRV_STALL);
	const char *db = it_db_path("timeoutretry.db");
	const char *opts[] = {"robots=false", "retries=1", "timeout=0.3", NULL};
	struct it_result r;
	char seed[64];

	snprintf(seed, sizeof(seed), "http://127.0.0.1:%u/", rawsrv_port(s));
	REQUIRE(it_crawl(db, seed, opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(rawsrv_accepted(s), 2);
	CHECK_INT(db_int(db, "SELECT attempts FROM pages"), 2);
	rawsrv_stop(s);
}

/*
 * The SSRF guard: a crawl of 127.0.0.2 with --scope any may not reach
 * 127.0.0.1, by link, by redirect or by a numeric spelling of the
 * address; a file: redirect leads nowhere. --allow-private lifts it.
 */
static void
test_ssrf_guard(void)
{
	static struct testsrv_page inner[] = {
	    {"/secret", 0, NULL, "secret", NULL, 0},
	    {"/secret2", 0, NULL, "secret", NULL, 0},
	    {"/secret3", 0, NULL, "secret", NULL, 0},
	};
	static struct testsrv_page outer[] = {
	    {"/", 0, NULL, NULL, NULL, 0},
	    {"/r", 302, NULL, "", NULL, 0},
	    {"/f", 302, NULL, "", "file:///etc/passwd", 0},
	};
	struct testsrv *in = testsrv_start(inner, CW_NELEM(inner));
	struct testsrv *out;
	char body[512], loc[128], seed[128];
	const char *db1 = it_db_path("ssrf1.db"), *db2 = it_db_path("ssrf2.db");
	const char *guarded[] = {"robots=false", "scope=any", NULL};
	const char *open[] = {
	    "robots=false", "scope=any", "allow-private=true", NULL};
	struct it_result r;
	unsigned port = testsrv_port(in);

	snprintf(body, sizeof(body),
	    "<a href=\"http://127.0.0.1:%u/secret\">1</a>"
	    "<a href=\"http://0x7f.1:%u/secret3\">2</a>"
	    "<a href=\"/r\">3</a><a href=\"/f\">4</a>",
	    port, port);
	snprintf(loc, sizeof(loc), "http://127.0.0.1:%u/secret2", port);
	outer[0].body = body;
	outer[1].location = loc;
	out = testsrv_start_on("127.0.0.2", outer, CW_NELEM(outer));
	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(out));

	REQUIRE(it_crawl(db1, seed, guarded, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_total(in), 0);
	CHECK_INT(testsrv_hits(out, "/r"), 1);
	CHECK_INT(db_int(db1,
		      "SELECT count(*) FROM pages WHERE state="
		      "'skipped' AND reason='blocked-address'"),
	    3);
	CHECK_INT(db_int(db1,
		      "SELECT count(*) FROM pages WHERE url LIKE "
		      "'file:%%'"),
	    0);

	REQUIRE(it_crawl(db2, seed, open, &r) == 0);
	CHECK_INT(testsrv_hits(in, "/secret"), 1);
	CHECK_INT(testsrv_hits(in, "/secret2"), 1);
	CHECK_INT(testsrv_hits(in, "/secret3"), 1);
	testsrv_stop(out);
	testsrv_stop(in);
}

/* URLs over --max-url-length are recorded, not fetched. */
static void
test_url_length_limit(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL,
		"<a href=\"/short\">s</a>"
		"<a href=\"/a-rather-long-path-name-that-is-over-the-limit"
		"\">l</a>",
		NULL, 0},
	};
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("urllen.db");
	const char *opts[] = {"robots=false", "max-url-length=40", NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, seed_of(s), opts, &r) == 0);
	CHECK_INT(testsrv_hits(s, "/short"), 1);
	CHECK_INT(testsrv_total(s), 2);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE reason="
		      "'url-length'"),
	    1);
	testsrv_stop(s);
}

/* /hN answers 302 to /h(N+1), forever. */
static int
chain_gen(const char *path, struct testsrv_page *out, char *buf, size_t size,
    void *arg)
{
	(void)arg;
	if (strcmp(path, "/") == 0) {
		out->body = "<a href=\"/h0\">start</a>";
		return 1;
	}
	if (strncmp(path, "/h", 2) != 0)
		return 0;
	snprintf(buf, size, "/h%d", atoi(path + 2) + 1);
	out->status = 302;
	out->body = "";
	out->location = buf;
	return 1;
}

/* A redirect chain is cut after --max-redirects hops. */
static void
test_redirect_chain_bounded(void)
{
	struct testsrv *s = testsrv_start_gen(chain_gen, NULL);
	const char *db = it_db_path("chain.db");
	const char *opts[] = {"robots=false", "max-redirects=10", NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, seed_of(s), opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	/* /h0 is a link; /h1 .. /h10 are hops 1 .. 10; /h11 is one too many. */
	CHECK_INT(testsrv_hits(s, "/h10"), 1);
	CHECK_INT(testsrv_hits(s, "/h11"), 0);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE reason="
		      "'redirects' AND url LIKE '%%/h11'"),
	    1);
	CHECK_INT(testsrv_total(s), 12);
	testsrv_stop(s);
}

/* / links to /a0 .. /a199; each /aN answers 301 to /bN, a plain page. */
static int
moved_gen(const char *path, struct testsrv_page *out, char *buf, size_t size,
    void *arg)
{
	size_t n = 0;
	int i;

	(void)arg;
	if (strcmp(path, "/") == 0) {
		for (i = 0; i < 200; i++)
			n += (size_t)snprintf(
			    buf + n, size - n, "<a href=\"/a%d\">%d</a>", i, i);
		out->body = buf;
		return 1;
	}
	if (path[0] != '/' || (path[1] != 'a' && path[1] != 'b'))
		return 0;
	if (path[1] == 'a') {
		snprintf(buf, size, "/b%s", path + 2);
		out->status = 301;
		out->location = buf;
	}
	out->content_type = "text/plain";
	out->body = "";
	return 1;
}

/*
 * Defect 4 of issue 10: a redirect target's hop count is dropped once its
 * task is done, so a site that redirects every link does not keep a copy
 * of every target for the life of the crawl (before: 200 entries left).
 */
static void
test_redirect_hops_dropped(void)
{
	struct testsrv *s = testsrv_start_gen(moved_gen, NULL);
	const char *db = it_db_path("moved.db");
	const char *opts[] = {"robots=false", NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, seed_of(s), opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_total(s), 401);
	CHECK_INT(r.stats.done, 401);
	CHECK_INT(r.stats.redirects_waiting, 0);
	testsrv_stop(s);
}

/* / links to /c0/h0 .. /c19/h0; /cK/hN answers 302 to /cK/h(N+1). */
static int
chains_gen(const char *path, struct testsrv_page *out, char *buf, size_t size,
    void *arg)
{
	size_t n = 0;
	int i, k, h;

	(void)arg;
	if (strcmp(path, "/") == 0) {
		for (i = 0; i < 20; i++)
			n += (size_t)snprintf(buf + n, size - n,
			    "<a href=\"/c%d/h0\">%d</a>", i, i);
		out->body = buf;
		return 1;
	}
	if (sscanf(path, "/c%d/h%d", &k, &h) != 2)
		return 0;
	snprintf(buf, size, "/c%d/h%d", k, h + 1);
	out->status = 302;
	out->body = "";
	out->location = buf;
	return 1;
}

/*
 * Twenty redirect chains at once with --queue-memory 4, so most targets
 * wait as rows in the database: their hop counts wait with them (by page
 * id) and every chain is still cut after --max-redirects hops.
 */
static void
test_redirect_chains_bounded_when_spilled(void)
{
	struct testsrv *s = testsrv_start_gen(chains_gen, NULL);
	const char *db = it_db_path("chains.db");
	const char *opts[] = {
	    "robots=false", "max-redirects=5", "queue-memory=4", NULL};
	struct it_result r;
	char path[32];
	int k, cut = 0;

	REQUIRE(it_crawl(db, seed_of(s), opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK(r.stats.spilled_total > 0);
	for (k = 0; k < 20; k++) {
		snprintf(path, sizeof(path), "/c%d/h5", k);
		cut += testsrv_hits(s, path) == 1;
		snprintf(path, sizeof(path), "/c%d/h6", k);
		cut += testsrv_hits(s, path) == 0;
	}
	CHECK_INT(cut, 40);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE reason='redirects'"),
	    20);
	CHECK_INT(testsrv_total(s), 1 + 20 * 6);
	CHECK_INT(r.stats.redirects_waiting, 0);
	testsrv_stop(s);
}

/* A host with 10 pages that each take 150 ms. */
static int
slow_gen(const char *path, struct testsrv_page *out, char *buf, size_t size,
    void *arg)
{
	size_t n = 0;
	int i;

	(void)arg;
	if (strcmp(path, "/") == 0) {
		for (i = 0; i < 10; i++)
			n += (size_t)snprintf(
			    buf + n, size - n, "<a href=\"/p%d\">%d</a>", i, i);
		out->body = buf;
		return 1;
	}
	if (strncmp(path, "/p", 2) != 0)
		return 0;
	out->body = "page";
	out->delay_ms = 150;
	return 1;
}

/*
 * Two hosts on one port, 127.0.0.2 and 127.0.0.3, each a seed, with
 * --per-host 2: neither server sees more than 2 requests at once, and
 * they are served side by side (host b's pages arrive while host a is
 * still being crawled), not one after the other.
 */
static void
test_two_hosts_per_host(void)
{
	struct testsrv *a =
	    testsrv_start_gen_on("127.0.0.2", 0, slow_gen, NULL);
	struct testsrv *b =
	    testsrv_start_gen_on("127.0.0.3", testsrv_port(a), slow_gen, NULL);
	const char *db = it_db_path("twohosts.db");
	char seed_a[128], seed_b[128], path[64];
	const char *seeds[] = {seed_a, seed_b};
	const char *opts[] = {
	    "robots=false", "per-host=2", "concurrency=16", NULL};
	struct it_result r;
	long long a_last = 0, b_second, t;
	unsigned i;

	snprintf(seed_a, sizeof(seed_a), "%s/", testsrv_origin(a));
	snprintf(seed_b, sizeof(seed_b), "%s/", testsrv_origin(b));
	REQUIRE(it_crawl_seeds(db, seeds, 2, opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_total(a), 11);
	CHECK_INT(testsrv_total(b), 11);
	CHECK_INT(testsrv_max_in_flight(a), 2);
	CHECK_INT(testsrv_max_in_flight(b), 2);
	for (i = 0; (t = testsrv_request_at(a, i, path, sizeof(path))) >= 0;
	     i++)
		a_last = t;
	b_second = testsrv_request_at(b, 1, path, sizeof(path));
	/* Host a alone needs 5 x 150 ms for its pages. */
	CHECK(b_second >= 0 && b_second < a_last);
	testsrv_stop(a);
	testsrv_stop(b);
}

/*
 * Credentials and cookies never go to another host: the seed on
 * 127.0.0.2 is crawled with user:pw in its URL and sets a cookie; its
 * redirect and link to 127.0.0.3 (the other seed's host, so the SSRF
 * guard allows it) arrive there with neither Authorization nor Cookie.
 */
static void
test_no_credentials_to_other_host(void)
{
	static struct testsrv_page pa[] = {
	    {"/", 0, NULL, NULL, NULL, 0},
	    {"/go", 302, NULL, "", NULL, 0},
	};
	static const struct testsrv_page pb[] = {
	    {"/", 0, NULL, "b", NULL, 0},
	    {"/x", 0, NULL, "x", NULL, 0},
	    {"/y", 0, NULL, "y", NULL, 0},
	};
	struct testsrv *a = testsrv_start_on("127.0.0.2", pa, CW_NELEM(pa));
	struct testsrv *b;
	char body[256], loc[128], seed_a[128], seed_b[128];
	const char *seeds[] = {seed_a, seed_b};
	const char *opts[] = {"robots=false", "scope=any", NULL};
	const char *db = it_db_path("creds.db");
	struct it_result r;

	b = testsrv_start_on("127.0.0.3", pb, CW_NELEM(pb));
	snprintf(body, sizeof(body),
	    "<a href=\"/go\">go</a><a href=\"%s/y\">y</a>", testsrv_origin(b));
	snprintf(loc, sizeof(loc), "%s/x", testsrv_origin(b));
	pa[0].body = body;
	pa[1].location = loc;
	testsrv_set_cookie(a, "session=secret; Path=/");
	snprintf(seed_a, sizeof(seed_a), "http://user:pw@127.0.0.2:%u/",
	    testsrv_port(a));
	snprintf(seed_b, sizeof(seed_b), "%s/", testsrv_origin(b));
	REQUIRE(it_crawl_seeds(db, seeds, 2, opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(b, "/x"), 1);
	CHECK_INT(testsrv_hits(b, "/y"), 1);
	/* The seed itself was fetched with its credentials... */
	CHECK(testsrv_auth_or_cookie(a) >= 1);
	/* ...and nothing of them reached the other host. */
	CHECK_INT(testsrv_auth_or_cookie(b), 0);
	testsrv_stop(a);
	testsrv_stop(b);
}

static const struct test tests[] = {
    TEST(no_credentials_to_other_host),
    TEST(redirect_chain_bounded),
    TEST(redirect_hops_dropped),
    TEST(redirect_chains_bounded_when_spilled),
    TEST(two_hosts_per_host),
    TEST(retry_after_then_ok),
    TEST(retry_after_http_date),
    TEST(retry_after_over_an_hour),
    TEST(retries_exhausted),
    TEST(retry_status_option),
    TEST(timeout_retried),
    TEST(ssrf_guard),
    TEST(url_length_limit),
};

TEST_MAIN(tests)
