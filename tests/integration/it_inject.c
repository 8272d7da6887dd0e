/* SPDX-License-Identifier: MIT */
/*
 * it_inject.c - what the engine does when a call it depends on fails in a
 * way no server can provoke: out of memory in the robots.txt handler, in
 * link extraction and while preparing a seed; a socket event or a timer
 * that cannot be made or armed; libcurl refusing an option. The failures are
 * injected at link time (CMake links this test with -Wl,--wrap=SYMBOL for each
 * function below, so the engine's calls reach __wrap_SYMBOL, which fails on
 * demand or passes the call on to __real_SYMBOL).
 *
 * Bad input or a failed call gets a clear error and loses nothing: the
 * crawl ends (no hang) with CRAWL_END_ERROR and a message, the open batch
 * is dropped, and nothing half recorded is committed.
 */
#include <curl/curl.h>
#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "crawld/base/log.h"
#include "crawld/web/links.h"
#include "crawld/web/robots.h"
#include "crawld/web/url.h"
#include "harness.h"
#include "ithelp.h"
#include "testsrv.h"

/* Set before a crawl starts (so before the parse threads exist), or from
   the loop thread; the server thread calls none of these. */
static int fail_robots_parse;
static int fail_links_extract;
static int fail_url_host_call;	   /* fail the Nth call from now (1 = next) */
static int fail_write_watch;	   /* fail the next event_new for EV_WRITE */
static int fail_timed_add;	   /* fail the next event_add with a timeout */
static CURLoption fail_easy_opt;   /* 0 = none */
static CURLMoption fail_multi_opt; /* 0 = none */

enum cw_rc __real_url_host(const char *url, char **host);
enum cw_rc __wrap_url_host(const char *url, char **host);
struct event *__real_event_new(struct event_base *base, evutil_socket_t fd,
    short what, event_callback_fn cb, void *arg);
struct event *__wrap_event_new(struct event_base *base, evutil_socket_t fd,
    short what, event_callback_fn cb, void *arg);
int __real_event_add(struct event *ev, const struct timeval *tv);
int __wrap_event_add(struct event *ev, const struct timeval *tv);
CURLcode __real_curl_easy_setopt(CURL *h, CURLoption o, ...);
CURLcode __wrap_curl_easy_setopt(CURL *h, CURLoption o, ...);
CURLMcode __real_curl_multi_setopt(CURLM *m, CURLMoption o, ...);
CURLMcode __wrap_curl_multi_setopt(CURLM *m, CURLMoption o, ...);

/* url_host(), out of memory at the chosen call. */
enum cw_rc
__wrap_url_host(const char *url, char **host)
{
	if (fail_url_host_call > 0 && --fail_url_host_call == 0) {
		*host = NULL;
		return CW_ENOMEM;
	}
	return __real_url_host(url, host);
}

/* event_new(), failing once for the first socket watched for writing (a
   connect in progress: curlev's socket callback). */
struct event *
__wrap_event_new(struct event_base *base, evutil_socket_t fd, short what,
    event_callback_fn cb, void *arg)
{
	if (fail_write_watch && fd >= 0 && (what & EV_WRITE)) {
		fail_write_watch = 0;
		return NULL;
	}
	return __real_event_new(base, fd, what, cb, arg);
}

/* event_add(), failing once for the next timed add. */
int
__wrap_event_add(struct event *ev, const struct timeval *tv)
{
	if (fail_timed_add && tv != NULL) {
		fail_timed_add = 0;
		return -1;
	}
	return __real_event_add(ev, tv);
}

/* curl_easy_setopt(), refusing fail_easy_opt; the value is passed on with
   the type its option class has (curl.h CURLOPTTYPE_*). */
CURLcode
__wrap_curl_easy_setopt(CURL *h, CURLoption o, ...)
{
	va_list ap;
	CURLcode rc;

	if (fail_easy_opt != 0 && o == fail_easy_opt)
		return CURLE_UNKNOWN_OPTION;
	va_start(ap, o);
	if (o < CURLOPTTYPE_OBJECTPOINT)
		rc = __real_curl_easy_setopt(h, o, va_arg(ap, long));
	else if (o >= CURLOPTTYPE_OFF_T && o < CURLOPTTYPE_BLOB)
		rc = __real_curl_easy_setopt(h, o, va_arg(ap, curl_off_t));
	else
		rc = __real_curl_easy_setopt(h, o, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* curl_multi_setopt(), the same for the multi handle. */
CURLMcode
__wrap_curl_multi_setopt(CURLM *m, CURLMoption o, ...)
{
	va_list ap;
	CURLMcode rc;

	if (fail_multi_opt != 0 && o == fail_multi_opt)
		return CURLM_UNKNOWN_OPTION;
	va_start(ap, o);
	if (o < CURLOPTTYPE_OBJECTPOINT)
		rc = __real_curl_multi_setopt(m, o, va_arg(ap, long));
	else if (o >= CURLOPTTYPE_OFF_T && o < CURLOPTTYPE_BLOB)
		rc = __real_curl_multi_setopt(m, o, va_arg(ap, curl_off_t));
	else
		rc = __real_curl_multi_setopt(m, o, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

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

/* The crawl's done callback: leave the loop. */
static void
inject_done(struct crawl *c, void *arg)
{
	(void)c;
	event_base_loopbreak(arg);
}

/*
 * Crawl seed with opts on a fresh engine, arming *flag = 1 right after
 * the crawl started (so the engine's own set-up is not hit). The deadline
 * is the loop's own (event_base_loopexit), not an event of ours. Returns
 * the end (CRAWL_END_RUNNING when it did not end in 30 s); msg gets the
 * end message.
 */
static enum crawl_end
crawl_armed(const char *db, const char *seed, const char *const *opts,
    int *flag, char *msg, size_t msgsize)
{
	struct crawl_opts o;
	struct engine_config cfg;
	struct store *st = NULL;
	struct event_base *base = event_base_new();
	struct engine *e;
	struct crawl *c = NULL;
	struct timeval deadline = {30, 0};
	char err[256], name[64], *seeds[1] = {(char *)(uintptr_t)seed};
	enum crawl_end end = CRAWL_END_RUNNING;
	const char *eq;

	crawl_opts_init(&o);
	for (; *opts != NULL; opts++) {
		eq = strchr(*opts, '=');
		snprintf(name, sizeof(name), "%.*s", (int)(eq - *opts), *opts);
		if (crawl_opts_set(&o, name, eq + 1, err, sizeof(err)) != CW_OK)
			abort();
	}
	if (base == NULL || store_open(db, 0, &st, err, sizeof(err)) != CW_OK)
		abort();
	engine_config_from_opts(&cfg, &o);
	e = engine_new(base, st, &cfg);
	if (e == NULL ||
	    crawl_start(e, &o, seeds, 1, inject_done, base, &c, err,
		sizeof(err)) != CW_OK)
		abort();
	*flag = 1;
	event_base_loopexit(base, &deadline);
	event_base_dispatch(base);
	*flag = 0;
	end = crawl_end_reason(c);
	snprintf(msg, msgsize, "%s", crawl_end_message(c));
	if (end != CRAWL_END_RUNNING)
		CHECK(engine_halted(e) == (end == CRAWL_END_ERROR));
	engine_free(e);
	event_base_free(base);
	store_close(st);
	crawl_opts_cleanup(&o);
	return end;
}

/*
 * "Also" of issue 10: when curlev could not make the event for a new
 * socket, it kept the socket's context with a NULL event and freed that
 * NULL later (event_free(NULL): a crash). Now the context goes at once,
 * libcurl is told, and the crawl ends with the error, to be resumed.
 */
static void
test_socket_event_failure_ends_crawl(void)
{
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("sockev.db");
	const char *opts[] = {"robots=false", NULL};
	char seed[128], msg[512];

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	CHECK_INT(
	    crawl_armed(db, seed, opts, &fail_write_watch, msg, sizeof(msg)),
	    CRAWL_END_ERROR);
	CHECK_STR(msg, "cannot watch a socket (out of memory)");
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE state IN "
		      "('done', 'failed')"),
	    0);
	testsrv_stop(s);
}

/*
 * "Also": evtimer_add() in curlev's timer callback was unchecked; a timer
 * that is not armed leaves libcurl waiting for ever. Now libcurl is told
 * and the crawl ends with the error; the page is not recorded as failed
 * (it was not the page's fault).
 */
static void
test_timer_failure_ends_crawl(void)
{
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("timer.db");
	const char *opts[] = {"robots=false", NULL};
	char seed[128], msg[512];

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	CHECK_INT(
	    crawl_armed(db, seed, opts, &fail_timed_add, msg, sizeof(msg)),
	    CRAWL_END_ERROR);
	CHECK_STR(msg, "cannot arm the transfer timer");
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE state IN "
		      "('done', 'failed')"),
	    0);
	testsrv_stop(s);
}

/*
 * "Also": curl_easy_setopt() and curl_multi_setopt() were unchecked, so a
 * handle without the SSRF checks or an engine without its per-host limit
 * would have run. Now the engine is not made at all.
 */
static void
test_refused_option_no_engine(void)
{
	const char *db = it_db_path("setopt.db");
	const char *opts[] = {"robots=false", NULL};
	struct it_result r;

	fail_easy_opt = CURLOPT_PREREQFUNCTION;
	CHECK(it_crawl(db, "http://127.0.0.1:1/", opts, &r) == -1);
	fail_easy_opt = CURLOPT_OPENSOCKETFUNCTION;
	CHECK(it_crawl(db, "http://127.0.0.1:1/", opts, &r) == -1);
	fail_easy_opt = 0;
	fail_multi_opt = CURLMOPT_MAX_HOST_CONNECTIONS;
	CHECK(it_crawl(db, "http://127.0.0.1:1/", opts, &r) == -1);
	fail_multi_opt = CURLMOPT_SOCKETFUNCTION;
	CHECK(it_crawl(db, "http://127.0.0.1:1/", opts, &r) == -1);
	fail_multi_opt = 0;
	/* And with every option taken, the same crawl runs. */
	CHECK(it_crawl(db, "http://127.0.0.1:1/", opts, &r) == 0);
}

/*
 * "Also": a seed whose addresses could not be collected (out of memory in
 * url_host, its second call for the seed) leaked the scope key made just
 * before. crawl_start() fails and names the seed; the ASan build's leak
 * check (and valgrind) is what shows nothing leaks.
 */
static void
test_seed_error_frees_scope_key(void)
{
	const char *db = it_db_path("seedaddr.db");
	const char *opts[] = {"robots=false", NULL};
	struct it_result r;

	fail_url_host_call = 2;
	CHECK(it_crawl(db, "http://127.0.0.1:1/", opts, &r) == -1);
	fail_url_host_call = 0;
	CHECK(strstr(r.message, "http://127.0.0.1:1/: out of memory") != NULL);
}

static const struct test tests[] = {
    TEST(robots_oom_ends_crawl),
    TEST(links_oom_ends_crawl),
    TEST(socket_event_failure_ends_crawl),
    TEST(timer_failure_ends_crawl),
    TEST(refused_option_no_engine),
    TEST(seed_error_frees_scope_key),
};

TEST_MAIN(tests)
