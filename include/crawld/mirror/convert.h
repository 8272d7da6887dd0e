/* SPDX-License-Identifier: MIT */
/*
 * convert.h - link conversion for a mirrored document (HTML or CSS): each
 * link whose span the extractor reported is replaced, in the original
 * bytes, by a relative path to the target's local file when the target is
 * mirrored, or by its absolute URL when it is not. Nothing else of the
 * document changes: it is never re-serialised, so markup the parser
 * repaired, comments, scripts and the encoding stay as they came.
 *
 * The rules (README "Mirroring"):
 *  - a reference that is only a fragment ("#top") is left alone;
 *  - a fragment of any other reference is kept after the new one;
 *  - a link without a known span (LINK_F_OFFSET_UNKNOWN: not asked for,
 *    UTF-16, a document libxml2 read differently) or without a value is
 *    left alone: never guessed;
 *  - the new reference is escaped for its place: CSS escapes in CSS, then
 *    character references in an HTML attribute;
 *  - the first <base href> is emptied (href=""), since every converted
 *    link is relative to the file itself.
 * Links past --max-links are not in the list and stay as they were.
 *
 * Pure apart from the lookup callback; any thread.
 */
#ifndef CRAWLD_CONVERT_H
#define CRAWLD_CONVERT_H

#include <stddef.h>

#include "crawld/base/common.h"
#include "crawld/web/links.h"

/* The local path (as the mirror map has it) of url: *local malloc'd, or
   NULL when url is not mirrored. */
typedef enum cw_rc convert_lookup_cb(void *arg, const char *url, char **local);

struct convert_result {
	char *data; /* owned (malloc'd), NUL after len bytes */
	size_t len;
	size_t local;	 /* links now relative to a local file */
	size_t absolute; /* links now an absolute URL (target not mirrored) */
	size_t kept;	 /* links left alone (fragment only, no span) */
};

/*
 * Convert doc[0..len), the document at local path self, whose links
 * (extracted with LINKS_OPT_OFFSETS | LINKS_OPT_RAW from these bytes) are
 * links. On CW_OK out->data is the caller's (free). A lookup failure is
 * returned as it is (out empty).
 */
CW_WARN_UNUSED enum cw_rc convert_document(const char *doc, size_t len,
    const char *self, const struct link_list *links, convert_lookup_cb *lookup,
    void *arg, struct convert_result *out);

#endif /* CRAWLD_CONVERT_H */
