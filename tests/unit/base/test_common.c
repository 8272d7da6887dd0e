/* SPDX-License-Identifier: MIT */
/*
 * test_common.c - the shared helpers of common.c that have logic of their
 * own: the UTF-8 check every option value passes (RFC 3629's table).
 */
#include <stdio.h>

#include "crawld/base/common.h"
#include "harness.h"

/* Well-formed and ill-formed UTF-8, at the edges of each row of the table. */
static void
test_utf8_valid(void)
{
	static const char *const good[] = {
	    "", "crawld/0.1", "caf\xc3\xa9", /* U+00E9 */
	    "\xc2\x80",			     /* U+0080, smallest 2-byte */
	    "\xdf\xbf",			     /* U+07FF */
	    "\xe0\xa0\x80",		     /* U+0800, smallest 3-byte */
	    "\xed\x9f\xbf",		     /* U+D7FF, just below surrogates */
	    "\xee\x80\x80",		     /* U+E000 */
	    "\xef\xbf\xbd",		     /* U+FFFD */
	    "\xf0\x90\x80\x80",		     /* U+10000 */
	    "\xf4\x8f\xbf\xbf",		     /* U+10FFFF, the last */
	    "a\xe2\x82\xac"
	    "b\xf0\x9f\x98\x80"
	    "c", /* mixed */
	};
	static const char *const bad[] = {
	    "caf\xe9",		/* Latin-1 */
	    "\x80",		/* lone continuation */
	    "\xbf", "\xc0\x80", /* overlong NUL */
	    "\xc1\xbf",		/* overlong */
	    "\xc3",		/* truncated at the end */
	    "\xc3(",		/* bad continuation */
	    "\xe0\x9f\xbf",	/* overlong 3-byte */
	    "\xed\xa0\x80",	/* U+D800, a surrogate */
	    "\xed\xbf\xbf",	/* U+DFFF */
	    "\xe2\x82",		/* truncated */
	    "\xf0\x8f\xbf\xbf", /* overlong 4-byte */
	    "\xf4\x90\x80\x80", /* U+110000 */
	    "\xf5\x80\x80\x80", "\xff", "\xfe\xff",
	    "ok\xf0\x9f\x98", /* truncated 4-byte */
	};
	size_t i;

	for (i = 0; i < CW_NELEM(good); i++)
		if (!cw_utf8_valid(good[i])) {
			fprintf(stderr, "  good[%zu] refused\n", i);
			harness_failures++;
		}
	for (i = 0; i < CW_NELEM(bad); i++)
		if (cw_utf8_valid(bad[i])) {
			fprintf(stderr, "  bad[%zu] accepted\n", i);
			harness_failures++;
		}
}

static const struct test tests[] = {
    TEST(utf8_valid),
};

TEST_MAIN(tests)
