/* SPDX-License-Identifier: MIT */
/*
 * localpath.h - the name a mirrored URL gets under the mirror directory:
 * "<host>[_<port>]/<path>", relative, from the URL alone (never from the
 * server's Content-Disposition or anything else it says). Pure: no file
 * system, no globals; safe on any thread.
 *
 * The rules (README "Mirroring"):
 *  - each path segment is percent-decoded, then '%', '/', '\\', control
 *    bytes (< 0x20, 0x7f) are written as %XX, so "%2F" never separates
 *    and every name maps back to one segment; "." and ".." become "%2E"
 *    and "%2E%2E", an empty segment "%_";
 *  - a directory URL (path ending in '/') gets "index.html";
 *  - the query is folded into the last segment after a '?', escaped the
 *    same way (so a '/' in the query is "%2F");
 *  - an HTML body whose name does not end in .html or .htm gets ".html"
 *    (wget -E), a stylesheet without .css gets ".css" (browsers reading
 *    file:// take the type from the name);
 *  - a segment longer than LOCALPATH_SEGMENT_MAX bytes keeps its head,
 *    then "~" and 16 hex digits of a hash of the whole segment, then its
 *    extension (up to 8 bytes);
 *  - a path longer than LOCALPATH_MAX becomes "<host>/%_long/<hash><ext>".
 * Names made here never begin with "%_" unless marked so: a decoded '%'
 * is always "%25", so "%_..." names (the empty segment, the long-path
 * folder, mirrorfs's temporary and collision names) cannot come from a
 * URL.
 * Invariants (tests/fuzz/fuzz_localpath.c): never absolute, no ".." or "."
 * component, no empty component, no NUL or control byte, at most
 * LOCALPATH_MAX bytes, the same URL always gives the same path.
 */
#ifndef CRAWLD_LOCALPATH_H
#define CRAWLD_LOCALPATH_H

#include <stddef.h>

#include "crawld/base/common.h"

#define LOCALPATH_SEGMENT_MAX 200 /* bytes of one name (NAME_MAX is 255) */
#define LOCALPATH_MAX 3072	  /* bytes of the whole path (PATH_MAX 4096) */

/* localpath_from_url() flags: the body's type, for the extension. */
#define LOCALPATH_HTML 0x1
#define LOCALPATH_CSS 0x2

/*
 * The relative local path of url (an absolute http or https URL, as
 * url_normalise() writes it; a fragment is ignored). On CW_OK *out is
 * malloc'd for the caller. CW_EINVAL for anything that is not such a URL
 * (no host, another scheme), CW_ENOMEM.
 */
CW_WARN_UNUSED enum cw_rc localpath_from_url(
    const char *url, unsigned flags, char **out);

/*
 * A variant of path for when path is taken by another URL (two URLs that
 * differ only in what the rules fold, e.g. "/a" as HTML and "/a.html"):
 * "~" and 8 hex digits of a hash of url go before the last name's
 * extension. Same invariants. On CW_OK *out is malloc'd.
 */
CW_WARN_UNUSED enum cw_rc localpath_disambiguate(
    const char *path, const char *url, char **out);

/*
 * The relative reference from the document at local path from to the file
 * at local path to (both as made here), percent-encoded for use in HTML or
 * CSS (every byte but ALPHA DIGIT - . _ ~ ! $ * + , ; = @ and the '/'
 * separators is %XX, so '?', '#', '%', ':' and blanks in names survive).
 * On CW_OK *out is malloc'd.
 */
CW_WARN_UNUSED enum cw_rc localpath_relative(
    const char *from, const char *to, char **out);

/* FNV-1a 64 of s[0..n): the names' hash (stable across builds). */
uint64_t localpath_hash(const char *s, size_t n);

#endif /* CRAWLD_LOCALPATH_H */
