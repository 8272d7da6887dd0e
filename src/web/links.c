/* SPDX-License-Identifier: MIT */
/*
 * links.c - link extraction from HTML with libxml2's push (SAX) parser.
 *
 * One call of links_extract() owns one libxml2 parser context whose SAX
 * handler has only startElement (plus silent error sinks), so no tree is
 * built. The handler copies raw href/src values into the caller's
 * struct link_list arena; when the parse ends, every raw reference is
 * resolved against the effective base (the first <base href>, itself
 * resolved against the document URL) and the raw entries are replaced by
 * the normalised URLs. The module owns nothing between calls; the only
 * global is the one-time xmlInitParser().
 */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/encoding.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "crawld/web/links.h"
#include "crawld/web/url.h"

/*
 * NOERROR/NOWARNING: hostile pages must not spam the log; RECOVER: keep
 * what can be recovered; NONET: never fetch a DTD. NOBLANKS and COMPACT
 * only shape a DOM, which we never build.
 */
#define LINKS_PARSE_OPTIONS                                                    \
	(HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |        \
	    HTML_PARSE_RECOVER)

#define LINKS_NO_BASE SIZE_MAX

/* First sizes of the arrays; both double from there. */
#define LINKS_ITEMS_MIN 32
#define LINKS_STRINGS_MIN 2048

/* Per-call parse state, passed to the SAX callbacks as user data. */
struct links_ctx {
	struct link_list *out; /* borrowed: the caller's list */
	xmlParserCtxtPtr ctxt; /* borrowed: the running parser (offsets) */
	size_t base_off;       /* arena offset of the raw <base href> */
	uint64_t bias; /* offset added to libxml2's (see links_offset) */
	unsigned long last_raw; /* libxml2's offset at the last element */
	uint32_t last_off;	/* the last offset returned */
	enum cw_rc rc;		/* first failure seen in a callback */
};

static pthread_once_t links_once = PTHREAD_ONCE_INIT;

/* The one-time libxml2 initialisation (pthread_once body). */
static void
links_init_once(void)
{
	xmlInitParser();
}

/* Initialise libxml2 once; safe to call again from any thread. */
void
links_global_init(void)
{
	(void)pthread_once(&links_once, links_init_once);
}

/* Initialise an empty list. */
void
link_list_init(struct link_list *l)
{
	memset(l, 0, sizeof(*l));
}

/* Free the list's storage. */
void
link_list_cleanup(struct link_list *l)
{
	if (l == NULL)
		return;
	free(l->items);
	free(l->strings);
	memset(l, 0, sizeof(*l));
}

/* Forget the contents, keep the storage for the next page. */
void
link_list_reset(struct link_list *l)
{
	l->count = 0;
	l->slen = 0;
	l->skipped = 0;
	l->truncated = 0;
}

/* The URL of item i (borrowed from the list). */
const char *
link_list_url(const struct link_list *l, size_t i)
{
	if (i >= l->count)
		return (NULL);
	return (l->strings + l->items[i].url_off);
}

/* Make room for one more item, doubling the array. */
static enum cw_rc
links_grow_items(struct link_list *l)
{
	struct link *p;
	size_t ncap;

	if (l->count < l->cap)
		return (CW_OK);
	ncap = l->cap == 0 ? LINKS_ITEMS_MIN : l->cap * 2;
	if (ncap > SIZE_MAX / sizeof(*p))
		return (CW_ENOMEM);
	p = realloc(l->items, ncap * sizeof(*p));
	if (p == NULL)
		return (CW_ENOMEM);
	l->items = p;
	l->cap = ncap;
	return (CW_OK);
}

/*
 * Make room for need more bytes in the string arena, doubling it. Offsets
 * are uint32_t, so the arena never exceeds UINT32_MAX (CW_ELIMIT).
 */
static enum cw_rc
links_grow_strings(struct link_list *l, size_t need)
{
	char *p;
	size_t ncap;

	if (need > UINT32_MAX - l->slen)
		return (CW_ELIMIT);
	if (l->slen + need <= l->scap)
		return (CW_OK);
	ncap = l->scap == 0 ? LINKS_STRINGS_MIN : l->scap;
	while (ncap < l->slen + need)
		ncap *= 2;
	if (ncap > (size_t)UINT32_MAX + 1)
		ncap = (size_t)UINT32_MAX + 1;
	p = realloc(l->strings, ncap);
	if (p == NULL)
		return (CW_ENOMEM);
	l->strings = p;
	l->scap = ncap;
	return (CW_OK);
}

/* Copy s[0..n) plus a NUL into the arena; *off gets its offset. */
static enum cw_rc
links_put_string(struct link_list *l, const char *s, size_t n, size_t *off)
{
	enum cw_rc rc;

	rc = links_grow_strings(l, n + 1);
	if (rc != CW_OK)
		return (rc);
	memcpy(l->strings + l->slen, s, n);
	l->strings[l->slen + n] = '\0';
	*off = l->slen;
	l->slen += n + 1;
	return (CW_OK);
}

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
links_offset(struct links_ctx *lc)
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
 * Map an element name to the link element it is and the attribute that
 * carries its reference. Returns 0 for elements we ignore, -1 for <base>.
 */
static int
links_classify(const char *name, enum link_element *el, enum link_attr *at)
{
	*at = LINK_ATTR_HREF;
	switch (name[0]) {
	case 'a':
	case 'A':
		if (name[1] == '\0') {
			*el = LINK_EL_A;
			return (1);
		}
		if (strcasecmp(name, "area") == 0) {
			*el = LINK_EL_AREA;
			return (1);
		}
		return (0);
	case 'b':
	case 'B':
		return (strcasecmp(name, "base") == 0 ? -1 : 0);
	case 'f':
	case 'F':
		*at = LINK_ATTR_SRC;
		*el = LINK_EL_FRAME;
		return (strcasecmp(name, "frame") == 0);
	case 'i':
	case 'I':
		*at = LINK_ATTR_SRC;
		*el = LINK_EL_IFRAME;
		return (strcasecmp(name, "iframe") == 0);
	case 'l':
	case 'L':
		*el = LINK_EL_LINK;
		return (strcasecmp(name, "link") == 0);
	default:
		return (0);
	}
}

/*
 * SAX startElement: remember the raw reference of a link element, or of
 * the first <base href>. A value-less attribute (<a href>) counts as "".
 */
static void
links_start_element(void *ud, const xmlChar *name, const xmlChar **atts)
{
	struct links_ctx *lc = ud;
	struct link_list *l = lc->out;
	enum link_element el = LINK_EL_A;   /* set by links_classify; */
	enum link_attr at = LINK_ATTR_HREF; /* gcc -O2 cannot see it */
	const char *want, *val = NULL;
	size_t i, off;
	uint32_t src;
	int kind;
	enum cw_rc rc;

	if (lc->rc != CW_OK || name == NULL)
		return;
	src = links_offset(lc);
	if (atts == NULL)
		return;
	kind = links_classify((const char *)name, &el, &at);
	if (kind == 0 || (kind < 0 && lc->base_off != LINKS_NO_BASE))
		return;
	want = at == LINK_ATTR_SRC ? "src" : "href";
	for (i = 0; atts[i] != NULL; i += 2) {
		if (strcasecmp((const char *)atts[i], want) == 0) {
			val = atts[i + 1] != NULL ? (const char *)atts[i + 1]
						  : "";
			break;
		}
	}
	if (val == NULL)
		return;
	if (kind > 0 && (rc = links_grow_items(l)) != CW_OK)
		goto fail;
	rc = links_put_string(l, val, strlen(val), &off);
	if (rc != CW_OK)
		goto fail;
	if (kind < 0) {
		lc->base_off = off;
		return;
	}
	l->items[l->count].url_off = (uint32_t)off;
	l->items[l->count].src_offset = src;
	l->items[l->count].element = (uint8_t)el;
	l->items[l->count].attribute = (uint8_t)at;
	l->count++;
	return;
fail:
	if (rc == CW_ELIMIT) {
		/* A document with > 4 GB of references: keep what we have. */
		l->truncated++;
		return;
	}
	lc->rc = rc;
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
 * Build the SAX handler: only startElement. initialized = XML_SAX2_MAGIC
 * makes libxml2 honour serror, so parser errors reach our silent sink even
 * when some other code set a global structured error handler.
 */
static void
links_sax_init(htmlSAXHandler *sax)
{
	memset(sax, 0, sizeof(*sax));
	sax->startElement = links_start_element;
	sax->serror = links_silent_serror;
	sax->initialized = XML_SAX2_MAGIC;
}

/*
 * Resolve the raw references items[first..count) against the effective
 * base and replace them by the normalised URLs, compacting the list.
 * Resolved strings are appended after the raw ones and moved down over
 * them at the end, so raw strings are never overwritten while still
 * needed. At most max_links (0 = no limit) items are kept.
 */
static enum cw_rc
links_resolve(struct links_ctx *lc, const char *base_url, size_t first,
    size_t sfirst, size_t max_links)
{
	struct link_list *l = lc->out;
	char *base = NULL, *url = NULL;
	const char *eff;
	size_t i, n, kept = 0, rawend, off, shift;
	enum cw_rc rc = CW_OK, r;

	eff = base_url;
	if (lc->base_off != LINKS_NO_BASE) {
		/* An unusable <base href> leaves the document URL in force. */
		r = url_resolve(base_url, l->strings + lc->base_off, &base);
		if (r == CW_ENOMEM) {
			rc = r;
			goto out;
		}
		if (r == CW_OK)
			eff = base;
	}
	n = l->count;
	rawend = l->slen;
	for (i = first; i < n; i++) {
		if (max_links != 0 && kept == max_links) {
			/* Unresolved, so a few may be really "skipped". */
			l->truncated += n - i;
			break;
		}
		r = url_resolve(eff, l->strings + l->items[i].url_off, &url);
		if (r == CW_ENOMEM) {
			rc = r;
			goto out;
		}
		if (r != CW_OK) {
			l->skipped++;
			continue;
		}
		rc = links_put_string(l, url, strlen(url), &off);
		FREE_NULL(url);
		if (rc == CW_ELIMIT) {
			l->truncated += n - i;
			rc = CW_OK;
			break;
		}
		if (rc != CW_OK)
			goto out;
		l->items[first + kept] = l->items[i];
		l->items[first + kept].url_off = (uint32_t)off;
		kept++;
	}
	/* Move the resolved strings down over the raw ones. */
	shift = rawend - sfirst;
	if (shift > 0) {
		memmove(
		    l->strings + sfirst, l->strings + rawend, l->slen - rawend);
		l->slen -= shift;
		for (i = first; i < first + kept; i++)
			l->items[i].url_off -= (uint32_t)shift;
	}
	l->count = first + kept;
out:
	free(url);
	free(base);
	return (rc);
}

/* Whether s[0..n) is well-formed UTF-8 (plain ASCII included). */
static int
links_is_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, k, need;
	uint64_t w;

	while (i < n) {
		/* Skip ASCII eight bytes at a time: most of a page. */
		while (i + 8 <= n) {
			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ULL) != 0)
				break;
			i += 8;
		}
		if (i >= n)
			break;
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
			return (0);
		if (n - i <= need)
			return (0);
		for (k = 1; k <= need; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return (0);
		i += need + 1;
	}
	return (1);
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

/* Extract the links of one document into out (see links.h). */
enum cw_rc
links_extract(const char *html, size_t len, const char *base_url,
    size_t max_links, struct link_list *out)
{
	struct links_ctx lc;
	htmlSAXHandler sax;
	htmlParserCtxtPtr ctxt = NULL;
	xmlGenericErrorFunc old_generic;
	void *old_generic_ctx;
	xmlStructuredErrorFunc old_serror;
	void *old_serror_ctx;
	xmlCharEncoding enc;
	size_t first, sfirst, skip;
	int lock;
	enum cw_rc rc;

	if (out == NULL || (html == NULL && len > 0))
		return (CW_EINVAL);
	if (html == NULL)
		html = "";
	links_global_init();
	first = out->count;
	sfirst = out->slen;
	memset(&lc, 0, sizeof(lc));
	lc.out = out;
	lc.base_off = LINKS_NO_BASE;
	lc.rc = CW_OK;
	links_sax_init(&sax);

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
	rc = lc.rc;
	if (rc != CW_OK)
		goto out;
	rc = links_resolve(&lc, base_url, first, sfirst, max_links);
out:
	if (ctxt != NULL)
		htmlFreeParserCtxt(ctxt);
	xmlSetGenericErrorFunc(old_generic_ctx, old_generic);
	xmlSetStructuredErrorFunc(old_serror_ctx, old_serror);
	if (rc != CW_OK) {
		/* Leave the list as it was, minus nothing the caller had. */
		out->count = first;
		out->slen = sfirst;
	}
	return (rc);
}

/* The HTML name of a link element. */
const char *
link_element_name(enum link_element e)
{
	switch (e) {
	case LINK_EL_A:
		return ("a");
	case LINK_EL_AREA:
		return ("area");
	case LINK_EL_LINK:
		return ("link");
	case LINK_EL_IFRAME:
		return ("iframe");
	case LINK_EL_FRAME:
		return ("frame");
	case LINK_EL_REDIRECT:
		return ("redirect");
	}
	return ("unknown");
}

/* The HTML name of a link attribute. */
const char *
link_attr_name(enum link_attr a)
{
	switch (a) {
	case LINK_ATTR_HREF:
		return ("href");
	case LINK_ATTR_SRC:
		return ("src");
	case LINK_ATTR_LOCATION:
		return ("location");
	}
	return ("unknown");
}
