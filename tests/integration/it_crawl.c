/* SPDX-License-Identifier: MIT */
/*
 * it_crawl.c - crawls of well-behaved sites served by the in-process evhttp
 * fixture (testsrv), asserting the database and the server's own counts.
 */
#include <stdio.h>
#include <string.h>

#include "crawld/store/export.h"
#include "harness.h"
#include "ithelp.h"
#include "testsrv.h"

static char url_buf[512];

/* origin + path, in a static buffer. */
static const char *
at(struct testsrv *s, const char *path)
{
	snprintf(url_buf, sizeof(url_buf), "%s%s", testsrv_origin(s), path);
	return url_buf;
}

/*
 * A ternary tree: "/t/" is the root, "/t/<digits>" a node whose depth is the
 * number of digits; each node links to its three children.
 */
static int
tree_gen(const char *path, struct testsrv_page *out, char *buf, size_t size,
    void *arg)
{
	(void)arg;
	if (strncmp(path, "/t/", 3) != 0 || strlen(path) > 40)
		return 0;
	snprintf(buf, size,
	    "<html><body><a href=\"%s0\">0</a> <a href=\"%s1\">1</a> "
	    "<a href=\"%s2\">2</a></body></html>",
	    path, path, path);
	out->body = buf;
	return 1;
}

/*
 * Depth limit: pages at depth N are fetched, and by default not parsed
 * for links (as wget, wget2 and HTTrack do): their links could only be
 * 'skipped' rows. The fetched set is the same either way.
 */
static void
test_depth_limit(void)
{
	struct testsrv *s = testsrv_start_gen(tree_gen, NULL);
	const char *db = it_db_path("depth.db");
	const char *opts[] = {"depth=2", "robots=false", NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, at(s, "/t/"), opts, &r) == 0);
	CHECK(!r.timed_out);
	CHECK_INT(r.end, CRAWL_END_DONE);
	/* 1 + 3 + 9 fetched; nothing of depth 3 recorded. */
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE state='done'"), 13);
	CHECK_INT(db_int(db, "SELECT count(*) FROM pages"), 13);
	CHECK_INT(db_int(db, "SELECT count(*) FROM pages WHERE depth=3"), 0);
	CHECK_INT(
	    db_int(db, "SELECT max(depth) FROM pages WHERE state='done'"), 2);
	CHECK_INT(testsrv_total(s), 13);
	CHECK_INT(testsrv_hits(s, "/t/000"), 0);
	CHECK_INT(testsrv_hits(s, "/t/22"), 1);
	/* The links of depths 0 and 1; none from the 9 pages at depth 2. */
	CHECK_INT(db_int(db, "SELECT count(*) FROM links"), 12);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM links JOIN pages ON id = src_id"
		      " WHERE depth = 2"),
	    0);
	CHECK_INT(r.stats.links, 12);
	CHECK_INT(r.stats.skipped, 0);
	CHECK(r.frontier_idle);
	testsrv_stop(s);
}

/* --edge-links: the pages at depth N are parsed too, and their links
   recorded as 'skipped' (depth) rows; still nothing deeper is fetched. */
static void
test_depth_limit_edge_links(void)
{
	struct testsrv *s = testsrv_start_gen(tree_gen, NULL);
	const char *db = it_db_path("depth-edge.db");
	const char *opts[] = {
	    "depth=2", "robots=false", "edge-links=true", NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, at(s, "/t/"), opts, &r) == 0);
	CHECK(!r.timed_out);
	CHECK_INT(r.end, CRAWL_END_DONE);
	/* 1 + 3 + 9 fetched; the 27 grandchildren of depth 3 recorded. */
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE state='done'"), 13);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE state='skipped'"
		      " AND reason='depth' AND depth=3"),
	    27);
	CHECK_INT(
	    db_int(db, "SELECT max(depth) FROM pages WHERE state='done'"), 2);
	CHECK_INT(testsrv_total(s), 13);
	CHECK_INT(testsrv_hits(s, "/t/000"), 0);
	CHECK_INT(db_int(db, "SELECT count(*) FROM links"), 39);
	CHECK_INT(r.stats.skipped, 27);
	CHECK(r.frontier_idle);
	testsrv_stop(s);
}

/* A redirect at the depth limit is still followed (its target has the
   same depth), and the target is not parsed either. */
static void
test_depth_limit_redirect(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/r\">r</a>", NULL, 0},
	    {"/r", 301, NULL, NULL, "/b", 0},
	    {"/b", 0, NULL, "<a href=\"/c\">c</a><a href=\"/\">home</a>", NULL,
		0},
	    {"/c", 0, NULL, "deeper", NULL, 0},
	};
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("depth-redirect.db");
	const char *opts[] = {"depth=1", "robots=false", NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, at(s, "/"), opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(s, "/b"), 1);
	CHECK_INT(testsrv_hits(s, "/c"), 0);
	CHECK_INT(db_int(db,
		      "SELECT depth FROM pages WHERE url LIKE '%%/b'"
		      " AND state = 'done'"),
	    1);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE url LIKE "
		      "'%%/c'"),
	    0);
	/* "/" -> "/r" (a), "/r" -> "/b" (redirect); "/b" is not parsed. */
	CHECK_INT(db_int(db, "SELECT count(*) FROM links"), 2);
	testsrv_stop(s);
}

/* Fragment, case and dot-segment spellings of one URL: one fetch. */
static void
test_url_variants_fetched_once(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL,
		"<a href=\"/a\">1</a><a href=\"/a#frag\">2</a>"
		"<a href=\"/x/../a\">3</a><a href=\"./a#top\">4</a>"
		"<a href=\"%ORIGIN%/b/./../a\">5</a>"
		"<a href=\"HTTP://127.0.0.1:%PORT%/a\">6</a>",
		NULL, 0},
	    {"/a", 0, NULL, "<a href=\"/\">home</a>", NULL, 0},
	};
	struct testsrv_page local[2];
	char body[1024];
	struct testsrv *s;
	const char *db = it_db_path("variants.db");
	const char *opts[] = {"robots=false", NULL};
	struct it_result r;
	char port[16], *p;

	memcpy(local, site, sizeof(site));
	s = testsrv_start(local, 2);
	/* %PORT% is ours, not the server's: put the port in by hand. */
	snprintf(port, sizeof(port), "%u", testsrv_port(s));
	snprintf(body, sizeof(body), "%s", site[0].body);
	p = strstr(body, "%PORT%");
	REQUIRE(p != NULL);
	memmove(p + strlen(port), p + 6, strlen(p + 6) + 1);
	memcpy(p, port, strlen(port));
	local[0].body = body;

	REQUIRE(it_crawl(db, at(s, "/"), opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(s, "/a"), 1);
	CHECK_INT(testsrv_hits(s, "/"), 1);
	CHECK_INT(db_int(db, "SELECT count(*) FROM pages"), 2);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE url LIKE "
		      "'%%#%%'"),
	    0);
	testsrv_stop(s);
}

/* Relative references, <base href>, query-only and scheme-relative. */
static void
test_relative_and_base(void)
{
	static const struct testsrv_page site[] = {
	    {"/dir/page.html", 0, NULL,
		"<html><head><base href=\"/other/\"></head><body>"
		"<a href=\"x.html\">x</a></body></html>",
		NULL, 0},
	    {"/rel/p.html", 0, NULL,
		"<a href=\"../up.html\">u</a><a href=\"sub/s.html\">s</a>"
		"<a href=\"?q=1\">q</a><a href=\"//127.0.0.1:%PORT%/pr\">"
		"p</a><iframe src=\"frame.html\"></iframe>"
		"<area href=\"area.html\"><link href=\"/style.css\">",
		NULL, 0},
	    {"/seed", 0, NULL,
		"<a href=\"dir/page.html\">d</a><a href=\"rel/p.html\">r"
		"</a>",
		NULL, 0},
	};
	struct testsrv_page local[3];
	char body[1024], port[16], *p;
	struct testsrv *s;
	const char *db = it_db_path("base.db");
	const char *opts[] = {"robots=false", NULL};
	struct it_result r;

	memcpy(local, site, sizeof(site));
	s = testsrv_start(local, 3);
	snprintf(port, sizeof(port), "%u", testsrv_port(s));
	snprintf(body, sizeof(body), "%s", site[1].body);
	p = strstr(body, "%PORT%");
	REQUIRE(p != NULL);
	memmove(p + strlen(port), p + 6, strlen(p + 6) + 1);
	memcpy(p, port, strlen(port));
	local[1].body = body;

	REQUIRE(it_crawl(db, at(s, "/seed"), opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(s, "/other/x.html"), 1);
	CHECK_INT(testsrv_hits(s, "/dir/x.html"), 0);
	CHECK_INT(testsrv_hits(s, "/up.html"), 1);
	CHECK_INT(testsrv_hits(s, "/rel/sub/s.html"), 1);
	CHECK_INT(testsrv_hits(s, "/rel/p.html?q=1"), 1);
	CHECK_INT(testsrv_hits(s, "/pr"), 1);
	CHECK_INT(testsrv_hits(s, "/rel/frame.html"), 1);
	CHECK_INT(testsrv_hits(s, "/rel/area.html"), 1);
	CHECK_INT(testsrv_hits(s, "/style.css"), 1);
	testsrv_stop(s);
}

/*
 * Join: the only page left in flight is slow, and it adds work after the
 * queue has drained. The crawl must wait for it and fetch what it adds.
 */
static void
test_join_waits_for_slow_page(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/slow\">s</a><a href=\"/fast\">f</a>",
		NULL, 0},
	    {"/fast", 0, NULL, "fast", NULL, 0},
	    {"/slow", 0, NULL, "<a href=\"/late\">late</a>", NULL, 700},
	    {"/late", 0, NULL, "<a href=\"/later\">later</a>", NULL, 0},
	    {"/later", 0, NULL, "end", NULL, 300},
	};
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("join.db");
	const char *opts[] = {"robots=false", "concurrency=4", NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, at(s, "/"), opts, &r) == 0);
	CHECK(!r.timed_out);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(s, "/late"), 1);
	CHECK_INT(testsrv_hits(s, "/later"), 1);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE state='done'"), 5);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE state IN "
		      "('queued','fetching')"),
	    0);
	CHECK(r.frontier_idle);
	testsrv_stop(s);
}

/* A page that links to 40 slow pages. */
static int
fan_gen(const char *path, struct testsrv_page *out, char *buf, size_t size,
    void *arg)
{
	size_t n = 0;
	int i;

	(void)arg;
	if (strcmp(path, "/") == 0) {
		for (i = 0; i < 40 && n < size - 64; i++)
			n += (size_t)snprintf(buf + n, size - n,
			    "<a href=\"/c/%d\">%d</a>", i, i);
		out->body = buf;
		return 1;
	}
	if (strncmp(path, "/c/", 3) != 0)
		return 0;
	out->body = "leaf";
	out->delay_ms = 60;
	return 1;
}

/* Never more than --concurrency requests in flight, counted by the server. */
static void
test_concurrency_limit(void)
{
	struct testsrv *s = testsrv_start_gen(fan_gen, NULL);
	const char *db = it_db_path("conc.db");
	const char *opts[] = {
	    "robots=false", "concurrency=4", "per-host=16", NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, at(s, "/"), opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_total(s), 41);
	/* 40 pages of 60 ms on 4 slots: the server must see exactly 4. */
	CHECK_INT(testsrv_max_in_flight(s), 4);
	testsrv_stop(s);
}

/* --per-host caps one host below --concurrency. */
static void
test_per_host_limit(void)
{
	struct testsrv *s = testsrv_start_gen(fan_gen, NULL);
	const char *db = it_db_path("perhost.db");
	const char *opts[] = {
	    "robots=false", "concurrency=16", "per-host=3", NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, at(s, "/"), opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_total(s), 41);
	CHECK_INT(testsrv_max_in_flight(s), 3);
	testsrv_stop(s);
}

/* 404 and 500 are recorded as done with their status; the crawl goes on. */
static void
test_http_errors_recorded(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL,
		"<a href=\"/e500\">a</a><a href=\"/nope\">b</a>"
		"<a href=\"/ok\">c</a>",
		NULL, 0},
	    {"/e500", 500, NULL, "<a href=\"/from500\">x</a>", NULL, 0},
	    {"/ok", 0, NULL, "<a href=\"/deeper\">d</a>", NULL, 0},
	    {"/deeper", 0, NULL, "fine", NULL, 0},
	    {"/data.txt", 0, "text/plain", "<a href=\"/never\">n</a>", NULL, 0},
	};
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("errors.db");
	const char *opts[] = {"robots=false", NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, at(s, "/"), opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(
	    db_int(db, "SELECT status FROM pages WHERE url LIKE '%%/e500'"),
	    500);
	CHECK_INT(
	    db_int(db, "SELECT status FROM pages WHERE url LIKE '%%/nope'"),
	    404);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE state='done'"), 5);
	/* Links of an error page are not followed. */
	CHECK_INT(testsrv_hits(s, "/from500"), 0);
	CHECK_INT(testsrv_hits(s, "/deeper"), 1);
	testsrv_stop(s);
}

/* Only HTML is parsed for links. */
static void
test_non_html_not_parsed(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/data.txt\">t</a>", NULL, 0},
	    {"/data.txt", 0, "text/plain", "<a href=\"/never\">n</a>", NULL, 0},
	};
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("nonhtml.db");
	const char *opts[] = {"robots=false", NULL};
	struct it_result r;
	char ct[64];

	REQUIRE(it_crawl(db, at(s, "/"), opts, &r) == 0);
	CHECK_INT(testsrv_hits(s, "/data.txt"), 1);
	CHECK_INT(testsrv_hits(s, "/never"), 0);
	CHECK_STR(db_text(db, ct, sizeof(ct),
		      "SELECT content_type FROM pages WHERE url LIKE "
		      "'%%data.txt'"),
	    "text/plain");
	testsrv_stop(s);
}

/* A 3xx Location is a link at the same depth; redirect loops end. */
static void
test_redirects(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL,
		"<a href=\"/r1\">r</a><a href=\"/loop1\">l</a>"
		"<a href=\"/tofile\">f</a>",
		NULL, 0},
	    {"/r1", 301, NULL, "", "/target", 0},
	    {"/target", 0, NULL, "arrived", NULL, 0},
	    {"/loop1", 302, NULL, "", "%ORIGIN%/loop2", 0},
	    {"/loop2", 302, NULL, "", "/loop1", 0},
	    {"/tofile", 302, NULL, "", "file:///etc/passwd", 0},
	};
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("redirect.db");
	const char *opts[] = {"robots=false", "depth=1", NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, at(s, "/"), opts, &r) == 0);
	CHECK(!r.timed_out);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(s, "/target"), 1);
	CHECK_INT(testsrv_hits(s, "/loop1"), 1);
	CHECK_INT(testsrv_hits(s, "/loop2"), 1);
	/* The target keeps the depth of the redirecting page. */
	CHECK_INT(db_int(db,
		      "SELECT depth FROM pages WHERE url LIKE "
		      "'%%/target'"),
	    1);
	CHECK_INT(
	    db_int(db, "SELECT status FROM pages WHERE url LIKE '%%/r1'"), 301);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM links WHERE element="
		      "'redirect'"),
	    3);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE url LIKE "
		      "'file:%%'"),
	    0);
	testsrv_stop(s);
}

/* Scope, include/exclude and max-pages: skipped rows with reasons. */
static void
test_scope_filters_limit(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL,
		"<a href=\"http://127.0.0.2:9/elsewhere\">o</a>"
		"<a href=\"/private/x\">p</a><a href=\"/a\">a</a>"
		"<a href=\"/b\">b</a><a href=\"/c\">c</a>"
		"<a href=\"/d\">d</a>",
		NULL, 0},
	};
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("scope.db");
	const char *opts[] = {
	    "robots=false", "exclude=/private/", "max-pages=3", NULL};
	struct it_result r;

	REQUIRE(it_crawl(db, at(s, "/"), opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE reason='scope'"
		      " AND url LIKE 'http://127.0.0.2:9/%%'"),
	    1);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE reason="
		      "'filter' AND url LIKE '%%/private/x'"),
	    1);
	/* The seed and two more pages; the rest is over the limit. */
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE state='done'"), 3);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE reason='limit'"), 2);
	CHECK_INT(testsrv_total(s), 3);
	CHECK_INT(testsrv_hits(s, "/private/x"), 0);
	testsrv_stop(s);
}

/* The User-Agent option reaches the server. */
static void
test_user_agent(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "hi", NULL, 0},
	};
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("ua.db");
	const char *opts[] = {"robots=false", "user-agent=TestBot/9.9", NULL};
	struct it_result r;
	char ua[256];

	REQUIRE(it_crawl(db, at(s, "/"), opts, &r) == 0);
	testsrv_last_user_agent(s, ua, sizeof(ua));
	CHECK_STR(ua, "TestBot/9.9");
	testsrv_stop(s);
}

struct export_check {
	int rows;
	int bad_order;
	char last[64];
	long long last_id;
};

/* Rows arrive in (discovered_at, id) order. */
static int
export_check_row(void *arg, const struct store_row *row)
{
	struct export_check *c = arg;

	if (c->rows > 0 &&
	    (strcmp(row->discovered_at, c->last) < 0 ||
		(strcmp(row->discovered_at, c->last) == 0 &&
		    row->id < c->last_id)))
		c->bad_order++;
	snprintf(c->last, sizeof(c->last), "%s", row->discovered_at);
	c->last_id = row->id;
	c->rows++;
	return 0;
}

/* Export in discovery order: total, seed first, CSV header and rows. */
static void
test_export_order(void)
{
	struct testsrv *s = testsrv_start_gen(tree_gen, NULL);
	const char *db = it_db_path("export.db");
	const char *opts[] = {
	    "depth=2", "robots=false", "edge-links=true", NULL};
	struct export_check chk;
	struct store *st = NULL;
	struct it_result r;
	char err[256], *text = NULL, first[1024];
	size_t len = 0;
	FILE *mem;

	REQUIRE(it_crawl(db, at(s, "/t/"), opts, &r) == 0);
	REQUIRE(
	    store_open(db, STORE_F_READONLY, &st, err, sizeof(err)) == CW_OK);
	memset(&chk, 0, sizeof(chk));
	CHECK(store_export(st, 0, STORE_ORDER_DISCOVERED, export_check_row,
		  &chk) == CW_OK);
	CHECK_INT(chk.rows, 40);
	CHECK_INT(chk.bad_order, 0);
	mem = open_memstream(&text, &len);
	REQUIRE(mem != NULL);
	CHECK(export_write(st, mem, EXPORT_JSONL, STORE_ORDER_DISCOVERED, 0) ==
	    CW_OK);
	fclose(mem);
	REQUIRE(text != NULL);
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(text, "\n"), text);
	/* The seed comes first, with depth 0 and no parent. */
	CHECK(strstr(first, "\"url\":\"http://127.0.0.1:") != NULL);
	CHECK(strstr(first, "/t/\"") != NULL);
	CHECK(strstr(first, "\"depth\":0") != NULL);
	CHECK(strstr(first, "\"parent\":null") != NULL);
	free(text);
	store_close(st);
	testsrv_stop(s);
}

/*
 * A frontier larger than --queue-memory spills to the database and is paged
 * back in: every page is still fetched exactly once, breadth-first.
 */
static void
test_spilled_frontier(void)
{
	struct testsrv *s = testsrv_start_gen(tree_gen, NULL);
	const char *db = it_db_path("spill.db");
	const char *opts[] = {
	    "depth=4", "robots=false", "queue-memory=4", "concurrency=3", NULL};
	struct it_result r;
	unsigned npaths;

	REQUIRE(it_crawl(db, at(s, "/t/"), opts, &r) == 0);
	CHECK(!r.timed_out);
	CHECK_INT(r.end, CRAWL_END_DONE);
	/* It did spill: depth 3 alone queues 27 pages at once, over 4. A
	   frontier that kept everything in memory would pass the rest. */
	CHECK(r.stats.spilled_total >= 27);
	if (r.stats.spilled_total < 27)
		fprintf(stderr, "  spilled %llu tasks\n",
		    (unsigned long long)r.stats.spilled_total);
	/* 1 + 3 + 9 + 27 + 81 fetched, each once. */
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE state='done'"), 121);
	CHECK_INT(testsrv_total(s), 121);
	CHECK_INT(testsrv_max_hits(s, &npaths), 1);
	CHECK_INT(npaths, 121);
	/* Breadth-first: no page was fetched before one two levels up. */
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages a JOIN pages b ON "
		      "a.fetched_at < b.fetched_at AND a.depth > "
		      "b.depth + 1"),
	    0);
	CHECK(r.frontier_idle);
	testsrv_stop(s);
}

static const struct test tests[] = {
    TEST(spilled_frontier),
    TEST(depth_limit),
    TEST(depth_limit_edge_links),
    TEST(depth_limit_redirect),
    TEST(url_variants_fetched_once),
    TEST(relative_and_base),
    TEST(join_waits_for_slow_page),
    TEST(concurrency_limit),
    TEST(per_host_limit),
    TEST(http_errors_recorded),
    TEST(non_html_not_parsed),
    TEST(redirects),
    TEST(scope_filters_limit),
    TEST(user_agent),
    TEST(export_order),
};

TEST_MAIN(tests)
