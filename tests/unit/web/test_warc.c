/* SPDX-License-Identifier: MIT */
/*
 * test_warc.c - the WARC record format and its reader: known answers for
 * base32 and the SHA-1 digests (computed independently with sha1sum and
 * Python's base64.b32encode), the exact bytes of a record, gzip members
 * and their offsets, the HTTP heads a WARC keeps, SURT keys and CDXJ
 * lines, and `warc verify` finding a flipped byte, a wrong digest, a
 * missing field, an unpaired request and a partial last record.
 */
#include <stdio.h>
#include <unistd.h>
#include <zlib.h>

#include "crawld/web/warc.h"
#include "crawld/web/warcfile.h"
#include "harness.h"

/* sha1sum | base32 of "", "hello" and HEAD "hello" (see the header). */
#define SHA1_EMPTY "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"
#define SHA1_HELLO "sha1:VL2MMHO4YXUKFWV63YHTWSBM3GXKSQ2N"
#define HEAD                                                                   \
	"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "      \
	"5\r\n\r\n"
#define SHA1_HEAD_HELLO "sha1:LRYKYE6JURFXLGHETF373AYPQNPBXBUU"
#define ID0 "<urn:uuid:00000000-0000-4000-8000-000000000000>"
/* The plain record test_record_bytes builds; sha1sum of it: */
#define REC0                                                                   \
	"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: " ID0              \
	"\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n"
#define SHA1_REC0 "sha1:4JOY5U5NOU3YAEYNGNINCCRMGHQP34KS"

static void
test_base32(void)
{
	char out[64];

	warc_base32((const uint8_t *)"f", 1, out);
	CHECK_STR(out, "MY======");
	warc_base32((const uint8_t *)"fooba", 5, out);
	CHECK_STR(out, "MZXW6YTB");
	warc_base32((const uint8_t *)"foobar", 6, out);
	CHECK_STR(out, "MZXW6YTBOI======");
}

static void
test_digest_known_answers(void)
{
	char d[WARC_DIGEST_LEN];

	REQUIRE(warc_digest("", 0, NULL, 0, d) == CW_OK);
	CHECK_STR(d, SHA1_EMPTY);
	REQUIRE(warc_digest("hello", 5, NULL, 0, d) == CW_OK);
	CHECK_STR(d, SHA1_HELLO);
	/* Two pieces digest as their concatenation. */
	REQUIRE(warc_digest(HEAD, strlen(HEAD), "hello", 5, d) == CW_OK);
	CHECK_STR(d, SHA1_HEAD_HELLO);
	REQUIRE(warc_digest(HEAD "hel", strlen(HEAD) + 3, "lo", 2, d) == CW_OK);
	CHECK_STR(d, SHA1_HEAD_HELLO);
}

static void
test_record_bytes(void)
{
	struct warc_field f[] = {
	    {"WARC-Type", "resource"}, {"WARC-Record-ID", ID0}};
	struct buf b;
	char d[WARC_DIGEST_LEN];

	buf_init(&b, SIZE_MAX);
	REQUIRE(
	    warc_record_append(&b, f, 2, "hel", 3, "lo", 2, false) == CW_OK);
	REQUIRE(b.len == strlen(REC0));
	CHECK(memcmp(b.data, REC0, b.len) == 0);
	REQUIRE(warc_digest(b.data, b.len, NULL, 0, d) == CW_OK);
	CHECK_STR(d, SHA1_REC0);
	/* A value with a line break would forge a field. */
	f[0].value = "resource\r\nWARC-Type: response";
	CHECK(
	    warc_record_append(&b, f, 2, "x", 1, NULL, 0, false) == CW_EINVAL);
	buf_cleanup(&b);
}

/* Inflate one gzip member at p (the test's own zlib use). */
static size_t
gunzip_member(const uint8_t *p, size_t n, char *out, size_t cap, size_t *used)
{
	z_stream z;
	size_t got;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 31) != Z_OK)
		return 0;
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	if (inflate(&z, Z_FINISH) != Z_STREAM_END) {
		inflateEnd(&z);
		return 0;
	}
	got = cap - z.avail_out;
	*used = n - z.avail_in;
	inflateEnd(&z);
	return got;
}

/* A descriptor reading the n bytes of p. */
static int
fd_of(const void *p, size_t n)
{
	FILE *f = tmpfile();
	int fd;

	if (f == NULL)
		return -1;
	fd = dup(fileno(f));
	fclose(f);
	if (fd < 0 || write(fd, p, n) != (ssize_t)n ||
	    lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	return fd;
}

static void
test_gzip_members(void)
{
	struct warc_field f[] = {
	    {"WARC-Type", "resource"}, {"WARC-Record-ID", ID0}};
	struct warc_reader *rd;
	struct warc_record r;
	struct buf b;
	char out[512], err[256];
	size_t used = 0, first;
	uint64_t off, len;
	int fd;

	buf_init(&b, SIZE_MAX);
	REQUIRE(
	    warc_record_append(&b, f, 2, "hello", 5, NULL, 0, true) == CW_OK);
	first = b.len;
	REQUIRE(
	    warc_record_append(&b, f, 2, "hello", 5, NULL, 0, true) == CW_OK);
	CHECK((uint8_t)b.data[0] == 0x1f && (uint8_t)b.data[1] == 0x8b);
	CHECK((uint8_t)b.data[first] == 0x1f);
	/* Each member is the whole record, alone. */
	CHECK(gunzip_member((uint8_t *)b.data, b.len, out, sizeof(out),
		  &used) == strlen(REC0));
	CHECK(memcmp(out, REC0, strlen(REC0)) == 0);
	CHECK_INT(used, first);
	fd = fd_of(b.data, b.len);
	REQUIRE(fd >= 0);
	rd = warc_reader_new(fd, 1 << 20);
	REQUIRE(rd != NULL);
	CHECK(warc_reader_next(rd, &r, &off, &len, err, sizeof(err)) ==
	    WARC_NEXT_RECORD);
	CHECK_INT(off, 0);
	CHECK_INT(len, first);
	CHECK_STR(warc_get(&r, "warc-type"), "resource");
	CHECK(r.block_len == 5 && memcmp(r.block, "hello", 5) == 0);
	CHECK(warc_reader_next(rd, &r, &off, &len, err, sizeof(err)) ==
	    WARC_NEXT_RECORD);
	CHECK_INT(off, first);
	CHECK_INT(len, b.len - first);
	CHECK(warc_reader_next(rd, &r, &off, &len, err, sizeof(err)) ==
	    WARC_NEXT_END);
	warc_reader_free(rd);
	close(fd);
	buf_cleanup(&b);
}

static void
test_response_head(void)
{
	static const char h2[] = "HTTP/2 200 \r\ncontent-type: text/html\r\n"
				 "transfer-encoding: chunked\r\n"
				 "Content-Length: 99\r\ncontent-encoding: "
				 "gzip\r\n\r\n";
	static const char h1[] = "HTTP/1.1 404 Nope\r\nServer: x\r\n\r\n";
	struct buf b;

	buf_init(&b, SIZE_MAX);
	REQUIRE(warc_http_response_head(h2, strlen(h2), 5, &b) == CW_OK);
	REQUIRE(buf_append(&b, "", 1) == CW_OK);
	CHECK_STR(b.data,
	    "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n"
	    "content-encoding: gzip\r\nContent-Length: "
	    "5\r\n\r\n");
	buf_reset(&b);
	REQUIRE(warc_http_response_head(h1, strlen(h1), 0, &b) == CW_OK);
	REQUIRE(buf_append(&b, "", 1) == CW_OK);
	CHECK_STR(b.data,
	    "HTTP/1.1 404 Nope\r\nServer: x\r\nContent-Length: 0\r\n\r\n");
	CHECK_INT(warc_http_status((uint8_t *)b.data, b.len), 404);
	buf_reset(&b);
	CHECK(warc_http_response_head("Server: x\r\n\r\n", 13, 0, &b) ==
	    CW_EPARSE);
	buf_cleanup(&b);
}

static void
test_request_head(void)
{
	static const char r2[] =
	    "GET /a b HTTP/2\r\nHost: h\r\nAccept: */*\r\n\r\n";
	struct buf b;

	buf_init(&b, SIZE_MAX);
	REQUIRE(warc_http_request_head(r2, strlen(r2), &b) == CW_OK);
	REQUIRE(buf_append(&b, "", 1) == CW_OK);
	CHECK_STR(
	    b.data, "GET /a b HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n");
	buf_reset(&b);
	CHECK(warc_http_request_head("GET /\r\n\r\n", 9, &b) == CW_EPARSE);
	buf_cleanup(&b);
}

/* The SURT of url as a string (static buffer). */
static const char *
surt(const char *url)
{
	static char out[512];
	struct buf b;

	buf_init(&b, SIZE_MAX);
	if (warc_surt(url, &b) != CW_OK || buf_append(&b, "", 1) != CW_OK)
		snprintf(out, sizeof(out), "(error)");
	else
		snprintf(out, sizeof(out), "%s", b.data);
	buf_cleanup(&b);
	return out;
}

static void
test_surt(void)
{
	CHECK_STR(surt("http://www.Example.com:80/a/B?z=1&a=2#frag"),
	    "com,example)/a/b?a=2&z=1");
	CHECK_STR(surt("https://example.com:443/"), "com,example)/");
	CHECK_STR(
	    surt("https://a.b.example.org:8443/x"), "org,example,b,a:8443)/x");
	CHECK_STR(
	    surt("http://127.0.0.1:8080/p.html"), "127.0.0.1:8080)/p.html");
	CHECK_STR(surt("http://example.com"), "com,example)/");
	CHECK_STR(surt("http://[::1]:99/q"), "[::1]:99)/q");
}

static void
test_cdxj_line(void)
{
	struct warc_cdx x = {
	    .url = "http://example.com/a\"b",
	    .date = "2026-12-01T22:37:11.123456Z",
	    .mime = "text/html",
	    .status = 200,
	    .digest = SHA1_HELLO,
	    .length = 321,
	    .offset = 1234,
	    .filename = "x.warc.gz",
	};
	struct buf b;

	buf_init(&b, SIZE_MAX);
	REQUIRE(warc_cdxj_line(&x, &b) == CW_OK);
	REQUIRE(buf_append(&b, "", 1) == CW_OK);
	CHECK_STR(b.data,
	    "com,example)/a\"b 20261201223711 {\"url\": "
	    "\"http://example.com/a\\\"b\", \"mime\": \"text/html\", "
	    "\"status\": \"200\", \"digest\": "
	    "\"VL2MMHO4YXUKFWV63YHTWSBM3GXKSQ2N\", \"length\": \"321\", "
	    "\"offset\": \"1234\", \"filename\": \"x.warc.gz\"}");
	buf_cleanup(&b);
}

static void
test_date(void)
{
	char d[WARC_DATE_LEN];

	warc_date(1764628631123456LL, d);
	CHECK_STR(d, "2025-12-01T22:37:11.123456Z");
}

/* How to spoil the pair pair_build writes. */
enum spoil {
	SPOIL_NONE = 0,
	SPOIL_NO_DATE,	    /* the response has no WARC-Date */
	SPOIL_WRONG_DIGEST, /* the payload digest of other bytes */
	SPOIL_NO_RESPONSE,  /* the request alone */
	SPOIL_OTHER_TARGET, /* the response is for another URI */
	SPOIL_NO_BLOCK_DIGEST,
};

/* A request/response pair for http://h/ (plain or gzip) appended to b. */
static void
pair_build(struct buf *b, bool gzip, enum spoil sp)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
	char rid[WARC_ID_LEN], qid[WARC_ID_LEN], bd[WARC_DIGEST_LEN],
	    pd[WARC_DIGEST_LEN], qd[WARC_DIGEST_LEN];
	struct warc_field q[6], r[8];
	size_t nq = 0, nr = 0;

	if (warc_uuid(rid) != CW_OK || warc_uuid(qid) != CW_OK ||
	    warc_digest(HEAD, strlen(HEAD), "hello", 5, bd) != CW_OK ||
	    warc_digest(sp == SPOIL_WRONG_DIGEST ? "hellp" : "hello", 5, NULL,
		0, pd) != CW_OK ||
	    warc_digest(req, strlen(req), NULL, 0, qd) != CW_OK)
		return;
	r[nr++] = (struct warc_field){"WARC-Type", "response"};
	r[nr++] = (struct warc_field){"WARC-Record-ID", rid};
	if (sp != SPOIL_NO_DATE)
		r[nr++] = (struct warc_field){
		    "WARC-Date", "2026-12-01T22:37:11.000001Z"};
	r[nr++] = (struct warc_field){"WARC-Target-URI",
	    sp == SPOIL_OTHER_TARGET ? "http://h/x" : "http://h/"};
	r[nr++] = (struct warc_field){
	    "Content-Type", "application/http; msgtype=response"};
	if (sp != SPOIL_NO_BLOCK_DIGEST)
		r[nr++] = (struct warc_field){"WARC-Block-Digest", bd};
	r[nr++] = (struct warc_field){"WARC-Payload-Digest", pd};
	q[nq++] = (struct warc_field){"WARC-Type", "request"};
	q[nq++] = (struct warc_field){"WARC-Record-ID", qid};
	q[nq++] =
	    (struct warc_field){"WARC-Date", "2026-12-01T22:37:11.000001Z"};
	q[nq++] = (struct warc_field){"WARC-Target-URI", "http://h/"};
	q[nq++] = (struct warc_field){"WARC-Concurrent-To", rid};
	q[nq++] = (struct warc_field){"WARC-Block-Digest", qd};
	if (sp != SPOIL_NO_RESPONSE &&
	    warc_record_append(
		b, r, nr, HEAD, strlen(HEAD), "hello", 5, gzip) != CW_OK)
		return;
	if (warc_record_append(b, q, nq, req, strlen(req), NULL, 0, gzip) !=
	    CW_OK)
		return;
}

/* Verify the n bytes at p; the report into out (cap bytes). */
static struct warc_verify_stats
verify_bytes(const void *p, size_t n, char *out, size_t cap)
{
	struct warc_verify_stats st;
	FILE *f = fmemopen(out, cap, "w");
	int fd = fd_of(p, n);

	memset(&st, 0, sizeof(st));
	memset(out, 0, cap);
	if (f == NULL || fd < 0 || warc_verify(fd, 1 << 20, f, &st) != CW_OK)
		st.problems = 999;
	if (f != NULL)
		fclose(f);
	if (fd >= 0)
		close(fd);
	return st;
}

static void
test_verify_good(void)
{
	struct warc_verify_stats st;
	char out[4096];
	struct buf b;
	int gz;

	for (gz = 0; gz < 2; gz++) {
		buf_init(&b, SIZE_MAX);
		pair_build(&b, gz, SPOIL_NONE);
		pair_build(&b, gz, SPOIL_NONE);
		st = verify_bytes(b.data, b.len, out, sizeof(out));
		CHECK_INT(st.records, 4);
		CHECK_INT(st.problems, 0);
		CHECK(strstr(out, " response http://h/ ok\n") != NULL);
		CHECK(strstr(out, "4 records, 0 with problems") != NULL);
		buf_cleanup(&b);
	}
}

/* One spoilt file: at least one problem, and the report says what. */
static void
verify_expect(enum spoil sp, const char *says)
{
	struct warc_verify_stats st;
	char out[4096];
	struct buf b;

	buf_init(&b, SIZE_MAX);
	pair_build(&b, true, SPOIL_NONE);
	pair_build(&b, true, sp);
	st = verify_bytes(b.data, b.len, out, sizeof(out));
	CHECK(st.problems >= 1 && st.problems < 999);
	CHECK(st.bad_records >= 1);
	if (strstr(out, says) == NULL)
		fprintf(stderr, "  expected '%s' in:\n%s", says, out);
	CHECK(strstr(out, says) != NULL);
	buf_cleanup(&b);
}

static void
test_verify_catches(void)
{
	verify_expect(SPOIL_NO_DATE, "no WARC-Date");
	verify_expect(
	    SPOIL_WRONG_DIGEST, "does not match the data (" SHA1_HELLO ")");
	verify_expect(SPOIL_NO_RESPONSE, "unpaired request");
	verify_expect(SPOIL_OTHER_TARGET, "another WARC-Target-URI");
	verify_expect(SPOIL_NO_BLOCK_DIGEST, "no WARC-Block-Digest");
}

static void
test_verify_flipped_byte(void)
{
	struct warc_verify_stats st;
	char out[4096], *p;
	struct buf b;

	/* Plain, so the flip lands in the payload, not in gzip's CRC. */
	buf_init(&b, SIZE_MAX);
	pair_build(&b, false, SPOIL_NONE);
	p = strstr(b.data, "\r\n\r\nhello");
	REQUIRE(p != NULL);
	p[4] = 'j';
	st = verify_bytes(b.data, b.len, out, sizeof(out));
	CHECK_INT(st.problems, 2); /* both digests */
	CHECK(strstr(out, "WARC-Block-Digest") != NULL);
	CHECK(strstr(out, "WARC-Payload-Digest") != NULL);
	buf_cleanup(&b);
	/* In a gzip file, the member's CRC catches it. */
	buf_init(&b, SIZE_MAX);
	pair_build(&b, true, SPOIL_NONE);
	b.data[b.len / 4] ^= 0x10;
	st = verify_bytes(b.data, b.len, out, sizeof(out));
	CHECK(st.problems >= 1 && st.problems < 999);
	buf_cleanup(&b);
}

static void
test_verify_partial_last(void)
{
	struct warc_verify_stats st;
	char out[4096];
	struct buf b;
	size_t whole;

	buf_init(&b, SIZE_MAX);
	pair_build(&b, true, SPOIL_NONE);
	whole = b.len;
	pair_build(&b, true, SPOIL_NONE);
	st =
	    verify_bytes(b.data, whole + (b.len - whole) / 2, out, sizeof(out));
	CHECK(st.problems >= 1 && st.problems < 999);
	CHECK(strstr(out, "cut short") != NULL);
	/* Cut at a record's end, it is whole. */
	st = verify_bytes(b.data, whole, out, sizeof(out));
	CHECK_INT(st.problems, 0);
	CHECK_INT(st.records, 2);
	buf_cleanup(&b);
}

static void
test_parse_errors(void)
{
	struct warc_record r;
	char err[256];
	size_t used;
	static const char *const bad[] = {
	    "WARC/1.1\r\nContent-Length: 9\r\n\r\nhello\r\n\r\n",
	    "WARC/1.1\r\nContent-Length: x\r\n\r\n\r\n\r\n",
	    "HTTP/1.1\r\nContent-Length: 0\r\n\r\n\r\n\r\n",
	    "WARC/1.1\r\nContent-Length: 1\r\n\r\nab\r\n\r\n",
	    "WARC/1.1\r\nno colon\r\n\r\n",
	};
	size_t i;

	for (i = 0; i < CW_NELEM(bad); i++) {
		CHECK(warc_parse((const uint8_t *)bad[i], strlen(bad[i]), &r,
			  &used, err, sizeof(err)) == CW_EPARSE);
		warc_record_cleanup(&r);
	}
	CHECK(warc_parse((const uint8_t *)REC0, strlen(REC0), &r, &used, err,
		  sizeof(err)) == CW_OK);
	CHECK_INT(used, strlen(REC0));
	CHECK_STR(warc_get(&r, "WARC-Record-ID"), ID0);
	warc_record_cleanup(&r);
}

static const struct test tests[] = {
    TEST(base32),
    TEST(digest_known_answers),
    TEST(record_bytes),
    TEST(gzip_members),
    TEST(response_head),
    TEST(request_head),
    TEST(surt),
    TEST(cdxj_line),
    TEST(date),
    TEST(verify_good),
    TEST(verify_catches),
    TEST(verify_flipped_byte),
    TEST(verify_partial_last),
    TEST(parse_errors),
};

TEST_MAIN(tests)
