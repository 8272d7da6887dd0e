/* SPDX-License-Identifier: MIT */
/*
 * it_observer.c - the crawl observer hook (engine.h crawl_observer): what
 * an observer sees of each page and when, bodies of any type when it asks,
 * links with spans, a 304 answered from the observer's stored body (the
 * crawl still finds the page's children), an observer failure ending the
 * crawl, and the end callback.
 */
#include <stdio.h>
#include <string.h>

#include "crawld/engine/fetch.h"
#include "crawld/web/links.h"
#include "harness.h"
#include "ithelp.h"
#include "testsrv.h"

#define ROOT_BODY                                                              \
	"<html><body><a href=\"/b.txt\">b</a> <a href='/c.html'>c</a>"         \
	" <a href=\"/gone\">g</a> <a href=\"/r\">r</a>"                        \
	" <a href=\"/nm\">nm</a></body></html>"
#define TXT_BODY "plain text, not HTML\n"
#define NM_STORED "<html><a href=\"/child\">child</a></html>"

static const struct testsrv_page site[] = {
    {"/", 0, NULL, ROOT_BODY, NULL, 0},
    {"/b.txt", 0, "text/plain", TXT_BODY, NULL, 0},
    {"/c.html", 0, NULL, "<p>c</p>", NULL, 0},
    {"/r", 302, NULL, "", "%ORIGIN%/c.html", 0},
    {"/nm", 304, NULL, NULL, NULL, 0},
    {"/child", 0, NULL, "<p>child</p>", NULL, 0},
};

/* What the test observer saw. */
struct seen {
	unsigned responses, recorded, ends;
	unsigned with_res;     /* response events carrying the fetch result */
	unsigned out_of_order; /* a recorded page never seen as a response */
	long last_status[8];
	char urls[16][128];
	size_t nurls;
	bool root_parsed, root_spans, root_body_ok;
	bool txt_body_ok, txt_body_null;
	bool nm_not_modified;
	enum crawl_end end;
	const char *fail_on; /* recorded returns CW_EIO for this path */
	bool give_stored;    /* stored_body answers /nm */
	unsigned stored_asked;
};

/* Whether url ends in path (the origin varies). */
static bool
is(const char *url, const char *path)
{
	size_t n = strlen(url), m = strlen(path);

	return n >= m && strcmp(url + n - m, path) == 0 &&
	    strstr(url, "://") != NULL &&
	    strchr(strstr(url, "://") + 3, '/') == url + n - m;
}

static enum cw_rc
obs_response(void *arg, struct crawl *c, const struct crawl_page_event *ev)
{
	struct seen *s = arg;

	(void)c;
	s->responses++;
	if (ev->res != NULL && ev->res->status == ev->status &&
	    ev->links == NULL)
		s->with_res++;
	if (s->nurls < 16)
		snprintf(
		    s->urls[s->nurls++], sizeof(s->urls[0]), "%s", ev->url);
	return CW_OK;
}

static enum cw_rc
obs_recorded(void *arg, struct crawl *c, const struct crawl_page_event *ev)
{
	static const char root_body[] = ROOT_BODY;
	struct seen *s = arg;
	size_t i;
	bool known = false;

	(void)c;
	s->recorded++;
	for (i = 0; i < s->nurls; i++)
		known |= strcmp(s->urls[i], ev->url) == 0;
	if (!known || ev->res != NULL)
		s->out_of_order++;
	if (is(ev->url, "/")) {
		s->root_parsed =
		    ev->parsed && ev->links != NULL && ev->links->count == 5;
		s->root_spans = s->root_parsed &&
		    !(ev->links->items[0].flags & LINK_F_OFFSET_UNKNOWN) &&
		    ev->links->items[0].len == 6 && /* "/b.txt" */
		    memcmp(root_body + ev->links->items[0].off, "/b.txt", 6) ==
			0 &&
		    link_list_raw(ev->links, 1) != NULL &&
		    strcmp(link_list_raw(ev->links, 1), "/c.html") == 0;
		s->root_body_ok = ev->body != NULL &&
		    ev->body_len == strlen(ROOT_BODY) &&
		    memcmp(ev->body, ROOT_BODY, ev->body_len) == 0;
	}
	if (is(ev->url, "/b.txt")) {
		s->txt_body_ok = ev->body != NULL &&
		    ev->body_len == strlen(TXT_BODY) &&
		    memcmp(ev->body, TXT_BODY, ev->body_len) == 0 &&
		    !ev->parsed;
		s->txt_body_null = ev->body == NULL;
	}
	if (is(ev->url, "/nm"))
		s->nm_not_modified = ev->not_modified && ev->status == 304;
	if (s->fail_on != NULL && is(ev->url, s->fail_on))
		return CW_EIO;
	return CW_OK;
}

static enum cw_rc
obs_stored(void *arg, struct crawl *c, int64_t page_id, const char *url,
    char **body, size_t *len, char **ct)
{
	struct seen *s = arg;

	(void)c;
	(void)page_id;
	s->stored_asked++;
	*body = NULL;
	if (!s->give_stored || !is(url, "/nm"))
		return CW_OK;
	*body = strdup(NM_STORED);
	*len = strlen(NM_STORED);
	*ct = strdup("text/html; charset=utf-8");
	return *body != NULL && *ct != NULL ? CW_OK : CW_ENOMEM;
}

static void
obs_end(void *arg, struct crawl *c, enum crawl_end end)
{
	struct seen *s = arg;

	(void)c;
	s->ends++;
	s->end = end;
}

/* Crawl the site with an observer of flags; s gets what it saw. */
static void
run(struct testsrv *srv, const char *db, unsigned flags, struct seen *s,
    struct it_result *r)
{
	const char *opts[] = {"depth=2", "robots=false", NULL};
	char seed[256];
	struct crawl_observer o = {"testobs", flags, obs_response, obs_recorded,
	    obs_stored, obs_end, s, NULL};

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(srv));
	it_observer = &o;
	CHECK(it_crawl(db, seed, opts, r) == 0);
	it_observer = NULL;
	CHECK(!r->timed_out);
}

/*
 * Every complete response is seen twice: at transfer end with the fetch
 * result, then once recorded (after its row), HTML with its links and
 * spans; a text/plain body is handed over only with CRAWL_OBS_BODIES.
 */
static void
test_events_and_bodies(void)
{
	struct testsrv *srv = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("obs.db");
	struct seen s;
	struct it_result r;

	memset(&s, 0, sizeof(s));
	run(srv, db, CRAWL_OBS_BODIES | CRAWL_OBS_SPANS, &s, &r);
	CHECK_INT(r.end, CRAWL_END_DONE);
	/* /, /b.txt, /c.html, /gone (404), /r (302), /nm (304) */
	CHECK_INT(s.responses, 6);
	CHECK_INT(s.with_res, 6);
	CHECK_INT(s.recorded, 6);
	CHECK_INT(s.out_of_order, 0);
	CHECK(s.root_parsed);
	CHECK(s.root_spans);
	CHECK(s.root_body_ok);
	CHECK(s.txt_body_ok);
	CHECK(s.nm_not_modified);
	CHECK_INT(s.stored_asked, 1); /* only the 304 */
	CHECK_INT(s.ends, 1);
	CHECK_INT(s.end, CRAWL_END_DONE);
	/* No stored body: the 304 page has no links, /child is not found. */
	CHECK_INT(testsrv_hits(srv, "/child"), 0);
	/* Without the flag a non-HTML body is not kept for the observer. */
	memset(&s, 0, sizeof(s));
	run(srv, it_db_path("obs2.db"), 0, &s, &r);
	CHECK_INT(s.recorded, 6);
	CHECK(s.txt_body_null);
	CHECK(!s.root_body_ok);
	testsrv_stop(srv);
}

/* A 304 takes the observer's stored body: its links are found again. */
static void
test_not_modified_stored_body(void)
{
	struct testsrv *srv = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("nm.db");
	struct seen s;
	struct it_result r;

	memset(&s, 0, sizeof(s));
	s.give_stored = true;
	run(srv, db, CRAWL_OBS_SPANS, &s, &r);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK(s.nm_not_modified);
	CHECK_INT(testsrv_hits(srv, "/nm"), 1);
	CHECK_INT(testsrv_hits(srv, "/child"), 1);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM links JOIN pages s ON s.id = src_id"
		      " JOIN pages d ON d.id = dst_id WHERE s.url LIKE '%%/nm'"
		      " AND d.url LIKE '%%/child'"),
	    1);
	CHECK_INT(
	    db_int(db, "SELECT status FROM pages WHERE url LIKE '%%/nm'"), 304);
	testsrv_stop(srv);
}

/* An observer that fails ends the crawl with an error naming it; the
   batch is dropped, so the page is not committed as done. */
static void
test_observer_failure_ends_crawl(void)
{
	struct testsrv *srv = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("fail.db");
	struct seen s;
	struct it_result r;
	char buf[64];

	memset(&s, 0, sizeof(s));
	s.fail_on = "/c.html";
	run(srv, db, 0, &s, &r);
	CHECK_INT(r.end, CRAWL_END_ERROR);
	CHECK(strstr(r.message, "testobs: ") == r.message);
	CHECK_INT(s.ends, 0); /* halted: no end callback */
	/* The row is gone with the batch, or still queued: never done. */
	CHECK_STR(db_text(db, buf, sizeof(buf),
		      "SELECT count(*) FROM pages WHERE url LIKE '%%/c.html'"
		      " AND state = 'done'"),
	    "0");
	testsrv_stop(srv);
}

static const struct test tests[] = {
    TEST(events_and_bodies),
    TEST(not_modified_stored_body),
    TEST(observer_failure_ends_crawl),
};

TEST_MAIN(tests)
