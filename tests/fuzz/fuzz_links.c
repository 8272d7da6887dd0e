/* SPDX-License-Identifier: MIT */
/*
 * fuzz_links.c - libFuzzer target for links.c.
 *
 * The input is an HTML document whose URL is a fixed base. Invariants
 * checked: extraction succeeds (only memory may fail), at most max_links
 * items come out, every URL is http:// or https:// without '#', lies in
 * the string arena and is NUL-terminated there, element and attribute
 * codes are valid, offsets never go backwards. A second extraction
 * appended to the same list must reproduce the first exactly
 * (determinism, and appending to a non-empty list). Any violation aborts,
 * so the fuzzer reports it as a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawld/web/links.h"

#define FUZZ_BASE "http://example.com/dir/page.html"
#define FUZZ_MAX_LINKS 1000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Check items[from..from+n) of l against the invariants. */
static void
fuzz_check(const struct link_list *l, size_t from, size_t n)
{
	const char *u;
	size_t i, off;

	for (i = from; i < from + n; i++) {
		off = l->items[i].url_off;
		if (off >= l->slen)
			abort();
		u = link_list_url(l, i);
		if (memchr(u, '\0', l->slen - off) == NULL)
			abort();
		if (strncmp(u, "http://", 7) != 0 &&
		    strncmp(u, "https://", 8) != 0)
			abort();
		if (strchr(u, '#') != NULL)
			abort();
		if (l->items[i].element > LINK_EL_FRAME ||
		    l->items[i].attribute > LINK_ATTR_SRC)
			abort();
		if (i > from &&
		    l->items[i].src_offset < l->items[i - 1].src_offset)
			abort();
	}
}

/* Extract twice into one list and check the invariants. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct link_list l;
	size_t n, i;
	enum cw_rc rc;

	links_global_init();
	link_list_init(&l);
	rc = links_extract(
	    (const char *)data, size, FUZZ_BASE, FUZZ_MAX_LINKS, &l);
	if (rc == CW_ENOMEM)
		goto out;
	if (rc != CW_OK || l.count > FUZZ_MAX_LINKS)
		abort();
	fuzz_check(&l, 0, l.count);

	n = l.count;
	rc = links_extract(
	    (const char *)data, size, FUZZ_BASE, FUZZ_MAX_LINKS, &l);
	if (rc == CW_ENOMEM)
		goto out;
	if (rc != CW_OK || l.count != 2 * n)
		abort();
	fuzz_check(&l, n, n);
	for (i = 0; i < n; i++)
		if (strcmp(link_list_url(&l, i), link_list_url(&l, n + i)) !=
			0 ||
		    l.items[i].src_offset != l.items[n + i].src_offset)
			abort();
out:
	link_list_cleanup(&l);
	return 0;
}
