/* SPDX-License-Identifier: MIT */
/*
 * links.c - link extraction from HTML: the public entry points, the list,
 * and the accumulator every extractor of the web layer appends to.
 *
 * A call collects raw references (copied into the caller's struct
 * link_list arena, with their element, attribute, flags and spans) while
 * one of the HTML paths runs: the raw tokenizer (linkraw.c) for a page it
 * reads exactly as libxml2 would (UTF-8 or ASCII, no encoding switch),
 * else libxml2's SAX parser (linksax.c), or libxml2 always when asked
 * (LINKS_PARSER_LIBXML2);
 * css.c uses the same accumulator for stylesheets. When the document
 * ends, every raw reference is resolved against the effective base (the
 * first <base href>, itself resolved against the document URL) and the
 * raw entries are replaced by the normalised URLs. The module owns
 * nothing between calls; the only global is the one-time xmlInitParser().
 */
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <libxml/parser.h>

#include "crawld/base/fpset.h"
#include "crawld/web/links.h"
#include "crawld/web/url.h"
#include "links_int.h"

/* First sizes of the arrays; both double from there. */
#define LINKS_ITEMS_MIN 32
#define LINKS_STRINGS_MIN 2048

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
	l->base_found = false;
	l->base_flags = 0;
	l->base_quote = 0;
	l->base_off = 0;
	l->base_len = 0;
}

/* The URL of item i (borrowed from the list). */
const char *
link_list_url(const struct link_list *l, size_t i)
{
	if (i >= l->count)
		return (NULL);
	return (l->strings + l->items[i].url_off);
}

/* The raw reference of item i, kept after its URL (LINKS_OPT_RAW). */
const char *
link_list_raw(const struct link_list *l, size_t i)
{
	const char *u;

	if (i >= l->count || (l->items[i].flags & LINK_F_HAS_RAW) == 0)
		return (NULL);
	u = l->strings + l->items[i].url_off;
	return (u + strlen(u) + 1);
}

/*
 * The kind of a link for link_list_firsts(): what decides how far a crawl
 * follows it (engine's crawl_link_max_depth): a page requisite or not, an
 * @import or not.
 */
static unsigned
links_kind(const struct link *it)
{
	return ((it->flags & LINK_F_REQUISITE) != 0 ? 1u : 0u) |
	    (it->attribute == LINK_ATTR_IMPORT ? 2u : 0u);
}

/* The firsts table's slot for fingerprint fp of kind k. */
static size_t
links_firsts_slot(uint64_t fp, unsigned k, size_t mask)
{
	uint64_t h = fp ^ ((uint64_t)k * 0x9e3779b97f4a7c15ULL);

	return (size_t)(h ^ (h >> 29)) & mask;
}

/*
 * link_list_firsts() over an open-addressed table of positions in first[]
 * + 1 (0 = empty), at most half full.
 */
static size_t
links_firsts_run(const struct link_list *l, uint32_t *first, uint64_t *fps,
    uint32_t *table, size_t mask)
{
	const char *u;
	size_t i, n = 0, slot;
	uint64_t fp;
	unsigned k;
	uint32_t j;

	for (i = 0; i < l->count; i++) {
		u = l->strings + l->items[i].url_off;
		fp = fpset_fingerprint(u, strlen(u));
		k = links_kind(&l->items[i]);
		slot = links_firsts_slot(fp, k, mask);
		for (; (j = table[slot]) != 0; slot = (slot + 1) & mask)
			if (fps[j - 1] == fp &&
			    links_kind(&l->items[first[j - 1]]) == k &&
			    strcmp(u,
				l->strings + l->items[first[j - 1]].url_off) ==
				0)
				break;
		if (j != 0)
			continue; /* a repeat: the first one stands */
		table[slot] = (uint32_t)(n + 1);
		first[n] = (uint32_t)i;
		fps[n] = fp;
		n++;
	}
	return n;
}

enum cw_rc
link_list_firsts(
    const struct link_list *l, uint32_t *first, uint64_t *fps, size_t *nfirst)
{
	uint32_t *table;
	size_t n = 16;

	if (l->count > UINT32_MAX - 1)
		return CW_EINVAL;
	while (n < 2 * l->count)
		n *= 2;
	table = calloc(n, sizeof(*table));
	if (table == NULL)
		return CW_ENOMEM;
	*nfirst = links_firsts_run(l, first, fps, table, n - 1);
	free(table);
	return CW_OK;
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

/*
 * Copy s[0..n) plus a NUL into the arena, then (unless toff is SIZE_MAX)
 * the arena's own NUL-terminated string at toff; *off gets the offset of
 * the first. The second is named by offset: growing may move the arena.
 */
static enum cw_rc
links_put_strings(
    struct link_list *l, const char *s, size_t n, size_t toff, size_t *off)
{
	size_t tn = toff != SIZE_MAX ? strlen(l->strings + toff) : 0;
	size_t need = n + 1 + (toff != SIZE_MAX ? tn + 1 : 0);
	enum cw_rc rc;

	rc = links_grow_strings(l, need);
	if (rc != CW_OK)
		return (rc);
	memcpy(l->strings + l->slen, s, n);
	l->strings[l->slen + n] = '\0';
	if (toff != SIZE_MAX)
		memcpy(l->strings + l->slen + n + 1, l->strings + toff, tn + 1);
	*off = l->slen;
	l->slen += need;
	return (CW_OK);
}

/* Start the accumulator of one call. */
void
links_acc_init(
    struct links_acc *a, struct link_list *out, const struct links_opts *o)
{
	memset(a, 0, sizeof(*a));
	a->out = out;
	if (o != NULL)
		a->o = *o;
	a->first = out->count;
	a->sfirst = out->slen;
	a->base_raw = LINKS_NO_BASE;
	buf_init(&a->pv.text, SIZE_MAX);
	buf_init(&a->pr.text, SIZE_MAX);
	out->base_found = false;
	out->base_flags = LINK_F_OFFSET_UNKNOWN;
	out->base_quote = 0;
	out->base_off = 0;
	out->base_len = 0;
}

/* Set proto's span, or mark it unknown (see links_int.h). */
void
links_acc_span(struct links_acc *a, struct link *proto, size_t off, size_t len)
{
	if ((a->o.flags & LINKS_OPT_OFFSETS) == 0 || off > UINT32_MAX ||
	    len > UINT32_MAX - off) {
		proto->flags |= LINK_F_OFFSET_UNKNOWN;
		proto->off = 0;
		proto->len = 0;
		return;
	}
	proto->flags &= (uint8_t)~LINK_F_OFFSET_UNKNOWN;
	proto->off = (uint32_t)off;
	proto->len = (uint32_t)len;
}

/* Append one raw reference (see links_int.h). */
enum cw_rc
links_acc_add(
    struct links_acc *a, const char *v, size_t n, const struct link *proto)
{
	struct link_list *l = a->out;
	size_t off;
	enum cw_rc rc;

	rc = links_grow_items(l);
	if (rc != CW_OK)
		return (rc);
	rc = links_put_strings(l, v, n, SIZE_MAX, &off);
	if (rc == CW_ELIMIT) {
		/* A document with > 4 GB of references: keep what we have. */
		l->truncated++;
		return (CW_OK);
	}
	if (rc != CW_OK)
		return (rc);
	l->items[l->count] = *proto;
	if ((a->o.flags & LINKS_OPT_OFFSETS) == 0) {
		l->items[l->count].flags |= LINK_F_OFFSET_UNKNOWN;
		l->items[l->count].off = 0;
		l->items[l->count].len = 0;
	}
	l->items[l->count].flags &= (uint8_t)~LINK_F_HAS_RAW;
	l->items[l->count].url_off = (uint32_t)off;
	l->count++;
	return (CW_OK);
}

/* Record the first <base href> (see links_int.h). */
enum cw_rc
links_acc_base(
    struct links_acc *a, const char *v, size_t n, const struct link *span)
{
	struct link_list *l = a->out;
	size_t off;
	enum cw_rc rc;

	if (a->base_raw != LINKS_NO_BASE)
		return (CW_OK);
	rc = links_put_strings(l, v, n, SIZE_MAX, &off);
	if (rc == CW_ELIMIT)
		return (CW_OK);
	if (rc != CW_OK)
		return (rc);
	a->base_raw = off;
	l->base_found = true;
	l->base_flags = span->flags & (LINK_F_OFFSET_UNKNOWN | LINK_F_ATTR);
	l->base_quote = span->quote;
	l->base_off = span->off;
	l->base_len = span->len;
	if ((a->o.flags & LINKS_OPT_OFFSETS) == 0) {
		l->base_flags |= LINK_F_OFFSET_UNKNOWN;
		l->base_off = l->base_len = 0;
	}
	return (CW_OK);
}

/*
 * Resolve the raw references items[first..count) against the effective
 * base and replace them by the normalised URLs (each followed by its raw
 * reference with LINKS_OPT_RAW), compacting the list. Resolved strings
 * are appended after the raw ones and moved down over them at the end,
 * so raw strings are never overwritten while still needed. At most
 * max_links (0 = no limit) items are kept.
 */
enum cw_rc
links_acc_finish(struct links_acc *a, const char *base_url)
{
	struct link_list *l = a->out;
	char *base = NULL, *url = NULL;
	const char *eff, *raw;
	size_t i, n, kept = 0, rawend, off, shift, first = a->first;
	size_t max = a->o.max_links;
	bool keep_raw = (a->o.flags & LINKS_OPT_RAW) != 0;
	enum cw_rc rc = CW_OK, r;

	eff = base_url;
	if (a->base_raw != LINKS_NO_BASE) {
		/* An unusable <base href> leaves the document URL in force. */
		r = url_resolve(base_url, l->strings + a->base_raw, &base);
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
		if (max != 0 && kept == max) {
			/* Unresolved, so a few may be really "skipped". */
			l->truncated += n - i;
			break;
		}
		raw = l->strings + l->items[i].url_off;
		r = url_resolve(eff, raw, &url);
		if (r == CW_ENOMEM) {
			rc = r;
			goto out;
		}
		if (r != CW_OK) {
			l->skipped++;
			continue;
		}
		rc = links_put_strings(l, url, strlen(url),
		    keep_raw ? l->items[i].url_off : SIZE_MAX, &off);
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
		if (keep_raw)
			l->items[first + kept].flags |= LINK_F_HAS_RAW;
		kept++;
	}
	/* Move the resolved strings down over the raw ones. */
	shift = rawend - a->sfirst;
	if (shift > 0) {
		memmove(l->strings + a->sfirst, l->strings + rawend,
		    l->slen - rawend);
		l->slen -= shift;
		for (i = first; i < first + kept; i++)
			l->items[i].url_off -= (uint32_t)shift;
	}
	l->count = first + kept;
	a->base_raw = LINKS_NO_BASE;
out:
	free(url);
	free(base);
	return (rc);
}

/* Free a pieces vector. */
void
links_pieces_cleanup(struct links_pieces *ps)
{
	free(ps->p);
	buf_cleanup(&ps->text);
	memset(ps, 0, sizeof(*ps));
}

/* End the call (see links_int.h). */
void
links_acc_done(struct links_acc *a, enum cw_rc rc)
{
	links_pieces_cleanup(&a->pv);
	links_pieces_cleanup(&a->pr);
	if (rc != CW_OK) {
		/* Leave the list as it was, minus nothing the caller had. */
		a->out->count = a->first;
		a->out->slen = a->sfirst;
		a->out->base_found = false;
	}
}

/*
 * Whether s[0..n) is UTF-8 libxml2 decodes without an error (so it never
 * switches to ISO-8859-1 mid-stream): well-formed sequences, no overlong
 * forms (which libxml2 rejects), surrogates allowed (which it accepts).
 */
bool
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

/* Extract the links of one document into out (see links.h). */
enum cw_rc
links_extract_opts(const char *html, size_t len, const char *base_url,
    const struct links_opts *o, struct link_list *out)
{
	struct links_acc acc;
	enum cw_rc rc;

	if (out == NULL || base_url == NULL || (html == NULL && len > 0))
		return (CW_EINVAL);
	if (o != NULL &&
	    ((unsigned)o->mode > LINKS_MODE_REQUISITES ||
		(unsigned)o->parser > LINKS_PARSER_RAW ||
		(o->flags & ~(unsigned)(LINKS_OPT_OFFSETS | LINKS_OPT_RAW)) !=
		    0))
		return (CW_EINVAL);
	if (html == NULL)
		html = "";
	links_global_init();
	links_acc_init(&acc, out, o);
	rc = CW_ENOTSUP;
	if (acc.o.parser != LINKS_PARSER_LIBXML2)
		rc = links_raw_run(&acc, html, len);
	if (rc == CW_ENOTSUP && acc.o.parser != LINKS_PARSER_RAW)
		rc = links_sax_run(&acc, html, len);
	if (rc == CW_OK)
		rc = links_acc_finish(&acc, base_url);
	links_acc_done(&acc, rc);
	return (rc);
}

/* links_extract_opts() in the default mode (see links.h). */
enum cw_rc
links_extract(const char *html, size_t len, const char *base_url,
    size_t max_links, struct link_list *out)
{
	struct links_opts o;

	memset(&o, 0, sizeof(o));
	o.max_links = max_links;
	return (links_extract_opts(html, len, base_url, &o, out));
}

/* The name of a link element (the links table's element column). */
const char *
link_element_name(enum link_element e)
{
	static const char *const names[LINK_EL_COUNT] = {
	    [LINK_EL_A] = "a",
	    [LINK_EL_AREA] = "area",
	    [LINK_EL_LINK] = "link",
	    [LINK_EL_IFRAME] = "iframe",
	    [LINK_EL_FRAME] = "frame",
	    [LINK_EL_REDIRECT] = "redirect",
	    [LINK_EL_IMG] = "img",
	    [LINK_EL_SOURCE] = "source",
	    [LINK_EL_SCRIPT] = "script",
	    [LINK_EL_VIDEO] = "video",
	    [LINK_EL_AUDIO] = "audio",
	    [LINK_EL_TRACK] = "track",
	    [LINK_EL_INPUT] = "input",
	    [LINK_EL_OBJECT] = "object",
	    [LINK_EL_EMBED] = "embed",
	    [LINK_EL_BODY] = "body",
	    [LINK_EL_TABLE] = "table",
	    [LINK_EL_TD] = "td",
	    [LINK_EL_TH] = "th",
	    [LINK_EL_STYLE] = "style",
	    [LINK_EL_ANY] = "any",
	    [LINK_EL_CSS] = "css",
	};

	if ((unsigned)e >= LINK_EL_COUNT || names[e] == NULL)
		return ("unknown");
	return (names[e]);
}

/* The name of a link attribute. */
const char *
link_attr_name(enum link_attr a)
{
	static const char *const names[LINK_ATTR_COUNT] = {
	    [LINK_ATTR_HREF] = "href",
	    [LINK_ATTR_SRC] = "src",
	    [LINK_ATTR_LOCATION] = "location",
	    [LINK_ATTR_SRCSET] = "srcset",
	    [LINK_ATTR_POSTER] = "poster",
	    [LINK_ATTR_DATA] = "data",
	    [LINK_ATTR_BACKGROUND] = "background",
	    [LINK_ATTR_STYLE] = "style",
	    [LINK_ATTR_URL] = "url",
	    [LINK_ATTR_IMPORT] = "import",
	};

	if ((unsigned)a >= LINK_ATTR_COUNT || names[a] == NULL)
		return ("unknown");
	return (names[a]);
}
