/* SPDX-License-Identifier: MIT */
/*
 * idmap.h - a small int64 -> int64 hash map whose entries can be removed
 * and whose memory shrinks with them: for state kept per page only while
 * the page waits (the engine's redirect hop counts, keyed by page id).
 * Open addressing with linear probing and backward-shift deletion (no
 * tombstones), so a map that is mostly emptied again costs what its live
 * entries cost. Keys are non-zero. Pure; not thread-safe.
 */
#ifndef CRAWLD_IDMAP_H
#define CRAWLD_IDMAP_H

#include "crawld/base/common.h"

struct idmap;

/* A new, empty map; NULL on allocation failure. */
struct idmap *idmap_new(void);

/* Free; NULL is a no-op. */
void idmap_free(struct idmap *m);

/* 1 and *value set (if not NULL) when key is present, else 0. */
int idmap_get(const struct idmap *m, int64_t key, int64_t *value);

/* Set key (non-zero) to value, replacing any old value. CW_EINVAL for
   key 0, CW_ENOMEM (then nothing changed). */
CW_WARN_UNUSED enum cw_rc idmap_put(
    struct idmap *m, int64_t key, int64_t value);

/* Remove key; 1 if it was there. The table shrinks when it is mostly
   empty (a failed shrink keeps the larger table). */
int idmap_del(struct idmap *m, int64_t key);

/* Entries in the map; bytes it holds. */
size_t idmap_count(const struct idmap *m);
size_t idmap_memory(const struct idmap *m);

#endif /* CRAWLD_IDMAP_H */
