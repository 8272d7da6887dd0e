/* SPDX-License-Identifier: MIT */
/*
 * url.h - URL resolution, normalisation and scope keys, built on libcurl's
 * CURLU API. Pure: no loop, no network, no store; safe on any thread.
 *
 * A normalised URL is absolute http or https with: lower-case scheme and
 * host, no default port, dot segments removed, no fragment, an empty path
 * written as "/", spaces and non-ASCII bytes percent-encoded (UTF-8),
 * percent-escapes in upper case and escapes of unreserved characters
 * decoded (RFC 3986 section 6.2.2). Two URLs that differ only in those ways
 * normalise to the same string, which is the crawl's dedup key.
 */
#ifndef CRAWLD_URL_H
#define CRAWLD_URL_H

#include "crawld/base/common.h"

/* Longest URL accepted by default (characters, after normalisation). */
#define URL_MAX_LEN_DEFAULT 2048

/*
 * Resolve ref against base (RFC 3986 section 5; base may be NULL when ref
 * is absolute) and normalise the result. Leading/trailing C0 controls and
 * spaces are trimmed and tabs/newlines removed from ref, as browsers do.
 * On CW_OK *out is a malloc'd string the caller frees.
 * Returns CW_ENOTSUP for a scheme other than http/https (mailto:,
 * javascript:, data:, ftp:, ...), CW_EPARSE for a reference that cannot be
 * parsed, CW_ENOMEM. base and ref are not freed.
 */
CW_WARN_UNUSED enum cw_rc url_resolve(
    const char *base, const char *ref, char **out);

/*
 * url_resolve() without its fast path for simple references: the full
 * clean + CURLU resolve + rebuild every time. Same results by contract;
 * the tests and the fuzzer hold the two against each other.
 */
CW_WARN_UNUSED enum cw_rc url_resolve_slow(
    const char *base, const char *ref, char **out);

/* url_resolve(NULL, url, out). */
CW_WARN_UNUSED enum cw_rc url_normalise(const char *url, char **out);

/*
 * Parts of a normalised absolute URL, each malloc'd for the caller:
 * host: lower-case host name or address (IPv6 without brackets);
 * origin: "scheme://host[:port]" (the robots.txt and politeness key);
 * path_query: "/path?query" (what robots.txt rules match against).
 */
CW_WARN_UNUSED enum cw_rc url_host(const char *url, char **host);
CW_WARN_UNUSED enum cw_rc url_origin(const char *url, char **origin);
CW_WARN_UNUSED enum cw_rc url_path_query(const char *url, char **pq);

enum url_scope {
	URL_SCOPE_HOST = 0, /* same host name as the seed */
	URL_SCOPE_DOMAIN,   /* same registrable domain (public suffix list) */
	URL_SCOPE_ANY,	    /* anything http(s) */
};

/* Parse "host", "domain" or "any"; CW_EINVAL otherwise. */
CW_WARN_UNUSED enum cw_rc url_scope_parse(const char *s, enum url_scope *out);

/*
 * The scope key of a host (as returned by url_host): for URL_SCOPE_HOST the
 * host itself, for URL_SCOPE_DOMAIN its registrable domain ("a.b.example.co.uk"
 * -> "example.co.uk"; an IP address or a host without one keys as itself),
 * for URL_SCOPE_ANY "". A link is in scope when its key equals the key of
 * one of its crawl's seeds. *key is malloc'd for the caller.
 */
CW_WARN_UNUSED enum cw_rc url_scope_key(
    enum url_scope scope, const char *host, char **key);

#endif /* CRAWLD_URL_H */
