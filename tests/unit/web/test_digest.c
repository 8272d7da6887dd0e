/* SPDX-License-Identifier: MIT */
/*
 * test_digest.c - the body digests: SHA-256 and SHA-1 against the FIPS
 * 180-2 examples, the same value whether the message comes whole or in
 * pieces, and a digest reused after digest_reset() (a fetch slot's digest
 * serves one page after another).
 */
#include <string.h>

#include "crawld/web/digest.h"
#include "harness.h"

#define ABC_SHA256                                                             \
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define EMPTY_SHA256                                                           \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define TWO_BLOCK "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define TWO_BLOCK_SHA256                                                       \
	"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define MILLION_A_SHA256                                                       \
	"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
#define ABC_SHA1 "a9993e364706816aba3e25717850c26c9cd0d89d"

/* The one-shot form on the standard examples. */
static void
test_sha256_known(void)
{
	char hex[DIGEST_SHA256_HEX];

	CHECK(digest_sha256_hex("abc", 3, hex) == CW_OK);
	CHECK_STR(hex, ABC_SHA256);
	CHECK(digest_sha256_hex(NULL, 0, hex) == CW_OK);
	CHECK_STR(hex, EMPTY_SHA256);
	CHECK(digest_sha256_hex(TWO_BLOCK, strlen(TWO_BLOCK), hex) == CW_OK);
	CHECK_STR(hex, TWO_BLOCK_SHA256);
	CHECK(strlen(hex) == DIGEST_SHA256_HEX - 1);
}

/* A million 'a' fed in uneven pieces (as a body arrives), then the same
   digest reset and used for "abc": no state carries over. */
static void
test_sha256_streamed_and_reused(void)
{
	static char chunk[9973]; /* a prime: pieces never align to blocks */
	struct digest *d = digest_new(DIGEST_SHA256);
	char hex[DIGEST_HEX_MAX];
	size_t left = 1000000, n;

	REQUIRE(d != NULL);
	memset(chunk, 'a', sizeof(chunk));
	while (left > 0) {
		n = left < sizeof(chunk) ? left : sizeof(chunk);
		CHECK(digest_update(d, chunk, n) == CW_OK);
		left -= n;
	}
	CHECK(digest_update(d, NULL, 0) == CW_OK);
	CHECK(digest_final_hex(d, hex) == CW_OK);
	CHECK_STR(hex, MILLION_A_SHA256);
	/* Half a message, then a reset: the half must not count. */
	CHECK(digest_update(d, "xyz", 3) == CW_OK);
	CHECK(digest_reset(d) == CW_OK);
	CHECK(digest_update(d, "a", 1) == CW_OK);
	CHECK(digest_update(d, "bc", 2) == CW_OK);
	CHECK(digest_final_hex(d, hex) == CW_OK);
	CHECK_STR(hex, ABC_SHA256);
	/* Reset straight after a final: the empty message. */
	CHECK(digest_reset(d) == CW_OK);
	CHECK(digest_final_hex(d, hex) == CW_OK);
	CHECK_STR(hex, EMPTY_SHA256);
	digest_free(d);
}

/* SHA-1 (what WARC records name) and the sizes. */
static void
test_sha1_known(void)
{
	struct digest *d = digest_new(DIGEST_SHA1);
	char hex[DIGEST_HEX_MAX];

	REQUIRE(d != NULL);
	CHECK(digest_update(d, "abc", 3) == CW_OK);
	CHECK(digest_final_hex(d, hex) == CW_OK);
	CHECK_STR(hex, ABC_SHA1);
	CHECK(digest_size(DIGEST_SHA1) == 20);
	CHECK(digest_size(DIGEST_SHA256) == 32);
	digest_free(d);
	digest_free(NULL);
}

/* Two different bodies never share a hash here (one bit apart). */
static void
test_one_bit_apart(void)
{
	char a[DIGEST_SHA256_HEX], b[DIGEST_SHA256_HEX];

	CHECK(digest_sha256_hex("page v1", 7, a) == CW_OK);
	CHECK(digest_sha256_hex("page v3", 7, b) == CW_OK);
	CHECK(strcmp(a, b) != 0);
}

static const struct test tests[] = {
    TEST(sha256_known),
    TEST(sha256_streamed_and_reused),
    TEST(sha1_known),
    TEST(one_bit_apart),
};

TEST_MAIN(tests)
