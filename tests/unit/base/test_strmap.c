/* SPDX-License-Identifier: MIT */
/*
 * test_strmap.c - the string -> int64 map behind the seen-set and the
 * frontier's host table: insert-once semantics, growth through many
 * resizes, keys longer than an arena chunk, and the memory figure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crawld/base/strmap.h"
#include "harness.h"

/* put then get, and a miss leaves *value alone. */
static void
test_put_get(void)
{
	static const struct {
		const char *key;
		int64_t value;
	} rows[] = {
	    {"http://example.org/", 1},
	    {"http://example.org/a", -1},
	    {"http://example.org/b", INT64_MAX},
	    {"http://example.org/c", INT64_MIN},
	    {"http://example.org/A", 0},
	    {"x", 7},
	    {"xx", 8},
	    {"caf\xc3\xa9", 9},
	};
	struct strmap *m = strmap_new();
	int64_t v;
	size_t i;

	REQUIRE(m != NULL);
	CHECK_INT(strmap_count(m), 0);
	for (i = 0; i < CW_NELEM(rows); i++) {
		CHECK(strmap_get(m, rows[i].key, &v) == 0);
		CHECK(strmap_put(m, rows[i].key, rows[i].value, NULL) == CW_OK);
		CHECK_INT(strmap_count(m), i + 1);
	}
	for (i = 0; i < CW_NELEM(rows); i++) {
		v = 12345;
		CHECK(strmap_get(m, rows[i].key, &v) == 1);
		CHECK(v == rows[i].value);
		CHECK(strmap_get(m, rows[i].key, NULL) == 1);
	}
	v = 777;
	CHECK(strmap_get(m, "http://example.org/d", &v) == 0);
	CHECK_INT(v, 777);
	CHECK(strmap_get(m, "http://example.org", &v) == 0);
	CHECK(strmap_get(m, "X", &v) == 0);
	strmap_free(m);
}

/* A second put of a key reports the first value and changes nothing. */
static void
test_duplicate(void)
{
	struct strmap *m = strmap_new();
	int64_t existing = 0, v = 0;

	REQUIRE(m != NULL);
	CHECK(strmap_put(m, "k", 10, &existing) == CW_OK);
	CHECK_INT(existing, 0);
	CHECK(strmap_put(m, "k", 20, &existing) == CW_EINVAL);
	CHECK_INT(existing, 10);
	CHECK(strmap_put(m, "k", 30, NULL) == CW_EINVAL);
	CHECK(strmap_get(m, "k", &v) == 1);
	CHECK_INT(v, 10);
	CHECK_INT(strmap_count(m), 1);
	strmap_free(m);
}

/* set replaces a present key's value and adds nothing. */
static void
test_set(void)
{
	struct strmap *m = strmap_new();
	int64_t v = 0;
	char key[32];
	int i;

	REQUIRE(m != NULL);
	CHECK(strmap_set(m, "absent", 5) == 0);
	CHECK_INT(strmap_count(m), 0);
	CHECK(strmap_get(m, "absent", &v) == 0);
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "host%d.test", i);
		REQUIRE(strmap_put(m, key, i, NULL) == CW_OK);
	}
	for (i = 0; i < 1000; i += 3) {
		snprintf(key, sizeof(key), "host%d.test", i);
		CHECK(strmap_set(m, key, -i) == 1);
	}
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "host%d.test", i);
		CHECK(strmap_get(m, key, &v) == 1);
		CHECK_INT(v, i % 3 == 0 ? -i : i);
	}
	CHECK_INT(strmap_count(m), 1000);
	strmap_free(m);
}

/* The empty string is a key like any other. */
static void
test_empty_key(void)
{
	struct strmap *m = strmap_new();
	int64_t v = 0;

	REQUIRE(m != NULL);
	CHECK(strmap_get(m, "", &v) == 0);
	CHECK(strmap_put(m, "", 5, NULL) == CW_OK);
	CHECK(strmap_get(m, "", &v) == 1);
	CHECK_INT(v, 5);
	CHECK(strmap_put(m, "", 6, &v) == CW_EINVAL);
	CHECK_INT(v, 5);
	CHECK(strmap_put(m, "a", 1, NULL) == CW_OK);
	CHECK_INT(strmap_count(m), 2);
	strmap_free(m);
}

/* 200,000 keys: many doublings, every key still there, memory grows. */
static void
test_growth(void)
{
	enum { N = 200000 };
	struct strmap *m = strmap_new();
	size_t mem0, mem_prev, i, bad = 0;
	char key[64];
	int64_t v, ex;

	REQUIRE(m != NULL);
	mem0 = mem_prev = strmap_memory(m);
	CHECK(mem0 > 0);
	for (i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "https://example.org/page/%zu", i);
		if (strmap_put(m, key, (int64_t)i * 3, NULL) != CW_OK)
			bad++;
		/* The figure never shrinks. */
		if (strmap_memory(m) < mem_prev)
			bad++;
		mem_prev = strmap_memory(m);
	}
	CHECK_INT(bad, 0);
	CHECK_INT(strmap_count(m), N);
	/* At least the slot table for N keys at load <= 3/4, plus keys. */
	CHECK(strmap_memory(m) > mem0);
	CHECK(strmap_memory(m) >= (size_t)N * 4 / 3 * 16 + (size_t)N * 26);
	for (i = 0; i < N; i++) {
		snprintf(key, sizeof(key), "https://example.org/page/%zu", i);
		v = -1;
		if (strmap_get(m, key, &v) != 1 || v != (int64_t)i * 3)
			bad++;
	}
	CHECK_INT(bad, 0);
	/* Misses and duplicates after all the resizes. */
	for (i = 0; i < 1000; i++) {
		snprintf(
		    key, sizeof(key), "https://example.org/page/%zu", N + i);
		if (strmap_get(m, key, &v) != 0)
			bad++;
		snprintf(
		    key, sizeof(key), "https://example.org/page/%zu", i * 199);
		ex = -1;
		if (strmap_put(m, key, 0, &ex) != CW_EINVAL ||
		    ex != (int64_t)i * 597)
			bad++;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(strmap_count(m), N);
	strmap_free(m);
}

/* Keys longer than an arena chunk (64 KiB) get a chunk of their own. */
static void
test_long_keys(void)
{
	static const size_t lens[] = {65535, 65536, 65537, 70000, 300000};
	struct strmap *m = strmap_new();
	char *k[CW_NELEM(lens)];
	size_t i, mem;
	int64_t v;

	REQUIRE(m != NULL);
	CHECK(strmap_put(m, "short-before", -5, NULL) == CW_OK);
	for (i = 0; i < CW_NELEM(lens); i++) {
		k[i] = malloc(lens[i] + 1);
		REQUIRE(k[i] != NULL);
		memset(k[i], 'a' + (int)i, lens[i]);
		k[i][lens[i]] = '\0';
		mem = strmap_memory(m);
		CHECK(strmap_put(m, k[i], (int64_t)i, NULL) == CW_OK);
		CHECK(strmap_memory(m) >= mem + lens[i]);
	}
	CHECK(strmap_put(m, "short-after", 99, NULL) == CW_OK);
	/* Same long prefix, differing only in the last byte. */
	k[0][lens[0] - 1] = 'z';
	CHECK(strmap_get(m, k[0], &v) == 0);
	CHECK(strmap_put(m, k[0], 100, NULL) == CW_OK);
	CHECK(strmap_get(m, k[0], &v) == 1);
	CHECK_INT(v, 100);
	k[0][lens[0] - 1] = 'a';
	for (i = 0; i < CW_NELEM(lens); i++) {
		v = -1;
		CHECK(strmap_get(m, k[i], &v) == 1);
		CHECK_INT(v, i);
		CHECK(strmap_put(m, k[i], 0, &v) == CW_EINVAL);
		free(k[i]);
	}
	CHECK(strmap_get(m, "short-before", &v) == 1);
	CHECK_INT(v, -5);
	CHECK(strmap_get(m, "short-after", &v) == 1);
	CHECK_INT(v, 99);
	CHECK_INT(strmap_count(m), CW_NELEM(lens) + 3);
	strmap_free(m);
}

/* Many small keys fill several 64 KiB chunks; the keys are copies. */
static void
test_keys_copied(void)
{
	struct strmap *m = strmap_new();
	char key[300];
	size_t i, bad = 0;
	int64_t v;

	REQUIRE(m != NULL);
	for (i = 0; i < 2000; i++) {
		memset(key, 'k', sizeof(key));
		snprintf(key + 200, sizeof(key) - 200, "%zu", i);
		if (strmap_put(m, key, (int64_t)i, NULL) != CW_OK)
			bad++;
		/* The caller's buffer is reused: the map must own a copy. */
		memset(key, 'Z', sizeof(key) - 1);
	}
	for (i = 0; i < 2000; i++) {
		memset(key, 'k', sizeof(key));
		snprintf(key + 200, sizeof(key) - 200, "%zu", i);
		if (strmap_get(m, key, &v) != 1 || v != (int64_t)i)
			bad++;
	}
	CHECK_INT(bad, 0);
	CHECK(strmap_memory(m) > 2000 * 200);
	strmap_free(m);
}

/* strmap_free(NULL) is a no-op: in a child process, so that a crash is
   this test's failure (with its name), not the end of the program. */
static void
test_free_null(void)
{
	pid_t pid;
	int status = -1;

	fflush(NULL);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		strmap_free(NULL);
		_exit(0);
	}
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (WIFSIGNALED(status))
		fprintf(stderr, "  strmap_free(NULL) died of signal %d\n",
		    WTERMSIG(status));
}

static const struct test tests[] = {
    TEST(put_get),
    TEST(duplicate),
    TEST(set),
    TEST(empty_key),
    TEST(growth),
    TEST(long_keys),
    TEST(keys_copied),
    TEST(free_null),
};

TEST_MAIN(tests)
