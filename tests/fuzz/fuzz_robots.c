/* SPDX-License-Identifier: MIT */
/*
 * fuzz_robots.c - libFuzzer target for the robots.txt parser and matcher.
 *
 * Input: the first line is the path to test (a '/' is put in front when
 * missing), the rest is the robots.txt body. The body is parsed for agent
 * "crawld", the path is matched and the crawl-delay read. Invariants
 * checked: parsing never fails except for memory, the delay stays within
 * its cap, and "/robots.txt" is always allowed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawld/web/robots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse, match and check the invariants for one input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body, *nl;
	struct robots *r;
	size_t plen, blen;
	char *path;

	nl = memchr(data, '\n', size);
	plen = nl != NULL ? (size_t)(nl - (const char *)data) : size;
	body = nl != NULL ? nl + 1 : (const char *)data + size;
	blen = size - (size_t)(body - (const char *)data);

	/* A C string: '/' in front when missing, cut at an embedded NUL. */
	if ((path = malloc(plen + 2)) == NULL)
		return 0;
	path[0] = '/';
	memcpy(path + 1, data, plen);
	path[plen + 1] = '\0';

	if (robots_parse(body, blen, "crawld", &r) != CW_OK)
		abort();
	(void)robots_allowed(r, plen > 0 && data[0] == '/' ? path + 1 : path);
	if (robots_crawl_delay_ms(r) > 60000)
		abort();
	if (!robots_allowed(r, "/robots.txt"))
		abort();
	robots_free(r);
	free(path);
	return 0;
}
