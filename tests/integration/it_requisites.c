/* SPDX-License-Identifier: MIT */
/*
 * it_requisites.c - --page-requisites in the engine: a page's images,
 * srcset candidates, scripts, stylesheets (and what those @import and
 * url()) are fetched, also one step past --depth for a page at the limit,
 * while its other links are not; the links table names the element and
 * attribute of each. Without the option none of it is fetched.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "ithelp.h"
#include "testsrv.h"

static const struct testsrv_page site[] = {
    {"/", 0, NULL, "<a href=\"/p1\">p1</a><img src=\"/top.png\">", NULL, 0},
    {"/p1", 0, NULL,
	"<html><head><link rel=stylesheet href=\"/s/a.css\">"
	"<script src=\"/j.js\"></script>"
	"<style>body{background:url(/bg.png)}</style></head>"
	"<body><img src=\"/i.png\" srcset=\"/i2.png 2x, /i3.png 3x\">"
	"<a href=\"/p2\">p2</a><div style=\"background:url('/st.png')\">"
	"</div></body></html>",
	NULL, 0},
    {"/p2", 0, NULL, "<p>too deep</p>", NULL, 0},
    {"/s/a.css", 0, "text/css", "@import \"b.css\";\nh1{background:url(h.png)}",
	NULL, 0},
    {"/s/b.css", 0, "text/css; charset=utf-8", "@import url(c.css);", NULL, 0},
    {"/s/c.css", 0, "text/css", "@import 'd.css'; p{x:url(c.png)}", NULL, 0},
    {"/s/d.css", 0, "text/css", "@import 'e.css'; p{x:url(d.png)}", NULL, 0},
    {"/s/e.css", 0, "text/css", "p{x:url(e.png)}", NULL, 0},
    {"/s/h.png", 0, "image/png", "png", NULL, 0},
    {"/s/c.png", 0, "image/png", "png", NULL, 0},
    {"/s/d.png", 0, "image/png", "png", NULL, 0},
    {"/s/e.png", 0, "image/png", "png", NULL, 0},
    {"/j.js", 0, "text/javascript", "1", NULL, 0},
    {"/bg.png", 0, "image/png", "png", NULL, 0},
    {"/i.png", 0, "image/png", "png", NULL, 0},
    {"/i2.png", 0, "image/png", "png", NULL, 0},
    {"/i3.png", 0, "image/png", "png", NULL, 0},
    {"/st.png", 0, "image/png", "png", NULL, 0},
    {"/top.png", 0, "image/png", "png", NULL, 0},
};

static void
test_requisites_past_the_limit(void)
{
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("req.db");
	const char *opts[] = {
	    "depth=1", "robots=false", "page-requisites=true", NULL};
	static const char *const fetched[] = {"/", "/p1", "/top.png",
	    "/s/a.css", "/s/b.css", "/s/c.css", "/s/d.css", "/s/h.png",
	    "/s/c.png", "/s/d.png", "/j.js", "/bg.png", "/i.png", "/i2.png",
	    "/i3.png", "/st.png"};
	char seed[256], buf[128];
	struct it_result r;
	size_t i;

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	REQUIRE(it_crawl(db, seed, opts, &r) == 0);
	CHECK(!r.timed_out);
	CHECK_INT(r.end, CRAWL_END_DONE);
	for (i = 0; i < CW_NELEM(fetched); i++) {
		if (testsrv_hits(s, fetched[i]) != 1)
			fprintf(stderr, "  not fetched once: %s\n", fetched[i]);
		CHECK_INT(testsrv_hits(s, fetched[i]), 1);
	}
	/* the link of a page at the limit: never asked for, no row */
	CHECK_INT(testsrv_hits(s, "/p2"), 0);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE url LIKE "
		      "'%%/p2'"),
	    0);
	/* a.css is at depth 2, b 3, c 4, d 5 = 1 + 1 + 3: d's @import of
	   e.css goes one step too far (a 'skipped' depth row) */
	CHECK_INT(testsrv_hits(s, "/s/e.css"), 0);
	CHECK_STR(db_text(db, buf, sizeof(buf),
		      "SELECT state || ' ' || reason FROM pages WHERE url LIKE "
		      "'%%/s/e.css'"),
	    "skipped depth");
	CHECK_INT(db_int(db,
		      "SELECT depth FROM pages WHERE url LIKE "
		      "'%%/s/d.css'"),
	    5);
	/* element and attribute of each way in */
	CHECK_STR(
	    db_text(db, buf, sizeof(buf),
		"SELECT group_concat(x, ' ') FROM (SELECT"
		" substr(d.url, instr(substr(d.url, 8), '/') + 7) || '='"
		" || element || '/' || attribute AS x FROM links"
		" JOIN pages d ON d.id = dst_id JOIN pages s ON"
		" s.id = src_id WHERE s.url LIKE '%%/p1' ORDER BY d.url)"),
	    "/bg.png=style/url /i.png=img/src /i2.png=img/srcset "
	    "/i3.png=img/srcset /j.js=script/src /s/a.css=link/href "
	    "/st.png=any/style");
	CHECK_STR(db_text(db, buf, sizeof(buf),
		      "SELECT group_concat(element || '/' || attribute, ' ')"
		      " FROM (SELECT element, attribute FROM links JOIN pages"
		      " s ON s.id = src_id WHERE s.url LIKE '%%/s/a.css'"
		      " ORDER BY dst_id)"),
	    "css/import css/url");
	testsrv_stop(s);
}

/* Without --page-requisites only the links a crawl always followed. */
static void
test_without_the_option(void)
{
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("noreq.db");
	const char *opts[] = {"depth=2", "robots=false", NULL};
	char seed[256];
	struct it_result r;

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	REQUIRE(it_crawl(db, seed, opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	/* /, /p1, /p2 and the stylesheet (link href is a link) */
	CHECK_INT(testsrv_total(s), 4);
	CHECK_INT(testsrv_hits(s, "/s/a.css"), 1);
	CHECK_INT(testsrv_hits(s, "/s/b.css"), 0); /* not parsed */
	CHECK_INT(testsrv_hits(s, "/i.png"), 0);
	testsrv_stop(s);
}

/*
 * A page's repeated links (dropped on the parse thread before the loop
 * sees them): the links row keeps the first way in (area before a, the
 * fragment ignored), one row per pair, and links_total counts the pairs;
 * an image a page at the limit also links to plainly is still fetched.
 */
static void
test_repeated_links(void)
{
	static const struct testsrv_page rsite[] = {
	    {"/", 0, NULL,
		"<map><area href=\"/x\"></map><a href=\"/x\">x</a>"
		"<a href=\"/x#f\">x</a><a href=\"/y\">y</a>"
		"<a href=\"/x\">x</a><a href=\"/y\">y</a>",
		NULL, 0},
	    {"/x", 0, NULL,
		"<a href=\"/i.png\">i</a><img src=\"/i.png\">"
		"<a href=\"/i.png\">i</a>",
		NULL, 0},
	    {"/y", 0, NULL, "<p>y</p>", NULL, 0},
	    {"/i.png", 0, "image/png", "png", NULL, 0},
	};
	struct testsrv *s = testsrv_start(rsite, CW_NELEM(rsite));
	const char *db = it_db_path("repeated.db");
	const char *opts[] = {
	    "depth=1", "robots=false", "page-requisites=true", NULL};
	char seed[256], buf[128];
	struct it_result r;

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	REQUIRE(it_crawl(db, seed, opts, &r) == 0);
	CHECK(!r.timed_out);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(testsrv_hits(s, "/x"), 1);
	CHECK_INT(testsrv_hits(s, "/y"), 1);
	CHECK_INT(testsrv_hits(s, "/i.png"), 1);
	CHECK_STR(
	    db_text(db, buf, sizeof(buf),
		"SELECT group_concat(x, ' ') FROM (SELECT"
		" substr(s.url, instr(substr(s.url, 8), '/') + 7) || '>'"
		" || substr(d.url, instr(substr(d.url, 8), '/') + 7) || '='"
		" || element || '/' || attribute AS x FROM links"
		" JOIN pages d ON d.id = dst_id JOIN pages s ON"
		" s.id = src_id ORDER BY s.url, d.url)"),
	    "/>/x=area/href />/y=a/href /x>/i.png=img/src");
	CHECK_INT(r.stats.links, 3);
	testsrv_stop(s);
}

static const struct test tests[] = {
    TEST(repeated_links),
    TEST(requisites_past_the_limit),
    TEST(without_the_option),
};

TEST_MAIN(tests)
