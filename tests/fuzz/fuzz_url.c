/* SPDX-License-Identifier: MIT */
/*
 * fuzz_url.c - libFuzzer target for url.c.
 *
 * The input is "base NUL-or-newline ref" (no separator: ref alone, no
 * base). A successful url_resolve() must give a URL that is a fixed point
 * of url_normalise(), is http(s), and holds no '#', space or non-ASCII
 * byte; the part getters must accept it. Any violation aborts, so the
 * fuzzer reports it as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawld/web/url.h"

/* Report a broken invariant with the strings involved, then crash. */
static void
fuzz_fail(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "fuzz_url: %s\n  out:   <%s>\n  other: <%s>\n", what,
	    a != NULL ? a : "(null)", b != NULL ? b : "(null)");
	abort();
}

/* Check the invariants of one normalised URL. */
static void
fuzz_check(const char *out)
{
	enum cw_rc rc;
	const unsigned char *p;
	char *again = NULL, *part = NULL;
	size_t sl;

	if (strncmp(out, "http://", 7) != 0 && strncmp(out, "https://", 8) != 0)
		fuzz_fail("not http(s)", out, NULL);
	if (strlen(out) > URL_MAX_LEN_DEFAULT)
		fuzz_fail("longer than the limit", out, NULL);
	for (p = (const unsigned char *)out; *p != '\0'; p++)
		if (*p == '#' || *p <= 0x20 || *p >= 0x7f)
			fuzz_fail(
			    "fragment, space, control or non-ASCII", out, NULL);
	rc = url_normalise(out, &again);
	if (rc != CW_OK)
		fuzz_fail("output does not normalise", out, cw_strerror(rc));
	if (strcmp(again, out) != 0)
		fuzz_fail("not idempotent", out, again);
	free(again);
	if (url_host(out, &part) != CW_OK || part == NULL || *part == '\0')
		fuzz_fail("url_host failed", out, part);
	free(part);
	part = NULL;
	/* scheme "://" host[:port]: as in the URL, minus any userinfo */
	sl = strchr(out, ':') - out + 3;
	if (url_origin(out, &part) != CW_OK || strncmp(out, part, sl) != 0 ||
	    strstr(out + sl, part + sl) == NULL)
		fuzz_fail("origin does not match", out, part);
	free(part);
	part = NULL;
	if (url_path_query(out, &part) != CW_OK || part[0] != '/' ||
	    strstr(out, part) == NULL)
		fuzz_fail("path_query not in the URL", out, part);
	free(part);
}

/* libFuzzer entry point. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *base = NULL, *ref, *out = NULL, *key = NULL, *host = NULL;
	char *slow = NULL;
	enum cw_rc rc;
	size_t i;

	if (size > 64 * 1024)
		return 0;
	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	ref = buf;
	for (i = 0; i < size; i++) {
		if (buf[i] == '\0' || buf[i] == '\n') {
			buf[i] = '\0';
			base = buf;
			ref = buf + i + 1;
			break;
		}
	}
	rc = url_resolve(base, ref, &out);
	/* The fast path must agree with the full one, code and URL. */
	if (url_resolve_slow(base, ref, &slow) != rc ||
	    (out != NULL) != (slow != NULL) ||
	    (out != NULL && strcmp(out, slow) != 0))
		fuzz_fail("fast and full paths differ", out != NULL ? out : "-",
		    slow != NULL ? slow : "-");
	free(slow);
	if (rc == CW_OK) {
		fuzz_check(out);
		if (url_host(out, &host) == CW_OK) {
			if (url_scope_key(URL_SCOPE_DOMAIN, host, &key) !=
			    CW_OK)
				fuzz_fail("scope key failed", out, host);
			free(key);
		}
		free(host);
	}
	free(out);
	free(buf);
	return 0;
}
