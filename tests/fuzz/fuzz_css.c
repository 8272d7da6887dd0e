/* SPDX-License-Identifier: MIT */
/*
 * fuzz_css.c - libFuzzer target for css.c.
 *
 * The input is a stylesheet. css_scan() (as a sheet and as a style
 * attribute) must report references in input order with spans inside the
 * input that never overlap, values without NUL and at most three bytes
 * per input byte (U+FFFD for a NUL is the most an input byte becomes),
 * and nothing more in attribute mode than in sheet mode; css_extract()
 * must give http(s) URLs without fragments, element css, and as many
 * items plus skipped plus truncated as there were references. Any
 * violation aborts, so the fuzzer reports it as a crash.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawld/web/css.h"

#define FUZZ_BASE "http://example.com/css/site.css"
#define FUZZ_MAX_LINKS 500

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the callback saw. */
struct fuzz_seen {
	const uint8_t *data; /* borrowed: the input */
	size_t size;
	size_t end; /* end of the last span */
	size_t n;
};

/* Report a broken invariant, then crash. */
static void
fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz_css: %s\n", what);
	abort();
}

/* CSS whitespace. */
static int
fuzz_ws(uint8_t c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f');
}

/* css_ref_cb: check one reference. */
static enum cw_rc
fuzz_ref(void *arg, const struct css_ref *r)
{
	struct fuzz_seen *s = arg;

	if (r->off > s->size || r->len > s->size - r->off)
		fuzz_fail("span outside the input");
	if (r->off < s->end)
		fuzz_fail("spans overlap or go back");
	if (memchr(r->value, '\0', r->value_len) != NULL)
		fuzz_fail("NUL in a value");
	if (r->value_len > 3 * r->len)
		fuzz_fail("value longer than its span can give");
	if (r->kind != CSS_REF_URL && r->kind != CSS_REF_IMPORT)
		fuzz_fail("bad kind");
	if (r->quote != LINK_Q_NONE && r->quote != LINK_Q_DOUBLE &&
	    r->quote != LINK_Q_SINGLE)
		fuzz_fail("bad quote");
	if (r->quote != LINK_Q_NONE &&
	    (r->off == 0 ||
		s->data[r->off - 1] !=
		    (r->quote == LINK_Q_DOUBLE ? '"' : '\'')))
		fuzz_fail("a quoted span does not follow its quote");
	/*
	 * A trailing blank may end an escape: a hex one's ("\\62 ") or an
	 * escaped blank ("\\ "), which are the value's own.
	 */
	if (r->quote == LINK_Q_NONE && r->len > 0 &&
	    (fuzz_ws(s->data[r->off]) ||
		(fuzz_ws(s->data[r->off + r->len - 1]) &&
		    (r->len < 2 ||
			(!isxdigit(s->data[r->off + r->len - 2]) &&
			    s->data[r->off + r->len - 2] != '\\')))))
		fuzz_fail("an unquoted url's span has its blanks");
	if (r->quote == LINK_Q_NONE && r->off + r->len < s->size &&
	    s->data[r->off + r->len] != ')' &&
	    !fuzz_ws(s->data[r->off + r->len]))
		fuzz_fail("an unquoted url's span stops short");
	s->end = r->off + r->len;
	s->n++;
	return (CW_OK);
}

/* Scan both ways, then extract. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_seen sheet, decls;
	struct links_opts o;
	struct link_list l;
	const char *u;
	size_t i;
	enum cw_rc rc;

	memset(&sheet, 0, sizeof(sheet));
	memset(&decls, 0, sizeof(decls));
	sheet.size = decls.size = size;
	sheet.data = decls.data = data;
	rc = css_scan((const char *)data, size, 0, fuzz_ref, &sheet);
	if (rc == CW_ENOMEM)
		return 0;
	if (rc != CW_OK)
		fuzz_fail("scan failed");
	rc = css_scan(
	    (const char *)data, size, CSS_SCAN_DECLS, fuzz_ref, &decls);
	if (rc == CW_ENOMEM)
		return 0;
	if (rc != CW_OK || decls.n > sheet.n)
		fuzz_fail("attribute mode found more");

	memset(&o, 0, sizeof(o));
	o.flags = LINKS_OPT_OFFSETS | LINKS_OPT_RAW;
	o.max_links = FUZZ_MAX_LINKS;
	link_list_init(&l);
	rc = css_extract((const char *)data, size, FUZZ_BASE, &o, &l);
	if (rc == CW_ENOMEM)
		goto out;
	if (rc != CW_OK || l.count > FUZZ_MAX_LINKS ||
	    l.count + l.skipped + l.truncated != sheet.n)
		fuzz_fail("extract lost or made up references");
	for (i = 0; i < l.count; i++) {
		u = link_list_url(&l, i);
		if ((strncmp(u, "http://", 7) != 0 &&
			strncmp(u, "https://", 8) != 0) ||
		    strchr(u, '#') != NULL)
			fuzz_fail("bad URL");
		if (l.items[i].element != LINK_EL_CSS ||
		    (l.items[i].flags & LINK_F_OFFSET_UNKNOWN) != 0 ||
		    (size_t)l.items[i].off + l.items[i].len > size ||
		    link_list_raw(&l, i) == NULL)
			fuzz_fail("bad item");
	}
out:
	link_list_cleanup(&l);
	return 0;
}
