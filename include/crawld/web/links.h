/* SPDX-License-Identifier: MIT */
/*
 * links.h - link extraction from HTML with libxml2's push (SAX) parser.
 * Pure: (bytes, base URL) in, a list of absolute normalised URLs out. No
 * loop, no network, no store, no globals after links_global_init(), so it
 * can run on worker threads (each call owns its own parser context).
 *
 * Extracted: a/area/link href, iframe/frame src. The first <base href>
 * (resolved against the document URL) is the base for every link of the
 * document, also those before it, as the HTML spec says: references are
 * collected raw during the parse and resolved once it ends.
 * Nothing is taken from comments, script or style text. References that are
 * not http(s) (javascript:, mailto:, data:, ...) or do not parse are skipped
 * and counted.
 */
#ifndef CRAWLD_LINKS_H
#define CRAWLD_LINKS_H

#include "crawld/base/common.h"

enum link_element {
	LINK_EL_A = 0,
	LINK_EL_AREA,
	LINK_EL_LINK,
	LINK_EL_IFRAME,
	LINK_EL_FRAME,
	LINK_EL_REDIRECT, /* not from HTML: a 3xx Location (engine use) */
};

enum link_attr {
	LINK_ATTR_HREF = 0,
	LINK_ATTR_SRC,
	LINK_ATTR_LOCATION, /* the Location header of a redirect */
};

struct link {
	uint32_t url_off;    /* offset of the NUL-terminated URL in strings */
	uint32_t src_offset; /* byte offset in the document where the
				element was seen (best effort) */
	uint8_t element;     /* enum link_element */
	uint8_t attribute;   /* enum link_attr */
};

/*
 * The result of one extraction. Owns items and strings; one allocation
 * each, grown by doubling, so there is no per-link heap churn.
 */
struct link_list {
	struct link *items; /* owned */
	size_t count;
	size_t cap;
	char *strings; /* owned; URLs, NUL-separated */
	size_t slen;
	size_t scap;
	size_t skipped;	  /* references dropped: bad or non-http(s) */
	size_t truncated; /* references dropped past max_links */
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
 * Extract links from html[0..len) (any encoding libxml2 detects; the bytes
 * need not be NUL-terminated) whose URL is base_url (absolute, normalised).
 * Appends at most max_links items to out (0 = no limit); the rest are
 * counted in out->truncated. Returns CW_OK (also for malformed HTML, which
 * yields what can be recovered) or CW_ENOMEM. Does not free html.
 */
CW_WARN_UNUSED enum cw_rc links_extract(const char *html, size_t len,
    const char *base_url, size_t max_links, struct link_list *out);

/* "a", "area", ... for enum link_element; "href", "src", ... for attr. */
const char *link_element_name(enum link_element e);
const char *link_attr_name(enum link_attr a);

#endif /* CRAWLD_LINKS_H */
