/* SPDX-License-Identifier: MIT */
/*
 * fuzz_links.c - libFuzzer target for links.c (and the scanner,
 * htmlscan.c, and the CSS reader, css.c, underneath it).
 *
 * The input is an HTML document whose URL is a fixed base. Invariants
 * checked, in every mode: extraction succeeds (only memory may fail), at
 * most max_links items come out, every URL is http:// or https:// without
 * '#', lies in the string arena and is NUL-terminated there, element,
 * attribute, flag and quote codes are valid, src_offset never goes
 * backwards. A second extraction appended to the same list must
 * reproduce the first exactly (determinism, and appending to a non-empty
 * list). With spans asked for: every known span lies inside the input,
 * spans of different links never overlap, and (for a UTF-8 document
 * that names no other charset, read as it is) an attribute span decodes
 * to the raw reference. LINKS_MODE_DEFAULT must be exactly LINKS_MODE_ALL's
 * links of the elements it takes, and LINKS_MODE_REQUISITES must give
 * requisites only. Any violation aborts, so the fuzzer reports it as a
 * crash.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crawld/web/htmlscan.h"
#include "crawld/web/links.h"

#define FUZZ_BASE "http://example.com/dir/page.html"
#define FUZZ_MAX_LINKS 1000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Report a broken invariant, then crash. */
static void
fuzz_fail(const char *what, size_t i)
{
	fprintf(stderr, "fuzz_links: %s (item %zu)\n", what, i);
	abort();
}

/* Check items[from..from+n) of l against the invariants. */
static void
fuzz_check(const struct link_list *l, size_t from, size_t n)
{
	const struct link *k;
	const char *u;
	size_t i, off;

	for (i = from; i < from + n; i++) {
		k = &l->items[i];
		off = k->url_off;
		if (off >= l->slen)
			fuzz_fail("url outside the arena", i);
		u = link_list_url(l, i);
		if (memchr(u, '\0', l->slen - off) == NULL)
			fuzz_fail("url not terminated", i);
		if (strncmp(u, "http://", 7) != 0 &&
		    strncmp(u, "https://", 8) != 0)
			fuzz_fail("not http(s)", i);
		if (strchr(u, '#') != NULL)
			fuzz_fail("fragment kept", i);
		if (k->element >= LINK_EL_COUNT ||
		    k->element == LINK_EL_REDIRECT ||
		    k->element == LINK_EL_CSS ||
		    k->attribute >= LINK_ATTR_COUNT ||
		    k->attribute == LINK_ATTR_LOCATION ||
		    k->quote > LINK_Q_ABSENT || (k->flags & 0x80) != 0)
			fuzz_fail("bad codes", i);
		if (i > from && k->src_offset < l->items[i - 1].src_offset)
			fuzz_fail("src_offset went back", i);
		if ((k->flags & LINK_F_REQUISITE) == 0 &&
		    k->element != LINK_EL_A && k->element != LINK_EL_AREA &&
		    k->element != LINK_EL_LINK)
			fuzz_fail("a requisite element not marked", i);
	}
}

/* Whether s[0..n) is well-formed UTF-8, no overlong forms. */
static bool
fuzz_utf8(const uint8_t *s, size_t n)
{
	size_t i = 0, k, need;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			need = 1;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			need = 2;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			need = 3;
		else
			return (false);
		if (n - i <= need)
			return (false);
		for (k = 1; k <= need; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return (false);
		if ((s[i] == 0xe0 && s[i + 1] < 0xa0) ||
		    (s[i] == 0xf0 && s[i + 1] < 0x90) ||
		    (s[i] == 0xf4 && s[i + 1] > 0x8f))
			return (false);
		i += need + 1;
	}
	return (true);
}

/*
 * Whether libxml2 reads the input as it is (so spans decode to exactly
 * its values): UTF-8, and every "charset" it mentions names UTF-8.
 */
static bool
fuzz_plain(const uint8_t *data, size_t size)
{
	size_t i, p;

	if (!fuzz_utf8(data, size))
		return (false);
	for (i = 0; i + 7 <= size; i++) {
		if (strncasecmp((const char *)data + i, "charset", 7) != 0)
			continue;
		p = i + 7;
		while (p < size &&
		    (data[p] == ' ' || data[p] == '=' || data[p] == '"' ||
			data[p] == '\''))
			p++;
		if (size - p < 5 ||
		    strncasecmp((const char *)data + p, "utf-8", 5) != 0)
			return (false);
	}
	return (true);
}

/* qsort comparator: links by span start, then length. */
static int
fuzz_by_off(const void *a, const void *b)
{
	const struct link *x = a, *y = b;

	if (x->off != y->off)
		return (x->off < y->off ? -1 : 1);
	return (x->len < y->len ? -1 : x->len > y->len);
}

/*
 * The span invariants of l's items over data: inside the input, never
 * overlapping another item's (checked sorted, so linear after the sort),
 * and for a plain document an attribute (not CSS) span decodes to the
 * raw reference.
 */
static void
fuzz_spans(
    const struct link_list *l, const uint8_t *data, size_t size, bool plain)
{
	const struct link *k;
	struct link *sorted;
	struct buf dec;
	size_t i, n = 0;
	bool trunc;

	sorted = malloc((l->count + 1) * sizeof(*sorted));
	if (sorted == NULL)
		return;
	buf_init(&dec, SIZE_MAX);
	for (i = 0; i < l->count; i++) {
		k = &l->items[i];
		if ((k->flags & LINK_F_HAS_RAW) == 0)
			fuzz_fail("raw reference not kept", i);
		if (k->flags & LINK_F_OFFSET_UNKNOWN)
			continue;
		if ((size_t)k->off + k->len > size)
			fuzz_fail("span outside the input", i);
		if (k->len > 0)
			sorted[n++] = *k;
		if (!plain || (k->flags & LINK_F_CSS) != 0 ||
		    (k->flags & LINK_F_ATTR) == 0)
			continue;
		buf_reset(&dec);
		if (hs_decode((const char *)data + k->off, k->len, &dec, NULL,
			&trunc) != CW_OK)
			continue;
		if (strcmp(dec.data, link_list_raw(l, i)) != 0)
			fuzz_fail("span does not decode to the reference", i);
	}
	qsort(sorted, n, sizeof(*sorted), fuzz_by_off);
	for (i = 1; i < n; i++)
		if (sorted[i].off < sorted[i - 1].off + sorted[i - 1].len)
			fuzz_fail("spans overlap", i);
	buf_cleanup(&dec);
	free(sorted);
}

/* Whether element e is one LINKS_MODE_DEFAULT takes. */
static bool
fuzz_default_element(uint8_t e)
{
	return (e == LINK_EL_A || e == LINK_EL_AREA || e == LINK_EL_LINK ||
	    e == LINK_EL_IFRAME || e == LINK_EL_FRAME);
}

/* LINKS_MODE_DEFAULT's items are LINKS_MODE_ALL's of its elements. */
static void
fuzz_default_vs_all(const struct link_list *d, const struct link_list *a)
{
	size_t i, k = 0;

	for (i = 0; i < a->count; i++) {
		if (!fuzz_default_element(a->items[i].element))
			continue;
		if (k >= d->count ||
		    strcmp(link_list_url(d, k), link_list_url(a, i)) != 0 ||
		    d->items[k].element != a->items[i].element ||
		    d->items[k].off != a->items[i].off ||
		    d->items[k].len != a->items[i].len)
			fuzz_fail("default mode differs from all", k);
		k++;
	}
	if (k != d->count)
		fuzz_fail("default mode has more", k);
}

/* Extract in one mode with spans and raw references. */
static enum cw_rc
fuzz_extract(
    const uint8_t *data, size_t size, enum links_mode mode, struct link_list *l)
{
	struct links_opts o;

	memset(&o, 0, sizeof(o));
	o.mode = mode;
	o.flags = LINKS_OPT_OFFSETS | LINKS_OPT_RAW;
	link_list_reset(l);
	return (links_extract_opts((const char *)data, size, FUZZ_BASE, &o, l));
}

/* The modes with spans: their invariants and how they relate. */
static void
fuzz_modes(const uint8_t *data, size_t size)
{
	struct link_list d, a, r;
	bool plain = fuzz_plain(data, size);
	size_t i;

	link_list_init(&d);
	link_list_init(&a);
	link_list_init(&r);
	if (fuzz_extract(data, size, LINKS_MODE_DEFAULT, &d) != CW_OK ||
	    fuzz_extract(data, size, LINKS_MODE_ALL, &a) != CW_OK ||
	    fuzz_extract(data, size, LINKS_MODE_REQUISITES, &r) != CW_OK)
		goto out; /* only CW_ENOMEM is possible */
	fuzz_check(&d, 0, d.count);
	fuzz_check(&a, 0, a.count);
	fuzz_check(&r, 0, r.count);
	fuzz_spans(&d, data, size, plain);
	fuzz_spans(&a, data, size, plain);
	fuzz_spans(&r, data, size, plain);
	fuzz_default_vs_all(&d, &a);
	for (i = 0; i < r.count; i++)
		if ((r.items[i].flags & LINK_F_REQUISITE) == 0)
			fuzz_fail("not a requisite in requisites mode", i);
	if (a.base_found && (a.base_flags & LINK_F_OFFSET_UNKNOWN) == 0 &&
	    (size_t)a.base_off + a.base_len > size)
		fuzz_fail("base span outside the input", 0);
out:
	link_list_cleanup(&d);
	link_list_cleanup(&a);
	link_list_cleanup(&r);
}

/* Extract twice into one list and check the invariants; then the modes. */
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
	fuzz_modes(data, size);
out:
	link_list_cleanup(&l);
	return 0;
}
