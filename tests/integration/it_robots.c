/* SPDX-License-Identifier: MIT */
/*
 * it_robots.c - robots.txt end to end: fetched once per origin before any
 * other request there, Disallow/Allow obeyed (the server records which
 * paths were asked for), 4xx = allow all, 5xx = retried then disallow all,
 * Crawl-delay spacing measured by the server, --no-robots.
 */
#include <stdio.h>
#include <string.h>

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

/* robots.txt 503: tried again, then the host is disallowed. */
static void
test_unreachable_disallows(void)
{
	struct testsrv_page site[6];
	struct testsrv *s = robots_site(site, "busy", 503);
	const char *db = it_db_path("unreach.db");
	const char *opts[] = {NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, seed_of(s), opts, &r) == 0);
	CHECK(!r.timed_out);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(s, "/robots.txt"), 3);
	CHECK_INT(testsrv_total(s), 3);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE reason="
		      "'robots'"),
	    1);
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
 * delay, less the skew of two requests. Each single gap must still be far
 * from the ~0 ms of an unpaced crawl.
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
	CHECK(prev - first >= (long long)(want - 1) * delay_ms - 60);
	CHECK(min_gap >= delay_ms / 3);
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

static const struct test tests[] = {
    TEST(rules_obeyed),
    TEST(missing_allows_all),
    TEST(unreachable_disallows),
    TEST(no_robots),
    TEST(crawl_delay_spacing),
    TEST(delay_option_spacing),
};

TEST_MAIN(tests)
