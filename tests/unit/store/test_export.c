/* SPDX-License-Identifier: MIT */
/*
 * test_export.c - `crawld export` output, byte for byte: JSON lines and
 * RFC 4180 CSV over rows holding commas, quotes, CR/LF, NULLs, empty
 * strings, UTF-8 and invalid UTF-8; option parsing; failing streams.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crawld/store/export.h"
#include "crawld/store/store.h"
#include "harness.h"

#define T0 1700000000000000LL /* 2023-11-14T22:13:20.000000Z */

/* A scratch directory with one database holding the tricky rows. */
struct fixture {
	char dir[64];
	char path[128];
	struct store *st;
};

/* Build the database: a done seed, a failed child, a skipped one, ... */
static bool
fixture_init(struct fixture *f)
{
	struct store_page pages[] = {
	    {1, 1, 0, "http://a.test/", 0, PAGE_QUEUED, NULL, T0},
	    {2, 1, 1, "http://a.test/b,c", 1, PAGE_QUEUED, NULL, T0 + 1},
	    {3, 1, 1, "http://a.test/\xc3\xbc\"q\"", 1, PAGE_SKIPPED, "",
		T0 + 2},
	    {4, 1, 2, "http://a.test/d", 2, PAGE_QUEUED, NULL, T0 + 3},
	};
	struct store_result results[] = {
	    {.id = 1,
		.state = PAGE_DONE,
		.status = 200,
		.content_type = "text/html; charset=\"utf-8\"",
		.bytes = 1234,
		.fetched_us = T0 + 500,
		.attempts = 1},
	    {.id = 2,
		.state = PAGE_FAILED,
		.reason = "timeout\r\nafter 30 s",
		.bytes = -1,
		.fetched_us = T0 + 400,
		.attempts = 3},
	    {.id = 4,
		.state = PAGE_DONE,
		.reason = "bad\xff utf-8",
		.status = 404,
		.content_type = "text/plain",
		.bytes = 0,
		.fetched_us = T0 + 400,
		.attempts = 1},
	};
	char err[256];
	int64_t crawl = 0;
	size_t i;

	f->st = NULL;
	snprintf(f->dir, sizeof(f->dir), "/tmp/crawld-export-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return false;
	snprintf(f->path, sizeof(f->path), "%s/crawl.db", f->dir);
	if (store_open(f->path, 0, &f->st, err, sizeof(err)) != CW_OK) {
		fprintf(stderr, "  %s\n", err);
		return false;
	}
	if (store_crawl_create(f->st, "[]", "{}", T0, &crawl) != CW_OK ||
	    crawl != 1)
		return false;
	for (i = 0; i < CW_NELEM(pages); i++)
		if (store_page_insert(f->st, &pages[i]) != CW_OK)
			return false;
	for (i = 0; i < CW_NELEM(results); i++)
		if (store_page_finish(f->st, &results[i]) != CW_OK)
			return false;
	return store_flush(f->st) == CW_OK;
}

/* Close the store and remove its files. */
static void
fixture_cleanup(struct fixture *f)
{
	static const char *const sfx[] = {"", "-wal", "-shm"};
	char p[160];
	size_t i;

	store_close(f->st);
	for (i = 0; i < CW_NELEM(sfx); i++) {
		snprintf(p, sizeof(p), "%s%s", f->path, sfx[i]);
		unlink(p);
	}
	rmdir(f->dir);
}

/* Run export_write into memory; *text is malloc'd (caller frees). */
static enum cw_rc
export_to_mem(struct store *st, enum export_format fmt, enum store_order o,
    int64_t crawl, char **text)
{
	size_t len = 0;
	enum cw_rc rc;
	FILE *m;

	*text = NULL;
	m = open_memstream(text, &len);
	if (m == NULL)
		return CW_ENOMEM;
	rc = export_write(st, m, fmt, o, crawl);
	fclose(m);
	return rc;
}

static const char expect_jsonl_discovered[] =
    "{\"crawl_id\":1,\"id\":1,\"url\":\"http://a.test/\",\"depth\":0,"
    "\"state\":\"done\",\"reason\":null,\"status\":200,"
    "\"content_type\":\"text/html; charset=\\\"utf-8\\\"\",\"bytes\":1234,"
    "\"discovered_at\":\"2023-11-14T22:13:20.000000Z\","
    "\"fetched_at\":\"2023-11-14T22:13:20.000500Z\",\"parent\":null}\n"
    "{\"crawl_id\":1,\"id\":2,\"url\":\"http://a.test/b,c\",\"depth\":1,"
    "\"state\":\"failed\",\"reason\":\"timeout\\r\\nafter 30 s\","
    "\"status\":null,\"content_type\":null,\"bytes\":null,"
    "\"discovered_at\":\"2023-11-14T22:13:20.000001Z\","
    "\"fetched_at\":\"2023-11-14T22:13:20.000400Z\","
    "\"parent\":\"http://a.test/\"}\n"
    "{\"crawl_id\":1,\"id\":3,\"url\":\"http://a.test/\xc3\xbc\\\"q\\\"\","
    "\"depth\":1,\"state\":\"skipped\",\"reason\":\"\",\"status\":null,"
    "\"content_type\":null,\"bytes\":null,"
    "\"discovered_at\":\"2023-11-14T22:13:20.000002Z\","
    "\"fetched_at\":null,\"parent\":\"http://a.test/\"}\n"
    "{\"crawl_id\":1,\"id\":4,\"url\":\"http://a.test/d\",\"depth\":2,"
    "\"state\":\"done\",\"reason\":\"bad\xef\xbf\xbd utf-8\","
    "\"status\":404,\"content_type\":\"text/plain\",\"bytes\":0,"
    "\"discovered_at\":\"2023-11-14T22:13:20.000003Z\","
    "\"fetched_at\":\"2023-11-14T22:13:20.000400Z\","
    "\"parent\":\"http://a.test/b,c\"}\n";

static const char expect_csv_discovered[] =
    "crawl_id,id,url,depth,state,reason,status,content_type,bytes,"
    "discovered_at,fetched_at,parent\r\n"
    "1,1,http://a.test/,0,done,,200,\"text/html; charset=\"\"utf-8\"\"\","
    "1234,2023-11-14T22:13:20.000000Z,2023-11-14T22:13:20.000500Z,\r\n"
    "1,2,\"http://a.test/b,c\",1,failed,\"timeout\r\nafter 30 s\",,,,"
    "2023-11-14T22:13:20.000001Z,2023-11-14T22:13:20.000400Z,"
    "http://a.test/\r\n"
    "1,3,\"http://a.test/\xc3\xbc\"\"q\"\"\",1,skipped,\"\",,,,"
    "2023-11-14T22:13:20.000002Z,,http://a.test/\r\n"
    "1,4,http://a.test/d,2,done,bad\xff utf-8,404,text/plain,0,"
    "2023-11-14T22:13:20.000003Z,2023-11-14T22:13:20.000400Z,"
    "\"http://a.test/b,c\"\r\n";

/* The JSON lines, in discovered order, byte for byte. */
static void
test_jsonl_exact(void)
{
	struct fixture f;
	char *text = NULL;

	REQUIRE(fixture_init(&f));
	CHECK(export_to_mem(f.st, EXPORT_JSONL, STORE_ORDER_DISCOVERED, 0,
		  &text) == CW_OK);
	CHECK_STR(text, expect_jsonl_discovered);
	free(text);
	fixture_cleanup(&f);
}

/* The CSV, in discovered order, byte for byte. */
static void
test_csv_exact(void)
{
	struct fixture f;
	char *text = NULL;

	REQUIRE(fixture_init(&f));
	CHECK(export_to_mem(
		  f.st, EXPORT_CSV, STORE_ORDER_DISCOVERED, 1, &text) == CW_OK);
	CHECK_STR(text, expect_csv_discovered);
	free(text);
	fixture_cleanup(&f);
}

/* Fetched order: by fetched_at, ties by id, unfetched last. */
static void
test_fetched_order(void)
{
	static const char *const want[] = {"1,2,", "1,4,", "1,1,", "1,3,"};
	struct fixture f;
	char *text = NULL, *line;
	size_t i;

	REQUIRE(fixture_init(&f));
	CHECK(export_to_mem(f.st, EXPORT_CSV, STORE_ORDER_FETCHED, 0, &text) ==
	    CW_OK);
	REQUIRE(text != NULL);
	/* Records start after a CRLF that is not inside quotes: the header
	   and the embedded CRLF of row 2 are skipped by prefix matching. */
	line = strstr(text, "\r\n1,");
	for (i = 0; i < CW_NELEM(want) && line != NULL; i++) {
		CHECK(strncmp(line + 2, want[i], strlen(want[i])) == 0);
		line = strstr(line + 2, "\r\n1,");
	}
	CHECK_INT(i, CW_NELEM(want));
	CHECK(line == NULL);
	free(text);
	fixture_cleanup(&f);
}

/* Another crawl's export is empty: just the header for CSV. */
static void
test_other_crawl_empty(void)
{
	struct fixture f;
	char *text = NULL;

	REQUIRE(fixture_init(&f));
	CHECK(export_to_mem(
		  f.st, EXPORT_CSV, STORE_ORDER_DISCOVERED, 7, &text) == CW_OK);
	CHECK_STR(text,
	    "crawl_id,id,url,depth,state,reason,status,"
	    "content_type,bytes,discovered_at,fetched_at,parent\r\n");
	free(text);
	CHECK(export_to_mem(
		  f.st, EXPORT_JSONL, STORE_ORDER_FETCHED, 7, &text) == CW_OK);
	CHECK_STR(text, "");
	free(text);
	fixture_cleanup(&f);
}

/* Option words: exact, case-sensitive, NULL refused. */
static void
test_parse(void)
{
	static const struct {
		const char *s;
		enum cw_rc rc;
		enum export_format fmt;
	} formats[] = {
	    {"jsonl", CW_OK, EXPORT_JSONL},
	    {"csv", CW_OK, EXPORT_CSV},
	    {"json", CW_EINVAL, 0},
	    {"CSV", CW_EINVAL, 0},
	    {"", CW_EINVAL, 0},
	    {NULL, CW_EINVAL, 0},
	};
	static const struct {
		const char *s;
		enum cw_rc rc;
		enum store_order order;
	} orders[] = {
	    {"discovered", CW_OK, STORE_ORDER_DISCOVERED},
	    {"fetched", CW_OK, STORE_ORDER_FETCHED},
	    {"fetch", CW_EINVAL, 0},
	    {"discovered ", CW_EINVAL, 0},
	    {NULL, CW_EINVAL, 0},
	};
	enum export_format fmt;
	enum store_order order;
	size_t i;

	for (i = 0; i < CW_NELEM(formats); i++) {
		fmt = (enum export_format)99;
		CHECK_INT(
		    export_format_parse(formats[i].s, &fmt), formats[i].rc);
		if (formats[i].rc == CW_OK)
			CHECK_INT(fmt, formats[i].fmt);
	}
	for (i = 0; i < CW_NELEM(orders); i++) {
		order = (enum store_order)99;
		CHECK_INT(
		    export_order_parse(orders[i].s, &order), orders[i].rc);
		if (orders[i].rc == CW_OK)
			CHECK_INT(order, orders[i].order);
	}
}

/* A full disk (/dev/full) and a closed pipe are CW_EIO, both formats. */
static void
test_write_errors(void)
{
	static const enum export_format fmts[] = {EXPORT_JSONL, EXPORT_CSV};
	struct fixture f;
	void (*old)(int);
	size_t i;
	FILE *out;
	int p[2];

	REQUIRE(fixture_init(&f));
	old = signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < CW_NELEM(fmts); i++) {
		out = fopen("/dev/full", "w");
		REQUIRE(out != NULL);
		CHECK_INT(
		    export_write(f.st, out, fmts[i], STORE_ORDER_DISCOVERED, 0),
		    CW_EIO);
		fclose(out);

		REQUIRE(pipe(p) == 0);
		close(p[0]);
		out = fdopen(p[1], "w");
		REQUIRE(out != NULL);
		CHECK_INT(
		    export_write(f.st, out, fmts[i], STORE_ORDER_FETCHED, 0),
		    CW_EIO);
		fclose(out);
	}
	signal(SIGPIPE, old);
	out = fopen("/dev/null", "w");
	REQUIRE(out != NULL);
	CHECK_INT(export_write(
		      f.st, out, (enum export_format)5, STORE_ORDER_FETCHED, 0),
	    CW_EINVAL);
	CHECK_INT(
	    export_write(f.st, out, EXPORT_CSV, STORE_ORDER_FETCHED, 0), CW_OK);
	fclose(out);
	fixture_cleanup(&f);
}

static const struct test tests[] = {
    TEST(jsonl_exact),
    TEST(csv_exact),
    TEST(fetched_order),
    TEST(other_crawl_empty),
    TEST(parse),
    TEST(write_errors),
};

TEST_MAIN(tests)
