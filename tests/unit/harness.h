/* SPDX-License-Identifier: MIT */
/*
 * harness.h - a tiny table-driven test harness (libevent tinytest shape).
 *
 * A test file defines static void test_xxx(void) functions and a table:
 *
 *	static const struct test tests[] = { TEST(xxx), ... };
 *	TEST_MAIN(tests)
 *
 * CHECK(cond) records a failure and goes on; REQUIRE(cond) records it and
 * returns from the test. The program prints "N passed, N failed" and exits
 * non-zero when anything failed. `./test_x NAME` runs one test.
 */
#ifndef CRAWLD_TEST_HARNESS_H
#define CRAWLD_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test {
	const char *name;
	void (*fn)(void);
};

#define TEST(n)                                                                \
	{                                                                      \
#n, test_##n                                                   \
	}

static int harness_failures; /* failed checks in the current test */

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "  %s:%d: CHECK failed: %s\n",         \
			    __FILE__, __LINE__, #cond);                        \
			harness_failures++;                                    \
		}                                                              \
	} while (0)

#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "  %s:%d: REQUIRE failed: %s\n",       \
			    __FILE__, __LINE__, #cond);                        \
			harness_failures++;                                    \
			return;                                                \
		}                                                              \
	} while (0)

/* Compare two strings (either may be NULL); prints both on mismatch. */
#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *ha_ = (a), *hb_ = (b);                             \
		if ((ha_ == NULL) != (hb_ == NULL) ||                          \
		    (ha_ != NULL && strcmp(ha_, hb_) != 0)) {                  \
			fprintf(stderr,                                        \
			    "  %s:%d: CHECK_STR failed: %s\n"                  \
			    "    got:      %s\n    expected: %s\n",            \
			    __FILE__, __LINE__, #a, ha_ ? ha_ : "(null)",      \
			    hb_ ? hb_ : "(null)");                             \
			harness_failures++;                                    \
		}                                                              \
	} while (0)

#define CHECK_INT(a, b)                                                        \
	do {                                                                   \
		long long ha_ = (long long)(a), hb_ = (long long)(b);          \
		if (ha_ != hb_) {                                              \
			fprintf(stderr,                                        \
			    "  %s:%d: CHECK_INT failed: %s == %s (%lld != "    \
			    "%lld)\n",                                         \
			    __FILE__, __LINE__, #a, #b, ha_, hb_);             \
			harness_failures++;                                    \
		}                                                              \
	} while (0)

/* Run the table (or the one test named in argv[1]). */
static int
harness_run(const struct test *t, size_t n, int argc, char **argv)
{
	size_t i;
	int passed = 0, failed = 0;

	for (i = 0; i < n; i++) {
		if (argc > 1 && strcmp(argv[1], t[i].name) != 0)
			continue;
		harness_failures = 0;
		t[i].fn();
		if (harness_failures == 0) {
			passed++;
			printf("ok   %s\n", t[i].name);
		} else {
			failed++;
			printf("FAIL %s\n", t[i].name);
		}
		fflush(stdout);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 && passed > 0 ? 0 : 1;
}

#define TEST_MAIN(table)                                                       \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		return harness_run(                                            \
		    table, sizeof(table) / sizeof(table[0]), argc, argv);      \
	}

#endif /* CRAWLD_TEST_HARNESS_H */
