/* SPDX-License-Identifier: MIT */
/*
 * it_inject.c - what the engine does when a call it depends on fails in a
 * way no server can provoke: out of memory in the robots.txt handler and
 * in link extraction. The failures are injected at link time (CMake links
 * this test with -Wl,--wrap=SYMBOL for each function below, so the
 * engine's calls reach __wrap_SYMBOL, which fails on demand or passes the
 * call on to __real_SYMBOL).
 *
 * Bad input or a failed call gets a clear error and loses nothing: the
 * crawl ends (no hang) with CRAWL_END_ERROR and a message, the open batch
 * is dropped, and nothing half recorded is committed.
 */
#include <stdio.h>
#include <string.h>

#include "crawld/web/links.h"
#include "crawld/web/robots.h"
#include "harness.h"
#include "ithelp.h"
#include "testsrv.h"

/* Set before a crawl starts (so before the parse threads exist). */
static int fail_robots_parse;
static int fail_links_extract;

enum cw_rc __real_robots_parse(
    const char *body, size_t len, const char *agent, struct robots **out);
enum cw_rc __wrap_robots_parse(
    const char *body, size_t len, const char *agent, struct robots **out);
enum cw_rc __real_links_extract(const char *html, size_t len,
    const char *base_url, size_t max_links, struct link_list *out);
enum cw_rc __wrap_links_extract(const char *html, size_t len,
    const char *base_url, size_t max_links, struct link_list *out);

/* robots_parse(), out of memory on demand. */
enum cw_rc
__wrap_robots_parse(
    const char *body, size_t len, const char *agent, struct robots **out)
{
	if (fail_robots_parse)
		return CW_ENOMEM;
	return __real_robots_parse(body, len, agent, out);
}

/* links_extract(), out of memory on demand (on a parse thread). */
enum cw_rc
__wrap_links_extract(const char *html, size_t len, const char *base_url,
    size_t max_links, struct link_list *out)
{
	if (fail_links_extract)
		return CW_ENOMEM;
	return __real_links_extract(html, len, base_url, max_links, out);
}

static const struct testsrv_page site[] = {
    {"/robots.txt", 0, "text/plain", "User-agent: *\nDisallow: /x\n", NULL, 0},
    {"/", 0, NULL, "<a href=\"/a\">a</a>", NULL, 0},
    {"/a", 0, NULL, "leaf", NULL, 0},
};

/*
 * Defect 7 of issue 10: out of memory while reading robots.txt left the
 * host gated for good and the crawl never ended (the 60 s deadline of
 * it_crawl ended it). Now the crawl ends with the error at once.
 */
static void
test_robots_oom_ends_crawl(void)
{
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("robots-oom.db");
	const char *opts[] = {NULL};
	struct it_result r;
	char seed[128];

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	fail_robots_parse = 1;
	REQUIRE(it_crawl(db, seed, opts, &r) == 0);
	fail_robots_parse = 0;
	CHECK(!r.timed_out);
	CHECK_INT(r.end, CRAWL_END_ERROR);
	CHECK(strstr(r.message, "out of memory reading http://127.0.0.1:") ==
	    r.message);
	CHECK(strstr(r.message, "/robots.txt") != NULL);
	CHECK_INT(testsrv_hits(s, "/robots.txt"), 1);
	CHECK_INT(testsrv_hits(s, "/"), 0);
	/* The crawl is left to resume: running, its seed still queued. */
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM crawls WHERE "
		      "state='running'"),
	    1);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE "
		      "state='queued'"),
	    1);
	testsrv_stop(s);
}

/*
 * Out of memory extracting a page's links (the same class as defect 1):
 * the page was recorded 'done' without them and the crawl went on to end
 * DONE. Now the crawl ends with the error and the page is not 'done'.
 */
static void
test_links_oom_ends_crawl(void)
{
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("links-oom.db");
	const char *opts[] = {"robots=false", NULL};
	struct it_result r;
	char seed[128];

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	fail_links_extract = 1;
	REQUIRE(it_crawl(db, seed, opts, &r) == 0);
	fail_links_extract = 0;
	CHECK(!r.timed_out);
	CHECK_INT(r.end, CRAWL_END_ERROR);
	CHECK_STR(r.message, "out of memory");
	CHECK_INT(testsrv_hits(s, "/"), 1);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE state='done'"), 0);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM crawls WHERE "
		      "state='running'"),
	    1);
	testsrv_stop(s);
}

static const struct test tests[] = {
    TEST(robots_oom_ends_crawl),
    TEST(links_oom_ends_crawl),
};

TEST_MAIN(tests)
