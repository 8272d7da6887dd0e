/* SPDX-License-Identifier: MIT */
/*
 * test_idmap.c - the int64 -> int64 map with deletion behind the engine's
 * per-page waiting state: put/get/replace/del, a long random sequence
 * checked against a plain array (deletions inside and across wrapped
 * probe runs included), and a table that shrinks back when emptied.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawld/base/idmap.h"
#include "harness.h"

/* put, get, replace, del; key 0 is refused. */
static void
test_basic(void)
{
	struct idmap *m = idmap_new();
	int64_t v = 0;

	REQUIRE(m != NULL);
	CHECK(idmap_put(m, 0, 1) == CW_EINVAL);
	CHECK(idmap_get(m, 0, &v) == 0);
	CHECK(idmap_put(m, 5, 50) == CW_OK);
	CHECK(idmap_put(m, -7, INT64_MIN) == CW_OK);
	CHECK(idmap_put(m, INT64_MAX, 3) == CW_OK);
	CHECK_INT(idmap_count(m), 3);
	CHECK(idmap_get(m, 5, &v) == 1);
	CHECK_INT(v, 50);
	CHECK(idmap_get(m, -7, &v) == 1);
	CHECK(v == INT64_MIN);
	CHECK(idmap_put(m, 5, 51) == CW_OK); /* replaces */
	CHECK_INT(idmap_count(m), 3);
	CHECK(idmap_get(m, 5, &v) == 1);
	CHECK_INT(v, 51);
	v = 99;
	CHECK(idmap_get(m, 6, &v) == 0);
	CHECK_INT(v, 99);
	CHECK(idmap_del(m, 5) == 1);
	CHECK(idmap_del(m, 5) == 0);
	CHECK(idmap_get(m, 5, NULL) == 0);
	CHECK(idmap_get(m, INT64_MAX, &v) == 1);
	CHECK_INT(v, 3);
	CHECK_INT(idmap_count(m), 2);
	idmap_free(m);
	idmap_free(NULL);
}

/*
 * Random operations against a plain array: 64 rounds of 10,000 puts and
 * deletes over 512 keys, each round with its own key spelling (k times a
 * random odd number), so probe runs collide, wrap past the end of the
 * table and get holes punched in them in ever new places. Every key is
 * checked after each 500 operations.
 */
static void
test_random_against_model(void)
{
	enum { KEYS = 512, ROUNDS = 64, OPS = 10000 };
	int64_t model[KEYS + 1];
	struct idmap *m;
	unsigned seed = 12345;
	size_t n, i, k, op, round;
	uint64_t mul;
	int64_t v;
	int bad = 0;

	for (round = 0; round < ROUNDS && bad == 0; round++) {
		m = idmap_new();
		REQUIRE(m != NULL);
		memset(model, 0, sizeof(model));
		n = 0;
		mul = ((uint64_t)rand_r(&seed) << 33 ^
			  (uint64_t)rand_r(&seed) << 1) |
		    1;
		for (op = 0; op < OPS && bad == 0; op++) {
			k = 1 + (size_t)rand_r(&seed) % KEYS;
			if (rand_r(&seed) % 3 == 0) {
				bad |= idmap_del(m, (int64_t)(k * mul)) !=
				    (model[k] != 0);
				n -= model[k] != 0;
				model[k] = 0;
			} else {
				v = 1 + rand_r(&seed);
				bad |= idmap_put(m, (int64_t)(k * mul), v) !=
				    CW_OK;
				n += model[k] == 0;
				model[k] = v;
			}
			bad |= idmap_count(m) != n;
			for (i = 1; op % 500 == 0 && i <= KEYS; i++) {
				v = 0;
				if (idmap_get(m, (int64_t)(i * mul), &v) !=
					(model[i] != 0) ||
				    v != model[i])
					bad = 1;
			}
		}
		idmap_free(m);
	}
	CHECK_INT(bad, 0);
	CHECK_INT(round, ROUNDS);
}

/* Filled with 100,000 entries and emptied, the table is small again. */
static void
test_shrinks(void)
{
	struct idmap *m = idmap_new();
	size_t empty, full;
	int64_t k;

	REQUIRE(m != NULL);
	empty = idmap_memory(m);
	for (k = 1; k <= 100000; k++)
		REQUIRE(idmap_put(m, k * 7919, k) == CW_OK);
	full = idmap_memory(m);
	CHECK(full >= 100000 * 2 * sizeof(int64_t));
	for (k = 1; k <= 100000; k++)
		CHECK(idmap_del(m, k * 7919) == 1);
	CHECK_INT(idmap_count(m), 0);
	CHECK(idmap_memory(m) <= 4 * empty);
	/* Still usable. */
	CHECK(idmap_put(m, 42, 1) == CW_OK);
	CHECK(idmap_get(m, 42, NULL) == 1);
	idmap_free(m);
}

static const struct test tests[] = {
    TEST(basic),
    TEST(random_against_model),
    TEST(shrinks),
};

TEST_MAIN(tests)
