/* SPDX-License-Identifier: MIT */
/*
 * fuzz_linkdiff.c - libFuzzer target: the differential check of the two
 * HTML readers (tests/unit/web/linkdiff.h). Every input goes through
 * libxml2 (LINKS_PARSER_LIBXML2) and through the raw scanner
 * (LINKS_PARSER_RAW) in every mode; when the raw scanner reads it (does
 * not return CW_ENOTSUP), its links must be libxml2's up to the
 * differences linkdiff.h allows (a tag libxml2 discards; what follows
 * the point where libxml2 stops in its epilog), or the target aborts
 * with the first difference. Inputs it found are seeds in
 * tests/fuzz/corpus/linkdiff and documents of test_links_differential.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../unit/web/linkdiff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum links_mode modes[] = {
	    LINKS_MODE_DEFAULT, LINKS_MODE_ALL, LINKS_MODE_REQUISITES};
	struct ld_result r;
	size_t m;

	links_global_init();
	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		if (!ld_compare((const char *)data, size, modes[m], &r)) {
			fprintf(stderr, "fuzz_linkdiff: mode %d: %s\n",
			    (int)modes[m], r.why);
			abort();
		}
	}
	return 0;
}
