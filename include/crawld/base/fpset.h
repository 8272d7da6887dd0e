/* SPDX-License-Identifier: MIT */
/*
 * fpset.h - the crawl's seen-set as 64-bit URL fingerprints: a compact
 * in-memory filter in front of the store's UNIQUE(crawl_id, url) index.
 *
 * Each URL is kept as its 64-bit fingerprint and page id (16 bytes a slot,
 * open addressing), not as a string, so the seen-set of a 200,000-page
 * crawl is a few MB. Two different URLs share a fingerprint with
 * probability about n^2 / 2^65 over n URLs (1 in 10^7 for a million), the
 * trade every large crawler makes (Heritrix keeps 64-bit fingerprints,
 * Scrapy SHA-1 ones); the only effect would be a link row pointing at the
 * wrong page and one page not fetched. The id is the caller's int64 (the
 * engine packs a page id with its depth and state, engine_int.h
 * CRAWL_SEEN_*). Pure; not thread-safe.
 */
#ifndef CRAWLD_FPSET_H
#define CRAWLD_FPSET_H

#include "crawld/base/common.h"

struct fpset;

/* The fingerprint of a string (never 0). */
uint64_t fpset_fingerprint(const char *s, size_t len);

/* A new, empty set; NULL on allocation failure. */
struct fpset *fpset_new(void);

/* Free; NULL is a no-op. */
void fpset_free(struct fpset *s);

/* 1 and *id set when url was seen, else 0. */
int fpset_get(const struct fpset *s, const char *url, int64_t *id);

/* fpset_get() of the URL whose fpset_fingerprint() is fp (computed
   elsewhere, e.g. on a parse thread). */
int fpset_get_fp(const struct fpset *s, uint64_t fp, int64_t *id);

/* Add url with its page id unless seen: CW_OK when added, CW_EINVAL when
   already there (*existing gets its id if not NULL), CW_ENOMEM. */
CW_WARN_UNUSED enum cw_rc fpset_put(
    struct fpset *s, const char *url, int64_t id, int64_t *existing);

/* Replace the id of a seen url: 1 when it was seen, else 0 (nothing
   added). */
int fpset_set(struct fpset *s, const char *url, int64_t id);

/* URLs in the set; bytes it holds; the most bytes it ever held at once
   (a growing shard's old and new tables counted together). */
size_t fpset_count(const struct fpset *s);
size_t fpset_memory(const struct fpset *s);
size_t fpset_peak_memory(const struct fpset *s);

#endif /* CRAWLD_FPSET_H */
