/* SPDX-License-Identifier: MIT */
/*
 * linksax.c - the libxml2 path of link extraction: one push parser per
 * call whose SAX handler has only startElement and cdataBlock (plus silent
 * error sinks), so no tree is built.
 *
 * startElement hands the element's attribute values (libxml2's: decoded,
 * in UTF-8) to linkelem.c. When spans are wanted, it first finds the same
 * start tag in the original bytes with the raw scanner (htmlscan.c):
 * libxml2 gives no attribute positions, but its input cursor, while the
 * input is not transcoded, is exactly where the tag's attributes end, and
 * every attribute found in the raw tag is decoded and compared with
 * libxml2's value before its span is used (see links_sax_place). The
 * module owns, per call, the parser context, the scanner state, the
 * scratch buffers and an encoding handler for comparisons; all are freed
 * before links_sax_run() returns.
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "crawld/web/htmlscan.h"
#include "links_int.h"

/*
 * NOERROR/NOWARNING: hostile pages must not spam the log; RECOVER: keep
 * what can be recovered; NONET: never fetch a DTD. NOBLANKS and COMPACT
 * only shape a DOM, which we never build.
 */
#define LINKS_PARSE_OPTIONS                                                    \
	(HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |        \
	    HTML_PARSE_RECOVER)

/* How far a transcoded document's tag is looked for ahead. */
#define LINKS_SYNC_TAGS 64
#define LINKS_SYNC_BYTES (256 * 1024)
/* How many '<' before the cursor may be tried as the tag's start. */
#define LINKS_SYNC_BACK 16
#define LINKS_SYNC_WINDOW (64 * 1024)

/* Per-call parse state, passed to the SAX callbacks as user data. */
struct links_sax {
	struct links_acc *acc;	  /* borrowed: the call's accumulator */
	xmlParserCtxtPtr ctxt;	  /* borrowed: the running parser */
	const unsigned char *doc; /* borrowed: the original bytes */
	size_t len;
	size_t skip;		    /* BOM bytes not given to libxml2 */
	uint64_t bias;		    /* see links_offset() */
	unsigned long last_raw;	    /* libxml2's offset at the last element */
	uint32_t last_off;	    /* the last src_offset returned */
	enum cw_rc rc;		    /* first failure seen in a callback */
	bool spans;		    /* spans wanted and possible */
	struct hs_scanner sc;	    /* raw tags after the last one matched */
	size_t floor;		    /* end of the last raw tag matched */
	size_t budget;		    /* bytes re-scanning may still cost */
	bool in_style;		    /* cdataBlock text is a <style>'s */
	uint32_t style_src;	    /* its src_offset */
	struct links_raw style_raw; /* where its text is */
	struct buf style;	    /* owned: its text so far */
	struct buf r[LINKS_WANT_MAX + 1]; /* owned: decoded raw values */
	struct buf m[LINKS_WANT_MAX + 1]; /* owned: their maps */
	struct buf conv;		  /* owned: a transcoded value */
	xmlCharEncodingHandlerPtr enc;	  /* owned: for comparisons, or NULL */
};

/*
 * Byte offset of the parser in the document: just past the start tag's
 * attributes when called from startElement. libxml2 counts bytes of its
 * UTF-8 view of the input, which are the document's own bytes unless it
 * transcodes. When it switches encoding mid-stream (a <meta charset>, or
 * bytes that are not UTF-8) it drops what it parsed and counts anew from
 * the switch point, which it does not record; the last offset seen before
 * is then taken as the new origin, so offsets after a switch are a lower
 * bound and never go backwards. Called for every element, so a restart is
 * seen. Clamped to uint32_t.
 */
static uint32_t
links_offset(struct links_sax *lc)
{
	xmlParserInputPtr in;
	unsigned long raw;
	uint64_t off;

	in = lc->ctxt != NULL ? lc->ctxt->input : NULL;
	if (in == NULL || in->cur == NULL || in->base == NULL ||
	    in->cur < in->base)
		return (lc->last_off);
	raw = in->consumed + (unsigned long)(in->cur - in->base);
	if (raw < lc->last_raw)
		lc->bias = (uint64_t)lc->last_off - raw;
	lc->last_raw = raw;
	off = lc->bias + raw;
	lc->last_off = off > UINT32_MAX ? UINT32_MAX : (uint32_t)off;
	return (lc->last_off);
}

/*
 * Whether libxml2 reads the original bytes untranscoded, so that its
 * cursor is an exact offset; *p gets it. A switch to another encoding
 * installs an encoder, which makes this false for the rest of the parse.
 */
static bool
links_sax_exact(struct links_sax *lc, size_t *p)
{
	xmlParserInputPtr in = lc->ctxt->input;

	if (in == NULL || in->buf == NULL || in->buf->encoder != NULL ||
	    in->cur == NULL || in->base == NULL || in->cur < in->base)
		return (false);
	*p = lc->skip + in->consumed + (size_t)(in->cur - in->base);
	return (*p <= lc->len);
}

/* Whether libxml2 is transcoding the input (an encoder is installed). */
static bool
links_sax_transcoded(const struct links_sax *lc)
{
	xmlParserInputPtr in = lc->ctxt->input;

	return (in != NULL && in->buf != NULL && in->buf->encoder != NULL);
}

/*
 * Convert r[0..n), in the document's encoding, to UTF-8 in lc->conv;
 * false when the encoding is unknown or the bytes do not convert.
 */
static bool
links_sax_to_utf8(struct links_sax *lc, const char *r, size_t n)
{
	xmlParserInputPtr in = lc->ctxt->input;
	xmlBufferPtr bin = NULL, bout = NULL;
	bool ok = false;

	if (in == NULL || in->buf == NULL || in->buf->encoder == NULL ||
	    n > INT_MAX)
		return (false);
	if (lc->enc == NULL || strcmp(lc->enc->name, in->buf->encoder->name)) {
		if (lc->enc != NULL)
			xmlCharEncCloseFunc(lc->enc);
		lc->enc = xmlFindCharEncodingHandler(in->buf->encoder->name);
		if (lc->enc == NULL)
			return (false);
	}
	bin = xmlBufferCreateSize(n + 1);
	bout = xmlBufferCreateSize(n * 4 + 16);
	if (bin == NULL || bout == NULL ||
	    xmlBufferAdd(bin, (const xmlChar *)r, (int)n) != 0)
		goto out;
	if (xmlCharEncInFunc(lc->enc, bout, bin) < 0 ||
	    xmlBufferLength(bin) != 0)
		goto out;
	buf_reset(&lc->conv);
	ok = buf_append(&lc->conv, xmlBufferContent(bout),
		 (size_t)xmlBufferLength(bout)) == CW_OK;
out:
	xmlBufferFree(bin);
	xmlBufferFree(bout);
	return (ok);
}

/* Whether s[0..n) is ASCII only. */
static bool
links_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return (false);
	return (true);
}

/*
 * links_eq_fn for a transcoded document: a raw piece (entities decoded,
 * bytes still in the document's encoding) against libxml2's UTF-8.
 */
static bool
links_sax_eq(void *arg, const char *r, size_t rn, const char *v, size_t vn)
{
	struct links_sax *lc = arg;

	if (links_ascii(r, rn) || !links_sax_to_utf8(lc, r, rn))
		return (rn == vn && memcmp(r, v, vn) == 0);
	return (lc->conv.len == vn && memcmp(lc->conv.data, v, vn) == 0);
}

/*
 * Fill w->raw from the raw tag t (slot k's buffers): the attribute's
 * span, its value decoded, and whether it equals libxml2's. Returns
 * whether it matches: the attribute is there and decodes to the same
 * value (after transcoding, for a transcoded document).
 */
static bool
links_sax_rawside(struct links_sax *lc, const struct hs_tag *t,
    struct links_want *w, size_t k)
{
	struct links_raw *raw = &w->raw;
	const char *doc = (const char *)lc->doc, *sv;
	struct hs_attr at;
	bool trunc = false;

	memset(raw, 0, sizeof(*raw));
	if (!hs_attr_find(doc, t, w->spec->name, &at))
		return (false);
	raw->off = at.val_off;
	raw->len = at.val_len;
	raw->quote = at.quote;
	sv = doc + at.val_off;
	if (memchr(sv, '&', at.val_len) == NULL) {
		raw->r = sv;
		raw->rlen = at.val_len;
	} else {
		buf_reset(&lc->r[k]);
		buf_reset(&lc->m[k]);
		if (hs_decode(sv, at.val_len, &lc->r[k], &lc->m[k], &trunc) !=
		    CW_OK)
			return (false);
		raw->r = lc->r[k].data;
		raw->rlen = lc->r[k].len;
		raw->map = (const uint32_t *)(const void *)lc->m[k].data;
	}
	raw->known = true;
	raw->same = raw->rlen == w->vlen && memcmp(raw->r, w->v, w->vlen) == 0;
	if (raw->same || !links_sax_transcoded(lc) ||
	    links_ascii(sv, at.val_len))
		return (raw->same);
	/* Transcoded: pieces compare through links_sax_eq; a URL whole. */
	raw->eq = links_sax_eq;
	raw->eq_arg = lc;
	if (w->spec->vkind != LINKS_V_URL ||
	    !links_sax_to_utf8(lc, sv, at.val_len))
		return (w->spec->vkind != LINKS_V_URL);
	buf_reset(&lc->r[k]);
	if (hs_decode(lc->conv.data, lc->conv.len, &lc->r[k], NULL, &trunc) !=
	    CW_OK)
		return (false);
	raw->r = lc->r[k].data;
	raw->rlen = lc->r[k].len;
	raw->same = raw->rlen == w->vlen && memcmp(raw->r, w->v, w->vlen) == 0;
	raw->map = NULL; /* the whole span only: positions do not map */
	return (raw->same);
}

/* Fill the raw sides of all wanted attributes; true if all match. */
static bool
links_sax_fill(struct links_sax *lc, const struct hs_tag *t,
    struct links_want *w, size_t n)
{
	size_t i;
	bool all = true;

	for (i = 0; i < n; i++)
		if (!links_sax_rawside(lc, t, &w[i], i))
			all = false;
	return (all);
}

/*
 * Whether raw tag t has libxml2's attributes atts (the first few, each
 * decoding to the same value; a value-less one is ""): how an element
 * without references is recognised in a transcoded document.
 */
static bool
links_sax_atts_match(
    struct links_sax *lc, const struct hs_tag *t, const xmlChar **atts)
{
	struct links_want w;
	struct links_attr_spec spec;
	size_t i;

	memset(&spec, 0, sizeof(spec));
	spec.vkind = LINKS_V_URL;
	for (i = 0; atts[i] != NULL && i < 16; i += 2) {
		memset(&w, 0, sizeof(w));
		spec.name = (const char *)atts[i];
		w.spec = &spec;
		w.v = atts[i + 1] != NULL ? (const char *)atts[i + 1] : "";
		w.vlen = strlen(w.v);
		if (!links_sax_rawside(lc, t, &w, LINKS_WANT_MAX))
			return (false);
	}
	return (true);
}

/* What identifies the element being placed: its wanted attributes, or
   (none wanted) all its attributes. */
struct links_match {
	struct links_want *w;
	size_t n;
	const xmlChar **atts;
};

/*
 * Whether raw tag t is the element m describes: all its attributes match
 * (when it has any), and its wanted ones, whose raw sides are filled.
 */
static bool
links_sax_match(
    struct links_sax *lc, const struct hs_tag *t, struct links_match *m)
{
	if (m->atts != NULL && !links_sax_atts_match(lc, t, m->atts))
		return (false);
	return (links_sax_fill(lc, t, m->w, m->n));
}

/* Forget every raw side (no span for any piece). */
static void
links_sax_unknown(struct links_want *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		memset(&w[i].raw, 0, sizeof(w[i].raw));
}

/* Whether raw tag t is the element named name[0..nl). */
static bool
links_sax_named(const struct hs_tag *t, const char *name, size_t nl)
{
	return (t->name_len == nl && nl < sizeof(t->name) &&
	    memcmp(t->name, name, nl) == 0);
}

/*
 * Exact cursor p, and the forward scan did not find the tag: try the '<'
 * before p, nearest first, as its start. A candidate is the tag if,
 * read up to p, its attributes end exactly at p and its values match.
 */
static bool
links_sax_back(struct links_sax *lc, const char *name, size_t nl, size_t p,
    struct links_match *m, struct hs_tag *t)
{
	size_t lo, at = p, tries;

	/* Between the last tag matched and p, within a window. */
	lo = p > LINKS_SYNC_WINDOW ? p - LINKS_SYNC_WINDOW : 0;
	if (lo < lc->floor)
		lo = lc->floor;

	for (tries = 0; tries < LINKS_SYNC_BACK && at > lo; tries++) {
		/* The previous '<' (memrchr is not POSIX). */
		while (at > lo && lc->doc[at - 1] != '<')
			at--;
		if (at == lo)
			break;
		at--;
		if (lc->budget < p - at)
			break;
		lc->budget -= p - at;
		if (!hs_tag_at((const char *)lc->doc, p, at, t) ||
		    !links_sax_named(t, name, nl) || t->attr_end != p)
			continue;
		/* Read it again whole, for its end and raw text. */
		(void)hs_tag_at((const char *)lc->doc, lc->len, at, t);
		if (links_sax_match(lc, t, m))
			return (true);
	}
	return (false);
}

/*
 * Find the raw start tag of the element libxml2 just reported and fill
 * the raw sides of w[0..n) from it. With an exact cursor, the tag is the
 * one whose attributes end there; otherwise (a transcoded document) it is
 * the next tag of that name ahead whose values all match, looked for
 * within bounds. Any extra scanning is charged to a budget of a few times
 * the document; once spent, no more spans for this document. Returns
 * whether the tag was found (t is then set).
 */
static bool
links_sax_place(struct links_sax *lc, const char *name, struct links_match *m,
    struct hs_tag *t)
{
	struct hs_scanner save = lc->sc;
	size_t nl = strlen(name), p = 0, prev, tags = 0;

	if (links_sax_exact(lc, &p)) {
		for (prev = lc->sc.pos; hs_next_tag(&lc->sc, t);
		     prev = lc->sc.pos) {
			if (t->start >= p)
				break;
			if (links_sax_named(t, name, nl) && p <= t->end) {
				/* The place proves it: values decide per span.
				 */
				(void)links_sax_fill(lc, t, m->w, m->n);
				lc->floor = lc->sc.pos;
				return (true);
			}
		}
		lc->sc.pos = prev;
		if (links_sax_back(lc, name, nl, p, m, t)) {
			lc->sc.pos = t->text_end != 0 ? t->text_end : t->end;
			lc->floor = lc->sc.pos;
			return (true);
		}
		/* libxml2 is at p: what lies before is behind us too. */
		lc->sc.pos = p > lc->sc.pos ? p : lc->sc.pos;
		links_sax_unknown(m->w, m->n);
		return (false);
	}
	while (hs_next_tag(&lc->sc, t) && tags++ < LINKS_SYNC_TAGS &&
	    t->start - save.pos <= LINKS_SYNC_BYTES) {
		if (links_sax_named(t, name, nl) && links_sax_match(lc, t, m)) {
			lc->floor = lc->sc.pos;
			return (true);
		}
	}
	p = lc->sc.pos - save.pos;
	lc->sc = save;
	if (p > lc->budget)
		lc->spans = false;
	else
		lc->budget -= p;
	links_sax_unknown(m->w, m->n);
	return (false);
}

/* links_get_fn over libxml2's attribute array (NULL value = ""). */
static bool
links_sax_get(void *arg, const char *lname, const char **v, size_t *vlen)
{
	const xmlChar **atts = arg;
	size_t i;

	if (atts == NULL)
		return (false);
	for (i = 0; atts[i] != NULL; i += 2) {
		if (strcmp((const char *)atts[i], lname) != 0)
			continue;
		*v = atts[i + 1] != NULL ? (const char *)atts[i + 1] : "";
		*vlen = strlen(*v);
		return (true);
	}
	return (false);
}

/* Emit the links of a finished <style> block. */
static void
links_sax_style_end(struct links_sax *lc)
{
	const char *text = lc->style.data != NULL ? lc->style.data : "";

	if (!lc->in_style)
		return;
	lc->in_style = false;
	if (lc->style_raw.known) {
		lc->style_raw.same = lc->style_raw.rlen == lc->style.len &&
		    memcmp(lc->style_raw.r, text, lc->style.len) == 0;
		if (links_sax_transcoded(lc)) {
			lc->style_raw.eq = links_sax_eq;
			lc->style_raw.eq_arg = lc;
		}
	}
	lc->rc = links_emit_style(
	    lc->acc, text, lc->style.len, &lc->style_raw, lc->style_src);
	buf_reset(&lc->style);
}

/* A <style> starts: its text arrives through cdataBlock. */
static void
links_sax_style_start(struct links_sax *lc, uint32_t src)
{
	struct links_match m = {NULL, 0, NULL};
	struct hs_tag t;

	lc->in_style = true;
	lc->style_src = src;
	memset(&lc->style_raw, 0, sizeof(lc->style_raw));
	buf_reset(&lc->style);
	if (!lc->spans || !links_sax_place(lc, "style", &m, &t) ||
	    t.text_end == 0)
		return;
	lc->style_raw.known = true;
	lc->style_raw.off = t.text_start;
	lc->style_raw.len = t.text_end - t.text_start;
	lc->style_raw.r = (const char *)lc->doc + t.text_start;
	lc->style_raw.rlen = lc->style_raw.len;
}

/* The first <base href>: its value and span go to the accumulator. */
static enum cw_rc
links_sax_base(struct links_sax *lc, const xmlChar **atts)
{
	static const struct links_attr_spec href = {
	    "href", LINK_ATTR_HREF, LINKS_V_URL, 0};
	struct links_want w;
	struct links_match m = {&w, 1, NULL};
	struct link span;
	struct hs_tag t;

	memset(&w, 0, sizeof(w));
	w.spec = &href;
	if (lc->acc->base_raw != LINKS_NO_BASE ||
	    !links_sax_get(atts, "href", &w.v, &w.vlen))
		return (CW_OK);
	memset(&span, 0, sizeof(span));
	span.flags = LINK_F_ATTR | LINK_F_OFFSET_UNKNOWN;
	if (lc->spans && links_sax_place(lc, "base", &m, &t) && w.raw.known &&
	    w.raw.same) {
		links_acc_span(lc->acc, &span, w.raw.off, w.raw.len);
		span.quote = (uint8_t)w.raw.quote;
	}
	return (links_acc_base(lc->acc, w.v, w.vlen, &span));
}

/*
 * SAX startElement: hand the element's references to linkelem.c (with
 * their raw sides when spans are wanted), note a <style> or the first
 * <base href>. A value-less attribute (<a href>) counts as "".
 */
static void
links_sax_start(void *ud, const xmlChar *name, const xmlChar **atts)
{
	struct links_sax *lc = ud;
	struct links_want w[LINKS_WANT_MAX];
	struct links_match m;
	const struct links_elem *e;
	struct hs_tag t;
	size_t n, i, nl, p;
	uint32_t src;

	if (lc->rc != CW_OK || name == NULL)
		return;
	src = links_offset(lc);
	if (lc->in_style)
		links_sax_style_end(lc);
	nl = strlen((const char *)name);
	e = links_elem_find((const char *)name, nl);
	if (e != NULL && e->special == LINKS_SP_BASE) {
		lc->rc = links_sax_base(lc, atts);
		goto out;
	}
	if (e != NULL && e->special == LINKS_SP_STYLE &&
	    lc->acc->o.mode != LINKS_MODE_DEFAULT) {
		links_sax_style_start(lc, src);
		return;
	}
	if (atts == NULL)
		return;
	n = links_wants(lc->acc, e, links_sax_get, atts, w);
	m.w = w;
	m.n = n;
	m.atts = atts;
	if (n == 0) {
		/*
		 * In a transcoded document tags are found again in order, so
		 * every element with attributes keeps the scan in step (made
		 * up elements have none); with exact offsets it need not.
		 */
		if (lc->spans && !links_sax_exact(lc, &p))
			(void)links_sax_place(lc, (const char *)name, &m, &t);
		return;
	}
	if (lc->spans)
		(void)links_sax_place(lc, (const char *)name, &m, &t);
	for (i = 0; i < n && lc->rc == CW_OK; i++)
		lc->rc = links_emit(lc->acc, &w[i], src);
out:
	if (lc->rc != CW_OK)
		xmlStopParser(lc->ctxt);
}

/* SAX cdataBlock: the raw text of script or style; a <style>'s is kept. */
static void
links_sax_cdata(void *ud, const xmlChar *value, int len)
{
	struct links_sax *lc = ud;

	if (!lc->in_style || lc->rc != CW_OK || len <= 0)
		return;
	lc->rc = buf_append(&lc->style, value, (size_t)len);
	if (lc->rc != CW_OK)
		xmlStopParser(lc->ctxt);
}

/* Error sink for libxml2's parser errors: malformed HTML is normal. */
static void
links_silent_serror(void *ud, xmlErrorPtr err)
{
	(void)ud;
	(void)err;
}

/* Error sink for libxml2's context-less (encoding) errors. */
static void
links_silent_generic(void *ud, const char *msg, ...)
{
	(void)ud;
	(void)msg;
}

/*
 * Build the SAX handler: startElement, and cdataBlock unless <style> text
 * is not wanted. initialized = XML_SAX2_MAGIC makes libxml2 honour
 * serror, so parser errors reach our silent sink even when some other
 * code set a global structured error handler.
 */
static void
links_sax_init(htmlSAXHandler *sax, enum links_mode mode)
{
	memset(sax, 0, sizeof(*sax));
	sax->startElement = links_sax_start;
	if (mode != LINKS_MODE_DEFAULT)
		sax->cdataBlock = links_sax_cdata;
	sax->serror = links_silent_serror;
	sax->initialized = XML_SAX2_MAGIC;
}

/*
 * Choose the encoding libxml2 starts with. A byte-order mark decides (and
 * is skipped, *skip bytes), and *lock says a later <meta charset> must not
 * override it, as the HTML spec wants. Without one, input that is valid
 * UTF-8 is parsed as UTF-8 (a <meta charset> may still switch); anything
 * else gets XML_CHAR_ENCODING_NONE, with which libxml2 looks for a
 * <meta charset> and falls back to ISO-8859-1 itself: its mid-stream
 * fallback from UTF-8 loses the first non-UTF-8 character.
 */
static xmlCharEncoding
links_sniff(const unsigned char *s, size_t n, size_t *skip, int *lock)
{
	*skip = 0;
	*lock = 1;
	if (n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf) {
		*skip = 3;
		return (XML_CHAR_ENCODING_UTF8);
	}
	if (n >= 2 && s[0] == 0xff && s[1] == 0xfe) {
		*skip = 2;
		return (XML_CHAR_ENCODING_UTF16LE);
	}
	if (n >= 2 && s[0] == 0xfe && s[1] == 0xff) {
		*skip = 2;
		return (XML_CHAR_ENCODING_UTF16BE);
	}
	*lock = 0;
	return (links_is_utf8(s, n) ? XML_CHAR_ENCODING_UTF8
				    : XML_CHAR_ENCODING_NONE);
}

/* Feed html[0..len) to the parser in int-sized chunks, then terminate. */
static void
links_feed(htmlParserCtxtPtr ctxt, const char *html, size_t len)
{
	size_t n;

	while (len > 0) {
		n = len > INT_MAX ? INT_MAX : len;
		(void)htmlParseChunk(ctxt, html, (int)n, 0);
		html += n;
		len -= n;
	}
	(void)htmlParseChunk(ctxt, NULL, 0, 1);
}

/* Free what one parse owned. */
static void
links_sax_cleanup(struct links_sax *lc)
{
	size_t i;

	for (i = 0; i < CW_NELEM(lc->r); i++) {
		buf_cleanup(&lc->r[i]);
		buf_cleanup(&lc->m[i]);
	}
	buf_cleanup(&lc->style);
	buf_cleanup(&lc->conv);
	if (lc->enc != NULL)
		xmlCharEncCloseFunc(lc->enc);
	lc->enc = NULL;
}

/* Set up the per-call state (no allocation). */
static void
links_sax_setup(
    struct links_sax *lc, struct links_acc *a, const char *html, size_t len)
{
	size_t i;

	memset(lc, 0, sizeof(*lc));
	lc->acc = a;
	lc->doc = (const unsigned char *)html;
	lc->len = len;
	lc->rc = CW_OK;
	lc->budget =
	    len < SIZE_MAX / 4 - (1u << 20) ? 4 * len + (1u << 20) : SIZE_MAX;
	for (i = 0; i < CW_NELEM(lc->r); i++) {
		buf_init(&lc->r[i], SIZE_MAX);
		buf_init(&lc->m[i], SIZE_MAX);
	}
	buf_init(&lc->style, SIZE_MAX);
	buf_init(&lc->conv, SIZE_MAX);
}

/* Parse html with libxml2 and collect its references (see links_int.h). */
enum cw_rc
links_sax_run(struct links_acc *a, const char *html, size_t len)
{
	struct links_sax lc;
	htmlSAXHandler sax;
	htmlParserCtxtPtr ctxt = NULL;
	xmlGenericErrorFunc old_generic;
	void *old_generic_ctx;
	xmlStructuredErrorFunc old_serror;
	void *old_serror_ctx;
	xmlCharEncoding enc;
	size_t skip;
	int lock;
	enum cw_rc rc;

	links_sax_setup(&lc, a, html, len);
	links_sax_init(&sax, a->o.mode);

	/*
	 * Encoding errors (iconv failures) are raised without a parser
	 * context and would go to the thread's generic handler, stderr by
	 * default; these handlers are thread-local, so swap them for the call.
	 */
	old_generic = xmlGenericError;
	old_generic_ctx = xmlGenericErrorContext;
	old_serror = xmlStructuredError;
	old_serror_ctx = xmlStructuredErrorContext;
	xmlSetGenericErrorFunc(NULL, links_silent_generic);
	xmlSetStructuredErrorFunc(NULL, NULL);

	enc = links_sniff((const unsigned char *)html, len, &skip, &lock);
	lc.skip = skip;
	/* UTF-16 markup is not ASCII: the raw scanner cannot read it. */
	lc.spans = (a->o.flags & LINKS_OPT_OFFSETS) != 0 &&
	    enc != XML_CHAR_ENCODING_UTF16LE &&
	    enc != XML_CHAR_ENCODING_UTF16BE;
	hs_init(&lc.sc, html, len, skip);
	ctxt = htmlCreatePushParserCtxt(&sax, &lc, NULL, 0, NULL, enc);
	if (ctxt == NULL) {
		rc = CW_ENOMEM;
		goto out;
	}
	lc.ctxt = ctxt;
	lc.bias = skip;
	(void)htmlCtxtUseOptions(ctxt, LINKS_PARSE_OPTIONS);
	if (lock && ctxt->input != NULL && ctxt->input->encoding == NULL &&
	    xmlGetCharEncodingName(enc) != NULL) {
		/* libxml2's meta check leaves a named encoding alone. */
		ctxt->input->encoding =
		    xmlCharStrdup(xmlGetCharEncodingName(enc));
		if (ctxt->input->encoding == NULL) {
			rc = CW_ENOMEM;
			goto out;
		}
	}
	links_feed(ctxt, html + skip, len - skip);
	if (lc.rc == CW_OK && lc.in_style)
		links_sax_style_end(&lc);
	rc = lc.rc;
out:
	if (ctxt != NULL)
		htmlFreeParserCtxt(ctxt);
	links_sax_cleanup(&lc);
	xmlSetGenericErrorFunc(old_generic_ctx, old_generic);
	xmlSetStructuredErrorFunc(old_serror_ctx, old_serror);
	return (rc);
}
