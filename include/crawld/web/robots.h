/* SPDX-License-Identifier: MIT */
/*
 * robots.h - robots.txt parsing and matching, RFC 9309. Pure: no I/O.
 *
 * A struct robots holds the rules that apply to one product token (the
 * groups whose user-agent matches it, merged; else the "*" groups, merged).
 * Matching: the longest matching rule wins, Allow wins a tie, "*" matches
 * any run of characters and a final "$" anchors the end; percent-encoding
 * is normalised on both sides before comparing. "/robots.txt" is always
 * allowed. Crawl-delay (non-standard) is kept when present.
 */
#ifndef CRAWLD_ROBOTS_H
#define CRAWLD_ROBOTS_H

#include <stdbool.h>

#include "crawld/base/common.h"

struct robots;

/* Largest robots.txt body parsed (RFC 9309 asks for at least 500 KiB). */
#define ROBOTS_MAX_BYTES (500 * 1024)

/*
 * Parse body[0..len) (need not be NUL-terminated; bytes past
 * ROBOTS_MAX_BYTES are ignored) for the product token agent (e.g. "crawld";
 * matched case-insensitively). Bad lines are skipped, never fatal. On CW_OK
 * *out is owned by the caller (robots_free). CW_ENOMEM only.
 */
CW_WARN_UNUSED enum cw_rc robots_parse(
    const char *body, size_t len, const char *agent, struct robots **out);

/* Rules that allow everything (robots.txt 4xx, or --no-robots). */
CW_WARN_UNUSED enum cw_rc robots_new_allow_all(struct robots **out);

/* Rules that disallow everything (robots.txt 5xx or unreachable). */
CW_WARN_UNUSED enum cw_rc robots_new_disallow_all(struct robots **out);

/* 1 when path_query ("/a/b?c", as from url_path_query) may be fetched. */
int robots_allowed(const struct robots *r, const char *path_query);

/* Whether r allows every path (no rule at all, as "Disallow:" alone or an
   unreadable 4xx gives; NULL too): robots_allowed() is then 1 for any
   path, and the caller need not take its URL apart. */
bool robots_allows_all(const struct robots *r);

/* Crawl-delay in milliseconds for this agent, 0 when none was given. */
uint32_t robots_crawl_delay_ms(const struct robots *r);

/* Whether two User-Agent strings have the same product token (the leading
   [A-Za-z_-] run, case-insensitively: "crawld/0.1" and "Crawld/2" do), so
   the same rules of a robots.txt apply to both. NULL is the empty token. */
bool robots_same_agent(const char *a, const char *b);

/* Free; NULL is a no-op. */
void robots_free(struct robots *r);

#endif /* CRAWLD_ROBOTS_H */
