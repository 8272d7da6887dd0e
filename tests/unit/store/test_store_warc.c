/* SPDX-License-Identifier: MIT */
/*
 * test_store_warc.c - the WARC tables (warc_files, warc_records): a file's
 * end counts the rows of the open batch too (what a resume cuts to), the
 * newest file of a crawl for a base, the newest response of a URL for a
 * revisit, and CDXJ lines in byte order (LC_ALL=C), not SQLite's NOCASE or
 * the insertion order.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "crawld/store/store.h"
#include "harness.h"

struct ctx {
	char dir[64], path[128];
	struct store *st;
	int64_t crawl;
};

/* A fresh database with one crawl. */
static bool
ctx_open(struct ctx *c)
{
	char err[256];

	snprintf(c->dir, sizeof(c->dir), "/tmp/crawld-storewarc-XXXXXX");
	if (mkdtemp(c->dir) == NULL)
		return false;
	snprintf(c->path, sizeof(c->path), "%s/crawl.db", c->dir);
	if (store_open(c->path, 0, &c->st, err, sizeof(err)) != CW_OK) {
		fprintf(stderr, "  %s\n", err);
		return false;
	}
	return store_crawl_create(c->st, "[]", "{}", 1, &c->crawl) == CW_OK;
}

static void
ctx_close(struct ctx *c)
{
	char cmd[128];

	store_close(c->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", c->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "  cannot remove %s\n", c->dir);
}

/* A record row of file f at offset, length. */
static enum cw_rc
add_rec(struct ctx *c, int64_t f, const char *type, const char *id,
    const char *url, uint64_t off, uint64_t len, const char *digest,
    const char *cdxj)
{
	struct store_warc_record r;

	memset(&r, 0, sizeof(r));
	r.file_id = f;
	r.page_id = 0;
	r.type = type;
	r.record_id = id;
	r.target_uri = url;
	r.date = "2026-12-01T00:00:00.000001Z";
	r.offset = off;
	r.length = len;
	r.status = 200;
	r.payload_digest = digest;
	r.cdxj = cdxj;
	return store_warc_record_add(c->st, &r);
}

static void
test_file_end(void)
{
	struct ctx c;
	struct store_warc_file f;
	int64_t f1 = 0, f2 = 0;

	REQUIRE(ctx_open(&c));
	REQUIRE(
	    store_warc_file_last(c.st, c.crawl, "/x/a.warc.gz", &f) == CW_OK);
	CHECK_INT(f.id, 0);
	free(f.path);
	REQUIRE(store_warc_file_add(c.st, c.crawl, "/x/a.warc.gz",
		    "/x/a.warc.gz", 5, &f1) == CW_OK);
	REQUIRE(store_warc_file_add(c.st, c.crawl, "/x/b.warc.gz",
		    "/x/b.warc.gz", 5, &f2) == CW_OK);
	/* No record yet: the end is 0. */
	REQUIRE(
	    store_warc_file_last(c.st, c.crawl, "/x/a.warc.gz", &f) == CW_OK);
	CHECK_INT(f.id, f1);
	CHECK_INT(f.end, 0);
	CHECK_STR(f.path, "/x/a.warc.gz");
	free(f.path);
	/* Records in the open batch count (the same connection). */
	CHECK(add_rec(&c, f1, "warcinfo", "<a>", NULL, 0, 100, NULL, NULL) ==
	    CW_OK);
	CHECK(add_rec(&c, f1, "response", "<b>", "http://h/", 100, 50, "d1",
		  NULL) == CW_OK);
	CHECK(add_rec(&c, f2, "response", "<c>", "http://h/", 0, 999, "d2",
		  NULL) == CW_OK);
	REQUIRE(
	    store_warc_file_last(c.st, c.crawl, "/x/a.warc.gz", &f) == CW_OK);
	CHECK_INT(f.end, 150);
	free(f.path);
	/* A dropped batch takes them back. */
	store_rollback(c.st);
	REQUIRE(
	    store_warc_file_last(c.st, c.crawl, "/x/a.warc.gz", &f) == CW_OK);
	CHECK_INT(f.id, 0);
	free(f.path);
	/* Another crawl's file is not this crawl's. */
	REQUIRE(store_warc_file_add(c.st, c.crawl + 1, "/x/a.warc.gz",
		    "/x/a-1.warc.gz", 5, &f1) == CW_OK);
	REQUIRE(
	    store_warc_file_last(c.st, c.crawl, "/x/a.warc.gz", &f) == CW_OK);
	CHECK_INT(f.id, 0);
	free(f.path);
	ctx_close(&c);
}

static void
test_last_response(void)
{
	struct ctx c;
	struct store_warc_ref ref;
	int64_t f1 = 0, f2 = 0;

	REQUIRE(ctx_open(&c));
	REQUIRE(store_warc_file_add(c.st, c.crawl, "/x/a.warc.gz",
		    "/x/a.warc.gz", 5, &f1) == CW_OK);
	REQUIRE(store_warc_file_add(c.st, c.crawl, "/y/b.warc.gz",
		    "/y/b.warc.gz", 5, &f2) == CW_OK);
	CHECK(add_rec(&c, f1, "response", "<old>", "http://h/p", 0, 10,
		  "sha1:OLD", NULL) == CW_OK);
	CHECK(add_rec(&c, f1, "request", "<req>", "http://h/p", 10, 10, NULL,
		  NULL) == CW_OK);
	CHECK(add_rec(&c, f1, "response", "<new>", "http://h/p", 20, 10,
		  "sha1:NEW", NULL) == CW_OK);
	/* Another base's response is not one this archive refers to. */
	CHECK(add_rec(&c, f2, "response", "<other>", "http://h/p", 0, 10,
		  "sha1:OTHER", NULL) == CW_OK);
	REQUIRE(store_warc_last_response(
		    c.st, "/x/a.warc.gz", "http://h/p", &ref) == CW_OK);
	CHECK(ref.found);
	CHECK_STR(ref.record_id, "<new>");
	CHECK_STR(ref.payload_digest, "sha1:NEW");
	CHECK_STR(ref.date, "2026-12-01T00:00:00.000001Z");
	REQUIRE(store_warc_last_response(
		    c.st, "/x/a.warc.gz", "http://h/q", &ref) == CW_OK);
	CHECK(!ref.found);
	ctx_close(&c);
}

/* Collect CDXJ lines into a buffer, '|'-separated. */
static int
collect(void *arg, const char *line)
{
	char *buf = arg;

	strcat(buf, line);
	strcat(buf, "|");
	return 0;
}

static void
test_cdxj_byte_order(void)
{
	struct ctx c;
	int64_t f1 = 0, f2 = 0;
	char got[1024] = "";
	/* Inserted out of order; 'Z' < 'a' and ' ' < '/' in byte order. */
	static const char *const lines[] = {
	    "com,b)/ 2", "com,a)/x 1", "com,a)/ 1", "com,A)/ 1", "com,a)/Z 1"};
	size_t i;

	REQUIRE(ctx_open(&c));
	REQUIRE(store_warc_file_add(c.st, c.crawl, "/x/a.warc.gz",
		    "/x/a.warc.gz", 5, &f1) == CW_OK);
	REQUIRE(store_warc_file_add(c.st, c.crawl + 1, "/x/a.warc.gz",
		    "/x/a-1.warc.gz", 5, &f2) == CW_OK);
	for (i = 0; i < CW_NELEM(lines); i++) {
		char id[16];

		snprintf(id, sizeof(id), "<%zu>", i);
		CHECK(add_rec(&c, i % 2 ? f2 : f1, "response", id, "http://h/",
			  i * 10, 10, "d", lines[i]) == CW_OK);
	}
	/* Requests have no line. */
	CHECK(add_rec(&c, f1, "request", "<q>", "http://h/", 99, 1, NULL,
		  NULL) == CW_OK);
	REQUIRE(store_flush(c.st) == CW_OK);
	REQUIRE(store_warc_cdxj(c.st, "/x/a.warc.gz", collect, got) == CW_OK);
	CHECK_STR(got, "com,A)/ 1|com,a)/ 1|com,a)/Z 1|com,a)/x 1|com,b)/ 2|");
	got[0] = '\0';
	REQUIRE(store_warc_cdxj(c.st, "/other.warc.gz", collect, got) == CW_OK);
	CHECK_STR(got, "");
	ctx_close(&c);
}

static const struct test tests[] = {
    TEST(file_end),
    TEST(last_response),
    TEST(cdxj_byte_order),
};

TEST_MAIN(tests)
