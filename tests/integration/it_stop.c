/* SPDX-License-Identifier: MIT */
/*
 * it_stop.c - how a crawl ends when it does not simply run dry: crawl_stop()
 * (what SIGINT, SIGTERM and the daemon's pause and cancel do), --fail-fast,
 * and a database that refuses the very last commit. A stop is not a
 * finish: a page whose links were not taken is never 'done', a retryable
 * failure stays queued for the resume, and a crawl whose end could not be
 * written does not report success.
 *
 * No test sleeps and hopes: the fixture server holds an answer until the
 * test has done what it must do first (stop, fill the disk), and a 2 ms
 * poll on the crawl's own loop watches for that moment.
 */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "crawld/web/links.h"
#include "crawld/base/log.h"
#include "harness.h"
#include "ithelp.h"
#include "rawsrv.h"
#include "testsrv.h"

/* One in-process crawl with a hook polled on its loop. */
struct run {
	struct event_base *base;
	struct store *st;
	struct engine *e;
	struct crawl *c;
	struct testsrv *srv;
	/* Called every 2 ms until it returns true. */
	bool (*poll)(struct run *r);
	bool polled_out; /* poll returned true */
	bool done;	 /* the done callback ran */
};

/* The crawl is over. */
static void
run_done(struct crawl *c, void *arg)
{
	struct run *r = arg;

	(void)c;
	r->done = true;
	event_base_loopbreak(r->base);
}

/* The poll timer. */
static void
run_poll(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;

	(void)fd;
	(void)what;
	if (!r->polled_out && r->poll != NULL && r->c != NULL)
		r->polled_out = r->poll(r);
}

/* Parse "name=value" strings into o. */
static void
run_opts(struct crawl_opts *o, const char *db, const char *const *opts)
{
	char err[256], name[64];
	const char *eq;

	crawl_opts_init(o);
	if (crawl_opts_set(o, "db", db, err, sizeof(err)) != CW_OK)
		abort();
	for (; *opts != NULL; opts++) {
		eq = strchr(*opts, '=');
		if (eq == NULL || (size_t)(eq - *opts) >= sizeof(name))
			abort();
		snprintf(name, sizeof(name), "%.*s", (int)(eq - *opts), *opts);
		if (crawl_opts_set(o, name, eq + 1, err, sizeof(err)) != CW_OK)
			abort();
	}
}

/*
 * Crawl seed into db with opts, polling r->poll; returns the end reason
 * (CRAWL_END_RUNNING when it did not end within 60 s). The engine is
 * freed (and the store closed) after `after` ran, if not NULL.
 */
static enum crawl_end
run_crawl(struct run *r, const char *db, const char *seed,
    const char *const *opts, void (*after)(struct run *r))
{
	static bool inited;
	struct crawl_opts o;
	struct engine_config cfg;
	struct event *poll_ev;
	struct timeval tick = {0, 2000}, deadline = {60, 0};
	char err[512], *seeds[1] = {(char *)(uintptr_t)seed};
	enum crawl_end end = CRAWL_END_RUNNING;

	if (!inited) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		links_global_init();
		log_init(getenv("IT_VERBOSE") ? LOG_LVL_DEBUG : LOG_LVL_QUIET);
		inited = true;
	}
	run_opts(&o, db, opts);
	if (store_open(db, 0, &r->st, err, sizeof(err)) != CW_OK)
		abort();
	r->base = event_base_new();
	engine_config_from_opts(&cfg, &o);
	r->e = engine_new(r->base, r->st, &cfg);
	if (r->e == NULL)
		abort();
	poll_ev = event_new(r->base, -1, EV_PERSIST, run_poll, r);
	if (poll_ev == NULL || event_add(poll_ev, &tick) != 0)
		abort();
	if (crawl_start(r->e, &o, seeds, 1, run_done, r, &r->c, err,
		sizeof(err)) != CW_OK) {
		fprintf(stderr, "  crawl_start: %s\n", err);
		abort();
	}
	event_base_loopexit(r->base, &deadline);
	event_base_dispatch(r->base);
	if (r->done)
		end = crawl_end_reason(r->c);
	if (end != CRAWL_END_DONE && end != CRAWL_END_STOPPED)
		fprintf(stderr, "  end %d: %s\n", (int)end,
		    crawl_end_message(r->c));
	if (after != NULL)
		after(r);
	event_free(poll_ev);
	engine_free(r->e);
	event_base_free(r->base);
	store_close(r->st);
	crawl_opts_cleanup(&o);
	return end;
}

/* Poll: once the held answer is on its way, stop the crawl, then let the
   answer come (it arrives after the stop). */
static bool
stop_when_held(struct run *r)
{
	if (testsrv_held(r->srv) == 0)
		return false;
	crawl_stop(r->c);
	testsrv_release(r->srv);
	return true;
}

/* Poll: once a page failed (--fail-fast stopped the crawl) and the held
   answer is on its way, let it come. */
static bool
release_after_failure(struct run *r)
{
	struct crawl_stats s;

	crawl_get_stats(r->c, &s);
	if (testsrv_held(r->srv) == 0 || s.failed == 0)
		return false;
	testsrv_release(r->srv);
	return true;
}

/* Resume the newest unfinished crawl of db with the crawld binary. */
static int
resume_with_cli(const char *db)
{
	const char *argv[] = {
	    "crawl", "--resume", "--db", db, "--no-robots", "-q", NULL};
	char err[2048];
	int code = it_run_crawld(argv, NULL, 0, err, sizeof(err));

	if (code != 0)
		fprintf(stderr, "  crawld --resume: exit %d: %s\n", code, err);
	return code;
}

/*
 * Defect 1 of issue 10: a page whose transfer completes after the stop is
 * parsed like any other, so its links become 'queued' rows the resume
 * fetches; before, it was recorded 'done' unparsed and /child was lost.
 */
static void
test_stop_keeps_links_of_page_in_flight(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/slow\">slow</a>", NULL, 0},
	    {"/slow", 0, NULL, "<a href=\"/child\">child</a>", NULL, 0},
	    {"/child", 0, NULL, "leaf", NULL, 0},
	};
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("stop-links.db");
	const char *opts[] = {"robots=false", NULL};
	struct run r = {.srv = s, .poll = stop_when_held};
	char seed[128];

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	testsrv_hold(s, "/slow");
	CHECK_INT(run_crawl(&r, db, seed, opts, NULL), CRAWL_END_STOPPED);
	CHECK(r.polled_out);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE url LIKE '%%/slow' "
		      "AND state='done' AND status=200"),
	    1);
	/* The link of the page that came back after the stop is kept. */
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages p JOIN pages s ON "
		      "s.id=p.parent_id WHERE p.url LIKE '%%/child' AND "
		      "p.state='queued' AND s.url LIKE '%%/slow'"),
	    1);
	CHECK_INT(db_int(db, "SELECT count(*) FROM links"), 2);
	CHECK_INT(testsrv_hits(s, "/child"), 0);
	/* A stop leaves nothing 'fetching'; the crawl is 'cancelled'. */
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE state='fetching'"), 0);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM crawls WHERE "
		      "state='cancelled'"),
	    1);
	/* The resume fetches what the stopped page linked to. */
	CHECK_INT(resume_with_cli(db), 0);
	CHECK_INT(testsrv_hits(s, "/child"), 1);
	CHECK_INT(testsrv_hits(s, "/slow"), 1);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE state='done'"), 3);
	testsrv_stop(s);
}

/*
 * Defect 1 under --fail-fast: the first failure stops the crawl, and the
 * pages still in flight then are parsed too.
 */
static void
test_fail_fast_keeps_links_of_page_in_flight(void)
{
	struct rawsrv *bad = rawsrv_start(RAWSRV_RESET);
	char body[256], seed[128];
	struct testsrv_page site[] = {
	    {"/", 0, NULL, body, NULL, 0},
	    {"/slow", 0, NULL, "<a href=\"/child\">child</a>", NULL, 0},
	    {"/child", 0, NULL, "leaf", NULL, 0},
	};
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("failfast-links.db");
	const char *opts[] = {
	    "robots=false", "fail-fast=true", "retries=0", NULL};
	struct run r = {.srv = s, .poll = release_after_failure};

	snprintf(body, sizeof(body),
	    "<a href=\"/slow\">slow</a>"
	    "<a href=\"http://127.0.0.1:%u/reset\">reset</a>",
	    rawsrv_port(bad));
	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	testsrv_hold(s, "/slow");
	CHECK_INT(run_crawl(&r, db, seed, opts, NULL), CRAWL_END_FAIL_FAST);
	CHECK(r.polled_out);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE url LIKE '%%/reset' "
		      "AND state='failed'"),
	    1);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE url LIKE '%%/slow' "
		      "AND state='done'"),
	    1);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE url LIKE '%%/child' "
		      "AND state='queued'"),
	    1);
	testsrv_stop(s);
	rawsrv_stop(bad);
}

/*
 * Defect 2 of issue 10: a 503 that comes back after the stop, on a first
 * attempt with retries left, is not an outcome: the page stays 'queued'
 * and the resume fetches it; before, it was 'done' with status 503.
 */
static void
test_stop_keeps_retryable_failure_queued(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, NULL, "<a href=\"/flaky\">flaky</a>", NULL, 0},
	    {"/flaky", 0, NULL, "fine now", NULL, 0},
	};
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("stop-retry.db");
	const char *opts[] = {"robots=false", "retries=2", NULL};
	struct run r = {.srv = s, .poll = stop_when_held};
	char seed[128];

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	testsrv_fail_first(s, "/flaky", 1, 503, NULL);
	testsrv_hold(s, "/flaky");
	CHECK_INT(run_crawl(&r, db, seed, opts, NULL), CRAWL_END_STOPPED);
	CHECK(r.polled_out);
	CHECK_INT(testsrv_hits(s, "/flaky"), 1);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE url LIKE '%%/flaky' "
		      "AND state='queued' AND status IS NULL"),
	    1);
	CHECK_INT(resume_with_cli(db), 0);
	CHECK_INT(testsrv_hits(s, "/flaky"), 2);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM pages WHERE url LIKE '%%/flaky' "
		      "AND state='done' AND status=200"),
	    1);
	testsrv_stop(s);
}

/* Poll: once the seed's answer is held and the batch marking it
   'fetching' is committed, make every later file write fail (a disk that
   fills at the very end), then let the answer come. */
static bool
fill_disk_when_held(struct run *r)
{
	struct rlimit rl = {1, RLIM_INFINITY};

	if (testsrv_held(r->srv) == 0 || store_batch_rows(r->st) != 0)
		return false;
	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
		abort();
	testsrv_release(r->srv);
	return true;
}

/* Give the process its file size back before the store is closed. */
static void
unfill_disk(struct run *r)
{
	struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};

	(void)r;
	if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
		abort();
}

/*
 * Defect 3 of issue 10: the last commit (the page's outcome and the
 * crawl's 'done') fails. The crawl ends with the store error, not DONE,
 * and the database does not claim the crawl finished, so a re-run
 * resumes it.
 */
static void
test_failed_last_commit_is_an_error(void)
{
	static const struct testsrv_page site[] = {
	    {"/", 0, "text/plain", "a plain page", NULL, 0},
	};
	struct testsrv *s = testsrv_start(site, CW_NELEM(site));
	const char *db = it_db_path("last-commit.db");
	const char *opts[] = {"robots=false", NULL};
	struct run r = {.srv = s, .poll = fill_disk_when_held};
	char seed[128];

	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	testsrv_hold(s, "/");
	CHECK_INT(run_crawl(&r, db, seed, opts, unfill_disk), CRAWL_END_STORE);
	CHECK(r.polled_out);
	CHECK_INT(testsrv_hits(s, "/"), 1);
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM crawls WHERE "
		      "state='running' AND finished_at IS NULL"),
	    1);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM pages WHERE state='done'"), 0);
	/* The re-run resumes it and finishes. */
	CHECK_INT(resume_with_cli(db), 0);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM crawls WHERE state='done'"), 1);
	testsrv_stop(s);
}

static const struct test tests[] = {
    TEST(stop_keeps_links_of_page_in_flight),
    TEST(fail_fast_keeps_links_of_page_in_flight),
    TEST(stop_keeps_retryable_failure_queued),
    TEST(failed_last_commit_is_an_error),
};

TEST_MAIN(tests)
