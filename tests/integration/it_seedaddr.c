/* SPDX-License-Identifier: MIT */
/*
 * it_seedaddr.c - the seeds' addresses for the SSRF guard are found with
 * as few lookups as can be: a host once per crawl however many seeds
 * share it, an IP address with none at all (AI_NUMERICHOST); and a name's
 * lookup runs off the loop (resolver.h): while it hangs, another crawl in
 * the same engine runs to its end, the seeds waiting for it are fetched
 * once it answers, a lookup that does not answer within --timeout lets
 * them go without its addresses, and a crawl freed meanwhile is not
 * touched by the late answer. The engine's getaddrinfo() is wrapped at
 * link time (-Wl,--wrap=getaddrinfo), counted and, for "localhost" when
 * the test says so, held until the test lets it go (or 5 s pass: then
 * the test fails); libcurl's own resolver is not wrapped. Every seed is
 * on loopback, so the crawl reaching them shows the addresses were kept.
 */
#include <curl/curl.h>
#include <event2/event.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crawld/base/log.h"
#include "crawld/engine/engine.h"
#include "crawld/web/links.h"
#include "harness.h"
#include "ithelp.h"
#include "testsrv.h"

#define NSEEDS 30

int __real_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res);
int __wrap_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res);

/* The wrapper runs on the engine's resolver threads: all it shares
   with the test is under gate_mu. */
static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int lookups;	  /* calls that may ask DNS */
static int numeric;	  /* AI_NUMERICHOST calls */
static bool gate_armed;	  /* hold lookups of "localhost" */
static bool gate_open;	  /* the test let them go */
static int gate_entered;  /* lookups that got to the gate */
static int gate_left;	  /* of them, answered */
static bool gate_expired; /* one gave up waiting (5 s): the test fails */

/* Hold a lookup of "localhost" while the gate is armed and shut; under
   gate_mu. */
static void
gate_wait_locked(void)
{
	struct timespec until;

	gate_entered++;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5 * (time_t)it_slow();
	while (!gate_open)
		if (pthread_cond_timedwait(&gate_cv, &gate_mu, &until) ==
		    ETIMEDOUT) {
			gate_expired = true;
			break;
		}
	gate_left++;
}

/* The engine's getaddrinfo(), counted (and held, see gate_wait). */
int
__wrap_getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo h;

	pthread_mutex_lock(&gate_mu);
	if (hints != NULL && (hints->ai_flags & AI_NUMERICHOST) != 0) {
		numeric++;
		pthread_mutex_unlock(&gate_mu);
		return __real_getaddrinfo(node, service, hints, res);
	}
	lookups++;
	if (gate_armed && node != NULL && strcmp(node, "localhost") == 0)
		gate_wait_locked();
	pthread_mutex_unlock(&gate_mu);
	/* The test counts lookups; it does not test the system's resolver.
	   A minimal root has no /etc/hosts, where "localhost" is not found
	   (libcurl knows it by itself), so the wrapper answers it. */
	if (node != NULL && strcmp(node, "localhost") == 0) {
		memset(&h, 0, sizeof(h));
		if (hints != NULL)
			h = *hints;
		h.ai_flags |= AI_NUMERICHOST;
		return __real_getaddrinfo("127.0.0.1", service, &h, res);
	}
	return __real_getaddrinfo(node, service, hints, res);
}

/* Any /p/N page, without links. */
static int
leaf_gen(const char *path, struct testsrv_page *out, char *buf, size_t size,
    void *arg)
{
	(void)buf;
	(void)size;
	(void)arg;
	if (strncmp(path, "/p/", 3) != 0)
		return 0;
	out->body = "<p>leaf</p>";
	return 1;
}

/* Crawl NSEEDS seeds http://HOST:PORT/p/i; the pages done. */
static unsigned long long
crawl_seeds_on(struct testsrv *s, const char *host, const char *db)
{
	static char urls[NSEEDS][128];
	const char *seeds[NSEEDS];
	const char *opts[] = {"robots=false", "depth=0", NULL};
	struct it_result r;
	size_t i;

	for (i = 0; i < NSEEDS; i++) {
		snprintf(urls[i], sizeof(urls[i]), "http://%s:%u/p/%zu", host,
		    (unsigned)testsrv_port(s), i);
		seeds[i] = urls[i];
	}
	pthread_mutex_lock(&gate_mu);
	lookups = numeric = 0;
	pthread_mutex_unlock(&gate_mu);
	if (it_crawl_seeds(db, seeds, NSEEDS, opts, &r) != 0)
		return 0;
	CHECK_INT(r.end, CRAWL_END_DONE);
	return r.stats.done;
}

/* 30 seeds on one host name: one lookup. */
static void
test_one_lookup_per_host(void)
{
	struct testsrv *s = testsrv_start_gen(leaf_gen, NULL);

	REQUIRE(s != NULL);
	CHECK_INT(
	    crawl_seeds_on(s, "localhost", it_db_path("name.db")), NSEEDS);
	CHECK_INT(lookups, 1);
	CHECK_INT(testsrv_total(s), NSEEDS);
	testsrv_stop(s);
}

/* 30 seeds on an IP address: no lookup at all. */
static void
test_no_lookup_for_an_address(void)
{
	struct testsrv *s = testsrv_start_gen(leaf_gen, NULL);

	REQUIRE(s != NULL);
	CHECK_INT(crawl_seeds_on(s, "127.0.0.1", it_db_path("ip.db")), NSEEDS);
	CHECK_INT(lookups, 0);
	CHECK_INT(numeric, 1);
	testsrv_stop(s);
}

/* Arm the gate: lookups of "localhost" wait for gate_release(). */
static void
gate_arm(void)
{
	pthread_mutex_lock(&gate_mu);
	gate_armed = true;
	gate_open = gate_expired = false;
	gate_entered = gate_left = 0;
	lookups = numeric = 0;
	pthread_mutex_unlock(&gate_mu);
}

/* Let held lookups go. */
static void
gate_release(void)
{
	pthread_mutex_lock(&gate_mu);
	gate_open = true;
	pthread_cond_broadcast(&gate_cv);
	pthread_mutex_unlock(&gate_mu);
}

/* Whether the held name is still unanswered: its lookup waits at the
   gate, or its resolver thread has not got there yet (on a loaded machine
   the thread may not have run at all while another crawl ends). */
static bool
gate_holding(void)
{
	bool held;

	pthread_mutex_lock(&gate_mu);
	held = gate_left == 0 && !gate_open && !gate_expired;
	pthread_mutex_unlock(&gate_mu);
	return held;
}

/* Wait (5 s at most) until n lookups came to the gate and left passed
   of them; true if they did. */
static bool
gate_wait_for(int entered, bool all_left)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	bool ok;
	int i;

	for (i = 0; i < 500 * (int)it_slow(); i++) {
		pthread_mutex_lock(&gate_mu);
		ok = gate_entered >= entered &&
		    (!all_left || gate_left == gate_entered);
		pthread_mutex_unlock(&gate_mu);
		if (ok)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* Let the held lookups go and disarm, once they have left the gate. */
static void
gate_disarm(void)
{
	gate_release();
	CHECK(gate_wait_for(0, true));
	pthread_mutex_lock(&gate_mu);
	gate_armed = false;
	pthread_mutex_unlock(&gate_mu);
}

/* One engine, one store, one loop, for crawls the tests start in it. */
struct rig {
	struct event_base *base;
	struct store *st;
	struct engine *e;
	struct crawl_opts o;
	int finished;	       /* crawls whose done callback ran */
	int want;	       /* leave the loop when this many are done */
	bool held_at_first;    /* a lookup was held when the first ended */
	unsigned srv_at_first; /* requests the server had then */
	struct testsrv *srv;   /* borrowed */
	bool release_at_first; /* let the gate go when the first ends */
};

/* A crawl ended: note what the gate and the server said at the first. */
static void
rig_done(struct crawl *c, void *arg)
{
	struct rig *r = arg;

	(void)c;
	if (r->finished++ == 0) {
		r->held_at_first = gate_holding();
		r->srv_at_first = testsrv_total(r->srv);
		if (r->release_at_first)
			gate_release();
	}
	if (r->finished == r->want)
		event_base_loopbreak(r->base);
}

/* Set up the rig with "name=value" options. */
static void
rig_init(
    struct rig *r, const char *db, const char *const *opts, struct testsrv *srv)
{
	struct engine_config cfg;
	char err[256], name[64];
	const char *eq;

	memset(r, 0, sizeof(*r));
	r->srv = srv;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	links_global_init();
	log_init(LOG_LVL_QUIET);
	crawl_opts_init(&r->o);
	for (; *opts != NULL; opts++) {
		eq = strchr(*opts, '=');
		REQUIRE(eq != NULL && (size_t)(eq - *opts) < sizeof(name));
		snprintf(name, sizeof(name), "%.*s", (int)(eq - *opts), *opts);
		REQUIRE(crawl_opts_set(&r->o, name, eq + 1, err, sizeof(err)) ==
		    CW_OK);
	}
	REQUIRE(store_open(db, 0, &r->st, err, sizeof(err)) == CW_OK);
	r->base = event_base_new();
	REQUIRE(r->base != NULL);
	engine_config_from_opts(&cfg, &r->o);
	r->e = engine_new(r->base, r->st, &cfg);
	REQUIRE(r->e != NULL);
}

/* Start a crawl of the NSEEDS pages /p/first... on host in the rig. */
static struct crawl *
rig_start(struct rig *r, const char *host, int first)
{
	static char urls[2][NSEEDS][128];
	static int which;
	char *seeds[NSEEDS], err[256];
	struct crawl *c = NULL;
	size_t i;

	which = (which + 1) % 2;
	for (i = 0; i < NSEEDS; i++) {
		snprintf(urls[which][i], sizeof(urls[which][i]),
		    "http://%s:%u/p/%zu", host, (unsigned)testsrv_port(r->srv),
		    first + i);
		seeds[i] = urls[which][i];
	}
	CHECK(crawl_start(r->e, &r->o, seeds, NSEEDS, rig_done, r, &c, err,
		  sizeof(err)) == CW_OK);
	return c;
}

/* Run the loop until want crawls are done (30 s at most). */
static void
rig_run(struct rig *r, int want)
{
	struct timeval deadline = {30 * (time_t)it_slow(), 0};

	r->want = want;
	event_base_loopexit(r->base, &deadline);
	event_base_dispatch(r->base);
	CHECK_INT(r->finished, want);
}

/* Free it all. */
static void
rig_free(struct rig *r)
{
	engine_free(r->e);
	event_base_free(r->base);
	store_close(r->st);
	crawl_opts_cleanup(&r->o);
}

/* A crawl's counters. */
static struct crawl_stats
stats_of(const struct crawl *c)
{
	struct crawl_stats st;

	crawl_get_stats(c, &st);
	return st;
}

/*
 * While the lookup of one crawl's seed host hangs, a crawl of an IP
 * address in the same engine runs to its end (the loop is not blocked);
 * the held seeds are fetched only after the answer, all of them, with
 * one lookup for the host.
 */
static void
test_slow_lookup_blocks_only_its_crawl(void)
{
	struct testsrv *s = testsrv_start_gen(leaf_gen, NULL);
	const char *opts[] = {"robots=false", "depth=0", NULL};
	struct crawl *named, *numbered;
	struct rig r;

	REQUIRE(s != NULL);
	gate_arm();
	rig_init(&r, it_db_path("slow.db"), opts, s);
	r.release_at_first = true;
	named = rig_start(&r, "localhost", 0);
	numbered = rig_start(&r, "127.0.0.1", 100);
	REQUIRE(named != NULL && numbered != NULL);
	rig_run(&r, 2);
	/* The IP crawl ended first, while the lookup was held, and the
	   held seeds had not been fetched then. */
	CHECK(r.held_at_first);
	CHECK_INT(r.srv_at_first, NSEEDS);
	CHECK_INT(crawl_end_reason(numbered), CRAWL_END_DONE);
	CHECK_INT(stats_of(numbered).done, NSEEDS);
	/* Then every held seed was fetched, with the addresses allowed. */
	CHECK_INT(crawl_end_reason(named), CRAWL_END_DONE);
	CHECK_INT(stats_of(named).done, NSEEDS);
	CHECK_INT(stats_of(named).failed, 0);
	CHECK_INT(testsrv_total(s), 2 * NSEEDS);
	gate_disarm();
	CHECK_INT(lookups, 1);
	CHECK(!gate_expired);
	rig_free(&r);
	testsrv_stop(s);
}

/*
 * A lookup that does not answer within --timeout: the seeds go without
 * its addresses, so the SSRF guard refuses the loopback address libcurl
 * finds (the pages are skipped as blocked-address, none reaches the
 * server), and the crawl ends while the lookup still hangs.
 */
static void
test_lookup_timeout_lets_seeds_go(void)
{
	struct testsrv *s = testsrv_start_gen(leaf_gen, NULL);
	const char *opts[] = {"robots=false", "depth=0", "timeout=1", NULL};
	struct crawl *named;
	struct rig r;

	REQUIRE(s != NULL);
	gate_arm();
	rig_init(&r, it_db_path("timeout.db"), opts, s);
	named = rig_start(&r, "localhost", 0);
	REQUIRE(named != NULL);
	rig_run(&r, 1);
	CHECK(r.held_at_first);
	CHECK_INT(crawl_end_reason(named), CRAWL_END_DONE);
	CHECK_INT(stats_of(named).done, 0);
	CHECK_INT(stats_of(named).skipped, NSEEDS); /* blocked-address */
	CHECK_INT(testsrv_total(s), 0);
	gate_disarm();
	CHECK(!gate_expired);
	rig_free(&r);
	testsrv_stop(s);
}

/*
 * A crawl stopped and freed while its lookup hangs ends at once; the
 * late answer touches nothing of it (ASan and valgrind runs would see it)
 * and the engine goes on: another crawl, started after the answer came,
 * completes.
 */
static void
test_crawl_freed_before_answer(void)
{
	struct testsrv *s = testsrv_start_gen(leaf_gen, NULL);
	const char *opts[] = {"robots=false", "depth=0", NULL};
	struct crawl *named, *later;
	struct rig r;

	REQUIRE(s != NULL);
	gate_arm();
	rig_init(&r, it_db_path("freed.db"), opts, s);
	named = rig_start(&r, "localhost", 0);
	REQUIRE(named != NULL);
	/* Stopped once its lookup is inside getaddrinfo(). */
	CHECK(gate_wait_for(1, false));
	crawl_stop(named);
	rig_run(&r, 1);
	CHECK(r.held_at_first);
	CHECK_INT(crawl_end_reason(named), CRAWL_END_STOPPED);
	crawl_free(named);
	gate_disarm(); /* the answer comes, to nobody */
	r.finished = 0;
	later = rig_start(&r, "127.0.0.1", 100);
	REQUIRE(later != NULL);
	rig_run(&r, 1);
	CHECK_INT(crawl_end_reason(later), CRAWL_END_DONE);
	CHECK_INT(stats_of(later).done, NSEEDS);
	CHECK_INT(testsrv_total(s), NSEEDS);
	CHECK(!gate_expired);
	rig_free(&r);
	testsrv_stop(s);
}

/* The port of the server link_gen's absolute link names. */
static unsigned link_port;

/* /p/0 links to http://localhost:PORT/q; /q and /s are leaves; the
   robots.txt disallows /q. */
static int
link_gen(const char *path, struct testsrv_page *out, char *buf, size_t size,
    void *arg)
{
	(void)arg;
	if (strcmp(path, "/robots.txt") == 0) {
		out->content_type = "text/plain";
		out->body = "User-agent: *\nDisallow: /q\n";
		return 1;
	}
	if (strcmp(path, "/p/0") == 0) {
		snprintf(buf, size, "<a href=\"http://localhost:%u/q\">q</a>",
		    link_port);
		out->body = buf;
		return 1;
	}
	if (strcmp(path, "/q") != 0 && strcmp(path, "/s") != 0)
		return 0;
	out->body = "<p>leaf</p>";
	return 1;
}

/* The test's clock while add_seed_link_waits runs: it lets the held
   lookup go a while after the page linking to the new seed's host was
   fetched, so a fetch of the link that did not wait has had its chance
   to be refused. */
struct release_tick {
	struct testsrv *srv;  /* the seed's */
	int ticks_since_page; /* -1 until /p/0 was answered */
};

static void
release_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct release_tick *rt = arg;

	(void)fd;
	(void)what;
	if (rt->ticks_since_page < 0 && testsrv_total(rt->srv) >= 1)
		rt->ticks_since_page = 0;
	else if (rt->ticks_since_page >= 0 && ++rt->ticks_since_page == 15)
		gate_release(); /* 300 ms after the page */
}

/*
 * add-seeds on a running crawl of 127.0.0.2 (the only address its seed
 * allows): a seed on localhost (127.0.0.1, another server) whose lookup
 * is held, and the crawl's page links to that host. The link is found
 * before the answer; the host's robots.txt and then the link wait for
 * the answer instead of being refused as a private address (a refused
 * robots.txt counts as none, for a day): its rules are read and keep the
 * link out, the added seed is done. Without robots.txt (robots=false)
 * the link itself waits, and is done.
 */
static void
check_add_seed_link_waits(bool robots)
{
	struct testsrv *s =
	    testsrv_start_gen_on("127.0.0.2", 0, link_gen, NULL);
	struct testsrv *named = testsrv_start_gen(link_gen, NULL);
	const char *opts[] = {
	    robots ? "robots=true" : "robots=false", "depth=3", NULL};
	char seed[128], added[128], a[128];
	char *seeds[1] = {seed}, *more[1] = {added}, err[256];
	struct release_tick rt = {s, -1};
	struct timeval every = {0, 20000};
	struct event *tick;
	struct crawl *c = NULL;
	const char *db =
	    it_db_path(robots ? "addseed.db" : "addseed-norobots.db");
	struct rig r;

	REQUIRE(s != NULL && named != NULL);
	link_port = (unsigned)testsrv_port(named);
	gate_arm();
	rig_init(&r, db, opts, s);
	snprintf(seed, sizeof(seed), "http://127.0.0.2:%u/p/0",
	    (unsigned)testsrv_port(s));
	snprintf(added, sizeof(added), "http://localhost:%u/s", link_port);
	REQUIRE(crawl_start(r.e, &r.o, seeds, 1, rig_done, &r, &c, err,
		    sizeof(err)) == CW_OK);
	REQUIRE(crawl_add_seeds(c, more, 1, err, sizeof(err)) == CW_OK);
	tick = event_new(r.base, -1, EV_PERSIST, release_tick_cb, &rt);
	REQUIRE(tick != NULL && event_add(tick, &every) == 0);
	rig_run(&r, 1);
	event_free(tick);
	CHECK_INT(crawl_end_reason(c), CRAWL_END_DONE);
	CHECK_STR(db_text(db, a, sizeof(a),
		      "SELECT state || ' ' || COALESCE(status, '-') || ' ' || "
		      "COALESCE(reason, '-') FROM pages WHERE url LIKE "
		      "'%%localhost%%/q'"),
	    robots ? "skipped - robots" : "done 200 -");
	CHECK_STR(db_text(db, a, sizeof(a),
		      "SELECT state || ' ' || COALESCE(status, '-') FROM pages "
		      "WHERE url LIKE '%%localhost%%/s'"),
	    "done 200");
	CHECK_INT(stats_of(c).skipped, robots ? 1 : 0);
	CHECK_INT(stats_of(c).failed, 0);
	gate_disarm();
	CHECK(!gate_expired);
	rig_free(&r);
	testsrv_stop(named);
	testsrv_stop(s);
}

static void
test_add_seed_link_waits(void)
{
	check_add_seed_link_waits(true);
}

static void
test_add_seed_link_waits_no_robots(void)
{
	check_add_seed_link_waits(false);
}

static const struct test tests[] = {
    TEST(one_lookup_per_host),
    TEST(no_lookup_for_an_address),
    TEST(slow_lookup_blocks_only_its_crawl),
    TEST(lookup_timeout_lets_seeds_go),
    TEST(crawl_freed_before_answer),
    TEST(add_seed_link_waits),
    TEST(add_seed_link_waits_no_robots),
};

TEST_MAIN(tests)
