/* SPDX-License-Identifier: MIT */
/*
 * it_faults.c - crawls of misbehaving servers (raw sockets): a stalled
 * answer, a slow drip, a reset, garbage, a huge or endless body, a gzip
 * bomb, a truncated body. Each must end as a 'failed' row with a reason,
 * and the crawl must finish.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "ithelp.h"
#include "rawsrv.h"

/* Crawl the raw server's root with extra options; return the page state. */
static void
fault_crawl(enum rawsrv_mode mode, const char *name, const char *const *opts,
    char *state, char *reason, size_t size, long long *bytes)
{
	struct rawsrv *s = rawsrv_start(mode);
	const char *db = it_db_path(name);
	char seed[64];
	struct it_result r;

	snprintf(seed, sizeof(seed), "http://127.0.0.1:%u/", rawsrv_port(s));
	state[0] = reason[0] = '\0';
	if (it_crawl(db, seed, opts, &r) != 0) {
		fprintf(stderr, "  crawl did not start: %s\n", r.message);
		rawsrv_stop(s);
		return;
	}
	CHECK(!r.timed_out);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK(r.frontier_idle);
	CHECK_INT(r.stats.failed, 1);
	db_text(db, state, size, "SELECT state FROM pages WHERE depth=0");
	db_text(db, reason, size, "SELECT reason FROM pages WHERE depth=0");
	if (bytes != NULL)
		*bytes = db_int(db, "SELECT bytes FROM pages WHERE depth=0");
	rawsrv_stop(s);
}

/* A server that never answers: --timeout ends it. */
static void
test_stall_times_out(void)
{
	const char *opts[] = {"robots=false", "retries=0", "timeout=0.5", NULL};
	char state[64], reason[256];

	fault_crawl(
	    RAWSRV_STALL, "stall.db", opts, state, reason, sizeof(state), NULL);
	CHECK_STR(state, "failed");
	CHECK(strncmp(reason, "timeout:", 8) == 0);
}

/* One byte every 200 ms: a stalled body is a timeout too. */
static void
test_slow_drip_times_out(void)
{
	const char *opts[] = {"robots=false", "retries=0", "timeout=1", NULL};
	char state[64], reason[256];

	fault_crawl(
	    RAWSRV_DRIP, "drip.db", opts, state, reason, sizeof(state), NULL);
	CHECK_STR(state, "failed");
	CHECK(strncmp(reason, "timeout:", 8) == 0);
}

/* A connection reset. */
static void
test_reset(void)
{
	const char *opts[] = {"robots=false", "retries=0", "timeout=5", NULL};
	char state[64], reason[256];

	fault_crawl(
	    RAWSRV_RESET, "reset.db", opts, state, reason, sizeof(state), NULL);
	CHECK_STR(state, "failed");
	CHECK(strncmp(reason, "error:", 6) == 0);
}

/* Bytes that are not HTTP. */
static void
test_garbage(void)
{
	const char *opts[] = {"robots=false", "retries=0", "timeout=5", NULL};
	char state[64], reason[256];

	fault_crawl(RAWSRV_GARBAGE, "garbage.db", opts, state, reason,
	    sizeof(state), NULL);
	CHECK_STR(state, "failed");
	/* No status line: libcurl's name for that is an HTTP/0.9 reply. */
	CHECK_STR(reason, "error: Received HTTP/0.9 when not allowed");
}

/* A 10 GB Content-Length is refused at the cap. */
static void
test_huge_body_capped(void)
{
	const char *opts[] = {
	    "robots=false", "max-size=100000", "timeout=10", NULL};
	char state[64], reason[256];

	fault_crawl(
	    RAWSRV_HUGE, "huge.db", opts, state, reason, sizeof(state), NULL);
	CHECK_STR(state, "failed");
	CHECK_STR(reason, "too-big: body over 100000 bytes");
}

/* A chunked body that never ends is cut at the cap. */
static void
test_endless_body_capped(void)
{
	const char *opts[] = {
	    "robots=false", "max-size=300000", "timeout=10", NULL};
	char state[64], reason[256];
	long long bytes = 0;

	fault_crawl(RAWSRV_ENDLESS, "endless.db", opts, state, reason,
	    sizeof(state), &bytes);
	CHECK_STR(state, "failed");
	CHECK_STR(reason, "too-big: body over 300000 bytes");
	CHECK(bytes <= 300000);
}

/* 64 MiB of decoded bytes from ~64 KiB on the wire: the cap counts
   decoded bytes, so the bomb stops at --max-size. */
static void
test_gzip_bomb_capped(void)
{
	const char *opts[] = {
	    "robots=false", "max-size=1000000", "timeout=10", NULL};
	char state[64], reason[256];
	long long bytes = 0;

	fault_crawl(RAWSRV_GZIP_BOMB, "bomb.db", opts, state, reason,
	    sizeof(state), &bytes);
	CHECK_STR(state, "failed");
	CHECK_STR(reason, "too-big: body over 1000000 bytes");
	CHECK(bytes <= 1000000);
}

/* A body shorter than its Content-Length is not a complete response. */
static void
test_truncated_body(void)
{
	const char *opts[] = {"robots=false", "retries=0", "timeout=5", NULL};
	char state[64], reason[256];

	fault_crawl(RAWSRV_TRUNCATED, "trunc.db", opts, state, reason,
	    sizeof(state), NULL);
	CHECK_STR(state, "failed");
	/* Content-Length 1000, 10 bytes sent, then the close. */
	CHECK_STR(
	    reason, "error: transfer closed with 990 bytes remaining to read");
}

/* Nothing listens: connection refused. */
static void
test_connection_refused(void)
{
	struct rawsrv *s = rawsrv_start(RAWSRV_RESET);
	const char *opts[] = {"robots=false", "retries=0", "timeout=5", NULL};
	const char *db = it_db_path("refused.db");
	char seed[64], reason[256];
	struct it_result r;

	/* Take a free port, then close it so nothing listens there. */
	snprintf(seed, sizeof(seed), "http://127.0.0.1:%u/", rawsrv_port(s));
	rawsrv_stop(s);
	REQUIRE(it_crawl(db, seed, opts, &r) == 0);
	CHECK_INT(r.end, CRAWL_END_DONE);
	CHECK_INT(r.stats.failed, 1);
	db_text(db, reason, sizeof(reason),
	    "SELECT reason FROM pages WHERE depth=0");
	CHECK(strncmp(reason, "connect:", 8) == 0);
}

/*
 * Compressed pages are decoded (README: gzip, deflate, br and zstd are
 * accepted): crawld names each in Accept-Encoding, and a page sent in it
 * has its links followed and its decoded size (67 bytes) recorded.
 */
static void
test_encoded_pages_decoded(void)
{
	static const struct {
		enum rawsrv_mode mode;
		const char *name;
	} encs[] = {
	    {RAWSRV_GZIP_PAGE, "gzip"},
	    {RAWSRV_DEFLATE_PAGE, "deflate"},
	    {RAWSRV_BR_PAGE, "br"},
	    {RAWSRV_ZSTD_PAGE, "zstd"},
	};
	const char *opts[] = {"robots=false", "retries=0", NULL};
	char seed[64], db[32];
	struct it_result r;
	struct rawsrv *s;
	size_t i;
	int before;

	for (i = 0; i < CW_NELEM(encs); i++) {
		before = harness_failures;
		s = rawsrv_start(encs[i].mode);
		snprintf(
		    seed, sizeof(seed), "http://127.0.0.1:%u/", rawsrv_port(s));
		snprintf(db, sizeof(db), "enc-%s.db", encs[i].name);
		REQUIRE(it_crawl(it_db_path(db), seed, opts, &r) == 0);
		CHECK_INT(r.end, CRAWL_END_DONE);
		CHECK_INT(db_int(it_db_path(db),
			      "SELECT count(*) FROM pages WHERE state='done' "
			      "AND status=200"),
		    2);
		CHECK_INT(db_int(it_db_path(db),
			      "SELECT bytes FROM pages WHERE depth=0"),
		    strlen(RAWSRV_PAGE));
		CHECK_INT(rawsrv_accept_named(s), 2);
		if (harness_failures != before)
			fprintf(stderr, "  encoding %s\n", encs[i].name);
		rawsrv_stop(s);
	}
}

static const struct test tests[] = {
    TEST(encoded_pages_decoded),
    TEST(stall_times_out),
    TEST(slow_drip_times_out),
    TEST(reset),
    TEST(garbage),
    TEST(huge_body_capped),
    TEST(endless_body_capped),
    TEST(gzip_bomb_capped),
    TEST(truncated_body),
    TEST(connection_refused),
};

TEST_MAIN(tests)
