/* SPDX-License-Identifier: MIT */
/*
 * linkdiff.h - the differential check of the two HTML readers of
 * links_extract_opts(): libxml2 (LINKS_PARSER_LIBXML2) against the raw
 * scanner (LINKS_PARSER_RAW), for the unit test
 * (tests/unit/web/test_links_differential.c) and the fuzzer
 * (tests/fuzz/fuzz_linkdiff.c). Header-only, test code.
 *
 * When the raw scanner reads a document (it returns CW_ENOTSUP for the
 * ones it cannot read exactly, and then libxml2 reads them in production)
 * its links must be libxml2's: the same URLs and raw references, in the
 * same order, with the same element, attribute, flags, quote and
 * src_offset, the same spans where both know them (libxml2's path may
 * not find a span the raw one knows: LINK_F_OFFSET_UNKNOWN alone may
 * differ), the same <base> and the same skipped count. The only
 * differences allowed are where libxml2 2.9 drops markup that the
 * scanner reads, as browsers do, each checked to be exactly that:
 *
 *   LD_DROPPED_TAG: a start tag libxml2 discards (htmlParseStartTag's
 *     "misplaced <html>", a <head> not directly in the root, a <body>
 *     while one is open), so no startElement: the raw links of a tag
 *     named html, head or body at which libxml2 reported no element.
 *   LD_AFTER_ROOT: what follows the point where libxml2 stops: after
 *     the root element's end tag (or an end tag met with no element
 *     open) it is in its epilog, which reads comments and PIs, stops at
 *     any other markup ("Extra content at the end of the document",
 *     XML_ERR_DOCUMENT_END) and, after a blank, reads the text up to the
 *     next '<' and stops there; the raw links of a tag that starts at or
 *     after that point (libxml2's cursor at the end, short of the end of
 *     the input, once its stack emptied or with that error). A <base href>
 * there, which the scanner takes and libxml2 never sees, changes what every URL
 *     resolves against; the raw references are then compared instead of
 *     the URLs. With markup dropped either way, the skipped count (bad or
 *     non-http references) may be larger on the raw side, never smaller;
 *     without, it is the same.
 *   LD_SWITCHED_OFFSET: when a <meta> switches libxml2 to another
 *     encoding (which the scanner reads only in an ASCII document, the
 *     same characters either way), libxml2 counts its offsets anew from
 *     the switch, so linksax.c's src_offset after it is a lower bound
 *     (links_offset); the scanner's is exact. The src_offset of such a
 *     link may be larger on the raw side, nothing else of it may differ.
 *
 * Where libxml2 was, and what it reported, comes from a second libxml2
 * parse here with the same settings as linksax.c's (a UTF-8 document, the
 * BOM skipped and locked), recording the input offset at every
 * startElement, where its stack first emptied and where its cursor
 * stopped. A link allowed must come from a raw tag at which libxml2
 * reported no element.
 */
#ifndef CRAWLD_TEST_LINKDIFF_H
#define CRAWLD_TEST_LINKDIFF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include "crawld/web/htmlscan.h"
#include "crawld/web/links.h"

#define LD_BASE_URL "http://example.com/dir/page.html"

enum ld_allow {
	LD_DROPPED_TAG = 0,
	LD_AFTER_ROOT,
	LD_SWITCHED_OFFSET,
	LD_ALLOW_COUNT,
};

/* What a document's comparison found. */
struct ld_result {
	bool raw_read;			/* the raw scanner read it */
	size_t links;			/* libxml2's links, all matched */
	size_t allowed[LD_ALLOW_COUNT]; /* raw-only links, by reason */
	bool base_allowed;		/* an after-root <base> was allowed */
	char why[512];			/* the first difference, or "" */
};

/* What libxml2 did: where it reported elements, where its root ended. */
struct ld_l2 {
	xmlParserCtxtPtr ctxt;
	size_t skip;
	size_t *pos; /* offset at each startElement, in order */
	size_t n, cap;
	int depth;
	size_t root_end; /* where libxml2 stopped in its epilog, or SIZE_MAX */
	size_t closed;	 /* where its element stack first emptied */
	bool epilog;	 /* a callback came in its epilog state */
	bool exact;	 /* never transcoded: offsets are byte offsets */
	bool switched;	 /* a <meta> switched encoding (parsed again) */
	bool nomem;
};

/* libxml2's offset in the document (valid while not transcoded). */
static inline size_t
ld_l2_offset(struct ld_l2 *s)
{
	xmlParserInputPtr in = s->ctxt != NULL ? s->ctxt->input : NULL;

	if (in == NULL || in->cur == NULL || in->base == NULL ||
	    (in->buf != NULL && in->buf->encoder != NULL)) {
		s->exact = false;
		return (0);
	}
	return (s->skip + in->consumed + (size_t)(in->cur - in->base));
}

static inline void
ld_l2_start(void *ud, const xmlChar *name, const xmlChar **atts)
{
	struct ld_l2 *s = ud;
	size_t *np;

	(void)name;
	(void)atts;
	s->epilog |= s->ctxt->instate == XML_PARSER_EPILOG;
	s->depth++;
	if (s->n == s->cap) {
		s->cap = s->cap == 0 ? 64 : s->cap * 2;
		np = realloc(s->pos, s->cap * sizeof(*np));
		if (np == NULL) {
			s->nomem = true;
			xmlStopParser(s->ctxt);
			return;
		}
		s->pos = np;
	}
	s->pos[s->n++] = ld_l2_offset(s);
}

static inline void
ld_l2_end(void *ud, const xmlChar *name)
{
	struct ld_l2 *s = ud;

	(void)name;
	if (--s->depth == 0 && s->closed == SIZE_MAX)
		s->closed = ld_l2_offset(s);
}

/* Text, comments and PIs: only whether libxml2 is in its epilog. */
static inline void
ld_l2_text(void *ud, const xmlChar *ch, int len)
{
	struct ld_l2 *s = ud;

	(void)ch;
	(void)len;
	s->epilog |= s->ctxt->instate == XML_PARSER_EPILOG;
}

static inline void
ld_l2_comment(void *ud, const xmlChar *value)
{
	ld_l2_text(ud, value, 0);
}

static inline void
ld_l2_pi(void *ud, const xmlChar *target, const xmlChar *data)
{
	(void)data;
	ld_l2_text(ud, target, 0);
}

static inline void
ld_l2_silent(void *ud, xmlErrorPtr err)
{
	(void)ud;
	(void)err;
}

/*
 * Parse doc as linksax.c does for a document the raw scanner read; with
 * lock, as UTF-8 whatever a <meta> says.
 */
static inline bool
ld_l2_parse(struct ld_l2 *s, const char *doc, size_t len, bool lock)
{
	const unsigned char *u = (const unsigned char *)doc;
	htmlSAXHandler sax;
	htmlParserCtxtPtr ctxt;
	size_t left, stop;
	const char *p;
	int n;

	memset(s, 0, sizeof(*s));
	s->root_end = SIZE_MAX;
	s->closed = SIZE_MAX;
	s->exact = true;
	if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
		s->skip = 3;
	memset(&sax, 0, sizeof(sax));
	sax.startElement = ld_l2_start;
	sax.endElement = ld_l2_end;
	/* Callbacks change nothing in how libxml2 parses: these only look. */
	sax.characters = ld_l2_text;
	sax.ignorableWhitespace = ld_l2_text;
	sax.comment = ld_l2_comment;
	sax.processingInstruction = ld_l2_pi;
	sax.serror = ld_l2_silent;
	sax.initialized = XML_SAX2_MAGIC;
	ctxt = htmlCreatePushParserCtxt(
	    &sax, s, NULL, 0, NULL, XML_CHAR_ENCODING_UTF8);
	if (ctxt == NULL)
		return (false);
	s->ctxt = ctxt;
	(void)htmlCtxtUseOptions(ctxt,
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
		HTML_PARSE_RECOVER);
	if ((lock || s->skip > 0) && ctxt->input != NULL &&
	    ctxt->input->encoding == NULL)
		ctxt->input->encoding = xmlCharStrdup("UTF-8");
	for (p = doc + s->skip, left = len - s->skip; left > 0;) {
		n = left > INT32_MAX ? INT32_MAX : (int)left;
		(void)htmlParseChunk(ctxt, p, n, 0);
		p += n;
		left -= (size_t)n;
	}
	(void)htmlParseChunk(ctxt, NULL, 0, 1);
	/*
	 * libxml2 stops in its epilog (after the root's end tag, or an end
	 * tag met with no element open) at markup other than a comment or a
	 * PI (XML_ERR_DOCUMENT_END), or after the text that follows a blank
	 * there (htmlParseCharData, then it is done): its cursor stays where
	 * it stopped. Either way the stop comes after the stack emptied, with
	 * that error, or after a callback in the epilog state; anything else
	 * that stops it early is no allowance.
	 */
	stop = ld_l2_offset(s);
	if (s->exact && stop < len &&
	    (ctxt->errNo == XML_ERR_DOCUMENT_END || s->epilog ||
		(s->closed != SIZE_MAX && s->closed <= stop)))
		s->root_end = stop;
	htmlFreeParserCtxt(ctxt);
	s->ctxt = NULL;
	return (!s->nomem);
}

static inline void
ld_l2_cleanup(struct ld_l2 *s)
{
	free(s->pos);
	memset(s, 0, sizeof(*s));
}

/*
 * What libxml2 did with doc. When a <meta> made it switch encoding (the
 * raw scanner reads such a document only when it is ASCII, which every
 * such encoding reads as ASCII), its offsets restart at the switch, so
 * the parse is done again locked to UTF-8: the same characters, so the
 * same elements, at exact offsets; switched says so.
 */
static inline bool
ld_l2_run(struct ld_l2 *s, const char *doc, size_t len)
{
	if (!ld_l2_parse(s, doc, len, false))
		return (false);
	if (s->exact)
		return (true);
	ld_l2_cleanup(s);
	if (!ld_l2_parse(s, doc, len, true))
		return (false);
	s->switched = true;
	return (s->exact);
}

/* Whether libxml2 reported an element at the raw tag t. */
static inline bool
ld_l2_reported(const struct ld_l2 *s, const struct hs_tag *t)
{
	size_t lo = 0, hi = s->n, mid;

	/* Offsets never decrease: binary search for attr_end. */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (s->pos[mid] < t->attr_end)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < s->n && s->pos[lo] <= t->end);
}

/* The raw start tag whose attributes end at src (a link's src_offset). */
static inline bool
ld_tag_of(
    const char *doc, size_t len, size_t skip, uint32_t src, struct hs_tag *t)
{
	struct hs_scanner sc;

	hs_init(&sc, doc, len, skip);
	while (hs_next_tag(&sc, t)) {
		if (t->attr_end == src)
			return (true);
		if (t->attr_end > src)
			break;
	}
	return (false);
}

/* Why the raw-only link k may differ (LD_ALLOW_COUNT: it may not). */
static inline enum ld_allow
ld_allowed(
    const struct ld_l2 *s, const char *doc, size_t len, const struct link *k)
{
	struct hs_tag t;

	if (!s->exact || !ld_tag_of(doc, len, s->skip, k->src_offset, &t) ||
	    ld_l2_reported(s, &t))
		return (LD_ALLOW_COUNT);
	if (t.start >= s->root_end)
		return (LD_AFTER_ROOT);
	if ((t.name_len == 4 &&
		(strcmp(t.name, "html") == 0 || strcmp(t.name, "head") == 0 ||
		    strcmp(t.name, "body") == 0)))
		return (LD_DROPPED_TAG);
	return (LD_ALLOW_COUNT);
}

/*
 * Whether libxml2 dropped any markup the scanner reads: it stopped in its
 * epilog, or a raw html/head/body tag has no element of libxml2's.
 */
static inline bool
ld_dropped_any(const struct ld_l2 *s, const char *doc, size_t len)
{
	struct hs_scanner sc;
	struct hs_tag t;

	if (s->root_end != SIZE_MAX)
		return (true);
	hs_init(&sc, doc, len, s->skip);
	while (hs_next_tag(&sc, &t))
		if (t.name_len == 4 &&
		    (strcmp(t.name, "html") == 0 ||
			strcmp(t.name, "head") == 0 ||
			strcmp(t.name, "body") == 0) &&
		    !ld_l2_reported(s, &t))
			return (true);
	return (false);
}

/*
 * Whether two links are the same (URLs only when compare_urls). After an
 * encoding switch (switched) libxml2's src_offset is a lower bound: the
 * raw one may be larger, and *lower says it was.
 */
static inline bool
ld_same(const struct link_list *a, size_t i, const struct link_list *b,
    size_t j, bool compare_urls, bool switched, bool *lower)
{
	const struct link *x = &a->items[i], *y = &b->items[j];
	const uint8_t unk = LINK_F_OFFSET_UNKNOWN;
	const char *ra = link_list_raw(a, i), *rb = link_list_raw(b, j);

	*lower = switched && y->src_offset > x->src_offset;
	if (x->element != y->element || x->attribute != y->attribute ||
	    (x->flags & ~unk) != (y->flags & ~unk) ||
	    (x->src_offset != y->src_offset && !*lower))
		return (false);
	if ((ra == NULL) != (rb == NULL) || (ra != NULL && strcmp(ra, rb)))
		return (false);
	if (compare_urls &&
	    strcmp(link_list_url(a, i), link_list_url(b, j)) != 0)
		return (false);
	if ((x->flags & unk) == 0 && (y->flags & unk) == 0 &&
	    (x->off != y->off || x->len != y->len || x->quote != y->quote))
		return (false);
	return (true);
}

/* Describe link i of l into out. */
static inline void
ld_describe(const struct link_list *l, size_t i, char *out, size_t n)
{
	const struct link *k = &l->items[i];
	const char *raw = link_list_raw(l, i);

	snprintf(out, n, "#%zu %s %s/%s flags 0x%x src %u span %u+%u q%u", i,
	    link_list_url(l, i), link_element_name(k->element),
	    link_attr_name(k->attribute), k->flags, k->src_offset, k->off,
	    k->len, k->quote);
	(void)raw;
}

/* Set r->why (the first difference) unless already set. */
static inline void
ld_why(struct ld_result *r, const char *what, const struct link_list *a,
    size_t i, const struct link_list *b, size_t j)
{
	char da[200] = "-", db[200] = "-";

	if (r->why[0] != '\0')
		return;
	if (a != NULL && i < a->count)
		ld_describe(a, i, da, sizeof(da));
	if (b != NULL && j < b->count)
		ld_describe(b, j, db, sizeof(db));
	snprintf(
	    r->why, sizeof(r->why), "%s: libxml2 %s | raw %s", what, da, db);
}

/* The <base> of both: the same, or an after-root one the raw path took. */
static inline bool
ld_base(const struct ld_l2 *s, const char *doc, size_t len,
    const struct link_list *x, const struct link_list *r, bool *urls)
{
	struct hs_scanner sc;
	struct hs_tag t;
	bool found;

	*urls = true;
	if (x->base_found == r->base_found &&
	    (!x->base_found ||
		(x->base_off == r->base_off && x->base_len == r->base_len) ||
		(x->base_flags & LINK_F_OFFSET_UNKNOWN) != 0))
		return (true);
	if (x->base_found || !r->base_found || !s->exact)
		return (false);
	/* The raw base's tag: its href value lies inside it. */
	hs_init(&sc, doc, len, s->skip);
	while ((found = hs_next_tag(&sc, &t)) && t.end <= r->base_off)
		;
	if (!found || t.start > r->base_off)
		return (false);
	if (t.start < s->root_end || ld_l2_reported(s, &t))
		return (false);
	*urls = false;
	return (true);
}

/*
 * Compare libxml2's list x and the raw list r of doc (both extracted
 * with LINKS_OPT_OFFSETS | LINKS_OPT_RAW, no limit). Returns whether they
 * agree up to the allowances; r->why says the first difference.
 */
static inline bool
ld_compare_lists(const char *doc, size_t len, const struct link_list *x,
    const struct link_list *rl, struct ld_result *res)
{
	struct ld_l2 s;
	size_t i = 0, j = 0;
	enum ld_allow why;
	bool urls, lower, ok = true;

	if (!ld_l2_run(&s, doc, len)) {
		snprintf(res->why, sizeof(res->why), "libxml2 failed");
		ld_l2_cleanup(&s);
		return (false);
	}
	if (!ld_base(&s, doc, len, x, rl, &urls)) {
		snprintf(res->why, sizeof(res->why),
		    "<base> differs: libxml2 %d %u+%u, raw %d %u+%u",
		    x->base_found, x->base_off, x->base_len, rl->base_found,
		    rl->base_off, rl->base_len);
		ok = false;
		goto out;
	}
	res->base_allowed = !urls;
	while (j < rl->count) {
		if (i < x->count &&
		    ld_same(x, i, rl, j, urls, s.switched, &lower)) {
			res->allowed[LD_SWITCHED_OFFSET] += lower;
			i++;
			j++;
			continue;
		}
		why = ld_allowed(&s, doc, len, &rl->items[j]);
		if (why == LD_ALLOW_COUNT) {
			ld_why(res, "differs", x, i, rl, j);
			ok = false;
			goto out;
		}
		res->allowed[why]++;
		j++;
	}
	if (i < x->count) {
		ld_why(res, "libxml2 has more", x, i, rl, j);
		ok = false;
		goto out;
	}
	/* References skipped in dropped markup count on the raw side only. */
	if (urls &&
	    (!ld_dropped_any(&s, doc, len) ? x->skipped != rl->skipped
					   : x->skipped > rl->skipped)) {
		snprintf(res->why, sizeof(res->why),
		    "skipped: libxml2 %zu, raw %zu", x->skipped, rl->skipped);
		ok = false;
	}
	res->links = x->count;
out:
	ld_l2_cleanup(&s);
	return (ok);
}

/*
 * Extract doc in mode through both readers and compare. Returns false
 * on a difference beyond the allowances (res->why), true otherwise (also
 * when the raw scanner does not read the document: res->raw_read false).
 * CW_ENOMEM from either reader counts as agreement (nothing to compare).
 */
static inline bool
ld_compare(
    const char *doc, size_t len, enum links_mode mode, struct ld_result *res)
{
	struct link_list x, r;
	struct links_opts o;
	enum cw_rc rx, rr;
	bool ok = true;

	memset(res, 0, sizeof(*res));
	link_list_init(&x);
	link_list_init(&r);
	memset(&o, 0, sizeof(o));
	o.mode = mode;
	o.flags = LINKS_OPT_OFFSETS | LINKS_OPT_RAW;
	o.parser = LINKS_PARSER_RAW;
	rr = links_extract_opts(doc, len, LD_BASE_URL, &o, &r);
	o.parser = LINKS_PARSER_LIBXML2;
	rx = links_extract_opts(doc, len, LD_BASE_URL, &o, &x);
	if (rx == CW_OK && rr == CW_OK) {
		res->raw_read = true;
		ok = ld_compare_lists(doc, len, &x, &r, res);
	} else if (rx != CW_ENOMEM && rr != CW_ENOMEM &&
	    !(rx == CW_OK && rr == CW_ENOTSUP)) {
		snprintf(res->why, sizeof(res->why),
		    "unexpected results: libxml2 %d, raw %d", (int)rx, (int)rr);
		ok = false;
	}
	link_list_cleanup(&x);
	link_list_cleanup(&r);
	return (ok);
}

#endif /* CRAWLD_TEST_LINKDIFF_H */
