/* SPDX-License-Identifier: MIT */
/*
 * strmap.h - a string -> int64 hash map for the crawl's seen-set (URL ->
 * page id) and the frontier's host table. Open addressing with linear
 * probing; keys are copied into chunked arenas owned by the map, so an
 * insert costs no malloc of its own and a lookup none at all. Entries are
 * never removed (a crawl never forgets a URL). Pure; not thread-safe.
 */
#ifndef CRAWLD_STRMAP_H
#define CRAWLD_STRMAP_H

#include "crawld/base/common.h"

struct strmap;

/* A new, empty map; NULL on allocation failure. */
struct strmap *strmap_new(void);

/* Free the map and every key it copied. NULL is a no-op. */
void strmap_free(struct strmap *m);

/* 1 and *value set when key is present, else 0. */
int strmap_get(const struct strmap *m, const char *key, int64_t *value);

/*
 * Insert key (copied) with value unless present. Returns CW_OK when
 * inserted, CW_EINVAL when the key was already there (*existing, if not
 * NULL, gets its value; nothing changes), CW_ENOMEM.
 */
CW_WARN_UNUSED enum cw_rc strmap_put(
    struct strmap *m, const char *key, int64_t value, int64_t *existing);

/* Replace the value of key: 1 when it was present, else 0 (nothing is
   added). */
int strmap_set(struct strmap *m, const char *key, int64_t value);

/* Number of keys. */
size_t strmap_count(const struct strmap *m);

/* Bytes held by the map (table + arenas), for memory accounting. */
size_t strmap_memory(const struct strmap *m);

#endif /* CRAWLD_STRMAP_H */
