/* SPDX-License-Identifier: MIT */
/*
 * st_jobs.c - system tests of a job's life in `crawld serve`: pause then
 * resume (no request reaches the site while paused), cancel, SIGKILL
 * mid-crawl and a restart that resumes the job by itself with nothing
 * lost, SIGTERM with transfers in flight (exit 0: they finish, or the
 * deadline puts them back), SIGHUP with a bad config (the old one stays)
 * and with a good one (live changes logged). The fixture server holds
 * answers where a test must act while a transfer is in flight, so no
 * assertion depends on timing.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "ithelp.h"
#include "sthelp.h"
#include "testsrv.h"

static long site_pages = 255; /* st_tree_gen pages */

static const char engine_conf[] = "[engine]\nconcurrency = 4\nper_host = 2\n"
				  "[crawl]\ndepth = 30\n";

/* The seed. */
static const char *
seed_of(struct testsrv *s)
{
	static char seed[128];

	snprintf(seed, sizeof(seed), "%s/p/0", testsrv_origin(s));
	return seed;
}

/* A job's in_flight member (-1 on failure). */
static long long
in_flight(struct st_daemon *d, long long id)
{
	char path[64];
	long status;
	json_t *v;
	long long n;

	snprintf(path, sizeof(path), "/crawls/%lld", id);
	v = st_json(d, "GET", path, NULL, &status);
	n = v != NULL
	    ? (long long)json_integer_value(json_object_get(v, "in_flight"))
	    : -1;
	json_decref(v);
	return n;
}

/* Wait until the job's last transfer has finished (bounded). */
static bool
wait_settled(struct st_daemon *d, long long id)
{
	int i;

	for (i = 0; i < 3000; i++) {
		if (in_flight(d, id) == 0)
			return true;
		st_sleep_ms(20);
	}
	return false;
}

/* POST/DELETE a job action; the HTTP status. */
static long
act(struct st_daemon *d, const char *method, long long id, const char *what)
{
	char path[64];
	long status;

	snprintf(path, sizeof(path), "/crawls/%lld%s%s", id,
	    what[0] != '\0' ? "/" : "", what);
	json_decref(st_json(d, method, path, NULL, &status));
	return status;
}

/* Pause: nothing reaches the site until resume; then every page. */
static void
test_pause_resume(void)
{
	struct testsrv *s = testsrv_start_gen(st_tree_gen, &site_pages);
	struct st_daemon d;
	unsigned before, npaths;
	long long id;

	REQUIRE(s != NULL);
	testsrv_set_delay(s, 10);
	st_init(&d, "pause");
	st_write_config(&d, engine_conf);
	REQUIRE(st_start(&d, NULL) == 0);
	id = st_submit(&d, seed_of(s), "");
	REQUIRE(id > 0);
	CHECK(st_wait_done_pages(&d, id, 10));
	CHECK_INT(act(&d, "POST", id, "pause"), 200);
	CHECK(st_wait_state(&d, id, "paused"));
	CHECK(wait_settled(&d, id));
	CHECK(st_wait_log(&d, "jobs: id=1 state=paused"));
	before = testsrv_total(s);
	st_sleep_ms(1500);
	CHECK_INT(testsrv_total(s), before); /* no fetch while paused */
	CHECK_INT(db_int(d.db, "SELECT state = 'paused' FROM crawls"), 1);
	CHECK(db_int(d.db,
		  "SELECT COUNT(*) FROM pages WHERE state = "
		  "'queued'") > 0);
	CHECK_INT(db_int(d.db,
		      "SELECT COUNT(*) FROM pages WHERE state = "
		      "'fetching'"),
	    0);
	CHECK(st_count(&d, id, "done") < site_pages);
	/* Pausing twice is fine; resuming a paused job goes on. */
	CHECK_INT(act(&d, "POST", id, "pause"), 200);
	CHECK_INT(act(&d, "POST", id, "resume"), 200);
	CHECK(st_wait_state(&d, id, "done"));
	CHECK_INT(st_count(&d, id, "done"), site_pages);
	CHECK_INT(st_count(&d, id, "queued"), 0);
	CHECK(testsrv_total(s) > before);
	/* Each page fetched once: a pause loses and repeats nothing. */
	CHECK_INT(testsrv_max_hits(s, &npaths), 1);
	CHECK_INT(npaths, site_pages + 1);	       /* + robots.txt */
	CHECK_INT(act(&d, "POST", id, "resume"), 409); /* done */
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	testsrv_stop(s);
}

/* Cancel: state cancelled, rows kept, nothing more fetched. */
static void
test_cancel(void)
{
	struct testsrv *s = testsrv_start_gen(st_tree_gen, &site_pages);
	struct st_daemon d;
	unsigned before;
	long long id;

	REQUIRE(s != NULL);
	testsrv_set_delay(s, 10);
	st_init(&d, "cancel");
	st_write_config(&d, engine_conf);
	REQUIRE(st_start(&d, NULL) == 0);
	id = st_submit(&d, seed_of(s), "");
	CHECK(st_wait_done_pages(&d, id, 5));
	CHECK_INT(act(&d, "DELETE", id, ""), 200);
	CHECK(st_wait_state(&d, id, "cancelled"));
	CHECK(wait_settled(&d, id));
	before = testsrv_total(s);
	st_sleep_ms(1000);
	CHECK_INT(testsrv_total(s), before);
	CHECK_INT(db_int(d.db,
		      "SELECT state = 'cancelled' AND finished_at "
		      "IS NOT NULL FROM crawls"),
	    1);
	CHECK(db_int(d.db,
		  "SELECT COUNT(*) FROM pages WHERE state = "
		  "'queued'") > 0);
	CHECK_INT(act(&d, "POST", id, "resume"), 409);
	CHECK_INT(act(&d, "POST", id, "pause"), 409);
	/* A restart leaves a cancelled job alone. */
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	REQUIRE(st_start(&d, NULL) == 0);
	CHECK(st_wait_log(&d, "jobs: loaded resumed=0 paused=0"));
	CHECK(st_wait_state(&d, id, "cancelled"));
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	testsrv_stop(s);
}

/* SIGKILL mid-crawl; the restart resumes the job by itself. */
static void
test_sigkill_restart(void)
{
	struct testsrv *s = testsrv_start_gen(st_tree_gen, &site_pages);
	struct st_daemon d;
	unsigned npaths;
	long long id;
	char buf[64];

	REQUIRE(s != NULL);
	testsrv_set_delay(s, 5);
	st_init(&d, "kill");
	st_write_config(&d, engine_conf);
	REQUIRE(st_start(&d, NULL) == 0);
	id = st_submit(&d, seed_of(s), "");
	CHECK(st_wait_done_pages(&d, id, 40));
	CHECK_INT(st_stop(&d, SIGKILL), 128 + SIGKILL);
	CHECK(db_int(d.db, "SELECT COUNT(*) FROM pages WHERE state = 'done'") <
	    site_pages);
	CHECK_INT(db_int(d.db, "SELECT state = 'running' FROM crawls"), 1);
	REQUIRE(st_start(&d, NULL) == 0);
	CHECK(st_wait_log(&d, "jobs: id=1 state=running (resumed)"));
	CHECK(st_wait_state(&d, id, "done"));
	CHECK_INT(st_count(&d, id, "done"), site_pages);
	CHECK_INT(st_count(&d, id, "failed"), 0);
	CHECK_INT(st_count(&d, id, "queued"), 0);
	/* At most twice (in flight at the kill), never lost. */
	CHECK(testsrv_max_hits(s, &npaths) <= 2);
	CHECK_INT(npaths, site_pages + 1);
	CHECK_STR(
	    db_text(d.db, buf, sizeof(buf), "PRAGMA integrity_check"), "ok");
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	testsrv_stop(s);
}

/* SIGTERM with a transfer in flight: it finishes, exit 0; restart ends
   the job. */
static void
test_sigterm_in_flight(void)
{
	struct testsrv *s = testsrv_start_gen(st_tree_gen, &site_pages);
	struct st_daemon d;
	long long id;
	int i;

	REQUIRE(s != NULL);
	testsrv_hold(s, "/p/5");
	st_init(&d, "term");
	st_write_config(&d, engine_conf);
	REQUIRE(st_start(&d, NULL) == 0);
	id = st_submit(&d, seed_of(s), "");
	for (i = 0; i < 3000 && testsrv_held(s) == 0; i++)
		st_sleep_ms(10);
	REQUIRE(testsrv_held(s) == 1);
	kill(d.pid, SIGTERM);
	CHECK(st_wait_log(&d, "daemon: SIGTERM: stopping"));
	testsrv_release(s);
	CHECK_INT(st_stop(&d, 0), 0); /* reap: it exits by itself */
	CHECK(st_log_has(&d, "daemon: every job stopped"));
	CHECK(!st_log_has(&d, "shutdown_timeout reached"));
	/* The held page was recorded, with its links. */
	CHECK_INT(db_int(d.db,
		      "SELECT state = 'done' FROM pages WHERE url "
		      "LIKE '%%/p/5'"),
	    1);
	CHECK_INT(db_int(d.db,
		      "SELECT COUNT(*) FROM pages WHERE url LIKE "
		      "'%%/p/11' OR url LIKE '%%/p/12'"),
	    2);
	CHECK_INT(db_int(d.db, "SELECT state = 'running' FROM crawls"), 1);
	REQUIRE(st_start(&d, NULL) == 0);
	CHECK(st_wait_state(&d, id, "done"));
	CHECK_INT(st_count(&d, id, "done"), site_pages);
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	testsrv_stop(s);
}

/* SIGTERM with a transfer that never ends: the deadline, exit 0, and the
   page is fetched after the restart. */
static void
test_sigterm_deadline(void)
{
	struct testsrv *s = testsrv_start_gen(st_tree_gen, &site_pages);
	struct st_daemon d;
	long long id;
	int i;

	REQUIRE(s != NULL);
	testsrv_hold(s, "/p/3");
	st_init(&d, "deadline");
	st_write_config(&d, engine_conf);
	REQUIRE(st_start(&d, NULL) == 0);
	id = st_submit(&d, seed_of(s), "");
	for (i = 0; i < 3000 && testsrv_held(s) == 0; i++)
		st_sleep_ms(10);
	REQUIRE(testsrv_held(s) == 1);
	CHECK_INT(st_stop(&d, SIGTERM), 0); /* shutdown_timeout = 2 */
	CHECK(st_log_has(&d, "shutdown_timeout reached: 1 transfers"));
	CHECK_INT(db_int(d.db, "SELECT state = 'running' FROM crawls"), 1);
	CHECK(db_int(d.db,
		  "SELECT state IN ('fetching', 'queued') FROM pages "
		  "WHERE url LIKE '%%/p/3'") == 1);
	testsrv_release(s);
	REQUIRE(st_start(&d, NULL) == 0);
	CHECK(st_wait_state(&d, id, "done"));
	CHECK_INT(st_count(&d, id, "done"), site_pages);
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	testsrv_stop(s);
}

/* SIGHUP: a bad config is refused whole; a good one applies live. */
static void
test_sighup(void)
{
	struct testsrv *s = testsrv_start_gen(st_tree_gen, &site_pages);
	struct st_daemon d;
	char path[64];
	long status;
	json_t *v;
	long long id;
	FILE *f;

	REQUIRE(s != NULL);
	st_init(&d, "hup");
	st_write_config(&d, engine_conf);
	REQUIRE(st_start(&d, NULL) == 0);
	/* Bad: an unknown key. The old config (depth 30) stays. */
	f = fopen(d.conf, "a");
	REQUIRE(f != NULL);
	fputs("bogus = 1\n", f);
	fclose(f);
	kill(d.pid, SIGHUP);
	CHECK(st_wait_log(&d, "config: reload failed, the old config stays"));
	CHECK(st_log_has(&d, "unknown option 'bogus'"));
	free(st_http(&d, "GET", "/healthz", NULL, NULL, &status));
	CHECK_INT(status, 200);
	id = st_submit(&d, seed_of(s), "");
	CHECK(st_wait_state(&d, id, "done"));
	CHECK_INT(st_count(&d, id, "done"), site_pages);
	/* Good: a new level, new defaults, and a key that needs a restart. */
	st_write_config(&d,
	    "[engine]\nconcurrency = 8\nper_host = 3\n"
	    "[crawl]\ndepth = 1\n");
	{
		/* st_write_config wrote log_level = debug: make it info. */
		char cmd[700];

		snprintf(cmd, sizeof(cmd),
		    "sed -i 's/^log_level = debug/log_level = info/' %s",
		    d.conf);
		CHECK_INT(system(cmd), 0);
	}
	kill(d.pid, SIGHUP);
	CHECK(st_wait_log(&d, "config: reloaded"));
	CHECK(st_log_has(&d, "config: log_level changed: debug -> info"));
	CHECK(st_log_has(&d, "takes effect after a restart"));
	CHECK(st_log_has(&d, "config: concurrency changed: 4 -> 8"));
	CHECK(st_log_has(&d, "defaults for new jobs changed"));
	id = st_submit(&d, seed_of(s), "");
	CHECK(st_wait_state(&d, id, "done"));
	snprintf(path, sizeof(path), "/crawls/%lld", id);
	v = st_json(&d, "GET", path, NULL, &status);
	CHECK(v != NULL &&
	    json_integer_value(
		json_object_get(json_object_get(v, "options"), "depth")) == 1);
	CHECK(v != NULL &&
	    json_integer_value(json_object_get(json_object_get(v, "options"),
		"concurrency")) == 8); /* applied live */
	CHECK(v != NULL &&
	    json_integer_value(json_object_get(
		json_object_get(v, "options"), "per-host")) == 2); /* not */
	json_decref(v);
	CHECK_INT(st_count(&d, id, "done"), 3);
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	testsrv_stop(s);
}

/* Rewrite the config with [engine] concurrency = n and SIGHUP it. */
static void
hup_concurrency(struct st_daemon *d, unsigned n)
{
	char conf[200], want[80];

	snprintf(conf, sizeof(conf),
	    "[engine]\nconcurrency = %u\nper_host = 16\n[crawl]\ndepth = 30\n"
	    "max-pages = 24\n",
	    n);
	st_write_config(d, conf);
	kill(d->pid, SIGHUP);
	snprintf(want, sizeof(want), "-> %u (", n);
	CHECK(st_wait_log(d, want));
}

/* The busy worker slots /metrics shows (-1 on failure). */
static long long
busy_slots(struct st_daemon *d)
{
	long status;
	char *m = st_http(d, "GET", "/metrics", NULL, NULL, &status);
	const char *p =
	    m != NULL ? strstr(m, "\ncrawld_transfers_in_flight ") : NULL;
	long long n = p != NULL ? strtoll(p + 28, NULL, 10) : -1;

	free(m);
	return n;
}

/* A job on a fresh server (every answer 300 ms late): its peak of
   requests in flight there; *busy gets the most busy slots seen. */
static unsigned
peak_of_job(struct st_daemon *d, long long *busy)
{
	struct testsrv *s = testsrv_start_gen(st_tree_gen, &site_pages);
	unsigned peak;
	long long id, n;
	int i;

	*busy = 0;
	if (s == NULL)
		return 0;
	testsrv_set_delay(s, 300);
	id = st_submit(d, seed_of(s), "");
	/* Sampled while it runs: slots handed to libcurl past the limit
	   would wait there (the server would not see them). */
	for (i = 0; i < 600 && st_count(d, id, "done") < 24; i++) {
		n = busy_slots(d);
		*busy = n > *busy ? n : *busy;
		st_sleep_ms(20);
	}
	CHECK(st_wait_state(d, id, "done"));
	CHECK_INT(st_count(d, id, "done"), 24);
	peak = testsrv_max_in_flight(s);
	testsrv_stop(s);
	return peak;
}

/* SIGHUP changes the engine's slot count live, up and down. */
static void
test_sighup_concurrency(void)
{
	struct st_daemon d;
	long long busy;
	char *m;
	long status;

	st_init(&d, "hupslots");
	st_write_config(&d,
	    "[engine]\nconcurrency = 2\nper_host = 16\n"
	    "[crawl]\ndepth = 30\nmax-pages = 24\n");
	REQUIRE(st_start(&d, NULL) == 0);
	CHECK_INT(peak_of_job(&d, &busy), 2);
	CHECK_INT(busy, 2);
	hup_concurrency(&d, 6);
	CHECK(st_log_has(&d, "config: concurrency changed: 2 -> 6"));
	CHECK_INT(peak_of_job(&d, &busy), 6);
	CHECK_INT(busy, 6);
	m = st_http(&d, "GET", "/metrics", NULL, NULL, &status);
	CHECK(m != NULL && strstr(m, "\ncrawld_worker_slots 6\n") != NULL);
	free(m);
	hup_concurrency(&d, 3);
	CHECK(st_log_has(&d, "config: concurrency changed: 6 -> 3"));
	CHECK_INT(peak_of_job(&d, &busy), 3);
	CHECK_INT(busy, 3); /* the spare slots stay idle */
	CHECK_INT(st_stop(&d, SIGTERM), 0);
}

/* POST a JSON body to a job route; the HTTP status. */
static long
post(struct st_daemon *d, long long id, const char *what, const char *body)
{
	char path[64];
	long status;

	snprintf(path, sizeof(path), "/crawls/%lld/%s", id, what);
	json_decref(st_json(d, "POST", path, body, &status));
	return status;
}

/* A paused job stays paused across a crash (the row says so at once). */
static void
test_pause_survives_kill(void)
{
	struct testsrv *s = testsrv_start_gen(st_tree_gen, &site_pages);
	struct st_daemon d;
	unsigned before;
	long long id;
	int i;

	REQUIRE(s != NULL);
	testsrv_hold(s, "/p/1");
	st_init(&d, "pausekill");
	st_write_config(&d, engine_conf);
	REQUIRE(st_start(&d, NULL) == 0);
	id = st_submit(&d, seed_of(s), "");
	for (i = 0; i < 3000 && testsrv_held(s) == 0; i++)
		st_sleep_ms(10);
	REQUIRE(testsrv_held(s) == 1);
	/* Paused while /p/1 is still in flight: then killed at once. */
	CHECK_INT(act(&d, "POST", id, "pause"), 200);
	CHECK_INT(st_stop(&d, SIGKILL), 128 + SIGKILL);
	testsrv_release(s);
	CHECK_INT(db_int(d.db, "SELECT state = 'paused' FROM crawls"), 1);
	before = testsrv_total(s);
	REQUIRE(st_start(&d, NULL) == 0);
	CHECK(st_wait_log(&d, "jobs: loaded resumed=0 paused=1"));
	CHECK(st_wait_state(&d, id, "paused"));
	st_sleep_ms(500);
	CHECK_INT(testsrv_total(s), before); /* not resumed by the restart */
	CHECK_INT(act(&d, "POST", id, "resume"), 200);
	CHECK(st_wait_state(&d, id, "done"));
	CHECK_INT(st_count(&d, id, "done"), site_pages);
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	testsrv_stop(s);
}

/* How many seeds GET /crawls/ID shows (-1 on failure). */
static long long
api_seeds(struct st_daemon *d, long long id)
{
	char path[64];
	long status = 0;
	json_t *j, *seeds;
	long long n = -1;

	snprintf(path, sizeof(path), "/crawls/%lld", id);
	j = st_json(d, "GET", path, NULL, &status);
	seeds = json_object_get(j, "seeds");
	if (status == 200 && json_is_array(seeds))
		n = (long long)json_array_size(seeds);
	json_decref(j);
	return n;
}

/* Seeds added to a running job, to a paused one, and through ctl; the
   API shows each at once (it keeps the job's seeds parsed). */
static void
test_add_seeds(void)
{
	struct testsrv *s = testsrv_start_gen(st_tree_gen, &site_pages);
	struct st_daemon d;
	char seeds[512], out[4096], api[400], idtext[32], url[128];
	long long id;
	int i;

	REQUIRE(s != NULL);
	/* The job starts at /p/3: a subtree of 63 pages (of 255). */
	testsrv_hold(s, "/p/7");
	st_init(&d, "addseeds");
	st_write_config(&d, engine_conf);
	REQUIRE(st_start(&d, NULL) == 0);
	snprintf(url, sizeof(url), "%s/p/3", testsrv_origin(s));
	id = st_submit(&d, url, "");
	for (i = 0; i < 3000 && testsrv_held(s) == 0; i++)
		st_sleep_ms(10);
	REQUIRE(testsrv_held(s) == 1); /* so the job is still running */
	CHECK_INT(api_seeds(&d, id), 1);
	/* Running: /p/4's subtree joins it at once. */
	snprintf(seeds, sizeof(seeds), "{\"seeds\": [\"%s/p/4\"]}",
	    testsrv_origin(s));
	CHECK_INT(post(&d, id, "seeds", seeds), 200);
	CHECK_INT(api_seeds(&d, id), 2);
	CHECK_INT(post(&d, id, "seeds", "{\"seeds\": [\"ftp://x/\"]}"), 400);
	CHECK_INT(post(&d, id, "seeds", "{\"seeds\": []}"), 400);
	CHECK_INT(post(&d, id, "seeds", "{\"seeds\": 1}"), 400);
	CHECK_INT(post(&d, 99, "seeds", seeds), 404);
	/* Paused: /p/5's subtree is kept in the row for the resume. */
	CHECK_INT(act(&d, "POST", id, "pause"), 200);
	testsrv_release(s);
	CHECK(wait_settled(&d, id));
	snprintf(api, sizeof(api), "unix:%s", d.sock);
	snprintf(idtext, sizeof(idtext), "%lld", id);
	snprintf(url, sizeof(url), "%s/p/5", testsrv_origin(s));
	{
		const char *args[] = {
		    "ctl", "--api", api, "add-seeds", idtext, url, NULL};
		CHECK_INT(st_run(args, out, sizeof(out)), 0);
	}
	CHECK_INT(
	    db_int(d.db, "SELECT json_array_length(seeds) FROM crawls"), 3);
	CHECK_INT(api_seeds(&d, id), 3);
	/* The added seeds survive a restart with the job. */
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	REQUIRE(st_start(&d, NULL) == 0);
	CHECK_INT(act(&d, "POST", id, "resume"), 200);
	CHECK(st_wait_state(&d, id, "done"));
	CHECK_INT(st_count(&d, id, "done"), 3 * 63);
	CHECK_INT(st_count(&d, id, "failed"), 0);
	/* A finished job takes none. */
	CHECK_INT(post(&d, id, "seeds", seeds), 409);
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	testsrv_stop(s);
}

static const struct test tests[] = {
    TEST(pause_resume),
    TEST(cancel),
    TEST(sigkill_restart),
    TEST(sigterm_in_flight),
    TEST(sigterm_deadline),
    TEST(sighup),
    TEST(sighup_concurrency),
    TEST(pause_survives_kill),
    TEST(add_seeds),
};

TEST_MAIN(tests)
