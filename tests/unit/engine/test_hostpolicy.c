/* SPDX-License-Identifier: MIT */
/*
 * test_hostpolicy.c - the engine's per-host arithmetic that needs no loop:
 * the retry backoff. Includes the engine's internal header (engine_int.h),
 * as curl's unit tests include lib/ headers, to test a function that is
 * not part of engine.h.
 */
#include <limits.h>
#include <stdio.h>

#include "engine_int.h"
#include "harness.h"

/*
 * Defect 5 of issue 10: with --retries up to 100 the shift overflowed:
 * attempts 62-64 waited 0 ms (a hot retry loop on the host) and 65 and
 * more were undefined behaviour (UBSan stops the test there). The backoff
 * doubles from 1 s, saturates at 60 s, and stays in the jittered upper
 * half of that for every attempt count.
 */
static void
test_backoff_saturates(void)
{
	unsigned rng = 1;
	uint64_t w, lo, hi;
	int a, bad = 0;

	for (a = 1; a <= 1000; a++) {
		hi = a <= 6 ? 1000ULL << (a - 1) : 60000;
		lo = hi / 2;
		w = crawl_backoff_ms_(a, &rng);
		if (w < lo || w > hi) {
			fprintf(stderr,
			    "  attempt %d: %llu ms, not in [%llu, "
			    "%llu]\n",
			    a, (unsigned long long)w, (unsigned long long)lo,
			    (unsigned long long)hi);
			bad++;
		}
	}
	CHECK_INT(bad, 0);
	w = crawl_backoff_ms_(INT_MAX, &rng);
	CHECK(w >= 30000 && w <= 60000);
	w = crawl_backoff_ms_(1, &rng);
	CHECK(w >= 500 && w <= 1000);
}

static const struct test tests[] = {
    TEST(backoff_saturates),
};

TEST_MAIN(tests)
