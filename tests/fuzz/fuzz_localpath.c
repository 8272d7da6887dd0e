/* SPDX-License-Identifier: MIT */
/*
 * fuzz_localpath.c - libFuzzer target for localpath.c: any bytes as a URL
 * (the first byte picks the type flags). Checks the invariants of
 * localpath.h on every path made: relative, no empty, "." or ".."
 * component, no control byte, no name over 255 bytes, bounded, the same
 * twice; the variant for a taken path keeps them and differs; a relative
 * reference between two paths has no control byte, blank, '?' or '#'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawld/mirror/localpath.h"

static void
check_path(const char *p)
{
	const char *c = p;

	if (*p == '/' || strlen(p) > LOCALPATH_MAX + 64)
		abort();
	while (*c != '\0') {
		size_t n = strcspn(c, "/");

		if (n == 0 || n > 255 || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			abort();
		c += n + (c[n] == '/');
		if (c[-1] == '/' && *c == '\0')
			abort(); /* a trailing '/' */
	}
	for (c = p; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '\\')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url, *a = NULL, *b = NULL, *d = NULL, *r = NULL;
	unsigned flags;
	const char *c;

	if (size < 1 || size > 20000)
		return 0;
	flags = data[0] & 3;
	url = malloc(size);
	if (url == NULL)
		return 0;
	memcpy(url, data + 1, size - 1);
	url[size - 1] = '\0';
	if (localpath_from_url(url, flags, &a) == CW_OK) {
		check_path(a);
		if (strlen(a) > LOCALPATH_MAX)
			abort();
		if (localpath_from_url(url, flags, &b) != CW_OK ||
		    strcmp(a, b) != 0)
			abort();
		if (localpath_disambiguate(a, "http://x/other", &d) != CW_OK)
			abort();
		check_path(d);
		if (strcmp(a, d) == 0)
			abort();
		if (localpath_relative(a, d, &r) != CW_OK)
			abort();
		for (c = r; *c != '\0'; c++)
			if ((unsigned char)*c <= 0x20 || *c == 0x7f ||
			    *c == '?' || *c == '#' || *c == '\\')
				abort();
	}
	free(a);
	free(b);
	free(d);
	free(r);
	free(url);
	return 0;
}
