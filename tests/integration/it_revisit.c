/* SPDX-License-Identifier: MIT */
/*
 * it_revisit.c - recrawl (--revisit SECONDS) end to end in-process, against
 * condsrv (a fixture that answers 304 to matching validators and logs what
 * each request carried). One crawl with revisit=1 runs until the test has
 * seen what it waits for, then is stopped: a revisit crawl never finishes
 * by itself.
 *
 *   revisit_conditional  every page's second fetch carries the validators
 *                        its first response gave (If-None-Match and
 *                        If-Modified-Since, or only the one it had, or
 *                        none); 304s are fetches without a body, the page
 *                        stays done with its content facts; a page changed
 *                        on the server gets its new hash and a later
 *                        changed_at, an unchanged one keeps its first
 *                        changed_at; every fetch is a fetches row.
 *   revisit_bounded      40 done pages and --queue-memory 4: due pages
 *                        are paged in as the queue has room, never all at
 *                        once, and all of them are revisited.
 *
 * Loops are bounded in time: the crawl has a 30 s deadline, and every wait
 * is a condition checked every 20 ms.
 */
#include <curl/curl.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "condsrv.h"
#include "crawld/base/log.h"
#include "crawld/web/digest.h"
#include "crawld/engine/frontier.h"
#include "harness.h"
#include "ithelp.h"

#define LM "Tue, 01 Dec 2026 10:00:00 GMT"
#define DEADLINE_S 30

struct run;
/* Called every 20 ms while the crawl runs; true: stop the crawl now. */
typedef bool run_step_fn(struct run *r);

struct run {
	struct event_base *base;
	struct crawl *c;
	struct condsrv *srv;
	run_step_fn *step;
	int phase;
	bool done;	    /* the done callback ran */
	bool done_early;    /* ... before the test asked for a stop */
	bool stop_asked;    /* crawl_stop() was called */
	bool timed_out;	    /* the deadline passed */
	enum crawl_end end; /* how it ended (read in the done callback:
			       the crawl is freed with the engine) */
	size_t max_queued;  /* the frontier's queue, sampled */
	uint64_t started_ms;
	int64_t resume_id; /* run_crawl resumes this crawl (0: starts one) */
};

static void
run_done(struct crawl *c, void *arg)
{
	struct run *r = arg;

	r->done = true;
	r->done_early = !r->stop_asked;
	r->end = crawl_end_reason(c);
	event_base_loopbreak(r->base);
}

/* The 20 ms tick: sample, ask the test, stop when it says so. */
static void
run_tick(evutil_socket_t fd, short what, void *arg)
{
	struct run *r = arg;
	size_t q = frontier_queued(it_engine_frontier());

	(void)fd;
	(void)what;
	if (q > r->max_queued)
		r->max_queued = q;
	if (r->stop_asked)
		return;
	if (cw_monotonic_ms() - r->started_ms > DEADLINE_S * 1000) {
		r->timed_out = true;
		r->stop_asked = true;
		crawl_stop(r->c);
		return;
	}
	if (r->step(r)) {
		r->stop_asked = true;
		crawl_stop(r->c);
	}
}

/* Crawl seed with options ("name=value", NULL-terminated) until step says
   stop; 0 when the crawl ran. */
static int
run_crawl(
    struct run *r, const char *db, const char *seed, const char *const *opts)
{
	struct crawl_opts o;
	struct store *st = NULL;
	struct engine *e = NULL;
	struct engine_config cfg;
	struct event *tick = NULL;
	struct timeval tv = {0, 20000};
	char err[512], name[64];
	const char *eq;
	int ret = -1;

	crawl_opts_init(&o);
	if (crawl_opts_set(&o, "db", db, err, sizeof(err)) != CW_OK)
		goto out;
	for (; *opts != NULL; opts++) {
		eq = strchr(*opts, '=');
		if (eq == NULL || (size_t)(eq - *opts) >= sizeof(name))
			goto out;
		memcpy(name, *opts, (size_t)(eq - *opts));
		name[eq - *opts] = '\0';
		if (crawl_opts_set(&o, name, eq + 1, err, sizeof(err)) != CW_OK)
			goto out;
	}
	if (store_open(db, 0, &st, err, sizeof(err)) != CW_OK)
		goto out;
	r->base = event_base_new();
	engine_config_from_opts(&cfg, &o);
	e = engine_new(r->base, st, &cfg);
	if (e == NULL)
		goto out;
	if (r->resume_id != 0) {
		char *json =
		    crawl_seeds_to_json((char *const *)(uintptr_t)&seed, 1);
		enum cw_rc rc = json == NULL
		    ? CW_ENOMEM
		    : crawl_resume(e, &o, r->resume_id, json, run_done, r,
			  &r->c, err, sizeof(err));

		free(json);
		if (rc != CW_OK)
			goto out;
	} else if (crawl_start(e, &o, (char *const *)(uintptr_t)&seed, 1,
		       run_done, r, &r->c, err, sizeof(err)) != CW_OK)
		goto out;
	r->started_ms = cw_monotonic_ms();
	tick = event_new(r->base, -1, EV_PERSIST, run_tick, r);
	if (tick == NULL || event_add(tick, &tv) != 0)
		goto out;
	event_base_dispatch(r->base);
	ret = 0;
out:
	if (ret != 0)
		fprintf(stderr, "  crawl did not run: %s\n", err);
	if (tick != NULL)
		event_free(tick);
	engine_free(e);
	if (r->base != NULL)
		event_base_free(r->base);
	store_close(st);
	crawl_opts_cleanup(&o);
	return ret;
}

/* Requests for path answered with status that carried If-None-Match inm
   ("" = none sent) and If-Modified-Since ims. */
static unsigned
requests_with(struct condsrv *s, const char *path, int status, const char *inm,
    const char *ims)
{
	struct condsrv_req q;
	unsigned i, n = 0;

	for (i = 0; condsrv_request(s, i, &q); i++)
		if (strcmp(q.path, path) == 0 && q.status == status &&
		    strcmp(q.if_none_match, inm) == 0 &&
		    strcmp(q.if_modified_since, ims) == 0)
			n++;
	return n;
}

/* SHA-256 of text, hex (a ring of 4 buffers). */
static const char *
sha(const char *text)
{
	static char hex[4][DIGEST_SHA256_HEX];
	static unsigned next;
	char *h = hex[next++ % 4];

	if (digest_sha256_hex(text, strlen(text), h) != CW_OK)
		harness_failures++;
	return h;
}

#define BODY_ROOT                                                              \
	"<a href=\"/same\">s</a><a href=\"/chg\">c</a>"                        \
	"<a href=\"/lmonly\">l</a><a href=\"/none\">n</a>"
#define BODY_CHG1 "<p>version one</p>"
#define BODY_CHG2 "<p>version two, longer</p>"

/* Phase 0: wait until /same and /chg were revalidated (a 304 each), then
   change /chg. Phase 1: wait until the change was fetched (a 200 to the
   old ETag) and revalidated under its new ETag (a 304 to "c2"). */
static bool
step_conditional(struct run *r)
{
	if (r->phase == 0 && condsrv_count(r->srv, "/same", 304) >= 1 &&
	    condsrv_count(r->srv, "/chg", 304) >= 1 &&
	    condsrv_count(r->srv, "/lmonly", 304) >= 1 &&
	    condsrv_count(r->srv, "/none", 200) >= 2) {
		condsrv_set(r->srv, "/chg", NULL, BODY_CHG2, "\"c2\"",
		    "Tue, 01 Dec 2026 12:00:00 GMT");
		r->phase = 1;
	}
	return r->phase == 1 &&
	    requests_with(r->srv, "/chg", 304, "\"c2\"",
		"Tue, 01 Dec 2026 12:00:00 GMT") >= 1 &&
	    condsrv_count(r->srv, "/same", 304) >= 2;
}

static void
test_revisit_conditional(void)
{
	struct condsrv *srv = condsrv_start();
	const char *db = it_db_path("revisit.db");
	const char *opts[] = {
	    "robots=false", "revisit=1", "depth=1", "retries=0", NULL};
	struct run r;
	char seed[128], a[256], b[256];

	condsrv_set(srv, "/", NULL, BODY_ROOT, "\"r1\"", LM);
	condsrv_set(srv, "/same", NULL, "<p>same</p>", "\"s1\"", LM);
	condsrv_set(srv, "/chg", NULL, BODY_CHG1, "\"c1\"", LM);
	condsrv_set(srv, "/lmonly", "text/plain", "dates only", NULL, LM);
	condsrv_set(srv, "/none", "text/plain", "no validators", NULL, NULL);
	snprintf(seed, sizeof(seed), "%s/", condsrv_origin(srv));
	memset(&r, 0, sizeof(r));
	r.srv = srv;
	r.step = step_conditional;
	REQUIRE(run_crawl(&r, db, seed, opts) == 0);
	CHECK(!r.timed_out);
	CHECK(!r.done_early); /* a revisit crawl does not end by itself */
	CHECK(r.done);
	CHECK_INT(r.end, CRAWL_END_STOPPED);

	/* The first fetch of each page was plain; the revisits sent what the
	   page's last response gave. */
	CHECK_INT(requests_with(srv, "/same", 200, "", ""), 1);
	CHECK(requests_with(srv, "/same", 304, "\"s1\"", LM) >= 2);
	CHECK(requests_with(srv, "/", 304, "\"r1\"", LM) >= 1);
	CHECK(requests_with(srv, "/lmonly", 304, "", LM) >= 1);
	CHECK_INT(requests_with(srv, "/lmonly", 200, "", ""), 1);
	CHECK_INT(condsrv_count(srv, "/none", 0),
	    requests_with(srv, "/none", 200, "", ""));
	CHECK_INT(requests_with(srv, "/chg", 200, "\"c1\"", LM), 1);

	/* The crawl's row: stopped, so 'cancelled' (resumable). */
	CHECK_STR(
	    db_text(db, a, sizeof(a), "SELECT state FROM crawls"), "cancelled");
	/* Every fetch is a fetches row, 304s without a body or a hash. */
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM fetches"), condsrv_requests(srv));
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM fetches WHERE not_modified = 1"),
	    db_int(db, "SELECT count(*) FROM fetches WHERE status = 304"));
	CHECK_INT(db_int(db,
		      "SELECT count(*) FROM fetches WHERE status = 304 AND "
		      "(bytes != 0 OR content_hash IS NOT NULL)"),
	    0);
	CHECK(
	    db_int(db, "SELECT count(*) FROM fetches WHERE status = 304") >= 4);
	/* A page that only ever answered 304 stays done with its facts. */
	CHECK_STR(db_text(db, a, sizeof(a),
		      "SELECT state || ' ' || status || ' ' || bytes || ' ' || "
		      "content_type || ' ' || etag FROM pages WHERE url LIKE "
		      "'%%/same'"),
	    "done 200 11 text/html \"s1\"");
	CHECK_STR(
	    db_text(db, a, sizeof(a),
		"SELECT content_hash FROM pages WHERE url LIKE '%%/same'"),
	    sha("<p>same</p>"));
	/* The root is parsed: its hash comes from the parse worker, the
	   leaves' (at the depth limit, not parsed) from the loop. */
	CHECK_STR(db_text(db, a, sizeof(a),
		      "SELECT content_hash FROM pages WHERE url LIKE '%%/'"),
	    sha(BODY_ROOT));
	/* Unchanged: changed_at is its first fetch, however often it was
	   fetched again (the no-validator page: 200s with the same body). */
	CHECK_STR(db_text(db, a, sizeof(a),
		      "SELECT changed_at FROM pages WHERE url LIKE '%%/same'"),
	    db_text(db, b, sizeof(b),
		"SELECT min(f.fetched_at) FROM fetches f JOIN pages p ON "
		"p.id = f.page_id WHERE p.url LIKE '%%/same'"));
	CHECK_STR(db_text(db, a, sizeof(a),
		      "SELECT changed_at FROM pages WHERE url LIKE '%%/none'"),
	    db_text(db, b, sizeof(b),
		"SELECT min(f.fetched_at) FROM fetches f JOIN pages p ON "
		"p.id = f.page_id WHERE p.url LIKE '%%/none'"));
	CHECK(db_int(db,
		  "SELECT count(*) FROM fetches f JOIN pages p ON p.id = "
		  "f.page_id WHERE p.url LIKE '%%/none'") >= 2);
	/* Changed: the new hash, and changed_at is the fetch that brought
	   it (later than the first), not the 304 after it. */
	CHECK_STR(db_text(db, a, sizeof(a),
		      "SELECT content_hash FROM pages WHERE url LIKE '%%/chg'"),
	    sha(BODY_CHG2));
	CHECK_STR(db_text(db, a, sizeof(a),
		      "SELECT etag FROM pages WHERE url LIKE '%%/chg'"),
	    "\"c2\"");
	CHECK_INT(db_int(db, "SELECT bytes FROM pages WHERE url LIKE '%%/chg'"),
	    strlen(BODY_CHG2));
	CHECK_STR(db_text(db, a, sizeof(a),
		      "SELECT changed_at FROM pages WHERE url LIKE '%%/chg'"),
	    db_text(db, b, sizeof(b),
		"SELECT f.fetched_at FROM fetches f JOIN pages p ON p.id = "
		"f.page_id WHERE p.url LIKE '%%/chg' AND f.content_hash = "
		"'%s'",
		sha(BODY_CHG2)));
	CHECK(db_int(db,
		  "SELECT changed_at > (SELECT min(fetched_at) FROM fetches f "
		  "WHERE f.page_id = p.id) FROM pages p WHERE url LIKE "
		  "'%%/chg'") == 1);
	CHECK_INT(
	    db_int(db,
		"SELECT count(DISTINCT f.content_hash) FROM fetches f JOIN "
		"pages p ON p.id = f.page_id WHERE p.url LIKE '%%/chg'"),
	    2);
	condsrv_stop(srv);
}

/* Stop once every one of the 40 leaves was fetched three times. */
static bool
step_bounded(struct run *r)
{
	char path[32];
	int i;

	for (i = 0; i < 40; i++) {
		snprintf(path, sizeof(path), "/p%d", i);
		if (condsrv_count(r->srv, path, 0) < 3)
			return false;
	}
	return true;
}

static void
test_revisit_bounded(void)
{
	struct condsrv *srv = condsrv_start();
	const char *db = it_db_path("revisit-bounded.db");
	const char *opts[] = {"robots=false", "revisit=1", "depth=1",
	    "queue-memory=4", "concurrency=2", "per-host=1", NULL};
	char seed[128], body[2048], path[32], etag[32];
	size_t used = 0;
	struct run r;
	int i;

	for (i = 0; i < 40; i++) {
		snprintf(path, sizeof(path), "/p%d", i);
		snprintf(etag, sizeof(etag), "\"p%d\"", i);
		condsrv_set(srv, path, "text/plain", path, etag, NULL);
		used += (size_t)snprintf(body + used, sizeof(body) - used,
		    "<a href=\"/p%d\">p</a>", i);
	}
	condsrv_set(srv, "/", NULL, body, NULL, NULL);
	snprintf(seed, sizeof(seed), "%s/", condsrv_origin(srv));
	memset(&r, 0, sizeof(r));
	r.srv = srv;
	r.step = step_bounded;
	REQUIRE(run_crawl(&r, db, seed, opts) == 0);
	CHECK(!r.timed_out);
	CHECK(!r.done_early);
	/* The first pass spills past 4 as well; what matters is that the
	   revisits never put more than --queue-memory in memory. */
	CHECK(r.max_queued <= 4);
	CHECK(requests_with(srv, "/p7", 304, "\"p7\"", "") >= 2);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM fetches"), condsrv_requests(srv));
	condsrv_stop(srv);
}

/* The failing-revisit test: a second server that goes away. */
static struct condsrv *gone_srv;
static const char *gone_db;

/* Phase 0: once /gone's 200 is committed, stop its server (the
   server's count moves when it has sent the response, which may still be
   on its way: stopped then, the first fetch fails and the page is
   failed, not a failed revisit). Phase 1: stop the crawl once a failed
   fetch of it is committed. */
static bool
step_gone(struct run *r)
{
	if (r->phase == 0 && gone_srv != NULL &&
	    db_int(gone_db,
		"SELECT count(*) FROM pages WHERE url LIKE '%%/gone' AND "
		"state = 'done' AND status = 200") >= 1) {
		condsrv_stop(gone_srv);
		gone_srv = NULL;
		r->phase = 1;
	}
	return r->phase == 1 &&
	    db_int(gone_db,
		"SELECT count(*) FROM fetches f JOIN pages p ON p.id = "
		"f.page_id WHERE p.url LIKE '%%/gone' AND f.error IS NOT "
		"NULL") >= 1;
}

/*
 * A revisit that fails (its server is gone: connection refused) is a
 * fetches row with the error; the page keeps its last good response
 * (done, 200, its size and hash) instead of turning 'failed'.
 */
static void
test_failed_revisit_keeps_page(void)
{
	struct condsrv *srv = condsrv_start();
	const char *opts[] = {
	    "robots=false", "revisit=1", "depth=1", "retries=0", NULL};
	char seed[128], body[256], a[256];
	struct run r;

	gone_db = it_db_path("revisit-gone.db");
	gone_srv = condsrv_start();
	condsrv_set(gone_srv, "/gone", NULL, "<p>was here</p>", "\"g1\"", LM);
	snprintf(body, sizeof(body), "<a href=\"%s/gone\">g</a>",
	    condsrv_origin(gone_srv));
	condsrv_set(srv, "/", NULL, body, "\"r1\"", NULL);
	snprintf(seed, sizeof(seed), "%s/", condsrv_origin(srv));
	memset(&r, 0, sizeof(r));
	r.srv = srv;
	r.step = step_gone;
	REQUIRE(run_crawl(&r, gone_db, seed, opts) == 0);
	CHECK(!r.timed_out);
	CHECK(!r.done_early);
	CHECK_STR(db_text(gone_db, a, sizeof(a),
		      "SELECT state || ' ' || status || ' ' || bytes || ' ' || "
		      "etag || ' ' || COALESCE(reason, '-') FROM pages WHERE "
		      "url LIKE '%%/gone'"),
	    "done 200 15 \"g1\" -");
	CHECK_STR(
	    db_text(gone_db, a, sizeof(a),
		"SELECT content_hash FROM pages WHERE url LIKE '%%/gone'"),
	    sha("<p>was here</p>"));
	CHECK_STR(db_text(gone_db, a, sizeof(a),
		      "SELECT COALESCE(f.status, 'NULL') || ' ' || "
		      "substr(f.error, 1, 8) FROM fetches f JOIN pages p ON "
		      "p.id = f.page_id WHERE p.url LIKE '%%/gone' AND f.error "
		      "IS NOT NULL ORDER BY f.id LIMIT 1"),
	    "NULL connect:");
	CHECK_INT(
	    db_int(gone_db,
		"SELECT count(*) FROM fetches f JOIN pages p ON p.id = "
		"f.page_id WHERE p.url LIKE '%%/gone' AND f.status = 200"),
	    1);
	condsrv_stop(gone_srv);
	gone_srv = NULL;
	condsrv_stop(srv);
}

/* Run 1: stop once /gone was fetched. */
static bool
step_fetched_gone(struct run *r)
{
	(void)r;
	return gone_srv != NULL && condsrv_count(gone_srv, "/gone", 200) >= 1;
}

/* Run 2: stop once /gone's revisit came to an end, kept or failed. */
static bool
step_gone_held(struct run *r)
{
	(void)r;
	return db_int(gone_db,
		   "SELECT count(*) FROM pages p WHERE p.url LIKE '%%/gone' "
		   "AND (p.state = 'failed' OR EXISTS (SELECT 1 FROM "
		   "fetches f WHERE f.page_id = p.id AND f.error IS NOT "
		   "NULL))") >= 1;
}

/*
 * A revisit held back because robots.txt cannot be read (its host is
 * gone when the crawl resumes in a new engine, so the rules are read
 * again) is a failed revisit too: the page stays done with its last good
 * response, and a fetches row says why it was not fetched.
 */
static void
test_robots_held_revisit_keeps_page(void)
{
	struct condsrv *srv = condsrv_start();
	const char *opts[] = {"revisit=1", "depth=1", "retries=0", NULL};
	char seed[128], body[256], a[256];
	struct run r;

	gone_db = it_db_path("revisit-robots.db");
	gone_srv = condsrv_start();
	condsrv_set(gone_srv, "/gone", NULL, "<p>was here</p>", "\"g1\"", LM);
	snprintf(body, sizeof(body), "<a href=\"%s/gone\">g</a>",
	    condsrv_origin(gone_srv));
	condsrv_set(srv, "/", NULL, body, "\"r1\"", NULL);
	snprintf(seed, sizeof(seed), "%s/", condsrv_origin(srv));
	memset(&r, 0, sizeof(r));
	r.srv = srv;
	r.step = step_fetched_gone;
	REQUIRE(run_crawl(&r, gone_db, seed, opts) == 0);
	CHECK(!r.timed_out);
	condsrv_stop(gone_srv);
	gone_srv = NULL;
	memset(&r, 0, sizeof(r));
	r.srv = srv;
	r.step = step_gone_held;
	r.resume_id = 1;
	REQUIRE(run_crawl(&r, gone_db, seed, opts) == 0);
	CHECK(!r.timed_out);
	CHECK_STR(db_text(gone_db, a, sizeof(a),
		      "SELECT state || ' ' || status || ' ' || bytes || ' ' || "
		      "etag || ' ' || COALESCE(reason, '-') FROM pages WHERE "
		      "url LIKE '%%/gone'"),
	    "done 200 15 \"g1\" -");
	CHECK_STR(
	    db_text(gone_db, a, sizeof(a),
		"SELECT content_hash FROM pages WHERE url LIKE '%%/gone'"),
	    sha("<p>was here</p>"));
	CHECK_STR(db_text(gone_db, a, sizeof(a),
		      "SELECT COALESCE(f.status, 'NULL') || ' ' || "
		      "substr(f.error, 1, 18) FROM fetches f JOIN pages p ON "
		      "p.id = f.page_id WHERE p.url LIKE '%%/gone' AND f.error "
		      "IS NOT NULL ORDER BY f.id LIMIT 1"),
	    "NULL robots-unreachable");
	condsrv_stop(srv);
}

/* Poll (bounded: 30 s) until path got n answers of status. */
static bool
wait_answers(struct condsrv *srv, const char *path, int status, unsigned n)
{
	int i;

	for (i = 0; i < 1500; i++) {
		if (condsrv_count(srv, path, status) >= n)
			return true;
		usleep(20000);
	}
	return false;
}

/*
 * The command line: `crawld crawl --revisit 1` runs until SIGINT (exit
 * 130, the crawl 'cancelled'), and the same command again resumes it:
 * the done pages are revalidated with what the first run stored.
 */
static void
test_cli_until_sigint(void)
{
	struct condsrv *srv = condsrv_start();
	const char *db = it_db_path("revisit-cli.db");
	char seed[128], state[32], out[4096];
	const char *argv[] = {"crawl", "--revisit", "1", "--no-robots", "-q",
	    "--db", db, seed, NULL};
	unsigned first;
	int pid;

	condsrv_set(srv, "/", NULL, "<a href=\"/x\">x</a>", "\"r\"", NULL);
	condsrv_set(srv, "/x", NULL, "<p>x</p>", "\"x\"", NULL);
	snprintf(seed, sizeof(seed), "%s/", condsrv_origin(srv));
	pid = it_spawn_crawld(argv);
	REQUIRE(pid > 0);
	CHECK(wait_answers(srv, "/x", 304, 1));
	CHECK(waitpid(pid, NULL, WNOHANG) == 0); /* still running */
	kill(pid, SIGINT);
	CHECK_INT(it_spawn_wait(pid), 130);
	CHECK_STR(db_text(db, state, sizeof(state), "SELECT state FROM crawls"),
	    "cancelled");
	CHECK_INT(db_int(db, "SELECT count(*) FROM crawls"), 1);
	/* Again (without -q): the same crawl goes on, conditionally from
	   the start, and its summary counts the revisits. */
	first = condsrv_count(srv, "/x", 304);
	argv[4] = "--delay=0";
	pid = it_spawn_crawld(argv);
	REQUIRE(pid > 0);
	CHECK(wait_answers(srv, "/x", 304, first + 1));
	CHECK_INT(condsrv_count(srv, "/x", 200), 1);
	kill(pid, SIGINT);
	CHECK_INT(it_spawn_wait(pid), 130);
	CHECK(strstr(it_spawn_output(out, sizeof(out)), "crawld: revisits: ") !=
	    NULL);
	CHECK(strstr(out, " not modified (304)") != NULL);
	CHECK_INT(db_int(db, "SELECT count(*) FROM crawls"), 1);
	CHECK_INT(
	    db_int(db, "SELECT count(*) FROM fetches"), condsrv_requests(srv));
	condsrv_stop(srv);
}

static const struct test tests[] = {
    TEST(revisit_conditional),
    TEST(revisit_bounded),
    TEST(cli_until_sigint),
    TEST(failed_revisit_keeps_page),
    TEST(robots_held_revisit_keeps_page),
};

int
main(int argc, char **argv)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	links_global_init();
	log_init(getenv("IT_VERBOSE") ? LOG_LVL_DEBUG : LOG_LVL_QUIET);
	return harness_run(tests, CW_NELEM(tests), argc, argv);
}
