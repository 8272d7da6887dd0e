/* SPDX-License-Identifier: MIT */
/*
 * st_api.c - system tests of `crawld serve`'s control API, run against
 * the built binary on a temporary config and a loopback fixture site:
 * submit through the API and through `crawld ctl`, poll to done, the
 * database, the API's counts and /metrics agree (and promtool accepts
 * /metrics); every bad request gets its 4xx while a crawl goes on and
 * completes (a body over 1 MiB, by Content-Length or chunked, a JSON
 * 413); the token; --check-config; journal priority prefixes.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "harness.h"
#include "ithelp.h"
#include "sthelp.h"
#include "testsrv.h"

/* A binary tree of site_pages pages: /p/i links to /p/2i+1 and /p/2i+2. */
static long site_pages = 63;

/* The fixture site's pages. */
static int
tree_gen(const char *path, struct testsrv_page *out, char *buf, size_t size,
    void *arg)
{
	long i, n = site_pages;
	char *end;

	(void)arg;
	if (strncmp(path, "/p/", 3) != 0)
		return 0;
	i = strtol(path + 3, &end, 10);
	if (*end != '\0' || i < 0 || i >= n)
		return 0;
	/* Links to pages past the end would be 404s: none. */
	snprintf(buf, size,
	    "<html><body><h1>%ld</h1><a href=\"/p/%ld\">a</a> "
	    "<a href=\"/p/%ld\">b</a> <a href=\"/p/0\">top</a></body></html>",
	    i, 2 * i + 1 < n ? 2 * i + 1 : 0, 2 * i + 2 < n ? 2 * i + 2 : 0);
	out->body = buf;
	return 1;
}

/* The value of one /metrics sample line, -1 when absent. */
static long long
metric_value(const char *text, const char *sample)
{
	const char *p = text;
	size_t n = strlen(sample);

	while ((p = strstr(p, sample)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
		p += n;
	}
	return -1;
}

/* The seed URL of the fixture. */
static const char *
seed_of(struct testsrv *s)
{
	static char seed[128];

	snprintf(seed, sizeof(seed), "%s/p/0", testsrv_origin(s));
	return seed;
}

/* Submit through the API and through ctl; DB, API and /metrics agree. */
static void
test_submit_and_agree(void)
{
	struct testsrv *s = testsrv_start_gen(tree_gen, NULL);
	struct st_daemon d;
	char out[8192], api[400], idtext[32], sample[128], *metrics;
	long long id, id2;
	long status;
	const char *states[] = {
	    "queued", "fetching", "done", "failed", "skipped"};
	size_t i;

	REQUIRE(s != NULL);
	st_init(&d, "agree");
	st_write_config(&d, "[crawl]\ndepth = 30\n");
	REQUIRE(st_start(&d, NULL) == 0);
	id = st_submit(&d, seed_of(s), "");
	CHECK(id > 0);
	CHECK(st_wait_state(&d, id, "done"));
	CHECK_INT(st_count(&d, id, "done"), site_pages);
	/* The same job again, through crawld ctl. */
	snprintf(api, sizeof(api), "unix:%s", d.sock);
	{
		const char *args[] = {"ctl", "--api", api, "submit", seed_of(s),
		    "--depth", "30", "--max-pages", "20", NULL};
		CHECK_INT(st_run(args, out, sizeof(out)), 0);
	}
	id2 = strtoll(out, NULL, 10);
	CHECK(id2 == id + 1);
	snprintf(idtext, sizeof(idtext), "%lld", id2);
	{
		const char *args[] = {
		    "ctl", "--api", api, "wait", idtext, NULL};
		CHECK_INT(st_run(args, out, sizeof(out)), 0);
		CHECK(strstr(out, "done, 0 failed") != NULL);
	}
	CHECK_INT(st_count(&d, id2, "done"), 20);
	{
		const char *args[] = {"ctl", "--api", api, "list", NULL};
		CHECK_INT(st_run(args, out, sizeof(out)), 0);
		CHECK(strstr(out, "done") != NULL);
	}
	/* The database, the API and /metrics tell the same counts. */
	metrics = st_http(&d, "GET", "/metrics", NULL, NULL, &status);
	REQUIRE(metrics != NULL);
	CHECK_INT(status, 200);
	for (i = 0; i < CW_NELEM(states); i++) {
		long long dbn = db_int(d.db,
		    "SELECT COUNT(*) FROM pages WHERE crawl_id = %lld AND "
		    "state = '%s'",
		    id, states[i]);
		snprintf(sample, sizeof(sample),
		    "crawld_pages{crawl=\"%lld\",state=\"%s\"}", id, states[i]);
		CHECK_INT(metric_value(metrics, sample), dbn);
		CHECK_INT(st_count(&d, id, states[i]), dbn);
	}
	CHECK_INT(db_int(d.db,
		      "SELECT COUNT(*) FROM crawls WHERE state = "
		      "'done'"),
	    2);
	CHECK(metric_value(metrics, "crawld_jobs{state=\"done\"}") == 2);
	free(metrics);
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	testsrv_stop(s);
}

/* promtool accepts the exposition. */
static void
test_promtool(void)
{
	struct testsrv *s = testsrv_start_gen(tree_gen, NULL);
	const char *promtool = getenv("CRAWLD_PROMTOOL");
	struct st_daemon d;
	char cmd[800], path[400], *metrics;
	long status;
	FILE *f;

	REQUIRE(s != NULL);
	REQUIRE(promtool != NULL && promtool[0] != '\0');
	st_init(&d, "prom");
	st_write_config(&d, "[crawl]\ndepth = 30\n");
	REQUIRE(st_start(&d, NULL) == 0);
	CHECK(st_wait_state(&d, st_submit(&d, seed_of(s), ""), "done"));
	metrics = st_http(&d, "GET", "/metrics", NULL, NULL, &status);
	REQUIRE(metrics != NULL);
	CHECK(strstr(metrics,
		  "# TYPE crawld_store_commit_seconds "
		  "histogram") != NULL);
	CHECK(strstr(metrics, "process_resident_memory_bytes ") != NULL);
	CHECK(strstr(metrics,
		  "# TYPE crawld_fetch_duration_seconds histogram") != NULL);
	CHECK(strstr(metrics, "# TYPE crawld_loop_lag_seconds histogram") !=
	    NULL);
	CHECK(strstr(metrics,
		  "crawld_fetches_total{kind=\"page\",code="
		  "\"2xx\"} 63\n") != NULL);
	snprintf(path, sizeof(path), "%s/metrics.txt", d.dir);
	f = fopen(path, "w");
	REQUIRE(f != NULL);
	fputs(metrics, f);
	fclose(f);
	free(metrics);
	snprintf(cmd, sizeof(cmd), "%s check metrics < %s", promtool, path);
	CHECK_INT(system(cmd), 0);
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	testsrv_stop(s);
}

/* A site with every kind of answer /metrics counts: 200s, 404s, a 503
   retried once, pages robots.txt disallows. */
static const struct testsrv_page mixed_site[] = {
    {"/robots.txt", 0, "text/plain", "User-agent: *\nDisallow: /private\n",
	NULL, 0},
    {"/", 0, NULL,
	"<a href=\"/a\">a</a> <a href=\"/b\">b</a> <a href=\"/missing\">m</a> "
	"<a href=\"/gone\">g</a> <a href=\"/flaky\">f</a> "
	"<a href=\"/private/x\">x</a> <a href=\"/private/y\">y</a>",
	NULL, 0},
    {"/a", 0, NULL, "<p>a</p>", NULL, 0},
    {"/b", 0, NULL, "<p>bb</p>", NULL, 0},
    {"/flaky", 0, NULL, "<p>flaky, then fine</p>", NULL, 0},
};

/* After a crawl, the engine's counters agree with the database. */
static void
test_metrics_agree_with_db(void)
{
	struct testsrv *s = testsrv_start(mixed_site, CW_NELEM(mixed_site));
	struct st_daemon d;
	char seed[160], *m;
	long long id, n2xx, n4xx, retried, fetches;
	long status;

	REQUIRE(s != NULL);
	testsrv_fail_first(s, "/flaky", 1, 503, NULL);
	st_init(&d, "magree");
	st_write_config(&d, "[crawl]\ndepth = 3\n");
	REQUIRE(st_start(&d, NULL) == 0);
	snprintf(seed, sizeof(seed), "%s/", testsrv_origin(s));
	id = st_submit(&d, seed, "");
	CHECK(st_wait_state(&d, id, "done"));
	m = st_http(&d, "GET", "/metrics", NULL, NULL, &status);
	REQUIRE(m != NULL);
	CHECK_INT(status, 200);
	n2xx = db_int(d.db,
	    "SELECT COUNT(*) FROM pages WHERE status BETWEEN 200 AND 299");
	n4xx = db_int(d.db,
	    "SELECT COUNT(*) FROM pages WHERE status BETWEEN 400 AND 499");
	retried = db_int(d.db,
	    "SELECT SUM(attempts - 1) FROM pages WHERE "
	    "attempts > 1");
	/* The site as built: 4 pages answered 200, 2 answered 404, /flaky
	   took two attempts, 2 pages were never asked for. */
	CHECK_INT(n2xx, 4);
	CHECK_INT(n4xx, 2);
	CHECK_INT(retried, 1);
	CHECK_INT(testsrv_hits(s, "/flaky"), 2);
	CHECK_INT(testsrv_hits(s, "/private/x"), 0);
	CHECK_INT(
	    metric_value(m, "crawld_fetches_total{kind=\"page\",code=\"2xx\"}"),
	    n2xx);
	CHECK_INT(
	    metric_value(m, "crawld_fetches_total{kind=\"page\",code=\"4xx\"}"),
	    n4xx);
	/* The 503 is no outcome in the database: it was retried. */
	CHECK_INT(
	    metric_value(m, "crawld_fetches_total{kind=\"page\",code=\"5xx\"}"),
	    retried);
	CHECK_INT(metric_value(
		      m, "crawld_fetches_total{kind=\"robots\",code=\"2xx\"}"),
	    1);
	CHECK_INT(metric_value(m, "crawld_retries_total"), retried);
	CHECK_INT(
	    metric_value(m, "crawld_robots_txt_total{outcome=\"parsed\"}"), 1);
	CHECK_INT(metric_value(m,
		      "crawld_robots_held_pages_total{reason=\"disallowed\"}"),
	    db_int(d.db,
		"SELECT COUNT(*) FROM pages WHERE state = 'skipped' "
		"AND reason = 'robots'"));
	CHECK_INT(db_int(d.db,
		      "SELECT COUNT(*) FROM pages WHERE reason = "
		      "'robots'"),
	    2);
	CHECK_INT(metric_value(m, "crawld_pages_fetched_total"),
	    db_int(d.db, "SELECT COUNT(*) FROM pages WHERE state = 'done'"));
	CHECK_INT(metric_value(m, "crawld_pages_skipped_total"),
	    db_int(d.db,
		"SELECT COUNT(*) FROM pages WHERE state = "
		"'skipped'"));
	CHECK_INT(metric_value(m, "crawld_pages_failed_total"), 0);
	CHECK_INT(metric_value(m, "crawld_response_bytes_total"),
	    db_int(d.db, "SELECT SUM(bytes) FROM pages WHERE bytes > 0"));
	CHECK_INT(metric_value(m, "crawld_links_total"),
	    db_int(d.db, "SELECT COUNT(*) FROM links"));
	/* Every request the server saw is one observed transfer. */
	fetches = metric_value(m, "crawld_fetch_duration_seconds_count");
	CHECK_INT(fetches, testsrv_total(s));
	CHECK_INT(fetches, n2xx + n4xx + retried + 1);
	CHECK_INT(metric_value(m,
		      "crawld_fetch_duration_seconds_bucket{le="
		      "\"+Inf\"}"),
	    fetches);
	CHECK_INT(
	    metric_value(m,
		"crawld_fetch_errors_total{kind=\"page\",error=\"timeout\"}"),
	    0);
	CHECK_INT(metric_value(m, "crawld_transfers_in_flight"), 0);
	CHECK_INT(metric_value(m, "crawld_queue_length"), 0);
	CHECK(metric_value(m, "crawld_loop_lag_seconds_count") > 0);
	free(m);
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	testsrv_stop(s);
}

/* A job's pages_per_s as GET /crawls/ID shows it; -1 on failure. */
static double
job_pages_per_s(struct st_daemon *d, long long id)
{
	char path[64];
	long status;
	json_t *v, *r;
	double rate = -1;

	snprintf(path, sizeof(path), "/crawls/%lld", id);
	v = st_json(d, "GET", path, NULL, &status);
	r = v != NULL ? json_object_get(v, "pages_per_s") : NULL;
	if (r != NULL && json_is_number(r))
		rate = json_number_value(r);
	json_decref(v);
	return rate;
}

/* A finished job shows its pages over its running time, not 0, and
   after a restart its pages over created_at..finished_at. */
static void
test_finished_rate(void)
{
	struct testsrv *s = testsrv_start_gen(tree_gen, NULL);
	struct st_daemon d;
	long long id, pages, span_us;
	double rate;

	REQUIRE(s != NULL);
	testsrv_set_delay(s, 5);
	st_init(&d, "rate");
	st_write_config(&d, "[crawl]\ndepth = 30\n");
	REQUIRE(st_start(&d, NULL) == 0);
	id = st_submit(&d, seed_of(s), "");
	CHECK(st_wait_state(&d, id, "done"));
	pages = db_int(d.db,
	    "SELECT COUNT(*) FROM pages WHERE state IN "
	    "('done', 'failed')");
	span_us = db_int(d.db,
	    "SELECT CAST((julianday(finished_at) - julianday(created_at)) "
	    "* 86400e6 AS INTEGER) FROM crawls WHERE id = %lld",
	    id);
	CHECK_INT(pages, site_pages);
	REQUIRE(span_us > 0);
	rate = job_pages_per_s(&d, id);
	fprintf(stderr, "  %lld pages, %lld us, %.1f pages/s\n", pages, span_us,
	    rate);
	/* It ran about from created_at to finished_at (the crawl's clock
	   starts before the row is written, at its seeds' checks); and 5 ms
	   a page on 2 connections bounds it. */
	CHECK(rate >= (double)pages / ((double)span_us / 1e6 + 0.5));
	CHECK(rate <= (double)pages / ((double)span_us / 1e6) * 1.01);
	CHECK(rate < 2 * 1000.0 / 5 * 1.5);
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	/* A job that did not run in this process: over its row's span. */
	REQUIRE(st_start(&d, NULL) == 0);
	rate = job_pages_per_s(&d, id);
	CHECK(rate > (double)pages / ((double)span_us / 1e6) * 0.99);
	CHECK(rate < (double)pages / ((double)span_us / 1e6) * 1.01);
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	testsrv_stop(s);
}

struct bad_case {
	const char *method, *path, *body;
	long status;
	const char *error; /* part of the JSON error text */
};

/* Open a connection that sends half a request and then goes quiet. */
static int
slow_client(const char *sock)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	static const char half[] = "GET /crawls HTTP/1.1\r\nHost: x\r\n";

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(sock) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    write(fd, half, sizeof(half) - 1) != (ssize_t)(sizeof(half) - 1))
		return -1;
	return fd;
}

/* A raw connection to the API's Unix socket, with 30 s send and receive
   limits (nothing here may hang); -1 on failure. */
static int
raw_client(const char *sock)
{
	struct sockaddr_un sa;
	struct timeval tv = {30, 0};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (fd < 0 || strlen(sock) >= sizeof(sa.sun_path)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Send all of len bytes; false when the peer stopped taking them. */
static bool
raw_send(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Read until the daemon closes (at most size - 1 bytes, NUL-ended). */
static size_t
raw_read_all(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while (got + 1 < size && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	return got;
}

/*
 * A reply evhttp makes itself (status, e.g. "413"), as the API's: JSON
 * with "error" containing text, and the connection closed. Says what it
 * got when it is not.
 */
static void
check_json_error(
    const char *what, const char *reply, const char *status, const char *text)
{
	const char *body = strstr(reply, "\r\n\r\n");
	json_t *v = body != NULL ? json_loads(body + 4, 0, NULL) : NULL;
	bool ok;

	ok = strncmp(reply, "HTTP/1.1 ", 9) == 0 &&
	    strncmp(reply + 9, status, 3) == 0 &&
	    strstr(reply, "\r\nContent-Type: application/json\r\n") != NULL &&
	    strstr(reply, "\r\nConnection: close\r\n") != NULL && v != NULL &&
	    json_is_string(json_object_get(v, "error")) &&
	    strstr(json_string_value(json_object_get(v, "error")), text) !=
		NULL;
	if (!ok)
		fprintf(stderr, "  %s: got [%.400s]\n", what, reply);
	CHECK(ok);
	json_decref(v);
}

/*
 * Bodies over 1 MiB, announced by Content-Length (only the headers are
 * sent: the daemon must answer without waiting for the body) or chunked
 * (sent until the daemon stops taking them): a JSON 413 and a closed
 * connection each time.
 */
static void
check_big_bodies(struct st_daemon *d)
{
	static const char cl_head[] = "POST /crawls HTTP/1.1\r\nHost: x\r\n"
				      "Content-Type: application/json\r\n"
				      "Content-Length: 2000000\r\n\r\n";
	static const char te_head[] = "POST /crawls HTTP/1.1\r\nHost: x\r\n"
				      "Transfer-Encoding: chunked\r\n\r\n";
	static char chunk[6 + 65536 + 2 + 1];
	char reply[8192];
	size_t i;
	int fd;

	fd = raw_client(d->sock);
	REQUIRE(fd >= 0);
	CHECK(raw_send(fd, cl_head, sizeof(cl_head) - 1));
	raw_read_all(fd, reply, sizeof(reply));
	check_json_error(
	    "Content-Length: 2000000", reply, "413", "over 1048576 bytes");
	close(fd);

	memcpy(chunk, "10000\r\n", 7);
	memset(chunk + 7, ' ', 65536);
	memcpy(chunk + 7 + 65536, "\r\n", 2);
	fd = raw_client(d->sock);
	REQUIRE(fd >= 0);
	CHECK(raw_send(fd, te_head, sizeof(te_head) - 1));
	/* 32 chunks of 64 KiB, 2 MiB: the daemon stops taking them past
	   1 MiB, answers and closes, so a send fails on the way. */
	for (i = 0; i < 32; i++)
		if (!raw_send(fd, chunk, 7 + 65536 + 2))
			break;
	raw_read_all(fd, reply, sizeof(reply));
	check_json_error("chunked, 2 MiB", reply, "413", "over 1048576 bytes");
	close(fd);
}

/*
 * What evhttp cannot read at all, a request line of garbage or headers
 * over 16 KiB, gets its 400 as JSON too, as do an expectation it does
 * not meet (417) and a method it does not know (405).
 */
static void
check_unreadable_requests(struct st_daemon *d)
{
	static const char garbage[] = "HELLO THERE\r\n\r\n";
	static const char head[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
	static const char name[] = "X-Big: ";
	/* An expectation evhttp does not meet, and a method it does not
	   know (evhttp's 501, the API's 405). */
	static const char expect[] = "POST /crawls HTTP/1.1\r\nHost: x\r\n"
				     "Expect: 200-ok\r\n"
				     "Content-Length: 2\r\n\r\n{}";
	static const char brew[] = "BREW /crawls HTTP/1.1\r\nHost: x\r\n\r\n";
	static char big[sizeof(head) + sizeof(name) + 20000 + 4];
	char reply[8192];
	size_t n;
	int fd;

	fd = raw_client(d->sock);
	REQUIRE(fd >= 0);
	CHECK(raw_send(fd, garbage, sizeof(garbage) - 1));
	raw_read_all(fd, reply, sizeof(reply));
	check_json_error("a garbage request line", reply, "400", "malformed");
	close(fd);

	memcpy(big, head, sizeof(head) - 1);
	memcpy(big + sizeof(head) - 1, name, sizeof(name) - 1);
	n = sizeof(head) - 1 + sizeof(name) - 1;
	memset(big + n, 'a', 20000);
	memcpy(big + n + 20000, "\r\n\r\n", 4);
	fd = raw_client(d->sock);
	REQUIRE(fd >= 0);
	(void)raw_send(fd, big, n + 20000 + 4); /* may be cut off */
	raw_read_all(fd, reply, sizeof(reply));
	check_json_error("20 KB of headers", reply, "400", "16384 bytes");
	close(fd);

	fd = raw_client(d->sock);
	REQUIRE(fd >= 0);
	CHECK(raw_send(fd, expect, sizeof(expect) - 1));
	raw_read_all(fd, reply, sizeof(reply));
	check_json_error("Expect: 200-ok", reply, "417", "100-continue");
	close(fd);

	fd = raw_client(d->sock);
	REQUIRE(fd >= 0);
	CHECK(raw_send(fd, brew, sizeof(brew) - 1));
	raw_read_all(fd, reply, sizeof(reply));
	check_json_error("method BREW", reply, "405", "unknown method");
	CHECK(strstr(reply, "\r\nAllow: GET, HEAD, POST, DELETE\r\n") != NULL);
	close(fd);
}

/* Every bad request gets its 4xx while a crawl goes on and completes. */
static void
test_bad_requests_during_crawl(void)
{
	static const struct bad_case cases[] = {
	    {"POST", "/crawls", "{\"seeds\": [", 400, "malformed JSON"},
	    {"POST", "/crawls",
		"{\"seeds\": [\"http://127.0.0.1:1/\"], "
		"\"depht\": 2}",
		400, "unknown option 'depht'"},
	    {"POST", "/crawls",
		"{\"seeds\": [\"http://127.0.0.1:1/\"], "
		"\"depth\": \"deep\"}",
		400, "is not a number"},
	    {"POST", "/crawls",
		"{\"seeds\": [\"http://127.0.0.1:1/\"], "
		"\"concurrency\": 9}",
		400, "set for every job by the daemon"},
	    {"POST", "/crawls", "{\"depth\": 1}", 400, "seeds"},
	    {"POST", "/crawls", "{\"seeds\": [\"ftp://x/\"]}", 400,
		"unsupported scheme"},
	    {"POST", "/crawls", "[1, 2]", 400, "must be a JSON object"},
	    {"POST", "/crawls", "{\"a\": 1, \"a\": 2}", 400, "malformed JSON"},
	    {"GET", "/crawls?x=1", NULL, 400, "query"},
	    {"GET", "/nope", NULL, 404, "no such route"},
	    {"GET", "/crawls/999", NULL, 404, "no job 999"},
	    {"POST", "/crawls/999/pause", NULL, 404, "no job 999"},
	    {"GET", "/crawls/01", NULL, 404, "no such route"},
	    {"PUT", "/crawls", "{}", 405, "allowed: GET, HEAD, POST"},
	    {"PATCH", "/crawls/1", "{}", 405, "allowed: GET, HEAD, DELETE"},
	    {"GET", "/crawls/1/pause", NULL, 405, "allowed: POST"},
	    {"POST", "/crawls/1/seeds", "{\"seeds\": [], \"x\": 1}", 400,
		"unknown field"},
	};
	struct testsrv *s;
	struct st_daemon d;
	struct timeval tv = {60, 0};
	char *big, *text, buf[256];
	long long id;
	long status;
	size_t i;
	int fd;

	site_pages = 255;
	s = testsrv_start_gen(tree_gen, NULL);
	REQUIRE(s != NULL);
	testsrv_set_delay(s, 10);
	st_init(&d, "bad");
	st_write_config(&d, "[crawl]\ndepth = 30\n");
	REQUIRE(st_start(&d, NULL) == 0);
	id = st_submit(&d, seed_of(s), "");
	REQUIRE(id == 1);
	fd = slow_client(d.sock);
	CHECK(fd >= 0);
	for (i = 0; i < CW_NELEM(cases); i++) {
		text = st_http(&d, cases[i].method, cases[i].path,
		    cases[i].body, NULL, &status);
		if (status != cases[i].status ||
		    strstr(text, "\"error\"") == NULL ||
		    strstr(text, cases[i].error) == NULL)
			fprintf(
			    stderr, "  case %zu: %ld %s\n", i, status, text);
		CHECK_INT(status, cases[i].status);
		CHECK(strstr(text, cases[i].error) != NULL);
		free(text);
	}
	/* A body over 1 MiB: 413 with a JSON error, whichever way it
	   comes, and the API answers the next request. */
	big = malloc(2 * 1024 * 1024 + 1);
	REQUIRE(big != NULL);
	memset(big, ' ', 2 * 1024 * 1024);
	big[2 * 1024 * 1024] = '\0';
	text = st_http(&d, "POST", "/crawls", big, NULL, &status);
	CHECK_INT(status, 413);
	CHECK(strstr(text, "\"error\"") != NULL);
	free(text);
	free(big);
	check_big_bodies(&d);
	check_unreadable_requests(&d);
	text = st_http(&d, "GET", "/healthz", NULL, NULL, &status);
	CHECK_INT(status, 200);
	free(text);
	CHECK(st_log_has(&d, "status=413"));
	/* The crawl was not touched: it completes, every page done. */
	CHECK(st_wait_state(&d, id, "done"));
	CHECK_INT(st_count(&d, id, "done"), site_pages);
	CHECK_INT(st_count(&d, id, "failed"), 0);
	CHECK_INT(db_int(d.db, "SELECT COUNT(*) FROM crawls"), 1);
	/* The slow client was cut off (API_TIMEOUT_S), not served. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) <= 0);
	if (fd >= 0)
		close(fd);
	CHECK(st_log_has(&d, "status=400"));
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	testsrv_stop(s);
	site_pages = 63;
}

/* With a token, every route but /healthz needs it. */
static void
test_token(void)
{
	struct st_daemon d;
	char *text, out[4096], api[400], tfile[400];
	long status;

	st_init(&d, "token");
	snprintf(d.token, sizeof(d.token), "s3cret-token");
	d.tcp = true;
	st_write_config(&d, "");
	REQUIRE(st_start(&d, NULL) == 0);
	text = st_http(&d, "GET", "/crawls", NULL, NULL, &status);
	CHECK_INT(status, 401);
	CHECK(strstr(text, "bearer token") != NULL);
	free(text);
	free(st_http(
	    &d, "GET", "/crawls", NULL, "Bearer s3cret-tokeX", &status));
	CHECK_INT(status, 401);
	free(st_http(&d, "GET", "/crawls", NULL, "Bearer s3cret", &status));
	CHECK_INT(status, 401);
	free(st_http(&d, "GET", "/metrics", NULL, NULL, &status));
	CHECK_INT(status, 401);
	free(st_http(&d, "GET", "/nope", NULL, NULL, &status));
	CHECK_INT(status, 401); /* routes are not revealed either */
	free(st_http(
	    &d, "GET", "/crawls", NULL, "Bearer s3cret-token", &status));
	CHECK_INT(status, 200);
	free(st_http(&d, "GET", "/healthz", NULL, NULL, &status));
	CHECK_INT(status, 200);
	/* crawld ctl finds the address and the token in the config. */
	{
		const char *args[] = {"ctl", "--config", d.conf, "list", NULL};
		CHECK_INT(st_run(args, out, sizeof(out)), 0);
		CHECK(strstr(out, "STATE") != NULL);
	}
	snprintf(api, sizeof(api), "http://%s", d.addr);
	{
		const char *args[] = {"ctl", "--api", api, "list", NULL};
		CHECK_INT(st_run(args, out, sizeof(out)), 1);
		CHECK(strstr(out, "401") != NULL);
	}
	snprintf(tfile, sizeof(tfile), "%s/token", d.dir);
	{
		const char *args[] = {
		    "ctl", "--api", api, "--token-file", tfile, "list", NULL};
		CHECK_INT(st_run(args, out, sizeof(out)), 0);
	}
	CHECK_INT(st_stop(&d, SIGTERM), 0);
}

/* --check-config: 0, or 2 with file:line: message. */
static void
test_check_config(void)
{
	struct st_daemon d;
	char out[4096], want[600];
	FILE *f;

	st_init(&d, "check");
	st_write_config(&d, "[crawl]\ndepth = 2\n");
	{
		const char *args[] = {
		    "serve", "--config", d.conf, "--check-config", NULL};
		CHECK_INT(st_run(args, out, sizeof(out)), 0);
		CHECK(strstr(out, "configuration OK") != NULL);
	}
	f = fopen(d.conf, "a");
	REQUIRE(f != NULL);
	fputs("depht = 3\n", f);
	fclose(f);
	snprintf(
	    want, sizeof(want), "crawld: %s:9: unknown option 'depht'", d.conf);
	{
		const char *args[] = {
		    "serve", "--config", d.conf, "--check-config", NULL};
		CHECK_INT(st_run(args, out, sizeof(out)), 2);
		if (strstr(out, want) == NULL)
			fprintf(stderr, "  got: %s\n", out);
		CHECK(strstr(out, want) != NULL);
	}
	{
		/* serve refuses to start on it, with the same message. */
		const char *args[] = {"serve", "--config", d.conf, NULL};
		CHECK_INT(st_run(args, out, sizeof(out)), 2);
		CHECK(strstr(out, want) != NULL);
	}
}

/* When stderr is the journal, lines carry <N> priorities. */
static void
test_journal_prefix(void)
{
	struct st_daemon d;
	char env[128];
	const char *envv[] = {env, NULL};
	struct stat sb;
	FILE *f;

	st_init(&d, "journal");
	st_write_config(&d, "");
	f = fopen(d.log, "w");
	REQUIRE(f != NULL);
	fclose(f);
	REQUIRE(stat(d.log, &sb) == 0);
	snprintf(env, sizeof(env), "JOURNAL_STREAM=%llu:%llu",
	    (unsigned long long)sb.st_dev, (unsigned long long)sb.st_ino);
	REQUIRE(st_start(&d, envv) == 0);
	CHECK(st_log_has(&d, "<6>api: listening on unix:"));
	CHECK(!st_log_has(&d, "crawld: api: listening"));
	CHECK_INT(st_stop(&d, SIGTERM), 0);
	/* Without it: the usual "crawld: " lines. */
	st_init(&d, "nojournal");
	st_write_config(&d, "");
	REQUIRE(st_start(&d, NULL) == 0);
	CHECK(st_log_has(&d, "crawld: api: listening on unix:"));
	CHECK_INT(st_stop(&d, SIGTERM), 0);
}

static const struct test tests[] = {
    TEST(submit_and_agree),
    TEST(promtool),
    TEST(metrics_agree_with_db),
    TEST(finished_rate),
    TEST(bad_requests_during_crawl),
    TEST(token),
    TEST(check_config),
    TEST(journal_prefix),
};

TEST_MAIN(tests)
