/* SPDX-License-Identifier: MIT */
/*
 * st_recrawl.c - recrawl through `crawld serve` (issue 11 point 7): a job
 * submitted over the API with "revisit": 1 fetches its done pages again,
 * conditionally, until it is cancelled. Against condsrv (304 to matching
 * validators; the request log says what each request carried), read back
 * with sqlite as a user would: a 304 for an unchanged page in `fetches`, a
 * page changed on the server with its new hash and a later changed_at; the
 * job stays 'running' (it never finishes by itself), pauses (no request
 * while paused), goes on across a daemon restart, and stops on cancel.
 * Every wait is bounded (sthelp's deadline, or the loops below).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "condsrv.h"
#include "harness.h"
#include "ithelp.h"
#include "sthelp.h"

#define WAIT_TRIES 1500 /* x 20 ms = 30 s */
#define LM "Tue, 01 Dec 2026 10:00:00 GMT"
#define C2_304 "f.etag = '\"c2\"' AND f.status = 304"

/* An SQL count on the daemon's database (its committed batches). */
static long long
fetches_where(struct st_daemon *d, const char *path, const char *cond)
{
	return db_int(d->db,
	    "SELECT count(*) FROM fetches f JOIN pages p ON p.id = f.page_id "
	    "WHERE p.url LIKE '%%%s' AND %s",
	    path, cond);
}

/* Poll until fetches has at least n rows for path matching cond. */
static bool
wait_fetches(
    struct st_daemon *d, const char *path, const char *cond, long long n)
{
	int i;

	for (i = 0; i < WAIT_TRIES; i++) {
		if (fetches_where(d, path, cond) >= n)
			return true;
		st_sleep_ms(20);
	}
	fprintf(stderr, "  no %lld fetches of %s where %s\n", n, path, cond);
	return false;
}

/* The job's state through the API ("" when it cannot be read). */
static const char *
job_state(struct st_daemon *d, long long id)
{
	static char state[32];
	char path[64];
	long status;
	json_t *v;

	snprintf(path, sizeof(path), "/crawls/%lld", id);
	v = st_json(d, "GET", path, NULL, &status);
	snprintf(state, sizeof(state), "%s",
	    v != NULL && json_string_value(json_object_get(v, "state")) != NULL
		? json_string_value(json_object_get(v, "state"))
		: "");
	json_decref(v);
	return state;
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

/* Wait until the server has seen no request for 1.5 s (more than the
   revisit period): the job is quiet. Bounded by WAIT_TRIES. */
static bool
wait_quiet(struct condsrv *s)
{
	unsigned last = condsrv_requests(s), same = 0;
	int i;

	for (i = 0; i < WAIT_TRIES; i++) {
		st_sleep_ms(20);
		if (condsrv_requests(s) != last) {
			last = condsrv_requests(s);
			same = 0;
		} else if (++same >= 75) {
			return true;
		}
	}
	return false;
}

static void
test_revisit_job(void)
{
	struct condsrv *srv = condsrv_start();
	struct st_daemon d;
	char seed[128], hash1[128], buf[256];
	unsigned before;
	long long id, paused_304s;

	condsrv_set(srv, "/", NULL,
	    "<a href=\"/same\">s</a> <a href=\"/chg\">c</a>", "\"r1\"", LM);
	condsrv_set(srv, "/same", NULL, "<p>same</p>", "\"s1\"", LM);
	condsrv_set(srv, "/chg", NULL, "<p>one</p>", "\"c1\"", LM);
	snprintf(seed, sizeof(seed), "%s/", condsrv_origin(srv));
	st_init(&d, "recrawl");
	st_write_config(&d, "[engine]\nconcurrency = 2\nper_host = 1\n");
	REQUIRE(st_start(&d, NULL) == 0);
	id = st_submit(&d, seed, "\"revisit\": 1, \"depth\": 1");
	REQUIRE(id > 0);

	/* Revalidated: 304s with no body, the pages keep their facts. */
	CHECK(
	    wait_fetches(&d, "/same", "f.status = 304 AND f.not_modified", 1));
	CHECK(wait_fetches(&d, "/chg", "f.status = 304", 1));
	CHECK_STR(job_state(&d, id), "running");
	/* crawls.options records it (a restart rebuilds the job from it). */
	CHECK_STR(db_text(d.db, buf, sizeof(buf),
		      "SELECT json_extract(options, '$.revisit') FROM crawls "
		      "WHERE id = %lld",
		      id),
	    "1.0");
	CHECK_INT(fetches_where(&d, "/same",
		      "f.status = 304 AND (f.bytes != 0 OR f.content_hash IS "
		      "NOT NULL)"),
	    0);
	CHECK_STR(
	    db_text(d.db, buf, sizeof(buf),
		"SELECT state || ' ' || status || ' ' || bytes FROM pages "
		"WHERE url LIKE '%%/same'"),
	    "done 200 11");
	db_text(d.db, hash1, sizeof(hash1),
	    "SELECT content_hash || changed_at FROM pages WHERE url LIKE "
	    "'%%/chg'");
	CHECK(strlen(hash1) > 64);

	/* Changed on the server: the next revisit brings the new body, its
	   hash and a later changed_at. */
	condsrv_set(srv, "/chg", NULL, "<p>two</p>", "\"c2\"", LM);
	CHECK(wait_fetches(
	    &d, "/chg", "f.status = 200 AND f.etag = '\"c2\"'", 1));
	CHECK(db_int(d.db,
		  "SELECT changed_at > (SELECT min(fetched_at) FROM fetches f "
		  "WHERE f.page_id = p.id) FROM pages p WHERE url LIKE "
		  "'%%/chg'") == 1);
	CHECK(strcmp(db_text(d.db, buf, sizeof(buf),
			 "SELECT content_hash || changed_at FROM pages WHERE "
			 "url LIKE '%%/chg'"),
		  hash1) != 0);
	CHECK_INT(db_int(d.db,
		      "SELECT count(DISTINCT f.content_hash) FROM fetches f "
		      "JOIN pages p ON p.id = f.page_id WHERE p.url LIKE "
		      "'%%/chg'"),
	    2);
	/* The unchanged page's changed_at is still its first fetch. */
	CHECK(db_int(d.db,
		  "SELECT changed_at = (SELECT min(fetched_at) FROM fetches f "
		  "WHERE f.page_id = p.id) FROM pages p WHERE url LIKE "
		  "'%%/same'") == 1);

	/* Pause: nothing reaches the site; resume: revisits go on. */
	CHECK_INT(act(&d, "POST", id, "pause"), 200);
	CHECK(st_wait_state(&d, id, "paused"));
	CHECK(wait_quiet(srv));
	before = condsrv_requests(srv);
	paused_304s = fetches_where(&d, "/chg", C2_304);
	CHECK_INT(act(&d, "POST", id, "resume"), 200);
	CHECK(st_wait_state(&d, id, "running"));
	CHECK(wait_fetches(&d, "/chg", C2_304, paused_304s + 1));
	CHECK(condsrv_requests(srv) > before);

	/* A restart: the job is resumed and revisits again. */
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	before = (unsigned)fetches_where(&d, "/same", "f.status = 304");
	REQUIRE(st_start(&d, NULL) == 0);
	CHECK(wait_fetches(&d, "/same", "f.status = 304", before + 1));
	CHECK_STR(job_state(&d, id), "running");

	/* Cancel: the job ends and the site hears no more of it. */
	CHECK_INT(act(&d, "DELETE", id, ""), 200);
	CHECK(st_wait_state(&d, id, "cancelled"));
	CHECK(wait_quiet(srv));
	CHECK_STR(db_text(d.db, buf, sizeof(buf),
		      "SELECT state FROM crawls WHERE id = %lld", id),
	    "cancelled");
	/* Every request the site answered is a fetches row. */
	CHECK_INT(db_int(d.db, "SELECT count(*) FROM fetches"),
	    condsrv_requests(srv) -
		(unsigned)condsrv_count(srv, "/robots.txt", 0));
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	condsrv_stop(srv);
}

static const struct test tests[] = {
    TEST(revisit_job),
};

TEST_MAIN(tests)
