/* SPDX-License-Identifier: MIT */
/*
 * test_buf.c - the capped growable buffer: appends within the cap, the
 * CW_ELIMIT outcome that leaves the contents intact, NUL termination,
 * reset, take and a zero cap.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawld/base/buf.h"
#include "harness.h"

/* The buffer holds exactly the appended bytes, NUL-terminated. */
static void
test_append(void)
{
	struct buf b;

	buf_init(&b, 1024);
	CHECK(b.data == NULL);
	CHECK_INT(b.len, 0);
	CHECK_INT(b.max, 1024);
	CHECK(buf_append_str(&b, "hello") == CW_OK);
	REQUIRE(b.data != NULL);
	CHECK_INT(b.len, 5);
	CHECK_STR(b.data, "hello");
	CHECK(b.cap >= 6);
	CHECK(buf_append(&b, ", world", 7) == CW_OK);
	CHECK_INT(b.len, 12);
	CHECK_STR(b.data, "hello, world");
	CHECK(buf_append(&b, "", 0) == CW_OK);
	CHECK(buf_append_str(&b, "") == CW_OK);
	CHECK_INT(b.len, 12);
	CHECK_STR(b.data, "hello, world");
	/* Binary data with embedded NULs is kept as is. */
	CHECK(buf_append(&b, "\0a\0", 3) == CW_OK);
	CHECK_INT(b.len, 15);
	CHECK(memcmp(b.data, "hello, world\0a\0", 16) == 0);
	buf_cleanup(&b);
	CHECK(b.data == NULL);
	CHECK_INT(b.len, 0);
	buf_cleanup(&b);
}

/* Past the cap: CW_ELIMIT, nothing appended; exactly the cap is fine. */
static void
test_cap(void)
{
	struct buf b;

	buf_init(&b, 10);
	CHECK(buf_append_str(&b, "12345678") == CW_OK);
	CHECK(buf_append_str(&b, "abc") == CW_ELIMIT);
	CHECK_INT(b.len, 8);
	CHECK_STR(b.data, "12345678");
	CHECK(buf_append(&b, "xyz", SIZE_MAX) == CW_ELIMIT);
	CHECK_INT(b.len, 8);
	CHECK(buf_append_str(&b, "9A") == CW_OK);
	CHECK_INT(b.len, 10);
	CHECK_STR(b.data, "123456789A");
	CHECK(b.cap <= 11);
	CHECK(buf_append_str(&b, "B") == CW_ELIMIT);
	CHECK(buf_append(&b, "", 0) == CW_OK);
	CHECK_INT(b.len, 10);
	CHECK_STR(b.data, "123456789A");
	buf_cleanup(&b);

	/* One append larger than the whole cap, into an empty buffer. */
	buf_init(&b, 4);
	CHECK(buf_append_str(&b, "hello") == CW_ELIMIT);
	CHECK(b.data == NULL);
	CHECK_INT(b.len, 0);
	CHECK(buf_append_str(&b, "hell") == CW_OK);
	CHECK_STR(b.data, "hell");
	buf_cleanup(&b);
}

/* Byte-at-a-time growth through many doublings keeps every byte. */
static void
test_growth(void)
{
	enum { N = 100000 };
	struct buf b;
	size_t i, bad = 0;
	char c;

	buf_init(&b, N);
	for (i = 0; i < N; i++) {
		c = (char)('a' + i % 26);
		if (buf_append(&b, &c, 1) != CW_OK)
			bad++;
	}
	CHECK_INT(bad, 0);
	REQUIRE(b.data != NULL);
	CHECK_INT(b.len, N);
	CHECK(b.cap >= N + 1 && b.cap <= N + 1);
	for (i = 0; i < N; i++)
		if (b.data[i] != (char)('a' + i % 26))
			bad++;
	CHECK_INT(bad, 0);
	CHECK(b.data[N] == '\0');
	c = 'x';
	CHECK(buf_append(&b, &c, 1) == CW_ELIMIT);
	buf_cleanup(&b);
}

/* reset forgets the bytes but keeps the allocation. */
static void
test_reset(void)
{
	struct buf b;
	char *data;
	size_t cap;

	buf_init(&b, 1000);
	buf_reset(&b);
	CHECK(b.data == NULL);
	CHECK(buf_append_str(&b, "some bytes") == CW_OK);
	data = b.data;
	cap = b.cap;
	buf_reset(&b);
	CHECK_INT(b.len, 0);
	CHECK(b.data == data);
	CHECK_INT(b.cap, cap);
	CHECK_STR(b.data, "");
	CHECK(buf_append_str(&b, "new") == CW_OK);
	CHECK(b.data == data);
	CHECK_STR(b.data, "new");
	/* The cap counts from the reset, not from the old contents. */
	buf_reset(&b);
	CHECK(buf_append(&b, "", 0) == CW_OK);
	buf_cleanup(&b);
	buf_init(&b, 5);
	CHECK(buf_append_str(&b, "12345") == CW_OK);
	buf_reset(&b);
	CHECK(buf_append_str(&b, "abcde") == CW_OK);
	CHECK_STR(b.data, "abcde");
	buf_cleanup(&b);
}

/* take hands the bytes over and leaves an empty, reusable buffer. */
static void
test_take(void)
{
	struct buf b;
	size_t len = 99;
	char *p;

	buf_init(&b, 100);
	p = buf_take(&b, &len);
	CHECK(p == NULL);
	CHECK_INT(len, 0);

	CHECK(buf_append_str(&b, "owned") == CW_OK);
	p = buf_take(&b, &len);
	REQUIRE(p != NULL);
	CHECK_INT(len, 5);
	CHECK_STR(p, "owned");
	CHECK(b.data == NULL);
	CHECK_INT(b.len, 0);
	CHECK_INT(b.cap, 0);
	CHECK_INT(b.max, 100);
	/* The buffer works again, independent of the taken bytes. */
	CHECK(buf_append_str(&b, "again") == CW_OK);
	CHECK(b.data != p);
	CHECK_STR(b.data, "again");
	CHECK_STR(p, "owned");
	free(p);
	p = buf_take(&b, NULL);
	CHECK_STR(p, "again");
	free(p);
	buf_cleanup(&b);
}

/* A cap of 0 accepts only empty appends. */
static void
test_cap_zero(void)
{
	struct buf b;

	buf_init(&b, 0);
	CHECK(buf_append_str(&b, "x") == CW_ELIMIT);
	CHECK_INT(b.len, 0);
	CHECK(buf_append(&b, "", 0) == CW_OK);
	CHECK_INT(b.len, 0);
	/* When storage exists it is still NUL-terminated. */
	CHECK(b.data == NULL || b.data[0] == '\0');
	CHECK(buf_append(&b, "y", 1) == CW_ELIMIT);
	CHECK_INT(b.len, 0);
	buf_cleanup(&b);
}

/*
 * max == SIZE_MAX ("no cap"): the growth clamp must not wrap to 0
 * (a bug this test found: realloc got 0 bytes, the NUL went past it).
 */
static void
test_no_cap(void)
{
	struct buf b;

	buf_init(&b, SIZE_MAX);
	CHECK(buf_append_str(&b, "hello") == CW_OK);
	CHECK(b.cap >= 6);
	CHECK_STR(b.data, "hello");
	buf_cleanup(&b);
}

static const struct test tests[] = {
    TEST(no_cap),
    TEST(append),
    TEST(cap),
    TEST(growth),
    TEST(reset),
    TEST(take),
    TEST(cap_zero),
};

TEST_MAIN(tests)
