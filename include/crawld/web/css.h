/* SPDX-License-Identifier: MIT */
/*
 * css.h - link extraction from CSS: url(...), @import "x", @import url(x)
 * and the strings of image-set(), with the byte span of each reference.
 * Pure: no loop, no network, no store, no globals, so it runs on any
 * thread. Follows the tokenizer of CSS Syntax Level 3 (comments, strings,
 * escapes, bad strings and bad urls) in one pass: the work is linear in
 * the input whatever it holds.
 *
 * Two entry points: css_scan() reports raw references to a callback (links.c
 * uses it for <style> blocks and style attributes), css_extract() resolves
 * the references of a stylesheet document into a struct link_list.
 * The bytes are taken as UTF-8 (or any ASCII-compatible encoding: CSS
 * syntax is ASCII; other bytes pass through into the URL, where
 * url_resolve() percent-encodes them).
 */
#ifndef CRAWLD_CSS_H
#define CRAWLD_CSS_H

#include "crawld/base/common.h"
#include "crawld/web/links.h"

enum css_kind {
	CSS_REF_URL = 0, /* url(x), url("x"), or a string of image-set() */
	CSS_REF_IMPORT,	 /* @import "x" or @import url(x) */
};

/*
 * One reference found by css_scan(). [off, off + len) is the raw text in
 * the input: inside the quotes of a string, or an unquoted url()'s text
 * without its surrounding blanks. value[0..value_len) is that text with
 * CSS escapes decoded (borrowed from the scanner: valid during the
 * callback only; not NUL-terminated, and it may contain NUL only where
 * the input had an escape that CSS turns into U+FFFD, never a raw NUL).
 */
struct css_ref {
	size_t off;
	size_t len;
	const char *value;
	size_t value_len;
	enum css_kind kind;
	enum link_quote quote; /* LINK_Q_DOUBLE/SINGLE, or LINK_Q_NONE */
};

/* Called once per reference, in input order; non-CW_OK stops the scan. */
typedef enum cw_rc css_ref_cb(void *arg, const struct css_ref *ref);

/* css_scan() flags */
#define CSS_SCAN_DECLS                                                         \
	0x01 /* a style attribute: declarations only, no                       \
		@import (as browsers ignore it there) */

/*
 * Scan css[0..len) and call cb for every reference. Returns CW_OK, the
 * callback's first non-CW_OK result, or CW_ENOMEM. The input need not be
 * NUL-terminated and may hold any bytes.
 */
CW_WARN_UNUSED enum cw_rc css_scan(
    const char *css, size_t len, unsigned flags, css_ref_cb *cb, void *arg);

/*
 * Extract the references of a stylesheet css[0..len) whose URL is
 * base_url, resolved and normalised like links_extract()'s, into out:
 * element LINK_EL_CSS, attribute LINK_ATTR_URL or LINK_ATTR_IMPORT (an
 * @import also gets LINK_F_EXPECT_CSS), every item LINK_F_REQUISITE |
 * LINK_F_CSS, with exact spans when LINKS_OPT_OFFSETS. o->mode is not
 * used; o->max_links bounds the items as for HTML. Returns CW_OK,
 * CW_EINVAL or CW_ENOMEM (out is then as it was).
 */
CW_WARN_UNUSED enum cw_rc css_extract(const char *css, size_t len,
    const char *base_url, const struct links_opts *o, struct link_list *out);

#endif /* CRAWLD_CSS_H */
