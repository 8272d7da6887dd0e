/* SPDX-License-Identifier: MIT */
/*
 * it_perf.c - what issue 13 changed in what a crawl does and says, checked
 * on counts and fields, never on durations: the -v summary's per-thread
 * CPU line (loop, parse, store) names the right threads and puts parsing
 * where it ran.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "ithelp.h"
#include "testsrv.h"

#define BIG_PAGES 40 /* pages of ~200 KB under the root */
#define BIG_PAGE_BYTES 200000

static char out[1 << 12], err[1 << 16];

/* "/" links to /p/0 .. /p/BIG_PAGES-1; each of those is ~200 KB of
   paragraphs with a link every few hundred bytes: real parsing work. */
static int
big_site(const char *path, struct testsrv_page *pg, char *buf, size_t size,
    void *arg)
{
	size_t used = 0;
	long i, n = 0;

	(void)arg;
	memset(pg, 0, sizeof(*pg));
	pg->body = buf;
	if (strcmp(path, "/") == 0) {
		used += (size_t)snprintf(buf, size, "<html><body>");
		for (i = 0; i < BIG_PAGES; i++)
			used += (size_t)snprintf(buf + used, size - used,
			    "<a href=\"/p/%ld\">%ld</a>", i, i);
		snprintf(buf + used, size - used, "</body></html>");
		return 1;
	}
	if (strncmp(path, "/p/", 3) != 0)
		return 0;
	used += (size_t)snprintf(buf, size, "<html><body>");
	while (used + 400 < BIG_PAGE_BYTES && used + 400 < size)
		used += (size_t)snprintf(buf + used, size - used,
		    "<p>Lorem ipsum dolor sit amet, <b>consectetur</b> "
		    "adipiscing elit, sed do eiusmod tempor incididunt ut "
		    "labore et dolore <a href=\"/q/%ld\">magna</a> aliqua. "
		    "Ut enim ad minim veniam, quis nostrud exercitation "
		    "ullamco laboris nisi ut aliquip ex ea commodo.</p>\n",
		    n++ % 50);
	snprintf(buf + used, size - used, "</body></html>");
	return 1;
}

/* The numbers of the -v summary's "crawld: cpu:" line. */
struct cpu_line {
	double loop_s, loop_ms, parse_s, parse_ms, process_s;
	unsigned threads;
	char store[32];
	double store_s, store_ms; /* from store[] */
};

/* Find and read the cpu line in text; 0 when it is there and whole. */
static int
cpu_line_parse(const char *text, struct cpu_line *c)
{
	const char *p = strstr(text, "crawld: cpu: ");

	memset(c, 0, sizeof(*c));
	if (p == NULL)
		return -1;
	if (sscanf(p,
		"crawld: cpu: loop %lf s (%lf ms/page), parse %lf s (%lf "
		"ms/page, %u thread",
		&c->loop_s, &c->loop_ms, &c->parse_s, &c->parse_ms,
		&c->threads) != 5)
		return -1;
	p = strstr(p, " thread");
	if (p != NULL)
		p = strstr(p, "), ");
	if (p == NULL ||
	    sscanf(p, "), %31[^;]; process %lf s", c->store, &c->process_s) !=
		2)
		return -1;
	return 0;
}

/* Crawl the big site with --parse-threads threads; read the cpu line. */
static int
crawl_cpu(const char *origin, const char *threads, const char *name,
    struct cpu_line *c)
{
	char seed[128];
	const char *db = it_db_path(name);
	const char *argv[] = {"crawl", "-v", "--depth", "2", "--parse-threads",
	    threads, "--db", db, seed, NULL};

	snprintf(seed, sizeof(seed), "%s/", origin);
	if (it_run_crawld(argv, out, sizeof(out), err, sizeof(err)) != 0)
		return -1;
	return cpu_line_parse(err, c);
}

/*
 * -v ends with the CPU by thread role. Parsing on workers is counted on
 * them; with --parse-threads 0 it is still "parse", not "loop", although
 * it ran on the loop thread. The roles never add up to more than the
 * process (each is a share of it), and the store says where it runs.
 */
static void
test_cpu_summary(void)
{
	struct testsrv *s = testsrv_start_gen(big_site, NULL);
	struct cpu_line c;
	long long pages;

	REQUIRE(s != NULL);
	REQUIRE(crawl_cpu(testsrv_origin(s), "2", "cpu2.db", &c) == 0);
	pages = db_int(it_db_path("cpu2.db"),
	    "SELECT count(*) FROM pages WHERE state = 'done' AND status = 200");
	CHECK_INT(pages, BIG_PAGES + 1);
	CHECK_INT(c.threads, 2);
	/* ~8 MB of HTML went through libxml2 on the workers. */
	CHECK(c.parse_s > 0);
	CHECK(c.parse_ms > 0);
	CHECK(c.loop_s > 0);
	/* SQLite runs on the store's thread: the page and link rows of the
	   crawl cost it more than a thread that only waited. */
	CHECK(sscanf(c.store, "store %lf s (%lf ms/page)", &c.store_s,
		  &c.store_ms) == 2);
	CHECK(c.store_ms > 0.001);
	CHECK(c.loop_s + c.parse_s + c.store_s <= c.process_s + 0.02);

	REQUIRE(crawl_cpu(testsrv_origin(s), "0", "cpu0.db", &c) == 0);
	CHECK_INT(c.threads, 0);
	CHECK(c.parse_s > 0);
	CHECK(c.loop_s > 0);
	CHECK(c.loop_s + c.parse_s <= c.process_s + 0.02);
	testsrv_stop(s);
}

/* Without -v there is no cpu line (the summary stays two lines). */
static void
test_cpu_summary_needs_v(void)
{
	struct testsrv *s = testsrv_start_gen(big_site, NULL);
	const char *db = it_db_path("quiet.db");
	char seed[128];
	const char *argv[] = {"crawl", "--depth", "0", "--db", db, seed, NULL};

	REQUIRE(s != NULL);
	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	CHECK_INT(it_run_crawld(argv, out, sizeof(out), err, sizeof(err)), 0);
	CHECK(strstr(err, "crawld: cpu:") == NULL);
	CHECK(strstr(err, "crawld: crawl 1:") != NULL);
	testsrv_stop(s);
}

static const struct test tests[] = {
    TEST(cpu_summary),
    TEST(cpu_summary_needs_v),
};

TEST_MAIN(tests)
