/* SPDX-License-Identifier: MIT */
/*
 * links.h - link extraction from HTML with libxml2's push (SAX) parser.
 * Pure: (bytes, base URL) in, a list of absolute normalised URLs out. No
 * loop, no network, no store, no globals after links_global_init(), so it
 * runs on worker threads: each call owns its parser context and scratch,
 * and a struct link_list belongs to one thread at a time.
 *
 * What comes out depends on enum links_mode: by default the links crawld
 * has always followed (a/area/link href, iframe/frame src); LINKS_MODE_ALL
 * adds the page requisites (images, scripts, media, stylesheets, CSS
 * url() and @import in <style> blocks and style attributes);
 * LINKS_MODE_REQUISITES takes the requisites alone, cheaply, for a page
 * that is mirrored but whose links are not followed (the depth limit).
 * Every link says which element and attribute it came from, whether it is
 * a page requisite, and, when asked, the exact bytes of its reference in
 * the document, so a link converter can rewrite it in place.
 *
 * The first <base href> (resolved against the document URL) is the base
 * of every link of the document, also those before it, as the HTML spec
 * says: references are collected raw during the parse and resolved once it
 * ends. Nothing is taken from comments or script text. References that are
 * not http(s) (javascript:, mailto:, data:, ...) or do not parse are
 * skipped and counted.
 */
#ifndef CRAWLD_LINKS_H
#define CRAWLD_LINKS_H

#include <stdbool.h>

#include "crawld/base/common.h"

/*
 * Where a link came from: the element. Values 0-5 are stored by name in
 * the links table, so they never change; new ones are appended.
 */
enum link_element {
	LINK_EL_A = 0,
	LINK_EL_AREA,
	LINK_EL_LINK,
	LINK_EL_IFRAME,
	LINK_EL_FRAME,
	LINK_EL_REDIRECT, /* not from HTML: a 3xx Location (engine use) */
	LINK_EL_IMG,
	LINK_EL_SOURCE, /* <source> in <picture>, <video> or <audio> */
	LINK_EL_SCRIPT,
	LINK_EL_VIDEO,
	LINK_EL_AUDIO,
	LINK_EL_TRACK,
	LINK_EL_INPUT, /* <input type=image> */
	LINK_EL_OBJECT,
	LINK_EL_EMBED,
	LINK_EL_BODY, /* background= on body, table, td or th */
	LINK_EL_TABLE,
	LINK_EL_TD,
	LINK_EL_TH,
	LINK_EL_STYLE, /* CSS in a <style> block */
	LINK_EL_ANY,   /* a style attribute, on whatever element */
	LINK_EL_CSS,   /* a stylesheet document (css_extract()) */
};
#define LINK_EL_COUNT (LINK_EL_CSS + 1)

/* Where a link came from: the attribute (or CSS construct). */
enum link_attr {
	LINK_ATTR_HREF = 0,
	LINK_ATTR_SRC,
	LINK_ATTR_LOCATION, /* the Location header of a redirect */
	LINK_ATTR_SRCSET,   /* one candidate of img/source srcset */
	LINK_ATTR_POSTER,   /* video poster */
	LINK_ATTR_DATA,	    /* object data */
	LINK_ATTR_BACKGROUND,
	LINK_ATTR_STYLE,  /* a url() in a style attribute */
	LINK_ATTR_URL,	  /* a url() (or image-set string) in CSS */
	LINK_ATTR_IMPORT, /* an @import in CSS */
};
#define LINK_ATTR_COUNT (LINK_ATTR_IMPORT + 1)

/*
 * struct link.flags. A page requisite is what a browser loads to render
 * the page: img, picture/source, script, link rel=stylesheet/icon/preload/
 * modulepreload, video/audio/track/poster, input type=image, object,
 * embed, background=, CSS url() and @import, and iframe/frame content (as
 * wget -p counts it: a frame is part of the page). The rest (a, area,
 * link with another rel or none) is navigational.
 */
#define LINK_F_REQUISITE 0x01 /* needed to render the page */
#define LINK_F_OFFSET_UNKNOWN                                                  \
	0x02 /* off/len are not known (not asked for, UTF-16, a document       \
		libxml2 parsed differently): never guess, leave it alone */
#define LINK_F_CSS 0x04	       /* the span is CSS text (url(), string) */
#define LINK_F_ATTR 0x08       /* the span is in an HTML attribute value */
#define LINK_F_EXPECT_CSS 0x10 /* the target is a stylesheet */
#define LINK_F_DOCUMENT 0x20   /* the target is a frame's document */
#define LINK_F_HAS_RAW 0x40    /* link_list_raw() has the raw reference */

/*
 * How the span's text is delimited in the document (struct link.quote):
 * for an attribute, its quotes; for CSS, the string's quotes or none for
 * an unquoted url(). LINK_Q_ABSENT is an attribute without a value (<a
 * href>): off is just past the name and len is 0.
 */
enum link_quote {
	LINK_Q_NONE = 0,
	LINK_Q_DOUBLE,
	LINK_Q_SINGLE,
	LINK_Q_ABSENT,
};

/*
 * One link. The span [off, off + len) is the reference's raw text in the
 * original bytes of the document, before entity decoding, CSS unescaping
 * and resolution: an attribute's whole value (inside its quotes), one
 * srcset candidate's URL, the inside of a url(...) or of an @import
 * string. Decoding the span (entities when LINK_F_ATTR, then CSS escapes
 * when LINK_F_CSS) gives the raw reference the URL was resolved from.
 * To rewrite a link in place, replace the span by the new reference
 * escaped for its context: CSS escapes (or a quoted string) when
 * LINK_F_CSS, then &amp; &quot; &#39; &lt; &gt; when LINK_F_ATTR, and
 * no unescaped blank when the quote is LINK_Q_NONE. Spans never overlap.
 * Only valid without LINK_F_OFFSET_UNKNOWN.
 */
struct link {
	uint32_t url_off;    /* offset of the NUL-terminated URL in strings */
	uint32_t src_offset; /* where the element was seen: just past its
				start tag's attributes (best effort, never
				decreasing; see docs/internals/links.md) */
	uint32_t off;	     /* span start, in the document's bytes */
	uint32_t len;	     /* span length in bytes */
	uint8_t element;     /* enum link_element */
	uint8_t attribute;   /* enum link_attr */
	uint8_t flags;	     /* LINK_F_* */
	uint8_t quote;	     /* enum link_quote */
};

/*
 * The result of one or more extractions. Owns items and strings; one
 * allocation each, grown by doubling, so there is no per-link heap churn.
 * Items come in document order (the references of one element in a fixed
 * order of its attributes).
 */
struct link_list {
	struct link *items; /* owned */
	size_t count;
	size_t cap;
	char *strings; /* owned; URLs (and raw references), NUL-separated */
	size_t slen;
	size_t scap;
	size_t skipped;	  /* references dropped: bad or non-http(s) */
	size_t truncated; /* references dropped past max_links */
	/*
	 * The first <base href> of the last HTML extraction, as a span like
	 * struct link's (with LINK_OPT_OFFSETS; a converter must neutralise
	 * it). base_found is false when the document has none.
	 */
	bool base_found;
	uint8_t base_flags; /* LINK_F_OFFSET_UNKNOWN, LINK_F_ATTR */
	uint8_t base_quote; /* enum link_quote */
	uint32_t base_off;
	uint32_t base_len;
};

/* Which links links_extract_opts() takes. */
enum links_mode {
	/*
	 * What a crawl follows without --page-requisites, and all that
	 * crawld took before requisites existed: a/area/link href (every
	 * rel) and iframe/frame src. links_extract() uses it.
	 */
	LINKS_MODE_DEFAULT = 0,
	/* LINKS_MODE_DEFAULT plus every page requisite. */
	LINKS_MODE_ALL,
	/*
	 * The page requisites alone (LINK_F_REQUISITE set on every item), for
	 * a page at the depth limit of a mirror.
	 */
	LINKS_MODE_REQUISITES,
};

/*
 * Which HTML reader links_extract_opts() uses. The raw scanner
 * (htmlscan.c) follows libxml2 2.9's tokenizer over the bytes and reads
 * what libxml2 would, at a tenth of the cost or less, with exact spans;
 * it reads only documents it can read exactly (UTF-8 or ASCII that no
 * <meta> switches to another encoding), so everything else goes to
 * libxml2. Where libxml2 drops markup the scanner reads it, as browsers
 * do: a start tag libxml2 discards (a misplaced <html>, a <head> not in
 * the root, a second <body>), and everything after the point where
 * libxml2 stops in its epilog (after the root element's end tag, or an
 * end tag met with no element open). tests/unit/web/
 * test_links_differential.c holds the two to exactly that.
 */
enum links_parser {
	LINKS_PARSER_AUTO = 0, /* the raw scanner when it can, else libxml2 */
	LINKS_PARSER_LIBXML2,  /* always libxml2 (--html-parser libxml2) */
	/* The raw scanner or CW_ENOTSUP (nothing appended): for tests. */
	LINKS_PARSER_RAW,
};

/* struct links_opts.flags */
#define LINKS_OPT_OFFSETS 0x01 /* fill off/len/quote (else all unknown) */
#define LINKS_OPT_RAW 0x02     /* keep raw references: link_list_raw() */

struct links_opts {
	enum links_mode mode;
	unsigned flags;		  /* LINKS_OPT_* */
	size_t max_links;	  /* items appended at most (0 = no limit) */
	enum links_parser parser; /* LINKS_PARSER_AUTO when zeroed */
};

/* Call once at startup, before any thread calls links_extract(). */
void links_global_init(void);

/* Initialise an empty list. */
void link_list_init(struct link_list *l);

/* Free the list's storage; the list may be reused after link_list_init(). */
void link_list_cleanup(struct link_list *l);

/* Forget the contents, keep the storage. */
void link_list_reset(struct link_list *l);

/* The URL of item i (borrowed from the list). */
const char *link_list_url(const struct link_list *l, size_t i);

/*
 * The raw reference item i was resolved from (entity-decoded, CSS
 * unescaped, in UTF-8, before resolution: "../a.png#x"), borrowed from the
 * list; NULL unless it was extracted with LINKS_OPT_RAW.
 */
const char *link_list_raw(const struct link_list *l, size_t i);

/*
 * The items of l that are the first of their URL and kind, in order: a
 * page's links without its repeats. Two items are of one kind when both
 * or neither are page requisites and both or neither are a CSS @import:
 * what decides how far a crawl follows a link, so a repeat is exactly
 * what a crawl would find again on the same page with nothing left to do
 * (the links table keeps the first way a page linked to another).
 * first and fps have room for l->count values; on CW_OK, first[0 ..
 * *nfirst) are the items' indices, increasing, and fps[k] is
 * fpset_fingerprint() of item first[k]'s URL (so a seen-set lookup need
 * not hash it again). l is not changed. CW_ENOMEM or CW_EINVAL (too many
 * items) otherwise.
 */
CW_WARN_UNUSED enum cw_rc link_list_firsts(
    const struct link_list *l, uint32_t *first, uint64_t *fps, size_t *nfirst);

/*
 * Extract links from html[0..len) (any encoding libxml2 detects; the bytes
 * need not be NUL-terminated) whose URL is base_url (absolute, normalised).
 * o == NULL means LINKS_MODE_DEFAULT, no flags, no limit. Appends at most
 * o->max_links items to out (0 = no limit); the rest are counted in
 * out->truncated. Offsets are relative to html, also when out already
 * held items. Returns CW_OK (also for malformed HTML, which yields what
 * can be recovered), CW_EINVAL or CW_ENOMEM (out is then as it was), or
 * with LINKS_PARSER_RAW CW_ENOTSUP (out as it was) for a document only
 * libxml2 reads.
 * Does not free html. Safe on several threads at once, each with its own
 * list.
 */
CW_WARN_UNUSED enum cw_rc links_extract_opts(const char *html, size_t len,
    const char *base_url, const struct links_opts *o, struct link_list *out);

/* links_extract_opts() with LINKS_MODE_DEFAULT, no flags, max_links. */
CW_WARN_UNUSED enum cw_rc links_extract(const char *html, size_t len,
    const char *base_url, size_t max_links, struct link_list *out);

/*
 * "a", "area", ..., "redirect", "img", ... for enum link_element (the
 * links table's element column); "href", "src", "srcset", ... for attr.
 * "unknown" outside the enum.
 */
const char *link_element_name(enum link_element e);
const char *link_attr_name(enum link_attr a);

#endif /* CRAWLD_LINKS_H */
